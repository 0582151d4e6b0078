/* raise_check.c — compiling raised text in memory, and resolving the symbolic references of the
 * result against the same name map (the round trip of `idpc export`). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check.h"
#include "compiler/model.h"
#include "compiler/raise.h"

struct model *raise_compile_text(const char *path, const char *text, bool warnings,
                                 struct strbuf *errors)
{
    struct diag_ctx *diag = diag_ctx_new();
    struct ast_config *cfg = ast_config_new();
    size_t len = strlen(text);
    uint32_t src = diag_add_source(diag, path, xstrndup(text, len), len);
    struct model *m = NULL;
    struct ast_file *f = ast_parse_source(cfg, diag, src);
    if (f)
        m = check_config(cfg, diag);
    for (size_t i = 0; i < diag_count(diag); i++) {
        const struct diag *d = diag_at(diag, i);
        if (d->severity == DIAG_NOTE || (d->severity == DIAG_WARNING && !warnings))
            continue;
        unsigned line = 0, col = 0;
        if (diag_loc_valid(d->loc))
            diag_line_col(diag, d->loc.file, d->loc.start, &line, &col);
        strbuf_addf(errors, "%u:%u: %s: %s\n", line, col,
                    d->severity == DIAG_ERROR ? "error" : "warning", d->message);
    }
    if (diag_error_count(diag) || !f) {
        model_free(m);
        m = NULL;
    }
    ast_config_free(cfg);
    diag_ctx_free(diag);
    return m;
}

static json_t *resolved(const json_t *ref, const struct raise_names *names)
{
    const char *id = json_string_value(json_object_get(ref, "id"));
    if (id)
        return json_string(id);
    const char *kind = json_string_value(json_object_get(ref, "$ref"));
    const char *name = json_string_value(json_object_get(ref, "name"));
    const char *field = json_string_value(json_object_get(ref, "field"));
    if (!kind || !name)
        return NULL;
    if (field && strcmp(field, "appId") == 0)
        kind = "application";
    const char *found = raise_names_id(names, kind, name);
    return json_string(found ? found : name);
}

void raise_resolve_refs(json_t *v, const struct raise_names *names)
{
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            json_t *r = model_is_ref(e) ? resolved(e, names) : NULL;
            if (r)
                json_array_set_new(v, i, r);
            else
                raise_resolve_refs(e, names);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, e)
        {
            json_t *r = model_is_ref(e) ? resolved(e, names) : NULL;
            if (r)
                json_object_set_new(v, k, r);
            else
                raise_resolve_refs(e, names);
        }
    }
}
