/* model.h — the compiled configuration: every desired object in Microsoft Graph v1.0 request
 * shape, with symbolic references where ids can only come from the tenant.
 * Ownership: a model owns its objects, their strings and their jansson values (one reference
 * each), and a frozen object's text; model_to_json returns a new reference. */
#ifndef IDPC_MODEL_H
#define IDPC_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"
#include "compiler/strmap.h"

/* Placeholder for the id of an object a plan creates: "$new:<kind>:<name>", e.g.
 * "$new:group:Sales". It stands where the id goes (bodies, paths) until apply knows the id. */
#define MODEL_NEW_PREFIX "$new:"

/* X(enum, graph type/kind name, collection path) */
#define MODEL_KINDS(X)                                                                             \
    X(MODEL_GROUP, "group", "groups")                                                              \
    X(MODEL_NAMED_LOCATION, "namedLocation", "identity/conditionalAccess/namedLocations")          \
    X(MODEL_AUTH_STRENGTH, "authenticationStrengthPolicy",                                         \
      "policies/authenticationStrengthPolicies")                                                   \
    X(MODEL_AUTH_METHOD_CONFIG, "authenticationMethodConfiguration",                               \
      "policies/authenticationMethodsPolicy/authenticationMethodConfigurations")                   \
    X(MODEL_AUTH_METHODS_POLICY, "authenticationMethodsPolicy",                                    \
      "policies/authenticationMethodsPolicy")                                                      \
    X(MODEL_AUTH_CONTEXT, "authenticationContextClassReference",                                   \
      "identity/conditionalAccess/authenticationContextClassReferences")                           \
    X(MODEL_CA_POLICY, "conditionalAccessPolicy", "identity/conditionalAccess/policies")           \
    X(MODEL_ROLE_POLICY, "unifiedRoleManagementPolicy", "policies/roleManagementPolicies")         \
    X(MODEL_ROLE_ASSIGNMENT, "unifiedRoleAssignment", "roleManagement/directory/roleAssignments")  \
    X(MODEL_ROLE_ELIGIBILITY, "unifiedRoleEligibilityScheduleRequest",                             \
      "roleManagement/directory/roleEligibilityScheduleRequests")                                  \
    X(MODEL_GROUP_SETTING, "groupSetting", "groupSettings")                                        \
    X(MODEL_AUTHORIZATION_POLICY, "authorizationPolicy", "policies/authorizationPolicy")           \
    X(MODEL_SECURITY_DEFAULTS, "identitySecurityDefaultsEnforcementPolicy",                        \
      "policies/identitySecurityDefaultsEnforcementPolicy")                                        \
    X(MODEL_GROUP_LIFECYCLE, "groupLifecyclePolicy", "groupLifecyclePolicies")                     \
    X(MODEL_ONPREM_SYNC, "onPremisesDirectorySynchronization",                                     \
      "directory/onPremisesSynchronization")                                                       \
    X(MODEL_ADMIN_CONSENT, "adminConsentRequestPolicy", "policies/adminConsentRequestPolicy")      \
    X(MODEL_USER, "user", "users")                                                                 \
    X(MODEL_GROUP_PIM_POLICY, "groupPimPolicy", "policies/roleManagementPolicies")                 \
    X(MODEL_GROUP_PIM_ELIGIBILITY, "privilegedAccessGroupEligibilityScheduleRequest",              \
      "identityGovernance/privilegedAccess/group/eligibilityScheduleRequests")                     \
    X(MODEL_GROUP_PIM_ASSIGNMENT, "privilegedAccessGroupAssignmentScheduleRequest",                \
      "identityGovernance/privilegedAccess/group/assignmentScheduleRequests")                      \
    X(MODEL_ACCESS_REVIEW, "accessReviewScheduleDefinition",                                       \
      "identityGovernance/accessReviews/definitions")                                              \
    X(MODEL_ASSERTION, "assertion", "")

enum model_kind {
#define X(e, n, p) e,
    MODEL_KINDS(X)
#undef X
    MODEL__COUNT
};

struct model_codec;

struct model_object {
    enum model_kind kind;
    char *name;      /* display name (or a synthetic key for assignments and singletons) */
    struct loc loc;  /* the declaration that produced it */
    json_t *body;    /* Graph request body with {"$ref": ...} placeholders; NULL while the object
                      * is frozen and not thawed: read a frozen object's body with model_body */
    json_t *extra;   /* kind-specific data that is not part of the body (members, owners, ...):
                      * NULL until model_extra() makes it (most objects have none); read it with
                      * jansson's NULL-safe getters */
    char *pinned_id; /* from `id "..."`, or NULL */
    char *renamed_from;
    struct loc pinned_loc, renamed_loc;
    char *frozen; /* the body as compact JSON text while frozen (model_freeze), or in its
                   * codec's form (frozen_codec), or NULL */
    const struct model_codec *frozen_codec; /* while frozen: the codec that made `frozen`, or
                                             * NULL for JSON text */
    json_t
        *frozen_type; /* while frozen: the body's "@odata.type" (a model_const_string), or NULL */
    char *frozen_digest; /* while frozen: what model_freeze's `digest` made of the body, or NULL */
};

/* Which objects a compile freezes as soon as each is lowered (model_freeze_since), and the
 * `digest` model_freeze keeps for each: for a command that reads those bodies only after the
 * compile (plan), so that they never all live as trees at once. kinds: bits 1u << model_kind;
 * 0 (the default) freezes nothing. Only a kind whose body its own declaration completes, and
 * that no check across declarations reads, may be asked for: MODEL_NAMED_LOCATION. */
struct model_freeze_request {
    unsigned kinds;
    char *(*digest)(const json_t *body);
    const struct model_codec *codec; /* or NULL: JSON text */
};

/* A frozen form of its own for the bodies of a kind (model_freeze_request.codec), made with the
 * digest in one go (a plan's named location: its canonical text, which its fingerprint hashes).
 * freeze: the frozen form of `body` (a malloc'd block that `thaw` reads) and in *digest what
 * model_freeze_request.digest would make of it; NULL (and *digest untouched) for a body the
 * codec does not represent, which is then frozen as JSON text. thaw: a new tree equal to the
 * body it was made of, with the members in the same order. */
struct model_codec {
    char *(*freeze)(const json_t *body, char **digest);
    json_t *(*thaw)(const char *frozen);
};

struct model {
    struct model_object *objects;
    size_t n, cap;
    char *tenant; /* `tenant "..."`, or NULL */
    struct loc tenant_loc;
    json_t *emergency_access;  /* array of {"ref": <ref>, "satisfies": [...], "at": "file:l:c"} */
    unsigned manage_exclusive; /* bit (1u << model_kind) per kind under `manage exclusively` */
    struct loc manage_loc;     /* the (last) `manage exclusively` statement */
    json_t *tests;             /* array of test cases, see docs/language.md#tests */
    /* per kind: name -> index of the first object of that name (borrows the objects' names) */
    struct strmap names[MODEL__COUNT];
    /* set before any object is added (check_config_with); a compile-time reader of a body of
     * one of these kinds reads it with model_body / model_body_release */
    struct model_freeze_request freeze;
};

struct model *model_new(void);
void model_free(struct model *m);
struct model_object *model_add(struct model *m, enum model_kind kind, const char *name,
                               struct loc loc);
/* The object's extra data, made empty on first use: write through this, never o->extra. */
json_t *model_extra(struct model_object *o);
/* The first object of that kind and name (case-sensitive; a hash lookup), or NULL. */
struct model_object *model_find(const struct model *m, enum model_kind kind, const char *name);

const char *model_kind_name(enum model_kind k); /* "conditionalAccessPolicy" */
const char *model_kind_path(enum model_kind k); /* Graph collection path */

/* A new reference to the one shared JSON string holding `s`, for constant values that repeat in
 * every body (an "@odata.type", a reference's kind, a catalog's Graph value): one value per
 * distinct text for the whole process instead of a copy per use. Like every string in a model,
 * it is never changed in place (no json_string_set). */
json_t *model_const_string(const char *s);

/* A new JSON string of the `len` bytes at `s`, exactly what json_stringn makes of them (NULL for
 * invalid UTF-8), without jansson's byte-by-byte UTF-8 check when they are all ASCII (the usual
 * name, range or id in a body): for the many strings a large configuration's bodies hold. */
json_t *model_string(const char *s, size_t len);

/* A symbolic reference: {"$ref": kind, "name": name, "at": "file:line:col"}, or with "id". */
json_t *model_ref_name(const char *kind, const char *name, const char *at);
/* model_ref_name with the name and the location given as JSON strings (both references are
 * taken; a NULL `at` leaves it out): the caller may share the name between references to the
 * same object. */
json_t *model_ref_name_value(const char *kind, json_t *name, json_t *at);
json_t *model_ref_id(const char *kind, const char *id, const char *at);
bool model_is_ref(const json_t *v);
/* Two references name the same object: the same kind, and the same name or id (ignoring case). */
bool model_ref_equal(const json_t *a, const json_t *b);

/* Frozen bodies: a plan reads each declared object's body once, so the plan path holds the
 * bodies of its most numerous kinds as their compact JSON text (a half-kilobyte string instead of
 * a few kilobytes of jansson values) and thaws one at a time. Only the plan path freezes (as
 * each location is lowered, plan_freeze_request; or after the compile, plan_freeze_model); every
 * other reader of a model sees trees in o->body.
 *
 * model_freeze replaces the body of every object of `kind` by json_dumps(body, JSON_COMPACT)
 * (keys in their stored order, so a thaw gives back an equal tree with the keys in the same
 * order), or the form model_freeze_request.codec makes of it, and frees the tree: o->body is
 * NULL, o->frozen the text. A body that carries a
 * reference ({"$ref": ...}) stays a tree, so that a walk over the model's references
 * (resolve, backend_want_model) may skip frozen bodies. `digest`, when not NULL, is called on
 * each body before it is frozen, and its result (a malloc'd string, or NULL) is kept in
 * o->frozen_digest for as long as the object is frozen: a plan keeps there the fingerprint it
 * compares with the tenant's, so that an unchanged object is never thawed. Returns how many it
 * froze. */
size_t model_freeze(struct model *m, enum model_kind kind, char *(*digest)(const json_t *body));
/* model_freeze with the request's digest and codec (its kinds are not read). */
size_t model_freeze_as(struct model *m, enum model_kind kind,
                       const struct model_freeze_request *how);
/* model_freeze of the objects m->objects[first..m->n) whose kind m->freeze asks for, with its
 * digest: the compile calls it after lowering each declaration. Returns how many it froze. */
size_t model_freeze_since(struct model *m, size_t first);
bool model_is_frozen(const struct model_object *o);
/* The object's body, thawed when frozen (json_loads of the text, or the codec's thaw, into
 * o->body, kept until
 * model_body_release); borrowed, owned by the object. For an object that is not frozen it is
 * o->body as it is (a no-op). */
json_t *model_body(struct model_object *o);
/* A frozen object's tree is dropped again (o->body NULL); the text stays, a later model_body
 * thaws a new tree. A no-op for an object that is not frozen. */
void model_body_release(struct model_object *o);
/* Nothing reads the object's body again: the tree and the frozen text are freed, and o->body is
 * JSON null (the object is no longer frozen). */
void model_body_drop(struct model_object *o);
/* The body's "@odata.type" without a thaw (frozen or not), or NULL. */
const char *model_body_type(const struct model_object *o);

/* The whole model as one JSON document with a stable key and object order (for `idpc compile`).
 * The document shares the model's bodies (no copies): treat it as read-only, and drop it before
 * the model is freed or changed. */
json_t *model_to_json(const struct model *m, const struct diag_ctx *diag);

#endif
