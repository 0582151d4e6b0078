/* cmd_replay.c — `idpc replay`: real sign-ins replayed against the tenant's current policies and
 * the configuration's proposed ones. Semantics: docs/replay.md. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/analysis/replay.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_SIGNINS,
    OPT_SINCE,
    OPT_VERIFY,
    OPT_FORMAT,
    OPT_EXAMPLES,
    OPT_TOP,
    OPT_DETAILED,
};

static const struct cli_opt opts[] = {
    {OPT_SIGNINS, "signins", "FILE",
     "sign-in log in Graph signIn shape: a {\"value\": [...]} page, a JSON array or JSON lines; "
     "'-' reads standard input (repeatable)"},
    {OPT_TENANT, "tenant", "SPEC",
     "the tenant whose policies, users, groups and roles are read: graph: or file:PATH "
     "(default: $IDPC_TENANT)"},
    {OPT_SINCE, "since", "AGE|DATE",
     "without --signins: read the tenant's sign-ins of the last AGE (7d, 12h, 30m) or since "
     "DATE (2025-05-01 or 2025-05-01T08:00:00Z) from GET /auditLogs/signIns"},
    {OPT_VERIFY, "verify", NULL,
     "also compare idpc's evaluation of the current policies with Entra's recorded "
     "appliedConditionalAccessPolicies"},
    {OPT_FORMAT, "format", "text|markdown|json",
     "text (default), markdown, or json (docs/replay.md)"},
    {'o', "output", "FILE", "write to FILE (atomically) instead of standard output"},
    {OPT_EXAMPLES, "examples", "N", "example sign-ins kept per change (default 3)"},
    {OPT_TOP, "top", "N", "most affected users listed (default 10)"},
    {OPT_DETAILED, "detailed-exitcode", NULL,
     "exit 2 when some sign-in would change outcome (or, with --verify, disagrees)"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "replay",
    .usage = "[OPTIONS] --tenant SPEC --signins FILE... [DIR|FILE...]\n"
             "[OPTIONS] --tenant graph: --since AGE [DIR|FILE...]\n",
    .about = "Replays real sign-ins against the tenant's current Conditional Access policies and "
             "the proposed ones of the configuration DIR (default '.'), and reports how many "
             "sign-ins, by how many users, would change outcome, grouped by change and by app, "
             "with the policies that make the difference, the most affected users and examples. "
             "For every sign-in the user's groups and roles come from the tenant (the "
             "configuration's static group memberships for the proposed policies); the app, "
             "client app, device platform, compliance and join type, country, IP address and "
             "sign-in risk come from the record. Records are read one at a time, so a log of any "
             "size fits in memory. Sign-ins with incomplete inputs (an unknown user, a service "
             "principal, no device detail) are counted and listed, never dropped. With --verify "
             "the report also gives the agreement between idpc and Entra's recorded results, "
             "and every disagreement, as an evaluator bug or an input the log lacks.\n",
    .opts = opts,
    .exit_codes = "  0  replayed (whatever the outcome)\n"
                  "  1  errors (a bad record, at FILE:LINE:COL; the tenant; the\n"
                  "     configuration), or a usage error\n"
                  "  2  with --detailed-exitcode: an outcome changes, or (--verify) a\n"
                  "     recorded result disagrees\n",
    .examples = "idpc replay policies/contoso --tenant file:t.json --signins log.jsonl\n"
                "idpc replay policies/contoso --tenant graph: --since 7d --format markdown\n"
                "idpc replay --verify --tenant file:t.json --signins signins.json .\n",
};

static bool count_opt(const char *v, size_t *out)
{
    long n;
    if (!util_parse_long(v, 1, 100000, &n))
        return false;
    *out = (size_t)n;
    return true;
}

int cmd_replay(int argc, char **argv)
{
    const char **files = xcalloc((size_t)argc + 1, sizeof(char *));
    size_t nfiles = 0, npaths = 0;
    const char **paths = NULL;
    const char *format = "text", *output = NULL, *since = NULL;
    bool detailed = false, compiled = false;
    struct replay_options ro;
    memset(&ro, 0, sizeof(ro));
    struct compile_result cr;
    memset(&cr, 0, sizeof(cr));
    struct replay *r = NULL;
    char *text = NULL;
    int rc = CLI_EXIT_OK;
    char err[1024];

    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_SIGNINS:
            files[nfiles++] = v;
            break;
        case OPT_TENANT:
            ro.tenant = v;
            break;
        case OPT_SINCE:
            since = v;
            break;
        case OPT_VERIFY:
            ro.verify = true;
            break;
        case OPT_FORMAT:
            if (strcmp(v, "text") && strcmp(v, "markdown") && strcmp(v, "json")) {
                rc =
                    cli_usage_error(spec.cmd, "--format takes text, markdown or json, not '%s'", v);
                goto out;
            }
            format = v;
            break;
        case 'o':
            output = v;
            break;
        case OPT_EXAMPLES:
            if (!count_opt(v, &ro.examples)) {
                rc = cli_usage_error(spec.cmd, "--examples takes a number from 1, not '%s'", v);
                goto out;
            }
            break;
        case OPT_TOP:
            if (!count_opt(v, &ro.top)) {
                rc = cli_usage_error(spec.cmd, "--top takes a number from 1, not '%s'", v);
                goto out;
            }
            break;
        case OPT_DETAILED:
            detailed = true;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    paths = cli_operands(&p, ".", &npaths);
    if (!nfiles && !since) {
        rc = cli_usage_error(spec.cmd,
                             "no sign-ins given: --signins FILE, or --since AGE to read the "
                             "tenant's");
        goto out;
    }
    if (nfiles && since) {
        rc = cli_usage_error(spec.cmd, "give --signins FILE or --since AGE, not both");
        goto out;
    }
    char since_iso[40] = "";
    if (since && replay_since(since, since_iso, sizeof(since_iso), err, sizeof(err)) != 0) {
        rc = cli_usage_error(spec.cmd, "%s", err);
        goto out;
    }
    if (!ro.tenant && !getenv("IDPC_TENANT")) {
        rc = cli_usage_error(spec.cmd, "no tenant given: --tenant graph: or --tenant file:PATH "
                                       "(or set IDPC_TENANT)");
        goto out;
    }

    int crc = compile_paths(paths, npaths, false, &cr);
    compiled = true;
    diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
    if (crc != 0 || !cr.model) {
        unsigned errors = diag_error_count(cr.diag);
        cli_errors_line(errors, "nothing replayed");
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    ro.m = cr.model;
    if (replay_open(&r, &ro, err, sizeof(err)) != 0) {
        cli_error(spec.cmd, "%s", err);
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (replay_read_file(r, files[i], err, sizeof(err)) != 0) {
            cli_error(spec.cmd, "%s", err);
            rc = CLI_EXIT_ERROR;
            goto out;
        }
    }
    if (since && replay_read_tenant(r, since_iso, err, sizeof(err)) != 0) {
        cli_error(spec.cmd, "%s", err);
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    if (strcmp(format, "json") == 0) {
        json_t *j = replay_to_json(r);
        text = cli_json_text(j);
        json_decref(j);
    } else {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        if (!mem) {
            cli_error(spec.cmd, "out of memory");
            rc = CLI_EXIT_ERROR;
            goto out;
        }
        replay_print(r, mem, strcmp(format, "markdown") == 0);
        fclose(mem);
        text = buf;
    }
    rc = cli_write_output(spec.cmd, output, text, strlen(text));
    if (rc == CLI_EXIT_OK && detailed &&
        (replay_changed(r) || (ro.verify && replay_disagreements(r))))
        rc = CLI_EXIT_CHANGES;
out:
    free(text);
    replay_free(r);
    if (compiled)
        compile_free(&cr);
    cli_end(&p);
    free(files);
    return rc;
}
