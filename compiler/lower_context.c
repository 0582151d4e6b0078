/* lower_context.c — `authentication_context "cN" { display_name, description, available }` →
 * one authenticationContextClassReference {displayName, description, isAvailable}, created or
 * updated with PATCH .../authenticationContextClassReferences/cN (Graph v1.0 "Update
 * authenticationContextClassReference": the PATCH creates the object when the id is unused).
 *
 * The contexts a policy names (`apps include context "cN"`) are checked here once everything is
 * lowered: when the configuration declares contexts, a policy may only name declared ones (an
 * error at the atom); one declared `available off` is not offered to apps ("Publish to apps"
 * unchecked), so a policy that targets it never applies (a warning at the atom). See Microsoft
 * Learn, "Conditional Access: Target resources", section "Authentication context". A
 * configuration that declares no context leaves them to the tenant; plan then checks that each
 * named context exists there. */
#include <string.h>

#include "compiler/check_int.h"

#define CONTEXT_NAME_MAX 256 /* a display name longer than this is surely a mistake */

struct ctx_state {
    const struct ast_stmt *display, *description, *available;
    const char *display_text, *description_text;
    bool available_on;
};

static void one_string(struct check *ck, const struct ast_stmt *s, const char *what,
                       const char **out)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *v = args_expect_string(&a, what);
    if (!v || !args_expect_end(&a))
        return;
    if (v->len == 0) {
        args_error(&a, v, "%s must not be empty", what);
        return;
    }
    if (v->len > CONTEXT_NAME_MAX) {
        args_error(&a, v, "%s is %zu bytes long; keep it under %d", what, v->len, CONTEXT_NAME_MAX);
        return;
    }
    *out = v->text;
}

void lower_context(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                   size_t n)
{
    const struct ast_atom *name = &decl->atoms[1];
    if (!catalog_auth_context_valid(name->text)) {
        const char *best = catalog_auth_context_suggest(name->text);
        if (best)
            diag_error(ck->diag, name->loc,
                       "\"%s\" is not an authentication context id; did you mean \"%s\"?",
                       name->text, best);
        else
            diag_error(ck->diag, name->loc,
                       "\"%s\" is not an authentication context id; ids are \"c1\" to \"c99\" "
                       "(the name goes in 'display_name')",
                       name->text);
        return;
    }
    struct ctx_state st = {.available_on = true};
    unsigned errors = diag_error_count(ck->diag);
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (strcmp(kw, "display_name") == 0) {
            if (check_once(ck, &st.display, s, "an authentication_context block"))
                one_string(ck, s, "a display name", &st.display_text);
        } else if (strcmp(kw, "description") == 0) {
            if (check_once(ck, &st.description, s, "an authentication_context block"))
                one_string(ck, s, "a description", &st.description_text);
        } else if (strcmp(kw, "available") == 0) {
            if (!check_once(ck, &st.available, s, "an authentication_context block"))
                continue;
            struct args a;
            args_init(&a, ck, s);
            bool on;
            if (args_on_off(&a, &on) && args_expect_end(&a))
                st.available_on = on;
        }
    }
    if (!st.display && !ck->incomplete && diag_error_count(ck->diag) == errors)
        diag_error(ck->diag, name->loc,
                   "authentication context \"%s\" needs a name: add 'display_name \"...\"'",
                   name->text);
    struct model_object *o =
        model_add(ck->model, MODEL_AUTH_CONTEXT, name->text, decl->atoms[0].loc);
    if (st.display_text)
        json_object_set_new(o->body, "displayName", json_string(st.display_text));
    if (st.description_text)
        json_object_set_new(o->body, "description", json_string(st.description_text));
    json_object_set_new(o->body, "isAvailable", json_boolean(st.available_on));
}

void lower_context_use(struct check *ck, const char *id, struct loc at)
{
    ck->context_uses =
        xrealloc(ck->context_uses, (ck->ncontext_uses + 1) * sizeof(*ck->context_uses));
    ck->context_uses[ck->ncontext_uses++] = (struct check_context_use){xstrdup(id), at};
}

void lower_context_finish(struct check *ck)
{
    const struct model *m = ck->model;
    const struct model_object *first = NULL;
    for (size_t i = 0; i < m->n && !first; i++)
        if (m->objects[i].kind == MODEL_AUTH_CONTEXT)
            first = &m->objects[i];
    if (!first)
        return; /* the tenant's contexts: plan checks them */
    for (size_t u = 0; u < ck->ncontext_uses; u++) {
        const struct check_context_use *use = &ck->context_uses[u];
        const struct model_object *o = model_find(m, MODEL_AUTH_CONTEXT, use->id);
        if (!o) {
            diag_error(ck->diag, use->loc,
                       "authentication context \"%s\" is not declared; add "
                       "'authentication_context \"%s\" { display_name \"...\" }'",
                       use->id, use->id);
            diag_note(ck->diag, first->loc,
                      "this configuration declares its authentication contexts, starting here");
        } else if (json_is_false(json_object_get(o->body, "isAvailable"))) {
            diag_warning(ck->diag, use->loc,
                         "authentication context \"%s\" is not published to apps ('available "
                         "off'): no app requests it, so this policy never applies",
                         use->id);
            diag_note(ck->diag, o->loc, "declared here");
        }
    }
}
