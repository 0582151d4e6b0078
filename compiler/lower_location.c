/* lower_location.c — `location "Name" { ... }` → ipNamedLocation or countryNamedLocation.
 *
 * Graph limits checked here (MicrosoftDocs/entra-docs concept-assignment-network.md, "IPv4 and
 * IPv6 address ranges"): no more than 2000 IP ranges per named location, and "only CIDR masks
 * greater than /8 are allowed"; country locations "cannot be marked as trusted". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/cidr.h"

#define LOCATION_MAX_RANGES 2000
#define LOCATION_MIN_PREFIX 8

struct range {
    struct cidr net;
    const char *text;
    const struct ast_atom *atom;
    bool span; /* LOWER-UPPER: not compared as a CIDR */
};

struct loc_state {
    struct check *ck;
    const struct ast_stmt *ip, *countries, *trusted, *unknown, *lookup; /* first of each */
    struct range *ranges; /* in the check's scratch arena */
    size_t nranges, capranges;
    json_t *ip_ranges;
    json_t *codes; /* made by the first `countries` */
    bool trusted_on, unknown_on;
    const char *lookup_method;
};

static void push_range(struct loc_state *st, struct range r)
{
    if (st->nranges == st->capranges) {
        size_t cap = st->capranges ? st->capranges * 2 : 8;
        struct range *v = arena_alloc(st->ck->arena, cap * sizeof(*v));
        if (st->nranges)
            memcpy(v, st->ranges, st->nranges * sizeof(*v));
        st->ranges = v;
        st->capranges = cap;
    }
    st->ranges[st->nranges++] = r;
}

/* "LOWER-UPPER": an iPv4Range or iPv6Range (Graph v1.0 has them beside CIDR ranges). */
static void add_span(struct loc_state *st, struct args *a, const struct ast_atom *at,
                     const char *dash)
{
    size_t cut = (size_t)(dash - at->text);
    char lo[CIDR_TEXT_MAX], hi[CIDR_TEXT_MAX];
    struct cidr l, h;
    if (cut == 0 || cut >= sizeof(lo) || at->len - cut - 1 >= sizeof(hi)) {
        args_error(a, at, "malformed IP range '%s': write \"LOWER-UPPER\" with two addresses",
                   at->text);
        return;
    }
    memcpy(lo, at->text, cut);
    lo[cut] = '\0';
    memcpy(hi, dash + 1, at->len - cut - 1);
    hi[at->len - cut - 1] = '\0';
    if (!cidr_parse_address(lo, &l)) {
        args_error_in(a, at, 0, cut, "'%s' is not an IPv4 or IPv6 address", lo);
        return;
    }
    if (!cidr_parse_address(hi, &h)) {
        args_error_in(a, at, cut + 1, at->len, "'%s' is not an IPv4 or IPv6 address", hi);
        return;
    }
    if (l.family != h.family) {
        args_error(a, at, "the range '%s' mixes an IPv%d and an IPv%d address", at->text, l.family,
                   h.family);
        return;
    }
    if (memcmp(l.addr, h.addr, l.family == 4 ? 4 : 16) > 0) {
        args_error(a, at, "the range '%s' ends before it starts; write \"%s-%s\"", at->text, hi,
                   lo);
        return;
    }
    if (st->nranges == LOCATION_MAX_RANGES) {
        args_error(a, at, "a named location holds at most %d IP ranges; this is one more",
                   LOCATION_MAX_RANGES);
        return;
    }
    push_range(st, (struct range){l, at->text, at, true});
    json_t *r = json_object();
    /* (constant ASCII keys: no UTF-8 check) */
    json_object_set_new_nocheck(r, "@odata.type",
                                model_const_string(l.family == 4 ? "#microsoft.graph.iPv4Range"
                                                                 : "#microsoft.graph.iPv6Range"));
    json_object_set_new_nocheck(r, "lowerAddress", model_string(lo, strlen(lo)));
    json_object_set_new_nocheck(r, "upperAddress", model_string(hi, strlen(hi)));
    json_array_append_new(st->ip_ranges, r);
}

static void add_range(struct loc_state *st, struct args *a, const struct ast_atom *at)
{
    const char *dash = memchr(at->text, '-', at->len);
    if (dash) {
        add_span(st, a, at, dash);
        return;
    }
    struct cidr net;
    struct cidr_error err;
    if (!cidr_parse(at->text, at->len, &net, &err)) {
        switch (err.kind) {
        case CIDR_ERR_NO_PREFIX:
            args_error_in(a, at, err.start, err.end,
                          "'%s' is an address, not a range; write \"%s\" for this one address",
                          at->text, err.suggestion);
            return;
        case CIDR_ERR_HOST_BITS:
            /* Graph accepts and keeps such a range as written (its own documentation example is
             * 12.34.221.11/22), so it is kept; the warning says which network it means. */
            diag_warning(st->ck->diag, at->loc,
                         "'%s' has host bits set after the /%u prefix; it means the network "
                         "\"%s\"",
                         at->text, net.prefix, err.suggestion);
            char network[CIDR_TEXT_MAX];
            snprintf(network, sizeof(network), "%s", err.suggestion);
            if (!cidr_parse(network, strlen(network), &net, &err))
                return;
            break;
        case CIDR_ERR_NONE:
        case CIDR_ERR_EMPTY:
        case CIDR_ERR_ADDRESS:
        case CIDR_ERR_PREFIX:
            args_error_in(a, at, err.start, err.end, "malformed IP range '%s': %s", at->text,
                          err.message);
            return;
        }
    }
    if (net.prefix < LOCATION_MIN_PREFIX) {
        const char *slash = strchr(at->text, '/');
        size_t p = slash ? (size_t)(slash - at->text) : 0;
        args_error_in(a, at, p, at->len,
                      "'%s' is wider than /%d; Entra accepts only prefixes of /%d or longer in a "
                      "named location",
                      at->text, LOCATION_MIN_PREFIX, LOCATION_MIN_PREFIX);
        return;
    }
    for (size_t i = 0; i < st->nranges; i++) {
        const struct range *r = &st->ranges[i];
        /* neither equal nor containing: another family or a longer prefix (cheap first, as
         * every range is compared with every earlier one) */
        if (r->span || r->net.family != net.family || r->net.prefix > net.prefix)
            continue;
        if (cidr_equal(&r->net, &net)) {
            diag_warning(st->ck->diag, at->loc, "the range %s is listed twice", at->text);
            diag_note(st->ck->diag, r->atom->loc, "first listed here");
            return;
        }
        if (cidr_contains(&r->net, &net)) {
            /* redundant, but kept: Graph keeps it, and the plan must not drift */
            diag_warning(st->ck->diag, at->loc, "the range %s lies inside %s, listed before",
                         at->text, r->text);
            diag_note(st->ck->diag, r->atom->loc, "%s is listed here", r->text);
            break;
        }
    }
    if (st->nranges == LOCATION_MAX_RANGES) {
        args_error(a, at, "a named location holds at most %d IP ranges; this is one more",
                   LOCATION_MAX_RANGES);
        return;
    }
    if (cidr_is_private(&net))
        diag_warning(st->ck->diag, at->loc,
                     "%s is private address space; Entra sees the public address a sign-in "
                     "comes from, so this range never matches",
                     at->text);
    push_range(st, (struct range){net, at->text, at, false});
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "@odata.type",
                                model_const_string(net.family == 4
                                                       ? "#microsoft.graph.iPv4CidrRange"
                                                       : "#microsoft.graph.iPv6CidrRange"));
    json_object_set_new_nocheck(r, "cidrAddress", model_string(at->text, strlen(at->text)));
    json_array_append_new(st->ip_ranges, r);
}

static void stmt_ip(struct loc_state *st, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, st->ck, s);
    do {
        const struct ast_atom *at =
            args_expect_string(&a, "an IP range such as \"203.0.113.0/24\"");
        if (!at)
            return;
        add_range(st, &a, at);
        if (a.failed)
            return;
    } while (args_comma(&a));
    if (args_expect_end(&a) && !st->ip)
        st->ip = s; /* only a well-formed line defines the kind: no follow-on errors */
}

static void stmt_countries(struct loc_state *st, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, st->ck, s);
    do {
        const struct ast_atom *at =
            args_expect_string(&a, "an ISO 3166-1 alpha-2 country code such as \"FR\"");
        if (!at)
            return;
        if (!catalog_country_by_code(at->text)) {
            const char *sug = catalog_country_suggest(at->text);
            const struct catalog_country *c = sug ? catalog_country_by_code(sug) : NULL;
            if (c)
                args_error(&a, at, "unknown country code '%s'; did you mean '%s' (%s)?", at->text,
                           c->code, c->common_name);
            else
                args_error(&a, at,
                           "unknown country code '%s'; expected an ISO 3166-1 alpha-2 code "
                           "such as \"FR\"",
                           at->text);
            return;
        }
        bool dup = false;
        size_t i;
        json_t *v;
        if (!st->codes)
            st->codes = json_array();
        json_array_foreach(st->codes, i, v)
        {
            if (strcmp(json_string_value(v), at->text) == 0)
                dup = true;
        }
        if (dup)
            diag_warning(st->ck->diag, at->loc, "country '%s' is listed twice", at->text);
        else
            json_array_append_new(st->codes, model_string(at->text, strlen(at->text)));
    } while (args_comma(&a));
    if (args_expect_end(&a) && !st->countries)
        st->countries = s;
}

static void stmt_flag(struct loc_state *st, const struct ast_stmt *s, const struct ast_stmt **first,
                      bool *flag)
{
    if (!check_once(st->ck, first, s, "this location"))
        return;
    struct args a;
    args_init(&a, st->ck, s);
    if (args_expect_end(&a))
        *flag = true;
}

static void stmt_lookup(struct loc_state *st, const struct ast_stmt *s)
{
    if (!check_once(st->ck, &st->lookup, s, "this location"))
        return;
    struct args a;
    args_init(&a, st->ck, s);
    const struct catalog_entry *e = args_expect_enum(&a, CAT_COUNTRY_LOOKUP);
    if (e && args_expect_end(&a))
        st->lookup_method = e->graph;
}

/* A statement that only makes sense in the other kind of location. */
static void wrong_kind(struct check *ck, const struct ast_stmt *s, const struct ast_stmt *other,
                       const char *why)
{
    diag_error(ck->diag, s->atoms[0].loc, "%s", why);
    diag_note(ck->diag, other->atoms[0].loc, "this location is defined by '%s' here",
              other->atoms[0].text);
}

void lower_location(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n)
{
    const char *name = decl->atoms[1].text;
    struct model_object *o = model_add(ck->model, MODEL_NAMED_LOCATION, name, decl->atoms[0].loc);
    struct loc_state st = {.ck = ck, .ip_ranges = json_array()};
    unsigned errors = diag_error_count(ck->diag);
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (check_common_stmt(ck, s, o))
            continue;
        if (strcmp(kw, "ip") == 0)
            stmt_ip(&st, s);
        else if (strcmp(kw, "countries") == 0)
            stmt_countries(&st, s);
        else if (strcmp(kw, "trusted") == 0)
            stmt_flag(&st, s, &st.trusted, &st.trusted_on);
        else if (strcmp(kw, "unknown_countries") == 0)
            stmt_flag(&st, s, &st.unknown, &st.unknown_on);
        else if (strcmp(kw, "lookup") == 0)
            stmt_lookup(&st, s);
    }
    if (st.ip && st.countries) {
        const struct ast_stmt *later =
            st.ip->loc.start > st.countries->loc.start ? st.ip : st.countries;
        const struct ast_stmt *first = later == st.ip ? st.countries : st.ip;
        diag_error(ck->diag, later->atoms[0].loc,
                   "a location has either IP ranges or countries, not both; declare a second "
                   "location for the %s",
                   later == st.ip ? "IP ranges" : "countries");
        diag_note(ck->diag, first->atoms[0].loc, "'%s' is given here", first->atoms[0].text);
    } else if (st.ip) {
        if (st.unknown)
            wrong_kind(ck, st.unknown, st.ip,
                       "'unknown_countries' belongs to a country location, not an IP range one");
        if (st.lookup)
            wrong_kind(ck, st.lookup, st.ip,
                       "'lookup' belongs to a country location, not an IP range one");
    } else if (st.countries) {
        if (st.trusted)
            wrong_kind(ck, st.trusted, st.countries,
                       "a country location cannot be trusted; only IP range locations can");
    } else if (st.lookup || st.unknown) {
        const struct ast_stmt *s = st.lookup ? st.lookup : st.unknown;
        diag_error(ck->diag, s->atoms[0].loc,
                   "'%s' needs 'countries': it belongs to a country location", s->atoms[0].text);
    } else if (diag_error_count(ck->diag) == errors) {
        diag_error(ck->diag, decl->atoms[1].loc,
                   "location \"%s\" has neither IP ranges nor countries; add 'ip \"...\"' or "
                   "'countries \"FR\", ...'",
                   name);
    }

    /* (constant ASCII keys: no UTF-8 check) */
    json_t *b = o->body;
    json_t *display = model_string(name, strlen(name));
    if (st.countries && !st.ip) {
        json_object_set_new_nocheck(b, "@odata.type",
                                    model_const_string("#microsoft.graph.countryNamedLocation"));
        json_object_set_new_nocheck(b, "displayName", display);
        json_object_set_nocheck(b, "countriesAndRegions", st.codes);
        json_object_set_new_nocheck(b, "includeUnknownCountriesAndRegions",
                                    json_boolean(st.unknown_on));
        json_object_set_new_nocheck(
            b, "countryLookupMethod",
            model_const_string(st.lookup_method ? st.lookup_method : "clientIpAddress"));
    } else {
        json_object_set_new_nocheck(b, "@odata.type",
                                    model_const_string("#microsoft.graph.ipNamedLocation"));
        json_object_set_new_nocheck(b, "displayName", display);
        json_object_set_new_nocheck(b, "isTrusted", json_boolean(st.trusted_on));
        json_object_set_nocheck(b, "ipRanges", st.ip_ranges);
    }
    json_decref(st.ip_ranges);
    json_decref(st.codes);
}
