/* replay.c — one sign-in record at a time: its what-if inputs (docs/replay.md "Inputs"), the
 * outcome under the tenant's policies and under the configuration's, the tallies of what changed,
 * and (verify) the comparison with Entra's own appliedConditionalAccessPolicies. Both evaluations
 * run on the compiled evaluator (whatif_compiled.h); memory is bounded by the tenant's size and
 * the number of distinct values seen, never by the number of sign-ins: the interned values are
 * dropped, and the evaluators rebuilt, past INTERN_MAX of them. */
#include "runtime/analysis/replay_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compiler/catalog.h"
#include "compiler/util.h"
#include "runtime/analysis/whatif_int.h"
#include "runtime/tenant/signins.h"

#define INTERN_MAX (1u << 16)

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---------------------------------------------------------------------------------------- */
/* Tallies                                                                                   */

void replay_tally_init(struct replay_tally *t, const char *key, const char *label, size_t users)
{
    memset(t, 0, sizeof(*t));
    t->key = xstrdup(key);
    t->label = xstrdup(label ? label : key);
    t->words = (users + 63) / 64;
    t->users = xcalloc(t->words + 1, sizeof(uint64_t));
}

void replay_tally_fini(struct replay_tally *t)
{
    free(t->key);
    free(t->label);
    free(t->users);
}

void replay_tally_add(struct replay_tally *t, size_t user)
{
    t->signins++;
    if (user / 64 >= t->words)
        return;
    uint64_t bit = 1ull << (user % 64);
    if (!(t->users[user / 64] & bit)) {
        t->users[user / 64] |= bit;
        t->nusers++;
    }
}

static struct replay_tally *tally_get(struct replay *r, struct replay_tally **v, size_t *n,
                                      struct strmap *ix, const char *key)
{
    size_t i;
    if (strmap_get(ix, key, &i))
        return &(*v)[i];
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    replay_tally_init(&(*v)[*n], key, NULL, r->dir.nusers);
    strmap_put(ix, key, *n);
    return &(*v)[(*n)++];
}

/* ---------------------------------------------------------------------------------------- */
/* Opening                                                                                   */

static void make_verify_inputs(struct replay *r)
{
    /* every policy that is not off, as if on: whether its conditions hold */
    whatif_inputs_init(&r->verify_in);
    json_array_extend(r->verify_in.locations, r->dir.cur.locations);
    json_array_extend(r->verify_in.strengths, r->dir.cur.strengths);
    size_t i;
    json_t *p;
    json_array_foreach(r->dir.cur.policies, i, p)
    {
        json_t *c = json_copy(p);
        if (whatif_policy_state(p) == WHATIF_REPORT_ONLY)
            json_object_set_new(c, "state", json_string("enabled"));
        json_array_append_new(r->verify_in.policies, c);
    }
}

/* Device properties matter only to device filters: without any, every sign-in gets "no device"
 * for the evaluator, and the memo holds one entry instead of one per device. */
static bool has_device_filter(const json_t *policies)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const json_t *f =
            whatif_jget(whatif_jget(whatif_jget(p, "conditions"), "devices"), "deviceFilter");
        if (json_string_value(whatif_jget(f, "rule")))
            return true;
    }
    return false;
}

static void compile_all(struct replay *r)
{
    r->c_cur = whatif_compile(&r->dir.cur);
    r->c_prop = whatif_compile(&r->prop);
    if (r->o.verify)
        r->c_ver = whatif_compile(&r->verify_in);
}

int replay_open(struct replay **out, const struct replay_options *o, char *err, size_t errlen)
{
    struct replay *r = xcalloc(1, sizeof(*r));
    r->o = *o;
    if (!r->o.examples)
        r->o.examples = 3;
    if (!r->o.top)
        r->o.top = 10;
    if (!r->o.max_disagree)
        r->o.max_disagree = 50;
    *out = r;
    strmap_init(&r->intern, false);
    strmap_init(&r->outcome_ix, false);
    strmap_init(&r->pair_why, false);
    strmap_init(&r->change_ix, false);
    strmap_init(&r->app_ix, true);
    r->devices = json_object();
    r->incomplete = json_object();
    r->disagreements = json_array();
    r->disagree_kinds = json_object();
    whatif_inputs_init(&r->prop);
    if (o->m)
        whatif_inputs_from_model(&r->prop, o->m);
    if (replay_dir_load(&r->dir, o->tenant, o->m, err, errlen) != 0)
        return -1;
    replay_tally_init(&r->all_users, "all", NULL, r->dir.nusers);
    replay_tally_init(&r->changed_users, "changed", NULL, r->dir.nusers);
    r->user_changed = xcalloc(r->dir.nusers + 1, sizeof(size_t));
    make_verify_inputs(r);
    r->device_filters =
        has_device_filter(r->dir.cur.policies) || has_device_filter(r->prop.policies);
    compile_all(r);
    return 0;
}

static void drop_sets(struct replay *r)
{
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < r->nsets[k]; i++) {
            free(r->sets[k][i].applied);
        }
        free(r->sets[k]);
        r->sets[k] = NULL;
        r->nsets[k] = 0;
    }
    strmap_fini(&r->pair_why);
    strmap_init(&r->pair_why, false);
    for (size_t i = 0; i < r->nwhy; i++)
        free(r->why_text[i]);
    free(r->why_text);
    r->why_text = NULL;
    r->nwhy = 0;
}

static void drop_interned(struct replay *r)
{
    whatif_compiled_free(r->c_cur);
    whatif_compiled_free(r->c_prop);
    whatif_compiled_free(r->c_ver);
    drop_sets(r);
    for (size_t i = 0; i < r->ninterned; i++)
        free(r->interned[i]);
    r->ninterned = 0;
    strmap_fini(&r->intern);
    strmap_init(&r->intern, false);
    json_object_clear(r->devices);
    r->ndevices = 0;
    compile_all(r);
}

void replay_free(struct replay *r)
{
    if (!r)
        return;
    whatif_compiled_free(r->c_cur);
    whatif_compiled_free(r->c_prop);
    whatif_compiled_free(r->c_ver);
    drop_sets(r);
    strmap_fini(&r->pair_why);
    for (size_t i = 0; i < r->ninterned; i++)
        free(r->interned[i]);
    free(r->interned);
    strmap_fini(&r->intern);
    json_decref(r->devices);
    for (size_t i = 0; i < r->noutcomes; i++)
        free(r->outcomes[i].label);
    free(r->outcomes);
    strmap_fini(&r->outcome_ix);
    if (r->all_users.key) {
        replay_tally_fini(&r->all_users);
        replay_tally_fini(&r->changed_users);
    }
    free(r->user_changed);
    for (size_t i = 0; i < r->nchanges; i++) {
        struct replay_change *c = &r->changes[i];
        replay_tally_fini(&c->t);
        strmap_fini(&c->why_seen);
        json_decref(c->why);
        json_decref(c->examples);
        for (size_t k = 0; k < c->napps; k++)
            replay_tally_fini(&c->by_app[k]);
        free(c->by_app);
        strmap_fini(&c->apps);
    }
    free(r->changes);
    strmap_fini(&r->change_ix);
    for (size_t i = 0; i < r->napps; i++)
        replay_tally_fini(&r->apps[i]);
    free(r->apps);
    strmap_fini(&r->app_ix);
    json_decref(r->incomplete);
    json_decref(r->disagreements);
    json_decref(r->disagree_kinds);
    whatif_inputs_fini(&r->prop);
    whatif_inputs_fini(&r->verify_in);
    replay_dir_fini(&r->dir);
    free(r);
}

/* ---------------------------------------------------------------------------------------- */
/* Inputs from a record                                                                      */

static const char *intern(struct replay *r, const char *s)
{
    if (!s)
        return NULL;
    size_t i;
    if (strmap_get(&r->intern, s, &i))
        return r->interned[i];
    if (r->ninterned == r->capinterned) {
        r->capinterned = r->capinterned ? r->capinterned * 2 : 1024;
        r->interned = xrealloc(r->interned, r->capinterned * sizeof(char *));
    }
    r->interned[r->ninterned] = xstrdup(s);
    strmap_put(&r->intern, s, r->ninterned);
    return r->interned[r->ninterned++];
}

/* deviceDetail.operatingSystem ("Windows 10", "Ios", "MacOs", "Android 14") -> platform. The
 * values Entra writes are free text; docs/replay.md lists the mapping. */
static const char *platform_of(const char *os)
{
    if (!os || !*os)
        return NULL;
    static const struct {
        const char *prefix, *platform;
    } map[] = {
        {"windows phone", "windowsPhone"},
        {"windowsphone", "windowsPhone"},
        {"windows", "windows"},
        {"ios", "iOS"},
        {"ipad", "iOS"},
        {"iphone", "iOS"},
        {"android", "android"},
        {"macos", "macOS"},
        {"mac os", "macOS"},
        {"osx", "macOS"},
        {"linux", "linux"},
        {"ubuntu", "linux"},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(map); i++)
        if (strncasecmp(os, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].platform;
    return NULL;
}

/* clientAppUsed -> the policy's client app type ("Conditional Access: Conditions", Client apps:
 * everything that is neither a browser, nor modern mobile/desktop, nor Exchange ActiveSync is an
 * "other client"). */
static const char *client_of(const char *used)
{
    if (!used || !*used)
        return NULL;
    if (strcasecmp(used, "Browser") == 0)
        return "browser";
    if (strncasecmp(used, "Mobile Apps and Desktop", 23) == 0)
        return "mobileAppsAndDesktopClients";
    if (strcasecmp(used, "Exchange ActiveSync") == 0)
        return "exchangeActiveSync";
    return "other";
}

static const char *risk_of(const char *level)
{
    static const char *const levels[] = {"low", "medium", "high", "hidden", "none"};
    for (size_t i = 0; level && i < IDPC_ARRAY_LEN(levels); i++)
        if (strcasecmp(level, levels[i]) == 0)
            return levels[i];
    return NULL;
}

static bool has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (; *s; s++)
        if (strncasecmp(s, w, n) == 0)
            return true;
    return false;
}

/* trustType as the sign-in log spells it -> as device filters spell it. */
static const char *trust_of(const char *t)
{
    if (!t || !*t)
        return NULL;
    if (has_word(t, "hybrid") || strcasecmp(t, "ServerAD") == 0)
        return "ServerAD";
    if (has_word(t, "registered") || strcasecmp(t, "Workplace") == 0)
        return "Workplace";
    if (has_word(t, "joined") || strcasecmp(t, "AzureAD") == 0)
        return "AzureAD";
    return t;
}

/* A registered device's properties for device filters (interned by value), NULL for none. */
static const json_t *device_of(struct replay *r, const json_t *dd)
{
    const char *id = jstr(dd, "deviceId");
    if (!id || !*id)
        return NULL;
    const char *name = jstr(dd, "displayName"), *os = jstr(dd, "operatingSystem");
    const char *trust = trust_of(jstr(dd, "trustType"));
    const json_t *comp = json_object_get(dd, "isCompliant");
    char key[600];
    snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s\x1f%c", id, name ? name : "\x01",
             os ? os : "\x01", trust ? trust : "\x01",
             json_is_true(comp)    ? 't'
             : json_is_false(comp) ? 'f'
                                   : '-');
    json_t *seen = json_object_get(r->devices, key);
    if (seen)
        return seen;
    json_t *p = json_object();
    json_object_set_new(p, "deviceId", json_string(id));
    if (name)
        json_object_set_new(p, "displayName", json_string(name));
    if (os)
        json_object_set_new(p, "operatingSystem", json_string(os));
    if (json_is_boolean(comp))
        json_object_set_new(p, "isCompliant", json_boolean(json_is_true(comp)));
    if (trust)
        json_object_set_new(p, "trustType", json_string(trust));
    json_object_set_new(r->devices, key, p);
    r->ndevices++;
    return p;
}

static void IDPC_PRINTF(3, 4) errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* What the record lacks: counted, with the first few examples. */
static void incomplete(struct replay *r, const char *reason, bool evaluated, const json_t *rec,
                       const char *where)
{
    json_t *e = json_object_get(r->incomplete, reason);
    if (!e) {
        e = json_pack("{s:I,s:b,s:[]}", "count", (json_int_t)0, "evaluated", evaluated, "examples");
        json_object_set_new(r->incomplete, reason, e);
    }
    json_object_set_new(e, "count",
                        json_integer(json_integer_value(json_object_get(e, "count")) + 1));
    json_t *ex = json_object_get(e, "examples");
    if (json_array_size(ex) < r->o.examples)
        json_array_append_new(ex, json_pack("{s:s?,s:s?,s:s}", "id", jstr(rec, "id"), "user",
                                            jstr(rec, "userPrincipalName"), "at", where));
}

struct derived {
    struct whatif_signin cur, prop;
    const struct replay_user *u;
    const char *app_label;
    bool no_device, no_location, no_platform;
};

/* -1: not a sign-in (err); 0: derived; 1: cannot be evaluated (counted as incomplete). */
static int derive(struct replay *r, const json_t *rec, const char *where, struct derived *d,
                  char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    static const char *const strings[] = {
        "id",        "userId",        "userPrincipalName",     "appId",           "resourceId",
        "ipAddress", "clientAppUsed", "riskLevelDuringSignIn", "createdDateTime", "appDisplayName",
        "userType"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(strings); i++) {
        const json_t *v = json_object_get(rec, strings[i]);
        if (v && !json_is_null(v) && !json_is_string(v)) {
            errf(err, errlen, "%s: sign-in \"%s\" must be a string", where, strings[i]);
            return -1;
        }
    }
    static const char *const objects[] = {"deviceDetail", "location", "status"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(objects); i++) {
        const json_t *v = json_object_get(rec, objects[i]);
        if (v && !json_is_null(v) && !json_is_object(v)) {
            errf(err, errlen, "%s: sign-in \"%s\" must be an object", where, objects[i]);
            return -1;
        }
    }
    const json_t *applied = json_object_get(rec, "appliedConditionalAccessPolicies");
    if (applied && !json_is_null(applied) && !json_is_array(applied)) {
        errf(err, errlen, "%s: sign-in \"appliedConditionalAccessPolicies\" must be a list", where);
        return -1;
    }
    const char *uid = jstr(rec, "userId"), *upn = jstr(rec, "userPrincipalName");
    const char *sp = jstr(rec, "servicePrincipalId");
    if ((!uid || !*uid) && sp && *sp) {
        incomplete(r, "service principal", false, rec, where);
        return 1;
    }
    d->u = replay_dir_user(&r->dir, uid && *uid ? uid : NULL, upn && *upn ? upn : NULL);
    if (!d->u) {
        incomplete(r, "unknown user", false, rec, where);
        return 1;
    }
    const char *res = jstr(rec, "resourceId"), *app = jstr(rec, "appId");
    /* Conditional Access targets the resource; sign-ins to the admin portals name the portal
     * as the app and an API (Azure Service Management, Graph) as the resource, and Entra
     * evaluates "Microsoft Admin Portals" on the portal (docs/replay.md "Inputs"). */
    const char *target = res && *res ? res : app && *app ? app : NULL;
    if (app && whatif_app_in_group(app, "MicrosoftAdminPortals"))
        target = app;
    if (!target) {
        incomplete(r, "no application", false, rec, where);
        return 1;
    }
    struct whatif_signin *s = &d->cur;
    s->user = d->u->upn;
    s->user_id = d->u->id;
    s->roles = d->u->roles;
    const char *type = jstr(rec, "userType");
    if (d->u->guest || (type && strcasecmp(type, "guest") == 0))
        s->guest_type = "b2bCollaborationGuest";
    s->app = intern(r, target);
    const json_t *dd = json_object_get(rec, "deviceDetail");
    s->platform = platform_of(jstr(dd, "operatingSystem"));
    s->device = r->device_filters ? device_of(r, dd) : NULL;
    d->no_device = !json_is_object(dd);
    d->no_platform = !s->platform;
    s->client_app = client_of(jstr(rec, "clientAppUsed"));
    if (!s->client_app)
        s->client_app = WHATIF_DEFAULT_CLIENT;
    const char *ip = jstr(rec, "ipAddress");
    s->ip = ip && *ip ? intern(r, ip) : NULL;
    const json_t *loc = json_object_get(rec, "location");
    const char *cc = jstr(loc, "countryOrRegion");
    if (cc && *cc && catalog_country_by_code(cc))
        s->country = intern(r, cc);
    d->no_location = !s->ip && !s->country;
    s->sign_in_risk = risk_of(jstr(rec, "riskLevelDuringSignIn"));
    if (s->sign_in_risk && strcmp(s->sign_in_risk, "none") == 0)
        s->sign_in_risk = NULL;
    s->user_risk = risk_of(jstr(rec, "userRiskLevel")); /* not in v1.0 records; accepted */
    if (s->user_risk && strcmp(s->user_risk, "none") == 0)
        s->user_risk = NULL;
    d->prop = *s;
    s->member_of = d->u->member_cur;
    d->prop.member_of = d->u->member_prop;
    const char *an = jstr(rec, "resourceDisplayName");
    if (target != res || !an || !*an)
        an = jstr(rec, "appDisplayName");
    d->app_label = an && *an ? an : target;
    if (d->no_device)
        incomplete(r, "no device detail", true, rec, where);
    else if (d->no_platform)
        incomplete(r, "unknown platform", true, rec, where);
    if (d->no_location)
        incomplete(r, "no location", true, rec, where);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Outcomes                                                                                  */

static size_t outcome_index(struct replay *r, const char *label, int rank)
{
    size_t i;
    if (strmap_get(&r->outcome_ix, label, &i))
        return i;
    r->outcomes = xrealloc(r->outcomes, (r->noutcomes + 1) * sizeof(*r->outcomes));
    r->outcomes[r->noutcomes].label = xstrdup(label);
    r->outcomes[r->noutcomes].rank = rank;
    strmap_put(&r->outcome_ix, label, r->noutcomes);
    return r->noutcomes++;
}

static const char *control_word(const char *c)
{
    static const struct {
        const char *graph, *word;
    } w[] = {
        {"mfa", "MFA"},
        {"compliantDevice", "compliant device"},
        {"domainJoinedDevice", "hybrid-joined device"},
        {"approvedApplication", "approved app"},
        {"compliantApplication", "app protection"},
        {"passwordChange", "password change"},
        {"riskRemediation", "risk remediation"},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(w); i++)
        if (strcmp(c, w[i].graph) == 0)
            return w[i].word;
    return c;
}

/* "blocked", "allowed", "MFA", "strength Phishing-resistant MFA + compliant device", ... */
static size_t outcome_of(struct replay *r, const struct whatif_result *res)
{
    if (res->grant == WHATIF_BLOCK)
        return outcome_index(r, "blocked", 5);
    if (res->grant == WHATIF_ALLOW || res->ncontrols == 0)
        return outcome_index(r, "allowed", 0);
    struct strbuf sb = STRBUF_INIT;
    int rank = 1;
    for (size_t i = 0; i < res->ncontrols; i++) {
        if (i)
            strbuf_adds(&sb, res->op == WHATIF_OR ? " or " : " + ");
        const char *c = res->controls[i];
        /* "a|b" entries: one of them */
        for (const char *p = c; *p;) {
            size_t n = strcspn(p, "|");
            char *one = xstrndup(p, n);
            if (p != c)
                strbuf_adds(&sb, " or ");
            if (strncmp(one, "authenticationStrength:", 23) == 0) {
                strbuf_addf(&sb, "strength '%s'", one + 23);
                if (rank < 4)
                    rank = strstr(one, "Multifactor authentication") ? 3 : 4;
            } else {
                strbuf_adds(&sb, control_word(one));
                if (strcmp(one, "mfa") == 0 && rank < 3)
                    rank = 3;
                if ((strcmp(one, "compliantDevice") == 0 ||
                     strcmp(one, "domainJoinedDevice") == 0) &&
                    rank < 2)
                    rank = 2;
            }
            free(one);
            p += n + (p[n] == '|');
        }
    }
    if (res->op == WHATIF_OR && res->ncontrols > 1)
        rank = rank > 2 ? 2 : rank; /* one of several: the weakest decides */
    size_t ix = outcome_index(r, strbuf_str(&sb), rank);
    strbuf_fini(&sb);
    return ix;
}

static struct replay_set *set_info(struct replay *r, int which, struct whatif_compiled *c,
                                   size_t set)
{
    if (set >= r->nsets[which]) {
        size_t n = set + 1;
        r->sets[which] = xrealloc(r->sets[which], n * sizeof(struct replay_set));
        for (size_t i = r->nsets[which]; i < n; i++) {
            r->sets[which][i].outcome = -1;
            r->sets[which][i].applied = NULL;
        }
        r->nsets[which] = n;
    }
    struct replay_set *si = &r->sets[which][set];
    if (si->outcome < 0) {
        struct whatif_result res;
        whatif_compiled_result(c, set, &res);
        si->outcome = (long)outcome_of(r, &res);
        size_t np = whatif_compiled_policies(c);
        si->applied = xcalloc(np / 64 + 1, sizeof(uint64_t));
        for (size_t i = 0; i < res.n && i < np; i++)
            if (res.policies[i].applies && res.policies[i].state == WHATIF_ENABLED)
                si->applied[i / 64] |= 1ull << (i % 64);
        whatif_result_free(&res);
    }
    return si;
}

/* The display names of the policies of `policies` whose bit is set. */
static const char *const *names_of(const json_t *policies, const uint64_t *bits, const char **v)
{
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(policies); i++)
        if ((bits[i / 64] >> (i % 64)) & 1) {
            const char *n = jstr(json_array_get(policies, i), "displayName");
            v[k++] = n ? n : "(unnamed)";
        }
    v[k] = NULL;
    return v;
}

static bool in_names(const char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (util_streq_nocase(v[i], s))
            return true;
    return false;
}

/* "+ CA009: ... " (applies under the proposed policies only) / "- Legacy ..." (under the current
 * ones only), per pair of sets. */
static const char *why(struct replay *r, size_t a, size_t b, struct replay_set *sa,
                       struct replay_set *sb)
{
    char key[64];
    snprintf(key, sizeof(key), "%zu,%zu", a, b);
    size_t i;
    if (strmap_get(&r->pair_why, key, &i))
        return r->why_text[i];
    const char **va = xcalloc(json_array_size(r->dir.cur.policies) + 1, sizeof(char *));
    const char **vb = xcalloc(json_array_size(r->prop.policies) + 1, sizeof(char *));
    const char *const *na = names_of(r->dir.cur.policies, sa->applied, va);
    const char *const *nb = names_of(r->prop.policies, sb->applied, vb);
    struct strbuf s = STRBUF_INIT;
    for (size_t k = 0; nb[k]; k++)
        if (!in_names(na, nb[k]))
            strbuf_addf(&s, "%s+ %s", s.len ? "; " : "", nb[k]);
    for (size_t k = 0; na[k]; k++)
        if (!in_names(nb, na[k]))
            strbuf_addf(&s, "%s- %s", s.len ? "; " : "", na[k]);
    free(va);
    free(vb);
    if (!s.len)
        strbuf_adds(&s, "the same policies apply; their controls changed");
    r->why_text = xrealloc(r->why_text, (r->nwhy + 1) * sizeof(char *));
    r->why_text[r->nwhy] = strbuf_detach(&s);
    strmap_put(&r->pair_why, key, r->nwhy);
    return r->why_text[r->nwhy++];
}

static const char *change_kind(int from, int to, bool to_blocked, bool from_blocked, int *sev)
{
    if (to_blocked && !from_blocked) {
        *sev = 0;
        return "newly blocked";
    }
    if (from >= 3 && to < 3) {
        *sev = 1;
        return "newly allowed without MFA";
    }
    if (to < from) {
        *sev = 2;
        return "weaker";
    }
    if (to > from) {
        *sev = 3;
        return "stronger";
    }
    *sev = 4;
    return "different controls";
}

static json_t *example(const json_t *rec, const struct derived *d, const char *where)
{
    return json_pack("{s:s?,s:s?,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s}", "id", jstr(rec, "id"),
                     "createdDateTime", jstr(rec, "createdDateTime"), "user", d->u->upn, "app",
                     d->app_label, "platform", d->cur.platform, "client", d->cur.client_app,
                     "country", d->cur.country, "ip", d->cur.ip, "at", where);
}

static void record_change(struct replay *r, const json_t *rec, const struct derived *d, size_t from,
                          size_t to, const char *because, const char *where)
{
    char key[64];
    snprintf(key, sizeof(key), "%zu>%zu", from, to);
    size_t i;
    struct replay_change *c;
    if (strmap_get(&r->change_ix, key, &i)) {
        c = &r->changes[i];
    } else {
        r->changes = xrealloc(r->changes, (r->nchanges + 1) * sizeof(*r->changes));
        c = &r->changes[r->nchanges];
        memset(c, 0, sizeof(*c));
        char *label = xasprintf("%s → %s", r->outcomes[from].label, r->outcomes[to].label);
        replay_tally_init(&c->t, key, label, r->dir.nusers);
        free(label);
        c->from = from;
        c->to = to;
        c->kind = change_kind(r->outcomes[from].rank, r->outcomes[to].rank,
                              r->outcomes[to].rank == 5, r->outcomes[from].rank == 5, &c->severity);
        strmap_init(&c->why_seen, false);
        strmap_init(&c->apps, true);
        c->why = json_array();
        c->examples = json_array();
        strmap_put(&r->change_ix, key, r->nchanges++);
    }
    size_t ui = (size_t)(d->u - r->dir.users);
    replay_tally_add(&c->t, ui);
    replay_tally_add(tally_get(r, &c->by_app, &c->napps, &c->apps, d->app_label), ui);
    if (strmap_put(&c->why_seen, because, 1) && json_array_size(c->why) < 8)
        json_array_append_new(c->why, json_string(because));
    if (json_array_size(c->examples) < r->o.examples) {
        json_t *ex = example(rec, d, where);
        json_object_set_new(ex, "because", json_string(because));
        json_array_append_new(c->examples, ex);
    }
    replay_tally_add(tally_get(r, &r->apps, &r->napps, &r->app_ix, d->app_label), ui);
    replay_tally_add(&r->changed_users, ui);
    r->user_changed[ui]++;
}

/* ---------------------------------------------------------------------------------------- */
/* Verify: Entra's recorded result per policy                                                */

/* 1 applied, 0 not applied, -1 policy off, -2 unknown. */
static int entra_result(const char *res)
{
    if (!res)
        return -2;
    if (!strcasecmp(res, "success") || !strcasecmp(res, "failure") ||
        !strcasecmp(res, "reportOnlySuccess") || !strcasecmp(res, "reportOnlyFailure") ||
        !strcasecmp(res, "reportOnlyInterrupted"))
        return 1;
    if (!strcasecmp(res, "notApplied") || !strcasecmp(res, "reportOnlyNotApplied"))
        return 0;
    if (!strcasecmp(res, "notEnabled"))
        return -1;
    return -2;
}

/* Which input the record lacks for this policy's deciding condition, or NULL. */
static const char *missing_input(const json_t *policy, const char *reason, const struct derived *d)
{
    const json_t *cond = json_object_get(policy, "conditions");
    const json_t *devfilter = json_object_get(json_object_get(cond, "devices"), "deviceFilter");
    const char *rule = jstr(devfilter, "rule");
    if (rule) {
        static const char *const logged[] = {"device.deviceId", "device.displayName",
                                             "device.operatingSystem", "device.isCompliant",
                                             "device.trustType"};
        const char *p = rule;
        while ((p = strstr(p, "device.")) != NULL) {
            bool known = false;
            for (size_t i = 0; i < IDPC_ARRAY_LEN(logged); i++)
                if (strncmp(p, logged[i], strlen(logged[i])) == 0)
                    known = true;
            if (!known && (!reason || strcmp(reason, "device") == 0))
                return "device properties the sign-in log does not record (device filter)";
            p += 7;
        }
    }
    if (json_array_size(json_object_get(cond, "userRiskLevels")) &&
        (!reason || strcmp(reason, "userRisk") == 0) && !d->cur.user_risk)
        return "user risk (not in v1.0 sign-in records)";
    if (json_object_get(cond, "insiderRiskLevels") &&
        !json_is_null(json_object_get(cond, "insiderRiskLevels")) &&
        (!reason || strcmp(reason, "insiderRisk") == 0))
        return "insider risk (not in sign-in records)";
    if (reason && strcmp(reason, "platform") == 0 && d->no_platform)
        return "device platform (no operatingSystem in deviceDetail)";
    if (reason && strcmp(reason, "device") == 0 && d->no_device)
        return "device detail";
    if (reason && strcmp(reason, "location") == 0 && d->no_location)
        return "IP address and country";
    if (json_object_get(json_object_get(cond, "applications"), "applicationFilter") &&
        !json_is_null(
            json_object_get(json_object_get(cond, "applications"), "applicationFilter")) &&
        (!reason || strcmp(reason, "application") == 0))
        return "the app's custom security attributes (application filter)";
    return NULL;
}

static void verify(struct replay *r, const json_t *rec, const struct derived *d, long set,
                   const char *where)
{
    const json_t *applied = json_object_get(rec, "appliedConditionalAccessPolicies");
    if (!json_array_size(applied))
        return;
    struct whatif_result res;
    whatif_compiled_result(r->c_ver, (size_t)set, &res);
    struct whatif_result full;
    bool have_full = false;
    bool all_agree = true, any = false;
    size_t i;
    const json_t *a;
    json_array_foreach(applied, i, a)
    {
        const char *pid = jstr(a, "id");
        int want = entra_result(jstr(a, "result"));
        if (want == -2)
            continue;
        size_t k = 0;
        for (; k < json_array_size(r->dir.cur.policies); k++)
            if (pid && util_streq_nocase(jstr(json_array_get(r->dir.cur.policies, k), "id"), pid))
                break;
        if (k == json_array_size(r->dir.cur.policies)) {
            r->v_unknown_policy++;
            continue;
        }
        const json_t *policy = json_array_get(r->dir.cur.policies, k);
        enum whatif_state st = whatif_policy_state(policy);
        int got = st == WHATIF_DISABLED ? -1 : res.policies[k].applies ? 1 : 0;
        any = true;
        r->v_compared++;
        if (got == want) {
            r->v_agree++;
            continue;
        }
        all_agree = false;
        r->ndisagree++;
        const char *reason = NULL, *detail = NULL;
        if (got == 0) {
            if (!have_full) {
                char e[200];
                have_full = whatif_evaluate(&r->verify_in, &d->cur, &full, e, sizeof(e)) == 0;
            }
            if (have_full) {
                reason = full.policies[k].reason;
                detail = full.policies[k].detail;
            }
        }
        const char *missing = missing_input(policy, reason, d);
        const char *kind = missing ? "missing-input" : "evaluator";
        json_t *n = json_object_get(r->disagree_kinds, kind);
        json_object_set_new(r->disagree_kinds, kind,
                            json_integer((n ? json_integer_value(n) : 0) + 1));
        if (json_array_size(r->disagreements) >= r->o.max_disagree)
            continue;
        static const char *const names[] = {"off", "not applied", "applied"};
        json_t *j = example(rec, d, where);
        json_object_set_new(j, "policy", json_string(jstr(policy, "displayName")));
        json_object_set_new(j, "entra", json_string(jstr(a, "result")));
        json_object_set_new(j, "idpc", json_string(names[got + 1]));
        json_object_set_new(j, "kind", json_string(kind));
        if (missing)
            json_object_set_new(j, "missing", json_string(missing));
        if (reason)
            json_object_set_new(j, "reason", json_string(reason));
        if (detail && *detail)
            json_object_set_new(j, "detail", json_string(detail));
        size_t ng = 0;
        while (d->cur.member_of && d->cur.member_of[ng])
            ng++;
        json_object_set_new(j, "memberOf", json_integer((json_int_t)ng));
        json_object_set_new(j, "signInRisk",
                            json_string(d->cur.sign_in_risk ? d->cur.sign_in_risk : "none"));
        json_array_append_new(r->disagreements, j);
    }
    if (have_full)
        whatif_result_free(&full);
    whatif_result_free(&res);
    if (any) {
        r->v_signins++;
        if (all_agree)
            r->v_agree_signins++;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* One record                                                                                */

static int add_at(struct replay *r, const json_t *rec, const char *where, char *err, size_t errlen)
{
    if (!json_is_object(rec)) {
        errf(err, errlen, "%s: a sign-in must be a JSON object", where);
        return -1;
    }
    if (r->ninterned + r->ndevices + r->nsets[0] + r->nsets[1] > INTERN_MAX)
        drop_interned(r);
    r->signins++;
    struct derived d;
    int rc = derive(r, rec, where, &d, err, errlen);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 0;
    replay_tally_add(&r->all_users, (size_t)(d.u - r->dir.users));
    char e[300];
    long a = whatif_compiled_eval(r->c_cur, &d.cur, e, sizeof(e));
    long b = a < 0 ? -1 : whatif_compiled_eval(r->c_prop, &d.prop, e, sizeof(e));
    if (a < 0 || b < 0) {
        incomplete(r, "inputs the evaluator refused", false, rec, where);
        return 0;
    }
    r->evaluated++;
    struct replay_set *sa = set_info(r, 0, r->c_cur, (size_t)a);
    struct replay_set *sb = set_info(r, 1, r->c_prop, (size_t)b);
    if (sa->outcome != sb->outcome) {
        r->changed++;
        record_change(r, rec, &d, (size_t)sa->outcome, (size_t)sb->outcome,
                      why(r, (size_t)a, (size_t)b, sa, sb), where);
    }
    if (r->o.verify) {
        long v = whatif_compiled_eval(r->c_ver, &d.cur, e, sizeof(e));
        if (v >= 0)
            verify(r, rec, &d, v, where);
    }
    return 0;
}

int replay_add(struct replay *r, const json_t *rec, const char *file, unsigned long line,
               unsigned long col, char *err, size_t errlen)
{
    char where[512];
    snprintf(where, sizeof(where), "%s:%lu:%lu", file, line, col);
    return add_at(r, rec, where, err, errlen);
}

size_t replay_signins(const struct replay *r)
{
    return r->signins;
}

size_t replay_changed(const struct replay *r)
{
    return r->changed;
}

size_t replay_disagreements(const struct replay *r)
{
    return r->ndisagree;
}

/* ---------------------------------------------------------------------------------------- */
/* Sources                                                                                   */

struct file_ctx {
    struct replay *r;
    const char *name;
    char *err;
    size_t errlen;
};

static int on_record(const json_t *rec, unsigned long line, unsigned long col, void *ctx)
{
    struct file_ctx *fc = ctx;
    return replay_add(fc->r, rec, fc->name, line, col, fc->err, fc->errlen);
}

int replay_read_file(struct replay *r, const char *path, char *err, size_t errlen)
{
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f) {
        errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct file_ctx fc = {r, in ? "<stdin>" : path, err, errlen};
    int rc = replay_stream(f, fc.name, on_record, &fc, err, errlen);
    if (!in)
        fclose(f);
    return rc;
}

struct tenant_ctx {
    struct replay *r;
    char *err;
    size_t errlen;
};

static int on_tenant_record(const json_t *rec, const char *where, void *ctx)
{
    struct tenant_ctx *tc = ctx;
    return add_at(tc->r, rec, where, tc->err, tc->errlen);
}

int replay_read_tenant(struct replay *r, const char *since, char *err, size_t errlen)
{
    struct backend *b = NULL;
    struct backend_error e;
    if (backend_open(r->o.tenant, &b, &e) != 0) {
        errf(err, errlen, "cannot open tenant: %s", e.message);
        return -1;
    }
    struct tenant_ctx tc = {r, err, errlen};
    memset(&e, 0, sizeof(e));
    int rc = signins_scan(b, since, on_tenant_record, &tc, &e);
    if (rc < 0 && e.message[0])
        errf(err, errlen, "cannot read the sign-in log: %s", e.message);
    backend_close(b);
    return rc ? -1 : 0;
}

int replay_since(const char *arg, char *out, size_t outlen, char *err, size_t errlen)
{
    size_t n = strlen(arg);
    long v;
    if (n >= 2 && strchr("dhm", arg[n - 1])) {
        char *num = xstrndup(arg, n - 1);
        bool ok = util_parse_long(num, 1, 3650L * 24 * 60, &v);
        free(num);
        if (!ok) {
            errf(err, errlen, "--since takes an age (7d, 12h, 30m) or a date, not '%s'", arg);
            return -1;
        }
        long secs = v * (arg[n - 1] == 'd' ? 86400 : arg[n - 1] == 'h' ? 3600 : 60);
        time_t t = time(NULL) - secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return 0;
    }
    /* a date, or a date and time in UTC */
    int y, mo, d, h = 0, mi = 0, se = 0, used = 0;
    bool ok = sscanf(arg, "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 && used == 10;
    if (ok && arg[used] == 'T') {
        int more = 0;
        ok = sscanf(arg + used, "T%2d:%2d:%2d%n", &h, &mi, &se, &more) == 3 && more == 9;
        used += more;
        if (ok && arg[used] == 'Z')
            used++;
    }
    if (!ok || arg[used] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        errf(err, errlen, "--since takes an age (7d, 12h, 30m) or a date, not '%s'", arg);
        return -1;
    }
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, se);
    return 0;
}
