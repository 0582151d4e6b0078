/* tenant_governance.h — what a plan reads of PIM for Groups (schedules and policies, per group)
 * and of access reviews. Ownership: every function returns a new reference the caller releases;
 * the tenant is borrowed. */
#ifndef IDPC_TENANT_GOVERNANCE_H
#define IDPC_TENANT_GOVERNANCE_H

#include <jansson.h>
#include <stdbool.h>

#include "runtime/tenant/tenant.h"

#define TENANT_PIM_GROUP            "identityGovernance/privilegedAccess/group"
#define TENANT_PIM_GROUP_ELIG       TENANT_PIM_GROUP "/eligibilitySchedules"
#define TENANT_PIM_GROUP_ASSIGN     TENANT_PIM_GROUP "/assignmentSchedules"
#define TENANT_PIM_GROUP_ELIG_REQ   TENANT_PIM_GROUP "/eligibilityScheduleRequests"
#define TENANT_PIM_GROUP_ASSIGN_REQ TENANT_PIM_GROUP "/assignmentScheduleRequests"
#define TENANT_ACCESS_REVIEWS       "identityGovernance/accessReviews/definitions"
/* A backend path reads the items of a PIM for Groups collection for one group: PATH?groupId=ID
 * (Graph: $filter=groupId eq 'ID'; policy assignments: scopeId eq 'ID' and scopeType eq
 * 'Group'). */
#define TENANT_GROUP_QUERY "?groupId="

/* The group's eligibility (eligible) or active assignment schedules of PIM for Groups: an array
 * (empty when there is none). */
json_t *tenant_group_pim_schedules(struct tenant *t, const char *group_id, bool eligible);

/* The group's PIM policy for `access` ("member" or "owner") with its rules, or NULL when the
 * tenant has none. */
json_t *tenant_group_pim_policy(struct tenant *t, const char *group_id, const char *access);

/* The tenant's access review definitions: an array (empty when there is none or they cannot be
 * listed). */
json_t *tenant_access_reviews(struct tenant *t);

/* For a snapshot: adds to `colls` (collections by path) the PIM for Groups schedules, policy
 * assignments and policies of the groups the model's pim_group blocks name (without a model:
 * of every role-assignable group). 0, or -1 with err filled. */
struct model;
int tenant_governance_snapshot(struct backend *b, const struct model *m, json_t *colls,
                               struct backend_error *err);

#endif
