/* test_lockout_locations.c — the lockout guard's states keep only the named locations that can
 * change an outcome (lockout_states_new): the lockout analysis and the impact section answer
 * exactly what they answer with every named location of the tenant kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_json.h"

#include "compiler/util.h"
#include "runtime/analysis/impact.h"
#include "runtime/analysis/lockout.h"
#include "runtime/analysis/whatif.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

#define BG1      "aaaaaaaa-0000-4000-8000-000000000001"
#define ANN      "aaaaaaaa-0000-4000-8000-000000000002"
#define GA       "62e90394-69f5-4237-9190-012177145e10"
#define POL_PATH "identity/conditionalAccess/policies"
#define LOC_PATH "identity/conditionalAccess/namedLocations"
#define NLOC     40

static char *loc_id(int i)
{
    /* location 38's id is location 25's name: a sign-in from 38 is in 25 too */
    return i == 38 ? xstrdup("Branch 25") : xasprintf("dddddddd-0000-4000-8000-0000000000%02d", i);
}

/* NLOC named locations, all but a few named by no policy: 1 and 2 share a name, 5 and 30 are
 * trusted, 20 is a country location that includes unknown countries. */
static json_t *locations(void)
{
    json_t *a = json_array();
    for (int i = 0; i < NLOC; i++) {
        char *id = loc_id(i);
        char *name = i == 1 || i == 2 ? xstrdup("Branch dup") : xasprintf("Branch %02d", i);
        json_t *l;
        if (i == 20) {
            l = json_pack("{s:s,s:s,s:s,s:[s],s:b}", "@odata.type",
                          "#microsoft.graph.countryNamedLocation", "id", id, "displayName", name,
                          "countriesAndRegions", "FR", "includeUnknownCountriesAndRegions", 1);
        } else {
            char *cidr = xasprintf("203.0.%d.0/24", i);
            l = json_pack("{s:s,s:s,s:s,s:b,s:[{s:s,s:s}]}", "@odata.type",
                          "#microsoft.graph.ipNamedLocation", "id", id, "displayName", name,
                          "isTrusted", i == 5 || i == 30, "ipRanges", "@odata.type",
                          "#microsoft.graph.iPv4CidrRange", "cidrAddress", cidr);
            free(cidr);
        }
        json_array_append_new(a, l);
        free(id);
        free(name);
    }
    return a;
}

/* Block everyone outside the trusted locations and location 25 (`exclude_bg1`: but bg1). */
static json_t *block_outside(bool exclude_bg1)
{
    char *l25 = loc_id(25);
    json_t *users = json_pack("{s:[s]}", "includeUsers", "All");
    if (exclude_bg1)
        json_object_set_new(users, "excludeUsers", json_pack("[s]", BG1));
    json_t *cond =
        json_pack("{s:o,s:{s:[s]},s:[s],s:{s:[s],s:[s,s]}}", "users", users, "applications",
                  "includeApplications", "All", "clientAppTypes", "all", "locations",
                  "includeLocations", "All", "excludeLocations", "AllTrusted", l25);
    free(l25);
    return cond;
}

struct fixture {
    char path[64];
    struct backend *b;
    struct tenant t;
};

static int open_tenant(struct fixture *fx)
{
    memset(fx, 0, sizeof(*fx));
    const char *src = getenv("IDPC_SOURCE_DIR");
    if (!src) {
        printf("skipped: IDPC_SOURCE_DIR is not set (run through ctest)\n");
        return -1;
    }
    char *p = xasprintf("%s/tests/golden/plan/fabrikam-tenant.json", src);
    json_error_t je;
    json_t *doc = json_load_file(p, 0, &je);
    free(p);
    assert_non_null(doc);
    json_t *c = json_object_get(doc, "collections");
    json_object_set_new(c, LOC_PATH, locations());
    json_object_set_new(c, POL_PATH,
                        json_pack("[{s:s,s:s,s:s,s:o,s:{s:s,s:[s]}}]", "id", "p1", "displayName",
                                  "Block outside trusted locations", "state", "enabled",
                                  "conditions", block_outside(true), "grantControls", "operator",
                                  "OR", "builtInControls", "block"));
    json_object_set_new(c, "roleManagement/directory/roleAssignments",
                        json_pack("[{s:s,s:s,s:s,s:s}]", "id", "ra1", "principalId", ANN,
                                  "roleDefinitionId", GA, "directoryScopeId", "/"));
    snprintf(fx->path, sizeof(fx->path), "/tmp/test_lockout_locations_XXXXXX");
    int fd = mkstemp(fx->path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(doc, fx->path, JSON_INDENT(1)), 0);
    json_decref(doc);
    char *spec = xasprintf("file:%s", fx->path);
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    int rc = backend_open(spec, &fx->b, &err);
    free(spec);
    if (rc != 0)
        fail_msg("backend_open: %s", err.message);
    if (tenant_load(&fx->t, fx->b, &err) != 0)
        fail_msg("tenant_load: %s", err.message);
    return 0;
}

static void close_tenant(struct fixture *fx)
{
    tenant_free(&fx->t);
    backend_close(fx->b);
    unlink(fx->path);
}

static json_t *request(const char *kind, const char *method, const char *path, json_t *body,
                       const char *creates)
{
    json_t *r = json_pack("{s:s,s:s}", "method", method, "path", path);
    if (body)
        json_object_set_new(r, "body", body);
    if (creates)
        json_object_set_new(r, "creates", json_string(creates));
    return json_pack("{s:s,s:[o]}", "kind", kind, "requests", r);
}

/* The plan: p1 no longer excludes bg1; a new policy requires a compliant device from location
 * 33; locations 3 and 35 renamed (35 trusted from now on), 7 and 36 deleted. */
static json_t *the_plan(void)
{
    json_t *acts = json_array();
    json_array_append_new(acts,
                          request("conditionalAccessPolicy", "PATCH", POL_PATH "/p1",
                                  json_pack("{s:o}", "conditions", block_outside(false)), NULL));
    char *l33 = loc_id(33);
    json_t *cond = json_pack("{s:{s:[s]},s:{s:[s]},s:[s],s:{s:[s]}}", "users", "includeUsers",
                             "All", "applications", "includeApplications", "All", "clientAppTypes",
                             "all", "locations", "includeLocations", l33);
    free(l33);
    json_array_append_new(
        acts, request("conditionalAccessPolicy", "POST", POL_PATH,
                      json_pack("{s:s,s:s,s:o,s:{s:s,s:[s]}}", "displayName", "Device at 33",
                                "state", "enabled", "conditions", cond, "grantControls", "operator",
                                "OR", "builtInControls", "compliantDevice"),
                      "$new:conditionalAccessPolicy:Device at 33"));
    const struct {
        int loc;
        const char *method, *body;
    } changes[] = {{3, "PATCH", "{\"displayName\":\"Renamed three\"}"},
                   {35, "PATCH", "{\"displayName\":\"Renamed 35\",\"isTrusted\":true}"},
                   {7, "DELETE", NULL},
                   {36, "DELETE", NULL}};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(changes); i++) {
        char *id = loc_id(changes[i].loc);
        char *path = xasprintf(LOC_PATH "/%s", id);
        json_array_append_new(acts,
                              request("namedLocation", changes[i].method, path,
                                      changes[i].body ? unit_json(changes[i].body) : NULL, NULL));
        free(path);
        free(id);
    }
    json_t *ea =
        json_pack("[{s:s,s:s,s:s,s:[s],s:s}]", "kind", "user", "id", BG1, "name",
                  "bg1@fabrikam.onmicrosoft.com", "satisfies", "fido2", "at", "main.idp:3:1");
    return json_pack("{s:s,s:o,s:o}", "format", "idpc-plan/1", "emergencyAccess", ea, "actions",
                     acts);
}

static json_t *impact_of(const struct lockout_states *s)
{
    const char *emergency[] = {BG1, NULL};
    struct impact_options o = {
        emergency, NULL, NULL,
        0,         0,    {lockout_states_locindex(s, false), lockout_states_locindex(s, true)}};
    return impact_analyse(lockout_states_inputs(s, false), lockout_states_inputs(s, true), &o);
}

/* lockout_print of the analysis's introduced and existing risks. Caller frees. */
static char *printed(const json_t *analysis)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    lockout_print(json_object_get(analysis, "scenarios"), true, false, f);
    lockout_print(json_object_get(analysis, "alreadyAtRisk"), false, false, f);
    fclose(f);
    return buf;
}

static bool has_location(const json_t *locations, int i)
{
    char *id = loc_id(i);
    bool found = false;
    size_t k;
    json_t *l;
    json_array_foreach(locations, k, l)
    {
        found |= strcmp(json_string_value(json_object_get(l, "id")), id) == 0;
    }
    free(id);
    return found;
}

static void test_kept_locations(void **state)
{
    (void)state;
    struct fixture fx;
    if (open_tenant(&fx) != 0)
        skip();
    json_t *plan = the_plan();
    struct lockout_states *s = lockout_states_new(plan, &fx.t, 0);
    const json_t *before = lockout_states_inputs(s, false)->locations;
    const json_t *after = lockout_states_inputs(s, true)->locations;
    /* the first 12 distinct names the plan leaves alone (0-14: 1 and 2 share a name, 3 and 7
     * are the plan's), the trusted 30, 25 and 33 that policies name, the plan's 35 and 36, and
     * 38, whose id is 25's name */
    const int kept[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 25, 30, 33, 35, 36, 38};
    assert_int_equal(json_array_size(before), IDPC_ARRAY_LEN(kept));
    for (size_t i = 0; i < IDPC_ARRAY_LEN(kept); i++)
        assert_true(has_location(before, kept[i]));
    assert_false(has_location(before, 20)); /* unknown countries, but named by no policy */
    assert_int_equal(json_array_size(after), IDPC_ARRAY_LEN(kept) - 2);
    assert_false(has_location(after, 7));
    assert_false(has_location(after, 36));
    lockout_states_free(s);
    s = lockout_states_new(plan, &fx.t, LOCKOUT_ALL_LOCATIONS);
    assert_int_equal(json_array_size(lockout_states_inputs(s, false)->locations), NLOC);
    assert_int_equal(json_array_size(lockout_states_inputs(s, true)->locations), NLOC - 2);
    lockout_states_free(s);
    json_decref(plan);
    close_tenant(&fx);
}

static void test_pruned_answers_alike(void **state)
{
    (void)state;
    struct fixture fx;
    if (open_tenant(&fx) != 0)
        skip();
    json_t *plan = the_plan();
    json_t *analysis[2], *impact[2];
    char *text[2];
    const unsigned flags[2] = {0, LOCKOUT_ALL_LOCATIONS};
    for (int k = 0; k < 2; k++) {
        struct lockout_states *s = lockout_states_new(plan, &fx.t, flags[k]);
        analysis[k] = lockout_analyse_states(s, NULL);
        impact[k] = impact_of(s);
        text[k] = printed(analysis[k]);
        lockout_states_free(s);
    }
    char *a0 = json_dumps(analysis[0], JSON_SORT_KEYS | JSON_INDENT(1));
    char *a1 = json_dumps(analysis[1], JSON_SORT_KEYS | JSON_INDENT(1));
    assert_string_equal(a0, a1);
    char *i0 = json_dumps(impact[0], JSON_SORT_KEYS | JSON_INDENT(1));
    char *i1 = json_dumps(impact[1], JSON_SORT_KEYS | JSON_INDENT(1));
    assert_string_equal(i0, i1);
    assert_string_equal(text[0], text[1]);
    /* and they say something: bg1 is newly blocked from an untrusted address and the 19
     * locations left out (the unknown country too), and from the trusted location that 35 no
     * longer is not; the impact section sees changes */
    const json_t *risks = json_object_get(analysis[0], "scenarios");
    assert_true(json_array_size(risks) > 0);
    json_int_t most = 0;
    size_t i;
    json_t *r;
    json_array_foreach(risks, i, r)
    {
        json_int_t n = json_integer_value(json_object_get(r, "count"));
        most = n > most ? n : most;
    }
    assert_true(most > NLOC / 2);
    assert_true(json_integer_value(json_object_get(impact[0], "changed")) > 0);
    assert_non_null(strstr(text[0], "device"));
    for (int k = 0; k < 2; k++) {
        json_decref(analysis[k]);
        json_decref(impact[k]);
        free(text[k]);
    }
    free(a0);
    free(a1);
    free(i0);
    free(i1);
    json_decref(plan);
    close_tenant(&fx);
}

/* The states hold their named locations reduced to the members their readers read, those the
 * plan leaves alone without their IP ranges (asked for by the states' location index when a
 * sign-in with an address needs them): every sign-in, with an address in each location or none,
 * is answered as with the tenant's whole objects (the plan's changes applied). */
static void test_reduced_trees(void **state)
{
    (void)state;
    struct fixture fx;
    if (open_tenant(&fx) != 0)
        skip();
    json_t *plan = the_plan();
    struct lockout_states *s = lockout_states_new(plan, &fx.t, 0);
    for (int side = 0; side < 2; side++) {
        const struct whatif_inputs *in = lockout_states_inputs(s, side);
        struct whatif_inputs whole = {json_incref(in->policies), json_array(),
                                      json_incref(in->strengths)};
        size_t i;
        json_t *l;
        json_array_foreach(in->locations, i, l)
        {
            const char *id = json_string_value(json_object_get(l, "id"));
            size_t k = tenant_index_of(&fx.t, TK_LOCATION, id);
            assert_true(k != TENANT_NONE);
            json_t *w = tenant_body(&fx.t, TK_LOCATION, k);
            json_object_update(w, l); /* the plan's changes */
            json_array_append_new(whole.locations, w);
            assert_null(json_object_get(l, "@odata.type"));
            assert_non_null(json_object_get(l, "displayName"));
            /* only the locations the plan changes or deletes keep their ranges */
            bool changed = false;
            const int touched[] = {3, 7, 35, 36};
            for (size_t t = 0; t < IDPC_ARRAY_LEN(touched); t++) {
                char *tid = loc_id(touched[t]);
                changed |= strcmp(tid, id) == 0;
                free(tid);
            }
            assert_int_equal(json_object_get(l, "ipRanges") != NULL, changed);
        }
        int applied = 0, ruled_out = 0;
        for (int loc = -1; loc <= NLOC; loc++) {
            char ip[32];
            snprintf(ip, sizeof(ip), "203.0.%d.9", loc < 0 ? 200 : loc);
            struct whatif_signin si;
            memset(&si, 0, sizeof(si));
            si.user = "ann@fabrikam.onmicrosoft.com"; /* p1 excludes bg1 before the plan */
            si.user_id = ANN;
            si.app = "00000002-0000-0ff1-ce00-000000000000";
            si.platform = "windows";
            si.client_app = "browser";
            si.ip = loc < NLOC ? ip : NULL;
            si.country = loc < NLOC ? NULL : "unknown";
            struct whatif_result rw, rs;
            char err[256];
            assert_int_equal(whatif_evaluate(&whole, &si, &rw, err, sizeof(err)), 0);
            assert_int_equal(whatif_evaluate_ix(in, lockout_states_locindex(s, side), &si, &rs, err,
                                                sizeof(err)),
                             0);
            assert_int_equal(rw.n, rs.n);
            for (size_t p = 0; p < rw.n; p++) {
                assert_int_equal(rw.policies[p].applies, rs.policies[p].applies);
                assert_string_equal(rw.policies[p].reason ? rw.policies[p].reason : "",
                                    rs.policies[p].reason ? rs.policies[p].reason : "");
                applied += rs.policies[p].applies;
                ruled_out +=
                    rs.policies[p].reason && strcmp(rs.policies[p].reason, "location") == 0;
            }
            whatif_result_free(&rw);
            whatif_result_free(&rs);
        }
        /* the answers depend on the address: some sign-ins are in a location a policy names */
        assert_true(applied > 0);
        assert_true(ruled_out > 0);
        whatif_inputs_fini(&whole);
    }
    lockout_states_free(s);
    json_decref(plan);
    close_tenant(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_locations),
        cmocka_unit_test(test_pruned_answers_alike),
        cmocka_unit_test(test_reduced_trees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
