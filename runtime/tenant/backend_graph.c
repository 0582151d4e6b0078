/* backend_graph.c — the Microsoft Graph backend (`--tenant graph:`): connection, progress, and
 * reads. Each collection is read once per process (a cache keyed by path), with $select where
 * only some properties are compared and $top=999 where Graph allows it; users, groups and service
 * principals are looked up by name or id in batches (backend_graph_lookup.c) rather than listed.
 * Writes are in backend_graph_write.c. See docs/graph-backend.md. */
#include "runtime/tenant/backend_graph.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define P_POLICIES "identity/conditionalAccess/policies"

/* ---- what we read, and how ---- */

enum {
    RF_TOP = 1u << 0,      /* $top=999 is allowed */
    RF_OPTIONAL = 1u << 1, /* 400/403/404: the tenant has none (or we may not read it) */
    RF_SINGLE = 1u << 2,   /* a singleton object, not a collection */
};

static const struct {
    const char *path;
    const char *what; /* progress wording */
    unsigned flags;
} known[] = {
    {"organization", "organization", 0},
    {P_POLICIES, "conditional access policies", RF_TOP},
    {"identity/conditionalAccess/namedLocations", "named locations", RF_TOP},
    {"identity/conditionalAccess/authenticationContextClassReferences", "authentication contexts",
     RF_OPTIONAL},
    {"policies/authenticationStrengthPolicies", "authentication strengths", 0},
    {"policies/authenticationMethodsPolicy", "authentication methods policy", RF_SINGLE},
    {"policies/authorizationPolicy", "authorization policy", RF_SINGLE},
    {"policies/identitySecurityDefaultsEnforcementPolicy", "security defaults", RF_SINGLE},
    {"policies/adminConsentRequestPolicy", "admin consent workflow", RF_SINGLE | RF_OPTIONAL},
    {"groupSettings", "group settings", 0},
    {"groupLifecyclePolicies", "group expiration policy", RF_OPTIONAL},
    /* Graph v1.0 "Get onPremisesDirectorySynchronization": delegated only
     * (OnPremDirectorySynchronization.Read.All); 403 for an application is "not readable" */
    {"directory/onPremisesSynchronization", "on-premises directory synchronization", RF_OPTIONAL},
    {"groupSettingTemplates", "group setting templates", 0},
    {"subscribedSkus", "subscribed SKUs", RF_OPTIONAL},
    {"roleManagement/directory/roleDefinitions", "role definitions", 0},
    {"roleManagement/directory/roleAssignments", "role assignments", 0},
    {"roleManagement/directory/roleEligibilitySchedules", "role eligibilities", RF_OPTIONAL},
    {"roleManagement/directory/roleAssignmentSchedules", "time-bound role assignments",
     RF_OPTIONAL},
    {"identityGovernance/termsOfUse/agreements", "terms of use", RF_OPTIONAL},
    {"policies/roleManagementPolicies", "PIM role settings", RF_OPTIONAL},
    {"policies/roleManagementPolicyAssignments", "PIM role setting assignments", RF_OPTIONAL},
    {"identityGovernance/accessReviews/definitions", "access reviews", RF_OPTIONAL},
    {"users", "users", RF_TOP},
    {"groups", "groups", RF_TOP},
    {"servicePrincipals", "service principals", RF_TOP},
};

static int known_index(const char *path)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(known); i++)
        if (strcmp(path, known[i].path) == 0)
            return (int)i;
    return -1;
}

/* ---- messages ---- */

static void http_log_line(void *ctx, enum http_log_kind kind, const char *line)
{
    struct graph *g = ctx;
    if (kind == HTTP_LOG_DEBUG) {
        const char *p = getenv("IDPC_PROGRESS");
        if (p && strcmp(p, "debug") == 0)
            fprintf(stderr, "graph: %s\n", line);
        return;
    }
    graph_progress(g, "%s", line);
}

/* ---- small helpers ---- */

json_t *graph_cached(struct graph *g, const char *path)
{
    return json_object_get(g->cache, path);
}

static void cache_put(struct graph *g, const char *path, json_t *v)
{
    json_object_set(g->cache, path, v ? v : json_null());
    /* remember what existed before any write, for the look-up after an unknown create */
    if (json_is_array(v) && !json_object_get(g->before, path)) {
        json_t *ids = json_object();
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it)
        {
            const char *id = json_string_value(json_object_get(it, "id"));
            if (id)
                json_object_set_new(ids, id, json_true());
        }
        json_object_set_new(g->before, path, ids);
    }
}

static bool is_absent_status(int status, unsigned flags)
{
    if (status == 404)
        return true;
    return (flags & RF_OPTIONAL) && (status == 400 || status == 403);
}

/* Pages through a collection. `url` is relative or absolute; cb gets each page's value array.
 * *count receives @odata.count of the first page (-1 when absent). */
static int get_pages(struct graph *g, const char *url, const struct http_request_opts *opts,
                     json_t *all, long *count, unsigned *requests, int *absent_status,
                     struct backend_error *err)
{
    char *next = xstrdup(url);
    int rc = -1;
    if (count)
        *count = -1;
    bool first = true;
    while (next) {
        struct http_response r;
        enum http_status st = http_request_ex(g->http, "GET", next, NULL, opts, &r);
        if (requests)
            *requests += 1;
        if (st != HTTP_STATUS_OK) {
            if (absent_status)
                *absent_status = r.error.status;
            graph_error(err, &r, st);
            http_response_fini(&r);
            goto out;
        }
        json_t *value = json_object_get(r.body, "value");
        if (!json_is_array(value)) {
            backend_error_set(err, r.status, NULL, "GET %s: the answer has no 'value' list", url);
            http_response_fini(&r);
            goto out;
        }
        if (first && count) {
            json_t *c = json_object_get(r.body, "@odata.count");
            if (json_is_integer(c))
                *count = (long)json_integer_value(c);
        }
        first = false;
        json_array_extend(all, value);
        free(next);
        next = NULL;
        const char *nl = json_string_value(json_object_get(r.body, "@odata.nextLink"));
        if (nl)
            next = xstrdup(nl);
        http_response_fini(&r);
    }
    rc = 0;
out:
    free(next);
    return rc;
}

static void strip_context(json_t *v)
{
    if (!json_is_object(v))
        return;
    const char *k;
    void *tmp;
    json_t *x;
    json_object_foreach_safe(v, tmp, k, x)
    {
        if (strncmp(k, "@odata.", 7) == 0 && strcmp(k, "@odata.type") != 0)
            json_object_del(v, k);
    }
}

/* ---- Conditional Access policies, and the ones v1.0 does not show ---- */

/* Graph v1.0 has been seen to leave out policies that use beta-only features. The list asks for
 * @odata.count; when it exceeds what the pages held, the beta endpoint names the missing ones. */
static void check_hidden_policies(struct graph *g, json_t *list, long count)
{
    size_t n = json_array_size(list);
    if (count < 0 || (size_t)count <= n)
        return;
    json_t *ids = json_object();
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (id)
            json_object_set_new(ids, id, json_true());
    }
    const char *base = http_client_base_url(g->http);
    size_t bl = strlen(base);
    json_t *beta = json_array();
    bool named = false;
    if (bl >= 5 && strcmp(base + bl - 5, "/v1.0") == 0) {
        char *url = xasprintf("%.*s/beta/" P_POLICIES "?$select=id,displayName&$top=999",
                              (int)(bl - 5), base);
        struct backend_error e;
        named = get_pages(g, url, NULL, beta, NULL, NULL, NULL, &e) == 0;
        free(url);
    }
    json_decref(g->missing_policies);
    g->missing_policies = json_array();
    struct strbuf sb = STRBUF_INIT;
    json_array_foreach(beta, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (!id || json_object_get(ids, id))
            continue;
        const char *name = json_string_value(json_object_get(p, "displayName"));
        json_array_append_new(g->missing_policies,
                              json_pack("{s:s,s:s?}", "id", id, "displayName", name));
        strbuf_addf(&sb, "%s\n  %s \"%s\"", sb.len ? "" : "", id, name ? name : "");
    }
    if (named && json_array_size(g->missing_policies) > 0)
        graph_warning(g,
                      "Graph v1.0 lists %zu conditional access policies but the tenant has %ld; "
                      "these use beta-only features, are invisible to v1.0 and are neither "
                      "planned nor changed by idpc:%s",
                      n, count, strbuf_str(&sb));
    else
        graph_warning(g,
                      "Graph v1.0 lists %zu conditional access policies but counts %ld: %ld "
                      "policies (using beta-only features) are invisible to v1.0 and are neither "
                      "planned nor changed by idpc; the beta endpoint could not name them",
                      n, count, count - (long)n);
    strbuf_fini(&sb);
    json_decref(ids);
    json_decref(beta);
}

/* ---- reads ---- */

static int read_collection(struct backend *b, int ki, const char *path, json_t **out,
                           struct backend_error *err)
{
    struct graph *g = b->impl;
    unsigned flags = ki >= 0 ? known[ki].flags : 0;
    enum graph_dir d = graph_dir_of(path);
    struct strbuf url = STRBUF_INIT;
    strbuf_addf(&url, "/%s", path);
    char sep = '?';
    if (d != GDIR__COUNT) {
        strbuf_addf(&url, "%c$select=%s", sep, graph_dir_select(d));
        sep = '&';
    }
    if (flags & RF_TOP) {
        strbuf_addf(&url, "%c$top=999", sep);
        sep = '&';
    }
    /* PIM role settings: the directory's only (scope "/", type Directory), with their rules
     * (List roleManagementPolicies, List roleManagementPolicyAssignments, Graph v1.0) */
    if (strcmp(path, "policies/roleManagementPolicies") == 0 ||
        strcmp(path, "policies/roleManagementPolicyAssignments") == 0) {
        strbuf_addf(&url,
                    "%c$filter=scopeId%%20eq%%20%%27%%2F%%27%%20and%%20scopeType%%20eq%%20"
                    "%%27Directory%%27",
                    sep);
        sep = '&';
        if (strcmp(path, "policies/roleManagementPolicies") == 0)
            strbuf_addf(&url, "&$expand=rules");
    }
    bool policies = strcmp(path, P_POLICIES) == 0;
    if (policies)
        strbuf_addf(&url, "%c$count=true", sep);
    json_t *all = json_array();
    long count = -1;
    unsigned requests = 0;
    int absent = 0;
    int rc = get_pages(g, strbuf_str(&url), NULL, all, &count, &requests, &absent, err);
    strbuf_fini(&url);
    if (rc != 0) {
        json_decref(all);
        if (is_absent_status(absent, flags)) {
            graph_progress(g, "%s: not available (HTTP %d), read as none",
                           ki >= 0 ? known[ki].what : path, absent);
            cache_put(g, path, NULL);
            return 0;
        }
        return -1;
    }
    graph_progress(g, "read %zu %s (%u request%s)", json_array_size(all),
                   ki >= 0 ? known[ki].what : path, requests, requests == 1 ? "" : "s");
    if (policies)
        check_hidden_policies(g, all, count);
    cache_put(g, path, all);
    *out = all;
    return 0;
}

/* PATH?groupId=ID (tenant_governance.h) → Graph's filter for one group's PIM for Groups
 * schedules ("List eligibilitySchedules": $filter on groupId is required) or policy assignments
 * ("List roleManagementPolicyAssignments": scopeId and scopeType Group). */
static char *group_query_url(const char *path)
{
    const char *q = strstr(path, "?groupId=");
    char *gid = graph_odata_quote(q + 9);
    char *f = strncmp(path, "policies/", 9) == 0
                  ? xasprintf("scopeId eq %s and scopeType eq 'Group'", gid)
                  : xasprintf("groupId eq %s", gid);
    char *enc = graph_url_encode(f);
    char *url = xasprintf("/%.*s?$filter=%s", (int)(q - path), path, enc);
    free(enc);
    free(f);
    free(gid);
    return url;
}

/* "groups/{id}" (a group body), "groups/{id}/members|owners" (ids), or any other item. */
static int read_item(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    struct graph *g = b->impl;
    const char *slash = strchr(path, '/');
    bool group = slash && strncmp(path, "groups/", 7) == 0;
    const char *rel = group ? strchr(slash + 1, '/') : NULL;
    if (group && !rel) {
        /* a group looked up earlier in this process */
        json_t *known_g =
            g->dir[GDIR_GROUPS] ? json_object_get(g->dir[GDIR_GROUPS], slash + 1) : NULL;
        if (known_g) {
            *out = json_incref(known_g);
            return 0;
        }
    }
    char *url;
    if (group && !rel)
        url = xasprintf("/%s?$select=%s", path, graph_dir_select(GDIR_GROUPS));
    else if (group && (strcmp(rel, "/members") == 0 || strcmp(rel, "/owners") == 0))
        url = xasprintf("/%s?$select=id&$top=999", path);
    else if (strncmp(path, "policies/roleManagementPolicies/", 32) == 0 && !strchr(path + 32, '/'))
        url = xasprintf("/%s?$expand=rules", path); /* a PIM policy is read with its rules */
    else if (strstr(path, "?groupId="))
        url = group_query_url(path);
    else
        url = xasprintf("/%s", path);
    int rc = -1;
    struct http_response r;
    enum http_status st = http_request(g->http, "GET", url, NULL, &r);
    if (st != HTTP_STATUS_OK) {
        if (r.error.status == 404) {
            cache_put(g, path, NULL);
            rc = 0;
        } else {
            graph_error(err, &r, st);
        }
        goto out;
    }
    json_t *value = json_object_get(r.body, "value");
    if (json_is_array(value)) {
        json_t *all = json_array();
        json_array_extend(all, value);
        const char *nl = json_string_value(json_object_get(r.body, "@odata.nextLink"));
        if (nl && get_pages(g, nl, NULL, all, NULL, NULL, NULL, err) != 0) {
            json_decref(all);
            goto out;
        }
        cache_put(g, path, all);
        *out = all;
    } else {
        strip_context(r.body);
        cache_put(g, path, r.body);
        *out = json_incref(r.body);
    }
    rc = 0;
out:
    http_response_fini(&r);
    free(url);
    return rc;
}

/* A collection held as text (g->frozen) becomes the cached tree again. */
static void thaw_frozen(struct graph *g, const char *path)
{
    json_t *texts = json_object_get(g->frozen, path);
    if (!texts)
        return;
    json_t *all = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(texts, i, t)
    {
        json_error_t je;
        json_t *v = json_loadb(json_string_value(t), json_string_length(t),
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        if (!v)
            BUG("%s: an item held as text does not decode: %s", path, je.text);
        json_array_append_new(all, v);
    }
    json_object_set_new(g->cache, path, all);
    json_object_del(g->frozen, path);
}

int graph_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    struct graph *g = b->impl;
    *out = NULL;
    thaw_frozen(g, path);
    json_t *c = graph_cached(g, path);
    if (c) {
        *out = json_is_null(c) ? NULL : json_incref(c);
        return 0;
    }
    int ki = known_index(path);
    if (ki >= 0 && !(known[ki].flags & RF_SINGLE))
        return read_collection(b, ki, path, out, err);
    /* an item of a collection we read whole anyway (policies, locations, strengths, role
     * assignments...): picked from the collection, so that N items cost one request */
    const char *slash = strrchr(path, '/');
    if (ki < 0 && slash) {
        char *coll = xstrndup(path, (size_t)(slash - path));
        int ci = known_index(coll);
        int rc = 1;
        if (ci >= 0 && !(known[ci].flags & RF_SINGLE) && graph_dir_of(coll) == GDIR__COUNT) {
            json_t *list = NULL;
            rc = graph_read(b, coll, &list, err);
            size_t i;
            json_t *it;
            json_array_foreach(list, i, it)
            {
                const char *id = json_string_value(json_object_get(it, "id"));
                if (id && strcasecmp(id, slash + 1) == 0) {
                    *out = json_incref(it);
                    break;
                }
            }
            json_decref(list);
        }
        /* the PIM policies listed are the directory's (scope "/"): a group's is read alone */
        bool scoped = strcmp(coll, "policies/roleManagementPolicies") == 0;
        free(coll);
        if (rc < 0 || (rc == 0 && (*out || !scoped)))
            return rc;
    }
    if (ki >= 0) {
        /* singletons */
        struct http_response r;
        char *url = xasprintf("/%s", path);
        enum http_status st = http_request(g->http, "GET", url, NULL, &r);
        free(url);
        int rc = 0;
        if (st != HTTP_STATUS_OK) {
            if (is_absent_status(r.error.status, known[ki].flags)) {
                cache_put(g, path, NULL);
            } else {
                graph_error(err, &r, st);
                rc = -1;
            }
        } else {
            strip_context(r.body);
            graph_progress(g, "read the %s (1 request)", known[ki].what);
            cache_put(g, path, r.body);
            *out = json_incref(r.body);
        }
        http_response_fini(&r);
        return rc;
    }
    return read_item(b, path, out, err);
}

static bool want_field(const char *const *fields, size_t n, const char *k)
{
    if (strcmp(k, "@odata.type") == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (fields[i] && strcmp(fields[i], k) == 0)
            return true;
    return false;
}

static bool emit(const json_t *item, const char *const *fields, size_t nfields, backend_item_fn fn,
                 void *ctx)
{
    json_t *sel = json_object();
    const char *k;
    json_t *v;
    union {
        const json_t *c;
        json_t *m;
    } u = {.c = item};
    json_object_foreach(u.m, k, v)
    {
        if (want_field(fields, nfields, k))
            json_object_set(sel, k, v);
    }
    bool go = fn(sel, ctx);
    json_decref(sel);
    return go;
}

/* Lists a whole directory collection page by page (only when no want() narrowed it). */
static int scan_all(struct backend *b, enum graph_dir d, const char *const *fields, size_t nfields,
                    backend_item_fn fn, void *ctx, struct backend_error *err)
{
    struct graph *g = b->impl;
    struct strbuf sel = STRBUF_INIT;
    for (size_t i = 0; i < nfields; i++)
        if (fields[i])
            strbuf_addf(&sel, "%s%s", sel.len ? "," : "", fields[i]);
    char *next = xasprintf("/%s?$select=%s&$top=999", graph_dir_path(d), strbuf_str(&sel));
    strbuf_fini(&sel);
    unsigned requests = 0;
    size_t items = 0;
    int rc = -1;
    bool go = true;
    while (next && go) {
        struct http_response r;
        enum http_status st = http_request(g->http, "GET", next, NULL, &r);
        requests++;
        free(next);
        next = NULL;
        if (st != HTTP_STATUS_OK) {
            graph_error(err, &r, st);
            http_response_fini(&r);
            goto out;
        }
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.body, "value"), i, it)
        {
            items++;
            if (!(go = emit(it, fields, nfields, fn, ctx)))
                break;
        }
        const char *nl = json_string_value(json_object_get(r.body, "@odata.nextLink"));
        if (nl)
            next = xstrdup(nl);
        http_response_fini(&r);
    }
    graph_progress(g, "listed %zu %s (%u request%s)", items, graph_dir_path(d), requests,
                   requests == 1 ? "" : "s");
    rc = 0;
out:
    free(next);
    return rc;
}

static int g_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                  backend_item_fn fn, void *ctx, struct backend_error *err)
{
    struct graph *g = b->impl;
    enum graph_dir d = graph_dir_of(path);
    json_t *list = NULL;
    if (d != GDIR__COUNT && !graph_cached(g, path)) {
        if (!g->wants[d] || g->want_all[d])
            return scan_all(b, d, fields, nfields, fn, ctx, err);
        if (graph_dir_objects(b, d, &list, err) != 0)
            return -1;
    } else if (graph_read(b, path, &list, err) != 0) {
        return -1;
    }
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        if (!emit(it, fields, nfields, fn, ctx))
            break;
    }
    json_decref(list);
    return 0;
}

/* A collection's items whole as compact text. One read whole for it (not a directory, not
 * cached yet) is then held as text, not as a tree (g->frozen). */
static int g_scan_text(struct backend *b, const char *path, const char *const *fields,
                       size_t nfields, backend_text_fn fn, void *ctx, struct backend_error *err)
{
    (void)fields; /* every item is handed on whole */
    (void)nfields;
    struct graph *g = b->impl;
    int ki = known_index(path);
    bool hold = ki >= 0 && !(known[ki].flags & RF_SINGLE) && graph_dir_of(path) == GDIR__COUNT &&
                !graph_cached(g, path) && !json_object_get(g->frozen, path);
    json_t *list = NULL;
    if (hold ? read_collection(b, ki, path, &list, err) != 0 : graph_read(b, path, &list, err) != 0)
        return -1;
    json_t *texts = hold && json_is_array(list) ? json_array() : NULL;
    bool go = true;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        char *text = json_dumps(it, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            BUG("%s: an item cannot be written as text", path);
        if (go && json_is_object(it)) {
            char *derived = backend_freeze_derive(it);
            go = fn(it, text, strlen(text), NULL, derived, ctx);
            free(derived);
        }
        if (texts)
            json_array_append_new(texts, json_string_nocheck(text));
        free(text);
    }
    if (texts) {
        json_object_del(g->cache, path);
        json_object_set_new(g->frozen, path, texts);
    }
    json_decref(list);
    return 0;
}

static int g_lock(struct backend *b, struct backend_error *err)
{
    (void)err;
    struct graph *g = b->impl;
    /* a plan's reads must be fresh once we are about to write */
    json_object_clear(g->cache);
    json_object_clear(g->frozen);
    return 0;
}

static int g_commit(struct backend *b, struct backend_error *err)
{
    (void)err;
    struct graph *g = b->impl;
    graph_progress(g, "%zu writes, %llu HTTP requests in all", b->writes,
                   (unsigned long long)http_client_request_count(g->http));
    return 0;
}

static void g_unlock(struct backend *b)
{
    (void)b;
}

static void g_close(struct backend *b)
{
    struct graph *g = b->impl;
    if (!g)
        return;
    const char *rc = getenv("IDPC_GRAPH_REQUEST_COUNT");
    if (rc && *rc && g->http) {
        /* test and benchmark aid: the number of HTTP exchanges made (no secrets) */
        FILE *f = fopen(rc, "a");
        if (f) {
            fprintf(f, "%llu\n", (unsigned long long)http_client_request_count(g->http));
            fclose(f);
        }
    }
    http_client_free(g->http);
    auth_provider_free(g->auth);
    auth_config_fini(&g->cfg);
    json_decref(g->cache);
    json_decref(g->frozen);
    json_decref(g->before);
    json_decref(g->created);
    json_decref(g->missing_policies);
    for (int d = 0; d < GDIR__COUNT; d++) {
        json_decref(g->wants[d]);
        json_decref(g->dir[d]);
    }
    free(g);
    b->impl = NULL;
}

static const struct backend_ops graph_ops = {
    .scheme = "graph",
    .read = graph_read,
    .scan = g_scan,
    .scan_text = g_scan_text,
    .write = graph_write,
    .lock = g_lock,
    .commit = g_commit,
    .unlock = g_unlock,
    .close = g_close,
    .want = graph_want,
};

/* A number from the environment, or `dflt`. "off" reads as -1. */
static double env_number(const char *name, double dflt)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    if (strcmp(s, "off") == 0)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return dflt;
    return v;
}

static bool progress_wanted(void)
{
    const char *p = getenv("IDPC_PROGRESS");
    if (p && (strcmp(p, "1") == 0 || strcmp(p, "always") == 0 || strcmp(p, "debug") == 0))
        return true;
    if (p && (strcmp(p, "0") == 0 || strcmp(p, "never") == 0))
        return false;
    return isatty(STDERR_FILENO) != 0;
}

int backend_graph_open(struct backend *b, const char *arg, struct backend_error *err)
{
    struct graph *g = xcalloc(1, sizeof(*g));
    b->ops = &graph_ops;
    b->impl = g;
    g->cache = json_object();
    g->frozen = json_object();
    g->before = json_object();
    g->created = json_object();
    g->progress = progress_wanted();
    auth_config_init(&g->cfg);
    char *e = NULL;
    const char *cloud = arg && *arg ? arg : NULL;
    if (cloud) {
        enum auth_cloud c;
        if (!auth_cloud_from_name(cloud, &c)) {
            backend_error_set(err, 0, NULL,
                              "graph:%s: unknown cloud (expected graph:, graph:public, "
                              "graph:usgov, graph:usgov_dod or graph:china)",
                              cloud);
            goto fail;
        }
    }
    if (auth_config_from_env(&g->cfg, cloud, &e) != AUTH_OK) {
        backend_error_set(err, 0, NULL, "graph: %s", e ? e : "incomplete settings");
        goto fail;
    }
    struct http_client_config t = {0};
    t.ca_bundle = g->cfg.ca_bundle;
    t.log.fn = http_log_line;
    t.log.ctx = g;
    /* Graph allows 1 request/s on the Conditional Access paths, measured where it arrives:
     * keep a margin so that network jitter never brings two requests closer than 1 s */
    t.ca_rate = env_number("IDPC_CA_RATE", 0.95);
    t.backoff_initial = env_number("IDPC_HTTP_BACKOFF", 0);
    if (t.backoff_initial < 0)
        t.backoff_initial = 0;
    t.max_retry_time = env_number("IDPC_HTTP_MAX_RETRY_TIME", 0);
    if (t.max_retry_time < 0)
        t.max_retry_time = 0;
    if (auth_provider_new(&g->cfg, &t, &g->auth, &e) != AUTH_OK) {
        backend_error_set(err, 0, NULL, "graph: %s", e ? e : "cannot set up authentication");
        goto fail;
    }
    t.base_url = g->cfg.graph_base;
    t.auth = auth_provider_http_auth(g->auth);
    g->http = http_client_new(&t, &e);
    if (!g->http) {
        backend_error_set(err, 0, NULL, "graph: %s", e ? e : "cannot set up the HTTP client");
        goto fail;
    }
    free(b->display);
    b->display = xasprintf("graph:%s", g->cfg.tenant_id ? g->cfg.tenant_id : "");
    /* the cloud as auth_config_from_env() chose it; a saved plan records "graph:<cloud>", which
     * `idpc apply PLAN` opens as is (the tenant id comes from AZURE_TENANT_ID and is checked) */
    enum auth_cloud cl = AUTH_CLOUD_PUBLIC;
    const char *cn = cloud ? cloud : getenv("IDPC_CLOUD");
    if (cn && *cn)
        (void)auth_cloud_from_name(cn, &cl);
    b->cloud = xstrdup(auth_cloud_name(cl));
    b->reopen = xasprintf("graph:%s", b->cloud);
    return 0;
fail:
    free(e);
    g_close(b);
    return -1;
}
