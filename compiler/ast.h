/* ast.h — the syntax tree of a configuration: files of statements, each a line of atoms with an
 * optional block of nested statements; comments kept for the printer.
 * Ownership: every node, atom and string belongs to the config's arena (freed by ast_config_free). */
#ifndef IDPC_AST_H
#define IDPC_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"
#include "compiler/util.h"

enum ast_atom_kind {
    AST_WORD,     /* identifier / keyword: users, include, mfa */
    AST_STRING,   /* "..." (text holds the decoded value) */
    AST_NUMBER,   /* 42 */
    AST_DURATION, /* 4h, 7d: num holds the count, unit the suffix */
    AST_VAR,      /* $name: text holds the name without '$' */
    AST_COMMA,    /* , */
    AST_EQUALS,   /* = */
    AST_PLUS,     /* + */
};

struct ast_atom {
    enum ast_atom_kind kind;
    struct loc loc;
    const char *text; /* WORD, STRING (decoded), VAR, DURATION unit, NUMBER digits */
    size_t len;       /* length of text in bytes (a decoded string may contain no NUL) */
    long long num;    /* NUMBER, DURATION */
};

struct ast_comment {
    struct loc loc;
    const char *text; /* from '#' to end of line, without the line terminator */
    bool blank_after; /* a blank line follows it */
    struct ast_comment *next;
};

/* (Fields ordered without padding: a large configuration holds many thousands of them.) */
struct ast_stmt {
    struct loc loc; /* the whole statement, block included */
    struct loc lbrace, rbrace;
    bool has_block;
    bool blank_before;  /* a blank line separates it from what precedes it */
    bool from_template; /* inserted by template expansion (never printed) */
    struct ast_atom *atoms;
    size_t natoms;         /* >= 1; atoms[0] is the statement's keyword (a WORD) */
    struct ast_stmt *body; /* first statement of the block */
    struct ast_stmt *next;
    struct ast_comment *leading;  /* comment lines just above the statement */
    struct ast_comment *trailing; /* comments within the statement's lines (before any block) */
    struct ast_comment *closing;  /* comments inside the block after its last statement */
    struct ast_comment *after;    /* comment on the line of the closing '}' */
};

struct ast_file {
    const char *path;
    uint32_t src; /* diag source index */
    struct ast_stmt *stmts;
    struct ast_comment *closing; /* comments after the last statement */
    struct ast_file *next;
};

struct ast_config {
    struct arena *arena;
    struct ast_file *files; /* sorted by path */
    size_t nfiles;
};

struct ast_config *ast_config_new(void);
void ast_config_free(struct ast_config *cfg);

/* Parses one source text (already registered with diag) into a new file of `cfg`.
 * Returns the file (possibly partial); errors are queued in `diag`. */
struct ast_file *ast_parse_source(struct ast_config *cfg, struct diag_ctx *diag, uint32_t src);
/* ast_parse_source with bison's parser for every statement, where ast_parse_source builds the
 * statements without a syntax error itself (the same tree and diagnostics): for the tests that
 * compare the two. */
struct ast_file *ast_parse_source_general(struct ast_config *cfg, struct diag_ctx *diag,
                                          uint32_t src);

/* Registers `text` (NUL-terminated, `len` bytes; ownership passes to `diag`) as the contents of
 * `path` and parses it, as ast_load_path does for a file it read: an editor's unsaved buffer.
 * Returns 0, or -1 after queueing an error (UTF-16 text, a NUL byte). */
int ast_load_text(struct ast_config *cfg, struct diag_ctx *diag, const char *path, char *text,
                  size_t len);

/* The *.idp files of DIR (no hidden ones), as "DIR/name", sorted by name: the files
 * ast_load_path reads. Returns 0 (*out and each name caller-owned, free each), or an errno. */
int ast_dir_files(const char *dir, char ***out, size_t *count);

/* Loads FILE or every *.idp in DIR (sorted by name) and parses them.
 * Returns 0, or -1 after queueing an error (unreadable path, no .idp files). */
int ast_load_path(struct ast_config *cfg, struct diag_ctx *diag, const char *path);

/* Source offset of the byte at index `i` of a STRING atom's decoded text (for errors inside rules). */
size_t ast_string_src_offset(const struct diag_ctx *diag, const struct ast_atom *a, size_t i);

/* Convenience accessors. */
static inline bool ast_is_word(const struct ast_atom *a, const char *w);
const char *ast_atom_kind_name(enum ast_atom_kind k);
/* A short human rendering of an atom for messages: 'word', string "x", $var, ',' ... */
const char *ast_atom_describe(struct arena *ar, const struct ast_atom *a);
struct loc ast_atoms_loc(const struct ast_stmt *s, size_t from, size_t to); /* [from, to) */

/* Debug dump of the tree (golden tests of the parser). */
void ast_dump(const struct ast_config *cfg, const struct diag_ctx *diag, struct strbuf *out);

#include <string.h>
static inline bool ast_is_word(const struct ast_atom *a, const char *w)
{
    return a && a->kind == AST_WORD && strcmp(a->text, w) == 0;
}

#endif
