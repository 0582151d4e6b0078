/* whatif_compiled.c — see whatif_compiled.h. The conditions themselves stay in whatif.c
 * (policy_part, whatif_part_key): this file only remembers their answers. */
#include "runtime/analysis/whatif_compiled.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/strmap.h"
#include "runtime/analysis/whatif_int.h"

/* A recently seen sign-in (its lists copied: a caller may refill the same array) and its row. */
#define RECENT 8
struct recent {
    struct whatif_signin s;
    const char **lists[3]; /* member_of, roles, locations */
    size_t cap[3];
    size_t row;
    bool used;
};

/* The answers of one part: distinct key -> row of `words` bits (one per policy); the last few
 * sign-ins by pointer first, then by key. */
struct part_memo {
    struct strmap keys;
    uint64_t *rows;
    size_t nrows, cap;
    struct recent recent[RECENT];
    unsigned hit, next;
};

/* whatif_signin_extras of two sign-in fields, remembered by their pointers (a sign-in's strings
 * stay unchanged while the evaluator lives): a small table indexed by the pointers' hash. */
#define EXTRAS_MEMO 64
struct extras_memo {
    const char *a, *b;
    unsigned bits;
    bool used;
};

static struct extras_memo *extras_slot(struct extras_memo *t, const char *a, const char *b)
{
    uintptr_t h = ((uintptr_t)a >> 4) * 31u + ((uintptr_t)b >> 4);
    return &t[(h ^ (h >> 7)) % EXTRAS_MEMO];
}

struct whatif_compiled {
    const struct whatif_inputs *in;
    size_t npolicies, words;
    size_t kw; /* words of a set key: the policy bits, then one word of whatif_signin_extras() */
    uint64_t *enabled;
    struct part_memo parts[WHATIF_PARTS];
    struct strbuf key;
    uint64_t *applies;
    /* distinct applying sets, each in its narrowest form one after another in set_data (see
     * set_put), and an open-addressing table of set numbers + 1 */
    uint32_t *set_data;
    size_t ndata, datacap;
    size_t *set_off;    /* per set: where its form starts in set_data */
    size_t *set_hashes; /* per set: set_hash of its bits */
    size_t nsets, setcap;
    unsigned *table;
    size_t tcap; /* power of two */
    size_t signins;
    size_t *same[WHATIF_PARTS]; /* per part and policy: the first policy with equal conditions
                                   of that part (whatif_part_eval) */
    const struct whatif_locindex *locindex; /* the named locations by id and name */
    struct whatif_locindex *own_locindex;   /* locindex when the compile built it */
    struct whatif_users_index *users;       /* the users part as hashed sets */
    struct whatif_locconds *locconds;       /* the location part, its lists resolved */
    uint64_t *general, *tmp;                /* scratch rows of `words` */
    uint32_t *list;                         /* scratch: a set's policies (set_list) */
    /* the last sign-in's whatif_signin_extras and the fields it read (by pointer: a sign-in's
     * strings stay unchanged while the evaluator lives) */
    struct extras_memo x_app[EXTRAS_MEMO], x_client[EXTRAS_MEMO];
};

/* A hash of a JSON value equal for json_equal values (an object's members in any order). */
static uint64_t json_hash(const json_t *v)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)json_typeof(v);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        const json_t *x;
        uint64_t sum = 0;
        json_object_foreach(whatif_mut(v), k, x)
        {
            uint64_t kh = 1469598103934665603ULL;
            for (const char *p = k; *p; p++)
                kh = (kh ^ (unsigned char)*p) * 1099511628211ULL;
            sum += (kh ^ json_hash(x)) * 0x9E3779B97F4A7C15ULL; /* order-free */
        }
        return h ^ sum;
    }
    case JSON_ARRAY: {
        size_t i;
        const json_t *x;
        json_array_foreach(v, i, x)
        {
            h = (h ^ json_hash(x)) * 1099511628211ULL;
        }
        return h;
    }
    case JSON_STRING: {
        const char *p = json_string_value(v);
        for (size_t i = 0, n = json_string_length(v); i < n; i++)
            h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
        return h;
    }
    case JSON_INTEGER:
        return (h ^ (uint64_t)json_integer_value(v)) * 1099511628211ULL;
    default:
        return h; /* reals, true, false, null: json_equal decides */
    }
}

/* same[p][i]: for each part p, the first policy whose conditions hold the same values as policy
 * i's for the keys the part reads (whatif_part_fields), else i. Each policy's conditions are
 * read once for every part (each key belongs to one part). */
static void find_same(const json_t *policies, size_t n, size_t *same[WHATIF_PARTS])
{
    size_t nkeys = 0, first[WHATIF_PARTS + 1];
    for (int p = 0; p < WHATIF_PARTS; p++)
        for (const char *const *k = whatif_part_fields((enum whatif_part)p); *k; k++)
            nkeys++;
    const char **keys = xcalloc(nkeys + 1, sizeof(*keys));
    nkeys = 0;
    for (int p = 0; p < WHATIF_PARTS; p++) {
        first[p] = nkeys;
        for (const char *const *k = whatif_part_fields((enum whatif_part)p); *k; k++)
            keys[nkeys++] = *k;
    }
    first[WHATIF_PARTS] = nkeys;
    const json_t **val = xcalloc(n * nkeys + 1, sizeof(*val));
    for (size_t i = 0; i < n; i++)
        whatif_jget_many(whatif_jget(json_array_get(policies, i), "conditions"), keys, nkeys,
                         val + i * nkeys);
    /* each value's hash, once per value: a file tenant's policies share their equal conditions
     * (one "applications" object for many policies), hashed here by pointer */
    uint64_t *hash = xcalloc(n * nkeys + 1, sizeof(uint64_t));
    size_t hcap = 16;
    while (hcap < 2 * n * nkeys + 2)
        hcap *= 2;
    uint32_t *hslot = xcalloc(hcap, sizeof(uint32_t)); /* value's place + 1 */
    for (size_t v = 0; v < n * nkeys; v++) {
        if (!val[v])
            continue;
        size_t j =
            (size_t)(((uint64_t)(uintptr_t)val[v] >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & (hcap - 1);
        while (hslot[j] && val[hslot[j] - 1] != val[v])
            j = (j + 1) & (hcap - 1);
        if (hslot[j]) {
            hash[v] = hash[hslot[j] - 1];
        } else {
            hash[v] = json_hash(val[v]);
            hslot[j] = (uint32_t)v + 1;
        }
    }
    free(hslot);
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    size_t *slot = xcalloc(cap, sizeof(size_t)); /* policy + 1 */
    for (int p = 0; p < WHATIF_PARTS; p++) {
        if (p)
            memset(slot, 0, cap * sizeof(size_t));
        for (size_t i = 0; i < n; i++) {
            const json_t **vi = val + i * nkeys;
            uint64_t h = 0;
            for (size_t k = first[p]; k < first[p + 1]; k++)
                h = (h ^ (vi[k] ? hash[i * nkeys + k] : 0x5bd1e995u)) * 1099511628211ULL;
            size_t j = (size_t)(h ^ (h >> 29)) & (cap - 1);
            same[p][i] = i;
            for (; slot[j]; j = (j + 1) & (cap - 1)) {
                const json_t **vk = val + (slot[j] - 1) * nkeys;
                size_t k = first[p];
                for (; k < first[p + 1]; k++) /* equal values (json_equal), or both absent */
                    if (vi[k] != vk[k] &&
                        !(vi[k] && vk[k] && json_equal(whatif_mut(vi[k]), whatif_mut(vk[k]))))
                        break;
                if (k == first[p + 1]) {
                    same[p][i] = slot[j] - 1;
                    break;
                }
            }
            if (!slot[j])
                slot[j] = i + 1;
        }
    }
    free(slot);
    free(hash);
    free(val);
    free(keys);
}

struct whatif_compiled *whatif_compile(const struct whatif_inputs *in)
{
    return whatif_compile_ix(in, NULL);
}

struct whatif_compiled *whatif_compile_ix(const struct whatif_inputs *in,
                                          const struct whatif_locindex *ix)
{
    struct whatif_compiled *c = xcalloc(1, sizeof(*c));
    c->in = in;
    c->npolicies = json_array_size(in->policies);
    c->words = (c->npolicies + 63) / 64;
    if (c->words == 0)
        c->words = 1;
    c->kw = c->words + 1;
    c->enabled = xcalloc(c->words, sizeof(uint64_t));
    c->applies = xcalloc(c->kw, sizeof(uint64_t));
    for (size_t i = 0; i < c->npolicies; i++)
        if (whatif_policy_state(json_array_get(in->policies, i)) == WHATIF_ENABLED)
            c->enabled[i / 64] |= 1ull << (i % 64);
    for (int p = 0; p < WHATIF_PARTS; p++)
        strmap_init(&c->parts[p].keys, false);
    strbuf_init(&c->key);
    /* Policies whose conditions of a part are equal (copies; the same apps, platforms or
     * locations with other users) answer that part alike: each distinct value is read once. */
    for (int p = 0; p < WHATIF_PARTS; p++)
        c->same[p] = xcalloc(c->npolicies + 1, sizeof(size_t));
    find_same(in->policies, c->npolicies, c->same);
    if (!ix)
        ix = c->own_locindex = whatif_locindex_new(in->locations);
    c->locindex = ix;
    c->users = whatif_users_index_new(in->policies, c->same[WHATIF_PART_USERS]);
    c->locconds = whatif_locconds_new(in->policies, c->locindex, c->same[WHATIF_PART_LOCATION]);
    c->general = xcalloc(c->words, sizeof(uint64_t));
    c->tmp = xcalloc(c->words, sizeof(uint64_t));
    c->list = xcalloc(c->npolicies + 1, sizeof(uint32_t));
    return c;
}

void whatif_compiled_free(struct whatif_compiled *c)
{
    if (!c)
        return;
    for (int p = 0; p < WHATIF_PARTS; p++) {
        strmap_fini(&c->parts[p].keys);
        free(c->parts[p].rows);
        for (int r = 0; r < RECENT; r++)
            for (int i = 0; i < 3; i++)
                free(c->parts[p].recent[r].lists[i]);
    }
    strbuf_fini(&c->key);
    whatif_locindex_free(c->own_locindex);
    whatif_users_index_free(c->users);
    whatif_locconds_free(c->locconds);
    free(c->general);
    free(c->tmp);
    free(c->list);
    for (int p = 0; p < WHATIF_PARTS; p++)
        free(c->same[p]);
    free(c->table);
    free(c->set_data);
    free(c->set_off);
    free(c->set_hashes);
    free(c->enabled);
    free(c->applies);
    free(c);
}

static size_t set_number(struct whatif_compiled *c, const uint64_t *bits);

/* A copy of the pointers of a NULL-terminated list (NULL stays NULL). */
static const char *const *copy_list(const char ***into, size_t *cap, const char *const *list)
{
    if (!list)
        return NULL;
    size_t n = 0;
    while (list[n])
        n++;
    if (n + 1 > *cap) {
        *cap = (n + 1) * 2;
        *into = xrealloc(*into, *cap * sizeof(**into));
    }
    memcpy(*into, list, (n + 1) * sizeof(**into));
    return *into;
}

static void remember(struct recent *r, const struct whatif_signin *s, size_t row)
{
    r->s = *s;
    r->s.member_of = copy_list(&r->lists[0], &r->cap[0], s->member_of);
    r->s.roles = copy_list(&r->lists[1], &r->cap[1], s->roles);
    r->s.locations = copy_list(&r->lists[2], &r->cap[2], s->locations);
    r->row = row;
    r->used = true;
}

/* Evaluates part p for s into row: the users part from the hashed sets (whatif_part_eval for
 * the policies they leave to it), the others through whatif_part_eval with the location index. */
static int part_eval(struct whatif_compiled *c, enum whatif_part p, const struct whatif_signin *s,
                     uint64_t *row, char *err, size_t errlen)
{
    if (p == WHATIF_PART_LOCATION)
        return whatif_locconds_eval(c->locconds, c->in, c->locindex, s, c->same[p], row, err,
                                    errlen);
    if (p != WHATIF_PART_USERS)
        return whatif_part_eval(c->in, c->locindex, p, s, c->same[p], NULL, row, err, errlen);
    whatif_users_index_row(c->users, s, row, c->general);
    bool any = false;
    for (size_t w = 0; w < c->words && !any; w++)
        any = c->general[w] != 0;
    if (!any)
        return 0;
    if (whatif_part_eval(c->in, c->locindex, p, s, c->same[p], c->general, c->tmp, err, errlen) !=
        0)
        return -1;
    for (size_t w = 0; w < c->words; w++)
        row[w] |= c->tmp[w];
    return 0;
}

/* The row of part `p` for sign-in s: a recent sign-in with the same values, else by key
 * (evaluated on a miss). NULL when the sign-in is malformed. */
static const uint64_t *part_row(struct whatif_compiled *c, enum whatif_part p,
                                const struct whatif_signin *s, char *err, size_t errlen)
{
    struct part_memo *m = &c->parts[p];
    for (unsigned i = 0, k = m->hit; i < RECENT; i++, k = (k + 1) % RECENT) {
        if (!m->recent[k].used)
            break;
        if (whatif_part_same(p, s, &m->recent[k].s)) {
            m->hit = k;
            return m->rows + m->recent[k].row * c->words;
        }
    }
    strbuf_reset(&c->key);
    whatif_part_key(p, s, &c->key);
    const char *k = strbuf_str(&c->key);
    size_t row;
    if (!strmap_get(&m->keys, k, &row)) {
        if (m->nrows == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 16;
            m->rows = xrealloc(m->rows, m->cap * c->words * sizeof(uint64_t));
        }
        if (part_eval(c, p, s, m->rows + m->nrows * c->words, err, errlen) != 0)
            return NULL;
        row = m->nrows++;
        strmap_put(&m->keys, k, row);
    }
    m->hit = m->next;
    remember(&m->recent[m->next], s, row);
    m->next = (m->next + 1) % RECENT;
    return m->rows + row * c->words;
}

const uint64_t *whatif_compiled_part(struct whatif_compiled *c, int part,
                                     const struct whatif_signin *s, char *err, size_t errlen)
{
    if (part < 0 || part >= WHATIF_PARTS || whatif_signin_check(s, err, errlen) != 0)
        return NULL;
    return part_row(c, (enum whatif_part)part, s, err, errlen);
}

int whatif_compiled_part_into(struct whatif_compiled *c, int part, const struct whatif_signin *s,
                              uint64_t *row, char *err, size_t errlen)
{
    if (part < 0 || part >= WHATIF_PARTS || whatif_signin_check(s, err, errlen) != 0)
        return -1;
    return part_eval(c, (enum whatif_part)part, s, row, err, errlen);
}

size_t whatif_compiled_words(const struct whatif_compiled *c)
{
    return c->words;
}

/* whatif_signin_extras(s), from the application's part (the platform's own MFA) and the
 * client's (legacy client, device code flow), each remembered for the last values seen. */
static unsigned extras(struct whatif_compiled *c, const struct whatif_signin *s)
{
    struct extras_memo *x = extras_slot(c->x_app, s->app, s->service_principal);
    if (!x->used || x->a != s->app || x->b != s->service_principal) {
        struct whatif_signin t;
        memset(&t, 0, sizeof(t));
        t.app = x->a = s->app;
        t.service_principal = x->b = s->service_principal;
        x->bits = whatif_signin_extras(&t);
        x->used = true;
    }
    struct extras_memo *y = extras_slot(c->x_client, s->client_app, s->auth_flow);
    if (!y->used || y->a != s->client_app || y->b != s->auth_flow) {
        struct whatif_signin t;
        memset(&t, 0, sizeof(t));
        t.client_app = y->a = s->client_app;
        t.auth_flow = y->b = s->auth_flow;
        y->bits = whatif_signin_extras(&t);
        y->used = true;
    }
    return x->bits | y->bits;
}

long whatif_compiled_eval(struct whatif_compiled *c, const struct whatif_signin *s, char *err,
                          size_t errlen)
{
    if (whatif_signin_check(s, err, errlen) != 0)
        return -1;
    memcpy(c->applies, c->enabled, c->words * sizeof(uint64_t));
    for (int p = 0; p < WHATIF_PARTS; p++) {
        const uint64_t *row = part_row(c, (enum whatif_part)p, s, err, errlen);
        if (!row)
            return -1;
        for (size_t w = 0; w < c->words; w++)
            c->applies[w] &= row[w];
    }
    c->applies[c->words] = extras(c, s);
    c->signins++;
    return (long)set_number(c, c->applies);
}

long whatif_compiled_set(struct whatif_compiled *c, const uint64_t *rows, unsigned extras)
{
    for (size_t w = 0; w < c->words; w++)
        c->applies[w] = c->enabled[w] & rows[w];
    c->applies[c->words] = extras;
    c->signins++;
    return (long)set_number(c, c->applies);
}

/* A set's hash: its nonzero words with their places, then its extras — so that a set given by
 * the positions of its few bits (whatif_compiled_set_list) hashes without its zero words. */
#define SET_SEED  1469598103934665603ULL
#define SET_PRIME 1099511628211ULL

static uint64_t hash_word(uint64_t h, size_t w, uint64_t v)
{
    return (h ^ v ^ ((uint64_t)(w + 1) * 0x9E3779B97F4A7C15ULL)) * SET_PRIME;
}

static size_t hash_end(uint64_t h, unsigned extras)
{
    h = (h ^ extras) * SET_PRIME;
    return (size_t)(h ^ (h >> 29));
}

/* The hash of `bits` (kw words: the policies, then the extras). */
static size_t set_hash(const uint64_t *bits, size_t words)
{
    uint64_t h = SET_SEED;
    for (size_t w = 0; w < words; w++)
        if (bits[w])
            h = hash_word(h, w, bits[w]);
    return hash_end(h, (unsigned)bits[words]);
}

/* The same hash of the set whose bits are at pos[0..n) (ascending). */
static size_t list_hash(const uint32_t *pos, size_t n, unsigned extras)
{
    uint64_t h = SET_SEED;
    for (size_t i = 0; i < n;) {
        size_t w = pos[i] / 64;
        uint64_t v = 0;
        for (; i < n && pos[i] / 64 == w; i++)
            v |= 1ull << (pos[i] % 64);
        h = hash_word(h, w, v);
    }
    return hash_end(h, extras);
}

/* A set's form in set_data: SET_DENSE, its `words` words (each as two halves, the low one
 * first), then its extras; or, when that is shorter, the number of its policies, their numbers
 * in order, then its extras. Most sets hold a few of many policies. */
#define SET_DENSE UINT32_MAX

static size_t set_count(const uint64_t *bits, size_t words)
{
    size_t n = 0;
    for (size_t w = 0; w < words; w++)
        n += whatif_popcount64(bits[w]);
    return n;
}

/* The form a set of `count` policies takes: two halves of every word, or a number each. */
static bool set_dense(size_t count, size_t words)
{
    return count >= 2 * words;
}

/* Room for `need` more numbers in set_data. */
static uint32_t *set_room(struct whatif_compiled *c, size_t need)
{
    if (c->ndata + need > c->datacap) {
        c->datacap = c->datacap ? c->datacap * 2 : 256;
        while (c->datacap < c->ndata + need)
            c->datacap *= 2;
        c->set_data = xrealloc(c->set_data, c->datacap * sizeof(uint32_t));
    }
    return c->set_data + c->ndata;
}

/* Appends the form of `bits` (kw words: the policies, then the extras) to set_data. */
static void set_put(struct whatif_compiled *c, const uint64_t *bits)
{
    size_t n = set_count(bits, c->words);
    uint32_t *f = set_room(c, 2 + (set_dense(n, c->words) ? 2 * c->words : n));
    if (set_dense(n, c->words)) {
        *f++ = SET_DENSE;
        for (size_t w = 0; w < c->words; w++) {
            *f++ = (uint32_t)bits[w];
            *f++ = (uint32_t)(bits[w] >> 32);
        }
    } else {
        *f++ = (uint32_t)n;
        for (size_t w = 0; w < c->words; w++)
            for (uint64_t b = bits[w]; b; b &= b - 1)
                *f++ = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
    }
    *f++ = (uint32_t)bits[c->words];
    c->ndata = (size_t)(f - c->set_data);
}

/* Is set k the set `bits` (kw words)? */
static bool set_is(const struct whatif_compiled *c, size_t k, const uint64_t *bits)
{
    const uint32_t *f = c->set_data + c->set_off[k];
    if (*f == SET_DENSE) {
        f++;
        for (size_t w = 0; w < c->words; w++, f += 2)
            if (bits[w] != ((uint64_t)f[1] << 32 | f[0]))
                return false;
    } else { /* its numbers, one by one, against the bits in order */
        size_t n = *f++, i = 0;
        for (size_t w = 0; w < c->words; w++)
            for (uint64_t b = bits[w]; b; b &= b - 1, i++)
                if (i == n || f[i] != w * 64 + (size_t)__builtin_ctzll(b))
                    return false;
        if (i != n)
            return false;
        f += n;
    }
    return bits[c->words] == *f;
}

/* Is set k the set of the policies pos[0..n) (ascending, fewer than the dense form holds) with
 * these extras? A set stored dense has more policies. */
static bool set_is_list(const struct whatif_compiled *c, size_t k, const uint32_t *pos, size_t n,
                        unsigned extras)
{
    const uint32_t *f = c->set_data + c->set_off[k];
    return *f == n && memcmp(f + 1, pos, n * sizeof(uint32_t)) == 0 && f[1 + n] == extras;
}

/* The bits of set k into `bits` (kw words). */
static void set_bits_of(const struct whatif_compiled *c, size_t k, uint64_t *bits)
{
    const uint32_t *f = c->set_data + c->set_off[k];
    memset(bits, 0, c->kw * sizeof(uint64_t));
    if (*f == SET_DENSE) {
        f++;
        for (size_t w = 0; w < c->words; w++, f += 2)
            bits[w] = (uint64_t)f[1] << 32 | f[0];
    } else {
        size_t n = *f++;
        for (size_t i = 0; i < n; i++, f++)
            bits[*f / 64] |= 1ull << (*f % 64);
    }
    bits[c->words] = *f;
}

/* Room in the table for one more set (grown at half full). */
static void table_reserve(struct whatif_compiled *c)
{
    if ((c->nsets + 1) * 2 <= c->tcap)
        return;
    size_t cap = c->tcap ? c->tcap * 2 : 64;
    unsigned *t = xcalloc(cap, sizeof(*t));
    for (size_t i = 0; i < c->nsets; i++) {
        size_t j = c->set_hashes[i] & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = (unsigned)i + 1;
    }
    free(c->table);
    c->table = t;
    c->tcap = cap;
}

/* A new set's number, its form to be appended to set_data next, at slot j of the table. */
static size_t set_new(struct whatif_compiled *c, size_t h, size_t j)
{
    if (c->nsets == c->setcap) {
        c->setcap = c->setcap ? c->setcap * 2 : 16;
        c->set_off = xrealloc(c->set_off, c->setcap * sizeof(size_t));
        c->set_hashes = xrealloc(c->set_hashes, c->setcap * sizeof(size_t));
    }
    c->set_off[c->nsets] = c->ndata;
    c->set_hashes[c->nsets] = h;
    c->table[j] = (unsigned)c->nsets + 1;
    return c->nsets++;
}

/* The number of a set of policies (new ones get the next number). */
static size_t set_number(struct whatif_compiled *c, const uint64_t *bits)
{
    table_reserve(c);
    size_t h = set_hash(bits, c->words), j = h & (c->tcap - 1);
    for (; c->table[j]; j = (j + 1) & (c->tcap - 1)) {
        size_t k = c->table[j] - 1; /* the full hash first: a set's form only when it may match */
        if (c->set_hashes[k] == h && set_is(c, k, bits))
            return k;
    }
    size_t k = set_new(c, h, j);
    set_put(c, bits);
    return k;
}

/* set_number of the set of the policies pos[0..n) (ascending, fewer than the dense form
 * holds) with these extras: its form is the list itself. */
static size_t set_number_list(struct whatif_compiled *c, const uint32_t *pos, size_t n,
                              unsigned extras)
{
    table_reserve(c);
    size_t h = list_hash(pos, n, extras), j = h & (c->tcap - 1);
    for (; c->table[j]; j = (j + 1) & (c->tcap - 1)) {
        size_t k = c->table[j] - 1;
        if (c->set_hashes[k] == h && set_is_list(c, k, pos, n, extras))
            return k;
    }
    size_t k = set_new(c, h, j);
    uint32_t *f = set_room(c, n + 2);
    *f++ = (uint32_t)n;
    memcpy(f, pos, n * sizeof(uint32_t));
    f[n] = extras;
    c->ndata += n + 2;
    return k;
}

long whatif_compiled_set_list(struct whatif_compiled *c, const uint32_t *pos, size_t n,
                              unsigned extras)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) /* the enabled ones, as whatif_compiled_set ANDs them */
        if ((c->enabled[pos[i] / 64] >> (pos[i] % 64)) & 1)
            c->list[m++] = pos[i];
    c->signins++;
    if (!set_dense(m, c->words))
        return (long)set_number_list(c, c->list, m, extras);
    memset(c->applies, 0, c->words * sizeof(uint64_t));
    for (size_t i = 0; i < m; i++)
        c->applies[c->list[i] / 64] |= 1ull << (c->list[i] % 64);
    c->applies[c->words] = extras;
    return (long)set_number(c, c->applies);
}

/* Policy i's entry of a result: its name, state, and whether (and what) it applies. */
static void result_put(const struct whatif_compiled *c, size_t i, bool applies,
                       struct whatif_result *out)
{
    const json_t *p = json_array_get(c->in->policies, i);
    struct whatif_policy_result *pr = &out->policies[out->n++];
    pr->policy = p;
    pr->name = json_string_value(whatif_jget(p, "displayName"));
    if (!pr->name)
        pr->name = "(unnamed)";
    pr->state = whatif_policy_state(p);
    pr->applies = applies;
    if (pr->applies) /* only applying policies count in the combination */
        whatif_policy_grant(c->in, p, pr);
}

/* The result of a set: every policy (all), or only the applying ones (read off its bits). */
static void result_of(const struct whatif_compiled *c, size_t set, bool all,
                      struct whatif_result *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t *bits = NULL;
    if (set < c->nsets) {
        bits = xcalloc(c->kw, sizeof(uint64_t));
        set_bits_of(c, set, bits);
    }
    size_t n = all ? c->npolicies : bits ? set_count(bits, c->words) : 0;
    out->policies = xcalloc(n + 2, sizeof(*out->policies));
    if (all) {
        for (size_t i = 0; i < c->npolicies; i++)
            result_put(c, i, bits && ((bits[i / 64] >> (i % 64)) & 1), out);
    } else {
        for (size_t w = 0; bits && w < c->words; w++)
            for (uint64_t b = bits[w]; b; b &= b - 1)
                result_put(c, w * 64 + (size_t)__builtin_ctzll(b), true, out);
    }
    whatif_finish(out, bits ? (unsigned)bits[c->words] : 0);
    free(bits);
}

void whatif_compiled_result(const struct whatif_compiled *c, size_t set, struct whatif_result *out)
{
    result_of(c, set, true, out);
}

void whatif_compiled_outcome(const struct whatif_compiled *c, size_t set, struct whatif_result *out)
{
    result_of(c, set, false, out);
}

size_t whatif_compiled_signins(const struct whatif_compiled *c)
{
    return c->signins;
}

size_t whatif_compiled_policies(const struct whatif_compiled *c)
{
    return c->npolicies;
}
