/* test_tenant_hold.c — named locations held compactly: backend_scan_text() (the file backend's
 * texts taken while loading, its stream of a snapshot's text, a parsed collection, and the
 * generic path for a backend without it), the freeze hook, tenant_body() and tenant_held_of()
 * (thaw, release, thaw again) and the plan's fingerprint taken at load (plan_hold_locations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/util.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/plan.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

#define P_LOCATIONS "identity/conditionalAccess/namedLocations"

/* Members out of sorted order, an escape, a number, nested arrays and objects, a null: the
 * compact text keeps them as stored and thaws back to an equal tree. */
static const char *const SNAPSHOT =
    "{\n"
    "  \"format\": \"idpc-tenant/1\",\n"
    "  \"collections\": {\n"
    "    \"organization\": [{\"id\": \"11111111-2222-4333-8444-555555555555\",\n"
    "      \"verifiedDomains\": [{\"name\": \"fabrikam.onmicrosoft.com\", \"isDefault\": "
    "true}]}],\n"
    "    \"" P_LOCATIONS "\": [\n"
    "      {\"@odata.type\": \"#microsoft.graph.ipNamedLocation\",\n"
    "       \"id\": \"cccccccc-0000-4000-8000-000000000001\", \"displayName\": \"Caf\\u00e9 HQ\",\n"
    "       \"modifiedDateTime\": null, \"isTrusted\": true, \"weight\": 2.5,\n"
    "       \"ipRanges\": [{\"@odata.type\": \"#microsoft.graph.iPv4CidrRange\",\n"
    "                       \"cidrAddress\": \"198.51.100.0/24\"},\n"
    "                      {\"cidrAddress\": \"2001:db8::/32\", \"@odata.type\": "
    "\"#microsoft.graph.iPv6CidrRange\"}]},\n"
    "      {\"id\": \"cccccccc-0000-4000-8000-000000000002\", \"displayName\": \"Embargo\",\n"
    "       \"@odata.type\": \"#microsoft.graph.countryNamedLocation\",\n"
    "       \"countriesAndRegions\": [\"KP\", \"IR\"], \"includeUnknownCountriesAndRegions\": "
    "true},\n"
    "      {\"id\": \"cccccccc-0000-4000-8000-000000000003\", \"DisplayName\": \"Odd case\",\n"
    "       \"IsTrusted\": true, \"ipRanges\": []}\n"
    "    ],\n"
    "    \"identity/conditionalAccess/policies\": [{\"id\": "
    "\"dddddddd-0000-4000-8000-000000000001\", \"displayName\": \"P\", \"state\": \"enabled\"}]\n"
    "  }\n"
    "}\n";

static char *write_snapshot(void)
{
    char dir[] = "/tmp/idpc-test-hold-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/tenant.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(SNAPSHOT, 1, strlen(SNAPSHOT), f), strlen(SNAPSHOT));
    fclose(f);
    return path;
}

static void remove_snapshot(char *path)
{
    char *lock = xasprintf("%s.lock", path);
    unlink(lock);
    free(lock);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}

static struct backend *open_ok(const char *path)
{
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    if (backend_open(spec, &b, &err) != 0)
        fail_msg("%s", err.message);
    free(spec);
    return b;
}

/* The backend being scanned, and how many items it handed on by where they lie (at). */
static struct backend *scanned;
static size_t n_at;

/* Each item handed on: [selected id, text, derived or null, whether it holds "IsTrusted"]; an
 * item handed on by where it lies is read again (backend_read_at) and written compact. */
static bool collect(const json_t *item, const char *text, size_t len, const struct backend_at *at,
                    const char *derived, void *ctx)
{
    char *own = NULL;
    if (at) {
        assert_null(text);
        json_t *v = NULL;
        struct backend_error err;
        if (backend_read_at(scanned, at, &v, &err) != 0)
            fail_msg("%s", err.message);
        own = json_dumps(v, JSON_COMPACT);
        json_decref(v);
        text = own;
        n_at++;
    } else {
        assert_int_equal(strlen(text), len);
    }
    /* the item is valid during the call only (backend.h): its id is copied, not referenced */
    json_array_append_new(ctx,
                          json_pack("[s?,s,s?,b]", json_string_value(json_object_get(item, "id")),
                                    text, derived, json_object_get(item, "IsTrusted") != NULL));
    free(own);
    return true;
}

static json_t *scan(struct backend *b, const char *path)
{
    static const char *const fields[] = {"id", "displayName", "@odata.type"};
    json_t *items = json_array();
    struct backend_error err;
    scanned = b;
    assert_int_equal(backend_scan_text(b, path, fields, 3, collect, items, &err), 0);
    return items;
}

/* Every text is jansson's compact writing of the item as the backend reads it (members in
 * stored order), and decodes to a tree equal to it. */
static void check_texts(struct backend *b, const char *path, const json_t *items, size_t n)
{
    assert_int_equal(json_array_size(items), n);
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *id = json_string_value(json_array_get(it, 0));
        const char *text = json_string_value(json_array_get(it, 1));
        assert_non_null(id);
        char *p = xasprintf("%s/%s", path, id);
        json_t *read = NULL;
        struct backend_error err;
        assert_int_equal(backend_read(b, p, &read, &err), 0);
        assert_non_null(read);
        char *want = json_dumps(read, JSON_COMPACT);
        assert_string_equal(text, want);
        json_error_t je;
        json_t *thawed = json_loads(text, 0, &je);
        assert_non_null(thawed);
        assert_true(json_equal(thawed, read));
        json_decref(thawed);
        free(want);
        json_decref(read);
        free(p);
    }
}

static void test_scan_text_file(void **state)
{
    (void)state;
    char *path = write_snapshot();
    struct backend *b = open_ok(path);
    /* from what loading kept: each item by where it lies, read again */
    n_at = 0;
    json_t *first = scan(b, P_LOCATIONS);
    assert_int_equal(n_at, 3);
    check_texts(b, P_LOCATIONS, first, 3);
    assert_true(strstr(json_string_value(json_array_get(json_array_get(first, 0), 1)),
                       "\"displayName\":\"Caf\xc3\xa9 HQ\",\"modifiedDateTime\":null") != NULL);
    assert_true(json_is_null(json_array_get(json_array_get(first, 0), 2))); /* no hook */
    /* a member named as a selected one ignoring case only: that item is handed on whole */
    assert_true(json_is_true(json_array_get(json_array_get(first, 2), 3)));
    assert_false(json_is_true(json_array_get(json_array_get(first, 0), 3)));
    /* read whole once: a second scan streams the snapshot's text and hands on the same */
    json_t *again = scan(b, P_LOCATIONS);
    assert_int_equal(n_at, 3);
    assert_true(json_equal(first, again));
    json_decref(again);
    /* a collection kept as a tree, and one that is not there */
    json_t *policies = scan(b, "identity/conditionalAccess/policies");
    check_texts(b, "identity/conditionalAccess/policies", policies, 1);
    json_decref(policies);
    json_t *none = scan(b, "identityGovernance/termsOfUse/agreements");
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
    /* once written (a tree), the texts come from the tree */
    struct backend_error err;
    assert_int_equal(backend_lock(b, &err), 0);
    json_t *patch = json_pack("{s:s,s:b}", "@odata.type", "#microsoft.graph.countryNamedLocation",
                              "includeUnknownCountriesAndRegions", 1);
    assert_int_equal(backend_write(b, "PATCH", P_LOCATIONS "/cccccccc-0000-4000-8000-000000000002",
                                   patch, NULL, &err),
                     0);
    json_decref(patch);
    json_t *written = scan(b, P_LOCATIONS);
    check_texts(b, P_LOCATIONS, written, 3);
    assert_string_equal(json_string_value(json_array_get(json_array_get(written, 0), 1)),
                        json_string_value(json_array_get(json_array_get(first, 0), 1)));
    assert_true(strstr(json_string_value(json_array_get(json_array_get(written, 1), 1)),
                       "\"includeUnknownCountriesAndRegions\":true") != NULL);
    json_decref(written);
    json_decref(first);
    backend_unlock(b);
    backend_close(b);
    remove_snapshot(path);
}

/* A backend without scan_text: the collection is read whole and each object written compact. */
static int fake_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    (void)b;
    (void)err;
    if (strcmp(path, P_LOCATIONS) == 0)
        *out = json_pack("[{s:s,s:s,s:[i]},i,{s:s}]", "id", "x1", "displayName", "X", "list", 7, 42,
                         "id", "x2");
    return 0;
}

static char *hook_name(const json_t *item)
{
    const char *id = json_string_value(json_object_get(item, "id"));
    return id ? xasprintf("derived:%s", id) : NULL;
}

static void test_scan_text_generic(void **state)
{
    (void)state;
    static const struct backend_ops ops = {.scheme = "fake", .read = fake_read};
    struct backend b = {.ops = &ops};
    backend_freeze_hook(hook_name);
    json_t *items = scan(&b, P_LOCATIONS);
    backend_freeze_hook(NULL);
    json_t *want = json_pack("[[s,s,s,b],[s,s,s,b]]", "x1",
                             "{\"id\":\"x1\",\"displayName\":\"X\",\"list\":[7]}", "derived:x1", 0,
                             "x2", "{\"id\":\"x2\"}", "derived:x2", 0);
    assert_true(json_equal(items, want)); /* the number (not an object) left out */
    json_decref(want);
    json_decref(items);
    json_t *none = scan(&b, "groupSettings");
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
}

/* The hook runs while the file backend loads (it must be set before backend_open). */
static void test_freeze_hook_file(void **state)
{
    (void)state;
    char *path = write_snapshot();
    backend_freeze_hook(hook_name);
    struct backend *b = open_ok(path);
    backend_freeze_hook(NULL);
    json_t *items = scan(b, P_LOCATIONS);
    assert_string_equal(json_string_value(json_array_get(json_array_get(items, 0), 2)),
                        "derived:cccccccc-0000-4000-8000-000000000001");
    assert_string_equal(json_string_value(json_array_get(json_array_get(items, 1), 2)),
                        "derived:cccccccc-0000-4000-8000-000000000002");
    json_decref(items);
    backend_close(b);
    remove_snapshot(path);
}

static void test_tenant_thaw(void **state)
{
    (void)state;
    char *path = write_snapshot();
    struct backend *b = open_ok(path);
    struct tenant t;
    struct backend_error err;
    if (tenant_load(&t, b, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(t.idx[TK_LOCATION].n, 3);
    size_t i1 = tenant_index_of(&t, TK_LOCATION, "CCCCCCCC-0000-4000-8000-000000000001");
    size_t i2 = tenant_index_of(&t, TK_LOCATION, "cccccccc-0000-4000-8000-000000000002");
    assert_int_not_equal(i1, TENANT_NONE);
    assert_int_not_equal(i2, TENANT_NONE);
    const struct tenant_obj *o = &t.idx[TK_LOCATION].v[i1];
    const struct tenant_held *h = tenant_held_of(&t, TK_LOCATION, i1);
    const struct tenant_held *h2 = tenant_held_of(&t, TK_LOCATION, i2);
    assert_null(o->body);
    assert_non_null(h);
    assert_non_null(h2);
    assert_string_equal(o->name, "Caf\xc3\xa9 HQ");
    assert_string_equal(h->type, "#microsoft.graph.ipNamedLocation");
    assert_null(h->derived); /* no hook */
    assert_true(h->trusted);
    assert_false(h2->trusted);
    assert_string_equal(h2->type, "#microsoft.graph.countryNamedLocation");
    assert_null(tenant_held_of(&t, TK_LOCATION, TENANT_NONE));
    /* the lockout guard's facts, as the evaluator reads members (their name ignoring case) */
    assert_ptr_equal(h->name, o->name);
    assert_false(h->unknown);
    assert_true(h2->unknown);
    const struct tenant_held *h3 = tenant_held_of(
        &t, TK_LOCATION, tenant_index_of(&t, TK_LOCATION, "cccccccc-0000-4000-8000-000000000003"));
    assert_non_null(h3);
    assert_null(t.idx[TK_LOCATION].v[2].name); /* no member "displayName" */
    assert_string_equal(h3->name, "Odd case");
    assert_true(h3->trusted);
    assert_false(h3->unknown);
    json_t *read = NULL;
    assert_int_equal(
        backend_read(b, P_LOCATIONS "/cccccccc-0000-4000-8000-000000000001", &read, &err), 0);
    /* a new tree at each call, equal to the object, released independently */
    json_t *a = tenant_body(&t, TK_LOCATION, i1), *c = tenant_body(&t, TK_LOCATION, i1);
    assert_non_null(a);
    assert_ptr_not_equal(a, c);
    assert_true(json_equal(a, read));
    assert_true(json_equal(c, read));
    json_object_set_new(a, "isTrusted", json_false()); /* the caller's own */
    json_decref(a);
    json_t *again = tenant_body(&t, TK_LOCATION, i1);
    assert_true(json_equal(again, read));
    /* held by where it lies in the snapshot, not as text */
    assert_null(h->text);
    assert_true(strncmp(SNAPSHOT + h->at.start, "{\"@odata.type\"", 14) == 0);
    assert_int_equal(SNAPSHOT[h->at.start + h->at.len - 1], '}');
    assert_null(tenant_fault(&t));
    json_decref(again);
    json_decref(c);
    json_decref(read);
    /* kept trees are handed out as new references of themselves; none held: NULL */
    size_t ip = tenant_index_of(&t, TK_POLICY, "dddddddd-0000-4000-8000-000000000001");
    assert_int_not_equal(ip, TENANT_NONE);
    assert_null(tenant_held_of(&t, TK_POLICY, ip));
    json_t *pb = tenant_body(&t, TK_POLICY, ip);
    assert_ptr_equal(pb, t.idx[TK_POLICY].v[ip].body);
    json_decref(pb);
    assert_null(tenant_body(&t, TK_LOCATION, TENANT_NONE));
    assert_null(tenant_body(&t, TK_USER, 0)); /* users are indexed by id and name only */
    tenant_free(&t);
    backend_close(b);
    remove_snapshot(path);
}

/* plan_hold_locations: the fingerprint taken at load is the one plan_update and record_reads
 * take, the SHA-256 of the normalised object. */
static void test_plan_fingerprint_at_load(void **state)
{
    (void)state;
    char *path = write_snapshot();
    plan_hold_locations();
    struct backend *b = open_ok(path);
    backend_freeze_hook(NULL);
    struct tenant t;
    struct backend_error err;
    if (tenant_load(&t, b, &err) != 0)
        fail_msg("%s", err.message);
    for (size_t i = 0; i < t.idx[TK_LOCATION].n; i++) {
        const struct tenant_held *h = tenant_held_of(&t, TK_LOCATION, i);
        assert_non_null(h);
        assert_non_null(h->derived);
        json_t *body = tenant_body(&t, TK_LOCATION, i);
        json_t *norm = normalize(NK_NAMED_LOCATION, body);
        char *sha = tenant_sha256(norm);
        assert_string_equal(h->derived, sha);
        char *fp = plan_fingerprint("named_location", body);
        assert_string_equal(h->derived, fp);
        free(fp);
        free(sha);
        json_decref(norm);
        json_decref(body);
    }
    assert_string_not_equal(tenant_held_of(&t, TK_LOCATION, 0)->derived,
                            tenant_held_of(&t, TK_LOCATION, 1)->derived);
    tenant_free(&t);
    backend_close(b);
    remove_snapshot(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_text_file),           cmocka_unit_test(test_scan_text_generic),
        cmocka_unit_test(test_freeze_hook_file),         cmocka_unit_test(test_tenant_thaw),
        cmocka_unit_test(test_plan_fingerprint_at_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
