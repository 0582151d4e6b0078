/* test_normalize.c — targeted cases for every normalisation rule, the diff and PATCH bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/plan/jsondiff.h"
#include "runtime/plan/normalize.h"

static json_t *parse(const char *s)
{
    json_error_t err;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &err);
    if (!j)
        fail_msg("bad test JSON: %s: %s", err.text, s);
    return j;
}

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* normalize(kind, in) must be exactly `want`. */
static void check_norm(enum normalize_kind kind, const char *in, const char *want)
{
    json_t *i = parse(in), *w = parse(want);
    json_t *n = normalize(kind, i);
    if (!json_equal(n, w)) {
        char *got = dump(n);
        print_error("normalize(%s)\n  got:  %s\n  want: %s\n", in, got, want);
        free(got);
        json_decref(i);
        json_decref(w);
        json_decref(n);
        fail();
    }
    json_decref(i);
    json_decref(w);
    json_decref(n);
}

static void check_same(enum normalize_kind kind, const char *a, const char *b, bool same)
{
    json_t *x = parse(a), *y = parse(b);
    bool eq = normalize_equal(kind, x, y);
    if (eq != same) {
        json_t *nx = normalize(kind, x), *ny = normalize(kind, y);
        char *dx = dump(nx), *dy = dump(ny);
        print_error("expected %s:\n  %s\n  %s\n", same ? "equal" : "different", dx, dy);
        free(dx);
        free(dy);
        json_decref(nx);
        json_decref(ny);
    }
    json_decref(x);
    json_decref(y);
    assert_true(eq == same);
}

#define SAME(k, a, b) check_same((k), (a), (b), true)
#define DIFF(k, a, b) check_same((k), (a), (b), false)

/* A minimal policy skeleton: COND and REST are spliced in. */
#define POL(cond, rest)                                                                            \
    "{\"displayName\":\"P\",\"state\":\"enabled\",\"conditions\":{\"applications\":{"              \
    "\"includeApplications\":[\"All\"]},\"users\":{\"includeUsers\":[\"All\"]}" cond "}" rest "}"

/* ---------------------------------------------------------------------------------------- */

static void test_annotations_and_read_only(void **state)
{
    (void)state;
    check_norm(
        NK_CA_POLICY,
        "{\"@odata.context\":\"x\",\"@odata.type\":\"#microsoft.graph.conditionalAccessPolicy\","
        "\"id\":\"1\",\"createdDateTime\":\"2024\",\"modifiedDateTime\":null,"
        "\"deletedDateTime\":null,\"templateId\":\"abc\",\"partialEnablementStrategy\":null,"
        "\"state@odata.type\":\"#x\",\"state\":\"enabled\",\"displayName\":\"P\","
        "\"#microsoft.graph.restore\":{\"title\":\"t\",\"target\":\"u\"}}",
        "{\"state\":\"enabled\",\"displayName\":\"P\"}");
}

static void test_user_keywords_and_guids(void **state)
{
    (void)state;
    check_norm(
        NK_CA_POLICY,
        "{\"conditions\":{\"users\":{\"includeUsers\":[\"all\"],\"excludeUsers\":["
        "\"guestsorexternalusers\",\"BBBBBBBB-0000-0000-0000-000000000002\","
        "\"aaaaaaaa-0000-0000-0000-000000000001\",\"bbbbbbbb-0000-0000-0000-000000000002\"],"
        "\"includeGroups\":[],\"excludeGroups\":null,\"includeRoles\":[\"<Placeholder>\"]}}}",
        "{\"conditions\":{\"users\":{\"includeUsers\":[\"All\"],\"excludeUsers\":["
        "\"GuestsOrExternalUsers\",\"aaaaaaaa-0000-0000-0000-000000000001\","
        "\"bbbbbbbb-0000-0000-0000-000000000002\"],\"includeRoles\":[\"<Placeholder>\"]}}}");
}

static void test_application_keywords(void **state)
{
    (void)state;
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"applications\":{\"includeApplications\":[\"office365\"],"
               "\"excludeApplications\":[\"microsoftadminportals\"],\"includeUserActions\":[],"
               "\"includeAuthenticationContextClassReferences\":[],\"applicationFilter\":null}}}",
               "{\"conditions\":{\"applications\":{\"includeApplications\":[\"Office365\"],"
               "\"excludeApplications\":[\"MicrosoftAdminPortals\"]}}}");
    SAME(NK_CA_POLICY,
         "{\"conditions\":{\"applications\":{\"includeUserActions\":[\"URN:USER:REGISTERDEVICE\"]}}"
         "}",
         "{\"conditions\":{\"applications\":{\"includeUserActions\":[\"urn:user:registerdevice\"]}}"
         "}");
}

static void test_client_app_types_default(void **state)
{
    (void)state;
    const char *absent = POL("", "");
    SAME(NK_CA_POLICY, absent, POL(",\"clientAppTypes\":[\"all\"]", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"clientAppTypes\":[\"All\"]", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"clientAppTypes\":[]", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"clientAppTypes\":null", ""));
    DIFF(NK_CA_POLICY, absent, POL(",\"clientAppTypes\":[\"browser\"]", ""));
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"clientAppTypes\":[\"Other\",\"exchangeactivesync\",\"other\"]}}",
               "{\"conditions\":{\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]}}");
}

static void test_platforms_unset_forms(void **state)
{
    (void)state;
    const char *absent = POL("", "");
    SAME(NK_CA_POLICY, absent, POL(",\"platforms\":null", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"platforms\":[]", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"platforms\":{}", ""));
    SAME(NK_CA_POLICY, absent,
         POL(",\"platforms\":{\"includePlatforms\":[],\"excludePlatforms\":[]}", ""));
    SAME(NK_CA_POLICY, absent,
         POL(",\"platforms\":{\"includePlatforms\":[\"All\"],\"excludePlatforms\":[]}", ""));
    DIFF(NK_CA_POLICY, absent, POL(",\"platforms\":{\"includePlatforms\":[\"android\"]}", ""));
}

static void test_platforms_values(void **state)
{
    (void)state;
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"platforms\":{\"includePlatforms\":[\"IOS\",\"Android\"],"
               "\"excludePlatforms\":[]}}}",
               "{\"conditions\":{\"platforms\":{\"includePlatforms\":[\"android\",\"iOS\"]}}}");
    /* exclusions alone mean "all but" */
    SAME(NK_CA_POLICY, "{\"conditions\":{\"platforms\":{\"excludePlatforms\":[\"macOS\"]}}}",
         "{\"conditions\":{\"platforms\":{\"includePlatforms\":[\"all\"],"
         "\"excludePlatforms\":[\"macos\"]}}}");
    SAME(NK_CA_POLICY,
         "{\"conditions\":{\"platforms\":{\"includePlatforms\":[\"all\",\"android\"],"
         "\"excludePlatforms\":[\"iOS\"]}}}",
         "{\"conditions\":{\"platforms\":{\"includePlatforms\":[\"ALL\"],"
         "\"excludePlatforms\":[\"iOS\"]}}}");
}

static void test_locations(void **state)
{
    (void)state;
    const char *absent = POL("", "");
    SAME(NK_CA_POLICY, absent, POL(",\"locations\":[]", ""));
    SAME(NK_CA_POLICY, absent, POL(",\"locations\":{\"includeLocations\":[\"all\"]}", ""));
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"locations\":{\"includeLocations\":[\"All\"],"
               "\"excludeLocations\":[\"alltrusted\",\"0000AAAA-0000-0000-0000-000000000000\"]}}}",
               "{\"conditions\":{\"locations\":{\"includeLocations\":[\"All\"],"
               "\"excludeLocations\":[\"0000aaaa-0000-0000-0000-000000000000\",\"AllTrusted\"]}}}");
}

static void test_complex_conditions_null_equals_absent(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY, POL("", ""),
         POL(",\"devices\":null,\"clientApplications\":null,\"authenticationFlows\":null,"
             "\"insiderRiskLevels\":null,\"times\":null,\"deviceStates\":null,"
             "\"signInRiskLevels\":[],\"userRiskLevels\":[],\"servicePrincipalRiskLevels\":[]",
             ",\"grantControls\":null,\"sessionControls\":null"));
    SAME(NK_CA_POLICY, POL("", ""),
         POL(",\"devices\":{\"deviceFilter\":null,\"includeDevices\":[],\"excludeDevices\":[]}",
             ""));
    DIFF(NK_CA_POLICY, POL("", ""),
         POL(",\"devices\":{\"deviceFilter\":{\"mode\":\"exclude\",\"rule\":\"r\"}}", ""));
}

static void test_risk_levels(void **state)
{
    (void)state;
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"signInRiskLevels\":[\"High\",\"medium\",\"high\"],"
               "\"userRiskLevels\":[\"LOW\"]}}",
               "{\"conditions\":{\"signInRiskLevels\":[\"high\",\"medium\"],"
               "\"userRiskLevels\":[\"low\"]}}");
}

static void test_session_controls_ineffectual(void **state)
{
    (void)state;
    const char *none = POL("", "");
    SAME(NK_CA_POLICY, none,
         POL("",
             ",\"sessionControls\":{\"applicationEnforcedRestrictions\":null,"
             "\"cloudAppSecurity\":{\"isEnabled\":false,\"cloudAppSecurityType\":\"monitorOnly\"},"
             "\"signInFrequency\":{\"isEnabled\":false,\"value\":4,\"type\":\"hours\"},"
             "\"persistentBrowser\":{\"isEnabled\":false,\"mode\":\"never\"},"
             "\"disableResilienceDefaults\":false,\"continuousAccessEvaluation\":null}"));
    SAME(NK_CA_POLICY, none, POL("", ",\"sessionControls\":{}"));
    DIFF(NK_CA_POLICY, none, POL("", ",\"sessionControls\":{\"disableResilienceDefaults\":true}"));
}

static void test_session_controls_effective(void **state)
{
    (void)state;
    check_norm(NK_CA_POLICY,
               "{\"sessionControls\":{\"signInFrequency\":{\"value\":4,\"type\":\"Hours\","
               "\"authenticationType\":\"primaryAndSecondaryAuthentication\","
               "\"frequencyInterval\":\"timeBased\"},\"persistentBrowser\":{\"isEnabled\":true,"
               "\"mode\":\"Never\"},\"applicationEnforcedRestrictions\":{\"isEnabled\":true}}}",
               "{\"sessionControls\":{\"signInFrequency\":{\"isEnabled\":true,\"value\":4,"
               "\"type\":\"hours\"},\"persistentBrowser\":{\"isEnabled\":true,\"mode\":\"never\"},"
               "\"applicationEnforcedRestrictions\":{\"isEnabled\":true}}}");
    check_norm(NK_CA_POLICY,
               "{\"sessionControls\":{\"signInFrequency\":{\"isEnabled\":true,\"value\":null,"
               "\"type\":null,\"frequencyInterval\":\"everyTime\"}}}",
               "{\"sessionControls\":{\"signInFrequency\":{\"isEnabled\":true,"
               "\"frequencyInterval\":\"everyTime\"}}}");
}

static void test_guest_types_flags(void **state)
{
    (void)state;
    check_norm(
        NK_CA_POLICY,
        "{\"conditions\":{\"users\":{\"includeGuestsOrExternalUsers\":{"
        "\"guestOrExternalUserTypes\":\" serviceProvider, InternalGuest,,b2bCollaborationGuest\","
        "\"externalTenants\":{\"@odata.type\":\"#microsoft.graph."
        "conditionalAccessAllExternalTenants\","
        "\"membershipKind\":\"all\"}}}}}",
        "{\"conditions\":{\"users\":{\"includeGuestsOrExternalUsers\":{"
        "\"guestOrExternalUserTypes\":\"b2bCollaborationGuest,internalGuest,serviceProvider\"}}}}");
}

static void test_external_tenants(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY,
         "{\"conditions\":{\"users\":{\"excludeGuestsOrExternalUsers\":{"
         "\"guestOrExternalUserTypes\":\"internalGuest\",\"externalTenants\":{\"membershipKind\":"
         "\"All\",\"members\":[]}}}}}",
         "{\"conditions\":{\"users\":{\"excludeGuestsOrExternalUsers\":{"
         "\"guestOrExternalUserTypes\":\"internalGuest\"}}}}");
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"users\":{\"includeGuestsOrExternalUsers\":{"
               "\"guestOrExternalUserTypes\":\"otherExternalUser\",\"externalTenants\":{"
               "\"@odata.type\":\"#microsoft.graph.conditionalAccessEnumeratedExternalTenants\","
               "\"membershipKind\":\"enumerated\",\"members\":[\"CCCCCCCC-0000-0000-0000-"
               "000000000003\"]}}}}}",
               "{\"conditions\":{\"users\":{\"includeGuestsOrExternalUsers\":{"
               "\"guestOrExternalUserTypes\":\"otherExternalUser\",\"externalTenants\":{"
               "\"membershipKind\":\"enumerated\",\"members\":[\"cccccccc-0000-0000-0000-"
               "000000000003\"]}}}}}");
}

static void test_transfer_methods_and_insider(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY,
         "{\"conditions\":{\"authenticationFlows\":{\"transferMethods\":\"deviceCodeFlow,"
         "authenticationTransfer\"}}}",
         "{\"conditions\":{\"authenticationFlows\":{\"transferMethods\":\"AuthenticationTransfer , "
         "devicecodeflow\"}}}");
    check_norm(NK_CA_POLICY,
               "{\"conditions\":{\"insiderRiskLevels\":\"Elevated\",\"authenticationFlows\":{"
               "\"transferMethods\":\"\"}}}",
               "{\"conditions\":{\"insiderRiskLevels\":\"elevated\"}}");
}

static void test_grant_controls(void **state)
{
    (void)state;
    check_norm(
        NK_CA_POLICY,
        "{\"grantControls\":{\"operator\":\"and\",\"builtInControls\":[\"MFA\",\"compliantDevice\","
        "\"mfa\"],"
        "\"customAuthenticationFactors\":[],\"termsOfUse\":[\"DDDDDDDD-0000-0000-0000-"
        "000000000004\"],"
        "\"authenticationStrength@odata.context\":\"https://x\",\"authenticationStrength\":null}}",
        "{\"grantControls\":{\"operator\":\"AND\",\"builtInControls\":[\"compliantDevice\",\"mfa\"]"
        ","
        "\"termsOfUse\":[\"dddddddd-0000-0000-0000-000000000004\"]}}");
    /* the expanded strength from a GET equals the reference in a request */
    SAME(NK_CA_POLICY,
         "{\"grantControls\":{\"operator\":\"OR\",\"authenticationStrength\":{\"id\":"
         "\"00000000-0000-0000-0000-000000000004\",\"displayName\":\"Phishing resistant MFA\","
         "\"policyType\":\"builtIn\",\"allowedCombinations\":[\"fido2\"],"
         "\"#microsoft.graph.usage\":{\"title\":\"u\"}}}}",
         "{\"grantControls\":{\"operator\":\"OR\",\"authenticationStrength\":{\"@odata.type\":"
         "\"#microsoft.graph.authenticationStrengthPolicy\",\"id\":\"00000000-0000-0000-0000-"
         "000000000004\"}}}");
}

static void test_grant_controls_empty_and_operator(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY, POL("", ""),
         POL("", ",\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[],"
                 "\"customAuthenticationFactors\":[],\"termsOfUse\":[],\"authenticationStrength\":"
                 "null}"));
    /* with one control the operator has no effect */
    SAME(NK_CA_POLICY, "{\"grantControls\":{\"operator\":\"AND\",\"builtInControls\":[\"mfa\"]}}",
         "{\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}");
    DIFF(NK_CA_POLICY,
         "{\"grantControls\":{\"operator\":\"AND\",\"builtInControls\":[\"mfa\","
         "\"compliantDevice\"]}}",
         "{\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\",\"compliantDevice\"]"
         "}}");
}

static void test_beta_fields_kept(void **state)
{
    (void)state;
    DIFF(
        NK_CA_POLICY, POL("", ""),
        POL("",
            ",\"sessionControls\":{\"continuousAccessEvaluation\":{\"mode\":\"strictLocation\"}}"));
    DIFF(NK_CA_POLICY, POL("", ""), POL(",\"times\":{\"included\":[\"x\"]}", ""));
    check_norm(
        NK_CA_POLICY,
        "{\"sessionControls\":{\"secureSignInSession\":{\"isEnabled\":false},"
        "\"continuousAccessEvaluation\":{\"mode\":\"STRICTLOCATION\"}},"
        "\"conditions\":{\"agents\":null,\"applications\":{\"networkAccess\":{"
        "\"includeTrafficProfiles\":\"m365\"}}}}",
        "{\"sessionControls\":{\"continuousAccessEvaluation\":{\"mode\":\"strictLocation\"}},"
        "\"conditions\":{\"applications\":{\"networkAccess\":{\"includeTrafficProfiles\":\"m365\"}}"
        "}}");
}

static void test_key_casing(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY, "{\"GrantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}}",
         "{\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}}");
    /* both spellings present: the odd one is kept so that a diff shows it */
    DIFF(NK_CA_POLICY,
         "{\"grantControls\":{\"builtInControls\":[\"block\"]},\"GrantControls\":{"
         "\"builtInControls\":[\"mfa\"]}}",
         "{\"grantControls\":{\"builtInControls\":[\"block\"]}}");
    SAME(NK_NAMED_LOCATION, "{\"displayname\":\"X\",\"ipRanges\":[]}", "{\"displayName\":\"X\"}");
}

static void test_state_description_name(void **state)
{
    (void)state;
    SAME(NK_CA_POLICY, "{\"state\":\"EnabledForReportingButNotEnforced\"}",
         "{\"state\":\"enabledForReportingButNotEnforced\"}");
    SAME(NK_CA_POLICY, "{\"description\":\"\",\"displayName\":\"A\"}", "{\"displayName\":\"A\"}");
    SAME(NK_CA_POLICY, "{\"description\":null}", "{}");
    DIFF(NK_CA_POLICY, "{\"displayName\":\"CA001 Block\"}", "{\"displayName\":\"ca001 block\"}");
    DIFF(NK_CA_POLICY, "{\"state\":\"enabled\"}", "{\"state\":\"disabled\"}");
}

static void test_idempotent_and_input_untouched(void **state)
{
    (void)state;
    const char *src =
        "{\"id\":\"X\",\"displayName\":\"P\",\"state\":\"ENABLED\",\"conditions\":{"
        "\"clientAppTypes\":[\"Browser\",\"other\"],\"platforms\":{\"excludePlatforms\":[\"IOS\"]},"
        "\"users\":{\"includeUsers\":[\"all\"],\"excludeGroups\":[\"B-0000-0000\",\"A1B2C3D4-0000-"
        "0000-0000-000000000000\"],"
        "\"includeGuestsOrExternalUsers\":{\"guestOrExternalUserTypes\":\"serviceProvider,"
        "internalGuest\","
        "\"externalTenants\":{\"membershipKind\":\"all\"}}},\"applications\":{"
        "\"includeApplications\":[\"all\"]}},"
        "\"grantControls\":{\"operator\":\"or\",\"builtInControls\":[\"mfa\"],"
        "\"authenticationStrength\":{\"id\":\"X-Y\"}},"
        "\"sessionControls\":{\"signInFrequency\":{\"value\":1,\"type\":\"days\"}}}";
    json_t *in = parse(src);
    char *before = dump(in);
    json_t *n1 = normalize(NK_CA_POLICY, in);
    json_t *n2 = normalize(NK_CA_POLICY, n1);
    assert_true(json_equal(n1, n2));
    char *after = dump(in);
    assert_string_equal(before, after);
    /* operator normalised to OR: two controls (mfa + strength) keep the given operator */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(n1, "grantControls"), "operator")), "OR");
    free(before);
    free(after);
    json_decref(in);
    json_decref(n1);
    json_decref(n2);
}

static void test_named_location_ip(void **state)
{
    (void)state;
    check_norm(
        NK_NAMED_LOCATION,
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"1\",\"displayName\":\"HQ\","
        "\"createdDateTime\":\"t\",\"modifiedDateTime\":\"t\",\"isTrusted\":false,\"ipRanges\":["
        "{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\",\"cidrAddress\":\"2001:0:9D38:90d6:0:"
        "0:0:0/63\"},"
        "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\" "
        "12.34.221.11/22\"}]}",
        "{\"kind\":\"ipNamedLocation\",\"displayName\":\"HQ\",\"ipRanges\":["
        "\"12.34.221.11/22\",\"2001:0:9d38:90d6::/63\"]}");
    /* TF sends IPv6 as iPv4CidrRange; no @odata.type at all: the kind is inferred */
    SAME(NK_NAMED_LOCATION,
         "{\"displayName\":\"HQ\",\"isTrusted\":null,\"ipRanges\":[{\"@odata.type\":"
         "\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"2001:0:9d38:90d6::/63\"}]}",
         "{\"@odata.type\":\"#microsoft.graph.IPNamedLocation\",\"displayName\":\"HQ\","
         "\"ipRanges\":["
         "{\"cidrAddress\":\"2001:0000:9d38:90d6:0000:0000:0000:0000/63\"}]}");
    DIFF(NK_NAMED_LOCATION,
         "{\"displayName\":\"HQ\",\"isTrusted\":true,\"ipRanges\":[\"1.2.3.4/32\"]}",
         "{\"displayName\":\"HQ\",\"ipRanges\":[\"1.2.3.4/32\"]}");
}

static void test_named_location_country(void **state)
{
    (void)state;
    check_norm(
        NK_NAMED_LOCATION,
        "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"displayName\":\"C\","
        "\"countriesAndRegions@odata.type\":\"#Collection(String)\",\"countriesAndRegions\":["
        "\"nl\",\"BE\",\"NL\"],"
        "\"includeUnknownCountriesAndRegions\":false,\"countryLookupMethod\":\"clientIpAddress\"}",
        "{\"kind\":\"countryNamedLocation\",\"displayName\":\"C\",\"countriesAndRegions\":[\"BE\","
        "\"NL\"]}");
    DIFF(NK_NAMED_LOCATION,
         "{\"countriesAndRegions\":[\"BE\"],\"countryLookupMethod\":\"authenticatorAppGps\"}",
         "{\"countriesAndRegions\":[\"BE\"]}");
}

static void test_auth_strength(void **state)
{
    (void)state;
    check_norm(
        NK_AUTH_STRENGTH,
        "{\"id\":\"x\",\"displayName\":\"S\",\"description\":\"\",\"policyType\":\"custom\","
        "\"requirementsSatisfied\":\"mfa\",\"createdDateTime\":\"t\",\"allowedCombinations\":["
        "\"password, sms\",\"Fido2\",\"sms,password\"],\"combinationConfigurations\":[]}",
        "{\"displayName\":\"S\",\"allowedCombinations\":[\"fido2\",\"password,sms\"]}");
}

static void test_auth_method_config(void **state)
{
    (void)state;
    check_norm(
        NK_AUTH_METHOD_CONFIG,
        "{\"@odata.type\":\"#microsoft.graph.fido2AuthenticationMethodConfiguration\","
        "\"id\":\"fido2\",\"state\":\"Enabled\",\"isAttestationEnforced\":true,"
        "\"includeTargets@odata.context\":\"x\",\"includeTargets\":[{\"targetType\":\"group\","
        "\"id\":\"ALL_USERS\",\"isRegistrationRequired\":false,\"numberMatchingRequiredState\":"
        "\"default\"}],"
        "\"excludeTargets\":[],\"keyRestrictions\":{\"isEnforced\":false,\"enforcementType\":"
        "\"block\","
        "\"aaGuids\":[]}}",
        "{\"kind\":\"fido2AuthenticationMethodConfiguration\",\"id\":\"Fido2\",\"state\":"
        "\"enabled\","
        "\"isAttestationEnforced\":true,\"includeTargets\":[{\"targetType\":\"group\",\"id\":\"all_"
        "users\"}],"
        "\"keyRestrictions\":{\"isEnforced\":false,\"enforcementType\":\"block\"}}");
}

static void test_auth_methods_policy(void **state)
{
    (void)state;
    check_norm(
        NK_AUTH_METHODS_POLICY,
        "{\"id\":\"authenticationMethodsPolicy\",\"displayName\":\"Authentication Methods Policy\","
        "\"policyVersion\":\"1.4\",\"lastModifiedDateTime\":\"t\",\"policyMigrationState\":"
        "\"MigrationComplete\","
        "\"registrationEnforcement\":{\"authenticationMethodsRegistrationCampaign\":{"
        "\"snoozeDurationInDays\":1,\"state\":\"default\",\"excludeTargets\":[],\"includeTargets\":"
        "[]}},"
        "\"authenticationMethodConfigurations@odata.context\":\"x\","
        "\"authenticationMethodConfigurations\":["
        "{\"@odata.type\":\"#microsoft.graph.smsAuthenticationMethodConfiguration\",\"id\":\"Sms\","
        "\"state\":\"disabled\"}]}",
        "{\"policyMigrationState\":\"migrationComplete\",\"registrationEnforcement\":{"
        "\"authenticationMethodsRegistrationCampaign\":{\"snoozeDurationInDays\":1,\"state\":"
        "\"default\"}},"
        "\"authenticationMethodConfigurations\":{\"Sms\":{\"kind\":"
        "\"smsAuthenticationMethodConfiguration\","
        "\"id\":\"Sms\",\"state\":\"disabled\"}}}");
}

static void test_group(void **state)
{
    (void)state;
    SAME(NK_GROUP,
         "{\"id\":\"1\",\"displayName\":\"G\",\"mailEnabled\":false,\"securityEnabled\":true,"
         "\"mailNickname\":\"g\",\"groupTypes\":[],\"isAssignableToRole\":false,"
         "\"createdDateTime\":\"t\","
         "\"securityIdentifier\":\"S-1\",\"proxyAddresses\":[],\"mail\":null,\"visibility\":null,"
         "\"members\":[{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"AAAAAAAA-0000-0000-0000-"
         "000000000001\"}]}",
         "{\"displayName\":\"G\",\"mailEnabled\":false,\"securityEnabled\":true,\"mailNickname\":"
         "\"g\","
         "\"members@odata.bind\":[\"https://graph.microsoft.com/v1.0/directoryObjects/"
         "aaaaaaaa-0000-0000-0000-000000000001\"]}");
    DIFF(NK_GROUP, "{\"displayName\":\"G\",\"isAssignableToRole\":true}",
         "{\"displayName\":\"G\"}");
    check_norm(NK_GROUP,
               "{\"groupTypes\":[\"dynamicmembership\",\"Unified\"],"
               "\"membershipRuleProcessingState\":\"on\"}",
               "{\"groupTypes\":[\"DynamicMembership\",\"Unified\"],"
               "\"membershipRuleProcessingState\":\"On\"}");
}

static void test_group_setting(void **state)
{
    (void)state;
    check_norm(
        NK_GROUP_SETTING,
        "{\"id\":\"s\",\"displayName\":\"Group.Unified\",\"templateId\":\"62375AB9-6B52-47ED-826B-"
        "58E47E0E304B\","
        "\"values\":[{\"name\":\"EnableGroupCreation\",\"value\":\"False\"},"
        "{\"name\":\"GroupCreationAllowedGroupId\",\"value\":\"ABCDEF01-0000-0000-0000-"
        "000000000000\"},"
        "{\"name\":\"AllowToAddGuests\",\"value\":\"True\"},{\"name\":\"UsageGuidelinesUrl\","
        "\"value\":\"\"},"
        "{\"name\":\"allowguestsToAccessGroups\",\"value\":\"false\"}]}",
        "{\"templateId\":\"62375ab9-6b52-47ed-826b-58e47e0e304b\",\"values\":{"
        "\"EnableGroupCreation\":\"false\",\"GroupCreationAllowedGroupId\":"
        "\"abcdef01-0000-0000-0000-000000000000\",\"AllowGuestsToAccessGroups\":\"false\"}}");
}

static void test_tenant_switches(void **state)
{
    (void)state;
    check_norm(NK_AUTHORIZATION_POLICY,
               "{\"@odata.context\":\"x\",\"id\":\"authorizationPolicy\",\"displayName\":"
               "\"Authorization Policy\","
               "\"allowInvitesFrom\":\"Everyone\",\"guestUserRoleId\":\"10DAE51F-B6AF-4016-8D66-"
               "8C2A99B929B3\","
               "\"blockMsolPowerShell\":false,\"defaultUserRolePermissions\":{"
               "\"allowedToCreateSecurityGroups\":true,"
               "\"permissionGrantPoliciesAssigned\":[\"managePermissionGrantsForSelf.b\","
               "\"ManagePermissionGrantsForOwnedResource.team\","
               "\"ManagePermissionGrantsForSelf.a\"]}}",
               "{\"allowInvitesFrom\":\"everyone\",\"guestUserRoleId\":\"10dae51f-b6af-4016-8d66-"
               "8c2a99b929b3\","
               "\"blockMsolPowerShell\":false,\"defaultUserRolePermissions\":{"
               "\"allowedToCreateSecurityGroups\":true,"
               "\"permissionGrantPoliciesAssigned\":[\"ManagePermissionGrantsForSelf.a\","
               "\"ManagePermissionGrantsForSelf.b\"]}}");
    /* user consent off: [] is kept, the group-owner consent entries are not the setting */
    check_same(NK_AUTHORIZATION_POLICY,
               "{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":[]}}",
               "{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":["
               "\"ManagePermissionGrantsForOwnedResource.team\"]}}",
               true);
    check_same(NK_AUTHORIZATION_POLICY,
               "{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":[]}}",
               "{\"defaultUserRolePermissions\":{\"permissionGrantPoliciesAssigned\":["
               "\"ManagePermissionGrantsForSelf.microsoft-user-default-legacy\"]}}",
               false);
    /* the admin consent workflow: Graph's GET (published example shape) equals idpc's body */
    check_same(NK_ADMIN_CONSENT,
               "{\"@odata.context\":\"x\",\"isEnabled\":true,\"notifyReviewers\":false,"
               "\"remindersEnabled\":false,\"requestDurationInDays\":30,\"version\":3,"
               "\"reviewers\":[{\"query\":\"/users/906E0EE5-6372-4CC8-8248-FDF2846B48ED\","
               "\"queryType\":\"MicrosoftGraph\",\"queryRoot\":null},"
               "{\"query\":\"/v1.0/groups/ab-1\",\"queryType\":\"MicrosoftGraph\"},"
               "{\"query\":\"/roleManagement/directory/roleAssignments?$filter=roleDefinitionId "
               "eq 'x'\",\"queryType\":\"MicrosoftGraph\",\"queryRoot\":null}]}",
               "{\"isEnabled\":true,\"notifyReviewers\":false,\"remindersEnabled\":false,"
               "\"requestDurationInDays\":30,\"reviewers\":["
               "{\"query\":\"/beta/roleManagement/directory/roleAssignments?$filter="
               "roleDefinitionId eq 'x'\",\"queryType\":\"MicrosoftGraph\"},"
               "{\"query\":\"/groups/ab-1/transitiveMembers/microsoft.graph.user\","
               "\"queryType\":\"MicrosoftGraph\"},"
               "{\"query\":\"/users/906e0ee5-6372-4cc8-8248-fdf2846b48ed\"}]}",
               true);
    check_same(NK_ADMIN_CONSENT, "{\"isEnabled\":true,\"reviewers\":[{\"query\":\"/users/a\"}]}",
               "{\"isEnabled\":true,\"reviewers\":[]}", false);
    check_same(NK_ADMIN_CONSENT, "{\"isEnabled\":false}", "{\"isEnabled\":true}", false);
    check_norm(
        NK_SECURITY_DEFAULTS,
        "{\"id\":\"00000000-0000-0000-0000-000000000005\",\"displayName\":\"Security Defaults\","
        "\"description\":\"d\",\"isEnabled\":false}",
        "{\"isEnabled\":false}");
}

static void test_roles(void **state)
{
    (void)state;
    check_norm(
        NK_ROLE_ASSIGNMENT,
        "{\"@odata.type\":\"#microsoft.graph.unifiedRoleAssignment\",\"id\":\"opaque-1\","
        "\"roleDefinitionId\":\"62E90394-69F5-4237-9190-012177145E10\",\"principalId\":\"AB-CD-"
        "EF12\","
        "\"directoryScopeId\":\"/administrativeUnits/ABCDEF01-0000-0000-0000-000000000000\","
        "\"appScopeId\":null,\"condition\":null,\"principal\":{\"id\":\"x\"}}",
        "{\"roleDefinitionId\":\"62e90394-69f5-4237-9190-012177145e10\",\"principalId\":\"ab-cd-"
        "ef12\","
        "\"directoryScopeId\":\"/administrativeUnits/abcdef01-0000-0000-0000-000000000000\"}");
    check_norm(NK_ROLE_ELIGIBILITY,
               "{\"id\":\"r\",\"status\":\"Provisioned\",\"action\":\"adminAssign\","
               "\"justification\":\"j\","
               "\"principalId\":\"p\",\"roleDefinitionId\":\"r\",\"directoryScopeId\":\"/"
               "\",\"scheduleInfo\":{"
               "\"startDateTime\":\"2024-01-01T00:00:00Z\",\"recurrence\":null,\"expiration\":{"
               "\"type\":\"NoExpiration\",\"endDateTime\":null,\"duration\":null}}}",
               "{\"principalId\":\"p\",\"roleDefinitionId\":\"r\",\"directoryScopeId\":\"/"
               "\",\"scheduleInfo\":{"
               "\"expiration\":{\"type\":\"noExpiration\"}}}");
}

/* An authentication context as GET returns it equals the body the compiler writes; unpublishing
 * it is a change, and a null description is no description. */
static void test_auth_context(void **state)
{
    (void)state;
    check_norm(NK_AUTH_CONTEXT,
               "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#identity/"
               "conditionalAccess/authenticationContextClassReferences/$entity\",\"id\":\"c1\","
               "\"displayName\":\"Sensitive data\",\"description\":null,\"isAvailable\":true}",
               "{\"displayName\":\"Sensitive data\",\"isAvailable\":true}");
    check_norm(NK_AUTH_CONTEXT, "{\"id\":\"c2\",\"description\":\"\",\"isAvailable\":false}",
               "{\"isAvailable\":false}");
    assert_string_equal(normalize_kind_name(NK_AUTH_CONTEXT), "auth_context");
}

/* Time-bound active assignments: the schedule request idpc sends and the assignment read back
 * with its PIM schedule merged in compare equal; a schedule that never expires is none. */
static void test_active_schedule(void **state)
{
    (void)state;
#define RA "\"roleDefinitionId\":\"62E90394-69F5-4237-9190-012177145E10\",\"principalId\":\"p1\""
    SAME(NK_ROLE_ASSIGNMENT,
         "{\"action\":\"adminAssign\",\"justification\":\"Managed by idpc\"," RA
         ",\"directoryScopeId\":\"/\",\"scheduleInfo\":{\"expiration\":{\"type\":"
         "\"afterDateTime\",\"endDateTime\":\"2027-03-31T00:00:00Z\"}}}",
         "{\"id\":\"x-1\"," RA ",\"directoryScopeId\":\"/\",\"scheduleInfo\":{"
         "\"startDateTime\":\"2026-12-06T10:00:00.123Z\",\"recurrence\":null,\"expiration\":{"
         "\"type\":\"afterDateTime\",\"endDateTime\":\"2027-03-31T00:00:00.0000000Z\","
         "\"duration\":null}}}");
    SAME(NK_ROLE_ASSIGNMENT, "{" RA ",\"directoryScopeId\":\"/\"}",
         "{" RA ",\"directoryScopeId\":\"/\",\"scheduleInfo\":{\"expiration\":{\"type\":"
         "\"noExpiration\"}}}");
    DIFF(NK_ROLE_ASSIGNMENT, "{" RA ",\"directoryScopeId\":\"/\"}",
         "{" RA ",\"directoryScopeId\":\"/\",\"scheduleInfo\":{\"expiration\":{\"type\":"
         "\"afterDateTime\",\"endDateTime\":\"2027-03-31T00:00:00Z\"}}}");
#undef RA
    /* a scheduleInfo change alone is a renewal, not a replacement */
    struct jsondiff d;
    json_t *a = parse("{\"principalId\":\"p\",\"roleDefinitionId\":\"r\",\"scheduleInfo\":{"
                      "\"expiration\":{\"type\":\"afterDateTime\",\"endDateTime\":"
                      "\"2027-01-01T00:00:00Z\"}}}");
    json_t *b = parse("{\"principalId\":\"p\",\"roleDefinitionId\":\"r\",\"scheduleInfo\":{"
                      "\"expiration\":{\"type\":\"afterDateTime\",\"endDateTime\":"
                      "\"2027-06-01T00:00:00Z\"}}}");
    json_t *na = normalize(NK_ROLE_ASSIGNMENT, a), *nb = normalize(NK_ROLE_ASSIGNMENT, b);
    jsondiff_compute(na, nb, &d);
    assert_int_equal(d.n, 1);
    assert_false(jsondiff_requires_replace(NK_ROLE_ASSIGNMENT, &d, NULL));
    jsondiff_fini(&d);
    json_decref(a);
    json_decref(b);
    json_decref(na);
    json_decref(nb);
}

/* Users: what Graph computes or returns only (ids, sync state, the password profile) is not
 * compared; a null attribute is an absent one. */
static void test_user(void **state)
{
    (void)state;
    SAME(NK_USER,
         "{\"accountEnabled\":true,\"displayName\":\"Break Glass 1\",\"mailNickname\":\"bg1\","
         "\"userPrincipalName\":\"bg1@contoso.onmicrosoft.com\",\"usageLocation\":\"FR\","
         "\"passwordProfile\":{\"password\":{\"$env\":\"X\"}}}",
         "{\"id\":\"u1\",\"accountEnabled\":true,\"displayName\":\"Break Glass 1\","
         "\"mailNickname\":\"bg1\",\"userPrincipalName\":\"bg1@contoso.onmicrosoft.com\","
         "\"usageLocation\":\"FR\",\"givenName\":null,\"jobTitle\":null,\"userType\":\"Member\","
         "\"onPremisesSyncEnabled\":null,\"mail\":null}");
    DIFF(NK_USER, "{\"accountEnabled\":true}", "{\"accountEnabled\":false}");
    DIFF(NK_USER, "{\"usageLocation\":\"FR\"}", "{\"usageLocation\":null}");
    assert_string_equal(normalize_kind_name(NK_USER), "user");
}

/* PIM for Groups schedules: a GET result and the request that made it are equal. */
static void test_group_pim_schedule(void **state)
{
    (void)state;
    const char *want = "{\"accessId\":\"member\",\"groupId\":\"22e1b86a-ebd7-573f-bfcf-"
                       "19b9c4ac3e4f\",\"principalId\":\"58331a13-fe49-519f-95ac-480f972c3446\","
                       "\"scheduleInfo\":{\"expiration\":{\"endDateTime\":\"2027-11-30T00:00:00Z\","
                       "\"type\":\"afterDateTime\"}}}";
    check_norm(NK_GROUP_PIM_SCHEDULE,
               "{\"id\":\"x\",\"accessId\":\"member\",\"groupId\":\"22E1B86A-ebd7-573f-bfcf-"
               "19b9c4ac3e4f\",\"principalId\":\"58331a13-fe49-519f-95ac-480f972c3446\","
               "\"memberType\":\"direct\",\"status\":\"Provisioned\",\"createdUsing\":\"x\","
               "\"createdDateTime\":\"2026-12-06T23:00:00.1234567Z\",\"modifiedDateTime\":null,"
               "\"scheduleInfo\":{\"startDateTime\":\"2026-12-06T23:00:00Z\",\"recurrence\":null,"
               "\"expiration\":{\"type\":\"afterDateTime\",\"duration\":null,\"endDateTime\":"
               "\"2027-11-30T00:00:00.0000000Z\"}}}",
               want);
    check_norm(NK_GROUP_PIM_SCHEDULE,
               "{\"accessId\":\"member\",\"action\":\"adminAssign\",\"justification\":\"Managed "
               "by idpc\",\"groupId\":\"22e1b86a-ebd7-573f-bfcf-19b9c4ac3e4f\",\"principalId\":"
               "\"58331a13-fe49-519f-95ac-480f972c3446\",\"scheduleInfo\":{\"expiration\":"
               "{\"type\":\"afterDateTime\",\"endDateTime\":\"2027-11-30T00:00:00Z\"}}}",
               want);
    assert_string_equal(normalize_kind_name(NK_GROUP_PIM_SCHEDULE), "group_pim_schedule");
}

/* An access review definition as Graph returns it equals the body idpc sent: status, dates,
 * backupReviewers and the recurrence defaults Graph fills in are not differences. */
static void test_access_review(void **state)
{
    (void)state;
    const char *sent =
        "{\"displayName\":\"R\",\"scope\":{\"@odata.type\":\"#microsoft.graph."
        "accessReviewQueryScope\",\"query\":\"./members\",\"queryType\":\"MicrosoftGraph\"},"
        "\"reviewers\":[{\"query\":\"./owners\",\"queryType\":\"MicrosoftGraph\"}],"
        "\"settings\":{\"instanceDurationInDays\":14,\"autoApplyDecisionsEnabled\":true,"
        "\"recurrence\":{\"pattern\":{\"type\":\"absoluteMonthly\",\"interval\":3},"
        "\"range\":{\"type\":\"noEnd\",\"startDate\":\"2027-01-04\"}}}}";
    const char *got =
        "{\"id\":\"d\",\"status\":\"InProgress\",\"createdDateTime\":\"2026-01-01T00:00:00Z\","
        "\"lastModifiedDateTime\":\"2026-01-01T00:00:00Z\",\"createdBy\":{\"id\":\"x\"},"
        "\"displayName\":\"R\",\"scope\":{\"@odata.type\":\"#microsoft.graph."
        "accessReviewQueryScope\",\"query\":\"./members\",\"queryType\":\"MicrosoftGraph\","
        "\"queryRoot\":null},\"reviewers\":[{\"query\":\"./owners\",\"queryType\":"
        "\"MicrosoftGraph\",\"queryRoot\":null}],\"backupReviewers\":[],\"settings\":{"
        "\"instanceDurationInDays\":14,\"autoApplyDecisionsEnabled\":true,\"applyActions\":[],"
        "\"decisionHistoriesForReviewersEnabled\":false,\"recurrence\":{\"pattern\":{\"type\":"
        "\"absoluteMonthly\",\"interval\":3,\"month\":0,\"dayOfMonth\":0,\"daysOfWeek\":[],"
        "\"firstDayOfWeek\":\"sunday\",\"index\":\"first\"},\"range\":{\"type\":\"noEnd\","
        "\"numberOfOccurrences\":0,\"recurrenceTimeZone\":null,\"startDate\":\"2027-01-04\","
        "\"endDate\":\"9999-12-31\"}}}}";
    json_t *a = parse(sent), *b = parse(got);
    assert_true(normalize_equal(NK_ACCESS_REVIEW, a, b));
    json_object_set_new(json_object_get(b, "settings"), "instanceDurationInDays", json_integer(7));
    assert_false(normalize_equal(NK_ACCESS_REVIEW, a, b));
    json_decref(a);
    json_decref(b);
    assert_string_equal(normalize_kind_name(NK_ACCESS_REVIEW), "access_review");
}

static void test_role_policy(void **state)
{
    (void)state;
    /* the rules' settings in the language's words; target, types and policy fields dropped */
    check_norm(NK_ROLE_POLICY,
               "{\"id\":\"DirectoryRole_x\",\"scopeId\":\"/\",\"rules\":["
               "{\"@odata.type\":\"#microsoft.graph.unifiedRoleManagementPolicyExpirationRule\","
               "\"id\":\"Expiration_EndUser_Assignment\",\"isExpirationRequired\":true,"
               "\"maximumDuration\":\"PT24H\",\"target\":{\"caller\":\"EndUser\"}},"
               "{\"id\":\"Expiration_Admin_Eligibility\",\"isExpirationRequired\":false,"
               "\"maximumDuration\":\"P365D\"},"
               "{\"id\":\"Expiration_Admin_Assignment\",\"isExpirationRequired\":true,"
               "\"maximumDuration\":\"P180D\"},"
               "{\"id\":\"Enablement_EndUser_Assignment\",\"enabledRules\":[\"Ticketing\","
               "\"MultiFactorAuthentication\",\"Justification\",\"Justification\"]},"
               "{\"id\":\"AuthenticationContext_EndUser_Assignment\",\"isEnabled\":false,"
               "\"claimValue\":\"c1\"},"
               "{\"id\":\"Approval_EndUser_Assignment\",\"setting\":{\"isApprovalRequired\":"
               "true,\"approvalStages\":[{\"primaryApprovers\":[{\"groupId\":\"BBB\"},"
               "{\"userId\":\"AAA\"}]}]}},"
               "{\"id\":\"Notification_Admin_EndUser_Assignment\",\"notificationLevel\":"
               "\"Critical\",\"isDefaultRecipientsEnabled\":false,\"notificationRecipients\":"
               "[\"SecOps@Contoso.com\",\"a@contoso.com\"]}]}",
               "{\"Expiration_EndUser_Assignment\":\"24h\",\"Expiration_Admin_Eligibility\":"
               "\"permanent\",\"Expiration_Admin_Assignment\":\"180d\","
               "\"Enablement_EndUser_Assignment\":[\"justification\",\"mfa\",\"ticket\"],"
               "\"AuthenticationContext_EndUser_Assignment\":\"none\","
               "\"Approval_EndUser_Assignment\":[\"aaa\",\"bbb\"],"
               "\"Notification_Admin_EndUser_Assignment\":"
               "\"critical no_default \\\"a@contoso.com\\\", \\\"secops@contoso.com\\\"\"}");
    /* durations by length: a day is 24 hours; hours and minutes together */
    check_norm(NK_ROLE_POLICY,
               "{\"rules\":[{\"id\":\"Expiration_EndUser_Assignment\",\"isExpirationRequired\":"
               "true,\"maximumDuration\":\"P1D\"},{\"id\":\"Expiration_Admin_Assignment\","
               "\"isExpirationRequired\":true,\"maximumDuration\":\"PT1H30M\"}]}",
               "{\"Expiration_EndUser_Assignment\":\"24h\",\"Expiration_Admin_Assignment\":"
               "\"90m\"}");
    /* approval off: no approvers, whatever the stages hold */
    check_norm(NK_ROLE_POLICY,
               "{\"rules\":[{\"id\":\"Approval_EndUser_Assignment\",\"setting\":{"
               "\"isApprovalRequired\":false,\"approvalStages\":[{\"primaryApprovers\":[{"
               "\"userId\":\"AAA\"}]}]}}]}",
               "{\"Approval_EndUser_Assignment\":[]}");
    /* an eligibility's end: Graph's fractional seconds are not a difference */
    check_norm(NK_ROLE_ELIGIBILITY,
               "{\"principalId\":\"p\",\"scheduleInfo\":{\"expiration\":{\"type\":"
               "\"AfterDateTime\",\"endDateTime\":\"2027-06-30T00:00:00.0000000Z\"}}}",
               "{\"principalId\":\"p\",\"scheduleInfo\":{\"expiration\":{\"type\":"
               "\"afterDateTime\",\"endDateTime\":\"2027-06-30T00:00:00Z\"}}}");
}

static void test_guid_shape(void **state)
{
    (void)state;
    assert_true(normalize_is_guid("62e90394-69f5-4237-9190-012177145e10"));
    assert_true(normalize_is_guid("62E90394-69F5-4237-9190-012177145E10"));
    assert_false(normalize_is_guid("62e90394-69f5-4237-9190-012177145e1"));
    assert_false(normalize_is_guid("45555555-3440-4dgg-bhh1-6b99999999b4"));
    assert_false(normalize_is_guid(""));
    assert_string_equal(normalize_kind_name(NK_NAMED_LOCATION), "named_location");
}

/* ---------------------------------------------------------------------------------------- */
/* jsondiff                                                                                   */

static const struct jsondiff_change *find_change(const struct jsondiff *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->v[i].path, path) == 0)
            return &d->v[i];
    return NULL;
}

static void test_diff_sets_and_scalars(void **state)
{
    (void)state;
    json_t *a = parse("{\"state\":\"enabledForReportingButNotEnforced\",\"conditions\":{\"users\":{"
                      "\"excludeGroups\":[\"g1\",\"g2\"],\"includeUsers\":[\"All\"]}},\"x\":1}");
    json_t *b =
        parse("{\"state\":\"enabled\",\"conditions\":{\"users\":{"
              "\"excludeGroups\":[\"g2\",\"g3\"],\"includeUsers\":[\"All\"]},"
              "\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"l1\"]}}}");
    struct jsondiff d;
    assert_int_equal(jsondiff_compute(a, b, &d), 5);
    /* sorted by path */
    assert_string_equal(d.v[0].path, "conditions.locations.excludeLocations");
    assert_string_equal(d.v[1].path, "conditions.locations.includeLocations");
    const struct jsondiff_change *c = find_change(&d, "conditions.users.excludeGroups");
    assert_non_null(c);
    assert_int_equal(c->op, JSONDIFF_CHANGE);
    assert_int_equal(json_array_size(c->added), 1);
    assert_string_equal(json_string_value(json_array_get(c->added, 0)), "g3");
    assert_string_equal(json_string_value(json_array_get(c->removed, 0)), "g1");
    c = find_change(&d, "state");
    assert_non_null(c);
    assert_int_equal(c->op, JSONDIFF_CHANGE);
    assert_string_equal(json_string_value(c->old_value), "enabledForReportingButNotEnforced");
    assert_string_equal(json_string_value(c->new_value), "enabled");
    assert_null(c->added);
    c = find_change(&d, "x");
    assert_int_equal(c->op, JSONDIFF_REMOVE);
    assert_null(c->new_value);
    c = find_change(&d, "conditions.locations.excludeLocations");
    assert_int_equal(c->op, JSONDIFF_ADD);
    assert_int_equal(json_array_size(c->added), 1);
    assert_int_equal(json_array_size(c->removed), 0);
    assert_true(jsondiff_touches(&d, "conditions"));
    assert_true(jsondiff_touches(&d, "conditions.users"));
    assert_false(jsondiff_touches(&d, "conditions.user"));
    assert_false(jsondiff_touches(&d, "grantControls"));
    assert_string_equal(jsondiff_op_name(JSONDIFF_ADD), "add");
    jsondiff_fini(&d);
    assert_int_equal(jsondiff_compute(a, a, &d), 0);
    jsondiff_fini(&d);
    json_decref(a);
    json_decref(b);
}

static void test_diff_partial_and_escape(void **state)
{
    (void)state;
    json_t *a = parse("{\"allowInvitesFrom\":\"everyone\",\"blockMsolPowerShell\":true,"
                      "\"values\":{\"a.b\":\"1\"}}");
    json_t *b = parse("{\"allowInvitesFrom\":\"none\",\"values\":{\"a.b\":\"2\"}}");
    struct jsondiff d;
    assert_int_equal(jsondiff_compute_partial(a, b, &d), 2);
    assert_string_equal(d.v[0].path, "allowInvitesFrom");
    assert_string_equal(d.v[1].path, "values.a\\.b");
    jsondiff_fini(&d);
    assert_int_equal(jsondiff_compute(a, b, &d), 3);
    assert_non_null(find_change(&d, "blockMsolPowerShell"));
    jsondiff_fini(&d);
    json_decref(a);
    json_decref(b);
}

/* Diff of the normalised forms, then the PATCH body. */
static json_t *patch_for(enum normalize_kind kind, const char *cur, const char *want,
                         struct jsondiff *d)
{
    json_t *c = parse(cur), *w = parse(want);
    json_t *nc = normalize(kind, c), *nw = normalize(kind, w);
    jsondiff_compute(nc, nw, d);
    json_t *body = jsondiff_patch_body(kind, w, c, d);
    json_decref(c);
    json_decref(w);
    json_decref(nc);
    json_decref(nw);
    return body;
}

static void test_patch_ca_policy(void **state)
{
    (void)state;
    struct jsondiff d;
    const char *cur =
        "{\"id\":\"p1\",\"displayName\":\"P\",\"state\":\"enabled\",\"conditions\":{"
        "\"clientAppTypes\":[\"all\"],\"applications\":{\"includeApplications\":[\"All\"]},"
        "\"users\":{\"includeUsers\":[\"All\"],\"excludeGroups\":[\"g1\"]},"
        "\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"AllTrusted\"]}},"
        "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]},"
        "\"sessionControls\":{\"signInFrequency\":{\"isEnabled\":true,\"value\":1,\"type\":"
        "\"days\"}}}";
    const char *want = "{\"displayName\":\"P\",\"state\":\"enabled\",\"conditions\":{"
                       "\"applications\":{\"includeApplications\":[\"All\"]},"
                       "\"users\":{\"includeUsers\":[\"All\"],\"excludeGroups\":[\"g1\",\"g2\"]}},"
                       "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]},"
                       "\"sessionControls\":{\"signInFrequency\":{\"isEnabled\":false}}}";
    json_t *body = patch_for(NK_CA_POLICY, cur, want, &d);
    assert_non_null(body);
    assert_null(json_object_get(body, "displayName"));
    assert_null(json_object_get(body, "grantControls"));
    assert_true(json_is_null(json_object_get(body, "sessionControls")));
    json_t *cond = json_object_get(body, "conditions");
    assert_non_null(cond);
    assert_true(json_is_null(json_object_get(cond, "locations")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(cond, "clientAppTypes"), 0)), "all");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(cond, "users"), "excludeGroups")), 2);
    json_decref(body);
    jsondiff_fini(&d);

    /* no change: nothing to send */
    body = patch_for(NK_CA_POLICY, cur, cur, &d);
    assert_null(body);
    assert_int_equal(d.n, 0);
    jsondiff_fini(&d);

    /* authentication strength goes by reference; guests get externalTenants */
    body = patch_for(
        NK_CA_POLICY, "{\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}",
        "{\"grantControls\":{\"operator\":\"OR\",\"authenticationStrength\":{\"id\":\"s1\","
        "\"displayName\":\"x\"}},\"conditions\":{\"users\":{\"includeGuestsOrExternalUsers\":{"
        "\"guestOrExternalUserTypes\":\"internalGuest\"}}}}",
        &d);
    json_t *ref = json_object_get(json_object_get(body, "grantControls"), "authenticationStrength");
    assert_string_equal(json_string_value(json_object_get(ref, "id")), "s1");
    assert_null(json_object_get(ref, "displayName"));
    json_t *ext = json_object_get(
        json_object_get(json_object_get(json_object_get(body, "conditions"), "users"),
                        "includeGuestsOrExternalUsers"),
        "externalTenants");
    assert_string_equal(json_string_value(json_object_get(ext, "membershipKind")), "all");
    json_decref(body);
    jsondiff_fini(&d);
}

static void test_patch_named_location(void **state)
{
    (void)state;
    struct jsondiff d;
    json_t *body =
        patch_for(NK_NAMED_LOCATION,
                  "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"HQ\","
                  "\"isTrusted\":true,"
                  "\"ipRanges\":[{\"cidrAddress\":\"1.2.3.0/24\"}]}",
                  "{\"displayName\":\"HQ\",\"ipRanges\":[\"1.2.3.0/24\",\"2001:db8::/48\"]}", &d);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "@odata.type")),
                        "#microsoft.graph.ipNamedLocation");
    assert_true(json_is_false(json_object_get(body, "isTrusted")));
    json_t *r = json_object_get(body, "ipRanges");
    assert_int_equal(json_array_size(r), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "@odata.type")),
                        "#microsoft.graph.iPv6CidrRange");
    assert_null(json_object_get(body, "displayName"));
    json_decref(body);
    jsondiff_fini(&d);
}

static void test_patch_other_kinds(void **state)
{
    (void)state;
    struct jsondiff d;
    const char *why = NULL;
    /* strengths: combinations go through updateAllowedCombinations, not PATCH */
    json_t *body = patch_for(
        NK_AUTH_STRENGTH, "{\"displayName\":\"S\",\"allowedCombinations\":[\"fido2\"]}",
        "{\"displayName\":\"S\",\"allowedCombinations\":[\"fido2\",\"password,sms\"]}", &d);
    assert_null(body);
    assert_true(jsondiff_touches(&d, "allowedCombinations"));
    jsondiff_fini(&d);

    /* groups: isAssignableToRole is create-only */
    body = patch_for(NK_GROUP, "{\"displayName\":\"G\"}",
                     "{\"displayName\":\"G2\",\"isAssignableToRole\":true}", &d);
    assert_true(jsondiff_requires_replace(NK_GROUP, &d, &why));
    assert_string_equal(why, "isAssignableToRole");
    assert_string_equal(json_string_value(json_object_get(body, "displayName")), "G2");
    assert_null(json_object_get(body, "isAssignableToRole"));
    json_decref(body);
    jsondiff_fini(&d);

    /* group settings: the whole values list, current values kept */
    body = patch_for(NK_GROUP_SETTING,
                     "{\"templateId\":\"62375ab9-6b52-47ed-826b-58e47e0e304b\",\"values\":["
                     "{\"name\":\"EnableGroupCreation\",\"value\":\"true\"},"
                     "{\"name\":\"ClassificationList\",\"value\":\"A,B\"}]}",
                     "{\"templateId\":\"62375ab9-6b52-47ed-826b-58e47e0e304b\",\"values\":["
                     "{\"name\":\"EnableGroupCreation\",\"value\":\"false\"}]}",
                     &d);
    assert_false(jsondiff_requires_replace(NK_GROUP_SETTING, &d, NULL));
    json_t *vals = json_object_get(body, "values");
    assert_int_equal(json_array_size(vals), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(vals, 0), "value")),
                        "false");
    json_decref(body);
    jsondiff_fini(&d);

    /* authorization policy: a nested object is merged into what is there */
    body =
        patch_for(NK_AUTHORIZATION_POLICY,
                  "{\"defaultUserRolePermissions\":{\"allowedToCreateApps\":true,"
                  "\"allowedToCreateSecurityGroups\":true}}",
                  "{\"defaultUserRolePermissions\":{\"allowedToCreateSecurityGroups\":false}}", &d);
    json_t *perms = json_object_get(body, "defaultUserRolePermissions");
    assert_true(json_is_true(json_object_get(perms, "allowedToCreateApps")));
    assert_true(json_is_false(json_object_get(perms, "allowedToCreateSecurityGroups")));
    json_decref(body);
    jsondiff_fini(&d);

    /* method configurations carry @odata.type */
    body = patch_for(
        NK_AUTH_METHOD_CONFIG,
        "{\"@odata.type\":\"#microsoft.graph.smsAuthenticationMethodConfiguration\",\"id\":\"Sms\","
        "\"state\":\"enabled\"}",
        "{\"@odata.type\":\"#microsoft.graph.smsAuthenticationMethodConfiguration\",\"id\":\"Sms\","
        "\"state\":\"disabled\"}",
        &d);
    assert_string_equal(json_string_value(json_object_get(body, "state")), "disabled");
    assert_string_equal(json_string_value(json_object_get(body, "@odata.type")),
                        "#microsoft.graph.smsAuthenticationMethodConfiguration");
    assert_null(json_object_get(body, "id"));
    json_decref(body);
    jsondiff_fini(&d);

    /* role assignments are replaced */
    body = patch_for(NK_ROLE_ASSIGNMENT, "{\"principalId\":\"a\",\"roleDefinitionId\":\"r\"}",
                     "{\"principalId\":\"b\",\"roleDefinitionId\":\"r\"}", &d);
    assert_null(body);
    assert_true(jsondiff_requires_replace(NK_ROLE_ASSIGNMENT, &d, &why));
    assert_string_equal(why, "principalId");
    jsondiff_fini(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotations_and_read_only),
        cmocka_unit_test(test_user_keywords_and_guids),
        cmocka_unit_test(test_application_keywords),
        cmocka_unit_test(test_client_app_types_default),
        cmocka_unit_test(test_platforms_unset_forms),
        cmocka_unit_test(test_platforms_values),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_complex_conditions_null_equals_absent),
        cmocka_unit_test(test_risk_levels),
        cmocka_unit_test(test_session_controls_ineffectual),
        cmocka_unit_test(test_session_controls_effective),
        cmocka_unit_test(test_guest_types_flags),
        cmocka_unit_test(test_external_tenants),
        cmocka_unit_test(test_transfer_methods_and_insider),
        cmocka_unit_test(test_grant_controls),
        cmocka_unit_test(test_grant_controls_empty_and_operator),
        cmocka_unit_test(test_beta_fields_kept),
        cmocka_unit_test(test_key_casing),
        cmocka_unit_test(test_state_description_name),
        cmocka_unit_test(test_idempotent_and_input_untouched),
        cmocka_unit_test(test_named_location_ip),
        cmocka_unit_test(test_named_location_country),
        cmocka_unit_test(test_auth_strength),
        cmocka_unit_test(test_auth_method_config),
        cmocka_unit_test(test_auth_methods_policy),
        cmocka_unit_test(test_group),
        cmocka_unit_test(test_group_setting),
        cmocka_unit_test(test_tenant_switches),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_role_policy),
        cmocka_unit_test(test_active_schedule),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_group_pim_schedule),
        cmocka_unit_test(test_access_review),
        cmocka_unit_test(test_guid_shape),
        cmocka_unit_test(test_diff_sets_and_scalars),
        cmocka_unit_test(test_diff_partial_and_escape),
        cmocka_unit_test(test_auth_context),
        cmocka_unit_test(test_patch_ca_policy),
        cmocka_unit_test(test_patch_named_location),
        cmocka_unit_test(test_patch_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
