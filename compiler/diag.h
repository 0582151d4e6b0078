/* diag.h — source files, locations and queued diagnostics, rendered once by the driver.
 * Ownership: a diag_ctx owns the source texts handed to it and every queued diagnostic;
 * struct loc is a plain value (a file index and byte offsets) and owns nothing. */
#ifndef IDPC_DIAG_H
#define IDPC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler/util.h"

#define DIAG_NO_FILE UINT32_MAX

/* A source range: byte offsets [start, end) into one file's text. */
struct loc {
    uint32_t file;
    uint32_t start;
    uint32_t end;
};

struct src_file {
    char *path;
    char *text; /* NUL-terminated; owned */
    size_t len;
    size_t *line_starts; /* byte offset of each line's first byte */
    size_t nlines;
};

enum diag_severity {
    DIAG_ERROR,
    DIAG_WARNING,
    DIAG_NOTE,
};

enum diag_format {
    DIAG_FMT_TEXT,
    DIAG_FMT_JSON,
    DIAG_FMT_GITHUB,
};

struct diag_note {
    struct loc loc;
    char *message;
};

struct diag {
    enum diag_severity severity;
    struct loc loc;
    char *code; /* stable code such as "IDP1001", or NULL */
    char *message;
    struct diag_note *notes;
    size_t nnotes;
};

struct diag_ctx;

struct diag_ctx *diag_ctx_new(void);
void diag_ctx_free(struct diag_ctx *ctx);

/* Registers a source text (taking ownership of `text`, which must be NUL-terminated). */
uint32_t diag_add_source(struct diag_ctx *ctx, const char *path, char *text, size_t len);
const struct src_file *diag_source(const struct diag_ctx *ctx, uint32_t file);
size_t diag_source_count(const struct diag_ctx *ctx);

/* 1-based line and column (column counts Unicode code points; a tab is one). */
void diag_line_col(const struct diag_ctx *ctx, uint32_t file, uint32_t offset, unsigned *line,
                   unsigned *col);

/* [start, end) of one file (an end before the start is the start): inline, as the scanner makes
 * one for every token. */
static inline struct loc diag_loc(uint32_t file, size_t start, size_t end)
{
    struct loc l = {file, (uint32_t)start, (uint32_t)(end < start ? start : end)};
    return l;
}
/* The location a "file:line:col" string names (as model "at" fields carry it), an empty range at
 * that point; DIAG_LOC_NONE when the file is not loaded or the string is not of that form. */
struct loc diag_loc_from_string(const struct diag_ctx *ctx, const char *at);
struct loc diag_loc_join(struct loc a, struct loc b);
static inline bool diag_loc_valid(struct loc l)
{
    return l.file != DIAG_NO_FILE;
}
#define DIAG_LOC_NONE ((struct loc){DIAG_NO_FILE, 0, 0})

/* Queue a diagnostic; notes attach to the most recent error or warning. */
void diag_error(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...) IDPC_PRINTF(3, 4);
void diag_warning(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...) IDPC_PRINTF(3, 4);
void diag_note(struct diag_ctx *ctx, struct loc loc, const char *fmt, ...) IDPC_PRINTF(3, 4);
/* Would a note be dropped now (no diagnostic yet, or the last one was a repeat or over the
 * cap)? Lets a caller skip the work of composing it. */
bool diag_notes_dropped(const struct diag_ctx *ctx);
void diag_emit(struct diag_ctx *ctx, enum diag_severity sev, const char *code, struct loc loc,
               const char *fmt, ...) IDPC_PRINTF(5, 6);
void diag_vemit(struct diag_ctx *ctx, enum diag_severity sev, const char *code, struct loc loc,
                const char *fmt, va_list ap) IDPC_PRINTF(5, 0);

unsigned diag_error_count(const struct diag_ctx *ctx);
unsigned diag_warning_count(const struct diag_ctx *ctx);
/* Errors beyond the cap are counted but not kept (default 50). */
void diag_set_error_cap(struct diag_ctx *ctx, unsigned cap);
bool diag_capped(const struct diag_ctx *ctx);
/* Treat warnings as errors in the counts (--werror). */
void diag_set_werror(struct diag_ctx *ctx, bool on);

size_t diag_count(const struct diag_ctx *ctx);
const struct diag *diag_at(const struct diag_ctx *ctx, size_t i);

/* The name a diagnostic without a source location starts with ("idpc plan: error: ..."); the
 * string is borrowed for the life of the process. Default "idpc". */
void diag_set_tool(const char *name);
const char *diag_tool(void);
/* Renders every queued diagnostic, sorted by file and position, then clears the queue. */
void diag_render(struct diag_ctx *ctx, FILE *out, enum diag_format fmt, bool color);
bool diag_format_parse(const char *name, enum diag_format *out);

/* Display width of the UTF-8 text [s, s+n) starting at display column `col0` (tabs stop at 8). */
size_t diag_display_width(const char *s, size_t n, size_t col0);

#endif
