/* render_markdown.c — the plan as a pull-request comment: a hidden marker (so that a workflow
 * updates its comment in place), the summary, a "Needs attention" list, a table and one
 * collapsible section per object with changes in ```diff blocks so that GitHub colours them.
 * GitHub refuses comments over 65,536 characters ("Body is too long"), so the comment is built
 * piece by piece and trimmed to PLAN_MARKDOWN_MAX_BYTES: the summary and the list come first,
 * object details are dropped from the end, and a closing line says where the full plan is. */
#include "runtime/plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
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
        if (json_object_get(r, "scenario")) { /* a member leaving an emergency group has none */
            fputs(" (sign-in: ", out);
            cell(out, sc);
            fputs("; decided by ", out);
            cell(out, pol);
            fputs(")", out);
        }
        fputs("\n", out);
        free(pol);
        free(sc);
        free(h);
    }
    fputc('\n', out);
}

/* A growable piece of the comment (open_memstream). */
struct piece {
    char *buf;
    size_t len;
    FILE *f;
};

static FILE *piece_open(struct piece *p)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    if (!p->f) {
        fputs("idpc: out of memory\n", stderr);
        abort();
    }
    return p->f;
}

static void piece_close(struct piece *p)
{
    fclose(p->f);
    p->f = NULL;
}

static bool is_policy(const json_t *a)
{
    return strcmp(json_string_value(json_object_get(a, "word")), "policy") == 0;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* One "Needs attention" line: `what` about the action's object. */
static void attn_line(FILE *out, const json_t *a, const char *what, const char *detail)
{
    fprintf(out, "- %s: %s `", what, str(a, "word"));
    code_text(out, str(a, "name"));
    fputc('`', out);
    if (detail) {
        fputs(" — ", out);
        cell(out, detail);
    }
    fputc('\n', out);
}

/* The values a change takes away: removed elements, or the old value of a removal or change. */
static char *taken_away(const json_t *c)
{
    const json_t *removed = json_object_get(c, "removed");
    const char *op = str(c, "op");
    if (removed) {
        if (json_array_size(removed) == 0)
            return NULL;
        char *s = xstrdup("");
        size_t i;
        json_t *v;
        json_array_foreach(removed, i, v)
        {
            char *t = xasprintf("%s%s%s", s, i ? ", " : "", json_string_value(v));
            free(s);
            s = t;
        }
        return s;
    }
    if (strcmp(op, "remove") == 0 || strcmp(op, "change") == 0)
        return str(c, "old") ? xstrdup(str(c, "old")) : NULL;
    return NULL;
}

static char *given(const json_t *c)
{
    const json_t *added = json_object_get(c, "added");
    if (added) {
        if (json_array_size(added) == 0)
            return NULL;
        char *s = xstrdup("");
        size_t i;
        json_t *v;
        json_array_foreach(added, i, v)
        {
            char *t = xasprintf("%s%s%s", s, i ? ", " : "", json_string_value(v));
            free(s);
            s = t;
        }
        return s;
    }
    if (strcmp(str(c, "op"), "add") == 0 || strcmp(str(c, "op"), "change") == 0)
        return str(c, "new") ? xstrdup(str(c, "new")) : NULL;
    return NULL;
}

/* What a reviewer must not miss (Microsoft's guidance: deploy Conditional Access policies in
 * report-only mode first and watch their impact, "Report-only mode" and "Plan a Conditional
 * Access deployment" on Microsoft Learn): deletions, report_only → on, new policies created
 * directly on, controls removed or weakened, exclusions added. Returns the number of lines;
 * at most `max` are written, then a count of the rest. */
static size_t needs_attention(const json_t *plan, FILE *out, size_t max)
{
    size_t n = 0;
    size_t i;
    json_t *a;
#define ATTN(...)                                                                                  \
    do {                                                                                           \
        if (n++ < max)                                                                             \
            attn_line(out, a, __VA_ARGS__);                                                        \
    } while (0)
    /* One pass per kind of finding, so that the list reads in that order. */
    for (int pass = 0; pass < 5; pass++) {
        json_array_foreach(json_object_get(plan, "actions"), i, a)
        {
            const char *op = str(a, "op");
            if (pass == 0 && strcmp(op, "delete") == 0)
                ATTN("🗑️ **deleted**", str(a, "reason"));
            if (pass == 0 && strcmp(op, "replace") == 0)
                ATTN("♻️ **replaced** (deleted and created anew, with a new id)",
                     str(a, "reason"));
            if (pass == 0 || strcmp(op, "delete") == 0)
                continue;
            bool creating = strcmp(op, "create") == 0;
            size_t j;
            json_t *c;
            json_array_foreach(json_object_get(a, "changes"), j, c)
            {
                const char *field = str(c, "field");
                const char *cop = str(c, "op");
                const char *oldv = str(c, "old");
                const char *newv = str(c, "new");
                if (!field || !cop)
                    continue;
                bool state = is_policy(a) && strcmp(field, "state") == 0;
                if (pass == 1 && state && !creating && oldv && newv &&
                    strcmp(oldv, "report_only") == 0 && strcmp(newv, "on") == 0)
                    ATTN("🚦 **`report_only` → `on`**", NULL);
                if (pass == 2 && state && creating && newv && strcmp(newv, "on") == 0 &&
                    !json_is_true(json_object_get(a, "skipReportOnly")))
                    ATTN("🚦 **created directly `on`**, not in report-only mode first", NULL);
                if (pass != 3 && pass != 4)
                    continue;
                if (creating || strcmp(op, "update") != 0)
                    continue;
                if (pass == 3 && state && oldv && newv && strcmp(oldv, "on") == 0) {
                    char *d = xasprintf("state: on → %s", newv);
                    ATTN("⚠️ **control removed or weakened**", d);
                    free(d);
                } else if (pass == 3 && is_policy(a) &&
                           (strncmp(field, "grant", 5) == 0 || strncmp(field, "session", 7) == 0)) {
                    char *gone = taken_away(c);
                    if (gone) {
                        char *d = xasprintf("%s: - %s", field, gone);
                        ATTN("⚠️ **control removed or weakened**", d);
                        free(d);
                        free(gone);
                    }
                } else if (pass == 4 && strstr(field, "exclude") && strcmp(cop, "remove") != 0) {
                    char *added = given(c);
                    if (added) {
                        char *d = xasprintf("%s: + %s", field, added);
                        ATTN("⚠️ **exclusion added**", d);
                        free(d);
                        free(added);
                    }
                }
            }
        }
    }
#undef ATTN
    if (n > max)
        fprintf(out, "- … and %zu more (see the table)\n", n - max);
    return n;
}

static void details(const json_t *a, FILE *out)
{
    const char *op = str(a, "op");
    fprintf(out, "<details><summary>%s %s <code>", op_label(op), str(a, "word"));
    html(out, str(a, "name"));
    fputs("</code></summary>\n\n", out);
    const char *reason = str(a, "reason");
    const char *at = str(a, "at");
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
        change_lines(out, c, strcmp(op, "update") != 0);
    }
    if (json_array_size(json_object_get(a, "changes")) == 0)
        fprintf(out, "- %s\n", str(a, "word"));
    fputs("```\n\n</details>\n\n", out);
}

static void table_row(const json_t *a, FILE *out)
{
    const char *op = str(a, "op");
    fprintf(out, "| %s | %s | ", op_label(op), str(a, "word"));
    cell(out, str(a, "name"));
    bool creating = strcmp(op, "update") != 0; /* the name is in the row */
    size_t n = 0, j;
    json_t *c;
    json_array_foreach(json_object_get(a, "changes"), j, c)
    {
        if (!creating || strcmp(str(c, "field"), "name") != 0)
            n++;
    }
    fprintf(out, " | %zu |\n", n);
}

/* The configuration the plan is for, as the marker names it: its paths, space-separated. */
static void marker(const json_t *plan, FILE *out)
{
    fputs("<!-- idpc plan: ", out);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(json_object_get(plan, "config"), "paths"), i, p)
    {
        const char *s = json_string_value(p);
        if (i)
            fputc(' ', out);
        for (; s && *s; s++) /* nothing may close the comment */
            fputc(*s == '>' || *s == '\n' ? '_' : *s, out);
    }
    if (i == 0)
        fputc('.', out);
    fputs(" -->\n", out);
}

void plan_render_markdown(const json_t *plan, FILE *out)
{
    const json_t *t = json_object_get(plan, "tenant");
    const json_t *actions = json_object_get(plan, "actions");
    size_t nact = json_array_size(actions);
    struct plan_summary s;
    plan_summary(plan, &s);

    /* 1. The head: marker, title, summary, lockout risks, what needs attention. */
    struct piece head;
    FILE *h = piece_open(&head);
    marker(plan, h);
    fputs("### idpc plan for ", h);
    cell(h, json_string_value(json_object_get(t, "domain")));
    fputs("\n\n", h);
    if (!plan_has_changes(plan))
        fputs("**No changes.** The tenant matches the configuration.", h);
    else
        fprintf(h, "**%u to create, %u to update, %u to replace, %u to delete.**", s.create,
                s.update, s.replace, s.del);
    if (s.unmanaged)
        fprintf(h, " %u unmanaged object%s left alone.", s.unmanaged, s.unmanaged == 1 ? "" : "s");
    fputs("\n\n", h);
    lockout_section(plan, h);
    struct piece attn;
    FILE *at = piece_open(&attn);
    size_t nattn = needs_attention(plan, at, 40);
    piece_close(&attn);
    if (nattn) {
        fputs("#### Needs attention\n\n", h);
        fwrite(attn.buf, 1, attn.len, h);
        fputc('\n', h);
    }
    free(attn.buf);
    plan_impact_render(plan, true, false, 60, 16000, h);
    piece_close(&head);

    /* 2. The tail: unmanaged objects, notes and warnings (each capped). */
    struct piece tail;
    FILE *tl = piece_open(&tail);
    size_t i;
    json_t *u;
    size_t nun = 0;
    json_array_foreach(json_object_get(plan, "unmanaged"), i, u)
    {
        if (json_is_true(json_object_get(u, "delete")))
            continue;
        if (nun++ == 0)
            fputs("<details><summary>Unmanaged objects (left alone)</summary>\n\n", tl);
        if (nun > 50)
            continue;
        fprintf(tl, "- %s ", str(u, "word"));
        cell(tl, str(u, "name"));
        fputc('\n', tl);
    }
    if (nun > 50)
        fprintf(tl, "- … and %zu more\n", nun - 50);
    if (nun)
        fputs("\n</details>\n\n", tl);
    static const char *const lists[] = {"notes", "warnings"};
    for (size_t l = 0; l < 2; l++) {
        json_t *n;
        json_array_foreach(json_object_get(plan, lists[l]), i, n)
        {
            if (i == 20) {
                fprintf(tl, "> … and %zu more %s (see the full plan)\n\n",
                        json_array_size(json_object_get(plan, lists[l])) - 20, lists[l]);
                break;
            }
            fprintf(tl, "> %s: ", l ? "**Warning**" : "Note");
            const char *where = str(n, "at");
            if (where) {
                fputc('`', tl);
                code_text(tl, where);
                fputs("` ", tl);
            }
            cell(tl, str(n, "message"));
            fputs("\n\n", tl);
        }
    }
    piece_close(&tail);

    /* 3. The table (at most half of what is left) and the details, as far as the limit allows.
     * Details are chosen by weight (deletions and replacements, then policies, then the rest)
     * and printed in the plan's order. */
    const size_t reserve = 600; /* the closing line */
    size_t budget = PLAN_MARKDOWN_MAX_BYTES;
    size_t used = head.len + tail.len + reserve;
    fwrite(head.buf, 1, head.len, out);
    size_t rows = 0, shown = 0;
    if (nact) {
        static const char thead[] = "| Action | Kind | Name | Changes |\n|---|---|---|---|\n";
        fputs(thead, out);
        used += sizeof thead;
        size_t table_budget = used + (budget > used ? (budget - used) / 2 : 0);
        json_t *a;
        json_array_foreach(actions, i, a)
        {
            struct piece r;
            table_row(a, piece_open(&r));
            piece_close(&r);
            bool fits = used + r.len <= table_budget;
            if (fits) {
                fwrite(r.buf, 1, r.len, out);
                used += r.len;
                rows++;
            }
            free(r.buf);
            if (!fits)
                break;
        }
        if (rows < nact)
            fprintf(out, "| … | | %zu more | |\n", nact - rows);
        fputc('\n', out);
        struct piece *d = xcalloc(nact, sizeof *d);
        bool *take = xcalloc(nact, sizeof *take);
        json_array_foreach(actions, i, a)
        {
            details(a, piece_open(&d[i]));
            piece_close(&d[i]);
        }
        for (int weight = 0; weight < 3; weight++) {
            json_array_foreach(actions, i, a)
            {
                const char *op = str(a, "op");
                int w = strcmp(op, "delete") == 0 || strcmp(op, "replace") == 0 ? 0
                        : is_policy(a)                                          ? 1
                                                                                : 2;
                if (w != weight || used + d[i].len > budget)
                    continue;
                take[i] = true;
                used += d[i].len;
                shown++;
            }
        }
        for (i = 0; i < nact; i++) {
            if (take[i])
                fwrite(d[i].buf, 1, d[i].len, out);
            free(d[i].buf);
        }
        free(take);
        free(d);
    }
    fwrite(tail.buf, 1, tail.len, out);
    if (rows < nact || shown < nact)
        fprintf(out,
                "> [!NOTE]\n> Trimmed to fit a pull-request comment (GitHub allows 65,536 "
                "characters): %zu of %zu objects' details are not shown here. The full plan is in "
                "this run's log (`idpc plan` prints it as text) and in the saved plan file "
                "(`idpc plan -o`, kept as the run's artifact).\n",
                nact - shown, nact);
    free(head.buf);
    free(tail.buf);
}
