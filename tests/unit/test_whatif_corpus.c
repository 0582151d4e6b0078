/* test_whatif_corpus.c — the what-if evaluator on a corpus of policies: every Conditional Access
 * policy of the repository's fixtures (tests/fixtures/corpus) or, as a conformance pass
 * (IDPC_CORPUS=shared), of the real exports in $IDPC_SHARED_DIR/corpus (single policies,
 * {"value": [...]} lists and arrays; _invalid and _raw_utf16 skipped) against a fixed set of
 * sign-ins without a crash; on the shared corpus also a dozen results checked by hand against
 * the documented semantics (docs/whatif.md). The conformance pass exits 77 ("skipped: ...") when
 * the shared folder is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "compiler/util.h"
#include "runtime/analysis/whatif.h"

#define EXO        "00000002-0000-0ff1-ce00-000000000000"
#define INTUNE_ENR "d4ebce55-015a-49b5-a083-c84d1797ae8c"
/* philippkohn persona groups (ids of that demo tenant) */
#define INTERNALS   "b86af40e-e4f0-4e83-a2bb-ef5321269384"
#define GUESTADMINS "40faab60-cf39-4f9d-a890-bdd59622c497"

static char corpus[4096];

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

/* ---- walking the corpus --------------------------------------------------------------------- */

struct walk {
    json_t *policies;
    json_t *docs; /* keeps every parsed document alive */
    size_t files, unreadable, without_policies;
};

static bool is_location(const json_t *v)
{
    const char *t = json_string_value(json_object_get(v, "@odata.type"));
    return (t && strstr(t, "NamedLocation")) || json_object_get(v, "ipRanges") ||
           json_object_get(v, "countriesAndRegions");
}

static void walk_dir(const char *dir, struct walk *w, json_t *locations)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (n[0] == '.' || strcmp(n, "_invalid") == 0 || strcmp(n, "_raw_utf16") == 0)
            continue;
        char *path = xasprintf("%s/%s", dir, n);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk_dir(path, w, locations);
        } else if (strlen(n) > 5 && strcmp(n + strlen(n) - 5, ".json") == 0) {
            json_error_t je;
            json_t *doc = json_load_file(path, JSON_DECODE_ANY, &je);
            w->files++;
            if (!doc) {
                w->unreadable++;
            } else {
                json_array_append_new(w->docs, doc);
                if (whatif_collect(w->policies, doc) <= 0)
                    w->without_policies++;
                const json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "value");
                if (is_location(doc))
                    json_array_append(locations, doc);
                size_t i;
                json_t *v;
                json_array_foreach(list, i, v)
                {
                    if (is_location(v))
                        json_array_append(locations, v);
                }
            }
        }
        free(path);
    }
    closedir(d);
}

/* ---- the fixed sign-ins --------------------------------------------------------------------- */

static const char *const internals[] = {INTERNALS, NULL};
static const char *const ga[] = {"Global Administrator", NULL};
static const char *const named[] = {"Trusted Network", "Corporate Network", NULL};

static struct whatif_signin signins[11];

static void make_signins(json_t *device)
{
    struct whatif_signin base;
    memset(&base, 0, sizeof(base));
    base.user = "ada@contoso.com";
    base.app = EXO;
    base.platform = "windows";
    base.client_app = "browser";
    for (size_t i = 0; i < IDPC_ARRAY_LEN(signins); i++)
        signins[i] = base;
    signins[1].member_of = internals;
    signins[1].platform = NULL; /* unknown platform */
    signins[2].roles = ga;
    signins[2].app = "MicrosoftAdminPortals";
    signins[3].guest_type = "b2bCollaborationGuest";
    signins[3].external_tenant = "aaaaaaaa-0000-0000-0000-000000000001";
    signins[3].app = "Office365";
    signins[4].client_app = "exchangeActiveSync";
    signins[4].platform = "iOS";
    signins[5].sign_in_risk = "high";
    signins[5].user_risk = "high";
    signins[5].insider_risk = "elevated";
    signins[6].app = NULL;
    signins[6].action = "urn:user:registersecurityinfo";
    signins[6].ip = "2001:db8::5";
    signins[6].country = "unknown";
    signins[7].app = NULL;
    signins[7].auth_context = "c1";
    signins[7].locations = named;
    signins[7].mfa_trusted_ip = true;
    signins[8].auth_flow = "deviceCodeFlow";
    signins[8].client_app = "mobileAppsAndDesktopClients";
    signins[8].platform = "android";
    signins[8].ip = "203.0.113.9";
    signins[8].country = "KP";
    signins[9].device = device;
    signins[9].platform = "macOS";
    signins[10].user = NULL;
    signins[10].service_principal = "ServicePrincipalsInMyTenant";
}

static void test_corpus_no_crash(void **state)
{
    (void)state;
    struct whatif_inputs in;
    whatif_inputs_init(&in);
    struct walk w = {in.policies, json_array(), 0, 0, 0};
    walk_dir(corpus, &w, in.locations);
    size_t n = json_array_size(in.policies);
    printf("corpus: %zu files, %zu policies, %zu named locations (%zu unreadable, %zu without "
           "policies)\n",
           w.files, n, json_array_size(in.locations), w.unreadable, w.without_policies);
    /* the shared corpus has roughly 300 policy objects, the fixtures 16 */
    assert_true(n >= (corpus_is_shared() ? 250 : 16));

    json_t *device = json_pack("{s:s,s:b,s:s}", "trustType", "AzureAD", "isCompliant", 1,
                               "extensionAttribute1", "SAW");
    make_signins(device);
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    for (int forced = 0; forced < 2; forced++) {
        struct whatif_inputs ev = in;
        json_t *copies = NULL;
        if (forced) { /* most corpus policies are disabled: evaluate them as enabled too */
            copies = json_array();
            size_t i;
            json_t *v;
            json_array_foreach(in.policies, i, v)
            {
                json_t *c = json_copy(v);
                json_object_set_new(c, "state", json_string("enabled"));
                json_array_append_new(copies, c);
            }
            ev.policies = copies;
        }
        size_t counts[3] = {0}, applied = 0, reasons = 0;
        for (size_t k = 0; k < IDPC_ARRAY_LEN(signins); k++) {
            struct whatif_result r;
            char err[256];
            if (whatif_evaluate(&ev, &signins[k], &r, err, sizeof(err)) != 0)
                fail_msg("sign-in %zu: %s", k, err);
            /* plus Microsoft's mandatory MFA when the sign-in targets the admin portals */
            assert_true(r.n == json_array_size(ev.policies) ||
                        (r.n == json_array_size(ev.policies) + 1 && r.policies[r.n - 1].platform));
            counts[r.grant]++;
            for (size_t i = 0; i < r.n; i++) {
                applied += r.policies[i].applies;
                reasons += !r.policies[i].applies && r.policies[i].reason;
                assert_true(r.policies[i].applies || r.policies[i].reason);
            }
            json_t *j = whatif_result_to_json(&r);
            char *text = json_dumps(j, 0);
            assert_non_null(text);
            free(text);
            json_decref(j);
            whatif_result_print(&r, devnull);
            (void)whatif_can_satisfy(&r, (const char *const[]){"password", NULL});
            whatif_result_free(&r);
        }
        printf("%s: %zu sign-ins: %zu allow, %zu grant, %zu block; %zu policy applications, "
               "%zu not applied with a reason\n",
               forced ? "all enabled" : "as exported", IDPC_ARRAY_LEN(signins), counts[0],
               counts[1], counts[2], applied, reasons);
        if (forced) {
            assert_true(counts[2] > 0 && counts[1] > 0);
            json_decref(copies);
        }
    }
    fclose(devnull);
    json_decref(device);
    json_decref(w.docs);
    whatif_inputs_fini(&in);
}

/* ---- hand-checked cases on philippkohn's Zero Trust set ------------------------------------- */

/* Evaluates one philippkohn policy file, forced to "enabled", against s. */
static void eval_one(const char *prefix, const struct whatif_signin *s, struct whatif_result *r,
                     struct whatif_inputs *in)
{
    char *dir =
        xasprintf("%s/philippkohn__ConditionalAccessforZeroTrustResources/"
                  "ConditionalAccessSamplePolicies/M365x77476191.onmicrosoft.com-08-18-2023",
                  corpus);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    json_t *p = NULL;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            char *path = xasprintf("%s/%s", dir, e->d_name);
            p = json_load_file(path, 0, NULL);
            free(path);
            break;
        }
    closedir(d);
    free(dir);
    if (!p)
        fail_msg("no philippkohn policy %s", prefix);
    json_object_set_new(p, "state", json_string("enabled"));
    whatif_inputs_init(in);
    json_array_append_new(in->policies, p);
    char err[256];
    if (whatif_evaluate(in, s, r, err, sizeof(err)) != 0)
        fail_msg("%s: %s", prefix, err);
}

static void controls_are(const struct whatif_result *r, const char *want)
{
    char got[256] = "";
    for (size_t i = 0; i < r->ncontrols; i++) {
        size_t l = strlen(got);
        snprintf(got + l, sizeof(got) - l, "%s%s", i ? " " : "", r->controls[i]);
    }
    assert_string_equal(got, want);
}

/* expect: NULL = applies, else the reason; grant and controls checked when it applies. */
static void check(const char *prefix, const struct whatif_signin *s, const char *reason,
                  enum whatif_grant grant, const char *controls)
{
    struct whatif_inputs in;
    struct whatif_result r;
    eval_one(prefix, s, &r, &in);
    if (reason) {
        assert_false(r.policies[0].applies);
        assert_string_equal(r.policies[0].reason, reason);
        assert_int_equal(r.grant, WHATIF_ALLOW);
    } else {
        if (!r.policies[0].applies)
            fail_msg("%s does not apply: %s (%s)", prefix, r.policies[0].reason,
                     r.policies[0].detail);
        assert_int_equal(r.grant, grant);
        controls_are(&r, controls);
    }
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
}

static struct whatif_signin member(void)
{
    struct whatif_signin s;
    memset(&s, 0, sizeof(s));
    s.user = "ada@contoso.com";
    s.app = EXO;
    s.platform = "windows";
    s.client_app = "browser";
    return s;
}

static void test_hand_checked(void **state)
{
    (void)state;
    size_t cases = 0;
    struct whatif_signin s = member();
    /* CA001 blocks all users except the persona groups and B2B guests / service providers
     * ("The exclude action overrides the include action"). */
    check("CA001", &s, NULL, WHATIF_BLOCK, "block"), cases++;
    s.member_of = internals;
    check("CA001", &s, "users", 0, NULL), cases++;
    s = member();
    s.guest_type = "b2bCollaborationGuest";
    s.external_tenant = "aaaaaaaa-0000-0000-0000-000000000001";
    check("CA001", &s, "users", 0, NULL), cases++;
    /* CA207: any device minus android/iOS/windows/macOS: an unknown platform is blocked
     * (howto-policy-unknown-unsupported-device.md), windows is excluded. */
    s = member();
    s.member_of = internals;
    s.platform = NULL;
    check("CA207", &s, NULL, WHATIF_BLOCK, "block"), cases++;
    s.platform = "windows";
    check("CA207", &s, "platform", 0, NULL), cases++;
    /* CA204 blocks legacy authentication: "Other clients" yes, browsers no. */
    s.client_app = "other";
    check("CA204", &s, NULL, WHATIF_BLOCK, "block"), cases++;
    s.client_app = "browser";
    check("CA204", &s, "clientApp", 0, NULL), cases++;
    /* CA004 targets the user action "Register or join devices" only. */
    s = member();
    s.app = NULL;
    s.action = "urn:user:registerdevice";
    check("CA004", &s, NULL, WHATIF_GRANT, "mfa"), cases++;
    s = member();
    check("CA004", &s, "application", 0, NULL), cases++;
    /* CA200: compliant OR hybrid joined device, Intune Enrollment excluded. */
    s.member_of = internals;
    check("CA200", &s, NULL, WHATIF_GRANT, "compliantDevice domainJoinedDevice"), cases++;
    s.app = INTUNE_ENR;
    check("CA200", &s, "application", 0, NULL), cases++;
    /* CA203: MFA for high sign-in risk; no risk given means "none". */
    s.app = EXO;
    check("CA203", &s, "signInRisk", 0, NULL), cases++;
    s.sign_in_risk = "high";
    check("CA203", &s, NULL, WHATIF_GRANT, "mfa"), cases++;
    /* CA202: MFA and password change (AND) for high user risk. */
    s.user_risk = "high";
    check("CA202", &s, NULL, WHATIF_GRANT, "mfa passwordChange"), cases++;
    /* CA206: app protection for Office 365 on iOS/Android only. */
    s = member();
    s.member_of = internals;
    s.platform = "iOS";
    check("CA206", &s, NULL, WHATIF_GRANT, "compliantApplication"), cases++;
    s.platform = "windows";
    check("CA206", &s, "platform", 0, NULL), cases++;
    /* CA404: guests are blocked from the admin portals, not from Exchange. */
    s = member();
    s.guest_type = "serviceProvider";
    s.app = "MicrosoftAdminPortals";
    check("CA404", &s, NULL, WHATIF_BLOCK, "block"), cases++;
    s.app = EXO;
    check("CA404", &s, "application", 0, NULL), cases++;
    /* CA003 blocks a named location the inputs do not describe: only a sign-in that says it is
     * there matches. */
    s = member();
    check("CA003", &s, "location", 0, NULL), cases++;
    const char *const there[] = {"1cc46ea8-2d4c-460f-99e4-05514e70bea1", NULL};
    s.locations = there;
    check("CA003", &s, NULL, WHATIF_BLOCK, "block"), cases++;

    /* CA506 is session-only: access is allowed with a 4-hour sign-in frequency and no
     * persistent browser. */
    struct whatif_inputs in;
    struct whatif_result r;
    s = member();
    const char *const guestadmins[] = {GUESTADMINS, NULL};
    s.member_of = guestadmins;
    eval_one("CA506", &s, &r, &in);
    assert_true(r.policies[0].applies);
    assert_int_equal(r.grant, WHATIF_ALLOW);
    const json_t *sif = json_object_get(r.session, "signInFrequency");
    assert_int_equal(json_integer_value(json_object_get(sif, "value")), 4);
    assert_string_equal(json_string_value(json_object_get(sif, "type")), "hours");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.session, "persistentBrowser"), "mode")),
        "never");
    whatif_result_free(&r);
    whatif_inputs_fini(&in);
    cases++;
    printf("hand-checked: %zu cases\n", cases);
}

int main(void)
{
    char *path = corpus_path();
    snprintf(corpus, sizeof(corpus), "%s", path);
    free(path);
    struct stat st;
    if (stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("skipped: the corpus is missing (%s); set IDPC_SHARED_DIR\n", corpus);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_no_crash),
        cmocka_unit_test(test_hand_checked),
    };
    const struct CMUnitTest fixtures[] = {
        cmocka_unit_test(test_corpus_no_crash),
    };
    if (!corpus_is_shared()) /* the hand-checked cases are about the shared corpus's files */
        return cmocka_run_group_tests(fixtures, NULL, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
