/* jarena.c — see jarena.h. The arena is a list of chunks per thread; allocations are bumped from
 * the last one, and a chunk twice as large as the last is added when one does not fit. A reset
 * keeps the last chunk (up to JARENA_KEEP_MAX) for the next scope and frees the others. */
#include "runtime/tenant/jarena.h"
#include "compiler/util.h"

#include <jansson.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define JARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JARENA_ASAN 1
#endif
#endif

#ifdef JARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE        16 /* poisoned bytes after each allocation: an overrun is reported */
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE        0
#endif

#define JARENA_ALIGN    alignof(max_align_t)
#define JARENA_FIRST    ((size_t)64 << 10) /* a directory object decodes to a few KiB */
#define JARENA_KEEP_MAX ((size_t)16 << 20)

struct jarena_chunk {
    char *base;
    size_t cap;
};

struct jarena {
    char *cur, *end; /* the free part of the last chunk */
    unsigned depth;  /* open scopes */
    bool claimed;
    struct jarena_chunk *chunks; /* the last one is bumped */
    size_t n, cap;
    size_t done;  /* bytes handed out from the chunks before the last, since the last reset */
    size_t grown; /* chunks added since the last reset */
};

static _Thread_local struct jarena A;

static void *jarena_malloc(size_t n);
static void jarena_free(void *p);

static void jarena_install(void)
{
    static bool installed;
    if (installed)
        return;
    /* Both functions are malloc() and free() outside a scope: a value allocated before this (or
     * by another thread meanwhile) is freed correctly either way. */
    json_set_alloc_funcs(jarena_malloc, jarena_free);
    installed = true;
}

static void chunk_free(struct jarena_chunk *c)
{
    UNPOISON(c->base, c->cap);
    free(c->base);
}

/* Adds a chunk that holds at least `need` bytes. */
static void grow(size_t need)
{
    size_t cap = JARENA_FIRST;
    for (size_t i = 0; i < A.grown && cap < ((size_t)1 << 40); i++)
        cap *= 2;
    if (cap < need)
        cap = need;
    if (A.n == A.cap) {
        A.cap = A.cap ? A.cap * 2 : 4;
        A.chunks = xrealloc(A.chunks, A.cap * sizeof(*A.chunks));
    }
    if (A.n)
        A.done += (size_t)(A.cur - A.chunks[A.n - 1].base);
    char *base = xmalloc(cap);
    POISON(base, cap);
    A.chunks[A.n++] = (struct jarena_chunk){base, cap};
    A.cur = base;
    A.end = base + cap;
    A.grown++;
}

/* jarena_malloc() when the last chunk has no room for `need` bytes (or n is absurd). */
static __attribute__((noinline, cold)) void *malloc_grown(size_t n, size_t need)
{
    if (need < n) /* wrapped */
        return NULL;
    grow(need);
    char *p = A.cur;
    A.cur += need;
    UNPOISON(p, n);
    return p;
}

/* jansson calls this for every node, key and string it decodes: the common case (a scope open,
 * room in the chunk) is a bump, with the rest out of line. */
static void *jarena_malloc(size_t n)
{
    if (!A.depth)
        return malloc(n);
    size_t need = (n + REDZONE + JARENA_ALIGN - 1) & ~(JARENA_ALIGN - 1);
    char *p = A.cur;
    if (__builtin_expect(need < n || (size_t)(A.end - p) < need, 0))
        return malloc_grown(n, need);
    A.cur = p + need;
    UNPOISON(p, n);
    return p;
}

bool jarena_owns(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (size_t i = A.n; i-- > 0;)
        if (a - (uintptr_t)A.chunks[i].base < A.chunks[i].cap)
            return true;
    return false;
}

static void jarena_free(void *p)
{
    if (p && A.n && jarena_owns(p))
        return; /* dropped at the next reset */
    free(p);
}

bool jarena_claim(void)
{
    if (A.claimed)
        return false;
    A.claimed = true;
    return true;
}

void jarena_unclaim(void)
{
    jarena_reset();
    A.claimed = false;
}

void jarena_open(void)
{
    jarena_install();
    A.depth++;
}

void jarena_close(void)
{
    if (!A.depth)
        BUG("jarena_close() without jarena_open()");
    A.depth--;
}

void jarena_reset(void)
{
    if (A.depth)
        BUG("jarena_reset() inside a scope");
    if (!A.n)
        return;
    for (size_t i = 0; i + 1 < A.n; i++)
        chunk_free(&A.chunks[i]);
    A.chunks[0] = A.chunks[A.n - 1];
    A.n = 1;
    A.done = 0;
    A.grown = 0;
#ifdef JARENA_ASAN
    /* The memory handed out stays poisoned and is not handed out again: a pointer kept past the
     * reset is reported when it is used, not silently read from the next value. */
    POISON(A.chunks[0].base, (size_t)(A.cur - A.chunks[0].base));
    A.done = -(size_t)(A.cur - A.chunks[0].base); /* jarena_used() counts from here */
#else
    A.cur = A.chunks[0].base;
    if (A.chunks[0].cap > JARENA_KEEP_MAX) { /* one huge value: not kept for the next */
        chunk_free(&A.chunks[0]);
        A.n = 0;
        A.cur = A.end = NULL;
    }
#endif
}

void jarena_release(void)
{
    if (A.claimed)
        return; /* its holder holds values in it */
    if (A.depth)
        BUG("jarena_release() inside a scope");
    for (size_t i = 0; i < A.n; i++)
        chunk_free(&A.chunks[i]);
    free(A.chunks);
    A.chunks = NULL;
    A.cur = A.end = NULL;
    A.n = A.cap = A.done = A.grown = 0;
}

size_t jarena_used(void)
{
    return A.n ? A.done + (size_t)(A.cur - A.chunks[A.n - 1].base) : 0;
}

size_t jarena_capacity(void)
{
    size_t c = 0;
    for (size_t i = 0; i < A.n; i++)
        c += A.chunks[i].cap;
    return c;
}
