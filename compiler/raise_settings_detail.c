/* raise_settings_detail.c — the "Password Rule Settings" directory setting (canonical
 * normalize(NK_GROUP_SETTING): values as {name: value}) → the password protection and smart
 * lockout lines of `settings` (the inverse of those lines in lower_settings.c). */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

static const char *val(const json_t *values, const char *k)
{
    return json_string_value(json_object_get(values, k));
}

static bool truthy(const char *s)
{
    return s && util_streq_nocase(s, "true");
}

void raise_password_rules(struct raise_block *b, const json_t *canon)
{
    const json_t *v = json_object_get(canon, "values");
    static const char *const known[] = {"BannedPasswordList",
                                        "EnableBannedPasswordCheck",
                                        "EnableBannedPasswordCheckOnPremises",
                                        "BannedPasswordCheckOnPremisesMode",
                                        "LockoutThreshold",
                                        "LockoutDurationInSeconds",
                                        NULL};
    raise_leftovers_kept(b, v, "Password Rule Settings", known);
    const char *list = val(v, "BannedPasswordList");
    if (list && *list) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, "banned_passwords");
        char *copy = arena_strdup(b->r->arena, list);
        size_t n = 0;
        for (char *p = copy; p;) {
            char *tab = strchr(p, '\t');
            if (tab)
                *tab = '\0';
            if (*p) {
                if (n++)
                    line_comma(&l);
                line_str(&l, p);
            }
            p = tab ? tab + 1 : NULL;
        }
        block_add_line(b, &l);
    }
    const char *check = val(v, "EnableBannedPasswordCheck");
    if (check)
        block_add(b, raise_stmt(b->r, "ww", "banned_password_check", truthy(check) ? "on" : "off"));
    const char *onprem = val(v, "EnableBannedPasswordCheckOnPremises");
    if (onprem) {
        const char *mode = val(v, "BannedPasswordCheckOnPremisesMode");
        block_add(b, raise_stmt(b->r, "ww", "password_protection_on_premises",
                                !truthy(onprem)                              ? "off"
                                : mode && util_streq_nocase(mode, "Enforce") ? "enforce"
                                                                             : "audit"));
    }
    const char *thr = val(v, "LockoutThreshold"), *dur = val(v, "LockoutDurationInSeconds");
    if (thr && dur) {
        long t, d;
        if (util_parse_long(thr, 1, 1000000, &t) && util_parse_long(dur, 1, 100000000, &d)) {
            struct raise_line l;
            line_init(&l, b->r);
            line_word(&l, "smart_lockout");
            line_word(&l, "threshold");
            line_number(&l, t);
            line_word(&l, "duration");
            line_duration(&l, d, "s");
            block_add_line(b, &l);
        } else {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "LockoutThreshold",
                        "cannot express the smart lockout values %s and %s", thr, dur);
        }
    }
}

void raise_group_expiration(struct raise_block *b, const json_t *canon)
{
    static const char *const known[] = {"groupLifetimeInDays", "managedGroupTypes",
                                        "alternateNotificationEmails", "$groups", NULL};
    raise_leftovers_kept(b, canon, "groupLifecyclePolicy", known);
    const char *managed = json_string_value(json_object_get(canon, "managedGroupTypes"));
    const json_t *days = json_object_get(canon, "groupLifetimeInDays");
    if (managed && util_streq_nocase(managed, "None")) {
        block_add(b, raise_stmt(b->r, "ww", "group_expiration", "off"));
        return;
    }
    const json_t *selected = json_object_get(canon, "$groups");
    bool some = managed && util_streq_nocase(managed, "Selected");
    if (managed && !util_streq_nocase(managed, "All") && !(some && json_array_size(selected))) {
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "managedGroupTypes",
                    "cannot express a group expiration policy for selected groups %s; the "
                    "language writes all groups, selected ones (`for group ...`) or off",
                    some ? "without its groups (they are read from the tenant's Microsoft 365 "
                           "groups: none has it)"
                         : "of this kind");
        return;
    }
    if (!json_is_integer(days))
        return;
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, "group_expiration");
    line_duration(&l, json_integer_value(days), "d");
    if (some) {
        line_word(&l, "for");
        size_t lead = l.n, i;
        const json_t *g;
        json_array_foreach(selected, i, g)
        {
            line_ref(b, &l, lead, "group", "group", json_string_value(g), "groups");
        }
    }
    const char *mails = json_string_value(json_object_get(canon, "alternateNotificationEmails"));
    if (mails && *mails) {
        line_word(&l, "notify");
        char *copy = arena_strdup(b->r->arena, mails);
        size_t n = 0;
        for (char *p = copy; p;) {
            char *semi = strchr(p, ';');
            if (semi)
                *semi = '\0';
            if (*p) {
                if (n++)
                    line_comma(&l);
                line_str(&l, p);
            }
            p = semi ? semi + 1 : NULL;
        }
    }
    block_add_line(b, &l);
}
