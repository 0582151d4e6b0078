/* raise.c — see raise.h. The name map, the AST builder shared by raise_*.c, issues and
 * comments. Policies are in raise_policy.c, locations, strengths and the rest in
 * raise_objects.c, file reading in raise_json.c. */
#include "compiler/raise.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>

#include "compiler/raise_int.h"

/* ---- the name map ---- */

struct name_entry {
    char *kind, *id, *name;
};

struct raise_names {
    struct name_entry *v;
    size_t n, cap;
    char **complete;
    size_t ncomplete;
};

struct raise_names *raise_names_new(void)
{
    return xcalloc(1, sizeof(struct raise_names));
}

void raise_names_free(struct raise_names *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        free(n->v[i].kind);
        free(n->v[i].id);
        free(n->v[i].name);
    }
    for (size_t i = 0; i < n->ncomplete; i++)
        free(n->complete[i]);
    free(n->complete);
    free(n->v);
    free(n);
}

static const struct name_entry *find_id(const struct raise_names *n, const char *kind,
                                        const char *id)
{
    for (size_t i = 0; n && i < n->n; i++)
        if (strcmp(n->v[i].kind, kind) == 0 && util_streq_nocase(n->v[i].id, id))
            return &n->v[i];
    return NULL;
}

void raise_names_add(struct raise_names *n, const char *kind, const char *id, const char *name)
{
    if (!id || !name || !*id || !*name || find_id(n, kind, id))
        return;
    if (n->n == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 64;
        n->v = xrealloc(n->v, n->cap * sizeof(*n->v));
    }
    n->v[n->n++] = (struct name_entry){xstrdup(kind), xstrdup(id), xstrdup(name)};
}

void raise_names_set_complete(struct raise_names *n, const char *kind)
{
    if (raise_names_complete(n, kind))
        return;
    n->complete = xrealloc(n->complete, (n->ncomplete + 1) * sizeof(*n->complete));
    n->complete[n->ncomplete++] = xstrdup(kind);
}

bool raise_names_complete(const struct raise_names *n, const char *kind)
{
    for (size_t i = 0; n && i < n->ncomplete; i++)
        if (strcmp(n->complete[i], kind) == 0)
            return true;
    return false;
}

/* Display names are matched the way plan resolves them: exactly. UPNs case-insensitively. */
static bool same_name(const char *kind, const char *a, const char *b)
{
    return strcmp(kind, "user") == 0 ? util_streq_nocase(a, b) : strcmp(a, b) == 0;
}

enum raise_lookup raise_names_name(const struct raise_names *n, const char *kind, const char *id,
                                   const char **name)
{
    *name = NULL;
    const struct name_entry *e = find_id(n, kind, id);
    if (!e)
        return RAISE_NAME_UNKNOWN;
    for (size_t i = 0; i < n->n; i++)
        if (&n->v[i] != e && strcmp(n->v[i].kind, kind) == 0 &&
            same_name(kind, n->v[i].name, e->name))
            return RAISE_NAME_AMBIGUOUS;
    *name = e->name;
    return RAISE_NAME_FOUND;
}

const char *raise_names_id(const struct raise_names *n, const char *kind, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; n && i < n->n; i++) {
        if (strcmp(n->v[i].kind, kind) != 0 || !same_name(kind, n->v[i].name, name))
            continue;
        if (found)
            return NULL;
        found = n->v[i].id;
    }
    return found;
}

static const char *str_member(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void names_from_object(struct raise_names *n, const json_t *o)
{
    if (!json_is_object(o))
        return;
    const char *id = str_member(o, "id");
    const char *dn = str_member(o, "displayName");
    const char *type = str_member(o, "@odata.type");
    switch (raise_classify(o)) {
    case RAISE_OBJ_POLICY:
        return;
    case RAISE_OBJ_LOCATION:
        raise_names_add(n, "namedLocation", id, dn);
        return;
    case RAISE_OBJ_STRENGTH:
        raise_names_add(n, "authenticationStrengthPolicy", id, dn);
        return;
    case RAISE_OBJ_OTHER:
        break;
    }
    if (str_member(o, "userPrincipalName")) {
        raise_names_add(n, "user", id, str_member(o, "userPrincipalName"));
    } else if (str_member(o, "appId") && (json_object_get(o, "servicePrincipalType") ||
                                          (type && strstr(type, "servicePrincipal")))) {
        raise_names_add(n, "servicePrincipal", id, dn);
        raise_names_add(n, "application", str_member(o, "appId"), dn);
    } else if (json_object_get(o, "securityEnabled") || json_object_get(o, "groupTypes") ||
               (type && strstr(type, "microsoft.graph.group"))) {
        raise_names_add(n, "group", id, dn);
    } else if (json_object_get(o, "isViewingBeforeAcceptanceRequired") ||
               (type && strstr(type, "agreement"))) {
        raise_names_add(n, "agreement", id, dn);
    }
}

void raise_names_from_json(struct raise_names *n, const json_t *doc)
{
    const json_t *list = doc;
    if (json_is_object(doc) && json_is_array(json_object_get(doc, "value")))
        list = json_object_get(doc, "value");
    if (json_is_array(list)) {
        size_t i;
        const json_t *v;
        json_array_foreach(list, i, v)
        {
            names_from_object(n, v);
        }
    } else {
        names_from_object(n, list);
    }
}

/* ---- issues and comments ---- */

void raise_init(struct raise *r, struct arena *arena, const struct raise_names *names)
{
    memset(r, 0, sizeof(*r));
    r->arena = arena;
    r->names = names;
}

void raise_fini(struct raise *r)
{
    for (size_t i = 0; i < r->nissues; i++) {
        free(r->issues[i].object);
        free(r->issues[i].field);
        free(r->issues[i].message);
    }
    free(r->issues);
    memset(r, 0, sizeof(*r));
}

const char *raise_issue_kind_name(enum raise_issue_kind k)
{
    switch (k) {
    case RAISE_ISSUE_UNSUPPORTED:
        return "cannot express";
    case RAISE_ISSUE_DANGLING:
        return "dangling id";
    case RAISE_ISSUE_AMBIGUOUS:
        return "name not unique";
    case RAISE_ISSUE_PLACEHOLDER:
        return "placeholder";
    case RAISE_ISSUE_RENAMED:
        return "renamed";
    }
    return "?";
}

/* Comment lines of at most this many bytes; longer text continues on "#   " lines. */
#define COMMENT_WIDTH 96

static struct ast_comment *comment_new(struct raise *r, const char *text, size_t n)
{
    struct ast_comment *c = arena_alloc(r->arena, sizeof(*c));
    c->loc = DIAG_LOC_NONE;
    c->text = arena_strndup(r->arena, text, n);
    return c;
}

/* Splits `msg` (one logical line, control characters already replaced) into comment lines. */
static void comment_lines(struct raise *r, struct ast_comment **head, const char *msg)
{
    struct ast_comment **tail = head;
    while (*tail)
        tail = &(*tail)->next;
    size_t len = strlen(msg);
    size_t off = 0;
    bool first = true;
    do {
        const char *prefix = first ? "# idpc: " : "#   ";
        size_t room = COMMENT_WIDTH - strlen(prefix);
        size_t take = len - off;
        if (take > room) {
            take = room;
            /* break at the last space if there is one in the second half, else mid-token
             * (never inside a UTF-8 sequence) */
            size_t sp = take;
            while (sp > room / 2 && msg[off + sp] != ' ')
                sp--;
            if (sp > room / 2)
                take = sp;
            else
                while (take > 1 && ((unsigned char)msg[off + take] & 0xC0) == 0x80)
                    take--;
        }
        struct strbuf sb = STRBUF_INIT;
        strbuf_adds(&sb, prefix);
        strbuf_add(&sb, msg + off, take);
        while (sb.len > 0 && sb.buf[sb.len - 1] == ' ')
            sb.buf[--sb.len] = '\0';
        *tail = comment_new(r, sb.buf, sb.len);
        tail = &(*tail)->next;
        strbuf_fini(&sb);
        off += take;
        while (off < len && msg[off] == ' ')
            off++;
        first = false;
    } while (off < len);
}

static char *IDPC_PRINTF(1, 0) one_line(const char *fmt, va_list ap)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    for (size_t i = 0; i < sb.len; i++)
        if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7F)
            sb.buf[i] = ' ';
    return strbuf_detach(&sb);
}

void raise_comment(struct raise *r, struct ast_stmt *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = one_line(fmt, ap);
    va_end(ap);
    comment_lines(r, &s->leading, m);
    free(m);
}

void raise_issue(struct raise *r, struct raise_block *b, enum raise_issue_kind kind,
                 const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = one_line(fmt, ap);
    va_end(ap);
    if (r->nissues == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->issues = xrealloc(r->issues, r->cap * sizeof(*r->issues));
    }
    r->issues[r->nissues++] =
        (struct raise_issue){kind, xstrdup(b ? b->object : "?"), xstrdup(field), m};
    if (b)
        comment_lines(r, &b->pending, m);
}

/* ---- building statements ---- */

void line_init(struct raise_line *l, struct raise *r)
{
    memset(l, 0, sizeof(*l));
    l->r = r;
}

static struct ast_atom *line_push(struct raise_line *l, enum ast_atom_kind k)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    struct ast_atom *a = &l->v[l->n++];
    memset(a, 0, sizeof(*a));
    a->kind = k;
    a->loc = DIAG_LOC_NONE;
    return a;
}

void line_word(struct raise_line *l, const char *w)
{
    struct ast_atom *a = line_push(l, AST_WORD);
    a->text = arena_strdup(l->r->arena, w);
    a->len = strlen(w);
}

void line_str(struct raise_line *l, const char *s)
{
    struct ast_atom *a = line_push(l, AST_STRING);
    a->text = arena_strdup(l->r->arena, s);
    a->len = strlen(s);
}

void line_comma(struct raise_line *l)
{
    line_push(l, AST_COMMA);
}

void line_plus(struct raise_line *l)
{
    line_push(l, AST_PLUS);
}

/* A comma unless the line holds only its leading words (`n` of them). */
void line_sep(struct raise_line *l, size_t lead)
{
    if (l->n > lead)
        line_comma(l);
}

struct item_span {
    size_t start, n;
    char *key;
};

static int span_cmp(const void *a, const void *b)
{
    const struct item_span *x = a, *y = b;
    return strcmp(x->key, y->key);
}

void line_sort_items(struct raise_line *l, size_t lead)
{
    if (l->n <= lead)
        return;
    struct item_span *sp = NULL;
    size_t ns = 0;
    for (size_t i = lead; i <= l->n; i++) {
        if (i < l->n && l->v[i].kind != AST_COMMA)
            continue;
        size_t start = ns ? sp[ns - 1].start + sp[ns - 1].n + 1 : lead;
        struct strbuf key = STRBUF_INIT;
        /* by kind word first (group, role, user), then by name, case-insensitively */
        for (size_t k = start; k < i; k++) {
            for (const char *c = l->v[k].text ? l->v[k].text : ""; *c; c++)
                strbuf_addc(&key, (char)tolower((unsigned char)*c));
            strbuf_addc(&key, '\x01');
        }
        sp = xrealloc(sp, (ns + 1) * sizeof(*sp));
        sp[ns++] = (struct item_span){start, i - start, strbuf_detach(&key)};
    }
    qsort(sp, ns, sizeof(*sp), span_cmp);
    struct ast_atom *v = xmalloc(l->cap * sizeof(*v));
    memcpy(v, l->v, lead * sizeof(*v));
    size_t o = lead;
    struct ast_atom comma = {.kind = AST_COMMA, .loc = DIAG_LOC_NONE};
    for (size_t i = 0; i < ns; i++) {
        if (i)
            v[o++] = comma;
        memcpy(v + o, l->v + sp[i].start, sp[i].n * sizeof(*v));
        o += sp[i].n;
        free(sp[i].key);
    }
    free(sp);
    free(l->v);
    l->v = v;
    l->n = o;
}

void line_duration(struct raise_line *l, long long num, const char *unit)
{
    struct ast_atom *a = line_push(l, AST_DURATION);
    a->num = num;
    a->text = arena_strdup(l->r->arena, unit);
    a->len = strlen(unit);
}

void line_number(struct raise_line *l, long long num)
{
    struct ast_atom *a = line_push(l, AST_NUMBER);
    a->num = num;
    a->text = arena_printf(l->r->arena, "%lld", num);
    a->len = strlen(a->text);
}

void line_extend(struct raise_line *l, struct raise_line *from)
{
    for (size_t i = 0; i < from->n; i++)
        *line_push(l, from->v[i].kind) = from->v[i];
    free(from->v);
    memset(from, 0, sizeof(*from));
}

struct ast_stmt *line_done(struct raise_line *l)
{
    struct raise *r = l->r;
    struct ast_stmt *s = arena_alloc(r->arena, sizeof(*s));
    s->loc = DIAG_LOC_NONE;
    s->lbrace = s->rbrace = DIAG_LOC_NONE;
    s->natoms = l->n;
    s->atoms = arena_alloc(r->arena, (l->n ? l->n : 1) * sizeof(*s->atoms));
    if (l->n)
        memcpy(s->atoms, l->v, l->n * sizeof(*l->v));
    free(l->v);
    memset(l, 0, sizeof(*l));
    return s;
}

struct ast_stmt *raise_stmt(struct raise *r, const char *fmt, ...)
{
    struct raise_line l;
    line_init(&l, r);
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f; f++) {
        switch (*f) {
        case 'w':
            line_word(&l, va_arg(ap, const char *));
            break;
        case 's':
            line_str(&l, va_arg(ap, const char *));
            break;
        case ',':
            line_comma(&l);
            break;
        default:
            BUG("raise_stmt: bad format '%c'", *f);
        }
    }
    va_end(ap);
    return line_done(&l);
}

void block_init(struct raise_block *b, struct raise *r, const char *object)
{
    memset(b, 0, sizeof(*b));
    b->r = r;
    b->object = object;
}

void block_add(struct raise_block *b, struct ast_stmt *s)
{
    if (b->pending) {
        struct ast_comment **t = &b->pending;
        while (*t)
            t = &(*t)->next;
        *t = s->leading;
        s->leading = b->pending;
        b->pending = NULL;
    }
    if (b->last)
        b->last->next = s;
    else
        b->first = s;
    b->last = s;
}

void block_add_line(struct raise_block *b, struct raise_line *l)
{
    block_add(b, line_done(l));
}

struct ast_stmt *block_finish(struct raise_block *b, struct ast_stmt *decl)
{
    decl->has_block = true;
    decl->body = b->first;
    decl->closing = b->pending;
    b->pending = NULL;
    return decl;
}

struct ast_stmt *raise_decl(struct raise *r, const char *kw, const char *name)
{
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, kw);
    if (name)
        line_str(&l, name);
    return line_done(&l);
}

bool line_ref(struct raise_block *b, struct raise_line *l, size_t lead, const char *kw,
              const char *kind, const char *id, const char *field)
{
    struct raise *r = b->r;
    if (!id || !catalog_is_guid(id)) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express %s value \"%s\": not an object id (a GUID)", field,
                    id ? id : "?");
        return false;
    }
    const char *name = NULL;
    enum raise_lookup lk = raise_names_name(r->names, kind, id, &name);
    line_sep(l, lead);
    line_word(l, kw);
    if (lk == RAISE_NAME_FOUND) {
        line_str(l, name);
        return true;
    }
    line_word(l, "id");
    line_str(l, id);
    if (lk == RAISE_NAME_AMBIGUOUS)
        raise_issue(r, b, RAISE_ISSUE_AMBIGUOUS, field,
                    "%s id \"%s\" in %s: several objects have its name, so the id is kept", kw, id,
                    field);
    else if (raise_names_complete(r->names, kind))
        raise_issue(r, b, RAISE_ISSUE_DANGLING, field,
                    "%s id \"%s\" in %s does not exist in the tenant (a deleted object?); kept as "
                    "an id",
                    kw, id, field);
    return true;
}

void raise_pin(struct raise_block *b, const char *id, bool force)
{
    if (id && (force || b->r->pin_ids) && catalog_is_guid(id)) {
        struct ast_stmt *s = raise_stmt(b->r, "ws", "id", id);
        block_add(b, s);
    }
}

struct ast_file *raise_file(struct raise *r, const char *path, struct ast_stmt *first)
{
    struct ast_file *f = arena_alloc(r->arena, sizeof(*f));
    f->path = arena_strdup(r->arena, path ? path : "<export>");
    f->src = DIAG_NO_FILE;
    f->stmts = first;
    return f;
}

/* ---- small JSON helpers for raise_*.c ---- */

char *raise_json_text(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    return s ? s : xstrdup("?");
}

void raise_leftovers(struct raise_block *b, const json_t *obj, const char *path,
                     const char *const *known)
{
    if (obj && !json_is_object(obj)) {
        char *text = raise_json_text(obj);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, path && *path ? path : "(object)",
                    "cannot express '%s' = %s: expected an object", path, text);
        free(text);
        return;
    }
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (ok)
            continue;
        char *field = path && *path ? xasprintf("%s.%s", path, k) : xstrdup(k);
        char *text = raise_json_text(v);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express '%s' (not in Graph v1.0, or not in the language): %s", field,
                    text);
        free(text);
        free(field);
    }
}

void raise_leftovers_kept(struct raise_block *b, const json_t *obj, const char *path,
                          const char *const *known)
{
    struct strbuf sb = STRBUF_INIT;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], k) == 0;
        if (ok)
            continue;
        char *text = raise_json_text(v);
        strbuf_addf(&sb, "%s%s = %s", sb.len ? ", " : "", k, text);
        free(text);
    }
    if (sb.len)
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, path,
                    "settings of %s the language cannot express, left as they are: %s", path,
                    sb.buf);
    strbuf_fini(&sb);
}

/* Splits a flags string "a,b" into its parts (arena strings); returns the count. */
size_t raise_split_flags(struct raise *r, const char *s, const char ***out)
{
    size_t n = 0, cap = 4;
    const char **v = xmalloc(cap * sizeof(*v));
    while (s && *s) {
        while (*s == ',' || *s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ',')
            e++;
        size_t len = (size_t)(e - s);
        while (len > 0 && s[len - 1] == ' ')
            len--;
        if (len) {
            if (n == cap) {
                cap *= 2;
                v = xrealloc(v, cap * sizeof(*v));
            }
            v[n++] = arena_strndup(r->arena, s, len);
        }
        s = e;
    }
    *out = v;
    return n;
}

enum raise_object_kind raise_classify(const json_t *obj)
{
    if (!json_is_object(obj))
        return RAISE_OBJ_OTHER;
    const char *k;
    const json_t *v;
    bool loc = false, strength = false;
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        if (strcasecmp(k, "conditions") == 0)
            return RAISE_OBJ_POLICY;
        if (strcasecmp(k, "ipRanges") == 0 || strcasecmp(k, "countriesAndRegions") == 0)
            loc = true;
        if (strcasecmp(k, "allowedCombinations") == 0)
            strength = true;
    }
    const char *t = json_string_value(json_object_get(obj, "@odata.type"));
    if (loc || (t && strstr(t, "NamedLocation")))
        return RAISE_OBJ_LOCATION;
    if (strength || (t && strstr(t, "authenticationStrengthPolicy")))
        return RAISE_OBJ_STRENGTH;
    return RAISE_OBJ_OTHER;
}
