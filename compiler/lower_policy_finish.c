/* lower_policy_finish.c — checks across declarations once every one is lowered: every enabled
 * Conditional Access policy must exclude the emergency access (break-glass) identities. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check_int.h"

/* The groups declared here by name, ignoring case as model_ref_equal does: the first index per
 * name, and a chain to the next group whose name differs only in case. */
struct group_names {
    struct strmap first;
    size_t *next; /* SIZE_MAX ends a chain */
};

static bool contains(const json_t *arr, const json_t *ref)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (model_ref_equal(v, ref))
            return true;
    }
    return false;
}

static bool is_kind(const json_t *ref, const char *kind)
{
    const char *k = json_string_value(json_object_get(ref, "$ref"));
    return k && strcmp(k, kind) == 0;
}

/* Does the policy exclude this emergency identity: directly, through an excluded group that is
 * itself an emergency access entry, or through an excluded group declared here with the user
 * among its members? */
static bool excluded(const struct model *m, const struct group_names *gn, const json_t *users,
                     const json_t *ref)
{
    const json_t *xg = json_object_get(users, "excludeGroups");
    if (is_kind(ref, "group"))
        return contains(xg, ref);
    if (contains(json_object_get(users, "excludeUsers"), ref))
        return true;
    size_t i;
    const json_t *g;
    json_array_foreach(xg, i, g)
    {
        size_t k;
        const json_t *e;
        json_array_foreach(m->emergency_access, k, e)
        {
            if (model_ref_equal(json_object_get(e, "ref"), g))
                return true;
        }
        const char *gname = json_string_value(json_object_get(g, "name"));
        size_t j;
        if (!is_kind(g, "group") || !gname || !strmap_get(&gn->first, gname, &j))
            continue;
        for (; j != SIZE_MAX; j = gn->next[j])
            if (contains(json_object_get(m->objects[j].extra, "members"), ref))
                return true;
    }
    return false;
}

/* Does the policy apply to users at all (not a workload identity policy)? */
static bool targets_users(const json_t *users)
{
    const char *lists[] = {"includeUsers", "includeGroups", "includeRoles"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(lists); i++) {
        const json_t *l = json_object_get(users, lists[i]);
        size_t k;
        const json_t *v;
        json_array_foreach(l, k, v)
        {
            if (!json_is_string(v) || strcmp(json_string_value(v), "None") != 0)
                return true;
        }
    }
    return json_object_get(users, "includeGuestsOrExternalUsers") != NULL;
}

static const char *ref_show(struct check *ck, const json_t *ref)
{
    const char *name = json_string_value(json_object_get(ref, "name"));
    const char *kind = json_string_value(json_object_get(ref, "$ref"));
    if (name)
        return arena_printf(ck->arena, "%s \"%s\"", kind, name);
    return arena_printf(ck->arena, "%s id \"%s\"", kind,
                        json_string_value(json_object_get(ref, "id")));
}

/* Is every combination of the strength one that only Windows Hello for Business or a passkey
 * (FIDO2) satisfies? Built-in strengths always offer more. */
static bool device_bound_only(const struct model *m, const json_t *strength)
{
    const json_t *id = json_object_get(strength, "id");
    if (!model_is_ref(id))
        return false;
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_AUTH_STRENGTH)
            continue;
        json_t *self = model_ref_name("authenticationStrengthPolicy", o->name, NULL);
        bool match = model_ref_equal(self, id);
        json_decref(self);
        if (!match)
            continue;
        const json_t *all = json_object_get(o->body, "allowedCombinations");
        size_t k;
        const json_t *c;
        json_array_foreach(all, k, c)
        {
            const char *v = json_string_value(c);
            if (!v || (strcmp(v, "windowsHelloForBusiness") != 0 && strcmp(v, "fido2") != 0))
                return false;
        }
        return json_array_size(all) > 0;
    }
    return false;
}

/* The 'register_device' user action with a strength that only Windows Hello for Business or
 * device-bound passkeys satisfy: the device being registered has no such credential yet, so
 * the user cannot complete it ("Conditional Access authentication strengths",
 * https://learn.microsoft.com/entra/identity/authentication/concept-authentication-strengths,
 * and "Conditional Access: Target resources", User actions,
 * https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps). */
static void register_device_strengths(struct check *ck)
{
    const struct model *m = ck->model;
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_CA_POLICY)
            continue;
        const json_t *acts =
            json_object_get(json_object_get(json_object_get(o->body, "conditions"), "applications"),
                            "includeUserActions");
        bool reg = false;
        size_t k;
        const json_t *v;
        json_array_foreach(acts, k, v)
        {
            reg = reg || (json_is_string(v) &&
                          strcmp(json_string_value(v), "urn:user:registerdevice") == 0);
        }
        const json_t *st =
            json_object_get(json_object_get(o->body, "grantControls"), "authenticationStrength");
        if (reg && st && device_bound_only(m, st))
            diag_warning(ck->diag, o->loc,
                         "policy '%s' requires a strength that only Windows Hello for Business "
                         "or passkeys satisfy for 'register_device': a device that is not yet "
                         "registered cannot use them, so users cannot register or join devices",
                         o->name);
    }
}

void lower_finish(struct check *ck)
{
    const struct model *m = ck->model;
    register_device_strengths(ck);
    if (json_array_size(m->emergency_access) == 0)
        return;
    struct group_names gn;
    strmap_init_borrowed(&gn.first, true);
    gn.next = xcalloc(m->n + 1, sizeof(*gn.next));
    size_t *last = xcalloc(m->n + 1, sizeof(*last));
    for (size_t i = 0; i < m->n; i++) {
        gn.next[i] = SIZE_MAX;
        if (m->objects[i].kind != MODEL_GROUP)
            continue;
        size_t first = strmap_put_first(&gn.first, m->objects[i].name, i);
        if (first != i) {
            gn.next[last[first]] = i;
            last[first] = i;
        } else {
            last[i] = i;
        }
    }
    free(last);
    for (size_t i = 0; i < m->n; i++) {
        const struct model_object *o = &m->objects[i];
        if (o->kind != MODEL_CA_POLICY)
            continue;
        const char *state = json_string_value(json_object_get(o->body, "state"));
        const json_t *users = json_object_get(json_object_get(o->body, "conditions"), "users");
        if (!state || strcmp(state, "enabled") != 0 || !targets_users(users))
            continue;
        struct strbuf missing = STRBUF_INIT;
        size_t nmissing = 0;
        size_t k;
        const json_t *e;
        json_array_foreach(m->emergency_access, k, e)
        {
            const json_t *ref = json_object_get(e, "ref");
            if (excluded(m, &gn, users, ref))
                continue;
            strbuf_addf(&missing, "%s%s", nmissing ? ", " : "", ref_show(ck, ref));
            nmissing++;
        }
        if (nmissing) {
            diag_warning(ck->diag, o->loc,
                         "policy '%s' is on and does not exclude the emergency access %s %s",
                         o->name, nmissing == 1 ? "identity" : "identities", strbuf_str(&missing));
            /* one note per emergency_access line */
            for (const struct ast_file *f = ck->cfg->files; f; f = f->next)
                for (const struct ast_stmt *s = f->stmts; s; s = s->next)
                    if (ast_is_word(&s->atoms[0], "emergency_access"))
                        diag_note(ck->diag, s->atoms[0].loc,
                                  "emergency access identities are declared here; exclude them "
                                  "with 'users exclude ...'");
        }
        strbuf_fini(&missing);
    }
    strmap_fini(&gn.first);
    free(gn.next);
}
