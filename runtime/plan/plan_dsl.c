/* plan_dsl.c — changes in the language's terms: Graph paths become .idp field names, ids become
 * `group "Sales"`, enum values become keywords. Unknown paths and values fall back to Graph's
 * spelling, so nothing is ever hidden. */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/catalog.h"
#include "compiler/util.h"
#include "runtime/plan/jsondiff.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/resolve.h"

enum vk {
    VK_PLAIN,   /* strings quoted, other JSON as is */
    VK_ENUM,    /* catalog keyword (flags strings split) */
    VK_ID,      /* ids: keywords, then tenant names */
    VK_COMBO,   /* strength combinations: password + sms */
    VK_TARGETS, /* method targets: all_users | group "X" */
    VK_OPERATOR,
    VK_ONOFF,    /* booleans and "true"/"false" strings as on / off */
    VK_MAP,      /* fixed value → keyword table (cat indexes maps[]) */
    VK_WORD,     /* already in the language's words (normalize_pim.c): shown as is */
    VK_CONSENT,  /* a user consent policy id: its user_consent keyword */
    VK_REVIEWER, /* an admin consent reviewer query: user "x", group "x" or role "x" */
    VK_X509,     /* certificate rules and bindings: in the words of their lines */
};

static const char *const maps[][2][2] = {
    /* 0: guestUserRoleId */
    {{"a0b1b346-4d3e-4e8b-98f8-753987be4970", "same_as_members"},
     {"10dae51f-b6af-4016-8d66-8c2a99b929b3", "limited"}},
    /* 1: method state */
    {{"enabled", "on"}, {"disabled", "off"}},
    /* 2: unused (invites has its own table) */
    {{"", ""}, {"", ""}},
    /* 3: PIM eligibility expiration */
    {{"noExpiration", "permanent"}, {"afterDateTime", "until"}},
};
static const char *const restricted_guest[2] = {"2af84b1e-32c8-42b7-82bc-daa82404023b",
                                                "restricted"};
static const char *const invites[][2] = {
    {"none", "none"},
    {"adminsAndGuestInviters", "admins_and_guest_inviters"},
    {"adminsGuestInvitersAndAllMembers", "admins_guest_inviters_and_all_members"},
    {"everyone", "everyone"}};

struct fieldmap {
    int kind; /* enum model_kind, or -1 for any */
    const char *path;
    const char *dsl;
    enum vk vk;
    int cat;  /* catalog kind for VK_ENUM / keyword table for VK_ID, or -1 */
    int hint; /* tenant kind for VK_ID, -1 any */
};

#define P MODEL_CA_POLICY
#define L MODEL_NAMED_LOCATION
#define S MODEL_AUTH_STRENGTH
#define G MODEL_GROUP
#define M MODEL_AUTH_METHOD_CONFIG
#define A MODEL_AUTHORIZATION_POLICY
#define R MODEL_ROLE_POLICY
#define E MODEL_ROLE_ELIGIBILITY

static const struct fieldmap fields[] = {
    /* kind-specific rows first: the first of two equally long matches wins */
    {MODEL_AUTH_CONTEXT, "displayName", "display_name", VK_PLAIN, -1, -1},
    {MODEL_AUTH_CONTEXT, "isAvailable", "available", VK_ONOFF, -1, -1},
    {MODEL_AUTH_STRENGTH, "combinationConfigurations", "restrictions", VK_PLAIN, -1, -1},
    {MODEL_GROUP_LIFECYCLE, "groupLifetimeInDays", "group_expiration (days)", VK_PLAIN, -1, -1},
    {MODEL_GROUP_LIFECYCLE, "managedGroupTypes", "group_expiration groups", VK_PLAIN, -1, -1},
    {MODEL_GROUP_LIFECYCLE, "groups", "group_expiration for", VK_ID, -1, TK_GROUP},
    {MODEL_GROUP_LIFECYCLE, "alternateNotificationEmails", "group_expiration notify", VK_PLAIN, -1,
     -1},
    /* on_premises_sync (compiler/catalog_sync.c) */
    {MODEL_ONPREM_SYNC, "features.passwordSyncEnabled", "password_hash_sync", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.passwordWritebackEnabled", "password_writeback", VK_ONOFF, -1,
     -1},
    {MODEL_ONPREM_SYNC, "features.blockSoftMatchEnabled", "block_soft_match", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.blockCloudObjectTakeoverThroughHardMatchEnabled",
     "block_hard_match_takeover", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.bypassDirSyncOverridesEnabled", "bypass_dirsync_overrides",
     VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.cloudPasswordPolicyForPasswordSyncedUsersEnabled",
     "cloud_password_policy_for_synced_users", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.concurrentCredentialUpdateEnabled",
     "concurrent_credential_update", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.concurrentOrgIdProvisioningEnabled",
     "concurrent_org_id_provisioning", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.deviceWritebackEnabled", "device_writeback", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.directoryExtensionsEnabled", "directory_extensions", VK_ONOFF, -1,
     -1},
    {MODEL_ONPREM_SYNC, "features.fopeConflictResolutionEnabled", "fope_conflict_resolution",
     VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.groupWriteBackEnabled", "group_writeback", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.quarantineUponProxyAddressesConflictEnabled",
     "quarantine_upon_proxy_addresses_conflict", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.quarantineUponUpnConflictEnabled", "quarantine_upon_upn_conflict",
     VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.softMatchOnUpnEnabled", "soft_match_on_upn", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.synchronizeUpnForManagedUsersEnabled",
     "synchronize_upn_for_managed_users", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.unifiedGroupWritebackEnabled", "unified_group_writeback",
     VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.userForcePasswordChangeOnLogonEnabled",
     "user_force_password_change_on_logon", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "features.userWritebackEnabled", "user_writeback", VK_ONOFF, -1, -1},
    {MODEL_ONPREM_SYNC, "configuration.accidentalDeletionPrevention.synchronizationPreventionType",
     "accidental_deletion_prevention", VK_PLAIN, -1, -1},
    {MODEL_ONPREM_SYNC, "configuration.accidentalDeletionPrevention.alertThreshold",
     "accidental_deletion_prevention threshold", VK_PLAIN, -1, -1},
    {MODEL_AUTH_METHODS_POLICY, "registrationEnforcement.authenticationMethodsRegistrationCampaign",
     "registration_campaign", VK_PLAIN, -1, -1},
    {MODEL_USER, "displayName", "display_name", VK_PLAIN, -1, -1},
    {MODEL_USER, "accountEnabled", "enabled", VK_ONOFF, -1, -1},
    {MODEL_USER, "usageLocation", "usage_location", VK_PLAIN, -1, -1},
    {MODEL_USER, "mailNickname", "mail_nickname", VK_PLAIN, -1, -1},
    {MODEL_USER, "givenName", "given_name", VK_PLAIN, -1, -1},
    {MODEL_USER, "surname", "surname", VK_PLAIN, -1, -1},
    {MODEL_USER, "jobTitle", "job_title", VK_PLAIN, -1, -1},
    {MODEL_USER, "userPrincipalName", "user_principal_name", VK_PLAIN, -1, -1},
    {-1, "displayName", "name", VK_PLAIN, -1, -1},
    {E, "scheduleInfo.expiration.type", "expiration", VK_MAP, 3, -1},
    {E, "scheduleInfo.expiration.endDateTime", "until", VK_PLAIN, -1, -1},
    {MODEL_ROLE_ASSIGNMENT, "scheduleInfo.expiration.type", "expiration", VK_MAP, 3, -1},
    {MODEL_ROLE_ASSIGNMENT, "scheduleInfo.expiration.endDateTime", "until", VK_PLAIN, -1, -1},
    /* PIM for Groups schedules (lower_pim_group.c) and access reviews (lower_review.c) */
    {MODEL_GROUP_PIM_ELIGIBILITY, "scheduleInfo.expiration.type", "expiration", VK_MAP, 3, -1},
    {MODEL_GROUP_PIM_ELIGIBILITY, "scheduleInfo.expiration.endDateTime", "until", VK_PLAIN, -1, -1},
    {MODEL_GROUP_PIM_ASSIGNMENT, "scheduleInfo.expiration.type", "expiration", VK_MAP, 3, -1},
    {MODEL_GROUP_PIM_ASSIGNMENT, "scheduleInfo.expiration.endDateTime", "until", VK_PLAIN, -1, -1},
    {MODEL_GROUP_PIM_ELIGIBILITY, "principalId", "principal", VK_ID, -1, -1},
    {MODEL_GROUP_PIM_ASSIGNMENT, "principalId", "principal", VK_ID, -1, -1},
    {MODEL_GROUP_PIM_ELIGIBILITY, "accessId", "access", VK_PLAIN, -1, -1},
    {MODEL_GROUP_PIM_ASSIGNMENT, "accessId", "access", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "descriptionForAdmins", "description", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "descriptionForReviewers", "description (reviewers)", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "scope", "review", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "instanceEnumerationScope", "review (groups)", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "reviewers", "reviewers", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "fallbackReviewers", "fallback_reviewers", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.recurrence", "recurrence", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.instanceDurationInDays", "duration (days)", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.autoApplyDecisionsEnabled", "auto_apply", VK_ONOFF, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.defaultDecisionEnabled", "if_no_response (enabled)", VK_ONOFF,
     -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.defaultDecision", "if_no_response", VK_PLAIN, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.justificationRequiredOnApproval", "justification_required",
     VK_ONOFF, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.recommendationsEnabled", "recommendations", VK_ONOFF, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.mailNotificationsEnabled", "notifications", VK_ONOFF, -1, -1},
    {MODEL_ACCESS_REVIEW, "settings.reminderNotificationsEnabled", "notifications (reminders)",
     VK_ONOFF, -1, -1},
    /* PIM role settings: normalize_pim.c keys the policy by rule id */
    {R, "Expiration_EndUser_Assignment", "activation_max_duration", VK_WORD, -1, -1},
    {R, "Expiration_Admin_Eligibility", "eligible_max_duration", VK_WORD, -1, -1},
    {R, "Expiration_Admin_Assignment", "active_max_duration", VK_WORD, -1, -1},
    {R, "Enablement_EndUser_Assignment", "activation_requires", VK_WORD, -1, -1},
    {R, "Enablement_Admin_Assignment", "active_requires", VK_WORD, -1, -1},
    {R, "AuthenticationContext_EndUser_Assignment", "activation_context", VK_WORD, -1, -1},
    {R, "Approval_EndUser_Assignment", "activation_approval", VK_ID, -1, -1},
    {R, "Notification_Admin_Admin_Eligibility", "notify eligible admin", VK_WORD, -1, -1},
    {R, "Notification_Requestor_Admin_Eligibility", "notify eligible requestor", VK_WORD, -1, -1},
    {R, "Notification_Approver_Admin_Eligibility", "notify eligible approver", VK_WORD, -1, -1},
    {R, "Notification_Admin_Admin_Assignment", "notify active admin", VK_WORD, -1, -1},
    {R, "Notification_Requestor_Admin_Assignment", "notify active requestor", VK_WORD, -1, -1},
    {R, "Notification_Approver_Admin_Assignment", "notify active approver", VK_WORD, -1, -1},
    {R, "Notification_Admin_EndUser_Assignment", "notify activation admin", VK_WORD, -1, -1},
    {R, "Notification_Requestor_EndUser_Assignment", "notify activation requestor", VK_WORD, -1,
     -1},
    {R, "Notification_Approver_EndUser_Assignment", "notify activation approver", VK_WORD, -1, -1},
    {-1, "description", "description", VK_PLAIN, -1, -1},
    {P, "state", "state", VK_ENUM, CAT_STATE, -1},
    {P, "conditions.users.includeUsers", "users.include", VK_ID, CAT_USER_KEYWORD, TK_USER},
    {P, "conditions.users.excludeUsers", "users.exclude", VK_ID, CAT_USER_KEYWORD, TK_USER},
    {P, "conditions.users.includeGroups", "users.include", VK_ID, -1, TK_GROUP},
    {P, "conditions.users.excludeGroups", "users.exclude", VK_ID, -1, TK_GROUP},
    {P, "conditions.users.includeRoles", "users.include", VK_ID, -1, TK_ROLE},
    {P, "conditions.users.excludeRoles", "users.exclude", VK_ID, -1, TK_ROLE},
    {P, "conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes",
     "users.include guests", VK_ENUM, CAT_GUEST_TYPE, -1},
    {P, "conditions.users.excludeGuestsOrExternalUsers.guestOrExternalUserTypes",
     "users.exclude guests", VK_ENUM, CAT_GUEST_TYPE, -1},
    {P, "conditions.users.includeGuestsOrExternalUsers.externalTenants",
     "users.include guests tenants", VK_PLAIN, -1, -1},
    {P, "conditions.users.excludeGuestsOrExternalUsers.externalTenants",
     "users.exclude guests tenants", VK_PLAIN, -1, -1},
    {P, "conditions.applications.includeApplications", "apps.include", VK_ID, CAT_APP_KEYWORD,
     TK_SP},
    {P, "conditions.applications.excludeApplications", "apps.exclude", VK_ID, CAT_APP_KEYWORD,
     TK_SP},
    {P, "conditions.applications.includeUserActions", "apps.include action", VK_ENUM,
     CAT_USER_ACTION, -1},
    {P, "conditions.applications.includeAuthenticationContextClassReferences",
     "apps.include context", VK_PLAIN, -1, -1},
    {P, "conditions.applications.applicationFilter", "apps.filter", VK_PLAIN, -1, -1},
    {P, "conditions.clientApplications.includeServicePrincipals", "workloads.include", VK_ID, -1,
     TK_SP},
    {P, "conditions.clientApplications.excludeServicePrincipals", "workloads.exclude", VK_ID, -1,
     TK_SP},
    {P, "conditions.clientApplications.servicePrincipalFilter", "workloads.filter", VK_PLAIN, -1,
     -1},
    {P, "conditions.clientAppTypes", "client_apps", VK_ENUM, CAT_CLIENT_APP, -1},
    {P, "conditions.platforms.includePlatforms", "platforms.include", VK_ENUM, CAT_PLATFORM, -1},
    {P, "conditions.platforms.excludePlatforms", "platforms.exclude", VK_ENUM, CAT_PLATFORM, -1},
    {P, "conditions.locations.includeLocations", "locations.include", VK_ID, CAT_LOCATION_KEYWORD,
     TK_LOCATION},
    {P, "conditions.locations.excludeLocations", "locations.exclude", VK_ID, CAT_LOCATION_KEYWORD,
     TK_LOCATION},
    {P, "conditions.signInRiskLevels", "sign_in_risk", VK_ENUM, CAT_RISK, -1},
    {P, "conditions.userRiskLevels", "user_risk", VK_ENUM, CAT_RISK, -1},
    {P, "conditions.servicePrincipalRiskLevels", "workload_risk", VK_ENUM, CAT_RISK, -1},
    {P, "conditions.insiderRiskLevels", "insider_risk", VK_ENUM, CAT_INSIDER_RISK, -1},
    {P, "conditions.devices.deviceFilter", "device_filter", VK_PLAIN, -1, -1},
    {P, "conditions.authenticationFlows.transferMethods", "auth_flows", VK_ENUM, CAT_TRANSFER, -1},
    {P, "grantControls.operator", "grant", VK_OPERATOR, -1, -1},
    {P, "grantControls.builtInControls", "grant", VK_ENUM, CAT_GRANT, -1},
    {P, "grantControls.authenticationStrength.id", "grant strength", VK_ID, -1, TK_STRENGTH},
    {P, "grantControls.authenticationStrength", "grant strength", VK_PLAIN, -1, -1},
    {P, "grantControls.termsOfUse", "grant terms", VK_ID, -1, TK_AGREEMENT},
    {P, "grantControls.customAuthenticationFactors", "grant custom", VK_PLAIN, -1, -1},
    {P, "sessionControls.signInFrequency.authenticationType", "session sign_in_frequency type",
     VK_ENUM, CAT_SIF_AUTH_TYPE, -1},
    {P, "sessionControls.signInFrequency", "session sign_in_frequency", VK_PLAIN, -1, -1},
    {P, "sessionControls.persistentBrowser.mode", "session persistent_browser", VK_ENUM,
     CAT_PERSISTENT_BROWSER, -1},
    {P, "sessionControls.persistentBrowser", "session persistent_browser", VK_PLAIN, -1, -1},
    {P, "sessionControls.cloudAppSecurity.cloudAppSecurityType", "session cloud_app_security",
     VK_ENUM, CAT_CLOUD_APP_SECURITY, -1},
    {P, "sessionControls.cloudAppSecurity", "session cloud_app_security", VK_PLAIN, -1, -1},
    {P, "sessionControls.applicationEnforcedRestrictions", "session app_enforced_restrictions",
     VK_PLAIN, -1, -1},
    {P, "sessionControls.disableResilienceDefaults", "session disable_resilience_defaults",
     VK_PLAIN, -1, -1},
    {P, "sessionControls", "session", VK_PLAIN, -1, -1},
    {L, "ipRanges", "ip", VK_PLAIN, -1, -1},
    {L, "isTrusted", "trusted", VK_PLAIN, -1, -1},
    {L, "countriesAndRegions", "countries", VK_PLAIN, -1, -1},
    {L, "includeUnknownCountriesAndRegions", "unknown_countries", VK_PLAIN, -1, -1},
    {L, "countryLookupMethod", "lookup", VK_ENUM, CAT_COUNTRY_LOOKUP, -1},
    {L, "kind", "kind", VK_PLAIN, -1, -1},
    {S, "allowedCombinations", "allow", VK_COMBO, CAT_AUTH_MODE, -1},
    {G, "members", "members", VK_ID, -1, -1},
    {G, "owners", "owners", VK_ID, -1, TK_USER},
    {G, "membershipRule", "dynamic", VK_PLAIN, -1, -1},
    {G, "membershipRuleProcessingState", "dynamic state", VK_PLAIN, -1, -1},
    {G, "mailNickname", "mail_nickname", VK_PLAIN, -1, -1},
    {G, "isAssignableToRole", "role_assignable", VK_PLAIN, -1, -1},
    {G, "groupTypes", "kind", VK_PLAIN, -1, -1},
    {G, "visibility", "visibility", VK_PLAIN, -1, -1},
    {G, "securityEnabled", "security_enabled", VK_PLAIN, -1, -1},
    {G, "mailEnabled", "mail_enabled", VK_PLAIN, -1, -1},
    {M, "state", "state", VK_MAP, 1, -1},
    {M, "includeTargets", "for", VK_TARGETS, -1, -1},
    {M, "excludeTargets", "exclude", VK_TARGETS, -1, -1},
    {M, "isAttestationEnforced", "attestation", VK_ONOFF, -1, -1},
    {M, "isSelfServiceRegistrationAllowed", "self_service", VK_ONOFF, -1, -1},
    {M, "keyRestrictions", "keys", VK_PLAIN, -1, -1},
    {M, "authenticationModeConfiguration.x509CertificateAuthenticationDefaultMode", "default_mode",
     VK_X509, -1, -1},
    {M, "authenticationModeConfiguration.rules", "rule", VK_X509, -1, -1},
    {M, "certificateUserBindings", "binding", VK_X509, -1, -1},
    {M, "featureSettings.displayAppInformationRequiredState", "show_app_name", VK_PLAIN, -1, -1},
    {M, "featureSettings.displayLocationInformationRequiredState", "show_location", VK_PLAIN, -1,
     -1},
    {M, "featureSettings.displayAppInformationRequiredState.includeTarget.id", "show_app_name for",
     VK_ID, -1, TK_GROUP},
    {M, "featureSettings.displayAppInformationRequiredState.excludeTarget.id",
     "show_app_name exclude", VK_ID, -1, TK_GROUP},
    {M, "featureSettings.displayLocationInformationRequiredState.includeTarget.id",
     "show_location for", VK_ID, -1, TK_GROUP},
    {M, "featureSettings.displayLocationInformationRequiredState.excludeTarget.id",
     "show_location exclude", VK_ID, -1, TK_GROUP},
    {M, "isSoftwareOathEnabled", "software_oath", VK_ONOFF, -1, -1},
    {M, "defaultLifetimeInMinutes", "lifetime (minutes)", VK_PLAIN, -1, -1},
    {M, "minimumLifetimeInMinutes", "lifetime min (minutes)", VK_PLAIN, -1, -1},
    {M, "maximumLifetimeInMinutes", "lifetime max (minutes)", VK_PLAIN, -1, -1},
    {M, "defaultLength", "length", VK_PLAIN, -1, -1},
    {M, "isUsableOnce", "one_time", VK_ONOFF, -1, -1},
    {M, "isOfficePhoneAllowed", "office_phone", VK_ONOFF, -1, -1},
    {M, "allowExternalIdToUseEmailOtp", "external_id_otp", VK_PLAIN, -1, -1},
    {A, "defaultUserRolePermissions.allowedToCreateSecurityGroups",
     "users_can_create_security_groups", VK_ONOFF, -1, -1},
    {A, "defaultUserRolePermissions.allowedToCreateApps", "users_can_create_apps", VK_ONOFF, -1,
     -1},
    {A, "defaultUserRolePermissions.allowedToCreateTenants", "users_can_create_tenants", VK_ONOFF,
     -1, -1},
    {A, "defaultUserRolePermissions.allowedToReadOtherUsers", "users_can_read_other_users",
     VK_ONOFF, -1, -1},
    {A, "allowInvitesFrom", "guest_invites", VK_MAP, 2, -1},
    {A, "guestUserRoleId", "guest_access", VK_MAP, 0, -1},
    {A, "allowedToUseSSPR", "admin_self_service_password_reset", VK_ONOFF, -1, -1},
    {A, "blockMsolPowerShell", "block_msol_powershell", VK_ONOFF, -1, -1},
    {MODEL_SECURITY_DEFAULTS, "isEnabled", "security_defaults", VK_ONOFF, -1, -1},
    {A, "defaultUserRolePermissions.permissionGrantPoliciesAssigned", "user_consent", VK_CONSENT,
     -1, -1},
    {MODEL_ADMIN_CONSENT, "isEnabled", "admin_consent_requests", VK_ONOFF, -1, -1},
    {MODEL_ADMIN_CONSENT, "reviewers", "admin_consent_reviewers", VK_REVIEWER, -1, TK_USER},
    {MODEL_ADMIN_CONSENT, "notifyReviewers", "admin_consent_notify_reviewers", VK_ONOFF, -1, -1},
    {MODEL_ADMIN_CONSENT, "remindersEnabled", "admin_consent_reminders", VK_ONOFF, -1, -1},
    {MODEL_ADMIN_CONSENT, "requestDurationInDays", "admin_consent_request_expiry (days)", VK_PLAIN,
     -1, -1},
    {MODEL_GROUP_SETTING, "values.ClassificationDescriptions", "group_classification_descriptions",
     VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.DefaultClassification", "group_default_classification", VK_PLAIN,
     -1, -1},
    {MODEL_GROUP_SETTING, "values.GuestUsageGuidelinesUrl", "group_guest_usage_guidelines",
     VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.EnableMSStandardBlockedWords", "group_standard_blocked_words",
     VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.EnableMIPLabels", "group_sensitivity_labels", VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.NewUnifiedGroupWritebackDefault", "group_writeback_default",
     VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.EnableGroupCreation", "group_creation", VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.GroupCreationAllowedGroupId", "group_creation except", VK_ID, -1,
     TK_GROUP},
    {MODEL_GROUP_SETTING, "values.PrefixSuffixNamingRequirement", "group_naming", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.CustomBlockedWordsList", "group_blocked_words", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.AllowGuestsToBeGroupOwner", "group_guest_owners", VK_ONOFF, -1,
     -1},
    {MODEL_GROUP_SETTING, "values.AllowGuestsToAccessGroups", "group_guest_access", VK_ONOFF, -1,
     -1},
    {MODEL_GROUP_SETTING, "values.AllowToAddGuests", "group_add_guests", VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.UsageGuidelinesUrl", "group_usage_guidelines", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.ClassificationList", "group_classifications", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.BannedPasswordList", "banned_passwords", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.EnableBannedPasswordCheck", "banned_password_check", VK_ONOFF, -1,
     -1},
    {MODEL_GROUP_SETTING, "values.EnableBannedPasswordCheckOnPremises",
     "password_protection_on_premises", VK_ONOFF, -1, -1},
    {MODEL_GROUP_SETTING, "values.BannedPasswordCheckOnPremisesMode",
     "password_protection_on_premises mode", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.LockoutThreshold", "smart_lockout threshold", VK_PLAIN, -1, -1},
    {MODEL_GROUP_SETTING, "values.LockoutDurationInSeconds", "smart_lockout duration (seconds)",
     VK_PLAIN, -1, -1},
    {-1, "roleDefinitionId", "role", VK_ID, -1, TK_ROLE},
    {-1, "principalId", "principal", VK_ID, -1, -1},
    {-1, "directoryScopeId", "scope", VK_PLAIN, -1, -1},
    {-1, "scheduleInfo.expiration.type", "expiration", VK_PLAIN, -1, -1},
    {-1, "templateId", "template", VK_PLAIN, -1, -1},
};

#undef P
#undef L
#undef S
#undef G
#undef M
#undef A
#undef R
#undef E

const char *plan_kind_word(int k)
{
    switch (k) {
    case MODEL_GROUP:
        return "group";
    case MODEL_NAMED_LOCATION:
        return "location";
    case MODEL_AUTH_STRENGTH:
        return "strength";
    case MODEL_AUTH_METHOD_CONFIG:
        return "authentication_method";
    case MODEL_CA_POLICY:
        return "policy";
    case MODEL_ROLE_ASSIGNMENT:
        return "role_assignment";
    case MODEL_ROLE_ELIGIBILITY:
        return "role_eligibility";
    case MODEL_ROLE_POLICY:
        return "role_settings";
    case MODEL_GROUP_SETTING:
        return "group_setting";
    case MODEL_AUTHORIZATION_POLICY:
        return "settings";
    case MODEL_SECURITY_DEFAULTS:
        return "settings";
    case MODEL_AUTH_CONTEXT:
        return "authentication_context";
    case MODEL_AUTH_METHODS_POLICY:
        return "authentication_methods";
    case MODEL_GROUP_LIFECYCLE:
        return "group_expiration";
    case MODEL_ONPREM_SYNC:
        return "on_premises_sync";
    case MODEL_ADMIN_CONSENT:
        return "admin_consent";
    case MODEL_USER:
        return "user";
    case MODEL_GROUP_PIM_POLICY:
        return "pim_group_settings";
    case MODEL_GROUP_PIM_ELIGIBILITY:
        return "pim_group_eligibility";
    case MODEL_GROUP_PIM_ASSIGNMENT:
        return "pim_group_assignment";
    case MODEL_ACCESS_REVIEW:
        return "access_review";
    default:
        return "object";
    }
}

/* The table row for a path: exact, else the longest prefix at a '.' boundary. *suffix gets
 * what follows the prefix (".value"). */
static const struct fieldmap *lookup(int kind, const char *path, const char **suffix)
{
    const struct fieldmap *best = NULL;
    size_t best_len = 0;
    if (kind == MODEL_GROUP_PIM_POLICY)
        kind = MODEL_ROLE_POLICY; /* a group's PIM settings are a role's (lower_pim_group.c) */
    for (size_t i = 0; i < IDPC_ARRAY_LEN(fields); i++) {
        const struct fieldmap *f = &fields[i];
        if (f->kind >= 0 && f->kind != kind)
            continue;
        size_t n = strlen(f->path);
        if (strncmp(path, f->path, n) != 0 || (path[n] != '\0' && path[n] != '.'))
            continue;
        if (n > best_len) {
            best = f;
            best_len = n;
        }
    }
    *suffix = best ? path + best_len : path;
    return best;
}

char *plan_dsl_field(int kind, const char *path)
{
    const char *suffix;
    const struct fieldmap *f = lookup(kind, path, &suffix);
    if (!f)
        return xstrdup(path);
    return xasprintf("%s%s", f->dsl, suffix);
}

static char *quote(const char *s)
{
    json_t *j = json_string(s);
    char *q = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    return q;
}

static char *enum_word(int cat, const char *s)
{
    const struct catalog_entry *e =
        cat >= 0 ? catalog_lookup_graph((enum catalog_kind)cat, s) : NULL;
    return e ? xstrdup(e->keyword) : quote(s);
}

static char *id_word(const struct tenant *t, const struct fieldmap *f, const char *s)
{
    if (f && f->cat >= 0) {
        const struct catalog_entry *e = catalog_lookup_graph((enum catalog_kind)f->cat, s);
        if (e)
            return xstrdup(e->keyword);
    }
    char *kind = NULL, *name = NULL;
    if (resolve_parse_token(s, &kind, &name)) {
        static const struct {
            const char *ref, *word;
        } words[] = {{"group", "group"},
                     {"namedLocation", "location"},
                     {"authenticationStrengthPolicy", "strength"}};
        const char *w = kind;
        for (size_t i = 0; i < IDPC_ARRAY_LEN(words); i++)
            if (strcmp(kind, words[i].ref) == 0)
                w = words[i].word;
        char *q = quote(name);
        char *r = xasprintf("%s %s (new)", w, q);
        free(q);
        free(kind);
        free(name);
        return r;
    }
    if (strcmp(s, "all_users") == 0)
        return xstrdup("all");
    char *d = tenant_describe_id(t, s, f ? f->hint : -1);
    if (!d && f && f->hint >= 0)
        d = tenant_describe_id(t, s, -1);
    if (d)
        return d;
    char *q = quote(s);
    char *r = xasprintf("id %s", q);
    free(q);
    return r;
}

static void add_item(struct strbuf *sb, const struct tenant *t, const struct fieldmap *f,
                     const json_t *v);

static char *map_word(int which, const char *s)
{
    if (which == 2) {
        for (size_t i = 0; i < IDPC_ARRAY_LEN(invites); i++)
            if (strcasecmp(invites[i][0], s) == 0)
                return xstrdup(invites[i][1]);
    } else if (which >= 0 && (size_t)which < IDPC_ARRAY_LEN(maps)) {
        for (size_t i = 0; i < 2; i++)
            if (strcasecmp(maps[which][i][0], s) == 0)
                return xstrdup(maps[which][i][1]);
        if (which == 0 && strcasecmp(restricted_guest[0], s) == 0)
            return xstrdup(restricted_guest[1]);
    }
    return quote(s);
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A comma-separated Graph list ("mfa,fido2"), each value as its keyword, joined by `sep`. */
static void add_enum_words(struct strbuf *sb, int cat, const char *s, const char *sep)
{
    char *copy = xstrdup(s);
    bool first = true;
    for (char *p = copy; p;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        char *one = enum_word(cat, p);
        strbuf_addf(sb, "%s%s", first ? "" : sep, one);
        free(one);
        first = false;
        p = c ? c + 1 : NULL;
    }
    free(copy);
}

/* user_consent's keyword for a user consent policy id (lower_consent.c's words). */
static char *consent_word(const char *s)
{
    static const char *const self = "ManagePermissionGrantsForSelf.";
    if (strncasecmp(s, self, strlen(self)) != 0)
        return quote(s);
    const char *id = s + strlen(self);
    if (strcmp(id, "microsoft-user-default-low") == 0)
        return xstrdup("verified_publishers_low_impact");
    if (strcmp(id, "microsoft-user-default-legacy") == 0)
        return xstrdup("all_apps");
    char *q = quote(id);
    char *r = xasprintf("policy %s", q);
    free(q);
    return r;
}

/* A canonical reviewer query (normalize.c: lower case, no API version, no members suffix). */
static char *reviewer_word(const struct tenant *t, const char *s)
{
    static const char *const role_q =
        "/rolemanagement/directory/roleassignments?$filter=roledefinitionid eq '";
    static const struct fieldmap user = {-1, "", "", VK_ID, -1, TK_USER},
                                 group = {-1, "", "", VK_ID, -1, TK_GROUP};
    if (strncmp(s, "/users/", 7) == 0)
        return id_word(t, &user, s + 7);
    if (strncmp(s, "/groups/", 8) == 0)
        return id_word(t, &group, s + 8);
    if (strncmp(s, role_q, strlen(role_q)) == 0) {
        char *id = xstrdup(s + strlen(role_q));
        size_t n = strlen(id);
        if (n > 0 && id[n - 1] == '\'')
            id[n - 1] = '\0';
        const struct catalog_role *role = catalog_role_by_id(id);
        free(id);
        if (role) {
            char *q = quote(role->name);
            char *r = xasprintf("role %s", q);
            free(q);
            return r;
        }
    }
    return quote(s);
}

static void add_string(struct strbuf *sb, const struct tenant *t, const struct fieldmap *f,
                       const char *s)
{
    char *w = NULL;
    enum vk vk = f ? f->vk : VK_PLAIN;
    if (vk == VK_ENUM && strchr(s, ',')) { /* flags string: each flag its keyword */
        add_enum_words(sb, f->cat, s, ", ");
        return;
    }
    if (vk == VK_COMBO) { /* a method combination: its methods' keywords */
        add_enum_words(sb, f->cat, s, " + ");
        return;
    }
    if (vk == VK_ENUM)
        w = enum_word(f->cat, s);
    else if (vk == VK_ID)
        w = id_word(t, f, s);
    else if (vk == VK_ONOFF)
        w = xstrdup(strcasecmp(s, "true") == 0 ? "on" : strcasecmp(s, "false") == 0 ? "off" : s);
    else if (vk == VK_MAP)
        w = map_word(f->cat, s);
    else if (vk == VK_WORD)
        w = xstrdup(s);
    else if (vk == VK_X509 && catalog_x509_word(s))
        w = xstrdup(catalog_x509_word(s));
    else if (vk == VK_CONSENT)
        w = consent_word(s);
    else if (vk == VK_REVIEWER)
        w = reviewer_word(t, s);
    else if (vk == VK_PLAIN && normalize_is_guid(s))
        w = id_word(t, NULL, s);
    else if (vk == VK_OPERATOR)
        w = xstrdup(strcmp(s, "AND") == 0 ? "all_of" : strcmp(s, "OR") == 0 ? "any_of" : s);
    else
        w = quote(s);
    strbuf_adds(sb, w);
    free(w);
}

static void add_item(struct strbuf *sb, const struct tenant *t, const struct fieldmap *f,
                     const json_t *v)
{
    if (json_is_string(v)) {
        add_string(sb, t, f, json_string_value(v));
        return;
    }
    if (f && f->vk == VK_TARGETS && json_is_object(v)) {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id) {
            char *w = id_word(t, NULL, id);
            strbuf_adds(sb, w);
            free(w);
            return;
        }
    }
    if (f && f->vk == VK_X509 && json_is_object(v)) {
        /* `issuer "CN=…" multi_factor`, `principal_name to user_principal_name priority 1` */
        const char *rt =
            catalog_x509_word(json_string_value(json_object_get(v, "x509CertificateRuleType")));
        const char *fld =
            catalog_x509_word(json_string_value(json_object_get(v, "x509CertificateField")));
        const char *id = json_string_value(json_object_get(v, "identifier"));
        if (rt && id) {
            char *q = quote(id);
            const char *m = catalog_x509_word(
                json_string_value(json_object_get(v, "x509CertificateAuthenticationMode")));
            strbuf_addf(sb, "%s %s %s", rt, q, m ? m : "?");
            free(q);
            return;
        }
        if (fld) {
            const char *p =
                catalog_x509_word(json_string_value(json_object_get(v, "userProperty")));
            strbuf_addf(sb, "%s to %s priority %lld", fld, p ? p : "?",
                        (long long)json_integer_value(json_object_get(v, "priority")));
            return;
        }
    }
    if (json_is_boolean(v) && f && f->vk == VK_ONOFF) {
        strbuf_adds(sb, json_is_true(v) ? "on" : "off");
        return;
    }
    if (json_is_array(v)) {
        /* items sorted by their rendering, so that a list reads alphabetically */
        size_t n = json_array_size(v);
        char **items = xcalloc(n + 1, sizeof(*items));
        for (size_t i = 0; i < n; i++) {
            struct strbuf one = STRBUF_INIT;
            add_item(&one, t, f, json_array_get(v, i));
            items[i] = strbuf_detach(&one);
        }
        qsort(items, n, sizeof(*items), cmp_item);
        for (size_t i = 0; i < n; i++) {
            strbuf_addf(sb, "%s%s", i ? ", " : "", items[i]);
            free(items[i]);
        }
        free(items);
        if (n == 0)
            strbuf_adds(sb, "(none)");
        return;
    }
    char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    strbuf_adds(sb, d ? d : "null");
    free(d);
}

char *plan_dsl_value(const struct tenant *t, int kind, const char *path, const json_t *v)
{
    const char *suffix;
    const struct fieldmap *f = lookup(kind, path, &suffix);
    if (f && *suffix)
        f = NULL; /* below the mapped field: plain values */
    struct strbuf sb = STRBUF_INIT;
    add_item(&sb, t, f, v);
    return strbuf_detach(&sb);
}

static json_t *texts(const struct tenant *t, int kind, const char *path, const json_t *arr)
{
    size_t n = json_array_size(arr);
    char **items = xcalloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = plan_dsl_value(t, kind, path, json_array_get(arr, i));
    qsort(items, n, sizeof(*items), cmp_item);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out, json_string(items[i]));
        free(items[i]);
    }
    free(items);
    return out;
}

/* An access review's queries name users and groups by id ("/users/{id}"): shown as `user
 * "name"` / `group "name"`, as the configuration writes them (lower_review.c). */
static char *review_words(const struct tenant *t, char *s)
{
    static const char *const pre[] = {"/users/", "/groups/"};
    struct strbuf sb = STRBUF_INIT;
    const char *p = s;
    while (*p) {
        size_t k = 0;
        while (k < 2 && strncmp(p, pre[k], strlen(pre[k])) != 0)
            k++;
        const char *id = k < 2 ? p + strlen(pre[k]) : NULL;
        char guid[37];
        if (id && strlen(id) >= 36) {
            memcpy(guid, id, 36);
            guid[36] = '\0';
        }
        char *name = id && strlen(id) >= 36 && normalize_is_guid(guid)
                         ? tenant_describe_id(t, guid, k == 0 ? TK_USER : TK_GROUP)
                         : NULL;
        if (name) {
            /* JSON-escaped quotes inside a rendered object: keep the text valid to read */
            for (const char *n = name; *n; n++)
                strbuf_addf(&sb, "%s", *n == '"' ? "'" : (char[2]){*n, 0});
            free(name);
            p = id + 36;
            if (strncmp(p, "/transitiveMembers", 18) == 0 && p[18] != '/')
                p += 18;
            continue;
        }
        strbuf_addc(&sb, *p++);
    }
    free(s);
    return strbuf_detach(&sb);
}

json_t *plan_dsl_changes(const struct tenant *t, int kind, const struct jsondiff *d)
{
    json_t *out = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const struct jsondiff_change *c = &d->v[i];
        json_t *ch = json_object();
        char *field = plan_dsl_field(kind, c->path);
        json_object_set_new(ch, "field", json_string(field));
        free(field);
        json_object_set_new(ch, "path", json_string(c->path));
        json_object_set_new(ch, "op", json_string(jsondiff_op_name(c->op)));
        if (c->old_value) {
            char *s = plan_dsl_value(t, kind, c->path, c->old_value);
            if (kind == MODEL_ACCESS_REVIEW && t)
                s = review_words(t, s);
            json_object_set_new(ch, "old", json_string(s));
            free(s);
        }
        if (c->new_value) {
            char *s = plan_dsl_value(t, kind, c->path, c->new_value);
            if (kind == MODEL_ACCESS_REVIEW && t)
                s = review_words(t, s);
            json_object_set_new(ch, "new", json_string(s));
            free(s);
        }
        if (c->added && c->removed) {
            json_object_set_new(ch, "added", texts(t, kind, c->path, c->added));
            json_object_set_new(ch, "removed", texts(t, kind, c->path, c->removed));
        }
        json_array_append_new(out, ch);
    }
    return out;
}
