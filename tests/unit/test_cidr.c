/* test_cidr.c — strict CIDR parsing for named locations (compiler/cidr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/cidr.h"

static bool parse(const char *s, struct cidr *c, struct cidr_error *e)
{
    return cidr_parse(s, strlen(s), c, e);
}

static void assert_canonical(const char *in, const char *want)
{
    struct cidr c;
    struct cidr_error e;
    assert_true(parse(in, &c, &e));
    char buf[CIDR_TEXT_MAX];
    cidr_format(&c, buf, sizeof(buf));
    assert_string_equal(buf, want);
}

static void assert_error(const char *in, enum cidr_error_kind kind, size_t start, size_t end)
{
    struct cidr c;
    struct cidr_error e;
    assert_false(parse(in, &c, &e));
    assert_int_equal(e.kind, kind);
    assert_int_equal(e.start, start);
    assert_int_equal(e.end, end);
    assert_true(e.message[0] != '\0');
}

static void test_valid(void **state)
{
    (void)state;
    assert_canonical("203.0.113.0/24", "203.0.113.0/24");
    assert_canonical("0.0.0.0/0", "0.0.0.0/0");
    assert_canonical("198.51.100.7/32", "198.51.100.7/32");
    assert_canonical("2001:db8::/32", "2001:db8::/32");
    assert_canonical("2001:0DB8:0:0::/48", "2001:db8::/48");
    assert_canonical("::1/128", "::1/128");
    struct cidr c;
    struct cidr_error e;
    assert_true(parse("10.1.0.0/16", &c, &e));
    assert_int_equal(c.family, 4);
    assert_int_equal(c.prefix, 16);
    assert_int_equal(c.addr[0], 10);
    assert_int_equal(c.addr[1], 1);
    assert_true(parse("2001:db8::/127", &c, &e));
    assert_int_equal(c.family, 6);
    assert_int_equal(c.prefix, 127);
}

static void test_host_bits(void **state)
{
    (void)state;
    struct cidr c;
    struct cidr_error e;
    assert_false(parse("203.0.113.7/24", &c, &e));
    assert_int_equal(e.kind, CIDR_ERR_HOST_BITS);
    assert_string_equal(e.suggestion, "203.0.113.0/24");
    assert_int_equal(e.start, 0);
    assert_int_equal(e.end, 11);
    assert_int_equal(c.prefix, 24);
    assert_false(parse("12.34.221.11/22", &c, &e));
    assert_string_equal(e.suggestion, "12.34.220.0/22");
    assert_false(parse("2001:0:9d38:90d6::1/63", &c, &e));
    assert_int_equal(e.kind, CIDR_ERR_HOST_BITS);
    assert_string_equal(e.suggestion, "2001:0:9d38:90d6::/63");
    /* a prefix that is not a multiple of 8 */
    assert_true(parse("10.0.0.128/25", &c, &e));
    assert_false(parse("10.0.0.192/25", &c, &e));
    assert_string_equal(e.suggestion, "10.0.0.128/25");
}

static void test_errors(void **state)
{
    (void)state;
    assert_error("", CIDR_ERR_EMPTY, 0, 0);
    assert_error("203.0.113.5", CIDR_ERR_NO_PREFIX, 0, 11);
    assert_error("300.0.113.0/24", CIDR_ERR_ADDRESS, 0, 11);
    assert_error("203.0.113/24", CIDR_ERR_ADDRESS, 0, 9);
    assert_error("203.0.113.00/24", CIDR_ERR_ADDRESS, 0, 12);
    assert_error("/24", CIDR_ERR_ADDRESS, 0, 1);
    assert_error("2001:db8:::/32", CIDR_ERR_ADDRESS, 0, 11);
    assert_error("203.0.113.0/33", CIDR_ERR_PREFIX, 12, 14);
    assert_error("2001:db8::/129", CIDR_ERR_PREFIX, 11, 14);
    assert_error("203.0.113.0/", CIDR_ERR_PREFIX, 11, 12);
    assert_error("203.0.113.0/2a", CIDR_ERR_PREFIX, 12, 14);
    assert_error("203.0.113.0/024", CIDR_ERR_PREFIX, 12, 15);
    assert_error("203.0.113.0/+24", CIDR_ERR_PREFIX, 12, 15);
    assert_error("203.0.113.0 /24", CIDR_ERR_ADDRESS, 11, 12);
    assert_error("203.0.113.0/24\n", CIDR_ERR_ADDRESS, 14, 15);
    struct cidr c;
    struct cidr_error e;
    assert_false(parse("203.0.113.5", &c, &e));
    assert_string_equal(e.suggestion, "203.0.113.5/32");
    assert_false(parse("2001:db8::1", &c, &e));
    assert_string_equal(e.suggestion, "2001:db8::1/128");
    /* length is honoured: no NUL needed, trailing bytes ignored */
    assert_true(cidr_parse("10.0.0.0/8xyz", 10, &c, &e));
    assert_int_equal(c.prefix, 8);
}

static struct cidr net(const char *s)
{
    struct cidr c;
    struct cidr_error e;
    assert_true(parse(s, &c, &e));
    return c;
}

static void test_relations(void **state)
{
    (void)state;
    struct cidr a = net("203.0.113.0/24"), b = net("203.0.113.128/25"), c = net("203.0.114.0/24");
    assert_true(cidr_contains(&a, &b));
    assert_false(cidr_contains(&b, &a));
    assert_false(cidr_contains(&a, &c));
    assert_true(cidr_contains(&a, &a));
    assert_true(cidr_equal(&a, &a));
    assert_false(cidr_equal(&a, &b));
    struct cidr v6 = net("2001:db8::/32"), v6b = net("2001:db8:1::/48");
    assert_true(cidr_contains(&v6, &v6b));
    assert_false(cidr_contains(&v6, &a));
    struct cidr all4 = net("0.0.0.0/0");
    assert_true(cidr_contains(&all4, &a));
    assert_false(cidr_contains(&all4, &v6));
    struct cidr host;
    assert_true(cidr_parse_address("203.0.113.9", &host));
    assert_int_equal(host.prefix, 32);
    assert_true(cidr_contains(&a, &host));
    assert_false(cidr_parse_address("203.0.113.9/32", &host));
    assert_false(cidr_parse_address(NULL, &host));
}

static void test_private(void **state)
{
    (void)state;
    struct cidr x;
    x = net("10.0.0.0/8");
    assert_true(cidr_is_private(&x));
    x = net("10.20.0.0/16");
    assert_true(cidr_is_private(&x));
    x = net("172.16.0.0/12");
    assert_true(cidr_is_private(&x));
    x = net("172.32.0.0/16");
    assert_false(cidr_is_private(&x));
    x = net("192.168.1.0/24");
    assert_true(cidr_is_private(&x));
    x = net("8.0.0.0/8");
    assert_false(cidr_is_private(&x));
    x = net("0.0.0.0/0"); /* contains private space but is not all private */
    assert_false(cidr_is_private(&x));
    x = net("fd00::/8");
    assert_true(cidr_is_private(&x));
    x = net("2001:db8::/32");
    assert_false(cidr_is_private(&x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),   cmocka_unit_test(test_host_bits),
        cmocka_unit_test(test_errors),  cmocka_unit_test(test_relations),
        cmocka_unit_test(test_private),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
