/* lockout.c — the lockout guard (lockout.h, docs/lockout.md): the tenant before and after a
 * plan, the sign-ins of emergency-access identities and Global Administrators evaluated on both
 * with the what-if engine, and the risks the plan introduces. */
#include "runtime/analysis/lockout.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "compiler/catalog.h"
#include "compiler/rule.h"
#include "compiler/strmap.h"
#include "compiler/util.h"
#include "runtime/analysis/coverage.h"
#include "runtime/analysis/lockout_methods.h"
#include "runtime/analysis/whatif_int.h"

#define P_POLICIES  "identity/conditionalAccess/policies"
#define P_LOCATIONS "identity/conditionalAccess/namedLocations"
#define P_STRENGTHS "policies/authenticationStrengthPolicies"
#define P_ASSIGN    "roleManagement/directory/roleAssignments"
#define P_ELIG_REQ  "roleManagement/directory/roleEligibilityScheduleRequests"
#define P_ACT_REQ   "roleManagement/directory/roleAssignmentScheduleRequests"
#define OTHER_APP   "00000000-0000-4000-8000-0000000000a1"

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool eq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static bool arr_has(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(arr), i, v)
    {
        if (eq(json_string_value(v), s))
            return true;
    }
    return false;
}

static void add_unique(json_t *arr, const char *s)
{
    if (s && !arr_has(arr, s))
        json_array_append_new(arr, json_string(s));
}

/* A NULL-terminated view of a string array (the strings borrow from it). */
static const char **str_list(const json_t *arr)
{
    size_t n = json_array_size(arr);
    const char **v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(arr, i));
    return v;
}

/* ---------------------------------------------------------------------------------------- */
/* Scenarios                                                                                */

static const struct {
    const char *app, *label;
} base_apps[] = {
    {"00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"},
    {"MicrosoftAdminPortals", "Microsoft Admin Portals"},
    {"797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"},
    {OTHER_APP, "any other application"},
};

static const char *const all_platforms[] = {"windows", "macOS",        "iOS", "android",
                                            "linux",   "windowsPhone", NULL /* unknown */};
static const char *const all_clients[] = {"browser", "mobileAppsAndDesktopClients",
                                          "exchangeActiveSync", "other"};
static const char *const risk_levels[] = {"low", "medium", "high"};
/* Insider risk levels (Graph insiderRiskLevels, a flags string), varied like the other risks:
 * "Conditional Access: Conditions", Insider risk,
 * https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions */
static const char *const insider_levels[] = {"minor", "moderate", "elevated"};
static const char *const flows[] = {NULL, "deviceCodeFlow", "authenticationTransfer"};

static void push(struct lockout_scenarios *s, const struct lockout_scenario *sc)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = *sc;
}

void lockout_scenarios_fini(struct lockout_scenarios *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static const json_t *cond(const json_t *p, const char *k)
{
    return json_object_get(json_object_get(p, "conditions"), k);
}

static bool nonempty(const json_t *arr)
{
    return json_array_size(arr) > 0;
}

/* The values of each dimension worth evaluating: those some policy names, plus one it does not
 * name (every unnamed value behaves alike), in the order of the arrays above. */
struct dims {
    bool apps, locations, flows;
    const char *platforms[IDPC_ARRAY_LEN(all_platforms)];
    size_t np;
    const char *clients[IDPC_ARRAY_LEN(all_clients)];
    size_t nc;
    const char *sign_in[IDPC_ARRAY_LEN(risk_levels) + 1], *user[IDPC_ARRAY_LEN(risk_levels) + 1];
    size_t nsi, nur;
    const char *insider[IDPC_ARRAY_LEN(insider_levels) + 1];
    size_t nir;
    json_t *named_apps; /* [{"app", "label"}] */
    json_t *seen;       /* {"platform:windows": true, "client:other": true, "signIn:high": ...} */
};

static bool is_group_target(const char *k)
{
    return eq(k, "All") || eq(k, "None") || eq(k, "Office365") || eq(k, "MicrosoftAdminPortals");
}

static void note_apps(struct dims *d, const json_t *list)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        const char *k = json_string_value(v);
        if (!k || is_group_target(k))
            continue;
        bool known = false;
        for (size_t b = 0; b < IDPC_ARRAY_LEN(base_apps); b++)
            known |= eq(base_apps[b].app, k);
        size_t j;
        json_t *e;
        json_array_foreach(d->named_apps, j, e)
        {
            known |= eq(jstr(e, "app"), k);
        }
        if (known)
            continue;
        const struct catalog_app *ca = catalog_is_guid(k) ? catalog_app_by_id(k) : NULL;
        json_array_append_new(d->named_apps,
                              json_pack("{s:s,s:s}", "app", k, "label", ca ? ca->name : k));
    }
}

static void note_values(struct dims *d, const char *dim, const json_t *list)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        if (eq(s, "easSupported"))
            s = "exchangeActiveSync";
        char *key = xasprintf("%s:%s", dim, s);
        for (char *p = key; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        json_object_set_new(d->seen, key, json_true());
        free(key);
    }
}

static bool seen(const struct dims *d, const char *dim, const char *value)
{
    char *key = xasprintf("%s:%s", dim, value);
    for (char *p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    bool r = json_object_get(d->seen, key) != NULL;
    free(key);
    return r;
}

/* The named values of `all` (n of them; a NULL entry is always kept), and the first unnamed. */
static size_t pick(const struct dims *d, const char *dim, const char *const *all, size_t n,
                   const char **out)
{
    size_t k = 0;
    bool other = false;
    for (size_t i = 0; i < n; i++) {
        if (!all[i] || seen(d, dim, all[i])) {
            out[k++] = all[i];
        } else if (!other) {
            out[k++] = all[i];
            other = true;
        }
    }
    return k;
}

static void scan_dims(const json_t *policies, struct dims *d)
{
    memset(d, 0, sizeof(*d));
    d->named_apps = json_array();
    d->seen = json_object();
    bool platforms = false, clients = false;
    size_t i;
    json_t *p;
    json_array_foreach(util_json_mut(policies), i, p)
    {
        const json_t *apps = cond(p, "applications");
        const json_t *inc = json_object_get(apps, "includeApplications");
        const json_t *exc = json_object_get(apps, "excludeApplications");
        if (!(json_array_size(inc) == 1 && arr_has(inc, "All")) || nonempty(exc) ||
            json_is_object(json_object_get(apps, "applicationFilter")))
            d->apps = true;
        note_apps(d, inc);
        note_apps(d, exc);
        const json_t *pl = cond(p, "platforms");
        const json_t *pin = json_object_get(pl, "includePlatforms");
        const json_t *pex = json_object_get(pl, "excludePlatforms");
        if (nonempty(pin) || nonempty(pex))
            platforms = true;
        note_values(d, "platform", pin);
        note_values(d, "platform", pex);
        const json_t *ct = cond(p, "clientAppTypes");
        if (nonempty(ct) && !arr_has(ct, "all"))
            clients = true;
        note_values(d, "client", ct);
        if (nonempty(json_object_get(cond(p, "locations"), "includeLocations")))
            d->locations = true;
        note_values(d, "signIn", cond(p, "signInRiskLevels"));
        note_values(d, "user", cond(p, "userRiskLevels"));
        const char *tm = jstr(cond(p, "authenticationFlows"), "transferMethods");
        if (tm && *tm)
            d->flows = true;
        const char *ir = json_string_value(cond(p, "insiderRiskLevels"));
        for (size_t k = 0; ir && k < IDPC_ARRAY_LEN(insider_levels); k++)
            if (strstr(ir, insider_levels[k])) {
                char *key = xasprintf("insider:%s", insider_levels[k]);
                json_object_set_new(d->seen, key, json_true());
                free(key);
            }
    }
    if (platforms)
        d->np = pick(d, "platform", all_platforms, IDPC_ARRAY_LEN(all_platforms), d->platforms);
    else
        d->platforms[d->np++] = all_platforms[0];
    if (clients)
        d->nc = pick(d, "client", all_clients, IDPC_ARRAY_LEN(all_clients), d->clients);
    else
        d->clients[d->nc++] = all_clients[0];
    d->sign_in[d->nsi++] = NULL;
    d->user[d->nur++] = NULL;
    d->insider[d->nir++] = NULL;
    for (size_t r = 0; r < IDPC_ARRAY_LEN(insider_levels); r++)
        if (seen(d, "insider", insider_levels[r]))
            d->insider[d->nir++] = insider_levels[r];
    for (size_t r = 0; r < IDPC_ARRAY_LEN(risk_levels); r++) {
        if (seen(d, "signIn", risk_levels[r]))
            d->sign_in[d->nsi++] = risk_levels[r];
        if (seen(d, "user", risk_levels[r]))
            d->user[d->nur++] = risk_levels[r];
    }
}

/* The named locations an analysis leaves out of its states (state_locations): none is named by a
 * policy, trusted or changed by the plan, so each decides like an untrusted address. */
struct left_out {
    size_t n;     /* how many (each would be a scenario of its own) */
    bool unknown; /* one of them includes unknown countries and regions */
};

/* lockout_scenarios_emergency, with `left` standing for named locations left out of
 * `locations`: the untrusted address's scenarios stand for theirs too (alike), and an unknown
 * country is a scenario when one of them includes it. */
static void scenarios_emergency(const json_t *policies, const json_t *locations,
                                const struct left_out *left, struct lockout_scenarios *out)
{
    memset(out, 0, sizeof(*out));
    struct dims d;
    scan_dims(policies, &d);
    size_t napps = d.apps ? IDPC_ARRAY_LEN(base_apps) + json_array_size(d.named_apps) : 1;
    /* locations: index 0 = untrusted, 1..n = named, n+1 = unknown country */
    size_t nloc = json_array_size(locations);
    bool unknown = left->unknown;
    for (size_t i = 0; i < nloc; i++)
        unknown |= json_is_true(
            json_object_get(json_array_get(locations, i), "includeUnknownCountriesAndRegions"));
    size_t nl = d.locations ? 1 + nloc + (unknown ? 1 : 0) : 1;
    size_t nf = d.flows ? IDPC_ARRAY_LEN(flows) : 1;
    for (size_t a = 0; a < napps; a++)
        for (size_t p = 0; p < d.np; p++)
            for (size_t c = 0; c < d.nc; c++)
                for (size_t l = 0; l < nl; l++)
                    for (size_t si = 0; si < d.nsi; si++)
                        for (size_t ur = 0; ur < d.nur; ur++)
                            for (size_t f = 0; f < nf * d.nir; f++) {
                                struct lockout_scenario sc;
                                memset(&sc, 0, sizeof(sc));
                                if (a < IDPC_ARRAY_LEN(base_apps)) {
                                    sc.app = base_apps[a].app;
                                    sc.app_label = base_apps[a].label;
                                } else {
                                    const json_t *e =
                                        json_array_get(d.named_apps, a - IDPC_ARRAY_LEN(base_apps));
                                    sc.app = jstr(e, "app");
                                    sc.app_label = jstr(e, "label");
                                }
                                sc.platform = d.platforms[p];
                                sc.client = d.clients[c];
                                if (l >= 1 && l <= nloc) {
                                    const json_t *loc = json_array_get(locations, l - 1);
                                    sc.location = jstr(loc, "id");
                                    sc.location_name = jstr(loc, "displayName");
                                    sc.trusted = json_is_true(json_object_get(loc, "isTrusted"));
                                    if (!sc.location)
                                        continue;
                                } else if (l == nloc + 1) {
                                    sc.country = "unknown";
                                } else if (d.locations) {
                                    sc.alike = left->n;
                                }
                                sc.sign_in_risk = d.sign_in[si];
                                sc.user_risk = d.user[ur];
                                sc.auth_flow = flows[f % nf];
                                sc.insider_risk = d.insider[f / nf];
                                push(out, &sc);
                            }
    /* the named apps' strings borrow from `policies`, which outlives the scenarios */
    json_decref(d.named_apps);
    json_decref(d.seen);
}

void lockout_scenarios_emergency(const json_t *policies, const json_t *locations,
                                 struct lockout_scenarios *out)
{
    const struct left_out none = {0, false};
    scenarios_emergency(policies, locations, &none, out);
}

void lockout_scenarios_admin(const json_t *locations, struct lockout_scenarios *out)
{
    memset(out, 0, sizeof(*out));
    static const char *const platforms[] = {"windows", "macOS"};
    size_t i;
    json_t *loc;
    for (size_t p = 0; p < IDPC_ARRAY_LEN(platforms); p++) {
        size_t before = out->n;
        json_array_foreach(util_json_mut(locations), i, loc)
        {
            if (!json_is_true(json_object_get(loc, "isTrusted")) || !jstr(loc, "id"))
                continue;
            struct lockout_scenario sc = {.app = "MicrosoftAdminPortals",
                                          .app_label = "Microsoft Admin Portals",
                                          .platform = platforms[p],
                                          .client = "browser",
                                          .location = jstr(loc, "id"),
                                          .location_name = jstr(loc, "displayName"),
                                          .trusted = true};
            push(out, &sc);
        }
        if (out->n == before) {
            struct lockout_scenario sc = {.app = "MicrosoftAdminPortals",
                                          .app_label = "Microsoft Admin Portals",
                                          .platform = platforms[p],
                                          .client = "browser"};
            push(out, &sc);
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Decision                                                                                 */

json_t *lockout_decide(const struct whatif_result *r, const char *const *caps)
{
    json_t *out = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        if (!p->applies || p->state != WHATIF_ENABLED)
            continue;
        struct whatif_result one = {.policies = r->policies + i, .n = 1};
        if (whatif_can_satisfy(&one, caps))
            continue;
        struct strbuf sb = STRBUF_INIT;
        if (p->block) {
            strbuf_adds(&sb, "block");
        } else {
            strbuf_adds(&sb, "requires ");
            for (size_t k = 0; k < p->ncontrols; k++)
                strbuf_addf(&sb, "%s%s", k ? (p->op == WHATIF_OR ? " or " : " and ") : "",
                            p->controls[k].text);
        }
        if (!out)
            out = json_array();
        json_array_append_new(out, json_pack("{s:s,s:s?,s:s}", "name", p->name, "id",
                                             jstr(p->policy, "id"), "decision", strbuf_str(&sb)));
        strbuf_fini(&sb);
    }
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* The tenant before and after the plan                                                     */

struct state {
    json_t *policies, *locations, *strengths; /* arrays of Graph bodies */
    json_t *roles; /* [{"id", "principalId", "role" (template id), "eligible"}] */
    bool after;
    struct whatif_locindex *locix; /* `locations` indexed, once the state is complete */
    struct whatif_inputs in;       /* the three arrays (borrowed), for the impact section */
};

struct ctx {
    struct tenant *t;
    struct state before, after;
    json_t *adds, *removes; /* {group: [member ids]} the plan adds / removes */
    json_t *created;        /* {group token: true} */
    json_t *deleted;        /* {group id: true} */
    json_t *rules;          /* {group id or token: membershipRule} the plan creates or sets */
    json_t *tmembers;       /* cache: {tenant group id: [member ids]} */
    json_t *at;             /* {policy id or token: "file:l:c"} */
    const json_t *plan;
    json_t *methods_after; /* method configurations after the plan (lockout_methods.h) */
    size_t evaluations;
    unsigned flags;         /* LOCKOUT_ALL_LOCATIONS */
    struct left_out left;   /* the named locations both states leave out */
    struct loc_stub *stubs; /* the reduced trees the states hold (location_stub), by address */
    size_t nstubs;
    json_t *const *made; /* lockout_states_new_with's stubs, or NULL */
};

static const char *role_template(const struct tenant *t, const char *rid)
{
    const struct catalog_role *cr = rid ? catalog_role_by_id(rid) : NULL;
    if (cr)
        return cr->template_id;
    struct tenant_obj *o = rid ? tenant_by_id(t, TK_ROLE, rid) : NULL;
    return o && o->alt ? o->alt : rid;
}

static void add_role(struct ctx *c, struct state *st, const char *id, const json_t *body,
                     bool eligible)
{
    const char *pid = jstr(body, "principalId");
    const char *rid = jstr(body, "roleDefinitionId");
    if (!pid || !rid)
        return;
    /* Conditional Access targets built-in roles assigned tenant-wide only: administrative
     * unit-scoped (and custom) roles are not supported ("Conditional Access: Users, groups, and
     * workload identities", Directory roles), so such an assignment makes no policy apply. */
    const char *scope = jstr(body, "directoryScopeId");
    if (scope && strcmp(scope, "/") != 0)
        return;
    /* a time-bound eligibility or active assignment ends: "until" is its end
     * (scheduleInfo.expiration; an active one's PIM schedule is merged in by tenant_active.c) */
    const json_t *exp = json_object_get(json_object_get(body, "scheduleInfo"), "expiration");
    const char *until = eq(jstr(exp, "type"), "afterDateTime") ? jstr(exp, "endDateTime") : NULL;
    json_array_append_new(st->roles, json_pack("{s:s?,s:s,s:s,s:b,s:s?}", "id", id, "principalId",
                                               pid, "role", role_template(c->t, rid), "eligible",
                                               eligible, "until", until));
}

/* ---- the named locations a state keeps ---- */

/* The tenant's named-location bodies are read in these two functions only. */

/* The tenant's named location i: a new reference, or NULL. */
static json_t *location_body(const struct tenant *t, size_t i)
{
    return tenant_body(t, TK_LOCATION, i); /* thawed when the tenant holds it as text */
}

/* The members of a named location that the states' readers read, as they read them: the
 * evaluator (whatif.c, whatif_locindex_new: whatif_jget, the member else one named so ignoring
 * case), the scenarios (scenarios_emergency, lockout_scenarios_admin: the exact members), the
 * plan's replay (find_id: "id") and the impact section's location axis (coverage.c,
 * coverage_axes). Its IP ranges are read only for a sign-in with an IP address, which neither
 * the guard nor the impact section makes: the states' location index asks for them then
 * (stub_ranges). */
static const char *const stub_members[] = {
    "id", "displayName", "isTrusted", "includeUnknownCountriesAndRegions", "countriesAndRegions"};

/* A location as the states hold it: a new object with only the members of `l` whose names equal
 * one of stub_members (and "ipRanges" with `ranges`) ignoring case, in l's order (so that an
 * exact read and one ignoring case find what they find in `l`), their values shared with `l`. */
static json_t *location_stub(const json_t *l, bool ranges)
{
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(l), k, v)
    {
        bool read = ranges && util_streq_nocase(k, "ipRanges");
        for (size_t m = 0; m < IDPC_ARRAY_LEN(stub_members) && !read; m++)
            read = util_streq_nocase(k, stub_members[m]);
        if (read)
            json_object_set_nocheck(o, k, v);
    }
    return o;
}

/* location_stub(whole, false) of the tenant's named location i, made from what the tenant holds
 * of it when that is all it would hold (tenant_held, stub), so that the location is not read
 * again; else NULL. Its members are those of the whole object (exact names, distinct ignoring
 * case), so that every read, exact or ignoring case, finds what it finds in the whole. */
static json_t *held_stub(const struct tenant *t, size_t i)
{
    const struct tenant_held *h = tenant_held_of(t, TK_LOCATION, i);
    if (!h || !(h->stub & TENANT_STUB_PLAIN))
        return NULL;
    const struct tenant_obj *o = &t->idx[TK_LOCATION].v[i];
    json_t *l = json_object();
    json_object_set_new_nocheck(l, "id", json_string_nocheck(o->id));
    if (h->stub & TENANT_STUB_NAME)
        json_object_set_new_nocheck(l, "displayName", json_string_nocheck(o->name));
    if (h->stub & TENANT_STUB_TRUSTED)
        json_object_set_new_nocheck(l, "isTrusted", json_boolean(h->trusted));
    if (h->stub & TENANT_STUB_UNKNOWN)
        json_object_set_new_nocheck(l, "includeUnknownCountriesAndRegions",
                                    json_boolean(h->unknown));
    return l;
}

json_t *lockout_location_stub(const json_t *l)
{
    return location_stub(l, true);
}

/* A reduced tree of the states and the tenant's location it stands for. */
struct loc_stub {
    const json_t *tree;
    size_t i;
};

static int stub_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct loc_stub *)a)->tree;
    uintptr_t y = (uintptr_t)((const struct loc_stub *)b)->tree;
    return x < y ? -1 : x > y;
}

/* whatif_ranges_fn of the states' location indexes: a reduced tree's IP ranges, those of the
 * tenant's whole object (thawed for this once); any other tree has its own. */
static json_t *stub_ranges(void *p, const json_t *location)
{
    const struct ctx *c = p;
    struct loc_stub key = {location, 0};
    const struct loc_stub *st =
        c->nstubs ? bsearch(&key, c->stubs, c->nstubs, sizeof(key), stub_cmp) : NULL;
    if (!st)
        return NULL;
    json_t *body = location_body(c->t, st->i);
    json_t *ranges = json_incref(util_json_mut(whatif_jget(body, "ipRanges")));
    json_decref(body);
    return ranges;
}

/* What state_locations reads of every named location: id and name as the evaluator reads them
 * (whatif_jget) and as the scenarios do (the exact members; NULL when the same strings), whether
 * it is trusted, whether it includes unknown countries and regions. The strings are valid until
 * the next call. */
struct loc_facts {
    const char *id, *name, *graph_id, *graph_name;
    bool trusted, unknown;
};

static bool location_facts(const struct tenant *t, size_t i, struct loc_facts *out)
{
    const struct tenant_held *h = tenant_held_of(t, TK_LOCATION, i);
    if (h) { /* held as text, its facts at hand; its id and name are the members themselves */
        *out = (struct loc_facts){.id = t->idx[TK_LOCATION].v[i].id,
                                  .name = h->name,
                                  .trusted = h->trusted,
                                  .unknown = h->unknown};
        return true;
    }
    const json_t *l = t->idx[TK_LOCATION].v[i].body;
    if (!l)
        return false;
    *out = (struct loc_facts){
        .id = json_string_value(whatif_jget(l, "id")),
        .name = json_string_value(whatif_jget(l, "displayName")),
        .graph_id = jstr(l, "id"),
        .graph_name = jstr(l, "displayName"),
        .trusted = json_is_true(whatif_jget(l, "isTrusted")),
        .unknown = json_is_true(json_object_get(l, "includeUnknownCountriesAndRegions"))};
    if (out->graph_id == out->id)
        out->graph_id = NULL;
    if (out->graph_name == out->name)
        out->graph_name = NULL;
    return true;
}

/* The keys (ids or names) a policy's location condition names, include and exclude, read as
 * the evaluator reads them (whatif.c, check_locations). */
static void policy_location_keys(const json_t *p, struct strmap *keys)
{
    const json_t *locs = whatif_jget(whatif_jget(p, "conditions"), "locations");
    static const char *const lists[] = {"includeLocations", "excludeLocations"};
    for (size_t k = 0; k < IDPC_ARRAY_LEN(lists); k++) {
        size_t i;
        const json_t *v;
        json_array_foreach(whatif_jget(locs, lists[k]), i, v)
        {
            const char *key = whatif_item_key(v);
            if (key)
                (void)strmap_put_first(keys, key, 0);
        }
    }
}

/* What the plan's requests say about named locations: the location keys of the policies they
 * create or change (`keys`), the locations they change or delete (`touched`, by id) and the ids
 * and names they give them (`names`). */
static void plan_location_refs(const json_t *plan, struct strmap *keys, struct strmap *touched,
                               struct strmap *names)
{
    size_t i, j;
    json_t *a, *r;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            const char *path = jstr(r, "path");
            const json_t *body = json_object_get(r, "body");
            if (!path)
                continue;
            if (strncmp(path, P_POLICIES, strlen(P_POLICIES)) == 0) {
                policy_location_keys(body, keys);
            } else if (strncmp(path, P_LOCATIONS, strlen(P_LOCATIONS)) == 0) {
                const char *rest = path + strlen(P_LOCATIONS);
                if (*rest == '/') {
                    char *id = xstrdup(rest + 1);
                    char *sub = strchr(id, '/');
                    if (sub)
                        *sub = '\0';
                    (void)strmap_put_first(touched, id, 0);
                    free(id);
                }
                const char *given[] = {jstr(body, "id"), jstr(body, "displayName"),
                                       json_string_value(whatif_jget(body, "id")),
                                       json_string_value(whatif_jget(body, "displayName"))};
                for (size_t k = 0; k < IDPC_ARRAY_LEN(given); k++)
                    if (given[k])
                        (void)strmap_put_first(names, given[k], 0);
            }
        }
    }
}

static bool in_map(const struct strmap *m, const char *key)
{
    return key && strmap_get(m, key, NULL);
}

/* The state before's named locations: only those that can change an outcome. The evaluator
 * asks whether a sign-in is in a named location only for the locations a policy names (by id or
 * name, include or exclude) and, for "AllTrusted", the trusted ones (whatif.c, loc_resolve and
 * loc_any_trusted); a sign-in from any other named location therefore decides exactly like one
 * from an untrusted address. Kept, in the tenant's order:
 *  - the locations a policy of either state names, the trusted ones, and those the plan changes
 *    or deletes (the state after replays the plan on these; it creates the others);
 *  - the first ones, up to COVERAGE_MAX_LOCATIONS distinct names among those the plan leaves
 *    alone: the impact section's location axis gives columns to the first names of the
 *    locations (coverage.h), and keeping these keeps its columns those of every location;
 *  - a location whose id is the id or name of one kept (a sign-in from it is in that one).
 * The others are counted in c->left: the lockout guard's untrusted-address scenario stands for
 * theirs. With LOCKOUT_ALL_LOCATIONS every location is kept. */
static void state_locations(struct ctx *c, struct state *st)
{
    enum {
        PRESENT = 1,
        KEEP = 2,
        UNKNOWN = 4,
        TOUCH = 8
    };
    struct strmap keys, touched, names, axis;
    strmap_init_borrowed(&keys, true); /* the policies' strings outlive the states */
    strmap_init(&touched, true);
    strmap_init(&names, true);
    strmap_init(&axis, true);
    size_t i;
    json_t *p;
    json_array_foreach(st->policies, i, p)
    {
        policy_location_keys(p, &keys);
    }
    plan_location_refs(c->plan, &keys, &touched, &names);
    bool all = c->flags & LOCKOUT_ALL_LOCATIONS;
    size_t n = c->t->idx[TK_LOCATION].n;
    unsigned char *f = xcalloc(n + 1, 1);
    for (i = 0; i < n; i++) {
        struct loc_facts l;
        if (!location_facts(c->t, i, &l))
            continue;
        bool touch = in_map(&touched, l.id) || in_map(&touched, l.graph_id);
        /* the lookups last: what is at hand decides most */
        bool keep = all || touch || l.trusted || axis.n < COVERAGE_MAX_LOCATIONS ||
                    in_map(&keys, l.id) || in_map(&keys, l.name);
        if (axis.n < COVERAGE_MAX_LOCATIONS) {
            keep = true;
            if (!touch && (l.name || l.id))
                (void)strmap_put_first(&axis, l.name ? l.name : l.id, 0);
        }
        f[i] = PRESENT | (l.unknown ? UNKNOWN : 0) | (touch ? TOUCH : 0);
        if (keep) {
            f[i] |= KEEP;
            const char *given[] = {l.id, l.name, l.graph_id, l.graph_name};
            for (size_t k = 0; k < IDPC_ARRAY_LEN(given); k++)
                if (given[k])
                    (void)strmap_put_first(&names, given[k], 0);
        }
    }
    const struct tenant_index *x = &c->t->idx[TK_LOCATION];
    size_t cap = 0;
    for (i = 0; i < n; i++) {
        if ((f[i] & PRESENT) && !(f[i] & KEEP) && in_map(&names, x->v[i].id))
            f[i] |= KEEP;
        if (f[i] & KEEP) {
            /* reduced; one the plan leaves alone is the same tree in both states, so its IP
             * ranges are asked for when needed (stub_ranges), the others keep theirs */
            bool alone = !(f[i] & TOUCH);
            json_t *l = alone ? held_stub(c->t, i) : c->made ? json_incref(c->made[i]) : NULL;
            if (!l) {
                json_t *whole = location_body(c->t, i);
                if (!whole)
                    continue;
                l = location_stub(whole, !alone);
                json_decref(whole);
            }
            if (alone) {
                if (c->nstubs == cap) {
                    cap = cap ? 2 * cap : 64;
                    c->stubs = xrealloc(c->stubs, cap * sizeof(*c->stubs));
                }
                c->stubs[c->nstubs++] = (struct loc_stub){l, i};
            }
            json_array_append_new(st->locations, l);
        } else if (f[i] & PRESENT) {
            c->left.n++; /* every location of the tenant's index has an id */
            c->left.unknown |= (f[i] & UNKNOWN) != 0;
        }
    }
    free(f);
    if (c->nstubs)
        qsort(c->stubs, c->nstubs, sizeof(*c->stubs), stub_cmp);
    strmap_fini(&keys);
    strmap_fini(&touched);
    strmap_fini(&names);
    strmap_fini(&axis);
}

static void state_before(struct ctx *c)
{
    struct state *st = &c->before;
    st->policies = json_array();
    st->locations = json_array();
    st->strengths = json_array();
    st->roles = json_array();
    const enum tenant_kind kinds[2] = {TK_POLICY, TK_STRENGTH};
    json_t *into[2] = {st->policies, st->strengths};
    for (size_t k = 0; k < 2; k++) {
        const struct tenant_index *x = &c->t->idx[kinds[k]];
        for (size_t i = 0; i < x->n; i++)
            if (x->v[i].body)
                json_array_append(into[k], x->v[i].body);
    }
    state_locations(c, st);
    size_t i;
    json_t *v;
    json_array_foreach(c->t->role_assignments, i, v)
    {
        add_role(c, st, jstr(v, "id"), v, false);
    }
    json_array_foreach(c->t->eligibilities, i, v)
    {
        add_role(c, st, jstr(v, "id"), v, true);
    }
}

/* An id -> position index over an array of Graph objects (ids ignore case, as Graph's do), so
 * that replaying a plan's requests costs one hash lookup per request, not a scan of the whole
 * collection. Appends are indexed as they are found; a removal shifts positions, so the index is
 * rebuilt at the next lookup. */
struct id_index {
    struct strmap map;
    size_t built; /* items [0, built) are in the map */
};

static void id_index_init(struct id_index *x)
{
    strmap_init(&x->map, true);
    x->built = 0;
}

static void id_index_reset(struct id_index *x)
{
    strmap_fini(&x->map);
    id_index_init(x);
}

static ssize_t find_id(struct id_index *x, const json_t *arr, const char *id)
{
    if (!id)
        return -1;
    if (x->built > json_array_size(arr))
        id_index_reset(x);
    for (; x->built < json_array_size(arr); x->built++) {
        const char *k = jstr(json_array_get(arr, x->built), "id");
        if (k)
            (void)strmap_put_first(&x->map, k, x->built);
    }
    size_t i;
    return strmap_get(&x->map, id, &i) ? (ssize_t)i : -1;
}

static void list_add(json_t *map, const char *key, const char *id)
{
    json_t *l = json_object_get(map, key);
    if (!l) {
        l = json_array();
        json_object_set_new(map, key, l);
    }
    add_unique(l, id);
}

/* The last path segment of an @odata.id URL. */
static const char *odata_tail(const json_t *body)
{
    const char *u = jstr(body, "@odata.id");
    const char *slash = u ? strrchr(u, '/') : NULL;
    return slash ? slash + 1 : u;
}

/* A collection request: POST (create), PATCH / DELETE of an item, updateAllowedCombinations. */
static void collection_request(json_t *arr, struct id_index *ix, const char *prefix,
                               const char *method, const char *path, const json_t *body,
                               const char *creates)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return;
    const char *rest = path + n;
    if (!*rest) {
        if (strcmp(method, "POST") == 0 && json_is_object(body)) {
            json_t *o = json_copy(util_json_mut(body)); /* only its top level changes */
            if (creates)
                json_object_set_new(o, "id", json_string(creates));
            json_array_append_new(arr, o);
        }
        return;
    }
    if (*rest != '/')
        return;
    char *id = xstrdup(rest + 1);
    char *sub = strchr(id, '/');
    if (sub)
        *sub++ = '\0';
    ssize_t k = find_id(ix, arr, id);
    if (k >= 0) {
        json_t *item = json_array_get(arr, (size_t)k);
        bool patch = !sub && strcmp(method, "PATCH") == 0 && json_is_object(body);
        bool combos = sub && strcmp(sub, "updateAllowedCombinations") == 0;
        if (patch || combos) {
            /* The item is the tenant's (shared with the state before): change a copy of its
             * top level, which is all a PATCH changes (it sends top-level properties whole). */
            item = json_copy(item);
            json_array_set_new(arr, (size_t)k, item);
        }
        if (patch) {
            json_object_update(item, util_json_mut(body));
            if (json_object_get(body, "id"))
                id_index_reset(ix);
        } else if (!sub && strcmp(method, "DELETE") == 0) {
            json_array_remove(arr, (size_t)k);
            id_index_reset(ix);
        } else if (combos)
            json_object_set(item, "allowedCombinations",
                            json_object_get(body, "allowedCombinations"));
    }
    free(id);
}

static void group_request(struct ctx *c, const char *method, const char *path, const json_t *body,
                          const char *creates)
{
    const char *rule = json_string_value(json_object_get(body, "membershipRule"));
    if (strcmp(path, "groups") == 0) {
        if (strcmp(method, "POST") == 0 && creates) {
            json_object_set_new(c->created, creates, json_true());
            if (rule)
                json_object_set_new(c->rules, creates, json_string(rule));
        }
        return;
    }
    if (strncmp(path, "groups/", 7) != 0)
        return;
    char *gid = xstrdup(path + 7);
    char *rest = strchr(gid, '/');
    if (rest)
        *rest++ = '\0';
    if (!rest) {
        if (strcmp(method, "DELETE") == 0)
            json_object_set_new(c->deleted, gid, json_true());
        else if (strcmp(method, "PATCH") == 0 && rule)
            json_object_set_new(c->rules, gid, json_string(rule));
    } else if (strcmp(rest, "members/$ref") == 0 && strcmp(method, "POST") == 0) {
        list_add(c->adds, gid, odata_tail(body));
    } else if (strncmp(rest, "members/", 8) == 0 && strcmp(method, "DELETE") == 0) {
        char *mid = xstrdup(rest + 8);
        char *slash = strchr(mid, '/');
        if (slash)
            *slash = '\0';
        list_add(c->removes, gid, mid);
        free(mid);
    }
    free(gid);
}

static void role_request(struct ctx *c, struct id_index *ix, const char *method, const char *path,
                         const json_t *body)
{
    struct state *st = &c->after;
    if (strcmp(path, P_ASSIGN) == 0 && strcmp(method, "POST") == 0) {
        add_role(c, st, NULL, body, false);
    } else if (strncmp(path, P_ASSIGN "/", strlen(P_ASSIGN) + 1) == 0 &&
               strcmp(method, "DELETE") == 0) {
        ssize_t k = find_id(ix, st->roles, path + strlen(P_ASSIGN) + 1);
        if (k >= 0) {
            json_array_remove(st->roles, (size_t)k);
            id_index_reset(ix);
        }
    } else if ((strcmp(path, P_ELIG_REQ) == 0 || strcmp(path, P_ACT_REQ) == 0) &&
               strcmp(method, "POST") == 0) {
        bool elig = strcmp(path, P_ELIG_REQ) == 0;
        const char *action = jstr(body, "action");
        if (eq(action, "adminRemove") || eq(action, "adminUpdate") || eq(action, "adminExtend") ||
            eq(action, "adminRenew")) {
            /* removed, or replaced by the updated schedule below */
            const char *pid = jstr(body, "principalId");
            const char *role = role_template(c->t, jstr(body, "roleDefinitionId"));
            for (size_t i = json_array_size(st->roles); i-- > 0;) {
                const json_t *e = json_array_get(st->roles, i);
                if (json_is_true(json_object_get(e, "eligible")) == elig &&
                    eq(jstr(e, "principalId"), pid) && eq(jstr(e, "role"), role)) {
                    json_array_remove(st->roles, i);
                    id_index_reset(ix);
                }
            }
        }
        if (eq(action, "adminAssign") || eq(action, "adminUpdate") || eq(action, "adminExtend") ||
            eq(action, "adminRenew"))
            add_role(c, st, NULL, body, elig);
    }
}

static void state_after(struct ctx *c, const json_t *plan)
{
    struct state *st = &c->after;
    st->after = true;
    /* Copy on write: the arrays are new, their items the state before's until a request
     * changes one (collection_request copies the item's top level first). */
    st->policies = json_copy(c->before.policies);
    st->locations = json_copy(c->before.locations);
    st->strengths = json_copy(c->before.strengths);
    st->roles = json_copy(c->before.roles);
    size_t i, j;
    json_t *a, *r;
    struct id_index ix[4]; /* policies, locations, strengths, roles */
    for (size_t k = 0; k < 4; k++)
        id_index_init(&ix[k]);
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            const char *method = jstr(r, "method"), *path = jstr(r, "path");
            const json_t *body = json_object_get(r, "body");
            const char *creates = jstr(r, "creates");
            if (!method || !path)
                continue;
            collection_request(st->policies, &ix[0], P_POLICIES, method, path, body, creates);
            collection_request(st->locations, &ix[1], P_LOCATIONS, method, path, body, creates);
            collection_request(st->strengths, &ix[2], P_STRENGTHS, method, path, body, creates);
            group_request(c, method, path, body, creates);
            role_request(c, &ix[3], method, path, body);
        }
    }
    for (size_t k = 0; k < 4; k++)
        strmap_fini(&ix[k].map);
    /* Deleting a group drops its role assignments, as Graph does. */
    for (size_t k = json_array_size(st->roles); k-- > 0;)
        if (json_object_get(c->deleted, jstr(json_array_get(st->roles, k), "principalId")))
            json_array_remove(st->roles, k);
}

static void state_fini(struct state *st)
{
    json_decref(st->policies);
    json_decref(st->locations);
    json_decref(st->strengths);
    json_decref(st->roles);
    whatif_locindex_free(st->locix);
}

/* The location index of the state whose locations these are (NULL: whatif indexes them). */
static const struct whatif_locindex *locix_of(const struct ctx *c, const json_t *locations)
{
    return locations == c->after.locations    ? c->after.locix
           : locations == c->before.locations ? c->before.locix
                                              : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Group membership                                                                         */

static bool is_group(struct ctx *c, const char *id)
{
    return id && (strncmp(id, MODEL_NEW_PREFIX "group:", strlen(MODEL_NEW_PREFIX) + 6) == 0 ||
                  json_object_get(c->created, id) || tenant_by_id(c->t, TK_GROUP, id));
}

/* The members of group `gid` in a state (new reference). */
static json_t *members_of(struct ctx *c, const struct state *st, const char *gid)
{
    json_t *out = json_array();
    if (st->after && json_object_get(c->deleted, gid))
        return out;
    if (!json_object_get(c->created, gid) && tenant_by_id(c->t, TK_GROUP, gid)) {
        json_t *cached = json_object_get(c->tmembers, gid);
        if (!cached) {
            cached = tenant_group_rel(c->t, gid, "members");
            json_object_set_new(c->tmembers, gid, cached);
        }
        json_array_extend(out, cached);
    }
    if (!st->after)
        return out;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c->adds, gid), i, v)
    {
        add_unique(out, json_string_value(v));
    }
    for (size_t k = json_array_size(out); k-- > 0;)
        if (arr_has(json_object_get(c->removes, gid), json_string_value(json_array_get(out, k))))
            json_array_remove(out, k);
    return out;
}

/* Is `who` (a user or a group) in group `gid`, directly or through nested groups? Nesting is
 * followed to any depth; `seen` (group ids already entered) stops cycles, which Entra does not
 * prevent between groups. */
/* A dynamic group the plan creates, or whose rule it changes, has no members Graph could list
 * yet: Entra will add every user its membership rule matches. So the rule is evaluated against
 * the user's attributes as the tenant returns them (users/{id}; "Dynamic membership rules for
 * groups", https://learn.microsoft.com/entra/identity/users/groups-dynamic-membership). A rule
 * that cannot be evaluated (unreadable user, a property the tenant does not return with a
 * value of the wrong type) counts as matching: the guard assumes the worst, and says so in
 * docs/lockout.md. */
static bool rule_matches_user(struct ctx *c, const struct state *st, const char *gid,
                              const char *who)
{
    const char *rule = st->after ? jstr(c->rules, gid) : NULL;
    if (!rule || is_group(c, who))
        return false;
    struct rule_error err;
    struct rule_expr *e = rule_parse(rule, strlen(rule), RULE_MEMBERSHIP_USER, &err);
    json_t *user = tenant_user_body(c->t, who);
    bool match = true;
    if (e && json_is_object(user) && rule_eval(e, user, &match) != 0)
        match = true;
    rule_free(e);
    json_decref(user);
    return match;
}

static bool in_group_seen(struct ctx *c, const struct state *st, const char *gid, const char *who,
                          json_t *seen)
{
    if (eq(gid, who))
        return true;
    if (json_object_get(seen, gid))
        return false;
    json_object_set_new(seen, gid, json_true());
    if (rule_matches_user(c, st, gid, who))
        return true;
    json_t *m = members_of(c, st, gid);
    bool found = arr_has(m, who);
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v)
    {
        if (found)
            break;
        const char *id = json_string_value(v);
        if (is_group(c, id))
            found = in_group_seen(c, st, id, who, seen);
    }
    json_decref(m);
    return found;
}

static bool in_group(struct ctx *c, const struct state *st, const char *gid, const char *who)
{
    json_t *seen = json_object();
    bool r = in_group_seen(c, st, gid, who, seen);
    json_decref(seen);
    return r;
}

/* Users (not groups) in group `gid`, transitively to any depth, added to `out`. */
static void users_in_seen(struct ctx *c, const struct state *st, const char *gid, json_t *out,
                          json_t *seen)
{
    if (json_object_get(seen, gid))
        return;
    json_object_set_new(seen, gid, json_true());
    json_t *m = members_of(c, st, gid);
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v)
    {
        const char *id = json_string_value(v);
        if (is_group(c, id))
            users_in_seen(c, st, id, out, seen);
        else
            add_unique(out, id);
    }
    json_decref(m);
}

static void users_in(struct ctx *c, const struct state *st, const char *gid, json_t *out)
{
    json_t *seen = json_object();
    users_in_seen(c, st, gid, out, seen);
    json_decref(seen);
}

/* ---------------------------------------------------------------------------------------- */
/* Identities                                                                               */

struct ident {
    char *label;       /* `user "bg1@..."` */
    char *user;        /* UPN, or a description for a group's member */
    const char *id;    /* object id (user or group) */
    bool group;        /* stands for a member of group `id` */
    json_t *groups;    /* the groups whose membership matters (see ident_groups) */
    json_t *member_of; /* group ids (state-dependent) */
    json_t *roles;     /* role template ids (state-dependent) */
    json_t *device;    /* device properties, or NULL for an unregistered device */
    const char *device_label;
    json_t *caps_j;
    const char **caps;
};

static bool enabled(const json_t *p)
{
    const char *st = jstr(p, "state");
    return !st || eq(st, "enabled");
}

/* Could policy `p` ever fail a sign-in that can do `caps`: its grant alone, as if every
 * condition matched. */
static bool could_fail(struct ctx *c, const struct state *st, const json_t *p,
                       const char *const *caps)
{
    json_t *copy = json_copy(util_json_mut(p));
    json_object_set_new(copy, "state", json_string("enabled"));
    json_object_set_new(copy, "conditions",
                        json_pack("{s:{s:[s]},s:{s:[s]},s:[s]}", "users", "includeUsers", "All",
                                  "applications", "includeApplications", "All", "clientAppTypes",
                                  "all"));
    struct whatif_inputs in = {json_pack("[o]", copy), json_incref(st->locations),
                               json_incref(st->strengths)};
    const struct whatif_locindex *ix = locix_of(c, st->locations);
    struct whatif_signin s;
    memset(&s, 0, sizeof(s));
    s.user = "lockout-guard";
    s.app = OTHER_APP;
    s.client_app = "browser";
    struct whatif_result r;
    char err[200];
    bool fail = true;
    if (whatif_evaluate_ix(&in, ix, &s, &r, err, sizeof(err)) == 0) {
        c->evaluations++;
        json_t *f = lockout_decide(&r, caps);
        fail = f != NULL;
        json_decref(f);
        whatif_result_free(&r);
    }
    whatif_inputs_fini(&in);
    return fail;
}

/* The groups whose membership can change an outcome for this identity: those named by an
 * enabled policy (before or after the plan) that does not exclude the identity directly and
 * whose grant could fail it; and the groups holding roles when such a policy names roles.
 * Only these are read (a tenant with 195 policies that exclude the break-glass accounts by user
 * costs no membership read). */
static void ident_groups(struct ctx *c, struct ident *id)
{
    id->groups = json_array();
    bool roles = false;
    const struct state *states[2] = {&c->before, &c->after};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *p;
        json_array_foreach(states[k]->policies, i, p)
        {
            const json_t *users = cond(p, "users");
            if (!enabled(p) ||
                arr_has(json_object_get(users, id->group ? "excludeGroups" : "excludeUsers"),
                        id->id))
                continue;
            const json_t *inc = json_object_get(users, "includeGroups");
            const json_t *exc = json_object_get(users, "excludeGroups");
            bool r = nonempty(json_object_get(users, "includeRoles")) ||
                     nonempty(json_object_get(users, "excludeRoles"));
            if ((!nonempty(inc) && !nonempty(exc) && !r) || !could_fail(c, states[k], p, id->caps))
                continue;
            roles |= r;
            size_t j;
            json_t *g;
            json_array_foreach(util_json_mut(inc), j, g)
            {
                add_unique(id->groups, json_string_value(g));
            }
            json_array_foreach(util_json_mut(exc), j, g)
            {
                add_unique(id->groups, json_string_value(g));
            }
        }
    }
    for (int k = 0; roles && k < 2; k++) {
        size_t i;
        json_t *e;
        json_array_foreach(states[k]->roles, i, e)
        {
            if (is_group(c, jstr(e, "principalId")))
                add_unique(id->groups, jstr(e, "principalId"));
        }
    }
}

static void ident_memberships(struct ctx *c, const struct state *st, struct ident *id)
{
    json_decref(id->member_of);
    json_decref(id->roles);
    id->member_of = json_array();
    id->roles = json_array();
    if (id->group)
        add_unique(id->member_of, id->id);
    size_t i;
    json_t *g;
    json_array_foreach(id->groups, i, g)
    {
        const char *gid = json_string_value(g);
        if (!eq(gid, id->id) && in_group(c, st, gid, id->id))
            add_unique(id->member_of, gid);
    }
    json_t *e;
    json_array_foreach(st->roles, i, e)
    {
        const char *pid = jstr(e, "principalId");
        if (eq(pid, id->id) || arr_has(id->member_of, pid))
            add_unique(id->roles, jstr(e, "role"));
    }
}

static void ident_fini(struct ident *id)
{
    free(id->label);
    free(id->user);
    json_decref(id->groups);
    json_decref(id->member_of);
    json_decref(id->roles);
    json_decref(id->device);
    json_decref(id->caps_j);
    free(id->caps);
    memset(id, 0, sizeof(*id));
}

static const char *user_name(struct ctx *c, const char *id)
{
    struct tenant_obj *o = id ? tenant_by_id(c->t, TK_USER, id) : NULL;
    return o && o->name ? o->name : id;
}

static char *quote(const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *q = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    return q;
}

static void ident_emergency(struct ctx *c, const json_t *e, struct ident *id)
{
    memset(id, 0, sizeof(*id));
    const char *kind = jstr(e, "kind");
    id->id = jstr(e, "id");
    id->group = eq(kind, "group");
    const char *name = jstr(e, "name") ? jstr(e, "name") : id->id;
    char *q = quote(name);
    id->label = xasprintf("%s %s", id->group ? "group" : "user", q);
    id->user = id->group ? xasprintf("a member of group %s", q) : xstrdup(user_name(c, id->id));
    free(q);
    id->caps_j = json_array();
    add_unique(id->caps_j, "password");
    bool compliant = false, hybrid = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(e, "satisfies"), i, v)
    {
        const char *s = json_string_value(v);
        add_unique(id->caps_j, s);
        compliant |= eq(s, "compliant_device") || eq(s, "compliantDevice");
        hybrid |= eq(s, "hybrid_joined") || eq(s, "domainJoinedDevice");
    }
    id->caps = str_list(id->caps_j);
    if (compliant || hybrid) {
        id->device = json_object();
        json_object_set_new(id->device, "isCompliant", json_boolean(compliant));
        json_object_set_new(id->device, "trustType", json_string(hybrid ? "ServerAD" : "AzureAD"));
        id->device_label = compliant && hybrid ? "compliant hybrid-joined device"
                           : compliant         ? "compliant device"
                                               : "hybrid-joined device";
    } else {
        id->device_label = "unregistered device";
    }
}

static void ident_admin(struct ctx *c, const char *uid, struct ident *id)
{
    memset(id, 0, sizeof(*id));
    id->id = uid;
    char *q = quote(user_name(c, uid));
    id->label = xasprintf("user %s", q);
    free(q);
    id->user = xstrdup(user_name(c, uid));
    static const char *const caps[] = LOCKOUT_ADMIN_CAPS;
    id->caps_j = json_array();
    for (size_t i = 0; caps[i]; i++)
        add_unique(id->caps_j, caps[i]);
    id->caps = str_list(id->caps_j);
    id->device = json_pack("{s:b,s:s}", "isCompliant", 1, "trustType", "AzureAD");
    id->device_label = "compliant device";
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation                                                                               */

static void fill_signin(struct whatif_signin *s, const struct ident *id, const char **member_of,
                        const char **roles, const struct lockout_scenario *sc, const char **locs)
{
    memset(s, 0, sizeof(*s));
    s->user = id->user;
    s->user_id = id->group ? NULL : id->id;
    s->member_of = member_of;
    s->roles = roles;
    s->app = sc->app;
    s->platform = sc->platform;
    s->client_app = sc->client;
    locs[0] = sc->location;
    locs[1] = NULL;
    s->locations = locs;
    s->country = sc->country;
    s->sign_in_risk = sc->sign_in_risk;
    s->user_risk = sc->user_risk;
    s->device = id->device;
    s->auth_flow = sc->auth_flow;
    s->insider_risk = sc->insider_risk;
}

/* Inputs holding only the enabled policies that can apply to this identity at all (the user
 * condition depends on nothing else). */
static void relevant_inputs(struct ctx *c, const struct state *st, const struct ident *id,
                            struct whatif_inputs *in)
{
    in->policies = json_array();
    in->locations = json_incref(st->locations);
    in->strengths = json_incref(st->strengths);
    struct whatif_inputs all = {st->policies, st->locations, st->strengths};
    const char **mo = str_list(id->member_of), **ro = str_list(id->roles);
    const char *locs[2];
    struct lockout_scenario sc = {.app = base_apps[0].app, .client = "browser"};
    struct whatif_signin s;
    fill_signin(&s, id, mo, ro, &sc, locs);
    /* the users part alone decides (it is checked first: a policy it fails never applies) */
    size_t n = json_array_size(st->policies);
    uint64_t *ok = xcalloc((n + 63) / 64 + 1, sizeof(uint64_t));
    char err[200];
    if (whatif_signin_check(&s, err, sizeof(err)) == 0 &&
        whatif_part_eval(&all, locix_of(c, st->locations), WHATIF_PART_USERS, &s, NULL, NULL, ok,
                         err, sizeof(err)) == 0) {
        c->evaluations++;
        for (size_t i = 0; i < n; i++) {
            const json_t *p = json_array_get(st->policies, i);
            if (((ok[i / 64] >> (i % 64)) & 1) && whatif_policy_state(p) == WHATIF_ENABLED)
                json_array_append(in->policies, util_json_mut(p));
        }
    }
    free(ok);
    free(mo);
    free(ro);
}

/* The failing policies of one sign-in (new reference), or NULL. */
static json_t *evaluate(struct ctx *c, const struct whatif_inputs *in, const struct ident *id,
                        const struct lockout_scenario *sc)
{
    const char **mo = str_list(id->member_of), **ro = str_list(id->roles);
    const char *locs[2];
    struct whatif_signin s;
    fill_signin(&s, id, mo, ro, sc, locs);
    struct whatif_result r;
    char err[200];
    json_t *fail = NULL;
    if (whatif_evaluate_ix(in, locix_of(c, in->locations), &s, &r, err, sizeof(err)) == 0) {
        c->evaluations += 1 + sc->alike; /* the sign-ins it stands for decide alike */
        fail = lockout_decide(&r, id->caps);
        whatif_result_free(&r);
    }
    free(mo);
    free(ro);
    return fail;
}

static json_t *scenario_json(const struct lockout_scenario *sc, const struct ident *id)
{
    json_t *o = json_object();
    json_object_set_new(o, "app", json_string(sc->app_label));
    json_object_set_new(o, "platform", json_string(sc->platform ? sc->platform : "unknown"));
    json_object_set_new(o, "client", json_string(sc->client));
    char *loc;
    if (sc->location) {
        char *q = quote(sc->location_name ? sc->location_name : sc->location);
        loc = xasprintf("%s location %s", sc->trusted ? "trusted" : "named", q);
        free(q);
    } else {
        loc = xstrdup(sc->country ? "an unknown country" : "an untrusted location");
    }
    json_object_set_new(o, "location", json_string(loc));
    free(loc);
    char *risk = sc->sign_in_risk && sc->user_risk
                     ? xasprintf("sign-in risk %s, user risk %s", sc->sign_in_risk, sc->user_risk)
                 : sc->sign_in_risk ? xasprintf("sign-in risk %s", sc->sign_in_risk)
                 : sc->user_risk    ? xasprintf("user risk %s", sc->user_risk)
                                    : xstrdup("none");
    json_object_set_new(o, "risk", json_string(risk));
    free(risk);
    json_object_set_new(o, "device", json_string(id->device_label));
    if (sc->auth_flow)
        json_object_set_new(o, "flow", json_string(sc->auth_flow));
    if (sc->insider_risk)
        json_object_set_new(o, "insiderRisk", json_string(sc->insider_risk));
    return o;
}

/* Every after-failing policy also failed before (for the same sign-in). */
static bool all_failed_before(const json_t *after, const json_t *before)
{
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(util_json_mut(after), i, a)
    {
        bool found = false;
        json_array_foreach(util_json_mut(before), j, b)
        {
            found |= eq(jstr(a, "id"), jstr(b, "id")) ||
                     (!jstr(a, "id") && eq(jstr(a, "name"), jstr(b, "name")));
        }
        if (!found)
            return false;
    }
    return true;
}

static char *fail_key(const json_t *fail)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *f;
    json_array_foreach(util_json_mut(fail), i, f)
    {
        strbuf_addf(&sb, "%s|%s|%s\n", jstr(f, "id") ? jstr(f, "id") : "", jstr(f, "name"),
                    jstr(f, "decision"));
    }
    return strbuf_detach(&sb);
}

static bool any_block(const json_t *fail)
{
    size_t i;
    json_t *f;
    json_array_foreach(util_json_mut(fail), i, f)
    {
        if (eq(jstr(f, "decision"), "block"))
            return true;
    }
    return false;
}

static void add_at(struct ctx *c, json_t *fail)
{
    size_t i;
    json_t *f;
    json_array_foreach(fail, i, f)
    {
        const char *at = jstr(c->at, jstr(f, "id") ? jstr(f, "id") : "");
        if (at)
            json_object_set_new(f, "at", json_string(at));
    }
}

/* Adds a failing sign-in to the risk grouped under (identity, failing policies). */
static void group_risk(struct ctx *c, json_t *groups, json_t *list, const struct ident *id,
                       const char *kind, const char *at, const struct lockout_scenario *sc,
                       json_t *fail)
{
    char *k = fail_key(fail);
    char *key = xasprintf("%s\n%s", id->label, k);
    free(k);
    json_t *g = json_object_get(groups, key);
    json_int_t n = 1 + (json_int_t)sc->alike; /* the sign-ins it stands for decide alike */
    if (g) {
        json_object_set_new(g, "count",
                            json_integer(json_integer_value(json_object_get(g, "count")) + n));
    } else {
        add_at(c, fail);
        g = json_pack("{s:s,s:s,s:s?,s:s,s:o,s:I,s:O,s:O}", "kind", kind, "identity", id->label,
                      "at", at, "reason", any_block(fail) ? "blocked" : "cannot satisfy",
                      "scenario", scenario_json(sc, id), "count", n, "policies", fail, "satisfies",
                      id->caps_j);
        json_object_set_new(groups, key, g);
        json_array_append(list, g);
    }
    free(key);
}

struct result {
    json_t *introduced, *already; /* arrays of risks */
};

/* An emergency access group stands for its members. A user who is a member before the plan and
 * is not after it (the plan removes it, or empties or deletes the group) loses the protection
 * the group gave: a risk like any other, refused unless accepted with --allow-lockout-risk
 * ("Manage emergency access accounts in Microsoft Entra ID",
 * https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access:
 * the accounts must stay excluded from Conditional Access). */
static void check_emergency_members(struct ctx *c, const json_t *e, struct result *res)
{
    const char *gid = jstr(e, "id");
    if (!gid || !eq(jstr(e, "kind"), "group"))
        return;
    json_t *before = json_array(), *after = json_array();
    users_in(c, &c->before, gid, before);
    users_in(c, &c->after, gid, after);
    size_t i;
    json_t *u;
    json_array_foreach(before, i, u)
    {
        const char *uid = json_string_value(u);
        if (!uid || arr_has(after, uid))
            continue;
        char *who = tenant_describe_id(c->t, uid, TK_USER);
        char *label = who ? who : xasprintf("user id \"%s\"", uid);
        json_array_append_new(res->introduced,
                              json_pack("{s:s,s:s,s:s?,s:s,s:s}", "kind", "emergency", "identity",
                                        label, "at", jstr(e, "at"), "reason",
                                        "leaves the emergency access group", "group",
                                        jstr(e, "name") ? jstr(e, "name") : gid));
        free(label);
    }
    json_decref(before);
    json_decref(after);
}

/* ---- the authentication methods policy (lockout_methods.h) ---- */

struct member_arg {
    struct ctx *c;
    const struct state *st;
    const struct ident *id;
};

static bool method_member(void *p, const char *gid)
{
    const struct member_arg *m = p;
    return in_group(m->c, m->st, gid, m->id->id);
}

/* Where the configuration declares the method's line (the plan action's "at"), or NULL. */
static const char *method_at(const struct ctx *c, const char *method)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c->plan, "actions"), i, a)
    {
        if (eq(jstr(a, "kind"), "authenticationMethodConfiguration") && eq(jstr(a, "name"), method))
            return jstr(a, "at");
    }
    return NULL;
}

/* An emergency account declared `satisfies fido2` (or x509_multifactor) must be able to use that
 * method after the plan: a methods policy that turns it off, or leaves the account out of its
 * targets, locks the account out of every policy that needs it. */
static void check_methods(struct ctx *c, const json_t *e, const struct ident *id,
                          struct result *res)
{
    const json_t *before =
        json_object_get(c->t->methods_policy, "authenticationMethodConfigurations");
    if (!c->t->methods_policy)
        return; /* the tenant's methods policy is unknown: nothing to compare */
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(e, "satisfies"), i, v)
    {
        const char *cap = json_string_value(v);
        const char *method = lockout_method_of(cap);
        const json_t *ca = method ? lockout_method_find(c->methods_after, method) : NULL;
        if (!ca)
            continue;
        struct member_arg after = {c, &c->after, id}, prior = {c, &c->before, id};
        const char *why_after, *why_before;
        if (lockout_method_usable(ca, method_member, &after, &why_after))
            continue;
        const json_t *cb = lockout_method_find(before, method);
        bool was = !cb || lockout_method_usable(cb, method_member, &prior, &why_before);
        json_t *pol = json_pack("{s:s,s:s,s:s,s:s?}", "kind", "method", "name", method, "decision",
                                why_after, "at", method_at(c, method));
        json_t *risk = json_pack(
            "{s:s,s:s,s:s?,s:s,s:{s:s,s:s},s:i,s:[o],s:O}", "kind", "emergencyMethod", "identity",
            id->label, "at", jstr(e, "at"), "reason", "cannot use the method", "scenario", "method",
            method, "capability", cap, "count", 1, "policies", pol, "satisfies", id->caps_j);
        json_array_append_new(was ? res->introduced : res->already, risk);
    }
}

static void check_emergency(struct ctx *c, const json_t *e, struct result *res)
{
    if (!jstr(e, "id"))
        return; /* unresolved: plan reported it as an error */
    struct ident id;
    ident_emergency(c, e, &id);
    ident_groups(c, &id);
    struct whatif_inputs ib, ia;
    ident_memberships(c, &c->after, &id);
    relevant_inputs(c, &c->after, &id, &ia);
    json_t *mo_after = json_incref(id.member_of), *ro_after = json_incref(id.roles);
    ident_memberships(c, &c->before, &id);
    relevant_inputs(c, &c->before, &id, &ib);
    json_t *mo_before = id.member_of, *ro_before = id.roles;
    id.member_of = id.roles = NULL;
    bool portals = false;
    if (json_array_size(ia.policies) > 0) {
        /* The dimensions of both sets, so that before and after see the same sign-ins. */
        json_t *both = json_copy(ia.policies);
        json_array_extend(both, ib.policies);
        json_t *locs = json_copy(c->after.locations);
        struct id_index lx;
        id_index_init(&lx);
        size_t i;
        json_t *l;
        json_array_foreach(c->before.locations, i, l)
        {
            if (find_id(&lx, locs, jstr(l, "id")) < 0)
                json_array_append(locs, l);
        }
        strmap_fini(&lx.map);
        struct lockout_scenarios sc;
        scenarios_emergency(both, locs, &c->left, &sc);
        json_t *groups = json_object();
        const char *at = jstr(e, "at");
        for (size_t k = 0; k < sc.n; k++) {
            portals |= eq(sc.v[k].app, "MicrosoftAdminPortals");
            id.member_of = mo_after;
            id.roles = ro_after;
            json_t *fa = evaluate(c, &ia, &id, &sc.v[k]);
            if (!fa)
                continue;
            id.member_of = mo_before;
            id.roles = ro_before;
            json_t *fb = evaluate(c, &ib, &id, &sc.v[k]);
            bool old = fb && all_failed_before(fa, fb);
            json_decref(fb);
            group_risk(c, groups, old ? res->already : res->introduced, &id, "emergency", at,
                       &sc.v[k], fa);
            json_decref(fa);
        }
        id.member_of = id.roles = NULL;
        json_decref(groups);
        lockout_scenarios_fini(&sc);
        json_decref(locs);
        json_decref(both);
    }
    /* Microsoft's mandatory MFA on the Azure portal, the Entra admin center and the Intune
     * admin center applies whatever the policies and their exclusions say (docs/whatif.md,
     * "Platform-enforced MFA"): when no scenario above reached the admin portals, one sign-in
     * there settles whether the account can satisfy it. */
    if (!portals) {
        struct lockout_scenario ap = {.app = "MicrosoftAdminPortals",
                                      .app_label = "Microsoft Admin Portals",
                                      .platform = "windows",
                                      .client = "browser"};
        id.member_of = mo_after;
        id.roles = ro_after;
        json_t *fa = evaluate(c, &ia, &id, &ap);
        /* only the platform's requirement: the tenant's policies are the loop's business */
        for (size_t k = json_array_size(fa); k-- > 0;)
            if (jstr(json_array_get(fa, k), "id") ||
                strncmp(jstr(json_array_get(fa, k), "name") ? jstr(json_array_get(fa, k), "name")
                                                            : "",
                        "Microsoft-enforced MFA", 22) != 0)
                json_array_remove(fa, k);
        if (json_array_size(fa) == 0) {
            json_decref(fa);
            fa = NULL;
        }
        if (fa) {
            id.member_of = mo_before;
            id.roles = ro_before;
            json_t *fb = evaluate(c, &ib, &id, &ap);
            bool old = fb && all_failed_before(fa, fb);
            json_decref(fb);
            json_t *groups = json_object();
            group_risk(c, groups, old ? res->already : res->introduced, &id, "emergency",
                       jstr(e, "at"), &ap, fa);
            json_decref(groups);
            json_decref(fa);
        }
        id.member_of = id.roles = NULL;
    }
    check_methods(c, e, &id, res);
    json_decref(mo_after);
    json_decref(ro_after);
    json_decref(mo_before);
    json_decref(ro_before);
    whatif_inputs_fini(&ia);
    whatif_inputs_fini(&ib);
    ident_fini(&id);
}

/* The users holding Global Administrator in a state (active or eligible; new reference). */
static json_t *global_admins(struct ctx *c, const struct state *st)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(st->roles, i, e)
    {
        if (!eq(jstr(e, "role"), LOCKOUT_GLOBAL_ADMIN))
            continue;
        const char *pid = jstr(e, "principalId");
        if (is_group(c, pid))
            users_in(c, st, pid, out);
        else
            add_unique(out, pid);
    }
    return out;
}

/* Whether some Global Administrator gets into the admin portals; otherwise *admins lists each
 * one's first failing sign-in. */
static bool admins_get_in(struct ctx *c, const struct state *st, const json_t *gas, json_t **admins)
{
    struct lockout_scenarios sc;
    lockout_scenarios_admin(st->locations, &sc);
    *admins = json_array();
    bool in = false;
    size_t i;
    json_t *u;
    json_array_foreach(util_json_mut(gas), i, u)
    {
        struct ident id;
        ident_admin(c, json_string_value(u), &id);
        ident_groups(c, &id);
        ident_memberships(c, st, &id);
        struct whatif_inputs inp;
        relevant_inputs(c, st, &id, &inp);
        json_t *first = NULL;
        size_t first_k = 0;
        bool ok = false;
        for (size_t k = 0; k < sc.n && !ok; k++) {
            json_t *f = evaluate(c, &inp, &id, &sc.v[k]);
            if (!f)
                ok = true;
            else if (!first) {
                first = f;
                first_k = k;
            } else {
                json_decref(f);
            }
        }
        if (!ok && first) {
            add_at(c, first);
            json_array_append_new(
                *admins, json_pack("{s:s,s:s,s:o,s:o}", "identity", id.label, "reason",
                                   any_block(first) ? "blocked" : "cannot satisfy", "scenario",
                                   scenario_json(&sc.v[first_k], &id), "policies", first));
        } else {
            json_decref(first);
        }
        whatif_inputs_fini(&inp);
        ident_fini(&id);
        if (ok) {
            in = true;
            break;
        }
    }
    lockout_scenarios_fini(&sc);
    return in;
}

static void check_admins(struct ctx *c, struct result *res)
{
    json_t *after = global_admins(c, &c->after);
    json_t *before = global_admins(c, &c->before);
    json_t *admins = NULL, *admins_before = NULL;
    if (json_array_size(after) == 0) {
        if (json_array_size(before) > 0)
            json_array_append_new(res->introduced,
                                  json_pack("{s:s,s:s,s:s,s:i,s:[],s:[]}", "kind",
                                            "globalAdministrators", "identity",
                                            "every Global Administrator", "reason",
                                            "no principal holds Global Administrator", "count", 0,
                                            "policies", "admins"));
        goto out;
    }
    if (admins_get_in(c, &c->after, after, &admins))
        goto out;
    bool old = json_array_size(before) > 0 && !admins_get_in(c, &c->before, before, &admins_before);
    json_t *policies = json_array();
    struct id_index px;
    id_index_init(&px);
    size_t i, j;
    json_t *a, *p;
    bool blocked = false;
    json_array_foreach(admins, i, a)
    {
        blocked |= eq(jstr(a, "reason"), "blocked");
        json_array_foreach(json_object_get(a, "policies"), j, p)
        {
            if (find_id(&px, policies, jstr(p, "id")) < 0)
                json_array_append(policies, p);
        }
    }
    strmap_fini(&px.map);
    char *label = xasprintf("every Global Administrator (%zu)", json_array_size(after));
    json_t *first = json_array_get(admins, 0);
    json_array_append_new(
        old ? res->already : res->introduced,
        json_pack("{s:s,s:s,s:s,s:O,s:I,s:o,s:O}", "kind", "globalAdministrators", "identity",
                  label, "reason", blocked ? "blocked" : "cannot satisfy", "scenario",
                  json_object_get(first, "scenario"), "count", (json_int_t)json_array_size(admins),
                  "policies", policies, "admins", admins));
    free(label);
out:
    json_decref(admins);
    json_decref(admins_before);
    json_decref(after);
    json_decref(before);
}

/* ---- PIM activation of Global Administrator (docs/lockout.md, "PIM role settings") ---- */

/* A rule of Global Administrator's PIM policy: the plan's PATCH of it when the plan changes it
 * (`after`), else the tenant's. Borrowed; NULL when the tenant has no such policy or rule. */
static const json_t *ga_rule(struct ctx *c, const json_t *plan, const char *rule_id, bool after,
                             const char **at)
{
    const json_t *policy = tenant_role_policy(c->t, LOCKOUT_GLOBAL_ADMIN);
    const char *pid = jstr(policy, "id");
    size_t i, j;
    json_t *a, *r;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        if (!eq(jstr(a, "kind"), "unifiedRoleManagementPolicy") || !pid || !eq(jstr(a, "id"), pid))
            continue;
        *at = jstr(a, "at");
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            const char *path = jstr(r, "path");
            size_t n = path ? strlen(path) : 0, m = strlen(rule_id);
            if (after && eq(jstr(r, "method"), "PATCH") && n > m &&
                strcmp(path + n - m, rule_id) == 0 && path[n - m - 1] == '/')
                return json_object_get(r, "body");
        }
    }
    json_array_foreach(json_object_get(policy, "rules"), i, r)
    {
        if (eq(jstr(r, "id"), rule_id))
            return r;
    }
    return NULL;
}

/* The users who may approve an activation (groups expanded), or NULL when none is needed. */
static json_t *ga_approvers(struct ctx *c, const struct state *st, const json_t *rule)
{
    const json_t *set = json_object_get(rule, "setting");
    if (!json_is_true(json_object_get(set, "isApprovalRequired")))
        return NULL;
    json_t *out = json_array();
    size_t i, j;
    json_t *stage, *who;
    json_array_foreach(json_object_get(set, "approvalStages"), i, stage)
    {
        json_array_foreach(json_object_get(stage, "primaryApprovers"), j, who)
        {
            if (jstr(who, "userId"))
                add_unique(out, jstr(who, "userId"));
            else if (jstr(who, "groupId"))
                users_in(c, st, jstr(who, "groupId"), out);
        }
    }
    return out;
}

/* Is this end ("2027-01-31T00:00:00Z") already past? SOURCE_DATE_EPOCH stands for now when set
 * (reproducible plans). */
static bool lockout_past(const char *end)
{
    return util_iso_past(end);
}

/* Users holding Global Administrator in `st`: through an active assignment (into `active`) or
 * only through a PIM eligibility (into `eligible`). `ending`: eligible-only users whose every
 * eligibility ends (user -> an end); `active_ending`: users whose every path (active or
 * eligible) ends, with at least one time-bound active assignment (user -> its end). */
static void ga_holders(struct ctx *c, const struct state *st, json_t *active, json_t *eligible,
                       json_t *ending, json_t *active_ending)
{
    json_t *elig_all = json_array(), *lasting = json_array(), *act_lasting = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(st->roles, i, e)
    {
        if (!eq(jstr(e, "role"), LOCKOUT_GLOBAL_ADMIN))
            continue;
        bool elig = json_is_true(json_object_get(e, "eligible"));
        json_t *into = elig ? elig_all : active;
        const char *pid = jstr(e, "principalId");
        json_t *reached = json_array();
        if (is_group(c, pid))
            users_in(c, st, pid, reached);
        else
            add_unique(reached, pid);
        size_t j;
        json_t *u;
        json_array_foreach(reached, j, u)
        {
            add_unique(into, json_string_value(u));
            if (elig && !jstr(e, "until"))
                add_unique(lasting, json_string_value(u));
            else if (elig && !json_object_get(ending, json_string_value(u)))
                json_object_set_new(ending, json_string_value(u), json_string(jstr(e, "until")));
            else if (!elig && !jstr(e, "until"))
                add_unique(act_lasting, json_string_value(u));
            else if (!elig && !json_object_get(active_ending, json_string_value(u)))
                json_object_set_new(active_ending, json_string_value(u),
                                    json_string(jstr(e, "until")));
        }
        json_decref(reached);
    }
    json_array_foreach(elig_all, i, e)
    {
        if (!arr_has(active, json_string_value(e)))
            add_unique(eligible, json_string_value(e));
        if (arr_has(lasting, json_string_value(e)))
            json_object_del(ending, json_string_value(e));
    }
    json_array_foreach(act_lasting, i, e)
    {
        json_object_del(active_ending, json_string_value(e));
    }
    json_array_foreach(lasting, i, e)
    {
        json_object_del(active_ending, json_string_value(e));
    }
    json_decref(elig_all);
    json_decref(lasting);
    json_decref(act_lasting);
}

/* Can user `u`, eligible only, activate Global Administrator? NULL when yes, else why not. */
static char *ga_activation_blocked(const json_t *approvers, const char *u)
{
    if (!approvers)
        return NULL;
    size_t i;
    json_t *a;
    json_array_foreach(util_json_mut(approvers), i, a)
    {
        if (!eq(json_string_value(a), u))
            return NULL;
    }
    return xstrdup(json_array_size(approvers) == 0
                       ? "activation needs an approval, and the approval rule names nobody who "
                         "could give it"
                       : "activation needs an approval, and its only approver is the account "
                         "itself (PIM does not let a requestor approve their own request)");
}

/* The reasons, per user label, that the PIM settings keep eligible holders out; NULL if none. */
static json_t *ga_pim_risks(struct ctx *c, const json_t *plan, const struct state *st, bool after,
                            const char **at)
{
    const json_t *approval = ga_rule(c, plan, "Approval_EndUser_Assignment", after, at);
    const json_t *enable = ga_rule(c, plan, "Enablement_EndUser_Assignment", after, at);
    json_t *approvers = ga_approvers(c, st, approval);
    json_t *active = json_array(), *eligible = json_array(), *ending = json_object();
    json_t *active_ending = json_object();
    ga_holders(c, st, active, eligible, ending, active_ending);
    json_t *out = json_object();
    bool mfa = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(enable, "enabledRules"), i, v)
    {
        mfa |= eq(json_string_value(v), "MultiFactorAuthentication");
    }
    /* everyone who could be Global Administrator can only activate, and nobody can approve */
    if (json_array_size(active) == 0 && json_array_size(eligible) > 0) {
        char *why = NULL;
        bool all = true;
        json_array_foreach(eligible, i, v)
        {
            char *w = ga_activation_blocked(approvers, json_string_value(v));
            if (!w)
                all = false;
            free(why);
            why = w;
        }
        if (all && why)
            json_object_set_new(out, "every Global Administrator", json_string(why));
        free(why);
    }
    /* an emergency-access user whose every Global Administrator path is a time-bound active
     * assignment (or ends too): Microsoft's emergency-access accounts hold the role
     * permanently ("Manage emergency access admin accounts in Microsoft Entra ID") */
    json_array_foreach(json_object_get(plan, "emergencyAccess"), i, v)
    {
        const char *id = jstr(v, "id");
        const char *end = id ? json_string_value(json_object_get(active_ending, id)) : NULL;
        if (!end || !eq(jstr(v, "kind"), "user"))
            continue;
        char *why = xasprintf("its only path to the role is an active assignment that ends on "
                              "%s%s",
                              end, lockout_past(end) ? " (already expired)" : "");
        char *label =
            xasprintf("emergency-access %s (time-bound)", jstr(v, "name") ? jstr(v, "name") : id);
        json_object_set_new(out, label, json_string(why));
        free(label);
        free(why);
    }
    /* an emergency-access user whose only Global Administrator path is an eligibility */
    json_array_foreach(json_object_get(plan, "emergencyAccess"), i, v)
    {
        const char *id = jstr(v, "id");
        if (!id || !eq(jstr(v, "kind"), "user") || !arr_has(eligible, id))
            continue;
        char *why = ga_activation_blocked(approvers, id);
        bool can_mfa = arr_has(json_object_get(v, "satisfies"), "mfa") ||
                       arr_has(json_object_get(v, "satisfies"), "fido2") ||
                       arr_has(json_object_get(v, "satisfies"), "windows_hello") ||
                       arr_has(json_object_get(v, "satisfies"), "x509_multifactor");
        if (!why && mfa && !can_mfa)
            why = xstrdup("activation needs multifactor authentication, which this account "
                          "cannot do (emergency_access ... satisfies)");
        if (!why && json_object_get(ending, id))
            why = xasprintf("its only path to the role is an eligibility that ends on %s%s",
                            json_string_value(json_object_get(ending, id)),
                            lockout_past(json_string_value(json_object_get(ending, id)))
                                ? " (already expired)"
                                : "");
        if (why) {
            char *label = xasprintf("emergency-access %s (eligible only)",
                                    jstr(v, "name") ? jstr(v, "name") : id);
            json_object_set_new(out, label, json_string(why));
            free(label);
            free(why);
        }
    }
    json_decref(approvers);
    json_decref(active);
    json_decref(eligible);
    json_decref(ending);
    json_decref(active_ending);
    return out;
}

static void check_pim(struct ctx *c, const json_t *plan, struct result *res)
{
    const char *at = NULL, *at_before = NULL;
    json_t *after = ga_pim_risks(c, plan, &c->after, true, &at);
    json_t *before = ga_pim_risks(c, plan, &c->before, false, &at_before);
    const char *who;
    json_t *why;
    json_object_foreach(after, who, why)
    {
        json_t *policies =
            json_pack("[{s:s,s:s?,s:O}]", "name", "PIM role settings of Global Administrator", "at",
                      at, "decision", why);
        json_array_append_new(
            json_object_get(before, who) ? res->already : res->introduced,
            json_pack("{s:s,s:s,s:s,s:O,s:{s:s},s:i,s:o}", "kind", "pim", "identity", who, "reason",
                      strstr(who, "(time-bound)") ? "loses the role" : "cannot activate", "detail",
                      why, "scenario", "pim", "activating Global Administrator in PIM", "count", 1,
                      "policies", policies));
    }
    json_decref(after);
    json_decref(before);
}

/* An emergency-access account the plan disables (a `user` block with `enabled off`: PATCH
 * /users/{id} or POST /users with accountEnabled false) cannot sign in at all, whatever the
 * policies say ("Manage emergency access accounts in Microsoft Entra ID": the accounts must be
 * ready for use at any time). */
static void check_accounts(const json_t *plan, struct result *res)
{
    size_t i, j, k;
    json_t *e, *a, *r;
    json_array_foreach(json_object_get(plan, "emergencyAccess"), i, e)
    {
        const char *id = jstr(e, "id");
        if (!id || !eq(jstr(e, "kind"), "user"))
            continue;
        json_array_foreach(json_object_get(plan, "actions"), j, a)
        {
            json_array_foreach(json_object_get(a, "requests"), k, r)
            {
                const char *method = jstr(r, "method"), *path = jstr(r, "path");
                const json_t *body = json_object_get(r, "body");
                bool mine = path && strncmp(path, "users/", 6) == 0 && eq(path + 6, id) &&
                            eq(method, "PATCH");
                bool created = path && eq(path, "users") && eq(method, "POST") &&
                               eq(jstr(body, "userPrincipalName"), jstr(e, "name"));
                if ((!mine && !created) || !json_is_false(json_object_get(body, "accountEnabled")))
                    continue;
                json_t *policies =
                    json_pack("[{s:s,s:s?,s:s}]", "name", "the account's user block", "at",
                              jstr(a, "at"), "decision", "enabled off (accountEnabled false)");
                json_array_append_new(
                    res->introduced,
                    json_pack("{s:s,s:s,s:s,s:s,s:{s:s},s:i,s:o}", "kind", "account", "identity",
                              jstr(e, "name") ? jstr(e, "name") : id, "reason", "account disabled",
                              "detail",
                              "the plan disables the account (enabled off): a disabled account "
                              "cannot sign in",
                              "scenario", "pim", "any sign-in", "count", 1, "policies", policies));
            }
        }
    }
}

static void collect_at(struct ctx *c, const json_t *plan, const json_t *policy_at)
{
    c->at = json_object();
    size_t i, j;
    json_t *a, *r;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        const char *at = jstr(a, "at");
        if (!at || !eq(jstr(a, "kind"), "conditionalAccessPolicy"))
            continue;
        if (jstr(a, "id"))
            json_object_set_new(c->at, jstr(a, "id"), json_string(at));
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            if (jstr(r, "creates"))
                json_object_set_new(c->at, jstr(r, "creates"), json_string(at));
        }
    }
    if (json_is_object(policy_at))
        json_object_update(c->at, util_json_mut(policy_at));
}

/* The guard protects only what the configuration declares. When an emergency_access line is
 * deleted, nothing in the plan says that an account was one. The tenant does: Microsoft's
 * guidance is to exclude emergency access accounts from every Conditional Access policy
 * ("Manage emergency access accounts in Microsoft Entra ID",
 * https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access).
 * So a user that every enabled policy for all users excludes by name before the plan, and that
 * is not declared, is named (an approximation, stated in docs/lockout.md). New reference. */
static json_t *undeclared_emergency(struct ctx *c, const json_t *declared)
{
    json_t *common = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(c->before.policies, i, p)
    {
        const json_t *users = json_object_get(cond(p, "users"), "includeUsers");
        if (!eq(jstr(p, "state"), "enabled") || !arr_has(users, "All"))
            continue;
        const json_t *ex = json_object_get(cond(p, "users"), "excludeUsers");
        if (!common) {
            common = json_array();
            json_array_extend(common, util_json_mut(ex));
            continue;
        }
        for (size_t k = json_array_size(common); k-- > 0;)
            if (!arr_has(ex, json_string_value(json_array_get(common, k))))
                json_array_remove(common, k);
    }
    json_t *out = json_array();
    json_array_foreach(common, i, p)
    {
        const char *uid = json_string_value(p);
        bool known = false;
        size_t k;
        json_t *e;
        json_array_foreach(util_json_mut(declared), k, e)
        {
            known |= eq(jstr(e, "id"), uid);
        }
        if (!uid || known || !tenant_by_id(c->t, TK_USER, uid))
            continue;
        char *who = tenant_describe_id(c->t, uid, TK_USER);
        json_array_append_new(out, json_string(who ? who : uid));
        free(who);
    }
    json_decref(common);
    return out;
}

/* The tenant's state before the plan and after it (its requests replayed), their named
 * locations indexed. */
static void ctx_init(struct ctx *c, const json_t *plan, struct tenant *t, unsigned flags,
                     json_t *const *made)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->plan = plan;
    c->flags = flags;
    c->made = made;
    c->adds = json_object();
    c->removes = json_object();
    c->created = json_object();
    c->rules = json_object();
    c->deleted = json_object();
    c->tmembers = json_object();
    state_before(c);
    state_after(c, plan);
    c->made = NULL; /* the caller's: not used again */
    struct state *st[2] = {&c->before, &c->after};
    for (size_t k = 0; k < 2; k++) {
        st[k]->locix = whatif_locindex_new_lazy(st[k]->locations, stub_ranges, c);
        st[k]->in = (struct whatif_inputs){st[k]->policies, st[k]->locations, st[k]->strengths};
    }
}

static void ctx_fini(struct ctx *c)
{
    state_fini(&c->before);
    state_fini(&c->after);
    json_decref(c->adds);
    json_decref(c->removes);
    json_decref(c->created);
    json_decref(c->rules);
    json_decref(c->deleted);
    json_decref(c->tmembers);
    json_decref(c->at);
    json_decref(c->methods_after);
    free(c->stubs);
}

struct lockout_states {
    struct ctx c;
};

struct lockout_states *lockout_states_new_with(const json_t *plan, struct tenant *t, unsigned flags,
                                               json_t *const *stubs)
{
    struct lockout_states *s = xcalloc(1, sizeof(*s));
    ctx_init(&s->c, plan, t, flags, stubs);
    return s;
}

struct lockout_states *lockout_states_new(const json_t *plan, struct tenant *t, unsigned flags)
{
    return lockout_states_new_with(plan, t, flags, NULL);
}

void lockout_states_free(struct lockout_states *s)
{
    if (!s)
        return;
    ctx_fini(&s->c);
    free(s);
}

const struct whatif_inputs *lockout_states_inputs(const struct lockout_states *s, bool after)
{
    return after ? &s->c.after.in : &s->c.before.in;
}

const struct whatif_locindex *lockout_states_locindex(const struct lockout_states *s, bool after)
{
    return after ? s->c.after.locix : s->c.before.locix;
}

json_t *lockout_analyse_states(struct lockout_states *s, const json_t *policy_at)
{
    struct ctx *c = &s->c;
    const json_t *plan = c->plan;
    c->evaluations = 0;
    collect_at(c, plan, policy_at);
    c->methods_after = lockout_methods_after(c->t->methods_policy, plan);
    struct result res = {json_array(), json_array()};
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(plan, "emergencyAccess"), i, e)
    {
        check_emergency(c, e, &res);
    }
    json_array_foreach(json_object_get(plan, "emergencyAccess"), i, e)
    {
        check_emergency_members(c, e, &res);
    }
    check_admins(c, &res);
    check_pim(c, plan, &res);
    check_accounts(plan, &res);
    json_t *out = json_pack("{s:o,s:o,s:I,s:o}", "scenarios", res.introduced, "alreadyAtRisk",
                            res.already, "evaluations", (json_int_t)c->evaluations, "undeclared",
                            undeclared_emergency(c, json_object_get(plan, "emergencyAccess")));
    json_decref(c->at);
    json_decref(c->methods_after);
    c->at = c->methods_after = NULL;
    return out;
}

json_t *lockout_analyse(const json_t *plan, struct tenant *t, const json_t *policy_at)
{
    struct lockout_states *s = lockout_states_new(plan, t, 0);
    json_t *out = lockout_analyse_states(s, policy_at);
    lockout_states_free(s);
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Recording and printing                                                                   */

char *lockout_scenario_text(const json_t *s)
{
    if (!json_is_object(s))
        return xstrdup("");
    if (jstr(s, "method"))
        return xasprintf("any sign-in that needs %s (the %s method)", jstr(s, "capability"),
                         jstr(s, "method"));
    if (jstr(s, "pim"))
        return xstrdup(jstr(s, "pim"));
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s, platform %s, client %s, from %s, risk %s, %s", jstr(s, "app"),
                jstr(s, "platform"), jstr(s, "client"), jstr(s, "location"), jstr(s, "risk"),
                jstr(s, "device"));
    if (jstr(s, "flow"))
        strbuf_addf(&sb, ", flow %s", jstr(s, "flow"));
    if (jstr(s, "insiderRisk"))
        strbuf_addf(&sb, ", insider risk %s", jstr(s, "insiderRisk"));
    return strbuf_detach(&sb);
}

char *lockout_policies_text(const json_t *policies)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *p;
    json_array_foreach(util_json_mut(policies), i, p)
    {
        if (eq(jstr(p, "kind"), "method")) {
            strbuf_addf(&sb, "%sthe authentication methods policy's %s configuration",
                        i ? "; " : "", jstr(p, "name"));
            if (jstr(p, "at"))
                strbuf_addf(&sb, " (%s)", jstr(p, "at"));
            strbuf_addf(&sb, ": %s", jstr(p, "decision"));
            continue;
        }
        char *q = quote(jstr(p, "name"));
        strbuf_addf(&sb, "%spolicy %s", i ? "; " : "", q);
        free(q);
        if (jstr(p, "at"))
            strbuf_addf(&sb, " (%s)", jstr(p, "at"));
        strbuf_addf(&sb, ": %s", jstr(p, "decision"));
    }
    return strbuf_detach(&sb);
}

char *lockout_headline(const json_t *risk)
{
    const char *reason = jstr(risk, "reason");
    if (eq(jstr(risk, "kind"), "pim") && eq(reason, "loses the role"))
        return xasprintf("%s would lose Global Administrator: %s", jstr(risk, "identity"),
                         jstr(risk, "detail"));
    if (eq(jstr(risk, "kind"), "pim"))
        return xasprintf("%s could not activate Global Administrator: %s", jstr(risk, "identity"),
                         jstr(risk, "detail"));
    if (eq(jstr(risk, "kind"), "account"))
        return xasprintf("emergency-access %s could not sign in: %s", jstr(risk, "identity"),
                         jstr(risk, "detail"));
    if (eq(jstr(risk, "kind"), "globalAdministrators")) {
        if (eq(reason, "no principal holds Global Administrator"))
            return xstrdup("no principal would hold Global Administrator");
        return xasprintf("%s would be %s from the Microsoft Admin Portals", jstr(risk, "identity"),
                         eq(reason, "blocked") ? "blocked" : "unable to satisfy the controls");
    }
    if (eq(reason, "blocked"))
        return xasprintf("emergency-access %s would be blocked", jstr(risk, "identity"));
    if (eq(reason, "leaves the emergency access group"))
        return xasprintf("%s would leave the emergency access group \"%s\": it is protected "
                         "before this plan and would not be after it",
                         jstr(risk, "identity"), jstr(risk, "group"));
    if (eq(jstr(risk, "kind"), "emergencyMethod")) {
        const json_t *sc = json_object_get(risk, "scenario");
        return xasprintf("emergency-access %s is declared to satisfy %s but could not use %s: "
                         "the authentication methods policy has it %s",
                         jstr(risk, "identity"), jstr(sc, "capability"), jstr(sc, "method"),
                         jstr(json_array_get(json_object_get(risk, "policies"), 0), "decision"));
    }
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(risk, "satisfies"), i, v)
    {
        strbuf_addf(&sb, "%s%s", i ? ", " : "", json_string_value(v));
    }
    char *s = xasprintf("emergency-access %s would be required to satisfy a control it cannot "
                        "(it satisfies: %s)",
                        jstr(risk, "identity"), strbuf_str(&sb));
    strbuf_fini(&sb);
    return s;
}

void lockout_record(json_t *plan, const json_t *analysis)
{
    const json_t *risks = json_object_get(analysis, "scenarios");
    if (json_array_size(risks) > 0)
        json_object_set_new(plan, "lockoutRisk",
                            json_pack("{s:b,s:O}", "allowed", 0, "scenarios", risks));
    json_t *warnings = json_object_get(plan, "warnings");
    if (!warnings) {
        warnings = json_array();
        json_object_set_new(plan, "warnings", warnings);
    }
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(analysis, "undeclared"), i, r)
    {
        char *msg = xasprintf(
            "%s is excluded from every enabled policy for all users, as emergency access "
            "accounts are, but the configuration does not declare it with emergency_access: the "
            "lockout guard does not protect it (if it is a break-glass account, declare it)",
            json_string_value(r));
        json_array_append_new(warnings, json_pack("{s:s}", "message", msg));
        free(msg);
    }
    json_array_foreach(json_object_get(analysis, "alreadyAtRisk"), i, r)
    {
        char *h = lockout_headline(r);
        char *sc = lockout_scenario_text(json_object_get(r, "scenario"));
        char *pol = lockout_policies_text(json_object_get(r, "policies"));
        char *msg = xasprintf("lockout risk already in the tenant (not introduced by this plan): "
                              "%s: %s; decided by %s",
                              h, sc, pol);
        json_array_append_new(warnings, json_pack("{s:s}", "message", msg));
        free(msg);
        free(h);
        free(sc);
        free(pol);
    }
}

const json_t *lockout_risks(const json_t *plan)
{
    return json_object_get(json_object_get(plan, "lockoutRisk"), "scenarios");
}

bool lockout_allowed(const json_t *plan)
{
    return json_is_true(json_object_get(json_object_get(plan, "lockoutRisk"), "allowed"));
}

void lockout_allow(json_t *plan)
{
    json_t *lr = json_object_get(plan, "lockoutRisk");
    if (lr)
        json_object_set_new(lr, "allowed", json_true());
}

void lockout_print(const json_t *risks, bool refused, bool color, FILE *f)
{
    const char *on = color ? (refused ? "\033[1;31m" : "\033[1;33m") : "";
    const char *off = color ? "\033[0m" : "";
    const char *word = refused ? "error" : "warning";
    size_t i;
    json_t *r;
    json_array_foreach(util_json_mut(risks), i, r)
    {
        char *h = lockout_headline(r);
        fprintf(f, "%s%s:%s lockout: after this plan, %s\n", on, word, off, h);
        free(h);
        const json_t *admins = json_object_get(r, "admins");
        if (json_array_size(admins) > 0) {
            size_t j;
            json_t *a;
            json_array_foreach(util_json_mut(admins), j, a)
            {
                if (j == 20) {
                    fprintf(f, "  ... and %zu more\n", json_array_size(admins) - j);
                    break;
                }
                char *sc = lockout_scenario_text(json_object_get(a, "scenario"));
                char *pol = lockout_policies_text(json_object_get(a, "policies"));
                fprintf(f, "  %s: %s\n    sign-in: %s\n    decided by: %s\n", jstr(a, "identity"),
                        jstr(a, "reason"), sc, pol);
                free(sc);
                free(pol);
            }
            continue;
        }
        if (json_object_get(r, "scenario")) {
            char *sc = lockout_scenario_text(json_object_get(r, "scenario"));
            json_int_t more = json_integer_value(json_object_get(r, "count")) - 1;
            fprintf(f, "  sign-in: %s", sc);
            if (more > 0)
                fprintf(f, " (and %lld more sign-in%s decided alike)", (long long)more,
                        more == 1 ? "" : "s");
            fputc('\n', f);
            free(sc);
            char *pol = lockout_policies_text(json_object_get(r, "policies"));
            fprintf(f, "  decided by: %s\n", pol);
            free(pol);
        }
        if (jstr(r, "at"))
            fprintf(f, "  note: emergency access declared at %s\n", jstr(r, "at"));
    }
}
