/* lsp_nav.c — hover, go to definition, find references, document symbols and formatting
 * (see lsp_int.h). Hover says what a statement means and the Graph field it sets (from
 * compiler/schema.def), a role's template id and an application's appId (from the catalog),
 * a catalog keyword's Graph value, a variable's value and where a name is declared. */
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/print.h"
#include "runtime/lsp/lsp_int.h"
#include "runtime/lsp/lsp_text.h"

static const char *block_of(const struct lsp_hit *h)
{
    return h->parent && h->parent->atoms[0].kind == AST_WORD ? h->parent->atoms[0].text : NULL;
}

/* ---- finding declarations ---- */

struct found {
    const struct ast_atom *atoms[64];
    size_t n;
    bool want_decl, want_uses;
};

static void collect(void *ctx, const struct lsp_hit *h, bool decl)
{
    struct found *fd = ctx;
    if ((decl && fd->want_decl) || (!decl && fd->want_uses))
        if (fd->n < IDPC_ARRAY_LEN(fd->atoms))
            fd->atoms[fd->n++] = &h->stmt->atoms[h->atom];
}

/* The declaration of (kind, name), or NULL. */
static const struct ast_atom *declaration(const struct lsp_unit *u, enum lsp_sym_kind kind,
                                          const char *name)
{
    struct found fd = {.want_decl = true};
    lsp_query_each(u->cr.ast, kind, name, collect, &fd);
    return fd.n ? fd.atoms[0] : NULL;
}

static void add_where(struct strbuf *md, const struct lsp_unit *u, const struct ast_atom *a)
{
    const struct src_file *f = diag_source(u->cr.diag, a->loc.file);
    unsigned line, col;
    diag_line_col(u->cr.diag, a->loc.file, a->loc.start, &line, &col);
    const char *base = f ? strrchr(f->path, '/') : NULL;
    strbuf_addf(md, "declared at %s:%u:%u", base ? base + 1 : f ? f->path : "?", line, col);
}

/* ---- hover ---- */

static void hover_var(struct strbuf *md, const struct lsp_unit *u, const char *name)
{
    const struct ast_atom *d = declaration(u, LSP_SYM_VAR, name);
    strbuf_addf(md, "**$%s**", name);
    if (!d)
        return strbuf_adds(md, " — not defined");
    /* the value as written: from after '=' to the statement's last atom */
    const struct src_file *f = diag_source(u->cr.diag, d->loc.file);
    const struct ast_atom *last = NULL, *first = NULL;
    for (const struct ast_file *af = u->cr.ast->files; af; af = af->next)
        for (const struct ast_stmt *s = af->stmts; s; s = s->next)
            if (s->natoms > 3 && &s->atoms[1] == d) {
                first = &s->atoms[3];
                last = &s->atoms[s->natoms - 1];
            }
    if (f && first) {
        size_t len = last->loc.end - first->loc.start;
        bool cut = len > 600;
        strbuf_adds(md, " =\n```idp\n");
        strbuf_add(md, f->text + first->loc.start, cut ? 600 : len);
        strbuf_adds(md, cut ? " …\n```\n\n" : "\n```\n\n");
    } else {
        strbuf_adds(md, "\n\n");
    }
    add_where(md, u, d);
}

static void hover_catalog_words(struct strbuf *md, const char *w)
{
    for (int k = 0; k < CAT__COUNT; k++) {
        const struct catalog_entry *e = catalog_lookup((enum catalog_kind)k, w);
        if (!e)
            continue;
        if (md->len)
            strbuf_adds(md, "\n\n");
        strbuf_addf(md, "`%s` — %s: %s (Graph `%s`)", w, catalog_kind_name((enum catalog_kind)k),
                    e->display, e->graph);
    }
}

json_t *lsp_hover(const struct lsp_unit *u, const struct ast_file *f, const struct src_file *src,
                  size_t off)
{
    struct lsp_hit h;
    if (!lsp_query_atom(f, off, &h))
        return json_null();
    const struct ast_stmt *s = h.stmt;
    const struct ast_atom *a = &s->atoms[h.atom];
    const char *kw = s->atoms[0].kind == AST_WORD ? s->atoms[0].text : "";
    const char *prev =
        h.atom > 0 && s->atoms[h.atom - 1].kind == AST_WORD ? s->atoms[h.atom - 1].text : "";
    struct strbuf md = STRBUF_INIT;
    const char *summary, *graph, *name;
    bool decl;
    enum lsp_sym_kind sym = lsp_query_symbol(&h, &name, &decl);
    if (h.atom == 0 && a->kind == AST_WORD &&
        lsp_query_schema(block_of(&h), a->text, &summary, &graph)) {
        strbuf_addf(&md, "**%s** — %s\n\nGraph: `%s`", a->text, summary, graph);
    } else if (sym == LSP_SYM_VAR) {
        hover_var(&md, u, name);
    } else if (a->kind == AST_STRING && (strcmp(prev, "role") == 0 ||
                                         (h.atom == 1 && !h.parent && strcmp(kw, "role") == 0))) {
        const struct catalog_role *r = catalog_role_by_name(a->text);
        if (r) {
            strbuf_addf(&md, "**%s** — directory role\n\ntemplate id (roleDefinitionId): `%s`",
                        r->name, r->template_id);
            if (r->deprecated)
                strbuf_adds(&md, "\n\nMicrosoft marks this role deprecated.");
        } else {
            strbuf_addf(&md, "**%s** — not a built-in directory role", a->text);
        }
    } else if (a->kind == AST_STRING && (strcmp(prev, "app") == 0)) {
        const struct catalog_app *ap = catalog_app_by_name(a->text);
        if (ap)
            strbuf_addf(&md, "**%s** — Microsoft application\n\nappId: `%s`", ap->name, ap->app_id);
        else
            strbuf_addf(&md,
                        "**%s** — an application of the tenant (its appId is looked up at "
                        "plan time)",
                        a->text);
    } else if (a->kind == AST_STRING &&
               (strcmp(kw, "countries") == 0 || strcmp(kw, "country") == 0)) {
        const struct catalog_country *c = catalog_country_by_code(a->text);
        if (c)
            strbuf_addf(&md, "**%s** — %s", c->code, c->common_name);
    } else if (sym != LSP_SYM_NONE) {
        static const char *const what[] = {"",      "",         "template",
                                           "group", "location", "authentication strength"};
        const struct ast_atom *d = declaration(u, sym, name);
        strbuf_addf(&md, "**%s** — %s", name, what[sym]);
        if (d) {
            strbuf_adds(&md, ", ");
            add_where(&md, u, d);
        } else if (sym == LSP_SYM_STRENGTH) {
            strbuf_adds(&md, " (built-in, or not declared in this configuration)");
        } else {
            strbuf_adds(&md, ", not declared in this configuration (looked up in the tenant)");
        }
    } else if (a->kind == AST_WORD) {
        hover_catalog_words(&md, a->text);
    }
    if (md.len == 0) {
        strbuf_fini(&md);
        return json_null();
    }
    json_t *r = json_pack("{s:{s:s, s:o}, s:o}", "contents", "kind", "markdown", "value",
                          lsp_json_string(strbuf_str(&md)), "range",
                          lsp_src_range(src, a->loc.start, a->loc.end));
    strbuf_fini(&md);
    return r;
}

/* ---- definition and references ---- */

static json_t *location(struct lsp_server *s, const struct lsp_unit *u, struct loc l)
{
    char *uri = lsp_ws_uri_of(s, u, l.file);
    const struct src_file *f = diag_source(u->cr.diag, l.file);
    if (!uri || !f) {
        free(uri);
        return NULL;
    }
    json_t *j = json_pack("{s:s, s:o}", "uri", uri, "range", lsp_src_range(f, l.start, l.end));
    free(uri);
    return j;
}

static json_t *locations(struct lsp_server *s, const struct lsp_unit *u, const struct ast_file *f,
                         size_t off, bool decls, bool uses)
{
    struct lsp_hit h;
    const char *name;
    bool decl;
    if (!lsp_query_atom(f, off, &h))
        return json_null();
    enum lsp_sym_kind kind = lsp_query_symbol(&h, &name, &decl);
    if (kind == LSP_SYM_NONE)
        return json_null();
    struct found *fd = xcalloc(1, sizeof(*fd));
    fd->want_decl = decls;
    fd->want_uses = uses;
    lsp_query_each(u->cr.ast, kind, name, collect, fd);
    json_t *arr = json_array();
    for (size_t i = 0; i < fd->n; i++) {
        json_t *l = location(s, u, fd->atoms[i]->loc);
        if (l)
            json_array_append_new(arr, l);
    }
    free(fd);
    return arr;
}

json_t *lsp_definition(struct lsp_server *s, const struct lsp_unit *u, const struct ast_file *f,
                       size_t off)
{
    return locations(s, u, f, off, true, false);
}

json_t *lsp_references(struct lsp_server *s, const struct lsp_unit *u, const struct ast_file *f,
                       size_t off, bool with_decl)
{
    return locations(s, u, f, off, with_decl, true);
}

/* ---- document symbols ---- */

static int symbol_kind(const char *kw)
{
    static const struct {
        const char *kw;
        int kind;
    } map[] = {
        {"policy", 19},
        {"group", 23},
        {"location", 3},
        {"strength", 20},
        {"template", 11},
        {"define", 13},
        {"role", 5},
        {"test", 24},
        {"settings", 2},
        {"tenant", 4},
        {"authentication_methods", 2},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(map); i++)
        if (strcmp(map[i].kw, kw) == 0)
            return map[i].kind;
    return 7; /* Property */
}

/* The statement's first line as written (up to its block or 80 bytes). */
static json_t *stmt_label(const struct src_file *src, const struct ast_stmt *s)
{
    size_t a = s->loc.start, b = s->atoms[s->natoms - 1].loc.end;
    const char *nl = memchr(src->text + a, '\n', b - a);
    if (nl)
        b = (size_t)(nl - src->text);
    if (b - a > 80)
        b = a + 80;
    while (b > a && (src->text[b - 1] == ' ' || src->text[b - 1] == ','))
        b--;
    char *t = xstrndup(src->text + a, b - a);
    json_t *j = lsp_json_string(t);
    free(t);
    return j;
}

static json_t *symbol(const struct src_file *src, const struct ast_stmt *s, bool top)
{
    const char *kw = s->atoms[0].kind == AST_WORD ? s->atoms[0].text : "";
    const struct ast_atom *sel =
        s->natoms > 1 && s->atoms[1].kind != AST_COMMA ? &s->atoms[1] : &s->atoms[0];
    json_t *name = top && sel != &s->atoms[0] ? lsp_json_string(sel->text) : stmt_label(src, s);
    json_t *j =
        json_pack("{s:o, s:s, s:i, s:o, s:o}", "name", name, "detail", kw, "kind",
                  top ? symbol_kind(kw) : 7, "range", lsp_src_range(src, s->loc.start, s->loc.end),
                  "selectionRange", lsp_src_range(src, sel->loc.start, sel->loc.end));
    if (s->has_block) {
        json_t *kids = json_array();
        for (const struct ast_stmt *k = s->body; k; k = k->next)
            if (!k->from_template)
                json_array_append_new(kids, symbol(src, k, false));
        json_object_set_new(j, "children", kids);
    }
    return j;
}

json_t *lsp_symbols(const struct ast_file *f, const struct src_file *src)
{
    json_t *arr = json_array();
    for (const struct ast_stmt *s = f->stmts; s; s = s->next)
        if (!s->from_template)
            json_array_append_new(arr, symbol(src, s, true));
    return arr;
}

/* ---- formatting ---- */

json_t *lsp_format(const char *path, const char *text, size_t len)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    json_t *edits = json_array();
    if (ast_load_text(cfg, diag, path, copy, len) == 0 && diag_error_count(diag) == 0 &&
        cfg->files) {
        struct strbuf out = STRBUF_INIT;
        print_file(cfg->files, &out);
        if (out.len != len || memcmp(strbuf_str(&out), text, len) != 0) {
            unsigned line, ch;
            lsp_text_position(text, len, len, &line, &ch);
            json_array_append_new(edits, json_pack("{s:{s:{s:i, s:i}, s:{s:i, s:i}}, s:s%}",
                                                   "range", "start", "line", 0, "character", 0,
                                                   "end", "line", (int)line, "character", (int)ch,
                                                   "newText", strbuf_str(&out), out.len));
        }
        strbuf_fini(&out);
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return edits;
}
