/* test_fingerprint.c — the named-location fast path of a plan's fingerprints
 * (normalize_location_sorted, tenant_sha256_ordered) gives the general path's canonical text and
 * SHA-256 byte for byte, on Graph's shapes and on odd ones (unknown members, other casing,
 * escapes, non-ASCII, empty and absent arrays, nulls, IPv6, countries, values of other types);
 * and it leaves to the general path what only that path decides. A location's key
 * (normalize_location_key, plan_location_key) is its canonical form written another way: the
 * test writes the key of the canonical tree itself and reads the tree back from the key, so that
 * two keys are equal exactly when the canonical texts are; both codecs thaw what they froze. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>

#include "runtime/plan/normalize.h"
#include "runtime/plan/plan.h"
#include "runtime/tenant/tenant.h"

static json_t *parse(const char *s)
{
    json_error_t err;
    json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j)
        fail_msg("bad test JSON: %s: %s", err.text, s);
    return j;
}

/* ---- the key, written and read by the test from the canonical tree (normalize.h) ---- */

static const char *const KEY_MEMBERS[] = {"countriesAndRegions",
                                          "countryLookupMethod",
                                          "displayName",
                                          "includeUnknownCountriesAndRegions",
                                          "ipRanges",
                                          "isTrusted",
                                          "kind"};
static const char *const KEY_KINDS[] = {"ipNamedLocation", "countryNamedLocation",
                                        "compliantNetworkNamedLocation"};

static void key_app(char **buf, size_t *len, const char *s, size_t n)
{
    *buf = realloc(*buf, *len + n + 1);
    assert_non_null(*buf);
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static void key_app_count(char **buf, size_t *len, size_t n)
{
    char d[32];
    int w = snprintf(d, sizeof(d), "%zu:", n);
    key_app(buf, len, d, (size_t)w);
}

/* The key normalize_location_key should give for a canonical tree; *len its length. */
static char *key_of_tree(const json_t *canon, size_t *len)
{
    char *buf = NULL;
    *len = 0;
    key_app(&buf, len, "", 0);
    for (size_t m = 0; m < sizeof(KEY_MEMBERS) / sizeof(KEY_MEMBERS[0]); m++) {
        const json_t *v = json_object_get(canon, KEY_MEMBERS[m]);
        if (!v)
            continue;
        char tag = (char)('A' + m);
        bool known = false;
        for (size_t k = 0; m == NORMALIZE_LOCATION_KEY_KIND && k < 3; k++) {
            if (json_string_length(v) == strlen(KEY_KINDS[k]) &&
                memcmp(json_string_value(v), KEY_KINDS[k], json_string_length(v)) == 0) {
                char t[2] = {(char)('a' + m), (char)('0' + k)};
                key_app(&buf, len, t, 2);
                known = true;
            }
        }
        if (known)
            continue;
        key_app(&buf, len, &tag, 1);
        if (json_is_string(v)) {
            key_app_count(&buf, len, json_string_length(v));
            key_app(&buf, len, json_string_value(v), json_string_length(v));
        } else if (json_is_array(v)) {
            key_app_count(&buf, len, json_array_size(v));
            for (size_t i = 0; i < json_array_size(v); i++) {
                const json_t *e = json_array_get(v, i);
                assert_true(json_is_string(e));
                key_app_count(&buf, len, json_string_length(e));
                key_app(&buf, len, json_string_value(e), json_string_length(e));
            }
        } else {
            assert_true(json_is_true(v));
        }
    }
    return buf;
}

static size_t read_count(const char **p)
{
    char *end;
    unsigned long long n = strtoull(*p, &end, 10);
    assert_true(end > *p && *end == ':');
    *p = end + 1;
    return (size_t)n;
}

/* The canonical tree a key holds, read back (members in the key's order). */
static json_t *tree_of_key(const char *key)
{
    json_t *out = json_object();
    const char *p = key;
    while (*p) {
        char tag = *p++;
        if (tag == 'a' + NORMALIZE_LOCATION_KEY_KIND) {
            assert_in_range(*p, '0', '2');
            json_object_set_new(out, "kind", json_string(KEY_KINDS[*p++ - '0']));
            continue;
        }
        assert_in_range(tag, 'A', 'A' + 6);
        int m = tag - 'A';
        const char *name = KEY_MEMBERS[m];
        if (m == NORMALIZE_LOCATION_KEY_UNKNOWN || m == NORMALIZE_LOCATION_KEY_TRUSTED) {
            json_object_set_new(out, name, json_true());
        } else if (m == NORMALIZE_LOCATION_KEY_COUNTRIES || m == NORMALIZE_LOCATION_KEY_RANGES) {
            size_t n = read_count(&p);
            json_t *a = json_array();
            for (size_t i = 0; i < n; i++) {
                size_t l = read_count(&p);
                json_array_append_new(a, json_stringn(p, l));
                p += l;
            }
            json_object_set_new(out, name, a);
        } else {
            size_t l = read_count(&p);
            json_object_set_new(out, name, json_stringn(p, l));
            p += l;
        }
    }
    return out;
}

/* The key of obj agrees with its canonical tree (normalize_location_sorted) both ways, and
 * plan_location_key is the key, or the fingerprint where there is none. */
static void check_key(const json_t *obj)
{
    json_t *canon = normalize_location_sorted(obj);
    struct normalize_location_key key;
    bool ok = normalize_location_key(obj, &key);
    char *pk = plan_location_key(obj);
    if (!canon) {
        assert_false(ok);
    } else if (!ok) { /* only a canonical string holding NUL has no key */
        char *t = json_dumps(canon, JSON_COMPACT);
        assert_non_null(strstr(t, "\\u0000"));
        free(t);
    }
    if (ok) {
        size_t len;
        char *want = key_of_tree(canon, &len);
        assert_int_equal(key.len, len);
        if (memcmp(key.text, want, len + 1) != 0)
            fail_msg("key\n  got:  %s\n  want: %s", key.text, want);
        assert_int_equal(strlen(key.text), key.len);
        json_t *back = tree_of_key(key.text);
        char *a = json_dumps(back, JSON_COMPACT), *b = json_dumps(canon, JSON_COMPACT);
        assert_string_equal(a, b);
        /* the ranges are the canonical set's */
        const json_t *set = json_object_get(canon, "ipRanges");
        assert_int_equal(key.nranges, json_array_size(set));
        for (size_t i = 0; i < key.nranges; i++)
            assert_string_equal(key.ranges[i], json_string_value(json_array_get(set, i)));
        assert_int_equal(pk[0], PLAN_LOCATION_KEY_MARK);
        if (len <= 128) {
            assert_string_equal(pk + 1, want);
        } else { /* a long key by its SHA-256 */
            char *sha = tenant_sha256_text(want, len);
            assert_int_equal(pk[1], '#');
            assert_string_equal(pk + 2, sha);
            free(sha);
        }
        free(a);
        free(b);
        json_decref(back);
        free(want);
    } else {
        char *fp = plan_location_fingerprint(obj);
        assert_string_equal(pk, fp);
        free(fp);
    }
    free(pk);
    json_decref(canon);
}

/* The general path's canonical text and fingerprint, and the fast path's when it takes obj;
 * returns whether it did. The key agrees (check_key). */
static bool check_same(const json_t *obj)
{
    check_key(obj);
    json_t *general = normalize(NK_NAMED_LOCATION, obj);
    char *want = json_dumps(general, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *want_sha = tenant_sha256(general);
    json_t *fast = normalize_location_sorted(obj);
    if (fast) {
        char *got = json_dumps(fast, JSON_COMPACT | JSON_ENCODE_ANY);
        char *in = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
        if (strcmp(got, want) != 0)
            fail_msg("fast path of %s\n  got:  %s\n  want: %s", in, got, want);
        char *sha = tenant_sha256_ordered(fast);
        assert_string_equal(sha, want_sha);
        free(sha);
        free(in);
        free(got);
    }
    /* whichever path plan_fingerprint takes, the fingerprint is the general one */
    char *fp = plan_fingerprint("named_location", obj);
    assert_string_equal(fp, want_sha);
    free(fp);
    free(want_sha);
    free(want);
    json_decref(general);
    bool took = fast != NULL;
    json_decref(fast);
    return took;
}

static bool same_text(const char *text)
{
    json_t *obj = parse(text);
    bool took = check_same(obj);
    json_decref(obj);
    return took;
}

/* Graph's shapes (a GET of each kind, a request body as lowered, an export): the fast path. */
static void test_graph_shapes(void **state)
{
    (void)state;
    static const char *const fast[] = {
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"e0e2928b-a180-5e4a-b9c6-"
        "acbcab7865f6\",\"displayName\":\"Site 0000\",\"modifiedDateTime\":\"2023-01-01T00:00:"
        "00Z\",\"createdDateTime\":\"2023-01-01T00:00:00Z\",\"isTrusted\":false,\"ipRanges\":[{"
        "\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.0.0/24\"},{"
        "\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.1.0/24\"}]}",
        /* as lowered: ranges out of strcmp order, a duplicate, IPv6 in other spellings */
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"HQ\","
        "\"isTrusted\":true,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\","
        "\"cidrAddress\":\"52.0.9.0/24\"},{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\","
        "\"cidrAddress\":\"52.0.10.0/24\"},{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\","
        "\"cidrAddress\":\"2001:DB8:0:0::/48\"},{\"@odata.type\":\"#microsoft.graph."
        "iPv4CidrRange\",\"cidrAddress\":\" 52.0.9.0/24 \"},{\"@odata.type\":\"#microsoft.graph."
        "iPv6CidrRange\",\"cidrAddress\":\"2001:0db8::/48\"}]}",
        "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"id\":\"x\","
        "\"displayName\":\"Blocked countries\",\"countriesAndRegions\":[\"fr\",\"DE\",\"Fr\"],"
        "\"includeUnknownCountriesAndRegions\":false,\"countryLookupMethod\":\"clientIpAddress\"}",
        "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"displayName\":\"GPS\","
        "\"countriesAndRegions\":[\"US\"],\"includeUnknownCountriesAndRegions\":true,"
        "\"countryLookupMethod\":\"AUTHENTICATORAPPGPS\"}",
        "{\"@odata.type\":\"#microsoft.graph.compliantNetworkNamedLocation\",\"displayName\":"
        "\"n\"}",
        /* an export without @odata.type: the kind follows from what the location holds */
        "{\"displayName\":\"ranges only\",\"ipRanges\":[\"203.0.113.0/24\"]}",
        "{\"displayName\":\"countries only\",\"countriesAndRegions\":\"nl\"}",
        "{\"displayName\":\"neither\"}",
        "{}",
        "{\"id\":\"only read-only members\",\"createdDateTime\":null,\"deletedDateTime\":5}",
        /* the type in other spellings, or one idpc does not know */
        "{\"@odata.type\":\"microsoft.graph.IPNAMEDLOCATION\",\"displayName\":\"a\"}",
        "{\"@odata.type\":\"#Microsoft.Graph.countryNamedLocation\",\"displayName\":\"a\"}",
        "{\"@odata.type\":\"#microsoft.graph.futureNamedLocation\",\"displayName\":\"a\"}",
        "{\"@odata.type\":\"\",\"displayName\":\"a\"}",
        /* other annotations and action advertisements are dropped */
        "{\"@odata.context\":\"x\",\"#microsoft.graph.restore\":{},\"displayName@odata.x\":1,"
        "\"displayName\":\"a\",\"ipRanges\":[]}",
        /* escapes and non-ASCII in names, kept exactly */
        "{\"displayName\":\"Caf\\u00e9 \\\"HQ\\\" \\\\ \\n\\t\\u0001 \\ud83d\\ude00 "
        "\\u6771\\u4eac\",\"ipRanges\":[{\"cidrAddress\":\"198.51.100.0/24\"}]}",
        "{\"displayName\":\"\",\"ipRanges\":null,\"countriesAndRegions\":null}",
        /* empty or all-null arrays read as absent */
        "{\"displayName\":\"e\",\"ipRanges\":[],\"countriesAndRegions\":[]}",
        "{\"displayName\":\"e\",\"ipRanges\":[null,null],\"countriesAndRegions\":[null]}",
        /* nulls for every member */
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":null,"
        "\"isTrusted\":null,\"ipRanges\":null,\"countriesAndRegions\":null,"
        "\"includeUnknownCountriesAndRegions\":null,\"countryLookupMethod\":null}",
        /* ranges as address pairs, text that is no address, an element without an address */
        "{\"displayName\":\"r\",\"ipRanges\":[{\"lowerAddress\":\"192.0.2.1\",\"upperAddress\":"
        "\"192.0.2.9\"},\"Not An Address\",\"10.0.0.1/33\",{\"@odata.type\":\"x\"},"
        "{\"cidrAddress\":\"::FFFF:1.2.3.4/128\",\"extra\":1},\"1.2.3.4\",\"\"]}",
        "{\"displayName\":\"v6\",\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph."
        "iPv6CidrRange\",\"cidrAddress\":\"2001:db8:0:0:0:0:0:1/128\"},\"::/0\",\"fe80::1%eth0\"]}",
        "{\"displayName\":\"c\",\"countriesAndRegions\":[\"us\",\"US\",\"\",\"\\u00e9s\"],"
        "\"countryLookupMethod\":\"somethingNew\",\"includeUnknownCountriesAndRegions\":false}",
        "{\"displayName\":\"many\",\"ipRanges\":[\"1.0.0.0/8\",\"2.0.0.0/8\",\"3.0.0.0/8\","
        "\"4.0.0.0/8\",\"5.0.0.0/8\",\"6.0.0.0/8\",\"7.0.0.0/8\",\"8.0.0.0/8\",\"9.0.0.0/8\","
        "\"10.0.0.0/8\",\"11.0.0.0/8\",\"12.0.0.0/8\",\"13.0.0.0/8\",\"14.0.0.0/8\","
        "\"15.0.0.0/8\",\"16.0.0.0/8\",\"17.0.0.0/8\",\"1.0.0.0/8\"]}",
    };
    for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
        if (!same_text(fast[i]))
            fail_msg("the fast path left %s to the general one", fast[i]);
}

/* What only the general path decides: it is left to it, and the fingerprint is still its own. */
static void test_left_to_general(void **state)
{
    (void)state;
    static const char *const general[] = {
        /* an unknown member, kept by the general path */
        "{\"displayName\":\"a\",\"compliantNetworkType\":\"allTenantCompliantNetworks\"}",
        "{\"displayName\":\"a\",\"ipRanges\":[\"1.2.3.0/24\"],\"futureField\":[\"B\",\"a\"]}",
        /* a member in other casing (it maps to the property unless both are there) */
        "{\"DisplayName\":\"a\"}",
        "{\"displayName\":\"a\",\"DisplayName\":\"b\"}",
        "{\"displayName\":\"a\",\"IPRanges\":[\"1.2.3.0/24\"]}",
        "{\"displayName\":\"a\",\"istrusted\":true}",
        /* "kind", which set_kind reads when "@odata.type" is not a string */
        "{\"kind\":\"countryNamedLocation\",\"displayName\":\"a\"}",
        "{\"@odata.type\":5,\"displayName\":\"a\"}",
        "{\"@odata.type\":null,\"displayName\":\"a\",\"ipRanges\":[\"1.2.3.0/24\"]}",
        /* values of another type than Graph gives */
        "{\"displayName\":5}",
        "{\"displayName\":{\"b\":1,\"a\":2}}",
        "{\"displayName\":\"a\",\"isTrusted\":\"true\"}",
        "{\"displayName\":\"a\",\"isTrusted\":1}",
        "{\"displayName\":\"a\",\"includeUnknownCountriesAndRegions\":\"false\"}",
        "{\"displayName\":\"a\",\"ipRanges\":\"1.2.3.0/24\"}",
        "{\"displayName\":\"a\",\"ipRanges\":{\"cidrAddress\":\"1.2.3.0/24\"}}",
        "{\"displayName\":\"a\",\"ipRanges\":[\"1.2.3.0/24\",7]}",
        "{\"displayName\":\"a\",\"ipRanges\":[{\"zeta\":\"Z\",\"alpha\":\"ABCDEF01-2345\"}]}",
        "{\"displayName\":\"a\",\"ipRanges\":[[\"1.2.3.0/24\"]]}",
        "{\"displayName\":\"a\",\"countriesAndRegions\":[\"FR\",1]}",
        "{\"displayName\":\"a\",\"countriesAndRegions\":7}",
        "{\"displayName\":\"a\",\"countryLookupMethod\":true}",
    };
    for (size_t i = 0; i < sizeof(general) / sizeof(general[0]); i++)
        if (same_text(general[i]))
            fail_msg("the fast path took %s", general[i]);
    /* member names holding NUL (jansson's decoder refuses them; its API does not) */
    static const struct {
        const char *key;
        size_t len;
        bool fast;
    } nul_keys[] = {{"displayName\0x", 13, false},
                    {"isTrusted\0", 10, false},
                    /* "@odata.type" with more after a NUL is no type: both paths agree */
                    {"@odata.type\0x", 13, true}};
    for (size_t i = 0; i < sizeof(nul_keys) / sizeof(nul_keys[0]); i++) {
        json_t *o = json_pack("{s:s,s:[s]}", "displayName", "a", "ipRanges", "1.2.3.0/24");
        json_object_setn_new(o, nul_keys[i].key, nul_keys[i].len,
                             json_string("#microsoft.graph.countryNamedLocation"));
        assert_int_equal(check_same(o), nul_keys[i].fast);
        json_decref(o);
    }
    /* a name holding NUL: the fast path's, but no key (plan_location_key: the fingerprint) */
    json_t *nul = json_object();
    json_object_set_new(nul, "displayName", json_stringn("a\0b", 3));
    assert_true(check_same(nul));
    struct normalize_location_key key;
    assert_false(normalize_location_key(nul, &key));
    json_decref(nul);
    /* not an object */
    json_t *s = json_string("x");
    assert_null(normalize_location_sorted(s));
    assert_null(normalize_location_sorted(NULL));
    assert_false(normalize_location_key(s, &key));
    assert_false(normalize_location_key(NULL, &key));
    json_decref(s);
}

/* Generated locations: members drawn from Graph's and odd values, in shuffled order. */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(uint32_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state % n;
}

static const char *const TYPES[] = {"\"#microsoft.graph.ipNamedLocation\"",
                                    "\"#microsoft.graph.countryNamedLocation\"",
                                    "\"microsoft.graph.compliantNetworkNamedLocation\"",
                                    "\"#microsoft.graph.other\"",
                                    "null",
                                    "1"};
static const char *const NAMES[] = {"\"Site 0001\"",         "\"\"", "\"caf\\u00e9 \\\"x\\\"\"",
                                    "\"\\u6771\\u4eac\\n\"", "null", "\"ABCDEF01-2345-6789\""};
static const char *const FLAGS[] = {"true", "false", "null", "\"true\"", "0"};
static const char *const RANGES[] = {
    "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.10.0/24\"}",
    "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.9.0/24\"}",
    "{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\",\"cidrAddress\":\"2001:DB8::/32\"}",
    "{\"cidrAddress\":\"2001:db8:0::/32\"}",
    "\"198.51.100.7/32\"",
    "\" 203.0.113.0/24\"",
    "{\"lowerAddress\":\"192.0.2.1\",\"upperAddress\":\"192.0.2.20\"}",
    "\"no address\"",
    "null",
    "{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\"}",
    "{\"other\":\"x\"}",
    "3"};
static const char *const COUNTRIES[] = {"\"FR\"", "\"fr\"",      "\"De\"", "\"\"",
                                        "null",   "\"\\u00e9\"", "2"};
static const char *const LOOKUPS[] = {"\"clientIpAddress\"",
                                      "\"CLIENTIPADDRESS\"",
                                      "\"authenticatorAppGps\"",
                                      "\"newMethod\"",
                                      "null",
                                      "false"};

/* Appends s to the text in buf (cap bytes), cut short where it would not fit. */
static void app(char *buf, size_t cap, const char *s)
{
    size_t at = strlen(buf), n = strlen(s);
    if (n > cap - 1 - at)
        n = cap - 1 - at;
    memcpy(buf + at, s, n);
    buf[at + n] = '\0';
}

/* A list of values from the pool, or now and then one value without its list. */
static void add_list(char *buf, size_t cap, const char *const *pool, size_t npool)
{
    size_t n = rnd(6);
    if (n == 1 && rnd(8) == 0) {
        app(buf, cap, pool[rnd((uint32_t)npool)]);
        return;
    }
    app(buf, cap, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            app(buf, cap, ",");
        app(buf, cap, pool[rnd((uint32_t)npool)]);
    }
    app(buf, cap, "]");
}

#define POOL(p) p, sizeof(p) / sizeof(p[0])

static void test_generated(void **state)
{
    (void)state;
    static const char *const members[] = {"@odata.type",
                                          "id",
                                          "createdDateTime",
                                          "displayName",
                                          "isTrusted",
                                          "ipRanges",
                                          "countriesAndRegions",
                                          "includeUnknownCountriesAndRegions",
                                          "countryLookupMethod",
                                          "@odata.etag",
                                          "displayname",
                                          "unknownThing",
                                          "kind"};
    size_t took = 0, total = 4000;
    for (size_t round = 0; round < total; round++) {
        char buf[4096] = "{";
        size_t order[sizeof(members) / sizeof(members[0])];
        size_t nm = sizeof(members) / sizeof(members[0]);
        for (size_t i = 0; i < nm; i++)
            order[i] = i;
        for (size_t i = nm - 1; i > 0; i--) {
            size_t j = rnd((uint32_t)(i + 1)), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        bool first = true;
        for (size_t i = 0; i < nm; i++) {
            size_t m = order[i];
            /* the odd members seldom, Graph's often */
            if (rnd(m >= 9 ? 12 : 3) != 0)
                continue;
            if (!first)
                app(buf, sizeof(buf), ",");
            first = false;
            app(buf, sizeof(buf), "\"");
            app(buf, sizeof(buf), members[m]);
            app(buf, sizeof(buf), "\":");
            switch (m) {
            case 0:
                app(buf, sizeof(buf), TYPES[rnd(6)]);
                break;
            case 3:
            case 10:
                app(buf, sizeof(buf), NAMES[rnd(6)]);
                break;
            case 4:
            case 7:
                app(buf, sizeof(buf), FLAGS[rnd(5)]);
                break;
            case 5:
                add_list(buf, sizeof(buf), POOL(RANGES));
                break;
            case 6:
            case 11:
                add_list(buf, sizeof(buf), POOL(COUNTRIES));
                break;
            case 8:
            case 12:
                app(buf, sizeof(buf), LOOKUPS[rnd(6)]);
                break;
            default:
                app(buf, sizeof(buf), "\"2023-01-01T00:00:00Z\"");
                break;
            }
        }
        app(buf, sizeof(buf), "}");
        if (same_text(buf))
            took++;
    }
    /* both paths are exercised */
    assert_true(took > total / 10);
    assert_true(took < total);
}

/* The file backend's fingerprints at load and the model's when frozen come from the same
 * function: a plan compares like with like. */
static void test_location_fingerprint(void **state)
{
    (void)state;
    json_t *a = parse("{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"id\":\"1\","
                      "\"displayName\":\"HQ\",\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":"
                      "\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.10.0/24\"},{"
                      "\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":"
                      "\"52.0.9.0/24\"}]}");
    json_t *b = parse("{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":"
                      "\"HQ\",\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":\"#microsoft."
                      "graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.9.0/24\"},{\"@odata.type\":"
                      "\"#microsoft.graph.iPv4CidrRange\",\"cidrAddress\":\"52.0.10.0/24\"}]}");
    char *fa = plan_location_fingerprint(a), *fb = plan_location_fingerprint(b);
    assert_string_equal(fa, fb);
    /* the canonical text's SHA-256, as saved plans hold it */
    assert_string_equal(fa, "e050cb846a147668bfebf0dbde7f0087dbad2c09797317c04b93e246b8644825");
    free(fa);
    free(fb);
    /* their keys, alike; and not alike once anything the canonical form holds differs */
    char *ka = plan_location_key(a), *kb = plan_location_key(b);
    assert_string_equal(ka, kb);
    assert_string_equal(ka, "kC2:HQE2:12:52.0.10.0/2411:52.0.9.0/24g0");
    static const char *const differs[] = {
        "{\"displayName\":\"HQ\",\"isTrusted\":true,\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/"
        "24\"]}",
        "{\"displayName\":\"hq\",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/24\"]}",
        "{\"displayName\":\"HQ \",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/24\"]}",
        "{\"displayName\":\"HQ\",\"ipRanges\":[\"52.0.9.0/24\"]}",
        "{\"displayName\":\"HQ\",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/25\"]}",
        "{\"displayName\":\"HQ\",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/24\",\"::/0\"]}",
        "{\"displayName\":\"HQ\",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/24\"],"
        "\"@odata.type\":\"#microsoft.graph.countryNamedLocation\"}",
        "{\"displayName\":\"HQ\",\"ipRanges\":[\"52.0.9.0/24\",\"52.0.10.0/24\"],"
        "\"countriesAndRegions\":[\"FR\"]}",
        /* a name that reads like the key's own punctuation */
        "{\"displayName\":\"HQE2:12:52.0.10.0/24\",\"ipRanges\":[\"52.0.9.0/24\"]}",
    };
    for (size_t i = 0; i < sizeof(differs) / sizeof(differs[0]); i++) {
        json_t *c = parse(differs[i]);
        char *kc = plan_location_key(c);
        if (strcmp(kc, ka) == 0)
            fail_msg("the key of %s is the key of another location", differs[i]);
        free(kc);
        json_decref(c);
    }
    /* the same again, in another order, with a duplicate, in other spellings */
    json_t *c = parse("{\"ipRanges\":[\" 52.0.10.0/24\",\"52.0.9.0/24\",{\"cidrAddress\":"
                      "\"52.0.10.0/24\"}],\"isTrusted\":null,\"displayName\":\"HQ\","
                      "\"@odata.type\":\"microsoft.graph.IPNAMEDLOCATION\"}");
    char *kc = plan_location_key(c);
    assert_string_equal(kc, ka);
    free(kc);
    json_decref(c);
    free(ka);
    free(kb);
    /* long keys (by their SHA-256): alike in any order, not alike with one range more */
    json_t *l1 = json_pack("{s:s,s:[]}", "displayName", "long", "ipRanges");
    json_t *l2 = json_pack("{s:s,s:[]}", "displayName", "long", "ipRanges");
    for (int i = 0; i < 20; i++) {
        char r1[32], r2[32];
        snprintf(r1, sizeof(r1), "10.0.%d.0/24", i);
        snprintf(r2, sizeof(r2), "10.0.%d.0/24", 19 - i);
        json_array_append_new(json_object_get(l1, "ipRanges"), json_string(r1));
        json_array_append_new(json_object_get(l2, "ipRanges"), json_string(r2));
    }
    char *k1 = plan_location_key(l1), *k2 = plan_location_key(l2);
    assert_int_equal(k1[1], '#');
    assert_string_equal(k1, k2);
    free(k2);
    json_array_append_new(json_object_get(l2, "ipRanges"), json_string("10.0.20.0/24"));
    k2 = plan_location_key(l2);
    assert_string_not_equal(k1, k2);
    free(k1);
    free(k2);
    json_decref(l1);
    json_decref(l2);
    json_decref(a);
    json_decref(b);
}

/* A list of ids is fingerprinted as a set: lower-cased (ASCII letters only), sorted, once. */
static void test_ids(void **state)
{
    (void)state;
    json_t *ids = parse("[\"B-1\",\"a-2\",\"b-1\",5,null,\"\u00c4x\",\"A-2\",\"\",\"\u00e4x\"]");
    json_t *want = parse("[\"\",\"a-2\",\"b-1\",\"\u00c4x\",\"\u00e4x\"]");
    char *fp = plan_fingerprint("ids", ids);
    char *sha = tenant_sha256(want);
    assert_string_equal(fp, sha);
    free(sha);
    free(fp);
    /* an empty list, and a value that is no list: the set is empty */
    json_t *none = json_array(), *obj = parse("{\"a\":\"B\"}");
    sha = tenant_sha256(none);
    fp = plan_fingerprint("ids", none);
    assert_string_equal(fp, sha);
    free(fp);
    fp = plan_fingerprint("ids", obj);
    assert_string_equal(fp, sha);
    free(fp);
    free(sha);
    json_decref(obj);
    json_decref(none);
    json_decref(want);
    json_decref(ids);
}

/* plan_location_codec: a body as lowered freezes to its canonical text with its fingerprint, and
 * thaws to the same body, members and ranges in the same order. plan_location_key_codec (`keys`):
 * to its key with the key as its digest, and thaws likewise. */
static bool codec_round_trip_with(const json_t *body, bool keys)
{
    const struct model_codec *codec = keys ? &plan_location_key_codec : &plan_location_codec;
    char *digest = NULL;
    char *frozen = codec->freeze(body, &digest);
    if (!frozen) {
        assert_null(digest);
        return false;
    }
    char *want_sha = keys ? plan_location_key(body) : plan_location_fingerprint(body);
    assert_string_equal(digest, want_sha);
    if (keys) { /* the text before the order of the ranges is the key (or what it hashes) */
        assert_int_equal(digest[0], PLAN_LOCATION_KEY_MARK);
        if (digest[1] == '#') {
            char *sha = tenant_sha256_text(frozen, strlen(frozen));
            assert_true(strlen(frozen) > 128);
            assert_string_equal(digest + 2, sha);
            free(sha);
        } else {
            assert_string_equal(frozen, digest + 1);
        }
    } else { /* the text before the order of the ranges is the canonical text, which the digest
                hashes */
        char *sha = tenant_sha256_text(frozen, strlen(frozen));
        assert_string_equal(sha, want_sha);
        free(sha);
    }
    json_t *thawed = codec->thaw(frozen);
    char *want = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    char *got = json_dumps(thawed, JSON_COMPACT | JSON_ENCODE_ANY);
    if (strcmp(want, got) != 0)
        fail_msg("thawed\n  got:  %s\n  want: %s", got, want);
    free(got);
    free(want);
    json_decref(thawed);
    free(want_sha);
    free(digest);
    free(frozen);
    return true;
}

/* Both codecs take the same bodies (but for a name holding NUL, which has no key). */
static bool codec_round_trip(const json_t *body)
{
    bool took = codec_round_trip_with(body, false);
    const json_t *name = json_object_get(body, "displayName");
    bool nul = json_is_string(name) && strlen(json_string_value(name)) != json_string_length(name);
    assert_int_equal(codec_round_trip_with(body, true), took && !nul);
    return took;
}

static json_t *lowered(const char *name, bool trusted, const char *const *ranges, size_t n)
{
    json_t *b = json_object();
    json_object_set_new(b, "@odata.type", json_string("#microsoft.graph.ipNamedLocation"));
    json_object_set_new(b, "displayName", json_string(name));
    json_object_set_new(b, "isTrusted", json_boolean(trusted));
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a,
                              json_pack("{s:s,s:s}", "@odata.type",
                                        strchr(ranges[i], ':') ? "#microsoft.graph.iPv6CidrRange"
                                                               : "#microsoft.graph.iPv4CidrRange",
                                        "cidrAddress", ranges[i]));
    json_object_set_new(b, "ipRanges", a);
    return b;
}

static void test_codec(void **state)
{
    (void)state;
    static const char *const r[] = {
        "52.0.8.0/24",    "52.0.9.0/24", "52.0.10.0/24", "2001:db8:1::/48",
        "203.0.113.7/32", "52.0.9.0/24", "::/0",         "0.0.0.0/0"};
    static const char *const names[] = {"Site 0001", "", "Caf\xc3\xa9 \"HQ\" \\ \n\x01",
                                        "\xe6\x9d\xb1\xe4\xba\xac"};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        for (size_t n = 0; n <= sizeof(r) / sizeof(r[0]); n++) {
            json_t *b = lowered(names[k], n % 2 == 1, r, n);
            assert_true(codec_round_trip(b));
            json_decref(b);
            /* the ranges in reverse order, duplicates included */
            const char *rev[sizeof(r) / sizeof(r[0])];
            for (size_t i = 0; i < n; i++)
                rev[i] = r[n - 1 - i];
            b = lowered(names[k], n % 2 == 0, rev, n);
            assert_true(codec_round_trip(b));
            json_decref(b);
        }
    }
    /* a name holding NUL */
    json_t *b = lowered("x", false, r, 3);
    json_object_set_new(b, "displayName", json_stringn("a\0b", 3));
    assert_true(codec_round_trip(b));
    json_decref(b);
    /* a canonical text longer than the first buffer */
    static char many[600][20];
    const char *mp[600];
    for (size_t i = 0; i < 600; i++) {
        snprintf(many[i], sizeof(many[i]), "10.%zu.%zu.0/24", i / 256, i % 256);
        mp[i] = many[i];
    }
    b = lowered("many", true, mp, 600);
    assert_true(codec_round_trip(b));
    json_decref(b);

    /* not as lowered: left to the JSON text */
    static const char *const other[] = {
        /* a range in another spelling than its canonical one */
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\","
        "\"cidrAddress\":\"2001:DB8::/32\"}]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\","
        "\"cidrAddress\":\" 1.2.3.0/24\"}]}",
        /* the range's type is not its family's */
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv6CidrRange\","
        "\"cidrAddress\":\"1.2.3.0/24\"}]}",
        /* a range with more, or in another order */
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[{\"@odata.type\":\"#microsoft.graph.iPv4CidrRange\","
        "\"cidrAddress\":\"1.2.3.0/24\",\"x\":1}]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[{\"cidrAddress\":\"1.2.3.0/24\",\"@odata.type\":"
        "\"#microsoft.graph.iPv4CidrRange\"}]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[\"1.2.3.0/24\"]}",
        /* members in another order, one more or less, of another type */
        "{\"displayName\":\"a\",\"@odata.type\":\"#microsoft.graph.ipNamedLocation\","
        "\"isTrusted\":false,\"ipRanges\":[]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":false,\"ipRanges\":[],\"x\":1}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"ipRanges\":[]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":null,\"ipRanges\":[]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":null,"
        "\"isTrusted\":true,\"ipRanges\":[]}",
        "{\"@odata.type\":\"#microsoft.graph.ipNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":true,\"ipRanges\":{}}",
        "{\"@odata.type\":\"#microsoft.graph.IPNamedLocation\",\"displayName\":\"a\","
        "\"isTrusted\":true,\"ipRanges\":[]}",
        /* a country location */
        "{\"@odata.type\":\"#microsoft.graph.countryNamedLocation\",\"displayName\":\"c\","
        "\"countriesAndRegions\":[\"FR\"],\"includeUnknownCountriesAndRegions\":false,"
        "\"countryLookupMethod\":\"clientIpAddress\"}",
    };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        json_t *o = parse(other[i]);
        if (codec_round_trip(o))
            fail_msg("the codec took %s", other[i]);
        json_decref(o);
    }
}

/* What normalize makes of an address text, by the rule itself (trimmed; an address and its
 * prefix parsed and written back by inet_pton and inet_ntop; else lower-cased). */
static char *oracle_cidr(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *t = strndup(s, len);
    assert_non_null(t);
    char *slash = strchr(t, '/');
    if (slash)
        *slash = '\0';
    int af = strchr(t, ':') ? AF_INET6 : AF_INET;
    unsigned char addr[16];
    char text[INET6_ADDRSTRLEN + 8];
    char *end = NULL;
    long prefix = slash && slash[1] ? strtol(slash + 1, &end, 10) : -1;
    bool ok = inet_pton(af, t, addr) == 1 && inet_ntop(af, addr, text, sizeof(text)) &&
              (!slash || (end && !*end && prefix >= 0 && prefix <= (af == AF_INET ? 32 : 128)));
    char *out;
    if (ok && slash) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof(text) - n, "/%ld", prefix);
    }
    if (ok) {
        out = strdup(text);
    } else {
        if (slash)
            *slash = '/';
        for (char *p = t; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        out = strdup(t);
    }
    free(t);
    return out;
}

/* One address text: the canonical form's range and the key's are the oracle's. */
static void check_address(const char *text)
{
    json_t *o = json_pack("{s:s,s:[s]}", "displayName", "a", "ipRanges", text);
    check_same(o);
    json_t *canon = normalize_location_sorted(o);
    const char *got = json_string_value(json_array_get(json_object_get(canon, "ipRanges"), 0));
    char *want = oracle_cidr(text);
    if (*want) {
        if (!got || strcmp(got, want) != 0)
            fail_msg("address \"%s\"\n  got:  %s\n  want: %s", text, got ? got : "(none)", want);
        struct normalize_location_key key;
        assert_true(normalize_location_key(o, &key));
        assert_int_equal(key.nranges, 1);
        assert_string_equal(key.ranges[0], want);
    }
    free(want);
    json_decref(canon);
    json_decref(o);
}

/* Addresses in canonical text (taken as they are) and near them (parsed): both give the rule's
 * text. */
static void test_addresses(void **state)
{
    (void)state;
    static const char *const odd[] = {"52.0.9.0/24",
                                      "0.0.0.0/0",
                                      "255.255.255.255/32",
                                      "1.2.3.4",
                                      "01.2.3.4/24",
                                      "1.2.3.04",
                                      "1.2.3.4/024",
                                      "1.2.3.4/00",
                                      "256.1.1.1/8",
                                      "1.2.3/24",
                                      "1.2.3.4.5/24",
                                      "1.2.3.4/33",
                                      "1.2.3.4/",
                                      "/24",
                                      " 1.2.3.4/24",
                                      "1.2.3.4/24 ",
                                      "1.2.3.4 /24",
                                      "1.2.3.4/ 24",
                                      "1.2.3.4/+24",
                                      "1.2.3.4/-0",
                                      "1.2.3.4/24/8",
                                      "1..3.4/8",
                                      "1.2.3.4x",
                                      "1.2.3.4/2x",
                                      "1234.1.1.1",
                                      "1.2.3.0004/8",
                                      "\t10.0.0.0/8\n",
                                      "A.B.C.D",
                                      "0.0.0.0",
                                      "0.0.0.0/32",
                                      "2001:DB8::/32",
                                      "::ffff:1.2.3.4/128",
                                      "1.2.3.4:80",
                                      "",
                                      "1.2.3.4/1000",
                                      "10.0.0.1/33"};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
        check_address(odd[i]);
    static const char *const parts[] = {"0",   "00",  "01",  "9",    "10", "99", "100", "199",
                                        "255", "256", "300", "1000", "",   "a",  " 1",  "7 "};
    static const char *const prefixes[] = {"0",   "00", "8",  "08", "24",  "32", "33",
                                           "128", "",   "1x", "-1", " 24", "+8", "032"};
    for (int round = 0; round < 20000; round++) {
        char text[128] = "";
        size_t n = 3 + rnd(3);
        if (rnd(20) == 0)
            app(text, sizeof(text), " ");
        for (size_t p = 0; p < n; p++) {
            if (p)
                app(text, sizeof(text), rnd(40) ? "." : ":");
            /* mostly valid parts, so that canonical texts come often */
            app(text, sizeof(text),
                rnd(2) ? parts[4 + rnd(5)] : parts[rnd(sizeof(parts) / sizeof(parts[0]))]);
        }
        if (rnd(4)) {
            app(text, sizeof(text), "/");
            app(text, sizeof(text),
                rnd(2) ? prefixes[2 + rnd(3)]
                       : prefixes[rnd(sizeof(prefixes) / sizeof(prefixes[0]))]);
        }
        check_address(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_shapes), cmocka_unit_test(test_left_to_general),
        cmocka_unit_test(test_generated),    cmocka_unit_test(test_location_fingerprint),
        cmocka_unit_test(test_codec),        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
