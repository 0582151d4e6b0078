/* lint.h — `idpc check`: Conditional Access hygiene lints and the Phase 2 identity exit criteria,
 * over a configuration's model or a tenant's live objects (docs/check.md lists every code).
 * Ownership: a lint_input owns its JSON values (one reference each); a lint_report owns its
 * criteria; diagnostics are queued on the caller's diag_ctx, which the caller renders. */
#ifndef IDPC_LINT_H
#define IDPC_LINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "compiler/diag.h"
#include "compiler/model.h"
#include "runtime/tenant/backend.h"

/* One stable code: IDP-P2-nnn for exit criteria, IDP-CA-nnn for Conditional Access hygiene. */
struct lint_rule {
    const char *code; /* "IDP-CA-001" */
    const char *name; /* "emergency-access-not-excluded" (SARIF rule name) */
    enum diag_severity severity;
    const char *title; /* one line */
    const char *rationale;
    const char *fix;
    const char *source; /* the document the rule comes from */
};

/* Every rule, criteria first, in code order. */
const struct lint_rule *lint_rules(size_t *n);
const struct lint_rule *lint_rule_by_code(const char *code);
/* docs/check.md anchor of a rule into buf: "docs/check.md#idp-ca-001". */
void lint_rule_anchor(const struct lint_rule *r, char *buf, size_t len);

/* What check looks at, in one neutral shape (docs/check.md "Inputs"). Keys of principals are
 * display names and UPNs offline, object ids in a tenant; `aliases` maps both to one spelling. */
struct lint_input {
    bool from_tenant;
    json_t *policies;       /* [{"name", "at", "body"}]: Conditional Access policies, Graph shape */
    json_t *locations;      /* namedLocation bodies */
    json_t *strengths;      /* authenticationStrengthPolicy bodies */
    json_t *groups;         /* [{"name", "id", "at", "body", "members": [key], "owners": [key],
                          "licenses": [sku]}] ("members" absent when unknown) */
    json_t *roles;          /* [{"role": templateId, "principal": key, "eligible": bool, "at"}] */
    json_t *emergency;      /* [{"user": key, "at"}] */
    json_t *group_unified;  /* Group.Unified setting values {"Name": "value"} and "@at", or NULL */
    json_t *password_rules; /* "Password Rule Settings" values, the same way (the tenant's
                               with a tenant, else the configuration's), or NULL */
    json_t *directory_sync; /* the assertion {"maxAgeHours", "at"}, or NULL */
    json_t *user_consent;   /* {"policies": [permissionGrantPoliciesAssigned], "at"}, or NULL */
    json_t *admin_consent;  /* the adminConsentRequestPolicy with "at", or NULL */
    json_t *organization;   /* the tenant's organization object, or NULL offline */
    json_t *sync_errors;    /* tenant only: users and groups with onPremisesProvisioningErrors,
                               [{"name", "errors": [...]}] */
    json_t *sync_features;  /* tenant only: onPremisesDirectorySynchronization.features, or NULL
                               when Graph did not give them (delegated-only API) */
    json_t *aliases;        /* {lowercased alias: canonical key} (ids <-> names in a tenant) */
    json_t *known;          /* tenant only: {"user"|"group"|...: {lowercased id or name: true}} */
    json_t
        *ga_pim; /* Global Administrator's PIM settings {"rules": [Graph rules], "at"}, or NULL */
    json_t *access_reviews; /* [{"name", "at", "body"}]: accessReviewScheduleDefinitions (the
                               tenant's with a tenant, else the configuration's) */
};

void lint_input_init(struct lint_input *in);
void lint_input_fini(struct lint_input *in);
/* Offline: everything from a compiled model (`diag` gives the objects' file:line:col). */
void lint_input_from_model(struct lint_input *in, const struct model *m,
                           const struct diag_ctx *diag);
/* A tenant's live objects; `m` (may be NULL) adds the configuration's emergency_access and
 * directory_sync / sync_health declarations. 0, or -1 with err filled. */
int lint_input_from_backend(struct lint_input *in, struct backend *b, const struct model *m,
                            const struct diag_ctx *diag, struct backend_error *err);

enum lint_status {
    LINT_PASS,
    LINT_FAIL,
    LINT_MANUAL,
    LINT_DECLARED, /* the configuration declares it; nothing verified it (no tenant given) */
};
/* "pass" | "fail" | "manual" | "declared" */
const char *lint_status_name(enum lint_status s);

struct lint_criterion {
    const struct lint_rule *rule; /* IDP-P2-nnn */
    const char *requirement;      /* "Required", "Required for hybrid identity", "Optional" */
    bool required;
    enum lint_status status;
    char *why;
};

struct lint_report {
    struct lint_criterion *criteria;
    size_t n;
    unsigned errors, warnings; /* lint diagnostics queued by lint_run (criteria included) */
};

struct lint_options {
    time_t now; /* for directory synchronisation age; 0 = time(NULL) */
};

/* Runs every lint and evaluates every criterion; diagnostics go to `diag` (anchored at the .idp
 * line offline). Returns 0, or -1 when the evaluator refused the input (message in diag). */
int lint_run(const struct lint_input *in, const struct lint_options *opt, struct diag_ctx *diag,
             struct lint_report *out);
void lint_report_free(struct lint_report *r);
/* True when every required criterion passed (manual ones do not fail). */
bool lint_report_required_ok(const struct lint_report *r);

void lint_report_print_text(const struct lint_report *r, FILE *f);
void lint_report_print_markdown(const struct lint_report *r, FILE *f);
/* {"criteria": [{"code", "title", "requirement", "required", "status", "why", "source"}],
 *  "requiredPassed": bool}; new reference. */
json_t *lint_report_to_json(const struct lint_report *r);

/* The queued diagnostics as a JSON array [{"severity", "code", "message", "file", "line",
 * "column", "notes"}] (new reference); the queue is left as is. */
json_t *lint_diags_to_json(const struct diag_ctx *diag);
/* SARIF 2.1.0 log of the queued diagnostics and failed criteria (runtime/sarif.c). */
json_t *lint_sarif(const struct diag_ctx *diag, const struct lint_report *r, const char *version);

#endif
