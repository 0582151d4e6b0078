/* raise_strength_combos.c — the inverse of lower_strength_combos.c: a strength's canonical
 * combinationConfigurations (normalize(NK_AUTH_STRENGTH): `kind` instead of @odata.type, ids
 * dropped) → `fido2_keys`, `certificate_issuers` and `certificate_policy_oids` lines. */
#include <stdlib.h>
#include <string.h>

#include "compiler/raise_int.h"

static void list_line(struct raise_block *b, const char *kw, const json_t *list)
{
    if (json_array_size(list) == 0)
        return;
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, kw);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        if (i)
            line_comma(&l);
        line_str(&l, json_string_value(v) ? json_string_value(v) : "");
    }
    block_add_line(b, &l);
}

void raise_strength_combos(struct raise_block *b, const json_t *configs)
{
    size_t i;
    const json_t *c;
    json_array_foreach(configs, i, c)
    {
        const char *kind = json_string_value(json_object_get(c, "kind"));
        if (!kind)
            kind = json_string_value(json_object_get(c, "@odata.type"));
        if (kind && strstr(kind, "fido2CombinationConfiguration")) {
            list_line(b, "fido2_keys", json_object_get(c, "allowedAAGUIDs"));
        } else if (kind && strstr(kind, "x509CertificateCombinationConfiguration")) {
            list_line(b, "certificate_issuers", json_object_get(c, "allowedIssuerSkis"));
            list_line(b, "certificate_policy_oids", json_object_get(c, "allowedPolicyOIDs"));
        } else {
            char *t = raise_json_text(c);
            raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "combinationConfigurations",
                        "cannot express the combination configuration %s", t);
            free(t);
        }
    }
}
