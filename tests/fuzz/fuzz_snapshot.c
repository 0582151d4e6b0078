/* fuzz_snapshot.c — libFuzzer target: the file tenant's snapshot reader (docs/tenant-format.md)
 * and the tenant index built from it. The input is written to a private temporary file and opened
 * as `file:PATH`; any input must end in a tenant or an error message, never a crash or a leak.
 * The file lives in /dev/shm when there is one: on a disk, rewriting it each run cost more system
 * time than the reader took. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/tenant/backend.h"
#include "runtime/tenant/tenant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0])
        snprintf(path, sizeof(path), "%s/idpc-fuzz-snapshot-%ld.json",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    char *spec = xasprintf("file:%s", path);
    struct backend *b = NULL;
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    if (backend_open(spec, &b, &err) == 0) {
        struct tenant t;
        if (tenant_load(&t, b, &err) != 0 && !err.message[0])
            abort(); /* a failure always says why */
        tenant_free(&t);
        backend_close(b);
    } else if (!err.message[0]) {
        abort();
    }
    free(spec);
    return 0;
}
