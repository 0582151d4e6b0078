/* lockout_methods.h — the authentication methods policy as the lockout guard sees it: the method
 * configuration an emergency account's declared `satisfies` capability depends on, the
 * configurations a plan leaves, and whether a configuration lets an identity use the method.
 * Ownership: returned json_t values are new references; inputs are borrowed. */
#ifndef IDPC_LOCKOUT_METHODS_H
#define IDPC_LOCKOUT_METHODS_H

#include <jansson.h>
#include <stdbool.h>

/* The method configuration id a capability of `emergency_access ... satisfies` needs ("fido2" →
 * "Fido2", "x509_multifactor" → "X509Certificate"), or NULL when the capability depends on no
 * single method configuration (password, mfa, windows_hello, device states). */
const char *lockout_method_of(const char *cap);

/* The method configurations (the authenticationMethodConfigurations array of `policy`, which may
 * be NULL) after the PATCH requests of `plan` to
 * policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id} (top-level keys
 * replaced, as Graph's PATCH does). A new array. */
json_t *lockout_methods_after(const json_t *policy, const json_t *plan);

/* The configuration with this id (case-insensitive) in `configs`, or NULL. */
const json_t *lockout_method_find(const json_t *configs, const char *id);

/* Is the identity in group `group_id` (or is it that user)? */
typedef bool (*lockout_member_fn)(void *arg, const char *group_id);

/* Whether the configuration lets the identity use its method: enabled, included (all_users or a
 * target it belongs to) and not excluded. *why gets "disabled", "not included" or "excluded"
 * when it does not. */
bool lockout_method_usable(const json_t *cfg, lockout_member_fn member, void *arg,
                           const char **why);

#endif
