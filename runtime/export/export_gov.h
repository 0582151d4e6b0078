/* export_gov.h — what `idpc export` reads of a group's PIM for Groups (its schedules and its
 * member and owner policies). Ownership: the returned object is the caller's (json_decref); the
 * backend is borrowed. */
#ifndef IDPC_EXPORT_GOV_H
#define IDPC_EXPORT_GOV_H

#include <jansson.h>

#include "runtime/tenant/backend.h"

/* {"eligibilities": [...], "assignments": [...], "member": policy, "owner": policy} of group
 * `gid` (the policies with their rules, absent when the tenant has none), or NULL when the group
 * has no PIM for Groups schedule: a group nobody is eligible or active through PIM for is not
 * exported as a pim_group block (its policy holds PIM's defaults unless someone changed it).
 * The first read that fails sets *failed (when NULL) to "PATH: message" (caller frees). */
json_t *export_gov_pim_group(struct backend *b, const char *gid, char **failed);

#endif
