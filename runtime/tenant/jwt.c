/* jwt.c — private_key_jwt client assertions signed with OpenSSL EVP (see auth.h). */
#include "runtime/tenant/auth.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERTION_LIFETIME 600 /* seconds */

char *auth_base64url(const unsigned char *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *out = xmalloc(cap);
    int n = EVP_EncodeBlock(out, data, (int)len);
    if (n < 0)
        BUG("EVP_EncodeBlock failed");
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (int i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return (char *)out;
}

static char *b64url_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        BUG("json_dumps failed");
    char *r = auth_base64url((const unsigned char *)s, strlen(s));
    free(s);
    return r;
}

/* Never prompt on a terminal: an encrypted key without a password is an error. */
static int pem_password(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    if (!pw || size <= 0)
        return -1;
    size_t n = strlen(pw);
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, pw, n);
    return (int)n;
}

static char *thumbprint(X509 *cert, const EVP_MD *md)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, md, d, &n) != 1)
        return NULL;
    return auth_base64url(d, n);
}

enum auth_status auth_jwt_client_assertion(const char *pem_path, const char *password,
                                           enum auth_jwt_alg alg, const char *client_id,
                                           const char *audience, time_t now, char **assertion,
                                           char **err)
{
    *assertion = NULL;
    *err = NULL;
    enum auth_status st = AUTH_ERR_CREDENTIAL;
    char *pem = NULL, *x5t = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL;
    size_t pem_len = 0;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *sig = NULL;
    json_t *header = NULL, *payload = NULL;
    struct strbuf input = STRBUF_INIT;

    int rc = util_read_file(pem_path, &pem, &pem_len);
    if (rc) {
        *err = xasprintf("cannot read certificate file '%s': %s", pem_path, strerror(rc));
        goto out;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (!bio)
        BUG("BIO_new_mem_buf failed");
    key = PEM_read_bio_PrivateKey(bio, NULL, pem_password, (void *)(uintptr_t)password);
    BIO_free(bio);
    if (!key) {
        *err = xasprintf("no usable private key in '%s' (PEM 'PRIVATE KEY' block expected%s)",
                         pem_path, password ? "; wrong AZURE_CLIENT_CERTIFICATE_PASSWORD?" : "");
        goto out;
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        *err =
            xasprintf("the private key in '%s' is not an RSA key (RS256/PS256 need RSA)", pem_path);
        goto out;
    }
    bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (!bio)
        BUG("BIO_new_mem_buf failed");
    X509 *c;
    while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        if (X509_check_private_key(c, key) == 1) {
            cert = c;
            break;
        }
        X509_free(c);
    }
    BIO_free(bio);
    if (!cert) {
        *err = xasprintf("no certificate in '%s' matches its private key", pem_path);
        goto out;
    }

    bool pss = alg == AUTH_JWT_PS256;
    x5t = thumbprint(cert, pss ? EVP_sha256() : EVP_sha1());
    if (!x5t) {
        *err = xstrdup("cannot compute the certificate thumbprint");
        goto out;
    }
    header = json_pack("{s:s, s:s, s:s}", "alg", pss ? "PS256" : "RS256", "typ", "JWT",
                       pss ? "x5t#S256" : "x5t", x5t);
    char jti[37];
    http_guid(jti);
    payload = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "aud", audience, "iss", client_id,
                        "sub", client_id, "jti", jti, "nbf", (json_int_t)now, "iat",
                        (json_int_t)now, "exp", (json_int_t)now + ASSERTION_LIFETIME);
    if (!header || !payload)
        BUG("json_pack failed");
    h64 = b64url_json(header);
    p64 = b64url_json(payload);
    strbuf_addf(&input, "%s.%s", h64, p64);

    md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    if (!md || EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) != 1) {
        *err = xstrdup("cannot initialise the signature");
        goto out;
    }
    if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
        *err = xstrdup("cannot select RSA-PSS padding");
        goto out;
    }
    size_t siglen = 0;
    if (EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input.buf, input.len) != 1) {
        *err = xstrdup("cannot sign the client assertion");
        goto out;
    }
    sig = xmalloc(siglen);
    if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input.buf, input.len) != 1) {
        *err = xstrdup("cannot sign the client assertion");
        goto out;
    }
    s64 = auth_base64url(sig, siglen);
    *assertion = xasprintf("%s.%s", input.buf, s64);
    st = AUTH_OK;
out:
    if (pem) {
        OPENSSL_cleanse(pem, pem_len);
        free(pem);
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    X509_free(cert);
    free(sig);
    free(x5t);
    free(h64);
    free(p64);
    free(s64);
    json_decref(header);
    json_decref(payload);
    strbuf_fini(&input);
    return st;
}
