/* cmd_validate.c — `idpc validate`: parse and check a configuration without a tenant. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

static void help(void)
{
    printf("usage: idpc validate [--format text|json|github] [--werror] [DIR|FILE...]\n\n"
           "Parses the configuration (every *.idp file of DIR, or the FILEs given; default: the\n"
           "current directory) and runs every check that needs no tenant: syntax, names declared\n"
           "twice, undefined $variables and templates, statements in the wrong block, unknown\n"
           "keywords, malformed CIDRs and country codes, durations out of range, the rules of\n"
           "each kind of object. Prints diagnostics in GCC's format (file:line:col: error: ...)\n"
           "with the source line and a caret under the offending text.\n\n"
           "Options:\n"
           "  --format FMT   text (default), json, or github (GitHub Actions annotations)\n"
           "  --werror       treat warnings as errors\n"
           "  -h, --help     show this help\n\n"
           "Exit codes: 0 valid (warnings allowed), 1 errors found, 2 usage error.\n\n"
           "Example:\n"
           "  idpc validate policies/contoso\n");
}

int cmd_validate(int argc, char **argv)
{
    struct cli_diag_opts o;
    cli_diag_opts_init(&o);
    bool werror = false;
    bool dump = false; /* undocumented: the parse tree, for golden tests */
    const char **paths = xcalloc((size_t)argc + 1, sizeof(*paths));
    size_t npaths = 0;
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help();
            goto out;
        }
        int f = cli_parse_format(argc, argv, &i, &o);
        if (f < 0) {
            rc = cli_usage_error("validate", "--format takes text, json or github");
            goto out;
        }
        if (f > 0)
            continue;
        if (strcmp(argv[i], "--werror") == 0) {
            werror = true;
        } else if (strcmp(argv[i], "--dump-ast") == 0) {
            dump = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error("validate", "unknown option '%s'", argv[i]);
            goto out;
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (npaths == 0)
        paths[npaths++] = ".";

    if (dump) {
        /* The parse tree only, for the parser's golden tests: no semantic checks. */
        struct diag_ctx *diag = diag_ctx_new();
        struct ast_config *ast = ast_config_new();
        for (size_t i = 0; i < npaths; i++)
            (void)ast_load_path(ast, diag, paths[i]);
        struct strbuf sb = STRBUF_INIT;
        ast_dump(ast, diag, &sb);
        fputs(strbuf_str(&sb), stdout);
        strbuf_fini(&sb);
        rc = diag_error_count(diag) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
        diag_render(diag, stderr, o.format, o.color);
        ast_config_free(ast);
        diag_ctx_free(diag);
        goto out;
    }
    struct compile_result cr;
    (void)compile_paths(paths, npaths, werror, &cr);
    unsigned errors = diag_error_count(cr.diag), warnings = diag_warning_count(cr.diag);
    diag_render(cr.diag, stderr, o.format, o.color);
    if (o.format == DIAG_FMT_TEXT) {
        if (errors)
            fprintf(stderr, "%u error%s, %u warning%s\n", errors, errors == 1 ? "" : "s", warnings,
                    warnings == 1 ? "" : "s");
        else
            printf("%zu file%s, %zu object%s: valid, %u warning%s\n", cr.ast->nfiles,
                   cr.ast->nfiles == 1 ? "" : "s", cr.model ? cr.model->n : 0,
                   cr.model && cr.model->n == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    rc = errors ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    compile_free(&cr);
out:
    free(paths);
    return rc;
}
