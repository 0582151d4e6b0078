/* replay_dir.c — the directory a replay needs: every user of the tenant with their transitive
 * groups and active directory roles, today and as the configuration's static group memberships
 * would make them. Groups are matched by display name (case-insensitive) between the tenant and
 * the configuration; lists hold both the names and the tenant's ids, because the tenant's policies
 * reference ids and the compiled configuration's reference names. */
#include "runtime/analysis/replay_int.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/tenant/backend.h"

static const char *keep(struct replay_dir *d, const char *s)
{
    if (d->nstrings == d->capstrings) {
        d->capstrings = d->capstrings ? d->capstrings * 2 : 256;
        d->strings = xrealloc(d->strings, d->capstrings * sizeof(char *));
    }
    return d->strings[d->nstrings++] = xstrdup(s);
}

/* Groups by lower-case display name: their tenant id and their member groups and users. */
struct grp {
    const char *name, *id;
    json_t *child_groups; /* [name] */
    json_t *users;        /* [user id] */
};

struct graph_of_groups {
    struct grp *v;
    size_t n;
    struct strmap ix;    /* name -> index */
    struct strmap by_id; /* tenant id -> index */
    json_t *parents;     /* name -> [parent name], per scenario */
    json_t *direct;      /* user id -> [group name] */
};

static size_t grp_get(struct graph_of_groups *g, struct replay_dir *d, const char *name)
{
    size_t i;
    if (strmap_get(&g->ix, name, &i))
        return i;
    g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
    struct grp *x = &g->v[g->n];
    memset(x, 0, sizeof(*x));
    x->name = keep(d, name);
    x->child_groups = json_array();
    x->users = json_array();
    strmap_put(&g->ix, name, g->n);
    return g->n++;
}

static void index_scenario(struct graph_of_groups *g)
{
    json_decref(g->parents);
    json_decref(g->direct);
    g->parents = json_object();
    g->direct = json_object();
    for (size_t i = 0; i < g->n; i++) {
        size_t k;
        json_t *v;
        json_array_foreach(g->v[i].child_groups, k, v)
        {
            const char *c = json_string_value(v);
            json_t *p = json_object_get(g->parents, c);
            if (!p)
                json_object_set_new(g->parents, c, p = json_array());
            json_array_append_new(p, json_string(g->v[i].name));
        }
        json_array_foreach(g->v[i].users, k, v)
        {
            const char *u = json_string_value(v);
            json_t *p = json_object_get(g->direct, u);
            if (!p)
                json_object_set_new(g->direct, u, p = json_array());
            json_array_append_new(p, json_string(g->v[i].name));
        }
    }
}

/* The user's groups, transitively: names and tenant ids, NULL-terminated (pointers kept by d). */
static const char **closure(struct graph_of_groups *g, const char *uid)
{
    json_t *seen = json_object();
    json_t *todo = json_copy(json_object_get(g->direct, uid));
    if (!todo)
        todo = json_array();
    for (size_t i = 0; i < json_array_size(todo); i++) {
        const char *n = json_string_value(json_array_get(todo, i));
        if (json_object_get(seen, n))
            continue;
        json_object_set_new(seen, n, json_true());
        json_array_extend(todo, json_object_get(g->parents, n));
    }
    const char **v = xcalloc(2 * json_object_size(seen) + 1, sizeof(char *));
    size_t k = 0;
    const char *n;
    json_t *x;
    json_object_foreach(seen, n, x)
    {
        size_t i;
        if (!strmap_get(&g->ix, n, &i))
            continue;
        v[k++] = g->v[i].name;
        if (g->v[i].id)
            v[k++] = g->v[i].id;
    }
    json_decref(todo);
    json_decref(seen);
    return v;
}

static int read_list(struct backend *b, const char *path, json_t **out, char *err, size_t errlen)
{
    struct backend_error e;
    if (backend_read_list(b, path, out, &e) != 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, e.message);
        return -1;
    }
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The configuration's static memberships replace the tenant's for the groups it declares. */
static void apply_model(struct graph_of_groups *g, struct replay_dir *d, const struct model *m)
{
    for (size_t i = 0; m && i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_GROUP || !o->name)
            continue;
        const json_t *members = json_object_get(o->extra, "members");
        if (!json_is_array(members) || json_object_get(o->body, "membershipRule"))
            continue;
        size_t xi = grp_get(g, d, o->name);
        json_array_clear(g->v[xi].child_groups);
        json_array_clear(g->v[xi].users);
        size_t k;
        json_t *r;
        json_array_foreach(members, k, r)
        {
            const char *kind = jstr(r, "$ref");
            const char *name = jstr(r, "name");
            const char *id = jstr(r, "id");
            if (kind && strcmp(kind, "group") == 0 && name) {
                grp_get(g, d, name);
                json_array_append_new(g->v[xi].child_groups, json_string(name));
            } else if (kind && strcmp(kind, "user") == 0) {
                const struct replay_user *u = replay_dir_user(d, id, name);
                if (u)
                    json_array_append_new(g->v[xi].users, json_string(u->id));
            }
        }
    }
}

int replay_dir_load(struct replay_dir *d, const char *spec, const struct model *m, char *err,
                    size_t errlen)
{
    memset(d, 0, sizeof(*d));
    whatif_inputs_init(&d->cur);
    strmap_init(&d->by_id, true);
    strmap_init(&d->by_upn, true);
    struct graph_of_groups g;
    memset(&g, 0, sizeof(g));
    strmap_init(&g.ix, true);
    strmap_init(&g.by_id, true);
    struct backend *b = NULL;
    struct backend_error e;
    json_t *users = NULL, *groups = NULL, *roles = NULL, *user_roles = json_object();
    int rc = -1;
    if (backend_open(spec, &b, &e) != 0) {
        snprintf(err, errlen, "cannot open tenant: %s", e.message);
        goto out;
    }
    d->tenant_display = xstrdup(b->display ? b->display : "tenant");
    static const char *const paths[] = {"identity/conditionalAccess/policies",
                                        "identity/conditionalAccess/namedLocations",
                                        "policies/authenticationStrengthPolicies"};
    json_t *dst[] = {d->cur.policies, d->cur.locations, d->cur.strengths};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++) {
        json_t *list = NULL;
        if (read_list(b, paths[i], &list, err, errlen) != 0)
            goto out;
        json_array_extend(dst[i], list);
        json_decref(list);
    }
    if (read_list(b, "users", &users, err, errlen) != 0 ||
        read_list(b, "groups", &groups, err, errlen) != 0 ||
        read_list(b, "roleManagement/directory/roleAssignments", &roles, err, errlen) != 0)
        goto out;
    d->users = xcalloc(json_array_size(users) + 1, sizeof(*d->users));
    size_t i;
    json_t *v;
    json_array_foreach(users, i, v)
    {
        const char *id = jstr(v, "id"), *upn = jstr(v, "userPrincipalName");
        if (!id)
            continue;
        struct replay_user *u = &d->users[d->nusers];
        u->id = xstrdup(id);
        u->upn = xstrdup(upn ? upn : id);
        const char *type = jstr(v, "userType");
        u->guest = type && util_streq_nocase(type, "Guest");
        if (!u->guest && upn && strstr(upn, "#EXT#"))
            u->guest = true; /* B2B guests' UPNs carry #EXT# when userType was not read */
        strmap_put(&d->by_id, u->id, d->nusers);
        strmap_put(&d->by_upn, u->upn, d->nusers);
        d->nusers++;
    }
    /* group members (direct) of every group */
    json_array_foreach(groups, i, v)
    {
        const char *id = jstr(v, "id"), *name = jstr(v, "displayName");
        if (!id || !name)
            continue;
        size_t gi = grp_get(&g, d, name);
        const char *kept = keep(d, id);
        g.v[gi].id = kept;
        strmap_put(&g.by_id, id, gi);
    }
    json_array_foreach(groups, i, v)
    {
        const char *id = jstr(v, "id"), *name = jstr(v, "displayName");
        if (!id || !name)
            continue;
        char *path = xasprintf("groups/%s/members", id);
        json_t *members = NULL;
        int r = read_list(b, path, &members, err, errlen);
        free(path);
        if (r != 0)
            goto out;
        size_t k;
        json_t *mb;
        json_array_foreach(members, k, mb)
        {
            const char *mid = jstr(mb, "id");
            const char *type = jstr(mb, "@odata.type");
            size_t gi = 0;
            if (!mid)
                continue;
            if (type && strstr(type, "group")) {
                if (strmap_get(&g.by_id, mid, &gi)) {
                    size_t me = grp_get(&g, d, name);
                    json_array_append_new(g.v[me].child_groups, json_string(g.v[gi].name));
                }
            } else {
                size_t me = grp_get(&g, d, name);
                json_array_append_new(g.v[me].users, json_string(mid));
            }
        }
        json_decref(members);
    }
    index_scenario(&g);
    /* active role assignments, tenant-wide: to users, and to (role-assignable) groups */
    json_array_foreach(roles, i, v)
    {
        const char *pid = jstr(v, "principalId"), *rid = jstr(v, "roleDefinitionId");
        const char *scope = jstr(v, "directoryScopeId");
        if (!pid || !rid || (scope && strcmp(scope, "/") != 0))
            continue;
        json_t *uids = json_array();
        size_t x;
        if (strmap_get(&g.by_id, pid, &x))
            json_array_extend(uids, g.v[x].users);
        if (!json_array_size(uids))
            json_array_append_new(uids, json_string(pid));
        size_t k;
        json_t *u;
        json_array_foreach(uids, k, u)
        {
            json_t *l = json_object_get(user_roles, json_string_value(u));
            if (!l)
                json_object_set_new(user_roles, json_string_value(u), l = json_array());
            json_array_append_new(l, json_string(rid));
        }
        json_decref(uids);
    }
    for (size_t k = 0; k < d->nusers; k++) {
        struct replay_user *u = &d->users[k];
        u->member_cur = closure(&g, u->id);
        json_t *l = json_object_get(user_roles, u->id);
        u->roles = xcalloc(json_array_size(l) + 1, sizeof(char *));
        size_t j;
        json_t *x;
        json_array_foreach(l, j, x) u->roles[j] = keep(d, json_string_value(x));
    }
    apply_model(&g, d, m);
    index_scenario(&g);
    for (size_t k = 0; k < d->nusers; k++)
        d->users[k].member_prop = closure(&g, d->users[k].id);
    rc = 0;
out:
    for (size_t k = 0; k < g.n; k++) {
        json_decref(g.v[k].child_groups);
        json_decref(g.v[k].users);
    }
    free(g.v);
    strmap_fini(&g.ix);
    strmap_fini(&g.by_id);
    json_decref(g.parents);
    json_decref(g.direct);
    json_decref(users);
    json_decref(groups);
    json_decref(roles);
    json_decref(user_roles);
    if (b)
        backend_close(b);
    return rc;
}

void replay_dir_fini(struct replay_dir *d)
{
    whatif_inputs_fini(&d->cur);
    for (size_t i = 0; i < d->nusers; i++) {
        free(d->users[i].id);
        free(d->users[i].upn);
        free(d->users[i].member_cur);
        free(d->users[i].member_prop);
        free(d->users[i].roles);
    }
    free(d->users);
    for (size_t i = 0; i < d->nstrings; i++)
        free(d->strings[i]);
    free(d->strings);
    strmap_fini(&d->by_id);
    strmap_fini(&d->by_upn);
    free(d->tenant_display);
    memset(d, 0, sizeof(*d));
}

const struct replay_user *replay_dir_user(const struct replay_dir *d, const char *id,
                                          const char *upn)
{
    size_t i;
    if (id && strmap_get(&d->by_id, id, &i))
        return &d->users[i];
    if (upn && strmap_get(&d->by_upn, upn, &i))
        return &d->users[i];
    return NULL;
}
