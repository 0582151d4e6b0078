/* impact.c — a plan's impact (impact.h): the scenarios of coverage's matrix, plus risk levels,
 * evaluated against the policies before and after the plan with two compiled evaluators; the
 * changed ones merged into rows. docs/plan-format.md, "impact". */
#include "runtime/analysis/impact.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/strmap.h"
#include "compiler/util.h"
#include "runtime/analysis/coverage.h"
#include "runtime/analysis/impact_int.h"
#include "runtime/analysis/whatif_compiled.h"
#include "runtime/analysis/whatif_int.h"

const char *impact_severity_name(enum impact_severity s)
{
    static const char *const n[] = {"blocked", "unprotected", "weaker", "stronger", "changed"};
    return (unsigned)s < IMPACT__SEVERITIES ? n[s] : "?";
}

static bool is_gap(int k)
{
    return k == COVERAGE_WEAK || k == COVERAGE_ALLOW;
}

enum impact_severity impact_severity_of(int before_class, int after_class)
{
    if (after_class == COVERAGE_BLOCK && before_class != COVERAGE_BLOCK)
        return IMPACT_BLOCKED;
    if (is_gap(after_class) && !is_gap(before_class))
        return IMPACT_UNPROTECTED;
    if (after_class > before_class)
        return IMPACT_WEAKER;
    if (after_class < before_class)
        return IMPACT_STRONGER;
    return IMPACT_CHANGED;
}

/* ---------------------------------------------------------------------------------------- */
/* Words                                                                                     */

static bool bit(const uint64_t *set, size_t i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

/* The bits of word w that stand for values below n. */
static uint64_t mask_of(size_t w, size_t n)
{
    size_t left = n - w * 64;
    return left >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << left) - 1;
}

/* Word w of a set of n values, without bits past n. */
static uint64_t word_of(const uint64_t *set, size_t w, size_t n)
{
    return set[w] & mask_of(w, n);
}

static size_t count_bits(const uint64_t *set, size_t n)
{
    size_t k = 0;
    for (size_t w = 0; w * 64 < n; w++)
        k += whatif_popcount64(word_of(set, w, n));
    return k;
}

/* "a, b and c"; at most `max` names, then "and N more". */
static void list_labels(struct strbuf *sb, const char *const *labels, const uint64_t *set, size_t n,
                        size_t max)
{
    size_t total = count_bits(set, n), shown = 0;
    for (size_t w = 0; w * 64 < n; w++)
        for (uint64_t b = word_of(set, w, n); b; b &= b - 1) {
            if (shown == max) {
                strbuf_addf(sb, " and %zu more", total - shown);
                return;
            }
            if (shown)
                strbuf_adds(sb, shown + 1 == total ? " and " : ", ");
            strbuf_adds(sb, labels[w * 64 + (size_t)__builtin_ctzll(b)]);
            shown++;
        }
}

/* A dimension's set: `any` when it holds every value, "ANY but X" (or "BUT X") when one or two
 * are missing, else the values. */
static void set_text(struct strbuf *sb, const char *any, const char *but, const char *const *labels,
                     const uint64_t *set, size_t n, size_t max)
{
    size_t k = count_bits(set, n);
    if (k == n) {
        strbuf_adds(sb, any);
        return;
    }
    if (n >= 4 && n - k <= 2 && k > n - k) {
        uint64_t *inv = xcalloc((n + 63) / 64, sizeof(uint64_t));
        for (size_t w = 0; w * 64 < n; w++)
            inv[w] = ~set[w] & mask_of(w, n);
        if (but)
            strbuf_adds(sb, but);
        else
            strbuf_addf(sb, "%s but ", any);
        list_labels(sb, labels, inv, n, max);
        free(inv);
        return;
    }
    list_labels(sb, labels, set, n, max);
}

static void location_text(struct strbuf *sb, const struct coverage *c, const char *const *labels,
                          const uint64_t *set)
{
    size_t n = c->nlocations, in_trusted = 0, in_untrusted = 0, trusted = 0;
    for (size_t i = 0; i < n; i++) {
        trusted += c->locations[i].trusted;
        if (bit(set, i) && c->locations[i].trusted)
            in_trusted++;
        else if (bit(set, i))
            in_untrusted++;
    }
    if (trusted && trusted < n && in_untrusted == n - trusted && in_trusted == 0) {
        strbuf_adds(sb, "outside trusted locations");
        return;
    }
    if (trusted && trusted < n && in_trusted == trusted && in_untrusted == 0) {
        strbuf_adds(sb, "in trusted locations");
        return;
    }
    set_text(sb, "any location", "outside ", labels, set, n, 4);
}

/* The apps: every application (not user actions and authentication contexts) is "any app". */
static void app_text(struct strbuf *sb, const struct coverage *c, const char *const *labels,
                     const uint64_t *set)
{
    size_t napps = 0, in_apps = 0, others = 0;
    for (size_t i = 0; i < c->napps; i++) {
        if (c->apps[i].target == 0) {
            napps++;
            in_apps += bit(set, i);
        } else {
            others += bit(set, i);
        }
    }
    if (in_apps < napps && !others) { /* applications only: "any app but Admin portals" */
        set_text(sb, "any app", NULL, labels, set, napps, 4);
        return;
    }
    if (in_apps < napps || napps == c->napps) {
        set_text(sb, "any app", NULL, labels, set, c->napps, 4);
        return;
    }
    strbuf_adds(sb, "any app");
    for (size_t i = 0; i < c->napps; i++)
        if (c->apps[i].target != 0 && bit(set, i))
            strbuf_addf(sb, ", %s", labels[i]);
}

#define NRISKS 7
static const char *const risk_labels[NRISKS] = {
    "no risk",       "sign-in risk low", "sign-in risk medium", "sign-in risk high",
    "user risk low", "user risk medium", "user risk high"};

static void risk_text(struct strbuf *sb, const uint64_t *set, size_t n)
{
    static const char *const lv[] = {"low", "medium", "high"};
    size_t k = count_bits(set, n);
    if (n == NRISKS && k > n - k && bit(set, 0)) {
        uint64_t inv = 0;
        for (size_t i = 0; i < n; i++)
            if (!bit(set, i))
                inv |= (uint64_t)1 << i;
        strbuf_adds(sb, "any risk but ");
        risk_text(sb, &inv, n);
        return;
    }
    bool first = true;
    if (bit(set, 0)) {
        strbuf_adds(sb, "no risk");
        first = false;
    }
    for (size_t kind = 0; kind < 2 && n > 1; kind++) {
        bool any = false;
        for (size_t i = 0; i < 3; i++) {
            if (!bit(set, 1 + kind * 3 + i))
                continue;
            if (!any)
                strbuf_addf(sb, "%s%s risk ", first ? "" : " or ", kind ? "user" : "sign-in");
            else
                strbuf_adds(sb, ", ");
            strbuf_adds(sb, lv[i]);
            any = true;
            first = false;
        }
    }
}

static void client_text(struct strbuf *sb, const char *const *labels, const uint64_t *set, size_t n)
{
    /* coverage's clients: browser, mobile/desktop, ActiveSync, other legacy */
    if (n == 4 && !bit(set, 0) && !bit(set, 1) && bit(set, 2) && bit(set, 3))
        strbuf_adds(sb, "legacy clients");
    else if (n == 4 && bit(set, 0) && bit(set, 1) && !bit(set, 2) && !bit(set, 3))
        strbuf_adds(sb, "modern clients");
    else
        set_text(sb, "any client", NULL, labels, set, n, 4);
}

/* An outcome label of coverage in a row's words: "MFA", "blocked", "strength \"X\" + ...". */
static char *outcome_words(const char *label)
{
    struct strbuf sb = STRBUF_INIT;
    while (*label) {
        const char *end = strstr(label, " + ");
        size_t n = end ? (size_t)(end - label) : strlen(label);
        char *part = xasprintf("%.*s", (int)n, label);
        if (strcmp(part, "block") == 0)
            strbuf_adds(&sb, "blocked");
        else if (strcmp(part, "mfa") == 0)
            strbuf_adds(&sb, "MFA");
        else if (strncmp(part, "authenticationStrength:", 23) == 0)
            strbuf_addf(&sb, "strength \"%s\"", part + 23);
        else
            strbuf_adds(&sb, part);
        free(part);
        label += n;
        if (end) {
            strbuf_adds(&sb, " + ");
            label += 3;
        }
    }
    return strbuf_detach(&sb);
}

/* "CA012" for "CA012: Require ...": a short prefix with a digit before ": ", else the whole name
 * in quotes. */
static char *short_name(const char *name)
{
    const char *colon = strstr(name, ": ");
    size_t n = colon ? (size_t)(colon - name) : 0;
    if (n && n <= 12 && !memchr(name, ' ', n) && strcspn(name, "0123456789") < n)
        return xasprintf("%.*s", (int)n, name);
    return xasprintf("\"%s\"", name);
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluating                                                                                */

struct change {
    unsigned before, after; /* outcome indexes in the coverage */
    json_t *policies;       /* [{"name", "change"}] */
    char *because;          /* "new CA012, CA003 deleted" */
};

struct ctx {
    const struct whatif_inputs *in[2];
    struct whatif_compiled *wc[2];
    struct coverage *c;
    unsigned *outcome[2]; /* per set number: outcome index, UINT_MAX until known */
    size_t noutcome[2];
    struct strmap byid[2]; /* policy id -> index in in[k]->policies */
    struct strmap pairs;   /* "sb,sa" -> change number */
    struct strmap keys;    /* "before/after/because" -> change number */
    struct change *changes;
    size_t nchanges;
};

/* The outcome of set number `set` on one side. Its result is built, classified and freed: the
 * few pairs of sets that change are built again for their causes (change_of), so memory is one
 * number per set, not a result of every policy per set. */
static unsigned outcome_of(struct ctx *x, int side, size_t set)
{
    if (set >= x->noutcome[side]) {
        size_t n = (set + 1) * 2;
        x->outcome[side] = xrealloc(x->outcome[side], n * sizeof(unsigned));
        for (size_t i = x->noutcome[side]; i < n; i++)
            x->outcome[side][i] = UINT_MAX;
        x->noutcome[side] = n;
    }
    if (x->outcome[side][set] == UINT_MAX) {
        struct whatif_result r;
        whatif_compiled_outcome(x->wc[side], set, &r);
        x->outcome[side][set] = coverage_outcome(x->c, &r);
        whatif_result_free(&r);
    }
    return x->outcome[side][set];
}

static const json_t *policy_by_id(const struct ctx *x, int side, const char *id)
{
    size_t i;
    if (!id || !strmap_get(&x->byid[side], id, &i))
        return NULL;
    return json_array_get(x->in[side]->policies, i);
}

static const char *state_of(const json_t *p)
{
    return json_string_value(whatif_jget(p, "state"));
}

static bool applies_in(const struct whatif_result *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->policies[i].platform && r->policies[i].applies &&
            whatif_eq(json_string_value(whatif_jget(r->policies[i].policy, "id")), id))
            return true;
    return false;
}

/* Why a policy is among the causes: its change between the two sides, in words. */
static const char *what_changed(const struct ctx *x, int side, const json_t *policy,
                                const struct whatif_result *other_r)
{
    const char *id = json_string_value(whatif_jget(policy, "id"));
    const json_t *other = policy_by_id(x, !side, id);
    bool both = applies_in(other_r, id);
    bool same = other && json_equal(whatif_mut(other), whatif_mut(policy));
    if (both && same)
        return NULL;
    if (!other)
        return side ? "new" : "deleted";
    if (!same && !whatif_eq(state_of(other), state_of(policy)))
        return side                                     ? "turned on"
               : whatif_eq(state_of(other), "disabled") ? "turned off"
                                                        : "report-only";
    if (!same)
        return "changed";
    return side ? "applies" : "no longer applies";
}

/* A policy's grant requirement in one string: "AND:mfa,compliantDevice" ("" when it blocks). */
static char *grant_key(const struct whatif_policy_result *pr)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, pr->block ? "block" : pr->op == WHATIF_OR ? "OR:" : "AND:");
    for (size_t i = 0; !pr->block && i < pr->ncontrols; i++)
        strbuf_addf(&sb, "%s,", pr->controls[i].text);
    return strbuf_detach(&sb);
}

struct cause {
    int side;
    const struct whatif_policy_result *pr;
    const char *what;
    char *grant;
    bool dropped;
};

/* The policies that make the difference between the before and after results: enabled policies
 * with a grant control that apply on one side only, or on both but changed. When the change is
 * a block (or the end of one), the blocking policies alone; otherwise a policy that goes and one
 * that comes with the very same grant (a rename, a replacement) explain nothing and are left
 * out. */
static void causes(struct ctx *x, const struct whatif_result *rb, const struct whatif_result *ra,
                   json_t *out, struct strbuf *because)
{
    const struct whatif_result *r[2] = {rb, ra};
    int block_side = ra->grant == WHATIF_BLOCK && rb->grant != WHATIF_BLOCK   ? 1
                     : rb->grant == WHATIF_BLOCK && ra->grant != WHATIF_BLOCK ? 0
                                                                              : -1;
    struct cause *v = xcalloc(rb->n + ra->n + 1, sizeof(*v));
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        json_t *done = json_object();
        for (int side = 1; side >= 0; side--) {
            for (size_t i = 0; i < r[side]->n; i++) {
                const struct whatif_policy_result *pr = &r[side]->policies[i];
                const char *id = json_string_value(whatif_jget(pr->policy, "id"));
                if (pr->platform || !pr->applies || !id || json_object_get(done, id) ||
                    (!pr->block && !pr->ncontrols))
                    continue;
                if (pass == 0 && block_side >= 0 && (side != block_side || !pr->block))
                    continue;
                const char *what = what_changed(x, side, pr->policy, r[!side]);
                if (!what)
                    continue;
                json_object_set_new(done, id, json_true());
                v[n++] = (struct cause){side, pr, what, grant_key(pr), false};
            }
        }
        json_decref(done);
        if (block_side < 0)
            break; /* else, with no blocking policy changed (the client decides): everything */
    }
    for (size_t i = 0; block_side < 0 && i < n; i++)
        for (size_t j = 0; j < n && !v[i].dropped; j++)
            if (!v[j].dropped && v[i].side != v[j].side && strcmp(v[i].grant, v[j].grant) == 0)
                v[i].dropped = v[j].dropped = true;
    for (size_t i = 0; i < n; i++) {
        if (!v[i].dropped) {
            json_array_append_new(
                out, json_pack("{s:s,s:s}", "name", v[i].pr->name, "change", v[i].what));
            char *sn = short_name(v[i].pr->name);
            if (because->len)
                strbuf_adds(because, ", ");
            if (strcmp(v[i].what, "new") == 0)
                strbuf_addf(because, "new %s", sn);
            else if (strcmp(v[i].what, "applies") == 0)
                strbuf_adds(because, sn);
            else
                strbuf_addf(because, "%s %s", sn, v[i].what);
            free(sn);
        }
        free(v[i].grant);
    }
    free(v);
}

/* The change number of the pair of sets (sb before, sa after), or UINT_MAX when the outcome is
 * the same. */
static unsigned change_of(struct ctx *x, size_t sb, size_t sa)
{
    unsigned ob = outcome_of(x, 0, sb), oa = outcome_of(x, 1, sa);
    if (ob == oa)
        return UINT_MAX;
    char pk[64];
    snprintf(pk, sizeof(pk), "%zu,%zu", sb, sa);
    size_t k;
    if (strmap_get(&x->pairs, pk, &k))
        return (unsigned)k;
    json_t *pol = json_array();
    struct strbuf because = STRBUF_INIT;
    struct whatif_result rb, ra;
    whatif_compiled_outcome(x->wc[0], sb, &rb); /* causes read the applying policies only */
    whatif_compiled_outcome(x->wc[1], sa, &ra);
    causes(x, &rb, &ra, pol, &because);
    whatif_result_free(&rb);
    whatif_result_free(&ra);
    char *key = xasprintf("%u/%u/%s", ob, oa, strbuf_str(&because));
    if (strmap_get(&x->keys, key, &k)) {
        json_decref(pol);
        strbuf_fini(&because);
    } else {
        k = x->nchanges;
        x->changes = xrealloc(x->changes, (k + 1) * sizeof(*x->changes));
        x->changes[k] = (struct change){ob, oa, pol, strbuf_detach(&because)};
        x->nchanges++;
        strmap_put(&x->keys, key, k);
    }
    free(key);
    strmap_put(&x->pairs, pk, k);
    return (unsigned)k;
}

static void index_ids(struct strmap *m, const json_t *policies)
{
    strmap_init_borrowed(m, true); /* the policies' own ids: they outlive the map */
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const char *id = json_string_value(whatif_jget(p, "id"));
        if (id)
            (void)strmap_put_first(m, id, i);
    }
}

static bool has_risk(const json_t *policies)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const json_t *cnd = whatif_jget(p, "conditions");
        if (json_array_size(whatif_jget(cnd, "signInRiskLevels")) ||
            json_array_size(whatif_jget(cnd, "userRiskLevels")))
            return true;
    }
    return false;
}

static size_t enabled_count(const json_t *policies)
{
    size_t n = 0, i;
    const json_t *p;
    json_array_foreach(policies, i, p) n += whatif_eq(state_of(p), "enabled");
    return n;
}

struct sorted {
    size_t row;
    enum impact_severity sev;
    size_t scenarios;
};

static int cmp_sorted(const void *a, const void *b)
{
    const struct sorted *x = a, *y = b;
    if (x->sev != y->sev)
        return x->sev < y->sev ? -1 : 1;
    if (x->scenarios != y->scenarios)
        return x->scenarios > y->scenarios ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static json_t *row_json(struct ctx *x, const struct impact_row *r, const size_t size[],
                        const char *const *labels[], enum impact_severity sev)
{
    const struct coverage *c = x->c;
    const struct change *ch = &x->changes[r->change];
    struct strbuf dim[IMPACT__DIMS];
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        strbuf_init(&dim[d]);
    set_text(&dim[IMPACT_PERSONA], "everyone", "everyone but ", labels[IMPACT_PERSONA],
             r->set[IMPACT_PERSONA], size[IMPACT_PERSONA], 3);
    app_text(&dim[IMPACT_APP], c, labels[IMPACT_APP], r->set[IMPACT_APP]);
    set_text(&dim[IMPACT_PLATFORM], "any platform", NULL, labels[IMPACT_PLATFORM],
             r->set[IMPACT_PLATFORM], size[IMPACT_PLATFORM], 4);
    location_text(&dim[IMPACT_LOCATION], c, labels[IMPACT_LOCATION], r->set[IMPACT_LOCATION]);
    bool all_clients =
        count_bits(r->set[IMPACT_CLIENT], size[IMPACT_CLIENT]) == size[IMPACT_CLIENT];
    bool all_risks = count_bits(r->set[IMPACT_RISK], size[IMPACT_RISK]) == size[IMPACT_RISK];
    if (!all_clients)
        client_text(&dim[IMPACT_CLIENT], labels[IMPACT_CLIENT], r->set[IMPACT_CLIENT],
                    size[IMPACT_CLIENT]);
    if (!all_risks)
        risk_text(&dim[IMPACT_RISK], r->set[IMPACT_RISK], size[IMPACT_RISK]);
    char *before = outcome_words(c->outcomes[ch->before].label);
    char *after = outcome_words(c->outcomes[ch->after].label);
    struct strbuf text = STRBUF_INIT;
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        if (!dim[d].len)
            continue;
        if (text.len)
            strbuf_adds(&text, " · ");
        strbuf_adds(&text, strbuf_str(&dim[d]));
    }
    strbuf_addf(&text, ": %s → %s", before, after);
    if (*ch->because)
        strbuf_addf(&text, " (%s)", ch->because);
    json_t *j =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "severity", impact_severity_name(sev), "text",
                  strbuf_str(&text), "who", strbuf_str(&dim[IMPACT_PERSONA]), "app",
                  strbuf_str(&dim[IMPACT_APP]), "platform", strbuf_str(&dim[IMPACT_PLATFORM]),
                  "location", strbuf_str(&dim[IMPACT_LOCATION]));
    if (!all_clients)
        json_object_set_new(j, "client", json_string(strbuf_str(&dim[IMPACT_CLIENT])));
    if (!all_risks)
        json_object_set_new(j, "risk", json_string(strbuf_str(&dim[IMPACT_RISK])));
    json_object_set_new(j, "before", json_string(before));
    json_object_set_new(j, "after", json_string(after));
    json_object_set(j, "policies", ch->policies);
    json_object_set_new(j, "scenarios", json_integer((json_int_t)r->scenarios));
    strbuf_fini(&text);
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        strbuf_fini(&dim[d]);
    free(before);
    free(after);
    return j;
}

static const char *const risk_levels[] = {"low", "medium", "high"};

/* The sign-in of a scenario: values at[d] on each dimension. */
static void scenario(const struct coverage *c, const size_t at[IMPACT__DIMS], const char *locs[3],
                     struct whatif_signin *s)
{
    coverage_signin(c, at[IMPACT_PERSONA], at[IMPACT_APP], at[IMPACT_LOCATION], at[IMPACT_PLATFORM],
                    at[IMPACT_CLIENT], locs, s);
    size_t rk = at[IMPACT_RISK];
    s->sign_in_risk = rk >= 1 && rk <= 3 ? risk_levels[rk - 1] : NULL;
    s->user_risk = rk >= 4 ? risk_levels[rk - 4] : NULL;
}

/* A part row in its narrowest form, as uint32s: ROW_DENSE then its words (each as two halves,
 * the low one first), or, when that is shorter, the number of its bits then their positions in
 * order. A persona's users row holds the few policies that name it; an app's, most policies. */
#define ROW_DENSE UINT32_MAX

static size_t form_len(const uint32_t *f, size_t words)
{
    return 1 + (*f == ROW_DENSE ? 2 * words : *f);
}

/* dst = src AND the row of form f (words each). */
static void form_and(uint64_t *dst, const uint64_t *src, const uint32_t *f, size_t words)
{
    if (*f == ROW_DENSE) {
        f++;
        for (size_t w = 0; w < words; w++, f += 2)
            dst[w] = src[w] & ((uint64_t)f[1] << 32 | f[0]);
        return;
    }
    size_t n = *f++;
    memset(dst, 0, words * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++, f++)
        dst[*f / 64] |= src[*f / 64] & (uint64_t)1 << (*f % 64);
}

/* One side's sets of policies while the tuples of classes are enumerated: level l is the fixed
 * parts AND the rows of the classes of dimensions 0..l-1, each level a row of words or, once a
 * sparse row (a persona's few policies) took part, the ascending positions of its bits, at most
 * 2 * words of them (a sparse form holds fewer). Lists cost the bits they hold, not the words. */
struct level {
    size_t words;
    uint64_t *dense;               /* IMPACT__DIMS + 1 rows of `words` */
    uint32_t *list;                /* IMPACT__DIMS + 1 lists of up to 2 * words */
    size_t n[IMPACT__DIMS + 1];    /* a list's length */
    bool sparse[IMPACT__DIMS + 1]; /* the level is a list */
};

static void level_init(struct level *l, size_t words)
{
    memset(l, 0, sizeof(*l));
    l->words = words;
    l->dense = xcalloc((IMPACT__DIMS + 1) * words + 1, sizeof(uint64_t));
    l->list = xcalloc((IMPACT__DIMS + 1) * 2 * words + 1, sizeof(uint32_t));
}

static void level_fini(struct level *l)
{
    free(l->dense);
    free(l->list);
}

/* Level d + 1 from level d and the row of form f: the AND, as a row while both are rows, else
 * as a list. */
static void level_and(struct level *l, size_t d, const uint32_t *f)
{
    size_t w = l->words, cap = 2 * w, m = 0;
    uint32_t *out = l->list + (d + 1) * cap;
    if (!l->sparse[d]) {
        const uint64_t *src = l->dense + d * w;
        if (*f == ROW_DENSE) {
            form_and(l->dense + (d + 1) * w, src, f, w);
            l->sparse[d + 1] = false;
            return;
        }
        size_t nf = *f++;
        for (size_t j = 0; j < nf; j++)
            if ((src[f[j] / 64] >> (f[j] % 64)) & 1)
                out[m++] = f[j];
    } else {
        const uint32_t *in = l->list + d * cap;
        size_t n = l->n[d];
        if (*f == ROW_DENSE) {
            const uint32_t *half = f + 1; /* the words in halves, the low one first */
            for (size_t i = 0; i < n; i++)
                if ((half[in[i] / 32] >> (in[i] % 32)) & 1)
                    out[m++] = in[i];
        } else {
            size_t nf = *f++;
            for (size_t i = 0, j = 0; i < n && j < nf;) {
                if (in[i] < f[j]) {
                    i++;
                } else if (in[i] > f[j]) {
                    j++;
                } else {
                    out[m++] = in[i++];
                    j++;
                }
            }
        }
    }
    l->sparse[d + 1] = true;
    l->n[d + 1] = m;
}

/* The set number of the last level (its extras given). */
static long level_set(struct whatif_compiled *wc, const struct level *l, unsigned extras)
{
    size_t d = IMPACT__DIMS;
    if (l->sparse[d])
        return whatif_compiled_set_list(wc, l->list + d * 2 * l->words, l->n[d], extras);
    return whatif_compiled_set(wc, l->dense + d * l->words, extras);
}

/* Do two arrays hold the very same items (pointers), in the same order? */
static bool same_items(const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a);
    if (json_array_size(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (json_array_get(a, i) != json_array_get(b, i))
            return false;
    return true;
}

/* Do the last levels of the two sides (lists) name the very same policies (pointers into
 * pol[side], in order)? A result reads only its applying policies, its extras and the
 * authentication strengths (whatif_compiled_outcome): with the same strengths the outcomes are
 * equal, and the scenario changes nothing. The plan's states share the policies it leaves as
 * they are (lockout.c, copy on write), so most scenarios are settled here, without a set. */
static bool level_same(const struct level lev[2], const json_t **const *pol)
{
    size_t d = IMPACT__DIMS;
    if (!lev[0].sparse[d] || !lev[1].sparse[d] || lev[0].n[d] != lev[1].n[d])
        return false;
    const uint32_t *b = lev[0].list + d * 2 * lev[0].words, *a = lev[1].list + d * 2 * lev[1].words;
    for (size_t i = 0; i < lev[0].n[d]; i++)
        if (pol[0][b[i]] != pol[1][a[i]])
            return false;
    return true;
}

/* The classes of one dimension's values: values that give the same rows on both sides (and the
 * same extras) are one class, numbered in the order of their first value. */
struct dimclass {
    size_t n;       /* classes */
    uint32_t *of;   /* per value: its class */
    size_t *count;  /* per class: its values */
    bool *bad;      /* per class: a side refused its value (a class of its own) */
    size_t *at;     /* per class (and one past the last): where its signature starts in form */
    uint32_t *form; /* the signatures: before's row, after's row (form_len), the extras */
    size_t nform, cap, formcap;
};

static void dimclass_fini(struct dimclass *k)
{
    free(k->of);
    free(k->count);
    free(k->bad);
    free(k->at);
    free(k->form);
    memset(k, 0, sizeof(*k));
}

/* The signatures no longer needed (the scenarios are evaluated): the classes of the values stay. */
static void dimclass_drop_rows(struct dimclass *k)
{
    free(k->form);
    free(k->at);
    free(k->bad);
    k->form = NULL;
    k->at = NULL;
    k->bad = NULL;
}

/* Appends a row (NULL: an empty one) of `words` words in its narrowest form. */
static void form_put(struct dimclass *k, const uint64_t *row, size_t words)
{
    size_t n = 0;
    for (size_t w = 0; row && w < words; w++)
        n += whatif_popcount64(row[w]);
    bool dense = n >= 2 * words;
    impact_u32_reserve(&k->form, &k->formcap, k->nform, 1 + (dense ? 2 * words : n));
    uint32_t *f = k->form + k->nform;
    if (dense) {
        *f++ = ROW_DENSE;
        for (size_t w = 0; w < words; w++) {
            *f++ = (uint32_t)row[w];
            *f++ = (uint32_t)(row[w] >> 32);
        }
    } else {
        *f++ = (uint32_t)n;
        for (size_t w = 0; row && w < words; w++)
            for (uint64_t b = row[w]; b; b &= b - 1)
                *f++ = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
    }
    k->nform = (size_t)(f - k->form);
}

static size_t sig_hash(const uint32_t *g, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ g[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 31));
}

/* The classes found so far, by signature: an open-addressing table of class numbers + 1, grown
 * with the classes. */
struct sigtab {
    uint32_t *slot;
    size_t cap; /* a power of two, over twice the classes */
};

static void sigtab_grow(struct sigtab *t, const struct dimclass *k)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    uint32_t *slot = xcalloc(cap, sizeof(uint32_t));
    for (size_t c = 0; c < k->n; c++) {
        if (k->bad[c])
            continue;
        size_t j = sig_hash(k->form + k->at[c], k->at[c + 1] - k->at[c]) & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = (uint32_t)c + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->cap = cap;
}

/* The class of the signature just appended at form[start..nform): an existing class with the
 * same signature (the signature dropped again), or a new one. A value a side refused is a class
 * of its own. */
static size_t sig_class(struct sigtab *t, struct dimclass *k, size_t start, bool bad)
{
    size_t len = k->nform - start, j = 0;
    if (!bad) {
        j = sig_hash(k->form + start, len) & (t->cap - 1);
        for (; t->slot[j]; j = (j + 1) & (t->cap - 1)) {
            size_t c = t->slot[j] - 1;
            if (k->at[c + 1] - k->at[c] == len &&
                memcmp(k->form + k->at[c], k->form + start, len * sizeof(uint32_t)) == 0) {
                k->nform = start;
                return c;
            }
        }
    }
    if (k->n + 1 == k->cap) {
        k->cap *= 2;
        k->count = xrealloc(k->count, k->cap * sizeof(size_t));
        k->bad = xrealloc(k->bad, k->cap * sizeof(bool));
        k->at = xrealloc(k->at, k->cap * sizeof(size_t));
    }
    size_t c = k->n++;
    k->count[c] = 0;
    k->bad[c] = bad;
    k->at[c] = start;
    k->at[c + 1] = k->nform;
    if (!bad) {
        t->slot[j] = (uint32_t)c + 1;
        if (2 * (k->n + 1) > t->cap)
            sigtab_grow(t, k);
    }
    return c;
}

/* Two values are alike when the part of the conditions their dimension is read by gives the same
 * policies on both sides (whatif_compiled_part_into), and so does what else they decide (the
 * platform's own MFA for an app, a legacy client). Each value's rows are evaluated once and not
 * remembered by the evaluators; a class keeps its rows in their narrowest form. */
static void classify_dim(struct ctx *x, size_t d, const size_t size[IMPACT__DIMS],
                         struct dimclass *out)
{
    static const int part[IMPACT__DIMS] = {WHATIF_PART_USERS,    WHATIF_PART_TARGET,
                                           WHATIF_PART_PLATFORM, WHATIF_PART_LOCATION,
                                           WHATIF_PART_CLIENT,   WHATIF_PART_RISK};
    size_t wd[2] = {whatif_compiled_words(x->wc[0]), whatif_compiled_words(x->wc[1])};
    size_t n = size[d];
    uint64_t *row = xcalloc((wd[0] > wd[1] ? wd[0] : wd[1]) + 1, sizeof(uint64_t));
    memset(out, 0, sizeof(*out));
    out->cap = 16;
    out->of = xcalloc(n + 1, sizeof(uint32_t));
    out->count = xcalloc(out->cap, sizeof(size_t));
    out->bad = xcalloc(out->cap, sizeof(bool));
    out->at = xcalloc(out->cap, sizeof(size_t));
    struct sigtab tab = {NULL, 0};
    sigtab_grow(&tab, out);
    for (size_t v = 0; v < n; v++) {
        size_t at[IMPACT__DIMS] = {0};
        at[d] = v;
        struct whatif_signin s;
        const char *locs[3];
        scenario(x->c, at, locs, &s);
        size_t start = out->nform;
        bool bad = false;
        char err[256];
        for (int side = 0; side < 2; side++) {
            bool ok =
                whatif_compiled_part_into(x->wc[side], part[d], &s, row, err, sizeof(err)) == 0;
            form_put(out, ok ? row : NULL, wd[side]);
            bad = bad || !ok;
        }
        struct whatif_signin t;
        memset(&t, 0, sizeof(t));
        t.app = d == IMPACT_APP ? s.app : NULL;
        t.client_app = d == IMPACT_CLIENT ? s.client_app : NULL;
        impact_u32_reserve(&out->form, &out->formcap, out->nform, 1);
        out->form[out->nform++] = bad ? 0 : whatif_signin_extras(&t);
        size_t k = sig_class(&tab, out, start, bad);
        out->count[k]++;
        out->of[v] = (uint32_t)k;
    }
    free(tab.slot);
    free(row);
    /* sized to what is used */
    out->form = xrealloc(out->form, (out->nform + 1) * sizeof(uint32_t));
    out->formcap = out->nform + 1;
}

/* a * b, saturating at INT64_MAX (what a JSON integer holds). */
static size_t mul_sat(size_t a, size_t b)
{
    const size_t max = (size_t)INT64_MAX;
    return a && b > max / a ? max : a * b;
}

/* Row i's sets of values (its lists hold classes) into `out`, allocated for size[]; `mark` is
 * scratch of one flag per class of each dimension, all false. */
static void row_values(const struct impact_rows *rows, size_t i, const struct dimclass cls[],
                       const size_t size[IMPACT__DIMS], bool *mark[IMPACT__DIMS],
                       struct impact_row *out)
{
    out->change = rows->v[i].change;
    out->scenarios = rows->v[i].scenarios;
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        const uint32_t *list = impact_rows_list(rows, i, d);
        size_t len = rows->v[i].len[d];
        memset(out->set[d], 0, (size[d] ? (size[d] + 63) / 64 : 1) * sizeof(uint64_t));
        for (size_t j = 0; j < len; j++)
            mark[d][list[j]] = true;
        for (size_t v = 0; v < size[d]; v++)
            if (mark[d][cls[d].of[v]])
                out->set[d][v / 64] |= (uint64_t)1 << (v % 64);
        for (size_t j = 0; j < len; j++)
            mark[d][list[j]] = false;
    }
}

/* Appends to `out` the items of `from` that are not items of `seen` (the very same JSON: the
 * plan's states share what the plan leaves as it is). The axes of an item that is there twice
 * are those of its first copy: coverage's personas group the candidates the policies name by
 * which policies name them, and a copy names exactly the candidates its original names, so the
 * groups are the same without it; apps and locations are kept once by value. */
static size_t ptr_slot(const void *p, size_t cap)
{
    uint64_t h = (uint64_t)((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 20) & (cap - 1);
}

static void append_new_items(json_t *out, const json_t *from, const json_t *seen)
{
    size_t n = json_array_size(seen), cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    const json_t **slot = xcalloc(cap, sizeof(*slot));
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(seen, i);
        size_t j = ptr_slot(v, cap);
        while (slot[j] && slot[j] != v)
            j = (j + 1) & (cap - 1);
        slot[j] = v;
    }
    size_t i;
    json_t *v;
    json_array_foreach(from, i, v)
    {
        size_t j = ptr_slot(v, cap);
        while (slot[j] && slot[j] != v)
            j = (j + 1) & (cap - 1);
        if (!slot[j])
            json_array_append(out, v);
    }
    free(slot);
}

json_t *impact_analyse(const struct whatif_inputs *before, const struct whatif_inputs *after,
                       const struct impact_options *o)
{
    struct ctx x;
    memset(&x, 0, sizeof(x));
    x.in[0] = before;
    x.in[1] = after;

    /* the axes of both sides: every persona, app and location either side names */
    struct whatif_inputs both;
    both.policies = json_array();
    both.locations = json_array();
    both.strengths = NULL;
    json_array_extend(both.policies, before->policies);
    append_new_items(both.policies, after->policies, before->policies);
    json_array_extend(both.locations, after->locations);
    append_new_items(both.locations, before->locations, after->locations);
    struct coverage_options co;
    memset(&co, 0, sizeof(co));
    co.emergency = o->emergency;
    co.name_of = o->name_of;
    co.name_arg = o->name_arg;
    struct coverage *c = coverage_axes(&both, &co);
    x.c = c;
    size_t nrisk = has_risk(both.policies) ? NRISKS : 1;
    whatif_inputs_fini(&both);

    for (int side = 0; side < 2; side++) {
        x.wc[side] = whatif_compile_ix(x.in[side], o->locix[side]);
        index_ids(&x.byid[side], x.in[side]->policies);
    }
    strmap_init(&x.pairs, false);
    strmap_init(&x.keys, false);

    size_t size[IMPACT__DIMS] = {c->npersonas,  c->napps,    c->nplatforms,
                                 c->nlocations, c->nclients, nrisk};
    /* Values of a dimension that every policy of both sides treats alike are one class: only a
     * representative of each class is evaluated, and a changed one stands for the product of its
     * classes' values. */
    struct dimclass cls[IMPACT__DIMS];
    size_t scenarios = 1, evaluated = 1;
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        classify_dim(&x, d, size, &cls[d]);
        scenarios = mul_sat(scenarios, size[d]);
        evaluated = mul_sat(evaluated, cls[d].n);
    }
    /* The classes multiply: past the budget, none is evaluated and the section says so. */
    bool over = o->max_evaluated && evaluated > o->max_evaluated;
    /* The changed tuples of classes, as rows of class numbers (impact_int.h). */
    struct impact_rows rows;
    memset(&rows, 0, sizeof(rows));
    size_t k[IMPACT__DIMS] = {0};
    /* A scenario's set on each side: the AND of its classes' part rows (kept by classify_dim)
     * and of the parts no dimension changes (device, flow), with its app's and client's extras —
     * what whatif_compiled_eval computes from the sign-in, without looking the parts up again.
     * lev[side] holds level l = 0..IMPACT__DIMS: the fixed parts AND the rows of the classes
     * k[0..l-1], so that the next tuple of classes ANDs only the rows of the dimensions whose
     * class changed. */
    size_t wd[2] = {whatif_compiled_words(x.wc[0]), whatif_compiled_words(x.wc[1])};
    struct level lev[2];
    bool fixed_ok = true;
    for (int side = 0; side < 2; side++) {
        level_init(&lev[side], wd[side]);
        uint64_t *row = lev[side].dense + IMPACT__DIMS * wd[side]; /* scratch until the loop */
        size_t at0[IMPACT__DIMS] = {0};
        struct whatif_signin s0;
        const char *locs0[3];
        scenario(c, at0, locs0, &s0);
        char err[256];
        for (int part = WHATIF_PART_DEVICE; part <= WHATIF_PART_FLOW; part++) {
            bool ok = whatif_compiled_part_into(x.wc[side], part, &s0, row, err, sizeof(err)) == 0;
            fixed_ok = fixed_ok && ok;
            for (size_t w = 0; ok && w < wd[side]; w++)
                lev[side].dense[w] =
                    part == WHATIF_PART_DEVICE ? row[w] : lev[side].dense[w] & row[w];
        }
    }
    /* each side's policies by number, for level_same */
    const json_t **pol[2];
    for (int side = 0; side < 2; side++) {
        size_t np = json_array_size(x.in[side]->policies);
        pol[side] = xcalloc(wd[side] * 64 + 1, sizeof(json_t *));
        for (size_t i = 0; i < np; i++)
            pol[side][i] = json_array_get(x.in[side]->policies, i);
    }
    bool same_strengths = same_items(before->strengths, after->strengths);
    bool badlev[IMPACT__DIMS + 1] = {!fixed_ok};
    unsigned xlev[IMPACT__DIMS + 1] = {0};
    size_t from = 0; /* the first dimension whose class changed */
    for (size_t done = 0; !over && done < evaluated; done++) {
        for (size_t d = from; d < IMPACT__DIMS; d++) {
            const uint32_t *f = cls[d].form + cls[d].at[k[d]];
            for (int side = 0; side < 2; side++) {
                level_and(&lev[side], d, f);
                f += form_len(f, wd[side]);
            }
            badlev[d + 1] = badlev[d] || cls[d].bad[k[d]];
            xlev[d + 1] = xlev[d] | *f;
        }
        bool bad = badlev[IMPACT__DIMS];
        unsigned extras = xlev[IMPACT__DIMS];
        bool same = !bad && same_strengths && level_same(lev, pol);
        long sb = bad || same ? -1 : level_set(x.wc[0], &lev[0], extras);
        long sa = bad || same ? -1 : level_set(x.wc[1], &lev[1], extras);
        unsigned ch = sb < 0 || sa < 0 ? UINT_MAX : change_of(&x, (size_t)sb, (size_t)sa);
        if (ch != UINT_MAX) {
            size_t n = 1;
            for (size_t d = 0; d < IMPACT__DIMS; d++)
                n *= cls[d].count[k[d]];
            impact_rows_add(&rows, ch, n, k);
        }
        /* the next tuple of classes, the risk fastest */
        size_t d = IMPACT__DIMS;
        while (d-- > 0) {
            if (++k[d] < cls[d].n)
                break;
            k[d] = 0;
        }
        from = d < IMPACT__DIMS ? d : 0;
    }
    /* What the evaluation needed goes before the rows are merged and written: the changes and
     * the values' classes are all that is left to read. */
    for (int side = 0; side < 2; side++) {
        level_fini(&lev[side]);
        free(pol[side]);
        whatif_compiled_free(x.wc[side]);
        strmap_fini(&x.byid[side]);
        free(x.outcome[side]);
    }
    strmap_fini(&x.pairs);
    strmap_fini(&x.keys);
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        dimclass_drop_rows(&cls[d]);
    impact_rows_merge(&rows);
    size_t nrows = rows.n;

    /* labels per dimension */
    const char **lab[IMPACT__DIMS];
    const char *const *clab[IMPACT__DIMS];
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        lab[d] = xcalloc(size[d] + 1, sizeof(char *));
    for (size_t i = 0; i < c->npersonas; i++)
        lab[IMPACT_PERSONA][i] = strcmp(c->personas[i].kind, "all users") == 0
                                     ? "ordinary members"
                                     : c->personas[i].name;
    for (size_t i = 0; i < c->napps; i++)
        lab[IMPACT_APP][i] = c->apps[i].label;
    for (size_t i = 0; i < c->nplatforms; i++)
        lab[IMPACT_PLATFORM][i] = c->platforms[i].label;
    for (size_t i = 0; i < c->nlocations; i++)
        lab[IMPACT_LOCATION][i] =
            c->locations[i].value ? c->locations[i].label : "an untrusted address";
    for (size_t i = 0; i < c->nclients; i++)
        lab[IMPACT_CLIENT][i] = c->clients[i].label;
    for (size_t i = 0; i < nrisk; i++)
        lab[IMPACT_RISK][i] = risk_labels[i];

    for (size_t d = 0; d < IMPACT__DIMS; d++)
        clab[d] = lab[d];
    struct sorted *order = xcalloc(nrows ? nrows : 1, sizeof(*order));
    for (size_t i = 0; i < nrows; i++) {
        const struct change *ch = &x.changes[rows.v[i].change];
        order[i] = (struct sorted){
            i,
            impact_severity_of((int)c->outcomes[ch->before].cls, (int)c->outcomes[ch->after].cls),
            rows.v[i].scenarios};
    }
    qsort(order, nrows, sizeof(*order), cmp_sorted);
    json_t *jrows = json_array();
    size_t keep = o->max_rows && o->max_rows < nrows ? o->max_rows : nrows;
    /* each kept row's sets of values, one row at a time */
    struct impact_row vals;
    bool *mark[IMPACT__DIMS];
    impact_row_alloc(&vals, size);
    for (size_t d = 0; d < IMPACT__DIMS; d++)
        mark[d] = xcalloc(cls[d].n + 1, sizeof(bool));
    for (size_t i = 0; i < keep; i++) {
        row_values(&rows, order[i].row, cls, size, mark, &vals);
        json_array_append_new(jrows, row_json(&x, &vals, size, clab, order[i].sev));
    }
    free(vals.set[0]);
    size_t changed = 0;
    for (size_t i = 0; i < nrows; i++)
        changed += rows.v[i].scenarios;
    json_t *out;
    if (over) {
        json_decref(jrows);
        out = json_pack("{s:I,s:I,s:{s:I,s:I},s:{s:I,s:I}}", "scenarios", (json_int_t)scenarios,
                        "evaluated", (json_int_t)0, "policies", "before",
                        (json_int_t)enabled_count(before->policies), "after",
                        (json_int_t)enabled_count(after->policies), "notEvaluated", "classes",
                        (json_int_t)evaluated, "limit", (json_int_t)o->max_evaluated);
    } else {
        out = json_pack("{s:I,s:I,s:I,s:{s:I,s:I},s:o,s:I}", "scenarios", (json_int_t)scenarios,
                        "evaluated", (json_int_t)evaluated, "changed", (json_int_t)changed,
                        "policies", "before", (json_int_t)enabled_count(before->policies), "after",
                        (json_int_t)enabled_count(after->policies), "rows", jrows, "rowsLeftOut",
                        (json_int_t)(nrows - keep));
    }

    free(order);
    for (size_t d = 0; d < IMPACT__DIMS; d++) {
        free(lab[d]);
        free(mark[d]);
        dimclass_fini(&cls[d]);
    }
    impact_rows_fini(&rows);
    for (size_t i = 0; i < x.nchanges; i++) {
        json_decref(x.changes[i].policies);
        free(x.changes[i].because);
    }
    free(x.changes);
    coverage_free(c);
    return out;
}
