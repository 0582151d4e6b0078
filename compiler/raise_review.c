/* raise_review.c — `access_review "Name" { ... }` from an accessReviewScheduleDefinition as Graph
 * v1.0 lists it ("List definitions",
 * https://learn.microsoft.com/graph/api/accessreviewset-list-definitions); the inverse of
 * lower_review.c. Settings at Graph's defaults (the ones lower_review.c states) are not
 * written. A scope, reviewer or recurrence the language cannot write is reported; without a
 * `review` or `recurrence` line the block does not compile and export keeps it commented out. */
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/raise_int.h"
#include "compiler/util.h"

#define GUESTS   "/transitiveMembers/microsoft.graph.user/?$count=true&$filter=(userType eq 'Guest')"
#define ROLE_RES "/roleManagement/directory/roleDefinitions/"

static const json_t *get(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void cannot(struct raise_block *b, const char *field, const json_t *v, const char *why)
{
    char *t = raise_json_text(v);
    raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field, "cannot express %s %s: %s", field, t, why);
    free(t);
}

/* The GUID between `prefix` and `suffix` in query `q`, arena; NULL when `q` is not that shape. */
static const char *id_in(struct raise *r, const char *q, const char *prefix, const char *suffix)
{
    size_t np = strlen(prefix), ns = strlen(suffix), nq = q ? strlen(q) : 0;
    if (!q || nq <= np + ns || strncmp(q, prefix, np) != 0 || strcmp(q + nq - ns, suffix) != 0)
        return NULL;
    return arena_strndup(r->arena, q + np, nq - np - ns);
}

static bool scope_is(const json_t *s, const char *query)
{
    const char *q = get_str(s, "query");
    return q && strcmp(q, query) == 0;
}

static void review_line(struct raise_block *b, const json_t *def)
{
    struct raise *r = b->r;
    const json_t *scope = get(def, "scope"), *inst = get(def, "instanceEnumerationScope");
    const char *type = get_str(scope, "@odata.type");
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, "review");
    if (!inst && type && strcmp(type, "#microsoft.graph.principalResourceMembershipsScope") == 0) {
        const json_t *ps = get(scope, "principalScopes"), *rs = get(scope, "resourceScopes");
        const char *rid = json_array_size(rs) == 1
                              ? id_in(r, get_str(json_array_get(rs, 0), "query"), ROLE_RES, "")
                              : NULL;
        const struct catalog_role *role = rid ? catalog_role_by_id(rid) : NULL;
        if (role && json_array_size(ps) == 2 && scope_is(json_array_get(ps, 0), "/users") &&
            scope_is(json_array_get(ps, 1), "/groups")) {
            line_word(&l, "role");
            line_str(&l, role->name);
            block_add_line(b, &l);
            return;
        }
    } else if (!inst) {
        const char *gid = id_in(r, get_str(scope, "query"), "/groups/", GUESTS);
        if (gid && catalog_is_guid(gid)) {
            line_word(&l, "guests");
            line_word(&l, "in");
            line_ref(b, &l, 3, "group", "group", gid, "scope");
            block_add_line(b, &l);
            return;
        }
    } else if (scope_is(inst, "/groups?$filter=(groupTypes/any(c:c+eq+'Unified'))&$count=true") &&
               scope_is(scope, "." GUESTS)) {
        line_word(&l, "guests");
        line_word(&l, "in");
        line_word(&l, "microsoft365_groups");
        block_add_line(b, &l);
        return;
    }
    free(l.v);
    cannot(b, "scope", inst ? inst : scope,
           "the language reviews a built-in role's holders, the guests of a group or the guests "
           "of every Microsoft 365 group");
}

/* `reviewers ...` (or `fallback_reviewers ...`) from a list of accessReviewReviewerScope. */
static void reviewers(struct raise_block *b, const json_t *list, bool fallback)
{
    const char *field = fallback ? "fallbackReviewers" : "reviewers";
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, fallback ? "fallback_reviewers" : "reviewers");
    if (!fallback && json_array_size(list) == 0) {
        line_word(&l, "self");
        block_add_line(b, &l);
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *q = get_str(v, "query"), *root = get_str(v, "queryRoot");
        const char *id;
        if (!fallback && q && strcmp(q, "./manager") == 0 && root &&
            strcmp(root, "decisions") == 0) {
            line_sep(&l, 1);
            line_word(&l, "managers");
        } else if (!fallback && q && strcmp(q, "./owners") == 0 && !root) {
            line_sep(&l, 1);
            line_word(&l, "group_owners");
        } else if ((id = id_in(b->r, q, "/users/", "")) && catalog_is_guid(id) && !root) {
            line_ref(b, &l, 1, "user", "user", id, field);
        } else if ((id = id_in(b->r, q, "/groups/", "/transitiveMembers")) && catalog_is_guid(id) &&
                   !root) {
            line_ref(b, &l, 1, "group", "group", id, field);
        } else {
            cannot(b, field, v, "a reviewer the language cannot write");
        }
    }
    if (l.n > 1)
        block_add_line(b, &l);
    else
        free(l.v);
}

static void recurrence(struct raise_block *b, const json_t *rec)
{
    const json_t *p = get(rec, "pattern"), *range = get(rec, "range");
    const char *pt = get_str(p, "type"), *rt = get_str(range, "type");
    const char *start = get_str(range, "startDate");
    json_int_t n = json_integer_value(get(p, "interval"));
    const char *every = NULL;
    if (pt && strcmp(pt, "weekly") == 0 && n == 1)
        every = "weekly";
    else if (pt && strcmp(pt, "absoluteMonthly") == 0)
        every = n == 1    ? "monthly"
                : n == 3  ? "quarterly"
                : n == 6  ? "semiannually"
                : n == 12 ? "annually"
                          : NULL;
    if (!every || !rt || strcmp(rt, "noEnd") != 0 || !start || strlen(start) < 10) {
        cannot(b, "settings.recurrence", rec,
               "the language writes a weekly, monthly, quarterly, semiannual or annual "
               "recurrence with no end");
        return;
    }
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, "recurrence");
    line_word(&l, every);
    line_word(&l, "from");
    line_str(&l, arena_strndup(b->r->arena, start, 10));
    block_add_line(b, &l);
}

static void on_off(struct raise_block *b, const json_t *st, const char *field, const char *kw,
                   bool dflt)
{
    const json_t *v = get(st, field);
    if (json_is_boolean(v) && json_is_true(v) != dflt)
        block_add(b, raise_stmt(b->r, "ww", kw, json_is_true(v) ? "on" : "off"));
}

static void settings(struct raise_block *b, const json_t *st)
{
    if (get(st, "recurrence"))
        recurrence(b, get(st, "recurrence"));
    const json_t *d = get(st, "instanceDurationInDays");
    if (json_is_integer(d) && json_integer_value(d) != 14) {
        json_int_t n = json_integer_value(d);
        if (n >= 1 && n <= 180) {
            struct raise_line l;
            line_init(&l, b->r);
            line_word(&l, "duration");
            line_duration(&l, (long long)n, "d");
            block_add_line(b, &l);
        } else {
            cannot(b, "settings.instanceDurationInDays", d, "the language writes 1d to 180d");
        }
    }
    on_off(b, st, "autoApplyDecisionsEnabled", "auto_apply", false);
    const char *dec = get_str(st, "defaultDecision");
    if (json_is_true(get(st, "defaultDecisionEnabled")) && dec) {
        static const char *const graph[] = {"Approve", "Deny", "Recommendation"};
        static const char *const words[] = {"approve", "deny", "recommendation"};
        size_t k = 0;
        while (k < 3 && !util_streq_nocase(graph[k], dec))
            k++;
        if (k < 3)
            block_add(b, raise_stmt(b->r, "ww", "if_no_response", words[k]));
        else
            cannot(b, "settings.defaultDecision", get(st, "defaultDecision"),
                   "the language writes Approve, Deny or Recommendation");
    }
    on_off(b, st, "justificationRequiredOnApproval", "justification_required", true);
    on_off(b, st, "recommendationsEnabled", "recommendations", true);
    const json_t *mail = get(st, "mailNotificationsEnabled"),
                 *remind = get(st, "reminderNotificationsEnabled");
    if (mail && remind && json_is_true(mail) != json_is_true(remind))
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "settings.reminderNotificationsEnabled",
                    "cannot express mail notifications %s with reminders %s: the language sets "
                    "both with 'notifications'",
                    json_is_true(mail) ? "on" : "off", json_is_true(remind) ? "on" : "off");
    else
        on_off(b, st, "mailNotificationsEnabled", "notifications", true);
}

struct ast_stmt *raise_access_review(struct raise *r, const json_t *def, const char *name)
{
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "access_review \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "access_review", name);
    const char *da = get_str(def, "descriptionForAdmins"),
               *dr = get_str(def, "descriptionForReviewers");
    if (da && *da) {
        block_add(&b, raise_stmt(r, "ws", "description", da));
        if (!dr || strcmp(da, dr) != 0)
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "descriptionForReviewers",
                        "cannot express a description for reviewers (\"%s\") other than the one "
                        "for admins: the language writes one description for both",
                        dr ? dr : "");
    }
    review_line(&b, def);
    reviewers(&b, get(def, "reviewers"), false);
    if (json_array_size(get(def, "fallbackReviewers")) > 0)
        reviewers(&b, get(def, "fallbackReviewers"), true);
    settings(&b, get(def, "settings"));
    return block_finish(&b, decl);
}
