/* jsondiff.h — structural diff of two normalised Graph objects and the PATCH body it implies.
 * Ownership: a struct jsondiff owns its paths and json_t references until jsondiff_fini();
 * inputs are borrowed; jsondiff_patch_body() returns a new reference (or NULL) that shares no
 * value with its inputs (a caller may hand it a body it shares with others). */
#ifndef IDPC_JSONDIFF_H
#define IDPC_JSONDIFF_H

#include "runtime/plan/normalize.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum jsondiff_op {
    JSONDIFF_ADD,    /* absent in old, present in new */
    JSONDIFF_REMOVE, /* present in old, absent in new */
    JSONDIFF_CHANGE, /* present in both, different */
};

/* One leaf-level change. Objects are descended into (also when only one side has them), so a
 * change is always at a scalar or an array. Paths join Graph property names with '.'
 * ("conditions.users.excludeGroups"); a '.' or '\' inside a key is escaped with '\'. */
struct jsondiff_change {
    char *path;
    enum jsondiff_op op;
    json_t *old_value; /* NULL for ADD */
    json_t *new_value; /* NULL for REMOVE */
    json_t *added;     /* arrays (set-like): elements only in new, an array (maybe []); else NULL */
    json_t *removed;   /* arrays: elements only in old; else NULL */
};

struct jsondiff {
    struct jsondiff_change *v; /* sorted by path */
    size_t n;
    size_t cap;
};

void jsondiff_init(struct jsondiff *d);
void jsondiff_fini(struct jsondiff *d);

/* Full diff from old_obj to new_obj (both normalised; NULL reads as {}). out is initialised
 * here (any previous content is not freed). Returns out->n. */
size_t jsondiff_compute(const json_t *old_obj, const json_t *new_obj, struct jsondiff *out);

/* Like jsondiff_compute, but object keys that new_obj does not name are not compared: for
 * objects where the desired side sets only some properties (tenant singletons). */
size_t jsondiff_compute_partial(const json_t *old_obj, const json_t *new_obj, struct jsondiff *out);

const char *jsondiff_op_name(enum jsondiff_op op); /* "add", "remove", "change" */

/* True when some change's path is prefix or lies under it ("conditions" touches
 * "conditions.users.includeUsers"; "condition" does not). */
bool jsondiff_touches(const struct jsondiff *d, const char *prefix);

/* When the diff cannot be applied by PATCH (a create-only or identity property changed):
 * true, and *path names the first such property. Examples: group isAssignableToRole, a named
 * location's kind, any role assignment change. */
bool jsondiff_requires_replace(enum normalize_kind kind, const struct jsondiff *d,
                               const char **path);

/* The PATCH body that moves the tenant object to desired_raw, given the diff from
 * normalize(current_raw) to normalize(desired_raw). desired_raw is the Graph-shaped body idpc
 * would POST; current_raw is what GET returned (may be NULL). Rules (docs/normalization.md):
 * only top-level properties the diff touches, each sent whole; explicit null/[] to clear;
 * "sessionControls": null for ineffectual session controls; @odata.type always on named
 * locations and method configurations. Properties Graph changes elsewhere are left out (strength
 * allowedCombinations, group members/owners, the methods policy's configurations). Returns NULL
 * when nothing is left to PATCH. */
json_t *jsondiff_patch_body(enum normalize_kind kind, const json_t *desired_raw,
                            const json_t *current_raw, const struct jsondiff *d);

#endif
