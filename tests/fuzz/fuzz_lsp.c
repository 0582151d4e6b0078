/* fuzz_lsp.c — libFuzzer target: the language server's message reader (Content-Length framing,
 * JSON-RPC decoding) and the server behind it, on arbitrary bytes as its stdin. Every input must
 * end in replies and protocol errors, never a crash, hang or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/lsp/lsp.h"
#include "runtime/lsp/lsp_rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* the reader and decoder alone, message after message */
    FILE *in = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!in)
        return 0;
    struct strbuf body = STRBUF_INIT;
    const char *why;
    enum lsp_read_status st;
    while ((st = lsp_rpc_read(in, &body, &why)) != LSP_READ_EOF) {
        if (st != LSP_READ_OK)
            continue;
        json_t *msg, *id;
        if (lsp_rpc_decode(body.buf, body.len, &msg, &id, &why) == 0)
            json_decref(msg);
        json_decref(id);
    }
    strbuf_fini(&body);
    fclose(in);
    /* the whole server, replies to /dev/null */
    in = fmemopen((void *)(uintptr_t)data, size, "r");
    FILE *out = fopen("/dev/null", "w");
    if (in && out)
        (void)lsp_serve(in, out, NULL);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    return 0;
}
