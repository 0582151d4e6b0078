/* cmd_lsp.c — `idpc lsp`: start the language server on stdin/stdout (runtime/lsp). */
#include "cli/cli.h"

#include "runtime/lsp/lsp.h"

enum {
    OPT_STDIO = CLI_KEY(0)
};

static const struct cli_opt opts[] = {
    {OPT_STDIO, "stdio", NULL, "talk over stdin and stdout (the default and only transport)"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "lsp",
    .usage = "[--stdio]\n",
    .about = "Serves the Language Server Protocol on stdin and stdout, for editors (see\n"
             "docs/editors.md): diagnostics as `idpc validate` reports them, formatting as\n"
             "`idpc fmt`, completion, hover, go to definition, find references and document\n"
             "symbols. It compiles the whole directory of each open file, with unsaved buffers\n"
             "in place of the files on disk. Protocol errors are logged on stderr.\n",
    .opts = opts,
    .exit_codes = "  0  the client sent shutdown, then exit\n"
                  "  1  the input ended without them, or a usage error\n",
    .examples = "idpc lsp\n",
};

int cmd_lsp(int argc, char **argv)
{
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        if (k != OPT_STDIO) {
            int rc = p.rc;
            cli_end(&p);
            return rc;
        }
    }
    size_t n;
    (void)cli_operands(&p, NULL, &n);
    cli_end(&p);
    if (n > 0)
        return cli_usage_error(spec.cmd, "takes no operands");
    return lsp_serve(stdin, stdout, stderr); /* idpc.c checks standard output at exit */
}
