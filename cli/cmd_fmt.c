/* cmd_fmt.c — `idpc fmt` (placeholder until the printer lands). */
#include "cli/cli.h"

int cmd_fmt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "idpc fmt: not available yet\n");
    return CLI_EXIT_ERROR;
}
