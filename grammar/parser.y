/* parser.y — the .idp grammar.
 *
 * A configuration is a sequence of statements. A statement is a keyword followed by atoms
 * (words, strings, numbers, durations, $variables, ',' '=' '+') up to the end of the line,
 * optionally followed by a { block } of nested statements. A line that ends in ',' '=' '+'
 * or '{' continues on the next line. What each statement means, and where it may appear,
 * is checked by compiler/check*.c against the statement tables: the grammar only builds nodes.
 */
%define api.pure full
%define api.prefix {idp_yy}
%define api.location.type {struct idp_span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {struct idp_parse *ps}

%code requires {
#include <stddef.h>
#include <stdint.h>
#include "compiler/ast.h"

struct idp_span {
    uint32_t start, end;
};

/* A heap-allocated, growable run of atoms; copied into the arena when a statement is built. */
struct idp_atoms {
    struct ast_atom *v;
    size_t n, cap;
};

struct idp_stmts {
    struct ast_stmt *head, *tail;
};

/* Shared by the scanner and the parser (one per file). */
struct idp_parse {
    struct ast_config *cfg;
    struct ast_file *file;
    struct diag_ctx *diag;
    uint32_t src;
    const char *text;
    size_t len;
    /* scanner state */
    size_t offset;
    int last_tok;       /* last token handed to the parser */
    int prev_tok;       /* the token before it */
    int pending[64];    /* tokens queued by the wrapper (injected NL / '}') */
    struct idp_span pending_loc[64];
    int npending;
    uint32_t *braces;   /* offsets of open '{' */
    size_t nbraces, capbraces;
    struct ast_comment *comments, *comments_tail;
    /* atom vectors of statements already built, kept for the next ones' atoms instead of a
     * malloc and a free per statement (a block's own vector is in use while its body is read;
     * ast_parse_source frees them) */
    struct ast_atom *spare_atoms[4];
    size_t spare_cap[4];
    int nspare;
    struct strbuf str;
    size_t str_start;
    bool str_bad;
    bool eof_done;
    bool too_deep;      /* blocks nested beyond IDP_MAX_DEPTH: the rest of the file is skipped */
};

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                      \
    do {                                                                 \
        if (N) {                                                         \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                        \
            (Cur).end = YYRHSLOC(Rhs, N).end;                            \
        } else {                                                         \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;              \
        }                                                                \
    } while (0)
}

%code provides {
int idp_yylex(IDP_YYSTYPE *lval, IDP_YYLTYPE *lloc, void *scanner);
int idp_yyparse(void *scanner, struct idp_parse *ps);
}

%code {
#include <stdlib.h>
#include <string.h>

static void atoms_push(struct idp_parse *ps, struct idp_atoms *l, const struct ast_atom *a)
{
    if (!l->v && ps->nspare > 0) {
        ps->nspare--;
        l->v = ps->spare_atoms[ps->nspare];
        l->cap = ps->spare_cap[ps->nspare];
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = *a;
}

static struct ast_atom punct(struct idp_parse *ps, enum ast_atom_kind k, struct idp_span sp,
                             const char *text)
{
    struct ast_atom a;
    memset(&a, 0, sizeof(a));
    a.kind = k;
    a.loc = diag_loc(ps->src, sp.start, sp.end);
    a.text = text;
    a.len = strlen(text);
    return a;
}

static struct ast_stmt *make_stmt(struct idp_parse *ps, struct ast_atom *kw, struct idp_atoms *args,
                                  struct idp_span whole)
{
    struct ast_stmt *s = arena_alloc(ps->cfg->arena, sizeof(*s));
    s->natoms = 1 + args->n;
    /* every byte written below: no zeroing */
    s->atoms = arena_alloc_uninit(ps->cfg->arena, s->natoms * sizeof(*s->atoms));
    s->atoms[0] = *kw;
    if (args->n)
        memcpy(s->atoms + 1, args->v, args->n * sizeof(*args->v));
    s->loc = diag_loc(ps->src, whole.start, whole.end);
    if (args->v && ps->nspare < (int)IDPC_ARRAY_LEN(ps->spare_atoms)) {
        ps->spare_atoms[ps->nspare] = args->v;
        ps->spare_cap[ps->nspare] = args->cap;
        ps->nspare++;
    } else {
        free(args->v);
    }
    args->v = NULL;
    args->n = args->cap = 0;
    return s;
}

static void idp_yyerror(IDP_YYLTYPE *loc, void *scanner, struct idp_parse *ps, const char *msg)
{
    (void)scanner;
    diag_error(ps->diag, diag_loc(ps->src, loc->start, loc->end), "%s", msg);
}

static void stmts_append(struct idp_stmts *l, struct ast_stmt *s)
{
    if (!s)
        return;
    if (l->tail)
        l->tail->next = s;
    else
        l->head = s;
    l->tail = s;
}
}

%union {
    struct ast_atom atom;
    struct idp_atoms atoms;
    struct idp_stmts stmts;
    struct ast_stmt *stmt;
}

%token <atom> WORD "keyword" STRING "string" NUMBER "number" DURATION "duration" VAR "variable"
%token COMMA "','" EQUALS "'='" PLUS "'+'" LBRACE "'{'" RBRACE "'}'" NL "end of line"

%type <atoms> args
%type <atom> arg
%type <stmts> stmts
%type <stmt> stmt

/* Atom runs are heap vectors until a statement takes them; free them if the parser discards them. */
%destructor { free($$.v); } <atoms>

%%

file:
    stmts               { ps->file->stmts = $1.head; }
    ;

stmts:
    %empty              { $$.head = $$.tail = NULL; }
  | stmts stmt          { $$ = $1; stmts_append(&$$, $2); }
  | stmts NL            { $$ = $1; }
  | stmts error NL      { $$ = $1; yyerrok; }
  ;

stmt:
    WORD args NL
        { $$ = make_stmt(ps, &$1, &$2, (struct idp_span){@1.start, @2.end > @1.end ? @2.end : @1.end}); }
  | WORD args LBRACE stmts RBRACE
        {
            $$ = make_stmt(ps, &$1, &$2, (struct idp_span){@1.start, @5.end});
            $$->has_block = true;
            $$->lbrace = diag_loc(ps->src, @3.start, @3.end);
            $$->rbrace = diag_loc(ps->src, @5.start, @5.end);
            $$->body = $4.head;
        }
  ;

args:
    %empty              { $$.v = NULL; $$.n = $$.cap = 0; }
  | args arg            { $$ = $1; atoms_push(ps, &$$, &$2); }
  ;

arg:
    WORD                { $$ = $1; }
  | STRING              { $$ = $1; }
  | NUMBER              { $$ = $1; }
  | DURATION            { $$ = $1; }
  | VAR                 { $$ = $1; }
  | COMMA               { $$ = punct(ps, AST_COMMA, @1, ","); }
  | EQUALS              { $$ = punct(ps, AST_EQUALS, @1, "="); }
  | PLUS                { $$ = punct(ps, AST_PLUS, @1, "+"); }
  ;

%%

static const char *describe_token(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_YYEOF:
        return "end of file";
    case YYSYMBOL_WORD:
        return "keyword";
    case YYSYMBOL_STRING:
        return "string";
    case YYSYMBOL_NUMBER:
        return "number";
    case YYSYMBOL_DURATION:
        return "duration";
    case YYSYMBOL_VAR:
        return "variable";
    default:
        return yysymbol_name(k);
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct idp_parse *ps)
{
    (void)scanner;
    yysymbol_kind_t expected[16];
    int n = yypcontext_expected_tokens(ctx, expected, 16);
    yysymbol_kind_t got = yypcontext_token(ctx);
    const IDP_YYLTYPE *l = yypcontext_location(ctx);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "unexpected %s", describe_token(got));
    if (got == YYSYMBOL_STRING || got == YYSYMBOL_NUMBER || got == YYSYMBOL_DURATION ||
        got == YYSYMBOL_VAR) {
        size_t len = l->end - l->start;
        if (len > 40)
            len = 40;
        strbuf_addf(&sb, " %.*s", (int)len, ps->text + l->start);
    }
    bool stmt_start = false, in_args = false;
    for (int i = 0; i < n; i++) {
        if (expected[i] == YYSYMBOL_WORD)
            stmt_start = true;
        if (expected[i] == YYSYMBOL_STRING)
            in_args = true;
    }
    if (in_args && (ps->prev_tok == COMMA || ps->prev_tok == EQUALS || ps->prev_tok == PLUS)) {
        const char *p = ps->prev_tok == COMMA ? "','" : ps->prev_tok == EQUALS ? "'='" : "'+'";
        strbuf_addf(&sb, " after %s; expected a value (a line that ends with %s continues on the "
                         "next line)",
                    p, p);
    } else if (stmt_start && !in_args) {
        /* Only a statement can start here: say so rather than listing end-of-line tokens. */
        strbuf_adds(&sb, "; expected a statement, which starts with a keyword");
    } else if (n > 0) {
        strbuf_adds(&sb, "; expected ");
        for (int i = 0; i < n; i++) {
            if (i)
                strbuf_adds(&sb, i == n - 1 ? " or " : ", ");
            strbuf_adds(&sb, describe_token(expected[i]));
        }
    }
    diag_error(ps->diag, diag_loc(ps->src, l->start, l->end), "%s", strbuf_str(&sb));
    strbuf_fini(&sb);
    return 0;
}

