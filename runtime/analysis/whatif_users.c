/* whatif_users.c — the users part of many policies as hashed sets (whatif_users_index in
 * whatif_int.h). The rules are users_side and check_users in whatif.c ("Users" in
 * docs/whatif.md); this file answers them for a new user from the keys the user carries instead
 * of reading every policy's lists, and hands whatif_part_eval what it does not index (workload
 * sign-ins, and guests against policies with includeGuestsOrExternalUsers or
 * excludeGuestsOrExternalUsers). tests/unit/test_whatif_compiled.c compares the two. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/strmap.h"
#include "runtime/analysis/whatif_int.h"

enum {
    KEY_USER,
    KEY_GROUP,
    KEY_ROLE,
    KEYS
};

/* An entry of a key's posting, while the index is built: policy * 2 + (1 when on the exclude
 * side). */
struct pair {
    uint32_t post, entry;
};

struct whatif_users_index {
    size_t npolicies, words;
    const size_t *same;
    /* case-insensitive key (the policies' own string, borrowed) -> posting number */
    struct strmap keys[KEYS];
    /* the postings one after another: posting k is ent[start[k] .. start[k + 1]) */
    uint32_t *start, *ent;
    size_t npost;
    struct pair *pairs; /* while building */
    size_t npairs, paircap;
    uint64_t *all;         /* includeUsers has "All" */
    uint64_t *guest_kw[2]; /* include/excludeUsers has "GuestsOrExternalUsers" */
    uint64_t *guest_obj;   /* include or excludeGuestsOrExternalUsers is an object */
    uint64_t *workload;    /* targets workload identities */
    /* per indexed policy r, the policies whose answer is r's (same[i] == r, r among them):
     * copy[copy_at[r] .. copy_at[r + 1]); NULL without `same` */
    uint32_t *copy_at, *copy;
};

static void set_bit(uint64_t *b, size_t i)
{
    b[i / 64] |= 1ull << (i % 64);
}

static void add(struct whatif_users_index *x, int kind, const char *key, size_t policy, int side)
{
    size_t k = strmap_put_first(&x->keys[kind], key, x->npost);
    if (k == x->npost)
        x->npost++;
    if (x->npairs == x->paircap) {
        x->paircap = x->paircap ? x->paircap * 2 : 64;
        x->pairs = xrealloc(x->pairs, x->paircap * sizeof(*x->pairs));
    }
    x->pairs[x->npairs++] = (struct pair){(uint32_t)k, (uint32_t)(policy * 2 + (size_t)side)};
}

/* The pairs into postings, each in the order its entries came (a counting sort). */
static void build_postings(struct whatif_users_index *x)
{
    x->start = xcalloc(x->npost + 2, sizeof(uint32_t));
    x->ent = xcalloc(x->npairs + 1, sizeof(uint32_t));
    for (size_t i = 0; i < x->npairs; i++)
        x->start[x->pairs[i].post + 2]++;
    for (size_t k = 0; k < x->npost; k++)
        x->start[k + 2] += x->start[k + 1];
    for (size_t i = 0; i < x->npairs; i++) /* start[k + 1]: where posting k's next entry goes */
        x->ent[x->start[x->pairs[i].post + 1]++] = x->pairs[i].entry;
    free(x->pairs);
    x->pairs = NULL;
    x->npairs = x->paircap = 0;
}

/* Indexes one policy's users condition, as users_side reads it. */
static void index_policy(struct whatif_users_index *x, const json_t *cond, size_t i)
{
    if (whatif_workload_policy(cond)) {
        set_bit(x->workload, i);
        return;
    }
    static const char *const keys[] = {
        "includeUsers", "includeGroups", "includeRoles", "includeGuestsOrExternalUsers",
        "excludeUsers", "excludeGroups", "excludeRoles", "excludeGuestsOrExternalUsers"};
    const json_t *v8[8]; /* each side's users, groups, roles and guests, in one pass */
    whatif_jget_many(whatif_jget(cond, "users"), keys, 8, v8);
    for (int side = 0; side < 2; side++) {
        const json_t *const *l = v8 + 4 * side;
        size_t j;
        const json_t *v;
        json_array_foreach(l[0], j, v)
        {
            const char *k = whatif_item_key(v);
            if (!k || whatif_eq(k, "None"))
                continue;
            if (side == 0 && whatif_eq(k, "All"))
                set_bit(x->all, i);
            if (whatif_eq(k, "GuestsOrExternalUsers"))
                set_bit(x->guest_kw[side], i);
            add(x, KEY_USER, k, i, side);
        }
        for (int kind = KEY_GROUP; kind <= KEY_ROLE; kind++)
            json_array_foreach(l[kind], j, v)
            {
                const char *k = whatif_item_key(v);
                if (k)
                    add(x, kind, k, i, side);
            }
        if (json_is_object(l[3]))
            set_bit(x->guest_obj, i);
    }
}

struct whatif_users_index *whatif_users_index_new(const json_t *policies, const size_t *same)
{
    struct whatif_users_index *x = xcalloc(1, sizeof(*x));
    x->npolicies = json_array_size(policies);
    x->words = (x->npolicies + 63) / 64 ? (x->npolicies + 63) / 64 : 1;
    x->same = same;
    for (int k = 0; k < KEYS; k++)
        strmap_init_borrowed(&x->keys[k], true);
    x->all = xcalloc(x->words, sizeof(uint64_t));
    x->guest_kw[0] = xcalloc(x->words, sizeof(uint64_t));
    x->guest_kw[1] = xcalloc(x->words, sizeof(uint64_t));
    x->guest_obj = xcalloc(x->words, sizeof(uint64_t));
    x->workload = xcalloc(x->words, sizeof(uint64_t));
    for (size_t i = 0; i < x->npolicies; i++) {
        if (same && same[i] < i) /* equal conditions: the earlier policy's answer */
            continue;
        index_policy(x, whatif_jget(json_array_get(policies, i), "conditions"), i);
    }
    build_postings(x);
    if (same) { /* the copies of each policy, in order (a counting sort) */
        x->copy_at = xcalloc(x->npolicies + 2, sizeof(uint32_t));
        x->copy = xcalloc(x->npolicies + 1, sizeof(uint32_t));
        for (size_t i = 0; i < x->npolicies; i++)
            x->copy_at[same[i] + 2]++;
        for (size_t r = 0; r < x->npolicies; r++)
            x->copy_at[r + 2] += x->copy_at[r + 1];
        for (size_t i = 0; i < x->npolicies; i++)
            x->copy[x->copy_at[same[i] + 1]++] = (uint32_t)i;
    }
    return x;
}

void whatif_users_index_free(struct whatif_users_index *x)
{
    if (!x)
        return;
    for (int k = 0; k < KEYS; k++)
        strmap_fini(&x->keys[k]);
    free(x->start);
    free(x->ent);
    free(x->all);
    free(x->guest_kw[0]);
    free(x->guest_kw[1]);
    free(x->guest_obj);
    free(x->workload);
    free(x->copy_at);
    free(x->copy);
    free(x);
}

/* Marks the policies that list `key` (of kind `kind`) in inc or exc. */
static void mark(const struct whatif_users_index *x, int kind, const char *key, uint64_t *side[2])
{
    size_t k;
    if (!key || !strmap_get(&x->keys[kind], key, &k))
        return;
    for (size_t j = x->start[k]; j < x->start[k + 1]; j++)
        set_bit(side[x->ent[j] & 1], x->ent[j] >> 1);
}

/* Sets the bits of policy r's copies (r's answer is theirs). */
static void spread(const struct whatif_users_index *x, size_t r, uint64_t *bits)
{
    for (size_t j = x->copy_at[r]; j < x->copy_at[r + 1]; j++)
        set_bit(bits, x->copy[j]);
}

void whatif_users_index_row(const struct whatif_users_index *x, const struct whatif_signin *s,
                            uint64_t *ok, uint64_t *general)
{
    size_t w = x->words;
    memset(ok, 0, w * sizeof(uint64_t));
    memset(general, 0, w * sizeof(uint64_t));
    if (s->service_principal) { /* workload sign-ins: check_users reads the policies itself */
        for (size_t i = 0; i < x->npolicies; i++)
            set_bit(general, i);
        return;
    }
    uint64_t *inc = xcalloc(2 * w, sizeof(uint64_t)), *exc = inc + w;
    uint64_t *side[2] = {inc, exc};
    for (size_t i = 0; i < w; i++) {
        inc[i] = x->all[i] | (s->guest_type ? x->guest_kw[0][i] : 0);
        exc[i] = s->guest_type ? x->guest_kw[1][i] : 0;
    }
    mark(x, KEY_USER, s->user, side);
    mark(x, KEY_USER, s->user_id, side);
    for (size_t i = 0; s->member_of && s->member_of[i]; i++)
        mark(x, KEY_GROUP, s->member_of[i], side);
    const char **roles = whatif_role_keys(s);
    for (size_t i = 0; roles[i]; i++)
        mark(x, KEY_ROLE, roles[i], side);
    free(roles);
    /* the indexed policies' answers, word by word, then each one's copies */
    for (size_t i = 0; i < w; i++) {
        uint64_t guest = s->guest_type ? x->guest_obj[i] : 0; /* guests_match reads the lists */
        uint64_t yes = inc[i] & ~exc[i] & ~x->workload[i] & ~guest;
        if (!x->copy) {
            ok[i] = yes;
            general[i] = guest;
            continue;
        }
        for (uint64_t b = yes; b; b &= b - 1)
            spread(x, i * 64 + (size_t)__builtin_ctzll(b), ok);
        for (uint64_t b = guest; b; b &= b - 1)
            spread(x, i * 64 + (size_t)__builtin_ctzll(b), general);
    }
    free(inc);
}
