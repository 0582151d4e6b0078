/* cmd_compile.c — `idpc compile`: print the model (desired objects in Graph JSON) of a config. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

enum {
    OPT_FORMAT = CLI_KEY(0)
};

static const struct cli_opt opts[] = {
    {'o', "output", "FILE", "write the model to FILE (atomically) instead of standard output"},
    {OPT_FORMAT, "format", "text|json|github",
     "diagnostics as text (default), json, or github (GitHub Actions "
     "annotations)"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "compile",
    .usage = "[OPTIONS] [DIR|FILE...]\n",
    .about = "Compiles the configuration into its model: every desired object in Microsoft Graph "
             "v1.0 request shape, with symbolic references ({\"$ref\": \"group\", \"name\": ...}) "
             "where ids can only come from the tenant. The output is deterministic JSON (stable "
             "key and object order) so that it diffs well in review. See docs/model.md.\n",
    .opts = opts,
    .exit_codes = "  0  compiled\n"
                  "  1  errors found (nothing is written), or a usage error\n",
    .examples = "idpc compile policies/contoso -o contoso.json\n",
};

int cmd_compile(int argc, char **argv)
{
    struct cli_diag_opts o;
    cli_diag_opts_init(&o);
    const char *outpath = NULL;
    const char **paths = NULL;
    size_t npaths = 0;
    int rc = CLI_EXIT_OK;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case 'o':
            outpath = v;
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

    struct compile_result cr;
    int crc = compile_paths(paths, npaths, false, &cr);
    unsigned errors = diag_error_count(cr.diag);
    diag_render(cr.diag, stderr, o.format, o.color);
    if (crc != 0 || !cr.model) {
        if (o.format == DIAG_FMT_TEXT)
            cli_errors_line(errors, "nothing compiled");
        compile_free(&cr);
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    const char *path = outpath && strcmp(outpath, "-") != 0 ? outpath : NULL;
    int err = compile_write_model(&cr, path); /* standard output is checked at exit */
    if (err) {
        cli_error(spec.cmd, "cannot write '%s': %s", path, strerror(err));
        rc = CLI_EXIT_ERROR;
    }
    compile_free_at_exit(&cr);
out:
    cli_end(&p);
    return rc;
}
