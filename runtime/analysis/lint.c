/* lint.c — the driver of `idpc check` and the exit-criteria report (text, markdown, JSON). The
 * lints are in lint_ca.c and lint_p2.c; the rule table and emitters below them in lint_rules.c. */
#include "runtime/analysis/lint.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/analysis/lint_int.h"

json_t *lint_diags_to_json(const struct diag_ctx *diag)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < diag_count(diag); i++) {
        const struct diag *d = diag_at(diag, i);
        json_t *o = json_object();
        json_object_set_new(o, "severity",
                            json_string(d->severity == DIAG_ERROR     ? "error"
                                        : d->severity == DIAG_WARNING ? "warning"
                                                                      : "note"));
        if (d->code)
            json_object_set_new(o, "code", json_string(d->code));
        json_object_set_new(o, "message", json_string(d->message));
        if (diag_loc_valid(d->loc)) {
            unsigned line, col;
            diag_line_col(diag, d->loc.file, d->loc.start, &line, &col);
            json_object_set_new(o, "file", json_string(diag_source(diag, d->loc.file)->path));
            json_object_set_new(o, "line", json_integer(line));
            json_object_set_new(o, "column", json_integer(col));
        }
        json_t *notes = json_array();
        for (size_t k = 0; k < d->nnotes; k++) {
            json_t *n = json_object();
            json_object_set_new(n, "message", json_string(d->notes[k].message));
            if (diag_loc_valid(d->notes[k].loc)) {
                unsigned line, col;
                diag_line_col(diag, d->notes[k].loc.file, d->notes[k].loc.start, &line, &col);
                json_object_set_new(n, "file",
                                    json_string(diag_source(diag, d->notes[k].loc.file)->path));
                json_object_set_new(n, "line", json_integer(line));
                json_object_set_new(n, "column", json_integer(col));
            }
            json_array_append_new(notes, n);
        }
        json_object_set_new(o, "notes", notes);
        json_array_append_new(arr, o);
    }
    return arr;
}

/* ---------------------------------------------------------------------------------------- */
/* Driver                                                                                   */

static void policies_forced_on(json_t *into, const json_t *from)
{
    size_t i;
    json_t *p;
    json_array_foreach(from, i, p)
    {
        json_t *q = json_copy(p);
        json_object_set_new(q, "state", json_string("enabled"));
        json_array_append_new(into, q);
    }
}

int lint_run(const struct lint_input *in, const struct lint_options *opt, struct diag_ctx *diag,
             struct lint_report *out)
{
    memset(out, 0, sizeof(*out));
    struct lint_options defaults = {0};
    struct lint_ctx c = {.in = in, .opt = opt ? opt : &defaults, .diag = diag};
    whatif_inputs_init(&c.wi);
    whatif_inputs_init(&c.wi_on);
    size_t i;
    json_t *p;
    json_array_foreach(in->policies, i, p)
    {
        json_t *b = json_copy(json_object_get(p, "body"));
        if (!json_is_object(b)) {
            json_decref(b);
            b = json_object();
        }
        if (!json_object_get(b, "displayName"))
            json_object_set_new(b, "displayName", json_string(lint_jstr(p, "name")));
        json_array_append_new(c.wi.policies, b);
    }
    policies_forced_on(c.wi_on.policies, c.wi.policies);
    json_array_extend(c.wi.locations, in->locations);
    json_array_extend(c.wi.strengths, in->strengths);
    json_array_extend(c.wi_on.locations, in->locations);
    json_array_extend(c.wi_on.strengths, in->strengths);

    lint_p2_run(&c, out);
    lint_ca_run(&c);
    lint_consent_run(&c);
    out->errors = c.errors;
    out->warnings = c.warnings;
    whatif_inputs_fini(&c.wi);
    whatif_inputs_fini(&c.wi_on);
    return c.failed ? -1 : 0;
}

void lint_report_free(struct lint_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->criteria[i].why);
    free(r->criteria);
    memset(r, 0, sizeof(*r));
}

bool lint_report_required_ok(const struct lint_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->criteria[i].required && r->criteria[i].status == LINT_FAIL)
            return false;
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The report                                                                               */

static void counts(const struct lint_report *r, unsigned k[4], unsigned *req_fail)
{
    k[0] = k[1] = k[2] = k[3] = 0;
    *req_fail = 0;
    for (size_t i = 0; i < r->n; i++) {
        k[r->criteria[i].status]++;
        if (r->criteria[i].required && r->criteria[i].status == LINT_FAIL)
            (*req_fail)++;
    }
}

void lint_report_print_text(const struct lint_report *r, FILE *f)
{
    fprintf(f, "Phase 2 identity exit criteria (Microsoft 365 Enterprise deployment guide)\n\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct lint_criterion *c = &r->criteria[i];
        fprintf(f, "  %-8s  %s  %s: %s\n", lint_status_name(c->status), c->rule->code,
                c->requirement, c->rule->title);
        fprintf(f, "            %s\n", c->why);
    }
    unsigned k[4], rf;
    counts(r, k, &rf);
    fprintf(f,
            "\n%u passed, %u failed, %u declared (not verified), %u to check by hand; required "
            "criteria: %s\n",
            k[0], k[1], k[3], k[2], rf ? "FAILED" : "all passed");
}

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

void lint_report_print_markdown(const struct lint_report *r, FILE *f)
{
    fprintf(f, "## Phase 2 identity exit criteria\n\n");
    fprintf(f, "Criteria of the Microsoft 365 Enterprise deployment guide, \"Phase 2: Identity "
               "infrastructure exit criteria\".\n\n");
    fprintf(f, "| Status | Code | Requirement | Criterion | Why |\n");
    fprintf(f, "|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->n; i++) {
        const struct lint_criterion *c = &r->criteria[i];
        const char *badge = c->status == LINT_PASS       ? "✅ pass"
                            : c->status == LINT_FAIL     ? "❌ fail"
                            : c->status == LINT_DECLARED ? "📝 declared"
                                                         : "✋ manual";
        fprintf(f, "| %s | `%s` | %s | ", badge, c->rule->code, c->requirement);
        md_cell(f, c->rule->title);
        fputs(" | ", f);
        md_cell(f, c->why);
        fputs(" |\n", f);
    }
    unsigned k[4], rf;
    counts(r, k, &rf);
    fprintf(f,
            "\n**%u passed, %u failed, %u declared (not verified), %u to check by hand.** "
            "Required criteria: %s.\n",
            k[0], k[1], k[3], k[2], rf ? "**failed**" : "all passed");
}

json_t *lint_report_to_json(const struct lint_report *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct lint_criterion *c = &r->criteria[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "code",
                                             c->rule->code, "title", c->rule->title, "requirement",
                                             c->requirement, "required", c->required, "status",
                                             lint_status_name(c->status), "why", c->why, "source",
                                             c->rule->source));
    }
    return json_pack("{s:o, s:b}", "criteria", arr, "requiredPassed", lint_report_required_ok(r));
}
