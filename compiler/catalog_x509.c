/* catalog_x509.c — the words of certificate-based authentication settings and the Graph v1.0
 * values they stand for (x509CertificateAuthenticationMode, x509CertificateRuleType,
 * x509CertificateUserBinding's x509CertificateField and userProperty), for export and plans. */
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/util.h"

static const char *const words[][2] = {
    {"x509CertificateSingleFactor", "single_factor"},
    {"x509CertificateMultiFactor", "multi_factor"},
    {"issuerSubject", "issuer"},
    {"policyOID", "policy_oid"},
    {"PrincipalName", "principal_name"},
    {"RFC822Name", "rfc822_name"},
    {"SubjectKeyIdentifier", "subject_key_identifier"},
    {"SHA1PublicKey", "sha1_public_key"},
    {"userPrincipalName", "user_principal_name"},
    {"onPremisesUserPrincipalName", "on_premises_user_principal_name"},
    {"certificateUserIds", "certificate_user_ids"},
};

const char *catalog_x509_word(const char *graph)
{
    for (size_t i = 0; graph && i < IDPC_ARRAY_LEN(words); i++)
        if (strcmp(words[i][0], graph) == 0)
            return words[i][1];
    return NULL;
}
