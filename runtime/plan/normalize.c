/* normalize.c — see normalize.h; the rules are written down in docs/normalization.md.
 *
 * The engine is table-driven: a `struct spec` lists the known properties of one Graph object
 * type with a rule each (enum, id set, flags string, nested object, ...). Properties that are
 * not in the table (beta and preview fields) are kept, cleaned generically, so that a diff still
 * shows them. Every rule maps "unset" (null, [], {}, a default value) to absence. */
#include "runtime/plan/normalize.h"
#include "runtime/plan/normalize_pim.h"

#include "compiler/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct field;
struct spec;
typedef json_t *(*field_fn)(const struct field *f, const json_t *v);

enum ftype {
    FT_SCALAR,    /* kept; null -> absent; GUIDs lower-cased; equal to dflt -> absent */
    FT_TEXT,      /* free text kept exactly; null and "" -> absent */
    FT_NAME,      /* display name kept exactly, case included; null -> absent */
    FT_DROP,      /* read-only or computed: always absent */
    FT_ENUM,      /* one enum value in the vocabulary's casing; equal to dflt -> absent */
    FT_ID,        /* one id: keywords in vocabulary casing, GUIDs lower-cased */
    FT_ID_SET,    /* set of ids (sorted, deduplicated); empty -> absent */
    FT_ENUM_SET,  /* set of enum values */
    FT_UPPER_SET, /* set of upper-cased codes (ISO country codes) */
    FT_FLAGS,     /* one comma-joined flags string: split, trimmed, cased, sorted, re-joined */
    FT_FLAGS_SET, /* set of flags strings (strength combinations) */
    FT_BOOL,      /* boolean whose default is dflt ("true"/"false"): default -> absent */
    FT_OBJ,       /* nested object described by sub; empty -> absent */
    FT_OBJ_SET,   /* set of objects described by sub */
    FT_FN,        /* custom rule */
};

struct field {
    const char *name;
    enum ftype type;
    const char *const *vocab;
    const struct spec *sub;
    const char *dflt;
    field_fn fn;
};

struct spec {
    const struct field *fields; /* terminated by an entry with name NULL */
    const char *const *kinds;   /* non-NULL: "@odata.type" becomes "kind" (this vocabulary) */
    void (*post)(json_t *out, const json_t *in);
};

#define F(n, t)                                                                                    \
    {                                                                                              \
        .name = (n), .type = (t)                                                                   \
    }
#define FV(n, t, v)                                                                                \
    {                                                                                              \
        .name = (n), .type = (t), .vocab = (v)                                                     \
    }
#define FVD(n, t, v, d)                                                                            \
    {                                                                                              \
        .name = (n), .type = (t), .vocab = (v), .dflt = (d)                                        \
    }
#define FB(n, d)                                                                                   \
    {                                                                                              \
        .name = (n), .type = FT_BOOL, .dflt = (d)                                                  \
    }
#define FO(n, s)                                                                                   \
    {                                                                                              \
        .name = (n), .type = FT_OBJ, .sub = (s)                                                    \
    }
#define FOS(n, s)                                                                                  \
    {                                                                                              \
        .name = (n), .type = FT_OBJ_SET, .sub = (s)                                                \
    }
#define FF(n, f)                                                                                   \
    {                                                                                              \
        .name = (n), .type = FT_FN, .fn = (f)                                                      \
    }
#define FEND                                                                                       \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static json_t *norm_object(const struct spec *s, const json_t *in);
static json_t *norm_generic(const json_t *v);

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                              */

static bool is_annotation(const char *key)
{
    /* Graph property names never contain '@'; "#microsoft.graph.x" advertises an action. */
    return key[0] == '#' || strchr(key, '@') != NULL;
}

bool normalize_is_guid(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return i == 36;
}

/* Hex digits and dashes with at least one dash: a GUID, or a mistyped one from a template.
 * Either way its case carries no meaning. */
static bool looks_like_id(const char *s)
{
    bool dash = false;
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c == '-')
            dash = true;
        else if (!(c >= '0' && c <= '9') && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
            return false; /* isxdigit's "C" locale answer, without a call per byte */
    }
    return dash && n >= 8;
}

static char *str_lower(const char *s)
{
    char *r = xstrdup(s);
    for (char *p = r; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return r;
}

static json_t *string_take(char *s)
{
    json_t *j = json_string(s);
    free(s);
    if (!j)
        BUG("invalid UTF-8 reached normalize");
    return j;
}

static const char *vocab_find(const char *const *vocab, const char *s)
{
    for (size_t i = 0; vocab && vocab[i]; i++)
        if (strcasecmp(vocab[i], s) == 0)
            return vocab[i];
    return NULL;
}

/* A string whose text is s: v itself (shared, not copied) when v is a string of exactly that
 * text, else a new one. Normalised trees share such leaves with their input: no one changes a
 * string in place (json_string_set). A string holding "\u0000" is one s does not spell whole. */
bool normalize_share = true;

static json_t *string_as(const json_t *v, const char *s)
{
    if (normalize_share && json_is_string(v)) {
        const char *t = json_string_value(v);
        if ((t == s || strcmp(t, s) == 0) && json_string_length(v) == strlen(t))
            return json_incref(util_json_mut(v));
    }
    return json_string(s);
}

static bool has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return true;
    return false;
}

/* The text lower-cased (the string v, shared, when it has no capital). */
static json_t *lower_of(const json_t *v, const char *s)
{
    return !normalize_share || has_upper(s) ? string_take(str_lower(s)) : string_as(v, s);
}

/* An id: a vocabulary keyword in its canonical casing, an id-like string lower-cased. v is the
 * string s was read from (shared when it is already canonical), or NULL. */
static json_t *canon_id_of(const json_t *v, const char *const *vocab, const char *s)
{
    const char *kw = vocab_find(vocab, s);
    if (kw)
        return string_as(v, kw);
    if (looks_like_id(s))
        return lower_of(v, s);
    return string_as(v, s);
}

static json_t *canon_id(const char *const *vocab, const char *s)
{
    return canon_id_of(NULL, vocab, s);
}

static json_t *canon_enum_of(const json_t *v, const char *const *vocab, const char *s)
{
    const char *kw = vocab_find(vocab, s);
    return string_as(v, kw ? kw : s);
}

static json_t *canon_enum(const char *const *vocab, const char *s)
{
    return canon_enum_of(NULL, vocab, s);
}

/* What normalising leaves as it is: a scalar shared (json_incref), a container copied. */
static json_t *copy_of(const json_t *v)
{
    if (!normalize_share || json_is_object(v) || json_is_array(v))
        return json_deep_copy(v);
    return json_incref(util_json_mut(v));
}

/* ---------------------------------------------------------------------------------------- */
/* Sets                                                                                       */

/* A set's items are ordered by kind ('o' object, 's' string, 'x' other), then by text: a
 * string's own (borrowed from the item), another value's canonical JSON. */
struct set_item {
    char tag;
    const char *key;
    char *own;
    json_t *v;
};

static int set_item_cmp(const void *a, const void *b)
{
    const struct set_item *x = a, *y = b;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return strcmp(x->key, y->key);
}

static void sort_key(struct set_item *it)
{
    if (json_is_string(it->v)) {
        it->tag = 's';
        it->key = json_string_value(it->v);
        return;
    }
    it->tag = json_is_object(it->v) ? 'o' : 'x';
    it->own = json_dumps(it->v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    it->key = it->own ? it->own : "";
}

/* Sorts and deduplicates the array in place (it must be owned); returns NULL for an empty one
 * (the reference is released) so that [] reads as absent. */
static json_t *set_finish(json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        json_decref(arr);
        return NULL;
    }
    /* already a set: one item, or strings in strictly rising order (set_item_cmp's 's' items) */
    bool sorted = normalize_share;
    for (size_t i = 0; sorted && i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        sorted = n == 1 || (json_is_string(e) &&
                            (i == 0 || strcmp(json_string_value(json_array_get(arr, i - 1)),
                                              json_string_value(e)) < 0));
    }
    if (sorted)
        return arr;
    struct set_item *items = xcalloc(n, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        items[i].v = json_incref(json_array_get(arr, i));
        sort_key(&items[i]);
    }
    qsort(items, n, sizeof(*items), set_item_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (i == 0 || set_item_cmp(&items[i], &items[i - 1]) != 0)
            json_array_append(out, items[i].v);
    for (size_t i = 0; i < n; i++) {
        free(items[i].own);
        json_decref(items[i].v);
    }
    free(items);
    json_decref(arr);
    return out;
}

/* Joined flags: split on ',', trim, canonical case, sort, dedupe, join with ','. */
static json_t *canon_flags(const char *const *vocab, const char *s)
{
    json_t *parts = json_array();
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *b = p, *end = p + len;
        while (b < end && isspace((unsigned char)*b))
            b++;
        while (end > b && isspace((unsigned char)end[-1]))
            end--;
        if (end > b) {
            char *tok = xstrndup(b, (size_t)(end - b));
            json_array_append_new(parts, canon_enum(vocab, tok));
            free(tok);
        }
        p = e ? e + 1 : p + len;
    }
    parts = set_finish(parts);
    if (!parts)
        return NULL;
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *t;
    json_array_foreach(parts, i, t)
    {
        if (i)
            strbuf_addc(&sb, ',');
        strbuf_adds(&sb, json_string_value(t));
    }
    json_decref(parts);
    return string_take(strbuf_detach(&sb));
}

static json_t *set_element(const struct field *f, const json_t *e)
{
    if (!json_is_string(e))
        return norm_generic(e);
    const char *s = json_string_value(e);
    switch (f->type) {
    case FT_ID_SET:
        return canon_id_of(e, f->vocab, s);
    case FT_ENUM_SET:
        return canon_enum_of(e, f->vocab, s);
    case FT_UPPER_SET: {
        char *u = xstrdup(s);
        for (char *p = u; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        return string_take(u);
    }
    case FT_FLAGS_SET:
        return canon_flags(f->vocab, s);
    default:
        return norm_generic(e);
    }
}

static json_t *norm_set(const struct field *f, const json_t *v)
{
    json_t *out = json_array();
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *n = set_element(f, e);
            if (n)
                json_array_append_new(out, n);
        }
    } else {
        json_t *n = set_element(f, v); /* a lone value where a list belongs */
        if (n)
            json_array_append_new(out, n);
    }
    return set_finish(out);
}

static json_t *norm_obj_set(const struct spec *sub, const json_t *v)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    if (json_is_object(v)) {
        json_t *n = norm_object(sub, v);
        if (n)
            json_array_append_new(out, n);
        return set_finish(out);
    }
    json_array_foreach(v, i, e)
    {
        json_t *n = json_is_object(e) ? norm_object(sub, e) : norm_generic(e);
        if (n)
            json_array_append_new(out, n);
    }
    return set_finish(out);
}

/* ---------------------------------------------------------------------------------------- */
/* The engine                                                                                 */

/* Unknown properties: drop annotations and unset values; string lists are sets. */
static json_t *norm_generic(const json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return looks_like_id(s) ? lower_of(v, s) : string_as(v, s);
    }
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *e;
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (is_annotation(k))
                continue;
            json_t *n = norm_generic(e);
            if (n)
                json_object_set_new(out, k, n);
        }
        if (json_object_size(out) == 0) {
            json_decref(out);
            return NULL;
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        bool scalars = true;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *n = norm_generic(e);
            if (!n)
                continue;
            if (json_is_object(n) || json_is_array(n))
                scalars = false;
            json_array_append_new(out, n);
        }
        if (json_array_size(out) == 0) {
            json_decref(out);
            return NULL;
        }
        return scalars ? set_finish(out) : out;
    }
    return copy_of(v);
}

static json_t *norm_value(const struct field *f, const json_t *v)
{
    if (f->type == FT_DROP || json_is_null(v))
        return NULL;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    switch (f->type) {
    case FT_SCALAR:
        if (s && f->dflt && strcasecmp(s, f->dflt) == 0)
            return NULL;
        return norm_generic(v);
    case FT_TEXT:
        if (s && !*s)
            return NULL;
        return copy_of(v);
    case FT_NAME:
        return copy_of(v);
    case FT_ENUM:
        if (!s)
            return norm_generic(v);
        if (f->dflt && strcasecmp(s, f->dflt) == 0)
            return NULL;
        return canon_enum_of(v, f->vocab, s);
    case FT_ID:
        return s ? canon_id_of(v, f->vocab, s) : norm_generic(v);
    case FT_ID_SET:
    case FT_ENUM_SET:
    case FT_UPPER_SET:
    case FT_FLAGS_SET:
        return norm_set(f, v);
    case FT_FLAGS:
        if (json_is_array(v)) {
            /* flags given as a list: join them, then treat as one string */
            struct strbuf sb = STRBUF_INIT;
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (json_is_string(e)) {
                    strbuf_adds(&sb, json_string_value(e));
                    strbuf_addc(&sb, ',');
                }
            }
            json_t *r = canon_flags(f->vocab, strbuf_str(&sb));
            strbuf_fini(&sb);
            return r;
        }
        return s ? canon_flags(f->vocab, s) : norm_generic(v);
    case FT_BOOL:
        if (json_is_boolean(v) && json_is_true(v) == (strcmp(f->dflt, "true") == 0))
            return NULL;
        return norm_generic(v);
    case FT_OBJ:
        if (json_is_object(v))
            return norm_object(f->sub, v);
        if (json_is_array(v) && json_array_size(v) == 0)
            return NULL; /* "platforms": [] where an object belongs */
        return norm_generic(v);
    case FT_OBJ_SET:
        return norm_obj_set(f->sub, v);
    case FT_FN:
        return f->fn(f, v);
    case FT_DROP:
        break;
    }
    return NULL;
}

static const struct field *find_field(const struct spec *s, const char *key, const json_t *in)
{
    for (const struct field *f = s->fields; f->name; f++)
        if (strcmp(f->name, key) == 0)
            return f;
    /* A key in other casing ("GrantControls") maps to the property unless the correctly
     * cased key is present too, in which case it stays an unknown key and shows in a diff. */
    for (const struct field *f = s->fields; f->name; f++)
        if (strcasecmp(f->name, key) == 0 && !json_object_get(in, f->name))
            return f;
    return NULL;
}

static void set_kind(const struct spec *s, const json_t *in, json_t *out)
{
    const char *t = json_string_value(json_object_get(in, "@odata.type"));
    if (!t)
        t = json_string_value(json_object_get(in, "kind"));
    if (!t)
        return;
    if (*t == '#')
        t++;
    if (strncasecmp(t, "microsoft.graph.", 16) == 0)
        t += 16;
    json_object_set_new(out, "kind", canon_enum(s->kinds, t));
}

/* Returns NULL when nothing is left. */
static json_t *norm_object(const struct spec *s, const json_t *in)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(in), k, v)
    {
        if (is_annotation(k))
            continue;
        if (s->kinds && strcmp(k, "kind") == 0)
            continue;
        const struct field *f = find_field(s, k, in);
        json_t *n = f ? norm_value(f, v) : norm_generic(v);
        if (n)
            json_object_set_new(out, f ? f->name : k, n);
    }
    if (s->kinds)
        set_kind(s, in, out);
    if (s->post)
        s->post(out, in);
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Conditional Access policy                                                                  */

static const char *const V_STATE[] = {"enabled", "disabled", "enabledForReportingButNotEnforced",
                                      NULL};
static const char *const V_USERS_KW[] = {"All", "None", "GuestsOrExternalUsers", NULL};
static const char *const V_APPS_KW[] = {
    "All", "None", "Office365", "MicrosoftAdminPortals", "AllAgentIdResources", NULL};
static const char *const V_LOC_KW[] = {"All", "AllTrusted", NULL};
static const char *const V_SP_KW[] = {"ServicePrincipalsInMyTenant", "All", NULL};
static const char *const V_USER_ACTIONS[] = {"urn:user:registersecurityinfo",
                                             "urn:user:registerdevice", NULL};
static const char *const V_CLIENT_APP[] = {
    "all",   "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported",
    "other", NULL};
static const char *const V_PLATFORM[] = {"all",          "android", "iOS",   "windows",
                                         "windowsPhone", "macOS",   "linux", NULL};
static const char *const V_RISK[] = {"low", "medium", "high", "hidden", "none", NULL};
static const char *const V_GUEST_TYPES[] = {"none",
                                            "internalGuest",
                                            "b2bCollaborationGuest",
                                            "b2bCollaborationMember",
                                            "b2bDirectConnectUser",
                                            "otherExternalUser",
                                            "serviceProvider",
                                            NULL};
static const char *const V_MEMBERSHIP[] = {"all", "enumerated", NULL};
static const char *const V_INSIDER[] = {"minor", "moderate", "elevated", NULL};
static const char *const V_TRANSFER[] = {"none", "deviceCodeFlow", "authenticationTransfer", NULL};
static const char *const V_FILTER_MODE[] = {"include", "exclude", NULL};
static const char *const V_GRANT[] = {"block",
                                      "mfa",
                                      "compliantDevice",
                                      "domainJoinedDevice",
                                      "approvedApplication",
                                      "compliantApplication",
                                      "passwordChange",
                                      NULL};
static const char *const V_OPERATOR[] = {"AND", "OR", NULL};
static const char *const V_CAS[] = {"mcasConfigured", "monitorOnly", "blockDownloads", NULL};
static const char *const V_PB_MODE[] = {"always", "never", NULL};
static const char *const V_SIF_TYPE[] = {"days", "hours", NULL};
static const char *const V_SIF_AUTH[] = {"primaryAndSecondaryAuthentication",
                                         "secondaryAuthentication", NULL};
static const char *const V_SIF_INTERVAL[] = {"timeBased", "everyTime", NULL};
static const char *const V_CAE_MODE[] = {"strictEnforcement", "disabled", "strictLocation", NULL};
static const char *const V_AUTH_MODES[] = {"password",
                                           "voice",
                                           "hardwareOath",
                                           "softwareOath",
                                           "sms",
                                           "fido2",
                                           "windowsHelloForBusiness",
                                           "microsoftAuthenticatorPush",
                                           "deviceBasedPush",
                                           "temporaryAccessPassOneTime",
                                           "temporaryAccessPassMultiUse",
                                           "email",
                                           "x509CertificateSingleFactor",
                                           "x509CertificateMultiFactor",
                                           "federatedSingleFactor",
                                           "federatedMultiFactor",
                                           NULL};

static const struct field FL_FILTER[] = {FV("mode", FT_ENUM, V_FILTER_MODE), F("rule", FT_NAME),
                                         FEND};
static const struct spec S_FILTER = {.fields = FL_FILTER};

static const struct field FL_APPS[] = {FV("includeApplications", FT_ID_SET, V_APPS_KW),
                                       FV("excludeApplications", FT_ID_SET, V_APPS_KW),
                                       FV("includeUserActions", FT_ENUM_SET, V_USER_ACTIONS),
                                       F("includeAuthenticationContextClassReferences", FT_ID_SET),
                                       FO("applicationFilter", &S_FILTER),
                                       FEND};
static const struct spec S_APPS = {.fields = FL_APPS};

/* externalTenants: absent means all tenants, so {membershipKind: all} is dropped. */
static void ext_tenants_post(json_t *out, const json_t *in)
{
    (void)in;
    const char *kind = json_string_value(json_object_get(out, "membershipKind"));
    if (!kind && json_object_get(out, "members"))
        json_object_set_new(out, "membershipKind", json_string("enumerated"));
    else if (kind && strcmp(kind, "all") == 0)
        json_object_clear(out);
}

static const struct field FL_EXT_TENANTS[] = {FV("membershipKind", FT_ENUM, V_MEMBERSHIP),
                                              F("members", FT_ID_SET), FEND};
static const struct spec S_EXT_TENANTS = {.fields = FL_EXT_TENANTS, .post = ext_tenants_post};

static const struct field FL_GUESTS[] = {FV("guestOrExternalUserTypes", FT_FLAGS, V_GUEST_TYPES),
                                         FO("externalTenants", &S_EXT_TENANTS), FEND};
static const struct spec S_GUESTS = {.fields = FL_GUESTS};

static const struct field FL_USERS[] = {FV("includeUsers", FT_ID_SET, V_USERS_KW),
                                        FV("excludeUsers", FT_ID_SET, V_USERS_KW),
                                        F("includeGroups", FT_ID_SET),
                                        F("excludeGroups", FT_ID_SET),
                                        F("includeRoles", FT_ID_SET),
                                        F("excludeRoles", FT_ID_SET),
                                        FO("includeGuestsOrExternalUsers", &S_GUESTS),
                                        FO("excludeGuestsOrExternalUsers", &S_GUESTS),
                                        FEND};
static const struct spec S_USERS = {.fields = FL_USERS};

static const struct field FL_CLIENT_APPS[] = {
    FV("includeServicePrincipals", FT_ID_SET, V_SP_KW),
    FV("excludeServicePrincipals", FT_ID_SET, V_SP_KW),
    FO("servicePrincipalFilter", &S_FILTER),
    FV("includeAgentIdServicePrincipals", FT_ID_SET, V_SP_KW),
    FV("excludeAgentIdServicePrincipals", FT_ID_SET, V_SP_KW),
    FEND};
static const struct spec S_CLIENT_APPS = {.fields = FL_CLIENT_APPS};

static bool array_is_single(const json_t *a, const char *s)
{
    return json_array_size(a) == 1 &&
           strcmp(json_string_value(json_array_get(a, 0)) ? json_string_value(json_array_get(a, 0))
                                                          : "",
                  s) == 0;
}

static bool array_has(const json_t *a, const char *s)
{
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
            return true;
    }
    return false;
}

/* include/exclude pair where `all` in include is the whole domain: {include:[all]} alone is the
 * same as no condition; include containing all is all; exclude alone implies include all. */
static void include_all_post(json_t *out, const char *inc, const char *exc, const char *all)
{
    json_t *i = json_object_get(out, inc);
    json_t *e = json_object_get(out, exc);
    if (i && array_has(i, all) && json_array_size(i) > 1) {
        json_t *one = json_array();
        json_array_append_new(one, json_string(all));
        json_object_set_new(out, inc, one);
        i = one;
    }
    if (!i && e) {
        json_t *one = json_array();
        json_array_append_new(one, json_string(all));
        json_object_set_new(out, inc, one);
        i = one;
    }
    if (i && !e && array_is_single(i, all))
        json_object_del(out, inc);
}

static void platforms_post(json_t *out, const json_t *in)
{
    (void)in;
    include_all_post(out, "includePlatforms", "excludePlatforms", "all");
}

static void locations_post(json_t *out, const json_t *in)
{
    (void)in;
    include_all_post(out, "includeLocations", "excludeLocations", "All");
}

static const struct field FL_PLATFORMS[] = {FV("includePlatforms", FT_ENUM_SET, V_PLATFORM),
                                            FV("excludePlatforms", FT_ENUM_SET, V_PLATFORM), FEND};
static const struct spec S_PLATFORMS = {.fields = FL_PLATFORMS, .post = platforms_post};

static const struct field FL_LOCATIONS[] = {FV("includeLocations", FT_ID_SET, V_LOC_KW),
                                            FV("excludeLocations", FT_ID_SET, V_LOC_KW), FEND};
static const struct spec S_LOCATIONS = {.fields = FL_LOCATIONS, .post = locations_post};

/* beta: device states and agent identities use the "All" keyword like the id lists */
static const char *const V_DEVICE_KW[] = {"All", "Compliant", "DomainJoined", NULL};
static const char *const V_ALL_KW[] = {"All", NULL};

static const struct field FL_DEVICES[] = {FO("deviceFilter", &S_FILTER),
                                          FV("includeDevices", FT_ID_SET, V_DEVICE_KW),
                                          FV("excludeDevices", FT_ID_SET, V_DEVICE_KW),
                                          FV("includeDeviceStates", FT_ID_SET, V_DEVICE_KW),
                                          FV("excludeDeviceStates", FT_ID_SET, V_DEVICE_KW),
                                          FEND};
static const struct spec S_DEVICES = {.fields = FL_DEVICES};

static const struct field FL_AGENTS[] = {FV("includeAgentUsers", FT_ID_SET, V_ALL_KW),
                                         FV("excludeAgentUsers", FT_ID_SET, V_ALL_KW),
                                         FO("agentFilter", &S_FILTER), FEND};
static const struct spec S_AGENTS = {.fields = FL_AGENTS};

static const struct field FL_AUTH_FLOWS[] = {FV("transferMethods", FT_FLAGS, V_TRANSFER), FEND};
static const struct spec S_AUTH_FLOWS = {.fields = FL_AUTH_FLOWS};

/* clientAppTypes: Graph fills ["all"] when the request leaves it out; absence is canonical. */
static void conditions_post(json_t *out, const json_t *in)
{
    (void)in;
    json_t *c = json_object_get(out, "clientAppTypes");
    if (c && array_has(c, "all"))
        json_object_del(out, "clientAppTypes");
}

static const struct field FL_CONDITIONS[] = {FO("applications", &S_APPS),
                                             FO("users", &S_USERS),
                                             FO("clientApplications", &S_CLIENT_APPS),
                                             FV("clientAppTypes", FT_ENUM_SET, V_CLIENT_APP),
                                             FO("platforms", &S_PLATFORMS),
                                             FO("locations", &S_LOCATIONS),
                                             FV("signInRiskLevels", FT_ENUM_SET, V_RISK),
                                             FV("userRiskLevels", FT_ENUM_SET, V_RISK),
                                             FV("servicePrincipalRiskLevels", FT_ENUM_SET, V_RISK),
                                             FV("insiderRiskLevels", FT_FLAGS, V_INSIDER),
                                             FO("authenticationFlows", &S_AUTH_FLOWS),
                                             FO("devices", &S_DEVICES),
                                             FO("agents", &S_AGENTS),
                                             FEND};
static const struct spec S_CONDITIONS = {.fields = FL_CONDITIONS, .post = conditions_post};

/* grantControls.authenticationStrength: only the id matters (the GET expands the object). */
static json_t *strength_ref(const struct field *f, const json_t *v)
{
    (void)f;
    const json_t *id = json_is_object(v) ? json_object_get(v, "id") : v;
    if (json_is_string(id)) {
        json_t *o = json_object();
        json_object_set_new(o, "id", canon_id(NULL, json_string_value(id)));
        return o;
    }
    return norm_generic(v);
}

static size_t grant_count(const json_t *g)
{
    return json_array_size(json_object_get(g, "builtInControls")) +
           json_array_size(json_object_get(g, "customAuthenticationFactors")) +
           json_array_size(json_object_get(g, "termsOfUse")) +
           (json_object_get(g, "authenticationStrength") ? 1 : 0);
}

/* Nothing to grant: same as no grantControls. One control: the operator has no effect. */
static void grant_post(json_t *out, const json_t *in)
{
    (void)in;
    size_t n = grant_count(out);
    if (n == 0 && json_object_get(out, "operator") && json_object_size(out) == 1)
        json_object_clear(out);
    else if (n == 1)
        json_object_set_new(out, "operator", json_string("OR"));
}

static const struct field FL_GRANT[] = {
    FV("operator", FT_ENUM, V_OPERATOR),         FV("builtInControls", FT_ENUM_SET, V_GRANT),
    F("customAuthenticationFactors", FT_ID_SET), F("termsOfUse", FT_ID_SET),
    FF("authenticationStrength", strength_ref),  FEND};
static const struct spec S_GRANT = {.fields = FL_GRANT, .post = grant_post};

static const struct field FL_ENABLED[] = {F("isEnabled", FT_SCALAR), FEND};
static const struct spec S_ENABLED = {.fields = FL_ENABLED};

static const struct field FL_CAS[] = {F("isEnabled", FT_SCALAR),
                                      FV("cloudAppSecurityType", FT_ENUM, V_CAS), FEND};
static const struct spec S_CAS = {.fields = FL_CAS};

static const struct field FL_SIF[] = {
    F("isEnabled", FT_SCALAR),
    F("value", FT_SCALAR),
    FV("type", FT_ENUM, V_SIF_TYPE),
    FVD("authenticationType", FT_ENUM, V_SIF_AUTH, "primaryAndSecondaryAuthentication"),
    FVD("frequencyInterval", FT_ENUM, V_SIF_INTERVAL, "timeBased"),
    FEND};
static const struct spec S_SIF = {.fields = FL_SIF};

static const struct field FL_PB[] = {F("isEnabled", FT_SCALAR), FV("mode", FT_ENUM, V_PB_MODE),
                                     FEND};
static const struct spec S_PB = {.fields = FL_PB};

static const struct field FL_CAE[] = {FV("mode", FT_ENUM, V_CAE_MODE), FEND};
static const struct spec S_CAE = {.fields = FL_CAE};

/* Session controls that are switched by isEnabled (v1.0 and beta). */
static const char *const SESSION_SWITCHED[] = {"applicationEnforcedRestrictions",
                                               "cloudAppSecurity",
                                               "signInFrequency",
                                               "persistentBrowser",
                                               "secureSignInSession",
                                               "globalSecureAccessFilteringProfile",
                                               "networkAccessSecurity",
                                               NULL};

/* A control with isEnabled false is absent; a switched control without isEnabled is enabled.
 * What is left empty is dropped by the engine: ineffectual sessionControls ≡ null. */
static void session_post(json_t *out, const json_t *in)
{
    (void)in;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(out, tmp, k, v)
    {
        if (!json_is_object(v))
            continue;
        json_t *en = json_object_get(v, "isEnabled");
        if (json_is_false(en))
            json_object_del(out, k);
        else if (!en && vocab_find(SESSION_SWITCHED, k))
            json_object_set_new(v, "isEnabled", json_true());
    }
}

static const struct field FL_SESSION[] = {FO("applicationEnforcedRestrictions", &S_ENABLED),
                                          FO("cloudAppSecurity", &S_CAS),
                                          FO("signInFrequency", &S_SIF),
                                          FO("persistentBrowser", &S_PB),
                                          FB("disableResilienceDefaults", "false"),
                                          FO("continuousAccessEvaluation", &S_CAE),
                                          FO("secureSignInSession", &S_ENABLED),
                                          FEND};
static const struct spec S_SESSION = {.fields = FL_SESSION, .post = session_post};

static const struct field FL_CA_POLICY[] = {F("id", FT_DROP),
                                            F("createdDateTime", FT_DROP),
                                            F("modifiedDateTime", FT_DROP),
                                            F("deletedDateTime", FT_DROP),
                                            F("templateId", FT_DROP),
                                            F("displayName", FT_NAME),
                                            F("description", FT_TEXT),
                                            FV("state", FT_ENUM, V_STATE),
                                            FO("conditions", &S_CONDITIONS),
                                            FO("grantControls", &S_GRANT),
                                            FO("sessionControls", &S_SESSION),
                                            FEND};
static const struct spec S_CA_POLICY = {.fields = FL_CA_POLICY};

/* ---------------------------------------------------------------------------------------- */
/* Named locations                                                                            */

static const char *const V_LOCATION_KINDS[] = {"ipNamedLocation", "countryNamedLocation",
                                               "compliantNetworkNamedLocation", NULL};
static const char *const V_COUNTRY_LOOKUP[] = {"clientIpAddress", "authenticatorAppGps", NULL};

/* v (below 1000) in decimal at out, without leading zeros; returns the digits written. */
static size_t dec3(unsigned v, char *out)
{
    size_t n = 0;
    if (v >= 100)
        out[n++] = (char)('0' + v / 100);
    if (v >= 10)
        out[n++] = (char)('0' + v / 10 % 10);
    out[n++] = (char)('0' + v % 10);
    return n;
}

/* An IPv4 address in dotted decimal (as inet_ntop writes it, without its printf). */
static size_t ipv4_text(const unsigned char *a, char *out)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        if (i)
            out[n++] = '.';
        n += dec3(a[i], out + n);
    }
    out[n] = '\0';
    return n;
}

/* The length of s when it is an IPv4 address or CIDR in canonical text already ("52.0.9.0/24":
 * four parts and a prefix in range, in decimal without leading zeros, nothing around them), else
 * 0. cidr_text makes of such a text the text itself (inet_pton takes it, ipv4_text and dec3 write
 * it back so), without parsing it twice. */
static size_t ipv4_canonical_len(const char *s)
{
    size_t i = 0;
    for (int part = 0; part < 5; part++) {
        if (part == 4) {
            if (s[i] == '\0')
                return i;
            if (s[i] != '/')
                return 0;
            i++;
        } else if (part > 0) {
            if (s[i] != '.')
                return 0;
            i++;
        }
        unsigned v = 0;
        size_t d = 0;
        while (d < 4 && s[i + d] >= '0' && s[i + d] <= '9') {
            v = v * 10 + (unsigned)(s[i + d] - '0');
            d++;
        }
        if (d == 0 || d > 3 || (d > 1 && s[i] == '0') || v > (part == 4 ? 32u : 255u))
            return 0;
        i += d;
    }
    return s[i] == '\0' ? i : 0;
}

/* The canonical text of an address "a.b.c.d[/n]" or an IPv6 one (RFC 5952 via inet_ntop), s
 * trimmed of white space, at text (NUL-terminated): its length, or 0 when s is no address. */
static size_t cidr_text(const char *s, char text[80])
{
    size_t n = ipv4_canonical_len(s);
    if (n) {
        memcpy(text, s, n + 1);
        return n;
    }
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char small[80];
    char *t = len < sizeof(small) ? small : xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    char *slash = strchr(t, '/');
    if (slash)
        *slash = '\0';
    int af = strchr(t, ':') ? AF_INET6 : AF_INET;
    unsigned char addr[16];
    long prefix = -1;
    size_t tl = 0;
    if (inet_pton(af, t, addr) == 1 &&
        (af == AF_INET ? (ipv4_text(addr, text), true) : inet_ntop(af, addr, text, 80) != NULL) &&
        (!slash || util_parse_long(slash + 1, 0, af == AF_INET ? 32 : 128, &prefix))) {
        tl = strlen(text);
        if (slash) { /* text + "/" + prefix (0..128) */
            text[tl++] = '/';
            tl += dec3((unsigned)prefix, text + tl);
        }
        text[tl] = '\0';
    }
    if (t != small)
        free(t);
    return tl;
}

/* "a.b.c.d/n" or an IPv6 CIDR in canonical text (cidr_text); else trimmed and lower-cased. */
static json_t *canon_cidr(const char *s)
{
    char text[80];
    size_t tl = cidr_text(s, text);
    if (tl)
        return json_stringn_nocheck(text, tl);
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *t = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        t[i] = (char)tolower((unsigned char)s[i]);
    t[len] = '\0';
    return string_take(t);
}

static json_t *canon_range(const json_t *e)
{
    if (json_is_string(e))
        return canon_cidr(json_string_value(e));
    if (!json_is_object(e))
        return norm_generic(e);
    const char *cidr = json_string_value(json_object_get(e, "cidrAddress"));
    if (cidr)
        return canon_cidr(cidr);
    const char *lo = json_string_value(json_object_get(e, "lowerAddress"));
    const char *hi = json_string_value(json_object_get(e, "upperAddress"));
    if (lo && hi) {
        json_t *a = canon_cidr(lo), *b = canon_cidr(hi);
        json_t *r = string_take(xasprintf("%s-%s", json_string_value(a), json_string_value(b)));
        json_decref(a);
        json_decref(b);
        return r;
    }
    return norm_generic(e);
}

/* ipRanges: a set of address strings; the element @odata.type follows from the address. */
static json_t *ip_ranges(const struct field *f, const json_t *v)
{
    (void)f;
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return norm_generic(v);
    json_t *out = json_array();
    json_array_foreach(v, i, e)
    {
        json_t *n = canon_range(e);
        if (n)
            json_array_append_new(out, n);
    }
    return set_finish(out);
}

static void location_post(json_t *out, const json_t *in)
{
    (void)in;
    if (json_object_get(out, "kind"))
        return;
    if (json_object_get(out, "ipRanges"))
        json_object_set_new(out, "kind", json_string("ipNamedLocation"));
    else if (json_object_get(out, "countriesAndRegions"))
        json_object_set_new(out, "kind", json_string("countryNamedLocation"));
    else if (json_object_get(out, "compliantNetworkType"))
        json_object_set_new(out, "kind", json_string("compliantNetworkNamedLocation"));
}

static const struct field FL_LOCATION[] = {
    F("id", FT_DROP),
    F("createdDateTime", FT_DROP),
    F("modifiedDateTime", FT_DROP),
    F("deletedDateTime", FT_DROP),
    F("displayName", FT_NAME),
    FB("isTrusted", "false"),
    FF("ipRanges", ip_ranges),
    F("countriesAndRegions", FT_UPPER_SET),
    FB("includeUnknownCountriesAndRegions", "false"),
    FVD("countryLookupMethod", FT_ENUM, V_COUNTRY_LOOKUP, "clientIpAddress"),
    FEND};
static const struct spec S_LOCATION = {
    .fields = FL_LOCATION, .kinds = V_LOCATION_KINDS, .post = location_post};

/* The canonical form of a named location built with its members inserted in sorted order
 * (normalize_location_sorted): the rules of FL_LOCATION, set_kind and location_post, for the
 * members they decide alone. Anything else is left to norm_object (false). */

/* A set of strings as set_finish makes it: sorted by strcmp, duplicates dropped. */
static int str_value_cmp(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static json_t *string_set(json_t **v, size_t n)
{
    if (n == 0)
        return NULL;
    qsort(v, n, sizeof(*v), str_value_cmp);
    json_t *out = json_array();
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && str_value_cmp(&v[i], &v[kept]) == 0) {
            json_decref(v[i]);
        } else {
            kept = i;
            json_array_append_new(out, v[i]);
        }
    }
    return out;
}

/* canon_range of one element, its "cidrAddress" found without a lookup by name. */
static json_t *fast_range(const json_t *e)
{
    if (json_is_object(e)) {
        for (void *it = json_object_iter(util_json_mut(e)); it;
             it = json_object_iter_next(util_json_mut(e), it)) {
            if (json_object_iter_key_len(it) == 11 &&
                memcmp(json_object_iter_key(it), "cidrAddress", 11) == 0) {
                const json_t *v = json_object_iter_value(it);
                if (json_is_string(v))
                    return canon_cidr(json_string_value(v));
                break;
            }
        }
    }
    return canon_range(e);
}

/* The end of a fast set (fast_ip_ranges, fast_countries): *out is the set of the m items when ok,
 * else they are freed; `items` is freed unless it is the caller's `small` array. */
static bool items_finish(bool ok, json_t **items, size_t m, json_t **small, json_t **out)
{
    if (ok) {
        *out = string_set(items, m);
    } else {
        for (size_t i = 0; i < m; i++)
            json_decref(items[i]);
    }
    if (items != small)
        free(items);
    return ok;
}

/* ipRanges (ip_ranges, canon_range) when every element becomes a string or nothing: *out is the
 * set, or NULL when empty. False for another shape. */
static bool fast_ip_ranges(const json_t *v, json_t **out)
{
    size_t n = json_array_size(v), m = 0;
    json_t *small[16];
    json_t **items = n <= IDPC_ARRAY_LEN(small) ? small : xmalloc(n * sizeof(*items));
    bool ok = json_is_array(v);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *c = fast_range(json_array_get(v, i));
        if (c && !json_is_string(c)) {
            json_decref(c);
            ok = false;
        } else if (c) {
            items[m++] = c;
        }
    }
    return items_finish(ok, items, m, small, out);
}

/* countriesAndRegions (FT_UPPER_SET): strings (or a lone string), nulls skipped. */
static bool fast_countries(const json_t *v, json_t **out)
{
    bool lone = json_is_string(v);
    size_t n = lone ? 1 : json_array_size(v), m = 0;
    json_t *small[16];
    json_t **items = n <= IDPC_ARRAY_LEN(small) ? small : xmalloc(n * sizeof(*items));
    bool ok = lone || json_is_array(v);
    for (size_t i = 0; ok && i < n; i++) {
        const json_t *e = lone ? v : json_array_get(v, i);
        if (json_is_null(e))
            continue;
        if (!json_is_string(e)) {
            ok = false;
            break;
        }
        char *u = xstrdup(json_string_value(e));
        for (char *p = u; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        items[m++] = string_take(u);
    }
    return items_finish(ok, items, m, small, out);
}

/* FT_BOOL with default false: true stays, false and null are absent. */
static bool fast_flag(const json_t *v, json_t **out)
{
    if (json_is_null(v))
        return true;
    if (!json_is_boolean(v))
        return false;
    *out = json_is_true(v) ? json_true() : NULL;
    return true;
}

/* The members this path knows, in the order the canonical text lists them (strcmp). */
enum loc_member {
    LM_COUNTRIES = (int)NORMALIZE_LOCATION_KEY_COUNTRIES, /* countriesAndRegions */
    LM_LOOKUP = (int)NORMALIZE_LOCATION_KEY_LOOKUP,       /* countryLookupMethod */
    LM_NAME = (int)NORMALIZE_LOCATION_KEY_NAME,           /* displayName */
    LM_UNKNOWN = (int)NORMALIZE_LOCATION_KEY_UNKNOWN,     /* includeUnknownCountriesAndRegions */
    LM_RANGES = (int)NORMALIZE_LOCATION_KEY_RANGES,       /* ipRanges */
    LM_TRUSTED = (int)NORMALIZE_LOCATION_KEY_TRUSTED,     /* isTrusted */
    LM_KIND =
        (int)NORMALIZE_LOCATION_KEY_KIND, /* kind: from "@odata.type" or what the location holds */
    LM__COUNT,
    LM_DROP = LM__COUNT /* read-only members: never in the canonical form */
};

static const char *const LM_NAMES[LM__COUNT] = {"countriesAndRegions",
                                                "countryLookupMethod",
                                                "displayName",
                                                "includeUnknownCountriesAndRegions",
                                                "ipRanges",
                                                "isTrusted",
                                                "kind"};

/* A member's place (LM_*), LM_DROP for the read-only ones, -1 for any other (the general path:
 * an unknown or differently cased member, or "kind" itself, which set_kind may read). */
static int loc_member(const char *k, size_t len)
{
    static const struct {
        const char *name;
        size_t len;
        int m;
    } known[] = {
#define M(s, m) {s, sizeof(s) - 1, m}
        M("id", LM_DROP),
        M("ipRanges", LM_RANGES),
        M("isTrusted", LM_TRUSTED),
        M("displayName", LM_NAME),
        M("createdDateTime", LM_DROP),
        M("deletedDateTime", LM_DROP),
        M("modifiedDateTime", LM_DROP),
        M("countryLookupMethod", LM_LOOKUP),
        M("countriesAndRegions", LM_COUNTRIES),
        M("includeUnknownCountriesAndRegions", LM_UNKNOWN),
#undef M
    };
    /* a member name holding NUL (len counts past it) matches none */
    for (size_t i = 0; i < IDPC_ARRAY_LEN(known); i++)
        if (known[i].len == len && memcmp(k, known[i].name, len) == 0)
            return known[i].m;
    return -1;
}

/* A kind of location as canon_enum gives it: one string per kind for the process's lifetime
 * (reachable from here), shared by every canonical form that holds it. */
static json_t *known_kind(size_t i)
{
    static json_t *kinds[IDPC_ARRAY_LEN(V_LOCATION_KINDS) - 1];
    if (!kinds[i])
        kinds[i] = json_string(V_LOCATION_KINDS[i]);
    return json_incref(kinds[i]);
}

/* set_kind's rule for an "@odata.type" string. */
static json_t *location_kind(const char *t)
{
    if (*t == '#')
        t++;
    if (strncasecmp(t, "microsoft.graph.", 16) == 0)
        t += 16;
    for (size_t i = 0; V_LOCATION_KINDS[i]; i++)
        if (strcasecmp(V_LOCATION_KINDS[i], t) == 0) /* vocab_find */
            return known_kind(i);
    return json_string(t);
}

/* The range texts of a location's key (normalize_location_key): each NUL-terminated in `text`,
 * found by its offset; kept from call to call (the process is single-threaded). */
struct range_texts {
    char *text;
    size_t len, cap;
    size_t *off;
    const char **sorted;
    size_t n, ncap;
};

static void range_add(struct range_texts *rt, const char *s, size_t len)
{
    if (rt->len + len + 1 > rt->cap) {
        rt->cap = (rt->len + len + 1) * 2;
        rt->text = xrealloc(rt->text, rt->cap);
    }
    if (rt->n == rt->ncap) {
        rt->ncap = rt->ncap ? rt->ncap * 2 : 16;
        rt->off = xrealloc(rt->off, rt->ncap * sizeof(*rt->off));
        rt->sorted = xrealloc(rt->sorted, rt->ncap * sizeof(*rt->sorted));
    }
    rt->off[rt->n++] = rt->len;
    memcpy(rt->text + rt->len, s, len);
    rt->text[rt->len + len] = '\0';
    rt->len += len + 1;
}

/* One element of ipRanges as fast_ip_ranges takes it (fast_range), its text added to rt: 1 when
 * it is a string, 0 when nothing, -1 for another value. The addresses, as most are, without a
 * tree. */
static int range_text(const json_t *e, struct range_texts *rt)
{
    const char *s = json_string_value(e);
    if (json_is_object(e)) {
        for (void *it = json_object_iter(util_json_mut(e)); it;
             it = json_object_iter_next(util_json_mut(e), it)) {
            if (json_object_iter_key_len(it) == 11 &&
                memcmp(json_object_iter_key(it), "cidrAddress", 11) == 0) {
                s = json_string_value(json_object_iter_value(it));
                break;
            }
        }
    }
    char text[80];
    size_t tl = s ? cidr_text(s, text) : 0;
    if (tl) {
        range_add(rt, text, tl);
        return 1;
    }
    json_t *c = fast_range(e); /* anything else: as fast_ip_ranges has it */
    int r = !c ? 0 : json_is_string(c) ? 1 : -1;
    if (r > 0) /* a canonical range never holds NUL (made of C strings) */
        range_add(rt, json_string_value(c), strlen(json_string_value(c)));
    json_decref(c);
    return r;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ipRanges as fast_ip_ranges makes its set, as texts: rt->sorted[0..n) sorted by strcmp,
 * duplicates dropped (string_set). False for another shape. */
static bool range_set(const json_t *v, struct range_texts *rt)
{
    rt->len = rt->n = 0;
    if (!json_is_array(v))
        return false;
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++)
        if (range_text(json_array_get(v, i), rt) < 0)
            return false;
    for (size_t i = 0; i < rt->n; i++)
        rt->sorted[i] = rt->text + rt->off[i];
    if (rt->n > 8) {
        qsort(rt->sorted, rt->n, sizeof(*rt->sorted), cmp_text);
    } else { /* most locations have a few ranges */
        for (size_t i = 1; i < rt->n; i++) {
            const char *t = rt->sorted[i];
            size_t j = i;
            for (; j > 0 && strcmp(rt->sorted[j - 1], t) > 0; j--)
                rt->sorted[j] = rt->sorted[j - 1];
            rt->sorted[j] = t;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < rt->n; i++)
        if (kept == 0 || strcmp(rt->sorted[i], rt->sorted[kept - 1]) != 0)
            rt->sorted[kept++] = rt->sorted[i];
    rt->n = kept;
    return true;
}

/* The members of the canonical form of a named location (normalize_location_sorted): val[m] for
 * each present one (a new reference). With rt, ipRanges is left out of val and its set made as
 * texts in rt (range_set; rt->n 0 when absent). False when the location is left to the general
 * path. */
static bool location_members(const json_t *in, json_t *val[LM__COUNT], struct range_texts *rt)
{
    if (!json_is_object(in))
        return false;
    memset(val, 0, LM__COUNT * sizeof(*val));
    if (rt)
        rt->n = 0;
    bool ok = true;
    const json_t *type = NULL;
    for (void *it = json_object_iter(util_json_mut(in)); ok && it;
         it = json_object_iter_next(util_json_mut(in), it)) {
        const char *k = json_object_iter_key(it);
        const json_t *v = json_object_iter_value(it);
        size_t len = json_object_iter_key_len(it);
        if (is_annotation(k)) {
            if (len == 11 && memcmp(k, "@odata.type", 11) == 0)
                type = v;
            continue;
        }
        int m = loc_member(k, len);
        if (m < 0) {
            ok = false;
            break;
        }
        if (m == LM_DROP || json_is_null(v))
            continue;
        switch ((enum loc_member)m) {
        case LM_NAME: /* FT_NAME: kept as it is */
            if (json_is_string(v))
                val[m] = json_incref(util_json_mut(v));
            else
                ok = false;
            break;
        case LM_TRUSTED:
        case LM_UNKNOWN:
            ok = fast_flag(v, &val[m]);
            break;
        case LM_RANGES:
            ok = rt ? range_set(v, rt) : fast_ip_ranges(v, &val[m]);
            break;
        case LM_COUNTRIES:
            ok = fast_countries(v, &val[m]);
            break;
        case LM_LOOKUP: { /* FT_ENUM with its default */
            const char *s = json_string_value(v);
            if (!s)
                ok = false;
            else if (strcasecmp(s, "clientIpAddress") != 0)
                val[m] = canon_enum(V_COUNTRY_LOOKUP, s);
            break;
        }
        case LM_KIND:
        case LM__COUNT:
            ok = false;
            break;
        }
    }
    /* set_kind reads "kind" when "@odata.type" is not a string: that is norm_object's to do */
    if (ok && type && !json_is_string(type))
        ok = false;
    if (!ok) {
        for (int m = 0; m < LM__COUNT; m++)
            json_decref(val[m]);
        return false;
    }
    if (type)
        val[LM_KIND] = location_kind(json_string_value(type));
    else if (val[LM_RANGES] || (rt && rt->n)) /* location_post */
        val[LM_KIND] = known_kind(0);
    else if (val[LM_COUNTRIES])
        val[LM_KIND] = known_kind(1);
    return true;
}

json_t *normalize_location_sorted(const json_t *in)
{
    json_t *val[LM__COUNT];
    if (!location_members(in, val, NULL))
        return NULL;
    json_t *out = json_object();
    for (int m = 0; m < LM__COUNT; m++)
        if (val[m])
            json_object_set_new_nocheck(out, LM_NAMES[m], val[m]);
    return out;
}

/* The key's text (normalize_location_key), kept from call to call like the range texts. */
struct key_text {
    char *p;
    size_t len, cap;
    bool nul; /* a string holds NUL: no key */
};

static void key_put(struct key_text *k, const void *s, size_t n)
{
    if (k->len + n + 1 > k->cap) {
        k->cap = (k->len + n + 1) * 2 + 64;
        k->p = xrealloc(k->p, k->cap);
    }
    memcpy(k->p + k->len, s, n);
    k->len += n;
    k->p[k->len] = '\0';
}

/* n in decimal and ':' */
static void key_count(struct key_text *k, size_t n)
{
    char d[24];
    size_t i = sizeof(d);
    d[--i] = ':';
    do {
        d[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    key_put(k, d + i, sizeof(d) - i);
}

static void key_string(struct key_text *k, const char *s, size_t n)
{
    if (memchr(s, '\0', n))
        k->nul = true;
    key_count(k, n);
    key_put(k, s, n);
}

/* A member of the canonical form (see normalize_location_key). */
static void key_member(struct key_text *k, int m, const json_t *v)
{
    char tag = (char)('A' + m);
    if (m == LM_KIND) {
        for (size_t i = 0; V_LOCATION_KINDS[i]; i++) {
            if (json_string_length(v) == strlen(V_LOCATION_KINDS[i]) &&
                strcmp(json_string_value(v), V_LOCATION_KINDS[i]) == 0) {
                char known[2] = {(char)('a' + m), (char)('0' + i)};
                key_put(k, known, 2);
                return;
            }
        }
    }
    key_put(k, &tag, 1);
    if (json_is_string(v)) {
        key_string(k, json_string_value(v), json_string_length(v));
    } else if (json_is_array(v)) {
        key_count(k, json_array_size(v));
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            key_string(k, json_string_value(e), json_string_length(e));
        }
    } else if (!json_is_true(v)) {
        BUG("a canonical location member of another type");
    }
}

bool normalize_location_key(const json_t *obj, struct normalize_location_key *out)
{
    static struct range_texts rt;
    static struct key_text k;
    json_t *val[LM__COUNT];
    if (!location_members(obj, val, &rt))
        return false;
    k.len = 0;
    k.nul = false;
    key_put(&k, "", 0);
    for (int m = 0; m < LM__COUNT; m++) {
        if (m == LM_RANGES && rt.n) {
            char tag = 'A' + LM_RANGES;
            key_put(&k, &tag, 1);
            key_count(&k, rt.n);
            for (size_t i = 0; i < rt.n; i++)
                key_string(&k, rt.sorted[i], strlen(rt.sorted[i]));
        } else if (val[m]) {
            key_member(&k, m, val[m]);
            json_decref(val[m]);
        }
    }
    if (k.nul)
        return false;
    *out = (struct normalize_location_key){
        .text = k.p, .len = k.len, .ranges = rt.sorted, .nranges = rt.n};
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Authentication strengths                                                                   */

static const char *const V_COMBO_KINDS[] = {"fido2CombinationConfiguration",
                                            "x509CertificateCombinationConfiguration", NULL};

static const struct field FL_COMBO_CONFIG[] = {
    F("id", FT_DROP),
    F("allowedAAGUIDs", FT_ID_SET),
    F("allowedIssuerSkis", FT_UPPER_SET),
    F("allowedPolicyOIDs", FT_ID_SET),
    FV("appliesToCombinations", FT_FLAGS_SET, V_AUTH_MODES),
    FEND};
static const struct spec S_COMBO_CONFIG = {.fields = FL_COMBO_CONFIG, .kinds = V_COMBO_KINDS};

static const struct field FL_STRENGTH[] = {F("id", FT_DROP),
                                           F("createdDateTime", FT_DROP),
                                           F("modifiedDateTime", FT_DROP),
                                           F("policyType", FT_DROP),
                                           F("requirementsSatisfied", FT_DROP),
                                           F("displayName", FT_NAME),
                                           F("description", FT_TEXT),
                                           FV("allowedCombinations", FT_FLAGS_SET, V_AUTH_MODES),
                                           FOS("combinationConfigurations", &S_COMBO_CONFIG),
                                           FEND};
static const struct spec S_STRENGTH = {.fields = FL_STRENGTH};

/* ---------------------------------------------------------------------------------------- */
/* Authentication methods policy and method configurations                                    */

static const char *const V_TARGET_TYPE[] = {"user", "group", NULL};
static const char *const V_ALL_USERS[] = {"all_users", NULL};
static const char *const V_AUTHENTICATOR_MODE[] = {"any", "push", "deviceBasedPush", NULL};
static const char *const V_METHOD_STATE[] = {"enabled", "disabled", NULL};
static const char *const V_ADVANCED_STATE[] = {"default", "enabled", "disabled", NULL};
static const char *const V_MIGRATION[] = {"preMigration", "migrationInProgress",
                                          "migrationComplete", NULL};
static const char *const V_FIDO_ENFORCEMENT[] = {"allow", "block", NULL};
static const char *const V_METHOD_IDS[] = {"Fido2",
                                           "MicrosoftAuthenticator",
                                           "Sms",
                                           "TemporaryAccessPass",
                                           "Email",
                                           "SoftwareOath",
                                           "Voice",
                                           "X509Certificate",
                                           "HardwareOath",
                                           "QRCodePin",
                                           NULL};
static const char *const V_METHOD_KINDS[] = {
    "fido2AuthenticationMethodConfiguration",
    "microsoftAuthenticatorAuthenticationMethodConfiguration",
    "smsAuthenticationMethodConfiguration",
    "temporaryAccessPassAuthenticationMethodConfiguration",
    "emailAuthenticationMethodConfiguration",
    "softwareOathAuthenticationMethodConfiguration",
    "voiceAuthenticationMethodConfiguration",
    "x509CertificateAuthenticationMethodConfiguration",
    "hardwareOathAuthenticationMethodConfiguration",
    "qrCodePinAuthenticationMethodConfiguration",
    "externalAuthenticationMethodConfiguration",
    NULL};

static const struct field FL_TARGET[] = {FV("id", FT_ID, V_ALL_USERS),
                                         FV("targetType", FT_ENUM, V_TARGET_TYPE),
                                         FB("isRegistrationRequired", "false"),
                                         FV("authenticationMode", FT_ENUM, V_AUTHENTICATOR_MODE),
                                         F("outlookMobileAllowedState", FT_DROP),
                                         F("displayAppInformationRequiredState", FT_DROP),
                                         F("numberMatchingRequiredState", FT_DROP),
                                         FEND};
static const struct spec S_TARGET = {.fields = FL_TARGET};

static const struct field FL_KEY_RESTRICTIONS[] = {
    F("isEnforced", FT_SCALAR), FV("enforcementType", FT_ENUM, V_FIDO_ENFORCEMENT),
    F("aaGuids", FT_ID_SET), FEND};
static const struct spec S_KEY_RESTRICTIONS = {.fields = FL_KEY_RESTRICTIONS};

/* Microsoft Authenticator's featureSettings: each feature a state and one include and one
 * exclude featureTarget (group, role or administrativeUnit). */
static const char *const V_FEATURE_TARGET_TYPE[] = {"group", "role", "administrativeUnit", NULL};
static const struct field FL_FEATURE_TARGET[] = {
    FV("id", FT_ID, V_ALL_USERS), FV("targetType", FT_ENUM, V_FEATURE_TARGET_TYPE), FEND};
static const struct spec S_FEATURE_TARGET = {.fields = FL_FEATURE_TARGET};
static const struct field FL_FEATURE[] = {FV("state", FT_ENUM, V_ADVANCED_STATE),
                                          FO("includeTarget", &S_FEATURE_TARGET),
                                          FO("excludeTarget", &S_FEATURE_TARGET), FEND};
static const struct spec S_FEATURE = {.fields = FL_FEATURE};
static const struct field FL_FEATURE_SETTINGS[] = {
    FO("displayAppInformationRequiredState", &S_FEATURE),
    FO("displayLocationInformationRequiredState", &S_FEATURE), FEND};
static const struct spec S_FEATURE_SETTINGS = {.fields = FL_FEATURE_SETTINGS};

/* Certificate-based authentication (x509CertificateAuthenticationMethodConfiguration, Graph
 * v1.0): rules and bindings are sets (a binding's order is its priority, a property of its own);
 * the identifier is kept exactly as written. */
static const char *const V_X509_MODE[] = {"x509CertificateSingleFactor",
                                          "x509CertificateMultiFactor", "unknownFutureValue", NULL};
static const char *const V_X509_RULE_TYPE[] = {
    "issuerSubject", "policyOID", "issuerSubjectAndPolicyOID", "unknownFutureValue", NULL};
static const char *const V_X509_FIELD[] = {"PrincipalName", "RFC822Name", "SubjectKeyIdentifier",
                                           "SHA1PublicKey", NULL};
static const char *const V_X509_USER_PROPERTY[] = {
    "userPrincipalName", "onPremisesUserPrincipalName", "certificateUserIds", NULL};
static const struct field FL_X509_RULE[] = {
    FV("x509CertificateRuleType", FT_ENUM, V_X509_RULE_TYPE), F("identifier", FT_NAME),
    FV("x509CertificateAuthenticationMode", FT_ENUM, V_X509_MODE), FEND};
static const struct spec S_X509_RULE = {.fields = FL_X509_RULE};
static const struct field FL_X509_MODE[] = {
    FV("x509CertificateAuthenticationDefaultMode", FT_ENUM, V_X509_MODE),
    FOS("rules", &S_X509_RULE), FEND};
static const struct spec S_X509_MODE = {.fields = FL_X509_MODE};
static const struct field FL_X509_BINDING[] = {FV("x509CertificateField", FT_ENUM, V_X509_FIELD),
                                               FV("userProperty", FT_ENUM, V_X509_USER_PROPERTY),
                                               F("priority", FT_SCALAR), FEND};
static const struct spec S_X509_BINDING = {.fields = FL_X509_BINDING};

static const struct field FL_METHOD_CONFIG[] = {
    FV("id", FT_ID, V_METHOD_IDS),
    FV("state", FT_ENUM, V_METHOD_STATE),
    FOS("includeTargets", &S_TARGET),
    FOS("excludeTargets", &S_TARGET),
    FO("keyRestrictions", &S_KEY_RESTRICTIONS),
    FO("featureSettings", &S_FEATURE_SETTINGS),
    FV("allowExternalIdToUseEmailOtp", FT_ENUM, V_ADVANCED_STATE),
    FO("authenticationModeConfiguration", &S_X509_MODE),
    FOS("certificateUserBindings", &S_X509_BINDING),
    FEND};
static const struct spec S_METHOD_CONFIG = {.fields = FL_METHOD_CONFIG, .kinds = V_METHOD_KINDS};

/* authenticationMethodConfigurations: an object keyed by method id, so that a diff path reads
 * "authenticationMethodConfigurations.Fido2.state". */
static json_t *method_configs(const struct field *f, const json_t *v)
{
    (void)f;
    json_t *out = json_object();
    const json_t *e;
    size_t i;
    const char *k;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (!json_is_object(e))
                continue;
            json_t *n = norm_object(&S_METHOD_CONFIG, e);
            const char *id = n ? json_string_value(json_object_get(n, "id")) : NULL;
            if (id)
                json_object_set_new(out, id, n);
            else
                json_decref(n);
        }
    } else if (json_is_object(v)) {
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (is_annotation(k) || !json_is_object(e))
                continue;
            json_t *n = norm_object(&S_METHOD_CONFIG, e);
            const char *id = n ? json_string_value(json_object_get(n, "id")) : NULL;
            if (n)
                json_object_set_new(out, id ? id : k, n);
        }
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static const struct field FL_CAMPAIGN[] = {
    F("snoozeDurationInDays", FT_SCALAR), FV("state", FT_ENUM, V_ADVANCED_STATE),
    FOS("includeTargets", &S_TARGET), FOS("excludeTargets", &S_TARGET), FEND};
static const struct spec S_CAMPAIGN = {.fields = FL_CAMPAIGN};
static const struct field FL_REG_ENFORCEMENT[] = {
    FO("authenticationMethodsRegistrationCampaign", &S_CAMPAIGN), FEND};
static const struct spec S_REG_ENFORCEMENT = {.fields = FL_REG_ENFORCEMENT};

static const struct field FL_METHODS_POLICY[] = {
    F("id", FT_DROP),
    F("displayName", FT_DROP),
    F("description", FT_DROP),
    F("lastModifiedDateTime", FT_DROP),
    F("policyVersion", FT_DROP),
    F("reconfirmationInDays", FT_SCALAR),
    FV("policyMigrationState", FT_ENUM, V_MIGRATION),
    FO("registrationEnforcement", &S_REG_ENFORCEMENT),
    FF("authenticationMethodConfigurations", method_configs),
    FEND};
static const struct spec S_METHODS_POLICY = {.fields = FL_METHODS_POLICY};

/* ---------------------------------------------------------------------------------------- */
/* Groups and group settings                                                                  */

static const char *const V_GROUP_TYPES[] = {"Unified", "DynamicMembership", NULL};
static const char *const V_RULE_STATE[] = {"On", "Paused", NULL};
static const char *const V_VISIBILITY[] = {"Public", "Private", "HiddenMembership", NULL};

/* The id at the end of a directory object reference (".../directoryObjects/{id}"). */
static json_t *member_id(const json_t *e)
{
    const char *s = NULL;
    if (json_is_string(e))
        s = json_string_value(e);
    else if (json_is_object(e))
        s = json_string_value(json_object_get(e, "id"));
    if (!s)
        return norm_generic(e);
    const char *slash = strrchr(s, '/');
    return canon_id(NULL, slash ? slash + 1 : s);
}

static void members_add(json_t *set, const json_t *v)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return;
    json_array_foreach(v, i, e)
    {
        json_t *n = member_id(e);
        if (n)
            json_array_append_new(set, n);
    }
}

static json_t *members(const struct field *f, const json_t *v)
{
    (void)f;
    json_t *out = json_array();
    members_add(out, v);
    return set_finish(out);
}

/* members@odata.bind / owners@odata.bind in a request are the same sets. */
static void group_post(json_t *out, const json_t *in)
{
    static const char *const rel[] = {"members", "owners"};
    for (size_t r = 0; r < IDPC_ARRAY_LEN(rel); r++) {
        char key[32];
        snprintf(key, sizeof(key), "%s@odata.bind", rel[r]);
        const json_t *bind = json_object_get(in, key);
        if (!bind)
            continue;
        json_t *set = json_array();
        json_t *have = json_object_get(out, rel[r]);
        if (have)
            json_array_extend(set, have);
        members_add(set, bind);
        set = set_finish(set);
        if (set)
            json_object_set_new(out, rel[r], set);
    }
}

static const struct field FL_GROUP[] = {F("id", FT_DROP),
                                        F("createdDateTime", FT_DROP),
                                        F("renewedDateTime", FT_DROP),
                                        F("deletedDateTime", FT_DROP),
                                        F("expirationDateTime", FT_DROP),
                                        F("securityIdentifier", FT_DROP),
                                        F("proxyAddresses", FT_DROP),
                                        F("mail", FT_DROP),
                                        F("onPremisesDomainName", FT_DROP),
                                        F("onPremisesLastSyncDateTime", FT_DROP),
                                        F("onPremisesNetBiosName", FT_DROP),
                                        F("onPremisesSamAccountName", FT_DROP),
                                        F("onPremisesSecurityIdentifier", FT_DROP),
                                        F("onPremisesSyncEnabled", FT_DROP),
                                        F("onPremisesProvisioningErrors", FT_DROP),
                                        F("serviceProvisioningErrors", FT_DROP),
                                        F("isManagementRestricted", FT_DROP),
                                        F("displayName", FT_NAME),
                                        F("description", FT_TEXT),
                                        F("mailNickname", FT_NAME),
                                        FV("groupTypes", FT_ENUM_SET, V_GROUP_TYPES),
                                        F("membershipRule", FT_TEXT),
                                        FV("membershipRuleProcessingState", FT_ENUM, V_RULE_STATE),
                                        FV("visibility", FT_ENUM, V_VISIBILITY),
                                        FB("isAssignableToRole", "false"),
                                        FF("members", members),
                                        FF("owners", members),
                                        FEND};
static const struct spec S_GROUP = {.fields = FL_GROUP, .post = group_post};

#define GROUP_UNIFIED_TEMPLATE "62375ab9-6b52-47ed-826b-58e47e0e304b"

/* Group.Unified values and their template defaults (facts §5.5); "" defaults are covered by
 * the "empty value is unset" rule. */
static const char *const GROUP_UNIFIED_DEFAULTS[][2] = {
    {"EnableGroupCreation", "true"},
    {"GroupCreationAllowedGroupId", ""},
    {"UsageGuidelinesUrl", ""},
    {"ClassificationDescriptions", ""},
    {"DefaultClassification", ""},
    {"PrefixSuffixNamingRequirement", ""},
    {"CustomBlockedWordsList", ""},
    {"EnableMSStandardBlockedWords", "false"},
    {"AllowGuestsToBeGroupOwner", "false"},
    {"AllowGuestsToAccessGroups", "true"},
    {"GuestUsageGuidelinesUrl", ""},
    {"AllowToAddGuests", "true"},
    {"ClassificationList", ""},
    {"EnableMIPLabels", "false"},
    {"NewUnifiedGroupWritebackDefault", "true"},
};

static const char *setting_name(const char *name)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(GROUP_UNIFIED_DEFAULTS); i++)
        if (strcasecmp(GROUP_UNIFIED_DEFAULTS[i][0], name) == 0)
            return GROUP_UNIFIED_DEFAULTS[i][0];
    return name;
}

static json_t *setting_value(const json_t *v)
{
    if (!json_is_string(v))
        return norm_generic(v);
    const char *s = json_string_value(v);
    if (!*s)
        return NULL;
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0 || looks_like_id(s))
        return string_take(str_lower(s));
    return json_string(s);
}

/* values: [{name, value}] becomes {name: value}; string booleans are case-folded. */
static json_t *setting_values(const struct field *f, const json_t *v)
{
    (void)f;
    json_t *out = json_object();
    size_t i;
    const json_t *e;
    const char *k;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            const char *name = json_string_value(json_object_get(e, "name"));
            json_t *n = name ? setting_value(json_object_get(e, "value")) : NULL;
            if (n)
                json_object_set_new(out, setting_name(name), n);
        }
    } else if (json_is_object(v)) {
        json_object_foreach(util_json_mut(v), k, e)
        {
            json_t *n = is_annotation(k) ? NULL : setting_value(e);
            if (n)
                json_object_set_new(out, setting_name(k), n);
        }
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void group_setting_post(json_t *out, const json_t *in)
{
    (void)in;
    const char *t = json_string_value(json_object_get(out, "templateId"));
    json_t *values = json_object_get(out, "values");
    if (!t || !values || strcmp(t, GROUP_UNIFIED_TEMPLATE) != 0)
        return;
    for (size_t i = 0; i < IDPC_ARRAY_LEN(GROUP_UNIFIED_DEFAULTS); i++) {
        const char *have = json_string_value(json_object_get(values, GROUP_UNIFIED_DEFAULTS[i][0]));
        if (have && strcmp(have, GROUP_UNIFIED_DEFAULTS[i][1]) == 0)
            json_object_del(values, GROUP_UNIFIED_DEFAULTS[i][0]);
    }
    if (json_object_size(values) == 0)
        json_object_del(out, "values");
}

static const struct field FL_GROUP_SETTING[] = {F("id", FT_DROP), F("displayName", FT_DROP),
                                                F("templateId", FT_ID),
                                                FF("values", setting_values), FEND};
static const struct spec S_GROUP_SETTING = {.fields = FL_GROUP_SETTING, .post = group_setting_post};

/* ---------------------------------------------------------------------------------------- */
/* Tenant switches                                                                            */

static const char *const V_INVITES[] = {"none", "adminsAndGuestInviters",
                                        "adminsGuestInvitersAndAllMembers", "everyone", NULL};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts an array of strings in place (deduplicated). */
static json_t *sorted_strings(json_t *arr)
{
    size_t n = json_array_size(arr);
    const char **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(arr, i));
    qsort(v, n, sizeof(*v), cmp_str);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            json_array_append_new(out, json_string(v[i]));
    free(v);
    json_decref(arr);
    return out;
}

/* permissionGrantPoliciesAssigned: only the user consent policies
 * ("ManagePermissionGrantsForSelf.*", Microsoft Learn "Configure how users consent to
 * applications") are compared; the group-owner consent entries
 * ("ManagePermissionGrantsForOwnedResource.*") belong to another setting and stay as they are.
 * An empty list is kept: it means user consent is off. */
#define CONSENT_SELF "ManagePermissionGrantsForSelf."
static json_t *consent_policies(const struct field *f, const json_t *v)
{
    (void)f;
    if (!json_is_array(v))
        return norm_generic(v);
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (s && strncasecmp(s, CONSENT_SELF, strlen(CONSENT_SELF)) == 0)
            json_array_append_new(out, json_sprintf(CONSENT_SELF "%s", s + strlen(CONSENT_SELF)));
    }
    return sorted_strings(out);
}

static const struct field FL_USER_ROLE_PERMS[] = {
    FF("permissionGrantPoliciesAssigned", consent_policies), FEND};
static const struct spec S_USER_ROLE_PERMS = {.fields = FL_USER_ROLE_PERMS};

static const struct field FL_AUTHORIZATION[] = {
    F("id", FT_DROP),
    F("displayName", FT_DROP),
    F("description", FT_DROP),
    FV("allowInvitesFrom", FT_ENUM, V_INVITES),
    F("guestUserRoleId", FT_ID),
    FO("defaultUserRolePermissions", &S_USER_ROLE_PERMS),
    FEND};
static const struct spec S_AUTHORIZATION = {.fields = FL_AUTHORIZATION};

static const struct field FL_SECURITY_DEFAULTS[] = {F("id", FT_DROP), F("displayName", FT_DROP),
                                                    F("description", FT_DROP),
                                                    F("isEnabled", FT_SCALAR), FEND};
static const struct spec S_SECURITY_DEFAULTS = {.fields = FL_SECURITY_DEFAULTS};

/* Authentication contexts: the id is the URL (c1..c99); isAvailable is kept when false, so that
 * unpublishing a context is a change. */
static const struct field FL_AUTH_CONTEXT[] = {F("id", FT_DROP), F("displayName", FT_NAME),
                                               F("description", FT_TEXT),
                                               F("isAvailable", FT_SCALAR), FEND};
static const struct spec S_AUTH_CONTEXT = {.fields = FL_AUTH_CONTEXT};

/* The groups expiration policy: one per tenant. */
static const char *const V_MANAGED_GROUP_TYPES[] = {"All", "Selected", "None", NULL};
static const struct field FL_GROUP_LIFECYCLE[] = {
    F("id", FT_DROP), F("groupLifetimeInDays", FT_SCALAR),
    FV("managedGroupTypes", FT_ENUM, V_MANAGED_GROUP_TYPES),
    F("alternateNotificationEmails", FT_TEXT), FEND};
static const struct spec S_GROUP_LIFECYCLE = {.fields = FL_GROUP_LIFECYCLE};

/* On-premises directory synchronization (Graph v1.0 "onPremisesDirectorySynchronization
 * resource type"): the feature flags are kept whether true or false (Graph returns every one);
 * a threshold means nothing while deletion prevention is disabled; the id (the tenant's) and
 * the read-only configuration of the beta shape (client version, intervals, export data) are
 * not the configuration's to compare. */
static const char *const V_DELETION_PREVENTION[] = {
    "disabled", "enabledForCount", "enabledForPercentage", "unknownFutureValue", NULL};
static void deletion_post(json_t *out, const json_t *in)
{
    (void)in;
    const char *t = json_string_value(json_object_get(out, "synchronizationPreventionType"));
    if (t && strcmp(t, "disabled") == 0)
        json_object_del(out, "alertThreshold");
}
static const struct field FL_DELETION_PREVENTION[] = {
    FV("synchronizationPreventionType", FT_ENUM, V_DELETION_PREVENTION),
    F("alertThreshold", FT_SCALAR), FEND};
static const struct spec S_DELETION_PREVENTION = {.fields = FL_DELETION_PREVENTION,
                                                  .post = deletion_post};
static const struct field FL_SYNC_CONFIGURATION[] = {
    FO("accidentalDeletionPrevention", &S_DELETION_PREVENTION),
    F("applicationId", FT_DROP),
    F("currentExportData", FT_DROP),
    F("synchronizationClientVersion", FT_DROP),
    F("synchronizationInterval", FT_DROP),
    FEND};
static const struct spec S_SYNC_CONFIGURATION = {.fields = FL_SYNC_CONFIGURATION};
static const struct field FL_ONPREM_SYNC[] = {F("id", FT_DROP),
                                              FO("configuration", &S_SYNC_CONFIGURATION), FEND};
static const struct spec S_ONPREM_SYNC = {.fields = FL_ONPREM_SYNC};
/* The admin consent workflow (Graph v1.0 adminConsentRequestPolicy). A reviewer is a query:
 * the API version prefix ("/beta", "/v1.0") and the group-members suffix
 * ("/transitiveMembers/microsoft.graph.user") do not change whom it names, so they are
 * removed; the queries are lower-cased and sorted. queryType other than MicrosoftGraph is kept
 * as a "type:query" prefix. */
static json_t *consent_reviewers(const struct field *f, const json_t *v)
{
    (void)f;
    if (!json_is_array(v))
        return norm_generic(v);
    static const char *const suffix = "/transitivemembers/microsoft.graph.user";
    json_t *out = json_array();
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *q = json_string_value(json_object_get(e, "query"));
        const char *t = json_string_value(json_object_get(e, "queryType"));
        if (!q)
            continue;
        char *low = str_lower(q);
        char *p = low;
        if (strncmp(p, "/beta/", 6) == 0)
            p += 5;
        else if (strncmp(p, "/v1.0/", 6) == 0)
            p += 5;
        size_t n = strlen(p), sn = strlen(suffix);
        if (strncmp(p, "/groups/", 8) == 0 && n > sn && strcmp(p + n - sn, suffix) == 0)
            p[n - sn] = '\0';
        if (t && strcasecmp(t, "MicrosoftGraph") != 0)
            json_array_append_new(out, json_sprintf("%s:%s", t, p));
        else
            json_array_append_new(out, json_string(p));
        free(low);
    }
    return sorted_strings(out);
}

static const struct field FL_ADMIN_CONSENT[] = {F("id", FT_DROP),
                                                F("version", FT_DROP),
                                                F("isEnabled", FT_SCALAR),
                                                F("notifyReviewers", FT_SCALAR),
                                                F("remindersEnabled", FT_SCALAR),
                                                F("requestDurationInDays", FT_SCALAR),
                                                FF("reviewers", consent_reviewers),
                                                FEND};
static const struct spec S_ADMIN_CONSENT = {.fields = FL_ADMIN_CONSENT};

/* ---------------------------------------------------------------------------------------- */
/* Role assignments and PIM eligibility                                                       */

static const char *const V_EXPIRATION[] = {"notSpecified", "noExpiration", "afterDateTime",
                                           "afterDuration", NULL};

/* "/administrativeUnits/{GUID}": GUID segments lower-cased, the rest kept. */
static json_t *scope_id(const struct field *f, const json_t *v)
{
    (void)f;
    if (!json_is_string(v))
        return norm_generic(v);
    char *s = xstrdup(json_string_value(v));
    char *seg = s;
    while (seg) {
        char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        char *one = xstrndup(seg, len);
        if (looks_like_id(one))
            for (size_t i = 0; i < len; i++)
                seg[i] = (char)tolower((unsigned char)seg[i]);
        free(one);
        seg = slash ? slash + 1 : NULL;
    }
    return string_take(s);
}

/* "2027-06-30T00:00:00.0000000Z", "2027-06-30T00:00:00+00:00" → "2027-06-30T00:00:00Z": Graph
 * returns fractional seconds the request did not send. Other offsets are kept as written. */
static json_t *canon_datetime(const struct field *f, const json_t *v)
{
    (void)f;
    const char *s = json_string_value(v);
    if (!s || strlen(s) < 19 || s[10] != 'T')
        return norm_generic(v);
    const char *rest = s + 19;
    if (*rest == '.')
        for (rest++; *rest >= '0' && *rest <= '9'; rest++)
            ;
    if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0 && *rest)
        return norm_generic(v);
    char *c = xasprintf("%.19sZ", s);
    return string_take(c);
}

static void expiration_post(json_t *out, const json_t *in)
{
    (void)in;
    const char *t = json_string_value(json_object_get(out, "type"));
    if (t && strcmp(t, "noExpiration") == 0) {
        json_object_del(out, "endDateTime");
        json_object_del(out, "duration");
    }
}

static const struct field FL_EXPIRATION[] = {FV("type", FT_ENUM, V_EXPIRATION),
                                             FF("endDateTime", canon_datetime),
                                             F("duration", FT_SCALAR), FEND};
static const struct spec S_EXPIRATION = {.fields = FL_EXPIRATION, .post = expiration_post};

static const struct field FL_SCHEDULE[] = {F("startDateTime", FT_DROP),
                                           FO("expiration", &S_EXPIRATION), FEND};
static const struct spec S_SCHEDULE = {.fields = FL_SCHEDULE};

/* An active assignment: a permanent one compares as the roleAssignment; a time-bound one
 * (a PIM schedule merged in by tenant_active.c, or the schedule request the configuration
 * compiles to) also by its scheduleInfo. A schedule that never expires is the same as none. */
static void role_assignment_post(json_t *out, const json_t *in)
{
    (void)in;
    const json_t *exp = json_object_get(json_object_get(out, "scheduleInfo"), "expiration");
    const char *t = json_string_value(json_object_get(exp, "type"));
    if (json_object_get(out, "scheduleInfo") && (!t || strcmp(t, "noExpiration") == 0))
        json_object_del(out, "scheduleInfo");
}

static const struct field FL_ROLE_ASSIGNMENT[] = {F("id", FT_DROP),
                                                  F("principal", FT_DROP),
                                                  F("roleDefinition", FT_DROP),
                                                  F("directoryScope", FT_DROP),
                                                  F("appScope", FT_DROP),
                                                  F("resourceScope", FT_DROP),
                                                  F("principalOrganizationId", FT_DROP),
                                                  F("action", FT_DROP),
                                                  F("justification", FT_DROP),
                                                  F("roleDefinitionId", FT_ID),
                                                  F("principalId", FT_ID),
                                                  FF("directoryScopeId", scope_id),
                                                  FF("appScopeId", scope_id),
                                                  F("condition", FT_TEXT),
                                                  FO("scheduleInfo", &S_SCHEDULE),
                                                  FEND};
static const struct spec S_ROLE_ASSIGNMENT = {.fields = FL_ROLE_ASSIGNMENT,
                                              .post = role_assignment_post};

/* What Graph fills in on a PIM schedule request or schedule (unifiedRoleEligibilityScheduleRequest,
 * privilegedAccessGroup*ScheduleRequest and their schedules), never stated by a configuration. */
#define PIM_REQUEST_SERVER_FIELDS                                                                  \
    F("id", FT_DROP), F("status", FT_DROP), F("createdDateTime", FT_DROP),                         \
        F("modifiedDateTime", FT_DROP), F("createdBy", FT_DROP), F("createdUsing", FT_DROP),       \
        F("completedDateTime", FT_DROP), F("approvalId", FT_DROP), F("targetScheduleId", FT_DROP), \
        F("isValidationOnly", FT_DROP), F("justification", FT_DROP), F("action", FT_DROP),         \
        F("ticketInfo", FT_DROP), F("memberType", FT_DROP), F("targetSchedule", FT_DROP),          \
        F("principal", FT_DROP)

static const struct field FL_ROLE_ELIGIBILITY[] = {
    PIM_REQUEST_SERVER_FIELDS,        F("roleDefinition", FT_DROP),
    F("directoryScope", FT_DROP),     F("appScope", FT_DROP),
    F("roleDefinitionId", FT_ID),     F("principalId", FT_ID),
    FF("directoryScopeId", scope_id), FF("appScopeId", scope_id),
    FO("scheduleInfo", &S_SCHEDULE),  FEND};
static const struct spec S_ROLE_ELIGIBILITY = {.fields = FL_ROLE_ELIGIBILITY};

/* A user (Graph v1.0 user resource): the attributes a `user` block states; what Graph computes
 * or only returns (ids, sync state, creation times) is dropped, and the password profile is
 * never compared (Graph never returns the password). Plans compare users partially. */
static const struct field FL_USER[] = {F("id", FT_DROP),
                                       F("passwordProfile", FT_DROP),
                                       F("onPremisesSyncEnabled", FT_DROP),
                                       F("onPremisesImmutableId", FT_DROP),
                                       F("createdDateTime", FT_DROP),
                                       F("deletedDateTime", FT_DROP),
                                       F("userType", FT_DROP),
                                       F("mail", FT_DROP),
                                       F("displayName", FT_NAME),
                                       F("userPrincipalName", FT_NAME),
                                       F("mailNickname", FT_NAME),
                                       F("givenName", FT_TEXT),
                                       F("surname", FT_TEXT),
                                       F("jobTitle", FT_TEXT),
                                       F("usageLocation", FT_SCALAR),
                                       F("accountEnabled", FT_SCALAR),
                                       FEND};
static const struct spec S_USER = {.fields = FL_USER};
/* PIM for Groups schedules and their requests (privilegedAccessGroupEligibilitySchedule,
 * privilegedAccessGroupAssignmentSchedule): who, which group, member or owner, and until when. */
static const char *const V_ACCESS[] = {"member", "owner", NULL};
static const struct field FL_GROUP_PIM[] = {
    PIM_REQUEST_SERVER_FIELDS, F("customData", FT_DROP),          F("assignmentType", FT_DROP),
    F("group", FT_DROP),       FV("accessId", FT_ENUM, V_ACCESS), F("principalId", FT_ID),
    F("groupId", FT_ID),       FO("scheduleInfo", &S_SCHEDULE),   FEND};
static const struct spec S_GROUP_PIM = {.fields = FL_GROUP_PIM};

/* Access review definitions (accessReviewScheduleDefinition): what the language states; the
 * status, dates, instances and the recurrence fields Graph fills in with defaults are dropped. */
static const struct field FL_REVIEW_QUERY[] = {F("query", FT_TEXT), F("queryType", FT_SCALAR),
                                               F("queryRoot", FT_SCALAR), FEND};
static const struct spec S_REVIEW_QUERY = {.fields = FL_REVIEW_QUERY};
static const struct field FL_REVIEW_SCOPE[] = {F("query", FT_TEXT),
                                               F("queryType", FT_SCALAR),
                                               F("queryRoot", FT_SCALAR),
                                               FOS("principalScopes", &S_REVIEW_QUERY),
                                               FOS("resourceScopes", &S_REVIEW_QUERY),
                                               FEND};
static const struct spec S_REVIEW_SCOPE = {.fields = FL_REVIEW_SCOPE};
static const struct field FL_RECUR_PATTERN[] = {
    F("type", FT_SCALAR),     F("interval", FT_SCALAR),
    F("month", FT_DROP),      F("dayOfMonth", FT_DROP),
    F("daysOfWeek", FT_DROP), F("firstDayOfWeek", FT_DROP),
    F("index", FT_DROP),      FEND};
static const struct spec S_RECUR_PATTERN = {.fields = FL_RECUR_PATTERN};
static const struct field FL_RECUR_RANGE[] = {F("type", FT_SCALAR),
                                              F("startDate", FT_SCALAR),
                                              F("endDate", FT_DROP),
                                              F("numberOfOccurrences", FT_DROP),
                                              F("recurrenceTimeZone", FT_DROP),
                                              FEND};
static const struct spec S_RECUR_RANGE = {.fields = FL_RECUR_RANGE};
static const struct field FL_RECURRENCE[] = {FO("pattern", &S_RECUR_PATTERN),
                                             FO("range", &S_RECUR_RANGE), FEND};
static const struct spec S_RECURRENCE = {.fields = FL_RECURRENCE};
static const struct field FL_REVIEW_SETTINGS[] = {
    F("mailNotificationsEnabled", FT_SCALAR),
    F("reminderNotificationsEnabled", FT_SCALAR),
    F("justificationRequiredOnApproval", FT_SCALAR),
    F("defaultDecisionEnabled", FT_SCALAR),
    F("defaultDecision", FT_SCALAR),
    F("instanceDurationInDays", FT_SCALAR),
    F("autoApplyDecisionsEnabled", FT_SCALAR),
    F("recommendationsEnabled", FT_SCALAR),
    FO("recurrence", &S_RECURRENCE),
    F("applyActions", FT_DROP),
    F("decisionHistoriesForReviewersEnabled", FT_DROP),
    F("recommendationLookBackDuration", FT_DROP),
    F("recommendationInsightSettings", FT_DROP),
    FEND};
static const struct spec S_REVIEW_SETTINGS = {.fields = FL_REVIEW_SETTINGS};
static const struct field FL_REVIEW[] = {F("id", FT_DROP),
                                         F("status", FT_DROP),
                                         F("createdBy", FT_DROP),
                                         F("createdDateTime", FT_DROP),
                                         F("lastModifiedDateTime", FT_DROP),
                                         F("instances", FT_DROP),
                                         F("stageSettings", FT_DROP),
                                         F("backupReviewers", FT_DROP),
                                         F("additionalNotificationRecipients", FT_DROP),
                                         F("displayName", FT_NAME),
                                         F("descriptionForAdmins", FT_TEXT),
                                         F("descriptionForReviewers", FT_TEXT),
                                         FO("scope", &S_REVIEW_SCOPE),
                                         FO("instanceEnumerationScope", &S_REVIEW_SCOPE),
                                         FOS("reviewers", &S_REVIEW_QUERY),
                                         FOS("fallbackReviewers", &S_REVIEW_QUERY),
                                         FO("settings", &S_REVIEW_SETTINGS),
                                         FEND};
static const struct spec S_REVIEW = {.fields = FL_REVIEW};

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                 */

static const struct spec *spec_for(enum normalize_kind kind)
{
    switch (kind) {
    case NK_CA_POLICY:
        return &S_CA_POLICY;
    case NK_NAMED_LOCATION:
        return &S_LOCATION;
    case NK_AUTH_STRENGTH:
        return &S_STRENGTH;
    case NK_AUTH_METHODS_POLICY:
        return &S_METHODS_POLICY;
    case NK_AUTH_METHOD_CONFIG:
        return &S_METHOD_CONFIG;
    case NK_GROUP:
        return &S_GROUP;
    case NK_GROUP_SETTING:
        return &S_GROUP_SETTING;
    case NK_AUTHORIZATION_POLICY:
        return &S_AUTHORIZATION;
    case NK_SECURITY_DEFAULTS:
        return &S_SECURITY_DEFAULTS;
    case NK_ROLE_ASSIGNMENT:
        return &S_ROLE_ASSIGNMENT;
    case NK_ROLE_ELIGIBILITY:
        return &S_ROLE_ELIGIBILITY;
    case NK_AUTH_CONTEXT:
        return &S_AUTH_CONTEXT;
    case NK_GROUP_LIFECYCLE:
        return &S_GROUP_LIFECYCLE;
    case NK_ONPREM_SYNC:
        return &S_ONPREM_SYNC;
    case NK_ADMIN_CONSENT:
        return &S_ADMIN_CONSENT;
    case NK_USER:
        return &S_USER;
    case NK_GROUP_PIM_SCHEDULE:
        return &S_GROUP_PIM;
    case NK_ACCESS_REVIEW:
        return &S_REVIEW;
    case NK__COUNT:
        break;
    case NK_ROLE_POLICY:
        return NULL; /* normalize_pim.c */
    }
    BUG("unknown normalize kind %d", (int)kind);
}

const char *normalize_kind_name(enum normalize_kind kind)
{
    static const char *const names[] = {
        [NK_CA_POLICY] = "ca_policy",
        [NK_NAMED_LOCATION] = "named_location",
        [NK_AUTH_STRENGTH] = "auth_strength",
        [NK_AUTH_METHODS_POLICY] = "auth_methods_policy",
        [NK_AUTH_METHOD_CONFIG] = "auth_method_config",
        [NK_GROUP] = "group",
        [NK_GROUP_SETTING] = "group_setting",
        [NK_AUTHORIZATION_POLICY] = "authorization_policy",
        [NK_SECURITY_DEFAULTS] = "security_defaults",
        [NK_ROLE_ASSIGNMENT] = "role_assignment",
        [NK_ROLE_ELIGIBILITY] = "role_eligibility",
        [NK_AUTH_CONTEXT] = "auth_context",
        [NK_GROUP_LIFECYCLE] = "group_lifecycle",
        [NK_ONPREM_SYNC] = "onprem_sync",
        [NK_ADMIN_CONSENT] = "admin_consent",
        [NK_ROLE_POLICY] = "role_policy",
        [NK_USER] = "user",
        [NK_GROUP_PIM_SCHEDULE] = "group_pim_schedule",
        [NK_ACCESS_REVIEW] = "access_review",
    };
    if ((size_t)kind >= IDPC_ARRAY_LEN(names) || !names[kind])
        BUG("unknown normalize kind %d", (int)kind);
    return names[kind];
}

json_t *normalize(enum normalize_kind kind, const json_t *obj)
{
    const struct spec *s = spec_for(kind);
    if (!obj)
        return json_object();
    if (!json_is_object(obj))
        return json_deep_copy(obj);
    if (kind == NK_ROLE_POLICY)
        return normalize_pim_policy(obj);
    json_t *out = norm_object(s, obj);
    return out ? out : json_object();
}

bool normalize_equal(enum normalize_kind kind, const json_t *a, const json_t *b)
{
    json_t *x = normalize(kind, a), *y = normalize(kind, b);
    bool eq = json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}

json_t *normalize_strip_annotations(const json_t *v)
{
    if (!v)
        return NULL;
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *e;
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (!is_annotation(k))
                json_object_set_new(out, k, normalize_strip_annotations(e));
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_array_append_new(out, normalize_strip_annotations(e));
        }
        return out;
    }
    return json_deep_copy(v);
}
