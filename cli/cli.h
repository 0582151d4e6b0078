/* cli.h — the command-line front end's shared pieces: one option table per command, the
 * getopt_long parser and the --help text built from it, colour, error lines and output checks.
 * Ownership: option values and operands point into argv; a cli_parser owns its arrays until
 * cli_end().
 *
 * Adding an option to a command is one row in its table (cmd_*.c, `static const struct
 * cli_opt opts[]`), then one `case` in the command's loop over cli_next():
 *
 *     {'o', "output", "FILE", "write to FILE instead of standard output"},
 *     {CLI_KEY(3), "auto-approve", NULL, "do not ask for confirmation"},
 *     {'o', "out", "FILE", NULL},                  <- an old spelling: same key, no help
 *
 *   key   a letter (gives the short option -o) or CLI_KEY(n) for a long-only option; rows that
 *         share a key are aliases of one option
 *   name  the long name without "--"
 *   arg   NULL for a flag; else the value's name in --help. The value is accepted as
 *         --name=VALUE, --name VALUE, -o VALUE and -oVALUE
 *   help  the --help (and man page) text, wrapped automatically; NULL hides an alias
 *
 * Every command gets -h/--help, --color auto|always|never and --no-color from the parser. Long
 * options are spelled in full: an abbreviation (--ten for --tenant) is refused with a
 * suggestion, so that adding an option never changes what an existing command line means.
 * Choices are spelled in `arg` ("text|json|github"): the shell completions read them there. */
#ifndef IDPC_CLI_H
#define IDPC_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/diag.h"
#include "compiler/util.h"

/* Exit codes (docs/cli.md): every error, usage errors included, exits 1; 2 means only "changes
 * present" under --detailed-exitcode (Terraform's contract). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_USAGE = 1, /* a usage error is an error */
    CLI_EXIT_CHANGES = 2,
};

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

#define CLI_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef CLI_CMD

/* ---- Option tables ---------------------------------------------------------------------- */

#define CLI_KEY(n) (0x100 + (n)) /* a long-only option's key */

struct cli_opt {
    int key;
    const char *name;
    const char *arg;
    const char *help;
};

/* A command's help page: "Usage:" lines, description, options, exit codes, examples (the
 * layout help2man turns into a man page). Strings end with "\n"; `usage` holds one line per
 * form, each without "idpc CMD". */
struct cli_spec {
    const char *cmd;
    const char *usage;
    const char *about;
    const struct cli_opt *opts; /* ends with a row whose name is NULL */
    const char *exit_codes;     /* NULL: the common "0 success, 1 errors" */
    const char *examples;
};

enum {
    CLI_DONE = -1, /* every option was read; the operands are in p->args */
    CLI_STOP = -2, /* stop now and exit with p->rc (help printed: 0; usage error printed: 1) */
};

struct cli_parser {
    const struct cli_spec *spec;
    int argc;
    char **argv;
    void *longopts;
    char *shortopts;
    const char **args; /* operands in order; room for one more (a default) */
    size_t nargs;
    int rc;
};

void cli_begin(struct cli_parser *p, const struct cli_spec *spec, int argc, char **argv);
/* The next option's key, its value in *val (NULL for a flag), or CLI_DONE / CLI_STOP. */
int cli_next(struct cli_parser *p, const char **val);
/* The operands, or `dflt` alone when there are none (and dflt is not NULL). */
const char **cli_operands(struct cli_parser *p, const char *dflt, size_t *n);
void cli_end(struct cli_parser *p);
/* Prints the help page of `spec` on stdout. */
void cli_help(const struct cli_spec *spec);

/* ---- Messages --------------------------------------------------------------------------- */

/* "idpc CMD: error: ..." on stderr (a GitHub workflow command with --format github). */
void cli_error(const char *cmd, const char *fmt, ...) IDPC_PRINTF(2, 3);
/* "idpc CMD: warning: ..." on stderr. */
void cli_warning(const char *cmd, const char *fmt, ...) IDPC_PRINTF(2, 3);
/* cli_error() and a line pointing at --help; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) IDPC_PRINTF(2, 3);
/* With on, cli_error() and cli_warning() print GitHub Actions workflow commands. */
void cli_set_github(bool on);
/* "N error(s); WHAT" on stderr: the line a command ends with when the configuration has errors
 * ("nothing planned", "no test run"). */
void cli_errors_line(unsigned errors, const char *what);

/* ---- Colour ----------------------------------------------------------------------------- */

enum cli_color {
    CLI_COLOR_AUTO,
    CLI_COLOR_ALWAYS,
    CLI_COLOR_NEVER
};
/* Whether to colour output written to f: --color always/never decide; with auto, NO_COLOR
 * (set, not empty) turns colour off, then FORCE_COLOR or CLICOLOR_FORCE (set, not "0") turn
 * it on, then TERM=dumb turns it off, else colour when f is a terminal. */
bool cli_color_for(FILE *f);
void cli_set_color(enum cli_color c);

/* ---- Output ----------------------------------------------------------------------------- */

/* Writes `len` bytes to `path` (atomically; a device or FIFO is written in place), or to
 * standard output when path is NULL or "-". Returns 0, or CLI_EXIT_ERROR after an error line. */
int cli_write_output(const char *cmd, const char *path, const char *data, size_t len);
/* A JSON document as the commands print it: indented by 2, keys in order, a final newline.
 * The caller frees it. */
char *cli_json_text(const json_t *j);
/* Flushes and closes standard output; CLI_EXIT_ERROR after an error line when any write to
 * it failed (a full disk, /dev/full, an I/O error), else 0. */
int cli_close_stdout(const char *cmd);

/* Diagnostics formats shared by the commands that print them (--format text|json|github). */
struct cli_diag_opts {
    enum diag_format format;
    bool color;
};
void cli_diag_opts_init(struct cli_diag_opts *o);
/* Parses a --format value for diagnostics; a usage error (CLI_EXIT_USAGE) when unknown. */
int cli_diag_format(const char *cmd, const char *val, struct cli_diag_opts *o);

/* ---- Hand parsing (kept for commands not yet on an option table; use cli_next) ----------- */
bool cli_is_help(const char *arg);
/* `--name VALUE` or `--name=VALUE` at argv[*i]: 1 when consumed (advancing *i past the value),
 * 0 when argv[*i] is another option, -1 when the value is missing. */
int cli_option_value(int argc, char **argv, int *i, const char *name, const char **val);
/* "--format X" / "--format=X" for diagnostics: 1 when consumed, 0 if not, -1 on error. */
int cli_parse_format(int argc, char **argv, int *i, struct cli_diag_opts *o);

#endif
