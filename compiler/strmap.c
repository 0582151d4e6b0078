/* strmap.c — see strmap.h. Linear probing, FNV-1a, tombstone-free deletion (backward shift). */
#include "compiler/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

static unsigned char fold(unsigned char c, bool nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned hash_n(const char *s, size_t n, bool nocase)
{
    unsigned long long h = 1469598103934665603ULL;
    if (nocase) {
        for (size_t i = 0; i < n; i++) {
            h ^= fold((unsigned char)s[i], true);
            h *= 1099511628211ULL;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            h ^= (unsigned char)s[i];
            h *= 1099511628211ULL;
        }
    }
    return (unsigned)(h ^ (h >> 32));
}

static bool key_eq(const char *k, const char *s, size_t n, bool nocase)
{
    if (!nocase) /* k is as long as s, then the same bytes (strnlen stops within k) */
        return strnlen(k, n + 1) == n && memcmp(k, s, n) == 0;
    for (size_t i = 0; i < n; i++) {
        if (!k[i] || fold((unsigned char)k[i], true) != fold((unsigned char)s[i], true))
            return false;
    }
    return k[n] == '\0';
}

void strmap_init(struct strmap *m, bool nocase)
{
    memset(m, 0, sizeof(*m));
    m->nocase = nocase;
}

void strmap_init_borrowed(struct strmap *m, bool nocase)
{
    strmap_init(m, nocase);
    m->borrowed = true;
}

void strmap_fini(struct strmap *m)
{
    free(m->slots);
    if (m->arena)
        arena_free(m->arena);
    bool nocase = m->nocase, borrowed = m->borrowed;
    memset(m, 0, sizeof(*m));
    m->nocase = nocase;
    m->borrowed = borrowed;
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t n, unsigned h)
{
    if (!m->cap)
        return NULL;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct strmap_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && key_eq(s->key, key, n, m->nocase))
            return s;
    }
}

static void grow(struct strmap *m)
{
    size_t oldcap = m->cap;
    struct strmap_slot *old = m->slots;
    m->cap = oldcap ? oldcap * 2 : 64;
    m->slots = xcalloc(m->cap, sizeof(*m->slots));
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].key)
            continue;
        size_t j = old[i].hash & (m->cap - 1);
        while (m->slots[j].key)
            j = (j + 1) & (m->cap - 1);
        m->slots[j] = old[i];
    }
    free(old);
}

static struct strmap_slot *insert(struct strmap *m, const char *key, bool *is_new)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        grow(m);
    size_t n = strlen(key);
    unsigned h = hash_n(key, n, m->nocase);
    struct strmap_slot *s = find(m, key, n, h);
    *is_new = s->key == NULL;
    if (*is_new) {
        if (m->borrowed) {
            s->key = key;
        } else {
            if (!m->arena)
                m->arena = arena_new();
            s->key = arena_strndup(m->arena, key, n);
        }
        s->hash = h;
        m->n++;
    }
    return s;
}

bool strmap_put(struct strmap *m, const char *key, size_t value)
{
    bool is_new;
    struct strmap_slot *s = insert(m, key, &is_new);
    s->value = (unsigned)value;
    return is_new;
}

size_t strmap_put_first(struct strmap *m, const char *key, size_t value)
{
    bool is_new;
    struct strmap_slot *s = insert(m, key, &is_new);
    if (is_new)
        s->value = (unsigned)value;
    return s->value;
}

bool strmap_getn(const struct strmap *m, const char *key, size_t len, size_t *value)
{
    struct strmap_slot *s = find(m, key, len, hash_n(key, len, m->nocase));
    if (!s || !s->key)
        return false;
    if (value)
        *value = s->value;
    return true;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
    return strmap_getn(m, key, strlen(key), value);
}

bool strmap_del(struct strmap *m, const char *key)
{
    size_t n = strlen(key);
    struct strmap_slot *s = find(m, key, n, hash_n(key, n, m->nocase));
    if (!s || !s->key)
        return false;
    size_t i = (size_t)(s - m->slots);
    m->slots[i].key = NULL;
    m->n--;
    /* Backward-shift the following cluster so lookups never stop early. */
    for (size_t j = (i + 1) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
        size_t home = m->slots[j].hash & (m->cap - 1);
        bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    return true;
}
