/* compile.c — see compile.h. parse → check → lower, like nftables' driver: queue diagnostics,
 * keep going where it is safe, let the caller print them once. */
#include "compiler/compile.h"

#include <string.h>

#include "compiler/check.h"

int compile_paths(const char *const *paths, size_t n, bool werror, struct compile_result *out)
{
    memset(out, 0, sizeof(*out));
    out->diag = diag_ctx_new();
    diag_set_werror(out->diag, werror);
    out->ast = ast_config_new();
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (ast_load_path(out->ast, out->diag, paths[i]) != 0)
            rc = -1;
    if (rc != 0 && out->ast->nfiles == 0)
        return -1;
    /* Syntax errors leave a tree with holes; checking it still finds the other mistakes, and
     * every statement that parsed is complete, so the checks are sound. */
    out->model = check_config(out->ast, out->diag);
    return diag_error_count(out->diag) ? -1 : 0;
}

int compile_sources(const char *const *names, const char *const *texts, const size_t *lens,
                    size_t n, struct compile_result *out)
{
    memset(out, 0, sizeof(*out));
    out->diag = diag_ctx_new();
    out->ast = ast_config_new();
    for (size_t i = 0; i < n; i++) {
        char *text = xmalloc(lens[i] + 1);
        memcpy(text, texts[i], lens[i]);
        text[lens[i]] = '\0';
        uint32_t src = diag_add_source(out->diag, names[i], text, lens[i]);
        if (memchr(text, '\0', lens[i])) {
            size_t at = (size_t)((char *)memchr(text, '\0', lens[i]) - text);
            diag_error(out->diag, diag_loc(src, at, at + 1),
                       "file contains a NUL byte; is it a text file in UTF-8?");
            continue;
        }
        ast_parse_source(out->ast, out->diag, src);
    }
    out->model = check_config(out->ast, out->diag);
    return diag_error_count(out->diag) ? -1 : 0;
}

void compile_free(struct compile_result *r)
{
    model_free(r->model);
    ast_config_free(r->ast);
    diag_ctx_free(r->diag);
    memset(r, 0, sizeof(*r));
}
