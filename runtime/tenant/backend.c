/* backend.c — backend dispatch, identity and the test-only write-failure injection. */
#include "runtime/tenant/backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void backend_error_set(struct backend_error *e, int status, const char *code, const char *fmt, ...)
{
    if (!e)
        return;
    e->status = status;
    snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

struct scheme {
    const char *name;
    int (*open)(struct backend *b, const char *arg, struct backend_error *err);
};

/* One line per backend. The Graph backend adds {"graph", backend_graph_open}. */
static const struct scheme schemes[] = {
    {"file", backend_file_open},
    {"graph", backend_graph_open},
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int backend_open(const char *spec, struct backend **out, struct backend_error *err)
{
    *out = NULL;
    if (!spec || !*spec)
        spec = getenv("IDPC_TENANT");
    if (!spec || !*spec) {
        backend_error_set(err, 0, NULL,
                          "no tenant given: use --tenant graph: (Microsoft Graph), --tenant "
                          "file:PATH (a snapshot; `idpc snapshot --empty` starts one), or set "
                          "IDPC_TENANT");
        return -1;
    }
    const char *colon = strchr(spec, ':');
    const char *arg = NULL;
    const struct scheme *sc = NULL;
    if (colon) {
        for (size_t i = 0; i < IDPC_ARRAY_LEN(schemes); i++) {
            size_t n = strlen(schemes[i].name);
            if ((size_t)(colon - spec) == n && strncmp(spec, schemes[i].name, n) == 0) {
                sc = &schemes[i];
                arg = colon + 1;
            }
        }
    }
    if (!sc && ends_with(spec, ".json")) {
        sc = &schemes[0];
        arg = spec;
    }
    if (!sc) {
        backend_error_set(err, 0, NULL,
                          "unknown tenant '%s': expected file:PATH (a tenant snapshot)%s", spec,
                          IDPC_ARRAY_LEN(schemes) > 1 ? " or graph:" : "");
        return -1;
    }
    struct backend *b = xcalloc(1, sizeof(*b));
    b->spec = xstrdup(spec);
    b->display = xasprintf("%s:%s", sc->name, arg);
    b->fail_after = -1;
    const char *fa = getenv("IDPC_TEST_FAIL_AFTER");
    long n;
    if (fa && *fa && util_parse_long(fa, 0, 1000000000L, &n))
        b->fail_after = n;
    if (sc->open(b, arg, err) != 0) {
        free(b->spec);
        free(b->display);
        free(b->reopen);
        free(b->cloud);
        free(b);
        return -1;
    }
    if (!b->reopen)
        b->reopen = xstrdup(b->display);
    *out = b;
    return 0;
}

void backend_close(struct backend *b)
{
    if (!b)
        return;
    if (b->ops && b->ops->close)
        b->ops->close(b);
    free(b->spec);
    free(b->display);
    free(b->reopen);
    free(b->cloud);
    free(b->tenant_id);
    for (size_t i = 0; i < b->ndomains; i++)
        free(b->domains[i]);
    free(b->domains);
    free(b->default_domain);
    free(b);
}

int backend_read(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    *out = NULL;
    return b->ops->read(b, path, out, err);
}

int backend_read_list(struct backend *b, const char *path, json_t **out, struct backend_error *err)
{
    if (backend_read(b, path, out, err) != 0)
        return -1;
    if (!*out)
        *out = json_array();
    if (!json_is_array(*out)) {
        backend_error_set(err, 0, NULL, "'%s' in %s is not a collection", path, b->display);
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int backend_scan(struct backend *b, const char *path, const char *const *fields, size_t nfields,
                 backend_item_fn fn, void *ctx, struct backend_error *err)
{
    return b->ops->scan(b, path, fields, nfields, fn, ctx, err);
}

static backend_freeze_fn freeze_hook;

void backend_freeze_hook(backend_freeze_fn fn)
{
    freeze_hook = fn;
}

char *backend_freeze_derive(const json_t *item)
{
    return freeze_hook ? freeze_hook(item) : NULL;
}

bool backend_text_item(const json_t *item, backend_text_fn fn, void *ctx)
{
    if (!json_is_object(item))
        return true;
    char *text = json_dumps(item, JSON_COMPACT);
    if (!text)
        return true; /* jansson could not write it (out of memory) */
    char *derived = backend_freeze_derive(item);
    bool go = fn(item, text, strlen(text), NULL, derived, ctx);
    free(derived);
    free(text);
    return go;
}

int backend_scan_text(struct backend *b, const char *path, const char *const *fields,
                      size_t nfields, backend_text_fn fn, void *ctx, struct backend_error *err)
{
    if (b->ops->scan_text)
        return b->ops->scan_text(b, path, fields, nfields, fn, ctx, err);
    json_t *all = NULL;
    if (backend_read_list(b, path, &all, err) != 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
    {
        if (!backend_text_item(v, fn, ctx))
            break;
    }
    json_decref(all);
    return 0;
}

int backend_read_at(struct backend *b, const struct backend_at *at, json_t **out,
                    struct backend_error *err)
{
    *out = NULL;
    if (!b->ops->read_at)
        BUG("backend %s: an item handed on by where it lies, with no way to read it again",
            b->ops->scheme);
    return b->ops->read_at(b, at, out, err);
}

int backend_want(struct backend *b, const char *path, const char *key, const char *const *values,
                 size_t n, struct backend_error *err)
{
    return b->ops->want ? b->ops->want(b, path, key, values, n, err) : 0;
}

int backend_write(struct backend *b, const char *method, const char *path, const json_t *body,
                  json_t **result, struct backend_error *err)
{
    if (result)
        *result = NULL;
    if (b->fail_after >= 0 && b->writes >= (size_t)b->fail_after) {
        backend_error_set(err, 503, "ServiceUnavailable",
                          "injected failure after %ld writes (IDPC_TEST_FAIL_AFTER)",
                          b->fail_after);
        return -1;
    }
    json_t *res = NULL;
    if (b->ops->write(b, method, path, body, &res, err) != 0) {
        json_decref(res);
        return -1;
    }
    b->writes++;
    if (result)
        *result = res;
    else
        json_decref(res);
    return 0;
}

int backend_lock(struct backend *b, struct backend_error *err)
{
    return b->ops->lock ? b->ops->lock(b, err) : 0;
}

int backend_commit(struct backend *b, struct backend_error *err)
{
    return b->ops->commit ? b->ops->commit(b, err) : 0;
}

void backend_unlock(struct backend *b)
{
    if (b->ops->unlock)
        b->ops->unlock(b);
}

int backend_identity(struct backend *b, struct backend_error *err)
{
    json_t *orgs = NULL;
    if (backend_read_list(b, "organization", &orgs, err) != 0)
        return -1;
    int rc = -1;
    json_t *org = json_array_get(orgs, 0);
    const char *id = json_string_value(json_object_get(org, "id"));
    if (!id) {
        backend_error_set(err, 0, NULL, "%s has no organization (tenant id and verified domains)",
                          b->display);
        goto out;
    }
    free(b->tenant_id);
    b->tenant_id = xstrdup(id);
    for (size_t i = 0; i < b->ndomains; i++)
        free(b->domains[i]);
    free(b->domains);
    free(b->default_domain);
    b->default_domain = NULL;
    b->ndomains = 0;
    json_t *doms = json_object_get(org, "verifiedDomains");
    b->domains = xcalloc(json_array_size(doms) + 1, sizeof(*b->domains));
    size_t i;
    json_t *d;
    json_array_foreach(doms, i, d)
    {
        const char *name = json_string_value(json_object_get(d, "name"));
        if (!name)
            continue;
        b->domains[b->ndomains++] = xstrdup(name);
        if (json_is_true(json_object_get(d, "isDefault")) && !b->default_domain)
            b->default_domain = xstrdup(name);
    }
    if (!b->default_domain && b->ndomains)
        b->default_domain = xstrdup(b->domains[0]);
    rc = 0;
out:
    json_decref(orgs);
    return rc;
}

bool backend_is_tenant(const struct backend *b, const char *want)
{
    if (b->tenant_id && strcasecmp(b->tenant_id, want) == 0)
        return true;
    for (size_t i = 0; i < b->ndomains; i++)
        if (strcasecmp(b->domains[i], want) == 0)
            return true;
    return false;
}
