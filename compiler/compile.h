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
/* Like compile_paths, for sources held in memory (a saved plan's configuration): `names[i]` is the
 * path the diagnostics and "at" fields use, `texts[i]` its text of `lens[i]` bytes (copied). */
int compile_sources(const char *const *names, const char *const *texts, const size_t *lens,
                    size_t n, struct compile_result *out);
void compile_free(struct compile_result *r);

#endif
