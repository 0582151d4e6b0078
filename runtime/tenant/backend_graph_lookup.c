/* backend_graph_lookup.c — users, groups and service principals of a graph: tenant are looked up,
 * never listed: the names and ids the configuration declares (backend_want) plus the ids the
 * tenant's policies, role assignments, eligibilities, methods policy and group settings refer
 * to, as `$filter=key in (…15 values…)` queries sent 20 at a time through $batch. */
#include "runtime/tenant/backend_graph.h"
#include "compiler/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/catalog.h"

#define IN_MAX 15 /* Graph: at most 15 expressions in an `in` clause */

static bool is_guid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static void want_value(struct graph *g, enum graph_dir d, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    if (strcmp(key, "id") == 0 || strcmp(key, "appId") == 0) {
        if (!is_guid(value))
            return;
    }
    if (!g->wants[d])
        g->wants[d] = json_object();
    json_t *k = json_object_get(g->wants[d], key);
    if (!k) {
        k = json_object();
        json_object_set_new(g->wants[d], key, k);
    }
    json_object_set_new(k, value, json_true());
}

int graph_want(struct backend *b, const char *path, const char *key, const char *const *values,
               size_t n, struct backend_error *err)
{
    (void)err;
    struct graph *g = b->impl;
    enum graph_dir d = graph_dir_of(path);
    if (d == GDIR__COUNT)
        return 0;
    /* wants declared after a look-up (apply PLAN checks the saved plan's reads, then plans its
     * configuration again): the next scan looks up again, with everything wanted so far */
    for (int k = 0; k < GDIR__COUNT; k++) {
        json_decref(g->dir[k]);
        g->dir[k] = NULL;
    }
    if (!values && n == 0) {
        g->want_all[d] = true;
        return 0;
    }
    if (!g->wants[d])
        g->wants[d] = json_object();
    for (size_t i = 0; i < n; i++)
        want_value(g, d, key, values[i]);
    return 0;
}

/* ---- ids the tenant's own objects refer to ---- */

static void want_list(struct graph *g, enum graph_dir d, const char *key, const json_t *list)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v) want_value(g, d, key, json_string_value(v));
}

static void want_principal(struct graph *g, const char *id)
{
    for (int d = 0; d < GDIR__COUNT; d++)
        want_value(g, (enum graph_dir)d, "id", id);
}

static void want_targets(struct graph *g, const json_t *targets)
{
    size_t i;
    json_t *t;
    json_array_foreach(util_json_mut(targets), i, t)
    {
        const char *type = json_string_value(json_object_get(t, "targetType"));
        const char *id = json_string_value(json_object_get(t, "id"));
        if (type && strcmp(type, "user") == 0)
            want_value(g, GDIR_USERS, "id", id);
        else
            want_value(g, GDIR_GROUPS, "id", id);
    }
}

static int tenant_refs(struct backend *b, struct backend_error *err)
{
    struct graph *g = b->impl;
    json_t *v = NULL;
    size_t i;
    json_t *it;
    if (backend_read(b, "identity/conditionalAccess/policies", &v, err) != 0)
        return -1;
    json_array_foreach(v, i, it)
    {
        json_t *c = json_object_get(it, "conditions");
        json_t *u = json_object_get(c, "users");
        want_list(g, GDIR_USERS, "id", json_object_get(u, "includeUsers"));
        want_list(g, GDIR_USERS, "id", json_object_get(u, "excludeUsers"));
        want_list(g, GDIR_GROUPS, "id", json_object_get(u, "includeGroups"));
        want_list(g, GDIR_GROUPS, "id", json_object_get(u, "excludeGroups"));
        json_t *ca = json_object_get(c, "clientApplications");
        want_list(g, GDIR_SPS, "id", json_object_get(ca, "includeServicePrincipals"));
        want_list(g, GDIR_SPS, "id", json_object_get(ca, "excludeServicePrincipals"));
        json_t *apps = json_object_get(c, "applications");
        const char *keys[] = {"includeApplications", "excludeApplications"};
        for (size_t k = 0; k < 2; k++) {
            size_t j;
            json_t *a;
            json_array_foreach(json_object_get(apps, keys[k]), j, a)
            {
                const char *app = json_string_value(a);
                if (app && !catalog_app_by_id(app))
                    want_value(g, GDIR_SPS, "appId", app);
            }
        }
    }
    json_decref(v);
    const char *principals[] = {"roleManagement/directory/roleAssignments",
                                "roleManagement/directory/roleEligibilitySchedules"};
    for (size_t p = 0; p < 2; p++) {
        if (backend_read(b, principals[p], &v, err) != 0)
            return -1;
        json_array_foreach(v, i, it)
            want_principal(g, json_string_value(json_object_get(it, "principalId")));
        json_decref(v);
    }
    if (backend_read(b, "policies/authenticationMethodsPolicy", &v, err) != 0)
        return -1;
    json_array_foreach(json_object_get(v, "authenticationMethodConfigurations"), i, it)
    {
        want_targets(g, json_object_get(it, "includeTargets"));
        want_targets(g, json_object_get(it, "excludeTargets"));
    }
    json_t *camp = json_object_get(json_object_get(v, "registrationEnforcement"),
                                   "authenticationMethodsRegistrationCampaign");
    want_targets(g, json_object_get(camp, "includeTargets"));
    want_targets(g, json_object_get(camp, "excludeTargets"));
    json_decref(v);
    if (backend_read(b, "groupSettings", &v, err) != 0)
        return -1;
    json_array_foreach(v, i, it)
    {
        size_t j;
        json_t *kv;
        json_array_foreach(json_object_get(it, "values"), j, kv)
        {
            const char *name = json_string_value(json_object_get(kv, "name"));
            if (name && strcmp(name, "GroupCreationAllowedGroupId") == 0)
                want_value(g, GDIR_GROUPS, "id", json_string_value(json_object_get(kv, "value")));
        }
    }
    json_decref(v);
    return 0;
}

/* ---- the look-ups ---- */

struct query {
    enum graph_dir d;
    char *url;
    char *group_id, *rel; /* membership queries */
};

static void add_query(struct query **qs, size_t *nq, size_t *cap, enum graph_dir d, char *url);

static void add_queries(struct graph *g, enum graph_dir d, const char *key, json_t *values,
                        struct query **qs, size_t *nq, size_t *cap)
{
    const char *val;
    json_t *t;
    struct strbuf f = STRBUF_INIT;
    size_t in_clause = 0, total = json_object_size(values), seen = 0;
    json_object_foreach(values, val, t)
    {
        char *q = graph_odata_quote(val);
        strbuf_addf(&f, "%s%s", in_clause ? "," : "", q);
        free(q);
        in_clause++;
        seen++;
        g->lookups++;
        if (in_clause == IN_MAX || seen == total) {
            char *filter = xasprintf("%s in (%s)", key, strbuf_str(&f));
            char *enc = graph_url_encode(filter);
            add_query(qs, nq, cap, d,
                      xasprintf("/%s?$filter=%s&$select=%s&$top=999", graph_dir_path(d), enc,
                                graph_dir_select(d)));
            free(enc);
            free(filter);
            strbuf_reset(&f);
            in_clause = 0;
        }
    }
    strbuf_fini(&f);
}

static void keep(struct graph *g, enum graph_dir d, json_t *items)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        if (id) {
            json_t *copy = json_deep_copy(it);
            json_object_del(copy, "@odata.context");
            json_object_set_new(g->dir[d], id, copy);
        }
    }
}

/* Sends the queries through $batch; each answer's items (all pages) go to `sink`. */
typedef void (*sink_fn)(struct graph *g, const struct query *q, json_t *items);

static int run_queries(struct graph *g, struct query *qs, size_t nq, sink_fn sink,
                       struct backend_error *err)
{
    if (nq == 0)
        return 0;
    int rc = -1;
    struct http_batch_request *reqs = xcalloc(nq, sizeof(*reqs));
    struct http_response *resp = xcalloc(nq, sizeof(*resp));
    for (size_t i = 0; i < nq; i++) {
        reqs[i].method = "GET";
        reqs[i].url = qs[i].url;
    }
    enum http_status st = http_batch(g->http, reqs, nq, resp);
    if (st != HTTP_STATUS_OK && st != HTTP_STATUS_GRAPH_ERROR) {
        size_t e = 0;
        while (e + 1 < nq && !*http_error_str(&resp[e].error))
            e++;
        graph_error(err, &resp[e], st);
        goto out;
    }
    for (size_t i = 0; i < nq; i++) {
        if (resp[i].status < 200 || resp[i].status >= 300) {
            graph_error(err, &resp[i], HTTP_STATUS_GRAPH_ERROR);
            goto out;
        }
        json_t *items = json_array();
        json_array_extend(items, json_object_get(resp[i].body, "value"));
        /* more than 999 answers: follow the pages */
        const char *nl = json_string_value(json_object_get(resp[i].body, "@odata.nextLink"));
        if (nl) {
            json_t *more = NULL;
            struct http_error he;
            enum http_status s2 = http_get_all(g->http, nl, &more, &he);
            if (s2 != HTTP_STATUS_OK) {
                backend_error_set(err, he.status, he.code, "%s", http_error_str(&he));
                http_error_fini(&he);
                json_decref(items);
                goto out;
            }
            http_error_fini(&he);
            json_array_extend(items, more);
            json_decref(more);
        }
        sink(g, &qs[i], items);
        json_decref(items);
    }
    rc = 0;
out:
    for (size_t i = 0; i < nq; i++)
        http_response_fini(&resp[i]);
    free(reqs);
    free(resp);
    return rc;
}

static void free_queries(struct query *qs, size_t nq)
{
    for (size_t i = 0; i < nq; i++) {
        free(qs[i].url);
        free(qs[i].group_id);
        free(qs[i].rel);
    }
    free(qs);
}

static void sink_dir(struct graph *g, const struct query *q, json_t *items)
{
    keep(g, q->d, items);
}

static void sink_rel(struct graph *g, const struct query *q, json_t *items)
{
    char *path = xasprintf("groups/%s/%s", q->group_id, q->rel);
    json_t *list = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *copy = json_deep_copy(it);
        json_object_del(copy, "@odata.context");
        json_array_append_new(list, copy);
    }
    json_object_set_new(g->cache, path, list);
    free(path);
}

static void add_query(struct query **qs, size_t *nq, size_t *cap, enum graph_dir d, char *url)
{
    if (*nq == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *qs = xrealloc(*qs, *cap * sizeof(**qs));
    }
    memset(&(*qs)[*nq], 0, sizeof(**qs));
    (*qs)[*nq].d = d;
    (*qs)[*nq].url = url;
    (*nq)++;
}

/* Does the model read this group's members or owners ("members"/"owners" wants)? */
static bool reads_rel(struct graph *g, const json_t *group, const char *rel)
{
    json_t *names = json_object_get(g->wants[GDIR_GROUPS], rel);
    if (!names)
        return false;
    const char *id = json_string_value(json_object_get(group, "id"));
    const char *dn = json_string_value(json_object_get(group, "displayName"));
    const char *v;
    json_t *t;
    json_object_foreach(names, v, t)
    {
        if ((id && strcasecmp(v, id) == 0) || (dn && strcasecmp(v, dn) == 0))
            return true;
    }
    return false;
}

static int look_up(struct backend *b, struct backend_error *err)
{
    struct graph *g = b->impl;
    if (tenant_refs(b, err) != 0)
        return -1;
    uint64_t before = http_client_request_count(g->http);
    struct query *qs = NULL;
    size_t nq = 0, cap = 0;
    /* round 1: the names; round 2: the ids (of the tenant's references, mostly) that round 1
     * did not find already */
    for (int d = 0; d < GDIR__COUNT; d++) {
        json_decref(g->dir[d]);
        g->dir[d] = json_object();
    }
    int rc = 0;
    for (int round = 1; round <= 2 && rc == 0; round++) {
        for (int d = 0; d < GDIR__COUNT; d++) {
            if (!g->wants[d])
                continue;
            const char *key;
            json_t *values;
            json_object_foreach(g->wants[d], key, values)
            {
                if (strcmp(key, "members") == 0 || strcmp(key, "owners") == 0)
                    continue;
                bool by_id = strcmp(key, "id") == 0;
                if (by_id != (round == 2))
                    continue;
                json_t *left = json_object();
                const char *v;
                json_t *t;
                json_object_foreach(values, v, t)
                {
                    if (!by_id || !json_object_get(g->dir[d], v))
                        json_object_set_new(left, v, json_true());
                }
                add_queries(g, (enum graph_dir)d, key, left, &qs, &nq, &cap);
                json_decref(left);
            }
        }
        rc = run_queries(g, qs, nq, sink_dir, err);
        free_queries(qs, nq);
        qs = NULL;
        nq = cap = 0;
    }
    if (rc != 0)
        return -1;
    /* round 2: members and owners of the groups whose membership the configuration declares */
    const char *gid;
    json_t *group;
    json_object_foreach(g->dir[GDIR_GROUPS], gid, group)
    {
        const char *rels[] = {"members", "owners"};
        for (size_t r = 0; r < 2; r++) {
            if (!reads_rel(g, group, rels[r]))
                continue;
            add_query(&qs, &nq, &cap, GDIR_GROUPS,
                      xasprintf("/groups/%s/%s?$select=id&$top=999", gid, rels[r]));
            qs[nq - 1].group_id = xstrdup(gid);
            qs[nq - 1].rel = xstrdup(rels[r]);
        }
    }
    size_t nrel = nq;
    rc = run_queries(g, qs, nq, sink_rel, err);
    /* round 3: the members and owners not met yet (so that the plan can name them) */
    json_t *unknown[GDIR__COUNT] = {json_object(), json_object(), json_object()};
    for (size_t i = 0; rc == 0 && i < nrel; i++) {
        char *path = xasprintf("groups/%s/%s", qs[i].group_id, qs[i].rel);
        size_t j;
        json_t *m;
        json_array_foreach(json_object_get(g->cache, path), j, m)
        {
            const char *id = json_string_value(json_object_get(m, "id"));
            const char *type = json_string_value(json_object_get(m, "@odata.type"));
            if (!id || !is_guid(id))
                continue;
            for (int d = 0; d < GDIR__COUNT; d++) {
                static const char *const types[GDIR__COUNT] = {"#microsoft.graph.user",
                                                               "#microsoft.graph.group",
                                                               "#microsoft.graph.servicePrincipal"};
                if ((!type || strcmp(type, types[d]) == 0) && !json_object_get(g->dir[d], id))
                    json_object_set_new(unknown[d], id, json_true());
            }
        }
        free(path);
    }
    free_queries(qs, nq);
    qs = NULL;
    nq = cap = 0;
    for (int d = 0; rc == 0 && d < GDIR__COUNT; d++)
        add_queries(g, (enum graph_dir)d, "id", unknown[d], &qs, &nq, &cap);
    if (rc == 0)
        rc = run_queries(g, qs, nq, sink_dir, err);
    free_queries(qs, nq);
    for (int d = 0; d < GDIR__COUNT; d++)
        json_decref(unknown[d]);
    if (rc != 0)
        return -1;
    uint64_t n = http_client_request_count(g->http) - before;
    graph_progress(g,
                   "looked up %u names and ids: %zu users, %zu groups, %zu service principals, "
                   "membership of %zu groups (%llu request%s)",
                   g->lookups, json_object_size(g->dir[GDIR_USERS]),
                   json_object_size(g->dir[GDIR_GROUPS]), json_object_size(g->dir[GDIR_SPS]), nrel,
                   (unsigned long long)n, n == 1 ? "" : "s");
    return 0;
}

int graph_dir_objects(struct backend *b, enum graph_dir d, json_t **out, struct backend_error *err)
{
    struct graph *g = b->impl;
    *out = NULL;
    if (!g->dir[d] && look_up(b, err) != 0) {
        for (int k = 0; k < GDIR__COUNT; k++) {
            json_decref(g->dir[k]);
            g->dir[k] = NULL;
        }
        return -1;
    }
    json_t *arr = json_array();
    const char *id;
    json_t *v;
    json_object_foreach(g->dir[d], id, v) json_array_append(arr, v);
    *out = arr;
    return 0;
}

/* ---- what a model names ---- */

struct walk {
    struct backend *b;
    struct backend_error *err;
    int rc;
};

static void want1(struct walk *w, const char *path, const char *key, const char *value)
{
    if (w->rc != 0 || !value)
        return;
    const char *v[1] = {value};
    if (backend_want(w->b, path, key, v, 1, w->err) != 0)
        w->rc = -1;
}

static void walk_refs(struct walk *w, const json_t *v)
{
    if (model_is_ref(v)) {
        const char *kind = json_string_value(json_object_get(v, "$ref"));
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *id = json_string_value(json_object_get(v, "id"));
        if (!kind)
            return;
        if (strcmp(kind, "user") == 0) {
            want1(w, "users", "userPrincipalName", name);
            want1(w, "users", "id", id);
        } else if (strcmp(kind, "group") == 0) {
            want1(w, "groups", "displayName", name);
            want1(w, "groups", "id", id);
        } else if (strcmp(kind, "servicePrincipal") == 0) {
            want1(w, "servicePrincipals", "displayName", name);
            want1(w, "servicePrincipals", "id", id);
            want1(w, "servicePrincipals", "appId", id);
        }
        return;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(util_json_mut(v), i, x) walk_refs(w, x);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(util_json_mut(v), k, x) walk_refs(w, x);
    }
}

int backend_want_model(struct backend *b, const struct model *m, struct backend_error *err)
{
    if (!b->ops->want)
        return 0; /* a backend that lists everything (file:): nothing to say, no walk */
    struct walk w = {b, err, 0};
    static const char *const none[1] = {NULL};
    /* switch every directory collection to look-up mode, even when nothing is named */
    const char *paths[] = {"users", "groups", "servicePrincipals"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++)
        if (backend_want(b, paths[i], "id", none, 0, err) != 0)
            return -1;
    if (m->manage_exclusive & (1u << MODEL_GROUP))
        if (backend_want(b, "groups", "id", NULL, 0, err) != 0)
            return -1;
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind == MODEL_GROUP) {
            want1(&w, "groups", "displayName", o->name);
            want1(&w, "groups", "displayName", o->renamed_from);
            want1(&w, "groups", "id", o->pinned_id);
            const char *rels[] = {"members", "owners"};
            for (size_t r = 0; r < 2; r++) {
                if (!json_object_get(o->extra, rels[r]))
                    continue;
                want1(&w, "groups", rels[r], o->name);
                want1(&w, "groups", rels[r], o->renamed_from);
                want1(&w, "groups", rels[r], o->pinned_id);
            }
        }
        if (o->kind == MODEL_USER) { /* a declared account: by its UPN, or its pinned id */
            want1(&w, "users", "userPrincipalName", o->name);
            want1(&w, "users", "id", o->pinned_id);
        }
        walk_refs(&w, o->body);
        walk_refs(&w, o->extra);
    }
    walk_refs(&w, m->emergency_access);
    walk_refs(&w, m->tests);
    return w.rc;
}

int backend_want_plan(struct backend *b, const json_t *plan, struct backend_error *err)
{
    struct walk w = {b, err, 0};
    static const char *const none[1] = {NULL};
    const char *paths[] = {"users", "groups", "servicePrincipals"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++)
        if (backend_want(b, paths[i], "id", none, 0, err) != 0)
            return -1;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(plan, "reads"), i, r)
    {
        const char *path = json_string_value(json_object_get(r, "path"));
        const char *name = json_string_value(json_object_get(r, "name"));
        if (!path)
            continue;
        if (strcmp(path, "groups") == 0) {
            want1(&w, "groups", "displayName", name);
        } else if (strcmp(path, "users") == 0) {
            want1(&w, "users", "userPrincipalName", name); /* a user the plan creates */
        } else if (strncmp(path, "users/", 6) == 0) {
            want1(&w, "users", "id", path + 6); /* a user the plan updates */
        } else if (strncmp(path, "groups/", 7) == 0) {
            const char *id = path + 7;
            const char *end = strchr(id, '/');
            char *gid = end ? xstrndup(id, (size_t)(end - id)) : xstrdup(id);
            want1(&w, "groups", "id", gid);
            if (end && (strcmp(end + 1, "members") == 0 || strcmp(end + 1, "owners") == 0))
                want1(&w, "groups", end + 1, gid);
            free(gid);
        }
    }
    return w.rc;
}
