/* lint_consent.c — application consent hygiene for `idpc check` (Microsoft Learn, "Configure how
 * users consent to applications" and "Configure the admin consent workflow"): users should
 * consent only to apps from verified publishers asking for low-impact permissions (or not at
 * all), and when their consent is restricted they need the admin consent workflow to ask for
 * the rest. Reads the configuration's declarations offline and the tenant's settings with
 * --tenant; says nothing about what neither states. */
#include <string.h>
#include <strings.h>

#include "runtime/analysis/lint_int.h"

#define SELF_PREFIX "ManagePermissionGrantsForSelf."

/* Does the list let users consent to every app ("microsoft-user-default-legacy")? */
static bool consent_to_all(const json_t *policies)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const char *s = json_string_value(p);
        if (s && strcasecmp(s, SELF_PREFIX "microsoft-user-default-legacy") == 0)
            return true;
    }
    return false;
}

static bool user_consent_restricted(const json_t *policies)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p)
    {
        const char *s = json_string_value(p);
        if (s && strncasecmp(s, SELF_PREFIX, strlen(SELF_PREFIX)) == 0 &&
            strcasecmp(s, SELF_PREFIX "microsoft-user-default-low") != 0)
            return false;
    }
    return true;
}

void lint_consent_run(struct lint_ctx *c)
{
    const json_t *uc = c->in->user_consent, *ac = c->in->admin_consent;
    const json_t *policies = json_object_get(uc, "policies");
    if (uc && consent_to_all(policies))
        lint_emit(c, "IDP-APP-001", lint_jstr(uc, "at"),
                  "users may consent to any application for the permissions it asks "
                  "(ManagePermissionGrantsForSelf.microsoft-user-default-legacy); Microsoft "
                  "recommends consent to apps from verified publishers for low-impact "
                  "permissions only: `user_consent verified_publishers_low_impact`");
    if (!ac || (uc && !user_consent_restricted(policies)))
        return;
    if (!json_is_true(json_object_get(ac, "isEnabled")))
        lint_emit(c, "IDP-APP-002", lint_jstr(ac, "at"),
                  "the admin consent workflow is off: a user who may not consent to an app "
                  "cannot ask an administrator for it; write `admin_consent_requests on` with "
                  "`admin_consent_reviewers`");
    else if (json_array_size(json_object_get(ac, "reviewers")) == 0)
        lint_emit(c, "IDP-APP-002", lint_jstr(ac, "at"),
                  "the admin consent workflow is on but has no reviewers: nobody receives the "
                  "requests");
}
