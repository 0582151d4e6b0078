/* render_json.c — the plan as JSON (the saved-plan format, docs/plan-format.md) and the format
 * dispatch. */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>

void plan_render_json(const json_t *plan, FILE *out)
{
    char *s = json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs(s ? s : "{}", out);
    fputc('\n', out);
    free(s);
}

bool plan_format_parse(const char *s, enum plan_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = PLAN_FMT_TEXT;
    else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
        *out = PLAN_FMT_MARKDOWN;
    else if (strcmp(s, "json") == 0)
        *out = PLAN_FMT_JSON;
    else
        return false;
    return true;
}

void plan_render(const json_t *plan, enum plan_format fmt, bool color, FILE *out)
{
    switch (fmt) {
    case PLAN_FMT_TEXT:
        plan_render_text(plan, color, out);
        break;
    case PLAN_FMT_MARKDOWN:
        plan_render_markdown(plan, out);
        break;
    case PLAN_FMT_JSON:
        plan_render_json(plan, out);
        break;
    }
}
