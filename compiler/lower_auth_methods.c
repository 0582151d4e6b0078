/* lower_auth_methods.c — `authentication_methods { METHOD on|off [for ...] [exclude ...] }` →
 * one authenticationMethodConfiguration PATCH body per method (facts.md §5.1); the
 * `METHOD SETTING ...` lines add the method's own settings (lower_methods_detail.c).
 *
 * Target shapes follow the authenticationMethodsPolicy GET example
 * (authenticationmethodspolicy-get.response-200.json): include targets are
 * {"targetType": "group", "id": "all_users" | <group>, "isRegistrationRequired": false}, plus
 * "authenticationMode": "any" for Microsoft Authenticator and "isUsableForSignIn": true for SMS
 * (the values Graph reports by default, so an unchanged tenant shows no drift); exclude targets
 * are {"targetType": "group", "id": <group>}. */
#include <string.h>

#include "compiler/check_int.h"

struct seen {
    const char *keyword;
    const struct ast_stmt *stmt;
};

static json_t *include_target(const struct catalog_entry *m, json_t *id)
{
    json_t *t = json_object();
    json_object_set_new(t, "targetType", model_const_string("group"));
    json_object_set_new(t, "id", id);
    json_object_set_new(t, "isRegistrationRequired", json_false());
    if (strcmp(m->graph, "MicrosoftAuthenticator") == 0)
        json_object_set_new(t, "authenticationMode", model_const_string("any"));
    if (strcmp(m->graph, "Sms") == 0)
        json_object_set_new(t, "isUsableForSignIn", json_true());
    return t;
}

static bool same_target(const json_t *x, const json_t *y)
{
    if (json_is_string(x) || json_is_string(y))
        return json_equal(x, y);
    const char *nx = json_string_value(json_object_get(x, "name"));
    const char *ny = json_string_value(json_object_get(y, "name"));
    if (nx && ny)
        return strcmp(nx, ny) == 0;
    const char *ix = json_string_value(json_object_get(x, "id"));
    const char *iy = json_string_value(json_object_get(y, "id"));
    return ix && iy && util_streq_nocase(ix, iy);
}

/* group "X", group id "..." [, ...] → refs appended to `ids` (JSON values for "id"). */
static bool group_list(struct args *a, json_t *ids, const char *clause)
{
    do {
        const struct ast_atom *kw = args_peek(a);
        if (kw && ast_is_word(kw, "user")) {
            args_error(a, kw,
                       "authentication method targets are groups; put the users in a group and "
                       "write 'group \"Name\"'");
            return false;
        }
        if (kw && ast_is_word(kw, "all") && strcmp(clause, "exclude") == 0) {
            args_error(a, kw, "'exclude all' would turn the method off; write 'off' instead");
            return false;
        }
        if (!args_accept(a, "group")) {
            args_expected(a, strcmp(clause, "for") == 0 ? "'all' or 'group'" : "'group'");
            return false;
        }
        json_t *r = args_ref(a, "group", "a group name");
        if (!r)
            return false;
        size_t i;
        json_t *v;
        bool dup = false;
        json_array_foreach(ids, i, v)
        {
            if (same_target(v, r))
                dup = true;
        }
        if (dup) {
            diag_warning(a->ck->diag, kw->loc, "this group is listed twice");
            json_decref(r);
        } else {
            json_array_append_new(ids, r);
        }
    } while (args_comma(a));
    return true;
}

static void lower_method(struct check *ck, const struct ast_stmt *s)
{
    const char *kw = s->atoms[0].text;
    const struct catalog_entry *m = catalog_lookup(CAT_AUTH_METHOD, kw);
    const char *odata = m ? catalog_auth_method_odata_type(m) : NULL;
    if (!m || !odata) {
        diag_error(ck->diag, s->atoms[0].loc, "unknown authentication method '%s'", kw);
        return;
    }
    struct args a;
    args_init(&a, ck, s);
    bool on;
    if (!args_on_off(&a, &on))
        return;
    json_t *inc = json_array(), *exc = json_array();
    const struct ast_atom *for_kw = NULL, *exclude_kw = NULL;
    bool all = false;
    while (!args_done(&a) && !a.failed) {
        const struct ast_atom *at = args_peek(&a);
        if (args_accept(&a, "for")) {
            if (for_kw) {
                args_error(&a, at, "'for' is given twice; list every group after one 'for'");
                break;
            }
            for_kw = at;
            if (args_accept(&a, "all")) {
                all = true;
                if (args_peek(&a) && args_peek(&a)->kind == AST_COMMA) {
                    args_error(&a, args_peek(&a),
                               "'for all' already targets every user; drop the groups");
                    break;
                }
            } else if (!group_list(&a, inc, "for")) {
                break;
            }
        } else if (args_accept(&a, "exclude")) {
            if (exclude_kw) {
                args_error(&a, at,
                           "'exclude' is given twice; list every group after one 'exclude'");
                break;
            }
            exclude_kw = at;
            if (!group_list(&a, exc, "exclude"))
                break;
        } else {
            args_expected(&a, for_kw ? "'exclude'" : "'for' or 'exclude'");
            break;
        }
    }
    if (a.failed)
        goto out;
    if (!on && (for_kw || exclude_kw)) {
        const struct ast_atom *t = for_kw ? for_kw : exclude_kw;
        diag_warning(ck->diag, t->loc,
                     "targets of a method that is off have no effect until it is turned on");
    }

    struct model_object *o =
        model_add(ck->model, MODEL_AUTH_METHOD_CONFIG, m->graph, s->atoms[0].loc);
    json_t *b = o->body;
    json_object_set_new(b, "@odata.type", json_string(odata));
    json_object_set_new(b, "id", json_string(m->graph));
    json_object_set_new(b, "state", json_string(on ? "enabled" : "disabled"));
    if (on || for_kw) {
        json_t *targets = json_array();
        if (all || json_array_size(inc) == 0) {
            json_array_append_new(targets, include_target(m, model_const_string("all_users")));
        } else {
            size_t i;
            json_t *v;
            json_array_foreach(inc, i, v)
            {
                json_array_append_new(targets, include_target(m, json_incref(v)));
            }
        }
        json_object_set_new(b, "includeTargets", targets);
    }
    if (on || exclude_kw) {
        json_t *targets = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(exc, i, v)
        {
            json_t *t = json_object();
            json_object_set_new(t, "targetType", model_const_string("group"));
            json_object_set(t, "id", v);
            json_array_append_new(targets, t);
        }
        json_object_set_new(b, "excludeTargets", targets);
    }
out:
    json_decref(inc);
    json_decref(exc);
}

void lower_auth_methods(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                        size_t n)
{
    (void)decl;
    struct seen *seen = arena_alloc(ck->arena, (n + 1) * sizeof(*seen));
    const struct ast_stmt **settings = arena_alloc(ck->arena, (n + 1) * sizeof(*settings));
    size_t nseen = 0, nsettings = 0;
    const struct ast_stmt *campaign = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (strcmp(kw, "registration_campaign") == 0) {
            lower_registration_campaign(ck, s, &campaign);
            continue;
        }
        if (lower_method_is_setting(s)) {
            settings[nsettings++] = s; /* after every state line: lower_methods_detail.c */
            continue;
        }
        const struct ast_stmt *prev = NULL;
        for (size_t k = 0; k < nseen; k++)
            if (strcmp(seen[k].keyword, kw) == 0)
                prev = seen[k].stmt;
        if (prev) {
            diag_error(ck->diag, s->atoms[0].loc, "'%s' is configured twice; one line per method",
                       kw);
            diag_note(ck->diag, prev->atoms[0].loc, "first configured here");
            continue;
        }
        seen[nseen++] = (struct seen){kw, s};
        lower_method(ck, s);
    }
    for (size_t i = 0; i < nsettings; i++) {
        const struct ast_stmt *s = settings[i];
        const struct catalog_entry *m = catalog_lookup(CAT_AUTH_METHOD, s->atoms[0].text);
        if (!m)
            continue; /* placement already reported it */
        lower_method_setting(ck, s, m->graph,
                             model_find(ck->model, MODEL_AUTH_METHOD_CONFIG, m->graph), settings,
                             i);
    }
}
