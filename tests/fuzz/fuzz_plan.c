/* fuzz_plan.c — libFuzzer target: the saved-plan reader (plan_parse, docs/plan-format.md). Any
 * input must be accepted as a plan of the documented shape or refused with a message, never crash
 * or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct backend_error err;
    memset(&err, 0, sizeof(err));
    json_t *plan = plan_parse((const char *)data, size, "fuzz.json", &err);
    if (!plan && !err.message[0])
        abort(); /* a refusal always says why */
    json_decref(plan);
    return 0;
}
