/* tenant.h — the observed tenant: what a plan reads from a backend, indexed by id and name.
 * Ownership: a struct tenant owns its indexes, strings and JSON (one reference each); pointers it
 * hands out stay valid until tenant_free(), and each tree tenant_body() returns is a new
 * reference the caller releases. The backend is borrowed. */
#ifndef IDPC_TENANT_H
#define IDPC_TENANT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/tenant/backend.h"
#include "compiler/strmap.h"

#define TENANT_NONE      ((size_t)-1)
#define TENANT_CHAIN_END UINT32_MAX

/* PIM role settings (Graph v1.0): the policies, read with their rules, and which role each one
 * governs. Both are filtered to scope "/" and type Directory by the Graph backend. */
#define TENANT_PIM_POLICIES    "policies/roleManagementPolicies"
#define TENANT_PIM_ASSIGNMENTS "policies/roleManagementPolicyAssignments"
/* The on-premises directory synchronization object (Graph v1.0): a collection of one. */
#define TENANT_ONPREM_SYNC "directory/onPremisesSynchronization"

/* Object kinds a reference can name. */
enum tenant_kind {
    TK_USER,      /* name = userPrincipalName (case-insensitive) */
    TK_GROUP,     /* name = displayName */
    TK_LOCATION,  /* named locations */
    TK_STRENGTH,  /* authentication strengths, built-ins included */
    TK_POLICY,    /* conditional access policies */
    TK_SP,        /* service principals; alt = appId */
    TK_AGREEMENT, /* terms of use */
    TK_ROLE,      /* role definitions; alt = templateId */
    TK__COUNT
};

struct tenant_obj {
    char *id;
    char *name;
    char *alt;
    json_t *body; /* the whole object for policies and strengths (tenant_body); else NULL */
    /* the next object with the same exact name, and with the same name ignoring case
     * (tenant_next_named; made with by_lname), or TENANT_CHAIN_END */
    uint32_t next_name, next_lname;
};

/* Named locations (a plan's largest declared collection) are held compactly, beside their
 * objects (struct tenant_index, held): where the backend reads the whole object again (the file
 * backend: its span in the snapshot), or, from a backend that cannot (graph:), the object as
 * compact JSON text (json_dumps JSON_COMPACT, members in the order the backend gave them); turned
 * back into a tree by tenant_body() when one is needed; and what a plan asks of them without a
 * tree. */
struct tenant_held {
    const char *text;     /* the compact text, or NULL when the backend reads it again (at) */
    struct backend_at at; /* where the backend reads it again (text NULL) */
    const char *type;     /* its "@odata.type", or NULL */
    /* What the lockout guard reads of every location (lockout.c, location_facts), as the
     * evaluator reads it (whatif_jget: the member, else one named so ignoring case): its
     * "displayName" (NULL when absent, null or not a string), whether "isTrusted" is true; and
     * whether its "includeUnknownCountriesAndRegions" member is true. */
    const char *name;
    bool unknown;
    const char *derived; /* what the plan's freeze hook derived from it (backend.h,
                            backend_freeze_hook: its fingerprint), or NULL */
    bool trusted;
    /* TENANT_STUB_PLAIN when every member of it that the lockout guard's reduced tree holds
     * (lockout.c, location_stub: those named "id", "displayName", "isTrusted",
     * "includeUnknownCountriesAndRegions" or "countriesAndRegions", ignoring case) is one of
     * "id" and "displayName" (strings, as in its tenant_obj), "isTrusted" and
     * "includeUnknownCountriesAndRegions" (booleans, as above), so that the tree can be made
     * from what is held here; with which of the last three it has. 0 otherwise. */
    unsigned char stub;
};
#define TENANT_STUB_PLAIN   1u
#define TENANT_STUB_NAME    2u
#define TENANT_STUB_TRUSTED 4u
#define TENANT_STUB_UNKNOWN 8u

/* An index of a tenant_index's objects by one of their strings (tenant_map.h): each slot holds an
 * object's position and its key's hash, the key itself is the object's. */
enum tenant_map_key {
    TENANT_MAP_ID,
    TENANT_MAP_NAME,
    TENANT_MAP_ALT
};
struct tenant_map {
    uint64_t *slots;
    size_t cap, n;
    enum tenant_map_key key;
    bool nocase; /* ASCII case-insensitive keys */
};

struct tenant_index {
    struct tenant_obj *v;
    size_t n, cap;
    struct tenant_held *held; /* v[i]'s compact form: named locations; else NULL */
    size_t hcap;
    const char *types[4]; /* the held objects' distinct "@odata.type" values (they share them) */
    size_t ntypes;
    struct tenant_map by_id;    /* case-insensitive */
    struct tenant_map by_name;  /* exact (users: case-insensitive) */
    struct tenant_map by_lname; /* case-insensitive; made at its first use (lnames_made) */
    bool lnames_made;
    struct tenant_map by_alt; /* case-insensitive */
    struct arena *strings;    /* ids and names; the maps borrow them */
    /* the names the configuration gives objects, when they differ (tenant_set_display): the
     * object's id → a position in display */
    struct strmap displays;
    char **display;
    size_t ndisplay;
};

struct tenant {
    struct backend *b;
    struct tenant_index idx[TK__COUNT];
    json_t *organization;     /* organization[0] */
    json_t *role_assignments; /* active: roleAssignments with their PIM schedules merged in */
    json_t *eligibilities;    /* roleEligibilitySchedules */
    /* PIM role settings: the directory's role management policies (rules expanded) and their
     * assignments to roles (scope "/", type Directory) */
    json_t *role_policies;
    json_t *role_policy_assignments;
    json_t *group_settings;
    json_t *skus;
    json_t *methods_policy; /* singletons, or NULL when the tenant has none */
    json_t *authorization;
    json_t *security_defaults;
    json_t *admin_consent;   /* policies/adminConsentRequestPolicy, or NULL when not read */
    json_t *group_lifecycle; /* groupLifecyclePolicies, or NULL when not listed */
    json_t *auth_contexts;   /* authenticationContextClassReferences, or NULL when not listed */
    json_t *onprem_sync;     /* directory/onPremisesSynchronization, or NULL when not listed */
    bool have_agreements; /* the tenant lists terms of use (else agreement refs are not checked) */
    /* Why an object held compactly could not be read again (tenant_body), or "" (tenant_fault) */
    struct backend_error *fault;
};

/* Time-bound active role assignments (tenant_active.c). TENANT_ACTIVE_SCHEDULES is read with the
 * role assignments; tenant_merge_active returns a new array: a copy of `assignments` where each
 * assignment a schedule that ends (tenant_schedule_ends) governs carries that schedule's
 * scheduleInfo, and a schedule without an assignment yet (one that starts later) is added as
 * one. */
#define TENANT_ACTIVE_SCHEDULES "roleManagement/directory/roleAssignmentSchedules"
json_t *tenant_merge_active(const json_t *assignments, const json_t *schedules);
bool tenant_schedule_ends(const json_t *schedule);

/* Reads everything a plan needs. Users, groups and service principals are streamed with only
 * their ids and names; group bodies and members are read on demand. 0 or -1 (err filled). */
int tenant_load(struct tenant *t, struct backend *b, struct backend_error *err);

/* The PIM policy (with its rules) that governs the directory role with this role definition or
 * template id at scope "/", or NULL. Borrowed. */
const json_t *tenant_role_policy(const struct tenant *t, const char *role_definition_id);
void tenant_free(struct tenant *t);

const char *tenant_kind_word(enum tenant_kind k); /* DSL word: "user", "group", "location" */
const char *tenant_kind_path(enum tenant_kind k); /* Graph collection path */

/* Object i of kind k whole (policies, named locations, strengths) as a new reference, or NULL
 * when the tenant holds none. A named location is thawed from what the tenant holds of it (read
 * again from the backend, or decoded from its compact text): a new tree at each call, equal to
 * the object the backend read, that the caller releases with json_decref() once done with it, so
 * that only the locations in use are trees at once. When the backend cannot read it again (the
 * snapshot changed in place since it was loaded), NULL, and tenant_fault() says why: a plan
 * that met a fault is void. */
json_t *tenant_body(const struct tenant *t, enum tenant_kind k, size_t i);
/* The first reason an object held compactly could not be read again (one line naming the
 * snapshot and what happened), or NULL when none failed. */
const char *tenant_fault(const struct tenant *t);
/* Object i's compact form when kind k is held compactly (named locations), else NULL (also for
 * TENANT_NONE). Borrowed, valid until tenant_free(). */
const struct tenant_held *tenant_held_of(const struct tenant *t, enum tenant_kind k, size_t i);

struct tenant_obj *tenant_by_id(const struct tenant *t, enum tenant_kind k, const char *id);
size_t tenant_index_of(const struct tenant *t, enum tenant_kind k, const char *id);
/* First object with exactly this name (users: any case); tenant_next_named(..., false) gives the
 * others. */
size_t tenant_first_named(const struct tenant *t, enum tenant_kind k, const char *name);
/* First object with this name ignoring case; tenant_next_named(..., true) gives the others. */
size_t tenant_first_lnamed(const struct tenant *t, enum tenant_kind k, const char *name);
/* The object after i with the same name (ignoring case with `nocase`), or TENANT_NONE. */
size_t tenant_next_named(const struct tenant *t, enum tenant_kind k, size_t i, bool nocase);
size_t tenant_count_named(const struct tenant *t, enum tenant_kind k, size_t first, bool nocase);
struct tenant_obj *tenant_by_alt(const struct tenant *t, enum tenant_kind k, const char *alt);

/* Renders object id under `name` from now on (the configuration's spelling, for messages). */
void tenant_set_display(struct tenant *t, enum tenant_kind k, const char *id, const char *name);
/* The same for the object at position i of kind k's index (tenant_index_of), or none (TENANT_NONE). */
void tenant_set_display_at(struct tenant *t, enum tenant_kind k, size_t i, const char *name);
/* The name object o of kind k is shown by: the configuration's (tenant_set_display), else its
 * own; NULL when it has none. Borrowed. */
const char *tenant_display_name(const struct tenant *t, enum tenant_kind k,
                                const struct tenant_obj *o);

/* A group's full object (new reference; NULL when gone). */
json_t *tenant_group_body(struct tenant *t, const char *id);
/* The user object users/{id} as the backend returns it (its attributes, for evaluating dynamic
 * membership rules): a new reference, or NULL. */
json_t *tenant_user_body(struct tenant *t, const char *id);
/* The account attributes of users/{id} that a `user` block manages, and onPremisesSyncEnabled
 * (TENANT_USER_SELECT; Graph returns accountEnabled and usageLocation only when selected): a new
 * reference, or NULL. */
#define TENANT_USER_SELECT                                                                         \
    "id,userPrincipalName,displayName,accountEnabled,usageLocation,mailNickname,givenName,"        \
    "surname,jobTitle,onPremisesSyncEnabled"
json_t *tenant_user_account(struct tenant *t, const char *id);
/* A group's members or owners ("members"/"owners") as an array of ids (new reference). */
json_t *tenant_group_rel(struct tenant *t, const char *id, const char *rel);

/* DSL rendering of an id met in a Graph object: `group "Sales"`, `user "a@b"`, `role "Global
 * Administrator"`, `app "Office 365 Exchange Online"`; NULL when the id is unknown. The result
 * is the caller's. `hint` narrows the search: a tenant kind, or -1 for any. */
char *tenant_describe_id(const struct tenant *t, const char *id, int hint);

/* The snapshot (docs/tenant-format.md) of a tenant with nothing in it yet: its organization
 * (`tenant_id`, a GUID; `domain`, its initial and default verified domain) and every collection
 * plan reads, empty. New reference; NULL with `why` set (a static string) when the tenant id is
 * not a GUID or the domain is not a domain name. */
json_t *tenant_snapshot_empty(const char *tenant_id, const char *domain, const char **why);

/* A Graph object's member as the evaluator reads it (whatif_jget): `key` itself, else the first
 * member named so ignoring case; NULL when absent or null, or when obj is not an object.
 * Borrowed. */
const json_t *tenant_member(const json_t *obj, const char *key);

/* SHA-256 (hex) of the canonical JSON of v: keys sorted, compact. Caller frees. */
char *tenant_sha256(const json_t *v);

/* The same of a v whose objects hold their keys in sorted order already (strcmp; such as
 * normalize_location_sorted makes): its compact text as it is, without sorting. Caller frees. */
char *tenant_sha256_ordered(const json_t *v);

/* SHA-256 (hex) of len bytes of text: of a canonical text written already, the fingerprint
 * tenant_sha256 takes of its tree. Caller frees. */
char *tenant_sha256_text(const char *text, size_t len);

#endif
