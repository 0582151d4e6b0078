/* fuzz_parse.c — libFuzzer target: the .idp lexer, parser, checker and printer on arbitrary bytes.
 * Every input must end in diagnostics or a model, never a crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/ast.h"
#include "compiler/check.h"
#include "compiler/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t src = diag_add_source(diag, "fuzz.idp", text, size);
    struct ast_file *f = ast_parse_source(cfg, diag, src);
    bool parsed_clean = diag_error_count(diag) == 0;
    struct model *m = check_config(cfg, diag);
    model_free(m);
    if (parsed_clean) {
        struct strbuf out = STRBUF_INIT;
        print_file(f, &out);
        strbuf_fini(&out);
    }
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        diag_render(diag, sink, DIAG_FMT_TEXT, false);
        fclose(sink);
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return 0;
}
