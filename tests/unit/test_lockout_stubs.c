/* test_lockout_stubs.c — what the lockout states hold of each named location (its reduced tree)
 * is the same whichever way it is made: read again from the tenant and reduced (the general
 * path), made from what the tenant holds of a plain location (tenant_held's `stub`), or handed
 * over by the plan from the tree it had at hand (lockout_states_new_with); for the file
 * backend's reduced items, its whole items (a snapshot whose digest does not hold), and a backend
 * that hands every item whole as text. Odd locations (members named so ignoring case only,
 * non-boolean flags, countries, escapes, non-ASCII, unknown members, empty arrays, nulls) take
 * the general path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler/util.h"
#include "runtime/analysis/lockout.h"
#include "runtime/analysis/whatif.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

#define LOC_PATH "identity/conditionalAccess/namedLocations"

/* Each location with whether its reduced tree can be made from what the tenant holds. */
static const struct {
    const char *json;
    bool plain;
} LOCATIONS[] = {
    {"{\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"id\": \"l01\", \"displayName\": "
     "\"Plain\", \"isTrusted\": true, \"ipRanges\": [{\"cidrAddress\": \"198.51.100.0/24\"}]}",
     true},
    /* members in another order, an unknown member, no name, empty ranges */
    {"{\"isTrusted\": false, \"extra\": {\"a\": [1, null]}, \"id\": \"l02\", \"ipRanges\": []}",
     true},
    /* escapes and non-ASCII in the name */
    {"{\"id\": \"l03\", \"displayName\": \"Caf\\u00e9 \\\"HQ\\\" \\\\ \\ud83d\\ude00 \\t\", "
     "\"includeUnknownCountriesAndRegions\": false}",
     true},
    /* named so ignoring case only */
    {"{\"id\": \"l04\", \"DisplayName\": \"Odd\", \"ISTRUSTED\": true}", false},
    {"{\"id\": \"l05\", \"displayName\": \"A\", \"displayname\": \"B\", \"isTrusted\": true}",
     false},
    /* flags that are not booleans */
    {"{\"id\": \"l06\", \"displayName\": \"S\", \"isTrusted\": \"yes\"}", false},
    {"{\"id\": \"l07\", \"displayName\": \"N\", \"includeUnknownCountriesAndRegions\": 1}", false},
    {"{\"id\": \"l08\", \"displayName\": \"T\", \"isTrusted\": null}", false},
    /* countries, even none, even named so ignoring case */
    {"{\"@odata.type\": \"#microsoft.graph.countryNamedLocation\", \"id\": \"l09\", "
     "\"displayName\": \"C\", \"countriesAndRegions\": [\"FR\"], "
     "\"includeUnknownCountriesAndRegions\": true}",
     false},
    {"{\"id\": \"l10\", \"displayName\": \"E\", \"countriesAndRegions\": [], \"isTrusted\": "
     "true}",
     false},
    {"{\"id\": \"l11\", \"displayName\": \"V\", \"CountriesAndRegions\": [\"DE\"]}", false},
    /* a second id */
    {"{\"id\": \"l12\", \"ID\": \"other\", \"displayName\": \"I\"}", false},
    /* ranges named so ignoring case (not a member of the reduced tree of a location left
     * alone) */
    {"{\"id\": \"l13\", \"displayName\": \"R\", \"IPRANGES\": [], \"isTrusted\": false}", true},
    {"{\"id\": \"l14\", \"displayName\": \"Untouched\", \"isTrusted\": true, \"ipRanges\": "
     "[{\"cidrAddress\": \"203.0.113.0/24\"}]}",
     true},
};
#define NLOC IDPC_ARRAY_LEN(LOCATIONS)

/* A name the file backend's digest cannot hold (not a string): every item is handed on whole. */
#define DIGEST_BREAKER "{\"id\": \"l15\", \"displayName\": null, \"isTrusted\": true}"

/* The plan changes l01 and l06 and deletes l13. */
static const char PLAN[] =
    "{\"actions\": ["
    "{\"requests\": [{\"method\": \"PATCH\", \"path\": \"" LOC_PATH "/l01\", \"body\": "
    "{\"displayName\": \"Plain 2\", \"isTrusted\": false}}]},"
    "{\"requests\": [{\"method\": \"PATCH\", \"path\": \"" LOC_PATH "/l06\", \"body\": "
    "{\"isTrusted\": true}}]},"
    "{\"requests\": [{\"method\": \"DELETE\", \"path\": \"" LOC_PATH "/l13\"}]}]}";

static bool touched(const char *id)
{
    return strcmp(id, "l01") == 0 || strcmp(id, "l06") == 0 || strcmp(id, "l13") == 0;
}

static char *locations_json(bool breaker)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "[");
    for (size_t i = 0; i < NLOC; i++)
        strbuf_addf(&sb, "%s%s", i ? ",\n" : "", LOCATIONS[i].json);
    if (breaker)
        strbuf_addf(&sb, ",\n%s", DIGEST_BREAKER);
    strbuf_adds(&sb, "]");
    char *s = xstrdup(strbuf_str(&sb));
    strbuf_fini(&sb);
    return s;
}

/* The reduced tree, by its definition: the members named as the readers read them, ignoring
 * case (lockout.c, stub_members), "ipRanges" too when `ranges`. */
static json_t *reduced(const json_t *whole, bool ranges)
{
    static const char *const members[] = {"id", "displayName", "isTrusted",
                                          "includeUnknownCountriesAndRegions",
                                          "countriesAndRegions"};
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)whole, k, v)
    {
        bool keep = ranges && strcasecmp(k, "ipRanges") == 0;
        for (size_t m = 0; m < IDPC_ARRAY_LEN(members); m++)
            keep = keep || strcasecmp(k, members[m]) == 0;
        if (keep)
            json_object_set(o, k, v);
    }
    return o;
}

/* The states' locations made every way from tenant t agree with their definition, and the plain
 * locations are made from what the tenant holds. */
static void check_tenant(struct tenant *t, size_t n)
{
    assert_int_equal(t->idx[TK_LOCATION].n, n);
    for (size_t i = 0; i < NLOC; i++) {
        const struct tenant_held *h = tenant_held_of(t, TK_LOCATION, i);
        assert_non_null(h);
        if ((h->stub & TENANT_STUB_PLAIN) != (LOCATIONS[i].plain ? TENANT_STUB_PLAIN : 0))
            fail_msg("location %zu: stub %u, want plain %d", i, h->stub, LOCATIONS[i].plain);
    }
    json_error_t je;
    json_t *plan = json_loads(PLAN, 0, &je);
    assert_non_null(plan);
    json_t **made = xcalloc(n, sizeof(*made));
    for (size_t i = 0; i < n; i++) {
        json_t *whole = tenant_body(t, TK_LOCATION, i);
        assert_non_null(whole);
        made[i] = lockout_location_stub(whole);
        json_decref(whole);
    }
    struct lockout_states *read = lockout_states_new(plan, t, LOCKOUT_ALL_LOCATIONS);
    struct lockout_states *given = lockout_states_new_with(plan, t, LOCKOUT_ALL_LOCATIONS, made);
    for (size_t i = 0; i < n; i++)
        json_decref(made[i]);
    free(made);
    const json_t *before[2] = {lockout_states_inputs(read, false)->locations,
                               lockout_states_inputs(given, false)->locations};
    for (size_t w = 0; w < 2; w++) {
        assert_int_equal(json_array_size(before[w]), n);
        for (size_t i = 0; i < n; i++) {
            json_t *whole = tenant_body(t, TK_LOCATION, i);
            const char *id = t->idx[TK_LOCATION].v[i].id;
            json_t *want = reduced(whole, touched(id));
            const json_t *got = json_array_get(before[w], i);
            if (!json_equal(want, (json_t *)(uintptr_t)got)) {
                char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
                fail_msg("location %s (%s): %s, want %s", id, w ? "given" : "read", b, a);
            }
            json_decref(want);
            json_decref(whole);
        }
    }
    /* the state after: l13 deleted, l01 and l06 changed alike */
    const json_t *ra = lockout_states_inputs(read, true)->locations;
    const json_t *ga = lockout_states_inputs(given, true)->locations;
    assert_int_equal(json_array_size(ra), n - 1);
    assert_true(json_equal((json_t *)(uintptr_t)ra, (json_t *)(uintptr_t)ga));
    /* the guard's answers alike */
    json_t *x = lockout_analyse_states(read, NULL), *y = lockout_analyse_states(given, NULL);
    assert_true(json_equal(x, y));
    json_decref(x);
    json_decref(y);
    lockout_states_free(read);
    lockout_states_free(given);
    json_decref(plan);
    assert_null(tenant_fault(t));
}

static char *write_snapshot(bool breaker)
{
    char *locs = locations_json(breaker);
    char *text =
        xasprintf("{\"format\": \"idpc-tenant/1\", \"collections\": {\"organization\": "
                  "[{\"id\": \"11111111-2222-4333-8444-555555555555\"}], \"" LOC_PATH "\": %s}}\n",
                  locs);
    free(locs);
    char *path = xstrdup("/tmp/idpc-test-stubs-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    return path;
}

static void file_tenant(bool breaker)
{
    char *path = write_snapshot(breaker);
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (backend_open(spec, &b, &err) != 0)
        fail_msg("backend_open: %s", err.message);
    struct tenant t;
    if (tenant_load(&t, b, &err) != 0)
        fail_msg("tenant_load: %s", err.message);
    check_tenant(&t, NLOC + (breaker ? 1 : 0));
    tenant_free(&t);
    backend_close(b);
    unlink(path);
    free(spec);
    free(path);
}

/* The file backend hands plain items on reduced (only what it keeps of them). */
static void test_file_reduced(void **state)
{
    (void)state;
    file_tenant(false);
}

/* A snapshot whose digest does not hold: every item is handed on whole. */
static void test_file_whole(void **state)
{
    (void)state;
    file_tenant(true);
}

/* A backend without scan_text: the tenant holds each location as its compact text. */
static int text_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    (void)b;
    (void)err;
    *out = NULL;
    if (strcmp(path, LOC_PATH) == 0) {
        char *locs = locations_json(true);
        json_error_t je;
        *out = json_loads(locs, 0, &je);
        free(locs);
        assert_non_null(*out);
    } else if (strcmp(path, "organization") == 0) {
        *out = json_pack("[{s:s}]", "id", "11111111-2222-4333-8444-555555555555");
    }
    return 0;
}

static int text_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                     backend_item_fn fn, void *ctx, struct backend_error *err)
{
    (void)b;
    (void)path;
    (void)fields;
    (void)nfields;
    (void)fn;
    (void)ctx;
    (void)err;
    return 0;
}

static void test_text_tenant(void **state)
{
    (void)state;
    static const struct backend_ops ops = {.scheme = "fake", .read = text_read, .scan = text_scan};
    static char display[] = "fake";
    struct backend b = {.ops = &ops, .display = display};
    struct tenant t;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (tenant_load(&t, &b, &err) != 0)
        fail_msg("tenant_load: %s", err.message);
    assert_non_null(tenant_held_of(&t, TK_LOCATION, 0)->text);
    check_tenant(&t, NLOC + 1);
    tenant_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_reduced),
        cmocka_unit_test(test_file_whole),
        cmocka_unit_test(test_text_tenant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
