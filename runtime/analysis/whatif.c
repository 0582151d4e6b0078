/* whatif.c — which Conditional Access policies apply to a sign-in, condition by condition.
 * The rules and their sources are in docs/whatif.md; the section names below refer to it. */
#include "runtime/analysis/whatif_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/cidr.h"
#include "compiler/rule.h"
#include "compiler/strmap.h"
#include "compiler/suggest.h"
#include "compiler/util.h"

#define MFA_TRUSTED_IPS "00000000-0000-0000-0000-000000000000"

/* ---------------------------------------------------------------------------------------- */
/* JSON and string helpers                                                                  */

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(whatif_jget(obj, key));
}

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (whatif_eq(list[i], s))
            return true;
    return false;
}

/* True when the JSON array `arr` holds `s` (case-insensitive, references by id or name). */
static bool arr_has(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (whatif_eq(whatif_item_key(v), s))
            return true;
    }
    return false;
}

static bool arr_empty(const json_t *arr)
{
    return !json_is_array(arr) || json_array_size(arr) == 0;
}

/* Does the flags string "a,b, c" contain `want`? */
static bool flags_have(const char *flags, const char *want)
{
    if (!flags || !want)
        return false;
    size_t wl = strlen(want);
    const char *p = flags;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == wl && strncasecmp(p, want, wl) == 0)
            return true;
        p = e;
    }
    return false;
}

static bool flags_empty(const char *flags)
{
    if (!flags)
        return true;
    const char *p = flags;
    while (*p == ' ' || *p == ',')
        p++;
    if (!*p)
        return true;
    return flags_have(flags, "none") && !strchr(flags, ',');
}

static void IDPC_PRINTF(2, 3) setf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(((struct whatif_policy_result *)0)->detail), fmt, ap);
    va_end(ap);
}

static void IDPC_PRINTF(3, 4) errf(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------------------------------- */
/* Inputs                                                                                   */

void whatif_inputs_init(struct whatif_inputs *in)
{
    in->policies = json_array();
    in->locations = json_array();
    in->strengths = json_array();
}

void whatif_inputs_fini(struct whatif_inputs *in)
{
    json_decref(in->policies);
    json_decref(in->locations);
    json_decref(in->strengths);
    in->policies = in->locations = in->strengths = NULL;
}

void whatif_inputs_from_model(struct whatif_inputs *in, const struct model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        json_t *into = o->kind == MODEL_CA_POLICY        ? in->policies
                       : o->kind == MODEL_NAMED_LOCATION ? in->locations
                       : o->kind == MODEL_AUTH_STRENGTH  ? in->strengths
                                                         : NULL;
        if (!into || !json_is_object(o->body))
            continue;
        json_t *b = json_copy(o->body);
        if (!json_object_get(b, "displayName") && o->name)
            json_object_set_new(b, "displayName", json_string(o->name));
        if (o->pinned_id && !json_object_get(b, "id"))
            json_object_set_new(b, "id", json_string(o->pinned_id));
        json_array_append_new(into, b);
    }
}

static bool looks_like_policy(const json_t *v)
{
    return json_is_object(v) && whatif_jget(v, "conditions") != NULL;
}

int whatif_collect(json_t *into, const json_t *doc)
{
    if (looks_like_policy(doc)) {
        json_array_append(into, whatif_mut(doc));
        return 1;
    }
    const json_t *list = json_is_array(doc) ? doc : whatif_jget(doc, "value");
    if (!json_is_array(list))
        return -1;
    int n = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (looks_like_policy(v)) {
            json_array_append(into, whatif_mut(v));
            n++;
        }
    }
    return n || json_array_size(list) == 0 ? n : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Keywords and sign-in JSON                                                                */

const char *whatif_keyword(enum catalog_kind kind, const char *word, char *err, size_t errlen)
{
    if (!word) {
        errf(err, errlen, "missing %s", catalog_kind_name(kind));
        return NULL;
    }
    const struct catalog_entry *e = catalog_lookup(kind, word);
    if (!e)
        e = catalog_lookup_graph(kind, word);
    if (e)
        return e->graph;
    const char *s = catalog_suggest(kind, word);
    if (s)
        errf(err, errlen, "unknown %s '%s' (did you mean '%s'?)", catalog_kind_name(kind), word, s);
    else
        errf(err, errlen, "unknown %s '%s'", catalog_kind_name(kind), word);
    return NULL;
}

struct signin_owned {
    const char **lists[3];
};

static int str_list(const json_t *j, const char *key, const char ***out, char *err, size_t n)
{
    const json_t *v = json_object_get(j, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = xcalloc(2, sizeof(**out));
        (*out)[0] = json_string_value(v);
        return 0;
    }
    if (!json_is_array(v)) {
        errf(err, n, "sign-in \"%s\" must be a string or a list of strings", key);
        return -1;
    }
    *out = xcalloc(json_array_size(v) + 1, sizeof(**out));
    size_t i, k = 0;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        const char *s = whatif_item_key(x);
        if (!s) {
            errf(err, n, "sign-in \"%s\" must be a list of strings", key);
            return -1;
        }
        (*out)[k++] = s;
    }
    return 0;
}

static int kw_field(const json_t *j, const char *key, enum catalog_kind kind, const char **out,
                    char *err, size_t n)
{
    const json_t *v = json_object_get(j, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        errf(err, n, "sign-in \"%s\" must be a string", key);
        return -1;
    }
    char msg[200];
    *out = whatif_keyword(kind, json_string_value(v), msg, sizeof(msg));
    if (!*out) {
        errf(err, n, "sign-in \"%s\": %s", key, msg);
        return -1;
    }
    return 0;
}

static int str_field(const json_t *j, const char *key, const char **out, char *err, size_t n)
{
    const json_t *v = json_object_get(j, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        errf(err, n, "sign-in \"%s\" must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static const char *app_keyword(const char *word)
{
    const struct catalog_entry *e = catalog_lookup(CAT_APP_KEYWORD, word);
    if (!e)
        e = catalog_lookup_graph(CAT_APP_KEYWORD, word);
    return e ? e->graph : word;
}

int whatif_signin_from_json(struct whatif_signin *s, const json_t *j, char *err, size_t errlen)
{
    memset(s, 0, sizeof(*s));
    if (!json_is_object(j)) {
        errf(err, errlen, "a sign-in must be a JSON object");
        return -1;
    }
    struct signin_owned *own = xcalloc(1, sizeof(*own));
    s->owned_ = own;
    const char *client = NULL;
    const json_t *dev = json_object_get(j, "device");
    const json_t *attrs = json_object_get(j, "appAttributes");
    const json_t *trusted = json_object_get(j, "mfaTrustedIp");
    if (str_field(j, "user", &s->user, err, errlen) ||
        str_field(j, "userId", &s->user_id, err, errlen) ||
        str_list(j, "memberOf", &own->lists[0], err, errlen) ||
        str_list(j, "roles", &own->lists[1], err, errlen) ||
        kw_field(j, "guestType", CAT_GUEST_TYPE, &s->guest_type, err, errlen) ||
        str_field(j, "externalTenant", &s->external_tenant, err, errlen) ||
        str_field(j, "servicePrincipal", &s->service_principal, err, errlen) ||
        str_field(j, "app", &s->app, err, errlen) ||
        kw_field(j, "action", CAT_USER_ACTION, &s->action, err, errlen) ||
        str_field(j, "context", &s->auth_context, err, errlen) ||
        kw_field(j, "platform", CAT_PLATFORM, &s->platform, err, errlen) ||
        kw_field(j, "client", CAT_CLIENT_APP, &client, err, errlen) ||
        str_field(j, "ip", &s->ip, err, errlen) ||
        str_field(j, "country", &s->country, err, errlen) ||
        str_list(j, "locations", &own->lists[2], err, errlen) ||
        kw_field(j, "signInRisk", CAT_RISK, &s->sign_in_risk, err, errlen) ||
        kw_field(j, "userRisk", CAT_RISK, &s->user_risk, err, errlen) ||
        kw_field(j, "servicePrincipalRisk", CAT_RISK, &s->sp_risk, err, errlen) ||
        kw_field(j, "insiderRisk", CAT_INSIDER_RISK, &s->insider_risk, err, errlen) ||
        kw_field(j, "authFlow", CAT_TRANSFER, &s->auth_flow, err, errlen))
        return -1;
    if (dev && !json_is_null(dev) && !json_is_object(dev)) {
        errf(err, errlen, "sign-in \"device\" must be an object of device properties");
        return -1;
    }
    if (attrs && !json_is_null(attrs) && !json_is_object(attrs)) {
        errf(err, errlen, "sign-in \"appAttributes\" must be an object");
        return -1;
    }
    if (trusted && !json_is_boolean(trusted)) {
        errf(err, errlen, "sign-in \"mfaTrustedIp\" must be true or false");
        return -1;
    }
    s->member_of = own->lists[0];
    s->roles = own->lists[1];
    s->locations = own->lists[2];
    s->device = json_is_object(dev) ? dev : NULL;
    s->app_attrs = json_is_object(attrs) ? attrs : NULL;
    s->mfa_trusted_ip = json_is_true(trusted);
    s->client_app = client ? client : WHATIF_DEFAULT_CLIENT;
    if (s->app)
        s->app = app_keyword(s->app);
    return 0;
}

void whatif_signin_fini(struct whatif_signin *s)
{
    struct signin_owned *own = s->owned_;
    if (own) {
        for (size_t i = 0; i < IDPC_ARRAY_LEN(own->lists); i++)
            free(own->lists[i]);
        free(own);
    }
    s->owned_ = NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Applications ("Applications" in docs/whatif.md)                                          */

/* Catalog apps that Microsoft lists in "Apps included in Conditional Access Office 365 app
 * suite" (entra-docs reference-office-365-application-contents.md); Yammer is listed there
 * as Viva Engage. */
static const char *const office365_apps[] = {
    "00000002-0000-0ff1-ce00-000000000000", /* Office 365 Exchange Online */
    "00000003-0000-0ff1-ce00-000000000000", /* Office 365 SharePoint Online */
    "00000004-0000-0ff1-ce00-000000000000", /* Skype for Business Online */
    "00000005-0000-0ff1-ce00-000000000000", /* Yammer (Viva Engage) */
    "00000006-0000-0ff1-ce00-000000000000", /* Microsoft Office 365 Portal */
    "00000007-0000-0ff1-ce00-000000000000", /* Microsoft Exchange Online Protection */
    "1fec8e78-bce4-4aaf-ab1b-5451cc387264", /* Microsoft Teams */
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", /* Microsoft Teams Services */
    "5e3ce6c0-2b1f-4285-8d4b-75ee78787346", /* Microsoft Teams Web Client */
    "d3590ed6-52b3-4102-aeff-aad2292ab01c", /* Microsoft Office */
    "4345a7b9-9a63-4910-a426-35363201d503", /* O365 Suite UX */
    "2d4d3d8e-2be3-4bef-9f87-7875a61c29de", /* OneNote */
    "ab9b8c07-8f02-4f72-87fa-80105867a763", /* OneDrive SyncEngine */
    "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", /* Microsoft Forms */
    "cf53fce8-def6-4aeb-8d30-b158e7b1cf83", /* Microsoft Stream Portal */
    "95de633a-083e-42f5-b444-a4295d8e9314", /* Microsoft Whiteboard Services */
    "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba", /* Sway */
    NULL,
};

/* Catalog apps among the portals of "Microsoft Admin Portals" (concept-conditional-access-
 * cloud-apps.md): the Azure portal, and the app of the Microsoft Defender and Microsoft Purview
 * portals. */
static const char *const admin_portal_apps[] = {
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", /* Azure Portal */
    "80ccca67-54bd-44ab-8625-4b79c4dc7775", /* Microsoft 365 Security and Compliance Center */
    NULL,
};

/* Targeting "Windows Azure Service Management API" covers the Azure portal too (same page,
 * "Windows Azure Service Management API"). */
#define AZURE_MANAGEMENT "797f4846-ba00-4fd7-ba43-dac1f8f63013"
static const char *const azure_management_apps[] = {
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", /* Azure Portal */
    NULL,
};

bool whatif_app_in_group(const char *app_id, const char *group)
{
    if (!app_id || !group)
        return false;
    const char *const *set = whatif_eq(group, "Office365")               ? office365_apps
                             : whatif_eq(group, "MicrosoftAdminPortals") ? admin_portal_apps
                             : whatif_eq(group, AZURE_MANAGEMENT)        ? azure_management_apps
                                                                         : NULL;
    return set && in_list(set, app_id);
}

/* The sign-in's target application, resolved once. */
struct app_target {
    const char *id;    /* app id, or NULL */
    const char *name;  /* display name, or NULL */
    const char *group; /* "Office365" | "MicrosoftAdminPortals" when only the group is known */
};

static void resolve_app(const char *app, struct app_target *t)
{
    memset(t, 0, sizeof(*t));
    if (!app)
        return;
    if (whatif_eq(app, "Office365") || whatif_eq(app, "MicrosoftAdminPortals")) {
        t->group = whatif_eq(app, "Office365") ? "Office365" : "MicrosoftAdminPortals";
        return;
    }
    const struct catalog_app *ca =
        catalog_is_guid(app) ? catalog_app_by_id(app) : catalog_app_by_name(app);
    if (ca) {
        t->id = ca->app_id;
        t->name = ca->name;
    } else if (catalog_is_guid(app)) {
        t->id = app;
    } else {
        t->name = app;
    }
}

/* Mandatory multifactor authentication: since October 2024 Microsoft itself requires MFA to
 * sign in to the Azure portal, the Microsoft Entra admin center and the Intune admin center
 * (one application id, the Azure portal's), whatever the tenant's policies say, and exclusions
 * do not apply ("Mandatory Microsoft Entra multifactor authentication (MFA)",
 * https://learn.microsoft.com/entra/identity/authentication/concept-mandatory-multifactor-authentication).
 * A sign-in to "Microsoft Admin Portals" is taken to be one of them. Modelled as one more
 * applying, enabled "policy" marked `platform`, requiring mfa. */
#define PLATFORM_MFA_NAME                                                                          \
    "Microsoft-enforced MFA (Azure portal, Microsoft Entra admin center, Intune admin center)"

static bool platform_mfa_applies(const struct app_target *t)
{
    return whatif_eq(t->id, "c44b4083-3bb0-49c1-b47d-974e53cbdf3c") ||
           whatif_eq(t->group, "MicrosoftAdminPortals");
}

static void platform_mfa(struct whatif_result *r)
{
    json_t *body =
        json_pack("{s:s,s:s,s:{s:s,s:[s]}}", "displayName", PLATFORM_MFA_NAME, "state", "enabled",
                  "grantControls", "operator", "OR", "builtInControls", "mfa");
    struct whatif_policy_result *pr = &r->policies[r->n++];
    pr->policy = body;
    pr->name = PLATFORM_MFA_NAME;
    pr->state = WHATIF_ENABLED;
    pr->applies = true;
    pr->platform = true;
    setf(pr->detail, "Microsoft requires MFA for these portals; exclusions do not apply");
    whatif_policy_grant(NULL, body, pr);
}

/* Does one includeApplications/excludeApplications item name the target? */
static bool app_item_matches(const json_t *item, const struct app_target *t, bool include)
{
    const char *k = whatif_item_key(item);
    if (!k)
        return false;
    if (whatif_eq(k, "All"))
        return include;
    if (whatif_eq(k, "None"))
        return false;
    if (whatif_eq(k, "Office365") || whatif_eq(k, "MicrosoftAdminPortals"))
        return whatif_eq(t->group, k) || whatif_app_in_group(t->id, k);
    if (whatif_eq(k, t->id) || whatif_eq(k, t->name))
        return true;
    return whatif_app_in_group(t->id, k);
}

static bool app_filter_matches(const json_t *filter, const struct whatif_signin *s, bool *ok,
                               char *detail)
{
    const char *rule = jstr(filter, "rule");
    *ok = true;
    if (!rule)
        return false;
    struct rule_error re;
    struct rule_expr *e = rule_parse(rule, strlen(rule), RULE_APP_FILTER, &re);
    if (!e) {
        setf(detail, "its application filter does not parse: %s", re.message);
        *ok = false;
        return false;
    }
    json_t *empty = json_object();
    bool r = false;
    if (rule_eval(e, s->app_attrs ? s->app_attrs : empty, &r) != 0) {
        setf(detail, "its application filter cannot be evaluated on the app's attributes");
        *ok = false;
    }
    json_decref(empty);
    rule_free(e);
    return r;
}

/* 1 when the target resource condition holds, 0 when not (detail filled). */
static int check_application(const json_t *apps, const struct whatif_signin *s,
                             const struct app_target *t, char *detail)
{
    if (s->action) {
        if (arr_has(whatif_jget(apps, "includeUserActions"), s->action))
            return 1;
        setf(detail, "it does not target the user action %s", s->action);
        return 0;
    }
    if (s->auth_context) {
        if (arr_has(whatif_jget(apps, "includeAuthenticationContextClassReferences"),
                    s->auth_context))
            return 1;
        setf(detail, "it does not target authentication context %s", s->auth_context);
        return 0;
    }
    const json_t *inc = whatif_jget(apps, "includeApplications");
    const json_t *exc = whatif_jget(apps, "excludeApplications");
    const json_t *filter = whatif_jget(apps, "applicationFilter");
    const char *fmode = jstr(filter, "mode");
    const char *label = t->name ? t->name : t->id ? t->id : t->group ? t->group : "the app";
    bool included = false;
    size_t i;
    const json_t *v;
    json_array_foreach(inc, i, v)
    {
        if (app_item_matches(v, t, true)) {
            included = true;
            break;
        }
    }
    bool ok = true;
    if (!included && whatif_eq(fmode, "include"))
        included = app_filter_matches(filter, s, &ok, detail);
    if (!ok)
        return 0;
    if (!included) {
        if (arr_empty(inc))
            setf(detail, "it targets user actions or authentication contexts, not apps");
        else
            setf(detail, "%s is not among its target resources", label);
        return 0;
    }
    json_array_foreach(exc, i, v)
    {
        if (app_item_matches(v, t, false)) {
            setf(detail, "%s is excluded (%s)", label, whatif_item_key(v));
            return 0;
        }
    }
    if (whatif_eq(fmode, "exclude") && app_filter_matches(filter, s, &ok, detail)) {
        setf(detail, "%s is excluded by the application filter", label);
        return 0;
    }
    return ok ? 1 : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Users, guests, roles, workload identities ("Users" in docs/whatif.md)                    */

struct user_ctx {
    const struct whatif_signin *s;
    const char **role_keys; /* given roles plus their template ids and canonical names */
};

static bool guests_match(const json_t *g, const struct whatif_signin *s)
{
    if (!s->guest_type || !json_is_object(g))
        return false;
    if (!flags_have(jstr(g, "guestOrExternalUserTypes"), s->guest_type))
        return false;
    if (whatif_eq(s->guest_type, "internalGuest"))
        return true; /* local guests belong to this tenant; tenant lists do not narrow them */
    const json_t *ten = whatif_jget(g, "externalTenants");
    if (!ten || !whatif_eq(jstr(ten, "membershipKind"), "enumerated"))
        return true;
    return s->external_tenant && arr_has(whatif_jget(ten, "members"), s->external_tenant);
}

/* Is the user in the include (or exclude) side? `why` names the matching item. */
static bool users_side(const json_t *users, const struct user_ctx *c, bool include, char *why,
                       size_t whylen)
{
    const struct whatif_signin *s = c->s;
    const json_t *u = whatif_jget(users, include ? "includeUsers" : "excludeUsers");
    size_t i;
    const json_t *v;
    json_array_foreach(u, i, v)
    {
        const char *k = whatif_item_key(v);
        if (!k || whatif_eq(k, "None"))
            continue;
        if ((include && whatif_eq(k, "All")) ||
            (whatif_eq(k, "GuestsOrExternalUsers") && s->guest_type) || whatif_eq(k, s->user) ||
            whatif_eq(k, s->user_id)) {
            snprintf(why, whylen, "%s", whatif_eq(k, "All") ? "all users" : k);
            return true;
        }
    }
    json_array_foreach(whatif_jget(users, include ? "includeGroups" : "excludeGroups"), i, v)
    {
        const char *k = whatif_item_key(v);
        if (in_list(s->member_of, k)) {
            snprintf(why, whylen, "group %s", k);
            return true;
        }
    }
    json_array_foreach(whatif_jget(users, include ? "includeRoles" : "excludeRoles"), i, v)
    {
        const char *k = whatif_item_key(v);
        if (in_list(c->role_keys, k)) {
            const struct catalog_role *r = k ? catalog_role_by_id(k) : NULL;
            snprintf(why, whylen, "role %s", r ? r->name : k);
            return true;
        }
    }
    if (guests_match(whatif_jget(users, include ? "includeGuestsOrExternalUsers"
                                                : "excludeGuestsOrExternalUsers"),
                     s)) {
        snprintf(why, whylen, "guest or external user type %s", s->guest_type);
        return true;
    }
    return false;
}

static bool is_workload_policy(const json_t *cond)
{
    const json_t *ca = whatif_jget(cond, "clientApplications");
    return !arr_empty(whatif_jget(ca, "includeServicePrincipals"));
}

static int check_users(const json_t *cond, const struct user_ctx *c, const char **reason,
                       char *detail)
{
    const struct whatif_signin *s = c->s;
    char why[160];
    if (s->service_principal) {
        const json_t *ca = whatif_jget(cond, "clientApplications");
        if (!is_workload_policy(cond)) {
            *reason = "users";
            setf(detail, "it targets users, not workload identities");
            return 0;
        }
        const json_t *inc = whatif_jget(ca, "includeServicePrincipals");
        if (!arr_has(inc, "ServicePrincipalsInMyTenant") && !arr_has(inc, s->service_principal)) {
            *reason = "workload";
            setf(detail, "service principal %s is not included", s->service_principal);
            return 0;
        }
        if (arr_has(whatif_jget(ca, "excludeServicePrincipals"), s->service_principal)) {
            *reason = "workload";
            setf(detail, "service principal %s is excluded", s->service_principal);
            return 0;
        }
        return 1;
    }
    if (is_workload_policy(cond)) {
        *reason = "workload";
        setf(detail, "it targets workload identities, not users");
        return 0;
    }
    const json_t *users = whatif_jget(cond, "users");
    *reason = "users";
    if (!users_side(users, c, true, why, sizeof(why))) {
        setf(detail, "%s is not among its users", s->user ? s->user : "the user");
        return 0;
    }
    if (users_side(users, c, false, why, sizeof(why))) {
        setf(detail, "%s is excluded (%s)", s->user ? s->user : "the user", why);
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Locations ("Locations" in docs/whatif.md)                                                */

/* The named locations, indexed once (see whatif_locindex_new in whatif.h). */
struct whatif_locindex {
    const json_t *locations;
    size_t n;
    struct loc_entry *e;  /* per location */
    struct strmap byname; /* id or displayName (case-insensitive) -> first such location */
    size_t *trusted;      /* the locations marked isTrusted, in order */
    size_t ntrusted;
    whatif_ranges_fn ranges; /* the IP ranges of a tree that leaves them out (or NULL) */
    void *ranges_ctx;
};

/* What a sign-in's location conditions read, computed when first asked: a location's `matched`
 * only for the locations some policy names, `any_trusted` from the trusted locations only. */
struct loc_ctx {
    const struct whatif_inputs *in;
    const struct whatif_signin *s;
    const struct whatif_locindex *ix; /* the caller's, or `own` once built */
    struct whatif_locindex *own;
    struct cidr addr;
    bool have_addr;
    unsigned char *state; /* per location: 0 not known yet, 1 not matched, 2 matched */
    int any_trusted;      /* a matched trusted location, or the MFA trusted IPs; -1 not known */
    bool mfa_trusted;
};

/* One ipRanges item, parsed once: a CIDR "a.b.c.d/n" (host bits tolerated) and a
 * lowerAddress..upperAddress range, each only when it parses. */
struct loc_range {
    bool cidr_ok, range_ok;
    struct cidr net; /* net.prefix: the CIDR's prefix length */
    struct cidr lo, hi;
};

static void parse_range(const json_t *r, struct loc_range *out)
{
    memset(out, 0, sizeof(*out));
    const char *text = jstr(r, "cidrAddress");
    const char *slash = text ? strchr(text, '/') : NULL;
    if (slash) {
        char *host = xstrndup(text, (size_t)(slash - text));
        long prefix;
        out->cidr_ok = cidr_parse_address(host, &out->net) &&
                       util_parse_long(slash + 1, 0, out->net.family == 4 ? 32 : 128, &prefix);
        out->net.prefix = out->cidr_ok ? (unsigned)prefix : 0;
        free(host);
    }
    const char *lo = jstr(r, "lowerAddress"), *hi = jstr(r, "upperAddress");
    out->range_ok = lo && hi && cidr_parse_address(lo, &out->lo) &&
                    cidr_parse_address(hi, &out->hi) && out->lo.family == out->hi.family;
}

static bool in_range_item(const struct cidr *addr, const struct loc_range *r)
{
    if (r->cidr_ok && r->net.family == addr->family) {
        bool in = true;
        for (unsigned b = 0; b < r->net.prefix && in; b++) {
            unsigned byte = b / 8, mask = 0x80u >> (b % 8);
            in = (addr->addr[byte] & mask) == (r->net.addr[byte] & mask);
        }
        if (in)
            return true;
    }
    if (r->range_ok && r->lo.family == addr->family) {
        size_t len = addr->family == 4 ? 4 : 16;
        return memcmp(addr->addr, r->lo.addr, len) >= 0 && memcmp(addr->addr, r->hi.addr, len) <= 0;
    }
    return false;
}

/* What location_matches reads of a named location, read once by whatif_locindex_new; its ranges
 * are parsed when first needed. */
struct loc_entry {
    const char *id, *name;
    const json_t *tree;               /* the location, for whatif_locindex.ranges */
    const json_t *ranges, *countries; /* ranges NULL: the tree has none (or leaves them out) */
    bool include_unknown;
    bool parsed;
    struct loc_range *r;
    size_t nr;
};

static bool location_matches(const struct whatif_locindex *ix, struct loc_entry *loc,
                             const struct whatif_signin *s, const struct cidr *addr)
{
    if (in_list(s->locations, loc->id) || in_list(s->locations, loc->name))
        return true;
    if (addr && (loc->ranges || ix->ranges)) {
        if (!loc->parsed) {
            /* a tree without ranges: those its whole object has, asked for once */
            json_t *asked = loc->ranges ? NULL : ix->ranges(ix->ranges_ctx, loc->tree);
            const json_t *ranges = loc->ranges ? loc->ranges : asked;
            loc->nr = json_array_size(ranges);
            loc->r = xcalloc(loc->nr + 1, sizeof(*loc->r));
            for (size_t i = 0; i < loc->nr; i++)
                parse_range(json_array_get(ranges, i), &loc->r[i]);
            json_decref(asked);
            loc->parsed = true;
        }
        for (size_t i = 0; i < loc->nr; i++)
            if (in_range_item(addr, &loc->r[i]))
                return true;
    }
    if (s->country && loc->countries) {
        if (whatif_eq(s->country, "unknown"))
            return loc->include_unknown;
        return arr_has(loc->countries, s->country);
    }
    return false;
}

struct whatif_locindex *whatif_locindex_new(const json_t *locations)
{
    return whatif_locindex_new_lazy(locations, NULL, NULL);
}

struct whatif_locindex *whatif_locindex_new_lazy(const json_t *locations, whatif_ranges_fn ranges,
                                                 void *ctx)
{
    struct whatif_locindex *x = xcalloc(1, sizeof(*x));
    x->locations = locations;
    x->n = json_array_size(locations);
    x->ranges = ranges;
    x->ranges_ctx = ctx;
    strmap_init_borrowed(&x->byname, true); /* the ids and names of `locations`, borrowed */
    x->trusted = xcalloc(x->n + 1, sizeof(size_t));
    x->e = xcalloc(x->n + 1, sizeof(*x->e));
    static const char *const keys[] = {"id",        "displayName",
                                       "ipRanges",  "countriesAndRegions",
                                       "isTrusted", "includeUnknownCountriesAndRegions"};
    for (size_t i = 0; i < x->n; i++) {
        const json_t *v[IDPC_ARRAY_LEN(keys)];
        whatif_jget_many(json_array_get(locations, i), keys, IDPC_ARRAY_LEN(keys), v);
        const char *id = json_string_value(v[0]), *name = json_string_value(v[1]);
        x->e[i] = (struct loc_entry){.id = id,
                                     .name = name,
                                     .tree = json_array_get(locations, i),
                                     .ranges = v[2],
                                     .countries = v[3],
                                     .include_unknown = json_is_true(v[5])};
        if (json_is_true(v[4]))
            x->trusted[x->ntrusted++] = i;
        if (id)
            (void)strmap_put_first(&x->byname, id, i);
        if (name)
            (void)strmap_put_first(&x->byname, name, i);
    }
    return x;
}

void whatif_locindex_free(struct whatif_locindex *x)
{
    if (!x)
        return;
    strmap_fini(&x->byname);
    free(x->trusted);
    for (size_t i = 0; i < x->n; i++)
        free(x->e[i].r);
    free(x->e);
    free(x);
}

static int loc_ctx_init(struct loc_ctx *lc, const struct whatif_inputs *in,
                        const struct whatif_locindex *ix, const struct whatif_signin *s, char *err,
                        size_t errlen)
{
    memset(lc, 0, sizeof(*lc));
    lc->in = in;
    lc->s = s;
    lc->ix = ix;
    if (s->ip) {
        if (!cidr_parse_address(s->ip, &lc->addr)) {
            errf(err, errlen, "'%s' is not an IPv4 or IPv6 address", s->ip);
            return -1;
        }
        lc->have_addr = true;
    }
    lc->mfa_trusted = s->mfa_trusted_ip;
    lc->any_trusted = s->mfa_trusted_ip ? 1 : -1;
    return 0;
}

static void loc_ctx_fini(struct loc_ctx *lc)
{
    whatif_locindex_free(lc->own);
    free(lc->state);
}

static const struct whatif_locindex *loc_index(struct loc_ctx *lc)
{
    if (!lc->ix)
        lc->ix = lc->own = whatif_locindex_new(lc->in->locations);
    return lc->ix;
}

/* Is the sign-in in location i of the inputs? */
static bool loc_matched(struct loc_ctx *lc, size_t i)
{
    const struct whatif_locindex *ix = loc_index(lc);
    if (!lc->state)
        lc->state = xcalloc(ix->n + 1, 1);
    if (!lc->state[i])
        lc->state[i] =
            location_matches(ix, &ix->e[i], lc->s, lc->have_addr ? &lc->addr : NULL) ? 2 : 1;
    return lc->state[i] == 2;
}

static bool loc_any_trusted(struct loc_ctx *lc)
{
    if (lc->any_trusted < 0) {
        const struct whatif_locindex *ix = loc_index(lc);
        lc->any_trusted = 0;
        for (size_t t = 0; t < ix->ntrusted && !lc->any_trusted; t++)
            lc->any_trusted = loc_matched(lc, ix->trusted[t]);
    }
    return lc->any_trusted == 1;
}

/* What a location list item names, resolved against the named locations. */
enum loc_ref_kind {
    LOC_NONE,        /* not a reference: never matches */
    LOC_ALL,         /* "All": any location (include only) */
    LOC_ALL_TRUSTED, /* "AllTrusted" */
    LOC_MFA,         /* the MFA trusted IPs */
    LOC_NAMED,       /* the first named location of that id or name */
    LOC_OTHER,       /* a location the inputs do not describe: the sign-in's own list */
};

struct loc_ref {
    enum loc_ref_kind kind;
    size_t i;        /* LOC_NAMED: the location */
    const char *key; /* LOC_OTHER: the name */
};

static struct loc_ref loc_resolve(const char *k, struct loc_ctx *lc,
                                  const struct whatif_locindex *ix)
{
    struct loc_ref r = {LOC_NONE, 0, k};
    size_t i;
    if (!k)
        return r;
    if (whatif_eq(k, "All"))
        r.kind = LOC_ALL;
    else if (whatif_eq(k, "AllTrusted"))
        r.kind = LOC_ALL_TRUSTED;
    else if (whatif_eq(k, MFA_TRUSTED_IPS))
        r.kind = LOC_MFA;
    else if (strmap_get(&(ix ? ix : loc_index(lc))->byname, k, &i))
        r = (struct loc_ref){LOC_NAMED, i, k};
    else
        r.kind = LOC_OTHER;
    return r;
}

/* Is the sign-in in the location a resolved item names? */
static bool loc_ref_matches(const struct loc_ref *r, struct loc_ctx *lc, bool include)
{
    switch (r->kind) {
    case LOC_NONE:
        return false;
    case LOC_ALL:
        return include;
    case LOC_ALL_TRUSTED:
        return loc_any_trusted(lc);
    case LOC_MFA:
        return lc->mfa_trusted;
    case LOC_NAMED:
        return loc_matched(lc, r->i);
    case LOC_OTHER:
        return in_list(lc->s->locations, r->key);
    }
    return false;
}

/* Is the sign-in in the location a policy item names? */
static bool loc_item_matches(const json_t *item, struct loc_ctx *lc, bool include)
{
    struct loc_ref r = loc_resolve(whatif_item_key(item), lc, NULL);
    return loc_ref_matches(&r, lc, include);
}

static int check_locations(const json_t *locs, struct loc_ctx *lc, char *detail)
{
    if (!json_is_object(locs))
        return 1;
    const json_t *inc = whatif_jget(locs, "includeLocations");
    if (arr_empty(inc))
        return 1;
    bool in = false;
    size_t i;
    const json_t *v;
    json_array_foreach(inc, i, v)
    {
        if (loc_item_matches(v, lc, true)) {
            in = true;
            break;
        }
    }
    if (!in) {
        setf(detail, "the sign-in is not from an included location");
        return 0;
    }
    json_array_foreach(whatif_jget(locs, "excludeLocations"), i, v)
    {
        if (loc_item_matches(v, lc, false)) {
            const char *k = whatif_item_key(v);
            setf(detail, "the sign-in is from an excluded location (%s)",
                 whatif_eq(k, MFA_TRUSTED_IPS) ? "MFA trusted IPs" : k);
            return 0;
        }
    }
    return 1;
}

/* A policy's location condition with its items resolved once (whatif_locconds_new). */
struct loc_cond {
    bool always; /* no includeLocations: the condition holds */
    struct loc_ref *inc, *exc;
    size_t ninc, nexc;
};

struct whatif_locconds {
    size_t n;
    struct loc_cond *c;
};

static struct loc_ref *resolve_list(const json_t *arr, const struct whatif_locindex *ix, size_t *n)
{
    *n = json_is_array(arr) ? json_array_size(arr) : 0;
    struct loc_ref *v = xcalloc(*n + 1, sizeof(*v));
    for (size_t i = 0; i < *n; i++)
        v[i] = loc_resolve(whatif_item_key(json_array_get(arr, i)), NULL, ix);
    return v;
}

struct whatif_locconds *whatif_locconds_new(const json_t *policies,
                                            const struct whatif_locindex *ix, const size_t *same)
{
    struct whatif_locconds *x = xcalloc(1, sizeof(*x));
    x->n = json_array_size(policies);
    x->c = xcalloc(x->n + 1, sizeof(*x->c));
    for (size_t i = 0; i < x->n; i++) {
        if (same && same[i] < i)
            continue;
        const json_t *cond = whatif_jget(json_array_get(policies, i), "conditions");
        const json_t *locs = whatif_jget(cond, "locations");
        const json_t *inc = json_is_object(locs) ? whatif_jget(locs, "includeLocations") : NULL;
        struct loc_cond *lc = &x->c[i];
        lc->always = arr_empty(inc); /* check_locations: no included locations, no condition */
        if (!lc->always) {
            lc->inc = resolve_list(inc, ix, &lc->ninc);
            lc->exc = resolve_list(whatif_jget(locs, "excludeLocations"), ix, &lc->nexc);
        }
    }
    return x;
}

void whatif_locconds_free(struct whatif_locconds *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->c[i].inc);
        free(x->c[i].exc);
    }
    free(x->c);
    free(x);
}

int whatif_locconds_eval(const struct whatif_locconds *x, const struct whatif_inputs *in,
                         const struct whatif_locindex *ix, const struct whatif_signin *s,
                         const size_t *same, uint64_t *ok, char *err, size_t errlen)
{
    struct loc_ctx lc;
    if (loc_ctx_init(&lc, in, ix, s, err, errlen) != 0)
        return -1;
    memset(ok, 0, (x->n + 63) / 64 * sizeof(*ok));
    for (size_t i = 0; i < x->n; i++) {
        bool yes;
        if (same && same[i] < i) {
            yes = (ok[same[i] / 64] >> (same[i] % 64)) & 1;
        } else {
            const struct loc_cond *c = &x->c[i];
            yes = c->always; /* as check_locations: an included location, then no excluded one */
            for (size_t k = 0; !yes && k < c->ninc; k++)
                yes = loc_ref_matches(&c->inc[k], &lc, true);
            for (size_t k = 0; yes && !c->always && k < c->nexc; k++)
                yes = !loc_ref_matches(&c->exc[k], &lc, false);
        }
        if (yes)
            ok[i / 64] |= 1ull << (i % 64);
    }
    loc_ctx_fini(&lc);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Other conditions ("Conditions" in docs/whatif.md)                                        */

static int check_platform(const json_t *p, const struct whatif_signin *s, char *detail)
{
    if (!json_is_object(p))
        return 1;
    const json_t *inc = whatif_jget(p, "includePlatforms");
    if (!arr_empty(inc) && !arr_has(inc, "all") && !arr_has(inc, s->platform)) {
        if (s->platform)
            setf(detail, "platform %s is not included", s->platform);
        else
            setf(detail, "the platform is unknown and the policy includes only some platforms");
        return 0;
    }
    if (arr_has(whatif_jget(p, "excludePlatforms"), s->platform)) {
        setf(detail, "platform %s is excluded", s->platform);
        return 0;
    }
    return 1;
}

static int check_client_app(const json_t *types, const struct whatif_signin *s, char *detail)
{
    if (arr_empty(types) || arr_has(types, "all") || arr_has(types, s->client_app))
        return 1;
    /* easSupported: "Exchange ActiveSync clients" on the platforms Exchange ActiveSync
     * Conditional Access supports only (Graph conditionalAccessClientApp; "Conditional Access:
     * Conditions", Client apps): Android, iOS, Windows and Windows Phone. Linux, macOS and an
     * unknown platform do not match. */
    static const char *const eas_platforms[] = {"android", "iOS", "windows", "windowsPhone", NULL};
    if (whatif_eq(s->client_app, "exchangeActiveSync") && arr_has(types, "easSupported") &&
        s->platform && in_list(eas_platforms, s->platform))
        return 1;
    setf(detail, "client app type %s is not among its client apps",
         s->client_app ? s->client_app : "(not specified)");
    return 0;
}

static int check_risk(const json_t *levels, const char *level, const char *what, char *detail)
{
    if (arr_empty(levels))
        return 1;
    const char *l = level ? level : "none";
    if (arr_has(levels, l))
        return 1;
    setf(detail, "%s risk %s is not among its levels", what, l);
    return 0;
}

static int check_insider(const json_t *v, const struct whatif_signin *s, char *detail)
{
    const char *flags = json_string_value(v);
    if (json_is_array(v)) { /* tolerate a list */
        if (arr_empty(v) || arr_has(v, s->insider_risk))
            return 1;
    } else if (flags_empty(flags) || flags_have(flags, s->insider_risk)) {
        return 1;
    }
    setf(detail, "insider risk %s is not among its levels",
         s->insider_risk ? s->insider_risk : "(not evaluated)");
    return 0;
}

static int check_device(const json_t *devices, const struct whatif_signin *s, char *detail)
{
    const json_t *f = whatif_jget(devices, "deviceFilter");
    const char *rule = jstr(f, "rule");
    if (!rule)
        return 1;
    bool include = !whatif_eq(jstr(f, "mode"), "exclude");
    struct rule_error re;
    struct rule_expr *e = rule_parse(rule, strlen(rule), RULE_DEVICE_FILTER, &re);
    if (!e) {
        setf(detail, "its device filter does not parse: %s", re.message);
        return 0;
    }
    json_t *empty = json_object();
    bool r = false;
    int rc = rule_eval(e, s->device ? s->device : empty, &r);
    json_decref(empty);
    rule_free(e);
    if (rc != 0) {
        setf(detail, "its device filter cannot be evaluated on the device properties given");
        return 0;
    }
    if (r != include) {
        setf(detail, "the device %s its device filter (mode %s)", r ? "matches" : "does not match",
             include ? "include" : "exclude");
        return 0;
    }
    return 1;
}

static int check_flows(const json_t *flows, const struct whatif_signin *s, char *detail)
{
    const char *m = jstr(flows, "transferMethods");
    if (flags_empty(m) || flags_have(m, s->auth_flow))
        return 1;
    setf(detail, "authentication flow %s is not among its transfer methods",
         s->auth_flow ? s->auth_flow : "(none)");
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* One policy, then all                                                                     */

static enum whatif_state policy_state(const json_t *p)
{
    const char *st = jstr(p, "state");
    if (whatif_eq(st, "enabledForReportingButNotEnforced"))
        return WHATIF_REPORT_ONLY;
    if (whatif_eq(st, "disabled"))
        return WHATIF_DISABLED;
    return WHATIF_ENABLED; /* the language's default; Graph requires a state */
}

/* The conditions of one part (see enum whatif_part): NULL when they hold, else the reason. */
static const char *policy_part(const json_t *cond, enum whatif_part part,
                               const struct whatif_signin *s, const struct user_ctx *uc,
                               const struct app_target *t, struct loc_ctx *lc, char *d)
{
    const char *ur = "users";
    switch (part) {
    case WHATIF_PART_USERS:
        return check_users(cond, uc, &ur, d) ? NULL : ur;
    case WHATIF_PART_TARGET:
        return check_application(whatif_jget(cond, "applications"), s, t, d) ? NULL : "application";
    case WHATIF_PART_RISK:
        if (s->service_principal && !check_risk(whatif_jget(cond, "servicePrincipalRiskLevels"),
                                                s->sp_risk, "service principal", d))
            return "servicePrincipalRisk";
        if (!check_risk(whatif_jget(cond, "userRiskLevels"), s->user_risk, "user", d))
            return "userRisk";
        if (!check_risk(whatif_jget(cond, "signInRiskLevels"), s->sign_in_risk, "sign-in", d))
            return "signInRisk";
        if (!check_insider(whatif_jget(cond, "insiderRiskLevels"), s, d))
            return "insiderRisk";
        return NULL;
    case WHATIF_PART_PLATFORM:
        return check_platform(whatif_jget(cond, "platforms"), s, d) ? NULL : "platform";
    case WHATIF_PART_LOCATION:
        return check_locations(whatif_jget(cond, "locations"), lc, d) ? NULL : "location";
    case WHATIF_PART_CLIENT:
        return check_client_app(whatif_jget(cond, "clientAppTypes"), s, d) ? NULL : "clientApp";
    case WHATIF_PART_DEVICE:
        return check_device(whatif_jget(cond, "devices"), s, d) ? NULL : "device";
    case WHATIF_PART_FLOW:
        return check_flows(whatif_jget(cond, "authenticationFlows"), s, d) ? NULL
                                                                           : "authenticationFlow";
    case WHATIF_PARTS:
        break;
    }
    return NULL;
}

const char *const *whatif_part_fields(enum whatif_part part)
{
    static const char *const users[] = {"users", "clientApplications", NULL};
    static const char *const target[] = {"applications", NULL};
    static const char *const risk[] = {"servicePrincipalRiskLevels", "userRiskLevels",
                                       "signInRiskLevels", "insiderRiskLevels", NULL};
    static const char *const platform[] = {"platforms", NULL};
    static const char *const location[] = {"locations", NULL};
    static const char *const client[] = {"clientAppTypes", NULL};
    static const char *const device[] = {"devices", NULL};
    static const char *const flow[] = {"authenticationFlows", NULL};
    static const char *const none[] = {NULL};
    switch (part) {
    case WHATIF_PART_USERS:
        return users;
    case WHATIF_PART_TARGET:
        return target;
    case WHATIF_PART_RISK:
        return risk;
    case WHATIF_PART_PLATFORM:
        return platform;
    case WHATIF_PART_LOCATION:
        return location;
    case WHATIF_PART_CLIENT:
        return client;
    case WHATIF_PART_DEVICE:
        return device;
    case WHATIF_PART_FLOW:
        return flow;
    case WHATIF_PARTS:
        break;
    }
    return none;
}

static void evaluate_policy(const json_t *p, const struct whatif_signin *s,
                            const struct user_ctx *uc, const struct app_target *t,
                            struct loc_ctx *lc, struct whatif_policy_result *pr)
{
    const json_t *cond = whatif_jget(p, "conditions");
    char *d = pr->detail;
    pr->reason = NULL;
    if (pr->state == WHATIF_DISABLED) {
        pr->reason = "disabled";
        setf(d, "the policy is off");
        return;
    }
    for (int part = 0; part < WHATIF_PARTS; part++) {
        pr->reason = policy_part(cond, (enum whatif_part)part, s, uc, t, lc, d);
        if (pr->reason)
            return;
    }
    pr->applies = true;
    setf(d, "all its assignments and conditions match");
}

/* The given roles plus their template ids and canonical names (free uc->role_keys). */
static void user_ctx_init(struct user_ctx *uc, const struct whatif_signin *s)
{
    size_t nroles = 0;
    while (s->roles && s->roles[nroles])
        nroles++;
    uc->s = s;
    uc->role_keys = xcalloc(3 * nroles + 1, sizeof(char *));
    for (size_t i = 0, k = 0; i < nroles; i++) {
        const struct catalog_role *r = catalog_is_guid(s->roles[i])
                                           ? catalog_role_by_id(s->roles[i])
                                           : catalog_role_by_name(s->roles[i]);
        uc->role_keys[k++] = s->roles[i];
        if (r) {
            uc->role_keys[k++] = r->template_id;
            uc->role_keys[k++] = r->name;
        }
    }
}

static int check_signin(const struct whatif_signin *s, char *err, size_t errlen)
{
    int targets = (s->app != NULL) + (s->action != NULL) + (s->auth_context != NULL);
    if (targets != 1) {
        errf(err, errlen,
             "a sign-in needs exactly one of an application, a user action or an "
             "authentication context");
        return -1;
    }
    if (!s->user && !s->user_id && !s->service_principal && !s->guest_type) {
        errf(err, errlen, "a sign-in needs a user, a guest type or a service principal");
        return -1;
    }
    if (s->auth_context && !catalog_auth_context_valid(s->auth_context)) {
        const char *sug = catalog_auth_context_suggest(s->auth_context);
        if (sug)
            errf(err, errlen, "'%s' is not an authentication context (did you mean '%s'?)",
                 s->auth_context, sug);
        else
            errf(err, errlen, "'%s' is not an authentication context (c1 .. c99)", s->auth_context);
        return -1;
    }
    if (s->country && !whatif_eq(s->country, "unknown") && !catalog_country_by_code(s->country)) {
        const char *sug = catalog_country_suggest(s->country);
        if (sug)
            errf(err, errlen, "'%s' is not an ISO 3166 country code (did you mean '%s'?)",
                 s->country, sug);
        else
            errf(err, errlen, "'%s' is not an ISO 3166 country code", s->country);
        return -1;
    }
    return 0;
}

int whatif_evaluate(const struct whatif_inputs *in, const struct whatif_signin *s,
                    struct whatif_result *out, char *err, size_t errlen)
{
    return whatif_evaluate_ix(in, NULL, s, out, err, errlen);
}

int whatif_evaluate_ix(const struct whatif_inputs *in, const struct whatif_locindex *ix,
                       const struct whatif_signin *s, struct whatif_result *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (check_signin(s, err, errlen) != 0)
        return -1;
    struct loc_ctx lc;
    if (loc_ctx_init(&lc, in, ix, s, err, errlen) != 0)
        return -1;

    struct user_ctx uc;
    user_ctx_init(&uc, s);
    struct app_target t;
    resolve_app(s->app, &t);

    size_t n = json_array_size(in->policies);
    out->policies = xcalloc(n + 1, sizeof(*out->policies));
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(in->policies, i);
        struct whatif_policy_result *pr = &out->policies[out->n++];
        pr->policy = p;
        pr->name = jstr(p, "displayName");
        if (!pr->name)
            pr->name = "(unnamed)";
        pr->state = policy_state(p);
        evaluate_policy(p, s, &uc, &t, &lc, pr);
        whatif_policy_grant(in, p, pr);
    }
    whatif_finish(out, whatif_signin_extras(s));
    free(uc.role_keys);
    loc_ctx_fini(&lc);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* By part, for the compiled evaluator (whatif_compiled.c)                                  */

unsigned whatif_signin_extras(const struct whatif_signin *s)
{
    unsigned x = 0;
    struct app_target t;
    resolve_app(s->app, &t);
    if (!s->service_principal && platform_mfa_applies(&t))
        x |= WHATIF_EXTRA_PLATFORM_MFA;
    if (whatif_eq(s->client_app, "exchangeActiveSync") ||
        whatif_eq(s->client_app, "easSupported") || whatif_eq(s->client_app, "other"))
        x |= WHATIF_EXTRA_LEGACY_CLIENT;
    if (whatif_eq(s->auth_flow, "deviceCodeFlow"))
        x |= WHATIF_EXTRA_DEVICE_CODE;
    return x;
}

void whatif_finish(struct whatif_result *out, unsigned extras)
{
    if (extras & WHATIF_EXTRA_PLATFORM_MFA)
        platform_mfa(out);
    whatif_combine(out);
    /* whatif_client_limits reads only the client type and the flow, which the extras keep */
    struct whatif_signin s;
    memset(&s, 0, sizeof(s));
    s.client_app = extras & WHATIF_EXTRA_LEGACY_CLIENT ? "other" : NULL;
    s.auth_flow = extras & WHATIF_EXTRA_DEVICE_CODE ? "deviceCodeFlow" : NULL;
    whatif_client_limits(out, &s);
}

int whatif_signin_check(const struct whatif_signin *s, char *err, size_t errlen)
{
    return check_signin(s, err, errlen);
}

int whatif_part_eval(const struct whatif_inputs *in, const struct whatif_locindex *ix,
                     enum whatif_part part, const struct whatif_signin *s, const size_t *same,
                     const uint64_t *only, uint64_t *ok, char *err, size_t errlen)
{
    struct loc_ctx lc;
    memset(&lc, 0, sizeof(lc));
    if (part == WHATIF_PART_LOCATION && loc_ctx_init(&lc, in, ix, s, err, errlen) != 0)
        return -1;
    struct user_ctx uc = {s, NULL};
    if (part == WHATIF_PART_USERS)
        user_ctx_init(&uc, s);
    struct app_target t;
    resolve_app(s->app, &t);
    char detail[sizeof(((struct whatif_policy_result *)0)->detail)];
    size_t n = json_array_size(in->policies);
    memset(ok, 0, (n + 63) / 64 * sizeof(*ok));
    for (size_t i = 0; i < n; i++) {
        bool yes;
        if (only && !((only[i / 64] >> (i % 64)) & 1))
            continue;
        if (same && same[i] < i) { /* the same conditions as an earlier policy: its answer */
            yes = (ok[same[i] / 64] >> (same[i] % 64)) & 1;
        } else {
            const json_t *cond = whatif_jget(json_array_get(in->policies, i), "conditions");
            yes = !policy_part(cond, part, s, &uc, &t, &lc, detail);
        }
        if (yes)
            ok[i / 64] |= 1ull << (i % 64);
    }
    free(uc.role_keys);
    loc_ctx_fini(&lc);
    return 0;
}

const char **whatif_role_keys(const struct whatif_signin *s)
{
    struct user_ctx uc;
    user_ctx_init(&uc, s);
    return uc.role_keys;
}

bool whatif_workload_policy(const json_t *cond)
{
    return is_workload_policy(cond);
}

enum whatif_state whatif_policy_state(const json_t *policy)
{
    return policy_state(policy);
}

static void key_str(struct strbuf *k, const char *v)
{
    if (v)
        strbuf_adds(k, v);
    else
        strbuf_addc(k, '\x01'); /* NULL differs from "" */
    strbuf_addc(k, '\x1f');
}

static void key_list(struct strbuf *k, const char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        key_str(k, v[i]);
    strbuf_addc(k, '\x1e');
}

static void key_json(struct strbuf *k, const json_t *v)
{
    char *d = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    key_str(k, d);
    free(d);
}

static bool same_list(const char *const *a, const char *const *b)
{
    size_t i = 0;
    for (; a && b && a[i] && b[i]; i++)
        if (a[i] != b[i])
            return false;
    return (!a || !a[i]) && (!b || !b[i]);
}

bool whatif_part_same(enum whatif_part part, const struct whatif_signin *a,
                      const struct whatif_signin *b)
{
    switch (part) {
    case WHATIF_PART_USERS:
        return a->service_principal == b->service_principal && a->user == b->user &&
               a->user_id == b->user_id && same_list(a->member_of, b->member_of) &&
               same_list(a->roles, b->roles) && a->guest_type == b->guest_type &&
               a->external_tenant == b->external_tenant;
    case WHATIF_PART_TARGET:
        return a->app == b->app && a->action == b->action && a->auth_context == b->auth_context &&
               a->app_attrs == b->app_attrs;
    case WHATIF_PART_RISK:
        return a->service_principal == b->service_principal && a->sp_risk == b->sp_risk &&
               a->user_risk == b->user_risk && a->sign_in_risk == b->sign_in_risk &&
               a->insider_risk == b->insider_risk;
    case WHATIF_PART_PLATFORM:
        return a->platform == b->platform;
    case WHATIF_PART_LOCATION:
        return a->ip == b->ip && a->country == b->country &&
               same_list(a->locations, b->locations) && a->mfa_trusted_ip == b->mfa_trusted_ip;
    case WHATIF_PART_CLIENT:
        return a->client_app == b->client_app;
    case WHATIF_PART_DEVICE:
        return a->device == b->device;
    case WHATIF_PART_FLOW:
        return a->auth_flow == b->auth_flow;
    case WHATIF_PARTS:
        break;
    }
    return false;
}

void whatif_part_key(enum whatif_part part, const struct whatif_signin *s, struct strbuf *k)
{
    switch (part) {
    case WHATIF_PART_USERS:
        key_str(k, s->service_principal);
        key_str(k, s->user);
        key_str(k, s->user_id);
        key_list(k, s->member_of);
        key_list(k, s->roles);
        key_str(k, s->guest_type);
        key_str(k, s->external_tenant);
        break;
    case WHATIF_PART_TARGET:
        key_str(k, s->app);
        key_str(k, s->action);
        key_str(k, s->auth_context);
        key_json(k, s->app_attrs);
        break;
    case WHATIF_PART_RISK:
        key_str(k, s->service_principal ? s->sp_risk : "-");
        key_str(k, s->user_risk);
        key_str(k, s->sign_in_risk);
        key_str(k, s->insider_risk);
        break;
    case WHATIF_PART_PLATFORM:
        key_str(k, s->platform);
        break;
    case WHATIF_PART_LOCATION:
        key_str(k, s->ip);
        key_str(k, s->country);
        key_list(k, s->locations);
        key_str(k, s->mfa_trusted_ip ? "1" : "0");
        break;
    case WHATIF_PART_CLIENT:
        key_str(k, s->client_app);
        break;
    case WHATIF_PART_DEVICE:
        key_json(k, s->device);
        break;
    case WHATIF_PART_FLOW:
        key_str(k, s->auth_flow);
        break;
    case WHATIF_PARTS:
        break;
    }
}
