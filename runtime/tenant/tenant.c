/* tenant.c — see tenant.h. */
#include "runtime/tenant/tenant.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/catalog.h"
#include "compiler/util.h"
#include "runtime/tenant/tenant_map.h"

static const struct {
    const char *word;
    const char *path;
} kinds[TK__COUNT] = {
    [TK_USER] = {"user", "users"},
    [TK_GROUP] = {"group", "groups"},
    [TK_LOCATION] = {"location", "identity/conditionalAccess/namedLocations"},
    [TK_STRENGTH] = {"strength", "policies/authenticationStrengthPolicies"},
    [TK_POLICY] = {"policy", "identity/conditionalAccess/policies"},
    [TK_SP] = {"service_principal", "servicePrincipals"},
    [TK_AGREEMENT] = {"terms", "identityGovernance/termsOfUse/agreements"},
    [TK_ROLE] = {"role", "roleManagement/directory/roleDefinitions"},
};

const char *tenant_kind_word(enum tenant_kind k)
{
    return kinds[k].word;
}

const char *tenant_kind_path(enum tenant_kind k)
{
    return kinds[k].path;
}

static void index_init(struct tenant_index *x, bool names_nocase)
{
    memset(x, 0, sizeof(*x));
    tenant_map_init(&x->by_id, TENANT_MAP_ID, true);
    tenant_map_init(&x->by_name, TENANT_MAP_NAME, names_nocase);
    tenant_map_init(&x->by_lname, TENANT_MAP_NAME, true);
    tenant_map_init(&x->by_alt, TENANT_MAP_ALT, true);
    x->strings = arena_new();
    strmap_init_borrowed(&x->displays, false); /* the ids in strings */
}

static void index_fini(struct tenant_index *x)
{
    for (size_t i = 0; i < x->n; i++) {
        json_decref(x->v[i].body);
    }
    free(x->v);
    free(x->held);
    for (size_t i = 0; i < x->ndisplay; i++)
        free(x->display[i]);
    free(x->display);
    strmap_fini(&x->displays);
    if (x->strings)
        arena_free(x->strings);
    tenant_map_fini(&x->by_id);
    tenant_map_fini(&x->by_name);
    tenant_map_fini(&x->by_lname);
    tenant_map_fini(&x->by_alt);
}

static void chain(struct tenant_index *x, struct tenant_map *m, size_t i, bool lname)
{
    size_t first = tenant_map_put_first(m, x->v, i);
    if (first == i)
        return;
    size_t j = first;
    for (;;) {
        uint32_t *next = lname ? &x->v[j].next_lname : &x->v[j].next_name;
        if (*next == TENANT_CHAIN_END) {
            *next = (uint32_t)i; /* tenant_map_put_first: fewer than UINT32_MAX objects */
            return;
        }
        j = *next;
    }
}

static void index_add(struct tenant_index *x, const char *id, const char *name, const char *alt,
                      json_t *body)
{
    if (!id)
        return;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
    }
    size_t i = x->n++;
    struct tenant_obj *o = &x->v[i];
    o->id = arena_strdup(x->strings, id);
    o->name = name ? arena_strdup(x->strings, name) : NULL;
    o->alt = alt ? arena_strdup(x->strings, alt) : NULL;
    o->body = body ? json_incref(body) : NULL;
    o->next_name = o->next_lname = TENANT_CHAIN_END;
}

/* The index's maps and name chains, made once every object is added (index_add), each map at
 * its final size: as if each object had been indexed as it was added. */
static void index_maps(struct tenant_index *x)
{
    if (x->by_id.n)
        BUG("tenant index: its maps are made once");
    tenant_map_reserve(&x->by_id, x->n);
    tenant_map_reserve(&x->by_name, x->n);
    for (size_t i = 0; i < x->n; i++) {
        const struct tenant_obj *o = &x->v[i];
        tenant_map_put_first(&x->by_id, x->v, i);
        if (o->name)
            chain(x, &x->by_name, i, false);
        if (o->alt)
            tenant_map_put_first(&x->by_alt, x->v, i);
    }
}

/* The map and chains of names ignoring case, made at their first use (most plans match every
 * name exactly and never ask), as index_maps would have made them. User names (UPNs) are
 * case-insensitive already: by_name serves both. */
static void index_lnames(const struct tenant *t, enum tenant_kind k)
{
    /* the tenant is never const itself: its functions that only read take it so */
    struct tenant_index *x = (struct tenant_index *)(uintptr_t)&t->idx[k];
    if (x->lnames_made || x->by_name.nocase)
        return;
    x->lnames_made = true;
    tenant_map_reserve(&x->by_lname, x->n);
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].name)
            chain(x, &x->by_lname, i, true);
}

/* Loaded: the arrays, grown by doubling, are cut to what they hold (the users' by a quarter at
 * 50,000), so that what they no longer need serves the rest of the plan. */
static void index_fit(struct tenant_index *x)
{
    if (x->n == 0)
        return;
    if (x->cap > x->n) {
        x->v = xrealloc(x->v, x->n * sizeof(*x->v));
        x->cap = x->n;
    }
    if (x->held && x->hcap > x->n) {
        x->held = xrealloc(x->held, x->n * sizeof(*x->held));
        x->hcap = x->n;
    }
}

struct scan_ctx {
    struct tenant_index *x;
    const char *name_key;
    const char *alt_key;
};

static bool scan_item(const json_t *item, void *p)
{
    struct scan_ctx *c = p;
    index_add(c->x, json_string_value(json_object_get(item, "id")),
              json_string_value(json_object_get(item, c->name_key)),
              c->alt_key ? json_string_value(json_object_get(item, c->alt_key)) : NULL, NULL);
    return true;
}

static int scan_kind(struct tenant *t, enum tenant_kind k, const char *name_key,
                     const char *alt_key, struct backend_error *err)
{
    const char *fields[3] = {"id", name_key, alt_key};
    struct scan_ctx c = {&t->idx[k], name_key, alt_key};
    return backend_scan(t->b, kinds[k].path, fields, alt_key ? 3 : 2, scan_item, &c, err);
}

static int read_kind(struct tenant *t, enum tenant_kind k, const char *name_key,
                     const char *alt_key, bool keep_body, struct backend_error *err)
{
    json_t *list = NULL;
    if (backend_read_list(t->b, kinds[k].path, &list, err) != 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        index_add(&t->idx[k], json_string_value(json_object_get(v, "id")),
                  json_string_value(json_object_get(v, name_key)),
                  alt_key ? json_string_value(json_object_get(v, alt_key)) : NULL,
                  keep_body ? v : NULL);
    }
    json_decref(list);
    return 0;
}

const json_t *tenant_member(const json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return NULL;
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        /* keys equal ignoring case are as long (a decoded key holds no NUL byte: jansson
         * refuses one): the length, at hand, spares most comparisons */
        size_t len = strlen(key);
        json_t *o = (json_t *)(uintptr_t)obj;
        for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
            if (json_object_iter_key_len(it) == len &&
                util_streq_nocase(json_object_iter_key(it), key)) {
                v = json_object_iter_value(it);
                break;
            }
        }
    }
    return json_is_null(v) ? NULL : v;
}

/* A held object's "@odata.type" in the index's arena: the few a collection has, held once. */
static const char *held_type(struct tenant_index *x, const char *type)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < x->ntypes; i++)
        if (strcmp(x->types[i], type) == 0)
            return x->types[i];
    const char *s = arena_strdup(x->strings, type);
    if (x->ntypes < IDPC_ARRAY_LEN(x->types))
        x->types[x->ntypes++] = s;
    return s;
}

/* What tenant_held's `stub` says of a named location (tenant.h). The item holds at least the
 * members read_frozen selects, "countriesAndRegions" among them (backend_scan_text). */
static unsigned char held_stub(const json_t *item)
{
    static const char *const members[] = {"id", "displayName", "isTrusted",
                                          "includeUnknownCountriesAndRegions",
                                          "countriesAndRegions"};
    static const unsigned char bits[] = {0, TENANT_STUB_NAME, TENANT_STUB_TRUSTED,
                                         TENANT_STUB_UNKNOWN, 0};
    unsigned char stub = TENANT_STUB_PLAIN;
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(item), k, v)
    {
        for (size_t m = 0; m < IDPC_ARRAY_LEN(members); m++) {
            /* the first letters first: most members are none of these */
            if ((k[0] | 0x20) != members[m][0] || !util_streq_nocase(k, members[m]))
                continue;
            if (strcmp(k, members[m]) != 0 || m == IDPC_ARRAY_LEN(members) - 1)
                return 0; /* named so ignoring case only, or "countriesAndRegions" */
            bool ok =
                m < 2 ? json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)
                      : json_is_boolean(v);
            if (!ok)
                return 0;
            stub |= bits[m];
        }
    }
    return stub;
}

/* One named location, read whole (backend_scan_text): indexed by id and name, where the backend
 * reads it again (or, from a backend that cannot, its compact text in the index's arena) kept
 * instead of a tree. */
static bool frozen_item(const json_t *item, const char *text, size_t len,
                        const struct backend_at *at, const char *derived, void *p)
{
    struct tenant_index *x = p;
    size_t n = x->n;
    index_add(x, json_string_value(json_object_get(item, "id")),
              json_string_value(json_object_get(item, "displayName")), NULL, NULL);
    if (x->n == n)
        return true; /* no id: not an object a plan can name */
    if (x->hcap < x->cap) {
        x->hcap = x->cap;
        x->held = xrealloc(x->held, x->hcap * sizeof(*x->held));
    }
    struct tenant_held *h = &x->held[n];
    if (at) {
        h->text = NULL;
        h->at = *at;
    } else {
        h->text = arena_strndup(x->strings, text, len);
        h->at = (struct backend_at){0, (uint32_t)len, 0};
    }
    h->type = held_type(x, json_string_value(json_object_get(item, "@odata.type")));
    h->derived = derived ? arena_strdup(x->strings, derived) : NULL;
    const char *name = json_string_value(tenant_member(item, "displayName"));
    const char *exact = json_string_value(json_object_get(item, "displayName"));
    h->name = !name                               ? NULL
              : exact && strcmp(exact, name) == 0 ? x->v[n].name
                                                  : arena_strdup(x->strings, name);
    h->trusted = json_is_true(tenant_member(item, "isTrusted"));
    h->unknown = json_is_true(json_object_get(item, "includeUnknownCountriesAndRegions"));
    h->stub = held_stub(item);
    return true;
}

const char *tenant_fault(const struct tenant *t)
{
    return t->fault && t->fault->message[0] ? t->fault->message : NULL;
}

static int read_frozen(struct tenant *t, enum tenant_kind k, struct backend_error *err)
{
    static const char *const fields[] = {"id",
                                         "displayName",
                                         "@odata.type",
                                         "isTrusted",
                                         "includeUnknownCountriesAndRegions",
                                         "countriesAndRegions"};
    return backend_scan_text(t->b, kinds[k].path, fields, IDPC_ARRAY_LEN(fields), frozen_item,
                             &t->idx[k], err);
}

const struct tenant_held *tenant_held_of(const struct tenant *t, enum tenant_kind k, size_t i)
{
    const struct tenant_index *x = &t->idx[k];
    return x->held && i < x->n ? &x->held[i] : NULL;
}

json_t *tenant_body(const struct tenant *t, enum tenant_kind k, size_t i)
{
    if (i >= t->idx[k].n)
        return NULL;
    const struct tenant_obj *o = &t->idx[k].v[i];
    if (o->body)
        return json_incref(o->body);
    const struct tenant_held *h = tenant_held_of(t, k, i);
    if (!h)
        return NULL;
    if (h->text) {
        json_error_t je;
        /* the text is jansson's own writing of a tree it decoded: it decodes again */
        json_t *v = json_loadb(h->text, h->at.len, JSON_ALLOW_NUL, &je);
        if (!v)
            BUG("tenant object %s: its compact text does not decode: %s", o->id, je.text);
        return v;
    }
    struct backend_error err;
    json_t *v = NULL;
    if (backend_read_at(t->b, &h->at, &v, &err) != 0) {
        if (!tenant_fault(t))
            *t->fault = err;
        return NULL;
    }
    /* the same object, or the snapshot is not the one loaded */
    const char *id = json_string_value(json_object_get(v, "id"));
    if (!id || strcmp(id, o->id) != 0) {
        json_decref(v);
        if (!tenant_fault(t))
            backend_error_set(t->fault, 0, NULL,
                              "tenant %s changed while idpc was using it (%s %s is no longer "
                              "where it was read): nothing was done; run the command again",
                              t->b->display, kinds[k].word, o->id);
        return NULL;
    }
    return v;
}

/* The active assignments with their time-bound PIM schedules (tenant_active.c). */
static int read_active(struct tenant *t, struct backend_error *err)
{
    json_t *sched = NULL;
    if (backend_read_list(t->b, TENANT_ACTIVE_SCHEDULES, &sched, err) != 0)
        return -1;
    json_t *merged = tenant_merge_active(t->role_assignments, sched);
    json_decref(sched);
    json_decref(t->role_assignments);
    t->role_assignments = merged;
    return 0;
}

static int read_single(struct tenant *t, const char *path, json_t **out, struct backend_error *err)
{
    if (backend_read(t->b, path, out, err) != 0)
        return -1;
    if (*out && !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
    }
    return 0;
}

int tenant_load(struct tenant *t, struct backend *b, struct backend_error *err)
{
    memset(t, 0, sizeof(*t));
    t->b = b;
    t->fault = xcalloc(1, sizeof(*t->fault));
    for (int k = 0; k < TK__COUNT; k++)
        index_init(&t->idx[k], k == TK_USER);
    json_t *orgs = NULL;
    if (backend_read_list(b, "organization", &orgs, err) != 0)
        return -1;
    t->organization = json_incref(json_array_get(orgs, 0));
    json_decref(orgs);
    if (scan_kind(t, TK_USER, "userPrincipalName", NULL, err) != 0 ||
        scan_kind(t, TK_GROUP, "displayName", NULL, err) != 0 ||
        scan_kind(t, TK_SP, "displayName", "appId", err) != 0 ||
        read_frozen(t, TK_LOCATION, err) != 0 ||
        read_kind(t, TK_STRENGTH, "displayName", NULL, true, err) != 0 ||
        read_kind(t, TK_POLICY, "displayName", NULL, true, err) != 0 ||
        read_kind(t, TK_ROLE, "displayName", "templateId", false, err) != 0)
        return -1;
    json_t *agreements = NULL;
    if (backend_read(b, kinds[TK_AGREEMENT].path, &agreements, err) != 0)
        return -1;
    if (json_is_array(agreements)) {
        t->have_agreements = true;
        size_t i;
        json_t *v;
        json_array_foreach(agreements, i, v)
        {
            index_add(&t->idx[TK_AGREEMENT], json_string_value(json_object_get(v, "id")),
                      json_string_value(json_object_get(v, "displayName")), NULL, NULL);
        }
    }
    json_decref(agreements);
    if (backend_read(b, "identity/conditionalAccess/authenticationContextClassReferences",
                     &t->auth_contexts, err) != 0)
        return -1;
    if (t->auth_contexts && !json_is_array(t->auth_contexts)) {
        json_decref(t->auth_contexts);
        t->auth_contexts = NULL;
    }
    if (backend_read(b, TENANT_ONPREM_SYNC, &t->onprem_sync, err) != 0)
        return -1;
    if (t->onprem_sync && !json_is_array(t->onprem_sync)) {
        json_decref(t->onprem_sync);
        t->onprem_sync = NULL;
    }
    if (backend_read(b, "groupLifecyclePolicies", &t->group_lifecycle, err) != 0)
        return -1;
    if (t->group_lifecycle && !json_is_array(t->group_lifecycle)) {
        json_decref(t->group_lifecycle);
        t->group_lifecycle = NULL;
    }
    if (backend_read_list(b, "roleManagement/directory/roleAssignments", &t->role_assignments,
                          err) != 0 ||
        backend_read_list(b, "roleManagement/directory/roleEligibilitySchedules", &t->eligibilities,
                          err) != 0 ||
        read_active(t, err) != 0 ||
        backend_read_list(b, TENANT_PIM_POLICIES, &t->role_policies, err) != 0 ||
        backend_read_list(b, TENANT_PIM_ASSIGNMENTS, &t->role_policy_assignments, err) != 0 ||
        backend_read_list(b, "groupSettings", &t->group_settings, err) != 0 ||
        backend_read_list(b, "subscribedSkus", &t->skus, err) != 0 ||
        read_single(t, "policies/authenticationMethodsPolicy", &t->methods_policy, err) != 0 ||
        read_single(t, "policies/authorizationPolicy", &t->authorization, err) != 0 ||
        read_single(t, "policies/identitySecurityDefaultsEnforcementPolicy", &t->security_defaults,
                    err) != 0 ||
        read_single(t, "policies/adminConsentRequestPolicy", &t->admin_consent, err) != 0)
        return -1;
    for (int k = 0; k < TK__COUNT; k++) {
        index_fit(&t->idx[k]);
        index_maps(&t->idx[k]);
    }
    return 0;
}

const json_t *tenant_role_policy(const struct tenant *t, const char *role_definition_id)
{
    if (!role_definition_id)
        return NULL;
    size_t i;
    json_t *a;
    json_array_foreach(t->role_policy_assignments, i, a)
    {
        const char *rid = json_string_value(json_object_get(a, "roleDefinitionId"));
        const char *scope = json_string_value(json_object_get(a, "scopeId"));
        const char *pid = json_string_value(json_object_get(a, "policyId"));
        if (!rid || !pid || strcasecmp(rid, role_definition_id) != 0 ||
            (scope && strcmp(scope, "/") != 0))
            continue;
        size_t j;
        json_t *p;
        json_array_foreach(t->role_policies, j, p)
        {
            const char *id = json_string_value(json_object_get(p, "id"));
            if (id && strcasecmp(id, pid) == 0)
                return p;
        }
    }
    return NULL;
}

void tenant_free(struct tenant *t)
{
    for (int k = 0; k < TK__COUNT; k++)
        index_fini(&t->idx[k]);
    json_decref(t->organization);
    json_decref(t->role_assignments);
    json_decref(t->eligibilities);
    json_decref(t->role_policies);
    json_decref(t->role_policy_assignments);
    json_decref(t->group_settings);
    json_decref(t->skus);
    json_decref(t->methods_policy);
    json_decref(t->authorization);
    json_decref(t->security_defaults);
    json_decref(t->admin_consent);
    json_decref(t->auth_contexts);
    json_decref(t->group_lifecycle);
    json_decref(t->onprem_sync);
    free(t->fault);
    memset(t, 0, sizeof(*t));
}

size_t tenant_index_of(const struct tenant *t, enum tenant_kind k, const char *id)
{
    return tenant_map_get(&t->idx[k].by_id, t->idx[k].v, id);
}

struct tenant_obj *tenant_by_id(const struct tenant *t, enum tenant_kind k, const char *id)
{
    size_t i = tenant_index_of(t, k, id);
    return i == TENANT_NONE ? NULL : &t->idx[k].v[i];
}

size_t tenant_first_named(const struct tenant *t, enum tenant_kind k, const char *name)
{
    return tenant_map_get(&t->idx[k].by_name, t->idx[k].v, name);
}

size_t tenant_first_lnamed(const struct tenant *t, enum tenant_kind k, const char *name)
{
    index_lnames(t, k);
    const struct tenant_map *m =
        t->idx[k].by_name.nocase ? &t->idx[k].by_name : &t->idx[k].by_lname;
    return tenant_map_get(m, t->idx[k].v, name);
}

void tenant_set_display(struct tenant *t, enum tenant_kind k, const char *id, const char *name)
{
    tenant_set_display_at(t, k, tenant_index_of(t, k, id), name);
}

void tenant_set_display_at(struct tenant *t, enum tenant_kind k, size_t i, const char *name)
{
    if (i >= t->idx[k].n)
        return;
    struct tenant_index *x = &t->idx[k];
    struct tenant_obj *o = &x->v[i];
    char *display = o->name && strcmp(o->name, name) == 0 ? NULL : xstrdup(name);
    size_t j;
    if (x->ndisplay && strmap_get(&x->displays, o->id, &j)) {
        free(x->display[j]);
        x->display[j] = display;
    } else if (display) {
        x->display = xrealloc(x->display, (x->ndisplay + 1) * sizeof(*x->display));
        x->display[x->ndisplay] = display;
        strmap_put(&x->displays, o->id, x->ndisplay++);
    }
}

size_t tenant_next_named(const struct tenant *t, enum tenant_kind k, size_t i, bool nocase)
{
    if (nocase)
        index_lnames(t, k);
    const struct tenant_obj *o = &t->idx[k].v[i];
    /* users' names are case-insensitive already: one chain */
    uint32_t next = nocase && !t->idx[k].by_name.nocase ? o->next_lname : o->next_name;
    return next == TENANT_CHAIN_END ? TENANT_NONE : next;
}

size_t tenant_count_named(const struct tenant *t, enum tenant_kind k, size_t first, bool nocase)
{
    size_t n = 0;
    for (size_t i = first; i != TENANT_NONE; i = tenant_next_named(t, k, i, nocase))
        n++;
    return n;
}

struct tenant_obj *tenant_by_alt(const struct tenant *t, enum tenant_kind k, const char *alt)
{
    size_t i = tenant_map_get(&t->idx[k].by_alt, t->idx[k].v, alt);
    return i == TENANT_NONE ? NULL : &t->idx[k].v[i];
}

json_t *tenant_group_body(struct tenant *t, const char *id)
{
    char *p = xasprintf("groups/%s", id);
    json_t *v = NULL;
    struct backend_error err;
    if (backend_read(t->b, p, &v, &err) != 0)
        v = NULL;
    free(p);
    return v;
}

json_t *tenant_user_body(struct tenant *t, const char *id)
{
    char *p = xasprintf("users/%s", id);
    json_t *v = NULL;
    struct backend_error err;
    if (backend_read(t->b, p, &v, &err) != 0)
        v = NULL;
    free(p);
    return v;
}

json_t *tenant_user_account(struct tenant *t, const char *id)
{
    char *p = xasprintf("users/%s?$select=" TENANT_USER_SELECT, id);
    json_t *v = NULL;
    struct backend_error err;
    if (backend_read(t->b, p, &v, &err) != 0)
        v = NULL;
    free(p);
    return v;
}

json_t *tenant_group_rel(struct tenant *t, const char *id, const char *rel)
{
    char *p = xasprintf("groups/%s/%s", id, rel);
    json_t *list = NULL;
    struct backend_error err;
    if (backend_read_list(t->b, p, &list, &err) != 0)
        list = json_array();
    free(p);
    json_t *ids = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *mid = json_string_value(json_object_get(v, "id"));
        if (mid)
            json_array_append_new(ids, json_string(mid));
    }
    json_decref(list);
    return ids;
}

const char *tenant_display_name(const struct tenant *t, enum tenant_kind k,
                                const struct tenant_obj *o)
{
    const struct tenant_index *x = &t->idx[k];
    size_t j;
    if (strmap_get(&x->displays, o->id, &j) && x->display[j])
        return x->display[j];
    return o->name;
}

static char *quoted(const char *word, const char *name)
{
    json_t *s = json_string(name);
    char *q = json_dumps(s, JSON_ENCODE_ANY);
    char *r = xasprintf("%s %s", word, q);
    free(q);
    json_decref(s);
    return r;
}

char *tenant_describe_id(const struct tenant *t, const char *id, int hint)
{
    if (!id)
        return NULL;
    static const enum tenant_kind order[] = {TK_GROUP, TK_USER,      TK_LOCATION, TK_STRENGTH,
                                             TK_SP,    TK_AGREEMENT, TK_POLICY};
    if (hint == TK_ROLE || hint < 0) {
        const struct catalog_role *r = catalog_role_by_id(id);
        if (r)
            return quoted("role", r->name);
        struct tenant_obj *o = t ? tenant_by_alt(t, TK_ROLE, id) : NULL;
        if (!o && t)
            o = tenant_by_id(t, TK_ROLE, id);
        if (o && o->name)
            return quoted("role", o->name);
    }
    if (hint == TK_SP || hint < 0) {
        /* application ids (in includeApplications) first: catalog, then the tenant's apps */
        const struct catalog_app *a = catalog_app_by_id(id);
        if (a)
            return quoted("app", a->name);
        struct tenant_obj *o = t ? tenant_by_alt(t, TK_SP, id) : NULL;
        if (o && o->name)
            return quoted("app", o->name);
    }
    if (!t)
        return NULL;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(order); i++) {
        if (hint >= 0 && (int)order[i] != hint)
            continue;
        struct tenant_obj *o = tenant_by_id(t, order[i], id);
        const char *name = o ? tenant_display_name(t, order[i], o) : NULL;
        if (name)
            return quoted(kinds[order[i]].word, name);
    }
    return NULL;
}

/* jansson writes the canonical text in small pieces (a key, a quote, a comma): they are gathered
 * here and hashed a block at a time. */
struct sha_feed {
    EVP_MD_CTX *ctx;
    size_t n;
    unsigned char buf[8192];
};

static int sha_chunk(const char *buf, size_t size, void *p)
{
    struct sha_feed *f = p;
    if (f->n + size > sizeof(f->buf)) {
        if (f->n && EVP_DigestUpdate(f->ctx, f->buf, f->n) != 1)
            return -1;
        f->n = 0;
        if (size > sizeof(f->buf))
            return EVP_DigestUpdate(f->ctx, buf, size) == 1 ? 0 : -1;
    }
    memcpy(f->buf + f->n, buf, size);
    f->n += size;
    return 0;
}

/* One context serves every call (a plan takes one fingerprint per object it reads). */
static EVP_MD_CTX *sha_ctx;
static EVP_MD *sha_md;

static void sha_init(void)
{
    if (!sha_ctx) {
        sha_ctx = EVP_MD_CTX_new();
        sha_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    }
    if (!sha_ctx || !sha_md || EVP_DigestInit_ex(sha_ctx, sha_md, NULL) != 1)
        BUG("SHA-256 unavailable");
}

static char *sha_hex(void)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(sha_ctx, md, &n) != 1)
        BUG("SHA-256 failed");
    static const char hexd[] = "0123456789abcdef";
    char *hex = xmalloc(2 * n + 1);
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = hexd[md[i] >> 4];
        hex[2 * i + 1] = hexd[md[i] & 15];
    }
    hex[2 * n] = '\0';
    return hex;
}

static char *sha256_of_dump(const json_t *v, size_t flags)
{
    /* The canonical text is hashed as jansson writes it, never held whole. */
    static struct sha_feed feed;
    sha_init();
    feed.ctx = sha_ctx;
    feed.n = 0;
    if (v && (json_dump_callback(v, sha_chunk, &feed, flags) != 0 ||
              (feed.n && EVP_DigestUpdate(sha_ctx, feed.buf, feed.n) != 1)))
        (void)EVP_DigestInit_ex(sha_ctx, sha_md, NULL); /* as of an empty text */
    return sha_hex();
}

char *tenant_sha256_text(const char *text, size_t len)
{
    sha_init();
    if (len && EVP_DigestUpdate(sha_ctx, text, len) != 1)
        BUG("SHA-256 failed");
    return sha_hex();
}

char *tenant_sha256(const json_t *v)
{
    return sha256_of_dump(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

char *tenant_sha256_ordered(const json_t *v)
{
    return sha256_of_dump(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

json_t *tenant_snapshot_empty(const char *tenant_id, const char *domain, const char **why)
{
    if (!tenant_id || !catalog_is_guid(tenant_id)) {
        *why = "--tenant-id needs the tenant's id, a GUID (Entra admin center, Overview)";
        return NULL;
    }
    static const char host_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-.";
    size_t n = domain ? strlen(domain) : 0;
    if (n == 0 || strspn(domain, host_chars) != n || !strchr(domain, '.') || domain[0] == '.' ||
        domain[n - 1] == '.' || strstr(domain, "..")) {
        *why = "--domain needs the tenant's domain name, such as contoso.onmicrosoft.com";
        return NULL;
    }
    /* organization: what Graph returns for GET /organization, reduced to what idpc reads. */
    json_t *org =
        json_pack("{s:s, s:s, s:[{s:s, s:b, s:b, s:s}], s:n, s:n}", "id", tenant_id, "displayName",
                  domain, "verifiedDomains", "name", domain, "isDefault", 1, "isInitial", 1, "type",
                  "Managed", "onPremisesSyncEnabled", "onPremisesLastSyncDateTime");
    json_t *colls = json_object();
    json_object_set_new(colls, "organization", json_pack("[o]", org));
    static const char *const empty[] = {
        "users",
        "groups",
        "servicePrincipals",
        "roleManagement/directory/roleDefinitions",
        "roleManagement/directory/roleAssignments",
        "identity/conditionalAccess/policies",
        "identity/conditionalAccess/namedLocations",
        "policies/authenticationStrengthPolicies",
    };
    for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
        json_object_set_new(colls, empty[i], json_array());
    return json_pack("{s:s, s:s, s:o}", "format", "idpc-tenant/1", "tenantId", tenant_id,
                     "collections", colls);
}
