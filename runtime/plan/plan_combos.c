/* plan_combos.c — the requests that bring a custom strength's combination configurations from
 * what the tenant has to what the configuration declares (Graph v1.0: POST, PATCH and DELETE on
 * policies/authenticationStrengthPolicies/{id}/combinationConfigurations). A configuration is
 * matched by its type (@odata.type): the language declares at most one of each. */
#include "runtime/plan/plan_combos.h"

#include <string.h>
#include <strings.h>

#include "compiler/util.h"
#include "runtime/plan/normalize.h"

static const char *type_of(const json_t *c)
{
    const char *t = json_string_value(json_object_get(c, "@odata.type"));
    return t && t[0] == '#' ? t + 1 : t;
}

static bool same_type(const json_t *a, const json_t *b)
{
    const char *x = type_of(a), *y = type_of(b);
    return x && y && strcasecmp(x, y) == 0;
}

/* Normalised for comparison: the strength normaliser's view of a one-config strength. */
static bool config_equal(const json_t *a, const json_t *b)
{
    json_t *x = json_pack("{s:[O]}", "combinationConfigurations", a);
    json_t *y = json_pack("{s:[O]}", "combinationConfigurations", b);
    bool eq = normalize_equal(NK_AUTH_STRENGTH, x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}

static json_t *request(int phase, const char *method, const char *path, json_t *body,
                       const char *description)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s}", "phase", phase, "method", method, "path", path,
                          "description", description);
    if (body)
        json_object_set_new(r, "body", body);
    return r;
}

static json_t *clean(const json_t *c)
{
    json_t *b = json_deep_copy(c);
    json_object_del(b, "id");
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(b, tmp, k, v)
    {
        if (strchr(k, '@') && strcmp(k, "@odata.type") != 0)
            json_object_del(b, k);
    }
    return b;
}

json_t *plan_strength_combos(int phase, const char *strength_path, const char *name,
                             const json_t *want, const json_t *have)
{
    json_t *out = json_array();
    size_t nh = json_array_size(have);
    bool *used = xcalloc(nh + 1, sizeof(*used));
    size_t i;
    json_t *w;
    json_array_foreach(util_json_mut(want), i, w)
    {
        const json_t *match = NULL;
        size_t j;
        json_t *h;
        json_array_foreach(util_json_mut(have), j, h)
        {
            if (!used[j] && same_type(w, h)) {
                match = h;
                used[j] = true;
                break;
            }
        }
        const char *id = json_string_value(json_object_get(match, "id"));
        if (match && id) {
            if (config_equal(w, match))
                continue;
            char *p = xasprintf("%s/combinationConfigurations/%s", strength_path, id);
            char *d = xasprintf("update the %s restriction of strength \"%s\"", type_of(w), name);
            json_array_append_new(out, request(phase, "PATCH", p, clean(w), d));
            free(p);
            free(d);
        } else {
            char *p = xasprintf("%s/combinationConfigurations", strength_path);
            char *d = xasprintf("restrict strength \"%s\" (%s)", name, type_of(w));
            json_array_append_new(out, request(phase, "POST", p, clean(w), d));
            free(p);
            free(d);
        }
    }
    json_t *h;
    json_array_foreach(util_json_mut(have), i, h)
    {
        const char *id = json_string_value(json_object_get(h, "id"));
        if (used[i] || !id)
            continue;
        char *p = xasprintf("%s/combinationConfigurations/%s", strength_path, id);
        char *d = xasprintf("remove the %s restriction of strength \"%s\"",
                            type_of(h) ? type_of(h) : "combination", name);
        json_array_append_new(out, request(phase, "DELETE", p, NULL, d));
        free(p);
        free(d);
    }
    free(used);
    return out;
}
