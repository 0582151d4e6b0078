/* backend_file.c — the file tenant (docs/tenant-format.md): a snapshot of Graph collections in one
 * JSON document, read lazily and written back atomically under a lock.
 *
 * Every JSON value in the document is decoded by jansson: opening it decodes each value once to
 * validate it (a collection's array item by item, each item dropped at once: decoded into the
 * transient arena of jarena.h unless it is kept) and records where each collection's value lies.
 * A regular file is read through a window (pread()) that holds only the values being decoded, so
 * its text is never held whole; a value's span is read again from the
 * open file when it is needed (the file's old contents stay readable through the descriptor when
 * a commit renames a new snapshot over it). A pipe's text is read whole and kept. A collection is
 * kept as a jansson tree only when it is read whole or written. Large collections (users, groups)
 * are streamed by backend_scan() item by item, so a plan over a 50,000-user snapshot holds no tree
 * of its directory and not its text. Of the named locations (a plan's largest declared
 * collection) loading keeps where each item lies and what a plan reads of it, for
 * backend_scan_text(): the plan holds each as its span (tenant.h) and reads it again
 * (backend_read_at) when it needs the tree; neither keeps a tree or a text of them. On commit the
 * untouched collections are copied byte for byte and the changed ones re-serialised.
 *
 * Writes emulate Graph: new ids, server-filled defaults (facts.md §2.4), timestamps, $ref member
 * edits, updateAllowedCombinations, PIM schedule requests, and the refusals a plan must respect
 * (a trusted location cannot be deleted, a referenced location or strength cannot be deleted, a
 * policy cannot reference a location, strength or group that does not exist). */
/* realpath() is XSI (POSIX.1-2008 with the X/Open System Interfaces) */
#define _XOPEN_SOURCE 700
#include "runtime/tenant/backend.h"
#include "runtime/tenant/backend_file.h"
#include "runtime/tenant/backend_file_ids.h"
#include "runtime/tenant/jarena.h"
#include "compiler/strmap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct fentry {
    char *key;
    size_t vstart, vend; /* the value's span in the text (when it came from the file) */
    json_t *json;        /* parsed value: a cache, or the truth once dirty */
    bool dirty;
    bool deleted;
    bool from_text;
    bool is_array; /* its value in the text is an array */
    bool shared;   /* kept from loading: its trees share values with others (struct interning) */
    /* item index of a raw (unparsed) array: id → item span */
    struct strmap *ids;
    size_t *istart, *iend;
    size_t nitems, icap;
    /* Digest of a directory collection (users, groups, servicePrincipals), taken while loading
     * decodes each item: the DIGEST_FIELDS of each item (NULL when absent), so that a scan that
     * selects only these needs no second decode. NULL when some item is not an object or holds
     * a non-string there (scans then decode the text). */
    const char **digest; /* ndigest * DIGEST_N, strings in dstrings (the ids in idstrings) */
    struct arena *dstrings, *idstrings;
    size_t ndigest, dcap;
    bool no_digest;
    /* A frozen collection (named locations, is_frozen) also leaves with its digest where each
     * item lies in the snapshot and the members a plan reads of it, for backend_scan_text(): a
     * plan reads it whole once, with no second decode, and keeps where each item lies instead of
     * a tree or a text (f_read_at reads one again; fitems[i] belongs to digest row i, its strings
     * in dstrings). */
    bool frozen;
    struct fitem *fitems;
};

/* What loading keeps of an item of a frozen collection besides its digest. */
struct fitem {
    size_t start; /* the item's span in the snapshot */
    uint32_t len;
    const char *type;    /* "@odata.type" (a string), or NULL */
    signed char trusted; /* "isTrusted": 1 true, 0 false, -1 absent or not a boolean */
    signed char unknown; /* "includeUnknownCountriesAndRegions", likewise */
    bool whole; /* a member is named as a kept one ignoring case only: scans get the whole item */
    const char *derived; /* what backend_freeze_derive() made of the item, or NULL */
};

static const char *const DIGEST_FIELDS[] = {"id", "displayName", "userPrincipalName", "appId"};
#define DIGEST_N 4
/* The members of a frozen collection's items a scan_text can select without a decode (an item
 * with "countriesAndRegions", whose value loading does not keep, is handed on whole:
 * frozen_whole). */
static const char *const FROZEN_FIELDS[] = {"id",
                                            "displayName",
                                            "@odata.type",
                                            "isTrusted",
                                            "includeUnknownCountriesAndRegions",
                                            "countriesAndRegions"};

struct ftop {
    char *key;
    size_t vstart, vend;
};

struct fdoc {
    char *path;     /* as given: messages and derived ids */
    char *real;     /* the file itself (symbolic links resolved): read, written, locked */
    char *lockpath; /* real + ".lock": two names of one file take one lock */
    int lockfd;
    bool loaded;
    char *text; /* the whole text while loading (and after, when it cannot be read again) */
    size_t len;
    int fd; /* the file the text was read from (for spans once text is dropped), or -1 */
    struct ftop *tops;
    size_t ntops;
    struct fentry *e;
    size_t n, cap;
    struct strmap by_path;
    unsigned long seq;
    /* Each load counts (struct backend_at, load); the open file's size and modification time
     * when it was loaded, to tell whether it changed in place since (f_read_at). */
    uint32_t loads;
    off_t size;
    struct timespec mtime;
};

/* ------------------------------------------------------------------------------------------ */
/* Stepping through the text. Every JSON value is decoded by jansson: json_loadb() with
 * JSON_DISABLE_EOF_CHECK decodes the one value that starts at a position and reports in
 * error.position how many bytes it consumed. This code only skips the whitespace and the single
 * punctuation characters ('{' ':' ',' '}' '[' ']') between the values of the two outer objects
 * and of a collection's array, so that no tree of a whole collection is ever built to step
 * through it. */

struct cursor {
    const char *s; /* the window: bytes [base, base + wlen) of the region */
    size_t base, wlen;
    size_t len, pos; /* len: the end of the region stepped through; pos: absolute */
    size_t epos;     /* where the first error is */
    char *emsg;      /* what it is (after "file:line:col: ") */
    /* Loading a regular file: the window is a buffer refilled from fd with pread(), so that
     * the text is never held whole (only the values being decoded). -1 when the whole region is
     * in s (a span read again, or a pipe's text). */
    int fd;
    char *buf;
    size_t cap;
    int rerr; /* an errno value when the file could not be read */
    /* The items step_array() decodes are dropped after its callback, which keeps nothing of
     * them: they may be decoded into the transient arena (jarena.h) and dropped by a reset. */
    bool transient;
    bool arena;   /* they are (step_array claimed the arena) */
    bool release; /* the arena's memory goes back when the step ends (a one-off step) */
    /* The window holds no "\u0000" escape (no_nul_escape): no string decoded from it can hold a
     * NUL, so jansson is spared the check for one (JSON_ALLOW_NUL), which then changes nothing. */
    bool nul_free;
};

/* Whether s[0..n) holds no "\u0000" escape (a backslash among the last 5 bytes counts as one:
 * it may start one that the next bytes finish). A JSON string holds a NUL only through that
 * escape (a raw control character is refused whatever the flags). */
static bool no_nul_escape(const char *s, size_t n)
{
    const char *end = s + n;
    for (const char *p = s; (p = memchr(p, '\\', (size_t)(end - p))) != NULL; p++)
        if (end - p < 6 || memcmp(p + 1, "u0000", 5) == 0)
            return false;
    return true;
}

#define WINDOW_CHUNK ((size_t)1 << 20)

/* Makes [keep, need) part of the window (need capped at the region's end): the bytes before
 * `keep` are dropped, the buffer grows when one value needs more. False on a read error. */
static bool refill(struct cursor *c, size_t keep, size_t need)
{
    if (need > c->len)
        need = c->len;
    if (c->fd < 0 || need <= c->base + c->wlen || c->rerr)
        return c->rerr == 0;
    size_t kept = c->base + c->wlen > keep ? c->base + c->wlen - keep : 0;
    if (kept > 0 && keep > c->base)
        memmove(c->buf, c->buf + (keep - c->base), kept);
    c->base = keep;
    c->wlen = kept;
    size_t want = need - keep;
    if (want < WINDOW_CHUNK)
        want = WINDOW_CHUNK;
    if (want > c->len - keep)
        want = c->len - keep;
    if (want > c->cap) {
        c->cap = want;
        c->buf = xrealloc(c->buf, c->cap);
    }
    while (c->wlen < want) {
        ssize_t r = pread(c->fd, c->buf + c->wlen, want - c->wlen, (off_t)(c->base + c->wlen));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            c->rerr = r < 0 ? errno : EIO; /* shorter than fstat said: it changed under us */
            break;
        }
        c->wlen += (size_t)r;
    }
    c->s = c->buf;
    c->nul_free = no_nul_escape(c->s, c->wlen);
    return c->rerr == 0;
}

/* The byte at absolute position p, or -1 at the end of the region (or on a read error). */
static int byte_at(struct cursor *c, size_t p)
{
    if (p >= c->len)
        return -1;
    if (p >= c->base + c->wlen && !refill(c, c->pos < p ? c->pos : p, p + 1))
        return -1;
    return (unsigned char)c->s[p - c->base];
}

static void ws(struct cursor *c)
{
    for (;;) {
        int ch = byte_at(c, c->pos);
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->pos++;
    }
}

/* Whether the next character (after whitespace) is `ch`; consumes it when it is. */
static bool punct(struct cursor *c, char ch)
{
    ws(c);
    if (byte_at(c, c->pos) == (unsigned char)ch) {
        c->pos++;
        return true;
    }
    return false;
}

static bool peek(struct cursor *c, char ch)
{
    ws(c);
    return byte_at(c, c->pos) == (unsigned char)ch;
}

static int fail_at(struct cursor *c, size_t pos, const char *fmt, ...) IDPC_PRINTF(3, 4);

static int fail_at(struct cursor *c, size_t pos, const char *fmt, ...)
{
    if (c->emsg)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    c->emsg = strbuf_detach(&sb);
    c->epos = pos;
    return -1;
}

/* Drops a value decode() returned. */
static void drop(struct cursor *c, json_t *v)
{
    if (c->arena)
        jarena_reset();
    else
        json_decref(v);
}

/* Decodes the one JSON value at c->pos (jansson) and steps past it. NULL on error (recorded).
 * Loading from a file, the value must lie whole in the window: a value that reaches the
 * window's end (a number cut short decodes too) is decoded again from a larger window. */
static json_t *decode(struct cursor *c)
{
    ws(c);
    size_t start = c->pos;
    json_error_t je;
    json_t *v;
    size_t used;
    for (;;) {
        if (byte_at(c, start) < 0 && c->rerr)
            return NULL;
        size_t end = c->base + c->wlen;
        if (end < start)
            end = start;
        const char *at = c->s + (start - c->base);
        if (c->arena)
            jarena_open();
        v = json_loadb(
            at, end - start,
            JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | (c->nul_free ? JSON_ALLOW_NUL : 0), &je);
        if (c->arena)
            jarena_close();
        used = je.position > 0 ? (size_t)je.position : 0;
        /* jansson stops at most a few bytes past an error; 8 is ample */
        bool cut = end < c->len && (v ? start + used >= end : start + used + 8 >= end);
        if (!cut)
            break;
        drop(c, v);
        if (!refill(c, start, start + 2 * (end - start) + WINDOW_CHUNK))
            return NULL;
    }
    if (!v) {
        drop(c, NULL); /* what jansson left in the arena */
        /* jansson's position is just past the byte it stopped at: point at that character */
        size_t at = start + (used > 0 ? used - 1 : 0);
        while (at > start && at > c->base && ((unsigned char)c->s[at - c->base] & 0xC0) == 0x80)
            at--;
        fail_at(c, at, "not a valid tenant snapshot: %s", je.text);
        return NULL;
    }
    c->pos = start + used;
    return v;
}

typedef int (*member_fn)(struct cursor *c, const char *key, void *ctx);

/* Steps through the object at c->pos: each member name is decoded by jansson, then `fn` is called
 * with the cursor at the member's value, which it must step past. */
static int step_object(struct cursor *c, member_fn fn, void *ctx)
{
    if (!punct(c, '{'))
        return fail_at(c, c->pos, "not a valid tenant snapshot: expected '{'");
    if (punct(c, '}'))
        return 0;
    for (;;) {
        ws(c);
        size_t kpos = c->pos;
        json_t *k = decode(c);
        if (!k)
            return -1;
        int rc = 0;
        if (!json_is_string(k))
            rc = fail_at(c, kpos, "not a valid tenant snapshot: expected a member name (a string)");
        else if (!punct(c, ':'))
            rc = fail_at(c, c->pos, "not a valid tenant snapshot: expected ':'");
        else {
            ws(c);
            rc = fn(c, json_string_value(k), ctx);
        }
        json_decref(k);
        if (rc != 0)
            return -1;
        if (punct(c, ','))
            continue;
        if (punct(c, '}'))
            return 0;
        return fail_at(c, c->pos, "not a valid tenant snapshot: expected ',' or '}'");
    }
}

/* Called for each item of an array (borrowed) with its span; returns false to stop. */
typedef bool (*item_fn)(json_t *item, size_t start, size_t end, void *ctx);

/* Steps through the array at c->pos, decoding it item by item (each item is freed after `fn`). */
static int step_items(struct cursor *c, item_fn fn, void *ctx)
{
    if (!punct(c, '['))
        return fail_at(c, c->pos, "not a valid tenant snapshot: expected '['");
    if (punct(c, ']'))
        return 0;
    for (;;) {
        ws(c);
        size_t start = c->pos;
        json_t *v = decode(c);
        if (!v)
            return -1;
        bool go = fn ? fn(v, start, c->pos, ctx) : true;
        drop(c, v);
        if (!go)
            return 0;
        if (punct(c, ','))
            continue;
        if (punct(c, ']'))
            return 0;
        return fail_at(c, c->pos, "not a valid tenant snapshot: expected ',' or ']'");
    }
}

/* step_items(), each item in the transient arena when the cursor's are transient and the arena
 * is free (not while an outer step holds an item in it: a callback that reads the snapshot). */
static int step_array(struct cursor *c, item_fn fn, void *ctx)
{
    c->arena = c->transient && jarena_claim();
    int rc = step_items(c, fn, ctx);
    if (c->arena) {
        jarena_unclaim();
        if (c->release)
            jarena_release();
    }
    c->arena = false;
    return rc;
}

static void line_col_step(const char *s, size_t n, unsigned *line, unsigned *col)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

/* The line and column of absolute position pos of the region a cursor steps through: counted in
 * the text, or (loading a file through a window) in the file read again piece by piece. */
static void line_col(const struct cursor *c, size_t pos, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    if (c->fd < 0) {
        line_col_step(c->s, pos, line, col);
        return;
    }
    char buf[1 << 16];
    for (size_t off = 0; off < pos;) {
        size_t want = pos - off < sizeof(buf) ? pos - off : sizeof(buf);
        ssize_t r = pread(c->fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        line_col_step(buf, (size_t)r, line, col);
        off += (size_t)r;
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
    e->no_digest = true;
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
    e->nitems = e->icap = 0;
}

static void entry_clear_digest(struct fentry *e)
{
    free(e->digest);
    e->digest = NULL;
    arena_free(e->dstrings);
    e->dstrings = NULL;
    arena_free(e->idstrings);
    e->idstrings = NULL;
    e->ndigest = e->dcap = 0;
    e->no_digest = true;
    free(e->fitems);
    e->fitems = NULL;
}

static void doc_unload(struct fdoc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->e[i].key);
        json_decref(d->e[i].json);
        entry_clear_index(&d->e[i]);
        entry_clear_digest(&d->e[i]);
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
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    d->len = 0;
    d->loaded = false;
}

struct interning;

struct loading {
    struct fdoc *d;
    bool have_format, have_coll;
    struct interning *in;
};

struct digesting {
    struct fdoc *d;
    struct fentry *e;
    /* the item's "id" (json_object_get) and, when it is a string, its copy made by the
     * duplicate check (struct item_check), which the digest shares */
    const json_t *id;
    const char *id_copy;
};

/* Must a scan_text hand this item of a frozen collection on whole, because what loading keeps of
 * it (struct fitem) would not give back its FROZEN_FIELDS members exactly? When a member is named
 * as one of them ignoring case only, when "isTrusted" or "includeUnknownCountriesAndRegions" is
 * not a boolean, or when it has "countriesAndRegions" (not kept). */
static bool frozen_whole(const json_t *item)
{
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(item), k, v)
    {
        for (size_t f = 0; f < IDPC_ARRAY_LEN(FROZEN_FIELDS); f++) {
            /* the first letters first: most members are none of these */
            if (tolower((unsigned char)k[0]) != tolower((unsigned char)FROZEN_FIELDS[f][0]) ||
                strcasecmp(k, FROZEN_FIELDS[f]) != 0)
                continue;
            if (strcmp(k, FROZEN_FIELDS[f]) != 0 || strcmp(k, "countriesAndRegions") == 0)
                return true;
            if ((strcmp(k, "isTrusted") == 0 ||
                 strcmp(k, "includeUnknownCountriesAndRegions") == 0) &&
                !json_is_boolean(v))
                return true;
        }
    }
    return false;
}

/* One item of a directory collection, decoded while loading: its digest. */
static bool digest_item(json_t *item, size_t start, size_t end, struct digesting *dg)
{
    struct fentry *e = dg->e;
    if (e->no_digest)
        return true;
    if (!json_is_object(item)) {
        entry_clear_digest(e);
        return true;
    }
    if (e->ndigest == e->dcap) {
        e->dcap = e->dcap ? e->dcap * 2 : 1024;
        e->digest = xrealloc(e->digest, e->dcap * DIGEST_N * sizeof(*e->digest));
        if (e->frozen)
            e->fitems = xrealloc(e->fitems, e->dcap * sizeof(*e->fitems));
    }
    const char **row = e->digest + e->ndigest * DIGEST_N;
    for (size_t f = 0; f < DIGEST_N; f++) {
        const json_t *v = f == 0 ? dg->id : json_object_get(item, DIGEST_FIELDS[f]);
        if (v && !json_is_string(v)) {
            entry_clear_digest(e);
            return true;
        }
        if (f == 0) { /* DIGEST_FIELDS[0] is "id" */
            row[f] = v ? dg->id_copy : NULL;
            continue;
        }
        if (v && !e->dstrings)
            e->dstrings = arena_new();
        row[f] = v ? arena_strndup(e->dstrings, json_string_value(v), json_string_length(v)) : NULL;
    }
    if (e->frozen) {
        if (!e->dstrings)
            e->dstrings = arena_new();
        struct fitem *fi = &e->fitems[e->ndigest];
        fi->start = start;
        fi->len = (uint32_t)(end - start); /* the snapshot is at most INT_MAX bytes */
        const char *type = json_string_value(json_object_get(item, "@odata.type"));
        fi->type = type ? arena_strdup(e->dstrings, type) : NULL;
        const json_t *trusted = json_object_get(item, "isTrusted");
        fi->trusted = json_is_boolean(trusted) ? json_is_true(trusted) : -1;
        const json_t *unknown = json_object_get(item, "includeUnknownCountriesAndRegions");
        fi->unknown = json_is_boolean(unknown) ? json_is_true(unknown) : -1;
        fi->whole = frozen_whole(item);
        char *derived = backend_freeze_derive(item);
        fi->derived = derived ? arena_strdup(e->dstrings, derived) : NULL;
        free(derived);
    }
    e->ndigest++;
    return true;
}

static bool is_directory(const char *key)
{
    return strcmp(key, "users") == 0 || strcmp(key, "groups") == 0 ||
           strcmp(key, "servicePrincipals") == 0;
}

/* A group's members or owners ("groups/{id}/members"): a plan reads each once at most, as a
 * list of ids (tenant_group_rel), so such a collection is neither kept from loading nor cached
 * when read; it is decoded from the snapshot at each read (read_relation) until it is written. */
static bool is_relation(const char *key)
{
    if (strncmp(key, "groups/", 7) != 0)
        return false;
    const char *slash = strchr(key + 7, '/');
    return slash && slash > key + 7 &&
           (strcmp(slash, "/members") == 0 || strcmp(slash, "/owners") == 0);
}

/* The collection a plan holds compactly (tenant.h, struct tenant_obj): its items are kept as
 * compact text, not as a tree (struct fentry, frozen). */
static bool is_frozen(const char *key)
{
    return strcmp(key, "identity/conditionalAccess/namedLocations") == 0;
}

/* The paths that hold one object (docs/tenant-format.md); every other path is a collection. */
static bool is_singleton(const char *key)
{
    static const char *const singletons[] = {
        "policies/authenticationMethodsPolicy",
        "policies/authorizationPolicy",
        "policies/identitySecurityDefaultsEnforcementPolicy",
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(singletons); i++)
        if (strcmp(key, singletons[i]) == 0)
            return true;
    return false;
}

/* The collections docs/tenant-format.md lists (and groups/{id}/members|owners): each must be an
 * array. Other paths are kept as they are (an array's objects must still have distinct ids). */
static bool is_known_collection(const char *key)
{
    static const char *const known[] = {
        "organization",
        "users",
        "groups",
        "servicePrincipals",
        "subscribedSkus",
        "roleManagement/directory/roleDefinitions",
        "roleManagement/directory/roleAssignments",
        "roleManagement/directory/roleEligibilitySchedules",
        "roleManagement/directory/roleAssignmentSchedules",
        "identity/conditionalAccess/policies",
        "identity/conditionalAccess/namedLocations",
        "identity/conditionalAccess/authenticationContextClassReferences",
        "directory/onPremisesSynchronization",
        "policies/authenticationStrengthPolicies",
        "groupSettings",
        "groupSettingTemplates",
        "identityGovernance/termsOfUse/agreements",
        "identityGovernance/privilegedAccess/group/eligibilitySchedules",
        "identityGovernance/privilegedAccess/group/assignmentSchedules",
        "identityGovernance/accessReviews/definitions",
    };
    for (size_t i = 0; i < IDPC_ARRAY_LEN(known); i++)
        if (strcmp(key, known[i]) == 0)
            return true;
    return is_relation(key);
}

struct item_check {
    struct cursor *c;
    const char *key;
    bool objects;                /* every item must be an object */
    struct backend_file_ids ids; /* the items' ids */
};

/* Each item of a collection is an object, and no two items have the same id (ignoring case, as
 * Graph's ids are GUIDs): a duplicate would hide an object from the plan, which would then create
 * it again. The ids are collected here (*copy: the item's, or NULL) and compared when the
 * collection ends (check_ids). */
static bool check_item(json_t *item, const json_t *id, size_t start, struct item_check *ic,
                       const char **copy)
{
    *copy = NULL;
    if (!json_is_object(item)) {
        if (!ic->objects)
            return true;
        fail_at(ic->c, start,
                "not a valid tenant snapshot: collection \"%s\": an item is not a JSON object",
                ic->key);
        return false;
    }
    if (json_is_string(id))
        *copy =
            backend_file_ids_add(&ic->ids, json_string_value(id), json_string_length(id), start);
    return true;
}

/* After the items of a collection have been stepped through (all of them, or up to an error):
 * the first item whose id an earlier item has, as a check item by item would have stopped at it
 * (its error comes before any later one, which it replaces). -1 when there is one. */
static int check_ids(struct item_check *ic)
{
    size_t start, first;
    const char *id;
    if (!backend_file_ids_duplicate(&ic->ids, &start, &id, &first))
        return 0;
    unsigned line, col;
    line_col(ic->c, first, &line, &col);
    free(ic->c->emsg);
    ic->c->emsg = NULL;
    return fail_at(ic->c, start,
                   "not a valid tenant snapshot: collection \"%s\": duplicate id \"%s\" (the "
                   "first object with it is at line %u, column %u); each object must appear once",
                   ic->key, id, line, col);
}

/* The kept collections repeat many strings ("@odata.type" values, "All", group ids in policies,
 * timestamps), empty lists (a conditional access policy has a dozen: "excludeGroups": []) and
 * whole parts (["All"], the same "applications" condition in many policies): while loading, each
 * string value of a kept item is replaced by the first equal one met, and then, bottom up, each
 * array and object whose members are the same values (by pointer, so an id, a name or a number
 * keeps its object apart) in the same order, so that the trees hold each such value once, shared
 * by reference. No code changes a string in place; a collection is copied whole before its first
 * write (entry_unshare), so that no write reaches a shared array or object. Ids and names are
 * unique by nature and left alone. */
struct interning {
    struct strmap map; /* text (borrowed from v[i]) → i */
    json_t **v;
    size_t n, cap;
    /* the arrays and objects met, by node_hash: open addressing, at most 3/4 full */
    struct node_slot {
        json_t *node; /* a reference, or NULL when empty */
        uint64_t hash;
    } * nodes;
    size_t nnodes, nodecap;
};

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* A hash of an array's or object's type, member names and member values' addresses. */
static uint64_t node_hash(json_t *v)
{
    uint64_t h = hash_bytes(1469598103934665603ULL, &(int){json_typeof(v)}, sizeof(int));
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            h = hash_bytes(h, &x, sizeof(x));
        }
        return h;
    }
    for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        const char *k = json_object_iter_key(it);
        json_t *x = json_object_iter_value(it);
        h = hash_bytes(h, k, strlen(k) + 1);
        h = hash_bytes(h, &x, sizeof(x));
    }
    return h;
}

/* Same type, same member names in the same order, the same values (pointers). */
static bool node_same(json_t *a, json_t *b)
{
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (json_array_get(a, i) != json_array_get(b, i))
                return false;
        return true;
    }
    if (json_object_size(a) != json_object_size(b))
        return false;
    void *ia = json_object_iter(a), *ib = json_object_iter(b);
    for (; ia && ib; ia = json_object_iter_next(a, ia), ib = json_object_iter_next(b, ib))
        if (json_object_iter_value(ia) != json_object_iter_value(ib) ||
            strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) != 0)
            return false;
    return !ia && !ib;
}

/* The array or object equal to v met first (v itself when it is), its members interned. */
static json_t *intern_node(struct interning *in, json_t *v)
{
    if ((in->nnodes + 1) * 4 > in->nodecap * 3) {
        struct node_slot *old = in->nodes;
        size_t oldcap = in->nodecap;
        in->nodecap = oldcap ? oldcap * 2 : 1024;
        in->nodes = xcalloc(in->nodecap, sizeof(*in->nodes));
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].node)
                continue;
            size_t j = old[i].hash & (in->nodecap - 1);
            while (in->nodes[j].node)
                j = (j + 1) & (in->nodecap - 1);
            in->nodes[j] = old[i];
        }
        free(old);
    }
    uint64_t h = node_hash(v);
    size_t i = h & (in->nodecap - 1);
    for (; in->nodes[i].node; i = (i + 1) & (in->nodecap - 1))
        if (in->nodes[i].hash == h && node_same(in->nodes[i].node, v))
            return in->nodes[i].node;
    in->nodes[i] = (struct node_slot){json_incref(v), h};
    in->nnodes++;
    return v;
}

static json_t *intern_string(struct interning *in, json_t *s)
{
    const char *t = json_string_value(s);
    size_t len = json_string_length(s);
    size_t i;
    if (strlen(t) != len) /* an embedded NUL: left as it is */
        return s;
    if (strmap_getn(&in->map, t, len, &i))
        return in->v[i];
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 1024;
        in->v = xrealloc(in->v, in->cap * sizeof(*in->v));
    }
    in->v[in->n] = json_incref(s);
    strmap_put(&in->map, t, in->n++);
    return s;
}

static bool unique_by_nature(const char *key)
{
    return strcmp(key, "id") == 0 || strcmp(key, "displayName") == 0 ||
           strcmp(key, "description") == 0;
}

static void intern_tree(struct interning *in, json_t *v);

/* What a member x (named `key`; NULL in an array) of a kept item becomes: a string interned (ids
 * and names left alone), an array or object interned whole once its own members are. */
static json_t *intern_value(struct interning *in, json_t *x, const char *key)
{
    if (json_is_string(x))
        return key && unique_by_nature(key) ? x : intern_string(in, x);
    if (!json_is_array(x) && !json_is_object(x))
        return x;
    intern_tree(in, x);
    return intern_node(in, x);
}

static void intern_tree(struct interning *in, json_t *v)
{
    if (json_is_object(v)) {
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            json_t *x = json_object_iter_value(it);
            json_t *y = intern_value(in, x, json_object_iter_key(it));
            if (y != x)
                json_object_iter_set(v, it, y);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *x = json_array_get(v, i);
            json_t *y = intern_value(in, x, NULL);
            if (y != x)
                json_array_set(v, i, y);
        }
    }
}

static void interning_fini(struct interning *in)
{
    for (size_t i = 0; i < in->n; i++)
        json_decref(in->v[i]);
    free(in->v);
    strmap_fini(&in->map);
    for (size_t i = 0; i < in->nodecap; i++)
        json_decref(in->nodes[i].node);
    free(in->nodes);
}

/* Both callbacks of a collection's items: validated, then digested (directory collections) or
 * kept (the others). */
struct load_items {
    struct item_check ic;
    struct digesting dg;
    json_t *keep; /* the items decoded so far, or NULL */
    struct interning *in;
};

static bool load_item(json_t *item, size_t start, size_t end, void *ctx)
{
    struct load_items *li = ctx;
    const json_t *id = json_object_get(item, "id");
    const char *copy;
    if (!check_item(item, id, start, &li->ic, &copy))
        return false;
    if (li->keep) {
        intern_tree(li->in, item);
        json_array_append(li->keep, item);
    }
    if (!li->dg.e)
        return true;
    li->dg.id = id;
    li->dg.id_copy = copy;
    return digest_item(item, start, end, &li->dg);
}

/* A member of "collections": a collection must be an array of objects with distinct ids, decoded
 * item by item (each validated, then freed; the directory collections leave their digest); a
 * singleton must be an object. Only the value's span is kept. */
static int load_collection(struct cursor *c, const char *key, void *ctx)
{
    struct loading *ld = ctx;
    ws(c);
    size_t vstart = c->pos;
    json_t *kept = NULL;
    bool singleton = is_singleton(key), known = is_known_collection(key);
    bool is_array = peek(c, '[');
    if (known && !peek(c, '['))
        return fail_at(
            c, vstart,
            "not a valid tenant snapshot: collection \"%s\" must be a JSON array (of the "
            "objects Graph lists); found %s",
            key, peek(c, '{') ? "an object" : "another value");
    if (singleton && !peek(c, '{'))
        return fail_at(
            c, vstart,
            "not a valid tenant snapshot: \"%s\" must be a JSON object (Graph returns one "
            "object)",
            key);
    if (is_array) {
        bool frozen = is_frozen(key);
        struct fentry *e = is_directory(key) || frozen ? entry_add(ld->d, key) : NULL;
        if (e) {
            entry_clear_digest(e); /* a collection given twice: the last one counts */
            e->no_digest = false;
            e->frozen = frozen;
        }
        /* Only the directory collections, the frozen one and the groups' members and owners are
         * left in the text (read by scans, by id, whole as compact text, and once each): the
         * others are read whole by a plan, so their decoded items are kept, not decoded
         * again. */
        struct load_items li = {.ic = {.c = c, .key = key, .objects = known},
                                .dg = {.d = ld->d, .e = e},
                                .keep = e || is_relation(key) ? NULL : json_array(),
                                .in = ld->in};
        backend_file_ids_init(&li.ic.ids);
        /* An item that is not kept is looked at and dropped (check_item and digest_item copy
         * what they keep): decoded into the transient arena. */
        c->transient = li.keep == NULL;
        int rc = step_array(c, load_item, &li);
        c->transient = false;
        if (check_ids(&li.ic) != 0)
            rc = -1;
        if (e && !e->no_digest) /* the digest's ids are the check's copies */
            e->idstrings = backend_file_ids_take_strings(&li.ic.ids);
        backend_file_ids_fini(&li.ic.ids);
        if (rc != 0 || c->emsg) {
            json_decref(li.keep);
            return -1;
        }
        kept = li.keep;
    } else {
        kept = decode(c);
        if (!kept)
            return -1;
    }
    struct fentry *e = entry_add(ld->d, key);
    e->vstart = vstart;
    e->vend = c->pos;
    e->from_text = true;
    e->is_array = is_array;
    json_decref(e->json); /* a collection given twice: the last one counts */
    e->json = kept;
    e->shared = kept && is_array;
    entry_clear_index(e);
    return 0;
}

/* A member of the top-level object. */
static int load_top(struct cursor *c, const char *key, void *ctx)
{
    struct loading *ld = ctx;
    struct fdoc *d = ld->d;
    size_t vstart = c->pos;
    if (strcmp(key, "collections") == 0 && peek(c, '{')) {
        ld->have_coll = true;
        if (step_object(c, load_collection, ld) != 0)
            return -1;
    } else {
        json_t *v = decode(c);
        if (!v)
            return -1;
        if (strcmp(key, "format") == 0) {
            ld->have_format =
                json_is_string(v) && strcmp(json_string_value(v), "idpc-tenant/1") == 0;
            if (!ld->have_format) {
                json_decref(v);
                return fail_at(c, vstart,
                               "unsupported snapshot format %.*s (expected \"idpc-tenant/1\")",
                               (int)(c->pos - vstart), c->s + (vstart - c->base));
            }
        }
        json_decref(v);
    }
    d->tops = xrealloc(d->tops, (d->ntops + 1) * sizeof(*d->tops));
    d->tops[d->ntops].key = xstrdup(key);
    d->tops[d->ntops].vstart = vstart;
    d->tops[d->ntops].vend = c->pos;
    d->ntops++;
    return 0;
}

/* Opens the snapshot. A regular file stays open (d->fd): loading reads it through a window and
 * a value's span is read again with pread() when it is needed, so that its text is never held
 * whole; another file (a pipe) is read as a stream and its text kept. 0 or an errno value. */
static int read_text(struct fdoc *d)
{
    d->fd = -1;
    int fd = open(d->real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        /* read from the descriptor opened: a named pipe opened again waits for a new writer */
        struct strbuf sb = STRBUF_INIT;
        char chunk[1 << 16];
        int e = 0;
        for (;;) {
            ssize_t r = read(fd, chunk, sizeof(chunk));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                e = errno;
            if (r <= 0)
                break;
            strbuf_add(&sb, chunk, (size_t)r);
        }
        close(fd);
        if (e) {
            strbuf_fini(&sb);
            return e;
        }
        d->len = sb.len;
        strbuf_addc(&sb, '\0'); /* NUL-terminated even when empty */
        d->text = strbuf_detach(&sb);
        return 0;
    }
    d->len = (size_t)st.st_size;
    d->fd = fd;
    d->size = st.st_size;
    d->mtime = st.st_mtim;
    return 0;
}

/* The text of [start, end) of the document: in the text while it is held, else read again from
 * the file into a new buffer, *own, that the caller frees. NULL (err set when given) when the file
 * cannot be read. */
static const char *span(struct fdoc *d, size_t start, size_t end, char **own,
                        struct backend_error *err)
{
    *own = NULL;
    if (d->text)
        return d->text + start;
    char *buf = xmalloc(end - start + 1);
    size_t got = 0;
    while (got < end - start) {
        ssize_t r = pread(d->fd, buf + got, end - start - got, (off_t)(start + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (err)
                backend_error_set(err, 0, NULL, "cannot read tenant snapshot '%s' again: %s",
                                  d->path, r < 0 ? strerror(errno) : "it is shorter than it was");
            free(buf);
            return NULL;
        }
        got += (size_t)r;
    }
    buf[end - start] = '\0';
    *own = buf;
    return buf;
}

/* Reads and validates the whole document, every value decoded once by jansson (a collection's
 * array item by item, so memory stays bounded by the largest item); a truncated or corrupt
 * snapshot never half-loads, and its error carries file:line:col. */
static int doc_load(struct fdoc *d, struct backend_error *err)
{
    if (d->loaded)
        return 0;
    /* Refused before a byte is read: jansson reports positions as int, and a tenant this large
     * is read from Graph (graph:), which never lists the whole directory (docs/performance.md,
     * "Snapshots over 2 GiB"). */
    struct stat st;
    if (stat(d->real, &st) == 0 && (unsigned long long)st.st_size > (unsigned long long)INT_MAX) {
        backend_error_set(err, 0, NULL,
                          "%s: tenant snapshot is %lld bytes; the file backend reads snapshots of "
                          "at most %d bytes (2 GiB: jansson counts positions in an int); plan a "
                          "tenant this large with --tenant graph:",
                          d->path, (long long)st.st_size, INT_MAX);
        return -1;
    }
    int rc = read_text(d);
    if (rc != 0) {
        backend_error_set(err, 0, NULL, "cannot read tenant snapshot '%s': %s", d->path,
                          strerror(rc));
        d->text = NULL;
        return -1;
    }
    if (d->len > INT_MAX) { /* jansson reports positions as int */
        backend_error_set(err, 0, NULL, "%s: tenant snapshot larger than %d bytes", d->path,
                          INT_MAX);
        doc_unload(d);
        return -1;
    }
    struct cursor c = {.s = d->text,
                       .len = d->len,
                       .wlen = d->text ? d->len : 0,
                       .fd = -1,
                       .nul_free = d->text && no_nul_escape(d->text, d->len)};
    if (!d->text)
        c.fd = d->fd; /* through a window */
    struct interning in;
    memset(&in, 0, sizeof(in));
    strmap_init_borrowed(&in.map, false);
    struct loading ld = {.d = d, .in = &in};
    ws(&c);
    if (!peek(&c, '{'))
        fail_at(&c, c.pos,
                "not a valid tenant snapshot: expected an object {\"format\": \"idpc-tenant/1\", "
                "\"collections\": {...}}");
    else if (step_object(&c, load_top, &ld) == 0) {
        ws(&c);
        if (c.pos != c.len)
            fail_at(&c, c.pos, "not a valid tenant snapshot: expected the end of the document");
    }
    free(c.buf);
    c.buf = NULL;
    jarena_release();
    interning_fini(&in);
    if (c.rerr) {
        backend_error_set(err, 0, NULL, "cannot read tenant snapshot '%s': %s", d->path,
                          strerror(c.rerr));
        free(c.emsg);
        doc_unload(d);
        return -1;
    }
    if (c.emsg) {
        unsigned line, col;
        line_col(&c, c.epos, &line, &col);
        backend_error_set(err, 0, NULL, "%s:%u:%u: %s", d->path, line, col, c.emsg);
        free(c.emsg);
        doc_unload(d);
        return -1;
    }
    if (!ld.have_format || !ld.have_coll) {
        backend_error_set(err, 0, NULL,
                          "%s is not a tenant snapshot: it needs \"format\": \"idpc-tenant/1\" "
                          "and \"collections\" (see docs/tenant-format.md)",
                          d->path);
        doc_unload(d);
        return -1;
    }
    d->loads++;
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
    char *own;
    const char *t = span(d, e->vstart, e->vend, &own, err);
    if (!t)
        return NULL;
    e->json = json_loadb(t, e->vend - e->vstart, JSON_DECODE_ANY, &je);
    free(own);
    if (!e->json)
        backend_error_set(err, 0, NULL, "%s: collection '%s': %s", d->path, e->key, je.text);
    return e->json;
}

static bool index_item(json_t *item, size_t start, size_t end, void *ctx)
{
    struct fentry *e = ctx;
    start += e->vstart; /* the cursor steps through the value's span alone */
    end += e->vstart;
    if (e->nitems == e->icap) {
        e->icap = e->icap ? e->icap * 2 : 64;
        e->istart = xrealloc(e->istart, e->icap * sizeof(size_t));
        e->iend = xrealloc(e->iend, e->icap * sizeof(size_t));
    }
    e->istart[e->nitems] = start;
    e->iend[e->nitems] = end;
    const char *id = json_string_value(json_object_get(item, "id"));
    if (id)
        strmap_put_first(e->ids, id, e->nitems);
    e->nitems++;
    return true;
}

/* Builds the id → item span index of a raw array collection (each item decoded by jansson). */
/* Steps through the items of collection e, an array left in the snapshot's text, item by item
 * (no tree of the whole collection). 0, or -1 with err set (when given) if its text cannot be
 * read again or no longer decodes. */
static int step_entry(struct fdoc *d, struct fentry *e, item_fn fn, void *ctx,
                      struct backend_error *err)
{
    char *own;
    const char *t = span(d, e->vstart, e->vend, &own, err);
    if (!t)
        return -1;
    /* each callback (index_item, scan_item, text_item) copies what it keeps, and hands the item
     * on to a callback for which it is valid during the call only (backend.h) */
    struct cursor c = {.s = t,
                       .len = e->vend - e->vstart,
                       .wlen = e->vend - e->vstart,
                       .fd = -1,
                       .transient = true,
                       .release = true,
                       .nul_free = no_nul_escape(t, e->vend - e->vstart)};
    int rc = 0;
    if (peek(&c, '[') && step_array(&c, fn, ctx) != 0) {
        if (err)
            backend_error_set(err, 0, NULL, "%s: collection '%s': %s", d->path, e->key, c.emsg);
        rc = -1;
    }
    free(c.emsg);
    free(own);
    return rc;
}

static void entry_index(struct fdoc *d, struct fentry *e)
{
    if (e->ids || e->json)
        return;
    e->ids = xcalloc(1, sizeof(*e->ids));
    strmap_init(e->ids, true);
    (void)step_entry(d, e, index_item, e, NULL); /* validated at load */
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

static int f_read(struct backend *b, const char *path, json_t **out, struct backend_error *err);

/* PATH?groupId=ID (tenant_governance.h): the collection's items of that group, as Graph's
 * $filter on groupId (or on scopeId with scopeType Group) gives them. */
static int read_group_query(struct backend *b, const char *path, const char *q, json_t **out,
                            struct backend_error *err)
{
    char *coll = xstrndup(path, (size_t)(q - path));
    const char *gid = strchr(q, '=') + 1;
    json_t *all = NULL;
    int rc = f_read(b, coll, &all, err);
    free(coll);
    if (rc != 0 || !json_is_array(all)) {
        json_decref(all);
        return rc;
    }
    json_t *list = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        const char *g = json_string_value(json_object_get(v, "groupId"));
        const char *sc = json_string_value(json_object_get(v, "scopeId"));
        const char *st = json_string_value(json_object_get(v, "scopeType"));
        if ((g && strcasecmp(g, gid) == 0) ||
            (sc && st && strcasecmp(sc, gid) == 0 && strcmp(st, "Group") == 0))
            json_array_append(list, v);
    }
    json_decref(all);
    *out = list;
    return 0;
}

/* A group's members or owners, left in the text (is_relation): decoded from its span, not kept. */
static int read_relation(struct fdoc *d, struct fentry *e, json_t **out, struct backend_error *err)
{
    json_error_t je;
    char *own;
    const char *t = span(d, e->vstart, e->vend, &own, err);
    if (!t)
        return -1;
    *out = json_loadb(t, e->vend - e->vstart, JSON_DECODE_ANY, &je);
    free(own);
    if (!*out) {
        backend_error_set(err, 0, NULL, "%s: collection '%s': %s", d->path, e->key, je.text);
        return -1;
    }
    return 0;
}

static int f_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    const char *gq = strstr(path, "?groupId=");
    if (gq)
        return read_group_query(b, path, gq, out, err);
    const char *q = strchr(path, '?');
    if (q) {
        /* "users/{id}?$select=...": a snapshot holds whole objects; the query does not matter */
        char *bare = xstrndup(path, (size_t)(q - path));
        int rc = f_read(b, bare, out, err);
        free(bare);
        return rc;
    }
    if (doc_load(d, err) != 0)
        return -1;
    const char *rest = "";
    struct fentry *e = entry_prefix(d, path, &rest);
    if (!e)
        return 0;
    if (!e->json && !*rest && is_relation(e->key))
        return read_relation(d, e, out, err);
    /* An item of a raw collection: parse just that item. */
    if (!e->json && *rest && !strchr(rest, '/')) {
        entry_index(d, e);
        size_t i;
        if (e->ids && strmap_get(e->ids, rest, &i)) {
            json_error_t je;
            char *own;
            const char *t = span(d, e->istart[i], e->iend[i], &own, err);
            if (!t)
                return -1;
            *out = json_loadb(t, e->iend[i] - e->istart[i], JSON_DECODE_ANY, &je);
            free(own);
            if (!*out) {
                backend_error_set(err, 0, NULL, "%s: %s: %s", d->path, path, je.text);
                return -1;
            }
            return 0;
        }
        if (e->nitems || e->is_array)
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

struct scanning {
    const char *const *fields;
    size_t nfields;
    backend_item_fn fn;
    void *ctx;
};

static bool select_field(const char *const *fields, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i], k) == 0)
            return true;
    return false;
}

/* Are all the fields a scan selects in the digest? */
static bool digest_covers(const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!select_field(DIGEST_FIELDS, DIGEST_N, fields[i]))
            return false;
    return true;
}

/* One item of a scanned collection, decoded by jansson: passes on its selected members. */
static bool scan_item(json_t *item, size_t start, size_t end, void *ctx)
{
    (void)start;
    (void)end;
    struct scanning *sc = ctx;
    if (!json_is_object(item))
        return true;
    json_t *sel = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(item, k, v)
    {
        if (select_field(sc->fields, sc->nfields, k))
            json_object_set(sel, k, v);
    }
    bool go = sc->fn(sel, sc->ctx);
    json_decref(sel);
    return go;
}

/* A scan's item made from a digest row: its selected digest members. Made in the transient arena
 * when the scan holds it (`arena`, jarena_claim): each item is valid during its call only
 * (backend.h), and scan_drop lets it go. */
static json_t *digest_row_new(bool arena, const char **row, const char *const *fields,
                              size_t nfields)
{
    if (arena)
        jarena_open();
    json_t *item = json_object();
    for (size_t f = 0; f < DIGEST_N; f++)
        if (row[f] && select_field(fields, nfields, DIGEST_FIELDS[f]))
            json_object_set_new_nocheck(item, DIGEST_FIELDS[f], json_string_nocheck(row[f]));
    return item;
}

/* A scan's items made from digest rows one after the other: each row's values are set into the
 * strings of the item made for the row before (each item is valid during its call only,
 * backend.h, and a callback gets it const), and an item is made anew only when a row has other
 * members (a member absent from it): what each call gets is what digest_row_new() makes. */
struct row_item {
    json_t *item;            /* made with malloc(), or NULL */
    json_t *value[DIGEST_N]; /* its strings (a reference each), NULL for the members it lacks */
};

/* Bit f: the row has DIGEST_FIELDS[f] and the scan selects it. */
static unsigned row_members(const char **row, const char *const *fields, size_t nfields)
{
    unsigned m = 0;
    for (size_t f = 0; f < DIGEST_N; f++)
        if (row[f] && select_field(fields, nfields, DIGEST_FIELDS[f]))
            m |= 1u << f;
    return m;
}

static void row_item_fini(struct row_item *ri)
{
    for (size_t f = 0; f < DIGEST_N; f++)
        json_decref(ri->value[f]);
    json_decref(ri->item);
    memset(ri, 0, sizeof(*ri));
}

static const json_t *row_item_next(struct row_item *ri, const char **row, const char *const *fields,
                                   size_t nfields)
{
    unsigned m = row_members(row, fields, nfields), had = 0;
    for (size_t f = 0; f < DIGEST_N; f++)
        if (ri->value[f])
            had |= 1u << f;
    if (ri->item && m == had) {
        for (size_t f = 0; f < DIGEST_N; f++)
            if (ri->value[f] && json_string_set_nocheck(ri->value[f], row[f]) != 0)
                BUG("json_string_set_nocheck() failed");
        return ri->item;
    }
    row_item_fini(ri);
    ri->item = digest_row_new(false, row, fields, nfields);
    for (size_t f = 0; f < DIGEST_N; f++)
        if (m & (1u << f))
            ri->value[f] = json_incref(json_object_get(ri->item, DIGEST_FIELDS[f]));
    return ri->item;
}

/* After the item's call: the arena is reset (or the item freed, made with malloc()). */
static void scan_drop(bool arena, json_t *item)
{
    if (arena)
        jarena_reset();
    else
        json_decref(item);
}

/* The end of a scan that claimed the arena: a plan scans each collection once, nothing stays. */
static void scan_done(bool arena)
{
    if (arena) {
        jarena_unclaim();
        jarena_release();
    }
}

static int f_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                  backend_item_fn fn, void *ctx, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    if (doc_load(d, err) != 0)
        return -1;
    struct fentry *e = entry_find(d, path);
    if (e && !e->json && !e->no_digest && digest_covers(fields, nfields)) {
        /* From the digest taken at load: no second decode of the text (its strings came from
         * jansson, so they are valid UTF-8 and need no second check). */
        struct row_item ri = {0};
        bool go = true;
        for (size_t i = 0; i < e->ndigest && go; i++)
            go = fn(row_item_next(&ri, e->digest + i * DIGEST_N, fields, nfields), ctx);
        row_item_fini(&ri);
        if (!go)
            return 0;
        /* Scanned whole once (a plan scans each directory collection once): the memory goes
         * back before the rest of the plan; a later scan decodes the text. */
        entry_clear_digest(e);
        return 0;
    }
    if (e && !e->json) {
        /* Streamed item by item from the text: no tree of the whole collection. */
        struct scanning sc = {.fields = fields, .nfields = nfields, .fn = fn, .ctx = ctx};
        return step_entry(d, e, scan_item, &sc, err);
    }
    json_t *all = NULL;
    if (f_read(b, path, &all, err) != 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        if (!json_is_object(v))
            continue; /* as scan_item: only objects are items */
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

struct text_scanning {
    backend_text_fn fn;
    void *ctx;
};

/* One item of a collection streamed from the text, handed on whole as compact text (as
 * scan_item: only objects are items). */
static bool text_item(json_t *item, size_t start, size_t end, void *ctx)
{
    (void)start;
    (void)end;
    const struct text_scanning *ts = ctx;
    return backend_text_item(item, ts->fn, ts->ctx);
}

/* Are all the fields a scan of a frozen collection selects kept while loading? */
static bool frozen_covers(const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!select_field(FROZEN_FIELDS, IDPC_ARRAY_LEN(FROZEN_FIELDS), fields[i]))
            return false;
    return true;
}

/* The item at `at`, read again from the snapshot and decoded. The snapshot stays open from its
 * load (d->fd): a file renamed or written over it since is not seen (its old contents stay
 * readable), but one changed in place (size or modification time) is refused, as is a span of an
 * earlier load. */
static int f_read_at(struct backend *b, const struct backend_at *at, json_t **out,
                     struct backend_error *err)
{
    struct fdoc *d = b->impl;
    *out = NULL;
    if (!d->loaded || at->load != d->loads || at->start + at->len > d->len) {
        backend_error_set(err, 0, NULL,
                          "cannot read tenant snapshot '%s' again: it was read anew since (an "
                          "object of the earlier reading is asked for): nothing was done; run the "
                          "command again",
                          d->path);
        return -1;
    }
    if (!d->text) {
        struct stat st;
        if (fstat(d->fd, &st) != 0) {
            backend_error_set(err, 0, NULL, "cannot read tenant snapshot '%s' again: %s", d->path,
                              strerror(errno));
            return -1;
        }
        if (st.st_size != d->size || st.st_mtim.tv_sec != d->mtime.tv_sec ||
            st.st_mtim.tv_nsec != d->mtime.tv_nsec) {
            backend_error_set(
                err, 0, NULL,
                "tenant snapshot '%s' changed while idpc was using it (%s since it was read): "
                "nothing was done; run the command again",
                d->path, st.st_size != d->size ? "its size changed" : "it was written to");
            return -1;
        }
    }
    char *own;
    const char *t = span(d, at->start, at->start + at->len, &own, err);
    if (!t)
        return -1;
    json_error_t je;
    json_t *v = json_loadb(t, at->len, JSON_DECODE_ANY, &je);
    free(own);
    if (!json_is_object(v)) {
        json_decref(v);
        backend_error_set(err, 0, NULL,
                          "tenant snapshot '%s' changed while idpc was using it (the object at "
                          "byte %zu no longer reads: %s): nothing was done; run the command again",
                          d->path, at->start, v ? "not an object" : je.text);
        return -1;
    }
    *out = v;
    return 0;
}

static int f_scan_text(struct backend *b, const char *path, const char *const *fields,
                       size_t nfields, backend_text_fn fn, void *ctx, struct backend_error *err)
{
    struct fdoc *d = b->impl;
    if (doc_load(d, err) != 0)
        return -1;
    struct fentry *e = entry_find(d, path);
    if (!e)
        return 0;
    if (!e->json && e->fitems && !e->no_digest && frozen_covers(fields, nfields)) {
        /* From what loading left: the digest and each item's compact text. Each item is valid
         * during the call only (backend.h): made in the transient arena when it is free. */
        bool arena = jarena_claim();
        int rc = 1;
        for (size_t i = 0; i < e->ndigest && rc > 0; i++) {
            const char **row = e->digest + i * DIGEST_N;
            const struct fitem *fi = &e->fitems[i];
            struct backend_at at = {fi->start, fi->len, d->loads};
            if (fi->whole) {
                json_t *item = NULL;
                if (f_read_at(b, &at, &item, err) != 0) {
                    rc = -1;
                    break;
                }
                if (!fn(item, NULL, 0, &at, fi->derived, ctx))
                    rc = 0;
                json_decref(item);
                continue;
            }
            json_t *item = digest_row_new(arena, row, fields, nfields);
            if (fi->type && select_field(fields, nfields, "@odata.type"))
                json_object_set_new_nocheck(item, "@odata.type", json_string_nocheck(fi->type));
            if (fi->trusted >= 0 && select_field(fields, nfields, "isTrusted"))
                json_object_set_new_nocheck(item, "isTrusted", json_boolean(fi->trusted));
            if (fi->unknown >= 0 &&
                select_field(fields, nfields, "includeUnknownCountriesAndRegions"))
                json_object_set_new_nocheck(item, "includeUnknownCountriesAndRegions",
                                            json_boolean(fi->unknown));
            if (arena)
                jarena_close();
            if (!fn(item, NULL, 0, &at, fi->derived, ctx))
                rc = 0;
            scan_drop(arena, item);
        }
        scan_done(arena);
        if (rc <= 0)
            return rc;
        /* Read whole once (a plan keeps the texts it needs): the memory goes back; a later scan
         * decodes the snapshot's text. */
        entry_clear_digest(e);
        return 0;
    }
    struct text_scanning ts = {fn, ctx};
    if (e->json) {
        size_t i;
        json_t *v;
        json_array_foreach(e->json, i, v)
        {
            if (!backend_text_item(v, fn, ctx))
                break;
        }
        return 0;
    }
    return step_entry(d, e, text_item, &ts, err); /* streamed from the snapshot's text */
}

/* ------------------------------------------------------------------------------------------ */
/* Writing: Graph's behaviour, emulated (backend_file_write.c)                                  */

/* The entry's tree, about to be written: a tree kept from loading shares values with the other
 * kept trees (struct interning), so it is copied first, once. NULL on error. */
static json_t *entry_unshare(struct fdoc *d, struct fentry *e, struct backend_error *err)
{
    json_t *v = entry_json(d, e, err);
    if (v && e->shared) {
        e->json = json_deep_copy(v);
        json_decref(v);
        e->shared = false;
    }
    return e->json;
}

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
    json_t *v = entry_unshare(d, e, err);
    if (v) {
        entry_clear_index(e);
        entry_clear_digest(e);
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
    const char *rest;
    struct fentry *e = entry_prefix(d, path, &rest);
    if (e && !entry_unshare(d, e, err))
        return -1;
    struct located loc;
    int rc = locate(d, path, &loc, err);
    if (rc != 0)
        return rc;
    entry_clear_index(loc.entry);
    entry_clear_digest(loc.entry);
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

/* The directory part and the file name of a path (new strings). */
static void split_path(const char *path, char **dir, char **base)
{
    char *a = xstrdup(path), *b = xstrdup(path);
    *dir = xstrdup(dirname(a));
    *base = xstrdup(basename(b));
    free(a);
    free(b);
}

/* Temporary files "<file>.tmp.<pid>" are written by commit and renamed over the snapshot; one is
 * left only when a run was killed between the two. Under the lock no other commit of this file
 * is under way, so every such file is a leftover: remove it and say so. */
static void remove_leftovers(struct fdoc *d)
{
    char *dir, *base;
    split_path(d->real, &dir, &base);
    char *prefix = xasprintf("%s.tmp.", base);
    size_t plen = strlen(prefix);
    DIR *dh = opendir(dir);
    struct dirent *e;
    while (dh && (e = readdir(dh)) != NULL) {
        if (strncmp(e->d_name, prefix, plen) != 0 || !e->d_name[plen] ||
            strspn(e->d_name + plen, "0123456789") != strlen(e->d_name + plen))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        if (unlink(p) == 0)
            fprintf(stderr,
                    "idpc: removed '%s', a temporary file left by an interrupted write of the "
                    "tenant snapshot (the snapshot itself is whole)\n",
                    p);
        else
            fprintf(stderr, "idpc: warning: cannot remove '%s', left by an interrupted write: %s\n",
                    p, strerror(errno));
        free(p);
    }
    if (dh)
        closedir(dh);
    free(prefix);
    free(dir);
    free(base);
}

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
    remove_leftovers(d);
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

/* Copies a span of the text byte for byte; false when the file cannot be read again. */
static bool add_span(struct strbuf *sb, struct fdoc *d, size_t start, size_t end)
{
    char *own;
    const char *t = span(d, start, end, &own, NULL);
    if (t)
        strbuf_add(sb, t, end - start);
    free(own);
    return t != NULL;
}

char *backend_file_serialize(struct backend *b)
{
    struct fdoc *d = b->impl;
    struct strbuf sb = STRBUF_INIT;
    bool ok = true;
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
                    ok &= add_span(&sb, d, e->vstart, e->vend);
                } else {
                    char *v =
                        json_dumps(e->json, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
                    add_indented(&sb, v ? v : "null", "    ");
                    free(v);
                }
            }
            strbuf_adds(&sb, first ? "}" : "\n  }");
        } else {
            ok &= add_span(&sb, d, d->tops[t].vstart, d->tops[t].vend);
        }
        strbuf_adds(&sb, t + 1 < d->ntops ? ",\n" : "\n");
    }
    strbuf_adds(&sb, "}\n");
    if (!ok) {
        strbuf_fini(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

/* Writes the snapshot as a reader must see it: whole or not at all. The text goes to
 * "<file>.tmp.<pid>" beside the real file, created with the snapshot's mode (a 0600 snapshot
 * stays 0600), is fsync'ed, renamed over the real file (a symbolic link keeps pointing at it), and
 * the directory is fsync'ed so that the rename survives a crash. 0 or an errno value. */
static int write_snapshot(struct fdoc *d, const char *text, size_t len)
{
    struct stat st;
    mode_t mode = 0644;
    if (stat(d->real, &st) == 0)
        mode = st.st_mode & 07777;
    char *tmp = xasprintf("%s.tmp.%ld", d->real, (long)getpid());
    int e = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        e = errno;
        free(tmp);
        return e;
    }
    if (fchmod(fd, mode) != 0) /* the umask may have taken bits away */
        e = errno;
    for (size_t off = 0; !e && off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            e = errno;
        else
            off += (size_t)w;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    /* test only (docs/runtime.md): stop here, the new text written, the rename not yet done */
    const char *pause = getenv("IDPC_TEST_COMMIT_PAUSE");
    if (!e && pause && *pause)
        sleep((unsigned)strtoul(pause, NULL, 10));
    if (!e && rename(tmp, d->real) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        return e;
    }
    free(tmp);
    char *dir, *base;
    split_path(d->real, &dir, &base);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0 && errno != EINVAL) /* some file systems cannot sync a directory */
            e = errno;
        close(dfd);
    }
    free(dir);
    free(base);
    return e;
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
        int e = text ? write_snapshot(d, text, strlen(text)) : EIO;
        free(text);
        if (e != 0) {
            if (strcmp(d->path, d->real) != 0)
                backend_error_set(err, 0, NULL,
                                  "cannot write tenant snapshot '%s' (the file %s): %s", d->path,
                                  d->real, strerror(e));
            else
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
    free(d->real);
    free(d->lockpath);
    free(d);
    b->impl = NULL;
}

static const struct backend_ops file_ops = {
    .scheme = "file",
    .read = f_read,
    .scan = f_scan,
    .scan_text = f_scan_text,
    .read_at = f_read_at,
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
    /* a snapshot reached through a symbolic link is the file it points at: read, write and lock
     * that file, so that two names of one snapshot share one lock and a commit leaves the link */
    d->real = realpath(arg, NULL);
    if (!d->real)
        d->real = xstrdup(arg);
    d->lockpath = xasprintf("%s.lock", d->real);
    d->lockfd = -1;
    d->fd = -1;
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
