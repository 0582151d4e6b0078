/* lower_pim.c — the PIM role settings of a `role` block → the rules of the role's
 * unifiedRoleManagementPolicy (Graph v1.0, "Overview of rules for Microsoft Entra roles in PIM
 * APIs in Microsoft Graph", https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).
 *
 * Every built-in role already has one policy, assigned to it at scope "/" (Directory) through a
 * roleManagementPolicyAssignment; idpc never creates or deletes a policy, it updates the rules a
 * configuration states and nothing else. A role block without settings statements leaves the
 * role's policy alone. The rule ids are fixed by Graph (Expiration_EndUser_Assignment, ...);
 * each statement lowers to one rule, sent whole as Graph's update of a rule wants it. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

struct pim {
    struct check *ck;
    size_t skip;       /* atoms before the setting's keyword: 1 in `member activation_...` */
    const char *where; /* "this role block", for "given twice" */
    json_t *rules;     /* rule id → rule */
    json_t *seen;      /* rule id → true, for every statement met (even one with an error) */
    const struct ast_stmt *mfa_at, *context_at;
    const struct ast_stmt *approval_at;
};

/* {"@odata.type": ..., "id": id, "target": {...}} for rule `id`; the caller adds the settings. */
static json_t *rule_new(const char *type, const char *id)
{
    json_t *r = json_object();
    char *t = xasprintf("#microsoft.graph.unifiedRoleManagementPolicy%sRule", type);
    json_object_set_new(r, "@odata.type", json_string(t));
    free(t);
    json_object_set_new(r, "id", json_string(id));
    bool end_user = strstr(id, "_EndUser_") != NULL;
    size_t n = strlen(id);
    bool elig = n > 12 && strcmp(id + n - 12, "_Eligibility") == 0;
    json_t *target = json_object();
    json_object_set_new(
        target, "@odata.type",
        model_const_string("microsoft.graph.unifiedRoleManagementPolicyRuleTarget"));
    json_object_set_new(target, "caller", json_string(end_user ? "EndUser" : "Admin"));
    json_object_set_new(target, "operations", json_pack("[s]", "All"));
    json_object_set_new(target, "level", json_string(elig ? "Eligibility" : "Assignment"));
    json_object_set_new(target, "inheritableSettings", json_array());
    json_object_set_new(target, "enforcedSettings", json_array());
    json_object_set_new(r, "target", target);
    return r;
}

/* A cursor after the setting's keyword (after `member`/`owner` in a pim_group block). */
static void pim_args(struct pim *p, struct args *a, const struct ast_stmt *s)
{
    args_init(a, p->ck, s);
    for (size_t i = 0; i < p->skip; i++)
        (void)args_next(a);
}

static bool once(struct pim *p, const struct ast_stmt *s, const char *id)
{
    if (!json_object_get(p->seen, id)) {
        json_object_set_new(p->seen, id, json_true());
        return true;
    }
    diag_error(p->ck->diag, s->atoms[p->skip].loc, "'%s' is given twice in %s",
               s->atoms[p->skip].text, p->where);
    return false;
}

/* 8h → "PT8H", 30m → "PT30M", 90d → "P90D". `units` lists the accepted unit letters. */
static char *iso_duration(struct args *a, const struct ast_atom *at, const char *units, long lo,
                          long hi, const char *what, const char *range)
{
    if (!at || at->kind != AST_DURATION) {
        if (at && at->kind == AST_NUMBER)
            args_error(a, at, "the duration needs a unit, such as %lld%c", at->num, units[0]);
        else
            args_expected(a, what);
        return NULL;
    }
    a->i++;
    if (strlen(at->text) != 1 || !strchr(units, at->text[0])) {
        args_error(a, at, "unknown unit '%s' in '%lld%s'; %s", at->text, at->num, at->text, range);
        return NULL;
    }
    long minutes = at->text[0] == 'm'   ? at->num
                   : at->text[0] == 'h' ? at->num * 60
                                        : at->num * 1440;
    if (minutes < lo || minutes > hi) {
        args_error(a, at, "'%lld%s' is out of range; %s", at->num, at->text, range);
        return NULL;
    }
    if (at->text[0] == 'd')
        return xasprintf("P%lldD", at->num);
    if (at->text[0] == 'h')
        return xasprintf("PT%lldH", at->num);
    return xasprintf("PT%lldM", at->num);
}

/* activation_max_duration 30m..24h (Microsoft Entra PIM: "Activation maximum duration (hours)",
 * half an hour to 24 hours). */
static void activation_max(struct pim *p, const struct ast_stmt *s)
{
    struct args a;
    pim_args(p, &a, s);
    char *iso = iso_duration(&a, args_peek(&a), "hm", 30, 1440, "a duration such as 1h or 90m",
                             "the activation maximum duration is 30m to 24h");
    if (!iso || !args_expect_end(&a)) {
        free(iso);
        return;
    }
    json_t *r = rule_new("Expiration", "Expiration_EndUser_Assignment");
    json_object_set_new(r, "isExpirationRequired", json_true());
    json_object_set_new(r, "maximumDuration", json_string(iso));
    free(iso);
    json_object_set_new(p->rules, "Expiration_EndUser_Assignment", r);
}

/* eligible_max_duration / active_max_duration: 1d..3650d | permanent */
static void assignment_max(struct pim *p, const struct ast_stmt *s, const char *id)
{
    struct args a;
    pim_args(p, &a, s);
    bool permanent = args_accept(&a, "permanent");
    char *iso = NULL;
    if (!permanent) {
        iso = iso_duration(&a, args_peek(&a), "d", 1440, 3650L * 1440,
                           "a number of days such as 365d, or 'permanent'",
                           "write a number of days (1d to 3650d) or 'permanent'");
        if (!iso)
            return;
    }
    if (!args_expect_end(&a)) {
        free(iso);
        return;
    }
    json_t *r = rule_new("Expiration", id);
    json_object_set_new(r, "isExpirationRequired", json_boolean(!permanent));
    /* Graph keeps a maximum even when expiration is not required; 365 days is its default */
    json_object_set_new(r, "maximumDuration", json_string(iso ? iso : "P365D"));
    free(iso);
    json_object_set_new(p->rules, id, r);
}

/* activation_requires mfa, justification, ticket | none;  active_requires mfa, justification */
static void requires(struct pim *p, const struct ast_stmt *s, const char *id, bool activation)
{
    static const char *const words[] = {"mfa", "justification", "ticket"};
    static const char *const graph[] = {"MultiFactorAuthentication", "Justification", "Ticketing"};
    struct args a;
    pim_args(p, &a, s);
    json_t *list = json_array();
    if (!args_accept(&a, "none")) {
        do {
            int k = args_expect_word(&a, "requirement", words, activation ? 3 : 2);
            if (k < 0) {
                json_decref(list);
                return;
            }
            bool dup = false;
            size_t i;
            json_t *v;
            json_array_foreach(list, i, v)
            {
                dup = dup || strcmp(json_string_value(v), graph[k]) == 0;
            }
            if (!dup)
                json_array_append_new(list, json_string(graph[k]));
            if (k == 0 && activation)
                p->mfa_at = s;
        } while (args_comma(&a));
    }
    if (!args_expect_end(&a)) {
        json_decref(list);
        return;
    }
    json_t *r = rule_new("Enablement", id);
    json_object_set_new(r, "enabledRules", list);
    json_object_set_new(p->rules, id, r);
}

/* activation_context "c1" | none: a Conditional Access authentication context on activation */
static void activation_context(struct pim *p, const struct ast_stmt *s)
{
    struct args a;
    pim_args(p, &a, s);
    const char *claim = NULL;
    if (!args_accept(&a, "none")) {
        const struct ast_atom *at =
            args_expect_string(&a, "an authentication context id (c1 to c99)");
        if (!at)
            return;
        long n = 0;
        if ((at->text[0] != 'c' && at->text[0] != 'C') ||
            !util_parse_long(at->text + 1, 1, 99, &n)) {
            args_error(&a, at, "'%s' is not an authentication context id; they are c1 to c99",
                       at->text);
            return;
        }
        claim = at->text;
        p->context_at = s;
    }
    if (!args_expect_end(&a))
        return;
    json_t *r = rule_new("AuthenticationContext", "AuthenticationContext_EndUser_Assignment");
    json_object_set_new(r, "isEnabled", json_boolean(claim != NULL));
    if (claim) {
        char *c = xasprintf("c%s", claim + 1);
        json_object_set_new(r, "claimValue", json_string(c));
        free(c);
    }
    json_object_set_new(p->rules, "AuthenticationContext_EndUser_Assignment", r);
}

/* activation_approval user "x", group "y" | none */
static void activation_approval(struct pim *p, const struct ast_stmt *s)
{
    struct args a;
    pim_args(p, &a, s);
    json_t *approvers = json_array();
    bool none = args_accept(&a, "none");
    if (!none) {
        do {
            json_t *ref = NULL, *who = NULL;
            if (args_accept(&a, "user")) {
                ref = args_ref(&a, "user", "a user principal name");
                if (ref)
                    who = json_pack("{s:s,s:o}", "@odata.type", "#microsoft.graph.singleUser",
                                    "userId", ref);
            } else if (args_accept(&a, "group")) {
                ref = args_ref(&a, "group", "a group name");
                if (ref)
                    who = json_pack("{s:s,s:o}", "@odata.type", "#microsoft.graph.groupMembers",
                                    "groupId", ref);
            } else {
                args_expected(&a, "'user', 'group' or 'none'");
            }
            if (!who) {
                json_decref(approvers);
                return;
            }
            json_array_append_new(approvers, who);
        } while (args_comma(&a));
    }
    if (!args_expect_end(&a)) {
        json_decref(approvers);
        return;
    }
    json_t *stage = json_object();
    json_object_set_new(stage, "approvalStageTimeOutInDays", json_integer(1));
    json_object_set_new(stage, "isApproverJustificationRequired", json_true());
    json_object_set_new(stage, "escalationTimeInMinutes", json_integer(0));
    json_object_set_new(stage, "isEscalationEnabled", json_false());
    json_object_set_new(stage, "primaryApprovers", approvers);
    json_object_set_new(stage, "escalationApprovers", json_array());
    json_t *setting = json_object();
    json_object_set_new(setting, "isApprovalRequired", json_boolean(!none));
    json_object_set_new(setting, "isApprovalRequiredForExtension", json_false());
    json_object_set_new(setting, "isRequestorJustificationRequired", json_true());
    json_object_set_new(setting, "approvalMode", model_const_string("SingleStage"));
    json_object_set_new(setting, "approvalStages", json_pack("[o]", stage));
    json_t *r = rule_new("Approval", "Approval_EndUser_Assignment");
    json_object_set_new(r, "setting", setting);
    json_object_set_new(p->rules, "Approval_EndUser_Assignment", r);
    if (!none)
        p->approval_at = s;
}

/* notify eligible|active|activation  admin|requestor|approver  all|critical  [no_default]
 *        ["address", ...] */
static void notify(struct pim *p, const struct ast_stmt *s)
{
    static const char *const events[] = {"eligible", "active", "activation"};
    static const char *const ev_id[] = {"Admin_Eligibility", "Admin_Assignment",
                                        "EndUser_Assignment"};
    static const char *const who[] = {"admin", "requestor", "approver"};
    static const char *const who_graph[] = {"Admin", "Requestor", "Approver"};
    static const char *const levels[] = {"all", "critical"};
    static const char *const level_graph[] = {"All", "Critical"};
    struct args a;
    pim_args(p, &a, s);
    int e = args_expect_word(&a, "event", events, 3);
    if (e < 0)
        return;
    int w = args_expect_word(&a, "recipient", who, 3);
    if (w < 0)
        return;
    int l = args_expect_word(&a, "notification level", levels, 2);
    if (l < 0)
        return;
    bool no_default = args_accept(&a, "no_default");
    json_t *to = json_array();
    if (!args_done(&a)) {
        do {
            const struct ast_atom *at = args_expect_string(&a, "an email address");
            if (!at) {
                json_decref(to);
                return;
            }
            if (!strchr(at->text, '@')) {
                args_error(&a, at, "'%s' is not an email address", at->text);
                json_decref(to);
                return;
            }
            json_array_append_new(to, json_string(at->text));
        } while (args_comma(&a));
    }
    if (!args_expect_end(&a)) {
        json_decref(to);
        return;
    }
    if (no_default && json_array_size(to) == 0) {
        args_error(&a, args_keyword(&a),
                   "'no_default' with no address sends this notification to nobody; list the "
                   "addresses that should receive it");
        json_decref(to);
        return;
    }
    char *id = xasprintf("Notification_%s_%s", who_graph[w], ev_id[e]);
    if (json_object_get(p->seen, id)) {
        diag_error(p->ck->diag, s->atoms[p->skip].loc, "'notify %s %s' is given twice in %s",
                   events[e], who[w], p->where);
        free(id);
        json_decref(to);
        return;
    }
    json_object_set_new(p->seen, id, json_true());
    json_t *r = rule_new("Notification", id);
    json_object_set_new(r, "notificationType", model_const_string("Email"));
    json_object_set_new(r, "recipientType", json_string(who_graph[w]));
    json_object_set_new(r, "notificationLevel", json_string(level_graph[l]));
    json_object_set_new(r, "isDefaultRecipientsEnabled", json_boolean(!no_default));
    json_object_set_new(r, "notificationRecipients", to);
    json_object_set_new(p->rules, id, r);
    free(id);
}

static const struct {
    const char *kw, *rule;
} single[] = {
    {"activation_max_duration", "Expiration_EndUser_Assignment"},
    {"eligible_max_duration", "Expiration_Admin_Eligibility"},
    {"active_max_duration", "Expiration_Admin_Assignment"},
    {"activation_requires", "Enablement_EndUser_Assignment"},
    {"active_requires", "Enablement_Admin_Assignment"},
    {"activation_context", "AuthenticationContext_EndUser_Assignment"},
    {"activation_approval", "Approval_EndUser_Assignment"},
};

bool lower_pim_is_setting(const char *kw)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(single); i++)
        if (strcmp(kw, single[i].kw) == 0)
            return true;
    return strcmp(kw, "notify") == 0;
}

json_t *lower_pim_rules(struct check *ck, struct ast_stmt *const *body, size_t n, size_t skip,
                        const char *where)
{
    struct pim p = {
        .ck = ck, .skip = skip, .where = where, .rules = json_object(), .seen = json_object()};
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        if (s->natoms <= skip)
            continue;
        const char *kw = s->atoms[skip].text;
        const char *rule = NULL;
        for (size_t k = 0; k < IDPC_ARRAY_LEN(single); k++)
            if (strcmp(kw, single[k].kw) == 0)
                rule = single[k].rule;
        if (rule && !once(&p, s, rule))
            continue;
        if (strcmp(kw, "activation_max_duration") == 0)
            activation_max(&p, s);
        else if (strcmp(kw, "eligible_max_duration") == 0)
            assignment_max(&p, s, "Expiration_Admin_Eligibility");
        else if (strcmp(kw, "active_max_duration") == 0)
            assignment_max(&p, s, "Expiration_Admin_Assignment");
        else if (strcmp(kw, "activation_requires") == 0)
        requires(&p, s, "Enablement_EndUser_Assignment", true);
        else if (strcmp(kw, "active_requires") == 0) requires(&p, s, "Enablement_Admin_Assignment",
                                                              false);
        else if (strcmp(kw, "activation_context") == 0) activation_context(&p, s);
        else if (strcmp(kw, "activation_approval") == 0) activation_approval(&p, s);
        else if (strcmp(kw, "notify") == 0) notify(&p, s);
    }
    /* PIM applies either MFA or an authentication context on activation, not both ("Configure
     * Microsoft Entra role settings in Privileged Identity Management", On activation, require). */
    if (p.mfa_at && p.context_at) {
        diag_warning(ck->diag, p.context_at->atoms[skip].loc,
                     "an authentication context on activation replaces 'mfa'; PIM then ignores "
                     "the mfa requirement");
        diag_note(ck->diag, p.mfa_at->atoms[skip].loc, "mfa required here");
    }
    json_decref(p.seen);
    if (json_object_size(p.rules) == 0) {
        json_decref(p.rules);
        return NULL;
    }
    /* rules in Graph's fixed order of the ids, whatever the order of the lines */
    json_t *rules = json_array();
    const char *keys[32];
    size_t nk = 0;
    const char *k;
    json_t *v;
    json_object_foreach(p.rules, k, v)
    {
        if (nk < IDPC_ARRAY_LEN(keys))
            keys[nk++] = k;
    }
    for (size_t i = 1; i < nk; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (size_t i = 0; i < nk; i++)
        json_array_append(rules, json_object_get(p.rules, keys[i]));
    json_decref(p.rules);
    return rules;
}

void lower_pim_settings(struct check *ck, const struct catalog_role *role,
                        const struct ast_stmt *decl, struct ast_stmt *const *body, size_t n)
{
    json_t *rules = lower_pim_rules(ck, body, n, 0, "this role block");
    if (!rules)
        return;
    struct model_object *o =
        model_add(ck->model, MODEL_ROLE_POLICY, role->name, decl->atoms[1].loc);
    json_object_set_new(o->body, "rules", rules);
    json_object_set_new(model_extra(o), "roleDefinitionId", json_string(role->template_id));
    json_object_set_new(model_extra(o), "scopeId", model_const_string("/"));
    json_object_set_new(model_extra(o), "scopeType", model_const_string("Directory"));
}
