/* cmd_export.c — `idpc export`: write .idp files from a tenant (any backend) or from Graph JSON
 * exports (a policy, a {"value": [...]} list or a bare array; v1.0 or beta; UTF-8 or UTF-16).
 * What the language cannot express is reported on stderr and as `# idpc:` comments. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/model.h"
#include "compiler/print.h"
#include "compiler/raise.h"
#include "runtime/backend.h"
#include "runtime/normalize.h"

static void help(void)
{
    printf(
        "usage: idpc export --tenant SPEC [-o DIR] [--split]\n"
        "       idpc export --from-json FILE|DIR... [-o DIR] [--split]\n\n"
        "Writes the Conditional Access policies, named locations and custom authentication\n"
        "strengths of a tenant as canonical .idp files, with names instead of ids: users by\n"
        "UPN, groups, locations and strengths by name, roles and Microsoft apps by catalog\n"
        "name. Ids that cannot be resolved stay as id \"...\".\n\n"
        "Anything the language cannot express (beta-only fields, dangling ids of deleted\n"
        "objects, names shared by several objects) is reported on standard error and as a\n"
        "'# idpc:' comment at the spot; an object that cannot be written as valid .idp at\n"
        "all is kept as a commented-out block. Nothing is dropped silently.\n\n"
        "Options:\n"
        "  --tenant SPEC     read the tenant from a backend: file:PATH (see "
        "docs/tenant-format.md)\n"
        "  --from-json ...   read Graph JSON files (directories are searched for *.json): a\n"
        "                    policy, a {\"value\": [...]} list or an array, as backup tools write\n"
        "                    them (v1.0 or beta shape, UTF-8 or UTF-16 with BOM); users, groups\n"
        "                    and service principals among them give names to ids\n"
        "  -o DIR            write files into DIR (created if missing) instead of standard output\n"
        "  --split           one file per policy (policy-NAME.idp) instead of one per kind\n"
        "  --pin-ids         write `id \"...\"` in every declaration\n"
        "  -h, --help        show this help\n\n"
        "Files: locations.idp, strengths.idp, policies.idp (or policy-*.idp). policies.idp\n"
        "starts with a suggested emergency_access line (commented out) when some identities\n"
        "are excluded from most policies.\n\n"
        "Exit codes: 0 exported, 1 an input could not be read (the rest is still exported),\n"
        "2 usage error.\n\n"
        "Examples:\n"
        "  idpc export --tenant file:policies/contoso-tenant.json -o policies/contoso\n"
        "  idpc export --from-json backups/ConditionalAccess -o policies/imported\n");
}

/* ---- collecting objects ---- */

struct item {
    json_t *raw;   /* the Graph object */
    json_t *canon; /* normalize()d */
    const char *name;
    char *out_name; /* unique declaration name */
    const char *id;
};

struct items {
    struct item *v;
    size_t n, cap;
};

struct export
{
    struct items pol, loc, str;
    struct raise_names *names;
    int read_errors;
};

static void items_add(struct items *l, const json_t *raw, enum normalize_kind nk)
{
    json_t *canon = normalize(nk, raw);
    const char *name = json_string_value(json_object_get(canon, "displayName"));
    const char *id = json_string_value(json_object_get(raw, "id"));
    /* the same object twice (overlapping backups): keep one */
    for (size_t i = 0; i < l->n; i++) {
        if (json_equal(l->v[i].canon, canon) &&
            (!id || !l->v[i].id || util_streq_nocase(id, l->v[i].id))) {
            json_decref(canon);
            return;
        }
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (struct item){json_incref((json_t *)(uintptr_t)raw), canon,
                                 name ? name : "(no name)", NULL, id};
}

static bool builtin_strength(const json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "policyType"));
    const char *id = json_string_value(json_object_get(o, "id"));
    if (t && util_streq_nocase(t, "builtIn"))
        return true;
    return id && (strcmp(id, "00000000-0000-0000-0000-000000000002") == 0 ||
                  strcmp(id, "00000000-0000-0000-0000-000000000003") == 0 ||
                  strcmp(id, "00000000-0000-0000-0000-000000000004") == 0);
}

static void add_object(struct export *x, const json_t *o)
{
    switch (raise_classify(o)) {
    case RAISE_OBJ_POLICY:
        items_add(&x->pol, o, NK_CA_POLICY);
        break;
    case RAISE_OBJ_LOCATION:
        items_add(&x->loc, o, NK_NAMED_LOCATION);
        break;
    case RAISE_OBJ_STRENGTH:
        if (!builtin_strength(o))
            items_add(&x->str, o, NK_AUTH_STRENGTH);
        break;
    case RAISE_OBJ_OTHER:
        break;
    }
}

static void add_doc(struct export *x, const json_t *doc)
{
    raise_names_from_json(x->names, doc);
    const json_t *list = doc;
    if (json_is_object(doc) && json_is_array(json_object_get(doc, "value")))
        list = json_object_get(doc, "value");
    if (json_is_array(list)) {
        size_t i;
        const json_t *o;
        json_array_foreach(list, i, o)
        {
            add_object(x, o);
        }
    } else {
        add_object(x, list);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void load_path(struct export *x, const char *path, bool top)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "idpc export: %s: %s\n", path, strerror(errno));
        x->read_errors++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            fprintf(stderr, "idpc export: %s: %s\n", path, strerror(errno));
            x->read_errors++;
            return;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            names = xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = xstrdup(e->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(*names), by_name);
        for (size_t i = 0; i < n; i++) {
            char *p = xasprintf("%s/%s", path, names[i]);
            size_t len = strlen(names[i]);
            struct stat cs;
            if (stat(p, &cs) == 0 &&
                (S_ISDIR(cs.st_mode) || (len > 5 && strcmp(names[i] + len - 5, ".json") == 0)))
                load_path(x, p, false);
            free(p);
            free(names[i]);
        }
        free(names);
        return;
    }
    (void)top;
    char err[1024];
    json_t *doc = raise_load_json(path, err, sizeof(err));
    if (!doc) {
        fprintf(stderr, "idpc export: %s\n", err);
        x->read_errors++;
        return;
    }
    add_doc(x, doc);
    json_decref(doc);
}

static int load_tenant(struct export *x, const char *spec)
{
    static const struct {
        const char *path, *kind;
    } lists[] = {
        {"users", "user"},
        {"groups", "group"},
        {"servicePrincipals", "servicePrincipal"},
        {"identity/conditionalAccess/namedLocations", "namedLocation"},
        {"policies/authenticationStrengthPolicies", "authenticationStrengthPolicy"},
        {"identity/conditionalAccess/policies", NULL},
    };
    struct backend *b = NULL;
    struct backend_error err;
    if (backend_open(spec, &b, &err) != 0) {
        fprintf(stderr, "idpc export: cannot open the tenant '%s': %s\n", spec ? spec : "",
                err.message);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(lists); i++) {
        json_t *v = NULL;
        if (backend_read_list(b, lists[i].path, &v, &err) != 0) {
            fprintf(stderr, "idpc export: cannot read %s from %s: %s\n", lists[i].path,
                    b->display ? b->display : spec, err.message);
            rc = -1;
            break;
        }
        add_doc(x, v);
        if (lists[i].kind)
            raise_names_set_complete(x->names, lists[i].kind);
        json_decref(v);
    }
    backend_close(b);
    return rc;
}

/* Gives every object of a kind a unique declaration name: the second "X" becomes "X (2)". */
static void unique_names(struct items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        int k = 1;
        char *name = xstrdup(l->v[i].name);
        for (;;) {
            bool clash = false;
            for (size_t j = 0; j < i && !clash; j++)
                clash = strcmp(l->v[j].out_name, name) == 0;
            if (!clash)
                break;
            free(name);
            name = xasprintf("%s (%d)", l->v[i].name, ++k);
        }
        l->v[i].out_name = name;
    }
}

static void items_free(struct items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->v[i].raw);
        json_decref(l->v[i].canon);
        free(l->v[i].out_name);
    }
    free(l->v);
}

/* ---- writing ---- */

static void print_stmt(struct raise *r, struct ast_stmt *s, struct strbuf *out)
{
    struct ast_file *f = raise_file(r, "export.idp", s);
    print_file(f, out);
}

/* Appends `text` with every line turned into a comment. */
static void commented(const char *text, struct strbuf *out)
{
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        strbuf_adds(out, n ? "# " : "#");
        strbuf_add(out, p, n);
        strbuf_addc(out, '\n');
        p += n + (e ? 1 : 0);
    }
}

/* Raises one object, checks that it compiles on its own, and appends its text (or, when the
 * compiler rejects it, the text commented out with the reasons). Returns false when it had to
 * be commented out. */
static bool emit(struct raise *r, struct item *it, enum raise_object_kind k, struct strbuf *out)
{
    size_t first_issue = r->nissues;
    bool renamed = strcmp(it->out_name, it->name) != 0;
    struct ast_stmt *s =
        k == RAISE_OBJ_POLICY     ? raise_policy(r, it->canon, it->out_name, it->id, renamed)
        : k == RAISE_OBJ_LOCATION ? raise_location(r, it->canon, it->out_name, it->id, renamed)
                                  : raise_strength(r, it->canon, it->out_name, it->id, renamed);
    if (renamed)
        raise_comment(r, s,
                      "\"%s\" is the name of another object too; this one is renamed (its id "
                      "is pinned): rename it in the tenant or here",
                      it->name);
    struct strbuf text = STRBUF_INIT, errs = STRBUF_INIT;
    struct ast_comment *lead = s->leading;
    s->leading = NULL;
    print_stmt(r, s, &text);
    struct model *m = raise_compile_text("export.idp", strbuf_str(&text), false, &errs);
    bool ok = m != NULL;
    model_free(m);
    for (const struct ast_comment *c = lead; c; c = c->next) {
        strbuf_adds(out, c->text);
        strbuf_addc(out, '\n');
    }
    if (ok) {
        strbuf_add(out, text.buf, text.len);
    } else {
        strbuf_adds(out, "# idpc: this object cannot be written as valid .idp, so it is kept "
                         "commented out; the compiler says:\n");
        commented(strbuf_str(&errs), out);
        commented(strbuf_str(&text), out);
        fprintf(stderr, "idpc export: %s \"%s\": cannot be expressed; written commented out\n",
                k == RAISE_OBJ_POLICY     ? "policy"
                : k == RAISE_OBJ_LOCATION ? "location"
                                          : "strength",
                it->out_name);
    }
    for (size_t i = first_issue; i < r->nissues; i++)
        fprintf(stderr, "idpc export: %s: %s\n", r->issues[i].object, r->issues[i].message);
    strbuf_fini(&text);
    strbuf_fini(&errs);
    return ok;
}

static char *slug(const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    bool dash = false;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            strbuf_addc(&sb, (char)c);
            dash = false;
        } else if (c >= 'A' && c <= 'Z') {
            strbuf_addc(&sb, (char)(c + 32));
            dash = false;
        } else if (!dash && sb.len) {
            strbuf_addc(&sb, '-');
            dash = true;
        }
    }
    while (sb.len && sb.buf[sb.len - 1] == '-')
        sb.buf[--sb.len] = '\0';
    if (!sb.len)
        strbuf_adds(&sb, "policy");
    return strbuf_detach(&sb);
}

struct out {
    const char *dir; /* NULL: standard output */
    int errors;
    int files;
};

static void write_file(struct out *o, const char *name, const struct strbuf *text)
{
    if (!text->len)
        return;
    /* one newline at the end, never a blank line */
    size_t len = text->len;
    while (len > 1 && text->buf[len - 1] == '\n' && text->buf[len - 2] == '\n')
        len--;
    if (!o->dir) {
        if (o->files++)
            fputc('\n', stdout);
        fwrite(text->buf, 1, len, stdout);
        return;
    }
    char *p = xasprintf("%s/%s", o->dir, name);
    int e = util_write_file_atomic(p, text->buf, len);
    if (e) {
        fprintf(stderr, "idpc export: cannot write '%s': %s\n", p, strerror(e));
        o->errors++;
    } else {
        o->files++;
    }
    free(p);
}

static const char HEADER[] = "# Written by `idpc export` from %s.\n"
                             "# Review every '# idpc:' comment: it marks something the language "
                             "cannot express.\n\n";

static int by_item_name(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static int write_all(struct export *x, const char *source, const char *dir, bool split, bool pin)
{
    struct ast_config *cfg = ast_config_new();
    struct raise r;
    raise_init(&r, cfg->arena, x->names);
    r.pin_ids = pin;
    struct out o = {dir, 0, 0};
    struct items *kinds[] = {&x->loc, &x->str, &x->pol};
    const enum raise_object_kind rk[] = {RAISE_OBJ_LOCATION, RAISE_OBJ_STRENGTH, RAISE_OBJ_POLICY};
    const char *files[] = {"locations.idp", "strengths.idp", "policies.idp"};
    size_t commented_out = 0;
    for (size_t k = 0; k < 3; k++) {
        struct items *l = kinds[k];
        if (l->n)
            qsort(l->v, l->n, sizeof(*l->v), by_item_name);
        unique_names(l);
        struct strbuf text = STRBUF_INIT;
        if (l->n)
            strbuf_addf(&text, HEADER, source);
        if (rk[k] == RAISE_OBJ_POLICY && l->n) {
            const json_t **canon = xcalloc(l->n, sizeof(*canon));
            for (size_t i = 0; i < l->n; i++)
                canon[i] = l->v[i].canon;
            struct ast_stmt *ea = raise_emergency_suggestion(&r, canon, l->n);
            free(canon);
            if (ea) {
                struct ast_comment *lead = ea->leading;
                ea->leading = NULL;
                for (; lead; lead = lead->next) {
                    strbuf_adds(&text, lead->text);
                    strbuf_addc(&text, '\n');
                }
                struct strbuf s = STRBUF_INIT;
                print_stmt(&r, ea, &s);
                commented(strbuf_str(&s), &text);
                strbuf_fini(&s);
                strbuf_addc(&text, '\n');
            }
            if (split) {
                write_file(&o, files[k], &text);
                strbuf_reset(&text);
            }
        }
        /* Objects kept commented out come first: a comment block after a file's last
         * statement cannot be separated from it by a blank line in the canonical layout. */
        struct strbuf bad = STRBUF_INIT, good = STRBUF_INIT;
        for (size_t i = 0; i < l->n; i++) {
            if (rk[k] == RAISE_OBJ_POLICY && split) {
                struct strbuf one = STRBUF_INIT;
                strbuf_addf(&one, HEADER, source);
                commented_out += !emit(&r, &l->v[i], rk[k], &one);
                char *s = slug(l->v[i].out_name);
                char *name = xasprintf("policy-%s.idp", s);
                write_file(&o, name, &one);
                free(name);
                free(s);
                strbuf_fini(&one);
                continue;
            }
            struct strbuf one = STRBUF_INIT;
            bool ok = emit(&r, &l->v[i], rk[k], &one);
            struct strbuf *to = ok ? &good : &bad;
            if (to->len)
                strbuf_addc(to, '\n');
            strbuf_add(to, strbuf_str(&one), one.len);
            strbuf_fini(&one);
            commented_out += !ok;
        }
        strbuf_add(&text, strbuf_str(&bad), bad.len);
        if (bad.len && good.len)
            strbuf_addc(&text, '\n');
        strbuf_add(&text, strbuf_str(&good), good.len);
        strbuf_fini(&bad);
        strbuf_fini(&good);
        write_file(&o, files[k], &text);
        strbuf_fini(&text);
    }
    fprintf(stderr,
            "idpc export: %zu polic%s, %zu location%s, %zu strength%s from %s; %zu note%s, %zu "
            "object%s commented out\n",
            x->pol.n, x->pol.n == 1 ? "y" : "ies", x->loc.n, x->loc.n == 1 ? "" : "s", x->str.n,
            x->str.n == 1 ? "" : "s", source, r.nissues, r.nissues == 1 ? "" : "s", commented_out,
            commented_out == 1 ? "" : "s");
    raise_fini(&r);
    ast_config_free(cfg);
    return o.errors ? -1 : 0;
}

int cmd_export(int argc, char **argv)
{
    const char *tenant = NULL, *dir = NULL;
    bool from_json = false, split = false, pin = false;
    const char **inputs = xcalloc((size_t)argc + 1, sizeof(*inputs));
    size_t ninputs = 0;
    int rc = CLI_EXIT_OK;
    struct export x;
    memset(&x, 0, sizeof(x));
    x.names = raise_names_new();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help();
            goto out;
        }
        if (strcmp(a, "--tenant") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("export", "%s needs a value", a);
                goto out;
            }
            if (strcmp(a, "--tenant") == 0)
                tenant = argv[++i];
            else
                dir = argv[++i];
        } else if (strncmp(a, "--tenant=", 9) == 0) {
            tenant = a + 9;
        } else if (strcmp(a, "--from-json") == 0) {
            from_json = true;
        } else if (strcmp(a, "--split") == 0) {
            split = true;
        } else if (strcmp(a, "--pin-ids") == 0) {
            pin = true;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("export", "unknown option '%s'", a);
            goto out;
        } else if (from_json) {
            inputs[ninputs++] = a;
        } else {
            rc = cli_usage_error("export",
                                 "unexpected argument '%s' (Graph JSON files go after "
                                 "--from-json)",
                                 a);
            goto out;
        }
    }
    if (!tenant == !from_json) {
        rc = cli_usage_error("export", "give either --tenant SPEC or --from-json FILE...");
        goto out;
    }
    if (from_json && ninputs == 0) {
        rc = cli_usage_error("export", "--from-json needs at least one file or directory");
        goto out;
    }
    const char *source = tenant;
    if (tenant) {
        if (load_tenant(&x, tenant) != 0) {
            rc = CLI_EXIT_ERROR;
            goto out;
        }
    } else {
        for (size_t i = 0; i < ninputs; i++) {
            char *p = xstrdup(inputs[i]);
            for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
                p[n - 1] = '\0';
            load_path(&x, p, true);
            free(p);
        }
        source = ninputs == 1 ? inputs[0] : "several Graph JSON files";
    }
    if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "idpc export: cannot create '%s': %s\n", dir, strerror(errno));
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    if (x.pol.n + x.loc.n + x.str.n == 0)
        fprintf(stderr, "idpc export: no Conditional Access policy, named location or "
                        "authentication strength found\n");
    if (write_all(&x, source, dir, split, pin) != 0 || x.read_errors)
        rc = CLI_EXIT_ERROR;
out:
    items_free(&x.pol);
    items_free(&x.loc);
    items_free(&x.str);
    raise_names_free(x.names);
    free(inputs);
    return rc;
}
