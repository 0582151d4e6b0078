/* plan.h — the plan: from desired model and observed tenant to ordered, dependency-aware Graph
 * writes, described in the language's terms; saved, verified, rendered and applied as JSON.
 * Ownership: a plan is one jansson document (format "idpc-plan/1", docs/plan-format.md) owned
 * by the caller (json_decref). Models, tenants and backends are borrowed. */
#ifndef IDPC_PLAN_H
#define IDPC_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "compiler/diag.h"
#include "compiler/model.h"
#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

#define PLAN_FORMAT "idpc-plan/1"
/* A replaced object is renamed "<name>" PLAN_REPLACED_SUFFIX before its successor is created;
 * a plan deletes any object with this suffix (left over from an interrupted replace). */
#define PLAN_REPLACED_SUFFIX " (being replaced by idpc)"

/* Execution phases: a request runs after every request of a lower phase. */
enum plan_phase {
    PHASE_GROUP_CREATE,
    PHASE_GROUP_UPDATE, /* group PATCHes, members and owners */
    PHASE_DEPENDENCY,   /* named locations and authentication strengths */
    PHASE_SETTINGS,     /* methods policy, group settings, tenant switches */
    PHASE_POLICY,       /* conditional access creates and updates */
    PHASE_ROLE,         /* role assignments and PIM eligibility */
    PHASE_POLICY_DELETE,
    PHASE_ROLE_DELETE,
    PHASE_DEPENDENCY_DELETE,
    PHASE_GROUP_DELETE,
    PHASE__COUNT
};

/* Builds the plan of `m` against the tenant behind `b`. Errors (tenant mismatch, unresolved
 * names, backend failures) are queued on diag; returns NULL then. */
struct plan_options {
    const char *const *paths; /* the configuration's paths as given: labels (the markdown
                                 comment's marker), never read again */
    size_t npaths;
    bool impact; /* add "impact": whose sign-ins the plan changes (plan_impact) */
    /* The caller has no further use for the model's bodies (the CLI): each object's body is
     * released (replaced by JSON null, a frozen body's text freed) once the object is planned,
     * so that the declared objects are not held through the rest of the plan. The names,
     * locations and `extra` stay. */
    bool release_bodies;
    /* The caller neither prints the plan as JSON nor saves it (the CLI's text and markdown
     * without -o): "reads" (the fingerprints `idpc apply PLAN.json` checks) stays an empty array,
     * and no fingerprint is taken. Every other part of the plan is as without it. */
    bool no_reads;
    /* The caller exits right after using the plan, frees nothing and needs little memory for
     * it (the CLI printing text or markdown, unless util_free_at_exit()): what plan_build made
     * for itself (the tenant as read, the resolved objects, the lockout states when no reads
     * are made after them) is left to the exit. */
    bool no_free;
};

json_t *plan_build(struct model *m, struct diag_ctx *diag, struct backend *b,
                   const struct plan_options *opts);

/* The freeze a plan asks of the compile (compile_options.freeze, compiler/compile.h): each named
 * location frozen (compiler/model.h) with its plan fingerprint as soon as it is lowered, for a
 * caller that is about to plan and has no other use for the bodies: plan_build thaws one body at
 * a time while planning it, so that the declared locations are never all held as trees, neither
 * during the compile beside its syntax tree nor while the tenant is read and matched. */
struct model_freeze_request plan_freeze_request(void);
/* The same freeze of a model compiled without the request (model_freeze): call it after
 * compiling, before opening the tenant; after a compile with the request it has nothing to do. */
void plan_freeze_model(struct model *m);

/* Adds "impact" to a plan made against `t` (plan_impact.c, docs/plan-format.md "impact"): the
 * scenarios whose Conditional Access outcome the plan changes, merged into rows. `states` holds
 * the tenant before and after the plan, as the lockout guard made them (lockout.h; borrowed).
 * Informative only: `idpc apply PLAN` carries it over instead of comparing it. */
struct lockout_states;
void plan_impact(json_t *plan, struct tenant *t, const struct lockout_states *states);
/* The impact section for people, when the plan has one: a summary line and at most `max_rows`
 * rows (and, when max_bytes is not 0, at most about that many bytes), grouped by severity, then a
 * line saying how many rows were left out. Text, or markdown for a pull-request comment. */
void plan_impact_render(const json_t *plan, bool markdown, bool color, size_t max_rows,
                        size_t max_bytes, FILE *out);

/* SHA-256 (hex) of what a plan read: `normalize` is a normalize_kind_name() ("ca_policy"),
 * "ids" (a list of ids, compared as a set) or "raw". NULL for NULL (absent). */
char *plan_fingerprint(const char *normalize, const json_t *value);

/* Makes backends opened from now on take each named location's fingerprint (plan_fingerprint,
 * "named_location") while they decode it (backend_freeze_hook), so that plan_build() finds an
 * unchanged location without turning the text the tenant holds it as back into a tree. Call it
 * before backend_open(); without it a plan thaws every location it manages. */
void plan_hold_locations(void);
/* A named location's plan fingerprint (plan_fingerprint, "named_location"): the one the tenant
 * side takes while loading and the configuration's side when it is frozen. Caller frees. */
char *plan_location_fingerprint(const json_t *location);
/* The same for a plan that keeps no fingerprint (plan_options.no_reads): each named location
 * taken, on both sides, with its key instead (plan_location_key), which tells an unchanged one
 * as exactly and costs no tree and no JSON text. Use the pair (the tenant's side, the
 * configuration's side) together: a key never equals a fingerprint, so that a location held
 * one way and declared the other is compared whole by plan_update (slower, never wrong). */
void plan_hold_location_keys(void);
struct model_freeze_request plan_freeze_request_keyed(void);
/* A named location's key: PLAN_LOCATION_KEY_MARK and its canonical form as a key
 * (normalize_location_key; a key longer than 128 bytes as '#' and its SHA-256), or, for what only
 * normalize decides, its fingerprint (plan_location_fingerprint). Never saved: it is no plan
 * fingerprint. Caller frees. */
#define PLAN_LOCATION_KEY_MARK 'k'
char *plan_location_key(const json_t *location);
/* plan_freeze_request_keyed's codec: an IP range location as lowered, frozen as its key and the
 * order of its ranges (no JSON text). */
extern const struct model_codec plan_location_key_codec;
/* How plan_freeze_request freezes an IP range location as the compiler lowers it: its canonical
 * text (the fingerprint, taken of that text, comes with it) and the order of its ranges; any
 * other body is left to the JSON text. */
extern const struct model_codec plan_location_codec;

/* Counts of the plan's actions. */
struct plan_summary {
    unsigned create, update, replace, del, unmanaged;
};
void plan_summary(const json_t *plan, struct plan_summary *s);
bool plan_has_changes(const json_t *plan);

/* Re-reads what the plan read and compares fingerprints. Returns 0 when unchanged; 1 when the
 * tenant changed (*changed: an array of {"path","name","what"} describing each object); -1 on
 * a backend error (err filled). */
int plan_verify(const json_t *plan, struct backend *b, json_t **changed, struct backend_error *err);

/* Saved plans (plan_saved.c; the contract is in docs/runtime.md, "Saved plans").
 * plan_parse reads a plan and checks its shape field by field: invalid JSON (file:line:col), a
 * duplicate key, a missing field, a field of the wrong type or a field idpc-plan/1 does not have
 * is refused, naming the field ("actions[3].requests[0].phase"). NULL with a message in err. */
json_t *plan_parse(const char *text, size_t len, const char *name, struct backend_error *err);
json_t *plan_load(const char *path, struct backend_error *err);
/* Records the configuration's sources (every file in diag, path and text) as config.sources. */
void plan_attach_sources(json_t *plan, const struct diag_ctx *diag);
/* Compiles the sources a saved plan carries into cr (the caller frees it with compile_free).
 * 0, or -1 with diagnostics queued in cr->diag. */
struct compile_result;
int plan_saved_compile(const json_t *plan, struct compile_result *cr);
/* The tenant behind b (backend_identity) is the plan's: same tenant id, same cloud (or both a
 * snapshot). 0, or -1 with err saying what differs. */
int plan_saved_identity(const json_t *plan, struct backend *b, struct backend_error *err);
/* The plan the saved plan's configuration makes against the tenant as it is now (plan_build),
 * with the saved config.sources and tenant.backend, and lockoutRisk.allowed carried over only
 * when the saved plan accepted exactly the risks found now. NULL with diagnostics in cr->diag. */
json_t *plan_saved_rederive(const json_t *saved, struct compile_result *cr, struct backend *b);
/* NULL when the two plans are equal (jansson's json_equal: objects by key set, arrays in order);
 * otherwise the first difference in words ("action 3, update policy \"CA001\" (ca.idp:3:1):
 * requests[0].phase is 99 in the saved plan but 4 now"). The caller frees it. */
char *plan_saved_difference(const json_t *saved, const json_t *now);
/* Writes the plan as JSON (2-space indentation) atomically. 0 or errno. */
int plan_save(const json_t *plan, const char *path);

/* Rendering (render_text.c, render_markdown.c, render_json.c). */
enum plan_format {
    PLAN_FMT_TEXT,
    PLAN_FMT_MARKDOWN,
    PLAN_FMT_JSON,
};
bool plan_format_parse(const char *s, enum plan_format *out);
void plan_render(const json_t *plan, enum plan_format fmt, bool color, FILE *out);
void plan_render_text(const json_t *plan, bool color, FILE *out);
/* The markdown is a pull-request comment: it starts with "<!-- idpc plan: PATHS -->" and stays
 * under PLAN_MARKDOWN_MAX_BYTES (GitHub refuses comments over 65,536 characters), trimming
 * object details from the end with a line saying where the full plan is. */
#define PLAN_MARKDOWN_MAX_BYTES 60000
void plan_render_markdown(const json_t *plan, FILE *out);
void plan_render_json(const json_t *plan, FILE *out);

/* DSL wording (plan_dsl.c): the field name a Graph path is written as in .idp
 * ("conditions.users.excludeGroups" → "users.exclude"), and a value in DSL terms
 * (`group "Sales"`, `report_only`, `password + sms`). Results are the caller's. */
char *plan_dsl_field(int model_kind, const char *graph_path);
char *plan_dsl_value(const struct tenant *t, int model_kind, const char *graph_path,
                     const json_t *v);
/* A change list for one object: jsondiff paths and values in DSL terms (new reference). */
struct jsondiff;
json_t *plan_dsl_changes(const struct tenant *t, int model_kind, const struct jsondiff *d);

/* The word an object kind is written with in .idp ("policy", "group", "location"). */
const char *plan_kind_word(int model_kind);

#endif
