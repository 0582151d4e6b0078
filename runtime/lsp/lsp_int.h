/* lsp_int.h — the language server's private state: open documents, the cache of files on disk,
 * and one compiled unit per configuration directory; the queries and features built on them.
 * Ownership: the server owns documents, disk texts and units (freed by lsp_ws_free); a unit
 * owns its compile result; every json_t returned is a new reference for the caller. */
#ifndef IDPC_LSP_INT_H
#define IDPC_LSP_INT_H

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "compiler/ast.h"
#include "compiler/compile.h"

struct lsp_doc {
    char *uri;
    char *path; /* the file the URI names, or NULL (an untitled buffer: compiled alone) */
    char *text;
    size_t len;
    long long version;
};

struct lsp_disk {
    char *path;
    char *text;
    size_t len;
    struct timespec mtime;
    off_t size;
};

/* A configuration directory (or a lone untitled buffer), compiled as `idpc validate` would. */
struct lsp_unit {
    char *key; /* the directory, or the lone buffer's URI */
    bool lone;
    bool fresh;                  /* cr reflects the current documents */
    struct compile_cache *cache; /* the trees of unchanged files, parsed once */
    struct compile_result cr;
    struct compile_result old; /* the previous compile, freed after the reply is sent */
    char **published;          /* URIs last given a non-empty diagnostics list */
    size_t npublished;
};

struct lsp_server {
    FILE *out, *log;
    struct lsp_doc *docs;
    size_t ndocs;
    struct lsp_disk *disk;
    size_t ndisk;
    struct lsp_unit *units;
    size_t nunits;
    bool initialized, shutdown;
};

/* ---- documents and units (lsp_workspace.c) ---- */
struct lsp_doc *lsp_ws_doc(struct lsp_server *s, const char *uri);
/* Opens (or replaces) a document; marks its unit stale. */
struct lsp_doc *lsp_ws_open(struct lsp_server *s, const char *uri, const char *text, size_t len,
                            long long version);
void lsp_ws_close(struct lsp_server *s, const char *uri);
/* Applies textDocument/didChange contentChanges (full or ranged); false when malformed (the
 * document is then unchanged from the first bad change on). */
bool lsp_ws_change(struct lsp_server *s, struct lsp_doc *d, const json_t *changes);
/* Marks the unit holding `uri` stale (a save, a change on disk). */
void lsp_ws_touch(struct lsp_server *s, const char *uri);
/* The compiled unit that holds `uri` (compiling it when stale); NULL for a URI that names no
 * readable file. */
struct lsp_unit *lsp_ws_unit(struct lsp_server *s, const char *uri);
/* The file of `unit` that `uri` names, and its source; false when it is not there. */
bool lsp_ws_file(struct lsp_server *s, const struct lsp_unit *u, const char *uri,
                 const struct ast_file **file, const struct src_file **src);
/* The URI to report a source of the unit under (the open document's, else a file URI). */
char *lsp_ws_uri_of(struct lsp_server *s, const struct lsp_unit *u, uint32_t src);
/* Sends textDocument/publishDiagnostics for every file of the unit (clearing files whose
 * problems are gone). */
void lsp_ws_publish(struct lsp_server *s, struct lsp_unit *u);
/* Frees the units' previous compiles (called once the reply to a message is out, so that the
 * editor does not wait for it). */
void lsp_ws_release(struct lsp_server *s);
void lsp_ws_free(struct lsp_server *s);

/* ---- queries on the tree (lsp_query.c) ---- */
enum lsp_sym_kind {
    LSP_SYM_NONE,
    LSP_SYM_VAR,      /* define NAME, $NAME */
    LSP_SYM_TEMPLATE, /* template NAME, use NAME */
    LSP_SYM_GROUP,    /* group "Name" */
    LSP_SYM_LOCATION, /* location "Name" */
    LSP_SYM_STRENGTH, /* strength "Name" */
};
struct lsp_hit {
    const struct ast_stmt *stmt;   /* the statement holding the atom */
    const struct ast_stmt *parent; /* its block's statement, NULL at the top level */
    size_t atom;                   /* index into stmt->atoms */
};
/* The atom at byte `off` of the file (an atom's end counts, for a cursor just after a word). */
bool lsp_query_atom(const struct ast_file *f, size_t off, struct lsp_hit *hit);
/* The top-level statement whose block holds byte `off`, or NULL. */
const struct ast_stmt *lsp_query_block(const struct ast_file *f, size_t off);
/* The symbol an atom names, and whether the atom declares it. */
enum lsp_sym_kind lsp_query_symbol(const struct lsp_hit *h, const char **name, bool *decl);
/* Calls fn for every atom of the configuration that names (kind, name). */
void lsp_query_each(const struct ast_config *cfg, enum lsp_sym_kind kind, const char *name,
                    void (*fn)(void *ctx, const struct lsp_hit *h, bool decl), void *ctx);
/* Is `word` the keyword of a statement in block `block` (NULL: top level)? The summary and
 * Graph field of that statement, or false. */
bool lsp_query_schema(const char *block, const char *word, const char **summary,
                      const char **graph);

/* ---- features (lsp_complete.c, lsp_nav.c) ---- */
json_t *lsp_complete(const struct lsp_unit *u, const struct ast_file *f, const struct src_file *src,
                     size_t off);
json_t *lsp_hover(const struct lsp_unit *u, const struct ast_file *f, const struct src_file *src,
                  size_t off);
/* Locations ({uri, range}) of the declaration, or of every use (+ the declaration). */
json_t *lsp_definition(struct lsp_server *s, const struct lsp_unit *u, const struct ast_file *f,
                       size_t off);
json_t *lsp_references(struct lsp_server *s, const struct lsp_unit *u, const struct ast_file *f,
                       size_t off, bool with_decl);
json_t *lsp_symbols(const struct ast_file *f, const struct src_file *src);
/* TextEdits that turn the document into `idpc fmt`'s layout; [] when it has syntax errors. */
json_t *lsp_format(const char *path, const char *text, size_t len);

#endif
