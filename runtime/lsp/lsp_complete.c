/* lsp_complete.c — textDocument/completion: what may be written at the cursor.
 * At the start of a statement: the statements compiler/schema.def allows in the enclosing block.
 * After a statement's keyword: that statement's words and catalog keywords
 * (compiler/catalog_keywords.def); after `role`, `app`, `group`, `location`, `strength`, in
 * `countries` and `country`: built-in roles and apps, the groups, locations and strengths
 * the configuration declares, ISO country codes; after `$`: the defines; after `use`: templates.
 * The line being typed rarely parses, so the cursor's statement is read from the text; the
 * enclosing block comes from the tree (the scanner balances braces, so it is always there). */
#include <ctype.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/check.h"
#include "runtime/lsp/lsp_int.h"
#include "runtime/lsp/lsp_text.h"

/* LSP CompletionItemKind values */
enum {
    K_VARIABLE = 6,
    K_CLASS = 7,
    K_VALUE = 12,
    K_KEYWORD = 14,
    K_SNIPPET = 15,
    K_REFERENCE = 18,
    K_ENUM_MEMBER = 20,
};

enum tok_kind {
    T_WORD,
    T_STRING,
    T_VAR,
    T_PUNCT
};

struct tok {
    enum tok_kind kind;
    size_t start, end; /* byte offsets into the file */
    bool open;         /* a string without its closing quote */
};

#define MAX_TOKS 256

struct ctx {
    const struct lsp_unit *u;
    const struct src_file *src;
    size_t off;
    json_t *items;
    json_t *range;     /* the text the items replace: the partial token (and a closing quote) */
    const char *block; /* keyword of the enclosing block, NULL at the top level */
    char kw[64];       /* the statement's keyword */
    char prev[64];     /* the last complete token before the cursor, if a word */
    size_t ntoks;      /* complete tokens before the cursor */
};

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '/' || c == ':' ||
           (unsigned char)c >= 0x80;
}

/* Offset of the start of the line holding `off`. */
static size_t line_start(const char *t, size_t off)
{
    while (off > 0 && t[off - 1] != '\n')
        off--;
    return off;
}

/* Does the line [ls, le) end (before any comment) with a continuation character? */
static bool continues(const char *t, size_t ls, size_t le)
{
    char last = 0;
    bool in_str = false;
    for (size_t i = ls; i < le; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\' && i + 1 < le)
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '#')
            break;
        if (c == '"')
            in_str = true;
        if (!isspace((unsigned char)c))
            last = c;
    }
    return last == ',' || last == '=' || last == '+';
}

/* Tokenises the statement from `from` to the cursor. Returns false when the cursor is in a
 * comment. */
static bool tokenize(const char *t, size_t from, size_t off, struct tok *v, size_t *n)
{
    *n = 0;
    size_t i = from;
    while (i < off) {
        char c = t[i];
        if (isspace((unsigned char)c)) {
            i++;
            continue;
        }
        if (c == '#') {
            while (i < off && t[i] != '\n')
                i++;
            if (i == off)
                return false;
            continue;
        }
        struct tok k = {T_WORD, i, i, false};
        if (c == '"') {
            k.kind = T_STRING;
            i++;
            while (i < off && t[i] != '"' && t[i] != '\n') {
                if (t[i] == '\\' && i + 1 < off)
                    i++;
                i++;
            }
            k.open = i >= off || t[i] != '"';
            if (!k.open)
                i++;
        } else if (c == '$') {
            k.kind = T_VAR;
            i++;
            while (i < off && word_char(t[i]))
                i++;
        } else if (word_char(c)) {
            while (i < off && word_char(t[i]))
                i++;
        } else {
            k.kind = T_PUNCT;
            i++;
        }
        k.end = i;
        if (k.kind == T_PUNCT && (t[k.start] == '{' || t[k.start] == '}')) {
            *n = 0; /* a block opened or closed: a new statement starts after it */
            continue;
        }
        if (*n < MAX_TOKS)
            v[(*n)++] = k;
    }
    return true;
}

static void copy_tok(char *dst, size_t cap, const char *t, const struct tok *k)
{
    size_t n = k->end - k->start;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, t + k->start, n);
    dst[n] = '\0';
}

static void add(struct ctx *c, const char *label, int kind, const char *detail, const char *doc,
                const char *insert)
{
    json_t *it = json_object();
    json_object_set_new(it, "label", lsp_json_string(label));
    json_object_set_new(it, "kind", json_integer(kind));
    if (detail)
        json_object_set_new(it, "detail", lsp_json_string(detail));
    if (doc)
        json_object_set_new(
            it, "documentation",
            json_pack("{s:s, s:o}", "kind", "markdown", "value", lsp_json_string(doc)));
    const char *text = insert ? insert : label;
    json_object_set_new(it, "filterText", lsp_json_string(text));
    json_object_set_new(
        it, "textEdit",
        json_pack("{s:O, s:o}", "range", c->range, "newText", lsp_json_string(text)));
    json_array_append_new(c->items, it);
}

static void add_quoted(struct ctx *c, const char *name, int kind, const char *detail)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addc(&sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_addc(&sb, '\\');
        strbuf_addc(&sb, *p);
    }
    strbuf_addc(&sb, '"');
    add(c, name, kind, detail, NULL, strbuf_str(&sb));
    strbuf_fini(&sb);
}

static void add_words(struct ctx *c, const char *words)
{
    char w[64];
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        if (n >= sizeof(w))
            n = sizeof(w) - 1;
        memcpy(w, p, n);
        w[n] = '\0';
        add(c, w, K_KEYWORD, NULL, NULL, NULL);
        p += n;
    }
}

static void add_catalog(struct ctx *c, enum catalog_kind k)
{
    size_t n;
    const struct catalog_entry *e = catalog_entries(k, &n);
    for (size_t i = 0; i < n; i++) {
        char *detail = xasprintf("%s: Graph \"%s\"", catalog_kind_name(k), e[i].graph);
        add(c, e[i].keyword, K_ENUM_MEMBER, detail, e[i].display, NULL);
        free(detail);
    }
}

static void add_statements(struct ctx *c)
{
    struct check_schema_entry e;
    for (size_t i = 0; check_schema_at(i, &e); i++) {
        bool same = c->block ? e.block && strcmp(e.block, c->block) == 0 : e.block == NULL;
        if (!same)
            continue;
        char *doc = xasprintf("%s\n\nGraph: `%s`", e.summary, e.graph);
        add(c, e.keyword, K_KEYWORD, e.summary, doc, NULL);
        if (e.takes_block) { /* a snippet with the block around the cursor */
            json_t *it = json_array_get(c->items, json_array_size(c->items) - 1);
            bool named = strcmp(e.keyword, "settings") != 0 &&
                         strcmp(e.keyword, "authentication_methods") != 0 &&
                         strcmp(e.keyword, "on_premises_sync") != 0;
            bool ident = strcmp(e.keyword, "template") == 0;
            char *snip = xasprintf("%s%s {\n  $0\n}", e.keyword,
                                   !named  ? ""
                                   : ident ? " ${1:name}"
                                           : " \"${1:Name}\"");
            json_object_set_new(json_object_get(it, "textEdit"), "newText", json_string(snip));
            json_object_set_new(it, "insertTextFormat", json_integer(2));
            json_object_set_new(it, "kind", json_integer(K_SNIPPET));
            json_object_set_new(it, "filterText", json_string(e.keyword));
            free(snip);
        }
        free(doc);
    }
}

/* Declarations of the configuration: `kw "Name" {` (or `template NAME {`). */
static void add_declared(struct ctx *c, const char *kw, int kind, bool quoted)
{
    if (!c->u->cr.ast)
        return;
    for (const struct ast_file *f = c->u->cr.ast->files; f; f = f->next)
        for (const struct ast_stmt *s = f->stmts; s; s = s->next) {
            if (!s->has_block || s->natoms < 2 || !ast_is_word(&s->atoms[0], kw))
                continue;
            const struct ast_atom *n = &s->atoms[1];
            if (quoted && n->kind == AST_STRING)
                add_quoted(c, n->text, kind, kw);
            else if (!quoted && n->kind == AST_WORD)
                add(c, n->text, kind, kw, NULL, NULL);
        }
}

static void add_variables(struct ctx *c)
{
    if (!c->u->cr.ast)
        return;
    for (const struct ast_file *f = c->u->cr.ast->files; f; f = f->next)
        for (const struct ast_stmt *s = f->stmts; s; s = s->next) {
            if (s->natoms < 2 || !ast_is_word(&s->atoms[0], "define") ||
                s->atoms[1].kind != AST_WORD)
                continue;
            char *label = xasprintf("$%s", s->atoms[1].text);
            add(c, label, K_VARIABLE, "define", NULL, NULL);
            free(label);
        }
}

static void add_roles(struct ctx *c)
{
    size_t n;
    const struct catalog_role *r = catalog_roles(&n);
    for (size_t i = 0; i < n; i++) {
        char *d = xasprintf("directory role %s%s", r[i].template_id,
                            r[i].deprecated ? " (deprecated)" : "");
        add_quoted(c, r[i].name, K_VALUE, d);
        free(d);
    }
}

static void add_apps(struct ctx *c)
{
    size_t n;
    const struct catalog_app *a = catalog_apps(&n);
    for (size_t i = 0; i < n; i++) {
        char *d = xasprintf("application %s", a[i].app_id);
        add_quoted(c, a[i].name, K_VALUE, d);
        free(d);
    }
}

static void add_countries(struct ctx *c)
{
    size_t n;
    const struct catalog_country *k = catalog_countries(&n);
    for (size_t i = 0; i < n; i++)
        add_quoted(c, k[i].code, K_VALUE, k[i].common_name);
}

static void add_strengths(struct ctx *c)
{
    static const char *const builtin[] = {"Multifactor authentication", "Passwordless MFA",
                                          "Phishing-resistant MFA"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(builtin); i++)
        add_quoted(c, builtin[i], K_VALUE, "built-in authentication strength");
    add_declared(c, "strength", K_REFERENCE, true);
}

/* A name after a reference word (role, app, group, location, strength); false when `w` is not
 * one. */
static bool add_named(struct ctx *c, const char *w)
{
    if (strcmp(w, "role") == 0)
        add_roles(c);
    else if (strcmp(w, "app") == 0)
        add_apps(c);
    else if (strcmp(w, "group") == 0)
        add_declared(c, "group", K_REFERENCE, true);
    else if (strcmp(w, "location") == 0)
        add_declared(c, "location", K_REFERENCE, true);
    else if (strcmp(w, "strength") == 0)
        add_strengths(c);
    else
        return false;
    return true;
}

/* What follows a statement's keyword, by statement: words, then up to three catalog tables. */
struct follow {
    const char *block; /* NULL: any block */
    const char *kw;
    const char *first; /* words right after the keyword */
    const char *words; /* words anywhere after it */
    int cat[3];        /* catalog kinds + 1 (0 = none) */
};

#define C(k) (CAT_##k + 1)
static const struct follow follows[] = {
    {NULL, "state", NULL, NULL, {C(STATE)}},
    {NULL,
     "users",
     "include exclude",
     "user group role guests tenants",
     {C(USER_KEYWORD), C(GUEST_TYPE)}},
    {NULL,
     "apps",
     "include exclude filter",
     "app action context",
     {C(APP_KEYWORD), C(USER_ACTION)}},
    {NULL, "workloads", "include exclude filter", "all service_principal", {0}},
    {NULL, "client_apps", NULL, NULL, {C(CLIENT_APP)}},
    {"test", "client", NULL, NULL, {C(CLIENT_APP)}},
    {NULL, "platforms", "include exclude", NULL, {C(PLATFORM)}},
    {"test", "platform", NULL, NULL, {C(PLATFORM)}},
    {NULL, "locations", "include exclude", "location", {C(LOCATION_KEYWORD)}},
    {NULL, "sign_in_risk", NULL, NULL, {C(RISK)}},
    {NULL, "user_risk", NULL, NULL, {C(RISK)}},
    {NULL, "workload_risk", NULL, NULL, {C(RISK)}},
    {NULL, "insider_risk", NULL, NULL, {C(INSIDER_RISK)}},
    {NULL, "device_filter", "include exclude", NULL, {0}},
    {NULL, "auth_flows", NULL, NULL, {C(TRANSFER)}},
    {"test", "auth_flow", NULL, NULL, {C(TRANSFER)}},
    {NULL, "grant", "any_of all_of", "strength terms custom", {C(GRANT)}},
    {NULL,
     "session",
     "sign_in_frequency persistent_browser app_enforced_restrictions cloud_app_security "
     "disable_resilience_defaults secure_sign_in",
     "every_time",
     {C(PERSISTENT_BROWSER), C(CLOUD_APP_SECURITY), C(SIF_AUTH_TYPE)}},
    {"group", "kind", NULL, NULL, {C(GROUP_KIND)}},
    {"group", "members", NULL, "user group service_principal", {0}},
    {"group", "owners", NULL, "user service_principal", {0}},
    {"group", "visibility", "private public hidden_membership", NULL, {0}},
    {"group", "dynamic", NULL, "paused", {0}},
    {"location", "lookup", NULL, NULL, {C(COUNTRY_LOOKUP)}},
    {"strength", "allow", NULL, NULL, {C(AUTH_MODE)}},
    {"authentication_methods", NULL, "on off", "for all exclude group", {0}},
    {"role", "active", NULL, "user group service_principal", {0}},
    {"role", "eligible", NULL, "user group", {0}},
    {"test", "member_of", NULL, "group role", {0}},
    {"test", "guest", NULL, "tenant", {C(GUEST_TYPE)}},
    {"test", "app", NULL, "id", {C(APP_KEYWORD)}},
    {"test", "action", NULL, NULL, {C(USER_ACTION)}},
    {"test", "expect", "not", "block allow strength session", {C(GRANT)}},
    {NULL, "emergency_access", NULL, "user group satisfies", {0}},
    {NULL,
     "manage",
     "exclusively",
     "policies locations strengths groups role_assignments authentication_contexts",
     {0}},
    {"settings", "group_creation", "on off", "except group", {0}},
    {"settings", "directory_sync", "required", "max_age", {0}},
    {"settings",
     "guest_invites",
     "none admins_and_guest_inviters admins_guest_inviters_and_all_members everyone",
     NULL,
     {0}},
    {"settings", "guest_access", "same_as_members limited restricted", NULL, {0}},
    {"settings", NULL, "on off", NULL, {0}},
    {"on_premises_sync", "accidental_deletion_prevention", "off count percent", NULL, {0}},
    {"on_premises_sync", "sync_health", "max_age", "max_errors", {0}},
    {"on_premises_sync", NULL, "on off", NULL, {0}},
    {"location", NULL, NULL, NULL, {0}},
};
#undef C

static void add_follow(struct ctx *c)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(follows); i++) {
        const struct follow *f = &follows[i];
        if (f->block && (!c->block || strcmp(f->block, c->block) != 0))
            continue;
        if (f->kw && strcmp(f->kw, c->kw) != 0)
            continue;
        if (f->first && c->ntoks == 1)
            add_words(c, f->first);
        if (f->words && (c->ntoks > 1 || !f->first))
            add_words(c, f->words);
        for (size_t k = 0; k < 3 && f->cat[k]; k++)
            if (c->ntoks > 1 || !f->first || strcmp(c->kw, "grant") == 0 ||
                strcmp(c->kw, "session") == 0)
                add_catalog(c, (enum catalog_kind)(f->cat[k] - 1));
        return;
    }
}

json_t *lsp_complete(const struct lsp_unit *u, const struct ast_file *f, const struct src_file *src,
                     size_t off)
{
    const char *t = src->text;
    if (off > src->len)
        off = src->len;
    struct ctx c = {.u = u, .src = src, .off = off, .items = json_array()};
    /* the statement's first line: back over lines that end in ',', '=' or '+' */
    size_t ls = line_start(t, off);
    while (ls > 0) {
        size_t pl = line_start(t, ls - 1);
        if (!continues(t, pl, ls - 1))
            break;
        ls = pl;
    }
    const struct ast_stmt *blk = lsp_query_block(f, ls);
    c.block = blk && blk->atoms[0].kind == AST_WORD ? blk->atoms[0].text : NULL;

    struct tok toks[MAX_TOKS];
    size_t n;
    if (!tokenize(t, ls, off, toks, &n))
        return c.items; /* in a comment */
    /* the token being typed: one that touches the cursor */
    const struct tok *partial = NULL;
    if (n > 0 && toks[n - 1].end == off &&
        (toks[n - 1].kind != T_PUNCT && (toks[n - 1].kind != T_STRING || toks[n - 1].open))) {
        partial = &toks[n - 1];
        n--;
    }
    size_t rstart = partial ? partial->start : off, rend = off;
    if (partial && partial->kind == T_STRING && rend < src->len && t[rend] == '"')
        rend++; /* the editor closed the quote already */
    c.range = lsp_src_range(src, rstart, rend);
    c.ntoks = n;
    if (n > 0 && toks[0].kind == T_WORD)
        copy_tok(c.kw, sizeof(c.kw), t, &toks[0]);
    if (n > 0 && toks[n - 1].kind == T_WORD)
        copy_tok(c.prev, sizeof(c.prev), t, &toks[n - 1]);

    if (n == 0 && !(partial && (partial->kind == T_VAR || partial->kind == T_STRING))) {
        add_statements(&c);
    } else if (partial && partial->kind == T_VAR) {
        add_variables(&c);
    } else if (c.prev[0] && add_named(&c, c.prev)) {
        /* a name after role/app/group/location/strength */
    } else if ((strcmp(c.kw, "countries") == 0 || strcmp(c.kw, "country") == 0) &&
               (!partial || partial->kind == T_STRING)) {
        add_countries(&c);
    } else if (strcmp(c.kw, "use") == 0 && n == 1) {
        add_declared(&c, "template", K_CLASS, false);
    } else if (!partial || partial->kind == T_WORD) {
        add_follow(&c);
        bool after_list = n > 1 && toks[n - 1].kind == T_PUNCT;
        if (after_list || strcmp(c.kw, "users") == 0 || strcmp(c.kw, "members") == 0 ||
            strcmp(c.kw, "emergency_access") == 0)
            add_variables(&c);
    }
    json_decref(c.range);
    return c.items;
}
