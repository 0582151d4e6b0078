/* replay_read.c — streaming sign-in logs: a small splitter finds where each record starts and
 * ends (strings, escapes and nesting only; it never interprets a value) and hands the record's
 * bytes to jansson, so memory holds one record at a time whatever the file's size. Accepted
 * shapes: {"value": [...]} pages (as GET /auditLogs/signIns returns them; several may follow each
 * other), a JSON array of records, and one JSON object per line (JSON lines). */
#include "runtime/analysis/replay.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

struct rd {
    FILE *f;
    const char *name;
    unsigned char buf[1 << 16];
    size_t pos, len;
    unsigned long line, col; /* of the next byte */
    bool eof, ioerr;
    char *err;
    size_t errlen;
};

static void IDPC_PRINTF(4, 5)
    rd_err(struct rd *r, unsigned long line, unsigned long col, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s:%lu:%lu: ", r->name, line, col);
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static int peek(struct rd *r)
{
    if (r->pos == r->len) {
        if (r->eof)
            return EOF;
        r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
        r->pos = 0;
        if (r->len == 0) {
            r->eof = true;
            r->ioerr = ferror(r->f) != 0;
            return EOF;
        }
    }
    return r->buf[r->pos];
}

static int get(struct rd *r)
{
    int c = peek(r);
    if (c == EOF)
        return EOF;
    r->pos++;
    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) { /* columns count code points */
        r->col++;
    }
    return c;
}

static void skip_ws(struct rd *r)
{
    for (int c; (c = peek(r)) == ' ' || c == '\t' || c == '\n' || c == '\r';)
        get(r);
}

/* The rest of a string whose opening quote was just read (and appended). */
static int read_string(struct rd *r, struct strbuf *sb, unsigned long l0, unsigned long c0)
{
    for (;;) {
        int c = get(r);
        if (c == EOF) {
            rd_err(r, l0, c0, "unterminated string");
            return -1;
        }
        strbuf_addc(sb, (char)c);
        if (c == '\\') {
            int d = get(r);
            if (d == EOF) {
                rd_err(r, l0, c0, "unterminated string");
                return -1;
            }
            strbuf_addc(sb, (char)d);
        } else if (c == '"') {
            return 0;
        }
    }
}

/* One complete value at the current position (whitespace skipped by the caller), appended to sb:
 * its bytes only; jansson checks its syntax. */
static int read_value(struct rd *r, struct strbuf *sb)
{
    unsigned long l0 = r->line, c0 = r->col;
    int c = peek(r);
    if (c == EOF) {
        rd_err(r, l0, c0, "unexpected end of input");
        return -1;
    }
    if (c == '"') {
        strbuf_addc(sb, (char)get(r));
        return read_string(r, sb, l0, c0);
    }
    if (c == '{' || c == '[') {
        unsigned depth = 0;
        for (;;) {
            c = get(r);
            if (c == EOF) {
                rd_err(r, l0, c0, "unexpected end of input inside this %s",
                       sb->len && strbuf_str(sb)[0] == '[' ? "array" : "value");
                return -1;
            }
            strbuf_addc(sb, (char)c);
            if (c == '"') {
                if (read_string(r, sb, r->line, r->col - 1) != 0)
                    return -1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return 0;
            }
        }
    }
    while ((c = peek(r)) != EOF && !strchr(",]}: \t\r\n", c))
        strbuf_addc(sb, (char)get(r));
    if (sb->len == 0) {
        rd_err(r, l0, c0, "unexpected '%c'", c);
        return -1;
    }
    return 0;
}

/* Parses one record's bytes with jansson and hands it on. */
static int emit(struct rd *r, const struct strbuf *sb, unsigned long l0, unsigned long c0,
                replay_record_fn fn, void *ctx)
{
    json_error_t je;
    json_t *v = json_loadb(strbuf_str(sb), sb->len, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
    if (!v) {
        unsigned long line = l0 + (je.line > 1 ? (unsigned long)je.line - 1 : 0);
        unsigned long jc = je.column > 0 ? (unsigned long)je.column : 1;
        unsigned long col = je.line > 1 ? jc : c0 + jc - 1;
        if (je.line <= 0)
            line = l0, col = c0;
        rd_err(r, line, col, "%s", je.text);
        return -1;
    }
    int rc = fn(v, l0, c0, ctx);
    json_decref(v);
    return rc;
}

/* After an element of a list: ',' (1, go on) or `close` (0, done). */
static int list_next(struct rd *r, int close, const char *what)
{
    skip_ws(r);
    unsigned long l = r->line, c = r->col;
    int ch = get(r);
    if (ch == ',')
        return 1;
    if (ch == close)
        return 0;
    if (ch == EOF)
        rd_err(r, l, c, "unexpected end of input in %s", what);
    else
        rd_err(r, l, c, "expected ',' or '%c' in %s, found '%c'", close, what, ch);
    return -1;
}

/* The elements of an array whose '[' was just read: each one a record. */
static int read_records(struct rd *r, struct strbuf *sb, replay_record_fn fn, void *ctx)
{
    skip_ws(r);
    if (peek(r) == ']') {
        get(r);
        return 0;
    }
    for (;;) {
        skip_ws(r);
        unsigned long l = r->line, c = r->col;
        strbuf_reset(sb);
        if (read_value(r, sb) != 0)
            return -1;
        int rc = emit(r, sb, l, c, fn, ctx);
        if (rc != 0)
            return rc;
        int n = list_next(r, ']', "the list of sign-ins");
        if (n <= 0)
            return n;
    }
}

/* A top-level object: a page when it holds "value": [...] (whose elements are the records; the
 * rest of the page is skipped), else one record. */
static int read_object(struct rd *r, struct strbuf *obj, struct strbuf *sb, replay_record_fn fn,
                       void *ctx)
{
    unsigned long l0 = r->line, c0 = r->col;
    strbuf_reset(obj);
    strbuf_addc(obj, (char)get(r)); /* '{' */
    bool page = false;
    skip_ws(r);
    if (peek(r) == '}') {
        strbuf_addc(obj, (char)get(r));
        return emit(r, obj, l0, c0, fn, ctx);
    }
    for (bool first = true;; first = false) {
        skip_ws(r);
        unsigned long kl = r->line, kc = r->col;
        if (peek(r) != '"') {
            rd_err(r, kl, kc, "expected a member name");
            return -1;
        }
        strbuf_reset(sb);
        if (read_value(r, sb) != 0)
            return -1;
        bool is_value = strcmp(strbuf_str(sb), "\"value\"") == 0;
        if (!first)
            strbuf_addc(obj, ',');
        strbuf_add(obj, strbuf_str(sb), sb->len);
        skip_ws(r);
        if (get(r) != ':') {
            rd_err(r, kl, kc, "expected ':' after the member name");
            return -1;
        }
        strbuf_addc(obj, ':');
        skip_ws(r);
        if (is_value && peek(r) == '[') {
            get(r);
            page = true;
            int rc = read_records(r, sb, fn, ctx);
            if (rc != 0)
                return rc;
            strbuf_adds(obj, "null");
        } else {
            strbuf_reset(sb);
            if (read_value(r, sb) != 0)
                return -1;
            if (!page) /* a page's other members are not kept */
                strbuf_add(obj, strbuf_str(sb), sb->len);
            else
                strbuf_adds(obj, "null");
        }
        int n = list_next(r, '}', "an object");
        if (n < 0)
            return -1;
        if (n == 0)
            break;
    }
    if (page)
        return 0;
    strbuf_addc(obj, '}');
    return emit(r, obj, l0, c0, fn, ctx);
}

int replay_stream(FILE *f, const char *name, replay_record_fn fn, void *ctx, char *err,
                  size_t errlen)
{
    struct rd *r = xcalloc(1, sizeof(*r));
    r->f = f;
    r->name = name;
    r->line = r->col = 1;
    r->err = err;
    r->errlen = errlen;
    struct strbuf obj = STRBUF_INIT, sb = STRBUF_INIT;
    int rc = 0;
    if (peek(r) == 0xEF) { /* a UTF-8 byte order mark, as some exports write */
        get(r);
        if (get(r) != 0xBB || get(r) != 0xBF) {
            rd_err(r, 1, 1, "not UTF-8 JSON");
            rc = -1;
        }
        r->col = 1;
    }
    while (rc == 0) {
        skip_ws(r);
        int c = peek(r);
        if (c == EOF)
            break;
        if (c == '[') {
            get(r);
            rc = read_records(r, &sb, fn, ctx);
        } else if (c == '{') {
            rc = read_object(r, &obj, &sb, fn, ctx);
        } else {
            rd_err(r, r->line, r->col,
                   "expected a sign-in object, a JSON array or a {\"value\": [...]} page, found "
                   "'%c'",
                   c);
            rc = -1;
        }
    }
    if (rc == 0 && r->ioerr) {
        snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
        rc = -1;
    }
    strbuf_fini(&obj);
    strbuf_fini(&sb);
    free(r);
    return rc;
}
