/* PIM role settings: /policies/roleManagementPolicies (with their rules) and
 * /policies/roleManagementPolicyAssignments, as Graph v1.0 serves them for directory roles.
 * Policies are never created or deleted (every role has one); a rule is updated whole by PATCH
 * and answered 204. Lists need the $filter on scopeId and scopeType, as Graph's do. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIM_POLICIES "policies/roleManagementPolicies"
#define PIM_ASSIGNS  "policies/roleManagementPolicyAssignments"

static const char *const E_CALLER[] = {"Admin", "EndUser", "NoneSpecified", NULL};
static const char *const E_LEVEL[] = {"Assignment", "Eligibility", NULL};
static const char *const E_ENABLED[] = {"MultiFactorAuthentication", "Justification", "Ticketing",
                                        NULL};
static const char *const E_RECIPIENT[] = {"Requestor", "Approver", "Admin", NULL};
static const char *const E_NOTIFY_LEVEL[] = {"None", "Critical", "All", NULL};
static const char *const E_APPROVAL_MODE[] = {"SingleStage", "Serial", "Parallel", "NoApproval",
                                              NULL};

static const struct emu_field F_TARGET[] = {{"caller", EF_ENUM, E_CALLER, NULL, false},
                                            {"operations", EF_STRLIST, NULL, NULL, false},
                                            {"level", EF_ENUM, E_LEVEL, NULL, false},
                                            {"inheritableSettings", EF_STRLIST, NULL, NULL, false},
                                            {"enforcedSettings", EF_STRLIST, NULL, NULL, false},
                                            {"targetObjects", EF_ANY, NULL, NULL, false},
                                            {NULL, EF_ANY, NULL, NULL, false}};

#define RULE_COMMON                                                                                \
    {"id", EF_STR, NULL, NULL, false},                                                             \
    {                                                                                              \
        "target", EF_OBJ, NULL, F_TARGET, false                                                    \
    }

static const struct emu_field F_EXPIRATION[] = {RULE_COMMON,
                                                {"isExpirationRequired", EF_BOOL, NULL, NULL, true},
                                                {"maximumDuration", EF_STR, NULL, NULL, false},
                                                {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_ENABLEMENT[] = {
    RULE_COMMON,
    {"enabledRules", EF_ENUMLIST, E_ENABLED, NULL, true},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_CONTEXT[] = {RULE_COMMON,
                                             {"isEnabled", EF_BOOL, NULL, NULL, true},
                                             {"claimValue", EF_STR, NULL, NULL, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_NOTIFICATION[] = {
    RULE_COMMON,
    {"notificationType", EF_STR, NULL, NULL, false},
    {"recipientType", EF_ENUM, E_RECIPIENT, NULL, false},
    {"notificationLevel", EF_ENUM, E_NOTIFY_LEVEL, NULL, false},
    {"isDefaultRecipientsEnabled", EF_BOOL, NULL, NULL, false},
    {"notificationRecipients", EF_STRLIST, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SUBJECT[] = {{"userId", EF_STR, NULL, NULL, false},
                                             {"groupId", EF_STR, NULL, NULL, false},
                                             {"description", EF_STR, NULL, NULL, false},
                                             {"isBackup", EF_BOOL, NULL, NULL, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_STAGE[] = {
    {"approvalStageTimeOutInDays", EF_INT, NULL, NULL, false},
    {"isApproverJustificationRequired", EF_BOOL, NULL, NULL, false},
    {"escalationTimeInMinutes", EF_INT, NULL, NULL, false},
    {"isEscalationEnabled", EF_BOOL, NULL, NULL, false},
    {"primaryApprovers", EF_OBJLIST, NULL, F_SUBJECT, false},
    {"escalationApprovers", EF_OBJLIST, NULL, F_SUBJECT, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SETTING[] = {
    {"isApprovalRequired", EF_BOOL, NULL, NULL, false},
    {"isApprovalRequiredForExtension", EF_BOOL, NULL, NULL, false},
    {"isRequestorJustificationRequired", EF_BOOL, NULL, NULL, false},
    {"approvalMode", EF_ENUM, E_APPROVAL_MODE, NULL, false},
    {"approvalStages", EF_OBJLIST, NULL, F_STAGE, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_APPROVAL[] = {
    RULE_COMMON, {"setting", EF_OBJ, NULL, F_SETTING, true}, {NULL, EF_ANY, NULL, NULL, false}};

static const struct {
    const char *type;
    const struct emu_field *fields;
} rule_types[] = {
    {"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", F_EXPIRATION},
    {"#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", F_ENABLEMENT},
    {"#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule", F_CONTEXT},
    {"#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", F_NOTIFICATION},
    {"#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", F_APPROVAL},
};

static void not_allowed(struct emu_resp *resp)
{
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
}

/* Graph lists PIM policies and their assignments only for a scope. */
static bool has_scope_filter(const struct emu_req *req, struct emu_resp *resp)
{
    const char *f = emu_req_param(req, "$filter");
    if (f && strstr(f, "scopeId") && strstr(f, "scopeType"))
        return true;
    emu_error(resp, 400, "BadRequest",
              "The filter on scopeId and scopeType is required for this request.");
    return false;
}

static bool wants_expand(const struct emu_req *req, const char *what)
{
    const char *e = emu_req_param(req, "$expand");
    return e && strstr(e, what) != NULL;
}

/* A policy as a GET shows it: rules only when expanded. New reference. */
static json_t *shown_policy(const struct emu_req *req, json_t *p)
{
    json_t *c = json_copy(p);
    if (!wants_expand(req, "rules"))
        json_object_del(c, "rules");
    return c;
}

/* "PT8H", "P365D", "PT1H30M": an ISO 8601 duration. */
static bool iso_duration(const char *s)
{
    if (!s || s[0] != 'P' || !s[1])
        return false;
    bool time = false, digits = false;
    for (const char *p = s + 1; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digits = true;
        } else if (*p == 'T' && !time) {
            time = true;
        } else if (strchr(time ? "HMS" : "DW", *p) && digits) {
            digits = false;
        } else {
            return false;
        }
    }
    return !digits;
}

static bool approvers_exist(struct emu_ctx *ctx, json_t *rule, struct emu_resp *resp)
{
    json_t *stages = json_object_get(json_object_get(rule, "setting"), "approvalStages");
    size_t i, j;
    json_t *st, *who;
    json_array_foreach(stages, i, st)
    {
        json_array_foreach(json_object_get(st, "primaryApprovers"), j, who)
        {
            const char *id = json_string_value(json_object_get(who, "userId"));
            if (!id)
                id = json_string_value(json_object_get(who, "groupId"));
            if (!id || !emu_dir_object_exists(ctx, id, NULL)) {
                emu_error_bad(resp, "The approver '%s' does not exist.", id ? id : "(none)");
                return false;
            }
        }
    }
    return true;
}

static void patch_rule(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                       json_t *rule, const char *rid)
{
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    const char *want = json_string_value(json_object_get(body, "@odata.type"));
    const char *have = json_string_value(json_object_get(rule, "@odata.type"));
    const struct emu_field *fields = NULL;
    for (size_t i = 0; i < sizeof rule_types / sizeof rule_types[0]; i++)
        if (have && strcmp(have, rule_types[i].type) == 0)
            fields = rule_types[i].fields;
    if (!want || !have || strcmp(want, have) != 0 || !fields) {
        emu_error_bad(resp, "The rule '%s' is a %s; the request must carry that @odata.type.", rid,
                      have ? have : "?");
        goto out;
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    if (id && strcmp(id, rid) != 0) {
        emu_error_bad(resp, "The rule id '%s' does not match the request's '%s'.", id, rid);
        goto out;
    }
    char err[512];
    if (!emu_check(body, fields, "rule", err, sizeof err)) {
        emu_error_bad(resp, "%s", err);
        goto out;
    }
    const char *dur = json_string_value(json_object_get(body, "maximumDuration"));
    if (json_object_get(body, "maximumDuration") && !iso_duration(dur)) {
        emu_error_bad(resp, "maximumDuration '%s' is not an ISO 8601 duration.", dur ? dur : "");
        goto out;
    }
    if (!approvers_exist(ctx, body, resp))
        goto out;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "id") != 0 && strcmp(k, "@odata.type") != 0)
            json_object_set(rule, k, v);
    }
    emu_ok(resp, 204, NULL);
out:
    json_decref(body);
}

static void policies(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                     char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, PIM_POLICIES);
    const char *m = req->method;
    if (nseg == 0) {
        if (strcmp(m, "GET") != 0) {
            not_allowed(resp); /* policies exist for every role: never created */
            return;
        }
        if (!has_scope_filter(req, resp))
            return;
        json_t *items = json_array();
        size_t i;
        json_t *p;
        json_array_foreach(coll, i, p)
        {
            json_array_append_new(items, shown_policy(req, p));
        }
        emu_list(ctx, req, resp, PIM_POLICIES, items, false);
        json_decref(items);
        return;
    }
    json_t *p = emu_find_ci(coll, seg[0], NULL);
    if (!p) {
        emu_error_not_found(resp, seg[0]);
        return;
    }
    if (nseg == 1) {
        if (strcmp(m, "GET") != 0) {
            not_allowed(resp);
            return;
        }
        json_t *c = shown_policy(req, p);
        emu_ok(resp, 200, emu_entity(req, PIM_POLICIES "/$entity", c));
        json_decref(c);
        return;
    }
    if (strcmp(seg[1], "rules") != 0) {
        emu_error_bad(resp, "Resource not found for the segment '%s'.", seg[1]);
        return;
    }
    json_t *rules = json_object_get(p, "rules");
    if (nseg == 2) {
        if (strcmp(m, "GET") == 0)
            emu_list(ctx, req, resp, PIM_POLICIES "('id')/rules", rules, false);
        else
            not_allowed(resp);
        return;
    }
    json_t *rule = nseg == 3 ? emu_find(rules, seg[2], NULL) : NULL;
    if (!rule) {
        emu_error_not_found(resp, seg[2]);
        return;
    }
    if (strcmp(m, "GET") == 0)
        emu_ok(resp, 200, emu_entity(req, PIM_POLICIES "('id')/rules/$entity", rule));
    else if (strcmp(m, "PATCH") == 0)
        patch_rule(ctx, req, resp, rule, seg[2]);
    else
        not_allowed(resp);
}

static void assignments(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                        char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, PIM_ASSIGNS);
    if (strcmp(req->method, "GET") != 0) {
        not_allowed(resp);
        return;
    }
    if (nseg == 0) {
        if (!has_scope_filter(req, resp))
            return;
        json_t *items = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(coll, i, a)
        {
            json_t *c = json_copy(a);
            if (wants_expand(req, "policy")) {
                json_t *p = emu_find_ci(emu_coll(ctx, PIM_POLICIES),
                                        json_string_value(json_object_get(a, "policyId")), NULL);
                if (p)
                    json_object_set_new(c, "policy", shown_policy(req, p));
            }
            json_array_append_new(items, c);
        }
        emu_list(ctx, req, resp, PIM_ASSIGNS, items, false);
        json_decref(items);
        return;
    }
    json_t *a = nseg == 1 ? emu_find_ci(coll, seg[0], NULL) : NULL;
    if (!a)
        emu_error_not_found(resp, seg[0]);
    else
        emu_ok(resp, 200, emu_entity(req, PIM_ASSIGNS "/$entity", a));
}

bool emu_pim_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg)
{
    if (nseg < 2 || strcmp(seg[0], "policies") != 0)
        return false;
    if (strcmp(seg[1], "roleManagementPolicies") == 0)
        policies(ctx, req, resp, seg + 2, nseg - 2);
    else if (strcmp(seg[1], "roleManagementPolicyAssignments") == 0)
        assignments(ctx, req, resp, seg + 2, nseg - 2);
    else
        return false;
    return true;
}
