/* idpc.c — command dispatch. Commands live in cmd_*.c; this file holds no logic of its own. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "compiler/suggest.h"
#include "runtime/tenant/versions.h"

static const struct cli_command commands[] = {
#define CLI_CMD(name, fn, summary) {name, fn, summary},
#include "cli/commands.def"
#undef CLI_CMD
};

static void usage(FILE *out)
{
    fprintf(out, "usage: idpc COMMAND [OPTIONS] [ARGS]\n\n"
                 "idpc compiles .idp policy files describing Microsoft Entra ID identity and\n"
                 "Conditional Access into Microsoft Graph objects, and plans and applies them.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'idpc COMMAND --help' for a command's options and an example.\n"
                 "Options:\n"
                 "  -h, --help     show this help\n"
                 "  --version      show the version, the commit and the libraries' versions\n\n"
                 "Exit codes: 0 success, 1 errors in the input or the operation failed,\n"
                 "2 usage error (and, with plan --detailed-exitcode, 2 means changes).\n"
                 "Documentation: docs/cli.md\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        versions_print(stdout);
        return 0;
    }
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "idpc: unknown command '%s'", cmd);
    struct suggest sg;
    suggest_init(&sg, cmd);
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        suggest_add(&sg, commands[i].name);
    const char *best = suggest_result(&sg);
    if (best)
        fprintf(stderr, "; did you mean '%s'?", best);
    fprintf(stderr, "\nRun 'idpc --help' for the list of commands.\n");
    return CLI_EXIT_USAGE;
}
