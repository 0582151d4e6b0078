/* whatif_tenant.h — a tenant's Conditional Access inputs for the what-if evaluator, and the
 * directory look-ups that let sign-ins given by group name and UPN match policies that hold ids.
 * Ownership: a whatif_tenant owns its inputs and the directory objects it read; every string it
 * returns borrows from it (keep it alive as long). */
#ifndef IDPC_WHATIF_TENANT_H
#define IDPC_WHATIF_TENANT_H

#include <jansson.h>
#include <stddef.h>

#include "runtime/analysis/whatif.h"

struct whatif_tenant {
    struct whatif_inputs in; /* the tenant's policies, named locations and strengths */
    json_t *groups;          /* groups read: [{"id", "displayName"}, ...] */
    json_t *users;           /* users read: [{"id", "userPrincipalName"}, ...] */
};

/* Opens the tenant `spec` (runtime/backend.h; NULL = $IDPC_TENANT) and reads its
 * identity/conditionalAccess/policies, namedLocations and authenticationStrengthPolicies, the
 * groups named in `group_names`, the users named in `upns` (both NULL-terminated, may be NULL)
 * and the groups and users the policies reference (for their names). 0, or -1 with a one-line
 * message in err. */
int whatif_tenant_load(struct whatif_tenant *t, const char *spec, const char *const *group_names,
                       const char *const *upns, char *err, size_t errlen);
void whatif_tenant_fini(struct whatif_tenant *t);

/* The id of the tenant's user with this UPN (case-insensitive), or NULL. */
const char *whatif_tenant_user_id(const struct whatif_tenant *t, const char *upn);
/* The display name of the group (or UPN of the user) with this id, or NULL. */
const char *whatif_tenant_name_of(const struct whatif_tenant *t, const char *id);
/* `names` (NULL-terminated, may be NULL) followed by the id of each that names a tenant group:
 * a new NULL-terminated array (free() it; the strings are borrowed). */
const char **whatif_tenant_member_of(const struct whatif_tenant *t, const char *const *names);

#endif
