/* plan_consent.c — request bodies for the consent settings (Microsoft Learn, "Configure how
 * users consent to applications" and "Configure the admin consent workflow"). */
#include "runtime/plan/plan_consent.h"

#include <string.h>
#include <strings.h>

#include "runtime/plan/normalize.h"

#define CONSENT_SELF "ManagePermissionGrantsForSelf."

json_t *plan_consent_put(const json_t *desired, const json_t *current)
{
    /* Graph v1.0 "Update adminConsentRequestPolicy": isEnabled, notifyReviewers,
     * remindersEnabled, requestDurationInDays and reviewers are required. */
    static const char *const keys[] = {"isEnabled", "notifyReviewers", "remindersEnabled",
                                       "requestDurationInDays", "reviewers"};
    json_t *body = json_pack("{s:b,s:b,s:b,s:i,s:[]}", "isEnabled", 0, "notifyReviewers", 1,
                             "remindersEnabled", 1, "requestDurationInDays", 30, "reviewers");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const json_t *v = json_object_get(desired, keys[i]);
        if (!v || json_is_null(v))
            v = json_object_get(current, keys[i]);
        if (v && !json_is_null(v))
            json_object_set_new(body, keys[i], normalize_strip_annotations(v));
    }
    /* reviewers from the tenant: only query, queryType and queryRoot are the request's */
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(body, "reviewers"), i, r)
    {
        if (!json_is_object(r))
            continue;
        const char *k;
        void *tmp;
        json_t *val;
        json_object_foreach_safe(r, tmp, k, val)
        {
            (void)val;
            if (strcmp(k, "query") != 0 && strcmp(k, "queryType") != 0 &&
                strcmp(k, "queryRoot") != 0)
                json_object_del(r, k);
        }
    }
    return body;
}

json_t *plan_consent_grants(const json_t *desired, const json_t *current)
{
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(desired, i, e)
    {
        json_array_append_new(out, json_deep_copy(e));
    }
    json_array_foreach(current, i, e)
    {
        const char *s = json_string_value(e);
        if (s && strncasecmp(s, CONSENT_SELF, strlen(CONSENT_SELF)) != 0)
            json_array_append_new(out, json_string(s));
    }
    return out;
}
