/* Tenant settings that are collections of their own: the groups expiration policy
 * (groupLifecyclePolicies; Graph v1.0 "groupLifecyclePolicy resource type": GET, POST, PATCH,
 * DELETE; one policy per tenant; managedGroupTypes All, Selected or None; the
 * alternateNotificationEmails separated by ';'). A policy applied to selected groups keeps them
 * in the collection "groupLifecyclePolicies/{id}/groups" (addGroup, removeGroup: "Only one group
 * can be added per request", at most 500); GET /groups/{id}/groupLifecyclePolicies lists the
 * policies that apply to a Microsoft 365 group. The on-premises directory synchronization
 * (directory/onPremisesSynchronization; Graph v1.0 "onPremisesDirectorySynchronization resource
 * type": GET and PATCH only, one object whose id is the tenant's; PATCH answers 204 and keeps the
 * feature flags and configuration the request leaves out). */
#include <stdio.h>
#include <string.h>

#include "emu.h"

#define LIFECYCLE "groupLifecyclePolicies"

static bool is_unified(const json_t *g)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(g, "groupTypes"), i, t)
    {
        if (emu_strieq(json_string_value(t) ? json_string_value(t) : "", "Unified"))
            return true;
    }
    return false;
}

static json_t *selected_groups(struct emu_ctx *ctx, const char *pid)
{
    char path[128];
    snprintf(path, sizeof path, LIFECYCLE "/%s/groups", pid);
    return emu_coll(ctx, path);
}

/* POST /groupLifecyclePolicies/{id}/addGroup | removeGroup {"groupId"} → 200 {"value": bool} */
static void lifecycle_action(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                             json_t *p, const char *action)
{
    bool add = strcmp(action, "addGroup") == 0;
    if (!add && strcmp(action, "removeGroup") != 0) {
        emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    const char *gid = json_string_value(json_object_get(body, "groupId"));
    const char *types = json_string_value(json_object_get(p, "managedGroupTypes"));
    json_t *g = gid ? emu_find(emu_coll(ctx, "groups"), gid, NULL) : NULL;
    if (!gid || json_object_size(body) != 1) {
        emu_error_bad(resp, "The request body takes one property, groupId.");
    } else if (!types || strcmp(types, "Selected") != 0) {
        emu_error_bad(resp, "Groups can be added to or removed from a lifecycle policy only when "
                            "its managedGroupTypes is Selected.");
    } else if (!g) {
        emu_error_not_found(resp, gid);
    } else if (!is_unified(g)) {
        emu_error_bad(resp, "Only Microsoft 365 groups can be added to a lifecycle policy.");
    } else {
        json_t *list = selected_groups(ctx, json_string_value(json_object_get(p, "id")));
        size_t idx;
        bool had = emu_find(list, gid, &idx) != NULL;
        if (add && !had && json_array_size(list) >= 500) {
            emu_error_bad(resp, "A lifecycle policy applies to at most 500 selected groups.");
        } else {
            if (add && !had)
                json_array_append_new(list, json_pack("{s:s}", "id", gid));
            else if (!add && had)
                json_array_remove(list, idx);
            emu_ok(resp, 200,
                   json_pack("{s:s,s:b}", "@odata.context",
                             "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value",
                             add ? !had : had));
        }
    }
    json_decref(body);
}

void emu_group_lifecycle_policies(struct emu_ctx *ctx, const struct emu_req *req,
                                  struct emu_resp *resp, const char *gid)
{
    json_t *g = emu_find(emu_coll(ctx, "groups"), gid, NULL);
    if (!g) {
        emu_error_not_found(resp, gid);
        return;
    }
    if (strcmp(req->method, "GET") != 0) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return;
    }
    json_t *out = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(emu_coll(ctx, LIFECYCLE), i, p)
    {
        const char *types = json_string_value(json_object_get(p, "managedGroupTypes"));
        const char *pid = json_string_value(json_object_get(p, "id"));
        bool applies =
            is_unified(g) && types &&
            (strcmp(types, "All") == 0 || (strcmp(types, "Selected") == 0 && pid &&
                                           emu_find(selected_groups(ctx, pid), gid, NULL)));
        if (applies)
            json_array_append(out, p);
    }
    emu_list(ctx, req, resp, LIFECYCLE, out, false);
    json_decref(out);
}

static void group_lifecycle(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                            char **seg, size_t nseg)
{
    static const char *const managed[] = {"All", "Selected", "None", NULL};
    static const struct emu_field fields[] = {
        {"groupLifetimeInDays", EF_INT, NULL, NULL, false},
        {"managedGroupTypes", EF_ENUM, managed, NULL, false},
        {"alternateNotificationEmails", EF_STR, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    json_t *coll = emu_coll(ctx, LIFECYCLE);
    const char *m = req->method;
    const char *ctxname = LIFECYCLE "/$entity";
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, LIFECYCLE, coll, false);
        return;
    }
    size_t idx = 0;
    json_t *p = nseg >= 1 ? emu_find(coll, seg[0], &idx) : NULL;
    if (nseg == 2 && p) {
        lifecycle_action(ctx, req, resp, p, seg[1]);
        return;
    }
    if (nseg > 1 || (nseg == 1 && !p)) {
        emu_error(resp, 404, "Request_ResourceNotFound",
                  "Resource does not exist or one of its queried reference-property objects are "
                  "not present.");
        return;
    }
    if (nseg == 1 && strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ctxname, p));
        return;
    }
    if (nseg == 1 && strcmp(m, "DELETE") == 0) {
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
        return;
    }
    bool post = nseg == 0 && strcmp(m, "POST") == 0;
    if (!post && strcmp(m, "PATCH") != 0) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    char err[512];
    if (!emu_check(body, fields, "", err, sizeof err)) {
        emu_error_bad(resp, "%s", err);
        json_decref(body);
        return;
    }
    const json_t *days = json_object_get(body, "groupLifetimeInDays");
    if (days && json_integer_value(days) < 30) {
        emu_error_bad(resp, "groupLifetimeInDays must be at least 30.");
        json_decref(body);
        return;
    }
    if (post) {
        if (json_array_size(coll) > 0) {
            emu_error_bad(resp, "The tenant already has a group lifecycle policy.");
            json_decref(body);
            return;
        }
        if (!days) {
            emu_error_bad(resp, "groupLifetimeInDays is required.");
            json_decref(body);
            return;
        }
        char id[37];
        emu_guid(id);
        p = json_pack("{s:s,s:O,s:s,s:s}", "id", id, "groupLifetimeInDays", days,
                      "managedGroupTypes", "All", "alternateNotificationEmails", "");
        json_object_update(p, body);
        json_array_append(coll, p);
        emu_ok(resp, 201, emu_entity(req, ctxname, p));
        json_decref(p);
    } else {
        json_object_del(body, "id");
        json_object_update(p, body);
        emu_ok(resp, 200, emu_entity(req, ctxname, p));
    }
    json_decref(body);
}

#define ONPREM "directory/onPremisesSynchronization"

/* The feature flags of onPremisesDirectorySynchronizationFeature (Graph v1.0). */
static const char *const sync_features[] = {"blockCloudObjectTakeoverThroughHardMatchEnabled",
                                            "blockSoftMatchEnabled",
                                            "bypassDirSyncOverridesEnabled",
                                            "cloudPasswordPolicyForPasswordSyncedUsersEnabled",
                                            "concurrentCredentialUpdateEnabled",
                                            "concurrentOrgIdProvisioningEnabled",
                                            "deviceWritebackEnabled",
                                            "directoryExtensionsEnabled",
                                            "fopeConflictResolutionEnabled",
                                            "groupWriteBackEnabled",
                                            "passwordSyncEnabled",
                                            "passwordWritebackEnabled",
                                            "quarantineUponProxyAddressesConflictEnabled",
                                            "quarantineUponUpnConflictEnabled",
                                            "softMatchOnUpnEnabled",
                                            "synchronizeUpnForManagedUsersEnabled",
                                            "unifiedGroupWritebackEnabled",
                                            "userForcePasswordChangeOnLogonEnabled",
                                            "userWritebackEnabled",
                                            NULL};

static bool known_feature(const char *k)
{
    for (size_t i = 0; sync_features[i]; i++)
        if (strcmp(sync_features[i], k) == 0)
            return true;
    return false;
}

/* features: booleans named by the resource; configuration: accidentalDeletionPrevention only
 * (the v1.0 onPremisesDirectorySynchronizationConfiguration). Anything else is a 400. */
static bool check_sync_body(json_t *body, char *err, size_t errlen)
{
    static const char *const types[] = {"disabled", "enabledForCount", "enabledForPercentage",
                                        NULL};
    static const struct emu_field adp[] = {
        {"synchronizationPreventionType", EF_ENUM, types, NULL, false},
        {"alertThreshold", EF_INT, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field config[] = {
        {"accidentalDeletionPrevention", EF_OBJ, NULL, adp, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field top[] = {{"features", EF_ANY, NULL, NULL, false},
                                           {"configuration", EF_OBJ, NULL, config, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
    if (!emu_check(body, top, "", err, errlen))
        return false;
    json_t *f = json_object_get(body, "features");
    if (f && !json_is_object(f)) {
        snprintf(err, errlen, "Property 'features' must be an object.");
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach(f, k, v)
    {
        if (!known_feature(k)) {
            snprintf(err, errlen,
                     "Property '%s' does not exist on type "
                     "'microsoft.graph.onPremisesDirectorySynchronizationFeature'.",
                     k);
            return false;
        }
        if (!json_is_boolean(v)) {
            snprintf(err, errlen, "Property 'features.%s' must be a boolean.", k);
            return false;
        }
    }
    return true;
}

static void merge(json_t *into, json_t *from)
{
    const char *k;
    json_t *v;
    json_object_foreach(from, k, v)
    {
        json_t *have = json_object_get(into, k);
        if (json_is_object(v) && json_is_object(have))
            merge(have, v);
        else
            json_object_set(into, k, v);
    }
}

static void onprem_sync(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                        char **seg, size_t nseg)
{
    if (ctx->cfg.delegated_only) {
        /* Graph v1.0 "Get/Update onPremisesDirectorySynchronization": application permissions are
         * not supported; the emulator's tokens are application tokens */
        emu_error(resp, 403, "Authorization_RequestDenied",
                  "Insufficient privileges to complete the operation.");
        return;
    }
    json_t *coll = emu_coll(ctx, ONPREM);
    const char *m = req->method;
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, ONPREM, coll, false);
        return;
    }
    json_t *p = nseg == 1 ? emu_find_ci(coll, seg[0], NULL) : NULL;
    if (nseg > 1 || (nseg == 1 && !p)) {
        emu_error(resp, 404, "Request_ResourceNotFound",
                  "Resource does not exist or one of its queried reference-property objects are "
                  "not present.");
        return;
    }
    if (nseg == 1 && strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ONPREM "/$entity", p));
        return;
    }
    if (nseg == 0 || strcmp(m, "PATCH") != 0) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    char err[512];
    if (!check_sync_body(body, err, sizeof err)) {
        emu_error_bad(resp, "%s", err);
        json_decref(body);
        return;
    }
    merge(p, body);
    json_decref(body);
    emu_ok(resp, 204, NULL);
}

bool emu_settings_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                        char **seg, size_t nseg)
{
    if (strcmp(seg[0], LIFECYCLE) == 0) {
        group_lifecycle(ctx, req, resp, seg + 1, nseg - 1);
        return true;
    }
    if (nseg >= 2 && strcmp(seg[0], "directory") == 0 &&
        strcmp(seg[1], "onPremisesSynchronization") == 0) {
        onprem_sync(ctx, req, resp, seg + 2, nseg - 2);
        return true;
    }
    return emu_consent_route(ctx, req, resp, seg, nseg);
}
