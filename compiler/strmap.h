/* strmap.h — a small open-addressing hash map from strings to size_t, for tenant indexes.
 * Ownership: the map copies its keys into its own arena, unless made with strmap_init_borrowed():
 * then the caller keeps every key alive and unchanged for the map's lifetime; values are plain
 * numbers. */
#ifndef IDPC_STRMAP_H
#define IDPC_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
    const char *key; /* NULL when empty */
    unsigned hash;   /* low 32 bits of the key's hash */
    unsigned value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap; /* power of two, 0 when empty */
    size_t n;
    bool nocase; /* ASCII case-insensitive keys */
    bool borrowed;
    struct arena *arena;
};

/* Values must fit in 32 bits (indexes). */
void strmap_init(struct strmap *m, bool nocase);
void strmap_init_borrowed(struct strmap *m, bool nocase);
void strmap_fini(struct strmap *m);
/* Sets key → value; returns true when the key was new. */
bool strmap_put(struct strmap *m, const char *key, size_t value);
/* Like strmap_put, but keeps an existing value; returns the stored value. */
size_t strmap_put_first(struct strmap *m, const char *key, size_t value);
bool strmap_get(const struct strmap *m, const char *key, size_t *value);
bool strmap_getn(const struct strmap *m, const char *key, size_t len, size_t *value);
bool strmap_del(struct strmap *m, const char *key);

#endif
