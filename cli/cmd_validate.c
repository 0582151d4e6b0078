/* cmd_validate.c — `idpc validate`: parse and check a configuration without a tenant. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/ast.h"

static void help(void)
{
    printf("usage: idpc validate [--format text|json|github] [--werror] [DIR|FILE...]\n\n"
           "Parses the configuration (every *.idp file of DIR, or the FILEs given; default: the\n"
           "current directory) and runs every check that needs no tenant. Prints diagnostics in\n"
           "GCC's format (file:line:col: error: ...) with the source line and a caret.\n\n"
           "Options:\n"
           "  --format FMT   text (default), json, or github (GitHub Actions annotations)\n"
           "  --werror       treat warnings as errors\n"
           "  -h, --help     show this help\n\n"
           "Exit codes: 0 valid, 1 errors found, 2 usage error.\n\n"
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
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help();
            free(paths);
            return 0;
        }
        int f = cli_parse_format(argc, argv, &i, &o);
        if (f < 0) {
            free(paths);
            return cli_usage_error("validate", "--format takes text, json or github");
        }
        if (f > 0)
            continue;
        if (strcmp(argv[i], "--werror") == 0) {
            werror = true;
        } else if (strcmp(argv[i], "--dump-ast") == 0) {
            dump = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            free(paths);
            return cli_usage_error("validate", "unknown option '%s'", argv[i]);
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (npaths == 0)
        paths[npaths++] = ".";

    struct diag_ctx *diag = diag_ctx_new();
    diag_set_werror(diag, werror);
    struct ast_config *cfg = ast_config_new();
    for (size_t i = 0; i < npaths; i++)
        (void)ast_load_path(cfg, diag, paths[i]);
    if (dump) {
        struct strbuf sb = STRBUF_INIT;
        ast_dump(cfg, diag, &sb);
        fputs(strbuf_str(&sb), stdout);
        strbuf_fini(&sb);
    }
    unsigned errors = diag_error_count(diag), warnings = diag_warning_count(diag);
    diag_render(diag, stderr, o.format, o.color);
    if (o.format == DIAG_FMT_TEXT) {
        if (errors)
            fprintf(stderr, "%u error%s, %u warning%s\n", errors, errors == 1 ? "" : "s", warnings,
                    warnings == 1 ? "" : "s");
        else
            printf("%zu file%s valid, %u warning%s\n", cfg->nfiles, cfg->nfiles == 1 ? "" : "s",
                   warnings, warnings == 1 ? "" : "s");
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    free(paths);
    return errors ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
