/* resolve.c — see resolve.h. */
#include "runtime/plan/resolve.h"
#include "runtime/plan/resolve_governance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/suggest.h"
#include "compiler/util.h"

/* The plural of a kind word: "policy" → "policies", "group" → "groups" (new string). */
static char *plural(const char *w)
{
    size_t n = strlen(w);
    if (n > 1 && w[n - 1] == 'y' && !strchr("aeiou", w[n - 2]))
        return xasprintf("%.*sies", (int)(n - 1), w);
    return xasprintf("%s%s", w, n && w[n - 1] == 's' ? "es" : "s");
}

static const char *str_or(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

enum tenant_kind resolve_tenant_kind(enum model_kind k)
{
    switch (k) {
    case MODEL_GROUP:
        return TK_GROUP;
    case MODEL_NAMED_LOCATION:
        return TK_LOCATION;
    case MODEL_AUTH_STRENGTH:
        return TK_STRENGTH;
    case MODEL_CA_POLICY:
        return TK_POLICY;
    case MODEL_USER:
        return TK_USER;
    default:
        return TK__COUNT;
    }
}

/* Reference kinds ("$ref" values) → tenant kinds and the model kind that may declare them. */
static const struct {
    const char *ref;
    enum tenant_kind tk;
    int mk; /* enum model_kind, or -1 */
    const char *what;
} ref_kinds[] = {
    {"user", TK_USER, MODEL_USER, "user"},
    {"group", TK_GROUP, MODEL_GROUP, "group"},
    {"namedLocation", TK_LOCATION, MODEL_NAMED_LOCATION, "named location"},
    {"authenticationStrengthPolicy", TK_STRENGTH, MODEL_AUTH_STRENGTH, "authentication strength"},
    {"servicePrincipal", TK_SP, -1, "service principal"},
    {"agreement", TK_AGREEMENT, -1, "terms of use"},
};

char *resolve_new_token(const char *kind, const char *name)
{
    return xasprintf(RESOLVE_NEW_PREFIX "%s:%s", kind, name);
}

bool resolve_parse_token(const char *s, char **kind, char **name)
{
    size_t n = strlen(RESOLVE_NEW_PREFIX);
    if (!s || strncmp(s, RESOLVE_NEW_PREFIX, n) != 0)
        return false;
    const char *colon = strchr(s + n, ':');
    if (!colon)
        return false;
    *kind = xstrndup(s + n, (size_t)(colon - s - n));
    *name = xstrdup(colon + 1);
    return true;
}

/* ---- locations ---- */

struct loc resolve_at_loc(const struct diag_ctx *diag, const char *at)
{
    struct loc l = diag_loc_from_string(diag, at);
    if (!diag_loc_valid(l))
        return l;
    const struct src_file *sf = diag_source(diag, l.file);
    size_t off = l.start;
    /* Cover the reference: `word "string"` or `word id "string"`. */
    size_t end = off;
    const char *t = sf->text;
    for (int part = 0; part < 3 && end < sf->len; part++) {
        size_t e = end;
        while (e < sf->len && (t[e] == ' ' || t[e] == '\t'))
            e++;
        if (e < sf->len && t[e] == '"') {
            e++;
            while (e < sf->len && t[e] != '"' && t[e] != '\n')
                e += (t[e] == '\\' && e + 1 < sf->len) ? 2 : 1;
            if (e < sf->len && t[e] == '"')
                e++;
            end = e;
            break;
        }
        size_t w = e;
        while (w < sf->len && (t[w] == '_' || (t[w] >= 'a' && t[w] <= 'z') ||
                               (t[w] >= 'A' && t[w] <= 'Z') || (t[w] >= '0' && t[w] <= '9')))
            w++;
        if (w == e)
            break;
        end = w;
    }
    return diag_loc(l.file, off, end > off ? end : off + 1);
}

/* ---- matching ---- */

static const char *kind_word(enum model_kind k)
{
    switch (k) {
    case MODEL_GROUP:
        return "group";
    case MODEL_NAMED_LOCATION:
        return "location";
    case MODEL_AUTH_STRENGTH:
        return "strength";
    case MODEL_CA_POLICY:
        return "policy";
    default:
        return model_kind_name(k);
    }
}

static void list_ids(struct resolve *r, enum tenant_kind tk, size_t first, bool nocase,
                     struct loc loc)
{
    struct strbuf sb = STRBUF_INIT;
    size_t shown = 0;
    for (size_t i = first; i != TENANT_NONE; i = tenant_next_named(r->t, tk, i, nocase)) {
        if (shown++ == 8) {
            strbuf_adds(&sb, ", ...");
            break;
        }
        strbuf_addf(&sb, "%s\"%s\" (id %s)", shown > 1 ? ", " : "", r->t->idx[tk].v[i].name,
                    r->t->idx[tk].v[i].id);
    }
    diag_note(r->diag, loc, "candidates: %s", strbuf_str(&sb));
    strbuf_fini(&sb);
}

static bool claim(struct strmap *claimed, const char *id)
{
    return strmap_put(claimed, id, 1);
}

static void set_current(struct resolve *r, struct resolve_object *ro, enum tenant_kind tk, size_t i)
{
    struct tenant_obj *o = &r->t->idx[tk].v[i];
    ro->current_id = xstrdup(o->id);
    ro->current_name = o->name ? xstrdup(o->name) : NULL;
    if (tk == TK_GROUP)
        ro->current = tenant_group_body(r->t, o->id);
    else if (tk == TK_USER)
        ro->current = tenant_user_account(r->t, o->id);
    else if (!tenant_held_of(r->t, tk, i))
        ro->current = o->body ? json_incref(o->body) : NULL;
    /* else a named location the tenant holds compactly: thawed while it is planned
     * (resolve_thaw_current) */
}

size_t resolve_current_at(const struct resolve *r, struct resolve_object *ro)
{
    enum tenant_kind tk = resolve_tenant_kind(ro->obj->kind);
    if (!ro->current_id || tk == TK__COUNT)
        return TENANT_NONE;
    if (!ro->current_at_known) {
        ro->current_at = tenant_index_of(r->t, tk, ro->current_id);
        ro->current_at_known = true;
    }
    return ro->current_at;
}

void resolve_thaw_current(struct resolve *r, struct resolve_object *ro)
{
    enum tenant_kind tk = resolve_tenant_kind(ro->obj->kind);
    if (ro->current || !ro->current_id || tk == TK__COUNT)
        return;
    size_t i = resolve_current_at(r, ro);
    if (tenant_held_of(r->t, tk, i)) {
        ro->current = tenant_body(r->t, tk, i);
        ro->current_thawed = true;
    }
}

void resolve_release_current(struct resolve_object *ro)
{
    if (!ro->current_thawed)
        return;
    json_decref(ro->current);
    ro->current = NULL;
    ro->current_thawed = false;
}

/* Pass 1: pinned id, exact name, renamed_from. Pass 2: case-insensitive name. */
static void match_named(struct resolve *r, struct strmap *claimed, int pass)
{
    for (size_t i = 0; i < r->m->n; i++) {
        struct resolve_object *ro = &r->v[i];
        struct model_object *o = ro->obj;
        enum tenant_kind tk = resolve_tenant_kind(o->kind);
        if (tk == TK__COUNT || ro->current_id)
            continue;
        const char *w = kind_word(o->kind);
        if (pass == 1 && o->pinned_id) {
            size_t idx = tenant_index_of(r->t, tk, o->pinned_id);
            if (idx == TENANT_NONE) {
                diag_error(r->diag, o->loc,
                           "%s \"%s\" is pinned to id %s, which is not in the tenant", w, o->name,
                           o->pinned_id);
                diag_note(r->diag, o->loc, "remove the 'id' line to create it, or correct the id");
                r->errors++;
                continue;
            }
            if (!claim(claimed, r->t->idx[tk].v[idx].id)) {
                diag_error(r->diag, o->loc, "two declarations manage the same %s (id %s)", w,
                           o->pinned_id);
                r->errors++;
                continue;
            }
            set_current(r, ro, tk, idx);
            continue;
        }
        if (o->pinned_id)
            continue;
        const char *names[2] = {o->name, pass == 1 ? o->renamed_from : NULL};
        for (int n = 0; n < 2 && !ro->current_id; n++) {
            if (!names[n])
                continue;
            bool nocase = pass == 2;
            size_t first = nocase ? tenant_first_lnamed(r->t, tk, names[n])
                                  : tenant_first_named(r->t, tk, names[n]);
            if (first == TENANT_NONE)
                continue;
            size_t count = tenant_count_named(r->t, tk, first, nocase);
            if (count > 1) {
                char *ws = plural(w);
                diag_error(r->diag, o->loc,
                           "%zu %s in the tenant are named \"%s\"%s; idpc cannot tell which one "
                           "this declaration manages",
                           count, ws, names[n], nocase ? " (ignoring case)" : "");
                free(ws);
                list_ids(r, tk, first, nocase, o->loc);
                diag_note(r->diag, o->loc, "pin one with `id \"...\"` inside the declaration");
                r->errors++;
                ro->current_id = xstrdup(""); /* do not plan a create */
                break;
            }
            const char *id = r->t->idx[tk].v[first].id;
            if (!claim(claimed, id))
                continue; /* an exact match of another declaration owns it */
            set_current(r, ro, tk, first);
            ro->by_rename = n == 1;
            ro->case_only = nocase && strcmp(r->t->idx[tk].v[first].name, o->name) != 0;
        }
    }
}

static bool has_unified(const json_t *g)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(g, "groupTypes"), i, v)
    {
        if (json_string_value(v) && strcasecmp(json_string_value(v), "Unified") == 0)
            return true;
    }
    return false;
}

/* Changes PATCH cannot make: the object is created anew and the old one deleted, and every
 * reference in the configuration points at the new one. */
static void detect_replace(struct resolve *r, struct resolve_object *ro)
{
    const json_t *want = ro->obj->body, *have = ro->current;
    /* a named location held compactly (tenant_body) has its type at hand */
    const struct tenant_held *held =
        !have && ro->current_id && ro->obj->kind == MODEL_NAMED_LOCATION
            ? tenant_held_of(r->t, TK_LOCATION, tenant_index_of(r->t, TK_LOCATION, ro->current_id))
            : NULL;
    if (!have && !held)
        return;
    if (ro->obj->kind == MODEL_GROUP) {
        if (json_is_true(json_object_get(want, "isAssignableToRole")) !=
            json_is_true(json_object_get(have, "isAssignableToRole")))
            ro->replace = xstrdup("role_assignable (isAssignableToRole) can only be set when a "
                                  "group is created");
        else if (has_unified(want) != has_unified(have))
            ro->replace = xstrdup("a group cannot change between security and Microsoft 365");
    } else if (ro->obj->kind == MODEL_NAMED_LOCATION) {
        const char *a = model_body_type(ro->obj); /* frozen or not: no thaw */
        const char *b = held ? held->type : json_string_value(json_object_get(have, "@odata.type"));
        if (a && b && strcasecmp(a, b) != 0)
            ro->replace = xstrdup("a named location cannot change between IP ranges and "
                                  "countries");
    }
}

/* ---- references ---- */

static void note(struct resolve *r, const char *at, const char *fmt, ...) IDPC_PRINTF(3, 4);
static void note(struct resolve *r, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    json_array_append_new(r->notes, json_pack("{s:s?,s:s}", "at", at, "message", strbuf_str(&sb)));
    strbuf_fini(&sb);
}

static void suggest_names(struct resolve *r, enum tenant_kind tk, int mk, const char *name,
                          struct loc loc)
{
    struct suggest s;
    suggest_init(&s, name);
    const struct tenant_index *x = &r->t->idx[tk];
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].name)
            suggest_add(&s, x->v[i].name);
    if (mk >= 0)
        for (size_t i = 0; i < r->m->n; i++)
            if ((int)r->m->objects[i].kind == mk)
                suggest_add(&s, r->m->objects[i].name);
    const char *best = suggest_result(&s);
    if (best)
        diag_note(r->diag, loc, "did you mean \"%s\"?", best);
    else if (x->n > 0 && x->n <= 8) {
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < x->n; i++)
            strbuf_addf(&sb, "%s\"%s\"", i ? ", " : "", x->v[i].name ? x->v[i].name : "?");
        diag_note(r->diag, loc, "the tenant has: %s", strbuf_str(&sb));
        strbuf_fini(&sb);
    }
}

static json_t *resolve_ref(struct resolve *r, const json_t *ref, const char *parent_key)
{
    const char *kind = json_string_value(json_object_get(ref, "$ref"));
    const char *name = json_string_value(json_object_get(ref, "name"));
    const char *id = json_string_value(json_object_get(ref, "id"));
    const char *at = json_string_value(json_object_get(ref, "at"));
    /* where the reference is, for an error: looked up only then (resolve_at_loc) */
    size_t k;
    for (k = 0; k < IDPC_ARRAY_LEN(ref_kinds); k++)
        if (kind && strcmp(kind, ref_kinds[k].ref) == 0)
            break;
    if (k == IDPC_ARRAY_LEN(ref_kinds)) {
        struct loc loc = resolve_at_loc(r->diag, at);
        diag_error(r->diag, loc, "idpc cannot resolve a reference of kind '%s'", kind ? kind : "?");
        r->errors++;
        return json_string("");
    }
    enum tenant_kind tk = ref_kinds[k].tk;
    const char *what = ref_kinds[k].what;
    bool want_app_id = tk == TK_SP && parent_key &&
                       (strcmp(parent_key, "includeApplications") == 0 ||
                        strcmp(parent_key, "excludeApplications") == 0);
    if (id) {
        struct tenant_obj *o = tenant_by_id(r->t, tk, id);
        if (!o && tk == TK_SP)
            o = tenant_by_alt(r->t, TK_SP, id);
        if (!o && !(tk == TK_AGREEMENT && !r->t->have_agreements)) {
            struct loc loc = resolve_at_loc(r->diag, at);
            diag_error(r->diag, loc, "no %s with id %s in the tenant", what, id);
            r->errors++;
            return json_string(id);
        }
        if (o && want_app_id && o->alt)
            return json_string_nocheck(o->alt);
        return json_string_nocheck(o ? o->id : id);
    }
    if (!name) {
        struct loc loc = resolve_at_loc(r->diag, at);
        diag_error(r->diag, loc, "a %s reference without a name or id", what);
        r->errors++;
        return json_string("");
    }
    /* Declared in the configuration: the declaration's match decides. (The ids and tokens below
     * are copies of JSON strings, UTF-8 already: json_string_nocheck.) */
    int mk = ref_kinds[k].mk;
    size_t di;
    if (mk >= 0 && strmap_get(&r->desired[mk], name, &di)) {
        struct resolve_object *ro = &r->v[di];
        if (ro->current_id && *ro->current_id && !ro->replace)
            return json_string_nocheck(ro->current_id);
        if (!ro->token)
            ro->token = resolve_new_token(kind, name);
        return json_string_nocheck(ro->token);
    }
    size_t first = tenant_first_named(r->t, tk, name);
    bool nocase = false;
    if (first == TENANT_NONE) {
        first = tenant_first_lnamed(r->t, tk, name);
        nocase = true;
    }
    if (first == TENANT_NONE) {
        struct loc loc = resolve_at_loc(r->diag, at);
        if (tk == TK_USER)
            diag_error(r->diag, loc, "no user with the user principal name \"%s\" in the tenant",
                       name);
        else
            diag_error(r->diag, loc, "no %s named \"%s\" in the tenant%s", what, name,
                       mk >= 0 ? " or in the configuration" : "");
        suggest_names(r, tk, mk, name, loc);
        r->errors++;
        return json_string("");
    }
    size_t count = tenant_count_named(r->t, tk, first, nocase);
    if (count > 1) {
        struct loc loc = resolve_at_loc(r->diag, at);
        char *whats = plural(what);
        diag_error(r->diag, loc, "%s \"%s\" is ambiguous: %zu %s in the tenant have this name%s",
                   what, name, count, whats, nocase ? " (ignoring case)" : "");
        free(whats);
        list_ids(r, tk, first, nocase, loc);
        diag_note(r->diag, loc, "name one by id: %s id \"...\"", tenant_kind_word(tk));
        r->errors++;
        return json_string("");
    }
    struct tenant_obj *o = &r->t->idx[tk].v[first];
    if (nocase && tk != TK_USER && strcmp(o->name, name) != 0)
        note(r, at, "%s \"%s\" is spelled \"%s\" in the tenant; matched ignoring case", what, name,
             o->name);
    if (want_app_id && o->alt)
        return json_string_nocheck(o->alt);
    return json_string_nocheck(o->id);
}

/* The value with every reference replaced by an id (new reference). A subtree without
 * references is the model's own, shared (json_incref), not copied: only the arrays and objects
 * on the way to a reference are new. Callers change a resolved body only through copies. */
static json_t *resolve_value(struct resolve *r, const json_t *v, const char *parent_key)
{
    if (model_is_ref(v)) {
        json_t *id = resolve_ref(r, v, parent_key);
        /* a reference inside a path (adminConsentRequestPolicy reviewer queries) */
        const char *pre = json_string_value(json_object_get(v, "prefix"));
        const char *suf = json_string_value(json_object_get(v, "suffix"));
        if (!pre && !suf)
            return id;
        json_t *out = json_sprintf("%s%s%s", pre ? pre : "", json_string_value(id), suf ? suf : "");
        json_decref(id);
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = NULL;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *x = resolve_value(r, e, parent_key);
            if (!out && x != e) { /* the first change: copy what came before */
                out = json_array();
                for (size_t j = 0; j < i; j++)
                    json_array_append(out, json_array_get(v, j));
            }
            if (out)
                json_array_append_new(out, x);
            else
                json_decref(x);
        }
        return out ? out : json_incref(util_json_mut(v));
    }
    if (json_is_object(v)) {
        json_t *out = NULL;
        const char *k;
        json_t *e;
        json_object_foreach(util_json_mut(v), k, e)
        {
            json_t *x = resolve_value(r, e, k);
            if (x == e) {
                json_decref(x);
                continue;
            }
            if (!out)
                out = json_copy(util_json_mut(v)); /* shallow: keys in order, values shared */
            json_object_set_new(out, k, x);
        }
        return out ? out : json_incref(util_json_mut(v));
    }
    return json_incref(util_json_mut(v));
}

/* Graph wants {"@odata.type": ..., "id": ...} for a policy's authentication strength. The body
 * may share parts with the model (resolve_value): the objects changed are copies. */
static void fix_strength(json_t **body)
{
    json_t *g = json_object_get(*body, "grantControls");
    json_t *s = json_object_get(g, "authenticationStrength");
    bool wrap = json_is_string(s);
    bool type = (wrap || (json_is_object(s) && json_is_string(json_object_get(s, "id")))) &&
                !json_object_get(s, "@odata.type");
    if (!wrap && !type)
        return;
    json_t *nb = json_copy(*body);
    json_decref(*body);
    *body = nb;
    g = json_copy(g);
    json_object_set_new(nb, "grantControls", g);
    s = wrap ? json_pack("{s:O}", "id", s) : json_copy(s);
    json_object_set_new(g, "authenticationStrength", s);
    json_object_set_new(s, "@odata.type",
                        json_string("#microsoft.graph.authenticationStrengthPolicy"));
}

/* ---- other kinds ---- */

static bool ieq(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);
    return x && y && strcasecmp(x, y) == 0;
}

static void match_by_triple(struct resolve *r, struct resolve_object *ro, const json_t *list,
                            struct strmap *claimed)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        if (ieq(json_object_get(v, "roleDefinitionId"),
                json_object_get(ro->body, "roleDefinitionId")) &&
            ieq(json_object_get(v, "principalId"), json_object_get(ro->body, "principalId")) &&
            ieq(json_object_get(v, "directoryScopeId"),
                json_object_get(ro->body, "directoryScopeId"))) {
            const char *id = json_string_value(json_object_get(v, "id"));
            if (!id || !claim(claimed, id))
                continue;
            ro->current = json_incref(v);
            ro->current_id = xstrdup(id);
            ro->current_name = xstrdup(ro->obj->name);
            return;
        }
    }
    (void)r;
}

static bool has_id_ci(const json_t *arr, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(arr), i, v)
    {
        const char *s = json_string_value(v);
        if (s && strcasecmp(s, id) == 0)
            return true;
    }
    return false;
}

/* The expiration policy applied to selected groups (`group_expiration Nd for group ...`):
 * ro->members gets the wanted group ids, ro->current_members the groups the policy applies to
 * now among those the configuration knows (the wanted ones and every declared Microsoft 365
 * group), read with GET /groups/{id}/groupLifecyclePolicies: Graph v1.0 lists a group's
 * policies, not a policy's groups, so undeclared groups are never looked at nor removed. */
static void lifecycle_groups(struct resolve *r)
{
    for (size_t i = 0; i < r->m->n; i++) {
        struct resolve_object *ro = &r->v[i];
        const json_t *g = json_object_get(ro->obj->extra, "groups");
        if (ro->obj->kind != MODEL_GROUP_LIFECYCLE || !g)
            continue;
        ro->members = resolve_value(r, g, "groups");
        ro->current_members = json_array();
        if (!ro->current_id)
            continue;
        json_t *look = json_array();
        size_t k;
        json_t *v;
        json_array_foreach(ro->members, k, v)
        {
            const char *id = json_string_value(v);
            if (id && *id && !strstr(id, RESOLVE_NEW_PREFIX) && !has_id_ci(look, id))
                json_array_append_new(look, json_string(id));
        }
        for (size_t j = 0; j < r->m->n; j++) {
            const struct resolve_object *go = &r->v[j];
            if (go->obj->kind != MODEL_GROUP || !go->current_id || !*go->current_id ||
                !has_id_ci(json_object_get(go->obj->body, "groupTypes"), "Unified") ||
                has_id_ci(look, go->current_id))
                continue;
            json_array_append_new(look, json_string(go->current_id));
        }
        json_array_foreach(look, k, v)
        {
            char *p = xasprintf("groups/%s/groupLifecyclePolicies", json_string_value(v));
            json_t *list = NULL;
            struct backend_error err;
            if (backend_read_list(r->t->b, p, &list, &err) != 0) {
                diag_error(r->diag, ro->obj->loc, "cannot read %s: %s", p, err.message);
                r->errors++;
            }
            free(p);
            size_t n;
            json_t *pol;
            json_array_foreach(list, n, pol)
            {
                const char *pid = json_string_value(json_object_get(pol, "id"));
                if (pid && strcasecmp(pid, ro->current_id) == 0)
                    json_array_append(ro->current_members, v);
            }
            json_decref(list);
        }
        json_decref(look);
    }
}

/* A declared user: a synchronised one cannot be written from the cloud (its attributes come from
 * on-premises Active Directory, "What is Microsoft Entra Connect Sync?", and Graph refuses to
 * update them); a new one needs its initial password from the environment ("Create user",
 * passwordProfile is required). */
static void check_user(struct resolve *r, struct resolve_object *ro)
{
    if (ro->current && json_is_true(json_object_get(ro->current, "onPremisesSyncEnabled"))) {
        diag_error(r->diag, ro->obj->loc,
                   "user \"%s\" is synchronised from on-premises Active Directory "
                   "(onPremisesSyncEnabled): Microsoft Entra ID does not let its attributes be "
                   "written in the cloud; change it on-premises, or use a cloud-only account "
                   "(Microsoft recommends cloud-only emergency and administrator accounts)",
                   ro->obj->name);
        r->errors++;
        return;
    }
    if (!ro->current_id && !json_object_get(ro->obj->extra, "initialPassword")) {
        diag_error(r->diag, ro->obj->loc,
                   "user \"%s\" does not exist in the tenant, and creating it needs an initial "
                   "password: add 'initial_password env NAME' (the environment variable that "
                   "holds it at apply)",
                   ro->obj->name);
        r->errors++;
    }
}

static void match_others(struct resolve *r)
{
    struct strmap claimed;
    strmap_init(&claimed, true);
    for (size_t i = 0; i < r->m->n; i++) {
        struct resolve_object *ro = &r->v[i];
        switch (ro->obj->kind) {
        case MODEL_ROLE_ASSIGNMENT:
            match_by_triple(r, ro, r->t->role_assignments, &claimed);
            break;
        case MODEL_ROLE_ELIGIBILITY:
            match_by_triple(r, ro, r->t->eligibilities, &claimed);
            break;
        case MODEL_GROUP_SETTING: {
            size_t j;
            json_t *v;
            json_array_foreach(r->t->group_settings, j, v)
            {
                if (ieq(json_object_get(v, "templateId"),
                        json_object_get(ro->body, "templateId"))) {
                    ro->current = json_incref(v);
                    ro->current_id =
                        xstrdup(str_or(json_string_value(json_object_get(v, "id")), ""));
                    break;
                }
            }
            break;
        }
        case MODEL_AUTH_METHOD_CONFIG: {
            size_t j;
            json_t *v;
            json_array_foreach(
                json_object_get(r->t->methods_policy, "authenticationMethodConfigurations"), j, v)
            {
                if (ieq(json_object_get(v, "id"), json_object_get(ro->body, "id"))) {
                    ro->current = json_incref(v);
                    ro->current_id = xstrdup(json_string_value(json_object_get(v, "id")));
                    break;
                }
            }
            if (!ro->current) {
                diag_error(
                    r->diag, ro->obj->loc,
                    "the tenant's authentication methods policy has no '%s' method",
                    str_or(json_string_value(json_object_get(ro->body, "id")), ro->obj->name));
                r->errors++;
            }
            break;
        }
        case MODEL_USER:
            check_user(r, ro);
            break;
        case MODEL_GROUP_LIFECYCLE: {
            /* one policy per tenant: the first one listed */
            json_t *v = json_array_get(r->t->group_lifecycle, 0);
            const char *id = json_string_value(json_object_get(v, "id"));
            if (id) {
                ro->current = json_incref(v);
                ro->current_id = xstrdup(id);
            }
            break;
        }
        case MODEL_ONPREM_SYNC: {
            /* one per tenant, read and update only (Graph v1.0 "onPremisesDirectorySynchronization
             * resource type"): its id is the tenant id */
            json_t *v = json_array_get(r->t->onprem_sync, 0);
            const char *id = json_string_value(json_object_get(v, "id"));
            if (!id) {
                diag_error(r->diag, ro->obj->loc,
                           "on_premises_sync: the tenant's on-premises directory synchronization "
                           "object could not be read (GET /%s was refused or listed none)",
                           TENANT_ONPREM_SYNC);
                diag_note(r->diag, ro->obj->loc,
                          "Microsoft Graph v1.0 serves this API to delegated callers only "
                          "(OnPremDirectorySynchronization.Read.All, signed in as a Global "
                          "Administrator), never to an application; a snapshot taken with a "
                          "delegated token (file:) can be planned, or leave out the block's "
                          "features and keep only sync_health");
                r->errors++;
                break;
            }
            ro->current = json_incref(v);
            ro->current_id = xstrdup(id);
            break;
        }
        case MODEL_AUTH_CONTEXT: {
            size_t j;
            json_t *v;
            json_array_foreach(r->t->auth_contexts, j, v)
            {
                const char *id = json_string_value(json_object_get(v, "id"));
                if (id && strcasecmp(id, ro->obj->name) == 0) {
                    ro->current = json_incref(v);
                    ro->current_id = xstrdup(id);
                    break;
                }
            }
            break;
        }
        case MODEL_ROLE_POLICY: {
            /* Every directory role has its PIM policy; idpc only updates its rules. */
            const char *rid =
                json_string_value(json_object_get(ro->obj->extra, "roleDefinitionId"));
            const json_t *cur = tenant_role_policy(r->t, rid);
            if (!cur) {
                diag_error(r->diag, ro->obj->loc,
                           "the tenant has no PIM policy for role \"%s\" (no "
                           "roleManagementPolicyAssignment at scope '/' for role definition %s); "
                           "idpc updates the policy Microsoft Entra keeps for every role and "
                           "never creates one",
                           ro->obj->name, rid ? rid : "?");
                r->errors++;
                break;
            }
            ro->current = json_incref(util_json_mut(cur));
            ro->current_id = xstrdup(str_or(json_string_value(json_object_get(cur, "id")), ""));
            ro->current_name = xstrdup(ro->obj->name);
            break;
        }
        case MODEL_AUTHORIZATION_POLICY:
        case MODEL_AUTH_METHODS_POLICY:
        case MODEL_ADMIN_CONSENT:
        case MODEL_SECURITY_DEFAULTS: {
            json_t *cur = ro->obj->kind == MODEL_AUTHORIZATION_POLICY  ? r->t->authorization
                          : ro->obj->kind == MODEL_AUTH_METHODS_POLICY ? r->t->methods_policy
                          : ro->obj->kind == MODEL_ADMIN_CONSENT       ? r->t->admin_consent
                                                                       : r->t->security_defaults;
            if (!cur) {
                diag_error(r->diag, ro->obj->loc, "the tenant has no %s to configure",
                           model_kind_path(ro->obj->kind));
                r->errors++;
                break;
            }
            ro->current = json_incref(cur);
            ro->current_id = xstrdup(str_or(json_string_value(json_object_get(cur, "id")), ""));
            break;
        }
        case MODEL_GROUP_PIM_POLICY: {
            json_t *g = resolve_value(r, json_object_get(ro->obj->extra, "groupId"), NULL);
            resolve_governance_policy(r, ro, json_string_value(g));
            json_decref(g);
            break;
        }
        case MODEL_GROUP_PIM_ELIGIBILITY:
        case MODEL_GROUP_PIM_ASSIGNMENT:
        case MODEL_ACCESS_REVIEW:
            resolve_governance_match(r, ro, &claimed);
            break;
        default:
            break;
        }
    }
    strmap_fini(&claimed);
}

/* The contexts a policy names that the configuration does not declare must exist in the tenant
 * (when the tenant lists its contexts); one that is not published to apps never applies
 * (Microsoft Learn, "Conditional Access: Target resources", "Authentication context"). */
static void check_contexts(struct resolve *r)
{
    if (!r->t->auth_contexts)
        return;
    for (size_t i = 0; i < r->m->n; i++) {
        const struct model_object *o = &r->m->objects[i];
        if (o->kind != MODEL_CA_POLICY)
            continue;
        const json_t *apps =
            json_object_get(json_object_get(o->body, "conditions"), "applications");
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(apps, "includeAuthenticationContextClassReferences"), j,
                           c)
        {
            const char *want = json_string_value(c);
            if (!want || strmap_get(&r->desired[MODEL_AUTH_CONTEXT], want, NULL))
                continue;
            const json_t *have = NULL;
            size_t k;
            json_t *v;
            json_array_foreach(r->t->auth_contexts, k, v)
            {
                const char *id = json_string_value(json_object_get(v, "id"));
                if (id && strcasecmp(id, want) == 0)
                    have = v;
            }
            if (!have) {
                diag_error(r->diag, o->loc,
                           "policy \"%s\": authentication context \"%s\" does not exist in the "
                           "tenant; declare it with 'authentication_context \"%s\" { ... }'",
                           o->name, want, want);
                r->errors++;
            } else if (json_is_false(json_object_get(have, "isAvailable"))) {
                diag_warning(r->diag, o->loc,
                             "policy \"%s\": authentication context \"%s\" is not published to "
                             "apps in the tenant, so the policy never applies",
                             o->name, want);
            }
        }
    }
}

/* Group licences name SKUs by part number; the tenant must have them (subscribedSkus). */
static void check_licenses(struct resolve *r)
{
    for (size_t i = 0; i < r->m->n; i++) {
        const struct model_object *o = &r->m->objects[i];
        size_t j;
        json_t *sku;
        json_array_foreach(json_object_get(o->extra, "licenses"), j, sku)
        {
            const char *want = json_string_value(sku);
            bool found = false;
            struct suggest sg;
            suggest_init(&sg, want ? want : "");
            size_t k;
            json_t *have;
            json_array_foreach(r->t->skus, k, have)
            {
                const char *part = json_string_value(json_object_get(have, "skuPartNumber"));
                if (part && want && strcasecmp(part, want) == 0)
                    found = true;
                if (part)
                    suggest_add(&sg, part);
            }
            if (found || !want)
                continue;
            diag_error(r->diag, o->loc,
                       "group \"%s\": the tenant has no subscription \"%s\" (subscribedSkus)",
                       o->name, want);
            if (suggest_result(&sg))
                diag_note(r->diag, o->loc, "did you mean \"%s\"?", suggest_result(&sg));
            r->errors++;
        }
    }
}

int resolve_run(struct resolve *r, struct model *m, struct diag_ctx *diag, struct tenant *t)
{
    memset(r, 0, sizeof(*r));
    r->m = m;
    r->diag = diag;
    r->t = t;
    r->notes = json_array();
    r->emergency = json_array();
    r->v = xcalloc(m->n + 1, sizeof(*r->v));
    for (int k = 0; k < MODEL__COUNT; k++)
        strmap_init(&r->desired[k], false);
    for (size_t i = 0; i < m->n; i++) {
        r->v[i].obj = &m->objects[i];
        strmap_put_first(&r->desired[m->objects[i].kind], m->objects[i].name, i);
    }
    struct strmap claimed;
    strmap_init(&claimed, true);
    match_named(r, &claimed, 1);
    match_named(r, &claimed, 2);
    strmap_fini(&claimed);
    for (size_t i = 0; i < m->n; i++)
        detect_replace(r, &r->v[i]);
    for (size_t i = 0; i < m->n; i++) {
        struct resolve_object *ro = &r->v[i];
        if (ro->current_id && !*ro->current_id) { /* ambiguous: reported */
            free(ro->current_id);
            ro->current_id = NULL;
        }
        /* a frozen body carries no reference: its resolved body is the thawed body itself,
         * made when it is planned (resolve_thaw) */
        ro->body = model_is_frozen(ro->obj) ? NULL : resolve_value(r, ro->obj->body, NULL);
        if (ro->obj->kind == MODEL_CA_POLICY)
            fix_strength(&ro->body);
        if (ro->obj->kind == MODEL_ACCESS_REVIEW) {
            /* the resolved body may share subtrees with the model's (resolve_value): rewrite a
             * copy of its own */
            json_t *own = json_deep_copy(ro->body);
            json_decref(ro->body);
            ro->body = own;
            resolve_review_queries(ro->body);
        }
        json_t *mem = json_object_get(ro->obj->extra, "members");
        json_t *own = json_object_get(ro->obj->extra, "owners");
        if (mem)
            ro->members = resolve_value(r, mem, "members");
        if (own)
            ro->owners = resolve_value(r, own, "owners");
        if (ro->obj->kind == MODEL_GROUP && ro->current_id) {
            if (ro->members)
                ro->current_members = tenant_group_rel(t, ro->current_id, "members");
            if (ro->owners)
                ro->current_owners = tenant_group_rel(t, ro->current_id, "owners");
        }
    }
    match_others(r);
    lifecycle_groups(r);
    check_licenses(r);
    check_contexts(r);
    size_t i;
    json_t *e;
    json_array_foreach(m->emergency_access, i, e)
    {
        json_t *ref = json_object_get(e, "ref");
        json_t *id = resolve_value(r, ref, NULL);
        json_array_append_new(r->emergency,
                              json_pack("{s:o,s:s?,s:s?,s:s?}", "id", id, "kind",
                                        json_string_value(json_object_get(ref, "$ref")), "name",
                                        json_string_value(json_object_get(ref, "name")), "at",
                                        json_string_value(json_object_get(e, "at"))));
    }
    return r->errors ? -1 : 0;
}

void resolve_thaw(struct resolve_object *ro)
{
    if (!model_is_frozen(ro->obj) || ro->body)
        return;
    ro->body = json_incref(model_body(ro->obj));
}

void resolve_release(struct resolve_object *ro)
{
    if (!model_is_frozen(ro->obj))
        return;
    json_decref(ro->body);
    ro->body = NULL;
    model_body_release(ro->obj);
}

void resolve_fini(struct resolve *r)
{
    if (r->v && r->m) {
        for (size_t i = 0; i < r->m->n; i++) {
            struct resolve_object *ro = &r->v[i];
            json_decref(ro->current);
            free(ro->current_id);
            free(ro->current_name);
            json_decref(ro->body);
            json_decref(ro->members);
            json_decref(ro->owners);
            json_decref(ro->current_members);
            json_decref(ro->current_owners);
            free(ro->token);
            free(ro->replace);
        }
    }
    free(r->v);
    for (int k = 0; k < MODEL__COUNT; k++)
        strmap_fini(&r->desired[k]);
    json_decref(r->notes);
    json_decref(r->emergency);
    memset(r, 0, sizeof(*r));
}
