/* cmd_fmt.c — `idpc fmt`: print or rewrite .idp files in the canonical layout. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/ast.h"
#include "compiler/print.h"

static void help(void)
{
    printf("usage: idpc fmt [-w] [--check] [--diff] [--format text|json|github] [DIR|FILE...]\n\n"
           "Formats .idp files in the one canonical layout (see docs/fmt.md): 2-space blocks,\n"
           "one space between atoms, long lists one item per line, comments kept where they\n"
           "belong. DIR means every *.idp file in it; the default is the current directory.\n"
           "Without -w, --check or --diff the formatted text is printed to stdout.\n"
           "A file with syntax errors is left alone and its errors are reported.\n\n"
           "Options:\n"
           "  -w, --write    rewrite files whose layout changes (atomically) and name them\n"
           "                 on stderr\n"
           "  --check        list the files that are not formatted; exit 1 if there are any\n"
           "  --diff         print a unified diff of the changes instead of the text\n"
           "  --format FMT   how to print syntax errors: text (default), json or github\n"
           "  -h, --help     show this help\n\n"
           "Exit codes: 0 success (with --check: everything is formatted), 1 syntax errors or\n"
           "unreadable files, or --check found files to reformat, 2 usage error.\n\n"
           "Examples:\n"
           "  idpc fmt -w policies/contoso\n"
           "  idpc fmt --check --diff policies/contoso   # in CI\n");
}

struct fmt_opts {
    bool write, check, diff;
};

struct fmt_state {
    struct fmt_opts opts;
    struct diag_ctx *diag;
    unsigned changed;
    bool failed;
};

static void fmt_one(struct fmt_state *st, const char *path)
{
    unsigned before = diag_error_count(st->diag);
    struct ast_config *cfg = ast_config_new();
    int rc = ast_load_path(cfg, st->diag, path);
    if (rc != 0 || diag_error_count(st->diag) != before || !cfg->files) {
        st->failed = true;
        goto out;
    }
    const struct ast_file *f = cfg->files;
    const struct src_file *src = diag_source(st->diag, f->src);
    struct strbuf sb = STRBUF_INIT;
    print_file(f, &sb);
    bool same = sb.len == src->len && memcmp(strbuf_str(&sb), src->text, sb.len) == 0;
    if (!st->opts.write && !st->opts.check && !st->opts.diff) {
        fwrite(strbuf_str(&sb), 1, sb.len, stdout);
    } else if (!same) {
        st->changed++;
        if (st->opts.check)
            printf("%s\n", path);
        if (st->opts.diff) {
            struct strbuf d = STRBUF_INIT;
            char *a = xasprintf("%s (original)", path);
            char *b = xasprintf("%s (formatted)", path);
            print_diff(a, src->text, src->len, b, strbuf_str(&sb), sb.len, &d);
            fwrite(strbuf_str(&d), 1, d.len, stdout);
            free(a);
            free(b);
            strbuf_fini(&d);
        }
        if (st->opts.write) {
            int err = util_write_file_atomic(path, strbuf_str(&sb), sb.len);
            if (err) {
                diag_error(st->diag, DIAG_LOC_NONE, "cannot write '%s': %s", path, strerror(err));
                st->failed = true;
            } else {
                fprintf(stderr, "%s\n", path);
            }
        }
    }
    strbuf_fini(&sb);
out:
    ast_config_free(cfg);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Formats FILE, or every *.idp file of DIR in name order (the files ast_load_path would read). */
static void fmt_path(struct fmt_state *st, const char *path)
{
    struct stat sbuf;
    if (stat(path, &sbuf) != 0 || !S_ISDIR(sbuf.st_mode)) {
        fmt_one(st, path); /* ast_load_path reports a missing path */
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        diag_error(st->diag, DIAG_LOC_NONE, "cannot open directory '%s': %s", path,
                   strerror(errno));
        st->failed = true;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    size_t plen = strlen(path);
    bool slash = plen > 0 && path[plen - 1] == '/';
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".idp") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xasprintf("%s%s%s", path, slash ? "" : "/", e->d_name);
    }
    closedir(d);
    if (n == 0) {
        diag_error(st->diag, DIAG_LOC_NONE, "no .idp files in '%s'", path);
        st->failed = true;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        fmt_one(st, names[i]);
        free(names[i]);
    }
    free(names);
}

int cmd_fmt(int argc, char **argv)
{
    struct cli_diag_opts o;
    cli_diag_opts_init(&o);
    struct fmt_state st;
    memset(&st, 0, sizeof(st));
    const char **paths = xcalloc((size_t)argc + 1, sizeof(*paths));
    size_t npaths = 0;
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help();
            goto out;
        }
        int f = cli_parse_format(argc, argv, &i, &o);
        if (f < 0) {
            rc = cli_usage_error("fmt", "--format takes text, json or github");
            goto out;
        }
        if (f > 0)
            continue;
        if (strcmp(a, "-w") == 0 || strcmp(a, "--write") == 0) {
            st.opts.write = true;
        } else if (strcmp(a, "--check") == 0) {
            st.opts.check = true;
        } else if (strcmp(a, "--diff") == 0) {
            st.opts.diff = true;
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                paths[npaths++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("fmt", "unknown option '%s'", a);
            goto out;
        } else {
            paths[npaths++] = a;
        }
    }
    if (npaths == 0)
        paths[npaths++] = ".";

    st.diag = diag_ctx_new();
    for (size_t i = 0; i < npaths; i++)
        fmt_path(&st, paths[i]);
    fflush(stdout);
    unsigned errors = diag_error_count(st.diag);
    diag_render(st.diag, stderr, o.format, o.color);
    if (errors && o.format == DIAG_FMT_TEXT)
        fprintf(stderr, "%u error%s; files with errors were not formatted\n", errors,
                errors == 1 ? "" : "s");
    diag_ctx_free(st.diag);
    if (st.failed || errors || (st.opts.check && st.changed > 0))
        rc = CLI_EXIT_ERROR;
out:
    free(paths);
    return rc;
}
