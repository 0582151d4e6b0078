/* whatif_tenant.c — reading a tenant's Conditional Access inputs through runtime/backend.h, for
 * `idpc whatif --tenant`, `idpc test --tenant` and `idpc coverage --tenant`. */
#include "runtime/analysis/whatif_tenant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/util.h"
#include "runtime/tenant/backend.h"

static size_t count(const char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* Adds to `ids` (an object used as a set) the GUID strings of the users or groups lists of
 * every policy. */
static void policy_ids(const json_t *policies, const char *const *keys, size_t nkeys, json_t *ids)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const json_t *u = json_object_get(json_object_get(p, "conditions"), "users");
        for (size_t k = 0; k < nkeys; k++) {
            size_t j;
            const json_t *v;
            json_array_foreach(json_object_get(u, keys[k]), j, v)
            {
                const char *s = json_string_value(v);
                if (s && catalog_is_guid(s))
                    json_object_set_new(ids, s, json_true());
            }
        }
    }
}

/* The keys of a set object as a NULL-terminated array (borrowed from the object). */
static const char **keys_of(json_t *set)
{
    const char **v = xcalloc(json_object_size(set) + 1, sizeof(char *));
    size_t n = 0;
    const char *k;
    json_t *x;
    json_object_foreach(set, k, x) v[n++] = k;
    return v;
}

static int want(struct backend *b, const char *path, const char *key, const char *const *values,
                struct backend_error *e)
{
    size_t n = count(values);
    return n ? backend_want(b, path, key, values, n, e) : 0;
}

int whatif_tenant_load(struct whatif_tenant *t, const char *spec, const char *const *group_names,
                       const char *const *upns, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    whatif_inputs_init(&t->in);
    t->groups = json_array();
    t->users = json_array();
    struct backend *b = NULL;
    struct backend_error e;
    int rc = -1;
    json_t *gids = json_object(), *uids = json_object();
    const char **gv = NULL, **uv = NULL;
    if (backend_open(spec, &b, &e) != 0) {
        snprintf(err, errlen, "cannot open tenant: %s", e.message);
        goto out;
    }
    static const char *const paths[] = {"identity/conditionalAccess/policies",
                                        "identity/conditionalAccess/namedLocations",
                                        "policies/authenticationStrengthPolicies"};
    json_t *dst[] = {t->in.policies, t->in.locations, t->in.strengths};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++) {
        json_t *list = NULL;
        if (backend_read_list(b, paths[i], &list, &e) != 0) {
            snprintf(err, errlen, "cannot read %s: %s", paths[i], e.message);
            goto out;
        }
        json_array_extend(dst[i], list);
        json_decref(list);
    }
    static const char *const gkeys[] = {"includeGroups", "excludeGroups"};
    static const char *const ukeys[] = {"includeUsers", "excludeUsers"};
    policy_ids(t->in.policies, gkeys, 2, gids);
    policy_ids(t->in.policies, ukeys, 2, uids);
    gv = keys_of(gids);
    uv = keys_of(uids);
    /* Declare what the sign-ins and policies name, so that a graph: tenant looks up only
     * these instead of listing the directory. */
    if (want(b, "groups", "displayName", group_names, &e) != 0 ||
        want(b, "groups", "id", gv, &e) != 0 ||
        want(b, "users", "userPrincipalName", upns, &e) != 0 ||
        want(b, "users", "id", uv, &e) != 0) {
        snprintf(err, errlen, "cannot look up the directory: %s", e.message);
        goto out;
    }
    if (count(group_names) || count(gv)) {
        json_t *list = NULL;
        if (backend_read_list(b, "groups", &list, &e) != 0) {
            snprintf(err, errlen, "cannot read groups: %s", e.message);
            goto out;
        }
        json_array_extend(t->groups, list);
        json_decref(list);
    }
    if (count(upns) || count(uv)) {
        json_t *list = NULL;
        if (backend_read_list(b, "users", &list, &e) != 0) {
            snprintf(err, errlen, "cannot read users: %s", e.message);
            goto out;
        }
        json_array_extend(t->users, list);
        json_decref(list);
    }
    rc = 0;
out:
    free(gv);
    free(uv);
    json_decref(gids);
    json_decref(uids);
    if (b)
        backend_close(b);
    return rc;
}

void whatif_tenant_fini(struct whatif_tenant *t)
{
    whatif_inputs_fini(&t->in);
    json_decref(t->groups);
    json_decref(t->users);
    memset(t, 0, sizeof(*t));
}

static const char *find(const json_t *list, const char *field, const char *value, const char *want)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *f = json_string_value(json_object_get(v, field));
        if (f && value && util_streq_nocase(f, value))
            return json_string_value(json_object_get(v, want));
    }
    return NULL;
}

const char *whatif_tenant_user_id(const struct whatif_tenant *t, const char *upn)
{
    return find(t->users, "userPrincipalName", upn, "id");
}

const char *whatif_tenant_name_of(const struct whatif_tenant *t, const char *id)
{
    const char *n = find(t->groups, "id", id, "displayName");
    return n ? n : find(t->users, "id", id, "userPrincipalName");
}

const char **whatif_tenant_member_of(const struct whatif_tenant *t, const char *const *names)
{
    size_t n = count(names);
    const char **v = xcalloc(2 * n + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        v[k++] = names[i];
    for (size_t i = 0; i < n; i++) {
        const char *id = find(t->groups, "displayName", names[i], "id");
        if (id)
            v[k++] = id;
    }
    return v;
}
