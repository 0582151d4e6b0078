/* test_auth.c — OAuth2 client credentials against a real socket: client secret, certificate
 * (RS256 + x5t and PS256 + x5t#S256, verified here with libcrypto), federated token file, GitHub
 * Actions OIDC, expires_in as a string, refresh before expiry, national clouds and the
 * environment conventions, and that no secret reaches an error string or a log line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler/util.h"
#include "runtime/tenant/auth.h"
#include "runtime/tenant/http.h"

#include "testsrv.h"

/* ------------------------------------------------------------------------------------------ */
/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */

struct fclock {
    double t;
    int sleeps;
};

static double fc_now(void *ctx)
{
    return ((struct fclock *)ctx)->t;
}

static void fc_sleep(void *ctx, double s)
{
    struct fclock *fc = ctx;
    fc->sleeps++;
    fc->t += s;
}

struct logs {
    struct strbuf all;
};

static void log_fn(void *ctx, enum http_log_kind kind, const char *line)
{
    (void)kind;
    struct logs *l = ctx;
    strbuf_adds(&l->all, line);
    strbuf_addc(&l->all, '\n');
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c - 'a' + 10;
}

/* Value of `name` in an application/x-www-form-urlencoded body, decoded; NULL when absent. */
static char *form_get(const char *form, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = form; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            struct strbuf sb = STRBUF_INIT;
            for (size_t i = nl + 1; i < len; i++) {
                if (p[i] == '%' && i + 2 < len + 1) {
                    strbuf_addc(&sb, (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2])));
                    i += 2;
                } else {
                    strbuf_addc(&sb, p[i] == '+' ? ' ' : p[i]);
                }
            }
            return strbuf_detach(&sb);
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        strbuf_addc(&sb, s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
    size_t pad = (4 - sb.len % 4) % 4;
    for (size_t i = 0; i < pad; i++)
        strbuf_addc(&sb, '=');
    unsigned char *out = xmalloc(sb.len);
    int r = EVP_DecodeBlock(out, (const unsigned char *)sb.buf, (int)sb.len);
    assert_true(r >= 0);
    *out_len = (size_t)r - pad;
    strbuf_fini(&sb);
    return out;
}

static json_t *b64url_json(const char *s, size_t n)
{
    size_t len;
    unsigned char *raw = b64url_decode(s, n, &len);
    json_t *j = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    assert_non_null(j);
    return j;
}

static bool is_guid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return false;
    }
    return true;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void unset_auth_env(void)
{
    const char *vars[] = {"AZURE_TENANT_ID",
                          "AZURE_CLIENT_ID",
                          "AZURE_CLIENT_SECRET",
                          "AZURE_CLIENT_CERTIFICATE_PATH",
                          "AZURE_CLIENT_CERTIFICATE_PASSWORD",
                          "AZURE_FEDERATED_TOKEN_FILE",
                          "ACTIONS_ID_TOKEN_REQUEST_URL",
                          "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                          "IDPC_CLIENT_ASSERTION_ALG",
                          "IDPC_CLOUD",
                          "IDPC_AUTHORITY_HOST",
                          "AZURE_AUTHORITY_HOST",
                          "IDPC_GRAPH_BASE",
                          "IDPC_GRAPH_SCOPE",
                          "IDPC_CA_BUNDLE"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(vars); i++)
        unsetenv(vars[i]);
}

/* ------------------------------------------------------------------------------------------ */
/* The token endpoint, an OIDC provider and a Graph resource in one scripted server             */

#define SECRET     "s3cr3t-VALUE-xyz~!"
#define OIDC_TOKEN "gh-REQUEST-token-123"

struct idp {
    int token_requests;
    int fail_token;         /* answer token requests with an AADSTS error */
    const char *expires_in; /* JSON literal, e.g. "\"3599\"" */
    char *last_form;        /* body of the last token request */
    char *last_content_type;
    bool token_had_auth;
    int graph_ok, graph_401;
};

static void h_idp(struct srv *s, int n, const struct srv_req *rq, struct srv_resp *rs)
{
    (void)n;
    struct idp *idp = s->ctx;
    char v[512];
    if (strcmp(rq->target, "/tenant-1/oauth2/v2.0/token") == 0) {
        idp->token_requests++;
        free(idp->last_form);
        idp->last_form = xstrdup(rq->body);
        free(idp->last_content_type);
        idp->last_content_type =
            xstrdup(srv_header(rq, "Content-Type", v, sizeof(v)) ? v : "(none)");
        idp->token_had_auth = srv_header(rq, "Authorization", v, sizeof(v));
        if (idp->fail_token == 2 || idp->fail_token == 3) {
            /* a token endpoint that echoes what it received: the form body as sent (2), or the
             * form's values decoded and written back as JSON inside the message (3) */
            json_t *echo;
            if (idp->fail_token == 2) {
                echo = json_string(rq->body);
            } else {
                char *sec = form_get(rq->body, "client_secret");
                json_t *inner = json_pack("{s:s}", "client_secret", sec ? sec : "");
                char *t = json_dumps(inner, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII);
                echo = json_string(t);
                free(t);
                json_decref(inner);
                free(sec);
            }
            json_t *err =
                json_pack("{s:s,s:o}", "error", "invalid_request", "error_description", echo);
            char *body = json_dumps(err, JSON_COMPACT);
            resp_json(rs, 400, body);
            free(body);
            json_decref(err);
            return;
        }
        if (idp->fail_token) {
            resp_json(rs, 401,
                      "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
                      "Invalid client secret provided: " SECRET "\\r\\nTrace ID: "
                      "255d1aef\\r\\nCorrelation ID: fb3d\",\"error_codes\":[7000215],"
                      "\"trace_id\":\"255d1aef-8c98-452f-ac51-23d051240864\"}");
            return;
        }
        rs->status = 200;
        rs->body = xasprintf("{\"token_type\":\"Bearer\",\"expires_in\":%s,\"ext_expires_in\":"
                             "3599,\"access_token\":\"eyJ.tok-%d\"}",
                             idp->expires_in ? idp->expires_in : "\"3599\"", idp->token_requests);
    } else if (strncmp(rq->target, "/oidc/token?", 12) == 0) {
        if (strcmp(rq->target,
                   "/oidc/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange") != 0 ||
            !srv_header(rq, "Authorization", v, sizeof(v)) ||
            strcmp(v, "Bearer " OIDC_TOKEN) != 0) {
            resp_json(rs, 401, "{\"message\":\"bad OIDC request\"}");
            return;
        }
        resp_json(rs, 200, "{\"count\":1,\"value\":\"gh.oidc.jwt\"}");
    } else if (strcmp(rq->target, "/v1.0/organization") == 0) {
        bool ok =
            srv_header(rq, "Authorization", v, sizeof(v)) && strcmp(v, "Bearer eyJ.tok-2") == 0;
        if (ok) {
            idp->graph_ok++;
            resp_json(rs, 200, "{\"value\":[]}");
        } else {
            idp->graph_401++;
            resp_json(rs, 401,
                      "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":"
                      "\"Access token has expired or is not yet valid.\"}}");
        }
    } else {
        resp_json(rs, 404, "{\"error\":{\"code\":\"NotFound\",\"message\":\"no such path\"}}");
    }
}

struct afx {
    struct srv *srv;
    struct idp idp;
    struct fclock clock;
    struct logs logs;
    char authority[64];
    struct http_client_config transport;
    struct auth_config cfg;
    struct auth_provider *p;
};

static void afx_open(struct afx *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->srv = srv_start(h_idp, &fx->idp);
    snprintf(fx->authority, sizeof(fx->authority), "http://127.0.0.1:%d", fx->srv->port);
    fx->clock.t = 5000;
    strbuf_init(&fx->logs.all);
    fx->transport.allow_http_loopback = true;
    fx->transport.jitter_seed = 7;
    fx->transport.max_retry_time = 10;
    fx->transport.clock = (struct http_clock){fc_now, fc_sleep, &fx->clock};
    fx->transport.log = (struct http_log){log_fn, &fx->logs};
    auth_config_init(&fx->cfg);
    fx->cfg.tenant_id = xstrdup("tenant-1");
    fx->cfg.client_id = xstrdup("11111111-2222-3333-4444-555555555555");
    fx->cfg.authority_host = xstrdup(fx->authority);
    fx->cfg.graph_scope = xstrdup("https://graph.microsoft.com/.default");
}

static void afx_provider(struct afx *fx)
{
    char *err = NULL;
    if (auth_provider_new(&fx->cfg, &fx->transport, &fx->p, &err) != AUTH_OK)
        fail_msg("auth_provider_new: %s", err);
}

static void afx_close(struct afx *fx)
{
    auth_provider_free(fx->p);
    srv_stop(fx->srv);
    assert_null(strstr(strbuf_str(&fx->logs.all), SECRET));
    assert_null(strstr(strbuf_str(&fx->logs.all), OIDC_TOKEN));
    assert_null(strstr(strbuf_str(&fx->logs.all), "eyJ.tok"));
    strbuf_fini(&fx->logs.all);
    auth_config_fini(&fx->cfg);
    free(fx->idp.last_form);
    free(fx->idp.last_content_type);
}

static const char *token(struct afx *fx, bool force)
{
    const char *t = NULL;
    char *err = NULL;
    if (auth_provider_get_token(fx->p, force, &t, &err) != AUTH_OK)
        fail_msg("get_token: %s", err);
    return t;
}

static void expect_form(struct afx *fx, const char *name, const char *want)
{
    char *v = form_get(fx->idp.last_form, name);
    if (!want) {
        assert_null(v);
        return;
    }
    if (!v)
        fail_msg("form field %s missing in token request", name);
    assert_string_equal(v, want);
    free(v);
}

/* ------------------------------------------------------------------------------------------ */
/* Clouds and environment                                                                      */

static void test_cloud_table(void **state)
{
    (void)state;
    enum auth_cloud c;
    struct {
        const char *name;
        const char *login, *graph;
    } want[] = {
        {"public", "https://login.microsoftonline.com", "https://graph.microsoft.com"},
        {"USGov", "https://login.microsoftonline.us", "https://graph.microsoft.us"},
        {"usgov_dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
        {"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(want); i++) {
        assert_true(auth_cloud_from_name(want[i].name, &c));
        assert_string_equal(auth_cloud_authority_host(c), want[i].login);
        assert_string_equal(auth_cloud_graph_host(c), want[i].graph);
    }
    assert_true(auth_cloud_from_name("global", &c));
    assert_int_equal(c, AUTH_CLOUD_PUBLIC);
    assert_false(auth_cloud_from_name("germany", &c));
    assert_false(auth_cloud_from_name("", &c));
}

static void test_config_from_env(void **state)
{
    (void)state;
    struct auth_config cfg;
    char *err = NULL;
    unset_auth_env();
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_ERR_CONFIG);
    assert_non_null(strstr(err, "AZURE_TENANT_ID and AZURE_CLIENT_ID not set"));
    free(err);

    setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com", 1);
    setenv("AZURE_CLIENT_ID", "app-1", 1);
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_ERR_CONFIG);
    assert_non_null(strstr(err, "AZURE_CLIENT_SECRET"));
    assert_non_null(strstr(err, "id-token: write"));
    free(err);

    /* every credential set: the secret wins, then certificate, federated file, GitHub */
    setenv("AZURE_CLIENT_SECRET", SECRET, 1);
    setenv("AZURE_CLIENT_CERTIFICATE_PATH", "/nonexistent/cert.pem", 1);
    setenv("AZURE_FEDERATED_TOKEN_FILE", "/nonexistent/token", 1);
    setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh.example/oidc?x=1", 1);
    setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", OIDC_TOKEN, 1);
    enum auth_method order[] = {AUTH_METHOD_SECRET, AUTH_METHOD_CERTIFICATE,
                                AUTH_METHOD_FEDERATED_FILE, AUTH_METHOD_GITHUB_OIDC};
    const char *drop[] = {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                          "AZURE_FEDERATED_TOKEN_FILE", NULL};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(order); i++) {
        assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_OK);
        assert_int_equal(cfg.method, order[i]);
        assert_string_equal(cfg.tenant_id, "contoso.onmicrosoft.com");
        assert_string_equal(cfg.authority_host, "https://login.microsoftonline.com");
        assert_string_equal(cfg.graph_base, "https://graph.microsoft.com/v1.0");
        assert_string_equal(cfg.graph_scope, "https://graph.microsoft.com/.default");
        assert_int_equal(cfg.jwt_alg, AUTH_JWT_RS256);
        assert_null(cfg.ca_bundle);
        auth_config_fini(&cfg);
        if (drop[i])
            unsetenv(drop[i]);
    }

    /* national clouds, by argument or IDPC_CLOUD */
    assert_int_equal(auth_config_from_env(&cfg, "usgov_dod", &err), AUTH_OK);
    assert_string_equal(cfg.authority_host, "https://login.microsoftonline.us");
    assert_string_equal(cfg.graph_base, "https://dod-graph.microsoft.us/v1.0");
    assert_string_equal(cfg.graph_scope, "https://dod-graph.microsoft.us/.default");
    auth_config_fini(&cfg);
    setenv("IDPC_CLOUD", "china", 1);
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_OK);
    assert_string_equal(cfg.authority_host, "https://login.chinacloudapi.cn");
    assert_string_equal(cfg.graph_scope, "https://microsoftgraph.chinacloudapi.cn/.default");
    auth_config_fini(&cfg);
    assert_int_equal(auth_config_from_env(&cfg, "mars", &err), AUTH_ERR_CONFIG);
    assert_non_null(strstr(err, "'mars'"));
    free(err);

    /* explicit overrides (how tests reach the emulator) */
    setenv("IDPC_AUTHORITY_HOST", "https://127.0.0.1:8443/", 1);
    setenv("IDPC_GRAPH_BASE", "https://127.0.0.1:8443/v1.0/", 1);
    setenv("IDPC_CA_BUNDLE", "/tmp/ca.pem", 1);
    setenv("IDPC_CLIENT_ASSERTION_ALG", "ps256", 1);
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_OK);
    assert_string_equal(cfg.authority_host, "https://127.0.0.1:8443");
    assert_string_equal(cfg.graph_base, "https://127.0.0.1:8443/v1.0");
    assert_string_equal(cfg.graph_scope, "https://127.0.0.1:8443/.default");
    assert_string_equal(cfg.ca_bundle, "/tmp/ca.pem");
    assert_int_equal(cfg.jwt_alg, AUTH_JWT_PS256);
    assert_int_equal(cfg.method, AUTH_METHOD_GITHUB_OIDC);
    auth_config_fini(&cfg);
    setenv("IDPC_CLIENT_ASSERTION_ALG", "HS256", 1);
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_ERR_CONFIG);
    free(err);
    unsetenv("IDPC_CLIENT_ASSERTION_ALG");
    setenv("AZURE_TENANT_ID", "evil/../x", 1);
    assert_int_equal(auth_config_from_env(&cfg, NULL, &err), AUTH_ERR_CONFIG);
    assert_null(strstr(err, OIDC_TOKEN));
    free(err);
    unset_auth_env();
}

/* ------------------------------------------------------------------------------------------ */
/* Token acquisition                                                                           */

static void test_secret_token_and_refresh(void **state)
{
    (void)state;
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_SECRET;
    fx.cfg.client_secret = xstrdup(SECRET);
    afx_provider(&fx);
    char want_url[128];
    snprintf(want_url, sizeof(want_url), "%s/tenant-1/oauth2/v2.0/token", fx.authority);
    assert_string_equal(auth_provider_token_url(fx.p), want_url);

    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    assert_string_equal(fx.idp.last_content_type, "application/x-www-form-urlencoded");
    assert_false(fx.idp.token_had_auth);
    expect_form(&fx, "grant_type", "client_credentials");
    expect_form(&fx, "client_id", "11111111-2222-3333-4444-555555555555");
    expect_form(&fx, "scope", "https://graph.microsoft.com/.default");
    expect_form(&fx, "client_secret", SECRET); /* URL-encoded on the wire, intact after decoding */
    expect_form(&fx, "client_assertion", NULL);

    /* expires_in "3599" (a string): cached until 5 minutes before expiry */
    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    fx.clock.t += 3599 - 300 - 1;
    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    assert_int_equal(fx.idp.token_requests, 1);
    fx.clock.t += 2;
    assert_string_equal(token(&fx, false), "eyJ.tok-2");
    assert_int_equal(auth_provider_token_requests(fx.p), 2);
    /* forced refresh (after a 401) */
    assert_string_equal(token(&fx, true), "eyJ.tok-3");

    /* an integer expires_in, and a short one refreshes at half-life */
    fx.idp.expires_in = "120";
    assert_string_equal(token(&fx, true), "eyJ.tok-4");
    fx.clock.t += 59;
    assert_string_equal(token(&fx, false), "eyJ.tok-4");
    fx.clock.t += 2;
    assert_string_equal(token(&fx, false), "eyJ.tok-5");
    afx_close(&fx);
}

static void test_token_error_is_clear_and_secret_free(void **state)
{
    (void)state;
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_SECRET;
    fx.cfg.client_secret = xstrdup(SECRET);
    fx.idp.fail_token = 1;
    afx_provider(&fx);
    const char *t = NULL;
    char *err = NULL;
    assert_int_equal(auth_provider_get_token(fx.p, false, &t, &err), AUTH_ERR_REJECTED);
    assert_null(t);
    assert_non_null(strstr(err, "401 invalid_client: AADSTS7000215: Invalid client secret"));
    assert_non_null(strstr(err, "tenant-1"));
    assert_null(strstr(err, SECRET));
    assert_null(strstr(err, "Trace ID")); /* one line */
    assert_null(strchr(err, '\n'));
    assert_int_equal(fx.idp.token_requests, 1); /* a rejection is not retried */
    assert_int_equal(srv_count(fx.srv), 1);
    free(err);

    /* the same through a Graph client: HTTP_STATUS_AUTH, no request to Graph */
    char base[96];
    snprintf(base, sizeof(base), "%s/v1.0", fx.authority);
    struct http_client_config gc = fx.transport;
    gc.base_url = base;
    gc.auth = auth_provider_http_auth(fx.p);
    char *e2 = NULL;
    struct http_client *g = http_client_new(&gc, &e2);
    assert_non_null(g);
    struct http_response r;
    assert_int_equal(http_request(g, "GET", "/organization", NULL, &r), HTTP_STATUS_AUTH);
    assert_non_null(strstr(http_error_str(&r.error), "GET /organization: cannot get an access "
                                                     "token"));
    assert_null(strstr(http_error_str(&r.error), SECRET));
    assert_int_equal(fx.idp.graph_ok + fx.idp.graph_401, 0);
    http_response_fini(&r);
    http_client_free(g);
    afx_close(&fx);
}

/* A token endpoint that echoes the form body (client_secret=S3cr3t%2BValue...), or the secret
 * JSON-escaped: no encoding of the secret reaches the error. */
static void test_token_error_redacts_every_encoding(void **state)
{
    (void)state;
    static const char *const secrets[] = {
        "S3cr3t+Value/with \"quotes\" & =, \xc3\xa9t\xc3\xa9~%41", /* +, /, ", space, &, =, UTF-8 */
        "plain-secret-value_123", /* nothing to encode: still redacted */
        "a b+c/d\\e",             /* space, backslash */
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(secrets); i++) {
        for (int mode = 2; mode <= 3; mode++) {
            struct afx fx;
            afx_open(&fx);
            fx.cfg.method = AUTH_METHOD_SECRET;
            fx.cfg.client_secret = xstrdup(secrets[i]);
            fx.idp.fail_token = mode;
            afx_provider(&fx);
            const char *t = NULL;
            char *err = NULL;
            assert_int_equal(auth_provider_get_token(fx.p, false, &t, &err), AUTH_ERR_REJECTED);
            assert_non_null(strstr(err, "[redacted]"));
            /* the echo really carried the secret in an encoding */
            assert_non_null(mode == 2 ? strstr(err, "client_secret=")
                                      : strstr(err, "client_secret"));
            char *probe[] = {xstrdup(secrets[i]), NULL, NULL, NULL};
            /* what the server saw, and what it echoed: none of it may remain */
            char *sent = form_get(fx.idp.last_form, "client_secret");
            assert_string_equal(sent, secrets[i]);
            free(sent);
            const char *amp = strstr(fx.idp.last_form, "client_secret=");
            assert_non_null(amp);
            const char *end = strchr(amp, '&');
            probe[1] = end ? xstrndup(amp + 14, (size_t)(end - amp - 14)) : xstrdup(amp + 14);
            json_t *j = json_string(secrets[i]);
            char *js = json_dumps(j, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII);
            probe[2] = xstrndup(js + 1, strlen(js) - 2);
            free(js);
            json_decref(j);
            for (size_t k = 0; k < 3; k++) {
                if (strlen(probe[k]) >= 4 && strstr(err, probe[k]))
                    fail_msg("secret %zu, echo mode %d: '%s' is in the error: %s", i, mode,
                             probe[k], err);
                free(probe[k]);
            }
            free(err);
            afx_close(&fx);
        }
    }
}

static void test_graph_client_refreshes_rejected_token(void **state)
{
    (void)state;
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_SECRET;
    fx.cfg.client_secret = xstrdup(SECRET);
    afx_provider(&fx);
    char base[96];
    snprintf(base, sizeof(base), "%s/v1.0", fx.authority);
    struct http_client_config gc = fx.transport;
    gc.base_url = base;
    gc.auth = auth_provider_http_auth(fx.p);
    char *err = NULL;
    struct http_client *g = http_client_new(&gc, &err);
    assert_non_null(g);
    struct http_response r;
    /* tok-1 is "revoked" by the server: one 401, a forced refresh, then success with tok-2 */
    enum http_status st = http_request(g, "GET", "/organization", NULL, &r);
    if (st != HTTP_STATUS_OK)
        fail_msg("%s", http_error_str(&r.error));
    assert_int_equal(fx.idp.graph_401, 1);
    assert_int_equal(fx.idp.graph_ok, 1);
    assert_int_equal(fx.idp.token_requests, 2);
    http_response_fini(&r);
    assert_int_equal(http_request(g, "GET", "/organization", NULL, &r), HTTP_STATUS_OK);
    assert_int_equal(fx.idp.token_requests, 2); /* cached */
    http_response_fini(&r);
    http_client_free(g);
    afx_close(&fx);
}

static void test_federated_token_file(void **state)
{
    (void)state;
    char path[] = "/tmp/idpc-fed-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char content[] = "  eyJhbGciOi.fed-payload.sig\n";
    assert_int_equal(write(fd, content, sizeof(content) - 1), (ssize_t)(sizeof(content) - 1));
    close(fd);
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_FEDERATED_FILE;
    fx.cfg.federated_token_file = xstrdup(path);
    afx_provider(&fx);
    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    expect_form(&fx, "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect_form(&fx, "client_assertion", "eyJhbGciOi.fed-payload.sig");
    expect_form(&fx, "client_secret", NULL);
    unlink(path);
    /* the file is read at each acquisition: a vanished file is a clear error */
    const char *t;
    char *err = NULL;
    assert_int_equal(auth_provider_get_token(fx.p, true, &t, &err), AUTH_ERR_CREDENTIAL);
    assert_non_null(strstr(err, "AZURE_FEDERATED_TOKEN_FILE"));
    free(err);
    afx_close(&fx);
}

static void test_github_actions_oidc(void **state)
{
    (void)state;
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_GITHUB_OIDC;
    fx.cfg.oidc_request_url = xasprintf("%s/oidc/token?api-version=2.0", fx.authority);
    fx.cfg.oidc_request_token = xstrdup(OIDC_TOKEN);
    afx_provider(&fx);
    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    expect_form(&fx, "client_assertion", "gh.oidc.jwt");
    expect_form(&fx, "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    afx_close(&fx);

    /* a wrong request token: the OIDC provider refuses, and the token stays out of the error */
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_GITHUB_OIDC;
    fx.cfg.oidc_request_url = xasprintf("%s/oidc/token?api-version=2.0", fx.authority);
    fx.cfg.oidc_request_token = xstrdup("wrong-" OIDC_TOKEN);
    afx_provider(&fx);
    const char *t;
    char *err = NULL;
    assert_int_equal(auth_provider_get_token(fx.p, false, &t, &err), AUTH_ERR_REJECTED);
    assert_non_null(strstr(err, "GitHub Actions OIDC"));
    assert_null(strstr(err, OIDC_TOKEN));
    assert_int_equal(fx.idp.token_requests, 0);
    free(err);
    afx_close(&fx);
}

/* ------------------------------------------------------------------------------------------ */
/* Certificates: the assertion is checked with libcrypto against the certificate               */

struct certs {
    char dir[64];
    char pem[128];      /* cert + key */
    char mismatch[128]; /* cert of one key + another key */
};

static bool make_certs(struct certs *c)
{
    if (run("openssl version >/dev/null 2>&1") != 0)
        return false;
    snprintf(c->dir, sizeof(c->dir), "/tmp/idpc-auth-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    char *cmd = xasprintf(
        "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout k1.pem -out c1.pem -days 1 "
        "-subj /CN=idpc-test >/dev/null 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes "
        "-keyout k2.pem -out c2.pem -days 1 -subj /CN=idpc-other >/dev/null 2>&1 && cat c1.pem "
        "k1.pem > both.pem && cat c2.pem k1.pem > mismatch.pem",
        c->dir);
    assert_int_equal(run(cmd), 0);
    free(cmd);
    snprintf(c->pem, sizeof(c->pem), "%s/both.pem", c->dir);
    snprintf(c->mismatch, sizeof(c->mismatch), "%s/mismatch.pem", c->dir);
    return true;
}

static void remove_certs(struct certs *c)
{
    char *cmd = xasprintf("rm -rf %s", c->dir);
    assert_int_equal(run(cmd), 0);
    free(cmd);
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static void check_assertion(const char *jwt, X509 *cert, bool pss, const char *aud,
                            const char *client_id)
{
    const char *d1 = strchr(jwt, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    assert_null(strchr(jwt, '=')); /* base64url without padding */

    json_t *h = b64url_json(jwt, (size_t)(d1 - jwt));
    json_t *p = b64url_json(d1 + 1, (size_t)(d2 - d1 - 1));
    assert_string_equal(json_string_value(json_object_get(h, "alg")), pss ? "PS256" : "RS256");
    assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    assert_int_equal(X509_digest(cert, pss ? EVP_sha256() : EVP_sha1(), md, &mdlen), 1);
    char *want = auth_base64url(md, mdlen);
    const char *got = json_string_value(json_object_get(h, pss ? "x5t#S256" : "x5t"));
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_null(json_object_get(h, pss ? "x5t" : "x5t#S256"));
    free(want);

    assert_string_equal(json_string_value(json_object_get(p, "aud")), aud);
    assert_string_equal(json_string_value(json_object_get(p, "iss")), client_id);
    assert_string_equal(json_string_value(json_object_get(p, "sub")), client_id);
    assert_true(is_guid(json_string_value(json_object_get(p, "jti"))));
    json_int_t nbf = json_integer_value(json_object_get(p, "nbf"));
    json_int_t iat = json_integer_value(json_object_get(p, "iat"));
    json_int_t exp = json_integer_value(json_object_get(p, "exp"));
    json_int_t now = (json_int_t)time(NULL);
    assert_true(nbf <= now && nbf > now - 60);
    assert_true(iat == nbf);
    assert_int_equal(exp - nbf, 600);

    size_t siglen;
    unsigned char *sig = b64url_decode(d2 + 1, strlen(d2 + 1), &siglen);
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, pub), 1);
    if (pss) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    assert_int_equal(
        EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)jwt, (size_t)(d2 - jwt)), 1);
    /* and a tampered payload does not verify */
    char *bad = xstrdup(jwt);
    bad[d1 - jwt + 3] = bad[d1 - jwt + 3] == 'A' ? 'B' : 'A';
    EVP_MD_CTX_reset(ctx);
    pctx = NULL;
    assert_int_equal(EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, pub), 1);
    if (pss) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    assert_int_not_equal(
        EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)bad, (size_t)(d2 - jwt)), 1);
    free(bad);
    EVP_MD_CTX_free(ctx);
    free(sig);
    json_decref(h);
    json_decref(p);
}

static void certificate_case(bool pss)
{
    struct certs c;
    if (!make_certs(&c)) {
        print_message("skipped: the openssl command is not available\n");
        skip();
    }
    struct afx fx;
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_CERTIFICATE;
    fx.cfg.certificate_path = xstrdup(c.pem);
    fx.cfg.jwt_alg = pss ? AUTH_JWT_PS256 : AUTH_JWT_RS256;
    afx_provider(&fx);
    assert_string_equal(token(&fx, false), "eyJ.tok-1");
    expect_form(&fx, "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    expect_form(&fx, "client_secret", NULL);
    char *jwt = form_get(fx.idp.last_form, "client_assertion");
    assert_non_null(jwt);
    char *c1 = xasprintf("%s/c1.pem", c.dir);
    X509 *cert = load_cert(c1);
    check_assertion(jwt, cert, pss, auth_provider_token_url(fx.p), fx.cfg.client_id);
    /* a fresh assertion (new jti) per token request */
    assert_string_equal(token(&fx, true), "eyJ.tok-2");
    char *jwt2 = form_get(fx.idp.last_form, "client_assertion");
    assert_string_not_equal(jwt, jwt2);
    X509_free(cert);
    free(c1);
    free(jwt);
    free(jwt2);
    afx_close(&fx);

    /* a certificate that does not match the key is refused up front, without traffic */
    afx_open(&fx);
    fx.cfg.method = AUTH_METHOD_CERTIFICATE;
    fx.cfg.certificate_path = xstrdup(c.mismatch);
    char *err = NULL;
    assert_int_equal(auth_provider_new(&fx.cfg, &fx.transport, &fx.p, &err), AUTH_ERR_CREDENTIAL);
    assert_null(fx.p);
    assert_non_null(strstr(err, "matches its private key"));
    assert_null(strstr(err, "PRIVATE KEY-----"));
    free(err);
    free(fx.cfg.certificate_path);
    fx.cfg.certificate_path = xstrdup("/nonexistent/idpc.pem");
    assert_int_equal(auth_provider_new(&fx.cfg, &fx.transport, &fx.p, &err), AUTH_ERR_CREDENTIAL);
    assert_non_null(strstr(err, "cannot read certificate file"));
    free(err);
    assert_int_equal(fx.idp.token_requests, 0);
    afx_close(&fx);
    remove_certs(&c);
}

static void test_certificate_rs256_x5t(void **state)
{
    (void)state;
    certificate_case(false);
}

static void test_certificate_ps256_x5t_s256(void **state)
{
    (void)state;
    certificate_case(true);
}

static void test_base64url(void **state)
{
    (void)state;
    const unsigned char d[] = {0xfb, 0xff, 0xfe, 0x00, 0x10};
    char *s = auth_base64url(d, sizeof(d));
    assert_string_equal(s, "-__-ABA"); /* '+' '/' replaced, no '=' */
    free(s);
    s = auth_base64url((const unsigned char *)"", 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloud_table),
        cmocka_unit_test(test_config_from_env),
        cmocka_unit_test(test_base64url),
        cmocka_unit_test(test_secret_token_and_refresh),
        cmocka_unit_test(test_token_error_is_clear_and_secret_free),
        cmocka_unit_test(test_token_error_redacts_every_encoding),
        cmocka_unit_test(test_graph_client_refreshes_rejected_token),
        cmocka_unit_test(test_federated_token_file),
        cmocka_unit_test(test_github_actions_oidc),
        cmocka_unit_test(test_certificate_rs256_x5t),
        cmocka_unit_test(test_certificate_ps256_x5t_s256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
