/* cli.h — shared pieces of the command-line front end.
 * Ownership: option values point into argv; everything else is documented per function. */
#ifndef IDPC_CLI_H
#define IDPC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "compiler/diag.h"
#include "compiler/util.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_USAGE = 2,
};

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

#define CLI_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef CLI_CMD

/* Common output options shared by commands that print diagnostics. */
struct cli_diag_opts {
    enum diag_format format;
    bool color;
};
void cli_diag_opts_init(struct cli_diag_opts *o);
/* Parses "--format X" / "--format=X"; returns 1 when consumed (advancing *i), 0 if not, -1 on error. */
int cli_parse_format(int argc, char **argv, int *i, struct cli_diag_opts *o);
/* `--name VALUE` or `--name=VALUE` at argv[*i]: returns 1 when consumed (advancing *i past the
 * value), 0 when argv[*i] is another option, -1 when the value is missing. */
int cli_option_value(int argc, char **argv, int *i, const char *name, const char **val);
/* Prints a usage error for command `cmd` and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) IDPC_PRINTF(2, 3);
bool cli_is_help(const char *arg);
bool cli_color_for(FILE *f);

#endif
