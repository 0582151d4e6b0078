/* cmd_plan.c — `idpc plan`: compare the configuration with a tenant and show what apply would do. */
#include "cli/cmd_plan.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/analysis/lockout.h"

static void help(void)
{
    printf(
        "usage: idpc plan [--tenant SPEC] [--format text|markdown|json] [-o PLAN.json]\n"
        "                 [--detailed-exitcode] [--allow-lockout-risk] [--no-color]\n"
        "                 [DIR|FILE...]\n\n"
        "Reads the tenant, resolves every name in the configuration to the tenant's ids,\n"
        "compares each declared object with the tenant's (after normalisation, so that\n"
        "equal means equal) and prints the ordered changes apply would make, in the\n"
        "language's terms. Nothing is written to the tenant.\n\n"
        "Lockout guard: a plan after which an emergency-access identity would be blocked, or\n"
        "required to satisfy a control it cannot (`emergency_access ... satisfies ...`), or\n"
        "after which every Global Administrator would be blocked from the admin portals, is\n"
        "refused: the plan is printed, then the sign-ins and the policies that decide them;\n"
        "the exit code is 1 and -o saves nothing (docs/lockout.md).\n\n"
        "Options:\n"
        "  --tenant SPEC        the tenant: file:PATH (a snapshot; docs/tenant-format.md);\n"
        "                       default: the environment variable IDPC_TENANT\n"
        "  --format FMT         text (default), markdown (for a pull-request comment), or\n"
        "                       json (docs/plan-format.md)\n"
        "  -o, --out FILE       also save the plan, with fingerprints of what was read, for\n"
        "                       `idpc apply FILE`\n"
        "  --detailed-exitcode  exit 0 when there are no changes, 2 when there are, 1 on error\n"
        "  --allow-lockout-risk accept a lockout risk: a loud warning instead of a refusal,\n"
        "                       recorded in the plan (\"lockoutRisk\") and in its output\n"
        "  --no-color           no colour (also: NO_COLOR=1, or output not a terminal)\n"
        "  -h, --help           show this help\n\n"
        "Exit codes: 0 success, 1 errors, 2 usage error or (with --detailed-exitcode) changes.\n\n"
        "Example:\n"
        "  idpc plan policies/contoso --tenant file:policies/contoso-tenant.json\n");
}

static int take_value(const char *cmd, int argc, char **argv, int *i, const char **out)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    if (arg[0] == '-' && arg[1] == '-' && eq) {
        *out = eq + 1;
        return 0;
    }
    if (*i + 1 >= argc)
        return cli_usage_error(cmd, "%s needs a value", arg);
    *out = argv[++*i];
    return 0;
}

static bool opt_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* Shared option parsing of plan and apply; returns 0, -1 for help shown, or an exit code. */
static int parse(const char *cmd, int argc, char **argv, struct cli_plan_args *a, bool is_apply)
{
    memset(a, 0, sizeof(*a));
    a->paths = xcalloc((size_t)argc + 1, sizeof(*a->paths));
    a->format = PLAN_FMT_TEXT;
    a->color = cli_color_for(stdout);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        if (cli_is_help(arg))
            return -1;
        if (opt_is(arg, "--tenant")) {
            if (take_value(cmd, argc, argv, &i, &v))
                return CLI_EXIT_USAGE;
            a->tenant = v;
        } else if (!is_apply && opt_is(arg, "--format")) {
            if (take_value(cmd, argc, argv, &i, &v))
                return CLI_EXIT_USAGE;
            if (!plan_format_parse(v, &a->format))
                return cli_usage_error(cmd, "--format takes text, markdown or json, not '%s'", v);
        } else if (!is_apply && (strcmp(arg, "-o") == 0 || opt_is(arg, "--out"))) {
            if (take_value(cmd, argc, argv, &i, &v))
                return CLI_EXIT_USAGE;
            a->out = v;
        } else if (!is_apply && strcmp(arg, "--detailed-exitcode") == 0) {
            a->detailed_exitcode = true;
        } else if (is_apply && strcmp(arg, "--auto-approve") == 0) {
            a->auto_approve = true;
        } else if (strcmp(arg, "--allow-lockout-risk") == 0) {
            a->allow_lockout = true;
        } else if (strcmp(arg, "--no-color") == 0) {
            a->color = false;
        } else if (arg[0] == '-' && arg[1]) {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else {
            a->paths[a->npaths++] = arg;
        }
    }
    if (a->npaths == 0)
        a->paths[a->npaths++] = ".";
    return 0;
}

int cli_plan_make(const char *cmd, const struct cli_plan_args *a, bool lock,
                  struct cli_plan_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    bool diag_color = cli_color_for(stderr);
    int crc = compile_paths(a->paths, a->npaths, false, &ctx->cr);
    ctx->compiled = true;
    unsigned errors = diag_error_count(ctx->cr.diag);
    if (crc != 0 || !ctx->cr.model) {
        diag_render(ctx->cr.diag, stderr, DIAG_FMT_TEXT, diag_color);
        fprintf(stderr, "%u error%s; nothing planned\n", errors, errors == 1 ? "" : "s");
        return CLI_EXIT_ERROR;
    }
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (backend_open(a->tenant, &ctx->b, &err) != 0) {
        diag_render(ctx->cr.diag, stderr, DIAG_FMT_TEXT, diag_color);
        fprintf(stderr, "idpc %s: %s\n", cmd, err.message);
        return CLI_EXIT_ERROR;
    }
    if (lock && backend_lock(ctx->b, &err) != 0) {
        diag_render(ctx->cr.diag, stderr, DIAG_FMT_TEXT, diag_color);
        fprintf(stderr, "idpc %s: %s\n", cmd, err.message);
        return CLI_EXIT_ERROR;
    }
    struct plan_options po = {.paths = a->paths, .npaths = a->npaths};
    ctx->plan = plan_build(ctx->cr.model, ctx->cr.diag, ctx->b, &po);
    errors = diag_error_count(ctx->cr.diag);
    diag_render(ctx->cr.diag, stderr, DIAG_FMT_TEXT, diag_color);
    if (!ctx->plan) {
        fprintf(stderr, "%u error%s; nothing planned\n", errors, errors == 1 ? "" : "s");
        return CLI_EXIT_ERROR;
    }
    return 0;
}

int cli_plan_lockout(const char *cmd, json_t *plan, const struct cli_plan_args *a)
{
    const json_t *risks = lockout_risks(plan);
    if (json_array_size(risks) == 0)
        return 0;
    bool color = cli_color_for(stderr) && a->color;
    fputc('\n', stderr);
    if (a->allow_lockout) {
        lockout_allow(plan);
        lockout_print(risks, false, color, stderr);
        fprintf(stderr,
                "warning: idpc %s: LOCKOUT RISK ACCEPTED with --allow-lockout-risk; the plan "
                "records it\n",
                cmd);
        return 0;
    }
    lockout_print(risks, true, color, stderr);
    fprintf(stderr,
            "idpc %s: refusing the plan: it would lock out emergency access or every Global "
            "Administrator (above); fix the configuration, or accept the risk with "
            "--allow-lockout-risk%s\n",
            cmd, a->out ? " (the plan was not saved)" : "");
    return CLI_EXIT_ERROR;
}

void cli_plan_ctx_fini(struct cli_plan_ctx *ctx)
{
    json_decref(ctx->plan);
    if (ctx->b) {
        backend_unlock(ctx->b);
        backend_close(ctx->b);
    }
    if (ctx->compiled)
        compile_free(&ctx->cr);
    memset(ctx, 0, sizeof(*ctx));
}

int cmd_plan(int argc, char **argv)
{
    struct cli_plan_args a;
    int rc = parse("plan", argc, argv, &a, false);
    if (rc != 0) {
        if (rc < 0) {
            help();
            rc = CLI_EXIT_OK;
        }
        free(a.paths);
        return rc;
    }
    struct cli_plan_ctx ctx;
    rc = cli_plan_make("plan", &a, false, &ctx);
    if (rc == 0) {
        if (a.allow_lockout && json_array_size(lockout_risks(ctx.plan)) > 0)
            lockout_allow(ctx.plan); /* before rendering: the output records it */
        plan_render(ctx.plan, a.format, a.color && a.format == PLAN_FMT_TEXT, stdout);
        fflush(stdout);
        rc = cli_plan_lockout("plan", ctx.plan, &a);
        if (rc == 0 && a.out) {
            int e = plan_save(ctx.plan, a.out);
            if (e) {
                fprintf(stderr, "idpc plan: cannot write '%s': %s\n", a.out, strerror(e));
                rc = CLI_EXIT_ERROR;
            } else if (a.format == PLAN_FMT_TEXT) {
                printf("\nSaved the plan to %s; apply exactly this plan with: idpc apply %s\n",
                       a.out, a.out);
            }
        }
        if (rc == 0 && a.detailed_exitcode && plan_has_changes(ctx.plan))
            rc = 2;
    }
    cli_plan_ctx_fini(&ctx);
    free(a.paths);
    return rc;
}

int cli_plan_parse_apply(int argc, char **argv, struct cli_plan_args *a)
{
    return parse("apply", argc, argv, a, true);
}
