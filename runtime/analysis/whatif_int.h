/* whatif_int.h — pieces shared by the what-if evaluator's files (whatif.c evaluates conditions,
 * whatif_grant.c combines grant and session controls and renders results).
 * Ownership: as in whatif.h; every helper here borrows its arguments. */
#ifndef IDPC_WHATIF_INT_H
#define IDPC_WHATIF_INT_H

#include <stdint.h>

#include "compiler/util.h"
#include "runtime/analysis/whatif.h"

/* The number of bits set in v, without the popcnt instruction the build does not assume (a call
 * to libgcc's loop otherwise): the parallel count, a few shifts and one multiply. */
static inline unsigned whatif_popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ULL);
    v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((v * 0x0101010101010101ULL) >> 56);
}

/* jansson takes json_t * where it only reads; this drops our const for such calls. */
static inline json_t *whatif_mut(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

/* obj[key], falling back to an ASCII case-insensitive key match (exports spell "GrantControls");
 * NULL for a JSON null, a missing key or a non-object. */
const json_t *whatif_jget(const json_t *obj, const char *key);
/* whatif_jget of n keys (n <= 16 in one pass over the object's members), into out[0..n). */
void whatif_jget_many(const json_t *obj, const char *const *keys, size_t n, const json_t **out);
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

/* A policy's conditions, grouped by the part of the sign-in they read, in the order in which
 * whatif_evaluate checks them (the first part that fails gives the reason). whatif.c holds both
 * the conditions of each part (policy_part) and the fields each part reads (whatif_part_key):
 * the compiled evaluator (whatif_compiled.c) evaluates a part once per distinct key and reuses
 * the answer, so a condition that reads another sign-in field must add it to its part's key. */
enum whatif_part {
    WHATIF_PART_USERS,    /* user, user_id, member_of, roles, guests, service principal */
    WHATIF_PART_TARGET,   /* app, action, auth_context, app_attrs */
    WHATIF_PART_RISK,     /* service principal, user, sign-in and insider risk */
    WHATIF_PART_PLATFORM, /* platform */
    WHATIF_PART_LOCATION, /* ip, country, locations, mfa_trusted_ip */
    WHATIF_PART_CLIENT,   /* client_app */
    WHATIF_PART_DEVICE,   /* device */
    WHATIF_PART_FLOW,     /* auth_flow */
    WHATIF_PARTS
};

/* The sign-in checks of whatif_evaluate (one target, a user, valid context and country). */
int whatif_signin_check(const struct whatif_signin *s, char *err, size_t errlen);
/* What besides the applying policies decides a result: Microsoft's own MFA for the admin
 * portals, and the client's limits (docs/whatif.md). whatif_evaluate and the compiled evaluator
 * both finish a result through whatif_finish, so the rules live in one place. */
enum {
    WHATIF_EXTRA_PLATFORM_MFA = 1u << 0,  /* the admin portals, not a service principal */
    WHATIF_EXTRA_LEGACY_CLIENT = 1u << 1, /* exchangeActiveSync, easSupported, other */
    WHATIF_EXTRA_DEVICE_CODE = 1u << 2,   /* the device code flow */
};
unsigned whatif_signin_extras(const struct whatif_signin *s);
/* Adds the platform entry, combines, and applies the client's limits. */
void whatif_finish(struct whatif_result *out, unsigned extras);
/* Sets bit i of ok[] (one bit per policy of in->policies, (n + 63) / 64 words) when policy i
 * passes the conditions of `part` for `s`; -1 with err when the sign-in is malformed. `ix` (may
 * be NULL): an index of in->locations. `same` (may be NULL): per policy, the first policy with
 * equal "conditions" (same[i] <= i), whose answer it then takes instead of reading its
 * conditions again. `only` (may be NULL): the policies to evaluate (a policy in it has its
 * same[i] in it too); the others' bits stay 0. */
int whatif_part_eval(const struct whatif_inputs *in, const struct whatif_locindex *ix,
                     enum whatif_part part, const struct whatif_signin *s, const size_t *same,
                     const uint64_t *only, uint64_t *ok, char *err, size_t errlen);
/* The sign-in's roles plus their template ids and canonical names, as the users condition
 * compares them with includeRoles/excludeRoles (NULL-terminated; free the array only). */
const char **whatif_role_keys(const struct whatif_signin *s);
/* Does a policy's "conditions" target workload identities (includeServicePrincipals)? */
bool whatif_workload_policy(const json_t *cond);

/* The location part (WHATIF_PART_LOCATION) of many policies with their location lists resolved
 * once against an index of the named locations (whatif.c, next to check_locations, whose
 * answers it gives without reading the policies' JSON per sign-in). Ownership: borrows the
 * policies, the index (not NULL) and `same` (the part's, as for whatif_part_eval). */
struct whatif_locconds;
struct whatif_locconds *whatif_locconds_new(const json_t *policies,
                                            const struct whatif_locindex *ix, const size_t *same);
void whatif_locconds_free(struct whatif_locconds *x);
/* whatif_part_eval(in, ix, WHATIF_PART_LOCATION, s, same, NULL, ok, ...) for these policies. */
int whatif_locconds_eval(const struct whatif_locconds *x, const struct whatif_inputs *in,
                         const struct whatif_locindex *ix, const struct whatif_signin *s,
                         const size_t *same, uint64_t *ok, char *err, size_t errlen);

/* The users part (WHATIF_PART_USERS) of many policies compiled into hashed sets: which policies
 * include or exclude each user, group and role key, and bitsets of "All" and
 * "GuestsOrExternalUsers". Built by whatif_compiled.c (whatif_users.c); it gives exactly the
 * answers of whatif_part_eval, which it calls for what it does not index. Ownership: borrows the
 * policies and `same` for its lifetime. */
struct whatif_users_index;
struct whatif_users_index *whatif_users_index_new(const json_t *policies, const size_t *same);
void whatif_users_index_free(struct whatif_users_index *x);
/* Fills ok[] (words of the policy bitset) for the policies it decides, and general[] with those
 * whatif_part_eval must decide (a superset of none: every policy for a workload sign-in). */
void whatif_users_index_row(const struct whatif_users_index *x, const struct whatif_signin *s,
                            uint64_t *ok, uint64_t *general);
/* The keys of a policy's "conditions" that the conditions of `part` read (policy_part, through
 * whatif_jget), NULL-terminated: policies with equal values there answer the part alike. A
 * condition that reads another key must add it here. */
const char *const *whatif_part_fields(enum whatif_part part);
/* Appends to k every sign-in field the conditions of `part` read (a memo key). */
void whatif_part_key(enum whatif_part part, const struct whatif_signin *s, struct strbuf *k);
/* Do a and b point at the very same values (the same pointers, list item by list item) for
 * every field of `part`? A shortcut before whatif_part_key, for callers that keep the values
 * alive and unchanged. */
bool whatif_part_same(enum whatif_part part, const struct whatif_signin *a,
                      const struct whatif_signin *b);
/* The policy's state ("enabled" when it has none, the language's default). */
enum whatif_state whatif_policy_state(const json_t *policy);

#endif
