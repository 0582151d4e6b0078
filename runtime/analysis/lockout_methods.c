/* lockout_methods.c — see lockout_methods.h. Targets follow the authenticationMethodsPolicy
 * resource of Graph v1.0: includeTargets and excludeTargets name groups (or "all_users"); a
 * disabled configuration lets no one use the method (Microsoft Learn, "Manage authentication
 * methods for Microsoft Entra ID"). */
#include "runtime/analysis/lockout_methods.h"
#include "compiler/util.h"

#include <string.h>
#include <strings.h>

#define METHODS_POLICY "policies/authenticationMethodsPolicy"
#define METHOD_CONFIGS METHODS_POLICY "/authenticationMethodConfigurations/"
#define ALL_USERS      "all_users"

const char *lockout_method_of(const char *cap)
{
    static const struct {
        const char *cap, *method;
    } map[] = {
        {"fido2", "Fido2"},
        {"x509_multifactor", "X509Certificate"},
        {"x509CertificateMultiFactor", "X509Certificate"},
    };
    for (size_t i = 0; cap && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(cap, map[i].cap) == 0)
            return map[i].method;
    return NULL;
}

const json_t *lockout_method_find(const json_t *configs, const char *id)
{
    size_t i;
    json_t *c;
    json_array_foreach(util_json_mut(configs), i, c)
    {
        const char *cid = json_string_value(json_object_get(c, "id"));
        if (cid && id && strcasecmp(cid, id) == 0)
            return c;
    }
    return NULL;
}

json_t *lockout_methods_after(const json_t *policy, const json_t *plan)
{
    json_t *out = json_deep_copy(json_object_get(policy, "authenticationMethodConfigurations"));
    if (!json_is_array(out)) {
        json_decref(out);
        out = json_array();
    }
    size_t n = strlen(METHOD_CONFIGS), i, j;
    json_t *a, *r;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            const char *method = json_string_value(json_object_get(r, "method"));
            const char *path = json_string_value(json_object_get(r, "path"));
            const json_t *body = json_object_get(r, "body");
            if (!method || !path || strcmp(method, "PATCH") != 0 ||
                strncmp(path, METHOD_CONFIGS, n) != 0 || !json_is_object(body))
                continue;
            json_t *cfg = util_json_mut(lockout_method_find(out, path + n));
            if (!cfg) {
                cfg = json_pack("{s:s}", "id", path + n);
                json_array_append_new(out, cfg);
            }
            const char *k;
            json_t *v;
            json_object_foreach(util_json_mut(body), k, v)
            {
                if (strcmp(k, "id") != 0)
                    json_object_set(cfg, k, v);
            }
        }
    }
    return out;
}

static bool targets_hit(const json_t *targets, lockout_member_fn member, void *arg)
{
    size_t i;
    json_t *t;
    json_array_foreach(util_json_mut(targets), i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        if (!id)
            continue;
        if (strcasecmp(id, ALL_USERS) == 0 || member(arg, id))
            return true;
    }
    return false;
}

bool lockout_method_usable(const json_t *cfg, lockout_member_fn member, void *arg, const char **why)
{
    *why = NULL;
    const char *state = json_string_value(json_object_get(cfg, "state"));
    if (!state || strcasecmp(state, "enabled") != 0) {
        *why = "disabled";
        return false;
    }
    if (!targets_hit(json_object_get(cfg, "includeTargets"), member, arg)) {
        *why = "not included";
        return false;
    }
    if (targets_hit(json_object_get(cfg, "excludeTargets"), member, arg)) {
        *why = "excluded";
        return false;
    }
    return true;
}
