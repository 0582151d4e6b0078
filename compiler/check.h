/* check.h — semantic analysis and lowering: AST → model.
 * Ownership: the returned model belongs to the caller (model_free); the AST is borrowed. */
#ifndef IDPC_CHECK_H
#define IDPC_CHECK_H

#include "compiler/ast.h"
#include "compiler/model.h"

/* Checks the whole configuration and lowers it. Errors and warnings go to `diag`; the model is
 * returned even when there are errors (it is then incomplete and must not be applied). */
struct model *check_config(const struct ast_config *cfg, struct diag_ctx *diag);

#endif
