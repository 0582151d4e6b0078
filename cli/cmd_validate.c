/* cmd_validate.c — `idpc validate`: parse and check a configuration without a tenant. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

enum {
    OPT_WERROR = CLI_KEY(0),
    OPT_DUMP_AST,
    OPT_FORMAT
};

static const struct cli_opt opts[] = {
    {OPT_FORMAT, "format", "text|json|github",
     "diagnostics as text (default), json, or github (GitHub Actions "
     "annotations)"},
    {OPT_WERROR, "werror", NULL, "treat warnings as errors"},
    {OPT_DUMP_AST, "dump-ast", NULL, NULL}, /* undocumented: the parse tree, for golden tests */
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "validate",
    .usage = "[OPTIONS] [DIR|FILE...]\n",
    .about =
        "Parses the configuration (every *.idp file of each DIR, and the FILEs given; default:\n"
        "the current directory) and runs every check that needs no tenant: syntax, names\n"
        "declared twice, undefined $variables and templates, statements in the wrong block,\n"
        "unknown keywords, malformed CIDRs and country codes, durations out of range, the\n"
        "rules of each kind of object. Prints diagnostics in GCC's format\n"
        "(file:line:col: error: ...) with the source line and a caret under the offending\n"
        "text.\n",
    .opts = opts,
    .exit_codes = "  0  valid (warnings allowed)\n"
                  "  1  errors found, or a usage error\n",
    .examples = "idpc validate policies/contoso\n"
                "idpc validate --format github policies/shared environments/prod\n",
};

int cmd_validate(int argc, char **argv)
{
    struct cli_diag_opts o;
    cli_diag_opts_init(&o);
    bool werror = false;
    bool dump = false;
    const char **paths = NULL;
    size_t npaths = 0;
    int rc = CLI_EXIT_OK;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_FORMAT:
            if ((rc = cli_diag_format(spec.cmd, v, &o)) != 0)
                goto out;
            break;
        case OPT_WERROR:
            werror = true;
            break;
        case OPT_DUMP_AST:
            dump = true;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    o.color = cli_color_for(stderr);
    paths = cli_operands(&p, ".", &npaths);

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
    compile_free_at_exit(&cr);
out:
    cli_end(&p);
    return rc;
}
