/* rule.h — the Entra rule language: dynamic membership rules, device filters, app filters.
 * Ownership: rule_parse() returns an AST that belongs to the caller and is freed with rule_free();
 * rule_to_string() returns a heap string the caller frees; all arguments are borrowed. */
#ifndef IDPC_RULE_H
#define IDPC_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Where a rule is used; each target has its own property table (docs/rules.md). */
enum rule_target {
    RULE_MEMBERSHIP_USER,   /* group membershipRule, users:   user.department -eq "Sales" */
    RULE_MEMBERSHIP_DEVICE, /* group membershipRule, devices: device.deviceOSType -eq "iOS" */
    RULE_DEVICE_FILTER,     /* CA conditions.devices.deviceFilter.rule */
    RULE_APP_FILTER,        /* CA conditions.applications.applicationFilter.rule */
};

/* Maximum rule length Entra accepts (membership rules and CA filters alike). */
#define RULE_MAX_LEN 3072

/* The first error of a rule. start/end are byte offsets into the rule text, end exclusive:
 * unknown property -> the property name after the dot (the object prefix when that is wrong);
 * operator not valid for the property -> the operator; bad value -> the value;
 * unterminated string -> the opening quote; unexpected token -> that token
 * (start == end == len at the end of the rule). */
struct rule_error {
    size_t start, end;
    char message[256];
};

struct rule_expr;

/* Parses and checks a rule for target t. Returns NULL with *err filled on the first error. */
struct rule_expr *rule_parse(const char *text, size_t len, enum rule_target t,
                             struct rule_error *err);
void rule_free(struct rule_expr *e);

/* Evaluates a parsed rule against a JSON object of property values keyed by the property name
 * without its object prefix ({"trustType": "ServerAD", "isCompliant": true}; app filters use
 * "Set_Attr"; "manager" for Direct Reports rules). String comparisons are case-insensitive,
 * -match is a POSIX extended regex, a missing or null property compares as null; collections are
 * JSON arrays (of strings, or of objects for assignedPlans). Returns 0 and sets *result, or -1
 * when props is not an object or a property value has the wrong JSON type. */
int rule_eval(const struct rule_expr *e, const json_t *props, bool *result);

/* Canonical text: canonical property and operator spelling, double-quoted strings, minimal
 * parentheses plus parentheses around every -not and -any/-all operand. Parses back to the
 * same rule. Caller frees. */
char *rule_to_string(const struct rule_expr *e);

/* "user membership rule", "device membership rule", "device filter", "application filter". */
const char *rule_target_name(enum rule_target t);

/* For analysis: calls fn for every property a rule references, canonical spelling
 * ("device.trustType", "user.assignedPlans", "assignedPlan.servicePlanId"). */
void rule_foreach_property(const struct rule_expr *e, void (*fn)(const char *prop, void *arg),
                           void *arg);

#endif
