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
    struct compile_options opt = {.werror = werror};
    return compile_paths_with(paths, n, &opt, out);
}

int compile_paths_with(const char *const *paths, size_t n, const struct compile_options *opt,
                       struct compile_result *out)
{
    memset(out, 0, sizeof(*out));
    out->diag = diag_ctx_new();
    diag_set_werror(out->diag, opt->werror);
    out->ast = ast_config_new();
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (ast_load_path(out->ast, out->diag, paths[i]) != 0)
            rc = -1;
    if (rc != 0 && out->ast->nfiles == 0)
        return -1;
    /* Syntax errors leave a tree with holes; checking it still finds the other mistakes, and
     * every statement that parsed is complete, so the checks are sound. */
    out->model = check_config_with(out->ast, out->diag, &opt->freeze);
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

/* ---- the parse cache ---- */

struct cached_file {
    char *path;
    char *text; /* what was parsed, to compare with the next text */
    size_t len;
    uint32_t src;            /* its source index: trees hold it in every location */
    struct ast_config *tree; /* the file's tree, in an arena of its own */
    struct diag *diags;      /* its syntax diagnostics (deep copies) */
    size_t ndiags;
};

struct compile_cache {
    struct cached_file *v;
    size_t n;
};

struct compile_cache *compile_cache_new(void)
{
    return xcalloc(1, sizeof(struct compile_cache));
}

static void cached_fini(struct cached_file *f)
{
    free(f->path);
    free(f->text);
    ast_config_free(f->tree);
    for (size_t i = 0; i < f->ndiags; i++) {
        free(f->diags[i].code);
        free(f->diags[i].message);
        for (size_t k = 0; k < f->diags[i].nnotes; k++)
            free(f->diags[i].notes[k].message);
        free(f->diags[i].notes);
    }
    free(f->diags);
}

void compile_cache_free(struct compile_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        cached_fini(&c->v[i]);
    free(c->v);
    free(c);
}

/* Keeps copies of the diagnostics [from, diag_count) that parsing one file queued. */
static void keep_diags(struct cached_file *f, const struct diag_ctx *ctx, size_t from)
{
    size_t n = diag_count(ctx);
    if (n <= from)
        return;
    f->diags = xcalloc(n - from, sizeof(*f->diags));
    for (size_t i = from; i < n; i++) {
        const struct diag *d = diag_at(ctx, i);
        struct diag *c = &f->diags[f->ndiags++];
        *c = *d;
        c->code = d->code ? xstrdup(d->code) : NULL;
        c->message = xstrdup(d->message);
        c->notes = d->nnotes ? xcalloc(d->nnotes, sizeof(*c->notes)) : NULL;
        for (size_t k = 0; k < d->nnotes; k++) {
            c->notes[k].loc = d->notes[k].loc;
            c->notes[k].message = xstrdup(d->notes[k].message);
        }
    }
}

static void replay_diags(const struct cached_file *f, struct diag_ctx *ctx)
{
    for (size_t i = 0; i < f->ndiags; i++) {
        const struct diag *d = &f->diags[i];
        diag_emit(ctx, d->severity, d->code, d->loc, "%s", d->message);
        for (size_t k = 0; k < d->nnotes; k++)
            diag_note(ctx, d->notes[k].loc, "%s", d->notes[k].message);
    }
}

int compile_sources_cached(struct compile_cache *c, const struct compile_source *src, size_t n,
                           bool werror, struct compile_result *out)
{
    memset(out, 0, sizeof(*out));
    out->diag = diag_ctx_new();
    diag_set_werror(out->diag, werror);
    out->ast = ast_config_new();
    struct cached_file *next = xcalloc(n + 1, sizeof(*next));
    struct ast_file **tail = &out->ast->files;
    for (size_t i = 0; i < n; i++) {
        struct cached_file *old = NULL;
        for (size_t k = 0; k < c->n && !old; k++)
            if (c->v[k].path && c->v[k].src == i && c->v[k].len == src[i].len &&
                strcmp(c->v[k].path, src[i].path) == 0 &&
                memcmp(c->v[k].text, src[i].text, src[i].len) == 0)
                old = &c->v[k];
        char *text = xmalloc(src[i].len + 1);
        memcpy(text, src[i].text, src[i].len);
        text[src[i].len] = '\0';
        struct cached_file *f = &next[i];
        if (old) {
            *f = *old;
            memset(old, 0, sizeof(*old)); /* moved */
            (void)diag_add_source(out->diag, src[i].path, text, src[i].len);
            replay_diags(f, out->diag);
        } else {
            f->path = xstrdup(src[i].path);
            f->text = xmalloc(src[i].len + 1);
            memcpy(f->text, text, src[i].len + 1);
            f->len = src[i].len;
            f->src = (uint32_t)diag_source_count(out->diag);
            f->tree = ast_config_new();
            size_t before = diag_count(out->diag);
            (void)ast_load_text(f->tree, out->diag, src[i].path, text, src[i].len);
            keep_diags(f, out->diag, before);
        }
        /* the combined tree links the cached files (one per tree), in the order given */
        struct ast_file *af = f->tree->files;
        if (af) {
            af->next = NULL;
            *tail = af;
            tail = &af->next;
            out->ast->nfiles++;
        }
    }
    for (size_t k = 0; k < c->n; k++)
        cached_fini(&c->v[k]);
    free(c->v);
    c->v = next;
    c->n = n;
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

void compile_drop_tree(struct compile_result *r)
{
    ast_config_free(r->ast);
    r->ast = NULL;
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
