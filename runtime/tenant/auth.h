/* auth.h — OAuth2 client-credentials tokens for Microsoft Graph (secret, certificate, federated).
 * Ownership: a struct auth_config owns its strings (auth_config_fini frees and wipes them); an
 * auth_provider owns a copy of its config and its cached token; char ** results belong to the
 * caller. No function puts a secret, assertion or token into an error string or log line. */
#ifndef IDPC_AUTH_H
#define IDPC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "compiler/util.h"
#include "runtime/tenant/http.h"

enum auth_status {
    AUTH_OK = 0,
    AUTH_ERR_CONFIG,     /* missing/contradictory settings */
    AUTH_ERR_CREDENTIAL, /* unreadable certificate/key/token file */
    AUTH_ERR_NETWORK,    /* token endpoint or OIDC provider unreachable / gave up */
    AUTH_ERR_REJECTED,   /* the token endpoint refused (AADSTS...) */
};

/* National clouds (Graph docs "national cloud deployments"). */
enum auth_cloud {
    AUTH_CLOUD_PUBLIC,    /* login.microsoftonline.com, graph.microsoft.com */
    AUTH_CLOUD_USGOV,     /* login.microsoftonline.us, graph.microsoft.us (L4: GCC High) */
    AUTH_CLOUD_USGOV_DOD, /* login.microsoftonline.us, dod-graph.microsoft.us (L5: DoD) */
    AUTH_CLOUD_CHINA,     /* login.chinacloudapi.cn, microsoftgraph.chinacloudapi.cn (21Vianet) */
};
/* "public", "usgov", "usgov_dod", "china" (also "global", "gcchigh", "dod"); case-insensitive. */
bool auth_cloud_from_name(const char *name, enum auth_cloud *out);
const char *auth_cloud_name(enum auth_cloud cloud);
const char *auth_cloud_authority_host(enum auth_cloud cloud); /* "https://login..." */
const char *auth_cloud_graph_host(enum auth_cloud cloud);     /* "https://graph..." */

enum auth_method {
    AUTH_METHOD_NONE,
    AUTH_METHOD_SECRET,         /* AZURE_CLIENT_SECRET */
    AUTH_METHOD_CERTIFICATE,    /* AZURE_CLIENT_CERTIFICATE_PATH: private_key_jwt */
    AUTH_METHOD_FEDERATED_FILE, /* AZURE_FEDERATED_TOKEN_FILE: the file is the assertion */
    AUTH_METHOD_GITHUB_OIDC,    /* ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN */
};
const char *auth_method_name(enum auth_method m);

enum auth_jwt_alg {
    AUTH_JWT_RS256, /* RSASSA-PKCS1-v1_5 SHA-256, header x5t (SHA-1 thumbprint) */
    AUTH_JWT_PS256, /* RSASSA-PSS SHA-256, header x5t#S256 (SHA-256 thumbprint) */
};

struct auth_config {
    char *tenant_id;
    char *client_id;
    enum auth_method method;
    char *client_secret;
    char *certificate_path;     /* PEM: certificate (first matching) + private key */
    char *certificate_password; /* for an encrypted private key, or NULL */
    enum auth_jwt_alg jwt_alg;
    char *federated_token_file;
    char *oidc_request_url;
    char *oidc_request_token;
    char *authority_host; /* "https://login.microsoftonline.com" */
    char *graph_base;     /* "https://graph.microsoft.com/v1.0" */
    char *graph_scope;    /* "https://graph.microsoft.com/.default" */
    char *ca_bundle;      /* IDPC_CA_BUNDLE or NULL */
};
void auth_config_init(struct auth_config *cfg);
void auth_config_fini(struct auth_config *cfg);

/* Reads AZURE_TENANT_ID, AZURE_CLIENT_ID and the first of AZURE_CLIENT_SECRET,
 * AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD), AZURE_FEDERATED_TOKEN_FILE,
 * ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN; IDPC_CLIENT_ASSERTION_ALG
 * (RS256|PS256); the cloud (`cloud` argument, else IDPC_CLOUD, else public); overrides
 * IDPC_AUTHORITY_HOST (else AZURE_AUTHORITY_HOST), IDPC_GRAPH_BASE, IDPC_GRAPH_SCOPE and
 * IDPC_CA_BUNDLE. On failure *err (malloc'd) says which variables to set. */
enum auth_status auth_config_from_env(struct auth_config *cfg, const char *cloud,
                                      char **err) IDPC_WARN_UNUSED;

struct auth_provider;
/* Validates cfg (loads the certificate once) and copies it. transport supplies timeouts, CA
 * bundle (cfg->ca_bundle wins when set), clock and log; its base_url and auth are ignored. */
enum auth_status auth_provider_new(const struct auth_config *cfg,
                                   const struct http_client_config *transport,
                                   struct auth_provider **out, char **err) IDPC_WARN_UNUSED;
void auth_provider_free(struct auth_provider *p);

/* A valid access token (cached; refreshed 5 minutes before expiry, or at once when
 * force_refresh). The token is borrowed until the next call. */
enum auth_status auth_provider_get_token(struct auth_provider *p, bool force_refresh,
                                         const char **token, char **err) IDPC_WARN_UNUSED;
/* Token requests made so far (token endpoint POSTs). */
unsigned auth_provider_token_requests(const struct auth_provider *p);
/* The token source for struct http_client_config.auth (ctx = the provider). */
struct http_auth auth_provider_http_auth(struct auth_provider *p);
/* Token endpoint URL: {authority}/{tenant}/oauth2/v2.0/token (borrowed). */
const char *auth_provider_token_url(const struct auth_provider *p);

/* jwt.c — private_key_jwt client assertion from a PEM file holding the certificate and key.
 * Claims: aud, iss = sub = client_id, jti (GUID), nbf = iat = now, exp = now + 600. */
enum auth_status auth_jwt_client_assertion(const char *pem_path, const char *password,
                                           enum auth_jwt_alg alg, const char *client_id,
                                           const char *audience, time_t now, char **assertion,
                                           char **err) IDPC_WARN_UNUSED;
/* RFC 4648 §5 base64url without padding. */
char *auth_base64url(const unsigned char *data, size_t len);

#endif
