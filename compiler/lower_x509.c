/* lower_x509.c — the certificate-based authentication settings of `x509_certificate` in
 * `authentication_methods`, merged into the X509Certificate method configuration's PATCH body
 * (Graph v1.0 "x509CertificateAuthenticationMethodConfiguration resource type",
 * "x509CertificateAuthenticationModeConfiguration", "x509CertificateRule",
 * "x509CertificateUserBinding"):
 *
 *   x509_certificate default_mode single_factor|multi_factor
 *       → authenticationModeConfiguration.x509CertificateAuthenticationDefaultMode
 *   x509_certificate rule issuer|policy_oid "ID" single_factor|multi_factor   (repeatable)
 *       → authenticationModeConfiguration.rules[] {x509CertificateRuleType issuerSubject|policyOID,
 *         identifier, x509CertificateAuthenticationMode}
 *   x509_certificate binding FIELD to PROPERTY priority N                      (repeatable)
 *       → certificateUserBindings[] {x509CertificateField, userProperty, priority}
 *
 * A binding's priority is unique and non-negative (x509CertificateUserBinding); a rule's type
 * and identifier are unique. SubjectKeyIdentifier and SHA1PublicKey bind only to
 * certificateUserIds, the two name fields to any property (Microsoft Learn, "How to configure
 * Microsoft Entra certificate-based authentication", username bindings). */
#include <string.h>

#include "compiler/check_int.h"

#define X509_PRIORITY_MAX 100000L

static const char *const modes_dsl[] = {"single_factor", "multi_factor"};
static const char *const modes_graph[] = {"x509CertificateSingleFactor",
                                          "x509CertificateMultiFactor"};

static bool mode(struct args *a, const char **out)
{
    int m = args_expect_word(a, "authentication mode", modes_dsl, IDPC_ARRAY_LEN(modes_dsl));
    if (m < 0)
        return false;
    *out = modes_graph[m];
    return true;
}

static json_t *mode_config(json_t *body)
{
    json_t *mc = json_object_get(body, "authenticationModeConfiguration");
    if (!mc) {
        mc = json_object();
        json_object_set_new(body, "authenticationModeConfiguration", mc);
    }
    return mc;
}

static json_t *list_in(json_t *obj, const char *key)
{
    json_t *l = json_object_get(obj, key);
    if (!l) {
        l = json_array();
        json_object_set_new(obj, key, l);
    }
    return l;
}

/* A policy OID: digits separated by dots, at least two arcs ("1.2.3.4"). */
static bool is_oid(const char *s)
{
    size_t arcs = 0, digits = 0;
    for (;; s++) {
        if (*s >= '0' && *s <= '9') {
            digits++;
        } else if (*s == '.' || *s == '\0') {
            if (digits == 0)
                return false;
            arcs++;
            digits = 0;
            if (*s == '\0')
                break;
        } else {
            return false;
        }
    }
    return arcs >= 2;
}

static bool rule(struct args *a, json_t *body)
{
    static const char *const types[] = {"issuer", "policy_oid"};
    static const char *const types_graph[] = {"issuerSubject", "policyOID"};
    int t = args_expect_word(a, "rule type", types, IDPC_ARRAY_LEN(types));
    if (t < 0)
        return false;
    const struct ast_atom *id =
        args_expect_string(a, t == 0 ? "an issuer subject (\"CN=Contoso CA, O=Contoso\")"
                                     : "a certificate policy OID (\"1.2.3.4\")");
    const char *m;
    if (!id || !mode(a, &m))
        return false;
    if (id->len == 0) {
        args_error(a, id, "the rule's identifier must not be empty");
        return false;
    }
    if (t == 1 && !is_oid(id->text)) {
        args_error(a, id, "'%s' is not a policy OID (numbers separated by dots, such as 1.2.3.4)",
                   id->text);
        return false;
    }
    json_t *rules = list_in(mode_config(body), "rules");
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "x509CertificateRuleType")),
                   types_graph[t]) == 0 &&
            strcmp(json_string_value(json_object_get(r, "identifier")), id->text) == 0) {
            args_error(a, id, "a rule for %s \"%s\" is already given", types[t], id->text);
            return false;
        }
    }
    json_array_append_new(rules, json_pack("{s:s,s:s,s:s}", "x509CertificateRuleType",
                                           types_graph[t], "identifier", id->text,
                                           "x509CertificateAuthenticationMode", m));
    return true;
}

static bool binding(struct args *a, json_t *body)
{
    static const char *const fields[] = {"principal_name", "rfc822_name", "subject_key_identifier",
                                         "sha1_public_key"};
    static const char *const fields_graph[] = {"PrincipalName", "RFC822Name",
                                               "SubjectKeyIdentifier", "SHA1PublicKey"};
    static const char *const props[] = {"user_principal_name", "on_premises_user_principal_name",
                                        "certificate_user_ids"};
    static const char *const props_graph[] = {"userPrincipalName", "onPremisesUserPrincipalName",
                                              "certificateUserIds"};
    static const char *const to[] = {"to"}, *const prio[] = {"priority"};
    int f = args_expect_word(a, "certificate field", fields, IDPC_ARRAY_LEN(fields));
    if (f < 0 || args_expect_word(a, "word", to, 1) < 0)
        return false;
    const struct ast_atom *pat = args_peek(a);
    int p = args_expect_word(a, "user property", props, IDPC_ARRAY_LEN(props));
    if (p < 0 || args_expect_word(a, "word", prio, 1) < 0)
        return false;
    const struct ast_atom *n = args_peek(a);
    if (!n || n->kind != AST_NUMBER) {
        args_expected(a, "a priority (0 or more; the lowest number binds first)");
        return false;
    }
    args_next(a);
    if (n->num < 0 || n->num > X509_PRIORITY_MAX) {
        args_error(a, n, "a binding's priority is 0 to %ld", X509_PRIORITY_MAX);
        return false;
    }
    if (f >= 2 && p != 2) {
        args_error(a, pat,
                   "%s binds only to certificate_user_ids (Microsoft Entra certificate-based "
                   "authentication maps the key identifiers to certificateUserIds)",
                   fields[f]);
        return false;
    }
    json_t *list = list_in(body, "certificateUserBindings");
    size_t i;
    json_t *b;
    json_array_foreach(list, i, b)
    {
        if (json_integer_value(json_object_get(b, "priority")) == n->num) {
            args_error(a, n,
                       "priority %lld is already given to another binding; priorities are "
                       "unique",
                       n->num);
            return false;
        }
    }
    json_array_append_new(list, json_pack("{s:s,s:s,s:I}", "x509CertificateField", fields_graph[f],
                                          "userProperty", props_graph[p], "priority",
                                          (json_int_t)n->num));
    return true;
}

bool lower_x509_setting(struct args *a, const char *word, json_t *body)
{
    if (strcmp(word, "default_mode") == 0) {
        const char *m;
        if (!mode(a, &m))
            return false;
        json_object_set_new(mode_config(body), "x509CertificateAuthenticationDefaultMode",
                            json_string(m));
        return true;
    }
    if (strcmp(word, "rule") == 0)
        return rule(a, body);
    return binding(a, body);
}
