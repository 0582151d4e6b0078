/* print.c — the canonical layout of .idp text (see docs/fmt.md for the rules).
 *
 * The printer works line by line. Blank lines are not written directly: a "pending blank" is
 * requested (by blank_before, blank_after, or the top-level block rule) and written only when the
 * next line is printed, unless that line directly follows '{' or the start of the file. Closing
 * a block or ending the file drops a pending blank, so no blank line ever precedes '}' or EOF.
 */
#include "compiler/print.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "compiler/diag.h"

#define INDENT       2 /* spaces per block level */
#define CONT_INDENT  4 /* extra indentation of a statement's continuation lines */
#define MAX_COMMENTS 64

struct printer {
    struct strbuf *out;
    bool pending_blank; /* a blank line is wanted before the next line */
    bool suppress;      /* the next line follows '{' or starts the file: no blank line */
};

/* ---- atoms ---- */

static void print_string(const char *s, size_t n, struct strbuf *out)
{
    strbuf_addc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            strbuf_adds(out, "\\\"");
            break;
        case '\\':
            strbuf_adds(out, "\\\\");
            break;
        case '\n':
            strbuf_adds(out, "\\n");
            break;
        case '\t':
            strbuf_adds(out, "\\t");
            break;
        case '\r':
            strbuf_adds(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                strbuf_addf(out, "\\u{%X}", (unsigned)c);
            else
                strbuf_addc(out, (char)c);
        }
    }
    strbuf_addc(out, '"');
}

void print_atom(const struct ast_atom *a, struct strbuf *out)
{
    switch (a->kind) {
    case AST_WORD:
        strbuf_add(out, a->text ? a->text : "", a->text ? strlen(a->text) : 0);
        break;
    case AST_STRING:
        print_string(a->text ? a->text : "", a->text ? a->len : 0, out);
        break;
    case AST_NUMBER:
        strbuf_addf(out, "%lld", a->num);
        break;
    case AST_DURATION:
        strbuf_addf(out, "%lld%s", a->num, a->text ? a->text : "");
        break;
    case AST_VAR:
        strbuf_addf(out, "$%s", a->text ? a->text : "");
        break;
    case AST_COMMA:
        strbuf_addc(out, ',');
        break;
    case AST_EQUALS:
        strbuf_addc(out, '=');
        break;
    case AST_PLUS:
        strbuf_addc(out, '+');
        break;
    }
}

/* Atom i is preceded by a space unless it is the first or a comma. */
static bool space_before(const struct ast_stmt *s, size_t i)
{
    return i > 0 && s->atoms[i].kind != AST_COMMA;
}

static bool continues(enum ast_atom_kind k)
{
    return k == AST_COMMA || k == AST_EQUALS || k == AST_PLUS;
}

/* ---- lines ---- */

static void begin_line(struct printer *p, int cols)
{
    if (p->pending_blank && !p->suppress)
        strbuf_addc(p->out, '\n');
    p->pending_blank = false;
    p->suppress = false;
    for (int i = 0; i < cols; i++)
        strbuf_addc(p->out, ' ');
}

static void end_line(struct printer *p)
{
    strbuf_addc(p->out, '\n');
}

static void comment_line(struct printer *p, int cols, const struct ast_comment *c)
{
    begin_line(p, cols);
    strbuf_adds(p->out, c->text);
    end_line(p);
    if (c->blank_after)
        p->pending_blank = true;
}

static void comment_lines(struct printer *p, int cols, const struct ast_comment *c)
{
    for (; c; c = c->next)
        comment_line(p, cols, c);
}

/* ---- statements ---- */

/* Index of the atom a mid-statement comment follows, or SIZE_MAX when the comment belongs at the
 * end of the statement's first line (after the last atom, or after '{'). A comment can only sit
 * inside a statement after an atom that continues the line (',' '=' '+'); anything else (for
 * example a generated tree without offsets) is treated as an end-of-line comment. */
static size_t comment_anchor(const struct ast_stmt *s, const struct ast_comment *c)
{
    const struct ast_atom *last = &s->atoms[s->natoms - 1];
    size_t hend = s->has_block ? s->lbrace.end : last->loc.end;
    if (c->loc.file != last->loc.file || c->loc.start >= hend)
        return SIZE_MAX;
    size_t k = SIZE_MAX;
    for (size_t i = 0; i < s->natoms; i++)
        if (s->atoms[i].loc.end <= c->loc.start)
            k = i;
    if (k == SIZE_MAX || k + 1 >= s->natoms || !continues(s->atoms[k].kind))
        return SIZE_MAX;
    return k;
}

/* Display width of the statement on one line, indentation and " {" included. */
static size_t one_line_width(const struct ast_stmt *s, int cols)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < s->natoms; i++) {
        if (space_before(s, i))
            strbuf_addc(&sb, ' ');
        print_atom(&s->atoms[i], &sb);
    }
    if (s->has_block)
        strbuf_adds(&sb, " {");
    size_t w = (size_t)cols + diag_display_width(strbuf_str(&sb), sb.len, (size_t)cols);
    strbuf_fini(&sb);
    return w;
}

static void print_header(struct printer *p, const struct ast_stmt *s, int cols)
{
    /* Sort the trailing comments: mid-statement ones by anchor atom, the rest at the end. */
    const struct ast_comment *mid[MAX_COMMENTS];
    size_t mid_at[MAX_COMMENTS];
    size_t nmid = 0;
    const struct ast_comment *tail[MAX_COMMENTS];
    size_t ntail = 0;
    for (const struct ast_comment *c = s->trailing; c; c = c->next) {
        size_t k = comment_anchor(s, c);
        if (k != SIZE_MAX && nmid < MAX_COMMENTS) {
            mid[nmid] = c;
            mid_at[nmid++] = k;
        } else if (ntail < MAX_COMMENTS) {
            tail[ntail++] = c;
        }
    }

    bool has_comma = false;
    for (size_t i = 0; i < s->natoms; i++)
        if (s->atoms[i].kind == AST_COMMA)
            has_comma = true;
    bool split = has_comma && one_line_width(s, cols) > PRINT_MAX_WIDTH;
    int cont = cols + CONT_INDENT;

    begin_line(p, cols);
    bool fresh = true; /* at the start of a (continuation) line */
    for (size_t i = 0; i < s->natoms; i++) {
        if (space_before(s, i) && !fresh)
            strbuf_addc(p->out, ' ');
        print_atom(&s->atoms[i], p->out);
        fresh = false;
        if (i + 1 == s->natoms)
            break;
        bool brk = split && s->atoms[i].kind == AST_COMMA;
        bool first = true;
        for (size_t m = 0; m < nmid; m++) {
            if (mid_at[m] != i)
                continue;
            if (first) {
                strbuf_addc(p->out, ' ');
                strbuf_adds(p->out, mid[m]->text);
                end_line(p);
                first = false;
            } else {
                begin_line(p, cont);
                strbuf_adds(p->out, mid[m]->text);
                end_line(p);
            }
            brk = true;
        }
        if (brk) {
            if (first)
                end_line(p);
            /* a blank line never splits a statement */
            p->pending_blank = false;
            begin_line(p, cont);
            fresh = true;
        }
    }
    if (s->has_block)
        strbuf_adds(p->out, " {");
    for (size_t t = 0; t < ntail; t++) {
        if (t == 0) {
            strbuf_addc(p->out, ' ');
            strbuf_adds(p->out, tail[t]->text);
            end_line(p);
        } else {
            /* More than one end-of-line comment only comes from generated trees. */
            comment_line(p, s->has_block ? cols + INDENT : cols, tail[t]);
        }
    }
    if (ntail == 0)
        end_line(p);
    if (ntail > 0 && tail[ntail - 1]->blank_after)
        p->pending_blank = true;
}

static void print_list(struct printer *p, const struct ast_stmt *s, int depth, bool top);

static void print_stmt(struct printer *p, const struct ast_stmt *s, int depth)
{
    int cols = depth * INDENT;
    comment_lines(p, cols, s->leading);
    print_header(p, s, cols);
    if (!s->has_block)
        return;
    p->suppress = true; /* nothing blank right after '{' */
    print_list(p, s->body, depth + 1, false);
    comment_lines(p, cols + INDENT, s->closing);
    p->pending_blank = false; /* nothing blank right before '}' */
    begin_line(p, cols);
    strbuf_addc(p->out, '}');
    const struct ast_comment *c = s->after;
    if (c) {
        strbuf_addc(p->out, ' ');
        strbuf_adds(p->out, c->text);
    }
    end_line(p);
    if (c) {
        bool blank = c->blank_after;
        for (c = c->next; c; c = c->next) /* generated trees only */
            comment_line(p, cols, c);
        if (blank)
            p->pending_blank = true;
    }
}

static void print_list(struct printer *p, const struct ast_stmt *s, int depth, bool top)
{
    const struct ast_stmt *prev = NULL;
    for (; s; s = s->next) {
        if (s->from_template)
            continue;
        if (s->blank_before)
            p->pending_blank = true;
        if (top && prev && (prev->has_block || s->has_block))
            p->pending_blank = true;
        print_stmt(p, s, depth);
        prev = s;
    }
}

void print_file(const struct ast_file *f, struct strbuf *out)
{
    struct printer p = {out, false, true};
    print_list(&p, f->stmts, 0, true);
    comment_lines(&p, 0, f->closing);
}
