/* backend_file.c — the file tenant (docs/tenant-format.md): a snapshot of Graph collections in one
 * JSON document, read lazily and written back atomically under a lock.
 *
 * The document is kept as text. Opening it validates the JSON once and records where each
 * collection's value lies; a collection is parsed (jansson) only when it is read whole or written.
 * Large collections (users, groups) are streamed by backend_scan() straight from the text, so a
 * plan over a 50,000-user snapshot needs about the snapshot's size in memory. On commit the
 * untouched collections are copied byte for byte and the changed ones re-serialised.
 *
 * Writes emulate Graph: new ids, server-filled defaults (facts.md §2.4), timestamps, $ref member
 * edits, updateAllowedCombinations, PIM schedule requests, and the refusals a plan must respect
 * (a trusted location cannot be deleted, a referenced location or strength cannot be deleted, a
 * policy cannot reference a location, strength or group that does not exist). */
#include "runtime/backend.h"
#include "runtime/backend_file.h"
#include "runtime/strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct fentry {
    char *key;
    size_t vstart, vend; /* the value's span in the text (when it came from the file) */
    json_t *json;        /* parsed value: a cache, or the truth once dirty */
    bool dirty;
    bool deleted;
    bool from_text;
    /* item index of a raw (unparsed) array: id → item span */
    struct strmap *ids;
    size_t *istart, *iend;
    size_t nitems;
};

struct ftop {
    char *key;
    size_t vstart, vend;
};

struct fdoc {
    char *path;
    char *lockpath;
    int lockfd;
    bool loaded;
    char *text;
    size_t len;
    struct ftop *tops;
    size_t ntops;
    struct fentry *e;
    size_t n, cap;
    struct strmap by_path;
    unsigned long seq;
};

/* ------------------------------------------------------------------------------------------ */
/* A validating JSON scanner over the raw text.                                                */

struct scan {
    const char *s;
    size_t len, pos;
    const char *err; /* what was expected */
    int depth;
};

static void ws(struct scan *sc)
{
    while (sc->pos < sc->len) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->pos++;
    }
}

static int fail(struct scan *sc, const char *what)
{
    if (!sc->err)
        sc->err = what;
    return -1;
}

static int skip_string(struct scan *sc)
{
    if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
        return fail(sc, "a string");
    sc->pos++;
    while (sc->pos < sc->len) {
        unsigned char c = (unsigned char)sc->s[sc->pos++];
        if (c == '"')
            return 0;
        if (c < 0x20)
            return fail(sc, "no control character inside a string");
        if (c == '\\') {
            if (sc->pos >= sc->len)
                break;
            char e = sc->s[sc->pos++];
            if (e == 'u') {
                for (int i = 0; i < 4; i++, sc->pos++) {
                    char h = sc->pos < sc->len ? sc->s[sc->pos] : 0;
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return fail(sc, "four hex digits after \\u");
                }
            } else if (!strchr("\"\\/bfnrt", e) || !e) {
                return fail(sc, "a valid escape");
            }
        }
    }
    return fail(sc, "the end of the string");
}

static int skip_value(struct scan *sc);

static int skip_container(struct scan *sc, char open, char close)
{
    if (++sc->depth > 512)
        return fail(sc, "less nesting (more than 512 levels)");
    sc->pos++; /* open */
    (void)open;
    ws(sc);
    if (sc->pos < sc->len && sc->s[sc->pos] == close) {
        sc->pos++;
        sc->depth--;
        return 0;
    }
    for (;;) {
        ws(sc);
        if (close == '}') {
            if (skip_string(sc) != 0)
                return fail(sc, "a member name");
            ws(sc);
            if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
                return fail(sc, "':'");
            sc->pos++;
            ws(sc);
        }
        if (skip_value(sc) != 0)
            return -1;
        ws(sc);
        if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
            sc->pos++;
            continue;
        }
        if (sc->pos < sc->len && sc->s[sc->pos] == close) {
            sc->pos++;
            sc->depth--;
            return 0;
        }
        return fail(sc, close == '}' ? "',' or '}'" : "',' or ']'");
    }
}

static int skip_value(struct scan *sc)
{
    ws(sc);
    if (sc->pos >= sc->len)
        return fail(sc, "a value");
    char c = sc->s[sc->pos];
    if (c == '{')
        return skip_container(sc, '{', '}');
    if (c == '[')
        return skip_container(sc, '[', ']');
    if (c == '"')
        return skip_string(sc);
    static const char *const lits[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if (sc->len - sc->pos >= n && memcmp(sc->s + sc->pos, lits[i], n) == 0) {
            sc->pos += n;
            return 0;
        }
    }
    size_t start = sc->pos;
    if (c == '-')
        sc->pos++;
    size_t digits = sc->pos;
    while (sc->pos < sc->len && strchr("0123456789.eE+-", sc->s[sc->pos]) && sc->s[sc->pos])
        sc->pos++;
    if (sc->pos == digits || sc->pos == start)
        return fail(sc, "a value");
    return 0;
}

/* Decodes the JSON string at sc->pos (validated already) into a NUL-terminated UTF-8 string. */
static char *decode_string(struct scan *sc)
{
    size_t start = ++sc->pos;
    size_t end = start;
    bool simple = true;
    while (end < sc->len && sc->s[end] != '"') {
        if (sc->s[end] == '\\') {
            simple = false;
            end++;
        }
        end++;
    }
    sc->pos = end + 1;
    if (simple)
        return xstrndup(sc->s + start, end - start);
    /* Let jansson do escapes and surrogate pairs. */
    json_error_t je;
    json_t *v = json_loadb(sc->s + start - 1, end - start + 2, JSON_DECODE_ANY, &je);
    char *out = xstrdup(json_is_string(v) ? json_string_value(v) : "");
    json_decref(v);
    return out;
}

static void line_col(const char *s, size_t pos, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                      */

static struct fentry *entry_find(struct fdoc *d, const char *key)
{
    size_t i;
    if (!strmap_get(&d->by_path, key, &i))
        return NULL;
    return d->e[i].deleted ? NULL : &d->e[i];
}

static struct fentry *entry_add(struct fdoc *d, const char *key)
{
    size_t i;
    if (strmap_get(&d->by_path, key, &i)) {
        d->e[i].deleted = false;
        return &d->e[i];
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->e = xrealloc(d->e, d->cap * sizeof(*d->e));
    }
    struct fentry *e = &d->e[d->n];
    memset(e, 0, sizeof(*e));
    e->key = xstrdup(key);
    strmap_put(&d->by_path, key, d->n);
    d->n++;
    return e;
}

static void entry_clear_index(struct fentry *e)
{
    if (e->ids) {
        strmap_fini(e->ids);
        free(e->ids);
        e->ids = NULL;
    }
    free(e->istart);
    free(e->iend);
    e->istart = e->iend = NULL;
    e->nitems = 0;
}

static void doc_unload(struct fdoc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].key);
        json_decref(d->e[i].json);
        entry_clear_index(&d->e[i]);
    }
    free(d->e);
    d->e = NULL;
    d->n = d->cap = 0;
    for (size_t i = 0; i < d->ntops; i++)
        free(d->tops[i].key);
    free(d->tops);
    d->tops = NULL;
    d->ntops = 0;
    strmap_fini(&d->by_path);
    strmap_init(&d->by_path, false);
    free(d->text);
    d->text = NULL;
    d->len = 0;
    d->loaded = false;
}

static int load_error(struct fdoc *d, struct scan *sc, struct backend_error *err)
{
    unsigned line, col;
    line_col(d->text, sc->pos, &line, &col);
    backend_error_set(err, 0, NULL, "%s:%u:%u: not a valid tenant snapshot: expected %s", d->path,
                      line, col, sc->err ? sc->err : "JSON");
    doc_unload(d);
    return -1;
}

static int doc_load(struct fdoc *d, struct backend_error *err)
{
    if (d->loaded)
        return 0;
    int rc = util_read_file(d->path, &d->text, &d->len);
    if (rc != 0) {
        backend_error_set(err, 0, NULL, "cannot read tenant snapshot '%s': %s", d->path,
                          strerror(rc));
        d->text = NULL;
        return -1;
    }
    struct scan sc = {.s = d->text, .len = d->len};
    /* Validate the whole document first: a truncated snapshot must never half-load. */
    if (skip_value(&sc) != 0)
        return load_error(d, &sc, err);
    ws(&sc);
    if (sc.pos != sc.len) {
        sc.err = "the end of the document";
        return load_error(d, &sc, err);
    }
    sc.pos = 0;
    ws(&sc);
    if (d->text[sc.pos] != '{') {
        sc.err = "an object {\"format\": \"idpc-tenant/1\", \"collections\": {...}}";
        return load_error(d, &sc, err);
    }
    sc.pos++;
    bool have_format = false, have_coll = false;
    for (;;) {
        ws(&sc);
        if (d->text[sc.pos] == '}')
            break;
        if (d->text[sc.pos] == ',') {
            sc.pos++;
            continue;
        }
        char *key = decode_string(&sc);
        ws(&sc);
        sc.pos++; /* ':' */
        ws(&sc);
        size_t vstart = sc.pos;
        if (strcmp(key, "collections") == 0 && d->text[sc.pos] == '{') {
            have_coll = true;
            sc.pos++;
            for (;;) {
                ws(&sc);
                if (d->text[sc.pos] == '}') {
                    sc.pos++;
                    break;
                }
                if (d->text[sc.pos] == ',') {
                    sc.pos++;
                    continue;
                }
                char *path = decode_string(&sc);
                ws(&sc);
                sc.pos++;
                ws(&sc);
                size_t cs = sc.pos;
                (void)skip_value(&sc);
                struct fentry *e = entry_add(d, path);
                e->vstart = cs;
                e->vend = sc.pos;
                e->from_text = true;
                free(path);
            }
        } else {
            (void)skip_value(&sc);
            if (strcmp(key, "format") == 0) {
                have_format = sc.pos - vstart == strlen("\"idpc-tenant/1\"") &&
                              memcmp(d->text + vstart, "\"idpc-tenant/1\"", sc.pos - vstart) == 0;
                if (!have_format) {
                    unsigned line, col;
                    line_col(d->text, vstart, &line, &col);
                    backend_error_set(err, 0, NULL,
                                      "%s:%u:%u: unsupported snapshot format %.*s (expected "
                                      "\"idpc-tenant/1\")",
                                      d->path, line, col, (int)(sc.pos - vstart), d->text + vstart);
                    free(key);
                    doc_unload(d);
                    return -1;
                }
            }
        }
        d->tops = xrealloc(d->tops, (d->ntops + 1) * sizeof(*d->tops));
        d->tops[d->ntops].key = key;
        d->tops[d->ntops].vstart = vstart;
        d->tops[d->ntops].vend = sc.pos;
        d->ntops++;
    }
    if (!have_format || !have_coll) {
        backend_error_set(err, 0, NULL,
                          "%s is not a tenant snapshot: it needs \"format\": \"idpc-tenant/1\" "
                          "and \"collections\" (see docs/tenant-format.md)",
                          d->path);
        doc_unload(d);
        return -1;
    }
    d->loaded = true;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                      */

static json_t *entry_json(struct fdoc *d, struct fentry *e, struct backend_error *err)
{
    if (e->json)
        return e->json;
    json_error_t je;
    e->json = json_loadb(d->text + e->vstart, e->vend - e->vstart, JSON_DECODE_ANY, &je);
    if (!e->json)
        backend_error_set(err, 0, NULL, "%s: collection '%s': %s", d->path, e->key, je.text);
    return e->json;
}

/* Builds the id → item index of a raw array collection. */
static void entry_index(struct fdoc *d, struct fentry *e)
{
    if (e->ids || e->json)
        return;
    e->ids = xcalloc(1, sizeof(*e->ids));
    strmap_init(e->ids, true);
    struct scan sc = {.s = d->text, .len = e->vend, .pos = e->vstart};
    ws(&sc);
    if (d->text[sc.pos] != '[')
        return;
    sc.pos++;
    size_t cap = 0;
    for (;;) {
        ws(&sc);
        if (sc.pos >= sc.len || d->text[sc.pos] == ']')
            break;
        if (d->text[sc.pos] == ',') {
            sc.pos++;
            continue;
        }
        size_t is = sc.pos;
        char *id = NULL;
        if (d->text[sc.pos] == '{') {
            sc.pos++;
            for (;;) {
                ws(&sc);
                char c = d->text[sc.pos];
                if (c == '}') {
                    sc.pos++;
                    break;
                }
                if (c == ',') {
                    sc.pos++;
                    continue;
                }
                char *k = decode_string(&sc);
                ws(&sc);
                sc.pos++;
                ws(&sc);
                if (!id && strcmp(k, "id") == 0 && d->text[sc.pos] == '"')
                    id = decode_string(&sc);
                else
                    (void)skip_value(&sc);
                free(k);
            }
        } else {
            (void)skip_value(&sc);
        }
        if (e->nitems == cap) {
            cap = cap ? cap * 2 : 64;
            e->istart = xrealloc(e->istart, cap * sizeof(size_t));
            e->iend = xrealloc(e->iend, cap * sizeof(size_t));
        }
        e->istart[e->nitems] = is;
        e->iend[e->nitems] = sc.pos;
        if (id)
            strmap_put_first(e->ids, id, e->nitems);
        e->nitems++;
        free(id);
    }
}

static json_t *array_find_id(json_t *arr, const char *id, size_t *index)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *vid = json_string_value(json_object_get(v, "id"));
        if (vid && strcasecmp(vid, id) == 0) {
            if (index)
                *index = i;
            return v;
        }
    }
    return NULL;
}

/* The entry with the longest key that is `path` or a prefix of it at a '/'; *rest points at the
 * remaining segments ("" when exact). */
static struct fentry *entry_prefix(struct fdoc *d, const char *path, const char **rest)
{
    char *p = xstrdup(path);
    struct fentry *e = NULL;
    for (;;) {
        e = entry_find(d, p);
        if (e) {
            *rest = path + strlen(p);
            if (**rest == '/')
                (*rest)++;
            break;
        }
        char *slash = strrchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(p);
    return e;
}

struct located {
    struct fentry *entry;
    json_t *item;   /* borrowed */
    json_t *parent; /* array or object holding item; NULL when item is the entry's value */
    size_t index;   /* in parent when it is an array */
};

/* Walks the remaining segments from an entry's value: arrays by item id, objects by key. */
static bool walk(json_t *v, const char *rest, struct located *loc)
{
    loc->item = v;
    loc->parent = NULL;
    char *r = xstrdup(rest);
    bool ok = true;
    for (char *seg = r; seg && *seg;) {
        char *slash = strchr(seg, '/');
        if (slash)
            *slash = '\0';
        json_t *next = NULL;
        size_t idx = 0;
        if (json_is_array(loc->item))
            next = array_find_id(loc->item, seg, &idx);
        else if (json_is_object(loc->item))
            next = json_object_get(loc->item, seg);
        if (!next) {
            ok = false;
            break;
        }
        loc->parent = loc->item;
        loc->index = idx;
        loc->item = next;
        seg = slash ? slash + 1 : NULL;
    }
    free(r);
    return ok;
}

static int locate(struct fdoc *d, const char *path, struct located *loc, struct backend_error *err)
{
    memset(loc, 0, sizeof(*loc));
    const char *rest = "";
    struct fentry *e = entry_prefix(d, path, &rest);
    if (!e)
        return 1;
    json_t *v = entry_json(d, e, err);
    if (!v)
        return -1;
    loc->entry = e;
    return walk(v, rest, loc) ? 0 : 1;
}

static int f_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    if (doc_load(d, err) != 0)
        return -1;
    const char *rest = "";
    struct fentry *e = entry_prefix(d, path, &rest);
    if (!e)
        return 0;
    /* An item of a raw collection: parse just that item. */
    if (!e->json && *rest && !strchr(rest, '/')) {
        entry_index(d, e);
        size_t i;
        if (e->ids && strmap_get(e->ids, rest, &i)) {
            json_error_t je;
            *out = json_loadb(d->text + e->istart[i], e->iend[i] - e->istart[i], 0, &je);
            return *out ? 0 : -1;
        }
        if (e->nitems || (d->text[e->vstart] == '['))
            return 0;
    }
    struct located loc;
    int rc = locate(d, path, &loc, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        *out = json_incref(loc.item);
    return 0;
}

static bool select_field(const char *const *fields, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i], k) == 0)
            return true;
    return false;
}

static int f_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                  backend_item_fn fn, void *ctx, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    if (doc_load(d, err) != 0)
        return -1;
    struct fentry *e = entry_find(d, path);
    if (e && !e->json) {
        struct scan sc = {.s = d->text, .len = e->vend, .pos = e->vstart};
        ws(&sc);
        if (d->text[sc.pos] != '[')
            return 0;
        sc.pos++;
        json_t *item = json_object();
        int rc = 0;
        for (;;) {
            ws(&sc);
            if (sc.pos >= sc.len || d->text[sc.pos] == ']')
                break;
            if (d->text[sc.pos] == ',') {
                sc.pos++;
                continue;
            }
            if (d->text[sc.pos] != '{') {
                (void)skip_value(&sc);
                continue;
            }
            json_object_clear(item);
            sc.pos++;
            for (;;) {
                ws(&sc);
                char c = d->text[sc.pos];
                if (c == '}') {
                    sc.pos++;
                    break;
                }
                if (c == ',') {
                    sc.pos++;
                    continue;
                }
                char *k = decode_string(&sc);
                ws(&sc);
                sc.pos++;
                ws(&sc);
                if (select_field(fields, nfields, k)) {
                    if (d->text[sc.pos] == '"') {
                        char *s = decode_string(&sc);
                        json_object_set_new(item, k, json_string(s));
                        free(s);
                    } else {
                        size_t vs = sc.pos;
                        (void)skip_value(&sc);
                        json_error_t je;
                        json_t *v = json_loadb(d->text + vs, sc.pos - vs, JSON_DECODE_ANY, &je);
                        if (v)
                            json_object_set_new(item, k, v);
                    }
                } else {
                    (void)skip_value(&sc);
                }
                free(k);
            }
            if (!fn(item, ctx))
                break;
        }
        json_decref(item);
        return rc;
    }
    json_t *all = NULL;
    if (f_read(b, path, &all, err) != 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        json_t *item = json_object();
        for (size_t f = 0; f < nfields; f++) {
            json_t *x = json_object_get(v, fields[f]);
            if (x)
                json_object_set(item, fields[f], x);
        }
        bool go = fn(item, ctx);
        json_decref(item);
        if (!go)
            break;
    }
    json_decref(all);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Writing: Graph's behaviour, emulated (backend_file_write.c)                                  */

json_t *backend_file_collection(struct backend *b, const char *path, bool create,
                                struct backend_error *err)
{
    struct fdoc *d = b->impl;
    struct fentry *e = entry_find(d, path);
    if (!e) {
        if (!create)
            return NULL;
        e = entry_add(d, path);
        e->json = json_array();
    }
    json_t *v = entry_json(d, e, err);
    if (v) {
        entry_clear_index(e);
        e->dirty = true;
    }
    return v;
}

void backend_file_drop(struct backend *b, const char *path)
{
    struct fdoc *d = b->impl;
    struct fentry *e = entry_find(d, path);
    if (e) {
        e->deleted = true;
        e->dirty = true;
    }
}

int backend_file_locate(struct backend *b, const char *path, json_t **item, json_t **parent,
                        size_t *index, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    struct located loc;
    int rc = locate(d, path, &loc, err);
    if (rc != 0)
        return rc;
    entry_clear_index(loc.entry);
    loc.entry->dirty = true;
    *item = loc.item;
    *parent = loc.parent;
    *index = loc.index;
    return 0;
}

/* Read-only lookup of an item by collection and id, from the text index when the collection is
 * not parsed (users, groups). Returns a new reference or NULL. */
json_t *backend_file_get(struct backend *b, const char *collection, const char *id)
{
    char *p = xasprintf("%s/%s", collection, id);
    json_t *v = NULL;
    struct backend_error err;
    if (f_read(b, p, &v, &err) != 0)
        v = NULL;
    free(p);
    return v;
}

char *backend_file_new_id(struct backend *b, const char *path, const json_t *body)
{
    struct fdoc *d = b->impl;
    /* Deterministic for a given snapshot and request, unique across runs because the snapshot
     * changes with every write: SHA-256 of (file path, sequence, request, snapshot size). */
    char *dump = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *seed = xasprintf("%s|%lu|%zu|%s|%s", d->path, d->seq++, d->len, path, dump ? dump : "");
    free(dump);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(seed, strlen(seed), md, &mdlen, EVP_sha256(), NULL);
    free(seed);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
                     md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
                     md[12], md[13], md[14], md[15]);
}

/* ------------------------------------------------------------------------------------------ */
/* Lock and commit                                                                              */

static int f_lock(struct backend *b, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    if (d->lockfd >= 0)
        return 0;
    int fd = open(d->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        backend_error_set(err, 0, NULL, "cannot create lock file '%s': %s", d->lockpath,
                          strerror(errno));
        return -1;
    }
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    while (fcntl(fd, F_SETLKW, &fl) != 0) {
        if (errno == EINTR)
            continue;
        backend_error_set(err, 0, NULL, "cannot lock '%s': %s", d->lockpath, strerror(errno));
        close(fd);
        return -1;
    }
    d->lockfd = fd;
    /* Someone may have committed between our first read and the lock: read again. */
    doc_unload(d);
    return doc_load(d, err);
}

static void f_unlock(struct backend *b)
{
    struct fdoc *d = b->impl;
    if (d->lockfd < 0)
        return;
    close(d->lockfd); /* releases the fcntl lock */
    d->lockfd = -1;
    doc_unload(d); /* uncommitted writes are gone; the next read sees the file */
}

static void add_indented(struct strbuf *sb, const char *s, const char *indent)
{
    for (; *s; s++) {
        strbuf_addc(sb, *s);
        if (*s == '\n')
            strbuf_adds(sb, indent);
    }
}

static void add_json_string(struct strbuf *sb, const char *s)
{
    json_t *k = json_string(s);
    char *t = json_dumps(k, JSON_ENCODE_ANY);
    strbuf_adds(sb, t);
    free(t);
    json_decref(k);
}

char *backend_file_serialize(struct backend *b)
{
    struct fdoc *d = b->impl;
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "{\n");
    for (size_t t = 0; t < d->ntops; t++) {
        strbuf_adds(&sb, "  ");
        add_json_string(&sb, d->tops[t].key);
        strbuf_adds(&sb, ": ");
        if (strcmp(d->tops[t].key, "collections") == 0) {
            strbuf_adds(&sb, "{");
            bool first = true;
            for (size_t i = 0; i < d->n; i++) {
                struct fentry *e = &d->e[i];
                if (e->deleted)
                    continue;
                strbuf_adds(&sb, first ? "\n    " : ",\n    ");
                first = false;
                add_json_string(&sb, e->key);
                strbuf_adds(&sb, ": ");
                if (e->from_text && !e->dirty) {
                    strbuf_add(&sb, d->text + e->vstart, e->vend - e->vstart);
                } else {
                    char *v =
                        json_dumps(e->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
                    add_indented(&sb, v ? v : "null", "    ");
                    free(v);
                }
            }
            strbuf_adds(&sb, first ? "}" : "\n  }");
        } else {
            strbuf_add(&sb, d->text + d->tops[t].vstart, d->tops[t].vend - d->tops[t].vstart);
        }
        strbuf_adds(&sb, t + 1 < d->ntops ? ",\n" : "\n");
    }
    strbuf_adds(&sb, "}\n");
    return strbuf_detach(&sb);
}

static int f_commit(struct backend *b, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    bool dirty = false;
    for (size_t i = 0; i < d->n; i++)
        dirty |= d->e[i].dirty;
    int rc = 0;
    if (dirty && d->loaded) {
        char *text = backend_file_serialize(b);
        int e = util_write_file_atomic(d->path, text, strlen(text));
        free(text);
        if (e != 0) {
            backend_error_set(err, 0, NULL, "cannot write tenant snapshot '%s': %s", d->path,
                              strerror(e));
            rc = -1;
        }
    }
    f_unlock(b);
    return rc;
}

static void f_close(struct backend *b)
{
    struct fdoc *d = b->impl;
    if (!d)
        return;
    f_unlock(b);
    doc_unload(d);
    strmap_fini(&d->by_path);
    free(d->path);
    free(d->lockpath);
    free(d);
    b->impl = NULL;
}

static const struct backend_ops file_ops = {
    .scheme = "file",
    .read = f_read,
    .scan = f_scan,
    .write = backend_file_write,
    .lock = f_lock,
    .commit = f_commit,
    .unlock = f_unlock,
    .close = f_close,
};

int backend_file_open(struct backend *b, const char *arg, struct backend_error *err)
{
    if (!arg || !*arg) {
        backend_error_set(err, 0, NULL, "file: needs a path (file:tenant.json)");
        return -1;
    }
    struct fdoc *d = xcalloc(1, sizeof(*d));
    d->path = xstrdup(arg);
    d->lockpath = xasprintf("%s.lock", arg);
    d->lockfd = -1;
    strmap_init(&d->by_path, false);
    b->ops = &file_ops;
    b->impl = d;
    if (doc_load(d, err) != 0) {
        f_close(b);
        return -1;
    }
    return 0;
}

bool backend_file_locked(const struct backend *b)
{
    const struct fdoc *d = b->impl;
    return d->lockfd >= 0;
}

const char *backend_file_path(const struct backend *b)
{
    const struct fdoc *d = b->impl;
    return d->path;
}
