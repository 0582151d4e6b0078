/* lint_int.h — pieces shared by the files of `idpc check` (lint.c: rules, inputs, reports;
 * lint_ca.c: Conditional Access hygiene; lint_p2.c: Phase 2 exit criteria).
 * Ownership: a lint_ctx borrows its input and diag_ctx and owns its what-if inputs; every helper
 * returning json_t * returns a new reference. */
#ifndef IDPC_LINT_INT_H
#define IDPC_LINT_INT_H

#include <stdint.h>

#include "runtime/analysis/lint.h"
#include "runtime/analysis/whatif.h"

#define LINT_GLOBAL_ADMIN           "62e90394-69f5-4237-9190-012177145e10"
#define LINT_GROUP_UNIFIED_TEMPLATE "62375ab9-6b52-47ed-826b-58e47e0e304b"
/* The "Password Rule Settings" group setting template: Microsoft Entra Password Protection and
 * smart lockout. */
#define LINT_PASSWORD_RULES_TEMPLATE "5cf42378-d67d-4f36-ba46-e8b86229381d"

struct lint_ctx {
    const struct lint_input *in;
    const struct lint_options *opt;
    struct diag_ctx *diag;
    struct whatif_inputs wi; /* the policies as they are */
    struct whatif_inputs
        wi_on; /* every policy forced on: who a policy targets, whatever its state */
    unsigned errors, warnings;
    bool failed; /* the evaluator refused a probe sign-in */
};

/* jansson takes json_t * where it only reads. */
static inline json_t *lint_mut(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

/* Case-insensitive equality; false when either is NULL. */
static inline bool lint_eq(const char *a, const char *b)
{
    return a && b && util_streq_nocase(a, b);
}

/* lint_consent.c: IDP-APP-001 and IDP-APP-002 (application consent). */
void lint_consent_run(struct lint_ctx *c);

/* Queues a diagnostic of rule `code` at `at` ("file:line:col" or NULL), with the rule's
 * severity. lint_note attaches a note to it. */
void lint_emit(struct lint_ctx *c, const char *code, const char *at, const char *fmt, ...)
    IDPC_PRINTF(4, 5);
void lint_note(struct lint_ctx *c, const char *at, const char *fmt, ...) IDPC_PRINTF(3, 4);

const char *lint_jstr(const json_t *obj, const char *key);
/* The key a policy list item or reference stands for: the string, or a ref's "name" or "id". */
const char *lint_key(const json_t *item);
/* One spelling for a user, group or other principal (ids and names of the same object agree). */
const char *lint_canon(const struct lint_ctx *c, const char *key);
bool lint_same(const struct lint_ctx *c, const char *a, const char *b);

bool lint_is_emergency(const struct lint_ctx *c, const char *key);
const json_t *lint_group(const struct lint_ctx *c, const char *key);
/* The groups that contain `key` directly or through nested declared groups: an array of keys
 * (each group's name and, when known, id). */
json_t *lint_groups_of(const struct lint_ctx *c, const char *key);
/* The role template ids `key` holds directly or through its groups. */
json_t *lint_roles_of(const struct lint_ctx *c, const char *key, bool with_eligible);
/* Is `key` a user (as opposed to a group)? Offline: not a declared group name. */
bool lint_is_user(const struct lint_ctx *c, const char *key);

/* A probe sign-in for principal `key` of kind "user" | "group" | "role" | "guests" | NULL (an
 * ordinary member user in no group and no role). Arrays in *s borrow from *hold, which the
 * caller releases with lint_probe_fini. The target and conditions are left to the caller. */
struct lint_probe {
    json_t *groups, *roles;
    const char **member_of, **role_list;
};
void lint_probe_init(const struct lint_ctx *c, const char *kind, const char *key,
                     struct whatif_signin *s, struct lint_probe *hold);
void lint_probe_fini(struct lint_probe *hold);
/* whatif_evaluate; on a refused sign-in the error is reported once and -1 returned. */
int lint_eval(struct lint_ctx *c, const struct whatif_inputs *wi, const struct whatif_signin *s,
              struct whatif_result *r);
/* The combined grant of enabled policies needs MFA (the mfa control or an authentication
 * strength) whatever the user chooses. */
bool lint_result_requires_mfa(const struct whatif_result *r);
/* Comma-separated names of the enabled policies that applied ("(none)" when none); caller frees. */
char *lint_applied_names(const struct whatif_result *r, enum whatif_state state);

void lint_ca_run(struct lint_ctx *c);
void lint_p2_run(struct lint_ctx *c, struct lint_report *out);

#endif
