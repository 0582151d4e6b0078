/* tenant_map.c — see tenant_map.h. Linear probing over 8-byte slots (the key's 32-bit FNV-1a hash
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

static uint32_t hash(const char *s, bool nocase)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= nocase ? fold((unsigned char)*s) : (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool same(const char *a, const char *b, bool nocase)
{
    if (!nocase)
        return strcmp(a, b) == 0;
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
