/* cmd_test.c — `idpc test`: run the `test` blocks of a configuration against its compiled
 * policies (offline) or against a tenant's live policies (--tenant). Semantics: docs/test.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/analysis/testrun.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_JUNIT,
    OPT_FORMAT
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "evaluate against a tenant (graph:, or file:PATH; see "
     "docs/tenant-format.md); the tests still come from DIR"},
    {OPT_JUNIT, "junit", "FILE", "also write a JUnit XML report to FILE (for CI)"},
    {OPT_FORMAT, "format", "text|json|github",
     "text for people (default), json (docs/test.md), or github: "
     "the text report, and each failure and diagnostic as a GitHub "
     "Actions annotation at its test block"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "test",
    .usage = "[OPTIONS] [DIR|FILE...]\n",
    .about = "Evaluates every `test` block of the configuration with the what-if engine (as "
             "Entra's What If tool evaluates Conditional Access) and compares the outcome with "
             "the test's `expect` lines. Offline (the default) the tests run against the "
             "compiled policies of DIR (default '.'); with --tenant they run against the "
             "tenant's live policies, named locations and authentication strengths.\n"
             "\n"
             "A failure shows the test's location, the expected and the actual outcome, and the "
             "policies that decided it.\n",
    .opts = opts,
    .exit_codes = "  0  every test passed\n"
                  "  1  a test failed or could not be evaluated, the configuration has errors,\n"
                  "     or a usage error\n",
    .examples = "idpc test policies/contoso --junit test-results.xml\n",
};

int cmd_test(int argc, char **argv)
{
    const char **paths = NULL;
    size_t npaths = 0;
    const char *tenant_spec = NULL, *junit = NULL, *format = "text";
    struct compile_result cr;
    memset(&cr, 0, sizeof(cr));
    bool compiled = false, have_tenant = false;
    struct whatif_tenant tenant;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct testrun_report rep;
    memset(&rep, 0, sizeof(rep));
    const char **groups = NULL, **upns = NULL;
    int rc = CLI_EXIT_OK;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            tenant_spec = v;
            break;
        case OPT_JUNIT:
            junit = v;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0 && strcmp(v, "github") != 0) {
                rc = cli_usage_error(spec.cmd, "--format takes text, json or github, not '%s'", v);
                goto out;
            }
            format = v;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    bool github = strcmp(format, "github") == 0;
    cli_set_github(github);
    enum diag_format dfmt = github ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT;
    paths = cli_operands(&p, ".", &npaths);

    int crc = compile_paths(paths, npaths, false, &cr);
    compiled = true;
    diag_render(cr.diag, stderr, dfmt, cli_color_for(stderr));
    if (crc != 0 || !cr.model) {
        unsigned errors = diag_error_count(cr.diag);
        cli_errors_line(errors, "no test run");
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    const json_t *tests = cr.model->tests;
    if (json_array_size(tests) == 0)
        cli_warning(spec.cmd, "the configuration has no test blocks");

    if (tenant_spec) {
        char err[600];
        testrun_names(tests, &groups, &upns);
        if (whatif_tenant_load(&tenant, tenant_spec, groups, upns, err, sizeof(err)) != 0) {
            cli_error(spec.cmd, "%s", err);
            whatif_tenant_fini(&tenant);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        have_tenant = true;
    } else {
        whatif_inputs_from_model(&in, cr.model);
    }
    testrun_run(tests, &in, have_tenant ? &tenant : NULL, &rep);

    if (strcmp(format, "json") == 0) {
        json_t *j = testrun_report_to_json(&rep, tests);
        char *text = cli_json_text(j);
        fputs(text, stdout);
        free(text);
        json_decref(j);
    } else {
        testrun_report_print(&rep, stdout, !github && cli_color_for(stdout));
        if (github) {
            testrun_report_to_diag(&rep, cr.diag);
            diag_render(cr.diag, stderr, DIAG_FMT_GITHUB, false);
        }
    }
    if (junit) {
        char *xml = testrun_report_junit(&rep, npaths == 1 ? paths[0] : "idpc");
        if (cli_write_output(spec.cmd, junit, xml, strlen(xml)) != 0) {
            free(xml);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        free(xml);
    }
    rc = rep.failed || rep.errors ? CLI_EXIT_ERROR : CLI_EXIT_OK;
out:
    testrun_report_free(&rep);
    if (have_tenant)
        whatif_tenant_fini(&tenant);
    whatif_inputs_fini(&in);
    if (compiled)
        compile_free(&cr);
    free(groups);
    free(upns);
    cli_end(&p);
    return rc;
}
