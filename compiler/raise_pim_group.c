/* raise_pim_group.c — `pim_group "Group" { ... }` from a group's PIM for Groups schedules
 * (privilegedAccessGroupEligibilitySchedule / AssignmentSchedule, as Graph v1.0 lists them) and
 * its member and owner unifiedRoleManagementPolicy (scope Group, rules expanded); the inverse of
 * lower_pim_group.c ("Privileged Identity Management (PIM) for Groups",
 * https://learn.microsoft.com/entra/id-governance/privileged-identity-management/concept-pim-for-groups). */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"
#include "compiler/util.h"

static const json_t *get(const json_t *o, const char *k)
{
    return json_object_get(o, k);
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The end date as the language writes it ("2027-06-30", or "2027-06-30T18:00:00Z"), arena;
 * NULL when the schedule has none. */
static const char *until_of(struct raise *r, const json_t *s)
{
    const json_t *e = get(get(s, "scheduleInfo"), "expiration");
    const char *t = get_str(e, "type"), *end = get_str(e, "endDateTime");
    if (!t || strcmp(t, "afterDateTime") != 0 || !end || strlen(end) < 19 || end[10] != 'T')
        return NULL;
    return strncmp(end + 10, "T00:00:00", 9) == 0 ? arena_strndup(r->arena, end, 10)
                                                  : arena_printf(r->arena, "%.19sZ", end);
}

/* Whether schedule `s` can be written; reports why not. */
static bool writable(struct raise_block *b, const json_t *s, bool eligible)
{
    const char *field = eligible ? "eligibilitySchedules" : "assignmentSchedules";
    const char *what = eligible ? "eligibility" : "assignment";
    const char *pid = get_str(s, "principalId"), *acc = get_str(s, "accessId");
    const char *exp = get_str(get(get(s, "scheduleInfo"), "expiration"), "type");
    if (!pid || !acc || (strcmp(acc, "member") != 0 && strcmp(acc, "owner") != 0)) {
        char *t = raise_json_text(s);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the PIM for Groups %s %s: no principal, or an access other "
                    "than member or owner",
                    what, t);
        free(t);
        return false;
    }
    if (exp && strcmp(exp, "noExpiration") != 0 && !until_of(b->r, s)) {
        const json_t *e = get(get(s, "scheduleInfo"), "expiration");
        const char *d = get_str(e, "duration");
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the time-bound %s %s of principal %s (expiration %s%s%s): the "
                    "language writes an end date ('until'), not a duration",
                    acc, what, pid, exp, d ? " " : "", d ? d : "");
        return false;
    }
    return true;
}

/* Inherited schedules (memberType other than Direct) are not requests of their own. */
static bool direct(const json_t *s)
{
    const char *mt = get_str(s, "memberType");
    return !mt || util_streq_nocase(mt, "Direct");
}

static void principal(struct raise_block *b, struct raise_line *l, const json_t *s, bool eligible)
{
    const char *field = eligible ? "eligibilitySchedules" : "assignmentSchedules";
    const char *pid = get_str(s, "principalId"), *name;
    if (raise_names_name(b->r->names, "group", pid, &name) != RAISE_NAME_UNKNOWN)
        line_ref(b, l, 2, "group", "group", pid, field);
    else if (raise_names_name(b->r->names, "user", pid, &name) != RAISE_NAME_UNKNOWN)
        line_ref(b, l, 2, "user", "user", pid, field);
    else
        raise_issue(b->r, b, RAISE_ISSUE_DANGLING, field,
                    "the PIM for Groups %s's principal %s is not a user or group of the tenant "
                    "(a deleted object?); not written",
                    eligible ? "eligibility" : "assignment", pid ? pid : "?");
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `eligible|active member|owner PRINCIPALS [until DATE]`: one line per access and end date,
 * permanent first, then by end date. */
static void grants(struct raise_block *b, const json_t *list, bool eligible)
{
    static const char *const access[] = {"member", "owner"};
    size_t n = json_array_size(list);
    const char **ends = xcalloc(n + 1, sizeof(*ends));
    for (size_t a = 0; a < 2; a++) {
        size_t nends = 0;
        size_t i;
        const json_t *s;
        json_array_foreach(list, i, s)
        {
            if (!direct(s) || !util_streq_nocase(get_str(s, "accessId"), access[a]))
                continue;
            const char *u = until_of(b->r, s);
            size_t k = 0;
            while (u && k < nends && strcmp(ends[k], u) != 0)
                k++;
            if (u && k == nends)
                ends[nends++] = u;
        }
        qsort(ends, nends, sizeof(*ends), str_cmp);
        for (size_t e = 0; e <= nends; e++) {
            const char *until = e ? ends[e - 1] : NULL;
            struct raise_line l;
            line_init(&l, b->r);
            line_word(&l, eligible ? "eligible" : "active");
            line_word(&l, access[a]);
            json_array_foreach(list, i, s)
            {
                if (!direct(s) || !util_streq_nocase(get_str(s, "accessId"), access[a]))
                    continue;
                const char *u = until_of(b->r, s);
                if ((u == NULL) != (until == NULL) || (u && strcmp(u, until) != 0))
                    continue;
                if (writable(b, s, eligible))
                    principal(b, &l, s, eligible);
            }
            line_sort_items(&l, 2);
            if (l.n > 2) {
                if (until) {
                    line_word(&l, "until");
                    line_str(&l, until);
                }
                block_add_line(b, &l);
            } else {
                free(l.v);
            }
        }
    }
    /* the ones no line took: an access that is neither member nor owner */
    size_t i;
    const json_t *s;
    json_array_foreach(list, i, s)
    {
        const char *acc = get_str(s, "accessId");
        if (direct(s) && !util_streq_nocase(acc, "member") && !util_streq_nocase(acc, "owner"))
            writable(b, s, eligible);
    }
    free(ends);
}

struct ast_stmt *raise_pim_group(struct raise *r, const char *group, const json_t *eligibilities,
                                 const json_t *assignments, const json_t *member_policy,
                                 const json_t *owner_policy)
{
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "pim_group \"%s\"", group));
    struct ast_stmt *decl = raise_decl(r, "pim_group", group);
    grants(&b, eligibilities, true);
    grants(&b, assignments, false);
    if (member_policy) {
        b.lead = "member";
        raise_pim_settings(&b, member_policy);
    }
    if (owner_policy) {
        b.lead = "owner";
        raise_pim_settings(&b, owner_policy);
    }
    b.lead = NULL;
    return block_finish(&b, decl);
}
