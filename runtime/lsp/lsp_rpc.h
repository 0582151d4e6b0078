/* lsp_rpc.h — JSON-RPC 2.0 over LSP's base protocol: Content-Length framed messages, their
 * decoding and the replies.
 * Ownership: lsp_rpc_read fills a caller-owned strbuf; decoded messages and built replies are
 * new jansson references owned by the caller; lsp_rpc_send steals its message. */
#ifndef IDPC_LSP_RPC_H
#define IDPC_LSP_RPC_H

#include <jansson.h>
#include <stdio.h>

#include "compiler/util.h"

/* The largest message body accepted (a 195-policy configuration is well under 1 MiB). */
#define LSP_RPC_MAX_BODY (64u << 20)

/* JSON-RPC and LSP error codes. */
enum {
    LSP_PARSE_ERROR = -32700,
    LSP_INVALID_REQUEST = -32600,
    LSP_METHOD_NOT_FOUND = -32601,
    LSP_INVALID_PARAMS = -32602,
    LSP_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_FAILED = -32803,
};

enum lsp_read_status {
    LSP_READ_OK,  /* body holds one message's bytes */
    LSP_READ_EOF, /* the stream ended (cleanly or inside a message) */
    LSP_READ_BAD, /* a malformed header block; *why says what; the next message may be fine */
};

/* Reads one message: header lines ("Content-Length: N", others ignored) up to an empty line,
 * then N bytes. Header lines end in CRLF (a bare LF is accepted). */
enum lsp_read_status lsp_rpc_read(FILE *in, struct strbuf *body, const char **why);

/* Decodes a body into a JSON-RPC message. Returns 0 with *msg set (an object with "jsonrpc":
 * "2.0" and a string "method", or a response with "id"), or an error code (LSP_PARSE_ERROR,
 * LSP_INVALID_REQUEST) with *why and *id set to the request's id when one could be read (else
 * JSON null) for the error reply. */
int lsp_rpc_decode(const char *body, size_t len, json_t **msg, json_t **id, const char **why);

json_t *lsp_rpc_result(json_t *id, json_t *result);               /* steals result */
json_t *lsp_rpc_error(json_t *id, int code, const char *message); /* borrows id */
json_t *lsp_rpc_notification(const char *method, json_t *params); /* steals params */
/* Writes a message with its Content-Length header and flushes. Steals `msg`. */
void lsp_rpc_send(FILE *out, json_t *msg);

#endif
