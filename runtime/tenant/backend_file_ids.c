/* backend_file_ids.c — see backend_file_ids.h. The keys are sorted (stably, so that equal ones
 * stay in the order added) by the top PREFIX_BITS bits of their hash, with two passes of a radix
 * sort; the ids whose keys share those bits are then compared whole, which two different ids do
 * about never. */
#include "runtime/tenant/backend_file_ids.h"
#include "compiler/util.h"

#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS  11
#define PREFIX_BITS (2 * DIGIT_BITS)
#define SMALL       32 /* fewer keys than this are sorted by insertion */

void backend_file_ids_init(struct backend_file_ids *x)
{
    memset(x, 0, sizeof(*x));
}

void backend_file_ids_fini(struct backend_file_ids *x)
{
    free(x->keys);
    free(x->id);
    arena_free(x->strings);
    memset(x, 0, sizeof(*x));
}

struct arena *backend_file_ids_take_strings(struct backend_file_ids *x)
{
    struct arena *a = x->strings;
    x->strings = NULL;
    return a;
}

/* The 8 bytes of w with the ASCII capitals among them made small (each byte apart: no carry
 * crosses a byte). */
static uint64_t fold8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t low7 = w & ~high;
    uint64_t ge_a = low7 + ones * (0x80 - 'A');     /* high bit: the low 7 bits are >= 'A' */
    uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1); /* high bit: they are > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~w & high;      /* and the byte is ASCII */
    return w | (upper >> 2);                        /* 0x80 >> 2 == 'a' - 'A' */
}

uint64_t backend_file_ids_hash(const char *s, size_t n)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h = n * k;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ fold8(w)) * k;
        h ^= h >> 29;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        h = (h ^ fold8(w)) * k;
    }
    /* the finaliser of MurmurHash3: every bit of h reaches the top ones the sort uses */
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

const char *backend_file_ids_add(struct backend_file_ids *x, const char *id, size_t len,
                                 size_t start)
{
    if (start > UINT32_MAX || x->n >= UINT32_MAX)
        BUG("backend_file_ids_add: a snapshot is at most INT_MAX bytes");
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->keys = xrealloc(x->keys, x->cap * sizeof(*x->keys));
        x->id = xrealloc(x->id, x->cap * sizeof(*x->id));
    }
    if (!x->strings)
        x->strings = arena_new();
    const char *copy = arena_strndup(x->strings, id, len);
    x->keys[x->n] =
        (struct backend_file_id){backend_file_ids_hash(id, len), (uint32_t)x->n, (uint32_t)start};
    x->id[x->n] = copy;
    x->n++;
    return copy;
}

static unsigned fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool same_id(const char *a, const char *b)
{
    for (; *a && fold((unsigned char)*a) == fold((unsigned char)*b); a++, b++)
        ;
    return *a == '\0' && *b == '\0';
}

static uint64_t prefix(const struct backend_file_id *k)
{
    return k->hash >> (64 - PREFIX_BITS);
}

static void radix_pass(const struct backend_file_id *src, struct backend_file_id *dst, size_t n,
                       unsigned shift)
{
    size_t count[(size_t)1 << DIGIT_BITS] = {0};
    const uint64_t mask = ((uint64_t)1 << DIGIT_BITS) - 1;
    for (size_t i = 0; i < n; i++)
        count[(src[i].hash >> shift) & mask]++;
    size_t at = 0;
    for (size_t d = 0; d < IDPC_ARRAY_LEN(count); d++) {
        size_t c = count[d];
        count[d] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        dst[count[(src[i].hash >> shift) & mask]++] = src[i];
}

/* Sorts the keys by prefix(), keeping the order added among equal ones. */
static void sort_keys(struct backend_file_id *a, size_t n)
{
    if (n < SMALL) {
        for (size_t i = 1; i < n; i++) {
            struct backend_file_id k = a[i];
            size_t j = i;
            for (; j > 0 && prefix(&a[j - 1]) > prefix(&k); j--)
                a[j] = a[j - 1];
            a[j] = k;
        }
        return;
    }
    struct backend_file_id *tmp = xmalloc(n * sizeof(*tmp));
    radix_pass(a, tmp, n, 64 - PREFIX_BITS);
    radix_pass(tmp, a, n, 64 - DIGIT_BITS);
    free(tmp);
}

bool backend_file_ids_duplicate(struct backend_file_ids *x, size_t *start, const char **id,
                                size_t *first)
{
    struct backend_file_id *a = x->keys;
    size_t n = x->n;
    sort_keys(a, n);
    const struct backend_file_id *best = NULL, *best_first = NULL;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && prefix(&a[j]) == prefix(&a[i]))
            j++;
        /* a[i..j) in the order added: the first of them that an earlier one has is the run's
         * answer, and the earliest one it equals is the first item with its id */
        for (size_t k = i + 1; k < j && !(best && a[k].ord > best->ord); k++) {
            size_t m = i;
            while (m < k && !(a[m].hash == a[k].hash && same_id(x->id[a[m].ord], x->id[a[k].ord])))
                m++;
            if (m < k) {
                best = &a[k];
                best_first = &a[m];
                break;
            }
        }
        i = j;
    }
    if (!best)
        return false;
    *start = best->start;
    *id = x->id[best->ord];
    *first = best_first->start;
    return true;
}
