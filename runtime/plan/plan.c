/* plan.c — builds the plan document: one action per object to create, update, replace or
 * delete, each with its changes in DSL terms and the Graph requests that make them, ordered by
 * phase and dependencies (plan.h). */
#include "runtime/plan/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#ifdef __GLIBC__ /* defined by the C library headers above */
#include <malloc.h>
#endif

#include "compiler/catalog.h"
#include "compiler/util.h"
#include "runtime/tenant/backend_graph.h"
#include "runtime/plan/jsondiff.h"
#include "runtime/analysis/lockout.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/plan_combos.h"
#include "runtime/plan/plan_consent.h"
#include "runtime/plan/plan_licenses.h"
#include "runtime/plan/resolve.h"
#include "runtime/tenant/tenant_governance.h"

#define GRAPH_OBJECTS "https://graph.microsoft.com/v1.0/directoryObjects/"
#define METHODS_PATH  "policies/authenticationMethodsPolicy/authenticationMethodConfigurations"
#define ELIG_REQUESTS "roleManagement/directory/roleEligibilityScheduleRequests"
/* time-bound active assignments (Graph v1.0 "Create roleAssignmentScheduleRequests") */
#define ACTIVE_REQUESTS "roleManagement/directory/roleAssignmentScheduleRequests"

struct builder {
    struct model *m;
    struct diag_ctx *diag;
    struct backend *b;
    struct tenant *t;
    struct resolve *r;
    json_t *actions;
    json_t *reads;
    json_t *unmanaged;
    json_t *warnings;
    json_t *notes;
    json_t *refs; /* per action: a policy's tenant object (its JSON text once a delete
                     dependency has been looked for in it: ref_text), or "" (push_action) */
    size_t unmanaged_count[MODEL__COUNT];
    /* per model object: the fingerprint of its tenant object (plan_fingerprint), taken from the
     * normalised copy plan_update makes anyway; NULL until then */
    char **sha;
    /* under `manage exclusively authentication_contexts`: each context id a declared policy
     * names (ignoring case) -> the index of that policy, taken before the plan's loop releases
     * the bodies (collect_context_users) */
    struct strmap context_users;
    bool failed; /* an error was reported while building: no plan */
    /* per named location of the tenant (by index): what the lockout states hold of one the plan
     * changes, made while it is a tree for planning (lockout_location_stub), or NULL; only
     * without reads (stubs_early): with them, made so early they would leave the heap scattered
     * for the reads and the JSON written after the states are gone (a higher peak) */
    json_t **loc_stubs;
    bool stubs_early;
    /* collect_unmanaged's marks: what the configuration manages, by the tenant index's
     * positions */
    bool *mark[TK__COUNT];
};

/* Unmanaged objects left alone are listed up to this many per kind, then only counted. */
#define PLAN_UNMANAGED_LISTED 100

int plan_nk(enum model_kind k);
int plan_nk(enum model_kind k)
{
    switch (k) {
    case MODEL_GROUP:
        return NK_GROUP;
    case MODEL_NAMED_LOCATION:
        return NK_NAMED_LOCATION;
    case MODEL_AUTH_STRENGTH:
        return NK_AUTH_STRENGTH;
    case MODEL_AUTH_METHOD_CONFIG:
        return NK_AUTH_METHOD_CONFIG;
    case MODEL_CA_POLICY:
        return NK_CA_POLICY;
    case MODEL_ROLE_ASSIGNMENT:
        return NK_ROLE_ASSIGNMENT;
    case MODEL_ROLE_ELIGIBILITY:
        return NK_ROLE_ELIGIBILITY;
    case MODEL_ROLE_POLICY:
        return NK_ROLE_POLICY;
    case MODEL_GROUP_SETTING:
        return NK_GROUP_SETTING;
    case MODEL_AUTHORIZATION_POLICY:
        return NK_AUTHORIZATION_POLICY;
    case MODEL_SECURITY_DEFAULTS:
        return NK_SECURITY_DEFAULTS;
    case MODEL_AUTH_CONTEXT:
        return NK_AUTH_CONTEXT;
    case MODEL_AUTH_METHODS_POLICY:
        return NK_AUTH_METHODS_POLICY;
    case MODEL_GROUP_LIFECYCLE:
        return NK_GROUP_LIFECYCLE;
    case MODEL_ONPREM_SYNC:
        return NK_ONPREM_SYNC;
    case MODEL_ADMIN_CONSENT:
        return NK_ADMIN_CONSENT;
    case MODEL_USER:
        return NK_USER;
    case MODEL_GROUP_PIM_POLICY:
        return NK_ROLE_POLICY;
    case MODEL_GROUP_PIM_ELIGIBILITY:
    case MODEL_GROUP_PIM_ASSIGNMENT:
        return NK_GROUP_PIM_SCHEDULE;
    case MODEL_ACCESS_REVIEW:
        return NK_ACCESS_REVIEW;
    default:
        return -1;
    }
}

static const char *ref_kind(enum model_kind k)
{
    return model_kind_name(k); /* "group", "namedLocation", "authenticationStrengthPolicy" */
}

static char *loc_at(struct builder *bd, struct loc l)
{
    const struct src_file *f = diag_loc_valid(l) ? diag_source(bd->diag, l.file) : NULL;
    if (!f)
        return NULL;
    unsigned line, col;
    diag_line_col(bd->diag, l.file, l.start, &line, &col);
    return xasprintf("%s:%u:%u", f->path, line, col);
}

static json_t *new_action(struct builder *bd, const char *op, enum model_kind kind,
                          const char *name, const char *id, struct loc at)
{
    json_t *a = json_object();
    json_object_set_new(a, "op", json_string(op));
    json_object_set_new(a, "kind", json_string(model_kind_name(kind)));
    json_object_set_new(a, "word", json_string(plan_kind_word(kind)));
    json_object_set_new(a, "name", json_string(name));
    json_object_set_new(a, "id", id ? json_string(id) : json_null());
    char *s = loc_at(bd, at);
    json_object_set_new(a, "at", s ? json_string(s) : json_null());
    free(s);
    json_object_set_new(a, "changes", json_array());
    json_object_set_new(a, "requests", json_array());
    return a;
}

static void add_request(json_t *a, enum plan_phase phase, const char *method, const char *path,
                        json_t *body, const char *creates, const char *fmt, ...) IDPC_PRINTF(7, 8);
static void add_request(json_t *a, enum plan_phase phase, const char *method, const char *path,
                        json_t *body, const char *creates, const char *fmt, ...)
{
    json_t *r = json_object();
    json_object_set_new(r, "phase", json_integer(phase));
    json_object_set_new(r, "method", json_string(method));
    json_object_set_new(r, "path", json_string(path));
    if (body)
        json_object_set_new(r, "body", body);
    if (creates)
        json_object_set_new(r, "creates", json_string(creates));
    va_list ap;
    va_start(ap, fmt);
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    json_object_set_new(r, "description", json_string(strbuf_str(&sb)));
    strbuf_fini(&sb);
    json_array_append_new(json_object_get(a, "requests"), r);
}

/* Only a policy's tenant object is looked in for a delete's dependencies (order_actions): any
 * other action's ref is "". */
static void push_action(struct builder *bd, json_t *a, const json_t *tenant_obj)
{
    bool policy = strcmp(json_string_value(json_object_get(a, "kind")),
                         model_kind_name(MODEL_CA_POLICY)) == 0;
    json_array_append_new(bd->actions, a);
    json_array_append_new(bd->refs, tenant_obj && policy ? json_incref(util_json_mut(tenant_obj))
                                                         : json_string(""));
}

/* The JSON text of action i's tenant object, written the first time it is asked for. */
static const char *ref_text(struct builder *bd, size_t i)
{
    json_t *r = json_array_get(bd->refs, i);
    if (r && !json_is_string(r)) {
        char *s = json_dumps(r, JSON_COMPACT);
        json_array_set_new(bd->refs, i, json_string(s ? s : ""));
        free(s);
    }
    return json_string_value(json_array_get(bd->refs, i));
}

/* `sha`: the fingerprint of `value` when known (else computed here). */
static json_t *add_read_sha(struct builder *bd, const char *path, const char *name,
                            const char *what, const json_t *value, const char *sha)
{
    /* the path (a Graph path and a tenant id jansson decoded), the normalize kind and the hex
     * fingerprint are valid UTF-8: no second check */
    json_t *r = json_object();
    json_object_set_new_nocheck(r, "path", json_string_nocheck(path));
    if (name)
        json_object_set_new_nocheck(r, "name", json_string(name));
    json_object_set_new_nocheck(r, "normalize", json_string_nocheck(what));
    char *own = sha ? NULL : plan_fingerprint(what, value);
    if (!sha)
        sha = own;
    json_object_set_new_nocheck(r, "sha256", sha ? json_string_nocheck(sha) : json_null());
    free(own);
    json_array_append_new(bd->reads, r);
    return r;
}

static json_t *add_read(struct builder *bd, const char *path, const char *name, const char *what,
                        const json_t *value)
{
    return add_read_sha(bd, path, name, what, value, NULL);
}

static const char *item_base(enum model_kind k)
{
    if (k == MODEL_ROLE_ELIGIBILITY)
        return "roleManagement/directory/roleEligibilitySchedules";
    if (k == MODEL_GROUP_PIM_ELIGIBILITY)
        return TENANT_PIM_GROUP_ELIG;
    if (k == MODEL_GROUP_PIM_ASSIGNMENT)
        return TENANT_PIM_GROUP_ASSIGN;
    return k == MODEL_AUTH_METHOD_CONFIG ? METHODS_PATH : model_kind_path(k);
}

/* ---- set changes (members, owners) ---- */

static bool has_id(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(list), i, v)
    {
        if (json_string_value(v) && strcasecmp(json_string_value(v), id) == 0)
            return true;
    }
    return false;
}

/* The change of a set-valued field (members, owners, a lifecycle policy's groups) on action `a`:
 * the values added and removed, in the language's words; on a created object, the whole list as
 * "new". Takes `added` and `removed`; nothing is recorded when both are empty. */
static void add_set_change(json_t *a, const char *field, const char *path, json_t *added,
                           json_t *removed, bool created)
{
    if (!json_array_size(added) && !json_array_size(removed)) {
        json_decref(added);
        json_decref(removed);
        return;
    }
    json_t *ch = json_object();
    json_object_set_new(ch, "field", json_string(field));
    json_object_set_new(ch, "path", json_string(path));
    json_object_set_new(ch, "op", json_string(created ? "add" : "change"));
    if (created) {
        struct strbuf sb = STRBUF_INIT;
        size_t i;
        json_t *v;
        json_array_foreach(added, i, v)
        {
            strbuf_addf(&sb, "%s%s", i ? ", " : "", json_string_value(v));
        }
        json_object_set_new(ch, "new", json_string(strbuf_str(&sb)));
        strbuf_fini(&sb);
    }
    json_object_set_new(ch, "added", added);
    json_object_set_new(ch, "removed", removed);
    json_array_append_new(json_object_get(a, "changes"), ch);
}

/* The groups of an expiration policy applied to selected groups: POST
 * groupLifecyclePolicies/{id}/addGroup and removeGroup, one group per request (Graph v1.0
 * "groupLifecyclePolicy: addGroup", "groupLifecyclePolicy: removeGroup"). */
static void lifecycle_changes(struct builder *bd, json_t *a, const json_t *want, const json_t *have,
                              const char *pid, bool created)
{
    if (!want)
        return;
    json_t *added = json_array(), *removed = json_array();
    static const char *const ops[2] = {"addGroup", "removeGroup"};
    for (int op = 0; op < 2; op++) {
        const json_t *from = op == 0 ? want : have, *other = op == 0 ? have : want;
        size_t i;
        json_t *v;
        json_array_foreach(util_json_mut(from), i, v)
        {
            const char *id = json_string_value(v);
            if (!id || !*id || has_id(other, id))
                continue;
            char *d = plan_dsl_value(bd->t, MODEL_GROUP_LIFECYCLE, "groups", v);
            json_array_append_new(op == 0 ? added : removed, json_string(d));
            char *path =
                xasprintf("%s/%s/%s", model_kind_path(MODEL_GROUP_LIFECYCLE), pid, ops[op]);
            add_request(a, PHASE_SETTINGS, "POST", path, json_pack("{s:s}", "groupId", id), NULL,
                        "%s %s %s the group expiration policy", op == 0 ? "add" : "remove", d,
                        op == 0 ? "to" : "from");
            free(path);
            free(d);
        }
    }
    add_set_change(a, "group_expiration for", "groups", added, removed, created);
}

static void rel_changes(struct builder *bd, json_t *a, const char *rel, const json_t *want,
                        const json_t *have, const char *gid, bool created)
{
    if (!want)
        return;
    json_t *added = json_array(), *removed = json_array();
    json_t *added_ids = json_array(), *removed_ids = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(util_json_mut(want), i, v)
    {
        const char *id = json_string_value(v);
        if (!id || !*id || has_id(have, id) || has_id(added_ids, id))
            continue;
        json_array_append_new(added_ids, json_string(id));
    }
    json_array_foreach(util_json_mut(have), i, v)
    {
        const char *id = json_string_value(v);
        if (id && !has_id(want, id))
            json_array_append_new(removed_ids, json_string(id));
    }
    json_array_foreach(added_ids, i, v)
    {
        char *d = plan_dsl_value(bd->t, MODEL_GROUP, rel, v);
        json_array_append_new(added, json_string(d));
        char *path = xasprintf("groups/%s/%s/$ref", gid, rel);
        char *odata = xasprintf(GRAPH_OBJECTS "%s", json_string_value(v));
        add_request(a, PHASE_GROUP_UPDATE, "POST", path, json_pack("{s:s}", "@odata.id", odata),
                    NULL, "add %s to %s", d, rel);
        free(odata);
        free(path);
        free(d);
    }
    json_array_foreach(removed_ids, i, v)
    {
        char *d = plan_dsl_value(bd->t, MODEL_GROUP, rel, v);
        json_array_append_new(removed, json_string(d));
        char *path = xasprintf("groups/%s/%s/%s/$ref", gid, rel, json_string_value(v));
        add_request(a, PHASE_GROUP_UPDATE, "DELETE", path, NULL, NULL, "remove %s from %s", d, rel);
        free(path);
        free(d);
    }
    add_set_change(a, rel, rel, added, removed, created);
    json_decref(added_ids);
    json_decref(removed_ids);
}

/* ---- one desired object ---- */

static bool derived_nickname(const char *name, const char *nick)
{
    struct strbuf sb = STRBUF_INIT;
    for (const char *p = name; *p && sb.len < 64; p++) {
        char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            strbuf_addc(&sb, c);
    }
    bool same = nick && strcmp(strbuf_str(&sb), nick) == 0;
    strbuf_fini(&sb);
    return same;
}

static size_t grant_items(const json_t *body)
{
    const json_t *g = json_object_get(body, "grantControls");
    return json_array_size(json_object_get(g, "builtInControls")) +
           json_array_size(json_object_get(g, "termsOfUse")) +
           json_array_size(json_object_get(g, "customAuthenticationFactors")) +
           (json_object_get(g, "authenticationStrength") ? 1 : 0);
}

/* Lines of a creation that say nothing the header and the kind do not already say. */
static bool creation_noise(enum model_kind k, const char *path, const json_t *body)
{
    size_t n = strlen(path);
    switch (k) {
    case MODEL_GROUP:
        return strcmp(path, "groupTypes") == 0 || strcmp(path, "mailEnabled") == 0 ||
               strcmp(path, "securityEnabled") == 0 ||
               (strcmp(path, "membershipRuleProcessingState") == 0 &&
                strcmp(
                    json_string_value(json_object_get(body, "membershipRuleProcessingState"))
                        ? json_string_value(json_object_get(body, "membershipRuleProcessingState"))
                        : "",
                    "On") == 0) ||
               (strcmp(path, "mailNickname") == 0 &&
                derived_nickname(json_string_value(json_object_get(body, "displayName"))
                                     ? json_string_value(json_object_get(body, "displayName"))
                                     : "",
                                 json_string_value(json_object_get(body, "mailNickname"))));
    case MODEL_NAMED_LOCATION:
        return strcmp(path, "kind") == 0;
    case MODEL_CA_POLICY:
        return (strcmp(path, "grantControls.operator") == 0 && grant_items(body) < 2) ||
               (strncmp(path, "sessionControls.", 16) == 0 && n > 10 &&
                strcmp(path + n - 10, ".isEnabled") == 0);
    case MODEL_GROUP_PIM_ELIGIBILITY:
    case MODEL_GROUP_PIM_ASSIGNMENT:
        return strcmp(path, "scheduleInfo.expiration.type") == 0 || strcmp(path, "groupId") == 0;
    case MODEL_ROLE_ASSIGNMENT:
    case MODEL_ROLE_ELIGIBILITY:
        return (strcmp(path, "directoryScopeId") == 0 &&
                strcmp(json_string_value(json_object_get(body, "directoryScopeId"))
                           ? json_string_value(json_object_get(body, "directoryScopeId"))
                           : "",
                       "/") == 0) ||
               strcmp(path, "scheduleInfo.expiration.type") == 0;
    default:
        return false;
    }
}

static json_t *creation_changes(struct builder *bd, enum model_kind k, const json_t *body)
{
    int nk = plan_nk(k);
    json_t *n = normalize((enum normalize_kind)nk, body);
    struct jsondiff d;
    jsondiff_compute(NULL, n, &d);
    json_t *all = plan_dsl_changes(bd->t, (int)k, &d);
    jsondiff_fini(&d);
    json_decref(n);
    json_t *ch = json_array();
    if (k == MODEL_GROUP) {
        const json_t *types = json_object_get(body, "groupTypes");
        bool m365 = false;
        size_t i;
        json_t *v;
        json_array_foreach(util_json_mut(types), i, v)
        {
            if (json_string_value(v) && strcmp(json_string_value(v), "Unified") == 0)
                m365 = true;
        }
        json_array_append_new(ch,
                              json_pack("{s:s,s:s,s:s,s:s}", "field", "kind", "path", "groupTypes",
                                        "op", "add", "new", m365 ? "microsoft365" : "security"));
    }
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c)
    {
        if (!creation_noise(k, json_string_value(json_object_get(c, "path")), body))
            json_array_append(ch, c);
    }
    json_decref(all);
    return ch;
}

/* A new Conditional Access policy created directly in state on: Microsoft's guidance is to
 * start in report-only mode and switch it on after reviewing its impact ("Conditional Access
 * report-only mode", https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only,
 * and "Plan a Conditional Access deployment"). `state on skip_report_only` says it is
 * deliberate. */
static void warn_enforced_at_creation(struct builder *bd, const struct model_object *o,
                                      const json_t *body)
{
    const char *state = json_string_value(json_object_get(body, "state"));
    if (!state || strcmp(state, "enabled") != 0 ||
        json_is_true(json_object_get(o->extra, "skipReportOnly")))
        return;
    char *at = loc_at(bd, o->loc);
    char *msg = xasprintf("policy \"%s\" is new and created directly in state on: run it in "
                          "'state report_only' first, or write 'state on skip_report_only' if "
                          "enforcing it at once is deliberate",
                          o->name);
    json_array_append_new(bd->warnings, json_pack("{s:s?,s:s}", "at", at, "message", msg));
    free(msg);
    free(at);
}

static void plan_create(struct builder *bd, struct resolve_object *ro, const char *op,
                        const char *reason)
{
    struct model_object *o = ro->obj;
    enum model_kind k = o->kind;
    json_t *a = new_action(bd, op, k, o->name, ro->current_id, o->loc);
    if (reason)
        json_object_set_new(a, "reason", json_string(reason));
    json_t *ch = creation_changes(bd, k, ro->body);
    json_array_extend(json_object_get(a, "changes"), ch);
    json_decref(ch);
    char *token = ro->token ? xstrdup(ro->token) : resolve_new_token(ref_kind(k), o->name);
    const char *w = plan_kind_word(k);
    switch (k) {
    case MODEL_USER: {
        /* The password is never in a plan: the body names the environment variable that holds
         * it ({"$env": NAME}), which apply reads once, right before the request (apply.c). */
        const json_t *ip = json_object_get(o->extra, "initialPassword");
        json_t *body = json_deep_copy(ro->body);
        if (ip) {
            json_object_set_new(body, "passwordProfile",
                                json_pack("{s:{s:O},s:O}", "password", "$env",
                                          json_object_get(ip, "env"),
                                          "forceChangePasswordNextSignIn",
                                          json_object_get(ip, "forceChangePasswordNextSignIn")));
            json_array_append_new(json_object_get(a, "changes"),
                                  json_pack("{s:s,s:s,s:s,s:s++}", "field", "initial_password",
                                            "path", "passwordProfile", "op", "add", "new",
                                            "(from env ",
                                            json_string_value(json_object_get(ip, "env")), ")"));
        }
        add_request(a, PHASE_GROUP_CREATE, "POST", "users", body, token, "create user \"%s\"",
                    o->name);
        break;
    }
    case MODEL_GROUP:
        add_request(a, PHASE_GROUP_CREATE, "POST", "groups", json_deep_copy(ro->body), token,
                    "create group \"%s\"", o->name);
        rel_changes(bd, a, "members", ro->members, NULL, token, true);
        rel_changes(bd, a, "owners", ro->owners, NULL, token, true);
        plan_licenses(bd->t, a, o, NULL, token, true);
        break;
    case MODEL_NAMED_LOCATION:
        add_request(a, PHASE_DEPENDENCY, "POST", model_kind_path(k), json_deep_copy(ro->body),
                    token, "create %s \"%s\"", w, o->name);
        break;
    case MODEL_AUTH_STRENGTH: {
        /* the combination configurations follow the strength, on its own sub-collection */
        json_t *body = json_deep_copy(ro->body);
        json_object_del(body, "combinationConfigurations");
        add_request(a, PHASE_DEPENDENCY, "POST", model_kind_path(k), body, token,
                    "create %s \"%s\"", w, o->name);
        char *sp = xasprintf("%s/%s", model_kind_path(k), token);
        json_t *extra =
            plan_strength_combos(PHASE_DEPENDENCY, sp, o->name,
                                 json_object_get(ro->body, "combinationConfigurations"), NULL);
        json_array_extend(json_object_get(a, "requests"), extra);
        json_decref(extra);
        free(sp);
        break;
    }
    case MODEL_CA_POLICY:
        add_request(a, PHASE_POLICY, "POST", model_kind_path(k), json_deep_copy(ro->body), token,
                    "create policy \"%s\"", o->name);
        warn_enforced_at_creation(bd, o, ro->body);
        if (json_is_true(json_object_get(o->extra, "skipReportOnly")))
            json_object_set_new(a, "skipReportOnly", json_true());
        break;
    case MODEL_ROLE_ASSIGNMENT: {
        const json_t *until = json_object_get(
            json_object_get(json_object_get(ro->body, "scheduleInfo"), "expiration"),
            "endDateTime");
        if (json_object_get(ro->body, "scheduleInfo")) {
            add_request(a, PHASE_ROLE, "POST", ACTIVE_REQUESTS, json_deep_copy(ro->body), NULL,
                        "assign (active%s%s): %s", until ? " until " : "",
                        until ? json_string_value(until) : "", o->name);
            break;
        }
        json_t *body = json_pack("{s:s}", "@odata.type", "#microsoft.graph.unifiedRoleAssignment");
        json_object_update(body, ro->body);
        add_request(a, PHASE_ROLE, "POST", model_kind_path(k), body, NULL, "assign %s", o->name);
        break;
    }
    case MODEL_ROLE_ELIGIBILITY:
        add_request(a, PHASE_ROLE, "POST", ELIG_REQUESTS, json_deep_copy(ro->body), NULL,
                    "make eligible: %s", o->name);
        break;
    case MODEL_GROUP_SETTING:
        add_request(a, PHASE_SETTINGS, "POST", "groupSettings", json_deep_copy(ro->body), NULL,
                    "create group setting %s", o->name);
        break;
    case MODEL_GROUP_LIFECYCLE:
        add_request(a, PHASE_SETTINGS, "POST", model_kind_path(k), json_deep_copy(ro->body), token,
                    "create the group expiration policy");
        lifecycle_changes(bd, a, ro->members, NULL, token, true);
        break;
    case MODEL_GROUP_PIM_ELIGIBILITY:
    case MODEL_GROUP_PIM_ASSIGNMENT:
        add_request(a, PHASE_ROLE, "POST", model_kind_path(k), json_deep_copy(ro->body), NULL,
                    "%s: %s", k == MODEL_GROUP_PIM_ELIGIBILITY ? "make eligible" : "assign",
                    o->name);
        break;
    case MODEL_ACCESS_REVIEW:
        add_request(a, PHASE_ROLE, "POST", model_kind_path(k), json_deep_copy(ro->body), NULL,
                    "create access review \"%s\"", o->name);
        break;
    case MODEL_AUTH_CONTEXT: {
        /* Graph v1.0 "Update authenticationContextClassReference": PATCH creates an unused id */
        char *path = xasprintf("%s/%s", model_kind_path(k), o->name);
        add_request(a, PHASE_DEPENDENCY, "PATCH", path, json_deep_copy(ro->body), NULL,
                    "create authentication context \"%s\"", o->name);
        free(path);
        break;
    }
    default:
        break;
    }
    free(token);
    push_action(bd, a, ro->current);
}

static void delete_requests(json_t *a, enum model_kind k, const char *id, const char *name,
                            const json_t *cur)
{
    char *path = xasprintf("%s/%s", model_kind_path(k), id);
    const char *w = plan_kind_word(k);
    switch (k) {
    case MODEL_CA_POLICY:
        add_request(a, PHASE_POLICY_DELETE, "DELETE", path, NULL, NULL, "delete policy \"%s\"",
                    name);
        break;
    case MODEL_NAMED_LOCATION:
        if (json_is_true(json_object_get(cur, "isTrusted"))) {
            json_t *body = json_object();
            json_object_set(body, "@odata.type", json_object_get(cur, "@odata.type"));
            json_object_set_new(body, "isTrusted", json_false());
            add_request(a, PHASE_DEPENDENCY_DELETE, "PATCH", path, body, NULL,
                        "untrust location \"%s\" (a trusted location cannot be deleted)", name);
        }
        add_request(a, PHASE_DEPENDENCY_DELETE, "DELETE", path, NULL, NULL,
                    "delete location \"%s\"", name);
        break;
    case MODEL_AUTH_STRENGTH:
        add_request(a, PHASE_DEPENDENCY_DELETE, "DELETE", path, NULL, NULL,
                    "delete strength \"%s\"", name);
        break;
    case MODEL_GROUP:
        add_request(a, PHASE_GROUP_DELETE, "DELETE", path, NULL, NULL, "delete group \"%s\"", name);
        break;
    case MODEL_AUTH_CONTEXT:
        /* Graph v1.0 "Delete authenticationContextClassReference": after the policy changes, and
         * a published context (isAvailable) is unpublished first (403 otherwise) */
        if (json_is_true(json_object_get(cur, "isAvailable")))
            add_request(a, PHASE_DEPENDENCY_DELETE, "PATCH", path,
                        json_pack("{s:b}", "isAvailable", 0), NULL,
                        "unpublish authentication context %s (a published one cannot be "
                        "deleted)",
                        name);
        add_request(a, PHASE_DEPENDENCY_DELETE, "DELETE", path, NULL, NULL,
                    "delete authentication context %s \"%s\"", name,
                    json_string_value(json_object_get(cur, "displayName"))
                        ? json_string_value(json_object_get(cur, "displayName"))
                        : "");
        break;
    case MODEL_ROLE_ASSIGNMENT:
        if (tenant_schedule_ends(cur)) {
            /* a PIM schedule is removed with an adminRemove request */
            add_request(a, PHASE_ROLE_DELETE, "POST", ACTIVE_REQUESTS,
                        json_pack("{s:s,s:O,s:O,s:O,s:s}", "action", "adminRemove", "principalId",
                                  json_object_get(cur, "principalId"), "roleDefinitionId",
                                  json_object_get(cur, "roleDefinitionId"), "directoryScopeId",
                                  json_object_get(cur, "directoryScopeId"), "justification",
                                  "Removed by idpc (manage exclusively)"),
                        NULL, "remove active assignment %s", name);
            break;
        }
        add_request(a, PHASE_ROLE_DELETE, "DELETE", path, NULL, NULL, "remove assignment %s", name);
        break;
    case MODEL_ROLE_ELIGIBILITY:
        add_request(a, PHASE_ROLE_DELETE, "POST", ELIG_REQUESTS,
                    json_pack("{s:s,s:O,s:O,s:O,s:s}", "action", "adminRemove", "principalId",
                              json_object_get(cur, "principalId"), "roleDefinitionId",
                              json_object_get(cur, "roleDefinitionId"), "directoryScopeId",
                              json_object_get(cur, "directoryScopeId"), "justification",
                              "Removed by idpc (manage exclusively)"),
                    NULL, "remove eligibility %s", name);
        break;
    default:
        add_request(a, PHASE_GROUP_DELETE, "DELETE", path, NULL, NULL, "delete %s \"%s\"", w, name);
        break;
    }
    free(path);
}

/* The end of a time-bound eligibility that is already past ("2026-01-31T00:00:00Z"), or NULL.
 * SOURCE_DATE_EPOCH stands for now when set (reproducible plans in tests). */
static const char *expired_on(const json_t *schedule)
{
    const json_t *exp = json_object_get(json_object_get(schedule, "scheduleInfo"), "expiration");
    const char *end = json_string_value(json_object_get(exp, "endDateTime"));
    return util_iso_past(end) ? end : NULL;
}

/* PIM role settings: one PATCH per rule whose stated settings differ, the rule sent whole
 * (Update unifiedRoleManagementPolicyRule, Graph v1.0). Rules the configuration does not state
 * are not compared and never written. */
static void plan_role_policy(struct builder *bd, struct resolve_object *ro)
{
    struct model_object *o = ro->obj;
    json_t *want = normalize(NK_ROLE_POLICY, ro->body);
    json_t *have = normalize(NK_ROLE_POLICY, ro->current);
    struct jsondiff d;
    jsondiff_compute_partial(have, want, &d);
    json_t *a = new_action(bd, "update", o->kind, o->name, ro->current_id, o->loc);
    json_t *ch = plan_dsl_changes(bd->t, (int)o->kind, &d);
    json_array_extend(json_object_get(a, "changes"), ch);
    json_decref(ch);
    json_t *done = json_object();
    for (size_t i = 0; i < d.n; i++) {
        char *rid = xstrdup(d.v[i].path);
        char *dot = strchr(rid, '.');
        if (dot)
            *dot = '\0';
        if (!json_object_get(done, rid)) {
            json_object_set_new(done, rid, json_true());
            size_t j;
            json_t *rule;
            json_array_foreach(json_object_get(ro->body, "rules"), j, rule)
            {
                const char *id = json_string_value(json_object_get(rule, "id"));
                if (!id || strcmp(id, rid) != 0)
                    continue;
                char *path =
                    xasprintf("%s/%s/rules/%s", model_kind_path(o->kind), ro->current_id, rid);
                char *field = plan_dsl_field((int)o->kind, rid);
                add_request(a, PHASE_SETTINGS, "PATCH", path, json_deep_copy(rule), NULL,
                            "update PIM setting %s of %s \"%s\"", field,
                            o->kind == MODEL_ROLE_POLICY ? "role" : "group", o->name);
                free(field);
                free(path);
            }
        }
        free(rid);
    }
    json_decref(done);
    jsondiff_fini(&d);
    json_decref(want);
    json_decref(have);
    if (json_array_size(json_object_get(a, "requests")) == 0) {
        json_decref(a);
        return;
    }
    push_action(bd, a, ro->current);
}

/* A named location the tenant holds compactly, with the fingerprint taken when it was loaded
 * (plan_hold_locations): when the configuration's object normalises to the same fingerprint,
 * plan_update would find no change, so it is neither thawed nor compared. */
static bool held_unchanged(struct builder *bd, struct resolve_object *ro)
{
    enum tenant_kind tk = resolve_tenant_kind(ro->obj->kind);
    if (ro->current || ro->replace || !ro->current_id || tk == TK__COUNT ||
        plan_nk(ro->obj->kind) != NK_NAMED_LOCATION)
        return false;
    const struct tenant_held *h =
        tenant_held_of(bd->t, tk, tenant_index_of(bd->t, tk, ro->current_id));
    /* a key (plan_hold_location_keys) tells an unchanged location, but it is no fingerprint
     * for record_reads: a plan that takes them compares the location whole */
    if (!h || !h->derived || (bd->sha && h->derived[0] == PLAN_LOCATION_KEY_MARK))
        return false;
    /* the fingerprint taken when the body was frozen (plan_freeze_model), else of the tree */
    char *sha;
    if (ro->obj->frozen_digest) {
        sha = xstrdup(ro->obj->frozen_digest);
    } else {
        resolve_thaw(ro);
        sha = h->derived[0] == PLAN_LOCATION_KEY_MARK ? plan_location_key(ro->body)
                                                      : plan_location_fingerprint(ro->body);
    }
    bool same = strcmp(sha, h->derived) == 0;
    size_t self = (size_t)(ro - bd->r->v);
    if (same && bd->sha && !bd->sha[self])
        bd->sha[self] = xstrdup(h->derived); /* what record_reads fingerprints */
    free(sha);
    return same;
}

static void plan_update(struct builder *bd, struct resolve_object *ro)
{
    struct model_object *o = ro->obj;
    enum model_kind k = o->kind;
    int nk = plan_nk(k);
    if (nk < 0)
        return;
    if (k == MODEL_ROLE_POLICY || k == MODEL_GROUP_PIM_POLICY) {
        plan_role_policy(bd, ro);
        return;
    }
    if (ro->replace) {
        /* Create the new object first (references follow it), delete the old one last. */
        plan_create(bd, ro, "replace", ro->replace);
        json_t *a = json_array_get(bd->actions, json_array_size(bd->actions) - 1);
        /* The old object first steps aside under a telltale name, so that an interrupted
         * replace never leaves two objects with the declared name: a later plan matches the new
         * one and deletes the leftover (PLAN_REPLACED_SUFFIX). */
        json_t *reqs = json_object_get(a, "requests");
        json_t *first = json_array_get(reqs, 0);
        char *path = xasprintf("%s/%s", model_kind_path(k), ro->current_id);
        char *aside = xasprintf("%s" PLAN_REPLACED_SUFFIX, o->name);
        json_t *body = json_pack("{s:s}", "displayName", aside);
        if (json_object_get(ro->current, "@odata.type"))
            json_object_set(body, "@odata.type", json_object_get(ro->current, "@odata.type"));
        json_t *r = json_pack("{s:O,s:s,s:s,s:o,s:s}", "phase", json_object_get(first, "phase"),
                              "method", "PATCH", "path", path, "body", body, "description",
                              "rename the old object out of the way");
        json_array_insert_new(reqs, 0, r);
        free(aside);
        free(path);
        delete_requests(a, k, ro->current_id, ro->current_name ? ro->current_name : o->name,
                        ro->current);
        return;
    }
    json_t *want = normalize((enum normalize_kind)nk, ro->body);
    json_t *have = normalize((enum normalize_kind)nk, ro->current);
    /* what record_reads fingerprints (plan_fingerprint: the normalised object's SHA-256) */
    size_t self = (size_t)(ro - bd->r->v);
    if (bd->sha && ro->current && !json_is_null(ro->current) && !bd->sha[self])
        bd->sha[self] = tenant_sha256(have);
    if (k == MODEL_GROUP) {
        json_object_del(want, "members");
        json_object_del(want, "owners");
        json_object_del(have, "members");
        json_object_del(have, "owners");
        if (derived_nickname(o->name, json_string_value(json_object_get(want, "mailNickname"))))
            json_object_del(want, "mailNickname");
    }
    bool partial = k == MODEL_GROUP || k == MODEL_AUTH_METHOD_CONFIG || k == MODEL_GROUP_SETTING ||
                   k == MODEL_AUTHORIZATION_POLICY || k == MODEL_SECURITY_DEFAULTS ||
                   k == MODEL_AUTH_METHODS_POLICY || k == MODEL_GROUP_LIFECYCLE ||
                   k == MODEL_ROLE_ELIGIBILITY || k == MODEL_AUTH_CONTEXT ||
                   k == MODEL_ADMIN_CONSENT || k == MODEL_USER || k == MODEL_ONPREM_SYNC ||
                   k == MODEL_GROUP_PIM_ELIGIBILITY || k == MODEL_GROUP_PIM_ASSIGNMENT ||
                   k == MODEL_ACCESS_REVIEW;
    bool schedule = k == MODEL_ROLE_ELIGIBILITY || k == MODEL_GROUP_PIM_ELIGIBILITY ||
                    k == MODEL_GROUP_PIM_ASSIGNMENT;
    struct jsondiff d;
    if (partial)
        jsondiff_compute_partial(have, want, &d);
    else
        jsondiff_compute(have, want, &d);
    /* schedules: role eligibilities, time-bound active role assignments, PIM for Groups */
    bool scheduled = schedule || k == MODEL_ROLE_ASSIGNMENT;
    /* no change: only a group (members, owners, licenses), a lifecycle policy (its groups) and
     * a schedule (a note that it expired) can still have something to say */
    if (d.n == 0 && !scheduled && k != MODEL_GROUP && k != MODEL_GROUP_LIFECYCLE) {
        jsondiff_fini(&d);
        json_decref(want);
        json_decref(have);
        return;
    }
    json_t *a = new_action(bd, "update", k, o->name, ro->current_id, o->loc);
    if (ro->by_rename)
        json_object_set_new(a, "renamedFrom", json_string(o->renamed_from));
    else if (ro->case_only)
        json_object_set_new(a, "tenantName", json_string(ro->current_name));
    json_t *ch = plan_dsl_changes(bd->t, (int)k, &d);
    json_array_extend(json_object_get(a, "changes"), ch);
    json_decref(ch);
    const char *w = plan_kind_word(k);
    char *path = k == MODEL_AUTHORIZATION_POLICY || k == MODEL_SECURITY_DEFAULTS ||
                         k == MODEL_AUTH_METHODS_POLICY || k == MODEL_ADMIN_CONSENT
                     ? xstrdup(model_kind_path(k))
                     : xasprintf("%s/%s", item_base(k), ro->current_id);
    enum plan_phase phase =
        k == MODEL_GROUP || k == MODEL_USER ? PHASE_GROUP_UPDATE
        : k == MODEL_NAMED_LOCATION || k == MODEL_AUTH_STRENGTH || k == MODEL_AUTH_CONTEXT
            ? PHASE_DEPENDENCY
        : k == MODEL_CA_POLICY                 ? PHASE_POLICY
        : schedule || k == MODEL_ACCESS_REVIEW ? PHASE_ROLE
                                               : PHASE_SETTINGS;
    if (d.n > 0 && k == MODEL_ACCESS_REVIEW) {
        /* "Update accessReviewScheduleDefinition" (Graph v1.0) is a PUT of the whole definition */
        add_request(a, phase, "PUT", path, json_deep_copy(ro->body), NULL,
                    "update access review \"%s\"", o->name);
    } else if (d.n > 0 && !scheduled) {
        /* the body itself: the PATCH body is made of copies (jsondiff_patch_body) */
        json_t *desired = json_incref(ro->body);
        if (k == MODEL_GROUP && !json_object_get(want, "mailNickname") &&
            json_object_get(desired, "mailNickname")) {
            json_decref(desired);
            desired = json_copy(ro->body); /* only its top level changes */
            json_object_del(desired, "mailNickname");
        }
        json_t *body = jsondiff_patch_body((enum normalize_kind)nk, desired, ro->current, &d);
        json_decref(desired);
        if (body && k == MODEL_ADMIN_CONSENT) {
            /* Graph v1.0 "Update adminConsentRequestPolicy" is a PUT of every property */
            json_decref(body);
            add_request(a, phase, "PUT", path, plan_consent_put(ro->body, ro->current), NULL,
                        "update the admin consent workflow");
        } else if (body)
            add_request(a, phase, "PATCH", path, body, NULL, "update %s \"%s\"", w, o->name);
        if (k == MODEL_AUTH_STRENGTH && jsondiff_touches(&d, "allowedCombinations")) {
            char *p2 = xasprintf("%s/updateAllowedCombinations", path);
            add_request(a, phase, "POST", p2,
                        json_pack("{s:O}", "allowedCombinations",
                                  json_object_get(ro->body, "allowedCombinations")),
                        NULL, "update the combinations of strength \"%s\"", o->name);
            free(p2);
        }
        if (k == MODEL_AUTH_STRENGTH && jsondiff_touches(&d, "combinationConfigurations")) {
            json_t *extra = plan_strength_combos(
                phase, path, o->name, json_object_get(ro->body, "combinationConfigurations"),
                json_object_get(ro->current, "combinationConfigurations"));
            json_array_extend(json_object_get(a, "requests"), extra);
            json_decref(extra);
        }
    }
    const char *what = k == MODEL_ROLE_ASSIGNMENT        ? "active assignment"
                       : k == MODEL_GROUP_PIM_ASSIGNMENT ? "assignment"
                                                         : "eligibility";
    const char *expired = scheduled ? expired_on(ro->current) : NULL;
    if (expired && d.n == 0) {
        char *at = loc_at(bd, o->loc);
        char *msg = xasprintf("%s %s ended on %s (expired); give it a later 'until' to renew it",
                              what, o->name, expired);
        json_array_append_new(bd->notes, json_pack("{s:s?,s:s}", "at", at, "message", msg));
        free(msg);
        free(at);
    }
    if (d.n > 0 && scheduled && jsondiff_touches(&d, "scheduleInfo")) {
        /* A changed end date is a renewal (or a shortening): one adminUpdate request, the
         * eligibility or assignment itself stays ("Update or renew Microsoft Entra role
         * assignments"; an active one through roleAssignmentScheduleRequests, which also makes a
         * permanent assignment time-bound and back). */
        const json_t *exp =
            json_object_get(json_object_get(ro->body, "scheduleInfo"), "expiration");
        const char *until = json_string_value(json_object_get(exp, "endDateTime"));
        json_t *body = json_deep_copy(ro->body);
        json_object_del(body, "@odata.type");
        json_object_set_new(body, "action", json_string("adminUpdate"));
        json_object_set_new(body, "justification", json_string("Renewed by idpc"));
        if (!json_object_get(body, "scheduleInfo"))
            json_object_set_new(body, "scheduleInfo",
                                json_pack("{s:{s:s}}", "expiration", "type", "noExpiration"));
        if (expired)
            json_object_set_new(a, "reason",
                                json_sprintf("renewal: the %s expired on %s", what, expired));
        else
            json_object_set_new(a, "reason",
                                json_sprintf(until ? "renewal: the %s now ends on the date the "
                                                     "configuration gives"
                                                   : "renewal: the %s becomes permanent",
                                             what));
        add_request(a, PHASE_ROLE, "POST",
                    k == MODEL_ROLE_ELIGIBILITY  ? ELIG_REQUESTS
                    : k == MODEL_ROLE_ASSIGNMENT ? ACTIVE_REQUESTS
                                                 : model_kind_path(k),
                    body, NULL, "renew %s %s%s%s", what, o->name,
                    until ? " until " : " (permanent)", until ? until : "");
    }
    if (k == MODEL_GROUP_LIFECYCLE)
        lifecycle_changes(bd, a, ro->members, ro->current_members, ro->current_id, false);
    if (k == MODEL_GROUP) {
        rel_changes(bd, a, "members", ro->members, ro->current_members, ro->current_id, false);
        rel_changes(bd, a, "owners", ro->owners, ro->current_owners, ro->current_id, false);
        plan_licenses(bd->t, a, o, ro->current, ro->current_id, false);
    }
    free(path);
    jsondiff_fini(&d);
    json_decref(want);
    json_decref(have);
    if (json_array_size(json_object_get(a, "requests")) == 0) {
        json_decref(a);
        return;
    }
    push_action(bd, a, ro->current);
}

/* A named location the tenant holds compactly, `cur` its tree, that an action changes: what the
 * lockout states will hold of it, made now (lockout_states_new_with). */
static void keep_loc_stub(struct builder *bd, enum tenant_kind tk, size_t i, const json_t *cur)
{
    if (!bd->stubs_early || tk != TK_LOCATION || !cur || !tenant_held_of(bd->t, tk, i))
        return;
    if (!bd->loc_stubs)
        bd->loc_stubs = xcalloc(bd->t->idx[tk].n, sizeof(*bd->loc_stubs));
    json_decref(bd->loc_stubs[i]);
    bd->loc_stubs[i] = lockout_location_stub(cur);
}

/* An object the tenant has. A named location the tenant holds compactly is planned only when
 * its fingerprint says it changed, and is a tree only while it is planned: record_reads keeps
 * its fingerprint. */
static void plan_matched(struct builder *bd, struct resolve_object *ro)
{
    if (held_unchanged(bd, ro))
        return;
    resolve_thaw(ro); /* a frozen body: one tree at a time */
    resolve_thaw_current(bd->r, ro);
    size_t actions = json_array_size(bd->actions);
    plan_update(bd, ro);
    if (!ro->current_thawed)
        return;
    if (json_array_size(bd->actions) > actions)
        keep_loc_stub(bd, resolve_tenant_kind(ro->obj->kind), resolve_current_at(bd->r, ro),
                      ro->current);
    size_t self = (size_t)(ro - bd->r->v);
    int nk = plan_nk(ro->obj->kind);
    if (bd->sha && !bd->sha[self] && nk >= 0) /* a replace: record_reads' fingerprint, now */
        bd->sha[self] = plan_fingerprint(normalize_kind_name((enum normalize_kind)nk), ro->current);
    resolve_release_current(ro);
}

/* directory sync assertion: a warning, never applied */
static void check_assertion(struct builder *bd, const struct model_object *o)
{
    const char *what = json_string_value(json_object_get(o->body, "assert"));
    if (!what || strcmp(what, "directorySync") != 0)
        return;
    json_t *org = bd->t->organization;
    char *at = loc_at(bd, o->loc);
    if (!json_is_true(json_object_get(org, "onPremisesSyncEnabled"))) {
        json_array_append_new(bd->warnings,
                              json_pack("{s:s?,s:s}", "at", at, "message",
                                        "directory synchronisation health: the tenant does "
                                        "not synchronise from on-premises "
                                        "(onPremisesSyncEnabled is not true)"));
    } else {
        const char *last = json_string_value(json_object_get(org, "onPremisesLastSyncDateTime"));
        json_array_append_new(
            bd->notes, json_pack("{s:s?,s:s+}", "at", at, "message",
                                 "directory synchronisation health: enabled; last synchronisation ",
                                 last ? last : "unknown"));
    }
    free(at);
}

/* ---- unmanaged objects ---- */

static bool is_emergency(struct builder *bd, const char *principal)
{
    size_t i;
    json_t *e;
    json_array_foreach(bd->r->emergency, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        if (id && principal && strcasecmp(id, principal) == 0)
            return true;
    }
    return false;
}

static bool is_leftover(const char *name)
{
    size_t n = name ? strlen(name) : 0, m = strlen(PLAN_REPLACED_SUFFIX);
    return n > m && strcmp(name + n - m, PLAN_REPLACED_SUFFIX) == 0;
}

/* A deletion is reviewable: its changes remove every attribute the object had, in the
 * language's terms, as a creation adds them. */
static void deleted_attributes(struct builder *bd, json_t *a, enum model_kind k, const json_t *cur)
{
    int nk = plan_nk(k);
    if (nk < 0 || !cur)
        return;
    json_t *have = normalize((enum normalize_kind)nk, cur);
    struct jsondiff d;
    jsondiff_compute(have, NULL, &d);
    json_t *ch = plan_dsl_changes(bd->t, (int)k, &d);
    json_array_extend(json_object_get(a, "changes"), ch);
    json_decref(ch);
    jsondiff_fini(&d);
    json_decref(have);
}

/* The declared policies' authentication contexts (bd->context_users), read from their bodies
 * while they are whole: plan_build's loop releases each body once it is planned, and the
 * contexts left to delete are known only after it. */
static void collect_context_users(struct builder *bd)
{
    if (!(bd->m->manage_exclusive & (1u << MODEL_AUTH_CONTEXT)))
        return;
    for (size_t i = 0; i < bd->m->n; i++) {
        const struct model_object *o = &bd->m->objects[i];
        if (o->kind != MODEL_CA_POLICY)
            continue;
        size_t j;
        json_t *c;
        json_array_foreach(
            json_object_get(json_object_get(json_object_get(o->body, "conditions"), "applications"),
                            "includeAuthenticationContextClassReferences"),
            j, c)
        {
            if (json_string_value(c))
                (void)strmap_put_first(&bd->context_users, json_string_value(c), i);
        }
    }
}

/* The name of a Conditional Access policy that still names authentication context `id` once the
 * plan is applied: a declared policy as the configuration states it, or a tenant policy the plan
 * neither manages nor deletes; NULL when none does. */
static const char *context_user(struct builder *bd, const char *id)
{
    size_t user;
    if (strmap_get(&bd->context_users, id, &user))
        return bd->m->objects[user].name;
    if (bd->m->manage_exclusive & (1u << MODEL_CA_POLICY))
        return NULL; /* every tenant policy is declared or deleted */
    const struct tenant_index *x = &bd->t->idx[TK_POLICY];
    for (size_t i = 0; i < x->n; i++) {
        bool declared = false;
        for (size_t r = 0; r < bd->m->n && !declared; r++)
            declared =
                bd->r->v[r].current_id && strcasecmp(bd->r->v[r].current_id, x->v[i].id) == 0;
        if (declared)
            continue;
        size_t j;
        json_t *c;
        json_array_foreach(
            json_object_get(
                json_object_get(json_object_get(x->v[i].body, "conditions"), "applications"),
                "includeAuthenticationContextClassReferences"),
            j, c)
        {
            if (json_string_value(c) && strcasecmp(json_string_value(c), id) == 0)
                return x->v[i].name ? x->v[i].name : x->v[i].id;
        }
    }
    return NULL;
}

/* `manage exclusively authentication_contexts` deletes an undeclared context; Entra refuses to
 * delete one a policy still names (Microsoft Learn, "Conditional Access: Target resources",
 * Authentication context: "delete ... only when no policy uses it"), so that is an error here,
 * at the manage statement, naming the policy. */
static bool plan_context_in_use(struct builder *bd, const char *id, const char *name)
{
    const char *user = context_user(bd, id);
    if (!user)
        return false;
    diag_error(bd->diag, bd->m->manage_loc,
               "authentication context \"%s\" is not declared, so 'manage exclusively "
               "authentication_contexts' would delete it, but policy \"%s\" still uses it",
               name ? name : id, user);
    diag_note(bd->diag, bd->m->manage_loc,
              "declare the context with 'authentication_context \"%s\" { ... }', or remove it "
              "from the policy first (Entra refuses to delete a context a policy uses)",
              id);
    bd->failed = true;
    return true;
}

/* `claimed`: the ids the configuration's objects have, or NULL when `id` is known to be none of
 * them. */
static void unmanaged_one(struct builder *bd, const struct strmap *claimed, enum model_kind k,
                          const char *id, const char *name, const json_t *cur)
{
    if (!id || (claimed && strmap_get(claimed, id, NULL)))
        return;
    bool leftover = (k == MODEL_GROUP || k == MODEL_NAMED_LOCATION) && is_leftover(name);
    bool exclusive = leftover || (bd->m->manage_exclusive & (1u << k)) != 0;
    if (exclusive && k == MODEL_AUTH_CONTEXT && plan_context_in_use(bd, id, name))
        exclusive = false; /* an error was reported: the plan fails */
    if (exclusive && (k == MODEL_ROLE_ASSIGNMENT || k == MODEL_ROLE_ELIGIBILITY) &&
        is_emergency(bd, json_string_value(json_object_get(cur, "principalId")))) {
        json_array_append_new(bd->warnings,
                              json_pack("{s:s++}", "message", "not removing ", name,
                                        ": it belongs to an emergency-access account"));
        exclusive = false;
    }
    if (!exclusive && bd->unmanaged_count[k]++ >= PLAN_UNMANAGED_LISTED)
        return; /* counted in "unmanagedMore" */
    json_array_append_new(bd->unmanaged,
                          json_pack("{s:s,s:s,s:s,s:s,s:b}", "kind", model_kind_name(k), "word",
                                    plan_kind_word(k), "name", name ? name : id, "id", id, "delete",
                                    exclusive));
    if (!exclusive)
        return;
    json_t *a = new_action(bd, "delete", k, name ? name : id, id, DIAG_LOC_NONE);
    if (leftover)
        json_object_set_new(a, "reason", json_string("left over from an interrupted replace"));
    else
        json_object_set_new(a, "reason",
                            json_sprintf("not in the configuration, and the configuration manages "
                                         "%s exclusively",
                                         k == MODEL_CA_POLICY        ? "policies"
                                         : k == MODEL_NAMED_LOCATION ? "locations"
                                         : k == MODEL_AUTH_STRENGTH  ? "strengths"
                                         : k == MODEL_GROUP          ? "groups"
                                         : k == MODEL_AUTH_CONTEXT   ? "authentication contexts"
                                                                     : "role assignments"));
    deleted_attributes(bd, a, k, cur);
    delete_requests(a, k, id, name ? name : id, cur);
    push_action(bd, a, cur);
}

static char *assignment_name(struct builder *bd, const json_t *v)
{
    const char *rid = json_string_value(json_object_get(v, "roleDefinitionId"));
    const char *pid = json_string_value(json_object_get(v, "principalId"));
    const struct catalog_role *cr = rid ? catalog_role_by_id(rid) : NULL;
    struct tenant_obj *tr = rid && !cr ? tenant_by_id(bd->t, TK_ROLE, rid) : NULL;
    const char *role = cr ? cr->name : tr && tr->name ? tr->name : rid ? rid : "?";
    char *who = pid ? tenant_describe_id(bd->t, pid, -1) : NULL;
    char *s = xasprintf("%s: %s", role, who ? who : pid ? pid : "?");
    free(who);
    return s;
}

struct unmanaged_kind {
    enum tenant_kind tk;
    enum model_kind mk;
};
static const struct unmanaged_kind unmanaged_named[] = {{TK_POLICY, MODEL_CA_POLICY},
                                                        {TK_LOCATION, MODEL_NAMED_LOCATION},
                                                        {TK_STRENGTH, MODEL_AUTH_STRENGTH},
                                                        {TK_GROUP, MODEL_GROUP}};

static void unmanaged_marks_new(struct builder *bd)
{
    for (size_t n = 0; n < IDPC_ARRAY_LEN(unmanaged_named); n++)
        bd->mark[unmanaged_named[n].tk] =
            xcalloc(bd->t->idx[unmanaged_named[n].tk].n + 1, sizeof(bool));
}

static void unmanaged_marks_free(struct builder *bd)
{
    for (size_t k = 0; k < TK__COUNT; k++) {
        free(bd->mark[k]);
        bd->mark[k] = NULL;
    }
}

static void collect_unmanaged(struct builder *bd)
{
    /* What the configuration manages: a mark per object of the tenant's indexes (at the position
     * its id is indexed at; unmanaged_marks_new), and the other ids (contexts, assignments, ...)
     * in `claimed`. */
    unmanaged_marks_new(bd);
    bool **mark = bd->mark;
    size_t nnamed = IDPC_ARRAY_LEN(unmanaged_named);
    const struct unmanaged_kind *named = unmanaged_named;
    struct strmap claimed;
    strmap_init_borrowed(&claimed, true); /* the resolved objects' ids outlive it */
    for (size_t i = 0; i < bd->m->n; i++) {
        const char *id = bd->r->v[i].current_id;
        if (!id)
            continue;
        enum tenant_kind tk = resolve_tenant_kind(bd->r->v[i].obj->kind);
        size_t at =
            tk < TK__COUNT && mark[tk] ? resolve_current_at(bd->r, &bd->r->v[i]) : TENANT_NONE;
        if (at != TENANT_NONE)
            mark[tk][at] = true;
        else
            strmap_put(&claimed, id, 1);
    }
    for (size_t n = 0; n < nnamed; n++) {
        const struct tenant_index *x = &bd->t->idx[named[n].tk];
        for (size_t i = 0; i < x->n; i++) {
            const json_t *body = x->v[i].body;
            if (named[n].tk == TK_STRENGTH) {
                const char *pt = json_string_value(json_object_get(body, "policyType"));
                if (pt && strcmp(pt, "builtIn") == 0)
                    continue;
            }
            /* a mark is at the first position of its id: one here is this object's own */
            size_t at = mark[named[n].tk][i] ? i : tenant_index_of(bd->t, named[n].tk, x->v[i].id);
            if ((at != TENANT_NONE && mark[named[n].tk][at]) ||
                (claimed.n && strmap_get(&claimed, x->v[i].id, NULL)))
                continue; /* the configuration has it */
            /* a group's body, or a location held compactly, only when it is deleted */
            bool deleted =
                (bd->m->manage_exclusive & (1u << named[n].mk)) || is_leftover(x->v[i].name);
            json_t *cur;
            if (named[n].tk == TK_GROUP)
                cur = deleted ? tenant_group_body(bd->t, x->v[i].id) : NULL;
            else if (tenant_held_of(bd->t, named[n].tk, i))
                cur = deleted ? tenant_body(bd->t, named[n].tk, i) : NULL;
            else
                cur = json_incref(util_json_mut(body));
            size_t actions = json_array_size(bd->actions);
            unmanaged_one(bd, NULL, named[n].mk, x->v[i].id, x->v[i].name, cur);
            if (json_array_size(bd->actions) > actions) /* deleted */
                keep_loc_stub(bd, named[n].tk, i, cur);
            json_decref(cur);
        }
    }
    size_t ci;
    json_t *ctx;
    json_array_foreach(bd->t->auth_contexts, ci, ctx)
    {
        /* a context is named by its id, as its declaration is */
        const char *cid = json_string_value(json_object_get(ctx, "id"));
        unmanaged_one(bd, &claimed, MODEL_AUTH_CONTEXT, cid, cid, ctx);
    }
    const json_t *lists[2] = {bd->t->role_assignments, bd->t->eligibilities};
    const enum model_kind lk[2] = {MODEL_ROLE_ASSIGNMENT, MODEL_ROLE_ELIGIBILITY};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *v;
        json_array_foreach(util_json_mut(lists[l]), i, v)
        {
            char *name = assignment_name(bd, v);
            unmanaged_one(bd, &claimed, lk[l], json_string_value(json_object_get(v, "id")), name,
                          v);
            free(name);
        }
    }
    unmanaged_marks_free(bd);
    strmap_fini(&claimed);
}

/* ---- order and dependencies ---- */

static int action_phase(const json_t *a)
{
    int p = PHASE__COUNT;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(a, "requests"), i, r)
    {
        int q = (int)json_integer_value(json_object_get(r, "phase"));
        if (q < p)
            p = q;
    }
    return p;
}

struct order_item {
    size_t index;
    int phase;
};

static int order_cmp(const void *x, const void *y)
{
    const struct order_item *a = x, *b = y;
    if (a->phase != b->phase)
        return a->phase < b->phase ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static void collect_tokens(const json_t *v, json_t *out)
{
    if (json_is_string(v)) {
        const char *s = strstr(json_string_value(v), RESOLVE_NEW_PREFIX);
        if (s && (s == json_string_value(v) || s[-1] == '/')) {
            char *tok = xstrdup(s);
            char *slash = strchr(tok + strlen(RESOLVE_NEW_PREFIX), '/');
            /* a token inside a path ends at the next '/' only for paths built here (and the
             * group reviewer queries of the admin consent workflow) */
            if (slash && (strncmp(json_string_value(v), "groups/", 7) == 0 ||
                          strncmp(json_string_value(v), "/groups/", 8) == 0))
                *slash = '\0';
            json_object_set_new(out, tok, json_true());
            free(tok);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(util_json_mut(v), i, e)
        {
            collect_tokens(e, out);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(util_json_mut(v), k, e)
        {
            if (strcmp(k, "creates") != 0)
                collect_tokens(e, out);
        }
    }
}

static void order_actions(struct builder *bd)
{
    size_t n = json_array_size(bd->actions);
    struct order_item *items = xcalloc(n + 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        items[i].index = i;
        items[i].phase = action_phase(json_array_get(bd->actions, i));
    }
    qsort(items, n, sizeof(*items), order_cmp);
    json_t *sorted = json_array();
    json_t *refs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append(sorted, json_array_get(bd->actions, items[i].index));
        json_array_append(refs, json_array_get(bd->refs, items[i].index));
    }
    free(items);
    json_decref(bd->actions);
    json_decref(bd->refs);
    bd->actions = sorted;
    bd->refs = refs;
    /* token → creating action */
    json_t *creators = json_object();
    size_t i;
    json_t *a;
    json_array_foreach(bd->actions, i, a)
    {
        json_object_set_new(a, "index", json_integer((json_int_t)i));
        size_t j;
        json_t *r;
        json_array_foreach(json_object_get(a, "requests"), j, r)
        {
            const char *c = json_string_value(json_object_get(r, "creates"));
            if (c)
                json_object_set_new(creators, c, json_integer((json_int_t)i));
        }
    }
    json_array_foreach(bd->actions, i, a)
    {
        json_t *deps = json_array();
        json_t *toks = json_object();
        collect_tokens(json_object_get(a, "requests"), toks);
        const char *tok;
        json_t *dummy;
        json_object_foreach(toks, tok, dummy)
        {
            json_t *c = json_object_get(creators, tok);
            if (c && json_integer_value(c) != (json_int_t)i)
                json_array_append(deps, c);
        }
        json_decref(toks);
        /* Deleting an object waits for every change to the policies that used it. */
        const char *op = json_string_value(json_object_get(a, "op"));
        const char *id = json_string_value(json_object_get(a, "id"));
        if (id && *id && (strcmp(op, "delete") == 0 || strcmp(op, "replace") == 0)) {
            size_t j;
            json_t *b;
            json_array_foreach(bd->actions, j, b)
            {
                if (j == i || strcmp(json_string_value(json_object_get(b, "kind")),
                                     model_kind_name(MODEL_CA_POLICY)) != 0)
                    continue;
                const char *text = ref_text(bd, j);
                if (text && strstr(text, id))
                    json_array_append_new(deps, json_integer((json_int_t)j));
            }
        }
        json_object_set_new(a, "dependsOn", deps);
    }
    json_decref(creators);
}

/* ---- fingerprints of what the plan read ---- */

static void record_reads(struct builder *bd)
{
    for (size_t i = 0; i < bd->m->n; i++) {
        struct resolve_object *ro = &bd->r->v[i];
        enum model_kind k = ro->obj->kind;
        int nk = plan_nk(k);
        if (nk < 0)
            continue;
        const char *w = normalize_kind_name((enum normalize_kind)nk);
        if (ro->current_id) {
            char *path = k == MODEL_AUTHORIZATION_POLICY || k == MODEL_SECURITY_DEFAULTS ||
                                 k == MODEL_AUTH_METHODS_POLICY || k == MODEL_ADMIN_CONSENT
                             ? xstrdup(model_kind_path(k))
                             : xasprintf("%s/%s", item_base(k), ro->current_id);
            add_read_sha(bd, path, ro->obj->name, w, ro->current, bd->sha ? bd->sha[i] : NULL);
            free(path);
            const char *rel[2] = {"members", "owners"};
            const json_t *have[2] = {ro->current_members, ro->current_owners};
            for (int r = 0; r < 2 && k == MODEL_GROUP; r++) {
                if (!have[r])
                    continue;
                char *p = xasprintf("groups/%s/%s", ro->current_id, rel[r]);
                add_read(bd, p, ro->obj->name, "ids", have[r]);
                free(p);
            }
        } else if (resolve_tenant_kind(k) != TK__COUNT) {
            json_t *r = json_object();
            json_object_set_new(r, "path", json_string(model_kind_path(k)));
            json_object_set_new(r, "name", json_string(ro->obj->name));
            json_object_set_new(r, "absent", json_true());
            json_array_append_new(bd->reads, r);
        }
    }
    /* the membership of the collections the plan manages */
    static const enum tenant_kind kinds[] = {TK_POLICY, TK_LOCATION, TK_STRENGTH};
    for (size_t k = 0; k < IDPC_ARRAY_LEN(kinds); k++) {
        json_t *ids = json_array();
        const struct tenant_index *x = &bd->t->idx[kinds[k]];
        for (size_t i = 0; i < x->n; i++)
            json_array_append_new(ids, json_string(x->v[i].id));
        json_t *r = add_read(bd, tenant_kind_path(kinds[k]), NULL, "ids", ids);
        json_object_set_new(r, "ids", ids);
    }
}

/* ---- the lockout guard's inputs (runtime/lockout.h) ---- */

/* The emergency-access identities with what they can satisfy, recorded in the plan so that
 * `idpc apply PLAN.json` can check the plan again. */
static json_t *emergency_json(struct builder *bd)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(bd->r->emergency, i, e)
    {
        const json_t *decl = json_array_get(bd->m->emergency_access, i);
        json_t *sat = json_object_get(decl, "satisfies");
        json_array_append_new(
            out,
            json_pack("{s:O?,s:O?,s:O?,s:o,s:O?}", "kind", json_object_get(e, "kind"), "id",
                      json_object_get(e, "id"), "name", json_object_get(e, "name"), "satisfies",
                      sat ? json_incref(sat) : json_array(), "at", json_object_get(e, "at")));
    }
    return out;
}

/* {policy id or "$new:" token: "file:line:col"} for every policy the configuration declares. */
static json_t *policy_locations(struct builder *bd)
{
    json_t *out = json_object();
    for (size_t i = 0; i < bd->m->n; i++) {
        struct resolve_object *ro = &bd->r->v[i];
        if (ro->obj->kind != MODEL_CA_POLICY)
            continue;
        char *at = loc_at(bd, ro->obj->loc);
        char *tok = ro->token ? xstrdup(ro->token)
                              : resolve_new_token(ref_kind(MODEL_CA_POLICY), ro->obj->name);
        if (at) {
            if (ro->current_id)
                json_object_set_new(out, ro->current_id, json_string(at));
            json_object_set_new(out, tok, json_string(at));
        }
        free(tok);
        free(at);
    }
    return out;
}

/* ---- Entra's limits ---- */

/* Tenant-wide limits that a plan can cross by creating objects. Microsoft Learn: "Microsoft Entra
 * service limits and restrictions" and "Conditional Access: Plan a deployment" (195 Conditional
 * Access policies); "Network location in Conditional Access policies"
 * (learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network: "Configure up
 * to 195 named locations", "up to 2000 IP ranges per named location" — the latter and the /8 mask
 * limit are checked by the compiler, compiler/lower_location.c). */
#define PLAN_LIMIT_CA_POLICIES     195
#define PLAN_LIMIT_NAMED_LOCATIONS 195

/* Creates run before deletes (phases 2 and 4 before 6 and 8: create-before-destroy), so during
 * apply the tenant holds its objects plus every object the plan creates before any of its
 * deletions frees a place: the count that must stay within the limit. The error is at the
 * declaration whose creation crosses it. */
static bool check_limit(struct builder *bd, enum model_kind kind, size_t existing, size_t limit,
                        const char *what, const char *whats, const char *page)
{
    size_t creates = 0;
    size_t i;
    json_t *a;
    json_array_foreach(bd->actions, i, a)
    {
        const char *op = json_string_value(json_object_get(a, "op"));
        if (strcmp(json_string_value(json_object_get(a, "kind")), model_kind_name(kind)) != 0 ||
            (strcmp(op, "create") != 0 && strcmp(op, "replace") != 0))
            continue;
        creates++;
        if (existing + creates <= limit)
            continue;
        struct loc at = diag_loc_from_string(bd->diag, json_string_value(json_object_get(a, "at")));
        diag_error(bd->diag, at,
                   "%s \"%s\" would be %s %zu of the tenant: Microsoft Entra allows at most %zu "
                   "(%s)",
                   plan_kind_word(kind), json_string_value(json_object_get(a, "name")), what,
                   existing + creates, limit, page);
        diag_note(bd->diag, at,
                  "the tenant has %zu %s and the plan creates %s before it deletes any "
                  "(creations run before deletions): delete or merge %s first, in an apply of "
                  "its own",
                  existing, existing == 1 ? what : whats, "its new ones", whats);
        return false;
    }
    return true;
}

static bool check_limits(struct builder *bd)
{
    bool ok = check_limit(bd, MODEL_CA_POLICY, bd->t->idx[TK_POLICY].n, PLAN_LIMIT_CA_POLICIES,
                          "Conditional Access policy", "Conditional Access policies",
                          "Microsoft Learn, \"Microsoft Entra service limits and restrictions\"");
    ok &= check_limit(bd, MODEL_NAMED_LOCATION, bd->t->idx[TK_LOCATION].n,
                      PLAN_LIMIT_NAMED_LOCATIONS, "named location", "named locations",
                      "Microsoft Learn, \"Network location in Conditional Access policies\"");
    return ok;
}

/* ---- the whole plan ---- */

static bool check_tenant(struct builder *bd)
{
    struct backend_error err;
    if (backend_identity(bd->b, &err) != 0) {
        diag_error(bd->diag, DIAG_LOC_NONE, "%s", err.message);
        return false;
    }
    if (bd->m->tenant && !backend_is_tenant(bd->b, bd->m->tenant)) {
        diag_error(bd->diag, bd->m->tenant_loc,
                   "this configuration is for tenant \"%s\", but %s is tenant %s (%s)",
                   bd->m->tenant, bd->b->display,
                   bd->b->default_domain ? bd->b->default_domain : "?", bd->b->tenant_id);
        struct strbuf sb = STRBUF_INIT;
        for (size_t i = 0; i < bd->b->ndomains; i++)
            strbuf_addf(&sb, "%s%s", i ? ", " : "", bd->b->domains[i]);
        diag_note(bd->diag, bd->m->tenant_loc,
                  "the tenant's id is %s and its verified domains are: %s; refusing to plan "
                  "against another tenant",
                  bd->b->tenant_id, sb.len ? strbuf_str(&sb) : "(none)");
        strbuf_fini(&sb);
        return false;
    }
    return true;
}

static void loc_stubs_free(struct builder *bd)
{
    for (size_t i = 0; bd->loc_stubs && i < bd->t->idx[TK_LOCATION].n; i++)
        json_decref(bd->loc_stubs[i]);
    free(bd->loc_stubs);
    bd->loc_stubs = NULL;
}

static void summarise(json_t *plan)
{
    struct plan_summary s;
    plan_summary(plan, &s);
    json_object_set_new(plan, "summary",
                        json_pack("{s:i,s:i,s:i,s:i,s:i}", "create", s.create, "update", s.update,
                                  "replace", s.replace, "delete", s.del, "unmanaged", s.unmanaged));
}

json_t *plan_build(struct model *m, struct diag_ctx *diag, struct backend *b,
                   const struct plan_options *opts)
{
    struct builder bd = {.m = m, .diag = diag, .b = b};
    bool reads = !(opts && opts->no_reads); /* record_reads, and the fingerprints it takes */
    bool no_free = opts && opts->no_free;
    strmap_init(&bd.context_users, true);
    struct tenant t;
    struct resolve r;
    memset(&r, 0, sizeof(r));
    json_t *plan = NULL;
    bool have_tenant = false;
    if (!check_tenant(&bd))
        goto out;
    struct backend_error err;
    /* A directory-backed tenant (graph:) then looks up only what the model names. */
    if (backend_want_model(b, m, &err) != 0) {
        diag_error(diag, DIAG_LOC_NONE, "%s", err.message);
        goto out;
    }
    if (tenant_load(&t, b, &err) != 0) {
        diag_error(diag, DIAG_LOC_NONE, "%s", err.message);
        tenant_free(&t);
        goto out;
    }
    have_tenant = true;
    bd.t = &t;
    bd.r = &r;
    if (resolve_run(&r, m, diag, &t) != 0)
        goto out;
    /* Show objects by the names the configuration gives them (renames, case fixes). */
    for (size_t i = 0; i < m->n; i++) {
        enum tenant_kind tk = resolve_tenant_kind(r.v[i].obj->kind);
        if (tk < TK__COUNT && r.v[i].current_id && !r.v[i].replace)
            tenant_set_display_at(&t, tk, resolve_current_at(&r, &r.v[i]), r.v[i].obj->name);
    }
    bd.actions = json_array();
    bd.refs = json_array();
    bd.reads = json_array();
    bd.unmanaged = json_array();
    bd.warnings = json_array();
    bd.notes = json_deep_copy(r.notes);
    bd.sha = reads ? xcalloc(m->n ? m->n : 1, sizeof(*bd.sha)) : NULL;
    bd.stubs_early = !reads;
    collect_context_users(&bd);
    for (size_t i = 0; i < m->n; i++) {
        struct resolve_object *ro = &r.v[i];
        if (ro->obj->kind == MODEL_ASSERTION) {
            check_assertion(&bd, ro->obj);
            continue;
        }
        if (ro->case_only) {
            char *at = loc_at(&bd, ro->obj->loc);
            char *msg = xasprintf("%s \"%s\" matched \"%s\" in the tenant (the case differs); "
                                  "the name is updated",
                                  plan_kind_word(ro->obj->kind), ro->obj->name, ro->current_name);
            json_array_append_new(bd.notes, json_pack("{s:s?,s:s}", "at", at, "message", msg));
            free(msg);
            free(at);
        }
        if (ro->current_id)
            plan_matched(&bd, ro); /* thaws a frozen body only when it plans it */
        else if (plan_nk(ro->obj->kind) >= 0 && ro->obj->kind != MODEL_AUTH_METHOD_CONFIG &&
                 ro->obj->kind != MODEL_AUTHORIZATION_POLICY &&
                 ro->obj->kind != MODEL_AUTH_METHODS_POLICY && ro->obj->kind != MODEL_ROLE_POLICY &&
                 ro->obj->kind != MODEL_GROUP_PIM_POLICY &&
                 ro->obj->kind != MODEL_SECURITY_DEFAULTS && ro->obj->kind != MODEL_ADMIN_CONSENT &&
                 ro->obj->kind != MODEL_ONPREM_SYNC) {
            resolve_thaw(ro);
            plan_create(&bd, ro, "create", NULL);
        }
        if (opts && opts->release_bodies) {
            /* planned: its requests hold copies of what they send */
            json_decref(ro->body);
            ro->body = NULL;
            model_body_drop(ro->obj);
        } else {
            resolve_release(ro);
        }
    }
    collect_unmanaged(&bd);
    if (bd.failed)
        goto out;
    order_actions(&bd);
    if (!check_limits(&bd))
        goto out;

    plan = json_object();
    json_object_set_new(plan, "format", json_string(PLAN_FORMAT));
    json_t *paths = json_array();
    for (size_t i = 0; opts && i < opts->npaths; i++)
        json_array_append_new(paths, json_string(opts->paths[i]));
    json_object_set_new(plan, "config",
                        json_pack("{s:o,s:s?}", "paths", paths, "tenant", m->tenant));
    json_object_set_new(plan, "tenant",
                        json_pack("{s:s,s:s?,s:s?,s:s}", "id", b->tenant_id, "domain",
                                  b->default_domain, "cloud", b->cloud, "backend", b->reopen));
    json_object_set_new(plan, "emergencyAccess", emergency_json(&bd));
    json_object_set_new(plan, "summary", json_object());
    json_object_set_new(plan, "actions", bd.actions);
    json_object_set_new(plan, "unmanaged", bd.unmanaged);
    json_t *more = json_object();
    for (int k = 0; k < MODEL__COUNT; k++)
        if (bd.unmanaged_count[k] > PLAN_UNMANAGED_LISTED)
            json_object_set_new(
                more, model_kind_name((enum model_kind)k),
                json_integer((json_int_t)(bd.unmanaged_count[k] - PLAN_UNMANAGED_LISTED)));
    json_object_set_new(plan, "unmanagedMore", more);
    json_object_set_new(plan, "notes", bd.notes);
    json_object_set_new(plan, "warnings", bd.warnings);
    /* filled by record_reads once the analysis below has released its states: a read each
     * declared object (22,000 at the benchmark's 10x declared point) need not be alive with them */
    json_object_set(plan, "reads", bd.reads);
    bd.actions = bd.unmanaged = bd.notes = bd.warnings = NULL;
    summarise(plan);
    json_t *policy_at = policy_locations(&bd);
    struct lockout_states *states = lockout_states_new_with(plan, &t, 0, bd.loc_stubs);
    loc_stubs_free(&bd);
    json_t *lockout = lockout_analyse_states(states, policy_at);
    lockout_record(plan, lockout);
    json_decref(lockout);
    /* The plan's peak is the impact section's, on top of what is alive here: the pages the
     * diff and the states' building freed go back to the system first (malloc_trim releases
     * every whole free page, not only the heap's top), so that the peak is not theirs too. */
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
    if (opts && opts->impact)
        plan_impact(plan, &t, states);
    if (reads || !no_free)
        lockout_states_free(states);
    json_decref(policy_at);
    if (reads)
        record_reads(&bd);
out:
    if (have_tenant && tenant_fault(&t)) { /* an object it holds could not be read again */
        diag_error(diag, DIAG_LOC_NONE, "%s", tenant_fault(&t));
        json_decref(plan);
        plan = NULL;
    }
    loc_stubs_free(&bd);
    unmanaged_marks_free(&bd);
    for (size_t i = 0; bd.sha && i < m->n; i++)
        free(bd.sha[i]);
    free(bd.sha);
    strmap_fini(&bd.context_users);
    json_decref(bd.actions);
    json_decref(bd.refs);
    json_decref(bd.reads);
    json_decref(bd.unmanaged);
    json_decref(bd.warnings);
    json_decref(bd.notes);
    if (no_free)
        return plan; /* the tenant and the resolved objects go with the process */
    resolve_fini(&r);
    if (have_tenant)
        tenant_free(&t);
    return plan;
}

void plan_summary(const json_t *plan, struct plan_summary *s)
{
    memset(s, 0, sizeof(*s));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        const char *op = json_string_value(json_object_get(a, "op"));
        if (!op)
            continue;
        if (strcmp(op, "create") == 0)
            s->create++;
        else if (strcmp(op, "update") == 0)
            s->update++;
        else if (strcmp(op, "replace") == 0)
            s->replace++;
        else if (strcmp(op, "delete") == 0)
            s->del++;
    }
    json_array_foreach(json_object_get(plan, "unmanaged"), i, a)
    {
        if (!json_is_true(json_object_get(a, "delete")))
            s->unmanaged++;
    }
    const char *k;
    json_object_foreach(json_object_get(plan, "unmanagedMore"), k, a)
    {
        s->unmanaged += (unsigned)json_integer_value(a);
    }
}

bool plan_has_changes(const json_t *plan)
{
    return json_array_size(json_object_get(plan, "actions")) > 0;
}
