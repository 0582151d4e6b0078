/* plan_impact.c — the plan's "impact" field: the tenant's Conditional Access policies before and
 * after the plan (the lockout guard's states, lockout_states_inputs) evaluated over the coverage scenario space (impact_analyse),
 * with the tenant's names for the ids the policies hold. docs/plan-format.md, "impact". */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/analysis/impact.h"
#include "runtime/analysis/lockout.h"

/* Rows the JSON plan keeps (the text and markdown show fewer). */
#define IMPACT_JSON_ROWS 500
/* Classes of scenarios a plan evaluates at most (about a second of CPU): each dimension's values
 * fall into classes its policies treat alike, and the classes multiply; 195 policies that each
 * name their own group, location, application, platform, client app type and risk level can make
 * billions. docs/plan-format.md, "impact". */
#define IMPACT_PLAN_MAX_EVALUATED 10000000

static const char *name_of(void *arg, const char *key)
{
    struct tenant *t = arg;
    static const char group_token[] = MODEL_NEW_PREFIX "group:";
    if (strncmp(key, group_token, sizeof(group_token) - 1) == 0)
        return key + sizeof(group_token) - 1;
    const enum tenant_kind kinds[] = {TK_GROUP, TK_USER};
    for (size_t k = 0; k < IDPC_ARRAY_LEN(kinds); k++) {
        struct tenant_obj *o = tenant_by_id(t, kinds[k], key);
        if (o)
            return tenant_display_name(t, kinds[k], o);
    }
    return NULL;
}

void plan_impact(json_t *plan, struct tenant *t, const struct lockout_states *states)
{
    const json_t *ea = json_object_get(plan, "emergencyAccess");
    const char **emergency = xcalloc(json_array_size(ea) + 1, sizeof(char *));
    size_t n = 0, i;
    const json_t *e;
    json_array_foreach(ea, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "id"));
        if (id)
            emergency[n++] = id;
    }
    struct impact_options o = {
        emergency,
        name_of,
        t,
        IMPACT_JSON_ROWS,
        IMPACT_PLAN_MAX_EVALUATED,
        {lockout_states_locindex(states, false), lockout_states_locindex(states, true)}};
    json_object_set_new(plan, "impact",
                        impact_analyse(lockout_states_inputs(states, false),
                                       lockout_states_inputs(states, true), &o));
    free(emergency);
}

static const char *severity_title(const char *sev)
{
    static const char *const t[][2] = {{"blocked", "newly blocked"},
                                       {"unprotected", "newly allowed without MFA or a device"},
                                       {"weaker", "weaker"},
                                       {"stronger", "stronger"},
                                       {"changed", "changed"}};
    for (size_t i = 0; i < IDPC_ARRAY_LEN(t); i++)
        if (sev && strcmp(sev, t[i][0]) == 0)
            return t[i][1];
    return sev ? sev : "?";
}

/* Markdown text: escape what would start markup. */
static void md_text(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("\\`*_<>[]|#", *s))
            strbuf_addc(sb, '\\');
        strbuf_addc(sb, *s == '\n' ? ' ' : *s);
    }
}

static size_t num(const json_t *o, const char *k)
{
    return (size_t)json_integer_value(json_object_get(o, k));
}

void plan_impact_render(const json_t *plan, bool markdown, bool color, size_t max_rows,
                        size_t max_bytes, FILE *out)
{
    const json_t *im = json_object_get(plan, "impact");
    if (!json_is_object(im))
        return;
    const json_t *rows = json_object_get(im, "rows");
    size_t scenarios = num(im, "scenarios"), changed = num(im, "changed");
    size_t nrows = json_array_size(rows) + num(im, "rowsLeftOut");
    const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    struct strbuf sb = STRBUF_INIT;
    if (markdown)
        strbuf_adds(&sb, "#### Impact on sign-ins\n\n");
    else
        strbuf_addf(&sb, "%sImpact on sign-ins:%s ", bold, off);
    const json_t *skipped = json_object_get(im, "notEvaluated");
    if (json_is_object(skipped)) {
        strbuf_addf(&sb,
                    "not evaluated: the policies split the %zu sign-in scenarios into %zu classes "
                    "to evaluate, more than the %zu a plan evaluates; `idpc coverage` of the "
                    "configuration shows who gets what after the plan.\n",
                    scenarios, num(skipped, "classes"), num(skipped, "limit"));
        fputs(strbuf_str(&sb), out);
        fputc('\n', out);
        strbuf_fini(&sb);
        return;
    }
    if (!changed) {
        strbuf_addf(&sb, "no sign-in changes outcome (%zu scenarios evaluated before and after).\n",
                    scenarios);
        fputs(strbuf_str(&sb), out);
        fputc('\n', out);
        strbuf_fini(&sb);
        return;
    }
    strbuf_addf(
        &sb,
        "%zu of %zu sign-in scenarios change outcome (personas × apps × platforms × "
        "locations × client apps × risk levels), in %zu row%s with their scenario counts, most "
        "severe first.\n",
        changed, scenarios, nrows, nrows == 1 ? "" : "s");
    size_t shown = 0, shown_scenarios = 0;
    const char *last = NULL;
    for (size_t i = 0; i < json_array_size(rows) && shown < max_rows; i++) {
        const json_t *r = json_array_get(rows, i);
        const char *sev = json_string_value(json_object_get(r, "severity"));
        struct strbuf line = STRBUF_INIT;
        if (!last || strcmp(last, sev) != 0) {
            if (markdown)
                strbuf_addf(&line, "\n**%s**\n\n", severity_title(sev));
            else
                strbuf_addf(&line, "  %s:\n", severity_title(sev));
        }
        if (markdown) {
            strbuf_adds(&line, "- ");
            md_text(&line, json_string_value(json_object_get(r, "text")));
            strbuf_addf(&line, " — %zu\n", num(r, "scenarios"));
        } else {
            strbuf_addf(&line, "    %s  [%zu]\n", json_string_value(json_object_get(r, "text")),
                        num(r, "scenarios"));
        }
        bool fits = !max_bytes || sb.len + line.len + 300 <= max_bytes;
        if (fits) {
            strbuf_adds(&sb, strbuf_str(&line));
            shown++;
            shown_scenarios += num(r, "scenarios");
            last = sev;
        }
        strbuf_fini(&line);
        if (!fits)
            break;
    }
    if (shown < nrows) {
        size_t left = nrows - shown;
        strbuf_addf(&sb,
                    "%s… %zu more row%s (%zu scenarios) left out; `idpc plan --format json` lists "
                    "%s.\n",
                    markdown ? "\n" : "    ", left, left == 1 ? "" : "s", changed - shown_scenarios,
                    num(im, "rowsLeftOut") ? "the first 500 rows" : "them all");
    }
    fputs(strbuf_str(&sb), out);
    fputc('\n', out);
    strbuf_fini(&sb);
}
