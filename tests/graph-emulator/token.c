/* The token endpoint (client credentials: secret, certificate assertion, federated assertion) and
 * bearer-token checks on Graph requests. */
#include "emu.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct form {
    struct emu_param *p;
    size_t n;
};

static void form_parse(struct form *f, const char *body)
{
    const char *s = body ? body : "";
    while (*s) {
        const char *amp = strchr(s, '&');
        size_t len = amp ? (size_t)(amp - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        if (len) {
            f->p = emu_xrealloc(f->p, (f->n + 1) * sizeof *f->p);
            size_t klen = eq ? (size_t)(eq - s) : len;
            f->p[f->n].name = emu_url_decode(s, klen, true);
            f->p[f->n].value = eq ? emu_url_decode(eq + 1, len - klen - 1, true) : emu_xstrdup("");
            f->n++;
        }
        s += len;
        if (*s == '&')
            s++;
    }
}

static const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->p[i].name, name) == 0)
            return f->p[i].value;
    return NULL;
}

static void form_free(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->p[i].name);
        free(f->p[i].value);
    }
    free(f->p);
}

static void aad_error(struct emu_resp *resp, int status, const char *error, int code,
                      const char *message)
{
    char ts[32], trace[37], corr[37];
    emu_date_now(ts, sizeof ts);
    ts[10] = ' ';
    emu_guid(trace);
    emu_guid(corr);
    struct emu_buf d = {0};
    emu_buf_addf(&d, "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %sZ", code,
                 message, trace, corr, ts);
    char tsz[40];
    snprintf(tsz, sizeof tsz, "%sZ", ts);
    emu_ok(resp, status,
           json_pack("{s:s, s:s, s:[i], s:s, s:s, s:s, s:s}", "error", error, "error_description",
                     d.data, "error_codes", code, "timestamp", tsz, "trace_id", trace,
                     "correlation_id", corr, "error_uri",
                     "https://login.microsoftonline.com/error"));
    emu_buf_free(&d);
}

static json_t *jwt_part(const char *s, size_t n)
{
    size_t len;
    unsigned char *raw = emu_b64url_decode(s, n, &len);
    if (!raw)
        return NULL;
    json_error_t err;
    json_t *v = json_loadb((const char *)raw, len, 0, &err);
    free(raw);
    if (!json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static bool aud_matches(json_t *aud, const char *want_suffix, bool suffix)
{
    if (json_is_string(aud)) {
        const char *a = json_string_value(aud);
        if (!suffix)
            return strcmp(a, want_suffix) == 0;
        size_t la = strlen(a), lw = strlen(want_suffix);
        return la > lw && strcmp(a + la - lw, want_suffix) == 0 && strncmp(a, "https://", 8) == 0;
    }
    if (json_is_array(aud)) {
        size_t i;
        json_t *v;
        json_array_foreach(aud, i, v) if (aud_matches(v, want_suffix, suffix)) return true;
    }
    return false;
}

/* Verifies the assertion's thumbprint and signature against the configured certificate. */
static const char *verify_with_cert(const char *pem_path, const char *alg, json_t *header,
                                    const char *input, size_t input_len, const char *sig_b64)
{
    const char *why = NULL;
    X509 *x = NULL;
    EVP_MD_CTX *m = NULL;
    unsigned char *sig = NULL;
    FILE *f = fopen(pem_path, "r");
    if (!f)
        return "the configured client certificate cannot be read";
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x) {
        why = "the configured client certificate cannot be parsed";
        goto out;
    }
    bool pss = strcmp(alg, "PS256") == 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    X509_digest(x, pss ? EVP_sha256() : EVP_sha1(), md, &mdlen);
    struct emu_buf thumb = {0};
    emu_b64url_encode(&thumb, md, mdlen);
    const char *given = json_string_value(json_object_get(header, pss ? "x5t#S256" : "x5t"));
    if (!given)
        given = json_string_value(json_object_get(header, "kid"));
    bool same = given && thumb.data && strcmp(given, thumb.data) == 0;
    emu_buf_free(&thumb);
    if (!same) {
        why = "The certificate thumbprint in the assertion does not match a registered key";
        goto out;
    }
    size_t siglen;
    sig = emu_b64url_decode(sig_b64, strlen(sig_b64), &siglen);
    m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (!sig || !m ||
        EVP_DigestVerifyInit(m, &pctx, EVP_sha256(), NULL, X509_get0_pubkey(x)) != 1) {
        why = "the assertion signature cannot be checked";
        goto out;
    }
    if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
        why = "the assertion signature cannot be checked";
        goto out;
    }
    if (EVP_DigestVerify(m, sig, siglen, (const unsigned char *)input, input_len) != 1)
        why = "Client assertion contains an invalid signature";
out:
    EVP_MD_CTX_free(m);
    X509_free(x);
    free(sig);
    return why;
}

/* Returns NULL when the assertion is acceptable, else an AADSTS message (code in *code). */
static const char *check_assertion(struct emu_ctx *ctx, const char *tenant, const char *client_id,
                                   const char *jwt, int *code)
{
    const char *why = NULL;
    json_t *h = NULL, *p = NULL;
    const char *d1 = strchr(jwt, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    *code = 50027;
    if (!d1 || !d2 || strchr(d2 + 1, '.')) {
        why = "JWT token is invalid or malformed.";
        goto out;
    }
    h = jwt_part(jwt, (size_t)(d1 - jwt));
    p = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!h || !p) {
        why = "JWT token is invalid or malformed.";
        goto out;
    }
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *iss = json_string_value(json_object_get(p, "iss"));
    const char *sub = json_string_value(json_object_get(p, "sub"));
    json_t *exp = json_object_get(p, "exp"), *nbf = json_object_get(p, "nbf");
    time_t now = time(NULL);
    if (!json_is_integer(exp) || json_integer_value(exp) <= now) {
        *code = 700024;
        why = "Client assertion is not within its valid time range.";
        goto out;
    }
    if (json_is_integer(nbf) && json_integer_value(nbf) > now + 300) {
        *code = 700024;
        why = "Client assertion is not within its valid time range.";
        goto out;
    }
    if (iss && strcmp(iss, client_id) == 0) {
        /* certificate credential: self-signed by the app */
        bool rs = alg && strcmp(alg, "RS256") == 0 &&
                  (json_is_string(json_object_get(h, "x5t")) ||
                   json_is_string(json_object_get(h, "kid")));
        bool ps =
            alg && strcmp(alg, "PS256") == 0 && json_is_string(json_object_get(h, "x5t#S256"));
        if (!rs && !ps) {
            *code = 5002738;
            why = "The client assertion header must use RS256 with x5t or PS256 with x5t#S256.";
            goto out;
        }
        if (!sub || strcmp(sub, client_id) != 0) {
            *code = 700023;
            why = "Client assertion audience claim does not match Realm issuer.";
            goto out;
        }
        char suffix[300];
        snprintf(suffix, sizeof suffix, "/%s/oauth2/v2.0/token", tenant);
        if (!aud_matches(json_object_get(p, "aud"), suffix, true)) {
            *code = 700016;
            why = "The audience claim of the client assertion is not this token endpoint.";
            goto out;
        }
        if (!json_is_string(json_object_get(p, "jti"))) {
            *code = 50027;
            why = "The client assertion has no jti claim.";
            goto out;
        }
        if (ctx->cfg.client_cert) {
            *code = 700027;
            why = verify_with_cert(ctx->cfg.client_cert, alg, h, jwt, (size_t)(d2 - jwt), d2 + 1);
        }
        goto out;
    }
    /* federated credential: a token from an external issuer */
    *code = 70021;
    const char *want_aud =
        ctx->cfg.fic_audience ? ctx->cfg.fic_audience : "api://AzureADTokenExchange";
    if (!ctx->cfg.fic_issuer || !iss || !sub || strcmp(iss, ctx->cfg.fic_issuer) != 0 ||
        strcmp(sub, ctx->cfg.fic_subject) != 0 ||
        !aud_matches(json_object_get(p, "aud"), want_aud, false)) {
        why = "No matching federated identity record found for presented assertion.";
        goto out;
    }
out:
    json_decref(h);
    json_decref(p);
    return why;
}

static bool tenant_known(struct emu_ctx *ctx, const char *tenant)
{
    if (emu_strieq(tenant, emu_tenant_id(ctx)))
        return true;
    size_t i, j;
    json_t *org, *dom;
    json_array_foreach(emu_coll(ctx, "organization"), i, org) json_array_foreach(
        json_object_get(org, "verifiedDomains"), j,
        dom) if (emu_strieq(json_string_value(json_object_get(dom, "name")), tenant)) return true;
    return false;
}

void emu_token(struct emu_ctx *ctx, const char *tenant, const struct emu_req *req,
               struct emu_resp *resp)
{
    struct form f = {0};
    if (strcmp(req->method, "POST") != 0) {
        aad_error(resp, 405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
        return;
    }
    form_parse(&f, req->body);
    const char *grant = form_get(&f, "grant_type");
    const char *client_id = form_get(&f, "client_id");
    const char *secret = form_get(&f, "client_secret");
    const char *assertion = form_get(&f, "client_assertion");
    const char *atype = form_get(&f, "client_assertion_type");
    const char *scope = form_get(&f, "scope");
    char *basic_id = NULL, *basic_secret = NULL;
    if (req->authorization && emu_istarts(req->authorization, "Basic ")) {
        size_t n;
        const char *b = req->authorization + 6;
        unsigned char *raw = emu_b64url_decode(b, strlen(b), &n);
        if (raw) {
            char *s = emu_xstrndup((const char *)raw, n);
            char *colon = strchr(s, ':');
            if (colon) {
                basic_secret = emu_url_decode(colon + 1, strlen(colon + 1), true);
                *colon = '\0';
                basic_id = emu_url_decode(s, strlen(s), true);
            }
            free(s);
            free(raw);
        }
        if (!client_id)
            client_id = basic_id;
        if (!secret)
            secret = basic_secret;
    }
    if (!tenant_known(ctx, tenant)) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "Tenant '%s' not found. Check to make sure you have the correct tenant ID.",
                 tenant);
        aad_error(resp, 400, "invalid_request", 90002, msg);
        goto out;
    }
    if (!grant || strcmp(grant, "client_credentials") != 0) {
        aad_error(resp, 400, "unsupported_grant_type", 70003,
                  "The app requested an unsupported grant type.");
        goto out;
    }
    if (!client_id || !*client_id) {
        aad_error(resp, 400, "invalid_request", 900144,
                  "The request body must contain the following parameter: 'client_id'.");
        goto out;
    }
    if (!scope || strchr(scope, ' ') || strlen(scope) < 9 ||
        strcmp(scope + strlen(scope) - 9, "/.default") != 0) {
        char msg[600];
        snprintf(msg, sizeof msg,
                 "The provided value for the input parameter 'scope' is not valid. The scope %s "
                 "is not valid.",
                 scope ? scope : "");
        aad_error(resp, 400, "invalid_scope", 70011, msg);
        goto out;
    }
    if (ctx->cfg.client_id && strcmp(ctx->cfg.client_id, client_id) != 0) {
        char msg[400];
        snprintf(msg, sizeof msg,
                 "Application with identifier '%s' was not found in the directory '%s'.", client_id,
                 tenant);
        aad_error(resp, 400, "unauthorized_client", 700016, msg);
        goto out;
    }
    if (secret && assertion) {
        aad_error(resp, 400, "invalid_request", 90014,
                  "Only one of client_secret and client_assertion may be sent.");
        goto out;
    }
    if (secret) {
        if (!*secret || (ctx->cfg.client_secret && strcmp(secret, ctx->cfg.client_secret) != 0)) {
            aad_error(resp, 401, "invalid_client", 7000215, "Invalid client secret provided.");
            goto out;
        }
    } else if (assertion) {
        if (!atype ||
            strcmp(atype, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") != 0) {
            aad_error(resp, 400, "invalid_request", 50027,
                      "client_assertion_type must be "
                      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.");
            goto out;
        }
        int code = 0;
        const char *why = check_assertion(ctx, tenant, client_id, assertion, &code);
        if (why) {
            aad_error(resp, 401, "invalid_client", code, why);
            goto out;
        }
    } else {
        aad_error(resp, 401, "invalid_client", 7000216,
                  "'client_assertion', 'client_secret' or 'request' is required for the "
                  "'client_credentials' grant type.");
        goto out;
    }
    unsigned char raw[32];
    emu_random_bytes(raw, sizeof raw);
    struct emu_buf tok = {0};
    emu_buf_adds(&tok, "emu.");
    emu_b64url_encode(&tok, raw, sizeof raw);
    json_object_set_new(ctx->tokens, tok.data,
                        json_integer((json_int_t)time(NULL) + ctx->cfg.token_lifetime));
    emu_ok(resp, 200,
           json_pack("{s:s, s:i, s:i, s:s}", "token_type", "Bearer", "expires_in",
                     ctx->cfg.token_lifetime, "ext_expires_in", ctx->cfg.token_lifetime,
                     "access_token", tok.data));
    emu_buf_free(&tok);
out:
    free(basic_id);
    free(basic_secret);
    form_free(&f);
}

bool emu_token_valid(struct emu_ctx *ctx, const char *authorization, const char **why)
{
    if (!authorization || !emu_istarts(authorization, "Bearer ") || !authorization[7]) {
        *why = "Access token is empty.";
        return false;
    }
    json_t *exp = json_object_get(ctx->tokens, authorization + 7);
    if (!exp) {
        *why = "CompactToken parsing failed with error code: 80049217";
        return false;
    }
    if (json_integer_value(exp) <= (json_int_t)time(NULL)) {
        *why = "Access token has expired or is not yet valid.";
        return false;
    }
    return true;
}
