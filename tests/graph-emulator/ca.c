/* Conditional Access: policies, named locations, authentication contexts and authentication
 * strengths, with Graph's validation rules and server-filled defaults (facts.md §2-§4). */
#include "emu.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CA_POLICIES   "identity/conditionalAccess/policies"
#define CA_LOCATIONS  "identity/conditionalAccess/namedLocations"
#define CA_CONTEXTS   "identity/conditionalAccess/authenticationContextClassReferences"
#define STRENGTHS     "policies/authenticationStrengthPolicies"
#define MAX_POLICIES  195
#define MAX_LOCATIONS 195
#define MAX_RANGES    2000

static const char *const E_STATE[] = {"enabled", "disabled", "enabledForReportingButNotEnforced",
                                      NULL};
static const char *const E_CLIENTAPP[] = {
    "all",   "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported",
    "other", NULL};
static const char *const E_RISK[] = {"low", "medium", "high", "hidden", "none", NULL};
static const char *const E_SPRISK[] = {"low", "medium", "high", "none", NULL};
static const char *const E_PLATFORM[] = {"android", "iOS",   "windows", "windowsPhone",
                                         "macOS",   "linux", "all",     NULL};
static const char *const E_GRANT[] = {"block",
                                      "mfa",
                                      "compliantDevice",
                                      "domainJoinedDevice",
                                      "approvedApplication",
                                      "compliantApplication",
                                      "passwordChange",
                                      "riskRemediation",
                                      NULL};
static const char *const E_GUEST[] = {"none",
                                      "internalGuest",
                                      "b2bCollaborationGuest",
                                      "b2bCollaborationMember",
                                      "b2bDirectConnectUser",
                                      "otherExternalUser",
                                      "serviceProvider",
                                      NULL};
static const char *const E_MEMBERSHIP[] = {"all", "enumerated", NULL};
static const char *const E_INSIDER[] = {"minor", "moderate", "elevated", NULL};
static const char *const E_TRANSFER[] = {"none", "deviceCodeFlow", "authenticationTransfer", NULL};
static const char *const E_FILTERMODE[] = {"include", "exclude", NULL};
static const char *const E_MCAS[] = {"mcasConfigured", "monitorOnly", "blockDownloads", NULL};
static const char *const E_PBMODE[] = {"always", "never", NULL};
static const char *const E_SIFTYPE[] = {"days", "hours", NULL};
static const char *const E_SIFAUTH[] = {"primaryAndSecondaryAuthentication",
                                        "secondaryAuthentication", NULL};
static const char *const E_SIFINT[] = {"timeBased", "everyTime", NULL};
static const char *const E_OPERATOR[] = {"AND", "OR", NULL};
static const char *const E_LOOKUP[] = {"clientIpAddress", "authenticatorAppGps", NULL};
static const char *const E_MODES[] = {"password",
                                      "voice",
                                      "hardwareOath",
                                      "softwareOath",
                                      "sms",
                                      "fido2",
                                      "windowsHelloForBusiness",
                                      "microsoftAuthenticatorPush",
                                      "deviceBasedPush",
                                      "temporaryAccessPassOneTime",
                                      "temporaryAccessPassMultiUse",
                                      "email",
                                      "x509CertificateSingleFactor",
                                      "x509CertificateMultiFactor",
                                      "federatedSingleFactor",
                                      "federatedMultiFactor",
                                      "qrCodePin",
                                      NULL};
static const char *const MFA_SINGLE[] = {
    "windowsHelloForBusiness",    "fido2",
    "x509CertificateMultiFactor", "deviceBasedPush",
    "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
    "federatedMultiFactor",       NULL};

static const struct emu_field F_FILTER[] = {{"mode", EF_ENUM, E_FILTERMODE, NULL, false},
                                            {"rule", EF_STR, NULL, NULL, false},
                                            {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_APPS[] = {
    {"includeApplications", EF_STRLIST, NULL, NULL, false},
    {"excludeApplications", EF_STRLIST, NULL, NULL, false},
    {"includeUserActions", EF_STRLIST, NULL, NULL, false},
    {"includeAuthenticationContextClassReferences", EF_STRLIST, NULL, NULL, false},
    {"applicationFilter", EF_OBJ, NULL, F_FILTER, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_TENANTS[] = {{"membershipKind", EF_ENUM, E_MEMBERSHIP, NULL, false},
                                             {"members", EF_STRLIST, NULL, NULL, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_GUESTS[] = {
    {"guestOrExternalUserTypes", EF_FLAGS, E_GUEST, NULL, false},
    {"externalTenants", EF_OBJ, NULL, F_TENANTS, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_USERS[] = {
    {"includeUsers", EF_STRLIST, NULL, NULL, false},
    {"excludeUsers", EF_STRLIST, NULL, NULL, false},
    {"includeGroups", EF_STRLIST, NULL, NULL, false},
    {"excludeGroups", EF_STRLIST, NULL, NULL, false},
    {"includeRoles", EF_STRLIST, NULL, NULL, false},
    {"excludeRoles", EF_STRLIST, NULL, NULL, false},
    {"includeGuestsOrExternalUsers", EF_OBJ, NULL, F_GUESTS, false},
    {"excludeGuestsOrExternalUsers", EF_OBJ, NULL, F_GUESTS, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_CLIENTAPPS[] = {
    {"includeServicePrincipals", EF_STRLIST, NULL, NULL, false},
    {"excludeServicePrincipals", EF_STRLIST, NULL, NULL, false},
    {"servicePrincipalFilter", EF_OBJ, NULL, F_FILTER, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_PLATFORMS[] = {
    {"includePlatforms", EF_ENUMLIST, E_PLATFORM, NULL, false},
    {"excludePlatforms", EF_ENUMLIST, E_PLATFORM, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_LOCATIONS[] = {{"includeLocations", EF_STRLIST, NULL, NULL, false},
                                               {"excludeLocations", EF_STRLIST, NULL, NULL, false},
                                               {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_DEVICES[] = {{"deviceFilter", EF_OBJ, NULL, F_FILTER, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_FLOWS[] = {{"transferMethods", EF_FLAGS, E_TRANSFER, NULL, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_CONDITIONS[] = {
    {"applications", EF_OBJ, NULL, F_APPS, false},
    {"users", EF_OBJ, NULL, F_USERS, false},
    {"clientApplications", EF_OBJ, NULL, F_CLIENTAPPS, false},
    {"clientAppTypes", EF_ENUMLIST, E_CLIENTAPP, NULL, false},
    {"platforms", EF_OBJ, NULL, F_PLATFORMS, false},
    {"locations", EF_OBJ, NULL, F_LOCATIONS, false},
    {"devices", EF_OBJ, NULL, F_DEVICES, false},
    {"signInRiskLevels", EF_ENUMLIST, E_RISK, NULL, false},
    {"userRiskLevels", EF_ENUMLIST, E_RISK, NULL, false},
    {"servicePrincipalRiskLevels", EF_ENUMLIST, E_SPRISK, NULL, false},
    {"insiderRiskLevels", EF_FLAGS, E_INSIDER, NULL, false},
    {"authenticationFlows", EF_OBJ, NULL, F_FLOWS, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_STRENGTH_REF[] = {
    {"id", EF_STR, NULL, NULL, false},
    {"displayName", EF_ANY, NULL, NULL, false},
    {"description", EF_ANY, NULL, NULL, false},
    {"policyType", EF_ANY, NULL, NULL, false},
    {"requirementsSatisfied", EF_ANY, NULL, NULL, false},
    {"allowedCombinations", EF_ANY, NULL, NULL, false},
    {"combinationConfigurations", EF_ANY, NULL, NULL, false},
    {"createdDateTime", EF_ANY, NULL, NULL, false},
    {"modifiedDateTime", EF_ANY, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_GRANT[] = {
    {"operator", EF_ENUM, E_OPERATOR, NULL, false},
    {"builtInControls", EF_ENUMLIST, E_GRANT, NULL, false},
    {"customAuthenticationFactors", EF_STRLIST, NULL, NULL, false},
    {"termsOfUse", EF_STRLIST, NULL, NULL, false},
    {"authenticationStrength", EF_OBJ, NULL, F_STRENGTH_REF, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SC_SIMPLE[] = {{"isEnabled", EF_BOOL, NULL, NULL, false},
                                               {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SC_MCAS[] = {{"isEnabled", EF_BOOL, NULL, NULL, false},
                                             {"cloudAppSecurityType", EF_ENUM, E_MCAS, NULL, false},
                                             {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SC_PB[] = {{"isEnabled", EF_BOOL, NULL, NULL, false},
                                           {"mode", EF_ENUM, E_PBMODE, NULL, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SC_SIF[] = {{"isEnabled", EF_BOOL, NULL, NULL, false},
                                            {"value", EF_INT, NULL, NULL, false},
                                            {"type", EF_ENUM, E_SIFTYPE, NULL, false},
                                            {"authenticationType", EF_ENUM, E_SIFAUTH, NULL, false},
                                            {"frequencyInterval", EF_ENUM, E_SIFINT, NULL, false},
                                            {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_SESSION[] = {
    {"applicationEnforcedRestrictions", EF_OBJ, NULL, F_SC_SIMPLE, false},
    {"cloudAppSecurity", EF_OBJ, NULL, F_SC_MCAS, false},
    {"persistentBrowser", EF_OBJ, NULL, F_SC_PB, false},
    {"signInFrequency", EF_OBJ, NULL, F_SC_SIF, false},
    {"secureSignInSession", EF_OBJ, NULL, F_SC_SIMPLE, false},
    {"disableResilienceDefaults", EF_BOOL, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_POLICY[] = {{"id", EF_ANY, NULL, NULL, false},
                                            {"displayName", EF_STR, NULL, NULL, true},
                                            {"description", EF_STR, NULL, NULL, false},
                                            {"state", EF_ENUM, E_STATE, NULL, true},
                                            {"createdDateTime", EF_ANY, NULL, NULL, false},
                                            {"modifiedDateTime", EF_ANY, NULL, NULL, false},
                                            {"deletedDateTime", EF_ANY, NULL, NULL, false},
                                            {"templateId", EF_ANY, NULL, NULL, false},
                                            {"conditions", EF_OBJ, NULL, F_CONDITIONS, true},
                                            {"grantControls", EF_OBJ, NULL, F_GRANT, false},
                                            {"sessionControls", EF_OBJ, NULL, F_SESSION, false},
                                            {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_RANGE[] = {{"cidrAddress", EF_STR, NULL, NULL, false},
                                           {"lowerAddress", EF_STR, NULL, NULL, false},
                                           {"upperAddress", EF_STR, NULL, NULL, false},
                                           {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_LOCATION[] = {
    {"id", EF_ANY, NULL, NULL, false},
    {"displayName", EF_STR, NULL, NULL, true},
    {"createdDateTime", EF_ANY, NULL, NULL, false},
    {"modifiedDateTime", EF_ANY, NULL, NULL, false},
    {"deletedDateTime", EF_ANY, NULL, NULL, false},
    {"isTrusted", EF_BOOL, NULL, NULL, true},
    {"ipRanges", EF_OBJLIST, NULL, F_RANGE, false},
    {"countriesAndRegions", EF_STRLIST, NULL, NULL, false},
    {"includeUnknownCountriesAndRegions", EF_BOOL, NULL, NULL, true},
    {"countryLookupMethod", EF_ENUM, E_LOOKUP, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};
static const struct emu_field F_STRENGTH[] = {
    {"id", EF_ANY, NULL, NULL, false},
    {"displayName", EF_STR, NULL, NULL, true},
    {"description", EF_STR, NULL, NULL, false},
    {"allowedCombinations", EF_STRLIST, NULL, NULL, false},
    {"combinationConfigurations", EF_ANY, NULL, NULL, false},
    {"policyType", EF_ANY, NULL, NULL, false},
    {"requirementsSatisfied", EF_ANY, NULL, NULL, false},
    {"createdDateTime", EF_ANY, NULL, NULL, false},
    {"modifiedDateTime", EF_ANY, NULL, NULL, false},
    {NULL, EF_ANY, NULL, NULL, false}};

static const char MSG_1007[] =
    "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of "
    "ConditionalAccessPolicy type. For examples, please see API documentation at "
    "https://docs.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-"
    "rest-1.0.";
static const char MSG_MALFORMED[] =
    "The server could not process the request because it is malformed or incorrect.";

static void invalid(struct emu_resp *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void invalid(struct emu_resp *resp, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emu_error_inner(resp, 400, "BadRequest", MSG_MALFORMED, msg);
}

static size_t list_len(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? json_array_size(v) : 0;
}

static bool list_has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (emu_strieq(json_string_value(v), s)) return true;
    return false;
}

static json_t *list_or_empty(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

static json_t *value_or_null(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v ? json_deep_copy(v) : json_null();
}

static void strip_readonly(json_t *body)
{
    static const char *const ro[] = {"id",
                                     "createdDateTime",
                                     "modifiedDateTime",
                                     "deletedDateTime",
                                     "templateId",
                                     "@odata.context",
                                     NULL};
    for (size_t i = 0; ro[i]; i++)
        json_object_del(body, ro[i]);
}

/* ---------- Conditional Access policies ---------- */

static bool sc_effective(json_t *sc)
{
    if (!json_is_object(sc))
        return false;
    json_t *en = json_object_get(sc, "isEnabled");
    if (json_is_boolean(en))
        return json_is_true(en);
    return json_object_size(sc) > 0;
}

static json_t *fill_guests(json_t *g)
{
    if (!json_is_object(g))
        return json_null();
    json_t *out = json_object();
    json_object_set_new(out, "guestOrExternalUserTypes",
                        value_or_null(g, "guestOrExternalUserTypes"));
    json_t *t = json_object_get(g, "externalTenants");
    if (json_is_object(t)) {
        const char *kind = json_string_value(json_object_get(t, "membershipKind"));
        bool en = kind && strcmp(kind, "enumerated") == 0;
        json_t *o = json_pack("{s:s, s:s}", "@odata.type",
                              en ? "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"
                                 : "#microsoft.graph.conditionalAccessAllExternalTenants",
                              "membershipKind", kind ? kind : "all");
        if (en)
            json_object_set_new(o, "members", list_or_empty(t, "members"));
        json_object_set_new(out, "externalTenants", o);
    } else {
        json_object_set_new(out, "externalTenants", json_null());
    }
    return out;
}

static json_t *fill_session(json_t *s)
{
    if (!json_is_object(s))
        return json_null();
    json_t *out = json_object();
    bool any = false;
    json_t *v = json_object_get(s, "applicationEnforcedRestrictions");
    if (sc_effective(v)) {
        json_object_set_new(out, "applicationEnforcedRestrictions",
                            json_pack("{s:b}", "isEnabled", 1));
        any = true;
    } else {
        json_object_set_new(out, "applicationEnforcedRestrictions", json_null());
    }
    v = json_object_get(s, "cloudAppSecurity");
    if (sc_effective(v)) {
        json_object_set_new(out, "cloudAppSecurity",
                            json_pack("{s:o, s:b}", "cloudAppSecurityType",
                                      value_or_null(v, "cloudAppSecurityType"), "isEnabled", 1));
        any = true;
    } else {
        json_object_set_new(out, "cloudAppSecurity", json_null());
    }
    v = json_object_get(s, "signInFrequency");
    if (sc_effective(v)) {
        json_t *auth = json_object_get(v, "authenticationType");
        json_t *interval = json_object_get(v, "frequencyInterval");
        json_object_set_new(
            out, "signInFrequency",
            json_pack("{s:o, s:o, s:s, s:s, s:b}", "value", value_or_null(v, "value"), "type",
                      value_or_null(v, "type"), "authenticationType",
                      json_is_string(auth) ? json_string_value(auth)
                                           : "primaryAndSecondaryAuthentication",
                      "frequencyInterval",
                      json_is_string(interval) ? json_string_value(interval) : "timeBased",
                      "isEnabled", 1));
        any = true;
    } else {
        json_object_set_new(out, "signInFrequency", json_null());
    }
    v = json_object_get(s, "persistentBrowser");
    if (sc_effective(v)) {
        json_object_set_new(
            out, "persistentBrowser",
            json_pack("{s:o, s:b}", "mode", value_or_null(v, "mode"), "isEnabled", 1));
        any = true;
    } else {
        json_object_set_new(out, "persistentBrowser", json_null());
    }
    v = json_object_get(s, "secureSignInSession");
    if (sc_effective(v)) {
        json_object_set_new(out, "secureSignInSession", json_pack("{s:b}", "isEnabled", 1));
        any = true;
    } else {
        json_object_set_new(out, "secureSignInSession", json_null());
    }
    v = json_object_get(s, "disableResilienceDefaults");
    if (json_is_true(v))
        any = true;
    json_object_set_new(out, "disableResilienceDefaults",
                        json_is_boolean(v) ? json_copy(v) : json_null());
    if (!any) {
        json_decref(out);
        return json_null();
    }
    return out;
}

/* The object exactly as GET returns it (minus annotations added on output). */
static json_t *fill_policy(json_t *p, const char *id, json_t *created, json_t *modified)
{
    json_t *c = json_object_get(p, "conditions");
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(id));
    json_object_set_new(out, "templateId", value_or_null(p, "templateId"));
    json_object_set_new(out, "displayName", value_or_null(p, "displayName"));
    if (json_is_string(json_object_get(p, "description")))
        json_object_set(out, "description", json_object_get(p, "description"));
    json_object_set(out, "createdDateTime", created);
    json_object_set(out, "modifiedDateTime", modified);
    json_object_set_new(out, "state", value_or_null(p, "state"));

    json_t *oc = json_object();
    json_t *a = json_object_get(c, "applications");
    json_object_set_new(oc, "applications",
                        json_pack("{s:o, s:o, s:o, s:o, s:o}", "includeApplications",
                                  list_or_empty(a, "includeApplications"), "excludeApplications",
                                  list_or_empty(a, "excludeApplications"), "includeUserActions",
                                  list_or_empty(a, "includeUserActions"),
                                  "includeAuthenticationContextClassReferences",
                                  list_or_empty(a, "includeAuthenticationContextClassReferences"),
                                  "applicationFilter", value_or_null(a, "applicationFilter")));
    json_t *u = json_object_get(c, "users");
    json_object_set_new(oc, "users",
                        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "includeUsers",
                                  list_or_empty(u, "includeUsers"), "excludeUsers",
                                  list_or_empty(u, "excludeUsers"), "includeGroups",
                                  list_or_empty(u, "includeGroups"), "excludeGroups",
                                  list_or_empty(u, "excludeGroups"), "includeRoles",
                                  list_or_empty(u, "includeRoles"), "excludeRoles",
                                  list_or_empty(u, "excludeRoles"), "includeGuestsOrExternalUsers",
                                  fill_guests(json_object_get(u, "includeGuestsOrExternalUsers")),
                                  "excludeGuestsOrExternalUsers",
                                  fill_guests(json_object_get(u, "excludeGuestsOrExternalUsers"))));
    json_t *ca = json_object_get(c, "clientApplications");
    json_object_set_new(
        oc, "clientApplications",
        json_is_object(ca)
            ? json_pack("{s:o, s:o, s:o}", "includeServicePrincipals",
                        list_or_empty(ca, "includeServicePrincipals"), "excludeServicePrincipals",
                        list_or_empty(ca, "excludeServicePrincipals"), "servicePrincipalFilter",
                        value_or_null(ca, "servicePrincipalFilter"))
            : json_null());
    json_t *cat = json_object_get(c, "clientAppTypes");
    json_object_set_new(oc, "clientAppTypes",
                        json_array_size(cat) ? json_deep_copy(cat) : json_pack("[s]", "all"));
    json_t *pl = json_object_get(c, "platforms");
    json_object_set_new(oc, "platforms",
                        json_is_object(pl)
                            ? json_pack("{s:o, s:o}", "includePlatforms",
                                        list_or_empty(pl, "includePlatforms"), "excludePlatforms",
                                        list_or_empty(pl, "excludePlatforms"))
                            : json_null());
    json_t *lo = json_object_get(c, "locations");
    json_object_set_new(oc, "locations",
                        json_is_object(lo)
                            ? json_pack("{s:o, s:o}", "includeLocations",
                                        list_or_empty(lo, "includeLocations"), "excludeLocations",
                                        list_or_empty(lo, "excludeLocations"))
                            : json_null());
    json_t *dv = json_object_get(c, "devices");
    json_object_set_new(
        oc, "devices",
        json_is_object(dv) && json_is_object(json_object_get(dv, "deviceFilter"))
            ? json_pack("{s:O}", "deviceFilter", json_object_get(dv, "deviceFilter"))
            : json_null());
    json_object_set_new(oc, "signInRiskLevels", list_or_empty(c, "signInRiskLevels"));
    json_object_set_new(oc, "userRiskLevels", list_or_empty(c, "userRiskLevels"));
    json_object_set_new(oc, "servicePrincipalRiskLevels",
                        list_or_empty(c, "servicePrincipalRiskLevels"));
    json_object_set_new(oc, "insiderRiskLevels", value_or_null(c, "insiderRiskLevels"));
    json_object_set_new(oc, "authenticationFlows", value_or_null(c, "authenticationFlows"));
    json_object_set_new(out, "conditions", oc);

    json_t *g = json_object_get(p, "grantControls");
    if (json_is_object(g)) {
        json_t *op = json_object_get(g, "operator");
        json_t *as = json_object_get(g, "authenticationStrength");
        json_object_set_new(
            out, "grantControls",
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "operator",
                      json_is_string(op) ? json_string_value(op) : "OR", "builtInControls",
                      list_or_empty(g, "builtInControls"), "customAuthenticationFactors",
                      list_or_empty(g, "customAuthenticationFactors"), "termsOfUse",
                      list_or_empty(g, "termsOfUse"), "authenticationStrength",
                      json_is_object(as) ? json_pack("{s:O}", "id", json_object_get(as, "id"))
                                         : json_null()));
    } else {
        json_object_set_new(out, "grantControls", json_null());
    }
    json_object_set_new(out, "sessionControls",
                        fill_session(json_object_get(p, "sessionControls")));
    return out;
}

static bool location_ok(struct emu_ctx *ctx, const char *id)
{
    if (emu_strieq(id, "All") || emu_strieq(id, "AllTrusted") ||
        strcmp(id, "00000000-0000-0000-0000-000000000000") == 0)
        return true;
    return emu_find(emu_coll(ctx, CA_LOCATIONS), id, NULL) && !emu_lagging(ctx, id);
}

static const char *check_refs(struct emu_ctx *ctx, json_t *list, const char *const *keywords,
                              const char *kind)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        if (emu_enum_canon(keywords, s))
            continue;
        const char *found = NULL;
        if (!emu_dir_object_exists(ctx, s, &found) || strcmp(found, kind) != 0)
            return s;
    }
    return NULL;
}

/* Graph's semantic rules for a complete (filled) policy; false with resp set on a violation. */
static bool validate_policy(struct emu_ctx *ctx, json_t *raw, json_t *p, struct emu_resp *resp)
{
    json_t *c = json_object_get(p, "conditions");
    json_t *a = json_object_get(c, "applications");
    json_t *u = json_object_get(c, "users");
    json_t *ca = json_object_get(c, "clientApplications");
    json_t *g = json_object_get(p, "grantControls");
    json_t *s = json_object_get(p, "sessionControls");
    const char *name = json_string_value(json_object_get(p, "displayName"));
    if (!name || !*name) {
        emu_error_inner(resp, 400, "BadRequest", MSG_1007, "displayName is required");
        return false;
    }
    if (!json_is_string(json_object_get(p, "state"))) {
        emu_error_inner(resp, 400, "BadRequest", MSG_1007, "state is required");
        return false;
    }
    if (!json_is_object(a) ||
        (!list_len(a, "includeApplications") && !list_len(a, "includeUserActions") &&
         !list_len(a, "includeAuthenticationContextClassReferences"))) {
        invalid(resp,
                "ConditionalAccessPolicy validation failed due to MissingApplicationCondition: "
                "conditions.applications needs includeApplications, includeUserActions or "
                "includeAuthenticationContextClassReferences.");
        return false;
    }
    if ((list_len(a, "includeApplications") != 0) + (list_len(a, "includeUserActions") != 0) +
            (list_len(a, "includeAuthenticationContextClassReferences") != 0) >
        1) {
        invalid(resp,
                "ConditionalAccessPolicy validation failed due to InvalidApplicationCondition: "
                "use only one of includeApplications, includeUserActions and "
                "includeAuthenticationContextClassReferences.");
        return false;
    }
    bool has_users =
        json_is_object(u) && (list_len(u, "includeUsers") || list_len(u, "includeGroups") ||
                              list_len(u, "includeRoles") ||
                              json_is_object(json_object_get(u, "includeGuestsOrExternalUsers")));
    bool has_sps = json_is_object(ca) && list_len(ca, "includeServicePrincipals");
    if (!has_users && !has_sps) {
        invalid(resp,
                "ConditionalAccessPolicy validation failed due to MissingUserCondition: "
                "conditions.users needs an include rule (or use conditions.clientApplications).");
        return false;
    }
    if (has_sps && has_users &&
        !(list_len(u, "includeUsers") == 1 &&
          list_has(json_object_get(u, "includeUsers"), "None"))) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to InvalidConditions: users "
                      "and workload identities cannot be targeted by the same policy.");
        return false;
    }
    json_t *strength = json_is_object(g) ? json_object_get(g, "authenticationStrength") : NULL;
    json_t *controls = json_is_object(g) ? json_object_get(g, "builtInControls") : NULL;
    bool grant = json_is_object(g) &&
                 (json_array_size(controls) || json_is_object(strength) ||
                  list_len(g, "termsOfUse") || list_len(g, "customAuthenticationFactors"));
    if (json_is_object(g) && !grant) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to InvalidGrantControls: "
                      "grantControls needs builtInControls, authenticationStrength or termsOfUse.");
        return false;
    }
    if (!grant && json_is_null(s)) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to MissingControls: a policy "
                      "needs a grant control or a session control.");
        return false;
    }
    if (list_has(controls, "block") &&
        (json_array_size(controls) > 1 || json_is_object(strength) || list_len(g, "termsOfUse") ||
         list_len(g, "customAuthenticationFactors"))) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to InvalidGrantControls: "
                      "block cannot be combined with other grant controls.");
        return false;
    }
    if (list_has(controls, "block") && !json_is_null(s)) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to InvalidControls: block "
                      "cannot be combined with session controls.");
        return false;
    }
    if (list_has(controls, "mfa") && json_is_object(strength)) {
        invalid(resp, "ConditionalAccessPolicy validation failed due to InvalidGrantControls: mfa "
                      "and authenticationStrength cannot be combined.");
        return false;
    }
    if (list_has(controls, "passwordChange")) {
        const char *op = json_string_value(json_object_get(g, "operator"));
        if (!list_has(controls, "mfa") || !op || strcmp(op, "AND") != 0 ||
            !list_len(c, "userRiskLevels")) {
            invalid(resp, "1032: ConditionalActionPolicy validation failed due to "
                          "InvalidPasswordResetControl.");
            return false;
        }
    }
    if (json_is_object(strength)) {
        const char *sid = json_string_value(json_object_get(strength, "id"));
        if (!sid || !emu_find(emu_coll(ctx, STRENGTHS), sid, NULL) || emu_lagging(ctx, sid)) {
            invalid(resp,
                    "ConditionalAccessPolicy validation failed due to "
                    "InvalidAuthenticationStrength: authentication strength '%s' does not "
                    "exist.",
                    sid ? sid : "");
            return false;
        }
    }
    if (json_is_object(s)) {
        json_t *sif = json_object_get(s, "signInFrequency");
        if (json_is_object(sif)) {
            const char *interval = json_string_value(json_object_get(sif, "frequencyInterval"));
            bool every = interval && strcmp(interval, "everyTime") == 0;
            json_t *value = json_object_get(sif, "value");
            json_t *type = json_object_get(sif, "type");
            bool has_vt = json_is_integer(value) || json_is_string(type);
            if (every && has_vt) {
                invalid(resp, "ConditionalAccessPolicy validation failed due to "
                              "InvalidSignInFrequency: everyTime takes no value or type.");
                return false;
            }
            if (!every && (!json_is_integer(value) || !json_is_string(type))) {
                invalid(resp, "ConditionalAccessPolicy validation failed due to "
                              "InvalidSignInFrequency: value and type are required.");
                return false;
            }
            if (!every) {
                json_int_t n = json_integer_value(value);
                bool hours = strcmp(json_string_value(type), "hours") == 0;
                if (n < 1 || n > (hours ? 23 : 365)) {
                    invalid(resp, "ConditionalAccessPolicy validation failed due to "
                                  "InvalidSignInFrequency: value out of range.");
                    return false;
                }
            }
        }
        if (json_is_object(json_object_get(s, "persistentBrowser"))) {
            json_t *inc = json_object_get(a, "includeApplications");
            if (json_array_size(inc) != 1 || !list_has(inc, "All")) {
                invalid(resp, "ConditionalAccessPolicy validation failed due to "
                              "InvalidPersistentBrowser: persistent browser sessions need All "
                              "cloud apps.");
                return false;
            }
        }
    }
    static const char *const guest_keys[] = {"includeGuestsOrExternalUsers",
                                             "excludeGuestsOrExternalUsers", NULL};
    json_t *raw_users = json_object_get(json_object_get(raw, "conditions"), "users");
    for (size_t i = 0; guest_keys[i]; i++) {
        json_t *ge = json_object_get(raw_users, guest_keys[i]);
        json_t *t = json_is_object(ge) ? json_object_get(ge, "externalTenants") : NULL;
        if (json_is_object(ge) &&
            !json_is_string(json_object_get(ge, "guestOrExternalUserTypes"))) {
            emu_error_inner(resp, 400, "BadRequest", MSG_1007,
                            "guestOrExternalUserTypes is required");
            return false;
        }
        if (json_is_object(t)) {
            const char *kind = json_string_value(json_object_get(t, "membershipKind"));
            if (!kind || (strcmp(kind, "enumerated") == 0 && !list_len(t, "members")) ||
                (strcmp(kind, "all") == 0 && json_object_get(t, "members"))) {
                emu_error_inner(resp, 400, "BadRequest", MSG_1007,
                                "externalTenants: enumerated needs members; all takes none");
                return false;
            }
        }
    }
    json_t *lo = json_object_get(c, "locations");
    static const char *const lkeys[] = {"includeLocations", "excludeLocations", NULL};
    for (size_t i = 0; json_is_object(lo) && lkeys[i]; i++) {
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(lo, lkeys[i]), j, v)
        {
            if (!location_ok(ctx, json_string_value(v))) {
                invalid(resp,
                        "ConditionalAccessPolicy validation failed due to InvalidLocation: "
                        "named location '%s' does not exist.",
                        json_string_value(v));
                return false;
            }
        }
    }
    static const char *const user_kw[] = {"All", "None", "GuestsOrExternalUsers", NULL};
    static const char *const no_kw[] = {NULL};
    const char *bad;
    if ((bad = check_refs(ctx, json_object_get(u, "includeUsers"), user_kw, "user")) ||
        (bad = check_refs(ctx, json_object_get(u, "excludeUsers"), user_kw, "user")) ||
        (bad = check_refs(ctx, json_object_get(u, "includeGroups"), no_kw, "group")) ||
        (bad = check_refs(ctx, json_object_get(u, "excludeGroups"), no_kw, "group"))) {
        invalid(resp,
                "ConditionalAccessPolicy validation failed due to InvalidUsers: directory "
                "object '%s' does not exist or one of its queried reference-property "
                "objects are not present.",
                bad);
        return false;
    }
    return true;
}

static json_t *strength_public(json_t *s)
{
    return json_deep_copy(s);
}

/* Output form: expands grantControls.authenticationStrength and adds its annotation. */
static json_t *render_policy(struct emu_ctx *ctx, const struct emu_req *req, json_t *p)
{
    json_t *out = json_deep_copy(p);
    json_t *g = json_object_get(out, "grantControls");
    if (json_is_object(g)) {
        json_object_del(g, "authenticationStrength@odata.context");
        json_t *as = json_object_get(g, "authenticationStrength");
        const char *sid = json_is_object(as) ? json_string_value(json_object_get(as, "id")) : NULL;
        json_t *full = sid ? emu_find(emu_coll(ctx, STRENGTHS), sid, NULL) : NULL;
        json_t *val = full                 ? strength_public(full)
                      : json_is_object(as) ? json_copy(as)
                                           : json_null();
        json_object_del(g, "authenticationStrength");
        json_object_set_new(g, "authenticationStrength", val);
        struct emu_buf b = {0};
        emu_buf_addf(&b,
                     "%s/v1.0/$metadata#identity/conditionalAccess/policies('%s')/grantControls/"
                     "authenticationStrength/$entity",
                     req->base, json_string_value(json_object_get(p, "id")));
        json_object_set_new(g, "authenticationStrength@odata.context", json_string(b.data));
        emu_buf_free(&b);
    }
    return out;
}

static void policy_not_found(struct emu_resp *resp, const char *id)
{
    char msg[300];
    snprintf(msg, sizeof msg, "Policy with id %s does not exist in the directory.", id);
    emu_error(resp, 404, "ResourceNotFound", msg);
}

static bool check_schema(json_t *body, const struct emu_field *fields, struct emu_resp *resp,
                         const char *message)
{
    char err[512];
    if (!emu_check(body, fields, "", err, sizeof err)) {
        emu_error_inner(resp, 400, "BadRequest", message, err);
        return false;
    }
    return true;
}

static void policies(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                     char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, CA_POLICIES);
    const char *m = req->method;
    if (nseg == 0) {
        if (strcmp(m, "GET") == 0) {
            json_t *items = json_array();
            size_t i;
            json_t *p;
            json_array_foreach(coll, i, p) json_array_append_new(items, render_policy(ctx, req, p));
            emu_list(ctx, req, resp, "identity/conditionalAccess/policies", items, false);
            json_decref(items);
            return;
        }
        if (strcmp(m, "POST") != 0)
            goto not_allowed;
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, F_POLICY, resp, MSG_1007)) {
            json_decref(body);
            return;
        }
        strip_readonly(body);
        char id[37], now[48];
        emu_guid(id);
        emu_iso_now(now, sizeof now);
        json_t *created = json_string(now);
        json_t *p = fill_policy(body, id, created, json_null());
        json_decref(created);
        if (!validate_policy(ctx, body, p, resp)) {
            json_decref(body);
            json_decref(p);
            return;
        }
        if (json_array_size(coll) >= MAX_POLICIES) {
            invalid(resp,
                    "The tenant already has the maximum number of Conditional Access "
                    "policies (%d).",
                    MAX_POLICIES);
            json_decref(body);
            json_decref(p);
            return;
        }
        json_array_append(coll, p);
        emu_mark_created(ctx, id);
        json_t *r = render_policy(ctx, req, p);
        emu_ok(resp, 201, emu_entity(req, "identity/conditionalAccess/policies/$entity", r));
        snprintf(resp->location, sizeof resp->location,
                 "%s/v1.0/identity/conditionalAccess/policies/%s", req->base, id);
        json_decref(r);
        json_decref(p);
        json_decref(body);
        return;
    }
    if (nseg == 1 && strcmp(seg[0], "$count") == 0) {
        char n[32];
        snprintf(n, sizeof n, "%zu", json_array_size(coll));
        resp->status = 200;
        resp->text = emu_xstrdup(n);
        return;
    }
    if (nseg != 1)
        goto unknown;
    size_t idx;
    json_t *p = emu_find(coll, seg[0], &idx);
    if (!p || (strcmp(m, "GET") == 0 && emu_lagging(ctx, seg[0]))) {
        policy_not_found(resp, seg[0]);
        return;
    }
    if (strcmp(m, "GET") == 0) {
        json_t *r = render_policy(ctx, req, p);
        emu_ok(resp, 200, emu_entity(req, "identity/conditionalAccess/policies/$entity", r));
        json_decref(r);
    } else if (strcmp(m, "DELETE") == 0) {
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else if (strcmp(m, "PATCH") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, F_POLICY, resp, MSG_1007)) {
            json_decref(body);
            return;
        }
        strip_readonly(body);
        json_t *merged = json_deep_copy(p);
        const char *key;
        json_t *val;
        json_object_foreach(body, key, val)
        {
            if (strstr(key, "@odata."))
                continue;
            if (strcmp(key, "conditions") == 0 && json_is_object(val) &&
                json_is_object(json_object_get(merged, "conditions")))
                json_object_update(json_object_get(merged, "conditions"), val);
            else
                json_object_set(merged, key, val);
        }
        char now[48];
        emu_iso_now(now, sizeof now);
        json_t *modified = json_string(now);
        json_t *np = fill_policy(merged, seg[0], json_object_get(p, "createdDateTime"), modified);
        json_decref(modified);
        json_decref(body);
        bool ok = validate_policy(ctx, merged, np, resp);
        json_decref(merged);
        if (!ok) {
            json_decref(np);
            return;
        }
        json_array_set_new(coll, idx, np);
        emu_ok(resp, 204, NULL);
    } else {
        goto not_allowed;
    }
    return;
not_allowed:
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
    return;
unknown:
    emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
}

/* ---------- named locations ---------- */

static const char T_IP[] = "#microsoft.graph.ipNamedLocation";
static const char T_COUNTRY[] = "#microsoft.graph.countryNamedLocation";

static void location_not_found(struct emu_resp *resp, const char *id)
{
    char msg[300];
    snprintf(msg, sizeof msg, "NamedLocation with id %s does not exist in the directory.", id);
    emu_error(resp, 404, "ResourceNotFound", msg);
}

static const char *location_type(json_t *body)
{
    const char *t = json_string_value(json_object_get(body, "@odata.type"));
    if (!t)
        return NULL;
    const char *bare = t[0] == '#' ? t + 1 : t;
    if (emu_strieq(bare, T_IP + 1))
        return T_IP;
    if (emu_strieq(bare, T_COUNTRY + 1))
        return T_COUNTRY;
    return NULL;
}

static bool cidr_ok(const char *cidr, char *err, size_t errsz)
{
    const char *slash = strchr(cidr, '/');
    long prefix;
    if (!slash || !emu_parse_long(slash + 1, &prefix)) {
        snprintf(err, errsz, "'%s' is not a valid CIDR range.", cidr);
        return false;
    }
    char *addr = emu_xstrndup(cidr, (size_t)(slash - cidr));
    unsigned char buf[16];
    bool v6 = strchr(addr, ':') != NULL;
    int ok = inet_pton(v6 ? AF_INET6 : AF_INET, addr, buf);
    free(addr);
    if (ok != 1 || prefix < 0 || prefix > (v6 ? 128 : 32)) {
        snprintf(err, errsz, "'%s' is not a valid CIDR range.", cidr);
        return false;
    }
    if (!v6 && prefix < 8) {
        snprintf(err, errsz, "'%s': only CIDR masks of /8 or longer are allowed for IPv4 ranges.",
                 cidr);
        return false;
    }
    return true;
}

static bool validate_location(json_t *l, const char *type, struct emu_resp *resp)
{
    char err[512];
    const char *name = json_string_value(json_object_get(l, "displayName"));
    if (!name || !*name) {
        invalid(resp, "displayName is required for a named location.");
        return false;
    }
    if (type == T_IP) {
        if (json_object_get(l, "countriesAndRegions") ||
            json_object_get(l, "countryLookupMethod") ||
            json_object_get(l, "includeUnknownCountriesAndRegions")) {
            invalid(resp, "country properties are not valid on an ipNamedLocation.");
            return false;
        }
        json_t *ranges = json_object_get(l, "ipRanges");
        if (!json_array_size(ranges)) {
            invalid(resp, "ipRanges is required and cannot be empty.");
            return false;
        }
        if (json_array_size(ranges) > MAX_RANGES) {
            invalid(resp, "A named location can hold at most %d IP ranges.", MAX_RANGES);
            return false;
        }
        size_t i;
        json_t *r;
        json_array_foreach(ranges, i, r)
        {
            const char *rt = json_string_value(json_object_get(r, "@odata.type"));
            const char *bare = rt && rt[0] == '#' ? rt + 1 : rt;
            bool cidr = bare && (emu_strieq(bare, "microsoft.graph.iPv4CidrRange") ||
                                 emu_strieq(bare, "microsoft.graph.iPv6CidrRange"));
            bool span = bare && (emu_strieq(bare, "microsoft.graph.iPv4Range") ||
                                 emu_strieq(bare, "microsoft.graph.iPv6Range"));
            if (!cidr && !span) {
                invalid(resp,
                        "ipRanges[%zu] needs an @odata.type of #microsoft.graph.iPv4CidrRange "
                        "or #microsoft.graph.iPv6CidrRange.",
                        i);
                return false;
            }
            if (cidr) {
                const char *c = json_string_value(json_object_get(r, "cidrAddress"));
                if (!c || !cidr_ok(c, err, sizeof err)) {
                    invalid(resp, "%s", c ? err : "cidrAddress is required.");
                    return false;
                }
            } else if (!json_is_string(json_object_get(r, "lowerAddress")) ||
                       !json_is_string(json_object_get(r, "upperAddress"))) {
                invalid(resp, "lowerAddress and upperAddress are required.");
                return false;
            }
        }
    } else {
        if (json_object_get(l, "ipRanges") || json_object_get(l, "isTrusted")) {
            invalid(resp, "ipRanges and isTrusted are not valid on a countryNamedLocation.");
            return false;
        }
        json_t *cs = json_object_get(l, "countriesAndRegions");
        if (!json_is_array(cs) ||
            (!json_array_size(cs) &&
             !json_is_true(json_object_get(l, "includeUnknownCountriesAndRegions")))) {
            invalid(resp, "countriesAndRegions is required.");
            return false;
        }
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c)
        {
            const char *s = json_string_value(c);
            if (!s || strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
                !isalpha((unsigned char)s[1])) {
                invalid(resp, "'%s' is not an ISO 3166 two-letter country code.", s ? s : "");
                return false;
            }
            char up[3] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]),
                          0};
            json_string_set(c, up);
        }
    }
    return true;
}

static json_t *fill_location(json_t *l, const char *type, const char *id, json_t *created,
                             json_t *modified)
{
    json_t *out = json_pack("{s:s, s:s, s:O, s:O, s:O}", "@odata.type", type, "id", id,
                            "displayName", json_object_get(l, "displayName"), "createdDateTime",
                            created, "modifiedDateTime", modified);
    if (type == T_IP) {
        json_t *t = json_object_get(l, "isTrusted");
        json_object_set_new(out, "isTrusted", json_is_boolean(t) ? json_copy(t) : json_false());
        json_object_set_new(out, "ipRanges", list_or_empty(l, "ipRanges"));
    } else {
        json_t *u = json_object_get(l, "includeUnknownCountriesAndRegions");
        json_t *m = json_object_get(l, "countryLookupMethod");
        json_object_set_new(out, "countriesAndRegions", list_or_empty(l, "countriesAndRegions"));
        json_object_set_new(out, "includeUnknownCountriesAndRegions",
                            json_is_boolean(u) ? json_copy(u) : json_false());
        json_object_set_new(out, "countryLookupMethod",
                            json_is_string(m) ? json_copy(m) : json_string("clientIpAddress"));
    }
    return out;
}

static bool policy_references(json_t *p, const char *section, const char *const *keys,
                              const char *id)
{
    json_t *obj = json_object_get(json_object_get(p, "conditions"), section);
    for (size_t i = 0; keys[i]; i++)
        if (list_has(json_object_get(obj, keys[i]), id))
            return true;
    return false;
}

static void named_locations(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                            char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, CA_LOCATIONS);
    const char *m = req->method;
    const char *ctxname = "identity/conditionalAccess/namedLocations/$entity";
    if (nseg == 1 && strcmp(seg[0], "$count") == 0) {
        char n[32];
        snprintf(n, sizeof n, "%zu", json_array_size(coll));
        resp->status = 200;
        resp->text = emu_xstrdup(n);
        return;
    }
    if (nseg == 0 && strcmp(m, "GET") == 0) {
        emu_list(ctx, req, resp, "identity/conditionalAccess/namedLocations", coll, false);
        return;
    }
    json_t *body = NULL;
    if ((strcmp(m, "POST") == 0 && nseg == 0) || (strcmp(m, "PATCH") == 0 && nseg == 1)) {
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, F_LOCATION, resp, MSG_MALFORMED))
            goto out;
        strip_readonly(body);
    }
    if (nseg == 0) {
        if (strcmp(m, "POST") != 0)
            goto not_allowed;
        const char *type = location_type(body);
        if (!type) {
            invalid(resp, "@odata.type is required and must be %s or %s.", T_IP, T_COUNTRY);
            goto out;
        }
        if (!validate_location(body, type, resp))
            goto out;
        if (json_array_size(coll) >= MAX_LOCATIONS) {
            invalid(resp, "The tenant already has the maximum number of named locations (%d).",
                    MAX_LOCATIONS);
            goto out;
        }
        char id[37], now[48];
        emu_guid(id);
        emu_iso_now(now, sizeof now);
        json_t *ts = json_string(now);
        json_t *l = fill_location(body, type, id, ts, ts);
        json_decref(ts);
        json_array_append_new(coll, l);
        emu_mark_created(ctx, id);
        emu_ok(resp, 201, emu_entity(req, ctxname, l));
        goto out;
    }
    if (nseg != 1) {
        emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
        goto out;
    }
    size_t idx;
    json_t *l = emu_find(coll, seg[0], &idx);
    if (!l || (strcmp(m, "GET") == 0 && emu_lagging(ctx, seg[0]))) {
        location_not_found(resp, seg[0]);
        goto out;
    }
    const char *type = location_type(l);
    if (strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ctxname, l));
    } else if (strcmp(m, "DELETE") == 0) {
        if (json_is_true(json_object_get(l, "isTrusted"))) {
            invalid(resp, "A trusted named location cannot be deleted; set isTrusted to false "
                          "first.");
            goto out;
        }
        static const char *const keys[] = {"includeLocations", "excludeLocations", NULL};
        size_t i;
        json_t *p;
        json_array_foreach(emu_coll(ctx, CA_POLICIES), i, p)
        {
            if (policy_references(p, "locations", keys, seg[0])) {
                invalid(resp,
                        "The named location is referenced by Conditional Access policy "
                        "'%s' and cannot be deleted.",
                        json_string_value(json_object_get(p, "id")));
                goto out;
            }
        }
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else if (strcmp(m, "PATCH") == 0) {
        const char *btype = location_type(body);
        if (!btype || btype != type) {
            invalid(resp, "@odata.type is required on PATCH and must be %s.", type ? type : T_IP);
            goto out;
        }
        json_t *merged = json_deep_copy(l);
        json_object_update(merged, body);
        if (!validate_location(merged, type, resp)) {
            json_decref(merged);
            goto out;
        }
        char now[48];
        emu_iso_now(now, sizeof now);
        json_t *ts = json_string(now);
        json_t *nl = fill_location(merged, type, seg[0], json_object_get(l, "createdDateTime"), ts);
        json_decref(ts);
        json_decref(merged);
        json_array_set_new(coll, idx, nl);
        emu_ok(resp, 204, NULL);
    } else {
        goto not_allowed;
    }
    goto out;
not_allowed:
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
out:
    json_decref(body);
}

/* ---------- authentication contexts (c1..c99) ---------- */

static bool context_id_ok(const char *id)
{
    long n;
    return (id[0] == 'c' || id[0] == 'C') && emu_parse_long(id + 1, &n) && n >= 1 && n <= 99 &&
           id[1] != '0' && id[1] != '+' && id[1] != '-';
}

static void contexts(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                     char **seg, size_t nseg)
{
    static const struct emu_field fields[] = {{"id", EF_STR, NULL, NULL, false},
                                              {"displayName", EF_STR, NULL, NULL, false},
                                              {"description", EF_STR, NULL, NULL, false},
                                              {"isAvailable", EF_BOOL, NULL, NULL, false},
                                              {NULL, EF_ANY, NULL, NULL, false}};
    json_t *coll = emu_coll(ctx, CA_CONTEXTS);
    const char *m = req->method;
    const char *ctxname = "identity/conditionalAccess/authenticationContextClassReferences/$entity";
    if (nseg == 0) {
        if (strcmp(m, "GET") != 0)
            goto not_allowed;
        emu_list(ctx, req, resp, "identity/conditionalAccess/authenticationContextClassReferences",
                 coll, false);
        return;
    }
    if (nseg != 1 || !context_id_ok(seg[0])) {
        emu_error(resp, 400, "BadRequest", "An authentication context id is c1 to c99.");
        return;
    }
    size_t idx;
    json_t *c = emu_find_ci(coll, seg[0], &idx);
    if (strcmp(m, "GET") == 0) {
        if (!c) {
            emu_error(resp, 404, "ResourceNotFound",
                      "AuthenticationContextClassReference not found.");
            return;
        }
        emu_ok(resp, 200, emu_entity(req, ctxname, c));
    } else if (strcmp(m, "PATCH") == 0) {
        json_t *body;
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, fields, resp, MSG_MALFORMED)) {
            json_decref(body);
            return;
        }
        json_object_del(body, "id");
        if (!c) {
            char lower[8];
            snprintf(lower, sizeof lower, "c%s", seg[0] + 1);
            c = json_pack("{s:s, s:n, s:n, s:b}", "id", lower, "displayName", "description",
                          "isAvailable", 0);
            json_array_append_new(coll, c);
        }
        json_object_update(c, body);
        json_decref(body);
        emu_ok(resp, 204, NULL);
    } else if (strcmp(m, "DELETE") == 0) {
        if (!c) {
            emu_error(resp, 404, "ResourceNotFound",
                      "AuthenticationContextClassReference not found.");
            return;
        }
        /* Graph v1.0 "Delete authenticationContextClassReference": 403 for a published context
         * (isAvailable true), 400 for one a policy uses */
        if (json_is_true(json_object_get(c, "isAvailable"))) {
            emu_error(resp, 403, "Forbidden",
                      "A published authentication context cannot be deleted; set isAvailable to "
                      "false first.");
            return;
        }
        size_t i;
        json_t *p;
        json_array_foreach(emu_coll(ctx, CA_POLICIES), i, p)
        {
            json_t *a = json_object_get(json_object_get(p, "conditions"), "applications");
            if (list_has(json_object_get(a, "includeAuthenticationContextClassReferences"),
                         json_string_value(json_object_get(c, "id")))) {
                invalid(resp, "The authentication context is referenced by a Conditional Access "
                              "policy and cannot be deleted.");
                return;
            }
        }
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else {
        goto not_allowed;
    }
    return;
not_allowed:
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
}

/* ---------- authentication strengths ---------- */

/* Canonical "a,b" combination strings; false (resp set) on an unknown mode. */
static bool canon_combinations(json_t *list, struct emu_resp *resp)
{
    if (!json_is_array(list) || !json_array_size(list)) {
        invalid(resp, "allowedCombinations is required and cannot be empty.");
        return false;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        json_t *tmp = json_pack("{s:O}", "c", v);
        static const struct emu_field f[] = {{"c", EF_FLAGS, E_MODES, NULL, true},
                                             {NULL, EF_ANY, NULL, NULL, false}};
        char err[256];
        bool ok = json_is_string(v) && emu_check(tmp, f, "", err, sizeof err);
        if (ok)
            json_string_set(v, json_string_value(json_object_get(tmp, "c")));
        json_decref(tmp);
        if (!ok) {
            invalid(resp, "'%s' is not a valid authentication method combination.",
                    json_is_string(v) ? json_string_value(v) : "?");
            return false;
        }
    }
    return true;
}

static const char *requirements(json_t *combos)
{
    size_t i;
    json_t *v;
    json_array_foreach(combos, i, v)
    {
        const char *s = json_string_value(v);
        if (!strchr(s, ',') && !emu_enum_canon(MFA_SINGLE, s))
            return "none";
    }
    return "mfa";
}

static json_t *strength_refs(struct emu_ctx *ctx, const char *id, bool full,
                             const struct emu_req *req)
{
    json_t *out = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(emu_coll(ctx, CA_POLICIES), i, p)
    {
        json_t *as = json_object_get(json_object_get(p, "grantControls"), "authenticationStrength");
        const char *sid = json_string_value(json_object_get(as, "id"));
        if (sid && strcmp(sid, id) == 0)
            json_array_append_new(out, full ? render_policy(ctx, req, p)
                                            : json_copy(json_object_get(p, "id")));
    }
    return out;
}

/* policies/authenticationStrengthPolicies/{id}/combinationConfigurations[/{cid}] (Graph v1.0
 * "Create authenticationCombinationConfiguration", "Update", "Delete"): a fido2 configuration
 * lists allowedAAGUIDs for the fido2 combination; an x509 one allowedIssuerSkis and
 * allowedPolicyOIDs for certificate combinations; each applies only to combinations the
 * strength allows. */
static void combination_configs(struct emu_ctx *ctx, const struct emu_req *req,
                                struct emu_resp *resp, json_t *s, bool builtin, const char *cid)
{
    static const struct emu_field fields[] = {
        {"@odata.type", EF_STR, NULL, NULL, false},
        {"appliesToCombinations", EF_STRLIST, NULL, NULL, false},
        {"allowedAAGUIDs", EF_STRLIST, NULL, NULL, false},
        {"allowedIssuerSkis", EF_STRLIST, NULL, NULL, false},
        {"allowedPolicyOIDs", EF_STRLIST, NULL, NULL, false},
        {NULL, EF_ANY, NULL, NULL, false}};
    const char *m = req->method;
    json_t *list = json_object_get(s, "combinationConfigurations");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(s, "combinationConfigurations", list);
    }
    size_t idx = 0;
    json_t *c = cid ? emu_find(list, cid, &idx) : NULL;
    if (cid && !c) {
        emu_error(resp, 404, "ResourceNotFound", "The combination configuration does not exist.");
        return;
    }
    if (strcmp(m, "GET") == 0) {
        if (c)
            emu_ok(resp, 200, json_incref(c));
        else
            emu_list(ctx, req, resp,
                     "policies/authenticationStrengthPolicies/combinationConfigurations", list,
                     false);
        return;
    }
    if (builtin) {
        invalid(resp, "Built-in authentication strengths cannot be modified.");
        return;
    }
    if (strcmp(m, "DELETE") == 0 && c) {
        json_array_remove(list, idx);
        emu_ok(resp, 204, NULL);
        return;
    }
    bool post = strcmp(m, "POST") == 0 && !c;
    if (!post && !(strcmp(m, "PATCH") == 0 && c)) {
        emu_error(resp, 405, "Request_BadRequest",
                  "Specified HTTP method is not allowed for the request target.");
        return;
    }
    json_t *body;
    if (!emu_body_object(req, resp, &body))
        return;
    if (!check_schema(body, fields, resp, MSG_MALFORMED)) {
        json_decref(body);
        return;
    }
    const char *type = json_string_value(json_object_get(body, "@odata.type"));
    if (!type && c)
        type = json_string_value(json_object_get(c, "@odata.type"));
    bool fido = type && strcmp(type, "#microsoft.graph.fido2CombinationConfiguration") == 0;
    bool x509 =
        type && strcmp(type, "#microsoft.graph.x509CertificateCombinationConfiguration") == 0;
    if (!fido && !x509) {
        invalid(resp, "A combination configuration is a fido2CombinationConfiguration or an "
                      "x509CertificateCombinationConfiguration.");
        json_decref(body);
        return;
    }
    if ((fido && (json_object_get(body, "allowedIssuerSkis") ||
                  json_object_get(body, "allowedPolicyOIDs"))) ||
        (x509 && json_object_get(body, "allowedAAGUIDs"))) {
        invalid(resp, "The property does not belong to this type of combination configuration.");
        json_decref(body);
        return;
    }
    size_t i;
    json_t *mode;
    json_array_foreach(json_object_get(body, "appliesToCombinations"), i, mode)
    {
        const char *md = json_string_value(mode);
        bool ok = md && list_has(json_object_get(s, "allowedCombinations"), md) &&
                  (fido ? strcmp(md, "fido2") == 0 : strncmp(md, "x509Certificate", 15) == 0);
        if (!ok) {
            invalid(resp, "appliesToCombinations must name combinations of the strength that "
                          "the configuration type can restrict.");
            json_decref(body);
            return;
        }
    }
    if (post) {
        char id[37];
        emu_guid(id);
        c = json_pack("{s:s}", "id", id);
        json_object_update(c, body);
        json_array_append(list, c);
        emu_ok(resp, 201, c);
    } else {
        json_object_del(body, "id");
        json_object_update(c, body);
        emu_ok(resp, 204, NULL);
    }
    json_decref(body);
}

static void strengths(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
                      char **seg, size_t nseg)
{
    json_t *coll = emu_coll(ctx, STRENGTHS);
    const char *m = req->method;
    const char *ctxname = "policies/authenticationStrengthPolicies/$entity";
    json_t *body = NULL;
    if (nseg == 0) {
        if (strcmp(m, "GET") == 0) {
            emu_list(ctx, req, resp, "policies/authenticationStrengthPolicies", coll, false);
            return;
        }
        if (strcmp(m, "POST") != 0)
            goto not_allowed;
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, F_STRENGTH, resp, MSG_MALFORMED))
            goto out;
        const char *name = json_string_value(json_object_get(body, "displayName"));
        if (!name || !*name) {
            invalid(resp, "displayName is required.");
            goto out;
        }
        json_t *combos = json_deep_copy(json_object_get(body, "allowedCombinations"));
        if (!canon_combinations(combos, resp)) {
            json_decref(combos);
            goto out;
        }
        char id[37], now[48];
        emu_guid(id);
        emu_iso_now(now, sizeof now);
        json_t *s = json_pack("{s:s, s:s, s:s, s:O, s:o, s:s, s:s, s:o, s:[]}", "id", id,
                              "createdDateTime", now, "modifiedDateTime", now, "displayName",
                              json_object_get(body, "displayName"), "description",
                              value_or_null(body, "description"), "policyType", "custom",
                              "requirementsSatisfied", requirements(combos), "allowedCombinations",
                              combos, "combinationConfigurations");
        json_array_append_new(coll, s);
        emu_mark_created(ctx, id);
        emu_ok(resp, 201, emu_entity(req, ctxname, s));
        goto out;
    }
    size_t idx;
    json_t *s = emu_find(coll, seg[0], &idx);
    if (!s || (strcmp(m, "GET") == 0 && emu_lagging(ctx, seg[0]))) {
        char msg[300];
        snprintf(msg, sizeof msg, "AuthenticationStrengthPolicy with id %s does not exist.",
                 seg[0]);
        emu_error(resp, 404, "ResourceNotFound", msg);
        return;
    }
    bool builtin = emu_strieq(json_string_value(json_object_get(s, "policyType")), "builtIn");
    if (nseg == 2 && strcmp(seg[1], "usage") == 0 && strcmp(m, "GET") == 0) {
        bool mfa = strcmp(json_string_value(json_object_get(s, "requirementsSatisfied"))
                              ? json_string_value(json_object_get(s, "requirementsSatisfied"))
                              : "",
                          "mfa") == 0;
        json_t *refs = strength_refs(ctx, seg[0], true, req);
        struct emu_buf b = {0};
        emu_buf_addf(&b, "%s/v1.0/$metadata#microsoft.graph.authenticationStrengthUsage",
                     req->base);
        json_t *out = json_pack("{s:s, s:o, s:o}", "@odata.context", b.data, "mfa",
                                mfa ? refs : json_array(), "none", mfa ? json_array() : refs);
        emu_buf_free(&b);
        emu_ok(resp, 200, out);
        return;
    }
    if (nseg == 2 && strcmp(seg[1], "updateAllowedCombinations") == 0 && strcmp(m, "POST") == 0) {
        if (!emu_body_object(req, resp, &body))
            return;
        if (builtin) {
            invalid(resp, "Built-in authentication strengths cannot be modified.");
            goto out;
        }
        static const struct emu_field f[] = {{"allowedCombinations", EF_STRLIST, NULL, NULL, true},
                                             {NULL, EF_ANY, NULL, NULL, false}};
        if (!check_schema(body, f, resp, MSG_MALFORMED))
            goto out;
        json_t *combos = json_deep_copy(json_object_get(body, "allowedCombinations"));
        if (!canon_combinations(combos, resp)) {
            json_decref(combos);
            goto out;
        }
        json_t *prev = json_deep_copy(json_object_get(s, "allowedCombinations"));
        char now[48];
        emu_iso_now(now, sizeof now);
        json_object_set(s, "allowedCombinations", combos);
        json_object_set_new(s, "requirementsSatisfied", json_string(requirements(combos)));
        json_object_set_new(s, "modifiedDateTime", json_string(now));
        struct emu_buf b = {0};
        emu_buf_addf(&b, "%s/v1.0/$metadata#microsoft.graph.updateAllowedCombinationsResult",
                     req->base);
        json_t *refs = strength_refs(ctx, seg[0], false, req);
        emu_ok(resp, 200,
               json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "@odata.context", b.data, "@odata.type",
                         "#microsoft.graph.updateAllowedCombinationsResult", "previousCombinations",
                         prev, "currentCombinations", combos, "conditionalAccessReferences", refs,
                         "additionalInformation",
                         json_array_size(refs)
                             ? "This Authentication Strength is referenced by one or more "
                               "Conditional Access policies. Review conditionalAccessReferences "
                               "to understand which Conditional Access policies were impacted "
                               "by this change."
                             : ""));
        emu_buf_free(&b);
        goto out;
    }
    if (nseg >= 2 && strcmp(seg[1], "combinationConfigurations") == 0) {
        combination_configs(ctx, req, resp, s, builtin, nseg > 2 ? seg[2] : NULL);
        return;
    }
    if (nseg != 1) {
        emu_error(resp, 400, "BadRequest", "Resource not found for the segment.");
        return;
    }
    if (strcmp(m, "GET") == 0) {
        emu_ok(resp, 200, emu_entity(req, ctxname, s));
    } else if (strcmp(m, "PATCH") == 0) {
        if (!emu_body_object(req, resp, &body))
            return;
        if (!check_schema(body, F_STRENGTH, resp, MSG_MALFORMED))
            goto out;
        strip_readonly(body);
        if (builtin) {
            invalid(resp, "Built-in authentication strengths cannot be modified.");
            goto out;
        }
        const char *key;
        json_t *val;
        json_object_foreach(body, key, val)
        {
            if (strstr(key, "@odata."))
                continue;
            if (strcmp(key, "displayName") != 0 && strcmp(key, "description") != 0) {
                invalid(resp,
                        "Only displayName and description can be updated with PATCH; use "
                        "updateAllowedCombinations for '%s'.",
                        key);
                goto out;
            }
        }
        json_t *dn = json_object_get(body, "displayName");
        if (dn && (!json_is_string(dn) || !*json_string_value(dn))) {
            invalid(resp, "displayName cannot be empty.");
            goto out;
        }
        char now[48];
        emu_iso_now(now, sizeof now);
        if (dn)
            json_object_set(s, "displayName", dn);
        if (json_object_get(body, "description"))
            json_object_set(s, "description", json_object_get(body, "description"));
        json_object_set_new(s, "modifiedDateTime", json_string(now));
        emu_ok(resp, 204, NULL);
    } else if (strcmp(m, "DELETE") == 0) {
        if (builtin) {
            invalid(resp, "Built-in authentication strengths cannot be deleted.");
            return;
        }
        json_t *refs = strength_refs(ctx, seg[0], false, req);
        size_t n = json_array_size(refs);
        json_decref(refs);
        if (n) {
            invalid(resp,
                    "The authentication strength is referenced by %zu Conditional Access "
                    "policies and cannot be deleted.",
                    n);
            return;
        }
        json_array_remove(coll, idx);
        emu_ok(resp, 204, NULL);
    } else {
        goto not_allowed;
    }
    goto out;
not_allowed:
    emu_error(resp, 405, "Request_BadRequest",
              "Specified HTTP method is not allowed for the request target.");
out:
    json_decref(body);
}

static void method_modes(const struct emu_req *req, struct emu_resp *resp, struct emu_ctx *ctx)
{
    json_t *items = json_array();
    for (size_t i = 0; E_MODES[i]; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s}", "id", E_MODES[i], "displayName", E_MODES[i]));
    emu_list(ctx, req, resp,
             "identity/conditionalAccess/authenticationStrength/authenticationMethodModes", items,
             false);
    json_decref(items);
}

bool emu_ca_route(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp, char **seg,
                  size_t nseg)
{
    if (nseg >= 2 && strcmp(seg[0], "identity") == 0 && strcmp(seg[1], "conditionalAccess") == 0) {
        if (nseg >= 3 && strcmp(seg[2], "policies") == 0)
            policies(ctx, req, resp, seg + 3, nseg - 3);
        else if (nseg >= 3 && strcmp(seg[2], "namedLocations") == 0)
            named_locations(ctx, req, resp, seg + 3, nseg - 3);
        else if (nseg >= 3 && strcmp(seg[2], "authenticationContextClassReferences") == 0)
            contexts(ctx, req, resp, seg + 3, nseg - 3);
        else if (nseg >= 4 && strcmp(seg[2], "authenticationStrength") == 0 &&
                 strcmp(seg[3], "policies") == 0)
            strengths(ctx, req, resp, seg + 4, nseg - 4);
        else if (nseg == 4 && strcmp(seg[2], "authenticationStrength") == 0 &&
                 strcmp(seg[3], "authenticationMethodModes") == 0 &&
                 strcmp(req->method, "GET") == 0)
            method_modes(req, resp, ctx);
        else
            return false;
        return true;
    }
    if (nseg >= 2 && strcmp(seg[0], "policies") == 0) {
        if (strcmp(seg[1], "conditionalAccessPolicies") == 0)
            policies(ctx, req, resp, seg + 2, nseg - 2);
        else if (strcmp(seg[1], "authenticationStrengthPolicies") == 0)
            strengths(ctx, req, resp, seg + 2, nseg - 2);
        else
            return false;
        return true;
    }
    return false;
}
