/* plan_licenses.c — group-based licensing: the `licenses` a configuration declares for a group,
 * compared with the group's assignedLicenses by skuId, planned as one
 * POST groups/{id}/assignLicense (plan_licenses.h). */
#include "runtime/plan/plan_licenses.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/util.h"
#include "runtime/plan/plan.h"

/* The subscribed SKU with this part number (case-insensitive), or NULL. */
static const json_t *sku_by_part(const struct tenant *t, const char *part)
{
    size_t i;
    json_t *s;
    json_array_foreach(t->skus, i, s)
    {
        const char *p = json_string_value(json_object_get(s, "skuPartNumber"));
        if (p && strcasecmp(p, part) == 0 && json_string_value(json_object_get(s, "skuId")))
            return s;
    }
    return NULL;
}

/* The part number of a skuId, or NULL when the tenant does not subscribe to it. */
static const char *part_by_sku(const struct tenant *t, const char *sku)
{
    size_t i;
    json_t *s;
    json_array_foreach(t->skus, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "skuId"));
        if (id && strcasecmp(id, sku) == 0)
            return json_string_value(json_object_get(s, "skuPartNumber"));
    }
    return NULL;
}

static bool has_sku(const json_t *ids, const char *sku)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(ids), i, v)
    {
        if (strcasecmp(json_string_value(v), sku) == 0)
            return true;
    }
    return false;
}

/* A licence as the configuration writes it: "SPE_E5" (quoted); a SKU the tenant no longer
 * subscribes to (it has no part number then) by its id. */
static json_t *dsl_licence(const struct tenant *t, const char *sku)
{
    const char *part = part_by_sku(t, sku);
    if (!part)
        return json_sprintf("skuId %s (not in subscribedSkus)", sku);
    return json_sprintf("\"%s\"", part);
}

static char *joined(const json_t *list, const char *sign)
{
    struct strbuf sb = STRBUF_INIT;
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        strbuf_addf(&sb, "%s%s%s", i ? ", " : "", sign, json_string_value(v));
    }
    return strbuf_detach(&sb);
}

void plan_licenses(const struct tenant *t, json_t *action, const struct model_object *o,
                   const json_t *current, const char *gid, bool created)
{
    const json_t *declared = json_object_get(o->extra, "licenses");
    if (!json_is_array(declared))
        return; /* not managed */
    json_t *want = json_array(), *have = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(declared), i, v)
    {
        const json_t *s = json_string_value(v) ? sku_by_part(t, json_string_value(v)) : NULL;
        const char *id = s ? json_string_value(json_object_get(s, "skuId")) : NULL;
        if (id && !has_sku(want, id)) /* unknown part numbers are resolve.c's errors */
            json_array_append_new(want, json_string(id));
    }
    json_array_foreach(json_object_get(current, "assignedLicenses"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "skuId"));
        if (id && !has_sku(have, id))
            json_array_append_new(have, json_string(id));
    }
    json_t *add = json_array(), *remove = json_array();
    json_t *added = json_array(), *removed = json_array();
    json_array_foreach(want, i, v)
    {
        if (has_sku(have, json_string_value(v)))
            continue;
        json_array_append_new(add, json_pack("{s:O,s:[]}", "skuId", v, "disabledPlans"));
        json_array_append_new(added, dsl_licence(t, json_string_value(v)));
    }
    json_array_foreach(have, i, v)
    {
        if (has_sku(want, json_string_value(v)))
            continue;
        json_array_append(remove, v);
        json_array_append_new(removed, dsl_licence(t, json_string_value(v)));
    }
    if (json_array_size(add) == 0 && json_array_size(remove) == 0)
        goto out;

    json_t *ch = json_object();
    json_object_set_new(ch, "field", json_string("licenses"));
    json_object_set_new(ch, "path", json_string("assignedLicenses"));
    json_object_set_new(ch, "op", json_string(created ? "add" : "change"));
    if (created) {
        char *s = joined(added, "");
        json_object_set_new(ch, "new", json_string(s));
        free(s);
    }
    json_object_set(ch, "added", added);
    json_object_set(ch, "removed", removed);
    json_array_append_new(json_object_get(action, "changes"), ch);

    char *plus = joined(added, "+ ");
    char *minus = joined(removed, "- ");
    char *path = xasprintf("groups/%s/assignLicense", gid);
    json_t *r = json_object();
    json_object_set_new(r, "phase", json_integer(PHASE_GROUP_UPDATE));
    json_object_set_new(r, "method", json_string("POST"));
    json_object_set_new(r, "path", json_string(path));
    json_object_set_new(r, "body",
                        json_pack("{s:O,s:O}", "addLicenses", add, "removeLicenses", remove));
    json_object_set_new(r, "description",
                        json_sprintf("licences of group \"%s\": %s%s%s", o->name, plus,
                                     *plus && *minus ? ", " : "", minus));
    json_array_append_new(json_object_get(action, "requests"), r);
    free(path);
    free(plus);
    free(minus);
out:
    json_decref(want);
    json_decref(have);
    json_decref(add);
    json_decref(remove);
    json_decref(added);
    json_decref(removed);
}
