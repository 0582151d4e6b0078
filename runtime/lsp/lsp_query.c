/* lsp_query.c — questions about the syntax tree at a position: which atom, which block, which
 * symbol (see lsp_int.h). Reads the tree only. */
#include <string.h>

#include "compiler/check.h"
#include "runtime/lsp/lsp_int.h"

static bool find_in(const struct ast_stmt *list, const struct ast_stmt *parent, size_t off,
                    struct lsp_hit *hit, bool *exact)
{
    for (const struct ast_stmt *s = list; s; s = s->next) {
        if (s->from_template || off < s->loc.start || off > s->loc.end)
            continue;
        for (size_t i = 0; i < s->natoms; i++) {
            const struct ast_atom *a = &s->atoms[i];
            if (off < a->loc.start || off > a->loc.end)
                continue;
            /* inside beats "just after": in `a,b` the cursor before b is in b */
            if (off < a->loc.end || !*exact) {
                *hit = (struct lsp_hit){s, parent, i};
                *exact = off < a->loc.end;
                if (*exact)
                    return true;
            }
        }
        if (s->has_block && find_in(s->body, s, off, hit, exact))
            return true;
    }
    return false;
}

bool lsp_query_atom(const struct ast_file *f, size_t off, struct lsp_hit *hit)
{
    bool exact = false;
    memset(hit, 0, sizeof(*hit));
    find_in(f->stmts, NULL, off, hit, &exact);
    return hit->stmt != NULL;
}

const struct ast_stmt *lsp_query_block(const struct ast_file *f, size_t off)
{
    for (const struct ast_stmt *s = f->stmts; s; s = s->next) {
        if (!s->has_block || off < s->lbrace.end)
            continue;
        size_t end = diag_loc_valid(s->rbrace) ? s->rbrace.start : s->loc.end;
        if (off <= end)
            return s;
    }
    return NULL;
}

static const char *const ref_words[] = {"group", "location", "strength"};
static const enum lsp_sym_kind ref_kinds[] = {LSP_SYM_GROUP, LSP_SYM_LOCATION, LSP_SYM_STRENGTH};

enum lsp_sym_kind lsp_query_symbol(const struct lsp_hit *h, const char **name, bool *decl)
{
    const struct ast_stmt *s = h->stmt;
    const struct ast_atom *a = &s->atoms[h->atom];
    const struct ast_atom *kw = &s->atoms[0];
    *decl = false;
    *name = a->text;
    if (a->kind == AST_VAR)
        return LSP_SYM_VAR;
    bool top = h->parent == NULL;
    if (a->kind == AST_WORD && h->atom == 1) {
        if (top && ast_is_word(kw, "define"))
            return *decl = true, LSP_SYM_VAR;
        if (top && ast_is_word(kw, "template") && s->has_block)
            return *decl = true, LSP_SYM_TEMPLATE;
        if (ast_is_word(kw, "use"))
            return LSP_SYM_TEMPLATE;
    }
    if (a->kind == AST_STRING && h->atom >= 1 && s->atoms[h->atom - 1].kind == AST_WORD) {
        const char *prev = s->atoms[h->atom - 1].text;
        for (size_t k = 0; k < IDPC_ARRAY_LEN(ref_words); k++) {
            if (strcmp(prev, ref_words[k]) != 0)
                continue;
            /* `group "X" id "..."` never names a group by id: only a name is a symbol */
            *decl = top && h->atom == 1 && s->has_block;
            return ref_kinds[k];
        }
    }
    return LSP_SYM_NONE;
}

static void each_in(const struct ast_stmt *list, const struct ast_stmt *parent,
                    enum lsp_sym_kind kind, const char *name,
                    void (*fn)(void *ctx, const struct lsp_hit *h, bool decl), void *ctx)
{
    for (const struct ast_stmt *s = list; s; s = s->next) {
        if (s->from_template)
            continue;
        for (size_t i = 0; i < s->natoms; i++) {
            struct lsp_hit h = {s, parent, i};
            const char *n;
            bool decl;
            if (lsp_query_symbol(&h, &n, &decl) == kind && strcmp(n, name) == 0)
                fn(ctx, &h, decl);
        }
        if (s->has_block)
            each_in(s->body, s, kind, name, fn, ctx);
    }
}

void lsp_query_each(const struct ast_config *cfg, enum lsp_sym_kind kind, const char *name,
                    void (*fn)(void *ctx, const struct lsp_hit *h, bool decl), void *ctx)
{
    for (const struct ast_file *f = cfg->files; f; f = f->next)
        each_in(f->stmts, NULL, kind, name, fn, ctx);
}

bool lsp_query_schema(const char *block, const char *word, const char **summary, const char **graph)
{
    struct check_schema_entry e;
    for (size_t i = 0; check_schema_at(i, &e); i++) {
        bool same_block = block ? e.block && strcmp(e.block, block) == 0 : e.block == NULL;
        if (same_block && strcmp(e.keyword, word) == 0) {
            *summary = e.summary;
            *graph = e.graph;
            return true;
        }
    }
    return false;
}
