/* raise_group.c — a group in canonical Graph form, with its members and owners, → `group "Name"
 * { }` (the inverse of lower_group.c). Every line written lowers back to the value it came from;
 * what lowering would set differently (mailEnabled, securityEnabled) makes the group unfaithful,
 * so that the caller keeps it commented out rather than let plan change the tenant. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

#define NICKNAME_MAX 64

static const json_t *get(const json_t *o, const char *k)
{
    return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(get(o, k));
}

static bool has_type(const json_t *types, const char *t)
{
    size_t i;
    const json_t *v;
    json_array_foreach(types, i, v)
    {
        if (json_string_value(v) && util_streq_nocase(json_string_value(v), t))
            return true;
    }
    return false;
}

/* The mailNickname lowering derives from the name: its ASCII letters and digits. */
static bool derived_nickname(const char *name, const char *nick)
{
    size_t n = 0;
    const char *q = nick;
    for (const char *p = name; *p && n < NICKNAME_MAX; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            continue;
        if (*q++ != c)
            return false;
        n++;
    }
    return *q == '\0';
}

/* The characters lower_group.c accepts in a mail nickname. */
static bool nickname_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NICKNAME_MAX)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x21 || c > 0x7E || strchr("@()\\/[]\"';:<>,", c))
            return false;
    }
    return true;
}

/* A directory object's kind in the name map ("user", "group", "servicePrincipal"), by its
 * @odata.type, else by the map; NULL when neither tells. */
static const char *object_kind(const struct raise *r, const json_t *o, const char **id)
{
    *id = json_is_string(o) ? json_string_value(o) : get_str(o, "id");
    const char *t = get_str(o, "@odata.type");
    if (t) {
        if (*t == '#')
            t++;
        if (strncmp(t, "microsoft.graph.", 16) == 0)
            t += 16;
        if (strcmp(t, "user") == 0)
            return "user";
        if (strcmp(t, "group") == 0)
            return "group";
        if (strcmp(t, "servicePrincipal") == 0)
            return "servicePrincipal";
        return NULL;
    }
    static const char *const kinds[] = {"user", "group", "servicePrincipal"};
    const char *name;
    for (size_t k = 0; *id && k < IDPC_ARRAY_LEN(kinds); k++)
        if (raise_names_name(r->names, kinds[k], *id, &name) != RAISE_NAME_UNKNOWN)
            return kinds[k];
    return NULL;
}

static const char *kind_word(const char *kind)
{
    return strcmp(kind, "servicePrincipal") == 0 ? "service_principal" : kind;
}

/* `members ...` / `owners ...`, or an issue and no line when some object cannot be written
 * (then plan leaves the relation alone). Sets *group_member when a group is listed. */
static void relation(struct raise_block *b, const char *rel, const json_t *list, bool groups_ok,
                     bool *group_member)
{
    struct raise *r = b->r;
    size_t i;
    const json_t *v;
    size_t other = 0;
    const char *other_type = NULL;
    json_array_foreach(list, i, v)
    {
        const char *id;
        const char *k = object_kind(r, v, &id);
        if (!k || (!groups_ok && strcmp(k, "group") == 0)) {
            other++;
            if (!other_type)
                other_type = get_str(v, "@odata.type") ? get_str(v, "@odata.type") : "unknown";
        }
    }
    if (other) {
        raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, rel,
                    "cannot express the %s: the language lists users%s and service principals, "
                    "and %zu of them %s not (such as %s); no '%s' line is written, so plan "
                    "leaves them as they are",
                    rel, groups_ok ? ", groups" : "", other, other == 1 ? "is" : "are", other_type,
                    rel);
        return;
    }
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, rel);
    json_array_foreach(list, i, v)
    {
        const char *id;
        const char *k = object_kind(r, v, &id);
        if (strcmp(k, "group") == 0)
            *group_member = true;
        line_ref(b, &l, 1, kind_word(k), k, id, rel);
    }
    line_sort_items(&l, 1);
    if (l.n > 1)
        block_add_line(b, &l);
    else
        free(l.v);
}

static size_t licenses(struct raise_block *b, const json_t *assigned)
{
    struct raise *r = b->r;
    struct raise_line l;
    line_init(&l, r);
    line_word(&l, "licenses");
    size_t i;
    const json_t *v;
    json_array_foreach(assigned, i, v)
    {
        const char *sku = get_str(v, "skuId");
        const char *part = NULL;
        if (!sku || raise_names_name(r->names, "sku", sku, &part) != RAISE_NAME_FOUND) {
            char *t = raise_json_text(v);
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, "assignedLicenses",
                        "cannot express the licence %s: its SKU is not among the tenant's "
                        "subscribed SKUs, so it has no part number",
                        t);
            free(t);
            continue;
        }
        if (json_array_size(get(v, "disabledPlans")) > 0) {
            char *t = raise_json_text(get(v, "disabledPlans"));
            raise_issue(r, b, RAISE_ISSUE_UNSUPPORTED, "assignedLicenses.disabledPlans",
                        "cannot express the disabled service plans of licence \"%s\": %s", part, t);
            free(t);
        }
        line_sep(&l, 1);
        line_str(&l, part);
    }
    line_sort_items(&l, 1);
    size_t n = l.n / 2; /* "licenses" "A" "," "B" */
    if (l.n > 1)
        block_add_line(b, &l);
    else
        free(l.v);
    return n;
}

struct ast_stmt *raise_group(struct raise *r, const json_t *canon, const json_t *members,
                             const json_t *owners, const char *name, const char *id, bool force_id)
{
    if (!name)
        name = get_str(canon, "displayName");
    if (!name)
        name = "(no name)";
    r->unfaithful = false;
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "group \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "group", name);
    static const char *const known[] = {"displayName",      "description",
                                        "mailNickname",     "groupTypes",
                                        "membershipRule",   "membershipRuleProcessingState",
                                        "visibility",       "isAssignableToRole",
                                        "mailEnabled",      "securityEnabled",
                                        "assignedLicenses", "members",
                                        "owners",           NULL};
    raise_leftovers_kept(&b, canon, "group", known);
    raise_pin(&b, id, force_id);

    const json_t *types = get(canon, "groupTypes");
    bool m365 = has_type(types, "Unified"), dynamic = has_type(types, "DynamicMembership");
    size_t i;
    const json_t *v;
    json_array_foreach(types, i, v)
    {
        const char *t = json_string_value(v);
        if (!t || (!util_streq_nocase(t, "Unified") && !util_streq_nocase(t, "DynamicMembership")))
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "groupTypes",
                        "cannot express the group type \"%s\"", t ? t : "?");
    }
    bool role_assignable = json_is_true(get(canon, "isAssignableToRole"));
    if (m365)
        block_add(&b, raise_stmt(r, "ww", "kind", "microsoft365"));
    const char *desc = get_str(canon, "description");
    if (desc && *desc)
        block_add(&b, raise_stmt(r, "ws", "description", desc));
    const char *nick = get_str(canon, "mailNickname");
    if (nick && !derived_nickname(name, nick)) {
        if (nickname_ok(nick))
            block_add(&b, raise_stmt(r, "ws", "mail_nickname", nick));
        else
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "mailNickname",
                        "cannot express the mail nickname \"%s\" (the language takes up to 64 "
                        "ASCII characters without spaces or @()\\/[]\"';:<>,); not written, so "
                        "plan leaves it as it is",
                        nick);
    }
    if (role_assignable)
        block_add(&b, raise_stmt(r, "w", "role_assignable"));
    const char *rule = get_str(canon, "membershipRule");
    if (dynamic) {
        const char *state = get_str(canon, "membershipRuleProcessingState");
        if (!rule) {
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "membershipRule",
                        "a dynamic group without a membership rule cannot be declared");
            r->unfaithful = true;
        } else if (state && util_streq_nocase(state, "Paused")) {
            block_add(&b, raise_stmt(r, "wsw", "dynamic", rule, "paused"));
        } else {
            block_add(&b, raise_stmt(r, "ws", "dynamic", rule));
        }
    } else if (rule) {
        raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "membershipRule",
                    "cannot express a membership rule on a group whose membership is assigned "
                    "(no DynamicMembership type): \"%s\"",
                    rule);
    }
    const char *vis = get_str(canon, "visibility");
    if (vis && !(role_assignable && util_streq_nocase(vis, "Private"))) {
        static const char *const graph[] = {"Private", "Public", "HiddenMembership"};
        static const char *const words[] = {"private", "public", "hidden_membership"};
        size_t k = 0;
        while (k < IDPC_ARRAY_LEN(graph) && !util_streq_nocase(graph[k], vis))
            k++;
        if (k < IDPC_ARRAY_LEN(graph))
            block_add(&b, raise_stmt(r, "ww", "visibility", words[k]));
        else
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "visibility",
                        "cannot express the visibility \"%s\"", vis);
    } else if (!vis && role_assignable) {
        raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "visibility",
                    "the group is role-assignable without a visibility; the language makes "
                    "role-assignable groups private");
    }
    size_t nlic = licenses(&b, get(canon, "assignedLicenses"));

    /* what lower_group.c sets from the lines above */
    bool mail = m365, security = !m365 || role_assignable || nlic > 0;
    const json_t *me = get(canon, "mailEnabled"), *se = get(canon, "securityEnabled");
    if ((me && json_is_true(me) != mail) || (se && json_is_true(se) != security)) {
        raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "mailEnabled",
                    "cannot express a %s group with mailEnabled %s and securityEnabled %s (the "
                    "language declares security groups and Microsoft 365 groups); kept "
                    "commented out so that plan does not change it",
                    m365 ? "Microsoft 365" : "non-Unified", json_is_true(me) ? "true" : "false",
                    json_is_true(se) ? "true" : "false");
        r->unfaithful = true;
    }

    bool group_member = false;
    if (owners)
        relation(&b, "owners", owners, false, &group_member);
    if (members && dynamic) {
        /* a dynamic group's members come from its rule */
    } else if (members) {
        relation(&b, "members", members, true, &group_member);
        if (group_member && (role_assignable || m365)) {
            raise_issue(r, &b, RAISE_ISSUE_UNSUPPORTED, "members",
                        "a %s group cannot have groups as members in the language (Entra does "
                        "not nest them); kept commented out",
                        role_assignable ? "role-assignable" : "Microsoft 365");
            r->unfaithful = true;
        }
    }
    return block_finish(&b, decl);
}
