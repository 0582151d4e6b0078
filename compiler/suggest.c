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
    size_t d = suggest_distance(s->word, candidate);
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
