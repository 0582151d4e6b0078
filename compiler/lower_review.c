/* lower_review.c — `access_review "Name" { ... }` → one accessReviewScheduleDefinition (Graph
 * v1.0 "Create definitions", https://learn.microsoft.com/graph/api/accessreviewset-post-definitions,
 * and "Configure the scope of your access review definition using the Microsoft Graph API",
 * https://learn.microsoft.com/graph/accessreviews-scope-concept).
 *
 *   review role "Global Administrator"      principalResourceMembershipsScope: users and groups
 *                                           assigned the role (the role definition as resource)
 *   review guests in group "Partners"       the group's guest members
 *   review guests in microsoft365_groups    guest members of every Microsoft 365 group, one
 *                                           review per group (instanceEnumerationScope)
 *
 * Reviewers and fallback reviewers are Graph queries ("Assign reviewers to your access review
 * definition using the Microsoft Graph API", https://learn.microsoft.com/graph/accessreviews-reviewers-concept):
 * a user or group id goes into the query string, so the reference is kept beside the query as
 * "$id" until the plan resolves it (runtime/plan/resolve_governance.c). */
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

#define GRAPH_Q "MicrosoftGraph"

struct review {
    struct check *ck;
    const struct ast_stmt *decl;
    json_t *body, *settings;
    const struct ast_stmt *first[16]; /* once per statement kind, by index in kw[] */
    const char *target;               /* "role", "group", "m365" */
    const struct catalog_role *role;
    bool auto_apply;
    const char *decision; /* defaultDecision */
    const struct ast_stmt *auto_at, *decision_at, *review_at, *reviewers_at;
    bool group_owners, managers, has_fallback;
};

static json_t *query(const char *q, json_t *ref)
{
    json_t *o = json_pack("{s:s,s:s}", "query", q, "queryType", GRAPH_Q);
    if (ref)
        json_object_set_new(o, "$id", ref);
    return o;
}

static json_t *query_scope(const char *q, json_t *ref)
{
    json_t *o = query(q, ref);
    json_object_set_new(o, "@odata.type",
                        model_const_string("#microsoft.graph.accessReviewQueryScope"));
    return o;
}

#define GUESTS "/transitiveMembers/microsoft.graph.user/?$count=true&$filter=(userType eq 'Guest')"

static void stmt_review(struct review *rv, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, rv->ck, s);
    json_t *b = rv->body;
    if (args_accept(&a, "role")) {
        const struct ast_atom *at = args_expect_string(&a, "a directory role name");
        if (!at)
            return;
        const struct catalog_role *role = catalog_role_by_name(at->text);
        if (!role) {
            const char *sug = catalog_role_suggest(at->text);
            args_error(&a, at, "unknown directory role \"%s\"%s%s%s", at->text,
                       sug ? "; did you mean \"" : "", sug ? sug : "", sug ? "\"?" : "");
            return;
        }
        if (!args_expect_end(&a))
            return;
        rv->target = "role";
        rv->role = role;
        char *res = xasprintf("/roleManagement/directory/roleDefinitions/%s", role->template_id);
        json_t *scope = json_object();
        json_object_set_new(
            scope, "@odata.type",
            model_const_string("#microsoft.graph.principalResourceMembershipsScope"));
        json_object_set_new(
            scope, "principalScopes",
            json_pack("[o,o]", query_scope("/users", NULL), query_scope("/groups", NULL)));
        json_object_set_new(scope, "resourceScopes", json_pack("[o]", query_scope(res, NULL)));
        free(res);
        json_object_set_new(b, "scope", scope);
        return;
    }
    if (!args_accept(&a, "guests")) {
        args_expected(&a, "'role \"Name\"' or 'guests in ...'");
        return;
    }
    static const char *const in[] = {"in"};
    if (args_expect_word(&a, "word", in, 1) < 0)
        return;
    if (args_accept(&a, "group")) {
        json_t *ref = args_ref(&a, "group", "a group name");
        if (!ref)
            return;
        if (!args_expect_end(&a)) {
            json_decref(ref);
            return;
        }
        rv->target = "group";
        json_object_set_new(b, "scope", query_scope("/groups/{id}" GUESTS, ref));
        return;
    }
    if (!args_accept(&a, "microsoft365_groups")) {
        args_expected(&a, "'group \"Name\"' or 'microsoft365_groups'");
        return;
    }
    if (!args_expect_end(&a))
        return;
    rv->target = "m365";
    json_object_set_new(
        b, "instanceEnumerationScope",
        query_scope("/groups?$filter=(groupTypes/any(c:c+eq+'Unified'))&$count=true", NULL));
    json_object_set_new(b, "scope", query_scope("." GUESTS, NULL));
}

/* reviewers managers | group_owners | self | user "x", group "y", ... */
static json_t *reviewer_list(struct review *rv, const struct ast_stmt *s, bool fallback)
{
    struct args a;
    args_init(&a, rv->ck, s);
    json_t *list = json_array();
    if (!fallback && args_accept(&a, "self")) {
        if (!args_expect_end(&a)) {
            json_decref(list);
            return NULL;
        }
        return list; /* no reviewers: the principals review their own access */
    }
    do {
        json_t *ref;
        if (!fallback && args_accept(&a, "managers")) {
            json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "query", "./manager",
                                                  "queryType", GRAPH_Q, "queryRoot", "decisions"));
            rv->managers = true;
        } else if (!fallback && args_accept(&a, "group_owners")) {
            json_array_append_new(list, query("./owners", NULL));
            rv->group_owners = true;
        } else if (args_accept(&a, "user")) {
            if (!(ref = args_ref(&a, "user", "a user principal name"))) {
                json_decref(list);
                return NULL;
            }
            json_array_append_new(list, query("/users/{id}", ref));
        } else if (args_accept(&a, "group")) {
            if (!(ref = args_ref(&a, "group", "a group name"))) {
                json_decref(list);
                return NULL;
            }
            json_array_append_new(list, query("/groups/{id}/transitiveMembers", ref));
        } else {
            args_expected(&a, fallback ? "'user' or 'group'"
                                       : "'managers', 'group_owners', 'self', 'user' or 'group'");
            json_decref(list);
            return NULL;
        }
    } while (args_comma(&a));
    if (!args_expect_end(&a)) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* recurrence weekly|monthly|quarterly|semiannually|annually from "DATE" */
static void stmt_recurrence(struct review *rv, const struct ast_stmt *s)
{
    static const char *const every[] = {"weekly", "monthly", "quarterly", "semiannually",
                                        "annually"};
    static const int months[] = {0, 1, 3, 6, 12};
    struct args a;
    args_init(&a, rv->ck, s);
    int k = args_expect_word(&a, "how often", every, IDPC_ARRAY_LEN(every));
    if (k < 0)
        return;
    static const char *const from[] = {"from"};
    if (args_expect_word(&a, "'from \"YYYY-MM-DD\"' (the first review's start)", from, 1) < 0)
        return;
    const char *date = lower_schedule_date(&a, "a start date");
    if (!date || !args_expect_end(&a))
        return;
    json_t *pattern =
        k == 0 ? json_pack("{s:s,s:i}", "type", "weekly", "interval", 1)
               : json_pack("{s:s,s:i}", "type", "absoluteMonthly", "interval", months[k]);
    json_t *range = json_pack("{s:s,s:s%}", "type", "noEnd", "startDate", date, (size_t)10);
    json_object_set_new(rv->settings, "recurrence",
                        json_pack("{s:o,s:o}", "pattern", pattern, "range", range));
    json_object_set_new(rv->settings, "$periodDays", json_integer(k == 0 ? 7 : months[k] * 28));
}

static void stmt_duration(struct review *rv, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, rv->ck, s);
    const struct ast_atom *at = args_peek(&a);
    if (!at || at->kind != AST_DURATION || strcmp(at->text, "d") != 0 || at->num < 1 ||
        at->num > 180) {
        args_expected(&a, "a number of days from 1d to 180d");
        return;
    }
    (void)args_next(&a);
    if (!args_expect_end(&a))
        return;
    json_object_set_new(rv->settings, "instanceDurationInDays", json_integer(at->num));
}

static void stmt_onoff(struct review *rv, const struct ast_stmt *s, const char *field,
                       const char *field2)
{
    struct args a;
    args_init(&a, rv->ck, s);
    bool v;
    if (!args_on_off(&a, &v) || !args_expect_end(&a))
        return;
    json_object_set_new(rv->settings, field, json_boolean(v));
    if (field2)
        json_object_set_new(rv->settings, field2, json_boolean(v));
    if (strcmp(field, "autoApplyDecisionsEnabled") == 0) {
        rv->auto_apply = v;
        rv->auto_at = s;
    }
}

static void stmt_decision(struct review *rv, const struct ast_stmt *s)
{
    static const char *const words[] = {"none", "approve", "deny", "recommendation"};
    static const char *const graph[] = {"None", "Approve", "Deny", "Recommendation"};
    struct args a;
    args_init(&a, rv->ck, s);
    int k = args_expect_word(&a, "decision", words, 4);
    if (k < 0 || !args_expect_end(&a))
        return;
    json_object_set_new(rv->settings, "defaultDecisionEnabled", json_boolean(k != 0));
    json_object_set_new(rv->settings, "defaultDecision", json_string(graph[k]));
    rv->decision = graph[k];
    rv->decision_at = s;
}

static void description(struct review *rv, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, rv->ck, s);
    const struct ast_atom *at = args_expect_string(&a, "a description");
    if (!at || !args_expect_end(&a))
        return;
    json_object_set_new(rv->body, "descriptionForAdmins", json_string(at->text));
    json_object_set_new(rv->body, "descriptionForReviewers", json_string(at->text));
}

/* Cross-statement rules, with Microsoft Learn's reasons. */
static void finish(struct review *rv)
{
    struct check *ck = rv->ck;
    const struct ast_atom *name = &rv->decl->atoms[1];
    if (!rv->review_at && !ck->incomplete)
        diag_error(ck->diag, name->loc,
                   "access review \"%s\" needs 'review role \"Name\"' or 'review guests in ...'",
                   name->text);
    if (!rv->first[4] && !ck->incomplete)
        diag_error(ck->diag, name->loc,
                   "access review \"%s\" needs 'recurrence quarterly from \"YYYY-MM-DD\"' (or "
                   "weekly, monthly, semiannually, annually)",
                   name->text);
    /* "./owners" is a group's owners: meaningless for a role ("Assign reviewers to your access
     * review definition using the Microsoft Graph API") */
    if (rv->group_owners && rv->target && strcmp(rv->target, "role") == 0)
        diag_error(ck->diag, rv->reviewers_at->atoms[0].loc,
                   "'group_owners' reviews a group's access; a role has no owners: name the "
                   "reviewers (user or group) or use managers");
    /* a manager review needs fallback reviewers for principals without a manager */
    if (rv->managers && !rv->has_fallback)
        diag_warning(ck->diag, rv->reviewers_at->atoms[0].loc,
                     "with 'managers', users without a manager are reviewed by nobody; add "
                     "'fallback_reviewers user \"...\"'");
    json_t *dur = json_object_get(rv->settings, "instanceDurationInDays");
    json_t *period = json_object_get(rv->settings, "$periodDays");
    if (period && json_integer_value(dur) >= json_integer_value(period))
        diag_error(ck->diag, name->loc,
                   "each review lasts %lld days, as long as the recurrence's period or longer: "
                   "a review must end before the next one starts",
                   json_integer_value(dur));
    json_object_del(rv->settings, "$periodDays");
    /* Applying "deny" or Microsoft's recommendation (deny for accounts that have not signed in
     * for 30 days) to unreviewed Global Administrator access removes the emergency accounts,
     * which by design never sign in ("Manage emergency access accounts in Microsoft Entra
     * ID"; "Access reviews: settings, If reviewers don't respond") */
    if (rv->role && rv->auto_apply && rv->decision &&
        (strcmp(rv->decision, "Deny") == 0 || strcmp(rv->decision, "Recommendation") == 0) &&
        json_array_size(ck->model->emergency_access) > 0 &&
        strcmp(rv->role->name, "Global Administrator") == 0)
        diag_error(ck->diag, rv->decision_at->atoms[0].loc,
                   "an unanswered review would remove the emergency-access accounts' Global "
                   "Administrator assignment (auto_apply on, if_no_response %s): write "
                   "'if_no_response none', or auto_apply off",
                   rv->decision[0] == 'D' ? "deny" : "recommendation");
}

void lower_review(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                  size_t n)
{
    static const char *const kw[] = {
        "description",  "review",     "reviewers",      "fallback_reviewers",     "recurrence",
        "duration",     "auto_apply", "if_no_response", "justification_required", "recommendations",
        "notifications"};
    struct model_object *o =
        model_add(ck->model, MODEL_ACCESS_REVIEW, decl->atoms[1].text, decl->atoms[1].loc);
    struct review rv = {.ck = ck, .decl = decl, .body = o->body};
    json_object_set_new(o->body, "displayName", json_string(decl->atoms[1].text));
    /* Graph's defaults, stated so that a plan compares them (Create definitions: settings) */
    rv.settings =
        json_pack("{s:b,s:b,s:b,s:b,s:s,s:i,s:b,s:b}", "mailNotificationsEnabled", 1,
                  "reminderNotificationsEnabled", 1, "justificationRequiredOnApproval", 1,
                  "defaultDecisionEnabled", 0, "defaultDecision", "None", "instanceDurationInDays",
                  14, "autoApplyDecisionsEnabled", 0, "recommendationsEnabled", 1);
    json_object_set_new(o->body, "reviewers", json_array());
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        size_t k = 0;
        while (k < IDPC_ARRAY_LEN(kw) && strcmp(kw[k], s->atoms[0].text) != 0)
            k++;
        if (k == IDPC_ARRAY_LEN(kw) || !check_once(ck, &rv.first[k], s, "this access_review block"))
            continue;
        switch (k) {
        case 0:
            description(&rv, s);
            break;
        case 1:
            rv.review_at = s;
            stmt_review(&rv, s);
            break;
        case 2:
        case 3: {
            json_t *l = reviewer_list(&rv, s, k == 3);
            if (l)
                json_object_set_new(o->body, k == 2 ? "reviewers" : "fallbackReviewers", l);
            if (k == 2)
                rv.reviewers_at = s;
            else
                rv.has_fallback = true;
            break;
        }
        case 4:
            stmt_recurrence(&rv, s);
            break;
        case 5:
            stmt_duration(&rv, s);
            break;
        case 6:
            stmt_onoff(&rv, s, "autoApplyDecisionsEnabled", NULL);
            break;
        case 7:
            stmt_decision(&rv, s);
            break;
        case 8:
            stmt_onoff(&rv, s, "justificationRequiredOnApproval", NULL);
            break;
        case 9:
            stmt_onoff(&rv, s, "recommendationsEnabled", NULL);
            break;
        case 10:
            stmt_onoff(&rv, s, "mailNotificationsEnabled", "reminderNotificationsEnabled");
            break;
        }
    }
    finish(&rv);
    json_object_set_new(o->body, "settings", rv.settings);
}
