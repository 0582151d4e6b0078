/* sarif.c — `idpc check --format sarif`: the queued diagnostics and the exit criteria as a SARIF
 * 2.1.0 log (OASIS Static Analysis Results Interchange Format), one run of the tool "idpc" with
 * every lint rule described. Lives with lint (not diag) because it needs the rule table. */
#include <string.h>

#include "runtime/analysis/lint.h"

#define SARIF_SCHEMA                                                                               \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

static const char *level(enum diag_severity s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "note";
}

/* A relative path as a URI reference: unreserved characters and '/' stay, the rest is %XX. */
static json_t *uri_of(const char *path)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            strbuf_addc(&sb, (char)*p);
        else
            strbuf_addf(&sb, "%%%02X", *p);
    }
    json_t *s = json_string(strbuf_str(&sb));
    strbuf_fini(&sb);
    return s;
}

static json_t *physical(const struct diag_ctx *diag, struct loc l)
{
    unsigned line, col;
    diag_line_col(diag, l.file, l.start, &line, &col);
    json_t *region = json_pack("{s:i, s:i}", "startLine", (int)line, "startColumn", (int)col);
    if (l.end > l.start) {
        unsigned el, ec;
        diag_line_col(diag, l.file, l.end, &el, &ec);
        json_object_set_new(region, "endLine", json_integer(el));
        json_object_set_new(region, "endColumn", json_integer(ec));
    }
    return json_pack("{s:{s:o}, s:o}", "artifactLocation", "uri",
                     uri_of(diag_source(diag, l.file)->path), "region", region);
}

static json_t *rules_json(void)
{
    size_t n;
    const struct lint_rule *r = lint_rules(&n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char anchor[64];
        lint_rule_anchor(&r[i], anchor, sizeof(anchor));
        json_t *help = json_sprintf("%s Fix: %s Source: %s. See %s.", r[i].rationale, r[i].fix,
                                    r[i].source, anchor);
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:o}, s:{s:s}, s:{s:s, s:b}}", "id",
                      r[i].code, "name", r[i].name, "shortDescription", "text", r[i].title,
                      "fullDescription", "text", r[i].rationale, "help", "text", help,
                      "defaultConfiguration", "level", level(r[i].severity), "properties", "source",
                      r[i].source, "exitCriterion", strncmp(r[i].code, "IDP-P2-", 7) == 0));
    }
    return arr;
}

static int rule_index(const char *code)
{
    size_t n;
    const struct lint_rule *r = lint_rules(&n);
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(r[i].code, code) == 0)
            return (int)i;
    return -1;
}

json_t *lint_sarif(const struct diag_ctx *diag, const struct lint_report *rep, const char *version)
{
    json_t *results = json_array();
    for (size_t i = 0; i < diag_count(diag); i++) {
        const struct diag *d = diag_at(diag, i);
        json_t *res =
            json_pack("{s:s, s:{s:s}}", "level", level(d->severity), "message", "text", d->message);
        if (d->code) {
            json_object_set_new(res, "ruleId", json_string(d->code));
            int idx = rule_index(d->code);
            if (idx >= 0)
                json_object_set_new(res, "ruleIndex", json_integer(idx));
        }
        if (diag_loc_valid(d->loc))
            json_object_set_new(res, "locations",
                                json_pack("[{s:o}]", "physicalLocation", physical(diag, d->loc)));
        json_t *related = json_array();
        for (size_t k = 0; k < d->nnotes; k++) {
            json_t *rl =
                json_pack("{s:i, s:{s:s}}", "id", (int)k, "message", "text", d->notes[k].message);
            if (diag_loc_valid(d->notes[k].loc))
                json_object_set_new(rl, "physicalLocation", physical(diag, d->notes[k].loc));
            json_array_append_new(related, rl);
        }
        if (json_array_size(related))
            json_object_set_new(res, "relatedLocations", related);
        else
            json_decref(related);
        json_array_append_new(results, res);
    }
    /* Criteria that passed or need a person: failed ones are among the diagnostics above. */
    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct lint_criterion *c = &rep->criteria[i];
        if (c->status == LINT_FAIL)
            continue;
        json_array_append_new(results,
                              json_pack("{s:s, s:i, s:s, s:s, s:{s:s}}", "ruleId", c->rule->code,
                                        "ruleIndex", rule_index(c->rule->code), "kind",
                                        c->status == LINT_PASS ? "pass" : "review", "level", "none",
                                        "message", "text", c->why));
    }
    json_t *driver = json_pack("{s:s, s:s, s:o}", "name", "idpc", "fullName",
                               "idpc check (Entra ID policy-as-code lints)", "rules", rules_json());
    if (version)
        json_object_set_new(driver, "version", json_string(version));
    return json_pack("{s:s, s:s, s:[{s:{s:o}, s:s, s:o}]}", "$schema", SARIF_SCHEMA, "version",
                     "2.1.0", "runs", "tool", "driver", driver, "columnKind", "unicodeCodePoints",
                     "results", results);
}
