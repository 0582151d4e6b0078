/* lower_user.c — `user "upn" { ... }` → a Graph v1.0 user (POST /users, PATCH /users/{id}): a
 * cloud-only account such as an emergency-access or administrator account.
 *
 * Graph rules enforced here ("Create user", Graph v1.0: accountEnabled, displayName,
 * mailNickname, passwordProfile and userPrincipalName are required; the user resource page):
 *  - userPrincipalName is alias@domain; mailNickname at most 64 characters of ASCII without
 *    @ ( ) \ / [ ] " ' ; : < > , and space (derived from the alias when not given);
 *  - usageLocation is a two-letter country code (ISO 3166), required before a licence can be
 *    assigned to the user.
 * The initial password is never in the configuration: `initial_password env NAME` names the
 * environment variable idpc reads once, at apply, to create the user; the model keeps only the
 * name (extra.initialPassword), never the value. */
#include <string.h>

#include "compiler/check_int.h"

#define NICKNAME_MAX 64

static bool nickname_char_ok(unsigned char c)
{
    return c > 32 && c < 127 && !strchr("@()\\/[]\"';:<>,", c);
}

/* A text statement: `KW "text"` → body[field]. */
static void stmt_text(struct check *ck, const struct ast_stmt *s, json_t *body, const char *field,
                      const char *what)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *at = args_expect_string(&a, what);
    if (!at || !args_expect_end(&a))
        return;
    if (!at->text[0]) {
        args_error(&a, at, "%s cannot be empty", what);
        return;
    }
    json_object_set_new(body, field, json_string(at->text));
}

static void stmt_nickname(struct check *ck, const struct ast_stmt *s, json_t *body)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *at = args_expect_string(&a, "a mail nickname");
    if (!at || !args_expect_end(&a))
        return;
    size_t n = strlen(at->text);
    for (size_t i = 0; i < n; i++)
        if (!nickname_char_ok((unsigned char)at->text[i])) {
            args_error_in(&a, at, i, i + 1,
                          "a mail nickname cannot contain '%c' (ASCII only, no spaces or "
                          "@ ( ) \\ / [ ] \" ' ; : < > ,)",
                          at->text[i]);
            return;
        }
    if (n == 0 || n > NICKNAME_MAX) {
        args_error(&a, at, "a mail nickname has 1 to %d characters", NICKNAME_MAX);
        return;
    }
    json_object_set_new(body, "mailNickname", json_string(at->text));
}

static void stmt_usage_location(struct check *ck, const struct ast_stmt *s, json_t *body)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *at = args_expect_string(&a, "a two-letter country code");
    if (!at || !args_expect_end(&a))
        return;
    const char *t = at->text;
    if (strlen(t) != 2 || t[0] < 'A' || t[0] > 'Z' || t[1] < 'A' || t[1] > 'Z') {
        args_error(&a, at,
                   "'%s' is not a usage location: write the two-letter country code in capitals "
                   "(ISO 3166-1 alpha-2), such as \"FR\" or \"US\"",
                   t);
        return;
    }
    json_object_set_new(body, "usageLocation", json_string(t));
}

/* initial_password env NAME [change_at_next_sign_in on|off] */
static void stmt_password(struct check *ck, const struct ast_stmt *s, json_t *extra)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *kw = args_peek(&a);
    if (!args_accept(&a, "env")) {
        if (kw && kw->kind == AST_STRING)
            args_error(&a, kw,
                       "a password is never written in the configuration: name the environment "
                       "variable that holds it, 'initial_password env NAME'");
        else
            args_expected(&a, "'env NAME' (the environment variable that holds the password)");
        return;
    }
    const struct ast_atom *name = args_next(&a);
    if (!name || (name->kind != AST_WORD && name->kind != AST_STRING) || !name->text[0]) {
        args_error(&a, name, "expected the name of an environment variable after 'env'");
        return;
    }
    for (const char *p = name->text; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
              (p > name->text && *p >= '0' && *p <= '9'))) {
            args_error(&a, name, "'%s' is not an environment variable name (letters, digits, _)",
                       name->text);
            return;
        }
    bool change = true;
    if (args_accept(&a, "change_at_next_sign_in") && !args_on_off(&a, &change))
        return;
    if (!args_expect_end(&a))
        return;
    json_object_set_new(
        extra, "initialPassword",
        json_pack("{s:s,s:b}", "env", name->text, "forceChangePasswordNextSignIn", change));
}

void lower_user(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n)
{
    const struct ast_atom *name = &decl->atoms[1];
    const char *upn = name->text;
    const char *at = strchr(upn, '@');
    bool upn_ok =
        at && at > upn && strchr(at + 1, '.') && !strchr(at + 1, '@') && at[strlen(at) - 1] != '.';
    for (const char *p = upn; upn_ok && *p; p++)
        if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127)
            upn_ok = false;
    if (!upn_ok) {
        diag_error(ck->diag, name->loc,
                   "'%s' is not a user principal name: write alias@domain, such as "
                   "\"bg1@contoso.onmicrosoft.com\"",
                   upn);
        return;
    }
    struct model_object *o = model_add(ck->model, MODEL_USER, upn, decl->atoms[0].loc);
    json_t *b = o->body;
    const struct ast_stmt *seen[8] = {0};
    static const char *const once[] = {"display_name",  "enabled",         "usage_location",
                                       "mail_nickname", "given_name",      "surname",
                                       "job_title",     "initial_password"};
    bool enabled = true;
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (check_common_stmt(ck, s, o))
            continue;
        size_t k = 0;
        while (k < IDPC_ARRAY_LEN(once) && strcmp(once[k], kw) != 0)
            k++;
        if (k < IDPC_ARRAY_LEN(once) && !check_once(ck, &seen[k], s, "a user block"))
            continue;
        if (strcmp(kw, "display_name") == 0) {
            stmt_text(ck, s, b, "displayName", "a display name");
        } else if (strcmp(kw, "given_name") == 0) {
            stmt_text(ck, s, b, "givenName", "a given name");
        } else if (strcmp(kw, "surname") == 0) {
            stmt_text(ck, s, b, "surname", "a surname");
        } else if (strcmp(kw, "job_title") == 0) {
            stmt_text(ck, s, b, "jobTitle", "a job title");
        } else if (strcmp(kw, "mail_nickname") == 0) {
            stmt_nickname(ck, s, b);
        } else if (strcmp(kw, "usage_location") == 0) {
            stmt_usage_location(ck, s, b);
        } else if (strcmp(kw, "initial_password") == 0) {
            stmt_password(ck, s, model_extra(o));
        } else if (strcmp(kw, "enabled") == 0) {
            struct args a;
            args_init(&a, ck, s);
            if (args_on_off(&a, &enabled))
                (void)args_expect_end(&a);
        }
    }
    if (!seen[0] && !ck->incomplete)
        diag_error(ck->diag, name->loc,
                   "user \"%s\" needs 'display_name \"...\"' (Graph requires a display name)", upn);
    json_object_set_new(b, "accountEnabled", json_boolean(enabled));
    json_object_set_new(b, "userPrincipalName", json_string(upn));
    if (!json_object_get(b, "mailNickname")) {
        /* the alias, without the characters a nickname cannot hold */
        char nick[NICKNAME_MAX + 1];
        size_t k = 0;
        for (const char *p = upn; p < at && k < NICKNAME_MAX; p++)
            if (nickname_char_ok((unsigned char)*p))
                nick[k++] = *p;
        nick[k] = '\0';
        if (k == 0)
            diag_error(ck->diag, name->loc,
                       "cannot derive a mail nickname from this alias; add 'mail_nickname "
                       "\"...\"'");
        json_object_set_new(b, "mailNickname", json_string(nick));
    }
}
