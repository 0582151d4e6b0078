/* lint_input.c — what `idpc check` looks at: built from a compiled model or read from a tenant,
 * and the helpers over it (principals, memberships, roles, probe sign-ins). */
#include "runtime/analysis/lint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/analysis/lint_int.h"
#include "runtime/tenant/tenant.h"

void lint_input_init(struct lint_input *in)
{
    memset(in, 0, sizeof(*in));
    in->policies = json_array();
    in->locations = json_array();
    in->strengths = json_array();
    in->groups = json_array();
    in->roles = json_array();
    in->emergency = json_array();
    in->aliases = json_object();
    in->access_reviews = json_array();
}

void lint_input_fini(struct lint_input *in)
{
    json_decref(in->policies);
    json_decref(in->locations);
    json_decref(in->strengths);
    json_decref(in->groups);
    json_decref(in->roles);
    json_decref(in->emergency);
    json_decref(in->access_reviews);
    json_decref(in->group_unified);
    json_decref(in->password_rules);
    json_decref(in->directory_sync);
    json_decref(in->user_consent);
    json_decref(in->admin_consent);
    json_decref(in->organization);
    json_decref(in->sync_errors);
    json_decref(in->sync_features);
    json_decref(in->aliases);
    json_decref(in->known);
    json_decref(in->ga_pim);
    memset(in, 0, sizeof(*in));
}

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                            */

const char *lint_jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

const char *lint_key(const json_t *item)
{
    if (json_is_string(item))
        return json_string_value(item);
    if (!json_is_object(item))
        return NULL;
    const char *k = lint_jstr(item, "name");
    return k ? k : lint_jstr(item, "id");
}

static char *lower(const char *s)
{
    char *r = xstrdup(s);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

static void alias(json_t *aliases, const char *from, const char *to)
{
    if (!from || !to)
        return;
    char *k = lower(from);
    json_object_set_new(aliases, k, json_string(to));
    free(k);
}

const char *lint_canon(const struct lint_ctx *c, const char *key)
{
    if (!key)
        return NULL;
    char *k = lower(key);
    const char *v = json_string_value(json_object_get(c->in->aliases, k));
    free(k);
    return v ? v : key;
}

bool lint_same(const struct lint_ctx *c, const char *a, const char *b)
{
    return a && b && lint_eq(lint_canon(c, a), lint_canon(c, b));
}

bool lint_is_emergency(const struct lint_ctx *c, const char *key)
{
    size_t i;
    json_t *e;
    json_array_foreach(c->in->emergency, i, e)
    {
        if (lint_same(c, lint_jstr(e, "user"), key))
            return true;
    }
    return false;
}

const json_t *lint_group(const struct lint_ctx *c, const char *key)
{
    size_t i;
    json_t *g;
    json_array_foreach(c->in->groups, i, g)
    {
        if (lint_same(c, lint_jstr(g, "name"), key) || lint_same(c, lint_jstr(g, "id"), key))
            return g;
    }
    return NULL;
}

bool lint_is_user(const struct lint_ctx *c, const char *key)
{
    return key && !lint_group(c, key);
}

static bool in_keys(const struct lint_ctx *c, const json_t *keys, const char *k)
{
    size_t i;
    json_t *v;
    json_array_foreach(keys, i, v)
    {
        if (lint_same(c, json_string_value(v), k))
            return true;
    }
    return false;
}

static void add_group_keys(json_t *out, const json_t *g)
{
    if (lint_jstr(g, "name"))
        json_array_append_new(out, json_string(lint_jstr(g, "name")));
    if (lint_jstr(g, "id"))
        json_array_append_new(out, json_string(lint_jstr(g, "id")));
}

json_t *lint_groups_of(const struct lint_ctx *c, const char *key)
{
    json_t *within = json_array(); /* the principal and the groups found so far */
    json_t *out = json_array();
    json_array_append_new(within, json_string(key));
    bool grew = true;
    while (grew) {
        grew = false;
        size_t i;
        json_t *g;
        json_array_foreach(c->in->groups, i, g)
        {
            const char *name = lint_jstr(g, "name") ? lint_jstr(g, "name") : lint_jstr(g, "id");
            if (!name || in_keys(c, out, name))
                continue;
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(g, "members"), k, m)
            {
                if (in_keys(c, within, json_string_value(m))) {
                    add_group_keys(out, g);
                    add_group_keys(within, g);
                    grew = true;
                    break;
                }
            }
        }
    }
    json_decref(within);
    return out;
}

json_t *lint_roles_of(const struct lint_ctx *c, const char *key, bool with_eligible)
{
    json_t *who = lint_groups_of(c, key);
    json_array_append_new(who, json_string(key));
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(c->in->roles, i, r)
    {
        if (!with_eligible && json_is_true(json_object_get(r, "eligible")))
            continue;
        const char *role = lint_jstr(r, "role");
        if (role && in_keys(c, who, lint_jstr(r, "principal")) && !in_keys(c, out, role))
            json_array_append_new(out, json_string(role));
    }
    json_decref(who);
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Probe sign-ins                                                                           */

static const char **str_vec(const json_t *arr)
{
    size_t n = json_array_size(arr);
    const char **v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(arr, i));
    return v;
}

void lint_probe_init(const struct lint_ctx *c, const char *kind, const char *key,
                     struct whatif_signin *s, struct lint_probe *hold)
{
    memset(s, 0, sizeof(*s));
    memset(hold, 0, sizeof(*hold));
    hold->groups = json_array();
    hold->roles = json_array();
    s->user = "probe.user@check.idpc.invalid";
    s->app = "Office365";
    s->client_app = WHATIF_DEFAULT_CLIENT;
    if (kind && key && strcmp(kind, "user") == 0) {
        const char *canon = lint_canon(c, key);
        s->user = canon;
        if (!lint_eq(canon, key))
            s->user_id = key;
        json_decref(hold->groups);
        hold->groups = lint_groups_of(c, key);
        json_decref(hold->roles);
        hold->roles = lint_roles_of(c, key, true);
    } else if (kind && key && strcmp(kind, "group") == 0) {
        const json_t *g = lint_group(c, key);
        json_decref(hold->groups);
        hold->groups = lint_groups_of(c, key);
        if (g)
            add_group_keys(hold->groups, g);
        else
            json_array_append_new(hold->groups, json_string(key));
        json_decref(hold->roles);
        hold->roles = lint_roles_of(c, key, true);
    } else if (kind && key && strcmp(kind, "role") == 0) {
        json_array_append_new(hold->roles, json_string(key));
    } else if (kind && strcmp(kind, "guests") == 0) {
        s->guest_type = "b2bCollaborationGuest";
    }
    hold->member_of = str_vec(hold->groups);
    hold->role_list = str_vec(hold->roles);
    s->member_of = hold->member_of;
    s->roles = hold->role_list;
}

void lint_probe_fini(struct lint_probe *hold)
{
    free(hold->member_of);
    free(hold->role_list);
    json_decref(hold->groups);
    json_decref(hold->roles);
    memset(hold, 0, sizeof(*hold));
}

int lint_eval(struct lint_ctx *c, const struct whatif_inputs *wi, const struct whatif_signin *s,
              struct whatif_result *r)
{
    char err[256];
    if (whatif_evaluate(wi, s, r, err, sizeof(err)) == 0)
        return 0;
    if (!c->failed)
        diag_error(c->diag, DIAG_LOC_NONE, "check: the evaluator refused a sign-in: %s", err);
    c->failed = true;
    return -1;
}

static bool mfa_like(const char *t)
{
    return t && (strcmp(t, "mfa") == 0 || strncmp(t, "authenticationStrength:", 23) == 0);
}

/* Every alternative of "a|b" is MFA. */
static bool entry_mfa(const char *e)
{
    const char *p = e;
    while (p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char buf[200];
        if (n >= sizeof(buf))
            return false;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (!mfa_like(buf))
            return false;
        p = bar ? bar + 1 : NULL;
    }
    return true;
}

bool lint_result_requires_mfa(const struct whatif_result *r)
{
    if (r->grant != WHATIF_GRANT || r->ncontrols == 0)
        return false;
    if (r->op == WHATIF_OR) {
        for (size_t i = 0; i < r->ncontrols; i++)
            if (!entry_mfa(r->controls[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < r->ncontrols; i++)
        if (entry_mfa(r->controls[i]))
            return true;
    return false;
}

char *lint_applied_names(const struct whatif_result *r, enum whatif_state state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < r->n; i++) {
        if (!r->policies[i].applies || r->policies[i].state != state)
            continue;
        strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", r->policies[i].name);
    }
    if (!sb.len)
        strbuf_adds(&sb, "(none)");
    return strbuf_detach(&sb);
}

/* ---------------------------------------------------------------------------------------- */
/* From a model                                                                             */

static json_t *at_of(const struct diag_ctx *diag, struct loc l)
{
    if (!diag || !diag_loc_valid(l))
        return json_null();
    unsigned line, col;
    diag_line_col(diag, l.file, l.start, &line, &col);
    return json_sprintf("%s:%u:%u", diag_source(diag, l.file)->path, line, col);
}

/* The consent settings (lint_consent.c): the user consent policies of an authorizationPolicy
 * and an adminConsentRequestPolicy, either may be NULL; takes `at`. */
static void consent_from(struct lint_input *in, const json_t *authz, const json_t *admin,
                         json_t *at)
{
    const json_t *pol = json_object_get(json_object_get(authz, "defaultUserRolePermissions"),
                                        "permissionGrantPoliciesAssigned");
    if (json_is_array(pol)) {
        json_decref(in->user_consent);
        in->user_consent = json_pack("{s:O,s:O}", "policies", pol, "at", at);
    }
    if (json_is_object(admin)) {
        json_decref(in->admin_consent);
        in->admin_consent = json_deep_copy(admin);
        json_object_set(in->admin_consent, "at", at);
    }
    json_decref(at);
}

static json_t *keys_of(const json_t *refs)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(refs, i, v)
    {
        if (lint_key(v))
            json_array_append_new(out, json_string(lint_key(v)));
    }
    return out;
}

static json_t *body_named(const struct model_object *o)
{
    json_t *b = json_copy(o->body);
    if (!json_object_get(b, "displayName") && o->name)
        json_object_set_new(b, "displayName", json_string(o->name));
    if (o->pinned_id && !json_object_get(b, "id"))
        json_object_set_new(b, "id", json_string(o->pinned_id));
    return b;
}

static void setting_from(json_t **slot, const json_t *values, json_t *at)
{
    json_t *o = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(values, i, v)
    {
        const char *name = lint_jstr(v, "name");
        const json_t *val = json_object_get(v, "value");
        const char *s = json_is_string(val) ? json_string_value(val) : lint_key(val);
        if (name && s)
            json_object_set_new(o, name, json_string(s));
    }
    json_object_set_new(o, "@at", at);
    json_decref(*slot);
    *slot = o;
}

static void declarations_from_model(struct lint_input *in, const struct model *m,
                                    const struct diag_ctx *diag)
{
    size_t i;
    json_t *e;
    json_array_foreach(m->emergency_access, i, e)
    {
        const json_t *ref = json_object_get(e, "ref");
        if (!lint_key(ref))
            continue;
        const char *at = lint_jstr(ref, "at") ? lint_jstr(ref, "at") : lint_jstr(e, "at");
        json_array_append_new(in->emergency,
                              json_pack("{s:s, s:s?}", "user", lint_key(ref), "at", at));
    }
    for (size_t k = 0; k < m->n; k++) {
        const struct model_object *o = &m->objects[k];
        if (o->kind == MODEL_ASSERTION && lint_eq(lint_jstr(o->body, "assert"), "directorySync")) {
            json_t *a = json_copy(o->body);
            json_object_set_new(a, "at", at_of(diag, o->loc));
            json_decref(in->directory_sync);
            in->directory_sync = a;
        }
    }
}

void lint_input_from_model(struct lint_input *in, const struct model *m,
                           const struct diag_ctx *diag)
{
    declarations_from_model(in, m, diag);
    for (size_t k = 0; k < m->n; k++) {
        const struct model_object *o = &m->objects[k];
        switch (o->kind) {
        case MODEL_CA_POLICY:
            json_array_append_new(in->policies,
                                  json_pack("{s:s?, s:o, s:o}", "name", o->name, "at",
                                            at_of(diag, o->loc), "body", body_named(o)));
            break;
        case MODEL_NAMED_LOCATION:
            json_array_append_new(in->locations, body_named(o));
            break;
        case MODEL_AUTH_STRENGTH:
            json_array_append_new(in->strengths, body_named(o));
            break;
        case MODEL_GROUP: {
            json_t *g = json_pack("{s:s?, s:s?, s:o, s:O}", "name", o->name, "id", o->pinned_id,
                                  "at", at_of(diag, o->loc), "body", o->body);
            /* Dynamic groups' members come from their rule; assigned groups list theirs. */
            if (!json_object_get(o->body, "membershipRule"))
                json_object_set_new(g, "members", keys_of(json_object_get(o->extra, "members")));
            json_object_set_new(g, "owners", keys_of(json_object_get(o->extra, "owners")));
            json_object_set_new(g, "licenses", json_copy(json_object_get(o->extra, "licenses")));
            if (!json_is_array(json_object_get(g, "licenses")))
                json_object_set_new(g, "licenses", json_array());
            json_array_append_new(in->groups, g);
            break;
        }
        case MODEL_ROLE_ASSIGNMENT:
        case MODEL_ROLE_ELIGIBILITY: {
            const json_t *pr = json_object_get(o->body, "principalId");
            json_array_append_new(
                in->roles, json_pack("{s:s?, s:s?, s:s?, s:b, s:o}", "role",
                                     lint_jstr(o->body, "roleDefinitionId"), "principal",
                                     lint_key(pr), "kind", lint_jstr(pr, "$ref"), "eligible",
                                     o->kind == MODEL_ROLE_ELIGIBILITY, "at", at_of(diag, o->loc)));
            break;
        }
        case MODEL_ACCESS_REVIEW:
            json_array_append_new(in->access_reviews,
                                  json_pack("{s:s,s:o,s:O}", "name", o->name, "at",
                                            at_of(diag, o->loc), "body", o->body));
            break;
        case MODEL_ROLE_POLICY:
            if (lint_eq(lint_jstr(o->extra, "roleDefinitionId"), LINT_GLOBAL_ADMIN)) {
                json_decref(in->ga_pim);
                in->ga_pim = json_pack("{s:O,s:o}", "rules", json_object_get(o->body, "rules"),
                                       "at", at_of(diag, o->loc));
            }
            break;
        case MODEL_AUTHORIZATION_POLICY:
        case MODEL_ADMIN_CONSENT:
            consent_from(in, o->kind == MODEL_ADMIN_CONSENT ? NULL : o->body,
                         o->kind == MODEL_ADMIN_CONSENT ? o->body : NULL, at_of(diag, o->loc));
            break;
        case MODEL_GROUP_SETTING:
            if (lint_eq(lint_jstr(o->body, "templateId"), LINT_GROUP_UNIFIED_TEMPLATE))
                setting_from(&in->group_unified, json_object_get(o->body, "values"),
                             at_of(diag, o->loc));
            else if (lint_eq(lint_jstr(o->body, "templateId"), LINT_PASSWORD_RULES_TEMPLATE))
                setting_from(&in->password_rules, json_object_get(o->body, "values"),
                             at_of(diag, o->loc));
            break;
        default:
            break;
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* From a tenant                                                                            */

static void known_add(json_t *known, const char *kind, const char *key)
{
    if (!key)
        return;
    json_t *set = json_object_get(known, kind);
    if (!set) {
        set = json_object();
        json_object_set_new(known, kind, set);
    }
    char *k = lower(key);
    json_object_set_new(set, k, json_true());
    free(k);
}

static int read_list(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    *out = NULL;
    if (backend_read_list(b, path, out, err) != 0)
        return -1;
    if (!json_is_array(*out)) {
        json_decref(*out);
        *out = json_array();
    }
    return 0;
}

/* Member or owner ids of a group, NULL when the tenant file did not read them. */
static json_t *read_links(struct backend *b, const char *id, const char *what)
{
    char path[256];
    snprintf(path, sizeof(path), "groups/%s/%s", id, what);
    json_t *list = NULL;
    struct backend_error e;
    if (backend_read(b, path, &list, &e) != 0 || !json_is_array(list)) {
        json_decref(list);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (lint_jstr(v, "id"))
            json_array_append_new(out, json_string(lint_jstr(v, "id")));
    }
    json_decref(list);
    return out;
}

static void tenant_groups(struct lint_input *in, struct backend *b, const json_t *groups)
{
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *id = lint_jstr(g, "id");
        const char *name = lint_jstr(g, "displayName");
        if (!id)
            continue;
        alias(in->aliases, id, name ? name : id);
        alias(in->aliases, name, name);
        known_add(in->known, "group", id);
        json_t *o = json_pack("{s:s?, s:s, s:n, s:O}", "name", name, "id", id, "at", "body", g);
        json_t *members = read_links(b, id, "members");
        if (members) /* Graph lists dynamic groups' computed members too */
            json_object_set_new(o, "members", members);
        json_t *owners = read_links(b, id, "owners");
        json_object_set_new(o, "owners", owners ? owners : json_array());
        json_t *lic = json_array();
        size_t k;
        json_t *l;
        json_array_foreach(json_object_get(g, "assignedLicenses"), k, l)
        {
            if (lint_jstr(l, "skuId"))
                json_array_append_new(lic, json_string(lint_jstr(l, "skuId")));
        }
        json_object_set_new(o, "licenses", lic);
        json_array_append_new(in->groups, o);
    }
}

static void tenant_roles(struct lint_input *in, const json_t *list, bool eligible)
{
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
    {
        if (lint_jstr(r, "directoryScopeId") && strcmp(lint_jstr(r, "directoryScopeId"), "/"))
            continue; /* scoped to an administrative unit or an app: not tenant-wide */
        json_array_append_new(in->roles,
                              json_pack("{s:s?, s:s?, s:b, s:n}", "role",
                                        lint_jstr(r, "roleDefinitionId"), "principal",
                                        lint_jstr(r, "principalId"), "eligible", eligible, "at"));
    }
}

/* The objects of `list` whose onPremisesProvisioningErrors is not empty, named by `name_key`. */
static void sync_errors_of(json_t *out, const json_t *list, const char *name_key)
{
    size_t i;
    json_t *v;
    json_array_foreach(lint_mut(list), i, v)
    {
        const json_t *errs = json_object_get(v, "onPremisesProvisioningErrors");
        if (json_array_size(errs) == 0)
            continue;
        const char *name = lint_jstr(v, name_key) ? lint_jstr(v, name_key) : lint_jstr(v, "id");
        json_array_append_new(out, json_pack("{s:s?,s:O}", "name", name, "errors", errs));
    }
}

int lint_input_from_backend(struct lint_input *in, struct backend *b, const struct model *m,
                            const struct diag_ctx *diag, struct backend_error *err)
{
    int rc = -1;
    json_t *policies = NULL, *locs = NULL, *strengths = NULL, *users = NULL, *groups = NULL,
           *assign = NULL, *elig = NULL, *settings = NULL, *orgs = NULL, *sps = NULL,
           *roledefs = NULL;
    in->from_tenant = true;
    in->known = json_object();
    if (read_list(b, "identity/conditionalAccess/policies", &policies, err) != 0 ||
        read_list(b, "identity/conditionalAccess/namedLocations", &locs, err) != 0 ||
        read_list(b, "policies/authenticationStrengthPolicies", &strengths, err) != 0 ||
        read_list(b, "users", &users, err) != 0 || read_list(b, "groups", &groups, err) != 0 ||
        read_list(b, "roleManagement/directory/roleAssignments", &assign, err) != 0 ||
        read_list(b, "roleManagement/directory/roleEligibilitySchedules", &elig, err) != 0 ||
        read_list(b, "roleManagement/directory/roleDefinitions", &roledefs, err) != 0 ||
        read_list(b, "groupSettings", &settings, err) != 0 ||
        read_list(b, "servicePrincipals", &sps, err) != 0 ||
        read_list(b, "organization", &orgs, err) != 0)
        goto out;
    json_t *reviews = NULL;
    if (read_list(b, "identityGovernance/accessReviews/definitions", &reviews, err) != 0)
        goto out;
    size_t ri;
    json_t *rv;
    json_array_foreach(reviews, ri, rv)
    {
        json_array_append_new(
            in->access_reviews,
            json_pack("{s:s?,s:n,s:O}", "name", lint_jstr(rv, "displayName"), "at", "body", rv));
    }
    json_decref(reviews);

    size_t i;
    json_t *v;
    json_array_foreach(policies, i, v)
    {
        json_array_append_new(
            in->policies,
            json_pack("{s:s?, s:n, s:O}", "name", lint_jstr(v, "displayName"), "at", "body", v));
    }
    json_array_extend(in->locations, locs);
    json_array_extend(in->strengths, strengths);
    json_array_foreach(locs, i, v) known_add(in->known, "namedLocation", lint_jstr(v, "id"));
    json_array_foreach(strengths, i, v)
        known_add(in->known, "authenticationStrengthPolicy", lint_jstr(v, "id"));
    json_array_foreach(users, i, v)
    {
        const char *id = lint_jstr(v, "id"), *upn = lint_jstr(v, "userPrincipalName");
        alias(in->aliases, id, upn ? upn : id);
        alias(in->aliases, upn, upn);
        known_add(in->known, "user", id);
    }
    json_array_foreach(sps, i, v)
    {
        known_add(in->known, "servicePrincipal", lint_jstr(v, "id"));
        known_add(in->known, "application", lint_jstr(v, "appId"));
    }
    json_array_foreach(roledefs, i, v)
    {
        known_add(in->known, "role", lint_jstr(v, "id"));
        known_add(in->known, "role", lint_jstr(v, "templateId"));
    }
    tenant_groups(in, b, groups);
    tenant_roles(in, assign, false);
    tenant_roles(in, elig, true);
    json_array_foreach(settings, i, v)
    {
        if (lint_eq(lint_jstr(v, "templateId"), LINT_GROUP_UNIFIED_TEMPLATE) ||
            lint_eq(lint_jstr(v, "displayName"), "Group.Unified"))
            setting_from(&in->group_unified, json_object_get(v, "values"), json_null());
        else if (lint_eq(lint_jstr(v, "templateId"), LINT_PASSWORD_RULES_TEMPLATE) ||
                 lint_eq(lint_jstr(v, "displayName"), "Password Rule Settings"))
            setting_from(&in->password_rules, json_object_get(v, "values"), json_null());
    }
    if (json_array_size(orgs) > 0)
        in->organization = json_incref(json_array_get(orgs, 0));
    /* directory synchronisation health: the objects Entra Connect could not provision
     * (user and group onPremisesProvisioningErrors, Graph v1.0) and the sync features */
    in->sync_errors = json_array();
    sync_errors_of(in->sync_errors, users, "userPrincipalName");
    sync_errors_of(in->sync_errors, groups, "displayName");
    json_t *sync = NULL;
    struct backend_error sync_err;
    if (backend_read(b, TENANT_ONPREM_SYNC, &sync, &sync_err) == 0 &&
        json_is_object(json_object_get(json_array_get(sync, 0), "features")))
        in->sync_features = json_incref(json_object_get(json_array_get(sync, 0), "features"));
    json_decref(sync);
    json_t *authz = NULL, *admin = NULL;
    if (backend_read(b, "policies/authorizationPolicy", &authz, err) != 0 ||
        backend_read(b, "policies/adminConsentRequestPolicy", &admin, err) != 0) {
        json_decref(authz);
        goto out;
    }
    consent_from(in, authz, admin, json_null());
    json_decref(authz);
    json_decref(admin);
    /* Global Administrator's PIM settings, as the tenant has them */
    json_t *pim = NULL, *pim_assign = NULL;
    if (read_list(b, TENANT_PIM_POLICIES, &pim, err) != 0 ||
        read_list(b, TENANT_PIM_ASSIGNMENTS, &pim_assign, err) != 0) {
        json_decref(pim);
        json_decref(pim_assign);
        goto out;
    }
    json_array_foreach(pim_assign, i, v)
    {
        if (!lint_eq(lint_jstr(v, "roleDefinitionId"), LINT_GLOBAL_ADMIN))
            continue;
        size_t j;
        json_t *p;
        json_array_foreach(pim, j, p)
        {
            if (lint_eq(lint_jstr(p, "id"), lint_jstr(v, "policyId")) && !in->ga_pim)
                in->ga_pim = json_pack("{s:O,s:n}", "rules", json_object_get(p, "rules"), "at");
        }
    }
    json_decref(pim);
    json_decref(pim_assign);
    if (m)
        declarations_from_model(in, m, diag);
    rc = 0;
out:
    json_decref(policies);
    json_decref(locs);
    json_decref(strengths);
    json_decref(users);
    json_decref(groups);
    json_decref(assign);
    json_decref(elig);
    json_decref(roledefs);
    json_decref(settings);
    json_decref(sps);
    json_decref(orgs);
    return rc;
}
