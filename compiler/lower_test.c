/* lower_test.c — test blocks (a sign-in scenario and its expected outcome) → JSON test cases in
 * model->tests, for the what-if engine: "signIn" is the sign-in JSON of runtime/whatif.h
 * (whatif_signin_from_json), "expect" the expected outcome. docs/language.md#tests has both. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "compiler/check_int.h"

struct tcase {
    struct check *ck;
    const struct ast_stmt *decl;
    json_t *sign_in; /* owned */
    json_t *expect;  /* owned */
    /* the first statement of each single-valued kind, for "given twice" */
    const struct ast_stmt *seen[24];
    const struct ast_stmt *target; /* app, action or context */
    const struct ast_stmt *who;    /* user or guest */
    const struct ast_stmt *exp_block, *exp_allow, *exp_controls;
};

static const char *const singles[] = {
    "user", "guest",   "app",          "action",    "context",      "platform",  "client",
    "ip",   "country", "sign_in_risk", "user_risk", "insider_risk", "auth_flow",
};

/* A single-valued statement given a second time: error with a note. */
static bool once(struct tcase *t, const struct ast_stmt *s)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(singles); i++) {
        if (strcmp(singles[i], s->atoms[0].text) != 0)
            continue;
        if (t->seen[i]) {
            diag_error(t->ck->diag, s->atoms[0].loc, "'%s' is given twice; a sign-in has one %s",
                       singles[i], singles[i]);
            diag_note(t->ck->diag, t->seen[i]->atoms[0].loc, "first given here");
            return false;
        }
        t->seen[i] = s;
    }
    return true;
}

static char *lower(struct check *ck, const char *s)
{
    char *r = arena_strdup(ck->arena, s);
    for (char *c = r; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return r;
}

/* Appends to signIn[key] (an array), creating it. */
static void push(json_t *obj, const char *key, json_t *v)
{
    json_t *arr = json_object_get(obj, key);
    if (!arr) {
        arr = json_array();
        json_object_set_new(obj, key, arr);
    }
    json_array_append_new(arr, v);
}

/* The sign-in JSON names objects by display name (or UPN) or by id: a reference's name or id. */
static json_t *ref_string(json_t *r)
{
    if (!r)
        return NULL;
    const json_t *n = json_object_get(r, "name");
    json_t *v = json_string(json_string_value(n ? n : json_object_get(r, "id")));
    json_decref(r);
    return v;
}

static const char *const kinds[] = {"an application", "a user action", "an authentication context"};

/* One of app / action / context: the sign-in's target. */
static bool target(struct tcase *t, const struct ast_stmt *s)
{
    if (t->target && t->target != s) {
        int a = ast_is_word(&t->target->atoms[0], "app")      ? 0
                : ast_is_word(&t->target->atoms[0], "action") ? 1
                                                              : 2;
        int b = ast_is_word(&s->atoms[0], "app") ? 0 : ast_is_word(&s->atoms[0], "action") ? 1 : 2;
        if (a != b) {
            diag_error(t->ck->diag, s->atoms[0].loc,
                       "a sign-in is to %s or %s, not both; write two tests", kinds[b], kinds[a]);
            diag_note(t->ck->diag, t->target->atoms[0].loc, "%s is given here", kinds[a]);
            return false;
        }
    }
    t->target = s;
    return true;
}

static json_t *app_value(struct tcase *t, struct args *a)
{
    const struct ast_atom *at = args_peek(a);
    if (args_accept(a, "id")) {
        const char *id = args_expect_guid(a, "an application id");
        return id ? json_string(id) : NULL;
    }
    if (at && at->kind == AST_STRING) {
        a->i++;
        const struct catalog_app *app = catalog_app_by_name(at->text);
        if (app)
            return json_string(app->app_id);
        const char *best = catalog_app_suggest(at->text);
        if (best)
            diag_warning(t->ck->diag, at->loc,
                         "\"%s\" is not a Microsoft application idpc knows; did you mean \"%s\"? "
                         "(otherwise it must be an application registered in the tenant)",
                         at->text, best);
        return json_string(at->text); /* a tenant application, by display name */
    }
    const struct catalog_entry *e = args_expect_enum(a, CAT_APP_KEYWORD);
    if (!e)
        return NULL;
    if (strcmp(e->keyword, "none") == 0) {
        args_error(a, at, "a sign-in is to some application; 'none' is not one");
        return NULL;
    }
    return model_const_string(e->graph);
}

static bool ip_valid(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* expect session sign_in_frequency 4h | every_time, persistent_browser MODE, ... */
static json_t *expect_session(struct args *a, const char **key)
{
    static const char *const controls[] = {"sign_in_frequency",           "persistent_browser",
                                           "app_enforced_restrictions",   "cloud_app_security",
                                           "disable_resilience_defaults", "secure_sign_in"};
    static const char *const graph[] = {
        "signInFrequency",  "persistentBrowser",         "applicationEnforcedRestrictions",
        "cloudAppSecurity", "disableResilienceDefaults", "secureSignInSession"};
    int k = args_expect_word(a, "session control", controls, IDPC_ARRAY_LEN(controls));
    if (k < 0)
        return NULL;
    *key = graph[k];
    json_t *v = json_object();
    const struct catalog_entry *e;
    const struct ast_atom *at = args_peek(a);
    switch (k) {
    case 0:
        if (args_accept(a, "every_time")) {
            json_object_set_new(v, "frequencyInterval", model_const_string("everyTime"));
            break;
        }
        if (!at || at->kind != AST_DURATION) {
            args_expected(a, "a period such as 4h or 7d, or 'every_time'");
            goto fail;
        }
        a->i++;
        if ((strcmp(at->text, "h") != 0 && strcmp(at->text, "d") != 0) || at->num < 1 ||
            at->num > (at->text[0] == 'h' ? 23 : 365)) {
            args_error(a, at, "sign-in frequency must be 1h to 23h or 1d to 365d, found '%lld%s'",
                       at->num, at->text);
            goto fail;
        }
        json_object_set_new(v, "frequencyInterval", model_const_string("timeBased"));
        json_object_set_new(v, "type", json_string(at->text[0] == 'h' ? "hours" : "days"));
        json_object_set_new(v, "value", json_integer(at->num));
        break;
    case 1:
    case 3:
        e = args_expect_enum(a, k == 1 ? CAT_PERSISTENT_BROWSER : CAT_CLOUD_APP_SECURITY);
        if (!e)
            goto fail;
        json_object_set_new(v, k == 1 ? "mode" : "cloudAppSecurityType",
                            model_const_string(e->graph));
        break;
    default:
        json_object_set_new(v, "isEnabled", json_true());
        break;
    }
    return v;
fail:
    json_decref(v);
    return NULL;
}

static void expect_stmt(struct tcase *t, struct args *a, const struct ast_stmt *s)
{
    struct diag_ctx *d = t->ck->diag;
    const struct ast_atom *at = args_peek(a);
    json_t *ex = t->expect;
    if (args_accept(a, "not")) {
        static const char *const w[] = {"block"};
        if (args_expect_word(a, "'block' after 'not'", w, 1) < 0 || !args_expect_end(a))
            return;
        if (t->exp_block && json_is_true(json_object_get(ex, "block"))) {
            diag_error(d, at->loc, "'expect not block' contradicts 'expect block'");
            diag_note(d, t->exp_block->atoms[0].loc, "expected here");
            return;
        }
        json_object_set_new(ex, "block", json_false());
        t->exp_block = t->exp_block ? t->exp_block : s;
        return;
    }
    if (args_accept(a, "block") || args_accept(a, "allow")) {
        bool block = ast_is_word(at, "block");
        if (!args_expect_end(a))
            return;
        const struct ast_stmt *clash =
            block ? (t->exp_allow                                  ? t->exp_allow
                     : t->exp_controls                             ? t->exp_controls
                     : json_is_false(json_object_get(ex, "block")) ? t->exp_block
                                                                   : NULL)
                  : (t->exp_controls                              ? t->exp_controls
                     : json_is_true(json_object_get(ex, "block")) ? t->exp_block
                                                                  : NULL);
        if (clash) {
            diag_error(d, at->loc, "'expect %s' contradicts an earlier 'expect'", at->text);
            diag_note(d, clash->atoms[0].loc, "expected here");
            return;
        }
        if (block) {
            json_object_set_new(ex, "block", json_true());
            t->exp_block = s;
        } else {
            json_object_set_new(ex, "allow", json_true());
            t->exp_allow = s;
        }
        return;
    }
    if (args_accept(a, "session")) {
        const char *key = NULL;
        json_t *v = expect_session(a, &key);
        if (!v)
            return;
        if (!args_expect_end(a)) {
            json_decref(v);
            return;
        }
        json_t *sc = json_object_get(ex, "sessionControls");
        if (!sc) {
            sc = json_object();
            json_object_set_new(ex, "sessionControls", sc);
        }
        if (json_object_get(sc, key)) {
            diag_error(d, at->loc, "this session control is expected twice");
            json_decref(v);
            return;
        }
        json_object_set_new(sc, key, v);
        return;
    }
    /* grant controls: CONTROL, ... and strength "Name", spelled as the what-if engine reports
     * them: builtInControls values and "authenticationStrength:NAME" */
    json_t *controls = json_object_get(ex, "controls");
    bool fresh = !controls;
    if (fresh)
        controls = json_array();
    else
        json_incref(controls);
    do {
        const struct ast_atom *c = args_peek(a);
        json_t *v;
        if (args_accept(a, "strength")) {
            json_t *r = ref_string(
                args_ref(a, "authenticationStrengthPolicy", "an authentication strength's name"));
            if (!r)
                goto out;
            v = json_pack("s+", "authenticationStrength:", json_string_value(r));
            json_decref(r);
        } else {
            const struct catalog_entry *e = args_expect_enum(a, CAT_GRANT);
            if (!e)
                goto out;
            if (strcmp(e->keyword, "block") == 0) {
                args_error(a, c, "write 'expect block' on its own line");
                goto out;
            }
            v = model_const_string(e->graph);
        }
        size_t i;
        json_t *x;
        bool dup = false;
        json_array_foreach(controls, i, x)
        {
            dup = dup || json_equal(x, v);
        }
        if (dup)
            json_decref(v);
        else
            json_array_append_new(controls, v);
    } while (args_comma(a));
    if (!args_expect_end(a))
        goto out;
    const struct ast_stmt *clash = t->exp_allow                                 ? t->exp_allow
                                   : json_is_true(json_object_get(ex, "block")) ? t->exp_block
                                                                                : NULL;
    if (clash) {
        diag_error(d, at->loc, "expecting controls contradicts an earlier 'expect %s'",
                   clash == t->exp_allow ? "allow" : "block");
        diag_note(d, clash->atoms[0].loc, "expected here");
        goto out;
    }
    if (fresh)
        json_object_set(ex, "controls", controls);
    t->exp_controls = t->exp_controls ? t->exp_controls : s;
out:
    json_decref(controls);
}

static void test_stmt(struct tcase *t, const struct ast_stmt *s)
{
    struct check *ck = t->ck;
    const char *kw = s->atoms[0].text;
    if (!once(t, s))
        return;
    struct args a;
    args_init(&a, ck, s);
    if (a.failed)
        return;
    json_t *si = t->sign_in;
    const struct ast_atom *at = args_peek(&a);
    json_t *v = NULL;
    const char *key = NULL;
    const struct catalog_entry *e;

    if (strcmp(kw, "expect") == 0) {
        expect_stmt(t, &a, s);
        return;
    }
    if (strcmp(kw, "user") == 0) {
        v = ref_string(args_ref(&a, "user", "a user principal name"));
        key = "user";
        t->who = s;
    } else if (strcmp(kw, "guest") == 0) {
        e = args_expect_enum(&a, CAT_GUEST_TYPE);
        if (!e)
            return;
        if (args_accept(&a, "tenant")) {
            const struct ast_atom *tid = args_expect_string(&a, "a tenant id");
            if (!tid || !check_is_guid(tid->text)) {
                if (tid)
                    args_error(&a, tid, "'%s' is not a tenant id (a GUID)", tid->text);
                return;
            }
            if (!args_expect_end(&a))
                return;
            json_object_set_new(si, "externalTenant", json_string(lower(ck, tid->text)));
        }
        v = model_const_string(e->graph);
        key = "guestType";
        t->who = s;
    } else if (strcmp(kw, "member_of") == 0) {
        do {
            const struct ast_atom *it = args_peek(&a);
            if (args_accept(&a, "group")) {
                json_t *r = ref_string(args_ref(&a, "group", "a group name"));
                if (!r)
                    return;
                push(si, "memberOf", r);
            } else if (args_accept(&a, "role")) {
                const struct ast_atom *n = args_peek(&a);
                if (args_accept(&a, "id")) {
                    const struct ast_atom *g = args_expect_string(&a, "a role template id");
                    if (!g)
                        return;
                    if (!check_is_guid(g->text)) {
                        args_error(&a, g, "'%s' is not a role template id (a GUID)", g->text);
                        return;
                    }
                    push(si, "roles", json_string(lower(ck, g->text)));
                    continue;
                }
                const struct ast_atom *rn = args_expect_string(&a, "a directory role name");
                if (!rn)
                    return;
                const struct catalog_role *r = catalog_role_by_name(rn->text);
                if (!r) {
                    const char *best = catalog_role_suggest(rn->text);
                    if (best)
                        args_error(&a, rn, "unknown directory role \"%s\"; did you mean \"%s\"?",
                                   rn->text, best);
                    else
                        args_error(&a, rn, "unknown directory role \"%s\"", rn->text);
                    return;
                }
                (void)n;
                push(si, "roles", json_string(r->template_id));
            } else {
                (void)it;
                args_expected(&a, "'group' or 'role'");
                return;
            }
        } while (args_comma(&a));
        args_expect_end(&a);
        return;
    } else if (strcmp(kw, "app") == 0) {
        if (!target(t, s))
            return;
        v = app_value(t, &a);
        key = "app";
    } else if (strcmp(kw, "action") == 0) {
        if (!target(t, s))
            return;
        e = args_expect_enum(&a, CAT_USER_ACTION);
        v = e ? model_const_string(e->graph) : NULL;
        key = "action";
    } else if (strcmp(kw, "context") == 0) {
        if (!target(t, s))
            return;
        const struct ast_atom *c = args_expect_string(&a, "an authentication context (c1 to c99)");
        if (!c)
            return;
        if (!catalog_auth_context_valid(c->text)) {
            const char *best = catalog_auth_context_suggest(c->text);
            if (best)
                args_error(&a, c, "unknown authentication context \"%s\"; did you mean \"%s\"?",
                           c->text, best);
            else
                args_error(&a, c,
                           "unknown authentication context \"%s\"; contexts are \"c1\" to "
                           "\"c99\"",
                           c->text);
            return;
        }
        v = json_string(c->text);
        key = "context";
    } else if (strcmp(kw, "platform") == 0 || strcmp(kw, "client") == 0 ||
               strcmp(kw, "sign_in_risk") == 0 || strcmp(kw, "user_risk") == 0 ||
               strcmp(kw, "insider_risk") == 0 || strcmp(kw, "auth_flow") == 0) {
        static const struct {
            const char *kw, *key;
            enum catalog_kind k;
        } m[] = {
            {"platform", "platform", CAT_PLATFORM},
            {"client", "client", CAT_CLIENT_APP},
            {"sign_in_risk", "signInRisk", CAT_RISK},
            {"user_risk", "userRisk", CAT_RISK},
            {"insider_risk", "insiderRisk", CAT_INSIDER_RISK},
            {"auth_flow", "authFlow", CAT_TRANSFER},
        };
        for (size_t i = 0; i < IDPC_ARRAY_LEN(m); i++)
            if (strcmp(m[i].kw, kw) == 0) {
                e = args_expect_enum(&a, m[i].k);
                v = e ? model_const_string(e->graph) : NULL;
                key = m[i].key;
            }
    } else if (strcmp(kw, "ip") == 0) {
        const struct ast_atom *ip = args_expect_string(&a, "an IP address");
        if (!ip)
            return;
        if (!ip_valid(ip->text)) {
            args_error(&a, ip, "'%s' is not an IPv4 or IPv6 address%s", ip->text,
                       strchr(ip->text, '/') ? " (a test signs in from one address, not a range)"
                                             : "");
            return;
        }
        v = json_string(ip->text);
        key = "ip";
    } else if (strcmp(kw, "country") == 0) {
        const struct ast_atom *c = args_expect_string(&a, "a country code such as \"FR\"");
        if (!c)
            return;
        if (!catalog_country_by_code(c->text)) {
            const char *best = catalog_country_suggest(c->text);
            if (best)
                args_error(&a, c, "unknown country code \"%s\"; did you mean \"%s\"?", c->text,
                           best);
            else
                args_error(&a, c,
                           "unknown country code \"%s\"; use ISO 3166-1 alpha-2 codes such "
                           "as \"FR\"",
                           c->text);
            return;
        }
        v = json_string(c->text);
        key = "country";
    } else if (strcmp(kw, "location") == 0) {
        do {
            json_t *r = ref_string(args_ref(&a, "namedLocation", "a named location's name"));
            if (!r)
                return;
            push(si, "locations", r);
        } while (args_comma(&a));
        args_expect_end(&a);
        return;
    } else if (strcmp(kw, "device") == 0) {
        const struct ast_atom *prop = args_expect_string(&a, "a device property name");
        if (!prop)
            return;
        const char *name = prop->text;
        if (strncmp(name, "device.", 7) == 0)
            name += 7;
        if (!*name) {
            args_error(&a, prop, "the device property name must not be empty");
            return;
        }
        const struct ast_atom *val = args_peek(&a);
        json_t *pv;
        if (args_accept(&a, "true") || args_accept(&a, "false"))
            pv = json_boolean(ast_is_word(val, "true"));
        else if ((val = args_expect_string(&a, "the property's value (a string, true or false)")))
            pv = json_string(val->text);
        else
            return;
        if (!args_expect_end(&a)) {
            json_decref(pv);
            return;
        }
        json_t *dev = json_object_get(si, "device");
        if (!dev) {
            dev = json_object();
            json_object_set_new(si, "device", dev);
        }
        if (json_object_get(dev, name)) {
            diag_error(ck->diag, prop->loc, "the device property '%s' is given twice", name);
            json_decref(pv);
            return;
        }
        json_object_set_new(dev, name, pv);
        return;
    }
    (void)at;
    if (!v)
        return;
    if (!args_expect_end(&a)) {
        json_decref(v);
        return;
    }
    json_object_set_new(si, key, v);
}

void lower_test(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n)
{
    struct tcase t;
    memset(&t, 0, sizeof(t));
    t.ck = ck;
    t.decl = decl;
    t.sign_in = json_object();
    t.expect = json_object();
    unsigned errors = diag_error_count(ck->diag);
    for (size_t i = 0; i < n; i++)
        test_stmt(&t, body[i]);
    struct loc name = decl->atoms[1].loc;
    const char *tn = decl->atoms[1].text;
    if (!t.who)
        diag_error(ck->diag, name, "test '%s' has no user: add 'user \"upn\"' or 'guest TYPE'", tn);
    if (!t.target)
        diag_error(ck->diag, name,
                   "test '%s' signs in to nothing: add 'app ...', 'action ...' or 'context ...'",
                   tn);
    if (json_object_size(t.expect) == 0 && diag_error_count(ck->diag) == errors)
        diag_error(ck->diag, name,
                   "test '%s' expects nothing: add 'expect block', 'expect mfa', ...", tn);
    if (diag_error_count(ck->diag) == errors) {
        json_t *tc = json_object();
        json_object_set_new(tc, "name", json_string(tn));
        json_object_set_new(tc, "at", json_string(check_at(ck, decl->atoms[0].loc)));
        json_object_set(tc, "signIn", t.sign_in);
        json_object_set(tc, "expect", t.expect);
        json_array_append_new(ck->model->tests, tc);
    }
    json_decref(t.sign_in);
    json_decref(t.expect);
}
