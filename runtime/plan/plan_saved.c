/* plan_saved.c — saved plans: fingerprints of what was read, saving, loading, and the check that
 * the tenant did not change since the plan was made. */
#include "runtime/plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/util.h"
#include "runtime/tenant/backend_graph.h"
#include "runtime/plan/normalize.h"

static json_t *mut(const json_t *v)
{
    union {
        const json_t *c;
        json_t *m;
    } u = {.c = v};
    return u.m;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *id_set(const json_t *list)
{
    size_t n = json_array_size(list);
    char **v = xcalloc(n + 1, sizeof(*v));
    size_t m = 0;
    size_t i;
    json_t *e;
    json_array_foreach(mut(list), i, e)
    {
        const char *s = json_string_value(e);
        if (!s)
            continue;
        v[m] = xstrdup(s);
        for (char *p = v[m]; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        m++;
    }
    qsort(v, m, sizeof(*v), cmp_str);
    json_t *out = json_array();
    for (size_t k = 0; k < m; k++)
        if (k == 0 || strcmp(v[k], v[k - 1]) != 0)
            json_array_append_new(out, json_string(v[k]));
    for (size_t k = 0; k < m; k++)
        free(v[k]);
    free(v);
    return out;
}

char *plan_fingerprint(const char *what, const json_t *value)
{
    if (!value || json_is_null(value))
        return NULL;
    json_t *canon = NULL;
    if (strcmp(what, "ids") == 0) {
        canon = id_set(value);
    } else {
        for (int k = NK_CA_POLICY; k < NK__COUNT; k++) {
            if (strcmp(normalize_kind_name((enum normalize_kind)k), what) == 0) {
                canon = normalize((enum normalize_kind)k, value);
                break;
            }
        }
        if (!canon)
            canon = json_deep_copy(value);
    }
    char *sha = tenant_sha256(canon);
    json_decref(canon);
    return sha;
}

static enum tenant_kind kind_of_path(const char *path)
{
    for (int k = 0; k < TK__COUNT; k++)
        if (strcmp(tenant_kind_path((enum tenant_kind)k), path) == 0)
            return (enum tenant_kind)k;
    return TK__COUNT;
}

static void changed_add(json_t *changed, const char *path, const char *name, const char *what)
{
    json_array_append_new(changed,
                          json_pack("{s:s,s:s?,s:s}", "path", path, "name", name, "what", what));
}

int plan_verify(const json_t *plan, struct backend *b, json_t **changed, struct backend_error *err)
{
    *changed = json_array();
    /* Say which users and groups the plan names, so a graph: tenant looks them up rather than
     * listing the directory. */
    if (backend_want_plan(b, plan, err) != 0)
        return -1;
    struct tenant t;
    if (tenant_load(&t, b, err) != 0) {
        tenant_free(&t);
        return -1;
    }
    int rc = 0;
    const char *want_tid =
        json_string_value(json_object_get(json_object_get(plan, "tenant"), "id"));
    if (backend_identity(b, err) != 0) {
        rc = -1;
        goto out;
    }
    if (want_tid && b->tenant_id && strcasecmp(want_tid, b->tenant_id) != 0) {
        changed_add(*changed, "organization", NULL, "the plan was made for another tenant");
        goto out;
    }
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(plan, "reads"), i, r)
    {
        const char *path = json_string_value(json_object_get(r, "path"));
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *norm = json_string_value(json_object_get(r, "normalize"));
        const char *sha = json_string_value(json_object_get(r, "sha256"));
        if (!path)
            continue;
        enum tenant_kind tk = kind_of_path(path);
        if (json_is_true(json_object_get(r, "absent"))) {
            if (tk != TK__COUNT && name && tenant_first_lnamed(&t, tk, name) != TENANT_NONE)
                changed_add(*changed, path, name,
                            "was created in the tenant after the plan was made");
            continue;
        }
        if (!norm)
            continue;
        json_t *now = NULL;
        if (tk != TK__COUNT && strcmp(norm, "ids") == 0) {
            now = json_array();
            for (size_t k = 0; k < t.idx[tk].n; k++)
                json_array_append_new(now, json_string(t.idx[tk].v[k].id));
            char *s = plan_fingerprint(norm, now);
            if (!sha || strcmp(s, sha) != 0) {
                /* name what appeared or disappeared */
                json_t *old = json_object_get(r, "ids");
                size_t k;
                json_t *id;
                json_array_foreach(now, k, id)
                {
                    bool found = false;
                    size_t j;
                    json_t *o;
                    json_array_foreach(old, j, o)
                    {
                        if (strcasecmp(json_string_value(o), json_string_value(id)) == 0)
                            found = true;
                    }
                    if (!found) {
                        struct tenant_obj *to = tenant_by_id(&t, tk, json_string_value(id));
                        changed_add(*changed, path, to ? to->name : json_string_value(id),
                                    "was added to the tenant after the plan was made");
                    }
                }
                json_array_foreach(old, k, id)
                {
                    if (!tenant_by_id(&t, tk, json_string_value(id)))
                        changed_add(*changed, path, json_string_value(id),
                                    "was removed from the tenant after the plan was made");
                }
                if (!json_array_size(old))
                    changed_add(*changed, path, NULL, "the collection changed");
            }
            free(s);
            json_decref(now);
            continue;
        }
        struct backend_error e2;
        if (strcmp(norm, "ids") == 0) {
            json_t *list = NULL;
            if (backend_read_list(b, path, &list, &e2) != 0)
                list = json_array();
            now = json_array();
            size_t k;
            json_t *v;
            json_array_foreach(list, k, v)
            {
                if (json_object_get(v, "id"))
                    json_array_append(now, json_object_get(v, "id"));
            }
            json_decref(list);
        } else if (backend_read(b, path, &now, &e2) != 0) {
            rc = -1;
            *err = e2;
            goto out;
        }
        char *s = plan_fingerprint(norm, now);
        if (!s)
            changed_add(*changed, path, name,
                        "was deleted from the tenant after the plan was made");
        else if (!sha || strcmp(s, sha) != 0)
            changed_add(*changed, path, name, "was changed in the tenant after the plan was made");
        free(s);
        json_decref(now);
    }
out:
    tenant_free(&t);
    if (rc == 0 && json_array_size(*changed) > 0)
        rc = 1;
    return rc;
}

json_t *plan_load(const char *path, struct backend_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int e = util_read_file(path, &text, &len);
    if (e != 0) {
        backend_error_set(err, 0, NULL, "cannot read plan '%s': %s", path, strerror(e));
        return NULL;
    }
    json_error_t je;
    json_t *plan = json_loadb(text, len, 0, &je);
    free(text);
    if (!plan) {
        backend_error_set(err, 0, NULL, "%s:%d:%d: not a JSON plan: %s", path, je.line, je.column,
                          je.text);
        return NULL;
    }
    const char *fmt = json_string_value(json_object_get(plan, "format"));
    if (!fmt || strcmp(fmt, PLAN_FORMAT) != 0 || !json_is_array(json_object_get(plan, "actions"))) {
        backend_error_set(err, 0, NULL,
                          "%s is not an idpc plan of format \"%s\" (found %s%s%s); make it with "
                          "`idpc plan -o FILE`",
                          path, PLAN_FORMAT, fmt ? "\"" : "", fmt ? fmt : "no format",
                          fmt ? "\"" : "");
        json_decref(plan);
        return NULL;
    }
    return plan;
}

int plan_save(const json_t *plan, const char *path)
{
    char *text = json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return ENOMEM;
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, text);
    strbuf_addc(&sb, '\n');
    free(text);
    int e = util_write_file_atomic(path, strbuf_str(&sb), sb.len);
    strbuf_fini(&sb);
    return e;
}
