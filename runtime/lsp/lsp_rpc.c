/* lsp_rpc.c — see lsp_rpc.h. The framing of the LSP base protocol ("Base Protocol" in the
 * Language Server Protocol specification): an ASCII header block, each line ending in "\r\n",
 * a blank line, then a body of exactly Content-Length bytes of UTF-8 JSON. */
#include "runtime/lsp/lsp_rpc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_LINE_MAX 1024

/* Reads one header line (without its terminator) into buf. Returns 1, 0 at EOF before any
 * byte, -1 when the line is too long (the rest of it is skipped). */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int c;
    bool any = false, toolong = false;
    while ((c = getc(in)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = (char)c;
        else
            toolong = true;
    }
    if (!any)
        return 0;
    if (c == EOF && !toolong && n == 0)
        return 0;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return toolong ? -1 : 1;
}

static bool header_is(const char *line, const char *name, const char **value)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)line[i]) != tolower((unsigned char)name[i]))
            return false;
    if (line[n] != ':')
        return false;
    const char *v = line + n + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    *value = v;
    return true;
}

enum lsp_read_status lsp_rpc_read(FILE *in, struct strbuf *body, const char **why)
{
    char line[HEADER_LINE_MAX];
    size_t len = 0;
    bool have_length = false, bad = false;
    unsigned long long length = 0;
    *why = NULL;
    strbuf_reset(body);
    for (;;) {
        int r = read_line(in, line, sizeof(line), &len);
        if (r == 0)
            return LSP_READ_EOF;
        if (r < 0) {
            bad = true;
            *why = "header line too long";
            continue;
        }
        if (len == 0) {
            if (!have_length && !bad)
                *why = "no Content-Length header";
            break;
        }
        const char *v;
        if (header_is(line, "Content-Length", &v)) {
            unsigned long long x = 0;
            bool digits = *v != '\0';
            for (const char *p = v; *p; p++) {
                if (!isdigit((unsigned char)*p) || x > LSP_RPC_MAX_BODY) {
                    digits = false;
                    break;
                }
                x = x * 10 + (unsigned)(*p - '0');
            }
            if (!digits || x > LSP_RPC_MAX_BODY) {
                bad = true;
                *why = "Content-Length is not a number of bytes up to 64 MiB";
            } else {
                have_length = true;
                length = x;
            }
        } else if (!strchr(line, ':')) {
            bad = true;
            *why = "a header line is not 'Name: value'";
        }
    }
    if (bad || !have_length)
        return LSP_READ_BAD;
    /* The body, read in chunks so that a lying Content-Length costs no memory up front. */
    char chunk[8192];
    size_t left = (size_t)length;
    while (left > 0) {
        size_t want = left < sizeof(chunk) ? left : sizeof(chunk);
        size_t got = fread(chunk, 1, want, in);
        if (got == 0)
            return LSP_READ_EOF;
        strbuf_add(body, chunk, got);
        left -= got;
    }
    if (body->len == 0)
        strbuf_add(body, "", 0);
    return LSP_READ_OK;
}

int lsp_rpc_decode(const char *body, size_t len, json_t **msg, json_t **id, const char **why)
{
    *msg = NULL;
    *id = json_null();
    json_error_t err;
    json_t *m = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!m) {
        *why = "the body is not JSON";
        return LSP_PARSE_ERROR;
    }
    if (!json_is_object(m)) {
        json_decref(m);
        *why = "a message is a JSON object (batches are not used by LSP)";
        return LSP_INVALID_REQUEST;
    }
    json_t *jid = json_object_get(m, "id");
    if (jid && (json_is_string(jid) || json_is_integer(jid))) {
        json_decref(*id);
        *id = json_incref(jid);
    }
    const char *version = json_string_value(json_object_get(m, "jsonrpc"));
    if (!version || strcmp(version, "2.0") != 0) {
        json_decref(m);
        *why = "\"jsonrpc\" must be \"2.0\"";
        return LSP_INVALID_REQUEST;
    }
    if (jid && !json_is_string(jid) && !json_is_integer(jid) && !json_is_null(jid)) {
        json_decref(m);
        *why = "\"id\" must be a number or a string";
        return LSP_INVALID_REQUEST;
    }
    json_t *method = json_object_get(m, "method");
    if (method && !json_is_string(method)) {
        json_decref(m);
        *why = "\"method\" must be a string";
        return LSP_INVALID_REQUEST;
    }
    if (!method && !jid) {
        json_decref(m);
        *why = "a message needs a \"method\" (request, notification) or an \"id\" (response)";
        return LSP_INVALID_REQUEST;
    }
    json_t *params = json_object_get(m, "params");
    if (params && !json_is_object(params) && !json_is_array(params) && !json_is_null(params)) {
        json_decref(m);
        *why = "\"params\" must be an object or an array";
        return LSP_INVALID_REQUEST;
    }
    *msg = m;
    return 0;
}

json_t *lsp_rpc_result(json_t *id, json_t *result)
{
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result",
                     result ? result : json_null());
}

json_t *lsp_rpc_error(json_t *id, int code, const char *message)
{
    return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                     "error", "code", code, "message", message);
}

json_t *lsp_rpc_notification(const char *method, json_t *params)
{
    return json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params",
                     params ? params : json_object());
}

void lsp_rpc_send(FILE *out, json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!text)
        return;
    size_t n = strlen(text);
    fprintf(out, "Content-Length: %zu\r\n\r\n", n);
    fwrite(text, 1, n, out);
    fflush(out);
    free(text);
}
