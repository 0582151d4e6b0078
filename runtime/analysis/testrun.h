/* testrun.h — runs the `test` blocks of a configuration (model->tests) through the what-if
 * evaluator and compares each outcome with its expectation (docs/test.md).
 * Ownership: a testrun_report owns every string and JSON value in its cases, except `name` and
 * `at`, which borrow from the tests array it was run on (keep that alive as long). */
#ifndef IDPC_TESTRUN_H
#define IDPC_TESTRUN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/diag.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

enum testrun_status {
    TESTRUN_PASS,
    TESTRUN_FAIL,  /* evaluated; an expectation does not hold */
    TESTRUN_ERROR, /* the sign-in could not be evaluated */
};

struct testrun_case {
    const char *name; /* the test's name (borrowed) */
    const char *at;   /* "file:line:col" of the test block (borrowed; "" when unknown) */
    enum testrun_status status;
    char *expected;  /* the expectation for people: "not block", "grant with mfa", ... */
    char *actual;    /* the outcome for people: "block", "grant with mfa, passwordChange", ... */
    char **problems; /* one line per expectation that does not hold (or the error) */
    size_t nproblems;
    char *decided;  /* the policies that decided, one "    + NAME: ..." line each; "" if none */
    json_t *result; /* whatif_result_to_json of the evaluation; NULL on error */
};

struct testrun_report {
    struct testrun_case *cases;
    size_t n, passed, failed, errors;
};

/* Evaluates every test case of `tests` (model->tests) against `in`. With a tenant (`in` is then
 * ignored and may be NULL) its inputs are used, and the sign-in's group names and UPN are mapped
 * to the tenant's ids as well. Never fails: a case that cannot be evaluated is an error. */
void testrun_run(const json_t *tests, const struct whatif_inputs *in,
                 const struct whatif_tenant *tenant, struct testrun_report *out);
void testrun_report_free(struct testrun_report *r);

/* The group names and user UPNs the tests' sign-ins give (for whatif_tenant_load): new
 * NULL-terminated arrays (free() them) of strings borrowed from `tests`. */
void testrun_names(const json_t *tests, const char ***groups, const char ***upns);

/* Text for people: one "ok" line per passing test, and for each failure its location, the
 * expected and actual outcome and the policies that decided it; then a summary line. */
void testrun_report_print(const struct testrun_report *r, FILE *f, bool color);
/* One error per failed or unevaluated test, at the test block (for --format github). */
void testrun_report_to_diag(const struct testrun_report *r, struct diag_ctx *diag);
/* {"summary": {"tests", "passed", "failed", "errors"}, "tests": [{"name", "at", "status",
 * "expected", "actual", "problems", "result"}]}; new reference. */
json_t *testrun_report_to_json(const struct testrun_report *r, const json_t *tests);
/* JUnit XML (one testsuite named `suite`, a testcase per test, <failure>/<error> with the
 * details); a new string, free() it. */
char *testrun_report_junit(const struct testrun_report *r, const char *suite);

#endif
