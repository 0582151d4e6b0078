/* PIM for Groups and access reviews, as Graph v1.0 serves them:
 *   /identityGovernance/privilegedAccess/group/eligibilityScheduleRequests  (POST, GET)
 *   /identityGovernance/privilegedAccess/group/assignmentScheduleRequests   (POST, GET)
 *   /identityGovernance/privilegedAccess/group/eligibilitySchedules         (GET, $filter needed)
 *   /identityGovernance/privilegedAccess/group/assignmentSchedules          (GET, $filter needed)
 *   /identityGovernance/accessReviews/definitions                           (GET, POST, PUT, DELETE)
 * Every group has a member and an owner PIM policy (scope Group): they are made on the first
 * list of a group's policy assignments, with PIM's default rules, and then served by pim.c. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GPIM        "identityGovernance/privilegedAccess/group"
#define GPIM_ELIG   GPIM "/eligibilitySchedules"
#define GPIM_ASSIGN GPIM "/assignmentSchedules"
#define REVIEWS     "identityGovernance/accessReviews/definitions"

static const char *const E_ACCESS[] = {"member", "owner", NULL};
static const char *const E_ACTIONS[] = {
    "adminAssign",    "adminUpdate", "adminRemove", "selfActivate",
    "selfDeactivate", "adminExtend", "adminRenew",  NULL};

static void not_allowed(struct emu_resp *resp)
{
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- PIM for Groups: schedule requests and schedules ---- */

static const struct emu_field F_REQUEST[] = {
    {"accessId", EF_ENUM, E_ACCESS, NULL, true},
    {"action", EF_ENUM, E_ACTIONS, NULL, true},
    {"principalId", EF_STR, NULL, NULL, true},
    {"groupId", EF_STR, NULL, NULL, true},
    {"justification", EF_STR, NULL, NULL, false},
    {"scheduleInfo", EF_OBJ, NULL, EMU_SCHEDULE_INFO, false},
    {"ticketInfo", EF_ANY, NULL, NULL, false},
    {"customData", EF_STR, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};

static void schedule_request(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                             const char *kind, const char *sched_path)
{
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    char err[512];
    const char *action, *gid, *pid, *acc;
    json_t *sched = emu_coll(ctx, sched_path);
    if (!emu_check(body, F_REQUEST, "request", err, sizeof err)) {
        emu_error_bad(resp, "%s", err);
        goto out;
    }
    action = str(body, "action");
    gid = str(body, "groupId");
    pid = str(body, "principalId");
    acc = str(body, "accessId");
    if (!action || !gid || !pid || !acc) {
        emu_error_bad(resp, "accessId, action, principalId and groupId are required.");
        goto out;
    }
    if (strncmp(action, "self", 4) == 0) {
        emu_error_bad(resp, "Self-service actions need a signed-in user; this request uses "
                            "application permissions.");
        goto out;
    }
    const char *k = NULL;
    if (!emu_dir_object_exists(ctx, gid, &k) || strcmp(k, "group") != 0) {
        emu_error_bad(resp, "The group '%s' does not exist.", gid);
        goto out;
    }
    if (!emu_dir_object_exists(ctx, pid, &k) || strcmp(k, "servicePrincipal") == 0) {
        emu_error_bad(resp, "The principal '%s' does not exist or is not a user or group.", pid);
        goto out;
    }
    size_t i, found = (size_t)-1;
    json_t *v;
    json_array_foreach(sched, i, v)
    {
        if (emu_strieq(str(v, "groupId"), gid) && emu_strieq(str(v, "principalId"), pid) &&
            emu_strieq(str(v, "accessId"), acc))
            found = i;
    }
    char id[37], now[64];
    emu_guid(id);
    emu_iso_now(now, sizeof now);
    json_t *si = json_deep_copy(json_object_get(body, "scheduleInfo"));
    if (!json_is_object(si)) {
        json_decref(si);
        si = json_pack("{s:{s:s}}", "expiration", "type", "noExpiration");
    }
    if (!str(si, "startDateTime"))
        json_object_set_new(si, "startDateTime", json_string(now));
    const char *end = str(json_object_get(si, "expiration"), "endDateTime");
    if (end && strncmp(end, now, 19) < 0 && strcmp(action, "adminRemove") != 0) {
        emu_error_bad(resp, "The expiration '%s' is in the past.", end);
        json_decref(si); /* after the message: `end` is its string */
        goto out;
    }
    json_t *r = json_deep_copy(body);
    json_object_set_new(r, "id", json_string(id));
    json_object_set_new(r, "createdDateTime", json_string(now));
    json_object_set_new(r, "completedDateTime", json_string(now));
    json_object_set_new(r, "approvalId", json_null());
    json_object_set_new(r, "customData", json_null());
    json_object_set_new(r, "createdBy", json_pack("{s:{s:s}}", "application", "id", "idpc"));
    json_object_set_new(r, "scheduleInfo", json_deep_copy(si));
    if (strcmp(action, "adminAssign") == 0) {
        if (found != (size_t)-1) {
            emu_error(resp, 400, "RoleAssignmentExists", "The Role assignment already exists.");
            json_decref(r);
            json_decref(si);
            goto out;
        }
        json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:O}", "id", id, "groupId", gid,
                              "principalId", pid, "accessId", acc, "memberType", "direct", "status",
                              "Provisioned", "createdUsing", id, "createdDateTime", now,
                              "modifiedDateTime", "scheduleInfo", si);
        if (strcmp(kind, "assignment") == 0)
            json_object_set_new(s, "assignmentType", json_string("assigned"));
        json_array_append_new(sched, s);
        json_object_set_new(r, "status", json_string("Provisioned"));
        json_object_set_new(r, "targetScheduleId", json_string(id));
    } else if (found == (size_t)-1) {
        emu_error(resp, 404, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
        json_decref(r);
        json_decref(si);
        goto out;
    } else if (strcmp(action, "adminRemove") == 0) {
        json_array_remove(sched, found);
        json_object_set_new(r, "status", json_string("Revoked"));
    } else {
        json_t *s = json_array_get(sched, found);
        json_object_set(s, "scheduleInfo", si);
        json_object_set_new(s, "modifiedDateTime", json_string(now));
        json_object_set_new(r, "status", json_string("Provisioned"));
        json_object_set(r, "targetScheduleId", json_object_get(s, "id"));
    }
    json_decref(si);
    char ctxname[160];
    snprintf(ctxname, sizeof ctxname, GPIM "/%sScheduleRequests/$entity", kind);
    emu_ok(resp, 201, emu_entity(req, ctxname, r));
    json_decref(r);
out:
    json_decref(body);
}

/* "List eligibilitySchedules": the filter on groupId or principalId is required. */
static void schedules(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                      const char *path, char **seg, size_t nseg)
{
    if (strcmp(req->method, "GET") != 0) {
        not_allowed(resp);
        return;
    }
    json_t *coll = emu_coll(ctx, path);
    if (nseg == 0) {
        const char *f = emu_req_param(req, "$filter");
        if (!f || (!strstr(f, "groupId") && !strstr(f, "principalId"))) {
            emu_error(resp, 400, "BadRequest",
                      "Filter on groupId or principalId is required for this request.");
            return;
        }
        emu_list(ctx, req, resp, path, coll, false);
        return;
    }
    json_t *s = nseg == 1 ? emu_find_ci(coll, seg[0], NULL) : NULL;
    if (!s) {
        emu_error_not_found(resp, nseg ? seg[0] : "");
        return;
    }
    char ctxname[160];
    snprintf(ctxname, sizeof ctxname, "%s/$entity", path);
    emu_ok(resp, 200, emu_entity(req, ctxname, s));
}

static void requests(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                     const char *kind, size_t nseg)
{
    char path[160];
    snprintf(path, sizeof path, GPIM "/%sScheduleRequests", kind);
    if (nseg == 0 && strcmp(req->method, "POST") == 0) {
        schedule_request(ctx, req, resp, kind,
                         strcmp(kind, "eligibility") == 0 ? GPIM_ELIG : GPIM_ASSIGN);
        return;
    }
    if (nseg == 0 && strcmp(req->method, "GET") == 0) {
        json_t *none = json_array(); /* requests are not kept: the schedules are */
        emu_list(ctx, req, resp, path, none, false);
        json_decref(none);
        return;
    }
    not_allowed(resp);
}

/* ---- the group's PIM policies ---- */

static json_t *rule(const char *type, const char *id, const char *caller, const char *level)
{
    char t[128];
    snprintf(t, sizeof t, "#microsoft.graph.unifiedRoleManagementPolicy%sRule", type);
    return json_pack("{s:s,s:s,s:{s:s,s:[s],s:s,s:[],s:[]}}", "@odata.type", t, "id", id, "target",
                     "caller", caller, "operations", "All", "level", level, "inheritableSettings",
                     "enforcedSettings");
}

/* PIM's defaults for a group ("Configure PIM for Groups settings"): activation for 8 hours,
 * eligibility and active assignments that end after a year, no approval. */
static json_t *default_rules(void)
{
    json_t *rules = json_array();
    json_t *r = rule("Expiration", "Expiration_EndUser_Assignment", "EndUser", "Assignment");
    json_object_set_new(r, "isExpirationRequired", json_true());
    json_object_set_new(r, "maximumDuration", json_string("PT8H"));
    json_array_append_new(rules, r);
    r = rule("Expiration", "Expiration_Admin_Eligibility", "Admin", "Eligibility");
    json_object_set_new(r, "isExpirationRequired", json_true());
    json_object_set_new(r, "maximumDuration", json_string("P365D"));
    json_array_append_new(rules, r);
    r = rule("Expiration", "Expiration_Admin_Assignment", "Admin", "Assignment");
    json_object_set_new(r, "isExpirationRequired", json_true());
    json_object_set_new(r, "maximumDuration", json_string("P180D"));
    json_array_append_new(rules, r);
    r = rule("Enablement", "Enablement_EndUser_Assignment", "EndUser", "Assignment");
    json_object_set_new(r, "enabledRules", json_pack("[s]", "Justification"));
    json_array_append_new(rules, r);
    r = rule("Enablement", "Enablement_Admin_Assignment", "Admin", "Assignment");
    json_object_set_new(r, "enabledRules", json_pack("[s]", "Justification"));
    json_array_append_new(rules, r);
    r = rule("AuthenticationContext", "AuthenticationContext_EndUser_Assignment", "EndUser",
             "Assignment");
    json_object_set_new(r, "isEnabled", json_false());
    json_object_set_new(r, "claimValue", json_null());
    json_array_append_new(rules, r);
    r = rule("Approval", "Approval_EndUser_Assignment", "EndUser", "Assignment");
    json_object_set_new(
        r, "setting",
        json_pack("{s:b,s:b,s:b,s:s,s:[{s:i,s:b,s:i,s:b,s:[],s:[]}]}", "isApprovalRequired", 0,
                  "isApprovalRequiredForExtension", 0, "isRequestorJustificationRequired", 1,
                  "approvalMode", "SingleStage", "approvalStages", "approvalStageTimeOutInDays", 1,
                  "isApproverJustificationRequired", 1, "escalationTimeInMinutes", 0,
                  "isEscalationEnabled", 0, "primaryApprovers", "escalationApprovers"));
    json_array_append_new(rules, r);
    return rules;
}

/* The group id of "scopeId eq 'ID' and scopeType eq 'Group'", or NULL. */
static char *filtered_group(const struct emu_req *req)
{
    const char *f = emu_req_param(req, "$filter");
    if (!f || !strstr(f, "'Group'"))
        return NULL;
    const char *p = strstr(f, "scopeId eq '");
    if (!p)
        return NULL;
    p += 12;
    const char *q = strchr(p, '\'');
    return q ? emu_xstrndup(p, (size_t)(q - p)) : NULL;
}

static void ensure_group_policies(struct emu_ctx *ctx, const char *gid)
{
    const char *k = NULL;
    if (!emu_dir_object_exists(ctx, gid, &k) || strcmp(k, "group") != 0)
        return;
    json_t *assigns = emu_coll(ctx, "policies/roleManagementPolicyAssignments");
    size_t i;
    json_t *a;
    json_array_foreach(assigns, i, a)
    {
        if (emu_strieq(str(a, "scopeId"), gid) && emu_strieq(str(a, "scopeType"), "Group"))
            return;
    }
    static const char *const access[] = {"member", "owner"};
    for (int n = 0; n < 2; n++) {
        char pid[160], aid[200];
        snprintf(pid, sizeof pid, "Group_%s_%s", gid, access[n]);
        snprintf(aid, sizeof aid, "%s_%s", pid, access[n]);
        json_array_append_new(emu_coll(ctx, "policies/roleManagementPolicies"),
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:n,s:o}", "id", pid,
                                        "displayName", "Group", "description", "Group", "scopeId",
                                        gid, "scopeType", "Group", "isOrganizationDefault", 0,
                                        "lastModifiedDateTime", "rules", default_rules()));
        json_array_append_new(assigns, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", aid, "policyId",
                                                 pid, "scopeId", gid, "scopeType", "Group",
                                                 "roleDefinitionId", access[n]));
    }
}

/* ---- access reviews ---- */

static const char *const E_QUERY_TYPE[] = {"MicrosoftGraph", "ARM", NULL};
static const char *const E_DECISION[] = {"Approve", "Deny", "Recommendation", "None", NULL};
static const char *const E_PATTERN[] = {
    "daily",          "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly",
    "relativeYearly", NULL};
static const char *const E_RANGE[] = {"endDate", "noEnd", "numbered", NULL};
static const struct emu_field F_QUERY[] = {{"query", EF_STR, NULL, NULL, true},
                                           {"queryType", EF_ENUM, E_QUERY_TYPE, NULL, false},
                                           {"queryRoot", EF_STR, NULL, NULL, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SCOPE[] = {{"query", EF_STR, NULL, NULL, false},
                                           {"queryType", EF_ENUM, E_QUERY_TYPE, NULL, false},
                                           {"queryRoot", EF_STR, NULL, NULL, false},
                                           {"principalScopes", EF_OBJLIST, NULL, F_QUERY, false},
                                           {"resourceScopes", EF_OBJLIST, NULL, F_QUERY, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_PATTERN[] = {
    {"type", EF_ENUM, E_PATTERN, NULL, true},      {"interval", EF_INT, NULL, NULL, true},
    {"month", EF_INT, NULL, NULL, false},          {"dayOfMonth", EF_INT, NULL, NULL, false},
    {"daysOfWeek", EF_STRLIST, NULL, NULL, false}, {"firstDayOfWeek", EF_STR, NULL, NULL, false},
    {"index", EF_STR, NULL, NULL, false},          {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_RANGE[] = {{"type", EF_ENUM, E_RANGE, NULL, true},
                                           {"startDate", EF_STR, NULL, NULL, true},
                                           {"endDate", EF_STR, NULL, NULL, false},
                                           {"numberOfOccurrences", EF_INT, NULL, NULL, false},
                                           {"recurrenceTimeZone", EF_STR, NULL, NULL, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_RECURRENCE[] = {{"pattern", EF_OBJ, NULL, F_PATTERN, true},
                                                {"range", EF_OBJ, NULL, F_RANGE, true},
                                                {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SETTINGS[] = {
    {"mailNotificationsEnabled", EF_BOOL, NULL, NULL, false},
    {"reminderNotificationsEnabled", EF_BOOL, NULL, NULL, false},
    {"justificationRequiredOnApproval", EF_BOOL, NULL, NULL, false},
    {"defaultDecisionEnabled", EF_BOOL, NULL, NULL, false},
    {"defaultDecision", EF_ENUM, E_DECISION, NULL, false},
    {"instanceDurationInDays", EF_INT, NULL, NULL, false},
    {"autoApplyDecisionsEnabled", EF_BOOL, NULL, NULL, false},
    {"recommendationsEnabled", EF_BOOL, NULL, NULL, false},
    {"recurrence", EF_OBJ, NULL, F_RECURRENCE, false},
    {"applyActions", EF_ANY, NULL, NULL, false},
    {"decisionHistoriesForReviewersEnabled", EF_BOOL, NULL, NULL, false},
    {"recommendationLookBackDuration", EF_STR, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_DEFINITION[] = {
    {"displayName", EF_STR, NULL, NULL, true},
    {"descriptionForAdmins", EF_STR, NULL, NULL, false},
    {"descriptionForReviewers", EF_STR, NULL, NULL, false},
    {"scope", EF_OBJ, NULL, F_SCOPE, true},
    {"instanceEnumerationScope", EF_OBJ, NULL, F_SCOPE, false},
    {"reviewers", EF_OBJLIST, NULL, F_QUERY, false},
    {"fallbackReviewers", EF_OBJLIST, NULL, F_QUERY, false},
    {"backupReviewers", EF_OBJLIST, NULL, F_QUERY, false},
    {"additionalNotificationRecipients", EF_ANY, NULL, NULL, false},
    {"settings", EF_OBJ, NULL, F_SETTINGS, false},
    {"stageSettings", EF_ANY, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};

/* A reviewer query names an existing user or group ("/users/{id}", "/groups/{id}/..."). */
static bool queries_resolve(struct emu_ctx *ctx, const json_t *list, struct emu_resp *resp)
{
    size_t i;
    json_t *q;
    json_array_foreach(list, i, q)
    {
        const char *s = str(q, "query");
        const char *id = NULL;
        if (s && strncmp(s, "/users/", 7) == 0)
            id = s + 7;
        else if (s && strncmp(s, "/groups/", 8) == 0)
            id = s + 8;
        if (!id)
            continue;
        char buf[40];
        snprintf(buf, sizeof buf, "%.36s", id);
        if (!emu_dir_object_exists(ctx, buf, NULL)) {
            emu_error_bad(resp, "The reviewer query '%s' names an object that does not exist.", s);
            return false;
        }
    }
    return true;
}

static bool definition_ok(struct emu_ctx *ctx, json_t *body, struct emu_resp *resp)
{
    char err[512];
    if (!emu_check(body, F_DEFINITION, "definition", err, sizeof err)) {
        emu_error_bad(resp, "%s", err);
        return false;
    }
    json_t *st = json_object_get(body, "settings");
    json_t *dur = json_object_get(st, "instanceDurationInDays");
    if (dur && (json_integer_value(dur) < 1 || json_integer_value(dur) > 180)) {
        emu_error_bad(resp, "instanceDurationInDays must be 1 to 180.");
        return false;
    }
    const char *dd = str(st, "defaultDecision");
    if (dd && strcmp(dd, "None") != 0 &&
        !json_is_true(json_object_get(st, "defaultDecisionEnabled"))) {
        emu_error_bad(resp, "defaultDecision needs defaultDecisionEnabled.");
        return false;
    }
    return queries_resolve(ctx, json_object_get(body, "reviewers"), resp) &&
           queries_resolve(ctx, json_object_get(body, "fallbackReviewers"), resp);
}

/* What Graph returns for a definition: the request and the fields it fills in. */
static void fill_definition(json_t *d, const char *now)
{
    json_t *st = json_object_get(d, "settings");
    if (!json_is_object(st)) {
        st = json_object();
        json_object_set_new(d, "settings", st);
    }
    json_object_set_new(st, "applyActions", json_array());
    json_object_set_new(st, "decisionHistoriesForReviewersEnabled", json_false());
    json_t *rec = json_object_get(st, "recurrence");
    json_t *pat = json_object_get(rec, "pattern");
    json_t *rng = json_object_get(rec, "range");
    if (json_is_object(pat)) {
        json_object_set_new(pat, "month", json_integer(0));
        json_object_set_new(pat, "dayOfMonth", json_integer(0));
        json_object_set_new(pat, "daysOfWeek", json_array());
        json_object_set_new(pat, "firstDayOfWeek", json_string("sunday"));
        json_object_set_new(pat, "index", json_string("first"));
    }
    if (json_is_object(rng)) {
        json_object_set_new(rng, "numberOfOccurrences", json_integer(0));
        json_object_set_new(rng, "recurrenceTimeZone", json_null());
        if (!str(rng, "endDate"))
            json_object_set_new(rng, "endDate", json_string("9999-12-31"));
    }
    json_t *rv = json_object_get(d, "reviewers");
    size_t i;
    json_t *q;
    json_array_foreach(rv, i, q)
    {
        if (!json_object_get(q, "queryRoot"))
            json_object_set_new(q, "queryRoot", json_null());
    }
    json_t *fb = json_object_get(d, "fallbackReviewers");
    json_object_set_new(d, "backupReviewers", fb ? json_deep_copy(fb) : json_array());
    json_object_set_new(d, "lastModifiedDateTime", json_string(now));
}

static void reviews(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                    char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, REVIEWS);
    const char *m = req->method;
    char now[64];
    emu_iso_now(now, sizeof now);
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, REVIEWS, coll, false);
        return;
    }
    if (nseg == 0 && strcmp(m, "POST") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (definition_ok(ctx, body, resp)) {
            char id[37];
            emu_guid(id);
            json_t *d = json_deep_copy(body);
            json_object_set_new(d, "id", json_string(id));
            json_object_set_new(d, "status", json_string("NotStarted"));
            json_object_set_new(d, "createdDateTime", json_string(now));
            json_object_set_new(d, "createdBy",
                                json_pack("{s:s,s:s}", "id", "idpc", "displayName", "idpc"));
            fill_definition(d, now);
            json_array_append(coll, d);
            emu_ok(resp, 201, emu_entity(req, REVIEWS "/$entity", d));
            json_decref(d);
        }
        json_decref(body);
        return;
    }
    size_t idx;
    json_t *d = nseg == 1 ? emu_find_ci(coll, seg[0], &idx) : NULL;
    if (!d) {
        emu_error(resp, 404, "NotFound", "The access review definition was not found.");
        return;
    }
    if (strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, REVIEWS "/$entity", d));
    } else if (strcmp(m, "DELETE") == 0) {
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else if (strcmp(m, "PUT") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (definition_ok(ctx, body, resp)) {
            /* "Update accessReviewScheduleDefinition": the scope cannot change */
            json_t *n1 = json_deep_copy(json_object_get(body, "scope"));
            json_t *n0 = json_object_get(d, "scope");
            if (!json_equal(n0, n1)) {
                emu_error_bad(resp, "The scope of an access review definition cannot be "
                                    "updated.");
            } else {
                static const char *const upd[] = {
                    "displayName", "descriptionForAdmins", "descriptionForReviewers",
                    "reviewers",   "fallbackReviewers",    "settings"};
                for (size_t i = 0; i < sizeof upd / sizeof upd[0]; i++) {
                    json_t *v = json_object_get(body, upd[i]);
                    if (v)
                        json_object_set_new(d, upd[i], json_deep_copy(v));
                    else
                        json_object_del(d, upd[i]);
                }
                fill_definition(d, now);
                emu_ok(resp, 204, NULL);
            }
            json_decref(n1);
        }
        json_decref(body);
    } else {
        not_allowed(resp);
    }
}

bool emu_governance_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                          char **seg, size_t nseg)
{
    if (nseg >= 2 && strcmp(seg[0], "policies") == 0 &&
        strcmp(seg[1], "roleManagementPolicyAssignments") == 0 && strcmp(req->method, "GET") == 0) {
        char *gid = filtered_group(req);
        if (gid)
            ensure_group_policies(ctx, gid);
        free(gid);
        return false; /* pim.c answers */
    }
    if (nseg < 3 || strcmp(seg[0], "identityGovernance") != 0)
        return false;
    if (strcmp(seg[1], "accessReviews") == 0 && strcmp(seg[2], "definitions") == 0) {
        reviews(ctx, req, resp, seg + 3, nseg - 3);
        return true;
    }
    if (nseg < 4 || strcmp(seg[1], "privilegedAccess") != 0 || strcmp(seg[2], "group") != 0)
        return false;
    const char *c = seg[3];
    if (strcmp(c, "eligibilityScheduleRequests") == 0)
        requests(ctx, req, resp, "eligibility", nseg - 4);
    else if (strcmp(c, "assignmentScheduleRequests") == 0)
        requests(ctx, req, resp, "assignment", nseg - 4);
    else if (strcmp(c, "eligibilitySchedules") == 0)
        schedules(ctx, req, resp, GPIM_ELIG, seg + 4, nseg - 4);
    else if (strcmp(c, "assignmentSchedules") == 0)
        schedules(ctx, req, resp, GPIM_ASSIGN, seg + 4, nseg - 4);
    else
        return false;
    return true;
}
