/* backend_graph_core.c — the lower half of the Graph backend: the directory collections, messages
 * and URL helpers that backend_graph.c (reads), backend_graph_lookup.c (batched look-ups) and
 * backend_graph_write.c (writes) all call down into. Nothing here calls back up. */
#include "runtime/tenant/backend_graph.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/diag.h"

/* ---- directory collections ---- */

static const struct {
    const char *path;
    const char *select;
} dirs[GDIR__COUNT] = {
    /* the account attributes `user` blocks manage (TENANT_USER_SELECT) come along, so that a
     * snapshot holds them; onPremisesProvisioningErrors: Entra Connect's errors, for `check`
     * (IDP-P2-010) */
    [GDIR_USERS] = {"users", "id,userPrincipalName,displayName,userType,accountEnabled,mail,"
                             "usageLocation,mailNickname,givenName,surname,jobTitle,"
                             "onPremisesSyncEnabled,onPremisesProvisioningErrors"},
    [GDIR_GROUPS] = {"groups",
                     "id,displayName,description,mailEnabled,mailNickname,securityEnabled,"
                     "groupTypes,isAssignableToRole,membershipRule,membershipRuleProcessingState,"
                     "visibility,assignedLicenses,onPremisesProvisioningErrors"},
    [GDIR_SPS] = {"servicePrincipals", "id,appId,displayName,servicePrincipalType"},
};

const char *graph_dir_path(enum graph_dir d)
{
    return dirs[d].path;
}

const char *graph_dir_select(enum graph_dir d)
{
    return dirs[d].select;
}

enum graph_dir graph_dir_of(const char *path)
{
    for (int d = 0; d < GDIR__COUNT; d++)
        if (strcmp(path, dirs[d].path) == 0)
            return (enum graph_dir)d;
    return GDIR__COUNT;
}

void graph_progress(struct graph *g, const char *fmt, ...)
{
    if (!g->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("graph: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void graph_warning(struct graph *g, const char *fmt, ...)
{
    (void)g;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: warning: ", diag_tool());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void graph_error(struct backend_error *err, const struct http_response *r, enum http_status st)
{
    const char *text = http_error_str(&r->error);
    const char *code = r->error.code;
    if (!*text)
        text = http_status_name(st);
    backend_error_set(err, r->error.status, code, "%s", text);
}

char *graph_url_encode(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~$'(),=:@", (int)*p))
            strbuf_addc(&sb, (char)*p);
        else
            strbuf_addf(&sb, "%%%02X", *p);
    }
    return strbuf_detach(&sb);
}

char *graph_odata_quote(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_addc(&sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            strbuf_addc(&sb, '\'');
        strbuf_addc(&sb, *s);
    }
    strbuf_addc(&sb, '\'');
    return strbuf_detach(&sb);
}
