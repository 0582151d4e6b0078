/* Small helpers of the emulator: allocation, buffers, files, ids, time, encodings. */
#include "emu.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *emu_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("graph-emulator: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *emu_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("graph-emulator: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *emu_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("graph-emulator: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *emu_xstrndup(const char *s, size_t n)
{
    char *p = emu_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *emu_xstrdup(const char *s)
{
    return emu_xstrndup(s, strlen(s));
}

void emu_buf_add(struct emu_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = emu_xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void emu_buf_adds(struct emu_buf *b, const char *s)
{
    emu_buf_add(b, s, strlen(s));
}

void emu_buf_addf(struct emu_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *tmp = emu_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    emu_buf_add(b, tmp, (size_t)n);
    free(tmp);
}

char *emu_buf_steal(struct emu_buf *b)
{
    char *p = b->data ? b->data : emu_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void emu_buf_free(struct emu_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *emu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct emu_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        emu_buf_add(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        emu_buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return emu_buf_steal(&b);
}

int emu_write_file_atomic(const char *path, const char *data, size_t len)
{
    struct emu_buf tmp = {0};
    int rc = -1;
    emu_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        goto out;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            unlink(tmp.data);
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp.data);
        goto out;
    }
    if (rename(tmp.data, path) != 0) {
        unlink(tmp.data);
        goto out;
    }
    rc = 0;
out:
    emu_buf_free(&tmp);
    return rc;
}

void emu_random_bytes(unsigned char *out, size_t n)
{
    if (RAND_bytes(out, (int)n) != 1) {
        fputs("graph-emulator: RAND_bytes failed\n", stderr);
        abort();
    }
}

void emu_guid(char out[37])
{
    unsigned char b[16];
    emu_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

bool emu_is_guid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];
        if (want_dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

double emu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void emu_iso_now(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%07ldZ", day, ts.tv_nsec / 100);
}

void emu_date_now(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

bool emu_strieq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    while (*a && *b) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
    return *a == *b;
}

bool emu_istarts(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strlen(s) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
            return false;
    return true;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *emu_url_decode(const char *s, size_t n, bool plus_is_space)
{
    char *out = emu_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

void emu_url_encode(struct emu_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~$'(),", c))
            emu_buf_add(b, (const char *)&c, 1);
        else
            emu_buf_addf(b, "%%%02X", c);
    }
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void emu_b64url_encode(struct emu_buf *b, const unsigned char *data, size_t n)
{
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        char o[4] = {b64url[v >> 18 & 63], b64url[v >> 12 & 63], b64url[v >> 6 & 63],
                     b64url[v & 63]};
        emu_buf_add(b, o, 4);
    }
    if (n - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        char o[2] = {b64url[v >> 18 & 63], b64url[v >> 12 & 63]};
        emu_buf_add(b, o, 2);
    } else if (n - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        char o[3] = {b64url[v >> 18 & 63], b64url[v >> 12 & 63], b64url[v >> 6 & 63]};
        emu_buf_add(b, o, 3);
    }
}

unsigned char *emu_b64url_decode(const char *s, size_t n, size_t *out_len)
{
    unsigned char *out = emu_xmalloc(n * 3 / 4 + 3);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=')
            break;
        if (c == '+')
            c = '-';
        if (c == '/')
            c = '_';
        const char *p = strchr(b64url, c);
        if (!p || !c) {
            free(out);
            return NULL;
        }
        acc = acc << 6 | (unsigned)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    *out_len = o;
    return out;
}

bool emu_parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool emu_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

const char *emu_req_param(const struct emu_req *req, const char *name)
{
    for (size_t i = 0; i < req->nq; i++)
        if (emu_strieq(req->q[i].name, name))
            return req->q[i].value;
    return NULL;
}

void emu_req_free(struct emu_req *req)
{
    free(req->method);
    free(req->path);
    for (size_t i = 0; i < req->nq; i++) {
        free(req->q[i].name);
        free(req->q[i].value);
    }
    free(req->q);
    free(req->authorization);
    free(req->consistency);
    free(req->content_type);
    free(req->client_request_id);
    free(req->base);
    free(req->body);
    json_decref(req->json);
    memset(req, 0, sizeof *req);
}

void emu_resp_free(struct emu_resp *resp)
{
    json_decref(resp->body);
    free(resp->text);
    resp->body = NULL;
    resp->text = NULL;
}
