/* raise.h — the inverse of lowering: Microsoft Graph objects (in the canonical form of
 * runtime/normalize.h) → .idp statements, for `idpc export`. What the language cannot say is
 * kept as a `# idpc: ...` comment at the spot and recorded as an issue, never dropped.
 * Ownership: a raise context borrows its arena and name map; every AST node it returns lives in
 * that arena; issues and the name map own their strings (freed by raise_fini / raise_names_free).
 * Input json_t values are borrowed and never modified. */
#ifndef IDPC_RAISE_H
#define IDPC_RAISE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler/ast.h"
#include "compiler/util.h"

/* ---- names: id → display name, per kind of object ---- */

/* Kinds are the model's reference kinds: "user" (name = userPrincipalName), "group",
 * "namedLocation", "authenticationStrengthPolicy", "agreement", "servicePrincipal" (object id →
 * displayName) and "application" (appId → the service principal's displayName); and two used by
 * export only: "sku" (skuId → skuPartNumber, from subscribedSkus) and "roleDefinition" (role
 * definition id → displayName, for custom roles). */
struct raise_names;
struct raise_names *raise_names_new(void);
void raise_names_free(struct raise_names *n);
/* Records one object; ids compare case-insensitively. Adding the same pair twice is harmless. */
void raise_names_add(struct raise_names *n, const char *kind, const char *id, const char *name);
/* Marks a kind as complete (every object of the tenant was added): an unknown id of that kind is
 * then a dangling reference to a deleted object. */
void raise_names_set_complete(struct raise_names *n, const char *kind);
bool raise_names_complete(const struct raise_names *n, const char *kind);

enum raise_lookup {
    RAISE_NAME_FOUND,
    RAISE_NAME_UNKNOWN,   /* not in the map */
    RAISE_NAME_AMBIGUOUS, /* the object's name is shared by another object of the kind */
};
/* The unique name of an id; *name is NULL unless RAISE_NAME_FOUND. */
enum raise_lookup raise_names_name(const struct raise_names *n, const char *kind, const char *id,
                                   const char **name);
/* The id of a unique name (the reverse, for `resolve against the same tenant`), or NULL. */
const char *raise_names_id(const struct raise_names *n, const char *kind, const char *name);

/* Builds a name map from Graph objects: any mix of policies, named locations, strengths, users,
 * groups and service principals (a Graph object, a {"value": [...]} list or an array). Only
 * objects that are not policies contribute. */
void raise_names_from_json(struct raise_names *n, const json_t *doc);

/* ---- raising ---- */

enum raise_issue_kind {
    RAISE_ISSUE_UNSUPPORTED, /* a field or value the language cannot express (beta, preview) */
    RAISE_ISSUE_DANGLING,    /* an id of a deleted object, kept as `id "..."` */
    RAISE_ISSUE_AMBIGUOUS,   /* a name shared by several objects; the id is kept */
    RAISE_ISSUE_PLACEHOLDER, /* a template placeholder where Graph wants an id; kept as a name */
    RAISE_ISSUE_RENAMED,     /* two objects of a kind share a display name; the later one renamed */
};

struct raise_issue {
    enum raise_issue_kind kind;
    char *object;  /* "policy \"Name\"" */
    char *field;   /* Graph property path: "conditions.times", "ipRanges" */
    char *message; /* one line, what the comment says after "idpc: " */
};

struct raise {
    struct arena *arena;             /* AST nodes go here (normally the ast_config's arena) */
    const struct raise_names *names; /* may be NULL */
    bool pin_ids;                    /* emit `id "..."` in every declaration */
    /* Set by raise_group() when the declaration, though it may compile, would change the tenant
     * object (a kind of group the language cannot declare): the caller keeps it commented out. */
    bool unfaithful;
    /* PIM role settings read from the tenant (policies with their rules, and their assignments
     * to roles), or NULL: raise_roles() then writes no settings statements. Borrowed. */
    const json_t *role_policies, *role_policy_assignments;
    struct raise_issue *issues;
    size_t nissues, cap;
};

void raise_init(struct raise *r, struct arena *arena, const struct raise_names *names);
void raise_fini(struct raise *r);

/* One declaration from the canonical form of a Graph object (normalize(kind, obj)). `id` (may be
 * NULL) is the object's id, pinned with `id "..."` when r->pin_ids is set or `force_id`. Returns
 * the statement (with its block), never NULL: an object that cannot be expressed at all comes
 * back as a statement whose leading comments say why, inside a commented-out block. */
struct ast_stmt *raise_policy(struct raise *r, const json_t *canon, const char *name,
                              const char *id, bool force_id);
struct ast_stmt *raise_location(struct raise *r, const json_t *canon, const char *name,
                                const char *id, bool force_id);
struct ast_stmt *raise_strength(struct raise *r, const json_t *canon, const char *name,
                                const char *id, bool force_id);

/* A group from its canonical form (normalize(NK_GROUP, obj)). `members` and `owners` are the
 * directory objects of groups/{id}/members and /owners ({"@odata.type", "id"} objects or ids),
 * or NULL when they were not read: no line is written then, and plan leaves them alone. A
 * membership the language cannot list in full (devices, contacts) is not written either, with
 * an issue. Licences name their SKU through the "sku" kind of the name map. */
struct ast_stmt *raise_group(struct raise *r, const json_t *canon, const json_t *members,
                             const json_t *owners, const char *name, const char *id, bool force_id);
/* `authentication_methods { ... }` from normalize(NK_AUTH_METHODS_POLICY, policy): one line per
 * method configuration, in catalog order. */
struct ast_stmt *raise_auth_methods(struct raise *r, const json_t *canon);
/* `role "Name" { active ... eligible ... }` blocks, one per directory role, sorted by role name
 * and linked by ->next, from the Graph arrays roleManagement/directory/roleAssignments and
 * roleEligibilitySchedules as Graph returns them (either may be NULL). Eligibilities inherited
 * through a group (memberType other than "Direct") are not assignments of their own and are
 * skipped. A custom role comes back as a block the compiler rejects (it names built-in roles
 * only), so that the caller keeps it commented out. NULL when there is nothing. */
struct ast_stmt *raise_roles(struct raise *r, const json_t *assignments,
                             const json_t *eligibilities);
/* `pim_group "Group" { ... }` from the group's PIM for Groups eligibility and assignment
 * schedules (arrays as Graph lists them; either may be NULL) and its member and owner role
 * management policies with their rules (either may be NULL: no settings line for it). Inherited
 * schedules (memberType other than Direct) are skipped; a schedule the language cannot write
 * (a duration instead of an end date, an unknown access) is reported, not written. */
struct ast_stmt *raise_pim_group(struct raise *r, const char *group, const json_t *eligibilities,
                                 const json_t *assignments, const json_t *member_policy,
                                 const json_t *owner_policy);
/* `access_review "Name" { ... }` from an accessReviewScheduleDefinition as Graph lists it.
 * Settings at Graph's defaults are not written; what the language cannot write is reported,
 * and a definition without a writable scope or recurrence comes back as a block that does not
 * compile (the caller keeps it commented out). */
struct ast_stmt *raise_access_review(struct raise *r, const json_t *def, const char *name);
/* `settings { ... }` from the canonical authorizationPolicy, security defaults and Group.Unified
 * groupSetting (normalize() of each; any may be NULL). NULL when all three are NULL. */
struct ast_stmt *raise_settings(struct raise *r, const json_t *authorization,
                                const json_t *security_defaults, const json_t *group_unified);
/* The same, with the "Password Rule Settings" directory setting (password protection and smart
 * lockout; normalize(NK_GROUP_SETTING)), the groups expiration policy
 * (normalize(NK_GROUP_LIFECYCLE)) and the admin consent workflow (normalize(NK_ADMIN_CONSENT));
 * any may be NULL. */
struct ast_stmt *raise_settings_all(struct raise *r, const json_t *authorization,
                                    const json_t *security_defaults, const json_t *group_unified,
                                    const json_t *password_rules, const json_t *group_lifecycle,
                                    const json_t *admin_consent);

/* `on_premises_sync { ... }` from normalize(NK_ONPREM_SYNC, obj): a line per feature flag and
 * the accidental deletion prevention; NULL when the object has neither. */
struct ast_stmt *raise_onprem_sync(struct raise *r, const json_t *canon);

/* `authentication_context "cN" { ... }` from normalize(NK_AUTH_CONTEXT, obj) and the object's
 * id (the canonical form drops it). `available off` is written only when isAvailable is false. */
struct ast_stmt *raise_auth_context(struct raise *r, const json_t *canon, const char *id);

/* `# idpc: ...` comment lines to put before a statement (appended to its leading comments). */
void raise_comment(struct raise *r, struct ast_stmt *s, const char *fmt, ...) IDPC_PRINTF(3, 4);

/* A statement of atoms built from a tiny format: each character of `fmt` takes one argument:
 * 'w' word, 's' string, ',' comma (no argument). E.g. raise_stmt(r, "ws,s", "tenant", "a", "b"). */
struct ast_stmt *raise_stmt(struct raise *r, const char *fmt, ...);

/* The `emergency_access` suggestion: a comment block proposing the users and groups excluded
 * from the most of the given canonical policies. Returns NULL when no identity is excluded from
 * at least two policies and half of them. */
struct ast_stmt *raise_emergency_suggestion(struct raise *r, const json_t *const *policies,
                                            size_t n);

/* A file holding the statements `first` (linked by ->next). */
struct ast_file *raise_file(struct raise *r, const char *path, struct ast_stmt *first);

/* Human name of an issue kind: "cannot express", "dangling id", ... */
const char *raise_issue_kind_name(enum raise_issue_kind k);

/* ---- checking what was raised ---- */

struct model;
/* Parses, checks and lowers .idp `text` in memory as if it were the file `path`. Returns the
 * model (model_free) when there are no errors, else NULL; either way error messages are appended
 * to `errors` as "line:col: message" lines (warnings too when `warnings`). */
struct model *raise_compile_text(const char *path, const char *text, bool warnings,
                                 struct strbuf *errors);
/* Replaces every symbolic reference {"$ref": kind, "name" | "id": ...} inside `v` (in place) by
 * the object id: ids as written, names through raise_names_id(); a name the map does not know
 * stays as the name (placeholders). An app name reference ("field": "appId") uses the
 * "application" kind. */
void raise_resolve_refs(json_t *v, const struct raise_names *names);

/* ---- reading Graph JSON as backup tools write it ---- */

/* Reads a JSON file that may be UTF-8 (with or without BOM) or UTF-16 LE/BE with a BOM
 * (converted with iconv). Returns the document, or NULL with a one-line message in err naming
 * the file, line and column of invalid JSON. */
json_t *raise_load_json(const char *path, char *err, size_t errlen);

/* What a Graph object is, by its shape. */
enum raise_object_kind {
    RAISE_OBJ_OTHER,
    RAISE_OBJ_POLICY,
    RAISE_OBJ_LOCATION,
    RAISE_OBJ_STRENGTH,
};
enum raise_object_kind raise_classify(const json_t *obj);

#endif
