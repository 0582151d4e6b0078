/* lower_policy_check.c — the rules of a Conditional Access policy that span statements (what
 * Graph would reject at apply time, and idpc's own warnings), and the Graph request body. */
#include <string.h>

#include "compiler/lower_policy_int.h"

static struct diag_ctx *D(struct pol *p)
{
    return p->ck->diag;
}

/* ---- cross-statement rules ---- */

static void err_at_item(struct pol *p, const struct item *it, const char *msg)
{
    diag_error(D(p), it->loc, "%s", msg);
    lower_policy_note_policy(p, it->stmt);
}

static const struct item *first(const struct pol *p, enum field f)
{
    return p->f[f].n ? &p->f[f].v[0] : NULL;
}

static bool any_users(const struct pol *p)
{
    return lower_policy_has(p, F_INC_USERS) || lower_policy_has(p, F_INC_GROUPS) ||
           lower_policy_has(p, F_INC_ROLES) || lower_policy_has(p, F_INC_GUESTS);
}

static bool any_session(const struct pol *p)
{
    for (int o = O_SIF; o <= O_SECURE_SIGN_IN; o++)
        if (p->o[o].set)
            return true;
    return false;
}

static bool any_grant(const struct pol *p)
{
    return lower_policy_has(p, F_BUILTIN) || lower_policy_has(p, F_TERMS) ||
           lower_policy_has(p, F_CUSTOM) || p->o[O_STRENGTH].set;
}

/* A warning for each item in both the include and the exclude list. */
static void include_exclude(struct pol *p, enum field inc)
{
    for (size_t i = 0; i < p->f[inc + 1].n; i++) {
        const struct item *x = &p->f[inc + 1].v[i];
        const struct item *y = lower_policy_find(p, inc, x->key);
        if (!y)
            continue;
        diag_warning(D(p), x->loc, "%s is both included and excluded; the exclusion wins", x->show);
        lower_policy_note_first(p, y->loc, y->stmt, "included");
        lower_policy_note_policy(p, x->stmt);
    }
}

/* A keyword that stands alone in its list (`none`): error at the other items. */
static void alone(struct pol *p, enum field f, const char *key, const char *others,
                  enum field also1, enum field also2, enum field also3)
{
    const struct item *n = lower_policy_find(p, f, key);
    if (!n)
        return;
    const struct item *o = NULL;
    for (size_t i = 0; i < p->f[f].n && !o; i++)
        if (&p->f[f].v[i] != n)
            o = &p->f[f].v[i];
    enum field more[] = {also1, also2, also3};
    for (size_t i = 0; i < 3 && !o; i++)
        if (more[i] != F__COUNT)
            o = first(p, more[i]);
    if (!o)
        return;
    diag_error(D(p), n->loc, "%s cannot be combined with other %s", n->show, others);
    lower_policy_note_at(p, o->loc, o->stmt, "included");
    lower_policy_note_policy(p, n->stmt);
}

/* The policy must target all resources with no exclusion (password_change, risk_remediation). */
static void all_resources_only(struct pol *p, const struct item *ctl, const char *what)
{
    if (!lower_policy_find(p, F_INC_APPS, "All")) {
        diag_error(D(p), ctl->loc, "%s needs 'apps include all'", what);
        lower_policy_note_policy(p, ctl->stmt);
    } else if (lower_policy_has(p, F_EXC_APPS)) {
        diag_error(D(p), first(p, F_EXC_APPS)->loc,
                   "a policy that requires %s must not exclude applications", what);
        lower_policy_note_at(p, ctl->loc, ctl->stmt, "required");
        lower_policy_note_policy(p, ctl->stmt);
    } else if (p->o[O_APP_FILTER].set) {
        diag_error(D(p), p->o[O_APP_FILTER].loc,
                   "a policy that requires %s must not filter applications", what);
        lower_policy_note_at(p, ctl->loc, ctl->stmt, "required");
        lower_policy_note_policy(p, ctl->stmt);
    }
}

/* No grant control beside CTL but ALLOWED (a built-in key, or NULL) and a strength. */
static void other_controls(struct pol *p, const struct item *ctl, const char *what,
                           const char *allowed)
{
    const struct item *o = NULL;
    for (size_t i = 0; i < p->f[F_BUILTIN].n && !o; i++) {
        const struct item *it = &p->f[F_BUILTIN].v[i];
        if (it != ctl && (!allowed || strcmp(it->key, allowed) != 0))
            o = it;
    }
    if (!o)
        o = first(p, F_TERMS) ? first(p, F_TERMS) : first(p, F_CUSTOM);
    if (!o)
        return;
    diag_error(D(p), o->loc, "%s cannot be combined with %s (Graph rejects it)%s", o->show, what,
               allowed ? "; only 'mfa' or a strength may be required with it" : "");
    lower_policy_note_at(p, ctl->loc, ctl->stmt, "required");
    lower_policy_note_policy(p, o->stmt);
}

/* No condition but users, applications and user risk (password_change). */
static void only_user_risk(struct pol *p, const struct item *ctl, const char *what)
{
    static const enum field conds[] = {F_INC_PLATFORMS, F_EXC_PLATFORMS, F_INC_LOCATIONS,
                                       F_EXC_LOCATIONS, F_CLIENT_APPS,   F_SIGN_IN_RISK,
                                       F_INSIDER_RISK,  F_FLOWS};
    const struct item *c = NULL;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(conds) && !c; i++)
        c = first(p, conds[i]);
    struct loc at = c ? c->loc : p->o[O_DEVICE_FILTER].loc;
    const struct ast_stmt *st = c ? c->stmt : p->o[O_DEVICE_FILTER].stmt;
    if (!c && !p->o[O_DEVICE_FILTER].set)
        return;
    diag_error(D(p), at,
               "a policy that requires %s can have no condition but users, applications and "
               "'user_risk' (Graph rejects it)",
               what);
    lower_policy_note_at(p, ctl->loc, ctl->stmt, "required");
    lower_policy_note_policy(p, st);
}

void lower_policy_check(struct pol *p)
{
    struct diag_ctx *d = D(p);
    struct loc name = p->decl->atoms[1].loc;
    bool workloads = lower_policy_has(p, F_INC_SP);
    bool users = any_users(p);

    /* Graph: a user (or workload identity) rule, an application rule, and a grant or session
     * control (facts.md §2.1, post-policies "A valid policy should contain..."). */
    /* After a rejected statement (misspelled, misplaced, missing template) the policy is missing
     * lines by our doing: "applies to nobody" would only repeat the first error. */
    bool complete = !p->ck->incomplete;
    if (complete && !users && !workloads)
        diag_error(d, name,
                   "policy '%s' applies to nobody: add 'users include ...' (or 'workloads "
                   "include ...')",
                   p->name);
    if (complete && !lower_policy_has(p, F_INC_APPS) && !lower_policy_has(p, F_ACTIONS) &&
        !lower_policy_has(p, F_CONTEXTS))
        diag_error(d, name,
                   "policy '%s' applies to no application: add 'apps include ...' (an app, "
                   "'all', an 'action' or a 'context')",
                   p->name);
    if (complete && !any_grant(p) && !any_session(p))
        diag_error(d, name, "policy '%s' has no control: add a 'grant' or 'session' line", p->name);
    if (users && workloads) {
        const struct item *w = first(p, F_INC_SP);
        diag_error(d, w->loc,
                   "a policy applies to users or to workload identities, not both; write a "
                   "separate policy for workload identities");
        const struct item *u = NULL;
        for (int f = F_INC_USERS; f <= F_INC_GUESTS && !u; f += 2)
            u = first(p, (enum field)f);
        lower_policy_note_at(p, u->loc, u->stmt, "users are included");
        lower_policy_note_policy(p, w->stmt);
    }

    alone(p, F_INC_USERS, "None", "included users", F_INC_GROUPS, F_INC_ROLES, F_INC_GUESTS);
    alone(p, F_INC_APPS, "None", "included applications", F__COUNT, F__COUNT, F__COUNT);

    /* Exactly one kind of target: applications, user actions or authentication contexts. */
    const enum field kinds[] = {F_INC_APPS, F_ACTIONS, F_CONTEXTS};
    const struct item *k1 = NULL;
    for (size_t i = 0; i < 3; i++) {
        const struct item *it = first(p, kinds[i]);
        if (!it)
            continue;
        if (!k1) {
            k1 = it;
            continue;
        }
        diag_error(d, it->loc,
                   "%s cannot be combined with %s in one policy: Graph takes applications, user "
                   "actions or authentication contexts; write a separate policy",
                   it->show, k1->show);
        lower_policy_note_first(p, k1->loc, k1->stmt, "included");
        lower_policy_note_policy(p, it->stmt);
        break;
    }
    if (lower_policy_has(p, F_EXC_APPS) && !lower_policy_has(p, F_INC_APPS))
        err_at_item(p, first(p, F_EXC_APPS),
                    "excluded applications need included ones: add 'apps include all' (or the "
                    "applications this policy is for)");
    if (p->o[O_APP_FILTER].set && !lower_policy_has(p, F_INC_APPS)) {
        diag_error(d, p->o[O_APP_FILTER].loc,
                   "an application filter needs included applications: add 'apps include ...'");
        lower_policy_note_policy(p, p->o[O_APP_FILTER].stmt);
    }
    if (lower_policy_has(p, F_EXC_PLATFORMS) && !lower_policy_has(p, F_INC_PLATFORMS))
        err_at_item(p, first(p, F_EXC_PLATFORMS),
                    "excluded platforms need included ones: add 'platforms include all'");
    if (lower_policy_has(p, F_EXC_LOCATIONS) && !lower_policy_has(p, F_INC_LOCATIONS))
        err_at_item(p, first(p, F_EXC_LOCATIONS),
                    "excluded locations need included ones: add 'locations include all'");
    if ((lower_policy_has(p, F_EXC_SP) || p->o[O_SP_FILTER].set) &&
        !lower_policy_has(p, F_INC_SP)) {
        if (lower_policy_has(p, F_EXC_SP))
            err_at_item(p, first(p, F_EXC_SP),
                        "excluded workload identities need included ones: add 'workloads include "
                        "all'");
        else {
            diag_error(d, p->o[O_SP_FILTER].loc,
                       "a service principal filter needs 'workloads "
                       "include ...'");
            lower_policy_note_policy(p, p->o[O_SP_FILTER].stmt);
        }
    }

    const enum field pairs[] = {F_INC_USERS, F_INC_GROUPS, F_INC_ROLES,     F_INC_GUESTS,
                                F_INC_APPS,  F_INC_SP,     F_INC_PLATFORMS, F_INC_LOCATIONS};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(pairs); i++)
        include_exclude(p, pairs[i]);

    /* Workload identities: Block is the only grant control and session controls do not apply;
     * the user risk conditions do not apply to them. Only they have a workload risk. */
    if (workloads) {
        const struct item *bad = NULL;
        for (size_t i = 0; i < p->f[F_BUILTIN].n && !bad; i++)
            if (strcmp(p->f[F_BUILTIN].v[i].key, "block") != 0)
                bad = &p->f[F_BUILTIN].v[i];
        if (!bad)
            bad = first(p, F_TERMS) ? first(p, F_TERMS) : first(p, F_CUSTOM);
        if (bad)
            err_at_item(p, bad,
                        "a policy for workload identities can only block: write 'grant "
                        "block'");
        else if (p->o[O_STRENGTH].set) {
            diag_error(d, p->o[O_STRENGTH].loc,
                       "a policy for workload identities can only block: write 'grant block'");
            lower_policy_note_policy(p, p->o[O_STRENGTH].stmt);
        }
        for (int o = O_SIF; o <= O_SECURE_SIGN_IN; o++)
            if (p->o[o].set) {
                diag_error(d, p->o[o].loc, "session controls do not apply to workload identities");
                lower_policy_note_policy(p, p->o[o].stmt);
                break;
            }
        /* Authentication contexts do apply: "Conditional Access for workload identities"
         * blocks service principals "in combination with authentication contexts"
         * (https://learn.microsoft.com/entra/identity/conditional-access/workload-identity). */
        const enum field userish[] = {F_SIGN_IN_RISK, F_USER_RISK, F_INSIDER_RISK, F_ACTIONS};
        for (size_t i = 0; i < IDPC_ARRAY_LEN(userish); i++)
            if (lower_policy_has(p, userish[i])) {
                err_at_item(p, first(p, userish[i]),
                            "this condition applies to users, not to workload identities");
                break;
            }
    } else if (lower_policy_has(p, F_SP_RISK)) {
        err_at_item(p, first(p, F_SP_RISK),
                    "workload_risk applies to workload identities: add 'workloads include ...'");
    }

    /* Grant controls (facts.md §2.2 and Entra's grant controls documentation). */
    const struct item *block = lower_policy_find(p, F_BUILTIN, "block");
    if (block) {
        const struct item *other = NULL;
        for (size_t i = 0; i < p->f[F_BUILTIN].n && !other; i++)
            if (&p->f[F_BUILTIN].v[i] != block)
                other = &p->f[F_BUILTIN].v[i];
        if (!other)
            other = first(p, F_TERMS) ? first(p, F_TERMS) : first(p, F_CUSTOM);
        if (other || p->o[O_STRENGTH].set) {
            diag_error(d, block->loc,
                       "'block' cannot be combined with other grant controls: a blocked sign-in "
                       "has nothing to satisfy");
            if (other)
                lower_policy_note_first(p, other->loc, other->stmt, "required");
            else
                lower_policy_note_first(p, p->o[O_STRENGTH].loc, p->o[O_STRENGTH].stmt, "required");
            lower_policy_note_policy(p, block->stmt);
        }
        /* Blocking all users with no exclusion locks out administrators too; in report-only
         * mode it is a trap for the day the policy is switched on. */
        bool all_users = lower_policy_find(p, F_INC_USERS, "All") != NULL;
        bool excludes = false;
        for (int f = F_EXC_USERS; f <= F_EXC_GUESTS; f += 2)
            excludes = excludes || lower_policy_has(p, (enum field)f);
        const char *state = p->o[O_STATE].set ? p->o[O_STATE].key : "enabled";
        if (all_users && !excludes && strcmp(state, "disabled") != 0) {
            if (strcmp(state, "enabled") == 0)
                diag_warning(d, block->loc,
                             "this policy blocks all users and excludes no one: it locks out "
                             "everyone, administrators included");
            else
                diag_warning(d, block->loc,
                             "this report-only policy blocks all users and excludes no one: "
                             "switched on, it would lock out everyone, administrators included");
            diag_note(d, lower_policy_find(p, F_INC_USERS, "All")->loc,
                      "all users are included here");
            lower_policy_note_policy(p, block->stmt);
        }
    }
    const struct item *mfa = lower_policy_find(p, F_BUILTIN, "mfa");
    if (mfa && p->o[O_STRENGTH].set) {
        const struct single *st = &p->o[O_STRENGTH];
        bool later = st->loc.file > mfa->loc.file ||
                     (st->loc.file == mfa->loc.file && st->loc.start > mfa->loc.start);
        diag_error(d, later ? st->loc : mfa->loc,
                   "'mfa' and an authentication strength cannot be combined (Graph rejects it); "
                   "keep the strength, which says which methods count as MFA");
        if (later)
            lower_policy_note_first(p, mfa->loc, mfa->stmt, "required");
        else
            lower_policy_note_first(p, st->loc, st->stmt, "required");
        lower_policy_note_policy(p, later ? st->stmt : mfa->stmt);
    }
    /* passwordChange: with mfa (or a strength) under AND, on user risk, for all resources with
     * no exclusion, and no condition but users, applications and user risk ("Require password
     * change for elevated user risk",
     * https://learn.microsoft.com/entra/identity/conditional-access/policy-risk-based-user, and
     * Graph "conditionalAccessGrantControls resource type", special considerations; error 1032
     * InvalidPasswordResetControl). */
    const struct item *pwd = lower_policy_find(p, F_BUILTIN, "passwordChange");
    if (pwd) {
        if (!mfa && !p->o[O_STRENGTH].set)
            err_at_item(p, pwd,
                        "'password_change' must be required together with 'mfa' (or "
                        "a strength): write 'grant all_of mfa, password_change'");
        else if (p->any_of)
            err_at_item(p, pwd,
                        "'password_change' must be required together with MFA, not as "
                        "an alternative: use 'all_of'");
        if (!lower_policy_has(p, F_USER_RISK))
            err_at_item(p, pwd,
                        "'password_change' needs a user risk condition: add 'user_risk "
                        "high' (or the levels it is for)");
        all_resources_only(p, pwd, "'password_change'");
        other_controls(p, pwd, "'password_change'", "mfa");
        only_user_risk(p, pwd, "'password_change'");
    }
    /* riskRemediation ("Require risk remediation", Conditional Access: Grant,
     * https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant#require-risk-remediation):
     * a user risk policy for all resources; it cannot be combined with another grant control
     * (the authentication strength the portal adds beside it is allowed), nor with
     * password_change (Graph conditionalAccessGrantControls: "must be used separately"). */
    const struct item *rr = lower_policy_find(p, F_BUILTIN, "riskRemediation");
    if (rr) {
        if (!lower_policy_has(p, F_USER_RISK))
            err_at_item(p, rr,
                        "'risk_remediation' needs a user risk condition: add 'user_risk "
                        "high' (or the levels it is for)");
        all_resources_only(p, rr, "'risk_remediation'");
        other_controls(p, rr, "'risk_remediation'", NULL);
    }
    /* approvedApplication: Microsoft stopped enforcing "Require approved client app" after
     * March 2026; a policy that keeps it behaves as if the control were not selected ("Migrate
     * approved client app to application protection policy in Conditional Access",
     * https://learn.microsoft.com/entra/identity/conditional-access/migrate-approved-client-app). */
    const struct item *appr = lower_policy_find(p, F_BUILTIN, "approvedApplication");
    if (appr) {
        diag_warning(d, appr->loc,
                     "'approved_app' is retired: Entra stopped enforcing \"Require approved "
                     "client app\" after March 2026 and treats it as not selected; use "
                     "'app_protection'");
        lower_policy_note_policy(p, appr->stmt);
    }
    /* Register or join devices: only MFA or an authentication strength (Entra cloud apps
     * documentation, "User actions"); client apps and device filters do not apply. */
    const struct item *regdev = lower_policy_find(p, F_ACTIONS, "urn:user:registerdevice");
    if (regdev) {
        for (size_t i = 0; i < p->f[F_BUILTIN].n; i++)
            if (strcmp(p->f[F_BUILTIN].v[i].key, "mfa") != 0) {
                err_at_item(p, &p->f[F_BUILTIN].v[i],
                            "the 'register_device' action can only require 'mfa' or an "
                            "authentication strength");
                break;
            }
        if (lower_policy_has(p, F_CLIENT_APPS))
            err_at_item(p, first(p, F_CLIENT_APPS),
                        "client_apps does not apply to the 'register_device' action");
        if (p->o[O_DEVICE_FILTER].set) {
            diag_error(d, p->o[O_DEVICE_FILTER].loc,
                       "device_filter does not apply to the 'register_device' action");
            lower_policy_note_policy(p, p->o[O_DEVICE_FILTER].stmt);
        }
    }

    /* Session controls. Persistent browser session works correctly only for all resources
     * (Entra "Persistent browser session" documentation: a warning, Graph accepts it); Graph rejects applicationEnforcedRestrictions
     * and disableResilienceDefaults next to an everyTime sign-in frequency (facts.md §2.2,
     * terraform-provider-azuread #1225). Sign-in frequency every time itself is accepted for
     * any resource, authentication context or user action (Graph signInFrequencySessionControl,
     * beta text; the v1.0 page still lists only risky users, risky sign-ins and Intune
     * enrollment), so it is not restricted here. */
    const struct single *pb = &p->o[O_PERSISTENT_BROWSER];
    if (pb->set && !lower_policy_find(p, F_INC_APPS, "All")) {
        diag_warning(d, pb->loc,
                     "the persistent browser session works correctly only with "
                     "'apps include all'");
        lower_policy_note_policy(p, pb->stmt);
    }
    if (p->every_time) {
        const enum one bad[] = {O_APP_ENFORCED, O_RESILIENCE};
        for (size_t i = 0; i < 2; i++)
            if (p->o[bad[i]].set) {
                diag_error(d, p->o[bad[i]].loc,
                           "%s cannot be combined with 'sign_in_frequency every_time' (Graph "
                           "rejects it)",
                           bad[i] == O_APP_ENFORCED ? "'app_enforced_restrictions'"
                                                    : "'disable_resilience_defaults'");
                lower_policy_note_at(p, p->o[O_SIF].loc, p->o[O_SIF].stmt,
                                     "the sign-in frequency is set");
                lower_policy_note_policy(p, p->o[bad[i]].stmt);
            }
    }
    const struct single *aer = &p->o[O_APP_ENFORCED];
    if (aer->set && lower_policy_has(p, F_INC_APPS) && !lower_policy_find(p, F_INC_APPS, "All") &&
        !lower_policy_find(p, F_INC_APPS, "Office365") &&
        !lower_policy_find(p, F_INC_APPS, "app:00000002-0000-0ff1-ce00-000000000000") &&
        !lower_policy_find(p, F_INC_APPS, "app:00000003-0000-0ff1-ce00-000000000000")) {
        diag_warning(d, aer->loc,
                     "app enforced restrictions work only with Exchange Online and SharePoint "
                     "Online, and this policy includes neither");
        lower_policy_note_policy(p, aer->stmt);
    }
}

/* ---- the Graph body ---- */

static json_t *array_of(const struct pol *p, enum field f)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->f[f].n; i++)
        json_array_append(arr, p->f[f].v[i].val);
    return arr;
}

static json_t *flags_of(const struct pol *p, enum field f)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < p->f[f].n; i++) {
        if (i)
            strbuf_addc(&sb, ',');
        strbuf_adds(&sb, p->f[f].v[i].key);
    }
    json_t *s = json_string(strbuf_str(&sb));
    strbuf_fini(&sb);
    return s;
}

/* (Every key set here is a constant ASCII text: no UTF-8 check.) */
static void put_list(json_t *obj, const char *k, const struct pol *p, enum field f)
{
    if (lower_policy_has(p, f))
        json_object_set_new_nocheck(obj, k, array_of(p, f));
}

static json_t *guests_of(const struct pol *p, int d)
{
    json_t *g = json_object();
    json_object_set_new_nocheck(g, "guestOrExternalUserTypes", flags_of(p, F_INC_GUESTS + d));
    const struct single *t = &p->o[d ? O_EXC_TENANTS : O_INC_TENANTS];
    if (t->set) {
        json_t *e = json_object();
        bool all = strcmp(t->key, "all") == 0;
        json_object_set_new_nocheck(
            e, "@odata.type",
            model_const_string(all ? "#microsoft.graph.conditionalAccessAllExternalTenants"
                                   : "#microsoft.graph."
                                     "conditionalAccessEnumeratedExternalTenants"));
        json_object_set_new_nocheck(e, "membershipKind",
                                    model_const_string(all ? "all" : "enumerated"));
        if (!all)
            json_object_set_new_nocheck(e, "members", array_of(p, F_INC_TENANTS + d));
        json_object_set_new_nocheck(g, "externalTenants", e);
    }
    return g;
}

static void put_one(json_t *obj, const char *k, const struct pol *p, enum one o)
{
    if (p->o[o].set)
        json_object_set_nocheck(obj, k, p->o[o].val);
}

json_t *lower_policy_body(const struct pol *p)
{
    json_t *b = json_object();
    json_object_set_new_nocheck(b, "displayName", model_string(p->name, strlen(p->name)));
    json_object_set_new_nocheck(
        b, "state", model_const_string(p->o[O_STATE].set ? p->o[O_STATE].key : "enabled"));
    if (p->o[O_DESCRIPTION].set)
        json_object_set_nocheck(b, "description", p->o[O_DESCRIPTION].val);

    json_t *c = json_object();
    json_t *u = json_object();
    if (!any_users(p) && lower_policy_has(p, F_INC_SP)) {
        /* a workload identity policy still carries a user rule */
        json_object_set_new_nocheck(u, "includeUsers", json_pack("[s]", "None"));
    }
    put_list(u, "includeUsers", p, F_INC_USERS);
    put_list(u, "excludeUsers", p, F_EXC_USERS);
    put_list(u, "includeGroups", p, F_INC_GROUPS);
    put_list(u, "excludeGroups", p, F_EXC_GROUPS);
    put_list(u, "includeRoles", p, F_INC_ROLES);
    put_list(u, "excludeRoles", p, F_EXC_ROLES);
    if (lower_policy_has(p, F_INC_GUESTS))
        json_object_set_new_nocheck(u, "includeGuestsOrExternalUsers", guests_of(p, 0));
    if (lower_policy_has(p, F_EXC_GUESTS))
        json_object_set_new_nocheck(u, "excludeGuestsOrExternalUsers", guests_of(p, 1));
    json_object_set_new_nocheck(c, "users", u);

    json_t *ap = json_object();
    put_list(ap, "includeApplications", p, F_INC_APPS);
    put_list(ap, "excludeApplications", p, F_EXC_APPS);
    put_list(ap, "includeUserActions", p, F_ACTIONS);
    put_list(ap, "includeAuthenticationContextClassReferences", p, F_CONTEXTS);
    put_one(ap, "applicationFilter", p, O_APP_FILTER);
    json_object_set_new_nocheck(c, "applications", ap);

    if (lower_policy_has(p, F_INC_SP) || lower_policy_has(p, F_EXC_SP) || p->o[O_SP_FILTER].set) {
        json_t *ca = json_object();
        put_list(ca, "includeServicePrincipals", p, F_INC_SP);
        put_list(ca, "excludeServicePrincipals", p, F_EXC_SP);
        put_one(ca, "servicePrincipalFilter", p, O_SP_FILTER);
        json_object_set_new_nocheck(c, "clientApplications", ca);
    }
    if (lower_policy_has(p, F_CLIENT_APPS))
        json_object_set_new_nocheck(c, "clientAppTypes", array_of(p, F_CLIENT_APPS));
    else
        json_object_set_new_nocheck(c, "clientAppTypes", json_pack("[s]", "all"));
    if (lower_policy_has(p, F_INC_PLATFORMS) || lower_policy_has(p, F_EXC_PLATFORMS)) {
        json_t *pl = json_object();
        put_list(pl, "includePlatforms", p, F_INC_PLATFORMS);
        put_list(pl, "excludePlatforms", p, F_EXC_PLATFORMS);
        json_object_set_new_nocheck(c, "platforms", pl);
    }
    if (lower_policy_has(p, F_INC_LOCATIONS) || lower_policy_has(p, F_EXC_LOCATIONS)) {
        json_t *lo = json_object();
        put_list(lo, "includeLocations", p, F_INC_LOCATIONS);
        put_list(lo, "excludeLocations", p, F_EXC_LOCATIONS);
        json_object_set_new_nocheck(c, "locations", lo);
    }
    put_list(c, "signInRiskLevels", p, F_SIGN_IN_RISK);
    put_list(c, "userRiskLevels", p, F_USER_RISK);
    put_list(c, "servicePrincipalRiskLevels", p, F_SP_RISK);
    if (lower_policy_has(p, F_INSIDER_RISK))
        json_object_set_new_nocheck(c, "insiderRiskLevels", flags_of(p, F_INSIDER_RISK));
    if (p->o[O_DEVICE_FILTER].set) {
        json_t *dv = json_object();
        put_one(dv, "deviceFilter", p, O_DEVICE_FILTER);
        json_object_set_new_nocheck(c, "devices", dv);
    }
    if (lower_policy_has(p, F_FLOWS)) {
        json_t *fl = json_object();
        json_object_set_new_nocheck(fl, "transferMethods", flags_of(p, F_FLOWS));
        json_object_set_new_nocheck(c, "authenticationFlows", fl);
    }
    json_object_set_new_nocheck(b, "conditions", c);

    if (any_grant(p)) {
        json_t *g = json_object();
        json_object_set_new_nocheck(g, "operator", model_const_string(p->any_of ? "OR" : "AND"));
        json_object_set_new_nocheck(g, "builtInControls", array_of(p, F_BUILTIN));
        put_one(g, "authenticationStrength", p, O_STRENGTH);
        put_list(g, "termsOfUse", p, F_TERMS);
        put_list(g, "customAuthenticationFactors", p, F_CUSTOM);
        json_object_set_new_nocheck(b, "grantControls", g);
    } else {
        json_object_set_new_nocheck(b, "grantControls", json_null());
    }
    if (any_session(p)) {
        json_t *s = json_object();
        put_one(s, "applicationEnforcedRestrictions", p, O_APP_ENFORCED);
        put_one(s, "cloudAppSecurity", p, O_CLOUD_APP_SECURITY);
        put_one(s, "signInFrequency", p, O_SIF);
        put_one(s, "persistentBrowser", p, O_PERSISTENT_BROWSER);
        put_one(s, "disableResilienceDefaults", p, O_RESILIENCE);
        put_one(s, "secureSignInSession", p, O_SECURE_SIGN_IN);
        json_object_set_new_nocheck(b, "sessionControls", s);
    } else {
        json_object_set_new_nocheck(b, "sessionControls", json_null());
    }
    return b;
}
