/* test_parse_fast.c — ast_parse_source builds the statements without a syntax error itself and
 * hands the first one that has one (and the rest of the file) to bison: the tree and the
 * diagnostics must be those of bison alone (ast_parse_source_general), on the repository's .idp
 * files, on odd texts, and on those files with a stray token put in at many places. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "compiler/ast.h"
#include "compiler/diag.h"

static void dump_comments(struct strbuf *out, const char *what, const struct ast_comment *c)
{
    for (; c; c = c->next)
        strbuf_addf(out, "%s[%u,%u,%u]%s|%d\n", what, c->loc.file, c->loc.start, c->loc.end,
                    c->text, c->blank_after);
}

static void dump_loc(struct strbuf *out, struct loc l)
{
    strbuf_addf(out, "(%u,%u,%u)", l.file, l.start, l.end);
}

/* Every field of every statement, atom and comment. */
static void dump_stmts(struct strbuf *out, const struct ast_stmt *s, int depth)
{
    for (; s; s = s->next) {
        strbuf_addf(out, "%*sstmt", depth * 2, "");
        dump_loc(out, s->loc);
        dump_loc(out, s->lbrace);
        dump_loc(out, s->rbrace);
        strbuf_addf(out, " block=%d blank=%d tmpl=%d n=%zu\n", s->has_block, s->blank_before,
                    s->from_template, s->natoms);
        for (size_t i = 0; i < s->natoms; i++) {
            const struct ast_atom *a = &s->atoms[i];
            strbuf_addf(out, "%*s  atom %d", depth * 2, "", (int)a->kind);
            dump_loc(out, a->loc);
            strbuf_addf(out, " len=%zu num=%lld text=", a->len, a->num);
            strbuf_add(out, a->text, a->len);
            strbuf_addf(out, "|%zu\n", strlen(a->text));
        }
        dump_comments(out, "leading", s->leading);
        dump_comments(out, "trailing", s->trailing);
        dump_comments(out, "closing", s->closing);
        dump_comments(out, "after", s->after);
        if (s->has_block) {
            strbuf_addf(out, "%*s{\n", depth * 2, "");
            dump_stmts(out, s->body, depth + 1);
            strbuf_addf(out, "%*s}\n", depth * 2, "");
        } else if (s->body) {
            strbuf_adds(out, "body without a block\n");
        }
    }
}

static void dump_diags(struct strbuf *out, const struct diag_ctx *d)
{
    strbuf_addf(out, "errors=%u warnings=%u n=%zu\n", diag_error_count(d), diag_warning_count(d),
                diag_count(d));
    for (size_t i = 0; i < diag_count(d); i++) {
        const struct diag *g = diag_at(d, i);
        strbuf_addf(out, "diag %d", (int)g->severity);
        dump_loc(out, g->loc);
        strbuf_addf(out, " %s %s\n", g->code ? g->code : "-", g->message);
        for (size_t k = 0; k < g->nnotes; k++) {
            strbuf_adds(out, "  note");
            dump_loc(out, g->notes[k].loc);
            strbuf_addf(out, " %s\n", g->notes[k].message);
        }
    }
}

/* The tree and diagnostics of `text` (len bytes), parsed the fast way or bison's way. */
static char *parse_dump(const char *text, size_t len, bool fast)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t src = diag_add_source(diag, "t.idp", copy, len);
    struct ast_file *f =
        fast ? ast_parse_source(cfg, diag, src) : ast_parse_source_general(cfg, diag, src);
    struct strbuf out = STRBUF_INIT;
    strbuf_addf(&out, "files=%zu path=%s src=%u\n", cfg->nfiles, f->path, f->src);
    dump_stmts(&out, f->stmts, 0);
    dump_comments(&out, "file-closing", f->closing);
    dump_diags(&out, diag);
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return strbuf_detach(&out);
}

static size_t compared;

static void assert_same(const char *text, size_t len, const char *what)
{
    char *fast = parse_dump(text, len, true);
    char *slow = parse_dump(text, len, false);
    if (strcmp(fast, slow) != 0) {
        size_t i = 0;
        while (fast[i] && fast[i] == slow[i])
            i++;
        size_t from = i > 200 ? i - 200 : 0;
        print_error("%s: the fast parse differs from bison's at byte %zu\n--- fast\n%.400s\n"
                    "--- bison\n%.400s\n",
                    what, i, fast + from, slow + from);
        free(fast);
        free(slow);
        fail();
    }
    free(fast);
    free(slow);
    compared++;
}

static void assert_same_str(const char *text)
{
    assert_same(text, strlen(text), text);
}

static void test_odd_texts(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "\n\n\n",
        "# only a comment\n",
        "tenant \"contoso.onmicrosoft.com\"\n",
        "tenant \"x\"",
        "a b c\nd e, f = g + h\n",
        "a {\n}\n",
        "a {}\n",
        "a { b c }\n",
        "a \"x\"\n{\n  b 1, 2\n}\n",
        "a \"x\"\n\n# c\n{\n  b\n}\n",
        "a {\n  b {\n    c {\n      d 4h, $v\n    }\n  }\n}\n",
        "\"stray string\"\n",
        "a\n\"stray\" b\nc d\n",
        "42 x\n",
        "4h x\n",
        "$v x\n",
        ", x\n",
        "= x\n",
        "+ x\n",
        "{\n}\n",
        "{ a }\n",
        "a {\n  \"x\"\n}\nb c\n",
        "a {\n  b {\n    , c\n  }\n  d e\n}\nf g\n",
        "a b,\n",
        "a b,",
        "a b =",
        "a b +",
        "a {\n  b c,\n}\n",
        "a {\n  b c,\n}\nd\n",
        "a {\n  b c\n",
        "a {\n  b {\n",
        "}\n a b\n",
        "a b\n}\n}\nc d\n",
        "a b { c d } e f\n",
        "a b { c d } { e }\n",
        "a { } b\n",
        "a { b }, c\n",
        "a b\r\nc d\r\n",
        "policy \"P\" {\n  users include group \"G\", group \"H\"\n  grant mfa\n}\n",
        "policy \"P\" {\n  users include group \"G\",\n    group \"H\"\n  grant mfa\n}\n",
        "a \"unterminated\nb c\n",
        "a \"bad \\q escape\"\nb c\n",
        "a \xc3\xa9\nb c\n",
        "a \"\xc3\xa9t\xc3\xa9\"\n",
        "a \"\xff\"\n",
        "a $\n",
        "a 99999999999999\n",
        "a @\nb c\n",
        "a\x01 b\n",
        "\xef\xbb\xbf"
        "a b\n",
        "a b\n\xef\xbb\xbf"
        "c d\n",
        "a b # trailing\n# leading\nc d\n# closing\n",
        "a {\n  # inside\n  b c # t\n  # closing\n} # after\n",
        "x, y\nz {\n  w\n}\n\"s\" {\n  v\n}\nend\n",
        "a {\n  \"s\" {\n    b\n  }\n  c\n}\nd\n",
        "a { b c\nd e }\nf\n",
        "a b,\n\n  c\n",
        "a b,\n# comment\n  c\n",
        "define x = \"1\", \"2\"\nuse $x\n",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        assert_same_str(texts[i]);
    /* nested past the scanner's limit */
    struct strbuf deep = STRBUF_INIT;
    for (int i = 0; i < 70; i++)
        strbuf_adds(&deep, "a {\n");
    strbuf_adds(&deep, "b c\n");
    for (int i = 0; i < 70; i++)
        strbuf_adds(&deep, "}\n");
    strbuf_adds(&deep, "d e\n");
    assert_same(strbuf_str(&deep), deep.len, "70 nested blocks");
    strbuf_fini(&deep);
}

/* Files of the repository, as they are and with one stray token put in at the start of each of
 * up to 40 lines (and in the middle of some). */
static void check_file(const char *path)
{
    size_t len;
    char *text = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return;
    struct strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        strbuf_add(&sb, buf, n);
    fclose(fp);
    len = sb.len;
    text = strbuf_detach(&sb);
    if (memchr(text, '\0', len)) {
        free(text);
        return;
    }
    assert_same(text, len, path);
    static const char *const strays[] = {"\"s\" ", ", ", "{ ", "} ", "= ", "7 ", "$v "};
    size_t line = 0, k = 0;
    for (size_t i = 0; i <= len && line < 40; i++) {
        if (i != 0 && (i == len || text[i - 1] != '\n'))
            continue;
        line++;
        const char *stray = strays[k++ % (sizeof(strays) / sizeof(strays[0]))];
        size_t sl = strlen(stray);
        /* at the line's start, and after its first word */
        size_t at[2] = {i, i};
        while (at[1] < len && text[at[1]] == ' ')
            at[1]++;
        while (at[1] < len && text[at[1]] != ' ' && text[at[1]] != '\n')
            at[1]++;
        for (int w = 0; w < 2; w++) {
            char *m = xmalloc(len + sl + 1);
            memcpy(m, text, at[w]);
            memcpy(m + at[w], stray, sl);
            memcpy(m + at[w] + sl, text + at[w], len - at[w]);
            assert_same(m, len + sl, path);
            free(m);
        }
    }
    free(text);
}

static void walk(const char *dir, int depth)
{
    if (depth > 6)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        size_t l = strlen(e->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(e->d_name, "node_modules") != 0)
            walk(p, depth + 1);
        else if (l > 4 && strcmp(e->d_name + l - 4, ".idp") == 0)
            check_file(p);
        free(p);
    }
    closedir(d);
}

static void test_repository_files(void **state)
{
    (void)state;
    const char *root = getenv("IDPC_SOURCE_DIR");
    if (!root)
        skip();
    static const char *const dirs[] = {"tests", "policies", "docs", "examples"};
    size_t before = compared;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char *p = xasprintf("%s/%s", root, dirs[i]);
        walk(p, 0);
        free(p);
    }
    assert_true(compared - before > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_odd_texts),
        cmocka_unit_test(test_repository_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
