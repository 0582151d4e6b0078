/* raise_policy.c — a Conditional Access policy in canonical Graph form → `policy "Name" { }`.
 * The exact inverse of lower_policy.c: every statement written here lowers back to the member it
 * came from. Statement order is fixed (state, users, workloads, apps, conditions, grant,
 * session) so exports diff well. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

struct pctx {
    struct raise *r;
    struct raise_block b;
};

static const json_t *get(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(get(o, k));
}

/* ---- references ---- */

/* Writes `KW "name"` or `KW id "GUID"` for an object id; a value that is not a GUID is a
 * template placeholder, written as a name when `by_name_ok` (plan resolves names) and reported.
 * Returns false when nothing was written (after an issue). */
static bool ref_item(struct pctx *p, struct raise_line *l, size_t lead, const char *kw,
                     const char *kind, const char *id, const char *field, bool by_name_ok)
{
    struct raise *r = p->r;
    if (!catalog_is_guid(id)) {
        if (!by_name_ok || !*id) {
            raise_issue(r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express %s value \"%s\": not an object id (a GUID)", field, id);
            return false;
        }
        line_sep(l, lead);
        line_word(l, kw);
        line_str(l, id);
        raise_issue(r, &p->b, RAISE_ISSUE_PLACEHOLDER, field,
                    "%s value \"%s\" is not an object id (a template placeholder?); written as "
                    "%s \"%s\", resolved by name at plan time",
                    field, id, kw, id);
        return true;
    }
    const char *name = NULL;
    enum raise_lookup lk = raise_names_name(r->names, kind, id, &name);
    line_sep(l, lead);
    line_word(l, kw);
    if (lk == RAISE_NAME_FOUND) {
        line_str(l, name);
        return true;
    }
    line_word(l, "id");
    line_str(l, id);
    if (lk == RAISE_NAME_AMBIGUOUS)
        raise_issue(r, &p->b, RAISE_ISSUE_AMBIGUOUS, field,
                    "%s id \"%s\" in %s: several objects have its name, so the id is kept", kw, id,
                    field);
    else if (raise_names_complete(r->names, kind))
        raise_issue(r, &p->b, RAISE_ISSUE_DANGLING, field,
                    "%s id \"%s\" in %s does not exist in the tenant (a deleted object?); kept as "
                    "an id",
                    kw, id, field);
    return true;
}

/* A catalog keyword for a Graph value, or NULL after an issue. */
static const char *keyword(struct pctx *p, enum catalog_kind k, const char *graph,
                           const char *field)
{
    const struct catalog_entry *e = graph ? catalog_lookup_graph(k, graph) : NULL;
    if (e)
        return e->keyword;
    char *text = graph ? NULL : xstrdup("(not a string)");
    raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                "cannot express %s value \"%s\": not a %s the language knows", field,
                graph ? graph : text, catalog_kind_name(k));
    free(text);
    return NULL;
}

static void line_begin(struct raise_line *l, struct raise *r, const char *kw, const char *dir)
{
    line_init(l, r);
    line_word(l, kw);
    if (dir)
        line_word(l, dir);
}

/* Adds the line to the block when it holds items beyond its `lead` words, else drops it. */
static void line_flush(struct pctx *p, struct raise_line *l, size_t lead)
{
    line_sort_items(l, lead);
    if (l->n > lead)
        block_add_line(&p->b, l);
    else
        free(l->v);
}

/* A statement `KW [DIR] k1, k2` of catalog keywords from a Graph array. */
static void enum_list(struct pctx *p, const char *kw, const char *dir, const json_t *arr,
                      enum catalog_kind k, const char *field)
{
    struct raise_line l;
    line_begin(&l, p->r, kw, dir);
    size_t lead = l.n;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *w = keyword(p, k, json_string_value(v), field);
        if (!w)
            continue;
        line_sep(&l, lead);
        line_word(&l, w);
    }
    line_flush(p, &l, lead);
}

/* The same from a flags string "a,b". */
static void flags_list(struct pctx *p, const char *kw, const char *flags, enum catalog_kind k,
                       const char *field)
{
    const char **parts;
    size_t n = raise_split_flags(p->r, flags, &parts);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(parts[i]));
    enum_list(p, kw, NULL, arr, k, field);
    json_decref(arr);
    free(parts);
}

static void non_array(struct pctx *p, const json_t *v, const char *field)
{
    if (v && !json_is_array(v)) {
        char *t = raise_json_text(v);
        raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express %s = %s: expected a list", field, t);
        free(t);
    }
}

/* ---- users ---- */

static void guests(struct pctx *p, struct raise_line *l, size_t lead, const json_t *g,
                   const char *field)
{
    static const char *const known[] = {"guestOrExternalUserTypes", "externalTenants", NULL};
    raise_leftovers(&p->b, g, field, known);
    const char **types;
    char *tfield = xasprintf("%s.guestOrExternalUserTypes", field);
    size_t n = raise_split_flags(p->r, get_str(g, "guestOrExternalUserTypes"), &types);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const char *w = keyword(p, CAT_GUEST_TYPE, types[i], tfield);
        if (!w)
            continue;
        if (!any) {
            line_sep(l, lead);
            line_word(l, "guests");
        } else {
            line_comma(l);
        }
        line_word(l, w);
        any = true;
    }
    free(types);
    free(tfield);
    const json_t *et = get(g, "externalTenants");
    if (!et)
        return;
    char *efield = xasprintf("%s.externalTenants", field);
    static const char *const eknown[] = {"membershipKind", "members", NULL};
    raise_leftovers(&p->b, et, efield, eknown);
    const char *kind = get_str(et, "membershipKind");
    const json_t *members = get(et, "members");
    if (!any) {
        raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, efield,
                    "cannot express %s without guest types", efield);
    } else if (kind && strcmp(kind, "all") == 0) {
        line_word(l, "tenants");
        line_word(l, "all");
    } else if (json_array_size(members) > 0 && (!kind || strcmp(kind, "enumerated") == 0)) {
        line_word(l, "tenants");
        size_t i, k = 0;
        const json_t *v;
        json_array_foreach(members, i, v)
        {
            const char *t = json_string_value(v);
            if (!t || !catalog_is_guid(t)) {
                raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, efield,
                            "cannot express external tenant \"%s\": not a tenant id (a GUID)",
                            t ? t : "?");
                continue;
            }
            if (k++)
                line_comma(l);
            line_str(l, t);
        }
        if (k == 0) /* `tenants` needs at least one: drop the word again */
            l->n--;
    } else {
        char *t = raise_json_text(et);
        raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, efield, "cannot express %s = %s", efield,
                    t);
        free(t);
    }
    free(efield);
}

static void users_dir(struct pctx *p, const json_t *u, int d, bool workload_policy)
{
    static const char *const pre[] = {"include", "exclude"};
    char k[64];
    struct raise_line l;
    line_begin(&l, p->r, "users", pre[d]);
    size_t lead = l.n;

    snprintf(k, sizeof(k), "%sUsers", pre[d]);
    char *field = xasprintf("conditions.users.%s", k);
    const json_t *arr = get(u, k);
    non_array(p, arr, field);
    size_t i;
    const json_t *v;
    /* keywords first, then users */
    for (int pass = 0; pass < 2; pass++) {
        json_array_foreach(arr, i, v)
        {
            const char *id = json_string_value(v);
            if (!id)
                continue;
            const struct catalog_entry *e = catalog_lookup_graph(CAT_USER_KEYWORD, id);
            if ((pass == 0) != (e != NULL))
                continue;
            if (!e) {
                ref_item(p, &l, lead, "user", "user", id, field, true);
                continue;
            }
            if (workload_policy && strcmp(e->graph, "None") == 0 && d == 0)
                continue; /* lowering writes it back for workload identity policies */
            if (d == 1 && strcmp(e->keyword, "guests_or_external_users") != 0) {
                raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                            "cannot express excluding '%s' from users", e->graph);
                continue;
            }
            line_sep(&l, lead);
            line_word(&l, e->keyword);
        }
    }
    free(field);

    snprintf(k, sizeof(k), "%sGroups", pre[d]);
    field = xasprintf("conditions.users.%s", k);
    arr = get(u, k);
    non_array(p, arr, field);
    json_array_foreach(arr, i, v)
    {
        if (json_string_value(v))
            ref_item(p, &l, lead, "group", "group", json_string_value(v), field, true);
    }
    free(field);

    snprintf(k, sizeof(k), "%sRoles", pre[d]);
    field = xasprintf("conditions.users.%s", k);
    arr = get(u, k);
    non_array(p, arr, field);
    json_array_foreach(arr, i, v)
    {
        const char *id = json_string_value(v);
        if (!id)
            continue;
        const struct catalog_role *role = catalog_role_by_id(id);
        if (role && catalog_role_by_name(role->name) == role) {
            line_sep(&l, lead);
            line_word(&l, "role");
            line_str(&l, role->name);
        } else if (catalog_is_guid(id)) {
            line_sep(&l, lead);
            line_word(&l, "role");
            line_word(&l, "id");
            line_str(&l, id);
        } else {
            raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express role \"%s\" in %s: not a role template id (a GUID); "
                        "roles are resolved at compile time",
                        id, field);
        }
    }
    free(field);

    line_flush(p, &l, lead);

    /* guests on a line of their own: their type list reads as one item */
    snprintf(k, sizeof(k), "%sGuestsOrExternalUsers", pre[d]);
    field = xasprintf("conditions.users.%s", k);
    if (get(u, k)) {
        line_begin(&l, p->r, "users", pre[d]);
        guests(p, &l, lead, get(u, k), field);
        if (l.n > lead) /* not sorted: `tenants` belongs after the types */
            block_add_line(&p->b, &l);
        else
            free(l.v);
    }
    free(field);
}

/* ---- applications ---- */

static void app_item(struct pctx *p, struct raise_line *l, size_t lead, const char *id,
                     const char *field, int d)
{
    const struct catalog_entry *e = catalog_lookup_graph(CAT_APP_KEYWORD, id);
    if (e) {
        if (d == 1 && (strcmp(e->keyword, "all") == 0 || strcmp(e->keyword, "none") == 0)) {
            raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express excluding '%s' applications", e->graph);
            return;
        }
        line_sep(l, lead);
        line_word(l, e->keyword);
        return;
    }
    const struct catalog_app *app = catalog_app_by_id(id);
    if (app && catalog_app_by_name(app->name) == app) {
        line_sep(l, lead);
        line_word(l, "app");
        line_str(l, app->name);
        return;
    }
    const char *name = NULL;
    if (catalog_is_guid(id) &&
        raise_names_name(p->r->names, "application", id, &name) == RAISE_NAME_FOUND &&
        !catalog_app_by_name(name)) {
        line_sep(l, lead);
        line_word(l, "app");
        line_str(l, name);
        return;
    }
    ref_item(p, l, lead, "app", "application", id, field, true);
}

static void filter_stmt(struct pctx *p, const char *kw, bool sub, const json_t *f,
                        const char *field)
{
    static const char *const known[] = {"mode", "rule", NULL};
    raise_leftovers(&p->b, f, field, known);
    const char *mode = get_str(f, "mode"), *rule = get_str(f, "rule");
    if (!mode || !rule || (strcmp(mode, "include") != 0 && strcmp(mode, "exclude") != 0)) {
        char *t = raise_json_text(f);
        raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field, "cannot express %s = %s", field,
                    t);
        free(t);
        return;
    }
    struct raise_line l;
    line_init(&l, p->r);
    line_word(&l, kw);
    if (sub)
        line_word(&l, "filter");
    line_word(&l, mode);
    line_str(&l, rule);
    block_add_line(&p->b, &l);
}

static void applications(struct pctx *p, const json_t *a)
{
    static const char *const known[] = {
        "includeApplications", "excludeApplications",
        "includeUserActions",  "includeAuthenticationContextClassReferences",
        "applicationFilter",   NULL};
    raise_leftovers(&p->b, a, "conditions.applications", known);
    for (int d = 0; d < 2; d++) {
        struct raise_line l;
        line_begin(&l, p->r, "apps", d ? "exclude" : "include");
        size_t lead = l.n;
        const char *field = d ? "conditions.applications.excludeApplications"
                              : "conditions.applications.includeApplications";
        const json_t *arr = get(a, d ? "excludeApplications" : "includeApplications");
        non_array(p, arr, field);
        size_t i;
        const json_t *v;
        json_array_foreach(arr, i, v)
        {
            if (json_string_value(v))
                app_item(p, &l, lead, json_string_value(v), field, d);
        }
        if (d == 0) {
            field = "conditions.applications.includeUserActions";
            json_array_foreach(get(a, "includeUserActions"), i, v)
            {
                const char *w = keyword(p, CAT_USER_ACTION, json_string_value(v), field);
                if (!w)
                    continue;
                line_sep(&l, lead);
                line_word(&l, "action");
                line_word(&l, w);
            }
            field = "conditions.applications.includeAuthenticationContextClassReferences";
            json_array_foreach(get(a, "includeAuthenticationContextClassReferences"), i, v)
            {
                const char *c = json_string_value(v);
                if (!c || !catalog_auth_context_valid(c)) {
                    raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                                "cannot express authentication context \"%s\": contexts are c1 "
                                "to c99",
                                c ? c : "?");
                    continue;
                }
                line_sep(&l, lead);
                line_word(&l, "context");
                line_str(&l, c);
            }
        }
        line_flush(p, &l, lead);
    }
    if (get(a, "applicationFilter"))
        filter_stmt(p, "apps", true, get(a, "applicationFilter"),
                    "conditions.applications.applicationFilter");
}

static void workloads(struct pctx *p, const json_t *ca)
{
    static const char *const known[] = {"includeServicePrincipals", "excludeServicePrincipals",
                                        "servicePrincipalFilter", NULL};
    raise_leftovers(&p->b, ca, "conditions.clientApplications", known);
    for (int d = 0; d < 2; d++) {
        struct raise_line l;
        line_begin(&l, p->r, "workloads", d ? "exclude" : "include");
        size_t lead = l.n;
        const char *field = d ? "conditions.clientApplications.excludeServicePrincipals"
                              : "conditions.clientApplications.includeServicePrincipals";
        size_t i;
        const json_t *v;
        json_array_foreach(get(ca, d ? "excludeServicePrincipals" : "includeServicePrincipals"), i,
                           v)
        {
            const char *id = json_string_value(v);
            if (!id)
                continue;
            if (util_streq_nocase(id, "ServicePrincipalsInMyTenant")) {
                if (d == 1) {
                    raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                                "cannot express excluding all service principals");
                    continue;
                }
                line_sep(&l, lead);
                line_word(&l, "all");
                continue;
            }
            ref_item(p, &l, lead, "service_principal", "servicePrincipal", id, field, true);
        }
        line_flush(p, &l, lead);
    }
    if (get(ca, "servicePrincipalFilter"))
        filter_stmt(p, "workloads", true, get(ca, "servicePrincipalFilter"),
                    "conditions.clientApplications.servicePrincipalFilter");
}

/* ---- other conditions ---- */

static void locations(struct pctx *p, const json_t *lo)
{
    static const char *const known[] = {"includeLocations", "excludeLocations", NULL};
    raise_leftovers(&p->b, lo, "conditions.locations", known);
    for (int d = 0; d < 2; d++) {
        struct raise_line l;
        line_begin(&l, p->r, "locations", d ? "exclude" : "include");
        size_t lead = l.n;
        const char *field =
            d ? "conditions.locations.excludeLocations" : "conditions.locations.includeLocations";
        size_t i;
        const json_t *v;
        json_array_foreach(get(lo, d ? "excludeLocations" : "includeLocations"), i, v)
        {
            const char *id = json_string_value(v);
            if (!id)
                continue;
            const struct catalog_entry *e = catalog_lookup_graph(CAT_LOCATION_KEYWORD, id);
            if (e) {
                line_sep(&l, lead);
                line_word(&l, e->keyword);
            } else {
                ref_item(p, &l, lead, "location", "namedLocation", id, field, true);
            }
        }
        line_flush(p, &l, lead);
    }
}

static void platforms(struct pctx *p, const json_t *pl)
{
    static const char *const known[] = {"includePlatforms", "excludePlatforms", NULL};
    raise_leftovers(&p->b, pl, "conditions.platforms", known);
    enum_list(p, "platforms", "include", get(pl, "includePlatforms"), CAT_PLATFORM,
              "conditions.platforms.includePlatforms");
    enum_list(p, "platforms", "exclude", get(pl, "excludePlatforms"), CAT_PLATFORM,
              "conditions.platforms.excludePlatforms");
}

static void devices(struct pctx *p, const json_t *dv)
{
    static const char *const known[] = {"deviceFilter", NULL};
    raise_leftovers(&p->b, dv, "conditions.devices", known);
    if (get(dv, "deviceFilter"))
        filter_stmt(p, "device_filter", false, get(dv, "deviceFilter"),
                    "conditions.devices.deviceFilter");
}

static void conditions(struct pctx *p, const json_t *c)
{
    static const char *const known[] = {"users",
                                        "applications",
                                        "clientApplications",
                                        "clientAppTypes",
                                        "platforms",
                                        "locations",
                                        "signInRiskLevels",
                                        "userRiskLevels",
                                        "servicePrincipalRiskLevels",
                                        "insiderRiskLevels",
                                        "devices",
                                        "authenticationFlows",
                                        NULL};
    raise_leftovers(&p->b, c, "conditions", known);
    const json_t *u = get(c, "users"), *ca = get(c, "clientApplications");
    static const char *const uknown[] = {"includeUsers",
                                         "excludeUsers",
                                         "includeGroups",
                                         "excludeGroups",
                                         "includeRoles",
                                         "excludeRoles",
                                         "includeGuestsOrExternalUsers",
                                         "excludeGuestsOrExternalUsers",
                                         NULL};
    if (u)
        raise_leftovers(&p->b, u, "conditions.users", uknown);
    bool workload = json_array_size(get(ca, "includeServicePrincipals")) > 0 &&
                    !get(u, "includeGroups") && !get(u, "includeRoles") &&
                    !get(u, "includeGuestsOrExternalUsers");
    users_dir(p, u, 0, workload);
    users_dir(p, u, 1, workload);
    if (ca)
        workloads(p, ca);
    if (get(c, "applications"))
        applications(p, get(c, "applications"));
    if (get(c, "clientAppTypes"))
        enum_list(p, "client_apps", NULL, get(c, "clientAppTypes"), CAT_CLIENT_APP,
                  "conditions.clientAppTypes");
    if (get(c, "platforms"))
        platforms(p, get(c, "platforms"));
    if (get(c, "locations"))
        locations(p, get(c, "locations"));
    enum_list(p, "sign_in_risk", NULL, get(c, "signInRiskLevels"), CAT_RISK,
              "conditions.signInRiskLevels");
    enum_list(p, "user_risk", NULL, get(c, "userRiskLevels"), CAT_RISK,
              "conditions.userRiskLevels");
    enum_list(p, "workload_risk", NULL, get(c, "servicePrincipalRiskLevels"), CAT_RISK,
              "conditions.servicePrincipalRiskLevels");
    if (get_str(c, "insiderRiskLevels"))
        flags_list(p, "insider_risk", get_str(c, "insiderRiskLevels"), CAT_INSIDER_RISK,
                   "conditions.insiderRiskLevels");
    if (get(c, "devices"))
        devices(p, get(c, "devices"));
    const json_t *fl = get(c, "authenticationFlows");
    if (fl) {
        static const char *const fknown[] = {"transferMethods", NULL};
        raise_leftovers(&p->b, fl, "conditions.authenticationFlows", fknown);
        flags_list(p, "auth_flows", get_str(fl, "transferMethods"), CAT_TRANSFER,
                   "conditions.authenticationFlows.transferMethods");
    }
}

/* ---- controls ---- */

static void grant(struct pctx *p, const json_t *g)
{
    static const char *const known[] = {"operator",
                                        "builtInControls",
                                        "authenticationStrength",
                                        "termsOfUse",
                                        "customAuthenticationFactors",
                                        NULL};
    raise_leftovers(&p->b, g, "grantControls", known);
    struct raise_line items;
    line_init(&items, p->r);
    size_t count = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(get(g, "builtInControls"), i, v)
    {
        const char *w =
            keyword(p, CAT_GRANT, json_string_value(v), "grantControls.builtInControls");
        if (!w)
            continue;
        line_sep(&items, 0);
        line_word(&items, w);
        count++;
    }
    const json_t *st = get(g, "authenticationStrength");
    if (st) {
        static const char *const sknown[] = {"id", NULL};
        raise_leftovers(&p->b, st, "grantControls.authenticationStrength", sknown);
        const char *id = get_str(st, "id");
        static const struct {
            const char *id, *name;
        } builtin[] = {
            {"00000000-0000-0000-0000-000000000002", "Multifactor authentication"},
            {"00000000-0000-0000-0000-000000000003", "Passwordless MFA"},
            {"00000000-0000-0000-0000-000000000004", "Phishing-resistant MFA"},
        };
        bool done = false;
        for (size_t k = 0; id && k < IDPC_ARRAY_LEN(builtin) && !done; k++) {
            if (util_streq_nocase(id, builtin[k].id)) {
                line_sep(&items, 0);
                line_word(&items, "strength");
                line_str(&items, builtin[k].name);
                done = true;
            }
        }
        if (!done && id)
            done = ref_item(p, &items, 0, "strength", "authenticationStrengthPolicy", id,
                            "grantControls.authenticationStrength.id", true);
        if (done)
            count++;
    }
    json_array_foreach(get(g, "termsOfUse"), i, v)
    {
        if (json_string_value(v) &&
            ref_item(p, &items, 0, "terms", "agreement", json_string_value(v),
                     "grantControls.termsOfUse", true))
            count++;
    }
    json_array_foreach(get(g, "customAuthenticationFactors"), i, v)
    {
        const char *c = json_string_value(v);
        if (!c || !*c)
            continue;
        line_sep(&items, 0);
        line_word(&items, "custom");
        line_str(&items, c);
        count++;
    }
    if (count == 0) {
        free(items.v);
        return;
    }
    const char *op = get_str(g, "operator");
    struct raise_line l;
    line_init(&l, p->r);
    line_word(&l, "grant");
    if (count > 1)
        line_word(&l, op && strcmp(op, "OR") == 0 ? "any_of" : "all_of");
    for (size_t k = 0; k < items.n; k++) {
        struct ast_atom *a = &items.v[k];
        if (a->kind == AST_COMMA)
            line_comma(&l);
        else if (a->kind == AST_STRING)
            line_str(&l, a->text);
        else
            line_word(&l, a->text);
    }
    free(items.v);
    block_add_line(&p->b, &l);
}

static void session_simple(struct pctx *p, const json_t *m, const char *name, const char *kw,
                           const char *field)
{
    static const char *const known[] = {"isEnabled", NULL};
    raise_leftovers(&p->b, m, field, known);
    (void)name;
    block_add(&p->b, raise_stmt(p->r, "ww", "session", kw));
}

static void session_enum(struct pctx *p, const json_t *m, const char *member, const char *kw,
                         enum catalog_kind k, const char *field)
{
    const char *known[] = {"isEnabled", member, NULL};
    raise_leftovers(&p->b, m, field, known);
    char *f = xasprintf("%s.%s", field, member);
    const char *w = keyword(p, k, get_str(m, member), f);
    free(f);
    if (w)
        block_add(&p->b, raise_stmt(p->r, "www", "session", kw, w));
}

static void sign_in_frequency(struct pctx *p, const json_t *m)
{
    static const char *const field = "sessionControls.signInFrequency";
    static const char *const known[] = {"isEnabled",         "type", "value", "authenticationType",
                                        "frequencyInterval", NULL};
    raise_leftovers(&p->b, m, field, known);
    struct raise_line l;
    line_init(&l, p->r);
    line_word(&l, "session");
    line_word(&l, "sign_in_frequency");
    const char *interval = get_str(m, "frequencyInterval");
    const char *type = get_str(m, "type");
    json_int_t value = json_integer_value(get(m, "value"));
    bool hours = type && strcmp(type, "hours") == 0, days = type && strcmp(type, "days") == 0;
    if (interval && strcmp(interval, "everyTime") == 0) {
        line_word(&l, "every_time");
    } else if ((hours && value >= 1 && value <= 23) || (days && value >= 1 && value <= 365)) {
        line_duration(&l, (long long)value, hours ? "h" : "d");
    } else {
        char *t = raise_json_text(m);
        raise_issue(p->r, &p->b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express %s = %s: the language takes 1h to 23h, 1d to 365d or "
                    "every_time",
                    field, t);
        free(t);
        free(l.v);
        return;
    }
    const char *at = get_str(m, "authenticationType");
    if (at && strcmp(at, "primaryAndSecondaryAuthentication") != 0) {
        const char *w =
            keyword(p, CAT_SIF_AUTH_TYPE, at, "sessionControls.signInFrequency.authenticationType");
        if (w) {
            line_word(&l, "type");
            line_word(&l, w);
        }
    }
    block_add_line(&p->b, &l);
}

static void session(struct pctx *p, const json_t *s)
{
    static const char *const known[] = {"applicationEnforcedRestrictions",
                                        "cloudAppSecurity",
                                        "signInFrequency",
                                        "persistentBrowser",
                                        "disableResilienceDefaults",
                                        "secureSignInSession",
                                        NULL};
    raise_leftovers(&p->b, s, "sessionControls", known);
    const json_t *m;
    if ((m = get(s, "signInFrequency")))
        sign_in_frequency(p, m);
    if ((m = get(s, "persistentBrowser")))
        session_enum(p, m, "mode", "persistent_browser", CAT_PERSISTENT_BROWSER,
                     "sessionControls.persistentBrowser");
    if ((m = get(s, "applicationEnforcedRestrictions")))
        session_simple(p, m, "applicationEnforcedRestrictions", "app_enforced_restrictions",
                       "sessionControls.applicationEnforcedRestrictions");
    if ((m = get(s, "cloudAppSecurity")))
        session_enum(p, m, "cloudAppSecurityType", "cloud_app_security", CAT_CLOUD_APP_SECURITY,
                     "sessionControls.cloudAppSecurity");
    if ((m = get(s, "disableResilienceDefaults"))) {
        if (json_is_true(m))
            block_add(&p->b, raise_stmt(p->r, "ww", "session", "disable_resilience_defaults"));
    }
    if ((m = get(s, "secureSignInSession")))
        session_simple(p, m, "secureSignInSession", "secure_sign_in",
                       "sessionControls.secureSignInSession");
}

/* ---- the policy ---- */

struct ast_stmt *raise_policy(struct raise *r, const json_t *canon, const char *name,
                              const char *id, bool force_id)
{
    if (!name)
        name = get_str(canon, "displayName");
    if (!name)
        name = "(no name)";
    struct pctx p = {.r = r};
    block_init(&p.b, r, arena_printf(r->arena, "policy \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "policy", name);
    static const char *const known[] = {"displayName",   "description",     "state", "conditions",
                                        "grantControls", "sessionControls", NULL};
    raise_leftovers(&p.b, canon, "", known);
    raise_pin(&p.b, id, force_id);
    const char *state = get_str(canon, "state");
    if (!state)
        raise_issue(r, &p.b, RAISE_ISSUE_UNSUPPORTED, "state",
                    "the object has no state; written as 'state on' (Graph requires a state)");
    const char *w = keyword(&p, CAT_STATE, state ? state : "enabled", "state");
    if (w)
        block_add(&p.b, raise_stmt(r, "ww", "state", w));
    const char *desc = get_str(canon, "description");
    if (desc && *desc)
        block_add(&p.b, raise_stmt(r, "ws", "description", desc));
    conditions(&p, get(canon, "conditions"));
    if (get(canon, "grantControls"))
        grant(&p, get(canon, "grantControls"));
    if (get(canon, "sessionControls"))
        session(&p, get(canon, "sessionControls"));
    return block_finish(&p.b, decl);
}
