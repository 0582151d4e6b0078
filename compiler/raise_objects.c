/* raise_objects.c — named locations and authentication strengths in canonical Graph form →
 * `location` / `strength` blocks (inverse of lower_location.c / lower_strength.c), the
 * emergency access suggestion, and telling Graph objects apart by shape. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/cidr.h"
#include "compiler/raise_int.h"

static const json_t *get(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(get(o, k));
}

/* ---- named locations ---- */

#define LOCATION_MIN_PREFIX 8

static void ip_ranges(struct raise_block *b, const json_t *ranges)
{
    struct raise *r = b->r;
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, "ip");
    size_t n = json_array_size(ranges);
    struct cidr *nets = xcalloc(n ? n : 1, sizeof(*nets));
    bool *ok = xcalloc(n ? n : 1, sizeof(*ok));
    size_t i;
    const json_t *v;
    json_array_foreach(ranges, i, v)
    {
        const char *t = json_string_value(v);
        struct cidr_error err;
        if (!t) {
            char *x = raise_json_text(v);
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, "ipRanges", "cannot express the IP range %s",
                        x);
            free(x);
        } else if (strchr(t, '-')) {
            /* LOWER-UPPER (iPv4Range / iPv6Range in Graph): written as the language's
             * "LOWER-UPPER"; the compiler checks both addresses */
            ok[i] = true;
        } else if (!cidr_parse(t, strlen(t), &nets[i], &err) && err.kind != CIDR_ERR_HOST_BITS) {
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, "ipRanges",
                        "cannot express the IP range \"%s\": %s%s%s", t, err.message,
                        err.suggestion[0] ? "; the network is " : "", err.suggestion);
        } else if (nets[i].prefix < LOCATION_MIN_PREFIX) {
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, "ipRanges",
                        "cannot express the IP range \"%s\": wider than /%d, which Entra no "
                        "longer accepts",
                        t, LOCATION_MIN_PREFIX);
        } else {
            /* host bits set: Graph keeps the range as written, and so does the compiler (with a
             * warning); ranges inside others are kept too */
            ok[i] = true;
        }
    }
    json_array_foreach(ranges, i, v)
    {
        if (!ok[i])
            continue;
        line_sep(&l, 1);
        line_str(&l, json_string_value(v));
    }
    free(nets);
    free(ok);
    if (l.n > 1)
        block_add_line(b, &l);
    else
        free(l.v);
}

struct ast_stmt *raise_location(struct raise *r, const json_t *canon, const char *name,
                                const char *id, bool force_id)
{
    if (!name)
        name = get_str(canon, "displayName");
    if (!name)
        name = "(no name)";
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "location \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "location", name);
    const char *kind = get_str(canon, "kind");
    raise_pin(&b, id, force_id);
    if (kind && strcmp(kind, "ipNamedLocation") == 0) {
        static const char *const known[] = {"kind", "displayName", "ipRanges", "isTrusted", NULL};
        raise_leftovers(&b, canon, "", known);
        ip_ranges(&b, get(canon, "ipRanges"));
        if (json_is_true(get(canon, "isTrusted")))
            block_add(&b, raise_stmt(r, "w", "trusted"));
    } else if (kind && strcmp(kind, "countryNamedLocation") == 0) {
        static const char *const known[] = {"kind",
                                            "displayName",
                                            "countriesAndRegions",
                                            "includeUnknownCountriesAndRegions",
                                            "countryLookupMethod",
                                            NULL};
        raise_leftovers(&b, canon, "", known);
        struct raise_line l;
        line_init(&l, r);
        line_word(&l, "countries");
        size_t i;
        const json_t *v;
        json_array_foreach(get(canon, "countriesAndRegions"), i, v)
        {
            const char *c = json_string_value(v);
            if (!c || !catalog_country_by_code(c)) {
                raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "countriesAndRegions",
                            "cannot express the country \"%s\": not an ISO 3166-1 alpha-2 code "
                            "the catalog knows",
                            c ? c : "?");
                continue;
            }
            line_sep(&l, 1);
            line_str(&l, c);
        }
        if (l.n > 1)
            block_add_line(&b, &l);
        else
            free(l.v);
        if (json_is_true(get(canon, "includeUnknownCountriesAndRegions")))
            block_add(&b, raise_stmt(r, "w", "unknown_countries"));
        const char *m = get_str(canon, "countryLookupMethod");
        if (m) {
            const struct catalog_entry *e = catalog_lookup_graph(CAT_COUNTRY_LOOKUP, m);
            if (e)
                block_add(&b, raise_stmt(r, "ww", "lookup", e->keyword));
            else
                raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "countryLookupMethod",
                            "cannot express the country lookup method \"%s\"", m);
        }
    } else {
        char *t = raise_json_text(canon);
        raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "kind",
                    "cannot express a named location of kind '%s' (the language has IP range "
                    "and country locations): %s",
                    kind ? kind : "?", t);
        free(t);
    }
    return block_finish(&b, decl);
}

/* ---- authentication strengths ---- */

struct ast_stmt *raise_strength(struct raise *r, const json_t *canon, const char *name,
                                const char *id, bool force_id)
{
    if (!name)
        name = get_str(canon, "displayName");
    if (!name)
        name = "(no name)";
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "strength \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "strength", name);
    static const char *const known[] = {"displayName", "description", "allowedCombinations",
                                        "combinationConfigurations", NULL};
    raise_leftovers(&b, canon, "", known);
    raise_pin(&b, id, force_id);
    const char *desc = get_str(canon, "description");
    if (desc && *desc)
        block_add(&b, raise_stmt(r, "ws", "description", desc));
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, "allow");
    size_t i;
    const json_t *v;
    json_array_foreach(get(canon, "allowedCombinations"), i, v)
    {
        const char **modes;
        size_t n = raise_split_flags(r, json_string_value(v), &modes);
        const char *kw[8];
        bool good = n > 0 && n <= IDPC_ARRAY_LEN(kw);
        for (size_t k = 0; good && k < n; k++) {
            const struct catalog_entry *e = catalog_lookup_graph(CAT_AUTH_MODE, modes[k]);
            good = e != NULL;
            if (e)
                kw[k] = e->keyword;
        }
        free(modes);
        if (!good) {
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "allowedCombinations",
                        "cannot express the combination \"%s\"",
                        json_string_value(v) ? json_string_value(v) : "?");
            continue;
        }
        line_sep(&l, 1);
        /* the language writes password first: password + sms */
        for (size_t k = 0; k < n; k++) {
            if (strcmp(kw[k], "password") == 0 && k > 0) {
                const char *t = kw[0];
                kw[0] = kw[k];
                kw[k] = t;
            }
        }
        for (size_t k = 0; k < n; k++) {
            if (k)
                line_plus(&l);
            line_word(&l, kw[k]);
        }
    }
    if (l.n > 1)
        block_add_line(&b, &l);
    else
        free(l.v);
    raise_strength_combos(&b, get(canon, "combinationConfigurations"));
    return block_finish(&b, decl);
}

/* ---- emergency access ---- */

struct tally {
    const char *kind, *id;
    size_t count;
};

static void count_ids(struct tally **t, size_t *n, const json_t *arr, const char *kind)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !catalog_is_guid(id))
            continue;
        size_t k;
        for (k = 0; k < *n; k++)
            if (strcmp((*t)[k].kind, kind) == 0 && strcasecmp((*t)[k].id, id) == 0)
                break;
        if (k == *n) {
            *t = xrealloc(*t, (*n + 1) * sizeof(**t));
            (*t)[(*n)++] = (struct tally){kind, id, 0};
        }
        (*t)[k].count++;
    }
}

struct ast_stmt *raise_emergency_suggestion(struct raise *r, const json_t *const *policies,
                                            size_t n)
{
    struct tally *t = NULL;
    size_t nt = 0, users = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *u = get(get(policies[i], "conditions"), "users");
        count_ids(&t, &nt, get(u, "excludeUsers"), "user");
        count_ids(&t, &nt, get(u, "excludeGroups"), "group");
        users++;
    }
    size_t best = 0;
    for (size_t i = 0; i < nt; i++)
        if (t[i].count > best)
            best = t[i].count;
    struct ast_stmt *s = NULL;
    if (best < 2 || best * 2 < users)
        goto out;
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, "emergency_access");
    for (size_t i = 0; i < nt; i++) {
        if (t[i].count != best)
            continue;
        const char *name = NULL;
        line_sep(&l, 1);
        line_word(&l, t[i].kind);
        if (raise_names_name(r->names, t[i].kind, t[i].id, &name) == RAISE_NAME_FOUND) {
            line_str(&l, name);
        } else {
            line_word(&l, "id");
            line_str(&l, t[i].id);
        }
    }
    s = line_done(&l);
    raise_comment(r, s,
                  "suggestion: these identities are excluded from %zu of the %zu policies, the "
                  "most of any; if they are your emergency access (break-glass) accounts, "
                  "declare them so that idpc checks every policy excludes them:",
                  best, users);
out:
    free(t);
    return s;
}

/* ---- shapes ---- */
