/* impact_int.h — a plan's impact between impact.c and impact_rows.c: the changed scenarios while
 * they are merged, each row a sorted list of numbers per dimension (the classes of its values
 * for impact_analyse, the values themselves for impact_merge), every list in one pool.
 * Ownership: a struct impact_rows owns its rows and their pool (impact_rows_fini). */
#ifndef IDPC_IMPACT_INT_H
#define IDPC_IMPACT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/analysis/impact.h"

struct impact_mrow {
    unsigned change;
    uint32_t len[IMPACT__DIMS]; /* the length of its list on each dimension */
    size_t scenarios;
    size_t at; /* where its lists start in the pool, one dimension after another */
};

struct impact_rows {
    struct impact_mrow *v;
    size_t n, cap;
    uint32_t *pool;
    size_t npool, poolcap;
};

/* Appends a row of one number on each dimension (a changed scenario, or a class of them). */
void impact_rows_add(struct impact_rows *r, unsigned change, size_t scenarios,
                     const size_t at[IMPACT__DIMS]);
/* Merges rows as impact_merge does (impact.h): rows equal but for one dimension become one, the
 * union on that dimension, until nothing merges; rows stay in the order of their first one. The
 * lists of rows are equal exactly when their sets are, so numbers may stand for classes that
 * partition the values. */
void impact_rows_merge(struct impact_rows *r);
/* Row i's list on dimension d (r->v[i].len[d] numbers, ascending). */
const uint32_t *impact_rows_list(const struct impact_rows *r, size_t i, size_t d);
void impact_rows_fini(struct impact_rows *r);

/* The bitsets of a struct impact_row for dimensions of size[d] values, zeroed, in one block
 * (set[0]; impact_rows_free frees it). */
void impact_row_alloc(struct impact_row *row, const size_t size[IMPACT__DIMS]);

/* Grows the array *v of *cap numbers (doubling, from 256) so that n + more fit. */
void impact_u32_reserve(uint32_t **v, size_t *cap, size_t n, size_t more);

#endif
