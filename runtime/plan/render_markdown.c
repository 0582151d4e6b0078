/* render_markdown.c — the plan as a pull-request comment: a summary table and one collapsible
 * section per object, with changes in ```diff blocks so that GitHub colours them. */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/analysis/lockout.h"

static const char *op_label(const char *op)
{
    if (strcmp(op, "create") == 0)
        return "➕ create";
    if (strcmp(op, "update") == 0)
        return "✏️ update";
    if (strcmp(op, "delete") == 0)
        return "🗑️ delete";
    return "♻️ replace";
}

/* Table cells: escape '|' and anything that would start markup. */
static void cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '<' ||
            *s == '[' || *s == ']')
            fputc('\\', out);
        if (*s == '\n')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

/* Inside <summary>: HTML-escape. */
static void html(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else
            fputc(*s, out);
    }
}

/* Inside a ``` block: a line must not close the fence. */
static void code_text(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\n' ? ' ' : *s, out);
}

static void change_lines(FILE *out, const json_t *c, bool creating)
{
    const char *op = json_string_value(json_object_get(c, "op"));
    const char *field = json_string_value(json_object_get(c, "field"));
    const char *oldv = json_string_value(json_object_get(c, "old"));
    const char *newv = json_string_value(json_object_get(c, "new"));
    json_t *added = json_object_get(c, "added");
    json_t *removed = json_object_get(c, "removed");
    if (creating && strcmp(field, "name") == 0)
        return;
    if (strcmp(op, "add") == 0 && !(added && !creating)) {
        fputs("+ ", out);
        code_text(out, field);
        fputs(": ", out);
        code_text(out, newv);
        fputc('\n', out);
    } else if (strcmp(op, "remove") == 0 && !removed) {
        fputs("- ", out);
        code_text(out, field);
        fputs(": ", out);
        code_text(out, oldv);
        fputc('\n', out);
    } else if (added || removed) {
        size_t i;
        json_t *v;
        json_array_foreach(added, i, v)
        {
            fputs("+ ", out);
            code_text(out, field);
            fputs(": ", out);
            code_text(out, json_string_value(v));
            fputc('\n', out);
        }
        json_array_foreach(removed, i, v)
        {
            fputs("- ", out);
            code_text(out, field);
            fputs(": ", out);
            code_text(out, json_string_value(v));
            fputc('\n', out);
        }
    } else {
        fputs("- ", out);
        code_text(out, field);
        fputs(": ", out);
        code_text(out, oldv);
        fputs("\n+ ", out);
        code_text(out, field);
        fputs(": ", out);
        code_text(out, newv);
        fputc('\n', out);
    }
}

/* A lockout risk accepted with --allow-lockout-risk (runtime/lockout.h), where nobody misses
 * it. */
static void lockout_section(const json_t *plan, FILE *out)
{
    const json_t *risks = lockout_risks(plan);
    if (!lockout_allowed(plan) || json_array_size(risks) == 0)
        return;
    fputs(
        "> [!CAUTION]\n> **Lockout risk accepted with `--allow-lockout-risk`.** After this plan:\n",
        out);
    for (size_t i = 0; i < json_array_size(risks); i++) {
        const json_t *r = json_array_get(risks, i);
        char *h = lockout_headline(r);
        char *sc = lockout_scenario_text(json_object_get(r, "scenario"));
        char *pol = lockout_policies_text(json_object_get(r, "policies"));
        fputs("> - ", out);
        cell(out, h);
        fputs(" (sign-in: ", out);
        cell(out, sc);
        fputs("; decided by ", out);
        cell(out, pol);
        fputs(")\n", out);
        free(pol);
        free(sc);
        free(h);
    }
    fputc('\n', out);
}

void plan_render_markdown(const json_t *plan, FILE *out)
{
    const json_t *t = json_object_get(plan, "tenant");
    struct plan_summary s;
    plan_summary(plan, &s);
    fputs("### idpc plan for ", out);
    cell(out, json_string_value(json_object_get(t, "domain")));
    fputs("\n\n", out);
    if (!plan_has_changes(plan))
        fputs("**No changes.** The tenant matches the configuration.", out);
    else
        fprintf(out, "**%u to create, %u to update, %u to replace, %u to delete.**", s.create,
                s.update, s.replace, s.del);
    if (s.unmanaged)
        fprintf(out, " %u unmanaged object%s left alone.", s.unmanaged,
                s.unmanaged == 1 ? "" : "s");
    fputs("\n\n", out);
    lockout_section(plan, out);
    const json_t *actions = json_object_get(plan, "actions");
    if (json_array_size(actions)) {
        fputs("| Action | Kind | Name | Changes |\n|---|---|---|---|\n", out);
        size_t i;
        json_t *a;
        json_array_foreach(actions, i, a)
        {
            fprintf(out, "| %s | %s | ", op_label(json_string_value(json_object_get(a, "op"))),
                    json_string_value(json_object_get(a, "word")));
            cell(out, json_string_value(json_object_get(a, "name")));
            const char *op = json_string_value(json_object_get(a, "op"));
            bool creating = strcmp(op, "create") == 0 || strcmp(op, "replace") == 0;
            size_t n = 0, j;
            json_t *c;
            json_array_foreach(json_object_get(a, "changes"), j, c)
            {
                if (!creating ||
                    strcmp(json_string_value(json_object_get(c, "field")), "name") != 0)
                    n++;
            }
            fprintf(out, " | %zu |\n", n);
        }
        fputc('\n', out);
        json_array_foreach(actions, i, a)
        {
            const char *op = json_string_value(json_object_get(a, "op"));
            fprintf(out, "<details><summary>%s %s <code>", op_label(op),
                    json_string_value(json_object_get(a, "word")));
            html(out, json_string_value(json_object_get(a, "name")));
            fputs("</code></summary>\n\n", out);
            const char *reason = json_string_value(json_object_get(a, "reason"));
            const char *at = json_string_value(json_object_get(a, "at"));
            if (at) {
                fputs("Declared at `", out);
                code_text(out, at);
                fputs("`.", out);
            }
            if (reason) {
                fputs(at ? " " : "", out);
                html(out, reason);
                fputc('.', out);
            }
            if (at || reason)
                fputs("\n\n", out);
            fputs("```diff\n", out);
            size_t j;
            json_t *c;
            json_array_foreach(json_object_get(a, "changes"), j, c)
            {
                change_lines(out, c, strcmp(op, "create") == 0 || strcmp(op, "replace") == 0);
            }
            if (json_array_size(json_object_get(a, "changes")) == 0)
                fprintf(out, "- %s\n", json_string_value(json_object_get(a, "word")));
            fputs("```\n\n</details>\n\n", out);
        }
    }
    size_t i;
    json_t *u;
    size_t nun = 0;
    json_array_foreach(json_object_get(plan, "unmanaged"), i, u)
    {
        if (json_is_true(json_object_get(u, "delete")))
            continue;
        if (nun++ == 0)
            fputs("<details><summary>Unmanaged objects (left alone)</summary>\n\n", out);
        fprintf(out, "- %s ", json_string_value(json_object_get(u, "word")));
        cell(out, json_string_value(json_object_get(u, "name")));
        fputc('\n', out);
    }
    if (nun)
        fputs("\n</details>\n\n", out);
    static const char *const lists[] = {"notes", "warnings"};
    for (size_t l = 0; l < 2; l++) {
        json_t *n;
        json_array_foreach(json_object_get(plan, lists[l]), i, n)
        {
            fprintf(out, "> %s: ", l ? "**Warning**" : "Note");
            const char *at = json_string_value(json_object_get(n, "at"));
            if (at) {
                fputc('`', out);
                code_text(out, at);
                fputs("` ", out);
            }
            cell(out, json_string_value(json_object_get(n, "message")));
            fputs("\n\n", out);
        }
    }
}
