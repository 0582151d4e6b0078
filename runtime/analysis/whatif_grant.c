/* whatif_grant.c — grant and session controls of the policies that apply: per policy, combined
 * ("block wins", every policy satisfied, most restrictive session), rendered as JSON and text,
 * and checked against what a sign-in can satisfy (the lockout guard). See docs/whatif.md. */
#include "runtime/analysis/whatif_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/util.h"

/* ---------------------------------------------------------------------------------------- */
/* Built-in authentication strengths (facts.md §4, from Graph's list example)              */

static const char *const mfa_combos[] = {
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    "deviceBasedPush",
    "temporaryAccessPassOneTime",
    "temporaryAccessPassMultiUse",
    "password,microsoftAuthenticatorPush",
    "password,softwareOath",
    "password,hardwareOath",
    "password,x509CertificateSingleFactor",
    "password,x509CertificateMultiFactor",
    "password,sms",
    "password,voice",
    "federatedMultiFactor",
    "microsoftAuthenticatorPush,federatedSingleFactor",
    "softwareOath,federatedSingleFactor",
    "hardwareOath,federatedSingleFactor",
    "sms,federatedSingleFactor",
    "voice,federatedSingleFactor",
    NULL,
};
static const char *const passwordless_combos[] = {
    "windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush", NULL,
};
static const char *const phishing_resistant_combos[] = {
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
    NULL,
};

struct builtin_strength {
    const char *id, *name, *alias;
    const char *const *combos;
};

static const struct builtin_strength builtins[] = {
    {"00000000-0000-0000-0000-000000000002", "Multifactor authentication", "MFA", mfa_combos},
    {"00000000-0000-0000-0000-000000000003", "Passwordless MFA", "Passwordless",
     passwordless_combos},
    {"00000000-0000-0000-0000-000000000004", "Phishing-resistant MFA", "Phishing resistant MFA",
     phishing_resistant_combos},
};

static const struct builtin_strength *builtin_by(const char *id, const char *name)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(builtins); i++) {
        const struct builtin_strength *b = &builtins[i];
        if (whatif_eq(id, b->id) || whatif_eq(name, b->name) || whatif_eq(name, b->alias))
            return b;
    }
    return NULL;
}

static json_t *combos_json(const char *const *c)
{
    json_t *a = json_array();
    for (size_t i = 0; c[i]; i++)
        json_array_append_new(a, json_string(c[i]));
    return a;
}

/* ---------------------------------------------------------------------------------------- */
/* One policy's requirement                                                                 */

static void add_control(struct whatif_policy_result *pr, char *text, json_t *combos, bool mfa)
{
    for (size_t i = 0; i < pr->ncontrols; i++) {
        if (whatif_eq(pr->controls[i].text, text)) {
            free(text);
            json_decref(combos);
            return;
        }
    }
    pr->controls = xrealloc(pr->controls, (pr->ncontrols + 1) * sizeof(*pr->controls));
    pr->controls[pr->ncontrols++] = (struct whatif_control){text, combos, mfa};
}

static void add_strength(const struct whatif_inputs *in, const json_t *sv,
                         struct whatif_policy_result *pr)
{
    const json_t *idv = json_object_get(sv, "id");
    const char *id = json_string_value(idv);
    const char *rname = json_string_value(json_object_get(sv, "name"));
    if (json_is_object(idv)) { /* the model: {"id": {"$ref": ..., "name"|"id": ...}} */
        id = json_string_value(json_object_get(idv, "id"));
        rname = json_string_value(json_object_get(idv, "name"));
    }
    const char *dname = json_string_value(whatif_jget(sv, "displayName"));
    const json_t *found = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(in->strengths, i, v)
    {
        const char *vid = json_string_value(whatif_jget(v, "id"));
        const char *vn = json_string_value(whatif_jget(v, "displayName"));
        if ((id && whatif_eq(vid, id)) || (rname && whatif_eq(vn, rname)) ||
            (!id && !rname && dname && whatif_eq(vn, dname))) {
            found = v;
            break;
        }
    }
    const char *fname = json_string_value(whatif_jget(found, "displayName"));
    const char *fid = json_string_value(whatif_jget(found, "id"));
    const struct builtin_strength *b = builtin_by(id ? id : fid, rname ? rname : dname);
    const char *name = fname ? fname : dname ? dname : rname ? rname : b ? b->name : id;
    const json_t *ac = whatif_jget(found, "allowedCombinations");
    if (!ac)
        ac = whatif_jget(sv, "allowedCombinations");
    json_t *combos = json_is_array(ac) ? json_deep_copy(ac) : b ? combos_json(b->combos) : NULL;
    add_control(pr, xasprintf("authenticationStrength:%s", name ? name : "(unknown)"), combos,
                b == &builtins[0]);
}

static const char *canonical_grant(const char *c)
{
    const struct catalog_entry *e = catalog_lookup_graph(CAT_GRANT, c);
    return e ? e->graph : c;
}

void whatif_policy_grant(const struct whatif_inputs *in, const json_t *policy,
                         struct whatif_policy_result *pr)
{
    const json_t *gc = whatif_jget(policy, "grantControls");
    pr->op =
        whatif_eq(json_string_value(whatif_jget(gc, "operator")), "OR") ? WHATIF_OR : WHATIF_AND;
    size_t i;
    const json_t *v;
    json_array_foreach(whatif_jget(gc, "builtInControls"), i, v)
    {
        const char *c = json_string_value(v);
        if (!c)
            continue;
        if (whatif_eq(c, "block"))
            pr->block = true;
        else if (whatif_eq(c, "approvedApplication"))
            continue; /* retired: "it will be as if this grant isn't selected" ("Migrate
                         approved client app to application protection policy in Conditional
                         Access", https://learn.microsoft.com/entra/identity/conditional-access/migrate-approved-client-app) */
        else
            add_control(pr, xstrdup(canonical_grant(c)), NULL, false);
    }
    const json_t *sv = whatif_jget(gc, "authenticationStrength");
    if (json_is_object(sv))
        add_strength(in, sv, pr);
    json_array_foreach(whatif_jget(gc, "termsOfUse"), i, v)
    {
        const char *k = whatif_item_key(v);
        if (k)
            add_control(pr, xasprintf("termsOfUse:%s", k), NULL, false);
    }
    json_array_foreach(whatif_jget(gc, "customAuthenticationFactors"), i, v)
    {
        const char *k = whatif_item_key(v);
        if (k)
            add_control(pr, xasprintf("customAuthenticationFactor:%s", k), NULL, false);
    }
    if (pr->ncontrols <= 1)
        pr->op = WHATIF_AND;
}

/* ---------------------------------------------------------------------------------------- */
/* Combining grant controls                                                                 */

static int rank(const char *c)
{
    static const char *const order[] = {
        "block",
        "mfa",
        "authenticationStrength:",
        "compliantDevice",
        "domainJoinedDevice",
        "approvedApplication",
        "compliantApplication",
        "passwordChange",
        "riskRemediation",
        "termsOfUse:",
        "customAuthenticationFactor:",
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(order); i++) {
        size_t n = strlen(order[i]);
        if (order[i][n - 1] == ':' ? strncmp(c, order[i], n) == 0 : strcmp(c, order[i]) == 0)
            return (int)i;
    }
    return (int)IDPC_ARRAY_LEN(order);
}

static int cmp_controls(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = rank(x), ry = rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

static void sort(const char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_controls);
}

/* A set of control strings. */
struct set {
    const char **v;
    size_t n;
};

static bool set_has(const struct set *s, const char *c)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], c) == 0)
            return true;
    return false;
}

static void set_add(struct set *s, const char *c)
{
    if (set_has(s, c))
        return;
    s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = c;
}

static bool set_subset(const struct set *a, const struct set *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (!set_has(b, a->v[i]))
            return false;
    return true;
}

static bool set_meets(const struct set *a, const struct set *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (set_has(b, a->v[i]))
            return true;
    return false;
}

static void push(struct whatif_result *r, char *s)
{
    r->controls = xrealloc(r->controls, (r->ncontrols + 1) * sizeof(*r->controls));
    r->controls[r->ncontrols++] = s;
}

static bool combo_ok(const char *combo, const char *const *caps, bool canonical);
static const char *canonical_cap(const char *c);

/* The methods of a combination "password, sms" as a NULL-terminated list; free with
 * free_methods. */
static char **split_methods(const char *combo)
{
    size_t n = 1;
    for (const char *p = combo; *p; p++)
        n += *p == ',';
    char **v = xcalloc(n + 1, sizeof(*v));
    size_t k = 0;
    for (const char *p = combo; p;) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);
        while (p < e && *p == ' ')
            p++;
        while (e > p && e[-1] == ' ')
            e--;
        if (e > p)
            v[k++] = xstrndup(p, (size_t)(e - p));
        p = comma ? comma + 1 : NULL;
    }
    return v;
}

static void free_methods(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* Does every way of satisfying strength combinations `a` also satisfy `b` (a JSON array, or the
 * static list `bs`)? */
static bool combos_imply(const json_t *a, const json_t *b, const char *const *bs)
{
    if (!json_is_array(a) || json_array_size(a) == 0 || (!json_is_array(b) && !bs))
        return false;
    size_t i;
    const json_t *x;
    json_array_foreach(a, i, x)
    {
        const char *combo = json_string_value(x);
        if (!combo)
            return false;
        char **methods = split_methods(combo);
        /* each method and its canonical spelling, looked up once (has_cap's two matches) */
        size_t nm = 0;
        while (methods[nm])
            nm++;
        const char **caps = xcalloc(2 * nm + 1, sizeof(*caps));
        for (size_t m = 0; m < nm; m++) {
            caps[2 * m] = methods[m];
            caps[2 * m + 1] = canonical_cap(methods[m]);
        }
        bool ok = false;
        size_t k;
        const json_t *y;
        json_array_foreach(b, k, y)
        {
            ok = ok || combo_ok(json_string_value(y), caps, true);
        }
        for (size_t j = 0; bs && bs[j] && !ok; j++)
            ok = combo_ok(bs[j], caps, true);
        free(caps);
        free_methods(methods);
        if (!ok)
            return false;
    }
    return true;
}

/* Control a makes control b redundant: a strength whose every combination satisfies the other
 * strength, or plain MFA. */
static bool control_implies(const struct whatif_control *a, const struct whatif_control *b)
{
    if (!a->combinations || a == b || strcmp(a->text, b->text) == 0)
        return false;
    if (strcmp(b->text, "mfa") == 0)
        return combos_imply(a->combinations, NULL, mfa_combos);
    if (b->combinations)
        return combos_imply(a->combinations, b->combinations, NULL) &&
               !combos_imply(b->combinations, a->combinations, NULL);
    return false;
}

static const struct whatif_control *find_control(const struct whatif_result *r, const char *text)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->policies[i].ncontrols; k++)
            if (strcmp(r->policies[i].controls[k].text, text) == 0)
                return &r->policies[i].controls[k];
    return NULL;
}

/* Drops required controls that another required control implies. */
static void absorb_required(const struct whatif_result *r, struct set *req)
{
    size_t out = 0;
    for (size_t i = 0; i < req->n; i++) {
        const struct whatif_control *b = find_control(r, req->v[i]);
        bool implied = false;
        for (size_t j = 0; j < req->n && b && !implied; j++) {
            const struct whatif_control *a = find_control(r, req->v[j]);
            implied = a && control_implies(a, b);
        }
        if (!implied)
            req->v[out++] = req->v[i];
    }
    req->n = out;
}

static void flatten(struct whatif_result *r)
{
    struct set req = {0};
    struct set *ors = xcalloc(r->n + 1, sizeof(*ors));
    size_t nor = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies || p->state != WHATIF_ENABLED || p->ncontrols == 0)
            continue;
        if (p->op == WHATIF_AND) {
            for (size_t k = 0; k < p->ncontrols; k++)
                set_add(&req, p->controls[k].text);
        } else {
            for (size_t k = 0; k < p->ncontrols; k++)
                set_add(&ors[nor], p->controls[k].text);
            nor++;
        }
    }
    absorb_required(r, &req);
    /* Absorption: an alternative already met by a required control, or implied by a narrower
     * alternative, adds nothing. */
    bool *drop = xcalloc(nor + 1, sizeof(*drop));
    for (size_t i = 0; i < nor; i++) {
        if (set_meets(&ors[i], &req)) {
            drop[i] = true;
            continue;
        }
        for (size_t j = 0; j < nor && !drop[i]; j++)
            if (j != i && !drop[j] && set_subset(&ors[j], &ors[i]) &&
                (ors[j].n < ors[i].n || j < i))
                drop[i] = true;
    }
    size_t live = 0, last = 0;
    for (size_t i = 0; i < nor; i++)
        if (!drop[i]) {
            live++;
            last = i;
        }
    r->op = WHATIF_AND;
    if (req.n == 0 && live == 1) {
        r->op = WHATIF_OR;
        sort(ors[last].v, ors[last].n);
        for (size_t k = 0; k < ors[last].n; k++)
            push(r, xstrdup(ors[last].v[k]));
    } else {
        sort(req.v, req.n);
        for (size_t k = 0; k < req.n; k++)
            push(r, xstrdup(req.v[k]));
        for (size_t i = 0; i < nor; i++) {
            if (drop[i])
                continue;
            sort(ors[i].v, ors[i].n);
            struct strbuf sb = STRBUF_INIT;
            for (size_t k = 0; k < ors[i].n; k++) {
                if (k)
                    strbuf_addc(&sb, '|');
                strbuf_adds(&sb, ors[i].v[k]);
            }
            push(r, strbuf_detach(&sb));
        }
    }
    for (size_t i = 0; i < nor; i++)
        free(ors[i].v);
    free(ors);
    free(drop);
    free(req.v);
}

/* ---------------------------------------------------------------------------------------- */
/* Combining session controls: the most restrictive of each                                 */

static bool enabled(const json_t *ctl)
{
    const json_t *e = whatif_jget(ctl, "isEnabled");
    return json_is_object(ctl) && !json_is_false(e);
}

static int level(const char *v, const char *const *order)
{
    for (int i = 0; order[i]; i++)
        if (whatif_eq(v, order[i]))
            return i + 1;
    return 0;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(whatif_jget(o, key));
}

static long sif_hours(const json_t *sif)
{
    if (whatif_eq(json_string_value(whatif_jget(sif, "frequencyInterval")), "everyTime"))
        return 0;
    long v = (long)json_integer_value(whatif_jget(sif, "value"));
    if (v <= 0)
        return -1;
    return whatif_eq(json_string_value(whatif_jget(sif, "type")), "days") ? v * 24 : v;
}

static void combine_session(struct whatif_result *r)
{
    static const char *const browser_order[] = {"always", "never", NULL};
    static const char *const mcas_order[] = {"monitorOnly", "mcasConfigured", "blockDownloads",
                                             NULL};
    static const char *const cae_order[] = {"disabled", "strictLocation", "strictEnforcement",
                                            NULL};
    static const char *const sifauth_order[] = {"secondaryAuthentication",
                                                "primaryAndSecondaryAuthentication", NULL};
    const json_t *sif = NULL, *pb = NULL, *mcas = NULL, *cae = NULL;
    long sif_h = -1;
    bool aer = false, drd = false, ssis = false;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies || p->state != WHATIF_ENABLED)
            continue;
        const json_t *sc = whatif_jget(p->policy, "sessionControls");
        const json_t *x = whatif_jget(sc, "signInFrequency");
        long h = enabled(x) ? sif_hours(x) : -1;
        if (h >= 0) {
            const char *at = json_string_value(whatif_jget(x, "authenticationType"));
            const char *bt = json_string_value(whatif_jget(sif, "authenticationType"));
            if (!sif || h < sif_h ||
                (h == sif_h && level(at, sifauth_order) > level(bt, sifauth_order))) {
                sif = x;
                sif_h = h;
            }
        }
        x = whatif_jget(sc, "persistentBrowser");
        if (enabled(x) && level(str(x, "mode"), browser_order) >
                              (pb ? level(str(pb, "mode"), browser_order) : -1))
            pb = x;
        x = whatif_jget(sc, "cloudAppSecurity");
        if (enabled(x) && level(str(x, "cloudAppSecurityType"), mcas_order) >
                              (mcas ? level(str(mcas, "cloudAppSecurityType"), mcas_order) : -1))
            mcas = x;
        x = whatif_jget(sc, "continuousAccessEvaluation");
        if (json_is_object(x) && str(x, "mode") &&
            level(str(x, "mode"), cae_order) > (cae ? level(str(cae, "mode"), cae_order) : -1))
            cae = x;
        aer |= enabled(whatif_jget(sc, "applicationEnforcedRestrictions"));
        drd |= json_is_true(whatif_jget(sc, "disableResilienceDefaults"));
        ssis |= enabled(whatif_jget(sc, "secureSignInSession"));
    }
    json_t *s = json_object();
    if (aer)
        json_object_set_new(s, "applicationEnforcedRestrictions",
                            json_pack("{s:b}", "isEnabled", 1));
    if (mcas)
        json_object_set_new(s, "cloudAppSecurity",
                            json_pack("{s:b,s:s}", "isEnabled", 1, "cloudAppSecurityType",
                                      str(mcas, "cloudAppSecurityType")
                                          ? str(mcas, "cloudAppSecurityType")
                                          : "mcasConfigured"));
    if (sif) {
        json_t *o = json_pack("{s:b}", "isEnabled", 1);
        if (sif_h == 0) {
            json_object_set_new(o, "frequencyInterval", json_string("everyTime"));
        } else {
            json_object_set(o, "value", whatif_mut(whatif_jget(sif, "value")));
            json_object_set(o, "type", whatif_mut(whatif_jget(sif, "type")));
            json_object_set_new(o, "frequencyInterval", json_string("timeBased"));
        }
        const json_t *at = whatif_jget(sif, "authenticationType");
        if (json_is_string(at))
            json_object_set(o, "authenticationType", whatif_mut(at));
        json_object_set_new(s, "signInFrequency", o);
    }
    if (pb)
        json_object_set_new(s, "persistentBrowser",
                            json_pack("{s:b,s:s}", "isEnabled", 1, "mode",
                                      str(pb, "mode") ? str(pb, "mode") : "never"));
    if (drd)
        json_object_set_new(s, "disableResilienceDefaults", json_true());
    if (cae)
        json_object_set_new(s, "continuousAccessEvaluation",
                            json_pack("{s:s}", "mode", str(cae, "mode")));
    if (ssis)
        json_object_set_new(s, "secureSignInSession", json_pack("{s:b}", "isEnabled", 1));
    r->session = s;
}

void whatif_combine(struct whatif_result *r)
{
    bool block = false, grant = false;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies || p->state != WHATIF_ENABLED)
            continue;
        block |= p->block;
        grant |= p->ncontrols > 0;
    }
    r->grant = block ? WHATIF_BLOCK : grant ? WHATIF_GRANT : WHATIF_ALLOW;
    r->op = WHATIF_AND;
    if (block)
        push(r, xstrdup("block"));
    else
        flatten(r);
    combine_session(r);
}

/* ---------------------------------------------------------------------------------------- */
/* What a client can satisfy                                                                */

/* Why the sign-in's client cannot satisfy control `c`, or NULL when it can.
 * Legacy authentication (Exchange ActiveSync, other clients) cannot perform MFA nor present a
 * device or app state, so no grant control can be met: "Block legacy authentication with
 * Conditional Access"
 * (https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication)
 * and "Conditional Access: Conditions", Client apps
 * (https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions).
 * Device code flow signs in on a second device, which presents no device state to satisfy a
 * device control ("Authentication flows in Conditional Access",
 * https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows). */
static const char *client_cannot(const struct whatif_signin *s, const char *c)
{
    const char *ca = s->client_app;
    if (whatif_eq(ca, "exchangeActiveSync") || whatif_eq(ca, "easSupported") ||
        whatif_eq(ca, "other"))
        return "legacy authentication clients cannot perform MFA or present a device";
    if (whatif_eq(s->auth_flow, "deviceCodeFlow") &&
        (whatif_eq(c, "compliantDevice") || whatif_eq(c, "domainJoinedDevice") ||
         whatif_eq(c, "compliantApplication")))
        return "the device code flow presents no device or app state";
    return NULL;
}

void whatif_client_limits(struct whatif_result *r, const struct whatif_signin *s)
{
    if (r->grant != WHATIF_GRANT)
        return;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies || p->state != WHATIF_ENABLED || p->ncontrols == 0)
            continue;
        const char *why = NULL;
        size_t cannot = 0;
        for (size_t k = 0; k < p->ncontrols; k++) {
            const char *w = client_cannot(s, p->controls[k].text);
            if (w) {
                why = w;
                cannot++;
            }
        }
        if (!why || (p->op == WHATIF_OR && cannot < p->ncontrols))
            continue;
        r->grant = WHATIF_BLOCK;
        r->unsatisfiable =
            xasprintf("%s, and policy \"%s\" requires %s%s", why, p->name,
                      p->op == WHATIF_OR && p->ncontrols > 1 ? "one of " : "", p->controls[0].text);
        for (size_t k = 0; k < r->ncontrols; k++)
            free(r->controls[k]);
        r->ncontrols = 0;
        r->op = WHATIF_AND;
        push(r, xstrdup("block"));
        return;
    }
}

void whatif_result_free(struct whatif_result *r)
{
    free(r->unsatisfiable);
    for (size_t i = 0; i < r->n; i++) {
        struct whatif_policy_result *p = &r->policies[i];
        if (p->platform)
            json_decref(whatif_mut(p->policy));
        for (size_t k = 0; k < p->ncontrols; k++) {
            free(p->controls[k].text);
            json_decref(p->controls[k].combinations);
        }
        free(p->controls);
    }
    free(r->policies);
    for (size_t i = 0; i < r->ncontrols; i++)
        free(r->controls[i]);
    free(r->controls);
    json_decref(r->session);
    memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------------------------------- */
/* Output                                                                                   */

const char *whatif_grant_name(enum whatif_grant g)
{
    return g == WHATIF_BLOCK ? "block" : g == WHATIF_GRANT ? "grant" : "allow";
}

json_t *whatif_result_to_json(const struct whatif_result *r)
{
    json_t *controls = json_array(), *applied = json_array(), *ro = json_array(),
           *na = json_array();
    for (size_t i = 0; i < r->ncontrols; i++)
        json_array_append_new(controls, json_string(r->controls[i]));
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies)
            json_array_append_new(na, json_pack("{s:s,s:s}", "policy", p->name, "reason",
                                                p->reason ? p->reason : "unknown"));
        else if (p->state == WHATIF_REPORT_ONLY)
            json_array_append_new(ro, json_string(p->name));
        else
            json_array_append_new(applied, json_string(p->name));
    }
    json_t *o =
        json_pack("{s:s,s:o,s:s,s:O,s:o,s:o,s:o}", "result", whatif_grant_name(r->grant),
                  "controls", controls, "operator", r->op == WHATIF_OR ? "OR" : "AND", "session",
                  r->session, "applied", applied, "reportOnly", ro, "notApplied", na);
    if (r->unsatisfiable)
        json_object_set_new(o, "unsatisfiable", json_string(r->unsatisfiable));
    return o;
}

static void print_requirement(FILE *f, const struct whatif_policy_result *p)
{
    if (p->block) {
        fputs("block", f);
        return;
    }
    if (p->ncontrols == 0) {
        fputs("no grant controls", f);
        return;
    }
    fputs(p->ncontrols == 1 ? "requires " : p->op == WHATIF_OR ? "one of " : "all of ", f);
    for (size_t k = 0; k < p->ncontrols; k++)
        fprintf(f, "%s%s", k ? ", " : "", p->controls[k].text);
}

static void print_session(FILE *f, const json_t *s)
{
    const char *k;
    const json_t *v;
    bool first = true;
    json_object_foreach(whatif_mut(s), k, v)
    {
        fprintf(f, "%s", first ? "  Session: " : "; ");
        first = false;
        if (strcmp(k, "signInFrequency") == 0) {
            const json_t *val = json_object_get(v, "value");
            if (val)
                fprintf(f, "sign-in frequency %lld %s", (long long)json_integer_value(val),
                        json_string_value(json_object_get(v, "type")));
            else
                fputs("sign-in frequency every time", f);
        } else if (strcmp(k, "persistentBrowser") == 0) {
            fprintf(f, "persistent browser %s", json_string_value(json_object_get(v, "mode")));
        } else if (strcmp(k, "cloudAppSecurity") == 0) {
            fprintf(f, "app control %s",
                    json_string_value(json_object_get(v, "cloudAppSecurityType")));
        } else if (strcmp(k, "continuousAccessEvaluation") == 0) {
            fprintf(f, "continuous access evaluation %s",
                    json_string_value(json_object_get(v, "mode")));
        } else {
            fputs(k, f);
        }
    }
    if (!first)
        fputc('\n', f);
}

void whatif_result_print(const struct whatif_result *r, FILE *f)
{
    fprintf(f, "Result: %s", whatif_grant_name(r->grant));
    if (r->unsatisfiable)
        fprintf(f, " (effectively: %s)", r->unsatisfiable);
    if (r->grant == WHATIF_GRANT) {
        fputs(r->op == WHATIF_OR ? " with one of: " : " after: ", f);
        for (size_t i = 0; i < r->ncontrols; i++)
            fprintf(f, "%s%s", i ? ", " : "", r->controls[i]);
    }
    fputc('\n', f);
    print_session(f, r->session);
    static const char *const heads[] = {"Applied", "Report-only (would apply)"};
    for (int pass = 0; pass < 2; pass++) {
        size_t cnt = 0;
        for (size_t i = 0; i < r->n; i++)
            cnt += r->policies[i].applies &&
                   (r->policies[i].state == WHATIF_REPORT_ONLY) == (pass == 1);
        fprintf(f, "%s (%zu):\n", heads[pass], cnt);
        for (size_t i = 0; i < r->n; i++) {
            const struct whatif_policy_result *p = &r->policies[i];
            if (!p->applies || (p->state == WHATIF_REPORT_ONLY) != (pass == 1))
                continue;
            fprintf(f, "  %s %s: ", pass ? "~" : "+", p->name);
            print_requirement(f, p);
            fputc('\n', f);
        }
    }
    size_t cnt = 0;
    for (size_t i = 0; i < r->n; i++)
        cnt += !r->policies[i].applies;
    fprintf(f, "Not applied (%zu):\n", cnt);
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies)
            fprintf(f, "  - %s: %s (%s)\n", p->name, p->reason ? p->reason : "unknown", p->detail);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Lockout guard                                                                            */

static const char *canonical_cap(const char *c)
{
    const struct catalog_entry *e = catalog_lookup(CAT_GRANT, c);
    if (!e)
        e = catalog_lookup(CAT_AUTH_MODE, c);
    if (!e)
        e = catalog_lookup_graph(CAT_GRANT, c);
    if (!e)
        e = catalog_lookup_graph(CAT_AUTH_MODE, c);
    return e ? e->graph : c;
}

static bool has_cap(const char *const *caps, const char *want)
{
    for (size_t i = 0; caps && caps[i]; i++)
        if (whatif_eq(canonical_cap(caps[i]), want) || whatif_eq(caps[i], want))
            return true;
    return false;
}

/* Is `want` among caps that are already given with their canonical spellings? */
static bool has_cap_canonical(const char *const *caps, const char *want)
{
    for (size_t i = 0; caps && caps[i]; i++)
        if (whatif_eq(caps[i], want))
            return true;
    return false;
}

/* Every method of the comma-joined combination is a capability (`canonical`: caps hold the
 * canonical spelling of each capability too, as has_cap would look it up). */
static bool combo_ok(const char *combo, const char *const *caps, bool canonical)
{
    if (!combo || !*combo)
        return false;
    char *dup = xstrdup(combo);
    bool ok = true;
    for (char *p = dup; p && ok;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        char *e = p + strlen(p);
        while (e > p && e[-1] == ' ')
            *--e = '\0';
        ok = *p && (canonical ? has_cap_canonical(caps, p) : has_cap(caps, p));
        p = comma ? comma + 1 : NULL;
    }
    free(dup);
    return ok;
}

static bool control_ok(const struct whatif_control *c, const char *const *caps)
{
    if (has_cap(caps, c->text))
        return true;
    if (strcmp(c->text, "mfa") == 0) {
        for (size_t i = 0; mfa_combos[i]; i++)
            if (combo_ok(mfa_combos[i], caps, false))
                return true;
        return false;
    }
    if (strncmp(c->text, "authenticationStrength:", 23) == 0) {
        if (c->mfa_strength && has_cap(caps, "mfa"))
            return true;
        size_t i;
        const json_t *v;
        json_array_foreach(c->combinations, i, v)
        {
            if (combo_ok(json_string_value(v), caps, false))
                return true;
        }
        return false;
    }
    if (strncmp(c->text, "termsOfUse:", 11) == 0)
        return has_cap(caps, "termsOfUse");
    return false;
}

static bool policy_ok(const struct whatif_policy_result *p, const char *const *caps)
{
    if (p->block)
        return false;
    if (p->ncontrols == 0)
        return true;
    for (size_t k = 0; k < p->ncontrols; k++) {
        bool ok = control_ok(&p->controls[k], caps);
        if (p->op == WHATIF_OR && ok)
            return true;
        if (p->op == WHATIF_AND && !ok)
            return false;
    }
    return p->op == WHATIF_AND;
}

const struct whatif_policy_result *whatif_first_unsatisfied(const struct whatif_result *r,
                                                            const char *const *capabilities)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (p->applies && p->state == WHATIF_ENABLED && !policy_ok(p, capabilities))
            return p;
    }
    return NULL;
}

bool whatif_can_satisfy(const struct whatif_result *r, const char *const *capabilities)
{
    return whatif_first_unsatisfied(r, capabilities) == NULL;
}
