/* normalize_pim.c — canonical form of a PIM role management policy (unifiedRoleManagementPolicy
 * with its rules): one entry per rule id, holding only what the language can state, in the
 * language's own words, so that a diff reads as the .idp line that changed
 * (docs/normalization.md, "PIM role settings"). */
#include "runtime/plan/normalize_pim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/util.h"

/* ISO 8601 duration ("PT8H", "P1D", "PT1H30M", "P365D") → minutes; -1 when unreadable. Days
 * are 24 hours, as PIM counts them. */
static long iso_minutes(const char *s)
{
    if (!s || (*s != 'P' && *s != 'p'))
        return -1;
    long total = 0;
    bool time = false;
    const char *p = s + 1;
    while (*p) {
        if (*p == 'T' || *p == 't') {
            time = true;
            p++;
            continue;
        }
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            return -1;
        char u = *end;
        if (u == 'D' || u == 'd')
            total += (long)(v * 1440);
        else if ((u == 'H' || u == 'h') && time)
            total += (long)(v * 60);
        else if ((u == 'M' || u == 'm') && time)
            total += (long)v;
        else if ((u == 'S' || u == 's') && time)
            total += (long)(v / 60);
        else if (u == 'W' || u == 'w')
            total += (long)(v * 7 * 1440);
        else
            return -1;
        p = end + 1;
    }
    return total;
}

/* minutes → the language's spelling: whole days as "90d", whole hours as "8h", else "90m" */
static json_t *duration_word(const char *iso)
{
    long m = iso_minutes(iso);
    if (m < 0)
        return json_string(iso ? iso : "");
    char buf[32];
    if (m > 0 && m % 1440 == 0 && m >= 1440 * 2)
        snprintf(buf, sizeof(buf), "%ldd", m / 1440);
    else if (m > 0 && m % 60 == 0)
        snprintf(buf, sizeof(buf), "%ldh", m / 60);
    else
        snprintf(buf, sizeof(buf), "%ldm", m);
    /* activation durations are written in hours, assignment durations in days */
    if (m == 1440)
        snprintf(buf, sizeof(buf), "24h");
    return json_string(buf);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted, deduplicated array of strings. */
static json_t *sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    char **v = xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(json_string_value(json_array_get(arr, i)));
    qsort(v, n, sizeof(*v), str_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            json_array_append_new(out, json_string(v[i]));
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    json_decref(arr);
    return out;
}

static char *lower(const char *s)
{
    char *d = xstrdup(s ? s : "");
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static json_t *expiration(const json_t *r)
{
    json_t *req = json_object_get(r, "isExpirationRequired");
    if (json_is_false(req))
        return json_string("permanent");
    return duration_word(json_string_value(json_object_get(r, "maximumDuration")));
}

static json_t *enablement(const json_t *r)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "enabledRules"), i, v)
    {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        const char *w = strcasecmp(s, "MultiFactorAuthentication") == 0 ? "mfa"
                        : strcasecmp(s, "Justification") == 0           ? "justification"
                        : strcasecmp(s, "Ticketing") == 0               ? "ticket"
                                                                        : s;
        json_array_append_new(out, json_string(w));
    }
    return sorted(out);
}

static json_t *context(const json_t *r)
{
    if (!json_is_true(json_object_get(r, "isEnabled")))
        return json_string("none");
    char *c = lower(json_string_value(json_object_get(r, "claimValue")));
    json_t *out = json_string(c);
    free(c);
    return out;
}

/* the approvers' ids (users and groups alike: ids are unique in the directory), or [] when no
 * approval is required */
static json_t *approval(const json_t *r)
{
    json_t *out = json_array();
    const json_t *set = json_object_get(r, "setting");
    if (!json_is_true(json_object_get(set, "isApprovalRequired")))
        return out;
    size_t i, j;
    json_t *stage, *who;
    json_array_foreach(json_object_get(set, "approvalStages"), i, stage)
    {
        json_array_foreach(json_object_get(stage, "primaryApprovers"), j, who)
        {
            const char *id = json_string_value(json_object_get(who, "userId"));
            if (!id)
                id = json_string_value(json_object_get(who, "groupId"));
            if (!id)
                id = json_string_value(json_object_get(who, "id"));
            if (id && strncmp(id, "$new:", 5) == 0) {
                json_array_append_new(out, json_string(id)); /* created by the same plan */
            } else if (id) {
                char *l = lower(id);
                json_array_append_new(out, json_string(l));
                free(l);
            }
        }
    }
    return sorted(out);
}

/* "all", "critical no_default \"a@b\"": the notify line after its event and recipient */
static json_t *notification(const json_t *r)
{
    struct strbuf sb = STRBUF_INIT;
    char *lvl = lower(json_string_value(json_object_get(r, "notificationLevel")));
    strbuf_adds(&sb, *lvl ? lvl : "all");
    free(lvl);
    if (json_is_false(json_object_get(r, "isDefaultRecipientsEnabled")))
        strbuf_adds(&sb, " no_default");
    json_t *to = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "notificationRecipients"), i, v)
    {
        if (json_string_value(v)) {
            char *l = lower(json_string_value(v));
            json_array_append_new(to, json_string(l));
            free(l);
        }
    }
    to = sorted(to);
    json_array_foreach(to, i, v)
    {
        strbuf_addf(&sb, "%s \"%s\"", i ? "," : "", json_string_value(v));
    }
    json_decref(to);
    json_t *out = json_string(strbuf_str(&sb));
    strbuf_fini(&sb);
    return out;
}

json_t *normalize_pim_policy(const json_t *obj)
{
    json_t *out = json_object();
    const json_t *rules = json_object_get(obj, "rules");
    size_t i;
    json_t *r;
    json_array_foreach(util_json_mut(rules), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!id)
            continue;
        json_t *v = NULL;
        if (starts(id, "Expiration_"))
            v = expiration(r);
        else if (starts(id, "Enablement_"))
            v = enablement(r);
        else if (starts(id, "AuthenticationContext_"))
            v = context(r);
        else if (starts(id, "Approval_"))
            v = approval(r);
        else if (starts(id, "Notification_"))
            v = notification(r);
        if (v)
            json_object_set_new(out, id, v);
    }
    return out;
}
