/* model.c — see model.h. */
#include "compiler/model.h"
#include "compiler/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define X(e, n, p) n,
    MODEL_KINDS(X)
#undef X
};

static const char *const kind_paths[] = {
#define X(e, n, p) p,
    MODEL_KINDS(X)
#undef X
};

const char *model_kind_name(enum model_kind k)
{
    return (unsigned)k < MODEL__COUNT ? kind_names[k] : "unknown";
}

const char *model_kind_path(enum model_kind k)
{
    return (unsigned)k < MODEL__COUNT ? kind_paths[k] : "";
}

struct model *model_new(void)
{
    struct model *m = xcalloc(1, sizeof(*m));
    m->emergency_access = json_array();
    m->tests = json_array();
    for (int k = 0; k < MODEL__COUNT; k++)
        strmap_init_borrowed(&m->names[k], false);
    return m;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        struct model_object *o = &m->objects[i];
        free(o->name);
        free(o->pinned_id);
        free(o->renamed_from);
        json_decref(o->body);
        json_decref(o->extra);
        free(o->frozen);
        free(o->frozen_digest);
        json_decref(o->frozen_type);
    }
    free(m->objects);
    free(m->tenant);
    json_decref(m->emergency_access);
    json_decref(m->tests);
    for (int k = 0; k < MODEL__COUNT; k++)
        strmap_fini(&m->names[k]);
    free(m);
}

struct model_object *model_add(struct model *m, enum model_kind kind, const char *name,
                               struct loc loc)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 32;
        m->objects = xrealloc(m->objects, m->cap * sizeof(*m->objects));
    }
    struct model_object *o = &m->objects[m->n++];
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->name = xstrdup(name);
    o->loc = loc;
    o->body = json_object();
    if ((unsigned)kind < MODEL__COUNT)
        (void)strmap_put_first(&m->names[kind], o->name, m->n - 1);
    return o;
}

json_t *model_extra(struct model_object *o)
{
    if (!o->extra)
        o->extra = json_object();
    return o->extra;
}

struct model_object *model_find(const struct model *m, enum model_kind kind, const char *name)
{
    size_t i;
    if ((unsigned)kind >= MODEL__COUNT || !strmap_get(&m->names[kind], name, &i))
        return NULL;
    return &m->objects[i];
}

/* The shared constants: text -> index in const_values. Each value keeps one reference for the
 * process's lifetime (reachable from here, so a leak check does not count it). */
static struct strmap const_index;
static json_t **const_values;
static size_t nconst, capconst;

json_t *model_const_string(const char *s)
{
    /* Callers pass a handful of static strings again and again: a cache by address first (its
     * hit is checked by content, so a reused address cannot return another text). */
    static struct {
        const char *p;
        json_t *v;
    } recent[256];
    size_t slot = ((uintptr_t)s >> 3) % IDPC_ARRAY_LEN(recent);
    if (recent[slot].p == s) {
        /* the value's own text (a frozen body's type, read back) is that value */
        const char *t = json_string_value(recent[slot].v);
        if (t == s || strcmp(t, s) == 0)
            return json_incref(recent[slot].v);
    }
    size_t i;
    if (!strmap_get(&const_index, s, &i)) {
        if (nconst == capconst) {
            capconst = capconst ? capconst * 2 : 64;
            const_values = xrealloc(const_values, capconst * sizeof(*const_values));
        }
        i = nconst++;
        const_values[i] = json_string(s);
        strmap_put(&const_index, s, i);
    }
    recent[slot].p = s;
    recent[slot].v = const_values[i];
    return json_incref(const_values[i]);
}

json_t *model_string(const char *s, size_t len)
{
    /* ASCII eight bytes at a time, then the rest */
    size_t i = 0;
    uint64_t high = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        high |= w;
    }
    for (; i < len; i++)
        high |= (unsigned char)s[i];
    if (high & UINT64_C(0x8080808080808080))
        return json_stringn(s, len);
    return json_stringn_nocheck(s, len);
}

json_t *model_ref_name_value(const char *kind, json_t *name, json_t *at)
{
    json_t *r = json_object();
    /* (constant ASCII keys: no UTF-8 check) */
    json_object_set_new_nocheck(r, "$ref", model_const_string(kind));
    json_object_set_new_nocheck(r, "name", name);
    if (at)
        json_object_set_new_nocheck(r, "at", at);
    return r;
}

json_t *model_ref_name(const char *kind, const char *name, const char *at)
{
    return model_ref_name_value(kind, json_string(name), at ? json_string(at) : NULL);
}

json_t *model_ref_id(const char *kind, const char *id, const char *at)
{
    json_t *r = json_object();
    json_object_set_new(r, "$ref", model_const_string(kind));
    json_object_set_new(r, "id", json_string(id));
    if (at)
        json_object_set_new(r, "at", json_string(at));
    return r;
}

bool model_is_ref(const json_t *v)
{
    return json_is_object(v) && json_object_get(v, "$ref") != NULL;
}

bool model_ref_equal(const json_t *a, const json_t *b)
{
    const char *ka = json_string_value(json_object_get(a, "$ref"));
    const char *kb = json_string_value(json_object_get(b, "$ref"));
    if (!ka || !kb || strcmp(ka, kb) != 0)
        return false;
    const char *na = json_string_value(json_object_get(a, "name"));
    const char *nb = json_string_value(json_object_get(b, "name"));
    if (na && nb)
        return util_streq_nocase(na, nb);
    const char *ia = json_string_value(json_object_get(a, "id"));
    const char *ib = json_string_value(json_object_get(b, "id"));
    return ia && ib && util_streq_nocase(ia, ib);
}

/* ---- frozen bodies ---- */

static bool carries_ref(const json_t *v)
{
    if (model_is_ref(v))
        return true;
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(util_json_mut(v), i, e)
        {
            if (carries_ref(e))
                return true;
        }
    } else if (json_is_object(v)) {
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (carries_ref(e))
                return true;
        }
    }
    return false;
}

/* Freezes one object (model_freeze's rule); false when it stays as it is. */
static bool freeze_one(struct model_object *o, const struct model_freeze_request *how)
{
    if (o->frozen || !json_is_object(o->body))
        return false;
    char *digest = NULL;
    /* a body the codec represents carries no reference (it thaws to the same body) */
    char *text = how->codec ? how->codec->freeze(o->body, &digest) : NULL;
    if (text) {
        o->frozen_codec = how->codec;
    } else {
        if (carries_ref(o->body))
            return false;
        /* no JSON_SORT_KEYS: the keys in their stored order */
        text = json_dumps(o->body, JSON_COMPACT);
        if (!text)
            return false; /* not representable as text (invalid UTF-8): it stays a tree */
        digest = how->digest ? how->digest(o->body) : NULL;
    }
    const char *type = json_string_value(json_object_get(o->body, "@odata.type"));
    o->frozen_type = type ? model_const_string(type) : NULL;
    o->frozen = text;
    o->frozen_digest = digest;
    json_decref(o->body);
    o->body = NULL;
    return true;
}

size_t model_freeze_as(struct model *m, enum model_kind kind,
                       const struct model_freeze_request *how)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->objects[i].kind == kind && freeze_one(&m->objects[i], how))
            n++;
    return n;
}

size_t model_freeze(struct model *m, enum model_kind kind, char *(*digest)(const json_t *body))
{
    const struct model_freeze_request how = {.digest = digest};
    return model_freeze_as(m, kind, &how);
}

size_t model_freeze_since(struct model *m, size_t first)
{
    size_t n = 0;
    for (size_t i = first; m->freeze.kinds && i < m->n; i++) {
        struct model_object *o = &m->objects[i];
        if ((unsigned)o->kind < MODEL__COUNT && (m->freeze.kinds & (1u << o->kind)) &&
            freeze_one(o, &m->freeze))
            n++;
    }
    return n;
}

bool model_is_frozen(const struct model_object *o)
{
    return o->frozen != NULL;
}

static json_t *thaw(const struct model_object *o)
{
    if (o->frozen_codec)
        return o->frozen_codec->thaw(o->frozen);
    json_error_t err;
    json_t *v = json_loads(o->frozen, JSON_ALLOW_NUL, &err);
    if (!v) /* the text is json_dumps's own: only a failed allocation gets here */
        BUG("thawing a frozen body: %s", err.text);
    return v;
}

json_t *model_body(struct model_object *o)
{
    if (!o->body && o->frozen)
        o->body = thaw(o);
    return o->body;
}

void model_body_release(struct model_object *o)
{
    if (!o->frozen)
        return;
    json_decref(o->body);
    o->body = NULL;
}

void model_body_drop(struct model_object *o)
{
    json_decref(o->body);
    o->body = json_null();
    free(o->frozen);
    o->frozen = NULL;
    o->frozen_codec = NULL;
    free(o->frozen_digest);
    o->frozen_digest = NULL;
    json_decref(o->frozen_type);
    o->frozen_type = NULL;
}

const char *model_body_type(const struct model_object *o)
{
    if (o->body)
        return json_string_value(json_object_get(o->body, "@odata.type"));
    return json_string_value(o->frozen_type);
}

static char *loc_string(const struct diag_ctx *diag, struct loc l)
{
    const struct src_file *f = diag_loc_valid(l) ? diag_source(diag, l.file) : NULL;
    if (!f)
        return xstrdup("");
    unsigned line, col;
    diag_line_col(diag, l.file, l.start, &line, &col);
    return xasprintf("%s:%u:%u", f->path, line, col);
}

json_t *model_to_json(const struct model *m, const struct diag_ctx *diag)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("idpc-model/1"));
    json_object_set_new(doc, "tenant", m->tenant ? json_string(m->tenant) : json_null());
    json_t *managed = json_array();
    for (int k = 0; k < MODEL__COUNT; k++)
        if (m->manage_exclusive & (1u << k))
            json_array_append_new(managed, json_string(model_kind_name((enum model_kind)k)));
    json_object_set_new(doc, "manageExclusively", managed);
    json_object_set(doc, "emergencyAccess", m->emergency_access);
    json_t *objs = json_array();
    /* Objects in kind order (dependencies first), then declaration order. */
    for (int k = 0; k < MODEL__COUNT; k++) {
        for (size_t i = 0; i < m->n; i++) {
            const struct model_object *o = &m->objects[i];
            if ((int)o->kind != k)
                continue;
            json_t *jo = json_object();
            json_object_set_new(jo, "kind", json_string(model_kind_name(o->kind)));
            json_object_set_new(jo, "name", json_string(o->name));
            char *at = loc_string(diag, o->loc);
            json_object_set_new(jo, "at", json_string(at));
            free(at);
            if (o->pinned_id)
                json_object_set_new(jo, "id", json_string(o->pinned_id));
            if (o->renamed_from)
                json_object_set_new(jo, "renamedFrom", json_string(o->renamed_from));
            if (o->body)
                json_object_set(jo, "body", o->body);
            else if (o->frozen) /* a copy of its own: the model stays as it is */
                json_object_set_new(jo, "body", thaw(o));
            if (json_object_size(o->extra) > 0)
                json_object_set(jo, "extra", o->extra);
            json_array_append_new(objs, jo);
        }
    }
    json_object_set_new(doc, "objects", objs);
    json_object_set(doc, "tests", m->tests);
    return doc;
}
