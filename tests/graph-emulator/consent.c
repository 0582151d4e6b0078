/* The admin consent workflow (Graph v1.0 "adminConsentRequestPolicy resource type"): one policy
 * per tenant at /policies/adminConsentRequestPolicy; GET returns it, PUT replaces it and answers
 * 204 ("Update adminConsentRequestPolicy": isEnabled, notifyReviewers, remindersEnabled,
 * requestDurationInDays and reviewers are required). Reviewers are accessReviewReviewerScope
 * queries; a /users/{id} or /groups/{id} query must name an existing object. */
#include <stdio.h>
#include <string.h>

#include "emu.h"

#define CONSENT "policies/adminConsentRequestPolicy"

static json_t *policy(struct emu_ctx *ctx)
{
    json_t *p = emu_singleton(ctx, CONSENT);
    if (json_object_size(p) == 0)
        json_object_update_missing_new(p, json_pack("{s:b,s:b,s:b,s:i,s:i,s:[]}", "isEnabled", 0,
                                                    "notifyReviewers", 0, "remindersEnabled", 0,
                                                    "requestDurationInDays", 0, "version", 0,
                                                    "reviewers"));
    return p;
}

/* The object id a reviewer query names ("/users/{id}", "/v1.0/groups/{id}/..."), copied into
 * id; false when the query names no directory object (a role query). */
static bool query_object(const char *q, char id[37], const char **kind)
{
    if (strncmp(q, "/beta/", 6) == 0 || strncmp(q, "/v1.0/", 6) == 0)
        q += 5;
    const char *rest = NULL;
    if (strncmp(q, "/users/", 7) == 0) {
        rest = q + 7;
        *kind = "user";
    } else if (strncmp(q, "/groups/", 8) == 0) {
        rest = q + 8;
        *kind = "group";
    }
    if (!rest)
        return false;
    size_t n = strcspn(rest, "/?");
    if (n > 36)
        n = 36;
    memcpy(id, rest, n);
    id[n] = '\0';
    return true;
}

static void put(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp)
{
    static const struct emu_field reviewer[] = {{"query", EF_STR, NULL, NULL, true},
                                                {"queryType", EF_STR, NULL, NULL, false},
                                                {"queryRoot", EF_STR, NULL, NULL, false},
                                                {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {{"id", EF_ANY, NULL, NULL, false},
                                              {"version", EF_INT, NULL, NULL, false},
                                              {"isEnabled", EF_BOOL, NULL, NULL, true},
                                              {"notifyReviewers", EF_BOOL, NULL, NULL, true},
                                              {"remindersEnabled", EF_BOOL, NULL, NULL, true},
                                              {"requestDurationInDays", EF_INT, NULL, NULL, true},
                                              {"reviewers", EF_OBJLIST, NULL, reviewer, true},
                                              {NULL, EF_ANY, NULL, NULL, false}};
    static const char *const required[] = {"isEnabled", "notifyReviewers", "remindersEnabled",
                                           "requestDurationInDays", "reviewers"};
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    char err[512];
    if (!emu_check(body, fields, "", err, sizeof err)) {
        emu_error_inner(resp, 400, "BadRequest", "Invalid request body.", err);
        goto out;
    }
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (!json_object_get(body, required[i])) {
            emu_error_bad(resp, "The property '%s' is required.", required[i]);
            goto out;
        }
    }
    json_int_t days = json_integer_value(json_object_get(body, "requestDurationInDays"));
    if (days < 0 || days > 30) {
        emu_error_bad(resp, "requestDurationInDays must be between 0 and 30.");
        goto out;
    }
    json_t *reviewers = json_object_get(body, "reviewers");
    if (json_is_true(json_object_get(body, "isEnabled")) && json_array_size(reviewers) == 0) {
        emu_error_bad(resp, "At least one reviewer is required when the policy is enabled.");
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(reviewers, i, r)
    {
        const char *q = json_string_value(json_object_get(r, "query"));
        char id[37];
        const char *want = NULL, *kind = NULL;
        if (query_object(q, id, &want) &&
            (!emu_dir_object_exists(ctx, id, &kind) || !kind || strcmp(kind, want) != 0)) {
            emu_error(resp, 404, "Request_ResourceNotFound",
                      "Resource does not exist or one of its queried reference-property objects "
                      "are not present.");
            goto out;
        }
        if (!json_object_get(r, "queryRoot"))
            json_object_set_new(r, "queryRoot", json_null());
    }
    json_t *p = policy(ctx);
    json_int_t version = json_integer_value(json_object_get(p, "version"));
    for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
        json_object_set(p, required[k], json_object_get(body, required[k]));
    json_object_set_new(p, "version", json_integer(version + 1));
    emu_ok(resp, 204, NULL);
out:
    json_decref(body);
}

bool emu_consent_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                       char **seg, size_t nseg)
{
    if (nseg != 2 || strcmp(seg[0], "policies") != 0 ||
        strcmp(seg[1], "adminConsentRequestPolicy") != 0)
        return false;
    if (strcmp(req->method, "GET") == 0)
        emu_ok(resp, 200, emu_entity(req, CONSENT "/$entity", policy(ctx)));
    else if (strcmp(req->method, "PUT") == 0)
        put(ctx, req, resp);
    else
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
    return true;
}
