/* raise_consent.c — the consent lines of `settings` (the inverse of lower_consent.c):
 * user_consent from the canonical authorizationPolicy's permissionGrantPoliciesAssigned, and the
 * admin_consent_* lines from the canonical adminConsentRequestPolicy (normalize(NK_ADMIN_CONSENT):
 * reviewers as lower-case queries without the API version). */
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/raise_int.h"

#define SELF_PREFIX "ManagePermissionGrantsForSelf."

void raise_user_consent(struct raise_block *b, const json_t *policies)
{
    if (!json_is_array(policies))
        return;
    size_t n = json_array_size(policies);
    if (n == 0) {
        block_add(b, raise_stmt(b->r, "ww", "user_consent", "off"));
        return;
    }
    const char *s = json_string_value(json_array_get(policies, 0));
    if (n > 1 || !s || strncmp(s, SELF_PREFIX, strlen(SELF_PREFIX)) != 0) {
        char *t = raise_json_text(policies);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "permissionGrantPoliciesAssigned",
                    "cannot express the user consent policies %s: the language assigns one", t);
        free(t);
        return;
    }
    const char *id = s + strlen(SELF_PREFIX);
    if (strcmp(id, "microsoft-user-default-low") == 0)
        block_add(b, raise_stmt(b->r, "ww", "user_consent", "verified_publishers_low_impact"));
    else if (strcmp(id, "microsoft-user-default-legacy") == 0)
        block_add(b, raise_stmt(b->r, "ww", "user_consent", "all_apps"));
    else
        block_add(b, raise_stmt(b->r, "wws", "user_consent", "policy", id));
}

/* One reviewer query → `user "x"`, `group "x"` or `role "x"` on the line; false when the query
 * is none of the three shapes lower_consent.c writes. */
static bool reviewer(struct raise_block *b, struct raise_line *l, const char *q)
{
    static const char *const role_q =
        "/rolemanagement/directory/roleassignments?$filter=roledefinitionid eq '";
    if (strncmp(q, "/users/", 7) == 0 && catalog_is_guid(q + 7))
        return line_ref(b, l, 1, "user", "user", q + 7, "reviewers");
    if (strncmp(q, "/groups/", 8) == 0 && catalog_is_guid(q + 8))
        return line_ref(b, l, 1, "group", "group", q + 8, "reviewers");
    if (strncmp(q, role_q, strlen(role_q)) == 0) {
        const char *id = q + strlen(role_q);
        size_t n = strlen(id);
        char *tid = arena_strndup(b->r->arena, id, n > 0 ? n - 1 : 0);
        const struct catalog_role *role =
            n > 0 && id[n - 1] == '\'' ? catalog_role_by_id(tid) : NULL;
        if (!role)
            return false;
        if (l->n > 1)
            line_comma(l);
        line_word(l, "role");
        line_str(l, role->name);
        return true;
    }
    return false;
}

void raise_admin_consent(struct raise_block *b, const json_t *canon)
{
    static const char *const known[] = {"isEnabled",        "notifyReviewers",
                                        "remindersEnabled", "requestDurationInDays",
                                        "reviewers",        NULL};
    raise_leftovers_kept(b, canon, "adminConsentRequestPolicy", known);
    const json_t *on = json_object_get(canon, "isEnabled");
    if (json_is_boolean(on))
        block_add(
            b, raise_stmt(b->r, "ww", "admin_consent_requests", json_is_true(on) ? "on" : "off"));
    const json_t *revs = json_object_get(canon, "reviewers");
    if (json_array_size(revs) > 0) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, "admin_consent_reviewers");
        bool ok = true;
        size_t i;
        const json_t *q;
        json_array_foreach(revs, i, q)
        {
            const char *s = json_string_value(q);
            if (!s || !reviewer(b, &l, s)) {
                raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "reviewers",
                            "cannot express the admin consent reviewer \"%s\": the language names "
                            "users, groups and directory roles",
                            s ? s : "?");
                ok = false;
            }
        }
        if (ok && l.n > 1)
            block_add_line(b, &l);
        else
            free(l.v);
    }
    static const struct {
        const char *key, *kw;
    } flags[] = {{"notifyReviewers", "admin_consent_notify_reviewers"},
                 {"remindersEnabled", "admin_consent_reminders"}};
    for (size_t i = 0; i < 2; i++) {
        const json_t *v = json_object_get(canon, flags[i].key);
        if (json_is_boolean(v))
            block_add(b, raise_stmt(b->r, "ww", flags[i].kw, json_is_true(v) ? "on" : "off"));
    }
    const json_t *days = json_object_get(canon, "requestDurationInDays");
    if (json_is_integer(days) && json_integer_value(days) >= 1 && json_integer_value(days) <= 30) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, "admin_consent_request_expiry");
        line_duration(&l, json_integer_value(days), "d");
        block_add_line(b, &l);
    } else if (days && json_is_true(on)) {
        char *t = raise_json_text(days);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "requestDurationInDays",
                    "cannot express requestDurationInDays = %s: the language takes 1d to 30d", t);
        free(t);
    }
}

/* "Label:description,..." → `group_classification_descriptions "Label" "description", ...`. */
void raise_classification_descriptions(struct raise_block *b, const char *value)
{
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, "group_classification_descriptions");
    for (const char *p = value; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (!colon || colon == p || colon + 1 == p + len) {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "ClassificationDescriptions",
                        "cannot express ClassificationDescriptions \"%s\": each item is "
                        "\"Label:description\"",
                        value);
            free(l.v);
            return;
        }
        if (l.n > 1)
            line_comma(&l);
        line_str(&l, arena_strndup(b->r->arena, p, (size_t)(colon - p)));
        line_str(&l, arena_strndup(b->r->arena, colon + 1, (size_t)(p + len - colon - 1)));
        p = e ? e + 1 : NULL;
    }
    block_add_line(b, &l);
}
