/* test_coverage.c — the persona matrix: which personas, apps and locations the policies give,
 * merging of objects with the same policy references, nested groups, the class and gap of each
 * cell, report-only policies, the risk summary, and the JSON and HTML renderings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_json.h"

#include "runtime/analysis/coverage.h"

#define GA  "62e90394-69f5-4237-9190-012177145e10" /* Global Administrator */
#define SA  "194ae4cb-b126-40b2-bd5b-6091b380977d" /* Security Administrator */
#define EXA "29232cdf-9323-42fd-ade2-1d097af3e4de" /* Exchange Administrator */
#define EXO "00000002-0000-0ff1-ce00-000000000000" /* Office 365 Exchange Online */

static void policy(struct whatif_inputs *in, const char *name, const char *state, const char *users,
                   const char *extra, const char *grant)
{
    json_t *c = unit_json("{\"applications\":{\"includeApplications\":[\"All\"]},"
                          "\"clientAppTypes\":[\"all\"]}");
    json_object_set_new(c, "users", unit_json(users));
    if (extra) {
        json_t *x = unit_json(extra);
        json_object_update(c, x);
        json_decref(x);
    }
    json_array_append_new(in->policies,
                          json_pack("{s:s,s:s,s:o,s:o}", "displayName", name, "state", state,
                                    "conditions", c, "grantControls", unit_json(grant)));
}

#define ALL                                                                                        \
    "{\"includeUsers\":[\"All\"],\"excludeUsers\":[{\"$ref\":\"user\",\"name\":\"bg@x.com\"}]}"

static void inputs(struct whatif_inputs *in)
{
    whatif_inputs_init(in);
    policy(in, "legacy", "enabled", ALL, "{\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]}",
           "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}");
    policy(in, "admins mfa", "enabled",
           "{\"includeGroups\":[{\"$ref\":\"group\",\"name\":\"Admins\"}],"
           "\"excludeGroups\":[{\"$ref\":\"group\",\"name\":\"Break <&> glass\"}]}",
           NULL, "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}");
    /* two roles with the same references merge; GA differs (it is also excluded below) */
    policy(in, "roles strength", "enabled",
           "{\"includeRoles\":[\"" SA "\",\"" EXA "\",\"" GA "\"]}",
           "{\"applications\":{\"includeApplications\":[\"MicrosoftAdminPortals\"]}}",
           "{\"operator\":\"OR\",\"authenticationStrength\":{\"displayName\":\"Phish\"}}");
    policy(in, "mobile app protection", "enabled", ALL,
           "{\"platforms\":{\"includePlatforms\":[\"iOS\",\"android\"]}}",
           "{\"operator\":\"OR\",\"builtInControls\":[\"compliantApplication\"]}");
    policy(
        in, "untrusted office devices", "enabled",
        "{\"includeUsers\":[\"All\"],\"excludeRoles\":[\"" GA "\"]}",
        "{\"applications\":{\"includeApplications\":[\"Office365\",\"" EXO "\"]},"
        "\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"AllTrusted\"]}}",
        "{\"operator\":\"OR\",\"builtInControls\":[\"compliantDevice\",\"domainJoinedDevice\"]}");
    policy(in, "report-only mfa", "enabledForReportingButNotEnforced", ALL, NULL,
           "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}");
    policy(in, "disabled", "disabled", "{\"includeGroups\":[\"Nobody\"]}", NULL,
           "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}");
    json_array_append_new(in->locations,
                          unit_json("{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\","
                                    "\"displayName\":\"HQ\",\"isTrusted\":true,\"ipRanges\":[]}"));
}

static size_t find_persona(const struct coverage *c, const char *name)
{
    for (size_t i = 0; i < c->npersonas; i++)
        if (strcmp(c->personas[i].name, name) == 0)
            return i;
    fail_msg("no persona '%s'", name);
    return 0;
}

static size_t find_value(const struct coverage_value *v, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].label, label) == 0)
            return i;
    fail_msg("no axis value '%s'", label);
    return 0;
}

/* The outcome of one cell by labels. */
static const struct coverage_outcome *at(const struct coverage *c, const char *persona,
                                         const char *app, const char *loc, const char *plat,
                                         const char *client)
{
    size_t k = coverage_cell(c, find_persona(c, persona), find_value(c->apps, c->napps, app),
                             find_value(c->locations, c->nlocations, loc),
                             find_value(c->platforms, c->nplatforms, plat),
                             find_value(c->clients, c->nclients, client));
    return &c->outcomes[c->cells[k]];
}

static void axes(void **state)
{
    (void)state;
    struct whatif_inputs in;
    inputs(&in);
    const char *const emergency[] = {"bg@x.com", NULL};
    struct coverage_options o = {.emergency = emergency};
    struct coverage *c = coverage_run(&in, &o);
    /* all users, groups, roles (SA and EXA merged), emergency user, guest; in that order; the
     * disabled policy's group is no persona */
    const char *const want[] = {"All users",
                                "Admins",
                                "Break <&> glass",
                                "Security Administrator (+1 role)",
                                "Global Administrator",
                                "bg@x.com [emergency access]",
                                "guest (b2b_collaboration_guest)"};
    assert_int_equal(c->npersonas, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < c->npersonas; i++)
        assert_string_equal(c->personas[i].name, want[i]);
    assert_int_equal(c->personas[3].nmembers, 2);
    assert_string_equal(c->personas[3].members[1], "Exchange Administrator");
    assert_string_equal(c->personas[5].kind, "emergency");
    /* apps: the two groups, the app named, any other app */
    assert_int_equal(c->napps, 4);
    assert_string_equal(c->apps[2].label, "Office 365 Exchange Online");
    assert_string_equal(c->apps[3].label, "any other app");
    assert_int_equal(c->nlocations, 2);
    assert_true(c->locations[1].trusted);
    assert_int_equal(c->nplatforms, 6);
    assert_int_equal(c->nclients, 4);
    assert_int_equal(c->ncells, 7 * 4 * 2 * 6 * 4);
    assert_int_equal(c->npolicies, 5);
    coverage_free(c);
    whatif_inputs_fini(&in);
}

static void cells(void **state)
{
    (void)state;
    struct whatif_inputs in;
    inputs(&in);
    const char *const emergency[] = {"bg@x.com", NULL};
    json_t *parents = unit_json("{\"Break <&> glass\":[\"Admins\"]}");
    struct coverage_options o = {.emergency = emergency, .parents = parents};
    struct coverage *c = coverage_run(&in, &o);
    const struct coverage_outcome *x;

    x = at(c, "All users", "Office 365", "untrusted", "Windows", "browser");
    assert_string_equal(x->label, "compliant device/hybrid joined device");
    assert_int_equal(x->cls, COVERAGE_DEVICE);
    assert_false(x->gap);
    x = at(c, "All users", "Office 365", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "allow");
    assert_true(x->gap);
    x = at(c, "All users", "any other app", "untrusted", "iOS", "mobile/desktop");
    assert_string_equal(x->label, "app protection");
    assert_int_equal(x->cls, COVERAGE_WEAK);
    assert_true(x->gap);
    x = at(c, "All users", "any other app", "untrusted", "iOS", "other legacy");
    assert_int_equal(x->cls, COVERAGE_BLOCK);
    x = at(c, "Admins", "any other app", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "mfa");
    x = at(c, "Admins", "Office 365", "untrusted", "Android", "browser");
    assert_string_equal(x->label, "mfa + app protection + compliant device/hybrid joined device");
    assert_int_equal(x->cls, COVERAGE_MFA);
    assert_false(x->gap);
    /* the nested group is in Admins, but excluded from its policy by name */
    x = at(c, "Break <&> glass", "any other app", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "allow");
    /* the admin portals add Microsoft's mandatory MFA (a custom strength does not absorb it) */
    x = at(c, "Security Administrator (+1 role)", "Admin portals", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "mfa + authenticationStrength:Phish");
    assert_int_equal(x->cls, COVERAGE_STRENGTH);
    x = at(c, "Global Administrator", "Office 365 Exchange Online", "untrusted", "Windows",
           "browser");
    assert_string_equal(x->label, "allow"); /* GA is excluded from the device policy */
    /* excluded from the legacy block, but not from the device policy, which a legacy client
     * cannot satisfy: effectively blocked (issue 13) */
    x = at(c, "bg@x.com [emergency access]", "Office 365", "untrusted", "Linux", "other legacy");
    assert_string_equal(x->label, "block");
    x = at(c, "bg@x.com [emergency access]", "any other app", "untrusted", "Linux", "other legacy");
    assert_string_equal(x->label, "allow");
    /* the risk summary: nothing is risk-based here */
    assert_string_equal(c->outcomes[c->risk[0]].label, "compliant device/hybrid joined device");

    size_t gaps = 0;
    for (size_t i = 0; i < c->ncells; i++)
        gaps += c->outcomes[c->cells[i]].gap;
    assert_int_equal(gaps, c->ngaps);
    assert_true(c->ngaps > 0);
    coverage_free(c);

    /* report-only policies as enabled: MFA everywhere but for the emergency account */
    o.report_only_as_enabled = true;
    c = coverage_run(&in, &o);
    assert_true(c->report_only_enforced);
    assert_int_equal(c->npolicies, 6);
    x = at(c, "All users", "Office 365", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "mfa");
    x = at(c, "bg@x.com [emergency access]", "Office 365", "HQ", "Windows", "browser");
    assert_string_equal(x->label, "allow");
    coverage_free(c);
    /* the inputs were not changed by it */
    assert_string_equal(json_string_value(json_object_get(json_array_get(in.policies, 5), "state")),
                        "enabledForReportingButNotEnforced");
    json_decref(parents);
    whatif_inputs_fini(&in);
}

static void renderings(void **state)
{
    (void)state;
    struct whatif_inputs in;
    inputs(&in);
    struct coverage_options o = {0};
    struct coverage *c = coverage_run(&in, &o);

    json_t *j = coverage_to_json(c);
    assert_string_equal(json_string_value(json_object_get(j, "format")), "idpc-coverage/1");
    json_t *summary = json_object_get(j, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "gaps")), (json_int_t)c->ngaps);
    assert_int_equal(json_array_size(json_object_get(j, "gaps")), c->ngaps);
    json_t *m = json_object_get(j, "matrix");
    assert_int_equal(json_array_size(m), c->npersonas);
    assert_int_equal(json_array_size(json_array_get(json_array_get(json_array_get(m, 0), 0), 0)),
                     c->nplatforms);
    json_decref(j);

    char *html = coverage_html(c, "Coverage <test>");
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "<title>Coverage &lt;test&gt;</title>"));
    assert_non_null(strstr(html, "id=\"legend\""));
    assert_non_null(strstr(html, "Break &lt;&amp;&gt; glass"));
    assert_null(strstr(html, "Break <&>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_null(strstr(html, "@import"));
    assert_non_null(strstr(html, "<td class=\"c gap\""));
    free(html);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    coverage_print_text(c, f);
    fclose(f);
    assert_non_null(strstr(buf, "Coverage: 7 personas x 4 apps x 2 locations x 6 platforms x 4 "
                                "client app types = 1344 sign-ins against 5 enabled policies"));
    assert_non_null(strstr(buf, "\nGaps ("));
    assert_non_null(strstr(buf, "  All users | Office 365 | HQ: "));
    free(buf);
    coverage_free(c);
    whatif_inputs_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(axes),
        cmocka_unit_test(cells),
        cmocka_unit_test(renderings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
