/* lower_policy_base.c — the lowest layer of policy lowering: the notes that point at an earlier
 * statement (the policy's own or a template's) and the look-ups of what a policy already has.
 * lower_policy.c (lowering) and lower_policy_check.c (Graph's rules) both call down into it. */
#include "compiler/lower_policy_int.h"

static struct diag_ctx *D(struct pol *p)
{
    return p->ck->diag;
}

/* The name of the template a statement of this policy came from, or NULL for the policy's own
 * statements (which lie inside the declaration). */
static const char *template_of(struct pol *p, const struct ast_stmt *s)
{
    struct loc d = p->decl->loc, l = s->loc;
    if (l.file == d.file && l.start >= d.start && l.end <= d.end)
        return NULL;
    for (const struct ast_file *f = p->ck->cfg->files; f; f = f->next)
        for (const struct ast_stmt *t = f->stmts; t; t = t->next)
            if (ast_is_word(&t->atoms[0], "template") && t->natoms > 1 && t->loc.file == l.file &&
                l.start >= t->loc.start && l.end <= t->loc.end)
                return t->atoms[1].text;
    return "?";
}

/* A note at an earlier statement: "first VERB here" or "VERB by template 'T' here". */
void lower_policy_note_first(struct pol *p, struct loc l, const struct ast_stmt *s,
                             const char *verb)
{
    if (diag_notes_dropped(D(p)))
        return; /* a repeated diagnostic: template_of() walks every statement */
    const char *t = template_of(p, s);
    if (t)
        diag_note(D(p), l, "%s by template '%s' here", verb, t);
    else
        diag_note(D(p), l, "first %s here", verb);
}

/* A note "WHAT here" at a statement of this policy, or "WHAT (in template 'T') here". */
void lower_policy_note_at(struct pol *p, struct loc l, const struct ast_stmt *s, const char *what)
{
    if (diag_notes_dropped(D(p)))
        return; /* a repeated diagnostic: template_of() walks every statement */
    const char *t = template_of(p, s);
    if (t)
        diag_note(D(p), l, "%s (in template '%s') here", what, t);
    else
        diag_note(D(p), l, "%s here", what);
}

/* After a diagnostic at a template's statement: which policy it was checked for. */
void lower_policy_note_policy(struct pol *p, const struct ast_stmt *s)
{
    if (diag_notes_dropped(D(p)))
        return; /* a repeated diagnostic: template_of() walks every statement */
    const char *t = template_of(p, s);
    if (t)
        diag_note(D(p), p->decl->atoms[1].loc, "in policy '%s', which uses template '%s'", p->name,
                  t);
}

bool lower_policy_has(const struct pol *p, enum field f)
{
    return p->f[f].n > 0;
}

const struct item *lower_policy_find(const struct pol *p, enum field f, const char *key)
{
    for (size_t i = 0; i < p->f[f].n; i++)
        if (strcmp(p->f[f].v[i].key, key) == 0)
            return &p->f[f].v[i];
    return NULL;
}

/* Adds an item to a list; a repeat is a warning with a note at the first. Takes `val`. */
