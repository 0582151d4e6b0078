/* check_int.h — the checker's private interface, shared by check*.c, args.c and lower_*.c.
 * Ownership: everything allocated through a check context lives in its arena (while lowering, a
 * scratch arena emptied after each declaration: copy what must outlive it); model objects
 * belong to ck->model; jansson values returned by args_* are new references. */
#ifndef IDPC_CHECK_INT_H
#define IDPC_CHECK_INT_H

#include <jansson.h>

#include "compiler/ast.h"
#include "compiler/catalog.h"
#include "compiler/check.h"
#include "compiler/model.h"
#include "compiler/strmap.h"

enum check_block {
    BLK_TOP,
    BLK_GROUP,
    BLK_LOCATION,
    BLK_STRENGTH,
    BLK_AUTH_METHODS,
    BLK_AUTH_CONTEXT,
    BLK_ROLE,
    BLK_SETTINGS,
    BLK_ONPREM_SYNC,
    BLK_TEMPLATE,
    BLK_POLICY,
    BLK_TEST,
    BLK_USER,
    BLK_PIM_GROUP,
    BLK_REVIEW,
    BLK__COUNT
};

struct check_define {
    const char *name;
    const struct ast_stmt *stmt;
    const struct ast_atom *atoms; /* the value: atoms after '=' (unexpanded) */
    size_t natoms;
    bool expanding; /* cycle detection */
    bool used;
};

struct check {
    struct diag_ctx *diag;
    struct arena *arena;
    const struct ast_config *cfg;
    struct model *model;
    struct check_define *defines;
    size_t ndefines;
    struct strmap define_index; /* define name -> index in defines (borrowed keys) */
    /* name -> index of its declaration, per block (borrowed keys); see check_decl_stmt */
    struct strmap decl_index[BLK__COUNT];
    const struct ast_stmt *const *decl_stmts; /* by that index */
    unsigned incomplete_blocks;
    /* The declaration being lowered lost statements to earlier errors (misplaced or misspelled
     * statements, a missing template): lower_* skip their "needs X" completeness errors, which
     * would only repeat the first mistake. */
    bool incomplete;
    /* The names that references give (args_ref), each one JSON string shared by every reference
     * to it: policies name the same break-glass accounts and exclusion groups again and again.
     * Keys borrow the values' text; each value holds one reference until check_config ends. */
    struct strmap ref_names;
    unsigned char *path_utf8; /* per source file: 0 unknown, 1 its path is UTF-8, 2 it is not */
    size_t npath_utf8;
    json_t **ref_values;
    size_t nref_values, capref_values;
    /* The "at" of each place a reference was written (args_ref), one JSON string shared by
     * every reference made there: a template's line is expanded in every policy that uses it.
     * Open addressing on (file, offset); each value holds one reference until check_config
     * ends. */
    struct check_at_slot {
        uint64_t key; /* (file << 32 | offset) + 1; 0: empty */
        json_t *at;
    } * at_slots;
    size_t nat_slots, capat_slots;
    /* Each `apps include context "cN"`, for lower_context_finish(): the id and the atom. */
    struct check_context_use {
        char *id; /* owned */
        struct loc loc;
    } * context_uses;
    size_t ncontext_uses;
};

/* "file:line:col" of a location (arena string). */
const char *check_at(struct check *ck, struct loc l);
/* json_string(at) for at = check_at(ck, l), without checking it is UTF-8 when its file's path
 * is known to be. */
json_t *check_at_json(struct check *ck, struct loc l, const char *at);
/* check_at_json(ck, l, check_at(ck, l)): a new reference to the string made for the first
 * reference at the same place (file and offset), or to a new one. */
json_t *check_at_shared(struct check *ck, struct loc l);
const char *check_block_name(enum check_block b);
/* The first `KW "name" { ... }` declaration of block kind `b` (a hash lookup), or NULL. */
const struct ast_stmt *check_decl_stmt(const struct check *ck, enum check_block b,
                                       const char *name);
/* The define called `name`, or NULL (a hash lookup). */
struct check_define *check_define_find(struct check *ck, const char *name);
bool check_is_guid(const char *s);

/* ---- reading a statement's atoms ---- */

/* A cursor over a statement's atoms, with $variables expanded. Errors are reported at the exact
 * atom; an atom that came from a variable gets a note pointing at the variable's use. */
struct args {
    struct check *ck;
    const struct ast_stmt *stmt;
    const struct ast_atom *v; /* v[0] is the keyword */
    /* per atom: the $var use it was expanded from, or DIAG_LOC_NONE; NULL when the statement
     * uses no variable (read it with args_origin) */
    const struct loc *origin;
    size_t n, i;
    bool failed; /* an error was reported: callers stop reading this statement */
};

/* Expands an unused variable once, for its errors (a cycle, an undefined variable); leaves its
 * own "used" mark as it was. */
void args_check_define(struct check *ck, struct check_define *d);
void args_init(struct args *a, struct check *ck,
               const struct ast_stmt *s); /* cursor after keyword */
bool args_done(const struct args *a);
const struct ast_atom *args_peek(const struct args *a);
const struct ast_atom *args_peek_at(const struct args *a, size_t ahead);
const struct ast_atom *args_next(struct args *a);
/* The location of the next atom, or the end of the statement when there is none. */
struct loc args_here(const struct args *a);
/* Consumes the next atom if it is the word `w`. */
bool args_accept(struct args *a, const char *w);
/* Consumes a ',' if next. */
bool args_comma(struct args *a);
/* Reports an error at `at` (or at the cursor when NULL) and marks the statement failed. */
void args_error(struct args *a, const struct ast_atom *at, const char *fmt, ...) IDPC_PRINTF(3, 4);
/* Reports an error at bytes [start, end) of a string atom's decoded text (a rule, a CIDR, ...). */
void args_error_in(struct args *a, const struct ast_atom *at, size_t start, size_t end,
                   const char *fmt, ...) IDPC_PRINTF(5, 6);
/* Reports "expected X" at the cursor: "expected WHAT after 'prev', found 'x'". */
void args_expected(struct args *a, const char *what);
/* Expects one of the given words; on a miss reports the choices and a did-you-mean. Returns the
 * index into `choices`, or -1. */
int args_expect_word(struct args *a, const char *what, const char *const *choices, size_t n);
/* Expects a keyword of a catalog table (with did-you-mean). */
const struct catalog_entry *args_expect_enum(struct args *a, enum catalog_kind k);
/* Expects a string; returns the atom. */
const struct ast_atom *args_expect_string(struct args *a, const char *what);
/* Expects a string holding a GUID; returns it lower-cased (arena), or NULL after an error
 * "'x' is not WHAT (a GUID)". */
const char *args_expect_guid(struct args *a, const char *what);
/* Expects end of statement; reports "unexpected X" otherwise. */
bool args_expect_end(struct args *a);
/* A comma-separated list of catalog keywords, as a JSON array of Graph values (deduplicated, in
 * order of first appearance); NULL on error. */
json_t *args_enum_list(struct args *a, enum catalog_kind k);
/* After a reference keyword (user, group, ...): `"name"` or `id "guid"` → a model reference.
 * `kind` is the model reference kind ("user", "group", "namedLocation", ...). */
json_t *args_ref(struct args *a, const char *kind, const char *what);
/* on | off → true/false */
bool args_on_off(struct args *a, bool *out);
/* Where atom i came from: the $var use it was expanded from, or DIAG_LOC_NONE. */
static inline struct loc args_origin(const struct args *a, size_t i)
{
    return a->origin ? a->origin[i] : DIAG_LOC_NONE;
}
/* The statement's keyword atom. */
static inline const struct ast_atom *args_keyword(const struct args *a)
{
    return &a->v[0];
}

/* ---- common statements of named declarations ---- */

/* A statement allowed once per block: records it in *first, or reports "'kw' is given twice in
 * WHERE" with a note at the first and returns false. */
bool check_once(struct check *ck, const struct ast_stmt **first, const struct ast_stmt *s,
                const char *where);
/* Handles `id "guid"` and `renamed_from "name"`; returns true if the statement was one of them. */
bool check_common_stmt(struct check *ck, const struct ast_stmt *s, struct model_object *o);

/* ---- lowering, one function per declaration kind (lower_*.c) ----
 * `body` holds the block's statements that passed the placement check (for policies: the merged
 * template and own statements, templates first), n of them. */
void lower_group(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                 size_t n);
void lower_location(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n);
void lower_strength(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n);
void lower_auth_methods(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                        size_t n);
/* lower_methods_detail.c: `METHOD SETTING ...` lines of authentication_methods. */
bool lower_method_is_setting(const struct ast_stmt *s);
/* Merges setting line `s` of method `method` (Graph id) into the method's object `o` (NULL when
 * the block has no state line for the method: an error). `seen` lists every setting line of the
 * block, for "given twice". */
void lower_method_setting(struct check *ck, const struct ast_stmt *s, const char *method,
                          struct model_object *o, const struct ast_stmt **seen, size_t nseen);
/* lower_x509.c: `x509_certificate default_mode|rule|binding ...` (the cursor after the word)
 * merged into the X509Certificate configuration `body`; false after an error. */
bool lower_x509_setting(struct args *a, const char *word, json_t *body);
/* `registration_campaign ...` (once per block: *first records it). */
void lower_registration_campaign(struct check *ck, const struct ast_stmt *s,
                                 const struct ast_stmt **first);
/* lower_strength_combos.c: the combination configurations of a strength from its fido2_keys,
 * certificate_issuers and certificate_policy_oids lines (n of them) and its allowed
 * combinations (Graph strings). A new array, empty when there is none. */
json_t *lower_strength_combos(struct check *ck, const struct ast_stmt *const *stmts, size_t n,
                              const json_t *allowed);
void lower_role(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n);
/* lower_user.c: a cloud-only user account. */
void lower_user(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n);
/* lower_pim.c: the PIM role settings statements of a role block (activation_max_duration,
 * notify, ...) → one unifiedRoleManagementPolicy object holding the rules they state. */
bool lower_pim_is_setting(const char *keyword);
void lower_pim_settings(struct check *ck, const struct catalog_role *role,
                        const struct ast_stmt *decl, struct ast_stmt *const *body, size_t n);
/* lower_consent.c: `user_consent ...` → permissionGrantPoliciesAssigned (array);
 * `admin_consent_reviewers ...` → adminConsentRequestPolicy reviewers (array). NULL on error. */
json_t *lower_user_consent(struct args *a);
json_t *lower_consent_reviewers(struct args *a);
/* The rules a list of PIM settings statements states (their keyword after `skip` atoms), in
 * Graph's order of rule ids, or NULL when there is none; `where` names the block in "given
 * twice" errors. New reference. */
json_t *lower_pim_rules(struct check *ck, struct ast_stmt *const *body, size_t n, size_t skip,
                        const char *where);
/* lower_role.c: "2027-06-30" or "2027-06-30T08:00:00Z" → "2027-06-30T00:00:00Z" (arena), or
 * NULL after an error at the atom. */
const char *lower_schedule_date(struct args *a, const char *what);
/* `[from "DATE"] [until "DATE" | for Nd]` at the end of an eligible or active line: each date
 * through lower_schedule_date (NULL when absent; `for` needs `from` and sets the end N days
 * later), the end after the start ("the <what> ends ... before it starts" otherwise); false
 * after an error. */
bool lower_schedule_window(struct args *a, const char *what, const char **from, const char **until);
/* PIM's scheduleInfo for a window (either may be NULL): {"startDateTime"?, "expiration":
 * {"type": "afterDateTime", "endDateTime"} or {"type": "noExpiration"}}; a new reference. */
json_t *lower_schedule_info(const char *from, const char *until);
/* Days from one "YYYY-MM-DDThh:mm:ssZ" to another (whole days, rounded down). */
long lower_days_between(const char *a, const char *b);
/* lower_pim_group.c: `pim_group "Name" { ... }` → PIM for Groups eligibility and assignment
 * schedule requests and the group's member/owner PIM settings. */
void lower_pim_group(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                     size_t n);
/* lower_review.c: `access_review "Name" { ... }` → an accessReviewScheduleDefinition. */
void lower_review(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                  size_t n);
void lower_settings(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n);
void lower_policy(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                  size_t n);
void lower_test(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n);
void lower_context(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                   size_t n);
/* Records a policy's `context "cN"` (a copy of the id) for lower_context_finish(). */
void lower_context_use(struct check *ck, const char *id, struct loc at);
/* After every declaration is lowered: each context a policy names is declared and available. */
void lower_context_finish(struct check *ck);
/* lower_onprem_sync.c: `on_premises_sync { ... }` → the onPremisesDirectorySynchronization
 * object (features, configuration) and the sync health assertion. */
void lower_onprem_sync(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                       size_t n);
/* `max_age D` (after the word): D in h or d, 1h to 30d, in hours; false after an error. */
bool lower_sync_max_age(struct args *a, long long *hours);
/* True when no directory sync assertion is in the model yet; otherwise an error at `at` with a
 * note at the first one. */
bool lower_sync_assertion_once(struct check *ck, struct loc at);
/* After every declaration is lowered: cross-object checks (emergency access exclusions, ...). */
void lower_finish(struct check *ck);

#endif
