/* test_print.c — the canonical printer (generated trees, idempotence on random inputs) and the
 * unified diff used by `idpc fmt --diff`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/ast.h"
#include "compiler/diag.h"
#include "compiler/print.h"

/* ---- helpers ---- */

/* Parses `text` and prints it; returns the printed text (caller frees) or NULL on errors. */
static char *fmt_text(const char *text, size_t len)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t src = diag_add_source(diag, "t.idp", copy, len);
    struct ast_file *f = ast_parse_source(cfg, diag, src);
    char *res = NULL;
    if (diag_error_count(diag) == 0) {
        struct strbuf sb = STRBUF_INIT;
        print_file(f, &sb);
        res = xstrdup(strbuf_str(&sb));
        strbuf_fini(&sb);
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return res;
}

static void expect_fmt(const char *in, const char *want)
{
    char *got = fmt_text(in, strlen(in));
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("formatted:\n[%s]\nwanted:\n[%s]", got, want);
    char *again = fmt_text(got, strlen(got));
    assert_non_null(again);
    assert_string_equal(again, got);
    free(again);
    free(got);
}

static struct ast_atom mk(enum ast_atom_kind k, const char *text, long long num)
{
    struct ast_atom a;
    memset(&a, 0, sizeof(a));
    a.kind = k;
    a.text = text;
    a.len = text ? strlen(text) : 0;
    a.num = num;
    return a;
}

static struct ast_stmt *mkstmt(struct arena *ar, const struct ast_atom *atoms, size_t n)
{
    struct ast_stmt *s = arena_alloc(ar, sizeof(*s));
    s->atoms = arena_alloc(ar, n * sizeof(*atoms));
    memcpy(s->atoms, atoms, n * sizeof(*atoms));
    s->natoms = n;
    return s;
}

static struct ast_comment *mkcomment(struct arena *ar, const char *text)
{
    struct ast_comment *c = arena_alloc(ar, sizeof(*c));
    c->text = text;
    return c;
}

/* ---- the layout ---- */

static void test_basic_layout(void **state)
{
    (void)state;
    expect_fmt("a   x ,y=z+ w\n", "a x, y = z + w\n");
    expect_fmt("p \"n\" {\nb 1\n\t\tc { d }\n}\n", "p \"n\" {\n  b 1\n  c {\n    d\n  }\n}\n");
    expect_fmt("p {}\n", "p {\n}\n");
    expect_fmt("", "");
    expect_fmt("\n\n\n", "");
    expect_fmt("a 1", "a 1\n");
}

static void test_blank_lines(void **state)
{
    (void)state;
    /* blank lines kept (one at most), except at the start, end and inside braces */
    expect_fmt("\n\na 1\n\n\n\nb 2\nc 3\n\n", "a 1\n\nb 2\nc 3\n");
    expect_fmt("p {\n\n  a 1\n\n\n  b 2\n\n}\n", "p {\n  a 1\n\n  b 2\n}\n");
    /* top-level blocks get exactly one blank line around them */
    expect_fmt("a 1\np {\n}\nq {\n}\nb 2\n", "a 1\n\np {\n}\n\nq {\n}\n\nb 2\n");
    /* ... but nested blocks do not */
    expect_fmt("p {\n  q {\n  }\n  r {\n  }\n}\n", "p {\n  q {\n  }\n  r {\n  }\n}\n");
}

static void test_comments(void **state)
{
    (void)state;
    expect_fmt("# h\n\n\na 1    # t\n", "# h\n\na 1 # t\n");
    expect_fmt("p { # brace\n  a 1\n  # closing\n\n}   # after\n# end\n",
               "p { # brace\n  a 1\n  # closing\n} # after\n# end\n");
    expect_fmt("p {\n# inside\n}\n", "p {\n  # inside\n}\n");
    /* a comment inside a statement forces a break after the atom it follows */
    expect_fmt("d = # why\n  1\n", "d = # why\n    1\n");
    expect_fmt("d = a,\n  # own line\n  b\n", "d = a, # own line\n    b\n");
    expect_fmt("p {\n  d a, # x\n  # y\n  b\n}\n", "p {\n  d a, # x\n      # y\n      b\n}\n");
}

static void test_long_lines(void **state)
{
    (void)state;
    char in[512], want[512], a[200];
    /* 100 columns: kept ("d \"" + 93 + "\", x" = 100) */
    memset(a, 'a', sizeof(a));
    snprintf(in, sizeof(in), "d \"%.*s\", x\n", 93, a);
    assert_int_equal(strlen(in), 101); /* 100 columns and the newline */
    expect_fmt(in, in);
    /* 101 columns: one item per line */
    snprintf(in, sizeof(in), "d \"%.*s\", x, y\n", 91, a);
    assert_int_equal(strlen(in), 102);
    snprintf(want, sizeof(want), "d \"%.*s\",\n    x,\n    y\n", 91, a);
    expect_fmt(in, want);
    /* display width, not bytes: 50 two-byte characters are 50 columns */
    char e[200];
    for (int i = 0; i < 46; i++)
        memcpy(e + 2 * i, "\xc3\xa9", 2);
    e[92] = '\0';
    snprintf(in, sizeof(in), "d \"%s\", \"%.*s\"\n", e, 46, a);
    assert_int_equal(strlen(in), 147);
    expect_fmt(in, in); /* 3 + 46 + 4 + 46 + 1 = 100 columns in 146 bytes */
    /* no commas: a long line stays whole */
    snprintf(in, sizeof(in), "d \"%.*s\"\n", 150, a);
    expect_fmt(in, in);
    /* a continued list that fits is joined */
    expect_fmt("d a,\n      b,\n  c\n", "d a, b, c\n");
}

static void test_atoms(void **state)
{
    (void)state;
    expect_fmt("s \"a\\\"b\\\\c\\nd\\te\\rf\\u{1}\\u{7f}\\u{41}\\u{e9}\"\n",
               "s \"a\\\"b\\\\c\\nd\\te\\rf\\u{1}\\u{7F}A\xc3\xa9\"\n");
    expect_fmt("n 007 0004h $v\n", "n 7 4h $v\n");
}

static void test_generated_tree(void **state)
{
    (void)state;
    struct arena *ar = arena_new();
    struct ast_file f;
    memset(&f, 0, sizeof(f));
    struct ast_atom a1[] = {mk(AST_WORD, "define", 0), mk(AST_WORD, "x", 0),
                            mk(AST_EQUALS, "=", 0),    mk(AST_STRING, "tab\there \"q\"", 0),
                            mk(AST_COMMA, ",", 0),     mk(AST_DURATION, "h", 12),
                            mk(AST_COMMA, ",", 0),     mk(AST_NUMBER, NULL, 3),
                            mk(AST_PLUS, "+", 0),      mk(AST_VAR, "v", 0)};
    struct ast_stmt *s1 = mkstmt(ar, a1, IDPC_ARRAY_LEN(a1));
    s1->leading = mkcomment(ar, "# generated");
    s1->trailing = mkcomment(ar, "# end of line");
    struct ast_atom a2[] = {mk(AST_WORD, "policy", 0), mk(AST_STRING, "P", 0)};
    struct ast_stmt *s2 = mkstmt(ar, a2, 2);
    s2->has_block = true;
    struct ast_atom a3[] = {mk(AST_WORD, "state", 0), mk(AST_WORD, "on", 0)};
    struct ast_stmt *s3 = mkstmt(ar, a3, 2);
    struct ast_atom a4[] = {mk(AST_WORD, "users", 0), mk(AST_WORD, "exclude", 0)};
    struct ast_stmt *s4 = mkstmt(ar, a4, 2);
    s4->from_template = true; /* never printed */
    s3->blank_before = true;  /* right after '{': ignored */
    s3->next = s4;
    s2->body = s3;
    s2->closing = mkcomment(ar, "# closing");
    s1->next = s2;
    f.stmts = s1;
    f.closing = mkcomment(ar, "# bye");
    struct strbuf sb = STRBUF_INIT;
    print_file(&f, &sb);
    assert_string_equal(strbuf_str(&sb),
                        "# generated\n"
                        "define x = \"tab\\there \\\"q\\\"\", 12h, 3 + $v # end of "
                        "line\n"
                        "\n"
                        "policy \"P\" {\n"
                        "  state on\n"
                        "  # closing\n"
                        "}\n"
                        "# bye\n");
    /* and the generated text parses back to the same text */
    char *again = fmt_text(strbuf_str(&sb), sb.len);
    assert_non_null(again);
    assert_string_equal(again, strbuf_str(&sb));
    free(again);
    strbuf_fini(&sb);
    arena_free(ar);
}

/* ---- idempotence on random inputs ---- */

static unsigned long rng_state = 12345;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static void gen_ws(struct strbuf *sb)
{
    static const char *ws[] = {" ", " ", "  ", "\t", " \t "};
    strbuf_adds(sb, ws[rnd(IDPC_ARRAY_LEN(ws))]);
}

static void gen_value(struct strbuf *sb)
{
    static const char *vals[] = {
        "word",  "\"str\"", "\"é 日 \\\" \\n\"",
        "42",    "007",     "4h",
        "$var",  "x-y_z",   "\"\"",
        "\"#\"", "10min",   "\"a very long string value that takes up a lot of room\""};
    strbuf_adds(sb, vals[rnd(IDPC_ARRAY_LEN(vals))]);
}

static void gen_comment(struct strbuf *sb)
{
    static const char *cs[] = {"# c", "#", "# a longer comment, with punctuation = + { }", "#x  "};
    strbuf_adds(sb, cs[rnd(IDPC_ARRAY_LEN(cs))]);
}

static void gen_nl(struct strbuf *sb)
{
    unsigned r = rnd(10);
    if (r == 0)
        strbuf_adds(sb, "\n\n");
    else if (r == 1)
        strbuf_adds(sb, "\r\n");
    else if (r == 2) {
        strbuf_adds(sb, "\n");
        gen_ws(sb);
        gen_comment(sb);
        strbuf_adds(sb, "\n");
    } else
        strbuf_adds(sb, "\n");
}

static void gen_stmts(struct strbuf *sb, int depth, int n);

static void gen_stmt(struct strbuf *sb, int depth)
{
    for (int i = 0; i < depth; i++)
        gen_ws(sb);
    if (rnd(4) == 0) {
        gen_comment(sb);
        gen_nl(sb);
    }
    static const char *kw[] = {"define", "users", "policy", "a", "location"};
    strbuf_adds(sb, kw[rnd(IDPC_ARRAY_LEN(kw))]);
    unsigned nargs = rnd(8);
    for (unsigned i = 0; i < nargs; i++) {
        gen_ws(sb);
        gen_value(sb);
        if (i + 1 < nargs && rnd(3) == 0) {
            static const char *sep[] = {",", "=", "+", " ,"};
            strbuf_adds(sb, sep[rnd(IDPC_ARRAY_LEN(sep))]);
            if (rnd(3) == 0) { /* continue on the next line, maybe after a comment */
                if (rnd(2)) {
                    gen_ws(sb);
                    gen_comment(sb);
                }
                strbuf_adds(sb, rnd(2) ? "\n" : "\n\n");
                gen_ws(sb);
            }
        }
    }
    if (depth < 3 && rnd(4) == 0) {
        strbuf_adds(sb, " {");
        if (rnd(3) == 0) {
            gen_ws(sb);
            gen_comment(sb);
        }
        gen_nl(sb);
        gen_stmts(sb, depth + 1, (int)rnd(4));
        if (rnd(4) == 0) {
            gen_comment(sb);
            gen_nl(sb);
        }
        strbuf_adds(sb, "}");
    }
    if (rnd(4) == 0) {
        gen_ws(sb);
        gen_comment(sb);
    }
    gen_nl(sb);
}

static void gen_stmts(struct strbuf *sb, int depth, int n)
{
    for (int i = 0; i < n; i++)
        gen_stmt(sb, depth);
}

static void test_idempotent_random(void **state)
{
    (void)state;
    int checked = 0;
    for (int iter = 0; iter < 3000; iter++) {
        struct strbuf sb = STRBUF_INIT;
        gen_stmts(&sb, 0, 1 + (int)rnd(6));
        if (rnd(4) == 0) {
            gen_comment(&sb);
            if (rnd(2))
                strbuf_adds(&sb, "\n");
        }
        char *once = fmt_text(strbuf_str(&sb), sb.len);
        if (once) {
            checked++;
            char *twice = fmt_text(once, strlen(once));
            if (!twice)
                fail_msg("the output does not parse:\n%s\ninput:\n%s", once, strbuf_str(&sb));
            if (strcmp(once, twice) != 0)
                fail_msg("not idempotent:\ninput:\n%s\nonce:\n%s\ntwice:\n%s", strbuf_str(&sb),
                         once, twice);
            /* no trailing whitespace, no blank line at the end, one final newline */
            size_t n = strlen(once);
            if (n > 0) {
                assert_true(once[n - 1] == '\n');
                assert_true(n < 2 || once[n - 2] != '\n');
            }
            assert_null(strstr(once, " \n"));
            assert_null(strstr(once, "\r"));
            assert_null(strstr(once, "{\n\n"));
            assert_null(strstr(once, "\n\n\n"));
            free(twice);
        }
        free(once);
        strbuf_fini(&sb);
    }
    /* most generated inputs are valid; the check must not pass vacuously */
    assert_true(checked > 1000);
}

/* ---- diff ---- */

static char *diff(const char *a, const char *b)
{
    struct strbuf sb = STRBUF_INIT;
    print_diff("a", a, strlen(a), "b", b, strlen(b), &sb);
    return strbuf_detach(&sb);
}

static void expect_diff(const char *a, const char *b, const char *want)
{
    char *got = diff(a, b);
    if (strcmp(got ? got : "", want) != 0)
        fail_msg("diff:\n%s\nwanted:\n%s", got ? got : "", want);
    free(got);
}

static void test_diff_known(void **state)
{
    (void)state;
    expect_diff("same\n", "same\n", "");
    expect_diff("a\n", "b\n", "--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n");
    expect_diff("", "x\n", "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
    expect_diff("x\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n");
    expect_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
                "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    expect_diff("x", "x\n", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n");
    /* two changes far apart make two hunks */
    expect_diff("a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n",
                "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n"
                " 8\n-b\n+B\n");
    /* changes close together share a hunk */
    expect_diff("a\n1\n2\n3\n4\nb\n", "A\n1\n2\n3\n4\nB\n",
                "--- a\n+++ b\n@@ -1,6 +1,6 @@\n-a\n+A\n 1\n 2\n 3\n 4\n-b\n+B\n");
}

/* Applies a unified diff produced by print_diff to `a`; returns the result (caller frees). */
static char *apply(const char *a, const char *patch)
{
    /* split a into lines */
    const char *lines[512];
    size_t lens[512];
    size_t n = 0;
    for (const char *p = a; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
        lines[n] = p;
        lens[n++] = l;
        p += l;
    }
    struct strbuf out = STRBUF_INIT;
    size_t ai = 0; /* next line of a to copy */
    const char *p = strstr(patch, "@@");
    while (p && strncmp(p, "@@ -", 4) == 0) {
        unsigned long start = strtoul(p + 4, NULL, 10);
        const char *comma = strchr(p + 4, ',');
        const char *space = strchr(p + 4, ' ');
        unsigned long count = comma && comma < space ? strtoul(comma + 1, NULL, 10) : 1;
        size_t first = count == 0 ? start : start - 1; /* 0-based first line of the hunk */
        while (ai < first)
            strbuf_add(&out, lines[ai], lens[ai]), ai++;
        p = strchr(p, '\n') + 1;
        while (*p && *p != '@') {
            const char *e = strchr(p, '\n');
            size_t l = (size_t)(e - p);
            bool no_nl = strncmp(e + 1, "\\ No newline", 12) == 0;
            if (*p == ' ' || *p == '-')
                ai++;
            if (*p == ' ' || *p == '+') {
                strbuf_add(&out, p + 1, l - 1);
                if (!no_nl)
                    strbuf_addc(&out, '\n');
            }
            p = e + 1;
            if (no_nl)
                p = strchr(p, '\n') + 1;
        }
    }
    while (ai < n)
        strbuf_add(&out, lines[ai], lens[ai]), ai++;
    char *res = strbuf_detach(&out);
    return res ? res : xstrdup("");
}

static void gen_lines(struct strbuf *sb, unsigned n)
{
    static const char *ls[] = {"a\n", "b\n", "c\n", "d\n", "a\n", "{\n", "}\n", "\n"};
    for (unsigned i = 0; i < n; i++)
        strbuf_adds(sb, ls[rnd(IDPC_ARRAY_LEN(ls))]);
    if (rnd(5) == 0)
        strbuf_adds(sb, "end");
}

static void test_diff_applies(void **state)
{
    (void)state;
    for (int iter = 0; iter < 2000; iter++) {
        struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
        gen_lines(&a, rnd(40));
        if (rnd(2)) {
            /* b is a with a few random edits */
            const char *s = strbuf_str(&a);
            for (const char *p = s; *p;) {
                const char *e = strchr(p, '\n');
                size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
                unsigned r = rnd(10);
                if (r == 0)
                    strbuf_adds(&b, "new\n");
                if (r != 1)
                    strbuf_add(&b, p, l);
                p += l;
            }
        } else {
            gen_lines(&b, rnd(40));
        }
        char *d = diff(strbuf_str(&a), strbuf_str(&b));
        char *res = apply(strbuf_str(&a), d ? d : "");
        if (strcmp(res, strbuf_str(&b)) != 0)
            fail_msg("patch does not apply:\na:\n%s\nb:\n%s\ndiff:\n%s\nresult:\n%s",
                     strbuf_str(&a), strbuf_str(&b), d ? d : "", res);
        free(res);
        free(d);
        strbuf_fini(&a);
        strbuf_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_layout),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_atoms),
        cmocka_unit_test(test_generated_tree),
        cmocka_unit_test(test_idempotent_random),
        cmocka_unit_test(test_diff_known),
        cmocka_unit_test(test_diff_applies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
