/* lower_policy.c — lowering of policy declarations (stub until implemented). */
#include "compiler/check_int.h"

void lower_policy(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body, size_t n)
{
    (void)ck;
    (void)decl;
    (void)body;
    (void)n;
}

void lower_finish(struct check *ck)
{
    (void)ck;
}
