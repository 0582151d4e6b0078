/* rule_parser.y — grammar of the Entra rule language (docs/rules.md).
 * Pure parser; actions only build nodes (compiler/rule.c checks them against the target's
 * properties). Precedence, highest first: comparisons, -not, -and, -or. */
%code requires {
#include "compiler/rule_int.h"
}

%code provides {
int rule_yylex(RULE_YYSTYPE *lval, RULE_YYLTYPE *lloc, void *scanner);
}

%code {
#include <stdio.h>
#include <string.h>

static void rule_yyerror(RULE_YYLTYPE *loc, void *scanner, struct rule_parse_state *ps,
                         const char *msg);

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                                \
    do {                                                                                           \
        if (N) {                                                                                   \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                                                  \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                      \
        } else {                                                                                   \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;                                        \
        }                                                                                          \
    } while (0)
}

%define api.pure full
%define api.prefix {rule_yy}
%define api.location.type {struct rule_loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%lex-param {void *scanner}
%parse-param {void *scanner} {struct rule_parse_state *ps}

%union {
    char *str;
    struct rule_expr *expr;
    struct rule_value *val;
    int op;
}

%token END 0 "end of rule"
%token <str> PROP "property"
%token <str> STRING "string"
%token <str> NUMBER "number"
%token <op> CMPOP "operator"
%token <op> QUANT "'-any' or '-all'"
%token AND "'-and'"
%token OR "'-or'"
%token NOT "'-not'"
%token TRUE "'true'"
%token FALSE "'false'"
%token NUL "'null'"
%token ITEM "'_'"
%token DIRECT_REPORTS "'Direct Reports for'"
%token WORD "word"
%token LEXERR "invalid token"

%type <expr> expr cmp
%type <str> operand
%type <val> value scalar list items

%destructor { free($$); } <str>
%destructor { rule_free($$); } <expr>
%destructor { rule_value_free($$); } <val>

%left OR
%left AND
%precedence NOT

%%

rule
    : expr                          { ps->result = $1; }
    | DIRECT_REPORTS scalar         { ps->result = rule_node_direct_reports($2, @$); }
    ;

expr
    : expr OR expr                  { $$ = rule_node_bin(RULE_NODE_OR, $1, $3, @$); }
    | expr AND expr                 { $$ = rule_node_bin(RULE_NODE_AND, $1, $3, @$); }
    | NOT expr                      { $$ = rule_node_not($2, @$); }
    | '(' expr ')'                  { $$ = $2; }
    | cmp                           { $$ = $1; }
    | PROP QUANT '(' expr ')'       { $$ = rule_node_quant($1, @1, $2, @2, $4, @$); }
    | PROP QUANT cmp                { $$ = rule_node_quant($1, @1, $2, @2, $3, @$); }
    ;

cmp
    : operand CMPOP value           { $$ = rule_node_cmp($1, @1, $2, @2, $3, @$); }
    ;

operand
    : PROP                          { $$ = $1; }
    | ITEM                          { $$ = xstrdup("_"); }
    ;

value
    : scalar                        { $$ = $1; }
    | list                          { $$ = $1; }
    ;

scalar
    : STRING    { $$ = rule_value_scalar(RULE_VALUE_STRING, $1, strlen($1), false, @$); }
    | NUMBER    { $$ = rule_value_scalar(RULE_VALUE_NUMBER, $1, strlen($1), false, @$); }
    | TRUE      { $$ = rule_value_scalar(RULE_VALUE_BOOL, NULL, 0, true, @$); }
    | FALSE     { $$ = rule_value_scalar(RULE_VALUE_BOOL, NULL, 0, false, @$); }
    | NUL       { $$ = rule_value_scalar(RULE_VALUE_NULL, NULL, 0, false, @$); }
    ;

list
    : '[' items ']'                 { $$ = $2; $$->loc = @$; }
    | '[' ']'                       { $$ = rule_value_list_new(@$); }
    ;

items
    : scalar                        { $$ = rule_value_list_new(@$); rule_value_list_push($$, $1); }
    | items ',' scalar              { $$ = $1; rule_value_list_push($$, $3); }
    ;

%%

/* Bison's names are the quoted aliases above ("\"'-and'\""); drop the outer quotes. */
static void add_symbol_name(struct strbuf *sb, yysymbol_kind_t sym)
{
    const char *name = yysymbol_name(sym);
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '"' && name[n - 1] == '"')
        strbuf_add(sb, name + 1, n - 2);
    else
        strbuf_adds(sb, name);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner,
                                 struct rule_parse_state *ps)
{
    (void)scanner;
    if (ps->failed)
        return 0; /* the scanner already said what is wrong */
    const RULE_YYLTYPE *loc = yypcontext_location(ctx);
    yysymbol_kind_t look = yypcontext_token(ctx);
    struct strbuf sb = STRBUF_INIT;
    if (look == YYSYMBOL_YYEOF) {
        strbuf_adds(&sb, "unexpected end of rule");
    } else {
        size_t n = loc->end - loc->start;
        strbuf_addf(&sb, "unexpected '%.*s%s'", (int)(n > 40 ? 40 : n), ps->text + loc->start,
                    n > 40 ? "..." : "");
    }
    yysymbol_kind_t expected[8];
    int n = yypcontext_expected_tokens(ctx, expected, 8);
    if (n > 0) {
        strbuf_adds(&sb, ", expecting ");
        for (int i = 0; i < n; i++) {
            if (i > 0)
                strbuf_adds(&sb, i == n - 1 ? " or " : ", ");
            add_symbol_name(&sb, expected[i]);
        }
    }
    rule_error_set(ps, loc->start, loc->end, "%s", strbuf_str(&sb));
    strbuf_fini(&sb);
    return 0;
}

static void rule_yyerror(RULE_YYLTYPE *loc, void *scanner, struct rule_parse_state *ps,
                         const char *msg)
{
    (void)scanner;
    rule_error_set(ps, loc->start, loc->end, "%s", msg);
}
