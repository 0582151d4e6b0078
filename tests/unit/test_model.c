/* test_model.c — the model's shared constants, lazy extra data and frozen bodies
 * (compiler/model.h), and the arena helpers the compiler uses while lowering (compiler/util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static const char freeze_src[] = "location \"Office\" {\n"
                                 "  trusted\n"
                                 "  ip \"198.51.100.0/24\", \"2001:db8:c0::/48\"\n"
                                 "}\n"
                                 "location \"Embargo\" {\n"
                                 "  countries \"CU\", \"IR\"\n"
                                 "  lookup ip\n"
                                 "}\n"
                                 "location \"Caf\xc3\xa9 \\\"Paris\\\"\" {\n"
                                 "  ip \"203.0.113.0/25\"\n"
                                 "}\n"
                                 "group \"Sales\" {\n"
                                 "  description \"the sales team\"\n"
                                 "}\n";

static void compile_freeze_src(struct compile_result *cr)
{
    struct compile_source src = {"t.idp", freeze_src, sizeof(freeze_src) - 1};
    assert_int_equal(compile_sources(&src, 1, false, cr), 0);
    assert_non_null(cr->model);
}

/* The same JSON with the keys in the same order. */
static void assert_same_text(const json_t *a, const json_t *b)
{
    char *ta = json_dumps(a, JSON_COMPACT);
    char *tb = json_dumps(b, JSON_COMPACT);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
}

/* model_freeze's digest: the name the body had, so that a test can tell it was called on the
 * tree before it was dropped */
static size_t digests;
static char *name_digest(const json_t *body)
{
    digests++;
    return xasprintf("digest of %s", json_string_value(json_object_get(body, "displayName")));
}

static void test_freeze_digest(void **state)
{
    (void)state;
    struct compile_result cr;
    compile_freeze_src(&cr);
    struct model *m = cr.model;
    digests = 0;
    assert_int_equal(model_freeze(m, MODEL_NAMED_LOCATION, name_digest), 3);
    assert_int_equal(digests, 3); /* once per frozen body, and only those */
    for (size_t i = 0; i < m->n; i++) {
        struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_NAMED_LOCATION) {
            assert_null(o->frozen_digest);
            continue;
        }
        char *want = xasprintf("digest of %s", o->name);
        assert_string_equal(o->frozen_digest, want);
        free(want);
        /* kept through a thaw and a release, freed with the text */
        (void)model_body(o);
        model_body_release(o);
        assert_non_null(o->frozen_digest);
        model_body_drop(o);
        assert_null(o->frozen_digest);
    }
    assert_int_equal(digests, 3);
    compile_free(&cr);
}

static void test_freeze_round_trip(void **state)
{
    (void)state;
    struct compile_result cr;
    compile_freeze_src(&cr);
    struct model *m = cr.model;
    json_t *before = model_to_json(m, cr.diag);
    json_t *bodies = json_array(); /* copies of the trees as lowered */
    for (size_t i = 0; i < m->n; i++)
        json_array_append_new(bodies, json_deep_copy(m->objects[i].body));
    assert_int_equal(model_freeze(m, MODEL_NAMED_LOCATION, NULL), 3);
    assert_int_equal(model_freeze(m, MODEL_NAMED_LOCATION, NULL), 0); /* already frozen */
    size_t locations = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct model_object *o = &m->objects[i];
        const json_t *want = json_array_get(bodies, i);
        if (o->kind != MODEL_NAMED_LOCATION) {
            assert_false(model_is_frozen(o));
            continue;
        }
        locations++;
        assert_true(model_is_frozen(o));
        assert_null(o->body);
        /* the type without a thaw */
        assert_string_equal(model_body_type(o),
                            json_string_value(json_object_get(want, "@odata.type")));
        assert_null(o->body);
        /* the thaw: an equal tree, keys in the same order, owned by the object */
        json_t *b = model_body(o);
        assert_non_null(b);
        assert_ptr_equal(o->body, b);
        assert_ptr_equal(model_body(o), b); /* thawed once */
        assert_true(json_equal(b, want));
        assert_same_text(b, want);
        assert_string_equal(model_body_type(o),
                            json_string_value(json_object_get(want, "@odata.type")));
    }
    assert_int_equal(locations, 3);
    json_t *after = model_to_json(m, cr.diag);
    assert_same_text(before, after);
    json_decref(after);
    json_decref(before);
    json_decref(bodies);
    compile_free(&cr);
}

static void test_freeze_release_and_thaw_again(void **state)
{
    (void)state;
    struct compile_result cr;
    compile_freeze_src(&cr);
    struct model *m = cr.model;
    struct model_object *o = model_find(m, MODEL_NAMED_LOCATION, "Office");
    assert_non_null(o);
    json_t *want = json_deep_copy(o->body);
    model_freeze(m, MODEL_NAMED_LOCATION, NULL);
    json_t *first = json_incref(model_body(o));
    model_body_release(o);
    assert_null(o->body);
    assert_true(model_is_frozen(o));
    assert_int_equal(first->refcount, 1); /* the caller's reference: the object dropped its own */
    json_t *second = model_body(o);
    assert_ptr_not_equal(second, first);
    assert_true(json_equal(second, want));
    assert_same_text(second, first);
    json_decref(first);
    model_body_release(o);
    model_body_release(o); /* twice: nothing to drop */
    assert_null(o->body);
    /* dropped: neither tree nor text, JSON null, no longer frozen */
    (void)model_body(o);
    model_body_drop(o);
    assert_false(model_is_frozen(o));
    assert_true(json_is_null(o->body));
    assert_ptr_equal(model_body(o), o->body);
    assert_null(model_body_type(o));
    json_decref(want);
    compile_free(&cr);
}

static void test_freeze_leaves_others_alone(void **state)
{
    (void)state;
    struct compile_result cr;
    compile_freeze_src(&cr);
    struct model *m = cr.model;
    struct model_object *g = model_find(m, MODEL_GROUP, "Sales");
    assert_non_null(g);
    json_t *tree = g->body;
    model_freeze(m, MODEL_NAMED_LOCATION, NULL);
    /* thaw and release of an object that is not frozen: no-ops */
    assert_false(model_is_frozen(g));
    assert_ptr_equal(model_body(g), tree);
    model_body_release(g);
    assert_ptr_equal(g->body, tree);
    assert_int_equal(tree->refcount, 1);
    /* a body with a reference stays a tree (walks over references skip frozen bodies) */
    struct model_object *l = model_add(m, MODEL_NAMED_LOCATION, "With a ref", DIAG_LOC_NONE);
    json_object_set_new(l->body, "@odata.type",
                        model_const_string("#microsoft.graph.ipNamedLocation"));
    json_t *arr = json_array();
    json_array_append_new(arr, model_ref_name("group", "Sales", "t.idp:1:1"));
    json_object_set_new(l->body, "nested", json_pack("{s:o}", "list", arr));
    json_t *keep = l->body;
    assert_int_equal(model_freeze(m, MODEL_NAMED_LOCATION, NULL), 0);
    assert_false(model_is_frozen(l));
    assert_ptr_equal(l->body, keep);
    assert_string_equal(model_body_type(l), "#microsoft.graph.ipNamedLocation");
    /* a body that is not an object stays as it is */
    struct model_object *d = model_add(m, MODEL_NAMED_LOCATION, "Dropped", DIAG_LOC_NONE);
    model_body_drop(d);
    assert_int_equal(model_freeze(m, MODEL_NAMED_LOCATION, NULL), 0);
    assert_true(json_is_null(d->body));
    /* the locations nobody thawed are freed with the model, text and all (the leak check) */
    compile_free(&cr);
}

static void test_arena_cat_and_reset(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(arena_cat(a, "group", ":", "Sales", NULL), "group:Sales");
    assert_string_equal(arena_cat(a, "", NULL), "");
    assert_string_equal(arena_cat(a, "app \"", "Office 365", "\"", NULL), "app \"Office 365\"");
    /* more pieces than arena_cat keeps lengths for: the rest are measured again */
    assert_string_equal(arena_cat(a, "a", "bb", "", "ccc", "d", "e", "f", "g", "h", "i", "j", "k",
                                  "l", "m", "n", "o", "p16", "q", "", "rr", NULL),
                        "abbcccdefghijklmnop16qrr");
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

/* model_string makes what json_stringn makes, with or without its ASCII shortcut: the same text
 * and length, or NULL for invalid UTF-8 at any place (before, inside and after the first eight
 * bytes it reads as a word). */
static void test_string_like_json_stringn(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
    } cases[] = {
        {"", 0},
        {"a", 1},
        {"Site 0001", 9},
        {"52.0.0.0/24", 11},
        {"exactly8", 8},
        {"sixteen bytes!!!", 16},
        {"nul\0inside", 10},
        {"caf\xc3\xa9", 5},
        {"\xc3\xa9t\xc3\xa9 long enough to span words", 31},
        {"0123456\xc3\xa9", 9},
        {"01234567\xc3\xa9", 10},
        {"\xff", 1},
        {"abc\xff", 4},
        {"0123456789abcde\xff", 16},
        {"01234567\xc0\x80", 10},
        {"\xed\xa0\x80 surrogate", 13},
        {"\xf4\x90\x80\x80 too big", 12},
        {"\xe2\x82", 2},
        {"\x7f\x01 control", 10},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *want = json_stringn(cases[i].s, cases[i].len);
        json_t *got = model_string(cases[i].s, cases[i].len);
        if ((want == NULL) != (got == NULL))
            fail_msg("case %zu: json_stringn %s, model_string %s", i, want ? "a string" : "NULL",
                     got ? "a string" : "NULL");
        if (want) {
            assert_int_equal(json_string_length(got), json_string_length(want));
            assert_memory_equal(json_string_value(got), json_string_value(want),
                                json_string_length(want) + 1);
            assert_true(json_equal(got, want));
        }
        json_decref(want);
        json_decref(got);
    }
}

/* A reference's "at" names where it is written, also when one string serves every reference
 * made at that place (a template's line expanded in each policy that uses it): each group's
 * line and column, computed here from the text, in every policy. */
static void test_ref_at_shared_by_place(void **state)
{
    (void)state;
    const char *text = "template t {\n"
                       "  users exclude group \"A\", group \"B\"\n"
                       "}\n"
                       "policy \"P1\" {\n"
                       "  use t\n"
                       "  users include group \"C\", group \"A\"\n"
                       "  apps include all\n"
                       "  grant mfa\n"
                       "}\n"
                       "policy \"P2\" {\n"
                       "  use t\n"
                       "  users include  group \"A\"\n"
                       "  apps include all\n"
                       "  grant mfa\n"
                       "}\n"
                       "policy \"P3\" {\n"
                       "  users include group \"B\", group \"C\"\n"
                       "  use t\n"
                       "  apps include all\n"
                       "  grant mfa\n"
                       "}\n";
    struct compile_source src = {"t\xc3\xa9.idp", text, strlen(text)};
    struct compile_result r;
    assert_int_equal(compile_sources(&src, 1, false, &r), 0);
    size_t checked = 0;
    for (size_t i = 0; i < r.model->n; i++) {
        const struct model_object *o = &r.model->objects[i];
        if (o->kind != MODEL_CA_POLICY)
            continue;
        json_t *users = json_object_get(json_object_get(o->body, "conditions"), "users");
        static const char *const lists[] = {"includeGroups", "excludeGroups"};
        for (size_t l = 0; l < 2; l++) {
            size_t k;
            json_t *ref;
            json_array_foreach(json_object_get(users, lists[l]), k, ref)
            {
                const char *name = json_string_value(json_object_get(ref, "name"));
                const char *at = json_string_value(json_object_get(ref, "at"));
                assert_non_null(at);
                /* the `group` keyword before this name: in the template for an exclusion, else
                 * on the policy's own line */
                char needle[32];
                snprintf(needle, sizeof(needle), "group \"%s\"", name);
                const char *from = text;
                if (l == 0) {
                    from = strstr(text, o->name);
                    from = strstr(from, "users include");
                }
                const char *hit = strstr(from, needle);
                assert_non_null(hit);
                unsigned line = 1, col = 1;
                for (const char *c = text; c < hit; c++) {
                    col++;
                    if (*c == '\n') {
                        line++;
                        col = 1;
                    }
                }
                char want[64];
                snprintf(want, sizeof(want), "t\xc3\xa9.idp:%u:%u", line, col);
                if (strcmp(at, want) != 0)
                    fail_msg("%s, %s \"%s\": at %s, want %s", o->name, lists[l], name, at, want);
                checked++;
            }
        }
    }
    assert_int_equal(checked, 11);
    compile_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_const_string_shared),
        cmocka_unit_test(test_ref_at_shared_by_place),
        cmocka_unit_test(test_string_like_json_stringn),
        cmocka_unit_test(test_extra_on_first_use),
        cmocka_unit_test(test_freeze_round_trip),
        cmocka_unit_test(test_freeze_digest),
        cmocka_unit_test(test_freeze_release_and_thaw_again),
        cmocka_unit_test(test_freeze_leaves_others_alone),
        cmocka_unit_test(test_arena_cat_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
