/* test_testrun.c — `idpc test`'s runner: each kind of expectation (block, not block, allow,
 * controls as a set, session controls as a subset) passing and failing with the right message,
 * the policies named as deciding, evaluation errors, the JSON and JUnit reports, and tenant mode
 * (group names and UPNs mapped to the ids a tenant's policies hold). */
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
#include "runtime/analysis/testrun.h"

/* CA1 blocks legacy clients; CA2 requires MFA of group Staff; CA3 requires a compliant device
 * or hybrid join on Windows; CA4 (report-only) blocks everything; CA5 sets a 4-hour sign-in
 * frequency for group Regulated; CA6 blocks Staff from country locations "Embargo". */
static const char *const policies =
    "["
    "{\"displayName\":\"CA1 legacy\",\"state\":\"enabled\",\"conditions\":{\"users\":"
    "{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":[\"All\"]},"
    "\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]},\"grantControls\":{\"operator\":"
    "\"OR\",\"builtInControls\":[\"block\"]}},"
    "{\"displayName\":\"CA2 staff mfa\",\"state\":\"enabled\",\"conditions\":{\"users\":"
    "{\"includeGroups\":[{\"$ref\":\"group\",\"name\":\"Staff\"}]},\"applications\":"
    "{\"includeApplications\":[\"All\"]},\"clientAppTypes\":[\"all\"]},\"grantControls\":"
    "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}},"
    "{\"displayName\":\"CA3 devices\",\"state\":\"enabled\",\"conditions\":{\"users\":"
    "{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":[\"All\"]},"
    "\"platforms\":{\"includePlatforms\":[\"windows\"]},\"clientAppTypes\":[\"all\"]},"
    "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"compliantDevice\","
    "\"domainJoinedDevice\"]}},"
    "{\"displayName\":\"CA4 report only\",\"state\":\"enabledForReportingButNotEnforced\","
    "\"conditions\":{\"users\":{\"includeUsers\":[\"All\"]},\"applications\":"
    "{\"includeApplications\":[\"All\"]},\"clientAppTypes\":[\"all\"]},\"grantControls\":"
    "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}},"
    "{\"displayName\":\"CA5 regulated\",\"state\":\"enabled\",\"conditions\":{\"users\":"
    "{\"includeGroups\":[{\"$ref\":\"group\",\"name\":\"Regulated\"}]},\"applications\":"
    "{\"includeApplications\":[\"All\"]},\"clientAppTypes\":[\"all\"]},\"sessionControls\":"
    "{\"signInFrequency\":{\"isEnabled\":true,\"type\":\"hours\",\"value\":4,"
    "\"frequencyInterval\":\"timeBased\"}}},"
    "{\"displayName\":\"CA6 embargo\",\"state\":\"enabled\",\"conditions\":{\"users\":"
    "{\"includeGroups\":[{\"$ref\":\"group\",\"name\":\"Staff\"}]},\"applications\":"
    "{\"includeApplications\":[\"All\"]},\"clientAppTypes\":[\"all\"],\"locations\":"
    "{\"includeLocations\":[{\"$ref\":\"namedLocation\",\"name\":\"Embargo\"}]}},"
    "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}}"
    "]";

static const char *const locations =
    "[{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"displayName\":\"Embargo\","
    "\"countriesAndRegions\":[\"KP\"],\"includeUnknownCountriesAndRegions\":false}]";

static void inputs(struct whatif_inputs *in)
{
    whatif_inputs_init(in);
    json_t *p = unit_json(policies), *l = unit_json(locations);
    json_array_extend(in->policies, p);
    json_array_extend(in->locations, l);
    json_decref(p);
    json_decref(l);
}

/* One test case: {"name", "at", "signIn", "expect"}. */
static json_t *tcase(const char *name, const char *signin, const char *expect)
{
    return json_pack("{s:s,s:s,s:o,s:o}", "name", name, "at", "t.idp:7:1", "signIn",
                     unit_json(signin), "expect", unit_json(expect));
}

struct run {
    struct whatif_inputs in;
    json_t *tests;
    struct testrun_report rep;
};

static void run1(struct run *r, const char *signin, const char *expect)
{
    inputs(&r->in);
    r->tests = json_array();
    json_array_append_new(r->tests, tcase("case", signin, expect));
    testrun_run(r->tests, &r->in, NULL, &r->rep);
    assert_int_equal(r->rep.n, 1);
}

static void run_free(struct run *r)
{
    testrun_report_free(&r->rep);
    json_decref(r->tests);
    whatif_inputs_fini(&r->in);
}

static bool has_problem(const struct testrun_case *c, const char *needle)
{
    for (size_t i = 0; i < c->nproblems; i++)
        if (strstr(c->problems[i], needle))
            return true;
    return false;
}

#define STAFF_WEB                                                                                  \
    "{\"user\":\"ada@contoso.com\",\"memberOf\":[\"Staff\"],\"app\":\"Office365\","                \
    "\"platform\":\"macOS\",\"client\":\"browser\""

static void block_expectations(void **state)
{
    (void)state;
    struct run r = {0};
    /* legacy client: blocked by CA1 */
    run1(&r, "{\"user\":\"a@b.c\",\"app\":\"Office365\",\"client\":\"other\"}", "{\"block\":true}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    assert_int_equal(r.rep.passed, 1);
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, "{\"user\":\"a@b.c\",\"app\":\"Office365\",\"client\":\"other\"}",
         "{\"block\":false}");
    const struct testrun_case *c = &r.rep.cases[0];
    assert_int_equal(c->status, TESTRUN_FAIL);
    assert_true(has_problem(c, "expected not block, but access is blocked"));
    assert_string_equal(c->expected, "not block");
    assert_string_equal(c->actual, "block");
    assert_non_null(strstr(c->decided, "+ CA1 legacy: block"));
    /* the report-only block is no reason to list it: it decided nothing */
    assert_null(strstr(c->decided, "CA4"));
    run_free(&r);

    /* expect block on a browser: not blocked; CA6 would block but the sign-in is not in the
     * embargoed location, so it is named with its reason */
    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB "}", "{\"block\":true}");
    c = &r.rep.cases[0];
    assert_int_equal(c->status, TESTRUN_FAIL);
    assert_true(has_problem(c, "expected block, but access is not blocked"));
    assert_non_null(strstr(c->decided, "- CA6 embargo: block (did not apply: location"));
    assert_non_null(strstr(c->decided, "~ CA4 report only: block (report-only"));
    assert_int_equal(r.rep.failed, 1);
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB ",\"country\":\"KP\"}", "{\"block\":true}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    run_free(&r);
}

static void allow_expectation(void **state)
{
    (void)state;
    struct run r = {0};
    run1(&r, "{\"user\":\"a@b.c\",\"app\":\"Office365\",\"platform\":\"linux\"}",
         "{\"allow\":true}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB "}", "{\"allow\":true}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_FAIL);
    assert_true(has_problem(&r.rep.cases[0], "expected allow with nothing to satisfy, got grant"));
    assert_string_equal(r.rep.cases[0].actual, "grant with mfa");
    run_free(&r);
}

static void controls_as_a_set(void **state)
{
    (void)state;
    struct run r = {0};
    run1(&r, STAFF_WEB "}", "{\"controls\":[\"mfa\"]}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    run_free(&r);

    /* on Windows CA3 adds "one of compliantDevice, domainJoinedDevice": the set of controls is
     * {mfa, compliantDevice, domainJoinedDevice}, in any order */
    const char *win = "{\"user\":\"ada@contoso.com\",\"memberOf\":[\"Staff\"],\"app\":"
                      "\"Office365\",\"platform\":\"windows\"}";
    memset(&r, 0, sizeof(r));
    run1(&r, win, "{\"controls\":[\"domainJoinedDevice\",\"mfa\",\"compliantDevice\"]}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, win, "{\"controls\":[\"mfa\"]}");
    const struct testrun_case *c = &r.rep.cases[0];
    assert_int_equal(c->status, TESTRUN_FAIL);
    assert_true(has_problem(c, "control compliantDevice is required but not expected"));
    assert_true(has_problem(c, "control domainJoinedDevice is required but not expected"));
    assert_non_null(
        strstr(c->decided, "+ CA3 devices: one of compliantDevice, domainJoinedDevice"));
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB "}", "{\"controls\":[\"mfa\",\"authenticationStrength:Phish\"]}");
    assert_true(has_problem(&r.rep.cases[0],
                            "control authenticationStrength:Phish is expected but not required"));
    run_free(&r);

    /* controls expected, blocked instead */
    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB ",\"country\":\"KP\"}", "{\"controls\":[\"mfa\"]}");
    assert_true(has_problem(&r.rep.cases[0], "expected a grant with controls, but access is "
                                             "blocked"));
    run_free(&r);
}

static void session_as_a_subset(void **state)
{
    (void)state;
    const char *reg = "{\"user\":\"lidia@contoso.com\",\"memberOf\":[\"Regulated\"],\"app\":"
                      "\"Office365\",\"platform\":\"macOS\"}";
    struct run r = {0};
    /* the result also has isEnabled: true; the expectation need not say it */
    run1(&r, reg,
         "{\"sessionControls\":{\"signInFrequency\":{\"frequencyInterval\":\"timeBased\","
         "\"type\":\"hours\",\"value\":4}}}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_PASS);
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, reg,
         "{\"sessionControls\":{\"signInFrequency\":{\"frequencyInterval\":\"timeBased\","
         "\"type\":\"hours\",\"value\":1}}}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_FAIL);
    assert_true(has_problem(&r.rep.cases[0], "expected session sign-in frequency 1 hours, got "
                                             "sign-in frequency 4 hours"));
    run_free(&r);

    memset(&r, 0, sizeof(r));
    run1(&r, STAFF_WEB "}", "{\"sessionControls\":{\"persistentBrowser\":{\"mode\":\"never\"}}}");
    assert_true(has_problem(&r.rep.cases[0], "expected session persistentBrowser never, got none"));
    run_free(&r);
}

static void evaluation_error(void **state)
{
    (void)state;
    struct run r = {0};
    run1(&r, "{\"user\":\"a@b.c\",\"app\":\"Office365\",\"ip\":\"300.1.1.1\"}", "{\"block\":true}");
    assert_int_equal(r.rep.cases[0].status, TESTRUN_ERROR);
    assert_int_equal(r.rep.errors, 1);
    assert_true(has_problem(&r.rep.cases[0], "cannot be evaluated"));
    assert_null(r.rep.cases[0].result);
    run_free(&r);
}

static void reports(void **state)
{
    (void)state;
    struct whatif_inputs in;
    inputs(&in);
    json_t *tests = json_array();
    json_array_append_new(tests, tcase("legacy <&> \"blocked\"",
                                       "{\"user\":\"a@b.c\",\"app\":\"Office365\",\"client\":"
                                       "\"other\"}",
                                       "{\"block\":true}"));
    json_array_append_new(tests, tcase("wrong", STAFF_WEB "}", "{\"allow\":true}"));
    struct testrun_report rep;
    testrun_run(tests, &in, NULL, &rep);
    assert_int_equal(rep.passed, 1);
    assert_int_equal(rep.failed, 1);

    char *xml = testrun_report_junit(&rep, "cfg");
    assert_non_null(strstr(xml, "<testsuites name=\"idpc test\" tests=\"2\" failures=\"1\" "
                                "errors=\"0\">"));
    assert_non_null(strstr(xml, "<testcase name=\"legacy &lt;&amp;&gt; &quot;blocked&quot;\" "
                                "classname=\"t.idp\" file=\"t.idp\" line=\"7\"/>"));
    assert_non_null(strstr(xml, "<failure message=\"expected allow with nothing to satisfy, "
                                "got grant\" type=\"expectation\">t.idp:7:1: test"));
    free(xml);

    json_t *j = testrun_report_to_json(&rep, tests);
    json_t *summary = json_object_get(j, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "tests")), 2);
    assert_int_equal(json_integer_value(json_object_get(summary, "failed")), 1);
    json_t *t1 = json_array_get(json_object_get(j, "tests"), 1);
    assert_string_equal(json_string_value(json_object_get(t1, "status")), "fail");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t1, "result"), "result")),
                        "grant");
    json_decref(j);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    testrun_report_print(&rep, f, false);
    fclose(f);
    assert_non_null(strstr(buf, "ok    legacy <&> \"blocked\"\n"));
    assert_non_null(strstr(buf, "t.idp:7:1: FAIL test \"wrong\"\n  expected: allow"));
    assert_non_null(strstr(buf, "2 tests: 1 passed, 1 failed\n"));
    free(buf);

    const char **groups, **upns;
    testrun_names(tests, &groups, &upns);
    assert_string_equal(groups[0], "Staff");
    assert_null(groups[1]);
    assert_string_equal(upns[0], "a@b.c");
    assert_string_equal(upns[1], "ada@contoso.com");
    assert_null(upns[2]);
    free(groups);
    free(upns);

    testrun_report_free(&rep);
    json_decref(tests);
    whatif_inputs_fini(&in);
}

/* A file tenant whose policy names the group and the user by id: the test names them by display
 * name and UPN, and passes only through the tenant's look-ups. */
static void tenant_mode(void **state)
{
    (void)state;
    char dir[] = "/tmp/idpc-testrun-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof(path), "%s/tenant.json", dir);
    const char *tenant =
        "{\"format\":\"idpc-tenant/1\",\"tenantId\":\"11111111-1111-1111-1111-111111111111\","
        "\"collections\":{"
        "\"groups\":[{\"id\":\"aaaaaaaa-0000-0000-0000-000000000001\",\"displayName\":"
        "\"Staff\"}],"
        "\"users\":[{\"id\":\"bbbbbbbb-0000-0000-0000-000000000002\",\"userPrincipalName\":"
        "\"bg@contoso.com\"}],"
        "\"identity/conditionalAccess/policies\":[{\"id\":\"cccccccc-0000-0000-0000-"
        "000000000003\",\"displayName\":\"Staff MFA\",\"state\":\"enabled\",\"conditions\":{"
        "\"users\":{\"includeGroups\":[\"aaaaaaaa-0000-0000-0000-000000000001\"],\"excludeUsers\":"
        "[\"bbbbbbbb-0000-0000-0000-000000000002\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"clientAppTypes\":[\"all\"]},\"grantControls\":{\"operator\":\"OR\","
        "\"builtInControls\":[\"mfa\"]}}]}}";
    assert_int_equal(util_write_file_atomic(path, tenant, strlen(tenant)), 0);
    char spec[600];
    snprintf(spec, sizeof(spec), "file:%s", path);

    json_t *tests = json_array();
    json_array_append_new(tests, tcase("staff",
                                       "{\"user\":\"ada@contoso.com\",\"memberOf\":"
                                       "[\"Staff\"],\"app\":\"Office365\"}",
                                       "{\"controls\":[\"mfa\"]}"));
    json_array_append_new(tests, tcase("break glass",
                                       "{\"user\":\"bg@contoso.com\",\"memberOf\":"
                                       "[\"Staff\"],\"app\":\"Office365\"}",
                                       "{\"allow\":true}"));
    const char **groups, **upns;
    testrun_names(tests, &groups, &upns);
    struct whatif_tenant t;
    char err[600];
    assert_int_equal(whatif_tenant_load(&t, spec, groups, upns, err, sizeof(err)), 0);
    assert_string_equal(whatif_tenant_user_id(&t, "BG@contoso.com"),
                        "bbbbbbbb-0000-0000-0000-000000000002");
    assert_string_equal(whatif_tenant_name_of(&t, "aaaaaaaa-0000-0000-0000-000000000001"), "Staff");
    struct testrun_report rep;
    testrun_run(tests, NULL, &t, &rep);
    assert_int_equal(rep.cases[0].status, TESTRUN_PASS);
    assert_int_equal(rep.cases[1].status, TESTRUN_PASS);
    testrun_report_free(&rep);
    /* offline (no id mapping) the same policy does not apply: the look-ups are what matter */
    testrun_run(tests, &t.in, NULL, &rep);
    assert_int_equal(rep.cases[0].status, TESTRUN_FAIL);
    testrun_report_free(&rep);

    whatif_tenant_fini(&t);
    free(groups);
    free(upns);
    json_decref(tests);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_expectations), cmocka_unit_test(allow_expectation),
        cmocka_unit_test(controls_as_a_set),  cmocka_unit_test(session_as_a_subset),
        cmocka_unit_test(evaluation_error),   cmocka_unit_test(reports),
        cmocka_unit_test(tenant_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
