/* test_impact.c — a plan's impact: merging changed scenarios into rows (impact_merge), the
 * severity of a change and the order of rows, the words of a row (any/but/outside), the
 * policies that explain a change, report-only policies turned on, "no change", merging classes
 * of values as the values themselves, and a dimension of many values in few classes against
 * every scenario evaluated one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_impact.h"

#include "runtime/analysis/coverage.h"
#include "runtime/analysis/impact.h"
#include "runtime/analysis/impact_int.h"
#include "runtime/analysis/whatif_compiled.h"

/* ---- merging ---- */

static bool has(const uint64_t *set, unsigned i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

static void test_merge_along_one_dimension(void **state)
{
    (void)state;
    /* persona 0, app 0, every platform (6), location 0, client 0, risk 0: one change */
    size_t size[IMPACT__DIMS] = {2, 2, 6, 2, 4, 1};
    struct impact_cell cells[8];
    for (unsigned p = 0; p < 6; p++)
        cells[p] = (struct impact_cell){{0, 0, p, 0, 0, 0}, 7};
    /* persona 1 on two platforms, another change: a row of its own */
    cells[6] = (struct impact_cell){{1, 0, 2, 0, 0, 0}, 3};
    cells[7] = (struct impact_cell){{1, 0, 3, 0, 0, 0}, 3};
    struct impact_row *rows;
    size_t n = impact_merge(size, cells, 8, &rows);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].change, 7);
    assert_int_equal(rows[0].scenarios, 6);
    for (unsigned p = 0; p < 6; p++)
        assert_true(has(rows[0].set[IMPACT_PLATFORM], p));
    assert_true(has(rows[0].set[IMPACT_PERSONA], 0));
    assert_false(has(rows[0].set[IMPACT_PERSONA], 1));
    assert_int_equal(rows[1].change, 3);
    assert_int_equal(rows[1].scenarios, 2);
    assert_true(has(rows[1].set[IMPACT_PLATFORM], 2) && has(rows[1].set[IMPACT_PLATFORM], 3));
    assert_false(has(rows[1].set[IMPACT_PLATFORM], 0));
    impact_rows_free(rows, n);
}

static void test_merge_two_dimensions_product(void **state)
{
    (void)state;
    /* a 2 x 3 block (personas 0-1 x locations 0-2) of one change is one row; the same cells
     * with another change on one of them cannot be merged with it */
    size_t size[IMPACT__DIMS] = {3, 1, 1, 4, 1, 1};
    struct impact_cell cells[7];
    size_t k = 0;
    for (unsigned p = 0; p < 2; p++)
        for (unsigned l = 0; l < 3; l++)
            cells[k++] = (struct impact_cell){{p, 0, 0, l, 0, 0}, 1};
    cells[k++] = (struct impact_cell){{2, 0, 0, 0, 0, 0}, 2};
    struct impact_row *rows;
    size_t n = impact_merge(size, cells, k, &rows);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].scenarios, 6);
    assert_true(has(rows[0].set[IMPACT_PERSONA], 0) && has(rows[0].set[IMPACT_PERSONA], 1));
    assert_false(has(rows[0].set[IMPACT_PERSONA], 2));
    assert_true(has(rows[0].set[IMPACT_LOCATION], 2));
    assert_false(has(rows[0].set[IMPACT_LOCATION], 3));
    assert_int_equal(rows[1].change, 2);
    impact_rows_free(rows, n);
}

static void test_merge_large_dimension(void **state)
{
    (void)state;
    /* more than 64 personas: sets of several words */
    size_t size[IMPACT__DIMS] = {130, 1, 1, 1, 1, 1};
    struct impact_cell cells[130];
    for (unsigned p = 0; p < 130; p++)
        cells[p] = (struct impact_cell){{p, 0, 0, 0, 0, 0}, p == 100 ? 1u : 0u};
    struct impact_row *rows;
    size_t n = impact_merge(size, cells, 130, &rows);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].scenarios, 129);
    assert_true(has(rows[0].set[IMPACT_PERSONA], 129));
    assert_false(has(rows[0].set[IMPACT_PERSONA], 100));
    assert_true(has(rows[1].set[IMPACT_PERSONA], 100));
    impact_rows_free(rows, n);
}

/* Unions met in different orders are the same set (69's locations come as 1 then 0, 3's as 0
 * then 1: one row); a cell listed twice counts twice and holds its value once. */
static void test_merge_unions_in_order(void **state)
{
    (void)state;
    size_t size[IMPACT__DIMS] = {70, 1, 1, 2, 1, 1};
    struct impact_cell cells[] = {
        {{69, 0, 0, 1, 0, 0}, 4}, {{3, 0, 0, 0, 0, 0}, 4},  {{3, 0, 0, 1, 0, 0}, 4},
        {{69, 0, 0, 0, 0, 0}, 4}, {{40, 0, 0, 1, 0, 0}, 4}, {{40, 0, 0, 1, 0, 0}, 4},
    };
    struct impact_row *rows;
    size_t n = impact_merge(size, cells, 6, &rows);
    /* {3, 69} x {0, 1} and {40} x {1} */
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].scenarios, 4);
    assert_true(has(rows[0].set[IMPACT_PERSONA], 3) && has(rows[0].set[IMPACT_PERSONA], 69));
    assert_false(has(rows[0].set[IMPACT_PERSONA], 40));
    assert_true(has(rows[0].set[IMPACT_LOCATION], 0) && has(rows[0].set[IMPACT_LOCATION], 1));
    assert_int_equal(rows[1].scenarios, 2);
    assert_true(has(rows[1].set[IMPACT_PERSONA], 40));
    assert_false(has(rows[1].set[IMPACT_LOCATION], 0));
    impact_rows_free(rows, n);
}

/* impact_analyse merges tuples of classes (impact_int.h) where impact_merge merges cells of
 * values: with the values of each class changing alike, both give the same rows, in the same
 * order, with the same sets of values. */
static void test_merge_classes_equal_values(void **state)
{
    (void)state;
    const size_t size[IMPACT__DIMS] = {150, 3, 2, 5, 4, 1};
    const size_t ncls[IMPACT__DIMS] = {7, 2, 1, 3, 2, 1};
    size_t count[IMPACT__DIMS][8] = {{0}};
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        for (size_t v = 0; v < size[d]; v++)
            count[d][v % ncls[d]]++;
    /* the change of a tuple of classes, or none */
    unsigned changes[7][2][1][3][2][1];
    uint32_t seed = 12345;
    struct impact_rows cr;
    memset(&cr, 0, sizeof(cr));
    size_t k[IMPACT__DIMS];
    for (k[0] = 0; k[0] < 7; k[0]++)
        for (k[1] = 0; k[1] < 2; k[1]++)
            for (k[2] = 0, k[5] = 0; k[2] < 1; k[2]++)
                for (k[3] = 0; k[3] < 3; k[3]++)
                    for (k[4] = 0; k[4] < 2; k[4]++) {
                        seed = seed * 1103515245u + 12345u;
                        unsigned ch = (seed >> 16) % 4; /* 3: unchanged */
                        changes[k[0]][k[1]][0][k[3]][k[4]][0] = ch;
                        if (ch == 3)
                            continue;
                        size_t n = 1;
                        for (size_t d = 0; d < IMPACT__DIMS; d++)
                            n *= count[d][k[d]];
                        impact_rows_add(&cr, ch, n, k);
                    }
    impact_rows_merge(&cr);
    size_t ncells = 0, total = 1;
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        total *= size[d];
    struct impact_cell *cells = calloc(total, sizeof(*cells));
    unsigned v[IMPACT__DIMS];
    for (v[0] = 0; v[0] < size[0]; v[0]++)
        for (v[1] = 0; v[1] < size[1]; v[1]++)
            for (v[2] = 0, v[5] = 0; v[2] < size[2]; v[2]++)
                for (v[3] = 0; v[3] < size[3]; v[3]++)
                    for (v[4] = 0; v[4] < size[4]; v[4]++) {
                        unsigned ch = changes[v[0] % 7][v[1] % 2][0][v[3] % 3][v[4] % 2][0];
                        if (ch != 3)
                            cells[ncells++] =
                                (struct impact_cell){{v[0], v[1], v[2], v[3], v[4], v[5]}, ch};
                    }
    struct impact_row *rows;
    size_t n = impact_merge(size, cells, ncells, &rows);
    assert_true(n > 1);
    assert_int_equal(n, cr.n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].change, cr.v[i].change);
        assert_int_equal(rows[i].scenarios, cr.v[i].scenarios);
        for (size_t d = 0; d < IMPACT__DIMS; d++) {
            const uint32_t *list = impact_rows_list(&cr, i, d);
            for (size_t x = 0; x < size[d]; x++) {
                bool in = false;
                for (size_t j = 0; j < cr.v[i].len[d]; j++)
                    in = in || list[j] == x % ncls[d];
                assert_int_equal(has(rows[i].set[d], (unsigned)x), in);
            }
        }
    }
    impact_rows_free(rows, n);
    impact_rows_fini(&cr);
    free(cells);
}

static void test_severity(void **state)
{
    (void)state;
    assert_int_equal(impact_severity_of(COVERAGE_MFA, COVERAGE_BLOCK), IMPACT_BLOCKED);
    assert_int_equal(impact_severity_of(COVERAGE_ALLOW, COVERAGE_BLOCK), IMPACT_BLOCKED);
    assert_int_equal(impact_severity_of(COVERAGE_MFA, COVERAGE_ALLOW), IMPACT_UNPROTECTED);
    assert_int_equal(impact_severity_of(COVERAGE_BLOCK, COVERAGE_WEAK), IMPACT_UNPROTECTED);
    assert_int_equal(impact_severity_of(COVERAGE_STRENGTH, COVERAGE_MFA), IMPACT_WEAKER);
    assert_int_equal(impact_severity_of(COVERAGE_BLOCK, COVERAGE_MFA), IMPACT_WEAKER);
    assert_int_equal(impact_severity_of(COVERAGE_ALLOW, COVERAGE_WEAK), IMPACT_STRONGER);
    assert_int_equal(impact_severity_of(COVERAGE_ALLOW, COVERAGE_MFA), IMPACT_STRONGER);
    assert_int_equal(impact_severity_of(COVERAGE_MFA, COVERAGE_MFA), IMPACT_CHANGED);
    assert_string_equal(impact_severity_name(IMPACT_UNPROTECTED), "unprotected");
}

/* ---- analysing two policy sets ---- */

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad JSON in test: %s: %s", je.text, text);
    return j;
}

/* A policy for all users but the break-glass account, on all apps. */
static json_t *policy(const char *id, const char *name, const char *state, const char *extra,
                      const char *grant)
{
    json_t *c = load("{\"applications\":{\"includeApplications\":[\"All\"]},"
                     "\"clientAppTypes\":[\"all\"],"
                     "\"users\":{\"includeUsers\":[\"All\"],\"excludeUsers\":[\"bg-id\"]}}");
    if (extra) {
        json_t *x = load(extra);
        json_object_update(c, x);
        json_decref(x);
    }
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", id, "displayName", name, "state", state,
                     "conditions", c, "grantControls", load(grant));
}

#define MFA   "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}"
#define BLOCK "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}"
#define GUESTS                                                                                     \
    "{\"users\":{\"includeUsers\":[\"GuestsOrExternalUsers\"],\"excludeUsers\":[\"bg-id\"]}}"
#define MOBILE "{\"platforms\":{\"includePlatforms\":[\"iOS\",\"android\"]}}"

static const char *emergency[] = {"bg-id", NULL};

static const char *name_of(void *arg, const char *key)
{
    (void)arg;
    return strcmp(key, "bg-id") == 0 ? "bg@contoso.com" : NULL;
}

static json_t *analyse(struct whatif_inputs *before, struct whatif_inputs *after)
{
    struct impact_options o = {emergency, name_of, NULL, 0, 0, {NULL, NULL}};
    json_t *j = impact_analyse(before, after, &o);
    if (getenv("IMPACT_DUMP")) {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(j, "rows"), i, r)
        {
            printf("ROW %s | %s\n", json_string_value(json_object_get(r, "severity")),
                   json_string_value(json_object_get(r, "text")));
        }
    }
    whatif_inputs_fini(before);
    whatif_inputs_fini(after);
    return j;
}

static json_t *analyse_limited(size_t limit)
{
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(before.policies, policy("p1", "Block mobile", "enabled", MOBILE, BLOCK));
    json_array_append_new(after.policies,
                          policy("$new:p:g", "MFA for guests", "enabled", GUESTS, MFA));
    struct impact_options o = {emergency, name_of, NULL, 0, limit, {NULL, NULL}};
    json_t *im = impact_analyse(&before, &after, &o);
    whatif_inputs_fini(&before);
    whatif_inputs_fini(&after);
    return im;
}

/* Past the budget of classes nothing is evaluated, and the result says how many there were: a
 * budget of exactly the classes the inputs make evaluates them all, one less none. */
static void test_budget_of_classes(void **state)
{
    (void)state;
    json_t *all = analyse_limited(0);
    json_int_t classes = json_integer_value(json_object_get(all, "evaluated"));
    assert_true(classes > 1);
    assert_null(json_object_get(all, "notEvaluated"));

    json_t *at = analyse_limited((size_t)classes);
    assert_null(json_object_get(at, "notEvaluated"));
    assert_int_equal(json_integer_value(json_object_get(at, "evaluated")), classes);
    assert_true(json_equal(json_object_get(at, "rows"), json_object_get(all, "rows")));
    assert_true(json_array_size(json_object_get(at, "rows")) > 0);

    json_t *over = analyse_limited((size_t)classes - 1);
    const json_t *skip = json_object_get(over, "notEvaluated");
    assert_non_null(skip);
    assert_int_equal(json_integer_value(json_object_get(skip, "classes")), classes);
    assert_int_equal(json_integer_value(json_object_get(skip, "limit")), classes - 1);
    assert_int_equal(json_integer_value(json_object_get(over, "evaluated")), 0);
    assert_int_equal(json_integer_value(json_object_get(over, "scenarios")),
                     json_integer_value(json_object_get(all, "scenarios")));
    assert_null(json_object_get(over, "rows"));
    assert_null(json_object_get(over, "changed"));
    json_decref(all);
    json_decref(at);
    json_decref(over);
}

static const json_t *row(const json_t *im, size_t i)
{
    return json_array_get(json_object_get(im, "rows"), i);
}

static const char *text(const json_t *im, size_t i)
{
    return json_string_value(json_object_get(row(im, i), "text"));
}

static void test_new_policy_for_guests(void **state)
{
    (void)state;
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(after.policies,
                          policy("$new:p:CA016", "CA016: MFA for guests", "enabled", GUESTS, MFA));
    json_t *im = analyse(&before, &after);
    /* personas: ordinary members, bg (emergency), guest; 4 apps; 1 location; 6 x 4 */
    assert_int_equal(json_integer_value(json_object_get(im, "scenarios")), 3 * 3 * 1 * 6 * 4);
    assert_int_equal(json_array_size(json_object_get(im, "rows")), 2);
    /* legacy clients cannot do MFA: blocked, most severe first */
    /* (the admin portals require MFA anyway: Microsoft's own, unchanged) */
    assert_string_equal(text(im, 0), "guest (b2b_collaboration_guest) · Office 365 and any other "
                                     "app · any platform · any location · legacy clients: allow → "
                                     "blocked (new CA016)");
    assert_string_equal(text(im, 1), "guest (b2b_collaboration_guest) · Office 365 and any other "
                                     "app · any platform · any location · modern clients: allow → "
                                     "MFA (new CA016)");
    assert_string_equal(json_string_value(json_object_get(row(im, 1), "severity")), "stronger");
    assert_int_equal(json_integer_value(json_object_get(row(im, 1), "scenarios")), 2 * 6 * 2);
    json_t *pol = json_object_get(row(im, 1), "policies");
    assert_string_equal(json_string_value(json_object_get(json_array_get(pol, 0), "change")),
                        "new");
    assert_null(json_object_get(row(im, 1), "risk"));
    json_decref(im);
}

static void test_report_only_turned_on_and_platforms(void **state)
{
    (void)state;
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(
        before.policies,
        policy("p1", "Block mobile", "enabledForReportingButNotEnforced", MOBILE, BLOCK));
    json_array_append_new(after.policies, policy("p1", "Block mobile", "enabled", MOBILE, BLOCK));
    json_t *im = analyse(&before, &after);
    assert_int_equal(json_array_size(json_object_get(im, "rows")), 2);
    /* every persona but the excluded emergency account, on iOS and Android only; on the admin
     * portals legacy clients were blocked already (they cannot do the portals' MFA) */
    assert_string_equal(text(im, 0), "ordinary members and guest (b2b_collaboration_guest) · "
                                     "Office 365 and any other app · iOS and Android · any "
                                     "location: allow → blocked (\"Block mobile\" turned on)");
    assert_string_equal(text(im, 1), "ordinary members and guest (b2b_collaboration_guest) · "
                                     "Admin portals · iOS and Android · any location · modern "
                                     "clients: MFA → blocked (\"Block mobile\" turned on)");
    assert_string_equal(json_string_value(json_object_get(row(im, 0), "platform")),
                        "iOS and Android");
    json_decref(im);
}

static void test_deleted_policy_weaker_and_no_change(void **state)
{
    (void)state;
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(before.policies, policy("p1", "CA100: MFA", "enabled",
                                                  "{\"platforms\":{\"includePlatforms\":[\"all\"],"
                                                  "\"excludePlatforms\":[\"linux\"]}}",
                                                  MFA));
    json_t *im = analyse(&before, &after);
    /* both rows are newly allowed without MFA (legacy clients were blocked, as they cannot do
     * MFA): the larger row first */
    assert_int_equal(json_array_size(json_object_get(im, "rows")), 2);
    assert_string_equal(text(im, 0), "ordinary members and guest (b2b_collaboration_guest) · "
                                     "Office 365 and any other app · any platform but Linux · any "
                                     "location · modern clients: MFA → allow (CA100 deleted)");
    assert_string_equal(json_string_value(json_object_get(row(im, 0), "severity")), "unprotected");
    assert_int_equal(json_integer_value(json_object_get(row(im, 0), "scenarios")), 2 * 2 * 5 * 2);
    assert_string_equal(text(im, 1), "ordinary members and guest (b2b_collaboration_guest) · "
                                     "Office 365 and any other app · any platform but Linux · any "
                                     "location · legacy clients: blocked → allow (CA100 deleted)");
    json_decref(im);

    /* the same policies on both sides: no change */
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(before.policies, policy("p1", "CA100: MFA", "enabled", NULL, MFA));
    json_array_append_new(after.policies, policy("p1", "CA100: MFA", "enabled", NULL, MFA));
    im = analyse(&before, &after);
    assert_int_equal(json_integer_value(json_object_get(im, "changed")), 0);
    assert_int_equal(json_array_size(json_object_get(im, "rows")), 0);
    json_decref(im);
}

static void test_replacement_is_not_a_cause(void **state)
{
    (void)state;
    /* CA200 replaces "Old MFA" (same grant) and CA201 blocks at high sign-in risk: one row, at
     * high risk on modern clients (legacy ones were blocked already), naming CA201 alone */
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    json_array_append_new(before.policies, policy("p1", "Old MFA", "enabled", NULL, MFA));
    json_array_append_new(after.policies, policy("p2", "CA200: MFA", "enabled", NULL, MFA));
    json_array_append_new(after.policies, policy("p3", "CA201: risky", "enabled",
                                                 "{\"signInRiskLevels\":[\"high\"]}", BLOCK));
    json_t *im = analyse(&before, &after);
    assert_int_equal(json_array_size(json_object_get(im, "rows")), 1);
    assert_string_equal(json_string_value(json_object_get(row(im, 0), "risk")),
                        "sign-in risk high");
    assert_string_equal(text(im, 0), "ordinary members and guest (b2b_collaboration_guest) · any "
                                     "app · any platform · any location · modern clients · "
                                     "sign-in risk high: MFA → blocked (new CA201)");
    /* 7 risk levels now that a policy names one */
    assert_int_equal(json_integer_value(json_object_get(im, "scenarios")), 3 * 3 * 1 * 6 * 4 * 7);
    json_decref(im);
}

/* 80 policies, policy i for group g<i> but user u<i>; after the plan every third blocks and
 * every fifth (from the second) is gone. The 80 users (excluded where nobody is included), all
 * users and the guest are one class of 82 personas, across three words; each group a class of
 * its own. The changed scenarios and the rows' counts equal those of every scenario evaluated
 * one by one. */
static void test_many_values_few_classes(void **state)
{
    (void)state;
    struct whatif_inputs before, after;
    whatif_inputs_init(&before);
    whatif_inputs_init(&after);
    for (int i = 0; i < 80; i++) {
        char id[16], name[32], users[128];
        snprintf(id, sizeof(id), "p%d", i);
        snprintf(name, sizeof(name), "CA%03d: group %d", i, i);
        snprintf(users, sizeof(users),
                 "{\"users\":{\"includeGroups\":[\"g%d\"],\"excludeUsers\":[\"u%d\"]}}", i, i);
        json_array_append_new(before.policies, policy(id, name, "enabled", users, MFA));
        if (i % 5 != 1)
            json_array_append_new(after.policies,
                                  policy(id, name, "enabled", users, i % 3 == 0 ? BLOCK : MFA));
    }
    struct whatif_inputs both;
    whatif_inputs_init(&both);
    json_array_extend(both.policies, before.policies);
    json_array_extend(both.policies, after.policies);
    struct coverage_options co;
    memset(&co, 0, sizeof(co));
    co.emergency = emergency;
    co.name_of = name_of;
    struct coverage *c = coverage_axes(&both, &co);
    assert_int_equal(c->npersonas, 1 + 80 + 80 + 1);
    /* every scenario one by one (no policy names a risk: one risk level) */
    struct whatif_compiled *wc[2] = {whatif_compile(&before), whatif_compile(&after)};
    size_t scenarios;
    size_t changed = unit_changed_scenarios(c, wc, &scenarios);
    whatif_compiled_free(wc[0]);
    whatif_compiled_free(wc[1]);
    coverage_free(c);
    whatif_inputs_fini(&both);

    json_t *im = analyse(&before, &after);
    assert_int_equal(json_integer_value(json_object_get(im, "scenarios")), scenarios);
    assert_true(json_integer_value(json_object_get(im, "evaluated")) < (json_int_t)scenarios);
    assert_true(changed > 0);
    assert_int_equal(json_integer_value(json_object_get(im, "changed")), changed);
    size_t sum = 0, i;
    const json_t *r;
    json_array_foreach(json_object_get(im, "rows"), i, r)
    {
        sum += (size_t)json_integer_value(json_object_get(r, "scenarios"));
        /* a group of its own per row: its policy is the cause */
        const char *who = json_string_value(json_object_get(r, "who"));
        assert_true(who[0] == 'g' && !strchr(who, ','));
    }
    assert_int_equal(json_integer_value(json_object_get(im, "rowsLeftOut")), 0);
    assert_int_equal(sum, changed);
    json_decref(im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_along_one_dimension),
        cmocka_unit_test(test_merge_two_dimensions_product),
        cmocka_unit_test(test_merge_large_dimension),
        cmocka_unit_test(test_merge_unions_in_order),
        cmocka_unit_test(test_merge_classes_equal_values),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_budget_of_classes),
        cmocka_unit_test(test_new_policy_for_guests),
        cmocka_unit_test(test_report_only_turned_on_and_platforms),
        cmocka_unit_test(test_deleted_policy_weaker_and_no_change),
        cmocka_unit_test(test_replacement_is_not_a_cause),
        cmocka_unit_test(test_many_values_few_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
