/* rule_int.h — the rule AST and the glue between grammar/rule_*.{l,y} and compiler/rule*.c.
 * Ownership: every node and value is heap-allocated and owned by its parent; the root belongs
 * to whoever holds the struct rule_expr pointer and is released with rule_free(). */
#ifndef IDPC_RULE_INT_H
#define IDPC_RULE_INT_H

#include <regex.h>

#include "compiler/rule.h"
#include "compiler/util.h"

struct rule_loc {
    size_t start, end; /* byte offsets into the rule text, end exclusive */
};

enum rule_op {
    RULE_OP_EQ,
    RULE_OP_NE,
    RULE_OP_STARTS_WITH,
    RULE_OP_NOT_STARTS_WITH,
    RULE_OP_ENDS_WITH,
    RULE_OP_NOT_ENDS_WITH,
    RULE_OP_CONTAINS,
    RULE_OP_NOT_CONTAINS,
    RULE_OP_MATCH,
    RULE_OP_NOT_MATCH,
    RULE_OP_IN,
    RULE_OP_NOT_IN,
    RULE_OP_ANY,
    RULE_OP_ALL,
    RULE_OP_COUNT_
};
#define RULE_OPS_COMPARE 0x0fffu /* EQ .. NOT_IN */

/* Canonical spelling ("-startsWith"). */
const char *rule_op_name(enum rule_op op);
/* Looks up an operator word with or without its leading '-', case-insensitively. Also knows
 * "and", "or", "not" (returned as -2, -3, -4). -1 when unknown. */
int rule_op_lookup(const char *word, size_t len);
#define RULE_WORD_AND -2
#define RULE_WORD_OR  -3
#define RULE_WORD_NOT -4

enum rule_value_kind {
    RULE_VALUE_STRING,
    RULE_VALUE_NUMBER, /* unquoted digits, kept as text */
    RULE_VALUE_BOOL,
    RULE_VALUE_NULL,
    RULE_VALUE_LIST,
};

struct rule_value {
    enum rule_value_kind kind;
    struct rule_loc loc;
    bool b;                   /* BOOL */
    char *s;                  /* STRING, NUMBER: NUL-terminated (may contain NULs before len) */
    size_t len;               /* STRING, NUMBER */
    struct rule_value *items; /* LIST: scalars */
    size_t n_items;
};

enum rule_node {
    RULE_NODE_AND,
    RULE_NODE_OR,
    RULE_NODE_NOT,
    RULE_NODE_CMP,           /* prop op value */
    RULE_NODE_QUANT,         /* prop -any/-all body */
    RULE_NODE_DIRECT_REPORTS /* Direct Reports for "id" */
};

/* Property types, resolved by the checker. */
enum rule_type {
    RULE_TYPE_STRING,
    RULE_TYPE_BOOL,
    RULE_TYPE_STRINGS, /* string collection */
    RULE_TYPE_PLANS,   /* user.assignedPlans: collection of objects */
    RULE_TYPE_GROUPS,  /* memberOf: collection of group ids */
    RULE_TYPE_ITEM,    /* '_' or assignedPlan.x or group.objectId inside -any/-all */
};

struct rule_expr {
    enum rule_node kind;
    struct rule_loc loc;
    struct rule_expr *lhs, *rhs; /* AND, OR; NOT uses lhs; QUANT body is rhs */
    /* CMP, QUANT */
    char *prop; /* as written; "_" for the item */
    struct rule_loc prop_loc;
    enum rule_op op;
    struct rule_loc op_loc;
    struct rule_value value; /* CMP; DIRECT_REPORTS holds the manager id */
    /* Filled by the checker. */
    char *canon;         /* canonical spelling, "user.department" */
    const char *key;     /* JSON key for rule_eval: points into canon */
    enum rule_type type; /* of the property */
    bool exact_contains; /* -contains on a collection means "has an item equal to" */
    regex_t *re;         /* -match / -notMatch */
};

/* Node constructors for the grammar; they take ownership of their pointer arguments. */
struct rule_expr *rule_node_bin(enum rule_node kind, struct rule_expr *l, struct rule_expr *r,
                                struct rule_loc loc);
struct rule_expr *rule_node_not(struct rule_expr *e, struct rule_loc loc);
struct rule_expr *rule_node_cmp(char *prop, struct rule_loc prop_loc, enum rule_op op,
                                struct rule_loc op_loc, struct rule_value *v, struct rule_loc loc);
struct rule_expr *rule_node_quant(char *prop, struct rule_loc prop_loc, enum rule_op op,
                                  struct rule_loc op_loc, struct rule_expr *body,
                                  struct rule_loc loc);
struct rule_expr *rule_node_direct_reports(struct rule_value *id, struct rule_loc loc);

struct rule_value *rule_value_scalar(enum rule_value_kind kind, char *s, size_t len, bool b,
                                     struct rule_loc loc);
struct rule_value *rule_value_list_new(struct rule_loc loc);
void rule_value_list_push(struct rule_value *list, struct rule_value *item); /* frees item */
void rule_value_free(struct rule_value *v);                                  /* heap value */
void rule_value_fini(struct rule_value *v);                                  /* contents */

/* Parser state shared by the scanner (as its extra data) and the parser. */
struct rule_parse_state {
    const char *text; /* the rule, for quoting tokens in messages */
    size_t len;
    size_t pos;               /* byte offset of the next token */
    struct rule_expr *result; /* set on success */
    struct rule_error *err;
    bool failed;
};
void rule_error_set(struct rule_parse_state *ps, size_t start, size_t end, const char *fmt, ...)
    IDPC_PRINTF(4, 5);

/* Lexer helpers: the message for an unknown "-word" operator (with a suggestion). */
void rule_error_unknown_op(struct rule_parse_state *ps, size_t start, size_t end);

/* The syntax pass only (grammar/rule_lexer.l); the checker runs afterwards in rule.c. */
struct rule_expr *rule_syntax_parse(const char *text, size_t len, struct rule_error *err);

#endif
