/* cmd_snapshot.c — `idpc snapshot`: capture a tenant (any backend, usually graph:) in the
 * file-tenant format (docs/tenant-format.md), so that plans can run offline against a recent copy. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"
#include "runtime/tenant/tenant_governance.h"

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_MEMBERS,
    OPT_EMPTY,
    OPT_TENANT_ID,
    OPT_DOMAIN
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "the tenant: graph: (Microsoft Graph, credentials from the "
     "environment, docs/authentication.md) or file:PATH; default "
     "$IDPC_TENANT"},
    {'o', "output", "FILE", "write to FILE (atomically) instead of standard output"},
    {OPT_MEMBERS, "members", NULL,
     "also capture the members and owners of every group (one "
     "request per group and relation: slow in large tenants)"},
    {OPT_EMPTY, "empty", NULL,
     "read no tenant: write the snapshot of a tenant with nothing in "
     "it yet (needs --tenant-id and --domain), to plan against before "
     "there is any access to the tenant"},
    {OPT_TENANT_ID, "tenant-id", "GUID", "with --empty: the tenant's id"},
    {OPT_DOMAIN, "domain", "DOMAIN",
     "with --empty: the tenant's initial domain "
     "(NAME.onmicrosoft.com), as the configuration's `tenant` "
     "names it"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "snapshot",
    .usage = "--tenant SPEC [OPTIONS] [DIR|FILE...]\n"
             "--empty --tenant-id GUID --domain DOMAIN [-o FILE]\n",
    .about = "Reads every collection idpc plans against and writes it as one file-tenant JSON "
             "document (format idpc-tenant/1, docs/tenant-format.md), which `--tenant file:FILE` "
             "then plans against offline. Each collection is read once, with paging of up to 999 "
             "objects per request and the same throttling discipline as plan; users, groups and "
             "service principals are kept with the properties idpc uses. Progress goes to "
             "standard error on a terminal (IDPC_PROGRESS=1 forces it, 0 silences it).\n"
             "\n"
             "DIR|FILE... is a configuration: the members and owners of the groups whose "
             "membership it declares are captured too (what plan needs offline).\n"
             "\n"
             "--empty starts from nothing: the snapshot of a new tenant, its organization and "
             "empty collections, so that a first `idpc plan` shows everything the configuration "
             "would create.\n",
    .opts = opts,
    .exit_codes = "  0  written\n"
                  "  1  the tenant could not be read or the output not written (nothing is\n"
                  "     written), or a usage error\n",
    .examples = "idpc snapshot --tenant graph: -o tenant.json policies/\n"
                "idpc plan --tenant file:tenant.json policies/\n"
                "ID=0b5e3f4c-1d2a-4c6b-9e8f-7a6b5c4d3e2f   # the tenant's id\n"
                "idpc snapshot --empty --tenant-id $ID --domain x.onmicrosoft.com -o t.json\n",
};

/* What a snapshot holds, in the order of the format's table. Optional ones may be absent. */
static const struct {
    const char *path;
    bool optional;
} paths[] = {
    {"organization", false},
    {"users", false},
    {"groups", false},
    {"servicePrincipals", false},
    {"subscribedSkus", true},
    {"roleManagement/directory/roleDefinitions", false},
    {"roleManagement/directory/roleAssignments", false},
    {"roleManagement/directory/roleEligibilitySchedules", true},
    {"roleManagement/directory/roleAssignmentSchedules", true},
    {"identity/conditionalAccess/policies", false},
    {"identity/conditionalAccess/namedLocations", false},
    {"identity/conditionalAccess/authenticationContextClassReferences", true},
    {"policies/authenticationStrengthPolicies", false},
    {"policies/authenticationMethodsPolicy", true},
    {"policies/authorizationPolicy", true},
    {"policies/identitySecurityDefaultsEnforcementPolicy", true},
    {"policies/adminConsentRequestPolicy", true},
    {"groupSettings", true},
    {"groupSettingTemplates", true},
    {"groupLifecyclePolicies", true},
    {"directory/onPremisesSynchronization", true},
    {"identityGovernance/termsOfUse/agreements", true},
    {"policies/roleManagementPolicies", true},
    {"policies/roleManagementPolicyAssignments", true},
    {"identityGovernance/accessReviews/definitions", true},
};

/* Does the configuration declare this group's `rel` ("members"/"owners")? NULL m: every group. */
static bool wants_rel(const struct model *m, const json_t *group, const char *rel)
{
    if (!m)
        return true;
    const char *id = json_string_value(json_object_get(group, "id"));
    const char *dn = json_string_value(json_object_get(group, "displayName"));
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_GROUP || !json_object_get(o->extra, rel))
            continue;
        if ((id && o->pinned_id && util_streq_nocase(id, o->pinned_id)) ||
            (dn && !o->pinned_id &&
             (util_streq_nocase(dn, o->name) ||
              (o->renamed_from && util_streq_nocase(dn, o->renamed_from)))))
            return true;
    }
    return false;
}

static int read_members(struct backend *b, const struct model *m, json_t *colls,
                        struct backend_error *err)
{
    json_t *groups = json_object_get(colls, "groups");
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        const char *id = json_string_value(json_object_get(g, "id"));
        if (!id)
            continue;
        const char *rels[] = {"members", "owners"};
        for (size_t r = 0; r < 2; r++) {
            if (!wants_rel(m, g, rels[r]))
                continue;
            char *p = xasprintf("groups/%s/%s", id, rels[r]);
            json_t *v = NULL;
            int rc = backend_read_list(b, p, &v, err);
            if (rc == 0)
                json_object_set_new(colls, p, v);
            free(p);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

static size_t count_objects(const json_t *colls)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    union {
        const json_t *c;
        json_t *m;
    } u = {.c = colls};
    json_object_foreach(u.m, k, v) n += json_is_array(v) ? json_array_size(v) : 1;
    return n;
}

/* Writes the snapshot document (pretty JSON and a newline) to outpath or standard output. */
static int write_doc(const json_t *doc, const char *outpath)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        cli_error(spec.cmd, "cannot serialise the snapshot");
        return CLI_EXIT_ERROR;
    }
    char *withnl = xasprintf("%s\n", text);
    free(text);
    int rc = cli_write_output(spec.cmd, outpath, withnl, strlen(withnl));
    free(withnl);
    return rc;
}

static int write_empty(const char *tenant_id, const char *domain, const char *outpath)
{
    const char *why = NULL;
    json_t *doc = tenant_snapshot_empty(tenant_id, domain, &why);
    if (!doc)
        return cli_usage_error(spec.cmd, "%s", why);
    int rc = write_doc(doc, outpath);
    json_decref(doc);
    return rc;
}

int cmd_snapshot(int argc, char **argv)
{
    const char *tenant = NULL, *outpath = NULL, *tenant_id = NULL, *domain = NULL;
    bool members = false, empty = false;
    const char **cfg = NULL;
    size_t ncfg = 0;
    struct compile_result cr = {0};
    bool compiled = false;
    int rc = CLI_EXIT_USAGE;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *val;
    for (int k; (k = cli_next(&p, &val)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            tenant = val;
            break;
        case 'o':
            outpath = val;
            break;
        case OPT_MEMBERS:
            members = true;
            break;
        case OPT_EMPTY:
            empty = true;
            break;
        case OPT_TENANT_ID:
            tenant_id = val;
            break;
        case OPT_DOMAIN:
            domain = val;
            break;
        default:
            rc = p.rc;
            goto done;
        }
    }
    cfg = cli_operands(&p, NULL, &ncfg);
    if (empty && (tenant || members || ncfg)) {
        rc = cli_usage_error(spec.cmd, "--empty reads no tenant: it takes only --tenant-id, "
                                       "--domain and -o");
        goto done;
    }
    if (!empty && (tenant_id || domain)) {
        rc = cli_usage_error(spec.cmd, "--tenant-id and --domain go with --empty");
        goto done;
    }
    if (empty) {
        rc = write_empty(tenant_id, domain, outpath);
        goto done;
    }
    rc = CLI_EXIT_ERROR;
    if (ncfg) {
        compiled = true;
        if (compile_paths(cfg, ncfg, false, &cr) != 0 || !cr.model) {
            diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
            cli_error(spec.cmd, "the configuration has errors; nothing read");
            goto done;
        }
    }
    struct backend *b = NULL;
    struct backend_error err;
    if (backend_open(tenant, &b, &err) != 0) {
        cli_error(spec.cmd, "cannot open the tenant '%s': %s", tenant ? tenant : "", err.message);
        goto done;
    }
    json_t *doc = json_object();
    json_t *colls = json_object();
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++) {
        json_t *v = NULL;
        if (backend_read(b, paths[i].path, &v, &err) != 0) {
            cli_error(spec.cmd, "cannot read %s from %s: %s", paths[i].path, b->display,
                      err.message);
            goto out;
        }
        if (!v && !paths[i].optional)
            v = json_array();
        if (v)
            json_object_set_new(colls, paths[i].path, v);
    }
    if ((members || compiled) && read_members(b, members ? NULL : cr.model, colls, &err) != 0) {
        cli_error(spec.cmd, "cannot read group membership from %s: %s", b->display, err.message);
        goto out;
    }
    if (tenant_governance_snapshot(b, compiled ? cr.model : NULL, colls, &err) != 0) {
        cli_error(spec.cmd, "cannot read PIM for Groups from %s: %s", b->display, err.message);
        goto out;
    }
    const char *tid = json_string_value(
        json_object_get(json_array_get(json_object_get(colls, "organization"), 0), "id"));
    json_object_set_new(doc, "format", json_string("idpc-tenant/1"));
    json_object_set_new(doc, "tenantId", json_string(tid ? tid : ""));
    json_object_set(doc, "collections", colls);
    rc = write_doc(doc, outpath);
    if (rc == CLI_EXIT_OK)
        fprintf(stderr, "idpc snapshot: %zu collections, %zu objects from %s%s%s\n",
                json_object_size(colls), count_objects(colls), b->display,
                outpath ? " written to " : "", outpath ? outpath : "");
    if (rc == CLI_EXIT_OK && !members && !compiled)
        cli_warning(spec.cmd, "group membership was not captured: give the configuration (or "
                              "--members) for plans that manage members");
out:
    json_decref(colls);
    json_decref(doc);
    backend_close(b);
done:
    if (compiled)
        compile_free(&cr);
    cli_end(&p);
    return rc;
}
