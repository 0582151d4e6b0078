/* resolve_governance.c — matching PIM for Groups schedule requests, group PIM policies and
 * access review definitions to the tenant (resolve_governance.h). */
#include "runtime/plan/resolve_governance.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/util.h"
#include "runtime/tenant/tenant_governance.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool ieq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

static void take(struct resolve_object *ro, json_t *cur, const char *id)
{
    ro->current = json_incref(cur);
    ro->current_id = xstrdup(id);
    ro->current_name = xstrdup(ro->obj->name);
}

void resolve_governance_match(struct resolve *r, struct resolve_object *ro, struct strmap *claimed)
{
    enum model_kind k = ro->obj->kind;
    if (k == MODEL_ACCESS_REVIEW) {
        json_t *list = tenant_access_reviews(r->t);
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
        {
            const char *id = str(v, "id");
            if (id && !strmap_get(claimed, id, NULL) && ieq(str(v, "displayName"), ro->obj->name)) {
                strmap_put(claimed, id, 1);
                take(ro, v, id);
                ro->case_only = strcmp(str(v, "displayName"), ro->obj->name) != 0;
                break;
            }
        }
        json_decref(list);
        return;
    }
    if (k != MODEL_GROUP_PIM_ELIGIBILITY && k != MODEL_GROUP_PIM_ASSIGNMENT)
        return;
    const char *gid = str(ro->body, "groupId");
    if (!gid || strncmp(gid, RESOLVE_NEW_PREFIX, strlen(RESOLVE_NEW_PREFIX)) == 0)
        return; /* a group this plan creates has no schedules yet */
    json_t *list = tenant_group_pim_schedules(r->t, gid, k == MODEL_GROUP_PIM_ELIGIBILITY);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = str(v, "id");
        if (id && !strmap_get(claimed, id, NULL) &&
            ieq(str(v, "principalId"), str(ro->body, "principalId")) &&
            ieq(str(v, "accessId"), str(ro->body, "accessId"))) {
            strmap_put(claimed, id, 1);
            take(ro, v, id);
            break;
        }
    }
    json_decref(list);
}

void resolve_governance_policy(struct resolve *r, struct resolve_object *ro, const char *group_id)
{
    const char *access = str(ro->obj->extra, "roleDefinitionId");
    if (!group_id || !access)
        return;
    if (strncmp(group_id, RESOLVE_NEW_PREFIX, strlen(RESOLVE_NEW_PREFIX)) == 0) {
        json_array_append_new(
            r->notes, json_pack("{s:s+}", "message", "the PIM settings of \"", ro->obj->name,
                                "\" are planned once the group exists (plan again after apply)"));
        return;
    }
    json_t *p = tenant_group_pim_policy(r->t, group_id, access);
    if (!p) {
        const char *gname = str(json_object_get(ro->obj->extra, "groupId"), "name");
        diag_error(r->diag, ro->obj->loc,
                   "the tenant has no PIM policy for the %s of group \"%s\" (no "
                   "roleManagementPolicyAssignment with scopeType Group, scopeId %s and "
                   "roleDefinitionId %s); idpc updates the policy Microsoft Entra keeps for a "
                   "group and never creates one",
                   access, gname ? gname : group_id, group_id, access);
        r->errors++;
        return;
    }
    take(ro, p, str(p, "id") ? str(p, "id") : "");
    json_decref(p);
}

static void fix_query(json_t *q)
{
    json_t *id = json_object_get(q, "$id");
    const char *query = str(q, "query");
    if (!json_is_string(id) || !query)
        return;
    const char *at = strstr(query, "{id}");
    if (at) {
        char *s = xasprintf("%.*s%s%s", (int)(at - query), query, json_string_value(id), at + 4);
        json_object_set_new(q, "query", json_string(s));
        free(s);
    }
    json_object_del(q, "$id");
}

void resolve_review_queries(json_t *body)
{
    fix_query(json_object_get(body, "scope"));
    const char *lists[] = {"reviewers", "fallbackReviewers"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *q;
        json_array_foreach(json_object_get(body, lists[l]), i, q)
        {
            fix_query(q);
        }
    }
}
