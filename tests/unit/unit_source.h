/* unit_source.h — the repository's own files for the unit tests that read them: ctest sets
 * IDPC_SOURCE_DIR; unit_need_source_dir() skips the test, saying why, when it is not set, and
 * unit_source_path() names a file below it. Include it after <cmocka.h> and "compiler/util.h".
 * Ownership: the caller frees unit_source_path()'s result. */
#ifndef IDPC_UNIT_SOURCE_H
#define IDPC_UNIT_SOURCE_H

#include <stdio.h>
#include <stdlib.h>

static inline const char *unit_need_source_dir(void)
{
    const char *src = getenv("IDPC_SOURCE_DIR");
    if (!src) {
        printf("skipped: IDPC_SOURCE_DIR is not set (run through ctest)\n");
        skip();
    }
    return src;
}

static inline char *unit_source_path(const char *rel)
{
    return xasprintf("%s/%s", unit_need_source_dir(), rel);
}

#endif
