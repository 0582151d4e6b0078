/* unit_impact.h — the impact tests' oracle: every scenario of a coverage's axes evaluated one by
 * one on the two sides' compiled evaluators, counting those whose outcome changes. Include it
 * after <cmocka.h> and the analysis headers. Ownership: borrows everything it is given. */
#ifndef IDPC_UNIT_IMPACT_H
#define IDPC_UNIT_IMPACT_H

#include <stddef.h>

#include "runtime/analysis/coverage.h"
#include "runtime/analysis/whatif_compiled.h"

/* How many of the scenarios of `c` change outcome from wc[0] (before) to wc[1] (after);
 * *scenarios (when not NULL) is how many there are. */
static inline size_t unit_changed_scenarios(struct coverage *c, struct whatif_compiled *wc[2],
                                            size_t *scenarios)
{
    size_t changed = 0, n = 0;
    for (size_t p = 0; p < c->npersonas; p++)
        for (size_t a = 0; a < c->napps; a++)
            for (size_t l = 0; l < c->nlocations; l++)
                for (size_t pl = 0; pl < c->nplatforms; pl++)
                    for (size_t cl = 0; cl < c->nclients; cl++) {
                        struct whatif_signin s;
                        const char *locs[3];
                        coverage_signin(c, p, a, l, pl, cl, locs, &s);
                        unsigned out[2];
                        for (int side = 0; side < 2; side++) {
                            char err[256];
                            long set = whatif_compiled_eval(wc[side], &s, err, sizeof(err));
                            assert_true(set >= 0);
                            struct whatif_result r;
                            whatif_compiled_outcome(wc[side], (size_t)set, &r);
                            out[side] = coverage_outcome(c, &r);
                            whatif_result_free(&r);
                        }
                        changed += out[0] != out[1];
                        n++;
                    }
    if (scenarios)
        *scenarios = n;
    return changed;
}

#endif
