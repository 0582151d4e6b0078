/* util.h — allocation, arenas, string buffers, file reading.
 * Ownership: x*alloc results and strbuf_detach() strings belong to the caller; everything
 * allocated from an arena belongs to the arena and is freed by arena_free() at once. */
#ifndef IDPC_UTIL_H
#define IDPC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#define IDPC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define IDPC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define IDPC_WARN_UNUSED  __attribute__((warn_unused_result))
#define IDPC_SENTINEL     __attribute__((sentinel))
#else
#define IDPC_SENTINEL
#define IDPC_PRINTF(f, a)
#define IDPC_WARN_UNUSED
#endif

/* Allocation failure prints a message and aborts: we are a command-line tool. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) IDPC_PRINTF(1, 2);

/* An impossible state: print where and abort. */
noreturn void idpc_bug(const char *file, int line, const char *fmt, ...) IDPC_PRINTF(3, 4);

/* jansson's iteration macros, getters and json_object_set() take a non-const json_t *: this lends
 * them a const one to read or to take a reference to, never to change the value. */
struct json_t;
static inline struct json_t *util_json_mut(const struct json_t *v)
{
    union {
        const struct json_t *c;
        struct json_t *m;
    } u = {.c = v};
    return u.m;
}
#define BUG(...) idpc_bug(__FILE__, __LINE__, __VA_ARGS__)

/* Bump allocator; memory is returned all at once by arena_free(). */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Returns everything allocated from the arena at once, keeping it for reuse. */
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t n); /* zeroed, aligned for any type */
/* arena_alloc without the zeroing, for memory the caller fills at once */
void *arena_alloc_uninit(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) IDPC_PRINTF(2, 3);
/* The concatenation of the strings given, up to a NULL: arena_printf("%s%s", x, y) without
 * printf, for texts built on every statement. */
char *arena_cat(struct arena *a, const char *s, ...) IDPC_SENTINEL;

/* Growable NUL-terminated byte string. */
struct strbuf {
    char *buf; /* always NUL-terminated once anything was added; NULL when empty and fresh */
    size_t len;
    size_t cap;
};
#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
void strbuf_init(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) IDPC_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) IDPC_PRINTF(2, 0);
const char *strbuf_str(const struct strbuf *sb); /* "" when empty */
char *strbuf_detach(struct strbuf *sb);          /* caller frees; sb is reset */

/* Reads a whole file. Returns 0, or an errno value. *out is NUL-terminated, caller frees. */
int util_read_file(const char *path, char **out, size_t *len) IDPC_WARN_UNUSED;
/* The same, reading at most max bytes: a longer file (or an endless one, such as a device)
 * gives EFBIG. */
int util_read_file_max(const char *path, size_t max, char **out, size_t *len) IDPC_WARN_UNUSED;
/* Writes a file atomically: temp file in the same directory, fsync, rename. 0 or errno.
 * An existing device or FIFO (/dev/stdout, /dev/full) is written in place instead. */
int util_write_file_atomic(const char *path, const char *data, size_t len) IDPC_WARN_UNUSED;
/* Should a command free what it built before the process exits? True in leak-checked builds
 * (IDPC_SANITIZE defines IDPC_LEAK_CHECK, so LeakSanitizer still sees every allocation owned)
 * and when the environment sets IDPC_FREE_AT_EXIT (for valgrind); otherwise exit() returns the
 * memory at once and the walk over every object is skipped. */
bool util_free_at_exit(void);
/* For the CLI, once at start: glibc's malloc serves every block of 128 KiB or more with its own
 * mapping and unmaps it when it is freed, instead of raising that limit after each such free
 * (its default), so that the peak RSS of a run follows the memory it holds rather than how
 * earlier phases happened to free theirs (big tables, buffers and arrays are returned to the
 * system between phases). A no-op with another C library and in sanitizer builds. */
void util_malloc_setup(void);

/* Strict decimal parse of a whole string into [min, max]; false on junk or overflow. */
bool util_parse_long(const char *s, long min, long max, long *out);
bool util_streq_nocase(const char *a, const char *b);

/* Now in UTC as "YYYY-MM-DDThh:mm:ssZ" (20 characters and a NUL) into buf; SOURCE_DATE_EPOCH
 * stands for now when it is set, so that plans, snapshots and their tests are reproducible. */
void util_now_iso(char buf[static 21]);
/* Is an ISO 8601 UTC time ("2027-01-31T00:00:00Z", fractions ignored) already past? False for
 * NULL or a string too short to hold a time. */
bool util_iso_past(const char *when);

#endif
