/* export_gov.c — reading a group's PIM for Groups for export (Graph v1.0 "List
 * eligibilitySchedules" and "List assignmentSchedules" of privilegedAccessGroup filtered on
 * groupId, "List roleManagementPolicyAssignments" with scopeType Group). */
#include "runtime/export/export_gov.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/tenant/tenant_governance.h"

static json_t *read_list(struct backend *b, const char *base, const char *gid, char **failed)
{
    char *path = xasprintf("%s" TENANT_GROUP_QUERY "%s", base, gid);
    json_t *all = NULL;
    struct backend_error err;
    json_t *out = json_array();
    int rc = backend_read(b, path, &all, &err);
    if (rc != 0 && !*failed)
        *failed = xasprintf("%s: %s", path, err.message);
    if (rc == 0 && json_is_array(all)) {
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v)
        {
            const char *g = json_string_value(json_object_get(v, "groupId"));
            const char *scope = json_string_value(json_object_get(v, "scopeId"));
            if (util_streq_nocase(g ? g : scope, gid))
                json_array_append(out, v);
        }
    }
    json_decref(all);
    free(path);
    return out;
}

json_t *export_gov_pim_group(struct backend *b, const char *gid, char **failed)
{
    if (!gid)
        return NULL;
    json_t *elig = read_list(b, TENANT_PIM_GROUP_ELIG, gid, failed);
    json_t *assign = read_list(b, TENANT_PIM_GROUP_ASSIGN, gid, failed);
    if (json_array_size(elig) + json_array_size(assign) == 0) {
        json_decref(elig);
        json_decref(assign);
        return NULL;
    }
    json_t *out = json_object();
    json_object_set_new(out, "eligibilities", elig);
    json_object_set_new(out, "assignments", assign);
    json_t *pas = read_list(b, TENANT_PIM_ASSIGNMENTS, gid, failed);
    size_t i;
    json_t *a;
    json_array_foreach(pas, i, a)
    {
        const char *rid = json_string_value(json_object_get(a, "roleDefinitionId"));
        const char *pid = json_string_value(json_object_get(a, "policyId"));
        if (!rid || !pid || (strcmp(rid, "member") != 0 && strcmp(rid, "owner") != 0) ||
            json_object_get(out, rid))
            continue;
        char *pp = xasprintf(TENANT_PIM_POLICIES "/%s", pid);
        json_t *policy = NULL;
        struct backend_error err;
        if (backend_read(b, pp, &policy, &err) == 0 && json_is_object(policy))
            json_object_set(out, rid, policy);
        else if (!*failed)
            *failed = xasprintf("%s: %s", pp, err.message);
        json_decref(policy);
        free(pp);
    }
    json_decref(pas);
    return out;
}
