/* rule_eval.c — evaluating a checked rule against property values, and printing it back.
 * Semantics follow Entra (docs/rules.md): case-insensitive string comparisons, a missing property
 * is null, a negated operator is true exactly when its positive form is false. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/rule_int.h"

/* ---- evaluation ----------------------------------------------------------------------------- */

static const json_t *lookup(const json_t *obj, const char *key)
{
    if (!obj || !json_is_object(obj))
        return NULL;
    const json_t *v = json_object_get(obj, key);
    if (v)
        return v;
    /* jansson's object iterators take a non-const object; they do not modify it. */
    json_t *mobj;
    memcpy(&mobj, &obj, sizeof mobj);
    const char *k;
    json_t *val;
    json_object_foreach(mobj, k, val)
    {
        if (strcasecmp(k, key) == 0)
            return val;
    }
    return NULL;
}

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle), h = strlen(hay);
    for (size_t i = 0; i + n <= h; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

static bool ci_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(suffix), l = strlen(s);
    return n <= l && strcasecmp(s + l - n, suffix) == 0;
}

static enum rule_op positive(enum rule_op op)
{
    switch (op) {
    case RULE_OP_NE:
        return RULE_OP_EQ;
    case RULE_OP_NOT_STARTS_WITH:
        return RULE_OP_STARTS_WITH;
    case RULE_OP_NOT_ENDS_WITH:
        return RULE_OP_ENDS_WITH;
    case RULE_OP_NOT_CONTAINS:
        return RULE_OP_CONTAINS;
    case RULE_OP_NOT_MATCH:
        return RULE_OP_MATCH;
    case RULE_OP_NOT_IN:
        return RULE_OP_IN;
    default:
        return op;
    }
}

/* The positive operator applied to one string. */
static bool match_string(const struct rule_expr *e, enum rule_op op, const char *s)
{
    const struct rule_value *v = &e->value;
    switch (op) {
    case RULE_OP_EQ:
        return v->s && strcasecmp(s, v->s) == 0;
    case RULE_OP_STARTS_WITH:
        return v->s && strncasecmp(s, v->s, strlen(v->s)) == 0;
    case RULE_OP_ENDS_WITH:
        return v->s && ci_ends_with(s, v->s);
    case RULE_OP_CONTAINS:
        if (!v->s)
            return false;
        return e->exact_contains ? strcasecmp(s, v->s) == 0 : ci_contains(s, v->s);
    case RULE_OP_MATCH:
        return e->re && regexec(e->re, s, 0, NULL, 0) == 0;
    case RULE_OP_IN:
        for (size_t i = 0; i < v->n_items; i++)
            if (v->items[i].s && strcasecmp(s, v->items[i].s) == 0)
                return true;
        return false;
    default:
        return false;
    }
}

/* A JSON bool, or a "true"/"false" string; -1 for anything else. */
static int as_bool(const json_t *j)
{
    if (json_is_boolean(j))
        return json_is_true(j);
    if (json_is_string(j)) {
        if (strcasecmp(json_string_value(j), "true") == 0)
            return 1;
        if (strcasecmp(json_string_value(j), "false") == 0)
            return 0;
    }
    return -1;
}

static int literal_bool(const struct rule_value *v)
{
    if (v->kind == RULE_VALUE_BOOL)
        return v->b;
    return strcasecmp(v->s, "true") == 0;
}

static int eval_cmp(const struct rule_expr *e, const json_t *j, bool *out)
{
    bool is_null = !j || json_is_null(j) || (json_is_array(j) && json_array_size(j) == 0);
    enum rule_op pos = positive(e->op);
    bool negate = pos != e->op;
    bool r = false;

    if (e->value.kind == RULE_VALUE_NULL) {
        r = is_null;
    } else if (!j || json_is_null(j)) {
        r = false;
    } else if (e->type == RULE_TYPE_BOOL) {
        int b = as_bool(j);
        if (b < 0)
            return -1;
        r = b == literal_bool(&e->value);
    } else if (json_is_string(j)) {
        r = match_string(e, pos, json_string_value(j));
    } else if (json_is_array(j)) {
        size_t i;
        const json_t *it;
        json_array_foreach(j, i, it)
        {
            if (!json_is_string(it))
                return -1;
            if (match_string(e, pos, json_string_value(it))) {
                r = true;
                break;
            }
        }
    } else {
        return -1;
    }
    *out = negate ? !r : r;
    return 0;
}

static int eval_node(const struct rule_expr *e, const json_t *props, const json_t *item, bool *out)
{
    bool l = false;
    switch (e->kind) {
    case RULE_NODE_AND:
    case RULE_NODE_OR:
        if (eval_node(e->lhs, props, item, &l) != 0)
            return -1;
        if (l == (e->kind == RULE_NODE_OR)) {
            *out = l;
            return 0;
        }
        return eval_node(e->rhs, props, item, out);
    case RULE_NODE_NOT:
        if (eval_node(e->lhs, props, item, &l) != 0)
            return -1;
        *out = !l;
        return 0;
    case RULE_NODE_DIRECT_REPORTS: {
        const json_t *m = lookup(props, "manager");
        if (m && !json_is_null(m) && !json_is_string(m))
            return -1;
        *out = m && json_is_string(m) && strcasecmp(json_string_value(m), e->value.s) == 0;
        return 0;
    }
    case RULE_NODE_CMP: {
        const json_t *j;
        if (e->type == RULE_TYPE_ITEM)
            j = e->key ? lookup(item, e->key) : item;
        else
            j = lookup(props, e->key);
        return eval_cmp(e, j, out);
    }
    case RULE_NODE_QUANT: {
        const json_t *coll = lookup(props, e->key);
        bool any = e->op == RULE_OP_ANY;
        *out = !any; /* -any of nothing is false, -all of nothing is true */
        if (!coll || json_is_null(coll))
            return 0;
        if (!json_is_array(coll))
            return -1;
        size_t i;
        const json_t *it;
        json_array_foreach(coll, i, it)
        {
            bool r;
            if (e->type == RULE_TYPE_PLANS ? !json_is_object(it) : !json_is_string(it))
                return -1;
            if (eval_node(e->rhs, props, it, &r) != 0)
                return -1;
            if (r == any) {
                *out = any;
                break;
            }
        }
        return 0;
    }
    }
    return -1;
}

int rule_eval(const struct rule_expr *e, const json_t *props, bool *result)
{
    if (!e || !json_is_object(props))
        return -1;
    bool r = false;
    if (eval_node(e, props, NULL, &r) != 0)
        return -1;
    *result = r;
    return 0;
}

/* ---- printing ------------------------------------------------------------------------------- */

static void print_scalar(struct strbuf *sb, const struct rule_value *v)
{
    switch (v->kind) {
    case RULE_VALUE_STRING:
        strbuf_addc(sb, '"');
        for (const char *p = v->s; *p; p++) {
            if (*p == '"' || *p == '`')
                strbuf_addc(sb, '`');
            strbuf_addc(sb, *p);
        }
        strbuf_addc(sb, '"');
        break;
    case RULE_VALUE_NUMBER:
        strbuf_adds(sb, v->s);
        break;
    case RULE_VALUE_BOOL:
        strbuf_adds(sb, v->b ? "true" : "false");
        break;
    case RULE_VALUE_NULL:
        strbuf_adds(sb, "null");
        break;
    case RULE_VALUE_LIST:
        strbuf_addc(sb, '[');
        for (size_t i = 0; i < v->n_items; i++) {
            if (i)
                strbuf_adds(sb, ", ");
            print_scalar(sb, &v->items[i]);
        }
        strbuf_addc(sb, ']');
        break;
    }
}

static int prec(const struct rule_expr *e)
{
    return e->kind == RULE_NODE_OR ? 1 : e->kind == RULE_NODE_AND ? 2 : 3;
}

static void print_node(struct strbuf *sb, const struct rule_expr *e);

static void print_operand(struct strbuf *sb, const struct rule_expr *e, int parent, bool right)
{
    bool paren = prec(e) < parent || (right && prec(e) == parent);
    if (paren)
        strbuf_addc(sb, '(');
    print_node(sb, e);
    if (paren)
        strbuf_addc(sb, ')');
}

static void print_node(struct strbuf *sb, const struct rule_expr *e)
{
    const char *prop = e->canon ? e->canon : e->prop;
    switch (e->kind) {
    case RULE_NODE_AND:
    case RULE_NODE_OR:
        print_operand(sb, e->lhs, prec(e), false);
        strbuf_adds(sb, e->kind == RULE_NODE_AND ? " -and " : " -or ");
        print_operand(sb, e->rhs, prec(e), true);
        break;
    case RULE_NODE_NOT:
        strbuf_adds(sb, "-not (");
        print_node(sb, e->lhs);
        strbuf_addc(sb, ')');
        break;
    case RULE_NODE_CMP:
        strbuf_addf(sb, "%s %s ", prop, rule_op_name(e->op));
        print_scalar(sb, &e->value);
        break;
    case RULE_NODE_QUANT:
        strbuf_addf(sb, "%s %s (", prop, rule_op_name(e->op));
        print_node(sb, e->rhs);
        strbuf_addc(sb, ')');
        break;
    case RULE_NODE_DIRECT_REPORTS:
        strbuf_adds(sb, "Direct Reports for ");
        print_scalar(sb, &e->value);
        break;
    }
}

char *rule_to_string(const struct rule_expr *e)
{
    struct strbuf sb = STRBUF_INIT;
    if (e)
        print_node(&sb, e);
    if (!sb.buf)
        return xstrdup("");
    return strbuf_detach(&sb);
}
