/* jsondiff.c — see jsondiff.h; PATCH body rules in docs/normalization.md. */
#include "runtime/plan/jsondiff.h"
#include "runtime/plan/plan_consent.h"

#include "compiler/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void jsondiff_init(struct jsondiff *d)
{
    d->v = NULL;
    d->n = 0;
    d->cap = 0;
}

void jsondiff_fini(struct jsondiff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct jsondiff_change *c = &d->v[i];
        free(c->path);
        json_decref(c->old_value);
        json_decref(c->new_value);
        json_decref(c->added);
        json_decref(c->removed);
    }
    free(d->v);
    jsondiff_init(d);
}

const char *jsondiff_op_name(enum jsondiff_op op)
{
    switch (op) {
    case JSONDIFF_ADD:
        return "add";
    case JSONDIFF_REMOVE:
        return "remove";
    case JSONDIFF_CHANGE:
        return "change";
    }
    BUG("bad jsondiff op %d", (int)op);
}

/* Elements of a (an array or NULL) that b (an array or NULL) lacks; always an array. */
static json_t *array_minus(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(a, i, x)
    {
        bool found = false;
        json_array_foreach(b, j, y)
        {
            if (json_equal(x, y)) {
                found = true;
                break;
            }
        }
        if (!found)
            json_array_append(out, x);
    }
    return out;
}

static void add_change(struct jsondiff *d, const char *path, const json_t *o, const json_t *n)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    struct jsondiff_change *c = &d->v[d->n++];
    memset(c, 0, sizeof(*c));
    c->path = xstrdup(path);
    c->op = !o ? JSONDIFF_ADD : !n ? JSONDIFF_REMOVE : JSONDIFF_CHANGE;
    c->old_value = o ? json_deep_copy(o) : NULL;
    c->new_value = n ? json_deep_copy(n) : NULL;
    if (json_is_array(o) || json_is_array(n)) {
        const json_t *oa = json_is_array(o) ? o : NULL, *na = json_is_array(n) ? n : NULL;
        c->added = array_minus(na, oa);
        c->removed = array_minus(oa, na);
    }
}

static void path_push(struct strbuf *sb, const char *key)
{
    if (sb->len)
        strbuf_addc(sb, '.');
    for (const char *p = key; *p; p++) {
        if (*p == '.' || *p == '\\')
            strbuf_addc(sb, '\\');
        strbuf_addc(sb, *p);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void diff_value(struct jsondiff *d, struct strbuf *path, const json_t *o, const json_t *n,
                       bool partial);

/* Sorted union of the keys (only new's keys when partial). */
static void diff_object(struct jsondiff *d, struct strbuf *path, const json_t *o, const json_t *n,
                        bool partial)
{
    size_t cap = json_object_size(o) + json_object_size(n), cnt = 0;
    const char **keys = xcalloc(cap ? cap : 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(n), k, v)
    {
        keys[cnt++] = k;
    }
    if (!partial) {
        json_object_foreach(util_json_mut(o), k, v)
        {
            if (!json_object_get(n, k))
                keys[cnt++] = k;
        }
    }
    qsort(keys, cnt, sizeof(*keys), cmp_str);
    for (size_t i = 0; i < cnt; i++) {
        size_t saved = path->len;
        path_push(path, keys[i]);
        diff_value(d, path, json_object_get(o, keys[i]), json_object_get(n, keys[i]), partial);
        path->len = saved;
        if (path->buf)
            path->buf[saved] = '\0';
    }
    free(keys);
}

static void diff_value(struct jsondiff *d, struct strbuf *path, const json_t *o, const json_t *n,
                       bool partial)
{
    if (json_is_null(o))
        o = NULL;
    if (json_is_null(n))
        n = NULL;
    if (!o && !n)
        return;
    bool oo = !o || json_is_object(o), no = !n || json_is_object(n);
    if (oo && no) {
        diff_object(d, path, o, n, partial);
        return;
    }
    if (o && n && json_equal(o, n))
        return;
    add_change(d, strbuf_str(path), o, n);
}

static size_t compute(const json_t *o, const json_t *n, struct jsondiff *out, bool partial)
{
    jsondiff_init(out);
    /* equal objects differ nowhere: most of a plan's matched objects are unchanged, and one
     * walk that compares is cheaper than the walk that sorts keys and builds paths */
    if (json_is_object(o) && json_is_object(n) && json_equal(o, n))
        return 0;
    struct strbuf path = STRBUF_INIT;
    if (!o || json_is_object(o) || !n || json_is_object(n))
        diff_object(out, &path, json_is_object(o) ? o : NULL, json_is_object(n) ? n : NULL,
                    partial);
    if ((o && !json_is_object(o)) || (n && !json_is_object(n))) {
        if (!json_equal(o, n) && (o || n))
            add_change(out, "", o, n);
    }
    strbuf_fini(&path);
    return out->n;
}

size_t jsondiff_compute(const json_t *old_obj, const json_t *new_obj, struct jsondiff *out)
{
    return compute(old_obj, new_obj, out, false);
}

size_t jsondiff_compute_partial(const json_t *old_obj, const json_t *new_obj, struct jsondiff *out)
{
    return compute(old_obj, new_obj, out, true);
}

static bool path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    return path[n] == '\0' || (path[n] == '.' && (n == 0 || path[n - 1] != '\\'));
}

bool jsondiff_touches(const struct jsondiff *d, const char *prefix)
{
    for (size_t i = 0; i < d->n; i++)
        if (path_under(d->v[i].path, prefix))
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Replacement                                                                                */

static bool unified_changed(const struct jsondiff_change *c)
{
    size_t i;
    json_t *e;
    json_array_foreach(c->added, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), "Unified") == 0)
            return true;
    }
    json_array_foreach(c->removed, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), "Unified") == 0)
            return true;
    }
    return false;
}

bool jsondiff_requires_replace(enum normalize_kind kind, const struct jsondiff *d,
                               const char **path)
{
    static const char *const identity[] = {"principalId", "roleDefinitionId", "directoryScopeId",
                                           "appScopeId"};
    for (size_t i = 0; i < d->n; i++) {
        const struct jsondiff_change *c = &d->v[i];
        bool replace = false;
        switch (kind) {
        case NK_GROUP:
            replace = path_under(c->path, "isAssignableToRole") ||
                      (path_under(c->path, "groupTypes") && unified_changed(c));
            break;
        case NK_NAMED_LOCATION:
        case NK_AUTH_METHOD_CONFIG:
            replace = path_under(c->path, "kind");
            break;
        case NK_GROUP_SETTING:
            replace = path_under(c->path, "templateId");
            break;
        case NK_ROLE_ASSIGNMENT: /* immutable but for a PIM schedule's end (a renewal) */
        case NK_ROLE_ELIGIBILITY:
            for (size_t k = 0; k < IDPC_ARRAY_LEN(identity); k++)
                replace = replace || path_under(c->path, identity[k]);
            break;
        default:
            break;
        }
        if (replace) {
            if (path)
                *path = c->path;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* PATCH bodies                                                                               */

/* The top-level property a path starts with (unescaped). Caller frees. */
static char *top_key(const char *path)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = path; *p && *p != '.'; p++) {
        if (*p == '\\' && p[1])
            p++;
        strbuf_addc(&sb, *p);
    }
    return strbuf_detach(&sb);
}

static const json_t *get_nocase(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    const char *k;
    json_t *e;
    if (v || !json_is_object(obj))
        return v;
    json_object_foreach(util_json_mut(obj), k, e)
    {
        if (strcasecmp(k, key) == 0)
            return e;
    }
    return NULL;
}

/* Deep merge: desired over current (objects only; arrays and scalars from desired). */
static json_t *merge_over(const json_t *current, const json_t *desired)
{
    if (!json_is_object(current) || !json_is_object(desired))
        return normalize_strip_annotations(desired);
    json_t *out = normalize_strip_annotations(current);
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(desired), k, v)
    {
        if (strchr(k, '@') || k[0] == '#')
            continue;
        json_object_set_new(out, k, merge_over(json_object_get(current, k), v));
    }
    return out;
}

/* Explicit clearing: keys current has (non-empty) that desired lacks get [] or null. */
static void fill_clears(json_t *desired, const json_t *current)
{
    const char *k;
    json_t *cv;
    if (!json_is_object(desired) || !json_is_object(current))
        return;
    json_object_foreach(util_json_mut(current), k, cv)
    {
        if (strchr(k, '@') || k[0] == '#' || json_is_null(cv))
            continue;
        json_t *dv = json_object_get(desired, k);
        if (!dv) {
            if (json_is_array(cv)) {
                if (json_array_size(cv))
                    json_object_set_new(desired, k, json_array());
            } else {
                json_object_set_new(desired, k, json_null());
            }
        } else if (json_is_object(dv)) {
            fill_clears(dv, cv);
        }
    }
}

static void ensure_external_tenants(json_t *guests)
{
    if (!json_is_object(guests))
        return;
    json_t *t = json_object_get(guests, "externalTenants");
    if (!json_is_object(t)) {
        t = json_object();
        json_object_set_new(t, "membershipKind", json_string("all"));
        json_object_set_new(guests, "externalTenants", t);
    }
    const char *kind = json_string_value(json_object_get(t, "membershipKind"));
    bool all = !kind || strcasecmp(kind, "all") == 0;
    if (all)
        json_object_del(t, "members");
    json_object_set_new(
        t, "@odata.type",
        json_string(all ? "#microsoft.graph.conditionalAccessAllExternalTenants"
                        : "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"));
}

static json_t *ca_conditions(const json_t *desired, const json_t *current)
{
    json_t *c = normalize_strip_annotations(desired);
    if (!json_is_object(c))
        return c;
    fill_clears(c, current);
    const json_t *cat = json_object_get(c, "clientAppTypes");
    if (!cat || json_array_size(cat) == 0) {
        json_t *all = json_array();
        json_array_append_new(all, json_string("all"));
        json_object_set_new(c, "clientAppTypes", all);
    }
    json_t *users = json_object_get(c, "users");
    if (json_is_object(users)) {
        ensure_external_tenants(json_object_get(users, "includeGuestsOrExternalUsers"));
        ensure_external_tenants(json_object_get(users, "excludeGuestsOrExternalUsers"));
    }
    return c;
}

static json_t *ca_grant(const json_t *desired)
{
    json_t *wrap = json_object();
    json_object_set(wrap, "grantControls", util_json_mut(desired));
    json_t *norm = normalize(NK_CA_POLICY, wrap);
    bool effective = json_object_get(norm, "grantControls") != NULL;
    json_decref(norm);
    json_decref(wrap);
    if (!effective)
        return json_null();
    json_t *g = normalize_strip_annotations(desired);
    json_t *s = json_object_get(g, "authenticationStrength");
    const char *id = json_is_object(s) ? json_string_value(json_object_get(s, "id")) : NULL;
    if (id) {
        json_t *ref = json_object();
        json_object_set_new(ref, "@odata.type",
                            json_string("#microsoft.graph.authenticationStrengthPolicy"));
        json_object_set_new(ref, "id", json_string(id));
        json_object_set_new(g, "authenticationStrength", ref);
    } else if (json_is_null(s)) {
        json_object_del(g, "authenticationStrength");
    }
    return g;
}

/* Graph rejects ineffectual session controls; only enabled members are sent, else null. */
static json_t *ca_session(const json_t *desired)
{
    json_t *wrap = json_object();
    json_object_set(wrap, "sessionControls", util_json_mut(desired));
    json_t *norm = normalize(NK_CA_POLICY, wrap);
    json_t *eff = json_object_get(norm, "sessionControls");
    json_t *out = json_null();
    if (eff) {
        json_decref(out);
        out = normalize_strip_annotations(desired);
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(out, tmp, k, v)
        {
            if (!json_object_get(eff, k))
                json_object_del(out, k);
        }
    }
    json_decref(norm);
    json_decref(wrap);
    return out;
}

static json_t *ip_ranges_request(const json_t *desired)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(desired, i, e)
    {
        json_t *r;
        if (json_is_string(e)) {
            r = json_object();
            json_object_set_new(r, "cidrAddress", json_string(json_string_value(e)));
        } else {
            r = json_deep_copy(e);
        }
        const char *cidr = json_string_value(json_object_get(r, "cidrAddress"));
        if (json_is_object(r) && cidr && !json_object_get(r, "@odata.type"))
            json_object_set_new(r, "@odata.type",
                                json_string(strchr(cidr, ':') ? "#microsoft.graph.iPv6CidrRange"
                                                              : "#microsoft.graph.iPv4CidrRange"));
        json_array_append_new(out, r);
    }
    return out;
}

/* Group settings: the whole values list, current values overlaid by desired ones. */
static json_t *setting_values_request(const json_t *desired, const json_t *current)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *e, *x;
    json_array_foreach(current, i, e)
    {
        if (json_is_object(e) && json_is_string(json_object_get(e, "name")))
            json_array_append_new(out, normalize_strip_annotations(e));
    }
    json_array_foreach(desired, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        if (!name)
            continue;
        bool replaced = false;
        json_array_foreach(out, j, x)
        {
            if (strcasecmp(json_string_value(json_object_get(x, "name")), name) == 0) {
                json_array_set_new(out, j, normalize_strip_annotations(e));
                replaced = true;
                break;
            }
        }
        if (!replaced)
            json_array_append_new(out, normalize_strip_annotations(e));
    }
    return out;
}

static bool skipped_key(enum normalize_kind kind, const char *key)
{
    switch (kind) {
    case NK_AUTH_STRENGTH:
        return !strcmp(key, "allowedCombinations") || !strcmp(key, "combinationConfigurations");
    case NK_GROUP:
        return !strcmp(key, "members") || !strcmp(key, "owners") ||
               !strcmp(key, "isAssignableToRole");
    case NK_AUTH_METHODS_POLICY:
        return !strcmp(key, "authenticationMethodConfigurations");
    case NK_NAMED_LOCATION:
        return !strcmp(key, "kind");
    case NK_AUTH_METHOD_CONFIG:
        return !strcmp(key, "kind") || !strcmp(key, "id");
    case NK_ROLE_ASSIGNMENT:
        return true;
    case NK_ROLE_ELIGIBILITY:
        return strcmp(key, "scheduleInfo") != 0;
    default:
        return false;
    }
}

/* The value that clears a property the desired object leaves out. */
static json_t *clear_value(enum normalize_kind kind, const char *key, const json_t *current)
{
    if (kind == NK_NAMED_LOCATION && !strcmp(key, "countryLookupMethod"))
        return json_string("clientIpAddress");
    if (json_is_boolean(current))
        return json_false(); /* booleans normalise absent only when false */
    if (json_is_array(current))
        return json_array();
    return json_null();
}

static json_t *request_value(enum normalize_kind kind, const char *key, const json_t *desired,
                             const json_t *current)
{
    if (kind == NK_CA_POLICY && !strcmp(key, "conditions"))
        return ca_conditions(desired, current);
    if (kind == NK_CA_POLICY && !strcmp(key, "grantControls"))
        return ca_grant(desired);
    if (kind == NK_CA_POLICY && !strcmp(key, "sessionControls"))
        return ca_session(desired);
    if (kind == NK_NAMED_LOCATION && !strcmp(key, "ipRanges") && json_is_array(desired))
        return ip_ranges_request(desired);
    if (kind == NK_GROUP_SETTING && !strcmp(key, "values"))
        return setting_values_request(desired, current);
    if (kind == NK_AUTHORIZATION_POLICY && !strcmp(key, "defaultUserRolePermissions")) {
        json_t *v = merge_over(current, desired);
        const json_t *want = json_object_get(desired, "permissionGrantPoliciesAssigned");
        if (json_is_array(want))
            json_object_set_new(
                v, "permissionGrantPoliciesAssigned",
                plan_consent_grants(want,
                                    json_object_get(current, "permissionGrantPoliciesAssigned")));
        return v;
    }
    if (kind == NK_CA_POLICY || kind == NK_NAMED_LOCATION || kind == NK_AUTH_STRENGTH)
        return normalize_strip_annotations(desired);
    /* Graph v1.0 "Update onPremisesDirectorySynchronization": the request's example sends one
     * feature flag alone (the others keep their values), so only the stated flags are sent */
    if (kind == NK_ONPREM_SYNC)
        return normalize_strip_annotations(desired);
    /* singletons and directory objects: a nested object is merged into what is there, since
     * Graph replaces a complex property as a whole */
    return merge_over(current, desired);
}

static void add_odata_type(enum normalize_kind kind, json_t *body, const json_t *desired_raw)
{
    const char *t = json_string_value(json_object_get(desired_raw, "@odata.type"));
    if (t) {
        json_object_set_new(body, "@odata.type", json_string(t));
        return;
    }
    json_t *n = normalize(kind, desired_raw);
    const char *k = json_string_value(json_object_get(n, "kind"));
    if (k) {
        char *full = xasprintf("#microsoft.graph.%s", k);
        json_object_set_new(body, "@odata.type", json_string(full));
        free(full);
    }
    json_decref(n);
}

json_t *jsondiff_patch_body(enum normalize_kind kind, const json_t *desired_raw,
                            const json_t *current_raw, const struct jsondiff *d)
{
    json_t *body = json_object();
    for (size_t i = 0; i < d->n; i++) {
        char *key = top_key(d->v[i].path);
        if (!*key || json_object_get(body, key) || skipped_key(kind, key)) {
            free(key);
            continue;
        }
        const json_t *want = get_nocase(desired_raw, key);
        const json_t *have = get_nocase(current_raw, key);
        json_t *v = (want && !json_is_null(want)) ? request_value(kind, key, want, have)
                                                  : clear_value(kind, key, have);
        json_object_set_new(body, key, v);
        free(key);
    }
    if (json_object_size(body) == 0) {
        json_decref(body);
        return NULL;
    }
    if (kind == NK_NAMED_LOCATION || kind == NK_AUTH_METHOD_CONFIG)
        add_odata_type(kind, body, desired_raw);
    return body;
}
