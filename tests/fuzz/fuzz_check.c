/* fuzz_check.c — libFuzzer target: the checker and the lowering to the model, on whatever the
 * parser makes of the input (a tree with holes included). Rendering the diagnostics is
 * fuzz_parse's part (it costs more than checking). Every input must end in diagnostics or a
 * model, never a crash, hang or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/ast.h"
#include "compiler/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    uint32_t src = diag_add_source(diag, "fuzz.idp", text, size);
    (void)ast_parse_source(cfg, diag, src);
    struct model *m = check_config(cfg, diag);
    model_free(m);
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return 0;
}
