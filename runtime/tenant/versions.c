/* versions.c — idpc's own version (generated idpc_version.h, cmake/version.cmake) and the
 * run-time versions of the libraries it links: curl_version_info(), jansson_version_str() and
 * OpenSSL_version() report the library actually loaded, not the headers compiled against. */
#include "runtime/tenant/versions.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "idpc_version.h"

const char *versions_idpc(void)
{
    return IDPC_VERSION_STRING;
}

const char *versions_commit(void)
{
    return IDPC_COMMIT;
}

void versions_print(FILE *out)
{
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "idpc %s\n", IDPC_VERSION_STRING);
    fprintf(out, "commit: %s\n", IDPC_COMMIT);
    fprintf(out, "libcurl: %s (%s)\n", cv && cv->version ? cv->version : "unknown",
            cv && cv->ssl_version ? cv->ssl_version : "no TLS");
    fprintf(out, "jansson: %s\n", jansson_version_str());
    fprintf(out, "OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
}
