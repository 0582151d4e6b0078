/* cmd_export.c — `idpc export`: options; the work is runtime/export. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/export/export.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_FROM_JSON,
    OPT_SPLIT,
    OPT_PIN_IDS,
    OPT_ALL_GROUPS
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "read the tenant: graph: (Microsoft Graph) or file:PATH (a "
     "snapshot, docs/tenant-format.md)"},
    {OPT_FROM_JSON, "from-json", NULL,
     "read the Graph JSON files given as operands (directories are searched for *.json): a "
     "policy, a {\"value\": [...]} list or an array, as backup tools write them (v1.0 or beta "
     "shape, UTF-8 or UTF-16 with BOM); users, groups and service principals among them give "
     "names to ids"},
    {'o', "output", "DIR",
     "write files into DIR (created if missing) instead of standard "
     "output"},
    {OPT_SPLIT, "split", NULL, "one file per policy (policy-NAME.idp) instead of one per kind"},
    {OPT_PIN_IDS, "pin-ids", NULL, "write `id \"...\"` in every declaration"},
    {OPT_ALL_GROUPS, "all-groups", NULL,
     "declare every group of the tenant, not only the "
     "referenced ones"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "export",
    .usage = "--tenant SPEC [OPTIONS]\n--from-json [OPTIONS] FILE|DIR...\n",
    .about =
        "Writes the Conditional Access policies, named locations and custom authentication "
        "strengths of a tenant as canonical .idp files, with names instead of ids: users by UPN, "
        "groups, locations and strengths by name, roles and Microsoft apps by catalog name. Ids "
        "that cannot be resolved stay as id \"...\". From a tenant it also writes groups (with "
        "members, owners, dynamic rules and licences), the authentication methods policy, role "
        "assignments and PIM eligibility, and tenant settings.\n"
        "\n"
        "Groups: only those the exported policies, roles, methods and settings refer to, and "
        "every role-assignable group; --all-groups declares every group. Groups synchronised "
        "from on-premises AD, and groups holding a role without being role-assignable, are never "
        "declared (a comment says so); references to them resolve by name.\n"
        "\n"
        "Anything the language cannot express (beta-only fields, dangling ids of deleted "
        "objects, names shared by several objects) is reported on standard error and as a "
        "'# idpc:' comment at the spot; an object that cannot be written as valid .idp at all "
        "is kept as a commented-out block. Nothing is dropped silently.\n"
        "\n"
        "Files: groups.idp, locations.idp, strengths.idp, authentication.idp, roles.idp, "
        "settings.idp, policies.idp (or policy-*.idp). policies.idp starts with a suggested "
        "emergency_access line (commented out) when some identities are excluded from most "
        "policies.\n",
    .opts = opts,
    .exit_codes = "  0  exported\n"
                  "  1  an input could not be read (the rest is still exported), or a usage\n"
                  "     error\n",
    .examples = "idpc export --tenant file:policies/contoso-tenant.json -o policies/contoso\n"
                "idpc export --from-json backups/ConditionalAccess -o policies/imported\n",
};

int cmd_export(int argc, char **argv)
{
    struct export_options o;
    memset(&o, 0, sizeof(o));
    bool from_json = false;
    int rc = CLI_EXIT_OK;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            o.tenant = v;
            break;
        case OPT_FROM_JSON:
            from_json = true;
            break;
        case 'o':
            o.dir = v;
            break;
        case OPT_SPLIT:
            o.split = true;
            break;
        case OPT_PIN_IDS:
            o.pin_ids = true;
            break;
        case OPT_ALL_GROUPS:
            o.all_groups = true;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    size_t ninputs = 0;
    const char **inputs = cli_operands(&p, NULL, &ninputs);
    if (!o.tenant == !from_json) {
        rc = cli_usage_error(spec.cmd, "give either --tenant SPEC or --from-json FILE...");
        goto out;
    }
    if (!from_json && ninputs > 0) {
        rc = cli_usage_error(
            spec.cmd, "unexpected argument '%s' (Graph JSON files go with --from-json)", inputs[0]);
        goto out;
    }
    if (from_json && o.all_groups) {
        rc = cli_usage_error(spec.cmd, "--all-groups reads groups from a tenant; give --tenant");
        goto out;
    }
    if (from_json && ninputs == 0) {
        rc = cli_usage_error(spec.cmd, "--from-json needs at least one file or directory");
        goto out;
    }
    o.inputs = inputs;
    o.ninputs = ninputs;
    if (export_run(&o) != 0)
        rc = CLI_EXIT_ERROR;
out:
    cli_end(&p);
    return rc;
}
