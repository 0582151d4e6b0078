/* catalog_sync.c — the feature flags of the tenant's on-premises directory synchronization
 * (Graph v1.0 "onPremisesDirectorySynchronizationFeature resource type",
 * https://learn.microsoft.com/graph/api/resources/onpremisesdirectorysynchronizationfeature):
 * the language's keyword and the Graph property of each, in one table. */
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/util.h"

static const struct catalog_sync_feature features[] = {
    {"password_hash_sync", "passwordSyncEnabled", "password hash synchronization"},
    {"password_writeback", "passwordWritebackEnabled", "password writeback to on-premises AD"},
    {"block_soft_match", "blockSoftMatchEnabled", "block soft match of all objects"},
    {"block_hard_match_takeover", "blockCloudObjectTakeoverThroughHardMatchEnabled",
     "block the takeover of cloud objects through source-anchor hard match"},
    {"bypass_dirsync_overrides", "bypassDirSyncOverridesEnabled",
     "keep Mobile and OtherMobile of on-premises AD (no cloud overrides)"},
    {"cloud_password_policy_for_synced_users", "cloudPasswordPolicyForPasswordSyncedUsersEnabled",
     "the cloud password policy applies to password-synced users"},
    {"concurrent_credential_update", "concurrentCredentialUpdateEnabled",
     "concurrent credential updates"},
    {"concurrent_org_id_provisioning", "concurrentOrgIdProvisioningEnabled",
     "concurrent provisioning"},
    {"device_writeback", "deviceWritebackEnabled", "device writeback"},
    {"directory_extensions", "directoryExtensionsEnabled", "directory extension attributes"},
    {"fope_conflict_resolution", "fopeConflictResolutionEnabled",
     "Forefront Online Protection for Exchange conflict resolution"},
    {"group_writeback", "groupWriteBackEnabled", "group writeback"},
    {"quarantine_upon_proxy_addresses_conflict", "quarantineUponProxyAddressesConflictEnabled",
     "quarantine an object whose proxy address conflicts"},
    {"quarantine_upon_upn_conflict", "quarantineUponUpnConflictEnabled",
     "quarantine an object whose UPN conflicts"},
    {"soft_match_on_upn", "softMatchOnUpnEnabled", "soft match on the UPN as well"},
    {"synchronize_upn_for_managed_users", "synchronizeUpnForManagedUsersEnabled",
     "synchronize UPN changes of managed users"},
    {"unified_group_writeback", "unifiedGroupWritebackEnabled", "Microsoft 365 group writeback"},
    {"user_force_password_change_on_logon", "userForcePasswordChangeOnLogonEnabled",
     "a password change forced on-premises is required in the cloud too"},
    {"user_writeback", "userWritebackEnabled", "user writeback"},
};

const struct catalog_sync_feature *catalog_sync_features(size_t *n)
{
    *n = IDPC_ARRAY_LEN(features);
    return features;
}

const struct catalog_sync_feature *catalog_sync_feature_by_keyword(const char *kw)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(features); i++)
        if (strcmp(features[i].keyword, kw) == 0)
            return &features[i];
    return NULL;
}

const struct catalog_sync_feature *catalog_sync_feature_by_graph(const char *prop)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(features); i++)
        if (strcmp(features[i].graph, prop) == 0)
            return &features[i];
    return NULL;
}
