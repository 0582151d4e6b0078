/* graph-emulator: a Microsoft Graph v1.0 look-alike on libmicrohttpd for idpc's end-to-end tests.
 * This file owns the HTTP(S) layer: options, TLS, the connection handler, faults and the log. */
#include "emu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EMU_MAX_BODY (8u * 1024u * 1024u)

enum fault {
    FAULT_NONE,
    FAULT_500,
    FAULT_503,
    FAULT_RESET_BEFORE,
    FAULT_RESET_AFTER,
    FAULT_SLOW,
    FAULT_TRUNCATED
};
static const char *const fault_names[] = {NULL,          "500",  "503",      "reset-before",
                                          "reset-after", "slow", "truncated"};

static struct emu_ctx g_ctx;
static long g_slow_ms = 1000;

struct conn {
    struct emu_buf body;
    bool too_big;
};

struct payload {
    char *data;
    size_t len;
    size_t limit;  /* bytes sent before the connection is dropped (truncated), or len */
    long delay_ms; /* per chunk (slow) */
};

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static ssize_t payload_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct payload *p = cls;
    if (pos >= p->limit)
        return pos >= p->len ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = p->limit - (size_t)pos;
    if (p->delay_ms > 0) {
        size_t chunk = p->len / 10 + 1;
        if (n > chunk)
            n = chunk;
        sleep_ms(p->delay_ms);
    }
    if (n > max)
        n = max;
    memcpy(buf, p->data + pos, n);
    return (ssize_t)n;
}

static void payload_free(void *cls)
{
    struct payload *p = cls;
    free(p->data);
    free(p);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct emu_req *req = cls;
    req->q = emu_xrealloc(req->q, (req->nq + 1) * sizeof *req->q);
    req->q[req->nq].name = emu_xstrdup(key);
    req->q[req->nq].value = emu_xstrdup(value ? value : "");
    req->nq++;
    return MHD_YES;
}

static char *header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? emu_xstrdup(v) : NULL;
}

static void log_request(const struct emu_req *req, int status, enum fault f, bool applied,
                        const char *request_id)
{
    if (!g_ctx.log)
        return;
    char when[48];
    emu_iso_now(when, sizeof when);
    json_t *q = json_object();
    for (size_t i = 0; i < req->nq; i++)
        json_object_set_new(q, req->q[i].name, json_string(req->q[i].value));
    json_t *line = json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:b, s:b, s:s}", "time", when,
                             "method", req->method, "path", req->path, "query", q, "status", status,
                             "fault", f ? json_string(fault_names[f]) : json_null(), "applied",
                             applied, "batch", req->in_batch, "request_id", request_id);
    char *text = json_dumps(line, JSON_COMPACT);
    fprintf(g_ctx.log, "%s\n", text);
    fflush(g_ctx.log);
    free(text);
    json_decref(line);
}

/* Called by batch.c for each inner request so the log shows them too. */
void emu_log_inner(const struct emu_req *req, int status, const char *request_id)
{
    log_request(req, status, FAULT_NONE, true, request_id);
}

static enum fault roll_fault(void)
{
    if (g_ctx.cfg.fault_rate <= 0 || emu_rand01(&g_ctx) >= g_ctx.cfg.fault_rate)
        return FAULT_NONE;
    return (enum fault)(1 + emu_rand(&g_ctx) % 6);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct conn *cn = *con_cls;
    if (!cn) {
        *con_cls = emu_xcalloc(1, sizeof *cn);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cn->body.len + *upload_data_size > EMU_MAX_BODY)
            cn->too_big = true;
        else
            emu_buf_add(&cn->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    struct emu_req req = {0};
    struct emu_resp resp = {0};
    req.method = emu_xstrdup(method);
    req.path = emu_xstrdup(url);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &req);
    req.authorization = header(c, "Authorization");
    req.consistency = header(c, "ConsistencyLevel");
    req.content_type = header(c, "Content-Type");
    req.client_request_id = header(c, "client-request-id");
    char *host = header(c, "Host");
    struct emu_buf base = {0};
    emu_buf_addf(&base, "%s://%s", g_ctx.cfg.cert_path ? "https" : "http",
                 host ? host : "127.0.0.1");
    free(host);
    req.base = emu_buf_steal(&base);
    req.body_len = cn->body.len;
    req.body = emu_buf_steal(&cn->body);
    emu_guid(resp.request_id);

    pthread_mutex_lock(&g_ctx.lock);
    enum fault f = roll_fault();
    pthread_mutex_unlock(&g_ctx.lock);
    sleep_ms(g_ctx.cfg.latency_ms);

    bool applied = false;
    enum MHD_Result ret = MHD_NO;
    if (f == FAULT_RESET_BEFORE) {
        log_request(&req, 0, f, false, resp.request_id);
        goto out;
    }
    if (cn->too_big) {
        emu_error(&resp, 413, "RequestEntityTooLarge", "The request body is too large.");
    } else if (f == FAULT_500) {
        emu_error(&resp, 500, "InternalServerError", "An internal server error occurred.");
    } else if (f == FAULT_503) {
        emu_error(&resp, 503, "ServiceUnavailable", "The service is temporarily unavailable.");
    } else {
        pthread_mutex_lock(&g_ctx.lock);
        emu_dispatch(&g_ctx, &req, &resp);
        pthread_mutex_unlock(&g_ctx.lock);
        applied = true;
    }
    if (f == FAULT_RESET_AFTER) {
        log_request(&req, resp.status, f, applied, resp.request_id);
        goto out;
    }

    struct payload *p = emu_xcalloc(1, sizeof *p);
    const char *ctype = "application/json;odata.metadata=minimal;odata.streaming=true;"
                        "IEEE754Compatible=false;charset=utf-8";
    if (resp.text) {
        p->data = emu_xstrdup(resp.text);
        ctype = "text/plain";
    } else if (resp.body && resp.status != 204) {
        p->data = json_dumps(resp.body, JSON_COMPACT);
    } else {
        p->data = emu_xstrdup("");
    }
    p->len = p->limit = strlen(p->data);
    if (f == FAULT_SLOW)
        p->delay_ms = g_slow_ms / 10;
    if (f == FAULT_TRUNCATED) {
        p->limit = p->len / 2;
        if (p->len == 0) /* nothing to truncate: drop the connection instead */
            p->len = 1;
    }
    struct MHD_Response *r;
    if (f == FAULT_SLOW || f == FAULT_TRUNCATED) {
        r = MHD_create_response_from_callback(p->len, 4096, payload_reader, p, payload_free);
    } else {
        r = MHD_create_response_from_buffer(p->len, p->data, MHD_RESPMEM_MUST_FREE);
        free(p);
    }
    if (!r)
        goto out;
    MHD_add_response_header(r, "request-id", resp.request_id);
    MHD_add_response_header(r, "client-request-id",
                            resp.client_request_id[0] ? resp.client_request_id : resp.request_id);
    if (resp.status != 204)
        MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    if (strncmp(req.path, "/v1.0", 5) == 0)
        MHD_add_response_header(r, "OData-Version", "4.0");
    if (resp.retry_after[0])
        MHD_add_response_header(r, "Retry-After", resp.retry_after);
    if (resp.location[0])
        MHD_add_response_header(r, "Location", resp.location);
    ret = MHD_queue_response(c, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    log_request(&req, resp.status, f, applied, resp.request_id);
out:
    emu_req_free(&req);
    emu_resp_free(&resp);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn *cn = *con_cls;
    if (cn) {
        emu_buf_free(&cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

static void usage(FILE *f)
{
    fputs("usage: graph-emulator [--state FILE] [--save FILE] [--cert PEM --key PEM]\n"
          "         [--port N] [--port-file FILE] [--log FILE]\n"
          "         [--client-id ID] [--client-secret S] [--client-cert PEM]\n"
          "         [--fic-issuer ISS --fic-subject SUB [--fic-audience AUD]]\n"
          "         [--token-lifetime SECONDS] [--ca-throttle] [--directory-throttle N]\n"
          "         [--latency-ms N] [--replication-lag-ms N] [--fault-rate P] [--seed S]\n"
          "         [--slow-ms N]\n"
          "Serves the Microsoft Graph v1.0 subset idpc uses; see docs/graph-emulator.md.\n",
          f);
}

static bool parse_args(int argc, char **argv, long *port)
{
    struct emu_config *c = &g_ctx.cfg;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT_STR(name, field)                                                                       \
    if (strcmp(a, name) == 0) {                                                                    \
        if (!v)                                                                                    \
            goto missing;                                                                          \
        c->field = v;                                                                              \
        i++;                                                                                       \
        continue;                                                                                  \
    }
        OPT_STR("--state", state_path)
        OPT_STR("--save", save_path)
        OPT_STR("--cert", cert_path)
        OPT_STR("--key", key_path)
        OPT_STR("--port-file", port_file)
        OPT_STR("--log", log_path)
        OPT_STR("--client-id", client_id)
        OPT_STR("--client-secret", client_secret)
        OPT_STR("--client-cert", client_cert)
        OPT_STR("--fic-issuer", fic_issuer)
        OPT_STR("--fic-subject", fic_subject)
        OPT_STR("--fic-audience", fic_audience)
#undef OPT_STR
        if (strcmp(a, "--ca-throttle") == 0) {
            c->ca_throttle = true;
            continue;
        }
        if (strcmp(a, "--delegated-only") == 0) {
            c->delegated_only = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        long lv;
        double dv;
        if (!v)
            goto missing;
        if (strcmp(a, "--port") == 0 && emu_parse_long(v, &lv) && lv >= 0 && lv < 65536)
            *port = lv;
        else if (strcmp(a, "--token-lifetime") == 0 && emu_parse_long(v, &lv) && lv > 0)
            c->token_lifetime = (int)lv;
        else if (strcmp(a, "--directory-throttle") == 0 && emu_parse_double(v, &dv) && dv > 0)
            c->directory_throttle = dv;
        else if (strcmp(a, "--latency-ms") == 0 && emu_parse_long(v, &lv) && lv >= 0)
            c->latency_ms = lv;
        else if (strcmp(a, "--replication-lag-ms") == 0 && emu_parse_long(v, &lv) && lv >= 0)
            c->replication_lag_ms = lv;
        else if (strcmp(a, "--fault-rate") == 0 && emu_parse_double(v, &dv) && dv >= 0 && dv <= 1)
            c->fault_rate = dv;
        else if (strcmp(a, "--seed") == 0 && emu_parse_long(v, &lv))
            c->seed = (unsigned long)lv;
        else if (strcmp(a, "--slow-ms") == 0 && emu_parse_long(v, &lv) && lv >= 0)
            g_slow_ms = lv;
        else {
            fprintf(stderr, "graph-emulator: bad option or value: %s %s\n", a, v);
            return false;
        }
        i++;
        continue;
    missing:
        fprintf(stderr, "graph-emulator: %s needs a value\n", a);
        return false;
    }
    if (!c->cert_path != !c->key_path) {
        fputs("graph-emulator: --cert and --key go together\n", stderr);
        return false;
    }
    if (!c->fic_issuer != !c->fic_subject) {
        fputs("graph-emulator: --fic-issuer and --fic-subject go together\n", stderr);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    long port = 0;
    int rc = 1;
    char *cert = NULL, *key = NULL;
    struct MHD_Daemon *d = NULL;
    g_ctx.cfg.token_lifetime = 3599;
    g_ctx.cfg.seed = 1;
    if (!parse_args(argc, argv, &port)) {
        usage(stderr);
        return 2;
    }
    pthread_mutex_init(&g_ctx.lock, NULL);
    g_ctx.tokens = json_object();
    g_ctx.created = json_object();
    g_ctx.rng = (uint64_t)g_ctx.cfg.seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    if (!g_ctx.rng)
        g_ctx.rng = 1;
    if (emu_store_load(&g_ctx, g_ctx.cfg.state_path) != 0)
        goto out;
    if (g_ctx.cfg.log_path) {
        g_ctx.log = fopen(g_ctx.cfg.log_path, "a");
        if (!g_ctx.log) {
            fprintf(stderr, "graph-emulator: cannot open %s: %s\n", g_ctx.cfg.log_path,
                    strerror(errno));
            goto out;
        }
    }
    if (g_ctx.cfg.cert_path) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            fputs("graph-emulator: this libmicrohttpd has no TLS support\n", stderr);
            goto out;
        }
        cert = emu_read_file(g_ctx.cfg.cert_path, NULL);
        key = emu_read_file(g_ctx.cfg.key_path, NULL);
        if (!cert || !key) {
            fputs("graph-emulator: cannot read the certificate or key file\n", stderr);
            goto out;
        }
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (cert) {
        flags |= MHD_USE_TLS;
        d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    } else {
        d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    }
    if (!d) {
        fputs("graph-emulator: cannot start the HTTP daemon\n", stderr);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : 0;
    if (g_ctx.cfg.port_file) {
        char text[16];
        int n = snprintf(text, sizeof text, "%u\n", bound);
        if (emu_write_file_atomic(g_ctx.cfg.port_file, text, (size_t)n) != 0) {
            fprintf(stderr, "graph-emulator: cannot write %s\n", g_ctx.cfg.port_file);
            goto out;
        }
    }
    printf("listening on %s://127.0.0.1:%u\n", cert ? "https" : "http", bound);
    fflush(stdout);

    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    d = NULL;
    rc = 0;
    if (g_ctx.cfg.save_path) {
        pthread_mutex_lock(&g_ctx.lock);
        if (emu_store_save(&g_ctx, g_ctx.cfg.save_path) != 0) {
            fprintf(stderr, "graph-emulator: cannot write %s\n", g_ctx.cfg.save_path);
            rc = 1;
        }
        pthread_mutex_unlock(&g_ctx.lock);
    }
out:
    if (d)
        MHD_stop_daemon(d);
    free(cert);
    free(key);
    if (g_ctx.log)
        fclose(g_ctx.log);
    json_decref(g_ctx.tenant);
    json_decref(g_ctx.tokens);
    json_decref(g_ctx.created);
    return rc;
}
