/* whatif_json.c — the lowest layer of the what-if evaluator: reading Graph JSON as exports spell
 * it. whatif.c (conditions) and whatif_grant.c (controls) both call down into it. */
#include <string.h>
#include <strings.h>

#include "compiler/util.h"
#include "runtime/analysis/whatif_int.h"
#include "runtime/tenant/tenant.h"

bool whatif_eq(const char *a, const char *b)
{
    return a && b && util_streq_nocase(a, b);
}

const json_t *whatif_jget(const json_t *obj, const char *key)
{
    return tenant_member(obj, key); /* the rule the tenant's held locations are read by too */
}

void whatif_jget_many(const json_t *obj, const char *const *keys, size_t n, const json_t **out)
{
    const json_t *nocase[16];
    size_t len[16];
    if (n > 16) { /* not needed by any caller; stay correct */
        for (size_t j = 0; j < n; j++)
            out[j] = whatif_jget(obj, keys[j]);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        out[j] = nocase[j] = NULL;
        len[j] = strlen(keys[j]);
    }
    if (!json_is_object(obj))
        return;
    const char *k;
    const json_t *x;
    json_object_foreach(whatif_mut(obj), k, x)
    {
        size_t klen = strlen(k); /* keys equal even ignoring case have the same length */
        for (size_t j = 0; j < n; j++) {
            if (len[j] != klen)
                continue;
            if (strcmp(k, keys[j]) == 0)
                out[j] = x;
            else if (!nocase[j] && util_streq_nocase(k, keys[j]))
                nocase[j] = x;
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (!out[j])
            out[j] = nocase[j];
        if (json_is_null(out[j]))
            out[j] = NULL;
    }
}

const char *whatif_item_key(const json_t *item)
{
    if (json_is_string(item))
        return json_string_value(item);
    if (!json_is_object(item))
        return NULL;
    const char *id = json_string_value(json_object_get(item, "id"));
    if (id)
        return id;
    return json_string_value(json_object_get(item, "name"));
}
