/* cmd_snapshot.c — `idpc snapshot`: capture a tenant (any backend, usually graph:) in the
 * file-tenant format (docs/tenant-format.md), so that plans can run offline against a recent copy. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/tenant/backend.h"

static void help(void)
{
    printf("usage: idpc snapshot --tenant SPEC [-o FILE] [--members] [DIR|FILE...]\n\n"
           "Reads every collection idpc plans against and writes it as one file-tenant JSON\n"
           "document (format idpc-tenant/1, docs/tenant-format.md), which `--tenant file:FILE`\n"
           "then plans against offline. Each collection is read once, with paging of up to 999\n"
           "objects per request and the same throttling discipline as plan; users, groups and\n"
           "service principals are kept with the properties idpc uses. Progress goes to standard\n"
           "error on a terminal (IDPC_PROGRESS=1 forces it, 0 silences it).\n\n"
           "Options:\n"
           "  --tenant SPEC   the tenant: graph: (Microsoft Graph, credentials from the\n"
           "                  environment, docs/authentication.md) or file:PATH; default "
           "$IDPC_TENANT\n"
           "  -o FILE         write to FILE (atomically) instead of standard output\n"
           "  --members       also capture the members and owners of every group (one request\n"
           "                  per group and relation: slow in large tenants)\n"
           "  DIR|FILE...     a configuration: capture the members and owners of the groups\n"
           "                  whose membership it declares (what plan needs offline)\n"
           "  -h, --help      show this help\n\n"
           "Exit codes: 0 written, 1 the tenant could not be read (nothing is written), 2 usage\n"
           "error.\n\n"
           "Example:\n"
           "  idpc snapshot --tenant graph: -o tenant.json policies/\n"
           "  idpc plan --tenant file:tenant.json policies/\n");
}

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
    {"identity/conditionalAccess/policies", false},
    {"identity/conditionalAccess/namedLocations", false},
    {"identity/conditionalAccess/authenticationContextClassReferences", true},
    {"policies/authenticationStrengthPolicies", false},
    {"policies/authenticationMethodsPolicy", true},
    {"policies/authorizationPolicy", true},
    {"policies/identitySecurityDefaultsEnforcementPolicy", true},
    {"groupSettings", true},
    {"groupSettingTemplates", true},
    {"identityGovernance/termsOfUse/agreements", true},
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

int cmd_snapshot(int argc, char **argv)
{
    const char *tenant = NULL, *outpath = NULL;
    bool members = false;
    const char **cfg = xcalloc((size_t)argc + 1, sizeof(*cfg));
    size_t ncfg = 0;
    struct compile_result cr = {0};
    bool compiled = false;
    int rc = CLI_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help();
            rc = CLI_EXIT_OK;
            goto done;
        }
        if (strcmp(a, "--tenant") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error("snapshot", "%s needs a value", a);
                goto done;
            }
            if (strcmp(a, "--tenant") == 0)
                tenant = argv[++i];
            else
                outpath = argv[++i];
        } else if (strncmp(a, "--tenant=", 9) == 0) {
            tenant = a + 9;
        } else if (strcmp(a, "--members") == 0) {
            members = true;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error("snapshot", "unknown option '%s'", a);
            goto done;
        } else {
            cfg[ncfg++] = a;
        }
    }
    rc = CLI_EXIT_ERROR;
    if (ncfg) {
        compiled = true;
        if (compile_paths(cfg, ncfg, false, &cr) != 0 || !cr.model) {
            diag_render(cr.diag, stderr, DIAG_FMT_TEXT, cli_color_for(stderr));
            fprintf(stderr, "idpc snapshot: the configuration has errors; nothing read\n");
            goto done;
        }
    }
    struct backend *b = NULL;
    struct backend_error err;
    if (backend_open(tenant, &b, &err) != 0) {
        fprintf(stderr, "idpc snapshot: cannot open the tenant '%s': %s\n", tenant ? tenant : "",
                err.message);
        goto done;
    }
    json_t *doc = json_object();
    json_t *colls = json_object();
    for (size_t i = 0; i < IDPC_ARRAY_LEN(paths); i++) {
        json_t *v = NULL;
        if (backend_read(b, paths[i].path, &v, &err) != 0) {
            fprintf(stderr, "idpc snapshot: cannot read %s from %s: %s\n", paths[i].path,
                    b->display, err.message);
            goto out;
        }
        if (!v && !paths[i].optional)
            v = json_array();
        if (v)
            json_object_set_new(colls, paths[i].path, v);
    }
    if ((members || compiled) && read_members(b, members ? NULL : cr.model, colls, &err) != 0) {
        fprintf(stderr, "idpc snapshot: cannot read group membership from %s: %s\n", b->display,
                err.message);
        goto out;
    }
    const char *tid = json_string_value(
        json_object_get(json_array_get(json_object_get(colls, "organization"), 0), "id"));
    json_object_set_new(doc, "format", json_string("idpc-tenant/1"));
    json_object_set_new(doc, "tenantId", json_string(tid ? tid : ""));
    json_object_set(doc, "collections", colls);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        fprintf(stderr, "idpc snapshot: cannot serialise the snapshot\n");
        goto out;
    }
    size_t len = strlen(text);
    char *withnl = xasprintf("%s\n", text);
    free(text);
    if (!outpath || strcmp(outpath, "-") == 0) {
        fwrite(withnl, 1, len + 1, stdout);
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    } else {
        int e = util_write_file_atomic(outpath, withnl, len + 1);
        if (e != 0)
            fprintf(stderr, "idpc snapshot: cannot write %s: %s\n", outpath, strerror(e));
        else
            rc = CLI_EXIT_OK;
    }
    free(withnl);
    if (rc == CLI_EXIT_OK)
        fprintf(stderr, "idpc snapshot: %zu collections, %zu objects from %s%s%s\n",
                json_object_size(colls), count_objects(colls), b->display,
                outpath ? " written to " : "", outpath ? outpath : "");
    if (rc == CLI_EXIT_OK && !members && !compiled)
        fprintf(stderr, "idpc snapshot: group membership was not captured: give the "
                        "configuration (or --members) for plans that manage members\n");
out:
    json_decref(colls);
    json_decref(doc);
    backend_close(b);
done:
    if (compiled)
        compile_free(&cr);
    free(cfg);
    return rc;
}
