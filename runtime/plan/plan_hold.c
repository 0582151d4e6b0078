/* plan_hold.c — what a plan derives from each named location while the backend loads it
 * (plan.h, plan_hold_locations): the tenant holds the locations as compact text, and a plan
 * that finds a location unchanged by its fingerprint never turns it back into a tree. */
#include "runtime/plan/plan.h"

#include "runtime/plan/normalize.h"
#include "runtime/tenant/backend.h"

/* plan_fingerprint of the normalised location: what plan_update and record_reads take. */
static char *location_fingerprint(const json_t *item)
{
    return plan_fingerprint(normalize_kind_name(NK_NAMED_LOCATION), item);
}

void plan_hold_locations(void)
{
    backend_freeze_hook(location_fingerprint);
}
