/* plan_saved.c — saved plans: fingerprints of what was read, saving, loading, and the check that
 * the tenant did not change since the plan was made. */
#include "runtime/plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/compile.h"
#include "compiler/util.h"
#include "runtime/tenant/backend_graph.h"
#include "runtime/analysis/lockout.h"
#include "runtime/plan/normalize.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids lower-cased (each up to a NUL it may hold), sorted, without duplicates; a plan reads
 * the ids of whole collections (20,000 locations), so they are copied into one block. */
static json_t *id_set(const json_t *list)
{
    size_t n = json_array_size(list), total = 0;
    size_t i;
    json_t *e;
    json_array_foreach(util_json_mut(list), i, e)
    {
        const char *s = json_string_value(e);
        if (s)
            total += strlen(s) + 1;
    }
    char **v = xcalloc(n + 1, sizeof(*v));
    char *block = xmalloc(total + 1), *at = block;
    size_t m = 0;
    json_array_foreach(util_json_mut(list), i, e)
    {
        const char *s = json_string_value(e);
        if (!s)
            continue;
        v[m++] = at;
        for (; *s; s++)
            *at++ = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
        *at++ = '\0';
    }
    qsort(v, m, sizeof(*v), cmp_str);
    json_t *out = json_array();
    for (size_t k = 0; k < m; k++)
        if (k == 0 || strcmp(v[k], v[k - 1]) != 0)
            /* valid UTF-8 still: only ASCII letters changed */
            json_array_append_new(out, json_stringn_nocheck(v[k], strlen(v[k])));
    free(block);
    free(v);
    return out;
}

char *plan_fingerprint(const char *what, const json_t *value)
{
    if (!value || json_is_null(value))
        return NULL;
    json_t *canon = NULL;
    if (strcmp(what, "ids") == 0) { /* strings only: nothing to sort */
        canon = id_set(value);
        char *sha = tenant_sha256_ordered(canon);
        json_decref(canon);
        return sha;
    }
    if (strcmp(what, normalize_kind_name(NK_NAMED_LOCATION)) == 0) {
        /* the plan's most numerous objects: built in sorted order, hashed as it is */
        canon = normalize_location_sorted(value);
        if (canon) {
            char *sha = tenant_sha256_ordered(canon);
            json_decref(canon);
            return sha;
        }
    }
    for (int k = NK_CA_POLICY; k < NK__COUNT; k++) {
        if (strcmp(normalize_kind_name((enum normalize_kind)k), what) == 0) {
            canon = normalize((enum normalize_kind)k, value);
            break;
        }
    }
    if (!canon)
        canon = json_deep_copy(value);
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
    /* one line per object: "created" (a name's absence) and "added" (the id set) say the same */
    size_t i;
    json_t *c;
    json_array_foreach(changed, i, c)
    {
        if (name && strcmp(json_string_value(json_object_get(c, "path")), path) == 0 &&
            json_string_value(json_object_get(c, "name")) &&
            strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return;
    }
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
        } else if (strcmp(norm, "user") == 0 && strncmp(path, "users/", 6) == 0) {
            now = tenant_user_account(&t, path + 6); /* as the plan read it ($select) */
        } else if (strcmp(norm, "role_assignment") == 0) {
            /* an active assignment as the plan saw it: with its PIM schedule merged in
             * (tenant_active.c), or a schedule that has no roleAssignment yet */
            const char *id = strrchr(path, '/');
            size_t k;
            json_t *v;
            json_array_foreach(t.role_assignments, k, v)
            {
                const char *vid = json_string_value(json_object_get(v, "id"));
                if (id && vid && strcmp(vid, id + 1) == 0)
                    now = json_incref(v);
            }
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

/* ---- reading a saved plan: the shape of idpc-plan/1, field by field ---- */

enum ftype {
    F_STR,      /* a string */
    F_STR_NULL, /* a string or null */
    F_INT,      /* a non-negative integer */
    F_BOOL,
    F_OBJ,   /* an object of the shape `sub` */
    F_ARR,   /* an array of `sub` objects (sub NULL: strings) */
    F_INTS,  /* an array of non-negative integers */
    F_COUNT, /* an object of non-negative integers */
    F_ANY,   /* any JSON object (a request body, a scenario); compared with the re-derived plan */
};

struct field {
    const char *key;
    enum ftype type;
    bool required;
    const struct shape *sub;
};

struct shape {
    const struct field *fields;
};

#define SHAPE(name, ...)                                                                           \
    static const struct field name##_fields[] = {__VA_ARGS__, {NULL, F_ANY, false, NULL}};         \
    static const struct shape name = {name##_fields}

SHAPE(s_source, {"path", F_STR, true, NULL}, {"text", F_STR, true, NULL});
SHAPE(s_config, {"paths", F_ARR, true, NULL}, {"tenant", F_STR_NULL, false, NULL},
      {"sources", F_ARR, true, &s_source});
SHAPE(s_tenant, {"id", F_STR, true, NULL}, {"domain", F_STR_NULL, false, NULL},
      {"cloud", F_STR_NULL, true, NULL}, {"backend", F_STR, true, NULL});
SHAPE(s_emergency, {"kind", F_STR, false, NULL}, {"id", F_STR, false, NULL},
      {"name", F_STR, false, NULL}, {"satisfies", F_ARR, true, NULL}, {"at", F_STR, false, NULL});
SHAPE(s_summary, {"create", F_INT, true, NULL}, {"update", F_INT, true, NULL},
      {"replace", F_INT, true, NULL}, {"delete", F_INT, true, NULL},
      {"unmanaged", F_INT, true, NULL});
SHAPE(s_change, {"field", F_STR, true, NULL}, {"path", F_STR, true, NULL},
      {"op", F_STR, true, NULL}, {"old", F_STR, false, NULL}, {"new", F_STR, false, NULL},
      {"added", F_ARR, false, NULL}, {"removed", F_ARR, false, NULL});
SHAPE(s_request, {"phase", F_INT, true, NULL}, {"method", F_STR, true, NULL},
      {"path", F_STR, true, NULL}, {"body", F_ANY, false, NULL}, {"creates", F_STR, false, NULL},
      {"description", F_STR, true, NULL});
SHAPE(s_action, {"index", F_INT, true, NULL}, {"op", F_STR, true, NULL},
      {"kind", F_STR, true, NULL}, {"word", F_STR, true, NULL}, {"name", F_STR, true, NULL},
      {"id", F_STR_NULL, true, NULL}, {"at", F_STR_NULL, true, NULL},
      {"reason", F_STR, false, NULL}, {"renamedFrom", F_STR, false, NULL},
      {"skipReportOnly", F_BOOL, false, NULL}, {"tenantName", F_STR, false, NULL},
      {"changes", F_ARR, true, &s_change}, {"requests", F_ARR, true, &s_request},
      {"dependsOn", F_INTS, true, NULL});
SHAPE(s_unmanaged, {"kind", F_STR, true, NULL}, {"word", F_STR, true, NULL},
      {"name", F_STR, true, NULL}, {"id", F_STR, true, NULL}, {"delete", F_BOOL, true, NULL});
SHAPE(s_note, {"at", F_STR, false, NULL}, {"message", F_STR, true, NULL});
SHAPE(s_read, {"path", F_STR, true, NULL}, {"name", F_STR, false, NULL},
      {"normalize", F_STR, false, NULL}, {"sha256", F_STR_NULL, false, NULL},
      {"absent", F_BOOL, false, NULL}, {"ids", F_ARR, false, NULL});
SHAPE(s_lockout, {"allowed", F_BOOL, true, NULL}, {"scenarios", F_ARR, true, NULL});
SHAPE(s_cause, {"name", F_STR, true, NULL}, {"change", F_STR, true, NULL});
SHAPE(s_impact_row, {"severity", F_STR, true, NULL}, {"text", F_STR, true, NULL},
      {"who", F_STR, true, NULL}, {"app", F_STR, true, NULL}, {"platform", F_STR, true, NULL},
      {"location", F_STR, true, NULL}, {"client", F_STR, false, NULL}, {"risk", F_STR, false, NULL},
      {"before", F_STR, true, NULL}, {"after", F_STR, true, NULL},
      {"policies", F_ARR, true, &s_cause}, {"scenarios", F_INT, true, NULL});
SHAPE(s_impact_skip, {"classes", F_INT, true, NULL}, {"limit", F_INT, true, NULL});
SHAPE(s_impact, {"scenarios", F_INT, true, NULL}, {"evaluated", F_INT, true, NULL},
      {"changed", F_INT, false, NULL}, {"policies", F_COUNT, true, NULL},
      {"rows", F_ARR, false, &s_impact_row}, {"rowsLeftOut", F_INT, false, NULL},
      {"notEvaluated", F_OBJ, false, &s_impact_skip});
SHAPE(s_plan, {"format", F_STR, true, NULL}, {"config", F_OBJ, true, &s_config},
      {"tenant", F_OBJ, true, &s_tenant}, {"emergencyAccess", F_ARR, true, &s_emergency},
      {"summary", F_OBJ, true, &s_summary}, {"actions", F_ARR, true, &s_action},
      {"unmanaged", F_ARR, true, &s_unmanaged}, {"unmanagedMore", F_COUNT, true, NULL},
      {"notes", F_ARR, true, &s_note}, {"warnings", F_ARR, true, &s_note},
      {"reads", F_ARR, true, &s_read}, {"lockoutRisk", F_OBJ, false, &s_lockout},
      {"impact", F_OBJ, false, &s_impact});

static const char *type_words(enum ftype t)
{
    switch (t) {
    case F_STR:
        return "a string";
    case F_STR_NULL:
        return "a string or null";
    case F_INT:
        return "a non-negative integer";
    case F_BOOL:
        return "true or false";
    case F_OBJ:
    case F_ANY:
    case F_COUNT:
        return "an object";
    case F_ARR:
    case F_INTS:
        return "an array";
    }
    return "?";
}

static bool is_count(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* Checks v against `sh`; on the first mismatch sets err naming the field ("actions[3].phase"). */
static int check_shape(const json_t *v, const struct shape *sh, const char *at, const char *file,
                       struct backend_error *err);

static int check_value(const json_t *v, const struct field *f, const char *where, const char *file,
                       struct backend_error *err)
{
    bool ok = true;
    switch (f->type) {
    case F_STR:
        ok = json_is_string(v);
        break;
    case F_STR_NULL:
        ok = json_is_string(v) || json_is_null(v);
        break;
    case F_INT:
        ok = is_count(v);
        break;
    case F_BOOL:
        ok = json_is_boolean(v);
        break;
    case F_OBJ:
    case F_ANY:
    case F_COUNT:
        ok = json_is_object(v);
        break;
    case F_ARR:
    case F_INTS:
        ok = json_is_array(v);
        break;
    }
    if (!ok) {
        backend_error_set(err, 0, NULL, "%s: field \"%s\" must be %s", file, where,
                          type_words(f->type));
        return -1;
    }
    if (f->type == F_OBJ)
        return check_shape(v, f->sub, where, file, err);
    if (f->type == F_COUNT) {
        const char *k;
        json_t *e;
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (!is_count(e)) {
                backend_error_set(err, 0, NULL, "%s: field \"%s.%s\" must be %s", file, where, k,
                                  type_words(F_INT));
                return -1;
            }
        }
    }
    if (f->type == F_ARR || f->type == F_INTS) {
        size_t i;
        json_t *e;
        json_array_foreach(util_json_mut(v), i, e)
        {
            bool item_ok = f->type == F_INTS                            ? is_count(e)
                           : f->sub                                     ? json_is_object(e)
                           : f->key && strcmp(f->key, "scenarios") == 0 ? json_is_object(e)
                                                                        : json_is_string(e);
            if (!item_ok) {
                backend_error_set(err, 0, NULL, "%s: field \"%s[%zu]\" must be %s", file, where, i,
                                  f->type == F_INTS                            ? type_words(F_INT)
                                  : f->sub || strcmp(f->key, "scenarios") == 0 ? "an object"
                                                                               : "a string");
                return -1;
            }
            if (f->sub) {
                char *w = xasprintf("%s[%zu]", where, i);
                int rc = check_shape(e, f->sub, w, file, err);
                free(w);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

static int check_shape(const json_t *v, const struct shape *sh, const char *at, const char *file,
                       struct backend_error *err)
{
    const char *k;
    json_t *e;
    json_object_foreach(util_json_mut(v), k, e)
    {
        const struct field *f = sh->fields;
        while (f->key && strcmp(f->key, k) != 0)
            f++;
        char *where = at[0] ? xasprintf("%s.%s", at, k) : xstrdup(k);
        if (!f->key) {
            backend_error_set(err, 0, NULL,
                              "%s: field \"%s\" is not part of a plan of format \"%s\"; the plan "
                              "was edited or made by another program",
                              file, where, PLAN_FORMAT);
            free(where);
            return -1;
        }
        int rc = check_value(e, f, where, file, err);
        free(where);
        if (rc)
            return rc;
    }
    for (const struct field *f = sh->fields; f->key; f++) {
        if (f->required && !json_object_get(v, f->key)) {
            backend_error_set(err, 0, NULL, "%s: field \"%s%s%s\" is missing%s", file, at,
                              at[0] ? "." : "", f->key,
                              strcmp(f->key, "sources") == 0
                                  ? "; save the plan with `idpc plan -o FILE` (printed JSON does "
                                    "not carry the configuration)"
                                  : "");
            return -1;
        }
    }
    return 0;
}

json_t *plan_parse(const char *text, size_t len, const char *name, struct backend_error *err)
{
    json_error_t je;
    json_t *plan = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!plan) {
        backend_error_set(err, 0, NULL, "%s:%d:%d: not a JSON plan: %s", name, je.line, je.column,
                          je.text);
        return NULL;
    }
    const char *fmt = json_string_value(json_object_get(plan, "format"));
    if (!json_is_object(plan) || !fmt || strcmp(fmt, PLAN_FORMAT) != 0) {
        backend_error_set(err, 0, NULL,
                          "%s is not an idpc plan of format \"%s\" (found %s%s%s); make it with "
                          "`idpc plan -o FILE`",
                          name, PLAN_FORMAT, fmt ? "\"" : "", fmt ? fmt : "no format",
                          fmt ? "\"" : "");
        json_decref(plan);
        return NULL;
    }
    if (check_shape(plan, &s_plan, "", name, err) != 0) {
        json_decref(plan);
        return NULL;
    }
    return plan;
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
    json_t *plan = plan_parse(text, len, path, err);
    free(text);
    return plan;
}

void plan_attach_sources(json_t *plan, const struct diag_ctx *diag)
{
    json_t *sources = json_array();
    for (size_t i = 0; i < diag_source_count(diag); i++) {
        const struct src_file *f = diag_source(diag, (uint32_t)i);
        json_array_append_new(sources,
                              json_pack("{s:s,s:s%}", "path", f->path, "text", f->text, f->len));
    }
    json_object_set_new(json_object_get(plan, "config"), "sources", sources);
}

int plan_saved_compile(const json_t *plan, struct compile_result *cr)
{
    const json_t *sources = json_object_get(json_object_get(plan, "config"), "sources");
    size_t n = json_array_size(sources);
    struct compile_source *src = xcalloc(n + 1, sizeof(*src));
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(sources, i);
        src[i].path = json_string_value(json_object_get(s, "path"));
        src[i].text = json_string_value(json_object_get(s, "text"));
        src[i].len = json_string_length(json_object_get(s, "text"));
    }
    int rc = compile_sources(src, n, false, cr);
    if (n == 0) {
        diag_error(cr->diag, DIAG_LOC_NONE,
                   "the plan carries no configuration (config.sources "
                   "is empty)");
        rc = -1;
    }
    free(src);
    return rc;
}

int plan_saved_identity(const json_t *plan, struct backend *b, struct backend_error *err)
{
    if (backend_identity(b, err) != 0)
        return -1;
    const json_t *t = json_object_get(plan, "tenant");
    const char *id = json_string_value(json_object_get(t, "id"));
    const char *cloud = json_string_value(json_object_get(t, "cloud"));
    if (!id || !b->tenant_id || strcasecmp(id, b->tenant_id) != 0) {
        backend_error_set(err, 0, NULL,
                          "the plan was made for tenant %s, but %s is tenant %s; refusing to apply "
                          "it to another tenant",
                          id ? id : "(none)", b->display,
                          b->tenant_id ? b->tenant_id : "(unknown)");
        return -1;
    }
    if ((cloud == NULL) != (b->cloud == NULL) || (cloud && strcasecmp(cloud, b->cloud) != 0)) {
        backend_error_set(err, 0, NULL,
                          "the plan was made for tenant %s in %s%s, but %s is %s%s; refusing to "
                          "apply it elsewhere",
                          id, cloud ? "the Microsoft cloud " : "a tenant snapshot",
                          cloud ? cloud : "", b->display,
                          b->cloud ? "in the Microsoft cloud " : "a tenant snapshot",
                          b->cloud ? b->cloud : "");
        return -1;
    }
    return 0;
}

json_t *plan_saved_rederive(const json_t *saved, struct compile_result *cr, struct backend *b)
{
    json_t *now = plan_build(cr->model, cr->diag, b, NULL);
    if (!now)
        return NULL;
    /* what the re-derivation cannot know: the configuration it came from (and the paths it was
     * named by at plan time, labels only), the spec the tenant was opened with at plan time, and whether --allow-lockout-risk accepted exactly the risks
     * it finds */
    json_object_set(json_object_get(now, "config"), "sources",
                    json_object_get(json_object_get(saved, "config"), "sources"));
    json_object_set(json_object_get(now, "config"), "paths",
                    json_object_get(json_object_get(saved, "config"), "paths"));
    json_object_set(json_object_get(now, "tenant"), "backend",
                    json_object_get(json_object_get(saved, "tenant"), "backend"));
    /* the impact is informative: carried over, never compared (docs/runtime.md, "Saved plans") */
    if (json_object_get(saved, "impact"))
        json_object_set(now, "impact", json_object_get(saved, "impact"));
    const json_t *risks = lockout_risks(now);
    if (lockout_allowed(saved) && json_array_size(risks) > 0 &&
        json_equal(util_json_mut(risks), util_json_mut(lockout_risks(saved))))
        lockout_allow(now);
    return now;
}

/* ---- naming the first difference ---- */

static char *short_json(const json_t *v)
{
    if (!v)
        return xstrdup("absent");
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (s && strlen(s) > 120) {
        s[117] = '\0';
        char *t = xasprintf("%s...", s);
        free(s);
        return t;
    }
    return s ? s : xstrdup("?");
}

/* The first path at which a and b differ (appended to `path`), with both values; NULL when equal. */
static bool first_diff(const json_t *a, const json_t *b, struct strbuf *path, const json_t **da,
                       const json_t **db)
{
    if (json_equal(util_json_mut(a), util_json_mut(b)))
        return false;
    if (json_is_object(a) && json_is_object(b)) {
        /* keys in a sorted order, so that the first difference is stable */
        const char *k;
        json_t *v;
        const char *best = NULL;
        json_object_foreach(util_json_mut(a), k, v)
        {
            if (!json_equal(v, json_object_get(b, k)) && (!best || strcmp(k, best) < 0))
                best = k;
        }
        json_object_foreach(util_json_mut(b), k, v)
        {
            if (!json_object_get(a, k) && (!best || strcmp(k, best) < 0))
                best = k;
        }
        strbuf_addf(path, "%s%s", path->len ? "." : "", best);
        const json_t *va = json_object_get(a, best), *vb = json_object_get(b, best);
        if (va && vb)
            return first_diff(va, vb, path, da, db) || true;
        *da = va;
        *db = vb;
        return true;
    }
    if (json_is_array(a) && json_is_array(b)) {
        size_t na = json_array_size(a), nb = json_array_size(b);
        for (size_t i = 0; i < na && i < nb; i++) {
            if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
                strbuf_addf(path, "[%zu]", i);
                return first_diff(json_array_get(a, i), json_array_get(b, i), path, da, db);
            }
        }
        size_t i = na < nb ? na : nb;
        strbuf_addf(path, "[%zu]", i);
        *da = json_array_get(a, i);
        *db = json_array_get(b, i);
        return true;
    }
    *da = a;
    *db = b;
    return true;
}

static char *action_words(const json_t *a)
{
    const char *at = json_string_value(json_object_get(a, "at"));
    return xasprintf("%s %s \"%s\"%s%s%s", json_string_value(json_object_get(a, "op")),
                     json_string_value(json_object_get(a, "word")),
                     json_string_value(json_object_get(a, "name")), at ? " (" : "", at ? at : "",
                     at ? ")" : "");
}

static bool same_action(const json_t *a, const json_t *b)
{
    static const char *const keys[] = {"op", "kind", "name", "id"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(keys); i++)
        if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])))
            return false;
    return true;
}

char *plan_saved_difference(const json_t *saved, const json_t *now)
{
    if (json_equal(util_json_mut(saved), util_json_mut(now)))
        return NULL;
    /* actions first, in the language's terms: an action too many, one missing, or one whose
     * requests or changes differ */
    const json_t *sa = json_object_get(saved, "actions"), *na = json_object_get(now, "actions");
    size_t ns = json_array_size(sa), nn = json_array_size(na);
    for (size_t i = 0; i < ns || i < nn; i++) {
        const json_t *a = json_array_get(sa, i), *b = json_array_get(na, i);
        if (a && b && json_equal(util_json_mut(a), util_json_mut(b)))
            continue;
        if (a && b && same_action(a, b)) {
            struct strbuf p = STRBUF_INIT;
            const json_t *da = NULL, *db = NULL;
            first_diff(a, b, &p, &da, &db);
            char *w = action_words(a), *x = short_json(da), *y = short_json(db);
            char *msg = xasprintf("action %zu, %s: %s is %s in the saved plan but %s now", i, w,
                                  strbuf_str(&p), x, y);
            free(w);
            free(x);
            free(y);
            strbuf_fini(&p);
            return msg;
        }
        /* is a later in now (b missing from saved), or b later in saved (a extra)? */
        bool a_in_now = false;
        for (size_t j = i; a && j < nn && !a_in_now; j++)
            a_in_now = same_action(a, json_array_get(na, j));
        if (a && !a_in_now) {
            char *w = action_words(a);
            char *msg = xasprintf("action %zu of the saved plan, %s, is not what the configuration "
                                  "and the tenant make now",
                                  i, w);
            free(w);
            return msg;
        }
        char *w = action_words(b);
        char *msg = xasprintf("the saved plan lacks action %zu, %s, which the configuration and "
                              "the tenant make now",
                              i, w);
        free(w);
        return msg;
    }
    const json_t *rs = lockout_risks(saved), *rn = lockout_risks(now);
    if ((json_array_size(rs) || json_array_size(rn)) &&
        !json_equal(util_json_mut(rs), util_json_mut(rn)))
        return xasprintf("lockoutRisk.scenarios: the saved plan records %zu lockout risk%s, the "
                         "plan made now finds %zu (an --allow-lockout-risk recorded at plan time "
                         "covers exactly the risks it recorded)",
                         json_array_size(rs), json_array_size(rs) == 1 ? "" : "s",
                         json_array_size(rn));
    struct strbuf p = STRBUF_INIT;
    const json_t *da = NULL, *db = NULL;
    first_diff(saved, now, &p, &da, &db);
    char *x = short_json(da), *y = short_json(db);
    char *msg;
    if (!db)
        msg = xasprintf("field \"%s\" is in the saved plan but not in the plan made now (%s)",
                        strbuf_str(&p), x);
    else if (!da)
        msg = xasprintf("field \"%s\" is missing from the saved plan (now: %s)", strbuf_str(&p), y);
    else
        msg = xasprintf("%s is %s in the saved plan but %s now", strbuf_str(&p), x, y);
    free(x);
    free(y);
    strbuf_fini(&p);
    return msg;
}

int plan_save(const json_t *plan, const char *path)
{
    char *text = json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return ENOMEM;
    /* the final newline goes at the end of jansson's text itself (a large block grows in place),
     * not into a second copy of a plan that can be megabytes */
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    int e = util_write_file_atomic(path, text, len);
    free(text);
    return e;
}
