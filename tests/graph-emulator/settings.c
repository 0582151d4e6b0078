/* Tenant settings that are collections of their own: the groups expiration policy
 * (groupLifecyclePolicies; Graph v1.0 "groupLifecyclePolicy resource type": GET, POST, PATCH,
 * DELETE; one policy per tenant; managedGroupTypes All, Selected or None; the
 * alternateNotificationEmails separated by ';'), and the on-premises directory synchronization
 * (directory/onPremisesSynchronization; Graph v1.0 "onPremisesDirectorySynchronization resource
 * type": GET and PATCH only, one object whose id is the tenant's; PATCH answers 204 and keeps the
 * feature flags and configuration the request leaves out). */
#include <stdio.h>
#include <string.h>

#include "emu.h"

#define LIFECYCLE "groupLifecyclePolicies"

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
    json_t *p = nseg == 1 ? emu_find(coll, seg[0], &idx) : NULL;
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
    return false;
}
