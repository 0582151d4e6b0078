/* check.h — semantic analysis and lowering: AST → model.
 * Ownership: the returned model belongs to the caller (model_free); the AST is borrowed. */
#ifndef IDPC_CHECK_H
#define IDPC_CHECK_H

#include "compiler/ast.h"
#include "compiler/model.h"

/* Checks the whole configuration and lowers it. Errors and warnings go to `diag`; the model is
 * returned even when there are errors (it is then incomplete and must not be applied). */
struct model *check_config(const struct ast_config *cfg, struct diag_ctx *diag);
/* check_config with a freeze request (model.h; NULL: none): each object of a requested kind is
 * frozen as soon as its declaration is lowered, with the same diagnostics as without. */
struct model *check_config_with(const struct ast_config *cfg, struct diag_ctx *diag,
                                const struct model_freeze_request *freeze);

/* One row of compiler/schema.def: a statement a block may hold (for editors: completion and
 * hover). Strings point into static tables. */
struct check_schema_entry {
    const char *block;   /* keyword of the enclosing block ("policy", ...), NULL: top level */
    const char *keyword; /* the statement's keyword */
    bool takes_block;
    const char *summary; /* what it means */
    const char *graph;   /* the Microsoft Graph object or field it sets */
};
/* The i-th row (0-based) in schema.def order; false past the last row. */
bool check_schema_at(size_t i, struct check_schema_entry *out);

#endif
