/* backend.h — where the tenant lives: read Graph paths, send Graph-shaped writes, lock and commit.
 * Ownership: a struct backend owns its implementation state and its error strings; every json_t
 * a backend returns is a new reference owned by the caller, and callers must not modify values
 * returned by backend_read() (they may be shared with the backend's cache). */
#ifndef IDPC_BACKEND_H
#define IDPC_BACKEND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/util.h"

/* Why a backend call failed. `status` is an HTTP status when there was a Graph-style answer
 * (400, 404, 409, ...), 0 for local failures (I/O, lock, parse). */
struct backend_error {
    int status;
    char code[64];     /* Graph error code ("Request_BadRequest"), or "" */
    char message[512]; /* one line, no secrets */
};
void backend_error_set(struct backend_error *e, int status, const char *code, const char *fmt, ...)
    IDPC_PRINTF(4, 5);

struct backend;

/* Called once per item of a collection by backend_scan(); `item` holds only the selected
 * properties and is valid during the call only. Return false to stop the scan. */
typedef bool (*backend_item_fn)(const json_t *item, void *ctx);

/* Where a backend can read an item again (the file backend: the item's span in the snapshot it
 * keeps open), so that a caller can keep this instead of the item's text: backend_read_at(). */
struct backend_at {
    size_t start;  /* the item's first byte in the snapshot */
    uint32_t len;  /* its length in bytes (a snapshot is at most INT_MAX bytes) */
    uint32_t load; /* which load of the snapshot it belongs to */
};

/* Called once per item of a collection by backend_scan_text(): `item` holds at least the
 * selected properties (it may hold more); `derived` is what the freeze hook made of the item
 * (backend_freeze_hook), or NULL. The whole item comes one of two ways: `at`, where the backend
 * reads it again (backend_read_at), with `text` NULL; or (`at` NULL) `text`, the item as compact
 * JSON text (json_dumps with JSON_COMPACT, members in their stored order, `len` bytes and a NUL),
 * so that decoding the text gives back a tree equal to the item. All are valid during the call
 * only. */
typedef bool (*backend_text_fn)(const json_t *item, const char *text, size_t len,
                                const struct backend_at *at, const char *derived, void *ctx);

/* What a caller derives from each item a backend_scan_text() hands on, made while the backend
 * holds the item as a tree anyway (the file backend: while it loads the snapshot), so that the
 * caller need not turn the text back into a tree for it: a new string (the caller's to free), or
 * NULL. One hook per process, set before backends are opened; the plan sets it (a named
 * location's fingerprint, plan_hold_locations in runtime/plan/plan.h). */
typedef char *(*backend_freeze_fn)(const json_t *item);
void backend_freeze_hook(backend_freeze_fn fn);
/* The hook's result for `item` (a new string), or NULL when no hook is set. */
char *backend_freeze_derive(const json_t *item);
/* Hands `item` (an object; anything else is skipped) to fn as backend_scan_text does: with its
 * compact text and what the hook derives from it. fn's answer (go on), or true when skipped. */
bool backend_text_item(const json_t *item, backend_text_fn fn, void *ctx);

/* A backend implementation. Paths are Graph v1.0 paths without the leading '/', exactly as in the
 * file-tenant format (docs/tenant-format.md): "groups", "groups/{id}/members",
 * "identity/conditionalAccess/policies/{id}", "policies/authorizationPolicy". */
struct backend_ops {
    const char *scheme; /* "file" */
    /* A collection as a JSON array (all pages), a singleton or an item as an object. *out = NULL
     * with 0 when the path does not exist (404). */
    int (*read)(struct backend *b, const char *path, json_t **out, struct backend_error *err);
    /* Streams a collection's items with only the given properties ($select). A missing collection
     * is empty. */
    int (*scan)(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                backend_item_fn fn, void *ctx, struct backend_error *err);
    /* Optional (NULL: the collection is read whole and each item written as compact text).
     * Streams a collection's items whole, as compact JSON text with their selected properties,
     * keeping no tree of the collection for it (a plan reads its named locations this way). A
     * missing collection is empty. */
    int (*scan_text)(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                     backend_text_fn fn, void *ctx, struct backend_error *err);
    /* Optional (needed by a backend whose scan_text hands on `at`): the item at `at`, read again
     * and decoded (a new reference). -1 with err naming the snapshot and what happened when it
     * cannot be (the file changed in place or was cut short since it was loaded). */
    int (*read_at)(struct backend *b, const struct backend_at *at, json_t **out,
                   struct backend_error *err);
    /* One Graph write: method "POST" | "PATCH" | "DELETE", body NULL for DELETE. *result (may be
     * NULL) receives the response body (the created object for POST). */
    int (*write)(struct backend *b, const char *method, const char *path, const json_t *body,
                 json_t **result, struct backend_error *err);
    /* Takes the exclusive write lock (blocking); reads after it see the current tenant. */
    int (*lock)(struct backend *b, struct backend_error *err);
    /* Makes every write since lock() durable, then releases the lock. */
    int (*commit)(struct backend *b, struct backend_error *err);
    /* Releases the lock without making further changes durable (writes already made by a
     * remote backend stay made). */
    void (*unlock)(struct backend *b);
    void (*close)(struct backend *b);
    /* Optional (NULL: scans list everything). Declares which directory objects later scans of
     * `path` ("users", "groups", "servicePrincipals") must return: those whose `key`
     * ("userPrincipalName", "displayName", "id", "appId") is one of `values`; NULL values with
     * n == 0 means "all of them". Key "members"/"owners" on "groups" names (by displayName or
     * id) the groups whose membership will be read. A backend for which listing a directory is
     * expensive (graph:) then looks up only these, in batches, plus the objects its other
     * collections reference. */
    int (*want)(struct backend *b, const char *path, const char *key, const char *const *values,
                size_t n, struct backend_error *err);
};

struct backend {
    const struct backend_ops *ops;
    void *impl;
    char *spec;      /* "file:policies/contoso-tenant.json" */
    char *display;   /* for messages: the spec without secrets */
    char *reopen;    /* a spec that opens this tenant again as is ("file:t.json", "graph:public");
                        saved plans record it */
    char *cloud;     /* the Microsoft cloud ("public", "usgov", ...); NULL for a snapshot */
    size_t writes;   /* successful writes so far */
    long fail_after; /* IDPC_TEST_FAIL_AFTER (test only): fail the write after this many; -1 */
    char *tenant_id; /* filled by backend_identity() */
    char **domains;  /* verified domain names */
    size_t ndomains;
    char *default_domain;
};

/* Opens a backend by spec: "file:PATH" (or a bare path ending in .json). spec NULL means the
 * environment variable IDPC_TENANT. Returns 0 or -1 with err filled. */
int backend_open(const char *spec, struct backend **out, struct backend_error *err);
void backend_close(struct backend *b);

/* Implementations register here (backend.c): file now, graph later. */
int backend_file_open(struct backend *b, const char *arg, struct backend_error *err);
int backend_graph_open(struct backend *b, const char *arg, struct backend_error *err);

int backend_read(struct backend *b, const char *path, json_t **out, struct backend_error *err);
/* Like backend_read, but a missing path reads as an empty array. */
int backend_read_list(struct backend *b, const char *path, json_t **out, struct backend_error *err);
int backend_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                 backend_item_fn fn, void *ctx, struct backend_error *err);
/* Each item of a collection whole, as compact JSON text (ops->scan_text, or the collection read
 * whole when the backend has none); items that are not objects are left out, as by scans. */
int backend_scan_text(struct backend *b, const char *path, const char *const *fields,
                      size_t nfields, backend_text_fn fn, void *ctx, struct backend_error *err);
/* The item a scan_text handed on at `at` (ops->read_at): a new reference, or -1 with err. */
int backend_read_at(struct backend *b, const struct backend_at *at, json_t **out,
                    struct backend_error *err);
/* Honours IDPC_TEST_FAIL_AFTER=N (documented as test-only): the write after N successful writes
 * fails with status 503 "injected failure". */
/* Forwards to ops->want when the backend has it (0 otherwise); see struct backend_ops. */
int backend_want(struct backend *b, const char *path, const char *key, const char *const *values,
                 size_t n, struct backend_error *err);
int backend_write(struct backend *b, const char *method, const char *path, const json_t *body,
                  json_t **result, struct backend_error *err);
int backend_lock(struct backend *b, struct backend_error *err);
int backend_commit(struct backend *b, struct backend_error *err);
void backend_unlock(struct backend *b);

/* Reads "organization" once: tenant id and verified domains. 0 or -1. */
int backend_identity(struct backend *b, struct backend_error *err);
/* True when `want` (a domain name or a tenant id) names this tenant; needs backend_identity(). */
bool backend_is_tenant(const struct backend *b, const char *want);

#endif
