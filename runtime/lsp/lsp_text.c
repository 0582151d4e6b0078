/* lsp_text.c — see lsp_text.h. LSP counts characters in UTF-16 code units unless the client
 * negotiates otherwise ("Position" in the LSP specification); idpc keeps UTF-8 text. */
#include "runtime/lsp/lsp_text.h"

#include <stdlib.h>
#include <string.h>

/* Length in bytes of the UTF-8 sequence that starts with byte c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2)
        return 2;
    return 1;
}

/* UTF-16 units of text[from, to), and the offset reached when a limit of units is given. */
static size_t units_between(const char *text, size_t from, size_t to)
{
    size_t u = 0;
    for (size_t i = from; i < to;) {
        size_t n = seq_len((unsigned char)text[i]);
        if (i + n > to)
            n = to - i;
        u += n == 4 ? 2 : 1;
        i += n;
    }
    return u;
}

size_t lsp_text_offset(const char *text, size_t len, unsigned line, unsigned character)
{
    size_t i = 0;
    for (unsigned l = 0; l < line; l++) {
        const char *nl = memchr(text + i, '\n', len - i);
        if (!nl)
            return len;
        i = (size_t)(nl - text) + 1;
    }
    size_t u = 0;
    while (i < len && text[i] != '\n' && !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
        size_t n = seq_len((unsigned char)text[i]);
        size_t w = n == 4 ? 2 : 1;
        if (u + w > character)
            break;
        u += w;
        i += n;
        if (i > len)
            i = len;
    }
    return i;
}

void lsp_text_position(const char *text, size_t len, size_t offset, unsigned *line,
                       unsigned *character)
{
    if (offset > len)
        offset = len;
    unsigned l = 0;
    size_t start = 0;
    for (size_t i = 0; i < offset; i++)
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *character = (unsigned)units_between(text, start, offset);
}

void lsp_src_position(const struct src_file *f, size_t offset, unsigned *line, unsigned *character)
{
    if (offset > f->len)
        offset = f->len;
    if (!f->line_starts || f->nlines == 0) {
        lsp_text_position(f->text, f->len, offset, line, character);
        return;
    }
    size_t lo = 0, hi = f->nlines; /* the last line start <= offset */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)lo;
    *character = (unsigned)units_between(f->text, f->line_starts[lo], offset);
}

json_t *lsp_src_range(const struct src_file *f, size_t start, size_t end)
{
    unsigned l1, c1, l2, c2;
    lsp_src_position(f, start, &l1, &c1);
    lsp_src_position(f, end < start ? start : end, &l2, &c2);
    return json_pack("{s:{s:i, s:i}, s:{s:i, s:i}}", "start", "line", (int)l1, "character", (int)c1,
                     "end", "line", (int)l2, "character", (int)c2);
}

bool lsp_position_get(const json_t *pos, unsigned *line, unsigned *character)
{
    json_t *l = json_object_get(pos, "line"), *c = json_object_get(pos, "character");
    if (!json_is_integer(l) || !json_is_integer(c))
        return false;
    json_int_t lv = json_integer_value(l), cv = json_integer_value(c);
    if (lv < 0 || cv < 0 || lv > 0x7fffffff || cv > 0x7fffffff)
        return false;
    *line = (unsigned)lv;
    *character = (unsigned)cv;
    return true;
}

void lsp_text_splice(char **text, size_t *len, size_t start, size_t end, const char *repl,
                     size_t rlen)
{
    if (end > *len)
        end = *len;
    if (start > end)
        start = end;
    size_t nlen = *len - (end - start) + rlen;
    char *n = xmalloc(nlen + 1);
    memcpy(n, *text, start);
    memcpy(n + start, repl, rlen);
    memcpy(n + start + rlen, *text + end, *len - end);
    n[nlen] = '\0';
    free(*text);
    *text = n;
    *len = nlen;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *lsp_uri_to_path(const char *uri)
{
    if (strncmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = uri + 7;
    if (*p != '/') { /* file://host/path: only the local host */
        if (strncmp(p, "localhost/", 10) != 0)
            return NULL;
        p += 9;
    }
    struct strbuf sb = STRBUF_INIT;
    for (; *p; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            if (c == '\0') {
                strbuf_fini(&sb);
                return NULL;
            }
            strbuf_addc(&sb, c);
            p += 2;
        } else if (*p == '?' || *p == '#') {
            break;
        } else {
            strbuf_addc(&sb, *p);
        }
    }
    return strbuf_detach(&sb);
}

char *lsp_path_to_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p)) {
            strbuf_addc(&sb, (char)*p);
        } else {
            strbuf_addc(&sb, '%');
            strbuf_addc(&sb, hex[*p >> 4]);
            strbuf_addc(&sb, hex[*p & 15]);
        }
    }
    return strbuf_detach(&sb);
}

json_t *lsp_json_string(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    struct strbuf sb = STRBUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = seq_len(*p);
        bool ok = n > 1 || *p < 0x80;
        for (size_t k = 1; k < n && ok; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (ok && n > 1) /* overlong, surrogate and > U+10FFFF forms */
            ok = !(p[0] == 0xE0 && p[1] < 0xA0) && !(p[0] == 0xED && p[1] >= 0xA0) &&
                 !(p[0] == 0xF0 && p[1] < 0x90) && !(p[0] == 0xF4 && p[1] >= 0x90);
        if (ok) {
            strbuf_add(&sb, (const char *)p, n);
            p += n;
        } else {
            strbuf_adds(&sb, "\xEF\xBF\xBD");
            p++;
        }
    }
    j = json_string(strbuf_str(&sb));
    strbuf_fini(&sb);
    return j ? j : json_string("");
}
