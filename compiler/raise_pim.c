/* raise_pim.c — the PIM role settings of a directory role (the rules of its
 * unifiedRoleManagementPolicy, as Graph v1.0 returns them with $expand=rules) → the settings
 * statements of its `role` block; the inverse of lower_pim.c. Notification rules at Microsoft's
 * default (all events, default recipients, no extra address) are not written: a plan compares
 * only the rules a block states, so leaving them out changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"
#include "compiler/util.h"

static const json_t *get(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The policy that governs role `rid` at scope "/", or NULL. */
static const json_t *policy_of(const struct raise *r, const char *rid)
{
    size_t i;
    const json_t *a;
    json_array_foreach(r->role_policy_assignments, i, a)
    {
        const char *pid = get_str(a, "policyId"), *scope = get_str(a, "scopeId");
        if (!pid || !util_streq_nocase(get_str(a, "roleDefinitionId"), rid) ||
            (scope && strcmp(scope, "/") != 0))
            continue;
        size_t j;
        const json_t *p;
        json_array_foreach(r->role_policies, j, p)
        {
            if (util_streq_nocase(get_str(p, "id"), pid))
                return p;
        }
    }
    return NULL;
}

static const json_t *rule(const json_t *policy, const char *id)
{
    size_t i;
    const json_t *x;
    json_array_foreach(get(policy, "rules"), i, x)
    {
        if (util_streq_nocase(get_str(x, "id"), id))
            return x;
    }
    return NULL;
}

/* "PT8H" / "P365D" / "PT1H30M" → minutes, or -1 */
static long minutes_of(const char *s)
{
    if (!s || s[0] != 'P')
        return -1;
    long total = 0, v = 0;
    bool time = false, digits = false;
    for (const char *p = s + 1; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            digits = true;
            continue;
        }
        if (*p == 'T') {
            time = true;
            continue;
        }
        if (!digits)
            return -1;
        if (*p == 'D' && !time)
            total += v * 1440;
        else if (*p == 'W' && !time)
            total += v * 7 * 1440;
        else if (*p == 'H' && time)
            total += v * 60;
        else if (*p == 'M' && time)
            total += v;
        else
            return -1;
        v = 0;
        digits = false;
    }
    return digits ? -1 : total;
}

/* Starts a settings line: `member`/`owner` first in a pim_group block (b->lead). */
static size_t start(struct raise_line *l, struct raise_block *b)
{
    line_init(l, b->r);
    if (b->lead)
        line_word(l, b->lead);
    return b->lead ? 2 : 1;
}

static void unsupported(struct raise_block *b, const char *id, const json_t *x, const char *why)
{
    char *t = raise_json_text(x);
    raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, id, "cannot express the PIM rule %s (%s): %s", id,
                why, t);
    free(t);
}

static void expiration(struct raise_block *b, const json_t *p, const char *id, const char *kw,
                       bool activation)
{
    const json_t *x = rule(p, id);
    if (!x)
        return;
    long m = minutes_of(get_str(x, "maximumDuration"));
    struct raise_line l;
    start(&l, b);
    line_word(&l, kw);
    if (!activation && json_is_false(get(x, "isExpirationRequired"))) {
        line_word(&l, "permanent");
    } else if (activation && m >= 30 && m <= 1440) {
        if (m % 60 == 0)
            line_duration(&l, m / 60, "h");
        else
            line_duration(&l, m, "m");
    } else if (!activation && m >= 1440 && m % 1440 == 0) {
        line_duration(&l, m / 1440, "d");
    } else {
        free(l.v);
        unsupported(b, id, x, "a duration the language cannot write");
        return;
    }
    block_add_line(b, &l);
}

static void enablement(struct raise_block *b, const json_t *p, const char *id, const char *kw,
                       bool activation)
{
    const json_t *x = rule(p, id);
    if (!x)
        return;
    static const char *const graph[] = {"MultiFactorAuthentication", "Justification", "Ticketing"};
    static const char *const words[] = {"mfa", "justification", "ticket"};
    struct raise_line l;
    start(&l, b);
    line_word(&l, kw);
    size_t n = 0;
    for (size_t k = 0; k < (activation ? 3u : 2u); k++) {
        size_t i;
        const json_t *v;
        json_array_foreach(get(x, "enabledRules"), i, v)
        {
            if (util_streq_nocase(json_string_value(v), graph[k])) {
                if (n++)
                    line_comma(&l);
                line_word(&l, words[k]);
                break;
            }
        }
    }
    if (json_array_size(get(x, "enabledRules")) != n) {
        free(l.v);
        unsupported(b, id, x, "a requirement the language cannot write");
        return;
    }
    if (n == 0)
        line_word(&l, "none");
    block_add_line(b, &l);
}

static void context(struct raise_block *b, const json_t *p)
{
    const json_t *x = rule(p, "AuthenticationContext_EndUser_Assignment");
    if (!x)
        return;
    const char *c = get_str(x, "claimValue");
    struct raise_line l;
    start(&l, b);
    line_word(&l, "activation_context");
    if (json_is_true(get(x, "isEnabled")) && c && *c)
        line_str(&l, c);
    else
        line_word(&l, "none");
    block_add_line(b, &l);
}

static void approval(struct raise_block *b, const json_t *p)
{
    const char *id = "Approval_EndUser_Assignment";
    const json_t *x = rule(p, id);
    if (!x)
        return;
    const json_t *set = get(x, "setting");
    struct raise_line l;
    size_t lead = start(&l, b);
    line_word(&l, "activation_approval");
    if (!json_is_true(get(set, "isApprovalRequired"))) {
        line_word(&l, "none");
        block_add_line(b, &l);
        return;
    }
    const json_t *stages = get(set, "approvalStages");
    if (json_array_size(stages) != 1) {
        free(l.v);
        unsupported(b, id, x, "the language writes one approval stage");
        return;
    }
    size_t i;
    const json_t *who;
    json_array_foreach(get(json_array_get(stages, 0), "primaryApprovers"), i, who)
    {
        const char *uid = get_str(who, "userId"), *gid = get_str(who, "groupId");
        if (uid)
            line_ref(b, &l, lead, "user", "user", uid, id);
        else if (gid)
            line_ref(b, &l, lead, "group", "group", gid, id);
        else
            unsupported(b, id, who, "an approver that is neither a user nor a group");
    }
    if (l.n == lead) {
        free(l.v);
        unsupported(b, id, x, "approval without approvers");
        return;
    }
    line_sort_items(&l, lead);
    block_add_line(b, &l);
}

static void notification(struct raise_block *b, const json_t *p, const char *event,
                         const char *graph_event, const char *who, const char *graph_who)
{
    char *id = xasprintf("Notification_%s_%s", graph_who, graph_event);
    const json_t *x = rule(p, id);
    free(id);
    if (!x)
        return;
    const char *level = get_str(x, "notificationLevel");
    bool dflt = !json_is_false(get(x, "isDefaultRecipientsEnabled"));
    const json_t *to = get(x, "notificationRecipients");
    bool is_all = !level || util_streq_nocase(level, "All");
    if (is_all && dflt && json_array_size(to) == 0)
        return; /* Microsoft's default */
    struct raise_line l;
    start(&l, b);
    line_word(&l, "notify");
    line_word(&l, event);
    line_word(&l, who);
    line_word(&l, is_all ? "all" : "critical");
    if (!dflt)
        line_word(&l, "no_default");
    size_t i;
    const json_t *v;
    json_array_foreach(to, i, v)
    {
        if (i)
            line_comma(&l);
        line_str(&l, json_string_value(v) ? json_string_value(v) : "");
    }
    block_add_line(b, &l);
}

void raise_role_settings(struct raise_block *b, const char *role_definition_id)
{
    const json_t *p = policy_of(b->r, role_definition_id);
    if (p)
        raise_pim_settings(b, p);
}

void raise_pim_settings(struct raise_block *b, const json_t *p)
{
    expiration(b, p, "Expiration_EndUser_Assignment", "activation_max_duration", true);
    enablement(b, p, "Enablement_EndUser_Assignment", "activation_requires", true);
    context(b, p);
    approval(b, p);
    expiration(b, p, "Expiration_Admin_Eligibility", "eligible_max_duration", false);
    expiration(b, p, "Expiration_Admin_Assignment", "active_max_duration", false);
    enablement(b, p, "Enablement_Admin_Assignment", "active_requires", false);
    static const char *const ev[] = {"eligible", "active", "activation"};
    static const char *const gev[] = {"Admin_Eligibility", "Admin_Assignment",
                                      "EndUser_Assignment"};
    static const char *const who[] = {"admin", "requestor", "approver"};
    static const char *const gwho[] = {"Admin", "Requestor", "Approver"};
    for (size_t e = 0; e < 3; e++)
        for (size_t w = 0; w < 3; w++)
            notification(b, p, ev[e], gev[e], who[w], gwho[w]);
}
