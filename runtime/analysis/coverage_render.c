/* coverage_render.c — the persona matrix as a text table, as JSON and as a self-contained HTML
 * page (inline CSS, no script, nothing fetched). docs/coverage.md describes all three. */
#include "runtime/analysis/coverage.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

/* The weakest outcome over the platforms and clients of (persona, app, location), and how many
 * of them are gaps. */
static unsigned weakest(const struct coverage *c, size_t p, size_t a, size_t l, size_t *gaps)
{
    unsigned w = c->cells[coverage_cell(c, p, a, l, 0, 0)];
    *gaps = 0;
    for (size_t pl = 0; pl < c->nplatforms; pl++)
        for (size_t cl = 0; cl < c->nclients; cl++) {
            unsigned k = c->cells[coverage_cell(c, p, a, l, pl, cl)];
            if (c->outcomes[k].cls > c->outcomes[w].cls)
                w = k;
            *gaps += c->outcomes[k].gap;
        }
    return w;
}

/* The clients of platform pl where (persona, app, location) has outcome k, as a bit set. */
static unsigned client_set(const struct coverage *c, size_t p, size_t a, size_t l, size_t pl,
                           unsigned k)
{
    unsigned set = 0;
    for (size_t cl = 0; cl < c->nclients && cl < 32; cl++)
        if (c->cells[coverage_cell(c, p, a, l, pl, cl)] == k)
            set |= 1u << cl;
    return set;
}

static void clients_of(struct strbuf *sb, const struct coverage *c, unsigned set)
{
    if (set == (1u << c->nclients) - 1) {
        strbuf_adds(sb, "every client");
        return;
    }
    bool first = true;
    for (size_t cl = 0; cl < c->nclients; cl++)
        if (set & (1u << cl)) {
            strbuf_addf(sb, "%s%s", first ? "" : ", ", c->clients[cl].label);
            first = false;
        }
}

/* Where (persona, app, location) has outcome k: "Windows: browser; Linux: every client", or
 * "browser, mobile/desktop on every platform". */
static void where(struct strbuf *sb, const struct coverage *c, size_t p, size_t a, size_t l,
                  unsigned k)
{
    unsigned first_set = client_set(c, p, a, l, 0, k);
    bool same = true;
    for (size_t pl = 1; pl < c->nplatforms; pl++)
        same = same && client_set(c, p, a, l, pl, k) == first_set;
    if (same && first_set == (1u << c->nclients) - 1) {
        strbuf_adds(sb, "every platform and client");
        return;
    }
    if (same && first_set) {
        clients_of(sb, c, first_set);
        strbuf_adds(sb, " on every platform");
        return;
    }
    bool first = true;
    for (size_t pl = 0; pl < c->nplatforms; pl++) {
        unsigned set = client_set(c, p, a, l, pl, k);
        if (!set)
            continue;
        strbuf_addf(sb, "%s%s: ", first ? "" : "; ", c->platforms[pl].label);
        first = false;
        clients_of(sb, c, set);
    }
}

/* The gaps of (persona, app, location) for people, one "outcome on where" per line prefixed by
 * `indent`; "" when there are none. */
static char *gap_text(const struct coverage *c, size_t p, size_t a, size_t l, const char *indent)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t k = 0; k < c->noutcomes; k++) {
        if (!c->outcomes[k].gap)
            continue;
        struct strbuf w = STRBUF_INIT;
        where(&w, c, p, a, l, (unsigned)k);
        if (w.len)
            strbuf_addf(&sb, "%s%s on %s\n", indent, c->outcomes[k].label, strbuf_str(&w));
        strbuf_fini(&w);
    }
    return strbuf_detach(&sb);
}

/* Gaps grouped: the locations of (persona, app) whose gaps are the same make one group. */
struct gap_group {
    size_t p, a;
    size_t *locs;
    size_t nlocs;
    size_t gaps; /* per location */
    char *text;  /* gap_text of the first location */
};

static struct gap_group *gap_groups(const struct coverage *c, size_t *n)
{
    struct gap_group *g = NULL;
    *n = 0;
    for (size_t p = 0; p < c->npersonas; p++)
        for (size_t a = 0; a < c->napps; a++) {
            size_t first = *n;
            for (size_t l = 0; l < c->nlocations; l++) {
                size_t gaps;
                weakest(c, p, a, l, &gaps);
                if (!gaps)
                    continue;
                char *t = gap_text(c, p, a, l, "");
                size_t i = first;
                while (i < *n && (g[i].gaps != gaps || strcmp(g[i].text, t) != 0))
                    i++;
                if (i == *n) {
                    g = xrealloc(g, (*n + 1) * sizeof(*g));
                    g[i] = (struct gap_group){.p = p, .a = a, .gaps = gaps, .text = t};
                    g[i].locs = xcalloc(c->nlocations, sizeof(size_t));
                    (*n)++;
                } else {
                    free(t);
                }
                g[i].locs[g[i].nlocs++] = l;
            }
        }
    return g;
}

static void gap_groups_free(struct gap_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].locs);
        free(g[i].text);
    }
    free(g);
}

static void locs_text(struct strbuf *sb, const struct coverage *c, const struct gap_group *g)
{
    if (g->nlocs == c->nlocations) {
        strbuf_adds(sb, "every location");
        return;
    }
    for (size_t i = 0; i < g->nlocs; i++)
        strbuf_addf(sb, "%s%s", i ? ", " : "", c->locations[g->locs[i]].label);
}

static size_t emergency_gaps(const struct coverage *c)
{
    size_t n = 0;
    size_t per = c->napps * c->nlocations * c->nplatforms * c->nclients;
    for (size_t p = 0; p < c->npersonas; p++) {
        if (strcmp(c->personas[p].kind, "emergency") != 0)
            continue;
        for (size_t i = 0; i < per; i++)
            n += c->outcomes[c->cells[p * per + i]].gap;
    }
    return n;
}

static size_t combos(const struct coverage *c)
{
    return c->nplatforms * c->nclients;
}

/* ---------------------------------------------------------------------------------------- */
/* Text                                                                                      */

static int width_of(const char *s)
{
    int n = 0;
    for (; *s; s++) /* count UTF-8 code points */
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void pad(FILE *f, const char *s, int w)
{
    fputs(s, f);
    for (int n = width_of(s); n < w; n++)
        fputc(' ', f);
}

/* A row's persona column: a name wider than the column (capped at PERSONA_MAX, so that one long
 * name does not push every table off the screen) gets a line of its own, and the row's cells
 * start on the next line under the column, so that they stay in line with the heading. */
#define PERSONA_MAX 48

static void persona_cell(FILE *f, const char *name, int w)
{
    if (width_of(name) > w) {
        fputs(name, f);
        fputc('\n', f);
        name = "";
    }
    pad(f, name, w);
}

void coverage_print_text(const struct coverage *c, FILE *f)
{
    fprintf(f,
            "Coverage: %zu personas x %zu apps x %zu locations x %zu platforms x %zu client app "
            "types = %zu sign-ins against %zu %s policies; %zu gaps.\n",
            c->npersonas, c->napps, c->nlocations, c->nplatforms, c->nclients, c->ncells,
            c->npolicies, c->report_only_enforced ? "enabled and report-only" : "enabled",
            c->ngaps);
    fprintf(f,
            "Each cell is the weakest outcome over the %zu platform x client combinations; \"!N\" "
            "counts the gaps\n(no MFA, no block, no device requirement) among them. Sign-in and "
            "user risk: none.\n",
            combos(c));
    int pw = 7;
    for (size_t p = 0; p < c->npersonas; p++) {
        int w = width_of(c->personas[p].name);
        pw = w > pw ? w : pw;
    }
    pw = pw > PERSONA_MAX ? PERSONA_MAX : pw;
    for (size_t a = 0; a < c->napps; a++) {
        int *cw = xcalloc(c->nlocations, sizeof(int));
        for (size_t l = 0; l < c->nlocations; l++) {
            cw[l] = width_of(c->locations[l].label) + (c->locations[l].trusted ? 2 : 0);
            for (size_t p = 0; p < c->npersonas; p++) {
                size_t gaps;
                unsigned k = weakest(c, p, a, l, &gaps);
                int w = width_of(c->outcomes[k].brief) + (gaps ? 4 : 0);
                cw[l] = w > cw[l] ? w : cw[l];
            }
        }
        fprintf(f, "\n%s%s\n", c->apps[a].label, c->apps[a].target == 1 ? " (user action)" : "");
        pad(f, "persona", pw);
        for (size_t l = 0; l < c->nlocations; l++) {
            char h[300];
            snprintf(h, sizeof(h), "%s%s", c->locations[l].label,
                     c->locations[l].trusted ? " *" : "");
            fputs("  ", f);
            pad(f, h, l + 1 < c->nlocations ? cw[l] : 0);
        }
        fputc('\n', f);
        for (size_t p = 0; p < c->npersonas; p++) {
            persona_cell(f, c->personas[p].name, pw);
            for (size_t l = 0; l < c->nlocations; l++) {
                size_t gaps;
                unsigned k = weakest(c, p, a, l, &gaps);
                char cell[200];
                if (gaps)
                    snprintf(cell, sizeof(cell), "%s !%zu", c->outcomes[k].brief, gaps);
                else
                    snprintf(cell, sizeof(cell), "%s", c->outcomes[k].brief);
                fputs("  ", f);
                pad(f, cell, l + 1 < c->nlocations ? cw[l] : 0);
            }
            fputc('\n', f);
        }
        free(cw);
    }
    fprintf(f, "(* trusted location)\n\nRisk (%s, %s, %s, %s location):\n", c->apps[0].label,
            c->platforms[0].label, c->clients[0].label, c->locations[0].label);
    pad(f, "persona", pw);
    for (size_t k = 0; k < COVERAGE_RISKS; k++) {
        fputs("  ", f);
        pad(f, coverage_risk_labels[k], k + 1 < COVERAGE_RISKS ? 19 : 0);
    }
    fputc('\n', f);
    for (size_t p = 0; p < c->npersonas; p++) {
        persona_cell(f, c->personas[p].name, pw);
        for (size_t k = 0; k < COVERAGE_RISKS; k++) {
            fputs("  ", f);
            pad(f, c->outcomes[c->risk[p * COVERAGE_RISKS + k]].brief,
                k + 1 < COVERAGE_RISKS ? 19 : 0);
        }
        fputc('\n', f);
    }
    size_t eg = emergency_gaps(c);
    fprintf(f, "\nGaps (%zu sign-ins", c->ngaps);
    if (eg)
        fprintf(f, "; %zu of them of emergency-access accounts, excluded by design", eg);
    fprintf(f, "):\n");
    if (!c->ngaps)
        fprintf(f, "  none\n");
    size_t ng;
    struct gap_group *g = gap_groups(c, &ng);
    for (size_t i = 0; i < ng; i++) {
        struct strbuf sb = STRBUF_INIT;
        locs_text(&sb, c, &g[i]);
        fprintf(f, "  %s | %s | %s: %zu of %zu%s\n", c->personas[g[i].p].name,
                c->apps[g[i].a].label, strbuf_str(&sb), g[i].gaps, combos(c),
                g[i].nlocs > 1 ? " each" : "");
        strbuf_fini(&sb);
        char *t = gap_text(c, g[i].p, g[i].a, g[i].locs[0], "      ");
        fputs(t, f);
        free(t);
    }
    gap_groups_free(g, ng);
    bool merged = false;
    for (size_t p = 0; p < c->npersonas; p++) {
        if (c->personas[p].nmembers < 2)
            continue;
        if (!merged)
            fprintf(f, "\nPersonas that stand for several objects (the same policy references):\n");
        merged = true;
        fprintf(f, "  %s:", c->personas[p].name);
        for (size_t k = 0; k < c->personas[p].nmembers; k++)
            fprintf(f, "%s %s", k ? "," : "", c->personas[p].members[k]);
        fputc('\n', f);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* JSON                                                                                      */

json_t *coverage_to_json(const struct coverage *c)
{
    static const char *const targets[] = {"app", "action", "context"};
    json_t *personas = json_array(), *apps = json_array(), *locs = json_array(),
           *plats = json_array(), *clients = json_array(), *outcomes = json_array(),
           *matrix = json_array(), *gaps = json_array(), *rows = json_array(), *cols = json_array();
    for (size_t p = 0; p < c->npersonas; p++) {
        json_t *m = json_array();
        for (size_t k = 0; k < c->personas[p].nmembers; k++)
            json_array_append_new(m, json_string(c->personas[p].members[k]));
        json_array_append_new(personas, json_pack("{s:s,s:s,s:o}", "name", c->personas[p].name,
                                                  "kind", c->personas[p].kind, "members", m));
    }
    for (size_t a = 0; a < c->napps; a++)
        json_array_append_new(apps,
                              json_pack("{s:s,s:s,s:s}", "label", c->apps[a].label, "value",
                                        c->apps[a].value, "target", targets[c->apps[a].target]));
    for (size_t l = 0; l < c->nlocations; l++)
        json_array_append_new(locs, json_pack("{s:s,s:b}", "label", c->locations[l].label,
                                              "trusted", c->locations[l].trusted));
    for (size_t i = 0; i < c->nplatforms; i++)
        json_array_append_new(plats, json_string(c->platforms[i].label));
    for (size_t i = 0; i < c->nclients; i++)
        json_array_append_new(clients, json_string(c->clients[i].label));
    for (size_t i = 0; i < c->noutcomes; i++)
        json_array_append_new(outcomes,
                              json_pack("{s:s,s:s,s:s,s:b}", "label", c->outcomes[i].label, "brief",
                                        c->outcomes[i].brief, "class",
                                        coverage_class_name(c->outcomes[i].cls), "gap",
                                        c->outcomes[i].gap));
    for (size_t p = 0; p < c->npersonas; p++) {
        json_t *pa = json_array();
        for (size_t a = 0; a < c->napps; a++) {
            json_t *la = json_array();
            for (size_t l = 0; l < c->nlocations; l++) {
                json_t *pla = json_array();
                for (size_t pl = 0; pl < c->nplatforms; pl++) {
                    json_t *ca = json_array();
                    for (size_t cl = 0; cl < c->nclients; cl++) {
                        unsigned k = c->cells[coverage_cell(c, p, a, l, pl, cl)];
                        json_array_append_new(ca, json_integer(k));
                        if (c->outcomes[k].gap)
                            json_array_append_new(
                                gaps,
                                json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "persona",
                                          c->personas[p].name, "app", c->apps[a].label, "location",
                                          c->locations[l].label, "platform", c->platforms[pl].label,
                                          "client", c->clients[cl].label, "outcome",
                                          c->outcomes[k].label));
                    }
                    json_array_append_new(pla, ca);
                }
                json_array_append_new(la, pla);
            }
            json_array_append_new(pa, la);
        }
        json_array_append_new(matrix, pa);
    }
    for (size_t k = 0; k < COVERAGE_RISKS; k++)
        json_array_append_new(cols, json_string(coverage_risk_labels[k]));
    for (size_t p = 0; p < c->npersonas; p++) {
        json_t *r = json_array();
        for (size_t k = 0; k < COVERAGE_RISKS; k++)
            json_array_append_new(r, json_integer(c->risk[p * COVERAGE_RISKS + k]));
        json_array_append_new(rows, r);
    }
    json_t *summary =
        json_pack("{s:I,s:I,s:I,s:I,s:b}", "personas", (json_int_t)c->npersonas, "signIns",
                  (json_int_t)c->ncells, "gaps", (json_int_t)c->ngaps, "policies",
                  (json_int_t)c->npolicies, "reportOnlyEnforced", c->report_only_enforced);
    json_t *axes = json_pack("{s:o,s:o,s:o,s:o,s:o}", "personas", personas, "apps", apps,
                             "locations", locs, "platforms", plats, "clients", clients);
    json_t *risk = json_pack("{s:o,s:o}", "columns", cols, "rows", rows);
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "format", "idpc-coverage/1", "summary",
                     summary, "axes", axes, "outcomes", outcomes, "matrix", matrix, "risk", risk,
                     "gaps", gaps);
}

/* ---------------------------------------------------------------------------------------- */
/* HTML                                                                                      */

static void esc(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        default:
            strbuf_addc(sb, *s);
        }
    }
}

static const char *const css =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;"
    "color:#1a1a1a;background:#fff}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}\n"
    "p.sum{margin:0 0 12px;color:#444}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:8px 18px;margin:8px 0 4px;padding:10px 12px;"
    "border:1px solid #ddd;border-radius:6px;background:#fafafa}\n"
    ".legend span{display:inline-flex;align-items:center;gap:6px}\n"
    ".sw{display:inline-block;width:18px;height:18px;border-radius:3px;border:1px solid "
    "rgba(0,0,0,.25)}\n"
    "table{border-collapse:collapse}\n"
    "th,td{border:1px solid #d0d0d0;padding:0}\n"
    "th{background:#f2f2f2;font-weight:600;padding:4px 6px;font-size:12px}\n"
    "th.app{font-size:13px;background:#e6e6e6}\n"
    "th.p{text-align:left;white-space:nowrap;max-width:260px;overflow:hidden;"
    "text-overflow:ellipsis}\n"
    "th.p small{display:block;font-weight:400;color:#666}\n"
    "td.c{width:92px;height:62px;text-align:center;vertical-align:top}\n"
    ".cell{padding:3px 2px;height:100%;box-sizing:border-box}\n"
    ".lbl{font-weight:700;font-size:11px;letter-spacing:.2px;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis;max-width:88px;margin:0 auto}\n"
    ".cnt{font-size:11px;font-weight:600}\n"
    ".mini{display:inline-grid;grid-template-columns:repeat(var(--cols),9px);gap:1px;"
    "padding:2px;margin-top:3px;background:#fff;border-radius:2px}\n"
    ".mini i{display:block;width:9px;height:8px}\n"
    ".k-block{background:#455a64;color:#fff}.k-strength{background:#1b5e20;color:#fff}\n"
    ".k-mfa{background:#43a047;color:#fff}.k-device{background:#1e88e5;color:#fff}\n"
    ".k-weak{background:#fb8c00;color:#000}.k-allow{background:#d32f2f;color:#fff}\n"
    "td.gap{outline:3px solid #b71c1c;outline-offset:-3px}\n"
    "table.list td{padding:4px 8px;vertical-align:top}\n"
    "table.risk td{padding:4px 8px;text-align:center;font-weight:600;font-size:12px}\n"
    ".note{color:#555;font-size:12px;max-width:900px}\n";

static const char *const class_help[COVERAGE__COUNT] = {
    "block: access is blocked",
    "strength: an authentication strength stronger than MFA",
    "mfa: multifactor authentication",
    "device: a compliant or hybrid-joined device (no MFA)",
    "gap: only app protection, approved app, password change or terms of use",
    "gap: allowed with nothing to satisfy",
};

static void legend(struct strbuf *sb)
{
    strbuf_adds(sb, "<div class=\"legend\" id=\"legend\"><strong>Legend</strong>");
    for (int k = 0; k < COVERAGE__COUNT; k++)
        strbuf_addf(sb, "<span><i class=\"sw k-%s\"></i>%s</span>",
                    coverage_class_name((enum coverage_class)k), class_help[k]);
    strbuf_adds(sb, "</div>\n");
}

static void mini(struct strbuf *sb, const struct coverage *c, size_t p, size_t a, size_t l)
{
    strbuf_addf(sb, "<div class=\"mini\" style=\"--cols:%zu\">", c->nplatforms);
    for (size_t cl = 0; cl < c->nclients; cl++)
        for (size_t pl = 0; pl < c->nplatforms; pl++) {
            const struct coverage_outcome *o =
                &c->outcomes[c->cells[coverage_cell(c, p, a, l, pl, cl)]];
            strbuf_addf(sb, "<i class=\"k-%s\" title=\"", coverage_class_name(o->cls));
            esc(sb, c->platforms[pl].label);
            strbuf_adds(sb, " / ");
            esc(sb, c->clients[cl].label);
            strbuf_adds(sb, ": ");
            esc(sb, o->label);
            strbuf_adds(sb, "\"></i>");
        }
    strbuf_adds(sb, "</div>");
}

static void persona_th(struct strbuf *sb, const struct coverage_persona *p)
{
    strbuf_adds(sb, "<th class=\"p\" title=\"");
    for (size_t k = 0; k < p->nmembers; k++) {
        if (k)
            strbuf_adds(sb, ", ");
        esc(sb, p->members[k]);
    }
    strbuf_adds(sb, "\">");
    esc(sb, p->name);
    strbuf_addf(sb, "<small>%s</small></th>", p->kind);
}

char *coverage_html(const struct coverage *c, const char *title)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>");
    esc(&sb, title);
    strbuf_addf(&sb, "</title>\n<style>\n%s</style></head>\n<body>\n<h1>", css);
    esc(&sb, title);
    strbuf_addf(&sb,
                "</h1>\n<p class=\"sum\">%zu personas &times; %zu apps &times; %zu locations "
                "&times; %zu platforms &times; %zu client app types = <strong>%zu "
                "sign-ins</strong> evaluated against %zu %s policies: <strong id=\"gapcount\">%zu "
                "gaps</strong> (no MFA, no block and no device requirement)",
                c->npersonas, c->napps, c->nlocations, c->nplatforms, c->nclients, c->ncells,
                c->npolicies, c->report_only_enforced ? "enabled and report-only" : "enabled",
                c->ngaps);
    if (emergency_gaps(c))
        strbuf_addf(&sb, ", %zu of them of emergency-access accounts (excluded by design)",
                    emergency_gaps(c));
    strbuf_adds(&sb, ".</p>\n");
    legend(&sb);
    strbuf_adds(&sb, "<p class=\"note\">Each cell is a persona signing in to an app from a "
                     "location; its colour is the <em>weakest</em> outcome over every platform "
                     "and client app type, and a red frame marks a cell with gaps. The small "
                     "squares show each combination: columns ");
    for (size_t i = 0; i < c->nplatforms; i++) {
        strbuf_adds(&sb, i ? ", " : "");
        esc(&sb, c->platforms[i].label);
    }
    strbuf_adds(&sb, "; rows ");
    for (size_t i = 0; i < c->nclients; i++) {
        strbuf_adds(&sb, i ? ", " : "");
        esc(&sb, c->clients[i].label);
    }
    strbuf_adds(&sb, " (hover for details). Sign-in and user risk are none here; see the risk "
                     "table below. &#9733; marks a trusted location.</p>\n");

    /* the matrix */
    strbuf_adds(&sb, "<h2>Persona matrix</h2>\n<table class=\"matrix\" id=\"matrix\">\n<tr><th "
                     "rowspan=\"2\">Persona</th>");
    for (size_t a = 0; a < c->napps; a++) {
        strbuf_addf(&sb, "<th class=\"app\" colspan=\"%zu\">", c->nlocations);
        esc(&sb, c->apps[a].label);
        strbuf_adds(&sb, "</th>");
    }
    strbuf_adds(&sb, "</tr>\n<tr>");
    for (size_t a = 0; a < c->napps; a++)
        for (size_t l = 0; l < c->nlocations; l++) {
            strbuf_adds(&sb, "<th>");
            esc(&sb, c->locations[l].label);
            strbuf_adds(&sb, c->locations[l].trusted ? " &#9733;</th>" : "</th>");
        }
    strbuf_adds(&sb, "</tr>\n");
    for (size_t p = 0; p < c->npersonas; p++) {
        strbuf_adds(&sb, "<tr>");
        persona_th(&sb, &c->personas[p]);
        for (size_t a = 0; a < c->napps; a++)
            for (size_t l = 0; l < c->nlocations; l++) {
                size_t gaps;
                const struct coverage_outcome *o = &c->outcomes[weakest(c, p, a, l, &gaps)];
                strbuf_addf(&sb, "<td class=\"c%s\" data-persona=\"", gaps ? " gap" : "");
                esc(&sb, c->personas[p].name);
                strbuf_adds(&sb, "\" data-app=\"");
                esc(&sb, c->apps[a].label);
                strbuf_adds(&sb, "\" data-location=\"");
                esc(&sb, c->locations[l].label);
                strbuf_addf(&sb, "\"><div class=\"cell k-%s\" title=\"",
                            coverage_class_name(o->cls));
                esc(&sb, o->label);
                strbuf_adds(&sb, "\"><div class=\"lbl\">");
                esc(&sb, o->brief);
                strbuf_adds(&sb, "</div>");
                if (gaps)
                    strbuf_addf(&sb, "<div class=\"cnt\">&#9888; %zu/%zu gaps</div>", gaps,
                                combos(c));
                mini(&sb, c, p, a, l);
                strbuf_adds(&sb, "</div></td>");
            }
        strbuf_adds(&sb, "</tr>\n");
    }
    strbuf_adds(&sb, "</table>\n");

    /* risk */
    strbuf_adds(&sb, "<h2>Risk</h2>\n<p class=\"note\">The reference sign-in (");
    esc(&sb, c->apps[0].label);
    strbuf_adds(&sb, ", ");
    esc(&sb, c->platforms[0].label);
    strbuf_adds(&sb, ", ");
    esc(&sb, c->clients[0].label);
    strbuf_adds(&sb, ", ");
    esc(&sb, c->locations[0].label);
    strbuf_adds(
        &sb, ") at each risk level.</p>\n<table class=\"risk\" id=\"risk\"><tr><th>Persona</th>");
    for (size_t k = 0; k < COVERAGE_RISKS; k++)
        strbuf_addf(&sb, "<th>%s</th>", coverage_risk_labels[k]);
    strbuf_adds(&sb, "</tr>\n");
    for (size_t p = 0; p < c->npersonas; p++) {
        strbuf_adds(&sb, "<tr>");
        persona_th(&sb, &c->personas[p]);
        for (size_t k = 0; k < COVERAGE_RISKS; k++) {
            const struct coverage_outcome *o = &c->outcomes[c->risk[p * COVERAGE_RISKS + k]];
            strbuf_addf(&sb, "<td class=\"k-%s\" title=\"", coverage_class_name(o->cls));
            esc(&sb, o->label);
            strbuf_adds(&sb, "\">");
            esc(&sb, o->brief);
            strbuf_adds(&sb, "</td>");
        }
        strbuf_adds(&sb, "</tr>\n");
    }
    strbuf_adds(&sb, "</table>\n");

    /* gaps */
    strbuf_addf(&sb, "<h2>Gaps</h2>\n<table class=\"list\" id=\"gaps\"><tr><th>Persona</th>"
                     "<th>App</th><th>Locations</th><th>Gaps per location</th><th>Outcome and "
                     "where</th></tr>\n");
    size_t rows;
    struct gap_group *g = gap_groups(c, &rows);
    for (size_t i = 0; i < rows; i++) {
        strbuf_adds(&sb, "<tr><td>");
        esc(&sb, c->personas[g[i].p].name);
        strbuf_adds(&sb, "</td><td>");
        esc(&sb, c->apps[g[i].a].label);
        strbuf_adds(&sb, "</td><td>");
        struct strbuf w = STRBUF_INIT;
        locs_text(&w, c, &g[i]);
        esc(&sb, strbuf_str(&w));
        strbuf_fini(&w);
        strbuf_addf(&sb, "</td><td>%zu/%zu</td><td>", g[i].gaps, combos(c));
        for (size_t k = 0; k < c->noutcomes; k++) {
            if (!c->outcomes[k].gap)
                continue;
            struct strbuf wh = STRBUF_INIT;
            where(&wh, c, g[i].p, g[i].a, g[i].locs[0], (unsigned)k);
            if (wh.len) {
                strbuf_addf(&sb, "<i class=\"sw k-%s\"></i> <b>",
                            coverage_class_name(c->outcomes[k].cls));
                esc(&sb, c->outcomes[k].label);
                strbuf_adds(&sb, "</b> on ");
                esc(&sb, strbuf_str(&wh));
                strbuf_adds(&sb, "<br>");
            }
            strbuf_fini(&wh);
        }
        strbuf_adds(&sb, "</td></tr>\n");
    }
    gap_groups_free(g, rows);
    if (!rows)
        strbuf_adds(&sb, "<tr><td colspan=\"5\">No gaps.</td></tr>\n");
    strbuf_adds(&sb,
                "</table>\n<p class=\"note\">Generated by idpc coverage.</p>\n</body></html>\n");
    return strbuf_detach(&sb);
}
