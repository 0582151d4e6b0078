/* OData query options on collections: $filter (eq, in, startswith, and, or), $select, $top,
 * $count and paging through @odata.nextLink with an opaque $skiptoken. */
#include "emu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum fkind {
    FN_AND,
    FN_OR,
    FN_EQ,
    FN_NE,
    FN_IN,
    FN_STARTS
};

struct fnode {
    enum fkind kind;
    struct fnode *l, *r;
    char *prop;
    json_t *vals; /* array of literals */
};

struct fparser {
    const char *s;
    const char *err;
};

static void fnode_free(struct fnode *n)
{
    if (!n)
        return;
    fnode_free(n->l);
    fnode_free(n->r);
    free(n->prop);
    json_decref(n->vals);
    free(n);
}

static void skip_ws(struct fparser *p)
{
    while (*p->s == ' ')
        p->s++;
}

static bool word(struct fparser *p, const char *w)
{
    skip_ws(p);
    size_t n = strlen(w);
    if (strncasecmp(p->s, w, n) == 0 && !isalnum((unsigned char)p->s[n]) && p->s[n] != '_') {
        p->s += n;
        return true;
    }
    return false;
}

static bool punct(struct fparser *p, char c)
{
    skip_ws(p);
    if (*p->s == c) {
        p->s++;
        return true;
    }
    return false;
}

static char *ident(struct fparser *p)
{
    skip_ws(p);
    const char *start = p->s;
    while (isalnum((unsigned char)*p->s) || *p->s == '_' || *p->s == '/' || *p->s == '.' ||
           *p->s == '@')
        p->s++;
    if (p->s == start)
        return NULL;
    return emu_xstrndup(start, (size_t)(p->s - start));
}

static json_t *literal(struct fparser *p)
{
    skip_ws(p);
    if (*p->s == '\'') {
        struct emu_buf b = {0};
        p->s++;
        for (;;) {
            if (!*p->s) {
                emu_buf_free(&b);
                p->err = "unterminated string literal";
                return NULL;
            }
            if (*p->s == '\'') {
                if (p->s[1] == '\'') {
                    emu_buf_add(&b, "'", 1);
                    p->s += 2;
                    continue;
                }
                p->s++;
                break;
            }
            emu_buf_add(&b, p->s, 1);
            p->s++;
        }
        json_t *v = json_string(b.data ? b.data : "");
        emu_buf_free(&b);
        return v;
    }
    if (word(p, "true"))
        return json_true();
    if (word(p, "false"))
        return json_false();
    if (word(p, "null"))
        return json_null();
    const char *start = p->s;
    while (isdigit((unsigned char)*p->s) || *p->s == '-')
        p->s++;
    if (p->s != start) {
        char *t = emu_xstrndup(start, (size_t)(p->s - start));
        long v;
        bool ok = emu_parse_long(t, &v);
        free(t);
        if (ok)
            return json_integer(v);
    }
    p->err = "a literal was expected";
    return NULL;
}

static struct fnode *parse_or(struct fparser *p);

static struct fnode *parse_term(struct fparser *p)
{
    if (punct(p, '(')) {
        struct fnode *n = parse_or(p);
        if (n && !punct(p, ')')) {
            p->err = "')' expected";
            fnode_free(n);
            return NULL;
        }
        return n;
    }
    if (word(p, "startswith")) {
        struct fnode *n = emu_xcalloc(1, sizeof *n);
        n->kind = FN_STARTS;
        n->vals = json_array();
        if (!punct(p, '(') || !(n->prop = ident(p)) || !punct(p, ',')) {
            p->err = "startswith(property, 'value') expected";
            fnode_free(n);
            return NULL;
        }
        json_t *v = literal(p);
        if (!json_is_string(v) || !punct(p, ')')) {
            json_decref(v);
            p->err = "startswith(property, 'value') expected";
            fnode_free(n);
            return NULL;
        }
        json_array_append_new(n->vals, v);
        return n;
    }
    struct fnode *n = emu_xcalloc(1, sizeof *n);
    n->vals = json_array();
    n->prop = ident(p);
    if (!n->prop) {
        p->err = "a property name was expected";
        fnode_free(n);
        return NULL;
    }
    if (word(p, "eq") || (word(p, "ne") && (n->kind = FN_NE, true))) {
        if (n->kind != FN_NE)
            n->kind = FN_EQ;
        json_t *v = literal(p);
        if (!v) {
            fnode_free(n);
            return NULL;
        }
        json_array_append_new(n->vals, v);
        return n;
    }
    if (word(p, "in")) {
        n->kind = FN_IN;
        if (!punct(p, '(')) {
            p->err = "'(' expected after in";
            fnode_free(n);
            return NULL;
        }
        do {
            json_t *v = literal(p);
            if (!v) {
                fnode_free(n);
                return NULL;
            }
            json_array_append_new(n->vals, v);
        } while (punct(p, ','));
        if (!punct(p, ')')) {
            p->err = "')' expected";
            fnode_free(n);
            return NULL;
        }
        return n;
    }
    p->err = "unsupported operator";
    fnode_free(n);
    return NULL;
}

static struct fnode *parse_and(struct fparser *p)
{
    struct fnode *l = parse_term(p);
    while (l && word(p, "and")) {
        struct fnode *r = parse_term(p);
        if (!r) {
            fnode_free(l);
            return NULL;
        }
        struct fnode *n = emu_xcalloc(1, sizeof *n);
        n->kind = FN_AND;
        n->l = l;
        n->r = r;
        l = n;
    }
    return l;
}

static struct fnode *parse_or(struct fparser *p)
{
    struct fnode *l = parse_and(p);
    while (l && word(p, "or")) {
        struct fnode *r = parse_and(p);
        if (!r) {
            fnode_free(l);
            return NULL;
        }
        struct fnode *n = emu_xcalloc(1, sizeof *n);
        n->kind = FN_OR;
        n->l = l;
        n->r = r;
        l = n;
    }
    return l;
}

static json_t *prop_get(json_t *obj, const char *path)
{
    char *copy = emu_xstrdup(path);
    json_t *cur = obj;
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part && cur; part = strtok_r(NULL, "/", &save))
        cur = json_object_get(cur, part);
    free(copy);
    return cur;
}

static bool lit_eq(json_t *v, json_t *lit)
{
    if (json_is_string(v) && json_is_string(lit))
        return emu_strieq(json_string_value(v), json_string_value(lit));
    if (!v)
        return json_is_null(lit);
    return json_equal(v, lit);
}

static bool eval(const struct fnode *n, json_t *obj)
{
    switch (n->kind) {
    case FN_AND:
        return eval(n->l, obj) && eval(n->r, obj);
    case FN_OR:
        return eval(n->l, obj) || eval(n->r, obj);
    case FN_EQ:
        return lit_eq(prop_get(obj, n->prop), json_array_get(n->vals, 0));
    case FN_NE:
        return !lit_eq(prop_get(obj, n->prop), json_array_get(n->vals, 0));
    case FN_IN: {
        json_t *v = prop_get(obj, n->prop);
        size_t i;
        json_t *lit;
        json_array_foreach(n->vals, i, lit) if (lit_eq(v, lit)) return true;
        return false;
    }
    case FN_STARTS: {
        const char *v = json_string_value(prop_get(obj, n->prop));
        return v && emu_istarts(v, json_string_value(json_array_get(n->vals, 0)));
    }
    }
    return false;
}

static bool uses_ne(const struct fnode *n)
{
    return n && (n->kind == FN_NE || uses_ne(n->l) || uses_ne(n->r));
}

json_t *emu_select(const struct emu_req *req, const json_t *obj)
{
    const char *sel = emu_req_param(req, "$select");
    json_t *out = json_object();
    json_t *t = json_object_get(obj, "@odata.type");
    if (t)
        json_object_set(out, "@odata.type", t);
    char *copy = emu_xstrdup(sel ? sel : "");
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        while (*part == ' ')
            part++;
        char *end = part + strlen(part);
        while (end > part && end[-1] == ' ')
            *--end = '\0';
        if (!*part)
            continue;
        json_t *v = json_object_get(obj, part);
        json_object_set(out, part, v ? v : json_null());
    }
    free(copy);
    return out;
}

bool emu_select_context(const struct emu_req *req, struct emu_buf *b)
{
    const char *sel = emu_req_param(req, "$select");
    if (!sel)
        return false;
    emu_buf_adds(b, "(");
    for (const char *p = sel; *p; p++)
        if (*p != ' ')
            emu_buf_add(b, p, 1);
    emu_buf_adds(b, ")");
    return true;
}

static void next_link(const struct emu_req *req, struct emu_buf *b, size_t offset)
{
    emu_buf_addf(b, "%s%s?", req->base, req->path);
    for (size_t i = 0; i < req->nq; i++) {
        if (emu_strieq(req->q[i].name, "$skiptoken"))
            continue;
        emu_url_encode(b, req->q[i].name);
        emu_buf_adds(b, "=");
        emu_url_encode(b, req->q[i].value);
        emu_buf_adds(b, "&");
    }
    char raw[64];
    int n = snprintf(raw, sizeof raw, "emu1:%zu:%zu", offset, (size_t)strlen(req->path));
    emu_buf_adds(b, "$skiptoken=");
    emu_b64url_encode(b, (const unsigned char *)raw, (size_t)n);
}

static bool parse_skiptoken(const char *tok, size_t *offset)
{
    size_t n;
    unsigned char *raw = emu_b64url_decode(tok, strlen(tok), &n);
    if (!raw)
        return false;
    char *s = emu_xstrndup((const char *)raw, n);
    free(raw);
    bool ok = false;
    if (strncmp(s, "emu1:", 5) == 0) {
        char *colon = strchr(s + 5, ':');
        if (colon) {
            *colon = '\0';
            long v;
            if (emu_parse_long(s + 5, &v) && v >= 0) {
                *offset = (size_t)v;
                ok = true;
            }
        }
    }
    free(s);
    return ok;
}

void emu_list(struct emu_ctx *ctx, const struct emu_req *req, struct emu_resp *resp,
              const char *context, json_t *items, bool directory)
{
    (void)ctx;
    static const char *const known[] = {"$filter",    "$select", "$top",     "$count",
                                        "$skiptoken", "$expand", "$orderby", NULL};
    for (size_t i = 0; i < req->nq; i++) {
        if (req->q[i].name[0] == '$' && !emu_enum_canon(known, req->q[i].name)) {
            char msg[256];
            snprintf(msg, sizeof msg, "Query option '%s' is not allowed.", req->q[i].name);
            emu_error(resp, 400, "BadRequest", msg);
            return;
        }
    }
    bool eventual = req->consistency && emu_strieq(req->consistency, "eventual");
    const char *count = emu_req_param(req, "$count");
    bool want_count = count && emu_strieq(count, "true");
    if (want_count && directory && !eventual) {
        emu_error_bad(resp, "$count is not currently supported.");
        return;
    }
    long top = 100;
    const char *topstr = emu_req_param(req, "$top");
    if (topstr && (!emu_parse_long(topstr, &top) || top < 1 || top > 999)) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", topstr);
        emu_error_bad(resp, "%s", msg);
        return;
    }
    size_t offset = 0;
    const char *tok = emu_req_param(req, "$skiptoken");
    if (tok && !parse_skiptoken(tok, &offset)) {
        emu_error_bad(resp, "Invalid continuation token.");
        return;
    }
    struct fnode *filter = NULL;
    const char *fs = emu_req_param(req, "$filter");
    if (fs) {
        struct fparser p = {fs, NULL};
        filter = parse_or(&p);
        skip_ws(&p);
        if (filter && *p.s) {
            p.err = "unexpected text after the expression";
            fnode_free(filter);
            filter = NULL;
        }
        if (!filter) {
            char msg[512];
            snprintf(msg, sizeof msg, "Invalid filter clause: %s.", p.err ? p.err : "syntax error");
            emu_error(resp, 400, "BadRequest", msg);
            return;
        }
        if (directory && uses_ne(filter) && !(eventual && want_count)) {
            fnode_free(filter);
            emu_error_bad(resp, "Unsupported or invalid query filter clause specified: 'ne' "
                                "requires ConsistencyLevel: eventual and $count=true.");
            return;
        }
    }
    json_t *matched = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (!filter || eval(filter, it))
        json_array_append(matched, it);
    fnode_free(filter);

    json_t *value = json_array();
    size_t total = json_array_size(matched);
    for (i = offset; i < total && i < offset + (size_t)top; i++) {
        json_t *obj = json_array_get(matched, i);
        if (emu_req_param(req, "$select"))
            json_array_append_new(value, emu_select(req, obj));
        else
            json_array_append(value, obj);
    }
    json_t *out = json_object();
    struct emu_buf b = {0};
    emu_buf_addf(&b, "%s/v1.0/$metadata#%s", req->base, context);
    emu_select_context(req, &b);
    json_object_set_new(out, "@odata.context", json_string(b.data));
    emu_buf_free(&b);
    if (want_count)
        json_object_set_new(out, "@odata.count", json_integer((json_int_t)total));
    if (offset + (size_t)top < total) {
        next_link(req, &b, offset + (size_t)top);
        json_object_set_new(out, "@odata.nextLink", json_string(b.data));
        emu_buf_free(&b);
    }
    json_object_set_new(out, "value", value);
    json_decref(matched);
    emu_ok(resp, 200, out);
}
