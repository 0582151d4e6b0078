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
    if (apply_check_secrets(plan) != 0) {
        cli_error("apply", "nothing was applied: set the environment variables above");
        return CLI_EXIT_ERROR;
    }
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
        cli_error("apply",
                  "%s: NOTHING WAS SAVED: the %zu change%s above %s not in the tenant, which is "
                  "as it was before this apply",
                  b->display, applied, applied == 1 ? "" : "s", applied == 1 ? "is" : "are");
        rc = CLI_EXIT_ERROR;
    }
    if (arc != 0) {
        const json_t *f = json_object_get(report, "failed");
        fputc('\n', stderr);
        if (crc == 0)
            cli_error("apply",
                      "failed at step %zu of %zu: %s: %s\n"
                      "%zu change%s applied, %zu not applied. The tenant keeps what was "
                      "applied;\nrun `idpc plan` to see what remains and `idpc apply` again to "
                      "converge.",
                      applied + 1, total, json_string_value(json_object_get(f, "description")),
                      json_string_value(json_object_get(f, "error")), applied,
                      applied == 1 ? " was" : "s were", total - applied);
        else
            cli_error("apply", "failed at step %zu of %zu: %s: %s", applied + 1, total,
                      json_string_value(json_object_get(f, "description")),
                      json_string_value(json_object_get(f, "error")));
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

static void print_changed(const json_t *changed)
{
    size_t i;
    json_t *c;
    json_array_foreach(changed, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        fprintf(stderr, "  %s%s%s%s %s\n", json_string_value(json_object_get(c, "path")),
                name ? " \"" : "", name ? name : "", name ? "\"" : "",
                json_string_value(json_object_get(c, "what")));
    }
}

/* `idpc apply PLAN.json` (docs/runtime.md, "Saved plans"): the plan's own configuration is
 * compiled again and planned against the tenant as it is now, under the lock; only a plan equal
 * to the saved one runs, and the lockout guard judges the re-derived plan. */
static int apply_saved(const char *path, const struct cli_plan_args *a)
{
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    json_t *saved = plan_load(path, &err);
    if (!saved) {
        cli_error("apply", "refusing the plan: %s", err.message);
        return CLI_EXIT_ERROR;
    }
    const char *spec = a->tenant;
    if (!spec && !getenv("IDPC_TENANT"))
        spec = json_string_value(json_object_get(json_object_get(saved, "tenant"), "backend"));
    struct backend *b = NULL;
    struct compile_result cr;
    memset(&cr, 0, sizeof(cr));
    json_t *now = NULL, *changed = NULL;
    int rc = CLI_EXIT_ERROR;
    enum diag_format dfmt = a->github ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT;
    bool diag_color = cli_color_for(stderr) && !a->github;
    if (plan_saved_compile(saved, &cr) != 0) {
        diag_render(cr.diag, stderr, dfmt, diag_color);
        cli_error("apply", "refusing %s: the configuration it carries does not compile", path);
        goto out;
    }
    if (backend_open(spec, &b, &err) != 0 || backend_lock(b, &err) != 0 ||
        plan_saved_identity(saved, b, &err) != 0) {
        cli_error("apply", "refusing %s: %s", path, err.message);
        goto out;
    }
    int v = plan_verify(saved, b, &changed, &err);
    if (v < 0) {
        cli_error("apply", "%s", err.message);
        goto out;
    }
    now = plan_saved_rederive(saved, &cr, b);
    diag_render(cr.diag, stderr, dfmt, diag_color);
    if (!now) {
        cli_error("apply",
                  "refusing %s: its configuration cannot be planned against the tenant now "
                  "(above)",
                  path);
        goto out;
    }
    if (plan_has_changes(saved) && !plan_has_changes(now)) {
        cli_error("apply", "this plan has already been applied, or the tenant changed the same "
                           "way: the tenant matches its configuration; nothing to do");
        print_changed(changed);
        goto out;
    }
    if (v > 0) {
        cli_error("apply",
                  "refusing to apply %s: the tenant changed since the plan was made:", path);
        print_changed(changed);
        fprintf(stderr, "Make a new plan with `idpc plan -o %s` and review it.\n", path);
        goto out;
    }
    char *why = plan_saved_difference(saved, now);
    if (why) {
        cli_error("apply",
                  "refusing to apply %s: it is not the plan its configuration makes against the "
                  "tenant now: %s",
                  path, why);
        fprintf(stderr, "Make a new plan with `idpc plan -o %s` and review it.\n", path);
        free(why);
        goto out;
    }
    if (!plan_has_changes(now)) {
        printf("The saved plan has no changes; nothing to apply.\n");
        rc = CLI_EXIT_OK;
        goto out;
    }
    plan_render_text(now, a->color, stdout);
    fflush(stdout);
    /* the guard on the re-derived plan; only the plan's own record of --allow-lockout-risk counts
     * (plan_saved_rederive kept it only for exactly the risks found now) */
    struct cli_plan_args guard = *a;
    guard.allow_lockout = lockout_allowed(now);
    if (cli_plan_lockout("apply", now, &guard) == 0) {
        if (guard.allow_lockout && json_array_size(lockout_risks(now)) > 0)
            cli_warning("apply", "this plan was saved with --allow-lockout-risk for exactly these "
                                 "risks; applying it with the LOCKOUT RISK above");
        rc = execute(now, b, a->color);
    }
out:
    json_decref(changed);
    json_decref(now);
    if (b) {
        backend_unlock(b);
        backend_close(b);
    }
    if (cr.diag)
        compile_free(&cr);
    json_decref(saved);
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
