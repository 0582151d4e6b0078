/* lower_consent.c — consent statements of `settings { ... }` (called from lower_settings.c).
 *   user_consent off | verified_publishers_low_impact | all_apps | policy "id"
 *       → authorizationPolicy defaultUserRolePermissions.permissionGrantPoliciesAssigned
 *         (Microsoft Learn, "Configure how users consent to applications": the permission grant
 *         policies "ManagePermissionGrantsForSelf.{id}" assigned to the default user role;
 *         microsoft-user-default-low is "apps from verified publishers, for selected
 *         permissions", the recommended setting; microsoft-user-default-legacy is "all apps")
 *   admin_consent_reviewers user "upn", group "name", role "Role name", ...
 *       → adminConsentRequestPolicy reviewers (accessReviewReviewerScope queries; Microsoft
 *         Learn, "Configure the admin consent workflow": reviewers are users, groups or roles) */
#include <string.h>

#include "compiler/check_int.h"

#define SELF_PREFIX "ManagePermissionGrantsForSelf."

json_t *lower_user_consent(struct args *a)
{
    static const char *const words[] = {"off", "verified_publishers_low_impact", "all_apps",
                                        "policy"};
    int k = args_expect_word(a, "user consent setting", words, IDPC_ARRAY_LEN(words));
    switch (k) {
    case 0:
        return json_array();
    case 1:
        return json_pack("[s]", SELF_PREFIX "microsoft-user-default-low");
    case 2:
        return json_pack("[s]", SELF_PREFIX "microsoft-user-default-legacy");
    case 3: {
        const struct ast_atom *v = args_expect_string(a, "a permission grant policy id");
        if (!v)
            return NULL;
        if (v->len == 0 || strpbrk(v->text, " \t\r\n/")) {
            args_error(a, v,
                       "'%s' is not a permission grant policy id (such as "
                       "\"microsoft-user-default-low\")",
                       v->text);
            return NULL;
        }
        const char *id = v->text;
        if (strncmp(id, SELF_PREFIX, strlen(SELF_PREFIX)) == 0)
            id += strlen(SELF_PREFIX);
        return json_pack("[s+]", SELF_PREFIX, id);
    }
    default:
        return NULL;
    }
}

/* A reference whose resolved id is written between prefix and suffix (runtime/plan/resolve.c):
 * a reviewer query names the object inside a path. */
static json_t *query_ref(json_t *ref, const char *prefix, const char *suffix)
{
    json_object_set_new(ref, "prefix", json_string(prefix));
    if (suffix)
        json_object_set_new(ref, "suffix", json_string(suffix));
    return json_pack("{s:o,s:s}", "query", ref, "queryType", "MicrosoftGraph");
}

json_t *lower_consent_reviewers(struct args *a)
{
    static const char *const kinds[] = {"user", "group", "role"};
    json_t *out = json_array();
    do {
        int k = args_expect_word(a, "a reviewer (user, group or role)", kinds, 3);
        if (k < 0)
            goto fail;
        if (k == 2) {
            const struct ast_atom *n = args_expect_string(a, "a directory role name");
            if (!n)
                goto fail;
            const struct catalog_role *role = catalog_role_by_name(n->text);
            if (!role) {
                const char *sug = catalog_role_suggest(n->text);
                if (sug)
                    args_error(a, n, "unknown directory role \"%s\"; did you mean \"%s\"?", n->text,
                               sug);
                else
                    args_error(a, n,
                               "unknown directory role \"%s\"; role names are spelled as in "
                               "Microsoft's permissions reference",
                               n->text);
                goto fail;
            }
            char *q = arena_printf(a->ck->arena,
                                   "/beta/roleManagement/directory/roleAssignments?$filter="
                                   "roleDefinitionId eq '%s'",
                                   role->template_id);
            json_array_append_new(
                out, json_pack("{s:s,s:s}", "query", q, "queryType", "MicrosoftGraph"));
            continue;
        }
        json_t *ref = args_ref(a, kinds[k], k == 0 ? "a user principal name" : "a group name");
        if (!ref)
            goto fail;
        json_array_append_new(
            out, k == 0 ? query_ref(ref, "/users/", NULL)
                        : query_ref(ref, "/groups/", "/transitiveMembers/microsoft.graph.user"));
    } while (args_comma(a));
    return out;
fail:
    json_decref(out);
    return NULL;
}
