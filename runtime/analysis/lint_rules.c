/* lint_rules.c — the lower half of `idpc check`: the table of rules (docs/check.md documents each
 * code) and the diagnostics the lints emit through it. lint_ca.c and lint_p2.c call down into it;
 * lint.c drives them. */
#include "runtime/analysis/lint.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/analysis/lint_int.h"

#define GUIDE                                                                                      \
    "Microsoft 365 Enterprise deployment guide, \"Phase 2: Identity infrastructure exit "          \
    "criteria\" (microsoft-365/enterprise/identity-exit-criteria.md, 09/20/2019)"

/* clang-format off */
static const struct lint_rule rules[] = {
    /* Phase 2 exit criteria, in the order of the guide. */
    {"IDP-P2-001", "global-admins-protected", DIAG_ERROR,
     "Your global administrator accounts are protected",
     "A compromised Global Administrator gives an attacker system-wide access. The guide asks "
     "for more than one dedicated Global Administrator account used only when necessary, and an "
     "enabled Conditional Access policy that requires MFA of them.",
     "Hold Global Administrator only through 2 to 4 dedicated accounts (emergency-access ones "
     "included) that are not everyday accounts, and require MFA or a phishing-resistant "
     "authentication strength of the role in an enabled policy.",
     GUIDE " #crit-identity-global-admin; identity-create-protect-global-admins.md"},
    {"IDP-P2-002", "pim-global-admin", DIAG_WARNING,
     "Privileged Identity Management supports on-demand assignment of the global administrator "
     "role",
     "Eligible (just-in-time) Global Administrators are exposed only while the role is active.",
     "Make the Global Administrator assignments of the dedicated admin accounts `eligible` in a "
     "`role \"Global Administrator\"` block; keep only emergency-access accounts `active`; "
     "require MFA on activation (`activation_requires mfa, justification`).",
     GUIDE " #crit-identity-pim"},
    {"IDP-P2-003", "privileged-access-management", DIAG_WARNING,
     "Privileged access management is configured in Office 365",
     "Just-in-time approval for task-based access to Office 365 data and settings.",
     "Configure it in the Microsoft 365 compliance portal (not available in Microsoft Graph v1.0).",
     GUIDE " #crit-identity-pam"},
    {"IDP-P2-004", "password-protection", DIAG_WARNING,
     "Azure AD password protection is banning the use of weak passwords",
     "Banned-password lists stop guessable passwords in the cloud and on premises.",
     "Declare `banned_passwords` and `password_protection_on_premises enforce` in `settings` "
     "(the \"Password Rule Settings\" directory setting; read from the tenant by `check "
     "--tenant`), and run the password protection agents on the domain controllers.",
     GUIDE " #crit-password-prot; Microsoft Entra Password Protection (concept-password-ban-bad)"},
    {"IDP-P2-005", "self-service-password-reset", DIAG_WARNING,
     "Users can reset their own passwords",
     "Without self-service password reset every reset needs an administrator.",
     "Enable it in the Entra admin center (Password reset); Microsoft Graph v1.0 has no API for "
     "the user setting.",
     GUIDE " #crit-identity-pw-reset"},
    {"IDP-P2-006", "seamless-sso", DIAG_WARNING,
     "Users can sign in using Azure AD Seamless Single Sign-on",
     "Fewer credential prompts for domain-joined devices on the corporate network.",
     "Enable it in Entra Connect (not available in Microsoft Graph v1.0).",
     GUIDE " #crit-identity-sso"},
    {"IDP-P2-007", "sign-in-branding", DIAG_WARNING,
     "The sign-in screen is personalized for your organization",
     "Users recognise their organisation's sign-in page.",
     "Add company branding in the Entra admin center (not modelled by idpc).",
     GUIDE " #crit-identity-custom-sign-in"},
    {"IDP-P2-008", "mfa-for-users", DIAG_WARNING,
     "Azure Multi-Factor Authentication is enabled for your users",
     "With a password as the only factor, a guessed or phished password is a compromised "
     "account.",
     "Add an enabled policy for all users and all apps that requires MFA at every sign-in, "
     "with no location exclusion (Microsoft's \"Require MFA for all users\").",
     GUIDE " #crit-identity-mfa; identity-secure-user-sign-ins.md"},
    {"IDP-P2-009", "identity-protection", DIAG_WARNING,
     "Azure AD Identity Protection is enabled to protect against credential compromise",
     "Risk-based policies respond automatically to risky sign-ins and compromised users.",
     "Add enabled policies for all users: `sign_in_risk medium, high` with `grant mfa` (or "
     "block), and `user_risk high` with `grant all_of mfa, password_change` (or block).",
     GUIDE " #crit-identity-ident-prot; identity-secure-user-sign-ins.md"},
    {"IDP-P2-010", "directory-sync", DIAG_ERROR,
     "Users and groups are synchronized with Azure AD",
     "A hybrid organisation without working directory synchronisation maintains two sets of "
     "accounts and groups by hand.",
     "Declare `directory_sync required [max_age 3h]` in `settings` for a hybrid tenant, and fix "
     "Entra Connect when its last synchronisation is older than that.",
     GUIDE " #crit-identity-sync (required for hybrid identity)"},
    {"IDP-P2-011", "directory-sync-monitored", DIAG_WARNING,
     "Directory synchronization is monitored",
     "Entra Connect Health shows the state of synchronisation and of the on-premises servers.",
     "Install the Connect Health agents (not available in Microsoft Graph v1.0).",
     GUIDE " #crit-identity-sync-health"},
    {"IDP-P2-012", "password-writeback", DIAG_WARNING,
     "Password writeback is enabled for your users",
     "Users off the corporate network can reset their AD DS password themselves.",
     "Enable it in Entra Connect (not available in Microsoft Graph v1.0).",
     GUIDE " #crit-identity-pw-writeback"},
    {"IDP-P2-013", "self-service-group-management", DIAG_WARNING,
     "Self-service group management is enabled for specific Azure AD security and Office 365 "
     "groups",
     "Group owners, not IT, manage the membership of the groups appropriate for it.",
     "Decide who may create Microsoft 365 groups (`group_creation on|off [except group ...]` in "
     "`settings`) and give the self-managed groups `owners`; the My Groups settings are "
     "portal-only.",
     GUIDE " #crit-identity-self-service-groups; identity-use-group-management.md"},
    {"IDP-P2-014", "dynamic-groups", DIAG_WARNING,
     "Dynamic group membership settings automatically add user accounts to groups based on "
     "user account attributes",
     "Membership follows attributes (department, employee type) instead of manual changes.",
     "Declare a group with `dynamic \"rule\"` (not `paused`).",
     GUIDE " #crit-identity-dyn-groups; identity-use-group-management.md"},
    {"IDP-P2-015", "group-based-licensing", DIAG_WARNING,
     "Group-based licensing automatically assigns and removes licenses based on group "
     "membership",
     "Licences follow group membership instead of manual assignment and removal.",
     "Add `licenses \"SKU\"` to a group (a dynamic one is best).",
     GUIDE " #crit-identity-group-license; identity-use-group-management.md"},
    {"IDP-P2-016", "access-reviews", DIAG_WARNING,
     "Access reviews are configured and being used to monitor access",
     "Periodic reviews remove group memberships, app access and role assignments nobody needs.",
     "Declare a recurring `access_review` of Global Administrator and one of guests.",
     GUIDE " #crit-identity-access-reviews"},

    /* Conditional Access hygiene. */
    {"IDP-CA-001", "emergency-access-not-excluded", DIAG_ERROR,
     "An emergency-access account is not excluded from a policy",
     "Emergency-access (break-glass) accounts must get through when every other administrator "
     "is locked out; Microsoft asks to exclude them from every Conditional Access policy.",
     "Exclude the account (`users exclude user \"...\"`, for example through a shared template) "
     "from the policy.",
     "Entra ID: \"Manage emergency access accounts\"; \"Common security policies for Microsoft "
     "365 organizations\" (Emergency access accounts)"},
    {"IDP-CA-002", "emergency-access-count", DIAG_WARNING,
     "Fewer than two emergency-access accounts are declared",
     "Microsoft recommends two or more cloud-only emergency-access accounts so that losing one "
     "does not lock the tenant out.",
     "Declare them with `emergency_access user \"...\", user \"...\"`.",
     "Entra ID: \"Manage emergency access accounts\""},
    {"IDP-CA-003", "legacy-auth-not-blocked", DIAG_WARNING,
     "Legacy authentication is not blocked for all users without narrowing conditions",
     "Legacy clients cannot do MFA; one platform, location or app left open is enough for "
     "password spraying.",
     "Add an enabled policy: all users, all apps, `client_apps exchange_active_sync, other`, "
     "`grant block`, with no platform, location, risk or device condition.",
     "Entra ID: \"Block legacy authentication with Conditional Access\""},
    {"IDP-CA-004", "device-code-not-restricted", DIAG_WARNING,
     "The device code flow is not restricted",
     "Device code phishing hands an attacker tokens for a code the victim enters.",
     "Add an enabled policy: all users, all apps, `auth_flows device_code`, `grant block` "
     "(exclude the few users and devices that need it).",
     "Entra ID: \"Block authentication flows with Conditional Access policy\""},
    {"IDP-CA-005", "policy-applies-to-nothing", DIAG_WARNING,
     "A policy applies to nothing",
     "A policy whose assignments include nothing, or exclude everything they include, never "
     "applies: it is dead configuration or a mistake.",
     "Fix the include and exclude lists, or delete the policy.",
     "Entra ID: \"Conditional Access: Users, groups, and workload identities\"; \"Target "
     "resources\""},
    {"IDP-CA-006", "missing-reference", DIAG_ERROR,
     "A policy references an object that does not exist",
     "Entra keeps the ids of deleted users, groups and locations in policies; an exclusion of a "
     "deleted group silently excludes nobody, an inclusion includes nobody.",
     "Remove the reference or point it at an existing object.",
     "Entra ID: \"Troubleshooting Conditional Access\" (deleted objects in policies)"},
    {"IDP-CA-007", "duplicate-policy", DIAG_WARNING,
     "Two policies have the same assignments, conditions and controls",
     "A duplicate doubles the places to change and drifts apart over time.",
     "Delete one of them.",
     "idpc"},
    {"IDP-CA-008", "contradictory-policies", DIAG_WARNING,
     "Two policies with the same assignments and conditions contradict each other",
     "When one blocks and the other grants, block wins and the other policy never has an "
     "effect; opposite session settings leave the result to the most restrictive one.",
     "Merge them, or narrow one of them.",
     "Entra ID: \"Conditional Access policies\" (how multiple policies apply)"},
    {"IDP-CA-009", "uncovered-exclusion", DIAG_WARNING,
     "Exclusions that no other policy covers",
     "A principal excluded from a policy and targeted by no other enabled policy with a control "
     "signs in with a password alone.",
     "Cover the excluded users with another policy (for example a location-based one for a "
     "service account), or keep the exclusion temporary and reviewed.",
     "\"Common security policies for Microsoft 365 organizations\" (Exclusions)"},

    /* Application consent. */
    {"IDP-APP-001", "user-consent-unrestricted", DIAG_WARNING,
     "Users may consent to any application",
     "An illicit consent grant gives an attacker's app the user's data without a password; "
     "Microsoft recommends letting users consent only to apps from verified publishers that "
     "ask for low-impact permissions.",
     "Write `user_consent verified_publishers_low_impact` (or `off`) in `settings`.",
     "Entra ID: \"Configure how users consent to applications\""},
    {"IDP-APP-002", "admin-consent-workflow-off", DIAG_WARNING,
     "User consent is restricted but users cannot request admin consent",
     "Without the admin consent workflow a user blocked by the consent settings has no "
     "sanctioned way to ask for an app and finds another way around.",
     "Write `admin_consent_requests on` and `admin_consent_reviewers ...` in `settings`.",
     "Entra ID: \"Configure the admin consent workflow\""},
};
/* clang-format on */

const struct lint_rule *lint_rules(size_t *n)
{
    *n = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

const struct lint_rule *lint_rule_by_code(const char *code)
{
    for (size_t i = 0; code && i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strcmp(rules[i].code, code) == 0)
            return &rules[i];
    return NULL;
}

void lint_rule_anchor(const struct lint_rule *r, char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "docs/check.md#");
    for (const char *p = r->code; *p && k + 1 < len; p++)
        buf[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    if (k < len)
        buf[k] = '\0';
}

const char *lint_status_name(enum lint_status s)
{
    return s == LINT_PASS       ? "pass"
           : s == LINT_FAIL     ? "fail"
           : s == LINT_DECLARED ? "declared"
                                : "manual";
}

/* ---------------------------------------------------------------------------------------- */
/* Diagnostics                                                                              */

static void vemit(struct lint_ctx *c, const char *code, const char *at, const char *fmt, va_list ap)
    IDPC_PRINTF(4, 0);
static void vemit(struct lint_ctx *c, const char *code, const char *at, const char *fmt, va_list ap)
{
    const struct lint_rule *r = lint_rule_by_code(code);
    enum diag_severity sev = r ? r->severity : DIAG_WARNING;
    if (sev == DIAG_ERROR)
        c->errors++;
    else
        c->warnings++;
    diag_vemit(c->diag, sev, code, diag_loc_from_string(c->diag, at), fmt, ap);
}

void lint_emit(struct lint_ctx *c, const char *code, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vemit(c, code, at, fmt, ap);
    va_end(ap);
}

void lint_note(struct lint_ctx *c, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    msg = strbuf_detach(&sb);
    diag_note(c->diag, diag_loc_from_string(c->diag, at), "%s", msg);
    free(msg);
}
