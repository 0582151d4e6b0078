/* export.h — the export room: brings an existing tenant under management by writing the .idp
 * files that describe it (the inverse of plan). It reads a tenant through a backend
 * (runtime/tenant) or Graph JSON files, normalises what it read (runtime/plan/normalize.h),
 * raises it to the AST (compiler/raise.h) and prints it with the canonical printer.
 * Uses: runtime/plan, runtime/tenant, compiler. Used by: cli.
 * Ownership: options and their strings are borrowed; export owns nothing after it returns. */
#ifndef IDPC_EXPORT_H
#define IDPC_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

struct export_options {
    const char *tenant;        /* a backend spec (file:PATH, graph:...), or NULL: inputs */
    const char *const *inputs; /* Graph JSON files or directories, when tenant is NULL */
    size_t ninputs;
    const char *dir; /* output directory (created when missing), or NULL: standard output */
    bool split;      /* one file per policy */
    bool pin_ids;    /* `id "..."` in every declaration */
    bool all_groups; /* declare every group of the tenant */
};

/* Writes the .idp files; what cannot be expressed is reported on stderr and as `# idpc:`
 * comments. Returns 0, or -1 when an input could not be read or a file not written (what could
 * be read is still exported). */
int export_run(const struct export_options *o);

#endif
