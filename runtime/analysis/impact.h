/* impact.h — a plan's impact: the tenant's Conditional Access policies before and after the plan,
 * evaluated over coverage's scenario space (personas × apps × locations × platforms × client app
 * types × risk levels) with the compiled evaluator, and the scenarios whose outcome changes,
 * merged into rows people read ("guests · Office 365 · any platform · outside trusted locations:
 * allow → MFA (new CA016)"), most severe first. docs/plan-format.md, "impact".
 * Ownership: impact_analyse returns a new reference; inputs and options are borrowed. An
 * impact_row array from impact_merge belongs to the caller (impact_rows_free). */
#ifndef IDPC_IMPACT_H
#define IDPC_IMPACT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/analysis/whatif.h"

/* The dimensions of a scenario, in the order a row names them. */
enum impact_dim {
    IMPACT_PERSONA,
    IMPACT_APP,
    IMPACT_PLATFORM,
    IMPACT_LOCATION,
    IMPACT_CLIENT,
    IMPACT_RISK,
    IMPACT__DIMS
};

/* How much worse (or better) a scenario gets, from the most severe. */
enum impact_severity {
    IMPACT_BLOCKED,     /* newly blocked */
    IMPACT_UNPROTECTED, /* newly allowed without MFA, a strength or a device */
    IMPACT_WEAKER,      /* a weaker requirement than before (or no longer blocked) */
    IMPACT_STRONGER,    /* a stronger requirement than before */
    IMPACT_CHANGED,     /* a different requirement of the same strength */
    IMPACT__SEVERITIES
};
const char *impact_severity_name(enum impact_severity s); /* "blocked", "unprotected", ... */

struct impact_options {
    const char *const *emergency; /* emergency-access user ids (NULL-terminated), may be NULL */
    /* names for ids and "$new:" tokens in the policies: borrowed, or NULL to show the key */
    const char *(*name_of)(void *arg, const char *key);
    void *name_arg;
    size_t max_rows; /* rows kept in the JSON (the rest counted in rowsLeftOut); 0: all */
    /* classes of scenarios to evaluate at most (the product of each dimension's classes); past
     * it nothing is evaluated and the result says so; 0: no limit */
    size_t max_evaluated;
    /* indexes of before's and after's named locations (borrowed, built once by the caller for
     * its own evaluations too), or NULL: the evaluator indexes them */
    const struct whatif_locindex *locix[2];
};

/* {"scenarios": N, "evaluated": e, "changed": M, "policies": {"before": b, "after": a}, "rows":
 * [row...], "rowsLeftOut": k}; past o->max_evaluated instead {"scenarios": N, "evaluated": 0,
 * "policies": {...}, "notEvaluated": {"classes": c, "limit": l}}; a row is {"severity", "text", "who", "app", "platform", "location",
 * "client"?, "risk"?, "before", "after", "policies": [...], "scenarios": n}. Never fails. */
json_t *impact_analyse(const struct whatif_inputs *before, const struct whatif_inputs *after,
                       const struct impact_options *o);

/* One changed scenario: its value on each dimension and the number of its change. */
struct impact_cell {
    unsigned at[IMPACT__DIMS];
    unsigned change;
};

/* A merged row: every combination of the values in its sets changes the same way. */
struct impact_row {
    unsigned change;
    size_t scenarios;
    uint64_t *set[IMPACT__DIMS]; /* bitsets of ceil(size[d] / 64) words */
};

/* Merges cells (their values below size[d] on each dimension) into rows: rows that differ only
 * on one dimension are merged into one row whose set on that dimension is the union, dimension
 * by dimension (client, risk, platform, location, app, persona) until nothing merges. Rows come
 * in the order of their first cell. Returns the number of rows. */
size_t impact_merge(const size_t size[IMPACT__DIMS], const struct impact_cell *cells, size_t n,
                    struct impact_row **rows);
void impact_rows_free(struct impact_row *rows, size_t n);

/* The severity of an outcome change between two coverage classes (runtime/analysis/coverage.h;
 * a gap class is allow or weak). */
enum impact_severity impact_severity_of(int before_class, int after_class);

#endif
