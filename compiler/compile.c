/* compile.c — see compile.h. parse → check → lower, like nftables' driver: queue diagnostics,
 * keep going where it is safe, let the caller print them once. */
#include "compiler/compile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int compile_sources(const struct compile_source *src, size_t n, bool werror,
                    struct compile_result *out)
{
    memset(out, 0, sizeof(*out));
    out->diag = diag_ctx_new();
    diag_set_werror(out->diag, werror);
    out->ast = ast_config_new();
    for (size_t i = 0; i < n; i++) {
        char *text = xmalloc(src[i].len + 1);
        memcpy(text, src[i].text, src[i].len);
        text[src[i].len] = '\0';
        (void)ast_load_text(out->ast, out->diag, src[i].path, text, src[i].len);
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

void compile_free_at_exit(struct compile_result *r)
{
    if (util_free_at_exit())
        compile_free(r);
}

/* A write buffer for json_dump_callback: one write(2) per 64 KiB to a file, or one fwrite to
 * standard output (whose errors the caller checks when it closes it). */
struct out_buf {
    int fd; /* -1: standard output's FILE */
    int err;
    size_t n;
    char data[1 << 16];
};

static int out_flush(struct out_buf *b)
{
    if (b->fd < 0) {
        (void)fwrite(b->data, 1, b->n, stdout);
        b->n = 0;
        return 0;
    }
    size_t off = 0;
    while (off < b->n && !b->err) {
        ssize_t w = write(b->fd, b->data + off, b->n - off);
        if (w < 0 && errno != EINTR)
            b->err = errno;
        else if (w > 0)
            off += (size_t)w;
    }
    b->n = 0;
    return b->err ? -1 : 0;
}

static int out_put(const char *s, size_t len, void *data)
{
    struct out_buf *b = data;
    while (len) {
        if (b->n == sizeof(b->data) && out_flush(b) != 0)
            return -1;
        size_t k = sizeof(b->data) - b->n < len ? sizeof(b->data) - b->n : len;
        memcpy(b->data + b->n, s, k);
        b->n += k;
        s += k;
        len -= k;
    }
    return 0;
}

int compile_write_model(const struct compile_result *r, const char *path)
{
    char *tmp = NULL;
    struct out_buf *b = xcalloc(1, sizeof(*b));
    b->fd = -1;
    struct stat st;
    bool in_place = path && stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
    if (in_place) {
        /* A device or a FIFO (/dev/stdout, /dev/full, a pipe): written in place, never renamed
         * over (as util_write_file_atomic). */
        b->fd = open(path, O_WRONLY | O_TRUNC);
        if (b->fd < 0) {
            int err = errno;
            free(b);
            return err;
        }
    } else if (path) {
        tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
        b->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (b->fd < 0) {
            int err = errno;
            free(tmp);
            free(b);
            return err;
        }
    }
    json_t *doc = model_to_json(r->model, r->diag);
    if (json_dump_callback(doc, out_put, b, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 && !b->err)
        b->err = ENOMEM;
    json_decref(doc);
    (void)out_put("\n", 1, b);
    (void)out_flush(b);
    int err = b->err;
    if (in_place) {
        if (close(b->fd) != 0 && !err)
            err = errno;
    } else if (path) {
        if (!err && fsync(b->fd) != 0)
            err = errno;
        if (close(b->fd) != 0 && !err)
            err = errno;
        if (!err && rename(tmp, path) != 0)
            err = errno;
        if (err)
            unlink(tmp);
        free(tmp);
    }
    free(b);
    return err;
}
