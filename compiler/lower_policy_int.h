/* lower_policy_int.h — private to lower_policy*.c: the state of one policy being lowered.
 * Ownership: a struct pol owns the jansson values of its items and settings; keys and shown
 * texts live in the check's arena. */
#ifndef IDPC_LOWER_POLICY_INT_H
#define IDPC_LOWER_POLICY_INT_H

#include "compiler/check_int.h"

/* One item of a list-valued statement (repeats are unions). */
struct item {
    const char *key;  /* identity for de-duplication (arena) */
    const char *show; /* the item as the user wrote it, for messages (arena) */
    json_t *val;      /* the Graph value (owned) */
    struct loc loc;
    const struct ast_stmt *stmt;
};

struct list {
    struct item *v;
    size_t n, cap;
};

/* Lists, include/exclude pairs adjacent so that FIELD + dir picks one. */
enum field {
    F_INC_USERS,
    F_EXC_USERS,
    F_INC_GROUPS,
    F_EXC_GROUPS,
    F_INC_ROLES,
    F_EXC_ROLES,
    F_INC_GUESTS,
    F_EXC_GUESTS,
    F_INC_TENANTS,
    F_EXC_TENANTS,
    F_INC_APPS,
    F_EXC_APPS,
    F_INC_SP,
    F_EXC_SP,
    F_INC_PLATFORMS,
    F_EXC_PLATFORMS,
    F_INC_LOCATIONS,
    F_EXC_LOCATIONS,
    F_ACTIONS,
    F_CONTEXTS,
    F_CLIENT_APPS,
    F_SIGN_IN_RISK,
    F_USER_RISK,
    F_SP_RISK,
    F_INSIDER_RISK,
    F_FLOWS,
    F_BUILTIN,
    F_TERMS,
    F_CUSTOM,
    F__COUNT
};

/* Single-valued settings: a second, different value is an error. */
enum one {
    O_STATE,
    O_DESCRIPTION,
    O_INC_TENANTS, /* "all" or "enumerated" */
    O_EXC_TENANTS,
    O_APP_FILTER,
    O_SP_FILTER,
    O_DEVICE_FILTER,
    O_STRENGTH,
    O_SIF,
    O_PERSISTENT_BROWSER,
    O_APP_ENFORCED,
    O_CLOUD_APP_SECURITY,
    O_RESILIENCE,
    O_SECURE_SIGN_IN,
    O__COUNT
};

struct single {
    bool set;
    const char *key;
    const char *show;
    json_t *val; /* owned */
    struct loc loc;
    const struct ast_stmt *stmt;
};

struct pol {
    struct check *ck;
    const struct ast_stmt *decl;
    const char *name;
    struct list f[F__COUNT];
    struct single o[O__COUNT];
    /* grant forms, for the operator: the first statement of each */
    const struct ast_stmt *any_of, *all_of, *plain;
    bool every_time;
    bool skip_report_only; /* `state on skip_report_only` */
};

/* A note at an earlier statement: "first VERB here" or "VERB by template 'T' here". */
void lower_policy_note_first(struct pol *p, struct loc l, const struct ast_stmt *s,
                             const char *verb);
/* A note "WHAT here" (or "WHAT (in template 'T') here"). */
void lower_policy_note_at(struct pol *p, struct loc l, const struct ast_stmt *s, const char *what);
/* After a diagnostic at a template's statement: which policy it was checked for. */
void lower_policy_note_policy(struct pol *p, const struct ast_stmt *s);
bool lower_policy_has(const struct pol *p, enum field f);
const struct item *lower_policy_find(const struct pol *p, enum field f, const char *key);

/* lower_policy_check.c: the rules across statements (Graph's and idpc's), then the body. */
void lower_policy_check(struct pol *p);
json_t *lower_policy_body(const struct pol *p); /* new reference */

#endif
