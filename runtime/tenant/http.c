/* http.c — see http.h. One curl easy handle per client (connection reuse, HTTP/2 over TLS);
 * every exchange goes through exchange(); retry policy lives in http_request_ex(). */
#include "runtime/tenant/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_REQUEST_TIMEOUT_MS 60000L
#define DEFAULT_MAX_RETRY_TIME     180.0
#define DEFAULT_BACKOFF_INITIAL    1.0
#define DEFAULT_BACKOFF_MAX        60.0
#define DEFAULT_REPLICATION_WAIT   120.0
#define REPLICATION_BACKOFF_MAX    10.0
#define MAX_BODY_BYTES             (256u * 1024u * 1024u)
#define MAX_PAGES                  100000
#define MAX_ATTEMPTS               64 /* even with "Retry-After: 0" forever */

static const char *const default_ca_prefixes[] = {"/identity/conditionalAccess/", NULL};

struct http_client {
    CURL *curl;
    char *base_url;  /* no trailing '/' */
    char *scheme;    /* lower case */
    char *host;      /* lower case */
    char *port;      /* decimal, default port filled in */
    char *base_path; /* "/v1.0" or "" */
    char *ca_bundle;
    bool plain_http;
    long connect_timeout_ms, request_timeout_ms;
    double max_retry_time, backoff_initial, backoff_max, replication_wait;
    double ca_rate, ca_burst, ca_tokens, ca_last;
    bool ca_started;
    char **ca_prefixes;
    uint64_t rng;
    struct http_auth auth;
    struct http_clock clock;
    struct http_log log;
    uint64_t requests;
    char *last_token; /* copy of the last bearer, for redaction of error text; cleansed */
};

/* ---- small helpers ---- */

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static char *xstrdup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void lower_in_place(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Replaces every occurrence of `needle` in *s with "[redacted]". */
static void redact_exact(char **s, const char *needle)
{
    if (!*s || !needle || strlen(needle) < 4 || !strstr(*s, needle))
        return;
    struct strbuf sb = STRBUF_INIT;
    const char *p = *s, *hit;
    size_t n = strlen(needle);
    while ((hit = strstr(p, needle))) {
        strbuf_add(&sb, p, (size_t)(hit - p));
        strbuf_adds(&sb, "[redacted]");
        p = hit + n;
    }
    strbuf_adds(&sb, p);
    free(*s);
    *s = strbuf_detach(&sb);
}

/* `secret` percent-encoded as application/x-www-form-urlencoded (RFC 3986 unreserved characters
 * kept), with upper- or lower-case hex digits, spaces as %20 or '+'. */
static char *form_encoded(const char *secret, bool lower, bool plus)
{
    const char *hex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
    struct strbuf sb = STRBUF_INIT;
    for (const unsigned char *v = (const unsigned char *)secret; *v; v++) {
        if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
            *v == '-' || *v == '.' || *v == '_' || *v == '~') {
            strbuf_addc(&sb, (char)*v);
        } else if (*v == ' ' && plus) {
            strbuf_addc(&sb, '+');
        } else {
            strbuf_addc(&sb, '%');
            strbuf_addc(&sb, hex[*v >> 4]);
            strbuf_addc(&sb, hex[*v & 15]);
        }
    }
    return strbuf_detach(&sb);
}

/* `secret` as the inside of a JSON string, as jansson writes it with `flags`. */
static char *json_escaped(const char *secret, size_t flags)
{
    json_t *j = json_string(secret);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | flags) : NULL;
    json_decref(j);
    if (!t)
        return xstrdup(secret);
    size_t n = strlen(t);
    char *inner = xstrndup(t + 1, n >= 2 ? n - 2 : 0);
    free(t);
    return inner;
}

void http_redact(char **s, const char *secret)
{
    if (!*s || !secret || strlen(secret) < 4)
        return;
    redact_exact(s, secret);
    /* every encoding idpc sends a secret in (a form body, a JSON body), and the ones a server
     * may echo it back in: percent-encoding with either case of hex digits, JSON escapes */
    char *v[] = {form_encoded(secret, false, false),
                 form_encoded(secret, true, false),
                 form_encoded(secret, false, true),
                 form_encoded(secret, true, true),
                 json_escaped(secret, 0),
                 json_escaped(secret, JSON_ESCAPE_SLASH),
                 json_escaped(secret, JSON_ENSURE_ASCII),
                 json_escaped(secret, JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH)};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(v); i++) {
        redact_exact(s, v[i]);
        OPENSSL_cleanse(v[i], strlen(v[i]));
        free(v[i]);
    }
}

static void redact(char **s, const char *secret)
{
    http_redact(s, secret);
}

const char *http_status_name(enum http_status s)
{
    switch (s) {
    case HTTP_STATUS_OK:
        return "ok";
    case HTTP_STATUS_GRAPH_ERROR:
        return "graph error";
    case HTTP_STATUS_GAVE_UP:
        return "gave up retrying";
    case HTTP_STATUS_NETWORK:
        return "network error";
    case HTTP_STATUS_UNKNOWN_OUTCOME:
        return "unknown outcome";
    case HTTP_STATUS_AUTH:
        return "authentication failed";
    case HTTP_STATUS_BAD_RESPONSE:
        return "bad response";
    case HTTP_STATUS_INVALID:
        return "invalid request";
    }
    return "?";
}

void http_guid(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, (int)sizeof(b)) != 1)
        BUG("RAND_bytes failed");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* ---- clock, jitter ---- */

static double real_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void real_sleep(void *ctx, double seconds)
{
    (void)ctx;
    if (!(seconds > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

double http_client_now(const struct http_client *c)
{
    return c->clock.now(c->clock.ctx);
}

static void client_sleep(struct http_client *c, double seconds)
{
    if (seconds > 0)
        c->clock.sleep(c->clock.ctx, seconds);
}

static double rand_unit(struct http_client *c)
{
    /* splitmix64: statistical jitter only, not security relevant */
    uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Exponential back-off with "equal jitter": a delay in [d/2, d), d = min(max, initial * 2^n). */
static double backoff_delay(struct http_client *c, unsigned n, double cap)
{
    double d = c->backoff_initial;
    for (unsigned i = 0; i < n && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    return d * (0.5 + 0.5 * rand_unit(c));
}

static void logf_(struct http_client *c, enum http_log_kind kind, const char *fmt, ...)
    IDPC_PRINTF(3, 4);
static void logf_(struct http_client *c, enum http_log_kind kind, const char *fmt, ...)
{
    if (!c->log.fn)
        return;
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    char *line = strbuf_detach(&sb);
    redact(&line, c->last_token);
    c->log.fn(c->log.ctx, kind, line);
    free(line);
}

/* ---- errors ---- */

void http_error_init(struct http_error *e)
{
    memset(e, 0, sizeof(*e));
}

void http_error_fini(struct http_error *e)
{
    free(e->method);
    free(e->path);
    free(e->code);
    free(e->message);
    free(e->inner_message);
    free(e->request_id);
    free(e->client_request_id);
    free(e->text);
    http_error_init(e);
}

const char *http_error_str(const struct http_error *e)
{
    return e->text ? e->text : "";
}

#define HTTP_ERROR_PATH_MAX 120

static void error_render(struct http_error *e, const char *suffix)
{
    struct strbuf sb = STRBUF_INIT;
    /* A long query (a $filter with 300 names) would push the status, the Graph code and the
     * request id out of one readable line: keep the path and the start of the query. */
    const char *path = e->path ? e->path : "?";
    size_t plen = strlen(path);
    if (plen > HTTP_ERROR_PATH_MAX)
        strbuf_addf(&sb, "%s %.*s…(%zu more characters):", e->method ? e->method : "?",
                    HTTP_ERROR_PATH_MAX, path, plen - HTTP_ERROR_PATH_MAX);
    else
        strbuf_addf(&sb, "%s %s:", e->method ? e->method : "?", path);
    if (e->status)
        strbuf_addf(&sb, " %d", e->status);
    if (e->code)
        strbuf_addf(&sb, " %s", e->code);
    if (e->message) {
        strbuf_adds(&sb, e->status || e->code ? ": " : " ");
        strbuf_adds(&sb, e->message);
    }
    if (e->inner_message && (!e->message || !strstr(e->message, e->inner_message))) {
        size_t n = e->message ? strlen(e->message) : 0;
        bool punct = n && strchr(".!?:", e->message[n - 1]);
        strbuf_adds(&sb, !e->message ? ": " : punct ? " " : ": ");
        strbuf_adds(&sb, e->inner_message);
    }
    if (e->request_id)
        strbuf_addf(&sb, " (request-id %s)", e->request_id);
    if (suffix)
        strbuf_addf(&sb, "; %s", suffix);
    free(e->text);
    e->text = strbuf_detach(&sb);
}

/* One line: cut at the first CR/LF and drop trailing blanks. */
static char *first_line(const char *s)
{
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return xstrndup(s, n);
}

static const char *string_member(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_string(v))
        return json_string_value(v);
    /* OData v3 style: "message": {"lang": "en", "value": "..."} */
    if (json_is_object(v) && json_is_string(json_object_get(v, "value")))
        return json_string_value(json_object_get(v, "value"));
    return NULL;
}

static const json_t *member_nocase(const json_t *obj, const char *key)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        if (util_streq_nocase(k, key))
            return v;
    }
    return NULL;
}

void http_error_from_body(struct http_error *e, const char *method, const char *path, int status,
                          const json_t *body, const char *request_id)
{
    http_error_fini(e);
    e->method = xstrdup(method ? method : "?");
    e->path = xstrdup(path ? path : "?");
    e->status = status;
    if (request_id)
        e->request_id = xstrdup(request_id);
    const json_t *err = json_is_object(body) ? json_object_get(body, "error") : NULL;
    if (json_is_object(err)) {
        const char *code = string_member(err, "code");
        const char *msg = string_member(err, "message");
        if (code && *code)
            e->code = xstrdup(code);
        if (msg && *msg)
            e->message = first_line(msg);
        struct strbuf inner = STRBUF_INIT;
        const json_t *in = member_nocase(err, "innererror");
        for (int depth = 0; json_is_object(in) && depth < 16; depth++) {
            const char *im = string_member(in, "message");
            if (im && *im && (!msg || strcmp(im, msg) != 0)) {
                char *line = first_line(im);
                if (!strstr(strbuf_str(&inner), line)) {
                    if (inner.len)
                        strbuf_adds(&inner, "; ");
                    strbuf_adds(&inner, line);
                }
                free(line);
            }
            const char *rid = string_member(in, "request-id");
            if (rid && !e->request_id)
                e->request_id = xstrdup(rid);
            const char *crid = string_member(in, "client-request-id");
            if (crid && !e->client_request_id)
                e->client_request_id = xstrdup(crid);
            in = member_nocase(in, "innererror");
        }
        if (inner.len)
            e->inner_message = strbuf_detach(&inner);
        strbuf_fini(&inner);
    } else if (json_is_string(err)) {
        /* OAuth2 token endpoint: {"error":"invalid_client","error_description":"AADSTS..."} */
        e->code = xstrdup(json_string_value(err));
        const char *d = string_member(body, "error_description");
        if (d && *d)
            e->message = first_line(d);
        const char *trace = string_member(body, "trace_id");
        if (trace && !e->request_id)
            e->request_id = xstrdup(trace);
    } else if (status) {
        e->message = xstrdup(body ? "unexpected response body" : "no error details");
    }
    error_render(e, NULL);
}

/* A transport or client-side failure: no Graph body. */
static void error_simple(struct http_error *e, const char *method, const char *path, int status,
                         const char *message)
{
    http_error_fini(e);
    e->method = xstrdup(method ? method : "?");
    e->path = xstrdup(path ? path : "?");
    e->status = status;
    e->message = xstrdup(message);
    error_render(e, NULL);
}

void http_response_init(struct http_response *r)
{
    memset(r, 0, sizeof(*r));
    r->retry_after = -1;
    http_error_init(&r->error);
}

void http_response_fini(struct http_response *r)
{
    json_decref(r->body);
    free(r->request_id);
    free(r->client_request_id);
    http_error_fini(&r->error);
    http_response_init(r);
}

/* ---- URLs ---- */

struct url_parts {
    char *scheme, *host, *port, *path;
};

static void url_parts_fini(struct url_parts *u)
{
    curl_free(u->scheme);
    curl_free(u->host);
    curl_free(u->port);
    curl_free(u->path);
    memset(u, 0, sizeof(*u));
}

static bool url_split(const char *url, struct url_parts *u)
{
    memset(u, 0, sizeof(*u));
    CURLU *h = curl_url();
    if (!h)
        BUG("curl_url failed");
    bool ok = curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) == CURLUE_OK &&
              curl_url_get(h, CURLUPART_HOST, &u->host, 0) == CURLUE_OK &&
              curl_url_get(h, CURLUPART_PORT, &u->port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
              curl_url_get(h, CURLUPART_PATH, &u->path, 0) == CURLUE_OK;
    curl_url_cleanup(h);
    if (!ok)
        url_parts_fini(u);
    return ok;
}

static bool is_absolute(const char *s)
{
    return has_prefix_nocase(s, "https://") || has_prefix_nocase(s, "http://");
}

/* Resolves path_or_url into a full URL and a display path; false (with *why) when the URL is not
 * on the client's origin. */
static bool resolve_url(const struct http_client *c, const char *in, char **full, char **display,
                        const char **why)
{
    *full = *display = NULL;
    if (!is_absolute(in)) {
        *full = xasprintf("%s%s%s", c->base_url, in[0] == '/' ? "" : "/", in);
        *display = xasprintf("%s%s", in[0] == '/' ? "" : "/", in);
        return true;
    }
    struct url_parts u;
    if (!url_split(in, &u)) {
        *why = "malformed URL";
        return false;
    }
    lower_in_place(u.scheme);
    lower_in_place(u.host);
    bool same = strcmp(u.scheme, c->scheme) == 0 && strcmp(u.host, c->host) == 0 &&
                strcmp(u.port, c->port) == 0;
    url_parts_fini(&u);
    if (!same) {
        *why = "URL on another host than the configured base";
        return false;
    }
    /* Display: the part after the origin, minus the base path. */
    const char *rest = strstr(in, "://") + 3;
    rest += strcspn(rest, "/?");
    size_t bp = strlen(c->base_path);
    if (bp && strncmp(rest, c->base_path, bp) == 0 && (rest[bp] == '/' || rest[bp] == '?'))
        rest += bp;
    *full = xstrdup(in);
    *display = xstrdup(*rest ? rest : "/");
    return true;
}

/* Display form of a URL on another origin (token endpoint, OIDC): scheme://host/path, no query. */
static char *display_foreign(const char *url)
{
    return xstrndup(url, strcspn(url, "?#"));
}

static bool path_rate_limited(const struct http_client *c, const char *display)
{
    if (c->ca_rate < 0)
        return false;
    for (char **p = c->ca_prefixes; *p; p++)
        if (has_prefix_nocase(display, *p))
            return true;
    /* the collection itself: "/identity/conditionalAccess/policies" matches; so does the root */
    for (char **p = c->ca_prefixes; *p; p++) {
        size_t n = strlen(*p);
        if (n > 1 && (*p)[n - 1] == '/' && strncasecmp(display, *p, n - 1) == 0 &&
            (display[n - 1] == '\0' || display[n - 1] == '?'))
            return true;
    }
    return false;
}

/* ---- client ---- */

static bool loopback_host(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0 ||
           strcmp(h, "localhost") == 0;
}

struct http_client *http_client_new(const struct http_client_config *cfg, char **err)
{
    *err = NULL;
    static bool curl_ready;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            *err = xstrdup("cannot initialise libcurl");
            return NULL;
        }
        curl_ready = true;
    }
    if (!cfg->base_url || !*cfg->base_url) {
        *err = xstrdup("no base URL configured");
        return NULL;
    }
    struct url_parts u;
    if (!url_split(cfg->base_url, &u)) {
        *err = xasprintf("malformed base URL '%s'", cfg->base_url);
        return NULL;
    }
    lower_in_place(u.scheme);
    lower_in_place(u.host);
    bool plain = strcmp(u.scheme, "http") == 0;
    if (!plain && strcmp(u.scheme, "https") != 0) {
        *err = xasprintf("base URL '%s' must use https", cfg->base_url);
        url_parts_fini(&u);
        return NULL;
    }
    if (plain && !(cfg->allow_http_loopback && loopback_host(u.host))) {
        *err = xasprintf("base URL '%s' must use https (TLS is required)", cfg->base_url);
        url_parts_fini(&u);
        return NULL;
    }
    struct http_client *c = xcalloc(1, sizeof(*c));
    c->curl = curl_easy_init();
    if (!c->curl)
        BUG("curl_easy_init failed");
    c->scheme = xstrdup(u.scheme);
    c->host = xstrdup(u.host);
    c->port = xstrdup(u.port);
    size_t pl = strlen(u.path);
    while (pl && u.path[pl - 1] == '/')
        pl--;
    c->base_path = xstrndup(u.path, pl);
    url_parts_fini(&u);
    size_t bl = strlen(cfg->base_url);
    while (bl && cfg->base_url[bl - 1] == '/')
        bl--;
    c->base_url = xstrndup(cfg->base_url, bl);
    c->plain_http = plain;
    c->ca_bundle = cfg->ca_bundle && *cfg->ca_bundle ? xstrdup(cfg->ca_bundle) : NULL;
    c->connect_timeout_ms =
        cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    c->request_timeout_ms =
        cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : DEFAULT_REQUEST_TIMEOUT_MS;
    c->max_retry_time = cfg->max_retry_time > 0 ? cfg->max_retry_time : DEFAULT_MAX_RETRY_TIME;
    c->backoff_initial = cfg->backoff_initial > 0 ? cfg->backoff_initial : DEFAULT_BACKOFF_INITIAL;
    c->backoff_max = cfg->backoff_max > 0 ? cfg->backoff_max : DEFAULT_BACKOFF_MAX;
    c->replication_wait =
        cfg->replication_wait > 0 ? cfg->replication_wait : DEFAULT_REPLICATION_WAIT;
    c->ca_rate = cfg->ca_rate != 0 ? cfg->ca_rate : 1.0;
    c->ca_burst = cfg->ca_burst >= 1 ? cfg->ca_burst : 1.0;
    const char *const *pre = cfg->ca_prefixes ? cfg->ca_prefixes : default_ca_prefixes;
    size_t np = 0;
    while (pre[np])
        np++;
    c->ca_prefixes = xcalloc(np + 1, sizeof(char *));
    for (size_t i = 0; i < np; i++)
        c->ca_prefixes[i] = xstrdup(pre[i]);
    c->rng = cfg->jitter_seed;
    if (!c->rng && RAND_bytes((unsigned char *)&c->rng, (int)sizeof(c->rng)) != 1)
        BUG("RAND_bytes failed");
    c->auth = cfg->auth;
    c->clock = cfg->clock;
    if (!c->clock.now || !c->clock.sleep) {
        c->clock.now = real_now;
        c->clock.sleep = real_sleep;
        c->clock.ctx = NULL;
    }
    c->log = cfg->log;
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c->base_url);
    free(c->scheme);
    free(c->host);
    free(c->port);
    free(c->base_path);
    free(c->ca_bundle);
    for (char **p = c->ca_prefixes; p && *p; p++)
        free(*p);
    free(c->ca_prefixes);
    free_secret(c->last_token);
    free(c);
}

uint64_t http_client_request_count(const struct http_client *c)
{
    return c->requests;
}

const char *http_client_base_url(const struct http_client *c)
{
    return c->base_url;
}

/* Token bucket for the Conditional Access service limit (about 1 request/s per tenant, 429
 * without Retry-After when exceeded): acquire `n` tokens, sleeping if necessary. */
static void rate_limit(struct http_client *c, double n, const char *method, const char *display)
{
    if (n <= 0 || c->ca_rate < 0)
        return;
    double now = http_client_now(c);
    if (!c->ca_started) {
        c->ca_started = true;
        c->ca_tokens = c->ca_burst;
        c->ca_last = now;
    }
    c->ca_tokens += (now - c->ca_last) * c->ca_rate;
    if (c->ca_tokens > c->ca_burst)
        c->ca_tokens = c->ca_burst;
    c->ca_last = now;
    if (c->ca_tokens < n) {
        double wait = (n - c->ca_tokens) / c->ca_rate;
        logf_(c, HTTP_LOG_RATE_LIMIT, "%s %s: waiting %.2f s (Conditional Access rate limit)",
              method, display, wait);
        client_sleep(c, wait);
        c->ca_last = http_client_now(c);
        c->ca_tokens = n;
    }
    c->ca_tokens -= n;
}

/* ---- one exchange ---- */

struct exchange {
    CURLcode cc;
    char curl_msg[CURL_ERROR_SIZE];
    int status;
    struct strbuf body;
    bool too_big;
    char *request_id;
    double retry_after;
};

static void exchange_init(struct exchange *x)
{
    memset(x, 0, sizeof(*x));
    strbuf_init(&x->body);
    x->retry_after = -1;
}

static void exchange_fini(struct exchange *x)
{
    strbuf_fini(&x->body);
    free(x->request_id);
    exchange_init(x);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct exchange *x = ud;
    size_t n = size * nmemb;
    if (x->body.len + n > MAX_BODY_BYTES) {
        x->too_big = true;
        return 0;
    }
    strbuf_add(&x->body, data, n);
    return n;
}

/* Retry-After: delta-seconds, possibly fractional ("2.128"), or an HTTP date. Parsed by hand so
 * that the locale's decimal separator cannot interfere. */
static double parse_retry_after(const char *v)
{
    const char *p = v;
    double secs = 0;
    bool digits = false;
    while (*p >= '0' && *p <= '9') {
        secs = secs * 10 + (*p++ - '0');
        digits = true;
    }
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) {
            secs += (*p - '0') * scale;
            digits = true;
        }
    }
    if (digits && *p == '\0')
        return secs > 86400 ? 86400 : secs;
    time_t t = curl_getdate(v, NULL);
    if (t > 0) {
        double d = difftime(t, time(NULL));
        return d > 0 ? d : 0;
    }
    return -1;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    struct exchange *x = ud;
    size_t n = size * nmemb;
    char *line = xstrndup(data, n);
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
        line[--len] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue): forget earlier headers */
        free(x->request_id);
        x->request_id = NULL;
        x->retry_after = -1;
    } else {
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            if (strcasecmp(line, "request-id") == 0 ||
                (strcasecmp(line, "x-ms-request-id") == 0 && !x->request_id)) {
                free(x->request_id);
                x->request_id = xstrdup(v);
            } else if (strcasecmp(line, "retry-after") == 0) {
                x->retry_after = parse_retry_after(v);
            }
        }
    }
    free(line);
    return n;
}

struct wire {
    const char *method;
    const char *url;
    const char *body;
    size_t body_len;
    bool has_body;
    const char *content_type;
    const char *const *headers;
    const char *bearer; /* NULL: none */
    const char *client_request_id;
    bool fresh; /* a new connection: libcurl silently resends a request when a reused connection
                   dies before answering, which would repeat a create */
};

static void exchange_run(struct http_client *c, const struct wire *w, struct exchange *x)
{
    CURL *h = c->curl;
    curl_easy_reset(h); /* keeps live connections */
    struct curl_slist *hdr = NULL;
    char *auth_line = NULL;
    hdr = curl_slist_append(hdr, "Accept: application/json");
    char crid[80];
    snprintf(crid, sizeof(crid), "client-request-id: %s", w->client_request_id);
    hdr = curl_slist_append(hdr, crid);
    hdr = curl_slist_append(hdr, "Expect:");
    if (w->has_body) {
        char ct[256];
        snprintf(ct, sizeof(ct), "Content-Type: %s",
                 w->content_type ? w->content_type : "application/json");
        hdr = curl_slist_append(hdr, ct);
    } else {
        hdr = curl_slist_append(hdr, "Content-Type:"); /* curl would add a form type to POST */
    }
    if (w->bearer) {
        auth_line = xasprintf("Authorization: Bearer %s", w->bearer);
        hdr = curl_slist_append(hdr, auth_line);
    }
    for (const char *const *p = w->headers; p && *p; p++)
        if (!has_prefix_nocase(*p, "authorization:"))
            hdr = curl_slist_append(hdr, *p);
    if (!hdr)
        BUG("curl_slist_append failed");

    curl_easy_setopt(h, CURLOPT_URL, w->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->plain_http ? "http" : "https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_bundle)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->request_timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "idpc");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->curl_msg);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, w->fresh ? 1L : 0L);
    if (strcmp(w->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(w->method, "POST") == 0)
            curl_easy_setopt(h, CURLOPT_POST, 1L);
        else
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, w->method);
        if (w->has_body || strcmp(w->method, "DELETE") != 0) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)w->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, w->has_body ? w->body : "");
        }
    }
    x->curl_msg[0] = '\0';
    x->cc = curl_easy_perform(h);
    c->requests++;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    x->status = (int)code;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdr);
    free_secret(auth_line);
}

/* ---- classification ---- */

static bool curl_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return true;
    default:
        return false;
    }
}

/* Could the server have received (and acted on) the request? */
static bool curl_maybe_sent(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return false;
    default:
        return true;
    }
}

static bool curl_tls_trust(CURLcode cc)
{
    return cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE;
}

static bool not_found_after_create(int status, const struct http_error *e)
{
    if (status == 404)
        return true;
    if (status != 400)
        return false;
    const char *needles[] = {"does not exist", "not present", "not found", "notfound"};
    const char *hay[] = {e->code, e->message, e->inner_message};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(hay); i++) {
        if (!hay[i])
            continue;
        for (size_t j = 0; j < IDPC_ARRAY_LEN(needles); j++) {
            size_t n = strlen(needles[j]);
            for (const char *p = hay[i]; *p; p++)
                if (strncasecmp(p, needles[j], n) == 0)
                    return true;
        }
    }
    return false;
}

static bool valid_method(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(ok); i++)
        if (strcmp(m, ok[i]) == 0)
            return true;
    return false;
}

/* ---- requests with retries ---- */

struct attempt_state {
    double start;
    unsigned backoff_n;
    double repl_start;
    unsigned repl_n;
    bool refreshed; /* a 401 made us fetch a fresh token once */
    bool force;     /* ask the token source for a fresh token on the next attempt */
};

static enum http_status request_internal(struct http_client *c, const char *method, const char *in,
                                         const json_t *body, const struct http_request_opts *opts,
                                         double ca_tokens, struct http_response *out)
{
    static const struct http_request_opts no_opts;
    if (!opts)
        opts = &no_opts;
    http_response_init(out);
    char *full = NULL, *display = NULL, *json_body = NULL, *suffix = NULL;
    const char *why = NULL;
    enum http_status st = HTTP_STATUS_INVALID;
    struct exchange x;
    exchange_init(&x);

    if (!method || !valid_method(method)) {
        error_simple(&out->error, method, "?", 0, "unsupported HTTP method");
        goto out;
    }
    if (!in || !resolve_url(c, in, &full, &display, &why)) {
        /* an absolute URL elsewhere is allowed only when it is on the same origin */
        char *shown = !in ? xstrdup("?") : is_absolute(in) ? display_foreign(in) : xstrdup(in);
        error_simple(&out->error, method, shown, 0, why ? why : "no URL");
        free(shown);
        goto out;
    }
    struct wire w = {.method = method,
                     .url = full,
                     .headers = opts->headers,
                     .fresh = (opts->flags & HTTP_REQ_CREATE) != 0};
    if (opts->raw_body) {
        w.body = opts->raw_body;
        w.body_len = strlen(opts->raw_body);
        w.has_body = true;
        w.content_type = opts->content_type ? opts->content_type : "application/octet-stream";
    } else if (body) {
        json_body = json_dumps(body, JSON_COMPACT);
        if (!json_body) {
            error_simple(&out->error, method, display, 0, "request body cannot be serialised");
            goto out;
        }
        w.body = json_body;
        w.body_len = strlen(json_body);
        w.has_body = true;
        w.content_type = "application/json";
    }
    bool create = opts->flags & HTTP_REQ_CREATE;
    struct attempt_state as = {.start = http_client_now(c), .repl_start = -1};
    char crid[37];

    for (;;) {
        out->attempts++;
        rate_limit(c, ca_tokens, method, display);
        w.bearer = NULL;
        if (opts->bearer) {
            w.bearer = opts->bearer;
        } else if (c->auth.token && !(opts->flags & HTTP_REQ_NO_AUTH)) {
            char *aerr = NULL;
            const char *tok = c->auth.token(c->auth.ctx, as.force, &aerr);
            as.force = false;
            if (!tok) {
                char *m = xasprintf("cannot get an access token: %s", aerr ? aerr : "unknown");
                error_simple(&out->error, method, display, 0, m);
                free(m);
                free(aerr);
                st = HTTP_STATUS_AUTH;
                goto out;
            }
            w.bearer = tok;
            if (!c->last_token || strcmp(c->last_token, tok) != 0) {
                free_secret(c->last_token);
                c->last_token = xstrdup(tok);
            }
        }
        http_guid(crid);
        w.client_request_id = crid;
        exchange_fini(&x);
        exchange_run(c, &w, &x);

        free(out->client_request_id);
        out->client_request_id = xstrdup(crid);
        free(out->request_id);
        out->request_id = xstrdup_opt(x.request_id);
        out->status = x.cc == CURLE_OK ? x.status : 0;
        out->retry_after = x.retry_after;
        json_decref(out->body);
        out->body = NULL;

        const char *reason = NULL; /* set: retry with back-off */
        if (x.cc != CURLE_OK) {
            const char *msg = x.curl_msg[0] ? x.curl_msg : curl_easy_strerror(x.cc);
            char *m;
            if (x.too_big)
                m = xasprintf("response body larger than %u bytes", MAX_BODY_BYTES);
            else if (curl_tls_trust(x.cc))
                m = xasprintf("TLS certificate of %s is not trusted: %s (set IDPC_CA_BUNDLE to a "
                              "CA file to trust a private CA)",
                              c->host, msg);
            else
                m = xasprintf("connection failed: %s", msg);
            error_simple(&out->error, method, display, 0, m);
            free(m);
            logf_(c, HTTP_LOG_DEBUG, "%s %s: %s", method, display, http_error_str(&out->error));
            if (create && curl_maybe_sent(x.cc)) {
                st = HTTP_STATUS_UNKNOWN_OUTCOME;
                suffix = xstrdup("the request may have been applied; look the object up before "
                                 "retrying");
                goto out;
            }
            if (!curl_retryable(x.cc) || x.too_big) {
                st = HTTP_STATUS_NETWORK;
                goto out;
            }
            reason = curl_easy_strerror(x.cc);
        } else {
            bool parsed = true;
            if (x.body.len) {
                json_error_t jerr;
                out->body = json_loadb(x.body.buf, x.body.len, JSON_DECODE_ANY, &jerr);
                parsed = out->body != NULL;
            }
            logf_(c, HTTP_LOG_DEBUG, "%s %s: %d (request-id %s)", method, display, x.status,
                  x.request_id ? x.request_id : "-");
            if (x.status >= 200 && x.status < 300) {
                if (parsed) {
                    st = HTTP_STATUS_OK;
                    goto out;
                }
                error_simple(&out->error, method, display, x.status,
                             "response body is not valid JSON (truncated?)");
                out->error.request_id = xstrdup_opt(x.request_id);
                error_render(&out->error, NULL);
                if (create) {
                    st = HTTP_STATUS_UNKNOWN_OUTCOME;
                    suffix = xstrdup("the request may have been applied; look the object up "
                                     "before retrying");
                    goto out;
                }
                reason = "truncated or invalid response body";
            } else {
                http_error_from_body(&out->error, method, display, x.status, out->body,
                                     x.request_id);
                if (!parsed)
                    error_simple(&out->error, method, display, x.status, "non-JSON error response");
                if (!out->error.request_id && x.request_id) {
                    out->error.request_id = xstrdup(x.request_id);
                    error_render(&out->error, NULL);
                }
                out->error.client_request_id =
                    out->error.client_request_id ? out->error.client_request_id : xstrdup(crid);
                redact(&out->error.text, c->last_token);
                redact(&out->error.message, c->last_token);
                redact(&out->error.inner_message, c->last_token);
                redact(&out->error.text, opts->secret);
                redact(&out->error.message, opts->secret);
                redact(&out->error.inner_message, opts->secret);

                if (x.status == 401 && !as.refreshed && !opts->bearer && c->auth.token &&
                    !(opts->flags & HTTP_REQ_NO_AUTH)) {
                    as.refreshed = as.force = true; /* token rejected: fetch a new one once */
                    logf_(c, HTTP_LOG_RETRY, "%s %s: 401, refreshing the access token", method,
                          display);
                    continue;
                }
                if (x.status == 429 || x.status == 503) {
                    reason = x.status == 429 ? "throttled (429)" : "service unavailable (503)";
                } else if (x.status == 500 || x.status == 502 || x.status == 504) {
                    if (create) {
                        st = HTTP_STATUS_UNKNOWN_OUTCOME;
                        suffix = xstrdup("the request may have been applied; look the object up "
                                         "before retrying");
                        goto out;
                    }
                    reason = "server error";
                } else if ((opts->flags & HTTP_REQ_AFTER_CREATE) &&
                           not_found_after_create(x.status, &out->error)) {
                    double now = http_client_now(c);
                    if (as.repl_start < 0)
                        as.repl_start = now;
                    double d = backoff_delay(c, as.repl_n++, REPLICATION_BACKOFF_MAX);
                    if (now + d - as.repl_start > c->replication_wait) {
                        st = HTTP_STATUS_GRAPH_ERROR;
                        suffix = xasprintf("still not found after waiting %.0f s for replication",
                                           now - as.repl_start);
                        goto out;
                    }
                    logf_(c, HTTP_LOG_REPLICATION,
                          "%s %s: %d, waiting %.1f s for replication of a just-created object",
                          method, display, x.status, d);
                    client_sleep(c, d);
                    continue;
                } else {
                    st = HTTP_STATUS_GRAPH_ERROR;
                    goto out;
                }
            }
        }
        /* retry with Retry-After or back-off, within the total cap */
        double delay = x.cc == CURLE_OK && x.retry_after >= 0
                           ? x.retry_after
                           : backoff_delay(c, as.backoff_n++, c->backoff_max);
        double elapsed = http_client_now(c) - as.start;
        if (elapsed + delay > c->max_retry_time || out->attempts >= MAX_ATTEMPTS) {
            st = HTTP_STATUS_GAVE_UP;
            suffix = xasprintf("gave up after %u attempts in %.1f s", out->attempts, elapsed);
            goto out;
        }
        logf_(c, HTTP_LOG_RETRY, "%s %s: %s, retrying in %.2f s (attempt %u)", method, display,
              reason, delay, out->attempts + 1);
        client_sleep(c, delay);
    }
out:
    if (st != HTTP_STATUS_OK) {
        if (!out->error.text)
            error_simple(&out->error, method, display ? display : "?", out->status, "failed");
        if (!out->error.client_request_id && out->client_request_id)
            out->error.client_request_id = xstrdup(out->client_request_id);
        if (suffix)
            error_render(&out->error, suffix);
        redact(&out->error.text, c->last_token);
        redact(&out->error.text, opts->bearer);
        redact(&out->error.message, opts->bearer);
        redact(&out->error.text, opts->secret);
        redact(&out->error.message, opts->secret);
        redact(&out->error.inner_message, opts->secret);
    }
    free(suffix);
    exchange_fini(&x);
    free(full);
    free(display);
    free(json_body);
    return st;
}

enum http_status http_request_ex(struct http_client *c, const char *method, const char *path_or_url,
                                 const json_t *body, const struct http_request_opts *opts,
                                 struct http_response *out)
{
    char *full = NULL, *display = NULL;
    const char *why = NULL;
    double tokens = 0;
    if (path_or_url && resolve_url(c, path_or_url, &full, &display, &why))
        tokens = path_rate_limited(c, display) ? 1 : 0;
    free(full);
    free(display);
    return request_internal(c, method, path_or_url, body, opts, tokens, out);
}

enum http_status http_request(struct http_client *c, const char *method, const char *path_or_url,
                              const json_t *body, struct http_response *out)
{
    return http_request_ex(c, method, path_or_url, body, NULL, out);
}

/* ---- paging ---- */

enum http_status http_get_all_ex(struct http_client *c, const char *path,
                                 const struct http_request_opts *opts, json_t **out_array,
                                 struct http_error *err)
{
    struct http_error scratch;
    if (!err)
        err = &scratch;
    http_error_init(err);
    *out_array = NULL;
    json_t *all = json_array();
    char *url = xstrdup(path);
    enum http_status st = HTTP_STATUS_OK;
    for (int page = 0;; page++) {
        struct http_response r;
        st = http_request_ex(c, "GET", url, NULL, opts, &r);
        if (st != HTTP_STATUS_OK) {
            *err = r.error;
            http_error_init(&r.error);
            http_response_fini(&r);
            goto out;
        }
        const json_t *value = json_object_get(r.body, "value");
        const json_t *next = json_object_get(r.body, "@odata.nextLink");
        if (!json_is_array(value) || (next && !json_is_string(next))) {
            char *shown = is_absolute(url) ? display_foreign(url) : xstrdup(url);
            error_simple(err, "GET", shown, r.status, "response is not a collection page");
            free(shown);
            st = HTTP_STATUS_BAD_RESPONSE;
            http_response_fini(&r);
            goto out;
        }
        json_array_extend(all, (json_t *)(uintptr_t)value);
        free(url);
        url = next ? xstrdup(json_string_value(next)) : NULL;
        http_response_fini(&r);
        if (!url)
            break;
        char *f = NULL, *d = NULL;
        const char *why = NULL;
        bool ok = resolve_url(c, url, &f, &d, &why) && is_absolute(url);
        free(f);
        free(d);
        if (!ok || page + 1 >= MAX_PAGES) {
            char *shown = display_foreign(url);
            error_simple(err, "GET", path, 0, "refusing @odata.nextLink");
            free(err->message);
            err->message = xasprintf("refusing @odata.nextLink '%s': %s", shown,
                                     ok ? "too many pages" : (why ? why : "not an absolute URL"));
            error_render(err, NULL);
            free(shown);
            st = HTTP_STATUS_BAD_RESPONSE;
            goto out;
        }
    }
    *out_array = all;
    all = NULL;
out:
    free(url);
    json_decref(all);
    if (err == &scratch)
        http_error_fini(&scratch);
    return st;
}

enum http_status http_get_all(struct http_client *c, const char *path, json_t **out_array,
                              struct http_error *err)
{
    return http_get_all_ex(c, path, NULL, out_array, err);
}

/* ---- $batch ---- */

static json_t *headers_object(const char *const *headers, bool has_body)
{
    json_t *o = json_object();
    for (const char *const *p = headers; p && *p; p++) {
        const char *colon = strchr(*p, ':');
        if (!colon || has_prefix_nocase(*p, "authorization:"))
            continue;
        char *name = xstrndup(*p, (size_t)(colon - *p));
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        json_object_set_new(o, name, json_string(v));
        free(name);
    }
    if (has_body && !json_object_get(o, "Content-Type"))
        json_object_set_new(o, "Content-Type", json_string("application/json"));
    return o;
}

static const char *header_nocase(const json_t *headers, const char *name)
{
    const json_t *v = json_is_object(headers) ? member_nocase(headers, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Sends one $batch POST for the items idx[0..k); fills responses for those items. */
static enum http_status batch_send(struct http_client *c, const struct http_batch_request *reqs,
                                   const size_t *idx, size_t k, const bool *in_chunk,
                                   struct http_response *responses)
{
    json_t *arr = json_array();
    double ca = 0;
    bool create = false;
    for (size_t j = 0; j < k; j++) {
        const struct http_batch_request *q = &reqs[idx[j]];
        char *full = NULL, *display = NULL;
        const char *why = NULL;
        if (!resolve_url(c, q->url, &full, &display, &why))
            BUG("batch URL validated earlier");
        json_t *item = json_object();
        char id[32];
        snprintf(id, sizeof(id), "%zu", idx[j] + 1);
        json_object_set_new(item, "id", json_string(id));
        json_object_set_new(item, "method", json_string(q->method));
        json_object_set_new(item, "url", json_string(display));
        if (q->body)
            json_object_set_new(item, "body", json_deep_copy(q->body));
        json_t *h = headers_object(q->headers, q->body != NULL);
        if (json_object_size(h))
            json_object_set_new(item, "headers", h);
        else
            json_decref(h);
        if (q->depends_on && in_chunk[q->depends_on - 1]) {
            char dep[32];
            snprintf(dep, sizeof(dep), "%zu", q->depends_on);
            json_t *d = json_array();
            json_array_append_new(d, json_string(dep));
            json_object_set_new(item, "dependsOn", d);
        }
        json_array_append_new(arr, item);
        if (path_rate_limited(c, display))
            ca += 1;
        if (strcmp(q->method, "POST") == 0)
            create = true;
        free(full);
        free(display);
    }
    json_t *body = json_object();
    json_object_set_new(body, "requests", arr);
    struct http_request_opts opts = {.flags = create ? HTTP_REQ_CREATE : 0};
    struct http_response r;
    enum http_status st = request_internal(c, "POST", "/$batch", body, &opts, ca, &r);
    json_decref(body);
    const json_t *rs = json_object_get(r.body, "responses");
    if (st == HTTP_STATUS_OK && !json_is_array(rs)) {
        error_simple(&r.error, "POST", "/$batch", r.status, "response has no 'responses' array");
        st = HTTP_STATUS_BAD_RESPONSE;
    }
    if (st != HTTP_STATUS_OK) {
        for (size_t j = 0; j < k; j++) {
            struct http_response *o = &responses[idx[j]];
            http_response_fini(o);
            o->attempts = 1;
            error_simple(&o->error, reqs[idx[j]].method, reqs[idx[j]].url, r.status,
                         http_error_str(&r.error));
        }
        http_response_fini(&r);
        return st;
    }
    for (size_t j = 0; j < k; j++) {
        struct http_response *o = &responses[idx[j]];
        unsigned attempts = o->attempts + 1;
        http_response_fini(o);
        o->attempts = attempts;
        o->status = 0;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(rs, i, item)
    {
        long id;
        const char *ids = json_string_value(json_object_get(item, "id"));
        if (!ids || !util_parse_long(ids, 1, 1L << 40, &id))
            continue;
        size_t ix = (size_t)id - 1;
        bool ours = false;
        for (size_t j = 0; j < k; j++)
            ours = ours || idx[j] == ix;
        if (!ours)
            continue;
        const struct http_batch_request *q = &reqs[ix];
        struct http_response *o = &responses[ix];
        const json_t *hdrs = json_object_get(item, "headers");
        o->status = (int)json_integer_value(json_object_get(item, "status"));
        json_decref(o->body);
        o->body = json_incref(json_object_get(item, "body"));
        const char *rid = header_nocase(hdrs, "request-id");
        free(o->request_id);
        o->request_id = xstrdup_opt(rid);
        const char *ra = header_nocase(hdrs, "Retry-After");
        o->retry_after = ra ? parse_retry_after(ra) : -1;
        if (o->status < 200 || o->status >= 300) {
            http_error_from_body(&o->error, q->method, q->url, o->status, o->body, rid);
            if (!o->request_id && o->error.request_id)
                o->request_id = xstrdup(o->error.request_id);
        }
    }
    for (size_t j = 0; j < k; j++) {
        struct http_response *o = &responses[idx[j]];
        if (o->status == 0)
            error_simple(&o->error, reqs[idx[j]].method, reqs[idx[j]].url, 0,
                         "no response for this item in the $batch answer");
    }
    http_response_fini(&r);
    return HTTP_STATUS_OK;
}

static bool batch_item_retryable(int status)
{
    return status == 429 || status == 503 || status == 0;
}

enum http_status http_batch(struct http_client *c, const struct http_batch_request *reqs, size_t n,
                            struct http_response *responses)
{
    for (size_t i = 0; i < n; i++)
        http_response_init(&responses[i]);
    if (n == 0)
        return HTTP_STATUS_OK;
    size_t *root = xcalloc(n, sizeof(size_t));
    size_t *gsize = xcalloc(n, sizeof(size_t));
    size_t *idx = xcalloc(n, sizeof(size_t));
    bool *pending = xcalloc(n, sizeof(bool));
    bool *in_chunk = xcalloc(n, sizeof(bool));
    enum http_status st = HTTP_STATUS_OK;

    for (size_t i = 0; i < n; i++) {
        const struct http_batch_request *q = &reqs[i];
        char *full = NULL, *display = NULL;
        const char *why = "bad dependsOn (must name an earlier item)";
        bool ok = q->method && valid_method(q->method) && q->url &&
                  resolve_url(c, q->url, &full, &display, &why) && q->depends_on <= i;
        free(full);
        free(display);
        if (!ok) {
            error_simple(&responses[i].error, q->method ? q->method : "?", q->url ? q->url : "?", 0,
                         q->method && valid_method(q->method) ? why : "unsupported HTTP method");
            st = HTTP_STATUS_INVALID;
            goto out;
        }
        root[i] = q->depends_on ? root[q->depends_on - 1] : i;
        if (++gsize[root[i]] > HTTP_BATCH_MAX) {
            error_simple(&responses[i].error, q->method, q->url, 0,
                         "dependsOn chain longer than 20 requests");
            st = HTTP_STATUS_INVALID;
            goto out;
        }
        pending[i] = true;
    }

    double start = http_client_now(c);
    unsigned round = 0;
    for (;;) {
        /* pack whole dependency groups (in order of their first item) into chunks of <= 20 */
        size_t k = 0;
        memset(in_chunk, 0, n * sizeof(bool));
        for (size_t g = 0; g < n; g++) {
            if (root[g] != g)
                continue;
            size_t cnt = 0;
            for (size_t i = g; i < n; i++)
                cnt += root[i] == g && pending[i];
            if (!cnt)
                continue;
            if (k + cnt > HTTP_BATCH_MAX) {
                st = batch_send(c, reqs, idx, k, in_chunk, responses);
                if (st != HTTP_STATUS_OK)
                    goto out;
                k = 0;
                memset(in_chunk, 0, n * sizeof(bool));
            }
            for (size_t i = g; i < n; i++)
                if (root[i] == g && pending[i]) {
                    idx[k++] = i;
                    in_chunk[i] = true;
                }
        }
        if (k) {
            st = batch_send(c, reqs, idx, k, in_chunk, responses);
            if (st != HTTP_STATUS_OK)
                goto out;
        }
        /* what to resend: throttled items and the dependents that failed because of them */
        size_t again = 0;
        double delay = -1;
        for (size_t i = 0; i < n; i++) {
            if (!pending[i])
                continue;
            int s = responses[i].status;
            size_t dep = reqs[i].depends_on;
            bool retry =
                batch_item_retryable(s) || (s == 424 && dep && pending[dep - 1] &&
                                            (batch_item_retryable(responses[dep - 1].status) ||
                                             responses[dep - 1].status == 424));
            pending[i] = retry;
            if (retry) {
                again++;
                if (responses[i].retry_after > delay)
                    delay = responses[i].retry_after;
            }
        }
        if (!again)
            break;
        if (delay < 0)
            delay = backoff_delay(c, round, c->backoff_max);
        round++;
        double elapsed = http_client_now(c) - start;
        if (elapsed + delay > c->max_retry_time) {
            for (size_t i = 0; i < n; i++)
                if (pending[i])
                    error_render(&responses[i].error, "gave up retrying this $batch item");
            break;
        }
        logf_(c, HTTP_LOG_RETRY, "POST /$batch: %zu item(s) throttled, retrying in %.2f s", again,
              delay);
        client_sleep(c, delay);
    }
    st = HTTP_STATUS_OK;
    for (size_t i = 0; i < n; i++)
        if (responses[i].status < 200 || responses[i].status >= 300)
            st = HTTP_STATUS_GRAPH_ERROR;
out:
    free(root);
    free(gsize);
    free(idx);
    free(pending);
    free(in_chunk);
    return st;
}
