/* test_suggest.c — edit distance and did-you-mean selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compiler/suggest.h"
#include "compiler/util.h"

#include <string.h>

static void test_distance_basics(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("", ""), 0);
    assert_int_equal(suggest_distance("abc", ""), 3);
    assert_int_equal(suggest_distance("", "abcd"), 4);
    assert_int_equal(suggest_distance("mfa", "mfa"), 0);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
    assert_int_equal(suggest_distance("flaw", "lawn"), 2);
    assert_int_equal(suggest_distance("mfaa", "mfa"), 1);
    assert_int_equal(suggest_distance("report-only", "report_only"), 1);
}

static void test_distance_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("MFA", "mfa"), 0);
    assert_int_equal(suggest_distance("Global Administrator", "global administrator"), 0);
    assert_int_equal(suggest_distance("Block", "blok"), 1);
}

static void test_distance_transposition(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("ab", "ba"), 1);
    assert_int_equal(suggest_distance("acbd", "abcd"), 1);
    assert_int_equal(suggest_distance("Administartor", "Administrator"), 1);
    /* Optimal string alignment: no substring is edited twice, so "ca" -> "abc" costs 3
     * (unrestricted Damerau-Levenshtein would say 2). */
    assert_int_equal(suggest_distance("ca", "abc"), 3);
}

static void test_distance_symmetric(void **state)
{
    (void)state;
    static const char *const words[] = {
        "",   "a", "mfa", "block", "compliant_device", "domainJoinedDevice", "report_only",
        "ab", "ba"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(words); i++)
        for (size_t j = 0; j < IDPC_ARRAY_LEN(words); j++)
            assert_int_equal(suggest_distance(words[i], words[j]),
                             suggest_distance(words[j], words[i]));
}

static void test_limit(void **state)
{
    (void)state;
    assert_int_equal(suggest_limit(""), 1);
    assert_int_equal(suggest_limit("mfa"), 1);
    assert_int_equal(suggest_limit("mfaa"), 1);
    assert_int_equal(suggest_limit("abcdef"), 2);
    assert_int_equal(suggest_limit("mfa_required"), 4);
}

static const char *const grants[] = {"block",
                                     "mfa",
                                     "compliant_device",
                                     "hybrid_joined",
                                     "approved_app",
                                     "app_protection",
                                     "password_change",
                                     "risk_remediation"};

static void test_best(void **state)
{
    (void)state;
    size_t n = IDPC_ARRAY_LEN(grants);
    assert_string_equal(suggest_best("mfaa", grants, n), "mfa");
    assert_string_equal(suggest_best("blcok", grants, n), "block");
    assert_string_equal(suggest_best("compliant-device", grants, n), "compliant_device");
    assert_string_equal(suggest_best("aproved_app", grants, n), "approved_app");
    assert_null(suggest_best("mfa_required", grants, n));
    assert_null(suggest_best("quarantine", grants, n));
    assert_null(suggest_best("", grants, n));
}

static void test_best_case_only(void **state)
{
    (void)state;
    static const char *const c[] = {"report_only", "on", "off"};
    assert_string_equal(suggest_best("REPORT_ONLY", c, 3), "report_only");
    assert_string_equal(suggest_best("On", c, 3), "on");
    assert_string_equal(suggest_best("report-only", c, 3), "report_only");
}

static void test_best_no_full_rewrite(void **state)
{
    (void)state;
    static const char *const c[] = {"y", "ab"};
    /* "x" -> "y" is within the limit of 1 but replaces the whole word. */
    assert_null(suggest_best("x", c, 2));
    assert_string_equal(suggest_best("a", c, 2), "ab");
}

static void test_best_ties_and_nulls(void **state)
{
    (void)state;
    static const char *const c[] = {NULL, "cat", "car", NULL};
    assert_string_equal(suggest_best("cax", c, 4), "cat");
    assert_null(suggest_best("cax", c, 0));
    static const char *const d[] = {"abcdefgh", "abcdefg"};
    assert_string_equal(suggest_best("abcdefgx", d, 2), "abcdefgh");
    assert_string_equal(suggest_best("abcdefx", d, 2), "abcdefg");
}

static void test_iterator_report(void **state)
{
    (void)state;
    struct suggest s;
    suggest_init(&s, "Azure Managment");
    suggest_add_as(&s, "Windows Azure Service Management API", "canonical-a");
    suggest_add_as(&s, "Azure Management", "canonical-b");
    suggest_add(&s, "Azure Portal");
    assert_string_equal(suggest_result(&s), "canonical-b");
    assert_int_equal(s.best_distance, 1);

    suggest_init(&s, "nothing close");
    suggest_add(&s, "x");
    assert_null(suggest_result(&s));
}

static void test_long_strings(void **state)
{
    (void)state;
    char a[301], b[301];
    memset(a, 'a', 300);
    memset(b, 'a', 300);
    a[300] = b[300] = '\0';
    b[150] = 'b';
    assert_int_equal(suggest_distance(a, b), 1);
    assert_int_equal(suggest_distance(a, ""), 300);
}

/* The bounded distance is the exact one when that is <= max, else max + 1. */
static void test_within_examples(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance_within("kitten", "sitting", 3), 3);
    assert_int_equal(suggest_distance_within("kitten", "sitting", 2), 3);
    assert_int_equal(suggest_distance_within("kitten", "sitting", 0), 1);
    assert_int_equal(suggest_distance_within("MFA", "mfa", 0), 0);
    assert_int_equal(suggest_distance_within("mfa", "afm", 5), 2);
    assert_int_equal(suggest_distance_within("ab", "ba", 1), 1); /* a transposition */
    assert_int_equal(suggest_distance_within("abc", "", 2), 3);  /* length difference */
    assert_int_equal(suggest_distance_within("", "abc", 3), 3);
    assert_int_equal(suggest_distance_within("", "", 0), 0);
    assert_int_equal(suggest_distance_within("abcdef", "ghijkl", 2), 3); /* stops early */
    assert_int_equal(suggest_distance_within("a", "b", (size_t)-1), 1);  /* no overflow */
}

/* Against the full matrix on pseudo-random strings over a small alphabet (so that matches,
 * transpositions and near misses are common), short ones and ones longer than the stack rows. */
static void test_within_matches_full(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    char a[100], b[100];
    for (int round = 0; round < 4000; round++) {
        size_t la, lb;
        seed = seed * 1103515245u + 12345u;
        la = (seed >> 16) % (round % 10 == 0 ? 90 : 12);
        seed = seed * 1103515245u + 12345u;
        lb = (seed >> 16) % 3 == 0 ? la : (seed >> 18) % (round % 10 == 0 ? 90 : 12);
        for (size_t i = 0; i < la; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = "abcAB"[(seed >> 16) % 5];
        }
        memcpy(b, a, la < lb ? la : lb);
        for (size_t i = 0; i < lb; i++) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 4 == 0 || i >= la)
                b[i] = "abcba"[(seed >> 20) % 5];
        }
        a[la] = b[lb] = '\0';
        size_t full = suggest_distance(a, b);
        for (size_t max = 0; max <= 6; max++) {
            size_t want = full <= max ? full : max + 1;
            size_t got = suggest_distance_within(a, b, max);
            if (got != want)
                fail_msg("within(\"%s\", \"%s\", %zu) = %zu, want %zu", a, b, max, got, want);
        }
        assert_int_equal(suggest_distance_within(a, b, full), full);
        assert_int_equal(suggest_distance_within(a, b, 200), full);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_basics),
        cmocka_unit_test(test_distance_case_insensitive),
        cmocka_unit_test(test_distance_transposition),
        cmocka_unit_test(test_distance_symmetric),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_best),
        cmocka_unit_test(test_best_case_only),
        cmocka_unit_test(test_best_no_full_rewrite),
        cmocka_unit_test(test_best_ties_and_nulls),
        cmocka_unit_test(test_iterator_report),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_within_examples),
        cmocka_unit_test(test_within_matches_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
