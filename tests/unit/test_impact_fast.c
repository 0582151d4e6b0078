/* test_impact_fast.c — the plan impact's fast paths against the general ones, on fixtures of
 * their own: a set given as the positions of its bits (whatif_compiled_set_list) gets the number
 * its words get (whatif_compiled_set), on one evaluator and on two; the users part with copies of
 * the same conditions (whatif_users_index_row spreads an answer to the copies) equals every
 * policy read one by one; conditions spelled otherwise (case variants, unknown members, nulls,
 * empty arrays, non-ASCII) compile to whatif_evaluate's answers; and impact_analyse of states
 * that share the policies the plan leaves alone (as the lockout guard's copy on write does)
 * equals its answer for the same states deep-copied, and every scenario evaluated one by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_impact.h"
#include "unit_json.h"

#include "runtime/analysis/coverage.h"
#include "runtime/analysis/impact.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_compiled.h"
#include "runtime/analysis/whatif_int.h"

static uint64_t rnd_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* ---- sets by their words and by their bits' positions ---- */

/* 200 policies, every seventh disabled and every eleventh report-only: random rows of 0 to 200
 * bits (some seen before) with random extras get the same numbers as words and as positions, on
 * two evaluators fed one way each and on one fed both ways; a set's outcome names exactly its
 * enabled policies. */
static void set_list_equals_set(void **state)
{
    (void)state;
    enum {
        N = 200,
        TRIALS = 3000
    };
    struct whatif_inputs many;
    whatif_inputs_init(&many);
    for (int i = 0; i < N; i++) {
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"id\":\"p%d\",\"displayName\":\"P%d\",\"state\":\"%s\","
                 "\"conditions\":{\"users\":{\"includeGroups\":[\"g%d\"]},"
                 "\"applications\":{\"includeApplications\":[\"All\"]}},"
                 "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}",
                 i, i,
                 i % 7 == 3    ? "disabled"
                 : i % 11 == 5 ? "enabledForReportingButNotEnforced"
                               : "enabled",
                 i);
        json_array_append_new(many.policies, unit_json(json));
    }
    struct whatif_compiled *byw = whatif_compile(&many), *byl = whatif_compile(&many),
                           *both = whatif_compile(&many);
    size_t words = whatif_compiled_words(byw);
    assert_int_equal(words, 4);
    static const size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 9, 12, 20, 60, 100, 200};
    uint64_t(*seen)[5] = calloc(TRIALS, sizeof(*seen));
    uint64_t row[5];
    uint32_t pos[N];
    for (size_t t = 0; t < TRIALS; t++) {
        memset(row, 0, sizeof(row));
        if (t > 10 && rnd() % 4 == 0) { /* a row seen before */
            memcpy(row, seen[rnd() % t], sizeof(row));
        } else {
            size_t want = sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))];
            for (size_t k = 0; k < want; k++) {
                size_t i = rnd() % N;
                row[i / 64] |= 1ull << (i % 64);
            }
            row[4] = rnd() % 8; /* the extras */
        }
        memcpy(seen[t], row, sizeof(row));
        size_t n = 0;
        for (size_t i = 0; i < N; i++)
            if ((row[i / 64] >> (i % 64)) & 1)
                pos[n++] = (uint32_t)i;
        unsigned extras = (unsigned)row[4];
        long a = whatif_compiled_set(byw, row, extras);
        long b = whatif_compiled_set_list(byl, pos, n, extras);
        assert_true(a >= 0);
        assert_int_equal(a, b);
        long c = t % 2 ? whatif_compiled_set(both, row, extras)
                       : whatif_compiled_set_list(both, pos, n, extras);
        long d = t % 2 ? whatif_compiled_set_list(both, pos, n, extras)
                       : whatif_compiled_set(both, row, extras);
        assert_int_equal(c, d);
        assert_int_equal(c, a);
        if (t % 50 == 0) {
            struct whatif_result r;
            whatif_compiled_outcome(byl, (size_t)b, &r);
            size_t applying = 0;
            for (size_t i = 0; i < r.n; i++) {
                if (r.policies[i].platform)
                    continue;
                assert_true(r.policies[i].applies);
                applying++;
            }
            size_t enabled = 0;
            for (size_t i = 0; i < n; i++)
                enabled += pos[i] % 7 != 3 && pos[i] % 11 != 5;
            assert_int_equal(applying, enabled);
            whatif_result_free(&r);
        }
    }
    assert_int_equal(whatif_compiled_signins(byl), TRIALS);
    free(seen);
    whatif_compiled_free(byw);
    whatif_compiled_free(byl);
    whatif_compiled_free(both);
    whatif_inputs_fini(&many);
}

/* ---- the users part with copies ---- */

#define GA "62e90394-69f5-4237-9190-012177145e10" /* Global Administrator's template */

/* Users conditions of many kinds, each policy three times (copies, whose answer is their first
 * one's), against sign-ins of members, guests, roles and a workload identity: the compiled row
 * equals every policy read on its own (whatif_part_eval without copies). */
static void users_rows_with_copies(void **state)
{
    (void)state;
    static const char *const users[] = {
        "{\"includeUsers\":[\"All\"],\"excludeGroups\":[\"g1\"]}",
        "{\"includeGroups\":[\"g1\",\"G2\"],\"excludeUsers\":[\"u1\"]}",
        "{\"includeUsers\":[\"GuestsOrExternalUsers\"],\"excludeRoles\":[\"" GA "\"]}",
        "{\"includeGuestsOrExternalUsers\":{\"guestOrExternalUserTypes\":"
        "\"b2bCollaborationGuest,internalGuest\",\"externalTenants\":{\"membershipKind\":\"all\"}}"
        "}",
        "{\"includeUsers\":[\"All\"],\"excludeGuestsOrExternalUsers\":{"
        "\"guestOrExternalUserTypes\":"
        "\"internalGuest\",\"externalTenants\":{\"membershipKind\":\"all\"}}}",
        "{\"includeRoles\":[\"" GA "\"]}",
        "{\"includeUsers\":[\"U1\"],\"excludeUsers\":[\"None\"]}",
        "{\"includeUsers\":[\"None\"]}",
        "{\"includeUsers\":[],\"includeGroups\":[\"g3\"],\"excludeGroups\":[\"g3\"]}",
        "{\"includeUsers\":[\"All\"],\"excludeUsers\":[\"GuestsOrExternalUsers\"]}",
    };
    enum {
        KINDS = sizeof(users) / sizeof(users[0])
    };
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    for (int copy = 0; copy < 3; copy++)
        for (size_t k = 0; k < KINDS; k++) {
            char json[1024];
            snprintf(json, sizeof(json),
                     "{\"id\":\"p%d-%zu\",\"displayName\":\"P%d-%zu\",\"state\":\"enabled\","
                     "\"conditions\":{\"users\":%s,"
                     "\"applications\":{\"includeApplications\":[\"All\"]}},"
                     "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}",
                     copy, k, copy, k, users[k]);
            json_array_append_new(in.policies, unit_json(json));
        }
    char workload[] = "{\"id\":\"w\",\"state\":\"enabled\",\"conditions\":{\"users\":{"
                      "\"includeUsers\":[\"None\"]},\"clientApplications\":{"
                      "\"includeServicePrincipals\":[\"ServicePrincipalsInMyTenant\"]},"
                      "\"applications\":{\"includeApplications\":[\"All\"]}},"
                      "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}}";
    json_array_append_new(in.policies, unit_json(workload));
    json_array_append_new(in.policies, unit_json(workload));

    static const char *const g_none[] = {NULL}, *const g1[] = {"g1", NULL},
                             *const g2[] = {"g2", NULL}, *const g12[] = {"G1", "g2", "g3", NULL};
    static const char *const *const groups[] = {g_none, g1, g2, g12};
    static const char *const r_none[] = {NULL}, *const r_ga[] = {GA, NULL},
                             *const r_name[] = {"Global Administrator", NULL};
    static const char *const *const roles[] = {r_none, r_ga, r_name};
    static const char *const who[] = {"u1", "u2", NULL};
    static const char *const guests[] = {NULL, "b2bCollaborationGuest", "internalGuest"};

    struct whatif_compiled *wc = whatif_compile(&in);
    size_t words = whatif_compiled_words(wc);
    uint64_t *got = calloc(words, sizeof(uint64_t)), *want = calloc(words, sizeof(uint64_t));
    size_t checked = 0;
    for (size_t u = 0; u < 3; u++)
        for (size_t g = 0; g < 4; g++)
            for (size_t r = 0; r < 3; r++)
                for (size_t t = 0; t < 3; t++) {
                    struct whatif_signin s;
                    memset(&s, 0, sizeof(s));
                    s.user = who[u];
                    s.service_principal = who[u] ? NULL : "sp-1";
                    s.member_of = who[u] ? groups[g] : NULL;
                    s.roles = who[u] ? roles[r] : NULL;
                    s.guest_type = who[u] ? guests[t] : NULL;
                    s.external_tenant = guests[t] ? "tenant-x" : NULL;
                    s.app = "Office365";
                    char err[256];
                    int a =
                        whatif_compiled_part_into(wc, WHATIF_PART_USERS, &s, got, err, sizeof(err));
                    memset(want, 0, words * sizeof(uint64_t));
                    int b = whatif_part_eval(&in, NULL, WHATIF_PART_USERS, &s, NULL, NULL, want,
                                             err, sizeof(err));
                    assert_int_equal(a, b);
                    if (a == 0) {
                        assert_memory_equal(got, want, words * sizeof(uint64_t));
                        checked++;
                    }
                }
    assert_true(checked >= 3 * 4 * 3);
    free(got);
    free(want);
    whatif_compiled_free(wc);
    whatif_inputs_fini(&in);
}

/* ---- conditions spelled otherwise ---- */

/* The parts that read equal conditions through members spelled otherwise (the compile reads a
 * policy's condition members once for every part): a case variant, an unknown member, a null, an
 * empty array, a non-ASCII name. Every sign-in of a matrix gets whatif_evaluate's answer. */
static void conditions_spelled_otherwise(void **state)
{
    (void)state;
    static const char *const conds[] = {
        "{\"users\":{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"platforms\":{\"includePlatforms\":[\"iOS\"]}}",
        "{\"Users\":{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"platforms\":{\"includePlatforms\":[\"iOS\"]}}",
        "{\"users\":{\"includeUsers\":[\"All\"]},\"APPLICATIONS\":{\"includeApplications\":"
        "[\"Office365\"]},\"Platforms\":{\"includePlatforms\":[\"android\"]},\"fooBar\":1}",
        "{\"users\":{\"includeGroups\":[\"g\\u00e9\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"locations\":null,\"clientAppTypes\":[]}",
        "{\"users\":{\"includeGroups\":[\"g\\u00e9\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"],\"devices\":null}",
        "{\"users\":{\"includeUsers\":[\"All\"]},\"users \":{\"includeUsers\":[\"None\"]},"
        "\"applications\":{\"includeApplications\":[\"All\"]},\"ClientAppTypes\":[\"browser\"]}",
        "{\"users\":{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"platforms\":{\"includePlatforms\":[\"all\"],\"excludePlatforms\":[\"iOS\"]}}",
        "{\"users\":null,\"applications\":{\"includeApplications\":[\"All\"]}}",
        "{\"users\":{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"signInRiskLevels\":[\"high\"],\"SignInRiskLevels\":[\"low\"]}",
        "{\"users\":{\"includeUsers\":[\"All\"]},\"applications\":{\"includeApplications\":"
        "[\"All\"]},\"signinrisklevels\":[\"high\"]}",
    };
    enum {
        KINDS = sizeof(conds) / sizeof(conds[0])
    };
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    for (int copy = 0; copy < 2; copy++)
        for (size_t k = 0; k < KINDS; k++) {
            json_t *p = json_pack(
                "{s:s,s:s,s:o,s:o}", "id", "x", "displayName", copy ? "Stratégie \xc3\xa9" : "P",
                "conditions", unit_json(conds[k]), "grantControls",
                unit_json(k % 3 ? "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}"
                                : "{\"operator\":\"OR\",\"builtInControls\":"
                                  "[\"block\"]}"));
            json_array_append_new(in.policies, p);
        }
    static const char *const g_none[] = {NULL}, *const g_e[] = {"G\xc3\xa9", NULL},
                             *const g_e2[] = {"g\xc3\xa9", NULL};
    static const char *const *const groups[] = {g_none, g_e, g_e2};
    static const char *const apps[] = {"Office365", "00000003-0000-0ff1-ce00-000000000000"};
    static const char *const platforms[] = {NULL, "iOS", "android", "windows"};
    static const char *const clients[] = {"browser", "mobileAppsAndDesktopClients",
                                          "exchangeActiveSync", "other"};
    static const char *const risks[] = {NULL, "low", "high"};
    struct whatif_compiled *wc = whatif_compile(&in);
    for (size_t g = 0; g < 3; g++)
        for (size_t a = 0; a < 2; a++)
            for (size_t p = 0; p < 4; p++)
                for (size_t c = 0; c < 4; c++)
                    for (size_t r = 0; r < 3; r++) {
                        struct whatif_signin s;
                        memset(&s, 0, sizeof(s));
                        s.user = "someone@example.com";
                        s.member_of = groups[g];
                        s.app = apps[a];
                        s.platform = platforms[p];
                        s.client_app = clients[c];
                        s.sign_in_risk = risks[r];
                        struct whatif_result want, got;
                        char err[256];
                        assert_int_equal(whatif_evaluate(&in, &s, &want, err, sizeof(err)), 0);
                        long set = whatif_compiled_eval(wc, &s, err, sizeof(err));
                        assert_true(set >= 0);
                        whatif_compiled_result(wc, (size_t)set, &got);
                        assert_int_equal(want.grant, got.grant);
                        assert_int_equal(want.n, got.n);
                        for (size_t i = 0; i < want.n; i++)
                            if (want.policies[i].state == WHATIF_ENABLED)
                                assert_int_equal(want.policies[i].applies, got.policies[i].applies);
                        whatif_result_free(&want);
                        whatif_result_free(&got);
                    }
    whatif_compiled_free(wc);
    whatif_inputs_fini(&in);
}

/* ---- impact of states that share policies ---- */

#define MFA    "{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}"
#define BLOCK  "{\"operator\":\"OR\",\"builtInControls\":[\"block\"]}"
#define DEVICE "{\"operator\":\"OR\",\"builtInControls\":[\"compliantDevice\"]}"
#define STRONG "{\"operator\":\"OR\",\"authenticationStrength\":{\"id\":\"s1\"}}"

static json_t *policy(size_t i, const char *users, const char *apps, const char *extra,
                      const char *grant)
{
    char id[32], name[48], cond[512];
    snprintf(id, sizeof(id), "p%zu", i);
    snprintf(name, sizeof(name), "CA%03zu: policy %zu", i, i);
    snprintf(cond, sizeof(cond),
             "{\"users\":%s,\"applications\":%s,\"clientAppTypes\":[\"all\"]%s%s}", users,
             apps ? apps : "{\"includeApplications\":[\"All\"]}", extra ? "," : "",
             extra ? extra : "");
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", id, "displayName", name, "state", "enabled",
                     "conditions", unit_json(cond), "grantControls", unit_json(grant));
}

/* 150 policies over three words: two for all users (but g3), the others for groups g0..g69 and
 * g0..g22, some requiring a strength s1, one for an authentication context and one for a user
 * action. A persona's row holds the first two and those of its group: a few policies (a list,
 * below six) for most groups, more (words) for g0..g22; the context's and the action's rows
 * hold one policy, lists met by lists. */
static void before_state(struct whatif_inputs *in)
{
    whatif_inputs_init(in);
    static const char *const extras[] = {
        NULL, "\"platforms\":{\"includePlatforms\":[\"iOS\",\"android\"]}",
        "\"clientAppTypes\":[\"exchangeActiveSync\",\"other\"]",
        "\"locations\":{\"includeLocations\":[\"All\"],\"excludeLocations\":[\"HQ\"]}"};
    const char *all = "{\"includeUsers\":[\"All\"],\"excludeGroups\":[\"g3\"]}";
    for (size_t i = 0; i < 2; i++)
        json_array_append_new(in->policies, policy(i, all, NULL, extras[i], MFA));
    json_array_append_new(in->policies,
                          policy(2, "{\"includeGroups\":[\"g1\"]}", NULL, extras[2], BLOCK));
    json_array_append_new(in->policies,
                          policy(3, "{\"includeGroups\":[\"g60\"]}",
                                 "{\"includeAuthenticationContextClassReferences\":[\"c1\"]}", NULL,
                                 DEVICE));
    json_array_append_new(in->policies,
                          policy(4, "{\"includeGroups\":[\"g2\"]}",
                                 "{\"includeUserActions\":[\"urn:user:registersecurityinfo\"]}",
                                 NULL, MFA));
    for (size_t i = 5; i < 150; i++) {
        char users[128];
        snprintf(users, sizeof(users), "{\"includeGroups\":[\"g%zu\",\"g%zu\"]}", i % 70, i % 23);
        json_array_append_new(in->policies, policy(i, users, NULL, extras[i % 4],
                                                   i % 9 == 0   ? STRONG
                                                   : i % 5 == 0 ? DEVICE
                                                                : MFA));
    }
    json_array_append_new(in->locations,
                          unit_json("{\"id\":\"l1\",\"displayName\":\"HQ\",\"isTrusted\":true,"
                                    "\"ipRanges\":[{\"cidrAddress\":\"198.51.100.0/24\"}]}"));
    json_array_append_new(in->strengths,
                          unit_json("{\"id\":\"s1\",\"displayName\":\"Phishing resistant\","
                                    "\"allowedCombinations\":[\"fido2\"]}"));
}

/* The plan's after state as the lockout guard makes it: new arrays of before's items, a few
 * replaced by changed copies, some removed, some added; `strength` renames strength s1. */
static void after_state(const struct whatif_inputs *before, struct whatif_inputs *after,
                        bool strength)
{
    after->policies = json_copy(before->policies);
    after->locations = json_copy(before->locations);
    after->strengths = json_copy(before->strengths);
    for (size_t i = 12; i < 150; i += 13) { /* changed */
        json_t *p = json_copy(json_array_get(after->policies, i));
        json_object_set_new(p, "grantControls", unit_json(i % 2 ? BLOCK : DEVICE));
        json_array_set_new(after->policies, i, p);
    }
    json_array_remove(after->policies, 40); /* deleted */
    json_array_remove(after->policies, 3);
    json_array_append_new(after->policies,
                          policy(150, "{\"includeGroups\":[\"g5\"]}", NULL, NULL, BLOCK)); /* new */
    json_array_append_new(after->policies,
                          policy(151, "{\"includeGroups\":[\"g77\"]}", NULL, NULL, BLOCK));
    if (strength) {
        json_t *s = json_deep_copy(json_array_get(after->strengths, 0));
        json_object_set_new(s, "displayName", json_string("Passkeys only"));
        json_array_set_new(after->strengths, 0, s);
    }
}

static void inputs_deep_copy(const struct whatif_inputs *from, struct whatif_inputs *to)
{
    to->policies = json_deep_copy(from->policies);
    to->locations = json_deep_copy(from->locations);
    to->strengths = json_deep_copy(from->strengths);
}

static json_t *analyse(const struct whatif_inputs *before, const struct whatif_inputs *after)
{
    struct impact_options o;
    memset(&o, 0, sizeof(o));
    return impact_analyse(before, after, &o);
}

/* Every scenario of the axes, evaluated one by one: how many change outcome. */
static size_t changed_one_by_one(const struct whatif_inputs *before,
                                 const struct whatif_inputs *after)
{
    struct whatif_inputs both;
    whatif_inputs_init(&both);
    json_array_extend(both.policies, before->policies);
    json_array_extend(both.policies, after->policies);
    json_array_extend(both.locations, after->locations);
    json_array_extend(both.locations, before->locations);
    struct coverage_options co;
    memset(&co, 0, sizeof(co));
    struct coverage *c = coverage_axes(&both, &co);
    struct whatif_compiled *wc[2] = {whatif_compile(before), whatif_compile(after)};
    size_t changed = unit_changed_scenarios(c, wc, NULL);
    whatif_compiled_free(wc[0]);
    whatif_compiled_free(wc[1]);
    coverage_free(c);
    whatif_inputs_fini(&both);
    return changed;
}

static void check_shared(bool strength)
{
    struct whatif_inputs before, after, copy;
    before_state(&before);
    after_state(&before, &after, strength);
    inputs_deep_copy(&after, &copy);
    /* the states share most policies */
    assert_ptr_equal(json_array_get(before.policies, 20), json_array_get(after.policies, 19));
    json_t *shared = analyse(&before, &after);
    json_t *apart = analyse(&before, &copy);
    if (getenv("IMPACT_DUMP"))
        json_dumpf(shared, stdout, JSON_INDENT(1));
    assert_true(json_equal(shared, apart));
    size_t changed = changed_one_by_one(&before, &after);
    assert_true(changed > 0);
    assert_int_equal(json_integer_value(json_object_get(shared, "changed")), changed);
    assert_true(json_array_size(json_object_get(shared, "rows")) > 0);
    if (strength) { /* a shared policy whose strength was renamed changes outcome */
        size_t i;
        const json_t *r;
        bool renamed = false;
        json_array_foreach(json_object_get(shared, "rows"), i, r)
        {
            renamed =
                renamed || strstr(json_string_value(json_object_get(r, "after")), "Passkeys only");
        }
        assert_true(renamed);
    }
    json_decref(shared);
    json_decref(apart);
    whatif_inputs_fini(&before);
    whatif_inputs_fini(&after);
    whatif_inputs_fini(&copy);
}

static void impact_of_shared_states(void **state)
{
    (void)state;
    check_shared(false);
}

static void impact_of_shared_states_strength_renamed(void **state)
{
    (void)state;
    check_shared(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_list_equals_set),
        cmocka_unit_test(users_rows_with_copies),
        cmocka_unit_test(conditions_spelled_otherwise),
        cmocka_unit_test(impact_of_shared_states),
        cmocka_unit_test(impact_of_shared_states_strength_renamed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
