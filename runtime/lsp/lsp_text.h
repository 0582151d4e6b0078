/* lsp_text.h — LSP positions (line, UTF-16 code unit) against UTF-8 byte offsets, text edits,
 * and file URIs.
 * Ownership: texts are borrowed; returned strings are heap strings the caller frees. */
#ifndef IDPC_LSP_TEXT_H
#define IDPC_LSP_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"

/* The byte offset of position (line, character) in text[0, len): character counts UTF-16 code
 * units (a code point above U+FFFF counts two). Past the end of a line: the line's end; past
 * the last line: len. */
size_t lsp_text_offset(const char *text, size_t len, unsigned line, unsigned character);
/* The position of byte `offset`. */
void lsp_text_position(const char *text, size_t len, size_t offset, unsigned *line,
                       unsigned *character);
/* The same, faster, for a registered source (binary search over its line starts). */
void lsp_src_position(const struct src_file *f, size_t offset, unsigned *line, unsigned *character);
/* {"line": L, "character": C} and {"start": ..., "end": ...} */
json_t *lsp_src_range(const struct src_file *f, size_t start, size_t end);
/* Reads {"line", "character"}; false when malformed. */
bool lsp_position_get(const json_t *pos, unsigned *line, unsigned *character);

/* Replaces [start, end) of the heap text *text (length *len) with `repl`. */
void lsp_text_splice(char **text, size_t *len, size_t start, size_t end, const char *repl,
                     size_t rlen);

/* A JSON string of `s`, with each byte that is not valid UTF-8 replaced by U+FFFD (texts of
 * files can hold anything; JSON may not). */
json_t *lsp_json_string(const char *s);

/* "file:///a%20b/c.idp" -> "/a b/c.idp"; NULL when not a file URI. */
char *lsp_uri_to_path(const char *uri);
/* "/a b/c.idp" -> "file:///a%20b/c.idp" */
char *lsp_path_to_uri(const char *path);

#endif
