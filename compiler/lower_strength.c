/* lower_strength.c — `strength "Name" { ... }` → a Graph authenticationStrengthPolicy body.
 *
 * The combinations Entra offers come from entra-docs concept-authentication-strengths.md
 * (the "Authentication method combination" table) and the built-in "Multifactor
 * authentication" policy (facts.md §4, authenticationstrengthroot-list-policies example). A
 * custom strength "can contain any of the supported combinations"; anything else (a second
 * factor alone, "password + fido2", three modes) is rejected by Graph. The same page allows
 * at most 15 custom strengths. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

#define STRENGTH_MAX_CUSTOM 15
#define COMBO_MAX_MODES     4

struct combo {
    const char *graph; /* canonical Graph string, modes joined with ',' */
    bool mfa;
};

static const struct combo combos[] = {
    {"windowsHelloForBusiness", true},
    {"fido2", true},
    {"x509CertificateMultiFactor", true},
    {"deviceBasedPush", true},
    {"temporaryAccessPassOneTime", true},
    {"temporaryAccessPassMultiUse", true},
    {"password,microsoftAuthenticatorPush", true},
    {"password,softwareOath", true},
    {"password,hardwareOath", true},
    {"password,x509CertificateSingleFactor", true},
    {"password,x509CertificateMultiFactor", true},
    {"password,sms", true},
    {"password,voice", true},
    {"federatedMultiFactor", true},
    {"microsoftAuthenticatorPush,federatedSingleFactor", true},
    {"softwareOath,federatedSingleFactor", true},
    {"hardwareOath,federatedSingleFactor", true},
    {"sms,federatedSingleFactor", true},
    {"voice,federatedSingleFactor", true},
    /* single-factor combinations */
    {"x509CertificateSingleFactor", false},
    {"sms", false},
    {"password", false},
    {"federatedSingleFactor", false},
    {"email", false},
    {"qrCodePin", false},
};

static const char *const builtin_names[] = {"Multifactor authentication", "Passwordless MFA",
                                            "Phishing-resistant MFA", "Phishing resistant MFA"};

/* Does the canonical string `g` consist of exactly the modes m[0..n)? */
static bool combo_matches(const char *g, const struct catalog_entry *const *m, size_t n)
{
    size_t parts = 1;
    for (const char *p = g; *p; p++)
        if (*p == ',')
            parts++;
    if (parts != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(m[i]->graph);
        bool found = false;
        for (const char *p = g; *p;) {
            const char *e = strchr(p, ',');
            size_t plen = e ? (size_t)(e - p) : strlen(p);
            if (plen == len && strncmp(p, m[i]->graph, len) == 0)
                found = true;
            p += plen + (e ? 1 : 0);
        }
        if (!found)
            return false;
    }
    return true;
}

static const struct combo *combo_find(const struct catalog_entry *const *m, size_t n)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(combos); i++)
        if (combo_matches(combos[i].graph, m, n))
            return &combos[i];
    return NULL;
}

/* Explains why modes m[0..n) are no combination, at atoms [first, last]. */
static void bad_combo(struct args *a, const struct ast_atom *first, const struct ast_atom *last,
                      const struct catalog_entry *const *m, size_t n)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++)
        strbuf_addf(&sb, "%s%s", i ? " + " : "", m[i]->keyword);
    const char *text = arena_strdup(a->ck->arena, strbuf_str(&sb));
    strbuf_fini(&sb);
    /* underline the whole combination, unless it came from a variable (then the error sits at
     * the atom in the define, with a note at the variable's use) */
    struct ast_atom span = *first;
    const struct ast_atom *at = first;
    size_t idx = (size_t)(first - a->v);
    if (idx < a->n && !diag_loc_valid(args_origin(a, idx)) && first->loc.file == last->loc.file &&
        first->loc.start <= last->loc.start) {
        span.loc = diag_loc_join(first->loc, last->loc);
        at = &span;
    }
    if (n == 1) {
        const struct catalog_entry *pw[2] = {catalog_lookup(CAT_AUTH_MODE, "password"), m[0]};
        if (pw[0] && combo_find(pw, 2)) {
            args_error(a, at,
                       "%s alone is not a sign-in method Entra accepts in a strength; combine it "
                       "with a password: password + %s",
                       text, text);
            return;
        }
        args_error(a, at, "%s is not a combination Entra accepts in a strength", text);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct combo *c = combo_find(&m[i], 1);
        if (c && c->mfa) {
            args_error(a, at,
                       "%s is not a combination Entra accepts: %s is a complete multifactor "
                       "method by itself; list it on its own",
                       text, m[i]->keyword);
            return;
        }
    }
    args_error(a, at,
               "%s is not a combination Entra accepts; a second factor combines with password "
               "or federated_single_factor only",
               text);
}

struct strength_state {
    struct check *ck;
    const struct ast_stmt *description, *first_allow;
    const char *description_text;
    json_t *allowed;
    const struct ast_atom **allowed_atoms;
    bool any_mfa;
};

static void stmt_allow(struct strength_state *st, const struct ast_stmt *s)
{
    if (!st->first_allow)
        st->first_allow = s;
    struct args a;
    args_init(&a, st->ck, s);
    do {
        const struct catalog_entry *m[COMBO_MAX_MODES + 1];
        size_t n = 0;
        const struct ast_atom *first = args_peek(&a), *last = first;
        for (;;) {
            last = args_peek(&a);
            const struct catalog_entry *e = args_expect_enum(&a, CAT_AUTH_MODE);
            if (!e)
                return;
            for (size_t i = 0; i < n; i++) {
                if (m[i] == e) {
                    args_error(&a, last, "'%s' appears twice in this combination", e->keyword);
                    return;
                }
            }
            if (n == COMBO_MAX_MODES) {
                args_error(&a, last, "a combination has at most two methods");
                return;
            }
            m[n++] = e;
            const struct ast_atom *p = args_peek(&a);
            if (!p || p->kind != AST_PLUS)
                break;
            args_next(&a);
        }
        const struct combo *c = combo_find(m, n);
        if (!c) {
            bad_combo(&a, first, last, m, n);
            return;
        }
        size_t i;
        json_t *v;
        bool dup = false;
        json_array_foreach(st->allowed, i, v)
        {
            if (!dup && strcmp(json_string_value(v), c->graph) == 0) {
                diag_warning(st->ck->diag, first->loc, "this combination is allowed twice");
                diag_note(st->ck->diag, st->allowed_atoms[i]->loc, "first allowed here");
                dup = true;
            }
        }
        if (dup)
            continue;
        size_t k = json_array_size(st->allowed);
        st->allowed_atoms = xrealloc(st->allowed_atoms, (k + 1) * sizeof(*st->allowed_atoms));
        st->allowed_atoms[k] = first;
        json_array_append_new(st->allowed, json_string(c->graph));
        st->any_mfa |= c->mfa;
    } while (args_comma(&a));
    args_expect_end(&a);
}

void lower_strength(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n)
{
    const char *name = decl->atoms[1].text;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(builtin_names); i++) {
        if (util_streq_nocase(name, builtin_names[i])) {
            diag_error(ck->diag, decl->atoms[1].loc,
                       "\"%s\" is the name of a built-in strength; refer to it in a policy with "
                       "'grant strength \"%s\"' and give a custom strength another name",
                       name, name);
            return;
        }
    }
    size_t count = 0;
    for (size_t i = 0; i < ck->model->n; i++)
        if (ck->model->objects[i].kind == MODEL_AUTH_STRENGTH)
            count++;
    if (count == STRENGTH_MAX_CUSTOM) {
        diag_error(ck->diag, decl->atoms[1].loc,
                   "a tenant holds at most %d custom authentication strengths; this is one more",
                   STRENGTH_MAX_CUSTOM);
        return;
    }
    struct model_object *o = model_add(ck->model, MODEL_AUTH_STRENGTH, name, decl->atoms[0].loc);
    struct strength_state st = {.ck = ck, .allowed = json_array()};
    unsigned errors = diag_error_count(ck->diag);
    const struct ast_stmt **restrict_lines = xcalloc(n + 1, sizeof(*restrict_lines));
    size_t nrestrict = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (check_common_stmt(ck, s, o))
            continue;
        if (strcmp(kw, "fido2_keys") == 0 || strcmp(kw, "certificate_issuers") == 0 ||
            strcmp(kw, "certificate_policy_oids") == 0) {
            restrict_lines[nrestrict++] = s; /* once the allowed combinations are known */
            continue;
        }
        if (strcmp(kw, "allow") == 0) {
            stmt_allow(&st, s);
        } else if (strcmp(kw, "description") == 0) {
            if (st.description) {
                diag_error(ck->diag, s->atoms[0].loc, "'description' is given twice");
                diag_note(ck->diag, st.description->atoms[0].loc, "first given here");
                continue;
            }
            st.description = s;
            struct args a;
            args_init(&a, ck, s);
            const struct ast_atom *v = args_expect_string(&a, "a description");
            if (v && args_expect_end(&a))
                st.description_text = v->text;
        }
    }
    if (diag_error_count(ck->diag) == errors) {
        if (json_array_size(st.allowed) == 0)
            diag_error(ck->diag, decl->atoms[1].loc,
                       "strength \"%s\" allows no combination; add 'allow fido2, ...'", name);
        else if (!st.any_mfa)
            diag_warning(ck->diag, st.first_allow->atoms[0].loc,
                         "none of these combinations is multifactor, so this strength does not "
                         "satisfy MFA");
    }
    json_object_set_new(o->body, "displayName", json_string(name));
    if (st.description_text)
        json_object_set_new(o->body, "description", json_string(st.description_text));
    json_object_set(o->body, "allowedCombinations", st.allowed);
    json_t *configs = lower_strength_combos(ck, restrict_lines, nrestrict, st.allowed);
    if (json_array_size(configs))
        json_object_set(o->body, "combinationConfigurations", configs);
    json_decref(configs);
    free(restrict_lines);
    json_decref(st.allowed);
    free(st.allowed_atoms);
}
