/* resolve_governance.h — binds PIM for Groups objects and access reviews to the tenant (the
 * governance part of resolve.c's matching). Ownership: the resolve and its objects are borrowed;
 * what is matched is stored in the resolve object as resolve.h says. */
#ifndef IDPC_RESOLVE_GOVERNANCE_H
#define IDPC_RESOLVE_GOVERNANCE_H

#include "runtime/plan/resolve.h"

/* Matches a PIM for Groups schedule request (by group, principal and member/owner) or an access
 * review (by name) to the tenant's object. `claimed` holds the tenant ids already matched. */
void resolve_governance_match(struct resolve *r, struct resolve_object *ro, struct strmap *claimed);
/* Matches a group's member or owner PIM settings to the group's policy; `group_id` is the
 * resolved group id (or a placeholder for a group the plan creates). */
void resolve_governance_policy(struct resolve *r, struct resolve_object *ro, const char *group_id);
/* An access review body after resolution: each "$id" beside a query goes into the query's
 * "{id}" and is removed. */
void resolve_review_queries(json_t *body);

#endif
