/* Tenant settings that are collections of their own: the groups expiration policy
 * (groupLifecyclePolicies; Graph v1.0 "groupLifecyclePolicy resource type": GET, POST, PATCH,
 * DELETE; one policy per tenant; managedGroupTypes All, Selected or None; the
 * alternateNotificationEmails separated by ';'). */
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

bool emu_settings_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                        char **seg, size_t nseg)
{
    if (strcmp(seg[0], LIFECYCLE) == 0) {
        group_lifecycle(ctx, req, resp, seg + 1, nseg - 1);
        return true;
    }
    return emu_consent_route(ctx, req, resp, seg, nseg);
}
