/* args.c — a cursor over a statement's atoms, with $variable expansion and precise errors. */
#include <stdarg.h>
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/suggest.h"

#define ARGS_MAX_EXPANSION 4096

static struct check_define *find_define(struct check *ck, const char *name)
{
    return check_define_find(ck, name);
}

struct expand {
    struct ast_atom *v;
    struct loc *origin;
    size_t n, cap;
};

static void push(struct check *ck, struct expand *e, const struct ast_atom *a, struct loc origin)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        struct ast_atom *nv = arena_alloc(ck->arena, cap * sizeof(*nv));
        struct loc *no = arena_alloc(ck->arena, cap * sizeof(*no));
        if (e->n) {
            memcpy(nv, e->v, e->n * sizeof(*nv));
            memcpy(no, e->origin, e->n * sizeof(*no));
        }
        e->v = nv;
        e->origin = no;
        e->cap = cap;
    }
    e->v[e->n] = *a;
    e->origin[e->n] = origin;
    e->n++;
}

static void expand_atoms(struct check *ck, struct expand *e, const struct ast_atom *atoms, size_t n,
                         struct loc origin)
{
    for (size_t i = 0; i < n; i++) {
        const struct ast_atom *a = &atoms[i];
        if (a->kind != AST_VAR) {
            push(ck, e, a, origin);
            continue;
        }
        struct loc use = diag_loc_valid(origin) ? origin : a->loc;
        struct check_define *d = find_define(ck, a->text);
        if (!d) {
            const char **names = arena_alloc(ck->arena, (ck->ndefines + 1) * sizeof(*names));
            for (size_t k = 0; k < ck->ndefines; k++)
                names[k] = ck->defines[k].name;
            const char *best = suggest_best(a->text, names, ck->ndefines);
            if (best) {
                struct check_define *bd = find_define(ck, best);
                if (bd)
                    bd->used = true; /* no "never used" on top of the did-you-mean */
            }
            if (best)
                diag_error(ck->diag, a->loc, "undefined variable '$%s'; did you mean '$%s'?",
                           a->text, best);
            else
                diag_error(ck->diag, a->loc,
                           "undefined variable '$%s'; define it with 'define %s = ...'", a->text,
                           a->text);
            continue;
        }
        d->used = true;
        if (d->expanding) {
            diag_error(ck->diag, a->loc, "variable '$%s' is defined in terms of itself", a->text);
            diag_note(ck->diag, d->stmt->atoms[1].loc, "'$%s' is defined here", a->text);
            continue;
        }
        if (e->n + d->natoms > ARGS_MAX_EXPANSION) {
            diag_error(ck->diag, a->loc, "expanding '$%s' makes this statement too long", a->text);
            continue;
        }
        d->expanding = true;
        expand_atoms(ck, e, d->atoms, d->natoms, use);
        d->expanding = false;
    }
}

void args_check_define(struct check *ck, struct check_define *d)
{
    struct expand e = {0};
    bool used = d->used;
    d->expanding = true;
    expand_atoms(ck, &e, d->atoms, d->natoms, DIAG_LOC_NONE);
    d->expanding = false;
    d->used = used;
}

void args_init(struct args *a, struct check *ck, const struct ast_stmt *s)
{
    memset(a, 0, sizeof(*a));
    a->ck = ck;
    a->stmt = s;
    bool has_var = false;
    for (size_t i = 0; i < s->natoms; i++)
        if (s->atoms[i].kind == AST_VAR)
            has_var = true;
    if (!has_var) {
        a->v = s->atoms;
        a->n = s->natoms;
        a->origin = NULL; /* no atom came from a variable */
    } else {
        struct expand e = {0};
        unsigned before = diag_error_count(ck->diag);
        expand_atoms(ck, &e, s->atoms, s->natoms, DIAG_LOC_NONE);
        a->v = e.v;
        a->origin = e.origin;
        a->n = e.n;
        if (diag_error_count(ck->diag) != before)
            a->failed = true;
    }
    a->i = 1;
}

bool args_done(const struct args *a)
{
    return a->i >= a->n;
}

const struct ast_atom *args_peek(const struct args *a)
{
    return a->i < a->n ? &a->v[a->i] : NULL;
}

const struct ast_atom *args_peek_at(const struct args *a, size_t ahead)
{
    return a->i + ahead < a->n ? &a->v[a->i + ahead] : NULL;
}

const struct ast_atom *args_next(struct args *a)
{
    return a->i < a->n ? &a->v[a->i++] : NULL;
}

struct loc args_here(const struct args *a)
{
    if (a->i < a->n)
        return a->v[a->i].loc;
    const struct ast_atom *last = &a->v[a->n - 1];
    /* an atom expanded from a variable: point after the variable's use instead */
    struct loc o = args_origin(a, a->n - 1);
    struct loc l = diag_loc_valid(o) ? o : last->loc;
    return diag_loc(l.file, l.end, l.end);
}

bool args_accept(struct args *a, const char *w)
{
    if (a->i < a->n && ast_is_word(&a->v[a->i], w)) {
        a->i++;
        return true;
    }
    return false;
}

bool args_comma(struct args *a)
{
    if (a->i < a->n && a->v[a->i].kind == AST_COMMA) {
        a->i++;
        return true;
    }
    return false;
}

static struct loc origin_of(const struct args *a, const struct ast_atom *at)
{
    if (at >= a->v && at < a->v + a->n)
        return args_origin(a, (size_t)(at - a->v));
    return DIAG_LOC_NONE;
}

void args_error(struct args *a, const struct ast_atom *at, const char *fmt, ...)
{
    if (a->failed)
        return; /* one error per statement: the rest would be noise */
    a->failed = true;
    struct loc l = at ? at->loc : args_here(a);
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(a->ck->diag, DIAG_ERROR, NULL, l, fmt, ap);
    va_end(ap);
    struct loc o = at ? origin_of(a, at) : DIAG_LOC_NONE;
    if (diag_loc_valid(o))
        diag_note(a->ck->diag, o, "in the expansion of this variable");
}

void args_expected(struct args *a, const char *what)
{
    const struct ast_atom *at = args_peek(a);
    const struct ast_atom *prev = a->i > 0 ? &a->v[a->i - 1] : NULL;
    const char *after = prev ? ast_atom_describe(a->ck->arena, prev) : "";
    if (!at)
        args_error(a, NULL, "expected %s after %s", what, after);
    else
        args_error(a, at, "expected %s after %s, found %s", what, after,
                   ast_atom_describe(a->ck->arena, at));
}

static void list_choices(struct strbuf *sb, const char *const *choices, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_adds(sb, i == n - 1 ? " or " : ", ");
        strbuf_addf(sb, "'%s'", choices[i]);
    }
}

int args_expect_word(struct args *a, const char *what, const char *const *choices, size_t n)
{
    const struct ast_atom *at = args_peek(a);
    if (at && at->kind == AST_WORD) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(at->text, choices[i]) == 0) {
                a->i++;
                return (int)i;
            }
    }
    struct strbuf sb = STRBUF_INIT;
    list_choices(&sb, choices, n);
    const char *best = at && (at->kind == AST_WORD || at->kind == AST_STRING)
                           ? suggest_best(at->text, choices, n)
                           : NULL;
    if (!at) {
        args_expected(a, what);
    } else if (best) {
        args_error(a, at, "unknown %s '%s'; did you mean '%s'?", what, at->text, best);
    } else if (at->kind == AST_WORD) {
        args_error(a, at, "unknown %s '%s'; expected %s", what, at->text, strbuf_str(&sb));
    } else {
        args_error(a, at, "expected %s (%s), found %s", what, strbuf_str(&sb),
                   ast_atom_describe(a->ck->arena, at));
    }
    strbuf_fini(&sb);
    return -1;
}

const struct catalog_entry *args_expect_enum(struct args *a, enum catalog_kind k)
{
    const struct ast_atom *at = args_peek(a);
    const char *what = catalog_kind_name(k);
    if (at && at->kind == AST_WORD) {
        const struct catalog_entry *e = catalog_lookup(k, at->text);
        if (e) {
            a->i++;
            return e;
        }
        const char *best = catalog_suggest(k, at->text);
        if (best) {
            args_error(a, at, "unknown %s '%s'; did you mean '%s'?", what, at->text, best);
            return NULL;
        }
    }
    size_t n;
    const struct catalog_entry *all = catalog_entries(k, &n);
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_adds(&sb, i == n - 1 ? " or " : ", ");
        strbuf_addf(&sb, "'%s'", all[i].keyword);
    }
    if (!at)
        args_error(a, NULL, "expected %s (%s) after %s", what, strbuf_str(&sb),
                   ast_atom_describe(a->ck->arena, &a->v[a->i - 1]));
    else if (at->kind == AST_WORD)
        args_error(a, at, "unknown %s '%s'; expected %s", what, at->text, strbuf_str(&sb));
    else if (at->kind == AST_STRING && catalog_lookup(k, at->text))
        args_error(a, at, "\"%s\" is a keyword here, not a string: write %s without quotes",
                   at->text, at->text);
    else
        args_error(a, at, "expected %s (%s), found %s", what, strbuf_str(&sb),
                   ast_atom_describe(a->ck->arena, at));
    strbuf_fini(&sb);
    return NULL;
}

const struct ast_atom *args_expect_string(struct args *a, const char *what)
{
    const struct ast_atom *at = args_peek(a);
    if (at && at->kind == AST_STRING) {
        a->i++;
        return at;
    }
    if (at && at->kind == AST_WORD)
        args_error(a, at, "expected %s in quotes, found '%s'; write \"%s\"", what, at->text,
                   at->text);
    else
        args_expected(a, what);
    return NULL;
}

bool args_expect_end(struct args *a)
{
    if (a->failed)
        return false;
    const struct ast_atom *at = args_peek(a);
    if (!at)
        return true;
    args_error(a, at, "unexpected %s at the end of '%s'", ast_atom_describe(a->ck->arena, at),
               a->v[0].text);
    return false;
}

json_t *args_enum_list(struct args *a, enum catalog_kind k)
{
    json_t *out = json_array();
    do {
        const struct catalog_entry *e = args_expect_enum(a, k);
        if (!e) {
            json_decref(out);
            return NULL;
        }
        bool dup = false;
        size_t i;
        json_t *v;
        json_array_foreach(out, i, v)
        {
            if (strcmp(json_string_value(v), e->graph) == 0)
                dup = true;
        }
        if (dup) {
            diag_warning(a->ck->diag, a->v[a->i - 1].loc, "'%s' is listed twice", e->keyword);
        } else {
            json_array_append_new(out, model_const_string(e->graph));
        }
    } while (args_comma(a));
    return out;
}

/* A new reference to the one JSON string of `text` among the references' names. */
static json_t *ref_name(struct check *ck, const char *text)
{
    size_t i;
    if (strmap_get(&ck->ref_names, text, &i))
        return json_incref(ck->ref_values[i]);
    json_t *v = model_string(text, strlen(text));
    if (!v)
        return NULL;
    if (ck->nref_values == ck->capref_values) {
        ck->capref_values = ck->capref_values ? ck->capref_values * 2 : 64;
        ck->ref_values = xrealloc(ck->ref_values, ck->capref_values * sizeof(*ck->ref_values));
    }
    ck->ref_values[ck->nref_values] = v;
    strmap_put(&ck->ref_names, json_string_value(v), ck->nref_values++);
    return json_incref(v);
}

json_t *args_ref(struct args *a, const char *kind, const char *what)
{
    const struct ast_atom *kw = a->i > 0 ? &a->v[a->i - 1] : NULL;
    struct loc at_loc = kw ? kw->loc : args_here(a);
    if (args_accept(a, "id")) {
        const char *at = check_at(a->ck, at_loc);
        const struct ast_atom *s = args_expect_string(a, "an object id");
        if (!s)
            return NULL;
        if (!check_is_guid(s->text)) {
            args_error(a, s,
                       "'%s' is not an object id (a GUID such as "
                       "00000000-0000-0000-0000-000000000000)",
                       s->text);
            return NULL;
        }
        return model_ref_id(kind, s->text, at);
    }
    const struct ast_atom *s = args_expect_string(a, what);
    if (!s)
        return NULL;
    if (s->len == 0) {
        args_error(a, s, "%s must not be empty", what);
        return NULL;
    }
    return model_ref_name_value(kind, ref_name(a->ck, s->text), check_at_shared(a->ck, at_loc));
}

bool args_on_off(struct args *a, bool *out)
{
    static const char *const choices[] = {"on", "off"};
    static const char *const yes[] = {"enabled", "enable", "true", "yes"};
    static const char *const no[] = {"disabled", "disable", "false", "no"};
    const struct ast_atom *at = args_peek(a);
    for (size_t i = 0; at && at->kind == AST_WORD && i < IDPC_ARRAY_LEN(yes); i++) {
        if (util_streq_nocase(at->text, yes[i]) || util_streq_nocase(at->text, no[i])) {
            args_error(a, at, "expected 'on' or 'off', found '%s'; write '%s'", at->text,
                       util_streq_nocase(at->text, yes[i]) ? "on" : "off");
            return false;
        }
    }
    int k = args_expect_word(a, "value", choices, 2);
    if (k < 0)
        return false;
    *out = k == 0;
    return true;
}

void args_error_in(struct args *a, const struct ast_atom *at, size_t start, size_t end,
                   const char *fmt, ...)
{
    if (a->failed)
        return;
    a->failed = true;
    const struct diag_ctx *d = a->ck->diag;
    struct loc l = diag_loc(at->loc.file, ast_string_src_offset(d, at, start),
                            ast_string_src_offset(d, at, end));
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(a->ck->diag, DIAG_ERROR, NULL, l, fmt, ap);
    va_end(ap);
    struct loc o = origin_of(a, at);
    if (diag_loc_valid(o))
        diag_note(a->ck->diag, o, "in the expansion of this variable");
}

const char *args_expect_guid(struct args *a, const char *what)
{
    const struct ast_atom *s = args_expect_string(a, what);
    if (!s)
        return NULL;
    if (!check_is_guid(s->text)) {
        args_error(a, s, "'%s' is not %s (a GUID)", s->text, what);
        return NULL;
    }
    char *id = arena_strndup(a->ck->arena, s->text, s->len);
    for (char *p = id; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return id;
}

static const char *const block_names[BLK__COUNT] = {
    [BLK_TOP] = "the top level",
    [BLK_GROUP] = "a group block",
    [BLK_LOCATION] = "a location block",
    [BLK_STRENGTH] = "a strength block",
    [BLK_AUTH_METHODS] = "the authentication_methods block",
    [BLK_AUTH_CONTEXT] = "an authentication_context block",
    [BLK_ROLE] = "a role block",
    [BLK_SETTINGS] = "the settings block",
    [BLK_ONPREM_SYNC] = "the on_premises_sync block",
    [BLK_TEMPLATE] = "a template block",
    [BLK_POLICY] = "a policy block",
    [BLK_TEST] = "a test block",
    [BLK_USER] = "a user block",
    [BLK_PIM_GROUP] = "a pim_group block",
    [BLK_REVIEW] = "an access_review block",
};

const char *check_block_name(enum check_block b)
{
    return (unsigned)b < BLK__COUNT ? block_names[b] : "a block";
}

const char *check_at(struct check *ck, struct loc l)
{
    const struct src_file *f = diag_loc_valid(l) ? diag_source(ck->diag, l.file) : NULL;
    if (!f)
        return "";
    unsigned line, col;
    diag_line_col(ck->diag, l.file, l.start, &line, &col);
    /* "path:line:col" without printf: one per reference, so on the hot path of compiling */
    size_t plen = strlen(f->path);
    char *out = arena_alloc(ck->arena, plen + 2 * 11 + 1);
    memcpy(out, f->path, plen);
    char *p = out + plen;
    unsigned nums[2] = {line, col};
    for (int i = 0; i < 2; i++) {
        char digits[11];
        int n = 0;
        do {
            digits[n++] = (char)('0' + nums[i] % 10);
            nums[i] /= 10;
        } while (nums[i]);
        *p++ = ':';
        while (n)
            *p++ = digits[--n];
    }
    *p = '\0';
    return out;
}

json_t *check_at_json(struct check *ck, struct loc l, const char *at)
{
    /* `at` is the file's path, then ':' and digits: valid UTF-8 when the path is, which is
     * asked of jansson once per file instead of once per reference */
    uint32_t file = diag_loc_valid(l) ? l.file : UINT32_MAX;
    if (file >= ck->npath_utf8) {
        if (file == UINT32_MAX || file >= diag_source_count(ck->diag))
            return json_string(at);
        size_t n = diag_source_count(ck->diag);
        ck->path_utf8 = xrealloc(ck->path_utf8, n);
        memset(ck->path_utf8 + ck->npath_utf8, 0, n - ck->npath_utf8);
        ck->npath_utf8 = n;
    }
    if (ck->path_utf8[file] == 0) {
        json_t *p = json_string(diag_source(ck->diag, file)->path);
        ck->path_utf8[file] = p ? 1 : 2;
        json_decref(p);
    }
    return ck->path_utf8[file] == 1 ? json_string_nocheck(at) : json_string(at);
}

json_t *check_at_shared(struct check *ck, struct loc l)
{
    if (!diag_loc_valid(l))
        return check_at_json(ck, l, check_at(ck, l));
    uint64_t key = ((uint64_t)l.file << 32 | l.start) + 1;
    if ((ck->nat_slots + 1) * 4 > ck->capat_slots * 3) {
        size_t cap = ck->capat_slots ? ck->capat_slots * 2 : 256;
        struct check_at_slot *v = xcalloc(cap, sizeof(*v));
        for (size_t i = 0; i < ck->capat_slots; i++) {
            if (!ck->at_slots[i].key)
                continue;
            size_t j = (size_t)(ck->at_slots[i].key * 0x9E3779B97F4A7C15u >> 32) & (cap - 1);
            while (v[j].key)
                j = (j + 1) & (cap - 1);
            v[j] = ck->at_slots[i];
        }
        free(ck->at_slots);
        ck->at_slots = v;
        ck->capat_slots = cap;
    }
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15u >> 32) & (ck->capat_slots - 1);
    while (ck->at_slots[j].key && ck->at_slots[j].key != key)
        j = (j + 1) & (ck->capat_slots - 1);
    struct check_at_slot *slot = &ck->at_slots[j];
    if (slot->key)
        return json_incref(slot->at);
    json_t *at = check_at_json(ck, l, check_at(ck, l));
    if (!at)
        return NULL;
    slot->key = key;
    slot->at = at;
    ck->nat_slots++;
    return json_incref(at);
}

bool check_is_guid(const char *s)
{
    return catalog_is_guid(s);
}

bool check_once(struct check *ck, const struct ast_stmt **first, const struct ast_stmt *s,
                const char *where)
{
    if (*first) {
        diag_error(ck->diag, s->atoms[0].loc, "'%s' is given twice in %s", s->atoms[0].text, where);
        diag_note(ck->diag, (*first)->atoms[0].loc, "first given here");
        return false;
    }
    *first = s;
    return true;
}

bool check_common_stmt(struct check *ck, const struct ast_stmt *s, struct model_object *o)
{
    const char *kw = s->atoms[0].text;
    bool is_id = strcmp(kw, "id") == 0;
    if (!is_id && strcmp(kw, "renamed_from") != 0)
        return false;
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *v = args_expect_string(&a, is_id ? "an object id" : "the previous name");
    if (!v || !args_expect_end(&a))
        return true;
    if (is_id) {
        if (!check_is_guid(v->text)) {
            diag_error(ck->diag, v->loc, "'%s' is not an object id (a GUID)", v->text);
            return true;
        }
        if (o->pinned_id) {
            diag_error(ck->diag, s->atoms[0].loc, "'id' is given twice");
            diag_note(ck->diag, o->pinned_loc, "first given here");
            return true;
        }
        o->pinned_id = xstrdup(v->text);
        o->pinned_loc = s->atoms[0].loc;
    } else {
        if (o->renamed_from) {
            diag_error(ck->diag, s->atoms[0].loc, "'renamed_from' is given twice");
            diag_note(ck->diag, o->renamed_loc, "first given here");
            return true;
        }
        o->renamed_loc = s->atoms[0].loc;
        if (strcmp(v->text, o->name) == 0) {
            diag_warning(ck->diag, v->loc, "'renamed_from' names the current name; remove it");
            return true;
        }
        o->renamed_from = xstrdup(v->text);
    }
    return true;
}
