/* tenant_governance.c — PIM for Groups and access reviews as a plan reads them (Graph v1.0
 * "List eligibilitySchedules", "List assignmentSchedules" of privilegedAccessGroup, which need a
 * filter on groupId or principalId; "List roleManagementPolicyAssignments" with scopeType
 * Group; "List definitions" of accessReviewSet). */
#include "runtime/tenant/tenant_governance.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/model.h"
#include "compiler/util.h"

static json_t *read_array(struct tenant *t, const char *path)
{
    json_t *out = NULL;
    struct backend_error err;
    if (backend_read(t->b, path, &out, &err) != 0 || !json_is_array(out)) {
        json_decref(out);
        return json_array();
    }
    return out;
}

json_t *tenant_group_pim_schedules(struct tenant *t, const char *group_id, bool eligible)
{
    char *path = xasprintf("%s" TENANT_GROUP_QUERY "%s",
                           eligible ? TENANT_PIM_GROUP_ELIG : TENANT_PIM_GROUP_ASSIGN, group_id);
    json_t *all = read_array(t, path);
    free(path);
    /* keep the group's own schedules (the file backend filters the same way) */
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        const char *g = json_string_value(json_object_get(v, "groupId"));
        if (g && strcasecmp(g, group_id) == 0)
            json_array_append(out, v);
    }
    json_decref(all);
    return out;
}

json_t *tenant_group_pim_policy(struct tenant *t, const char *group_id, const char *access)
{
    char *path = xasprintf(TENANT_PIM_ASSIGNMENTS TENANT_GROUP_QUERY "%s", group_id);
    json_t *assigns = read_array(t, path);
    free(path);
    json_t *policy = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(assigns, i, a)
    {
        const char *scope = json_string_value(json_object_get(a, "scopeId"));
        const char *rid = json_string_value(json_object_get(a, "roleDefinitionId"));
        const char *pid = json_string_value(json_object_get(a, "policyId"));
        if (!scope || !rid || !pid || strcasecmp(scope, group_id) != 0 ||
            strcasecmp(rid, access) != 0)
            continue;
        char *pp = xasprintf(TENANT_PIM_POLICIES "/%s", pid);
        struct backend_error err;
        if (backend_read(t->b, pp, &policy, &err) != 0 || !json_is_object(policy)) {
            json_decref(policy);
            policy = NULL;
        }
        free(pp);
        break;
    }
    json_decref(assigns);
    return policy;
}

json_t *tenant_access_reviews(struct tenant *t)
{
    return read_array(t, TENANT_ACCESS_REVIEWS);
}

static void append_all(json_t *colls, const char *path, json_t *items)
{
    json_t *list = json_object_get(colls, path);
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(colls, path, list);
    }
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        bool have = false;
        size_t j;
        json_t *w;
        json_array_foreach(list, j, w)
        {
            const char *wid = json_string_value(json_object_get(w, "id"));
            have = have || (id && wid && strcasecmp(id, wid) == 0);
        }
        if (!have)
            json_array_append(list, v);
    }
}

/* Is this group one whose PIM for Groups data a snapshot keeps? */
static bool snapshot_group(const struct model *m, const json_t *g)
{
    const char *dn = json_string_value(json_object_get(g, "displayName"));
    if (!m)
        return json_is_true(json_object_get(g, "isAssignableToRole"));
    for (size_t i = 0; i < m->n && dn; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_GROUP_PIM_POLICY && o->kind != MODEL_GROUP_PIM_ELIGIBILITY &&
            o->kind != MODEL_GROUP_PIM_ASSIGNMENT)
            continue;
        const json_t *ref = o->kind == MODEL_GROUP_PIM_POLICY ? json_object_get(o->extra, "groupId")
                                                              : json_object_get(o->body, "groupId");
        const char *name = json_string_value(json_object_get(ref, "name"));
        if (name && strcasecmp(name, dn) == 0)
            return true;
    }
    return false;
}

int tenant_governance_snapshot(struct backend *b, const struct model *m, json_t *colls,
                               struct backend_error *err)
{
    static const char *const paths[] = {TENANT_PIM_GROUP_ELIG, TENANT_PIM_GROUP_ASSIGN,
                                        TENANT_PIM_ASSIGNMENTS};
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(colls, "groups"), i, g)
    {
        const char *gid = json_string_value(json_object_get(g, "id"));
        if (!gid || !snapshot_group(m, g))
            continue;
        for (size_t p = 0; p < IDPC_ARRAY_LEN(paths); p++) {
            char *path = xasprintf("%s" TENANT_GROUP_QUERY "%s", paths[p], gid);
            json_t *items = NULL;
            int rc = backend_read(b, path, &items, err);
            free(path);
            if (rc != 0)
                return -1;
            append_all(colls, paths[p], json_is_array(items) ? items : NULL);
            if (p == 2) {
                size_t j;
                json_t *a;
                json_array_foreach(items, j, a)
                {
                    const char *pid = json_string_value(json_object_get(a, "policyId"));
                    char *pp = pid ? xasprintf(TENANT_PIM_POLICIES "/%s", pid) : NULL;
                    json_t *pol = NULL;
                    if (pp && backend_read(b, pp, &pol, err) != 0) {
                        free(pp);
                        json_decref(items);
                        return -1;
                    }
                    free(pp);
                    if (json_is_object(pol)) {
                        json_t *one = json_pack("[O]", pol);
                        append_all(colls, TENANT_PIM_POLICIES, one);
                        json_decref(one);
                    }
                    json_decref(pol);
                }
            }
            json_decref(items);
        }
    }
    if (!json_object_get(colls, TENANT_PIM_GROUP_ELIG))
        json_object_set_new(colls, TENANT_PIM_GROUP_ELIG, json_array());
    if (!json_object_get(colls, TENANT_PIM_GROUP_ASSIGN))
        json_object_set_new(colls, TENANT_PIM_GROUP_ASSIGN, json_array());
    return 0;
}
