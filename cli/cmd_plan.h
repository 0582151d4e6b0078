/* cmd_plan.h — pieces shared by `idpc plan` and `idpc apply` (cmd_plan.c).
 * Ownership: a cli_plan_args points into argv; a cli_plan_ctx owns its compile result, backend
 * and plan until cli_plan_ctx_fini(). */
#ifndef IDPC_CMD_PLAN_H
#define IDPC_CMD_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "compiler/compile.h"
#include "runtime/tenant/backend.h"
#include "runtime/plan/plan.h"

struct cli_plan_args {
    const char **paths;
    size_t npaths;
    const char *tenant;
    const char *out;
    enum plan_format format;
    bool detailed_exitcode;
    bool auto_approve;
    bool allow_lockout; /* --allow-lockout-risk */
    bool color;         /* colour on standard output */
    bool github;        /* --format github: diagnostics and errors as GitHub Actions annotations */
    bool no_impact;     /* --impact=off: no "impact" section (plan only) */
};

struct cli_plan_ctx {
    struct compile_result cr;
    bool compiled;
    struct backend *b;
    json_t *plan;
};

/* Compiles the configuration, opens the tenant, (optionally) locks it, and builds the plan.
 * Diagnostics and errors are printed on stderr. Returns 0 or CLI_EXIT_ERROR. */
int cli_plan_make(const char *cmd, const struct cli_plan_args *a, bool lock,
                  struct cli_plan_ctx *ctx);
void cli_plan_ctx_fini(struct cli_plan_ctx *ctx);
/* The lockout guard's verdict on a plan (runtime/lockout.h): 0 when the plan introduces no
 * lockout risk, or when --allow-lockout-risk accepts it (the plan is marked, a warning printed);
 * CLI_EXIT_ERROR with an error block on stderr otherwise. */
int cli_plan_lockout(const char *cmd, json_t *plan, const struct cli_plan_args *a);
/* Option parsing of `idpc apply`; 0, -1 when --help was shown, or an exit code. a->paths is
 * the caller's to free. */
int cli_plan_parse_apply(int argc, char **argv, struct cli_plan_args *a);

#endif
