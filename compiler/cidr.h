/* cidr.h — strict parsing of IPv4/IPv6 ranges in CIDR notation for named locations and tests.
 * Ownership: plain values only; every argument is borrowed and nothing is allocated. */
#ifndef IDPC_CIDR_H
#define IDPC_CIDR_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text cidr_format() writes: a full IPv6 address, '/', three digits, NUL. */
#define CIDR_TEXT_MAX 56

struct cidr {
    int family;             /* 4 or 6 */
    unsigned char addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
    unsigned prefix;        /* 0..32 or 0..128 */
};

enum cidr_error_kind {
    CIDR_ERR_NONE,
    CIDR_ERR_EMPTY,     /* "" */
    CIDR_ERR_NO_PREFIX, /* "203.0.113.5": an address without "/N" */
    CIDR_ERR_ADDRESS,   /* the part before '/' is not an IPv4 or IPv6 address */
    CIDR_ERR_PREFIX,    /* the part after '/' is not a number in range for the family */
    CIDR_ERR_HOST_BITS, /* "203.0.113.7/24": bits after the prefix are set */
};

/* The first problem of a range. start/end are byte offsets into the text (end exclusive);
 * `suggestion` is the corrected range where one is obvious (the network address for
 * CIDR_ERR_HOST_BITS, ADDRESS/32 or /128 for CIDR_ERR_NO_PREFIX), else "". */
struct cidr_error {
    enum cidr_error_kind kind;
    size_t start, end;
    char message[160];
    char suggestion[CIDR_TEXT_MAX];
};

/* Parses `text` (len bytes, no NUL needed) as ADDRESS/PREFIX. No spaces, no leading zeros in
 * IPv4 octets (inet_pton rules), prefix in decimal without a sign. Returns false with *err
 * filled on the first problem. */
bool cidr_parse(const char *text, size_t len, struct cidr *out, struct cidr_error *err);
/* cidr_parse without its fast path for the common "A.B.C.D/P" (the same answers, slower):
 * for the tests that compare the two. */
bool cidr_parse_general(const char *text, size_t len, struct cidr *out, struct cidr_error *err);

/* Parses a single address (no prefix) as a /32 or /128 range. */
bool cidr_parse_address(const char *text, struct cidr *out);

/* Canonical text: inet_ntop form of the address, '/', the prefix. */
void cidr_format(const struct cidr *c, char *buf, size_t n);

/* Same family, prefix and address. */
bool cidr_equal(const struct cidr *a, const struct cidr *b);

/* True when every address of `inner` lies in `outer` (same family). */
bool cidr_contains(const struct cidr *outer, const struct cidr *inner);

/* True when the whole range is private, loopback or link-local address space
 * (10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, fc00::/7, fe80::/10, ::1/128),
 * which Entra never sees as a sign-in's client address. */
bool cidr_is_private(const struct cidr *c);

#endif
