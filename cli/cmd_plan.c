/* cmd_plan.c — `idpc plan`: compare the configuration with a tenant and show what apply would do. */
#include "cli/cmd_plan.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/analysis/lockout.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_FORMAT,
    OPT_DETAILED,
    OPT_ALLOW_LOCKOUT,
    OPT_AUTO_APPROVE,
    OPT_IMPACT,
};

#define TENANT_HELP                                                                                \
    "the tenant: graph: (Microsoft Graph, credentials from the environment, "                      \
    "docs/authentication.md) or file:PATH (a snapshot, docs/tenant-format.md); default: the "      \
    "environment variable IDPC_TENANT"

static const struct cli_opt plan_opts[] = {
    {OPT_TENANT, "tenant", "SPEC", TENANT_HELP},
    {OPT_FORMAT, "format", "text|markdown|json|github",
     "text (default), markdown (for a pull-request comment), json "
     "(docs/plan-format.md), or github (the text plan, with "
     "diagnostics and refusals as GitHub Actions annotations)"},
    {'o', "output", "FILE",
     "also save the plan, with the configuration's sources and fingerprints of what was "
     "read, for `idpc apply FILE`"},
    {'o', "out", "FILE", NULL}, /* the old spelling */
    {OPT_DETAILED, "detailed-exitcode", NULL,
     "exit 0 when there are no changes, 2 when there "
     "are, 1 on any error"},
    {OPT_ALLOW_LOCKOUT, "allow-lockout-risk", NULL,
     "accept a lockout risk: a loud warning "
     "instead of a refusal, recorded in the plan "
     "(\"lockoutRisk\") and in its output"},
    {OPT_IMPACT, "impact", "on|off",
     "on (default): evaluate the tenant's Conditional Access policies before and after the "
     "plan over every persona, app, platform, client app type, location and risk level, and "
     "show the sign-ins whose outcome changes, evaluating at most 10,000,000 classes of "
     "scenarios (docs/plan-format.md, \"impact\"); off: skip it"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec plan_spec = {
    .cmd = "plan",
    .usage = "[OPTIONS] [DIR|FILE...]\n",
    .about = "Reads the tenant, resolves every name in the configuration to the tenant's ids, "
             "compares each declared object with the tenant's (after normalisation, so that "
             "equal means equal) and prints the ordered changes apply would make, in the "
             "language's terms. Nothing is written to the tenant. Several DIRs form one "
             "configuration: shared policies and one environment's `tenant` and `define`s "
             "(docs/cli.md, \"Several tenants\").\n"
             "\n"
             "Lockout guard: a plan after which an emergency-access identity would be blocked, or "
             "required to satisfy a control it cannot (`emergency_access ... satisfies ...`), or "
             "after which every Global Administrator would be blocked from the admin portals, is "
             "refused: the plan is printed, then the sign-ins and the policies that decide them; "
             "the exit code is 1 and -o saves nothing (docs/lockout.md).\n",
    .opts = plan_opts,
    .exit_codes = "  0  success (with --detailed-exitcode: no changes)\n"
                  "  1  errors, a refused plan, or a usage error\n"
                  "  2  only with --detailed-exitcode: success, changes present\n",
    .examples = "idpc plan policies/contoso --tenant file:policies/contoso-tenant.json\n"
                "idpc plan policies/shared environments/prod --tenant graph: -o plan.json\n",
};

static const struct cli_opt apply_opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     TENANT_HELP "; for a saved plan: the tenant it was made "
                 "against"},
    {OPT_AUTO_APPROVE, "auto-approve", NULL, "do not ask for confirmation"},
    {OPT_ALLOW_LOCKOUT, "allow-lockout-risk", NULL,
     "apply although the lockout guard finds a "
     "risk (a loud warning); not for a saved plan, which carries its own record"},
    {OPT_FORMAT, "format", "text|github",
     "text (default), or github: diagnostics and refusals also as "
     "GitHub Actions annotations"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec apply_spec = {
    .cmd = "apply",
    .usage = "[OPTIONS] [DIR|FILE...]\n[OPTIONS] PLAN.json\n",
    .about = "With a configuration, plans (under the tenant's write lock), shows the plan and "
             "asks for confirmation before writing; --auto-approve skips the question (for "
             "pipelines). Without a terminal and without --auto-approve it refuses.\n"
             "\n"
             "With a plan saved by `idpc plan -o PLAN.json`, applies exactly that plan, after "
             "checking that nothing the plan read has changed in the tenant since; if anything "
             "changed it refuses and names the objects.\n"
             "\n"
             "Writes run in dependency order. On a failure apply stops, reports what was applied "
             "and what was not, and exits 1; running it again converges.\n"
             "\n"
             "Lockout guard: apply refuses, before any write, a change after which an "
             "emergency-access identity would be blocked or required to satisfy a control it "
             "cannot, or after which every Global Administrator would be blocked from the admin "
             "portals (docs/lockout.md). A saved plan is checked again against the tenant, "
             "unless it was saved with --allow-lockout-risk (apply then says so).\n",
    .opts = apply_opts,
    .exit_codes = "  0  applied (or nothing to do)\n"
                  "  1  refused or failed, or a usage error\n",
    .examples = "idpc apply policies/contoso --tenant file:policies/contoso-tenant.json\n"
                "idpc apply plan.json --auto-approve\n",
};

/* Shared option parsing of plan and apply; returns 0, -1 for help shown, or an exit code. */
static int parse(const struct cli_spec *spec, int argc, char **argv, struct cli_plan_args *a)
{
    memset(a, 0, sizeof(*a));
    a->format = PLAN_FMT_TEXT;
    struct cli_parser p;
    cli_begin(&p, spec, argc, argv);
    int rc = 0;
    const char *v;
    for (int k; rc == 0 && (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            a->tenant = v;
            break;
        case OPT_FORMAT:
            a->github = strcmp(v, "github") == 0;
            if (a->github)
                a->format = PLAN_FMT_TEXT;
            else if (spec == &apply_spec ? strcmp(v, "text") != 0
                                         : !plan_format_parse(v, &a->format))
                rc = cli_usage_error(
                    spec->cmd, "--format takes %s, not '%s'",
                    spec == &apply_spec ? "text or github" : "text, markdown, json or github", v);
            break;
        case 'o':
            a->out = v;
            break;
        case OPT_DETAILED:
            a->detailed_exitcode = true;
            break;
        case OPT_AUTO_APPROVE:
            a->auto_approve = true;
            break;
        case OPT_ALLOW_LOCKOUT:
            a->allow_lockout = true;
            break;
        case OPT_IMPACT:
            if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
                rc = cli_usage_error(spec->cmd, "--impact takes on or off, not '%s'", v);
            a->no_impact = strcmp(v, "off") == 0;
            break;
        default:
            rc = p.rc == CLI_EXIT_OK ? -1 : p.rc;
            break;
        }
    }
    if (rc == 0) {
        size_t n = 0;
        const char **ops = cli_operands(&p, ".", &n);
        a->paths = xcalloc(n + 1, sizeof(*a->paths));
        memcpy(a->paths, ops, n * sizeof(*ops));
        a->npaths = n;
    }
    cli_set_github(a->github);
    a->color = cli_color_for(stdout) && !a->github;
    cli_end(&p);
    return rc;
}

int cli_plan_make(const char *cmd, const struct cli_plan_args *a, bool lock,
                  struct cli_plan_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    bool diag_color = cli_color_for(stderr) && !a->github;
    enum diag_format dfmt = a->github ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT;
    /* `plan` without -o prints text or markdown from everything but the reads */
    bool no_reads = strcmp(cmd, "plan") == 0 && !a->out && a->format != PLAN_FMT_JSON;
    struct compile_options co = {.freeze = no_reads ? plan_freeze_request_keyed()
                                                    : plan_freeze_request()};
    int crc = compile_paths_with(a->paths, a->npaths, &co, &ctx->cr);
    ctx->compiled = true;
    unsigned errors = diag_error_count(ctx->cr.diag);
    if (crc != 0 || !ctx->cr.model) {
        diag_render(ctx->cr.diag, stderr, dfmt, diag_color);
        cli_errors_line(errors, "nothing planned");
        return CLI_EXIT_ERROR;
    }
    compile_drop_tree(&ctx->cr);
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (no_reads)
        plan_hold_location_keys();
    else
        plan_hold_locations();
    if (backend_open(a->tenant, &ctx->b, &err) != 0) {
        diag_render(ctx->cr.diag, stderr, dfmt, diag_color);
        cli_error(cmd, "%s", err.message);
        return CLI_EXIT_ERROR;
    }
    if (lock && backend_lock(ctx->b, &err) != 0) {
        diag_render(ctx->cr.diag, stderr, dfmt, diag_color);
        cli_error(cmd, "%s", err.message);
        return CLI_EXIT_ERROR;
    }
    struct plan_options po = {.paths = a->paths,
                              .npaths = a->npaths,
                              .impact = !a->no_impact,
                              .release_bodies = true,
                              .no_reads = no_reads,
                              /* a plan written as JSON needs the memory back first */
                              .no_free = no_reads && !util_free_at_exit()};
    ctx->plan = plan_build(ctx->cr.model, ctx->cr.diag, ctx->b, &po);
    errors = diag_error_count(ctx->cr.diag);
    diag_render(ctx->cr.diag, stderr, dfmt, diag_color);
    if (!ctx->plan) {
        cli_errors_line(errors, "nothing planned");
        return CLI_EXIT_ERROR;
    }
    return 0;
}

int cli_plan_lockout(const char *cmd, json_t *plan, const struct cli_plan_args *a)
{
    const json_t *risks = lockout_risks(plan);
    if (json_array_size(risks) == 0)
        return 0;
    bool color = cli_color_for(stderr) && !a->github;
    fputc('\n', stderr);
    if (a->allow_lockout) {
        lockout_allow(plan);
        lockout_print(risks, false, color, stderr);
        cli_warning(cmd, "LOCKOUT RISK ACCEPTED with --allow-lockout-risk; the plan records it");
        return 0;
    }
    lockout_print(risks, true, color, stderr);
    cli_error(cmd,
              "refusing the plan: it would lock out emergency access or every Global "
              "Administrator (above); fix the configuration, or accept the risk with "
              "--allow-lockout-risk%s",
              a->out ? " (the plan was not saved)" : "");
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
    int rc = parse(&plan_spec, argc, argv, &a);
    if (rc != 0) {
        if (rc < 0)
            rc = CLI_EXIT_OK;
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
            plan_attach_sources(ctx.plan, ctx.cr.diag);
            int e = plan_save(ctx.plan, a.out);
            if (e) {
                cli_error("plan", "cannot write '%s': %s", a.out, strerror(e));
                rc = CLI_EXIT_ERROR;
            } else if (a.format == PLAN_FMT_TEXT) {
                printf("\nSaved the plan to %s; apply exactly this plan with: idpc apply %s\n",
                       a.out, a.out);
            }
        }
        if (rc == 0 && a.detailed_exitcode && plan_has_changes(ctx.plan))
            rc = CLI_EXIT_CHANGES;
    }
    if (util_free_at_exit()) /* else exit() returns the memory at once (plan holds no lock) */
        cli_plan_ctx_fini(&ctx);
    free(a.paths);
    return rc;
}

int cli_plan_parse_apply(int argc, char **argv, struct cli_plan_args *a)
{
    return parse(&apply_spec, argc, argv, a);
}
