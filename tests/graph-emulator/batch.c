/* JSON batching: POST /v1.0/$batch with up to 20 requests, dependsOn and 424 Failed Dependency. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 20

enum state {
    PENDING,
    RUNNING,
    DONE
};

struct item {
    json_t *in;
    json_t *out;
    enum state state;
    int status;
};

struct batch {
    struct emu_ctx *ctx;
    const struct emu_req *outer;
    struct item items[MAX_BATCH];
    size_t n;
};

static void parse_query(struct emu_req *r, const char *q)
{
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        if (len) {
            r->q = emu_xrealloc(r->q, (r->nq + 1) * sizeof *r->q);
            size_t klen = eq ? (size_t)(eq - q) : len;
            r->q[r->nq].name = emu_url_decode(q, klen, false);
            r->q[r->nq].value =
                eq ? emu_url_decode(eq + 1, len - klen - 1, false) : emu_xstrdup("");
            r->nq++;
        }
        q += len;
        if (*q == '&')
            q++;
    }
}

static const char *header_ci(json_t *headers, const char *name)
{
    const char *k;
    json_t *v;
    json_object_foreach(headers, k, v) if (emu_strieq(k, name)) return json_string_value(v);
    return NULL;
}

static struct item *find_item(struct batch *b, const char *id)
{
    for (size_t i = 0; i < b->n; i++)
        if (emu_strieq(json_string_value(json_object_get(b->items[i].in, "id")), id))
            return &b->items[i];
    return NULL;
}

static json_t *failed_dependency(const char *id)
{
    char date[32], rid[37];
    emu_date_now(date, sizeof date);
    emu_guid(rid);
    return json_pack("{s:s, s:i, s:{s:s}, s:{s:{s:s, s:s, s:{s:s, s:s, s:s}}}}", "id", id, "status",
                     424, "headers", "Content-Type", "application/json", "body", "error", "code",
                     "FailedDependency", "message",
                     "The request could not be processed because a request it depends on "
                     "failed.",
                     "innerError", "date", date, "request-id", rid, "client-request-id", rid);
}

static void run(struct batch *b, struct item *it)
{
    if (it->state == DONE)
        return;
    const char *id = json_string_value(json_object_get(it->in, "id"));
    if (it->state == RUNNING) { /* a cycle */
        it->out = failed_dependency(id);
        it->status = 424;
        it->state = DONE;
        return;
    }
    it->state = RUNNING;
    size_t i;
    json_t *dep;
    json_array_foreach(json_object_get(it->in, "dependsOn"), i, dep)
    {
        struct item *d = find_item(b, json_string_value(dep));
        if (d)
            run(b, d);
        if (it->state == DONE)
            return;
        if (!d || d->status < 200 || d->status > 299) {
            it->out = failed_dependency(id);
            it->status = 424;
            it->state = DONE;
            return;
        }
    }
    struct emu_req r = {0};
    struct emu_resp resp = {0};
    const char *url = json_string_value(json_object_get(it->in, "url"));
    json_t *headers = json_object_get(it->in, "headers");
    while (*url == '/')
        url++;
    const char *qm = strchr(url, '?');
    struct emu_buf path = {0};
    emu_buf_adds(&path, "/v1.0/");
    char *raw = emu_xstrndup(url, qm ? (size_t)(qm - url) : strlen(url));
    char *dec = emu_url_decode(raw, strlen(raw), false);
    emu_buf_adds(&path, dec);
    free(raw);
    free(dec);
    r.method = emu_xstrdup(json_string_value(json_object_get(it->in, "method")));
    for (char *p = r.method; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    r.path = emu_buf_steal(&path);
    parse_query(&r, qm ? qm + 1 : NULL);
    r.authorization = b->outer->authorization ? emu_xstrdup(b->outer->authorization) : NULL;
    const char *h = header_ci(headers, "ConsistencyLevel");
    r.consistency = h ? emu_xstrdup(h) : NULL;
    h = header_ci(headers, "Content-Type");
    r.content_type = h ? emu_xstrdup(h) : NULL;
    h = header_ci(headers, "client-request-id");
    r.client_request_id = h ? emu_xstrdup(h) : NULL;
    r.base = emu_xstrdup(b->outer->base);
    r.in_batch = true;
    json_t *body = json_object_get(it->in, "body");
    if (json_is_object(body) || json_is_array(body)) {
        r.json = json_incref(body);
        r.body = json_dumps(body, JSON_COMPACT);
        r.body_len = strlen(r.body);
    } else if (json_is_string(body)) {
        size_t n;
        unsigned char *d = emu_b64url_decode(json_string_value(body), json_string_length(body), &n);
        r.body = d ? emu_xstrndup((const char *)d, n) : emu_xstrdup("");
        r.body_len = d ? n : 0;
        free(d);
    } else {
        r.body = emu_xstrdup("");
    }
    emu_guid(resp.request_id);
    emu_dispatch(b->ctx, &r, &resp);
    emu_log_inner(&r, resp.status, resp.request_id);
    json_t *rh = json_pack("{s:s, s:s, s:s}", "Cache-Control", "no-cache", "request-id",
                           resp.request_id, "x-ms-resource-unit", "1");
    if (resp.status != 204) {
        json_object_set_new(rh, "OData-Version", json_string("4.0"));
        json_object_set_new(rh, "Content-Type",
                            json_string(resp.text ? "text/plain"
                                                  : "application/json;odata.metadata=minimal;"
                                                    "odata.streaming=true;IEEE754Compatible=false;"
                                                    "charset=utf-8"));
    }
    if (resp.retry_after[0])
        json_object_set_new(rh, "Retry-After", json_string(resp.retry_after));
    if (resp.location[0])
        json_object_set_new(rh, "Location", json_string(resp.location));
    it->out = json_pack("{s:s, s:i, s:o}", "id", id, "status", resp.status, "headers", rh);
    if (resp.text) {
        long n;
        json_object_set_new(it->out, "body",
                            emu_parse_long(resp.text, &n) ? json_integer(n)
                                                          : json_string(resp.text));
    } else if (resp.body && resp.status != 204) {
        json_object_set(it->out, "body", resp.body);
    }
    it->status = resp.status;
    it->state = DONE;
    emu_req_free(&r);
    emu_resp_free(&resp);
}

void emu_batch(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp)
{
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    struct batch b = {.ctx = ctx, .outer = req};
    json_t *reqs = json_object_get(body, "requests");
    if (!json_is_array(reqs) || !json_array_size(reqs)) {
        emu_error(resp, 400, "BadRequest", "Invalid batch payload format: 'requests' is missing.");
        goto out;
    }
    if (json_array_size(reqs) > MAX_BATCH) {
        emu_error(resp, 400, "BadRequest",
                  "The number of requests in a batch exceeds the limit of 20.");
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(reqs, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *method = json_string_value(json_object_get(r, "method"));
        const char *url = json_string_value(json_object_get(r, "url"));
        if (!id || !*id || !method || !url) {
            emu_error(resp, 400, "BadRequest",
                      "Invalid batch payload format: every request needs id, method and url.");
            goto out;
        }
        if (find_item(&b, id)) {
            char msg[200];
            snprintf(msg, sizeof msg, "Batch request ids must be unique; '%s' repeats.", id);
            emu_error(resp, 400, "BadRequest", msg);
            goto out;
        }
        if (strncmp(url, "http", 4) == 0) {
            emu_error(resp, 400, "BadRequest", "Batch request urls must be relative.");
            goto out;
        }
        json_t *rb = json_object_get(r, "body");
        if (rb && !json_is_null(rb) && !header_ci(json_object_get(r, "headers"), "Content-Type")) {
            emu_error(resp, 400, "BadRequest",
                      "A batch request with a body needs a Content-Type header.");
            goto out;
        }
        b.items[b.n++].in = r;
    }
    for (i = 0; i < b.n; i++) {
        size_t j;
        json_t *dep;
        json_array_foreach(json_object_get(b.items[i].in, "dependsOn"), j, dep)
        {
            if (!json_is_string(dep) || !find_item(&b, json_string_value(dep))) {
                emu_error(resp, 400, "BadRequest",
                          "dependsOn names a request id that is not in the batch.");
                goto out;
            }
        }
    }
    json_t *responses = json_array();
    for (i = 0; i < b.n; i++) {
        run(&b, &b.items[i]);
        json_array_append(responses, b.items[i].out);
    }
    emu_ok(resp, 200, json_pack("{s:o}", "responses", responses));
out:
    for (i = 0; i < b.n; i++)
        json_decref(b.items[i].out);
    json_decref(body);
}
