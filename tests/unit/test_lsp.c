/* test_lsp.c — the language server's pieces that need no client: UTF-16 positions, text
 * splicing, file URIs, Content-Length framing and JSON-RPC decoding, and the schema rows that
 * completion and hover read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check.h"
#include "runtime/lsp/lsp_rpc.h"
#include "runtime/lsp/lsp_text.h"

/* "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units. */
static const char text[] = "ab\n\xc3\xa9x \xf0\x9f\x98\x80y\r\nlast";

static void test_positions(void **state)
{
    (void)state;
    size_t len = strlen(text);
    assert_int_equal(lsp_text_offset(text, len, 0, 0), 0);
    assert_int_equal(lsp_text_offset(text, len, 0, 2), 2);
    assert_int_equal(lsp_text_offset(text, len, 0, 99), 2);  /* past the end of a line */
    assert_int_equal(lsp_text_offset(text, len, 1, 1), 5);   /* after é */
    assert_int_equal(lsp_text_offset(text, len, 1, 3), 7);   /* before the emoji */
    assert_int_equal(lsp_text_offset(text, len, 1, 5), 11);  /* after it: two units */
    assert_int_equal(lsp_text_offset(text, len, 1, 4), 7);   /* inside it: its start */
    assert_int_equal(lsp_text_offset(text, len, 1, 99), 12); /* before \r\n */
    assert_int_equal(lsp_text_offset(text, len, 2, 4), len);
    assert_int_equal(lsp_text_offset(text, len, 9, 0), len);
    unsigned l, c;
    lsp_text_position(text, len, 11, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 5);
    lsp_text_position(text, len, 5, &l, &c);
    assert_int_equal(c, 1);
    lsp_text_position(text, len, 14, &l, &c);
    assert_int_equal(l, 2);
    assert_int_equal(c, 0);
}

static void test_splice(void **state)
{
    (void)state;
    char *t = xstrdup("grant mfa\n");
    size_t len = strlen(t);
    lsp_text_splice(&t, &len, 6, 9, "block", 5);
    assert_string_equal(t, "grant block\n");
    lsp_text_splice(&t, &len, 50, 60, "x", 1); /* clamped to the end */
    assert_string_equal(t, "grant block\nx");
    assert_int_equal(len, 13);
    free(t);
}

static void test_uris(void **state)
{
    (void)state;
    char *p = lsp_uri_to_path("file:///a%20b/c%C3%A9.idp");
    assert_string_equal(p, "/a b/c\xc3\xa9.idp");
    char *u = lsp_path_to_uri(p);
    assert_string_equal(u, "file:///a%20b/c%C3%A9.idp");
    free(p);
    free(u);
    assert_null(lsp_uri_to_path("untitled:1"));
    assert_null(lsp_uri_to_path("file://host/x.idp"));
    assert_null(lsp_uri_to_path("file:///a%00b")); /* no NUL inside a path */
}

static enum lsp_read_status read_one(const char *input, struct strbuf *body, const char **why)
{
    FILE *f = fmemopen((void *)(uintptr_t)input, strlen(input), "r");
    assert_non_null(f);
    enum lsp_read_status st = lsp_rpc_read(f, body, why);
    fclose(f);
    return st;
}

static void test_framing(void **state)
{
    (void)state;
    struct strbuf b = STRBUF_INIT;
    const char *why;
    assert_int_equal(read_one("Content-Length: 2\r\n\r\n{}", &b, &why), LSP_READ_OK);
    assert_string_equal(strbuf_str(&b), "{}");
    assert_int_equal(read_one("content-length:3\nContent-Type: x\n\n[1]", &b, &why), LSP_READ_OK);
    assert_string_equal(strbuf_str(&b), "[1]");
    assert_int_equal(read_one("Content-Type: x\r\n\r\n", &b, &why), LSP_READ_BAD);
    assert_int_equal(read_one("Content-Length: -1\r\n\r\n", &b, &why), LSP_READ_BAD);
    assert_int_equal(read_one("Content-Length: 99999999999\r\n\r\n", &b, &why), LSP_READ_BAD);
    assert_int_equal(read_one("garbage\r\n\r\n", &b, &why), LSP_READ_BAD);
    assert_int_equal(read_one("Content-Length: 10\r\n\r\n{}", &b, &why), LSP_READ_EOF);
    assert_int_equal(read_one("", &b, &why), LSP_READ_EOF);
    strbuf_fini(&b);
}

static int decode(const char *body, json_t **id)
{
    json_t *msg;
    const char *why;
    int rc = lsp_rpc_decode(body, strlen(body), &msg, id, &why);
    json_decref(msg);
    return rc;
}

static void test_decode(void **state)
{
    (void)state;
    json_t *id;
    assert_int_equal(decode("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"x\"}", &id), 0);
    json_decref(id);
    assert_int_equal(decode("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":null}", &id), 0);
    json_decref(id);
    assert_int_equal(decode("{not json", &id), LSP_PARSE_ERROR);
    assert_true(json_is_null(id));
    json_decref(id);
    assert_int_equal(decode("[]", &id), LSP_INVALID_REQUEST);
    json_decref(id);
    assert_int_equal(decode("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"x\"}", &id),
                     LSP_INVALID_REQUEST);
    assert_string_equal(json_string_value(id), "a"); /* the error names the request */
    json_decref(id);
    assert_int_equal(decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", &id),
                     LSP_INVALID_REQUEST);
    json_decref(id);
    assert_int_equal(decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}", &id),
                     LSP_INVALID_REQUEST);
    json_decref(id);
}

static void test_json_string(void **state)
{
    (void)state;
    json_t *j = lsp_json_string("a\xff"
                                "b\xc3");
    assert_string_equal(json_string_value(j), "a\xef\xbf\xbd"
                                              "b\xef\xbf\xbd");
    json_decref(j);
}

static void test_schema(void **state)
{
    (void)state;
    struct check_schema_entry e;
    bool grant = false, policy_top = false;
    size_t n = 0;
    for (size_t i = 0; check_schema_at(i, &e); i++, n++) {
        assert_non_null(e.summary);
        assert_non_null(e.graph);
        if (e.block && strcmp(e.block, "policy") == 0 && strcmp(e.keyword, "grant") == 0)
            grant = strcmp(e.graph, "grantControls") == 0;
        if (!e.block && strcmp(e.keyword, "policy") == 0)
            policy_top = e.takes_block;
    }
    assert_true(grant);
    assert_true(policy_top);
    assert_true(n > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions), cmocka_unit_test(test_splice),
        cmocka_unit_test(test_uris),      cmocka_unit_test(test_framing),
        cmocka_unit_test(test_decode),    cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
