/* tenant_map.c — see tenant_map.h. Linear probing over 8-byte slots (the key's 32-bit hash
 * and the position + 1; 0 is empty), at most 3/4 full; nothing is ever deleted. Keys compare as
 * compiler/strmap.c compares them: exactly, or ignoring ASCII case. */
#include "runtime/tenant/tenant_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Eight bytes at once, as fold() folds each: an ASCII capital (its high bit clear, 'A'..'Z' in
 * its low seven) gains 0x20, every other byte stays. The sums stay within their byte. */
static uint64_t fold8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t low = w & ~high;
    uint64_t ge_a = low + (0x80 - 'A') * ones;     /* high bit: the low seven bits >= 'A' */
    uint64_t gt_z = low + (0x80 - 'Z' - 1) * ones; /* high bit: the low seven bits > 'Z' */
    return w | ((ge_a & ~gt_z & ~w & high) >> 2);
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return h;
}

/* The key's hash, eight bytes at a time (ids are 36 bytes); keys equal ignoring ASCII case hash
 * alike under nocase. Only the maps' slots hold it: nothing outside a run sees it. */
static uint32_t hash(const char *s, bool nocase)
{
    size_t n = strlen(s);
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix((h ^ (nocase ? fold8(w) : w)) * 0x9E3779B97F4A7C15ULL);
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = mix((h ^ (nocase ? fold8(w) : w)) * 0x9E3779B97F4A7C15ULL);
    }
    h = mix(h);
    return (uint32_t)(h ^ (h >> 32));
}

/* Keys equal as the map compares them; most keys asked for are spelled as indexed. */
static bool same(const char *a, const char *b, bool nocase)
{
    if (strcmp(a, b) == 0)
        return true;
    if (!nocase)
        return false;
    for (; *a && *b; a++, b++)
        if (fold((unsigned char)*a) != fold((unsigned char)*b))
            return false;
    return *a == *b;
}

static const char *key_of(const struct tenant_map *m, const struct tenant_obj *o)
{
    switch (m->key) {
    case TENANT_MAP_ID:
        return o->id;
    case TENANT_MAP_NAME:
        return o->name;
    case TENANT_MAP_ALT:
        return o->alt;
    }
    return NULL;
}

void tenant_map_init(struct tenant_map *m, enum tenant_map_key key, bool nocase)
{
    memset(m, 0, sizeof(*m));
    m->key = key;
    m->nocase = nocase;
}

void tenant_map_fini(struct tenant_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* The slot that holds `key` (hash h), or the empty slot where it would go. */
static uint64_t *find(const struct tenant_map *m, const struct tenant_obj *v, const char *key,
                      uint32_t h)
{
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        uint64_t s = m->slots[i];
        if (!s ||
            ((uint32_t)(s >> 32) == h && same(key_of(m, &v[(uint32_t)s - 1]), key, m->nocase)))
            return &m->slots[i];
    }
}

static void grow(struct tenant_map *m)
{
    uint64_t *old = m->slots;
    size_t oldcap = m->cap;
    m->cap = oldcap ? oldcap * 2 : 64;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i])
            continue;
        size_t j = (uint32_t)(old[i] >> 32) & (m->cap - 1);
        while (m->slots[j])
            j = (j + 1) & (m->cap - 1);
        m->slots[j] = old[i];
    }
    free(old);
}

void tenant_map_reserve(struct tenant_map *m, size_t n)
{
    while ((n + 1) * 4 > m->cap * 3)
        grow(m);
}

size_t tenant_map_put_first(struct tenant_map *m, const struct tenant_obj *v, size_t i)
{
    if (i >= UINT32_MAX)
        BUG("tenant index: more than %u objects", (unsigned)UINT32_MAX - 1);
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    const char *key = key_of(m, &v[i]);
    uint32_t h = hash(key, m->nocase);
    uint64_t *s = find(m, v, key, h);
    if (*s)
        return (uint32_t)*s - 1;
    *s = (uint64_t)h << 32 | (uint64_t)(i + 1);
    m->n++;
    return i;
}

size_t tenant_map_get(const struct tenant_map *m, const struct tenant_obj *v, const char *key)
{
    if (!key || !m->cap)
        return TENANT_NONE;
    uint64_t s = *find(m, v, key, hash(key, m->nocase));
    return s ? (uint32_t)s - 1 : TENANT_NONE;
}
