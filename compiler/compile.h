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
void compile_free(struct compile_result *r);
/* compile_free when util_free_at_exit() says so; else nothing: for the CLI, right before the
 * process exits (freeing a million-line configuration's tree costs a sixth of `validate`). */
void compile_free_at_exit(struct compile_result *r);

/* Writes the model as `idpc compile` shows it (indented JSON with a stable key order, and a
 * newline), streamed in 64 KiB chunks without building the document's text: to standard output
 * when path is NULL (its errors show when the caller flushes and closes it), else atomically to
 * path (a temporary file, renamed over it). Returns 0 or an errno value. */
int compile_write_model(const struct compile_result *r, const char *path);

#endif
