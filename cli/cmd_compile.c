/* cmd_compile.c — `idpc compile`: print the model (desired objects in Graph JSON) of a config. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

static void help(void)
{
    printf("usage: idpc compile [--format text|json|github] [-o FILE] [DIR|FILE...]\n\n"
           "Compiles the configuration into its model: every desired object in Microsoft Graph\n"
           "v1.0 request shape, with symbolic references ({\"$ref\": \"group\", \"name\": ...})\n"
           "where ids can only come from the tenant. The output is deterministic JSON (stable key\n"
           "and object order) so that it diffs well in review. See docs/model.md.\n\n"
           "Options:\n"
           "  -o FILE        write the model to FILE instead of standard output\n"
           "  --format FMT   format of diagnostics: text (default), json, github\n"
           "  -h, --help     show this help\n\n"
           "Exit codes: 0 compiled, 1 errors found (nothing is written), 2 usage error.\n\n"
           "Example:\n"
           "  idpc compile policies/contoso -o contoso.json\n");
}

int cmd_compile(int argc, char **argv)
{
    struct cli_diag_opts o;
    cli_diag_opts_init(&o);
    const char *outpath = NULL;
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
            rc = cli_usage_error("compile", "--format takes text, json or github");
            goto out;
        }
        if (f > 0)
            continue;
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("compile", "%s needs a file name", argv[i]);
                goto out;
            }
            outpath = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = cli_usage_error("compile", "unknown option '%s'", argv[i]);
            goto out;
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (npaths == 0)
        paths[npaths++] = ".";

    struct compile_result cr;
    int crc = compile_paths(paths, npaths, false, &cr);
    unsigned errors = diag_error_count(cr.diag);
    diag_render(cr.diag, stderr, o.format, o.color);
    if (crc != 0 || !cr.model) {
        if (o.format == DIAG_FMT_TEXT)
            fprintf(stderr, "%u error%s; nothing compiled\n", errors, errors == 1 ? "" : "s");
        compile_free(&cr);
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    json_t *doc = model_to_json(cr.model, cr.diag);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    size_t len = strlen(text);
    if (outpath) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_add(&sb, text, len);
        strbuf_addc(&sb, '\n');
        int err = util_write_file_atomic(outpath, strbuf_str(&sb), sb.len);
        strbuf_fini(&sb);
        if (err) {
            fprintf(stderr, "idpc compile: cannot write '%s': %s\n", outpath, strerror(err));
            rc = CLI_EXIT_ERROR;
        }
    } else {
        fwrite(text, 1, len, stdout);
        fputc('\n', stdout);
    }
    free(text);
    compile_free(&cr);
out:
    free(paths);
    return rc;
}
