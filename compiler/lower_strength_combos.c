/* lower_strength_combos.c — a custom strength's combination configurations (Graph v1.0
 * fido2CombinationConfiguration and x509CertificateCombinationConfiguration; Microsoft Learn,
 * "Custom authentication strengths", "Advanced options"):
 *
 *   fido2_keys "AAGUID", ...            → {@odata.type fido2CombinationConfiguration,
 *                                          appliesToCombinations ["fido2"], allowedAAGUIDs}
 *   certificate_issuers "SKI", ...      → {@odata.type x509CertificateCombinationConfiguration,
 *   certificate_policy_oids "OID", ...     appliesToCombinations [the x509 modes allowed],
 *                                          allowedIssuerSkis, allowedPolicyOIDs}
 *
 * A restriction needs the combination it restricts among the strength's `allow` lines (error
 * at the line). Plan creates, updates and deletes them through
 * policies/authenticationStrengthPolicies/{id}/combinationConfigurations. */
#include <ctype.h>
#include <string.h>

#include "compiler/check_int.h"

#define SKI_HEX_LEN 40 /* a subject key identifier: SHA-1, 20 bytes in hex */

static bool has_mode(const json_t *allowed, const char *mode)
{
    size_t i;
    json_t *v;
    json_array_foreach(allowed, i, v)
    {
        if (json_string_value(v) && strcmp(json_string_value(v), mode) == 0)
            return true;
    }
    return false;
}

static bool valid_ski(const char *s)
{
    size_t n = strlen(s);
    if (n != SKI_HEX_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool valid_oid(const char *s)
{
    /* dotted decimal, at least two arcs: 1.3.6.1.4.1.311 */
    size_t arcs = 0, digits = 0;
    for (const char *p = s;; p++) {
        if (isdigit((unsigned char)*p)) {
            digits++;
        } else if (*p == '.' || *p == '\0') {
            if (digits == 0)
                return false;
            arcs++;
            digits = 0;
            if (*p == '\0')
                break;
        } else {
            return false;
        }
    }
    return arcs >= 2;
}

/* A comma-separated list of strings checked by `ok`; upper-cases when `upper`. */
static json_t *strings(struct args *a, const char *what, bool (*ok)(const char *), const char *hint,
                       bool upper)
{
    json_t *out = json_array();
    do {
        const struct ast_atom *v = args_expect_string(a, what);
        if (!v)
            goto fail;
        if (!ok(v->text)) {
            args_error(a, v, "'%s' is not %s; %s", v->text, what, hint);
            goto fail;
        }
        char *s = arena_strdup(a->ck->arena, v->text);
        for (char *p = s; upper && *p; p++)
            *p = (char)toupper((unsigned char)*p);
        json_array_append_new(out, json_string(s));
    } while (args_comma(a));
    if (args_expect_end(a))
        return out;
fail:
    json_decref(out);
    return NULL;
}

json_t *lower_strength_combos(struct check *ck, const struct ast_stmt *const *stmts, size_t n,
                              const json_t *allowed)
{
    json_t *fido = NULL, *skis = NULL, *oids = NULL;
    const struct ast_stmt *fido_s = NULL, *ski_s = NULL, *oid_s = NULL, *x509_first = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = stmts[i];
        const char *kw = s->atoms[0].text;
        struct args a;
        args_init(&a, ck, s);
        if (strcmp(kw, "fido2_keys") == 0) {
            if (!check_once(ck, &fido_s, s, "a strength block"))
                continue;
            json_t *g = json_array();
            do {
                const char *id = args_expect_guid(&a, "a FIDO2 key model's AAGUID");
                if (!id) {
                    json_decref(g);
                    g = NULL;
                    break;
                }
                json_array_append_new(g, json_string(id));
            } while (args_comma(&a));
            if (g && !args_expect_end(&a)) {
                json_decref(g);
                g = NULL;
            }
            fido = g;
            if (fido && !has_mode(allowed, "fido2"))
                diag_error(ck->diag, s->atoms[0].loc,
                           "'fido2_keys' restricts the fido2 combination, which this strength "
                           "does not allow; add 'allow fido2'");
        } else if (strcmp(kw, "certificate_issuers") == 0) {
            if (!check_once(ck, &ski_s, s, "a strength block"))
                continue;
            skis = strings(&a, "a certificate issuer's subject key identifier", valid_ski,
                           "write the issuer's 40 hexadecimal digits", true);
            x509_first = x509_first ? x509_first : s;
        } else if (strcmp(kw, "certificate_policy_oids") == 0) {
            if (!check_once(ck, &oid_s, s, "a strength block"))
                continue;
            oids = strings(&a, "a certificate policy OID", valid_oid,
                           "write it in dotted decimal, such as \"1.3.6.1.4.1.311.21.8.1\"", false);
            x509_first = x509_first ? x509_first : s;
        }
    }
    json_t *out = json_array();
    if (fido) {
        json_array_append_new(out,
                              json_pack("{s:s,s:[s],s:o}", "@odata.type",
                                        "#microsoft.graph.fido2CombinationConfiguration",
                                        "appliesToCombinations", "fido2", "allowedAAGUIDs", fido));
    }
    if (skis || oids) {
        json_t *modes = json_array();
        static const char *const x509[] = {"x509CertificateMultiFactor",
                                           "x509CertificateSingleFactor"};
        for (size_t i = 0; i < IDPC_ARRAY_LEN(x509); i++)
            if (has_mode(allowed, x509[i]))
                json_array_append_new(modes, json_string(x509[i]));
        if (json_array_size(modes) == 0)
            diag_error(ck->diag, x509_first->atoms[0].loc,
                       "'%s' restricts certificate combinations, which this strength does not "
                       "allow; add 'allow x509_multifactor'",
                       x509_first->atoms[0].text);
        json_t *c = json_pack("{s:s,s:o}", "@odata.type",
                              "#microsoft.graph.x509CertificateCombinationConfiguration",
                              "appliesToCombinations", modes);
        json_object_set_new(c, "allowedIssuerSkis", skis ? skis : json_array());
        json_object_set_new(c, "allowedPolicyOIDs", oids ? oids : json_array());
        json_array_append_new(out, c);
    }
    return out;
}
