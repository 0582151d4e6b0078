/* test_plan_fast.c — the plan's fast paths against the general ones they stand for, on odd
 * inputs: the tenant maps' word-at-a-time hash that folds ASCII case (tenant_map.c) against a byte
 * by byte comparison; normalize() sharing the leaves it leaves alone and keeping sets already
 * sorted (normalize_share) against its general path; jsondiff's shortcut for equal objects
 * against the keyed walk; the tenant's names ignoring case, indexed at their first use, against a
 * scan of every object; tenant_member's case-insensitive fallback, which compares only keys of the
 * right length, against the scan that compares every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "unit_json.h"

#include "compiler/compile.h"
#include "compiler/util.h"
#include "runtime/plan/jsondiff.h"
#include "runtime/plan/plan.h"
#include "runtime/plan/normalize.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"
#include "runtime/tenant/tenant_map.h"

/* ---- tenant_map: keys equal ignoring ASCII case hash alike ---- */

static unsigned char ref_fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Every byte at every place of an 8-byte word and of the tail after it, against every byte: a
 * key is found when, and only when, the bytes are equal as ref_fold() folds them (nocase), or
 * equal (exact). A fold that misses a capital (or folds a byte it must not, and compares so)
 * fails here. */
static void test_map_fold(void **state)
{
    (void)state;
    const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 36};
    for (size_t li = 0; li < IDPC_ARRAY_LEN(lens); li++) {
        size_t len = lens[li];
        for (size_t at = 0; at < len; at += (len > 9 ? 3 : 1)) {
            for (int nocase = 0; nocase < 2; nocase++) {
                struct tenant_obj *v = xcalloc(256, sizeof(*v));
                struct tenant_map m;
                tenant_map_init(&m, TENANT_MAP_ID, nocase);
                for (int b = 1; b < 256; b++) {
                    v[b].id = xcalloc(len + 1, 1);
                    for (size_t j = 0; j < len; j++)
                        v[b].id[j] = (char)('a' + (j % 26));
                    v[b].id[at] = (char)b;
                    size_t first = tenant_map_put_first(&m, v, (size_t)b);
                    /* the first byte that folds to the same one */
                    int want = b;
                    for (int c = 1; c < b; c++)
                        if (nocase ? ref_fold((unsigned char)c) == ref_fold((unsigned char)b)
                                   : c == b) {
                            want = c;
                            break;
                        }
                    assert_int_equal(first, (size_t)want);
                }
                char *key = xcalloc(len + 1, 1);
                memcpy(key, v[1].id, len);
                for (int q = 1; q < 256; q++) {
                    key[at] = (char)q;
                    size_t got = tenant_map_get(&m, v, key);
                    assert_true(got != TENANT_NONE);
                    assert_true(got < 256);
                    assert_int_equal(nocase ? ref_fold((unsigned char)v[got].id[at])
                                            : (unsigned char)v[got].id[at],
                                     nocase ? ref_fold((unsigned char)q) : (unsigned char)q);
                }
                /* a key one byte shorter or longer is another key */
                key[len - 1] = '\0';
                if (len > 1)
                    assert_int_equal(tenant_map_get(&m, v, key), TENANT_NONE);
                free(key);
                tenant_map_fini(&m);
                for (int b = 1; b < 256; b++)
                    free(v[b].id);
                free(v);
            }
        }
    }
}

/* ---- normalize: shared leaves and kept sets against the general path ---- */

/* Odd Graph objects: keys and enum values in other casings, a key both ways, ids in capitals and
 * not, unknown members (nested, with annotations and nulls), escapes, non-ASCII, "\u0000" inside
 * strings (the general path's json_string stops there), empty arrays, nulls, duplicate and
 * already sorted set items, numbers and booleans of every kind. */
static const char *const ODD[] = {
    "{\"id\":\"ABCDEF01-2345-6789-ABCD-EF0123456789\",\"displayName\":\"Pol\\u00e9 \\\"q\\\" \\\\ "
    "x\",\"State\":\"ENABLED\",\"conditions\":{\"users\":{\"includeUsers\":[\"All\"],"
    "\"excludeUsers\":[\"b\",\"a\",\"a\",\"C0FFEE00-0000-4000-8000-00000000000A\","
    "\"c0ffee00-0000-4000-8000-00000000000a\"],\"includeGroups\":[],\"excludeGroups\":null,"
    "\"includeRoles\":[\"62e90394-69f5-4237-9190-012177145e10\"],\"excludeRoles\":["
    "\"CDEF0123-4567-89cd-ef01-23456789cdef\"],\"groupish\":\"dddd-EEEE\","
    "\"IncludeGuestsOrExternalUsers\":"
    "{\"guestOrExternalUserTypes\":\"b2bCollaborationGuest,INTERNALGUEST\",\"externalTenants\":{"
    "\"@odata.type\":\"#microsoft.graph.conditionalAccessAllExternalTenants\",\"membershipKind\":"
    "\"ALL\"}}},\"applications\":{\"includeApplications\":[\"office365\"],\"excludeApplications\":["
    "\"x\\u0000y\",\"x\\u0000z\",\"x\"]},\"clientAppTypes\":[\"Browser\","
    "\"mobileAppsAndDesktopClients\","
    "\"browser\"],\"platforms\":[],\"locations\":{\"includeLocations\":[\"AllTrusted\"],"
    "\"excludeLocations\":[\"00000000-0000-0000-0000-000000000000\"]},\"signInRiskLevels\":["
    "\"high\",\"low\"],\"userRiskLevels\":[],\"unknownCondition\":{\"nested\":[3,1,2,1],\"s\":"
    "\"ABC-DEF01\",\"n\":null,\"@odata.type\":\"x\",\"o\":[{\"b\":1},{\"a\":2},{\"b\":1}]},"
    "\"servicePrincipalRiskLevels\":[\"none\"],\"insiderRiskLevels\":\"Minor,elevated\"},"
    "\"grantControls\":{\"operator\":\"or\",\"builtInControls\":[\"MFA\",\"mfa\"],"
    "\"authenticationStrength\":{\"id\":\"00000000-0000-0000-0000-00000000000A\",\"displayName\":"
    "\"x\"},\"customAuthenticationFactors\":[],\"termsOfUse\":[\"T\\u0000\"]},\"sessionControls\":{"
    "\"signInFrequency\":{\"value\":4,\"type\":\"Hours\",\"isEnabled\":true,\"frequencyInterval\":"
    "\"timeBased\",\"authenticationType\":\"primaryAndSecondaryAuthentication\"},"
    "\"persistentBrowser\":null,\"applicationEnforcedRestrictions\":{\"isEnabled\":false}},"
    "\"createdDateTime\":\"2024-01-01T00:00:00Z\",\"@odata.context\":\"x\",\"n\":1.5,\"t\":true,"
    "\"f\":false,\"big\":12345678901234,\"neg\":-0.0,\"empty\":\"\",\"s\\u00e9\":"
    "\"\\u00e9\\u00c9\","
    "\"nul\":\"a\\u0000b\",\"NUL\":\"\\u0000\"}",
    "{\"displayName\":\"a\\u0000b\",\"state\":\"enabledForReportingButNotEnforced\",\"conditions\":"
    "{\"users\":{\"includeUsers\":[\"none\"],\"excludeUsers\":[\"GuestsOrExternalUsers\"]},"
    "\"applications\":{\"includeApplications\":\"All\",\"includeUserActions\":["
    "\"URN:USER:REGISTERSECURITYINFO\"],\"includeAuthenticationContextClassReferences\":[\"c1\","
    "\"C1\"]},\"platforms\":{\"includePlatforms\":[\"ALL\"],\"excludePlatforms\":[\"iOS\","
    "\"android\","
    "\"android\"]},\"devices\":{\"deviceFilter\":{\"mode\":\"Include\",\"rule\":\"device.x -eq "
    "\\\"\\u00e9\\\"\"}},\"clientApplications\":{\"includeServicePrincipals\":["
    "\"ServicePrincipalsInMyTenant\"]}},\"grantControls\":{\"operator\":\"AND\","
    "\"builtInControls\":[\"block\"]},\"sessionControls\":{\"cloudAppSecurity\":{\"isEnabled\":"
    "true,\"cloudAppSecurityType\":\"BLOCKDOWNLOADS\"},\"continuousAccessEvaluation\":{\"mode\":"
    "\"disabled\"},\"disableResilienceDefaults\":false}}",
    "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"L1\",\"displayName\":\"HQ\","
    "\"isTrusted\":true,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\","
    "\"cidrAddress\":\"10.0.0.0/8\"},{\"cidrAddress\":\"2001:DB8::/32\"},{\"cidrAddress\":"
    "\"10.0.0.0/8\"}]}",
    "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"displayName\":\"C\","
    "\"countriesAndRegions\":[\"us\",\"FR\",\"de\",\"FR\"],\"includeUnknownCountriesAndRegions\":"
    "false,\"countryLookupMethod\":\"ClientIpAddress\"}",
    "{\"displayName\":\"G\",\"mailEnabled\":false,\"mailNickname\":\"g\",\"securityEnabled\":true,"
    "\"groupTypes\":[\"Unified\",\"DynamicMembership\"],\"membershipRule\":\"(user.x -eq "
    "\\\"y\\\")\",\"membershipRuleProcessingState\":\"On\",\"isAssignableToRole\":null,"
    "\"description\":\"\",\"visibility\":\"Private\",\"members@odata.bind\":[\"u\"]}",
    "{\"displayName\":\"S\",\"description\":\"d\",\"policyType\":\"custom\","
    "\"allowedCombinations\":[\"password,microsoftAuthenticatorPush\",\"fido2\","
    "\"microsoftAuthenticatorPush , password\",\"FIDO2\"],\"requirementsSatisfied\":\"mfa\","
    "\"combinationConfigurations\":[]}",
    "{\"@odata.type\":\"#microsoft.graph.fido2AuthenticationMethodConfiguration\",\"id\":"
    "\"Fido2\",\"state\":\"Enabled\",\"isAttestationEnforced\":true,\"keyRestrictions\":{"
    "\"isEnforced\":false,\"enforcementType\":\"block\",\"aaGuids\":[\"B\",\"a\"]},"
    "\"includeTargets\":[{\"targetType\":\"group\",\"id\":\"all_users\",\"isRegistrationRequired\":"
    "false}],\"excludeTargets\":[]}",
    "{\"values\":[{\"name\":\"EnableGroupCreation\",\"value\":\"TRUE\"},{\"name\":\"x\",\"value\":"
    "\"C0FFEE00-0000-4000-8000-00000000000A\"}],\"templateId\":\"62375ab9\",\"displayName\":"
    "\"Group.Unified\"}",
    "{\"principalId\":\"ABCDEF01-2345-6789-ABCD-EF0123456789\",\"roleDefinitionId\":"
    "\"62E90394-69F5-4237-9190-012177145E10\",\"directoryScopeId\":\"/\",\"scheduleInfo\":{"
    "\"startDateTime\":null,\"expiration\":{\"type\":\"afterDateTime\",\"endDateTime\":"
    "\"2030-01-01T00:00:00Z\"}}}",
    "{\"accountEnabled\":true,\"userPrincipalName\":\"A@X.example\",\"passwordProfile\":{"
    "\"forceChangePasswordNextSignIn\":true},\"usageLocation\":\"us\",\"otherMails\":[\"b\",\"a\"]"
    "}",
    "{}",
    "{\"a\":[],\"b\":[[]],\"c\":[null],\"d\":{\"e\":{}},\"f\":[\"z\",\"y\"],\"g\":[\"only\"],\"h\":"
    "["
    "{\"only\":1}],\"i\":[1,\"1\",true,null,{\"x\":[]}]}",
};

/* "\u0000" decoded, as the file backend decodes a snapshot (JSON_ALLOW_NUL) */
static json_t *odd(size_t i)
{
    json_error_t je;
    json_t *v = json_loads(ODD[i], JSON_ALLOW_NUL, &je);
    if (!v)
        fail_msg("odd object %zu: %s", i, je.text);
    return v;
}

static char *dump(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(s);
    return s;
}

static json_t *norm_general(enum normalize_kind k, const json_t *v)
{
    normalize_share = false;
    json_t *out = normalize(k, v);
    normalize_share = true;
    return out;
}

/* Every kind on every odd object (and on the fixture corpus's objects): the same members in the
 * same order, byte for byte, shared or not. */
static void test_normalize_share(void **state)
{
    (void)state;
    json_t *all = json_array();
    for (size_t i = 0; i < IDPC_ARRAY_LEN(ODD); i++)
        json_array_append_new(all, odd(i));
    const char *src = getenv("IDPC_SOURCE_DIR");
    static const char *const fixtures[] = {
        "CA01-require-mfa-admins.json",  "CA02-block-legacy-auth.json",
        "CA03-compliant-device.json",    "CA04-sign-in-risk.json",
        "CA05-block-countries.json",     "CA06-security-info.json",
        "CA07-session-persistence.json", "CA08-guests.json",
    };
    for (size_t i = 0; src && i < IDPC_ARRAY_LEN(fixtures); i++) {
        char *path = xasprintf("%s/tests/fixtures/corpus/v1.0/%s", src, fixtures[i]);
        json_error_t je;
        json_t *v = json_load_file(path, 0, &je);
        if (!v)
            fail_msg("%s: %s", path, je.text);
        json_array_append_new(all, v);
        free(path);
    }
    size_t i, shared = 0;
    json_t *in;
    json_array_foreach(all, i, in)
    {
        for (int k = 0; k < NK__COUNT; k++) {
            json_t *fast = normalize((enum normalize_kind)k, in);
            json_t *gen = norm_general((enum normalize_kind)k, in);
            char *a = dump(fast), *b = dump(gen);
            if (strcmp(a, b) != 0)
                fail_msg("object %zu, kind %d:\n fast    %s\n general %s", i, k, a, b);
            assert_true(json_equal(fast, gen));
            /* normalising again (idempotent) gives the same either way */
            json_t *again = normalize((enum normalize_kind)k, fast);
            json_t *again_gen = norm_general((enum normalize_kind)k, gen);
            char *c = dump(again), *d = dump(again_gen);
            assert_string_equal(c, d);
            free(c);
            free(d);
            json_decref(again);
            json_decref(again_gen);
            const json_t *dn = json_object_get(fast, "displayName");
            if (dn && dn == json_object_get(in, "displayName"))
                shared++;
            free(a);
            free(b);
            json_decref(fast);
            json_decref(gen);
        }
    }
    assert_true(shared > 0); /* the fast path was taken */
    /* an id in capitals is a new, lower-cased string; one already lower-case is the input's */
    json_t *p = unit_json("{\"conditions\":{\"users\":{\"includeUsers\":["
                          "\"ABCDEF01-2345-6789-ABCD-EF0123456789\"],\"excludeUsers\":["
                          "\"abcdef01-2345-6789-abcd-ef0123456789\"]}}}");
    json_t *n = normalize(NK_CA_POLICY, p);
    const json_t *pu = json_object_get(json_object_get(p, "conditions"), "users");
    const json_t *nu = json_object_get(json_object_get(n, "conditions"), "users");
    assert_ptr_not_equal(json_array_get(json_object_get(nu, "includeUsers"), 0),
                         json_array_get(json_object_get(pu, "includeUsers"), 0));
    assert_string_equal(json_string_value(json_array_get(json_object_get(nu, "includeUsers"), 0)),
                        "abcdef01-2345-6789-abcd-ef0123456789");
    assert_ptr_equal(json_array_get(json_object_get(nu, "excludeUsers"), 0),
                     json_array_get(json_object_get(pu, "excludeUsers"), 0));
    json_decref(n);
    json_decref(p);
    json_decref(all);
    /* an id is hex digits and dashes (isxdigit): with any other byte a string keeps its case */
    for (int c = 1; c < 128; c++) {
        char text[16];
        snprintf(text, sizeof(text), "ABCD-EF0%c", c);
        json_t *one = json_pack("{s:s}", "unknownMember", text);
        json_t *out = normalize(NK_CA_POLICY, one);
        const char *got = json_string_value(json_object_get(out, "unknownMember"));
        assert_non_null(got);
        char want[16];
        snprintf(want, sizeof(want), "%s", text);
        if (isxdigit(c) || c == '-')
            for (char *q = want; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        assert_string_equal(got, want);
        json_decref(out);
        json_decref(one);
    }
}

/* ---- jsondiff: equal objects, and PATCH bodies made of copies ---- */

/* The keyed walk alone: the pair one level down, beside a member only the new side has, so
 * that the shortcut for equal objects cannot answer; its changes are those under "w". */
static size_t diff_general(const json_t *o, const json_t *n, bool partial, struct jsondiff *out)
{
    json_t *wo = json_pack("{s:O?}", "w", util_json_mut(o));
    json_t *wn = json_pack("{s:O?,s:i}", "w", util_json_mut(n), "~", 1);
    struct jsondiff all;
    if (partial)
        jsondiff_compute_partial(wo, wn, &all);
    else
        jsondiff_compute(wo, wn, &all);
    jsondiff_init(out);
    out->v = xcalloc(all.n + 1, sizeof(*out->v));
    out->cap = all.n + 1;
    for (size_t i = 0; i < all.n; i++) {
        struct jsondiff_change *c = &all.v[i];
        if (strcmp(c->path, "~") == 0)
            continue;
        assert_true(strncmp(c->path, "w.", 2) == 0 || strcmp(c->path, "w") == 0);
        out->v[out->n] = *c;
        out->v[out->n].path = xstrdup(c->path[1] ? c->path + 2 : "");
        free(c->path);
        memset(c, 0, sizeof(*c)); /* its values are out's now */
        out->n++;
    }
    jsondiff_fini(&all);
    json_decref(wo);
    json_decref(wn);
    return out->n;
}

static void same_diff(const struct jsondiff *a, const struct jsondiff *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->v[i].path, b->v[i].path);
        assert_int_equal(a->v[i].op, b->v[i].op);
        assert_true(json_equal(a->v[i].old_value, b->v[i].old_value) ||
                    (!a->v[i].old_value && !b->v[i].old_value));
        assert_true(json_equal(a->v[i].new_value, b->v[i].new_value) ||
                    (!a->v[i].new_value && !b->v[i].new_value));
    }
}

/* every value node of v (not the shared true, false and null) into seen */
static void nodes(const json_t *v, json_t *seen)
{
    if (!v || json_is_true(v) || json_is_false(v) || json_is_null(v))
        return;
    char key[32];
    snprintf(key, sizeof(key), "%p", (const void *)v);
    json_object_set_new(seen, key, json_true());
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_object(v)) {
        json_object_foreach(util_json_mut(v), k, e)
        {
            nodes(e, seen);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            nodes(e, seen);
        }
    }
}

static bool shares(const json_t *body, const json_t *seen)
{
    json_t *mine = json_object();
    nodes(body, mine);
    bool any = false;
    const char *k;
    json_t *e;
    json_object_foreach(mine, k, e)
    {
        any = any || json_object_get(seen, k) != NULL;
    }
    json_decref(mine);
    return any;
}

/* Every pair of odd objects, normalised as each kind: the diff with the shortcut equals the keyed
 * walk's (an object against itself and against a copy included); the PATCH body shares no value
 * with the desired or the current object it is made from. */
static void test_jsondiff_fast(void **state)
{
    (void)state;
    size_t n = IDPC_ARRAY_LEN(ODD), checked = 0;
    json_t **in = xcalloc(n, sizeof(*in));
    for (size_t i = 0; i < n; i++)
        in[i] = odd(i);
    for (int k = 0; k < NK__COUNT; k++) {
        if (k == NK_ROLE_POLICY)
            continue; /* plan_role_policy: no PATCH body */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                json_t *have = normalize((enum normalize_kind)k, in[i]);
                json_t *want =
                    i == j ? json_deep_copy(have) : normalize((enum normalize_kind)k, in[j]);
                for (int partial = 0; partial < 2; partial++) {
                    struct jsondiff fast, gen;
                    if (partial)
                        jsondiff_compute_partial(have, want, &fast);
                    else
                        jsondiff_compute(have, want, &fast);
                    diff_general(have, want, partial, &gen);
                    same_diff(&fast, &gen);
                    if (i == j)
                        assert_int_equal(fast.n, 0);
                    jsondiff_fini(&gen);
                    if (!partial && fast.n) {
                        json_t *body =
                            jsondiff_patch_body((enum normalize_kind)k, in[j], in[i], &fast);
                        json_t *seen = json_object();
                        nodes(in[i], seen);
                        nodes(in[j], seen);
                        assert_false(shares(body, seen));
                        json_decref(seen);
                        json_decref(body);
                        checked++;
                    }
                    jsondiff_fini(&fast);
                }
                json_decref(have);
                json_decref(want);
            }
        }
    }
    assert_true(checked > 100);
    for (size_t i = 0; i < n; i++)
        json_decref(in[i]);
    free(in);
}

/* ---- names ignoring case, indexed at their first use ---- */

static const char *const NAMES[] = {
    "G",   "g",   "Sales",  "SALES", "x", "G", "sales", "\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9",
    "[g]", "{G}", "Sales ", "G"};

static size_t scan_first(const struct tenant *t, enum tenant_kind k, const char *name, size_t from)
{
    for (size_t i = from; i < t->idx[k].n; i++) {
        const char *a = t->idx[k].v[i].name, *b = name;
        if (!a)
            continue;
        for (; *a && *b && ref_fold((unsigned char)*a) == ref_fold((unsigned char)*b); a++, b++)
            ;
        if (!*a && !*b)
            return i;
    }
    return TENANT_NONE;
}

/* Groups and named locations whose names repeat in other casings: each name's first object, the
 * ones after it and their count ignoring case are a scan's, whichever is asked first (the chain
 * after an object, or the first by name). */
static void test_lnames_lazy(void **state)
{
    (void)state;
    char dir[] = "/tmp/idpc-test-fast-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/tenant.json", dir);
    json_t *groups = json_array(), *locs = json_array();
    for (size_t i = 0; i < IDPC_ARRAY_LEN(NAMES); i++) {
        char id[64];
        snprintf(id, sizeof(id), "aaaaaaaa-0000-4000-8000-%012zu", i);
        json_array_append_new(groups, json_pack("{s:s,s:s}", "id", id, "displayName", NAMES[i]));
        id[0] = 'b';
        json_array_append_new(locs,
                              json_pack("{s:s,s:s,s:s,s:[s]}", "@odata.type",
                                        "#microsoft.graph.countryNamedLocation", "id", id,
                                        "displayName", NAMES[i], "countriesAndRegions", "FR"));
    }
    json_t *doc =
        json_pack("{s:s,s:{s:[{s:s}],s:[],s:o,s:o}}", "format", "idpc-tenant/1", "collections",
                  "organization", "id", "11111111-2222-4333-8444-555555555555", "users", "groups",
                  groups, "identity/conditionalAccess/namedLocations", locs);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    char *spec = xasprintf("file:%s", path);
    for (int order = 0; order < 2; order++) {
        const enum tenant_kind kinds[] = {TK_GROUP, TK_LOCATION};
        struct backend *b = NULL;
        struct backend_error err;
        if (backend_open(spec, &b, &err) != 0)
            fail_msg("%s", err.message);
        struct tenant t;
        if (tenant_load(&t, b, &err) != 0)
            fail_msg("%s", err.message);
        for (size_t kk = 0; kk < IDPC_ARRAY_LEN(kinds); kk++) {
            enum tenant_kind k = kinds[kk];
            assert_int_equal(t.idx[k].n, IDPC_ARRAY_LEN(NAMES));
            if (order == 1) /* the chain first: after "G" at 0 come "g", "G" and "G" */
                assert_int_equal(tenant_next_named(&t, k, 0, true), 1);
            for (size_t i = 0; i < IDPC_ARRAY_LEN(NAMES); i++) {
                size_t first = tenant_first_lnamed(&t, k, NAMES[i]);
                assert_int_equal(first, scan_first(&t, k, NAMES[i], 0));
                size_t n = 0, expect = first;
                for (size_t j = first; j != TENANT_NONE; j = tenant_next_named(&t, k, j, true)) {
                    assert_int_equal(j, expect);
                    expect = scan_first(&t, k, NAMES[i], j + 1);
                    n++;
                }
                assert_int_equal(expect, TENANT_NONE);
                size_t want = 0;
                for (size_t j = scan_first(&t, k, NAMES[i], 0); j != TENANT_NONE;
                     j = scan_first(&t, k, NAMES[i], j + 1))
                    want++;
                assert_int_equal(n, want);
                assert_int_equal(tenant_count_named(&t, k, first, true), want);
            }
            assert_int_equal(tenant_first_lnamed(&t, k, "nobody"), TENANT_NONE);
        }
        tenant_free(&t);
        backend_close(b);
    }
    free(spec);
    unlink(path);
    char *lock = xasprintf("%s.lock", path);
    unlink(lock);
    free(lock);
    free(path);
    rmdir(dir);
}

/* ---- tenant_member: a member, else one named so ignoring case ---- */

static const json_t *member_general(const json_t *obj, const char *key)
{
    if (!json_is_object(obj))
        return NULL;
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        const char *k;
        json_t *x;
        json_object_foreach(util_json_mut(obj), k, x)
        {
            if (strcasecmp(k, key) == 0) {
                v = x;
                break;
            }
        }
    }
    return json_is_null(v) ? NULL : v;
}

/* Every key of every odd object, and each in other casings, shortened, lengthened and with a
 * letter changed, is answered as the general scan answers it. */
static void test_member_fast(void **state)
{
    (void)state;
    json_t *extra =
        unit_json("{\"A\":1,\"a\":2,\"ab\":3,\"AB\":null,\"\":4,\"\\u00e9\":5,\"\\u00c9\":6,"
                  "\"[\":7,\"{\":8,\"Conditions\":{},\"conditionS\":[]}");
    json_t *all = json_array();
    for (size_t i = 0; i < IDPC_ARRAY_LEN(ODD); i++)
        json_array_append_new(all, odd(i));
    json_array_append_new(all, extra);
    static const char *const probes[] = {"",   "a",          "A",          "b",        "ab", "aB",
                                         "Ab", "abc",        "\xc3\xa9",   "\xc3\x89", "[",  "{",
                                         "{{", "CONDITIONS", "conditions", "x"};
    size_t i, asked = 0;
    json_t *o;
    json_array_foreach(all, i, o)
    {
        json_t *keys = json_array();
        const char *k;
        json_t *x;
        json_object_foreach(o, k, x)
        {
            json_array_append_new(keys, json_string(k));
            char *up = xstrdup(k), *low = xstrdup(k);
            for (char *q = up; *q; q++)
                *q = (char)toupper((unsigned char)*q);
            for (char *q = low; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            json_array_append_new(keys, json_string(up));
            json_array_append_new(keys, json_string(low));
            if (*k) {
                low[strlen(low) - 1] = '\0';
                json_array_append_new(keys, json_string(low));
                up[0] = up[0] == 'Z' ? 'Y' : (char)(up[0] + 1);
                json_array_append_new(keys, json_string(up));
            }
            char *longer = xasprintf("%sS", k);
            json_array_append_new(keys, json_string(longer));
            free(longer);
            free(up);
            free(low);
        }
        for (size_t p = 0; p < IDPC_ARRAY_LEN(probes); p++)
            json_array_append_new(keys, json_string(probes[p]));
        size_t j;
        json_t *key;
        json_array_foreach(keys, j, key)
        {
            assert_ptr_equal(tenant_member(o, json_string_value(key)),
                             member_general(o, json_string_value(key)));
            asked++;
        }
        json_decref(keys);
    }
    assert_true(asked > 500);
    assert_null(tenant_member(NULL, "a"));
    json_decref(all);
}

/* ---- unmanaged objects: a marked object is its id's first ---- */

/* A snapshot holds an id once (a second, in any casing, is refused), so each marked position is
 * the first of its id: a marked object is managed without a lookup, an unmarked one is looked up.
 * The configuration pins "Renamed" to the id "One" has in capitals. */
static void test_unmanaged_marks(void **state)
{
    (void)state;
    char dir[] = "/tmp/idpc-test-fast-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *conf = xasprintf("%s/main.idp", dir), *tpath = xasprintf("%s/tenant.json", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs("policy \"Renamed\" {\n  id \"dddddddd-0000-4000-8000-00000000000a\"\n"
          "  state report_only\n  users include all\n  apps include all\n  grant block\n}\n",
          f);
    assert_int_equal(fclose(f), 0);
    static const char *const ids[] = {"DDDDDDDD-0000-4000-8000-00000000000A",
                                      "dddddddd-0000-4000-8000-00000000000b"};
    static const char *const names[] = {"One", "Other"};
    for (int dup = 1; dup >= 0; dup--) {
        json_t *pol = json_array();
        for (size_t i = 0; i < IDPC_ARRAY_LEN(ids) + (size_t)dup; i++)
            json_array_append_new(
                pol,
                json_pack("{s:s,s:s,s:s,s:{s:{s:[s]},s:{s:[s]}},s:{s:s,s:[s]}}", "id",
                          i < IDPC_ARRAY_LEN(ids) ? ids[i] : "dddddddd-0000-4000-8000-00000000000a",
                          "displayName", i < IDPC_ARRAY_LEN(ids) ? names[i] : "Copy", "state",
                          "enabledForReportingButNotEnforced", "conditions", "users",
                          "includeUsers", "All", "applications", "includeApplications", "All",
                          "grantControls", "operator", "OR", "builtInControls", "block"));
        json_t *doc =
            json_pack("{s:s,s:{s:[{s:s}],s:[],s:[],s:o}}", "format", "idpc-tenant/1", "collections",
                      "organization", "id", "11111111-2222-4333-8444-555555555555", "users",
                      "groups", "identity/conditionalAccess/policies", pol);
        assert_int_equal(json_dump_file(doc, tpath, 0), 0);
        json_decref(doc);
        char *spec = xasprintf("file:%s", tpath);
        struct backend *b = NULL;
        struct backend_error err;
        int rc = backend_open(spec, &b, &err);
        free(spec);
        if (dup) { /* the same id twice, in another casing: refused */
            assert_int_not_equal(rc, 0);
            assert_non_null(strstr(err.message, "duplicate id"));
            continue;
        }
        if (rc != 0)
            fail_msg("%s", err.message);
        const char *paths[] = {conf};
        struct compile_options opt = {.freeze = plan_freeze_request()};
        struct compile_result cr;
        assert_int_equal(compile_paths_with(paths, 1, &opt, &cr), 0);
        compile_drop_tree(&cr);
        struct plan_options po = {.release_bodies = true};
        json_t *plan = plan_build(cr.model, cr.diag, b, &po);
        assert_non_null(plan);
        const json_t *un = json_object_get(plan, "unmanaged");
        assert_int_equal(json_array_size(un), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(un, 0), "name")),
                            "Other");
        json_decref(plan);
        backend_close(b);
        compile_free(&cr);
    }
    unlink(conf);
    unlink(tpath);
    char *lock = xasprintf("%s.lock", tpath);
    unlink(lock);
    free(lock);
    rmdir(dir);
    free(conf);
    free(tpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_fold),      cmocka_unit_test(test_normalize_share),
        cmocka_unit_test(test_jsondiff_fast), cmocka_unit_test(test_lnames_lazy),
        cmocka_unit_test(test_member_fast),   cmocka_unit_test(test_unmanaged_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
