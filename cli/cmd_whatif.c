/* cmd_whatif.c — `idpc whatif`: evaluate one sign-in against the Conditional Access policies of a
 * configuration (offline) or of a tenant (--tenant). Semantics: docs/whatif.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/compile.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_USER,
    OPT_USER_ID,
    OPT_MEMBER_OF,
    OPT_ROLE,
    OPT_GUEST,
    OPT_EXTERNAL_TENANT,
    OPT_SP,
    OPT_APP,
    OPT_ACTION,
    OPT_CONTEXT,
    OPT_PLATFORM,
    OPT_CLIENT,
    OPT_IP,
    OPT_COUNTRY,
    OPT_LOCATION,
    OPT_MFA_TRUSTED_IP,
    OPT_SIGN_IN_RISK,
    OPT_USER_RISK,
    OPT_SP_RISK,
    OPT_INSIDER_RISK,
    OPT_DEVICE_PROPS,
    OPT_AUTH_FLOW,
    OPT_FORMAT,
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "evaluate the tenant's live policies instead of DIR: graph: "
     "or file:PATH"},
    {OPT_USER, "user", "UPN", "who: the user (UPN or object id)"},
    {OPT_USER_ID, "user-id", "ID", "the user's object id, when --user is the UPN"},
    {OPT_MEMBER_OF, "member-of", "GROUP",
     "a group the user is in (name or id; repeatable; give "
     "nested groups too)"},
    {OPT_ROLE, "role", "ROLE", "an active directory role (name or template id; repeatable)"},
    {OPT_GUEST, "guest", "TYPE", "guest or external user type (b2b_collaboration_guest, ...)"},
    {OPT_EXTERNAL_TENANT, "external-tenant", "ID", "the guest's home tenant"},
    {OPT_SP, "service-principal", "SP", "simulate a workload identity sign-in instead of a user"},
    {OPT_APP, "app", "APP",
     "what (exactly one of --app, --action, --context): office365, "
     "admin_portals, an app name or an app id"},
    {OPT_ACTION, "action", "ACTION", "register_security_info | register_device"},
    {OPT_CONTEXT, "context", "cN", "an authentication context, c1 .. c99"},
    {OPT_PLATFORM, "platform", "P",
     "android, ios, windows, windows_phone, macos, linux "
     "(default: unknown platform)"},
    {OPT_CLIENT, "client", "C", "browser (default), mobile_desktop, exchange_active_sync, other"},
    {OPT_IP, "ip", "ADDR", "client IPv4 or IPv6 address (matched against IP locations)"},
    {OPT_COUNTRY, "country", "CC",
     "ISO 3166 code, or 'unknown' (matched against country "
     "locations)"},
    {OPT_LOCATION, "location", "NAME", "a named location the sign-in is in (repeatable)"},
    {OPT_MFA_TRUSTED_IP, "mfa-trusted-ip", NULL,
     "the address is one of the MFA service's "
     "trusted IPs"},
    {OPT_SIGN_IN_RISK, "sign-in-risk", "L", "low | medium | high | none (default none)"},
    {OPT_USER_RISK, "user-risk", "L", "low | medium | high | none (default none)"},
    {OPT_SP_RISK, "service-principal-risk", "L", "low | medium | high | none (default none)"},
    {OPT_INSIDER_RISK, "insider-risk", "L", "minor | moderate | elevated"},
    {OPT_DEVICE_PROPS, "device-filter-props", "JSON",
     "device properties as JSON, e.g. "
     "'{\"trustType\":\"ServerAD\"}' (default: "
     "an unregistered device)"},
    {OPT_AUTH_FLOW, "auth-flow", "F", "device_code | authentication_transfer"},
    {OPT_FORMAT, "format", "text|json|github",
     "text for people (default), json (docs/whatif.md), or github (text, with the "
     "configuration's diagnostics as GitHub Actions annotations)"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "whatif",
    .usage = "[OPTIONS] --user UPN --app APP [DIR|FILE...]\n"
             "[OPTIONS] --tenant SPEC --user UPN --action ACTION\n",
    .about = "Simulates one sign-in and reports, as Entra evaluates Conditional Access, which "
             "enabled policies apply, which report-only policies would apply, the combined grant "
             "(block, grant with controls, or allow) and session controls, and for every other "
             "policy the first condition that ruled it out. Offline it compiles DIR (default "
             "'.'); with --tenant it reads the tenant's live policies. Values use the language's "
             "keywords (office365, register_security_info, windows, exchange_active_sync, high, "
             "...).\n",
    .opts = opts,
    .exit_codes = "  0  evaluated (whatever the result)\n"
                  "  1  errors, or a usage error\n",
    .examples = "idpc whatif policies/contoso --user ada@contoso.com --app office365\n"
                "idpc whatif --tenant graph: --user ada@contoso.com --action register_device\n",
};

struct opts {
    const char **paths, **groups, **roles, **locations;
    size_t npaths, ngroups, nroles, nlocations;
    const char *tenant, *props, *format;
    struct whatif_signin s;
};

static int bad(const char *msg)
{
    return cli_usage_error(spec.cmd, "%s", msg);
}

static const char *kw(enum catalog_kind k, const char *word, bool *failed)
{
    char err[256];
    const char *g = whatif_keyword(k, word, err, sizeof(err));
    if (!g) {
        cli_usage_error(spec.cmd, "%s", err);
        *failed = true;
    } else if (strcmp(g, "all") == 0) {
        cli_usage_error(spec.cmd, "a sign-in has one %s; 'all' is for policies",
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
            cli_usage_error(spec.cmd, "--app needs one application, not '%s'", word);
            *failed = true;
        }
        return e->graph;
    }
    if (catalog_is_guid(word) || catalog_app_by_name(word))
        return word;
    const char *sug = catalog_app_suggest(word);
    if (sug) {
        cli_usage_error(spec.cmd, "unknown application '%s' (did you mean '%s'?)", word, sug);
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
        cli_usage_error(spec.cmd, "unknown directory role '%s' (did you mean '%s'?)", word, sug);
    else
        cli_usage_error(spec.cmd, "unknown directory role '%s'", word);
    *failed = true;
    return NULL;
}

static int parse(struct cli_parser *p, struct opts *o, bool *helped)
{
    bool failed = false;
    struct whatif_signin *s = &o->s;
    s->client_app = WHATIF_DEFAULT_CLIENT;
    const char *v;
    for (int k; !failed && (k = cli_next(p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            o->tenant = v;
            break;
        case OPT_USER:
            s->user = v;
            break;
        case OPT_USER_ID:
            s->user_id = v;
            break;
        case OPT_MEMBER_OF:
            o->groups[o->ngroups++] = v;
            break;
        case OPT_ROLE: {
            const char *t = resolve_role(v, &failed);
            if (t)
                o->roles[o->nroles++] = t;
            break;
        }
        case OPT_GUEST:
            s->guest_type = kw(CAT_GUEST_TYPE, v, &failed);
            break;
        case OPT_EXTERNAL_TENANT:
            s->external_tenant = v;
            break;
        case OPT_SP:
            s->service_principal = v;
            break;
        case OPT_APP:
            s->app = resolve_app(v, &failed);
            break;
        case OPT_ACTION:
            s->action = kw(CAT_USER_ACTION, v, &failed);
            break;
        case OPT_CONTEXT:
            s->auth_context = v;
            break;
        case OPT_PLATFORM:
            s->platform = kw(CAT_PLATFORM, v, &failed);
            break;
        case OPT_CLIENT:
            s->client_app = kw(CAT_CLIENT_APP, v, &failed);
            break;
        case OPT_IP:
            s->ip = v;
            break;
        case OPT_COUNTRY:
            s->country = v;
            break;
        case OPT_LOCATION:
            o->locations[o->nlocations++] = v;
            break;
        case OPT_MFA_TRUSTED_IP:
            s->mfa_trusted_ip = true;
            break;
        case OPT_SIGN_IN_RISK:
            s->sign_in_risk = kw(CAT_RISK, v, &failed);
            break;
        case OPT_USER_RISK:
            s->user_risk = kw(CAT_RISK, v, &failed);
            break;
        case OPT_SP_RISK:
            s->sp_risk = kw(CAT_RISK, v, &failed);
            break;
        case OPT_INSIDER_RISK:
            s->insider_risk = kw(CAT_INSIDER_RISK, v, &failed);
            break;
        case OPT_DEVICE_PROPS:
            o->props = v;
            break;
        case OPT_AUTH_FLOW:
            s->auth_flow = kw(CAT_TRANSFER, v, &failed);
            break;
        case OPT_FORMAT:
            o->format = v;
            break;
        default:
            *helped = p->rc == CLI_EXIT_OK;
            return p->rc;
        }
    }
    o->paths = cli_operands(p, NULL, &o->npaths);
    if (failed)
        return CLI_EXIT_USAGE;
    if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "github"))
        return bad("--format takes text, json or github");
    cli_set_github(strcmp(o->format, "github") == 0);
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
        o->paths[o->npaths++] = "."; /* the parser's operand array has room for one more */
    struct compile_result cr;
    int crc = compile_paths(o->paths, o->npaths, false, &cr);
    bool github = strcmp(o->format, "github") == 0;
    diag_render(cr.diag, stderr, github ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT,
                !github && cli_color_for(stderr));
    if (crc != 0 || !cr.model) {
        unsigned errors = diag_error_count(cr.diag);
        cli_errors_line(errors, "nothing evaluated");
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
        cli_error(spec.cmd, "%s", err);
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
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    int rc = parse(&p, &o, &helped);
    if (rc != 0 || helped)
        goto out;
    if (o.props) {
        json_error_t je;
        props = json_loads(o.props, 0, &je);
        if (!json_is_object(props)) {
            rc = cli_usage_error(spec.cmd,
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
        rc = cli_usage_error(spec.cmd, "%s", err);
        goto out;
    }
    if (strcmp(o.format, "json") == 0) {
        json_t *j = whatif_result_to_json(&r);
        char *text = cli_json_text(j);
        fputs(text, stdout);
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
    cli_end(&p);
    free(o.groups);
    free(o.roles);
    free(o.locations);
    return rc;
}
