/* lower_onprem_sync.c — `on_premises_sync { ... }`: the tenant's on-premises directory
 * synchronization object (Graph v1.0 "onPremisesDirectorySynchronization resource type",
 * https://learn.microsoft.com/graph/api/resources/onpremisesdirectorysynchronization: read and
 * update only, one per tenant, its id is the tenant id) and the health the configuration expects
 * of it.
 *
 *   FEATURE on|off                          → features.<flag> (catalog_sync.c)
 *   accidental_deletion_prevention off | count N | percent N
 *                                           → configuration.accidentalDeletionPrevention
 *                                             {synchronizationPreventionType, alertThreshold}
 *   sync_health max_age D [max_errors N]    → the "directorySync" assertion (never applied):
 *                                             checked by `check --tenant` (IDP-P2-010) and plan
 *
 * The body holds only what the block states, so that plan compares only those properties
 * (the read-only and unstated ones never show as a difference). */
#include <string.h>

#include "compiler/check_int.h"

#define SYNC_MAX_AGE_HOURS  (30 * 24)
#define DELETION_COUNT_MAX  100000L /* far above any sensible threshold: a typo guard */
#define SYNC_MAX_ERRORS_MAX 100000L

bool lower_sync_max_age(struct args *a, long long *hours)
{
    const struct ast_atom *d = args_peek(a);
    if (!d || d->kind != AST_DURATION) {
        args_expected(a, "a duration such as 3h or 2d");
        return false;
    }
    args_next(a);
    if (strcmp(d->text, "h") == 0) {
        *hours = d->num;
    } else if (strcmp(d->text, "d") == 0) {
        *hours = d->num * 24;
    } else {
        args_error(a, d, "max_age is in hours or days, such as 3h or 2d; found '%lld%s'", d->num,
                   d->text);
        return false;
    }
    if (*hours < 1 || *hours > SYNC_MAX_AGE_HOURS) {
        args_error(a, d,
                   "max_age must be between 1h and 30d (directory synchronisation runs every "
                   "30 minutes)");
        return false;
    }
    return true;
}

bool lower_sync_assertion_once(struct check *ck, struct loc at)
{
    const struct model_object *other = model_find(ck->model, MODEL_ASSERTION, "directorySync");
    if (!other)
        return true;
    diag_error(ck->diag, at,
               "directory synchronisation health is stated twice: keep one of 'sync_health' "
               "(on_premises_sync) and 'directory_sync required' (settings)");
    diag_note(ck->diag, other->loc, "first stated here");
    return false;
}

static bool number(struct args *a, const char *what, long lo, long hi, long *out)
{
    const struct ast_atom *v = args_peek(a);
    if (!v || v->kind != AST_NUMBER) {
        args_expected(a, what);
        return false;
    }
    args_next(a);
    if (v->num < lo || v->num > hi) {
        args_error(a, v, "%s must be between %ld and %ld", what, lo, hi);
        return false;
    }
    *out = (long)v->num;
    return true;
}

/* accidental_deletion_prevention off | count N | percent N */
static json_t *deletion_prevention(struct args *a)
{
    static const char *const modes[] = {"off", "count", "percent"};
    int m =
        args_expect_word(a, "accidental deletion prevention mode", modes, IDPC_ARRAY_LEN(modes));
    if (m < 0)
        return NULL;
    if (m == 0)
        return args_expect_end(a) ? json_pack("{s:s}", "synchronizationPreventionType", "disabled")
                                  : NULL;
    long n;
    if (!(m == 1 ? number(a, "a number of deleted objects", 1, DELETION_COUNT_MAX, &n)
                 : number(a, "a percentage of deleted objects", 1, 100, &n)) ||
        !args_expect_end(a))
        return NULL;
    return json_pack("{s:s,s:i}", "synchronizationPreventionType",
                     m == 1 ? "enabledForCount" : "enabledForPercentage", "alertThreshold",
                     (json_int_t)n);
}

/* sync_health max_age D [max_errors N] */
static json_t *sync_health(struct args *a)
{
    if (!args_accept(a, "max_age")) {
        args_error(a, args_peek(a),
                   "sync_health starts with the largest age of the last synchronisation: "
                   "'sync_health max_age 3h [max_errors N]'");
        return NULL;
    }
    long long hours;
    if (!lower_sync_max_age(a, &hours))
        return NULL;
    json_t *o = json_pack("{s:s,s:I}", "assert", "directorySync", "maxAgeHours", (json_int_t)hours);
    if (args_accept(a, "max_errors")) {
        long n;
        if (!number(a, "a number of objects with synchronisation errors", 0, SYNC_MAX_ERRORS_MAX,
                    &n)) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "maxErrors", json_integer(n));
    }
    if (!args_expect_end(a)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void lower_onprem_sync(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body,
                       size_t n)
{
    size_t nf;
    const struct catalog_sync_feature *ft = catalog_sync_features(&nf);
    const struct ast_stmt **seen = xcalloc(nf + 2, sizeof(*seen));
    const char *where = "the on_premises_sync block";
    json_t *features = json_object(), *prevention = NULL, *health = NULL;
    const struct ast_stmt *health_stmt = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ast_stmt *s = body[i];
        const char *kw = s->atoms[0].text;
        struct args a;
        args_init(&a, ck, s);
        const struct catalog_sync_feature *f = catalog_sync_feature_by_keyword(kw);
        if (f) {
            if (!check_once(ck, &seen[f - ft], s, where))
                continue;
            bool on;
            if (args_on_off(&a, &on) && args_expect_end(&a))
                json_object_set_new(features, f->graph, json_boolean(on));
        } else if (strcmp(kw, "accidental_deletion_prevention") == 0) {
            if (!check_once(ck, &seen[nf], s, where))
                continue;
            json_decref(prevention);
            prevention = deletion_prevention(&a);
        } else if (strcmp(kw, "sync_health") == 0) {
            if (!check_once(ck, &seen[nf + 1], s, where))
                continue;
            json_decref(health);
            health = sync_health(&a);
            health_stmt = s;
        }
    }
    free(seen);
    if (json_object_size(features) || prevention) {
        struct model_object *o = model_add(
            ck->model, MODEL_ONPREM_SYNC, "onPremisesDirectorySynchronization", decl->atoms[0].loc);
        if (json_object_size(features))
            json_object_set(o->body, "features", features);
        if (prevention)
            json_object_set_new(o->body, "configuration",
                                json_pack("{s:O}", "accidentalDeletionPrevention", prevention));
    }
    if (health && lower_sync_assertion_once(ck, health_stmt->atoms[0].loc)) {
        struct model_object *o =
            model_add(ck->model, MODEL_ASSERTION, "directorySync", health_stmt->atoms[0].loc);
        json_decref(o->body);
        o->body = json_incref(health);
    }
    json_decref(health);
    json_decref(prevention);
    json_decref(features);
}
