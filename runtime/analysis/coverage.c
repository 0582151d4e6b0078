/* coverage.c — building the persona matrix (personas, apps, platforms, client app types and
 * location classes from the policies) and evaluating every cell. docs/coverage.md. */
#include "runtime/analysis/coverage.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/strmap.h"
#include "compiler/util.h"
#include "runtime/analysis/whatif_compiled.h"
#include "runtime/analysis/whatif_int.h"

#define MAX_APPS      16 /* referenced apps beyond this many are not given their own column */
#define MAX_LOCATIONS COVERAGE_MAX_LOCATIONS                 /* coverage.h */
#define OTHER_APP     "00000000-0000-4000-8000-00000000c0de" /* stands for "any other app" */

const char *const coverage_risk_labels[COVERAGE_RISKS] = {
    "sign-in risk low", "sign-in risk medium", "sign-in risk high",
    "user risk low",    "user risk medium",    "user risk high",
};

const char *coverage_class_name(enum coverage_class k)
{
    static const char *const n[] = {"block", "strength", "mfa", "device", "weak", "allow"};
    return (unsigned)k < COVERAGE__COUNT ? n[k] : "?";
}

size_t coverage_cell(const struct coverage *c, size_t persona, size_t app, size_t loc, size_t plat,
                     size_t client)
{
    return (((persona * c->napps + app) * c->nlocations + loc) * c->nplatforms + plat) *
               c->nclients +
           client;
}

/* ---------------------------------------------------------------------------------------- */
/* Personas                                                                                  */

struct cand {
    const char *kind;
    char *key;         /* the reference as the policies hold it: name or id */
    struct strbuf sig; /* "i3,e7," — which policies include or exclude it */
    size_t last[2];    /* the last policy (+ 1) marked excluding / including it */
};

struct cands {
    struct cand *v;
    size_t n, cap;
    struct strmap index; /* "kind\x1fkey" (case-insensitive) -> position in v */
};

static struct cand *cand_get(struct cands *cs, const char *kind, const char *key)
{
    char buf[256];
    size_t nkind = strlen(kind), nkey = strlen(key);
    char *k = nkind + nkey + 2 <= sizeof(buf) ? buf : xmalloc(nkind + nkey + 2);
    memcpy(k, kind, nkind);
    k[nkind] = '\x1f';
    memcpy(k + nkind + 1, key, nkey + 1);
    size_t at = strmap_put_first(&cs->index, k, cs->n);
    if (k != buf)
        free(k);
    if (at < cs->n)
        return &cs->v[at];
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 64;
        cs->v = xrealloc(cs->v, cs->cap * sizeof(*cs->v));
    }
    struct cand *c = &cs->v[cs->n++];
    c->kind = kind;
    c->key = xstrdup(key);
    strbuf_init(&c->sig);
    c->last[0] = c->last[1] = 0;
    return c;
}

/* Appends "i12," (or "e12,") to a signature. */
static void sig_add(struct strbuf *sig, char side, size_t policy)
{
    char t[32];
    size_t n = sizeof(t);
    t[--n] = ',';
    do {
        t[--n] = (char)('0' + policy % 10);
        policy /= 10;
    } while (policy);
    t[--n] = side;
    strbuf_add(sig, t + n, sizeof(t) - n);
}

static void cand_ref(struct cands *cs, const char *kind, const char *key, size_t policy, bool inc)
{
    struct cand *c = cand_get(cs, kind, key);
    if (c->last[inc] == policy + 1) /* policies are read in order: a repeat is the last one */
        return;
    c->last[inc] = policy + 1;
    sig_add(&c->sig, inc ? 'i' : 'e', policy);
}

static bool is_emergency(const struct coverage_options *o, const char *key)
{
    for (size_t i = 0; o->emergency && o->emergency[i]; i++)
        if (util_streq_nocase(o->emergency[i], key))
            return true;
    return false;
}

static void collect_personas(const json_t *policies, const struct coverage_options *o,
                             struct cands *cs)
{
    cand_get(cs, "all users", "All");
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        static const char *const keys[] = {
            "excludeUsers", "excludeGroups", "excludeRoles", "excludeGuestsOrExternalUsers",
            "includeUsers", "includeGroups", "includeRoles", "includeGuestsOrExternalUsers"};
        const json_t *v8[8]; /* each side's lists, read in one pass */
        whatif_jget_many(whatif_jget(whatif_jget(p, "conditions"), "users"), keys, 8, v8);
        for (int inc = 1; inc >= 0; inc--) {
            const json_t *const *l = v8 + 4 * inc;
            size_t j;
            const json_t *v;
            json_array_foreach(l[0], j, v)
            {
                const char *k = whatif_item_key(v);
                if (!k || whatif_eq(k, "All") || whatif_eq(k, "None"))
                    continue;
                if (whatif_eq(k, "GuestsOrExternalUsers"))
                    cand_ref(cs, "guest", "b2bCollaborationGuest", i, inc);
                else
                    cand_ref(cs, is_emergency(o, k) ? "emergency" : "user", k, i, inc);
            }
            json_array_foreach(l[1], j, v)
            {
                if (whatif_item_key(v))
                    cand_ref(cs, "group", whatif_item_key(v), i, inc);
            }
            json_array_foreach(l[2], j, v)
            {
                if (whatif_item_key(v))
                    cand_ref(cs, "role", whatif_item_key(v), i, inc);
            }
            const char *types = json_string_value(whatif_jget(l[3], "guestOrExternalUserTypes"));
            while (types && *types) {
                size_t n = strcspn(types, ",");
                char t[64];
                snprintf(t, sizeof(t), "%.*s", (int)n, types);
                char *s = t;
                while (isspace((unsigned char)*s))
                    s++;
                if (*s && strcmp(s, "none") != 0)
                    cand_ref(cs, "guest", s, i, inc);
                types += n + (types[n] == ',');
            }
        }
    }
    cand_get(cs, "guest", "b2bCollaborationGuest");
}

static char *display_name(const struct coverage_options *o, const char *kind, const char *key)
{
    if (strcmp(kind, "role") == 0) {
        const struct catalog_role *r = catalog_role_by_id(key);
        return xstrdup(r ? r->name : key);
    }
    if (strcmp(kind, "guest") == 0) {
        const struct catalog_entry *e = catalog_lookup_graph(CAT_GUEST_TYPE, key);
        return xasprintf("guest (%s)", e ? e->keyword : key);
    }
    if (strcmp(kind, "all users") == 0)
        return xstrdup("All users");
    const char *n =
        o->tenant && catalog_is_guid(key) ? whatif_tenant_name_of(o->tenant, key) : NULL;
    if (!n && o->name_of)
        n = o->name_of(o->name_arg, key);
    return xstrdup(n ? n : key);
}

static char **strv_push(char **v, const char *s)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    v = xrealloc(v, (n + 2) * sizeof(char *));
    v[n] = xstrdup(s);
    v[n + 1] = NULL;
    return v;
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* "persona-12@coverage.invalid": the user of persona number n (from 1) that is not a user. */
static char *persona_user(size_t n)
{
    char t[64];
    static const char tail[] = "@coverage.invalid";
    size_t at = sizeof(t) - sizeof(tail);
    memcpy(t + at, tail, sizeof(tail));
    do {
        t[--at] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    static const char head[] = "persona-";
    at -= sizeof(head) - 1;
    memcpy(t + at, head, sizeof(head) - 1);
    return xstrdup(t + at);
}

static const char *const kind_order[] = {"all users", "group",     "role",
                                         "user",      "emergency", "guest"};

/* The candidates of one kind that make one persona: the same kind with the very same policy
 * references (a non-empty signature), in the candidates' order. */
struct cand_group {
    size_t *v;
    size_t n, cap;
};

static void build_personas(struct coverage *c, struct cands *cs, const struct coverage_options *o)
{
    c->personas = xcalloc(cs->n ? cs->n : 1, sizeof(*c->personas));
    struct cand_group *groups = xcalloc(cs->n ? cs->n : 1, sizeof(*groups));
    for (size_t ko = 0; ko < IDPC_ARRAY_LEN(kind_order); ko++) {
        size_t ngroups = 0;
        struct strmap bysig; /* signature -> group */
        strmap_init(&bysig, false);
        for (size_t i = 0; i < cs->n; i++) {
            struct cand *a = &cs->v[i];
            if (strcmp(a->kind, kind_order[ko]) != 0)
                continue;
            size_t g = ngroups;
            if (a->sig.len)
                g = strmap_put_first(&bysig, strbuf_str(&a->sig), ngroups);
            if (g == ngroups)
                memset(&groups[ngroups++], 0, sizeof(*groups));
            struct cand_group *gr = &groups[g];
            if (gr->n == gr->cap) {
                gr->cap = gr->cap ? gr->cap * 2 : 4;
                gr->v = xrealloc(gr->v, gr->cap * sizeof(size_t));
            }
            gr->v[gr->n++] = i;
        }
        strmap_fini(&bysig);
        for (size_t g = 0; g < ngroups; g++) {
            struct cand *a = &cs->v[groups[g].v[0]];
            struct coverage_persona *p = &c->personas[c->npersonas++];
            p->kind = kind_order[ko];
            p->members = xcalloc(groups[g].n, sizeof(char *));
            for (size_t j = 0; j < groups[g].n; j++) {
                struct cand *b = &cs->v[groups[g].v[j]];
                p->members[p->nmembers++] = display_name(o, b->kind, b->key);
            }
            free(groups[g].v);
            if (p->nmembers > 1)
                p->name = xasprintf("%s (+%zu %s%s)", p->members[0], p->nmembers - 1,
                                    strcmp(p->kind, "emergency") == 0 ? "user" : p->kind,
                                    p->nmembers > 2 ? "s" : "");
            else
                p->name = xstrdup(p->members[0]);
            if (strcmp(p->kind, "emergency") == 0) {
                char *n = xasprintf("%s [emergency access]", p->name);
                free(p->name);
                p->name = n;
            }
            /* the sign-in */
            if (strcmp(p->kind, "user") == 0 || strcmp(p->kind, "emergency") == 0)
                p->user = xstrdup(a->key);
            else
                p->user = persona_user(c->npersonas);
            p->member_of = xcalloc(1, sizeof(char *));
            p->roles = xcalloc(1, sizeof(char *));
            if (strcmp(p->kind, "group") == 0) {
                p->member_of = strv_push(p->member_of, a->key);
                size_t k;
                const json_t *gp;
                json_array_foreach(json_object_get(o->parents, a->key), k, gp)
                {
                    p->member_of = strv_push(p->member_of, json_string_value(gp));
                }
            } else if (strcmp(p->kind, "role") == 0) {
                p->roles = strv_push(p->roles, a->key);
            } else if (strcmp(p->kind, "guest") == 0) {
                p->guest_type = xstrdup(a->key);
            }
        }
    }
    free(groups);
}

/* ---------------------------------------------------------------------------------------- */
/* Apps, platforms, clients, locations                                                       */

static void add_value(struct coverage_value **v, size_t *n, const char *label, const char *value,
                      int target)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].target == target && whatif_eq((*v)[i].value, value))
            return;
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    struct coverage_value *x = &(*v)[(*n)++];
    memset(x, 0, sizeof(*x));
    x->label = xstrdup(label);
    x->value = value ? xstrdup(value) : NULL;
    x->target = target;
}

static void build_apps(struct coverage *c, const json_t *policies)
{
    add_value(&c->apps, &c->napps, "Office 365", "Office365", 0);
    add_value(&c->apps, &c->napps, "Admin portals", "MicrosoftAdminPortals", 0);
    size_t i;
    const json_t *p;
    size_t named = 0;
    json_array_foreach(policies, i, p)
    {
        const json_t *a = whatif_jget(whatif_jget(p, "conditions"), "applications");
        static const char *const lists[] = {"includeApplications", "excludeApplications"};
        for (size_t l = 0; l < 2; l++) {
            size_t j;
            const json_t *v;
            json_array_foreach(whatif_jget(a, lists[l]), j, v)
            {
                const char *k = whatif_item_key(v);
                if (!k || whatif_eq(k, "All") || whatif_eq(k, "None") ||
                    whatif_eq(k, "Office365") || whatif_eq(k, "MicrosoftAdminPortals") ||
                    named >= MAX_APPS)
                    continue;
                const struct catalog_app *ca = catalog_app_by_id(k);
                size_t before = c->napps;
                add_value(&c->apps, &c->napps, ca ? ca->name : k, k, 0);
                named += c->napps - before;
            }
        }
    }
    add_value(&c->apps, &c->napps, "any other app", OTHER_APP, 0);
    json_array_foreach(policies, i, p)
    {
        const json_t *a = whatif_jget(whatif_jget(p, "conditions"), "applications");
        size_t j;
        const json_t *v;
        json_array_foreach(whatif_jget(a, "includeUserActions"), j, v)
        {
            const char *k = json_string_value(v);
            const struct catalog_entry *e = k ? catalog_lookup_graph(CAT_USER_ACTION, k) : NULL;
            if (k)
                add_value(&c->apps, &c->napps, e ? e->keyword : k, k, 1);
        }
        json_array_foreach(whatif_jget(a, "includeAuthenticationContextClassReferences"), j, v)
        {
            const char *k = whatif_item_key(v);
            if (k) {
                char label[80];
                snprintf(label, sizeof(label), "context %s", k);
                add_value(&c->apps, &c->napps, label, k, 2);
            }
        }
    }
}

static void build_axes(struct coverage *c, const struct whatif_inputs *in, const json_t *policies)
{
    static const char *const plat[][2] = {{"Windows", "windows"}, {"macOS", "macOS"},
                                          {"iOS", "iOS"},         {"Android", "android"},
                                          {"Linux", "linux"},     {"unknown", NULL}};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(plat); i++)
        add_value(&c->platforms, &c->nplatforms, plat[i][0], plat[i][1], 0);
    static const char *const cli[][2] = {{"browser", "browser"},
                                         {"mobile/desktop", "mobileAppsAndDesktopClients"},
                                         {"ActiveSync", "exchangeActiveSync"},
                                         {"other legacy", "other"}};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(cli); i++)
        add_value(&c->clients, &c->nclients, cli[i][0], cli[i][1], 0);

    add_value(&c->locations, &c->nlocations, "untrusted", NULL, 0);
    size_t i;
    const json_t *l;
    json_array_foreach(in->locations, i, l)
    {
        if (c->nlocations > MAX_LOCATIONS) /* the axis is full: the rest is not read */
            break;
        const char *name = json_string_value(whatif_jget(l, "displayName"));
        const char *id = json_string_value(whatif_jget(l, "id"));
        if (!name && !id)
            continue;
        size_t before = c->nlocations;
        add_value(&c->locations, &c->nlocations, name ? name : id, name ? name : id, 0);
        if (c->nlocations > before) {
            c->locations[before].trusted = json_is_true(whatif_jget(l, "isTrusted"));
            c->locations[before].id = id && name ? xstrdup(id) : NULL;
        }
    }
    /* the MFA trusted IPs, when a policy names them */
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const json_t *locs = whatif_jget(whatif_jget(p, "conditions"), "locations");
        static const char *const lists[] = {"includeLocations", "excludeLocations"};
        for (size_t k = 0; k < 2; k++) {
            size_t j;
            const json_t *v;
            json_array_foreach(whatif_jget(locs, lists[k]), j, v)
            {
                if (!whatif_eq(whatif_item_key(v), "00000000-0000-0000-0000-000000000000"))
                    continue;
                size_t before = c->nlocations;
                add_value(&c->locations, &c->nlocations, "MFA trusted IPs", "mfa-trusted-ips", 0);
                if (c->nlocations > before)
                    c->locations[before].trusted = c->locations[before].mfa_trusted = true;
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Classifying an outcome                                                                    */

/* One alternative of a requirement: its class and its names for people. */
static enum coverage_class alt_class(const char *ctl, const char **full, const char **brief)
{
    static const struct {
        const char *graph, *full, *brief;
        enum coverage_class k;
    } m[] = {
        {"mfa", "mfa", "MFA", COVERAGE_MFA},
        {"compliantDevice", "compliant device", "DEVICE", COVERAGE_DEVICE},
        {"domainJoinedDevice", "hybrid joined device", "DEVICE", COVERAGE_DEVICE},
        {"approvedApplication", "approved app", "APP", COVERAGE_WEAK},
        {"compliantApplication", "app protection", "APP", COVERAGE_WEAK},
        {"passwordChange", "password change", "PWD", COVERAGE_WEAK},
        {"riskRemediation", "risk remediation", "PWD", COVERAGE_WEAK},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(m); i++)
        if (util_streq_nocase(ctl, m[i].graph)) {
            *full = m[i].full;
            *brief = m[i].brief;
            return m[i].k;
        }
    if (strncmp(ctl, "authenticationStrength:", 23) == 0) {
        if (util_streq_nocase(ctl + 23, "Multifactor authentication")) {
            *full = "mfa";
            *brief = "MFA";
            return COVERAGE_MFA;
        }
        *full = ctl;
        *brief = "STRENGTH";
        return COVERAGE_STRENGTH;
    }
    *full = strncmp(ctl, "termsOfUse", 10) == 0 ? "terms of use" : "custom control";
    *brief = strncmp(ctl, "termsOfUse", 10) == 0 ? "TOU" : "CUSTOM";
    return COVERAGE_WEAK;
}

static void add_part(struct strbuf *sb, const char *part, const char *sep)
{
    /* skip a part already there */
    const char *s = strbuf_str(sb);
    size_t n = strlen(part);
    for (const char *f = strstr(s, part); f; f = strstr(f + 1, part))
        if ((f == s || f[-1] == ' ' || f[-1] == '/') && (f[n] == 0 || f[n] == ' ' || f[n] == '/'))
            return;
    if (sb->len)
        strbuf_adds(sb, sep);
    strbuf_adds(sb, part);
}

static void classify(const struct whatif_result *r, struct strbuf *full, struct strbuf *brief,
                     enum coverage_class *cls, bool *gap)
{
    if (r->grant == WHATIF_BLOCK) {
        strbuf_adds(full, "block");
        strbuf_adds(brief, "BLOCK");
        *cls = COVERAGE_BLOCK;
        *gap = false;
        return;
    }
    if (r->grant == WHATIF_ALLOW || r->ncontrols == 0) {
        strbuf_adds(full, "allow");
        strbuf_adds(brief, "ALLOW");
        *cls = COVERAGE_ALLOW;
        *gap = true;
        return;
    }
    /* Entries: with AND each control (an "a|b" entry is one of a and b); with OR one entry. */
    size_t nentries = r->op == WHATIF_OR ? 1 : r->ncontrols;
    enum coverage_class best = COVERAGE_WEAK;
    for (size_t e = 0; e < nentries; e++) {
        struct strbuf ef = STRBUF_INIT, eb = STRBUF_INIT;
        enum coverage_class weakest = COVERAGE_BLOCK;
        size_t from = r->op == WHATIF_OR ? 0 : e, to = r->op == WHATIF_OR ? r->ncontrols : e + 1;
        for (size_t i = from; i < to; i++) {
            const char *s = r->controls[i];
            while (*s) {
                size_t n = strcspn(s, "|");
                char *alt = xasprintf("%.*s", (int)n, s);
                const char *f, *b;
                enum coverage_class k = alt_class(alt, &f, &b);
                if (k > weakest)
                    weakest = k;
                add_part(&ef, f, "/");
                add_part(&eb, b, "/");
                free(alt);
                s += n + (s[n] == '|');
            }
        }
        if (weakest < best)
            best = weakest;
        add_part(full, strbuf_str(&ef), " + ");
        add_part(brief, strbuf_str(&eb), "+");
        strbuf_fini(&ef);
        strbuf_fini(&eb);
    }
    *cls = best;
    *gap = best == COVERAGE_WEAK;
}

static unsigned intern(struct coverage *c, const char *full, const char *brief,
                       enum coverage_class cls, bool gap)
{
    for (size_t i = 0; i < c->noutcomes; i++)
        if (strcmp(c->outcomes[i].label, full) == 0)
            return (unsigned)i;
    c->outcomes = xrealloc(c->outcomes, (c->noutcomes + 1) * sizeof(*c->outcomes));
    struct coverage_outcome *o = &c->outcomes[c->noutcomes];
    o->label = xstrdup(full);
    o->brief = xstrdup(brief);
    o->cls = cls;
    o->gap = gap;
    return (unsigned)c->noutcomes++;
}

unsigned coverage_outcome(struct coverage *c, const struct whatif_result *r)
{
    struct strbuf full = STRBUF_INIT, brief = STRBUF_INIT;
    enum coverage_class cls;
    bool gap;
    classify(r, &full, &brief, &cls, &gap);
    unsigned k = intern(c, strbuf_str(&full), strbuf_str(&brief), cls, gap);
    strbuf_fini(&full);
    strbuf_fini(&brief);
    return k;
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation                                                                                */

/* The compiled evaluator and, per applying set of policies, the cell's outcome (UINT_MAX until
 * classified): a cell costs a few hash lookups, and each distinct outcome is classified once. */
struct evaluator {
    struct whatif_compiled *wc;
    unsigned *outcome;
    size_t n;
};

/* The outcome of set number `set` (classified when first seen). */
static unsigned set_outcome(struct coverage *c, struct evaluator *ev, long set)
{
    if (set < 0)
        return intern(c, "not evaluated", "?", COVERAGE_ALLOW, true); /* cannot happen */
    if ((size_t)set >= ev->n) {
        size_t n = ((size_t)set + 1) * 2;
        ev->outcome = xrealloc(ev->outcome, n * sizeof(*ev->outcome));
        for (size_t i = ev->n; i < n; i++)
            ev->outcome[i] = UINT_MAX;
        ev->n = n;
    }
    if (ev->outcome[set] != UINT_MAX)
        return ev->outcome[set];
    struct whatif_result r;
    whatif_compiled_outcome(ev->wc, (size_t)set, &r);
    unsigned k = coverage_outcome(c, &r);
    whatif_result_free(&r);
    ev->outcome[set] = k;
    return k;
}

static unsigned evaluate(struct coverage *c, struct evaluator *ev, const struct whatif_signin *s)
{
    char err[256];
    return set_outcome(c, ev, whatif_compiled_eval(ev->wc, s, err, sizeof(err)));
}

static void persona_signin(const struct coverage_persona *p, struct whatif_signin *s)
{
    memset(s, 0, sizeof(*s));
    s->user = p->user;
    s->member_of = (const char *const *)p->member_of;
    s->roles = (const char *const *)p->roles;
    s->guest_type = p->guest_type;
}

static void target(const struct coverage_value *a, struct whatif_signin *s)
{
    s->app = a->target == 0 ? a->value : NULL;
    s->action = a->target == 1 ? a->value : NULL;
    s->auth_context = a->target == 2 ? a->value : NULL;
}

/* Personas, apps and the other axes of the policies of `in` that are evaluated at all (not
 * disabled ones). */
static void build_all_axes(struct coverage *c, const struct whatif_inputs *in,
                           const struct coverage_options *o)
{
    json_t *live = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(in->policies, i, p)
    {
        if (!whatif_eq(json_string_value(whatif_jget(p, "state")), "disabled"))
            json_array_append(live, whatif_mut(p));
    }
    struct cands cs = {0};
    strmap_init(&cs.index, true);
    collect_personas(live, o, &cs);
    build_personas(c, &cs, o);
    for (size_t k = 0; k < cs.n; k++) {
        free(cs.v[k].key);
        strbuf_fini(&cs.v[k].sig);
    }
    free(cs.v);
    strmap_fini(&cs.index);
    build_apps(c, live);
    build_axes(c, in, live);
    json_decref(live);
}

struct coverage *coverage_axes(const struct whatif_inputs *in, const struct coverage_options *o)
{
    struct coverage *c = xcalloc(1, sizeof(*c));
    build_all_axes(c, in, o);
    return c;
}

void coverage_signin(const struct coverage *c, size_t persona, size_t app, size_t loc, size_t plat,
                     size_t client, const char *locs[3], struct whatif_signin *s)
{
    persona_signin(&c->personas[persona], s);
    target(&c->apps[app], s);
    const struct coverage_value *lv = &c->locations[loc];
    locs[0] = lv->mfa_trusted ? NULL : lv->value;
    locs[1] = lv->mfa_trusted ? NULL : lv->id;
    locs[2] = NULL;
    s->locations = locs;
    s->mfa_trusted_ip = lv->mfa_trusted;
    s->platform = c->platforms[plat].value;
    s->client_app = c->clients[client].value;
}

/* The part row of `part` for sign-in s into dst (words of the policy bitset). */
static bool row_into(struct whatif_compiled *wc, int part, const struct whatif_signin *s,
                     uint64_t *dst)
{
    char err[256];
    const uint64_t *r = whatif_compiled_part(wc, part, s, err, sizeof(err));
    if (r)
        memcpy(dst, r, whatif_compiled_words(wc) * sizeof(uint64_t));
    return r != NULL;
}

/* The matrix's cells from each axis value's part row, looked up once per value: a cell is the
 * AND of its values' rows (what whatif_compiled_eval computes for its sign-in), with the extras
 * of its app and client. false (nothing filled) when a row cannot be had. */
static bool matrix_by_rows(struct coverage *c, struct evaluator *ev)
{
    struct whatif_compiled *wc = ev->wc;
    size_t w = whatif_compiled_words(wc);
    size_t n[5] = {c->npersonas, c->napps, c->nlocations, c->nplatforms, c->nclients};
    uint64_t *rows[5], *acc = xcalloc(6 * w, sizeof(uint64_t));
    for (int d = 0; d < 5; d++)
        rows[d] = xcalloc(n[d] * w + 1, sizeof(uint64_t));
    unsigned *xa = xcalloc(c->napps + 1, sizeof(unsigned)),
             *xc = xcalloc(c->nclients + 1, sizeof(unsigned));
    struct whatif_signin s, t;
    const char *locs[2] = {NULL, NULL};
    persona_signin(&c->personas[0], &s);
    target(&c->apps[0], &s);
    s.platform = c->platforms[0].value;
    s.client_app = c->clients[0].value;
    bool ok = true;
    for (size_t i = 0; ok && i < c->nlocations; i++) {
        const struct coverage_value *lv = &c->locations[i];
        locs[0] = lv->mfa_trusted ? NULL : lv->value;
        s.locations = locs;
        s.mfa_trusted_ip = lv->mfa_trusted;
        ok = row_into(wc, WHATIF_PART_LOCATION, &s, rows[2] + i * w);
    }
    locs[0] = c->locations[0].mfa_trusted ? NULL : c->locations[0].value;
    s.mfa_trusted_ip = c->locations[0].mfa_trusted;
    /* the parts no axis changes: risk, device, flow */
    uint64_t *fixed = acc + 5 * w;
    ok = ok && row_into(wc, WHATIF_PART_RISK, &s, fixed);
    for (int part = WHATIF_PART_DEVICE; ok && part <= WHATIF_PART_FLOW; part++) {
        ok = row_into(wc, part, &s, acc);
        for (size_t k = 0; k < w; k++)
            fixed[k] &= acc[k];
    }
    for (size_t i = 0; ok && i < c->npersonas; i++) {
        t = s;
        persona_signin(&c->personas[i], &t);
        t.app = s.app, t.action = s.action, t.auth_context = s.auth_context;
        t.platform = s.platform, t.client_app = s.client_app, t.locations = s.locations;
        t.mfa_trusted_ip = s.mfa_trusted_ip;
        ok = row_into(wc, WHATIF_PART_USERS, &t, rows[0] + i * w);
    }
    for (size_t i = 0; ok && i < c->napps; i++) {
        t = s;
        target(&c->apps[i], &t);
        ok = row_into(wc, WHATIF_PART_TARGET, &t, rows[1] + i * w);
        struct whatif_signin x = {.app = t.app};
        xa[i] = whatif_signin_extras(&x);
    }
    for (size_t i = 0; ok && i < c->nplatforms; i++) {
        t = s;
        t.platform = c->platforms[i].value;
        ok = row_into(wc, WHATIF_PART_PLATFORM, &t, rows[3] + i * w);
    }
    for (size_t i = 0; ok && i < c->nclients; i++) {
        t = s;
        t.client_app = c->clients[i].value;
        ok = row_into(wc, WHATIF_PART_CLIENT, &t, rows[4] + i * w);
        struct whatif_signin x = {.client_app = t.client_app};
        xc[i] = whatif_signin_extras(&x);
    }
    for (size_t pi = 0; ok && pi < c->npersonas; pi++) {
        uint64_t *a0 = acc;
        for (size_t k = 0; k < w; k++)
            a0[k] = fixed[k] & rows[0][pi * w + k];
        for (size_t a = 0; a < c->napps; a++) {
            uint64_t *a1 = acc + w;
            for (size_t k = 0; k < w; k++)
                a1[k] = a0[k] & rows[1][a * w + k];
            for (size_t l = 0; l < c->nlocations; l++) {
                uint64_t *a2 = acc + 2 * w;
                for (size_t k = 0; k < w; k++)
                    a2[k] = a1[k] & rows[2][l * w + k];
                for (size_t pl = 0; pl < c->nplatforms; pl++) {
                    uint64_t *a3 = acc + 3 * w, *a4 = acc + 4 * w;
                    for (size_t k = 0; k < w; k++)
                        a3[k] = a2[k] & rows[3][pl * w + k];
                    for (size_t cl = 0; cl < c->nclients; cl++) {
                        for (size_t k = 0; k < w; k++)
                            a4[k] = a3[k] & rows[4][cl * w + k];
                        long set = whatif_compiled_set(wc, a4, xa[a] | xc[cl]);
                        c->cells[coverage_cell(c, pi, a, l, pl, cl)] = set_outcome(c, ev, set);
                    }
                }
            }
        }
    }
    for (int d = 0; d < 5; d++)
        free(rows[d]);
    free(acc);
    free(xa);
    free(xc);
    return ok;
}

struct coverage *coverage_run(const struct whatif_inputs *in0, const struct coverage_options *o)
{
    struct coverage *c = xcalloc(1, sizeof(*c));
    struct whatif_inputs in = *in0;
    json_t *policies = json_array(); /* the evaluated policies (deep copies when enforcing) */
    size_t i;
    const json_t *p;
    json_array_foreach(in0->policies, i, p)
    {
        const char *st = json_string_value(whatif_jget(p, "state"));
        bool ro = whatif_eq(st, "enabledForReportingButNotEnforced");
        if (ro && o->report_only_as_enabled) {
            json_t *copy = json_deep_copy(p);
            json_object_set_new(copy, "state", json_string("enabled"));
            json_array_append_new(policies, copy);
        } else {
            json_array_append(policies, whatif_mut(p));
        }
        if (whatif_eq(st, "enabled") || (ro && o->report_only_as_enabled))
            c->npolicies++;
    }
    in.policies = policies;
    c->report_only_enforced = o->report_only_as_enabled;

    build_all_axes(c, &in, o);

    struct evaluator ev = {whatif_compile(&in), NULL, 0};
    c->ncells = c->npersonas * c->napps * c->nlocations * c->nplatforms * c->nclients;
    c->cells = xcalloc(c->ncells ? c->ncells : 1, sizeof(unsigned));
    if (c->ncells && !matrix_by_rows(c, &ev)) {
        for (size_t pi = 0; pi < c->npersonas; pi++) {
            struct whatif_signin s;
            persona_signin(&c->personas[pi], &s);
            for (size_t a = 0; a < c->napps; a++) {
                target(&c->apps[a], &s);
                for (size_t l = 0; l < c->nlocations; l++) {
                    const struct coverage_value *lv = &c->locations[l];
                    const char *locs[2] = {lv->mfa_trusted ? NULL : lv->value, NULL};
                    s.locations = locs;
                    s.mfa_trusted_ip = lv->mfa_trusted;
                    for (size_t pl = 0; pl < c->nplatforms; pl++) {
                        s.platform = c->platforms[pl].value;
                        for (size_t cl = 0; cl < c->nclients; cl++) {
                            s.client_app = c->clients[cl].value;
                            c->cells[coverage_cell(c, pi, a, l, pl, cl)] = evaluate(c, &ev, &s);
                        }
                    }
                }
            }
        }
    }
    for (size_t k = 0; k < c->ncells; k++)
        c->ngaps += c->outcomes[c->cells[k]].gap;
    /* the risk summary at the reference sign-in */
    static const char *const levels[] = {"low", "medium", "high"};
    c->risk = xcalloc(c->npersonas * COVERAGE_RISKS + 1, sizeof(unsigned));
    for (size_t pi = 0; pi < c->npersonas; pi++) {
        struct whatif_signin s;
        persona_signin(&c->personas[pi], &s);
        target(&c->apps[0], &s);
        s.platform = c->platforms[0].value;
        s.client_app = c->clients[0].value;
        for (size_t k = 0; k < COVERAGE_RISKS; k++) {
            s.sign_in_risk = k < 3 ? levels[k] : NULL;
            s.user_risk = k < 3 ? NULL : levels[k - 3];
            c->risk[pi * COVERAGE_RISKS + k] = evaluate(c, &ev, &s);
        }
    }
    c->evaluations = whatif_compiled_signins(ev.wc) * whatif_compiled_policies(ev.wc);
    whatif_compiled_free(ev.wc);
    free(ev.outcome);
    json_decref(policies);
    return c;
}

static void values_free(struct coverage_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].label);
        free(v[i].value);
        free(v[i].id);
    }
    free(v);
}

void coverage_free(struct coverage *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->npersonas; i++) {
        struct coverage_persona *p = &c->personas[i];
        free(p->name);
        for (size_t k = 0; k < p->nmembers; k++)
            free(p->members[k]);
        free(p->members);
        free(p->user);
        strv_free(p->member_of);
        strv_free(p->roles);
        free(p->guest_type);
    }
    free(c->personas);
    values_free(c->apps, c->napps);
    values_free(c->platforms, c->nplatforms);
    values_free(c->clients, c->nclients);
    values_free(c->locations, c->nlocations);
    for (size_t i = 0; i < c->noutcomes; i++) {
        free(c->outcomes[i].label);
        free(c->outcomes[i].brief);
    }
    free(c->outcomes);
    free(c->cells);
    free(c->risk);
    free(c);
}

/* ---------------------------------------------------------------------------------------- */
/* Offline helpers                                                                           */

const char **coverage_model_emergency(const struct model *m)
{
    size_t n = json_array_size(m->emergency_access);
    const char **v = xcalloc(n + 1, sizeof(char *));
    size_t k = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(m->emergency_access, i, e)
    {
        const char *key = whatif_item_key(json_object_get(e, "ref"));
        if (key)
            v[k++] = key;
    }
    return v;
}

json_t *coverage_model_parents(const struct model *m)
{
    /* direct: child -> [parents] */
    json_t *direct = json_object();
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_GROUP)
            continue;
        size_t j;
        const json_t *r;
        json_array_foreach(json_object_get(o->extra, "members"), j, r)
        {
            const char *kind = json_string_value(json_object_get(r, "$ref"));
            const char *child = whatif_item_key(r);
            if (!kind || strcmp(kind, "group") != 0 || !child)
                continue;
            json_t *list = json_object_get(direct, child);
            if (!list) {
                list = json_array();
                json_object_set_new(direct, child, list);
            }
            json_array_append_new(list, json_string(o->name));
        }
    }
    /* transitive closure (breadth-first; a cycle stops at groups already listed) */
    json_t *out = json_object();
    const char *child;
    json_t *list;
    json_object_foreach(direct, child, list)
    {
        json_t *all = json_array();
        json_array_extend(all, list);
        for (size_t k = 0; k < json_array_size(all); k++) {
            size_t j;
            json_t *g;
            json_array_foreach(json_object_get(direct, json_string_value(json_array_get(all, k))),
                               j, g)
            {
                bool seen = false;
                size_t q;
                json_t *x;
                json_array_foreach(all, q, x) seen = seen || json_equal(x, g);
                if (!seen && !util_streq_nocase(json_string_value(g), child))
                    json_array_append(all, g);
            }
        }
        json_object_set_new(out, child, all);
    }
    json_decref(direct);
    return out;
}
