/* catalog_directory.c — directory roles and first-party applications; see catalog.h. */
#include "compiler/catalog.h"

#include "compiler/strmap.h"
#include "compiler/suggest.h"
#include "compiler/util.h"

#include <string.h>
#include <strings.h>

static const struct catalog_role roles[] = {
#define CAT_ROLE(name, template_id, aliases, deprecated) {name, template_id, aliases, deprecated},
#include "compiler/catalog_roles.def"
};

static const struct catalog_app apps[] = {
#define CAT_APP(name, app_id, aliases) {name, app_id, aliases},
#include "compiler/catalog_apps.def"
};

/* Walks a row's canonical name, then each of its '|'-separated aliases. */
struct names {
    const char *name;
    const char *rest; /* aliases not yet returned; NULL when done */
    char buf[128];
};

static void names_init(struct names *it, const char *name, const char *aliases)
{
    it->name = name;
    it->rest = aliases;
}

static const char *names_next(struct names *it)
{
    if (it->name) {
        const char *n = it->name;
        it->name = NULL;
        return n;
    }
    if (!it->rest || !*it->rest)
        return NULL;
    const char *bar = strchr(it->rest, '|');
    size_t len = bar ? (size_t)(bar - it->rest) : strlen(it->rest);
    if (len >= sizeof(it->buf))
        BUG("catalog alias too long: %.*s", (int)len, it->rest);
    memcpy(it->buf, it->rest, len);
    it->buf[len] = '\0';
    it->rest = bar ? bar + 1 : NULL;
    return it->buf;
}

/* Each space-separated word of `word` is a case-insensitive prefix of the word at the same
 * position in `name`, at least 3 characters long unless it is the whole word, and both have
 * the same number of words: "Global Admin" abbreviates "Global Administrator". */
static bool abbreviates(const char *word, const char *name)
{
    const char *w = word, *n = name;
    for (;;) {
        size_t wl = strcspn(w, " "), nl = strcspn(n, " ");
        if (wl == 0 || wl > nl || (wl < 3 && wl < nl) || strncasecmp(w, n, wl) != 0)
            return false;
        w += wl;
        n += nl;
        if (*w == '\0' || *n == '\0')
            return *w == '\0' && *n == '\0';
        w++;
        n++;
    }
}

/* The table rows that suggestions search, seen through accessors. */
struct rows {
    size_t n;
    const char *(*name)(size_t i);
    const char *(*aliases)(size_t i);
};

/* A unique abbreviation of a canonical name wins; otherwise the name or alias closest by edit
 * distance, reported as its row's canonical name. */
static const char *rows_suggest(const struct rows *rows, const char *word)
{
    const char *abbrev = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < rows->n; i++) {
        if (abbreviates(word, rows->name(i))) {
            abbrev = rows->name(i);
            matches++;
        }
    }
    if (matches == 1)
        return abbrev;

    struct suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < rows->n; i++) {
        struct names it;
        names_init(&it, rows->name(i), rows->aliases(i));
        for (const char *n; (n = names_next(&it));)
            suggest_add_as(&s, n, rows->name(i));
    }
    return suggest_result(&s);
}

/* ---- roles ---- */

static const char *role_name(size_t i)
{
    return roles[i].name;
}

static const char *role_aliases(size_t i)
{
    return roles[i].aliases;
}

const struct catalog_role *catalog_roles(size_t *n)
{
    *n = IDPC_ARRAY_LEN(roles);
    return roles;
}

/* Role names and aliases -> the first row with that name, template ids -> row (ASCII
 * case-insensitive, as strcasecmp compared them), made on first use; role_exact holds the same
 * answers for the names as written, which a case-sensitive look-up finds faster. */
static struct strmap role_names, role_exact, role_ids;
static bool role_index_ready;

/* Each row's name and aliases -> its number in `names` (the first row wins), its id -> its number
 * in `ids` (borrowed keys). */
static void index_rows(size_t n, const char *(*name)(size_t), const char *(*aliases)(size_t),
                       const char *(*id)(size_t), struct strmap *names, struct strmap *ids)
{
    strmap_init(names, true);
    strmap_init_borrowed(ids, true);
    for (size_t i = 0; i < n; i++) {
        struct names it;
        names_init(&it, name(i), aliases(i));
        for (const char *k; (k = names_next(&it));)
            (void)strmap_put_first(names, k, i);
        (void)strmap_put_first(ids, id(i), i);
    }
}

static const char *role_template_id(size_t i)
{
    return roles[i].template_id;
}

static void role_index(void)
{
    if (role_index_ready)
        return;
    role_index_ready = true;
    strmap_init(&role_exact, false);
    index_rows(IDPC_ARRAY_LEN(roles), role_name, role_aliases, role_template_id, &role_names,
               &role_ids);
    for (size_t i = 0; i < IDPC_ARRAY_LEN(roles); i++) {
        struct names it;
        names_init(&it, roles[i].name, roles[i].aliases);
        size_t first;
        for (const char *n; (n = names_next(&it));)
            if (strmap_get(&role_names, n, &first))
                (void)strmap_put_first(&role_exact, n, first);
    }
}

const struct catalog_role *catalog_role_by_name(const char *name)
{
    size_t i;
    role_index();
    return strmap_get(&role_exact, name, &i) || strmap_get(&role_names, name, &i) ? &roles[i]
                                                                                  : NULL;
}

const struct catalog_role *catalog_role_by_id(const char *template_id)
{
    size_t i;
    role_index();
    return strmap_get(&role_ids, template_id, &i) ? &roles[i] : NULL;
}

const char *catalog_role_suggest(const char *word)
{
    if (catalog_role_by_name(word))
        return NULL;
    const struct rows rows = {IDPC_ARRAY_LEN(roles), role_name, role_aliases};
    return rows_suggest(&rows, word);
}

/* ---- applications ---- */

static const char *app_name(size_t i)
{
    return apps[i].name;
}

static const char *app_aliases(size_t i)
{
    return apps[i].aliases;
}

const struct catalog_app *catalog_apps(size_t *n)
{
    *n = IDPC_ARRAY_LEN(apps);
    return apps;
}

/* Application names and aliases, and app ids, as role_index does for roles. */
static struct strmap app_names, app_ids;
static bool app_index_ready;

static const char *app_id(size_t i)
{
    return apps[i].app_id;
}

static void app_index(void)
{
    if (app_index_ready)
        return;
    app_index_ready = true;
    index_rows(IDPC_ARRAY_LEN(apps), app_name, app_aliases, app_id, &app_names, &app_ids);
}

const struct catalog_app *catalog_app_by_name(const char *name)
{
    size_t i;
    app_index();
    return strmap_get(&app_names, name, &i) ? &apps[i] : NULL;
}

const struct catalog_app *catalog_app_by_id(const char *app_id)
{
    size_t i;
    app_index();
    return strmap_get(&app_ids, app_id, &i) ? &apps[i] : NULL;
}

const char *catalog_app_suggest(const char *word)
{
    if (catalog_app_by_name(word))
        return NULL;
    const struct rows rows = {IDPC_ARRAY_LEN(apps), app_name, app_aliases};
    return rows_suggest(&rows, word);
}
