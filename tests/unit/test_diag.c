/* test_diag.c — the diagnostics renderer: line/column, carets, long lines, formats, cap, notes,
 * sorting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "compiler/diag.h"

static uint32_t add(struct diag_ctx *d, const char *path, const char *text)
{
    return diag_add_source(d, path, xstrdup(text), strlen(text));
}

/* Renders every queued diagnostic into a string the caller frees. */
static char *render(struct diag_ctx *d, enum diag_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    diag_render(d, f, fmt, false);
    fclose(f);
    return buf;
}

static void expect_render(struct diag_ctx *d, enum diag_format fmt, const char *want)
{
    char *got = render(d, fmt);
    if (strcmp(got, want) != 0)
        fail_msg("rendered:\n%s\nwanted:\n%s", got, want);
    free(got);
}

static size_t offset_of(struct diag_ctx *d, uint32_t src, const char *needle)
{
    const char *t = diag_source(d, src)->text;
    const char *p = strstr(t, needle);
    assert_non_null(p);
    return (size_t)(p - t);
}

static void test_line_col(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "a.idp", "ab\n\tx\r\n\xc3\xa9\xe6\x97\xa5y\nlast");
    unsigned line, col;
    diag_line_col(d, s, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    diag_line_col(d, s, 4, &line, &col); /* 'x' after a tab: a tab is one column */
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    diag_line_col(d, s, 5, &line, &col); /* the '\r' of CRLF is still on line 2 */
    assert_int_equal(line, 2);
    assert_int_equal(col, 3);
    size_t y = offset_of(d, s, "y");
    diag_line_col(d, s, (uint32_t)y, &line, &col); /* after é and 日: code points */
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    diag_line_col(d, s, 1000, &line, &col); /* clamped to the end */
    assert_int_equal(line, 4);
    assert_int_equal(col, 5);
    diag_ctx_free(d);
}

static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(diag_display_width("abc", 3, 0), 3);
    assert_int_equal(diag_display_width("\t", 1, 0), 8);
    assert_int_equal(diag_display_width("\t", 1, 3), 5);
    assert_int_equal(diag_display_width("a\tb", 3, 0), 9);
    assert_int_equal(diag_display_width("\xc3\xa9", 2, 0), 1);         /* é */
    assert_int_equal(diag_display_width("\xe6\x97\xa5", 3, 0), 2);     /* 日 */
    assert_int_equal(diag_display_width("\xf0\x9f\x98\x80", 4, 0), 2); /* 😀 */
    assert_int_equal(diag_display_width("e\xcc\x81", 3, 0), 1);        /* e + combining acute */
}

static void test_caret_simple_and_width(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "p.idp", "policy \"P\" {\n  grant mfa_required\n}\n");
    size_t o = offset_of(d, s, "mfa_required");
    diag_error(d, diag_loc(s, o, o + 12), "unknown control '%s'", "mfa_required");
    expect_render(d, DIAG_FMT_TEXT,
                  "p.idp:2:9: error: unknown control 'mfa_required'\n"
                  "    2 |   grant mfa_required\n"
                  "      |         ^~~~~~~~~~~~\n");
    /* an empty range gets one caret; a range past the end of the line stops at its end */
    diag_error(d, diag_loc(s, o, o), "empty");
    diag_error(d, diag_loc(s, o, o + 100), "long");
    expect_render(d, DIAG_FMT_TEXT,
                  "p.idp:2:9: error: empty\n"
                  "    2 |   grant mfa_required\n"
                  "      |         ^\n"
                  "p.idp:2:9: error: long\n"
                  "    2 |   grant mfa_required\n"
                  "      |         ^~~~~~~~~~~~\n");
    diag_ctx_free(d);
}

static void test_caret_after_tabs(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "t.idp", "\tstate\t\"on\"\n");
    size_t o = offset_of(d, s, "\"on\"");
    diag_error(d, diag_loc(s, o, o + 4), "bad");
    /* the echo expands tabs to 8-column stops and the caret lines up with it */
    expect_render(d, DIAG_FMT_TEXT,
                  "t.idp:1:8: error: bad\n"
                  "    1 |         state   \"on\"\n"
                  "      |                 ^~~~\n");
    diag_ctx_free(d);
}

static void test_caret_after_utf8(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "u.idp",
                     "a \"caf\xc3\xa9\" x\nb \"\xe6\x97\xa5\xe6\x9c\xac\" x\nc "
                     "\"\xf0\x9f\x98\x80\" \xe6\x97\xa5\n");
    size_t x1 = offset_of(d, s, "x\n");
    size_t x2 = offset_of(d, s, "x\nc");
    size_t cjk = offset_of(d, s, "\" \xe6\x97\xa5") + 2;
    diag_error(d, diag_loc(s, x1, x1 + 1), "one");
    diag_error(d, diag_loc(s, x2, x2 + 1), "two");
    diag_error(d, diag_loc(s, cjk, cjk + 3), "three");
    expect_render(d, DIAG_FMT_TEXT,
                  "u.idp:1:10: error: one\n"
                  "    1 | a \"caf\xc3\xa9\" x\n"
                  "      |          ^\n"
                  "u.idp:2:8: error: two\n"
                  "    2 | b \"\xe6\x97\xa5\xe6\x9c\xac\" x\n"
                  "      |          ^\n"
                  "u.idp:3:7: error: three\n"
                  "    3 | c \"\xf0\x9f\x98\x80\" \xe6\x97\xa5\n"
                  "      |        ^~\n");
    diag_ctx_free(d);
}

static void test_crlf_and_no_final_newline(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "c.idp", "a 1\r\nb 2\r\nlast");
    size_t b = offset_of(d, s, "2");
    diag_error(d, diag_loc(s, b, b + 1), "crlf");
    diag_error(d, diag_loc(s, 14, 14), "eof");
    expect_render(d, DIAG_FMT_TEXT,
                  "c.idp:2:3: error: crlf\n"
                  "    2 | b 2\n"
                  "      |   ^\n"
                  "c.idp:3:5: error: eof\n"
                  "    3 | last\n"
                  "      |     ^\n");
    diag_ctx_free(d);
}

static void test_long_line_window(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    char line[400];
    for (size_t i = 0; i < 300; i++)
        line[i] = (char)('a' + i % 26);
    memcpy(line + 280, "ERR", 3);
    line[300] = '\n';
    line[301] = '\0';
    uint32_t s = add(d, "l.idp", line);
    diag_error(d, diag_loc(s, 280, 283), "near the end");
    char *got = render(d, DIAG_FMT_TEXT);
    /* header, echo, caret */
    char *echo = strchr(got, '\n') + 1;
    char *caret = strchr(echo, '\n') + 1;
    assert_true(strncmp(got, "l.idp:1:281: error: near the end\n", 33) == 0);
    assert_true(strncmp(echo, "    1 | ...", 11) == 0); /* the start is cut */
    size_t echo_len = (size_t)(caret - echo - 1);
    assert_true(echo_len < 200);
    const char *err = strstr(echo, "ERR");
    assert_non_null(err);
    assert_true(err < caret);
    const char *hat = strchr(caret, '^');
    assert_non_null(hat);
    assert_int_equal(hat - caret, err - echo); /* caret under the E */
    assert_true(strncmp(hat, "^~~\n", 4) == 0);
    free(got);

    /* error near the start: the end is cut instead */
    diag_error(d, diag_loc(s, 2, 3), "near the start");
    got = render(d, DIAG_FMT_TEXT);
    echo = strchr(got, '\n') + 1;
    caret = strchr(echo, '\n') + 1;
    assert_true(strncmp(echo, "    1 | abc", 11) == 0);
    assert_true(strncmp(caret - 4, "...\n", 4) == 0);
    assert_true(strncmp(caret, "      |   ^\n", 12) == 0);
    free(got);
    diag_ctx_free(d);
}

static void test_notes_and_no_file(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "n.idp", "group \"A\" {\n}\ngroup \"A\" {\n}\n");
    diag_error(d, diag_loc(s, 20, 23), "duplicate group \"A\"");
    diag_note(d, diag_loc(s, 6, 9), "first declared here");
    diag_error(d, DIAG_LOC_NONE, "cannot read 'x.idp': No such file or directory");
    assert_int_equal(diag_count(d), 2);
    assert_int_equal(diag_at(d, 0)->nnotes, 1);
    expect_render(d, DIAG_FMT_TEXT,
                  "n.idp:3:7: error: duplicate group \"A\"\n"
                  "    3 | group \"A\" {\n"
                  "      |       ^~~\n"
                  "n.idp:1:7: note: first declared here\n"
                  "    1 | group \"A\" {\n"
                  "      |       ^~~\n"
                  "idpc: error: cannot read 'x.idp': No such file or directory\n");
    /* render clears the queue, but not the counts */
    assert_int_equal(diag_count(d), 0);
    assert_int_equal(diag_error_count(d), 2);
    diag_ctx_free(d);
}

static void test_note_without_error_is_dropped(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    diag_note(d, DIAG_LOC_NONE, "orphan");
    assert_int_equal(diag_count(d), 0);
    expect_render(d, DIAG_FMT_TEXT, "");
    diag_ctx_free(d);
}

/* diag_notes_dropped() says what diag_note() would do: drop a note with no diagnostic before it,
 * after a repeated one, and after one over the cap; keep it after a kept one. */
static void test_notes_dropped(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "d.idp", "policy \"P\" {\n}\n");
    assert_true(diag_notes_dropped(d));
    diag_warning(d, diag_loc(s, 7, 10), "listed twice");
    assert_false(diag_notes_dropped(d));
    diag_note(d, diag_loc(s, 0, 6), "first listed here");
    diag_warning(d, diag_loc(s, 7, 10), "listed twice"); /* the same again: dropped */
    assert_true(diag_notes_dropped(d));
    diag_note(d, diag_loc(s, 0, 6), "first listed here");
    assert_int_equal(diag_count(d), 1);
    assert_int_equal(diag_at(d, 0)->nnotes, 1);
    diag_error(d, diag_loc(s, 0, 6), "another");
    assert_false(diag_notes_dropped(d));
    diag_set_error_cap(d, 2);
    diag_error(d, diag_loc(s, 1, 2), "over the cap");
    assert_true(diag_notes_dropped(d));
    diag_ctx_free(d);
}

static void test_sorting(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t a = add(d, "a.idp", "x 1\ny 2\n");
    uint32_t b = add(d, "b.idp", "z 3\n");
    diag_error(d, diag_loc(b, 0, 1), "b first");
    diag_error(d, diag_loc(a, 4, 5), "a second line");
    diag_error(d, diag_loc(a, 0, 1), "a first line, first emitted");
    diag_warning(d, diag_loc(a, 0, 1), "a first line, second emitted");
    char *got = render(d, DIAG_FMT_GITHUB);
    assert_string_equal(got, "::error file=a.idp,line=1,col=1,endColumn=2::a first line, first "
                             "emitted\n"
                             "::warning file=a.idp,line=1,col=1,endColumn=2::a first line, second "
                             "emitted\n"
                             "::error file=a.idp,line=2,col=1,endColumn=2::a second line\n"
                             "::error file=b.idp,line=1,col=1,endColumn=2::b first\n");
    free(got);
    diag_ctx_free(d);
}

static void test_github_escaping(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "dir,x/a:b.idp", "a 1\nb 2\n");
    diag_error(d, diag_loc(s, 2, 3), "50%% done: a, b\nnext line\r");
    diag_note(d, diag_loc(s, 0, 6), "spans lines");
    expect_render(d, DIAG_FMT_GITHUB,
                  "::error file=dir%2Cx/a%3Ab.idp,line=1,col=3,endColumn=4::50%25 done: a, "
                  "b%0Anext line%0D\n"
                  "::notice file=dir%2Cx/a%3Ab.idp,line=1,col=1,endLine=2::spans lines\n");
    diag_ctx_free(d);
}

static void test_json(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "j.idp", "a \"\xc3\xa9\" x\n");
    diag_emit(d, DIAG_ERROR, "IDP1001", diag_loc(s, 7, 8), "bad \"quote\" \\ and\ttab");
    diag_note(d, diag_loc(s, 2, 6), "note here");
    diag_warning(d, DIAG_LOC_NONE, "no place");
    char *got = render(d, DIAG_FMT_JSON);
    json_error_t jerr;
    json_t *doc = json_loads(got, 0, &jerr);
    if (!doc)
        fail_msg("invalid JSON (%s): %s", jerr.text, got);
    assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "warnings")), 1);
    assert_true(json_is_false(json_object_get(doc, "truncated")));
    json_t *arr = json_object_get(doc, "diagnostics");
    assert_int_equal(json_array_size(arr), 2);
    json_t *e = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(e, "severity")), "error");
    assert_string_equal(json_string_value(json_object_get(e, "file")), "j.idp");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "IDP1001");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "bad \"quote\" \\ and\ttab");
    assert_int_equal(json_integer_value(json_object_get(e, "line")), 1);
    assert_int_equal(json_integer_value(json_object_get(e, "column")), 7); /* é is one column */
    assert_int_equal(json_integer_value(json_object_get(e, "endColumn")), 8);
    json_t *notes = json_object_get(e, "notes");
    assert_int_equal(json_array_size(notes), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(notes, 0), "column")), 3);
    /* a diagnostic without a location has no file/line keys */
    json_t *w = json_array_get(arr, 1);
    assert_null(json_object_get(w, "file"));
    assert_string_equal(json_string_value(json_object_get(w, "severity")), "warning");
    json_decref(doc);
    free(got);
    diag_ctx_free(d);
}

static void test_error_cap(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    uint32_t s = add(d, "c.idp", "a\nb\nc\nd\ne\n");
    diag_set_error_cap(d, 3);
    for (unsigned i = 0; i < 5; i++) {
        diag_error(d, diag_loc(s, i * 2, i * 2 + 1), "error %u", i);
        diag_note(d, diag_loc(s, 0, 1), "note %u", i);
    }
    assert_int_equal(diag_error_count(d), 5);
    assert_int_equal(diag_count(d), 3);
    assert_true(diag_capped(d));
    /* notes of dropped errors are dropped too */
    assert_int_equal(diag_at(d, 2)->nnotes, 1);
    char *got = render(d, DIAG_FMT_TEXT);
    assert_non_null(strstr(got, "error 2"));
    assert_null(strstr(got, "error 3"));
    assert_null(strstr(got, "note 3"));
    const char *tail = "idpc: too many diagnostics; showing the first 3 of 5\n";
    assert_true(strlen(got) > strlen(tail));
    assert_string_equal(got + strlen(got) - strlen(tail), tail);
    free(got);
    /* json says it is truncated */
    diag_error(d, diag_loc(s, 0, 1), "more");
    got = render(d, DIAG_FMT_JSON);
    assert_non_null(strstr(got, "\"truncated\": true"));
    free(got);
    diag_ctx_free(d);
}

static void test_werror(void **state)
{
    (void)state;
    struct diag_ctx *d = diag_ctx_new();
    diag_warning(d, DIAG_LOC_NONE, "w");
    assert_int_equal(diag_error_count(d), 0);
    assert_int_equal(diag_warning_count(d), 1);
    diag_set_werror(d, true);
    assert_int_equal(diag_error_count(d), 1);
    assert_int_equal(diag_warning_count(d), 0);
    diag_ctx_free(d);
}

static void test_format_parse(void **state)
{
    (void)state;
    enum diag_format f;
    assert_true(diag_format_parse("json", &f));
    assert_int_equal(f, DIAG_FMT_JSON);
    assert_true(diag_format_parse("github", &f));
    assert_int_equal(f, DIAG_FMT_GITHUB);
    assert_true(diag_format_parse("text", &f));
    assert_int_equal(f, DIAG_FMT_TEXT);
    assert_false(diag_format_parse("xml", &f));
    assert_false(diag_format_parse("", &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_col),
        cmocka_unit_test(test_display_width),
        cmocka_unit_test(test_caret_simple_and_width),
        cmocka_unit_test(test_caret_after_tabs),
        cmocka_unit_test(test_caret_after_utf8),
        cmocka_unit_test(test_crlf_and_no_final_newline),
        cmocka_unit_test(test_long_line_window),
        cmocka_unit_test(test_notes_and_no_file),
        cmocka_unit_test(test_note_without_error_is_dropped),
        cmocka_unit_test(test_notes_dropped),
        cmocka_unit_test(test_sorting),
        cmocka_unit_test(test_github_escaping),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_werror),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
