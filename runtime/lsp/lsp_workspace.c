/* lsp_workspace.c — documents, the disk cache and compiled units (see lsp_int.h).
 * A unit is the directory of the open file, compiled whole as `idpc validate DIR` does, with
 * open buffers in place of the files on disk. Unchanged files are read from disk once and kept
 * (re-read when their mtime or size changes), and their trees are kept (compile_sources_cached),
 * so a keystroke costs the parse of the changed file and one check of the whole configuration,
 * no I/O beyond a stat per file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/lsp/lsp_int.h"
#include "runtime/lsp/lsp_rpc.h"
#include "runtime/lsp/lsp_text.h"

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

static bool in_dir(const char *path, const char *dir)
{
    char *d = dir_of(path);
    bool same = strcmp(d, dir) == 0;
    free(d);
    return same;
}

static char *dup_text(const char *text, size_t len)
{
    char *t = xmalloc(len + 1);
    memcpy(t, text, len);
    t[len] = '\0';
    return t;
}

struct lsp_doc *lsp_ws_doc(struct lsp_server *s, const char *uri)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i].uri, uri) == 0)
            return &s->docs[i];
    return NULL;
}

static struct lsp_doc *doc_by_path(struct lsp_server *s, const char *path)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (s->docs[i].path && strcmp(s->docs[i].path, path) == 0)
            return &s->docs[i];
    return NULL;
}

/* The unit key of a URI: its file's directory, or the URI itself for a non-file buffer. */
static char *unit_key(const char *uri, bool *lone)
{
    char *path = lsp_uri_to_path(uri);
    if (!path) {
        *lone = true;
        return xstrdup(uri);
    }
    *lone = false;
    char *d = dir_of(path);
    free(path);
    return d;
}

static struct lsp_unit *unit_find(struct lsp_server *s, const char *key)
{
    for (size_t i = 0; i < s->nunits; i++)
        if (strcmp(s->units[i].key, key) == 0)
            return &s->units[i];
    return NULL;
}

void lsp_ws_touch(struct lsp_server *s, const char *uri)
{
    bool lone;
    char *key = unit_key(uri, &lone);
    struct lsp_unit *u = unit_find(s, key);
    if (u)
        u->fresh = false;
    free(key);
}

struct lsp_doc *lsp_ws_open(struct lsp_server *s, const char *uri, const char *text, size_t len,
                            long long version)
{
    struct lsp_doc *d = lsp_ws_doc(s, uri);
    if (!d) {
        s->docs = xrealloc(s->docs, (s->ndocs + 1) * sizeof(*s->docs));
        d = &s->docs[s->ndocs++];
        memset(d, 0, sizeof(*d));
        d->uri = xstrdup(uri);
        d->path = lsp_uri_to_path(uri);
    }
    free(d->text);
    d->text = dup_text(text, len);
    d->len = len;
    d->version = version;
    lsp_ws_touch(s, uri);
    return d;
}

void lsp_ws_close(struct lsp_server *s, const char *uri)
{
    struct lsp_doc *d = lsp_ws_doc(s, uri);
    if (!d)
        return;
    lsp_ws_touch(s, uri); /* the file on disk stands in for the buffer again */
    free(d->uri);
    free(d->path);
    free(d->text);
    size_t i = (size_t)(d - s->docs);
    memmove(d, d + 1, (s->ndocs - i - 1) * sizeof(*d));
    s->ndocs--;
}

bool lsp_ws_change(struct lsp_server *s, struct lsp_doc *d, const json_t *changes)
{
    if (!json_is_array(changes))
        return false;
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        json_t *t = json_object_get(c, "text");
        if (!json_is_string(t))
            return false;
        const char *text = json_string_value(t);
        size_t tlen = json_string_length(t);
        json_t *range = json_object_get(c, "range");
        if (!range) {
            free(d->text);
            d->text = dup_text(text, tlen);
            d->len = tlen;
        } else {
            unsigned l1, c1, l2, c2;
            if (!lsp_position_get(json_object_get(range, "start"), &l1, &c1) ||
                !lsp_position_get(json_object_get(range, "end"), &l2, &c2))
                return false;
            size_t a = lsp_text_offset(d->text, d->len, l1, c1);
            size_t b = lsp_text_offset(d->text, d->len, l2, c2);
            if (b < a)
                return false;
            lsp_text_splice(&d->text, &d->len, a, b, text, tlen);
        }
    }
    lsp_ws_touch(s, d->uri);
    return true;
}

/* The text of a file on disk, from the cache when its mtime and size are unchanged. */
static const struct lsp_disk *disk_get(struct lsp_server *s, const char *path, int *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *err = errno;
        return NULL;
    }
    struct lsp_disk *k = NULL;
    for (size_t i = 0; i < s->ndisk; i++)
        if (strcmp(s->disk[i].path, path) == 0)
            k = &s->disk[i];
    if (k && k->size == st.st_size && k->mtime.tv_sec == st.st_mtim.tv_sec &&
        k->mtime.tv_nsec == st.st_mtim.tv_nsec)
        return k;
    char *text;
    size_t len;
    *err = util_read_file(path, &text, &len);
    if (*err)
        return NULL;
    if (!k) {
        s->disk = xrealloc(s->disk, (s->ndisk + 1) * sizeof(*s->disk));
        k = &s->disk[s->ndisk++];
        k->path = xstrdup(path);
    } else {
        free(k->text);
    }
    k->text = text;
    k->len = len;
    k->size = st.st_size;
    k->mtime = st.st_mtim;
    return k;
}

static int cmp_source(const void *a, const void *b)
{
    return strcmp(((const struct compile_source *)a)->path,
                  ((const struct compile_source *)b)->path);
}

static void unit_compile(struct lsp_server *s, struct lsp_unit *u)
{
    if (u->cr.diag) {
        if (u->old.diag)
            compile_free(&u->old);
        u->old = u->cr;
        memset(&u->cr, 0, sizeof(u->cr));
    }
    struct compile_source *src = NULL;
    size_t n = 0;
    char **names = NULL;
    size_t nnames = 0;
    struct strbuf unreadable = STRBUF_INIT;
    if (u->lone) {
        struct lsp_doc *d = lsp_ws_doc(s, u->key);
        if (d) {
            src = xcalloc(1, sizeof(*src));
            src[n++] = (struct compile_source){d->uri, d->text, d->len};
        }
    } else {
        if (ast_dir_files(u->key, &names, &nnames) != 0)
            nnames = 0;
        src = xcalloc(nnames + s->ndocs + 1, sizeof(*src));
        for (size_t i = 0; i < nnames; i++) {
            struct lsp_doc *d = doc_by_path(s, names[i]);
            if (d) {
                src[n++] = (struct compile_source){names[i], d->text, d->len};
                continue;
            }
            int err = 0;
            const struct lsp_disk *k = disk_get(s, names[i], &err);
            if (k)
                src[n++] = (struct compile_source){names[i], k->text, k->len};
            else
                strbuf_addf(&unreadable, "%s%s: %s", unreadable.len ? "; " : "", names[i],
                            strerror(err));
        }
        /* open buffers of this directory that are not (yet) on disk */
        for (size_t i = 0; i < s->ndocs; i++) {
            const struct lsp_doc *d = &s->docs[i];
            if (!d->path || !in_dir(d->path, u->key))
                continue;
            size_t l = strlen(d->path);
            bool listed = false;
            for (size_t k = 0; k < nnames && !listed; k++)
                listed = strcmp(names[k], d->path) == 0;
            if (!listed && l > 4 && strcmp(d->path + l - 4, ".idp") == 0)
                src[n++] = (struct compile_source){d->path, d->text, d->len};
        }
        qsort(src, n, sizeof(*src), cmp_source);
    }
    if (!u->cache)
        u->cache = compile_cache_new();
    (void)compile_sources_cached(u->cache, src, n, false, &u->cr);
    if (unreadable.len)
        diag_error(u->cr.diag, DIAG_LOC_NONE, "cannot read %s", strbuf_str(&unreadable));
    strbuf_fini(&unreadable);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    free(src);
    u->fresh = true;
}

struct lsp_unit *lsp_ws_unit(struct lsp_server *s, const char *uri)
{
    bool lone;
    char *key = unit_key(uri, &lone);
    struct lsp_unit *u = unit_find(s, key);
    if (lone && !lsp_ws_doc(s, uri)) {
        free(key);
        return NULL;
    }
    if (!u) {
        s->units = xrealloc(s->units, (s->nunits + 1) * sizeof(*s->units));
        u = &s->units[s->nunits++];
        memset(u, 0, sizeof(*u));
        u->key = key;
        u->lone = lone;
    } else {
        free(key);
    }
    if (!u->fresh)
        unit_compile(s, u);
    return u;
}

bool lsp_ws_file(struct lsp_server *s, const struct lsp_unit *u, const char *uri,
                 const struct ast_file **file, const struct src_file **src)
{
    char *path = u->lone ? xstrdup(uri) : lsp_uri_to_path(uri);
    (void)s;
    bool found = false;
    if (path && u->cr.ast) {
        for (const struct ast_file *f = u->cr.ast->files; f; f = f->next) {
            if (strcmp(f->path, path) == 0) {
                *file = f;
                *src = diag_source(u->cr.diag, f->src);
                found = *src != NULL;
                break;
            }
        }
    }
    free(path);
    return found;
}

char *lsp_ws_uri_of(struct lsp_server *s, const struct lsp_unit *u, uint32_t src)
{
    const struct src_file *f = diag_source(u->cr.diag, src);
    if (!f)
        return NULL;
    if (u->lone)
        return xstrdup(f->path);
    struct lsp_doc *d = doc_by_path(s, f->path);
    return d ? xstrdup(d->uri) : lsp_path_to_uri(f->path);
}

/* ---- diagnostics ---- */

static json_t *diag_json(struct lsp_server *s, const struct lsp_unit *u, const struct diag *d,
                         const struct src_file *f)
{
    json_t *j = json_object();
    json_object_set_new(j, "range", lsp_src_range(f, d->loc.start, d->loc.end));
    json_object_set_new(j, "severity", json_integer(d->severity == DIAG_ERROR ? 1 : 2));
    json_object_set_new(j, "source", json_string("idpc"));
    if (d->code)
        json_object_set_new(j, "code", json_string(d->code));
    struct strbuf msg = STRBUF_INIT;
    strbuf_adds(&msg, d->message);
    json_t *rel = json_array();
    for (size_t i = 0; i < d->nnotes; i++) {
        const struct diag_note *n = &d->notes[i];
        const struct src_file *nf =
            diag_loc_valid(n->loc) ? diag_source(u->cr.diag, n->loc.file) : NULL;
        char *nuri = nf ? lsp_ws_uri_of(s, u, n->loc.file) : NULL;
        if (!nuri) {
            strbuf_addf(&msg, "\nnote: %s", n->message);
            continue;
        }
        json_array_append_new(rel, json_pack("{s:{s:s, s:o}, s:o}", "location", "uri", nuri,
                                             "range", lsp_src_range(nf, n->loc.start, n->loc.end),
                                             "message", lsp_json_string(n->message)));
        free(nuri);
    }
    json_object_set_new(j, "message", lsp_json_string(strbuf_str(&msg)));
    strbuf_fini(&msg);
    if (json_array_size(rel))
        json_object_set_new(j, "relatedInformation", rel);
    else
        json_decref(rel);
    return j;
}

void lsp_ws_publish(struct lsp_server *s, struct lsp_unit *u)
{
    size_t nsrc = diag_source_count(u->cr.diag);
    json_t **lists = xcalloc(nsrc + 1, sizeof(*lists));
    for (size_t i = 0; i < nsrc; i++)
        lists[i] = json_array();
    for (size_t i = 0; i < diag_count(u->cr.diag); i++) {
        const struct diag *d = diag_at(u->cr.diag, i);
        uint32_t file = diag_loc_valid(d->loc) && d->loc.file < nsrc ? d->loc.file : 0;
        const struct src_file *f = nsrc ? diag_source(u->cr.diag, file) : NULL;
        if (!f)
            continue;
        struct diag copy = *d;
        if (!diag_loc_valid(d->loc))
            copy.loc = diag_loc(file, 0, 0); /* a problem of no file: shown at the first's top */
        json_array_append_new(lists[file], diag_json(s, u, &copy, f));
    }
    char **now = xcalloc(nsrc + 1, sizeof(*now));
    size_t nnow = 0;
    for (size_t i = 0; i < nsrc; i++) {
        char *uri = lsp_ws_uri_of(s, u, (uint32_t)i);
        if (!uri) {
            json_decref(lists[i]);
            continue;
        }
        bool was = false;
        for (size_t k = 0; k < u->npublished && !was; k++)
            was = strcmp(u->published[k], uri) == 0;
        bool open = lsp_ws_doc(s, uri) != NULL;
        bool any = json_array_size(lists[i]) > 0;
        if (any || was || open) {
            json_t *params = json_pack("{s:s, s:o}", "uri", uri, "diagnostics", lists[i]);
            struct lsp_doc *d = lsp_ws_doc(s, uri);
            if (d)
                json_object_set_new(params, "version", json_integer(d->version));
            lsp_rpc_send(s->out, lsp_rpc_notification("textDocument/publishDiagnostics", params));
        } else {
            json_decref(lists[i]);
        }
        if (any || open)
            now[nnow++] = xstrdup(uri);
        free(uri);
    }
    /* files that were in the unit and are gone (deleted, or a closed buffer never saved) */
    for (size_t k = 0; k < u->npublished; k++) {
        bool still = false;
        for (size_t i = 0; i < nnow && !still; i++)
            still = strcmp(now[i], u->published[k]) == 0;
        if (!still)
            lsp_rpc_send(s->out, lsp_rpc_notification("textDocument/publishDiagnostics",
                                                      json_pack("{s:s, s:[]}", "uri",
                                                                u->published[k], "diagnostics")));
        free(u->published[k]);
    }
    free(u->published);
    u->published = now;
    u->npublished = nnow;
    free(lists);
}

void lsp_ws_release(struct lsp_server *s)
{
    for (size_t i = 0; i < s->nunits; i++)
        if (s->units[i].old.diag)
            compile_free(&s->units[i].old);
}

void lsp_ws_free(struct lsp_server *s)
{
    lsp_ws_release(s);
    for (size_t i = 0; i < s->ndocs; i++) {
        free(s->docs[i].uri);
        free(s->docs[i].path);
        free(s->docs[i].text);
    }
    free(s->docs);
    for (size_t i = 0; i < s->ndisk; i++) {
        free(s->disk[i].path);
        free(s->disk[i].text);
    }
    free(s->disk);
    for (size_t i = 0; i < s->nunits; i++) {
        if (s->units[i].cr.diag)
            compile_free(&s->units[i].cr);
        compile_cache_free(s->units[i].cache);
        for (size_t k = 0; k < s->units[i].npublished; k++)
            free(s->units[i].published[k]);
        free(s->units[i].published);
        free(s->units[i].key);
    }
    free(s->units);
    memset(s, 0, sizeof(*s));
}
