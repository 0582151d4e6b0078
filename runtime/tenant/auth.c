/* auth.c — OAuth2 client credentials (see auth.h). Token requests go through an http_client of
 * their own (base: the authority host), so they get the same TLS rules, retries and clock. */
#include "runtime/tenant/auth.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REFRESH_MARGIN     300.0 /* refresh this long before expiry */
#define DEFAULT_EXPIRES_IN 3599L
#define OIDC_AUDIENCE      "api://AzureADTokenExchange"

/* ---- clouds ---- */

static const struct {
    const char *name;
    const char *authority;
    const char *graph;
} clouds[] = {
    [AUTH_CLOUD_PUBLIC] = {"public", "https://login.microsoftonline.com",
                           "https://graph.microsoft.com"},
    [AUTH_CLOUD_USGOV] = {"usgov", "https://login.microsoftonline.us",
                          "https://graph.microsoft.us"},
    [AUTH_CLOUD_USGOV_DOD] = {"usgov_dod", "https://login.microsoftonline.us",
                              "https://dod-graph.microsoft.us"},
    [AUTH_CLOUD_CHINA] = {"china", "https://login.chinacloudapi.cn",
                          "https://microsoftgraph.chinacloudapi.cn"},
};

static const struct {
    const char *alias;
    enum auth_cloud cloud;
} cloud_aliases[] = {
    {"global", AUTH_CLOUD_PUBLIC},         {"azurecloud", AUTH_CLOUD_PUBLIC},
    {"gcchigh", AUTH_CLOUD_USGOV},         {"usgovernment", AUTH_CLOUD_USGOV},
    {"dod", AUTH_CLOUD_USGOV_DOD},         {"usgov-dod", AUTH_CLOUD_USGOV_DOD},
    {"azurechinacloud", AUTH_CLOUD_CHINA},
};

bool auth_cloud_from_name(const char *name, enum auth_cloud *out)
{
    if (!name)
        return false;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(clouds); i++)
        if (util_streq_nocase(name, clouds[i].name)) {
            *out = (enum auth_cloud)i;
            return true;
        }
    for (size_t i = 0; i < IDPC_ARRAY_LEN(cloud_aliases); i++)
        if (util_streq_nocase(name, cloud_aliases[i].alias)) {
            *out = cloud_aliases[i].cloud;
            return true;
        }
    return false;
}

const char *auth_cloud_name(enum auth_cloud cloud)
{
    return clouds[cloud].name;
}

const char *auth_cloud_authority_host(enum auth_cloud cloud)
{
    return clouds[cloud].authority;
}

const char *auth_cloud_graph_host(enum auth_cloud cloud)
{
    return clouds[cloud].graph;
}

const char *auth_method_name(enum auth_method m)
{
    switch (m) {
    case AUTH_METHOD_NONE:
        return "none";
    case AUTH_METHOD_SECRET:
        return "client secret";
    case AUTH_METHOD_CERTIFICATE:
        return "client certificate";
    case AUTH_METHOD_FEDERATED_FILE:
        return "federated token file";
    case AUTH_METHOD_GITHUB_OIDC:
        return "GitHub Actions OIDC";
    }
    return "?";
}

/* ---- config ---- */

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void auth_config_init(struct auth_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void auth_config_fini(struct auth_config *cfg)
{
    free(cfg->tenant_id);
    free(cfg->client_id);
    free_secret(cfg->client_secret);
    free(cfg->certificate_path);
    free_secret(cfg->certificate_password);
    free(cfg->federated_token_file);
    free(cfg->oidc_request_url);
    free_secret(cfg->oidc_request_token);
    free(cfg->authority_host);
    free(cfg->graph_base);
    free(cfg->graph_scope);
    free(cfg->ca_bundle);
    auth_config_init(cfg);
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void config_copy(struct auth_config *dst, const struct auth_config *src)
{
    auth_config_init(dst);
    dst->tenant_id = dup_opt(src->tenant_id);
    dst->client_id = dup_opt(src->client_id);
    dst->method = src->method;
    dst->client_secret = dup_opt(src->client_secret);
    dst->certificate_path = dup_opt(src->certificate_path);
    dst->certificate_password = dup_opt(src->certificate_password);
    dst->jwt_alg = src->jwt_alg;
    dst->federated_token_file = dup_opt(src->federated_token_file);
    dst->oidc_request_url = dup_opt(src->oidc_request_url);
    dst->oidc_request_token = dup_opt(src->oidc_request_token);
    dst->authority_host = dup_opt(src->authority_host);
    dst->graph_base = dup_opt(src->graph_base);
    dst->graph_scope = dup_opt(src->graph_scope);
    dst->ca_bundle = dup_opt(src->ca_bundle);
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *strip_slashes(const char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '/')
        n--;
    return xstrndup(s, n);
}

/* "https://host:port/v1.0" -> "https://host:port" */
static char *url_origin(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    return xstrndup(url, (size_t)(p - url) + strcspn(p, "/?#"));
}

static bool valid_tenant(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 256)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            return false;
    return true;
}

enum auth_status auth_config_from_env(struct auth_config *cfg, const char *cloud, char **err)
{
    auth_config_init(cfg);
    *err = NULL;
    enum auth_cloud cl = AUTH_CLOUD_PUBLIC;
    const char *cloud_name = cloud ? cloud : env("IDPC_CLOUD");
    if (cloud_name && !auth_cloud_from_name(cloud_name, &cl)) {
        *err = xasprintf("unknown cloud '%s' (expected public, usgov, usgov_dod or china)",
                         cloud_name);
        return AUTH_ERR_CONFIG;
    }
    const char *tenant = env("AZURE_TENANT_ID"), *client = env("AZURE_CLIENT_ID");
    if (!tenant || !client) {
        *err = xasprintf("%s%s%s not set: Graph access needs AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                         "one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, "
                         "AZURE_FEDERATED_TOKEN_FILE (see docs/authentication.md)",
                         tenant ? "" : "AZURE_TENANT_ID", !tenant && !client ? " and " : "",
                         client ? "" : "AZURE_CLIENT_ID");
        return AUTH_ERR_CONFIG;
    }
    if (!valid_tenant(tenant)) {
        *err = xstrdup("AZURE_TENANT_ID must be a tenant GUID or a domain name");
        return AUTH_ERR_CONFIG;
    }
    cfg->tenant_id = xstrdup(tenant);
    cfg->client_id = xstrdup(client);
    if (env("AZURE_CLIENT_SECRET")) {
        cfg->method = AUTH_METHOD_SECRET;
        cfg->client_secret = xstrdup(env("AZURE_CLIENT_SECRET"));
    } else if (env("AZURE_CLIENT_CERTIFICATE_PATH")) {
        cfg->method = AUTH_METHOD_CERTIFICATE;
        cfg->certificate_path = xstrdup(env("AZURE_CLIENT_CERTIFICATE_PATH"));
        cfg->certificate_password = dup_opt(env("AZURE_CLIENT_CERTIFICATE_PASSWORD"));
    } else if (env("AZURE_FEDERATED_TOKEN_FILE")) {
        cfg->method = AUTH_METHOD_FEDERATED_FILE;
        cfg->federated_token_file = xstrdup(env("AZURE_FEDERATED_TOKEN_FILE"));
    } else if (env("ACTIONS_ID_TOKEN_REQUEST_URL") && env("ACTIONS_ID_TOKEN_REQUEST_TOKEN")) {
        cfg->method = AUTH_METHOD_GITHUB_OIDC;
        cfg->oidc_request_url = xstrdup(env("ACTIONS_ID_TOKEN_REQUEST_URL"));
        cfg->oidc_request_token = xstrdup(env("ACTIONS_ID_TOKEN_REQUEST_TOKEN"));
    } else {
        *err = xstrdup("no credential: set one of AZURE_CLIENT_SECRET, "
                       "AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE, or run in "
                       "GitHub Actions with 'permissions: id-token: write'");
        auth_config_fini(cfg);
        return AUTH_ERR_CONFIG;
    }
    const char *alg = env("IDPC_CLIENT_ASSERTION_ALG");
    if (alg && util_streq_nocase(alg, "PS256")) {
        cfg->jwt_alg = AUTH_JWT_PS256;
    } else if (alg && !util_streq_nocase(alg, "RS256")) {
        *err = xasprintf("IDPC_CLIENT_ASSERTION_ALG must be RS256 or PS256, not '%s'", alg);
        auth_config_fini(cfg);
        return AUTH_ERR_CONFIG;
    }
    const char *authority = env("IDPC_AUTHORITY_HOST");
    if (!authority)
        authority = env("AZURE_AUTHORITY_HOST");
    cfg->authority_host = strip_slashes(authority ? authority : auth_cloud_authority_host(cl));
    const char *graph = env("IDPC_GRAPH_BASE");
    if (graph)
        cfg->graph_base = strip_slashes(graph);
    else
        cfg->graph_base = xasprintf("%s/v1.0", auth_cloud_graph_host(cl));
    const char *scope = env("IDPC_GRAPH_SCOPE");
    if (scope) {
        cfg->graph_scope = xstrdup(scope);
    } else {
        char *origin = url_origin(cfg->graph_base);
        cfg->graph_scope = xasprintf("%s/.default", origin);
        free(origin);
    }
    cfg->ca_bundle = dup_opt(env("IDPC_CA_BUNDLE"));
    return AUTH_OK;
}

/* ---- provider ---- */

struct auth_provider {
    struct auth_config cfg;
    struct http_client *login; /* base: authority host */
    struct http_client *oidc;  /* base: ACTIONS_ID_TOKEN_REQUEST_URL */
    char *token_url;
    char *token;
    double refresh_at;
    unsigned requests;
};

const char *auth_provider_token_url(const struct auth_provider *p)
{
    return p->token_url;
}

unsigned auth_provider_token_requests(const struct auth_provider *p)
{
    return p->requests;
}

/* Removes secrets from a message we are about to hand out: each one as is and in every encoding
 * idpc sends it or a server may echo it in (http_redact). */
static void scrub(struct auth_provider *p, char **msg, const char *extra)
{
    const char *secrets[] = {p->cfg.client_secret, p->cfg.oidc_request_token,
                             p->cfg.certificate_password, p->token, extra};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(secrets); i++)
        http_redact(msg, secrets[i]);
}

void auth_provider_free(struct auth_provider *p)
{
    if (!p)
        return;
    http_client_free(p->login);
    http_client_free(p->oidc);
    free(p->token_url);
    free_secret(p->token);
    auth_config_fini(&p->cfg);
    free(p);
}

static enum auth_status make_client(const char *base, const struct auth_config *cfg,
                                    const struct http_client_config *transport,
                                    struct http_client **out, char **err)
{
    struct http_client_config hc = *transport;
    hc.base_url = base;
    hc.auth.token = NULL;
    hc.auth.ctx = NULL;
    hc.ca_prefixes = NULL;
    hc.ca_rate = -1; /* no Conditional Access limiter on login hosts */
    if (cfg->ca_bundle)
        hc.ca_bundle = cfg->ca_bundle;
    char *why = NULL;
    *out = http_client_new(&hc, &why);
    if (!*out) {
        *err = why;
        return AUTH_ERR_CONFIG;
    }
    return AUTH_OK;
}

enum auth_status auth_provider_new(const struct auth_config *cfg,
                                   const struct http_client_config *transport,
                                   struct auth_provider **out, char **err)
{
    *out = NULL;
    *err = NULL;
    if (!cfg->tenant_id || !valid_tenant(cfg->tenant_id) || !cfg->client_id || !*cfg->client_id) {
        *err = xstrdup("tenant id and client id are required");
        return AUTH_ERR_CONFIG;
    }
    bool ok = false;
    switch (cfg->method) {
    case AUTH_METHOD_SECRET:
        ok = cfg->client_secret && *cfg->client_secret;
        break;
    case AUTH_METHOD_CERTIFICATE:
        ok = cfg->certificate_path != NULL;
        break;
    case AUTH_METHOD_FEDERATED_FILE:
        ok = cfg->federated_token_file != NULL;
        break;
    case AUTH_METHOD_GITHUB_OIDC:
        ok = cfg->oidc_request_url && cfg->oidc_request_token;
        break;
    case AUTH_METHOD_NONE:
        break;
    }
    if (!ok) {
        *err = xasprintf("incomplete settings for authentication by %s",
                         auth_method_name(cfg->method));
        return AUTH_ERR_CONFIG;
    }
    struct auth_provider *p = xcalloc(1, sizeof(*p));
    config_copy(&p->cfg, cfg);
    if (!p->cfg.authority_host)
        p->cfg.authority_host = xstrdup(auth_cloud_authority_host(AUTH_CLOUD_PUBLIC));
    if (!p->cfg.graph_scope)
        p->cfg.graph_scope = xasprintf("%s/.default", auth_cloud_graph_host(AUTH_CLOUD_PUBLIC));
    char *authority = strip_slashes(p->cfg.authority_host);
    p->token_url = xasprintf("%s/%s/oauth2/v2.0/token", authority, p->cfg.tenant_id);
    enum auth_status st = make_client(authority, &p->cfg, transport, &p->login, err);
    free(authority);
    if (st == AUTH_OK && cfg->method == AUTH_METHOD_GITHUB_OIDC)
        st = make_client(p->cfg.oidc_request_url, &p->cfg, transport, &p->oidc, err);
    if (st == AUTH_OK && cfg->method == AUTH_METHOD_CERTIFICATE) {
        /* fail early on an unreadable or mismatched certificate */
        char *a = NULL;
        st = auth_jwt_client_assertion(p->cfg.certificate_path, p->cfg.certificate_password,
                                       p->cfg.jwt_alg, p->cfg.client_id, p->token_url, time(NULL),
                                       &a, err);
        free_secret(a);
    }
    if (st != AUTH_OK) {
        scrub(p, err, NULL);
        auth_provider_free(p);
        return st;
    }
    *out = p;
    return AUTH_OK;
}

static void form_add(struct strbuf *sb, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (sb->len)
        strbuf_addc(sb, '&');
    strbuf_adds(sb, name);
    strbuf_addc(sb, '=');
    for (const unsigned char *v = (const unsigned char *)value; *v; v++) {
        if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
            *v == '-' || *v == '.' || *v == '_' || *v == '~') {
            strbuf_addc(sb, (char)*v);
        } else {
            strbuf_addc(sb, '%');
            strbuf_addc(sb, hex[*v >> 4]);
            strbuf_addc(sb, hex[*v & 15]);
        }
    }
}

/* GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange. */
static enum auth_status github_oidc_token(struct auth_provider *p, char **assertion, char **err)
{
    const char *url = p->cfg.oidc_request_url;
    struct strbuf q = STRBUF_INIT;
    form_add(&q, "audience", OIDC_AUDIENCE);
    char *full = xasprintf("%s%s%s", url, strchr(url, '?') ? "&" : "?", q.buf);
    strbuf_fini(&q);
    struct http_request_opts opts = {.flags = HTTP_REQ_NO_AUTH,
                                     .bearer = p->cfg.oidc_request_token};
    struct http_response r;
    enum http_status hs = http_request_ex(p->oidc, "GET", full, NULL, &opts, &r);
    free(full);
    enum auth_status st = AUTH_OK;
    const json_t *v = json_object_get(r.body, "value");
    if (hs != HTTP_STATUS_OK) {
        *err = xasprintf("GitHub Actions OIDC token request failed: %s", http_error_str(&r.error));
        st = hs == HTTP_STATUS_GRAPH_ERROR ? AUTH_ERR_REJECTED : AUTH_ERR_NETWORK;
    } else if (!json_is_string(v) || !*json_string_value(v)) {
        *err = xstrdup("GitHub Actions OIDC token response has no 'value'");
        st = AUTH_ERR_REJECTED;
    } else {
        *assertion = xstrdup(json_string_value(v));
    }
    http_response_fini(&r);
    return st;
}

static enum auth_status read_federated_file(struct auth_provider *p, char **assertion, char **err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = util_read_file(p->cfg.federated_token_file, &data, &len);
    if (rc) {
        *err = xasprintf("cannot read AZURE_FEDERATED_TOKEN_FILE '%s': %s",
                         p->cfg.federated_token_file, strerror(rc));
        return AUTH_ERR_CREDENTIAL;
    }
    size_t b = 0;
    while (b < len && (data[b] == ' ' || data[b] == '\n' || data[b] == '\r' || data[b] == '\t'))
        b++;
    size_t e = len;
    while (e > b && (data[e - 1] == ' ' || data[e - 1] == '\n' || data[e - 1] == '\r' ||
                     data[e - 1] == '\t'))
        e--;
    if (e == b) {
        *err = xasprintf("AZURE_FEDERATED_TOKEN_FILE '%s' is empty", p->cfg.federated_token_file);
        free(data);
        return AUTH_ERR_CREDENTIAL;
    }
    *assertion = xstrndup(data + b, e - b);
    OPENSSL_cleanse(data, len);
    free(data);
    return AUTH_OK;
}

/* expires_in: number or numeric string (the v1 endpoint sends strings); else expires_on. */
static long token_lifetime(const json_t *body)
{
    const json_t *v = json_object_get(body, "expires_in");
    long n;
    if (json_is_integer(v) && json_integer_value(v) > 0)
        return (long)json_integer_value(v);
    if (json_is_real(v) && json_real_value(v) > 0)
        return (long)json_real_value(v);
    if (json_is_string(v) && util_parse_long(json_string_value(v), 1, 1L << 30, &n))
        return n;
    v = json_object_get(body, "expires_on");
    long on = 0;
    if (json_is_integer(v))
        on = (long)json_integer_value(v);
    else if (json_is_string(v) && !util_parse_long(json_string_value(v), 1, 1L << 40, &on))
        on = 0;
    if (on > 0) {
        double d = difftime((time_t)on, time(NULL));
        if (d > 0)
            return (long)d;
    }
    return DEFAULT_EXPIRES_IN;
}

static enum auth_status acquire(struct auth_provider *p, char **err)
{
    char *assertion = NULL;
    struct strbuf form = STRBUF_INIT;
    enum auth_status st = AUTH_OK;
    switch (p->cfg.method) {
    case AUTH_METHOD_CERTIFICATE:
        st = auth_jwt_client_assertion(p->cfg.certificate_path, p->cfg.certificate_password,
                                       p->cfg.jwt_alg, p->cfg.client_id, p->token_url, time(NULL),
                                       &assertion, err);
        break;
    case AUTH_METHOD_FEDERATED_FILE:
        st = read_federated_file(p, &assertion, err);
        break;
    case AUTH_METHOD_GITHUB_OIDC:
        st = github_oidc_token(p, &assertion, err);
        break;
    case AUTH_METHOD_SECRET:
    case AUTH_METHOD_NONE:
        break;
    }
    if (st != AUTH_OK)
        goto out;
    form_add(&form, "grant_type", "client_credentials");
    form_add(&form, "client_id", p->cfg.client_id);
    form_add(&form, "scope", p->cfg.graph_scope);
    if (p->cfg.method == AUTH_METHOD_SECRET) {
        form_add(&form, "client_secret", p->cfg.client_secret);
    } else {
        form_add(&form, "client_assertion_type",
                 "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form_add(&form, "client_assertion", assertion);
    }
    struct http_request_opts opts = {
        .flags = HTTP_REQ_NO_AUTH,
        .raw_body = form.buf,
        .content_type = "application/x-www-form-urlencoded",
        .secret = p->cfg.method == AUTH_METHOD_SECRET ? p->cfg.client_secret : assertion};
    struct http_response r;
    p->requests++;
    enum http_status hs = http_request_ex(p->login, "POST", p->token_url, NULL, &opts, &r);
    const json_t *tok = json_object_get(r.body, "access_token");
    const json_t *type = json_object_get(r.body, "token_type");
    if (hs != HTTP_STATUS_OK) {
        *err =
            xasprintf("token request for client %s in tenant %s (%s) failed: %s", p->cfg.client_id,
                      p->cfg.tenant_id, auth_method_name(p->cfg.method), http_error_str(&r.error));
        st = hs == HTTP_STATUS_GRAPH_ERROR ? AUTH_ERR_REJECTED : AUTH_ERR_NETWORK;
    } else if (!json_is_string(tok) || !*json_string_value(tok) ||
               (json_is_string(type) && !util_streq_nocase(json_string_value(type), "Bearer"))) {
        *err = xasprintf("token response from %s has no bearer access_token", p->token_url);
        st = AUTH_ERR_REJECTED;
    } else {
        long life = token_lifetime(r.body);
        double margin = life > 2 * REFRESH_MARGIN ? REFRESH_MARGIN : (double)life / 2;
        free_secret(p->token);
        p->token = xstrdup(json_string_value(tok));
        p->refresh_at = http_client_now(p->login) + (double)life - margin;
    }
    http_response_fini(&r);
out:
    if (form.buf)
        OPENSSL_cleanse(form.buf, form.len);
    strbuf_fini(&form);
    if (st != AUTH_OK)
        scrub(p, err, assertion);
    free_secret(assertion);
    return st;
}

enum auth_status auth_provider_get_token(struct auth_provider *p, bool force_refresh,
                                         const char **token, char **err)
{
    *token = NULL;
    *err = NULL;
    if (p->token && !force_refresh && http_client_now(p->login) < p->refresh_at) {
        *token = p->token;
        return AUTH_OK;
    }
    enum auth_status st = acquire(p, err);
    if (st == AUTH_OK)
        *token = p->token;
    return st;
}

static const char *token_source(void *ctx, bool force_refresh, char **err)
{
    const char *t = NULL;
    if (auth_provider_get_token(ctx, force_refresh, &t, err) != AUTH_OK)
        return NULL;
    return t;
}

struct http_auth auth_provider_http_auth(struct auth_provider *p)
{
    struct http_auth a = {.token = token_source, .ctx = p};
    return a;
}
