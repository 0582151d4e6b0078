/* compile.h — the front half of the driver: load a configuration, check it, lower it.
 * Ownership: a compile result owns its AST, model and diagnostics context; free with compile_free. */
#ifndef IDPC_COMPILE_H
#define IDPC_COMPILE_H

#include "compiler/ast.h"
#include "compiler/diag.h"
#include "compiler/model.h"

struct compile_result {
    struct diag_ctx *diag;
    struct ast_config *ast;
    struct model *model; /* NULL when parsing failed */
};

/* Loads every path (a directory of *.idp, or files), parses, checks and lowers.
 * Returns 0 when there are no errors (warnings allowed), -1 otherwise; diagnostics are queued. */
int compile_paths(const char *const *paths, size_t n, bool werror, struct compile_result *out);

/* What a command asks of compile_paths_with beyond compile_paths. */
struct compile_options {
    bool werror;
    /* bodies frozen as soon as each declaration is lowered (model.h): plan's named locations */
    struct model_freeze_request freeze;
};
/* compile_paths with options; the same diagnostics, and the same model but for the frozen
 * bodies. */
int compile_paths_with(const char *const *paths, size_t n, const struct compile_options *opt,
                       struct compile_result *out);

/* A source held in memory (an editor's unsaved buffer): the path it is reported under, and its
 * text (borrowed; compile_sources copies it). */
struct compile_source {
    const char *path;
    const char *text;
    size_t len;
};
/* Like compile_paths, for texts in memory, compiled as one configuration in the given order. */
int compile_sources(const struct compile_source *src, size_t n, bool werror,
                    struct compile_result *out);

/* Parsed files kept between compiles of one configuration (an editor's language server): a file
 * whose path, place in the list and text are unchanged is not parsed again; its tree and its
 * syntax diagnostics are reused.
 * Ownership: the cache owns the trees it keeps. A result of compile_sources_cached borrows them:
 * its tree may only be read until the next compile with the same cache (which drops the trees of
 * changed files); compile_free on it stays safe at any time before compile_cache_free. */
struct compile_cache;
struct compile_cache *compile_cache_new(void);
void compile_cache_free(struct compile_cache *c);
/* compile_sources with the cache; the same diagnostics and model as without it when `src` is
 * sorted by path (as ast_load_path reads a directory). */
int compile_sources_cached(struct compile_cache *c, const struct compile_source *src, size_t n,
                           bool werror, struct compile_result *out);
void compile_free(struct compile_result *r);
/* Frees the syntax tree and keeps the model and diagnostics (which own their strings and source
 * texts): for a command that needs only the model (plan, apply), whose tree is the largest part
 * of a big configuration's memory. r->ast is NULL afterwards. */
void compile_drop_tree(struct compile_result *r);
/* compile_free when util_free_at_exit() says so; else nothing: for the CLI, right before the
 * process exits (freeing a million-line configuration's tree costs a sixth of `validate`). */
void compile_free_at_exit(struct compile_result *r);

/* Writes the model as `idpc compile` shows it (indented JSON with a stable key order, and a
 * newline), streamed in 64 KiB chunks without building the document's text: to standard output
 * when path is NULL (its errors show when the caller flushes and closes it), else atomically to
 * path (a temporary file, renamed over it). Returns 0 or an errno value. */
int compile_write_model(const struct compile_result *r, const char *path);

#endif
