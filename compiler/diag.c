/* diag.c — see diag.h. Rendering follows GCC's shape:
 *   file:line:col: error: message
 *      12 |   grant mfa_required
 *         |         ^~~~~~~~~~~~
 */
#include "compiler/diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DIAG_DEFAULT_CAP 50
#define DIAG_WINDOW      140 /* longest source excerpt shown, in display columns */

struct diag_ctx {
    struct src_file *files;
    size_t nfiles, capfiles;
    struct diag *diags;
    size_t ndiags, capdiags;
    unsigned errors, warnings;
    unsigned cap;
    bool capped;
    bool werror;
    bool last_dropped; /* the last error was over the cap: drop its notes too */
};

struct diag_ctx *diag_ctx_new(void)
{
    struct diag_ctx *ctx = xcalloc(1, sizeof(*ctx));
    ctx->cap = DIAG_DEFAULT_CAP;
    return ctx;
}

static void diag_clear(struct diag_ctx *ctx)
{
    for (size_t i = 0; i < ctx->ndiags; i++) {
        struct diag *d = &ctx->diags[i];
        free(d->message);
        free(d->code);
        for (size_t j = 0; j < d->nnotes; j++)
            free(d->notes[j].message);
        free(d->notes);
    }
    ctx->ndiags = 0;
}

void diag_ctx_free(struct diag_ctx *ctx)
{
    if (!ctx)
        return;
    diag_clear(ctx);
    free(ctx->diags);
    for (size_t i = 0; i < ctx->nfiles; i++) {
        free(ctx->files[i].path);
        free(ctx->files[i].text);
        free(ctx->files[i].line_starts);
    }
    free(ctx->files);
    free(ctx);
}

uint32_t diag_add_source(struct diag_ctx *ctx, const char *path, char *text, size_t len)
{
    if (ctx->nfiles == ctx->capfiles) {
        ctx->capfiles = ctx->capfiles ? ctx->capfiles * 2 : 8;
        ctx->files = xrealloc(ctx->files, ctx->capfiles * sizeof(*ctx->files));
    }
    struct src_file *f = &ctx->files[ctx->nfiles];
    f->path = xstrdup(path);
    f->text = text;
    f->len = len;
    size_t cap = 64;
    f->line_starts = xmalloc(cap * sizeof(size_t));
    f->nlines = 0;
    f->line_starts[f->nlines++] = 0;
    /* memchr from one newline to the next: a large configuration is read line by line here */
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (f->nlines == cap) {
            cap *= 2;
            f->line_starts = xrealloc(f->line_starts, cap * sizeof(size_t));
        }
        f->line_starts[f->nlines++] = (size_t)(nl - text) + 1;
        p = nl + 1;
    }
    return (uint32_t)ctx->nfiles++;
}

const struct src_file *diag_source(const struct diag_ctx *ctx, uint32_t file)
{
    if (file >= ctx->nfiles)
        return NULL;
    return &ctx->files[file];
}

size_t diag_source_count(const struct diag_ctx *ctx)
{
    return ctx->nfiles;
}

struct loc diag_loc_join(struct loc a, struct loc b)
{
    if (!diag_loc_valid(a))
        return b;
    if (!diag_loc_valid(b) || a.file != b.file)
        return a;
    struct loc l = a;
    if (b.start < l.start)
        l.start = b.start;
    if (b.end > l.end)
        l.end = b.end;
    return l;
}

static size_t line_index(const struct src_file *f, size_t off)
{
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Decodes one UTF-8 sequence; invalid bytes decode as U+FFFD of length 1. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) {
        *cp = 0;
        return 0;
    }
    unsigned char c = s[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

static unsigned cp_width(uint32_t cp)
{
    if (cp == 0 || (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x20E3)
        return 0; /* combining marks, zero-width, variation selectors */
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
        (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

/* The first code point boundary in [from, limit) at which the display width of [from, boundary)
 * reaches `cols` (limit if it never does). */
static size_t advance_columns(const char *s, size_t from, size_t limit, size_t cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t col = 0, i = from;
    while (i < limit && col < cols) {
        if (p[i] > 0 && p[i] < 0x80 && p[i] != '\t') { /* ASCII: one column (cp_width) */
            col++;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(p + i, limit - i, &cp);
        col = cp == '\t' ? (col / 8 + 1) * 8 : col + cp_width(cp);
        i += k;
    }
    return i;
}

size_t diag_display_width(const char *s, size_t n, size_t col0)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t col = col0;
    size_t i = 0;
    while (i < n) {
        if (p[i] > 0 && p[i] < 0x80 && p[i] != '\t') { /* ASCII: one column (cp_width) */
            col++;
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (cp == '\t')
            col = (col / 8 + 1) * 8;
        else
            col += cp_width(cp);
        i += k;
    }
    return col - col0;
}

/* Whether the display width of [s, s+n) exceeds `cols`; it stops reading there. */
static bool wider_than(const char *s, size_t n, size_t cols)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t col = 0, i = 0;
    while (i < n && col <= cols) {
        if (p[i] > 0 && p[i] < 0x80 && p[i] != '\t') { /* ASCII: one column (cp_width) */
            col++;
            i++;
            continue;
        }
        uint32_t cp;
        i += utf8_decode(p + i, n - i, &cp);
        col = cp == '\t' ? (col / 8 + 1) * 8 : col + cp_width(cp);
    }
    return col > cols;
}

static bool has_bom(const struct src_file *f)
{
    return f->len >= 3 && (unsigned char)f->text[0] == 0xEF && (unsigned char)f->text[1] == 0xBB &&
           (unsigned char)f->text[2] == 0xBF;
}

static size_t count_codepoints(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

void diag_line_col(const struct diag_ctx *ctx, uint32_t file, uint32_t offset, unsigned *line,
                   unsigned *col)
{
    const struct src_file *f = diag_source(ctx, file);
    if (!f) {
        *line = 0;
        *col = 0;
        return;
    }
    if (offset > f->len)
        offset = (uint32_t)f->len;
    size_t li = line_index(f, offset);
    size_t start = f->line_starts[li];
    if (li == 0 && has_bom(f) && offset >= 3)
        start = 3; /* a byte order mark is not a column */
    *line = (unsigned)(li + 1);
    *col = (unsigned)(count_codepoints(f->text + start, offset - start) + 1);
}

void diag_set_error_cap(struct diag_ctx *ctx, unsigned cap)
{
    ctx->cap = cap ? cap : DIAG_DEFAULT_CAP;
}

bool diag_capped(const struct diag_ctx *ctx)
{
    return ctx->capped;
}

void diag_set_werror(struct diag_ctx *ctx, bool on)
{
    ctx->werror = on;
}

unsigned diag_error_count(const struct diag_ctx *ctx)
{
    return ctx->errors + (ctx->werror ? ctx->warnings : 0);
}

unsigned diag_warning_count(const struct diag_ctx *ctx)
{
    return ctx->werror ? 0 : ctx->warnings;
}

size_t diag_count(const struct diag_ctx *ctx)
{
    return ctx->ndiags;
}

const struct diag *diag_at(const struct diag_ctx *ctx, size_t i)
{
    return i < ctx->ndiags ? &ctx->diags[i] : NULL;
}

bool diag_notes_dropped(const struct diag_ctx *ctx)
{
    return ctx->ndiags == 0 || ctx->last_dropped;
}

void diag_vemit(struct diag_ctx *ctx, enum diag_severity sev, const char *code, struct loc loc,
                const char *fmt, va_list ap)
{
    if (sev == DIAG_NOTE && diag_notes_dropped(ctx))
        return;
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    if (sev == DIAG_NOTE) {
        struct diag *d = &ctx->diags[ctx->ndiags - 1];
        d->notes = xrealloc(d->notes, (d->nnotes + 1) * sizeof(*d->notes));
        d->notes[d->nnotes].loc = loc;
        d->notes[d->nnotes].message = strbuf_detach(&sb);
        d->nnotes++;
        return;
    }
    /* The same message at the same place (a template line checked for each policy using it)
     * is reported once. */
    for (size_t i = 0; i < ctx->ndiags; i++) {
        const struct diag *d = &ctx->diags[i];
        if (d->severity == sev && d->loc.file == loc.file && d->loc.start == loc.start &&
            d->loc.end == loc.end && strcmp(d->message, strbuf_str(&sb)) == 0) {
            ctx->last_dropped = true;
            strbuf_fini(&sb);
            return;
        }
    }
    if (sev == DIAG_ERROR)
        ctx->errors++;
    else
        ctx->warnings++;
    if (ctx->errors + ctx->warnings > ctx->cap) {
        ctx->capped = true;
        ctx->last_dropped = true;
        strbuf_fini(&sb);
        return;
    }
    ctx->last_dropped = false;
    if (ctx->ndiags == ctx->capdiags) {
        ctx->capdiags = ctx->capdiags ? ctx->capdiags * 2 : 16;
        ctx->diags = xrealloc(ctx->diags, ctx->capdiags * sizeof(*ctx->diags));
    }
    struct diag *d = &ctx->diags[ctx->ndiags++];
    memset(d, 0, sizeof(*d));
    d->severity = sev;
    d->loc = loc;
    d->code = code ? xstrdup(code) : NULL;
    d->message = strbuf_detach(&sb);
}

void diag_emit(struct diag_ctx *ctx, enum diag_severity sev, const char *code, struct loc loc,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(ctx, sev, code, loc, fmt, ap);
    va_end(ap);
}

void diag_error(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(ctx, DIAG_ERROR, NULL, loc, fmt, ap);
    va_end(ap);
}

void diag_warning(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(ctx, DIAG_WARNING, NULL, loc, fmt, ap);
    va_end(ap);
}

void diag_note(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vemit(ctx, DIAG_NOTE, NULL, loc, fmt, ap);
    va_end(ap);
}

struct loc diag_loc_from_string(const struct diag_ctx *ctx, const char *at)
{
    if (!ctx || !at)
        return DIAG_LOC_NONE;
    const char *c2 = strrchr(at, ':');
    if (!c2 || c2 == at)
        return DIAG_LOC_NONE;
    const char *c1 = c2 - 1;
    while (c1 > at && *c1 != ':')
        c1--;
    if (*c1 != ':')
        return DIAG_LOC_NONE;
    char num[32];
    long line, col;
    size_t nl = (size_t)(c2 - c1 - 1);
    if (nl == 0 || nl >= sizeof(num))
        return DIAG_LOC_NONE;
    memcpy(num, c1 + 1, nl);
    num[nl] = '\0';
    if (!util_parse_long(num, 1, 100000000L, &line) ||
        !util_parse_long(c2 + 1, 1, 100000000L, &col))
        return DIAG_LOC_NONE;
    size_t plen = (size_t)(c1 - at);
    for (size_t i = 0; i < ctx->nfiles; i++) {
        const struct src_file *f = &ctx->files[i];
        if (strlen(f->path) != plen || strncmp(f->path, at, plen) != 0)
            continue;
        if ((size_t)line > f->nlines)
            return DIAG_LOC_NONE;
        size_t off = f->line_starts[line - 1];
        if (line == 1 && has_bom(f))
            off = 3;
        /* columns count code points */
        for (long k = 1; k < col && off < f->len && f->text[off] != '\n'; k++) {
            off++;
            while (off < f->len && ((unsigned char)f->text[off] & 0xC0) == 0x80)
                off++;
        }
        return diag_loc((uint32_t)i, off, off);
    }
    return DIAG_LOC_NONE;
}

bool diag_format_parse(const char *name, enum diag_format *out)
{
    if (strcmp(name, "text") == 0)
        *out = DIAG_FMT_TEXT;
    else if (strcmp(name, "json") == 0)
        *out = DIAG_FMT_JSON;
    else if (strcmp(name, "github") == 0)
        *out = DIAG_FMT_GITHUB;
    else
        return false;
    return true;
}

/* ---- rendering ---- */

/* What a diagnostic without a source location names instead: the program (and command). */
static const char *tool_name = "idpc";

void diag_set_tool(const char *name)
{
    tool_name = name ? name : "idpc";
}

const char *diag_tool(void)
{
    return tool_name;
}

static const char *sev_name(enum diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    case DIAG_NOTE:
        return "note";
    }
    return "error";
}

static const char *sev_color(enum diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return "\033[1;31m";
    case DIAG_WARNING:
        return "\033[1;35m";
    case DIAG_NOTE:
        return "\033[1;36m";
    }
    return "";
}

/* The line's text without its terminator (\n or \r\n). */
static void line_span(const struct src_file *f, size_t li, size_t *start, size_t *len)
{
    size_t s = f->line_starts[li];
    size_t e = li + 1 < f->nlines ? f->line_starts[li + 1] : f->len;
    if (e > s && f->text[e - 1] == '\n')
        e--;
    if (e > s && f->text[e - 1] == '\r')
        e--;
    if (li == 0 && has_bom(f) && e >= 3)
        s = 3;
    *start = s;
    *len = e - s;
}

/* Appends n copies of c. */
static void add_repeated(struct strbuf *sb, char c, size_t n)
{
    char chunk[32];
    memset(chunk, c, sizeof(chunk));
    while (n > 0) {
        size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
        strbuf_add(sb, chunk, k);
        n -= k;
    }
}

/* Appends the text [s, s+n) with tabs expanded, starting at display column col0, to `sb` when
 * it is not NULL; returns the display column after it. Runs of printable ASCII, nearly all of
 * any line, are copied in one piece. */
static size_t add_expanded(struct strbuf *sb, const char *s, size_t n, size_t col0)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t col = col0;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7F)
            run++;
        if (run > i) {
            if (sb)
                strbuf_add(sb, s + i, run - i);
            col += run - i;
            i = run;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (cp == '\t') {
            size_t next = (col / 8 + 1) * 8;
            if (sb)
                add_repeated(sb, ' ', next - col);
            col = next;
        } else if (cp < 0x20 || cp == 0x7F) {
            if (sb)
                strbuf_addc(sb, '?');
            col++;
        } else {
            if (sb)
                strbuf_add(sb, s + i, k);
            col += cp_width(cp);
        }
        i += k;
    }
    return col;
}

static void render_excerpt(struct strbuf *sb, const struct src_file *f, struct loc loc, bool color,
                           enum diag_severity sev)
{
    size_t li = line_index(f, loc.start);
    size_t ls, ll;
    line_span(f, li, &ls, &ll);
    size_t off = loc.start > ls ? loc.start - ls : 0;
    if (off > ll)
        off = ll;
    size_t end = loc.end > loc.start && loc.end > ls ? loc.end - ls : off + 1;
    if (end > ll)
        end = ll > off ? ll : off + 1; /* a range past the line end: underline to its end */
    /* Choose a window [ws, we) of the line so that long lines stay readable. */
    size_t ws = 0, we = ll;
    if (wider_than(f->text + ls, ll, DIAG_WINDOW)) {
        size_t caret_col = diag_display_width(f->text + ls, off, 0);
        size_t want = caret_col > DIAG_WINDOW / 3 ? caret_col - DIAG_WINDOW / 3 : 0;
        /* advance ws to the first code point boundary at or after display column `want`, then
         * we to DIAG_WINDOW columns after it (one pass each: a 4 KiB line used to cost a
         * width computation per byte, found by fuzz_parse) */
        ws = advance_columns(f->text + ls, 0, off, want);
        we = advance_columns(f->text + ls, ws, ll, DIAG_WINDOW);
        if (end > we)
            end = we;
    }
    char gutter[32];
    int gw = snprintf(gutter, sizeof(gutter), "%5zu", li + 1);
    strbuf_addf(sb, "%s | ", gutter);
    size_t col0 = 0;
    if (ws > 0) {
        strbuf_adds(sb, "...");
        col0 = 3;
    }
    /* Expanded columns are computed from the window start so tabs line up with the echo. */
    size_t start_disp = add_expanded(NULL, f->text + ls + ws, off - ws, col0);
    add_expanded(sb, f->text + ls + ws, we - ws, col0);
    if (we < ll)
        strbuf_adds(sb, "...");
    strbuf_addc(sb, '\n');
    size_t end_disp = add_expanded(NULL, f->text + ls + off, end > off ? end - off : 0, start_disp);
    if (end_disp <= start_disp)
        end_disp = start_disp + 1;
    strbuf_addf(sb, "%*s | ", gw, "");
    add_repeated(sb, ' ', start_disp);
    if (color)
        strbuf_adds(sb, sev == DIAG_NOTE ? "\033[1;36m" : "\033[1;32m");
    strbuf_addc(sb, '^');
    add_repeated(sb, '~', end_disp - start_disp - 1);
    if (color)
        strbuf_adds(sb, "\033[0m");
    strbuf_addc(sb, '\n');
}

static void render_one_text(struct diag_ctx *ctx, struct strbuf *sb, enum diag_severity sev,
                            struct loc loc, const char *code, const char *msg, bool color)
{
    const struct src_file *f = diag_loc_valid(loc) ? diag_source(ctx, loc.file) : NULL;
    if (color)
        strbuf_adds(sb, "\033[1m");
    if (f) {
        unsigned line, col;
        diag_line_col(ctx, loc.file, loc.start, &line, &col);
        strbuf_addf(sb, "%s:%u:%u: ", f->path, line, col);
    } else {
        strbuf_addf(sb, "%s: ", tool_name);
    }
    if (color)
        strbuf_addf(sb, "\033[0m%s", sev_color(sev));
    strbuf_adds(sb, sev_name(sev));
    if (color)
        strbuf_adds(sb, "\033[0m");
    strbuf_addf(sb, ": %s", msg);
    if (code)
        strbuf_addf(sb, " [%s]", code);
    strbuf_addc(sb, '\n');
    if (f)
        render_excerpt(sb, f, loc, color, sev);
}

static void json_add_loc(struct diag_ctx *ctx, json_t *o, struct loc loc)
{
    const struct src_file *f = diag_loc_valid(loc) ? diag_source(ctx, loc.file) : NULL;
    if (!f)
        return;
    unsigned line, col, eline, ecol;
    diag_line_col(ctx, loc.file, loc.start, &line, &col);
    diag_line_col(ctx, loc.file, loc.end > loc.start ? loc.end : loc.start, &eline, &ecol);
    json_object_set_new(o, "file", json_string(f->path));
    json_object_set_new(o, "line", json_integer(line));
    json_object_set_new(o, "column", json_integer(col));
    json_object_set_new(o, "endLine", json_integer(eline));
    json_object_set_new(o, "endColumn", json_integer(ecol));
}

static void gh_escape(struct strbuf *sb, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%':
            strbuf_adds(sb, "%25");
            break;
        case '\r':
            strbuf_adds(sb, "%0D");
            break;
        case '\n':
            strbuf_adds(sb, "%0A");
            break;
        case ':':
            strbuf_adds(sb, property ? "%3A" : ":");
            break;
        case ',':
            strbuf_adds(sb, property ? "%2C" : ",");
            break;
        default:
            strbuf_addc(sb, *s);
        }
    }
}

static void render_github(struct diag_ctx *ctx, struct strbuf *sb, enum diag_severity sev,
                          struct loc loc, const char *msg)
{
    const struct src_file *f = diag_loc_valid(loc) ? diag_source(ctx, loc.file) : NULL;
    strbuf_addf(sb, "::%s",
                sev == DIAG_ERROR     ? "error"
                : sev == DIAG_WARNING ? "warning"
                                      : "notice");
    if (f) {
        unsigned line, col, eline, ecol;
        diag_line_col(ctx, loc.file, loc.start, &line, &col);
        diag_line_col(ctx, loc.file, loc.end > loc.start ? loc.end : loc.start, &eline, &ecol);
        strbuf_adds(sb, " file=");
        gh_escape(sb, f->path, true);
        strbuf_addf(sb, ",line=%u,col=%u", line, col);
        if (eline == line)
            strbuf_addf(sb, ",endColumn=%u", ecol);
        else
            strbuf_addf(sb, ",endLine=%u", eline);
    }
    strbuf_adds(sb, "::");
    gh_escape(sb, msg, false);
    strbuf_addc(sb, '\n');
}

static int cmp_diag(const void *pa, const void *pb)
{
    const struct diag *a = pa, *b = pb;
    if (a->loc.file != b->loc.file)
        return a->loc.file < b->loc.file ? -1 : 1;
    if (a->loc.start != b->loc.start)
        return a->loc.start < b->loc.start ? -1 : 1;
    return 0;
}

/* Stable sort by position: insertion order breaks ties (merge via index tagging). */
static void sort_diags(struct diag_ctx *ctx)
{
    /* insertion sort keeps stability; diagnostic counts are small (capped) */
    for (size_t i = 1; i < ctx->ndiags; i++) {
        struct diag tmp = ctx->diags[i];
        size_t j = i;
        while (j > 0 && cmp_diag(&ctx->diags[j - 1], &tmp) > 0) {
            ctx->diags[j] = ctx->diags[j - 1];
            j--;
        }
        ctx->diags[j] = tmp;
    }
}

void diag_render(struct diag_ctx *ctx, FILE *out, enum diag_format fmt, bool color)
{
    sort_diags(ctx);
    struct strbuf sb = STRBUF_INIT;
    if (fmt == DIAG_FMT_JSON) {
        json_t *arr = json_array();
        for (size_t i = 0; i < ctx->ndiags; i++) {
            struct diag *d = &ctx->diags[i];
            json_t *o = json_object();
            json_object_set_new(o, "severity", json_string(sev_name(d->severity)));
            json_add_loc(ctx, o, d->loc);
            if (d->code)
                json_object_set_new(o, "code", json_string(d->code));
            json_object_set_new(o, "message", json_string(d->message));
            json_t *notes = json_array();
            for (size_t j = 0; j < d->nnotes; j++) {
                json_t *n = json_object();
                json_add_loc(ctx, n, d->notes[j].loc);
                json_object_set_new(n, "message", json_string(d->notes[j].message));
                json_array_append_new(notes, n);
            }
            json_object_set_new(o, "notes", notes);
            json_array_append_new(arr, o);
        }
        json_t *doc = json_object();
        json_object_set_new(doc, "diagnostics", arr);
        json_object_set_new(doc, "errors", json_integer(diag_error_count(ctx)));
        json_object_set_new(doc, "warnings", json_integer(diag_warning_count(ctx)));
        json_object_set_new(doc, "truncated", json_boolean(ctx->capped));
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        strbuf_adds(&sb, s);
        strbuf_addc(&sb, '\n');
        free(s);
        json_decref(doc);
    } else {
        for (size_t i = 0; i < ctx->ndiags; i++) {
            struct diag *d = &ctx->diags[i];
            if (fmt == DIAG_FMT_GITHUB) {
                render_github(ctx, &sb, d->severity, d->loc, d->message);
                for (size_t j = 0; j < d->nnotes; j++)
                    render_github(ctx, &sb, DIAG_NOTE, d->notes[j].loc, d->notes[j].message);
                continue;
            }
            render_one_text(ctx, &sb, d->severity, d->loc, d->code, d->message, color);
            for (size_t j = 0; j < d->nnotes; j++)
                render_one_text(ctx, &sb, DIAG_NOTE, d->notes[j].loc, NULL, d->notes[j].message,
                                color);
        }
        if (ctx->capped && fmt == DIAG_FMT_TEXT)
            strbuf_addf(&sb, "idpc: too many diagnostics; showing the first %u of %u\n", ctx->cap,
                        ctx->errors + ctx->warnings);
    }
    fputs(strbuf_str(&sb), out);
    fflush(out);
    strbuf_fini(&sb);
    diag_clear(ctx);
}
