/* fuzz_rule.c — libFuzzer target for the Entra rule language: parse (and check) the input as
 * every kind of rule; on success print it, reparse the printed form (which must succeed and print
 * identically) and evaluate it against an empty property set. Any input must end in a rule or a
 * diagnostic with offsets inside the input, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct rule_error *err, size_t size)
{
    if (err->start > err->end || err->end > size || err->message[0] == '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum rule_target targets[] = {RULE_MEMBERSHIP_USER, RULE_MEMBERSHIP_DEVICE,
                                               RULE_DEVICE_FILTER, RULE_APP_FILTER};
    const char *text = (const char *)data;
    json_t *empty = json_object();
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        struct rule_error err;
        struct rule_expr *e = rule_parse(text, size, targets[i], &err);
        if (!e) {
            check_error(&err, size);
            continue;
        }
        char *s = rule_to_string(e);
        if (strlen(s) > RULE_MAX_LEN) { /* printing may add parentheses and spaces */
            free(s);
            rule_free(e);
            continue;
        }
        struct rule_expr *again = rule_parse(s, strlen(s), targets[i], &err);
        if (!again)
            abort(); /* the canonical form must parse */
        char *s2 = rule_to_string(again);
        if (strcmp(s, s2) != 0)
            abort(); /* and print identically */
        bool r;
        (void)rule_eval(e, empty, &r);
        free(s2);
        free(s);
        rule_free(again);
        rule_free(e);
    }
    json_decref(empty);
    return 0;
}
