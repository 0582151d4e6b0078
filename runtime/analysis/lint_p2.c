/* lint_p2.c — the Phase 2 identity exit criteria of the Microsoft 365 Enterprise deployment guide
 * (identity-exit-criteria.md, 09/20/2019), each evaluated from the configuration or the tenant,
 * or reported as "manual" when Microsoft Graph v1.0 cannot show it (docs/check.md). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/analysis/lint_int.h"

/* Adds a criterion; a failed one is also a diagnostic of its code at `at`. */
static void IDPC_PRINTF(7, 8)
    crit(struct lint_ctx *c, struct lint_report *out, const char *code, const char *requirement,
         enum lint_status st, const char *at, const char *fmt, ...)
{
    const struct lint_rule *rule = lint_rule_by_code(code);
    if (!rule)
        idpc_bug(__FILE__, __LINE__, "no rule %s", code);
    struct strbuf sb;
    strbuf_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    out->criteria = xrealloc(out->criteria, (out->n + 1) * sizeof(*out->criteria));
    struct lint_criterion *k = &out->criteria[out->n++];
    k->rule = rule;
    k->requirement = requirement;
    k->required = strncmp(requirement, "Required", 8) == 0;
    k->status = st;
    k->why = strbuf_detach(&sb);
    if (st == LINT_FAIL)
        lint_emit(c, code, at, "Phase 2 exit criterion not met (%s): %s — %s", requirement,
                  rule->title, k->why);
}

static void manual(struct lint_ctx *c, struct lint_report *out, const char *code, const char *why)
{
    crit(c, out, code, "Optional", LINT_MANUAL, NULL, "%s", why);
}

static void sep(struct strbuf *sb, const char *s)
{
    strbuf_addf(sb, "%s%s", sb->len ? ", " : "", s);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-P2-001 / 002: Global Administrators                                                   */

struct ga {
    json_t *users;   /* canonical keys of every user holding the role, active or eligible */
    json_t *unknown; /* groups holding the role whose members are not known */
    json_t *active_nonemergency; /* principals with an active assignment, not break-glass */
    size_t eligible;             /* eligibility entries */
    const char *at;              /* the first assignment */
};

static bool has_str(const struct lint_ctx *c, const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (lint_same(c, json_string_value(v), s))
            return true;
    }
    return false;
}

static void add_unique(const struct lint_ctx *c, json_t *arr, const char *s)
{
    if (s && !has_str(c, arr, s))
        json_array_append_new(arr, json_string(lint_canon(c, s)));
}

/* Users of a group, through nested declared groups; false when some membership is unknown. */
static bool expand_group(const struct lint_ctx *c, const json_t *g, json_t *users, int depth)
{
    const json_t *members = json_object_get(g, "members");
    if (!json_is_array(members) || depth > 16)
        return false;
    bool ok = true;
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        const json_t *sub = lint_group(c, json_string_value(m));
        if (sub)
            ok = expand_group(c, sub, users, depth + 1) && ok;
        else
            add_unique(c, users, json_string_value(m));
    }
    return ok;
}

static void ga_collect(const struct lint_ctx *c, struct ga *ga)
{
    memset(ga, 0, sizeof(*ga));
    ga->users = json_array();
    ga->unknown = json_array();
    ga->active_nonemergency = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(c->in->roles, i, r)
    {
        if (!lint_eq(lint_jstr(r, "role"), LINT_GLOBAL_ADMIN))
            continue;
        const char *p = lint_jstr(r, "principal");
        bool eligible = json_is_true(json_object_get(r, "eligible"));
        if (!ga->at)
            ga->at = lint_jstr(r, "at");
        if (eligible)
            ga->eligible++;
        const json_t *g = lint_group(c, p);
        json_t *users = json_array();
        if (g) {
            if (!expand_group(c, g, users, 0))
                add_unique(c, ga->unknown, lint_jstr(g, "name") ? lint_jstr(g, "name") : p);
        } else if (p) {
            json_array_append_new(users, json_string(lint_canon(c, p)));
        }
        size_t k;
        json_t *u;
        json_array_foreach(users, k, u)
        {
            add_unique(c, ga->users, json_string_value(u));
            if (!eligible && !lint_is_emergency(c, json_string_value(u)))
                add_unique(c, ga->active_nonemergency, json_string_value(u));
        }
        if (!eligible && g && !json_is_array(json_object_get(g, "members")))
            add_unique(c, ga->active_nonemergency, lint_jstr(g, "name"));
        json_decref(users);
    }
}

static void ga_free(struct ga *ga)
{
    json_decref(ga->users);
    json_decref(ga->unknown);
    json_decref(ga->active_nonemergency);
}

/* Why `user` looks like an everyday account, or NULL: it is in a group that assigns licences
 * or in a Microsoft 365 group, or owns one. */
static char *daily_reason(const struct lint_ctx *c, const char *user)
{
    char *why = NULL;
    json_t *gs = lint_groups_of(c, user);
    size_t i;
    json_t *g;
    json_array_foreach(c->in->groups, i, g)
    {
        const char *name = lint_jstr(g, "name") ? lint_jstr(g, "name") : lint_jstr(g, "id");
        bool member = has_str(c, gs, name);
        bool owner = has_str(c, json_object_get(g, "owners"), user);
        bool unified = false;
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(json_object_get(g, "body"), "groupTypes"), k, t)
        {
            if (lint_eq(json_string_value(t), "Unified"))
                unified = true;
        }
        if (member && json_array_size(json_object_get(g, "licenses")) > 0) {
            why = xasprintf("%s gets licences from group '%s'", user, name);
            break;
        }
        if ((member || owner) && unified) {
            why = xasprintf("%s %s the Microsoft 365 group '%s'", user,
                            member ? "is a member of" : "owns", name);
            break;
        }
    }
    json_decref(gs);
    return why;
}

static bool probe_mfa(struct lint_ctx *c, const char *kind, const char *key, const char *app,
                      char **policies)
{
    struct whatif_signin s;
    struct lint_probe h;
    lint_probe_init(c, kind, key, &s, &h);
    /* Signing in as a Global Administrator: the role is active (eligible ones activate it). */
    json_t *roles = json_copy(h.roles);
    add_unique(c, roles, LINT_GLOBAL_ADMIN);
    const char **rv = xcalloc(json_array_size(roles) + 1, sizeof(*rv));
    for (size_t i = 0; i < json_array_size(roles); i++)
        rv[i] = json_string_value(json_array_get(roles, i));
    s.roles = rv;
    s.app = app;
    struct whatif_result r;
    bool ok = false;
    if (lint_eval(c, &c->wi, &s, &r) == 0) {
        ok = lint_result_requires_mfa(&r);
        if (ok && policies && !*policies)
            *policies = lint_applied_names(&r, WHATIF_ENABLED);
        whatif_result_free(&r);
    }
    free(rv);
    json_decref(roles);
    lint_probe_fini(&h);
    return ok;
}

static void crit_global_admins(struct lint_ctx *c, struct lint_report *out, const struct ga *ga)
{
    size_t n = json_array_size(ga->users);
    struct strbuf why, bad;
    strbuf_init(&why);
    strbuf_init(&bad);
    size_t nemerg = 0;
    size_t i;
    json_t *u;
    json_array_foreach(ga->users, i, u)
    {
        if (lint_is_emergency(c, json_string_value(u)))
            nemerg++;
    }
    strbuf_addf(&why, "%zu Global Administrator%s (", n, n == 1 ? "" : "s");
    json_array_foreach(ga->users, i, u)
    {
        strbuf_addf(&why, "%s%s%s", i ? ", " : "", json_string_value(u),
                    lint_is_emergency(c, json_string_value(u)) ? " [emergency access]" : "");
    }
    strbuf_addf(&why, ")%s",
                n > nemerg ? "; the others are dedicated accounts (no licences, no "
                             "Microsoft 365 groups)"
                           : "");
    if (json_array_size(ga->unknown) > 0) {
        strbuf_addf(&bad, "%smembers of group '%s' hold the role but are not known",
                    bad.len ? "; " : "", json_string_value(json_array_get(ga->unknown, 0)));
    } else if (n < 2 || n > 4) {
        strbuf_addf(&bad,
                    "%s%zu accounts hold Global Administrator; the guide asks for more "
                    "than one dedicated account, and at most 4",
                    bad.len ? "; " : "", n);
    }
    char *mfa_by = NULL;
    size_t checked = 0;
    json_array_foreach(ga->users, i, u)
    {
        const char *user = json_string_value(u);
        if (lint_is_emergency(c, user))
            continue;
        checked++;
        char *d = daily_reason(c, user);
        if (d) {
            strbuf_addf(&bad, "%snot a dedicated account: %s", bad.len ? "; " : "", d);
            free(d);
        }
        if (!probe_mfa(c, "user", user, "Office365", &mfa_by) ||
            !probe_mfa(c, "user", user, "MicrosoftAdminPortals", NULL))
            strbuf_addf(&bad, "%sno enabled policy requires MFA of %s as Global Administrator",
                        bad.len ? "; " : "", user);
    }
    json_array_foreach(ga->unknown, i, u)
    {
        checked++;
        if (!probe_mfa(c, "group", json_string_value(u), "Office365", &mfa_by))
            strbuf_addf(&bad, "%sno enabled policy requires MFA of the members of '%s'",
                        bad.len ? "; " : "", json_string_value(u));
    }
    if (checked && mfa_by)
        strbuf_addf(&why, "; MFA required of them by %s", mfa_by);
    free(mfa_by);
    if (bad.len)
        crit(c, out, "IDP-P2-001", "Required", LINT_FAIL, ga->at, "%s", strbuf_str(&bad));
    else
        crit(c, out, "IDP-P2-001", "Required", LINT_PASS, ga->at, "%s", strbuf_str(&why));
    strbuf_fini(&why);
    strbuf_fini(&bad);
}

static void crit_pim(struct lint_ctx *c, struct lint_report *out, const struct ga *ga)
{
    size_t act = json_array_size(ga->active_nonemergency);
    if (ga->eligible == 0) {
        crit(c, out, "IDP-P2-002", "Optional", LINT_FAIL, ga->at,
             "no eligible (PIM) assignment of Global Administrator");
        return;
    }
    if (act > 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        size_t i;
        json_t *u;
        json_array_foreach(ga->active_nonemergency, i, u) sep(&sb, json_string_value(u));
        crit(c, out, "IDP-P2-002", "Optional", LINT_FAIL, ga->at,
             "%zu eligible assignment%s, but %s hold%s Global Administrator permanently (only "
             "emergency-access accounts should)",
             ga->eligible, ga->eligible == 1 ? "" : "s", strbuf_str(&sb), act == 1 ? "s" : "");
        strbuf_fini(&sb);
        return;
    }
    /* The role's PIM settings decide what an activation asks for ("Plan a Privileged Identity
     * Management deployment": MFA, approval, one hour for Global Administrator). */
    const json_t *pim = c->in->ga_pim;
    const char *pim_at = pim && lint_jstr(pim, "at") ? lint_jstr(pim, "at") : ga->at;
    bool mfa = false, context = false, approval = false;
    const char *duration = NULL;
    size_t i, j;
    json_t *r, *v;
    json_array_foreach(json_object_get(pim, "rules"), i, r)
    {
        const char *id = lint_jstr(r, "id");
        if (lint_eq(id, "Enablement_EndUser_Assignment"))
            json_array_foreach(json_object_get(r, "enabledRules"), j, v) mfa |=
                lint_eq(json_string_value(v), "MultiFactorAuthentication");
        else if (lint_eq(id, "AuthenticationContext_EndUser_Assignment"))
            context = json_is_true(json_object_get(r, "isEnabled"));
        else if (lint_eq(id, "Approval_EndUser_Assignment"))
            approval =
                json_is_true(json_object_get(json_object_get(r, "setting"), "isApprovalRequired"));
        else if (lint_eq(id, "Expiration_EndUser_Assignment"))
            duration = lint_jstr(r, "maximumDuration");
    }
    if (pim && !mfa && !context) {
        crit(c, out, "IDP-P2-002", "Optional", LINT_FAIL, pim_at,
             "%zu eligible assignment%s of Global Administrator, but activating it requires "
             "neither MFA nor an authentication context (activation_requires mfa)",
             ga->eligible, ga->eligible == 1 ? "" : "s");
        return;
    }
    crit(c, out, "IDP-P2-002", "Optional", LINT_PASS, pim ? pim_at : ga->at,
         "%zu eligible assignment%s of Global Administrator; only emergency-access accounts hold "
         "it permanently%s%s%s%s",
         ga->eligible, ga->eligible == 1 ? "" : "s",
         !pim       ? "; its PIM settings are not declared"
         : approval ? "; activation requires MFA and approval"
                    : "; activation requires MFA",
         pim && duration ? " (at most " : "", pim && duration ? duration : "",
         pim && duration ? ")" : "");
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-P2-008 / 009: MFA and risk-based policies for users                                  */

/* Phase 2 "Secure user authentication": every user does MFA. The criterion holds only when an
 * ordinary member user reaching Office 365 is asked for MFA wherever the sign-in comes from:
 * from an untrusted address, from the MFA service's trusted IPs, and from each named location
 * (trusted ones included); a policy that asks only at high sign-in risk is not MFA for every
 * user ("Require multifactor authentication for all users",
 * https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength,
 * and "Common Zero Trust identity and device access policies",
 * https://learn.microsoft.com/microsoft-365/security/office-365-security/zero-trust-identity-device-access-policies-common). */
static void crit_mfa_users(struct lint_ctx *c, struct lint_report *out)
{
    size_t nloc = json_array_size(c->wi.locations);
    char *names = NULL;
    for (size_t k = 0; k < nloc + 2; k++) {
        const json_t *loc = k < nloc ? json_array_get(c->wi.locations, k) : NULL;
        const char *key = loc ? lint_jstr(loc, "id") : NULL;
        if (loc && !key)
            key = lint_jstr(loc, "displayName");
        if (loc && !key)
            continue;
        const char *locs[2] = {key, NULL};
        struct whatif_signin s;
        struct lint_probe h;
        lint_probe_init(c, NULL, NULL, &s, &h);
        if (loc)
            s.locations = locs;
        s.mfa_trusted_ip = k == nloc + 1;
        struct whatif_result r;
        int rc = lint_eval(c, &c->wi, &s, &r);
        lint_probe_fini(&h);
        if (rc != 0) {
            free(names);
            return;
        }
        /* a blocked sign-in does not reach Office 365 at all */
        if (r.grant != WHATIF_BLOCK && !lint_result_requires_mfa(&r)) {
            const char *where = loc         ? lint_jstr(loc, "displayName")
                                : k == nloc ? "an untrusted address"
                                            : "the MFA service's trusted IPs";
            crit(c, out, "IDP-P2-008", "Optional", LINT_FAIL, NULL,
                 "an ordinary member user signing in to Office 365 from %s%s%s is not asked for "
                 "MFA by any enabled policy",
                 loc ? "named location \"" : "", where ? where : "?", loc ? "\"" : "");
            whatif_result_free(&r);
            free(names);
            return;
        }
        if (!names)
            names = lint_applied_names(&r, WHATIF_ENABLED);
        whatif_result_free(&r);
    }
    crit(c, out, "IDP-P2-008", "Optional", LINT_PASS, NULL,
         "every user signing in to Office 365 must do MFA, from every location (%s)",
         names ? names : "");
    free(names);
}

/* The enabled policies with a `field` risk condition that apply at high risk and block or
 * require a control. */
static char *risk_policies(struct lint_ctx *c, const char *field)
{
    struct whatif_signin s;
    struct lint_probe h;
    lint_probe_init(c, NULL, NULL, &s, &h);
    if (strcmp(field, "signInRiskLevels") == 0)
        s.sign_in_risk = "high";
    else
        s.user_risk = "high";
    struct whatif_result r;
    char *names = NULL;
    if (lint_eval(c, &c->wi, &s, &r) == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; i < r.n; i++) {
            const struct whatif_policy_result *p = &r.policies[i];
            const json_t *lv = json_object_get(json_object_get(p->policy, "conditions"), field);
            if (p->applies && p->state == WHATIF_ENABLED && json_array_size(lv) > 0 &&
                (p->block || p->ncontrols > 0))
                strbuf_addf(&sb, "%s'%s'", sb.len ? ", " : "", p->name);
        }
        if (sb.len)
            names = strbuf_detach(&sb);
        strbuf_fini(&sb);
        whatif_result_free(&r);
    }
    lint_probe_fini(&h);
    return names;
}

static void crit_identity_protection(struct lint_ctx *c, struct lint_report *out)
{
    char *sign_in = risk_policies(c, "signInRiskLevels");
    char *user = risk_policies(c, "userRiskLevels");
    if (sign_in && user)
        crit(c, out, "IDP-P2-009", "Optional", LINT_PASS, NULL,
             "sign-in risk policy %s; user risk policy %s", sign_in, user);
    else
        crit(c, out, "IDP-P2-009", "Optional", LINT_FAIL, NULL, "%s%s%s",
             sign_in ? "" : "no enabled sign-in risk policy for all users",
             !sign_in && !user ? "; " : "",
             user ? "" : "no enabled user risk policy for all users");
    free(sign_in);
    free(user);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-P2-010: directory synchronisation                                                     */

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z"; -1 when malformed. */
static long long parse_utc(const char *s)
{
    int y, mo, d, h, mi, se;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
        return -1;
    /* days from civil (proleptic Gregorian) */
    y -= mo <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153LL * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + se;
}

/* "sync features: password hash sync on, soft match blocked, hard-match takeover blocked" (or
 * why they are unknown), for the message of IDP-P2-010. Caller frees. */
static char *sync_features_text(const json_t *f)
{
    if (!f)
        return xstrdup("the synchronization features were not readable (Graph v1.0 serves "
                       "/directory/onPremisesSynchronization to delegated callers only)");
    static const struct {
        const char *prop, *what;
    } shown[] = {
        {"passwordSyncEnabled", "password hash sync"},
        {"blockSoftMatchEnabled", "soft match blocked"},
        {"blockCloudObjectTakeoverThroughHardMatchEnabled", "hard-match takeover blocked"}};
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "features:");
    for (size_t i = 0; i < IDPC_ARRAY_LEN(shown); i++) {
        const json_t *v = json_object_get(f, shown[i].prop);
        strbuf_addf(&sb, "%s %s %s", i ? "," : "", shown[i].what,
                    json_is_true(v)    ? "on"
                    : json_is_false(v) ? "off"
                                       : "unknown");
    }
    return strbuf_detach(&sb);
}

/* IDP-P2-010, directory synchronisation health (Microsoft 365 Enterprise "Phase 2: Identity
 * infrastructure exit criteria", #crit-identity-sync): with a tenant, from the organization's
 * onPremisesSyncEnabled and onPremisesLastSyncDateTime (at most max_age old) and the users' and
 * groups' onPremisesProvisioningErrors (at most max_errors objects; Graph v1.0 "user resource
 * type": "Errors when using Microsoft synchronization product during provisioning"). */
static void crit_directory_sync(struct lint_ctx *c, struct lint_report *out)
{
    const char *req = "Required for hybrid identity";
    const json_t *as = c->in->directory_sync;
    const char *at = lint_jstr(as, "at");
    long long max_h = json_is_integer(json_object_get(as, "maxAgeHours"))
                          ? json_integer_value(json_object_get(as, "maxAgeHours"))
                          : 3;
    long long max_err = json_is_integer(json_object_get(as, "maxErrors"))
                            ? json_integer_value(json_object_get(as, "maxErrors"))
                            : 0;
    const json_t *org = c->in->organization;
    if (!org) {
        if (as)
            crit(c, out, "IDP-P2-010", req, LINT_DECLARED, at,
                 "hybrid tenant: directory synchronisation health (last synchronisation at most "
                 "%lld h old, at most %lld objects in error) is declared, not verified; it is "
                 "checked against the tenant by `check --tenant` and by `plan`",
                 max_h, max_err);
        else
            crit(c, out, "IDP-P2-010", req, LINT_MANUAL, NULL,
                 "no sync health assertion: if the tenant is hybrid, declare "
                 "`sync_health max_age 3h` in `on_premises_sync` (or `directory_sync required` "
                 "in `settings`), or run `check --tenant`");
        return;
    }
    bool enabled = json_is_true(json_object_get(org, "onPremisesSyncEnabled"));
    if (!enabled) {
        if (as)
            crit(c, out, "IDP-P2-010", req, LINT_FAIL, at,
                 "the configuration declares a hybrid tenant, but directory synchronisation is "
                 "not enabled (organization.onPremisesSyncEnabled is not true)");
        else
            crit(c, out, "IDP-P2-010", req, LINT_PASS, NULL,
                 "cloud-only tenant (directory synchronisation is not enabled): not applicable");
        return;
    }
    const char *last = lint_jstr(org, "onPremisesLastSyncDateTime");
    long long t = parse_utc(last);
    time_t now = c->opt->now ? c->opt->now : time(NULL);
    if (t < 0) {
        crit(c, out, "IDP-P2-010", req, LINT_FAIL, at,
             "directory synchronisation is enabled but has never completed "
             "(onPremisesLastSyncDateTime is %s)",
             last ? last : "null");
        return;
    }
    long long age_min = ((long long)now - t) / 60;
    if (age_min > max_h * 60) {
        crit(c, out, "IDP-P2-010", req, LINT_FAIL, at,
             "the last directory synchronisation (%s) is %lld h %lld min old; at most %lld h "
             "allowed",
             last, age_min / 60, age_min % 60, max_h);
        return;
    }
    size_t nerr = json_array_size(c->in->sync_errors);
    if ((long long)nerr > max_err) {
        const json_t *first = json_array_get(c->in->sync_errors, 0);
        const json_t *e = json_array_get(json_object_get(first, "errors"), 0);
        crit(c, out, "IDP-P2-010", req, LINT_FAIL, at,
             "%zu synchronised object%s in error (at most %lld allowed), first %s: %s of %s "
             "(value \"%s\")",
             nerr, nerr == 1 ? " is" : "s are", max_err,
             lint_jstr(first, "name") ? lint_jstr(first, "name") : "?",
             lint_jstr(e, "category") ? lint_jstr(e, "category") : "error",
             lint_jstr(e, "propertyCausingError") ? lint_jstr(e, "propertyCausingError") : "?",
             lint_jstr(e, "value") ? lint_jstr(e, "value") : "");
        return;
    }
    char *features = sync_features_text(c->in->sync_features);
    crit(c, out, "IDP-P2-010", req, LINT_PASS, at,
         "hybrid tenant; last directory synchronisation %s (%lld min ago, at most %lld h "
         "allowed); %zu object%s in error (at most %lld); %s",
         last, age_min < 0 ? 0 : age_min, max_h, nerr, nerr == 1 ? "" : "s", max_err, features);
    free(features);
}

/* ---------------------------------------------------------------------------------------- */
/* IDP-P2-013 / 014 / 015: groups                                                            */

static void crit_self_service_groups(struct lint_ctx *c, struct lint_report *out)
{
    const json_t *gu = c->in->group_unified;
    size_t owned = 0;
    size_t i;
    json_t *g;
    json_array_foreach(c->in->groups, i, g)
    {
        if (json_array_size(json_object_get(g, "owners")) > 0)
            owned++;
    }
    const char *at = lint_jstr(gu, "@at");
    if (!gu) {
        crit(c, out, "IDP-P2-013", "Optional", LINT_FAIL, NULL,
             "no Group.Unified setting: who may create Microsoft 365 groups is left to the "
             "default (everyone); declare `group_creation` in `settings`");
        return;
    }
    const char *enable = lint_jstr(gu, "EnableGroupCreation");
    const char *allowed = lint_jstr(gu, "GroupCreationAllowedGroupId");
    char policy[300];
    if (enable && lint_eq(enable, "false"))
        snprintf(policy, sizeof(policy), "%s%s%s",
                 allowed ? "Microsoft 365 group creation restricted to group '" : "",
                 allowed ? lint_canon(c, allowed) : "Microsoft 365 group creation turned off",
                 allowed ? "'" : "");
    else
        snprintf(policy, sizeof(policy), "every user may create Microsoft 365 groups");
    if (owned == 0) {
        crit(c, out, "IDP-P2-013", "Optional", LINT_FAIL, at,
             "%s, but no group has owners to manage it", policy);
        return;
    }
    const char *naming = lint_jstr(gu, "PrefixSuffixNamingRequirement");
    const char *guests = lint_jstr(gu, "AllowToAddGuests");
    crit(c, out, "IDP-P2-013", "Optional", LINT_PASS, at,
         "%s; %zu group%s managed by owners; naming policy %s%s%s; owners %s add guests (My "
         "Groups self-service settings are portal-only)",
         policy, owned, owned == 1 ? "" : "s", naming && *naming ? "\"" : "",
         naming && *naming ? naming : "none", naming && *naming ? "\"" : "",
         guests && lint_eq(guests, "false") ? "may not" : "may");
}

static void crit_dynamic_groups(struct lint_ctx *c, struct lint_report *out)
{
    struct strbuf on, paused;
    strbuf_init(&on);
    strbuf_init(&paused);
    const char *at = NULL;
    size_t i;
    json_t *g;
    json_array_foreach(c->in->groups, i, g)
    {
        const json_t *b = json_object_get(g, "body");
        if (!lint_jstr(b, "membershipRule"))
            continue;
        const char *name = lint_jstr(g, "name") ? lint_jstr(g, "name") : "(unnamed)";
        if (lint_eq(lint_jstr(b, "membershipRuleProcessingState"), "On")) {
            if (!at)
                at = lint_jstr(g, "at");
            strbuf_addf(&on, "%s'%s'", on.len ? ", " : "", name);
        } else {
            strbuf_addf(&paused, "%s'%s'", paused.len ? ", " : "", name);
        }
    }
    if (on.len)
        crit(c, out, "IDP-P2-014", "Optional", LINT_PASS, at, "dynamic groups: %s",
             strbuf_str(&on));
    else if (paused.len)
        crit(c, out, "IDP-P2-014", "Optional", LINT_FAIL, NULL, "every dynamic group is paused: %s",
             strbuf_str(&paused));
    else
        crit(c, out, "IDP-P2-014", "Optional", LINT_FAIL, NULL, "no dynamic group");
    strbuf_fini(&on);
    strbuf_fini(&paused);
}

static void crit_group_licensing(struct lint_ctx *c, struct lint_report *out)
{
    struct strbuf sb;
    strbuf_init(&sb);
    const char *at = NULL;
    size_t i;
    json_t *g;
    json_array_foreach(c->in->groups, i, g)
    {
        const json_t *lic = json_object_get(g, "licenses");
        if (json_array_size(lic) == 0)
            continue;
        if (!at)
            at = lint_jstr(g, "at");
        strbuf_addf(&sb, "%s'%s' (", sb.len ? ", " : "",
                    lint_jstr(g, "name") ? lint_jstr(g, "name") : "(unnamed)");
        size_t k;
        json_t *l;
        json_array_foreach(lic, k, l) strbuf_addf(&sb, "%s%s", k ? ", " : "", json_string_value(l));
        strbuf_addc(&sb, ')');
    }
    if (sb.len)
        crit(c, out, "IDP-P2-015", "Optional", LINT_PASS, at, "licences assigned through %s",
             strbuf_str(&sb));
    else
        crit(c, out, "IDP-P2-015", "Optional", LINT_FAIL, NULL, "no group assigns licences");
    strbuf_fini(&sb);
}

/* ---------------------------------------------------------------------------------------- */

/* IDP-P2-004: password protection, from the "Password Rule Settings" directory setting: the
 * configuration's declaration (`banned_passwords`, `password_protection_on_premises`, ... in
 * `settings`) offline, the tenant's own setting with `check --tenant`. The global banned
 * password list always applies to cloud accounts; a custom list adds the organisation's own
 * words (reported, not required). A hybrid tenant (organization.onPremisesSyncEnabled with a
 * tenant, a `directory_sync` assertion offline) also needs Password Protection enabled and enforced in AD DS
 * (EnableBannedPasswordCheckOnPremises, BannedPasswordCheckOnPremisesMode) ("Microsoft Entra
 * Password Protection", https://learn.microsoft.com/entra/identity/authentication/concept-password-ban-bad,
 * and "Enable on-premises Microsoft Entra Password Protection",
 * https://learn.microsoft.com/entra/identity/authentication/howto-password-ban-bad-on-premises-operations).
 * Offline, a good declaration is "declared" (nothing verified it); no declaration is manual. */
static bool pp_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

static void crit_password_protection(struct lint_ctx *c, struct lint_report *out)
{
    const json_t *org = c->in->organization;
    const json_t *pr = c->in->password_rules;
    const char *at = lint_jstr(pr, "@at");
    bool tenant = c->in->from_tenant && org;
    if (!tenant && !pr) {
        manual(c, out, "IDP-P2-004",
               "no password protection settings are declared: declare `banned_passwords` and "
               "`password_protection_on_premises` in `settings`, or run `check --tenant` to "
               "read the tenant's own setting");
        return;
    }
    const char *check = lint_jstr(pr, "EnableBannedPasswordCheck");
    const char *list = lint_jstr(pr, "BannedPasswordList");
    size_t words = 0;
    if (list && *list) {
        words = 1;
        for (const char *p = list; *p; p++)
            words += *p == '\t';
    }
    bool custom = words > 0 && !(check && !pp_true(check));
    /* with a tenant, its organization says whether it synchronises; offline, the assertion */
    bool hybrid = tenant ? json_is_true(json_object_get(org, "onPremisesSyncEnabled"))
                         : c->in->directory_sync != NULL;
    const char *onprem = lint_jstr(pr, "EnableBannedPasswordCheckOnPremises");
    const char *mode = lint_jstr(pr, "BannedPasswordCheckOnPremisesMode");
    if (hybrid && !pp_true(onprem)) {
        crit(c, out, "IDP-P2-004", "Optional", LINT_FAIL, at,
             "hybrid tenant, but Password Protection for Active Directory is off on the domain "
             "controllers (Password Rule Settings: EnableBannedPasswordCheckOnPremises is %s); "
             "write `password_protection_on_premises enforce`",
             onprem ? onprem : "not set");
        return;
    }
    if (hybrid && !(mode && strcasecmp(mode, "Enforce") == 0)) {
        crit(c, out, "IDP-P2-004", "Optional", LINT_FAIL, at,
             "hybrid tenant, but Password Protection is only audited on the domain controllers "
             "(%s mode, not Enforce); write `password_protection_on_premises enforce`",
             mode ? mode : "Audit (the default)");
        return;
    }
    char extra[160];
    if (custom)
        snprintf(extra, sizeof(extra), "; %zu custom banned password%s", words,
                 words == 1 ? "" : "s");
    else
        snprintf(extra, sizeof(extra),
                 "; no custom banned password list%s (add the organisation's own words with "
                 "`banned_passwords`)",
                 check && !pp_true(check) ? " (turned off)"
                 : words == 0 && pr       ? " (empty)"
                                          : "");
    crit(c, out, "IDP-P2-004", "Optional", tenant ? LINT_PASS : LINT_DECLARED, at,
         "%s: the global banned password list protects cloud accounts%s%s%s",
         hybrid ? "hybrid tenant" : "cloud-only tenant",
         hybrid
             ? " and Password Protection is enforced in Active Directory (its agents must run on "
               "the domain controllers; not visible in Microsoft Graph)"
             : "",
         extra,
         tenant ? "" : "; declared by the configuration, not verified (run `check --tenant`)");
}

/* IDP-P2-016: access reviews that recur ("Plan a Microsoft Entra access reviews deployment",
 * https://learn.microsoft.com/entra/id-governance/deploy-access-reviews): a definition with a
 * recurrence, not completed. Reported with what they cover: privileged roles (a role definition
 * as resource scope) and guests (a scope filtered on userType 'Guest'). Offline the
 * configuration's `access_review` blocks are "declared". */
static void crit_access_reviews(struct lint_ctx *c, struct lint_report *out)
{
    struct strbuf sb = STRBUF_INIT;
    const char *at = NULL;
    size_t n = 0;
    bool roles = false, guests = false;
    size_t i;
    json_t *r;
    json_array_foreach(c->in->access_reviews, i, r)
    {
        const json_t *b = json_object_get(r, "body");
        const json_t *rec = json_object_get(json_object_get(b, "settings"), "recurrence");
        const char *type = lint_jstr(json_object_get(rec, "pattern"), "type");
        const char *status = lint_jstr(b, "status");
        if (!type || (status && strcasecmp(status, "Completed") == 0))
            continue;
        char *scope = json_dumps(json_object_get(b, "scope"), JSON_COMPACT);
        bool role = scope && strstr(scope, "/roleManagement/directory/roleDefinitions/");
        bool guest = scope && strstr(scope, "userType eq 'Guest'");
        free(scope);
        roles = roles || role;
        guests = guests || guest;
        if (!at)
            at = lint_jstr(r, "at");
        n++;
        strbuf_addf(&sb, "%s'%s'%s", sb.len ? ", " : "",
                    lint_jstr(r, "name") ? lint_jstr(r, "name") : "(unnamed)",
                    role    ? " (a role)"
                    : guest ? " (guests)"
                            : "");
    }
    if (n == 0) {
        crit(c, out, "IDP-P2-016", "Optional", LINT_FAIL, NULL,
             "%s: declare an `access_review` of Global Administrator and one of guests",
             c->in->from_tenant ? "the tenant has no recurring access review"
                                : "no recurring access review is declared");
    } else {
        crit(c, out, "IDP-P2-016", "Optional", c->in->from_tenant ? LINT_PASS : LINT_DECLARED, at,
             "%zu recurring access review%s: %s%s%s%s", n, n == 1 ? "" : "s", strbuf_str(&sb),
             roles ? "" : "; none reviews a privileged role", guests ? "" : "; none reviews guests",
             c->in->from_tenant ? ""
                                : "; declared by the configuration, not verified (run "
                                  "`check --tenant`)");
    }
    strbuf_fini(&sb);
}

void lint_p2_run(struct lint_ctx *c, struct lint_report *out)
{
    struct ga ga;
    ga_collect(c, &ga);
    crit_global_admins(c, out, &ga);
    crit_pim(c, out, &ga);
    ga_free(&ga);
    manual(c, out, "IDP-P2-003",
           "Office 365 privileged access management is configured in the compliance portal; "
           "Microsoft Graph v1.0 has no API for it");
    crit_password_protection(c, out);
    manual(c, out, "IDP-P2-005",
           "self-service password reset for users is not manageable through Microsoft Graph "
           "v1.0 (`admin_self_service_password_reset` covers administrators only); check "
           "Password reset in the Entra admin center");
    manual(c, out, "IDP-P2-006",
           "Seamless Single Sign-On is configured in Entra Connect; not visible in Microsoft "
           "Graph v1.0");
    manual(c, out, "IDP-P2-007",
           "company branding of the sign-in page is not modelled by idpc; check it in the "
           "Entra admin center");
    crit_mfa_users(c, out);
    crit_identity_protection(c, out);
    crit_directory_sync(c, out);
    manual(c, out, "IDP-P2-011",
           "Entra Connect Health is deployed on the on-premises servers; not visible in "
           "Microsoft Graph v1.0");
    manual(c, out, "IDP-P2-012",
           "password writeback is configured in Entra Connect; not visible in Microsoft Graph "
           "v1.0");
    crit_self_service_groups(c, out);
    crit_dynamic_groups(c, out);
    crit_group_licensing(c, out);
    crit_access_reviews(c, out);
}
