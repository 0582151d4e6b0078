/* test_raise.c — raise (canonical Graph JSON → .idp): the exact text of each statement form, the
 * round trip through the compiler, issues and their comments, the name map, the emergency access
 * suggestion and reading JSON files in UTF-8, UTF-8 with BOM and UTF-16 with BOM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler/model.h"
#include "compiler/print.h"
#include "compiler/raise.h"
#include "runtime/normalize.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fail_msg("bad test JSON at %d:%d: %s", e.line, e.column, e.text);
    return v;
}

struct out {
    char *text;
    struct raise_issue *issues; /* copied kinds and fields */
    size_t nissues;
    json_t
        *roundtrip; /* normalize(lowered body with refs resolved), or NULL if it did not compile */
    json_t *canon;
};

static void out_free(struct out *o)
{
    free(o->text);
    for (size_t i = 0; i < o->nissues; i++) {
        free(o->issues[i].field);
        free(o->issues[i].message);
        free(o->issues[i].object);
    }
    free(o->issues);
    json_decref(o->roundtrip);
    json_decref(o->canon);
}

/* Raises one Graph object of kind nk, prints it, compiles it back. */
static struct out run(const char *graph, enum normalize_kind nk, const struct raise_names *names)
{
    struct out o = {0};
    json_t *raw = parse(graph);
    o.canon = normalize(nk, raw);
    json_decref(raw);
    struct ast_config *cfg = ast_config_new();
    struct raise r;
    raise_init(&r, cfg->arena, names);
    struct ast_stmt *s = nk == NK_CA_POLICY        ? raise_policy(&r, o.canon, NULL, NULL, false)
                         : nk == NK_NAMED_LOCATION ? raise_location(&r, o.canon, NULL, NULL, false)
                                                   : raise_strength(&r, o.canon, NULL, NULL, false);
    struct strbuf sb = STRBUF_INIT;
    print_file(raise_file(&r, "t.idp", s), &sb);
    o.text = strbuf_detach(&sb);
    o.nissues = r.nissues;
    o.issues = xcalloc(r.nissues + 1, sizeof(*o.issues));
    for (size_t i = 0; i < r.nissues; i++) {
        o.issues[i].kind = r.issues[i].kind;
        o.issues[i].field = xstrdup(r.issues[i].field);
        o.issues[i].message = xstrdup(r.issues[i].message);
        o.issues[i].object = xstrdup(r.issues[i].object);
    }
    raise_fini(&r);
    ast_config_free(cfg);
    struct strbuf errs = STRBUF_INIT;
    struct model *m = raise_compile_text("t.idp", o.text, false, &errs);
    if (m) {
        assert_true(m->n >= 1);
        json_t *body = json_deep_copy(m->objects[0].body);
        raise_resolve_refs(body, names);
        o.roundtrip = normalize(nk, body);
        json_decref(body);
        model_free(m);
    }
    strbuf_fini(&errs);
    return o;
}

static void assert_same(const json_t *a, const json_t *b)
{
    if (json_equal(a, b))
        return;
    char *x = json_dumps(a, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *y = json_dumps(b, JSON_SORT_KEYS | JSON_ENCODE_ANY);
    print_message("round trip:\n  %s\noriginal:\n  %s\n", x ? x : "NULL", y ? y : "NULL");
    free(x);
    free(y);
    fail();
}

static bool has_issue(const struct out *o, enum raise_issue_kind k, const char *field)
{
    for (size_t i = 0; i < o->nissues; i++)
        if (o->issues[i].kind == k && strcmp(o->issues[i].field, field) == 0)
            return true;
    return false;
}

/* ---- tests ---- */

static struct raise_names *contoso_names(void)
{
    struct raise_names *n = raise_names_new();
    raise_names_add(n, "user", "11111111-1111-1111-1111-111111111111", "bg1@contoso.com");
    raise_names_add(n, "group", "22222222-2222-2222-2222-222222222222", "Sales");
    raise_names_add(n, "namedLocation", "33333333-3333-3333-3333-333333333333", "HQ");
    raise_names_add(n, "authenticationStrengthPolicy", "44444444-4444-4444-4444-444444444444",
                    "Keys only");
    raise_names_add(n, "application", "55555555-5555-5555-5555-555555555555", "Payroll");
    return n;
}

/* A beta-shaped export with annotations, a PascalCase key and casing drift: every v1.0 form. */
static void test_policy_full(void **state)
{
    (void)state;
    struct raise_names *n = contoso_names();
    struct out o = run(
        "{\"@odata.type\": \"#microsoft.graph.conditionalAccessPolicy\", \"id\": \"x\","
        " \"displayName\": \"Everything\", \"state\": \"enabledForReportingButNotEnforced\","
        " \"conditions\": {\"users\": {\"includeUsers\": [\"All\"],"
        "   \"excludeUsers\": [\"11111111-1111-1111-1111-111111111111\"],"
        "   \"excludeGroups\": [\"22222222-2222-2222-2222-222222222222\"],"
        "   \"excludeRoles\": [\"62e90394-69f5-4237-9190-012177145e10\"],"
        "   \"excludeGuestsOrExternalUsers\": {\"guestOrExternalUserTypes\": "
        "     \"b2bCollaborationGuest,internalGuest\", \"externalTenants\": {\"@odata.type\": "
        "     \"#microsoft.graph.conditionalAccessEnumeratedExternalTenants\", \"membershipKind\": "
        "     \"enumerated\", \"members\": [\"66666666-6666-6666-6666-666666666666\"]}}},"
        "  \"applications\": {\"includeApplications\": [\"all\"], \"excludeApplications\": "
        "    [\"00000003-0000-0ff1-ce00-000000000000\", \"55555555-5555-5555-5555-555555555555\"]},"
        "  \"clientAppTypes\": [\"Browser\", \"mobileAppsAndDesktopClients\"],"
        "  \"platforms\": {\"includePlatforms\": [\"All\"], \"excludePlatforms\": [\"iOS\"]},"
        "  \"locations\": {\"includeLocations\": [\"All\"], \"excludeLocations\": "
        "    [\"AllTrusted\", \"33333333-3333-3333-3333-333333333333\"]},"
        "  \"signInRiskLevels\": [\"high\", \"medium\"], \"userRiskLevels\": [],"
        "  \"insiderRiskLevels\": \"moderate, elevated\","
        "  \"devices\": {\"deviceFilter\": {\"mode\": \"exclude\", \"rule\": "
        "    \"device.isCompliant -eq True\"}},"
        "  \"authenticationFlows\": {\"transferMethods\": \"deviceCodeFlow\"}},"
        " \"GrantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"compliantDevice\"],"
        "  \"authenticationStrength@odata.context\": \"x\", \"authenticationStrength\": {\"id\": "
        "  \"44444444-4444-4444-4444-444444444444\", \"displayName\": \"Keys only\"}},"
        " \"sessionControls\": {\"signInFrequency\": {\"isEnabled\": true, \"type\": \"hours\","
        "  \"value\": 4, \"authenticationType\": \"primaryAndSecondaryAuthentication\", "
        "  \"frequencyInterval\": \"timeBased\"}, \"persistentBrowser\": {\"isEnabled\": true, "
        "  \"mode\": \"never\"}, \"cloudAppSecurity\": null, \"disableResilienceDefaults\": true}}",
        NK_CA_POLICY, n);
    assert_string_equal(o.text, "policy \"Everything\" {\n"
                                "  state report_only\n"
                                "  users include all\n"
                                "  users exclude group \"Sales\", role \"Global Administrator\", "
                                "user \"bg1@contoso.com\"\n"
                                "  users exclude guests b2b_collaboration_guest,\n"
                                "      internal_guest tenants "
                                "\"66666666-6666-6666-6666-666666666666\"\n"
                                "  apps include all\n"
                                "  apps exclude app \"Office 365 SharePoint Online\", app "
                                "\"Payroll\"\n"
                                "  client_apps browser, mobile_desktop\n"
                                "  platforms include all\n"
                                "  platforms exclude ios\n"
                                "  locations include all\n"
                                "  locations exclude location \"HQ\", trusted\n"
                                "  sign_in_risk high, medium\n"
                                "  insider_risk elevated, moderate\n"
                                "  device_filter exclude \"device.isCompliant -eq True\"\n"
                                "  auth_flows device_code\n"
                                "  grant any_of compliant_device, strength \"Keys only\"\n"
                                "  session sign_in_frequency 4h\n"
                                "  session persistent_browser never\n"
                                "  session disable_resilience_defaults\n"
                                "}\n");
    assert_int_equal(o.nissues, 0);
    assert_non_null(o.roundtrip);
    assert_same(o.roundtrip, o.canon);
    out_free(&o);
    raise_names_free(n);
}

/* Unknown names stay ids; built-in strengths, user actions, contexts, workloads, all_of. */
static void test_policy_ids_and_forms(void **state)
{
    (void)state;
    struct out o =
        run("{\"displayName\": \"Ids\", \"state\": \"disabled\", \"conditions\": {\"users\": "
            "{\"includeGroups\": [\"AAAAAAAA-0000-0000-0000-000000000001\"]}, \"applications\": "
            "{\"includeUserActions\": [\"urn:user:registersecurityinfo\"]}}, \"grantControls\": "
            "{\"operator\": \"AND\", \"builtInControls\": [\"compliantDevice\"], "
            "\"authenticationStrength\": {\"id\": \"00000000-0000-0000-0000-000000000004\"}, "
            "\"termsOfUse\": [\"77777777-7777-7777-7777-777777777777\"]}}",
            NK_CA_POLICY, NULL);
    assert_string_equal(o.text,
                        "policy \"Ids\" {\n"
                        "  state off\n"
                        "  users include group id \"aaaaaaaa-0000-0000-0000-000000000001\"\n"
                        "  apps include action register_security_info\n"
                        "  grant all_of compliant_device,\n"
                        "      strength \"Phishing-resistant MFA\",\n"
                        "      terms id \"77777777-7777-7777-7777-777777777777\"\n"
                        "}\n");
    assert_non_null(o.roundtrip);
    assert_same(o.roundtrip, o.canon);
    out_free(&o);

    o = run("{\"displayName\": \"Workloads\", \"state\": \"enabled\", \"conditions\": {\"users\": "
            "{\"includeUsers\": "
            "[\"None\"]}, \"applications\": {\"includeApplications\": [\"All\"]}, "
            "\"clientApplications\": {\"includeServicePrincipals\": "
            "[\"ServicePrincipalsInMyTenant\"]}, \"servicePrincipalRiskLevels\": [\"high\"]}, "
            "\"grantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"block\"]}}",
            NK_CA_POLICY, NULL);
    assert_string_equal(o.text, "policy \"Workloads\" {\n"
                                "  state on\n"
                                "  workloads include all\n"
                                "  apps include all\n"
                                "  workload_risk high\n"
                                "  grant block\n"
                                "}\n");
    assert_non_null(o.roundtrip);
    assert_same(o.roundtrip, o.canon);
    out_free(&o);

    o = run("{\"displayName\": \"Ctx\", \"state\": \"enabled\", \"conditions\": {\"users\": "
            "{\"includeUsers\": "
            "[\"All\"]}, \"applications\": {\"includeAuthenticationContextClassReferences\": "
            "[\"c3\"]}}, \"sessionControls\": {\"signInFrequency\": {\"isEnabled\": true, "
            "\"frequencyInterval\": \"everyTime\", \"authenticationType\": "
            "\"secondaryAuthentication\"}, \"applicationEnforcedRestrictions\": {\"isEnabled\": "
            "false}, \"disableResilienceDefaults\": false}}",
            NK_CA_POLICY, NULL);
    assert_string_equal(o.text, "policy \"Ctx\" {\n"
                                "  state on\n"
                                "  users include all\n"
                                "  apps include context \"c3\"\n"
                                "  session sign_in_frequency every_time type secondary\n"
                                "}\n");
    assert_non_null(o.roundtrip);
    assert_same(o.roundtrip, o.canon);
    out_free(&o);
}

/* Beta fields, placeholders, dangling and ambiguous ids: reported and commented, never lost. */
static void test_policy_issues(void **state)
{
    (void)state;
    struct raise_names *n = raise_names_new();
    raise_names_add(n, "group", "22222222-2222-2222-2222-222222222222", "Admins");
    raise_names_add(n, "group", "33333333-3333-3333-3333-333333333333", "Admins");
    raise_names_set_complete(n, "user");
    struct out o =
        run("{\"displayName\": \"Odd\", \"state\": \"enabled\", \"conditions\": {\"users\": "
            "{\"includeUsers\": [\"All\"], "
            "\"excludeUsers\": [\"99999999-9999-9999-9999-999999999999\"], \"excludeGroups\": "
            "[\"22222222-2222-2222-2222-222222222222\", \"<BreakGlass>\"]}, \"applications\": "
            "{\"includeApplications\": [\"All\"]}, \"times\": {\"allDay\": true}}, "
            "\"grantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"mfa\"]}}",
            NK_CA_POLICY, n);
    assert_true(has_issue(&o, RAISE_ISSUE_UNSUPPORTED, "conditions.times"));
    assert_true(has_issue(&o, RAISE_ISSUE_DANGLING, "conditions.users.excludeUsers"));
    assert_true(has_issue(&o, RAISE_ISSUE_AMBIGUOUS, "conditions.users.excludeGroups"));
    assert_true(has_issue(&o, RAISE_ISSUE_PLACEHOLDER, "conditions.users.excludeGroups"));
    assert_non_null(strstr(o.text, "# idpc: cannot express 'conditions.times'"));
    assert_non_null(strstr(o.text, "{\"allDay\":true}"));
    assert_non_null(strstr(o.text, "group \"<BreakGlass>\""));
    assert_non_null(strstr(o.text, "group id \"22222222-2222-2222-2222-222222222222\""));
    assert_non_null(strstr(o.text, "user id \"99999999-9999-9999-9999-999999999999\""));
    bool dangling_said = false;
    for (size_t i = 0; i < o.nissues; i++)
        if (o.issues[i].kind == RAISE_ISSUE_DANGLING)
            dangling_said = strstr(o.issues[i].message, "does not exist in the tenant") != NULL;
    assert_true(dangling_said);
    assert_non_null(strstr(o.text, "# idpc: user id \"99999999-9999-9999-9999-999999999999\""));
    /* everything but the beta field comes back */
    assert_non_null(o.roundtrip);
    assert_false(json_equal(o.roundtrip, o.canon));
    json_t *c = json_deep_copy(o.canon);
    json_object_del(json_object_get(c, "conditions"), "times");
    assert_same(o.roundtrip, c);
    json_decref(c);
    out_free(&o);
    raise_names_free(n);
}

static void test_location_and_strength(void **state)
{
    (void)state;
    struct out o = run("{\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"displayName\": "
                       "\"Offices\", \"isTrusted\": true, \"ipRanges\": [{\"@odata.type\": "
                       "\"#microsoft.graph.iPv4CidrRange\", \"cidrAddress\": \"203.0.113.0/24\"}, "
                       "{\"cidrAddress\": \"2001:DB8::/32\"}]}",
                       NK_NAMED_LOCATION, NULL);
    assert_string_equal(o.text, "location \"Offices\" {\n"
                                "  ip \"2001:db8::/32\", \"203.0.113.0/24\"\n"
                                "  trusted\n"
                                "}\n");
    assert_same(o.roundtrip, o.canon);
    out_free(&o);

    o = run("{\"@odata.type\": \"#microsoft.graph.countryNamedLocation\", \"displayName\": "
            "\"Blocked\", \"countriesAndRegions\": [\"kp\", \"IR\"], "
            "\"includeUnknownCountriesAndRegions\": true, \"countryLookupMethod\": "
            "\"authenticatorAppGps\"}",
            NK_NAMED_LOCATION, NULL);
    assert_string_equal(o.text, "location \"Blocked\" {\n"
                                "  countries \"IR\", \"KP\"\n"
                                "  unknown_countries\n"
                                "  lookup gps\n"
                                "}\n");
    assert_same(o.roundtrip, o.canon);
    out_free(&o);

    /* a host-bits range cannot be written; the location is then empty and does not compile */
    o = run("{\"@odata.type\": \"#microsoft.graph.ipNamedLocation\", \"displayName\": \"Bad\", "
            "\"ipRanges\": [{\"cidrAddress\": \"10.0.0.4/27\"}]}",
            NK_NAMED_LOCATION, NULL);
    assert_true(has_issue(&o, RAISE_ISSUE_UNSUPPORTED, "ipRanges"));
    assert_non_null(strstr(o.text, "the network is 10.0.0.0/27"));
    assert_null(o.roundtrip);
    out_free(&o);

    o = run("{\"displayName\": \"Keys\", \"description\": \"FIDO2 or CBA\", \"policyType\": "
            "\"custom\", \"allowedCombinations\": [\"fido2\", \"sms, password\"]}",
            NK_AUTH_STRENGTH, NULL);
    assert_string_equal(o.text, "strength \"Keys\" {\n"
                                "  description \"FIDO2 or CBA\"\n"
                                "  allow fido2, password + sms\n"
                                "}\n");
    assert_same(o.roundtrip, o.canon);
    out_free(&o);
}

static void test_names(void **state)
{
    (void)state;
    struct raise_names *n = raise_names_new();
    json_t *doc = parse("{\"value\": [{\"id\": \"A1\", \"userPrincipalName\": \"a@x.com\"},"
                        "{\"id\": \"G1\", \"displayName\": \"Sales\", \"securityEnabled\": true},"
                        "{\"id\": \"G2\", \"displayName\": \"Sales\", \"groupTypes\": []},"
                        "{\"id\": \"L1\", \"displayName\": \"HQ\", \"ipRanges\": []},"
                        "{\"id\": \"S1\", \"appId\": \"AP1\", \"displayName\": \"Payroll\","
                        " \"servicePrincipalType\": \"Application\"},"
                        "{\"id\": \"P1\", \"displayName\": \"Pol\", \"conditions\": {}}]}");
    raise_names_from_json(n, doc);
    json_decref(doc);
    const char *name;
    assert_int_equal(raise_names_name(n, "user", "a1", &name), RAISE_NAME_FOUND);
    assert_string_equal(name, "a@x.com");
    assert_int_equal(raise_names_name(n, "group", "G1", &name), RAISE_NAME_AMBIGUOUS);
    assert_null(name);
    assert_int_equal(raise_names_name(n, "group", "G3", &name), RAISE_NAME_UNKNOWN);
    assert_int_equal(raise_names_name(n, "namedLocation", "L1", &name), RAISE_NAME_FOUND);
    assert_int_equal(raise_names_name(n, "application", "AP1", &name), RAISE_NAME_FOUND);
    assert_string_equal(name, "Payroll");
    assert_int_equal(raise_names_name(n, "servicePrincipal", "S1", &name), RAISE_NAME_FOUND);
    assert_int_equal(raise_names_name(n, "namedLocation", "P1", &name), RAISE_NAME_UNKNOWN);
    assert_string_equal(raise_names_id(n, "user", "A@X.COM"), "A1");
    assert_null(raise_names_id(n, "group", "Sales"));
    assert_false(raise_names_complete(n, "user"));
    raise_names_set_complete(n, "user");
    assert_true(raise_names_complete(n, "user"));
    raise_names_free(n);
}

static void test_emergency(void **state)
{
    (void)state;
    json_t *p[3];
    for (int i = 0; i < 3; i++)
        p[i] = parse(i < 2 ? "{\"conditions\": {\"users\": {\"excludeUsers\": "
                             "[\"11111111-1111-1111-1111-111111111111\"]}}}"
                           : "{\"conditions\": {\"users\": {}}}");
    struct raise_names *n = raise_names_new();
    raise_names_add(n, "user", "11111111-1111-1111-1111-111111111111", "bg@x.com");
    struct ast_config *cfg = ast_config_new();
    struct raise r;
    raise_init(&r, cfg->arena, n);
    struct ast_stmt *s = raise_emergency_suggestion(&r, (const json_t *const *)p, 3);
    assert_non_null(s);
    struct strbuf sb = STRBUF_INIT;
    print_file(raise_file(&r, "t.idp", s), &sb);
    assert_non_null(strstr(strbuf_str(&sb), "# idpc: suggestion: these identities are excluded "
                                            "from 2 of the 3 policies"));
    assert_non_null(strstr(strbuf_str(&sb), "\nemergency_access user \"bg@x.com\"\n"));
    strbuf_fini(&sb);
    /* excluded from one policy of three: no suggestion */
    assert_null(raise_emergency_suggestion(&r, (const json_t *const *)p + 1, 2));
    json_t *q[3] = {p[2], p[2], p[0]};
    assert_null(raise_emergency_suggestion(&r, (const json_t *const *)q, 3));
    raise_fini(&r);
    ast_config_free(cfg);
    raise_names_free(n);
    for (int i = 0; i < 3; i++)
        json_decref(p[i]);
}

static char *temp_file(const void *data, size_t n)
{
    char *path = xstrdup("/tmp/idpc-test-raise-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    return path;
}

static void test_load_json(void **state)
{
    (void)state;
    char err[512];
    /* UTF-16LE with BOM, with a non-ASCII character (é = U+00E9) */
    const char *ascii = "{\"displayName\": \"Caf\xC3\xA9\"}";
    unsigned char u16[128];
    size_t k = 0;
    u16[k++] = 0xFF;
    u16[k++] = 0xFE;
    for (const char *c = ascii; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch == 0xC3) {
            u16[k++] = 0xE9;
            u16[k++] = 0;
            c++;
            continue;
        }
        u16[k++] = ch;
        u16[k++] = 0;
    }
    char *p = temp_file(u16, k);
    json_t *v = raise_load_json(p, err, sizeof(err));
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "displayName")), "Caf\xC3\xA9");
    json_decref(v);
    unlink(p);
    free(p);

    p = temp_file("\xEF\xBB\xBF[1]", 6);
    v = raise_load_json(p, err, sizeof(err));
    assert_non_null(v);
    assert_int_equal(json_array_size(v), 1);
    json_decref(v);
    unlink(p);
    free(p);

    p = temp_file("{\n  \"a\": [1,]\n}", 15);
    assert_null(raise_load_json(p, err, sizeof(err)));
    char *want = xasprintf("%s:2:", p);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "invalid JSON"));
    free(want);
    unlink(p);
    free(p);

    /* odd UTF-16: a lone surrogate is an error, not a crash */
    const unsigned char bad[] = {0xFF, 0xFE, '[', 0, 0x00, 0xD8, ']', 0};
    p = temp_file(bad, sizeof(bad));
    assert_null(raise_load_json(p, err, sizeof(err)));
    assert_non_null(strstr(err, p));
    unlink(p);
    free(p);

    assert_null(raise_load_json("/nonexistent/x.json", err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/x.json: cannot read"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_full),   cmocka_unit_test(test_policy_ids_and_forms),
        cmocka_unit_test(test_policy_issues), cmocka_unit_test(test_location_and_strength),
        cmocka_unit_test(test_names),         cmocka_unit_test(test_emergency),
        cmocka_unit_test(test_load_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
