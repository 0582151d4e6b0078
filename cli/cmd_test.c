/* cmd_test.c — `idpc test`: run the `test` blocks of a configuration against its compiled
 * policies (offline) or against a tenant's live policies (--tenant). Semantics: docs/test.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/analysis/testrun.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

static void help(void)
{
    printf("usage: idpc test [DIR|FILE...] [--tenant SPEC] [--junit FILE] [--format text|json]\n\n"
           "Evaluates every `test` block of the configuration with the what-if engine (as\n"
           "Entra's What If tool evaluates Conditional Access) and compares the outcome with\n"
           "the test's `expect` lines. Offline (the default) the tests run against the\n"
           "compiled policies of DIR (default '.'); with --tenant they run against the\n"
           "tenant's live policies, named locations and authentication strengths.\n\n"
           "A failure shows the test's location, the expected and the actual outcome, and the\n"
           "policies that decided it.\n\n"
           "Options:\n"
           "  --tenant SPEC       evaluate against a tenant (file:PATH, graph:...; see\n"
           "                      docs/tenant-format.md); the tests still come from DIR\n"
           "  --junit FILE        also write a JUnit XML report to FILE (for CI)\n"
           "  --format text|json  text for people (default) or JSON (docs/test.md)\n"
           "  -h, --help          show this help\n\n"
           "Exit codes: 0 every test passed, 1 a test failed or could not be evaluated (or\n"
           "the configuration has errors), 2 usage error.\n\n"
           "Example:\n"
           "  idpc test policies/contoso --junit test-results.xml\n");
}

int cmd_test(int argc, char **argv)
{
    const char **paths = xcalloc((size_t)argc + 1, sizeof(char *));
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

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int r;
        if (cli_is_help(a)) {
            help();
            goto out;
        }
        if ((r = cli_option_value(argc, argv, &i, "--tenant", &v)) != 0) {
            if (r < 0) {
                rc = cli_usage_error("test", "--tenant needs a value");
                goto out;
            }
            tenant_spec = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--junit", &v)) != 0) {
            if (r < 0) {
                rc = cli_usage_error("test", "--junit needs a file name");
                goto out;
            }
            junit = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0 || (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)) {
                rc = cli_usage_error("test", "--format takes text or json");
                goto out;
            }
            format = v;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("test", "unknown option '%s'", a);
            goto out;
        } else {
            paths[npaths++] = a;
        }
    }
    if (npaths == 0)
        paths[npaths++] = ".";

    int crc = compile_paths(paths, npaths, false, &cr);
    compiled = true;
    diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
    if (crc != 0 || !cr.model) {
        unsigned errors = diag_error_count(cr.diag);
        fprintf(stderr, "%u error%s; no test run\n", errors, errors == 1 ? "" : "s");
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    const json_t *tests = cr.model->tests;
    if (json_array_size(tests) == 0)
        fprintf(stderr, "idpc test: the configuration has no test blocks\n");

    if (tenant_spec) {
        char err[600];
        testrun_names(tests, &groups, &upns);
        if (whatif_tenant_load(&tenant, tenant_spec, groups, upns, err, sizeof(err)) != 0) {
            fprintf(stderr, "idpc test: %s\n", err);
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
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(text);
        free(text);
        json_decref(j);
    } else {
        testrun_report_print(&rep, stdout, cli_color_for(stdout));
    }
    if (junit) {
        char *xml = testrun_report_junit(&rep, npaths == 1 ? paths[0] : "idpc");
        if (util_write_file_atomic(junit, xml, strlen(xml)) != 0) {
            fprintf(stderr, "idpc test: cannot write %s\n", junit);
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
    free(paths);
    return rc;
}
