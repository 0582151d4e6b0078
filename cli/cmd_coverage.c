/* cmd_coverage.c — `idpc coverage`: the persona matrix of a configuration's (or a tenant's)
 * Conditional Access policies and its gaps, as text, JSON or HTML. Semantics: docs/coverage.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/analysis/coverage.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

static void help(void)
{
    printf(
        "usage: idpc coverage [DIR|FILE... | --tenant SPEC] [--format text|json|html] [-o FILE]\n"
        "                     [--report-only-as-enabled]\n\n"
        "Who gets which control where: every persona the policies name (each group, each\n"
        "directory role, each user, guests, all users) signs in to each app (Office 365,\n"
        "the admin portals, each app the policies name, any other app, each user action)\n"
        "from each platform, client app type and location class (untrusted, each named\n"
        "location); every sign-in is evaluated like Entra's What If tool. The report gives\n"
        "the resulting control per cell (block, authentication strength, MFA, device,\n"
        "app protection, password change, allow) and the gaps: sign-ins with neither MFA,\n"
        "nor a block, nor a device requirement. Risk is none in the matrix; a separate\n"
        "table shows each persona at each sign-in and user risk level.\n\n"
        "Options:\n"
        "  --tenant SPEC              the tenant's live policies instead of DIR\n"
        "  --format text|json|html    text table (default), JSON, or a self-contained HTML\n"
        "                             page with a colour matrix\n"
        "  -o, --output FILE          write to FILE instead of standard output\n"
        "  --report-only-as-enabled   evaluate report-only policies as if they were on\n"
        "  -h, --help                 show this help\n\n"
        "Exit codes: 0 report written (gaps or not), 1 errors, 2 usage error.\n\n"
        "Example:\n"
        "  idpc coverage policies/contoso --format html -o coverage.html\n");
}

int cmd_coverage(int argc, char **argv)
{
    const char **paths = xcalloc((size_t)argc + 1, sizeof(char *));
    size_t npaths = 0;
    const char *tenant_spec = NULL, *format = "text", *output = NULL;
    bool report_only = false, compiled = false, have_tenant = false;
    struct compile_result cr;
    memset(&cr, 0, sizeof(cr));
    struct whatif_tenant tenant;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct coverage *cov = NULL;
    const char **emergency = NULL;
    json_t *parents = NULL;
    char *text = NULL;
    int rc = CLI_EXIT_OK;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int r;
        if (cli_is_help(a)) {
            help();
            goto out;
        }
        if (strcmp(a, "--report-only-as-enabled") == 0) {
            report_only = true;
        } else if ((r = cli_option_value(argc, argv, &i, "--tenant", &v)) != 0) {
            if (r < 0) {
                rc = cli_usage_error("coverage", "--tenant needs a value");
                goto out;
            }
            tenant_spec = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0 || (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "html"))) {
                rc = cli_usage_error("coverage", "--format takes text, json or html");
                goto out;
            }
            format = v;
        } else if ((r = cli_option_value(argc, argv, &i, "-o", &v)) != 0 ||
                   (r = cli_option_value(argc, argv, &i, "--output", &v)) != 0) {
            if (r < 0) {
                rc = cli_usage_error("coverage", "%s needs a file name", a);
                goto out;
            }
            output = v;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("coverage", "unknown option '%s'", a);
            goto out;
        } else {
            paths[npaths++] = a;
        }
    }
    if (tenant_spec && npaths) {
        rc = cli_usage_error("coverage", "give a configuration directory or --tenant, not both");
        goto out;
    }

    struct coverage_options o;
    memset(&o, 0, sizeof(o));
    o.report_only_as_enabled = report_only;
    const char *title;
    char titlebuf[600];
    if (tenant_spec) {
        char err[600];
        if (whatif_tenant_load(&tenant, tenant_spec, NULL, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "idpc coverage: %s\n", err);
            whatif_tenant_fini(&tenant);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        have_tenant = true;
        o.tenant = &tenant;
        snprintf(titlebuf, sizeof(titlebuf), "Conditional Access coverage: tenant");
        cov = coverage_run(&tenant.in, &o);
    } else {
        if (npaths == 0)
            paths[npaths++] = ".";
        int crc = compile_paths(paths, npaths, false, &cr);
        compiled = true;
        diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
        if (crc != 0 || !cr.model) {
            unsigned errors = diag_error_count(cr.diag);
            fprintf(stderr, "%u error%s; no coverage computed\n", errors, errors == 1 ? "" : "s");
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        whatif_inputs_from_model(&in, cr.model);
        emergency = coverage_model_emergency(cr.model);
        parents = coverage_model_parents(cr.model);
        o.emergency = emergency;
        o.parents = parents;
        snprintf(titlebuf, sizeof(titlebuf), "Conditional Access coverage: %s",
                 cr.model->tenant ? cr.model->tenant : paths[0]);
        cov = coverage_run(&in, &o);
    }
    title = titlebuf;

    if (strcmp(format, "json") == 0) {
        json_t *j = coverage_to_json(cov);
        char *d = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        text = xasprintf("%s\n", d);
        free(d);
        json_decref(j);
    } else if (strcmp(format, "html") == 0) {
        text = coverage_html(cov, title);
    } else {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem) {
            fprintf(stderr, "idpc coverage: out of memory\n");
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        coverage_print_text(cov, mem);
        fclose(mem);
        text = buf;
    }
    if (output) {
        if (util_write_file_atomic(output, text, strlen(text)) != 0) {
            fprintf(stderr, "idpc coverage: cannot write %s\n", output);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
    } else {
        fputs(text, stdout);
    }
out:
    free(text);
    coverage_free(cov);
    json_decref(parents);
    free(emergency);
    if (have_tenant)
        whatif_tenant_fini(&tenant);
    whatif_inputs_fini(&in);
    if (compiled)
        compile_free(&cr);
    free(paths);
    return rc;
}
