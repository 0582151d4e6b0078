/* raise_x509.c — the inverse of lower_x509.c: `x509_certificate default_mode | rule | binding`
 * lines from the canonical X509Certificate method configuration. Rules and bindings are stated
 * in full or not at all: when one of them cannot be written (a beta rule type, another field),
 * none is written and an issue says so, so that plan leaves the tenant's list alone rather than
 * dropping the one it could not say. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

/* The word of a Graph value, when it is one of the kind `allowed` lists ("x509Certificate…"
 * modes, rule types, fields, properties). */
static const char *word_of(const char *const *allowed, const char *graph)
{
    for (size_t i = 0; graph && allowed[i]; i++)
        if (strcmp(allowed[i], graph) == 0)
            return catalog_x509_word(graph);
    return NULL;
}

static const char *const modes[] = {"x509CertificateSingleFactor", "x509CertificateMultiFactor",
                                    NULL};
static const char *const rule_types[] = {"issuerSubject", "policyOID", NULL};
static const char *const fields[] = {"PrincipalName", "RFC822Name", "SubjectKeyIdentifier",
                                     "SHA1PublicKey", NULL};
static const char *const props[] = {"userPrincipalName", "onPremisesUserPrincipalName",
                                    "certificateUserIds", NULL};

static int by_priority(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "priority"));
    json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "priority"));
    return a < b ? -1 : a > b;
}

static void rules(struct raise_block *b, const char *kw, const json_t *list, const char *field)
{
    size_t i;
    const json_t *r;
    json_array_foreach(list, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "x509CertificateRuleType"));
        const char *m = json_string_value(json_object_get(r, "x509CertificateAuthenticationMode"));
        const char *id = json_string_value(json_object_get(r, "identifier"));
        if (!word_of(rule_types, t) || !word_of(modes, m) || !id || !*id) {
            char *text = raise_json_text(r);
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express the certificate rule %s; the rules are left as the "
                        "tenant has them",
                        text);
            free(text);
            return;
        }
    }
    json_array_foreach(list, i, r)
    {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, kw);
        line_word(&l, "rule");
        line_word(&l, word_of(rule_types,
                              json_string_value(json_object_get(r, "x509CertificateRuleType"))));
        line_str(&l, json_string_value(json_object_get(r, "identifier")));
        line_word(&l, word_of(modes, json_string_value(
                                         json_object_get(r, "x509CertificateAuthenticationMode"))));
        block_add_line(b, &l);
    }
}

static void bindings(struct raise_block *b, const char *kw, const json_t *list, const char *field)
{
    size_t n = json_array_size(list);
    json_t **v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(list, i);
        const json_t *p = json_object_get(v[i], "priority");
        if (!word_of(fields, json_string_value(json_object_get(v[i], "x509CertificateField"))) ||
            !word_of(props, json_string_value(json_object_get(v[i], "userProperty"))) ||
            !json_is_integer(p) || json_integer_value(p) < 0) {
            char *text = raise_json_text(v[i]);
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express the certificate binding %s; the bindings are left as the "
                        "tenant has them",
                        text);
            free(text);
            free(v);
            return;
        }
    }
    qsort(v, n, sizeof(*v), by_priority);
    for (size_t i = 0; i < n; i++) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, kw);
        line_word(&l, "binding");
        line_word(
            &l, word_of(fields, json_string_value(json_object_get(v[i], "x509CertificateField"))));
        line_word(&l, "to");
        line_word(&l, word_of(props, json_string_value(json_object_get(v[i], "userProperty"))));
        line_word(&l, "priority");
        line_number(&l, json_integer_value(json_object_get(v[i], "priority")));
        block_add_line(b, &l);
    }
    free(v);
}

void raise_x509_settings(struct raise_block *b, const char *kw, const json_t *cfg,
                         const char *field)
{
    const json_t *mc = json_object_get(cfg, "authenticationModeConfiguration");
    const char *dm =
        json_string_value(json_object_get(mc, "x509CertificateAuthenticationDefaultMode"));
    if (dm && word_of(modes, dm)) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, kw);
        line_word(&l, "default_mode");
        line_word(&l, word_of(modes, dm));
        block_add_line(b, &l);
    } else if (dm) {
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the default certificate mode '%s'", dm);
    }
    rules(b, kw, json_object_get(mc, "rules"), field);
    bindings(b, kw, json_object_get(cfg, "certificateUserBindings"), field);
}
