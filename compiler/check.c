/* check.c — scopes, variables, templates, statement placement, and dispatch to lower_*.c. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/suggest.h"

struct schema_row {
    enum check_block block;
    const char *keyword;
    bool takes_block;
    const char *summary;
    const char *graph;
};

static const struct schema_row schema[] = {
#define STMT(b, k, t, s, g) {b, k, t, s, g},
#include "compiler/schema.def"
#undef STMT
};

/* The schema's rows per block: keyword -> the first row (borrowed keys), made on first use:
 * every statement's placement is checked against it. */
static struct strmap schema_index[BLK__COUNT];
static bool schema_ready;

static const struct schema_row *schema_find(enum check_block b, const char *kw)
{
    if (!schema_ready) {
        schema_ready = true;
        for (int k = 0; k < BLK__COUNT; k++)
            strmap_init_borrowed(&schema_index[k], false);
        for (size_t i = 0; i < IDPC_ARRAY_LEN(schema); i++)
            if ((unsigned)schema[i].block < BLK__COUNT)
                (void)strmap_put_first(&schema_index[schema[i].block], schema[i].keyword, i);
    }
    size_t i;
    if ((unsigned)b >= BLK__COUNT || !strmap_get(&schema_index[b], kw, &i))
        return NULL;
    return &schema[i];
}

/* The keyword that opens a block of kind `b` ("policy", ...); NULL for the top level. */
static const char *block_keyword(enum check_block b)
{
    static const char *const kw[BLK__COUNT] = {
        [BLK_TOP] = NULL,
        [BLK_GROUP] = "group",
        [BLK_LOCATION] = "location",
        [BLK_STRENGTH] = "strength",
        [BLK_AUTH_METHODS] = "authentication_methods",
        [BLK_ROLE] = "role",
        [BLK_AUTH_CONTEXT] = "authentication_context",
        [BLK_SETTINGS] = "settings",
        [BLK_ONPREM_SYNC] = "on_premises_sync",
        [BLK_TEMPLATE] = "template",
        [BLK_POLICY] = "policy",
        [BLK_TEST] = "test",
        [BLK_USER] = "user",
        [BLK_PIM_GROUP] = "pim_group",
        [BLK_REVIEW] = "access_review",
    };
    return kw[b];
}

bool check_schema_at(size_t i, struct check_schema_entry *out)
{
    if (i >= IDPC_ARRAY_LEN(schema))
        return false;
    out->block = block_keyword(schema[i].block);
    out->keyword = schema[i].keyword;
    out->takes_block = schema[i].takes_block;
    out->summary = schema[i].summary;
    out->graph = schema[i].graph;
    return true;
}

/* Reports a statement that does not belong in block `b`. */
static void misplaced(struct check *ck, enum check_block b, const struct ast_stmt *s)
{
    const char *kw = s->atoms[0].text;
    const struct ast_atom *at = &s->atoms[0];
    /* where does it belong? */
    for (size_t i = 0; i < IDPC_ARRAY_LEN(schema); i++) {
        if (strcmp(schema[i].keyword, kw) == 0 && schema[i].block != b &&
            schema[i].block != BLK_TEMPLATE) {
            diag_error(ck->diag, at->loc, "'%s' is not allowed in %s; it belongs in %s", kw,
                       check_block_name(b), check_block_name(schema[i].block));
            return;
        }
    }
    struct suggest sg;
    suggest_init(&sg, kw);
    for (size_t i = 0; i < IDPC_ARRAY_LEN(schema); i++)
        if (schema[i].block == b)
            suggest_add(&sg, schema[i].keyword);
    const char *best = suggest_result(&sg);
    if (best) {
        diag_error(ck->diag, at->loc, "unknown statement '%s' in %s; did you mean '%s'?", kw,
                   check_block_name(b), best);
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    size_t count = 0;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(schema); i++)
        if (schema[i].block == b)
            count++;
    size_t k = 0;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(schema); i++) {
        if (schema[i].block != b)
            continue;
        if (k)
            strbuf_adds(&sb, k == count - 1 ? " or " : ", ");
        strbuf_addf(&sb, "'%s'", schema[i].keyword);
        k++;
    }
    diag_error(ck->diag, at->loc, "unknown statement '%s' in %s; expected %s", kw,
               check_block_name(b), strbuf_str(&sb));
    strbuf_fini(&sb);
}

/* Checks that `s` may stand in block `b`, with or without a block as the schema says. */
static bool placement_ok(struct check *ck, enum check_block b, const struct ast_stmt *s)
{
    if (s->atoms[0].kind != AST_WORD) {
        diag_error(ck->diag, s->atoms[0].loc, "a statement starts with a keyword");
        return false;
    }
    const struct schema_row *row = schema_find(b, s->atoms[0].text);
    if (!row) {
        misplaced(ck, b, s);
        return false;
    }
    if (row->takes_block && !s->has_block) {
        diag_error(ck->diag, ast_atoms_loc(s, 0, s->natoms), "'%s' needs a block: %s ... { ... }",
                   row->keyword, row->keyword);
        return false;
    }
    if (!row->takes_block && s->has_block) {
        diag_error(ck->diag, s->lbrace, "'%s' does not take a block", row->keyword);
        return false;
    }
    return true;
}

/* The statements of a block that pass the placement check. */
static struct ast_stmt **checked_body(struct check *ck, enum check_block b,
                                      const struct ast_stmt *decl, size_t *n)
{
    size_t count = 0;
    for (const struct ast_stmt *s = decl->body; s; s = s->next)
        count++;
    struct ast_stmt **v = arena_alloc(ck->arena, (count + 1) * sizeof(*v));
    size_t k = 0;
    for (struct ast_stmt *s = decl->body; s; s = s->next)
        if (placement_ok(ck, b, s))
            v[k++] = s;
    *n = k;
    if (k != count)
        ck->incomplete_blocks++;
    return v;
}

/* ---- declarations and their names ---- */

struct decl {
    enum check_block block;
    const char *name; /* NULL for unnamed blocks */
    const struct ast_stmt *stmt;
    struct ast_stmt **body;
    size_t nbody;
    bool used;       /* templates */
    bool incomplete; /* a statement of the block was rejected */
    bool expanding;  /* templates: cycle detection */
};

struct decls {
    struct decl *v;
    size_t n, cap;
    /* `use NAME` of an unknown template -> 1 + the index in v of the template it suggests, or
     * 0 (borrowed keys): a template used by many policies repeats its unknown `use` in every
     * expansion, and the search over every template is done once per name. */
    struct strmap unknown_uses;
    /* "file:offset" of each unknown `use` already reported (and kept) */
    struct strmap reported_uses;
};

static struct decl *decl_add(struct decls *d)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    struct decl *x = &d->v[d->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

/* The declaration of kind `b` called `name`: a hash lookup in ck->decl_index (declarations
 * are only added, so the index of the first one of each name stays valid). */
static struct decl *decl_find(struct check *ck, struct decls *d, enum check_block b,
                              const char *name)
{
    size_t i;
    return strmap_get(&ck->decl_index[b], name, &i) ? &d->v[i] : NULL;
}

const struct ast_stmt *check_decl_stmt(const struct check *ck, enum check_block b, const char *name)
{
    size_t i;
    return ck->decl_stmts && strmap_get(&ck->decl_index[b], name, &i) ? ck->decl_stmts[i] : NULL;
}

struct check_define *check_define_find(struct check *ck, const char *name)
{
    size_t i;
    return strmap_get(&ck->define_index, name, &i) ? &ck->defines[i] : NULL;
}

static enum check_block decl_block(const char *kw)
{
    static const struct {
        const char *kw;
        enum check_block b;
    } map[] = {
        {"group", BLK_GROUP},
        {"location", BLK_LOCATION},
        {"strength", BLK_STRENGTH},
        {"authentication_methods", BLK_AUTH_METHODS},
        {"authentication_context", BLK_AUTH_CONTEXT},
        {"role", BLK_ROLE},
        {"settings", BLK_SETTINGS},
        {"on_premises_sync", BLK_ONPREM_SYNC},
        {"template", BLK_TEMPLATE},
        {"policy", BLK_POLICY},
        {"test", BLK_TEST},
        {"user", BLK_USER},
        {"pim_group", BLK_PIM_GROUP},
        {"access_review", BLK_REVIEW},
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(map); i++)
        if (strcmp(map[i].kw, kw) == 0)
            return map[i].b;
    return BLK_TOP;
}

/* The name of a block declaration: `KW "name" {` (templates: `template NAME {`), or none for the
 * singletons. Returns false after reporting an error. */
static bool decl_name(struct check *ck, const struct ast_stmt *s, enum check_block b,
                      const char **name)
{
    const char *kw = s->atoms[0].text;
    *name = NULL;
    if (b == BLK_AUTH_METHODS || b == BLK_SETTINGS || b == BLK_ONPREM_SYNC) {
        if (s->natoms > 1) {
            diag_error(ck->diag, ast_atoms_loc(s, 1, s->natoms), "'%s' takes no name: write '%s {'",
                       kw, kw);
            return false;
        }
        return true;
    }
    if (s->natoms < 2) {
        diag_error(ck->diag, s->lbrace, "'%s' needs a name before '{': %s %s {", kw, kw,
                   b == BLK_TEMPLATE ? "NAME" : "\"Name\"");
        return false;
    }
    const struct ast_atom *a = &s->atoms[1];
    if (b == BLK_TEMPLATE) {
        if (a->kind != AST_WORD) {
            diag_error(ck->diag, a->loc,
                       "a template's name is an identifier such as 'baseline', "
                       "found %s",
                       ast_atom_describe(ck->arena, a));
            return false;
        }
    } else if (a->kind != AST_STRING) {
        if (a->kind == AST_WORD)
            diag_error(ck->diag, a->loc, "the %s's name must be a string: %s \"%s\" {", kw, kw,
                       a->text);
        else
            diag_error(ck->diag, a->loc, "the %s's name must be a string, found %s", kw,
                       ast_atom_describe(ck->arena, a));
        return false;
    } else if (a->len == 0) {
        diag_error(ck->diag, a->loc, "the %s's name must not be empty", kw);
        return false;
    }
    if (s->natoms > 2) {
        diag_error(ck->diag, ast_atoms_loc(s, 2, s->natoms),
                   "unexpected %s after the %s's name; the block starts with '{'",
                   ast_atom_describe(ck->arena, &s->atoms[2]), kw);
        return false;
    }
    *name = a->text;
    return true;
}

/* ---- top-level simple statements ---- */

static void check_tenant(struct check *ck, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, ck, s);
    const struct ast_atom *t = args_expect_string(&a, "the tenant's domain or id");
    if (!t || !args_expect_end(&a))
        return;
    if (ck->model->tenant) {
        diag_error(ck->diag, s->atoms[0].loc, "'tenant' is given twice");
        diag_note(ck->diag, ck->model->tenant_loc, "first given here");
        return;
    }
    if (!check_is_guid(t->text) && (!strchr(t->text, '.') || strchr(t->text, ' '))) {
        diag_error(ck->diag, t->loc, "'%s' is neither a domain name nor a tenant id (GUID)",
                   t->text);
        return;
    }
    ck->model->tenant = xstrdup(t->text);
    ck->model->tenant_loc = s->atoms[0].loc;
}

static void collect_define(struct check *ck, const struct ast_stmt *s, struct decls *unused)
{
    (void)unused;
    if (s->natoms < 2 || s->atoms[1].kind != AST_WORD) {
        diag_error(ck->diag, s->natoms < 2 ? s->atoms[0].loc : s->atoms[1].loc,
                   "expected a name after 'define': define NAME = item, item");
        return;
    }
    if (s->natoms < 3 || s->atoms[2].kind != AST_EQUALS) {
        diag_error(ck->diag,
                   s->natoms < 3
                       ? diag_loc(s->atoms[1].loc.file, s->atoms[1].loc.end, s->atoms[1].loc.end)
                       : s->atoms[2].loc,
                   "expected '=' after 'define %s'", s->atoms[1].text);
        return;
    }
    if (s->natoms < 4) {
        diag_error(ck->diag, s->atoms[2].loc, "'define %s' has no value after '='",
                   s->atoms[1].text);
        return;
    }
    const struct check_define *first = check_define_find(ck, s->atoms[1].text);
    if (first) {
        diag_error(ck->diag, s->atoms[1].loc, "'$%s' is defined twice", s->atoms[1].text);
        diag_note(ck->diag, first->stmt->atoms[1].loc, "first defined here");
        return;
    }
    if ((ck->ndefines & (ck->ndefines - 1)) == 0) /* capacity doubles at each power of two */
        ck->defines =
            xrealloc(ck->defines, (ck->ndefines ? ck->ndefines * 2 : 8) * sizeof(*ck->defines));
    strmap_put(&ck->define_index, s->atoms[1].text, ck->ndefines);
    struct check_define *d = &ck->defines[ck->ndefines++];
    memset(d, 0, sizeof(*d));
    d->name = s->atoms[1].text;
    d->stmt = s;
    d->atoms = s->atoms + 3;
    d->natoms = s->natoms - 3;
}

static void check_emergency(struct check *ck, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, ck, s);
    json_t *refs = json_array();
    do {
        const struct ast_atom *k = args_peek(&a);
        json_t *r = NULL;
        if (args_accept(&a, "user"))
            r = args_ref(&a, "user", "a user principal name");
        else if (args_accept(&a, "group"))
            r = args_ref(&a, "group", "a group name");
        else
            args_expected(&a, "'user' or 'group'");
        if (!r)
            goto out;
        (void)k;
        json_array_append_new(refs, r);
    } while (args_comma(&a));
    json_t *satisfies = json_array();
    if (args_accept(&a, "satisfies")) {
        static const char *const methods[] = {
            "password",         "mfa",          "fido2", "windows_hello", "x509_multifactor",
            "compliant_device", "hybrid_joined"};
        do {
            int k = args_expect_word(&a, "control an emergency account can satisfy", methods,
                                     IDPC_ARRAY_LEN(methods));
            if (k < 0) {
                json_decref(satisfies);
                goto out;
            }
            json_array_append_new(satisfies, json_string(methods[k]));
        } while (args_comma(&a));
    }
    if (!args_expect_end(&a)) {
        json_decref(satisfies);
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r)
    {
        json_t *e = json_object();
        json_object_set(e, "ref", r);
        json_object_set(e, "satisfies", satisfies);
        json_object_set_new(e, "at", json_string(check_at(ck, s->atoms[0].loc)));
        json_array_append_new(ck->model->emergency_access, e);
    }
    json_decref(satisfies);
out:
    json_decref(refs);
}

static void check_manage(struct check *ck, const struct ast_stmt *s)
{
    static const char *const kinds[] = {"policies", "locations",        "strengths",
                                        "groups",   "role_assignments", "authentication_contexts"};
    static const enum model_kind mk[] = {MODEL_CA_POLICY,       MODEL_NAMED_LOCATION,
                                         MODEL_AUTH_STRENGTH,   MODEL_GROUP,
                                         MODEL_ROLE_ASSIGNMENT, MODEL_AUTH_CONTEXT};
    struct args a;
    args_init(&a, ck, s);
    static const char *const ex[] = {"exclusively"};
    if (args_expect_word(&a, "word", ex, 1) < 0)
        return;
    unsigned mask = 0;
    do {
        const struct ast_atom *w = args_peek(&a);
        if (w && ast_is_word(w, "users")) {
            /* a deleted account is gone for good after 30 days, with its mailbox and files
             * ("Restore or remove a recently deleted user using Microsoft Entra ID") */
            args_error(&a, w,
                       "idpc never deletes users: a declared user is created or updated, an "
                       "undeclared one is left alone; remove 'users' from this line");
            return;
        }
        int k = args_expect_word(&a, "kind of object", kinds, IDPC_ARRAY_LEN(kinds));
        if (k < 0)
            return;
        mask |= 1u << mk[k];
        if (mk[k] == MODEL_ROLE_ASSIGNMENT)
            mask |= 1u << MODEL_ROLE_ELIGIBILITY;
    } while (args_comma(&a));
    if (!args_expect_end(&a))
        return;
    ck->model->manage_exclusive |= mask;
    ck->model->manage_loc = s->atoms[0].loc;
}

/* ---- templates ---- */

struct stmt_vec {
    struct ast_stmt **v;
    size_t n, cap;
    size_t uses;   /* `use` lines expanded so far for this block */
    bool too_many; /* CHECK_MAX_USES reached: reported once */
};

/* A block's templates may expand at most this many `use` lines in all: a template that uses
 * another twice per level doubles at each level, and forty levels would not fit in memory. */
#define CHECK_MAX_USES 10000

static void vec_push(struct stmt_vec *sv, struct ast_stmt *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 32;
        sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
}

static void expand_uses(struct check *ck, struct decls *ds, struct ast_stmt **body, size_t n,
                        struct stmt_vec *out)
{
    for (size_t i = 0; i < n; i++) {
        struct ast_stmt *s = body[i];
        if (strcmp(s->atoms[0].text, "use") != 0) {
            vec_push(out, s);
            continue;
        }
        if (s->natoms != 2 || s->atoms[1].kind != AST_WORD) {
            diag_error(ck->diag, s->natoms < 2 ? s->atoms[0].loc : s->atoms[1].loc,
                       "expected a template name: use NAME");
            continue;
        }
        const char *name = s->atoms[1].text;
        size_t known = 0;
        bool unknown = strmap_get(&ds->unknown_uses, name, &known);
        struct decl *t = unknown ? NULL : decl_find(ck, ds, BLK_TEMPLATE, name);
        if (!t) {
            /* This `use` line was reported in an earlier expansion of its template: the same
             * error again would be dropped as a repeat. */
            char at[32];
            snprintf(at, sizeof(at), "%u:%u", (unsigned)s->atoms[1].loc.file,
                     (unsigned)s->atoms[1].loc.start);
            if (strmap_get(&ds->reported_uses, at, NULL))
                continue;
            if (!unknown) {
                struct suggest sg;
                suggest_init(&sg, name);
                known = 0;
                for (size_t k = 0; k < ds->n; k++)
                    if (ds->v[k].block == BLK_TEMPLATE) {
                        const char *before = suggest_result(&sg);
                        suggest_add(&sg, ds->v[k].name);
                        if (suggest_result(&sg) != before)
                            known = k + 1;
                    }
                strmap_put(&ds->unknown_uses, name, known);
            }
            const char *best = known ? ds->v[known - 1].name : NULL;
            if (best) {
                diag_error(ck->diag, s->atoms[1].loc, "unknown template '%s'; did you mean '%s'?",
                           name, best);
                struct decl *bt = decl_find(ck, ds, BLK_TEMPLATE, best);
                if (bt)
                    bt->used = true; /* no "never used" on top of the did-you-mean */
            } else {
                diag_error(ck->diag, s->atoms[1].loc, "unknown template '%s'", name);
            }
            if (!diag_notes_dropped(ck->diag)) /* kept, not over the cap */
                strmap_put(&ds->reported_uses, at, 0);
            continue;
        }
        t->used = true;
        if (t->expanding) {
            diag_error(ck->diag, s->atoms[1].loc, "template '%s' uses itself", name);
            continue;
        }
        if (++out->uses > CHECK_MAX_USES) {
            if (!out->too_many)
                diag_error(ck->diag, s->atoms[1].loc,
                           "expanding template '%s' takes more than %d 'use' lines in this "
                           "block; templates that use each other several times grow "
                           "exponentially",
                           name, CHECK_MAX_USES);
            out->too_many = true;
            continue;
        }
        t->expanding = true;
        expand_uses(ck, ds, t->body, t->nbody, out);
        t->expanding = false;
    }
}

/* ---- the driver ---- */

/* Is the block's text empty but for blanks and comments? (A block whose lines were all dropped
 * for syntax errors is not "empty": those errors are already reported.) */
static bool block_is_blank(struct check *ck, const struct ast_stmt *s)
{
    const struct src_file *f = diag_source(ck->diag, s->lbrace.file);
    if (!f)
        return true;
    for (size_t i = s->lbrace.end; i < s->rbrace.start && i < f->len; i++) {
        char c = f->text[i];
        if (c == '#') {
            while (i < s->rbrace.start && f->text[i] != '\n')
                i++;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return false;
        }
    }
    return true;
}

/* Was an error (a syntax error, a rejected statement) already reported inside this block? */
static bool errors_inside(struct check *ck, const struct ast_stmt *s)
{
    if (diag_error_count(ck->diag) == 0)
        return false; /* the common case, without a walk over every diagnostic */
    for (size_t i = 0; i < diag_count(ck->diag); i++) {
        const struct diag *d = diag_at(ck->diag, i);
        if (d->severity == DIAG_ERROR && d->loc.file == s->lbrace.file &&
            d->loc.start >= s->lbrace.start && d->loc.start < s->rbrace.end)
            return true;
    }
    return false;
}

static void lower_decl(struct check *ck, struct decls *ds, struct decl *d)
{
    const struct ast_stmt *s = d->stmt;
    ck->incomplete = d->incomplete || errors_inside(ck, s);
    switch (d->block) {
    case BLK_GROUP:
        lower_group(ck, s, d->body, d->nbody);
        break;
    case BLK_LOCATION:
        lower_location(ck, s, d->body, d->nbody);
        break;
    case BLK_STRENGTH:
        lower_strength(ck, s, d->body, d->nbody);
        break;
    case BLK_AUTH_METHODS:
        lower_auth_methods(ck, s, d->body, d->nbody);
        break;
    case BLK_AUTH_CONTEXT:
        lower_context(ck, s, d->body, d->nbody);
        break;
    case BLK_ROLE:
        lower_role(ck, s, d->body, d->nbody);
        break;
    case BLK_USER:
        lower_user(ck, s, d->body, d->nbody);
        break;
    case BLK_SETTINGS:
        lower_settings(ck, s, d->body, d->nbody);
        break;
    case BLK_ONPREM_SYNC:
        lower_onprem_sync(ck, s, d->body, d->nbody);
        break;
    case BLK_POLICY: {
        struct stmt_vec merged = {0};
        unsigned before = diag_error_count(ck->diag);
        expand_uses(ck, ds, d->body, d->nbody, &merged);
        if (diag_error_count(ck->diag) != before)
            ck->incomplete = true; /* a template is missing: its lines are not there */
        if (merged.n == 0 && !ck->incomplete && block_is_blank(ck, s))
            diag_error(ck->diag, s->atoms[1].loc,
                       "policy '%s' is empty; a policy needs users, apps and a grant or session "
                       "control",
                       d->name);
        else if (merged.n > 0)
            lower_policy(ck, s, merged.v, merged.n);
        free(merged.v);
        break;
    }
    case BLK_TEST:
        lower_test(ck, s, d->body, d->nbody);
        break;
    case BLK_PIM_GROUP:
        lower_pim_group(ck, s, d->body, d->nbody);
        break;
    case BLK_REVIEW:
        lower_review(ck, s, d->body, d->nbody);
        break;
    case BLK_TEMPLATE:
    case BLK_TOP:
    case BLK__COUNT:
        break;
    }
}

struct model *check_config(const struct ast_config *cfg, struct diag_ctx *diag)
{
    return check_config_with(cfg, diag, NULL);
}

struct model *check_config_with(const struct ast_config *cfg, struct diag_ctx *diag,
                                const struct model_freeze_request *freeze)
{
    struct check ck;
    memset(&ck, 0, sizeof(ck));
    ck.diag = diag;
    ck.arena = cfg->arena;
    ck.cfg = cfg;
    ck.model = model_new();
    if (freeze)
        ck.model->freeze = *freeze;
    struct decls ds = {0};
    strmap_init_borrowed(&ds.unknown_uses, false);
    strmap_init(&ds.reported_uses, false);
    strmap_init_borrowed(&ck.define_index, false);
    strmap_init_borrowed(&ck.ref_names, false);
    for (int b = 0; b < BLK__COUNT; b++)
        strmap_init_borrowed(&ck.decl_index[b], false);

    /* Pass 1: defines, declarations and their names, placement of every statement. */
    for (const struct ast_file *f = cfg->files; f; f = f->next) {
        for (const struct ast_stmt *s = f->stmts; s; s = s->next) {
            if (!placement_ok(&ck, BLK_TOP, s))
                continue;
            const char *kw = s->atoms[0].text;
            if (strcmp(kw, "define") == 0) {
                collect_define(&ck, s, &ds);
                continue;
            }
            enum check_block b = decl_block(kw);
            if (b == BLK_TOP)
                continue;
            const char *name;
            if (!decl_name(&ck, s, b, &name))
                continue;
            struct decl *prev = name ? decl_find(&ck, &ds, b, name) : NULL;
            if (!name) {
                for (size_t i = 0; i < ds.n; i++)
                    if (ds.v[i].block == b)
                        prev = &ds.v[i];
            }
            if (b == BLK_ROLE || b == BLK_TEST) {
                /* role blocks and tests are keyed by name as well */
            }
            if (prev) {
                if (name)
                    diag_error(diag, s->atoms[1].loc, "%s \"%s\" is declared twice", kw, name);
                else
                    diag_error(diag, s->atoms[0].loc, "'%s' is declared twice", kw);
                diag_note(diag, prev->stmt->atoms[name ? 1 : 0].loc, "first declared here");
                size_t ignored;
                (void)checked_body(&ck, b, s, &ignored);
                continue;
            }
            if (name)
                strmap_put(&ck.decl_index[b], name, ds.n);
            struct decl *d = decl_add(&ds);
            d->block = b;
            d->name = name;
            d->stmt = s;
            unsigned before = ck.incomplete_blocks;
            d->body = checked_body(&ck, b, s, &d->nbody);
            d->incomplete = ck.incomplete_blocks != before;
        }
    }
    /* Pass 2: top-level statements that need the defines. */
    for (const struct ast_file *f = cfg->files; f; f = f->next) {
        for (const struct ast_stmt *s = f->stmts; s; s = s->next) {
            if (s->atoms[0].kind != AST_WORD || !schema_find(BLK_TOP, s->atoms[0].text))
                continue;
            const char *kw = s->atoms[0].text;
            if (strcmp(kw, "tenant") == 0)
                check_tenant(&ck, s);
            else if (strcmp(kw, "emergency_access") == 0)
                check_emergency(&ck, s);
            else if (strcmp(kw, "manage") == 0)
                check_manage(&ck, s);
        }
    }
    /* Pass 3: lower every declaration, in a stable order (dependencies are symbolic). */
    const struct ast_stmt **stmts = xcalloc(ds.n + 1, sizeof(*stmts));
    for (size_t i = 0; i < ds.n; i++)
        stmts[i] = ds.v[i].stmt;
    ck.decl_stmts = stmts;
    /* What lowering allocates in ck.arena (expanded atoms, "file:line:col" texts, item keys for
     * duplicate checks) serves one declaration only: the model and the diagnostics copy what
     * they keep. A scratch arena, emptied after each declaration, keeps it from piling up. */
    struct arena *tree_arena = ck.arena, *scratch = arena_new();
    for (size_t i = 0; i < ds.n; i++) {
        ck.arena = scratch;
        size_t first = ck.model->n;
        lower_decl(&ck, &ds, &ds.v[i]);
        /* a requested kind's body is complete once its declaration is lowered, and no later
         * declaration or check across declarations reads it (model.h) */
        (void)model_freeze_since(ck.model, first);
        arena_reset(scratch);
    }
    ck.arena = tree_arena;
    arena_free(scratch);
    lower_context_finish(&ck);
    lower_finish(&ck);

    /* "never used" is advice; with errors present it would only be noise around them. */
    bool advise = diag_error_count(diag) == 0;
    for (size_t i = 0; i < ds.n && advise; i++)
        if (ds.v[i].block == BLK_TEMPLATE && !ds.v[i].used)
            diag_warning(diag, ds.v[i].stmt->atoms[1].loc, "template '%s' is never used",
                         ds.v[i].name);
    /* A variable no statement uses is still checked: a cycle among unused variables is an
     * error like any other (docs/language.md, define). */
    for (size_t i = 0; i < ck.ndefines; i++)
        if (!ck.defines[i].used)
            args_check_define(&ck, &ck.defines[i]);
    advise = diag_error_count(diag) == 0;
    for (size_t i = 0; i < ck.ndefines && advise; i++)
        if (!ck.defines[i].used)
            diag_warning(diag, ck.defines[i].stmt->atoms[1].loc, "'$%s' is never used",
                         ck.defines[i].name);
    free(ds.v);
    strmap_fini(&ds.unknown_uses);
    strmap_fini(&ds.reported_uses);
    free(stmts);
    free(ck.defines);
    for (size_t i = 0; i < ck.ncontext_uses; i++)
        free(ck.context_uses[i].id);
    free(ck.context_uses);
    strmap_fini(&ck.define_index);
    strmap_fini(&ck.ref_names);
    for (size_t i = 0; i < ck.nref_values; i++)
        json_decref(ck.ref_values[i]);
    free(ck.ref_values);
    for (size_t i = 0; i < ck.capat_slots; i++)
        if (ck.at_slots[i].key)
            json_decref(ck.at_slots[i].at);
    free(ck.at_slots);
    free(ck.path_utf8);
    for (int b = 0; b < BLK__COUNT; b++)
        strmap_fini(&ck.decl_index[b]);
    return ck.model;
}
