/* whatif_int.h — pieces shared by the what-if evaluator's files (whatif.c evaluates conditions,
 * whatif_grant.c combines grant and session controls and renders results).
 * Ownership: as in whatif.h; every helper here borrows its arguments. */
#ifndef IDPC_WHATIF_INT_H
#define IDPC_WHATIF_INT_H

#include <stdint.h>

#include "runtime/analysis/whatif.h"

/* jansson takes json_t * where it only reads; this drops our const for such calls. */
static inline json_t *whatif_mut(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

/* obj[key], falling back to an ASCII case-insensitive key match (exports spell "GrantControls");
 * NULL for a JSON null, a missing key or a non-object. */
const json_t *whatif_jget(const json_t *obj, const char *key);
/* The string a policy list item stands for: the string itself, or a reference's "id" or
 * "name"; NULL otherwise. */
const char *whatif_item_key(const json_t *item);
/* Case-insensitive equality; false when either is NULL. */
bool whatif_eq(const char *a, const char *b);

/* Fills pr->block, pr->op and pr->controls from the policy's grantControls. */
void whatif_policy_grant(const struct whatif_inputs *in, const json_t *policy,
                         struct whatif_policy_result *pr);
/* Computes r->grant, r->controls, r->op and r->session from r->policies. */
void whatif_combine(struct whatif_result *r);
/* After whatif_combine: a grant the sign-in's client cannot satisfy becomes a block, with the
 * reason in r->unsatisfiable (docs/whatif.md "What a client can satisfy"). */
void whatif_client_limits(struct whatif_result *r, const struct whatif_signin *s);

#endif
