/* versions.h — what `idpc --version` says: idpc's version and commit, and the versions of the
 * libraries (libcurl, jansson, OpenSSL) this process runs with, which may differ from the ones
 * it was built against. Ownership: nothing is allocated; the output stream is borrowed. */
#ifndef IDPC_VERSIONS_H
#define IDPC_VERSIONS_H

#include <stdio.h>

/* idpc's version ("0.1.0") and the commit it was built from ("52237d3", "unknown"). */
const char *versions_idpc(void);
const char *versions_commit(void);

/* Prints "idpc VERSION", then the commit and the run-time library versions, one per line. */
void versions_print(FILE *out);

#endif
