/* test_plan_fast.c — the plan's fast paths against the general ones they stand for, on odd
 * inputs: the tenant maps' word-at-a-time hash that folds ASCII case (tenant_map.c) against a byte
 * by byte comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/tenant/tenant.h"
#include "runtime/tenant/tenant_map.h"

/* ---- tenant_map: keys equal ignoring ASCII case hash alike ---- */

static unsigned char ref_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Every byte at every place of an 8-byte word and of the tail after it, against every byte: a
 * key is found when, and only when, the bytes are equal as ref_fold() folds them (nocase), or
 * equal (exact). A fold that misses a capital (or folds a byte it must not, and compares so)
 * fails here. */
static void test_map_fold(void **state)
{
    (void)state;
    const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 36};
    for (size_t li = 0; li < IDPC_ARRAY_LEN(lens); li++) {
        size_t len = lens[li];
        for (size_t at = 0; at < len; at += (len > 9 ? 3 : 1)) {
            for (int nocase = 0; nocase < 2; nocase++) {
                struct tenant_obj *v = xcalloc(256, sizeof(*v));
                struct tenant_map m;
                tenant_map_init(&m, TENANT_MAP_ID, nocase);
                for (int b = 1; b < 256; b++) {
                    v[b].id = xcalloc(len + 1, 1);
                    for (size_t j = 0; j < len; j++)
                        v[b].id[j] = (char)('a' + (j % 26));
                    v[b].id[at] = (char)b;
                    size_t first = tenant_map_put_first(&m, v, (size_t)b);
                    /* the first byte that folds to the same one */
                    int want = b;
                    for (int c = 1; c < b; c++)
                        if (nocase ? ref_fold((unsigned char)c) == ref_fold((unsigned char)b)
                                   : c == b) {
                            want = c;
                            break;
                        }
                    assert_int_equal(first, (size_t)want);
                }
                char *key = xcalloc(len + 1, 1);
                memcpy(key, v[1].id, len);
                for (int q = 1; q < 256; q++) {
                    key[at] = (char)q;
                    size_t got = tenant_map_get(&m, v, key);
                    assert_true(got != TENANT_NONE);
                    assert_true(got < 256);
                    assert_int_equal(nocase ? ref_fold((unsigned char)v[got].id[at])
                                            : (unsigned char)v[got].id[at],
                                     nocase ? ref_fold((unsigned char)q) : (unsigned char)q);
                }
                /* a key one byte shorter or longer is another key */
                key[len - 1] = '\0';
                if (len > 1)
                    assert_int_equal(tenant_map_get(&m, v, key), TENANT_NONE);
                free(key);
                tenant_map_fini(&m);
                for (int b = 1; b < 256; b++)
                    free(v[b].id);
                free(v);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
