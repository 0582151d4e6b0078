/* fuzz_parse.c — libFuzzer target: the .idp lexer and parser, the printer when the input parses,
 * and the rendering of the syntax errors (carets under any bytes) of inputs up to 1 KiB. The checker has its own target
 * (fuzz_check.c), so that this one stays fast. Every input must end in diagnostics or a tree,
 * never a crash, hang or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/ast.h"
#include "compiler/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sink)
        sink = fopen("/dev/null", "w");
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t src = diag_add_source(diag, "fuzz.idp", text, size);
    struct ast_file *f = ast_parse_source(cfg, diag, src);
    if (diag_error_count(diag) == 0) {
        struct strbuf out = STRBUF_INIT;
        print_file(f, &out);
        strbuf_fini(&out);
    } else if (sink && size <= 1024) {
        /* rendering walks every excerpt's line code point by code point: on long inputs it
         * would take most of the time (tests/bogons/fuzz_parse-long-line.idp covers those) */
        diag_render(diag, sink, DIAG_FMT_TEXT, false);
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return 0;
}
