/* backend_graph.h — internals of the Microsoft Graph backend (`--tenant graph:`), shared by its
 * reader (backend_graph.c), its directory lookups (backend_graph_lookup.c) and its writer
 * (backend_graph_write.c); plus backend_want_model(), which any caller may use.
 * Ownership: struct graph belongs to its struct backend (b->impl) and owns its HTTP client, token
 * provider, caches and strings; json_t values it hands out are new references. */
#ifndef IDPC_BACKEND_GRAPH_H
#define IDPC_BACKEND_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler/model.h"
#include "runtime/tenant/auth.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/http.h"

/* Directory collections that are looked up instead of listed. */
enum graph_dir {
    GDIR_USERS,
    GDIR_GROUPS,
    GDIR_SPS,
    GDIR__COUNT,
};

struct graph {
    struct auth_config cfg;
    struct auth_provider *auth;
    struct http_client *http;
    bool progress; /* progress lines on stderr */
    json_t *cache; /* path → value read (json null: absent) */
    /* path → [compact JSON text of each item]: a collection read whole by backend_scan_text()
     * (a plan's named locations), held as text instead of in `cache`; a later read turns it back
     * into the cached tree, so that it costs no second request */
    json_t *frozen;
    json_t *before;             /* collection path → {id: true} as first read (create look-ups) */
    json_t *created;            /* {id: true}: objects this process created (replication lag) */
    json_t *wants[GDIR__COUNT]; /* {key: {value: true}}, or NULL: list everything */
    bool want_all[GDIR__COUNT];
    json_t *dir[GDIR__COUNT]; /* looked-up objects: {id: object}, NULL until looked up */
    json_t *missing_policies; /* [{id, displayName}] hidden from v1.0 (beta-only features) */
    unsigned lookups;         /* directory values looked up */
};

/* The $select of a directory collection when listed or looked up. */
const char *graph_dir_path(enum graph_dir d);
const char *graph_dir_select(enum graph_dir d);
/* GDIR__COUNT when path is not a directory collection. */
enum graph_dir graph_dir_of(const char *path);

/* A progress line (printed only when progress is on): "graph: <text>". */
void graph_progress(struct graph *g, const char *fmt, ...) IDPC_PRINTF(2, 3);
/* A warning line, always printed on stderr: "idpc plan: warning: <text>" (diag_tool()). */
void graph_warning(struct graph *g, const char *fmt, ...) IDPC_PRINTF(2, 3);

/* Fills err from a failed HTTP exchange: status, Graph code and a message with the request id. */
void graph_error(struct backend_error *err, const struct http_response *r, enum http_status st);

/* The cached value of path (borrowed; NULL when not cached; json null when absent). */
json_t *graph_cached(struct graph *g, const char *path);
/* Reads path through the cache (new reference in *out; NULL when absent). */
int graph_read(struct backend *b, const char *path, json_t **out, struct backend_error *err);

/* Percent-encodes s for a URL query value (OData: keeps $ ' ( ) , =). Caller frees. */
char *graph_url_encode(const char *s);
/* An OData string literal: 'O''Brien'. Caller frees. */
char *graph_odata_quote(const char *s);

/* backend_graph_lookup.c */
int graph_want(struct backend *b, const char *path, const char *key, const char *const *values,
               size_t n, struct backend_error *err);
/* The looked-up (or listed) objects of a directory collection as an array (new reference). */
int graph_dir_objects(struct backend *b, enum graph_dir d, json_t **out, struct backend_error *err);

/* backend_graph_write.c */
int graph_write(struct backend *b, const char *method, const char *path, const json_t *body,
                json_t **result, struct backend_error *err);

/* Declares to a backend (backend_want) every user, group and service principal the model names
 * or pins, so that a directory-backed tenant looks up only those. Call before tenant_load(). With
 * `manage exclusively` groups, asks for all groups. 0 or -1 (err filled). */
int backend_want_model(struct backend *b, const struct model *m, struct backend_error *err);

/* The same for applying a saved plan (`reads` of docs/plan-format.md): the groups it read or
 * found absent. Call before plan_verify(). */
int backend_want_plan(struct backend *b, const json_t *plan, struct backend_error *err);

#endif
