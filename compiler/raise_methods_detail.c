/* raise_methods_detail.c — the inverse of lower_methods_detail.c: a method configuration's own
 * settings (canonical form, normalize(NK_AUTH_METHOD_CONFIG)) → `METHOD SETTING VALUE` lines
 * after the method's state line. Every property the language can say is written, defaults
 * included, so that the exported configuration states the whole method. */
#include <string.h>

#include "compiler/raise_int.h"

#define NO_EXCLUDE "00000000-0000-0000-0000-000000000000"

static const struct {
    const char *method, *property;
} handled[] = {
    {"Fido2", "isAttestationEnforced"},
    {"Fido2", "isSelfServiceRegistrationAllowed"},
    {"Fido2", "keyRestrictions"},
    {"MicrosoftAuthenticator", "featureSettings"},
    {"MicrosoftAuthenticator", "isSoftwareOathEnabled"},
    {"TemporaryAccessPass", "defaultLifetimeInMinutes"},
    {"TemporaryAccessPass", "minimumLifetimeInMinutes"},
    {"TemporaryAccessPass", "maximumLifetimeInMinutes"},
    {"TemporaryAccessPass", "defaultLength"},
    {"TemporaryAccessPass", "isUsableOnce"},
    {"Voice", "isOfficePhoneAllowed"},
    {"Email", "allowExternalIdToUseEmailOtp"},
    {"X509Certificate", "authenticationModeConfiguration"},
    {"X509Certificate", "certificateUserBindings"},
};

bool raise_method_handles(const char *method, const char *property)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(handled); i++)
        if (strcmp(handled[i].method, method) == 0 && strcmp(handled[i].property, property) == 0)
            return true;
    return false;
}

static struct raise_line *start(struct raise_line *l, struct raise *r, const char *kw,
                                const char *word)
{
    line_init(l, r);
    line_word(l, kw);
    line_word(l, word);
    return l;
}

static void on_off(struct raise_block *b, const char *kw, const char *word, const json_t *v)
{
    if (!json_is_boolean(v))
        return;
    struct raise_line l;
    line_word(start(&l, b->r, kw, word), json_is_true(v) ? "on" : "off");
    block_add_line(b, &l);
}

static void minutes(struct raise_line *l, long long m)
{
    if (m % (24 * 60) == 0)
        line_duration(l, m / (24 * 60), "d");
    else if (m % 60 == 0)
        line_duration(l, m / 60, "h");
    else
        line_duration(l, m, "m");
}

static void keys(struct raise_block *b, const char *kw, const json_t *k, const char *field)
{
    if (!json_is_object(k))
        return;
    const json_t *guids = json_object_get(k, "aaGuids");
    const char *type = json_string_value(json_object_get(k, "enforcementType"));
    struct raise_line l;
    start(&l, b->r, kw, "keys");
    if (!json_is_true(json_object_get(k, "isEnforced"))) {
        line_word(&l, "off");
        block_add_line(b, &l);
        return;
    }
    if (json_array_size(guids) == 0) {
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express enforced key restrictions without AAGUIDs");
        line_done(&l);
        return;
    }
    line_word(&l, type && strcmp(type, "allow") == 0 ? "allow" : "block");
    size_t i;
    const json_t *g;
    json_array_foreach(guids, i, g)
    {
        if (i)
            line_comma(&l);
        line_str(&l, json_string_value(g) ? json_string_value(g) : "");
    }
    block_add_line(b, &l);
}

/* One Authenticator feature: state, and a group include / exclude target. */
static void feature(struct raise_block *b, const char *kw, const char *word, const json_t *f,
                    const char *field)
{
    if (!json_is_object(f))
        return;
    const char *state = json_string_value(json_object_get(f, "state"));
    const char *w = !state                           ? "default"
                    : strcmp(state, "enabled") == 0  ? "on"
                    : strcmp(state, "disabled") == 0 ? "off"
                                                     : "default";
    struct raise_line l;
    start(&l, b->r, kw, word);
    line_word(&l, w);
    const json_t *inc = json_object_get(f, "includeTarget");
    const json_t *exc = json_object_get(f, "excludeTarget");
    const char *iid = json_string_value(json_object_get(inc, "id"));
    const char *eid = json_string_value(json_object_get(exc, "id"));
    const char *itype = json_string_value(json_object_get(inc, "targetType"));
    const char *etype = json_string_value(json_object_get(exc, "targetType"));
    if ((iid && itype && strcmp(itype, "group") != 0) ||
        (eid && strcmp(eid, NO_EXCLUDE) != 0 && etype && strcmp(etype, "group") != 0)) {
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                    "cannot express an Authenticator feature targeting a role or an "
                    "administrative unit; the language targets groups");
        line_done(&l);
        return;
    }
    if (iid && strcmp(iid, "all_users") != 0) {
        line_word(&l, "for");
        line_ref(b, &l, l.n, "group", "group", iid, field);
    }
    if (eid && strcmp(eid, NO_EXCLUDE) != 0) {
        line_word(&l, "exclude");
        line_ref(b, &l, l.n, "group", "group", eid, field);
    }
    block_add_line(b, &l);
}

void raise_method_settings(struct raise_block *b, const char *method, const char *kw,
                           const json_t *cfg, const char *field)
{
    if (strcmp(method, "Fido2") == 0) {
        on_off(b, kw, "attestation", json_object_get(cfg, "isAttestationEnforced"));
        on_off(b, kw, "self_service", json_object_get(cfg, "isSelfServiceRegistrationAllowed"));
        keys(b, kw, json_object_get(cfg, "keyRestrictions"), field);
    } else if (strcmp(method, "MicrosoftAuthenticator") == 0) {
        const json_t *fs = json_object_get(cfg, "featureSettings");
        feature(b, kw, "show_app_name", json_object_get(fs, "displayAppInformationRequiredState"),
                field);
        feature(b, kw, "show_location",
                json_object_get(fs, "displayLocationInformationRequiredState"), field);
        on_off(b, kw, "software_oath", json_object_get(cfg, "isSoftwareOathEnabled"));
    } else if (strcmp(method, "TemporaryAccessPass") == 0) {
        const json_t *def = json_object_get(cfg, "defaultLifetimeInMinutes");
        if (json_is_integer(def)) {
            struct raise_line l;
            start(&l, b->r, kw, "lifetime");
            minutes(&l, json_integer_value(def));
            const json_t *min = json_object_get(cfg, "minimumLifetimeInMinutes");
            const json_t *max = json_object_get(cfg, "maximumLifetimeInMinutes");
            if (json_is_integer(min)) {
                line_word(&l, "min");
                minutes(&l, json_integer_value(min));
            }
            if (json_is_integer(max)) {
                line_word(&l, "max");
                minutes(&l, json_integer_value(max));
            }
            block_add_line(b, &l);
        }
        const json_t *len = json_object_get(cfg, "defaultLength");
        if (json_is_integer(len)) {
            struct raise_line l;
            start(&l, b->r, kw, "length");
            line_number(&l, json_integer_value(len));
            block_add_line(b, &l);
        }
        on_off(b, kw, "one_time", json_object_get(cfg, "isUsableOnce"));
    } else if (strcmp(method, "Voice") == 0) {
        on_off(b, kw, "office_phone", json_object_get(cfg, "isOfficePhoneAllowed"));
    } else if (strcmp(method, "Email") == 0) {
        const char *v = json_string_value(json_object_get(cfg, "allowExternalIdToUseEmailOtp"));
        if (v) {
            struct raise_line l;
            start(&l, b->r, kw, "external_id_otp");
            line_word(&l, strcmp(v, "enabled") == 0    ? "on"
                          : strcmp(v, "disabled") == 0 ? "off"
                                                       : "default");
            block_add_line(b, &l);
        }
    } else if (strcmp(method, "X509Certificate") == 0) {
        raise_x509_settings(b, kw, cfg, field);
    }
}

/* The campaign's group targets as `group "A", group "B"` after `kw`; false when a target cannot
 * be written (another targeted method, or not a group). */
static bool campaign_targets(struct raise_block *b, struct raise_line *l, const char *kw,
                             const json_t *list, bool include, const char *field)
{
    size_t i;
    const json_t *t;
    size_t lead = 0;
    json_array_foreach(list, i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *type = json_string_value(json_object_get(t, "targetType"));
        const char *m = json_string_value(json_object_get(t, "targetedAuthenticationMethod"));
        if ((type && strcmp(type, "group") != 0) ||
            (include && m && strcmp(m, "microsoftAuthenticator") != 0) || !id) {
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                        "cannot express the registration campaign target %s", id ? id : "?");
            return false;
        }
        if (include && strcmp(id, "all_users") == 0) {
            if (json_array_size(list) != 1) {
                raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, field,
                            "cannot express all users together with groups in the registration "
                            "campaign");
                return false;
            }
            return true; /* `for all` is the default: nothing to write */
        }
        if (!lead) {
            line_word(l, kw);
            lead = l->n;
        }
        line_ref(b, l, lead, "group", "group", id, field);
    }
    return true;
}

bool raise_registration_campaign(struct raise_block *b, const json_t *policy)
{
    const char *field = "registrationEnforcement.authenticationMethodsRegistrationCampaign";
    const json_t *c = json_object_get(json_object_get(policy, "registrationEnforcement"),
                                      "authenticationMethodsRegistrationCampaign");
    if (!json_is_object(c))
        return true;
    const char *state = json_string_value(json_object_get(c, "state"));
    struct raise_line l;
    start(&l, b->r, "registration_campaign",
          !state                           ? "default"
          : strcmp(state, "enabled") == 0  ? "on"
          : strcmp(state, "disabled") == 0 ? "off"
                                           : "default");
    if (!campaign_targets(b, &l, "for", json_object_get(c, "includeTargets"), true, field) ||
        !campaign_targets(b, &l, "exclude", json_object_get(c, "excludeTargets"), false, field)) {
        line_done(&l);
        return false;
    }
    const json_t *snooze = json_object_get(c, "snoozeDurationInDays");
    if (json_is_integer(snooze)) {
        line_word(&l, "snooze");
        line_duration(&l, json_integer_value(snooze), "d");
    }
    block_add_line(b, &l);
    return true;
}
