/* lint_ca.c — Conditional Access hygiene lints IDP-CA-001 .. 009 (docs/check.md). Structural
 * checks read the policy JSON; the others probe sign-ins through the what-if evaluator. */
#include <stdlib.h>
#include <string.h>

#include "runtime/analysis/lint_int.h"

static const char *pat(const json_t *p)
{
    return lint_jstr(p, "at");
}

static const char *pname(const json_t *p)
{
    const char *n = lint_jstr(p, "name");
    return n ? n : "(unnamed)";
}

static const json_t *pbody(const json_t *p)
{
    return json_object_get(p, "body");
}

static const json_t *cond(const json_t *p, const char *what)
{
    return json_object_get(json_object_get(pbody(p), "conditions"), what);
}

static const char *pstate(const json_t *p)
{
    const char *s = lint_jstr(pbody(p), "state");
    return s ? s : "enabled";
}

/* Did the users condition of policy result `pr` match (whatever came after)? */
static bool users_matched(const struct whatif_policy_result *pr)
{
    return pr->applies ||
           (pr->reason && strcmp(pr->reason, "users") != 0 && strcmp(pr->reason, "workload") != 0 &&
            strcmp(pr->reason, "disabled") != 0);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-001, 002: emergency access                                                         */

static void lint_emergency(struct lint_ctx *c)
{
    size_t n = json_array_size(c->in->emergency);
    if (n < 2) {
        const json_t *e = json_array_get(c->in->emergency, 0);
        if (n == 0)
            lint_emit(c, "IDP-CA-002", NULL,
                      "no emergency-access account is declared (`emergency_access user ...`)%s",
                      c->in->from_tenant ? "; give the configuration directory to take them "
                                           "from it"
                                         : "");
        else
            lint_emit(c, "IDP-CA-002", lint_jstr(e, "at"),
                      "only one emergency-access account is declared; Microsoft recommends two "
                      "or more");
    }
    size_t i;
    json_t *e;
    json_array_foreach(c->in->emergency, i, e)
    {
        const char *user = lint_jstr(e, "user");
        struct whatif_signin s;
        struct lint_probe h;
        lint_probe_init(c, "user", user, &s, &h);
        struct whatif_result r;
        if (lint_eval(c, &c->wi_on, &s, &r) == 0) {
            for (size_t k = 0; k < r.n; k++) {
                if (!users_matched(&r.policies[k]))
                    continue;
                const json_t *p = json_array_get(c->in->policies, k);
                lint_emit(c, "IDP-CA-001", pat(p),
                          "emergency-access account '%s' is not excluded from policy '%s'", user,
                          pname(p));
                if (lint_jstr(e, "at"))
                    lint_note(c, lint_jstr(e, "at"), "declared as emergency access here");
            }
            whatif_result_free(&r);
        }
        lint_probe_fini(&h);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-003: legacy authentication; IDP-CA-004: device code flow                           */

static const char *const platforms[] = {NULL, "android", "iOS", "windows", "macOS", "linux"};

static void lint_legacy(struct lint_ctx *c)
{
    const char *const clients[] = {"exchangeActiveSync", "other"};
    size_t nloc = json_array_size(c->in->locations);
    size_t gaps = 0, total = 0;
    char first[300] = "";
    /* the policies that block some legacy sign-in (enabled) or would (report-only) */
    bool *partial = xcalloc(json_array_size(c->in->policies) + 1, sizeof(bool));
    bool *would = xcalloc(json_array_size(c->in->policies) + 1, sizeof(bool));
    for (size_t ci = 0; ci < 2; ci++) {
        for (size_t pi = 0; pi < sizeof(platforms) / sizeof(platforms[0]); pi++) {
            for (size_t li = 0; li <= nloc; li++) {
                struct whatif_signin s;
                struct lint_probe h;
                lint_probe_init(c, NULL, NULL, &s, &h);
                s.client_app = clients[ci];
                s.platform = platforms[pi];
                const char *locs[2] = {NULL, NULL};
                if (li > 0) {
                    locs[0] = lint_jstr(json_array_get(c->in->locations, li - 1), "displayName");
                    if (!locs[0])
                        locs[0] = lint_jstr(json_array_get(c->in->locations, li - 1), "id");
                    s.locations = locs;
                }
                struct whatif_result r;
                int rc = lint_eval(c, &c->wi, &s, &r);
                lint_probe_fini(&h);
                if (rc != 0)
                    goto out;
                total++;
                for (size_t k = 0; k < r.n; k++) {
                    if (r.policies[k].applies && r.policies[k].block) {
                        if (r.policies[k].state == WHATIF_ENABLED)
                            partial[k] = true;
                        else if (r.policies[k].state == WHATIF_REPORT_ONLY)
                            would[k] = true;
                    }
                }
                if (r.grant != WHATIF_BLOCK) {
                    if (gaps++ == 0)
                        snprintf(first, sizeof(first), "%s from %s%s%s%s",
                                 ci == 0 ? "Exchange ActiveSync" : "other legacy clients",
                                 platforms[pi] ? platforms[pi] : "an unknown platform",
                                 locs[0] ? " in location '" : "", locs[0] ? locs[0] : "",
                                 locs[0] ? "'" : "");
                }
                whatif_result_free(&r);
            }
        }
    }
    if (gaps) {
        const json_t *anchor = NULL;
        for (size_t k = 0; k < json_array_size(c->in->policies) && !anchor; k++)
            if (partial[k])
                anchor = json_array_get(c->in->policies, k);
        if (anchor)
            lint_emit(c, "IDP-CA-003", pat(anchor),
                      "policy '%s' blocks legacy authentication only under narrowing "
                      "conditions: %s is allowed (%zu of %zu legacy sign-ins probed get through)",
                      pname(anchor), first, gaps, total);
        else
            lint_emit(c, "IDP-CA-003", NULL,
                      "no enabled policy blocks legacy authentication for all users: %s is "
                      "allowed (%zu of %zu legacy sign-ins probed get through)",
                      first, gaps, total);
        for (size_t k = 0; k < json_array_size(c->in->policies); k++) {
            const json_t *p = json_array_get(c->in->policies, k);
            if (would[k])
                lint_note(c, pat(p), "'%s' would block legacy authentication but is report-only",
                          pname(p));
        }
    }
out:
    free(partial);
    free(would);
}

static void lint_device_code(struct lint_ctx *c)
{
    struct whatif_signin s;
    struct lint_probe h;
    lint_probe_init(c, NULL, NULL, &s, &h);
    s.client_app = "mobileAppsAndDesktopClients";
    s.auth_flow = "deviceCodeFlow";
    struct whatif_result r;
    int rc = lint_eval(c, &c->wi, &s, &r);
    lint_probe_fini(&h);
    if (rc != 0)
        return;
    if (r.grant != WHATIF_BLOCK) {
        /* A report-only policy that would block it, preferably one about authentication flows. */
        const struct whatif_policy_result *ro = NULL;
        for (int pass = 0; pass < 2 && !ro; pass++)
            for (size_t k = 0; k < r.n && !ro; k++)
                if (r.policies[k].applies && r.policies[k].block &&
                    r.policies[k].state == WHATIF_REPORT_ONLY &&
                    (pass == 1 ||
                     json_object_get(json_object_get(r.policies[k].policy, "conditions"),
                                     "authenticationFlows")))
                    ro = &r.policies[k];
        if (ro) {
            const json_t *p = json_array_get(c->in->policies, (size_t)(ro - r.policies));
            lint_emit(c, "IDP-CA-004", pat(p),
                      "the device code flow is not restricted: policy '%s' would block it but "
                      "is report-only",
                      pname(p));
        } else {
            lint_emit(c, "IDP-CA-004", NULL,
                      "the device code flow is not restricted: no enabled policy blocks it for "
                      "an ordinary user signing in to Office 365");
        }
    }
    whatif_result_free(&r);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-005: policies that apply to nothing                                                 */

static bool has_key(const json_t *arr, const char *k)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (lint_eq(lint_key(v), k))
            return true;
    }
    return false;
}

/* Every item of `inc` is in `exc` (and inc is not empty). */
static bool all_excluded(const struct lint_ctx *c, const json_t *inc, const json_t *exc)
{
    if (json_array_size(inc) == 0)
        return false;
    size_t i;
    json_t *v;
    json_array_foreach(inc, i, v)
    {
        bool found = false;
        size_t k;
        json_t *w;
        json_array_foreach(exc, k, w) found = found || lint_same(c, lint_key(v), lint_key(w));
        if (!found)
            return false;
    }
    return true;
}

static const char *nothing_reason(const struct lint_ctx *c, const json_t *p)
{
    const json_t *u = cond(p, "users");
    const json_t *ca = cond(p, "clientApplications");
    bool workload = json_array_size(json_object_get(ca, "includeServicePrincipals")) > 0;
    if (!workload) {
        const json_t *iu = json_object_get(u, "includeUsers");
        const json_t *ig = json_object_get(u, "includeGroups");
        const json_t *ir = json_object_get(u, "includeRoles");
        const json_t *guests = json_object_get(u, "includeGuestsOrExternalUsers");
        bool some_users = false;
        size_t i;
        json_t *v;
        json_array_foreach(iu, i, v) some_users = some_users || !has_key(iu, "None");
        if (!some_users && json_array_size(ig) == 0 && json_array_size(ir) == 0 &&
            !json_is_object(guests))
            return "it includes no users";
        if (!has_key(iu, "All") && !has_key(iu, "GuestsOrExternalUsers") &&
            !json_is_object(guests) &&
            (json_array_size(iu) == 0 || all_excluded(c, iu, json_object_get(u, "excludeUsers"))) &&
            (json_array_size(ig) == 0 ||
             all_excluded(c, ig, json_object_get(u, "excludeGroups"))) &&
            (json_array_size(ir) == 0 || all_excluded(c, ir, json_object_get(u, "excludeRoles"))))
            return "it excludes every user, group and role it includes";
    }
    const json_t *a = cond(p, "applications");
    const json_t *ia = json_object_get(a, "includeApplications");
    bool other_target =
        json_array_size(json_object_get(a, "includeUserActions")) > 0 ||
        json_array_size(json_object_get(a, "includeAuthenticationContextClassReferences")) > 0 ||
        lint_eq(lint_jstr(json_object_get(a, "applicationFilter"), "mode"), "include");
    if (!other_target) {
        bool any = false;
        size_t i;
        json_t *v;
        json_array_foreach(ia, i, v) any = any || !lint_eq(lint_key(v), "None");
        if (!any)
            return "it targets no application, user action or authentication context";
        if (has_key(json_object_get(a, "excludeApplications"), "All") ||
            (!has_key(ia, "All") && all_excluded(c, ia, json_object_get(a, "excludeApplications"))))
            return "it excludes every application it includes";
    }
    const json_t *pl = cond(p, "platforms");
    const json_t *ip = json_object_get(pl, "includePlatforms");
    if (json_array_size(ip) > 0 &&
        (has_key(json_object_get(pl, "excludePlatforms"), "all") ||
         (!has_key(ip, "all") && all_excluded(c, ip, json_object_get(pl, "excludePlatforms")))))
        return "it excludes every device platform it includes";
    const json_t *lo = cond(p, "locations");
    const json_t *il = json_object_get(lo, "includeLocations");
    if (json_array_size(il) > 0 &&
        (has_key(json_object_get(lo, "excludeLocations"), "All") ||
         (!has_key(il, "All") && all_excluded(c, il, json_object_get(lo, "excludeLocations")))))
        return "it excludes every location it includes";
    const json_t *ct = cond(p, "clientAppTypes");
    if (json_is_array(ct) && json_array_size(ct) == 0)
        return "it lists no client app type";
    return NULL;
}

static void lint_nothing(struct lint_ctx *c)
{
    size_t i;
    json_t *p;
    json_array_foreach(c->in->policies, i, p)
    {
        const char *why = nothing_reason(c, p);
        if (why)
            lint_emit(c, "IDP-CA-005", pat(p), "policy '%s' applies to nothing: %s", pname(p), why);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-006: references to missing objects (tenant)                                         */

static bool known(const struct lint_ctx *c, const char *kind, const char *key)
{
    const json_t *set = json_object_get(c->in->known, kind);
    if (!set || !key)
        return true;
    size_t n = strlen(key);
    char *k = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        k[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
    bool r = json_object_get(set, k) != NULL;
    free(k);
    return r;
}

static void check_refs(struct lint_ctx *c, const json_t *p, const json_t *arr, const char *kind,
                       const char *what)
{
    static const char *const special[] = {"All", "None", "GuestsOrExternalUsers", "AllTrusted",
                                          "00000000-0000-0000-0000-000000000000"};
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *k = lint_key(v);
        bool sp = false;
        for (size_t s = 0; s < sizeof(special) / sizeof(special[0]); s++)
            sp = sp || lint_eq(k, special[s]);
        if (k && !sp && !known(c, kind, k))
            lint_emit(c, "IDP-CA-006", pat(p),
                      "policy '%s' references %s %s, which does not exist in the tenant", pname(p),
                      what, k);
    }
}

static void lint_missing(struct lint_ctx *c)
{
    if (!c->in->known)
        return;
    size_t i;
    json_t *p;
    json_array_foreach(c->in->policies, i, p)
    {
        const json_t *u = cond(p, "users");
        check_refs(c, p, json_object_get(u, "includeUsers"), "user", "user");
        check_refs(c, p, json_object_get(u, "excludeUsers"), "user", "user");
        check_refs(c, p, json_object_get(u, "includeGroups"), "group", "group");
        check_refs(c, p, json_object_get(u, "excludeGroups"), "group", "group");
        check_refs(c, p, json_object_get(u, "includeRoles"), "role", "directory role");
        check_refs(c, p, json_object_get(u, "excludeRoles"), "role", "directory role");
        const json_t *l = cond(p, "locations");
        check_refs(c, p, json_object_get(l, "includeLocations"), "namedLocation", "named location");
        check_refs(c, p, json_object_get(l, "excludeLocations"), "namedLocation", "named location");
        const json_t *st =
            json_object_get(json_object_get(pbody(p), "grantControls"), "authenticationStrength");
        const char *sid = lint_key(json_object_get(st, "id"));
        if (sid && strncmp(sid, "00000000-0000-0000-0000-00000000000", 35) != 0 &&
            !known(c, "authenticationStrengthPolicy", sid))
            lint_emit(c, "IDP-CA-006", pat(p),
                      "policy '%s' references authentication strength %s, which does not exist "
                      "in the tenant",
                      pname(p), sid);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-007, 008: duplicate and contradictory policies                                      */

/* A comparable form: references become their key, nulls go, arrays are sorted. */
static json_t *canon_json(const struct lint_ctx *c, const json_t *v)
{
    if (json_is_object(v) && json_object_get(v, "$ref"))
        return json_string(lint_canon(c, lint_key(v)) ? lint_canon(c, lint_key(v)) : "");
    if (json_is_string(v))
        return json_string(lint_canon(c, json_string_value(v)));
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(lint_mut(v), k, x)
        {
            if (json_is_null(x))
                continue;
            json_object_set_new(o, k, canon_json(c, x));
        }
        return o;
    }
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        char **s = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            json_t *e = canon_json(c, json_array_get(v, i));
            s[i] = json_dumps(e, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
            json_decref(e);
        }
        for (size_t i = 1; i < n; i++) /* insertion sort: the lists are short */
            for (size_t k = i; k > 0 && strcmp(s[k - 1], s[k]) > 0; k--) {
                char *t = s[k];
                s[k] = s[k - 1];
                s[k - 1] = t;
            }
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(a, json_loads(s[i], JSON_DECODE_ANY, NULL));
            free(s[i]);
        }
        free(s);
        return a;
    }
    return json_copy(lint_mut(v));
}

static char *canon_part(const struct lint_ctx *c, const json_t *p, const char *key)
{
    json_t *v = canon_json(c, json_object_get(pbody(p), key));
    if (!v)
        v = json_null();
    char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return s ? s : xstrdup("null");
}

static bool blocks(const json_t *p)
{
    return has_key(json_object_get(json_object_get(pbody(p), "grantControls"), "builtInControls"),
                   "block");
}

static const char *browser_mode(const json_t *p)
{
    const json_t *pb =
        json_object_get(json_object_get(pbody(p), "sessionControls"), "persistentBrowser");
    return json_is_true(json_object_get(pb, "isEnabled")) ? lint_jstr(pb, "mode") : NULL;
}

static void lint_duplicates(struct lint_ctx *c)
{
    size_t n = json_array_size(c->in->policies);
    char **conds = xcalloc(n + 1, sizeof(char *));
    char **grants = xcalloc(n + 1, sizeof(char *));
    char **sessions = xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(c->in->policies, i);
        conds[i] = canon_part(c, p, "conditions");
        grants[i] = canon_part(c, p, "grantControls");
        sessions[i] = canon_part(c, p, "sessionControls");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(c->in->policies, i);
        if (strcmp(pstate(p), "disabled") == 0)
            continue;
        for (size_t k = 0; k < i; k++) {
            const json_t *q = json_array_get(c->in->policies, k);
            if (strcmp(pstate(q), "disabled") == 0 || strcmp(conds[i], conds[k]) != 0)
                continue;
            if (strcmp(grants[i], grants[k]) == 0 && strcmp(sessions[i], sessions[k]) == 0) {
                lint_emit(c, "IDP-CA-007", pat(p),
                          "policy '%s' duplicates policy '%s' (same assignments, conditions and "
                          "controls)",
                          pname(p), pname(q));
                lint_note(c, pat(q), "'%s' is here", pname(q));
                break;
            }
            bool both_on = strcmp(pstate(p), "enabled") == 0 && strcmp(pstate(q), "enabled") == 0;
            const char *bp = browser_mode(p), *bq = browser_mode(q);
            if (both_on && blocks(p) != blocks(q)) {
                lint_emit(c, "IDP-CA-008", pat(p),
                          "policies '%s' and '%s' have the same assignments and conditions, but "
                          "'%s' blocks: the controls of '%s' never take effect",
                          pname(q), pname(p), blocks(p) ? pname(p) : pname(q),
                          blocks(p) ? pname(q) : pname(p));
                lint_note(c, pat(q), "'%s' is here", pname(q));
                break;
            }
            if (both_on && bp && bq && strcmp(bp, bq) != 0) {
                lint_emit(c, "IDP-CA-008", pat(p),
                          "policies '%s' and '%s' have the same assignments and conditions but "
                          "opposite persistent browser sessions ('%s' and '%s')",
                          pname(q), pname(p), bq, bp);
                lint_note(c, pat(q), "'%s' is here", pname(q));
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(conds[i]);
        free(grants[i]);
        free(sessions[i]);
    }
    free(conds);
    free(grants);
    free(sessions);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-CA-009: exclusions that no other policy covers                                         */

struct excl {
    const char *kind, *key, *label, *at;
    size_t npolicies;
    const char *first_policy;
};

static bool all_emergency(const struct lint_ctx *c, const char *group)
{
    const json_t *g = lint_group(c, group);
    const json_t *m = json_object_get(g, "members");
    if (!json_is_array(m) || json_array_size(m) == 0)
        return false;
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v)
    {
        if (!lint_is_emergency(c, json_string_value(v)))
            return false;
    }
    return true;
}

static void add_excl(struct lint_ctx *c, struct excl **list, size_t *n, const char *kind,
                     const json_t *item, const json_t *p)
{
    const char *key = strcmp(kind, "guests") == 0 ? "guests or external users" : lint_key(item);
    if (!key)
        return;
    if ((strcmp(kind, "user") == 0 && lint_is_emergency(c, key)) ||
        (strcmp(kind, "group") == 0 && all_emergency(c, key)))
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*list)[i].kind, kind) == 0 && lint_same(c, (*list)[i].key, key)) {
            (*list)[i].npolicies++;
            return;
        }
    }
    *list = xrealloc(*list, (*n + 1) * sizeof(**list));
    struct excl *e = &(*list)[(*n)++];
    e->kind = kind;
    e->key = key;
    e->at = json_is_object(item) && lint_jstr(item, "at") ? lint_jstr(item, "at") : pat(p);
    e->npolicies = 1;
    e->first_policy = pname(p);
    e->label = kind;
}

static bool has_session(const json_t *policy)
{
    const json_t *s = json_object_get(policy, "sessionControls");
    if (!json_is_object(s))
        return false;
    const char *k;
    json_t *v;
    json_object_foreach(lint_mut(s), k, v)
    {
        if (!json_is_null(v))
            return true;
    }
    return false;
}

static void lint_exclusions(struct lint_ctx *c)
{
    struct excl *list = NULL;
    size_t n = 0;
    size_t i;
    json_t *p;
    json_array_foreach(c->in->policies, i, p)
    {
        if (strcmp(pstate(p), "enabled") != 0)
            continue;
        const json_t *u = cond(p, "users");
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(u, "excludeUsers"), k, v)
        {
            if (lint_eq(lint_key(v), "GuestsOrExternalUsers"))
                add_excl(c, &list, &n, "guests", v, p);
            else
                add_excl(c, &list, &n, "user", v, p);
        }
        json_array_foreach(json_object_get(u, "excludeGroups"), k, v)
            add_excl(c, &list, &n, "group", v, p);
        json_array_foreach(json_object_get(u, "excludeRoles"), k, v)
            add_excl(c, &list, &n, "role", v, p);
        if (json_is_object(json_object_get(u, "excludeGuestsOrExternalUsers")))
            add_excl(c, &list, &n, "guests", json_object_get(u, "excludeGuestsOrExternalUsers"), p);
    }
    for (size_t e = 0; e < n; e++) {
        struct excl *x = &list[e];
        struct whatif_signin s;
        struct lint_probe h;
        lint_probe_init(c, x->kind, x->key, &s, &h);
        struct whatif_result r;
        int rc = lint_eval(c, &c->wi, &s, &r);
        lint_probe_fini(&h);
        if (rc != 0)
            break;
        bool covered = false;
        for (size_t k = 0; k < r.n && !covered; k++) {
            const struct whatif_policy_result *pr = &r.policies[k];
            covered = pr->state == WHATIF_ENABLED && users_matched(pr) &&
                      (pr->block || pr->ncontrols > 0 || has_session(pr->policy));
        }
        whatif_result_free(&r);
        if (covered)
            continue;
        const struct catalog_role *role =
            strcmp(x->kind, "role") == 0 ? catalog_role_by_id(x->key) : NULL;
        const char *shown = role ? role->name : lint_canon(c, x->key);
        if (strcmp(x->kind, "guests") == 0)
            lint_emit(c, "IDP-CA-009", x->at,
                      "guests and external users are excluded from %zu enabled polic%s ('%s'%s) "
                      "and no enabled policy applies a control to them",
                      x->npolicies, x->npolicies == 1 ? "y" : "ies", x->first_policy,
                      x->npolicies > 1 ? ", ..." : "");
        else
            lint_emit(c, "IDP-CA-009", x->at,
                      "%s '%s' is excluded from %zu enabled polic%s ('%s'%s) and no enabled "
                      "policy applies a control to it",
                      x->label, shown, x->npolicies, x->npolicies == 1 ? "y" : "ies",
                      x->first_policy, x->npolicies > 1 ? ", ..." : "");
    }
    free(list);
}

/* ---------------------------------------------------------------------------------------- */

void lint_ca_run(struct lint_ctx *c)
{
    lint_emergency(c);
    lint_legacy(c);
    lint_device_code(c);
    lint_nothing(c);
    lint_missing(c);
    lint_duplicates(c);
    lint_exclusions(c);
}
