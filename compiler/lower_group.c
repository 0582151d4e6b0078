/* lower_group.c — `group "Name" { ... }` → a Graph POST /groups body (facts.md §6.1).
 *
 * Graph rules enforced here, from the group resource page (microsoft-graph-docs-contrib
 * api-reference/v1.0/resources/group.md):
 *  - isAssignableToRole: "If set to true, the securityEnabled property must also be set to true
 *    ... and the group can't be a dynamic group". Microsoft 365 groups may be role-assignable
 *    when security-enabled (the doc's example group-post-groups.ex3-role-assignable sends
 *    groupTypes ["Unified"] with securityEnabled true), so `role_assignable` on a microsoft365
 *    group sets securityEnabled true. A role-assignable group cannot contain groups
 *    (entra-docs groups-concept.md: "Group nesting isn't supported").
 *  - mailNickname: at most 64 characters of ASCII 0-127 except @ ( ) \ / [ ] " ' ; : < > ,
 *    and space (the union of the doc's versions of that sentence).
 *  - visibility HiddenMembership "can be set only for Microsoft 365 groups".
 *  - Microsoft 365 groups hold users only: nesting a group in one is not supported
 *    (entra-docs groups-concept.md / how-to-manage-groups.md). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/check_int.h"
#include "compiler/rule.h"

#define NICKNAME_MAX 64

struct group_state {
    struct check *ck;
    const char *name;
    struct model_object *o;
    const struct ast_stmt *kind, *description, *nickname, *role_assignable, *dynamic, *visibility,
        *members;
    bool m365;
    const char *description_text;
    const char *nickname_text;
    const char *rule_text;
    bool paused;
    const char *visibility_value;
    const struct ast_atom *visibility_atom;
    json_t *member_refs, *owner_refs, *licenses;
    const struct ast_atom **member_atoms; /* the keyword of each member reference */
    const struct ast_atom **owner_atoms;
    const struct ast_atom *first_group_member; /* for the role-assignable nesting check */
};

/* members/owners: a comma list of principal references. */
static void stmt_refs(struct group_state *st, const struct ast_stmt *s, bool owners)
{
    struct args a;
    args_init(&a, st->ck, s);
    json_t *list = owners ? st->owner_refs : st->member_refs;
    const struct ast_atom ***atoms = owners ? &st->owner_atoms : &st->member_atoms;
    do {
        const struct ast_atom *kw = args_peek(&a);
        json_t *r = NULL;
        if (args_accept(&a, "user"))
            r = args_ref(&a, "user", "a user principal name");
        else if (!owners && args_accept(&a, "group"))
            r = args_ref(&a, "group", "a group name");
        else if (args_accept(&a, "service_principal"))
            r = args_ref(&a, "servicePrincipal", "a service principal name");
        else if (owners && args_peek(&a) && ast_is_word(args_peek(&a), "group"))
            args_error(&a, args_peek(&a),
                       "a group cannot own a group; owners are users or service principals");
        else
            args_expected(&a, owners ? "'user' or 'service_principal'"
                                     : "'user', 'group' or 'service_principal'");
        if (!r)
            return;
        const char *rname = json_string_value(json_object_get(r, "name"));
        if (!owners && rname && ast_is_word(kw, "group") && strcmp(rname, st->name) == 0) {
            args_error(&a, kw, "group \"%s\" cannot be a member of itself", st->name);
            json_decref(r);
            return;
        }
        size_t i;
        json_t *v;
        bool dup = false;
        json_array_foreach(list, i, v)
        {
            if (!dup && model_ref_equal(v, r)) {
                diag_warning(st->ck->diag, kw->loc, "this %s is listed twice",
                             owners ? "owner" : "member");
                diag_note(st->ck->diag, (*atoms)[i]->loc, "first listed here");
                dup = true;
            }
        }
        if (dup) {
            json_decref(r);
            continue;
        }
        size_t n = json_array_size(list);
        *atoms = xrealloc(*atoms, (n + 1) * sizeof(**atoms));
        (*atoms)[n] = kw;
        if (!owners && ast_is_word(kw, "group") && !st->first_group_member)
            st->first_group_member = kw;
        json_array_append_new(list, r);
    } while (args_comma(&a));
    /* only well-formed lines take part in the cross-statement checks */
    if (args_expect_end(&a) && !owners && !st->members)
        st->members = s;
}

/* user.* or device.*: the object of the first property the rule names. */
static enum rule_target rule_target_of(const char *text)
{
    bool in_string = false;
    size_t word_start = 0;
    bool in_word = false;
    for (size_t i = 0; text[i]; i++) {
        char c = text[i];
        if (c == '"' && (i == 0 || text[i - 1] != '\\'))
            in_string = !in_string;
        if (in_string)
            continue;
        bool wc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (in_word && c >= '0' && c <= '9');
        if (wc && !in_word) {
            in_word = true;
            word_start = i;
        } else if (!wc && in_word) {
            in_word = false;
            if (c == '.') {
                if (i - word_start == 6 && strncasecmp(text + word_start, "device", 6) == 0)
                    return RULE_MEMBERSHIP_DEVICE;
                return RULE_MEMBERSHIP_USER;
            }
        }
    }
    return RULE_MEMBERSHIP_USER;
}

static void stmt_dynamic(struct group_state *st, const struct ast_stmt *s)
{
    if (!check_once(st->ck, &st->dynamic, s, "this group"))
        return;
    struct args a;
    args_init(&a, st->ck, s);
    const struct ast_atom *r = args_expect_string(&a, "a membership rule");
    if (!r)
        return;
    st->paused = args_accept(&a, "paused");
    if (!args_expect_end(&a))
        return;
    enum rule_target t = rule_target_of(r->text);
    struct rule_error err;
    struct rule_expr *e = rule_parse(r->text, r->len, t, &err);
    if (!e) {
        args_error_in(&a, r, err.start, err.end > err.start ? err.end : err.start + 1,
                      "in this %s: %s", rule_target_name(t), err.message);
        return;
    }
    rule_free(e);
    st->rule_text = r->text;
}

static bool nickname_char_ok(unsigned char c)
{
    if (c < 0x21 || c > 0x7E)
        return false;
    return !strchr("@()\\/[]\"';:<>,", c);
}

static void stmt_nickname(struct group_state *st, const struct ast_stmt *s)
{
    if (!check_once(st->ck, &st->nickname, s, "this group"))
        return;
    struct args a;
    args_init(&a, st->ck, s);
    const struct ast_atom *v = args_expect_string(&a, "a mail nickname");
    if (!v || !args_expect_end(&a))
        return;
    if (v->len == 0) {
        args_error(&a, v, "the mail nickname must not be empty");
        return;
    }
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->text[i];
        if (!nickname_char_ok(c)) {
            size_t end = i + 1;
            while (end < v->len && ((unsigned char)v->text[end] & 0xC0) == 0x80)
                end++;
            if (c == ' ')
                args_error_in(&a, v, i, end, "a mail nickname cannot contain spaces");
            else if (c >= 0x80)
                args_error_in(&a, v, i, end, "a mail nickname is ASCII only");
            else
                args_error_in(&a, v, i, end, "a mail nickname cannot contain '%c'", (char)c);
            return;
        }
    }
    if (v->len > NICKNAME_MAX) {
        args_error_in(&a, v, NICKNAME_MAX, v->len,
                      "a mail nickname is at most %d characters; this one has %zu", NICKNAME_MAX,
                      v->len);
        return;
    }
    st->nickname_text = v->text;
}

static void stmt_licenses(struct group_state *st, const struct ast_stmt *s)
{
    struct args a;
    args_init(&a, st->ck, s);
    do {
        const struct ast_atom *v = args_expect_string(&a, "a SKU part number such as \"SPE_E5\"");
        if (!v)
            return;
        if (v->len == 0) {
            args_error(&a, v, "a SKU part number must not be empty");
            return;
        }
        for (size_t i = 0; i < v->len; i++) {
            char c = v->text[i];
            bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || c == '+';
            if (!ok) {
                args_error(&a, v,
                           "'%s' is not a SKU part number; licenses are named by SKU part "
                           "number such as \"SPE_E5\" or \"ENTERPRISEPACK\", not by product name",
                           v->text);
                return;
            }
        }
        size_t i;
        json_t *x;
        bool dup = false;
        json_array_foreach(st->licenses, i, x)
        {
            if (util_streq_nocase(json_string_value(x), v->text))
                dup = true;
        }
        if (dup)
            diag_warning(st->ck->diag, v->loc, "license '%s' is listed twice", v->text);
        else
            json_array_append_new(st->licenses, json_string(v->text));
    } while (args_comma(&a));
    args_expect_end(&a);
}

static void stmt_simple(struct group_state *st, const struct ast_stmt *s)
{
    const char *kw = s->atoms[0].text;
    struct args a;
    if (strcmp(kw, "kind") == 0) {
        if (!check_once(st->ck, &st->kind, s, "this group"))
            return;
        args_init(&a, st->ck, s);
        const struct catalog_entry *e = args_expect_enum(&a, CAT_GROUP_KIND);
        if (e && args_expect_end(&a))
            st->m365 = strcmp(e->graph, "microsoft365") == 0;
    } else if (strcmp(kw, "description") == 0) {
        if (!check_once(st->ck, &st->description, s, "this group"))
            return;
        args_init(&a, st->ck, s);
        const struct ast_atom *v = args_expect_string(&a, "a description");
        if (v && args_expect_end(&a))
            st->description_text = v->text;
    } else if (strcmp(kw, "role_assignable") == 0) {
        if (!check_once(st->ck, &st->role_assignable, s, "this group"))
            return;
        args_init(&a, st->ck, s);
        args_expect_end(&a);
    } else if (strcmp(kw, "visibility") == 0) {
        if (!check_once(st->ck, &st->visibility, s, "this group"))
            return;
        static const char *const words[] = {"private", "public", "hidden_membership"};
        static const char *const graph[] = {"Private", "Public", "HiddenMembership"};
        args_init(&a, st->ck, s);
        st->visibility_atom = args_peek(&a);
        int k = args_expect_word(&a, "visibility", words, IDPC_ARRAY_LEN(words));
        if (k >= 0 && args_expect_end(&a))
            st->visibility_value = graph[k];
    }
}

/* Cross-statement rules, once the whole block is read. */
static void check_combinations(struct group_state *st)
{
    struct check *ck = st->ck;
    if (st->rule_text && st->members) {
        diag_error(ck->diag, st->members->atoms[0].loc,
                   "a dynamic group's members come from its rule; remove 'members' or 'dynamic'");
        diag_note(ck->diag, st->dynamic->atoms[0].loc, "the group is dynamic here");
    }
    if (st->role_assignable && st->rule_text) {
        diag_error(ck->diag, st->role_assignable->atoms[0].loc,
                   "a role-assignable group cannot be dynamic (Graph rejects isAssignableToRole "
                   "with DynamicMembership)");
        diag_note(ck->diag, st->dynamic->atoms[0].loc, "the group is dynamic here");
    }
    if (st->role_assignable && st->first_group_member) {
        diag_error(ck->diag, st->first_group_member->loc,
                   "a role-assignable group cannot have groups as members (no group nesting); "
                   "list the users instead");
        diag_note(ck->diag, st->role_assignable->atoms[0].loc, "the group is role-assignable here");
    }
    if (st->m365 && !st->role_assignable && st->first_group_member) {
        diag_error(ck->diag, st->first_group_member->loc,
                   "a Microsoft 365 group cannot have groups as members; list the users instead");
        diag_note(ck->diag, st->kind->atoms[0].loc, "the group is a Microsoft 365 group here");
    }
    if (st->role_assignable && st->visibility_value &&
        strcmp(st->visibility_value, "Public") == 0) {
        diag_error(ck->diag, st->visibility_atom->loc,
                   "a role-assignable group cannot be public; write 'visibility private' or "
                   "remove the line");
        diag_note(ck->diag, st->role_assignable->atoms[0].loc, "the group is role-assignable here");
    }
    if (!st->m365 && st->visibility_value &&
        strcmp(st->visibility_value, "HiddenMembership") == 0) {
        diag_error(ck->diag, st->visibility_atom->loc,
                   "hidden_membership is only for Microsoft 365 groups; add 'kind microsoft365' "
                   "or choose private or public");
        if (st->kind)
            diag_note(ck->diag, st->kind->atoms[0].loc, "the group's kind is given here");
    }
}

/* mailNickname derived from the display name: its ASCII letters and digits. */
static char *derive_nickname(const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = name; *p && sb.len < NICKNAME_MAX; p++) {
        char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            strbuf_addc(&sb, c);
    }
    return strbuf_detach(&sb);
}

void lower_group(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                 size_t n)
{
    struct group_state st = {.ck = ck, .name = decl->atoms[1].text};
    st.o = model_add(ck->model, MODEL_GROUP, st.name, decl->atoms[0].loc);
    st.member_refs = json_array();
    st.owner_refs = json_array();
    st.licenses = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        if (check_common_stmt(ck, s, st.o))
            continue;
        if (strcmp(kw, "members") == 0) {
            stmt_refs(&st, s, false);
        } else if (strcmp(kw, "owners") == 0) {
            stmt_refs(&st, s, true);
        } else if (strcmp(kw, "dynamic") == 0) {
            stmt_dynamic(&st, s);
        } else if (strcmp(kw, "mail_nickname") == 0) {
            stmt_nickname(&st, s);
        } else if (strcmp(kw, "licenses") == 0) {
            stmt_licenses(&st, s);
        } else {
            stmt_simple(&st, s);
        }
    }
    check_combinations(&st);
    /* a group may not contain itself by id either */
    if (st.o->pinned_id) {
        size_t i;
        json_t *r;
        json_array_foreach(st.member_refs, i, r)
        {
            const char *id = json_string_value(json_object_get(r, "id"));
            if (id && util_streq_nocase(id, st.o->pinned_id) &&
                strcmp(json_string_value(json_object_get(r, "$ref")), "group") == 0) {
                diag_error(ck->diag, st.member_atoms[i]->loc,
                           "group \"%s\" cannot be a member of itself (this is its own id)",
                           st.name);
            }
        }
    }

    char *derived = NULL;
    if (!st.nickname_text) {
        derived = derive_nickname(st.name);
        if (!derived[0])
            diag_error(ck->diag, decl->atoms[1].loc,
                       "cannot derive a mail nickname from this name (it has no ASCII letters "
                       "or digits); add 'mail_nickname \"...\"'");
    }
    bool security = !st.m365 || st.role_assignable || json_array_size(st.licenses) > 0;
    json_t *b = st.o->body;
    json_object_set_new(b, "displayName", json_string(st.name));
    if (st.description_text)
        json_object_set_new(b, "description", json_string(st.description_text));
    json_t *types = json_array();
    if (st.m365)
        json_array_append_new(types, model_const_string("Unified"));
    if (st.rule_text)
        json_array_append_new(types, model_const_string("DynamicMembership"));
    json_object_set_new(b, "groupTypes", types);
    json_object_set_new(b, "mailEnabled", json_boolean(st.m365));
    json_object_set_new(b, "mailNickname",
                        json_string(st.nickname_text ? st.nickname_text : derived));
    json_object_set_new(b, "securityEnabled", json_boolean(security));
    if (st.role_assignable)
        json_object_set_new(b, "isAssignableToRole", json_true());
    if (st.rule_text) {
        json_object_set_new(b, "membershipRule", json_string(st.rule_text));
        json_object_set_new(b, "membershipRuleProcessingState",
                            json_string(st.paused ? "Paused" : "On"));
    }
    if (st.visibility_value)
        json_object_set_new(b, "visibility", json_string(st.visibility_value));
    else if (st.role_assignable)
        json_object_set_new(b, "visibility", model_const_string("Private"));
    if (json_array_size(st.member_refs))
        json_object_set(model_extra(st.o), "members", st.member_refs);
    if (json_array_size(st.owner_refs))
        json_object_set(model_extra(st.o), "owners", st.owner_refs);
    if (json_array_size(st.licenses))
        json_object_set(model_extra(st.o), "licenses", st.licenses);
    free(derived);
    free(st.member_atoms);
    free(st.owner_atoms);
    json_decref(st.member_refs);
    json_decref(st.owner_refs);
    json_decref(st.licenses);
}
