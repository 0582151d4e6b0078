/* test_whatif.c — the Conditional Access evaluator, one condition type at a time, then grant and
 * session combination and the lockout-guard helper. Each case names the Microsoft document
 * (MicrosoftDocs/entra-docs, docs/identity/conditional-access/...) whose rule it checks; the
 * rules are collected in docs/whatif.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_json.h"

#include "runtime/analysis/whatif.h"

#define EXO      "00000002-0000-0ff1-ce00-000000000000" /* Office 365 Exchange Online */
#define GRAPH    "00000003-0000-0000-c000-000000000000" /* Microsoft Graph */
#define AAD      "00000002-0000-0000-c000-000000000000" /* Windows Azure Active Directory */
#define PORTAL   "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" /* Azure Portal */
#define ARM      "797f4846-ba00-4fd7-ba43-dac1f8f63013" /* Windows Azure Service Management API */
#define GA       "62e90394-69f5-4237-9190-012177145e10" /* Global Administrator */
#define TENANT_A "aaaaaaaa-0000-0000-0000-000000000001"
#define TENANT_B "bbbbbbbb-0000-0000-0000-000000000002"

/* ---- helpers -------------------------------------------------------------------------------- */

/* A policy: all users, all resources, grant mfa, enabled, with `cond` merged into conditions. */
static void add_policy(struct whatif_inputs *in, const char *name, const char *state,
                       const char *cond, const char *grant, const char *session)
{
    json_t *c = unit_json("{\"users\":{\"includeUsers\":[\"All\"]},"
                          "\"applications\":{\"includeApplications\":[\"All\"]},"
                          "\"clientAppTypes\":[\"all\"]}");
    if (cond) {
        json_t *x = unit_json(cond);
        json_object_update(c, x);
        json_decref(x);
    }
    json_t *p =
        json_pack("{s:s,s:s,s:o,s:o}", "displayName", name, "state", state ? state : "enabled",
                  "conditions", c, "grantControls",
                  unit_json(grant ? grant : "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}"));
    if (session)
        json_object_set_new(p, "sessionControls", unit_json(session));
    json_array_append_new(in->policies, p);
}

static struct whatif_signin base(void)
{
    struct whatif_signin s;
    memset(&s, 0, sizeof(s));
    s.user = "ada@contoso.com";
    s.app = EXO;
    s.platform = "windows";
    s.client_app = "browser";
    return s;
}

static const char *locations_json; /* named locations for the next eval_reason */

/* NULL when the one policy built from `cond` applies to `s`, else the reason. */
static const char *eval_reason(const char *cond, const struct whatif_signin *s)
{
    static char buf[64];
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    if (locations_json) {
        json_decref(in.locations);
        in.locations = unit_json(locations_json);
    }
    add_policy(&in, "P", NULL, cond, NULL, NULL);
    struct whatif_result r;
    char err[256];
    if (whatif_evaluate(&in, s, &r, err, sizeof(err)) != 0)
        fail_msg("evaluate failed: %s", err);
    /* one policy, plus the platform-enforced MFA of the admin portals when they are the target */
    assert_true(r.n == 1 || (r.n == 2 && r.policies[1].platform));
    const char *out = NULL;
    if (!r.policies[0].applies) {
        snprintf(buf, sizeof(buf), "%s", r.policies[0].reason);
        out = buf;
    }
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
    return out;
}

#define APPLIES(cond, s)        assert_null(eval_reason(cond, s))
#define RULED_OUT(cond, s, why) assert_string_equal(eval_reason(cond, s), why)

static void evaluate(const struct whatif_inputs *in, const struct whatif_signin *s,
                     struct whatif_result *r)
{
    char err[256];
    if (whatif_evaluate(in, s, r, err, sizeof(err)) != 0)
        fail_msg("evaluate failed: %s", err);
}

static void assert_controls(const struct whatif_result *r, const char *want)
{
    char got[512] = "";
    for (size_t i = 0; i < r->ncontrols; i++) {
        size_t l = strlen(got);
        snprintf(got + l, sizeof(got) - l, "%s%s", i ? " " : "", r->controls[i]);
    }
    assert_string_equal(got, want);
}

/* ---- users (concept-conditional-access-users-groups.md) ------------------------------------- */

/* "All users: All users that exist in the directory including B2B guests." */
static void test_users_all_includes_guests(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    APPLIES(NULL, &s);
    s.guest_type = "b2bCollaborationGuest";
    s.external_tenant = TENANT_A;
    APPLIES(NULL, &s);
}

/* "The exclude action overrides the include action in policy." Groups by name reference. */
static void test_users_group_exclusion_wins(void **state)
{
    (void)state;
    const char *const groups[] = {"Break Glass", NULL};
    struct whatif_signin s = base();
    s.member_of = groups;
    RULED_OUT("{\"users\":{\"includeUsers\":[\"All\"],\"excludeGroups\":"
              "[{\"$ref\":\"group\",\"name\":\"break glass\",\"at\":\"x:1:1\"}]}}",
              &s, "users");
}

/* "Select users and groups ... Policy is applied to nested users and groups": the caller passes
 * transitive memberships; groups match by id as well. */
static void test_users_group_by_id(void **state)
{
    (void)state;
    const char *const groups[] = {"Sales", "11111111-2222-3333-4444-555555555555", NULL};
    struct whatif_signin s = base();
    s.member_of = groups;
    APPLIES("{\"users\":{\"includeGroups\":[\"11111111-2222-3333-4444-555555555555\"]}}", &s);
    s.member_of = NULL;
    RULED_OUT("{\"users\":{\"includeGroups\":[\"11111111-2222-3333-4444-555555555555\"]}}", &s,
              "users");
}

/* "Directory roles ... built-in directory roles": policies hold template ids; a sign-in may
 * name the role. */
static void test_users_roles(void **state)
{
    (void)state;
    const char *const roles[] = {"Global Administrator", NULL};
    struct whatif_signin s = base();
    APPLIES(NULL, &s);
    RULED_OUT("{\"users\":{\"includeRoles\":[\"" GA "\"]}}", &s, "users");
    s.roles = roles;
    APPLIES("{\"users\":{\"includeRoles\":[\"" GA "\"]}}", &s);
    RULED_OUT("{\"users\":{\"includeUsers\":[\"All\"],\"excludeRoles\":[\"" GA "\"]}}", &s,
              "users");
}

/* Users by UPN reference and by object id; "None" selects nobody. */
static void test_users_user_refs_and_none(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.user_id = "99999999-0000-0000-0000-000000000009";
    RULED_OUT("{\"users\":{\"includeUsers\":[\"All\"],\"excludeUsers\":"
              "[{\"$ref\":\"user\",\"name\":\"ADA@contoso.com\"}]}}",
              &s, "users");
    APPLIES("{\"users\":{\"includeUsers\":[\"99999999-0000-0000-0000-000000000009\"]}}", &s);
    RULED_OUT("{\"users\":{\"includeUsers\":[\"None\"]}}", &s, "users");
}

/* The legacy value GuestsOrExternalUsers (Graph conditionalAccessUsers) covers every type. */
static void test_users_guests_or_external_users(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    RULED_OUT("{\"users\":{\"includeUsers\":[\"GuestsOrExternalUsers\"]}}", &s, "users");
    s.guest_type = "otherExternalUser";
    APPLIES("{\"users\":{\"includeUsers\":[\"GuestsOrExternalUsers\"]}}", &s);
    RULED_OUT(
        "{\"users\":{\"includeUsers\":[\"All\"],\"excludeUsers\":[\"GuestsOrExternalUsers\"]}}", &s,
        "users");
}

/* "One or more tenants can be specified for the selected user type(s), or you can specify all
 * tenants." */
static void test_users_guest_types_and_tenants(void **state)
{
    (void)state;
    const char *cond =
        "{\"users\":{\"includeGuestsOrExternalUsers\":{"
        "\"guestOrExternalUserTypes\":\"b2bCollaborationGuest,serviceProvider\","
        "\"externalTenants\":{\"membershipKind\":\"enumerated\",\"members\":[\"" TENANT_A "\"]}}}}";
    struct whatif_signin s = base();
    s.guest_type = "b2bCollaborationGuest";
    s.external_tenant = TENANT_A;
    APPLIES(cond, &s);
    s.external_tenant = TENANT_B;
    RULED_OUT(cond, &s, "users");
    s.guest_type = "b2bDirectConnectUser";
    s.external_tenant = TENANT_A;
    RULED_OUT(cond, &s, "users");
    s.guest_type = NULL; /* a member user */
    RULED_OUT(cond, &s, "users");
}

/* Local guests ("any user belonging to the home tenant with the user type attribute set to
 * guest") have no external tenant, so a tenant list does not narrow them. */
static void test_users_internal_guest(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.guest_type = "internalGuest";
    APPLIES("{\"users\":{\"includeGuestsOrExternalUsers\":{\"guestOrExternalUserTypes\":"
            "\"internalGuest\",\"externalTenants\":{\"membershipKind\":\"enumerated\","
            "\"members\":[\"" TENANT_A "\"]}}}}",
            &s);
}

/* Exclusions of guest types with all tenants (philippkohn CA001's shape). */
static void test_users_exclude_guest_types(void **state)
{
    (void)state;
    const char *cond = "{\"users\":{\"includeUsers\":[\"All\"],\"excludeGuestsOrExternalUsers\":{"
                       "\"guestOrExternalUserTypes\":\"b2bCollaborationGuest,serviceProvider\","
                       "\"externalTenants\":{\"membershipKind\":\"all\"}}}}";
    struct whatif_signin s = base();
    APPLIES(cond, &s);
    s.guest_type = "serviceProvider";
    s.external_tenant = TENANT_B;
    RULED_OUT(cond, &s, "users");
}

/* Workload identities: "Conditional Access policies can be applied to single tenant service
 * principals"; a policy for them does not apply to users and vice versa. */
static void test_workload_identities(void **state)
{
    (void)state;
    const char *wl = "{\"users\":{\"includeUsers\":[\"None\"]},\"clientApplications\":"
                     "{\"includeServicePrincipals\":[\"ServicePrincipalsInMyTenant\"],"
                     "\"excludeServicePrincipals\":[\"sp-excluded\"]}}";
    struct whatif_signin s = base();
    RULED_OUT(wl, &s, "workload");
    s.user = NULL;
    s.service_principal = "sp-build";
    APPLIES(wl, &s);
    RULED_OUT(NULL, &s, "users");
    s.service_principal = "sp-excluded";
    RULED_OUT(wl, &s, "workload");
}

/* ---- target resources (concept-conditional-access-cloud-apps.md) ---------------------------- */

/* "the Microsoft 365 suite of applications appears under 'Office 365'" and
 * reference-office-365-application-contents.md lists Exchange Online, not Microsoft Graph. */
static void test_apps_office365(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    APPLIES("{\"applications\":{\"includeApplications\":[\"Office365\"]}}", &s);
    s.app = GRAPH;
    RULED_OUT("{\"applications\":{\"includeApplications\":[\"Office365\"]}}", &s, "application");
    s.app = "Office365"; /* the suite itself */
    APPLIES("{\"applications\":{\"includeApplications\":[\"Office365\"]}}", &s);
    RULED_OUT("{\"applications\":{\"includeApplications\":[\"" EXO "\"]}}", &s, "application");
}

/* "Conditional Access for ALL resources": exclusions exclude; All includes resources that are
 * not individually targetable such as Windows Azure Active Directory, and (new behaviour) the
 * low-privilege scopes are evaluated as that resource even when the policy has exclusions. */
static void test_apps_all_with_exclusions(void **state)
{
    (void)state;
    const char *cond = "{\"applications\":{\"includeApplications\":[\"All\"],"
                       "\"excludeApplications\":[\"Office365\"]}}";
    struct whatif_signin s = base();
    RULED_OUT(cond, &s, "application");
    s.app = GRAPH;
    APPLIES(cond, &s);
    s.app = AAD;
    APPLIES(cond, &s);
    s.app = "Windows Azure Active Directory"; /* by name, through the catalog */
    APPLIES(cond, &s);
}

/* "Microsoft Admin Portals ... Azure portal"; "Windows Azure Service Management API ... Azure
 * portal". */
static void test_apps_admin_portals_and_arm(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.app = PORTAL;
    APPLIES("{\"applications\":{\"includeApplications\":[\"MicrosoftAdminPortals\"]}}", &s);
    APPLIES("{\"applications\":{\"includeApplications\":[\"" ARM "\"]}}", &s);
    s.app = "MicrosoftAdminPortals";
    APPLIES("{\"applications\":{\"includeApplications\":[\"MicrosoftAdminPortals\"]}}", &s);
    RULED_OUT("{\"applications\":{\"includeApplications\":[\"All\"],\"excludeApplications\":"
              "[\"MicrosoftAdminPortals\"]}}",
              &s, "application");
    s.app = EXO;
    RULED_OUT("{\"applications\":{\"includeApplications\":[\"MicrosoftAdminPortals\"]}}", &s,
              "application");
}

/* "User actions": only policies that target the action apply to it. */
static void test_apps_user_actions(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.app = NULL;
    s.action = "urn:user:registersecurityinfo";
    RULED_OUT(NULL, &s, "application");
    APPLIES("{\"applications\":{\"includeUserActions\":[\"urn:user:registersecurityinfo\"]}}", &s);
    s.action = "urn:user:registerdevice";
    RULED_OUT("{\"applications\":{\"includeUserActions\":[\"urn:user:registersecurityinfo\"]}}", &s,
              "application");
    s.action = NULL;
    s.app = EXO;
    RULED_OUT("{\"applications\":{\"includeUserActions\":[\"urn:user:registersecurityinfo\"]}}", &s,
              "application");
}

/* "Authentication context": a policy applies to the contexts it lists. */
static void test_apps_auth_context(void **state)
{
    (void)state;
    const char *cond =
        "{\"applications\":{\"includeAuthenticationContextClassReferences\":[\"c1\"]}}";
    struct whatif_signin s = base();
    s.app = NULL;
    s.auth_context = "c1";
    APPLIES(cond, &s);
    s.auth_context = "c2";
    RULED_OUT(cond, &s, "application");
    RULED_OUT(NULL, &s, "application");
}

/* "Other applications": tenant apps that the catalog does not know match by display name
 * ({"$ref": "servicePrincipal", "name": ...} in the compiled model). */
static void test_apps_tenant_app_by_name(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.app = "Payroll";
    APPLIES("{\"applications\":{\"includeApplications\":[{\"$ref\":\"servicePrincipal\","
            "\"name\":\"payroll\"}]}}",
            &s);
    s.app = "HR";
    RULED_OUT("{\"applications\":{\"includeApplications\":[{\"$ref\":\"servicePrincipal\","
              "\"name\":\"payroll\"}]}}",
              &s, "application");
}

/* concept-filter-for-applications.md: an include-mode filter adds the apps whose custom
 * security attributes match. */
static void test_apps_application_filter(void **state)
{
    (void)state;
    const char *cond = "{\"applications\":{\"includeApplications\":[],\"applicationFilter\":{"
                       "\"mode\":\"include\",\"rule\":"
                       "\"CustomSecurityAttribute.Eng_Sensitivity -eq \\\"High\\\"\"}}}";
    json_t *attrs = unit_json("{\"Eng_Sensitivity\":\"High\"}");
    struct whatif_signin s = base();
    s.app = "Payroll";
    RULED_OUT(cond, &s, "application");
    s.app_attrs = attrs;
    APPLIES(cond, &s);
    json_decref(attrs);
}

/* ---- conditions (concept-conditional-access-conditions.md) ---------------------------------- */

/* Device platforms, include any device and exclude the known ones
 * (howto-policy-unknown-unsupported-device.md): only unknown platforms remain. */
static void test_platforms_unknown(void **state)
{
    (void)state;
    const char *block_unknown = "{\"platforms\":{\"includePlatforms\":[\"all\"],"
                                "\"excludePlatforms\":[\"android\",\"iOS\",\"windows\",\"macOS\","
                                "\"linux\"]}}";
    const char *mobile = "{\"platforms\":{\"includePlatforms\":[\"android\",\"iOS\"]}}";
    struct whatif_signin s = base();
    RULED_OUT(block_unknown, &s, "platform");
    s.platform = "iOS";
    APPLIES(mobile, &s);
    s.platform = NULL;
    APPLIES(block_unknown, &s);
    RULED_OUT(mobile, &s, "platform");
    APPLIES(NULL, &s); /* "The default is to apply to all device platforms." */
}

/* Platform values compare case-insensitively ("All" appears in exports). */
static void test_platforms_case(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    s.platform = "macOS";
    APPLIES("{\"platforms\":{\"includePlatforms\":[\"All\"],\"excludePlatforms\":[]}}", &s);
    RULED_OUT("{\"platforms\":{\"includePlatforms\":[\"All\"],\"excludePlatforms\":[\"MACOS\"]}}",
              &s, "platform");
}

static const char *const LOCS =
    "[{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"loc-hq\","
    "\"displayName\":\"HQ\",\"isTrusted\":true,\"ipRanges\":["
    "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"203.0.113.0/24\"},"
    "{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\",\"cidrAddress\":\"2001:db8:10::/48\"}]},"
    "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"loc-partner\","
    "\"displayName\":\"Partner\",\"isTrusted\":false,\"ipRanges\":["
    "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"198.51.100.0/24\"}]},"
    "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"id\":\"loc-blocked\","
    "\"displayName\":\"Blocked countries\",\"countriesAndRegions\":[\"KP\",\"IR\"],"
    "\"includeUnknownCountriesAndRegions\":true}]";

/* location-condition.md "Selected locations": IPv4 and IPv6 ranges; by id or by name. */
static void test_locations_ip_ranges(void **state)
{
    (void)state;
    locations_json = LOCS;
    struct whatif_signin s = base();
    s.ip = "203.0.113.77";
    APPLIES("{\"locations\":{\"includeLocations\":[\"loc-hq\"]}}", &s);
    APPLIES("{\"locations\":{\"includeLocations\":[{\"$ref\":\"namedLocation\",\"name\":\"hq\"}]}}",
            &s);
    s.ip = "203.0.114.1";
    RULED_OUT("{\"locations\":{\"includeLocations\":[\"loc-hq\"]}}", &s, "location");
    s.ip = "2001:db8:10:ffff::1";
    APPLIES("{\"locations\":{\"includeLocations\":[\"loc-hq\"]}}", &s);
    s.ip = "2001:db8:11::1";
    RULED_OUT("{\"locations\":{\"includeLocations\":[\"loc-hq\"]}}", &s, "location");
    locations_json = NULL;
}

/* location-condition.md "All trusted locations": trusted named locations and MFA trusted IPs. */
static void test_locations_all_trusted(void **state)
{
    (void)state;
    const char *cond = "{\"locations\":{\"includeLocations\":[\"All\"],"
                       "\"excludeLocations\":[\"AllTrusted\"]}}";
    locations_json = LOCS;
    struct whatif_signin s = base();
    s.ip = "203.0.113.5"; /* HQ, trusted */
    RULED_OUT(cond, &s, "location");
    s.ip = "198.51.100.5"; /* Partner, not trusted */
    APPLIES(cond, &s);
    s.mfa_trusted_ip = true;
    RULED_OUT(cond, &s, "location");
    APPLIES("{\"locations\":{\"includeLocations\":[\"00000000-0000-0000-0000-000000000000\"]}}",
            &s);
    locations_json = NULL;
}

/* "Any location ... applies to all IP addresses": a sign-in without an address still matches
 * All, but no selected location. */
static void test_locations_any(void **state)
{
    (void)state;
    locations_json = LOCS;
    struct whatif_signin s = base();
    APPLIES("{\"locations\":{\"includeLocations\":[\"All\"]}}", &s);
    RULED_OUT("{\"locations\":{\"includeLocations\":[\"loc-partner\"]}}", &s, "location");
    const char *const named[] = {"Partner", NULL}; /* the sign-in says where it is */
    s.locations = named;
    APPLIES("{\"locations\":{\"includeLocations\":[\"loc-partner\"]}}", &s);
    locations_json = NULL;
}

/* location-condition.md "Countries/regions" and "Include unknown countries/regions". */
static void test_locations_countries(void **state)
{
    (void)state;
    const char *cond = "{\"locations\":{\"includeLocations\":[\"loc-blocked\"]}}";
    locations_json = LOCS;
    struct whatif_signin s = base();
    s.country = "KP";
    APPLIES(cond, &s);
    s.country = "FR";
    RULED_OUT(cond, &s, "location");
    s.country = "unknown";
    APPLIES(cond, &s);
    s.country = NULL;
    RULED_OUT(cond, &s, "location");
    locations_json = NULL;
}

/* whatif_locindex_new_lazy: trees that leave their IP ranges out answer as the whole ones, the
 * ranges asked for once per location and only when a sign-in with an address needs them. */
struct asked {
    const json_t *whole; /* LOCS */
    const json_t *trees; /* LOCS without HQ's ranges */
    int calls;
};

static json_t *ranges_of(void *p, const json_t *location)
{
    struct asked *a = p;
    a->calls++;
    size_t i;
    const json_t *t;
    json_array_foreach(a->trees, i, t)
    {
        if (t == location)
            return json_incref(json_object_get(json_array_get(a->whole, i), "ipRanges"));
    }
    return NULL;
}

static void test_locations_ranges_asked(void **state)
{
    (void)state;
    struct whatif_inputs whole, part;
    whatif_inputs_init(&whole);
    whatif_inputs_init(&part);
    json_decref(whole.locations);
    json_decref(part.locations);
    whole.locations = unit_json(LOCS);
    part.locations = json_deep_copy(whole.locations);
    json_object_del(json_array_get(part.locations, 0),
                    "ipRanges"); /* HQ asks; Partner has its own */
    const char *const conds[] = {
        "{\"locations\":{\"includeLocations\":[\"loc-hq\"]}}",
        "{\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"AllTrusted\"]}}",
        "{\"locations\":{\"includeLocations\":[\"Partner\",\"loc-blocked\"]}}"};
    for (size_t i = 0; i < sizeof(conds) / sizeof(*conds); i++) {
        add_policy(&whole, conds[i], NULL, conds[i], NULL, NULL);
        add_policy(&part, conds[i], NULL, conds[i], NULL, NULL);
    }
    struct asked a = {whole.locations, part.locations, 0};
    struct whatif_locindex *ix = whatif_locindex_new_lazy(part.locations, ranges_of, &a);
    struct whatif_signin s = base();
    const char *const ips[] = {NULL, "203.0.113.7", "2001:db8:10::5", "198.51.100.9", "192.0.2.1"};
    for (size_t k = 0; k < sizeof(ips) / sizeof(*ips); k++) {
        s.ip = ips[k];
        s.country = k == 0 ? "unknown" : NULL;
        struct whatif_result rw, rp;
        evaluate(&whole, &s, &rw);
        char err[256];
        if (whatif_evaluate_ix(&part, ix, &s, &rp, err, sizeof(err)) != 0)
            fail_msg("evaluate failed: %s", err);
        assert_int_equal(rw.n, rp.n);
        for (size_t i = 0; i < rw.n; i++) {
            assert_int_equal(rw.policies[i].applies, rp.policies[i].applies);
            assert_string_equal(rw.policies[i].reason ? rw.policies[i].reason : "",
                                rp.policies[i].reason ? rp.policies[i].reason : "");
        }
        /* HQ in: the first two (All but trusted excludes it); Partner: the last two */
        if (k == 1 || k == 2)
            assert_true(rp.policies[0].applies && !rp.policies[1].applies);
        if (k == 3)
            assert_true(!rp.policies[0].applies && rp.policies[1].applies &&
                        rp.policies[2].applies);
        whatif_result_free(&rw);
        whatif_result_free(&rp);
        /* no address: never asked; then once per location without ranges of its own (HQ and
         * the country location, which has none) */
        assert_int_equal(a.calls, k == 0 ? 0 : 2);
    }
    whatif_locindex_free(ix);
    whatif_inputs_fini(&whole);
    whatif_inputs_fini(&part);
}

/* A sign-in with an address that is not one fails evaluation instead of guessing. */
static void test_locations_bad_ip(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct whatif_signin s = base();
    s.ip = "203.0.113.300";
    struct whatif_result r;
    char err[128];
    assert_int_equal(whatif_evaluate(&in, &s, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "203.0.113.300"));
    whatif_inputs_fini(&in);
}

/* "Client apps ... By default, all newly created Conditional Access policies apply to all
 * client app types"; Exchange ActiveSync and Other clients are separate types. */
static void test_client_apps(void **state)
{
    (void)state;
    const char *legacy = "{\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]}";
    const char *other = "{\"clientAppTypes\":[\"other\"]}";
    struct whatif_signin s = base();
    APPLIES("{\"clientAppTypes\":[]}", &s);
    RULED_OUT(legacy, &s, "clientApp");
    s.client_app = "exchangeActiveSync";
    APPLIES(legacy, &s);
    RULED_OUT(other, &s, "clientApp");
    APPLIES("{\"clientAppTypes\":[\"easSupported\"]}", &s);
    s.client_app = "other";
    APPLIES(other, &s);
    s.client_app = NULL; /* not specified: only policies for all client apps */
    RULED_OUT(legacy, &s, "clientApp");
    APPLIES("{\"clientAppTypes\":[\"All\"]}", &s);
}

/* easSupported: Exchange ActiveSync on the platforms it supports only ("Conditional Access:
 * Conditions", Client apps) -- not Linux, macOS or an unknown platform. */
static void test_client_apps_eas_supported_platforms(void **state)
{
    (void)state;
    const char *eas = "{\"clientAppTypes\":[\"easSupported\"]}";
    struct whatif_signin s = base();
    s.client_app = "exchangeActiveSync";
    s.platform = "android";
    APPLIES(eas, &s);
    s.platform = "iOS";
    APPLIES(eas, &s);
    s.platform = "linux";
    RULED_OUT(eas, &s, "clientApp");
    s.platform = "macOS";
    RULED_OUT(eas, &s, "clientApp");
    s.platform = NULL;
    RULED_OUT(eas, &s, "clientApp");
}

/* Legacy clients cannot perform MFA or present a device ("Block legacy authentication with
 * Conditional Access"): a policy requiring a control they cannot meet blocks them, with the
 * reason; a browser gets the grant. */
static void test_legacy_client_cannot_satisfy(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "MFA for everyone", NULL, NULL, NULL, NULL);
    struct whatif_result r;
    struct whatif_signin s = base();
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_GRANT);
    assert_null(r.unsatisfiable);
    whatif_result_free(&r);
    const char *legacy[] = {"exchangeActiveSync", "other"};
    for (size_t i = 0; i < 2; i++) {
        s.client_app = legacy[i];
        evaluate(&in, &s, &r);
        assert_int_equal(r.grant, WHATIF_BLOCK);
        assert_controls(&r, "block");
        assert_non_null(r.unsatisfiable);
        assert_non_null(strstr(r.unsatisfiable, "legacy authentication"));
        assert_non_null(strstr(r.unsatisfiable, "MFA for everyone"));
        json_t *j = whatif_result_to_json(&r);
        assert_string_equal(json_string_value(json_object_get(j, "result")), "block");
        assert_non_null(json_object_get(j, "unsatisfiable"));
        json_decref(j);
        whatif_result_free(&r);
    }
    whatif_inputs_fini(&in);
}

/* Device code flow: the signing-in device presents no device state ("Authentication flows in
 * Conditional Access"): a device control cannot be met, MFA can; one of them under OR suffices. */
static void test_device_code_flow_device_controls(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "compliant", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"compliantDevice\"]}", NULL);
    struct whatif_result r;
    struct whatif_signin s = base();
    s.auth_flow = "deviceCodeFlow";
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_BLOCK);
    assert_non_null(strstr(r.unsatisfiable, "device code flow"));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);

    whatif_inputs_init(&in);
    add_policy(&in, "compliant or MFA", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"compliantDevice\",\"mfa\"]}", NULL);
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_GRANT);
    assert_null(r.unsatisfiable);
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* "After March 2026, Microsoft will stop enforcing require approved client app control, and it
 * will be as if this grant isn't selected" (Migrate approved client app to application
 * protection policy). */
static void test_approved_app_not_enforced(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "approved or protected", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"approvedApplication\","
               "\"compliantApplication\"]}",
               NULL);
    struct whatif_result r;
    struct whatif_signin s = base();
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_GRANT);
    assert_controls(&r, "compliantApplication");
    const char *approved_only[] = {"approvedApplication", NULL};
    assert_false(whatif_can_satisfy(&r, approved_only));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);

    whatif_inputs_init(&in);
    add_policy(&in, "approved only", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"approvedApplication\"]}", NULL);
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_ALLOW);
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* Mandatory MFA for the Azure portal, the Entra admin center and the Intune admin center
 * ("Mandatory Microsoft Entra multifactor authentication"): with no policy at all, and for a
 * user every policy excludes, the portals still require MFA; other apps do not. */
static void test_platform_mfa_admin_portals(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "MFA except ada", NULL,
               "{\"users\":{\"includeUsers\":[\"All\"],\"excludeUsers\":[\"ada@contoso.com\"]}}",
               NULL, NULL);
    struct whatif_result r;
    struct whatif_signin s = base();
    evaluate(&in, &s, &r);
    assert_int_equal(r.grant, WHATIF_ALLOW);
    whatif_result_free(&r);
    const char *apps[] = {PORTAL, "MicrosoftAdminPortals"};
    for (size_t i = 0; i < 2; i++) {
        s.app = apps[i];
        evaluate(&in, &s, &r);
        assert_int_equal(r.grant, WHATIF_GRANT);
        assert_controls(&r, "mfa");
        assert_int_equal(r.n, 2);
        assert_true(r.policies[1].platform);
        assert_true(r.policies[1].applies);
        const char *pw[] = {"password", NULL};
        assert_false(whatif_can_satisfy(&r, pw));
        whatif_result_free(&r);
    }
    s.service_principal = "sync";
    s.user = NULL;
    evaluate(&in, &s, &r);
    assert_int_equal(r.n, 1); /* workload identities do not sign in to portals with MFA */
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* what-if-tool.md: conditions not given "are assumed to be set to none". */
static void test_risk_levels(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    RULED_OUT("{\"signInRiskLevels\":[\"high\"]}", &s, "signInRisk");
    RULED_OUT("{\"userRiskLevels\":[\"medium\",\"high\"]}", &s, "userRisk");
    APPLIES("{\"signInRiskLevels\":[\"none\",\"low\"]}", &s);
    s.sign_in_risk = "high";
    s.user_risk = "medium";
    APPLIES("{\"signInRiskLevels\":[\"high\"],\"userRiskLevels\":[\"medium\",\"high\"]}", &s);
    s.user_risk = "low";
    RULED_OUT("{\"signInRiskLevels\":[\"high\"],\"userRiskLevels\":[\"medium\",\"high\"]}", &s,
              "userRisk");
}

/* how-to-policy-insider-risk.md: insider risk levels are a flags string. */
static void test_insider_risk(void **state)
{
    (void)state;
    const char *cond = "{\"insiderRiskLevels\":\"moderate,elevated\"}";
    struct whatif_signin s = base();
    RULED_OUT(cond, &s, "insiderRisk");
    s.insider_risk = "elevated";
    APPLIES(cond, &s);
    s.insider_risk = "minor";
    RULED_OUT(cond, &s, "insiderRisk");
}

/* concept-condition-filters-for-devices.md "Policy behavior with filter for devices": for an
 * unregistered device all properties are null, so positive operators do not match and
 * negative ones do. */
static void test_device_filter_unregistered(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    RULED_OUT("{\"devices\":{\"deviceFilter\":{\"mode\":\"include\","
              "\"rule\":\"device.trustType -eq \\\"ServerAD\\\"\"}}}",
              &s, "device");
    APPLIES("{\"devices\":{\"deviceFilter\":{\"mode\":\"include\","
            "\"rule\":\"device.extensionAttribute1 -ne \\\"SAW\\\"\"}}}",
            &s);
    /* The page's example: exclude devices that are not SAW devices. */
    RULED_OUT("{\"devices\":{\"deviceFilter\":{\"mode\":\"exclude\","
              "\"rule\":\"device.extensionAttribute1 -ne \\\"SAW\\\"\"}}}",
              &s, "device");
}

static void test_device_filter_registered(void **state)
{
    (void)state;
    json_t *dev = unit_json("{\"trustType\":\"ServerAD\",\"extensionAttribute1\":\"SAW\","
                            "\"isCompliant\":true}");
    struct whatif_signin s = base();
    s.device = dev;
    APPLIES("{\"devices\":{\"deviceFilter\":{\"mode\":\"include\","
            "\"rule\":\"device.trustType -eq \\\"ServerAD\\\"\"}}}",
            &s);
    APPLIES("{\"devices\":{\"deviceFilter\":{\"mode\":\"exclude\","
            "\"rule\":\"device.extensionAttribute1 -ne \\\"SAW\\\"\"}}}",
            &s);
    RULED_OUT("{\"devices\":{\"deviceFilter\":{\"mode\":\"exclude\","
              "\"rule\":\"device.isCompliant -eq True\"}}}",
              &s, "device");
    json_decref(dev);
}

/* concept-authentication-flows.md: device code flow and authentication transfer. */
static void test_authentication_flows(void **state)
{
    (void)state;
    const char *cond = "{\"authenticationFlows\":{\"transferMethods\":\"deviceCodeFlow\"}}";
    struct whatif_signin s = base();
    RULED_OUT(cond, &s, "authenticationFlow");
    s.auth_flow = "deviceCodeFlow";
    APPLIES(cond, &s);
    s.auth_flow = "authenticationTransfer";
    RULED_OUT(cond, &s, "authenticationFlow");
    APPLIES("{\"authenticationFlows\":{\"transferMethods\":\"deviceCodeFlow,"
            "authenticationTransfer\"}}",
            &s);
}

/* what-if-tool.md "for each listed policy, the reason represents the first condition that
 * wasn't satisfied": users come before conditions. */
static void test_first_reason(void **state)
{
    (void)state;
    struct whatif_signin s = base();
    RULED_OUT("{\"users\":{\"includeUsers\":[\"None\"]},\"signInRiskLevels\":[\"high\"]}", &s,
              "users");
    RULED_OUT("{\"signInRiskLevels\":[\"high\"],\"platforms\":{\"includePlatforms\":[\"iOS\"]}}",
              &s, "signInRisk");
}

/* ---- state (what-if-tool.md, concept-conditional-access-report-only.md) --------------------- */

/* "Only policies that are enabled or in report-only mode are included in an evaluation run";
 * report-only results are kept apart and enforce nothing. */
static void test_state_disabled_and_report_only(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "off", "disabled", NULL, "{\"builtInControls\":[\"block\"]}", NULL);
    add_policy(&in, "ro", "enabledForReportingButNotEnforced", NULL,
               "{\"builtInControls\":[\"block\"]}", NULL);
    add_policy(&in, "on", "enabled", NULL, NULL, NULL);
    struct whatif_signin s = base();
    struct whatif_result r;
    evaluate(&in, &s, &r);
    assert_false(r.policies[0].applies);
    assert_string_equal(r.policies[0].reason, "disabled");
    assert_true(r.policies[1].applies);
    assert_int_equal(r.policies[1].state, WHATIF_REPORT_ONLY);
    assert_int_equal(r.grant, WHATIF_GRANT);
    assert_controls(&r, "mfa");
    json_t *j = whatif_result_to_json(&r);
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, "{\"result\":\"grant\",\"controls\":[\"mfa\"],\"operator\":\"AND\","
                              "\"session\":{},\"applied\":[\"on\"],\"reportOnly\":[\"ro\"],"
                              "\"notApplied\":[{\"policy\":\"off\",\"reason\":\"disabled\"}]}");
    free(text);
    json_decref(j);
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* ---- grant (concept-conditional-access-grant.md, concept-conditional-access-policies.md) ---- */

static void run(struct whatif_inputs *in, struct whatif_result *r)
{
    struct whatif_signin s = base();
    evaluate(in, &s, r);
}

/* "If there's a policy that is configured to block access ... the user will be blocked." */
static void test_grant_block_wins(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "mfa", NULL, NULL, NULL, NULL);
    add_policy(&in, "block", NULL, NULL, "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}",
               NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_int_equal(r.grant, WHATIF_BLOCK);
    assert_controls(&r, "block");
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", "compliantDevice", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* "if one policy requires multifactor authentication and another requires a compliant device,
 * you must complete MFA, and use a compliant device." */
static void test_grant_all_policies_required(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "a", NULL, NULL, NULL, NULL);
    add_policy(&in, "b", NULL, NULL,
               "{\"operator\":\"AND\",\"builtInControls\":["
               "\"compliantDevice\",\"MFA\"]}",
               NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_int_equal(r.grant, WHATIF_GRANT);
    assert_int_equal(r.op, WHATIF_AND);
    assert_controls(&r, "mfa compliantDevice");
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", NULL}));
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"mfa", "compliant_device", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* "Require one of the selected controls (control or control)". */
static void test_grant_one_of(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "or", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":["
               "\"domainJoinedDevice\",\"compliantDevice\"]}",
               NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_int_equal(r.op, WHATIF_OR);
    assert_controls(&r, "compliantDevice domainJoinedDevice");
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"domainJoinedDevice", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* Flattening (docs/whatif.md): an alternative met by a required control is dropped; otherwise
 * alternatives stay as "a|b" entries under AND. */
static void test_grant_flatten_mixed(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "mfa", NULL, NULL, NULL, NULL);
    add_policy(&in, "mfa-or-device", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\",\"compliantDevice\"]}", NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_int_equal(r.op, WHATIF_AND);
    assert_controls(&r, "mfa");
    whatif_result_free(&r);
    add_policy(&in, "device-or-app", NULL, NULL,
               "{\"operator\":\"OR\",\"builtInControls\":[\"compliantApplication\","
               "\"compliantDevice\"]}",
               NULL);
    run(&in, &r);
    assert_int_equal(r.op, WHATIF_AND);
    assert_controls(&r, "mfa compliantDevice|compliantApplication");
    assert_true(
        whatif_can_satisfy(&r, (const char *const[]){"fido2", "compliantApplication", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"fido2", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* "Require authentication strength": named by reference (the compiled model puts the reference
 * where Graph wants the id), resolved against the strengths given; built-in strengths are known
 * by id. */
static void test_grant_authentication_strength(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    json_decref(in.strengths);
    in.strengths = unit_json("[{\"displayName\":\"Admins\",\"allowedCombinations\":"
                             "[\"fido2\",\"password,hardwareOath\"]}]");
    add_policy(&in, "custom", NULL, NULL,
               "{\"operator\":\"OR\",\"authenticationStrength\":{\"id\":{\"$ref\":"
               "\"authenticationStrengthPolicy\",\"name\":\"Admins\"}}}",
               NULL);
    add_policy(&in, "builtin", NULL, NULL,
               "{\"operator\":\"OR\",\"authenticationStrength\":{\"id\":"
               "\"00000000-0000-0000-0000-000000000004\"}}",
               NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_controls(&r,
                    "authenticationStrength:Admins authenticationStrength:Phishing-resistant MFA");
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"fido2", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"password", "hardware_oath", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", NULL}));
    const struct whatif_policy_result *p =
        whatif_first_unsatisfied(&r, (const char *const[]){"password", "hardwareOath", NULL});
    assert_non_null(p);
    assert_string_equal(p->name, "builtin");
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* Two policies, one requiring a phishing-resistant strength and one requiring MFA (or the
 * built-in MFA strength): every phishing-resistant combination is also MFA, so satisfying the
 * first satisfies both and the flattened list names only it (docs/whatif.md). */
static void test_grant_strength_absorbs_weaker(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    json_decref(in.strengths);
    in.strengths = unit_json("[{\"displayName\":\"Keys\",\"allowedCombinations\":[\"fido2\"]}]");
    add_policy(&in, "keys", NULL, NULL,
               "{\"authenticationStrength\":{\"id\":{\"$ref\":\"authenticationStrengthPolicy\","
               "\"name\":\"Keys\"}}}",
               NULL);
    add_policy(&in, "mfa strength", NULL, NULL,
               "{\"authenticationStrength\":{\"id\":\"00000000-0000-0000-0000-000000000002\"}}",
               NULL);
    add_policy(&in, "mfa", NULL, NULL, NULL, NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_controls(&r, "authenticationStrength:Keys");
    assert_int_equal(r.policies[1].ncontrols, 1); /* the per-policy structure is kept */
    assert_string_equal(r.policies[1].controls[0].text,
                        "authenticationStrength:Multifactor authentication");
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"fido2", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* The lockout guard's default emergency account: "nothing but password". */
static void test_can_satisfy_password_only(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "mfa", NULL, NULL, NULL, NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"password", NULL}));
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"password", "sms", NULL}));
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"windows_hello", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
    /* No policy: allowed, and anything gets through. */
    whatif_inputs_init(&in);
    run(&in, &r);
    assert_int_equal(r.grant, WHATIF_ALLOW);
    assert_true(whatif_can_satisfy(&r, (const char *const[]){NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* Terms of use and custom controls are requirements too. */
static void test_grant_terms_of_use(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "tou", NULL, NULL,
               "{\"operator\":\"AND\",\"builtInControls\":[\"mfa\"],\"termsOfUse\":"
               "[{\"$ref\":\"agreement\",\"name\":\"Guest terms\"}]}",
               NULL);
    struct whatif_result r;
    run(&in, &r);
    assert_controls(&r, "mfa termsOfUse:Guest terms");
    assert_true(whatif_can_satisfy(&r, (const char *const[]){"mfa", "termsOfUse", NULL}));
    assert_false(whatif_can_satisfy(&r, (const char *const[]){"mfa", NULL}));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* ---- session (concept-conditional-access-session.md, concept-session-lifetime.md) ----------- */

/* A policy with session controls only grants access; sign-in frequency: the shortest wins,
 * every time beats any period. */
static void test_session_sign_in_frequency(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "1d", NULL, NULL, "null",
               "{\"signInFrequency\":{\"isEnabled\":true,\"value\":1,\"type\":\"days\"}}");
    add_policy(&in, "4h", NULL, NULL, "null",
               "{\"signInFrequency\":{\"isEnabled\":true,\"value\":4,\"type\":\"hours\","
               "\"frequencyInterval\":\"timeBased\"}}");
    add_policy(&in, "off", NULL, NULL, "null",
               "{\"signInFrequency\":{\"isEnabled\":false,\"value\":1,\"type\":\"hours\"}}");
    struct whatif_result r;
    run(&in, &r);
    assert_int_equal(r.grant, WHATIF_ALLOW);
    const json_t *sif = json_object_get(r.session, "signInFrequency");
    assert_int_equal(json_integer_value(json_object_get(sif, "value")), 4);
    assert_string_equal(json_string_value(json_object_get(sif, "type")), "hours");
    whatif_result_free(&r);
    add_policy(&in, "every", NULL, NULL, "null",
               "{\"signInFrequency\":{\"isEnabled\":true,\"frequencyInterval\":\"everyTime\"}}");
    run(&in, &r);
    sif = json_object_get(r.session, "signInFrequency");
    assert_string_equal(json_string_value(json_object_get(sif, "frequencyInterval")), "everyTime");
    assert_null(json_object_get(sif, "value"));
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* Persistent browser: never over always; app control: block downloads over monitor only;
 * app enforced restrictions and disabled resilience defaults when any policy sets them. */
static void test_session_most_restrictive(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    add_policy(&in, "a", NULL, NULL, NULL,
               "{\"persistentBrowser\":{\"isEnabled\":true,\"mode\":\"always\"},"
               "\"cloudAppSecurity\":{\"isEnabled\":true,\"cloudAppSecurityType\":"
               "\"blockDownloads\"}}");
    add_policy(&in, "b", NULL, NULL, NULL,
               "{\"persistentBrowser\":{\"isEnabled\":true,\"mode\":\"never\"},"
               "\"cloudAppSecurity\":{\"isEnabled\":true,\"cloudAppSecurityType\":\"monitorOnly\"},"
               "\"applicationEnforcedRestrictions\":{\"isEnabled\":true},"
               "\"disableResilienceDefaults\":true}");
    add_policy(&in, "ro", "enabledForReportingButNotEnforced", NULL, NULL,
               "{\"signInFrequency\":{\"isEnabled\":true,\"value\":1,\"type\":\"hours\"}}");
    struct whatif_result r;
    run(&in, &r);
    char *text = json_dumps(r.session, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"applicationEnforcedRestrictions\":{\"isEnabled\":true},"
                              "\"cloudAppSecurity\":{\"cloudAppSecurityType\":\"blockDownloads\","
                              "\"isEnabled\":true},\"disableResilienceDefaults\":true,"
                              "\"persistentBrowser\":{\"isEnabled\":true,\"mode\":\"never\"}}");
    free(text);
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

/* ---- inputs and sign-in JSON ---------------------------------------------------------------- */

static void test_signin_from_json(void **state)
{
    (void)state;
    json_t *j =
        unit_json("{\"user\":\"ada@contoso.com\",\"memberOf\":[\"Sales\"],\"app\":\"office365\","
                  "\"platform\":\"ios\",\"client\":\"mobile_desktop\",\"signInRisk\":\"high\","
                  "\"guestType\":\"b2b_collaboration_guest\",\"authFlow\":\"device_code\"}");
    struct whatif_signin s;
    char err[256];
    assert_int_equal(whatif_signin_from_json(&s, j, err, sizeof(err)), 0);
    assert_string_equal(s.app, "Office365");
    assert_string_equal(s.platform, "iOS");
    assert_string_equal(s.client_app, "mobileAppsAndDesktopClients");
    assert_string_equal(s.sign_in_risk, "high");
    assert_string_equal(s.guest_type, "b2bCollaborationGuest");
    assert_string_equal(s.auth_flow, "deviceCodeFlow");
    assert_string_equal(s.member_of[0], "Sales");
    assert_null(s.member_of[1]);
    whatif_signin_fini(&s);
    json_decref(j);

    j = unit_json("{\"user\":\"ada@contoso.com\",\"app\":\"office365\",\"platform\":\"windws\"}");
    assert_int_equal(whatif_signin_from_json(&s, j, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "did you mean 'windows'"));
    whatif_signin_fini(&s);
    json_decref(j);
}

static void test_signin_needs_one_target(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct whatif_signin s = base();
    s.action = "urn:user:registerdevice";
    struct whatif_result r;
    char err[256];
    assert_int_equal(whatif_evaluate(&in, &s, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "exactly one"));
    s.action = NULL;
    s.app = NULL;
    s.auth_context = "C7";
    assert_int_equal(whatif_evaluate(&in, &s, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "did you mean 'c7'"));
    whatif_inputs_fini(&in);
}

static void test_collect_shapes(void **state)
{
    (void)state;
    json_t *into = json_array();
    json_t *one = unit_json("{\"displayName\":\"x\",\"conditions\":{}}");
    json_t *list = unit_json("{\"value\":[{\"displayName\":\"y\",\"conditions\":{}},"
                             "{\"displayName\":\"z\",\"conditions\":{}}]}");
    json_t *arr = unit_json("[{\"displayName\":\"w\",\"conditions\":{}}]");
    json_t *junk = unit_json("{\"foo\":1}");
    assert_int_equal(whatif_collect(into, one), 1);
    assert_int_equal(whatif_collect(into, list), 2);
    assert_int_equal(whatif_collect(into, arr), 1);
    assert_int_equal(whatif_collect(into, junk), -1);
    assert_int_equal(json_array_size(into), 4);
    json_decref(one);
    json_decref(list);
    json_decref(arr);
    json_decref(junk);
    json_decref(into);
}

/* Export quirks (shared/corpus README): a PascalCase key, "platforms": [] and "locations": []
 * where objects belong, a null grantControls. */
static void test_export_quirks(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    json_array_append_new(
        in.policies, unit_json("{\"displayName\":\"quirky\",\"state\":\"enabled\",\"conditions\":{"
                               "\"users\":{\"includeUsers\":[\"All\"]},\"applications\":"
                               "{\"includeApplications\":[\"All\"]},\"platforms\":[],"
                               "\"locations\":[],\"clientAppTypes\":[\"All\"]},"
                               "\"GrantControls\":{\"operator\":\"OR\",\"builtInControls\":"
                               "[\"block\"]}}"));
    json_array_append_new(in.policies,
                          unit_json("{\"displayName\":\"session only\",\"state\":\"enabled\","
                                    "\"conditions\":{\"users\":{\"includeUsers\":[\"All\"]},"
                                    "\"applications\":{\"includeApplications\":[\"All\"]}},"
                                    "\"grantControls\":null}"));
    struct whatif_signin s = base();
    s.platform = NULL;
    struct whatif_result r;
    evaluate(&in, &s, &r);
    assert_true(r.policies[0].applies);
    assert_true(r.policies[1].applies);
    assert_int_equal(r.policies[1].ncontrols, 0);
    assert_int_equal(r.grant, WHATIF_BLOCK);
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users_all_includes_guests),
        cmocka_unit_test(test_users_group_exclusion_wins),
        cmocka_unit_test(test_users_group_by_id),
        cmocka_unit_test(test_users_roles),
        cmocka_unit_test(test_users_user_refs_and_none),
        cmocka_unit_test(test_users_guests_or_external_users),
        cmocka_unit_test(test_users_guest_types_and_tenants),
        cmocka_unit_test(test_users_internal_guest),
        cmocka_unit_test(test_users_exclude_guest_types),
        cmocka_unit_test(test_workload_identities),
        cmocka_unit_test(test_apps_office365),
        cmocka_unit_test(test_apps_all_with_exclusions),
        cmocka_unit_test(test_apps_admin_portals_and_arm),
        cmocka_unit_test(test_apps_user_actions),
        cmocka_unit_test(test_apps_auth_context),
        cmocka_unit_test(test_apps_tenant_app_by_name),
        cmocka_unit_test(test_apps_application_filter),
        cmocka_unit_test(test_platforms_unknown),
        cmocka_unit_test(test_platforms_case),
        cmocka_unit_test(test_locations_ip_ranges),
        cmocka_unit_test(test_locations_all_trusted),
        cmocka_unit_test(test_locations_any),
        cmocka_unit_test(test_locations_countries),
        cmocka_unit_test(test_locations_ranges_asked),
        cmocka_unit_test(test_locations_bad_ip),
        cmocka_unit_test(test_client_apps),
        cmocka_unit_test(test_risk_levels),
        cmocka_unit_test(test_insider_risk),
        cmocka_unit_test(test_device_filter_unregistered),
        cmocka_unit_test(test_device_filter_registered),
        cmocka_unit_test(test_authentication_flows),
        cmocka_unit_test(test_first_reason),
        cmocka_unit_test(test_state_disabled_and_report_only),
        cmocka_unit_test(test_grant_block_wins),
        cmocka_unit_test(test_grant_all_policies_required),
        cmocka_unit_test(test_grant_one_of),
        cmocka_unit_test(test_grant_flatten_mixed),
        cmocka_unit_test(test_grant_authentication_strength),
        cmocka_unit_test(test_grant_strength_absorbs_weaker),
        cmocka_unit_test(test_can_satisfy_password_only),
        cmocka_unit_test(test_grant_terms_of_use),
        cmocka_unit_test(test_session_sign_in_frequency),
        cmocka_unit_test(test_session_most_restrictive),
        cmocka_unit_test(test_signin_from_json),
        cmocka_unit_test(test_signin_needs_one_target),
        cmocka_unit_test(test_collect_shapes),
        cmocka_unit_test(test_client_apps_eas_supported_platforms),
        cmocka_unit_test(test_legacy_client_cannot_satisfy),
        cmocka_unit_test(test_device_code_flow_device_controls),
        cmocka_unit_test(test_approved_app_not_enforced),
        cmocka_unit_test(test_platform_mfa_admin_portals),
        cmocka_unit_test(test_export_quirks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
