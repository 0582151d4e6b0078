/* test_whatif_generated.c — the compiled evaluator's indexes (the users part as hashed sets,
 * named locations by id and name) give whatif_evaluate's answers on generated configurations:
 * many policies with users, groups, roles (names and template ids), "All", "None",
 * GuestsOrExternalUsers, guest types with tenant lists, workload identities, references by id or
 * name in any case, copies of the same conditions; named locations with IP ranges (CIDR and
 * lower/upper), countries, unknown countries, trusted ones, duplicate names, All / AllTrusted /
 * the MFA trusted IPs, locations the inputs do not describe. Every sign-in of a generated matrix
 * is evaluated both ways (and through whatif_evaluate_ix with a location index) and compared
 * policy by policy; the set the compiled evaluator gives equals the one whatif_compiled_set gives
 * for the AND of the sign-in's part rows (how coverage and the impact section build a matrix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/util.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_compiled.h"
#include "runtime/analysis/whatif_int.h"

static uint64_t rng;

static unsigned pick(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

#define NUSERS  12
#define NGROUPS 10
#define NLOCS   30

static const char *const roles[] = {
    "Global Administrator",   "62e90394-69f5-4237-9190-012177145e10",
    "Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Helpdesk Administrator", "not-a-role"};
static const char *const countries[] = {"US", "FR", "DE", "CN", "RU", "GB"};
static const char *const guest_types[] = {"b2bCollaborationGuest", "b2bCollaborationMember",
                                          "internalGuest", "serviceProvider", "otherExternalUser"};

/* A name in a random case (the evaluator compares case-insensitively). */
static json_t *cased(const char *s)
{
    char *c = xstrdup(s);
    if (pick(3) == 0)
        for (char *p = c; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    json_t *j = json_string(c);
    free(c);
    return j;
}

/* A list item: a string, or a reference by id or by name. */
static json_t *item(const char *s)
{
    switch (pick(4)) {
    case 0:
        return json_pack("{s:o}", "id", cased(s));
    case 1:
        return json_pack("{s:s,s:o}", "$ref", "x", "name", cased(s));
    default:
        return cased(s);
    }
}

static char name_buf[64];

static const char *user_name(unsigned i)
{
    snprintf(name_buf, sizeof(name_buf), "user%u@example.com", i);
    return name_buf;
}

static const char *group_name(unsigned i)
{
    if (i % 3 == 0)
        snprintf(name_buf, sizeof(name_buf), "00000000-0000-0000-0001-%012u", i);
    else
        snprintf(name_buf, sizeof(name_buf), "Group %u", i);
    return name_buf;
}

static const char *loc_ref(unsigned i)
{
    if (i % 2)
        snprintf(name_buf, sizeof(name_buf), "loc-id-%u", i);
    else
        snprintf(name_buf, sizeof(name_buf), "Location %u", i % 25); /* names repeat */
    return name_buf;
}

static json_t *users_list(bool include)
{
    json_t *a = json_array();
    unsigned n = pick(4);
    for (unsigned k = 0; k < n; k++) {
        unsigned w = pick(10);
        if (w == 0)
            json_array_append_new(a, cased(include ? "All" : "None"));
        else if (w == 1)
            json_array_append_new(a, cased("GuestsOrExternalUsers"));
        else if (w == 2)
            json_array_append_new(a, cased("None"));
        else if (w == 3)
            json_array_append_new(a, json_integer(7)); /* not a reference: ignored */
        else
            json_array_append_new(a, item(user_name(pick(NUSERS + 2))));
    }
    return a;
}

static json_t *gen_users(void)
{
    json_t *u = json_object();
    json_object_set_new(u, "includeUsers", users_list(true));
    json_object_set_new(u, "excludeUsers", users_list(false));
    static const char *const gk[] = {"includeGroups", "excludeGroups"};
    static const char *const rk[] = {"includeRoles", "excludeRoles"};
    for (int side = 0; side < 2; side++) {
        json_t *g = json_array(), *r = json_array();
        for (unsigned k = pick(3); k > 0; k--)
            json_array_append_new(g, item(group_name(pick(NGROUPS + 2))));
        for (unsigned k = pick(2); k > 0; k--)
            json_array_append_new(r, item(roles[pick(IDPC_ARRAY_LEN(roles))]));
        json_object_set_new(u, gk[side], g);
        json_object_set_new(u, rk[side], r);
        if (pick(6) == 0) {
            json_t *go = json_pack("{s:s}", "guestOrExternalUserTypes",
                                   pick(2) ? "b2bCollaborationGuest,internalGuest"
                                           : "serviceProvider, otherExternalUser");
            if (pick(2))
                json_object_set_new(go, "externalTenants",
                                    json_pack("{s:s,s:[s]}", "membershipKind",
                                              pick(2) ? "enumerated" : "all", "members",
                                              pick(2) ? "tenant-a" : "tenant-b"));
            json_object_set_new(
                u, side ? "excludeGuestsOrExternalUsers" : "includeGuestsOrExternalUsers", go);
        }
    }
    return u;
}

static json_t *loc_list(bool include)
{
    json_t *a = json_array();
    for (unsigned k = pick(include ? 3 : 2) + (include ? 1 : 0); k > 0; k--) {
        unsigned w = pick(12);
        if (w == 0)
            json_array_append_new(a, cased("All"));
        else if (w == 1)
            json_array_append_new(a, cased("AllTrusted"));
        else if (w == 2)
            json_array_append_new(a, json_string("00000000-0000-0000-0000-000000000000"));
        else if (w == 3)
            json_array_append_new(a, json_string("Somewhere undescribed"));
        else
            json_array_append_new(a, item(loc_ref(pick(NLOCS + 3))));
    }
    return a;
}

static json_t *gen_policy(unsigned i)
{
    json_t *cond = json_object();
    if (pick(12) == 0) { /* a workload identity policy */
        json_object_set_new(cond, "clientApplications",
                            json_pack("{s:[s],s:[s]}", "includeServicePrincipals",
                                      pick(2) ? "ServicePrincipalsInMyTenant" : "sp-1",
                                      "excludeServicePrincipals", pick(2) ? "sp-2" : "sp-3"));
        json_object_set_new(cond, "users", json_pack("{s:[s]}", "includeUsers", "None"));
    } else {
        json_object_set_new(cond, pick(8) ? "users" : "Users", gen_users());
    }
    json_object_set_new(cond, "applications",
                        json_pack("{s:[s]}", "includeApplications", pick(3) ? "All" : "Office365"));
    if (pick(3)) {
        json_t *l = json_object();
        json_object_set_new(l, "includeLocations", loc_list(true));
        if (pick(2))
            json_object_set_new(l, "excludeLocations", loc_list(false));
        json_object_set_new(cond, "locations", l);
    }
    if (pick(4) == 0)
        json_object_set_new(cond, "clientAppTypes",
                            json_pack("[s]", pick(2) ? "browser" : "exchangeActiveSync"));
    static const char *const states[] = {"enabled", "enabled", "enabledForReportingButNotEnforced",
                                         "disabled"};
    static const char *const grants[] = {"mfa", "block", "compliantDevice", "domainJoinedDevice"};
    char name[32];
    snprintf(name, sizeof(name), "P%03u", i);
    return json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:[s]}}", "id", name, "displayName", name, "state",
                     states[pick(4)], "conditions", cond, "grantControls", "operator",
                     pick(2) ? "OR" : "AND", "builtInControls", grants[pick(4)]);
}

static json_t *gen_location(unsigned i)
{
    char id[32], nm[32], cidr[32], lo[32], hi[32];
    snprintf(id, sizeof(id), "loc-id-%u", i);
    snprintf(nm, sizeof(nm), "Location %u", i % 25);
    json_t *l = json_pack("{s:s,s:s}", "id", id, "displayName", nm);
    if (i % 3 != 2) {
        snprintf(cidr, sizeof(cidr), "10.%u.0.0/16", i);
        snprintf(lo, sizeof(lo), "172.16.%u.10", i);
        snprintf(hi, sizeof(hi), "172.16.%u.20", i);
        json_object_set_new(l, "ipRanges",
                            json_pack("[{s:s},{s:s,s:s}]", "cidrAddress", cidr, "lowerAddress", lo,
                                      "upperAddress", hi));
        json_object_set_new(l, "isTrusted", json_boolean(pick(3) == 0));
    } else {
        json_object_set_new(l, "countriesAndRegions",
                            json_pack("[s,s]", countries[pick(6)], countries[pick(6)]));
        json_object_set_new(l, "includeUnknownCountriesAndRegions", json_boolean(pick(2)));
    }
    return l;
}

static void assert_same(const struct whatif_result *want, const struct whatif_result *got,
                        size_t signin)
{
    if (want->grant != got->grant)
        fail_msg("sign-in %zu: grant %d, compiled %d", signin, want->grant, got->grant);
    assert_int_equal(want->ncontrols, got->ncontrols);
    for (size_t i = 0; i < want->ncontrols; i++)
        assert_string_equal(want->controls[i], got->controls[i]);
    assert_int_equal(want->n, got->n);
    for (size_t i = 0; i < want->n; i++)
        if (want->policies[i].state == WHATIF_ENABLED &&
            want->policies[i].applies != got->policies[i].applies)
            fail_msg("sign-in %zu: %s applies %d, compiled %d (%s)", signin, want->policies[i].name,
                     want->policies[i].applies, got->policies[i].applies, want->policies[i].detail);
}

/* whatif_evaluate and whatif_evaluate_ix agree on every policy, reason and detail. */
static void assert_identical(const struct whatif_result *a, const struct whatif_result *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->grant, b->grant);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->policies[i].applies, b->policies[i].applies);
        assert_string_equal(a->policies[i].detail, b->policies[i].detail);
    }
}

static void one_config(uint64_t seed, unsigned npolicies)
{
    rng = seed;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    for (unsigned i = 0; i < NLOCS; i++)
        json_array_append_new(in.locations, gen_location(i));
    for (unsigned i = 0; i < npolicies; i++) {
        json_t *p = gen_policy(i);
        json_array_append_new(in.policies, p);
        if (pick(6) == 0) { /* a copy of the same conditions with another grant */
            json_t *q = json_deep_copy(p);
            json_object_set_new(q, "id", json_sprintf("P%03u-copy", i));
            json_object_set_new(
                q, "grantControls",
                json_pack("{s:s,s:[s]}", "operator", "OR", "builtInControls", "mfa"));
            json_array_append_new(in.policies, q);
        }
    }
    struct whatif_compiled *wc = whatif_compile(&in);
    struct whatif_locindex *ix = whatif_locindex_new(in.locations);
    /* the compiled evaluator compares a sign-in's strings by pointer: each value has one */
    const char *gl[NGROUPS + 3];
    const char *rl[4];
    const char *ll[3];
    char ubuf[2][NUSERS][64], gbuf[NGROUPS + 2][64], ipbuf[2][NLOCS + 2][40];
    for (unsigned g = 0; g < NGROUPS + 2; g++)
        snprintf(gbuf[g], sizeof(gbuf[g]), "%s", group_name(g));
    for (unsigned u = 0; u < NUSERS; u++) {
        snprintf(ubuf[0][u], sizeof(ubuf[0][u]), "%s", user_name(u));
        snprintf(ubuf[1][u], sizeof(ubuf[1][u]), "USER%u@EXAMPLE.COM", u);
    }
    for (unsigned l = 0; l < NLOCS + 2; l++) {
        snprintf(ipbuf[0][l], sizeof(ipbuf[0][l]), "10.%u.3.4", l);
        snprintf(ipbuf[1][l], sizeof(ipbuf[1][l]), "172.16.%u.%u", l, 5 + l % 20);
    }
    for (size_t n = 0; n < 1500; n++) {
        struct whatif_signin s;
        memset(&s, 0, sizeof(s));
        unsigned who = pick(10);
        if (who == 0) {
            s.service_principal = pick(2) ? "sp-1" : "sp-2";
        } else {
            const char *u = ubuf[pick(4) == 0][pick(NUSERS)];
            s.user = pick(8) ? u : NULL;
            if (pick(5) == 0) {
                s.guest_type = guest_types[pick(IDPC_ARRAY_LEN(guest_types))];
                s.external_tenant = pick(3) ? "tenant-a" : NULL;
            }
            if (!s.user && !s.guest_type)
                s.user_id = "00000000-0000-0000-0000-0000000000aa";
        }
        size_t ng = 0;
        for (unsigned k = pick(4); k > 0; k--)
            gl[ng++] = gbuf[pick(NGROUPS + 2)];
        gl[ng] = NULL;
        s.member_of = ng ? gl : NULL;
        size_t nr = 0;
        for (unsigned k = pick(3); k > 0; k--)
            rl[nr++] = roles[pick(IDPC_ARRAY_LEN(roles))];
        rl[nr] = NULL;
        s.roles = nr ? rl : NULL;
        s.app = pick(4) ? "00000003-0000-0ff1-ce00-000000000000" : "Office365";
        s.client_app = pick(3) ? "browser" : "exchangeActiveSync";
        switch (pick(5)) {
        case 0:
            s.ip = ipbuf[0][pick(NLOCS + 2)];
            break;
        case 1:
            s.ip = ipbuf[1][pick(NLOCS)];
            break;
        case 2:
            s.country = pick(4) ? countries[pick(6)] : "unknown";
            break;
        case 3:
            ll[0] = pick(3) ? "Somewhere undescribed" : "location 3";
            ll[1] = NULL;
            s.locations = ll;
            break;
        default:
            break;
        }
        s.mfa_trusted_ip = pick(6) == 0;
        struct whatif_result want, got, viaix;
        char err[256];
        assert_int_equal(whatif_evaluate(&in, &s, &want, err, sizeof(err)), 0);
        assert_int_equal(whatif_evaluate_ix(&in, ix, &s, &viaix, err, sizeof(err)), 0);
        assert_identical(&want, &viaix);
        long set = whatif_compiled_eval(wc, &s, err, sizeof(err));
        assert_true(set >= 0);
        /* the same set from the sign-in's part rows (how coverage and impact build a matrix) */
        size_t words = whatif_compiled_words(wc);
        uint64_t *rows = calloc(words, sizeof(uint64_t));
        assert_non_null(rows);
        memset(rows, 0xff, words * sizeof(uint64_t));
        for (int part = 0; part < WHATIF_PARTS; part++) {
            const uint64_t *r = whatif_compiled_part(wc, part, &s, err, sizeof(err));
            assert_non_null(r);
            for (size_t w = 0; w < words; w++)
                rows[w] &= r[w];
        }
        assert_int_equal(whatif_compiled_set(wc, rows, whatif_signin_extras(&s)), set);
        free(rows);
        whatif_compiled_result(wc, (size_t)set, &got);
        assert_same(&want, &got, n);
        whatif_result_free(&got);
        whatif_compiled_outcome(wc, (size_t)set, &got); /* the same combination */
        assert_int_equal(want.grant, got.grant);
        assert_int_equal(want.ncontrols, got.ncontrols);
        for (size_t i = 0; i < want.ncontrols; i++)
            assert_string_equal(want.controls[i], got.controls[i]);
        assert_true(json_equal(want.session, got.session));
        whatif_result_free(&got);
        whatif_result_free(&want);
        whatif_result_free(&viaix);
    }
    whatif_locindex_free(ix);
    whatif_compiled_free(wc);
    whatif_inputs_fini(&in);
}

static void generated(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {1, 42, 20261207, 7777};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(seeds); i++)
        one_config(seeds[i], 40 + 30 * (unsigned)i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
