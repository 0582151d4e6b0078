/* test_plan_freeze.c — a plan of a model whose named locations are frozen (plan_freeze_model,
 * compiler/model.h) is the plan of the same model unfrozen, byte for byte; resolve leaves the
 * frozen bodies frozen, and the plan thaws each one only while planning it. */
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

static char *source_path(const char *rel)
{
    const char *src = getenv("IDPC_SOURCE_DIR");
    return src ? xasprintf("%s/%s", src, rel) : NULL;
}

/* Compiles Contoso's configuration (contoso true) or CONFIG into cr. */
static void compile_config(bool contoso, struct compile_result *cr)
{
    if (contoso) {
        char *dir = source_path("policies/contoso");
        const char *paths[] = {dir};
        assert_int_equal(compile_paths(paths, 1, false, cr), 0);
        free(dir);
    } else {
        struct compile_source src = {"freeze.idp", CONFIG, sizeof(CONFIG) - 1};
        assert_int_equal(compile_sources(&src, 1, false, cr), 0);
    }
    assert_non_null(cr->model);
    compile_drop_tree(cr);
}

static struct backend *open_tenant(void)
{
    char *path = source_path("policies/contoso-tenant.json");
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

/* The plan's text (with its impact section), of the model frozen or not; `release` as the CLI
 * asks. The diagnostics' text goes to *diag_text. */
static char *plan_text(bool contoso, bool freeze, bool release, char **diag_text)
{
    struct compile_result cr;
    compile_config(contoso, &cr);
    size_t locations = 0, trees;
    for (size_t i = 0; i < cr.model->n; i++)
        locations += cr.model->objects[i].kind == MODEL_NAMED_LOCATION;
    assert_true(locations >= 2);
    if (freeze) {
        plan_freeze_model(cr.model);
        assert_int_equal(count_frozen(cr.model, &trees), locations);
        assert_int_equal(trees, 0);
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

static void same_plans(bool contoso)
{
    char *want_diag, *diag;
    char *want = plan_text(contoso, false, false, &want_diag);
    for (int v = 0; v < 3; v++) { /* frozen; frozen and released; released only */
        char *got = plan_text(contoso, v < 2, v >= 1, &diag);
        assert_string_equal(got, want);
        assert_string_equal(diag, want_diag);
        free(got);
        free(diag);
    }
    free(want);
    free(want_diag);
}

static void test_contoso_plan_unchanged(void **state)
{
    (void)state;
    if (!getenv("IDPC_SOURCE_DIR")) {
        printf("skipped: IDPC_SOURCE_DIR is not set (run through ctest)\n");
        skip();
    }
    same_plans(true);
}

static void test_update_replace_create_unchanged(void **state)
{
    (void)state;
    if (!getenv("IDPC_SOURCE_DIR")) {
        printf("skipped: IDPC_SOURCE_DIR is not set (run through ctest)\n");
        skip();
    }
    char *d;
    char *text = plan_text(false, true, true, &d);
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
    same_plans(false);
}

/* resolve reads a frozen location's type without a thaw (the replace), and leaves its resolved
 * body to the plan; resolve_thaw and resolve_release make and drop one tree. */
static void test_resolve_does_not_thaw(void **state)
{
    (void)state;
    if (!getenv("IDPC_SOURCE_DIR")) {
        printf("skipped: IDPC_SOURCE_DIR is not set (run through ctest)\n");
        skip();
    }
    struct compile_result cr;
    compile_config(false, &cr);
    plan_freeze_model(cr.model);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
