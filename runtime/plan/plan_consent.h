/* plan_consent.h — request bodies for the consent settings: the admin consent workflow's PUT and
 * the user consent policies of the default user role.
 * Ownership: inputs are borrowed; every returned json_t is a new reference. */
#ifndef IDPC_PLAN_CONSENT_H
#define IDPC_PLAN_CONSENT_H

#include <jansson.h>

/* The body of PUT /policies/adminConsentRequestPolicy: every property Graph requires, from the
 * desired body where it says so, else from the tenant's current policy (current may be NULL). */
json_t *plan_consent_put(const json_t *desired, const json_t *current);

/* permissionGrantPoliciesAssigned for a PATCH of the authorization policy: the desired user
 * consent policies ("ManagePermissionGrantsForSelf.*") followed by the current entries of every
 * other kind (group-owner consent), which the configuration does not govern. */
json_t *plan_consent_grants(const json_t *desired, const json_t *current);

#endif
