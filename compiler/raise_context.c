/* raise_context.c — `authentication_context "cN" { ... }` from the canonical form of an
 * authenticationContextClassReference (normalize(NK_AUTH_CONTEXT, obj): displayName,
 * description, isAvailable; the id is passed apart because the canonical form drops it). */
#include <string.h>

#include "compiler/raise_int.h"

struct ast_stmt *raise_auth_context(struct raise *r, const json_t *canon, const char *id)
{
    const char *name = id ? id : "(no id)";
    struct raise_block b;
    block_init(&b, r, arena_printf(r->arena, "authentication context \"%s\"", name));
    struct ast_stmt *decl = raise_decl(r, "authentication_context", name);
    static const char *const known[] = {"displayName", "description", "isAvailable", NULL};
    raise_leftovers(&b, canon, "", known);
    const char *display = json_string_value(json_object_get(canon, "displayName"));
    /* Entra requires a name; one without is written as the compiler's error says, so that the
     * export keeps it commented out with the reason. */
    if (display)
        block_add(&b, raise_stmt(r, "ws", "display_name", display));
    const char *desc = json_string_value(json_object_get(canon, "description"));
    if (desc && *desc)
        block_add(&b, raise_stmt(r, "ws", "description", desc));
    /* `available` is on by default: written only when off */
    if (json_is_false(json_object_get(canon, "isAvailable")))
        block_add(&b, raise_stmt(r, "ww", "available", "off"));
    return block_finish(&b, decl);
}
