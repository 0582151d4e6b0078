/* test_jarena.c — the transient arena for jansson values (runtime/tenant/jarena.h): values decoded
 * in a scope come from the arena and are dropped whole by a reset; outside a scope jansson
 * allocates with malloc() and frees with free(), also a value from malloc() freed in a scope;
 * scopes nest; an allocation larger than the arena's chunk and many small ones grow it; and
 * under AddressSanitizer the memory of a reset arena is poisoned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/util.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/jarena.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static const char *const USER = "{\"id\": \"u1\", \"displayName\": \"Ada \\u00e9\", "
                                "\"groups\": [1, 2.5, true, null, {\"x\": []}]}";

static json_t *decode(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    assert_non_null(v);
    return v;
}

static int teardown(void **state)
{
    (void)state;
    jarena_release();
    return 0;
}

/* A value decoded in a scope lies in the arena, is whole after the scope closes, and is dropped
 * by a reset (json_decref of it frees nothing). */
static void test_scope_and_reset(void **state)
{
    (void)state;
    jarena_open();
    json_t *v = decode(USER);
    jarena_close();
    assert_true(jarena_owns(v));
    assert_true(jarena_owns(json_object_get(v, "id")));
    assert_true(jarena_used() > 0);
    assert_string_equal(json_string_value(json_object_get(v, "displayName")), "Ada \xc3\xa9");
    assert_int_equal(json_array_size(json_object_get(v, "groups")), 5);
    char *text = json_dumps(v, JSON_COMPACT); /* outside the scope: malloc() */
    assert_false(jarena_owns(text));
    assert_string_equal(text, "{\"id\":\"u1\",\"displayName\":\"Ada é\",\"groups\":[1,2.5,true,"
                              "null,{\"x\":[]}]}");
    free(text);
    json_decref(v); /* allowed: frees nothing */
    size_t cap = jarena_capacity();
    jarena_reset();
    assert_int_equal(jarena_used(), 0);
    assert_int_equal(jarena_capacity(), cap); /* kept for the next scope */
    /* the next scope gives the same results */
    jarena_open();
    json_t *w = decode(USER);
    jarena_close();
    assert_true(jarena_owns(w));
    json_t *m = decode(USER); /* from malloc() */
    assert_false(jarena_owns(m));
    assert_true(json_equal(w, m));
    json_decref(m);
    jarena_reset();
}

/* Outside a scope jansson uses malloc() and free(): nothing lands in the arena. */
static void test_outside_scope(void **state)
{
    (void)state;
    json_t *v = decode(USER);
    assert_false(jarena_owns(v));
    assert_int_equal(jarena_used(), 0);
    json_t *copy = json_deep_copy(v);
    assert_true(json_equal(v, copy));
    json_decref(copy);
    json_decref(v);
}

/* A value from malloc() may be freed in a scope (free() is called for it), and one made in a
 * scope may be freed after it closed, before the reset. */
static void test_free_across_scopes(void **state)
{
    (void)state;
    json_t *outside = decode(USER);
    jarena_open();
    json_t *inside = decode("[\"a\", \"b\"]");
    json_decref(outside); /* free() of malloc()'s memory, in a scope */
    jarena_close();
    assert_true(jarena_owns(inside));
    json_decref(inside); /* arena memory, after the scope: nothing is freed */
    jarena_reset();
    /* LeakSanitizer (the test build) would report `outside` had it not been freed */
}

/* Scopes nest: jansson allocates from the arena until the outermost one closes. */
static void test_nested_scopes(void **state)
{
    (void)state;
    jarena_open();
    json_t *a = json_string("outer");
    jarena_open();
    json_t *b = json_string("inner");
    jarena_close();
    json_t *c = json_string("outer again");
    jarena_close();
    json_t *d = json_string("after");
    assert_true(jarena_owns(a));
    assert_true(jarena_owns(b));
    assert_true(jarena_owns(c));
    assert_false(jarena_owns(d));
    json_decref(d);
    jarena_reset();
}

/* A string larger than the arena's chunk, and many small values that fill several chunks: the
 * arena grows, every value stays whole, and a reset keeps one chunk. */
static void test_large_and_many(void **state)
{
    (void)state;
    size_t big = (size_t)3 << 20;
    char *s = xmalloc(big + 1);
    memset(s, 'x', big);
    s[big] = '\0';
    jarena_open();
    json_t *str = json_string(s);
    json_t *arr = json_array();
    for (int i = 0; i < 100000; i++)
        json_array_append_new(arr, json_integer(i));
    jarena_close();
    assert_true(jarena_owns(str));
    assert_true(jarena_owns(arr));
    assert_int_equal(json_string_length(str), big);
    assert_memory_equal(json_string_value(str), s, big);
    assert_int_equal(json_array_size(arr), 100000);
    for (int i = 0; i < 100000; i += 997)
        assert_int_equal(json_integer_value(json_array_get(arr, (size_t)i)), i);
    assert_true(jarena_capacity() > big);
    jarena_reset();
    assert_int_equal(jarena_used(), 0);
    /* a decode that needs more than a chunk, in a scope, after a reset */
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "[");
    for (int i = 0; i < 20000; i++)
        strbuf_addf(&sb, "%s{\"id\":\"%d\",\"n\":[%d]}", i ? "," : "", i, i);
    strbuf_adds(&sb, "]");
    jarena_open();
    json_t *v = decode(sb.buf);
    jarena_close();
    assert_int_equal(json_array_size(v), 20000);
    assert_string_equal(json_string_value(json_object_get(json_array_get(v, 19999), "id")),
                        "19999");
    jarena_reset();
    strbuf_fini(&sb);
    free(s);
}

/* Under AddressSanitizer a reset poisons the memory handed out: a pointer kept past it is
 * reported when used. */
static void test_poisoned_after_reset(void **state)
{
    (void)state;
#ifdef TEST_ASAN
    jarena_open();
    json_t *v = decode(USER);
    jarena_close();
    const char *id = json_string_value(json_object_get(v, "id"));
    assert_null(__asan_region_is_poisoned((void *)(uintptr_t)id, 3));
    jarena_reset();
    assert_non_null(__asan_region_is_poisoned((void *)(uintptr_t)id, 3));
    assert_non_null(__asan_region_is_poisoned(v, sizeof(void *)));
    /* the next scope does not hand that memory out again */
    jarena_open();
    json_t *w = decode(USER);
    jarena_close();
    assert_true((uintptr_t)w != (uintptr_t)v);
    assert_non_null(__asan_region_is_poisoned((void *)(uintptr_t)id, 3));
    jarena_reset();
#else
    skip();
#endif
}

/* The arena is claimed by one holder at a time: a second claim fails until the first ends, and
 * ending it resets the arena. */
static void test_claim(void **state)
{
    (void)state;
    assert_true(jarena_claim());
    assert_false(jarena_claim());
    jarena_open();
    json_t *v = decode(USER);
    jarena_close();
    assert_true(jarena_owns(v));
    jarena_release(); /* claimed: nothing is done */
    assert_true(jarena_owns(v));
    assert_string_equal(json_string_value(json_object_get(v, "id")), "u1");
    jarena_unclaim();
    assert_true(jarena_claim());
    jarena_unclaim();
    jarena_release();
    assert_int_equal(jarena_capacity(), 0);
}

struct nested {
    struct backend *b;
    json_t *seen; /* [id, mail, the name read meanwhile] of each item */
};

/* Reads another user while the scan's item is held, then uses the item. */
static bool read_meanwhile(const json_t *item, void *ctx)
{
    struct nested *n = ctx;
    json_t *other = NULL;
    struct backend_error err;
    assert_int_equal(backend_read(n->b, "users/u2", &other, &err), 0);
    assert_non_null(other);
    json_array_append_new(n->seen,
                          json_pack("[s,s,O]", json_string_value(json_object_get(item, "id")),
                                    json_string_value(json_object_get(item, "mail")),
                                    json_object_get(other, "displayName")));
    json_decref(other);
    return true;
}

/* The file backend: a scan that decodes the snapshot's text item by item holds each item in the
 * arena; a read of the snapshot from its callback (which steps through the collection again)
 * does not reset it under the item, and every value handed on is right. */
static void test_backend_nested_read(void **state)
{
    (void)state;
    char path[] = "/tmp/idpc-jarena-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text =
        "{\"format\": \"idpc-tenant/1\", \"collections\": {\"users\": [\n"
        "  {\"id\": \"u1\", \"displayName\": \"Ada\", \"mail\": \"ada@example.com\"},\n"
        "  {\"id\": \"u2\", \"displayName\": \"B\\u00e9a\", \"mail\": \"bea@example.com\"}]}}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    assert_int_equal(backend_open(spec, &b, &err), 0);
    static const char *const fields[] = {"id", "mail"}; /* not in the digest: the text is read */
    struct nested n = {b, json_array()};
    assert_int_equal(backend_scan(b, "users", fields, 2, read_meanwhile, &n, &err), 0);
    json_t *want = json_pack("[[s,s,s],[s,s,s]]", "u1", "ada@example.com",
                             "B\xc3\xa9"
                             "a",
                             "u2", "bea@example.com",
                             "B\xc3\xa9"
                             "a");
    assert_true(json_equal(n.seen, want));
    json_decref(want);
    json_decref(n.seen);
    backend_close(b);
    free(spec);
    unlink(path);
}

/* A snapshot of odd inputs: unknown members, case variants of known ones, escapes, non-ASCII,
 * empty arrays, nulls, nested values, a group's members. */
static const char *const ODD =
    "{\"format\": \"idpc-tenant/1\", \"collections\": {\n"
    " \"users\": [\n"
    "  {\"id\": \"u1\", \"displayName\": \"Ada \\u00e9 \\ud83d\\ude00\", \"userPrincipalName\": "
    "\"ada@example.com\", \"mail\": null, \"x-unknown\": {\"deep\": [[], {}, [null, 1e300]]}},\n"
    "  {\"id\": \"u2\", \"DisplayName\": \"case variant\", \"mail\": \"\\\"quoted\\\" \\\\ \\/\","
    " \"otherMails\": []},\n"
    "  {\"id\": \"u3\"},\n"
    "  {\"id\": \"u4\", \"displayName\": \"\\u00fcber\", \"userPrincipalName\": "
    "\"\\u00fc@example.com\","
    " \"mail\": \"\\u00fc@example.com\", \"n\": -0.5}],\n"
    " \"groups\": [{\"id\": \"g1\", \"displayName\": \"G\", \"members\": null},\n"
    "  {\"id\": \"g2\", \"displayName\": \"\", \"groupTypes\": []}],\n"
    " \"groups/g1/members\": [{\"id\": \"u1\"}, {\"id\": \"u4\", \"@odata.type\": "
    "\"#microsoft.graph.user\"}],\n"
    " \"identity/conditionalAccess/namedLocations\": [\n"
    "  {\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"id\": \"l1\", \"displayName\": "
    "\"HQ \\u00e9\","
    " \"isTrusted\": true, \"ipRanges\": [{\"@odata.type\": \"#microsoft.graph.iPv4CidrRange\","
    " \"cidrAddress\": \"198.51.100.0/24\"}]},\n"
    "  {\"@odata.type\": \"#microsoft.graph.countryNamedLocation\", \"id\": \"l2\", "
    "\"displayName\": \"C\","
    " \"countriesAndRegions\": [], \"includeUnknownCountriesAndRegions\": null},\n"
    "  {\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"id\": \"l3\", \"displayName\": "
    "\"Case\","
    " \"IsTrusted\": false, \"ipRanges\": []}],\n"
    " \"identity/conditionalAccess/policies\": [{\"id\": \"p1\", \"displayName\": \"P\", "
    "\"state\": \"enabled\","
    " \"conditions\": {\"users\": {\"includeUsers\": [\"All\"], \"excludeGroups\": []}}}]}}\n";

static bool keep_item(const json_t *item, void *ctx)
{
    json_array_append_new(ctx, json_deep_copy(item));
    return true;
}

static bool keep_text(const json_t *item, const char *text, size_t len, const struct backend_at *at,
                      const char *derived, void *ctx)
{
    (void)len;
    (void)derived;
    json_t *o = json_object();
    json_object_set_new(o, "item", json_deep_copy(item));
    json_object_set_new(o, "text", text ? json_string(text) : json_null());
    json_object_set_new(o, "at", json_boolean(at != NULL));
    json_array_append_new(ctx, o);
    return true;
}

/* Everything the file backend hands on of the snapshot at `path`: each scan (from the digest
 * and from the text), the locations' text scan, a relation and an item read by id. */
static json_t *read_all(const char *path)
{
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    assert_int_equal(backend_open(spec, &b, &err), 0);
    free(spec);
    json_t *all = json_object();
    static const char *const digest[] = {"id", "displayName", "userPrincipalName"};
    static const char *const text[] = {"id", "mail", "DisplayName", "x-unknown", "n"};
    static const char *const loc[] = {"id", "displayName", "@odata.type", "isTrusted"};
    json_t *a = json_array(), *t = json_array(), *g = json_array(), *l = json_array();
    assert_int_equal(backend_scan(b, "users", digest, 3, keep_item, a, &err), 0);
    assert_int_equal(backend_scan(b, "users", text, 5, keep_item, t, &err), 0);
    assert_int_equal(backend_scan(b, "groups", digest, 2, keep_item, g, &err), 0);
    assert_int_equal(backend_scan_text(b, "identity/conditionalAccess/namedLocations", loc, 4,
                                       keep_text, l, &err),
                     0);
    json_object_set_new(all, "users digest", a);
    json_object_set_new(all, "users text", t);
    json_object_set_new(all, "groups", g);
    json_object_set_new(all, "locations", l);
    json_t *v = NULL;
    assert_int_equal(backend_read(b, "users/u4", &v, &err), 0);
    json_object_set_new(all, "u4", v);
    assert_int_equal(backend_read(b, "groups/g1/members", &v, &err), 0);
    json_object_set_new(all, "members", v);
    assert_int_equal(backend_read(b, "identity/conditionalAccess/policies", &v, &err), 0);
    json_object_set_new(all, "policies", json_deep_copy(v));
    json_decref(v);
    backend_close(b);
    return all;
}

/* The arena is a fast path of the file backend's reading: on odd inputs it hands on the same
 * values as the general path (jansson's malloc(), forced here by holding the arena's claim, so
 * that the backend cannot claim it). */
static void test_backend_same_as_malloc(void **state)
{
    (void)state;
    char path[] = "/tmp/idpc-jarena-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, ODD, strlen(ODD)), (ssize_t)strlen(ODD));
    close(fd);
    json_t *fast = read_all(path);
    assert_int_equal(jarena_capacity(), 0); /* the backend gave its memory back */
    assert_true(jarena_claim());
    json_t *general = read_all(path);
    jarena_unclaim();
    char *f = json_dumps(fast, JSON_SORT_KEYS), *g = json_dumps(general, JSON_SORT_KEYS);
    assert_string_equal(f, g);
    /* and what is handed on is right */
    assert_int_equal(json_array_size(json_object_get(fast, "users digest")), 4);
    assert_int_equal(json_array_size(json_object_get(fast, "users text")), 4);
    assert_int_equal(json_array_size(json_object_get(fast, "locations")), 3);
    assert_non_null(strstr(f, "\"Ada \xc3\xa9 \xf0\x9f\x98\x80\""));
    assert_non_null(strstr(f, "\"\\\"quoted\\\" \\\\ /\""));
    assert_non_null(strstr(f, "\"case variant\""));
    json_t *deep = json_pack("{s:[[],{},[n,f]]}", "deep", 1e300);
    assert_true(json_equal(
        json_object_get(json_array_get(json_object_get(fast, "users text"), 0), "x-unknown"),
        deep));
    json_decref(deep);
    free(f);
    free(g);
    json_decref(fast);
    json_decref(general);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_scope_and_reset, teardown),
        cmocka_unit_test_teardown(test_outside_scope, teardown),
        cmocka_unit_test_teardown(test_free_across_scopes, teardown),
        cmocka_unit_test_teardown(test_nested_scopes, teardown),
        cmocka_unit_test_teardown(test_large_and_many, teardown),
        cmocka_unit_test_teardown(test_poisoned_after_reset, teardown),
        cmocka_unit_test_teardown(test_claim, teardown),
        cmocka_unit_test_teardown(test_backend_nested_read, teardown),
        cmocka_unit_test_teardown(test_backend_same_as_malloc, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
