/* test_plan_licenses.c — group-based licensing: the change and the assignLicense request a plan
 * makes (runtime/plan_licenses.c), and the file tenant's emulation of assignLicense. */
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
#include "runtime/plan/plan.h"
#include "runtime/plan/plan_licenses.h"

#define E5  "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
#define EMS "efccb6f7-5641-4e0e-bd10-b4976e1bf68e"
#define P2  "84a661c4-e949-4bd2-a560-ed7766fcaf2b"
#define GID "bbbbbbbb-0000-4000-8000-000000000001"

static json_t *skus(void)
{
    return json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "skuId", E5, "skuPartNumber", "SPE_E5",
                     "skuId", EMS, "skuPartNumber", "EMS", "skuId", P2, "skuPartNumber",
                     "AAD_PREMIUM_P2");
}

struct fixture {
    struct tenant t;
    struct model_object o;
    json_t *action;
};

static void setup(struct fixture *f, json_t *licenses)
{
    memset(f, 0, sizeof(*f));
    f->t.skus = skus();
    f->o.kind = MODEL_GROUP;
    f->o.name = xstrdup("Staff");
    f->o.extra = json_object();
    if (licenses)
        json_object_set_new(f->o.extra, "licenses", licenses);
    f->action = json_pack("{s:[],s:[]}", "changes", "requests");
}

static void teardown(struct fixture *f)
{
    json_decref(f->t.skus);
    json_decref(f->o.extra);
    free(f->o.name);
    json_decref(f->action);
}

static json_t *group_with(const char *sku1, const char *sku2)
{
    json_t *g = json_pack("{s:s,s:[]}", "id", GID, "assignedLicenses");
    const char *s[2] = {sku1, sku2};
    for (int i = 0; i < 2; i++)
        if (s[i])
            json_array_append_new(json_object_get(g, "assignedLicenses"),
                                  json_pack("{s:[],s:s}", "disabledPlans", "skuId", s[i]));
    return g;
}

static const char *str_at(const json_t *arr, size_t i)
{
    return json_string_value(json_array_get(arr, i));
}

static void test_add_remove_keep(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, json_pack("[s,s]", "spe_e5", "AAD_PREMIUM_P2")); /* part numbers ignore case */
    json_t *cur = group_with(E5, EMS);
    plan_licenses(&f.t, f.action, &f.o, cur, GID, false);
    json_t *ch = json_array_get(json_object_get(f.action, "changes"), 0);
    assert_int_equal(json_array_size(json_object_get(f.action, "changes")), 1);
    assert_string_equal(json_string_value(json_object_get(ch, "field")), "licenses");
    assert_string_equal(json_string_value(json_object_get(ch, "op")), "change");
    assert_int_equal(json_array_size(json_object_get(ch, "added")), 1);
    assert_string_equal(str_at(json_object_get(ch, "added"), 0), "\"AAD_PREMIUM_P2\"");
    assert_int_equal(json_array_size(json_object_get(ch, "removed")), 1);
    assert_string_equal(str_at(json_object_get(ch, "removed"), 0), "\"EMS\"");
    json_t *reqs = json_object_get(f.action, "requests");
    assert_int_equal(json_array_size(reqs), 1);
    json_t *r = json_array_get(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(r, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(r, "path")),
                        "groups/" GID "/assignLicense");
    assert_int_equal(json_integer_value(json_object_get(r, "phase")), PHASE_GROUP_UPDATE);
    json_t *body = json_object_get(r, "body");
    json_t *add = json_object_get(body, "addLicenses");
    assert_int_equal(json_array_size(add), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(add, 0), "skuId")), P2);
    assert_true(json_is_array(json_object_get(json_array_get(add, 0), "disabledPlans")));
    assert_int_equal(json_array_size(json_object_get(body, "removeLicenses")), 1);
    assert_string_equal(str_at(json_object_get(body, "removeLicenses"), 0), EMS);
    json_decref(cur);
    teardown(&f);
}

static void test_unchanged_and_unmanaged(void **state)
{
    (void)state;
    struct fixture f;
    /* the same set (GUIDs compared ignoring case): nothing */
    setup(&f, json_pack("[s,s]", "EMS", "SPE_E5"));
    json_t *cur = group_with("06EBC4EE-1BB5-47DD-8120-11324BC54E06", EMS);
    plan_licenses(&f.t, f.action, &f.o, cur, GID, false);
    assert_int_equal(json_array_size(json_object_get(f.action, "changes")), 0);
    assert_int_equal(json_array_size(json_object_get(f.action, "requests")), 0);
    teardown(&f);
    /* no `licenses`: the group's licences are not managed, even when it has some */
    setup(&f, NULL);
    plan_licenses(&f.t, f.action, &f.o, cur, GID, false);
    assert_int_equal(json_array_size(json_object_get(f.action, "requests")), 0);
    json_decref(cur);
    teardown(&f);
}

static void test_new_group_and_unknown_sku(void **state)
{
    (void)state;
    struct fixture f;
    setup(&f, json_pack("[s,s,s]", "EMS", "ems", "NOT_A_SKU")); /* resolve.c reports the last */
    plan_licenses(&f.t, f.action, &f.o, NULL, "$new:group:Staff", true);
    json_t *ch = json_array_get(json_object_get(f.action, "changes"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "op")), "add");
    assert_string_equal(json_string_value(json_object_get(ch, "new")), "\"EMS\"");
    json_t *r = json_array_get(json_object_get(f.action, "requests"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "path")),
                        "groups/$new:group:Staff/assignLicense");
    assert_int_equal(json_array_size(json_object_get(json_object_get(r, "body"), "addLicenses")),
                     1);
    teardown(&f);
    /* a licence of a subscription the tenant no longer has: removed, shown by its id */
    setup(&f, json_pack("[s]", "EMS"));
    json_t *cur = group_with(EMS, "3b555118-da6a-4418-894f-7df1e2096870");
    plan_licenses(&f.t, f.action, &f.o, cur, GID, false);
    ch = json_array_get(json_object_get(f.action, "changes"), 0);
    assert_non_null(strstr(str_at(json_object_get(ch, "removed"), 0), "3b555118"));
    json_decref(cur);
    teardown(&f);
}

/* ---- the file tenant's assignLicense ---- */

static const char SNAPSHOT[] =
    "{\"format\": \"idpc-tenant/1\", \"tenantId\": \"11111111-2222-4333-8444-555555555555\",\n"
    " \"collections\": {\n"
    "  \"organization\": [{\"id\": \"11111111-2222-4333-8444-555555555555\", "
    "\"verifiedDomains\": [{\"name\": \"fabrikam.onmicrosoft.com\", \"isDefault\": true}]}],\n"
    "  \"subscribedSkus\": [{\"skuId\": \"" E5 "\", \"skuPartNumber\": \"SPE_E5\"},"
    " {\"skuId\": \"" EMS "\", \"skuPartNumber\": \"EMS\"}],\n"
    "  \"groups\": [{\"id\": \"" GID "\", \"displayName\": \"Staff\", \"securityEnabled\": true},"
    " {\"id\": \"bbbbbbbb-0000-4000-8000-000000000002\", \"displayName\": \"Team\","
    " \"securityEnabled\": false, \"assignedLicenses\": []}]\n"
    " }\n}\n";

static json_t *assign(const char *add, const char *remove)
{
    json_t *b = json_pack("{s:[],s:[]}", "addLicenses", "removeLicenses");
    if (add)
        json_array_append_new(json_object_get(b, "addLicenses"),
                              json_pack("{s:s,s:[]}", "skuId", add, "disabledPlans"));
    if (remove)
        json_array_append_new(json_object_get(b, "removeLicenses"), json_string(remove));
    return b;
}

static int post(struct backend *b, const char *gid, json_t *body, json_t **res,
                struct backend_error *err)
{
    char *path = xasprintf("groups/%s/assignLicense", gid);
    int rc = backend_write(b, "POST", path, body, res, err);
    free(path);
    json_decref(body);
    return rc;
}

static void test_file_backend(void **state)
{
    (void)state;
    char dir[] = "/tmp/idpc-test-licenses-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/tenant.json", dir);
    assert_int_equal(util_write_file_atomic(path, SNAPSHOT, strlen(SNAPSHOT)), 0);
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    assert_int_equal(backend_open(spec, &b, &err), 0);
    assert_int_equal(backend_lock(b, &err), 0);
    json_t *res = NULL;
    /* added to a group without assignedLicenses; Graph answers with the group */
    assert_int_equal(post(b, GID, assign(E5, NULL), &res, &err), 0);
    json_t *al = json_object_get(res, "assignedLicenses");
    assert_int_equal(json_array_size(al), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(al, 0), "skuId")), E5);
    json_decref(res);
    res = NULL;
    /* a SKU the tenant does not subscribe to; removing what is not assigned */
    assert_int_equal(post(b, GID, assign(P2, NULL), NULL, &err), -1);
    assert_int_equal(err.status, 400);
    assert_int_equal(post(b, GID, assign(NULL, EMS), NULL, &err), -1);
    assert_non_null(strstr(err.message, "not assigned"));
    /* licences need a security group; an unknown group is 404 */
    assert_int_equal(post(b, "bbbbbbbb-0000-4000-8000-000000000002", assign(EMS, NULL), NULL, &err),
                     -1);
    assert_non_null(strstr(err.message, "security"));
    assert_int_equal(post(b, "bbbbbbbb-0000-4000-8000-00000000000f", assign(EMS, NULL), NULL, &err),
                     -1);
    assert_int_equal(err.status, 404);
    /* swap E5 for EMS in one request */
    assert_int_equal(post(b, GID, assign(EMS, E5), &res, &err), 0);
    json_decref(res);
    assert_int_equal(backend_commit(b, &err), 0);
    backend_close(b);
    b = NULL;
    assert_int_equal(backend_open(spec, &b, &err), 0);
    json_t *g = NULL;
    assert_int_equal(backend_read(b, "groups/" GID, &g, &err), 0);
    al = json_object_get(g, "assignedLicenses");
    assert_int_equal(json_array_size(al), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(al, 0), "skuId")), EMS);
    json_decref(g);
    backend_close(b);
    char *lock = xasprintf("%s.lock", path);
    unlink(lock);
    unlink(path);
    rmdir(dir);
    free(lock);
    free(spec);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_remove_keep),
        cmocka_unit_test(test_unchanged_and_unmanaged),
        cmocka_unit_test(test_new_group_and_unknown_sku),
        cmocka_unit_test(test_file_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
