/* test_cidr.c — strict CIDR parsing for named locations (compiler/cidr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* cidr_parse (with its fast path for "A.B.C.D/P") and cidr_parse_general give the same answer,
 * range and error for one text. */
static void assert_same_parse(const char *text, size_t len)
{
    struct cidr f, g;
    struct cidr_error fe, ge;
    memset(&f, 0xAA, sizeof(f));
    memset(&g, 0xAA, sizeof(g));
    bool fok = cidr_parse(text, len, &f, &fe);
    bool gok = cidr_parse_general(text, len, &g, &ge);
    if (fok != gok)
        fail_msg("'%.*s': cidr_parse %d, cidr_parse_general %d", (int)len, text, fok, gok);
    assert_int_equal(fe.kind, ge.kind);
    assert_int_equal(fe.start, ge.start);
    assert_int_equal(fe.end, ge.end);
    assert_string_equal(fe.message, ge.message);
    assert_string_equal(fe.suggestion, ge.suggestion);
    if (fok || fe.kind == CIDR_ERR_HOST_BITS || fe.kind == CIDR_ERR_NO_PREFIX) {
        assert_int_equal(f.family, g.family);
        assert_int_equal(f.prefix, g.prefix);
        assert_memory_equal(f.addr, g.addr, sizeof(f.addr));
    }
}

static void test_fast_path_matches_general(void **state)
{
    (void)state;
    static const char *const odd[] = {
        "52.0.0.0/24",
        "52.0.1.0/24",
        "0.0.0.0/0",
        "0.0.0.0/00",
        "1.2.3.4/32",
        "1.2.3.4/33",
        "1.2.3.4/032",
        "1.2.3.4/100",
        "1.2.3.0/24",
        "1.2.3.5/24",
        "255.255.255.255/32",
        "256.1.1.0/24",
        "01.2.3.0/24",
        "1.02.3.0/24",
        "1.2.3.00/32",
        "0.0.0.0/1",
        "1.2.3/24",
        "1.2.3.4.5/32",
        "1..3.4/32",
        ".1.2.3/32",
        "1.2.3.4/",
        "1.2.3.4",
        "/24",
        "1.2.3.4/2 4",
        "1.2.3.4/+4",
        "1.2.3.4/-4",
        " 1.2.3.4/32",
        "1.2.3.4/32 ",
        "1.2.3.4//32",
        "1.2.3.4/3a",
        "1000.2.3.4/32",
        "1.2.3.4/8",
        "128.0.0.0/1",
        "128.0.0.0/0",
        "10.0.0.0/8",
        "2001:db8::/32",
        "::ffff:1.2.3.4/128",
        "1.2.3.4:5/32",
        "",
        "/",
        "9.9.9.9/31",
        "9.9.9.8/31",
        "1.2.3.4/07",
        "0.0.0.0/32",
        "1.2.3.\xc3\xa9/32",
    };
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
        assert_same_parse(odd[i], strlen(odd[i]));
    /* a NUL inside the length, and a text cut short of its NUL */
    assert_same_parse("1.2.3.0\0/24", 10);
    assert_same_parse("1.2.3.0/24xyz", 10);
    /* every short text over the characters of an IPv4 range, and random longer ones */
    static const char alphabet[] = "0123456789./";
    char buf[24];
    for (size_t n = 1; n <= 4; n++) {
        size_t total = 1;
        for (size_t k = 0; k < n; k++)
            total *= sizeof(alphabet) - 1;
        for (size_t v = 0; v < total; v++) {
            size_t x = v;
            for (size_t k = 0; k < n; k++) {
                buf[k] = alphabet[x % (sizeof(alphabet) - 1)];
                x /= sizeof(alphabet) - 1;
            }
            assert_same_parse(buf, n);
        }
    }
    uint32_t seed = 12345;
    for (int r = 0; r < 200000; r++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 7 + (seed >> 16) % 12;
        for (size_t k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned pick = (seed >> 16) % 16;
            /* mostly digits and dots, with a slash, now and then */
            buf[k] = pick < 10 ? (char)('0' + pick) : pick < 14 ? '.' : pick == 14 ? '/' : '1';
        }
        assert_same_parse(buf, n);
    }
    /* well-formed ranges with every prefix, host bits or not */
    for (unsigned p = 0; p <= 33; p++) {
        char t[40];
        snprintf(t, sizeof(t), "192.168.%u.%u/%u", p, p * 7 % 256, p);
        assert_same_parse(t, strlen(t));
        snprintf(t, sizeof(t), "0.0.0.0/%u", p);
        assert_same_parse(t, strlen(t));
    }
}

/* cidr_is_private agrees with cidr_contains on the private networks it lists. */
static void test_private_matches_contains(void **state)
{
    (void)state;
    static const char *const nets[] = {"10.0.0.0/8",  "172.16.0.0/12",  "192.168.0.0/16",
                                       "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10"};
    struct cidr pn[6];
    for (size_t i = 0; i < 6; i++)
        pn[i] = net(nets[i]);
    uint32_t seed = 99;
    for (int r = 0; r < 100000; r++) {
        struct cidr c = {.family = 4};
        seed = seed * 1103515245u + 12345u;
        uint32_t a = seed;
        seed = seed * 1103515245u + 12345u;
        /* near the private networks half of the time */
        if (seed & 0x10000) {
            uint32_t base = (uint32_t)pn[(seed >> 17) % 6].addr[0] << 24 |
                            (uint32_t)pn[(seed >> 17) % 6].addr[1] << 16;
            a = base ^ (a >> (8 + (seed >> 20) % 16));
        }
        c.prefix = (seed >> 24) % 33;
        if (c.prefix < 32)
            a &= ~(0xFFFFFFFFu >> c.prefix);
        c.addr[0] = (unsigned char)(a >> 24);
        c.addr[1] = (unsigned char)(a >> 16);
        c.addr[2] = (unsigned char)(a >> 8);
        c.addr[3] = (unsigned char)a;
        bool want = false;
        for (size_t i = 0; i < 6; i++)
            want = want || cidr_contains(&pn[i], &c);
        if (cidr_is_private(&c) != want)
            fail_msg("%u.%u.%u.%u/%u: cidr_is_private %d", c.addr[0], c.addr[1], c.addr[2],
                     c.addr[3], c.prefix, !want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_host_bits),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_relations),
        cmocka_unit_test(test_private),
        cmocka_unit_test(test_fast_path_matches_general),
        cmocka_unit_test(test_private_matches_contains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
