/* test_tenant_mem.c — what the tenant side holds through a plan, made smaller without changing
 * an answer: the tenant's indexes (tenant_map: a position and a hash per slot, the key read from
 * the object; lookups by id, exact name, name ignoring case, alternate id), the file backend's
 * group member collections (read from the snapshot at each read, never kept) and the empty
 * arrays its kept trees share (copied before a write reaches them). */
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
#include "runtime/tenant/backend.h"
#include "runtime/tenant/backend_file.h"
#include "runtime/tenant/tenant.h"
#include "runtime/tenant/tenant_map.h"

#define N_OBJ 3000

/* Enough objects to grow the maps several times; names repeat (every object i and i + 1000 share
 * one, in two spellings), ids are unique. */
static void test_map(void **state)
{
    (void)state;
    struct tenant_obj *v = xcalloc(N_OBJ, sizeof(*v));
    struct tenant_map by_id, by_name, by_lname, by_alt;
    tenant_map_init(&by_id, TENANT_MAP_ID, true);
    tenant_map_init(&by_name, TENANT_MAP_NAME, false);
    tenant_map_init(&by_lname, TENANT_MAP_NAME, true);
    tenant_map_init(&by_alt, TENANT_MAP_ALT, true);
    for (size_t i = 0; i < N_OBJ; i++) {
        v[i].id = xasprintf("Id-%04zu", i);
        v[i].name = xasprintf(i < 1000 ? "name %zu" : i < 2000 ? "Name %zu" : "name %zu", i % 1000);
        v[i].alt = i % 2 ? xasprintf("app-%zu", i) : NULL;
        assert_int_equal(tenant_map_put_first(&by_id, v, i), i);
        size_t first = tenant_map_put_first(&by_name, v, i);
        assert_int_equal(first, i < 2000 ? i : i - 2000); /* "name 7" at 7 and 2007 */
        assert_int_equal(tenant_map_put_first(&by_lname, v, i), i % 1000);
        if (v[i].alt)
            assert_int_equal(tenant_map_put_first(&by_alt, v, i), i);
    }
    assert_int_equal(by_id.n, N_OBJ);
    assert_int_equal(by_name.n, 2000);
    assert_int_equal(by_lname.n, 1000);
    assert_true(by_id.cap * 3 >= by_id.n * 4); /* at most 3/4 full */
    /* ids ignoring case, names exactly or ignoring case, as the maps were made */
    assert_int_equal(tenant_map_get(&by_id, v, "ID-0042"), 42);
    assert_int_equal(tenant_map_get(&by_id, v, "id-2999"), 2999);
    assert_int_equal(tenant_map_get(&by_id, v, "id-3000"), TENANT_NONE);
    assert_int_equal(tenant_map_get(&by_id, v, "id-004"), TENANT_NONE);   /* a prefix */
    assert_int_equal(tenant_map_get(&by_id, v, "id-00420"), TENANT_NONE); /* longer */
    assert_int_equal(tenant_map_get(&by_name, v, "Name 5"), 1005);
    assert_int_equal(tenant_map_get(&by_name, v, "name 5"), 5);
    assert_int_equal(tenant_map_get(&by_name, v, "NAME 5"), TENANT_NONE);
    assert_int_equal(tenant_map_get(&by_lname, v, "NAME 5"), 5);
    assert_int_equal(tenant_map_get(&by_alt, v, "APP-7"), 7);
    assert_int_equal(tenant_map_get(&by_alt, v, "app-8"), TENANT_NONE);
    assert_int_equal(tenant_map_get(&by_alt, v, NULL), TENANT_NONE);
    /* only ASCII letters fold: é and É are different */
    char lower[] = "caf\xc3\xa9", upper[] = "CAF\xc3\x89";
    struct tenant_obj u[2] = {{.id = lower}, {.id = upper}};
    struct tenant_map m;
    tenant_map_init(&m, TENANT_MAP_ID, true);
    assert_int_equal(tenant_map_get(&m, u, "x"), TENANT_NONE); /* empty */
    assert_int_equal(tenant_map_put_first(&m, u, 0), 0);
    assert_int_equal(tenant_map_put_first(&m, u, 1), 1);
    assert_int_equal(tenant_map_get(&m, u, "Caf\xc3\xa9"), 0);
    tenant_map_fini(&m);
    for (size_t i = 0; i < N_OBJ; i++) {
        free(v[i].id);
        free(v[i].name);
        free(v[i].alt);
    }
    free(v);
    tenant_map_fini(&by_id);
    tenant_map_fini(&by_name);
    tenant_map_fini(&by_lname);
    tenant_map_fini(&by_alt);
}

#define G1         "aaaaaaaa-0000-4000-8000-000000000001"
#define G2         "aaaaaaaa-0000-4000-8000-000000000002"
#define G3         "aaaaaaaa-0000-4000-8000-000000000003"
#define U1         "bbbbbbbb-0000-4000-8000-000000000001"
#define U2         "bbbbbbbb-0000-4000-8000-000000000002"
#define P1         "dddddddd-0000-4000-8000-000000000001"
#define P2         "dddddddd-0000-4000-8000-000000000002"
#define P_POLICIES "identity/conditionalAccess/policies"

static const char *const SNAPSHOT =
    "{\"format\": \"idpc-tenant/1\", \"collections\": {\n"
    "  \"organization\": [{\"id\": \"11111111-2222-4333-8444-555555555555\"}],\n"
    "  \"users\": [{\"id\": \"" U1 "\", \"userPrincipalName\": \"a@x.example\"},\n"
    "            {\"id\": \"" U2 "\", \"userPrincipalName\": \"b@x.example\"}],\n"
    "  \"groups\": [{\"id\": \"" G1 "\", \"displayName\": \"G\"},\n"
    "             {\"id\": \"" G2 "\", \"displayName\": \"g\"},\n"
    "             {\"id\": \"" G3 "\", \"displayName\": \"G\"}],\n"
    "  \"groups/" G1 "/members\": [{\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"" U1
    "\"}],\n"
    "  \"" P_POLICIES "\": [\n"
    "    {\"id\": \"" P1 "\", \"displayName\": \"One\", \"state\": \"enabled\",\n"
    "     \"conditions\": {\"users\": {\"includeUsers\": [\"All\"], \"excludeGroups\": []},\n"
    "                    \"userRiskLevels\": []}},\n"
    "    {\"id\": \"" P2 "\", \"displayName\": \"Two\", \"state\": \"enabled\",\n"
    "     \"conditions\": {\"users\": {\"includeUsers\": [\"All\"], \"excludeGroups\": []},\n"
    "                    \"userRiskLevels\": [[]]}}\n"
    "  ]}}\n";

struct fixture {
    char dir[64];
    char *path;
    struct backend *b;
};

static int setup(void **state)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/idpc-test-mem-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->path = xasprintf("%s/tenant.json", fx->dir);
    FILE *f = fopen(fx->path, "w");
    assert_non_null(f);
    fputs(SNAPSHOT, f);
    assert_int_equal(fclose(f), 0);
    char *spec = xasprintf("file:%s", fx->path);
    struct backend_error err;
    if (backend_open(spec, &fx->b, &err) != 0)
        fail_msg("%s", err.message);
    free(spec);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
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

static json_t *read_ok(struct backend *b, const char *path)
{
    json_t *v = NULL;
    struct backend_error err;
    if (backend_read(b, path, &v, &err) != 0)
        fail_msg("%s", err.message);
    return v;
}

/* A group's members are decoded from the snapshot at each read (a new tree each time, none kept)
 * until the collection is written; then the written tree is the truth. */
static void test_members_read_anew(void **state)
{
    struct fixture *fx = *state;
    json_t *a = read_ok(fx->b, "groups/" G1 "/members");
    json_t *c = read_ok(fx->b, "groups/" G1 "/members");
    assert_int_equal(json_array_size(a), 1);
    assert_ptr_not_equal(a, c);
    assert_true(json_equal(a, c));
    assert_int_equal(a->refcount, 1); /* the caller's alone */
    json_decref(c);
    /* an item by id, and the tenant's list of ids */
    json_t *m = read_ok(fx->b, "groups/" G1 "/members/" U1);
    assert_string_equal(json_string_value(json_object_get(m, "id")), U1);
    json_decref(m);
    struct tenant t;
    struct backend_error err;
    if (tenant_load(&t, fx->b, &err) != 0)
        fail_msg("%s", err.message);
    json_t *ids = tenant_group_rel(&t, G1, "members");
    json_t *want = json_pack("[s]", U1);
    assert_true(json_equal(ids, want));
    json_decref(want);
    json_decref(ids);
    tenant_free(&t);
    /* written: the collection is a tree from now on */
    assert_int_equal(backend_lock(fx->b, &err), 0);
    json_t *coll = backend_file_collection(fx->b, "groups/" G1 "/members", false, &err);
    assert_non_null(coll);
    json_array_append_new(coll, json_pack("{s:s}", "id", U2));
    json_t *after = read_ok(fx->b, "groups/" G1 "/members");
    assert_ptr_equal(after, coll);
    assert_int_equal(json_array_size(after), 2);
    json_decref(after);
    json_decref(a);
    backend_unlock(fx->b);
}

/* The kept policies share one empty array and their equal parts; a write reaches a copy of the
 * collection, never a shared value, and the snapshot written back is the same for the untouched
 * policy. */
static void test_empty_arrays_shared(void **state)
{
    struct fixture *fx = *state;
    struct backend_error err;
    assert_int_equal(backend_lock(fx->b, &err), 0); /* read anew: the writes below are allowed */
    json_t *all = read_ok(fx->b, P_POLICIES);
    json_t *p1 = json_array_get(all, 0), *p2 = json_array_get(all, 1);
    json_t *e1 = json_object_get(json_object_get(json_object_get(p1, "conditions"), "users"),
                                 "excludeGroups");
    json_t *e2 = json_object_get(json_object_get(json_object_get(p2, "conditions"), "users"),
                                 "excludeGroups");
    json_t *r1 = json_object_get(json_object_get(p1, "conditions"), "userRiskLevels");
    json_t *nested =
        json_array_get(json_object_get(json_object_get(p2, "conditions"), "userRiskLevels"), 0);
    assert_int_equal(json_array_size(e1), 0);
    assert_ptr_equal(e1, e2);
    assert_ptr_equal(e1, r1);
    assert_ptr_equal(e1, nested); /* an empty array inside an array too */
    /* equal parts too: the same "users" condition is one object; "conditions" differ */
    json_t *c1 = json_object_get(p1, "conditions"), *c2 = json_object_get(p2, "conditions");
    assert_ptr_equal(json_object_get(c1, "users"), json_object_get(c2, "users"));
    assert_ptr_not_equal(c1, c2);
    assert_ptr_not_equal(p1, p2);
    json_t *before = json_deep_copy(all);
    /* a write: the collection is copied first, the reader's trees stay as they were */
    json_t *item = NULL, *parent = NULL;
    size_t index = 0;
    assert_int_equal(backend_file_locate(fx->b, P_POLICIES "/" P1 "/conditions/users/excludeGroups",
                                         &item, &parent, &index, &err),
                     0);
    assert_ptr_not_equal(item, e1);
    json_array_append_new(item, json_string(G1));
    assert_true(json_equal(all, before));
    assert_int_equal(json_array_size(e2), 0);
    json_t *now = read_ok(fx->b, P_POLICIES);
    json_t *g = json_object_get(
        json_object_get(json_object_get(json_array_get(now, 0), "conditions"), "users"),
        "excludeGroups");
    json_t *g2 = json_object_get(
        json_object_get(json_object_get(json_array_get(now, 1), "conditions"), "users"),
        "excludeGroups");
    assert_int_equal(json_array_size(g), 1);
    assert_int_equal(json_array_size(g2), 0);
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(json_array_get(now, 0), "conditions"), "userRiskLevels")),
                     0);
    /* written back: the written policy changed, the other as it was */
    char *text = backend_file_serialize(fx->b);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"excludeGroups\": [\n"));
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    assert_non_null(doc);
    json_t *pols = json_object_get(json_object_get(doc, "collections"), P_POLICIES);
    assert_true(json_equal(json_array_get(pols, 1), json_array_get(before, 1)));
    assert_false(json_equal(json_array_get(pols, 0), json_array_get(before, 0)));
    json_decref(doc);
    free(text);
    json_decref(now);
    json_decref(before);
    json_decref(all);
    backend_unlock(fx->b);
}

/* Objects of one name, exactly and ignoring case (users: ignoring case only), and the names the
 * configuration gives them. */
static void test_names(void **state)
{
    struct fixture *fx = *state;
    struct tenant t;
    struct backend_error err;
    if (tenant_load(&t, fx->b, &err) != 0)
        fail_msg("%s", err.message);
    size_t first = tenant_first_named(&t, TK_GROUP, "G");
    assert_int_equal(first, tenant_index_of(&t, TK_GROUP, G1));
    size_t next = tenant_next_named(&t, TK_GROUP, first, false);
    assert_int_equal(next, tenant_index_of(&t, TK_GROUP, G3));
    assert_int_equal(tenant_next_named(&t, TK_GROUP, next, false), TENANT_NONE);
    assert_int_equal(tenant_count_named(&t, TK_GROUP, first, false), 2);
    size_t lfirst = tenant_first_lnamed(&t, TK_GROUP, "g");
    assert_int_equal(lfirst, first);
    assert_int_equal(tenant_count_named(&t, TK_GROUP, lfirst, true), 3);
    assert_int_equal(tenant_next_named(&t, TK_GROUP, lfirst, true),
                     tenant_index_of(&t, TK_GROUP, G2));
    assert_int_equal(tenant_first_named(&t, TK_GROUP, "x"), TENANT_NONE);
    size_t u = tenant_first_named(&t, TK_USER, "A@X.EXAMPLE");
    assert_int_equal(u, tenant_index_of(&t, TK_USER, U1));
    assert_int_equal(tenant_count_named(&t, TK_USER, u, true), 1);
    /* a name the configuration gives, then its own again */
    const struct tenant_obj *o = tenant_by_id(&t, TK_GROUP, G2);
    assert_string_equal(tenant_display_name(&t, TK_GROUP, o), "g");
    tenant_set_display(&t, TK_GROUP, G2, "Sales");
    assert_string_equal(tenant_display_name(&t, TK_GROUP, o), "Sales");
    char *d = tenant_describe_id(&t, G2, TK_GROUP);
    assert_string_equal(d, "group \"Sales\"");
    free(d);
    tenant_set_display(&t, TK_GROUP, G2, "Finance");
    assert_string_equal(tenant_display_name(&t, TK_GROUP, o), "Finance");
    tenant_set_display(&t, TK_GROUP, G2, "g");
    assert_string_equal(tenant_display_name(&t, TK_GROUP, o), "g");
    tenant_set_display(&t, TK_GROUP, G1, "G");
    assert_string_equal(tenant_display_name(&t, TK_GROUP, tenant_by_id(&t, TK_GROUP, G1)), "G");
    tenant_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map),
        cmocka_unit_test_setup_teardown(test_members_read_anew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_arrays_shared, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
