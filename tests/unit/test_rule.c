/* test_rule.c — the Entra rule language: parsing, printing, checking and evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/rule.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static struct rule_expr *parse_ok(enum rule_target t, const char *text)
{
    struct rule_error err;
    struct rule_expr *e = rule_parse(text, strlen(text), t, &err);
    if (!e)
        fail_msg("'%s' (%s) failed at %zu..%zu: %s", text, rule_target_name(t), err.start, err.end,
                 err.message);
    return e;
}

/* Parses, prints, and checks that the printed form parses back to the same text. */
static void roundtrip(enum rule_target t, const char *text, const char *want)
{
    struct rule_expr *e = parse_ok(t, text);
    char *got = rule_to_string(e);
    assert_string_equal(got, want);
    struct rule_expr *again = parse_ok(t, got);
    char *got2 = rule_to_string(again);
    assert_string_equal(got2, want);
    free(got);
    free(got2);
    rule_free(e);
    rule_free(again);
}

static void expect_error(enum rule_target t, const char *text, size_t start, size_t end,
                         const char *message)
{
    struct rule_error err;
    struct rule_expr *e = rule_parse(text, strlen(text), t, &err);
    if (e) {
        char *s = rule_to_string(e);
        rule_free(e);
        fail_msg("'%s' parsed as '%s', expected an error", text, s);
    }
    assert_string_equal(err.message, message);
    if (err.start != start || err.end != end)
        fail_msg("'%s': error at %zu..%zu, expected %zu..%zu (%s)", text, err.start, err.end, start,
                 end, err.message);
}

static bool eval_json(enum rule_target t, const char *text, const char *json)
{
    json_error_t jerr;
    json_t *props = json_loads(json, 0, &jerr);
    if (!props)
        fail_msg("bad test JSON %s: %s", json, jerr.text);
    struct rule_expr *e = parse_ok(t, text);
    bool r = false;
    if (rule_eval(e, props, &r) != 0)
        fail_msg("rule_eval('%s', %s) failed", text, json);
    rule_free(e);
    json_decref(props);
    return r;
}

#define U  RULE_MEMBERSHIP_USER
#define D  RULE_MEMBERSHIP_DEVICE
#define DF RULE_DEVICE_FILTER
#define AF RULE_APP_FILTER

/* ---- valid rules ---------------------------------------------------------------------------- */

static void test_user_simple(void **state)
{
    (void)state;
    roundtrip(U, "user.department -eq \"Sales\"", "user.department -eq \"Sales\"");
    roundtrip(U, "  (user.department -eq \"Sales\")  ", "user.department -eq \"Sales\"");
}

static void test_case_insensitive_names(void **state)
{
    (void)state;
    roundtrip(U, "USER.Department -EQ \"Sales\" -AND user.MAILNICKNAME -EndsWith \"-vendor\"",
              "user.department -eq \"Sales\" -and user.mailNickName -endsWith \"-vendor\"");
    roundtrip(DF, "device.deviceid -eq \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"",
              "device.deviceId -eq \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"");
}

static void test_operators_without_hyphen(void **state)
{
    (void)state;
    roundtrip(DF, "device.operatingSystem eq \"Doors\" or not (device.model contains \"x\")",
              "device.operatingSystem -eq \"Doors\" -or -not (device.model -contains \"x\")");
}

static void test_every_comparison_operator(void **state)
{
    (void)state;
    static const char *const ops[] = {"-eq",       "-ne",          "-startsWith", "-notStartsWith",
                                      "-endsWith", "-notEndsWith", "-contains",   "-notContains",
                                      "-match",    "-notMatch"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char in[128], want[128];
        snprintf(in, sizeof in, "user.city %s \"x\"", ops[i]);
        snprintf(want, sizeof want, "user.city %s \"x\"", ops[i]);
        roundtrip(U, in, want);
    }
    roundtrip(U, "user.city -in [\"a\",\"b\"]", "user.city -in [\"a\", \"b\"]");
    roundtrip(U, "user.city -notIn ['a']", "user.city -notIn [\"a\"]");
}

static void test_any_all_forms(void **state)
{
    (void)state;
    roundtrip(U,
              "user.assignedPlans -any (assignedPlan.servicePlanId -eq "
              "\"efb87545-963c-4e0d-99df-69c6916d9eb0\" -and assignedPlan.capabilityStatus -eq "
              "\"Enabled\")",
              "user.assignedPlans -any (assignedPlan.servicePlanId -eq "
              "\"efb87545-963c-4e0d-99df-69c6916d9eb0\" -and assignedPlan.capabilityStatus -eq "
              "\"Enabled\")");
    roundtrip(U, "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)",
              "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)");
    roundtrip(U, "(user.proxyAddresses -any (_ -contains \"contoso\"))",
              "user.proxyAddresses -any (_ -contains \"contoso\")");
    roundtrip(D, "device.devicePhysicalIDs -any _ -startsWith \"[ZTDId]\"",
              "device.devicePhysicalIds -any (_ -startsWith \"[ZTDId]\")");
}

static void test_member_of(void **state)
{
    (void)state;
    roundtrip(U, "user.memberof -any (group.objectId -in ['11111111-2222-3333-4444-555555555555'])",
              "user.memberOf -any (group.objectId -in [\"11111111-2222-3333-4444-555555555555\"])");
    roundtrip(D, "device.memberOf -any (group.objectId -in [\"a\", \"b\"])",
              "device.memberOf -any (group.objectId -in [\"a\", \"b\"])");
}

static void test_null_forms(void **state)
{
    (void)state;
    roundtrip(D, "device.objectId -ne null", "device.objectId -ne null");
    roundtrip(U, "(user.objectId -ne null) -and (user.userType -eq \"Member\")",
              "user.objectId -ne null -and user.userType -eq \"Member\"");
    roundtrip(U, "user.department -eq \"null\"", "user.department -eq \"null\"");
}

static void test_booleans(void **state)
{
    (void)state;
    roundtrip(U, "user.accountEnabled -eq true", "user.accountEnabled -eq true");
    roundtrip(D, "device.isRooted -ne FALSE", "device.isRooted -ne false");
    roundtrip(DF, "device.isCompliant -eq True -or device.trustType -eq \"ServerAD\"",
              "device.isCompliant -eq true -or device.trustType -eq \"ServerAD\"");
    roundtrip(DF, "(device.isCompliant -eq \"True\")", "device.isCompliant -eq \"True\"");
}

static void test_precedence_and_parentheses(void **state)
{
    (void)state;
    roundtrip(U, "user.city -eq \"a\" -or user.city -eq \"b\" -and user.state -eq \"c\"",
              "user.city -eq \"a\" -or user.city -eq \"b\" -and user.state -eq \"c\"");
    roundtrip(U, "(user.city -eq \"a\" -or user.city -eq \"b\") -and user.state -eq \"c\"",
              "(user.city -eq \"a\" -or user.city -eq \"b\") -and user.state -eq \"c\"");
    roundtrip(U, "user.city -eq \"a\" -and (user.city -eq \"b\" -and user.state -eq \"c\")",
              "user.city -eq \"a\" -and (user.city -eq \"b\" -and user.state -eq \"c\")");
    roundtrip(U, "((((user.city -eq \"a\"))))", "user.city -eq \"a\"");
}

static void test_not(void **state)
{
    (void)state;
    roundtrip(U, "(user.department -eq \"Sales\") -and -not (user.jobTitle -startsWith \"SDE\")",
              "user.department -eq \"Sales\" -and -not (user.jobTitle -startsWith \"SDE\")");
    roundtrip(U, "-not -not user.city -eq \"a\"", "-not (-not (user.city -eq \"a\"))");
    roundtrip(U, "-not (user.city -eq \"a\" -or user.city -eq \"b\")",
              "-not (user.city -eq \"a\" -or user.city -eq \"b\")");
}

static void test_extension_properties(void **state)
{
    (void)state;
    roundtrip(U, "(user.extensionAttribute15 -eq \"Marketing\")",
              "user.extensionAttribute15 -eq \"Marketing\"");
    roundtrip(U, "user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq \"123\"",
              "user.extension_c272a57b722d4eb29bfe327874ae79cb_OfficeNumber -eq \"123\"");
    roundtrip(DF, "device.extensionAttribute1 -ne \"SAW\"",
              "device.extensionAttribute1 -ne \"SAW\"");
}

static void test_app_filter(void **state)
{
    (void)state;
    roundtrip(AF, "CustomSecurityAttribute.Set_Attr -eq \"value\"",
              "CustomSecurityAttribute.Set_Attr -eq \"value\"");
    roundtrip(AF,
              "customSecurityAttribute.TestSet2_TestAttribute2 -contains \"Value4\" -or "
              "CustomSecurityAttribute.TestSet2_TestAttribute3 -contains \"Value1\"",
              "CustomSecurityAttribute.TestSet2_TestAttribute2 -contains \"Value4\" -or "
              "CustomSecurityAttribute.TestSet2_TestAttribute3 -contains \"Value1\"");
    roundtrip(AF, "CustomSecurityAttribute.AgentGov.AgentZone -in [\"2\", \"3\"]",
              "CustomSecurityAttribute.AgentGov.AgentZone -in [\"2\", \"3\"]");
}

static void test_device_filter_corpus(void **state)
{
    (void)state;
    /* Rules from real policies in the shared corpus. */
    static const char *const rules[] = {
        "device.isCompliant -eq True -and device.deviceOwnership -eq \"Company\"",
        ("device.enrollmentProfileName -eq \"Shared Device Profile\" -or "
         "device.enrollmentProfileName -eq \"Shared\""), /* one rule, in two pieces */
        "device.displayName -startsWith \"CPAWT1\" -or device.displayName -startsWith \"VPAW001\"",
        "device.extensionAttribute1 -eq \"CONTOSO-IT\"",
        "device.operatingSystemVersion -in [\"10.0.18363\", \"10.0.19041\"]",
        "device.physicalIds -contains \"[ZTDId]:value\"",
        "device.systemLabels -notContains \"M365Managed\"",
        "device.mdmAppId -in [\"00001111-aaaa-2222-bbbb-3333cccc4444\"]",
        "device.profileType -eq \"Printer\"",
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct rule_expr *e = parse_ok(DF, rules[i]);
        rule_free(e);
    }
}

static void test_direct_reports(void **state)
{
    (void)state;
    roundtrip(U, "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"",
              "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"");
    roundtrip(U, "direct   reports FOR 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb'",
              "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"");
}

static void test_string_escapes_and_numbers(void **state)
{
    (void)state;
    roundtrip(U, "user.department -eq \"a`\"b\"", "user.department -eq \"a`\"b\"");
    roundtrip(U, "user.department -eq 'it''s'", "user.department -eq \"it's\"");
    roundtrip(U, "user.employeeId -eq 123", "user.employeeId -eq 123");
    roundtrip(U, "user.city -match \"^Da.*\\\\d\"", "user.city -match \"^Da.*\\\\d\"");
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_err_unknown_property_suggests(void **state)
{
    (void)state;
    expect_error(U, "user.departmnt -eq \"x\"", 5, 14,
                 "unknown user property 'departmnt'; did you mean 'department'?");
    expect_error(DF, "device.trustTyp -eq \"x\"", 7, 15,
                 "unknown device filter property 'trustTyp'; did you mean 'trustType'?");
    expect_error(D, "device.isCompliant -eq true", 7, 18, "unknown device property 'isCompliant'");
    expect_error(U, "user.city -eq \"a\" -and user.zzqqxxyy -eq \"b\"", 28, 36,
                 "unknown user property 'zzqqxxyy'");
}

static void test_err_wrong_object(void **state)
{
    (void)state;
    expect_error(U, "device.trustType -eq \"x\"", 0, 6,
                 "'device' properties cannot be used in a user membership rule");
    expect_error(DF, "usr.department -eq \"x\"", 0, 3,
                 "unknown object 'usr'; a device filter uses 'device.'");
    expect_error(U, "assignedPlan.service -eq \"x\"", 0, 12,
                 "'assignedPlan' is only valid inside -any or -all on user.assignedPlans");
}

static void test_err_operator_for_type(void **state)
{
    (void)state;
    expect_error(U, "user.accountEnabled -contains \"x\"", 20, 29,
                 "operator '-contains' is not valid for boolean property 'user.accountEnabled'; "
                 "use -eq, -ne");
    expect_error(DF, "device.displayName -match \"x\"", 19, 25,
                 "operator '-match' is not valid for string property 'device.displayName' in a "
                 "device filter; use -eq, -ne, -startsWith, -notStartsWith, -endsWith, "
                 "-notEndsWith, -contains, -notContains, -in, -notIn");
    expect_error(DF, "device.trustType -startsWith \"Server\"", 17, 28,
                 "operator '-startsWith' is not valid for string property 'device.trustType' in "
                 "a device filter; use -eq, -ne");
    expect_error(DF, "device.physicalIds -eq \"x\"", 19, 22,
                 "operator '-eq' is not valid for multi-valued property 'device.physicalIds' in "
                 "a device filter; use -contains, -notContains");
    expect_error(U, "user.department -any (_ -eq \"x\")", 16, 20,
                 "operator '-any' is not valid for string property 'user.department'; use -eq, "
                 "-ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, "
                 "-notContains, -match, -notMatch, -in, -notIn");
    expect_error(U, "user.memberOf -all (group.objectId -in [\"a\"])", 14, 18,
                 "operator '-all' is not valid for group membership property 'user.memberOf'; "
                 "use -any");
}

static void test_err_unterminated_string(void **state)
{
    (void)state;
    expect_error(U, "user.city -eq \"abc", 14, 15, "unterminated string");
    expect_error(U, "user.city -in ['a', 'b]", 20, 21, "unterminated string");
    expect_error(U, "user.city -eq \"ab`\"", 14, 15, "unterminated string");
}

static void test_err_unexpected_token(void **state)
{
    (void)state;
    expect_error(U, "user.city -eq \"a\" )", 18, 19,
                 "unexpected ')', expecting end of rule, '-and' or '-or'");
    expect_error(U, "user.city -eq", 13, 13,
                 "unexpected end of rule, expecting string, number, 'true', 'false', 'null' or "
                 "'['");
    expect_error(U, "user.city \"a\"", 10, 13,
                 "unexpected '\"a\"', expecting operator or '-any' or '-all'");
    expect_error(U, "(user.city -eq \"a\"", 18, 18,
                 "unexpected end of rule, expecting '-and', '-or' or ')'");
    expect_error(U, "user.city -eq Sales", 14, 19,
                 "unexpected 'Sales', expecting string, number, 'true', 'false', 'null' or '['");
}

static void test_err_unknown_operator(void **state)
{
    (void)state;
    expect_error(U, "user.city -startwith \"a\"", 10, 20,
                 "unknown operator '-startwith'; did you mean '-startsWith'?");
    expect_error(U, "user.city -like \"a\"", 10, 15, "unknown operator '-like'");
}

static void test_err_typographic(void **state)
{
    (void)state;
    /* "–" is three bytes. */
    expect_error(U, "user.mail \xE2\x80\x93ne null", 10, 15,
                 "typographic dash in '\xE2\x80\x93ne'; write '-ne' with an ASCII hyphen");
    expect_error(U,
                 "user.mail -eq \xE2\x80\x9C"
                 "a",
                 14, 17, "typographic quote; write strings in ASCII \"double\" quotes");
    expect_error(U, "user.city -eq \"a\" & x", 18, 19, "unexpected character '&'");
}

static void test_err_regex(void **state)
{
    (void)state;
    expect_error(U, "user.city -match \"(\"", 17, 20,
                 "invalid regular expression: Unmatched ( or \\(");
}

static void test_err_list_values(void **state)
{
    (void)state;
    expect_error(U, "user.city -in \"a\"", 14, 17,
                 "'-in' needs a list of values, such as [\"a\", \"b\"]");
    expect_error(U, "user.city -eq [\"a\"]", 14, 19,
                 "a list of values needs -in or -notIn, not '-eq'");
}

static void test_err_null_and_bool_values(void **state)
{
    (void)state;
    expect_error(U, "user.city -contains null", 20, 24,
                 "null can only be compared with -eq or -ne");
    expect_error(U, "user.accountEnabled -eq \"yes\"", 24, 29,
                 "'user.accountEnabled' is a boolean; compare it with true or false");
    expect_error(U, "user.city -eq true", 14, 18,
                 "'user.city' holds strings; write the value in double quotes");
}

static void test_err_list_items(void **state)
{
    (void)state;
    expect_error(U, "user.city -in []", 14, 16, "empty list");
    expect_error(U, "user.city -in [\"a\", null]", 20, 24,
                 "null cannot be a list item; compare with -eq null instead");
}

static void test_err_item_scope(void **state)
{
    (void)state;
    expect_error(U, "_ -eq \"a\"", 0, 1,
                 "'_' stands for an item of a multi-valued string property and is only valid "
                 "inside its -any or -all");
    expect_error(U, "user.proxyAddresses -any (user.city -eq \"a\")", 26, 35,
                 "inside -any on 'user.proxyAddresses' compare the item itself, written '_'");
}

static void test_err_quantifier_items(void **state)
{
    (void)state;
    expect_error(U, "user.assignedPlans -any (assignedPlan.servicePlan -eq \"a\")", 38, 49,
                 "unknown assignedPlan property 'servicePlan'; did you mean 'servicePlanId'?");
    expect_error(U, "user.assignedPlans -any (_ -eq \"a\")", 25, 26,
                 "'_' stands for an item of a multi-valued string property and is only valid "
                 "inside its -any or -all");
    expect_error(U, "user.memberOf -any (assignedPlan.service -eq \"a\")", 20, 32,
                 "inside -any on 'user.memberOf' the item is 'group', not 'assignedPlan'");
    expect_error(U, "user.proxyAddresses -any (user.otherMails -any (_ -eq \"a\"))", 42, 46,
                 "'-any' cannot be nested inside another -any or -all");
}

static void test_err_special_forms(void **state)
{
    (void)state;
    expect_error(D, "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"", 0, 19,
                 "'Direct Reports for' is only valid in a user membership rule");
    expect_error(U, "Direct Reports for \"bob\"", 19, 24,
                 "'Direct Reports for' needs the manager's object id in quotes");
}

static void test_err_custom_attributes(void **state)
{
    (void)state;
    expect_error(U, "user.extension_123_Office -eq \"a\"", 5, 25,
                 "custom extension property 'extension_123_Office' must be written "
                 "'extension_<application id without dashes>_<name>'");
    expect_error(AF, "CustomSecurityAttribute.Attr -eq \"a\"", 24, 28,
                 "custom security attribute 'Attr' must be written "
                 "'CustomSecurityAttribute.<set>_<attribute>'");
    expect_error(AF, "CustomSecurityAttribute.S_A -match \"a\"", 28, 34,
                 "operator '-match' is not valid for custom security attribute "
                 "'CustomSecurityAttribute.S_A' in an application filter; use -eq, -ne, "
                 "-startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, "
                 "-in, -notIn");
}

static void test_err_length_and_bytes(void **state)
{
    (void)state;
    expect_error(U, "", 0, 0, "empty rule");
    expect_error(U, "   ", 0, 3, "empty rule");
    struct rule_error err;
    static const char nul[] = "user.city -eq \"a\0\"";
    assert_null(rule_parse(nul, sizeof nul - 1, U, &err));
    assert_int_equal(err.start, 16);
    assert_int_equal(err.end, 17);
    assert_string_equal(err.message, "unexpected byte 0x00");

    size_t n = RULE_MAX_LEN + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    memcpy(big, "user.city -eq \"a\"", 17);
    big[n] = '\0';
    assert_null(rule_parse(big, n, U, &err));
    assert_int_equal(err.start, RULE_MAX_LEN);
    assert_int_equal(err.end, n);
    assert_string_equal(err.message, "rule is longer than 3072 characters");
    /* At the limit it parses. */
    struct rule_expr *e = rule_parse(big, RULE_MAX_LEN, U, &err);
    assert_non_null(e);
    rule_free(e);
    free(big);
}

/* ---- evaluation ----------------------------------------------------------------------------- */

static void test_eval_logic_truth_table(void **state)
{
    (void)state;
    static const char *const props[4] = {
        "{\"accountEnabled\": false, \"dirSyncEnabled\": false}",
        "{\"accountEnabled\": false, \"dirSyncEnabled\": true}",
        "{\"accountEnabled\": true, \"dirSyncEnabled\": false}",
        "{\"accountEnabled\": true, \"dirSyncEnabled\": true}",
    };
    for (int i = 0; i < 4; i++) {
        bool a = i & 2, b = i & 1;
        assert_int_equal(eval_json(U,
                                   "user.accountEnabled -eq true -and user.dirSyncEnabled -eq "
                                   "true",
                                   props[i]),
                         a && b);
        assert_int_equal(eval_json(U,
                                   "user.accountEnabled -eq true -or user.dirSyncEnabled -eq "
                                   "true",
                                   props[i]),
                         a || b);
        assert_int_equal(eval_json(U, "-not (user.accountEnabled -eq true)", props[i]), !a);
        assert_int_equal(eval_json(U,
                                   "user.accountEnabled -ne true -or -not "
                                   "(user.dirSyncEnabled -eq true) -and user.accountEnabled "
                                   "-eq true",
                                   props[i]),
                         !a || (!b && a));
    }
}

static void test_eval_string_operators(void **state)
{
    (void)state;
    const char *p = "{\"department\": \"Sales EMEA\", \"jobTitle\": \"SDE II\"}";
    assert_true(eval_json(U, "user.department -eq \"sales emea\"", p));
    assert_false(eval_json(U, "user.department -ne \"SALES EMEA\"", p));
    assert_true(eval_json(U, "user.department -startsWith \"sales\"", p));
    assert_false(eval_json(U, "user.department -notStartsWith \"sales\"", p));
    assert_true(eval_json(U, "user.department -endsWith \"emea\"", p));
    assert_true(eval_json(U, "user.department -notEndsWith \"apac\"", p));
    assert_true(eval_json(U, "user.department -contains \"s e\"", p));
    assert_false(eval_json(U, "user.department -notContains \"LES\"", p));
    assert_true(eval_json(U, "user.department -match \"^sa.*a$\"", p));
    assert_false(eval_json(U, "user.department -match \"^emea\"", p));
    assert_true(eval_json(U, "user.department -notMatch \"^emea\"", p));
    assert_true(eval_json(U, "user.department -in [\"x\", \"SALES emea\"]", p));
    assert_false(eval_json(U, "user.department -notIn [\"x\", \"SALES emea\"]", p));
    assert_true(eval_json(U,
                          "(user.department -eq \"Sales EMEA\") -and -not (user.jobTitle "
                          "-startsWith \"SDE\") -or user.jobTitle -endsWith \"II\"",
                          p));
}

static void test_eval_match_documented_examples(void **state)
{
    (void)state;
    /* groups-dynamic-membership.md: "^Da.*" matches Da, Dav, David but not aDa; ".*vid" matches
     * David but not Da. */
    assert_true(eval_json(U, "user.displayName -match \"^Da.*\"", "{\"displayName\": \"Da\"}"));
    assert_true(eval_json(U, "user.displayName -match \"^Da.*\"", "{\"displayName\": \"david\"}"));
    assert_false(eval_json(U, "user.displayName -match \"^Da.*\"", "{\"displayName\": \"aDa\"}"));
    assert_true(eval_json(U, "user.displayName -match \".*vid\"", "{\"displayName\": \"David\"}"));
    assert_false(eval_json(U, "user.displayName -match \".*vid\"", "{\"displayName\": \"Da\"}"));
}

static void test_eval_missing_is_null(void **state)
{
    (void)state;
    const char *p = "{\"city\": null}";
    assert_true(eval_json(U, "user.city -eq null", p));
    assert_true(eval_json(U, "user.department -eq null", p));
    assert_false(eval_json(U, "user.department -ne null", p));
    assert_false(eval_json(U, "user.department -eq \"x\"", p));
    assert_true(eval_json(U, "user.department -ne \"x\"", p));
    assert_false(eval_json(U, "user.department -startsWith \"x\"", p));
    assert_true(eval_json(U, "user.department -notContains \"x\"", p));
    assert_true(eval_json(U, "user.objectId -ne null", "{\"objectId\": \"1\"}"));
    /* Unregistered devices: every property is null, so only negative operators match. */
    assert_true(eval_json(DF, "device.trustType -ne \"ServerAD\"", "{}"));
    assert_false(eval_json(DF, "device.trustType -eq \"ServerAD\"", "{}"));
}

static void test_eval_device_filter(void **state)
{
    (void)state;
    const char *p = "{\"trustType\": \"ServerAD\", \"isCompliant\": true, "
                    "\"physicalIds\": [\"[ZTDId]:abc\", \"[OrderId]:1\"]}";
    assert_true(eval_json(DF, "device.trustType -eq \"serverad\"", p));
    assert_true(eval_json(DF, "device.isCompliant -eq True", p));
    assert_true(eval_json(DF, "device.isCompliant -eq \"true\"", p));
    assert_false(eval_json(DF, "device.isCompliant -ne true", p));
    assert_true(eval_json(DF, "device.isCompliant -eq false", "{\"isCompliant\": \"False\"}"));
    /* On collections -contains means "has an item equal to". */
    assert_true(eval_json(DF, "device.physicalIds -contains \"[ztdid]:ABC\"", p));
    assert_false(eval_json(DF, "device.physicalIds -contains \"[ZTDId]\"", p));
    assert_true(eval_json(DF, "device.physicalIds -notContains \"[ZTDId]\"", p));
    assert_true(eval_json(DF, "device.isCompliant -eq True -or device.trustType -eq \"ServerAD\"",
                          "{\"isCompliant\": false, \"trustType\": \"ServerAD\"}"));
}

static void test_eval_collections(void **state)
{
    (void)state;
    const char *p = "{\"proxyAddresses\": [\"SMTP:a@contoso.com\", \"smtp:b@fabrikam.com\"]}";
    assert_true(eval_json(U, "user.proxyAddresses -any (_ -contains \"contoso\")", p));
    assert_false(eval_json(U, "user.proxyAddresses -all (_ -contains \"contoso\")", p));
    assert_true(eval_json(U, "user.proxyAddresses -all (_ -startsWith \"smtp:\")", p));
    assert_true(
        eval_json(U, "user.proxyAddresses -all (_ -startsWith \"x\")", "{\"proxyAddresses\": []}"));
    assert_false(eval_json(U, "user.proxyAddresses -any (_ -startsWith \"x\")", "{}"));
    /* A membership rule's string operator on a collection: some item matches. */
    assert_true(eval_json(U, "user.proxyAddresses -endsWith \"@fabrikam.com\"", p));
    assert_true(eval_json(U, "user.proxyAddresses -contains \"fabri\"", p));
    assert_false(eval_json(U, "user.proxyAddresses -notContains \"fabri\"", p));
    assert_true(eval_json(U, "user.proxyAddresses -eq null", "{\"proxyAddresses\": []}"));
}

static void test_eval_assigned_plans_and_member_of(void **state)
{
    (void)state;
    const char *p = "{\"assignedPlans\": ["
                    "{\"servicePlanId\": \"P1\", \"service\": \"SCO\", \"capabilityStatus\": "
                    "\"Deleted\"},"
                    "{\"servicePlanId\": \"P2\", \"service\": \"exchange\", \"capabilityStatus\": "
                    "\"Enabled\"}],"
                    "\"memberOf\": [\"g1\", \"G2\"]}";
    const char *r = "user.assignedPlans -any (assignedPlan.service -eq \"SCO\" -and "
                    "assignedPlan.capabilityStatus -eq \"Enabled\")";
    assert_false(eval_json(U, r, p));
    assert_true(eval_json(U,
                          "user.assignedPlans -any (assignedPlan.servicePlanId -eq \"p2\" -and "
                          "assignedPlan.capabilityStatus -eq \"enabled\")",
                          p));
    assert_true(eval_json(U, "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)",
                          "{\"assignedPlans\": []}"));
    assert_false(eval_json(U, "user.assignedPlans -all (assignedPlan.servicePlanId -eq null)", p));
    assert_true(eval_json(U, "user.memberOf -any (group.objectId -in [\"g2\", \"g9\"])", p));
    assert_false(eval_json(U, "user.memberOf -any (group.objectId -in [\"g9\"])", p));
}

static void test_eval_app_filter_and_direct_reports(void **state)
{
    (void)state;
    assert_true(eval_json(AF, "CustomSecurityAttribute.Set_Attr -eq \"value\"",
                          "{\"Set_Attr\": \"VALUE\"}"));
    assert_true(eval_json(AF, "CustomSecurityAttribute.Set_Req -contains \"requireMFA\"",
                          "{\"Set_Req\": [\"legacyAuthAllowed\", \"requireMFA\"]}"));
    assert_false(eval_json(AF, "CustomSecurityAttribute.Set_Req -contains \"require\"",
                           "{\"Set_Req\": [\"requireMFA\"]}"));
    const char *dr = "Direct Reports for \"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb\"";
    assert_true(eval_json(U, dr, "{\"manager\": \"AAAAAAAA-0000-1111-2222-BBBBBBBBBBBB\"}"));
    assert_false(eval_json(U, dr, "{}"));
}

static void test_eval_errors(void **state)
{
    (void)state;
    struct rule_expr *e = parse_ok(U, "user.city -eq \"a\"");
    bool r = true;
    json_t *arr = json_array();
    assert_int_equal(rule_eval(e, arr, &r), -1);
    json_t *bad = json_pack("{s:i}", "city", 3);
    assert_int_equal(rule_eval(e, bad, &r), -1);
    json_t *good = json_pack("{s:s}", "CITY", "A");
    assert_int_equal(rule_eval(e, good, &r), 0);
    assert_true(r);
    rule_free(e);
    e = parse_ok(U, "user.accountEnabled -eq true");
    json_t *notbool = json_pack("{s:s}", "accountEnabled", "maybe");
    assert_int_equal(rule_eval(e, notbool, &r), -1);
    rule_free(e);
    json_decref(arr);
    json_decref(bad);
    json_decref(good);
    json_decref(notbool);
}

/* ---- misc ----------------------------------------------------------------------------------- */

static void collect(const char *prop, void *arg)
{
    struct strbuf_like {
        char buf[256];
    } *sb = arg;
    size_t n = strlen(sb->buf);
    snprintf(sb->buf + n, sizeof sb->buf - n, "%s;", prop);
}

static void test_target_names_and_properties(void **state)
{
    (void)state;
    assert_string_equal(rule_target_name(U), "user membership rule");
    assert_string_equal(rule_target_name(D), "device membership rule");
    assert_string_equal(rule_target_name(DF), "device filter");
    assert_string_equal(rule_target_name(AF), "application filter");
    struct {
        char buf[256];
    } seen = {""};
    struct rule_expr *e = parse_ok(
        U, "user.City -eq \"a\" -or user.assignedPlans -any (assignedPlan.SERVICE -eq \"x\")");
    rule_foreach_property(e, collect, &seen);
    assert_string_equal(seen.buf, "user.city;user.assignedPlans;assignedPlan.service;");
    rule_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_simple),
        cmocka_unit_test(test_case_insensitive_names),
        cmocka_unit_test(test_operators_without_hyphen),
        cmocka_unit_test(test_every_comparison_operator),
        cmocka_unit_test(test_any_all_forms),
        cmocka_unit_test(test_member_of),
        cmocka_unit_test(test_null_forms),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_precedence_and_parentheses),
        cmocka_unit_test(test_not),
        cmocka_unit_test(test_extension_properties),
        cmocka_unit_test(test_app_filter),
        cmocka_unit_test(test_device_filter_corpus),
        cmocka_unit_test(test_direct_reports),
        cmocka_unit_test(test_string_escapes_and_numbers),
        cmocka_unit_test(test_err_unknown_property_suggests),
        cmocka_unit_test(test_err_wrong_object),
        cmocka_unit_test(test_err_operator_for_type),
        cmocka_unit_test(test_err_unterminated_string),
        cmocka_unit_test(test_err_unexpected_token),
        cmocka_unit_test(test_err_unknown_operator),
        cmocka_unit_test(test_err_typographic),
        cmocka_unit_test(test_err_regex),
        cmocka_unit_test(test_err_list_values),
        cmocka_unit_test(test_err_null_and_bool_values),
        cmocka_unit_test(test_err_list_items),
        cmocka_unit_test(test_err_item_scope),
        cmocka_unit_test(test_err_quantifier_items),
        cmocka_unit_test(test_err_special_forms),
        cmocka_unit_test(test_err_custom_attributes),
        cmocka_unit_test(test_err_length_and_bytes),
        cmocka_unit_test(test_eval_logic_truth_table),
        cmocka_unit_test(test_eval_string_operators),
        cmocka_unit_test(test_eval_match_documented_examples),
        cmocka_unit_test(test_eval_missing_is_null),
        cmocka_unit_test(test_eval_device_filter),
        cmocka_unit_test(test_eval_collections),
        cmocka_unit_test(test_eval_assigned_plans_and_member_of),
        cmocka_unit_test(test_eval_app_filter_and_direct_reports),
        cmocka_unit_test(test_eval_errors),
        cmocka_unit_test(test_target_names_and_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
