/* render_text.c — the plan as text, in the spirit of `terraform plan`. */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/analysis/lockout.h"

struct style {
    bool color;
};

static const char *c_on(const struct style *st, const char *code)
{
    return st->color ? code : "";
}

static const char *c_off(const struct style *st)
{
    return st->color ? "\033[0m" : "";
}

#define GREEN   "\033[32m"
#define YELLOW  "\033[33m"
#define RED     "\033[31m"
#define MAGENTA "\033[35m"
#define BOLD    "\033[1m"
#define DIM     "\033[2m"

static const char *op_sign(const char *op)
{
    if (strcmp(op, "create") == 0)
        return "+";
    if (strcmp(op, "update") == 0)
        return "~";
    if (strcmp(op, "delete") == 0)
        return "-";
    return "-/+";
}

static const char *op_color(const char *op)
{
    if (strcmp(op, "create") == 0)
        return GREEN;
    if (strcmp(op, "update") == 0)
        return YELLOW;
    if (strcmp(op, "delete") == 0)
        return RED;
    return MAGENTA;
}

static void quoted(FILE *out, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *q = json_dumps(j, JSON_ENCODE_ANY);
    fputs(q, out);
    free(q);
    json_decref(j);
}

static void change_line(FILE *out, const struct style *st, const json_t *c, bool creating)
{
    const char *op = json_string_value(json_object_get(c, "op"));
    const char *field = json_string_value(json_object_get(c, "field"));
    const char *oldv = json_string_value(json_object_get(c, "old"));
    const char *newv = json_string_value(json_object_get(c, "new"));
    json_t *added = json_object_get(c, "added");
    json_t *removed = json_object_get(c, "removed");
    if (creating && strcmp(field, "name") == 0)
        return;
    if (strcmp(op, "add") == 0) {
        fprintf(out, "      %s+%s %s: %s\n", c_on(st, GREEN), c_off(st), field, newv ? newv : "");
    } else if (strcmp(op, "remove") == 0) {
        fprintf(out, "      %s-%s %s: %s\n", c_on(st, RED), c_off(st), field, oldv ? oldv : "");
    } else if (added || removed) {
        fprintf(out, "      %s~%s %s:", c_on(st, YELLOW), c_off(st), field);
        size_t i;
        json_t *v;
        bool first = true;
        json_array_foreach(added, i, v)
        {
            fprintf(out, "%s %s+ %s%s", first ? "" : ",", c_on(st, GREEN), json_string_value(v),
                    c_off(st));
            first = false;
        }
        json_array_foreach(removed, i, v)
        {
            fprintf(out, "%s %s- %s%s", first ? "" : ",", c_on(st, RED), json_string_value(v),
                    c_off(st));
            first = false;
        }
        fputc('\n', out);
    } else {
        fprintf(out, "      %s~%s %s: %s → %s\n", c_on(st, YELLOW), c_off(st), field,
                oldv ? oldv : "", newv ? newv : "");
    }
}

static void action_block(FILE *out, const struct style *st, const json_t *a)
{
    const char *op = json_string_value(json_object_get(a, "op"));
    fprintf(out, "  %s%s%s %s ", c_on(st, op_color(op)), op_sign(op), c_off(st),
            json_string_value(json_object_get(a, "word")));
    quoted(out, json_string_value(json_object_get(a, "name")));
    const char *renamed = json_string_value(json_object_get(a, "renamedFrom"));
    const char *tname = json_string_value(json_object_get(a, "tenantName"));
    if (renamed) {
        fputs(" (renamed from ", out);
        quoted(out, renamed);
        fputc(')', out);
    } else if (tname) {
        fputs(" (", out);
        quoted(out, tname);
        fputs(" in the tenant)", out);
    }
    const char *at = json_string_value(json_object_get(a, "at"));
    if (at)
        fprintf(out, "  %s%s%s", c_on(st, DIM), at, c_off(st));
    fputc('\n', out);
    const char *reason = json_string_value(json_object_get(a, "reason"));
    if (reason)
        fprintf(out, "      %s# %s%s\n", c_on(st, DIM), reason, c_off(st));
    bool creating = strcmp(op, "update") != 0; /* whole objects: the name is above */
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(a, "changes"), i, c)
    {
        change_line(out, st, c, creating);
    }
    fputc('\n', out);
}

static void unmanaged_block(FILE *out, const struct style *st, const json_t *plan)
{
    const json_t *list = json_object_get(plan, "unmanaged");
    struct plan_summary sum;
    plan_summary(plan, &sum);
    size_t total = sum.unmanaged;
    size_t i;
    json_t *u;
    if (!total)
        return;
    fprintf(out, "%sUnmanaged%s: in the tenant, not in the configuration (left alone):\n",
            c_on(st, BOLD), c_off(st));
    /* Policies, locations and strengths are listed; the many groups and role assignments a
     * tenant has are counted. */
    static const char *const counted[] = {"group", "unifiedRoleAssignment",
                                          "unifiedRoleEligibilityScheduleRequest"};
    size_t counts[3] = {0, 0, 0};
    json_array_foreach(list, i, u)
    {
        if (json_is_true(json_object_get(u, "delete")))
            continue;
        const char *kind = json_string_value(json_object_get(u, "kind"));
        bool count = false;
        for (size_t k = 0; k < 3; k++)
            if (strcmp(kind, counted[k]) == 0) {
                counts[k]++;
                count = true;
            }
        if (count)
            continue;
        fprintf(out, "    %s ", json_string_value(json_object_get(u, "word")));
        quoted(out, json_string_value(json_object_get(u, "name")));
        fputc('\n', out);
    }
    for (size_t k = 0; k < 3; k++)
        counts[k] += (size_t)json_integer_value(
            json_object_get(json_object_get(plan, "unmanagedMore"), counted[k]));
    static const char *const words[][2] = {{"group", "groups"},
                                           {"role assignment", "role assignments"},
                                           {"role eligibility", "role eligibilities"}};
    for (size_t k = 0; k < 3; k++)
        if (counts[k])
            fprintf(out, "    %zu %s (listed in --format json, up to 100)\n", counts[k],
                    words[k][counts[k] == 1 ? 0 : 1]);
    fputc('\n', out);
}

static void messages(FILE *out, const struct style *st, const json_t *list, const char *title)
{
    if (!json_array_size(list))
        return;
    fprintf(out, "%s%s%s:\n", c_on(st, BOLD), title, c_off(st));
    size_t i;
    json_t *n;
    json_array_foreach(list, i, n)
    {
        const char *at = json_string_value(json_object_get(n, "at"));
        fprintf(out, "    %s%s%s\n", at ? at : "", at ? ": " : "",
                json_string_value(json_object_get(n, "message")));
    }
    fputc('\n', out);
}

/* A lockout risk accepted with --allow-lockout-risk (runtime/lockout.h). */
static void lockout_block(FILE *out, const struct style *st, const json_t *plan)
{
    const json_t *risks = lockout_risks(plan);
    if (!lockout_allowed(plan) || json_array_size(risks) == 0)
        return;
    fprintf(out, "%s%sLOCKOUT RISK ACCEPTED (--allow-lockout-risk):%s after this plan,\n",
            c_on(st, BOLD), c_on(st, RED), c_off(st));
    for (size_t i = 0; i < json_array_size(risks); i++) {
        const json_t *r = json_array_get(risks, i);
        char *h = lockout_headline(r);
        char *sc = lockout_scenario_text(json_object_get(r, "scenario"));
        char *pol = lockout_policies_text(json_object_get(r, "policies"));
        fprintf(out, "    %s\n      sign-in: %s\n      decided by: %s\n", h, sc, pol);
        free(pol);
        free(sc);
        free(h);
    }
    fputc('\n', out);
}

void plan_render_text(const json_t *plan, bool color, FILE *out)
{
    struct style st = {color};
    const json_t *t = json_object_get(plan, "tenant");
    fprintf(out, "Tenant %s (%s), read from %s\n\n",
            json_string_value(json_object_get(t, "domain"))
                ? json_string_value(json_object_get(t, "domain"))
                : "?",
            json_string_value(json_object_get(t, "id")),
            json_string_value(json_object_get(t, "backend")));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        action_block(out, &st, a);
    }
    unmanaged_block(out, &st, plan);
    lockout_block(out, &st, plan);
    plan_impact_render(plan, false, color, 40, 0, out);
    messages(out, &st, json_object_get(plan, "notes"), "Notes");
    messages(out, &st, json_object_get(plan, "warnings"), "Warnings");
    struct plan_summary s;
    plan_summary(plan, &s);
    if (!plan_has_changes(plan)) {
        fprintf(out, "%sNo changes.%s The tenant matches the configuration", c_on(&st, BOLD),
                c_off(&st));
    } else {
        fprintf(out, "%sPlan:%s %u to create, %u to update, %u to replace, %u to delete",
                c_on(&st, BOLD), c_off(&st), s.create, s.update, s.replace, s.del);
    }
    if (s.unmanaged)
        fprintf(out, "; %u unmanaged object%s left alone", s.unmanaged,
                s.unmanaged == 1 ? "" : "s");
    fputs(".\n", out);
}
