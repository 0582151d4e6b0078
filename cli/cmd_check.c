/* cmd_check.c — `idpc check`: Conditional Access hygiene lints and the Phase 2 identity exit
 * criteria, offline on a configuration or on a tenant's live objects. Codes: docs/check.md. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "runtime/tenant/backend.h"
#include "runtime/analysis/lint.h"

#ifndef IDPC_VERSION
#define IDPC_VERSION "0"
#endif

enum {
    OPT_TENANT = CLI_KEY(0),
    OPT_FORMAT,
    OPT_REPORT
};

static const struct cli_opt opts[] = {
    {OPT_TENANT, "tenant", "SPEC",
     "check a tenant: graph: (Microsoft Graph) or file:PATH (a "
     "snapshot, docs/tenant-format.md)"},
    {OPT_FORMAT, "format", "text|json|sarif|github",
     "text (default; diagnostics at the .idp line, then the "
     "report), json (diagnostics and criteria in one document), "
     "sarif (SARIF 2.1.0 log), github (workflow annotations)"},
    {OPT_REPORT, "report", "text|markdown|none",
     "the exit-criteria report after the diagnostics: text "
     "(default with --format text), markdown, or none (default "
     "otherwise)"},
    {'o', "output", "FILE",
     "write the findings and the report to FILE instead of standard "
     "output"},
    {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "check",
    .usage = "[OPTIONS] [DIR|FILE...]\n",
    .about = "Lints the Conditional Access policies and evaluates the Phase 2 identity exit "
             "criteria of the Microsoft 365 Enterprise deployment guide. Offline it compiles DIR "
             "(default '.'); with --tenant it reads the tenant's live policies, groups, roles and "
             "organization (a DIR given as well supplies only its emergency_access and "
             "directory_sync declarations). Every finding has a stable code (IDP-P2-nnn for exit "
             "criteria, IDP-CA-nnn for Conditional Access hygiene) documented in docs/check.md.\n",
    .opts = opts,
    .exit_codes = "  0  every required exit criterion passes and there is no error\n"
                  "  1  a required criterion failed, an error-level lint, compilation or tenant\n"
                  "     errors, or a usage error\n",
    .examples = "idpc check policies/contoso\n"
                "idpc check policies/contoso --format sarif -o idpc.sarif\n",
};

static void gh_escape(struct strbuf *sb, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            strbuf_adds(sb, "%25");
        else if (*s == '\r')
            strbuf_adds(sb, "%0D");
        else if (*s == '\n')
            strbuf_adds(sb, "%0A");
        else if (property && *s == ':')
            strbuf_adds(sb, "%3A");
        else if (property && *s == ',')
            strbuf_adds(sb, "%2C");
        else
            strbuf_addc(sb, *s);
    }
}

static void gh_line(struct strbuf *sb, const struct diag_ctx *diag, enum diag_severity sev,
                    struct loc l, const char *code, const char *msg)
{
    strbuf_adds(sb, sev == DIAG_ERROR ? "::error" : sev == DIAG_WARNING ? "::warning" : "::notice");
    const char *comma = " ";
    if (diag_loc_valid(l)) {
        unsigned line, col;
        diag_line_col(diag, l.file, l.start, &line, &col);
        strbuf_adds(sb, " file=");
        gh_escape(sb, diag_source(diag, l.file)->path, true);
        strbuf_addf(sb, ",line=%u,col=%u", line, col);
        comma = ",";
    }
    if (code) {
        strbuf_addf(sb, "%stitle=", comma);
        gh_escape(sb, code, true);
    }
    strbuf_adds(sb, "::");
    gh_escape(sb, msg, false);
    strbuf_addc(sb, '\n');
}

static void render_github(const struct diag_ctx *diag, FILE *f)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < diag_count(diag); i++) {
        const struct diag *d = diag_at(diag, i);
        gh_line(&sb, diag, d->severity, d->loc, d->code, d->message);
        for (size_t k = 0; k < d->nnotes; k++)
            gh_line(&sb, diag, DIAG_NOTE, d->notes[k].loc, NULL, d->notes[k].message);
    }
    fputs(strbuf_str(&sb), f);
    strbuf_fini(&sb);
}

static void print_json(json_t *doc, FILE *out)
{
    char *s = cli_json_text(doc);
    fputs(s, out);
    free(s);
}

int cmd_check(int argc, char **argv)
{
    const char **paths = NULL;
    size_t npaths = 0;
    const char *tenant = NULL, *format = "text", *report = NULL, *output = NULL;
    int rc = CLI_EXIT_USAGE;
    struct compile_result cr = {0};
    bool compiled = false;
    struct diag_ctx *diag = NULL;
    struct backend *b = NULL;
    struct lint_input in;
    struct lint_report rep = {0};
    lint_input_init(&in);
    char *buf = NULL;
    size_t buflen = 0;
    FILE *out = stdout;
    struct cli_parser p;
    cli_begin(&p, &spec, argc, argv);
    const char *v;
    for (int k; (k = cli_next(&p, &v)) != CLI_DONE;) {
        switch (k) {
        case OPT_TENANT:
            tenant = v;
            break;
        case OPT_FORMAT:
            format = v;
            break;
        case OPT_REPORT:
            report = v;
            break;
        case 'o':
            output = v;
            break;
        default:
            rc = p.rc;
            goto out;
        }
    }
    paths = cli_operands(&p, NULL, &npaths);
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "sarif") &&
        strcmp(format, "github")) {
        cli_usage_error(spec.cmd, "--format takes text, json, sarif or github");
        goto out;
    }
    if (!report)
        report = strcmp(format, "text") == 0 ? "text" : "none";
    if (strcmp(report, "text") && strcmp(report, "markdown") && strcmp(report, "none")) {
        cli_usage_error(spec.cmd, "--report takes text, markdown or none");
        goto out;
    }
    if ((strcmp(format, "json") == 0 || strcmp(format, "sarif") == 0) &&
        strcmp(report, "none") != 0) {
        cli_usage_error(spec.cmd, "--report goes with --format text or github (json and sarif "
                                  "carry the criteria)");
        goto out;
    }
    cli_set_github(strcmp(format, "github") == 0);
    rc = CLI_EXIT_ERROR;
    if (npaths == 0 && !tenant)
        paths = cli_operands(&p, ".", &npaths);
    if (npaths > 0) {
        compiled = true;
        int crc = compile_paths(paths, npaths, false, &cr);
        diag = cr.diag;
        if (crc != 0 || !cr.model) {
            unsigned errors = diag_error_count(diag);
            diag_render(diag, stderr,
                        strcmp(format, "github") == 0 ? DIAG_FMT_GITHUB : DIAG_FMT_TEXT,
                        cli_color_for(stderr));
            cli_errors_line(errors, "nothing checked");
            goto out;
        }
    } else {
        diag = diag_ctx_new();
    }
    diag_set_error_cap(diag, 100000);
    if (tenant) {
        struct backend_error err;
        if (backend_open(tenant, &b, &err) != 0 ||
            lint_input_from_backend(&in, b, compiled ? cr.model : NULL, diag, &err) != 0) {
            cli_error(spec.cmd, "%s", err.message);
            goto out;
        }
    } else {
        lint_input_from_model(&in, cr.model, diag);
    }

    struct lint_options opt = {0};
    const char *now = getenv("IDPC_CHECK_NOW"); /* tests only: seconds since the epoch */
    long nowv;
    if (now && util_parse_long(now, 0, 4102444800L, &nowv))
        opt.now = (time_t)nowv;
    int lrc = lint_run(&in, &opt, diag, &rep);
    unsigned errors = diag_error_count(diag), warnings = diag_warning_count(diag);
    bool ok = lrc == 0 && errors == 0 && lint_report_required_ok(&rep);

    if (output && !(out = open_memstream(&buf, &buflen))) {
        cli_error(spec.cmd, "out of memory");
        goto out;
    }
    if (strcmp(format, "json") == 0) {
        json_t *doc = lint_report_to_json(&rep);
        json_object_set_new(doc, "diagnostics", lint_diags_to_json(diag));
        json_object_set_new(doc, "errors", json_integer(errors));
        json_object_set_new(doc, "warnings", json_integer(warnings));
        print_json(doc, out);
        json_decref(doc);
    } else if (strcmp(format, "sarif") == 0) {
        json_t *doc = lint_sarif(diag, &rep, IDPC_VERSION);
        print_json(doc, out);
        json_decref(doc);
    } else if (strcmp(format, "github") == 0) {
        render_github(diag, out);
    } else {
        diag_render(diag, out, DIAG_FMT_TEXT, !output && cli_color_for(stdout));
        fprintf(out, "%s%u error%s, %u warning%s\n", errors + warnings ? "\n" : "", errors,
                errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    if (strcmp(report, "text") == 0) {
        fputc('\n', out);
        lint_report_print_text(&rep, out);
    } else if (strcmp(report, "markdown") == 0) {
        if (strcmp(format, "text") == 0)
            fputc('\n', out);
        lint_report_print_markdown(&rep, out);
    }
    rc = ok ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    if (output) {
        fclose(out);
        out = NULL;
        if (cli_write_output(spec.cmd, output, buf, buflen) != 0)
            rc = CLI_EXIT_ERROR;
    }
out:
    if (out && out != stdout)
        fclose(out);
    free(buf);
    lint_report_free(&rep);
    lint_input_fini(&in);
    if (b)
        backend_close(b);
    if (compiled)
        compile_free(&cr);
    else if (diag)
        diag_ctx_free(diag);
    cli_end(&p);
    return rc;
}
