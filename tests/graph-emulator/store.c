/* The emulator's tenant state: load/save of the idpc-tenant/1 document and built-in defaults. */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_table[][2] = {
    {"62e90394-69f5-4237-9190-012177145e10", "Global Administrator"},
    {"f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader"},
    {"e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"},
    {"7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator"},
    {"194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator"},
    {"5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator"},
    {"5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader"},
    {"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator"},
    {"c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator"},
    {"0526716b-113d-4c15-b2c8-68e3c22b9f80", "Authentication Policy Administrator"},
    {"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator"},
    {"cf1c38e5-3621-4004-a7cb-879624dced7c", "Application Developer"},
    {"158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator"},
    {"29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator"},
    {"f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator"},
    {"69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator"},
    {"3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator"},
    {"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"},
    {"fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator"},
    {"729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator"},
    {"966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator"},
    {"b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator"},
    {"4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator"},
    {"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator"},
    {"88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers"},
    {"d29b2b05-8046-44ba-8758-1e26182fcf32", "Directory Synchronization Accounts"},
    {"1d336d2c-4ae8-42ef-9711-b3604ce3fc2c", "Attribute Definition Reader"},
    {"8424c6f0-a189-499e-bbd0-26c1753c96d4", "Attribute Definition Administrator"},
    {"58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d", "Attribute Assignment Administrator"},
};

static json_t *builtin_strength(const char *id, const char *name, const char *desc,
                                const char *const *combos)
{
    json_t *arr = json_array();
    for (size_t i = 0; combos[i]; i++)
        json_array_append_new(arr, json_string(combos[i]));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:[]}", "id", id, "createdDateTime",
                     "2021-12-01T00:00:00Z", "modifiedDateTime", "2021-12-01T00:00:00Z",
                     "displayName", name, "description", desc, "policyType", "builtIn",
                     "requirementsSatisfied", "mfa", "allowedCombinations", arr,
                     "combinationConfigurations");
}

static json_t *default_strengths(void)
{
    static const char *const mfa[] = {"windowsHelloForBusiness",
                                      "fido2",
                                      "x509CertificateMultiFactor",
                                      "deviceBasedPush",
                                      "temporaryAccessPassOneTime",
                                      "temporaryAccessPassMultiUse",
                                      "password,microsoftAuthenticatorPush",
                                      "password,softwareOath",
                                      "password,hardwareOath",
                                      "password,x509CertificateSingleFactor",
                                      "password,x509CertificateMultiFactor",
                                      "password,sms",
                                      "password,voice",
                                      "federatedMultiFactor",
                                      "microsoftAuthenticatorPush,federatedSingleFactor",
                                      "softwareOath,federatedSingleFactor",
                                      "hardwareOath,federatedSingleFactor",
                                      "sms,federatedSingleFactor",
                                      "voice,federatedSingleFactor",
                                      NULL};
    static const char *const pwless[] = {"windowsHelloForBusiness", "fido2",
                                         "x509CertificateMultiFactor", "deviceBasedPush", NULL};
    static const char *const phish[] = {"windowsHelloForBusiness", "fido2",
                                        "x509CertificateMultiFactor", NULL};
    json_t *a = json_array();
    json_array_append_new(
        a, builtin_strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication",
                            "Combinations of methods that satisfy strong authentication, such as a "
                            "password + SMS",
                            mfa));
    json_array_append_new(
        a, builtin_strength("00000000-0000-0000-0000-000000000003", "Passwordless MFA",
                            "Passwordless methods that satisfy strong authentication, such as "
                            "Passwordless sign-in with the Microsoft Authenticator",
                            pwless));
    json_array_append_new(
        a, builtin_strength("00000000-0000-0000-0000-000000000004", "Phishing resistant MFA",
                            "Phishing resistant, Passwordless methods for the strongest "
                            "authentication, such as a FIDO2 security key",
                            phish));
    return a;
}

static json_t *all_users_target(void)
{
    return json_pack("[{s:s, s:s, s:b}]", "targetType", "group", "id", "all_users",
                     "isRegistrationRequired", 0);
}

static json_t *default_methods_policy(void)
{
    json_t *cfgs = json_array();
    json_array_append_new(
        cfgs,
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:{s:b, s:s, s:[]}, s:[], s:o}", "@odata.type",
                  "#microsoft.graph.fido2AuthenticationMethodConfiguration", "id", "Fido2", "state",
                  "disabled", "isSelfServiceRegistrationAllowed", 1, "isAttestationEnforced", 1,
                  "keyRestrictions", "isEnforced", 0, "enforcementType", "block", "aaGuids",
                  "excludeTargets", "includeTargets", all_users_target()));
    json_t *auth_targets =
        json_pack("[{s:s, s:s, s:b, s:s}]", "targetType", "group", "id", "all_users",
                  "isRegistrationRequired", 0, "authenticationMode", "any");
    /* featureSettings as the v1.0 reference shows it: each feature "default", for all users,
     * excluding the all-zero group (nobody) */
    json_t *feature =
        json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "state", "default", "includeTarget",
                  "targetType", "group", "id", "all_users", "excludeTarget", "targetType", "group",
                  "id", "00000000-0000-0000-0000-000000000000");
    json_array_append_new(
        cfgs, json_pack("{s:s, s:s, s:s, s:b, s:{s:O, s:o}, s:[], s:o}", "@odata.type",
                        "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
                        "id", "MicrosoftAuthenticator", "state", "enabled", "isSoftwareOathEnabled",
                        0, "featureSettings", "displayAppInformationRequiredState", feature,
                        "displayLocationInformationRequiredState", feature, "excludeTargets",
                        "includeTargets", auth_targets));
    json_array_append_new(
        cfgs,
        json_pack("{s:s, s:s, s:s, s:[], s:[{s:s, s:s, s:b, s:b}]}", "@odata.type",
                  "#microsoft.graph.smsAuthenticationMethodConfiguration", "id", "Sms", "state",
                  "disabled", "excludeTargets", "includeTargets", "targetType", "group", "id",
                  "all_users", "isRegistrationRequired", 0, "isUsableForSignIn", 1));
    json_array_append_new(
        cfgs,
        json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:b, s:[], s:o}", "@odata.type",
                  "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "id",
                  "TemporaryAccessPass", "state", "disabled", "defaultLifetimeInMinutes", 60,
                  "defaultLength", 8, "minimumLifetimeInMinutes", 60, "maximumLifetimeInMinutes",
                  480, "isUsableOnce", 0, "excludeTargets", "includeTargets", all_users_target()));
    json_array_append_new(cfgs,
                          json_pack("{s:s, s:s, s:s, s:s, s:[], s:[]}", "@odata.type",
                                    "#microsoft.graph.emailAuthenticationMethodConfiguration", "id",
                                    "Email", "state", "enabled", "allowExternalIdToUseEmailOtp",
                                    "default", "excludeTargets", "includeTargets"));
    json_array_append_new(
        cfgs, json_pack("{s:s, s:s, s:s, s:[], s:o}", "@odata.type",
                        "#microsoft.graph.softwareOathAuthenticationMethodConfiguration", "id",
                        "SoftwareOath", "state", "disabled", "excludeTargets", "includeTargets",
                        all_users_target()));
    json_array_append_new(cfgs,
                          json_pack("{s:s, s:s, s:s, s:b, s:[], s:o}", "@odata.type",
                                    "#microsoft.graph.voiceAuthenticationMethodConfiguration", "id",
                                    "Voice", "state", "disabled", "isOfficePhoneAllowed", 0,
                                    "excludeTargets", "includeTargets", all_users_target()));
    /* Graph v1.0 "Get x509CertificateAuthenticationMethodConfiguration": its default bindings
     * and mode */
    json_array_append_new(
        cfgs,
        json_pack(
            "{s:s, s:s, s:s, s:[], s:o, s:[{s:s, s:s, s:i}, {s:s, s:s, s:i}], s:{s:s, s:[]}}",
            "@odata.type", "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
            "id", "X509Certificate", "state", "disabled", "excludeTargets", "includeTargets",
            all_users_target(), "certificateUserBindings", "x509CertificateField", "PrincipalName",
            "userProperty", "onPremisesUserPrincipalName", "priority", 1, "x509CertificateField",
            "RFC822Name", "userProperty", "userPrincipalName", "priority", 2,
            "authenticationModeConfiguration", "x509CertificateAuthenticationDefaultMode",
            "x509CertificateSingleFactor", "rules"));
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:{s:{s:i, s:s, s:[], s:[{s:s, s:s, s:s}]}}, s:o}",
        "id", "authenticationMethodsPolicy", "displayName", "Authentication Methods Policy",
        "description",
        "The tenant-wide policy that controls which authentication methods are allowed in the "
        "tenant, authentication method registration requirements, and self-service password "
        "reset settings",
        "lastModifiedDateTime", "2022-01-26T10:47:26.6044384Z", "policyVersion", "1.4",
        "reconfirmationInDays", 0, "policyMigrationState", "migrationComplete",
        "registrationEnforcement", "authenticationMethodsRegistrationCampaign",
        "snoozeDurationInDays", 1, "state", "default", "excludeTargets", "includeTargets", "id",
        "all_users", "targetType", "group", "targetedAuthenticationMethod",
        "microsoftAuthenticator", "authenticationMethodConfigurations", cfgs);
}

static json_t *default_authorization_policy(void)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:s, s:{s:b, s:b, s:b, "
        "s:b, s:b, s:[s]}}",
        "id", "authorizationPolicy", "displayName", "Authorization Policy", "description",
        "Used to manage authorization related settings across the company.", "allowInvitesFrom",
        "everyone", "allowedToSignUpEmailBasedSubscriptions", 1, "allowedToUseSSPR", 1,
        "allowEmailVerifiedUsersToJoinOrganization", 0, "allowUserConsentForRiskyApps", 0,
        "blockMsolPowerShell", 0, "guestUserRoleId", "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions", "allowedToCreateApps", 1, "allowedToCreateSecurityGroups", 1,
        "allowedToCreateTenants", 1, "allowedToReadBitlockerKeysForOwnedDevice", 1,
        "allowedToReadOtherUsers", 1, "permissionGrantPoliciesAssigned",
        "ManagePermissionGrantsForSelf.microsoft-user-default-legacy");
}

static json_t *tmpl_value(const char *name, const char *type, const char *def, const char *desc)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "name", name, "type", type, "defaultValue", def,
                     "description", desc);
}

static json_t *default_templates(void)
{
    json_t *u = json_array();
    json_array_append_new(
        u, tmpl_value("CustomBlockedWordsList", "System.String", "", "Blocked words"));
    json_array_append_new(
        u, tmpl_value("EnableMSStandardBlockedWords", "System.Boolean", "False", "Deprecated"));
    json_array_append_new(u, tmpl_value("ClassificationDescriptions", "System.String", "",
                                        "Classification descriptions"));
    json_array_append_new(
        u, tmpl_value("DefaultClassification", "System.String", "", "Default classification"));
    json_array_append_new(
        u, tmpl_value("PrefixSuffixNamingRequirement", "System.String", "", "Naming policy"));
    json_array_append_new(
        u, tmpl_value("AllowGuestsToBeGroupOwner", "System.Boolean", "False", "Guests as owners"));
    json_array_append_new(
        u, tmpl_value("AllowGuestsToAccessGroups", "System.Boolean", "True", "Guest access"));
    json_array_append_new(
        u, tmpl_value("GuestUsageGuidelinesUrl", "System.String", "", "Guest guidelines"));
    json_array_append_new(u, tmpl_value("GroupCreationAllowedGroupId", "System.Guid", "",
                                        "Group allowed to create groups"));
    json_array_append_new(u,
                          tmpl_value("AllowToAddGuests", "System.Boolean", "True", "Add guests"));
    json_array_append_new(
        u, tmpl_value("UsageGuidelinesUrl", "System.String", "", "Usage guidelines"));
    json_array_append_new(u,
                          tmpl_value("ClassificationList", "System.String", "", "Classifications"));
    json_array_append_new(
        u, tmpl_value("EnableGroupCreation", "System.Boolean", "True", "Group creation"));
    json_array_append_new(
        u, tmpl_value("NewUnifiedGroupWritebackDefault", "System.Boolean", "True", "Writeback"));
    json_array_append_new(u,
                          tmpl_value("EnableMIPLabels", "System.Boolean", "False", "MIP labels"));
    json_t *g = json_array();
    json_array_append_new(g,
                          tmpl_value("AllowToAddGuests", "System.Boolean", "True", "Add guests"));
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:s, s:n, s:s, s:s, s:o}", "id",
                                       "62375ab9-6b52-47ed-826b-58e47e0e304b", "deletedDateTime",
                                       "displayName", "Group.Unified", "description",
                                       "Setting templates define the different settings that "
                                       "can be used for the associated ObjectSettings. This "
                                       "template defines settings that can be used for Unified "
                                       "Groups.",
                                       "values", u));
    json_array_append_new(a, json_pack("{s:s, s:n, s:s, s:s, s:o}", "id",
                                       "08d542b9-071f-4e16-94b0-74abb372e3d9", "deletedDateTime",
                                       "displayName", "Group.Unified.Guest", "description",
                                       "Settings for a specific Unified Group", "values", g));
    /* Microsoft Entra password protection and smart lockout */
    json_t *pw = json_array();
    json_array_append_new(pw, tmpl_value("BannedPasswordCheckOnPremisesMode", "System.String",
                                         "Audit", "On-premises mode"));
    json_array_append_new(pw, tmpl_value("EnableBannedPasswordCheckOnPremises", "System.Boolean",
                                         "True", "On-premises check"));
    json_array_append_new(
        pw, tmpl_value("EnableBannedPasswordCheck", "System.Boolean", "True", "Custom list check"));
    json_array_append_new(
        pw, tmpl_value("LockoutDurationInSeconds", "System.Int32", "60", "Lockout duration"));
    json_array_append_new(
        pw, tmpl_value("LockoutThreshold", "System.Int32", "10", "Lockout threshold"));
    json_array_append_new(
        pw, tmpl_value("BannedPasswordList", "System.String", "", "Custom banned passwords"));
    json_array_append_new(
        a, json_pack("{s:s, s:n, s:s, s:s, s:o}", "id", "5cf42378-d67d-4f36-ba46-e8b86229381d",
                     "deletedDateTime", "displayName", "Password Rule Settings", "description",
                     "Settings for managing tenant-wide password rule settings.", "values", pw));
    return a;
}

static json_t *default_roles(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof role_table / sizeof role_table[0]; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:n, s:[]}", "id",
                                           role_table[i][0], "displayName", role_table[i][1],
                                           "templateId", role_table[i][0], "isBuiltIn", 1,
                                           "isEnabled", 1, "description", role_table[i][1],
                                           "version", "rolePermissions"));
    return a;
}

static void seed(json_t *colls, const char *path, json_t *value)
{
    if (!json_object_get(colls, path))
        json_object_set(colls, path, value);
    json_decref(value);
}

int emu_store_load(struct emu_ctx *ctx, const char *path)
{
    json_t *doc = NULL;
    if (path) {
        json_error_t err;
        doc = json_load_file(path, 0, &err);
        if (!doc) {
            fprintf(stderr, "graph-emulator: %s:%d: %s\n", path, err.line, err.text);
            return -1;
        }
        if (!json_is_object(doc) || strcmp(json_string_value(json_object_get(doc, "format"))
                                               ? json_string_value(json_object_get(doc, "format"))
                                               : "",
                                           "idpc-tenant/1") != 0) {
            fprintf(stderr, "graph-emulator: %s: not an idpc-tenant/1 document\n", path);
            json_decref(doc);
            return -1;
        }
    } else {
        doc = json_pack("{s:s}", "format", "idpc-tenant/1");
    }
    if (!json_is_string(json_object_get(doc, "tenantId"))) {
        char id[37];
        emu_guid(id);
        json_object_set_new(doc, "tenantId", json_string(id));
    }
    json_t *colls = json_object_get(doc, "collections");
    if (!json_is_object(colls)) {
        colls = json_object();
        json_object_set_new(doc, "collections", colls);
    }
    const char *tid = json_string_value(json_object_get(doc, "tenantId"));
    seed(colls, "organization",
         json_pack("[{s:s, s:s, s:[{s:s, s:b, s:b, s:s, s:s}], s:n, s:n}]", "id", tid,
                   "displayName", "Emulated Tenant", "verifiedDomains", "name",
                   "contoso.onmicrosoft.com", "isDefault", 1, "isInitial", 1, "type", "Managed",
                   "capabilities", "Email, OfficeCommunicationsOnlineService",
                   "onPremisesSyncEnabled", "onPremisesLastSyncDateTime"));
    seed(colls, "policies/authenticationStrengthPolicies", default_strengths());
    seed(colls, "policies/authenticationMethodsPolicy", default_methods_policy());
    seed(colls, "policies/authorizationPolicy", default_authorization_policy());
    seed(colls, "policies/identitySecurityDefaultsEnforcementPolicy",
         json_pack("{s:s, s:s, s:s, s:b}", "id", "00000000-0000-0000-0000-000000000005",
                   "displayName", "Security Defaults", "description",
                   "Security defaults is a set of basic identity security mechanisms recommended "
                   "by Microsoft.",
                   "isEnabled", 0));
    seed(colls, "groupSettingTemplates", default_templates());
    /* Graph v1.0 "Get onPremisesDirectorySynchronization" example: every tenant has one object,
     * its id the tenant's; a new tenant's flags as the example shows them */
    seed(colls, "directory/onPremisesSynchronization",
         json_pack("[{s:s, s:{s:{s:s, s:i}}, s:{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, "
                   "s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}}]",
                   "id", tid, "configuration", "accidentalDeletionPrevention",
                   "synchronizationPreventionType", "enabledForCount", "alertThreshold", 500,
                   "features", "passwordSyncEnabled", 0, "passwordWritebackEnabled", 0,
                   "directoryExtensionsEnabled", 0, "quarantineUponUpnConflictEnabled", 1,
                   "quarantineUponProxyAddressesConflictEnabled", 1, "softMatchOnUpnEnabled", 1,
                   "cloudPasswordPolicyForPasswordSyncedUsersEnabled", 0,
                   "fopeConflictResolutionEnabled", 0, "unifiedGroupWritebackEnabled", 0,
                   "userWritebackEnabled", 0, "deviceWritebackEnabled", 0,
                   "synchronizeUpnForManagedUsersEnabled", 1,
                   "userForcePasswordChangeOnLogonEnabled", 0, "concurrentOrgIdProvisioningEnabled",
                   0, "concurrentCredentialUpdateEnabled", 0, "groupWriteBackEnabled", 0,
                   "blockSoftMatchEnabled", 0, "blockCloudObjectTakeoverThroughHardMatchEnabled", 0,
                   "bypassDirSyncOverridesEnabled", 0));
    seed(colls, "roleManagement/directory/roleDefinitions", default_roles());
    json_decref(ctx->tenant);
    ctx->tenant = doc;
    return 0;
}

int emu_store_save(struct emu_ctx *ctx, const char *path)
{
    char *text = json_dumps(ctx->tenant, JSON_INDENT(2));
    if (!text)
        return -1;
    size_t n = strlen(text);
    char *with_nl = emu_xmalloc(n + 2);
    memcpy(with_nl, text, n);
    with_nl[n] = '\n';
    with_nl[n + 1] = '\0';
    int rc = emu_write_file_atomic(path, with_nl, n + 1);
    free(with_nl);
    free(text);
    return rc;
}

json_t *emu_coll(struct emu_ctx *ctx, const char *path)
{
    json_t *colls = json_object_get(ctx->tenant, "collections");
    json_t *a = json_object_get(colls, path);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(colls, path, a);
    }
    return a;
}

json_t *emu_singleton(struct emu_ctx *ctx, const char *path)
{
    json_t *colls = json_object_get(ctx->tenant, "collections");
    json_t *o = json_object_get(colls, path);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(colls, path, o);
    }
    return o;
}

static json_t *find(json_t *arr, const char *id, size_t *index, bool ci)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *vid = json_string_value(json_object_get(v, "id"));
        if (vid && (ci ? emu_strieq(vid, id) : strcmp(vid, id) == 0)) {
            if (index)
                *index = i;
            return v;
        }
    }
    return NULL;
}

json_t *emu_find(json_t *arr, const char *id, size_t *index)
{
    return find(arr, id, index, false);
}

json_t *emu_find_ci(json_t *arr, const char *id, size_t *index)
{
    return find(arr, id, index, true);
}

void emu_mark_created(struct emu_ctx *ctx, const char *id)
{
    if (ctx->cfg.replication_lag_ms > 0)
        json_object_set_new(ctx->created, id, json_real(emu_now()));
}

bool emu_lagging(struct emu_ctx *ctx, const char *id)
{
    json_t *t = json_object_get(ctx->created, id);
    if (!t)
        return false;
    if ((emu_now() - json_real_value(t)) * 1000.0 < (double)ctx->cfg.replication_lag_ms)
        return true;
    json_object_del(ctx->created, id);
    return false;
}

const char *emu_tenant_id(struct emu_ctx *ctx)
{
    return json_string_value(json_object_get(ctx->tenant, "tenantId"));
}

uint64_t emu_rand(struct emu_ctx *ctx)
{
    /* xorshift64*: reproducible fault sequences for a given --seed */
    uint64_t x = ctx->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ctx->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

double emu_rand01(struct emu_ctx *ctx)
{
    return (double)(emu_rand(ctx) >> 11) / 9007199254740992.0;
}
