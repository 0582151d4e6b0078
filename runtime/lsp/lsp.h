/* lsp.h — `idpc lsp`: a Language Server Protocol server for .idp files (diagnostics, formatting,
 * completion, hover, definition, references, document symbols) speaking JSON-RPC over streams.
 * Ownership: the streams are borrowed; the server owns every document and compile it keeps and
 * frees them before returning. */
#ifndef IDPC_LSP_H
#define IDPC_LSP_H

#include <stdio.h>

/* Serves one client on `in`/`out` until `exit` or the end of `in`. Returns 0 after a `shutdown`
 * then `exit`, 1 otherwise (as the protocol asks). `log` (may be NULL) gets one line per
 * protocol error, for the editor's output pane. */
int lsp_serve(FILE *in, FILE *out, FILE *log);

#endif
