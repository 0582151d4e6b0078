/* cmd_export.c — `idpc export`: options; the work is runtime/export. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/export/export.h"

static void help(void)
{
    printf(
        "usage: idpc export --tenant SPEC [-o DIR] [--split] [--all-groups]\n"
        "       idpc export --from-json FILE|DIR... [-o DIR] [--split]\n\n"
        "Writes the Conditional Access policies, named locations and custom authentication\n"
        "strengths of a tenant as canonical .idp files, with names instead of ids: users by\n"
        "UPN, groups, locations and strengths by name, roles and Microsoft apps by catalog\n"
        "name. Ids that cannot be resolved stay as id \"...\". From a tenant it also writes\n"
        "groups (with members, owners, dynamic rules and licences), the authentication\n"
        "methods policy, role assignments and PIM eligibility, and tenant settings.\n\n"
        "Groups: only those the exported policies, roles, methods and settings refer to, and\n"
        "every role-assignable group; --all-groups declares every group. Groups synchronised\n"
        "from on-premises AD, and groups holding a role without being role-assignable, are\n"
        "never declared (a comment says so); references to them resolve by name.\n\n"
        "Anything the language cannot express (beta-only fields, dangling ids of deleted\n"
        "objects, names shared by several objects) is reported on standard error and as a\n"
        "'# idpc:' comment at the spot; an object that cannot be written as valid .idp at\n"
        "all is kept as a commented-out block. Nothing is dropped silently.\n\n"
        "Options:\n"
        "  --tenant SPEC     read the tenant from a backend: file:PATH (see "
        "docs/tenant-format.md)\n"
        "  --from-json ...   read Graph JSON files (directories are searched for *.json): a\n"
        "                    policy, a {\"value\": [...]} list or an array, as backup tools write\n"
        "                    them (v1.0 or beta shape, UTF-8 or UTF-16 with BOM); users, groups\n"
        "                    and service principals among them give names to ids\n"
        "  -o DIR            write files into DIR (created if missing) instead of standard output\n"
        "  --split           one file per policy (policy-NAME.idp) instead of one per kind\n"
        "  --pin-ids         write `id \"...\"` in every declaration\n"
        "  --all-groups      declare every group of the tenant, not only the referenced ones\n"
        "  -h, --help        show this help\n\n"
        "Files: groups.idp, locations.idp, strengths.idp, authentication.idp, roles.idp,\n"
        "settings.idp, policies.idp (or policy-*.idp). policies.idp\n"
        "starts with a suggested emergency_access line (commented out) when some identities\n"
        "are excluded from most policies.\n\n"
        "Exit codes: 0 exported, 1 an input could not be read (the rest is still exported),\n"
        "2 usage error.\n\n"
        "Examples:\n"
        "  idpc export --tenant file:policies/contoso-tenant.json -o policies/contoso\n"
        "  idpc export --from-json backups/ConditionalAccess -o policies/imported\n");
}

int cmd_export(int argc, char **argv)
{
    struct export_options o;
    memset(&o, 0, sizeof(o));
    const char **inputs = xcalloc((size_t)argc + 1, sizeof(*inputs));
    bool from_json = false;
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help();
            goto out;
        }
        if (strcmp(a, "--tenant") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("export", "%s needs a value", a);
                goto out;
            }
            if (strcmp(a, "--tenant") == 0)
                o.tenant = argv[++i];
            else
                o.dir = argv[++i];
        } else if (strncmp(a, "--tenant=", 9) == 0) {
            o.tenant = a + 9;
        } else if (strcmp(a, "--from-json") == 0) {
            from_json = true;
        } else if (strcmp(a, "--split") == 0) {
            o.split = true;
        } else if (strcmp(a, "--pin-ids") == 0) {
            o.pin_ids = true;
        } else if (strcmp(a, "--all-groups") == 0) {
            o.all_groups = true;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("export", "unknown option '%s'", a);
            goto out;
        } else if (from_json) {
            inputs[o.ninputs++] = a;
        } else {
            rc = cli_usage_error("export",
                                 "unexpected argument '%s' (Graph JSON files go after "
                                 "--from-json)",
                                 a);
            goto out;
        }
    }
    if (!o.tenant == !from_json) {
        rc = cli_usage_error("export", "give either --tenant SPEC or --from-json FILE...");
        goto out;
    }
    if (from_json && o.all_groups) {
        rc = cli_usage_error("export", "--all-groups reads groups from a tenant; give --tenant");
        goto out;
    }
    if (from_json && o.ninputs == 0) {
        rc = cli_usage_error("export", "--from-json needs at least one file or directory");
        goto out;
    }
    o.inputs = inputs;
    if (export_run(&o) != 0)
        rc = CLI_EXIT_ERROR;
out:
    free(inputs);
    return rc;
}
