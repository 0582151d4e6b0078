/* impact_rows.c — merging a plan's changed scenarios into rows (impact_int.h, impact_merge in
 * impact.h). A row keeps, per dimension, the sorted numbers of its set rather than a bitset of
 * every value: most rows hold one or a few values of each dimension, and a merge conserves the
 * numbers of the dimension it merges along, so the rows never hold more numbers than the
 * scenarios they started from had. */
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/analysis/impact_int.h"

static size_t row_total(const struct impact_mrow *m)
{
    size_t t = 0;
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        t += m->len[d];
    return t;
}

void impact_u32_reserve(uint32_t **v, size_t *cap, size_t n, size_t more)
{
    if (n + more <= *cap)
        return;
    size_t c = *cap ? *cap * 2 : 256;
    while (c < n + more)
        c *= 2;
    *v = xrealloc(*v, c * sizeof(uint32_t));
    *cap = c;
}

void impact_rows_add(struct impact_rows *r, unsigned change, size_t scenarios,
                     const size_t at[IMPACT__DIMS])
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    impact_u32_reserve(&r->pool, &r->poolcap, r->npool, IMPACT__DIMS);
    struct impact_mrow *m = &r->v[r->n++];
    m->change = change;
    m->scenarios = scenarios;
    m->at = r->npool;
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        m->len[d] = 1;
        r->pool[r->npool++] = (uint32_t)at[d];
    }
}

const uint32_t *impact_rows_list(const struct impact_rows *r, size_t i, size_t d)
{
    const struct impact_mrow *m = &r->v[i];
    size_t at = m->at;
    for (size_t e = 0; e < d; e++)
        at += m->len[e];
    return r->pool + at;
}

void impact_rows_fini(struct impact_rows *r)
{
    free(r->v);
    free(r->pool);
    memset(r, 0, sizeof(*r));
}

/* A hash of row i but for dimension d. */
static uint64_t row_hash(const struct impact_rows *r, size_t i, size_t d)
{
    const struct impact_mrow *m = &r->v[i];
    uint64_t h = 1469598103934665603ULL ^ m->change;
    const uint32_t *p = r->pool + m->at;
    for (size_t e = 0; e < IMPACT__DIMS; p += m->len[e], e++) {
        if (e == d)
            continue;
        h = (h ^ m->len[e]) * 1099511628211ULL;
        for (size_t j = 0; j < m->len[e]; j++)
            h = (h ^ p[j]) * 1099511628211ULL;
    }
    return h ^ (h >> 31);
}

/* Are rows i and j equal but for dimension d? */
static bool rows_alike(const struct impact_rows *r, size_t i, size_t j, size_t d)
{
    const struct impact_mrow *a = &r->v[i], *b = &r->v[j];
    if (a->change != b->change)
        return false;
    const uint32_t *p = r->pool + a->at, *q = r->pool + b->at;
    for (size_t e = 0; e < IMPACT__DIMS; p += a->len[e], q += b->len[e], e++)
        if (e != d && (a->len[e] != b->len[e] || memcmp(p, q, a->len[e] * sizeof(uint32_t)) != 0))
            return false;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* One pass along dimension `d`: rows equal but for d become one, in the order of their first
 * row, whose list on d is the union of theirs. Returns whether any merged. */
static bool merge_along(struct impact_rows *r, size_t d)
{
    size_t n = r->n, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *table = xcalloc(cap, sizeof(size_t)); /* group + 1 */
    size_t *group = xcalloc(n + 1, sizeof(size_t));
    size_t *first = xcalloc(n + 1, sizeof(size_t)); /* per group: its first row */
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)row_hash(r, i, d) & (cap - 1);
        while (table[h] && !rows_alike(r, first[table[h] - 1], i, d))
            h = (h + 1) & (cap - 1);
        if (!table[h]) {
            first[ng] = i;
            table[h] = ++ng;
        }
        group[i] = table[h] - 1;
    }
    free(table);
    if (ng == n) {
        free(group);
        free(first);
        return false;
    }
    /* the new rows: the first row of each group, its list on d as long as its rows' together */
    struct impact_mrow *v = xcalloc(ng, sizeof(*v));
    for (size_t g = 0; g < ng; g++) {
        v[g] = r->v[first[g]];
        v[g].len[d] = 0;
        v[g].scenarios = 0;
    }
    for (size_t i = 0; i < n; i++) {
        v[group[i]].len[d] += r->v[i].len[d];
        v[group[i]].scenarios += r->v[i].scenarios;
    }
    size_t npool = 0;
    for (size_t g = 0; g < ng; g++) {
        v[g].at = npool;
        npool += row_total(&v[g]);
    }
    uint32_t *pool = xcalloc(npool + 1, sizeof(uint32_t));
    size_t *fill = first; /* per group: where the next list on d goes */
    for (size_t g = 0; g < ng; g++) {
        const uint32_t *src = r->pool + r->v[first[g]].at;
        uint32_t *dst = pool + v[g].at;
        for (size_t e = 0; e < IMPACT__DIMS; e++) {
            size_t len = e == d ? r->v[first[g]].len[e] : v[g].len[e];
            if (e == d)
                fill[g] = (size_t)(dst - pool);
            else
                memcpy(dst, src, len * sizeof(uint32_t));
            src += len;
            dst += v[g].len[e];
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t g = group[i], len = r->v[i].len[d];
        memcpy(pool + fill[g], impact_rows_list(r, i, d), len * sizeof(uint32_t));
        fill[g] += len;
    }
    /* a union in order, each number once */
    for (size_t g = 0; g < ng; g++) {
        uint32_t *list = pool + v[g].at, len = v[g].len[d], k = 0;
        for (size_t e = 0; e < d; e++)
            list += v[g].len[e];
        qsort(list, len, sizeof(uint32_t), cmp_u32);
        for (uint32_t j = 0; j < len; j++)
            if (k == 0 || list[j] != list[k - 1])
                list[k++] = list[j];
        if (k < len) { /* the rest of the row after its shorter list */
            memmove(list + k, list + len,
                    (row_total(&v[g]) - (size_t)(list + len - (pool + v[g].at))) *
                        sizeof(uint32_t));
            v[g].len[d] = k;
        }
    }
    free(group);
    free(first);
    free(r->v);
    free(r->pool);
    r->v = v;
    r->n = r->cap = ng;
    r->pool = pool;
    r->npool = r->poolcap = npool;
    return true;
}

void impact_rows_merge(struct impact_rows *r)
{
    static const size_t order[] = {IMPACT_CLIENT,   IMPACT_RISK, IMPACT_PLATFORM,
                                   IMPACT_LOCATION, IMPACT_APP,  IMPACT_PERSONA};
    for (bool merged = true; merged;) {
        merged = false;
        for (size_t k = 0; k < IDPC_ARRAY_LEN(order); k++)
            merged = merge_along(r, order[k]) || merged;
    }
}

void impact_row_alloc(struct impact_row *row, const size_t size[IMPACT__DIMS])
{
    size_t words[IMPACT__DIMS], total = 0;
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        words[d] = size[d] ? (size[d] + 63) / 64 : 1;
        total += words[d];
    }
    uint64_t *bits = xcalloc(total, sizeof(uint64_t));
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        row->set[d] = bits;
        bits += words[d];
    }
}

void impact_rows_free(struct impact_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].set[0]);
    free(rows);
}

size_t impact_merge(const size_t size[IMPACT__DIMS], const struct impact_cell *cells, size_t n,
                    struct impact_row **rows)
{
    struct impact_rows r;
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < n; i++) {
        size_t at[IMPACT__DIMS];
        for (size_t d = 0; d < IMPACT__DIMS; d++)
            at[d] = cells[i].at[d];
        impact_rows_add(&r, cells[i].change, 1, at);
    }
    impact_rows_merge(&r);
    struct impact_row *v = xcalloc(r.n ? r.n : 1, sizeof(*v));
    for (size_t i = 0; i < r.n; i++) {
        impact_row_alloc(&v[i], size);
        v[i].change = r.v[i].change;
        v[i].scenarios = r.v[i].scenarios;
        for (size_t d = 0; d < IMPACT__DIMS; d++) {
            const uint32_t *list = impact_rows_list(&r, i, d);
            for (size_t j = 0; j < r.v[i].len[d]; j++)
                v[i].set[d][list[j] / 64] |= (uint64_t)1 << (list[j] % 64);
        }
    }
    size_t m = r.n;
    impact_rows_fini(&r);
    *rows = v;
    return m;
}
