/* http.h — the Microsoft Graph HTTP layer: TLS, retries, back-off, rate limiting, paging, $batch.
 * Ownership: a struct http_client owns its curl handle and copies of every configuration string;
 * a struct http_response / http_error owns its strings and JSON body until its _fini(). */
#ifndef IDPC_HTTP_H
#define IDPC_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/util.h"

/* Outcome of a request. Anything but HTTP_STATUS_OK fills the response's `error`. */
enum http_status {
    HTTP_STATUS_OK = 0,          /* 2xx (for $batch: every item 2xx) */
    HTTP_STATUS_GRAPH_ERROR,     /* the server answered with a final non-success status */
    HTTP_STATUS_GAVE_UP,         /* retryable failures (429/5xx/resets) until the retry-time cap */
    HTTP_STATUS_NETWORK,         /* transport failure not worth retrying (DNS, TLS verification) */
    HTTP_STATUS_UNKNOWN_OUTCOME, /* HTTP_REQ_CREATE request may or may not have taken effect */
    HTTP_STATUS_AUTH,            /* no access token could be obtained */
    HTTP_STATUS_BAD_RESPONSE,    /* unparseable body, a nextLink to another host, ... */
    HTTP_STATUS_INVALID,         /* bad method, URL or arguments (caller bug or bad config) */
};
const char *http_status_name(enum http_status s);

/* A failed request, parsed from Graph's error envelope when there is one. Never holds secrets. */
struct http_error {
    int status;              /* HTTP status; 0 when there was no response */
    char *method;            /* "POST" */
    char *path;              /* relative to the Graph base ("/groups"), else the URL sans query */
    char *code;              /* error.code ("BadRequest"), OAuth `error`, or NULL */
    char *message;           /* error.message, OAuth error_description's first line, or a
                                transport description */
    char *inner_message;     /* innerError(.innerError...).message, joined with "; " */
    char *request_id;        /* Graph's request-id (header, else innerError) */
    char *client_request_id; /* the GUID we sent */
    char *text;              /* one line: "POST /x: 400 BadRequest: msg inner (request-id R)" */
};
void http_error_init(struct http_error *e);
void http_error_fini(struct http_error *e);
/* Fills `e` (after fini'ing it) from a status and an optional response body. Understands
 * {"error":{"code","message","innerError"|"innererror"|any casing, nested}} and OAuth's
 * {"error":"...","error_description":"AADSTS..."}. request_id may be NULL. */
void http_error_from_body(struct http_error *e, const char *method, const char *path, int status,
                          const json_t *body, const char *request_id);
/* The one-line rendering; "" when empty. */
const char *http_error_str(const struct http_error *e);

struct http_response {
    int status;              /* last HTTP status; 0 when none */
    json_t *body;            /* parsed JSON body, NULL when empty (204) */
    char *request_id;        /* Graph's request-id of the last exchange */
    char *client_request_id; /* the client-request-id of the last exchange */
    double retry_after;      /* Retry-After of the last response in seconds, < 0 when absent */
    unsigned attempts;       /* exchanges made for this request (or batch item rounds) */
    struct http_error error; /* filled when the call did not return HTTP_STATUS_OK */
};
void http_response_init(struct http_response *r);
void http_response_fini(struct http_response *r);

/* Time source for back-off, rate limiting and token expiry. Default: CLOCK_MONOTONIC/nanosleep. */
struct http_clock {
    double (*now)(void *ctx);                 /* seconds, monotonic */
    void (*sleep)(void *ctx, double seconds); /* must advance now() by `seconds` */
    void *ctx;
};

enum http_log_kind {
    HTTP_LOG_RETRY,       /* throttled / transient failure, retrying after a delay */
    HTTP_LOG_REPLICATION, /* waiting for a just-created object to replicate */
    HTTP_LOG_RATE_LIMIT,  /* client-side rate limiter delayed a request */
    HTTP_LOG_DEBUG,       /* one line per exchange: method, path, status, request-id */
};
/* Progress / log lines. Lines never contain headers, bodies, tokens or secrets. */
struct http_log {
    void (*fn)(void *ctx, enum http_log_kind kind, const char *line);
    void *ctx;
};

/* Bearer-token source (see auth.h). Returns a token borrowed until the next call, or NULL with
 * *err set to a malloc'd secret-free message. force_refresh: the last token was rejected (401). */
struct http_auth {
    const char *(*token)(void *ctx, bool force_refresh, char **err);
    void *ctx;
};

struct http_client_config {
    const char *base_url;    /* "https://graph.microsoft.com/v1.0"; https only */
    const char *ca_bundle;   /* PEM CA file to trust instead of the system store, or NULL.
                                   TLS peer and host verification is always on. */
    long connect_timeout_ms; /* 0: 10 s */
    long request_timeout_ms; /* total per exchange; 0: 60 s */
    double max_retry_time;   /* cap on time spent retrying one request, s; 0: 180 */
    double backoff_initial;  /* first back-off without Retry-After, s; 0: 1 */
    double backoff_max;      /* back-off cap, s; 0: 60 */
    double replication_wait; /* HTTP_REQ_AFTER_CREATE: how long to retry not-found, s; 0: 120 */
    double ca_rate;          /* client-side limit for rate-limited paths, requests/s; 0: 1;
                                   < 0: unlimited */
    double ca_burst;         /* token bucket size; 0: 1 */
    const char *const *ca_prefixes; /* NULL-terminated path prefixes (relative to the base) that
                                       the limiter covers; NULL: "/identity/conditionalAccess/" */
    uint64_t jitter_seed;           /* 0: seeded from RAND_bytes */
    bool allow_http_loopback;       /* unit tests only: accept http://127.0.0.1 */
    struct http_auth auth;          /* .token NULL: no Authorization header */
    struct http_clock clock;        /* .now NULL: real clock */
    struct http_log log;            /* .fn NULL: silent */
};

struct http_client;
/* NULL (and *err, malloc'd) when the base URL is unusable. cfg strings are copied. */
struct http_client *http_client_new(const struct http_client_config *cfg, char **err);
void http_client_free(struct http_client *c);
/* Number of HTTP exchanges made so far (each retry and each $batch POST counts once). */
uint64_t http_client_request_count(const struct http_client *c);
const char *http_client_base_url(const struct http_client *c);
/* Current time from the client's clock. */
double http_client_now(const struct http_client *c);

enum http_request_flag {
    /* Non-idempotent create: after a timeout/reset once the request may have been sent, or a
     * 500/502/504, return HTTP_STATUS_UNKNOWN_OUTCOME instead of retrying blindly (the caller
     * looks the object up by name first). 429 and 503 are still retried. */
    HTTP_REQ_CREATE = 1u << 0,
    /* The request refers to a just-created object: 404 and 400 "does not exist / not present /
     * not found" are retried for up to replication_wait seconds, with a progress line. */
    HTTP_REQ_AFTER_CREATE = 1u << 1,
    /* Send no Authorization header from the client's token source. */
    HTTP_REQ_NO_AUTH = 1u << 2,
};

struct http_request_opts {
    unsigned flags;             /* enum http_request_flag bits */
    const char *const *headers; /* NULL-terminated "Name: value" lines (e.g. ConsistencyLevel) */
    const char *raw_body;       /* a non-JSON body (form), used instead of the JSON body */
    const char *content_type;   /* with raw_body */
    const char *bearer;         /* explicit bearer token (never logged), overrides the source */
    const char *secret;         /* a value inside raw_body (a client secret, an assertion) that the
                           response's error must never show, in any encoding (http_redact) */
};

/* Replaces in *s (malloc'd; may be replaced) every occurrence of `secret` with "[redacted]" —
 * as is, percent-encoded as a form sends it (upper- or lower-case hex, space as %20 or '+'), and
 * JSON-escaped (with or without escaped '/' and \\uXXXX for non-ASCII). Secrets shorter than 4
 * bytes are left (they would redact ordinary words). */
void http_redact(char **s, const char *secret);

/* One request with retries. path_or_url: "/groups?$select=id" relative to the base, or an
 * absolute URL on the base's host. `out` is initialised by the call; release it with
 * http_response_fini(). 2xx bodies must be JSON (or empty). */
enum http_status http_request(struct http_client *c, const char *method, const char *path_or_url,
                              const json_t *body, struct http_response *out) IDPC_WARN_UNUSED;
enum http_status http_request_ex(struct http_client *c, const char *method, const char *path_or_url,
                                 const json_t *body, const struct http_request_opts *opts,
                                 struct http_response *out) IDPC_WARN_UNUSED;

/* GET a collection and follow @odata.nextLink (same host only) until done; *out_array receives
 * the concatenated `value` arrays (caller decrefs). The caller puts $top/$select/$filter in
 * path. err (may be NULL) is initialised and filled on failure; release with http_error_fini. */
enum http_status http_get_all(struct http_client *c, const char *path, json_t **out_array,
                              struct http_error *err) IDPC_WARN_UNUSED;
enum http_status http_get_all_ex(struct http_client *c, const char *path,
                                 const struct http_request_opts *opts, json_t **out_array,
                                 struct http_error *err) IDPC_WARN_UNUSED;

#define HTTP_BATCH_MAX 20

struct http_batch_request {
    const char *method;         /* "GET", ... */
    const char *url;            /* relative to the Graph base ("/users/{id}") or absolute */
    const json_t *body;         /* borrowed; NULL for none */
    const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
    size_t depends_on;          /* 1-based index of an earlier item this one waits for; 0: none */
};

/* Sends n requests through POST /$batch, at most HTTP_BATCH_MAX per batch; a dependsOn chain is
 * never split. Items answered 429/503 (and their 424 dependents) are resent after Retry-After or
 * back-off. responses[0..n) are initialised by the call (each: status, body, error); release each
 * with http_response_fini(). Returns OK when every item is 2xx, HTTP_STATUS_GRAPH_ERROR when some
 * item failed (see its error), or the failure of a $batch POST itself. */
enum http_status http_batch(struct http_client *c, const struct http_batch_request *reqs, size_t n,
                            struct http_response *responses) IDPC_WARN_UNUSED;

/* A random (version 4) GUID, lower case, from RAND_bytes. */
void http_guid(char out[37]);

#endif
