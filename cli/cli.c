/* cli.c — option helpers shared by the commands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_diag_opts_init(struct cli_diag_opts *o)
{
    o->format = DIAG_FMT_TEXT;
    o->color = cli_color_for(stderr);
}

bool cli_color_for(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f)) != 0;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "idpc %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'idpc %s --help' for usage.\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_parse_format(int argc, char **argv, int *i, struct cli_diag_opts *o)
{
    const char *a = argv[*i];
    const char *val = NULL;
    if (strcmp(a, "--format") == 0) {
        if (*i + 1 >= argc)
            return -1;
        val = argv[++*i];
    } else if (strncmp(a, "--format=", 9) == 0) {
        val = a + 9;
    } else {
        return 0;
    }
    if (!diag_format_parse(val, &o->format))
        return -1;
    return 1;
}
