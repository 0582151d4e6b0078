/* apply.h — executes a plan's Graph requests in order against a backend, stopping at the first
 * failure and reporting what was and was not applied.
 * Ownership: the plan and backend are borrowed; the report is a new JSON reference. */
#ifndef IDPC_APPLY_H
#define IDPC_APPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "runtime/tenant/backend.h"

/* Runs every request of `plan` (phase order, then action order) with the backend, which the
 * caller has locked. Ids of created objects replace the plan's "$new:" placeholders in later
 * paths and bodies. Progress goes to `out`. Returns 0 when everything was applied, -1 when a
 * request failed (nothing after it was sent). *report (may be NULL) receives
 * {"applied": n, "total": n, "failed": {"action", "request", "error"} | null,
 *  "created": {token: id}}. The caller commits (backend_commit) in both cases: Graph keeps
 * what succeeded, and so does the file tenant. */
int apply_run(const json_t *plan, struct backend *b, FILE *out, bool color, json_t **report);

/* Every secret the plan's requests take from the environment ({"$env": NAME} in a body: a new
 * user's initial password) is set. Returns 0, or -1 after an error per missing variable on
 * stderr (at the declaration's file:line:col). apply_run checks it too, before any write. */
int apply_check_secrets(const json_t *plan);

#endif
