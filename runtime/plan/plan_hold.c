/* plan_hold.c — the named locations a plan holds as text, on both sides: the tenant's (taken
 * while the backend loads them, plan_hold_locations) and the configuration's (frozen as each is
 * lowered, plan_freeze_request, or after the compile, plan_freeze_model), each with its plan
 * fingerprint, so that a location found unchanged by its fingerprint never turns back into a
 * tree. A configuration's IP range location is frozen as its canonical text (the text its
 * fingerprint hashes, written once for both) with the order of its ranges. A plan that keeps no
 * fingerprint takes each location on both sides with its key instead (plan_hold_location_keys,
 * plan_freeze_request_keyed): the canonical form written without a tree, JSON text or hash
 * (normalize_location_key), and the IP range location frozen as that key. */
#include "runtime/plan/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/plan/normalize.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

char *plan_location_fingerprint(const json_t *location)
{
    return plan_fingerprint(normalize_kind_name(NK_NAMED_LOCATION), location);
}

void plan_hold_locations(void)
{
    backend_freeze_hook(plan_location_fingerprint);
}

/* PLAN_LOCATION_KEY_MARK and the key; a long key (a location with many ranges) as '#' and its
 * SHA-256 (hex) instead, so that the tenant's side holds at most KEY_HELD bytes of it (a key
 * never starts with '#'). */
#define KEY_HELD 128
static char *key_digest(const struct normalize_location_key *key)
{
    if (key->len > KEY_HELD) {
        char *sha = tenant_sha256_text(key->text, key->len);
        size_t n = strlen(sha);
        char *out = xmalloc(n + 3);
        out[0] = PLAN_LOCATION_KEY_MARK;
        out[1] = '#';
        memcpy(out + 2, sha, n + 1);
        free(sha);
        return out;
    }
    char *out = xmalloc(key->len + 2);
    out[0] = PLAN_LOCATION_KEY_MARK;
    memcpy(out + 1, key->text, key->len + 1);
    return out;
}

char *plan_location_key(const json_t *location)
{
    struct normalize_location_key key;
    if (!normalize_location_key(location, &key))
        return plan_location_fingerprint(location); /* never equal to a key */
    return key_digest(&key);
}

void plan_hold_location_keys(void)
{
    backend_freeze_hook(plan_location_key);
}

/* ---- an IP range location as the compiler lowers it (compiler/lower_location.c) ---- */

static const char IP_LOCATION[] = "#microsoft.graph.ipNamedLocation";
static const char IPV4_RANGE[] = "#microsoft.graph.iPv4CidrRange";
static const char IPV6_RANGE[] = "#microsoft.graph.iPv6CidrRange";

/* The member at `it` is `key` (exactly) holding a string, or NULL. */
static const json_t *member(void *it, const char *key)
{
    if (!it || strcmp(json_object_iter_key(it), key) != 0 ||
        json_object_iter_key_len(it) != strlen(key))
        return NULL;
    return json_object_iter_value(it);
}

static bool string_is(const json_t *v, const char *s, size_t len)
{
    return json_is_string(v) && json_string_length(v) == len &&
           memcmp(json_string_value(v), s, len) == 0;
}

/* A range {"@odata.type": the family's, "cidrAddress": text}: its text, or NULL. */
static const char *lowered_range(const json_t *r)
{
    if (json_object_size(r) != 2)
        return NULL;
    void *it = json_object_iter(util_json_mut(r));
    const json_t *type = member(it, "@odata.type");
    it = json_object_iter_next(util_json_mut(r), it);
    const json_t *cidr = member(it, "cidrAddress");
    const char *s = json_string_value(cidr);
    if (!type || !s || strlen(s) != json_string_length(cidr))
        return NULL;
    bool v6 = strchr(s, ':') != NULL;
    return string_is(type, v6 ? IPV6_RANGE : IPV4_RANGE,
                     v6 ? sizeof(IPV6_RANGE) - 1 : sizeof(IPV4_RANGE) - 1)
               ? s
               : NULL;
}

/* The canonical set of a location's ranges, sorted by strcmp: the JSON array of the canonical
 * tree (location_freeze), or the key's texts (location_key_freeze). */
struct range_set {
    const json_t *array;
    const char *const *texts;
    size_t n;
};

static const char *range_at(const struct range_set *set, size_t i)
{
    return set->array ? json_string_value(json_array_get(set->array, i)) : set->texts[i];
}

/* Where text is in the canonical set, or -1. */
static long find_range(const struct range_set *set, const char *text)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(range_at(set, mid), text);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* A body of the lowered shape ({"@odata.type", "displayName", "isTrusted", "ipRanges"} in this
 * order, each range as lowered_range reads it): its ranges' texts in the body's order, in
 * `small` (16 places) when they fit, else in a new array (free_texts); NULL for any other body. */
static const char **lowered_texts(const json_t *body, const char **small, size_t *n)
{
    if (json_object_size(body) != 4)
        return NULL;
    json_t *b = util_json_mut(body);
    void *it = json_object_iter(b);
    const json_t *type = member(it, "@odata.type");
    const json_t *name = member(it = json_object_iter_next(b, it), "displayName");
    const json_t *trusted = member(it = json_object_iter_next(b, it), "isTrusted");
    const json_t *ranges = member(json_object_iter_next(b, it), "ipRanges");
    if (!string_is(type, IP_LOCATION, sizeof(IP_LOCATION) - 1) || !json_is_string(name) ||
        !json_is_boolean(trusted) || !json_is_array(ranges) || json_array_size(ranges) > UINT32_MAX)
        return NULL;
    *n = json_array_size(ranges);
    const char **texts = *n <= 16 ? small : xmalloc(*n * sizeof(*texts));
    for (size_t i = 0; i < *n; i++) {
        if (!(texts[i] = lowered_range(json_array_get(ranges, i)))) {
            if (texts != small)
                free(texts);
            return NULL;
        }
    }
    return texts;
}

static void free_texts(const char **texts, const char **small)
{
    if (texts != small)
        free(texts);
}

/* Writes at p the number of ranges and, for each text in the body's order, its place in the
 * canonical set (uint32_t each, unaligned). False when a text is not in the set: a range in
 * another spelling than its canonical one. */
static bool put_places(char *p, const char *const *texts, size_t n, const struct range_set *set)
{
    uint32_t count = (uint32_t)n;
    memcpy(p, &count, sizeof(count));
    p += sizeof(count);
    for (size_t i = 0; i < n; i++) {
        long at = find_range(set, texts[i]);
        if (at < 0)
            return false;
        uint32_t u = (uint32_t)at;
        memcpy(p, &u, sizeof(u));
        p += sizeof(u);
    }
    return true;
}

/* The frozen form: the canonical text, NUL, then the number of ranges and, for each range in
 * the body's order, its place in the canonical set (uint32_t each, unaligned). Only a body of the
 * lowered shape ({"@odata.type", "displayName", "isTrusted", "ipRanges"} in this order, each
 * range as lowered_range reads it, its text already canonical) is frozen so: its canonical form
 * holds all of it. */
static char *location_freeze(const json_t *body, char **digest)
{
    const char *small_texts[16];
    size_t n;
    const char **texts = lowered_texts(body, small_texts, &n);
    if (!texts)
        return NULL;
    json_t *canon = normalize_location_sorted(body);
    if (!canon) {
        free_texts(texts, small_texts);
        return NULL;
    }
    const json_t *array = json_object_get(canon, "ipRanges");
    const struct range_set set = {array, NULL, json_array_size(array)};
    char small[4096];
    size_t len = json_dumpb(canon, small, sizeof(small), JSON_COMPACT);
    size_t size = len + 1 + (n + 1) * sizeof(uint32_t);
    char *frozen = len ? xmalloc(size) : NULL;
    if (frozen && len <= sizeof(small))
        memcpy(frozen, small, len);
    else if (frozen && json_dumpb(canon, frozen, len, JSON_COMPACT) != len)
        BUG("the canonical text of a location changed between two writes");
    if (frozen) {
        frozen[len] = '\0';
        if (!put_places(frozen + len + 1, texts, n, &set)) {
            free(frozen);
            frozen = NULL;
        }
    }
    if (frozen)
        *digest = tenant_sha256_text(frozen, len);
    json_decref(canon);
    free_texts(texts, small_texts);
    return frozen;
}

static json_t *location_thaw(const char *frozen)
{
    json_error_t err;
    json_t *canon = json_loads(frozen, JSON_ALLOW_NUL, &err);
    if (!canon) /* the text is json_dumpb's own: only a failed allocation gets here */
        BUG("thawing a frozen location: %s", err.text);
    const char *p = frozen + strlen(frozen) + 1;
    uint32_t n;
    memcpy(&n, p, sizeof(n));
    p += sizeof(n);
    const json_t *set = json_object_get(canon, "ipRanges");
    const json_t *name = json_object_get(canon, "displayName");
    json_t *body = json_object();
    json_object_set_new_nocheck(body, "@odata.type", json_string_nocheck(IP_LOCATION));
    json_object_set_new_nocheck(
        body, "displayName",
        json_stringn_nocheck(json_string_value(name), json_string_length(name)));
    json_object_set_new_nocheck(body, "isTrusted",
                                json_boolean(json_object_get(canon, "isTrusted") != NULL));
    json_t *ranges = json_array();
    for (uint32_t i = 0; i < n; i++, p += sizeof(uint32_t)) {
        uint32_t at;
        memcpy(&at, p, sizeof(at));
        const char *s = json_string_value(json_array_get(set, at));
        if (!s)
            BUG("a frozen location's range %u is not in its canonical text", (unsigned)at);
        json_t *r = json_object();
        json_object_set_new_nocheck(r, "@odata.type",
                                    json_string_nocheck(strchr(s, ':') ? IPV6_RANGE : IPV4_RANGE));
        json_object_set_new_nocheck(r, "cidrAddress", json_string_nocheck(s));
        json_array_append_new(ranges, r);
    }
    json_object_set_new_nocheck(body, "ipRanges", ranges);
    json_decref(canon);
    return body;
}

const struct model_codec plan_location_codec = {.freeze = location_freeze, .thaw = location_thaw};

/* ---- the same location frozen for a plan that keeps no fingerprint (plan_location_key_codec) ---- */

/* The frozen form: the key (normalize_location_key), NUL, then the number of ranges and, for
 * each range in the body's order, its place in the canonical set (uint32_t each, unaligned).
 * Only a body of the lowered shape (as location_freeze takes it) is frozen so: its key holds all
 * of it. No tree and no JSON text are made. */
static char *location_key_freeze(const json_t *body, char **digest)
{
    const char *small_texts[16];
    size_t n;
    const char **texts = lowered_texts(body, small_texts, &n);
    if (!texts)
        return NULL;
    struct normalize_location_key key;
    if (!normalize_location_key(body, &key)) {
        free_texts(texts, small_texts);
        return NULL;
    }
    const struct range_set set = {NULL, key.ranges, key.nranges};
    size_t size = key.len + 1 + (n + 1) * sizeof(uint32_t);
    char *frozen = xmalloc(size);
    memcpy(frozen, key.text, key.len + 1);
    if (!put_places(frozen + key.len + 1, texts, n, &set)) {
        free(frozen);
        frozen = NULL;
    }
    if (frozen)
        *digest = key_digest(&key);
    free_texts(texts, small_texts);
    return frozen;
}

/* A length or count of the key (decimal, then ':') at *p, which then moves past it. */
static size_t key_count(const char **p)
{
    size_t n = 0;
    while (**p >= '0' && **p <= '9')
        n = n * 10 + (size_t)(*(*p)++ - '0');
    if (**p != ':')
        BUG("a frozen location's key is not as normalize_location_key writes it");
    (*p)++;
    return n;
}

static json_t *location_key_thaw(const char *frozen)
{
    const char *p = frozen;
    /* the members a lowered body's key holds: displayName, ipRanges, isTrusted, the kind */
    const char *name = NULL, *set = NULL;
    size_t name_len = 0, nset = 0;
    bool trusted = false;
    while (*p) {
        char tag = *p++;
        if (tag == 'A' + NORMALIZE_LOCATION_KEY_NAME) {
            name_len = key_count(&p);
            name = p;
            p += name_len;
        } else if (tag == 'A' + NORMALIZE_LOCATION_KEY_RANGES) {
            nset = key_count(&p);
            set = p;
            for (size_t i = 0; i < nset; i++)
                p += key_count(&p);
        } else if (tag == 'A' + NORMALIZE_LOCATION_KEY_TRUSTED) {
            trusted = true;
        } else if (tag == 'a' + NORMALIZE_LOCATION_KEY_KIND && *p == '0') {
            p++; /* ipNamedLocation */
        } else {
            BUG("a frozen location's key holds member '%c'", tag);
        }
    }
    if (!name)
        BUG("a frozen location's key has no name");
    p++;
    /* the canonical set's texts by place */
    const char *small_at[16];
    size_t small_len[16];
    const char **at = nset <= 16 ? small_at : xmalloc(nset * sizeof(*at));
    size_t *lens = nset <= 16 ? small_len : xmalloc(nset * sizeof(*lens));
    for (size_t i = 0; i < nset; i++) {
        lens[i] = key_count(&set);
        at[i] = set;
        set += lens[i];
    }
    uint32_t n;
    memcpy(&n, p, sizeof(n));
    p += sizeof(n);
    json_t *body = json_object();
    json_object_set_new_nocheck(body, "@odata.type", json_string_nocheck(IP_LOCATION));
    json_object_set_new_nocheck(body, "displayName", json_stringn_nocheck(name, name_len));
    json_object_set_new_nocheck(body, "isTrusted", json_boolean(trusted));
    json_t *ranges = json_array();
    for (uint32_t i = 0; i < n; i++, p += sizeof(uint32_t)) {
        uint32_t k;
        memcpy(&k, p, sizeof(k));
        if (k >= nset)
            BUG("a frozen location's range %u is not in its canonical set", (unsigned)k);
        json_t *r = json_object();
        json_object_set_new_nocheck(
            r, "@odata.type",
            json_string_nocheck(memchr(at[k], ':', lens[k]) ? IPV6_RANGE : IPV4_RANGE));
        json_object_set_new_nocheck(r, "cidrAddress", json_stringn_nocheck(at[k], lens[k]));
        json_array_append_new(ranges, r);
    }
    json_object_set_new_nocheck(body, "ipRanges", ranges);
    if (at != small_at) {
        free(at);
        free(lens);
    }
    return body;
}

const struct model_codec plan_location_key_codec = {.freeze = location_key_freeze,
                                                    .thaw = location_key_thaw};

/* the most numerous declared objects, and bodies without references (model.h); each with the
 * fingerprint plan_build compares with the tenant's, so that an unchanged one is never thawed */
struct model_freeze_request plan_freeze_request(void)
{
    return (struct model_freeze_request){.kinds = 1u << MODEL_NAMED_LOCATION,
                                         .digest = plan_location_fingerprint,
                                         .codec = &plan_location_codec};
}

struct model_freeze_request plan_freeze_request_keyed(void)
{
    return (struct model_freeze_request){.kinds = 1u << MODEL_NAMED_LOCATION,
                                         .digest = plan_location_key,
                                         .codec = &plan_location_key_codec};
}

void plan_freeze_model(struct model *m)
{
    const struct model_freeze_request how = plan_freeze_request();
    model_freeze_as(m, MODEL_NAMED_LOCATION, &how);
}
