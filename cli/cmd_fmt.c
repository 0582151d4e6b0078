/* cmd_fmt.c — `idpc fmt`: print or rewrite .idp files in the canonical layout. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/ast.h"
#include "compiler/print.h"

enum {
    OPT_CHECK = CLI_KEY(0),
    OPT_DIFF,
    OPT_FORMAT
};

static const struct cli_opt opts[] = {
    {'w', "write", NULL,
     "rewrite the files whose layout changes (atomically) and name them on "
     "standard error"},
    {OPT_CHECK, "check", NULL, "list the files that are not formatted; exit 1 if there are any"},
    {OPT_DIFF, "diff", NULL, "print a unified diff of the changes instead of the text"},
    {OPT_FORMAT, "format", "text|json|github",
     "how to print syntax errors: text (default), json or github"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "fmt",
    .usage = "[OPTIONS] [DIR|FILE...]\n[OPTIONS] -\n",
    .about = "Formats .idp files in the one canonical layout (docs/fmt.md): 2-space blocks, one "
             "space between atoms, long lists one item per line, comments kept where they "
             "belong. DIR means every *.idp file in it; the default is the current directory. "
             "Without -w, --check or --diff the formatted text is printed on standard output. "
             "A file with syntax errors is left alone and its errors are reported.\n"
             "\n"
             "'-' reads one file from standard input and writes it formatted on standard output "
             "(an editor's format-on-save); with syntax errors nothing is written and the exit "
             "code is 1.\n",
    .opts = opts,
    .exit_codes = "  0  success (with --check: every file is formatted)\n"
                  "  1  syntax errors, unreadable files, --check found files to reformat, or a\n"
                  "     usage error\n",
    .examples = "idpc fmt -w policies/contoso\n"
                "idpc fmt --check --diff policies/contoso   # in CI\n"
                "idpc fmt - < policies/contoso/ca-baseline.idp\n",
};

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
    int rc = 0;
    if (strcmp(path, "-") == 0) {
        char *text = NULL;
        size_t len = 0;
        int e = util_read_file("/dev/stdin", &text, &len);
        if (e) {
            diag_error(st->diag, DIAG_LOC_NONE, "cannot read standard input: %s", strerror(e));
            rc = -1;
        } else {
            (void)ast_parse_source(cfg, st->diag, diag_add_source(st->diag, "<stdin>", text, len));
        }
    } else {
        rc = ast_load_path(cfg, st->diag, path);
    }
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
    if (strcmp(path, "-") == 0 || stat(path, &sbuf) != 0 || !S_ISDIR(sbuf.st_mode)) {
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
    if (n > 0) /* qsort's base must not be NULL, even for no elements */
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
    const char **paths = NULL;
    size_t npaths = 0;
    int rc = CLI_EXIT_OK;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case 'w':
            st.opts.write = true;
            break;
        case OPT_CHECK:
            st.opts.check = true;
            break;
        case OPT_DIFF:
            st.opts.diff = true;
            break;
        case OPT_FORMAT:
            if ((rc = cli_diag_format(spec.cmd, v, &o)) != 0)
                goto out;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    o.color = cli_color_for(stderr);
    paths = cli_operands(&p, ".", &npaths);
    for (size_t i = 0; i < npaths; i++)
        if (strcmp(paths[i], "-") == 0 && (npaths > 1 || st.opts.write)) {
            rc = cli_usage_error(spec.cmd, "'-' (standard input) goes alone and without -w");
            goto out;
        }

    st.diag = diag_ctx_new();
    for (size_t i = 0; i < npaths; i++)
        fmt_path(&st, paths[i]);
    fflush(stdout);
    unsigned errors = diag_error_count(st.diag);
    diag_render(st.diag, stderr, o.format, o.color);
    if (errors && o.format == DIAG_FMT_TEXT)
        cli_errors_line(errors, "files with errors were not formatted");
    diag_ctx_free(st.diag);
    if (st.failed || errors || (st.opts.check && st.changed > 0))
        rc = CLI_EXIT_ERROR;
out:
    cli_end(&p);
    return rc;
}
