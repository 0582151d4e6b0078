/* jarena.h — a transient arena for JSON values that are decoded, looked at and dropped whole
 * (the file backend's items of the collections it does not keep): while a scope is open on a
 * thread, jansson's allocations on that thread are bumped from the arena, and jarena_reset()
 * drops them all at once instead of a json_decref() walk that frees each node.
 * Ownership: a value allocated in a scope belongs to the arena; nothing may keep a pointer into it
 * (nor a reference to it) past jarena_reset(), and nothing may add to it (a member set, an item
 * appended) once the scope is closed. AddressSanitizer builds poison the arena at each reset and
 * never reuse its memory across one, so that a pointer kept past it fails the tests.
 *
 * The allocator is installed into jansson (json_set_alloc_funcs) by the first jarena_open() and
 * stays: outside a scope it is malloc() and free(), so every other use of jansson in the process
 * (a value decoded before, the Graph backend, the compiler) is unaffected, and a value from
 * malloc() may be freed in a scope. json_decref() of an arena value is allowed, and frees
 * nothing. */
#ifndef IDPC_JARENA_H
#define IDPC_JARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Claims the arena for the caller, until jarena_unclaim() (which resets it): false when it is
 * claimed already (a caller up the stack holds values in it, which a reset would drop), and then
 * the caller must not use it (jansson's values are decoded with malloc() as usual). */
bool jarena_claim(void);
void jarena_unclaim(void);
/* jansson allocates from the arena until the matching jarena_close() (scopes nest). */
void jarena_open(void);
void jarena_close(void);
/* Drops everything allocated in the arena (outside any scope); its memory is kept for the next
 * scope. */
void jarena_reset(void);
/* Drops everything and gives the arena's memory back (outside any scope), unless the arena is
 * claimed: then nothing is done. */
void jarena_release(void);
/* Whether p lies in the arena (of this thread). */
bool jarena_owns(const void *p);
/* Bytes handed out since the last reset, and the arena's memory (for tests). */
size_t jarena_used(void);
size_t jarena_capacity(void);

#endif
