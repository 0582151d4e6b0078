/* normalize_pim.h — the canonical form of a PIM role management policy, used by normalize()
 * for NK_ROLE_POLICY: {rule id: the rule's settings in the language's words}.
 * Ownership: the input is borrowed; the result is a new reference (json_decref). */
#ifndef IDPC_NORMALIZE_PIM_H
#define IDPC_NORMALIZE_PIM_H

#include <jansson.h>
#include <stdbool.h>

/* {"rules": [...]} (a request body, or a GET of the policy with $expand=rules) → e.g.
 * {"Expiration_EndUser_Assignment": "8h", "Enablement_EndUser_Assignment": ["justification",
 * "mfa"], "Approval_EndUser_Assignment": [approver ids], "AuthenticationContext_EndUser_Assignment":
 * "none", "Notification_Admin_EndUser_Assignment": "all \"secops@contoso.com\""}. Rules of a
 * kind idpc does not state are left out. */
json_t *normalize_pim_policy(const json_t *obj);

#endif
