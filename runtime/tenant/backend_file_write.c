/* backend_file_write.c — Graph's write semantics, emulated on the file tenant, so that a snapshot
 * after `idpc apply` looks like what Graph would return (facts.md §2.4, §3, §4, §6, §7). */
#include "runtime/tenant/backend_file.h"
#include "compiler/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compiler/catalog.h"

#define P_POLICIES          "identity/conditionalAccess/policies"
#define P_LOCATIONS         "identity/conditionalAccess/namedLocations"
#define P_STRENGTHS         "policies/authenticationStrengthPolicies"
#define P_GROUPS            "groups"
#define P_USERS             "users"
#define P_SPS               "servicePrincipals"
#define P_ASSIGN            "roleManagement/directory/roleAssignments"
#define P_ELIG_REQ          "roleManagement/directory/roleEligibilityScheduleRequests"
#define P_ELIG              "roleManagement/directory/roleEligibilitySchedules"
#define P_USERS             "users"
#define P_ACT_REQ           "roleManagement/directory/roleAssignmentScheduleRequests"
#define P_ACT               "roleManagement/directory/roleAssignmentSchedules"
#define P_SETTINGS          "groupSettings"
#define P_SETTING_TEMPLATES "groupSettingTemplates"
#define P_LIFECYCLE         "groupLifecyclePolicies"
#define P_CONTEXTS          "identity/conditionalAccess/authenticationContextClassReferences"
#define P_ONPREM_SYNC       "directory/onPremisesSynchronization"
#define ALL_ZERO_GUID       "00000000-0000-0000-0000-000000000000"
#define CA_POLICY_LIMIT     195

static bool is_builtin(const json_t *strength)
{
    const char *t = json_string_value(json_object_get(strength, "policyType"));
    return t && strcmp(t, "builtIn") == 0;
}

static char *now_iso(void)
{
    char buf[21];
    util_now_iso(buf);
    return xstrdup(buf);
}

static bool is_path(const char *path, const char *coll, const char **rest)
{
    size_t n = strlen(coll);
    if (strncmp(path, coll, n) != 0)
        return false;
    if (path[n] == '\0') {
        *rest = "";
        return true;
    }
    if (path[n] != '/')
        return false;
    *rest = path + n + 1;
    return true;
}

static json_t *copy_or(const json_t *body, const char *key, json_t *dflt)
{
    json_t *v = json_object_get(body, key);
    if (v && !json_is_null(v)) {
        json_decref(dflt);
        return json_deep_copy(v);
    }
    return dflt;
}

static json_t *list_or_empty(const json_t *body, const char *key)
{
    json_t *v = json_object_get(body, key);
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

/* Copies keys of `from` that `to` does not have yet (unknown properties keep their place last). */
static void copy_rest(json_t *to, const json_t *from)
{
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(from), k, v)
    {
        if (!json_object_get(to, k) && strchr(k, '@') == NULL)
            json_object_set_new(to, k, json_deep_copy(v));
    }
}

/* ---- conditional access ---- */

static json_t *expand_strength(struct backend *b, const json_t *ref, struct backend_error *err,
                               bool *ok)
{
    const char *id = json_string_value(json_object_get(ref, "id"));
    if (!id)
        return json_null();
    json_t *s = backend_file_get(b, P_STRENGTHS, id);
    if (!s) {
        backend_error_set(err, 400, "BadRequest",
                          "authenticationStrength '%s' does not exist in the tenant", id);
        *ok = false;
        return json_null();
    }
    return s;
}

static json_t *fill_users(const json_t *u)
{
    json_t *o = json_object();
    static const char *const lists[] = {"includeUsers",  "excludeUsers", "includeGroups",
                                        "excludeGroups", "includeRoles", "excludeRoles"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(lists); i++)
        json_object_set_new(o, lists[i], list_or_empty(u, lists[i]));
    json_object_set_new(o, "includeGuestsOrExternalUsers",
                        copy_or(u, "includeGuestsOrExternalUsers", json_null()));
    json_object_set_new(o, "excludeGuestsOrExternalUsers",
                        copy_or(u, "excludeGuestsOrExternalUsers", json_null()));
    copy_rest(o, u);
    return o;
}

static json_t *fill_pair(const json_t *v, const char *inc, const char *exc)
{
    if (!json_is_object(v))
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, inc, list_or_empty(v, inc));
    json_object_set_new(o, exc, list_or_empty(v, exc));
    copy_rest(o, v);
    return o;
}

static json_t *fill_conditions(const json_t *c)
{
    json_t *o = json_object();
    const json_t *a = json_object_get(c, "applications");
    json_t *apps = json_object();
    json_object_set_new(apps, "includeApplications", list_or_empty(a, "includeApplications"));
    json_object_set_new(apps, "excludeApplications", list_or_empty(a, "excludeApplications"));
    json_object_set_new(apps, "includeUserActions", list_or_empty(a, "includeUserActions"));
    json_object_set_new(apps, "includeAuthenticationContextClassReferences",
                        list_or_empty(a, "includeAuthenticationContextClassReferences"));
    json_object_set_new(apps, "applicationFilter", copy_or(a, "applicationFilter", json_null()));
    if (a)
        copy_rest(apps, a);
    json_object_set_new(o, "applications", apps);
    json_object_set_new(o, "users", fill_users(json_object_get(c, "users")));
    json_object_set_new(o, "clientApplications", copy_or(c, "clientApplications", json_null()));
    json_t *cat = json_object_get(c, "clientAppTypes");
    json_object_set_new(o, "clientAppTypes",
                        json_array_size(cat) ? json_deep_copy(cat) : json_pack("[s]", "all"));
    json_object_set_new(
        o, "platforms",
        fill_pair(json_object_get(c, "platforms"), "includePlatforms", "excludePlatforms"));
    json_object_set_new(
        o, "locations",
        fill_pair(json_object_get(c, "locations"), "includeLocations", "excludeLocations"));
    json_object_set_new(o, "devices", copy_or(c, "devices", json_null()));
    json_object_set_new(o, "signInRiskLevels", list_or_empty(c, "signInRiskLevels"));
    json_object_set_new(o, "userRiskLevels", list_or_empty(c, "userRiskLevels"));
    json_object_set_new(o, "servicePrincipalRiskLevels",
                        list_or_empty(c, "servicePrincipalRiskLevels"));
    json_object_set_new(o, "insiderRiskLevels", copy_or(c, "insiderRiskLevels", json_null()));
    json_object_set_new(o, "authenticationFlows", copy_or(c, "authenticationFlows", json_null()));
    if (c)
        copy_rest(o, c);
    return o;
}

static json_t *fill_grant(struct backend *b, const json_t *g, const char *policy_id,
                          struct backend_error *err, bool *ok)
{
    if (!json_is_object(g))
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "operator", copy_or(g, "operator", json_string("OR")));
    json_object_set_new(o, "builtInControls", list_or_empty(g, "builtInControls"));
    json_object_set_new(o, "customAuthenticationFactors",
                        list_or_empty(g, "customAuthenticationFactors"));
    json_object_set_new(o, "termsOfUse", list_or_empty(g, "termsOfUse"));
    json_object_set_new(o, "authenticationStrength@odata.context",
                        json_sprintf("https://graph.microsoft.com/v1.0/$metadata#identity/"
                                     "conditionalAccess/policies('%s')/grantControls/"
                                     "authenticationStrength/$entity",
                                     policy_id));
    json_object_set_new(o, "authenticationStrength",
                        expand_strength(b, json_object_get(g, "authenticationStrength"), err, ok));
    return o;
}

static bool check_location_ids(struct backend *b, const json_t *list, struct backend_error *err)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(v);
        if (!id || strcasecmp(id, "All") == 0 || strcasecmp(id, "AllTrusted") == 0 ||
            strcmp(id, ALL_ZERO_GUID) == 0)
            continue;
        json_t *l = backend_file_get(b, P_LOCATIONS, id);
        if (!l) {
            backend_error_set(err, 400, "BadRequest", "named location '%s' does not exist", id);
            return false;
        }
        json_decref(l);
    }
    return true;
}

static bool check_group_ids(struct backend *b, const json_t *list, struct backend_error *err)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(v);
        json_t *g = id ? backend_file_get(b, P_GROUPS, id) : NULL;
        if (!g) {
            backend_error_set(err, 400, "BadRequest", "group '%s' does not exist",
                              id ? id : "(not a string)");
            return false;
        }
        json_decref(g);
    }
    return true;
}

/* The stored policy after a POST (old NULL) or a PATCH (old = current stored object). */
static json_t *ca_build(struct backend *b, const json_t *old, const json_t *body, const char *id,
                        struct backend_error *err)
{
    json_t *m = old ? json_deep_copy(old) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(body), k, v)
    {
        if (strchr(k, '@') == NULL && strcmp(k, "id") != 0)
            json_object_set_new(m, k, json_deep_copy(v));
    }
    char *now = now_iso();
    json_t *o = json_object();
    bool ok = true;
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "templateId", copy_or(m, "templateId", json_null()));
    json_object_set_new(o, "displayName", copy_or(m, "displayName", json_null()));
    json_object_set_new(o, "createdDateTime",
                        old ? copy_or(m, "createdDateTime", json_null()) : json_string(now));
    json_object_set_new(o, "modifiedDateTime", old ? json_string(now) : json_null());
    json_object_set_new(o, "state", copy_or(m, "state", json_null()));
    if (json_object_get(m, "description"))
        json_object_set_new(o, "description", copy_or(m, "description", json_null()));
    json_t *cond = json_object_get(m, "conditions");
    json_object_set_new(o, "conditions", fill_conditions(cond));
    json_object_set_new(o, "grantControls",
                        fill_grant(b, json_object_get(m, "grantControls"), id, err, &ok));
    json_object_set_new(o, "sessionControls", copy_or(m, "sessionControls", json_null()));
    free(now);
    json_decref(m);
    if (!json_string_value(json_object_get(o, "displayName")) ||
        !json_string_value(json_object_get(o, "state"))) {
        backend_error_set(err, 400, "BadRequest", "a policy needs displayName and state");
        ok = false;
    }
    json_t *c = json_object_get(o, "conditions");
    json_t *loc = json_object_get(c, "locations");
    json_t *usr = json_object_get(c, "users");
    if (ok && (!check_location_ids(b, json_object_get(loc, "includeLocations"), err) ||
               !check_location_ids(b, json_object_get(loc, "excludeLocations"), err) ||
               !check_group_ids(b, json_object_get(usr, "includeGroups"), err) ||
               !check_group_ids(b, json_object_get(usr, "excludeGroups"), err)))
        ok = false;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- other kinds ---- */

static void put_first(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

static json_t *location_build(const json_t *body, const char *id)
{
    char *now = now_iso();
    json_t *o = json_object();
    put_first(o, "@odata.type", copy_or(body, "@odata.type", json_null()));
    put_first(o, "id", json_string(id));
    put_first(o, "displayName", copy_or(body, "displayName", json_null()));
    put_first(o, "modifiedDateTime", json_string(now));
    put_first(o, "createdDateTime", json_string(now));
    const char *t = json_string_value(json_object_get(body, "@odata.type"));
    if (t && strstr(t, "countryNamedLocation")) {
        put_first(o, "countriesAndRegions", list_or_empty(body, "countriesAndRegions"));
        put_first(o, "includeUnknownCountriesAndRegions",
                  copy_or(body, "includeUnknownCountriesAndRegions", json_false()));
        put_first(o, "countryLookupMethod",
                  copy_or(body, "countryLookupMethod", json_string("clientIpAddress")));
    } else {
        put_first(o, "isTrusted", copy_or(body, "isTrusted", json_false()));
        put_first(o, "ipRanges", list_or_empty(body, "ipRanges"));
    }
    copy_rest(o, body);
    free(now);
    return o;
}

static json_t *canon_combinations(const json_t *list)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        struct strbuf sb = STRBUF_INIT;
        for (; *s; s++)
            if (*s != ' ')
                strbuf_addc(&sb, *s);
        json_array_append_new(out, json_string(strbuf_str(&sb)));
        strbuf_fini(&sb);
    }
    return out;
}

static json_t *strength_build(const json_t *body, const char *id)
{
    char *now = now_iso();
    json_t *o = json_object();
    put_first(o, "id", json_string(id));
    put_first(o, "createdDateTime", json_string(now));
    put_first(o, "modifiedDateTime", json_string(now));
    put_first(o, "displayName", copy_or(body, "displayName", json_null()));
    put_first(o, "description", copy_or(body, "description", json_null()));
    put_first(o, "policyType", json_string("custom"));
    put_first(o, "requirementsSatisfied", json_string("mfa"));
    put_first(o, "allowedCombinations",
              canon_combinations(json_object_get(body, "allowedCombinations")));
    put_first(o, "combinationConfigurations", json_array());
    free(now);
    return o;
}

static json_t *group_build(const json_t *body, const char *id)
{
    char *now = now_iso();
    json_t *o = json_object();
    put_first(o, "id", json_string(id));
    put_first(o, "deletedDateTime", json_null());
    put_first(o, "classification", json_null());
    put_first(o, "createdDateTime", json_string(now));
    put_first(o, "creationOptions", json_array());
    put_first(o, "description", copy_or(body, "description", json_null()));
    put_first(o, "displayName", copy_or(body, "displayName", json_null()));
    put_first(o, "expirationDateTime", json_null());
    put_first(o, "groupTypes", list_or_empty(body, "groupTypes"));
    put_first(o, "isAssignableToRole", copy_or(body, "isAssignableToRole", json_null()));
    put_first(o, "mail", json_null());
    put_first(o, "mailEnabled", copy_or(body, "mailEnabled", json_false()));
    put_first(o, "mailNickname", copy_or(body, "mailNickname", json_null()));
    put_first(o, "membershipRule", copy_or(body, "membershipRule", json_null()));
    put_first(o, "membershipRuleProcessingState",
              copy_or(body, "membershipRuleProcessingState", json_null()));
    put_first(o, "onPremisesDomainName", json_null());
    put_first(o, "onPremisesLastSyncDateTime", json_null());
    put_first(o, "onPremisesSamAccountName", json_null());
    put_first(o, "onPremisesSecurityIdentifier", json_null());
    put_first(o, "onPremisesSyncEnabled", json_null());
    put_first(o, "preferredDataLocation", json_null());
    put_first(o, "preferredLanguage", json_null());
    put_first(o, "proxyAddresses", json_array());
    put_first(o, "renewedDateTime", json_string(now));
    put_first(o, "resourceBehaviorOptions", json_array());
    put_first(o, "resourceProvisioningOptions", json_array());
    put_first(o, "securityEnabled", copy_or(body, "securityEnabled", json_true()));
    put_first(o, "securityIdentifier", json_sprintf("S-1-12-1-%.8s", id));
    put_first(o, "theme", json_null());
    put_first(o, "visibility", copy_or(body, "visibility", json_null()));
    put_first(o, "onPremisesProvisioningErrors", json_array());
    free(now);
    return o;
}

static json_t *directory_object(struct backend *b, const char *id)
{
    static const struct {
        const char *coll, *type;
    } kinds[] = {{P_USERS, "#microsoft.graph.user"},
                 {P_GROUPS, "#microsoft.graph.group"},
                 {P_SPS, "#microsoft.graph.servicePrincipal"}};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(kinds); i++) {
        json_t *o = backend_file_get(b, kinds[i].coll, id);
        if (!o)
            continue;
        json_t *m = json_object();
        json_object_set_new(m, "@odata.type", json_string(kinds[i].type));
        json_object_set_new(m, "id", copy_or(o, "id", json_string(id)));
        json_object_set_new(m, "displayName", copy_or(o, "displayName", json_null()));
        if (json_object_get(o, "userPrincipalName"))
            json_object_set_new(m, "userPrincipalName",
                                copy_or(o, "userPrincipalName", json_null()));
        json_decref(o);
        return m;
    }
    return NULL;
}

static const char *ref_target(const json_t *body)
{
    const char *s = json_string_value(json_object_get(body, "@odata.id"));
    if (!s)
        return NULL;
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

/* POST groups/{id}/members/$ref | owners/$ref */
static int ref_add(struct backend *b, const char *gid, const char *rel, const json_t *body,
                   struct backend_error *err)
{
    json_t *g = backend_file_get(b, P_GROUPS, gid);
    if (!g) {
        backend_error_set(err, 404, "Request_ResourceNotFound",
                          "Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.",
                          gid);
        return -1;
    }
    json_decref(g);
    const char *mid = ref_target(body);
    json_t *m = mid ? directory_object(b, mid) : NULL;
    if (!m) {
        backend_error_set(err, 404, "Request_ResourceNotFound",
                          "Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.",
                          mid ? mid : "(no @odata.id)");
        return -1;
    }
    char *path = xasprintf("groups/%s/%s", gid, rel);
    json_t *list = backend_file_collection(b, path, true, err);
    free(path);
    if (!list || !json_is_array(list)) {
        json_decref(m);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && strcasecmp(id, mid) == 0) {
            json_decref(m);
            backend_error_set(err, 400, "Request_BadRequest",
                              "One or more added object references already exist for the "
                              "following modified properties: '%s'.",
                              rel);
            return -1;
        }
    }
    json_array_append_new(list, m);
    return 0;
}

/* DELETE groups/{id}/members/{mid}/$ref */
static int ref_remove(struct backend *b, const char *gid, const char *rel, const char *mid,
                      struct backend_error *err)
{
    char *path = xasprintf("groups/%s/%s", gid, rel);
    json_t *list = backend_file_collection(b, path, false, err);
    free(path);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && strcasecmp(id, mid) == 0) {
            json_array_remove(list, i);
            return 0;
        }
    }
    backend_error_set(err, 404, "Request_ResourceNotFound",
                      "Resource '%s' does not exist or one of its queried reference-property "
                      "objects are not present.",
                      mid);
    return -1;
}

static bool policy_references(struct backend *b, const char *what, const char *id,
                              struct backend_error *err)
{
    json_t *pols = NULL;
    struct backend_error e2;
    if (b->ops->read(b, P_POLICIES, &pols, &e2) != 0 || !pols)
        return false;
    size_t i;
    json_t *p;
    bool found = false;
    json_array_foreach(pols, i, p)
    {
        json_t *c = json_object_get(p, "conditions");
        json_t *l = json_object_get(c, "locations");
        const char *sid = json_string_value(json_object_get(
            json_object_get(json_object_get(p, "grantControls"), "authenticationStrength"), "id"));
        bool hit = false;
        if (strcmp(what, "location") == 0) {
            static const char *const keys[] = {"includeLocations", "excludeLocations"};
            for (size_t k = 0; k < 2 && !hit; k++) {
                size_t j;
                json_t *v;
                json_array_foreach(json_object_get(l, keys[k]), j, v)
                {
                    if (json_string_value(v) && strcasecmp(json_string_value(v), id) == 0)
                        hit = true;
                }
            }
        } else if (strcmp(what, "authentication context") == 0) {
            size_t j;
            json_t *v;
            json_array_foreach(json_object_get(json_object_get(c, "applications"),
                                               "includeAuthenticationContextClassReferences"),
                               j, v)
            {
                if (json_string_value(v) && strcasecmp(json_string_value(v), id) == 0)
                    hit = true;
            }
        } else if (sid && strcasecmp(sid, id) == 0) {
            hit = true;
        }
        if (hit) {
            backend_error_set(err, 400, "BadRequest", "the %s '%s' is still used by policy '%s'",
                              what, id, json_string_value(json_object_get(p, "displayName")));
            found = true;
            break;
        }
    }
    json_decref(pols);
    return found;
}

static json_t *setting_build(struct backend *b, const json_t *body, const char *id)
{
    const char *tid = json_string_value(json_object_get(body, "templateId"));
    json_t *tmpl = tid ? backend_file_get(b, P_SETTING_TEMPLATES, tid) : NULL;
    json_t *o = json_object();
    put_first(o, "id", json_string(id));
    put_first(o, "displayName",
              tmpl ? copy_or(tmpl, "displayName", json_null())
                   : json_string(tid && strcasecmp(tid, "62375ab9-6b52-47ed-826b-"
                                                        "58e47e0e304b") == 0
                                     ? "Group.Unified"
                                     : ""));
    put_first(o, "templateId", copy_or(body, "templateId", json_null()));
    json_t *values = json_array();
    json_t *given = json_object_get(body, "values");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(tmpl, "values"), i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        if (name)
            json_array_append_new(values, json_pack("{s:s,s:O}", "name", name, "value",
                                                    json_object_get(v, "defaultValue")
                                                        ? json_object_get(v, "defaultValue")
                                                        : json_string("")));
    }
    json_array_foreach(given, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        size_t j;
        json_t *w;
        bool set = false;
        json_array_foreach(values, j, w)
        {
            if (name && strcasecmp(json_string_value(json_object_get(w, "name")), name) == 0) {
                json_object_set(w, "value", json_object_get(v, "value"));
                set = true;
            }
        }
        if (!set)
            json_array_append(values, v);
    }
    put_first(o, "values", values);
    json_decref(tmpl);
    return o;
}

/* The index in list of the entry with this principal, role and scope, or (size_t)-1. */
static size_t find_triple(const json_t *list, const char *pid, const char *rid, const char *scope)
{
    size_t found = (size_t)-1;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *v = json_array_get(list, i);
        const char *p2 = json_string_value(json_object_get(v, "principalId"));
        const char *r2 = json_string_value(json_object_get(v, "roleDefinitionId"));
        const char *s2 = json_string_value(json_object_get(v, "directoryScopeId"));
        if (p2 && r2 && strcasecmp(p2, pid) == 0 && strcasecmp(r2, rid) == 0 &&
            strcmp(s2 ? s2 : "/", scope) == 0)
            found = i;
    }
    return found;
}

/* Eligibility requests (P_ELIG_REQ) and time-bound active assignment requests (P_ACT_REQ): a
 * schedule per principal, role and scope. An active one also keeps the roleAssignment Graph
 * lists with the others; a permanent roleAssignment made directly can be updated or removed
 * through a request (Graph keeps a schedule for it). */
static json_t *schedule_request(struct backend *b, const json_t *body, bool active,
                                struct backend_error *err)
{
    const char *action = json_string_value(json_object_get(body, "action"));
    const char *pid = json_string_value(json_object_get(body, "principalId"));
    const char *rid = json_string_value(json_object_get(body, "roleDefinitionId"));
    const char *scope = json_string_value(json_object_get(body, "directoryScopeId"));
    if (!action || !pid || !rid || !scope) {
        backend_error_set(
            err, 400, "BadRequest",
            "action, principalId, roleDefinitionId and directoryScopeId are required");
        return NULL;
    }
    json_t *sched = backend_file_collection(b, active ? P_ACT : P_ELIG, true, err);
    if (!sched)
        return NULL;
    json_t *direct_list = active ? backend_file_collection(b, P_ASSIGN, true, err) : NULL;
    if (active && !direct_list)
        return NULL;
    size_t found = find_triple(sched, pid, rid, scope);
    size_t direct = active ? find_triple(direct_list, pid, rid, scope) : (size_t)-1;
    if (found == (size_t)-1 && direct != (size_t)-1) {
        /* a permanent assignment made through roleAssignments: Graph has its schedule */
        json_t *d = json_array_get(direct_list, direct);
        json_array_append_new(sched, json_pack("{s:O,s:s,s:s,s:s,s:s,s:{s:{s:s}}}", "id",
                                               json_object_get(d, "id"), "principalId", pid,
                                               "roleDefinitionId", rid, "directoryScopeId", scope,
                                               "status", "Provisioned", "scheduleInfo",
                                               "expiration", "type", "noExpiration"));
        found = json_array_size(sched) - 1;
    }
    char *id = backend_file_new_id(b, active ? P_ACT_REQ : P_ELIG_REQ, body);
    char *now = now_iso();
    json_t *req = json_deep_copy(body);
    json_object_set_new(req, "id", json_string(id));
    json_object_set_new(req, "createdDateTime", json_string(now));
    json_object_set_new(req, "completedDateTime", json_string(now));
    if (strcmp(action, "adminAssign") == 0) {
        if (found != (size_t)-1) {
            backend_error_set(err, 400, "RoleAssignmentExists",
                              "The Role assignment already exists.");
            json_decref(req);
            req = NULL;
            goto out;
        }
        json_t *s = json_object();
        json_object_set_new(s, "id", json_string(id));
        json_object_set_new(s, "principalId", json_string(pid));
        json_object_set_new(s, "roleDefinitionId", json_string(rid));
        json_object_set_new(s, "directoryScopeId", json_string(scope));
        json_object_set_new(s, "appScopeId", json_null());
        json_object_set_new(s, "createdUsing", json_string(id));
        json_object_set_new(s, "createdDateTime", json_string(now));
        json_object_set_new(s, "modifiedDateTime", json_null());
        json_object_set_new(s, "status", json_string("Provisioned"));
        json_object_set_new(s, "memberType", json_string("Direct"));
        json_t *si = json_deep_copy(json_object_get(body, "scheduleInfo"));
        if (!json_is_object(si)) {
            json_decref(si);
            si = json_pack("{s:{s:s}}", "expiration", "type", "noExpiration");
        }
        json_object_set_new(si, "startDateTime", json_string(now));
        json_object_set_new(s, "scheduleInfo", si);
        json_array_append_new(sched, s);
        if (active && direct == (size_t)-1) {
            char *opaque = xasprintf("%.8s%.4s_%.12s-1", id, id + 9, id + 24);
            json_array_append_new(direct_list,
                                  json_pack("{s:s,s:s,s:s,s:s}", "id", opaque, "principalId", pid,
                                            "roleDefinitionId", rid, "directoryScopeId", scope));
            free(opaque);
        }
        json_object_set_new(req, "status", json_string("Provisioned"));
        json_object_set_new(req, "targetScheduleId", json_string(id));
    } else if (strcmp(action, "adminRemove") == 0) {
        if (found == (size_t)-1) {
            backend_error_set(err, 404, "RoleAssignmentDoesNotExist",
                              "The Role assignment does not exist.");
            json_decref(req);
            req = NULL;
            goto out;
        }
        json_array_remove(sched, found);
        if (direct != (size_t)-1)
            json_array_remove(direct_list, direct);
        json_object_set_new(req, "status", json_string("Revoked"));
    } else if (strcmp(action, "adminUpdate") == 0 || strcmp(action, "adminExtend") == 0 ||
               strcmp(action, "adminRenew") == 0) {
        /* a new end (or start) for an existing eligibility */
        if (found == (size_t)-1) {
            backend_error_set(err, 404, "RoleAssignmentDoesNotExist",
                              "The Role assignment does not exist.");
            json_decref(req);
            req = NULL;
            goto out;
        }
        json_t *s = json_array_get(sched, found);
        json_t *si = json_object_get(s, "scheduleInfo");
        if (!json_is_object(si)) {
            si = json_object();
            json_object_set_new(s, "scheduleInfo", si);
        }
        const json_t *want = json_object_get(body, "scheduleInfo");
        json_t *exp = json_deep_copy(json_object_get(want, "expiration"));
        if (!json_is_object(exp)) {
            json_decref(exp);
            exp = json_pack("{s:s}", "type", "noExpiration");
        }
        json_object_set_new(si, "expiration", exp);
        if (json_is_string(json_object_get(want, "startDateTime")))
            json_object_set(si, "startDateTime", json_object_get(want, "startDateTime"));
        json_object_set_new(s, "modifiedDateTime", json_string(now));
        json_object_set_new(req, "status", json_string("Provisioned"));
        json_object_set(req, "targetScheduleId", json_object_get(s, "id"));
    } else {
        backend_error_set(err, 400, "BadRequest", "action '%s' is not emulated by the file tenant",
                          action);
        json_decref(req);
        req = NULL;
    }
out:
    free(id);
    free(now);
    return req;
}

/* Is sku in list (of strings, or of objects by `key`)? GUIDs compare ignoring case. */
static bool sku_in(const json_t *list, const char *key, const char *sku)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        const char *s = json_string_value(key ? json_object_get(v, key) : v);
        if (s && strcasecmp(s, sku) == 0)
            return true;
    }
    return false;
}

/* POST groups/{id}/assignLicense: group-based licensing (Graph answers 202 with the group). Every
 * skuId must be one of subscribedSkus; a removed licence must be assigned; the group must be a
 * security group. Adding an assigned licence replaces its disabledPlans. */
static int assign_license(struct backend *b, const char *gid, const json_t *body, json_t **result,
                          struct backend_error *err)
{
    char *gpath = xasprintf("%s/%s", P_GROUPS, gid);
    json_t *g, *parent, *skus = NULL;
    size_t idx;
    int rc = backend_file_locate(b, gpath, &g, &parent, &idx, err);
    free(gpath);
    if (rc != 0) {
        if (rc > 0)
            backend_error_set(err, 404, "Request_ResourceNotFound",
                              "Resource '%s' does not exist or one of its queried "
                              "reference-property objects are not present.",
                              gid);
        return -1;
    }
    rc = -1;
    const json_t *add = json_object_get(body, "addLicenses");
    const json_t *remove = json_object_get(body, "removeLicenses");
    if (!json_is_array(add) || !json_is_array(remove)) {
        backend_error_set(err, 400, "Request_BadRequest",
                          "assignLicense needs addLicenses and removeLicenses (arrays; either "
                          "may be empty).");
        goto out;
    }
    if (!json_is_true(json_object_get(g, "securityEnabled"))) {
        backend_error_set(err, 400, "Request_BadRequest",
                          "Licenses can only be assigned to security-enabled groups.");
        goto out;
    }
    if (backend_read_list(b, "subscribedSkus", &skus, err) != 0)
        goto out;
    json_t *have = json_object_get(g, "assignedLicenses");
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(add), i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "skuId"));
        if (!sku || !sku_in(skus, "skuId", sku)) {
            backend_error_set(err, 400, "Request_BadRequest",
                              "License %s does not correspond to a valid company License.",
                              sku ? sku : "(no skuId)");
            goto out;
        }
        if (sku_in(remove, NULL, sku)) {
            backend_error_set(err, 400, "Request_BadRequest",
                              "License %s is both added and removed.", sku);
            goto out;
        }
    }
    json_array_foreach(util_json_mut(remove), i, v)
    {
        const char *sku = json_string_value(v);
        if (!sku || !sku_in(have, "skuId", sku)) {
            backend_error_set(err, 400, "Request_BadRequest",
                              "License %s is not assigned to the group.", sku ? sku : "(null)");
            goto out;
        }
    }
    json_t *next = json_array();
    json_array_foreach(have, i, v)
    {
        const char *sku = json_string_value(json_object_get(v, "skuId"));
        if (sku && !sku_in(remove, NULL, sku) && !sku_in(add, "skuId", sku))
            json_array_append(next, v);
    }
    json_array_foreach(util_json_mut(add), i, v)
    {
        json_t *dp = json_object_get(v, "disabledPlans");
        json_array_append_new(next, json_pack("{s:o,s:O}", "disabledPlans",
                                              json_is_array(dp) ? json_deep_copy(dp) : json_array(),
                                              "skuId", json_object_get(v, "skuId")));
    }
    json_object_set_new(g, "assignedLicenses", next);
    if (result)
        *result = json_deep_copy(g);
    rc = 0;
out:
    json_decref(skus);
    return rc;
}

/* ---- dispatch ---- */

static int do_post(struct backend *b, const char *path, const json_t *body, json_t **result,
                   struct backend_error *err)
{
    const char *rest;
    if (is_path(path, P_GROUPS, &rest) && *rest) {
        char *gid = xstrdup(rest);
        char *slash = strchr(gid, '/');
        int rc = -1;
        if (slash) {
            *slash = '\0';
            if (strcmp(slash + 1, "members/$ref") == 0)
                rc = ref_add(b, gid, "members", body, err);
            else if (strcmp(slash + 1, "owners/$ref") == 0)
                rc = ref_add(b, gid, "owners", body, err);
            else if (strcmp(slash + 1, "assignLicense") == 0)
                rc = assign_license(b, gid, body, result, err);
            else
                backend_error_set(err, 400, "BadRequest", "POST %s is not emulated", path);
        }
        free(gid);
        return rc;
    }
    if (is_path(path, P_STRENGTHS, &rest) && *rest) {
        const char *action = strchr(rest, '/');
        if (!action || strcmp(action, "/updateAllowedCombinations") != 0) {
            backend_error_set(err, 400, "BadRequest", "POST %s is not emulated", path);
            return -1;
        }
        char *sp = xasprintf("%s/%.*s", P_STRENGTHS, (int)(action - rest), rest);
        json_t *item, *parent;
        size_t idx;
        int rc = backend_file_locate(b, sp, &item, &parent, &idx, err);
        free(sp);
        if (rc != 0) {
            if (rc > 0)
                backend_error_set(err, 404, "ResourceNotFound", "no strength %.*s",
                                  (int)(action - rest), rest);
            return -1;
        }
        if (is_builtin(item)) {
            backend_error_set(err, 400, "BadRequest", "built-in strengths cannot be changed");
            return -1;
        }
        json_t *res = json_object();
        json_object_set(res, "previousCombinations", json_object_get(item, "allowedCombinations"));
        json_object_set_new(item, "allowedCombinations",
                            canon_combinations(json_object_get(body, "allowedCombinations")));
        char *now = now_iso();
        json_object_set_new(item, "modifiedDateTime", json_string(now));
        free(now);
        json_object_set(res, "currentCombinations", json_object_get(item, "allowedCombinations"));
        json_object_set_new(res, "conditionalAccessReferences", json_array());
        *result = res;
        return 0;
    }
    if (strcmp(path, P_ELIG_REQ) == 0 || strcmp(path, P_ACT_REQ) == 0) {
        *result = schedule_request(b, body, strcmp(path, P_ACT_REQ) == 0, err);
        return *result ? 0 : -1;
    }
    static const char *const creatable[] = {P_POLICIES, P_LOCATIONS, P_STRENGTHS, P_GROUPS,
                                            P_ASSIGN,   P_SETTINGS,  P_LIFECYCLE, P_USERS};
    size_t k;
    for (k = 0; k < IDPC_ARRAY_LEN(creatable); k++)
        if (strcmp(path, creatable[k]) == 0)
            break;
    if (k == IDPC_ARRAY_LEN(creatable) || !json_is_object(body)) {
        backend_error_set(err, 400, "BadRequest", "POST %s is not emulated by the file tenant",
                          path);
        return -1;
    }
    json_t *coll = backend_file_collection(b, path, true, err);
    if (!coll || !json_is_array(coll))
        return -1;
    char *id = backend_file_new_id(b, path, body);
    json_t *o = NULL;
    if (strcmp(path, P_POLICIES) == 0) {
        if (json_array_size(coll) >= CA_POLICY_LIMIT) {
            backend_error_set(err, 400, "BadRequest",
                              "the tenant already has %d Conditional Access policies",
                              CA_POLICY_LIMIT);
        } else {
            o = ca_build(b, NULL, body, id, err);
        }
    } else if (strcmp(path, P_LOCATIONS) == 0) {
        if (!json_string_value(json_object_get(body, "@odata.type")))
            backend_error_set(err, 400, "BadRequest", "a named location needs @odata.type");
        else
            o = location_build(body, id);
    } else if (strcmp(path, P_STRENGTHS) == 0) {
        o = strength_build(body, id);
    } else if (strcmp(path, P_GROUPS) == 0) {
        if (!json_string_value(json_object_get(body, "displayName")) ||
            !json_string_value(json_object_get(body, "mailNickname")))
            backend_error_set(err, 400, "Request_BadRequest",
                              "A group needs displayName, mailNickname, mailEnabled and "
                              "securityEnabled.");
        else
            o = group_build(body, id);
    } else if (strcmp(path, P_USERS) == 0) {
        /* Graph v1.0 "Create user": the required properties; the password is used, never kept
         * (Graph never returns it) */
        const json_t *pw = json_object_get(json_object_get(body, "passwordProfile"), "password");
        const char *upn = json_string_value(json_object_get(body, "userPrincipalName"));
        bool taken = false;
        size_t i;
        json_t *u;
        json_array_foreach(coll, i, u)
        {
            const char *have = json_string_value(json_object_get(u, "userPrincipalName"));
            taken = taken || (have && upn && strcasecmp(have, upn) == 0);
        }
        if (!upn || !json_string_value(json_object_get(body, "displayName")) ||
            !json_string_value(json_object_get(body, "mailNickname")) ||
            !json_is_boolean(json_object_get(body, "accountEnabled")) || !json_string_value(pw) ||
            !*json_string_value(pw))
            backend_error_set(err, 400, "Request_BadRequest",
                              "A user needs accountEnabled, displayName, mailNickname, "
                              "passwordProfile and userPrincipalName.");
        else if (taken)
            backend_error_set(err, 400, "Request_BadRequest",
                              "Another object with the same value for property "
                              "userPrincipalName already exists.");
        else {
            o = json_pack("{s:s}", "id", id);
            json_object_update(o, util_json_mut(body));
            json_object_del(o, "passwordProfile");
            json_object_set_new(o, "userType", json_string("Member"));
            json_object_set_new(o, "onPremisesSyncEnabled", json_null());
        }
    } else if (strcmp(path, P_ASSIGN) == 0) {
        o = json_object();
        /* Graph mints opaque assignment ids, not GUIDs (facts.md §7.1). */
        char *opaque = xasprintf("%.8s%.4s_%.12s-1", id, id + 9, id + 24);
        json_object_set_new(o, "id", json_string(opaque));
        free(opaque);
        json_object_set_new(o, "principalId", copy_or(body, "principalId", json_null()));
        json_object_set_new(o, "directoryScopeId", copy_or(body, "directoryScopeId", json_null()));
        json_object_set_new(o, "roleDefinitionId", copy_or(body, "roleDefinitionId", json_null()));
    } else if (strcmp(path, P_LIFECYCLE) == 0) {
        /* one groupLifecyclePolicy per tenant; Graph fills what the POST leaves out */
        if (json_array_size(coll) > 0) {
            backend_error_set(err, 400, "Request_BadRequest",
                              "the tenant already has a group lifecycle policy");
        } else {
            o = json_pack("{s:s,s:O,s:s,s:s}", "id", id, "groupLifetimeInDays",
                          json_object_get(body, "groupLifetimeInDays")
                              ? json_object_get(body, "groupLifetimeInDays")
                              : json_null(),
                          "managedGroupTypes", "All", "alternateNotificationEmails", "");
            json_object_update(o, util_json_mut(body));
        }
    } else {
        o = setting_build(b, body, id);
    }
    free(id);
    if (!o)
        return -1;
    json_array_append(coll, o);
    /* members@odata.bind / owners@odata.bind at creation */
    if (strcmp(path, P_GROUPS) == 0) {
        const char *gid = json_string_value(json_object_get(o, "id"));
        static const char *const rel[] = {"members", "owners"};
        for (size_t r = 0; r < 2; r++) {
            char key[32];
            snprintf(key, sizeof(key), "%s@odata.bind", rel[r]);
            size_t i;
            json_t *v;
            json_array_foreach(json_object_get(body, key), i, v)
            {
                json_t *ref = json_pack("{s:O}", "@odata.id", v);
                int rc = ref_add(b, gid, rel[r], ref, err);
                json_decref(ref);
                if (rc != 0) {
                    json_decref(o);
                    return -1;
                }
            }
        }
    }
    *result = o;
    return 0;
}

/* Graph v1.0 "Update onPremisesDirectorySynchronization": properties of the features and
 * configuration the request leaves out keep their values (its example sends one feature flag),
 * so nested objects are merged member by member. */
static void merge_into(json_t *item, const char *key, const json_t *v)
{
    json_t *have = json_object_get(item, key);
    if (!json_is_object(v) || !json_is_object(have)) {
        json_object_set_new(item, key, json_deep_copy(v));
        return;
    }
    const char *k;
    json_t *e;
    json_object_foreach(util_json_mut(v), k, e)
    {
        merge_into(have, k, e);
    }
}

static int do_patch(struct backend *b, const char *path, const json_t *body,
                    struct backend_error *err)
{
    if (!json_is_object(body)) {
        backend_error_set(err, 400, "BadRequest", "PATCH needs a JSON object body");
        return -1;
    }
    json_t *item, *parent;
    size_t idx;
    const char *rest;
    int rc = backend_file_locate(b, path, &item, &parent, &idx, err);
    if (rc < 0)
        return -1;
    if (rc > 0 && is_path(path, P_CONTEXTS, &rest) && *rest && !strchr(rest, '/')) {
        /* Graph v1.0 "Update authenticationContextClassReference": PATCH creates an unused id */
        if (!catalog_auth_context_valid(rest)) {
            backend_error_set(err, 400, "BadRequest", "an authentication context id is c1 to c99");
            return -1;
        }
        json_t *list = backend_file_collection(b, P_CONTEXTS, true, err);
        if (!list)
            return -1;
        json_t *o = json_pack("{s:s,s:n,s:n,s:b}", "id", rest, "displayName", "description",
                              "isAvailable", 0);
        json_array_append_new(list, o);
        item = o;
        rc = 0;
    }
    if (rc > 0 || !json_is_object(item)) {
        backend_error_set(err, 404, "ResourceNotFound", "%s does not exist", path);
        return -1;
    }
    if (is_path(path, P_USERS, &rest) && *rest &&
        json_is_true(json_object_get(item, "onPremisesSyncEnabled"))) {
        backend_error_set(err, 400, "Request_BadRequest",
                          "Unable to update the specified properties for on-premises mastered "
                          "Directory Sync objects or objects currently undergoing migration.");
        return -1;
    }
    if (is_path(path, P_POLICIES, &rest) && *rest) {
        const char *id = json_string_value(json_object_get(item, "id"));
        json_t *o = ca_build(b, item, body, id ? id : rest, err);
        if (!o)
            return -1;
        json_array_set_new(parent, idx, o);
        return 0;
    }
    if (is_path(path, P_LOCATIONS, &rest) && *rest) {
        const char *want = json_string_value(json_object_get(body, "@odata.type"));
        const char *have = json_string_value(json_object_get(item, "@odata.type"));
        if (!want || (have && strcmp(want, have) != 0)) {
            backend_error_set(err, 400, "BadRequest",
                              "a named location PATCH must carry its @odata.type (%s)",
                              have ? have : "?");
            return -1;
        }
    }
    if (is_path(path, P_STRENGTHS, &rest) && *rest) {
        if (is_builtin(item)) {
            backend_error_set(err, 400, "BadRequest", "built-in strengths cannot be changed");
            return -1;
        }
        if (json_object_get(body, "allowedCombinations")) {
            backend_error_set(err, 400, "BadRequest",
                              "allowedCombinations can only be changed through "
                              "updateAllowedCombinations");
            return -1;
        }
    }
    if (is_path(path, P_GROUPS, &rest) && *rest && json_object_get(body, "isAssignableToRole")) {
        json_t *have = json_object_get(item, "isAssignableToRole");
        if (!json_equal(have, json_object_get(body, "isAssignableToRole")) &&
            !(json_is_null(have) && json_is_false(json_object_get(body, "isAssignableToRole")))) {
            backend_error_set(err, 400, "Request_BadRequest",
                              "isAssignableToRole can only be set when the group is created");
            return -1;
        }
    }
    bool merge = is_path(path, P_ONPREM_SYNC, &rest) && *rest;
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(body), k, v)
    {
        if (strcmp(k, "id") == 0 || (k[0] == '@' && strcmp(k, "@odata.type") != 0))
            continue;
        if (merge)
            merge_into(item, k, v);
        else
            json_object_set_new(item, k, json_deep_copy(v));
    }
    if (json_object_get(item, "modifiedDateTime")) {
        char *now = now_iso();
        json_object_set_new(item, "modifiedDateTime", json_string(now));
        free(now);
    }
    return 0;
}

static int do_delete(struct backend *b, const char *path, struct backend_error *err)
{
    const char *rest;
    if (is_path(path, P_GROUPS, &rest) && strchr(rest, '/')) {
        /* groups/{gid}/members/{mid}/$ref */
        char *p = xstrdup(rest);
        char *seg[4] = {0};
        size_t n = 0;
        for (char *s = p; s && n < 4;) {
            seg[n++] = s;
            s = strchr(s, '/');
            if (s)
                *s++ = '\0';
        }
        int rc = -1;
        if (n == 4 && strcmp(seg[3], "$ref") == 0 &&
            (strcmp(seg[1], "members") == 0 || strcmp(seg[1], "owners") == 0))
            rc = ref_remove(b, seg[0], seg[1], seg[2], err);
        else
            backend_error_set(err, 400, "BadRequest", "DELETE %s is not emulated", path);
        free(p);
        return rc;
    }
    json_t *item, *parent;
    size_t idx;
    int rc = backend_file_locate(b, path, &item, &parent, &idx, err);
    if (rc < 0)
        return -1;
    if (rc > 0 || !json_is_array(parent)) {
        backend_error_set(err, 404, "ResourceNotFound",
                          "Resource '%s' does not exist or one of its queried reference-property "
                          "objects are not present.",
                          path);
        return -1;
    }
    const char *id = json_string_value(json_object_get(item, "id"));
    if (is_path(path, P_LOCATIONS, &rest) && *rest) {
        if (json_is_true(json_object_get(item, "isTrusted"))) {
            backend_error_set(err, 400, "BadRequest",
                              "a trusted named location cannot be deleted; set isTrusted to "
                              "false first");
            return -1;
        }
        if (id && policy_references(b, "location", id, err))
            return -1;
    }
    if (is_path(path, P_STRENGTHS, &rest) && *rest) {
        if (is_builtin(item)) {
            backend_error_set(err, 400, "BadRequest", "built-in strengths cannot be deleted");
            return -1;
        }
        if (id && policy_references(b, "authentication strength", id, err))
            return -1;
    }
    if (is_path(path, P_CONTEXTS, &rest) && *rest) {
        /* Graph v1.0 "Delete authenticationContextClassReference": 403 when published, 400 when
         * a policy uses it */
        if (json_is_true(json_object_get(item, "isAvailable"))) {
            backend_error_set(err, 403, "Forbidden",
                              "a published authentication context cannot be deleted; set "
                              "isAvailable to false first");
            return -1;
        }
        if (id && policy_references(b, "authentication context", id, err))
            return -1;
    }
    char *gid = id && is_path(path, P_GROUPS, &rest) ? xstrdup(id) : NULL;
    json_array_remove(parent, idx);
    if (gid) {
        char *m = xasprintf("groups/%s/members", gid);
        char *o = xasprintf("groups/%s/owners", gid);
        backend_file_drop(b, m);
        backend_file_drop(b, o);
        free(m);
        free(o);
        /* Graph removes the role assignments and eligibilities of a deleted principal. */
        static const char *const roles[] = {P_ASSIGN, P_ELIG, P_ACT};
        for (size_t r = 0; r < IDPC_ARRAY_LEN(roles); r++) {
            json_t *list = backend_file_collection(b, roles[r], false, err);
            for (size_t i = json_array_size(list); i-- > 0;) {
                const char *p =
                    json_string_value(json_object_get(json_array_get(list, i), "principalId"));
                if (p && strcasecmp(p, gid) == 0)
                    json_array_remove(list, i);
            }
        }
        free(gid);
    }
    return 0;
}

/* policies/authenticationStrengthPolicies/{id}/combinationConfigurations[/{cid}]: POST adds a
 * configuration (with a new id), PATCH replaces the properties it sends, DELETE removes it, as
 * Graph v1.0 does. Returns 1 when `path` is not such a path. */
static int combo_config(struct backend *b, const char *method, const char *path, const json_t *body,
                        json_t **result, struct backend_error *err)
{
    const char *rest;
    if (!is_path(path, P_STRENGTHS, &rest) || !*rest)
        return 1;
    const char *sub = strstr(rest, "/combinationConfigurations");
    if (!sub)
        return 1;
    const char *cid = sub + strlen("/combinationConfigurations");
    if (*cid && *cid != '/')
        return 1;
    if (*cid == '/')
        cid++;
    char *sp = xasprintf("%s/%.*s", P_STRENGTHS, (int)(sub - rest), rest);
    json_t *item, *parent;
    size_t idx;
    int rc = backend_file_locate(b, sp, &item, &parent, &idx, err);
    free(sp);
    if (rc != 0) {
        if (rc > 0)
            backend_error_set(err, 404, "ResourceNotFound", "no strength %.*s", (int)(sub - rest),
                              rest);
        return -1;
    }
    if (is_builtin(item)) {
        backend_error_set(err, 400, "BadRequest", "built-in strengths cannot be changed");
        return -1;
    }
    json_t *list = json_object_get(item, "combinationConfigurations");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(item, "combinationConfigurations", list);
    }
    if (strcmp(method, "POST") == 0 && !*cid) {
        if (!json_is_object(body) || !json_object_get(body, "@odata.type")) {
            backend_error_set(err, 400, "BadRequest",
                              "a combination configuration needs its @odata.type");
            return -1;
        }
        char *id = backend_file_new_id(b, path, body);
        json_t *o = json_pack("{s:s}", "id", id);
        free(id);
        json_object_update(o, util_json_mut(body));
        json_array_append(list, o);
        if (result)
            *result = o;
        else
            json_decref(o);
        return 0;
    }
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *have = json_string_value(json_object_get(c, "id"));
        if (!have || !*cid || strcasecmp(have, cid) != 0)
            continue;
        if (strcmp(method, "DELETE") == 0) {
            json_array_remove(list, i);
            return 0;
        }
        if (strcmp(method, "PATCH") == 0 && json_is_object(body)) {
            const char *k;
            json_t *v;
            json_object_foreach(util_json_mut(body), k, v)
            {
                if (strcmp(k, "id") != 0)
                    json_object_set(c, k, v);
            }
            return 0;
        }
        break;
    }
    backend_error_set(err, 404, "ResourceNotFound", "%s does not exist", path);
    return -1;
}

/* POST groupLifecyclePolicies/{id}/addGroup | removeGroup {"groupId"} (Graph v1.0
 * "groupLifecyclePolicy: addGroup"/"removeGroup": only for a policy whose managedGroupTypes is
 * Selected). The group's groupLifecyclePolicies collection records it, as GET
 * /groups/{id}/groupLifecyclePolicies lists it. 1 when the path is not one of these. */
static int lifecycle_action(struct backend *b, const char *method, const char *path,
                            const json_t *body, json_t **result, struct backend_error *err)
{
    const char *rest;
    if (strcmp(method, "POST") != 0 || !is_path(path, P_LIFECYCLE, &rest) || !*rest)
        return 1;
    const char *slash = strchr(rest, '/');
    if (!slash || (strcmp(slash, "/addGroup") != 0 && strcmp(slash, "/removeGroup") != 0))
        return 1;
    bool add = strcmp(slash, "/addGroup") == 0;
    char *pp = xasprintf("%s/%.*s", P_LIFECYCLE, (int)(slash - rest), rest);
    json_t *pol, *parent;
    size_t idx;
    int rc = backend_file_locate(b, pp, &pol, &parent, &idx, err);
    free(pp);
    if (rc != 0) {
        if (rc > 0)
            backend_error_set(err, 404, "Request_ResourceNotFound",
                              "no group lifecycle policy %.*s", (int)(slash - rest), rest);
        return -1;
    }
    const char *types = json_string_value(json_object_get(pol, "managedGroupTypes"));
    const char *gid = json_string_value(json_object_get(body, "groupId"));
    if (!types || strcmp(types, "Selected") != 0) {
        backend_error_set(err, 400, "Request_BadRequest",
                          "groups are added to a lifecycle policy only when managedGroupTypes is "
                          "Selected");
        return -1;
    }
    json_t *g = gid ? backend_file_get(b, P_GROUPS, gid) : NULL;
    if (!g) {
        backend_error_set(err, 404, "Request_ResourceNotFound", "no group %s",
                          gid ? gid : "(none)");
        return -1;
    }
    json_decref(g);
    char *gp = xasprintf("groups/%s/groupLifecyclePolicies", gid);
    json_t *list = backend_file_collection(b, gp, true, err);
    free(gp);
    if (!list)
        return -1;
    const char *pid = json_string_value(json_object_get(pol, "id"));
    size_t i;
    json_t *v;
    bool found = false;
    json_array_foreach(list, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        if (id && pid && strcasecmp(id, pid) == 0) {
            found = true;
            if (!add)
                json_array_remove(list, i);
            break;
        }
    }
    if (add && !found)
        json_array_append_new(list, json_deep_copy(pol));
    if (result)
        *result = json_pack("{s:b}", "value", add ? !found : found);
    return 0;
}

/* PUT replaces a singleton whole: the admin consent workflow (Graph v1.0 "Update
 * adminConsentRequestPolicy"); the policy's version counts the updates. */
static int do_put(struct backend *b, const char *path, const json_t *body,
                  struct backend_error *err)
{
    if (strcmp(path, "policies/adminConsentRequestPolicy") != 0 || !json_is_object(body)) {
        backend_error_set(err, 405, "MethodNotAllowed", "PUT is not supported on %s", path);
        return -1;
    }
    json_t *item, *parent;
    size_t idx;
    int rc = backend_file_locate(b, path, &item, &parent, &idx, err);
    if (rc < 0)
        return -1;
    if (rc > 0 || !json_is_object(item)) {
        backend_error_set(err, 404, "ResourceNotFound", "%s does not exist", path);
        return -1;
    }
    json_int_t version = json_integer_value(json_object_get(item, "version"));
    json_object_clear(item);
    json_object_update(item, util_json_mut(body));
    json_object_set_new(item, "version", json_integer(version + 1));
    return 0;
}

int backend_file_write(struct backend *b, const char *method, const char *path, const json_t *body,
                       json_t **result, struct backend_error *err)
{
    if (!backend_file_locked(b)) {
        backend_error_set(err, 0, NULL, "%s: writes need the lock (internal error)",
                          backend_file_path(b));
        return -1;
    }
    int rc = combo_config(b, method, path, body, result, err);
    if (rc <= 0)
        return rc;
    rc = lifecycle_action(b, method, path, body, result, err);
    if (rc <= 0)
        return rc;
    rc = backend_file_governance(b, method, path, body, result, err);
    if (rc <= 0)
        return rc;
    if (strcmp(method, "POST") == 0)
        return do_post(b, path, body, result, err);
    if (strcmp(method, "PATCH") == 0)
        return do_patch(b, path, body, err);
    if (strcmp(method, "DELETE") == 0)
        return do_delete(b, path, err);
    if (strcmp(method, "PUT") == 0)
        return do_put(b, path, body, err);
    backend_error_set(err, 405, "MethodNotAllowed", "%s is not a write method", method);
    return -1;
}
