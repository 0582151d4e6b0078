/* whatif_compiled.h — the what-if evaluator compiled for many sign-ins against the same policies
 * (coverage): each part of the policies' conditions (enum whatif_part in whatif_int.h) is
 * evaluated once per distinct value of the sign-in fields it reads, into a bitset over the
 * policies; a sign-in then costs one hash lookup per part and an AND of bitsets. No JSON is read
 * and no reason is formatted for a sign-in whose parts were seen before; whatif_evaluate gives
 * the reasons, for printing.
 * Ownership: a struct whatif_compiled borrows its inputs, and the strings, lists and JSON of
 * every sign-in it evaluates (it compares the next sign-in's pointers with them): keep all of
 * them alive and unchanged until whatif_compiled_free. It owns its memo; a result of
 * whatif_compiled_result belongs to the caller (whatif_result_free). */
#ifndef IDPC_WHATIF_COMPILED_H
#define IDPC_WHATIF_COMPILED_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/analysis/whatif.h"

struct whatif_compiled;

struct whatif_compiled *whatif_compile(const struct whatif_inputs *in);
/* whatif_compile with an index of in->locations the caller already holds (borrowed: keep it
 * alive until whatif_compiled_free; NULL: the compile builds its own). */
struct whatif_compiled *whatif_compile_ix(const struct whatif_inputs *in,
                                          const struct whatif_locindex *ix);
void whatif_compiled_free(struct whatif_compiled *c);

/* The set of enabled policies that apply to `s`, as a number: equal sets get equal numbers
 * (0, 1, 2, ... in order of first appearance). -1 with err filled when the sign-in is malformed
 * (as whatif_evaluate). */
long whatif_compiled_eval(struct whatif_compiled *c, const struct whatif_signin *s, char *err,
                          size_t errlen);

/* The result for set number `set`: grant, controls, operator and session exactly as
 * whatif_evaluate combines them; per policy its state, applies (true for enabled policies only:
 * report-only ones never decide) and grant requirement, but no reason or detail. */
void whatif_compiled_result(const struct whatif_compiled *c, size_t set, struct whatif_result *out);
/* The same combination (grant, controls, operator, session, unsatisfiable), with only the
 * applying policies (and the platform's entry) in out->policies: what an outcome needs, at a cost
 * in the applying policies rather than in all of them. */
void whatif_compiled_outcome(const struct whatif_compiled *c, size_t set,
                             struct whatif_result *out);

/* The policies whose conditions of one part (enum whatif_part, whatif_int.h) `s` meets: a bitset
 * of whatif_compiled_words() words, bit i for input policy i, enabled or not; valid until the
 * next call. Sign-ins whose rows are equal for every part (and whose whatif_signin_extras are
 * equal) get the same set. NULL with err filled when the sign-in is malformed. */
const uint64_t *whatif_compiled_part(struct whatif_compiled *c, int part,
                                     const struct whatif_signin *s, char *err, size_t errlen);
/* The same row written into `row` (whatif_compiled_words() words) and not remembered: for a
 * caller that asks for each value once (the plan's impact classifies each persona once), whose
 * rows would otherwise stay in the memo until whatif_compiled_free. 0, or -1 with err filled. */
int whatif_compiled_part_into(struct whatif_compiled *c, int part, const struct whatif_signin *s,
                              uint64_t *row, char *err, size_t errlen);
size_t whatif_compiled_words(const struct whatif_compiled *c);
/* The set number of a sign-in given by parts: `rows` the AND of its whatif_compiled_part rows for
 * every part, `extras` its whatif_signin_extras (whatif_int.h). whatif_compiled_eval of that
 * sign-in gives the same number; counted as a sign-in evaluated. For a matrix of sign-ins, whose
 * rows are each looked up once per axis value rather than per sign-in. */
long whatif_compiled_set(struct whatif_compiled *c, const uint64_t *rows, unsigned extras);
/* whatif_compiled_set of the rows whose AND has its bits at pos[0..n) (strictly ascending,
 * each below 64 * whatif_compiled_words()): the same number, at a cost in those bits rather than
 * in the words, for sign-ins that meet the conditions of a few of many policies. */
long whatif_compiled_set_list(struct whatif_compiled *c, const uint32_t *pos, size_t n,
                              unsigned extras);

/* Sign-ins evaluated so far, and policies per sign-in (their product: evaluations). */
size_t whatif_compiled_signins(const struct whatif_compiled *c);
size_t whatif_compiled_policies(const struct whatif_compiled *c);

#endif
