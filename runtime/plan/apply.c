/* apply.c — see apply.h. */
#include "runtime/plan/apply.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"
#include "runtime/plan/resolve.h"

struct step {
    int phase;
    size_t action;
    size_t request;
};

static int step_cmp(const void *x, const void *y)
{
    const struct step *a = x, *b = y;
    if (a->phase != b->phase)
        return a->phase < b->phase ? -1 : 1;
    if (a->action != b->action)
        return a->action < b->action ? -1 : 1;
    return a->request < b->request ? -1 : a->request > b->request;
}

/* Replaces every known placeholder inside s; NULL when a placeholder is left unknown. */
static char *subst_string(const char *s, const json_t *created)
{
    if (!strstr(s, RESOLVE_NEW_PREFIX))
        return xstrdup(s);
    struct strbuf sb = STRBUF_INIT;
    const char *p = s;
    while (*p) {
        const char *hit = strstr(p, RESOLVE_NEW_PREFIX);
        if (!hit) {
            strbuf_adds(&sb, p);
            break;
        }
        strbuf_add(&sb, p, (size_t)(hit - p));
        /* the longest known token that starts here */
        const char *tok;
        json_t *id;
        const char *best = NULL;
        size_t best_len = 0;
        json_object_foreach((json_t *)(uintptr_t)created, tok, id)
        {
            size_t n = strlen(tok);
            if (n > best_len && strncmp(hit, tok, n) == 0 && (hit[n] == '\0' || hit[n] == '/')) {
                best = json_string_value(id);
                best_len = n;
            }
        }
        if (!best) {
            strbuf_fini(&sb);
            return NULL;
        }
        strbuf_adds(&sb, best);
        p = hit + best_len;
    }
    return strbuf_detach(&sb);
}

static json_t *subst_json(const json_t *v, const json_t *created, bool *ok)
{
    if (json_is_string(v)) {
        char *s = subst_string(json_string_value(v), created);
        if (!s) {
            *ok = false;
            return json_deep_copy(v);
        }
        json_t *r = json_string(s);
        free(s);
        return r;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach((json_t *)(uintptr_t)v, i, e)
        {
            json_array_append_new(out, subst_json(e, created, ok));
        }
        return out;
    }
    if (json_is_object(v)) {
        json_t *out = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)(uintptr_t)v, k, e)
        {
            json_object_set_new(out, k, subst_json(e, created, ok));
        }
        return out;
    }
    return json_deep_copy(v);
}

/* ---- secrets from the environment ----
 * A request body may hold {"$env": NAME} where a secret goes (a new user's
 * passwordProfile.password, plan.c): the value is read from the environment right before the
 * request is sent, never stored, printed or logged, and wiped from the body after it. */

static const char *env_marker(const json_t *v)
{
    return json_is_object(v) && json_object_size(v) == 1
               ? json_string_value(json_object_get(v, "$env"))
               : NULL;
}

/* The first {"$env": NAME} in v whose variable is not set (or empty), or NULL. */
static const char *missing_env(const json_t *v)
{
    const char *name = env_marker(v);
    if (name) {
        const char *val = getenv(name);
        return val && *val ? NULL : name;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)(uintptr_t)v, k, e)
        {
            const char *m = missing_env(e);
            if (m)
                return m;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            const char *m = missing_env(json_array_get(v, i));
            if (m)
                return m;
        }
    }
    return NULL;
}

/* Replaces each {"$env": NAME} in v (a body apply owns) by the variable's value. */
static void fill_env(json_t *v)
{
    const char *k;
    json_t *e;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            const char *name = env_marker(e);
            if (name)
                json_object_set_new(v, k, json_string(getenv(name) ? getenv(name) : ""));
            else
                fill_env(e);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            fill_env(json_array_get(v, i));
    }
}

/* Overwrites every string of v that came from the environment (the secrets fill_env put there)
 * before the body is freed. */
static void wipe_env(json_t *v, const json_t *plan_body)
{
    const char *k;
    json_t *e;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            const json_t *pe = json_object_get(plan_body, k);
            if (env_marker(pe) && json_is_string(e)) {
                char *s = (char *)(uintptr_t)json_string_value(e);
                volatile char *vs = s;
                for (size_t i = 0; s[i]; i++)
                    vs[i] = '\0';
            } else {
                wipe_env(e, pe);
            }
        }
    }
}

/* Every secret the plan names must be in the environment before anything is written. */
int apply_check_secrets(const json_t *plan)
{
    const json_t *actions = json_object_get(plan, "actions");
    int rc = 0;
    for (size_t a = 0; a < json_array_size(actions); a++) {
        const json_t *act = json_array_get(actions, a);
        const json_t *reqs = json_object_get(act, "requests");
        for (size_t r = 0; r < json_array_size(reqs); r++) {
            const json_t *req = json_array_get(reqs, r);
            const char *name = missing_env(json_object_get(req, "body"));
            if (!name)
                continue;
            const char *at = json_string_value(json_object_get(act, "at"));
            fprintf(
                stderr,
                "%s%serror: %s %s (%s): the environment variable %s is not set (initial_password "
                "env %s); nothing was applied\n",
                at ? at : "idpc: ", at ? ": " : "",
                json_string_value(json_object_get(req, "method")),
                json_string_value(json_object_get(req, "path")),
                json_string_value(json_object_get(req, "description")), name, name);
            rc = -1;
        }
    }
    return rc;
}

int apply_run(const json_t *plan, struct backend *b, FILE *out, bool color, json_t **report)
{
    const json_t *actions = json_object_get(plan, "actions");
    if (apply_check_secrets(plan) != 0) {
        if (report)
            *report = json_pack("{s:i,s:i,s:{s:s,s:s},s:{}}", "applied", 0, "total", 0, "failed",
                                "description", "reading the secrets the plan needs", "error",
                                "an environment variable is not set", "created");
        return -1;
    }
    size_t total = 0;
    size_t na = json_array_size(actions);
    for (size_t a = 0; a < na; a++)
        total += json_array_size(json_object_get(json_array_get(actions, a), "requests"));
    struct step *steps = xcalloc(total + 1, sizeof(*steps));
    size_t n = 0;
    for (size_t a = 0; a < na; a++) {
        const json_t *reqs = json_object_get(json_array_get(actions, a), "requests");
        for (size_t r = 0; r < json_array_size(reqs); r++) {
            steps[n].phase =
                (int)json_integer_value(json_object_get(json_array_get(reqs, r), "phase"));
            steps[n].action = a;
            steps[n].request = r;
            n++;
        }
    }
    qsort(steps, n, sizeof(*steps), step_cmp);
    json_t *created = json_object();
    json_t *failed = json_null();
    size_t applied = 0;
    const char *ok_c = color ? "\033[32m" : "", *bad_c = color ? "\033[31m" : "",
               *off = color ? "\033[0m" : "";
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *act = json_array_get(actions, steps[i].action);
        const json_t *req = json_array_get(json_object_get(act, "requests"), steps[i].request);
        const char *method = json_string_value(json_object_get(req, "method"));
        const char *desc = json_string_value(json_object_get(req, "description"));
        const char *creates = json_string_value(json_object_get(req, "creates"));
        bool ok = true;
        char *path = subst_string(json_string_value(json_object_get(req, "path")), created);
        json_t *body = json_object_get(req, "body")
                           ? subst_json(json_object_get(req, "body"), created, &ok)
                           : NULL;
        struct backend_error err;
        memset(&err, 0, sizeof(err));
        json_t *result = NULL;
        int wrc;
        if (!path || !ok) {
            backend_error_set(&err, 0, NULL,
                              "it needs an object that an earlier step should have created");
            wrc = -1;
        } else {
            fill_env(body);
            wrc = backend_write(b, method, path, body, &result, &err);
            wipe_env(body, json_object_get(req, "body"));
        }
        if (wrc == 0) {
            applied++;
            const char *id = json_string_value(json_object_get(result, "id"));
            if (creates && id)
                json_object_set_new(created, creates, json_string(id));
            fprintf(out, "  %sdone%s  %s%s%s%s\n", ok_c, off, desc, id && creates ? " (id " : "",
                    id && creates ? id : "", id && creates ? ")" : "");
        } else {
            fprintf(out, "  %sFAILED%s %s\n", bad_c, off, desc);
            /* The error, at the declaration that produced the request (GCC's shape, so that
             * editors and CI annotators find the line). */
            const char *at = json_string_value(json_object_get(act, "at"));
            struct strbuf why = STRBUF_INIT;
            size_t ml = method ? strlen(method) : 0;
            /* the Graph backend's message already names the request: "POST /v1.0/...: 400 ..." */
            if (!(ml && strncmp(err.message, method, ml) == 0 && err.message[ml] == ' '))
                strbuf_addf(&why, "%s %s: ", method ? method : "", path ? path : "");
            if (err.status && (!err.code[0] || !strstr(err.message, err.code)))
                strbuf_addf(&why, "%d %s%s", err.status, err.code, err.code[0] ? ": " : "");
            strbuf_adds(&why, err.message);
            fprintf(stderr, "%s%serror: %s\n", at ? at : "idpc: ", at ? ": " : "",
                    strbuf_str(&why));
            json_decref(failed);
            failed =
                json_pack("{s:I,s:I,s:s,s:s?,s:s,s:i,s:s}", "action", (json_int_t)steps[i].action,
                          "request", (json_int_t)steps[i].request, "description", desc ? desc : "",
                          "at", at, "error", err.message, "status", err.status, "code", err.code);
            strbuf_fini(&why);
            rc = -1;
        }
        free(path);
        json_decref(body);
        json_decref(result);
        if (rc != 0)
            break;
    }
    free(steps);
    if (report)
        *report = json_pack("{s:I,s:I,s:o,s:o}", "applied", (json_int_t)applied, "total",
                            (json_int_t)total, "failed", failed, "created", created);
    else {
        json_decref(failed);
        json_decref(created);
    }
    return rc;
}
