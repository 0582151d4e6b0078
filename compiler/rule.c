/* rule.c — Entra rule language: AST nodes, the property tables per target, and the checker.
 * The grammar (grammar/rule_*.{l,y}) builds the tree; rule_parse() then resolves every property
 * against the target's table and rejects operators and values Entra would reject. Sources for
 * every table entry are in docs/rules.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler/rule_int.h"
#include "compiler/suggest.h"

/* ---- operators ------------------------------------------------------------------------------ */

static const char *const op_names[RULE_OP_COUNT_] = {
    [RULE_OP_EQ] = "-eq",
    [RULE_OP_NE] = "-ne",
    [RULE_OP_STARTS_WITH] = "-startsWith",
    [RULE_OP_NOT_STARTS_WITH] = "-notStartsWith",
    [RULE_OP_ENDS_WITH] = "-endsWith",
    [RULE_OP_NOT_ENDS_WITH] = "-notEndsWith",
    [RULE_OP_CONTAINS] = "-contains",
    [RULE_OP_NOT_CONTAINS] = "-notContains",
    [RULE_OP_MATCH] = "-match",
    [RULE_OP_NOT_MATCH] = "-notMatch",
    [RULE_OP_IN] = "-in",
    [RULE_OP_NOT_IN] = "-notIn",
    [RULE_OP_ANY] = "-any",
    [RULE_OP_ALL] = "-all",
};

/* Every operator word, for lookup and for did-you-mean. */
static const char *const all_op_words[] = {
    "-eq",          "-ne",       "-startsWith",  "-notStartsWith", "-endsWith",
    "-notEndsWith", "-contains", "-notContains", "-match",         "-notMatch",
    "-in",          "-notIn",    "-any",         "-all",           "-and",
    "-or",          "-not",
};

const char *rule_op_name(enum rule_op op)
{
    return (unsigned)op < RULE_OP_COUNT_ ? op_names[op] : "?";
}

int rule_op_lookup(const char *word, size_t len)
{
    if (len > 0 && word[0] == '-') {
        word++;
        len--;
    }
    for (size_t i = 0; i < IDPC_ARRAY_LEN(all_op_words); i++) {
        const char *w = all_op_words[i] + 1;
        if (strlen(w) == len && strncasecmp(w, word, len) == 0) {
            if (i < RULE_OP_COUNT_)
                return (int)i;
            return RULE_WORD_AND - (int)(i - RULE_OP_COUNT_);
        }
    }
    return -1;
}

void rule_error_set(struct rule_parse_state *ps, size_t start, size_t end, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    ps->err->start = start;
    ps->err->end = end;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
    va_end(ap);
}

void rule_error_unknown_op(struct rule_parse_state *ps, size_t start, size_t end)
{
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)(end - start), ps->text + start);
    const char *best = suggest_best(word, all_op_words, IDPC_ARRAY_LEN(all_op_words));
    if (best)
        rule_error_set(ps, start, end, "unknown operator '%s'; did you mean '%s'?", word, best);
    else
        rule_error_set(ps, start, end, "unknown operator '%s'", word);
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static struct rule_expr *node_new(enum rule_node kind, struct rule_loc loc)
{
    struct rule_expr *e = xcalloc(1, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    return e;
}

struct rule_expr *rule_node_bin(enum rule_node kind, struct rule_expr *l, struct rule_expr *r,
                                struct rule_loc loc)
{
    struct rule_expr *e = node_new(kind, loc);
    e->lhs = l;
    e->rhs = r;
    return e;
}

struct rule_expr *rule_node_not(struct rule_expr *inner, struct rule_loc loc)
{
    struct rule_expr *e = node_new(RULE_NODE_NOT, loc);
    e->lhs = inner;
    return e;
}

struct rule_expr *rule_node_cmp(char *prop, struct rule_loc prop_loc, enum rule_op op,
                                struct rule_loc op_loc, struct rule_value *v, struct rule_loc loc)
{
    struct rule_expr *e = node_new(RULE_NODE_CMP, loc);
    e->prop = prop;
    e->prop_loc = prop_loc;
    e->op = op;
    e->op_loc = op_loc;
    e->value = *v;
    free(v);
    return e;
}

struct rule_expr *rule_node_quant(char *prop, struct rule_loc prop_loc, enum rule_op op,
                                  struct rule_loc op_loc, struct rule_expr *body,
                                  struct rule_loc loc)
{
    struct rule_expr *e = node_new(RULE_NODE_QUANT, loc);
    e->prop = prop;
    e->prop_loc = prop_loc;
    e->op = op;
    e->op_loc = op_loc;
    e->rhs = body;
    return e;
}

struct rule_expr *rule_node_direct_reports(struct rule_value *id, struct rule_loc loc)
{
    struct rule_expr *e = node_new(RULE_NODE_DIRECT_REPORTS, loc);
    e->value = *id;
    free(id);
    return e;
}

struct rule_value *rule_value_scalar(enum rule_value_kind kind, char *s, size_t len, bool b,
                                     struct rule_loc loc)
{
    struct rule_value *v = xcalloc(1, sizeof *v);
    v->kind = kind;
    v->s = s;
    v->len = len;
    v->b = b;
    v->loc = loc;
    return v;
}

struct rule_value *rule_value_list_new(struct rule_loc loc)
{
    return rule_value_scalar(RULE_VALUE_LIST, NULL, 0, false, loc);
}

void rule_value_list_push(struct rule_value *list, struct rule_value *item)
{
    list->items = xrealloc(list->items, (list->n_items + 1) * sizeof *list->items);
    list->items[list->n_items++] = *item;
    free(item);
}

void rule_value_fini(struct rule_value *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n_items; i++)
        rule_value_fini(&v->items[i]);
    free(v->items);
}

void rule_value_free(struct rule_value *v)
{
    if (!v)
        return;
    rule_value_fini(v);
    free(v);
}

void rule_free(struct rule_expr *e)
{
    if (!e)
        return;
    rule_free(e->lhs);
    rule_free(e->rhs);
    free(e->prop);
    free(e->canon);
    rule_value_fini(&e->value);
    if (e->re) {
        regfree(e->re);
        free(e->re);
    }
    free(e);
}

/* ---- property tables (docs/rules.md cites the source of each) -------------------------------- */

#define OP(x)      (1u << RULE_OP_##x)
#define OPS_STRING RULE_OPS_COMPARE
#define OPS_BOOL   (OP(EQ) | OP(NE))
#define OPS_COLL   (RULE_OPS_COMPARE | OP(ANY) | OP(ALL))
#define OPS_QUANT  (OP(ANY) | OP(ALL))
#define OPS_MEMBER OP(ANY)
/* Device filters list their operators per property; -match is not among them. */
#define OPS_F_EQ (OP(EQ) | OP(NE))
#define OPS_F_ID (OP(EQ) | OP(NE) | OP(IN) | OP(NOT_IN))
#define OPS_F_STR                                                                                  \
    (OP(EQ) | OP(NE) | OP(STARTS_WITH) | OP(NOT_STARTS_WITH) | OP(ENDS_WITH) | OP(NOT_ENDS_WITH) | \
     OP(CONTAINS) | OP(NOT_CONTAINS) | OP(IN) | OP(NOT_IN))
#define OPS_F_COLL (OP(CONTAINS) | OP(NOT_CONTAINS))

struct rule_prop {
    const char *name;
    enum rule_type type;
    unsigned ops;
};

#define EXT_ATTR(n, ops)                                                                           \
    {                                                                                              \
        "extensionAttribute" #n, RULE_TYPE_STRING, ops                                             \
    }
/* clang-format off */
#define EXT_ATTRS(ops)                                                                             \
    EXT_ATTR(1, ops), EXT_ATTR(2, ops), EXT_ATTR(3, ops), EXT_ATTR(4, ops), EXT_ATTR(5, ops),      \
    EXT_ATTR(6, ops), EXT_ATTR(7, ops), EXT_ATTR(8, ops), EXT_ATTR(9, ops), EXT_ATTR(10, ops),     \
    EXT_ATTR(11, ops), EXT_ATTR(12, ops), EXT_ATTR(13, ops), EXT_ATTR(14, ops), EXT_ATTR(15, ops)
/* clang-format on */

static const struct rule_prop user_props[] = {
    {"accountEnabled", RULE_TYPE_BOOL, OPS_BOOL},
    {"dirSyncEnabled", RULE_TYPE_BOOL, OPS_BOOL},
    {"city", RULE_TYPE_STRING, OPS_STRING},
    {"country", RULE_TYPE_STRING, OPS_STRING},
    {"companyName", RULE_TYPE_STRING, OPS_STRING},
    {"department", RULE_TYPE_STRING, OPS_STRING},
    {"displayName", RULE_TYPE_STRING, OPS_STRING},
    {"employeeId", RULE_TYPE_STRING, OPS_STRING},
    {"facsimileTelephoneNumber", RULE_TYPE_STRING, OPS_STRING},
    {"givenName", RULE_TYPE_STRING, OPS_STRING},
    {"jobTitle", RULE_TYPE_STRING, OPS_STRING},
    {"mail", RULE_TYPE_STRING, OPS_STRING},
    {"mailNickName", RULE_TYPE_STRING, OPS_STRING},
    {"mobile", RULE_TYPE_STRING, OPS_STRING},
    {"objectId", RULE_TYPE_STRING, OPS_STRING},
    {"onPremisesDistinguishedName", RULE_TYPE_STRING, OPS_STRING},
    {"onPremisesSecurityIdentifier", RULE_TYPE_STRING, OPS_STRING},
    {"passwordPolicies", RULE_TYPE_STRING, OPS_STRING},
    {"physicalDeliveryOfficeName", RULE_TYPE_STRING, OPS_STRING},
    {"postalCode", RULE_TYPE_STRING, OPS_STRING},
    {"preferredLanguage", RULE_TYPE_STRING, OPS_STRING},
    {"sipProxyAddress", RULE_TYPE_STRING, OPS_STRING},
    {"state", RULE_TYPE_STRING, OPS_STRING},
    {"streetAddress", RULE_TYPE_STRING, OPS_STRING},
    {"surname", RULE_TYPE_STRING, OPS_STRING},
    {"telephoneNumber", RULE_TYPE_STRING, OPS_STRING},
    {"usageLocation", RULE_TYPE_STRING, OPS_STRING},
    {"userPrincipalName", RULE_TYPE_STRING, OPS_STRING},
    {"userType", RULE_TYPE_STRING, OPS_STRING},
    {"otherMails", RULE_TYPE_STRINGS, OPS_COLL},
    {"proxyAddresses", RULE_TYPE_STRINGS, OPS_COLL},
    {"assignedPlans", RULE_TYPE_PLANS, OPS_QUANT},
    {"memberOf", RULE_TYPE_GROUPS, OPS_MEMBER},
    EXT_ATTRS(OPS_STRING),
};

static const struct rule_prop device_props[] = {
    {"accountEnabled", RULE_TYPE_BOOL, OPS_BOOL},
    {"deviceCategory", RULE_TYPE_STRING, OPS_STRING},
    {"deviceId", RULE_TYPE_STRING, OPS_STRING},
    {"deviceManagementAppId", RULE_TYPE_STRING, OPS_STRING},
    {"deviceManufacturer", RULE_TYPE_STRING, OPS_STRING},
    {"deviceModel", RULE_TYPE_STRING, OPS_STRING},
    {"displayName", RULE_TYPE_STRING, OPS_STRING},
    {"deviceOSType", RULE_TYPE_STRING, OPS_STRING},
    {"deviceOSVersion", RULE_TYPE_STRING, OPS_STRING},
    {"deviceOwnership", RULE_TYPE_STRING, OPS_STRING},
    {"devicePhysicalIds", RULE_TYPE_STRINGS, OPS_COLL},
    {"deviceTrustType", RULE_TYPE_STRING, OPS_STRING},
    {"enrollmentProfileName", RULE_TYPE_STRING, OPS_STRING},
    {"isRooted", RULE_TYPE_BOOL, OPS_BOOL},
    {"managementType", RULE_TYPE_STRING, OPS_STRING},
    {"memberOf", RULE_TYPE_GROUPS, OPS_MEMBER},
    {"objectId", RULE_TYPE_STRING, OPS_STRING},
    {"profileType", RULE_TYPE_STRING, OPS_STRING},
    {"systemLabels", RULE_TYPE_STRINGS, OPS_COLL},
    EXT_ATTRS(OPS_STRING),
};

static const struct rule_prop filter_props[] = {
    {"deviceId", RULE_TYPE_STRING, OPS_F_ID},
    {"displayName", RULE_TYPE_STRING, OPS_F_STR},
    {"deviceOwnership", RULE_TYPE_STRING, OPS_F_EQ},
    {"enrollmentProfileName", RULE_TYPE_STRING, OPS_F_STR},
    {"isCompliant", RULE_TYPE_BOOL, OPS_F_EQ},
    {"manufacturer", RULE_TYPE_STRING, OPS_F_STR},
    {"mdmAppId", RULE_TYPE_STRING, OPS_F_ID},
    {"model", RULE_TYPE_STRING, OPS_F_STR},
    {"operatingSystem", RULE_TYPE_STRING, OPS_F_STR},
    {"operatingSystemVersion", RULE_TYPE_STRING, OPS_F_STR},
    {"physicalIds", RULE_TYPE_STRINGS, OPS_F_COLL},
    {"profileType", RULE_TYPE_STRING, OPS_F_EQ},
    {"systemLabels", RULE_TYPE_STRINGS, OPS_F_COLL},
    {"trustType", RULE_TYPE_STRING, OPS_F_EQ},
    EXT_ATTRS(OPS_F_STR),
};

/* Custom security attributes are string or multi-valued string (docs/rules.md). */
static const struct rule_prop csa_prop = {"", RULE_TYPE_STRINGS, OPS_F_STR};
/* user.extension_<appid>_<name>: a string. */
static const struct rule_prop ext_prop = {"", RULE_TYPE_STRING, OPS_STRING};

static const struct rule_prop plan_props[] = {
    {"capabilityStatus", RULE_TYPE_ITEM, OPS_STRING},
    {"service", RULE_TYPE_ITEM, OPS_STRING},
    {"servicePlanId", RULE_TYPE_ITEM, OPS_STRING},
};
static const struct rule_prop group_item = {"objectId", RULE_TYPE_ITEM, OPS_F_ID};
static const struct rule_prop string_item = {"_", RULE_TYPE_ITEM, OPS_STRING};

struct target_info {
    const char *name;
    const char *object; /* "user", "device", "CustomSecurityAttribute" */
    const struct rule_prop *props;
    size_t n_props;
};

static const struct target_info targets[] = {
    [RULE_MEMBERSHIP_USER] = {"user membership rule", "user", user_props,
                              IDPC_ARRAY_LEN(user_props)},
    [RULE_MEMBERSHIP_DEVICE] = {"device membership rule", "device", device_props,
                                IDPC_ARRAY_LEN(device_props)},
    [RULE_DEVICE_FILTER] = {"device filter", "device", filter_props, IDPC_ARRAY_LEN(filter_props)},
    [RULE_APP_FILTER] = {"application filter", "CustomSecurityAttribute", NULL, 0},
};

const char *rule_target_name(enum rule_target t)
{
    return (unsigned)t < IDPC_ARRAY_LEN(targets) ? targets[t].name : "rule";
}

/* ---- checker -------------------------------------------------------------------------------- */

struct check {
    enum rule_target target;
    struct rule_parse_state ps;
    const struct rule_expr *quant; /* the enclosing -any/-all, or NULL */
};

static const struct rule_prop *find_prop(const struct rule_prop *props, size_t n, const char *name,
                                         size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(props[i].name) == len && strncasecmp(props[i].name, name, len) == 0)
            return &props[i];
    return NULL;
}

static void unknown_prop(struct check *c, const struct rule_prop *props, size_t n, const char *what,
                         const char *name, size_t start, size_t end)
{
    struct suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < n; i++)
        suggest_add(&s, props[i].name);
    const char *best = suggest_result(&s);
    if (best)
        rule_error_set(&c->ps, start, end, "unknown %s '%s'; did you mean '%s'?", what, name, best);
    else
        rule_error_set(&c->ps, start, end, "unknown %s '%s'", what, name);
}

static bool is_hex32(const char *s)
{
    for (int i = 0; i < 32; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

/* user.extension_<32 hex>_<name>. */
static bool is_custom_extension(const char *name)
{
    return strncasecmp(name, "extension_", 10) == 0 && strlen(name) > 10 + 32 + 1 &&
           is_hex32(name + 10) && name[42] == '_';
}

/* Names the object prefix the rule text used: "user", "device", .... */
static const char *known_object(const char *obj, size_t len)
{
    static const char *const objs[] = {"user", "device", "CustomSecurityAttribute", "assignedPlan",
                                       "group"};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(objs); i++)
        if (strlen(objs[i]) == len && strncasecmp(objs[i], obj, len) == 0)
            return objs[i];
    return NULL;
}

/* Resolves e->prop: sets canon, key and type, returns the table entry (NULL after an error). */
static const struct rule_prop *resolve_prop(struct check *c, struct rule_expr *e)
{
    const struct target_info *ti = &targets[c->target];
    const char *p = e->prop;
    size_t start = e->prop_loc.start;
    const char *dot = strchr(p, '.');

    if (strcmp(p, "_") == 0) {
        if (!c->quant || c->quant->type != RULE_TYPE_STRINGS) {
            rule_error_set(&c->ps, start, e->prop_loc.end,
                           "'_' stands for an item of a multi-valued string property and is only "
                           "valid inside its -any or -all");
            return NULL;
        }
        e->canon = xstrdup("_");
        e->key = NULL;
        e->type = RULE_TYPE_ITEM;
        return &string_item;
    }
    if (!dot)
        BUG("property without a dot: %s", p);
    size_t olen = (size_t)(dot - p);
    const char *rest = dot + 1;
    size_t rstart = start + olen + 1;
    const char *obj = known_object(p, olen);

    if (c->quant) {
        const struct rule_expr *q = c->quant;
        if (q->type == RULE_TYPE_STRINGS) {
            rule_error_set(&c->ps, start, e->prop_loc.end,
                           "inside %s on '%s' compare the item itself, written '_'",
                           rule_op_name(q->op), q->canon);
            return NULL;
        }
        const char *want = q->type == RULE_TYPE_PLANS ? "assignedPlan" : "group";
        if (!obj || strcmp(obj, want) != 0) {
            rule_error_set(&c->ps, start, start + olen,
                           "inside %s on '%s' the item is '%s', not '%.*s'", rule_op_name(q->op),
                           q->canon, want, (int)olen, p);
            return NULL;
        }
        const struct rule_prop *def = NULL;
        if (q->type == RULE_TYPE_PLANS) {
            def = find_prop(plan_props, IDPC_ARRAY_LEN(plan_props), rest, strlen(rest));
            if (!def) {
                unknown_prop(c, plan_props, IDPC_ARRAY_LEN(plan_props), "assignedPlan property",
                             rest, rstart, e->prop_loc.end);
                return NULL;
            }
        } else {
            def = find_prop(&group_item, 1, rest, strlen(rest));
            if (!def) {
                unknown_prop(c, &group_item, 1, "group property", rest, rstart, e->prop_loc.end);
                return NULL;
            }
        }
        e->canon = xasprintf("%s.%s", want, def->name);
        /* A memberOf item is the group id itself; an assignedPlan item is an object. */
        e->key = q->type == RULE_TYPE_PLANS ? e->canon + strlen(want) + 1 : NULL;
        e->type = RULE_TYPE_ITEM;
        return def;
    }

    if (!obj || strcmp(obj, ti->object) != 0) {
        if (obj && (strcmp(obj, "user") == 0 || strcmp(obj, "device") == 0 ||
                    strcmp(obj, "CustomSecurityAttribute") == 0))
            rule_error_set(&c->ps, start, start + olen, "'%s' properties cannot be used in a %s",
                           obj, ti->name);
        else if (obj)
            rule_error_set(&c->ps, start, start + olen,
                           "'%s' is only valid inside -any or -all on %s", obj,
                           strcmp(obj, "group") == 0 ? "memberOf" : "user.assignedPlans");
        else
            rule_error_set(&c->ps, start, start + olen, "unknown object '%.*s'; a %s uses '%s.'",
                           (int)olen, p, ti->name, ti->object);
        return NULL;
    }

    if (c->target == RULE_APP_FILTER) {
        /* CustomSecurityAttribute.<set>_<attribute> (Graph's form) or <set>.<attribute>. */
        const char *us = strchr(rest, '_');
        const char *d2 = strchr(rest, '.');
        bool ok = (d2 && !strchr(d2 + 1, '.')) || (!d2 && us && us != rest && us[1] != '\0');
        if (!ok) {
            rule_error_set(&c->ps, rstart, e->prop_loc.end,
                           "custom security attribute '%s' must be written "
                           "'CustomSecurityAttribute.<set>_<attribute>'",
                           rest);
            return NULL;
        }
        e->canon = xasprintf("CustomSecurityAttribute.%s", rest);
        e->key = e->canon + strlen("CustomSecurityAttribute.");
        e->type = csa_prop.type;
        e->exact_contains = true;
        return &csa_prop;
    }

    const char *what = c->target == RULE_DEVICE_FILTER     ? "device filter property"
                       : c->target == RULE_MEMBERSHIP_USER ? "user property"
                                                           : "device property";
    if (strchr(rest, '.')) {
        unknown_prop(c, ti->props, ti->n_props, what, rest, rstart, e->prop_loc.end);
        return NULL;
    }
    const struct rule_prop *def = find_prop(ti->props, ti->n_props, rest, strlen(rest));
    if (!def && c->target == RULE_MEMBERSHIP_USER && strncasecmp(rest, "extension_", 10) == 0) {
        if (!is_custom_extension(rest)) {
            rule_error_set(&c->ps, rstart, e->prop_loc.end,
                           "custom extension property '%s' must be written "
                           "'extension_<application id without dashes>_<name>'",
                           rest);
            return NULL;
        }
        e->canon = xasprintf("user.%s", rest);
        e->key = e->canon + 5;
        e->type = RULE_TYPE_STRING;
        return &ext_prop;
    }
    if (!def) {
        unknown_prop(c, ti->props, ti->n_props, what, rest, rstart, e->prop_loc.end);
        return NULL;
    }
    e->canon = xasprintf("%s.%s", ti->object, def->name);
    e->key = e->canon + strlen(ti->object) + 1;
    e->type = def->type;
    e->exact_contains = c->target == RULE_DEVICE_FILTER && def->type == RULE_TYPE_STRINGS;
    return def;
}

static void allowed_ops(unsigned ops, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int op = 0; op < RULE_OP_COUNT_; op++) {
        if (!(ops & (1u << op)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", op_names[op]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static const char *type_name(enum rule_type t)
{
    switch (t) {
    case RULE_TYPE_BOOL:
        return "boolean";
    case RULE_TYPE_STRINGS:
        return "multi-valued";
    case RULE_TYPE_PLANS:
        return "multi-valued";
    case RULE_TYPE_GROUPS:
        return "group membership";
    case RULE_TYPE_STRING:
    case RULE_TYPE_ITEM:
        break;
    }
    return "string";
}

static bool check_op(struct check *c, const struct rule_expr *e, const struct rule_prop *def)
{
    if (def->ops & (1u << e->op))
        return true;
    char buf[160];
    allowed_ops(def->ops, buf, sizeof buf);
    const char *where = c->target == RULE_DEVICE_FILTER ? " in a device filter"
                        : c->target == RULE_APP_FILTER  ? " in an application filter"
                                                        : "";
    const char *what = c->target == RULE_APP_FILTER ? "custom security attribute" : "property";
    rule_error_set(&c->ps, e->op_loc.start, e->op_loc.end,
                   "operator '%s' is not valid for %s%s%s '%s'%s; use %s", rule_op_name(e->op),
                   c->target == RULE_APP_FILTER ? "" : type_name(e->type),
                   c->target == RULE_APP_FILTER ? "" : " ", what, e->canon, where, buf);
    return false;
}

static bool is_bool_word(const struct rule_value *v)
{
    return v->kind == RULE_VALUE_STRING &&
           (strcasecmp(v->s, "true") == 0 || strcasecmp(v->s, "false") == 0);
}

static bool check_scalar(struct check *c, const struct rule_expr *e, const struct rule_value *v)
{
    if (e->type == RULE_TYPE_BOOL) {
        if (v->kind == RULE_VALUE_BOOL || v->kind == RULE_VALUE_NULL || is_bool_word(v))
            return true;
        rule_error_set(&c->ps, v->loc.start, v->loc.end,
                       "'%s' is a boolean; compare it with true or false", e->canon);
        return false;
    }
    if (v->kind == RULE_VALUE_BOOL) {
        rule_error_set(&c->ps, v->loc.start, v->loc.end,
                       "'%s' holds strings; write the value in double quotes", e->canon);
        return false;
    }
    return true;
}

static bool check_value(struct check *c, struct rule_expr *e)
{
    struct rule_value *v = &e->value;
    bool list_op = e->op == RULE_OP_IN || e->op == RULE_OP_NOT_IN;
    if (list_op) {
        if (v->kind != RULE_VALUE_LIST) {
            rule_error_set(&c->ps, v->loc.start, v->loc.end,
                           "'%s' needs a list of values, such as [\"a\", \"b\"]",
                           rule_op_name(e->op));
            return false;
        }
        if (v->n_items == 0) {
            rule_error_set(&c->ps, v->loc.start, v->loc.end, "empty list");
            return false;
        }
        for (size_t i = 0; i < v->n_items; i++) {
            const struct rule_value *it = &v->items[i];
            if (it->kind == RULE_VALUE_NULL) {
                rule_error_set(&c->ps, it->loc.start, it->loc.end,
                               "null cannot be a list item; compare with -eq null instead");
                return false;
            }
            if (!check_scalar(c, e, it))
                return false;
        }
        return true;
    }
    if (v->kind == RULE_VALUE_LIST) {
        rule_error_set(&c->ps, v->loc.start, v->loc.end,
                       "a list of values needs -in or -notIn, not '%s'", rule_op_name(e->op));
        return false;
    }
    if (v->kind == RULE_VALUE_NULL && e->op != RULE_OP_EQ && e->op != RULE_OP_NE) {
        rule_error_set(&c->ps, v->loc.start, v->loc.end,
                       "null can only be compared with -eq or -ne");
        return false;
    }
    if (!check_scalar(c, e, v))
        return false;
    if (e->op == RULE_OP_MATCH || e->op == RULE_OP_NOT_MATCH) {
        if (v->kind == RULE_VALUE_NULL) /* unreachable: null was rejected above */
            return false;
        e->re = xmalloc(sizeof *e->re);
        int rc = regcomp(e->re, v->s, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, e->re, why, sizeof why);
            free(e->re);
            e->re = NULL;
            rule_error_set(&c->ps, v->loc.start, v->loc.end, "invalid regular expression: %s", why);
            return false;
        }
    }
    return true;
}

static bool is_guid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != sizeof shape - 1)
        return false;
    for (size_t i = 0; shape[i]; i++) {
        char ch = s[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (shape[i] == '-' ? ch != '-' : !hex)
            return false;
    }
    return true;
}

static bool check_node(struct check *c, struct rule_expr *e)
{
    switch (e->kind) {
    case RULE_NODE_AND:
    case RULE_NODE_OR:
        return check_node(c, e->lhs) && check_node(c, e->rhs);
    case RULE_NODE_NOT:
        return check_node(c, e->lhs);
    case RULE_NODE_DIRECT_REPORTS:
        if (c->target != RULE_MEMBERSHIP_USER) {
            rule_error_set(&c->ps, e->loc.start, e->value.loc.start,
                           "'Direct Reports for' is only valid in a user membership rule");
            return false;
        }
        if (e->value.kind != RULE_VALUE_STRING || !is_guid(e->value.s)) {
            rule_error_set(&c->ps, e->value.loc.start, e->value.loc.end,
                           "'Direct Reports for' needs the manager's object id in quotes");
            return false;
        }
        return true;
    case RULE_NODE_QUANT: {
        if (c->quant) {
            rule_error_set(&c->ps, e->op_loc.start, e->op_loc.end,
                           "'%s' cannot be nested inside another -any or -all",
                           rule_op_name(e->op));
            return false;
        }
        const struct rule_prop *def = resolve_prop(c, e);
        if (!def || !check_op(c, e, def))
            return false;
        c->quant = e;
        bool ok = check_node(c, e->rhs);
        c->quant = NULL;
        return ok;
    }
    case RULE_NODE_CMP: {
        const struct rule_prop *def = resolve_prop(c, e);
        if (!def)
            return false;
        if (e->op == RULE_OP_ANY || e->op == RULE_OP_ALL)
            BUG("quantifier in a comparison node");
        return check_op(c, e, def) && check_value(c, e);
    }
    }
    BUG("unknown rule node %d", (int)e->kind);
}

struct rule_expr *rule_parse(const char *text, size_t len, enum rule_target t,
                             struct rule_error *err)
{
    struct check c = {.target = t, .ps = {.text = text, .len = len, .err = err}};
    struct rule_expr *e = NULL;
    memset(err, 0, sizeof *err);
    if ((unsigned)t >= IDPC_ARRAY_LEN(targets))
        BUG("bad rule target %d", (int)t);
    if (len > RULE_MAX_LEN) {
        rule_error_set(&c.ps, RULE_MAX_LEN, len, "rule is longer than %d characters", RULE_MAX_LEN);
        goto out;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        size_t at = (size_t)(nul - text);
        rule_error_set(&c.ps, at, at + 1, "unexpected byte 0x00");
        goto out;
    }
    size_t i = 0;
    while (i < len && strchr(" \t\r\n\f\v", text[i]))
        i++;
    if (i == len) {
        rule_error_set(&c.ps, 0, len, "empty rule");
        goto out;
    }
    e = rule_syntax_parse(text, len, err);
    if (!e)
        goto out;
    if (!check_node(&c, e)) {
        rule_free(e);
        e = NULL;
    }
out:
    return e;
}

static void foreach_prop(const struct rule_expr *e, void (*fn)(const char *, void *), void *arg)
{
    if (!e)
        return;
    if ((e->kind == RULE_NODE_CMP || e->kind == RULE_NODE_QUANT) && e->canon)
        fn(e->canon, arg);
    foreach_prop(e->lhs, fn, arg);
    foreach_prop(e->rhs, fn, arg);
}

void rule_foreach_property(const struct rule_expr *e, void (*fn)(const char *prop, void *arg),
                           void *arg)
{
    foreach_prop(e, fn, arg);
}
