/* coverage.h — the persona matrix: every persona the policies name × apps × platforms × client
 * app types × location classes, each cell evaluated with the what-if engine, and the gaps (cells
 * with neither MFA, nor block, nor a device requirement). docs/coverage.md has the semantics.
 * Ownership: a struct coverage owns everything in it (coverage_free); it keeps no reference to
 * the inputs or options it was built from. */
#ifndef IDPC_COVERAGE_H
#define IDPC_COVERAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/model.h"
#include "runtime/analysis/whatif.h"
#include "runtime/analysis/whatif_tenant.h"

/* What a cell requires, from the strongest to the weakest; the colour of a cell. */
enum coverage_class {
    COVERAGE_BLOCK,    /* access blocked */
    COVERAGE_STRENGTH, /* an authentication strength stronger than plain MFA */
    COVERAGE_MFA,      /* MFA (or the built-in Multifactor authentication strength) */
    COVERAGE_DEVICE,   /* a compliant or hybrid-joined device, without MFA */
    COVERAGE_WEAK,     /* GAP: only app protection, approved app, password change or terms */
    COVERAGE_ALLOW,    /* GAP: nothing to satisfy */
    COVERAGE__COUNT
};

struct coverage_persona {
    char *name;       /* "Global Administrator", "Security Administrator (+13 roles)" */
    const char *kind; /* "all users" | "group" | "role" | "user" | "emergency" | "guest" */
    char **members;   /* every object this persona stands for (same policy references) */
    size_t nmembers;
    /* its sign-in */
    char *user;
    char **member_of; /* NULL-terminated */
    char **roles;     /* NULL-terminated */
    char *guest_type;
};

/* The location axis: an untrusted address, then a column for each of the first
 * COVERAGE_MAX_LOCATIONS distinct names (a location without one: its id; compared ignoring case)
 * of in->locations, in order, then the MFA trusted IPs when a policy names them. */
#define COVERAGE_MAX_LOCATIONS 12

/* One value of an axis: what people read and what the sign-in gets. */
struct coverage_value {
    char *label;
    char *value;      /* app id / keyword, action, context, platform, client, location name */
    int target;       /* apps: 0 application, 1 user action, 2 authentication context */
    bool trusted;     /* locations: a trusted named location (or the MFA trusted IPs) */
    bool mfa_trusted; /* locations: the MFA service's trusted IPs */
    char *id;         /* locations: the named location's id when value is its name, else NULL */
};

struct coverage_outcome {
    char *label; /* "block", "mfa", "authenticationStrength:NAME + compliant device", "allow" */
    char *brief; /* for narrow cells: "BLOCK", "MFA", "STRENGTH+DEVICE", "ALLOW" */
    enum coverage_class cls;
    bool gap;
};

struct coverage {
    struct coverage_persona *personas;
    size_t npersonas;
    struct coverage_value *apps, *platforms, *clients, *locations;
    size_t napps, nplatforms, nclients, nlocations;
    struct coverage_outcome *outcomes; /* the distinct outcomes, indexed by cells[] */
    size_t noutcomes;
    /* outcome index per cell, [persona][app][location][platform][client]; see coverage_cell */
    unsigned *cells;
    size_t ncells, ngaps;
    /* the risk summary: [persona][COVERAGE_RISKS], at the reference sign-in */
    unsigned *risk;
    bool report_only_enforced; /* report-only policies were evaluated as enabled */
    size_t npolicies;          /* enabled (and report-only when enforced) policies */
    size_t evaluations;        /* sign-ins evaluated x policies evaluated (all states) */
};

/* The risk summary's columns: sign-in risk low, medium, high, then user risk low, medium, high.
 * The reference sign-in is the first app (Office 365), Windows, browser, untrusted location. */
#define COVERAGE_RISKS 6
extern const char *const coverage_risk_labels[COVERAGE_RISKS];

struct coverage_options {
    const struct whatif_tenant *tenant; /* NULL offline; else names for the tenant's ids */
    const char *const *emergency;       /* emergency-access users (UPNs or ids), may be NULL */
    const json_t *parents; /* {group: [every group containing it]} for nested groups, or NULL */
    bool report_only_as_enabled; /* evaluate report-only policies as if they were on */
    /* names for the ids and tokens the policies hold, when `tenant` is NULL or does not know
     * them (the plan's tenant index): the name, borrowed, or NULL to show the key itself */
    const char *(*name_of)(void *arg, const char *key);
    void *name_arg;
};

/* Builds and evaluates the matrix. Never fails (policies that cannot be read apply to no one,
 * as in the evaluator). */
struct coverage *coverage_run(const struct whatif_inputs *in, const struct coverage_options *o);
void coverage_free(struct coverage *c);

/* The axes alone — personas, apps, locations, platforms, client app types of the policies of `in`
 * that are not disabled — with no cell evaluated (cells and outcomes empty): for a caller that
 * evaluates its own sign-ins over them (the plan's impact, runtime/analysis/impact.c). */
struct coverage *coverage_axes(const struct whatif_inputs *in, const struct coverage_options *o);
/* The sign-in of one cell (risk none). `locs` is the storage of its location list; `s` borrows it
 * and c's strings. */
void coverage_signin(const struct coverage *c, size_t persona, size_t app, size_t loc, size_t plat,
                     size_t client, const char *locs[3], struct whatif_signin *s);
/* The index in c->outcomes of the outcome of `r` (classified as a cell's, added when new). */
unsigned coverage_outcome(struct coverage *c, const struct whatif_result *r);

size_t coverage_cell(const struct coverage *c, size_t persona, size_t app, size_t loc, size_t plat,
                     size_t client);
const char *coverage_class_name(enum coverage_class k); /* "block", "strength", ... "allow" */

/* Offline helpers: the model's emergency-access users (a new NULL-terminated array of borrowed
 * names; free() it) and its group nesting as coverage_options.parents (new reference). */
const char **coverage_model_emergency(const struct model *m);
json_t *coverage_model_parents(const struct model *m);

/* Renderers (coverage_render.c). */
void coverage_print_text(const struct coverage *c, FILE *f);
json_t *coverage_to_json(const struct coverage *c); /* new reference; docs/coverage.md */
/* A self-contained HTML page (inline CSS, no script, no external resource); free() it. */
char *coverage_html(const struct coverage *c, const char *title);

#endif
