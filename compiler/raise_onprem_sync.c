/* raise_onprem_sync.c — `on_premises_sync { ... }` from the canonical form of the tenant's
 * onPremisesDirectorySynchronization (normalize(NK_ONPREM_SYNC, obj)): one line per feature flag
 * Graph reports (compiler/catalog_sync.c), and the accidental deletion prevention. A flag the
 * catalog does not know (a newer Graph) is reported and left as it is: plan compares only what
 * the block states. */
#include <string.h>

#include "compiler/raise_int.h"

static void deletion_prevention(struct raise_block *b, const json_t *adp)
{
    const char *type = json_string_value(json_object_get(adp, "synchronizationPreventionType"));
    const json_t *n = json_object_get(adp, "alertThreshold");
    if (!type)
        return;
    if (strcmp(type, "disabled") == 0) {
        block_add(b, raise_stmt(b->r, "ww", "accidental_deletion_prevention", "off"));
        return;
    }
    bool count = strcmp(type, "enabledForCount") == 0;
    if ((!count && strcmp(type, "enabledForPercentage") != 0) || !json_is_integer(n) ||
        json_integer_value(n) < 1 || (!count && json_integer_value(n) > 100)) {
        char *text = raise_json_text(adp);
        raise_issue(b->r, b, RAISE_ISSUE_UNSUPPORTED, "configuration.accidentalDeletionPrevention",
                    "cannot express the accidental deletion prevention %s", text);
        free(text);
        return;
    }
    struct raise_line l;
    line_init(&l, b->r);
    line_word(&l, "accidental_deletion_prevention");
    line_word(&l, count ? "count" : "percent");
    line_number(&l, json_integer_value(n));
    block_add_line(b, &l);
}

struct ast_stmt *raise_onprem_sync(struct raise *r, const json_t *canon)
{
    const json_t *features = json_object_get(canon, "features");
    const json_t *config = json_object_get(canon, "configuration");
    if (!json_object_size(features) && !json_object_size(config))
        return NULL;
    struct raise_block b;
    block_init(&b, r, "on_premises_sync");
    struct ast_stmt *decl = raise_decl(r, "on_premises_sync", NULL);
    static const char *const top[] = {"features", "configuration", NULL};
    raise_leftovers_kept(&b, canon, "onPremisesDirectorySynchronization", top);
    static const char *const cfg_known[] = {"accidentalDeletionPrevention", NULL};
    if (config)
        raise_leftovers_kept(&b, config, "configuration", cfg_known);
    size_t nf;
    const struct catalog_sync_feature *ft = catalog_sync_features(&nf);
    const char **known = xcalloc(nf + 1, sizeof(*known));
    for (size_t i = 0; i < nf; i++) {
        known[i] = ft[i].graph;
        const json_t *v = json_object_get(features, ft[i].graph);
        if (json_is_boolean(v))
            block_add(&b, raise_stmt(r, "ww", ft[i].keyword, json_is_true(v) ? "on" : "off"));
    }
    if (features)
        raise_leftovers_kept(&b, features, "features", known);
    free(known);
    deletion_prevention(&b, json_object_get(config, "accidentalDeletionPrevention"));
    return block_finish(&b, decl);
}
