/* lower_settings.c — `settings { ... }`: tenant-wide switches (facts.md §5.2, §5.4, §5.5).
 *   security_defaults            → identitySecurityDefaultsEnforcementPolicy {isEnabled}
 *   users_can_*, guest_*, admin_self_service_password_reset, block_msol_powershell
 *                                → authorizationPolicy (PATCH body)
 *   group_*                      → groupSetting from template Group.Unified (string values)
 *   user_consent                 → authorizationPolicy permissionGrantPoliciesAssigned
 *   admin_consent_*              → adminConsentRequestPolicy (PUT; lower_consent.c)
 *   directory_sync               → an assertion checked at plan time, never applied
 * Each statement may appear once. Bodies list keys in this file's table order, whatever the
 * order of the lines, so moving a line does not change the compiled output. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/suggest.h"

#define GROUP_UNIFIED_TEMPLATE "62375ab9-6b52-47ed-826b-58e47e0e304b"
/* "Password Rule Settings": Microsoft Entra password protection and smart lockout (Microsoft
 * Learn, "Eliminate bad passwords using Microsoft Entra Password Protection", "Protect user
 * accounts from attacks with Microsoft Entra smart lockout"). */
#define PASSWORD_RULES_TEMPLATE "5cf42378-d67d-4f36-ba46-e8b86229381d"
#define BANNED_MIN_LEN          4
#define BANNED_MAX_LEN          16
#define BANNED_MAX_COUNT        1000
#define NAMING_FIXED_MAX        53 /* prefix + suffix characters (entra-docs groups-naming-policy.md) */

enum target {
    T_SECDEF,
    T_AUTHZ,
    T_PERM,
    T_GROUPS,
    T_PASSWORD,
    T_LIFECYCLE,
    T_CONSENT,
    T_SYNC
};
enum vtype {
    V_BOOL,
    V_ENUM,
    V_STRING,
    V_LIST,
    V_GROUP_CREATION,
    V_NAMING,
    V_URL,
    V_SYNC,
    V_BANNED,
    V_ON_PREMISES,
    V_LOCKOUT,
    V_EXPIRATION,
    V_CLASS_DESC,
    V_USER_CONSENT,
    V_REVIEWERS,
    V_DAYS
};

static const char *const invites_words[] = {"none", "admins_and_guest_inviters",
                                            "admins_guest_inviters_and_all_members", "everyone"};
static const char *const invites_graph[] = {"none", "adminsAndGuestInviters",
                                            "adminsGuestInvitersAndAllMembers", "everyone"};
static const char *const access_words[] = {"same_as_members", "limited", "restricted"};
static const char *const access_graph[] = {"a0b1b346-4d3e-4e8b-98f8-753987be4970",
                                           "10dae51f-b6af-4016-8d66-8c2a99b929b3",
                                           "2af84b1e-32c8-42b7-82bc-daa82404023b"};

struct setting {
    const char *kw;
    enum target target;
    enum vtype type;
    const char *key; /* Graph property or Group.Unified value name */
    const char *const *words, *const *graph;
    size_t nwords;
    const char *what; /* for messages */
};

static const struct setting table[] = {
    {"security_defaults", T_SECDEF, V_BOOL, "isEnabled", NULL, NULL, 0, NULL},
    {"guest_invites", T_AUTHZ, V_ENUM, "allowInvitesFrom", invites_words, invites_graph,
     IDPC_ARRAY_LEN(invites_words), "guest invitation setting"},
    {"admin_self_service_password_reset", T_AUTHZ, V_BOOL, "allowedToUseSSPR", NULL, NULL, 0, NULL},
    {"block_msol_powershell", T_AUTHZ, V_BOOL, "blockMsolPowerShell", NULL, NULL, 0, NULL},
    {"guest_access", T_AUTHZ, V_ENUM, "guestUserRoleId", access_words, access_graph,
     IDPC_ARRAY_LEN(access_words), "guest access level"},
    {"users_can_create_apps", T_PERM, V_BOOL, "allowedToCreateApps", NULL, NULL, 0, NULL},
    {"users_can_create_security_groups", T_PERM, V_BOOL, "allowedToCreateSecurityGroups", NULL,
     NULL, 0, NULL},
    {"users_can_create_tenants", T_PERM, V_BOOL, "allowedToCreateTenants", NULL, NULL, 0, NULL},
    {"users_can_read_other_users", T_PERM, V_BOOL, "allowedToReadOtherUsers", NULL, NULL, 0, NULL},
    {"group_creation", T_GROUPS, V_GROUP_CREATION, "EnableGroupCreation", NULL, NULL, 0, NULL},
    {"group_naming", T_GROUPS, V_NAMING, "PrefixSuffixNamingRequirement", NULL, NULL, 0, NULL},
    {"group_blocked_words", T_GROUPS, V_LIST, "CustomBlockedWordsList", NULL, NULL, 0,
     "a blocked word"},
    {"group_guest_owners", T_GROUPS, V_BOOL, "AllowGuestsToBeGroupOwner", NULL, NULL, 0, NULL},
    {"group_guest_access", T_GROUPS, V_BOOL, "AllowGuestsToAccessGroups", NULL, NULL, 0, NULL},
    {"group_add_guests", T_GROUPS, V_BOOL, "AllowToAddGuests", NULL, NULL, 0, NULL},
    {"group_usage_guidelines", T_GROUPS, V_URL, "UsageGuidelinesUrl", NULL, NULL, 0, NULL},
    {"group_classifications", T_GROUPS, V_LIST, "ClassificationList", NULL, NULL, 0,
     "a classification"},
    {"group_classification_descriptions", T_GROUPS, V_CLASS_DESC, "ClassificationDescriptions",
     NULL, NULL, 0, NULL},
    {"group_default_classification", T_GROUPS, V_STRING, "DefaultClassification", NULL, NULL, 0,
     NULL},
    {"group_guest_usage_guidelines", T_GROUPS, V_URL, "GuestUsageGuidelinesUrl", NULL, NULL, 0,
     NULL},
    {"group_standard_blocked_words", T_GROUPS, V_BOOL, "EnableMSStandardBlockedWords", NULL, NULL,
     0, NULL},
    {"group_sensitivity_labels", T_GROUPS, V_BOOL, "EnableMIPLabels", NULL, NULL, 0, NULL},
    {"group_writeback_default", T_GROUPS, V_BOOL, "NewUnifiedGroupWritebackDefault", NULL, NULL, 0,
     NULL},
    {"group_expiration", T_LIFECYCLE, V_EXPIRATION, "groupLifetimeInDays", NULL, NULL, 0, NULL},
    {"banned_passwords", T_PASSWORD, V_BANNED, "BannedPasswordList", NULL, NULL, 0, NULL},
    {"banned_password_check", T_PASSWORD, V_BOOL, "EnableBannedPasswordCheck", NULL, NULL, 0, NULL},
    {"password_protection_on_premises", T_PASSWORD, V_ON_PREMISES,
     "EnableBannedPasswordCheckOnPremises", NULL, NULL, 0, NULL},
    {"smart_lockout", T_PASSWORD, V_LOCKOUT, "LockoutThreshold", NULL, NULL, 0, NULL},
    {"user_consent", T_PERM, V_USER_CONSENT, "permissionGrantPoliciesAssigned", NULL, NULL, 0,
     NULL},
    {"admin_consent_requests", T_CONSENT, V_BOOL, "isEnabled", NULL, NULL, 0, NULL},
    {"admin_consent_reviewers", T_CONSENT, V_REVIEWERS, "reviewers", NULL, NULL, 0, NULL},
    {"admin_consent_notify_reviewers", T_CONSENT, V_BOOL, "notifyReviewers", NULL, NULL, 0, NULL},
    {"admin_consent_reminders", T_CONSENT, V_BOOL, "remindersEnabled", NULL, NULL, 0, NULL},
    {"admin_consent_request_expiry", T_CONSENT, V_DAYS, "requestDurationInDays", NULL, NULL, 0,
     NULL},
    {"directory_sync", T_SYNC, V_SYNC, "directorySync", NULL, NULL, 0, NULL},
};

#define NSETTINGS IDPC_ARRAY_LEN(table)

struct settings_state {
    struct check *ck;
    json_t *extra_values; /* Password Rule Settings values a statement sets besides its own */
    const struct ast_stmt *stmt[NSETTINGS];
    json_t *value[NSETTINGS];
    json_t *creation_group; /* GroupCreationAllowedGroupId ref */
};

/* PrefixSuffixNamingRequirement: fixed text and [Attribute] placeholders, [GroupName] once. */
static json_t *naming(struct args *a, const struct ast_atom *v)
{
    static const char *const attrs[] = {"GroupName",       "Department",      "Company", "Office",
                                        "StateOrProvince", "CountryOrRegion", "Title"};
    size_t fixed = 0, groupname = 0;
    for (size_t i = 0; i < v->len;) {
        if (v->text[i] == ']') {
            args_error_in(a, v, i, i + 1, "']' without a matching '['");
            return NULL;
        }
        if (v->text[i] != '[') {
            fixed++;
            i++;
            continue;
        }
        const char *close = memchr(v->text + i, ']', v->len - i);
        if (!close) {
            args_error_in(a, v, i, v->len, "'[' without a closing ']'");
            return NULL;
        }
        size_t end = (size_t)(close - v->text) + 1;
        char *attr = arena_strndup(a->ck->arena, v->text + i + 1, end - i - 2);
        size_t k = 0;
        while (k < IDPC_ARRAY_LEN(attrs) && strcmp(attrs[k], attr) != 0)
            k++;
        if (k == IDPC_ARRAY_LEN(attrs)) {
            const char *best = suggest_best(attr, attrs, IDPC_ARRAY_LEN(attrs));
            if (best)
                args_error_in(a, v, i, end, "unknown attribute [%s]; did you mean [%s]?", attr,
                              best);
            else
                args_error_in(a, v, i, end,
                              "unknown attribute [%s]; a naming policy uses [GroupName], "
                              "[Department], [Company], [Office], [StateOrProvince], "
                              "[CountryOrRegion] or [Title]",
                              attr);
            return NULL;
        }
        if (k == 0 && ++groupname > 1) {
            args_error_in(a, v, i, end, "[GroupName] may appear only once");
            return NULL;
        }
        i = end;
    }
    if (groupname == 0) {
        args_error(a, v,
                   "a naming policy must contain [GroupName], for example \"GRP-[GroupName]\"");
        return NULL;
    }
    if (fixed > NAMING_FIXED_MAX) {
        args_error(a, v, "the fixed prefix and suffix text is %zu characters; the limit is %d",
                   fixed, NAMING_FIXED_MAX);
        return NULL;
    }
    return json_string(v->text);
}

static json_t *string_list(struct args *a, const struct setting *def)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *out = NULL;
    size_t count = 0;
    do {
        const struct ast_atom *v = args_expect_string(a, def->what);
        if (!v)
            goto out;
        if (v->len == 0) {
            args_error(a, v, "%s must not be empty", def->what);
            goto out;
        }
        const char *comma = memchr(v->text, ',', v->len);
        if (comma) {
            size_t p = (size_t)(comma - v->text);
            args_error_in(a, v, p, p + 1,
                          "Graph stores this list comma-separated, so an item cannot contain ','; "
                          "write separate strings");
            goto out;
        }
        if (count++)
            strbuf_addc(&sb, ',');
        strbuf_add(&sb, v->text, v->len);
    } while (args_comma(a));
    out = json_string(strbuf_str(&sb));
out:
    strbuf_fini(&sb);
    return out;
}

static json_t *sync_assertion(struct args *a)
{
    static const char *const req[] = {"required"};
    if (args_expect_word(a, "directory_sync setting", req, 1) < 0)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "assert", model_const_string("directorySync"));
    if (!args_accept(a, "max_age"))
        return o;
    long long hours;
    if (!lower_sync_max_age(a, &hours)) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "maxAgeHours", json_integer(hours));
    return o;
}

/* Appends {"name", "value"} to a values array, taking the value's reference. */
static void extra_value(json_t *values, const char *name, json_t *value)
{
    json_array_append_new(values, json_pack("{s:s,s:o}", "name", name, "value", value));
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* banned_passwords "word", ... → BannedPasswordList: the words joined by tabs. */
static json_t *banned(struct args *a)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *out = NULL;
    size_t count = 0;
    do {
        const struct ast_atom *v = args_expect_string(a, "a banned password");
        if (!v)
            goto out;
        size_t n = code_points(v->text);
        if (n < BANNED_MIN_LEN || n > BANNED_MAX_LEN) {
            args_error(a, v, "a banned password is %d to %d characters long; found %zu",
                       BANNED_MIN_LEN, BANNED_MAX_LEN, n);
            goto out;
        }
        if (strpbrk(v->text, "\t\r\n")) {
            args_error(a, v, "a banned password contains no tab or line break");
            goto out;
        }
        if (++count > BANNED_MAX_COUNT) {
            args_error(a, v, "the custom banned password list holds at most %d words",
                       BANNED_MAX_COUNT);
            goto out;
        }
        if (count > 1)
            strbuf_addc(&sb, '\t');
        strbuf_add(&sb, v->text, v->len);
    } while (args_comma(a));
    out = json_string(strbuf_str(&sb));
out:
    strbuf_fini(&sb);
    return out;
}

/* password_protection_on_premises enforce|audit|off → EnableBannedPasswordCheckOnPremises, and
 * BannedPasswordCheckOnPremisesMode for enforce and audit. */
static json_t *on_premises(struct settings_state *st, struct args *a)
{
    static const char *const words[] = {"enforce", "audit", "off"};
    int k = args_expect_word(a, "on-premises password protection mode", words, 3);
    if (k < 0)
        return NULL;
    if (k < 2)
        extra_value(st->extra_values, "BannedPasswordCheckOnPremisesMode",
                    json_string(k == 0 ? "Enforce" : "Audit"));
    return json_string(k < 2 ? "True" : "False");
}

/* smart_lockout threshold N duration D → LockoutThreshold, LockoutDurationInSeconds. */
static json_t *lockout(struct settings_state *st, struct args *a)
{
    if (!args_accept(a, "threshold")) {
        args_expected(a, "'threshold'");
        return NULL;
    }
    const struct ast_atom *n = args_peek(a);
    if (!n || n->kind != AST_NUMBER || n->num < 1) {
        args_expected(a, "the number of failed sign-ins before a lockout (1 or more)");
        return NULL;
    }
    args_next(a);
    if (!args_accept(a, "duration")) {
        args_expected(a, "'duration'");
        return NULL;
    }
    const struct ast_atom *d = args_peek(a);
    if (!d || d->kind != AST_DURATION) {
        args_expected(a, "a lockout duration such as 60s or 5m");
        return NULL;
    }
    args_next(a);
    long long secs = strcmp(d->text, "s") == 0   ? d->num
                     : strcmp(d->text, "m") == 0 ? d->num * 60
                     : strcmp(d->text, "h") == 0 ? d->num * 3600
                                                 : -1;
    if (secs < 1) {
        args_error(a, d,
                   "a lockout duration is in seconds, minutes or hours, such as 60s; found "
                   "'%lld%s'",
                   d->num, d->text);
        return NULL;
    }
    extra_value(st->extra_values, "LockoutDurationInSeconds",
                json_string(arena_printf(a->ck->arena, "%lld", secs)));
    return json_string(arena_printf(a->ck->arena, "%lld", n->num));
}

/* group_expiration Nd [for group "A", ...] [notify "a@x", ...] | off → the tenant's
 * groupLifecyclePolicy {groupLifetimeInDays, managedGroupTypes "All" | "Selected" | "None",
 * alternateNotificationEmails "a;b"} (Microsoft Learn, "Configure the expiration policy for
 * Microsoft 365 groups": a lifetime of at least 30 days; the notification addresses receive the
 * renewal mails of ownerless groups; "Selected" applies it to up to 500 groups, added one by one
 * with groupLifecyclePolicy: addGroup). The groups go to the object's extra ("groups"). */
#define LIFETIME_MIN_DAYS     30
#define LIFETIME_MAX_SELECTED 500
static json_t *expiration(struct args *a)
{
    if (args_accept(a, "off"))
        return json_pack("{s:s}", "managedGroupTypes", "None");
    const struct ast_atom *d = args_peek(a);
    if (!d || d->kind != AST_DURATION || strcmp(d->text, "d") != 0) {
        args_expected(a, "a lifetime in days such as 180d, or 'off'");
        return NULL;
    }
    args_next(a);
    if (d->num < LIFETIME_MIN_DAYS) {
        args_error(a, d,
                   "a Microsoft 365 group lives at least %d days before it expires; found "
                   "%lldd",
                   LIFETIME_MIN_DAYS, d->num);
        return NULL;
    }
    json_t *o = json_pack("{s:I,s:s}", "groupLifetimeInDays", (json_int_t)d->num,
                          "managedGroupTypes", "All");
    if (args_accept(a, "for")) {
        json_t *groups = json_array();
        do {
            const struct ast_atom *kw = args_peek(a);
            if (!args_accept(a, "group")) {
                args_expected(a, "'group' (the expiration policy applies to Microsoft 365 groups)");
                json_decref(groups);
                json_decref(o);
                return NULL;
            }
            json_t *r = args_ref(a, "group", "a group name");
            if (!r) {
                json_decref(groups);
                json_decref(o);
                return NULL;
            }
            if (json_array_size(groups) == LIFETIME_MAX_SELECTED) {
                args_error(a, kw,
                           "an expiration policy applies to at most %d selected groups; above "
                           "that, apply it to all",
                           LIFETIME_MAX_SELECTED);
                json_decref(r);
                json_decref(groups);
                json_decref(o);
                return NULL;
            }
            json_array_append_new(groups, r);
        } while (args_comma(a));
        json_object_set_new(o, "managedGroupTypes", model_const_string("Selected"));
        json_object_set_new(o, "$groups", groups);
    }
    if (args_accept(a, "notify")) {
        struct strbuf sb = STRBUF_INIT;
        size_t n = 0;
        do {
            const struct ast_atom *m = args_expect_string(a, "an email address");
            if (!m || !strchr(m->text, '@') || strpbrk(m->text, "; ,")) {
                if (m)
                    args_error(a, m, "'%s' is not an email address", m->text);
                strbuf_fini(&sb);
                json_decref(o);
                return NULL;
            }
            if (n++)
                strbuf_addc(&sb, ';');
            strbuf_adds(&sb, m->text);
        } while (args_comma(a));
        json_object_set_new(o, "alternateNotificationEmails", json_string(strbuf_str(&sb)));
        strbuf_fini(&sb);
    }
    return o;
}

/* group_classification_descriptions "Label" "what it means", ... → ClassificationDescriptions
 * "Label:what it means,..." (Microsoft Learn, "Microsoft Entra cmdlets for configuring group
 * settings": each description is keyed by a classification of ClassificationList). */
static json_t *classification_descriptions(struct args *a)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *out = NULL;
    size_t count = 0;
    do {
        const struct ast_atom *c = args_expect_string(a, "a classification");
        if (!c)
            goto out;
        const struct ast_atom *d = args_expect_string(a, "its description");
        if (!d)
            goto out;
        const struct ast_atom *bad = strpbrk(c->text, ",:") ? c : strpbrk(d->text, ",:") ? d : NULL;
        if (bad || c->len == 0 || d->len == 0) {
            args_error(a,
                       bad           ? bad
                       : c->len == 0 ? c
                                     : d,
                       "Graph stores the descriptions as \"Label:description,...\", so a label "
                       "or description is not empty and contains no ',' or ':'");
            goto out;
        }
        if (count++)
            strbuf_addc(&sb, ',');
        strbuf_addf(&sb, "%s:%s", c->text, d->text);
    } while (args_comma(a));
    out = json_string(strbuf_str(&sb));
out:
    strbuf_fini(&sb);
    return out;
}

/* admin_consent_request_expiry Nd → requestDurationInDays: the admin center offers 1 to 30 days
 * ("Configure the admin consent workflow", "Consent request expires after (days)"). */
#define CONSENT_DAYS_MAX 30
static json_t *request_days(struct args *a)
{
    const struct ast_atom *d = args_peek(a);
    if (!d || d->kind != AST_DURATION || strcmp(d->text, "d") != 0) {
        args_expected(a, "a number of days such as 30d");
        return NULL;
    }
    args_next(a);
    if (d->num < 1 || d->num > CONSENT_DAYS_MAX) {
        args_error(a, d, "a consent request expires after 1 to %d days; found %lldd",
                   CONSENT_DAYS_MAX, d->num);
        return NULL;
    }
    return json_integer(d->num);
}

static json_t *read_value(struct settings_state *st, struct args *a, const struct setting *def)
{
    bool on;
    int k;
    const struct ast_atom *v;
    switch (def->type) {
    case V_BOOL:
        if (!args_on_off(a, &on))
            return NULL;
        if (def->target == T_PASSWORD)
            return json_string(on ? "True" : "False");
        return def->target == T_GROUPS ? json_string(on ? "true" : "false") : json_boolean(on);
    case V_BANNED:
        return banned(a);
    case V_ON_PREMISES:
        return on_premises(st, a);
    case V_LOCKOUT:
        return lockout(st, a);
    case V_EXPIRATION:
        return expiration(a);
    case V_CLASS_DESC:
        return classification_descriptions(a);
    case V_USER_CONSENT:
        return lower_user_consent(a);
    case V_REVIEWERS:
        return lower_consent_reviewers(a);
    case V_DAYS:
        return request_days(a);
    case V_ENUM:
        k = args_expect_word(a, def->what, def->words, def->nwords);
        return k < 0 ? NULL : json_string(def->graph[k]);
    case V_STRING:
        v = args_expect_string(a, "a value");
        return v ? json_string(v->text) : NULL;
    case V_LIST:
        return string_list(a, def);
    case V_NAMING:
        v = args_expect_string(a, "a naming policy such as \"GRP-[GroupName]\"");
        return v ? naming(a, v) : NULL;
    case V_URL:
        v = args_expect_string(a, "a URL");
        if (!v)
            return NULL;
        if (strncmp(v->text, "https://", 8) != 0 && strncmp(v->text, "http://", 7) != 0) {
            args_error(a, v, "'%s' is not a web address; write \"https://...\"", v->text);
            return NULL;
        }
        if (strpbrk(v->text, " \t\r\n")) {
            args_error(a, v, "a URL contains no spaces; encode them as %%20");
            return NULL;
        }
        return json_string(v->text);
    case V_GROUP_CREATION: {
        if (!args_on_off(a, &on))
            return NULL;
        const struct ast_atom *ex = args_peek(a);
        if (args_accept(a, "except")) {
            if (on) {
                args_error(a, ex,
                           "'except' names the group that may still create groups when creation "
                           "is off; with 'on' everyone may");
                return NULL;
            }
            if (!args_accept(a, "group")) {
                args_expected(a, "'group'");
                return NULL;
            }
            json_t *r = args_ref(a, "group", "a group name");
            if (!r)
                return NULL;
            json_decref(st->creation_group);
            st->creation_group = r;
        }
        return json_string(on ? "true" : "false");
    }
    case V_SYNC:
        return sync_assertion(a);
    }
    return NULL;
}

static void add_value(json_t *values, const char *name, json_t *value)
{
    json_t *v = json_object();
    json_object_set_new(v, "name", json_string(name));
    json_object_set(v, "value", value);
    json_array_append_new(values, v);
}

static const struct ast_stmt *first_policy(const struct check *ck)
{
    for (const struct ast_file *f = ck->cfg->files; f; f = f->next)
        for (const struct ast_stmt *s = f->stmts; s; s = s->next)
            if (ast_is_word(&s->atoms[0], "policy"))
                return s;
    return NULL;
}

/* First statement (in table order) that contributes to target t, for the object's location. */
static const struct ast_stmt *first_of(const struct settings_state *st, enum target t)
{
    const struct ast_stmt *best = NULL;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (table[i].target == t && st->value[i] && st->stmt[i] &&
            (!best || st->stmt[i]->loc.start < best->loc.start))
            best = st->stmt[i];
    return best;
}

static size_t index_of(const char *kw)
{
    size_t i = 0;
    while (i < NSETTINGS && strcmp(table[i].kw, kw) != 0)
        i++;
    return i;
}

/* True when the comma-joined list has item (exactly, as Graph compares labels). */
static bool list_has(const char *list, const char *item, size_t n)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Statements that only make sense together: a default classification and the descriptions name
 * classifications of the list; an enabled admin consent workflow has reviewers. */
static void cross_checks(struct settings_state *st)
{
    struct check *ck = st->ck;
    size_t list = index_of("group_classifications");
    const char *labels = json_string_value(st->value[list]);
    size_t def = index_of("group_default_classification");
    if (st->value[def]) {
        const char *d = json_string_value(st->value[def]);
        if (!labels)
            diag_error(ck->diag, st->stmt[def]->atoms[1].loc,
                       "a default classification needs group_classifications listing it");
        else if (!list_has(labels, d, strlen(d))) {
            diag_error(ck->diag, st->stmt[def]->atoms[1].loc,
                       "\"%s\" is not one of the group_classifications", d);
            diag_note(ck->diag, st->stmt[list]->atoms[0].loc,
                      "the classifications are listed here");
        }
    }
    size_t desc = index_of("group_classification_descriptions");
    if (st->value[desc]) {
        const char *p = json_string_value(st->value[desc]);
        for (size_t n = 0; p && *p; n++) {
            const char *colon = strchr(p, ':'), *comma = strchr(p, ',');
            const struct ast_atom *at = &st->stmt[desc]->atoms[1 + 3 * n];
            if (colon && (!labels || !list_has(labels, p, (size_t)(colon - p))))
                diag_error(ck->diag, at->loc,
                           "\"%s\" is not one of the group_classifications; a description "
                           "belongs to a listed classification",
                           at->text);
            p = comma ? comma + 1 : NULL;
        }
    }
    size_t on = index_of("admin_consent_requests"), rev = index_of("admin_consent_reviewers");
    if (json_is_true(st->value[on]) && !st->stmt[rev])
        diag_error(ck->diag, st->stmt[on]->atoms[0].loc,
                   "the admin consent workflow needs reviewers: add admin_consent_reviewers "
                   "user \"...\", group \"...\" or role \"...\" (\"Configure the admin consent "
                   "workflow\")");
}

static void build(struct settings_state *st)
{
    cross_checks(st);
    struct check *ck = st->ck;
    const struct ast_stmt *s;
    if ((s = first_of(st, T_SECDEF))) {
        struct model_object *o =
            model_add(ck->model, MODEL_SECURITY_DEFAULTS,
                      "identitySecurityDefaultsEnforcementPolicy", s->atoms[0].loc);
        json_object_set(o->body, "isEnabled", st->value[0]);
        const struct ast_stmt *p = json_is_true(st->value[0]) ? first_policy(ck) : NULL;
        if (p) {
            diag_warning(ck->diag, s->atoms[0].loc,
                         "security defaults cannot be on while Conditional Access policies are "
                         "enabled; Entra refuses one or the other");
            diag_note(ck->diag, p->atoms[0].loc, "a Conditional Access policy is declared here");
        }
    }
    const struct ast_stmt *az = first_of(st, T_AUTHZ), *pm = first_of(st, T_PERM);
    if (az || pm) {
        const struct ast_stmt *at = !az ? pm : !pm ? az : az->loc.start < pm->loc.start ? az : pm;
        struct model_object *o = model_add(ck->model, MODEL_AUTHORIZATION_POLICY,
                                           "authorizationPolicy", at->atoms[0].loc);
        json_t *perm = json_object();
        for (size_t i = 0; i < NSETTINGS; i++) {
            if (!st->value[i])
                continue;
            if (table[i].target == T_AUTHZ)
                json_object_set(o->body, table[i].key, st->value[i]);
            else if (table[i].target == T_PERM)
                json_object_set(perm, table[i].key, st->value[i]);
        }
        if (json_object_size(perm))
            json_object_set(o->body, "defaultUserRolePermissions", perm);
        json_decref(perm);
    }
    if ((s = first_of(st, T_GROUPS))) {
        struct model_object *o =
            model_add(ck->model, MODEL_GROUP_SETTING, "Group.Unified", s->atoms[0].loc);
        json_object_set_new(o->body, "templateId", json_string(GROUP_UNIFIED_TEMPLATE));
        json_t *values = json_array();
        for (size_t i = 0; i < NSETTINGS; i++) {
            if (table[i].target != T_GROUPS || !st->value[i])
                continue;
            add_value(values, table[i].key, st->value[i]);
            if (table[i].type == V_GROUP_CREATION && st->creation_group)
                add_value(values, "GroupCreationAllowedGroupId", st->creation_group);
        }
        json_object_set_new(o->body, "values", values);
    }
    if ((s = first_of(st, T_PASSWORD))) {
        struct model_object *o =
            model_add(ck->model, MODEL_GROUP_SETTING, "Password Rule Settings", s->atoms[0].loc);
        json_object_set_new(o->body, "templateId", json_string(PASSWORD_RULES_TEMPLATE));
        json_t *values = json_array();
        for (size_t i = 0; i < NSETTINGS; i++) {
            if (table[i].target == T_PASSWORD && st->value[i])
                add_value(values, table[i].key, st->value[i]);
        }
        json_array_extend(values, st->extra_values);
        json_object_set_new(o->body, "values", values);
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (table[i].target != T_LIFECYCLE || !st->value[i])
            continue;
        struct model_object *o = model_add(ck->model, MODEL_GROUP_LIFECYCLE, "groupLifecyclePolicy",
                                           st->stmt[i]->atoms[0].loc);
        json_object_update(o->body, st->value[i]);
        json_t *groups = json_object_get(o->body, "$groups");
        if (groups) {
            json_object_set(model_extra(o), "groups", groups);
            json_object_del(o->body, "$groups");
        }
    }
    if ((s = first_of(st, T_CONSENT))) {
        struct model_object *o =
            model_add(ck->model, MODEL_ADMIN_CONSENT, "adminConsentRequestPolicy", s->atoms[0].loc);
        for (size_t i = 0; i < NSETTINGS; i++)
            if (table[i].target == T_CONSENT && st->value[i])
                json_object_set(o->body, table[i].key, st->value[i]);
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (table[i].target != T_SYNC || !st->value[i] ||
            !lower_sync_assertion_once(ck, st->stmt[i]->atoms[0].loc))
            continue;
        struct model_object *o =
            model_add(ck->model, MODEL_ASSERTION, "directorySync", st->stmt[i]->atoms[0].loc);
        json_decref(o->body);
        o->body = json_incref(st->value[i]);
    }
}

void lower_settings(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                    size_t n)
{
    (void)decl;
    struct settings_state st = {.ck = ck, .extra_values = json_array()};
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        size_t k = 0;
        while (k < NSETTINGS && strcmp(table[k].kw, kw) != 0)
            k++;
        if (k == NSETTINGS)
            continue; /* placement already reported it */
        if (st.stmt[k]) {
            diag_error(ck->diag, s->atoms[0].loc, "'%s' is given twice in settings", kw);
            diag_note(ck->diag, st.stmt[k]->atoms[0].loc, "first given here");
            continue;
        }
        st.stmt[k] = s;
        struct args a;
        args_init(&a, ck, s);
        json_t *v = a.failed ? NULL : read_value(&st, &a, &table[k]);
        if (v && !args_expect_end(&a)) {
            json_decref(v);
            v = NULL;
        }
        st.value[k] = v;
    }
    build(&st);
    for (size_t i = 0; i < NSETTINGS; i++)
        json_decref(st.value[i]);
    json_decref(st.creation_group);
    json_decref(st.extra_values);
}
