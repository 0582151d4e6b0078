/* suggest.c — see suggest.h. */
#include "compiler/suggest.h"

#include "compiler/util.h"

#include <stdlib.h>
#include <string.h>

static unsigned char fold(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= 'A' && u <= 'Z') ? (unsigned char)(u - 'A' + 'a') : u;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == 0)
        return lb;
    if (lb == 0)
        return la;

    /* Three rolling rows: i-2, i-1, i (indices into b are 0..lb). */
    size_t *prev2 = xcalloc(lb + 1, sizeof(size_t));
    size_t *prev = xcalloc(lb + 1, sizeof(size_t));
    size_t *cur = xcalloc(lb + 1, sizeof(size_t));
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;

    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            size_t d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
                fold(a[i - 2]) == fold(b[j - 1]) && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    size_t result = prev[lb];
    free(prev2);
    free(prev);
    free(cur);
    return result;
}

/* Rows of up to SMALL_ROW cells live on the stack: the did-you-mean search calls this for
 * every candidate of a catalog, and a heap allocation per call was most of its cost. */
#define SMALL_ROW 64

size_t suggest_distance_within(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (max >= (size_t)-1 / 2)
        max = (size_t)-1 / 2 - 1;
    size_t cap = max + 1; /* every cell holds min(distance, cap) */
    size_t diff = la > lb ? la - lb : lb - la;
    if (diff > max)
        return cap; /* the distance is at least the length difference */
    if (la == 0 || lb == 0)
        return diff;

    size_t small[3][SMALL_ROW + 1];
    unsigned char fa_small[SMALL_ROW], fb_small[SMALL_ROW];
    size_t *heap = NULL;
    unsigned char *fheap = NULL;
    size_t *prev2 = small[0], *prev = small[1], *cur = small[2];
    unsigned char *fa = fa_small, *fb = fb_small;
    if (la > SMALL_ROW || lb > SMALL_ROW) {
        heap = xcalloc(3 * (lb + 1), sizeof(size_t));
        prev2 = heap;
        prev = heap + (lb + 1);
        cur = heap + 2 * (lb + 1);
        fheap = xmalloc(la + lb);
        fa = fheap;
        fb = fheap + la;
    }
    for (size_t i = 0; i < la; i++)
        fa[i] = fold(a[i]);
    for (size_t j = 0; j < lb; j++)
        fb[j] = fold(b[j]);
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j < cap ? j : cap;
        prev2[j] = cap;
    }

    /* Only the band |i - j| <= max can hold a value <= max (a cell's distance is at least
     * |i - j|); cells just outside it read as cap. Row minima never decrease, so once a row is
     * all >= cap, so is the result. */
    size_t result = cap;
    for (size_t i = 1; i <= la; i++) {
        size_t lo = i > max ? i - max : 1;
        size_t hi = i + max < lb ? i + max : lb;
        cur[0] = i < cap ? i : cap;
        if (lo > 1)
            cur[lo - 1] = cap;
        size_t row_min = lo == 1 ? cur[0] : cap;
        for (size_t j = lo; j <= hi; j++) {
            size_t cost = fa[i - 1] == fb[j - 1] ? 0 : 1;
            size_t d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && fa[i - 1] == fb[j - 2] && fa[i - 2] == fb[j - 1] &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            if (d > cap)
                d = cap;
            cur[j] = d;
            if (d < row_min)
                row_min = d;
        }
        if (hi < lb)
            cur[hi + 1] = cap;
        if (row_min >= cap)
            goto done;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    result = prev[lb];
done:
    free(heap);
    free(fheap);
    return result;
}

size_t suggest_limit(const char *word)
{
    size_t third = strlen(word) / 3;
    return third > 1 ? third : 1;
}

void suggest_init(struct suggest *s, const char *word)
{
    s->word = word;
    s->word_len = strlen(word);
    s->limit = suggest_limit(word);
    s->best = NULL;
    s->best_distance = (size_t)-1;
}

void suggest_add(struct suggest *s, const char *candidate)
{
    suggest_add_as(s, candidate, candidate);
}

void suggest_add_as(struct suggest *s, const char *candidate, const char *report)
{
    if (!candidate)
        return;
    size_t lc = strlen(candidate);
    /* Cheap bound first: the distance is at least the length difference. */
    size_t diff = lc > s->word_len ? lc - s->word_len : s->word_len - lc;
    if (diff > s->limit || (s->best && diff >= s->best_distance))
        return;
    /* Only a distance <= limit, and below the best so far (ties go to the earlier candidate),
     * can change the result: the bounded search stops as soon as it exceeds that. */
    size_t bound = s->limit;
    if (s->best && s->best_distance - 1 < bound)
        bound = s->best_distance - 1;
    size_t d = suggest_distance_within(s->word, candidate, bound);
    if (d > bound)
        return;
    /* A distance equal to the longer length means no character survived: a rewrite, not a
     * typo ("x" is no misspelling of "y"). */
    size_t longer = lc > s->word_len ? lc : s->word_len;
    if (d > s->limit || (d > 0 && d >= longer))
        return;
    if (!s->best || d < s->best_distance) {
        s->best = report;
        s->best_distance = d;
    }
}

const char *suggest_result(const struct suggest *s)
{
    return s->best;
}

const char *suggest_best(const char *word, const char *const *candidates, size_t n)
{
    struct suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < n; i++)
        suggest_add(&s, candidates[i]);
    return suggest_result(&s);
}
