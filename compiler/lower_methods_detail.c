/* lower_methods_detail.c — the settings of one method configuration, written as
 * `METHOD SETTING VALUE` lines inside `authentication_methods { ... }` next to the method's
 * `METHOD on|off ...` line, and merged into that method's PATCH body. The properties are those
 * of the Graph v1.0 resources (Microsoft Learn, "fido2AuthenticationMethodConfiguration",
 * "microsoftAuthenticatorAuthenticationMethodConfiguration",
 * "temporaryAccessPassAuthenticationMethodConfiguration", "voiceAuthenticationMethodConfiguration",
 * "emailAuthenticationMethodConfiguration"):
 *
 *   fido2 attestation on|off            → isAttestationEnforced
 *   fido2 self_service on|off           → isSelfServiceRegistrationAllowed
 *   fido2 keys allow|block "AAGUID", …  → keyRestrictions {isEnforced, enforcementType, aaGuids}
 *   fido2 keys off                      → keyRestrictions {isEnforced false, block, []}
 *   authenticator show_app_name|show_location on|off|default [for group "X"] [exclude group "Y"]
 *                                       → featureSettings.display{App,Location}Information…
 *   authenticator software_oath on|off  → isSoftwareOathEnabled
 *   temporary_access_pass lifetime D [min D] [max D] → default/minimum/maximumLifetimeInMinutes
 *   temporary_access_pass length N      → defaultLength (8 to 48)
 *   temporary_access_pass one_time on|off → isUsableOnce
 *   voice office_phone on|off           → isOfficePhoneAllowed
 *   email external_id_otp on|off|default → allowExternalIdToUseEmailOtp
 *   x509_certificate default_mode | rule | binding ... → lower_x509.c
 *
 * Number matching has no setting in v1.0: Microsoft enforces it for every Authenticator push
 * ("How number matching works in multifactor authentication push notifications"). */
#include <string.h>

#include "compiler/check_int.h"

#define TAP_MIN_MINUTES 10    /* the resource's documented range: 10 minutes ... */
#define TAP_MAX_MINUTES 43200 /* ... to 30 days */
#define TAP_MIN_LENGTH  8
#define TAP_MAX_LENGTH  48
#define NO_EXCLUDE      "00000000-0000-0000-0000-000000000000" /* featureTarget "nobody" */

enum setting_kind {
    S_BOOL,     /* on|off → a boolean property */
    S_TRISTATE, /* on|off|default → enabled|disabled|default */
    S_KEYS,     /* FIDO2 key restrictions */
    S_FEATURE,  /* an Authenticator feature with targets */
    S_LIFETIME, /* TAP lifetimes */
    S_LENGTH,   /* TAP length */
    S_NUMBER_MATCHING,
    S_X509,      /* certificate-based authentication (lower_x509.c), once */
    S_X509_LIST, /* the same, a line per item (rules, bindings) */
};

struct method_setting {
    const char *method; /* Graph id of the method */
    const char *word;
    enum setting_kind kind;
    const char *property;
};

static const struct method_setting settings[] = {
    {"Fido2", "attestation", S_BOOL, "isAttestationEnforced"},
    {"Fido2", "self_service", S_BOOL, "isSelfServiceRegistrationAllowed"},
    {"Fido2", "keys", S_KEYS, "keyRestrictions"},
    {"MicrosoftAuthenticator", "show_app_name", S_FEATURE, "displayAppInformationRequiredState"},
    {"MicrosoftAuthenticator", "show_location", S_FEATURE,
     "displayLocationInformationRequiredState"},
    {"MicrosoftAuthenticator", "software_oath", S_BOOL, "isSoftwareOathEnabled"},
    {"MicrosoftAuthenticator", "number_matching", S_NUMBER_MATCHING, NULL},
    {"TemporaryAccessPass", "lifetime", S_LIFETIME, "defaultLifetimeInMinutes"},
    {"TemporaryAccessPass", "length", S_LENGTH, "defaultLength"},
    {"TemporaryAccessPass", "one_time", S_BOOL, "isUsableOnce"},
    {"Voice", "office_phone", S_BOOL, "isOfficePhoneAllowed"},
    {"Email", "external_id_otp", S_TRISTATE, "allowExternalIdToUseEmailOtp"},
    {"X509Certificate", "default_mode", S_X509, "authenticationModeConfiguration"},
    {"X509Certificate", "rule", S_X509_LIST, "authenticationModeConfiguration"},
    {"X509Certificate", "binding", S_X509_LIST, "certificateUserBindings"},
};

bool lower_method_is_setting(const struct ast_stmt *s)
{
    /* a state written another way (`fido2 enabled`) stays a state line, for its "write 'on'" */
    static const char *const states[] = {"on",   "off",   "enabled", "disabled",
                                         "true", "false", "yes",     "no"};
    if (s->natoms < 2 || s->atoms[1].kind != AST_WORD)
        return false;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(states); i++)
        if (ast_is_word(&s->atoms[1], states[i]))
            return false;
    return true;
}

/* A duration in minutes: 90m / 90min, 8h, 2d. */
static bool minutes(struct args *a, const char *what, long long *out)
{
    const struct ast_atom *d = args_peek(a);
    if (!d || d->kind != AST_DURATION) {
        args_expected(a, what);
        return false;
    }
    args_next(a);
    long long m;
    if (strcmp(d->text, "m") == 0 || strcmp(d->text, "min") == 0)
        m = d->num;
    else if (strcmp(d->text, "h") == 0)
        m = d->num * 60;
    else if (strcmp(d->text, "d") == 0)
        m = d->num * 24 * 60;
    else {
        args_error(a, d,
                   "a lifetime is in minutes, hours or days, such as 90m, 8h or 1d; found "
                   "'%lld%s'",
                   d->num, d->text);
        return false;
    }
    if (m < TAP_MIN_MINUTES || m > TAP_MAX_MINUTES) {
        args_error(a, d, "a Temporary Access Pass lives between 10m and 30d; found '%lld%s'",
                   d->num, d->text);
        return false;
    }
    *out = m;
    return true;
}

static bool lifetime(struct args *a, json_t *body)
{
    long long def, min = -1, max = -1;
    const struct ast_atom *first = args_peek(a);
    if (!minutes(a, "a default lifetime such as 1h", &def))
        return false;
    while (!args_done(a)) {
        if (args_accept(a, "min")) {
            if (min >= 0) {
                args_error(a, NULL, "'min' is given twice");
                return false;
            }
            if (!minutes(a, "a minimum lifetime such as 1h", &min))
                return false;
        } else if (args_accept(a, "max")) {
            if (max >= 0) {
                args_error(a, NULL, "'max' is given twice");
                return false;
            }
            if (!minutes(a, "a maximum lifetime such as 8h", &max))
                return false;
        } else {
            args_expected(a, "'min' or 'max'");
            return false;
        }
    }
    if ((min >= 0 && def < min) || (max >= 0 && def > max) || (min >= 0 && max >= 0 && min > max)) {
        args_error(a, first,
                   "the default lifetime must lie between the minimum and the maximum "
                   "(min <= default <= max)");
        return false;
    }
    json_object_set_new(body, "defaultLifetimeInMinutes", json_integer(def));
    if (min >= 0)
        json_object_set_new(body, "minimumLifetimeInMinutes", json_integer(min));
    if (max >= 0)
        json_object_set_new(body, "maximumLifetimeInMinutes", json_integer(max));
    return true;
}

static bool keys(struct args *a, json_t *body)
{
    static const char *const modes[] = {"allow", "block", "off"};
    int k = args_expect_word(a, "key restriction", modes, 3);
    if (k < 0)
        return false;
    json_t *guids = json_array();
    if (k < 2) {
        do {
            const char *g = args_expect_guid(a, "a FIDO2 key model's AAGUID");
            if (!g) {
                json_decref(guids);
                return false;
            }
            json_array_append_new(guids, json_string(g));
        } while (args_comma(a));
    }
    json_object_set_new(body, "keyRestrictions",
                        json_pack("{s:b,s:s,s:o}", "isEnforced", k < 2, "enforcementType",
                                  k == 0 ? "allow" : "block", "aaGuids", guids));
    return true;
}

/* featureTarget: `group "X"` or `all` (include only). */
static json_t *feature_target(struct args *a, bool include)
{
    if (include && args_accept(a, "all"))
        return json_pack("{s:s,s:s}", "targetType", "group", "id", "all_users");
    if (!args_accept(a, "group")) {
        args_expected(a, include ? "'all' or 'group'" : "'group'");
        return NULL;
    }
    json_t *r = args_ref(a, "group", "a group name");
    if (!r)
        return NULL;
    json_t *t = json_pack("{s:s}", "targetType", "group");
    json_object_set_new(t, "id", r);
    if (args_peek(a) && args_peek(a)->kind == AST_COMMA) {
        args_error(a, args_peek(a),
                   "an Authenticator feature targets one group; Graph has a "
                   "single includeTarget and excludeTarget");
        json_decref(t);
        return NULL;
    }
    return t;
}

static bool tristate(struct args *a, const char **out)
{
    static const char *const words[] = {"on", "off", "default"};
    static const char *const graph[] = {"enabled", "disabled", "default"};
    int k = args_expect_word(a, "state", words, 3);
    if (k < 0)
        return false;
    *out = graph[k];
    return true;
}

static bool feature(struct args *a, const struct method_setting *def, json_t *body)
{
    const char *state;
    if (!tristate(a, &state))
        return false;
    json_t *inc = NULL, *exc = NULL;
    while (!args_done(a) && !a->failed) {
        if (!inc && args_accept(a, "for")) {
            inc = feature_target(a, true);
        } else if (!exc && args_accept(a, "exclude")) {
            exc = feature_target(a, false);
        } else {
            args_expected(a, inc ? "'exclude'" : "'for' or 'exclude'");
        }
    }
    if (a->failed) {
        json_decref(inc);
        json_decref(exc);
        return false;
    }
    json_t *fs = json_object_get(body, "featureSettings");
    if (!fs) {
        fs = json_object();
        json_object_set_new(body, "featureSettings", fs);
    }
    json_object_set_new(
        fs, def->property,
        json_pack("{s:s,s:o,s:o}", "state", state, "includeTarget",
                  inc ? inc : json_pack("{s:s,s:s}", "targetType", "group", "id", "all_users"),
                  "excludeTarget",
                  exc ? exc : json_pack("{s:s,s:s}", "targetType", "group", "id", NO_EXCLUDE)));
    return true;
}

static const struct method_setting *find_setting(const char *method, const char *word)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(settings); i++)
        if (strcmp(settings[i].method, method) == 0 && strcmp(settings[i].word, word) == 0)
            return &settings[i];
    return NULL;
}

static void unknown_setting(struct check *ck, const struct ast_stmt *s, const char *method)
{
    struct strbuf sb = STRBUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(settings); i++)
        if (strcmp(settings[i].method, method) == 0 && settings[i].kind != S_NUMBER_MATCHING)
            strbuf_addf(&sb, "%s'%s'", n++ ? ", " : "", settings[i].word);
    if (n)
        diag_error(ck->diag, s->atoms[1].loc,
                   "unknown setting '%s' of %s; expected 'on', 'off' or one of %s",
                   s->atoms[1].text, s->atoms[0].text, strbuf_str(&sb));
    else
        diag_error(ck->diag, s->atoms[1].loc,
                   "%s has no settings in Graph v1.0; expected 'on' or 'off', found '%s'",
                   s->atoms[0].text, s->atoms[1].text);
    strbuf_fini(&sb);
}

void lower_method_setting(struct check *ck, const struct ast_stmt *s, const char *method,
                          struct model_object *o, const struct ast_stmt **seen, size_t nseen)
{
    const char *word = s->atoms[1].text;
    const struct method_setting *def = find_setting(method, word);
    if (!def) {
        unknown_setting(ck, s, method);
        return;
    }
    if (def->kind == S_NUMBER_MATCHING) {
        diag_error(ck->diag, s->atoms[1].loc,
                   "number matching has no setting: Microsoft enforces it for every Microsoft "
                   "Authenticator push notification; drop the line");
        return;
    }
    for (size_t i = 0; i < nseen && def->kind != S_X509_LIST; i++) {
        if (seen[i] != s && strcmp(seen[i]->atoms[0].text, s->atoms[0].text) == 0 &&
            ast_is_word(&seen[i]->atoms[1], word)) {
            diag_error(ck->diag, s->atoms[1].loc, "'%s %s' is given twice", s->atoms[0].text, word);
            diag_note(ck->diag, seen[i]->atoms[1].loc, "first given here");
            return;
        }
    }
    if (!o) {
        diag_error(ck->diag, s->atoms[0].loc,
                   "'%s %s' sets part of the %s configuration; add its state line, for example "
                   "'%s on'",
                   s->atoms[0].text, word, s->atoms[0].text, s->atoms[0].text);
        return;
    }
    struct args a;
    args_init(&a, ck, s);
    args_next(&a); /* the setting's word */
    json_t *body = o->body;
    bool on, ok = false;
    const char *state;
    const struct ast_atom *at;
    switch (def->kind) {
    case S_BOOL:
        ok = args_on_off(&a, &on);
        if (ok)
            json_object_set_new(body, def->property, json_boolean(on));
        break;
    case S_TRISTATE:
        ok = tristate(&a, &state);
        if (ok)
            json_object_set_new(body, def->property, json_string(state));
        break;
    case S_KEYS:
        ok = keys(&a, body);
        break;
    case S_FEATURE:
        ok = feature(&a, def, body);
        break;
    case S_LIFETIME:
        ok = lifetime(&a, body);
        break;
    case S_LENGTH:
        at = args_peek(&a);
        if (!at || at->kind != AST_NUMBER) {
            args_expected(&a, "a length in characters (8 to 48)");
            break;
        }
        args_next(&a);
        if (at->num < TAP_MIN_LENGTH || at->num > TAP_MAX_LENGTH) {
            args_error(&a, at, "a Temporary Access Pass is 8 to 48 characters long; found %lld",
                       at->num);
            break;
        }
        json_object_set_new(body, def->property, json_integer(at->num));
        ok = true;
        break;
    case S_X509:
    case S_X509_LIST:
        ok = lower_x509_setting(&a, word, body);
        break;
    case S_NUMBER_MATCHING:
        break;
    }
    if (ok)
        args_expect_end(&a);
}

/* `registration_campaign on|off|default [for all | for group "X", ...] [exclude group "Y", ...]
 * [snooze Nd]` → the authenticationMethodsPolicy PATCH body {registrationEnforcement:
 * {authenticationMethodsRegistrationCampaign: {state, snoozeDurationInDays, includeTargets,
 * excludeTargets}}}. The campaign nudges users to register Microsoft Authenticator (the only
 * targetedAuthenticationMethod of v1.0); snoozes are 0 to 14 days (Microsoft Learn,
 * "authenticationMethodsRegistrationCampaign resource type"). */
#define SNOOZE_MAX_DAYS 14

static bool campaign_groups(struct args *a, json_t *list, bool include)
{
    do {
        if (!args_accept(a, "group")) {
            args_expected(a, include ? "'all' or 'group'" : "'group'");
            return false;
        }
        json_t *r = args_ref(a, "group", "a group name");
        if (!r)
            return false;
        json_t *t = json_pack("{s:s}", "targetType", "group");
        json_object_set_new(t, "id", r);
        if (include)
            json_object_set_new(t, "targetedAuthenticationMethod",
                                model_const_string("microsoftAuthenticator"));
        json_array_append_new(list, t);
    } while (args_comma(a));
    return true;
}

void lower_registration_campaign(struct check *ck, const struct ast_stmt *s,
                                 const struct ast_stmt **first)
{
    if (!check_once(ck, first, s, "the authentication_methods block"))
        return;
    struct args a;
    args_init(&a, ck, s);
    const char *state;
    if (!tristate(&a, &state))
        return;
    json_t *inc = json_array(), *exc = json_array();
    long long snooze = -1;
    bool have_inc = false;
    while (!args_done(&a) && !a.failed) {
        if (!have_inc && args_accept(&a, "for")) {
            have_inc = true;
            if (args_accept(&a, "all"))
                json_array_append_new(inc, json_pack("{s:s,s:s,s:s}", "targetType", "group", "id",
                                                     "all_users", "targetedAuthenticationMethod",
                                                     "microsoftAuthenticator"));
            else
                campaign_groups(&a, inc, true);
        } else if (json_array_size(exc) == 0 && args_accept(&a, "exclude")) {
            campaign_groups(&a, exc, false);
        } else if (snooze < 0 && args_accept(&a, "snooze")) {
            const struct ast_atom *d = args_peek(&a);
            if (!d || d->kind != AST_DURATION || strcmp(d->text, "d") != 0) {
                args_expected(&a, "a number of days such as 3d");
                break;
            }
            args_next(&a);
            if (d->num < 0 || d->num > SNOOZE_MAX_DAYS) {
                args_error(&a, d, "users may snooze the campaign for 0 to 14 days; found %lldd",
                           d->num);
                break;
            }
            snooze = d->num;
        } else {
            args_expected(&a, "'for', 'exclude' or 'snooze'");
        }
    }
    if (a.failed) {
        json_decref(inc);
        json_decref(exc);
        return;
    }
    if (!have_inc)
        json_array_append_new(inc,
                              json_pack("{s:s,s:s,s:s}", "targetType", "group", "id", "all_users",
                                        "targetedAuthenticationMethod", "microsoftAuthenticator"));
    json_t *c = json_pack("{s:s}", "state", state);
    if (snooze >= 0)
        json_object_set_new(c, "snoozeDurationInDays", json_integer(snooze));
    json_object_set_new(c, "includeTargets", inc);
    json_object_set_new(c, "excludeTargets", exc);
    struct model_object *o = model_add(ck->model, MODEL_AUTH_METHODS_POLICY,
                                       "authenticationMethodsPolicy", s->atoms[0].loc);
    json_object_set_new(o->body, "registrationEnforcement",
                        json_pack("{s:o}", "authenticationMethodsRegistrationCampaign", c));
}
