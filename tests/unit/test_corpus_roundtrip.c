/* test_corpus_roundtrip.c — property test over a corpus (the repository's fixtures, or the real
 * exports in $IDPC_SHARED_DIR/corpus as a conformance pass; corpus_path()): for
 * every Conditional Access policy and named location, (1) normalize is idempotent, (2) the
 * object compared with a simulated Graph round trip of itself (server defaults filled per
 * facts.md §2.4, lists reordered, keyword and GUID case changed, nulls for absent objects,
 * annotations, ids and timestamps added) shows no change, and (3) nothing real is lost
 * (display name and conditions survive). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "compiler/util.h"
#include "runtime/plan/jsondiff.h"
#include "runtime/plan/normalize.h"

struct folder_stats {
    char name[256];
    int policies, locations, failures;
};

static struct folder_stats g_folders[32];
static size_t g_nfolders;
static int g_total_failures;
static int g_total_objects;

/* Which corpus: the repository's own fixtures (tests/fixtures/corpus, the default: ctest
 * unit.*), or with IDPC_CORPUS=shared the larger corpus of real exports in
 * $IDPC_SHARED_DIR/corpus (ctest conformance.*; exit 77, a skip, when it is missing). */
static bool corpus_is_shared(void)
{
    const char *c = getenv("IDPC_CORPUS");
    return c && strcmp(c, "shared") == 0;
}

static char *corpus_path(void)
{
    if (corpus_is_shared()) {
        const char *shared = getenv("IDPC_SHARED_DIR");
        return xasprintf("%s/corpus", shared ? shared : "../shared");
    }
    const char *src = getenv("IDPC_SOURCE_DIR");
    return xasprintf("%s/tests/fixtures/corpus", src ? src : ".");
}

/* ---------------------------------------------------------------------------------------- */
/* The simulated Graph round trip                                                             */

static void set_if_absent(json_t *o, const char *k, json_t *v)
{
    if (!json_object_get(o, k))
        json_object_set_new(o, k, v);
    else
        json_decref(v);
}

/* Keys Graph returns in its casing whatever casing the request used. */
static void canonical_keys(json_t *o, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (json_object_get(o, names[i]))
            continue;
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (strcasecmp(k, names[i]) == 0) {
                json_object_set(o, names[i], v);
                json_object_del(o, k);
                break;
            }
        }
    }
}

static json_t *null_if_missing_or_empty_array(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!v || (json_is_array(v) && json_array_size(v) == 0)) {
        json_object_set_new(o, k, json_null());
        return NULL;
    }
    return v;
}

static void fill_lists(json_t *o, const char *const *lists)
{
    for (size_t i = 0; lists[i]; i++) {
        json_t *v = json_object_get(o, lists[i]);
        if (!v || json_is_null(v))
            json_object_set_new(o, lists[i], json_array());
    }
}

static void add_ids(json_t *o, const char *context)
{
    json_object_set_new(o, "@odata.context", json_string(context));
    set_if_absent(o, "id", json_string("1B2C3D4E-0000-4000-8000-00000000ABCD"));
    set_if_absent(o, "createdDateTime", json_string("2024-06-14T11:38:40.0423551Z"));
    set_if_absent(o, "modifiedDateTime", json_null());
}

/* Graph-side rewrites of every value: lists come back in another order, keywords and GUIDs in
 * another case (the API is case-insensitive), each property carries a type annotation. */
static void scramble(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        void *tmp;
        json_t *annotations = json_object();
        json_object_foreach_safe(v, tmp, k, e)
        {
            if (strchr(k, '@') || k[0] == '#')
                continue;
            scramble(e);
            if (json_is_array(e)) {
                char *ak = xasprintf("%s@odata.type", k);
                json_object_set_new(annotations, ak, json_string("#Collection(String)"));
                free(ak);
            }
        }
        json_object_update(v, annotations);
        json_decref(annotations);
        return;
    }
    if (!json_is_array(v))
        return;
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        scramble(e);
        const char *s = json_string_value(e);
        if (!s)
            continue;
        if (strcmp(s, "All") == 0)
            json_array_set_new(v, i, json_string("all"));
        else if (strcmp(s, "all") == 0)
            json_array_set_new(v, i, json_string("All"));
        else if (normalize_is_guid(s)) {
            char *u = xstrdup(s);
            for (char *p = u; *p; p++)
                if (*p >= 'a' && *p <= 'f')
                    *p = (char)(*p - 'a' + 'A');
            json_array_set_new(v, i, json_string(u));
            free(u);
        }
    }
    for (size_t i = 0; i < n / 2; i++) {
        json_t *a = json_incref(json_array_get(v, i));
        json_t *b = json_incref(json_array_get(v, n - 1 - i));
        json_array_set_new(v, i, b);
        json_array_set_new(v, n - 1 - i, a);
    }
}

static json_t *simulate_policy(const json_t *in)
{
    static const char *const top_keys[] = {"displayName",   "state",           "conditions",
                                           "grantControls", "sessionControls", NULL};
    static const char *const app_lists[] = {"includeApplications", "excludeApplications",
                                            "includeUserActions",
                                            "includeAuthenticationContextClassReferences", NULL};
    static const char *const user_lists[] = {"includeUsers",
                                             "excludeUsers",
                                             "includeGroups",
                                             "excludeGroups",
                                             "includeRoles",
                                             "excludeRoles",
                                             NULL};
    static const char *const risk_lists[] = {"signInRiskLevels", "userRiskLevels",
                                             "servicePrincipalRiskLevels", NULL};
    static const char *const grant_lists[] = {"builtInControls", "customAuthenticationFactors",
                                              "termsOfUse", NULL};
    static const char *const session_members[] = {"applicationEnforcedRestrictions",
                                                  "cloudAppSecurity",
                                                  "signInFrequency",
                                                  "persistentBrowser",
                                                  "disableResilienceDefaults",
                                                  NULL};
    json_t *p = json_deep_copy(in);
    canonical_keys(p, top_keys);
    add_ids(
        p,
        "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies/$entity");
    set_if_absent(p, "templateId", json_null());
    set_if_absent(p, "grantControls", json_null());
    set_if_absent(p, "sessionControls", json_null());

    json_t *c = json_object_get(p, "conditions");
    if (json_is_object(c)) {
        json_t *cat = json_object_get(c, "clientAppTypes");
        if (!cat || json_is_null(cat) || json_array_size(cat) == 0) {
            json_t *all = json_array();
            json_array_append_new(all, json_string("all"));
            json_object_set_new(c, "clientAppTypes", all);
        }
        static const char *const complex[] = {
            "platforms", "locations", "devices", "clientApplications", "authenticationFlows", NULL};
        for (size_t i = 0; complex[i]; i++)
            null_if_missing_or_empty_array(c, complex[i]);
        set_if_absent(c, "insiderRiskLevels", json_null());
        fill_lists(c, risk_lists);
        json_t *apps = json_object_get(c, "applications");
        if (json_is_object(apps)) {
            fill_lists(apps, app_lists);
            set_if_absent(apps, "applicationFilter", json_null());
        }
        json_t *users = json_object_get(c, "users");
        if (json_is_object(users)) {
            fill_lists(users, user_lists);
            set_if_absent(users, "includeGuestsOrExternalUsers", json_null());
            set_if_absent(users, "excludeGuestsOrExternalUsers", json_null());
        }
        json_t *pl = json_object_get(c, "platforms");
        if (json_is_object(pl)) {
            static const char *const l[] = {"includePlatforms", "excludePlatforms", NULL};
            fill_lists(pl, l);
        }
        json_t *loc = json_object_get(c, "locations");
        if (json_is_object(loc)) {
            static const char *const l[] = {"includeLocations", "excludeLocations", NULL};
            fill_lists(loc, l);
        }
    }
    json_t *g = json_object_get(p, "grantControls");
    if (json_is_object(g)) {
        fill_lists(g, grant_lists);
        json_object_set_new(g, "authenticationStrength@odata.context",
                            json_string("https://graph.microsoft.com/v1.0/$metadata#x/$entity"));
        json_t *s = json_object_get(g, "authenticationStrength");
        if (json_is_object(s)) {
            /* GET expands the referenced strength */
            set_if_absent(s, "displayName", json_string("Expanded strength"));
            set_if_absent(s, "policyType", json_string("builtIn"));
            set_if_absent(s, "requirementsSatisfied", json_string("mfa"));
            set_if_absent(s, "createdDateTime", json_string("2023-01-01T00:00:00Z"));
        } else {
            set_if_absent(g, "authenticationStrength", json_null());
        }
    }
    json_t *sc = json_object_get(p, "sessionControls");
    if (json_is_object(sc)) {
        for (size_t i = 0; session_members[i]; i++)
            set_if_absent(sc, session_members[i], json_null());
        json_t *sif = json_object_get(sc, "signInFrequency");
        if (json_is_object(sif) && json_is_true(json_object_get(sif, "isEnabled"))) {
            set_if_absent(sif, "authenticationType",
                          json_string("primaryAndSecondaryAuthentication"));
            set_if_absent(sif, "frequencyInterval", json_string("timeBased"));
        }
    }
    scramble(p);
    return p;
}

static json_t *simulate_location(const json_t *in)
{
    static const char *const top_keys[] = {"displayName", "ipRanges", "isTrusted",
                                           "countriesAndRegions", NULL};
    json_t *p = json_deep_copy(in);
    canonical_keys(p, top_keys);
    add_ids(p, "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/"
               "namedLocations/$entity");
    json_t *ranges = json_object_get(p, "ipRanges");
    if (ranges) {
        set_if_absent(p, "@odata.type", json_string("#microsoft.graph.ipNamedLocation"));
        set_if_absent(p, "isTrusted", json_false());
        size_t i;
        json_t *r;
        json_array_foreach(ranges, i, r)
        {
            const char *cidr = json_string_value(json_object_get(r, "cidrAddress"));
            if (!cidr)
                continue;
            set_if_absent(r, "@odata.type",
                          json_string(strchr(cidr, ':') ? "#microsoft.graph.iPv6CidrRange"
                                                        : "#microsoft.graph.iPv4CidrRange"));
            char *u = xstrdup(cidr); /* IPv6 hex digits in upper case */
            for (char *q = u; *q; q++)
                if (*q >= 'a' && *q <= 'f')
                    *q = (char)(*q - 'a' + 'A');
            json_object_set_new(r, "cidrAddress", json_string(u));
            free(u);
        }
    }
    if (json_object_get(p, "countriesAndRegions")) {
        set_if_absent(p, "@odata.type", json_string("#microsoft.graph.countryNamedLocation"));
        set_if_absent(p, "includeUnknownCountriesAndRegions", json_false());
        set_if_absent(p, "countryLookupMethod", json_string("clientIpAddress"));
    }
    scramble(p);
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* Checking one object                                                                        */

static bool is_policy(const json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(util_json_mut(o), k, v)
    {
        if (strcasecmp(k, "conditions") == 0)
            return true;
    }
    return false;
}

static bool is_location(const json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "@odata.type"));
    return json_object_get(o, "ipRanges") || json_object_get(o, "countriesAndRegions") ||
           (t && strstr(t, "NamedLocation"));
}

static void print_diff(const char *what, const struct jsondiff *d)
{
    for (size_t i = 0; i < d->n && i < 10; i++) {
        char *o = d->v[i].old_value ? json_dumps(d->v[i].old_value, JSON_ENCODE_ANY) : NULL;
        char *n = d->v[i].new_value ? json_dumps(d->v[i].new_value, JSON_ENCODE_ANY) : NULL;
        fprintf(stderr, "    %s: %s %s: %s -> %s\n", what, jsondiff_op_name(d->v[i].op),
                d->v[i].path, o ? o : "(absent)", n ? n : "(absent)");
        free(o);
        free(n);
    }
}

/* Returns the number of failed properties for this object (0 or more). */
static int check_object(const char *file, enum normalize_kind kind, const json_t *x)
{
    int fails = 0;
    json_t *n1 = normalize(kind, x);
    json_t *n2 = normalize(kind, n1);
    json_t *sim = kind == NK_CA_POLICY ? simulate_policy(x) : simulate_location(x);
    json_t *ns = normalize(kind, sim);
    struct jsondiff d;

    jsondiff_compute(n1, n2, &d);
    if (d.n) {
        fprintf(stderr, "  %s: normalize is not idempotent\n", file);
        print_diff("idempotence", &d);
        fails++;
    }
    jsondiff_fini(&d);

    jsondiff_compute(n1, ns, &d);
    if (d.n) {
        fprintf(stderr, "  %s: round trip shows %zu change(s)\n", file, d.n);
        print_diff("round trip", &d);
        fails++;
    }
    jsondiff_fini(&d);

    /* nothing real dropped: the name, and for policies the applications condition */
    if (!json_object_get(n1, "displayName")) {
        fprintf(stderr, "  %s: displayName lost\n", file);
        fails++;
    }
    if (kind == NK_CA_POLICY &&
        !json_object_get(json_object_get(n1, "conditions"), "applications")) {
        fprintf(stderr, "  %s: conditions.applications lost\n", file);
        fails++;
    }
    if (kind == NK_NAMED_LOCATION && !json_object_get(n1, "kind")) {
        fprintf(stderr, "  %s: location kind unknown\n", file);
        fails++;
    }
    json_decref(n1);
    json_decref(n2);
    json_decref(sim);
    json_decref(ns);
    return fails;
}

static void check_file(const char *path, struct folder_stats *fs)
{
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc) {
        fprintf(stderr, "  %s: not JSON: %s (line %d)\n", path, err.text, err.line);
        fs->failures++;
        return;
    }
    const json_t *list = doc;
    if (json_is_object(doc) && json_is_array(json_object_get(doc, "value")))
        list = json_object_get(doc, "value");
    size_t n = json_is_array(list) ? json_array_size(list) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_is_array(list) ? json_array_get(list, i) : list;
        if (!json_is_object(o))
            continue;
        if (is_policy(o)) {
            fs->policies++;
            fs->failures += check_object(path, NK_CA_POLICY, o) ? 1 : 0;
        } else if (is_location(o)) {
            fs->locations++;
            fs->failures += check_object(path, NK_NAMED_LOCATION, o) ? 1 : 0;
        }
    }
    json_decref(doc);
}

static void walk(const char *dir, struct folder_stats *fs)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    /* sorted for a stable report */
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "_invalid") ||
            !strcmp(e->d_name, "_raw_utf16"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(p, fs);
        } else {
            size_t len = strlen(p);
            if (len > 5 && strcmp(p + len - 5, ".json") == 0)
                check_file(p, fs);
        }
        free(p);
        free(names[i]);
    }
    free(names);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const struct folder_stats *)a)->name, ((const struct folder_stats *)b)->name);
}

static void test_corpus_roundtrip(void **state)
{
    (void)state;
    char *corpus = corpus_path();
    DIR *d = opendir(corpus);
    if (!d) {
        printf("skipped: corpus not found (%s)\n", corpus);
        free(corpus);
        skip();
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && g_nfolders < IDPC_ARRAY_LEN(g_folders)) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_')
            continue;
        char *p = xasprintf("%s/%s", corpus, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            struct folder_stats *fs = &g_folders[g_nfolders++];
            memset(fs, 0, sizeof(*fs));
            snprintf(fs->name, sizeof(fs->name), "%s", e->d_name);
        }
        free(p);
    }
    closedir(d);
    qsort(g_folders, g_nfolders, sizeof(g_folders[0]), cmp_names);
    for (size_t i = 0; i < g_nfolders; i++) {
        struct folder_stats *fs = &g_folders[i];
        char *p = xasprintf("%s/%s", corpus, fs->name);
        walk(p, fs);
        free(p);
        printf("%s: %d policies, %d named locations, %d failures\n", fs->name, fs->policies,
               fs->locations, fs->failures);
        g_total_failures += fs->failures;
        g_total_objects += fs->policies + fs->locations;
    }
    free(corpus);
    printf("total: %d objects, %d failures\n", g_total_objects, g_total_failures);
    /* the shared corpus has ~300 policies and ~240 locations, the fixtures 16 and 6; far fewer
     * means the walk broke */
    assert_true(g_total_objects >= (corpus_is_shared() ? 400 : 22));
    assert_int_equal(g_total_failures, 0);
}

int main(void)
{
    /* Without the shared corpus the conformance pass is a skip (exit 77, SKIP_RETURN_CODE in
     * ctest); the fixtures are part of the repository and always there. */
    char *corpus = corpus_path();
    struct stat st;
    bool have = stat(corpus, &st) == 0 && S_ISDIR(st.st_mode);
    if (!have)
        printf("skipped: corpus not found (%s)\n", corpus);
    free(corpus);
    if (!have)
        return 77;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
