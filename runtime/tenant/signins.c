/* signins.c — see signins.h. Graph: "List signIns" (Microsoft Graph v1.0 reference), paged with
 * @odata.nextLink; `Prefer: include-unknown-enum-members` makes Graph return the report-only
 * results of appliedConditionalAccessPolicy (reportOnlySuccess, ...) instead of
 * unknownFutureValue ("appliedConditionalAccessPolicy resource type"). */
#include "runtime/tenant/signins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/tenant/backend_graph.h"

static int scan_graph(struct backend *b, const char *since, signins_fn fn, void *ctx,
                      struct backend_error *err)
{
    struct graph *g = b->impl;
    char *filter = xasprintf("createdDateTime ge %s", since);
    char *enc = graph_url_encode(filter);
    char *next = xasprintf("/auditLogs/signIns?$filter=%s&$top=1000", enc);
    free(filter);
    free(enc);
    static const char *const headers[] = {"Prefer: include-unknown-enum-members", NULL};
    struct http_request_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.headers = headers;
    unsigned page = 0;
    size_t items = 0;
    int rc = 0;
    while (next && rc == 0) {
        struct http_response r;
        enum http_status st = http_request_ex(g->http, "GET", next, NULL, &opts, &r);
        free(next);
        next = NULL;
        page++;
        if (st != HTTP_STATUS_OK) {
            graph_error(err, &r, st);
            http_response_fini(&r);
            rc = -1;
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.body, "value"), i, it)
        {
            char where[96];
            snprintf(where, sizeof(where), "GET /auditLogs/signIns page %u item %zu", page, i + 1);
            items++;
            if ((rc = fn(it, where, ctx)) != 0)
                break;
        }
        const char *nl = json_string_value(json_object_get(r.body, "@odata.nextLink"));
        if (nl && rc == 0)
            next = xstrdup(nl);
        http_response_fini(&r);
    }
    graph_progress(g, "read %zu sign-ins (%u page%s)", items, page, page == 1 ? "" : "s");
    free(next);
    return rc;
}

int signins_scan(struct backend *b, const char *since, signins_fn fn, void *ctx,
                 struct backend_error *err)
{
    if (strcmp(b->ops->scheme, "graph") == 0)
        return scan_graph(b, since, fn, ctx, err);
    json_t *list = NULL;
    if (backend_read_list(b, "auditLogs/signIns", &list, err) != 0)
        return -1;
    int rc = 0;
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *t = json_string_value(json_object_get(it, "createdDateTime"));
        if (since && (!t || strcmp(t, since) < 0))
            continue;
        char where[96];
        snprintf(where, sizeof(where), "%s auditLogs/signIns item %zu", b->display, i + 1);
        if ((rc = fn(it, where, ctx)) != 0)
            break;
    }
    json_decref(list);
    return rc;
}
