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

struct idp_replay_tok; /* parser.h: a token read, kept to be read again */

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
    /* idp_parse_file: the tokens of the top-level statement being read (replay[ireplay..nreplay)
     * are handed to bison again before the scanner's next ones), and the statements read before
     * it, which bison's `file` rule puts before its own */
    struct idp_replay_tok *replay;
    size_t nreplay, capreplay, ireplay;
    bool replaying; /* bison reads the kept tokens first */
    struct idp_stmts before;
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
struct idp_replay_tok {
    int tok;
    IDP_YYSTYPE val;
    IDP_YYLTYPE loc;
};

int idp_yylex(IDP_YYSTYPE *lval, IDP_YYLTYPE *lloc, void *scanner);
int idp_yyparse(void *scanner, struct idp_parse *ps);
/* Parses the whole file into ps->file: statements the grammar takes as they come are built
 * directly; from the first token it does not take, bison parses (from the start of that
 * top-level statement, which it reads again), with its error messages and recovery. The same
 * tree and diagnostics as idp_yyparse alone. Returns what idp_yyparse returns, or 0. */
int idp_parse_file(void *scanner, struct idp_parse *ps);
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
    stmts
        {
            /* after the statements idp_parse_file built, if any */
            if (ps->before.tail) {
                ps->before.tail->next = $1.head;
                ps->file->stmts = ps->before.head;
            } else {
                ps->file->stmts = $1.head;
            }
        }
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


/* ---- the fast path: statements without a syntax error, without bison's tables ---- */

/* The next token, kept for bison in case the statement turns out not to parse. */
static int fast_next(struct idp_parse *ps, void *scanner, IDP_YYSTYPE *val, IDP_YYLTYPE *loc)
{
    int tok = idp_yylex(val, loc, scanner);
    if (ps->nreplay == ps->capreplay) {
        ps->capreplay = ps->capreplay ? ps->capreplay * 2 : 256;
        ps->replay = xrealloc(ps->replay, ps->capreplay * sizeof(*ps->replay));
    }
    struct idp_replay_tok *r = &ps->replay[ps->nreplay++];
    r->tok = tok;
    r->val = *val;
    r->loc = *loc;
    return tok;
}

static bool fast_block(struct idp_parse *ps, void *scanner, struct idp_stmts *out,
                       IDP_YYLTYPE *rbrace);

/* `stmt` after its keyword (the WORD at kwloc): its atoms, then the end of line or a block. NULL
 * at a token the grammar does not take there. */
static struct ast_stmt *fast_stmt(struct idp_parse *ps, void *scanner, const struct ast_atom *kw0,
                                  IDP_YYLTYPE kwloc)
{
    struct ast_atom kw = *kw0;
    struct idp_atoms args = {NULL, 0, 0};
    uint32_t end = kwloc.end; /* bison's @2.end: the last atom's end, else the keyword's */
    IDP_YYSTYPE v;
    IDP_YYLTYPE l;
    memset(&v, 0, sizeof(v));
    for (;;) {
        int tok = fast_next(ps, scanner, &v, &l);
        struct ast_atom a;
        switch (tok) {
        case WORD:
        case STRING:
        case NUMBER:
        case DURATION:
        case VAR:
            atoms_push(ps, &args, &v.atom);
            end = l.end;
            continue;
        case COMMA:
        case EQUALS:
        case PLUS:
            a = tok == COMMA    ? punct(ps, AST_COMMA, l, ",")
                : tok == EQUALS ? punct(ps, AST_EQUALS, l, "=")
                                : punct(ps, AST_PLUS, l, "+");
            atoms_push(ps, &args, &a);
            end = l.end;
            continue;
        case NL:
            return make_stmt(ps, &kw, &args,
                             (struct idp_span){kwloc.start, end > kwloc.end ? end : kwloc.end});
        case LBRACE: {
            IDP_YYLTYPE lb = l, rb;
            struct idp_stmts body = {NULL, NULL};
            if (!fast_block(ps, scanner, &body, &rb))
                break;
            struct ast_stmt *s = make_stmt(ps, &kw, &args, (struct idp_span){kwloc.start, rb.end});
            s->has_block = true;
            s->lbrace = diag_loc(ps->src, lb.start, lb.end);
            s->rbrace = diag_loc(ps->src, rb.start, rb.end);
            s->body = body.head;
            return s;
        }
        default:
            break;
        }
        free(args.v);
        return NULL;
    }
}

/* A block's statements up to its '}' (whose location goes to *rbrace). */
static bool fast_block(struct idp_parse *ps, void *scanner, struct idp_stmts *out,
                       IDP_YYLTYPE *rbrace)
{
    IDP_YYSTYPE v;
    IDP_YYLTYPE l;
    memset(&v, 0, sizeof(v));
    for (;;) {
        int tok = fast_next(ps, scanner, &v, &l);
        if (tok == NL)
            continue;
        if (tok == RBRACE) {
            *rbrace = l;
            return true;
        }
        struct ast_stmt *s = tok == WORD ? fast_stmt(ps, scanner, &v.atom, l) : NULL;
        if (!s)
            return false;
        stmts_append(out, s);
    }
}

int idp_parse_file(void *scanner, struct idp_parse *ps)
{
    IDP_YYSTYPE v;
    IDP_YYLTYPE l;
    memset(&v, 0, sizeof(v));
    int rc = 0;
    for (;;) {
        ps->nreplay = 0;
        int tok = fast_next(ps, scanner, &v, &l);
        if (tok == NL)
            continue;
        if (tok == IDP_YYEOF) {
            ps->file->stmts = ps->before.head;
            break;
        }
        struct ast_stmt *s = tok == WORD ? fast_stmt(ps, scanner, &v.atom, l) : NULL;
        if (!s) {
            /* Bison's state at the start of a top-level statement is its state at the start of
             * the file (the statements before are reduced to `stmts`): it reads this statement's
             * tokens again, then the rest, and reports and recovers as if it had read it all. */
            ps->ireplay = 0;
            ps->replaying = true;
            rc = idp_yyparse(scanner, ps);
            ps->replaying = false;
            break;
        }
        stmts_append(&ps->before, s);
    }
    free(ps->replay);
    ps->replay = NULL;
    ps->nreplay = ps->capreplay = ps->ireplay = 0;
    return rc;
}
