/* Tenant policy singletons: authenticationMethodsPolicy (+ method configurations), security
 * defaults and authorizationPolicy (facts.md §5). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METHODS "policies/authenticationMethodsPolicy"
#define SECDEF  "policies/identitySecurityDefaultsEnforcementPolicy"
#define AUTHZ   "policies/authorizationPolicy"

static const char *const E_CAMPAIGN[] = {"default", "enabled", "disabled", NULL};
static const char *const E_TARGET[] = {"user", "group", NULL};
static const char *const E_MIGRATION[] = {"preMigration", "migrationInProgress",
                                          "migrationComplete", NULL};
static const char *const E_METHOD_STATE[] = {"enabled", "disabled", NULL};
static const char *const E_INVITES[] = {"none", "adminsAndGuestInviters",
                                        "adminsGuestInvitersAndAllMembers", "everyone", NULL};

static void method_not_allowed(struct emu_resp *resp)
{
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
}

static bool check(json_t *body, const struct emu_field *fields, struct emu_resp *resp)
{
    char err[512];
    if (!emu_check(body, fields, "", err, sizeof err)) {
        emu_error_inner(resp, 400, "BadRequest", "Invalid request body.", err);
        return false;
    }
    return true;
}

static void methods_policy_patch(struct emu_ctx *ctx, const struct emu_req *req,
                                 struct emu_resp *resp, json_t *pol)
{
    static const struct emu_field F_INC[] = {
        {"id", EF_STR, NULL, NULL, true},
        {"targetType", EF_ENUM, E_TARGET, NULL, false},
        {"targetedAuthenticationMethod", EF_STR, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field F_EXC[] = {{"id", EF_STR, NULL, NULL, true},
                                             {"targetType", EF_ENUM, E_TARGET, NULL, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field F_CAMPAIGN[] = {
        {"snoozeDurationInDays", EF_INT, NULL, NULL, false},
        {"enforceRegistrationAfterAllowedSnoozes", EF_BOOL, NULL, NULL, false},
        {"state", EF_ENUM, E_CAMPAIGN, NULL, false},
        {"includeTargets", EF_OBJLIST, NULL, F_INC, false},
        {"excludeTargets", EF_OBJLIST, NULL, F_EXC, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field F_ENF[] = {
        {"authenticationMethodsRegistrationCampaign", EF_OBJ, NULL, F_CAMPAIGN, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {
        {"id", EF_ANY, NULL, NULL, false},
        {"displayName", EF_STR, NULL, NULL, false},
        {"description", EF_STR, NULL, NULL, false},
        {"policyVersion", EF_ANY, NULL, NULL, false},
        {"lastModifiedDateTime", EF_ANY, NULL, NULL, false},
        {"reconfirmationInDays", EF_INT, NULL, NULL, false},
        {"policyMigrationState", EF_ENUM, E_MIGRATION, NULL, false},
        {"registrationEnforcement", EF_OBJ, NULL, F_ENF, false},
        {"systemCredentialPreferences", EF_ANY, NULL, NULL, false},
        {"reportSuspiciousActivitySettings", EF_ANY, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    (void)ctx;
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check(body, fields, resp)) {
        json_decref(body);
        return;
    }
    static const char *const ro[] = {"id", "policyVersion", "lastModifiedDateTime", NULL};
    for (size_t i = 0; ro[i]; i++)
        json_object_del(body, ro[i]);
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val) if (!strstr(key, "@odata.")) json_object_set(pol, key, val);
    char now[48];
    emu_iso_now(now, sizeof now);
    json_object_set_new(pol, "lastModifiedDateTime", json_string(now));
    json_decref(body);
    /* Graph answers this PATCH with 200 and the whole policy (facts.md §0) */
    emu_ok(resp, 200, emu_entity(req, "authenticationMethodsPolicy", pol));
}

/* x509CertificateUserBinding (Graph v1.0): "priority ... must be a non-negative integer and
 * unique in the collection"; userProperty and x509CertificateField from the documented values. */
static bool unique_priorities(json_t *list)
{
    static const char *const fields[] = {"PrincipalName", "RFC822Name", "SubjectKeyIdentifier",
                                         "SHA1PublicKey", NULL};
    static const char *const props[] = {"userPrincipalName", "onPremisesUserPrincipalName",
                                        "certificateUserIds", NULL};
    if (!json_is_array(list))
        return false;
    size_t i, j;
    json_t *b, *c;
    json_array_foreach(list, i, b)
    {
        json_t *p = json_object_get(b, "priority");
        if (!json_is_integer(p) || json_integer_value(p) < 0 ||
            !emu_enum_canon(fields,
                            json_string_value(json_object_get(b, "x509CertificateField"))) ||
            !emu_enum_canon(props, json_string_value(json_object_get(b, "userProperty"))))
            return false;
        json_array_foreach(list, j, c)
        {
            if (j < i &&
                json_integer_value(json_object_get(c, "priority")) == json_integer_value(p))
                return false;
        }
    }
    return true;
}

static const char *type_of(json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "@odata.type"));
    return t ? (t[0] == '#' ? t + 1 : t) : NULL;
}

static void method_config(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                          json_t *pol, char **seg, size_t nseg)
{
    (void)ctx;
    json_t *cfgs = json_object_get(pol, "authenticationMethodConfigurations");
    if (!json_is_array(cfgs)) {
        cfgs = json_array();
        json_object_set_new(pol, "authenticationMethodConfigurations", cfgs);
    }
    const char *ctxname =
        "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity";
    if (nseg == 0) {
        if (strcmp(req->method, "GET") != 0) {
            method_not_allowed(resp);
            return;
        }
        emu_list(ctx, req, resp,
                 "policies/authenticationMethodsPolicy/authenticationMethodConfigurations", cfgs,
                 false);
        return;
    }
    json_t *c = nseg == 1 ? emu_find_ci(cfgs, seg[0], NULL) : NULL;
    if (!c) {
        char msg[300];
        snprintf(msg, sizeof msg, "Authentication method configuration '%s' was not found.",
                 nseg ? seg[0] : "");
        emu_error(resp, 404, "NotFound", msg);
        return;
    }
    if (strcmp(req->method, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ctxname, c));
        return;
    }
    if (strcmp(req->method, "PATCH") != 0) {
        method_not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    const char *bt = type_of(body);
    const char *ct = type_of(c);
    if (!bt || !ct || !emu_strieq(bt, ct)) {
        char msg[300];
        snprintf(msg, sizeof msg, "The request body must carry \"@odata.type\": \"#%s\".",
                 ct ? ct : "microsoft.graph.authenticationMethodConfiguration");
        emu_error(resp, 400, "BadRequest", msg);
        json_decref(body);
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strstr(key, "@odata.") || strcmp(key, "id") == 0)
            continue;
        json_t *cur = json_object_get(c, key);
        bool generic = strcmp(key, "state") == 0 || strcmp(key, "includeTargets") == 0 ||
                       strcmp(key, "excludeTargets") == 0;
        if (!cur && !generic) {
            char msg[300];
            snprintf(msg, sizeof msg, "Invalid property '%s' for type '%s'.", key, ct);
            emu_error(resp, 400, "BadRequest", msg);
            json_decref(body);
            return;
        }
        if (strcmp(key, "certificateUserBindings") == 0 && !unique_priorities(val)) {
            emu_error(resp, 400, "BadRequest",
                      "Each certificate user binding needs a priority of 0 or more, unique in "
                      "certificateUserBindings.");
            json_decref(body);
            return;
        }
        if (strcmp(key, "state") == 0 && !emu_enum_canon(E_METHOD_STATE, json_string_value(val))) {
            emu_error(resp, 400, "BadRequest", "state must be enabled or disabled.");
            json_decref(body);
            return;
        }
        if (json_is_boolean(cur) && json_is_string(val)) {
            const char *s = json_string_value(val);
            if (emu_strieq(s, "true") || emu_strieq(s, "false")) {
                json_object_set_new(body, key, json_boolean(emu_strieq(s, "true")));
            } else {
                emu_error(resp, 400, "BadRequest", "A boolean value was expected.");
                json_decref(body);
                return;
            }
        }
    }
    json_object_foreach(body, key, val)
    {
        if (strstr(key, "@odata.") || strcmp(key, "id") == 0)
            continue;
        if (strcmp(key, "state") == 0)
            json_object_set_new(
                c, key, json_string(emu_enum_canon(E_METHOD_STATE, json_string_value(val))));
        else
            json_object_set(c, key, val);
    }
    char now[48];
    emu_iso_now(now, sizeof now);
    json_object_set_new(pol, "lastModifiedDateTime", json_string(now));
    json_decref(body);
    emu_ok(resp, 204, NULL);
}

static void security_defaults(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp)
{
    static const struct emu_field fields[] = {{"id", EF_ANY, NULL, NULL, false},
                                              {"displayName", EF_STR, NULL, NULL, false},
                                              {"description", EF_STR, NULL, NULL, false},
                                              {"isEnabled", EF_BOOL, NULL, NULL, true},
                                              {NULL, EF_ANY, NULL, NULL, false}};
    json_t *sd = emu_singleton(ctx, SECDEF);
    if (strcmp(req->method, "GET") == 0) {
        emu_ok(resp, 200,
               emu_entity(req, "policies/identitySecurityDefaultsEnforcementPolicy/$entity", sd));
        return;
    }
    if (strcmp(req->method, "PATCH") != 0) {
        method_not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check(body, fields, resp)) {
        json_decref(body);
        return;
    }
    if (json_is_true(json_object_get(body, "isEnabled"))) {
        size_t i;
        json_t *p;
        json_array_foreach(emu_coll(ctx, "identity/conditionalAccess/policies"), i, p)
        {
            if (strcmp(json_string_value(json_object_get(p, "state"))
                           ? json_string_value(json_object_get(p, "state"))
                           : "",
                       "enabled") == 0) {
                emu_error(resp, 400, "BadRequest",
                          "Security defaults cannot be enabled while Conditional Access policies "
                          "are enabled.");
                json_decref(body);
                return;
            }
        }
    }
    if (json_object_get(body, "isEnabled"))
        json_object_set(sd, "isEnabled", json_object_get(body, "isEnabled"));
    json_decref(body);
    emu_ok(resp, 204, NULL);
}

static void authorization_policy(struct emu_ctx *ctx, const struct emu_req *req,
                                 struct emu_resp *resp)
{
    static const struct emu_field F_PERMS[] = {
        {"allowedToCreateApps", EF_BOOL, NULL, NULL, true},
        {"allowedToCreateSecurityGroups", EF_BOOL, NULL, NULL, true},
        {"allowedToCreateTenants", EF_BOOL, NULL, NULL, false},
        {"allowedToReadBitlockerKeysForOwnedDevice", EF_BOOL, NULL, NULL, false},
        {"allowedToReadOtherUsers", EF_BOOL, NULL, NULL, true},
        {"permissionGrantPoliciesAssigned", EF_STRLIST, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const struct emu_field fields[] = {
        {"id", EF_ANY, NULL, NULL, false},
        {"displayName", EF_STR, NULL, NULL, false},
        {"description", EF_STR, NULL, NULL, false},
        {"allowInvitesFrom", EF_ENUM, E_INVITES, NULL, false},
        {"allowedToSignUpEmailBasedSubscriptions", EF_BOOL, NULL, NULL, false},
        {"allowedToUseSSPR", EF_BOOL, NULL, NULL, false},
        {"allowEmailVerifiedUsersToJoinOrganization", EF_BOOL, NULL, NULL, false},
        {"allowUserConsentForRiskyApps", EF_BOOL, NULL, NULL, false},
        {"blockMsolPowerShell", EF_BOOL, NULL, NULL, false},
        {"guestUserRoleId", EF_STR, NULL, NULL, false},
        {"defaultUserRolePermissions", EF_OBJ, NULL, F_PERMS, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    static const char *const guest_roles[] = {"a0b1b346-4d3e-4e8b-98f8-753987be4970",
                                              "10dae51f-b6af-4016-8d66-8c2a99b929b3",
                                              "2af84b1e-32c8-42b7-82bc-daa82404023b", NULL};
    json_t *ap = emu_singleton(ctx, AUTHZ);
    if (strcmp(req->method, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, "policies/authorizationPolicy/$entity", ap));
        return;
    }
    if (strcmp(req->method, "PATCH") != 0) {
        method_not_allowed(resp);
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check(body, fields, resp))
        goto out;
    json_t *gr = json_object_get(body, "guestUserRoleId");
    if (json_is_string(gr) && !emu_enum_canon(guest_roles, json_string_value(gr))) {
        emu_error(resp, 400, "BadRequest", "guestUserRoleId is not a guest user role.");
        goto out;
    }
    json_object_del(body, "id");
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strstr(key, "@odata."))
            continue;
        json_t *cur = json_object_get(ap, key);
        if (strcmp(key, "defaultUserRolePermissions") == 0 && json_is_object(cur) &&
            json_is_object(val))
            json_object_update(cur, val);
        else
            json_object_set(ap, key, val);
    }
    emu_ok(resp, 204, NULL);
out:
    json_decref(body);
}

bool emu_pol_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                   char **seg, size_t nseg)
{
    if (nseg < 2 || strcmp(seg[0], "policies") != 0)
        return false;
    if (strcmp(seg[1], "authenticationMethodsPolicy") == 0) {
        json_t *pol = emu_singleton(ctx, METHODS);
        if (nseg == 2) {
            if (strcmp(req->method, "GET") == 0)
                emu_ok(resp, 200, emu_entity(req, "authenticationMethodsPolicy", pol));
            else if (strcmp(req->method, "PATCH") == 0)
                methods_policy_patch(ctx, req, resp, pol);
            else
                method_not_allowed(resp);
            return true;
        }
        if (strcmp(seg[2], "authenticationMethodConfigurations") == 0) {
            method_config(ctx, req, resp, pol, seg + 3, nseg - 3);
            return true;
        }
        return false;
    }
    if (nseg == 2 && strcmp(seg[1], "identitySecurityDefaultsEnforcementPolicy") == 0) {
        security_defaults(ctx, req, resp);
        return true;
    }
    if (nseg == 2 && strcmp(seg[1], "authorizationPolicy") == 0) {
        authorization_policy(ctx, req, resp);
        return true;
    }
    return false;
}
