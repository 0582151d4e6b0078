/* tenant_active.c — time-bound active role assignments: the PIM schedules
 * (roleManagement/directory/roleAssignmentSchedules, Graph v1.0 unifiedRoleAssignmentSchedule)
 * merged into the tenant's list of active assignments, so that plan, lockout and export see one
 * active assignment per principal, role and scope, with its scheduleInfo when it ends.
 * Microsoft Entra lists a PIM-made active assignment both as a roleAssignment and as a
 * schedule ("List roleAssignmentSchedules", "Assign Microsoft Entra roles in Privileged Identity
 * Management"); a schedule that has not started yet has no roleAssignment. */
#include "runtime/tenant/tenant.h"

#include <string.h>
#include <strings.h>

static bool same_str(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);
    return x && y && strcasecmp(x, y) == 0;
}

static bool same_triple(const json_t *a, const json_t *b)
{
    const char *sa = json_string_value(json_object_get(a, "directoryScopeId"));
    const char *sb = json_string_value(json_object_get(b, "directoryScopeId"));
    return same_str(json_object_get(a, "principalId"), json_object_get(b, "principalId")) &&
           same_str(json_object_get(a, "roleDefinitionId"),
                    json_object_get(b, "roleDefinitionId")) &&
           strcmp(sa ? sa : "/", sb ? sb : "/") == 0;
}

/* A schedule that ends: expiration type afterDateTime or afterDuration. */
bool tenant_schedule_ends(const json_t *schedule)
{
    const json_t *exp = json_object_get(json_object_get(schedule, "scheduleInfo"), "expiration");
    const char *type = json_string_value(json_object_get(exp, "type"));
    return type && strcmp(type, "noExpiration") != 0;
}

json_t *tenant_merge_active(const json_t *assignments, const json_t *schedules)
{
    json_t *out = json_deep_copy(assignments);
    if (!out)
        out = json_array();
    for (size_t i = 0; i < json_array_size(schedules); i++) {
        const json_t *s = json_array_get(schedules, i);
        if (!tenant_schedule_ends(s))
            continue; /* a permanent assignment is the roleAssignment itself */
        json_t *hit = NULL;
        size_t j;
        json_t *a;
        json_array_foreach(out, j, a)
        {
            if (same_triple(a, s)) {
                hit = a;
                break;
            }
        }
        if (!hit) {
            hit = json_object();
            json_object_set(hit, "id", json_object_get(s, "id"));
            json_object_set(hit, "principalId", json_object_get(s, "principalId"));
            json_object_set(hit, "roleDefinitionId", json_object_get(s, "roleDefinitionId"));
            json_object_set(hit, "directoryScopeId", json_object_get(s, "directoryScopeId"));
            json_array_append_new(out, hit);
        }
        json_t *si = json_deep_copy(json_object_get(s, "scheduleInfo"));
        json_object_set_new(hit, "scheduleInfo", si);
    }
    return out;
}
