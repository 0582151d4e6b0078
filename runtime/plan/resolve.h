/* resolve.h — binds the desired model to the observed tenant: matches each desired object to the
 * tenant object it manages, and replaces every symbolic reference by an id.
 * Ownership: a struct resolve owns its per-object results (JSON and strings, one reference each)
 * and its notes; the model, diagnostics context and tenant are borrowed and must outlive it. */
#ifndef IDPC_RESOLVE_H
#define IDPC_RESOLVE_H

#include <jansson.h>
#include <stdbool.h>

#include "compiler/diag.h"
#include "compiler/model.h"
#include "compiler/strmap.h"
#include "runtime/tenant/tenant.h"

/* Placeholder for the id of an object the same plan creates (compiler/model.h). */
#define RESOLVE_NEW_PREFIX MODEL_NEW_PREFIX

struct resolve_object {
    struct model_object *obj; /* borrowed */
    json_t *current;          /* the tenant object it manages (new reference), or NULL: create
                                 (a named location: NULL until resolve_thaw_current) */
    bool current_thawed;      /* `current` was thawed by resolve_thaw_current */
    char *current_id;
    char *current_name;
    bool case_only;           /* matched by a name that differs in case only */
    bool by_rename;           /* matched through renamed_from */
    json_t *body;             /* the body with references resolved; NULL for a frozen object
                               * (compiler/model.h) until resolve_thaw */
    json_t *members, *owners; /* resolved id arrays, NULL when the config does not manage them */
    json_t *current_members, *current_owners; /* the tenant's, when managed */
    char *token;                              /* RESOLVE_NEW_PREFIX token while it is new */
    char *replace; /* why the tenant object must be replaced (create new, delete old), or NULL */
    /* where current_id is in its kind's tenant index, once asked (resolve_current_at) */
    size_t current_at;
    bool current_at_known;
};

struct resolve {
    struct model *m;
    struct diag_ctx *diag;
    struct tenant *t;
    struct resolve_object *v; /* one per model object, same order */
    struct strmap desired[MODEL__COUNT];
    json_t *notes;     /* [{"at": "file:l:c", "message": "..."}] */
    json_t *emergency; /* [{"id", "name", "at"}] resolved emergency-access principals */
    unsigned errors;
};

/* Matches and resolves. Unresolved or ambiguous names are errors queued on `diag` at the line
 * of the reference, with the candidates (did-you-mean). Returns 0, or -1 when there were errors. */
int resolve_run(struct resolve *r, struct model *m, struct diag_ctx *diag, struct tenant *t);
void resolve_fini(struct resolve *r);

/* A frozen object's body (compiler/model.h, model_freeze) carries no reference, so its resolved
 * body is the thawed body itself: resolve_run leaves ro->body NULL, resolve_thaw makes it the
 * thawed tree (shared with ro->obj->body) and resolve_release drops both again (the frozen text
 * stays). Both do nothing for an object that is not frozen. */
void resolve_thaw(struct resolve_object *ro);

/* Where ro's tenant object is in its kind's index (tenant_index_of of current_id), looked up
 * once: for the plan, after resolve_run (current_id no longer changes). TENANT_NONE when it has
 * none. */
size_t resolve_current_at(const struct resolve *r, struct resolve_object *ro);
void resolve_release(struct resolve_object *ro);

/* The tenant holds its named locations compactly (tenant_body): a matched one's `current`
 * stays NULL after resolve_run(), and resolve_thaw_current() makes it a tree (a new one, the
 * object's own) for the time it is planned, until resolve_release_current() releases it. Both do
 * nothing for an object whose `current` came from matching. */
void resolve_thaw_current(struct resolve *r, struct resolve_object *ro);
void resolve_release_current(struct resolve_object *ro);

/* "file:line:col" → a location in diag's sources (DIAG_LOC_NONE when the file is unknown). The
 * range covers the reference (`group "Sales"`) when the text allows. */
struct loc resolve_at_loc(const struct diag_ctx *diag, const char *at);

/* The placeholder for (kind, name); caller frees. */
char *resolve_new_token(const char *kind, const char *name);
/* Splits a placeholder; false when s is not one. *kind and *name are the caller's. */
bool resolve_parse_token(const char *s, char **kind, char **name);

/* The tenant kind behind a model kind (TK__COUNT when none). */
enum tenant_kind resolve_tenant_kind(enum model_kind k);

#endif
