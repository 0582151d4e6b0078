/* backend_file_governance.c — the file backend's emulation of PIM for Groups schedule requests
 * and access review definitions (Graph v1.0 "Create eligibilityScheduleRequests", "Create
 * assignmentScheduleRequests" of privilegedAccessGroup; "Create definitions" and "Update
 * accessReviewScheduleDefinition" of accessReviewSet): a request changes the group's schedules
 * as Graph's would, a definition is stored with the fields Graph fills in. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compiler/util.h"
#include "runtime/tenant/backend_file.h"
#include "runtime/tenant/tenant_governance.h"

static char *now_iso(void)
{
    char buf[21];
    util_now_iso(buf);
    return xstrdup(buf);
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int schedule_request(struct backend *b, const char *sched_path, const char *req_path,
                            const json_t *body, json_t **result, struct backend_error *err)
{
    const char *action = str(body, "action"), *gid = str(body, "groupId"),
               *pid = str(body, "principalId"), *acc = str(body, "accessId");
    if (!action || !gid || !pid || !acc ||
        (strcmp(acc, "member") != 0 && strcmp(acc, "owner") != 0)) {
        backend_error_set(err, 400, "BadRequest",
                          "action, groupId, principalId and accessId (member or owner) are "
                          "required");
        return -1;
    }
    json_t *sched = backend_file_collection(b, sched_path, true, err);
    if (!sched)
        return -1;
    size_t i, found = (size_t)-1;
    json_t *v;
    json_array_foreach(sched, i, v)
    {
        if (str(v, "groupId") && str(v, "principalId") && str(v, "accessId") &&
            strcasecmp(str(v, "groupId"), gid) == 0 &&
            strcasecmp(str(v, "principalId"), pid) == 0 && strcmp(str(v, "accessId"), acc) == 0)
            found = i;
    }
    char *id = backend_file_new_id(b, req_path, body);
    char *now = now_iso();
    json_t *req = json_deep_copy(body);
    json_object_set_new(req, "id", json_string(id));
    json_object_set_new(req, "createdDateTime", json_string(now));
    json_object_set_new(req, "status", json_string("Provisioned"));
    int rc = 0;
    json_t *si = json_deep_copy(json_object_get(body, "scheduleInfo"));
    if (!json_is_object(si)) {
        json_decref(si);
        si = json_pack("{s:{s:s}}", "expiration", "type", "noExpiration");
    }
    if (!json_is_string(json_object_get(si, "startDateTime")))
        json_object_set_new(si, "startDateTime", json_string(now));
    if (strcmp(action, "adminAssign") == 0) {
        if (found != (size_t)-1) {
            backend_error_set(err, 400, "RoleAssignmentExists",
                              "The Role assignment already exists.");
            rc = -1;
        } else {
            json_array_append_new(sched, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "id",
                                                   id, "groupId", gid, "principalId", pid,
                                                   "accessId", acc, "memberType", "direct",
                                                   "status", "Provisioned", "createdUsing", id,
                                                   "createdDateTime", now, "scheduleInfo", si));
            json_object_set_new(req, "targetScheduleId", json_string(id));
        }
    } else if (found == (size_t)-1) {
        backend_error_set(err, 404, "RoleAssignmentDoesNotExist",
                          "The Role assignment does not exist.");
        rc = -1;
    } else if (strcmp(action, "adminRemove") == 0) {
        json_array_remove(sched, found);
        json_object_set_new(req, "status", json_string("Revoked"));
    } else if (strcmp(action, "adminUpdate") == 0 || strcmp(action, "adminExtend") == 0 ||
               strcmp(action, "adminRenew") == 0) {
        json_t *s = json_array_get(sched, found);
        json_object_set(s, "scheduleInfo", si);
        json_object_set_new(s, "modifiedDateTime", json_string(now));
        json_object_set(req, "targetScheduleId", json_object_get(s, "id"));
    } else {
        backend_error_set(err, 400, "BadRequest", "action '%s' is not emulated by the file tenant",
                          action);
        rc = -1;
    }
    json_decref(si);
    free(now);
    free(id);
    if (rc == 0)
        *result = req;
    else
        json_decref(req);
    return rc;
}

/* The properties "Update accessReviewScheduleDefinition" replaces; the scope stays. */
static const char *const review_updatable[] = {"displayName",
                                               "descriptionForAdmins",
                                               "descriptionForReviewers",
                                               "settings",
                                               "reviewers",
                                               "fallbackReviewers",
                                               "backupReviewers",
                                               "additionalNotificationRecipients",
                                               "stageSettings"};

static int review_write(struct backend *b, const char *method, const char *path, const json_t *body,
                        json_t **result, struct backend_error *err)
{
    const char *rest = path + strlen(TENANT_ACCESS_REVIEWS);
    if (*rest == '/')
        rest++;
    char *now = now_iso();
    int rc = -1;
    if (strcmp(method, "POST") == 0 && !*rest) {
        if (!str(body, "displayName") || !json_is_object(json_object_get(body, "scope"))) {
            backend_error_set(err, 400, "BadRequest", "displayName and scope are required");
            goto out;
        }
        json_t *coll = backend_file_collection(b, TENANT_ACCESS_REVIEWS, true, err);
        if (!coll)
            goto out;
        char *id = backend_file_new_id(b, TENANT_ACCESS_REVIEWS, body);
        json_t *o = json_deep_copy(body);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "status", json_string("NotStarted"));
        json_object_set_new(o, "createdDateTime", json_string(now));
        json_object_set_new(o, "lastModifiedDateTime", json_string(now));
        json_object_set_new(o, "createdBy", json_pack("{s:s}", "displayName", "idpc"));
        json_array_append(coll, o);
        *result = o;
        free(id);
        rc = 0;
    } else if (strcmp(method, "PUT") == 0 && *rest && !strchr(rest, '/')) {
        json_t *item, *parent;
        size_t idx;
        int f = backend_file_locate(b, path, &item, &parent, &idx, err);
        if (f != 0) {
            if (f > 0)
                backend_error_set(err, 404, "NotFound", "%s does not exist", path);
            goto out;
        }
        for (size_t i = 0; i < IDPC_ARRAY_LEN(review_updatable); i++) {
            json_t *v = json_object_get(body, review_updatable[i]);
            if (v)
                json_object_set(item, review_updatable[i], v);
            else
                json_object_del(item, review_updatable[i]);
        }
        json_object_set_new(item, "lastModifiedDateTime", json_string(now));
        rc = 0;
    } else {
        rc = 1;
    }
out:
    free(now);
    return rc;
}

/* 1 when the request is not one of these. */
int backend_file_governance(struct backend *b, const char *method, const char *path,
                            const json_t *body, json_t **result, struct backend_error *err)
{
    if (strcmp(method, "POST") == 0 && strcmp(path, TENANT_PIM_GROUP_ELIG_REQ) == 0)
        return schedule_request(b, TENANT_PIM_GROUP_ELIG, path, body, result, err);
    if (strcmp(method, "POST") == 0 && strcmp(path, TENANT_PIM_GROUP_ASSIGN_REQ) == 0)
        return schedule_request(b, TENANT_PIM_GROUP_ASSIGN, path, body, result, err);
    if (strncmp(path, TENANT_ACCESS_REVIEWS, strlen(TENANT_ACCESS_REVIEWS)) == 0 &&
        (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0))
        return review_write(b, method, path, body, result, err);
    return 1;
}
