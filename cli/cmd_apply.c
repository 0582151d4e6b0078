/* cmd_apply.c — `idpc apply`: make the tenant match the configuration, or apply a saved plan. */
#include "cli/cli.h"
#include "cli/cmd_plan.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/plan/apply.h"
#include "runtime/analysis/lockout.h"
#include "runtime/tenant/tenant.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool confirm(const json_t *plan, bool auto_approve)
{
    if (auto_approve)
        return true;
    if (!isatty(STDIN_FILENO)) {
        cli_error("apply", "refusing to apply without confirmation: standard input is not a "
                           "terminal; review the plan and pass --auto-approve");
        return false;
    }
    const json_t *t = json_object_get(plan, "tenant");
    printf("\nApply these changes to tenant %s? Only 'yes' is accepted: ",
           json_string_value(json_object_get(t, "domain"))
               ? json_string_value(json_object_get(t, "domain"))
               : json_string_value(json_object_get(t, "id")));
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        return false;
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "yes") != 0) {
        printf("Apply cancelled; nothing was changed.\n");
        return false;
    }
    return true;
}

static int execute(const json_t *plan, struct backend *b, bool color)
{
    printf("\nApplying to %s:\n", b->display);
    json_t *report = NULL;
    int arc = apply_run(plan, b, stdout, color, &report);
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    int crc = backend_commit(b, &err);
    size_t applied = (size_t)json_integer_value(json_object_get(report, "applied"));
    size_t total = (size_t)json_integer_value(json_object_get(report, "total"));
    int rc = CLI_EXIT_OK;
    if (crc != 0) {
        cli_error("apply", "%s", err.message);
        rc = CLI_EXIT_ERROR;
    }
    if (arc != 0) {
        const json_t *f = json_object_get(report, "failed");
        fputc('\n', stderr);
        cli_error("apply",
                  "failed at step %zu of %zu: %s: %s\n"
                  "%zu change%s applied, %zu not applied. The tenant keeps what was applied;\n"
                  "run `idpc plan` to see what remains and `idpc apply` again to converge.",
                  applied + 1, total, json_string_value(json_object_get(f, "description")),
                  json_string_value(json_object_get(f, "error")), applied,
                  applied == 1 ? " was" : "s were", total - applied);
        rc = CLI_EXIT_ERROR;
    } else if (rc == 0) {
        struct plan_summary s;
        plan_summary(plan, &s);
        printf("\nApply complete: %u created, %u updated, %u replaced, %u deleted (%zu "
               "request%s).\n",
               s.create, s.update, s.replace, s.del, total, total == 1 ? "" : "s");
    }
    json_decref(report);
    return rc;
}

/* A saved plan made with --allow-lockout-risk is applied as reviewed (and says so); any other
 * saved plan is checked again against the tenant as it is now. */
static int recheck_lockout(json_t *plan, struct backend *b, const struct cli_plan_args *a)
{
    if (lockout_allowed(plan)) {
        fputc('\n', stderr);
        lockout_print(lockout_risks(plan), false, cli_color_for(stderr) && !a->github, stderr);
        cli_warning("apply", "this plan was saved with --allow-lockout-risk; applying it with the "
                             "LOCKOUT RISK above");
        return 0;
    }
    struct tenant t;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (tenant_load(&t, b, &err) != 0) {
        cli_error("apply", "%s", err.message);
        tenant_free(&t);
        return CLI_EXIT_ERROR;
    }
    json_t *analysis = lockout_analyse(plan, &t, NULL);
    tenant_free(&t);
    json_object_del(plan, "lockoutRisk");
    lockout_record(plan, analysis);
    json_decref(analysis);
    return cli_plan_lockout("apply", plan, a);
}

static int apply_saved(const char *path, const struct cli_plan_args *a)
{
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    json_t *plan = plan_load(path, &err);
    if (!plan) {
        cli_error("apply", "%s", err.message);
        return CLI_EXIT_ERROR;
    }
    const char *spec = a->tenant;
    if (!spec && !getenv("IDPC_TENANT"))
        spec = json_string_value(json_object_get(json_object_get(plan, "tenant"), "backend"));
    struct backend *b = NULL;
    int rc = CLI_EXIT_ERROR;
    if (backend_open(spec, &b, &err) != 0 || backend_lock(b, &err) != 0) {
        cli_error("apply", "%s", err.message);
        goto out;
    }
    json_t *changed = NULL;
    int v = plan_verify(plan, b, &changed, &err);
    if (v < 0) {
        cli_error("apply", "%s", err.message);
    } else if (v > 0) {
        cli_error("apply",
                  "refusing to apply %s: the tenant changed since the plan was made:", path);
        size_t i;
        json_t *c;
        json_array_foreach(changed, i, c)
        {
            const char *name = json_string_value(json_object_get(c, "name"));
            fprintf(stderr, "  %s%s%s%s %s\n", json_string_value(json_object_get(c, "path")),
                    name ? " \"" : "", name ? name : "", name ? "\"" : "",
                    json_string_value(json_object_get(c, "what")));
        }
        fprintf(stderr, "Make a new plan with `idpc plan -o %s` and review it.\n", path);
    } else if (!plan_has_changes(plan)) {
        printf("The saved plan has no changes; nothing to apply.\n");
        rc = CLI_EXIT_OK;
    } else {
        plan_render_text(plan, a->color, stdout);
        fflush(stdout);
        if (recheck_lockout(plan, b, a) == 0)
            rc = execute(plan, b, a->color);
    }
    json_decref(changed);
out:
    if (b) {
        backend_unlock(b);
        backend_close(b);
    }
    json_decref(plan);
    return rc;
}

int cmd_apply(int argc, char **argv)
{
    struct cli_plan_args a;
    int rc = cli_plan_parse_apply(argc, argv, &a);
    if (rc != 0) {
        if (rc < 0)
            rc = CLI_EXIT_OK;
        free(a.paths);
        return rc;
    }
    if (a.npaths == 1 && ends_with(a.paths[0], ".json")) {
        rc = apply_saved(a.paths[0], &a);
        free(a.paths);
        return rc;
    }
    struct cli_plan_ctx ctx;
    rc = cli_plan_make("apply", &a, true, &ctx);
    if (rc == 0) {
        if (a.allow_lockout && json_array_size(lockout_risks(ctx.plan)) > 0)
            lockout_allow(ctx.plan);
        plan_render_text(ctx.plan, a.color, stdout);
        fflush(stdout);
        if (!plan_has_changes(ctx.plan))
            rc = CLI_EXIT_OK;
        else if (cli_plan_lockout("apply", ctx.plan, &a) != 0)
            rc = CLI_EXIT_ERROR;
        else if (!confirm(ctx.plan, a.auto_approve))
            rc = CLI_EXIT_ERROR;
        else
            rc = execute(ctx.plan, ctx.b, a.color);
    }
    cli_plan_ctx_fini(&ctx);
    free(a.paths);
    return rc;
}
