/* lower_cidr.c — strict CIDR parsing for named locations (see cidr.h). */
#include "compiler/cidr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static bool fail(struct cidr_error *err, enum cidr_error_kind kind, size_t start, size_t end,
                 const char *msg)
{
    err->kind = kind;
    err->start = start;
    err->end = end;
    snprintf(err->message, sizeof(err->message), "%s", msg);
    return false;
}

static size_t addr_bytes(int family)
{
    return family == 4 ? 4 : 16;
}

/* Parses an address of either family from a NUL-terminated buffer. */
static bool parse_addr(const char *s, struct cidr *out)
{
    memset(out, 0, sizeof(*out));
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, out->addr) != 1)
            return false;
        out->family = 6;
        out->prefix = 128;
        return true;
    }
    if (inet_pton(AF_INET, s, out->addr) != 1)
        return false;
    out->family = 4;
    out->prefix = 32;
    return true;
}

/* Clears the bits after `prefix`. */
static void mask(unsigned char *addr, size_t nbytes, unsigned prefix)
{
    for (size_t i = 0; i < nbytes; i++) {
        unsigned bit0 = (unsigned)i * 8;
        if (bit0 >= prefix)
            addr[i] = 0;
        else if (prefix - bit0 < 8)
            addr[i] &= (unsigned char)(0xFFu << (8 - (prefix - bit0)));
    }
}

bool cidr_parse_address(const char *text, struct cidr *out)
{
    return text && parse_addr(text, out);
}

/* "A.B.C.D/P" the way most ranges are written: four octets of 1 to 3 digits without a leading
 * zero, each up to 255, and a prefix of 1 to 2 digits without a leading zero (or "0") up to 32,
 * with no host bits set. True with *out filled for exactly such a text; false for anything else
 * (which cidr_parse_general then reads, and reports on), without touching *out. A named location
 * holds thousands of ranges: this spares each one inet_pton and the copies around it. */
static bool parse_ipv4_plain(const char *text, size_t len, struct cidr *out)
{
    unsigned char addr[4];
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        if (k > 0) {
            if (i >= len || text[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && i - start < 3 && text[i] >= '0' && text[i] <= '9')
            v = v * 10 + (unsigned)(text[i++] - '0');
        size_t nd = i - start;
        if (nd == 0 || v > 255 || (nd > 1 && text[start] == '0'))
            return false;
        addr[k] = (unsigned char)v;
    }
    if (i >= len || text[i] != '/')
        return false;
    size_t pstart = ++i;
    unsigned p = 0;
    while (i < len && i - pstart < 2 && text[i] >= '0' && text[i] <= '9')
        p = p * 10 + (unsigned)(text[i++] - '0');
    size_t nd = i - pstart;
    if (i != len || nd == 0 || p > 32 || (nd > 1 && text[pstart] == '0'))
        return false;
    uint32_t a =
        (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8 | addr[3];
    uint32_t host = p == 32 ? 0 : 0xFFFFFFFFu >> p;
    if (a & host)
        return false;
    memset(out, 0, sizeof(*out));
    out->family = 4;
    memcpy(out->addr, addr, 4);
    out->prefix = p;
    return true;
}

bool cidr_parse(const char *text, size_t len, struct cidr *out, struct cidr_error *err)
{
    if (parse_ipv4_plain(text, len, out)) {
        /* no problem to report (the fields cidr_parse_general leaves zero on success) */
        err->kind = CIDR_ERR_NONE;
        err->start = err->end = 0;
        err->message[0] = '\0';
        err->suggestion[0] = '\0';
        return true;
    }
    return cidr_parse_general(text, len, out, err);
}

bool cidr_parse_general(const char *text, size_t len, struct cidr *out, struct cidr_error *err)
{
    memset(err, 0, sizeof(*err));
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return fail(err, CIDR_ERR_EMPTY, 0, 0, "an IP range must not be empty");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c <= ' ' || c >= 0x7F)
            return fail(err, CIDR_ERR_ADDRESS, i, i + 1,
                        c == ' ' ? "an IP range contains no spaces"
                                 : "an IP range contains only ASCII letters, digits, '.', ':' "
                                   "and '/'");
    }
    const char *slash = memchr(text, '/', len);
    size_t alen = slash ? (size_t)(slash - text) : len;
    char abuf[INET6_ADDRSTRLEN + 8];
    if (alen == 0)
        return fail(err, CIDR_ERR_ADDRESS, 0, slash ? 1 : len,
                    "expected an IPv4 or IPv6 address before '/'");
    bool addr_ok = alen < sizeof(abuf);
    if (addr_ok) {
        memcpy(abuf, text, alen);
        abuf[alen] = '\0';
        addr_ok = parse_addr(abuf, out);
    }
    if (!addr_ok)
        return fail(err, CIDR_ERR_ADDRESS, 0, alen,
                    memchr(text, ':', alen) ? "not an IPv6 address"
                                            : "not an IPv4 address (four numbers 0-255 "
                                              "separated by '.', without leading zeros)");
    if (!slash) {
        fail(err, CIDR_ERR_NO_PREFIX, 0, len,
             "a range needs a prefix length in CIDR notation (ADDRESS/PREFIX)");
        snprintf(err->suggestion, sizeof(err->suggestion), "%s/%u", abuf, out->prefix);
        return false;
    }
    size_t pstart = alen + 1;
    unsigned maxp = out->family == 4 ? 32 : 128;
    unsigned p = 0;
    if (pstart == len)
        return fail(err, CIDR_ERR_PREFIX, alen, len, "expected a prefix length after '/'");
    for (size_t i = pstart; i < len; i++) {
        if (text[i] < '0' || text[i] > '9' || i - pstart >= 3 ||
            (i == pstart && text[i] == '0' && len - pstart > 1)) {
            char m[96];
            snprintf(m, sizeof(m), "the prefix length must be a number from 0 to %u", maxp);
            return fail(err, CIDR_ERR_PREFIX, pstart, len, m);
        }
        p = p * 10 + (unsigned)(text[i] - '0');
    }
    if (p > maxp) {
        char m[96];
        snprintf(m, sizeof(m), "an IPv%d prefix length is at most /%u", out->family, maxp);
        return fail(err, CIDR_ERR_PREFIX, pstart, len, m);
    }
    out->prefix = p;
    struct cidr net = *out;
    mask(net.addr, addr_bytes(net.family), p);
    if (memcmp(net.addr, out->addr, addr_bytes(out->family)) != 0) {
        fail(err, CIDR_ERR_HOST_BITS, 0, alen, "the address has bits set after the prefix");
        cidr_format(&net, err->suggestion, sizeof(err->suggestion));
        return false;
    }
    return true;
}

void cidr_format(const struct cidr *c, char *buf, size_t n)
{
    char a[INET6_ADDRSTRLEN];
    if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a)))
        a[0] = '\0';
    snprintf(buf, n, "%s/%u", a, c->prefix);
}

bool cidr_equal(const struct cidr *a, const struct cidr *b)
{
    return a->family == b->family && a->prefix == b->prefix &&
           memcmp(a->addr, b->addr, addr_bytes(a->family)) == 0;
}

bool cidr_contains(const struct cidr *outer, const struct cidr *inner)
{
    if (outer->family != inner->family || outer->prefix > inner->prefix)
        return false;
    /* the first outer->prefix bits agree: whole bytes, then the bits of the next one (a
     * location's ranges are compared pairwise, so this runs often) */
    size_t whole = outer->prefix / 8;
    unsigned rest = outer->prefix % 8;
    if (whole > addr_bytes(outer->family))
        return false;
    if (memcmp(outer->addr, inner->addr, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char m = (unsigned char)(0xFFu << (8 - rest));
    return (outer->addr[whole] & m) == (inner->addr[whole] & m);
}

bool cidr_is_private(const struct cidr *c)
{
    /* IPv4 as (network, prefix) pairs compared on a 32-bit word (a configuration may hold
     * thousands of ranges); IPv6 as texts parsed once */
    static const struct {
        uint32_t net;
        unsigned prefix;
    } v4[] = {
        {0x0A000000u, 8},  /* 10.0.0.0/8 */
        {0xAC100000u, 12}, /* 172.16.0.0/12 */
        {0xC0A80000u, 16}, /* 192.168.0.0/16 */
        {0x7F000000u, 8},  /* 127.0.0.0/8 */
        {0xA9FE0000u, 16}, /* 169.254.0.0/16 */
        {0x64400000u, 10}, /* 100.64.0.0/10 */
    };
    if (c->family == 4) {
        uint32_t a = (uint32_t)c->addr[0] << 24 | (uint32_t)c->addr[1] << 16 |
                     (uint32_t)c->addr[2] << 8 | c->addr[3];
        for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
            if (c->prefix >= v4[i].prefix &&
                (a >> (32 - v4[i].prefix)) == v4[i].net >> (32 - v4[i].prefix))
                return true;
        return false;
    }
    static const char *const v6[] = {"fc00::/7", "fe80::/10", "::1/128"};
    static struct cidr parsed[sizeof(v6) / sizeof(v6[0])];
    static bool ok[sizeof(v6) / sizeof(v6[0])];
    static bool ready;
    if (!ready) {
        for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
            struct cidr_error e;
            ok[i] = cidr_parse_general(v6[i], strlen(v6[i]), &parsed[i], &e);
        }
        ready = true;
    }
    for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
        if (ok[i] && cidr_contains(&parsed[i], c))
            return true;
    return false;
}
