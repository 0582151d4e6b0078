/* unit_json.h — a JSON fixture for the unit tests: unit_json() decodes a test's own text (any
 * value) and fails the test, naming the text, when it is not JSON. Include it after <cmocka.h>.
 * Ownership: the caller owns the returned value (json_decref). */
#ifndef IDPC_UNIT_JSON_H
#define IDPC_UNIT_JSON_H

#include <jansson.h>

static inline json_t *unit_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad JSON in test: %s: %s", je.text, text);
    return j;
}

#endif
