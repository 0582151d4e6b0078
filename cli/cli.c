/* cli.c — the option parser (getopt_long over a command's option table), help pages, colour,
 * error lines and output checks shared by the commands. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/suggest.h"

/* ---- Options common to every command -------------------------------------------------- */

enum {
    KEY_HELP = 'h',
    KEY_COLOR = CLI_KEY(200),
    KEY_NO_COLOR = CLI_KEY(201)
};

static const struct cli_opt common_opts[] = {
    {KEY_COLOR, "color", "auto|always|never",
     "colour: auto (default: on a terminal), always or never; NO_COLOR, FORCE_COLOR and "
     "CLICOLOR_FORCE are honoured"},
    {KEY_NO_COLOR, "no-color", NULL, "the same as --color=never"},
    {KEY_HELP, "help", NULL, "show this help and exit"},
    {0, NULL, NULL, NULL},
};

static enum cli_color color_mode = CLI_COLOR_AUTO;
static bool github_mode;

static size_t opts_len(const struct cli_opt *o)
{
    size_t n = 0;
    while (o && o[n].name)
        n++;
    return n;
}

/* The row of key `key` and long name `name` among the command's and the common options. */
static const struct cli_opt *find_opt(const struct cli_spec *spec, const char *name, size_t len)
{
    const struct cli_opt *tables[] = {spec->opts, common_opts};
    for (size_t t = 0; t < 2; t++)
        for (size_t i = 0; i < opts_len(tables[t]); i++)
            if (strlen(tables[t][i].name) == len && strncmp(tables[t][i].name, name, len) == 0)
                return &tables[t][i];
    return NULL;
}

void cli_begin(struct cli_parser *p, const struct cli_spec *spec, int argc, char **argv)
{
    memset(p, 0, sizeof(*p));
    p->spec = spec;
    p->argc = argc;
    p->argv = argv;
    size_t n = opts_len(spec->opts), nc = opts_len(common_opts);
    struct option *lo = xcalloc(n + nc + 1, sizeof(*lo));
    struct strbuf so = STRBUF_INIT;
    strbuf_adds(&so, "-:"); /* operands in order, as key 1; ':' for a missing value */
    size_t k = 0;
    const struct cli_opt *tables[] = {spec->opts, common_opts};
    for (size_t t = 0; t < 2; t++) {
        for (size_t i = 0; i < opts_len(tables[t]); i++) {
            const struct cli_opt *o = &tables[t][i];
            lo[k++] =
                (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
            if (o->key < 0x80 && o->key > ' ' && !strchr(strbuf_str(&so), o->key)) {
                strbuf_addc(&so, (char)o->key);
                if (o->arg)
                    strbuf_addc(&so, ':');
            }
        }
    }
    p->longopts = lo;
    p->shortopts = strbuf_detach(&so);
    p->args = xcalloc((size_t)argc + 2, sizeof(*p->args));
    static char tool[64];
    snprintf(tool, sizeof(tool), "idpc %s", spec->cmd);
    diag_set_tool(tool);
    optind = 0; /* glibc: a full re-initialisation */
    opterr = 0;
}

static int stop(struct cli_parser *p, int rc)
{
    p->rc = rc;
    return CLI_STOP;
}

/* "unknown option '--x'" with the closest spelling, for a long name of `len` bytes. */
static int unknown_long(struct cli_parser *p, const char *name, size_t len)
{
    char *word = xstrndup(name, len);
    const struct cli_opt *tables[] = {p->spec->opts, common_opts};
    const char *prefix_of = NULL;
    size_t nprefix = 0;
    struct suggest sg;
    suggest_init(&sg, word);
    for (size_t t = 0; t < 2; t++)
        for (size_t i = 0; i < opts_len(tables[t]); i++) {
            const char *cand = tables[t][i].name;
            suggest_add(&sg, cand);
            if (len > 0 && strncmp(cand, word, len) == 0) {
                prefix_of = cand;
                nprefix++;
            }
        }
    const char *best = nprefix == 1 ? prefix_of : suggest_result(&sg);
    if (best && nprefix == 1)
        cli_usage_error(p->spec->cmd,
                        "unknown option '--%s'; did you mean '--%s'? (options are spelled in "
                        "full)",
                        word, best);
    else if (best)
        cli_usage_error(p->spec->cmd, "unknown option '--%s'; did you mean '--%s'?", word, best);
    else
        cli_usage_error(p->spec->cmd, "unknown option '--%s'", word);
    free(word);
    return stop(p, CLI_EXIT_USAGE);
}

int cli_next(struct cli_parser *p, const char **val)
{
    const struct option *lo = p->longopts;
    for (;;) {
        *val = NULL;
        int li = -1;
        int c = getopt_long(p->argc, p->argv, p->shortopts, lo, &li);
        if (c == -1) {
            for (int i = optind; i < p->argc; i++) /* after "--" */
                p->args[p->nargs++] = p->argv[i];
            return CLI_DONE;
        }
        if (c == 1) {
            p->args[p->nargs++] = optarg;
            continue;
        }
        const char *elem = optind > 0 && optind <= p->argc ? p->argv[optind - 1] : "";
        if (c == '?' || c == ':') {
            if (strncmp(elem, "--", 2) == 0) {
                const char *name = elem + 2;
                size_t len = strcspn(name, "=");
                const struct cli_opt *o = find_opt(p->spec, name, len);
                if (!o)
                    return unknown_long(p, name, len);
                if (c == ':')
                    cli_usage_error(p->spec->cmd, "option '--%s' needs a value (%s)", o->name,
                                    o->arg);
                else
                    cli_usage_error(p->spec->cmd, "option '--%s' takes no value", o->name);
            } else if (c == ':') {
                cli_usage_error(p->spec->cmd, "option '-%c' needs a value", optopt);
            } else {
                cli_usage_error(p->spec->cmd, "unknown option '-%c'", optopt);
            }
            return stop(p, CLI_EXIT_USAGE);
        }
        if (li >= 0) {
            /* The element that named the option: the previous one, or the one before when the
             * value came separately. Refuse abbreviations. */
            const char *at = elem;
            if (lo[li].has_arg && optarg && optind >= 2 && optarg == p->argv[optind - 1])
                at = p->argv[optind - 2];
            if (strncmp(at, "--", 2) == 0) {
                size_t len = strcspn(at + 2, "=");
                if (len != strlen(lo[li].name) || strncmp(at + 2, lo[li].name, len) != 0)
                    return unknown_long(p, at + 2, len);
            }
        }
        *val = optarg;
        switch (c) {
        case KEY_HELP:
            cli_help(p->spec);
            return stop(p, CLI_EXIT_OK);
        case KEY_NO_COLOR:
            cli_set_color(CLI_COLOR_NEVER);
            continue;
        case KEY_COLOR:
            if (strcmp(optarg, "auto") == 0)
                cli_set_color(CLI_COLOR_AUTO);
            else if (strcmp(optarg, "always") == 0)
                cli_set_color(CLI_COLOR_ALWAYS);
            else if (strcmp(optarg, "never") == 0)
                cli_set_color(CLI_COLOR_NEVER);
            else {
                cli_usage_error(p->spec->cmd, "--color takes auto, always or never, not '%s'",
                                optarg);
                return stop(p, CLI_EXIT_USAGE);
            }
            continue;
        default:
            return c;
        }
    }
}

const char **cli_operands(struct cli_parser *p, const char *dflt, size_t *n)
{
    if (p->nargs == 0 && dflt)
        p->args[p->nargs++] = dflt;
    *n = p->nargs;
    return p->args;
}

void cli_end(struct cli_parser *p)
{
    free(p->longopts);
    free(p->shortopts);
    free(p->args);
    memset(p, 0, sizeof(*p));
}

/* ---- Help pages ------------------------------------------------------------------------ */

enum {
    HELP_WIDTH = 79,
    HELP_COL = 26
};

/* Prints `text` wrapped at HELP_WIDTH, its lines indented by `indent` columns; the first line
 * continues at column `col`. Explicit "\n" breaks are kept. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
    const char *s = text;
    while (*s) {
        if (*s == '\n') {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
            s++;
            continue;
        }
        size_t w = strcspn(s, " \n");
        if (col > indent && col + 1 + w > HELP_WIDTH) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, w, f);
        col += w;
        s += w;
        while (*s == ' ')
            s++;
    }
    fputc('\n', f);
}

static void help_opts(FILE *f, const struct cli_opt *opts)
{
    for (size_t i = 0; i < opts_len(opts); i++) {
        const struct cli_opt *o = &opts[i];
        if (!o->help)
            continue;
        char left[96];
        bool has_short = o->key < 0x80 && o->key > ' ';
        /* The short form belongs to the row that documents the key. */
        int n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", has_short ? '-' : ' ',
                         has_short ? o->key : ' ', has_short ? ", " : "  ", o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
        fputs(left, f);
        size_t col = (size_t)n;
        if (col + 2 > HELP_COL) {
            fprintf(f, "\n%*s", HELP_COL, "");
        } else {
            fprintf(f, "%*s", (int)(HELP_COL - col), "");
        }
        wrap(f, o->help, HELP_COL, HELP_COL);
    }
}

/* Prints text as paragraphs wrapped at HELP_WIDTH: lines join until a blank line; a line that
 * starts with a space (a list, a command) is printed as it is. */
static void reflow(FILE *f, const char *text)
{
    struct strbuf para = STRBUF_INIT;
    const char *s = text;
    while (*s) {
        size_t n = strcspn(s, "\n");
        bool verbatim = n == 0 || s[0] == ' ';
        if (verbatim && para.len) {
            wrap(f, strbuf_str(&para), 0, 0);
            strbuf_reset(&para);
        }
        if (verbatim) {
            fprintf(f, "%.*s\n", (int)n, s);
        } else {
            if (para.len)
                strbuf_addc(&para, ' ');
            strbuf_add(&para, s, n);
        }
        s += n;
        if (*s)
            s++;
    }
    if (para.len)
        wrap(f, strbuf_str(&para), 0, 0);
    strbuf_fini(&para);
}

void cli_help(const struct cli_spec *spec)
{
    FILE *f = stdout;
    const char *u = spec->usage;
    bool first = true;
    while (*u) {
        size_t n = strcspn(u, "\n");
        fprintf(f, "%s idpc %s %.*s\n", first ? "Usage:" : "  or: ", spec->cmd, (int)n, u);
        first = false;
        u += n;
        if (*u)
            u++;
    }
    fputc('\n', f);
    reflow(f, spec->about);
    fprintf(f, "\nDocumentation: docs/cli.md.\n\nOptions:\n");
    help_opts(f, spec->opts);
    help_opts(f, common_opts);
    fprintf(f, "\nExit codes:\n%s",
            spec->exit_codes ? spec->exit_codes
                             : "  0  success\n  1  errors (usage errors included)\n");
    if (spec->examples) {
        /* "  $ command" is what help2man sets as an example, in a constant-width font. */
        fprintf(f, "\nExamples:\n");
        for (const char *e = spec->examples; *e;) {
            size_t n = strcspn(e, "\n");
            fprintf(f, "  $ %.*s\n", (int)n, e);
            e += n;
            if (*e)
                e++;
        }
    }
}

/* ---- Messages -------------------------------------------------------------------------- */

static void gh_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", f);
        else if (*s == '\r')
            fputs("%0D", f);
        else if (*s == '\n')
            fputs("%0A", f);
        else
            fputc(*s, f);
    }
}

__attribute__((format(printf, 3, 0))) static void vmessage(const char *cmd, const char *sev,
                                                           const char *fmt, va_list ap)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    const char *sp = cmd && *cmd ? " " : "";
    if (!cmd)
        cmd = "";
    if (github_mode) {
        fprintf(stderr, "::%s title=idpc%s%s::", sev, sp, cmd);
        gh_escape(stderr, strbuf_str(&sb));
        fputc('\n', stderr);
    } else {
        fprintf(stderr, "idpc%s%s: %s: %s\n", sp, cmd, sev, strbuf_str(&sb));
    }
    strbuf_fini(&sb);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, "error", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, "warning", fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, "error", fmt, ap);
    va_end(ap);
    fprintf(stderr, "Run 'idpc %s --help' for usage.\n", cmd);
    return CLI_EXIT_USAGE;
}

void cli_set_github(bool on)
{
    github_mode = on;
}

/* ---- Colour ---------------------------------------------------------------------------- */

void cli_set_color(enum cli_color c)
{
    color_mode = c;
}

static bool env_on(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

bool cli_color_for(FILE *f)
{
    if (color_mode != CLI_COLOR_AUTO)
        return color_mode == CLI_COLOR_ALWAYS;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    if (env_on("FORCE_COLOR") || env_on("CLICOLOR_FORCE"))
        return true;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f)) != 0;
}

void cli_errors_line(unsigned errors, const char *what)
{
    fprintf(stderr, "%u error%s; %s\n", errors, errors == 1 ? "" : "s", what);
}

/* ---- Output ---------------------------------------------------------------------------- */

char *cli_json_text(const json_t *j)
{
    char *d = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *text = xasprintf("%s\n", d ? d : "null");
    free(d);
    return text;
}

int cli_write_output(const char *cmd, const char *path, const char *data, size_t len)
{
    if (!path || strcmp(path, "-") == 0) {
        fwrite(data, 1, len, stdout);
        return 0; /* checked once at exit by cli_close_stdout() */
    }
    int e = util_write_file_atomic(path, data, len);
    if (e) {
        cli_error(cmd, "cannot write '%s': %s", path, strerror(e));
        return CLI_EXIT_ERROR;
    }
    return 0;
}

int cli_close_stdout(const char *cmd)
{
    errno = 0;
    int bad = fflush(stdout) != 0;
    int e = errno;
    bad |= ferror(stdout) != 0;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad)
        return 0;
    if (e)
        cli_error(cmd, "cannot write standard output: %s", strerror(e));
    else
        cli_error(cmd, "cannot write standard output: a write failed; the output is incomplete");
    return CLI_EXIT_ERROR;
}

/* ---- Diagnostics formats --------------------------------------------------------------- */

void cli_diag_opts_init(struct cli_diag_opts *o)
{
    o->format = DIAG_FMT_TEXT;
    o->color = cli_color_for(stderr);
}

int cli_diag_format(const char *cmd, const char *val, struct cli_diag_opts *o)
{
    if (!diag_format_parse(val, &o->format))
        return cli_usage_error(cmd, "--format takes text, json or github, not '%s'", val);
    cli_set_github(o->format == DIAG_FMT_GITHUB);
    return 0;
}

/* ---- Hand parsing (kept for commands not yet on an option table) ------------------------ */

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_option_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n])
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

int cli_parse_format(int argc, char **argv, int *i, struct cli_diag_opts *o)
{
    const char *val = NULL;
    int r = cli_option_value(argc, argv, i, "--format", &val);
    if (r <= 0)
        return r;
    if (!diag_format_parse(val, &o->format))
        return -1;
    return 1;
}
