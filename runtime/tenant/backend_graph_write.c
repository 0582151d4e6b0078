/* backend_graph_write.c — Graph writes for the graph: backend. A create (POST to a collection) is
 * sent with HTTP_REQ_CREATE: when its outcome is unknown (a timeout or reset after sending, a
 * 5xx, a truncated answer) the object is looked up by name before the POST is sent again, so a
 * retry never creates a duplicate. Requests that name an object this process created are sent
 * with HTTP_REQ_AFTER_CREATE (replication lag). A retried DELETE that finds the object gone, or
 * a retried member add that finds the member there, succeeded the first time. */
#include "runtime/tenant/backend_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/tenant/tenant_governance.h"

#define MAX_CREATE_TRIES 6

/* Collections whose POST creates an object, and how to find that object again. */
enum find_by {
    FIND_NAME,        /* displayName (groups: and mailNickname) */
    FIND_TEMPLATE,    /* groupSettings: templateId */
    FIND_ASSIGNMENT,  /* principalId + roleDefinitionId + directoryScopeId */
    FIND_ELIGIBILITY, /* the schedule the request creates or removes */
    FIND_ACTIVE,      /* the same for a time-bound active assignment */
    FIND_UPN,         /* users: userPrincipalName */
    FIND_GROUP_PIM,   /* PIM for Groups: the schedule of the group, principal and access */
};

static const struct {
    const char *path;
    enum find_by by;
} creates[] = {
    {"identity/conditionalAccess/policies", FIND_NAME},
    {"identity/conditionalAccess/namedLocations", FIND_NAME},
    {"policies/authenticationStrengthPolicies", FIND_NAME},
    {"groups", FIND_NAME},
    {"groupSettings", FIND_TEMPLATE},
    {"roleManagement/directory/roleAssignments", FIND_ASSIGNMENT},
    {"roleManagement/directory/roleEligibilityScheduleRequests", FIND_ELIGIBILITY},
    {"roleManagement/directory/roleAssignmentScheduleRequests", FIND_ACTIVE},
    {"users", FIND_UPN},
    {TENANT_PIM_GROUP_ELIG_REQ, FIND_GROUP_PIM},
    {TENANT_PIM_GROUP_ASSIGN_REQ, FIND_GROUP_PIM},
    {TENANT_ACCESS_REVIEWS, FIND_NAME},
};

static int create_kind(const char *method, const char *path)
{
    if (strcmp(method, "POST") != 0)
        return -1;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(creates); i++)
        if (strcmp(path, creates[i].path) == 0)
            return (int)i;
    return -1;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Does the request name an object created by this process (path or body)? */
static bool names_created(struct graph *g, const char *path, const json_t *body)
{
    if (json_object_size(g->created) == 0)
        return false;
    char *dump = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    bool hit = false;
    const char *id;
    json_t *v;
    json_object_foreach(g->created, id, v)
    {
        if (strstr(path, id) || (dump && strstr(dump, id))) {
            hit = true;
            break;
        }
    }
    free(dump);
    return hit;
}

/* An adminUpdate/adminExtend/adminRenew whose expiration the schedule already has (the end
 * compared to the second: Graph adds fractional seconds). */
static bool update_done(const json_t *schedule, const json_t *body)
{
    const char *action = str(body, "action");
    if (!action ||
        (strcasecmp(action, "adminUpdate") != 0 && strcasecmp(action, "adminExtend") != 0 &&
         strcasecmp(action, "adminRenew") != 0))
        return false;
    const json_t *want = json_object_get(json_object_get(body, "scheduleInfo"), "expiration");
    const json_t *have = json_object_get(json_object_get(schedule, "scheduleInfo"), "expiration");
    const char *wt = str(want, "type"), *ht = str(have, "type");
    if (!wt || !ht || strcasecmp(wt, ht) != 0)
        return false;
    const char *we = str(want, "endDateTime"), *he = str(have, "endDateTime");
    if (!we || !he)
        return !we && !he;
    return strlen(we) >= 19 && strlen(he) >= 19 && strncmp(we, he, 19) == 0;
}

static json_t *get_list(struct graph *g, const char *rel, struct backend_error *err)
{
    struct http_response r;
    enum http_status st = http_request(g->http, "GET", rel, NULL, &r);
    json_t *out = NULL;
    if (st != HTTP_STATUS_OK)
        graph_error(err, &r, st);
    else if (json_is_array(json_object_get(r.body, "value")))
        out = json_incref(json_object_get(r.body, "value"));
    else
        backend_error_set(err, r.status, NULL, "GET %s: the answer has no 'value' list", rel);
    http_response_fini(&r);
    return out;
}

static char *filter_url(const char *path, const char *filter)
{
    char *enc = graph_url_encode(filter);
    char *url = xasprintf("/%s?$filter=%s", path, enc);
    free(enc);
    return url;
}

static bool existed_before(struct graph *g, const char *path, const char *id)
{
    return id && json_object_get(json_object_get(g->before, path), id) != NULL;
}

/* The object an earlier POST of `body` to `path` created, or NULL. *found_gone is set for an
 * eligibility removal whose schedule is already gone. -1 when the look-up failed. */
static int find_created(struct graph *g, int ck, const char *path, const json_t *body,
                        json_t **found, struct backend_error *err)
{
    *found = NULL;
    char *q = NULL, *url = NULL;
    json_t *list = NULL;
    int rc = -1;
    switch (creates[ck].by) {
    case FIND_NAME: {
        const char *name = str(body, "displayName");
        if (!name) {
            rc = 0;
            goto out;
        }
        q = graph_odata_quote(name);
        char *f = xasprintf("displayName eq %s", q);
        url = filter_url(path, f);
        free(f);
        break;
    }
    case FIND_TEMPLATE:
        url = xasprintf("/%s", path);
        break;
    case FIND_UPN: {
        const char *upn = str(body, "userPrincipalName");
        if (!upn) {
            rc = 0;
            goto out;
        }
        q = graph_odata_quote(upn);
        char *f = xasprintf("userPrincipalName eq %s", q);
        url = filter_url(path, f);
        free(f);
        break;
    }
    case FIND_ASSIGNMENT:
    case FIND_ELIGIBILITY:
    case FIND_ACTIVE: {
        const char *p = str(body, "principalId"), *r = str(body, "roleDefinitionId");
        if (!p || !r) {
            rc = 0;
            goto out;
        }
        char *qp = graph_odata_quote(p), *qr = graph_odata_quote(r);
        char *f = xasprintf("principalId eq %s and roleDefinitionId eq %s", qp, qr);
        url = filter_url(creates[ck].by == FIND_ASSIGNMENT ? path
                         : creates[ck].by == FIND_ACTIVE
                             ? "roleManagement/directory/roleAssignmentSchedules"
                             : "roleManagement/directory/roleEligibilitySchedules",
                         f);
        free(f);
        free(qp);
        free(qr);
        break;
    }
    case FIND_GROUP_PIM: {
        const char *gid = str(body, "groupId"), *p = str(body, "principalId");
        if (!gid || !p) {
            rc = 0;
            goto out;
        }
        char *qg = graph_odata_quote(gid), *qp = graph_odata_quote(p);
        char *f = xasprintf("groupId eq %s and principalId eq %s", qg, qp);
        url = filter_url(strcmp(path, TENANT_PIM_GROUP_ELIG_REQ) == 0 ? TENANT_PIM_GROUP_ELIG
                                                                      : TENANT_PIM_GROUP_ASSIGN,
                         f);
        free(f);
        free(qg);
        free(qp);
        break;
    }
    }
    list = get_list(g, url, err);
    if (!list)
        goto out;
    json_t *best = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *id = str(it, "id");
        bool match = false;
        switch (creates[ck].by) {
        case FIND_NAME: {
            const char *nick = str(body, "mailNickname");
            match = str(it, "displayName") &&
                    strcmp(str(it, "displayName"), str(body, "displayName")) == 0 &&
                    (!nick || !str(it, "mailNickname") ||
                     strcasecmp(nick, str(it, "mailNickname")) == 0) &&
                    !existed_before(g, path, id);
            break;
        }
        case FIND_UPN:
            match = str(it, "userPrincipalName") &&
                    strcasecmp(str(it, "userPrincipalName"), str(body, "userPrincipalName")) == 0 &&
                    !existed_before(g, path, id);
            break;
        case FIND_TEMPLATE:
            match = str(it, "templateId") && str(body, "templateId") &&
                    strcasecmp(str(it, "templateId"), str(body, "templateId")) == 0 &&
                    !existed_before(g, path, id);
            break;
        case FIND_ASSIGNMENT:
        case FIND_ELIGIBILITY:
        case FIND_ACTIVE: {
            const char *want = str(body, "directoryScopeId"), *have = str(it, "directoryScopeId");
            match = !want || !have || strcmp(want, have) == 0;
            break;
        }
        case FIND_GROUP_PIM:
            match = str(it, "accessId") && str(body, "accessId") &&
                    strcmp(str(it, "accessId"), str(body, "accessId")) == 0;
            break;
        }
        if (!match)
            continue;
        /* several candidates: the newest */
        const char *c1 = str(it, "createdDateTime"),
                   *c0 = best ? str(best, "createdDateTime") : NULL;
        if (!best || (c1 && (!c0 || strcmp(c1, c0) > 0)))
            best = it;
    }
    if (creates[ck].by == FIND_ELIGIBILITY || creates[ck].by == FIND_ACTIVE ||
        creates[ck].by == FIND_GROUP_PIM) {
        const char *action = str(body, "action");
        bool removing = action && strcasecmp(action, "adminRemove") == 0;
        if (removing) /* done when the schedule is gone */
            *found =
                best ? NULL : json_pack("{s:s,s:s}", "action", "adminRemove", "status", "Revoked");
        else if (best && action && strcasecmp(action, "adminAssign") == 0)
            *found = json_incref(best);
        else if (best && action && update_done(best, body)) /* a renewal already made */
            *found = json_incref(best);
        rc = 0;
        goto out;
    }
    if (best)
        *found = json_incref(best);
    rc = 0;
out:
    json_decref(list);
    free(q);
    free(url);
    return rc;
}

static bool is_ref_add(const char *method, const char *path)
{
    size_t n = strlen(path);
    return strcmp(method, "POST") == 0 && n > 5 && strcmp(path + n - 5, "/$ref") == 0;
}

static bool message_has(const struct http_error *e, const char *needle)
{
    const char *hay[] = {e->message, e->inner_message};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(hay); i++)
        if (hay[i] && strstr(hay[i], needle))
            return true;
    return false;
}

static void forget(struct graph *g, const char *path)
{
    json_object_clear(g->cache);
    json_object_clear(g->frozen);
    if (strncmp(path, "groups/", 7) == 0 && g->dir[GDIR_GROUPS]) {
        const char *id = path + 7;
        const char *end = strchr(id, '/');
        char *gid = end ? xstrndup(id, (size_t)(end - id)) : xstrdup(id);
        json_object_del(g->dir[GDIR_GROUPS], gid);
        free(gid);
    }
}

int graph_write(struct backend *b, const char *method, const char *path, const json_t *body,
                json_t **result, struct backend_error *err)
{
    struct graph *g = b->impl;
    *result = NULL;
    int ck = create_kind(method, path);
    struct http_request_opts opts = {0};
    if (ck >= 0)
        opts.flags |= HTTP_REQ_CREATE;
    if (names_created(g, path, body))
        opts.flags |= HTTP_REQ_AFTER_CREATE;
    char *url = xasprintf("/%s", path);
    int rc = -1;
    forget(g, path);
    for (int attempt = 1;; attempt++) {
        struct http_response r;
        enum http_status st = http_request_ex(g->http, method, url, body, &opts, &r);
        if (st == HTTP_STATUS_OK) {
            *result = r.body ? json_incref(r.body) : NULL;
            if (ck >= 0 && str(r.body, "id"))
                json_object_set_new(g->created, str(r.body, "id"), json_true());
            http_response_fini(&r);
            rc = 0;
            break;
        }
        /* Already done: an earlier attempt of this very request went through (a reply lost
         * on the way back; libcurl also resends a request silently when a reused connection
         * dies before answering), or someone else did it. Either way the tenant is as wanted. */
        if (st == HTTP_STATUS_GRAPH_ERROR &&
            ((strcmp(method, "DELETE") == 0 && r.error.status == 404) ||
             (is_ref_add(method, path) && r.error.status == 400 &&
              message_has(&r.error, "already exist")))) {
            graph_progress(g, "%s %s: already done (%d), nothing to do", method, url,
                           r.error.status);
            http_response_fini(&r);
            rc = 0;
            break;
        }
        if (st != HTTP_STATUS_UNKNOWN_OUTCOME || ck < 0 || attempt >= MAX_CREATE_TRIES) {
            graph_error(err, &r, st);
            http_response_fini(&r);
            break;
        }
        http_response_fini(&r);
        json_t *found = NULL;
        struct backend_error le;
        if (find_created(g, ck, path, body, &found, &le) != 0) {
            backend_error_set(err, le.status, le.code,
                              "POST %s: the outcome is unknown and looking the object up failed "
                              "(%s); run plan again before applying",
                              url, le.message);
            break;
        }
        if (found && update_done(found, body)) {
            graph_progress(g,
                           "POST %s: outcome unknown; the eligibility already has the requested "
                           "end, not sending it again",
                           url);
            *result = found;
            rc = 0;
            break;
        }
        if (found) {
            const char *id = str(found, "id");
            graph_progress(g,
                           "POST %s: outcome unknown; found the object it created (%s), not "
                           "creating it again",
                           url, id ? id : "done");
            if (id)
                json_object_set_new(g->created, id, json_true());
            *result = found;
            rc = 0;
            break;
        }
        graph_progress(g, "POST %s: outcome unknown and no such object exists; sending it again",
                       url);
    }
    free(url);
    return rc;
}
