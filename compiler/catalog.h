/* catalog.h — the built-in catalog: keyword tables, directory roles, first-party applications,
 * ISO 3166-1 countries and authentication contexts.
 * Ownership: every returned pointer points into static read-only tables valid for the whole
 * program; arguments are borrowed. */
#ifndef IDPC_CATALOG_H
#define IDPC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* One kind per keyword table, generated from catalog_keywords.def so the enum and the tables
 * cannot drift: CAT_STATE, CAT_CLIENT_APP, CAT_PLATFORM, CAT_GRANT, CAT_RISK, CAT_INSIDER_RISK,
 * CAT_GUEST_TYPE, CAT_TRANSFER, CAT_PERSISTENT_BROWSER, CAT_CLOUD_APP_SECURITY,
 * CAT_SIF_AUTH_TYPE, CAT_COUNTRY_LOOKUP, CAT_AUTH_MODE, CAT_AUTH_METHOD, CAT_USER_ACTION,
 * CAT_APP_KEYWORD, CAT_USER_KEYWORD, CAT_LOCATION_KEYWORD, CAT_GROUP_KIND. */
enum catalog_kind {
#define CAT_KIND(id, name) CAT_##id,
#include "compiler/catalog_keywords.def"
    CAT__COUNT
};

/* One row of a keyword table: the DSL keyword, the Graph value, and a display name for
 * messages and docs. */
struct catalog_entry {
    enum catalog_kind kind;
    const char *keyword;
    const char *graph;
    const char *display;
};

/* Exact (case-sensitive) DSL keyword lookup; NULL when unknown. */
const struct catalog_entry *catalog_lookup(enum catalog_kind kind, const char *keyword);
/* Graph value lookup, ASCII case-insensitive (Graph spells "iOS", we may read "ios"). */
const struct catalog_entry *catalog_lookup_graph(enum catalog_kind kind, const char *graph);
/* All rows of a kind, in table order; *n receives the count. */
const struct catalog_entry *catalog_entries(enum catalog_kind kind, size_t *n);
/* "grant control", "device platform", ... for messages such as
 * "unknown grant control 'x'". */
const char *catalog_kind_name(enum catalog_kind kind);
/* Did-you-mean for an unknown keyword: the keyword whose Graph value the word is (compliantDevice
 * -> compliant_device), the keyword the word spells with '-', ' ' or camelCase (report-only ->
 * report_only), else the closest keyword by suggest_best(). NULL when word is already a keyword
 * or nothing is close. */
const char *catalog_suggest(enum catalog_kind kind, const char *word);
/* The @odata.type of an authentication method configuration (a CAT_AUTH_METHOD row), e.g.
 * "#microsoft.graph.fido2AuthenticationMethodConfiguration"; NULL for other rows. */
const char *catalog_auth_method_odata_type(const struct catalog_entry *method);

/* Microsoft Entra built-in directory roles (catalog_roles.def). */
struct catalog_role {
    const char *name;        /* display name, as Microsoft's permissions reference spells it */
    const char *template_id; /* lower-case GUID */
    const char *aliases;     /* former or alternative names, '|'-separated; NULL if none */
    bool deprecated;         /* Microsoft says not to use it (deprecated or unusable) */
};
/* By name or alias, ASCII case-insensitive. */
const struct catalog_role *catalog_role_by_name(const char *name);
/* By template id, case-insensitive. */
const struct catalog_role *catalog_role_by_id(const char *template_id);
/* Canonical name to suggest for an unknown role name, or NULL. Besides edit distance it
 * expands abbreviated words when that is unambiguous ("Global Admin" -> "Global
 * Administrator"). */
const char *catalog_role_suggest(const char *word);
const struct catalog_role *catalog_roles(size_t *n);

/* Microsoft first-party applications (catalog_apps.def). */
struct catalog_app {
    const char *name;    /* the service principal's display name */
    const char *app_id;  /* lower-case GUID */
    const char *aliases; /* '|'-separated, NULL if none ("Azure Management", "Exchange Online") */
};
const struct catalog_app *catalog_app_by_name(const char *name); /* name or alias, nocase */
const struct catalog_app *catalog_app_by_id(const char *app_id); /* case-insensitive */
const char *catalog_app_suggest(const char *word);               /* canonical name or NULL */
const struct catalog_app *catalog_apps(size_t *n);

/* ISO 3166-1 alpha-2 countries (catalog_countries.def, generated). */
struct catalog_country {
    const char *code;        /* "DE" */
    const char *name;        /* ISO English short name, UTF-8: "Korea, Republic of" */
    const char *common_name; /* everyday name, UTF-8: "South Korea" (== name when none) */
};
/* Exact, upper-case code; "de" and "UK" are not codes. */
const struct catalog_country *catalog_country_by_code(const char *code);
/* By ISO short name or common name, ASCII case-insensitive. */
const struct catalog_country *catalog_country_by_name(const char *name);
/* The code to suggest for something that is not a code: a lower-case code ("kp" -> "KP"),
 * well-known non-ISO codes ("UK" -> "GB", "EL" -> "GR"), a country name ("Germany" -> "DE"),
 * or a misspelled name ("Germny" -> "DE"). NULL when nothing fits. */
const char *catalog_country_suggest(const char *word);
const struct catalog_country *catalog_countries(size_t *n);

/* Authentication context class reference ids: exactly "c1" .. "c99". */
bool catalog_auth_context_valid(const char *id);
/* "C7" -> "c7", "c07" -> "c7"; NULL when the word is valid or cannot be one. Returns a
 * pointer into a static table. */
const char *catalog_auth_context_suggest(const char *word);

/* The feature flags of on-premises directory synchronization (catalog_sync.c): keyword
 * ("block_soft_match"), Graph property of onPremisesDirectorySynchronizationFeature
 * ("blockSoftMatchEnabled") and what it does. Static tables; NULL when unknown. */
struct catalog_sync_feature {
    const char *keyword, *graph, *summary;
};
const struct catalog_sync_feature *catalog_sync_features(size_t *n);
const struct catalog_sync_feature *catalog_sync_feature_by_keyword(const char *kw);
const struct catalog_sync_feature *catalog_sync_feature_by_graph(const char *prop);

/* The language's word for a Graph value of certificate-based authentication
 * ("x509CertificateMultiFactor" → "multi_factor", "PrincipalName" → "principal_name"), or NULL
 * (catalog_x509.c). */
const char *catalog_x509_word(const char *graph);

/* True for a GUID in 8-4-4-4-12 hex form (either case), which is what Graph ids look like. */
bool catalog_is_guid(const char *s);

#endif
