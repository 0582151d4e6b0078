/* plan_hold.c — the named locations a plan holds as text, on both sides: the tenant's (taken
 * while the backend loads them, plan_hold_locations) and the configuration's (frozen as each is
 * lowered, plan_freeze_request, or after the compile, plan_freeze_model), each with its plan
 * fingerprint, so that a location found unchanged by its fingerprint never turns back into a
 * tree. */
#include "runtime/plan/plan.h"

#include "runtime/plan/normalize.h"
#include "runtime/tenant/backend.h"

char *plan_location_fingerprint(const json_t *location)
{
    return plan_fingerprint(normalize_kind_name(NK_NAMED_LOCATION), location);
}

void plan_hold_locations(void)
{
    backend_freeze_hook(plan_location_fingerprint);
}

/* the most numerous declared objects, and bodies without references (model.h); each with the
 * fingerprint plan_build compares with the tenant's, so that an unchanged one is never thawed */
struct model_freeze_request plan_freeze_request(void)
{
    return (struct model_freeze_request){.kinds = 1u << MODEL_NAMED_LOCATION,
                                         .digest = plan_location_fingerprint};
}

void plan_freeze_model(struct model *m)
{
    model_freeze(m, MODEL_NAMED_LOCATION, plan_location_fingerprint);
}
