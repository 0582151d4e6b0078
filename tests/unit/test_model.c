/* test_model.c — the model's shared constants and lazy extra data (compiler/model.h), and the
 * arena helpers the compiler uses while lowering (compiler/util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compile.h"
#include "compiler/model.h"
#include "compiler/util.h"

static void test_const_string_shared(void **state)
{
    (void)state;
    json_t *a = model_const_string("#microsoft.graph.iPv4CidrRange");
    char text[] = "#microsoft.graph.iPv4CidrRange"; /* same text at another address */
    json_t *b = model_const_string(text);
    json_t *c = model_const_string("#microsoft.graph.iPv6CidrRange");
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_string_equal(json_string_value(a), "#microsoft.graph.iPv4CidrRange");
    assert_string_equal(json_string_value(c), "#microsoft.graph.iPv6CidrRange");
    /* a text reused at the same address gets its own value, not the cached one */
    memcpy(text, "#microsoft.graph.iPv6CidrRange", sizeof(text));
    json_t *d = model_const_string(text);
    assert_ptr_equal(d, c);
    /* the users' references go, the shared value stays */
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(d);
    json_t *e = model_const_string("#microsoft.graph.iPv4CidrRange");
    assert_string_equal(json_string_value(e), "#microsoft.graph.iPv4CidrRange");
    json_decref(e);
}

static void test_extra_on_first_use(void **state)
{
    (void)state;
    struct diag_ctx *diag = diag_ctx_new();
    struct model *m = model_new();
    struct model_object *g = model_add(m, MODEL_GROUP, "Sales", DIAG_LOC_NONE);
    struct model_object *l = model_add(m, MODEL_NAMED_LOCATION, "Office", DIAG_LOC_NONE);
    g = &m->objects[0]; /* model_add may move the array */
    assert_null(g->extra);
    assert_null(json_object_get(l->extra, "members")); /* reading needs no extra */
    json_object_set_new(model_extra(g), "members", json_array());
    assert_non_null(g->extra);
    assert_ptr_equal(model_extra(g), g->extra);
    json_t *doc = model_to_json(m, diag);
    json_t *objs = json_object_get(doc, "objects");
    assert_int_equal(json_array_size(objs), 2);
    assert_non_null(json_object_get(json_array_get(objs, 0), "extra")); /* the group */
    assert_null(json_object_get(json_array_get(objs, 1), "extra"));     /* the location */
    json_decref(doc);
    model_free(m);
    diag_ctx_free(diag);
}

static void test_arena_cat_and_reset(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(arena_cat(a, "group", ":", "Sales", NULL), "group:Sales");
    assert_string_equal(arena_cat(a, "", NULL), "");
    assert_string_equal(arena_cat(a, "app \"", "Office 365", "\"", NULL), "app \"Office 365\"");
    /* past one block, and again after a reset */
    char big[40000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            char *s = arena_cat(a, "k", big + 39000, NULL);
            assert_int_equal(strlen(s), 1 + 999);
        }
        char *s = arena_cat(a, big, "!", NULL);
        assert_int_equal(strlen(s), sizeof(big));
        assert_int_equal(s[sizeof(big) - 1], '!');
        arena_reset(a);
    }
    assert_string_equal(arena_cat(a, "after", " reset", NULL), "after reset");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_const_string_shared),
        cmocka_unit_test(test_extra_on_first_use),
        cmocka_unit_test(test_arena_cat_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
