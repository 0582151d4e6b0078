/* util.c — see util.h. */
#include "compiler/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__) && !defined(IDPC_LEAK_CHECK)
#include <malloc.h>
#endif

static noreturn void oom(size_t n)
{
    fprintf(stderr, "idpc: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    return strbuf_detach(&sb);
}

noreturn void idpc_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "idpc: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- arena ---- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct arena_block *head;
};

struct arena *arena_new(void)
{
    return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
    if (!a)
        return;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head, *keep = NULL;
#ifndef IDPC_LEAK_CHECK
    /* keep one ordinary block for the next round; sanitizer builds free every block, so that
     * AddressSanitizer reports a use of memory from before the reset */
    if (b && b->cap == 32768) {
        keep = b;
        b = b->next;
        keep->next = NULL;
        keep->used = 0;
    }
#endif
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = keep;
}

/* n bytes at a multiple of `align` (a power of two) in the head block, or in a new one. */
static void *arena_bump(struct arena *a, size_t n, size_t align)
{
    struct arena_block *b = a->head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->cap || b->cap - at < n) {
        size_t cap = n > 32768 ? n : 32768;
        b = xmalloc(sizeof(*b) + cap);
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        at = 0;
    }
    void *p = (char *)b->data + at;
    b->used = at + n;
    return p;
}

/* n rounded up to a whole, non-zero number of max_align_t */
static size_t arena_round(size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    return n ? n : align;
}

void *arena_alloc_uninit(struct arena *a, size_t n)
{
    return arena_bump(a, arena_round(n), sizeof(max_align_t));
}

void *arena_alloc(struct arena *a, size_t n)
{
    n = arena_round(n);
    void *p = arena_bump(a, n, sizeof(max_align_t));
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_bump(a, n + 1, 1); /* strings need no alignment: packed */
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    /* One vsnprintf into a stack buffer for the usual short text; a long one is formatted
     * again at its size. */
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("vsnprintf failed for '%s'", fmt);
    if ((size_t)n < sizeof(small))
        return arena_strndup(a, small, (size_t)n);
    char *p = arena_bump(a, (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *arena_cat(struct arena *a, const char *s, ...)
{
    /* each piece's length measured once (for the first 16; a longer list measures the rest
     * again) */
    size_t lens[16];
    size_t n = 0, count = 0;
    va_list ap;
    va_start(ap, s);
    for (const char *p = s; p; p = va_arg(ap, const char *)) {
        size_t k = strlen(p);
        if (count < IDPC_ARRAY_LEN(lens))
            lens[count] = k;
        count++;
        n += k;
    }
    va_end(ap);
    char *out = arena_bump(a, n + 1, 1), *o = out;
    va_start(ap, s);
    size_t i = 0;
    for (const char *p = s; p; p = va_arg(ap, const char *), i++) {
        size_t k = i < IDPC_ARRAY_LEN(lens) ? lens[i] : strlen(p);
        memcpy(o, p, k);
        o += k;
    }
    va_end(ap);
    *o = '\0';
    return out;
}

/* ---- strbuf ---- */

void strbuf_init(struct strbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void strbuf_fini(struct strbuf *sb)
{
    free(sb->buf);
    strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

static void strbuf_grow(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
    strbuf_grow(sb, n);
    if (n)
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    /* Straight into the spare capacity when it fits (one vsnprintf), else measure and grow. */
    size_t spare = sb->buf ? sb->cap - sb->len : 0;
    int n = vsnprintf(spare ? sb->buf + sb->len : NULL, spare, fmt, cp);
    va_end(cp);
    if (n >= 0 && (size_t)n < spare) {
        sb->len += (size_t)n;
        return;
    }
    if (spare)
        sb->buf[sb->len] = '\0'; /* the truncated attempt is not part of the text */
    if (n < 0)
        BUG("vsnprintf failed for '%s'", fmt);
    strbuf_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *strbuf_detach(struct strbuf *sb)
{
    char *p = sb->buf ? sb->buf : xstrdup("");
    strbuf_init(sb);
    return p;
}

/* ---- files ---- */

int util_read_file(const char *path, char **out, size_t *len)
{
    return util_read_file_max(path, SIZE_MAX, out, len);
}

int util_read_file_max(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
        (unsigned long long)st.st_size < SIZE_MAX) {
        /* A regular file: one buffer of its size (no doubling, no copies), then a check that
         * it did not grow meanwhile. */
        size_t size = (size_t)st.st_size;
        char *buf = xmalloc(size + 1);
        size_t got = fread(buf, 1, size, f);
        int err = ferror(f) ? EIO : 0;
        if (!err && got == size && fgetc(f) == EOF) {
            fclose(f);
            buf[size] = '\0';
            *out = buf;
            *len = size;
            return 0;
        }
        free(buf);
        if (err) {
            fclose(f);
            return err;
        }
        rewind(f); /* it changed size while being read: read it as a stream */
    }
    struct strbuf sb = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    int err = 0;
    while (!err && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (n > max - sb.len)
            err = EFBIG;
        else
            strbuf_add(&sb, chunk, n);
    }
    if (!err && ferror(f))
        err = errno ? errno : EIO;
    fclose(f);
    if (err) {
        strbuf_fini(&sb);
        return err;
    }
    *len = sb.len;
    *out = strbuf_detach(&sb);
    return 0;
}

/* Writes all of data to fd; 0 or errno. */
static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        off += (size_t)w;
    }
    return 0;
}

int util_write_file_atomic(const char *path, const char *data, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* A device or a FIFO (/dev/stdout, /dev/full, a pipe): written in place, never renamed
         * over. */
        int fd = open(path, O_WRONLY | O_TRUNC);
        if (fd < 0)
            return errno;
        int e = write_all(fd, data, len);
        if (close(fd) != 0 && !e)
            e = errno;
        return e;
    }
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int err = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        err = errno;
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        off += (size_t)w;
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        unlink(tmp);
out:
    free(tmp);
    return err;
}

bool util_free_at_exit(void)
{
#ifdef IDPC_LEAK_CHECK
    return true;
#else
    const char *v = getenv("IDPC_FREE_AT_EXIT");
    return v && *v && strcmp(v, "0") != 0;
#endif
}

void util_malloc_setup(void)
{
#if defined(__GLIBC__) && !defined(IDPC_LEAK_CHECK)
    /* 128 KiB is glibc's own starting value; setting it turns off the dynamic threshold
     * (mallopt(3), M_MMAP_THRESHOLD) */
    (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

bool util_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return false;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool util_streq_nocase(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void util_now_iso(char buf[static 21])
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    long v;
    if (sde && util_parse_long(sde, 0, 4102444800L, &v))
        t = (time_t)v;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool util_iso_past(const char *when)
{
    if (!when || strlen(when) < 19)
        return false;
    char now[21];
    util_now_iso(now);
    return strncmp(when, now, 19) < 0;
}
