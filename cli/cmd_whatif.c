/* cmd_whatif.c — `idpc whatif`: evaluate one sign-in against the Conditional Access policies of a
 * configuration (offline) or of a tenant (--tenant). Semantics: docs/whatif.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/compile.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

static void help(void)
{
    printf(
        "usage: idpc whatif [DIR|FILE... | --tenant SPEC] --user UPN\n"
        "                   (--app APP | --action ACTION | --context cN) [conditions] "
        "[--format text|json]\n\n"
        "Simulates one sign-in and reports, as Entra evaluates Conditional Access, which enabled\n"
        "policies apply, which report-only policies would apply, the combined grant (block,\n"
        "grant with controls, or allow) and session controls, and for every other policy the\n"
        "first condition that ruled it out. Offline it compiles DIR (default '.'); with\n"
        "--tenant it reads the tenant's live policies. Values use the language's keywords\n"
        "(office365, register_security_info, windows, exchange_active_sync, high, ...).\n\n"
        "Who:\n"
        "  --user UPN               the user (UPN or object id)\n"
        "  --user-id ID             the user's object id, when --user is the UPN\n"
        "  --member-of GROUP        a group the user is in (name or id; repeatable; give\n"
        "                           nested groups too)\n"
        "  --role ROLE              an active directory role (name or template id; repeatable)\n"
        "  --guest TYPE             guest or external user type (b2b_collaboration_guest, ...)\n"
        "  --external-tenant ID     the guest's home tenant\n"
        "  --service-principal SP   simulate a workload identity sign-in instead of a user\n"
        "What (exactly one):\n"
        "  --app APP                office365, admin_portals, an app name or an app id\n"
        "  --action ACTION          register_security_info | register_device\n"
        "  --context cN             an authentication context, c1 .. c99\n"
        "Conditions:\n"
        "  --platform P             android, ios, windows, windows_phone, macos, linux\n"
        "                           (default: unknown platform)\n"
        "  --client C               browser (default), mobile_desktop, exchange_active_sync, "
        "other\n"
        "  --ip ADDR                client IPv4 or IPv6 address (matched against IP locations)\n"
        "  --country CC             ISO 3166 code, or 'unknown' (matched against country "
        "locations)\n"
        "  --location NAME          a named location the sign-in is in (repeatable)\n"
        "  --mfa-trusted-ip         the address is one of the MFA service's trusted IPs\n"
        "  --sign-in-risk L         low | medium | high | none (default none)\n"
        "  --user-risk L            low | medium | high | none (default none)\n"
        "  --insider-risk L         minor | moderate | elevated\n"
        "  --device-filter-props J  device properties as JSON, e.g. "
        "'{\"trustType\":\"ServerAD\"}'\n"
        "                           (default: an unregistered device)\n"
        "  --auth-flow F            device_code | authentication_transfer\n"
        "Output:\n"
        "  --format text|json       text for people (default) or the JSON of docs/whatif.md\n"
        "  -h, --help               show this help\n\n"
        "Exit codes: 0 evaluated (whatever the result), 1 errors, 2 usage error.\n\n"
        "Example:\n"
        "  idpc whatif policies/contoso --user ada@contoso.com --member-of Sales --app office365 "
        "\\\n      --platform ios --client mobile_desktop --country FR\n");
}

struct opts {
    const char **paths, **groups, **roles, **locations;
    size_t npaths, ngroups, nroles, nlocations;
    const char *tenant, *props, *format;
    struct whatif_signin s;
};

static int bad(const char *msg)
{
    return cli_usage_error("whatif", "%s", msg);
}

static const char *kw(enum catalog_kind k, const char *word, bool *failed)
{
    char err[256];
    const char *g = whatif_keyword(k, word, err, sizeof(err));
    if (!g) {
        cli_usage_error("whatif", "%s", err);
        *failed = true;
    } else if (strcmp(g, "all") == 0) {
        cli_usage_error("whatif", "a sign-in has one %s; 'all' is for policies",
                        catalog_kind_name(k));
        *failed = true;
        return NULL;
    }
    return g;
}

static const char *resolve_app(const char *word, bool *failed)
{
    const struct catalog_entry *e = catalog_lookup(CAT_APP_KEYWORD, word);
    if (!e)
        e = catalog_lookup_graph(CAT_APP_KEYWORD, word);
    if (e) {
        if (strcmp(e->graph, "Office365") && strcmp(e->graph, "MicrosoftAdminPortals")) {
            cli_usage_error("whatif", "--app needs one application, not '%s'", word);
            *failed = true;
        }
        return e->graph;
    }
    if (catalog_is_guid(word) || catalog_app_by_name(word))
        return word;
    const char *sug = catalog_app_suggest(word);
    if (sug) {
        cli_usage_error("whatif", "unknown application '%s' (did you mean '%s'?)", word, sug);
        *failed = true;
    }
    return word; /* an application of the tenant, matched by display name */
}

static const char *resolve_role(const char *word, bool *failed)
{
    const struct catalog_role *r =
        catalog_is_guid(word) ? catalog_role_by_id(word) : catalog_role_by_name(word);
    if (r)
        return r->template_id;
    if (catalog_is_guid(word))
        return word; /* a role the catalog does not know */
    const char *sug = catalog_role_suggest(word);
    if (sug)
        cli_usage_error("whatif", "unknown directory role '%s' (did you mean '%s'?)", word, sug);
    else
        cli_usage_error("whatif", "unknown directory role '%s'", word);
    *failed = true;
    return NULL;
}

static int parse(int argc, char **argv, struct opts *o, bool *helped)
{
    bool failed = false;
    struct whatif_signin *s = &o->s;
    s->client_app = WHATIF_DEFAULT_CLIENT;
    for (int i = 1; i < argc && !failed; i++) {
        const char *v = NULL;
        const char *a = argv[i];
        int r;
        if (cli_is_help(a)) {
            help();
            *helped = true;
            return 0;
        }
        if (strcmp(a, "--mfa-trusted-ip") == 0) {
            s->mfa_trusted_ip = true;
            continue;
        }
#define OPT(name)                                                                                  \
    if ((r = cli_option_value(argc, argv, &i, name, &v)) < 0) {                                    \
        return cli_usage_error("whatif", "%s needs a value", name);                                \
    } else if (r > 0)
        OPT("--tenant") o->tenant = v;
        else OPT("--user") s->user = v;
        else OPT("--user-id") s->user_id = v;
        else OPT("--member-of") o->groups[o->ngroups++] = v;
        else OPT("--role")
        {
            const char *t = resolve_role(v, &failed);
            if (t)
                o->roles[o->nroles++] = t;
        }
        else OPT("--guest") s->guest_type = kw(CAT_GUEST_TYPE, v, &failed);
        else OPT("--external-tenant") s->external_tenant = v;
        else OPT("--service-principal") s->service_principal = v;
        else OPT("--app") s->app = resolve_app(v, &failed);
        else OPT("--action") s->action = kw(CAT_USER_ACTION, v, &failed);
        else OPT("--context") s->auth_context = v;
        else OPT("--platform") s->platform = kw(CAT_PLATFORM, v, &failed);
        else OPT("--client") s->client_app = kw(CAT_CLIENT_APP, v, &failed);
        else OPT("--ip") s->ip = v;
        else OPT("--country") s->country = v;
        else OPT("--location") o->locations[o->nlocations++] = v;
        else OPT("--sign-in-risk") s->sign_in_risk = kw(CAT_RISK, v, &failed);
        else OPT("--user-risk") s->user_risk = kw(CAT_RISK, v, &failed);
        else OPT("--service-principal-risk") s->sp_risk = kw(CAT_RISK, v, &failed);
        else OPT("--insider-risk") s->insider_risk = kw(CAT_INSIDER_RISK, v, &failed);
        else OPT("--device-filter-props") o->props = v;
        else OPT("--auth-flow") s->auth_flow = kw(CAT_TRANSFER, v, &failed);
        else OPT("--format") o->format = v;
        else if (a[0] == '-' && a[1]) return cli_usage_error("whatif", "unknown option '%s'", a);
        else o->paths[o->npaths++] = a;
#undef OPT
    }
    if (failed)
        return CLI_EXIT_USAGE;
    if (strcmp(o->format, "text") && strcmp(o->format, "json"))
        return bad("--format takes text or json");
    if (o->tenant && o->npaths)
        return bad("give a configuration directory or --tenant, not both");
    if (!s->user && !s->user_id && !s->service_principal && !s->guest_type)
        return bad("--user UPN is required (or --guest TYPE, or --service-principal SP)");
    if ((s->app != NULL) + (s->action != NULL) + (s->auth_context != NULL) != 1)
        return bad("give exactly one of --app, --action and --context");
    return 0;
}

static int load_offline(struct opts *o, struct whatif_inputs *in)
{
    if (o->npaths == 0)
        o->paths[o->npaths++] = ".";
    struct compile_result cr;
    int crc = compile_paths(o->paths, o->npaths, false, &cr);
    diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
    if (crc != 0 || !cr.model) {
        unsigned errors = diag_error_count(cr.diag);
        fprintf(stderr, "%u error%s; nothing evaluated\n", errors, errors == 1 ? "" : "s");
        compile_free(&cr);
        return -1;
    }
    whatif_inputs_from_model(in, cr.model);
    compile_free(&cr);
    return 0;
}

/* The tenant's policies name groups and users by id: the ids of the names given are added. */
static int load_tenant(struct opts *o, struct whatif_tenant *t, const char ***member_of,
                       const char **user_id)
{
    char err[600];
    const char *upns[] = {o->s.user_id ? NULL : o->s.user, NULL};
    if (whatif_tenant_load(t, o->tenant, o->groups, upns, err, sizeof(err)) != 0) {
        fprintf(stderr, "idpc whatif: %s\n", err);
        return -1;
    }
    *member_of = whatif_tenant_member_of(t, o->groups);
    if (upns[0])
        *user_id = whatif_tenant_user_id(t, upns[0]);
    return 0;
}

int cmd_whatif(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof(o));
    size_t cap = (size_t)argc + 1;
    o.paths = xcalloc(cap, sizeof(char *));
    o.groups = xcalloc(cap, sizeof(char *));
    o.roles = xcalloc(cap, sizeof(char *));
    o.locations = xcalloc(cap, sizeof(char *));
    o.format = "text";
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct whatif_tenant tenant;
    memset(&tenant, 0, sizeof(tenant));
    const char **member_of = NULL; /* with --tenant: the groups and their ids */
    json_t *props = NULL;
    bool helped = false;
    int rc = parse(argc, argv, &o, &helped);
    if (rc != 0 || helped)
        goto out;
    if (o.props) {
        json_error_t je;
        props = json_loads(o.props, 0, &je);
        if (!json_is_object(props)) {
            rc = cli_usage_error("whatif",
                                 "--device-filter-props needs a JSON object of device "
                                 "properties (%s)",
                                 props ? "not an object" : je.text);
            goto out;
        }
        o.s.device = props;
    }
    const char *user_id = NULL;
    if (o.tenant ? load_tenant(&o, &tenant, &member_of, &user_id) : load_offline(&o, &in)) {
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    if (user_id)
        o.s.user_id = user_id;
    o.s.member_of = member_of ? member_of : o.groups;
    o.s.roles = o.roles;
    o.s.locations = o.locations;

    struct whatif_result r;
    char err[256];
    if (whatif_evaluate(o.tenant ? &tenant.in : &in, &o.s, &r, err, sizeof(err)) != 0) {
        rc = cli_usage_error("whatif", "%s", err);
        goto out;
    }
    if (strcmp(o.format, "json") == 0) {
        json_t *j = whatif_result_to_json(&r);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(text);
        free(text);
        json_decref(j);
    } else {
        whatif_result_print(&r, stdout);
        if (!o.s.platform)
            printf("(platform unknown: policies that include only some platforms do not "
                   "apply; pass --platform)\n");
    }
    whatif_result_free(&r);
out:
    json_decref(props);
    free(member_of);
    if (o.tenant)
        whatif_tenant_fini(&tenant);
    whatif_inputs_fini(&in);
    free(o.paths);
    free(o.groups);
    free(o.roles);
    free(o.locations);
    return rc;
}
