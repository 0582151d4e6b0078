/* test_tenant_span.c — named locations held by where they lie in the snapshot (the file
 * backend's spans, backend_read_at): read again when a tree is needed (tenant_body), the same
 * object after the snapshot was replaced or removed (the open file keeps its contents), and a
 * clear fault, never a wrong object, once it was changed in place (tenant_fault). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/util.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

#define P_LOCATIONS "identity/conditionalAccess/namedLocations"
#define LOC1        "cccccccc-0000-4000-8000-000000000001"
#define LOC2        "cccccccc-0000-4000-8000-000000000002"

static const char *const SNAPSHOT =
    "{\"format\": \"idpc-tenant/1\", \"collections\": {\n"
    "  \"organization\": [{\"id\": \"11111111-2222-4333-8444-555555555555\"}],\n"
    "  \"" P_LOCATIONS "\": [\n"
    "    {\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"id\": \"" LOC1 "\",\n"
    "     \"displayName\": \"HQ\", \"isTrusted\": true,\n"
    "     \"ipRanges\": [{\"cidrAddress\": \"198.51.100.0/24\"}]},\n"
    "    {\"@odata.type\": \"#microsoft.graph.countryNamedLocation\", \"id\": \"" LOC2 "\",\n"
    "     \"displayName\": \"Embargo\", \"countriesAndRegions\": [\"KP\"]}\n"
    "  ]}}\n";

/* Another snapshot of the same length, its two locations' ids swapped. */
static char *swapped(void)
{
    char *s = xstrdup(SNAPSHOT);
    char *a = strstr(s, LOC1), *b = strstr(s, LOC2);
    a[strlen(LOC1) - 1] = '2';
    b[strlen(LOC2) - 1] = '1';
    return s;
}

struct fixture {
    char dir[64];
    char *path;
    struct backend *b;
    struct tenant t;
    json_t *want; /* location 1 as read at the start */
    size_t i1;
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/idpc-test-span-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->path = xasprintf("%s/tenant.json", fx->dir);
    write_file(fx->path, SNAPSHOT);
    char *spec = xasprintf("file:%s", fx->path);
    struct backend_error err;
    if (backend_open(spec, &fx->b, &err) != 0)
        fail_msg("%s", err.message);
    free(spec);
    if (tenant_load(&fx->t, fx->b, &err) != 0)
        fail_msg("%s", err.message);
    fx->i1 = tenant_index_of(&fx->t, TK_LOCATION, LOC1);
    assert_int_not_equal(fx->i1, TENANT_NONE);
    const struct tenant_held *h = tenant_held_of(&fx->t, TK_LOCATION, fx->i1);
    assert_non_null(h);
    assert_null(h->text); /* held by where it lies */
    fx->want = tenant_body(&fx->t, TK_LOCATION, fx->i1);
    assert_non_null(fx->want);
    assert_string_equal(json_string_value(json_object_get(fx->want, "displayName")), "HQ");
    assert_null(tenant_fault(&fx->t));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    json_decref(fx->want);
    tenant_free(&fx->t);
    backend_close(fx->b);
    unlink(fx->path);
    char *lock = xasprintf("%s.lock", fx->path);
    unlink(lock);
    free(lock);
    rmdir(fx->dir);
    free(fx->path);
    free(fx);
    return 0;
}

/* The same object again, and no fault. */
static void assert_same(struct fixture *fx)
{
    json_t *v = tenant_body(&fx->t, TK_LOCATION, fx->i1);
    assert_non_null(v);
    assert_true(json_equal(v, fx->want));
    json_decref(v);
    assert_null(tenant_fault(&fx->t));
}

/* No object, and a fault that names the snapshot and what happened. */
static void assert_fault(struct fixture *fx, const char *what)
{
    assert_null(tenant_body(&fx->t, TK_LOCATION, fx->i1));
    const char *f = tenant_fault(&fx->t);
    assert_non_null(f);
    if (!strstr(f, fx->path) || !strstr(f, what) || !strstr(f, "nothing was done"))
        fail_msg("unexpected fault: %s", f);
    /* the first fault stays; others read as before */
    assert_null(tenant_body(&fx->t, TK_LOCATION, fx->i1));
    assert_string_equal(tenant_fault(&fx->t), f);
}

static void test_reads_again(void **state)
{
    struct fixture *fx = *state;
    assert_same(fx);
    /* the other one too, and a policy-like kind holds none */
    json_t *v = tenant_body(&fx->t, TK_LOCATION, tenant_index_of(&fx->t, TK_LOCATION, LOC2));
    assert_string_equal(json_string_value(json_object_get(v, "displayName")), "Embargo");
    json_decref(v);
}

/* A new snapshot renamed over the old one (as a commit writes it): the open file is the one
 * loaded, so the objects are those the tenant indexed. */
static void test_replaced(void **state)
{
    struct fixture *fx = *state;
    char *tmp = xasprintf("%s.new", fx->path);
    char *other = swapped();
    write_file(tmp, other);
    assert_int_equal(rename(tmp, fx->path), 0);
    assert_same(fx);
    free(other);
    free(tmp);
}

static void test_removed(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(unlink(fx->path), 0);
    assert_same(fx);
}

static void test_truncated(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(truncate(fx->path, 20), 0);
    assert_fault(fx, "its size changed");
}

/* Written in place, same length: its modification time tells. */
static void test_written_in_place(void **state)
{
    struct fixture *fx = *state;
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    char *other = swapped();
    write_file(fx->path, other);
    free(other);
    /* a later time, however coarse the file system's clock */
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    ts[1].tv_sec += 2;
    assert_int_equal(utimensat(AT_FDCWD, fx->path, ts, 0), 0);
    assert_fault(fx, "it was written to");
}

/* Written in place with its old size and time put back: the object read is not the one indexed
 * (its id differs), and that is a fault too, never a wrong object. */
static void test_written_in_place_same_time(void **state)
{
    struct fixture *fx = *state;
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    char *other = swapped();
    write_file(fx->path, other);
    free(other);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, fx->path, ts, 0), 0);
    assert_fault(fx, "is no longer where it was read");
}

/* Read anew under the lock (a plan about to write): what the tenant holds belongs to the
 * earlier reading and is refused, not read from the new one. */
static void test_read_anew(void **state)
{
    struct fixture *fx = *state;
    struct backend_error err;
    assert_int_equal(backend_lock(fx->b, &err), 0);
    assert_fault(fx, "it was read anew since");
    backend_unlock(fx->b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_in_place_same_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_anew, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
