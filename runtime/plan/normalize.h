/* normalize.h — per-kind canonical form of Microsoft Graph objects, so that equal means equal.
 * Ownership: inputs are borrowed and never modified; every returned json_t is a new reference
 * that the caller releases with json_decref(), and may share scalar leaves with the input (no
 * one changes a string or number in place). */
#ifndef IDPC_NORMALIZE_H
#define IDPC_NORMALIZE_H

#include <jansson.h>
#include <stdbool.h>

/* The Graph object kinds idpc manages. Rules per kind: docs/normalization.md. */
enum normalize_kind {
    NK_CA_POLICY,
    NK_NAMED_LOCATION,
    NK_AUTH_STRENGTH,
    NK_AUTH_METHODS_POLICY,
    NK_AUTH_METHOD_CONFIG,
    NK_GROUP,
    NK_GROUP_SETTING,
    NK_AUTHORIZATION_POLICY,
    NK_SECURITY_DEFAULTS,
    NK_ROLE_ASSIGNMENT,
    NK_ROLE_ELIGIBILITY,
    NK_ROLE_POLICY, /* PIM role settings: normalize_pim.h */
    NK_AUTH_CONTEXT,
    NK_GROUP_LIFECYCLE,
    NK_ONPREM_SYNC,
    NK_ADMIN_CONSENT,
    NK_USER,               /* cloud-only accounts: the attributes a `user` block states */
    NK_GROUP_PIM_SCHEDULE, /* PIM for Groups eligibility and assignment schedules */
    NK_ACCESS_REVIEW,      /* accessReviewScheduleDefinition */
    NK__COUNT
};

/* Canonical form of obj (a Graph GET result, a request body, or an export in v1.0 or beta
 * shape). Never NULL for an object input: an object with nothing left is returned as {}.
 * A non-object input yields a deep copy. Idempotent: normalize(normalize(x)) equals
 * normalize(x). The input is not modified. */
json_t *normalize(enum normalize_kind kind, const json_t *obj);

/* True (the default): normalize() shares the input's strings and numbers it leaves as they are
 * and keeps a set that is already sorted. False: the general path (each leaf a new value, each
 * set sorted), which the tests compare the fast one with. */
extern bool normalize_share;

/* normalize(NK_NAMED_LOCATION, obj) with its members inserted in sorted order, so that its
 * compact text without JSON_SORT_KEYS is the canonical text with it; it may share string values
 * with obj (read it while obj lives, never modify it). NULL when obj is not an object or holds
 * what only normalize decides (an unknown member, one named in other casing, "kind", a value of
 * another type than Graph gives). */
json_t *normalize_location_sorted(const json_t *obj);

/* The canonical form of a named location as a key, a text that is not JSON, made without a tree
 * for the common shapes: for each member normalize_location_sorted holds, in its order, a letter
 * ('A' + its place, enum normalize_location_key_member), then a string as its length in decimal,
 * ':' and its bytes; a set as its count so and each string so; true as nothing more; and a kind
 * idpc knows as 'a' + its place, then its digit in the vocabulary instead. Two locations have the
 * same key exactly when they have the same canonical text; the key is cheaper to make (no tree,
 * no JSON text), for a caller that compares but keeps no fingerprint. `ranges` are the texts of
 * the canonical set of "ipRanges" (sorted by strcmp, nranges 0 when absent). The key and the
 * texts are normalize's, valid until its next call. False where normalize_location_sorted gives
 * NULL, and for a location whose canonical form holds NUL in a string (no C string). */
enum normalize_location_key_member { /* a member's place in the key */
    NORMALIZE_LOCATION_KEY_COUNTRIES,
    NORMALIZE_LOCATION_KEY_LOOKUP,
    NORMALIZE_LOCATION_KEY_NAME,
    NORMALIZE_LOCATION_KEY_UNKNOWN,
    NORMALIZE_LOCATION_KEY_RANGES,
    NORMALIZE_LOCATION_KEY_TRUSTED,
    NORMALIZE_LOCATION_KEY_KIND,
};
struct normalize_location_key {
    const char *text; /* NUL-terminated, len bytes */
    size_t len;
    const char *const *ranges;
    size_t nranges;
};
bool normalize_location_key(const json_t *obj, struct normalize_location_key *out);

/* True when a and b have the same canonical form (json_equal of the normalised values). */
bool normalize_equal(enum normalize_kind kind, const json_t *a, const json_t *b);

/* Stable lower-case name of a kind ("ca_policy", "named_location", ...). */
const char *normalize_kind_name(enum normalize_kind kind);

/* Graph request clean-up shared with jsondiff: a deep copy of v without @odata annotations,
 * action advertisements ("#microsoft.graph.x") and other "@..." keys; NULL for NULL. */
json_t *normalize_strip_annotations(const json_t *v);

/* True for a string shaped like a GUID (hex digits and dashes, 8-4-4-4-12). */
bool normalize_is_guid(const char *s);

#endif
