/* test_plan_freeze.c — a plan of a model whose named locations are frozen (plan_freeze_model
 * after the compile, or plan_freeze_request during it as `idpc plan` asks; compiler/model.h) is
 * the plan of the same model unfrozen, byte for byte, with the same diagnostics; resolve leaves
 * the frozen bodies frozen, and the plan thaws each one only while planning it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler/compile.h"
#include "compiler/model.h"
#include "compiler/util.h"
#include "runtime/plan/plan.h"
#include "runtime/plan/resolve.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"
#include "unit_source.h"

/* Against Contoso's tenant (policies/contoso-tenant.json): "Contoso HQ" is updated (no longer
 * trusted, other ranges), "Old VPN egress (2019)" replaced (IP ranges become countries, and the
 * policy that names it points at its successor), "Brand new" created. */
static const char CONFIG[] =
    "location \"Contoso HQ\" {\n"
    "  ip \"198.51.100.0/24\"\n"
    "}\n"
    "location \"Old VPN egress (2019)\" {\n"
    "  countries \"FR\", \"DE\"\n"
    "  lookup ip\n"
    "}\n"
    "location \"Brand new\" {\n"
    "  trusted\n"
    "  ip \"192.0.2.0/24\", \"2001:db8:1::/48\"\n"
    "}\n"
    "policy \"Block the old VPN\" {\n"
    "  state report_only\n"
    "  users include all\n"
    "  apps include all\n"
    "  locations include location \"Old VPN egress (2019)\", location \"Brand new\"\n"
    "  grant block\n"
    "}\n";

/* Every warning lower_location gives (host bits, a range listed twice, a range inside another,
 * private address space, a country listed twice), an unused template and a cross-declaration
 * check (a strength register_device cannot use) that run after the locations are frozen. */
static const char CONFIG_WARN[] =
    "location \"Warned ranges\" {\n"
    "  ip \"203.0.113.7/24\", \"198.51.100.0/24\", \"198.51.100.0/24\", \"198.51.100.128/25\"\n"
    "  ip \"10.0.0.0/8\", \"2001:db8::/32\"\n"
    "}\n"
    "location \"Warned countries\" {\n"
    "  countries \"FR\", \"DE\", \"FR\"\n"
    "}\n"
    "template unused {\n"
    "  grant mfa\n"
    "}\n"
    "strength \"Device bound\" {\n"
    "  allow fido2\n"
    "}\n"
    "policy \"Block warned places\" {\n"
    "  state report_only\n"
    "  users include all\n"
    "  apps include all\n"
    "  locations include location \"Warned ranges\", location \"Warned countries\"\n"
    "  grant block\n"
    "}\n"
    "policy \"Register with a passkey\" {\n"
    "  state report_only\n"
    "  users include all\n"
    "  apps include action register_device\n"
    "  grant strength \"Device bound\"\n"
    "}\n";

enum config {
    CFG_CONTOSO,
    CFG_CHANGES,
    CFG_WARNINGS
};

/* A temporary folder of this process for the configurations' files, or NULL before the first
 * config_file. */
static char tmp_dir[] = "/tmp/idpc-test-freeze-XXXXXX";
static bool tmp_made;

static char *config_dir(void)
{
    return tmp_made ? tmp_dir : NULL;
}

/* The configuration's one file (a plan's diagnostics name it), written again at each call. */
static char *config_file(enum config which)
{
    if (!tmp_made) {
        assert_non_null(mkdtemp(tmp_dir));
        tmp_made = true;
    }
    const char *dir = tmp_dir;
    const char *text = which == CFG_CHANGES ? CONFIG : CONFIG_WARN;
    char *path = xasprintf("%s/%s.idp", dir, which == CFG_CHANGES ? "freeze" : "warn");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Compiles Contoso's configuration or one of the others into cr; `early`: with the freeze
 * `idpc plan` asks of the compile (each location frozen as soon as it is lowered). */
static void compile_config(enum config which, bool early, struct compile_result *cr)
{
    char *path = which == CFG_CONTOSO ? unit_source_path("policies/contoso") : config_file(which);
    const char *paths[] = {path};
    struct compile_options opt = {.werror = false};
    if (early)
        opt.freeze = plan_freeze_request();
    assert_int_equal(compile_paths_with(paths, 1, &opt, cr), 0);
    free(path);
    assert_non_null(cr->model);
    compile_drop_tree(cr);
}

static struct backend *open_tenant(void)
{
    char *path = unit_source_path("policies/contoso-tenant.json");
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (backend_open(spec, &b, &err) != 0)
        fail_msg("backend_open: %s", err.message);
    free(spec);
    free(path);
    return b;
}

static size_t count_frozen(const struct model *m, size_t *with_tree)
{
    size_t n = 0;
    *with_tree = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (!model_is_frozen(&m->objects[i]))
            continue;
        n++;
        if (m->objects[i].body)
            (*with_tree)++;
    }
    return n;
}

/* How the model's locations are held while it is planned. */
enum hold {
    HOLD_TREES,        /* as `idpc validate` leaves them */
    HOLD_FROZEN_AFTER, /* plan_freeze_model after the compile */
    HOLD_FROZEN_EARLY, /* plan_freeze_request: frozen during the compile */
};

static size_t count_locations(const struct model *m)
{
    size_t locations = 0;
    for (size_t i = 0; i < m->n; i++)
        locations += m->objects[i].kind == MODEL_NAMED_LOCATION;
    return locations;
}

/* The plan's text (with its impact section), of the model held as `hold` says; `release` as the
 * CLI asks. The diagnostics' text goes to *diag_text. */
static char *plan_text(enum config which, enum hold hold, bool release, char **diag_text)
{
    struct compile_result cr;
    compile_config(which, hold == HOLD_FROZEN_EARLY, &cr);
    size_t locations = count_locations(cr.model), trees;
    assert_true(locations >= 2);
    if (hold == HOLD_FROZEN_AFTER)
        plan_freeze_model(cr.model);
    bool freeze = hold != HOLD_TREES;
    if (freeze) {
        assert_int_equal(count_frozen(cr.model, &trees), locations);
        assert_int_equal(trees, 0);
    } else {
        assert_int_equal(count_frozen(cr.model, &trees), 0);
    }
    struct backend *b = open_tenant();
    struct plan_options po = {.impact = true, .release_bodies = release};
    json_t *plan = plan_build(cr.model, cr.diag, b, &po);
    assert_non_null(plan);
    if (freeze && !release) { /* each thawed while planned, and released again */
        assert_int_equal(count_frozen(cr.model, &trees), locations);
        assert_int_equal(trees, 0);
    }
    if (release) { /* neither trees nor texts are left */
        assert_int_equal(count_frozen(cr.model, &trees), 0);
        for (size_t i = 0; i < cr.model->n; i++)
            if (cr.model->objects[i].kind == MODEL_NAMED_LOCATION)
                assert_true(json_is_null(cr.model->objects[i].body));
    }
    char *text = json_dumps(plan, JSON_COMPACT); /* keys in the plan's own order */
    assert_non_null(text);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    diag_render(cr.diag, f, DIAG_FMT_TEXT, false);
    fclose(f);
    *diag_text = buf;
    json_decref(plan);
    backend_close(b);
    compile_free(&cr);
    return text;
}

static void same_plans(enum config which)
{
    char *want_diag, *diag;
    char *want = plan_text(which, HOLD_TREES, false, &want_diag);
    static const struct {
        enum hold hold;
        bool release;
    } ways[] = {{HOLD_FROZEN_AFTER, false},
                {HOLD_FROZEN_AFTER, true},
                {HOLD_TREES, true},
                {HOLD_FROZEN_EARLY, false},
                {HOLD_FROZEN_EARLY, true}};
    for (size_t v = 0; v < IDPC_ARRAY_LEN(ways); v++) {
        char *got = plan_text(which, ways[v].hold, ways[v].release, &diag);
        assert_string_equal(got, want);
        assert_string_equal(diag, want_diag);
        free(got);
        free(diag);
    }
    free(want);
    free(want_diag);
}

/* A model compiled with the early freeze is the model frozen after the compile: the same
 * objects, the same frozen texts and fingerprints, the same other bodies, the same
 * diagnostics. */
static void same_models(enum config which)
{
    struct compile_result late, early;
    compile_config(which, false, &late);
    compile_config(which, true, &early);
    size_t trees;
    assert_int_equal(count_frozen(late.model, &trees), 0);
    size_t locations = count_locations(late.model);
    const struct model_freeze_request how = plan_freeze_request();
    assert_int_equal(model_freeze_as(late.model, MODEL_NAMED_LOCATION, &how), locations);
    /* nothing left to freeze */
    assert_int_equal(model_freeze_as(early.model, MODEL_NAMED_LOCATION, &how), 0);
    assert_int_equal(early.model->n, late.model->n);
    for (size_t i = 0; i < late.model->n; i++) {
        struct model_object *a = &late.model->objects[i], *b = &early.model->objects[i];
        assert_int_equal(a->kind, b->kind);
        assert_string_equal(a->name, b->name);
        assert_int_equal(model_is_frozen(a), model_is_frozen(b));
        if (model_is_frozen(a)) {
            assert_null(b->body);
            assert_string_equal(a->frozen, b->frozen);
            assert_ptr_equal(a->frozen_codec, b->frozen_codec);
            assert_non_null(b->frozen_digest);
            assert_string_equal(a->frozen_digest, b->frozen_digest);
            assert_string_equal(model_body_type(a), model_body_type(b));
            /* the digest is the fingerprint of the body the text thaws to */
            char *fp = plan_location_fingerprint(model_body(b));
            assert_string_equal(fp, b->frozen_digest);
            free(fp);
            /* both thaw to the same body, members in the same order */
            char *ta = json_dumps(model_body(a), JSON_COMPACT | JSON_ENCODE_ANY);
            char *tb = json_dumps(model_body(b), JSON_COMPACT | JSON_ENCODE_ANY);
            assert_string_equal(ta, tb);
            free(ta);
            free(tb);
            model_body_release(a);
            model_body_release(b);
        } else {
            assert_true(json_equal(a->body, b->body));
        }
    }
    char *da = NULL, *db = NULL;
    size_t la = 0, lb = 0;
    FILE *fa = open_memstream(&da, &la), *fb = open_memstream(&db, &lb);
    diag_render(late.diag, fa, DIAG_FMT_TEXT, false);
    diag_render(early.diag, fb, DIAG_FMT_TEXT, false);
    fclose(fa);
    fclose(fb);
    assert_string_equal(da, db);
    free(da);
    free(db);
    compile_free(&late);
    compile_free(&early);
}

static void test_contoso_plan_unchanged(void **state)
{
    (void)state;
    unit_need_source_dir();
    same_plans(CFG_CONTOSO);
    same_models(CFG_CONTOSO);
}

static void test_update_replace_create_unchanged(void **state)
{
    (void)state;
    unit_need_source_dir();
    char *d;
    char *text = plan_text(CFG_CHANGES, HOLD_FROZEN_EARLY, true, &d);
    json_t *plan = json_loads(text, 0, NULL);
    assert_non_null(plan);
    /* the cases this test is for */
    const char *ops[][2] = {{"Contoso HQ", "update"},
                            {"Old VPN egress (2019)", "replace"},
                            {"Brand new", "create"},
                            {"Block the old VPN", "create"}};
    for (size_t k = 0; k < IDPC_ARRAY_LEN(ops); k++) {
        bool found = false;
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(plan, "actions"), i, a)
        {
            if (strcmp(json_string_value(json_object_get(a, "name")), ops[k][0]) == 0) {
                assert_string_equal(json_string_value(json_object_get(a, "op")), ops[k][1]);
                found = true;
            }
        }
        if (!found)
            fail_msg("no action for \"%s\"", ops[k][0]);
    }
    json_decref(plan);
    free(text);
    free(d);
    same_plans(CFG_CHANGES);
    same_models(CFG_CHANGES);
}

/* The location warnings, and the checks that run after the locations are frozen, say the same
 * with the early freeze; the plan is the same. */
static void test_location_warnings_unchanged(void **state)
{
    (void)state;
    unit_need_source_dir();
    char *d;
    char *text = plan_text(CFG_WARNINGS, HOLD_FROZEN_EARLY, true, &d);
    static const char *const want[] = {
        "warn.idp:2:6: warning: '203.0.113.7/24' has host bits set after the /24 prefix",
        "warn.idp:2:43: warning: the range 198.51.100.0/24 is listed twice",
        "warn.idp:2:62: warning: the range 198.51.100.128/25 lies inside 198.51.100.0/24",
        "warn.idp:3:6: warning: 10.0.0.0/8 is private address space",
        "warn.idp:6:25: warning: country 'FR' is listed twice",
        "warn.idp:8:10: warning: template 'unused' is never used",
        ("warn.idp:21:1: warning: policy 'Register with a passkey' requires a strength that "
         "only Windows Hello"), /* one message, in two pieces */
    };
    for (size_t k = 0; k < IDPC_ARRAY_LEN(want); k++)
        if (!strstr(d, want[k]))
            fail_msg("no \"%s\" in:\n%s", want[k], d);
    assert_non_null(strstr(text, "\"Warned ranges\""));
    free(text);
    free(d);
    same_plans(CFG_WARNINGS);
    same_models(CFG_WARNINGS);
}

/* Without a request nothing is frozen (validate, compile, whatif, the language server...). */
static void test_no_request_no_freeze(void **state)
{
    (void)state;
    struct compile_result cr;
    compile_config(CFG_WARNINGS, false, &cr);
    size_t trees;
    assert_int_equal(count_frozen(cr.model, &trees), 0);
    for (size_t i = 0; i < cr.model->n; i++)
        assert_true(json_is_object(cr.model->objects[i].body));
    compile_free(&cr);
}

/* resolve reads a frozen location's type without a thaw (the replace), and leaves its resolved
 * body to the plan; resolve_thaw and resolve_release make and drop one tree. */
static void test_resolve_does_not_thaw(void **state)
{
    (void)state;
    unit_need_source_dir();
    struct compile_result cr;
    compile_config(CFG_CHANGES, true, &cr);
    struct backend *b = open_tenant();
    struct tenant t;
    struct backend_error err;
    assert_int_equal(tenant_load(&t, b, &err), 0);
    struct resolve r;
    assert_int_equal(resolve_run(&r, cr.model, cr.diag, &t), 0);
    size_t trees;
    assert_int_equal(count_frozen(cr.model, &trees), 3);
    assert_int_equal(trees, 0);
    bool replaced = false;
    for (size_t i = 0; i < cr.model->n; i++) {
        struct resolve_object *ro = &r.v[i];
        if (!model_is_frozen(ro->obj)) {
            assert_non_null(ro->body); /* the policy: resolved as before */
            resolve_thaw(ro);          /* no-ops */
            resolve_release(ro);
            assert_non_null(ro->body);
            continue;
        }
        assert_null(ro->body);
        if (strcmp(ro->obj->name, "Old VPN egress (2019)") == 0) {
            assert_non_null(ro->replace);
            replaced = true;
        } else {
            assert_null(ro->replace);
        }
        resolve_thaw(ro);
        assert_non_null(ro->body);
        assert_ptr_equal(ro->body, ro->obj->body);
        assert_string_equal(json_string_value(json_object_get(ro->body, "displayName")),
                            ro->obj->name);
        resolve_release(ro);
        assert_null(ro->body);
        assert_null(ro->obj->body);
        assert_true(model_is_frozen(ro->obj));
    }
    assert_true(replaced);
    resolve_fini(&r);
    tenant_free(&t);
    backend_close(b);
    compile_free(&cr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contoso_plan_unchanged),
        cmocka_unit_test(test_update_replace_create_unchanged),
        cmocka_unit_test(test_resolve_does_not_thaw),
        cmocka_unit_test(test_location_warnings_unchanged),
        cmocka_unit_test(test_no_request_no_freeze),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *dir = config_dir();
    if (dir) {
        for (int w = CFG_CHANGES; w <= CFG_WARNINGS; w++) {
            char *p = xasprintf("%s/%s.idp", dir, w == CFG_CHANGES ? "freeze" : "warn");
            (void)unlink(p);
            free(p);
        }
        (void)rmdir(dir);
    }
    return rc;
}
