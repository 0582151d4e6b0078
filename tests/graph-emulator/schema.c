/* Declarative request-body checks: unknown properties, JSON types and enum members (case-insensitive). */
#include "emu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *emu_enum_canon(const char *const *enums, const char *v)
{
    if (!enums || !v)
        return NULL;
    for (size_t i = 0; enums[i]; i++)
        if (emu_strieq(enums[i], v))
            return enums[i];
    return NULL;
}

static bool canon_string(json_t *v, const char *const *enums, const char *where, const char *key,
                         char *err, size_t errsz)
{
    const char *c = emu_enum_canon(enums, json_string_value(v));
    if (!c) {
        snprintf(err, errsz, "invalid value '%s' for %s%s", json_string_value(v), where, key);
        return false;
    }
    json_string_set(v, c);
    return true;
}

static bool canon_flags(json_t *v, const char *const *enums, const char *where, const char *key,
                        char *err, size_t errsz)
{
    const char *s = json_string_value(v);
    struct emu_buf out = {0};
    bool ok = true;
    while (*s) {
        while (*s == ' ' || *s == ',')
            s++;
        const char *start = s;
        while (*s && *s != ',')
            s++;
        const char *end = s;
        while (end > start && end[-1] == ' ')
            end--;
        if (end == start)
            continue;
        char *item = emu_xstrndup(start, (size_t)(end - start));
        const char *c = emu_enum_canon(enums, item);
        if (!c) {
            snprintf(err, errsz, "invalid value '%s' for %s%s", item, where, key);
            free(item);
            ok = false;
            break;
        }
        free(item);
        if (out.len)
            emu_buf_adds(&out, ",");
        emu_buf_adds(&out, c);
    }
    if (ok)
        json_string_set(v, out.data ? out.data : "");
    emu_buf_free(&out);
    return ok;
}

bool emu_check(json_t *obj, const struct emu_field *fields, const char *where, char *err,
               size_t errsz)
{
    if (!json_is_object(obj)) {
        snprintf(err, errsz, "%s must be an object", where[0] ? where : "the body");
        return false;
    }
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (strstr(key, "@odata."))
            continue;
        const struct emu_field *f = NULL;
        for (size_t i = 0; fields[i].name; i++)
            if (strcmp(fields[i].name, key) == 0)
                f = &fields[i];
        if (!f) {
            snprintf(err, errsz, "unknown property '%s%s'", where, key);
            return false;
        }
        if (json_is_null(val)) {
            if (f->nonnull) {
                snprintf(err, errsz, "%s%s cannot be null", where, key);
                return false;
            }
            continue;
        }
        bool ok = true;
        switch (f->type) {
        case EF_ANY:
            break;
        case EF_STR:
            ok = json_is_string(val);
            break;
        case EF_BOOL:
            ok = json_is_boolean(val);
            break;
        case EF_INT:
            ok = json_is_integer(val);
            break;
        case EF_ENUM:
            if (!json_is_string(val))
                ok = false;
            else if (!canon_string(val, f->enums, where, key, err, errsz))
                return false;
            break;
        case EF_FLAGS:
            if (!json_is_string(val))
                ok = false;
            else if (!canon_flags(val, f->enums, where, key, err, errsz))
                return false;
            break;
        case EF_STRLIST:
        case EF_ENUMLIST: {
            if (!json_is_array(val)) {
                ok = false;
                break;
            }
            size_t i;
            json_t *item;
            json_array_foreach(val, i, item)
            {
                if (!json_is_string(item)) {
                    ok = false;
                    break;
                }
                if (f->type == EF_ENUMLIST && !canon_string(item, f->enums, where, key, err, errsz))
                    return false;
            }
            break;
        }
        case EF_OBJ: {
            char sub[256];
            snprintf(sub, sizeof sub, "%s%s.", where, key);
            if (!emu_check(val, f->sub, sub, err, errsz))
                return false;
            break;
        }
        case EF_OBJLIST: {
            if (!json_is_array(val)) {
                ok = false;
                break;
            }
            size_t i;
            json_t *item;
            json_array_foreach(val, i, item)
            {
                char sub[256];
                snprintf(sub, sizeof sub, "%s%s[%zu].", where, key, i);
                if (!emu_check(item, f->sub, sub, err, errsz))
                    return false;
            }
            break;
        }
        }
        if (!ok) {
            snprintf(err, errsz, "%s%s has the wrong type", where, key);
            return false;
        }
    }
    return true;
}
