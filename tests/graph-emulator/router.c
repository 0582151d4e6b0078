/* Request dispatch: authentication, throttling, the error envelope, and routing to resource modules. */
#include "emu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void emu_error_inner(struct emu_resp *resp, int status, const char *code, const char *message,
                     const char *inner_message)
{
    char date[32];
    emu_date_now(date, sizeof date);
    json_t *inner = json_object();
    if (inner_message)
        json_object_set_new(inner, "message", json_string(inner_message));
    json_object_set_new(inner, "date", json_string(date));
    json_object_set_new(inner, "request-id", json_string(resp->request_id));
    json_object_set_new(
        inner, "client-request-id",
        json_string(resp->client_request_id[0] ? resp->client_request_id : resp->request_id));
    json_decref(resp->body);
    resp->body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message,
                           "innerError", inner);
    resp->status = status;
}

void emu_error(struct emu_resp *resp, int status, const char *code, const char *message)
{
    emu_error_inner(resp, status, code, message, NULL);
}

void emu_error_not_found(struct emu_resp *resp, const char *id)
{
    char msg[512];
    snprintf(msg, sizeof msg,
             "Resource '%s' does not exist or one of its queried reference-property objects are "
             "not present.",
             id);
    emu_error(resp, 404, "Request_ResourceNotFound", msg);
}

void emu_error_bad(struct emu_resp *resp, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emu_error(resp, 400, "Request_BadRequest", msg);
}

void emu_ok(struct emu_resp *resp, int status, json_t *body)
{
    json_decref(resp->body);
    resp->status = status;
    resp->body = body;
}

json_t *emu_entity(const struct emu_req *req, const char *context, json_t *obj)
{
    json_t *out = json_object();
    struct emu_buf ctxname = {0};
    emu_buf_addf(&ctxname, "%s/v1.0/$metadata#%s", req->base, context);
    json_t *sel = NULL;
    if (emu_req_param(req, "$select") && strcmp(req->method, "GET") == 0) {
        sel = emu_select(req, obj);
        /* #users/$entity -> #users(a,b)/$entity */
        char *slash = strstr(ctxname.data, "/$entity");
        if (slash) {
            struct emu_buf b = {0};
            emu_buf_add(&b, ctxname.data, (size_t)(slash - ctxname.data));
            emu_select_context(req, &b);
            emu_buf_adds(&b, "/$entity");
            emu_buf_free(&ctxname);
            ctxname = b;
        }
    }
    json_object_set_new(out, "@odata.context", json_string(ctxname.data));
    json_object_update(out, sel ? sel : obj);
    json_decref(sel);
    emu_buf_free(&ctxname);
    return out;
}

bool emu_body_object(const struct emu_req *req, struct emu_resp *resp, json_t **out)
{
    json_t *v = req->json ? json_incref(req->json) : NULL;
    if (!v && req->body_len) {
        json_error_t err;
        v = json_loadb(req->body, req->body_len, 0, &err);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        emu_error(resp, 400, "BadRequest", "Empty Payload. JSON content expected.");
        if (req->body_len)
            emu_error(resp, 400, "BadRequest",
                      "Unable to read JSON request payload. Please "
                      "ensure Content-Type header is set and payload is "
                      "of valid JSON format.");
        return false;
    }
    *out = v;
    return true;
}

static bool is_ca_path(const char *p)
{
    return emu_istarts(p, "/v1.0/identity/conditionalAccess/");
}

/* 1 request per second per tenant on the CA endpoints; 429 with no Retry-After. */
static bool ca_throttled(struct emu_ctx *ctx)
{
    double now = emu_now();
    if (ctx->ca_last > 0 && now - ctx->ca_last < 1.0)
        return true;
    ctx->ca_last = now;
    return false;
}

static bool dir_throttled(struct emu_ctx *ctx, struct emu_resp *resp)
{
    double now = emu_now();
    if (now - ctx->dir_window >= 1.0) {
        ctx->dir_window = now;
        ctx->dir_count = 0;
    }
    ctx->dir_count++;
    if ((double)ctx->dir_count <= ctx->cfg.directory_throttle)
        return false;
    double wait = ctx->dir_window + 1.0 - now;
    if (wait < 0.001)
        wait = 0.001;
    snprintf(resp->retry_after, sizeof resp->retry_after, "%.3f", wait);
    return true;
}

static void throttle_error(struct emu_resp *resp)
{
    char date[32];
    emu_date_now(date, sizeof date);
    json_decref(resp->body);
    resp->body = json_pack(
        "{s:{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}}", "error", "code", "TooManyRequests",
        "message", "Please retry again later.", "innerError", "code", "429", "date", date,
        "message", "Please retry after", "request-id", resp->request_id, "client-request-id",
        resp->client_request_id[0] ? resp->client_request_id : resp->request_id, "status", "429");
    resp->status = 429;
}

/* Splits the path below /v1.0 into segments; OData keys name('x') become two segments. */
static size_t split_path(const char *path, char ***out)
{
    size_t n = 0, cap = 8;
    char **seg = emu_xcalloc(cap, sizeof *seg);
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        char *s = emu_xstrndup(start, (size_t)(p - start));
        char *paren = strchr(s, '(');
        size_t len = strlen(s);
        if (n + 2 >= cap) {
            cap *= 2;
            seg = emu_xrealloc(seg, cap * sizeof *seg);
        }
        if (paren && paren != s && len > 0 && s[len - 1] == ')') {
            s[len - 1] = '\0';
            char *key = paren + 1;
            size_t klen = strlen(key);
            if (klen >= 2 && key[0] == '\'' && key[klen - 1] == '\'') {
                key[klen - 1] = '\0';
                key++;
            }
            *paren = '\0';
            seg[n++] = emu_xstrdup(s);
            seg[n++] = emu_xstrdup(key);
            free(s);
        } else {
            seg[n++] = s;
        }
    }
    *out = seg;
    return n;
}

static void graph(struct emu_ctx *ctx, struct emu_req *req, struct emu_resp *resp)
{
    const char *why = NULL;
    if (!emu_token_valid(ctx, req->authorization, &why)) {
        emu_error(resp, 401, "InvalidAuthenticationToken", why);
        return;
    }
    bool batch = strcmp(req->path, "/v1.0/$batch") == 0;
    if (is_ca_path(req->path)) {
        if (ctx->cfg.ca_throttle && ca_throttled(ctx)) {
            throttle_error(resp);
            return;
        }
    } else if (!batch && ctx->cfg.directory_throttle > 0 && dir_throttled(ctx, resp)) {
        throttle_error(resp);
        return;
    }
    if (batch) {
        if (req->in_batch) {
            emu_error(resp, 400, "BadRequest", "Nested batch requests are not supported.");
            return;
        }
        if (strcmp(req->method, "POST") != 0) {
            emu_error(resp, 405, "Request_BadRequest",
                      "Specified HTTP method is not allowed for the request target.");
            return;
        }
        emu_batch(ctx, req, resp);
        return;
    }
    char **seg;
    size_t nseg = split_path(req->path + strlen("/v1.0"), &seg);
    bool done = nseg > 0 && (emu_ca_route(ctx, req, resp, seg, nseg) ||
                             emu_governance_route(ctx, req, resp, seg, nseg) ||
                             emu_pim_route(ctx, req, resp, seg, nseg) ||
                             emu_pol_route(ctx, req, resp, seg, nseg) ||
                             emu_dir_route(ctx, req, resp, seg, nseg) ||
                             emu_settings_route(ctx, req, resp, seg, nseg) ||
                             emu_signins_route(ctx, req, resp, seg, nseg));
    if (!done) {
        char msg[512];
        snprintf(msg, sizeof msg, "Resource not found for the segment '%s'.",
                 nseg ? seg[nseg - 1] : "v1.0");
        emu_error(resp, 400, "BadRequest", msg);
    }
    for (size_t i = 0; i < nseg; i++)
        free(seg[i]);
    free(seg);
}

void emu_dispatch(struct emu_ctx *ctx, struct emu_req *req, struct emu_resp *resp)
{
    resp->status = 500;
    if (!resp->request_id[0])
        emu_guid(resp->request_id);
    if (req->client_request_id)
        snprintf(resp->client_request_id, sizeof resp->client_request_id, "%s",
                 req->client_request_id);
    if (strncmp(req->path, "/v1.0/", 6) == 0 || strcmp(req->path, "/v1.0") == 0) {
        graph(ctx, req, resp);
        return;
    }
    /* /{tenant}/oauth2/v2.0/token */
    const char *p = req->path + 1;
    const char *slash = strchr(p, '/');
    if (slash && strcmp(slash, "/oauth2/v2.0/token") == 0 && !req->in_batch) {
        char *tenant = emu_xstrndup(p, (size_t)(slash - p));
        emu_token(ctx, tenant, req, resp);
        free(tenant);
        return;
    }
    emu_error(resp, 404, "NotFound", "The requested resource does not exist on this server.");
}
