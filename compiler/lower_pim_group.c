/* lower_pim_group.c — `pim_group "Name" { ... }`: PIM for Groups ("Privileged Identity Management
 * (PIM) for Groups", https://learn.microsoft.com/entra/id-governance/privileged-identity-management/concept-pim-for-groups).
 *
 *   eligible member|owner PRINCIPALS [from DATE] [until DATE]
 *       → one privilegedAccessGroupEligibilityScheduleRequest (adminAssign) per principal
 *   active member|owner PRINCIPALS [from DATE] [until DATE]
 *       → one privilegedAccessGroupAssignmentScheduleRequest (adminAssign) per principal
 *   member SETTING ... / owner SETTING ...
 *       → the rules of the group's member or owner unifiedRoleManagementPolicy (scope Group),
 *         the same settings as a role block's (lower_pim.c)
 *
 * Microsoft recommends PIM for Groups to grant roles just in time through role-assignable
 * groups; a role-assignable group cannot have groups as members ("Use Microsoft Entra groups to
 * manage role assignments"), so a group principal is refused there. PIM never lets the requester
 * approve their own activation ("Approve or deny requests for group membership or ownership in
 * PIM"): an approval whose only approver is an eligible principal locks that principal out. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

struct grant {
    const struct ast_atom *kw; /* user / group */
    json_t *ref;
    bool eligible;
    const char *access; /* "member" / "owner" */
    const char *from, *until;
};

struct pim_group {
    struct check *ck;
    const char *group;
    json_t *group_ref;
    bool role_assignable;
    struct grant *v;
    size_t n;
};

static bool decl_role_assignable(const struct ast_stmt *g)
{
    for (const struct ast_stmt *s = g ? g->body : NULL; s; s = s->next)
        if (ast_is_word(&s->atoms[0], "role_assignable"))
            return true;
    return false;
}

static void grants(struct pim_group *pg, const struct ast_stmt *s, bool eligible)
{
    static const char *const access[] = {"member", "owner"};
    struct args a;
    args_init(&a, pg->ck, s);
    int acc = args_expect_word(&a, "member or owner", access, 2);
    if (acc < 0)
        return;
    size_t first = pg->n;
    do {
        const struct ast_atom *kw = args_peek(&a);
        json_t *r = NULL;
        if (args_accept(&a, "user")) {
            r = args_ref(&a, "user", "a user principal name");
        } else if (args_accept(&a, "group")) {
            if (pg->role_assignable && acc == 0) {
                args_error(&a, kw,
                           "group \"%s\" is role-assignable, and a role-assignable group cannot "
                           "have groups as members; make the group's users eligible instead",
                           pg->group);
                return;
            }
            r = args_ref(&a, "group", "a group name");
        } else {
            args_expected(&a, "'user' or 'group'");
        }
        if (!r)
            return;
        bool skip = false;
        for (size_t i = 0; i < pg->n && !skip; i++) {
            const struct grant *g = &pg->v[i];
            if (!model_ref_equal(g->ref, r) || strcmp(g->access, access[acc]) != 0)
                continue;
            if (g->eligible == eligible) {
                diag_warning(pg->ck->diag, kw->loc, "this principal is listed twice");
                diag_note(pg->ck->diag, g->kw->loc, "first listed here");
                skip = true;
            } else {
                diag_warning(pg->ck->diag, kw->loc,
                             "this principal is both active and eligible %s of \"%s\"; the active "
                             "assignment makes eligibility pointless",
                             access[acc], pg->group);
                diag_note(pg->ck->diag, g->kw->loc, "%s here", g->eligible ? "eligible" : "active");
            }
        }
        if (skip) {
            json_decref(r);
            continue;
        }
        pg->v = xrealloc(pg->v, (pg->n + 1) * sizeof(*pg->v));
        pg->v[pg->n++] = (struct grant){kw, r, eligible, access[acc], NULL, NULL};
    } while (args_comma(&a));
    const char *from, *until;
    if (!lower_schedule_window(&a, eligible ? "eligibility" : "assignment", &from, &until)) {
        while (pg->n > first) /* reported: no further errors about this line's principals */
            json_decref(pg->v[--pg->n].ref);
        return;
    }
    if (!args_expect_end(&a))
        return;
    for (size_t i = first; i < pg->n; i++) {
        pg->v[i].from = from;
        pg->v[i].until = until;
    }
}

/* "Tier 0: eligible member user a@contoso.com" */
static char *grant_name(const struct pim_group *pg, const struct grant *g)
{
    const char *name = json_string_value(json_object_get(g->ref, "name"));
    const char *id = json_string_value(json_object_get(g->ref, "id"));
    return xasprintf("%s: %s %s %s %s%s", pg->group, g->eligible ? "eligible" : "active", g->access,
                     g->kw->text, name ? "" : "id ",
                     name ? name
                     : id ? id
                          : "");
}

static void emit(struct pim_group *pg, const struct grant *g)
{
    struct check *ck = pg->ck;
    enum model_kind k = g->eligible ? MODEL_GROUP_PIM_ELIGIBILITY : MODEL_GROUP_PIM_ASSIGNMENT;
    char *name = grant_name(pg, g);
    struct model_object *prev = model_find(ck->model, k, name);
    if (prev) {
        diag_warning(ck->diag, g->kw->loc, "this %s is declared twice",
                     g->eligible ? "eligibility" : "assignment");
        diag_note(ck->diag, prev->loc, "first declared here");
        free(name);
        return;
    }
    struct model_object *o = model_add(ck->model, k, name, g->kw->loc);
    free(name);
    json_t *b = o->body;
    json_object_set_new(b, "accessId", json_string(g->access));
    json_object_set(b, "principalId", g->ref);
    json_object_set(b, "groupId", pg->group_ref);
    json_object_set_new(b, "action", model_const_string("adminAssign"));
    json_object_set_new(b, "justification", model_const_string("Managed by idpc"));
    json_object_set_new(b, "scheduleInfo", lower_schedule_info(g->from, g->until));
}

/* The approvers of an Approval_EndUser_Assignment rule are users only, and all the same one:
 * that user's id reference, else NULL. */
static const json_t *sole_approver(const json_t *rules)
{
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!id || strcmp(id, "Approval_EndUser_Assignment") != 0)
            continue;
        const json_t *st = json_object_get(r, "setting");
        if (!json_is_true(json_object_get(st, "isApprovalRequired")))
            return NULL;
        const json_t *only = NULL;
        size_t j, k;
        json_t *stage, *who;
        json_array_foreach(json_object_get(st, "approvalStages"), j, stage)
        {
            json_array_foreach(json_object_get(stage, "primaryApprovers"), k, who)
            {
                const json_t *u = json_object_get(who, "userId");
                if (!u)
                    return NULL;
                if (only && !model_ref_equal(only, u))
                    return NULL;
                only = u;
            }
        }
        return only;
    }
    return NULL;
}

static void settings(struct pim_group *pg, const struct ast_stmt *decl, const char *access,
                     struct ast_stmt *const *stmts, size_t n)
{
    struct check *ck = pg->ck;
    char *where = xasprintf("the %s settings of this pim_group block", access);
    json_t *rules = lower_pim_rules(ck, stmts, n, 1, where);
    free(where);
    if (!rules)
        return;
    const json_t *only = sole_approver(rules);
    for (size_t i = 0; i < pg->n && only; i++) {
        const struct grant *g = &pg->v[i];
        if (g->eligible && strcmp(g->access, access) == 0 && model_ref_equal(g->ref, only)) {
            diag_error(ck->diag, g->kw->loc,
                       "this principal's only approver for activating %s of \"%s\" is itself, "
                       "and PIM never lets a requester approve their own request: the "
                       "eligibility could never be activated",
                       access, pg->group);
            for (size_t j = 0; j < n; j++)
                if (ast_is_word(&stmts[j]->atoms[1], "activation_approval"))
                    diag_note(ck->diag, stmts[j]->atoms[1].loc, "approval set here");
        }
    }
    char *name = xasprintf("%s: %s", pg->group, access);
    struct model_object *o = model_add(ck->model, MODEL_GROUP_PIM_POLICY, name, decl->atoms[1].loc);
    free(name);
    json_object_set_new(o->body, "rules", rules);
    json_object_set(model_extra(o), "groupId", pg->group_ref);
    json_object_set_new(model_extra(o), "roleDefinitionId", json_string(access));
    json_object_set_new(model_extra(o), "scopeType", model_const_string("Group"));
}

void lower_pim_group(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                     size_t n)
{
    const struct ast_atom *name = &decl->atoms[1];
    const struct ast_stmt *gdecl = check_decl_stmt(ck, BLK_GROUP, name->text);
    struct pim_group pg = {.ck = ck,
                           .group = name->text,
                           .group_ref =
                               model_ref_name("group", name->text, check_at(ck, name->loc)),
                           .role_assignable = decl_role_assignable(gdecl)};
    struct ast_stmt **member = xcalloc(n + 1, sizeof(*member));
    struct ast_stmt **owner = xcalloc(n + 1, sizeof(*owner));
    size_t nm = 0, no = 0;
    for (size_t i = 0; i < n; i++) {
        struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (strcmp(kw, "eligible") == 0 || strcmp(kw, "active") == 0) {
            grants(&pg, s, kw[0] == 'e');
            continue;
        }
        if (s->natoms < 2 || s->atoms[1].kind != AST_WORD ||
            !lower_pim_is_setting(s->atoms[1].text)) {
            struct args a;
            args_init(&a, ck, s);
            args_expected(&a, "a PIM setting such as activation_max_duration, "
                              "activation_requires or activation_approval");
            continue;
        }
        if (kw[0] == 'm')
            member[nm++] = s;
        else
            owner[no++] = s;
    }
    settings(&pg, decl, "member", member, nm);
    settings(&pg, decl, "owner", owner, no);
    free(member);
    free(owner);
    if (n == 0)
        diag_warning(ck->diag, name->loc,
                     "pim_group \"%s\" states nothing; add 'eligible member user \"...\"' or a "
                     "setting such as 'member activation_max_duration 4h'",
                     name->text);
    for (size_t i = 0; i < pg.n; i++) {
        emit(&pg, &pg.v[i]);
        json_decref(pg.v[i].ref);
    }
    free(pg.v);
    json_decref(pg.group_ref);
}
