/* lower_role.c — `role "Name" { active ...  eligible ... }` → one unifiedRoleAssignment per
 * active principal and one unifiedRoleEligibilityScheduleRequest per eligible principal
 * (facts.md §7.1, §7.2). The role name resolves at compile time to its template id, which
 * Graph accepts as roleDefinitionId for built-in roles. Only role-assignable groups can hold a
 * role (isAssignableToRole, group resource page), and PIM eligibility is for users and groups.
 * The block's PIM settings statements (activation_max_duration, notify, ...) go to
 * lower_pim.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

struct principal {
    const struct ast_atom *kw; /* user / group / service_principal */
    json_t *ref;
    bool eligible;
    const char *from, *until; /* eligible ... [from "DATE"] [until "DATE"]: ISO 8601, arena */
};

const char *lower_schedule_date(struct args *a, const char *what)
{
    const struct ast_atom *at = args_expect_string(a, what);
    if (!at)
        return NULL;
    const char *s = at->text;
    int y, mo, d, h = 0, mi = 0, se = 0;
    char tail[8] = "";
    int n = 0;
    bool ok = false;
    if (strlen(s) == 10)
        ok = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10;
    else if (strlen(s) == 20)
        ok = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%1s", &y, &mo, &d, &h, &mi, &se, tail) == 7 &&
             strcmp(tail, "Z") == 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!ok || y < 2000 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || se > 59 ||
        (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
        args_error(a, at,
                   "'%s' is not a date; write \"YYYY-MM-DD\" or \"YYYY-MM-DDThh:mm:ssZ\" (UTC)", s);
        return NULL;
    }
    return arena_printf(a->ck->arena, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, se);
}

/* The civil date `z` days after 1970-01-01 (H. Hinnant's algorithm, the inverse of the one in
 * lower_days_between). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

bool lower_schedule_window(struct args *a, const char *what, const char **from, const char **until)
{
    *from = *until = NULL;
    if (args_accept(a, "from") && !(*from = lower_schedule_date(a, "a start date")))
        return false;
    const struct ast_atom *until_at = args_peek(a);
    if (args_accept(a, "until") && !(*until = lower_schedule_date(a, "an end date")))
        return false;
    const struct ast_atom *for_at = args_peek(a);
    if (args_accept(a, "for")) {
        /* `from "DATE" for 90d`: PIM's duration, as an end date. A duration without its start
         * would end a different day at each plan (a perpetual diff), so it needs `from`. */
        const struct ast_atom *d = args_peek(a);
        if (!d || d->kind != AST_DURATION || strcmp(d->text, "d") != 0 || d->num < 1 ||
            d->num > 3650) {
            args_expected(a, "a duration in days, such as 180d (1d to 3650d)");
            return false;
        }
        if (*until) {
            args_error(a, for_at, "give 'until' or 'for', not both");
            return false;
        }
        if (!*from) {
            args_error(a, for_at,
                       "a duration needs its start, or the end would move with every plan: write "
                       "'from \"YYYY-MM-DD\" for %lldd', or give the end with 'until'",
                       d->num);
            return false;
        }
        a->i++;
        int y, m, dd;
        civil_from_days(lower_days_between("1970-01-01", *from) + (long)d->num, &y, &m, &dd);
        *until = arena_printf(a->ck->arena, "%04d-%02d-%02d%s", y, m, dd, *from + 10);
    }
    if (*from && *until && strcmp(*from, *until) >= 0) {
        args_error(a, until_at, "the %s ends (%s) before it starts (%s)", what, *until, *from);
        return false;
    }
    return true;
}

json_t *lower_schedule_info(const char *from, const char *until)
{
    json_t *exp = json_object();
    json_object_set_new(exp, "type", json_string(until ? "afterDateTime" : "noExpiration"));
    if (until)
        json_object_set_new(exp, "endDateTime", json_string(until));
    json_t *si = json_object();
    if (from)
        json_object_set_new(si, "startDateTime", json_string(from));
    json_object_set_new(si, "expiration", exp);
    return si;
}

struct role_state {
    struct check *ck;
    const struct catalog_role *role;
    struct principal *v;
    size_t n;
};

/* The `group "name" { ... }` declaration of this config, or NULL. */
static const struct ast_stmt *find_group_decl(const struct check *ck, const char *name)
{
    return check_decl_stmt(ck, BLK_GROUP, name);
}

static bool group_is_role_assignable(const struct ast_stmt *g)
{
    for (const struct ast_stmt *s = g->body; s; s = s->next)
        if (ast_is_word(&s->atoms[0], "role_assignable"))
            return true;
    return false;
}

static void stmt_principals(struct role_state *st, const struct ast_stmt *s, bool eligible)
{
    struct args a;
    args_init(&a, st->ck, s);
    size_t first = st->n;
    do {
        const struct ast_atom *kw = args_peek(&a);
        json_t *r = NULL;
        if (args_accept(&a, "user")) {
            r = args_ref(&a, "user", "a user principal name");
        } else if (args_accept(&a, "group")) {
            r = args_ref(&a, "group", "a group name");
        } else if (args_accept(&a, "service_principal")) {
            if (eligible) {
                args_error(&a, kw,
                           "PIM eligibility is for users and groups; assign a service principal "
                           "with 'active'");
                return;
            }
            r = args_ref(&a, "servicePrincipal", "a service principal name");
        } else {
            args_expected(&a, eligible ? "'user' or 'group'"
                                       : "'user', 'group' or 'service_principal'");
        }
        if (!r)
            return;
        const char *gname = json_string_value(json_object_get(r, "name"));
        if (ast_is_word(kw, "group") && gname) {
            const struct ast_stmt *g = find_group_decl(st->ck, gname);
            if (g && !group_is_role_assignable(g)) {
                args_error(&a, kw, "group \"%s\" cannot hold a role: it is not role-assignable",
                           gname);
                diag_note(st->ck->diag, g->atoms[1].loc,
                          "add 'role_assignable' to this group (possible only when it is "
                          "created)");
                json_decref(r);
                return;
            }
        }
        bool skip = false;
        for (size_t i = 0; i < st->n && !skip; i++) {
            struct principal *p = &st->v[i];
            if (!model_ref_equal(p->ref, r))
                continue;
            if (p->eligible == eligible) {
                diag_warning(st->ck->diag, kw->loc, "this principal is listed twice");
                diag_note(st->ck->diag, p->kw->loc, "first listed here");
                skip = true;
            } else {
                diag_warning(st->ck->diag, kw->loc,
                             "this principal is both active and eligible for %s; the active "
                             "assignment makes eligibility pointless",
                             st->role->name);
                diag_note(st->ck->diag, p->kw->loc, "%s here", p->eligible ? "eligible" : "active");
            }
        }
        if (skip) {
            json_decref(r);
            continue;
        }
        st->v = xrealloc(st->v, (st->n + 1) * sizeof(*st->v));
        st->v[st->n++] = (struct principal){kw, r, eligible, NULL, NULL};
    } while (args_comma(&a));
    /* a time-bound eligibility or active assignment: PIM's scheduleInfo ("Assign Microsoft Entra roles in Privileged
     * Identity Management", assignment type and duration) */
    const char *from, *until;
    if (!lower_schedule_window(&a, eligible ? "eligibility" : "assignment", &from, &until)) {
        while (st->n > first) /* reported: no further errors about this line's principals */
            json_decref(st->v[--st->n].ref);
        return;
    }
    if ((from || until) && !eligible) {
        /* a time-bound active assignment is a PIM schedule ("Assign Microsoft Entra roles in
         * Privileged Identity Management": assignment type Active, duration); a service
         * principal is assigned through roleAssignments only */
        for (size_t i = first; i < st->n; i++)
            if (ast_is_word(st->v[i].kw, "service_principal")) {
                args_error(&a, st->v[i].kw,
                           "a time-bound active assignment is for users and groups; assign a "
                           "service principal permanently (without 'until')");
                return;
            }
    }
    if (!args_expect_end(&a))
        return;
    for (size_t i = first; i < st->n; i++) {
        st->v[i].from = from;
        st->v[i].until = until;
    }
}

/* "Global Administrator: user a@contoso.com" / "...: group id 0000..." */
static char *object_name(const struct catalog_role *role, const struct principal *p)
{
    const char *name = json_string_value(json_object_get(p->ref, "name"));
    const char *id = json_string_value(json_object_get(p->ref, "id"));
    if (name)
        return xasprintf("%s: %s %s", role->name, p->kw->text, name);
    return xasprintf("%s: %s id %s", role->name, p->kw->text, id ? id : "");
}

static void emit(struct role_state *st, const struct principal *p)
{
    struct check *ck = st->ck;
    enum model_kind k = p->eligible ? MODEL_ROLE_ELIGIBILITY : MODEL_ROLE_ASSIGNMENT;
    char *name = object_name(st->role, p);
    struct model_object *prev = model_find(ck->model, k, name);
    if (prev) {
        diag_warning(ck->diag, p->kw->loc, "this %s is declared twice",
                     p->eligible ? "eligibility" : "assignment");
        diag_note(ck->diag, prev->loc, "first declared here");
        free(name);
        return;
    }
    struct model_object *o = model_add(ck->model, k, name, p->kw->loc);
    free(name);
    json_t *b = o->body;
    /* a time-bound active assignment is written as a unifiedRoleAssignmentScheduleRequest
     * (Graph v1.0 "Create roleAssignmentScheduleRequests"); a permanent one stays a
     * unifiedRoleAssignment (POST roleAssignments) */
    bool request = p->eligible || p->until || p->from;
    if (!p->eligible && request)
        json_object_set_new(model_extra(o), "request",
                            model_const_string("unifiedRoleAssignmentScheduleRequest"));
    if (request) {
        json_object_set_new(b, "action", model_const_string("adminAssign"));
        json_object_set_new(b, "justification", model_const_string("Managed by idpc"));
    }
    json_object_set_new(b, "roleDefinitionId", json_string(st->role->template_id));
    json_object_set(b, "principalId", p->ref);
    json_object_set_new(b, "directoryScopeId", model_const_string("/"));
    if (request)
        json_object_set_new(b, "scheduleInfo", lower_schedule_info(p->from, p->until));
}

long lower_days_between(const char *a, const char *b)
{
    int y1, m1, d1, y2, m2, d2;
    if (sscanf(a, "%4d-%2d-%2d", &y1, &m1, &d1) != 3 ||
        sscanf(b, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
        return 0;
    /* days since 1970-01-01 (civil calendar, H. Hinnant's algorithm) */
    long v[2];
    int ys[2] = {y1, y2}, ms[2] = {m1, m2}, ds[2] = {d1, d2};
    for (int i = 0; i < 2; i++) {
        int y = ys[i] - (ms[i] <= 2);
        long era = y / 400;
        long yoe = y - era * 400;
        long doy = (153 * (ms[i] + (ms[i] > 2 ? -3 : 9)) + 2) / 5 + ds[i] - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        v[i] = era * 146097 + doe - 719468;
    }
    return v[1] - v[0];
}

/* When the role's PIM settings require eligibilities (or active assignments) to end
 * (eligible_max_duration / active_max_duration Nd), PIM refuses a new permanent one and one
 * longer than the maximum ("Configure Microsoft Entra role settings in Privileged Identity
 * Management", Assignment duration). A permanent active assignment is made through
 * roleAssignments, which the rule does not govern: a warning. */
static void check_expiring(struct role_state *st, bool eligible)
{
    const struct model_object *pol = model_find(st->ck->model, MODEL_ROLE_POLICY, st->role->name);
    const char *rule_id = eligible ? "Expiration_Admin_Eligibility" : "Expiration_Admin_Assignment";
    const char *what = eligible ? "eligibilities" : "active assignments";
    const char *one = eligible ? "eligibility" : "active assignment";
    const char *stmt = eligible ? "eligible_max_duration" : "active_max_duration";
    const json_t *rule = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(pol ? pol->body : NULL, "rules"), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id && strcmp(id, rule_id) == 0)
            rule = r;
    }
    if (!rule || !json_is_true(json_object_get(rule, "isExpirationRequired")))
        return;
    long max = 0;
    (void)sscanf(json_string_value(json_object_get(rule, "maximumDuration")), "P%ldD", &max);
    for (size_t k = 0; k < st->n; k++) {
        const struct principal *p = &st->v[k];
        if (p->eligible != eligible)
            continue;
        if (!p->until && eligible) {
            diag_error(st->ck->diag, p->kw->loc,
                       "the PIM settings of %s require %s to end (%s %ldd), and PIM refuses a "
                       "permanent one; add 'until \"YYYY-MM-DD\"' to this line",
                       st->role->name, what, stmt, max);
        } else if (!p->until) {
            diag_warning(st->ck->diag, p->kw->loc,
                         "the PIM settings of %s require %s to end (%s %ldd), but this one is "
                         "permanent; add 'until \"YYYY-MM-DD\"' (emergency-access accounts "
                         "are the exception Microsoft makes: their role's setting is "
                         "'active_max_duration permanent')",
                         st->role->name, what, stmt, max);
        } else if (p->from && max > 0 && lower_days_between(p->from, p->until) > max) {
            diag_error(st->ck->diag, p->kw->loc,
                       "this %s lasts %ld days, longer than the %ldd its role's PIM settings "
                       "allow (%s)",
                       one, lower_days_between(p->from, p->until), max, stmt);
        }
    }
}

void lower_role(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                size_t n)
{
    const struct ast_atom *name = &decl->atoms[1];
    const struct catalog_role *role = catalog_role_by_name(name->text);
    if (!role) {
        const char *sug = catalog_role_suggest(name->text);
        if (sug)
            diag_error(ck->diag, name->loc, "unknown directory role \"%s\"; did you mean \"%s\"?",
                       name->text, sug);
        else
            diag_error(ck->diag, name->loc,
                       "unknown directory role \"%s\"; role names are spelled as in Microsoft's "
                       "permissions reference, such as \"Global Administrator\"",
                       name->text);
        return;
    }
    if (role->deprecated)
        diag_warning(ck->diag, name->loc,
                     "the role \"%s\" is deprecated; Microsoft advises against assigning it",
                     role->name);
    else if (strcmp(role->name, name->text) != 0)
        diag_warning(ck->diag, name->loc, "the role's name is \"%s\"; write it that way",
                     role->name);
    struct role_state st = {.ck = ck, .role = role};
    struct ast_stmt **settings = xcalloc(n + 1, sizeof(*settings));
    size_t nsettings = 0;
    for (size_t i = 0; i < n; i++) {
        struct ast_stmt *s = body[i];
        if (lower_pim_is_setting(s->atoms[0].text))
            settings[nsettings++] = s;
        else
            stmt_principals(&st, s, strcmp(s->atoms[0].text, "eligible") == 0);
    }
    lower_pim_settings(ck, role, decl, settings, nsettings);
    free(settings);
    check_expiring(&st, true);
    check_expiring(&st, false);
    if (n == 0)
        diag_warning(ck->diag, name->loc,
                     "role \"%s\" lists no principals; add 'active ...' or 'eligible ...'",
                     role->name);
    for (size_t i = 0; i < st.n; i++) {
        emit(&st, &st.v[i]);
        json_decref(st.v[i].ref);
    }
    free(st.v);
}
