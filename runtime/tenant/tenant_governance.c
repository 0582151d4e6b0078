/* tenant_governance.c — PIM for Groups and access reviews as a plan reads them (Graph v1.0
 * "List eligibilitySchedules", "List assignmentSchedules" of privilegedAccessGroup, which need a
 * filter on groupId or principalId; "List roleManagementPolicyAssignments" with scopeType
 * Group; "List definitions" of accessReviewSet). */
#include "runtime/tenant/tenant_governance.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
