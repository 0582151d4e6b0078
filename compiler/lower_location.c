/* lower_location.c — lowering of location declarations (stub until implemented). */
#include "compiler/check_int.h"

void lower_location(struct check *ck, const struct ast_stmt *decl, struct ast_stmt *const *body, size_t n)
{
    (void)ck;
    (void)decl;
    (void)body;
    (void)n;
}
