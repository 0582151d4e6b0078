/* raise_int.h — the private interface of raise*.c: the statement builder and issue reporting.
 * Ownership: builders allocate in the raise context's arena; a raise_line's scratch array is
 * freed by line_done(). */
#ifndef IDPC_RAISE_INT_H
#define IDPC_RAISE_INT_H

#include <stdint.h>

#include "compiler/catalog.h"
#include "compiler/raise.h"

/* One statement being built, atom by atom. */
struct raise_line {
    struct raise *r;
    struct ast_atom *v;
    size_t n, cap;
};

void line_init(struct raise_line *l, struct raise *r);
void line_word(struct raise_line *l, const char *w);
void line_str(struct raise_line *l, const char *s);
void line_comma(struct raise_line *l);
void line_plus(struct raise_line *l);
void line_sep(struct raise_line *l, size_t lead);
/* Sorts the comma-separated items after the first `lead` atoms by their text. */
void line_sort_items(struct raise_line *l, size_t lead);
void line_duration(struct raise_line *l, long long num, const char *unit);
void line_number(struct raise_line *l, long long num);
/* Moves the atoms of `from` to the end of `l` (from is left empty and freed). */
void line_extend(struct raise_line *l, struct raise_line *from);
struct ast_stmt *line_done(struct raise_line *l);

/* The body of a declaration being built; issue comments wait in `pending` and become the
 * leading comments of the next statement added (or the block's closing comments). */
struct raise_block {
    struct raise *r;
    const char *object; /* "policy \"Name\"" for issues */
    struct ast_stmt *first, *last;
    struct ast_comment *pending;
    const char *lead; /* a word before every PIM settings line ("member"), or NULL */
};

void block_init(struct raise_block *b, struct raise *r, const char *object);
void block_add(struct raise_block *b, struct ast_stmt *s);
void block_add_line(struct raise_block *b, struct raise_line *l);
struct ast_stmt *block_finish(struct raise_block *b, struct ast_stmt *decl);
/* A header `KW "name"` statement; `KW` alone when name is NULL. */
struct ast_stmt *raise_decl(struct raise *r, const char *kw, const char *name);
void raise_pin(struct raise_block *b, const char *id, bool force);

/* Appends `KW "name"` (the object's unique name in the map's `kind`) or `KW id "GUID"`, after a
 * comma unless the line holds only its `lead` words. An ambiguous name or a dangling id (kind
 * complete) is reported; a value that is not a GUID is reported and not written (returns
 * false). */
bool line_ref(struct raise_block *b, struct raise_line *l, size_t lead, const char *kw,
              const char *kind, const char *id, const char *field);

/* raise_pim.c: the PIM settings statements of role `role_definition_id` (from r->role_policies),
 * added to the role's block. */
void raise_role_settings(struct raise_block *b, const char *role_definition_id);
/* The same from one unifiedRoleManagementPolicy with its rules; each line starts with b->lead
 * when set (a pim_group block's `member` / `owner`). */
void raise_pim_settings(struct raise_block *b, const json_t *policy);

/* Records an issue for the block's object and queues its comment in the block. */
void raise_issue(struct raise *r, struct raise_block *b, enum raise_issue_kind kind,
                 const char *field, const char *fmt, ...) IDPC_PRINTF(5, 6);
/* One issue per member of `obj` not named in `known` (NULL-terminated). */
void raise_leftovers(struct raise_block *b, const json_t *obj, const char *path,
                     const char *const *known);
/* One issue listing every member of `obj` not named in `known`, as `key = value`, saying they are
 * left as they are (plan compares only what the language sets). Nothing when there is none. */
void raise_leftovers_kept(struct raise_block *b, const json_t *obj, const char *path,
                          const char *const *known);
char *raise_json_text(const json_t *v); /* compact JSON, caller frees */

/* raise_methods_detail.c: the `METHOD SETTING ...` lines of one method configuration (Graph id
 * `method`, DSL keyword `kw`, canonical `cfg`), and whether a property is written by them. */
bool raise_method_handles(const char *method, const char *property);
void raise_method_settings(struct raise_block *b, const char *method, const char *kw,
                           const json_t *cfg, const char *field);
/* raise_x509.c: `x509_certificate default_mode|rule|binding` lines of the canonical
 * X509Certificate configuration. */
void raise_x509_settings(struct raise_block *b, const char *kw, const json_t *cfg,
                         const char *field);
/* raise_settings_detail.c: password protection and smart lockout lines from the canonical
 * "Password Rule Settings" directory setting. */
void raise_password_rules(struct raise_block *b, const json_t *canon);
/* raise_consent.c: `user_consent ...` from the canonical permissionGrantPoliciesAssigned, and
 * the admin_consent_* lines from the canonical adminConsentRequestPolicy. */
void raise_user_consent(struct raise_block *b, const json_t *policies);
void raise_admin_consent(struct raise_block *b, const json_t *canon);
/* `group_classification_descriptions ...` from Group.Unified ClassificationDescriptions. */
void raise_classification_descriptions(struct raise_block *b, const char *value);
/* `group_expiration ...` from the canonical groupLifecyclePolicy. */
void raise_group_expiration(struct raise_block *b, const json_t *canon);
/* raise_strength_combos.c: fido2_keys / certificate_* lines of a strength's canonical
 * combinationConfigurations. */
void raise_strength_combos(struct raise_block *b, const json_t *configs);
/* `registration_campaign ...` from the canonical authenticationMethodsPolicy; false (with an
 * issue) when the campaign cannot be written, true when written or absent. */
bool raise_registration_campaign(struct raise_block *b, const json_t *policy);
size_t raise_split_flags(struct raise *r, const char *s, const char ***out); /* free(*out) */

#endif
