/* tenant_map.h — the tenant's indexes by id, name and alternate id (struct tenant_map, tenant.h):
 * hash maps that hold each object's position and its key's hash only, reading the key from the
 * object itself. Ownership: a map owns its slots; the objects it indexes are borrowed, and each
 * object's key must stay alive and unchanged while the map is used. */
#ifndef IDPC_TENANT_MAP_H
#define IDPC_TENANT_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/tenant/tenant.h"

void tenant_map_init(struct tenant_map *m, enum tenant_map_key key, bool nocase);
void tenant_map_fini(struct tenant_map *m);
/* Makes room for n keys at once (puts up to n grow it no more). */
void tenant_map_reserve(struct tenant_map *m, size_t n);
/* Indexes v[i] by its key (not NULL) unless an object with an equal key is indexed: returns the
 * position indexed with that key, i when it is new. */
size_t tenant_map_put_first(struct tenant_map *m, const struct tenant_obj *v, size_t i);
/* The position of the object indexed with `key` (equal as the map compares), or TENANT_NONE. */
size_t tenant_map_get(const struct tenant_map *m, const struct tenant_obj *v, const char *key);

#endif
