/* plan_combos.h — the plan requests for a custom strength's combination configurations.
 * Ownership: inputs are borrowed; the returned array is a new reference. */
#ifndef IDPC_PLAN_COMBOS_H
#define IDPC_PLAN_COMBOS_H

#include <jansson.h>

/* Requests (plan request objects: phase, method, path, body, description) that turn the
 * tenant's combination configurations `have` (with ids; may be NULL) into `want` (may be NULL)
 * under `strength_path` (the strength's path or its $new: token path). */
json_t *plan_strength_combos(int phase, const char *strength_path, const char *name,
                             const json_t *want, const json_t *have);

#endif
