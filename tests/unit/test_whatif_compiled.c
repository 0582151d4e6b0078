/* test_whatif_compiled.c — the compiled evaluator (whatif_compiled.h) gives whatif_evaluate's
 * answer for every sign-in of a matrix over Contoso's policies (users, groups, roles, guests,
 * apps, user actions, platforms, client apps, locations, risks), reuses its memo (a list refilled
 * in place is read again), refuses a malformed sign-in as whatif_evaluate does, and keeps sets of
 * a few and of many of 130 policies apart (their narrow and dense forms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compile.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_compiled.h"
#include "runtime/analysis/whatif_int.h"

static struct compile_result cr;
static struct whatif_inputs in;

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("IDPC_SOURCE_DIR");
    char *dir = xasprintf("%s/policies/contoso", src ? src : ".");
    const char *paths[] = {dir};
    int rc = compile_paths(paths, 1, false, &cr);
    free(dir);
    if (rc != 0)
        return -1;
    whatif_inputs_init(&in);
    whatif_inputs_from_model(&in, cr.model);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    whatif_inputs_fini(&in);
    compile_free(&cr);
    return 0;
}

/* The parts of a result that coverage reads: grant, operator, controls, session. */
static void assert_same(const struct whatif_result *a, const struct whatif_result *b)
{
    assert_int_equal(a->grant, b->grant);
    assert_int_equal(a->ncontrols, b->ncontrols);
    if (a->ncontrols)
        assert_int_equal(a->op, b->op);
    for (size_t i = 0; i < a->ncontrols; i++)
        assert_string_equal(a->controls[i], b->controls[i]);
    assert_true(json_equal(a->session, b->session));
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (a->policies[i].state == WHATIF_ENABLED)
            assert_int_equal(a->policies[i].applies, b->policies[i].applies);
}

static void matrix(void **state)
{
    (void)state;
    static const char *const users[] = {"megan.bowen@contoso.com", "bg1@contoso.onmicrosoft.com",
                                        NULL};
    static const char *const groups_a[] = {"Admin Accounts", NULL};
    static const char *const groups_b[] = {"GRP-Executive-Staff", "CA-Exclusion", NULL};
    static const char *const groups_c[] = {"GRP-Highly-Regulated", NULL};
    static const char *const *const groups[] = {groups_a, groups_b, groups_c};
    static const char *const roles_a[] = {"Global Administrator", NULL};
    static const char *const roles_b[] = {"194ae4cb-b126-40b2-bd5b-6091b380977d", NULL};
    static const char *const *const roles[] = {roles_a, roles_b};
    static const char *const apps[] = {
        "Office365", "MicrosoftAdminPortals", "00000003-0000-0ff1-ce00-000000000000",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013", "urn:user:registersecurityinfo"};
    static const char *const platforms[] = {NULL, "windows", "iOS"};
    static const char *const clients[] = {"browser", "mobileAppsAndDesktopClients",
                                          "exchangeActiveSync", "other"};
    static const char *const locations[] = {NULL, "Contoso HQ", "Embargoed countries"};
    static const char *const risks[] = {NULL, "high"};

    struct whatif_compiled *wc = whatif_compile(&in);
    size_t n = 0;
    const char *locs[2] = {NULL, NULL}; /* refilled in place, as coverage does */
    for (size_t u = 0; u < 3; u++)
        for (size_t g = 0; g < 3; g++)
            for (size_t r = 0; r < 2; r++)
                for (size_t a = 0; a < 5; a++)
                    for (size_t l = 0; l < 3; l++)
                        for (size_t p = 0; p < 3; p++)
                            for (size_t c = 0; c < 4; c++)
                                for (size_t k = 0; k < 2; k++) {
                                    struct whatif_signin s;
                                    memset(&s, 0, sizeof(s));
                                    s.user = users[u];
                                    s.guest_type = users[u] ? NULL : "b2bCollaborationGuest";
                                    s.member_of = groups[g];
                                    s.roles = roles[r];
                                    if (strncmp(apps[a], "urn:", 4) == 0)
                                        s.action = apps[a];
                                    else
                                        s.app = apps[a];
                                    locs[0] = locations[l];
                                    s.locations = locs;
                                    s.platform = platforms[p];
                                    s.client_app = clients[c];
                                    s.sign_in_risk = risks[k];
                                    s.user_risk = risks[(k + u) % 2];
                                    struct whatif_result want, got;
                                    char err[256];
                                    assert_int_equal(
                                        whatif_evaluate(&in, &s, &want, err, sizeof(err)), 0);
                                    long set = whatif_compiled_eval(wc, &s, err, sizeof(err));
                                    assert_true(set >= 0);
                                    whatif_compiled_result(wc, (size_t)set, &got);
                                    assert_same(&want, &got);
                                    whatif_result_free(&want);
                                    whatif_result_free(&got);
                                    n++;
                                }
    assert_int_equal(whatif_compiled_signins(wc), n);
    assert_int_equal(whatif_compiled_policies(wc), json_array_size(in.policies));
    whatif_compiled_free(wc);
}

static void malformed(void **state)
{
    (void)state;
    struct whatif_compiled *wc = whatif_compile(&in);
    struct whatif_signin s;
    memset(&s, 0, sizeof(s));
    s.user = "megan.bowen@contoso.com";
    s.app = "Office365";
    s.ip = "not an address";
    char err[256] = "";
    assert_int_equal(whatif_compiled_eval(wc, &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not an IPv4 or IPv6 address"));
    s.ip = "198.51.100.7"; /* Contoso HQ */
    s.platform = "windows";
    long set = whatif_compiled_eval(wc, &s, err, sizeof(err));
    assert_true(set >= 0);
    s.app = NULL; /* no target at all */
    assert_int_equal(whatif_compiled_eval(wc, &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "exactly one of"));
    s.app = "Office365";
    assert_int_equal(whatif_compiled_eval(wc, &s, err, sizeof(err)), set); /* the same set */
    whatif_compiled_free(wc);
}

/* 130 policies, policy i for group g<i>: a sign-in in the first k groups gets the first k
 * policies. A set is kept as its policies' numbers below 2 x words (6) policies, as words from
 * there: every k gets its own number, found again, and its result names exactly those policies;
 * whatif_compiled_part_into gives the memo's row without remembering it. */
static void sets_narrow_and_dense(void **state)
{
    (void)state;
    enum {
        N = 130
    };
    struct whatif_inputs many;
    whatif_inputs_init(&many);
    for (int i = 0; i < N; i++) {
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"id\":\"p%d\",\"displayName\":\"P%d\",\"state\":\"enabled\","
                 "\"conditions\":{\"users\":{\"includeGroups\":[\"g%d\"]},"
                 "\"applications\":{\"includeApplications\":[\"All\"]},"
                 "\"clientAppTypes\":[\"all\"]},"
                 "\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}",
                 i, i, i);
        json_error_t je;
        json_t *p = json_loads(json, 0, &je);
        assert_non_null(p);
        json_array_append_new(many.policies, p);
    }
    static char names[N][8];
    const char *groups[N + 1];
    groups[N] = NULL;
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "g%d", i);
        groups[i] = names[i];
    }
    static const size_t ks[] = {0, 1, 2, 5, 6, 7, 64, 65, N};
    enum {
        NK = sizeof(ks) / sizeof(ks[0])
    };
    long sets[NK][2];
    struct whatif_compiled *wc = whatif_compile(&many);
    size_t words = whatif_compiled_words(wc);
    assert_int_equal(words, 3);
    uint64_t *row = calloc(words, sizeof(uint64_t));
    for (int pass = 0; pass < 2; pass++)
        for (size_t j = 0; j < NK; j++)
            for (int legacy = 0; legacy < 2; legacy++) {
                size_t k = ks[j];
                const char *keep = groups[k];
                groups[k] = NULL; /* the first k groups */
                struct whatif_signin s;
                memset(&s, 0, sizeof(s));
                s.user = "someone@example.com";
                s.member_of = groups;
                s.app = "Office365";
                s.client_app = legacy ? "exchangeActiveSync" : "browser";
                char err[256];
                long set = whatif_compiled_eval(wc, &s, err, sizeof(err));
                assert_true(set >= 0);
                if (pass == 0) {
                    sets[j][legacy] = set;
                    for (size_t i = 0; i < j; i++) /* a new set: a number of its own */
                        assert_true(sets[i][legacy] != set && sets[i][!legacy] != set);
                } else {
                    assert_int_equal(set, sets[j][legacy]); /* found again */
                }
                struct whatif_result r;
                whatif_compiled_result(wc, (size_t)set, &r);
                assert_int_equal(r.n, N);
                for (size_t i = 0; i < N; i++)
                    assert_int_equal(r.policies[i].applies, i < k);
                whatif_result_free(&r);
                const uint64_t *memo = whatif_compiled_part(wc, WHATIF_PART_USERS, &s, err, 256);
                assert_non_null(memo);
                assert_int_equal(
                    whatif_compiled_part_into(wc, WHATIF_PART_USERS, &s, row, err, sizeof(err)), 0);
                assert_memory_equal(row, memo, words * sizeof(uint64_t));
                groups[k] = keep;
            }
    free(row);
    whatif_compiled_free(wc);
    whatif_inputs_fini(&many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix),
        cmocka_unit_test(malformed),
        cmocka_unit_test(sets_narrow_and_dense),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
