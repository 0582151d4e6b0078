/* test_replay_read.c — the streaming splitter of replay_read.c: records of every accepted shape
 * come out whole and in order with their positions, whatever the strings hold (braces, quotes,
 * escapes, multi-byte characters) and wherever the 64 KiB read blocks split them; malformed
 * input is reported at its FILE:LINE:COL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/util.h"
#include "runtime/analysis/replay.h"

struct got {
    struct strbuf ids;
    unsigned long line[8], col[8];
    size_t n;
};

static int collect(const json_t *rec, unsigned long line, unsigned long col, void *ctx)
{
    struct got *g = ctx;
    const char *id = json_is_object(rec) ? json_string_value(json_object_get(rec, "id")) : "?";
    strbuf_addf(&g->ids, "%s;", id ? id : "-");
    if (g->n < 8) {
        g->line[g->n] = line;
        g->col[g->n] = col;
    }
    g->n++;
    return 0;
}

static int split(const char *text, struct got *g, char *err, size_t errlen)
{
    memset(g, 0, sizeof(*g));
    strbuf_init(&g->ids);
    FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(f);
    int rc = replay_stream(f, "log.json", collect, g, err, errlen);
    fclose(f);
    return rc;
}

static void test_lines(void **state)
{
    (void)state;
    struct got g;
    char err[256];
    assert_int_equal(split("{\"id\":\"a\",\"s\":\"}{\\\"\"}\n  {\"id\":\"b\",\"u\":\"é}\"}\n", &g,
                           err, sizeof(err)),
                     0);
    assert_string_equal(strbuf_str(&g.ids), "a;b;");
    assert_int_equal(g.line[1], 2);
    assert_int_equal(g.col[1], 3);
    strbuf_fini(&g.ids);
}

static void test_array_and_pages(void **state)
{
    (void)state;
    struct got g;
    char err[256];
    assert_int_equal(split("[{\"id\":\"a\"}, {\"id\":\"b\"}]", &g, err, sizeof(err)), 0);
    assert_string_equal(strbuf_str(&g.ids), "a;b;");
    strbuf_fini(&g.ids);
    assert_int_equal(split("{\"@odata.context\":\"x{\",\"value\":[{\"id\":\"a\"},{\"id\":\"b\"}],"
                           "\"@odata.nextLink\":\"n\"}\n{\"value\":[]}\n{\"value\":[{\"id\":"
                           "\"c\",\"value\":[1]}]}",
                           &g, err, sizeof(err)),
                     0);
    assert_string_equal(strbuf_str(&g.ids), "a;b;c;");
    strbuf_fini(&g.ids);
    /* an object whose "value" is not a list is a record */
    assert_int_equal(split("{\"id\":\"r\",\"value\":3}", &g, err, sizeof(err)), 0);
    assert_string_equal(strbuf_str(&g.ids), "r;");
    strbuf_fini(&g.ids);
}

static void test_block_boundaries(void **state)
{
    (void)state;
    /* records larger than the read block, and many of them */
    struct strbuf big = STRBUF_INIT;
    for (int i = 0; i < 40; i++) {
        strbuf_addf(&big, "{\"id\":\"r%d\",\"pad\":\"", i);
        for (int k = 0; k < 5000; k++)
            strbuf_adds(&big, k % 7 ? "x" : "\\\"");
        strbuf_adds(&big, "\"}\n");
    }
    struct got g;
    char err[256];
    assert_int_equal(split(strbuf_str(&big), &g, err, sizeof(err)), 0);
    assert_int_equal(g.n, 40);
    assert_non_null(strstr(strbuf_str(&g.ids), "r39;"));
    strbuf_fini(&g.ids);
    strbuf_fini(&big);
}

static void test_errors(void **state)
{
    (void)state;
    struct got g;
    char err[256];
    assert_int_equal(split("{\"id\":\"a\"}\n{\"id\": \"b\" \"c\"}\n", &g, err, sizeof(err)), -1);
    assert_string_equal(err, "log.json:2:12: expected ',' or '}' in an object, found '\"'");
    strbuf_fini(&g.ids);
    assert_int_equal(split("[{\"id\":\"a\"},\n {\"id\":\"b\"", &g, err, sizeof(err)), -1);
    assert_string_equal(err, "log.json:2:2: unexpected end of input inside this value");
    strbuf_fini(&g.ids);
    assert_int_equal(split("{\"id\":tru}", &g, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "log.json:1:"));
    strbuf_fini(&g.ids);
    assert_int_equal(split("nope", &g, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "log.json:1:1: expected a sign-in object"));
    strbuf_fini(&g.ids);
    assert_int_equal(split("[{\"id\":\"a\"} {\"id\":\"b\"}]", &g, err, sizeof(err)), -1);
    assert_string_equal(err,
                        "log.json:1:13: expected ',' or ']' in the list of sign-ins, found '{'");
    strbuf_fini(&g.ids);
}

static void test_since(void **state)
{
    (void)state;
    char out[40], err[200];
    assert_int_equal(replay_since("2026-11-01", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "2026-11-01T00:00:00Z");
    assert_int_equal(replay_since("2026-11-01T08:30:00Z", out, sizeof(out), err, sizeof(err)), 0);
    assert_string_equal(out, "2026-11-01T08:30:00Z");
    assert_int_equal(replay_since("7d", out, sizeof(out), err, sizeof(err)), 0);
    assert_int_equal(strlen(out), 20);
    assert_int_equal(replay_since("7w", out, sizeof(out), err, sizeof(err)), -1);
    assert_int_equal(replay_since("2026-13-01", out, sizeof(out), err, sizeof(err)), -1);
    assert_int_equal(replay_since("2026-11-01T8:00", out, sizeof(out), err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_array_and_pages),
        cmocka_unit_test(test_block_boundaries),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_since),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
