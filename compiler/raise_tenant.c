/* raise_tenant.c — the tenant-wide objects → .idp: the authentication methods policy
 * (`authentication_methods`, inverse of lower_auth_methods.c), role assignments and PIM
 * eligibility (`role` blocks, inverse of lower_role.c) and the tenant switches (`settings`,
 * inverse of lower_settings.c). Plan compares these objects on the properties the language sets
 * only, so what the language cannot say is reported once per object and left as it is. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

static const json_t *get(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(get(o, k));
}

/* ---- authentication methods ---- */

#define ALL_USERS "all_users"

/* Reports what of one include target differs from what lower_auth_methods.c writes for method
 * `m` (the target is still written: its group is right). */
static void include_target_ok(struct raise_block *b, const struct catalog_entry *m, const json_t *t,
                              const char *field)
{
    static const char *const known[] = {
        "id", "targetType", "isRegistrationRequired", "authenticationMode", "isUsableForSignIn",
        NULL};
    bool authenticator = strcmp(m->graph, "MicrosoftAuthenticator") == 0;
    bool sms = strcmp(m->graph, "Sms") == 0;
    const char *what = get_str(t, "id") ? get_str(t, "id") : "?";
    struct strbuf why = STRBUF_INIT;
    if (json_is_true(get(t, "isRegistrationRequired")))
        strbuf_adds(&why, ", registration required");
    const char *mode = get_str(t, "authenticationMode");
    if (authenticator ? !mode || strcmp(mode, "any") != 0 : mode != NULL)
        strbuf_addf(&why, ", authenticationMode %s", mode ? mode : "(none)");
    const json_t *usable = get(t, "isUsableForSignIn");
    if (sms ? !json_is_true(usable) : usable != NULL)
        strbuf_addf(&why, ", isUsableForSignIn %s", json_is_true(usable) ? "true" : "false");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)(uintptr_t)t, k, v)
    {
        bool listed = false;
        for (size_t i = 0; known[i] && !listed; i++)
            listed = strcmp(known[i], k) == 0;
        if (!listed)
            strbuf_addf(&why, ", %s", k);
    }
    if (why.len) {
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the target \"%s\" of %s as it is (%s); the language writes "
                    "%s",
                    what, m->keyword, why.buf + 2,
                    authenticator ? "authenticationMode any, no registration required"
                    : sms         ? "isUsableForSignIn true, no registration required"
                                  : "no registration required");
    }
    strbuf_fini(&why);
}

/* Group targets → `KW group "A", group "B"` appended to `l`; false when none was written. */
static bool targets(struct raise_block *b, struct raise_line *l, const char *kw,
                    const struct catalog_entry *m, const json_t *list, bool include,
                    const char *field)
{
    struct raise_line items;
    line_init(&items, b->r);
    size_t i;
    const json_t *t;
    json_array_foreach(list, i, t)
    {
        const char *type = get_str(t, "targetType");
        const char *id = get_str(t, "id");
        if (type && strcmp(type, "group") != 0) {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express the %s target %s \"%s\" of %s: targets are groups", kw,
                        type, id ? id : "?", m->keyword);
            continue;
        }
        if (include)
            include_target_ok(b, m, t, field);
        if (id && strcmp(id, ALL_USERS) == 0) {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express all users together with groups as targets of %s",
                        m->keyword);
            continue;
        }
        line_ref(b, &items, 0, "group", "group", id, field);
    }
    if (items.n == 0) {
        free(items.v);
        return false;
    }
    line_sort_items(&items, 0);
    line_word(l, kw);
    line_extend(l, &items);
    return true;
}

static void method_line(struct raise_block *b, const struct catalog_entry *m, const json_t *cfg)
{
    struct raise *r = b->r;
    char *field = xasprintf("authenticationMethodConfigurations.%s", m->graph);
    static const char *const known[] = {"kind",           "id", "state", "includeTargets",
                                        "excludeTargets", NULL};
    json_t *rest = json_object(); /* what neither the state line nor a setting line says */
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)cfg, key, val)
    {
        if (!raise_method_handles(m->graph, key))
            json_object_set(rest, key, val);
    }
    raise_leftovers_kept(b, rest, field, known);
    json_decref(rest);
    const char *state = get_str(cfg, "state");
    bool on;
    if (state && strcmp(state, "enabled") == 0) {
        on = true;
    } else if (state && strcmp(state, "disabled") == 0) {
        on = false;
    } else {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the state \"%s\" of %s: the language writes on or off",
                    state ? state : "(none)", m->keyword);
        free(field);
        return;
    }
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, m->keyword);
    line_word(&l, on ? "on" : "off");
    const json_t *inc = get(cfg, "includeTargets"), *exc = get(cfg, "excludeTargets");
    const json_t *first = json_array_get(inc, 0);
    bool all =
        json_array_size(inc) == 1 && get_str(first, "id") &&
        strcmp(get_str(first, "id"), ALL_USERS) == 0 &&
        (!get_str(first, "targetType") || strcmp(get_str(first, "targetType"), "group") == 0);
    char *ifield = xasprintf("%s.includeTargets", field);
    char *efield = xasprintf("%s.excludeTargets", field);
    if (all) {
        include_target_ok(b, m, first, ifield);
    } else if (json_array_size(inc) == 0) {
        if (on)
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, ifield,
                        "%s is on without include targets; the language turns a method on for "
                        "all users or for groups",
                        m->keyword);
    } else if (!targets(b, &l, "for", m, inc, true, ifield) && on) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, ifield,
                    "none of the include targets of %s can be written; written as on for all "
                    "users",
                    m->keyword);
    }
    targets(b, &l, "exclude", m, exc, false, efield);
    block_add_line(b, &l);
    raise_method_settings(b, m->graph, m->keyword, cfg, field);
    free(ifield);
    free(efield);
    free(field);
}

struct ast_stmt *raise_auth_methods(struct raise *r, const json_t *canon)
{
    struct raise_block b;
    block_init(&b, r, "authentication_methods");
    struct ast_stmt *decl = raise_decl(r, "authentication_methods", NULL);
    static const char *const known[] = {"authenticationMethodConfigurations", NULL};
    json_t *rest = json_deep_copy(canon);
    if (raise_registration_campaign(&b, canon)) {
        json_t *re = json_object_get(rest, "registrationEnforcement");
        json_object_del(re, "authenticationMethodsRegistrationCampaign");
        if (json_object_size(re) == 0)
            json_object_del(rest, "registrationEnforcement");
    }
    raise_leftovers_kept(&b, rest, "authenticationMethodsPolicy", known);
    json_decref(rest);
    const json_t *cfgs = get(canon, "authenticationMethodConfigurations");
    size_t n;
    const struct catalog_entry *methods = catalog_entries(CAT_AUTH_METHOD, &n);
    for (size_t i = 0; i < n; i++) {
        const char *k;
        const json_t *cfg;
        json_object_foreach((json_t *)(uintptr_t)cfgs, k, cfg)
        {
            const char *id = get_str(cfg, "id") ? get_str(cfg, "id") : k;
            if (util_streq_nocase(id, methods[i].graph))
                method_line(&b, &methods[i], cfg);
        }
    }
    const char *k;
    const json_t *cfg;
    json_object_foreach((json_t *)(uintptr_t)cfgs, k, cfg)
    {
        const char *id = get_str(cfg, "id") ? get_str(cfg, "id") : k;
        if (!catalog_lookup_graph(CAT_AUTH_METHOD, id)) {
            char *t = raise_json_text(cfg);
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "authenticationMethodConfigurations",
                        "cannot express the authentication method \"%s\" (not in the language): "
                        "%s",
                        id, t);
            free(t);
        }
    }
    return block_finish(&b, decl);
}

/* ---- roles ---- */

struct role_item {
    const char *rid; /* roleDefinitionId */
    const json_t *obj;
    bool eligible;
    struct arena *arena;
};

struct role_group {
    const char *rid;
    const char *name; /* block name */
    bool custom;
};

static int role_group_cmp(const void *a, const void *b)
{
    const struct role_group *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* "user" / "group" / "servicePrincipal" for a principal id, or NULL. */
static const char *principal_kind(const struct raise *r, const char *id)
{
    static const char *const kinds[] = {"user", "group", "servicePrincipal"};
    const char *name;
    for (size_t k = 0; id && k < IDPC_ARRAY_LEN(kinds); k++)
        if (raise_names_name(r->names, kinds[k], id, &name) != RAISE_NAME_UNKNOWN)
            return kinds[k];
    return NULL;
}

/* The end date of a time-bound eligibility as the language writes it ("2027-06-30", or
 * "2027-06-30T18:00:00Z" when not midnight), arena; NULL when it has none. */
static const char *role_until(const struct role_item *it)
{
    const json_t *e = get(get(it->obj, "scheduleInfo"), "expiration");
    const char *t = get_str(e, "type"), *end = get_str(e, "endDateTime");
    if (!it->eligible || !t || strcmp(t, "afterDateTime") != 0 || !end || strlen(end) < 19 ||
        end[10] != 'T')
        return NULL;
    return strncmp(end + 10, "T00:00:00", 9) == 0 ? arena_strndup(it->arena, end, 10)
                                                  : arena_printf(it->arena, "%.19sZ", end);
}

/* Adds the principal of one assignment or eligibility to `l`, or reports why it cannot. */
static void role_principal(struct raise_block *b, struct raise_line *l, const struct role_item *it)
{
    struct raise *r = b->r;
    const char *what = it->eligible ? "eligibility" : "assignment";
    const char *field = it->eligible ? "roleEligibilitySchedules" : "roleAssignments";
    const char *pid = get_str(it->obj, "principalId");
    const char *scope = get_str(it->obj, "directoryScopeId");
    const char *app = get_str(it->obj, "appScopeId");
    const char *cond = get_str(it->obj, "condition");
    const char *exp = get_str(get(get(it->obj, "scheduleInfo"), "expiration"), "type");
    if (!pid) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express an %s without a principal", what);
        return;
    }
    if (!scope || strcmp(scope, "/") != 0 || (app && strcmp(app, "/") != 0)) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the %s of principal %s at scope \"%s\": the language "
                    "assigns roles tenant-wide (\"/\")",
                    what, pid,
                    scope && strcmp(scope, "/") != 0 ? scope
                    : app                            ? app
                                                     : "?");
        return;
    }
    if (cond && *cond) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the %s of principal %s with the condition \"%s\"", what, pid,
                    cond);
        return;
    }
    if (it->eligible && exp && strcmp(exp, "noExpiration") != 0 && !role_until(it)) {
        const json_t *e = get(get(it->obj, "scheduleInfo"), "expiration");
        const char *until =
            get_str(e, "endDateTime") ? get_str(e, "endDateTime") : get_str(e, "duration");
        raise_issue(
            r, b, RAISE_ISSUE_UNSUPPORTED, field,
            "cannot express the time-bound eligibility of principal %s (expiration %s%s%s): "
            "the language writes an end date ('until'), not a duration",
            pid, exp, until ? " " : "", until ? until : "");
        return;
    }
    const char *k = principal_kind(r, pid);
    if (!k) {
        raise_issue(r, b, RAISE_ISSUE_DANGLING, field,
                    "the %s's principal %s is not a user, group or service principal of the "
                    "tenant (a deleted object?); not written",
                    what, pid);
        return;
    }
    if (it->eligible && strcmp(k, "servicePrincipal") == 0) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express the eligibility of service principal %s: PIM eligibility is "
                    "for users and groups",
                    pid);
        return;
    }
    line_ref(b, l, 1, strcmp(k, "servicePrincipal") == 0 ? "service_principal" : k, k, pid, field);
}

static void collect_roles(struct raise *r, const json_t *list, bool eligible, struct role_item **v,
                          size_t *n)
{
    size_t i;
    const json_t *o;
    json_array_foreach(list, i, o)
    {
        const char *rid = get_str(o, "roleDefinitionId");
        const char *member = get_str(o, "memberType");
        if (!rid || (member && strcmp(member, "Direct") != 0))
            continue;
        *v = xrealloc(*v, (*n + 1) * sizeof(**v));
        (*v)[(*n)++] = (struct role_item){rid, o, eligible, r->arena};
    }
}

struct ast_stmt *raise_roles(struct raise *r, const json_t *assignments,
                             const json_t *eligibilities)
{
    struct role_item *items = NULL;
    size_t n = 0;
    collect_roles(r, assignments, false, &items, &n);
    collect_roles(r, eligibilities, true, &items, &n);
    struct role_group *groups = xcalloc(n + 1, sizeof(*groups));
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t g = 0;
        while (g < ng && !util_streq_nocase(groups[g].rid, items[i].rid))
            g++;
        if (g < ng)
            continue;
        const struct catalog_role *cr = catalog_role_by_id(items[i].rid);
        const char *name = NULL;
        if (cr && catalog_role_by_name(cr->name) == cr) {
            name = cr->name;
        } else if (raise_names_name(r->names, "roleDefinition", items[i].rid, &name) !=
                   RAISE_NAME_FOUND) {
            name = items[i].rid;
        }
        groups[ng++] = (struct role_group){items[i].rid, name, cr == NULL};
    }
    qsort(groups, ng, sizeof(*groups), role_group_cmp);
    struct ast_stmt *first = NULL, *last = NULL;
    for (size_t g = 0; g < ng; g++) {
        struct raise_block b;
        block_init(&b, r, arena_printf(r->arena, "role \"%s\"", groups[g].name));
        struct ast_stmt *decl = raise_decl(r, "role", groups[g].name);
        if (groups[g].custom)
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "roleDefinitionId",
                        "cannot express the custom role \"%s\" (id %s): the language names "
                        "built-in roles only",
                        groups[g].name, groups[g].rid);
        /* active; eligible (permanent); then one eligible line per end date, earliest first */
        const char **ends = xcalloc(n + 1, sizeof(*ends));
        size_t nends = 0;
        for (size_t i = 0; i < n; i++) {
            const char *u =
                util_streq_nocase(items[i].rid, groups[g].rid) ? role_until(&items[i]) : NULL;
            size_t k = 0;
            while (u && k < nends && strcmp(ends[k], u) != 0)
                k++;
            if (u && k == nends)
                ends[nends++] = u;
        }
        for (size_t x = 1; x < nends; x++)
            for (size_t y = x; y > 0 && strcmp(ends[y - 1], ends[y]) > 0; y--) {
                const char *t = ends[y];
                ends[y] = ends[y - 1];
                ends[y - 1] = t;
            }
        for (size_t e = 0; e < 2 + nends; e++) {
            const char *until = e >= 2 ? ends[e - 2] : NULL;
            struct raise_line l;
            line_init(&l, r);
            line_word(&l, e ? "eligible" : "active");
            for (size_t i = 0; i < n; i++) {
                if (items[i].eligible != (e >= 1) ||
                    !util_streq_nocase(items[i].rid, groups[g].rid))
                    continue;
                const char *u = role_until(&items[i]);
                if ((u == NULL) != (until == NULL) || (u && strcmp(u, until) != 0))
                    continue;
                role_principal(&b, &l, &items[i]);
            }
            line_sort_items(&l, 1);
            if (until && l.n > 1) {
                line_word(&l, "until");
                line_str(&l, until);
            }
            if (l.n > 1)
                block_add_line(&b, &l);
            else
                free(l.v);
        }
        free(ends);
        if (!groups[g].custom)
            raise_role_settings(&b, groups[g].rid);
        struct ast_stmt *s = block_finish(&b, decl);
        if (last)
            last->next = s;
        else
            first = s;
        last = s;
    }
    free(groups);
    free(items);
    return first;
}

/* ---- settings ---- */

static void on_off(struct raise_block *b, const char *kw, const json_t *v, const char *field)
{
    if (json_is_boolean(v)) {
        block_add(b, raise_stmt(b->r, "ww", kw, json_is_true(v) ? "on" : "off"));
        return;
    }
    const char *s = json_string_value(v); /* Group.Unified values are strings */
    if (s && (util_streq_nocase(s, "true") || util_streq_nocase(s, "false"))) {
        block_add(b, raise_stmt(b->r, "ww", kw, util_streq_nocase(s, "true") ? "on" : "off"));
        return;
    }
    if (v) {
        char *t = raise_json_text(v);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express %s = %s: expected true or false", field, t);
        free(t);
    }
}

static void enum_setting(struct raise_block *b, const char *kw, const char *value,
                         const char *const *graph, const char *const *words, size_t n,
                         const char *field)
{
    if (!value)
        return;
    for (size_t i = 0; i < n; i++) {
        if (util_streq_nocase(graph[i], value)) {
            block_add(b, raise_stmt(b->r, "ww", kw, words[i]));
            return;
        }
    }
    raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field, "cannot express %s = \"%s\"", field,
                value);
}

static void authorization(struct raise_block *b, const json_t *az)
{
    static const char *const known[] = {"allowInvitesFrom",           "guestUserRoleId",
                                        "allowedToUseSSPR",           "blockMsolPowerShell",
                                        "defaultUserRolePermissions", NULL};
    static const char *const pknown[] = {
        "allowedToCreateSecurityGroups",   "allowedToCreateApps",
        "allowedToCreateTenants",          "allowedToReadOtherUsers",
        "permissionGrantPoliciesAssigned", NULL};
    raise_leftovers_kept(b, az, "authorizationPolicy", known);
    const json_t *perm = get(az, "defaultUserRolePermissions");
    raise_leftovers_kept(b, perm, "authorizationPolicy.defaultUserRolePermissions", pknown);
    static const char *const pwords[] = {"users_can_create_security_groups",
                                         "users_can_create_apps", "users_can_create_tenants",
                                         "users_can_read_other_users"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(pwords); i++)
        on_off(b, pwords[i], get(perm, pknown[i]), pknown[i]);
    raise_user_consent(b, get(perm, "permissionGrantPoliciesAssigned"));
    static const char *const inv_graph[] = {"none", "adminsAndGuestInviters",
                                            "adminsGuestInvitersAndAllMembers", "everyone"};
    static const char *const inv_words[] = {"none", "admins_and_guest_inviters",
                                            "admins_guest_inviters_and_all_members", "everyone"};
    enum_setting(b, "guest_invites", get_str(az, "allowInvitesFrom"), inv_graph, inv_words,
                 IDPC_ARRAY_LEN(inv_graph), "allowInvitesFrom");
    static const char *const acc_graph[] = {"a0b1b346-4d3e-4e8b-98f8-753987be4970",
                                            "10dae51f-b6af-4016-8d66-8c2a99b929b3",
                                            "2af84b1e-32c8-42b7-82bc-daa82404023b"};
    static const char *const acc_words[] = {"same_as_members", "limited", "restricted"};
    enum_setting(b, "guest_access", get_str(az, "guestUserRoleId"), acc_graph, acc_words,
                 IDPC_ARRAY_LEN(acc_graph), "guestUserRoleId");
    on_off(b, "admin_self_service_password_reset", get(az, "allowedToUseSSPR"), "allowedToUseSSPR");
    on_off(b, "block_msol_powershell", get(az, "blockMsolPowerShell"), "blockMsolPowerShell");
}

/* The checks lower_settings.c makes on a naming policy. */
static bool naming_ok(const char *s)
{
    static const char *const attrs[] = {"GroupName",       "Department",      "Company", "Office",
                                        "StateOrProvince", "CountryOrRegion", "Title"};
    size_t fixed = 0, groupname = 0;
    for (const char *p = s; *p;) {
        if (*p == ']')
            return false;
        if (*p != '[') {
            fixed++;
            p++;
            continue;
        }
        const char *close = strchr(p, ']');
        if (!close)
            return false;
        size_t len = (size_t)(close - p - 1), k = 0;
        while (k < IDPC_ARRAY_LEN(attrs) &&
               !(strlen(attrs[k]) == len && strncmp(attrs[k], p + 1, len) == 0))
            k++;
        if (k == IDPC_ARRAY_LEN(attrs))
            return false;
        groupname += k == 0;
        p = close + 1;
    }
    return groupname == 1 && fixed <= 53;
}

/* "a,b" → `KW "a", "b"`; an empty item cannot be written. */
static void string_list(struct raise_block *b, const char *kw, const char *value, const char *field)
{
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, kw);
    const char *p = value;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0) {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express %s = \"%s\": it has an empty item", field, value);
            free(l.v);
            return;
        }
        line_sep(&l, 1);
        line_str(&l, arena_strndup(b->r->arena, p, len));
        if (!e)
            break;
        p = e + 1;
    }
    block_add_line(b, &l);
}

static void url_setting(struct raise_block *b, const char *kw, const char *url, const char *field)
{
    if (url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) &&
        !strpbrk(url, " \t\r\n"))
        block_add(b, raise_stmt(b->r, "ws", kw, url));
    else if (url)
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express %s \"%s\": not an http(s) URL", field, url);
}

static void group_unified(struct raise_block *b, const json_t *gu)
{
    static const char *const known[] = {"templateId", "values", NULL};
    raise_leftovers_kept(b, gu, "groupSettings(Group.Unified)", known);
    const json_t *v = get(gu, "values");
    static const char *const vknown[] = {"EnableGroupCreation",
                                         "GroupCreationAllowedGroupId",
                                         "PrefixSuffixNamingRequirement",
                                         "CustomBlockedWordsList",
                                         "AllowGuestsToBeGroupOwner",
                                         "AllowGuestsToAccessGroups",
                                         "AllowToAddGuests",
                                         "UsageGuidelinesUrl",
                                         "ClassificationList",
                                         "ClassificationDescriptions",
                                         "DefaultClassification",
                                         "GuestUsageGuidelinesUrl",
                                         "EnableMSStandardBlockedWords",
                                         "EnableMIPLabels",
                                         "NewUnifiedGroupWritebackDefault",
                                         NULL};
    raise_leftovers_kept(b, v, "Group.Unified", vknown);
    const char *create = get_str(v, "EnableGroupCreation");
    const char *allowed = get_str(v, "GroupCreationAllowedGroupId");
    if (create && util_streq_nocase(create, "false")) {
        struct raise_line l;
        line_init(&l, b->r);
        line_word(&l, "group_creation");
        line_word(&l, "off");
        if (allowed) {
            line_word(&l, "except");
            line_ref(b, &l, 3, "group", "group", allowed, "GroupCreationAllowedGroupId");
        }
        block_add_line(b, &l);
    } else {
        if (create)
            on_off(b, "group_creation", get(v, "EnableGroupCreation"), "EnableGroupCreation");
        if (allowed)
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "GroupCreationAllowedGroupId",
                        "cannot express GroupCreationAllowedGroupId \"%s\" while group creation "
                        "is on (the language names it with 'group_creation off except')",
                        allowed);
    }
    const char *naming = get_str(v, "PrefixSuffixNamingRequirement");
    if (naming && naming_ok(naming))
        block_add(b, raise_stmt(b->r, "ws", "group_naming", naming));
    else if (naming)
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "PrefixSuffixNamingRequirement",
                    "cannot express the naming policy \"%s\": the language wants [GroupName] "
                    "once, known [attributes] and at most 53 fixed characters",
                    naming);
    if (get_str(v, "CustomBlockedWordsList"))
        string_list(b, "group_blocked_words", get_str(v, "CustomBlockedWordsList"),
                    "CustomBlockedWordsList");
    on_off(b, "group_guest_owners", get(v, "AllowGuestsToBeGroupOwner"),
           "AllowGuestsToBeGroupOwner");
    on_off(b, "group_guest_access", get(v, "AllowGuestsToAccessGroups"),
           "AllowGuestsToAccessGroups");
    on_off(b, "group_add_guests", get(v, "AllowToAddGuests"), "AllowToAddGuests");
    url_setting(b, "group_usage_guidelines", get_str(v, "UsageGuidelinesUrl"),
                "UsageGuidelinesUrl");
    url_setting(b, "group_guest_usage_guidelines", get_str(v, "GuestUsageGuidelinesUrl"),
                "GuestUsageGuidelinesUrl");
    if (get_str(v, "ClassificationList"))
        string_list(b, "group_classifications", get_str(v, "ClassificationList"),
                    "ClassificationList");
    if (get_str(v, "ClassificationDescriptions"))
        raise_classification_descriptions(b, get_str(v, "ClassificationDescriptions"));
    if (get_str(v, "DefaultClassification"))
        block_add(b, raise_stmt(b->r, "ws", "group_default_classification",
                                get_str(v, "DefaultClassification")));
    on_off(b, "group_standard_blocked_words", get(v, "EnableMSStandardBlockedWords"),
           "EnableMSStandardBlockedWords");
    on_off(b, "group_sensitivity_labels", get(v, "EnableMIPLabels"), "EnableMIPLabels");
    on_off(b, "group_writeback_default", get(v, "NewUnifiedGroupWritebackDefault"),
           "NewUnifiedGroupWritebackDefault");
}

struct ast_stmt *raise_settings(struct raise *r, const json_t *authz,
                                const json_t *security_defaults, const json_t *group_unified_obj)
{
    return raise_settings_all(r, authz, security_defaults, group_unified_obj, NULL, NULL, NULL);
}

struct ast_stmt *raise_settings_all(struct raise *r, const json_t *authz,
                                    const json_t *security_defaults,
                                    const json_t *group_unified_obj, const json_t *password_rules,
                                    const json_t *group_lifecycle, const json_t *admin_consent)
{
    if (!authz && !security_defaults && !group_unified_obj && !password_rules && !group_lifecycle &&
        !admin_consent)
        return NULL;
    struct raise_block b;
    block_init(&b, r, "settings");
    struct ast_stmt *decl = raise_decl(r, "settings", NULL);
    if (security_defaults) {
        static const char *const known[] = {"isEnabled", NULL};
        raise_leftovers_kept(&b, security_defaults, "identitySecurityDefaultsEnforcementPolicy",
                             known);
        on_off(&b, "security_defaults", get(security_defaults, "isEnabled"), "isEnabled");
    }
    if (authz)
        authorization(&b, authz);
    if (group_unified_obj)
        group_unified(&b, group_unified_obj);
    if (group_lifecycle)
        raise_group_expiration(&b, group_lifecycle);
    if (admin_consent)
        raise_admin_consent(&b, admin_consent);
    if (password_rules)
        raise_password_rules(&b, password_rules);
    return block_finish(&b, decl);
}
