/* print.h — the canonical text layout of .idp files (`idpc fmt`, and `idpc export` for generated
 * trees), plus a unified line diff for `idpc fmt --diff`.
 * Ownership: the printer only reads the tree; text is appended to a caller-owned strbuf. */
#ifndef IDPC_PRINT_H
#define IDPC_PRINT_H

#include <stddef.h>

#include "compiler/ast.h"
#include "compiler/util.h"

/* Longest line (in display columns) before a statement with top-level commas is broken. */
#define PRINT_MAX_WIDTH 100

/* Appends the canonical text of `f` to `out`. Uses only the tree (atoms, comments, the
 * blank_before / blank_after flags and atom/comment offsets relative to each other), never the
 * source text. Statements marked from_template are skipped. An empty file prints nothing;
 * otherwise the text ends with exactly one newline. */
void print_file(const struct ast_file *f, struct strbuf *out);

/* Appends the canonical spelling of one atom (strings quoted and re-escaped). */
void print_atom(const struct ast_atom *a, struct strbuf *out);

/* Appends a unified diff (3 lines of context, GNU hunk headers) turning text `a` into text `b`;
 * appends nothing when they are equal. Labels go on the '---' / '+++' lines as given. */
void print_diff(const char *a_label, const char *a, size_t alen, const char *b_label, const char *b,
                size_t blen, struct strbuf *out);

#endif
