/* export.c — the export room: writes .idp files from a tenant (any backend) or from Graph JSON
 * exports (a policy, a {"value": [...]} list or a bare array; v1.0 or beta; UTF-8 or UTF-16).
 * From a tenant it also writes the groups worth declaring (those the exported objects refer to,
 * and the role-assignable ones; all with --all-groups), the authentication methods policy, role
 * assignments and PIM eligibility, and the tenant settings. What the language cannot express is
 * reported on stderr and as `# idpc:` comments. */
#include "runtime/export/export.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/model.h"
#include "compiler/print.h"
#include "compiler/raise.h"
#include "compiler/util.h"
#include "runtime/export/export_gov.h"
#include "runtime/plan/normalize.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"
#include "runtime/tenant/tenant_governance.h"

#define PASSWORD_RULES_TEMPLATE "5cf42378-d67d-4f36-ba46-e8b86229381d"
#define CONTEXTS_PATH           "identity/conditionalAccess/authenticationContextClassReferences"

/* ---- collecting objects ---- */

struct item {
    json_t *raw;   /* the Graph object */
    json_t *canon; /* normalize()d */
    const char *name;
    char *out_name; /* unique declaration name */
    const char *id;
    json_t *members, *owners; /* groups: what groups/{id}/members and owners read, or NULL */
    bool shared;              /* another object of the kind has the same name: pin the id */
};

struct items {
    struct item *v;
    size_t n, cap;
};

struct export
{
    struct items pol, loc, str, grp;
    struct raise_names *names;
    int read_errors;
    bool all_groups;
    /* from a tenant only (NULL otherwise); canonical except the role arrays */
    json_t *methods, *assignments, *eligibilities, *authz, *secdef, *group_unified;
    json_t *contexts; /* authenticationContextClassReferences as Graph returns them, or NULL */
    json_t *password_rules;  /* the "Password Rule Settings" directory setting, canonical */
    json_t *group_lifecycle; /* the groups expiration policy, canonical, or NULL */
    json_t *onprem_sync;     /* on-premises directory synchronization, canonical, or NULL */
    json_t *admin_consent;   /* the admin consent workflow, canonical, or NULL */
    json_t *role_policies, *role_policy_assignments; /* PIM role settings, raw */
    json_t *group_notes; /* array of strings: groups not declared, and why */
    json_t *pim_groups;  /* [{"id", "name", "pim": export_gov_pim_group()}], or NULL */
    json_t *reviews;     /* accessReviewScheduleDefinitions as Graph lists them, or NULL */
    struct dir_seen {
        dev_t dev;
        ino_t ino;
    } * seen; /* directories entered by --from-json, against symlink loops */
    size_t nseen;
};

static void items_add(struct items *l, const json_t *raw, enum normalize_kind nk)
{
    json_t *canon = normalize(nk, raw);
    const char *name = json_string_value(json_object_get(canon, "displayName"));
    const char *id = json_string_value(json_object_get(raw, "id"));
    /* the same object twice (overlapping backups): keep one */
    for (size_t i = 0; i < l->n; i++) {
        if (json_equal(l->v[i].canon, canon) &&
            (!id || !l->v[i].id || util_streq_nocase(id, l->v[i].id))) {
            json_decref(canon);
            return;
        }
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (struct item){.raw = json_incref((json_t *)(uintptr_t)raw),
                                 .canon = canon,
                                 .name = name ? name : "(no name)",
                                 .id = id};
}

static bool builtin_strength(const json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "policyType"));
    const char *id = json_string_value(json_object_get(o, "id"));
    if (t && util_streq_nocase(t, "builtIn"))
        return true;
    return id && (strcmp(id, "00000000-0000-0000-0000-000000000002") == 0 ||
                  strcmp(id, "00000000-0000-0000-0000-000000000003") == 0 ||
                  strcmp(id, "00000000-0000-0000-0000-000000000004") == 0);
}

static void add_object(struct export *x, const json_t *o)
{
    switch (raise_classify(o)) {
    case RAISE_OBJ_POLICY:
        items_add(&x->pol, o, NK_CA_POLICY);
        break;
    case RAISE_OBJ_LOCATION:
        items_add(&x->loc, o, NK_NAMED_LOCATION);
        break;
    case RAISE_OBJ_STRENGTH:
        if (!builtin_strength(o))
            items_add(&x->str, o, NK_AUTH_STRENGTH);
        break;
    case RAISE_OBJ_OTHER:
        break;
    }
}

static void add_doc(struct export *x, const json_t *doc)
{
    raise_names_from_json(x->names, doc);
    const json_t *list = doc;
    if (json_is_object(doc) && json_is_array(json_object_get(doc, "value")))
        list = json_object_get(doc, "value");
    if (json_is_array(list)) {
        size_t i;
        const json_t *o;
        json_array_foreach(list, i, o)
        {
            add_object(x, o);
        }
    } else {
        add_object(x, list);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void load_path(struct export *x, const char *path, bool top)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "idpc export: error: %s: %s\n", path, strerror(errno));
        x->read_errors++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        /* A directory reached twice (a symlink to itself or to an ancestor, or two links to one
         * folder) is read once: following it again would never end. */
        for (size_t i = 0; i < x->nseen; i++)
            if (x->seen[i].dev == st.st_dev && x->seen[i].ino == st.st_ino) {
                fprintf(stderr, "idpc export: %s: already read (a symbolic link loop?), skipped\n",
                        path);
                return;
            }
        x->seen = xrealloc(x->seen, (x->nseen + 1) * sizeof(*x->seen));
        x->seen[x->nseen++] = (struct dir_seen){st.st_dev, st.st_ino};
        DIR *d = opendir(path);
        if (!d) {
            fprintf(stderr, "idpc export: error: %s: %s\n", path, strerror(errno));
            x->read_errors++;
            return;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            names = xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = xstrdup(e->d_name);
        }
        closedir(d);
        if (n > 0) /* qsort's base must not be NULL, even for no elements */
            qsort(names, n, sizeof(*names), by_name);
        for (size_t i = 0; i < n; i++) {
            char *p = xasprintf("%s/%s", path, names[i]);
            size_t len = strlen(names[i]);
            struct stat cs;
            if (stat(p, &cs) == 0 &&
                (S_ISDIR(cs.st_mode) || (len > 5 && strcmp(names[i] + len - 5, ".json") == 0)))
                load_path(x, p, false);
            free(p);
            free(names[i]);
        }
        free(names);
        return;
    }
    (void)top;
    char err[1024];
    json_t *doc = raise_load_json(path, err, sizeof(err));
    if (!doc) {
        fprintf(stderr, "idpc export: error: %s\n", err);
        x->read_errors++;
        return;
    }
    add_doc(x, doc);
    json_decref(doc);
}

/* ---- from a tenant: the other kinds, and which groups to declare ---- */

#define GROUP_UNIFIED_TEMPLATE "62375ab9-6b52-47ed-826b-58e47e0e304b"

static const char *str_of(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Adds the string ids of `arr` to the set `set` (an object keyed by lower-case id). */
static void id_set_add(json_t *set, const json_t *arr)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *id = json_is_string(v) ? json_string_value(v) : str_of(v, "id");
        if (!id)
            continue;
        char *low = xstrdup(id);
        for (char *c = low; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        json_object_set_new(set, low, json_true());
        free(low);
    }
}

static bool id_set_has(const json_t *set, const char *id)
{
    char *low = xstrdup(id ? id : "");
    for (char *c = low; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    bool has = json_object_get(set, low) != NULL;
    free(low);
    return has;
}

static void group_note(struct export *x, const char *fmt, ...) IDPC_PRINTF(2, 3);
static void group_note(struct export *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    fprintf(stderr, "idpc export: warning: %s\n", strbuf_str(&sb));
    json_array_append_new(x->group_notes, json_string(strbuf_str(&sb)));
    strbuf_fini(&sb);
}

/* A relation of a group (members, owners): the array, or NULL when the tenant did not read it. */
static json_t *read_relation(struct export *x, struct backend *b, const char *gid, const char *rel)
{
    char *path = xasprintf("groups/%s/%s", gid, rel);
    json_t *v = NULL;
    struct backend_error err;
    if (backend_read(b, path, &v, &err) != 0) {
        fprintf(stderr, "idpc export: error: cannot read %s: %s\n", path, err.message);
        x->read_errors++;
        v = NULL;
    } else if (v && !json_is_array(v)) {
        json_decref(v);
        v = NULL;
    }
    free(path);
    return v;
}

/* Declares the groups the exported objects refer to and the role-assignable ones (all with
 * --all-groups), except those the language must not declare. */
static void select_groups(struct export *x, struct backend *b, const json_t *groups)
{
    json_t *refs = json_object(), *holders = json_object();
    char *pim_failed = NULL;
    for (size_t i = 0; i < x->pol.n; i++) {
        const json_t *u =
            json_object_get(json_object_get(x->pol.v[i].canon, "conditions"), "users");
        id_set_add(refs, json_object_get(u, "includeGroups"));
        id_set_add(refs, json_object_get(u, "excludeGroups"));
    }
    const char *k;
    const json_t *cfg;
    json_object_foreach(json_object_get(x->methods, "authenticationMethodConfigurations"), k, cfg)
    {
        id_set_add(refs, json_object_get(cfg, "includeTargets"));
        id_set_add(refs, json_object_get(cfg, "excludeTargets"));
    }
    const char *creators =
        str_of(json_object_get(x->group_unified, "values"), "GroupCreationAllowedGroupId");
    if (creators)
        json_object_set_new(refs, creators, json_true());
    const json_t *lists[2] = {x->assignments, x->eligibilities};
    for (int l = 0; l < 2; l++) {
        size_t i;
        const json_t *a;
        json_array_foreach(lists[l], i, a)
        {
            const char *member = str_of(a, "memberType");
            const char *p = str_of(a, "principalId");
            if (p && (!member || strcmp(member, "Direct") == 0)) {
                json_t *one = json_pack("[s]", p);
                id_set_add(holders, one);
                json_decref(one);
            }
        }
    }
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *id = str_of(g, "id"), *name = str_of(g, "displayName");
        if (!id)
            continue;
        bool assignable = json_is_true(json_object_get(g, "isAssignableToRole"));
        bool holder = id_set_has(holders, id);
        /* PIM for Groups is read per group (Graph lists schedules only with a filter on the
         * group): for the groups export declares anyway (role-assignable ones, which Microsoft
         * recommends for PIM for Groups, role holders, referenced ones), and for every group
         * with --all-groups, so that a tenant of many groups costs no request per group */
        json_t *pim = x->all_groups || assignable || holder || id_set_has(refs, id)
                          ? export_gov_pim_group(b, id, &pim_failed)
                          : NULL;
        if (pim) {
            if (!x->pim_groups)
                x->pim_groups = json_array();
            json_array_append_new(x->pim_groups, json_pack("{s:s,s:s,s:o}", "id", id, "name",
                                                           name ? name : id, "pim", pim));
        }
        if (!x->all_groups && !assignable && !holder && !pim && !id_set_has(refs, id))
            continue;
        if (json_is_true(json_object_get(g, "onPremisesSyncEnabled"))) {
            group_note(x,
                       "group \"%s\" is synchronised from on-premises Active Directory and "
                       "managed there; not declared (references to it resolve by name)",
                       name ? name : id);
            continue;
        }
        if (holder && !assignable) {
            group_note(x,
                       "group \"%s\" holds a directory role but is not role-assignable, and the "
                       "language declares only role-assignable groups as role holders; not "
                       "declared (roles.idp refers to it by name)",
                       name ? name : id);
            continue;
        }
        items_add(&x->grp, g, NK_GROUP);
        struct item *it = &x->grp.v[x->grp.n - 1];
        if (it->raw != g || it->members || it->owners)
            continue; /* a duplicate of an earlier object */
        it->members = read_relation(x, b, id, "members");
        it->owners = read_relation(x, b, id, "owners");
    }
    if (pim_failed)
        fprintf(stderr,
                "idpc export: warning: cannot read PIM for Groups (%s): pim_group blocks may be "
                "missing\n",
                pim_failed);
    free(pim_failed);
    json_decref(refs);
    json_decref(holders);
}

/* An expiration policy applied to selected groups: Graph v1.0 lists a group's policies
 * (GET /groups/{id}/groupLifecyclePolicies), not a policy's groups, so every Microsoft 365
 * group is asked; the ones the policy applies to go to the canonical policy as "$groups". */
static int lifecycle_selected(struct export *x, struct backend *b, const json_t *groups,
                              const char *pid)
{
    json_t *ids = json_array();
    size_t i;
    const json_t *g;
    json_array_foreach(groups, i, g)
    {
        bool unified = false;
        size_t k;
        const json_t *t;
        json_array_foreach(json_object_get(g, "groupTypes"), k, t)
        {
            unified |= util_streq_nocase(json_string_value(t), "Unified");
        }
        const char *gid = str_of(g, "id");
        if (!unified || !gid || !pid)
            continue;
        char *p = xasprintf("groups/%s/groupLifecyclePolicies", gid);
        json_t *list = NULL;
        struct backend_error err;
        if (backend_read_list(b, p, &list, &err) != 0) {
            fprintf(stderr, "idpc export: error: cannot read %s: %s\n", p, err.message);
            free(p);
            json_decref(ids);
            return -1;
        }
        free(p);
        json_array_foreach(list, k, t)
        {
            if (util_streq_nocase(str_of(t, "id"), pid))
                json_array_append_new(ids, json_string(gid));
        }
        json_decref(list);
    }
    json_object_set_new(x->group_lifecycle, "$groups", ids);
    return 0;
}

static int load_tenant(struct export *x, const char *spec)
{
    static const struct {
        const char *path, *kind;
    } lists[] = {
        {"users", "user"},
        {"groups", "group"},
        {"servicePrincipals", "servicePrincipal"},
        {"identity/conditionalAccess/namedLocations", "namedLocation"},
        {"policies/authenticationStrengthPolicies", "authenticationStrengthPolicy"},
        {"identity/conditionalAccess/policies", NULL},
        {"subscribedSkus", "sku"},
        {"roleManagement/directory/roleDefinitions", "roleDefinition"},
        {"roleManagement/directory/roleAssignments", NULL},
        {TENANT_ACTIVE_SCHEDULES, NULL},
        {"roleManagement/directory/roleEligibilitySchedules", NULL},
        {TENANT_PIM_POLICIES, NULL},
        {TENANT_PIM_ASSIGNMENTS, NULL},
        {"groupSettings", NULL},
    };
    static const struct {
        const char *path;
        enum normalize_kind nk;
    } singletons[] = {
        {"policies/authenticationMethodsPolicy", NK_AUTH_METHODS_POLICY},
        {"policies/authorizationPolicy", NK_AUTHORIZATION_POLICY},
        {"policies/identitySecurityDefaultsEnforcementPolicy", NK_SECURITY_DEFAULTS},
    };
    struct backend *b = NULL;
    struct backend_error err;
    if (backend_open(spec, &b, &err) != 0) {
        fprintf(stderr, "idpc export: error: cannot open the tenant '%s': %s\n", spec ? spec : "",
                err.message);
        return -1;
    }
    int rc = 0;
    json_t *groups = NULL;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(lists); i++) {
        json_t *v = NULL;
        const char *p = lists[i].path;
        if (backend_read_list(b, p, &v, &err) != 0) {
            fprintf(stderr, "idpc export: error: cannot read %s from %s: %s\n", p,
                    b->display ? b->display : spec, err.message);
            rc = -1;
            goto out;
        }
        size_t k;
        const json_t *o;
        if (strcmp(p, "subscribedSkus") == 0) {
            json_array_foreach(v, k, o)
            {
                raise_names_add(x->names, "sku", str_of(o, "skuId"), str_of(o, "skuPartNumber"));
            }
        } else if (strcmp(p, "roleManagement/directory/roleDefinitions") == 0) {
            json_array_foreach(v, k, o)
            {
                raise_names_add(x->names, "roleDefinition", str_of(o, "id"),
                                str_of(o, "displayName"));
            }
        } else if (strcmp(p, "roleManagement/directory/roleAssignments") == 0) {
            x->assignments = json_incref(v);
        } else if (strcmp(p, TENANT_ACTIVE_SCHEDULES) == 0) {
            /* time-bound active assignments: their end dates (tenant_active.c) */
            json_t *merged = tenant_merge_active(x->assignments, v);
            json_decref(x->assignments);
            x->assignments = merged;
        } else if (strcmp(p, "roleManagement/directory/roleEligibilitySchedules") == 0) {
            x->eligibilities = json_incref(v);
        } else if (strcmp(p, TENANT_PIM_POLICIES) == 0) {
            x->role_policies = json_incref(v);
        } else if (strcmp(p, TENANT_PIM_ASSIGNMENTS) == 0) {
            x->role_policy_assignments = json_incref(v);
        } else if (strcmp(p, "groupSettings") == 0) {
            json_array_foreach(v, k, o)
            {
                if (str_of(o, "templateId") &&
                    util_streq_nocase(str_of(o, "templateId"), GROUP_UNIFIED_TEMPLATE) &&
                    !x->group_unified)
                    x->group_unified = normalize(NK_GROUP_SETTING, o);
                if (str_of(o, "templateId") &&
                    util_streq_nocase(str_of(o, "templateId"), PASSWORD_RULES_TEMPLATE) &&
                    !x->password_rules)
                    x->password_rules = normalize(NK_GROUP_SETTING, o);
            }
        } else {
            add_doc(x, v);
            if (strcmp(p, "groups") == 0)
                groups = json_incref(v);
        }
        if (lists[i].kind)
            raise_names_set_complete(x->names, lists[i].kind);
        json_decref(v);
    }
    for (size_t i = 0; i < IDPC_ARRAY_LEN(singletons); i++) {
        json_t *v = NULL;
        if (backend_read(b, singletons[i].path, &v, &err) != 0) {
            fprintf(stderr, "idpc export: error: cannot read %s from %s: %s\n", singletons[i].path,
                    b->display ? b->display : spec, err.message);
            rc = -1;
            goto out;
        }
        json_t *canon = json_is_object(v) ? normalize(singletons[i].nk, v) : NULL;
        json_decref(v);
        if (singletons[i].nk == NK_AUTH_METHODS_POLICY)
            x->methods = canon;
        else if (singletons[i].nk == NK_AUTHORIZATION_POLICY)
            x->authz = canon;
        else
            x->secdef = canon;
    }
    json_t *ctx = NULL;
    if (backend_read(b, CONTEXTS_PATH, &ctx, &err) != 0) {
        fprintf(stderr, "idpc export: cannot read %s from %s: %s\n", CONTEXTS_PATH,
                b->display ? b->display : spec, err.message);
        rc = -1;
        goto out;
    }
    if (json_is_array(ctx))
        x->contexts = json_incref(ctx);
    json_decref(ctx);
    json_t *gl = NULL;
    if (backend_read(b, "groupLifecyclePolicies", &gl, &err) != 0) {
        fprintf(stderr, "idpc export: cannot read groupLifecyclePolicies from %s: %s\n",
                b->display ? b->display : spec, err.message);
        rc = -1;
        goto out;
    }
    if (json_is_object(json_array_get(gl, 0)))
        x->group_lifecycle = normalize(NK_GROUP_LIFECYCLE, json_array_get(gl, 0));
    if (x->group_lifecycle &&
        util_streq_nocase(str_of(x->group_lifecycle, "managedGroupTypes"), "Selected") &&
        lifecycle_selected(x, b, groups, str_of(json_array_get(gl, 0), "id")) != 0) {
        json_decref(gl);
        rc = -1;
        goto out;
    }
    json_decref(gl);
    json_t *sync = NULL;
    if (backend_read(b, TENANT_ONPREM_SYNC, &sync, &err) != 0) {
        fprintf(stderr, "idpc export: cannot read %s from %s: %s\n", TENANT_ONPREM_SYNC,
                b->display ? b->display : spec, err.message);
        rc = -1;
        goto out;
    }
    if (json_is_object(json_array_get(sync, 0)))
        x->onprem_sync = normalize(NK_ONPREM_SYNC, json_array_get(sync, 0));
    json_decref(sync);
    json_t *ac = NULL;
    if (backend_read(b, "policies/adminConsentRequestPolicy", &ac, &err) != 0) {
        fprintf(stderr, "idpc export: cannot read policies/adminConsentRequestPolicy from %s: %s\n",
                b->display ? b->display : spec, err.message);
        rc = -1;
        goto out;
    }
    if (json_is_object(ac))
        x->admin_consent = normalize(NK_ADMIN_CONSENT, ac);
    json_decref(ac);
    json_t *rv = NULL;
    if (backend_read(b, TENANT_ACCESS_REVIEWS, &rv, &err) != 0)
        fprintf(stderr,
                "idpc export: warning: cannot read %s from %s (%s): access reviews are not "
                "exported\n",
                TENANT_ACCESS_REVIEWS, b->display ? b->display : spec, err.message);
    else if (json_array_size(rv) > 0)
        x->reviews = json_incref(rv);
    json_decref(rv);
    select_groups(x, b, groups);
out:
    json_decref(groups);
    backend_close(b);
    return rc;
}

/* Gives every object of a kind a unique declaration name: the second "X" becomes "X (2)". */
static void unique_names(struct items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        int k = 1;
        char *name = xstrdup(l->v[i].name);
        for (;;) {
            bool clash = false;
            for (size_t j = 0; j < i && !clash; j++)
                clash = strcmp(l->v[j].out_name, name) == 0;
            if (!clash)
                break;
            free(name);
            name = xasprintf("%s (%d)", l->v[i].name, ++k);
        }
        l->v[i].out_name = name;
        for (size_t j = 0; j < l->n; j++)
            if (j != i && strcmp(l->v[j].name, l->v[i].name) == 0)
                l->v[i].shared = true;
    }
}

static void items_free(struct items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->v[i].raw);
        json_decref(l->v[i].canon);
        json_decref(l->v[i].members);
        json_decref(l->v[i].owners);
        free(l->v[i].out_name);
    }
    free(l->v);
}

/* ---- writing ---- */

static void print_stmt(struct raise *r, struct ast_stmt *s, struct strbuf *out)
{
    struct ast_file *f = raise_file(r, "export.idp", s);
    print_file(f, out);
}

/* Appends `text` with every line turned into a comment. */
static void commented(const char *text, struct strbuf *out)
{
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        strbuf_adds(out, n ? "# " : "#");
        strbuf_add(out, p, n);
        strbuf_addc(out, '\n');
        p += n + (e ? 1 : 0);
    }
}

/* Checks that the raised statement `s` compiles on its own and appends its text, or, when the
 * compiler rejects it or `keep_out` says that declaring it would change the tenant, the text
 * commented out with the reasons. Issues from `first_issue` on are reported on stderr. Returns
 * false when it had to be commented out. */
static bool emit_stmt(struct raise *r, struct ast_stmt *s, size_t first_issue, const char *what,
                      const char *name, bool keep_out, struct strbuf *out)
{
    struct strbuf text = STRBUF_INIT, errs = STRBUF_INIT;
    struct ast_comment *lead = s->leading;
    struct ast_stmt *next = s->next;
    s->leading = NULL;
    s->next = NULL;
    print_stmt(r, s, &text);
    s->next = next;
    struct model *m = raise_compile_text("export.idp", strbuf_str(&text), false, &errs);
    bool ok = m != NULL && !keep_out;
    model_free(m);
    for (const struct ast_comment *c = lead; c; c = c->next) {
        strbuf_adds(out, c->text);
        strbuf_addc(out, '\n');
    }
    if (ok) {
        strbuf_add(out, text.buf, text.len);
    } else if (keep_out && errs.len == 0) {
        strbuf_adds(out, "# idpc: this object is kept commented out: declared as the language can "
                         "write it, it would\n#   change the tenant (see the comments above)\n");
        commented(strbuf_str(&text), out);
        fprintf(stderr,
                "idpc export: warning: %s \"%s\": would change the tenant; written commented out\n",
                what, name);
    } else {
        strbuf_adds(out, "# idpc: this object cannot be written as valid .idp, so it is kept "
                         "commented out; the compiler says:\n");
        commented(strbuf_str(&errs), out);
        commented(strbuf_str(&text), out);
        fprintf(stderr,
                "idpc export: warning: %s \"%s\": cannot be expressed; written commented out\n",
                what, name);
    }
    for (size_t i = first_issue; i < r->nissues; i++)
        fprintf(stderr, "idpc export: warning: %s: %s\n", r->issues[i].object,
                r->issues[i].message);
    strbuf_fini(&text);
    strbuf_fini(&errs);
    return ok;
}

static bool emit(struct raise *r, struct item *it, enum raise_object_kind k, struct strbuf *out)
{
    size_t first_issue = r->nissues;
    bool renamed = strcmp(it->out_name, it->name) != 0;
    /* Plan matches an unpinned declaration by name, and refuses a name several tenant objects
     * share (groups: the tenant may have more than the ones declared). */
    const char *unused;
    bool pin = renamed || it->shared ||
               (k == RAISE_OBJ_OTHER && it->id &&
                raise_names_name(r->names, "group", it->id, &unused) == RAISE_NAME_AMBIGUOUS);
    r->unfaithful = false;
    struct ast_stmt *s =
        k == RAISE_OBJ_POLICY     ? raise_policy(r, it->canon, it->out_name, it->id, pin)
        : k == RAISE_OBJ_LOCATION ? raise_location(r, it->canon, it->out_name, it->id, pin)
        : k == RAISE_OBJ_STRENGTH
            ? raise_strength(r, it->canon, it->out_name, it->id, pin)
            : raise_group(r, it->canon, it->members, it->owners, it->out_name, it->id, pin);
    if (renamed)
        raise_comment(r, s,
                      "\"%s\" is the name of another object too; this one is renamed (its id "
                      "is pinned): rename it in the tenant or here",
                      it->name);
    const char *what = k == RAISE_OBJ_POLICY     ? "policy"
                       : k == RAISE_OBJ_LOCATION ? "location"
                       : k == RAISE_OBJ_STRENGTH ? "strength"
                                                 : "group";
    return emit_stmt(r, s, first_issue, what, it->out_name, r->unfaithful, out);
}

static char *slug(const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    bool dash = false;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            strbuf_addc(&sb, (char)c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            strbuf_addc(&sb, (char)(c + 32));
            dash = false;
        } else if (!dash && sb.len) {
            strbuf_addc(&sb, '-');
            dash = true;
        }
    }
    while (sb.len && sb.buf[sb.len - 1] == '-')
        sb.buf[--sb.len] = '\0';
    if (!sb.len)
        strbuf_adds(&sb, "policy");
    return strbuf_detach(&sb);
}

struct out {
    const char *dir; /* NULL: standard output */
    int errors;
    int files;
};

static void write_file(struct out *o, const char *name, const struct strbuf *text)
{
    if (!text->len)
        return;
    /* one newline at the end, never a blank line */
    size_t len = text->len;
    while (len > 1 && text->buf[len - 1] == '\n' && text->buf[len - 2] == '\n')
        len--;
    if (!o->dir) {
        if (o->files++)
            fputc('\n', stdout);
        fwrite(text->buf, 1, len, stdout);
        return;
    }
    char *p = xasprintf("%s/%s", o->dir, name);
    int e = util_write_file_atomic(p, text->buf, len);
    if (e) {
        fprintf(stderr, "idpc export: error: cannot write '%s': %s\n", p, strerror(e));
        o->errors++;
    } else {
        o->files++;
    }
    free(p);
}

static const char HEADER[] = "# Written by `idpc export` from %s.\n"
                             "# Review every '# idpc:' comment: it marks something the language "
                             "cannot express.\n\n";

static int by_item_name(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* The objects of one kind into one file (policies also one file each with --split). */
static size_t write_items(struct raise *r, struct out *o, struct items *l,
                          enum raise_object_kind rk, const char *file, const char *source,
                          bool split, const json_t *notes)
{
    size_t commented_out = 0;
    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), by_item_name);
    unique_names(l);
    struct strbuf text = STRBUF_INIT;
    if (l->n || json_array_size(notes))
        strbuf_addf(&text, HEADER, source);
    if (json_array_size(notes)) {
        struct ast_stmt *holder = raise_stmt(r, "w", "x");
        size_t i;
        const json_t *n;
        json_array_foreach(notes, i, n)
        {
            raise_comment(r, holder, "%s", json_string_value(n));
        }
        for (const struct ast_comment *c = holder->leading; c; c = c->next) {
            strbuf_adds(&text, c->text);
            strbuf_addc(&text, '\n');
        }
        strbuf_addc(&text, '\n');
    }
    if (rk == RAISE_OBJ_POLICY && l->n) {
        const json_t **canon = xcalloc(l->n, sizeof(*canon));
        for (size_t i = 0; i < l->n; i++)
            canon[i] = l->v[i].canon;
        struct ast_stmt *ea = raise_emergency_suggestion(r, canon, l->n);
        free(canon);
        if (ea) {
            struct ast_comment *lead = ea->leading;
            ea->leading = NULL;
            for (; lead; lead = lead->next) {
                strbuf_adds(&text, lead->text);
                strbuf_addc(&text, '\n');
            }
            struct strbuf s = STRBUF_INIT;
            print_stmt(r, ea, &s);
            commented(strbuf_str(&s), &text);
            strbuf_fini(&s);
            strbuf_addc(&text, '\n');
        }
        if (split) {
            write_file(o, file, &text);
            strbuf_reset(&text);
        }
    }
    /* Objects kept commented out come first: a comment block after a file's last
     * statement cannot be separated from it by a blank line in the canonical layout. */
    struct strbuf bad = STRBUF_INIT, good = STRBUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        if (rk == RAISE_OBJ_POLICY && split) {
            struct strbuf one = STRBUF_INIT;
            strbuf_addf(&one, HEADER, source);
            commented_out += !emit(r, &l->v[i], rk, &one);
            char *sl = slug(l->v[i].out_name);
            char *name = xasprintf("policy-%s.idp", sl);
            write_file(o, name, &one);
            free(name);
            free(sl);
            strbuf_fini(&one);
            continue;
        }
        struct strbuf one = STRBUF_INIT;
        bool ok = emit(r, &l->v[i], rk, &one);
        struct strbuf *to = ok ? &good : &bad;
        if (to->len)
            strbuf_addc(to, '\n');
        strbuf_add(to, strbuf_str(&one), one.len);
        strbuf_fini(&one);
        commented_out += !ok;
    }
    strbuf_add(&text, strbuf_str(&bad), bad.len);
    if (bad.len && good.len)
        strbuf_addc(&text, '\n');
    strbuf_add(&text, strbuf_str(&good), good.len);
    strbuf_fini(&bad);
    strbuf_fini(&good);
    write_file(o, file, &text);
    strbuf_fini(&text);
    return commented_out;
}

/* Tenant-wide statements (a list linked by ->next) into one file. */
static size_t write_stmts(struct raise *r, struct out *o, struct ast_stmt *first,
                          size_t first_issue, const char *what, const char *file,
                          const char *source, size_t *count)
{
    size_t commented_out = 0;
    struct strbuf text = STRBUF_INIT, bad = STRBUF_INIT, good = STRBUF_INIT;
    for (struct ast_stmt *s = first; s; s = s->next) {
        const char *name = s->natoms > 1 && s->atoms[1].text ? s->atoms[1].text : what;
        struct strbuf one = STRBUF_INIT;
        bool ok = emit_stmt(r, s, first_issue, what, name, false, &one);
        first_issue = r->nissues;
        struct strbuf *to = ok ? &good : &bad;
        if (to->len)
            strbuf_addc(to, '\n');
        strbuf_add(to, strbuf_str(&one), one.len);
        strbuf_fini(&one);
        commented_out += !ok;
        (*count)++;
    }
    if (first)
        strbuf_addf(&text, HEADER, source);
    strbuf_add(&text, strbuf_str(&bad), bad.len);
    if (bad.len && good.len)
        strbuf_addc(&text, '\n');
    strbuf_add(&text, strbuf_str(&good), good.len);
    write_file(o, file, &text);
    strbuf_fini(&bad);
    strbuf_fini(&good);
    strbuf_fini(&text);
    return commented_out;
}

/* c1 < c2 < c10: by the number after the 'c' */
static int by_context_id(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
    long nx = x && x[0] ? strtol(x + 1, NULL, 10) : 0, ny = y && y[0] ? strtol(y + 1, NULL, 10) : 0;
    return nx < ny ? -1 : nx > ny;
}

/* The tenant's authentication contexts as linked `authentication_context` statements. */
static struct ast_stmt *raise_contexts(struct raise *r, const json_t *list)
{
    size_t n = json_array_size(list);
    if (!n)
        return NULL;
    json_t **v = xcalloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(list, i);
    qsort(v, n, sizeof(*v), by_context_id);
    struct ast_stmt *first = NULL, *last = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *canon = normalize(NK_AUTH_CONTEXT, v[i]);
        struct ast_stmt *s = raise_auth_context(r, canon, str_of(v[i], "id"));
        json_decref(canon);
        if (last)
            last->next = s;
        else
            first = s;
        last = s;
    }
    free(v);
    return first;
}

/* `access_review` blocks, in the tenant's order. */
static struct ast_stmt *raise_reviews(const struct export *x, struct raise *r)
{
    struct ast_stmt *first = NULL, *last = NULL;
    size_t i;
    const json_t *d;
    json_array_foreach(x->reviews, i, d)
    {
        const char *name = str_of(d, "displayName");
        struct ast_stmt *s = raise_access_review(r, d, name ? name : str_of(d, "id"));
        if (last)
            last->next = s;
        else
            first = s;
        last = s;
    }
    return first;
}

/* `pim_group` blocks of the groups holding PIM for Groups schedules, named as groups.idp
 * declares them. */
static struct ast_stmt *raise_pim_groups(const struct export *x, struct raise *r)
{
    struct ast_stmt *first = NULL, *last = NULL;
    size_t i;
    const json_t *g;
    json_array_foreach(x->pim_groups, i, g)
    {
        const char *id = str_of(g, "id"), *name = str_of(g, "name");
        for (size_t k = 0; k < x->grp.n; k++)
            if (x->grp.v[k].id && util_streq_nocase(x->grp.v[k].id, id) && x->grp.v[k].out_name)
                name = x->grp.v[k].out_name;
        const json_t *pim = json_object_get(g, "pim");
        struct ast_stmt *s = raise_pim_group(
            r, name, json_object_get(pim, "eligibilities"), json_object_get(pim, "assignments"),
            json_object_get(pim, "member"), json_object_get(pim, "owner"));
        if (last)
            last->next = s;
        else
            first = s;
        last = s;
    }
    return first;
}

static int write_all(struct export *x, const char *source, const char *dir, bool split, bool pin)
{
    struct ast_config *cfg = ast_config_new();
    struct raise r;
    raise_init(&r, cfg->arena, x->names);
    r.pin_ids = pin;
    r.role_policies = x->role_policies;
    r.role_policy_assignments = x->role_policy_assignments;
    struct out o = {dir, 0, 0};
    size_t commented_out = 0, nmethods = 0, nroles = 0, nsettings = 0, ncontexts = 0, nsync = 0;
    commented_out +=
        write_items(&r, &o, &x->grp, RAISE_OBJ_OTHER, "groups.idp", source, false, x->group_notes);
    size_t npim = 0, nreviews = 0;
    size_t first_pim = r.nissues;
    commented_out += write_stmts(&r, &o, raise_pim_groups(x, &r), first_pim, "pim_group",
                                 "pim_groups.idp", source, &npim);
    first_pim = r.nissues;
    commented_out += write_stmts(&r, &o, raise_reviews(x, &r), first_pim, "access_review",
                                 "reviews.idp", source, &nreviews);
    commented_out +=
        write_items(&r, &o, &x->loc, RAISE_OBJ_LOCATION, "locations.idp", source, false, NULL);
    commented_out +=
        write_items(&r, &o, &x->str, RAISE_OBJ_STRENGTH, "strengths.idp", source, false, NULL);
    size_t first = r.nissues;
    commented_out += write_stmts(&r, &o, raise_contexts(&r, x->contexts), first,
                                 "authentication_context", "contexts.idp", source, &ncontexts);
    first = r.nissues;
    if (x->methods)
        commented_out +=
            write_stmts(&r, &o, raise_auth_methods(&r, x->methods), first, "authentication_methods",
                        "authentication.idp", source, &nmethods);
    first = r.nissues;
    commented_out += write_stmts(&r, &o, raise_roles(&r, x->assignments, x->eligibilities), first,
                                 "role", "roles.idp", source, &nroles);
    first = r.nissues;
    commented_out +=
        write_stmts(&r, &o,
                    raise_settings_all(&r, x->authz, x->secdef, x->group_unified, x->password_rules,
                                       x->group_lifecycle, x->admin_consent),
                    first, "settings", "settings.idp", source, &nsettings);
    first = r.nissues;
    commented_out += write_stmts(&r, &o, raise_onprem_sync(&r, x->onprem_sync), first,
                                 "on_premises_sync", "hybrid.idp", source, &nsync);
    commented_out +=
        write_items(&r, &o, &x->pol, RAISE_OBJ_POLICY, "policies.idp", source, split, NULL);
    fprintf(stderr,
            "idpc export: %zu polic%s, %zu location%s, %zu strength%s, %zu authentication "
            "context%s, %zu group%s, %zu role block%s, %zu pim_group block%s, %zu access "
            "review%s%s%s%s from %s; %zu note%s, %zu object%s commented out\n",
            x->pol.n, x->pol.n == 1 ? "y" : "ies", x->loc.n, x->loc.n == 1 ? "" : "s", x->str.n,
            x->str.n == 1 ? "" : "s", ncontexts, ncontexts == 1 ? "" : "s", x->grp.n,
            x->grp.n == 1 ? "" : "s", nroles, nroles == 1 ? "" : "s", npim, npim == 1 ? "" : "s",
            nreviews, nreviews == 1 ? "" : "s", nmethods ? ", the authentication methods" : "",
            nsettings ? ", settings" : "", nsync ? ", on-premises synchronization" : "", source,
            r.nissues, r.nissues == 1 ? "" : "s", commented_out, commented_out == 1 ? "" : "s");
    raise_fini(&r);
    ast_config_free(cfg);
    return o.errors ? -1 : 0;
}

int export_run(const struct export_options *o)
{
    int rc = 0;
    struct export x;
    memset(&x, 0, sizeof(x));
    x.names = raise_names_new();
    x.group_notes = json_array();
    x.all_groups = o->all_groups;
    const char *source = o->tenant;
    if (o->tenant) {
        if (load_tenant(&x, o->tenant) != 0) {
            rc = -1;
            goto out;
        }
    } else {
        for (size_t i = 0; i < o->ninputs; i++) {
            char *p = xstrdup(o->inputs[i]);
            for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
                p[n - 1] = '\0';
            load_path(&x, p, true);
            free(p);
        }
        source = o->ninputs == 1 ? o->inputs[0] : "several Graph JSON files";
    }
    if (o->dir && mkdir(o->dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "idpc export: error: cannot create '%s': %s\n", o->dir, strerror(errno));
        rc = -1;
        goto out;
    }
    if (x.pol.n + x.loc.n + x.str.n + x.grp.n + json_array_size(x.contexts) == 0 && !x.methods &&
        !x.authz && !x.secdef && !x.password_rules && !x.group_lifecycle && !x.admin_consent &&
        !x.onprem_sync && json_array_size(x.assignments) + json_array_size(x.eligibilities) == 0) {
        fprintf(stderr, "idpc export: warning: no Conditional Access policy, named location or "
                        "authentication strength found\n");
        /* Graph JSON with nothing to export (an unknown @odata.type, an empty list, another
         * kind of object) is an input that could not be used: exit 1, like an unreadable one.
         * An empty tenant is a real answer and exports nothing with exit 0. */
        if (!o->tenant)
            x.read_errors++;
    }
    if (write_all(&x, source, o->dir, o->split, o->pin_ids) != 0 || x.read_errors)
        rc = -1;
out:
    items_free(&x.pol);
    items_free(&x.loc);
    items_free(&x.str);
    items_free(&x.grp);
    json_decref(x.methods);
    json_decref(x.assignments);
    json_decref(x.eligibilities);
    json_decref(x.role_policies);
    json_decref(x.role_policy_assignments);
    json_decref(x.pim_groups);
    json_decref(x.reviews);
    json_decref(x.authz);
    json_decref(x.secdef);
    json_decref(x.group_unified);
    json_decref(x.contexts);
    json_decref(x.password_rules);
    json_decref(x.group_lifecycle);
    json_decref(x.onprem_sync);
    json_decref(x.admin_consent);
    json_decref(x.group_notes);
    free(x.seen);
    raise_names_free(x.names);
    return rc;
}
