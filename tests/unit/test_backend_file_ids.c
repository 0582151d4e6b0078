/* test_backend_file_ids.c — the file backend's duplicate-id check (runtime/tenant/backend_file_ids.h)
 * against the check it replaces, a case-insensitive string map filled item by item that stops at
 * the first id met before: on odd ids (case variants, non-ASCII bytes, an empty id, prefixes of
 * one another, lengths around 8 bytes), on many random ids whose sort keys share their prefix,
 * and on several duplicates where the earliest second one is not of the earliest first one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/strmap.h"
#include "compiler/util.h"
#include "runtime/tenant/backend_file_ids.h"

/* The general path: the first index whose id an earlier one has (case-insensitive map). */
static bool oracle(const char *const *ids, size_t n, size_t *dup, size_t *first)
{
    struct strmap m;
    strmap_init(&m, true);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        size_t f = strmap_put_first(&m, ids[i], i);
        if (f != i) {
            *dup = i;
            *first = f;
            found = true;
        }
    }
    strmap_fini(&m);
    return found;
}

/* Both on the ids (item i starts at 10 * i + 3), compared. */
static void check_same(const char *const *ids, size_t n)
{
    struct backend_file_ids x;
    backend_file_ids_init(&x);
    for (size_t i = 0; i < n; i++) {
        const char *copy = backend_file_ids_add(&x, ids[i], strlen(ids[i]), 10 * i + 3);
        assert_string_equal(copy, ids[i]);
        assert_ptr_not_equal(copy, ids[i]);
    }
    size_t want_dup = 0, want_first = 0, start = 0, first = 0;
    const char *id = NULL;
    bool want = oracle(ids, n, &want_dup, &want_first);
    bool got = backend_file_ids_duplicate(&x, &start, &id, &first);
    if (want != got)
        fail_msg("%zu ids: a duplicate %s, the check says %s", n, want ? "exists" : "does not",
                 got ? "yes" : "no");
    if (want) {
        if (start != 10 * want_dup + 3 || first != 10 * want_first + 3)
            fail_msg("%zu ids: the duplicate is item %zu (first %zu), the check says the item at "
                     "%zu (first at %zu)",
                     n, want_dup, want_first, start, first);
        assert_string_equal(id, ids[want_dup]);
    }
    backend_file_ids_fini(&x);
}

static void test_odd_ids(void **state)
{
    (void)state;
    static const char *const none[] = {"a"};
    check_same(none, 0);
    check_same(none, 1);
    /* case variants: the same id */
    static const char *const c1[] = {"7a0d", "x", "7A0D"};
    check_same(c1, 3);
    static const char *const c2[] = {"AbCdEfGhIjKlMnOpQrStUvWxYz-0123456789",
                                     "abcdefghijklmnopqrstuvwxyz-0123456789"};
    check_same(c2, 2);
    /* not letters: '@' and '[' (next to 'A' and 'Z'), '`' and '{' (next to 'a' and 'z') */
    static const char *const c3[] = {"@[", "`{", "@{", "`[", "id@", "id`"};
    check_same(c3, 6);
    /* non-ASCII bytes are compared as they are (É is not é) */
    static const char *const c4[] = {"\xc3\x89lise", "\xc3\xa9lise", "\xc3\x89LISE"};
    check_same(c4, 3);
    static const char *const c4b[] = {"\xc3\x89lise", "\xc3\xa9lise", "\xc3\x89lisE"};
    check_same(c4b, 3);
    /* an empty id, twice */
    static const char *const c5[] = {"", "a", ""};
    check_same(c5, 3);
    /* prefixes of one another, around a word of 8 bytes */
    static const char *const c6[] = {"abcdefg", "abcdefgh", "abcdefghi", "ABCDEFGH", "abcdefgH"};
    check_same(c6, 3);
    check_same(c6, 4);
    check_same(c6, 5);
    /* several duplicates: the earliest second one (index 4, of "q") wins over the earliest
     * first one ("p", whose second is index 5) */
    static const char *const c7[] = {"p", "q", "r", "s", "Q", "P", "R"};
    check_same(c7, 7);
    /* one id many times */
    const char *same[300];
    for (size_t i = 0; i < 300; i++)
        same[i] = i % 2 ? "GUID" : "guid";
    check_same(same, 300);
}

/* Many random GUID-like ids (their sort keys share the 22-bit prefix often), each with a copy in
 * another case placed later, or none. */
static void test_random_ids(void **state)
{
    (void)state;
    unsigned long long seed = 42;
    for (size_t round = 0; round < 12; round++) {
        size_t n = round < 6 ? 40 + round * 7 : 30000 + round * 1000;
        char **ids = xcalloc(n, sizeof(*ids));
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            ids[i] = xasprintf("%08llx-%04llx-4%03llx-8aaa-%012llx", seed >> 32,
                               (seed >> 16) & 0xffff, seed & 0xfff, seed * 31 % 1000000007ULL);
        }
        check_same((const char *const *)ids, n);
        if (round % 2 == 0) {
            /* a duplicate (case changed) of an earlier item, late in the list */
            size_t a = n / 3 + round, b = n - 5;
            free(ids[b]);
            ids[b] = xstrdup(ids[a]);
            for (char *p = ids[b]; *p; p++)
                if (*p >= 'a' && *p <= 'f')
                    *p = (char)(*p - 'a' + 'A');
            check_same((const char *const *)ids, n);
            /* and an exact one before it */
            free(ids[b - 10]);
            ids[b - 10] = xstrdup(ids[7]);
            check_same((const char *const *)ids, n);
        }
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
    }
}

/* The hash folds ASCII capitals only, whatever their place in a word. */
static void test_hash_folds(void **state)
{
    (void)state;
    const char *lower = "abcdefghijklmnopqrstuvwxyz0123456789-@[`{";
    const char *upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-@[`{";
    for (size_t n = 0; n <= strlen(lower); n++)
        assert_true(backend_file_ids_hash(lower, n) == backend_file_ids_hash(upper, n));
    assert_true(backend_file_ids_hash("@", 1) != backend_file_ids_hash("`", 1));
    assert_true(backend_file_ids_hash("[", 1) != backend_file_ids_hash("{", 1));
    assert_true(backend_file_ids_hash("\xc3\x89", 2) != backend_file_ids_hash("\xc3\xa9", 2));
    assert_true(backend_file_ids_hash("a", 1) != backend_file_ids_hash("a\0", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd_ids),
        cmocka_unit_test(test_random_ids),
        cmocka_unit_test(test_hash_folds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
