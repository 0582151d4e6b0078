/* plan_licenses.h — group-based licensing in a plan: a group's declared `licenses` (SKU part
 * numbers) against its assignedLicenses, as one change and one assignLicense request.
 * Ownership: everything passed in is borrowed; what is added to the action belongs to it. */
#ifndef IDPC_PLAN_LICENSES_H
#define IDPC_PLAN_LICENSES_H

#include <jansson.h>
#include <stdbool.h>

#include "compiler/model.h"
#include "runtime/tenant/tenant.h"

/* Adds to `action` (a plan action of plan.c) the licence change of group `o`: desired = the
 * part numbers of o->extra.licenses mapped through t->skus (case-insensitive), current = the
 * skuIds of current.assignedLicenses (current NULL: a new group). When they differ, appends a
 * change {"field": "licenses", "path": "assignedLicenses", "added", "removed"} (part numbers,
 * quoted) and one request POST groups/{gid}/assignLicense in the group-update phase. `gid` is
 * the group's id, or its "$new:" placeholder when `created`. Does nothing when the
 * configuration does not declare licences for the group (they are unmanaged then). */
void plan_licenses(const struct tenant *t, json_t *action, const struct model_object *o,
                   const json_t *current, const char *gid, bool created);

#endif
