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
    fprintf(out, "Usage: idpc COMMAND [OPTIONS] [ARGS]\n"
                 "  or:  idpc help COMMAND\n\n"
                 "idpc compiles .idp policy files describing Microsoft Entra ID identity and\n"
                 "Conditional Access into Microsoft Graph objects, and plans and applies them.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'idpc help COMMAND' (or 'idpc COMMAND --help') for a command's options.\n\n"
                 "Options:\n"
                 "  -h, --help     show this help and exit\n"
                 "      --version  show the version, the commit and the libraries' versions\n\n"
                 "Exit codes:\n"
                 "  0  success\n"
                 "  1  errors, usage errors included\n"
                 "  2  only with plan --detailed-exitcode: success, changes present\n\n"
                 "Documentation: docs/cli.md.\n");
}

static const struct cli_command *find(const char *name)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return &commands[i];
    return NULL;
}

static int unknown(const char *cmd)
{
    struct suggest sg;
    suggest_init(&sg, cmd);
    for (size_t i = 0; i < IDPC_ARRAY_LEN(commands); i++)
        suggest_add(&sg, commands[i].name);
    const char *best = suggest_result(&sg);
    fprintf(stderr, "idpc: error: unknown command '%s'%s%s%s\n", cmd,
            best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
    fprintf(stderr, "Run 'idpc --help' for the list of commands.\n");
    return CLI_EXIT_USAGE;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        versions_print(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        const struct cli_command *c = find(argv[2]);
        if (!c)
            return unknown(argv[2]);
        char help_opt[] = "--help";
        char *args[] = {argv[2], help_opt, NULL};
        return c->run(2, args);
    }
    const struct cli_command *c = find(cmd);
    if (!c)
        return unknown(cmd);
    return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    util_malloc_setup();
    int rc = dispatch(argc, argv);
    /* Every byte written to standard output is checked: a full disk is an error (exit 1). */
    if (cli_close_stdout(argc >= 2 && find(argv[1]) ? argv[1] : "") != 0)
        rc = CLI_EXIT_ERROR;
    return rc;
}
