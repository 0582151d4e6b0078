/* lower_policy.c — policy blocks (with their templates merged) → Microsoft Graph v1.0
 * conditionalAccessPolicy request bodies, plus the rules Graph would otherwise enforce at apply
 * time. Graph: "conditionalAccessPolicy resource type" (Microsoft Graph v1.0 reference); the
 * language: docs/language.md. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/lower_policy_int.h"
#include "compiler/rule.h"
#include "compiler/suggest.h"

static struct diag_ctx *D(struct pol *p)
{
    return p->ck->diag;
}

static char *lower_guid(struct check *ck, const char *s)
{
    char *r = arena_strdup(ck->arena, s);
    for (char *c = r; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return r;
}

static void list_add(struct pol *p, enum field f, const char *key, const char *show, json_t *val,
                     struct loc loc, const struct ast_stmt *s)
{
    const struct item *prev = lower_policy_find(p, f, key);
    if (prev) {
        diag_warning(D(p), loc, "%s is listed twice", show);
        lower_policy_note_first(p, prev->loc, prev->stmt, "listed");
        lower_policy_note_policy(p, s);
        json_decref(val);
        return;
    }
    struct list *l = &p->f[f];
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (struct item){key, show, val, loc, s};
}

/* Sets a single-valued setting. Same value again: warning; another value: error. Takes `val`. */
static bool set_one(struct pol *p, enum one o, const char *what, const char *key, const char *show,
                    json_t *val, struct loc loc, const struct ast_stmt *s)
{
    struct single *x = &p->o[o];
    if (!x->set) {
        *x = (struct single){true, key, show, val, loc, s};
        return true;
    }
    if (strcmp(x->key, key) == 0)
        diag_warning(D(p), loc, "%s is set twice to %s", what, show);
    else
        diag_error(D(p), loc, "%s is set twice: to %s here and to %s before", what, show, x->show);
    lower_policy_note_first(p, x->loc, x->stmt, "set");
    lower_policy_note_policy(p, s);
    json_decref(val);
    return false;
}

/* ---- reading items ---- */

/* The location of an item: from its first atom `at` to the last atom read, when both are in
 * the same statement text (not when the item came from a $variable). */
static struct loc item_loc(const struct args *a, const struct ast_atom *at)
{
    const struct ast_atom *last = a->i > 0 ? &a->v[a->i - 1] : at;
    if (last->loc.file == at->loc.file && last->loc.end >= at->loc.start)
        return diag_loc_join(at->loc, last->loc);
    return at->loc;
}

static const char *const dirs[] = {"include", "exclude"};

/* include | exclude → 0 | 1, or -1 after an error */
static int direction(struct args *a)
{
    return args_expect_word(a, "'include' or 'exclude'", dirs, 2);
}

/* After KW was accepted: a reference by name or id. Sets key and show. */
static json_t *ref_item(struct pol *p, struct args *a, const char *kw, const char *kind,
                        const char *what, const char **key, const char **show)
{
    bool by_id = ast_is_word(args_peek(a), "id");
    json_t *r = args_ref(a, kind, what);
    if (!r)
        return NULL;
    /* the string args_ref read last, which its "id" or "name" holds */
    const char *v = a->v[a->i - 1].text;
    struct arena *ar = p->ck->arena;
    *key = by_id ? arena_cat(ar, kind, ":id:", lower_guid(p->ck, v), NULL)
                 : arena_cat(ar, kind, ":", v, NULL);
    *show = arena_cat(ar, kw, " ", by_id ? "id " : "", "\"", v, "\"", NULL);
    return r;
}

/* After `role`: a built-in role by name (resolved here to its template id) or `id "GUID"`. */
static json_t *role_item(struct pol *p, struct args *a, const char **key, const char **show)
{
    struct arena *ar = p->ck->arena;
    if (args_accept(a, "id")) {
        const char *id = args_expect_guid(a, "a role template id");
        if (!id)
            return NULL;
        *key = arena_cat(ar, "role:", id, NULL);
        *show = arena_cat(ar, "role id \"", a->v[a->i - 1].text, "\"", NULL);
        /* "Conditional Access: Users, groups, and workload identities": only built-in directory
         * roles; custom and administrative unit-scoped roles are not supported */
        if (!catalog_role_by_id(id))
            diag_warning(D(p), a->v[a->i - 1].loc,
                         "role id \"%s\" is not a built-in role: Conditional Access does not "
                         "apply to custom roles (nor to roles scoped to an administrative unit), "
                         "and the policy ignores it",
                         a->v[a->i - 1].text);
        return json_string(id);
    }
    const struct ast_atom *s = args_expect_string(a, "a directory role name");
    if (!s)
        return NULL;
    const struct catalog_role *r = catalog_role_by_name(s->text);
    if (!r) {
        const char *best = catalog_role_suggest(s->text);
        if (best)
            args_error(a, s, "unknown directory role \"%s\"; did you mean \"%s\"?", s->text, best);
        else
            args_error(a, s,
                       "unknown directory role \"%s\"; for a custom role write role id \"GUID\"",
                       s->text);
        return NULL;
    }
    if (r->deprecated)
        diag_warning(D(p), s->loc, "the role \"%s\" is deprecated", r->name);
    *key = arena_cat(ar, "role:", r->template_id, NULL);
    *show = arena_cat(ar, "role \"", r->name, "\"", NULL);
    return model_const_string(r->template_id);
}

/* A comma list of catalog keywords into list f. */
static bool enum_items(struct pol *p, struct args *a, const struct ast_stmt *s, enum field f,
                       enum catalog_kind k)
{
    do {
        const struct ast_atom *at = args_peek(a);
        const struct catalog_entry *e = args_expect_enum(a, k);
        if (!e)
            return false;
        list_add(p, f, e->graph, arena_cat(p->ck->arena, "'", e->keyword, "'", NULL),
                 model_const_string(e->graph), at->loc, s);
    } while (args_comma(a));
    return true;
}

/* A rule string checked with the Entra rule parser; errors at the exact column in the string. */
static bool rule_ok(struct pol *p, struct args *a, const struct ast_atom *str, enum rule_target t)
{
    if (str->len == 0) {
        args_error(a, str, "the %s is empty", rule_target_name(t));
        return false;
    }
    if (str->len > RULE_MAX_LEN) {
        args_error(a, str, "the %s is %zu bytes long; Entra accepts at most %d",
                   rule_target_name(t), str->len, RULE_MAX_LEN);
        return false;
    }
    struct rule_error err;
    struct rule_expr *e = rule_parse(str->text, str->len, t, &err);
    if (e) {
        rule_free(e);
        return true;
    }
    size_t start = ast_string_src_offset(D(p), str, err.start);
    size_t end = ast_string_src_offset(D(p), str, err.end);
    if (end <= start)
        end = start + 1;
    a->failed = true;
    diag_error(D(p), diag_loc(str->loc.file, start, end), "in the %s: %s", rule_target_name(t),
               err.message);
    return false;
}

/* `... filter include|exclude "rule"` → {"mode", "rule"} */
static void filter_stmt(struct pol *p, struct args *a, const struct ast_stmt *s, enum one o,
                        enum rule_target t, const char *what)
{
    int d = direction(a);
    if (d < 0)
        return;
    const struct ast_atom *str = args_expect_string(a, "a rule");
    if (!str || !args_expect_end(a) || !rule_ok(p, a, str, t))
        return;
    json_t *v = json_object();
    json_object_set_new(v, "mode", model_const_string(dirs[d]));
    json_object_set_new(v, "rule", json_string(str->text));
    const char *key = arena_cat(p->ck->arena, dirs[d], ":", str->text, NULL);
    set_one(p, o, what, key, arena_cat(p->ck->arena, dirs[d], " \"", str->text, "\"", NULL), v,
            args_keyword(a)->loc, s);
}

/* An item word that is neither a keyword of table k nor one of the item words: report it with a
 * did-you-mean over both. Returns true when it reported. */
static bool unknown_item(struct args *a, const struct ast_atom *at, const char *what,
                         enum catalog_kind k, const char *const *words, size_t nwords)
{
    if (!at || at->kind != AST_WORD || catalog_lookup(k, at->text))
        return false;
    struct suggest sg;
    suggest_init(&sg, at->text);
    size_t n;
    const struct catalog_entry *all = catalog_entries(k, &n);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        suggest_add(&sg, all[i].keyword);
        strbuf_addf(&sb, "'%s', ", all[i].keyword);
    }
    for (size_t i = 0; i < nwords; i++) {
        suggest_add(&sg, words[i]);
        strbuf_addf(&sb, i + 1 == nwords ? "or '%s'" : "'%s', ", words[i]);
    }
    const char *best = suggest_result(&sg);
    if (!best)
        best = catalog_suggest(k, at->text);
    if (best)
        args_error(a, at, "unknown %s '%s'; did you mean '%s'?", what, at->text, best);
    else
        args_error(a, at, "unknown %s '%s'; expected %s", what, at->text, strbuf_str(&sb));
    strbuf_fini(&sb);
    return true;
}

/* ---- statements ---- */

static void stmt_state(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    const struct ast_atom *at = args_peek(a);
    const struct catalog_entry *e = args_expect_enum(a, CAT_STATE);
    if (!e)
        return;
    /* `state on skip_report_only`: a new policy goes straight to enforcement on purpose
     * (the plan warns otherwise; see docs/language.md). */
    if (strcmp(e->graph, "enabled") == 0 && args_accept(a, "skip_report_only"))
        p->skip_report_only = true;
    if (!args_expect_end(a))
        return;
    set_one(p, O_STATE, "the state", e->graph, arena_cat(p->ck->arena, "'", e->keyword, "'", NULL),
            model_const_string(e->graph), at->loc, s);
}

/* description "text" (conditionalAccessPolicy.description) */
static void stmt_description(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    const struct ast_atom *at = args_expect_string(a, "the policy's description");
    if (!at || !args_expect_end(a))
        return;
    set_one(p, O_DESCRIPTION, "the description", at->text,
            arena_cat(p->ck->arena, "\"", at->text, "\"", NULL), json_string(at->text), at->loc, s);
}

/* users include guests TYPE, TYPE [tenants all | tenants "id", "id"] */
static bool guests_item(struct pol *p, struct args *a, const struct ast_stmt *s, int d)
{
    for (;;) {
        const struct ast_atom *at = args_peek(a);
        const struct catalog_entry *e = args_expect_enum(a, CAT_GUEST_TYPE);
        if (!e)
            return false;
        list_add(p, F_INC_GUESTS + d, e->graph,
                 arena_cat(p->ck->arena, "guest type '", e->keyword, "'", NULL),
                 model_const_string(e->graph), at->loc, s);
        const struct ast_atom *c = args_peek(a), *nx = args_peek_at(a, 1);
        if (!c || c->kind != AST_COMMA || !nx || nx->kind != AST_WORD ||
            !catalog_lookup(CAT_GUEST_TYPE, nx->text))
            break;
        a->i++; /* the comma: the guest list goes on */
    }
    const struct ast_atom *tk = args_peek(a);
    if (!args_accept(a, "tenants"))
        return true;
    if (args_accept(a, "all")) {
        set_one(p, d ? O_EXC_TENANTS : O_INC_TENANTS, "the external tenants", "all", "'all'",
                json_null(), tk->loc, s);
        return true;
    }
    for (;;) {
        const struct ast_atom *t = args_expect_string(a, "'all' or a tenant id");
        if (!t)
            return false;
        if (!check_is_guid(t->text)) {
            args_error(a, t, "'%s' is not a tenant id (a GUID)", t->text);
            return false;
        }
        const char *id = lower_guid(p->ck, t->text);
        list_add(p, F_INC_TENANTS + d, id,
                 arena_cat(p->ck->arena, "tenant \"", t->text, "\"", NULL), json_string(id), t->loc,
                 s);
        const struct ast_atom *c = args_peek(a), *nx = args_peek_at(a, 1);
        if (!c || c->kind != AST_COMMA || !nx || nx->kind != AST_STRING)
            break;
        a->i++;
    }
    struct single *x = &p->o[d ? O_EXC_TENANTS : O_INC_TENANTS];
    if (!x->set)
        *x = (struct single){true, "enumerated", "a list of tenants", json_null(), tk->loc, s};
    else if (strcmp(x->key, "enumerated") != 0)
        set_one(p, d ? O_EXC_TENANTS : O_INC_TENANTS, "the external tenants", "enumerated",
                "a list of tenants", json_null(), tk->loc, s);
    return true;
}

static void stmt_users(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    int d = direction(a);
    if (d < 0)
        return;
    do {
        const struct ast_atom *at = args_peek(a);
        const char *key = NULL, *show = NULL;
        json_t *v = NULL;
        enum field f;
        if (args_accept(a, "user")) {
            v = ref_item(p, a, "user", "user", "a user principal name", &key, &show);
            f = F_INC_USERS;
        } else if (args_accept(a, "group")) {
            v = ref_item(p, a, "group", "group", "a group name", &key, &show);
            f = F_INC_GROUPS;
        } else if (args_accept(a, "role")) {
            v = role_item(p, a, &key, &show);
            f = F_INC_ROLES;
        } else if (args_accept(a, "guests")) {
            if (!guests_item(p, a, s, d))
                return;
            continue;
        } else {
            static const char *const words[] = {"guests", "user", "group", "role"};
            if (unknown_item(a, at, "user item", CAT_USER_KEYWORD, words, 4))
                return;
            const struct catalog_entry *e = args_expect_enum(a, CAT_USER_KEYWORD);
            if (!e)
                return;
            if (d == 1 && strcmp(e->keyword, "guests_or_external_users") != 0) {
                args_error(a, at,
                           "'%s' cannot be excluded; to turn the policy off write 'state off'",
                           e->keyword);
                return;
            }
            key = e->graph;
            show = arena_cat(p->ck->arena, "'", e->keyword, "'", NULL);
            v = model_const_string(e->graph);
            f = F_INC_USERS;
        }
        if (!v)
            return;
        list_add(p, f + d, key, show, v, item_loc(a, at), s);
    } while (args_comma(a));
    args_expect_end(a);
}

/* app "Name" | app id "GUID": first-party names resolve to their appId now; other names stay
 * symbolic (resolved to the tenant application's appId at plan time). */
static json_t *app_item(struct pol *p, struct args *a, const char **key, const char **show)
{
    struct arena *ar = p->ck->arena;
    if (args_accept(a, "id")) {
        const char *id = args_expect_guid(a, "an application id");
        if (!id)
            return NULL;
        *key = arena_cat(ar, "app:", id, NULL);
        *show = arena_cat(ar, "app id \"", a->v[a->i - 1].text, "\"", NULL);
        return json_string(id);
    }
    const struct ast_atom *s = args_expect_string(a, "an application name");
    if (!s)
        return NULL;
    if (s->len == 0) {
        args_error(a, s, "the application name must not be empty");
        return NULL;
    }
    const struct catalog_app *app = catalog_app_by_name(s->text);
    if (app) {
        *key = arena_cat(ar, "app:", app->app_id, NULL);
        *show = arena_cat(ar, "app \"", s->text, "\"", NULL);
        return model_const_string(app->app_id);
    }
    const char *best = catalog_app_suggest(s->text);
    if (best)
        diag_warning(D(p), s->loc,
                     "\"%s\" is not a Microsoft application idpc knows; did you mean \"%s\"? "
                     "(otherwise it must be an application registered in the tenant)",
                     s->text, best);
    json_t *r = model_ref_name("servicePrincipal", s->text, check_at(p->ck, args_keyword(a)->loc));
    json_object_set_new(r, "field", model_const_string("appId"));
    *key = arena_cat(ar, "app:name:", s->text, NULL);
    *show = arena_cat(ar, "app \"", s->text, "\"", NULL);
    return r;
}

static void stmt_apps(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    if (args_accept(a, "filter")) {
        filter_stmt(p, a, s, O_APP_FILTER, RULE_APP_FILTER, "the application filter");
        return;
    }
    int d = direction(a);
    if (d < 0)
        return;
    do {
        const struct ast_atom *at = args_peek(a);
        const char *key = NULL, *show = NULL;
        json_t *v = NULL;
        enum field f = F_INC_APPS + d;
        if (args_accept(a, "app")) {
            v = app_item(p, a, &key, &show);
        } else if (args_accept(a, "action") || args_accept(a, "context")) {
            bool action = ast_is_word(at, "action");
            if (d == 1) {
                args_error(a, at, "%s cannot be excluded; write 'apps include %s ...'",
                           action ? "a user action" : "an authentication context", at->text);
                return;
            }
            if (action) {
                const struct catalog_entry *e = args_expect_enum(a, CAT_USER_ACTION);
                if (!e)
                    return;
                key = e->graph;
                show = arena_cat(p->ck->arena, "action '", e->keyword, "'", NULL);
                v = model_const_string(e->graph);
                f = F_ACTIONS;
            } else {
                const struct ast_atom *c =
                    args_expect_string(a, "an authentication context (c1 to c99)");
                if (!c)
                    return;
                if (!catalog_auth_context_valid(c->text)) {
                    const char *best = catalog_auth_context_suggest(c->text);
                    if (best)
                        args_error(a, c,
                                   "unknown authentication context \"%s\"; did you mean \"%s\"?",
                                   c->text, best);
                    else
                        args_error(a, c,
                                   "unknown authentication context \"%s\"; contexts are \"c1\" to "
                                   "\"c99\"",
                                   c->text);
                    return;
                }
                key = c->text;
                lower_context_use(p->ck, c->text, c->loc);
                show = arena_cat(p->ck->arena, "context \"", c->text, "\"", NULL);
                v = json_string(c->text);
                f = F_CONTEXTS;
            }
        } else {
            static const char *const words[] = {"app", "action", "context", "filter"};
            if (unknown_item(a, at, "application item", CAT_APP_KEYWORD, words, 4))
                return;
            const struct catalog_entry *e = args_expect_enum(a, CAT_APP_KEYWORD);
            if (!e)
                return;
            if (d == 1 && (strcmp(e->keyword, "all") == 0 || strcmp(e->keyword, "none") == 0)) {
                args_error(a, at,
                           "'%s' cannot be excluded; exclude specific applications, "
                           "'office365' or 'admin_portals'",
                           e->keyword);
                return;
            }
            key = e->graph;
            show = arena_cat(p->ck->arena, "'", e->keyword, "'", NULL);
            v = model_const_string(e->graph);
        }
        if (!v)
            return;
        list_add(p, f, key, show, v, item_loc(a, at), s);
    } while (args_comma(a));
    args_expect_end(a);
}

static void stmt_workloads(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    if (args_accept(a, "filter")) {
        filter_stmt(p, a, s, O_SP_FILTER, RULE_APP_FILTER, "the service principal filter");
        return;
    }
    int d = direction(a);
    if (d < 0)
        return;
    do {
        const struct ast_atom *at = args_peek(a);
        const char *key = NULL, *show = NULL;
        json_t *v = NULL;
        if (args_accept(a, "service_principal")) {
            v = ref_item(p, a, "service_principal", "servicePrincipal", "a service principal name",
                         &key, &show);
        } else if (args_accept(a, "all")) {
            if (d == 1) {
                args_error(a, at,
                           "'all' cannot be excluded; to turn the policy off write "
                           "'state off'");
                return;
            }
            key = "ServicePrincipalsInMyTenant";
            show = "'all'";
            v = json_string(key);
        } else {
            args_expected(a, "'all' or 'service_principal'");
            return;
        }
        if (!v)
            return;
        list_add(p, F_INC_SP + d, key, show, v, item_loc(a, at), s);
    } while (args_comma(a));
    args_expect_end(a);
}

static void stmt_client_apps(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    if (enum_items(p, a, s, F_CLIENT_APPS, CAT_CLIENT_APP))
        args_expect_end(a);
}

static void stmt_platforms(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    int d = direction(a);
    if (d >= 0 && enum_items(p, a, s, F_INC_PLATFORMS + d, CAT_PLATFORM))
        args_expect_end(a);
}

static void stmt_locations(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    int d = direction(a);
    if (d < 0)
        return;
    do {
        const struct ast_atom *at = args_peek(a);
        const char *key = NULL, *show = NULL;
        json_t *v;
        if (args_accept(a, "location")) {
            v = ref_item(p, a, "location", "namedLocation", "a named location's name", &key, &show);
        } else {
            const struct catalog_entry *e = args_expect_enum(a, CAT_LOCATION_KEYWORD);
            if (!e)
                return;
            key = e->graph;
            show = arena_cat(p->ck->arena, "'", e->keyword, "'", NULL);
            v = model_const_string(e->graph);
        }
        if (!v)
            return;
        list_add(p, F_INC_LOCATIONS + d, key, show, v, item_loc(a, at), s);
    } while (args_comma(a));
    args_expect_end(a);
}

static void stmt_risk(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    const char *kw = args_keyword(a)->text;
    if (strcmp(kw, "insider_risk") == 0) {
        if (enum_items(p, a, s, F_INSIDER_RISK, CAT_INSIDER_RISK))
            args_expect_end(a);
        return;
    }
    enum field f = strcmp(kw, "sign_in_risk") == 0 ? F_SIGN_IN_RISK
                   : strcmp(kw, "user_risk") == 0  ? F_USER_RISK
                                                   : F_SP_RISK;
    size_t before = p->f[f].n;
    if (!enum_items(p, a, s, f, CAT_RISK) || !args_expect_end(a))
        return;
    /* Workload identity risk is low, medium or high (or none): facts.md §2.2. */
    for (size_t i = before; f == F_SP_RISK && i < p->f[f].n; i++)
        if (strcmp(p->f[f].v[i].key, "hidden") == 0)
            diag_error(D(p), p->f[f].v[i].loc,
                       "'hidden' is not a workload identity risk level; use low, medium, high or "
                       "none");
}

static void stmt_device_filter(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    filter_stmt(p, a, s, O_DEVICE_FILTER, RULE_DEVICE_FILTER, "the device filter");
}

static void stmt_auth_flows(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    if (enum_items(p, a, s, F_FLOWS, CAT_TRANSFER))
        args_expect_end(a);
}

/* Built-in authentication strengths, resolved at compile time (facts.md §4). */
static const struct {
    const char *name, *id;
} builtin_strengths[] = {
    {"Multifactor authentication", "00000000-0000-0000-0000-000000000002"},
    {"Passwordless MFA", "00000000-0000-0000-0000-000000000003"},
    {"Phishing-resistant MFA", "00000000-0000-0000-0000-000000000004"},
};

/* One grant control: a keyword, strength "Name", terms "Name" or custom "id". Returns false
 * after an error. */
static bool grant_control(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    const struct ast_atom *at = args_peek(a);
    struct arena *ar = p->ck->arena;
    const char *key = NULL, *show = NULL;
    if (args_accept(a, "strength")) {
        json_t *id = NULL;
        const struct ast_atom *n = args_peek(a);
        if (n && n->kind == AST_STRING) {
            for (size_t i = 0; i < IDPC_ARRAY_LEN(builtin_strengths); i++)
                if (util_streq_nocase(n->text, builtin_strengths[i].name)) {
                    a->i++;
                    id = model_const_string(builtin_strengths[i].id);
                    key = builtin_strengths[i].id;
                    show = arena_cat(ar, "strength \"", builtin_strengths[i].name, "\"", NULL);
                }
        }
        if (!id) {
            id = ref_item(p, a, "strength", "authenticationStrengthPolicy",
                          "an authentication strength's name", &key, &show);
            if (!id)
                return false;
            const char *sid = json_string_value(json_object_get(id, "id"));
            for (size_t i = 0; sid && i < IDPC_ARRAY_LEN(builtin_strengths); i++)
                if (strcmp(lower_guid(p->ck, sid), builtin_strengths[i].id) == 0) {
                    json_decref(id);
                    id = model_const_string(builtin_strengths[i].id);
                    key = builtin_strengths[i].id;
                    break;
                }
        }
        json_t *v = json_object();
        json_object_set_new(v, "id", id);
        set_one(p, O_STRENGTH, "the authentication strength", key, show, v, item_loc(a, at), s);
        return true;
    }
    if (args_accept(a, "terms")) {
        json_t *v = ref_item(p, a, "terms", "agreement", "a terms of use name", &key, &show);
        if (!v)
            return false;
        list_add(p, F_TERMS, key, show, v, item_loc(a, at), s);
        return true;
    }
    if (args_accept(a, "custom")) {
        const struct ast_atom *c = args_expect_string(a, "a custom control's id");
        if (!c)
            return false;
        if (c->len == 0) {
            args_error(a, c, "the custom control's id must not be empty");
            return false;
        }
        list_add(p, F_CUSTOM, c->text, arena_cat(ar, "custom \"", c->text, "\"", NULL),
                 json_string(c->text), at->loc, s);
        return true;
    }
    static const char *const words[] = {"strength", "terms", "custom", "any_of", "all_of"};
    if (unknown_item(a, at, "grant control", CAT_GRANT, words, 5))
        return false;
    const struct catalog_entry *e = args_expect_enum(a, CAT_GRANT);
    if (!e)
        return false;
    list_add(p, F_BUILTIN, e->graph, arena_cat(ar, "'", e->keyword, "'", NULL),
             model_const_string(e->graph), at->loc, s);
    return true;
}

static void stmt_grant(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    const struct ast_atom *form = args_peek(a);
    bool any = args_accept(a, "any_of");
    bool all = !any && args_accept(a, "all_of");
    size_t count = 0;
    if (any || all) {
        do {
            if (!grant_control(p, a, s))
                return;
            count++;
        } while (args_comma(a));
        if (!args_expect_end(a))
            return;
        if (count < 2) {
            diag_error(
                D(p), form->loc,
                "'%s' needs two or more controls; for one control write 'grant %s'", form->text,
                a->v[a->i - 1].kind == AST_WORD ? a->v[a->i - 1].text
                                                : ast_atom_describe(p->ck->arena, &a->v[a->i - 1]));
            lower_policy_note_policy(p, s);
            return;
        }
    } else {
        if (!grant_control(p, a, s))
            return;
        if (args_peek(a) && args_peek(a)->kind == AST_COMMA) {
            args_error(a, args_peek(a),
                       "to require several controls write 'grant all_of A, B' (all of them) or "
                       "'grant any_of A, B' (one of them)");
            return;
        }
        if (!args_expect_end(a))
            return;
    }
    /* Graph has one operator for all controls of a policy. */
    const struct ast_stmt *mine = any ? p->any_of : all ? p->all_of : p->plain;
    const struct ast_stmt *clash = any ? (p->all_of ? p->all_of : p->plain) : p->any_of;
    if (clash) {
        const char *other = clash == p->all_of ? "all_of" : clash == p->any_of ? "any_of" : NULL;
        if (any && !other)
            diag_error(D(p), form->loc,
                       "'any_of' cannot be combined with another grant line: Graph has one "
                       "operator for all controls; list every control in this 'any_of'");
        else if (!any && !all)
            diag_error(D(p), form->loc,
                       "this control cannot be combined with 'any_of' on another line: Graph has "
                       "one operator for all controls; add it to the 'any_of' list or use "
                       "'all_of'");
        else
            diag_error(D(p), form->loc,
                       "'%s' cannot be combined with '%s': a policy's controls "
                       "are either all required or any one of them",
                       form->text, other);
        lower_policy_note_first(p, clash->atoms[1].loc, clash, "given");
        lower_policy_note_policy(p, s);
        return;
    }
    if (!mine) {
        if (any)
            p->any_of = s;
        else if (all)
            p->all_of = s;
        else
            p->plain = s;
    }
}

/* session sign_in_frequency 4h | 7d | every_time [type primary_and_secondary | secondary] */
static json_t *sign_in_frequency(struct pol *p, struct args *a, const char **key, const char **show)
{
    const struct ast_atom *at = args_peek(a);
    json_t *v = json_object();
    json_object_set_new(v, "isEnabled", json_true());
    bool every = false;
    if (args_accept(a, "every_time")) {
        every = true;
    } else if (at && at->kind == AST_DURATION) {
        a->i++;
        bool hours = strcmp(at->text, "h") == 0, days = strcmp(at->text, "d") == 0;
        if (!hours && !days) {
            args_error(
                a, at,
                "unknown unit '%s' in '%lld%s'; sign-in frequency is in hours (1h to 23h) or "
                "days (1d to 365d)%s",
                at->text, at->num, at->text,
                at->text[0] == 'm' || at->text[0] == 's'
                    ? "; to ask at every sign-in write 'every_time'"
                    : "");
            goto fail;
        }
        if (at->num < 1 || (hours && at->num > 23) || (days && at->num > 365)) {
            if (hours && at->num >= 24 && at->num % 24 == 0 && at->num / 24 <= 365)
                args_error(a, at, "sign-in frequency in hours is 1h to 23h; write %lldd",
                           at->num / 24);
            else
                args_error(a, at,
                           "sign-in frequency must be 1h to 23h or 1d to 365d, found '%lld%s'",
                           at->num, at->text);
            goto fail;
        }
        json_object_set_new(v, "type", model_const_string(hours ? "hours" : "days"));
        json_object_set_new(v, "value", json_integer(at->num));
    } else if (at && at->kind == AST_NUMBER) {
        args_error(a, at, "the sign-in frequency needs a unit: write %lldh (hours) or %lldd (days)",
                   at->num, at->num);
        goto fail;
    } else {
        args_expected(a, "a period such as 4h or 7d, or 'every_time'");
        goto fail;
    }
    const struct catalog_entry *type = NULL;
    if (args_accept(a, "type")) {
        type = args_expect_enum(a, CAT_SIF_AUTH_TYPE);
        if (!type)
            goto fail;
    }
    /* authenticationType may be left out with timeBased only (signInFrequencySessionControl). */
    if (type || every)
        json_object_set_new(
            v, "authenticationType",
            model_const_string(type ? type->graph : "primaryAndSecondaryAuthentication"));
    json_object_set_new(v, "frequencyInterval",
                        model_const_string(every ? "everyTime" : "timeBased"));
    const char *when =
        every ? "every_time" : arena_printf(p->ck->arena, "%lld%s", at->num, at->text);
    *show = type ? arena_cat(p->ck->arena, "'", when, " type ", type->keyword, "'", NULL)
                 : arena_cat(p->ck->arena, "'", when, "'", NULL);
    *key = *show;
    p->every_time = p->every_time || every;
    return v;
fail:
    json_decref(v);
    return NULL;
}

static void stmt_session(struct pol *p, struct args *a, const struct ast_stmt *s)
{
    static const char *const kinds[] = {"sign_in_frequency",           "persistent_browser",
                                        "app_enforced_restrictions",   "cloud_app_security",
                                        "disable_resilience_defaults", "secure_sign_in"};
    static const enum one slot[] = {O_SIF,          O_PERSISTENT_BROWSER,
                                    O_APP_ENFORCED, O_CLOUD_APP_SECURITY,
                                    O_RESILIENCE,   O_SECURE_SIGN_IN};
    static const char *const what[] = {
        "the sign-in frequency", "the persistent browser session", "app enforced restrictions",
        "the app control",       "disable_resilience_defaults",    "secure sign-in session"};
    const struct ast_atom *at = args_peek(a);
    int k = args_expect_word(a, "session control", kinds, IDPC_ARRAY_LEN(kinds));
    if (k < 0)
        return;
    const char *key = "on", *show = "'on'";
    json_t *v = NULL;
    const struct catalog_entry *e;
    switch (k) {
    case 0:
        v = sign_in_frequency(p, a, &key, &show);
        break;
    case 1:
    case 3:
        e = args_expect_enum(a, k == 1 ? CAT_PERSISTENT_BROWSER : CAT_CLOUD_APP_SECURITY);
        if (!e)
            return;
        v = json_object();
        json_object_set_new(v, "isEnabled", json_true());
        json_object_set_new(v, k == 1 ? "mode" : "cloudAppSecurityType",
                            model_const_string(e->graph));
        key = e->graph;
        show = arena_cat(p->ck->arena, "'", e->keyword, "'", NULL);
        break;
    case 4:
        v = json_true();
        break;
    default:
        v = json_object();
        json_object_set_new(v, "isEnabled", json_true());
        break;
    }
    if (!v)
        return;
    if (!args_expect_end(a)) {
        json_decref(v);
        return;
    }
    set_one(p, slot[k], what[k], key, show, v, at->loc, s);
}

/* ---- the entry point ---- */

static const struct {
    const char *kw;
    void (*fn)(struct pol *, struct args *, const struct ast_stmt *);
} stmts[] = {
    {"state", stmt_state},
    {"description", stmt_description},
    {"users", stmt_users},
    {"apps", stmt_apps},
    {"workloads", stmt_workloads},
    {"client_apps", stmt_client_apps},
    {"platforms", stmt_platforms},
    {"locations", stmt_locations},
    {"sign_in_risk", stmt_risk},
    {"user_risk", stmt_risk},
    {"workload_risk", stmt_risk},
    {"insider_risk", stmt_risk},
    {"device_filter", stmt_device_filter},
    {"auth_flows", stmt_auth_flows},
    {"grant", stmt_grant},
    {"session", stmt_session},
};

void lower_policy(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                  size_t n)
{
    struct pol p;
    memset(&p, 0, sizeof(p));
    p.ck = ck;
    p.decl = decl;
    p.name = decl->atoms[1].text;
    struct model_object common;
    memset(&common, 0, sizeof(common));
    common.name = xstrdup(p.name);
    unsigned errors = diag_error_count(ck->diag);

    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        if (check_common_stmt(ck, s, &common))
            continue;
        for (size_t k = 0; k < IDPC_ARRAY_LEN(stmts); k++) {
            if (strcmp(stmts[k].kw, s->atoms[0].text) != 0)
                continue;
            struct args a;
            args_init(&a, ck, s);
            size_t before = diag_count(ck->diag);
            if (!a.failed)
                stmts[k].fn(&p, &a, s);
            if (a.failed && diag_count(ck->diag) > before)
                lower_policy_note_policy(&p, s);
            break;
        }
    }
    if (diag_error_count(ck->diag) == errors)
        lower_policy_check(&p);
    if (diag_error_count(ck->diag) == errors) {
        struct loc at = diag_loc_join(decl->atoms[0].loc, decl->atoms[1].loc);
        struct model_object *o = model_add(ck->model, MODEL_CA_POLICY, p.name, at);
        json_decref(o->body);
        o->body = lower_policy_body(&p);
        o->pinned_id = common.pinned_id;
        o->renamed_from = common.renamed_from;
        common.pinned_id = common.renamed_from = NULL;
        if (p.skip_report_only)
            json_object_set_new(model_extra(o), "skipReportOnly", json_true());
    }
    free(common.name);
    free(common.pinned_id);
    free(common.renamed_from);
    for (int f = 0; f < F__COUNT; f++) {
        for (size_t i = 0; i < p.f[f].n; i++)
            json_decref(p.f[f].v[i].val);
        free(p.f[f].v);
    }
    for (int o = 0; o < O__COUNT; o++)
        json_decref(p.o[o].val);
}
