/* test_plan_reads.c — a plan made without its reads (plan_options.no_reads: `idpc plan` printing
 * text or markdown, saving nothing) is the plan made with them, byte for byte, but for "reads",
 * which stays empty; with them, every declared object the tenant has is read once. The named
 * locations taken with their keys instead of their fingerprints (plan_hold_location_keys,
 * plan_freeze_request_keyed: what `idpc plan` does without reads), on one side or both, change
 * nothing either. */
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
#include "runtime/tenant/backend.h"
#include "unit_source.h"

/* Against Contoso's tenant: a location updated, one replaced (a delete that waits for the
 * policy), one created, a policy changed. */
static const char CONFIG[] = "location \"Contoso HQ\" {\n"
                             "  ip \"198.51.100.0/24\"\n"
                             "}\n"
                             "location \"Old VPN egress (2019)\" {\n"
                             "  countries \"FR\", \"DE\"\n"
                             "  lookup ip\n"
                             "}\n"
                             "location \"Brand new\" {\n"
                             "  trusted\n"
                             "  ip \"192.0.2.0/24\"\n"
                             "}\n"
                             "policy \"Block the old VPN\" {\n"
                             "  state report_only\n"
                             "  users include all\n"
                             "  apps include all\n"
                             "  locations include location \"Old VPN egress (2019)\", location "
                             "\"Brand new\"\n"
                             "  grant block\n"
                             "}\n";

/* The plan of `path` against Contoso's tenant as compact JSON text (keys in the plan's order). */
/* How a plan takes the named locations: with their fingerprints (as for a saved plan), with their
 * keys (`idpc plan` printing text), or one side each way. */
enum take {
    TAKE_FINGERPRINTS,
    TAKE_KEYS,
    TAKE_KEYS_TENANT,
    TAKE_KEYS_MODEL
};

static char *plan_text(const char *path, bool no_reads, enum take take, size_t *nreads,
                       char **reads_text)
{
    const char *paths[] = {path};
    struct compile_options opt = {.freeze = take == TAKE_KEYS || take == TAKE_KEYS_MODEL
                                                ? plan_freeze_request_keyed()
                                                : plan_freeze_request()};
    struct compile_result cr;
    assert_int_equal(compile_paths_with(paths, 1, &opt, &cr), 0);
    assert_non_null(cr.model);
    compile_drop_tree(&cr);
    char *tpath = unit_source_path("policies/contoso-tenant.json");
    char *spec = xasprintf("file:%s", tpath);
    struct backend *b = NULL;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (take == TAKE_KEYS || take == TAKE_KEYS_TENANT)
        plan_hold_location_keys();
    else
        plan_hold_locations();
    if (backend_open(spec, &b, &err) != 0)
        fail_msg("backend_open: %s", err.message);
    plan_hold_locations();
    struct plan_options po = {.impact = true, .release_bodies = true, .no_reads = no_reads};
    json_t *plan = plan_build(cr.model, cr.diag, b, &po);
    assert_non_null(plan);
    json_t *reads = json_object_get(plan, "reads");
    assert_true(json_is_array(reads));
    *nreads = json_array_size(reads);
    *reads_text = json_dumps(reads, JSON_COMPACT);
    json_object_del(plan, "reads");
    char *text = json_dumps(plan, JSON_COMPACT);
    assert_non_null(text);
    json_decref(plan);
    backend_close(b);
    compile_free(&cr);
    free(spec);
    free(tpath);
    return text;
}

static void same_but_reads(const char *path)
{
    size_t with, without;
    char *want_reads, *reads;
    char *want = plan_text(path, false, TAKE_FINGERPRINTS, &with, &want_reads);
    assert_true(with > 0);
    for (int take = TAKE_FINGERPRINTS; take <= TAKE_KEYS_MODEL; take++) {
        char *got = plan_text(path, true, (enum take)take, &without, &reads);
        assert_int_equal(without, 0);
        assert_string_equal(got, want);
        free(got);
        free(reads);
        /* keys and reads: the reads are the fingerprints still */
        got = plan_text(path, false, (enum take)take, &without, &reads);
        assert_string_equal(got, want);
        assert_string_equal(reads, want_reads);
        free(got);
        free(reads);
    }
    free(want);
    free(want_reads);
}

static void test_contoso(void **state)
{
    (void)state;
    char *path = unit_source_path("policies/contoso");
    same_but_reads(path);
    free(path);
}

static void test_changes(void **state)
{
    (void)state;
    unit_need_source_dir();
    char dir[] = "/tmp/idpc-test-reads-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/changes.idp", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(CONFIG, 1, strlen(CONFIG), f), strlen(CONFIG));
    assert_int_equal(fclose(f), 0);
    same_but_reads(path);
    unlink(path);
    rmdir(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contoso),
        cmocka_unit_test(test_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
