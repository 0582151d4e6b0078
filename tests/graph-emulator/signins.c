/* signins.c — GET /auditLogs/signIns ("List signIns", Graph v1.0): the state's
 * "auditLogs/signIns" collection, newest first, filtered on createdDateTime (ge, gt, le, lt,
 * joined by and; the literal is an unquoted DateTimeOffset), paged with $top (at most 1000) and
 * an opaque $skiptoken in @odata.nextLink. Directory throttling (--directory-throttle) covers
 * these requests like every other non-CA path, so clients meet 429 with Retry-After here too. */
#include <stdlib.h>
#include <string.h>

#include "emu.h"

struct cond {
    char op[3];
    char value[40];
};

/* "createdDateTime ge 2025-05-01T00:00:00Z and createdDateTime lt ..." -> conds; false when the
 * clause is anything else. */
static bool parse_filter(const char *f, struct cond *c, size_t *n)
{
    *n = 0;
    const char *p = f;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*n == 4 || !emu_istarts(p, "createdDateTime "))
            return false;
        p += strlen("createdDateTime ");
        while (*p == ' ')
            p++;
        size_t k = 0;
        while (p[k] && p[k] != ' ' && k < 2)
            k++;
        if (k != 2 || p[k] != ' ')
            return false;
        memcpy(c[*n].op, p, 2);
        c[*n].op[2] = '\0';
        if (strcmp(c[*n].op, "ge") && strcmp(c[*n].op, "gt") && strcmp(c[*n].op, "le") &&
            strcmp(c[*n].op, "lt"))
            return false;
        p += 3;
        while (*p == ' ')
            p++;
        size_t v = 0;
        while (p[v] && p[v] != ' ')
            v++;
        if (v < 10 || v >= sizeof(c[*n].value) || p[4] != '-' || p[7] != '-')
            return false;
        memcpy(c[*n].value, p, v);
        c[*n].value[v] = '\0';
        (*n)++;
        p += v;
        while (*p == ' ')
            p++;
        if (!*p)
            return true;
        if (!emu_istarts(p, "and "))
            return false;
        p += 4;
    }
}

/* Compares two ISO 8601 UTC times by their first 19 characters (YYYY-MM-DDTHH:MM:SS). */
static int cmp_time(const char *a, const char *b)
{
    return strncmp(a, b, 19);
}

static bool keep(const json_t *it, const struct cond *c, size_t n)
{
    const char *t = json_string_value(json_object_get(it, "createdDateTime"));
    if (!t)
        return false;
    for (size_t i = 0; i < n; i++) {
        int d = cmp_time(t, c[i].value);
        bool ok = !strcmp(c[i].op, "ge")   ? d >= 0
                  : !strcmp(c[i].op, "gt") ? d > 0
                  : !strcmp(c[i].op, "le") ? d <= 0
                                           : d < 0;
        if (!ok)
            return false;
    }
    return true;
}

static int newest_first(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *tx = json_string_value(json_object_get(x, "createdDateTime"));
    const char *ty = json_string_value(json_object_get(y, "createdDateTime"));
    int d = cmp_time(ty ? ty : "", tx ? tx : "");
    if (d)
        return d;
    const char *ix = json_string_value(json_object_get(x, "id"));
    const char *iy = json_string_value(json_object_get(y, "id"));
    return strcmp(ix ? ix : "", iy ? iy : "");
}

bool emu_signins_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                       char **seg, size_t nseg)
{
    if (nseg != 2 || strcmp(seg[0], "auditLogs") != 0 || strcmp(seg[1], "signIns") != 0)
        return false;
    if (strcmp(req->method, "GET") != 0) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return true;
    }
    struct cond c[4];
    size_t nc = 0;
    const char *f = emu_req_param(req, "$filter");
    if (f && !parse_filter(f, c, &nc)) {
        emu_error(resp, 400, "Request_UnsupportedQuery",
                  "Invalid filter clause: only createdDateTime ge|gt|le|lt DATETIME joined by "
                  "'and' is supported here.");
        return true;
    }
    long top = 1000;
    const char *ts = emu_req_param(req, "$top");
    if (ts && (!emu_parse_long(ts, &top) || top < 1 || top > 1000)) {
        emu_error(resp, 400, "Request_BadRequest", "Invalid value for $top: 1 to 1000.");
        return true;
    }
    long offset = 0;
    const char *tok = emu_req_param(req, "$skiptoken");
    if (tok) {
        size_t n;
        unsigned char *raw = emu_b64url_decode(tok, strlen(tok), &n);
        char *s = raw ? emu_xstrndup((const char *)raw, n) : NULL;
        free(raw);
        bool ok =
            s && strncmp(s, "signins:", 8) == 0 && emu_parse_long(s + 8, &offset) && offset >= 0;
        free(s);
        if (!ok) {
            emu_error(resp, 400, "Request_BadRequest", "Invalid $skiptoken.");
            return true;
        }
    }
    json_t *all = emu_coll(ctx, "auditLogs/signIns");
    size_t total = json_array_size(all), n = 0;
    json_t **v = emu_xcalloc(total + 1, sizeof(*v));
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it) if (keep(it, c, nc)) v[n++] = it;
    qsort(v, n, sizeof(*v), newest_first);
    json_t *page = json_array();
    for (size_t k = (size_t)offset; k < n && k < (size_t)offset + (size_t)top; k++)
        json_array_append(page, v[k]);
    free(v);
    struct emu_buf b = {0};
    emu_buf_addf(&b, "%s/v1.0/$metadata#auditLogs/signIns", req->base);
    json_t *out = json_pack("{s:s,s:o}", "@odata.context", b.data, "value", page);
    emu_buf_free(&b);
    if ((size_t)offset + (size_t)top < n) {
        struct emu_buf nl = {0};
        emu_buf_addf(&nl, "%s%s?", req->base, req->path);
        for (size_t q = 0; q < req->nq; q++) {
            if (emu_strieq(req->q[q].name, "$skiptoken"))
                continue;
            emu_url_encode(&nl, req->q[q].name);
            emu_buf_adds(&nl, "=");
            emu_url_encode(&nl, req->q[q].value);
            emu_buf_adds(&nl, "&");
        }
        char raw[48];
        int rn = snprintf(raw, sizeof raw, "signins:%ld", offset + top);
        emu_buf_adds(&nl, "$skiptoken=");
        emu_b64url_encode(&nl, (const unsigned char *)raw, (size_t)rn);
        json_object_set_new(out, "@odata.nextLink", json_string(nl.data));
        emu_buf_free(&nl);
    }
    emu_ok(resp, 200, out);
    return true;
}
