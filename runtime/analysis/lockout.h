/* lockout.h — the lockout guard of `plan` and `apply`: evaluates the tenant's Conditional Access
 * policies before and after a plan with the what-if evaluator and reports the sign-ins of
 * emergency-access identities and Global Administrators the plan would newly lock out
 * (docs/lockout.md).
 * Ownership: every json_t returned is a new reference owned by the caller; plans, tenants and
 * inputs are borrowed. A lockout_scenarios owns its array; its strings borrow from the JSON it
 * was built from (keep that alive as long). A lockout_states owns its states and their indexes
 * (lockout_states_free) and borrows the plan and tenant it was made from (keep both alive). */
#ifndef IDPC_LOCKOUT_H
#define IDPC_LOCKOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "runtime/tenant/tenant.h"
#include "runtime/analysis/whatif.h"

/* Global Administrator's role template id (compiler/catalog_roles.def). */
#define LOCKOUT_GLOBAL_ADMIN "62e90394-69f5-4237-9190-012177145e10"

/* What an administrator is assumed to be able to do at sign-in (the admin-portal check). */
#define LOCKOUT_ADMIN_CAPS                                                                         \
    {                                                                                              \
        "password", "mfa", "fido2", "windowsHelloForBusiness", "compliantDevice", NULL             \
    }

/* One simulated sign-in, apart from the identity. Strings are Graph values (NULL: unknown
 * platform, untrusted location, no risk, no special flow). */
struct lockout_scenario {
    const char *app;           /* whatif_signin.app */
    const char *app_label;     /* for people: "Office 365 Exchange Online" */
    const char *platform;      /* NULL = an unknown platform */
    const char *client;        /* CAT_CLIENT_APP Graph value */
    const char *location;      /* a named location's id; NULL = an untrusted address */
    const char *location_name; /* its display name */
    bool trusted;              /* the named location is trusted */
    const char *country;       /* "unknown" for an address that maps to no country, or NULL */
    const char *sign_in_risk;  /* NULL = none */
    const char *user_risk;     /* NULL = none */
    const char *auth_flow;     /* NULL, "deviceCodeFlow", "authenticationTransfer" */
    const char *insider_risk;  /* NULL = not evaluated; "minor", "moderate", "elevated" */
    size_t alike; /* more sign-ins this one stands for: from the named locations an analysis
                     leaves out (lockout_states_new), which decide like an untrusted address */
};

struct lockout_scenarios {
    struct lockout_scenario *v;
    size_t n, cap;
};

/* The emergency-access sign-ins worth evaluating against `policies` (only the dimensions some
 * enabled policy distinguishes are varied; docs/lockout.md "Scenarios"): applications (Office
 * 365, the admin portals, Azure management, any other app, and every app a policy names),
 * platforms incl. unknown, client app types, an untrusted location / each named location / an
 * unknown country, sign-in and user risk, authentication flows. Ordinary values come first. */
void lockout_scenarios_emergency(const json_t *policies, const json_t *locations,
                                 struct lockout_scenarios *out);
/* The Global Administrator sign-ins: the admin portals, Windows and macOS browsers, from each
 * trusted named location (an untrusted address when there is none), no risk. */
void lockout_scenarios_admin(const json_t *locations, struct lockout_scenarios *out);
void lockout_scenarios_fini(struct lockout_scenarios *s);

/* The enabled applying policies of `r` a sign-in able to satisfy only `caps` cannot get
 * through: [{"name", "id", "decision": "block" | "requires <controls>"}], or NULL when none. */
json_t *lockout_decide(const struct whatif_result *r, const char *const *caps);

/* The tenant's Conditional Access state before `plan` (its policies, named locations,
 * strengths and role assignments) and after it (the plan's requests replayed on them; created
 * objects carry their "$new:" token as id), made once for the lockout guard and the impact
 * section, each side's named locations indexed once. The states hold only the named locations
 * that can change an outcome (a policy of either side names them, they are trusted, or the plan
 * changes them) and the first few the impact section's location axis shows (coverage.h); a
 * sign-in from any other decides like one from an untrusted address, and the guard counts them
 * so (lockout_scenario.alike): every answer is the one all the locations give. */
struct lockout_states;
#define LOCKOUT_ALL_LOCATIONS 1u /* flag: keep every named location (to compare, in tests) */
struct lockout_states *lockout_states_new(const json_t *plan, struct tenant *t, unsigned flags);
/* What the states hold of a named location the plan changes (its members the states' readers
 * read, its IP ranges included), made from the whole object `l` as the tenant holds it by a
 * caller that has it at hand anyway: a new reference, for lockout_states_new_with. */
json_t *lockout_location_stub(const json_t *l);
/* lockout_states_new, given `stubs`: NULL, or one per named location of `t` (by its position in
 * the tenant's index), each NULL or lockout_location_stub() of that location. The states take
 * (a reference to) the ones of the locations the plan changes instead of reading those again;
 * the array and its references stay the caller's. */
struct lockout_states *lockout_states_new_with(const json_t *plan, struct tenant *t, unsigned flags,
                                               json_t *const *stubs);
void lockout_states_free(struct lockout_states *s);
/* One side's inputs (`after`: the state after the plan) and its location index: borrowed, valid
 * until lockout_states_free (never whatif_inputs_fini them). The named locations are trees
 * reduced to what the evaluator, the scenarios and the impact section read, without the IP
 * ranges of those the plan leaves alone: evaluate a sign-in with an IP address only through
 * that side's location index, which asks the tenant for them. */
const struct whatif_inputs *lockout_states_inputs(const struct lockout_states *s, bool after);
const struct whatif_locindex *lockout_states_locindex(const struct lockout_states *s, bool after);

/* Analyses the plan of `s` (its "emergencyAccess" and actions) against the tenant it was made
 * from: {"scenarios": [risk...], "alreadyAtRisk": [risk...], "evaluations": n (the sign-ins
 * decided)}. `policy_at` (may be NULL) maps policy ids (and "$new:" tokens) to their declaration
 * "file:line:col". A risk is {"kind": "emergency" | "globalAdministrators", "identity", "at"?,
 * "reason": "blocked" | "cannot satisfy", "scenario": {...}, "count": n, "policies": [{"name",
 * "id", "at"?, "decision"}], "admins"?: [...]}. */
json_t *lockout_analyse_states(struct lockout_states *s, const json_t *policy_at);
/* The same with states made for this call. */
json_t *lockout_analyse(const json_t *plan, struct tenant *t, const json_t *policy_at);

/* Records an analysis in the plan: "lockoutRisk": {"allowed": false, "scenarios": [...]} when
 * the plan introduces risks; a warning per risk the tenant already had. */
void lockout_record(json_t *plan, const json_t *analysis);
/* The plan's introduced risks (borrowed; NULL or empty when none). */
const json_t *lockout_risks(const json_t *plan);
bool lockout_allowed(const json_t *plan);
/* Marks the plan's risks as accepted (--allow-lockout-risk). */
void lockout_allow(json_t *plan);

/* Prints the risks for people: an error block (refused) or a warning block (accepted). */
void lockout_print(const json_t *risks, bool refused, bool color, FILE *f);
/* Text for people (the caller frees each): a risk's scenario ("Office 365 Exchange Online,
 * platform windows, ..."), its headline ("emergency-access user \"bg1@...\" would be
 * blocked"), and its deciding policies ("policy \"X\" (file:l:c): block; ..."). */
char *lockout_scenario_text(const json_t *scenario);
char *lockout_headline(const json_t *risk);
char *lockout_policies_text(const json_t *policies);

#endif
