/* signins.h — a tenant's sign-in log (GET /auditLogs/signIns), read page by page so that memory
 * holds one page at a time: from Microsoft Graph, filtered on createdDateTime by the server and
 * throttle-aware through the HTTP layer (Retry-After); from a file tenant, its
 * "auditLogs/signIns" collection filtered here.
 * Ownership: every record handed to the callback is borrowed for the call only. */
#ifndef IDPC_SIGNINS_H
#define IDPC_SIGNINS_H

#include <jansson.h>

#include "runtime/tenant/backend.h"

/* Called once per record, with where it came from ("GET /auditLogs/signIns page 2 item 17").
 * Return 0 to go on; a non-zero return stops the scan and is returned. */
typedef int (*signins_fn)(const json_t *rec, const char *where, void *ctx);

/* Every sign-in created at or after `since` (ISO 8601 UTC, "2025-05-01T00:00:00Z"), newest
 * first as Graph returns them. 0, the callback's non-zero return, or -1 with err filled. */
int signins_scan(struct backend *b, const char *since, signins_fn fn, void *ctx,
                 struct backend_error *err);

#endif
