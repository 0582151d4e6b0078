/* whatif.h — the Conditional Access evaluator: which policies apply to a sign-in, and what the
 * sign-in must then satisfy (docs/whatif.md states the semantics and their sources).
 * Ownership: a whatif_signin only borrows its strings and JSON (except what
 * whatif_signin_from_json allocates, released by whatif_signin_fini); whatif_inputs owns its three
 * arrays (one reference each); a whatif_result owns everything in it except `policy` and `name`,
 * which borrow from the whatif_inputs it was evaluated against (keep those alive as long). */
#ifndef IDPC_WHATIF_H
#define IDPC_WHATIF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/catalog.h"
#include "compiler/model.h"

/* The default client app type of a sign-in given without one (CLI and test blocks). */
#define WHATIF_DEFAULT_CLIENT "browser"

/* One simulated sign-in. Every string is a Graph value (keywords are resolved by the callers:
 * see whatif_keyword). NULL-terminated string lists may be NULL. NULL scalars mean "not known",
 * which Entra's What If API treats as "does not match a condition that names values". */
struct whatif_signin {
    const char *user;              /* UPN or object id; NULL for a workload identity sign-in */
    const char *user_id;           /* object id when `user` is the UPN (optional) */
    const char *const *member_of;  /* groups (transitive): display names or object ids */
    const char *const *roles;      /* active directory roles: template ids or role names */
    const char *guest_type;        /* CAT_GUEST_TYPE Graph value; NULL for a member user */
    const char *external_tenant;   /* home tenant id of a guest or external user */
    const char *service_principal; /* workload identity sign-in: service principal id or name */

    /* Exactly one target: an application, a user action or an authentication context. */
    const char *app;          /* app id, app display name, "Office365" or "MicrosoftAdminPortals" */
    const json_t *app_attrs;  /* the app's custom security attributes, for application filters */
    const char *action;       /* "urn:user:registersecurityinfo" | "urn:user:registerdevice" */
    const char *auth_context; /* "c1" .. "c99" */

    const char *platform;         /* CAT_PLATFORM Graph value; NULL = unknown platform */
    const char *client_app;       /* CAT_CLIENT_APP Graph value; NULL = not specified */
    const char *ip;               /* IPv4 or IPv6 client address */
    const char *country;          /* ISO 3166 alpha-2; "unknown" = the IP maps to no country */
    const char *const *locations; /* named locations the sign-in is in anyway (names or ids) */
    bool mfa_trusted_ip;          /* the IP is one of the MFA service's trusted IPs */

    const char *sign_in_risk; /* CAT_RISK Graph value; NULL = "none" */
    const char *user_risk;    /* CAT_RISK Graph value; NULL = "none" */
    const char *sp_risk;      /* service principal risk for workload sign-ins; NULL = "none" */
    const char *insider_risk; /* CAT_INSIDER_RISK Graph value; NULL = not evaluated */
    const json_t *device;     /* device properties for filters; NULL = unregistered device */
    const char *auth_flow;    /* "deviceCodeFlow" | "authenticationTransfer" | NULL */

    void *owned_; /* allocations of whatif_signin_from_json; whatif_signin_fini frees them */
};

/* The policies and the objects they reference, each a JSON array of Graph bodies. References
 * inside policies are matched by id, or by {"$ref": kind, "name": N} against displayName
 * (case-insensitive). */
struct whatif_inputs {
    json_t *policies;  /* conditionalAccessPolicy bodies */
    json_t *locations; /* namedLocation bodies */
    json_t *strengths; /* authenticationStrengthPolicy bodies (built-ins are known anyway) */
};

void whatif_inputs_init(struct whatif_inputs *in);
void whatif_inputs_fini(struct whatif_inputs *in);
/* Takes the model's CA policies, named locations and strengths (pinned ids become "id"). */
void whatif_inputs_from_model(struct whatif_inputs *in, const struct model *m);
/* Appends the policies of a JSON document to `into`: one policy object, a {"value": [...]}
 * list response, or an array. Returns how many were added; -1 when doc holds no policy shape. */
int whatif_collect(json_t *into, const json_t *doc);

enum whatif_state {
    WHATIF_ENABLED,
    WHATIF_REPORT_ONLY,
    WHATIF_DISABLED
};
enum whatif_grant {
    WHATIF_ALLOW,
    WHATIF_GRANT,
    WHATIF_BLOCK
};
enum whatif_operator {
    WHATIF_AND,
    WHATIF_OR
};

/* One requirement of a policy: "mfa", "compliantDevice", ... (builtInControls values),
 * "authenticationStrength:NAME", "termsOfUse:NAME", "customAuthenticationFactor:ID". */
struct whatif_control {
    char *text;
    json_t *combinations; /* strengths: array of "method,method" strings; NULL when unknown */
    bool mfa_strength;    /* the built-in "Multifactor authentication" strength */
};

struct whatif_policy_result {
    const json_t *policy; /* borrowed from the inputs */
    const char *name;     /* its displayName ("(unnamed)" when absent) */
    enum whatif_state state;
    bool applies;
    const char *reason; /* NULL when it applies; else "disabled", "users", "workload",
                           "application", "userRisk", "signInRisk", "servicePrincipalRisk",
                           "insiderRisk", "platform", "location", "clientApp", "device",
                           "authenticationFlow" */
    char detail[200];   /* one line for people: why it applies or not */
    bool block;         /* grant control "block" */
    bool platform;      /* not a tenant policy: MFA Microsoft enforces itself (see
                           docs/whatif.md "Platform-enforced MFA"); `policy` is owned by the
                           result */
    enum whatif_operator op;
    struct whatif_control *controls; /* the grant requirement, without "block" */
    size_t ncontrols;
};

struct whatif_result {
    struct whatif_policy_result *policies; /* in input order */
    size_t n;
    enum whatif_grant grant; /* over enabled policies that apply; block wins */
    /* The flattened requirement (docs/whatif.md "Combining grant controls"): with WHATIF_AND
     * every entry is required, an entry "a|b" meaning one of a and b; with WHATIF_OR one entry
     * suffices. */
    char **controls;
    size_t ncontrols;
    enum whatif_operator op;
    json_t *session; /* combined session controls, Graph shape; {} when none */
    /* Set when the grant is WHATIF_BLOCK only because the client cannot satisfy a required
     * control (legacy authentication, device code flow): why, for people; else NULL. */
    char *unsatisfiable;
};

/* Evaluates every policy of `in` against `s`. Returns 0, or -1 with `err` filled when the
 * sign-in itself is malformed (bad IP, two targets, ...). Policy oddities never fail: a policy
 * that cannot be read is reported as not applying with the reason and a detail. */
int whatif_evaluate(const struct whatif_inputs *in, const struct whatif_signin *s,
                    struct whatif_result *out, char *err, size_t errlen);
void whatif_result_free(struct whatif_result *r);

/* The named locations of a whatif_inputs indexed by id and displayName, for evaluating many
 * sign-ins against them: whatif_evaluate_ix then reads only the locations a policy names (and
 * the trusted ones, for AllTrusted) instead of every location per sign-in. The answers are
 * whatif_evaluate's. Ownership: the index borrows `locations`; keep it alive and unchanged. It
 * parses a location's IP ranges when first needed, so one thread at a time uses it. */
struct whatif_locindex;
struct whatif_locindex *whatif_locindex_new(const json_t *locations);
/* The IP ranges of a named location whose tree leaves them out: a new reference to what its
 * whole object's "ipRanges" member is (as whatif_jget reads it), or NULL when it has none. */
typedef json_t *(*whatif_ranges_fn)(void *ctx, const json_t *location);
/* whatif_locindex_new for trees that may leave their IP ranges out (the lockout guard's states
 * hold the tenant's locations so): for a location without an "ipRanges" member, `ranges` is
 * asked for them when a sign-in with an IP address first needs them, and they are released once
 * parsed. `ctx` is borrowed like `locations`. The answers are those of the whole trees. */
struct whatif_locindex *whatif_locindex_new_lazy(const json_t *locations, whatif_ranges_fn ranges,
                                                 void *ctx);
void whatif_locindex_free(struct whatif_locindex *x);
/* whatif_evaluate with an index of in->locations (NULL: indexed for this call when needed). */
int whatif_evaluate_ix(const struct whatif_inputs *in, const struct whatif_locindex *ix,
                       const struct whatif_signin *s, struct whatif_result *out, char *err,
                       size_t errlen);

/* {"result", "controls", "operator", "session", "applied", "reportOnly", "notApplied"}; new
 * reference. */
json_t *whatif_result_to_json(const struct whatif_result *r);
/* The report for people. */
void whatif_result_print(const struct whatif_result *r, FILE *f);
const char *whatif_grant_name(enum whatif_grant g); /* "allow" | "grant" | "block" */

/* Lockout guard: whether a sign-in that can satisfy only `capabilities` (NULL-terminated;
 * Graph or language spellings: "password", "mfa", "fido2", "windows_hello", "compliantDevice",
 * "authenticationStrength:NAME", "termsOfUse", ...) gets through every enabled policy that
 * applies. A "block" never can. */
bool whatif_can_satisfy(const struct whatif_result *r, const char *const *capabilities);
/* The first enabled applying policy such a sign-in cannot satisfy, or NULL. */
const struct whatif_policy_result *whatif_first_unsatisfied(const struct whatif_result *r,
                                                            const char *const *capabilities);

/* Keyword or Graph value of `kind` -> Graph value. NULL with a message ("unknown device platform
 * 'windws' (did you mean 'windows'?)") in err otherwise. */
const char *whatif_keyword(enum catalog_kind kind, const char *word, char *err, size_t errlen);

/* A sign-in from its JSON form (docs/whatif.md "Sign-in JSON"): {"user", "userId", "memberOf",
 * "roles", "guestType", "externalTenant", "servicePrincipal", "app", "appAttributes", "action",
 * "context", "platform", "client", "ip", "country", "locations", "mfaTrustedIp", "signInRisk",
 * "userRisk", "servicePrincipalRisk", "insiderRisk", "device", "authFlow"}. Keyword or Graph
 * spellings; "client" defaults to WHATIF_DEFAULT_CLIENT. Strings borrow from j. 0 or -1. */
int whatif_signin_from_json(struct whatif_signin *s, const json_t *j, char *err, size_t errlen);
void whatif_signin_fini(struct whatif_signin *s);

/* Application helpers (docs/whatif.md "Applications"): true when app id `app_id` belongs to the
 * group "Office365" / "MicrosoftAdminPortals" / umbrella app id `group`. */
bool whatif_app_in_group(const char *app_id, const char *group);

#endif
