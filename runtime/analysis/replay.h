/* replay.h — `idpc replay`: real sign-ins (Graph v1.0 signIn records) evaluated against the
 * tenant's current Conditional Access policies and the proposed ones of a configuration, one
 * record at a time; who would see a different outcome, and (verify) how far idpc's evaluation of
 * the current policies agrees with what Entra recorded. docs/replay.md has the semantics.
 * Ownership: a struct replay owns everything it accumulates and its tenant data; it borrows the
 * model it was opened with (keep it alive until replay_free) and never keeps a record it was fed. */
#ifndef IDPC_REPLAY_H
#define IDPC_REPLAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/model.h"

struct replay;

struct replay_options {
    const char *tenant;    /* tenant spec (runtime/tenant/backend.h); NULL = $IDPC_TENANT */
    const struct model *m; /* the proposed configuration */
    bool verify;           /* compare with each record's appliedConditionalAccessPolicies */
    size_t examples;       /* examples kept per change (0: 3) */
    size_t top;            /* most affected users and apps listed (0: 10) */
    size_t max_disagree;   /* disagreements listed (0: 50); all are counted */
};

/* Reads the tenant (policies, named locations, strengths, users, groups and their members,
 * directory role assignments) and prepares both evaluations. 0, or -1 with a message in err. */
int replay_open(struct replay **out, const struct replay_options *o, char *err, size_t errlen);
void replay_free(struct replay *r);

/* One record: a Graph signIn object. `file`, `line`, `col` say where it came from (for
 * messages and examples; file may be a Graph request). 0, or -1 with "FILE:LINE:COL: ..." in err
 * when the record is not a sign-in (not an object, a field of the wrong type). */
int replay_add(struct replay *r, const json_t *rec, const char *file, unsigned long line,
               unsigned long col, char *err, size_t errlen);

/* Streams a file (or "-" for standard input) of sign-ins: a {"value": [...]} page (several may
 * follow each other), a JSON array, or one JSON object per line; each record is parsed alone and
 * handed to replay_add. 0, or -1 with "FILE:LINE:COL: ..." in err. */
int replay_read_file(struct replay *r, const char *path, char *err, size_t errlen);

/* Reads the tenant's sign-ins created at or after `since` (ISO 8601 UTC) from
 * GET /auditLogs/signIns, page by page (runtime/tenant's signin scan). 0 or -1. */
int replay_read_tenant(struct replay *r, const char *since, char *err, size_t errlen);

/* --since: an age ("7d", "12h", "30m") before now, or a date ("2025-05-01") or date and time
 * ("2025-05-01T08:00:00Z") in UTC, as ISO 8601 UTC in out. 0, or -1 with a message in err. */
int replay_since(const char *arg, char *out, size_t outlen, char *err, size_t errlen);

/* The streaming splitter under replay_read_file, for tests: calls fn for each top-level record
 * with its position (1-based). fn returns 0 to go on; a non-zero return stops and is returned. */
typedef int (*replay_record_fn)(const json_t *rec, unsigned long line, unsigned long col,
                                void *ctx);
int replay_stream(FILE *f, const char *name, replay_record_fn fn, void *ctx, char *err,
                  size_t errlen);

/* Results. */
size_t replay_signins(const struct replay *r);
size_t replay_changed(const struct replay *r);
size_t replay_disagreements(const struct replay *r);
json_t *replay_to_json(const struct replay *r); /* new reference; docs/replay.md "JSON" */
void replay_print(const struct replay *r, FILE *f, bool markdown);

#endif
