/* Directory objects: groups (+ members/owners), users, service principals, organization, SKUs,
 * role definitions/assignments, PIM eligibility, and tenant group settings (facts.md §5.5-§7). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROLE_DEFS   "roleManagement/directory/roleDefinitions"
#define ROLE_ASSIGN "roleManagement/directory/roleAssignments"
#define PIM_REQS    "roleManagement/directory/roleEligibilityScheduleRequests"
#define PIM_SCHED   "roleManagement/directory/roleEligibilitySchedules"
/* time-bound active assignments (Graph v1.0 roleAssignmentScheduleRequests) */
#define ACT_REQS  "roleManagement/directory/roleAssignmentScheduleRequests"
#define ACT_SCHED "roleManagement/directory/roleAssignmentSchedules"

static const char *const E_GROUPTYPES[] = {"Unified", "DynamicMembership", NULL};
static const char *const E_VISIBILITY[] = {"Public", "Private", "HiddenMembership", NULL};
static const char *const E_RULESTATE[] = {"On", "Paused", NULL};
static const char *const E_ACTIONS[] = {
    "adminAssign",  "adminUpdate",    "adminRemove", "adminExtend", "adminRenew",
    "selfActivate", "selfDeactivate", "selfExtend",  "selfRenew",   NULL};
static const char *const E_EXPIRATION[] = {"notSpecified", "noExpiration", "afterDateTime",
                                           "afterDuration", NULL};
static const struct emu_field F_EXPIRATION[] = {{"type", EF_ENUM, E_EXPIRATION, NULL, false},
                                                {"endDateTime", EF_STR, NULL, NULL, false},
                                                {"duration", EF_STR, NULL, NULL, false},
                                                {NULL, EF_ANY, NULL, NULL, false}};
const struct emu_field EMU_SCHEDULE_INFO[] = {{"startDateTime", EF_STR, NULL, NULL, false},
                                              {"expiration", EF_OBJ, NULL, F_EXPIRATION, false},
                                              {"recurrence", EF_ANY, NULL, NULL, false},
                                              {NULL, EF_ANY, NULL, NULL, false}};

static const struct emu_field F_GROUP[] = {
    {"displayName", EF_STR, NULL, NULL, true},
    {"description", EF_STR, NULL, NULL, false},
    {"mailEnabled", EF_BOOL, NULL, NULL, true},
    {"mailNickname", EF_STR, NULL, NULL, true},
    {"securityEnabled", EF_BOOL, NULL, NULL, true},
    {"groupTypes", EF_ENUMLIST, E_GROUPTYPES, NULL, false},
    {"isAssignableToRole", EF_BOOL, NULL, NULL, false},
    {"visibility", EF_ENUM, E_VISIBILITY, NULL, false},
    {"membershipRule", EF_STR, NULL, NULL, false},
    {"membershipRuleProcessingState", EF_ENUM, E_RULESTATE, NULL, false},
    {"classification", EF_STR, NULL, NULL, false},
    {"preferredDataLocation", EF_STR, NULL, NULL, false},
    {"preferredLanguage", EF_STR, NULL, NULL, false},
    {"theme", EF_STR, NULL, NULL, false},
    {"resourceBehaviorOptions", EF_STRLIST, NULL, NULL, false},
    {"resourceProvisioningOptions", EF_STRLIST, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};

static const char DUP_REF[] =
    "One or more added object references already exist for the following modified properties: "
    "'%s'.";

static void not_allowed(struct emu_resp *resp)
{
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
}

static void count_text(struct emu_resp *resp, size_t n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", n);
    resp->status = 200;
    resp->text = emu_xstrdup(buf);
}

bool emu_dir_object_exists(struct emu_ctx *ctx, const char *id, const char **kind)
{
    static const char *const colls[][2] = {
        {"users", "user"}, {"groups", "group"}, {"servicePrincipals", "servicePrincipal"}};
    for (size_t i = 0; i < 3; i++) {
        if (emu_find(emu_coll(ctx, colls[i][0]), id, NULL)) {
            if (kind)
                *kind = colls[i][1];
            return !emu_lagging(ctx, id);
        }
    }
    return false;
}

static json_t *dir_object(struct emu_ctx *ctx, const char *id, const char **type)
{
    static const char *const colls[][2] = {
        {"users", "#microsoft.graph.user"},
        {"groups", "#microsoft.graph.group"},
        {"servicePrincipals", "#microsoft.graph.servicePrincipal"}};
    for (size_t i = 0; i < 3; i++) {
        json_t *o = emu_find(emu_coll(ctx, colls[i][0]), id, NULL);
        if (o) {
            *type = colls[i][1];
            return o;
        }
    }
    return NULL;
}

/* "https://graph.microsoft.com/v1.0/directoryObjects/{id}" (or users/{id}, users('{id}')) -> id */
static char *ref_id(const char *url)
{
    if (!url)
        return NULL;
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    if (n && url[n - 1] == ')') {
        const char *open = memchr(url, '(', n);
        if (!open)
            return NULL;
        const char *s = open + 1;
        size_t len = (size_t)(url + n - 1 - s);
        if (len >= 2 && s[0] == '\'' && s[len - 1] == '\'') {
            s++;
            len -= 2;
        }
        return emu_xstrndup(s, len);
    }
    const char *slash = NULL;
    for (size_t i = 0; i < n; i++)
        if (url[i] == '/')
            slash = url + i;
    if (!slash || (size_t)(url + n - slash - 1) == 0)
        return NULL;
    return emu_xstrndup(slash + 1, (size_t)(url + n - slash - 1));
}

static json_t *rel_coll(struct emu_ctx *ctx, const char *group_id, const char *rel)
{
    char path[200];
    snprintf(path, sizeof path, "groups/%s/%s", group_id, rel);
    return emu_coll(ctx, path);
}

/* Adds refs (array of URLs) to groups/<id>/<rel>, all or nothing; false with resp set. */
static bool bind_refs(struct emu_ctx *ctx, const char *group_id, const char *rel, json_t *refs,
                      bool dry_run, struct emu_resp *resp)
{
    json_t *coll = rel_coll(ctx, group_id, rel);
    json_t *seen = json_object();
    size_t i;
    json_t *v;
    bool ok = false;
    json_array_foreach(refs, i, v)
    {
        char *id = ref_id(json_string_value(v));
        const char *kind = NULL;
        if (!id || !emu_dir_object_exists(ctx, id, &kind)) {
            emu_error_bad(resp,
                          "Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.",
                          id ? id : "");
            free(id);
            goto out;
        }
        if (emu_find(coll, id, NULL) || json_object_get(seen, id)) {
            emu_error_bad(resp, DUP_REF, rel);
            free(id);
            goto out;
        }
        json_object_set_new(seen, id, json_string(kind));
        free(id);
    }
    if (!dry_run) {
        const char *id;
        json_t *kind;
        json_object_foreach(seen, id, kind)
        {
            char type[80];
            snprintf(type, sizeof type, "#microsoft.graph.%s", json_string_value(kind));
            json_array_append_new(coll, json_pack("{s:s, s:s}", "@odata.type", type, "id", id));
        }
    }
    ok = true;
out:
    json_decref(seen);
    return ok;
}

static void sid_from_guid(const char *guid, char *out, size_t size)
{
    unsigned char b[16];
    size_t k = 0;
    for (const char *p = guid; *p && k < 16; p++) {
        if (*p == '-')
            continue;
        unsigned v;
        char two[3] = {p[0], p[1], 0};
        sscanf(two, "%2x", &v);
        b[k++] = (unsigned char)v;
        p++;
    }
    /* the GUID's string form stores the first three groups big-endian; Windows reads them
     * little-endian, so reverse them back into memory order first */
    unsigned char m[16] = {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]};
    memcpy(m + 8, b + 8, 8);
    unsigned long w[4];
    for (int i = 0; i < 4; i++)
        w[i] = (unsigned long)m[i * 4] | (unsigned long)m[i * 4 + 1] << 8 |
               (unsigned long)m[i * 4 + 2] << 16 | (unsigned long)m[i * 4 + 3] << 24;
    snprintf(out, size, "S-1-12-1-%lu-%lu-%lu-%lu", w[0], w[1], w[2], w[3]);
}

static const char *default_domain(struct emu_ctx *ctx)
{
    size_t i, j;
    json_t *org, *d;
    json_array_foreach(emu_coll(ctx, "organization"), i, org)
        json_array_foreach(json_object_get(org, "verifiedDomains"), j, d) if (
            json_is_true(json_object_get(
                d, "isDefault"))) return json_string_value(json_object_get(d, "name"));
    return "contoso.onmicrosoft.com";
}

static bool group_rules(struct emu_ctx *ctx, json_t *g, const char *self_id, struct emu_resp *resp)
{
    const char *name = json_string_value(json_object_get(g, "displayName"));
    const char *nick = json_string_value(json_object_get(g, "mailNickname"));
    json_t *types = json_object_get(g, "groupTypes");
    bool unified = false, dynamic = false;
    size_t i;
    json_t *v;
    json_array_foreach(types, i, v)
    {
        unified |= strcmp(json_string_value(v), "Unified") == 0;
        dynamic |= strcmp(json_string_value(v), "DynamicMembership") == 0;
    }
    if (!name || !*name || strlen(name) > 256) {
        emu_error_bad(resp,
                      "Invalid value specified for property 'displayName' of resource 'Group'.");
        return false;
    }
    if (!nick || !*nick || strlen(nick) > 64 || strpbrk(nick, "@()\\[]\";:<>, ")) {
        emu_error_bad(resp,
                      "Invalid value specified for property 'mailNickname' of resource 'Group'.");
        return false;
    }
    for (const char *p = nick; *p; p++)
        if ((unsigned char)*p > 127) {
            emu_error_bad(resp, "Invalid value specified for property 'mailNickname' of resource "
                                "'Group'.");
            return false;
        }
    if (json_is_true(json_object_get(g, "mailEnabled")) && !unified) {
        emu_error_bad(resp, "The service does not currently support writes of mail-enabled groups. "
                            "Please ensure that the mail-enablement property is unset or is set to "
                            "false.");
        return false;
    }
    if (!json_is_true(json_object_get(g, "mailEnabled")) && unified) {
        emu_error_bad(resp, "A Microsoft 365 group must be mail-enabled.");
        return false;
    }
    if (dynamic && !json_is_string(json_object_get(g, "membershipRule"))) {
        emu_error_bad(resp, "A dynamic group needs a membershipRule.");
        return false;
    }
    if (!dynamic && json_is_string(json_object_get(g, "membershipRule"))) {
        emu_error_bad(resp, "membershipRule is only valid on a group with groupTypes "
                            "DynamicMembership.");
        return false;
    }
    if (json_is_true(json_object_get(g, "isAssignableToRole")) &&
        (!json_is_true(json_object_get(g, "securityEnabled")) || dynamic)) {
        emu_error_bad(resp, "A role-assignable group must be security-enabled and cannot have "
                            "dynamic membership.");
        return false;
    }
    if (unified) {
        json_array_foreach(emu_coll(ctx, "groups"), i, v)
        {
            const char *id = json_string_value(json_object_get(v, "id"));
            if (self_id && id && strcmp(id, self_id) == 0)
                continue;
            if (json_is_true(json_object_get(v, "mailEnabled")) &&
                emu_strieq(json_string_value(json_object_get(v, "mailNickname")), nick)) {
                emu_error_bad(resp, "Another object with the same value for property "
                                    "proxyAddresses already exists.");
                return false;
            }
        }
    }
    return true;
}

static json_t *fill_group(struct emu_ctx *ctx, json_t *b, const char *id, const char *created)
{
    char sid[80];
    sid_from_guid(id, sid, sizeof sid);
    bool unified = false, dynamic = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(b, "groupTypes"), i, v)
    {
        unified |= strcmp(json_string_value(v), "Unified") == 0;
        dynamic |= strcmp(json_string_value(v), "DynamicMembership") == 0;
    }
    const char *nick = json_string_value(json_object_get(b, "mailNickname"));
    bool mail = json_is_true(json_object_get(b, "mailEnabled"));
    char addr[400];
    snprintf(addr, sizeof addr, "%s@%s", nick, default_domain(ctx));
    char smtp[420];
    snprintf(smtp, sizeof smtp, "SMTP:%s", addr);
#define OR_NULL(k) (json_object_get(b, k) ? json_deep_copy(json_object_get(b, k)) : json_null())
#define OR_EMPTY(k)                                                                                \
    (json_is_array(json_object_get(b, k)) ? json_deep_copy(json_object_get(b, k)) : json_array())
    json_t *g = json_object();
    json_object_set_new(g, "id", json_string(id));
    json_object_set_new(g, "deletedDateTime", json_null());
    json_object_set_new(g, "classification", OR_NULL("classification"));
    json_object_set_new(g, "createdDateTime", json_string(created));
    json_object_set_new(g, "description", OR_NULL("description"));
    json_object_set_new(g, "displayName", OR_NULL("displayName"));
    json_object_set_new(g, "expirationDateTime", json_null());
    json_object_set_new(g, "groupTypes", OR_EMPTY("groupTypes"));
    json_object_set_new(g, "isAssignableToRole", OR_NULL("isAssignableToRole"));
    json_object_set_new(g, "mail", mail ? json_string(addr) : json_null());
    json_object_set_new(g, "mailEnabled", json_boolean(mail));
    json_object_set_new(g, "mailNickname", OR_NULL("mailNickname"));
    json_object_set_new(g, "membershipRule", OR_NULL("membershipRule"));
    json_t *st = json_object_get(b, "membershipRuleProcessingState");
    json_object_set_new(g, "membershipRuleProcessingState",
                        json_is_string(st) ? json_copy(st)
                        : dynamic          ? json_string("On")
                                           : json_null());
    static const char *const onprem[] = {"onPremisesDomainName",
                                         "onPremisesLastSyncDateTime",
                                         "onPremisesNetBiosName",
                                         "onPremisesSamAccountName",
                                         "onPremisesSecurityIdentifier",
                                         "onPremisesSyncEnabled",
                                         NULL};
    for (i = 0; onprem[i]; i++)
        json_object_set_new(g, onprem[i], json_null());
    json_object_set_new(g, "preferredDataLocation", OR_NULL("preferredDataLocation"));
    json_object_set_new(g, "preferredLanguage", OR_NULL("preferredLanguage"));
    json_object_set_new(g, "proxyAddresses", mail ? json_pack("[s]", smtp) : json_array());
    json_object_set_new(g, "renewedDateTime", json_string(created));
    json_object_set_new(g, "resourceBehaviorOptions", OR_EMPTY("resourceBehaviorOptions"));
    json_object_set_new(g, "resourceProvisioningOptions", OR_EMPTY("resourceProvisioningOptions"));
    json_object_set_new(g, "securityEnabled",
                        json_boolean(json_is_true(json_object_get(b, "securityEnabled"))));
    json_object_set_new(g, "securityIdentifier", json_string(sid));
    json_object_set_new(g, "theme", OR_NULL("theme"));
    json_t *vis = json_object_get(b, "visibility");
    json_object_set_new(g, "visibility",
                        json_is_string(vis) ? json_copy(vis)
                        : unified           ? json_string("Public")
                                            : json_null());
    json_object_set_new(g, "onPremisesProvisioningErrors", json_array());
    /* read-only: changed only through assignLicense, returned only on $select */
    json_object_set_new(g, "assignedLicenses", OR_EMPTY("assignedLicenses"));
#undef OR_NULL
#undef OR_EMPTY
    return g;
}

static bool check_body(json_t *body, const struct emu_field *fields, struct emu_resp *resp)
{
    char err[512];
    if (!emu_check(body, fields, "", err, sizeof err)) {
        emu_error_bad(resp, "Invalid request: %s.", err);
        return false;
    }
    return true;
}

static json_t *bind_list(json_t *body, const char *key)
{
    json_t *v = json_object_get(body, key);
    return json_is_array(v) ? v : NULL;
}

static void group_create(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                         json_t *body)
{
    json_t *owners = bind_list(body, "owners@odata.bind");
    json_t *members = bind_list(body, "members@odata.bind");
    if (json_array_size(owners) + json_array_size(members) > 20) {
        emu_error_bad(resp, "A maximum of 20 relationships can be added in a single request.");
        return;
    }
    static const char *const req_keys[] = {"displayName", "mailEnabled", "mailNickname",
                                           "securityEnabled", NULL};
    for (size_t i = 0; req_keys[i]; i++) {
        if (!json_object_get(body, req_keys[i])) {
            emu_error_bad(resp, "Invalid value specified for property '%s' of resource 'Group'.",
                          req_keys[i]);
            return;
        }
    }
    if (!group_rules(ctx, body, NULL, resp))
        return;
    char id[37], now[48];
    emu_guid(id);
    if ((owners && !bind_refs(ctx, id, "owners", owners, true, resp)) ||
        (members && !bind_refs(ctx, id, "members", members, true, resp)))
        return;
    emu_iso_now(now, sizeof now);
    json_t *g = fill_group(ctx, body, id, now);
    json_array_append_new(emu_coll(ctx, "groups"), g);
    rel_coll(ctx, id, "members");
    rel_coll(ctx, id, "owners");
    if (owners)
        bind_refs(ctx, id, "owners", owners, false, resp);
    if (members)
        bind_refs(ctx, id, "members", members, false, resp);
    emu_mark_created(ctx, id);
    emu_ok(resp, 201, emu_entity(req, "groups/$entity", g));
}

static void group_patch(struct emu_ctx *ctx, struct emu_resp *resp, json_t *g, size_t idx,
                        json_t *body)
{
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(g, "id")));
    if (json_object_get(body, "isAssignableToRole")) {
        emu_error_bad(resp, "Property 'isAssignableToRole' can only be set when the group is "
                            "created.");
        return;
    }
    json_t *owners = bind_list(body, "owners@odata.bind");
    json_t *members = bind_list(body, "members@odata.bind");
    if (json_array_size(owners) + json_array_size(members) > 20) {
        emu_error_bad(resp, "A maximum of 20 relationships can be added in a single request.");
        return;
    }
    json_t *merged = json_deep_copy(g);
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val) if (!strstr(key, "@odata."))
        json_object_set(merged, key, val);
    if (!group_rules(ctx, merged, id, resp) ||
        (owners && !bind_refs(ctx, id, "owners", owners, true, resp)) ||
        (members && !bind_refs(ctx, id, "members", members, true, resp))) {
        json_decref(merged);
        return;
    }
    json_t *ng =
        fill_group(ctx, merged, id, json_string_value(json_object_get(g, "createdDateTime")));
    json_object_set(ng, "renewedDateTime", json_object_get(g, "renewedDateTime"));
    json_object_set(ng, "securityIdentifier", json_object_get(g, "securityIdentifier"));
    json_decref(merged);
    json_array_set_new(emu_coll(ctx, "groups"), idx, ng); /* frees g */
    if (owners)
        bind_refs(ctx, id, "owners", owners, false, resp);
    if (members)
        bind_refs(ctx, id, "members", members, false, resp);
    emu_ok(resp, 204, NULL);
}

static void group_rel(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                      const char *gid, const char *rel, char **seg, size_t nseg)
{
    json_t *coll = rel_coll(ctx, gid, rel);
    const char *m = req->method;
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        json_t *items = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(coll, i, v)
        {
            const char *type = NULL;
            json_t *o = dir_object(ctx, json_string_value(json_object_get(v, "id")), &type);
            if (o) {
                json_t *out = json_pack("{s:s}", "@odata.type", type);
                json_object_update(out, o);
                json_array_append_new(items, out);
            } else {
                json_array_append(items, v);
            }
        }
        emu_list(ctx, req, resp, "directoryObjects", items, true);
        json_decref(items);
        return;
    }
    if (nseg == 1 && strcmp(seg[0], "$count") == 0 && strcmp(m, "GET") == 0) {
        if (!req->consistency || !emu_strieq(req->consistency, "eventual")) {
            emu_error_bad(resp, "$count is not currently supported.");
            return;
        }
        count_text(resp, json_array_size(coll));
        return;
    }
    if (nseg == 1 && strcmp(seg[0], "$ref") == 0 && strcmp(m, "POST") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        const char *url = json_string_value(json_object_get(body, "@odata.id"));
        char *id = ref_id(url);
        const char *kind;
        if (!id || !emu_dir_object_exists(ctx, id, &kind)) {
            emu_error_not_found(resp, id ? id : "");
        } else {
            json_t *refs = json_pack("[s]", url);
            if (bind_refs(ctx, gid, rel, refs, false, resp))
                emu_ok(resp, 204, NULL);
            json_decref(refs);
        }
        free(id);
        json_decref(body);
        return;
    }
    if (nseg == 2 && strcmp(seg[1], "$ref") == 0 && strcmp(m, "DELETE") == 0) {
        size_t idx;
        if (!emu_find(coll, seg[0], &idx)) {
            emu_error_not_found(resp, seg[0]);
            return;
        }
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
        return;
    }
    not_allowed(resp);
}

/* Properties Graph returns only when $select names them. */
static const char *const SELECT_ONLY[] = {"assignedLicenses", NULL};

/* A group as a GET without $select shows it (new reference). */
static json_t *default_view(json_t *g)
{
    json_t *v = json_copy(g);
    for (size_t i = 0; SELECT_ONLY[i]; i++)
        json_object_del(v, SELECT_ONLY[i]);
    return v;
}

/* Groups loaded from a state file without assignedLicenses have none: Graph says []. */
static json_t *with_licences(json_t *g)
{
    if (!json_is_array(json_object_get(g, "assignedLicenses")))
        json_object_set_new(g, "assignedLicenses", json_array());
    return g;
}

static bool guid_in(json_t *list, const char *key, const char *guid)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(key ? json_object_get(v, key) : v);
        if (s && emu_strieq(s, guid))
            return true;
    }
    return false;
}

/* POST groups/{id}/assignLicense {"addLicenses": [{"skuId", "disabledPlans"}], "removeLicenses":
 * [skuId]}: both lists required (either may be empty); every added skuId a subscribed SKU,
 * every removed one assigned; security groups only. 202 with the group. */
static void assign_license(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                           json_t *g)
{
    if (strcmp(req->method, "POST") != 0) {
        not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    json_t *add = json_object_get(body, "addLicenses");
    json_t *rem = json_object_get(body, "removeLicenses");
    size_t i;
    json_t *v;
    if (!json_is_array(add) || !json_is_array(rem)) {
        emu_error_bad(resp, "Invalid request: addLicenses and removeLicenses are required.");
        goto out;
    }
    json_array_foreach(add, i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "skuId"));
        json_t *dp = json_object_get(v, "disabledPlans");
        if (!json_is_object(v) || !sku || !emu_is_guid(sku) || (dp && !json_is_array(dp))) {
            emu_error_bad(resp, "Invalid value specified for property 'addLicenses'.");
            goto out;
        }
        if (!guid_in(emu_coll(ctx, "subscribedSkus"), "skuId", sku)) {
            emu_error_bad(resp, "License %s does not correspond to a valid company License.", sku);
            goto out;
        }
        if (guid_in(rem, NULL, sku)) {
            emu_error_bad(resp, "License %s cannot be both added and removed.", sku);
            goto out;
        }
    }
    json_t *have = json_object_get(with_licences(g), "assignedLicenses");
    json_array_foreach(rem, i, v)
    {
        if (!json_is_string(v) || !guid_in(have, "skuId", json_string_value(v))) {
            emu_error_bad(resp, "License %s is not assigned to the group.",
                          json_is_string(v) ? json_string_value(v) : "(not a GUID)");
            goto out;
        }
    }
    if (!json_is_true(json_object_get(g, "securityEnabled"))) {
        emu_error_bad(resp, "Licenses can only be assigned to security-enabled groups.");
        goto out;
    }
    json_t *next = json_array();
    json_array_foreach(have, i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "skuId"));
        if (sku && !guid_in(rem, NULL, sku) && !guid_in(add, "skuId", sku))
            json_array_append(next, v);
    }
    json_array_foreach(add, i, v)
    {
        json_t *dp = json_object_get(v, "disabledPlans");
        json_array_append_new(next, json_pack("{s:o,s:O}", "disabledPlans",
                                              json_is_array(dp) ? json_deep_copy(dp) : json_array(),
                                              "skuId", json_object_get(v, "skuId")));
    }
    json_object_set_new(g, "assignedLicenses", next);
    emu_ok(resp, 202, emu_entity(req, "groups/$entity", g));
out:
    json_decref(body);
}

static void groups(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, "groups");
    const char *m = req->method;
    if (nseg == 0) {
        if (strcmp(m, "GET") == 0) {
            json_t *items = coll;
            if (!emu_req_param(req, "$select")) {
                items = json_array();
                size_t i;
                json_t *v;
                json_array_foreach(coll, i, v)
                {
                    json_array_append_new(items, default_view(v));
                }
            } else {
                size_t i;
                json_t *v;
                json_array_foreach(coll, i, v)
                {
                    with_licences(v);
                }
                json_incref(items);
            }
            emu_list(ctx, req, resp, "groups", items, true);
            json_decref(items);
        } else if (strcmp(m, "POST") == 0) {
            json_t *body;
            if (!emu_body_object(req, resp, &body))
                return;
            if (check_body(body, F_GROUP, resp))
                group_create(ctx, req, resp, body);
            json_decref(body);
        } else {
            not_allowed(resp);
        }
        return;
    }
    if (strcmp(seg[0], "$count") == 0 && nseg == 1) {
        if (!req->consistency || !emu_strieq(req->consistency, "eventual"))
            emu_error_bad(resp, "$count is not currently supported.");
        else
            count_text(resp, json_array_size(coll));
        return;
    }
    size_t idx;
    json_t *g = emu_find(coll, seg[0], &idx);
    if (!g || emu_lagging(ctx, seg[0])) {
        emu_error_not_found(resp, seg[0]);
        return;
    }
    if (nseg >= 2 && (strcmp(seg[1], "members") == 0 || strcmp(seg[1], "owners") == 0)) {
        group_rel(ctx, req, resp, seg[0], seg[1], seg + 2, nseg - 2);
        return;
    }
    if (nseg == 2 && strcmp(seg[1], "assignLicense") == 0) {
        assign_license(ctx, req, resp, g);
        return;
    }
    if (nseg != 1) {
        emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
        return;
    }
    if (strcmp(m, "GET") == 0) {
        json_t *view =
            emu_req_param(req, "$select") ? json_incref(with_licences(g)) : default_view(g);
        emu_ok(resp, 200, emu_entity(req, "groups/$entity", view));
        json_decref(view);
    } else if (strcmp(m, "PATCH") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        json_t *check = json_deep_copy(body);
        json_object_del(check, "isAssignableToRole");
        if (check_body(check, F_GROUP, resp))
            group_patch(ctx, resp, g, idx, body);
        json_decref(check);
        json_decref(body);
    } else if (strcmp(m, "DELETE") == 0) {
        char path[200];
        json_t *colls = json_object_get(ctx->tenant, "collections");
        snprintf(path, sizeof path, "groups/%s/members", seg[0]);
        json_object_del(colls, path);
        snprintf(path, sizeof path, "groups/%s/owners", seg[0]);
        json_object_del(colls, path);
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else {
        not_allowed(resp);
    }
}

/* Read-only collections: list, $count, get by id (users also by userPrincipalName). */
static void read_only(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                      const char *path, bool directory, const char *alt_key, char **seg,
                      size_t nseg)
{
    json_t *coll = emu_coll(ctx, path);
    if (strcmp(req->method, "GET") != 0) {
        not_allowed(resp);
        return;
    }
    char ctxname[200];
    if (nseg == 0) {
        emu_list(ctx, req, resp, path, coll, directory);
        return;
    }
    if (nseg == 1 && strcmp(seg[0], "$count") == 0) {
        if (directory && (!req->consistency || !emu_strieq(req->consistency, "eventual")))
            emu_error_bad(resp, "$count is not currently supported.");
        else
            count_text(resp, json_array_size(coll));
        return;
    }
    if (nseg != 1) {
        emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
        return;
    }
    const char *key = seg[0];
    json_t *o = emu_find(coll, key, NULL);
    if (!o && alt_key) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s=", alt_key);
        const char *want = key;
        if (emu_istarts(key, prefix)) {
            want = key + strlen(prefix);
            size_t n = strlen(want);
            char *unq = emu_xstrndup(want[0] == '\'' ? want + 1 : want,
                                     n >= 2 && want[0] == '\'' ? n - 2 : n);
            size_t i;
            json_t *v;
            json_array_foreach(
                coll, i, v) if (emu_strieq(json_string_value(json_object_get(v, alt_key)), unq)) o =
                v;
            free(unq);
        } else if (strcmp(alt_key, "userPrincipalName") == 0) {
            size_t i;
            json_t *v;
            json_array_foreach(
                coll, i, v) if (emu_strieq(json_string_value(json_object_get(v, alt_key)), want))
                o = v;
        }
    }
    if (!o || emu_lagging(ctx, json_string_value(json_object_get(o, "id")))) {
        emu_error_not_found(resp, key);
        return;
    }
    snprintf(ctxname, sizeof ctxname, "%s/$entity", path);
    emu_ok(resp, 200, emu_entity(req, ctxname, o));
}

/* users: GET as read_only; POST (Graph v1.0 "Create user": accountEnabled, displayName,
 * mailNickname, passwordProfile and userPrincipalName required, the UPN unique, its domain one
 * of the organization's verified domains); PATCH /users/{id} (a synchronised user's attributes
 * are refused). The password is checked and dropped: Graph never returns it, and the emulator's
 * saved state never holds it. */
static bool upn_domain_verified(struct emu_ctx *ctx, const char *upn)
{
    const char *at = strchr(upn, '@');
    if (!at)
        return false;
    json_t *org = json_array_get(emu_coll(ctx, "organization"), 0);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(org, "verifiedDomains"), i, d)
    {
        if (emu_strieq(json_string_value(json_object_get(d, "name")), at + 1))
            return true;
    }
    return false;
}

static void users(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp, char **seg,
                  size_t nseg)
{
    static const struct emu_field F_PW[] = {
        {"password", EF_STR, NULL, NULL, true},
        {"forceChangePasswordNextSignIn", EF_BOOL, NULL, NULL, false},
        {"forceChangePasswordNextSignInWithMfa", EF_BOOL, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {{"accountEnabled", EF_BOOL, NULL, NULL, false},
                                              {"displayName", EF_STR, NULL, NULL, false},
                                              {"mailNickname", EF_STR, NULL, NULL, false},
                                              {"userPrincipalName", EF_STR, NULL, NULL, false},
                                              {"usageLocation", EF_STR, NULL, NULL, false},
                                              {"givenName", EF_STR, NULL, NULL, false},
                                              {"surname", EF_STR, NULL, NULL, false},
                                              {"jobTitle", EF_STR, NULL, NULL, false},
                                              {"department", EF_STR, NULL, NULL, false},
                                              {"passwordProfile", EF_OBJ, NULL, F_PW, false},
                                              {NULL, EF_ANY, NULL, NULL, false}};
    const char *m = req->method;
    if (strcmp(m, "POST") != 0 && strcmp(m, "PATCH") != 0) {
        read_only(ctx, req, resp, "users", true, "userPrincipalName", seg, nseg);
        return;
    }
    json_t *coll = emu_coll(ctx, "users");
    if ((strcmp(m, "POST") == 0 && nseg != 0) || (strcmp(m, "PATCH") == 0 && nseg != 1)) {
        not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check_body(body, fields, resp))
        goto out;
    const char *upn = json_string_value(json_object_get(body, "userPrincipalName"));
    if (strcmp(m, "POST") == 0) {
        const char *pw = json_string_value(
            json_object_get(json_object_get(body, "passwordProfile"), "password"));
        if (!upn || !json_is_boolean(json_object_get(body, "accountEnabled")) ||
            !json_string_value(json_object_get(body, "displayName")) ||
            !json_string_value(json_object_get(body, "mailNickname")) || !pw) {
            emu_error_bad(resp, "Invalid request: accountEnabled, displayName, mailNickname, "
                                "passwordProfile and userPrincipalName are required.");
            goto out;
        }
        if (strlen(pw) < 8) {
            emu_error_bad(resp, "The specified password does not comply with password "
                                "complexity requirements. Please provide a different password.");
            goto out;
        }
        if (!upn_domain_verified(ctx, upn)) {
            emu_error_bad(resp, "The domain portion of the userPrincipalName property is invalid. "
                                "You must use one of the verified domain names in your "
                                "organization.");
            goto out;
        }
        size_t i;
        json_t *v;
        json_array_foreach(coll, i, v)
        {
            if (emu_strieq(json_string_value(json_object_get(v, "userPrincipalName")), upn)) {
                emu_error_bad(resp, "Another object with the same value for property "
                                    "userPrincipalName already exists.");
                goto out;
            }
        }
        char id[37];
        emu_guid(id);
        json_t *u =
            json_pack("{s:s, s:s, s:n, s:n, s:s}", "id", id, "userType", "Member",
                      "onPremisesSyncEnabled", "mail", "createdDateTime", "2026-12-06T00:00:00Z");
        json_object_update(u, body);
        json_object_del(u, "passwordProfile");
        json_array_append_new(coll, u);
        emu_mark_created(ctx, id);
        emu_ok(resp, 201, emu_entity(req, "users/$entity", u));
        goto out;
    }
    json_t *u = emu_find(coll, seg[0], NULL);
    if (!u || emu_lagging(ctx, seg[0])) {
        emu_error_not_found(resp, seg[0]);
        goto out;
    }
    if (json_is_true(json_object_get(u, "onPremisesSyncEnabled"))) {
        emu_error_bad(resp, "Unable to update the specified properties for on-premises mastered "
                            "Directory Sync objects or objects currently undergoing migration.");
        goto out;
    }
    if (json_object_get(body, "passwordProfile")) {
        emu_error(resp, 403, "Authorization_RequestDenied",
                  "Insufficient privileges to complete the operation.");
        goto out;
    }
    json_object_update(u, body);
    emu_ok(resp, 204, NULL);
out:
    json_decref(body);
}

static json_t *role_definition(struct emu_ctx *ctx, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(emu_coll(ctx, ROLE_DEFS), i, v)
    {
        if (emu_strieq(json_string_value(json_object_get(v, "id")), id) ||
            emu_strieq(json_string_value(json_object_get(v, "templateId")), id))
            return v;
    }
    return NULL;
}

static bool principal_ok(struct emu_ctx *ctx, const char *pid, struct emu_resp *resp, bool pim)
{
    const char *kind = NULL;
    if (!pid || !emu_dir_object_exists(ctx, pid, &kind)) {
        if (pim)
            emu_error(resp, 404, "SubjectNotFound",
                      "The subject is not found. Check the principalId.");
        else
            emu_error_bad(resp,
                          "Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.",
                          pid ? pid : "");
        return false;
    }
    if (strcmp(kind, "group") == 0) {
        json_t *g = emu_find(emu_coll(ctx, "groups"), pid, NULL);
        if (!json_is_true(json_object_get(g, "isAssignableToRole"))) {
            emu_error_bad(resp,
                          "The group '%s' is not role-assignable; create it with "
                          "isAssignableToRole set to true.",
                          pid);
            return false;
        }
    }
    return true;
}

static void opaque_id(char *out, size_t size)
{
    unsigned char raw[33];
    emu_random_bytes(raw, sizeof raw);
    struct emu_buf b = {0};
    emu_b64url_encode(&b, raw, sizeof raw);
    snprintf(out, size, "%s-1", b.data);
    emu_buf_free(&b);
}

/* The schedule (or assignment) in coll with the principal, role and scope of body. */
static json_t *find_schedule(json_t *coll, json_t *body, size_t *idx)
{
    size_t i;
    json_t *v;
    json_array_foreach(coll, i, v)
    {
        if (emu_strieq(json_string_value(json_object_get(v, "principalId")),
                       json_string_value(json_object_get(body, "principalId"))) &&
            emu_strieq(json_string_value(json_object_get(v, "roleDefinitionId")),
                       json_string_value(json_object_get(body, "roleDefinitionId"))) &&
            emu_strieq(json_string_value(json_object_get(v, "directoryScopeId")),
                       json_string_value(json_object_get(body, "directoryScopeId")))) {
            *idx = i;
            return v;
        }
    }
    return NULL;
}

static void role_assignments(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                             char **seg, size_t nseg)
{
    static const struct emu_field fields[] = {
        {"roleDefinitionId", EF_STR, NULL, NULL, true},  {"principalId", EF_STR, NULL, NULL, true},
        {"directoryScopeId", EF_STR, NULL, NULL, false}, {"appScopeId", EF_STR, NULL, NULL, false},
        {"condition", EF_STR, NULL, NULL, false},        {NULL, EF_ANY, NULL, NULL, false}};
    json_t *coll = emu_coll(ctx, ROLE_ASSIGN);
    const char *m = req->method;
    const char *ctxname = "roleManagement/directory/roleAssignments/$entity";
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, "roleManagement/directory/roleAssignments", coll, false);
        return;
    }
    if (nseg == 0 && strcmp(m, "POST") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_body(body, fields, resp))
            goto out;
        const char *rid = json_string_value(json_object_get(body, "roleDefinitionId"));
        const char *pid = json_string_value(json_object_get(body, "principalId"));
        json_t *scope = json_object_get(body, "directoryScopeId");
        json_t *app = json_object_get(body, "appScopeId");
        if (!rid || !pid || (!json_is_string(scope) && !json_is_string(app))) {
            emu_error_bad(resp, "roleDefinitionId, principalId and directoryScopeId or appScopeId "
                                "are required.");
            goto out;
        }
        if (!role_definition(ctx, rid)) {
            emu_error_not_found(resp, rid);
            goto out;
        }
        if (!principal_ok(ctx, pid, resp, false))
            goto out;
        size_t i;
        json_t *v;
        json_array_foreach(coll, i, v)
        {
            if (emu_strieq(json_string_value(json_object_get(v, "principalId")), pid) &&
                emu_strieq(json_string_value(json_object_get(v, "roleDefinitionId")), rid) &&
                json_equal(json_object_get(v, "directoryScopeId"), scope ? scope : json_null())) {
                emu_error_bad(resp, "A conflicting object with one or more of the specified "
                                    "property values is present in the directory.");
                goto out;
            }
        }
        char id[64];
        opaque_id(id, sizeof id);
        json_t *a = json_pack(
            "{s:s, s:s, s:s, s:O, s:O, s:O}", "id", id, "roleDefinitionId", rid, "principalId", pid,
            "directoryScopeId", scope ? scope : json_null(), "appScopeId", app ? app : json_null(),
            "condition",
            json_object_get(body, "condition") ? json_object_get(body, "condition") : json_null());
        json_array_append_new(coll, a);
        emu_mark_created(ctx, id);
        emu_ok(resp, 201, emu_entity(req, ctxname, a));
    out:
        json_decref(body);
        return;
    }
    if (nseg != 1) {
        not_allowed(resp);
        return;
    }
    size_t idx;
    json_t *a = emu_find(coll, seg[0], &idx);
    if (!a || (strcmp(m, "GET") == 0 && emu_lagging(ctx, seg[0]))) {
        emu_error_not_found(resp, seg[0]);
        return;
    }
    if (strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ctxname, a));
    } else if (strcmp(m, "DELETE") == 0) {
        size_t sidx;
        if (find_schedule(emu_coll(ctx, ACT_SCHED), a, &sidx))
            json_array_remove(emu_coll(ctx, ACT_SCHED), sidx);
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else {
        not_allowed(resp);
    }
}

static json_t *copy_or_null(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v ? json_deep_copy(v) : json_null();
}

/* The role's PIM policy (policies/roleManagementPolicies, when the state has one) may require
 * eligibilities (Expiration_Admin_Eligibility) or active assignments (Expiration_Admin_Assignment)
 * to end: then a permanent one fails its ExpirationRule. */
static bool expiration_allowed(struct emu_ctx *ctx, const char *rid, const char *etype,
                               const char *rule_id)
{
    size_t i, j;
    json_t *a, *p, *r;
    json_array_foreach(emu_coll(ctx, "policies/roleManagementPolicyAssignments"), i, a)
    {
        if (!emu_strieq(json_string_value(json_object_get(a, "roleDefinitionId")), rid))
            continue;
        const char *pid = json_string_value(json_object_get(a, "policyId"));
        json_array_foreach(emu_coll(ctx, "policies/roleManagementPolicies"), j, p)
        {
            if (!emu_strieq(json_string_value(json_object_get(p, "id")), pid))
                continue;
            size_t k;
            json_array_foreach(json_object_get(p, "rules"), k, r)
            {
                if (emu_strieq(json_string_value(json_object_get(r, "id")), rule_id) &&
                    json_is_true(json_object_get(r, "isExpirationRequired")) &&
                    (!etype || strcmp(etype, "noExpiration") == 0))
                    return false;
            }
        }
    }
    return true;
}

/* The roleAssignment of an active schedule (same principal, role and scope), or NULL. */
static json_t *active_assignment(struct emu_ctx *ctx, json_t *body, size_t *idx)
{
    return find_schedule(emu_coll(ctx, ROLE_ASSIGN), body, idx);
}

/* Eligibility (roleEligibilityScheduleRequests) and time-bound active assignment
 * (roleAssignmentScheduleRequests) requests: both keep a schedule per principal, role and scope;
 * an active schedule also makes the roleAssignment that Graph lists with the others, and a
 * permanent roleAssignment made directly can be updated through a request (Graph keeps a
 * schedule for it too). */
static void pim_requests(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                         char **seg, size_t nseg, bool active)
{
    static const struct emu_field F_TICKET[] = {{"ticketNumber", EF_STR, NULL, NULL, false},
                                                {"ticketSystem", EF_STR, NULL, NULL, false},
                                                {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {
        {"action", EF_ENUM, E_ACTIONS, NULL, true},
        {"principalId", EF_STR, NULL, NULL, true},
        {"roleDefinitionId", EF_STR, NULL, NULL, true},
        {"directoryScopeId", EF_STR, NULL, NULL, false},
        {"appScopeId", EF_STR, NULL, NULL, false},
        {"justification", EF_STR, NULL, NULL, false},
        {"scheduleInfo", EF_OBJ, NULL, EMU_SCHEDULE_INFO, false},
        {"ticketInfo", EF_OBJ, NULL, F_TICKET, false},
        {"isValidationOnly", EF_BOOL, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    const char *reqs_path = active ? ACT_REQS : PIM_REQS;
    json_t *coll = emu_coll(ctx, reqs_path);
    json_t *schedules = emu_coll(ctx, active ? ACT_SCHED : PIM_SCHED);
    const char *m = req->method;
    const char *ctxname = active
                              ? ACT_REQS "/$entity"
                              : "roleManagement/directory/roleEligibilityScheduleRequests/$entity";
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, reqs_path, coll, false);
        return;
    }
    if (nseg == 1 && strcmp(m, "GET") == 0) {
        json_t *r = emu_find(coll, seg[0], NULL);
        if (!r)
            emu_error_not_found(resp, seg[0]);
        else
            emu_ok(resp, 200, emu_entity(req, ctxname, r));
        return;
    }
    if (nseg != 0 || strcmp(m, "POST") != 0) {
        not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check_body(body, fields, resp))
        goto out;
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *rid = json_string_value(json_object_get(body, "roleDefinitionId"));
    const char *pid = json_string_value(json_object_get(body, "principalId"));
    if (!action || !rid || !pid || !json_is_string(json_object_get(body, "directoryScopeId"))) {
        emu_error_bad(resp, "action, principalId, roleDefinitionId and directoryScopeId are "
                            "required.");
        goto out;
    }
    if (strncmp(action, "self", 4) == 0) {
        emu_error_bad(resp, "Self-service actions need a signed-in user; this request uses "
                            "application permissions.");
        goto out;
    }
    if (!role_definition(ctx, rid)) {
        emu_error(resp, 404, "RoleNotFound", "The role definition was not found.");
        goto out;
    }
    if (!principal_ok(ctx, pid, resp, true))
        goto out;
    json_t *info = json_object_get(body, "scheduleInfo");
    json_t *exp = json_object_get(info, "expiration");
    const char *etype = json_string_value(json_object_get(exp, "type"));
    if (etype && ((strcmp(etype, "afterDateTime") == 0 &&
                   !json_is_string(json_object_get(exp, "endDateTime"))) ||
                  (strcmp(etype, "afterDuration") == 0 &&
                   !json_is_string(json_object_get(exp, "duration"))))) {
        emu_error_bad(resp, "The expiration needs endDateTime (afterDateTime) or duration "
                            "(afterDuration).");
        goto out;
    }
    if (strcmp(action, "adminRemove") != 0 &&
        !expiration_allowed(ctx, rid, etype,
                            active ? "Expiration_Admin_Assignment"
                                   : "Expiration_Admin_Eligibility")) {
        emu_error(resp, 400, "RoleAssignmentRequestPolicyValidationFailed",
                  "The following policy rules failed: [\"ExpirationRule\"]");
        goto out;
    }
    size_t sidx = 0, aidx = 0;
    json_t *sched = find_schedule(schedules, body, &sidx);
    json_t *direct = active ? active_assignment(ctx, body, &aidx) : NULL;
    bool assign = strcmp(action, "adminAssign") == 0;
    bool remove = strcmp(action, "adminRemove") == 0;
    if (active && !sched && direct) {
        /* a permanent assignment made through roleAssignments: Graph has its schedule */
        json_t *perm = json_pack(
            "{s:O, s:O, s:O, s:s, s:n, s:s, s:s, s:{s:n, s:n, s:{s:s}}}", "id",
            json_object_get(direct, "id"), "principalId", json_object_get(direct, "principalId"),
            "roleDefinitionId", json_object_get(direct, "roleDefinitionId"), "directoryScopeId",
            json_string_value(json_object_get(direct, "directoryScopeId"))
                ? json_string_value(json_object_get(direct, "directoryScopeId"))
                : "/",
            "appScopeId", "status", "Provisioned", "memberType", "Direct", "scheduleInfo",
            "startDateTime", "recurrence", "expiration", "type", "noExpiration");
        json_array_append_new(schedules, perm);
        sched = find_schedule(schedules, body, &sidx);
    }
    if (assign && sched) {
        emu_error(resp, 400, "RoleAssignmentExists", "The Role assignment already exists.");
        goto out;
    }
    if (!assign && !sched) {
        emu_error(resp, 400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
        goto out;
    }
    char id[37], now[48];
    emu_guid(id);
    emu_iso_now(now, sizeof now);
    json_t *start = json_object_get(info, "startDateTime");
    json_t *sinfo = json_null();
    if (!remove)
        sinfo =
            json_pack("{s:o, s:n, s:{s:s, s:o, s:o}}", "startDateTime",
                      json_is_string(start) ? json_copy(start) : json_string(now), "recurrence",
                      "expiration", "type", etype ? etype : "noExpiration", "endDateTime",
                      copy_or_null(exp, "endDateTime"), "duration", copy_or_null(exp, "duration"));
    const char *target = sched ? json_string_value(json_object_get(sched, "id")) : id;
    json_t *ticket = json_object_get(body, "ticketInfo")
                         ? json_deep_copy(json_object_get(body, "ticketInfo"))
                         : json_pack("{s:n, s:n}", "ticketNumber", "ticketSystem");
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:s, s:n, s:n, s:s, s:s, s:s, s:s, s:n, s:b, s:s, s:o, s:{s:{s:n, s:o}, "
        "s:n, s:n}, s:o, s:o}",
        "id", id, "status", remove ? "Revoked" : "Provisioned", "createdDateTime", now,
        "completedDateTime", now, "approvalId", "customData", "action", action, "principalId", pid,
        "roleDefinitionId", rid, "directoryScopeId",
        json_string_value(json_object_get(body, "directoryScopeId")), "appScopeId",
        "isValidationOnly", json_is_true(json_object_get(body, "isValidationOnly")),
        "targetScheduleId", target, "justification", copy_or_null(body, "justification"),
        "createdBy", "application", "displayName", "id",
        ctx->cfg.client_id ? json_string(ctx->cfg.client_id) : json_null(), "device", "user",
        "scheduleInfo", sinfo, "ticketInfo", ticket);
    if (!json_is_true(json_object_get(body, "isValidationOnly"))) {
        json_array_append(coll, r);
        if (remove) {
            json_array_remove(schedules, sidx);
            if (direct)
                json_array_remove(emu_coll(ctx, ROLE_ASSIGN), aidx);
        } else if (sched) {
            json_object_set(sched, "scheduleInfo", json_object_get(r, "scheduleInfo"));
            json_object_set_new(sched, "modifiedDateTime", json_string(now));
        } else {
            json_array_append_new(
                schedules,
                json_pack("{s:s, s:s, s:s, s:s, s:n, s:s, s:s, s:n, s:s, s:s, s:O}", "id", id,
                          "principalId", pid, "roleDefinitionId", rid, "directoryScopeId",
                          json_string_value(json_object_get(body, "directoryScopeId")),
                          "appScopeId", "createdUsing", id, "createdDateTime", now,
                          "modifiedDateTime", "status", "Provisioned", "memberType", "Direct",
                          "scheduleInfo", json_object_get(r, "scheduleInfo")));
            if (active && !direct) {
                char aid[64];
                opaque_id(aid, sizeof aid);
                json_array_append_new(
                    emu_coll(ctx, ROLE_ASSIGN),
                    json_pack("{s:s, s:s, s:s, s:s, s:n, s:n}", "id", aid, "roleDefinitionId", rid,
                              "principalId", pid, "directoryScopeId",
                              json_string_value(json_object_get(body, "directoryScopeId")),
                              "appScopeId", "condition"));
            }
        }
    }
    emu_ok(resp, 201, emu_entity(req, ctxname, r));
    json_decref(r);
out:
    json_decref(body);
}

static void group_settings(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                           char **seg, size_t nseg)
{
    static const struct emu_field F_VALUE[] = {{"name", EF_STR, NULL, NULL, true},
                                               {"value", EF_STR, NULL, NULL, false},
                                               {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {{"id", EF_ANY, NULL, NULL, false},
                                              {"displayName", EF_ANY, NULL, NULL, false},
                                              {"templateId", EF_STR, NULL, NULL, false},
                                              {"values", EF_OBJLIST, NULL, F_VALUE, false},
                                              {NULL, EF_ANY, NULL, NULL, false}};
    json_t *coll = emu_coll(ctx, "groupSettings");
    const char *m = req->method;
    json_t *body = NULL;
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, "groupSettings", coll, true);
        return;
    }
    if (strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0) {
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_body(body, fields, resp))
            goto out;
    }
    size_t idx = 0;
    json_t *s = nseg == 1 ? emu_find(coll, seg[0], &idx) : NULL;
    if (nseg == 1 && (!s || emu_lagging(ctx, seg[0]))) {
        emu_error_not_found(resp, seg[0]);
        goto out;
    }
    const char *tid = json_string_value(json_object_get(nseg == 1 ? s : body, "templateId"));
    json_t *tmpl = tid ? emu_find(emu_coll(ctx, "groupSettingTemplates"), tid, NULL) : NULL;
    if (strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0) {
        if (!tmpl) {
            emu_error_bad(resp, "Invalid value specified for property 'templateId' of resource "
                                "'DirectorySetting'.");
            goto out;
        }
        size_t i, j;
        json_t *v, *d;
        json_array_foreach(json_object_get(body, "values"), i, v)
        {
            bool known = false;
            json_array_foreach(json_object_get(tmpl, "values"), j, d) known |=
                strcmp(json_string_value(json_object_get(d, "name")),
                       json_string_value(json_object_get(v, "name"))) == 0;
            if (!known) {
                emu_error_bad(resp, "Invalid setting name '%s' for template '%s'.",
                              json_string_value(json_object_get(v, "name")), tid);
                goto out;
            }
        }
    }
    if (nseg == 0 && strcmp(m, "POST") == 0) {
        if (strcmp(tid, "08d542b9-071f-4e16-94b0-74abb372e3d9") == 0) {
            emu_error_bad(resp, "Template '%s' applies to individual groups, not the tenant.", tid);
            goto out;
        }
        size_t i, j;
        json_t *v, *d;
        json_array_foreach(coll, i, v)
        {
            if (emu_strieq(json_string_value(json_object_get(v, "templateId")), tid)) {
                emu_error_bad(resp, "A conflicting object with one or more of the specified "
                                    "property values is present in the directory.");
                goto out;
            }
        }
        json_t *values = json_array();
        json_array_foreach(json_object_get(body, "values"), i, v) json_array_append(values, v);
        json_array_foreach(json_object_get(tmpl, "values"), j, d)
        {
            bool given = false;
            json_array_foreach(json_object_get(body, "values"), i, v) given |=
                strcmp(json_string_value(json_object_get(v, "name")),
                       json_string_value(json_object_get(d, "name"))) == 0;
            if (!given)
                json_array_append_new(values,
                                      json_pack("{s:O, s:O}", "name", json_object_get(d, "name"),
                                                "value", json_object_get(d, "defaultValue")));
        }
        char id[37];
        emu_guid(id);
        json_t *stored =
            json_pack("{s:s, s:O, s:s, s:o}", "id", id, "displayName",
                      json_object_get(tmpl, "displayName"), "templateId", tid, "values", values);
        json_array_append_new(coll, stored);
        emu_mark_created(ctx, id);
        json_t *shown = json_copy(stored);
        json_object_set_new(shown, "displayName", json_null()); /* as the POST example shows */
        emu_ok(resp, 201, emu_entity(req, "groupSettings/$entity", shown));
        json_decref(shown);
    } else if (nseg == 1 && strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, "groupSettings/$entity", s));
    } else if (nseg == 1 && strcmp(m, "PATCH") == 0) {
        if (json_object_get(body, "values"))
            json_object_set(s, "values", json_object_get(body, "values"));
        emu_ok(resp, 204, NULL);
    } else if (nseg == 1 && strcmp(m, "DELETE") == 0) {
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else {
        not_allowed(resp);
    }
out:
    json_decref(body);
}

bool emu_dir_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg)
{
    const char *s0 = seg[0];
    if (strcmp(s0, "groups") == 0 && nseg == 3 && strcmp(seg[2], "groupLifecyclePolicies") == 0)
        emu_group_lifecycle_policies(ctx, req, resp, seg[1]);
    else if (strcmp(s0, "groups") == 0)
        groups(ctx, req, resp, seg + 1, nseg - 1);
    else if (strcmp(s0, "users") == 0)
        users(ctx, req, resp, seg + 1, nseg - 1);
    else if (strcmp(s0, "servicePrincipals") == 0)
        read_only(ctx, req, resp, "servicePrincipals", true, "appId", seg + 1, nseg - 1);
    else if (strcmp(s0, "organization") == 0)
        read_only(ctx, req, resp, "organization", true, NULL, seg + 1, nseg - 1);
    else if (strcmp(s0, "subscribedSkus") == 0)
        read_only(ctx, req, resp, "subscribedSkus", false, NULL, seg + 1, nseg - 1);
    else if (strcmp(s0, "groupSettingTemplates") == 0)
        read_only(ctx, req, resp, "groupSettingTemplates", true, NULL, seg + 1, nseg - 1);
    else if (strcmp(s0, "groupSettings") == 0)
        group_settings(ctx, req, resp, seg + 1, nseg - 1);
    else if (nseg >= 3 && strcmp(s0, "roleManagement") == 0 && strcmp(seg[1], "directory") == 0) {
        if (strcmp(seg[2], "roleDefinitions") == 0)
            read_only(ctx, req, resp, ROLE_DEFS, false, NULL, seg + 3, nseg - 3);
        else if (strcmp(seg[2], "roleAssignments") == 0)
            role_assignments(ctx, req, resp, seg + 3, nseg - 3);
        else if (strcmp(seg[2], "roleEligibilityScheduleRequests") == 0)
            pim_requests(ctx, req, resp, seg + 3, nseg - 3, false);
        else if (strcmp(seg[2], "roleAssignmentScheduleRequests") == 0)
            pim_requests(ctx, req, resp, seg + 3, nseg - 3, true);
        else if (strcmp(seg[2], "roleAssignmentSchedules") == 0)
            read_only(ctx, req, resp, ACT_SCHED, false, NULL, seg + 3, nseg - 3);
        else if (strcmp(seg[2], "roleEligibilitySchedules") == 0)
            read_only(ctx, req, resp, PIM_SCHED, false, NULL, seg + 3, nseg - 3);
        else
            return false;
    } else {
        return false;
    }
    return true;
}
