/* suggest.h — "did you mean 'x'?" helpers: edit distance and closest-candidate search.
 * Ownership: all arguments are borrowed; returned strings are one of the caller's candidates. */
#ifndef IDPC_SUGGEST_H
#define IDPC_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment Damerau-Levenshtein distance, ASCII case-insensitive. */
size_t suggest_distance(const char *a, const char *b);

/* suggest_distance(a, b) when it is <= max, else max + 1: it looks only at the band of the
 * matrix within `max` of its diagonal and stops once a row exceeds `max`, so its cost is
 * O(min(|a|, |b|) * max) rather than O(|a| * |b|). */
size_t suggest_distance_within(const char *a, const char *b, size_t max);

/* The largest distance at which a candidate is still suggested for `word`:
 * max(1, strlen(word) / 3). */
size_t suggest_limit(const char *word);

/* The closest candidate when it is close enough, else NULL. A candidate is close enough when
 * its distance is <= suggest_limit(word) and smaller than the longer of the two lengths (a
 * complete rewrite, "x" for "y", is no suggestion); a case-only difference has distance 0 and
 * is suggested.
 * Ties go to the earlier candidate. NULL entries in `candidates` are skipped. */
const char *suggest_best(const char *word, const char *const *candidates, size_t n);

/* Iterator form, for candidates that live in tables of structs:
 *     struct suggest s;
 *     suggest_init(&s, word);
 *     for (...) suggest_add(&s, table[i].name);
 *     const char *hint = suggest_result(&s);  */
struct suggest {
    const char *word;
    size_t word_len;
    size_t limit;
    const char *best;
    size_t best_distance;
};
void suggest_init(struct suggest *s, const char *word);
void suggest_add(struct suggest *s, const char *candidate);
/* Like suggest_add(), but when `candidate` is the closest so far, `report` (for example the
 * canonical name behind an alias) is what suggest_result() returns. */
void suggest_add_as(struct suggest *s, const char *candidate, const char *report);
const char *suggest_result(const struct suggest *s);

#endif
