/* test_lexer.c — the .idp scanner and parser through ast_parse_source: atoms and their byte
 * offsets, escapes, line endings, comments and their attachment, line continuation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/ast.h"
#include "compiler/diag.h"

struct fix {
    struct diag_ctx *diag;
    struct ast_config *cfg;
    struct ast_file *file;
};

static struct ast_file *parse_n(struct fix *x, const char *text, size_t len)
{
    x->diag = diag_ctx_new();
    x->cfg = ast_config_new();
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t src = diag_add_source(x->diag, "t.idp", copy, len);
    x->file = ast_parse_source(x->cfg, x->diag, src);
    return x->file;
}

static struct ast_file *parse(struct fix *x, const char *text)
{
    return parse_n(x, text, strlen(text));
}

static void done(struct fix *x)
{
    ast_config_free(x->cfg);
    diag_ctx_free(x->diag);
}

static size_t count_stmts(const struct ast_stmt *s)
{
    size_t n = 0;
    for (; s; s = s->next)
        n++;
    return n;
}

static size_t count_comments(const struct ast_comment *c)
{
    size_t n = 0;
    for (; c; c = c->next)
        n++;
    return n;
}

static void expect_atom(const struct ast_atom *a, enum ast_atom_kind kind, const char *text,
                        uint32_t start, uint32_t end)
{
    assert_int_equal(a->kind, kind);
    if (text)
        assert_string_equal(a->text, text);
    assert_int_equal(a->loc.start, start);
    assert_int_equal(a->loc.end, end);
}

static void test_every_atom_kind(void **state)
{
    (void)state;
    struct fix x;
    /*                   0         1         2         3         4
     *                   0123456789012345678901234567890123456789012345 */
    const char *text = "define a = \"x y\", 42, 4h, $var + b-c_2\n";
    struct ast_file *f = parse(&x, text);
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_non_null(f->stmts);
    const struct ast_stmt *s = f->stmts;
    assert_int_equal(s->natoms, 12);
    expect_atom(&s->atoms[0], AST_WORD, "define", 0, 6);
    expect_atom(&s->atoms[1], AST_WORD, "a", 7, 8);
    expect_atom(&s->atoms[2], AST_EQUALS, "=", 9, 10);
    expect_atom(&s->atoms[3], AST_STRING, "x y", 11, 16);
    assert_int_equal(s->atoms[3].len, 3);
    expect_atom(&s->atoms[4], AST_COMMA, ",", 16, 17);
    expect_atom(&s->atoms[5], AST_NUMBER, "42", 18, 20);
    assert_int_equal(s->atoms[5].num, 42);
    expect_atom(&s->atoms[6], AST_COMMA, ",", 20, 21);
    expect_atom(&s->atoms[7], AST_DURATION, "h", 22, 24);
    assert_int_equal(s->atoms[7].num, 4);
    expect_atom(&s->atoms[8], AST_COMMA, ",", 24, 25);
    expect_atom(&s->atoms[9], AST_VAR, "var", 26, 30);
    expect_atom(&s->atoms[10], AST_PLUS, "+", 31, 32);
    expect_atom(&s->atoms[11], AST_WORD, "b-c_2", 33, 38);
    assert_int_equal(s->loc.start, 0);
    assert_int_equal(s->loc.end, 38);
    assert_false(s->has_block);
    done(&x);
}

static void test_duration_units_and_numbers(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "d 7d 90min 007 0\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    const struct ast_stmt *s = f->stmts;
    assert_int_equal(s->natoms, 5);
    assert_int_equal(s->atoms[1].kind, AST_DURATION);
    assert_int_equal(s->atoms[1].num, 7);
    assert_string_equal(s->atoms[1].text, "d");
    assert_int_equal(s->atoms[2].num, 90);
    assert_string_equal(s->atoms[2].text, "min");
    assert_int_equal(s->atoms[3].kind, AST_NUMBER);
    assert_int_equal(s->atoms[3].num, 7);
    assert_int_equal(s->atoms[4].num, 0);
    done(&x);
}

static void test_number_too_large(void **state)
{
    (void)state;
    struct fix x;
    parse(&x, "d 1000000001\n");
    assert_int_equal(diag_error_count(x.diag), 1);
    const struct diag *d = diag_at(x.diag, 0);
    assert_int_equal(d->loc.start, 2);
    assert_int_equal(d->loc.end, 12);
    done(&x);
    parse(&x, "d 1000000000\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(x.file->stmts->atoms[1].num, 1000000000);
    done(&x);
}

static void test_escapes_decoded(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f =
        parse(&x, "s \"q\\\" b\\\\ n\\n t\\t r\\r u\\u{41}\\u{e9}\\u{1F600} raw \xc3\xa9\"\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    const struct ast_atom *a = &f->stmts->atoms[1];
    const char want[] = "q\" b\\ n\n t\t r\r uA\xc3\xa9\xf0\x9f\x98\x80 raw \xc3\xa9";
    assert_int_equal(a->len, sizeof(want) - 1);
    assert_memory_equal(a->text, want, sizeof(want) - 1);
    /* the atom spans the source text, quotes included */
    assert_int_equal(a->loc.start, 2);
    assert_int_equal(x.diag != NULL, 1);
    /* decoded byte 1 ('"', from \") starts at source offset 4; 'A' from \u{41} at its backslash */
    assert_int_equal(ast_string_src_offset(x.diag, a, 0), 3);
    assert_int_equal(ast_string_src_offset(x.diag, a, 1), 4);
    size_t iA = (size_t)(strchr(want, 'A') - want);
    const char *src = diag_source(x.diag, 0)->text;
    assert_int_equal(ast_string_src_offset(x.diag, a, iA), (size_t)(strstr(src, "\\u{41}") - src));
    done(&x);
}

static void test_escape_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "s \"\\x\"\n",      "s \"\\u{110000}\"\n", "s \"\\u{D800}\"\n", "s \"\\u{0}\"\n",
        "s \"\\u41\"\n",    "s \"\\u{}\"\n",       "s \"a\x01\"\n",     "s \"caf\xe9\"\n",
        "s \"\xc0\xaf\"\n", "s \"open\n",          "s \"open",
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(bad); i++) {
        struct fix x;
        parse(&x, bad[i]);
        if (diag_error_count(x.diag) != 1)
            fail_msg("input %zu (%s): %u errors, want 1", i, bad[i], diag_error_count(x.diag));
        /* the string still becomes an atom, so the statement is kept */
        assert_non_null(x.file->stmts);
        assert_int_equal(x.file->stmts->natoms, 2);
        assert_int_equal(x.file->stmts->atoms[1].kind, AST_STRING);
        done(&x);
    }
}

/* A malformed '\u' escape is reported on its two bytes, and the digits and braces after it are
 * the string's text (the scanner matches them with it and gives them back); a string that is
 * not plain gives back all but its quote. Offsets: s "...", the string's text from byte 3. */
static void test_escape_prefix_given_back(void **state)
{
    (void)state;
    static const struct {
        const char *in, *text;
        unsigned errors, start, end;
    } cases[] = {
        {"s \"a\\u{12345 6}b\"\n", "a{12345 6}b", 1, 4, 6},
        {"s \"a\\u{1234567}b\"\n", "a{1234567}b", 1, 4, 6},
        {"s \"a\\u{}b\"\n", "a{}b", 1, 4, 6},
        {"s \"a\\u12b\"\n", "a12b", 1, 4, 6},
        {"s \"a\\u{4\"\n", "a{4", 1, 4, 6},
        {"s \"\\u\"\n", "", 1, 3, 5},
        {"s \"a\\u{41}b\"\n", "aAb", 0, 0, 0},
        {"s \"a\\\"b\"\n", "a\"b", 0, 0, 0},
        {"s \"x\\tz\" \"pl ain\"\n", "x\tz", 0, 0, 0},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(cases); i++) {
        struct fix x;
        parse(&x, cases[i].in);
        if (diag_error_count(x.diag) != cases[i].errors)
            fail_msg("input %zu: %u errors, want %u", i, diag_error_count(x.diag), cases[i].errors);
        assert_non_null(x.file->stmts);
        const struct ast_atom *a = &x.file->stmts->atoms[1];
        assert_int_equal(a->kind, AST_STRING);
        assert_string_equal(a->text, cases[i].text);
        assert_int_equal(a->loc.start, 2);
        assert_int_equal(a->loc.end, strchr(cases[i].in + 3, '"') - cases[i].in + 1 +
                                         (strstr(cases[i].in, "\\\"b") ? 2 : 0));
        if (cases[i].errors) {
            const struct diag *d = diag_at(x.diag, 0);
            assert_int_equal(d->loc.start, cases[i].start);
            assert_int_equal(d->loc.end, cases[i].end);
        }
        done(&x);
    }
}

static void test_unterminated_string_location(void **state)
{
    (void)state;
    struct fix x;
    parse(&x, "a \"open\nb 1\n");
    assert_int_equal(diag_error_count(x.diag), 1);
    const struct diag *d = diag_at(x.diag, 0);
    assert_int_equal(d->loc.start, 2); /* the opening quote */
    assert_int_equal(d->loc.end, 7);   /* up to the end of the line */
    assert_int_equal(count_stmts(x.file->stmts), 2);
    done(&x);
    parse(&x, "a \"open");
    d = diag_at(x.diag, 0);
    assert_int_equal(diag_error_count(x.diag), 1);
    assert_int_equal(d->loc.start, 2);
    assert_int_equal(d->loc.end, 7);
    done(&x);
}

static void test_crlf(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "a 1 # c\r\n\r\nb \"s\" {\r\n  c\r\n}\r\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts), 2);
    const struct ast_stmt *a = f->stmts, *b = a->next;
    assert_non_null(a->trailing);
    assert_string_equal(a->trailing->text, "# c"); /* no '\r' */
    assert_true(a->trailing->blank_after);
    assert_true(b->blank_before);
    assert_true(b->has_block);
    assert_int_equal(count_stmts(b->body), 1);
    assert_int_equal(b->body->atoms[0].loc.start, 22);
    done(&x);
}

static void test_bom_at_start(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "\xef\xbb\xbf"
                                   "a 1\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(f->stmts->atoms[0].loc.start, 3);
    done(&x);
    parse(&x, "a 1\n\xef\xbb\xbf"
              "b 2\n");
    assert_int_equal(diag_error_count(x.diag), 1);
    assert_int_equal(diag_at(x.diag, 0)->loc.start, 4);
    done(&x);
}

static void test_comment_attachment(void **state)
{
    (void)state;
    struct fix x;
    const char *text = "# lead 1\n"
                       "# lead 2\n"
                       "\n"
                       "a 1 # trail a\n"
                       "b x { # on brace\n"
                       "  # lead c\n"
                       "  c 2\n"
                       "  # closing 1\n"
                       "\n"
                       "  # closing 2\n"
                       "} # after b\n"
                       "# file closing\n";
    struct ast_file *f = parse(&x, text);
    assert_int_equal(diag_error_count(x.diag), 0);
    const struct ast_stmt *a = f->stmts, *b = a->next;
    assert_int_equal(count_comments(a->leading), 2);
    assert_string_equal(a->leading->text, "# lead 1");
    assert_false(a->leading->blank_after);
    assert_true(a->leading->next->blank_after);
    assert_false(a->blank_before); /* the blank line is inside its leading comments */
    assert_int_equal(count_comments(a->trailing), 1);
    assert_string_equal(a->trailing->text, "# trail a");
    assert_null(b->leading);
    assert_false(b->blank_before);
    assert_int_equal(count_comments(b->trailing), 1);
    assert_string_equal(b->trailing->text, "# on brace");
    assert_int_equal(count_comments(b->body->leading), 1);
    assert_string_equal(b->body->leading->text, "# lead c");
    assert_int_equal(count_comments(b->closing), 2);
    assert_true(b->closing->blank_after);
    assert_string_equal(b->closing->next->text, "# closing 2");
    assert_int_equal(count_comments(b->after), 1);
    assert_string_equal(b->after->text, "# after b");
    assert_int_equal(count_comments(f->closing), 1);
    assert_string_equal(f->closing->text, "# file closing");
    assert_false(f->closing->blank_after); /* nothing follows */
    /* comment offsets: the '#' to the end of the text */
    assert_int_equal(a->leading->loc.start, 0);
    assert_int_equal(a->leading->loc.end, 8);
    done(&x);
}

static void test_comment_inside_statement(void **state)
{
    (void)state;
    struct fix x;
    const char *text = "d = a, # one\n"
                       "  # two\n"
                       "  b\n"
                       "e 1\n";
    struct ast_file *f = parse(&x, text);
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts), 2);
    const struct ast_stmt *d = f->stmts;
    assert_int_equal(d->natoms, 5);
    assert_int_equal(count_comments(d->trailing), 2);
    assert_null(d->next->leading);
    assert_true(d->trailing->loc.start > d->atoms[3].loc.end);
    assert_true(d->trailing->next->loc.start < d->atoms[4].loc.start);
    done(&x);
}

static void test_blank_before(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "\n\na 1\nb 2\n\n\nc 3\n  \t\nd {\n\n  e\n}\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    const struct ast_stmt *s = f->stmts;
    assert_true(s->blank_before); /* blank lines at the start of the file */
    assert_false(s->next->blank_before);
    assert_true(s->next->next->blank_before);
    assert_true(s->next->next->next->blank_before); /* a line of spaces and tabs is blank */
    assert_true(s->next->next->next->body->blank_before);
    done(&x);
}

static void test_line_continuation(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t natoms;
    } cases[] = {
        {"a x,\n  y\n", 4},       {"a x =\n  y\n", 4}, {"a x +\n  y\n", 4},
        {"a x, # c\n\n  y\n", 4}, /* comments and blank lines do not end a continued line */
        {"a x,\r\n  y\r\n", 4},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(cases); i++) {
        struct fix x;
        struct ast_file *f = parse(&x, cases[i].text);
        assert_int_equal(diag_error_count(x.diag), 0);
        assert_int_equal(count_stmts(f->stmts), 1);
        assert_int_equal(f->stmts->natoms, cases[i].natoms);
        done(&x);
    }
    /* a line without a continuing token ends the statement */
    struct fix x;
    struct ast_file *f = parse(&x, "a x\n  y\n");
    assert_int_equal(count_stmts(f->stmts), 2);
    done(&x);
    /* '{' continues: the block may start on the brace's line or the next */
    f = parse(&x, "a {\n\n  b\n}\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts), 1);
    assert_int_equal(count_stmts(f->stmts->body), 1);
    done(&x);
}

static void test_braces_on_one_line(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "a \"x\" { b 1 }\nc { }\nd {}\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts), 3);
    const struct ast_stmt *a = f->stmts;
    assert_true(a->has_block);
    assert_int_equal(a->lbrace.start, 6);
    assert_int_equal(a->rbrace.start, 12);
    assert_int_equal(count_stmts(a->body), 1);
    assert_int_equal(a->body->natoms, 2);
    assert_int_equal(a->loc.end, 13);
    assert_true(a->next->has_block);
    assert_null(a->next->body);
    assert_null(a->next->next->body);
    done(&x);
    f = parse(&x, "a { b { c } }\n");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts->body->body), 1);
    done(&x);
}

static void test_missing_final_newline(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "a 1\nb 2");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts), 2);
    assert_int_equal(f->stmts->next->loc.end, 7);
    done(&x);
    f = parse(&x, "a 1 # c");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_string_equal(f->stmts->trailing->text, "# c");
    done(&x);
    f = parse(&x, "a {\n  b\n}");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_int_equal(count_stmts(f->stmts->body), 1);
    done(&x);
    f = parse(&x, "");
    assert_int_equal(diag_error_count(x.diag), 0);
    assert_null(f->stmts);
    done(&x);
}

static void test_brace_errors_recover(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "a 1\n}\nb 2\n");
    assert_int_equal(diag_error_count(x.diag), 1);
    assert_int_equal(diag_at(x.diag, 0)->loc.start, 4);
    assert_int_equal(count_stmts(f->stmts), 2);
    done(&x);
    f = parse(&x, "a {\n  b {\n    c\n");
    /* one error per unclosed block, innermost first, each with a note at its '{' */
    assert_int_equal(diag_error_count(x.diag), 2);
    const struct diag *d = diag_at(x.diag, 0);
    assert_int_equal(d->nnotes, 1);
    assert_int_equal(d->notes[0].loc.start, 8); /* the innermost open '{' */
    assert_int_equal(diag_at(x.diag, 1)->notes[0].loc.start, 2);
    /* the tree is closed: a { b { c } } */
    assert_int_equal(count_stmts(f->stmts), 1);
    assert_int_equal(count_stmts(f->stmts->body->body), 1);
    done(&x);
}

static void test_statement_must_start_with_keyword(void **state)
{
    (void)state;
    static const char *bad[] = {"\"s\" a\n", ", a\n", "42 a\n", "4h a\n", "$v a\n", "= a\n"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(bad); i++) {
        struct fix x;
        parse(&x, bad[i]);
        assert_int_equal(diag_error_count(x.diag), 1);
        assert_int_equal(diag_at(x.diag, 0)->loc.start, 0);
        done(&x);
    }
}

static void test_stray_characters(void **state)
{
    (void)state;
    struct fix x;
    struct ast_file *f = parse(&x, "a $ b ; c\n");
    assert_int_equal(diag_error_count(x.diag), 2);
    assert_int_equal(diag_at(x.diag, 0)->loc.start, 2);
    assert_int_equal(diag_at(x.diag, 1)->loc.start, 6);
    /* the stray characters are skipped, the statement kept */
    assert_int_equal(f->stmts->natoms, 3);
    done(&x);
}

/* A plain ASCII string without escapes is scanned whole in one rule; with an escape the STR rules
 * build it piece by piece. Both make the same atom: the text `"C"` gives what `"C\t"` gives
 * without its last character, and the same offsets but for the escape's two bytes. */
static void test_plain_string_fast_path(void **state)
{
    (void)state;
    static const char *const contents[] = {
        "",
        "x",
        "Site 0001",
        "a,b",
        "{ }",
        "# not a comment",
        "tab\there",
        "$v",
        "52.0.0.0/24",
        "user00000@bench.example.com",
        "'single'",
        "~!@%^&*()=+[]|;:<>?/",
        "  ",
    };
    for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
        char fast[128], slow[128];
        snprintf(fast, sizeof(fast), "k \"%s\", 1\n", contents[i]);
        snprintf(slow, sizeof(slow), "k \"%s\\t\", 1\n", contents[i]);
        struct fix a, b;
        struct ast_file *fa = parse(&a, fast);
        struct ast_file *fb = parse(&b, slow);
        assert_int_equal(diag_error_count(a.diag), 0);
        assert_int_equal(diag_error_count(b.diag), 0);
        assert_int_equal(fa->stmts->natoms, 4);
        assert_int_equal(fb->stmts->natoms, 4);
        const struct ast_atom *x = &fa->stmts->atoms[1], *y = &fb->stmts->atoms[1];
        size_t n = strlen(contents[i]);
        assert_int_equal(x->kind, AST_STRING);
        assert_int_equal(y->kind, AST_STRING);
        assert_int_equal(x->len, n);
        assert_int_equal(y->len, n + 1);
        assert_int_equal(strlen(x->text), n);
        assert_memory_equal(x->text, y->text, n);
        assert_int_equal(y->text[n], '\t');
        assert_int_equal(x->loc.file, y->loc.file);
        assert_int_equal(x->loc.start, 2);
        assert_int_equal(y->loc.start, 2);
        assert_int_equal(x->loc.end, 2 + n + 2);
        assert_int_equal(y->loc.end, x->loc.end + 2);
        /* what follows the string is where it is */
        assert_int_equal(fa->stmts->atoms[2].kind, AST_COMMA);
        assert_int_equal(fa->stmts->atoms[2].loc.start, x->loc.end);
        assert_int_equal(fa->stmts->atoms[3].num, 1);
        done(&a);
        done(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_atom_kind),
        cmocka_unit_test(test_duration_units_and_numbers),
        cmocka_unit_test(test_number_too_large),
        cmocka_unit_test(test_escapes_decoded),
        cmocka_unit_test(test_plain_string_fast_path),
        cmocka_unit_test(test_escape_errors),
        cmocka_unit_test(test_escape_prefix_given_back),
        cmocka_unit_test(test_unterminated_string_location),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom_at_start),
        cmocka_unit_test(test_comment_attachment),
        cmocka_unit_test(test_comment_inside_statement),
        cmocka_unit_test(test_blank_before),
        cmocka_unit_test(test_line_continuation),
        cmocka_unit_test(test_braces_on_one_line),
        cmocka_unit_test(test_missing_final_newline),
        cmocka_unit_test(test_brace_errors_recover),
        cmocka_unit_test(test_statement_must_start_with_keyword),
        cmocka_unit_test(test_stray_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
