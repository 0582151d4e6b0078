/* print_diff.c — a unified line diff (Myers' O(ND) algorithm) for `idpc fmt --diff`. */
#include "compiler/print.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT  3
#define MAX_EDIT 4096 /* beyond this many edits, the differing middle is replaced wholesale */

struct line {
    const char *s;
    size_t n; /* without the '\n' */
    bool nl;  /* ends with '\n' */
    size_t hash;
};

struct lines {
    struct line *v;
    size_t n;
};

enum op {
    OP_EQ,
    OP_DEL,
    OP_INS,
};

struct edit {
    enum op op;
    size_t a, b; /* line indexes in a (EQ, DEL) and b (EQ, INS) */
};

struct script {
    struct edit *v;
    size_t n, cap;
};

static void split_lines(const char *s, size_t len, struct lines *out)
{
    size_t cap = 16;
    out->v = xmalloc(cap * sizeof(*out->v));
    out->n = 0;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        if (out->n == cap) {
            cap *= 2;
            out->v = xrealloc(out->v, cap * sizeof(*out->v));
        }
        struct line *l = &out->v[out->n++];
        l->s = s + i;
        l->n = e - i;
        l->nl = nl != NULL;
        size_t h = 5381;
        for (size_t k = 0; k < l->n; k++)
            h = h * 33 + (unsigned char)l->s[k];
        l->hash = h * 2 + l->nl;
        i = nl ? e + 1 : len;
    }
}

static bool line_eq(const struct line *x, const struct line *y)
{
    return x->hash == y->hash && x->n == y->n && x->nl == y->nl && memcmp(x->s, y->s, x->n) == 0;
}

static void push(struct script *sc, enum op op, size_t a, size_t b)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 64;
        sc->v = xrealloc(sc->v, sc->cap * sizeof(*sc->v));
    }
    sc->v[sc->n].op = op;
    sc->v[sc->n].a = a;
    sc->v[sc->n].b = b;
    sc->n++;
}

/* Myers: edits turning a[a0, a0+n) into b[b0, b0+m), appended to sc in order.
 * Returns false when more than MAX_EDIT edits would be needed. */
static bool myers(const struct line *a, size_t n, const struct line *b, size_t m, size_t a0,
                  size_t b0, struct script *sc)
{
    long N = (long)n, M = (long)m;
    long max = N + M;
    if (max > MAX_EDIT)
        max = MAX_EDIT;
    long off = max + 1;
    long *v = xcalloc((size_t)(2 * max + 3), sizeof(long));
    long **trace = xcalloc((size_t)max + 1, sizeof(long *));
    long D = -1;
    bool ok = false;
    for (long d = 0; d <= max && D < 0; d++) {
        for (long k = -d; k <= d; k += 2) {
            long x;
            if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                x = v[off + k + 1];
            else
                x = v[off + k - 1] + 1;
            long y = x - k;
            while (x < N && y < M && line_eq(&a[a0 + (size_t)x], &b[b0 + (size_t)y])) {
                x++;
                y++;
            }
            v[off + k] = x;
            if (x >= N && y >= M) {
                D = d;
                break;
            }
        }
        /* keep V[-d..d] after step d */
        trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof(long));
        memcpy(trace[d], &v[off - d], (size_t)(2 * d + 1) * sizeof(long));
    }
    if (D < 0)
        goto out;
    ok = true;
    /* Backtrack from (N, M), collecting edits in reverse. */
    struct script rev = {NULL, 0, 0};
    long x = N, y = M;
    for (long d = D; d > 0; d--) {
        const long *pv = trace[d - 1]; /* index k is pv[k + d - 1] */
        long k = x - y;
        long pk;
        if (k == -d || (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1]))
            pk = k + 1;
        else
            pk = k - 1;
        long px = pv[pk + d - 1];
        long py = px - pk;
        while (x > px && y > py) {
            push(&rev, OP_EQ, a0 + (size_t)(x - 1), b0 + (size_t)(y - 1));
            x--;
            y--;
        }
        if (x == px)
            push(&rev, OP_INS, a0 + (size_t)x, b0 + (size_t)(y - 1));
        else
            push(&rev, OP_DEL, a0 + (size_t)(x - 1), b0 + (size_t)y);
        x = px;
        y = py;
    }
    while (x > 0 && y > 0) {
        push(&rev, OP_EQ, a0 + (size_t)(x - 1), b0 + (size_t)(y - 1));
        x--;
        y--;
    }
    for (size_t i = rev.n; i > 0; i--)
        push(sc, rev.v[i - 1].op, rev.v[i - 1].a, rev.v[i - 1].b);
    free(rev.v);
out:
    for (long d = 0; d <= max; d++)
        free(trace[d]);
    free(trace);
    free(v);
    return ok;
}

static void add_line(struct strbuf *out, char tag, const struct line *l)
{
    strbuf_addc(out, tag);
    strbuf_add(out, l->s, l->n);
    strbuf_addc(out, '\n');
    if (!l->nl)
        strbuf_adds(out, "\\ No newline at end of file\n");
}

static void add_range(struct strbuf *out, size_t start, size_t count)
{
    /* GNU style: an empty range names the line before it; a count of 1 is left out. */
    if (count == 0)
        strbuf_addf(out, "%zu,0", start);
    else if (count == 1)
        strbuf_addf(out, "%zu", start + 1);
    else
        strbuf_addf(out, "%zu,%zu", start + 1, count);
}

static void emit_hunks(const struct script *sc, const struct lines *A, const struct lines *B,
                       struct strbuf *out)
{
    size_t i = 0;
    while (i < sc->n) {
        /* find the next change */
        size_t c = i;
        while (c < sc->n && sc->v[c].op == OP_EQ)
            c++;
        if (c == sc->n)
            break;
        size_t start = c > CONTEXT ? c - CONTEXT : 0;
        if (start < i)
            start = i;
        /* extend the hunk while changes are within 2*CONTEXT equal lines of each other */
        size_t end = c;
        for (;;) {
            while (end < sc->n && sc->v[end].op != OP_EQ)
                end++;
            size_t eq = end;
            while (eq < sc->n && sc->v[eq].op == OP_EQ)
                eq++;
            if (eq < sc->n && eq - end <= 2 * CONTEXT) {
                end = eq;
                continue;
            }
            end = end + CONTEXT < sc->n ? end + CONTEXT : sc->n;
            if (end > eq)
                end = eq;
            break;
        }
        size_t acount = 0, bcount = 0;
        for (size_t k = start; k < end; k++) {
            if (sc->v[k].op != OP_INS)
                acount++;
            if (sc->v[k].op != OP_DEL)
                bcount++;
        }
        strbuf_adds(out, "@@ -");
        add_range(out, sc->v[start].a, acount);
        strbuf_adds(out, " +");
        add_range(out, sc->v[start].b, bcount);
        strbuf_adds(out, " @@\n");
        for (size_t k = start; k < end; k++) {
            const struct edit *e = &sc->v[k];
            if (e->op == OP_EQ)
                add_line(out, ' ', &A->v[e->a]);
            else if (e->op == OP_DEL)
                add_line(out, '-', &A->v[e->a]);
            else
                add_line(out, '+', &B->v[e->b]);
        }
        i = end;
    }
}

void print_diff(const char *a_label, const char *a, size_t alen, const char *b_label, const char *b,
                size_t blen, struct strbuf *out)
{
    if (alen == blen && memcmp(a, b, alen) == 0)
        return;
    struct lines A, B;
    split_lines(a, alen, &A);
    split_lines(b, blen, &B);
    struct script sc = {NULL, 0, 0};
    size_t pre = 0;
    while (pre < A.n && pre < B.n && line_eq(&A.v[pre], &B.v[pre]))
        pre++;
    size_t suf = 0;
    while (suf < A.n - pre && suf < B.n - pre && line_eq(&A.v[A.n - 1 - suf], &B.v[B.n - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        push(&sc, OP_EQ, i, i);
    size_t an = A.n - pre - suf, bn = B.n - pre - suf;
    if (!myers(A.v, an, B.v, bn, pre, pre, &sc)) {
        for (size_t i = 0; i < an; i++)
            push(&sc, OP_DEL, pre + i, pre);
        for (size_t i = 0; i < bn; i++)
            push(&sc, OP_INS, pre + an, pre + i);
    }
    for (size_t i = 0; i < suf; i++)
        push(&sc, OP_EQ, A.n - suf + i, B.n - suf + i);
    strbuf_addf(out, "--- %s\n+++ %s\n", a_label, b_label);
    emit_hunks(&sc, &A, &B, out);
    free(sc.v);
    free(A.v);
    free(B.v);
}
