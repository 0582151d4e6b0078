/* backend_file_ids.h — the file backend's check that no two items of a collection have the same id
 * (ignoring ASCII case, as Graph's ids are GUIDs), for backend_file.c's loading: each id is copied
 * once and hashed as its item is decoded, and the duplicates are looked for when the collection
 * has been stepped through, by sorting the hashes (no hash table probed per item, no key compared
 * unless two hashes are equal). It finds the duplicate a check item by item finds first: the
 * earliest item whose id an earlier item has.
 * Ownership: the set copies each id into its own arena; a copy (backend_file_ids_add's result)
 * stays valid until backend_file_ids_fini(), or for as long as the caller keeps the arena it took
 * with backend_file_ids_take_strings(). */
#ifndef IDPC_BACKEND_FILE_IDS_H
#define IDPC_BACKEND_FILE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

struct backend_file_id {
    uint64_t hash;  /* backend_file_ids_hash() of the id */
    uint32_t ord;   /* the order in which it was added */
    uint32_t start; /* where its item starts (a snapshot is at most INT_MAX bytes) */
};

struct backend_file_ids {
    struct backend_file_id *keys; /* in the order added, until backend_file_ids_duplicate() */
    const char **id;              /* the copies, by ord */
    size_t n, cap;
    struct arena *strings;
};

void backend_file_ids_init(struct backend_file_ids *x);
void backend_file_ids_fini(struct backend_file_ids *x);
/* Adds the id (len bytes, no NUL among them) of the item that starts at `start`; returns its copy,
 * NUL-terminated. */
const char *backend_file_ids_add(struct backend_file_ids *x, const char *id, size_t len,
                                 size_t start);
/* Looks for the first item, in the order added, whose id (ignoring ASCII case) an item added
 * before it has: true with its start, its id as it spells it, and the start of the first item
 * with that id. Reorders the keys; nothing may be added after it. */
bool backend_file_ids_duplicate(struct backend_file_ids *x, size_t *start, const char **id,
                                size_t *first);
/* Hands the arena of the copies to the caller (who frees it with arena_free()); the set keeps
 * none. */
struct arena *backend_file_ids_take_strings(struct backend_file_ids *x);
/* The hash of s[0..n) with ASCII letters folded to lower case (exposed for tests). */
uint64_t backend_file_ids_hash(const char *s, size_t n);

#endif
