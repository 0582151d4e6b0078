/* cmd_coverage.c — `idpc coverage`: the persona matrix of a configuration's (or a tenant's)
 * Conditional Access policies and its gaps, as text, JSON or HTML. Semantics: docs/coverage.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/analysis/coverage.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_FORMAT,
    OPT_REPORT_ONLY
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "the tenant's live policies instead of DIR: graph: or file:PATH"},
    {OPT_FORMAT, "format", "text|json|html|github",
     "text table (default), json, html (a self-contained page with a colour matrix), or github "
     "(the text table, with the configuration's diagnostics as GitHub Actions annotations)"},
    {'o', "output", "FILE", "write to FILE (atomically) instead of standard output"},
    {OPT_REPORT_ONLY, "report-only-as-enabled", NULL,
     "evaluate report-only policies as if "
     "they were on"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "coverage",
    .usage = "[OPTIONS] [DIR|FILE...]\n[OPTIONS] --tenant SPEC\n",
    .about = "Who gets which control where: every persona the policies name (each group, each "
             "directory role, each user, guests, all users) signs in to each app (Office 365, "
             "the admin portals, each app the policies name, any other app, each user action) "
             "from each platform, client app type and location class (untrusted, each named "
             "location); every sign-in is evaluated like Entra's What If tool. The report gives "
             "the resulting control per cell (block, authentication strength, MFA, device, app "
             "protection, password change, allow) and the gaps: sign-ins with neither MFA, nor "
             "a block, nor a device requirement. Risk is none in the matrix; a separate table "
             "shows each persona at each sign-in and user risk level.\n",
    .opts = opts,
    .exit_codes = "  0  report written (gaps or not)\n"
                  "  1  errors, or a usage error\n",
    .examples = "idpc coverage policies/contoso --format html -o coverage.html\n",
};

int cmd_coverage(int argc, char **argv)
{
    const char **paths = NULL;
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

    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            tenant_spec = v;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "html") &&
                strcmp(v, "github")) {
                rc = cli_usage_error(spec.cmd,
                                     "--format takes text, json, html or github, not '%s'", v);
                goto out;
            }
            format = v;
            break;
        case 'o':
            output = v;
            break;
        case OPT_REPORT_ONLY:
            report_only = true;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    paths = cli_operands(&p, NULL, &npaths);
    cli_set_github(strcmp(format, "github") == 0);
    if (tenant_spec && npaths) {
        rc = cli_usage_error(spec.cmd, "give a configuration directory or --tenant, not both");
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
            cli_error(spec.cmd, "%s", err);
            whatif_tenant_fini(&tenant);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        have_tenant = true;
        o.tenant = &tenant;
        snprintf(titlebuf, sizeof(titlebuf), "Conditional Access coverage: tenant");
        cov = coverage_run(&tenant.in, &o);
    } else {
        paths = cli_operands(&p, ".", &npaths);
        int crc = compile_paths(paths, npaths, false, &cr);
        compiled = true;
        bool github = strcmp(format, "github") == 0;
        diag_render(cr.diag, stderr, github ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT,
                    !github && cli_color_for(stderr));
        if (crc != 0 || !cr.model) {
            unsigned errors = diag_error_count(cr.diag);
            cli_errors_line(errors, "no coverage computed");
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
        text = cli_json_text(j);
        json_decref(j);
    } else if (strcmp(format, "html") == 0) {
        text = coverage_html(cov, title);
    } else {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem) {
            cli_error(spec.cmd, "out of memory");
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        coverage_print_text(cov, mem);
        fclose(mem);
        text = buf;
    }
    rc = cli_write_output(spec.cmd, output, text, strlen(text));
out:
    if (!util_free_at_exit()) { /* exit() returns the memory at once, as validate's does */
        cli_end(&p);
        return rc;
    }
    free(text);
    coverage_free(cov);
    json_decref(parents);
    free(emergency);
    if (have_tenant)
        whatif_tenant_fini(&tenant);
    whatif_inputs_fini(&in);
    if (compiled)
        compile_free(&cr);
    cli_end(&p);
    return rc;
}
