/* lsp_server.c — the message loop and the method table of `idpc lsp` (see lsp.h).
 * Requests are answered in order, one at a time. Every document change recompiles the
 * document's configuration directory and publishes its diagnostics before the next message is
 * read, so a reply never describes an older text than the client sent. */
#include "runtime/lsp/lsp.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "runtime/lsp/lsp_int.h"
#include "runtime/lsp/lsp_rpc.h"
#include "runtime/lsp/lsp_text.h"

/* A handler returns 0 and sets *result (NULL for a notification), or an error code and *why. */
typedef int (*handler_fn)(struct lsp_server *s, json_t *params, json_t **result, const char **why);

static int h_initialize(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)params;
    (void)why;
    s->initialized = true;
    *result = json_pack(
        "{s:{s:s, s:{s:b, s:i, s:{s:b}}, s:{s:[s,s,s], s:b}, s:b, s:b, s:b, s:b, s:b},"
        " s:{s:s}}",
        "capabilities", "positionEncoding", "utf-16", "textDocumentSync", "openClose", 1, "change",
        2, "save", "includeText", 0, "completionProvider", "triggerCharacters", "$", "\"", " ",
        "resolveProvider", 0, "hoverProvider", 1, "definitionProvider", 1, "referencesProvider", 1,
        "documentSymbolProvider", 1, "documentFormattingProvider", 1, "serverInfo", "name", "idpc");
    return 0;
}

static int h_shutdown(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)params;
    (void)why;
    s->shutdown = true;
    *result = json_null();
    return 0;
}

static int h_ignore(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)s;
    (void)params;
    (void)result;
    (void)why;
    return 0;
}

static const char *doc_uri(json_t *params)
{
    return json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
}

static void refresh(struct lsp_server *s, const char *uri)
{
    struct lsp_unit *u = lsp_ws_unit(s, uri);
    if (u)
        lsp_ws_publish(s, u);
}

static int h_did_open(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)result;
    json_t *td = json_object_get(params, "textDocument");
    const char *uri = doc_uri(params);
    json_t *text = json_object_get(td, "text");
    if (!uri || !json_is_string(text)) {
        *why = "didOpen needs textDocument.uri and textDocument.text";
        return LSP_INVALID_PARAMS;
    }
    json_int_t version = json_integer_value(json_object_get(td, "version"));
    lsp_ws_open(s, uri, json_string_value(text), json_string_length(text), version);
    refresh(s, uri);
    return 0;
}

static int h_did_change(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)result;
    const char *uri = doc_uri(params);
    struct lsp_doc *d = uri ? lsp_ws_doc(s, uri) : NULL;
    if (!d) {
        *why = "didChange for a document that is not open";
        return LSP_INVALID_PARAMS;
    }
    json_t *v = json_object_get(json_object_get(params, "textDocument"), "version");
    if (json_is_integer(v))
        d->version = json_integer_value(v);
    if (!lsp_ws_change(s, d, json_object_get(params, "contentChanges"))) {
        *why = "malformed contentChanges";
        refresh(s, uri);
        return LSP_INVALID_PARAMS;
    }
    refresh(s, uri);
    return 0;
}

static int h_did_close(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)result;
    const char *uri = doc_uri(params);
    if (!uri) {
        *why = "didClose needs textDocument.uri";
        return LSP_INVALID_PARAMS;
    }
    lsp_ws_close(s, uri);
    refresh(s, uri);
    return 0;
}

static int h_did_save(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)result;
    (void)why;
    const char *uri = doc_uri(params);
    if (uri) {
        lsp_ws_touch(s, uri);
        refresh(s, uri);
    }
    return 0;
}

static int h_watched(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    (void)result;
    (void)why;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(params, "changes"), i, c)
    {
        const char *uri = json_string_value(json_object_get(c, "uri"));
        if (uri) {
            lsp_ws_touch(s, uri);
            refresh(s, uri);
        }
    }
    return 0;
}

/* The unit, file, source and byte offset a textDocument/position request is about. */
struct at {
    const char *uri;
    struct lsp_unit *u;
    const struct ast_file *f;
    const struct src_file *src;
    size_t off;
};

/* 0 with *at filled; 1 when the document is unknown (the reply is null); or an error code. */
static int locate(struct lsp_server *s, json_t *params, bool position, struct at *at,
                  const char **why)
{
    memset(at, 0, sizeof(*at));
    at->uri = doc_uri(params);
    if (!at->uri) {
        *why = "textDocument.uri is missing";
        return LSP_INVALID_PARAMS;
    }
    unsigned line = 0, ch = 0;
    if (position && !lsp_position_get(json_object_get(params, "position"), &line, &ch)) {
        *why = "position {line, character} is missing";
        return LSP_INVALID_PARAMS;
    }
    at->u = lsp_ws_unit(s, at->uri);
    if (!at->u || !lsp_ws_file(s, at->u, at->uri, &at->f, &at->src))
        return 1;
    at->off = lsp_text_offset(at->src->text, at->src->len, line, ch);
    return 0;
}

static int h_completion(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    struct at at;
    int rc = locate(s, params, true, &at, why);
    if (rc > 1 || rc < 0)
        return rc;
    *result = rc ? json_array() : lsp_complete(at.u, at.f, at.src, at.off);
    return 0;
}

static int h_hover(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    struct at at;
    int rc = locate(s, params, true, &at, why);
    if (rc > 1 || rc < 0)
        return rc;
    *result = rc ? json_null() : lsp_hover(at.u, at.f, at.src, at.off);
    return 0;
}

static int h_definition(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    struct at at;
    int rc = locate(s, params, true, &at, why);
    if (rc > 1 || rc < 0)
        return rc;
    *result = rc ? json_null() : lsp_definition(s, at.u, at.f, at.off);
    return 0;
}

static int h_references(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    struct at at;
    int rc = locate(s, params, true, &at, why);
    if (rc > 1 || rc < 0)
        return rc;
    bool decl =
        json_is_true(json_object_get(json_object_get(params, "context"), "includeDeclaration"));
    *result = rc ? json_null() : lsp_references(s, at.u, at.f, at.off, decl);
    return 0;
}

static int h_symbols(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    struct at at;
    int rc = locate(s, params, false, &at, why);
    if (rc > 1 || rc < 0)
        return rc;
    *result = rc ? json_array() : lsp_symbols(at.f, at.src);
    return 0;
}

static int h_formatting(struct lsp_server *s, json_t *params, json_t **result, const char **why)
{
    const char *uri = doc_uri(params);
    if (!uri) {
        *why = "textDocument.uri is missing";
        return LSP_INVALID_PARAMS;
    }
    struct lsp_doc *d = lsp_ws_doc(s, uri);
    if (!d) {
        *result = json_null();
        return 0;
    }
    *result = lsp_format(d->path ? d->path : d->uri, d->text, d->len);
    return 0;
}

static const struct {
    const char *method;
    handler_fn fn;
    bool request;
} methods[] = {
    {"initialize", h_initialize, true},
    {"initialized", h_ignore, false},
    {"shutdown", h_shutdown, true},
    {"textDocument/didOpen", h_did_open, false},
    {"textDocument/didChange", h_did_change, false},
    {"textDocument/didClose", h_did_close, false},
    {"textDocument/didSave", h_did_save, false},
    {"workspace/didChangeWatchedFiles", h_watched, false},
    {"workspace/didChangeConfiguration", h_ignore, false},
    {"textDocument/completion", h_completion, true},
    {"textDocument/hover", h_hover, true},
    {"textDocument/definition", h_definition, true},
    {"textDocument/references", h_references, true},
    {"textDocument/documentSymbol", h_symbols, true},
    {"textDocument/formatting", h_formatting, true},
};

static void log_line(struct lsp_server *s, const char *what, const char *why)
{
    if (s->log) {
        fprintf(s->log, "idpc lsp: %s: %s\n", what, why ? why : "?");
        fflush(s->log);
    }
}

/* Handles one decoded message; returns true after `exit`. */
static bool handle(struct lsp_server *s, json_t *msg)
{
    json_t *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));
    if (!method)
        return false; /* a response to a request of ours: we send none */
    bool is_request = id != NULL;
    if (strcmp(method, "exit") == 0)
        return true;
    json_t *params = json_object_get(msg, "params");
    if (json_is_null(params))
        params = NULL;
    if (!s->initialized && strcmp(method, "initialize") != 0) {
        if (is_request)
            lsp_rpc_send(s->out, lsp_rpc_error(id, LSP_SERVER_NOT_INITIALIZED,
                                               "the server is not initialized"));
        return false;
    }
    if (s->shutdown && is_request) {
        lsp_rpc_send(s->out, lsp_rpc_error(id, LSP_INVALID_REQUEST,
                                           "the server is shut down; only exit is accepted"));
        return false;
    }
    for (size_t i = 0; i < IDPC_ARRAY_LEN(methods); i++) {
        if (strcmp(methods[i].method, method) != 0)
            continue;
        if (params && !json_is_object(params)) {
            if (is_request)
                lsp_rpc_send(s->out,
                             lsp_rpc_error(id, LSP_INVALID_PARAMS, "params must be an object"));
            return false;
        }
        json_t *result = NULL;
        const char *why = NULL;
        int rc = methods[i].fn(s, params, &result, &why);
        if (!is_request) {
            json_decref(result);
            if (rc)
                log_line(s, method, why);
        } else if (rc) {
            json_decref(result);
            lsp_rpc_send(s->out, lsp_rpc_error(id, rc, why ? why : "request failed"));
        } else {
            lsp_rpc_send(s->out, lsp_rpc_result(id, result ? result : json_null()));
        }
        return false;
    }
    if (is_request) {
        char *m = xasprintf("unknown method '%.100s'", method);
        json_t *e = lsp_rpc_error(id, LSP_METHOD_NOT_FOUND, "unknown method");
        json_t *err = json_object_get(e, "error");
        json_object_set_new(err, "message", lsp_json_string(m));
        lsp_rpc_send(s->out, e);
        free(m);
    }
    /* unknown notifications ($/cancelRequest, $/setTrace, ...) are ignored, as the spec says */
    return false;
}

int lsp_serve(FILE *in, FILE *out, FILE *log)
{
#ifdef __GLIBC__
    /* A long-lived process that builds and frees a whole compile per keystroke: without fast
     * bins, glibc does not consolidate thousands of small freed chunks each time the compiler's
     * arena asks for a 32 KiB block (a quarter of a keystroke's CPU time when measured). */
    (void)mallopt(M_MXFAST, 0);
#endif
    struct lsp_server s;
    memset(&s, 0, sizeof(s));
    s.out = out;
    s.log = log;
    struct strbuf body = STRBUF_INIT;
    int code = 1;
    for (;;) {
        const char *why = NULL;
        enum lsp_read_status st = lsp_rpc_read(in, &body, &why);
        if (st == LSP_READ_EOF)
            break;
        if (st == LSP_READ_BAD) {
            log_line(&s, "malformed message header", why);
            lsp_rpc_send(out, lsp_rpc_error(NULL, LSP_PARSE_ERROR, why ? why : "bad header"));
            continue;
        }
        json_t *msg, *id;
        int rc = lsp_rpc_decode(body.buf, body.len, &msg, &id, &why);
        if (rc) {
            log_line(&s, "malformed message", why);
            lsp_rpc_send(out, lsp_rpc_error(id, rc, why));
            json_decref(id);
            continue;
        }
        json_decref(id);
        bool done = handle(&s, msg);
        json_decref(msg);
        lsp_ws_release(&s);
        if (done) {
            code = s.shutdown ? 0 : 1;
            break;
        }
    }
    strbuf_fini(&body);
    lsp_ws_free(&s);
    return code;
}
