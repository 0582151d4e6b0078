/* backend_file.h — internals shared by the file backend's reader (backend_file.c) and its Graph
 * write emulation (backend_file_write.c); not for other modules.
 * Ownership: json_t pointers returned here are borrowed from the backend's document unless a
 * function says "new reference"; strings returned are the caller's to free. */
#ifndef IDPC_BACKEND_FILE_H
#define IDPC_BACKEND_FILE_H

#include "runtime/tenant/backend.h"

/* The parsed collection at `path`, marked changed (it will be re-serialised on commit); with
 * `create`, a missing collection is created empty. NULL when missing or unparseable. */
json_t *backend_file_collection(struct backend *b, const char *path, bool create,
                                struct backend_error *err);
/* Removes a collection path (for example groups/{id}/members of a deleted group). */
void backend_file_drop(struct backend *b, const char *path);
/* Finds the value at `path` (collection, item by id, nested member) for modification and marks its
 * collection changed. *parent is the array or object holding it (NULL for a whole collection or
 * singleton). Returns 0 found, 1 not found, -1 error. */
int backend_file_locate(struct backend *b, const char *path, json_t **item, json_t **parent,
                        size_t *index, struct backend_error *err);
/* Read-only item lookup by id (new reference or NULL). */
json_t *backend_file_get(struct backend *b, const char *collection, const char *id);
/* A fresh GUID for a created object. */
char *backend_file_new_id(struct backend *b, const char *path, const json_t *body);
/* The snapshot's new text (caller frees); NULL when the file cannot be read again. */
char *backend_file_serialize(struct backend *b);
bool backend_file_locked(const struct backend *b);
const char *backend_file_path(const struct backend *b);

/* The write entry point of the file backend's ops (backend_file_write.c). */
int backend_file_write(struct backend *b, const char *method, const char *path, const json_t *body,
                       json_t **result, struct backend_error *err);
/* PIM for Groups schedule requests and access review definitions
 * (backend_file_governance.c): 0 done, -1 error, 1 not one of these requests. */
int backend_file_governance(struct backend *b, const char *method, const char *path,
                            const json_t *body, json_t **result, struct backend_error *err);

#endif
