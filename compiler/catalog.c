/* catalog.c — keyword tables, authentication contexts and GUID syntax; see catalog.h. */
#include "compiler/catalog.h"

#include "compiler/strmap.h"
#include "compiler/suggest.h"
#include "compiler/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* All keyword rows, grouped by kind (catalog_keywords.def keeps each kind's rows together). */
static const struct catalog_entry entries[] = {
#define CAT_KW(id, keyword, graph, display) {CAT_##id, keyword, graph, display},
#include "compiler/catalog_keywords.def"
};

static const char *const kind_names[CAT__COUNT] = {
#define CAT_KIND(id, name) [CAT_##id] = name,
#include "compiler/catalog_keywords.def"
};

struct method_type {
    const char *keyword;
    const char *odata_type;
};

static const struct method_type method_types[] = {
#define CAT_METHOD(id, keyword, graph, display, odata) {keyword, odata},
#include "compiler/catalog_keywords.def"
};

/* Per kind: its rows (the first one and how many) and keyword -> row (the first of each
 * keyword), made on first use: the checker looks up a keyword for most atoms it reads. */
static struct {
    bool ready;
    size_t first, count;
    struct strmap by_keyword;
} kinds[CAT__COUNT];

static void kinds_init(void)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(entries); i++) {
        unsigned k = (unsigned)entries[i].kind;
        if (k >= CAT__COUNT)
            continue;
        if (!kinds[k].ready) {
            kinds[k].ready = true;
            kinds[k].first = i;
            strmap_init_borrowed(&kinds[k].by_keyword, false);
        }
        kinds[k].count++;
    }
    for (unsigned k = 0; k < CAT__COUNT; k++) {
        kinds[k].ready = true;
        const struct catalog_entry *e = &entries[kinds[k].first];
        for (size_t i = 0; i < kinds[k].count; i++)
            (void)strmap_put_first(&kinds[k].by_keyword, e[i].keyword, i);
    }
}

const struct catalog_entry *catalog_entries(enum catalog_kind kind, size_t *n)
{
    if (!kinds[0].ready)
        kinds_init();
    if ((unsigned)kind >= CAT__COUNT || kinds[kind].count == 0) {
        *n = 0;
        return NULL;
    }
    *n = kinds[kind].count;
    return &entries[kinds[kind].first];
}

const char *catalog_kind_name(enum catalog_kind kind)
{
    if ((unsigned)kind >= CAT__COUNT)
        BUG("bad catalog kind %d", (int)kind);
    return kind_names[kind];
}

const struct catalog_entry *catalog_lookup(enum catalog_kind kind, const char *keyword)
{
    size_t n, i;
    const struct catalog_entry *e = catalog_entries(kind, &n);
    if (!e || !strmap_get(&kinds[kind].by_keyword, keyword, &i))
        return NULL;
    return &e[i];
}

const struct catalog_entry *catalog_lookup_graph(enum catalog_kind kind, const char *graph)
{
    size_t n;
    const struct catalog_entry *e = catalog_entries(kind, &n);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(e[i].graph, graph) == 0)
            return &e[i];
    return NULL;
}

/* report-only, Report Only, reportOnly -> report_only (lower case, '_' between words). */
static char *to_snake(const char *word)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = word; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '-' || c == ' ') {
            strbuf_addc(&sb, '_');
        } else if (isupper(c)) {
            if (p != word && islower((unsigned char)p[-1]))
                strbuf_addc(&sb, '_');
            strbuf_addc(&sb, (char)tolower(c));
        } else {
            strbuf_addc(&sb, (char)c);
        }
    }
    return strbuf_detach(&sb);
}

const char *catalog_suggest(enum catalog_kind kind, const char *word)
{
    if (catalog_lookup(kind, word))
        return NULL;
    const struct catalog_entry *hit = catalog_lookup_graph(kind, word);
    if (hit)
        return hit->keyword;

    char *snake = to_snake(word);
    hit = catalog_lookup(kind, snake);
    free(snake);
    if (hit)
        return hit->keyword;

    size_t n;
    const struct catalog_entry *e = catalog_entries(kind, &n);
    struct suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < n; i++)
        suggest_add(&s, e[i].keyword);
    return suggest_result(&s);
}

const char *catalog_auth_method_odata_type(const struct catalog_entry *method)
{
    if (!method || method->kind != CAT_AUTH_METHOD)
        return NULL;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(method_types); i++)
        if (strcmp(method_types[i].keyword, method->keyword) == 0)
            return method_types[i].odata_type;
    return NULL;
}

/* "c1" .. "c99", so that suggestions can point into a static table. */
#define CTX_DECADE(t)                                                                              \
    "c" #t "0", "c" #t "1", "c" #t "2", "c" #t "3", "c" #t "4", "c" #t "5", "c" #t "6",            \
        "c" #t "7", "c" #t "8", "c" #t "9"
static const char *const auth_contexts[] = {
    "c1",          "c2",          "c3",          "c4",          "c5",          "c6",
    "c7",          "c8",          "c9",          CTX_DECADE(1), CTX_DECADE(2), CTX_DECADE(3),
    CTX_DECADE(4), CTX_DECADE(5), CTX_DECADE(6), CTX_DECADE(7), CTX_DECADE(8), CTX_DECADE(9),
};

bool catalog_auth_context_valid(const char *id)
{
    if (id[0] != 'c' || id[1] < '1' || id[1] > '9')
        return false;
    if (id[2] == '\0')
        return true;
    return id[2] >= '0' && id[2] <= '9' && id[3] == '\0';
}

const char *catalog_auth_context_suggest(const char *word)
{
    if (catalog_auth_context_valid(word) || (word[0] != 'c' && word[0] != 'C'))
        return NULL;
    long v;
    if (!util_parse_long(word + 1, 1, 99, &v) || !isdigit((unsigned char)word[1]))
        return NULL;
    return auth_contexts[v - 1];
}

bool catalog_is_guid(const char *s)
{
    static const size_t dashes[] = {8, 13, 18, 23};
    size_t d = 0, i = 0;
    for (; s[i]; i++) {
        if (d < IDPC_ARRAY_LEN(dashes) && i == dashes[d]) {
            if (s[i] != '-')
                return false;
            d++;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return i == 36;
}
