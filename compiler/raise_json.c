/* raise_json.c — reading Graph JSON the way backup tools write it: UTF-8 with or without a BOM,
 * or UTF-16 (PowerShell's Out-File default) converted with iconv(3). */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/raise.h"

/* Converts `len` bytes of `from` text to a new NUL-terminated UTF-8 string; NULL with err on
 * an invalid sequence. */
static char *to_utf8(const char *from, const char *in, size_t len, size_t *outlen, char *err,
                     size_t errlen, const char *path)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) {
        snprintf(err, errlen, "%s: cannot convert from %s: %s", path, from, strerror(errno));
        return NULL;
    }
    size_t cap = len * 2 + 16;
    char *out = xmalloc(cap);
    char *ip = (char *)(uintptr_t)in;
    size_t ileft = len;
    char *op = out;
    size_t oleft = cap - 1;
    char *result = NULL;
    while (ileft > 0) {
        if (iconv(cd, &ip, &ileft, &op, &oleft) != (size_t)-1)
            continue;
        if (errno == E2BIG) {
            size_t used = (size_t)(op - out);
            cap *= 2;
            out = xrealloc(out, cap);
            op = out + used;
            oleft = cap - used - 1;
            continue;
        }
        snprintf(err, errlen, "%s: invalid %s text at byte %zu", path, from, (size_t)(ip - in) + 2);
        goto out;
    }
    *op = '\0';
    *outlen = (size_t)(op - out);
    result = out;
    out = NULL;
out:
    free(out);
    iconv_close(cd);
    return result;
}

json_t *raise_load_json(const char *path, char *err, size_t errlen)
{
    char *buf = NULL, *conv = NULL;
    size_t len = 0;
    json_t *doc = NULL;
    int e = util_read_file(path, &buf, &len);
    if (e) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(e));
        return NULL;
    }
    const unsigned char *u = (const unsigned char *)buf;
    const char *text = buf;
    size_t tlen = len;
    const char *enc = NULL;
    size_t skip = 0;
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        enc = "UTF-16LE";
        skip = 2;
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        enc = "UTF-16BE";
        skip = 2;
    } else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        text = buf + 3;
        tlen = len - 3;
    } else if (len >= 4 && u[0] != 0 && u[1] == 0 && u[2] != 0 && u[3] == 0) {
        enc = "UTF-16LE"; /* no BOM, but ASCII in UTF-16 little-endian */
    } else if (len >= 4 && u[0] == 0 && u[1] != 0 && u[2] == 0 && u[3] != 0) {
        enc = "UTF-16BE";
    }
    if (enc) {
        conv = to_utf8(enc, buf + skip, len - skip, &tlen, err, errlen, path);
        if (!conv)
            goto out;
        text = conv;
        /* a BOM inside the converted text (written twice by some tools) */
        if (tlen >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            tlen -= 3;
        }
    }
    json_error_t je;
    doc = json_loadb(text, tlen, 0, &je);
    if (!doc)
        snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
out:
    free(conv);
    free(buf);
    return doc;
}
