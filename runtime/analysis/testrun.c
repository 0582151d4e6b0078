/* testrun.c — `test` blocks through the what-if evaluator: evaluation, the comparison of each
 * outcome with its expectation, and the text, JSON and JUnit reports. Semantics: docs/test.md. */
#include "runtime/analysis/testrun.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/catalog.h"
#include "compiler/util.h"

/* ---------------------------------------------------------------------------------------- */
/* Describing expectations and outcomes                                                     */

static void describe_session_value(struct strbuf *sb, const char *key, const json_t *v)
{
    const char *mode;
    if (strcmp(key, "signInFrequency") == 0) {
        const json_t *val = json_object_get(v, "value");
        const char *fi = json_string_value(json_object_get(v, "frequencyInterval"));
        if (fi && util_streq_nocase(fi, "everyTime"))
            strbuf_adds(sb, "sign-in frequency every time");
        else if (val)
            strbuf_addf(sb, "sign-in frequency %lld %s", (long long)json_integer_value(val),
                        json_string_value(json_object_get(v, "type")));
        else
            strbuf_adds(sb, "sign-in frequency");
    } else if ((mode = json_string_value(json_object_get(v, "mode")))) {
        strbuf_addf(sb, "%s %s", key, mode);
    } else if ((mode = json_string_value(json_object_get(v, "cloudAppSecurityType")))) {
        strbuf_addf(sb, "%s %s", key, mode);
    } else {
        strbuf_adds(sb, key);
    }
}

static void describe_session(struct strbuf *sb, const json_t *session)
{
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach(util_json_mut(session), k, v)
    {
        if (json_is_object(v) && json_is_false(json_object_get(v, "isEnabled")))
            continue;
        if (json_is_null(v) || json_is_false(v))
            continue;
        strbuf_adds(sb, first ? "" : ", ");
        describe_session_value(sb, k, v);
        first = false;
    }
}

static char *describe_expect(const json_t *ex)
{
    struct strbuf sb = STRBUF_INIT;
    const json_t *b = json_object_get(ex, "block");
    const json_t *controls = json_object_get(ex, "controls");
    const json_t *session = json_object_get(ex, "sessionControls");
    if (json_is_true(b))
        strbuf_adds(&sb, "block");
    else if (json_is_false(b))
        strbuf_adds(&sb, "not block");
    if (json_is_true(json_object_get(ex, "allow")))
        strbuf_addf(&sb, "%sallow (nothing to satisfy)", sb.len ? "; " : "");
    if (json_array_size(controls)) {
        strbuf_addf(&sb, "%sgrant with ", sb.len ? "; " : "");
        size_t i;
        const json_t *c;
        json_array_foreach(controls, i, c)
        {
            strbuf_addf(&sb, "%s%s", i ? ", " : "", json_string_value(c));
        }
    }
    if (json_object_size(session)) {
        strbuf_addf(&sb, "%ssession ", sb.len ? "; " : "");
        describe_session(&sb, session);
    }
    return strbuf_detach(&sb);
}

static char *describe_result(const struct whatif_result *r)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, whatif_grant_name(r->grant));
    if (r->grant == WHATIF_GRANT) {
        strbuf_adds(&sb, r->op == WHATIF_OR && r->ncontrols > 1 ? " with one of " : " with ");
        for (size_t i = 0; i < r->ncontrols; i++)
            strbuf_addf(&sb, "%s%s", i ? ", " : "", r->controls[i]);
    }
    if (r->grant != WHATIF_BLOCK && json_object_size(r->session)) {
        strbuf_adds(&sb, "; session ");
        describe_session(&sb, r->session);
    }
    return strbuf_detach(&sb);
}

static void describe_policy(struct strbuf *sb, const struct whatif_policy_result *p)
{
    if (p->block) {
        strbuf_adds(sb, "block");
    } else if (p->ncontrols == 0) {
        strbuf_adds(sb, "no grant controls");
    } else {
        strbuf_adds(sb, p->ncontrols == 1    ? "requires "
                        : p->op == WHATIF_OR ? "one of "
                                             : "all of ");
        for (size_t k = 0; k < p->ncontrols; k++)
            strbuf_addf(sb, "%s%s", k ? ", " : "", p->controls[k].text);
    }
    const json_t *sc = json_object_get(p->policy, "sessionControls");
    if (json_is_object(sc)) {
        struct strbuf s = STRBUF_INIT;
        describe_session(&s, sc);
        if (s.len)
            strbuf_addf(sb, "; session %s", strbuf_str(&s));
        strbuf_fini(&s);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Comparison                                                                               */

struct checker {
    struct testrun_case *c;
    json_t *missing; /* set: "block", control names and session keys expected but not there */
};

static void problem(struct checker *k, const char *fmt, ...) IDPC_PRINTF(2, 3);
static void problem(struct checker *k, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    struct testrun_case *c = k->c;
    c->problems = xrealloc(c->problems, (c->nproblems + 1) * sizeof(char *));
    c->problems[c->nproblems++] = strbuf_detach(&sb);
}

static bool has_nocase(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *x = json_string_value(v);
        if (x && s && util_streq_nocase(x, s))
            return true;
    }
    return false;
}

/* The controls of the result as a set: "a|b" entries split into their alternatives. */
static json_t *actual_controls(const struct whatif_result *r)
{
    json_t *set = json_array();
    if (r->grant != WHATIF_GRANT)
        return set;
    for (size_t i = 0; i < r->ncontrols; i++) {
        const char *s = r->controls[i];
        while (*s) {
            const char *bar = strchr(s, '|');
            size_t n = bar ? (size_t)(bar - s) : strlen(s);
            json_t *v = json_stringn(s, n);
            if (!has_nocase(set, json_string_value(v)))
                json_array_append(set, v);
            json_decref(v);
            s += n + (bar ? 1 : 0);
        }
    }
    return set;
}

/* Every field the expectation gives must be in the actual value (case-insensitive strings). */
static bool subset(const json_t *want, const json_t *got)
{
    if (json_is_object(want)) {
        if (!json_is_object(got))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach(util_json_mut(want), k, v)
        {
            if (!subset(v, json_object_get(got, k)))
                return false;
        }
        return true;
    }
    if (json_is_string(want))
        return json_is_string(got) &&
               util_streq_nocase(json_string_value(want), json_string_value(got));
    return json_equal(want, got);
}

static void compare(struct checker *k, const json_t *ex, const struct whatif_result *r)
{
    const json_t *b = json_object_get(ex, "block");
    bool blocked = r->grant == WHATIF_BLOCK;
    if (json_is_true(b) && !blocked) {
        problem(k, "expected block, but access is not blocked");
        json_object_set_new(k->missing, "block", json_true());
    }
    if (json_is_false(b) && blocked)
        problem(k, "expected not block, but access is blocked");
    if (json_is_true(json_object_get(ex, "allow")) && r->grant != WHATIF_ALLOW)
        problem(k, "expected allow with nothing to satisfy, got %s", whatif_grant_name(r->grant));

    const json_t *want = json_object_get(ex, "controls");
    if (json_array_size(want)) {
        json_t *got = actual_controls(r);
        size_t i;
        const json_t *v;
        if (blocked) {
            problem(k, "expected a grant with controls, but access is blocked");
        } else {
            json_array_foreach(want, i, v)
            {
                const char *s = json_string_value(v);
                if (!has_nocase(got, s)) {
                    problem(k, "control %s is expected but not required", s);
                    json_object_set_new(k->missing, s, json_true());
                }
            }
            json_array_foreach(got, i, v)
            {
                if (!has_nocase(want, json_string_value(v)))
                    problem(k, "control %s is required but not expected", json_string_value(v));
            }
        }
        json_decref(got);
    }

    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(ex, "sessionControls"), key, v)
    {
        const json_t *got = json_object_get(r->session, key);
        if (blocked) {
            problem(k, "expected session control %s, but access is blocked", key);
            continue;
        }
        if (subset(v, got))
            continue;
        struct strbuf w = STRBUF_INIT, g = STRBUF_INIT;
        describe_session_value(&w, key, v);
        if (got)
            describe_session_value(&g, key, got);
        problem(k, "expected session %s, got %s", strbuf_str(&w), got ? strbuf_str(&g) : "none");
        json_object_set_new(k->missing, key, json_true());
        strbuf_fini(&w);
        strbuf_fini(&g);
    }
}

/* Does policy p hold one of the missing things? */
static bool relevant(const struct whatif_policy_result *p, const json_t *missing)
{
    if (p->block && json_object_get(missing, "block"))
        return true;
    for (size_t i = 0; i < p->ncontrols; i++)
        if (json_object_get(missing, p->controls[i].text))
            return true;
    const json_t *sc = json_object_get(p->policy, "sessionControls");
    const char *key;
    json_t *v;
    json_object_foreach(util_json_mut(sc), key, v)
    {
        if (json_is_object(v) && json_object_get(missing, key))
            return true;
    }
    return false;
}

static char *decided(const struct whatif_result *r, const json_t *missing, bool failed)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < r->n; i++) {
        const struct whatif_policy_result *p = &r->policies[i];
        char mark;
        if (p->applies && p->state == WHATIF_ENABLED)
            mark = '+';
        else if (!failed || !relevant(p, missing))
            continue;
        else if (!p->applies && p->reason && strcmp(p->reason, "users") == 0 &&
                 !strstr(p->detail, "excluded"))
            continue; /* not meant for this user at all */
        else if (p->applies)
            mark = '~';
        else
            mark = '-';
        strbuf_addf(&sb, "    %c %s: ", mark, p->name);
        describe_policy(&sb, p);
        if (mark == '~')
            strbuf_adds(&sb, " (report-only: would apply, enforces nothing)");
        else if (mark == '-')
            strbuf_addf(&sb, " (did not apply: %s%s%s%s)", p->reason ? p->reason : "?",
                        p->detail[0] ? ": " : "", p->detail, "");
        strbuf_addc(&sb, '\n');
    }
    return strbuf_detach(&sb);
}

/* ---------------------------------------------------------------------------------------- */
/* Running                                                                                   */

static void add_name(const char ***v, size_t *n, const char *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < *n; i++)
        if (util_streq_nocase((*v)[i], s))
            return;
    *v = xrealloc(*v, (*n + 2) * sizeof(char *));
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
}

void testrun_names(const json_t *tests, const char ***groups, const char ***upns)
{
    size_t ng = 0, nu = 0;
    *groups = xcalloc(1, sizeof(char *));
    *upns = xcalloc(1, sizeof(char *));
    size_t i;
    const json_t *t;
    json_array_foreach(tests, i, t)
    {
        const json_t *si = json_object_get(t, "signIn");
        const char *user = json_string_value(json_object_get(si, "user"));
        if (user && !catalog_is_guid(user))
            add_name(upns, &nu, user);
        size_t j;
        const json_t *g;
        json_array_foreach(json_object_get(si, "memberOf"), j, g)
        {
            if (!catalog_is_guid(json_string_value(g)))
                add_name(groups, &ng, json_string_value(g));
        }
    }
}

static void run_one(const json_t *t, const struct whatif_inputs *in,
                    const struct whatif_tenant *tenant, struct testrun_case *c)
{
    struct checker k = {.c = c, .missing = json_object()};
    struct whatif_signin s;
    char err[300];
    const char **member_of = NULL;
    const json_t *ex = json_object_get(t, "expect");
    c->expected = describe_expect(ex);
    memset(&s, 0, sizeof(s));
    if (whatif_signin_from_json(&s, json_object_get(t, "signIn"), err, sizeof(err)) != 0) {
        c->status = TESTRUN_ERROR;
        problem(&k, "the sign-in cannot be evaluated: %s", err);
        goto out;
    }
    if (tenant) {
        member_of = whatif_tenant_member_of(tenant, s.member_of);
        s.member_of = member_of;
        if (s.user && !s.user_id && !catalog_is_guid(s.user))
            s.user_id = whatif_tenant_user_id(tenant, s.user);
    }
    struct whatif_result r;
    if (whatif_evaluate(in, &s, &r, err, sizeof(err)) != 0) {
        c->status = TESTRUN_ERROR;
        problem(&k, "the sign-in cannot be evaluated: %s", err);
        goto out;
    }
    compare(&k, ex, &r);
    c->status = c->nproblems ? TESTRUN_FAIL : TESTRUN_PASS;
    c->actual = describe_result(&r);
    c->decided = decided(&r, k.missing, c->status != TESTRUN_PASS);
    c->result = whatif_result_to_json(&r);
    whatif_result_free(&r);
out:
    if (!c->actual)
        c->actual = xstrdup("(not evaluated)");
    if (!c->decided)
        c->decided = xstrdup("");
    free(member_of);
    whatif_signin_fini(&s);
    json_decref(k.missing);
}

void testrun_run(const json_t *tests, const struct whatif_inputs *in,
                 const struct whatif_tenant *tenant, struct testrun_report *out)
{
    memset(out, 0, sizeof(*out));
    if (tenant)
        in = &tenant->in;
    size_t n = json_array_size(tests);
    out->cases = xcalloc(n ? n : 1, sizeof(*out->cases));
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tests, i);
        struct testrun_case *c = &out->cases[out->n++];
        c->name = json_string_value(json_object_get(t, "name"));
        c->at = json_string_value(json_object_get(t, "at"));
        if (!c->name)
            c->name = "(unnamed)";
        if (!c->at)
            c->at = "";
        run_one(t, in, tenant, c);
        if (c->status == TESTRUN_PASS)
            out->passed++;
        else if (c->status == TESTRUN_FAIL)
            out->failed++;
        else
            out->errors++;
    }
}

void testrun_report_free(struct testrun_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct testrun_case *c = &r->cases[i];
        free(c->expected);
        free(c->actual);
        for (size_t k = 0; k < c->nproblems; k++)
            free(c->problems[k]);
        free(c->problems);
        free(c->decided);
        json_decref(c->result);
    }
    free(r->cases);
    memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------------------------------- */
/* Reports                                                                                  */

static void details(struct strbuf *sb, const struct testrun_case *c)
{
    strbuf_addf(sb, "  expected: %s\n", c->expected);
    strbuf_addf(sb, "  actual:   %s\n", c->actual);
    for (size_t k = 0; k < c->nproblems; k++)
        strbuf_addf(sb, "  - %s\n", c->problems[k]);
    if (c->status == TESTRUN_ERROR)
        return;
    if (c->decided[0])
        strbuf_addf(sb, "  decided by (+ applied, ~ report-only, - did not apply):\n%s",
                    c->decided);
    else
        strbuf_adds(sb, "  decided by: no enabled policy applies\n");
}

void testrun_report_print(const struct testrun_report *r, FILE *f, bool color)
{
    const char *red = color ? "\033[1;31m" : "", *green = color ? "\033[32m" : "",
               *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    for (size_t i = 0; i < r->n; i++) {
        const struct testrun_case *c = &r->cases[i];
        if (c->status == TESTRUN_PASS) {
            fprintf(f, "%sok%s    %s\n", green, off, c->name);
            continue;
        }
        struct strbuf sb = STRBUF_INIT;
        details(&sb, c);
        fprintf(f, "%s%s%s%s%s%s%s test \"%s\"\n%s", bold, c->at, c->at[0] ? ": " : "", off, red,
                c->status == TESTRUN_FAIL ? "FAIL" : "ERROR", off, c->name, strbuf_str(&sb));
        strbuf_fini(&sb);
    }
    fprintf(f, "%zu test%s: %zu passed, %zu failed", r->n, r->n == 1 ? "" : "s", r->passed,
            r->failed);
    if (r->errors)
        fprintf(f, ", %zu could not be evaluated", r->errors);
    fputc('\n', f);
}

void testrun_report_to_diag(const struct testrun_report *r, struct diag_ctx *diag)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct testrun_case *c = &r->cases[i];
        if (c->status == TESTRUN_PASS)
            continue;
        struct strbuf sb = STRBUF_INIT;
        for (size_t k = 0; k < c->nproblems; k++)
            strbuf_addf(&sb, "%s%s", k ? "; " : "", c->problems[k]);
        diag_error(diag, diag_loc_from_string(diag, c->at), "test \"%s\" %s: %s", c->name,
                   c->status == TESTRUN_FAIL ? "failed" : "could not be evaluated",
                   strbuf_str(&sb));
        strbuf_fini(&sb);
    }
}

json_t *testrun_report_to_json(const struct testrun_report *r, const json_t *tests)
{
    static const char *const st[] = {"pass", "fail", "error"};
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct testrun_case *c = &r->cases[i];
        json_t *problems = json_array();
        for (size_t k = 0; k < c->nproblems; k++)
            json_array_append_new(problems, json_string(c->problems[k]));
        json_t *ex = json_object_get(json_array_get(tests, i), "expect");
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:O,s:s,s:o,s:O}", "name", c->name, "at", c->at, "status",
                           st[c->status], "expected", ex ? ex : json_null(), "actual", c->actual,
                           "problems", problems, "result", c->result ? c->result : json_null()));
    }
    json_t *summary =
        json_pack("{s:I,s:I,s:I,s:I}", "tests", (json_int_t)r->n, "passed", (json_int_t)r->passed,
                  "failed", (json_int_t)r->failed, "errors", (json_int_t)r->errors);
    return json_pack("{s:o,s:o}", "summary", summary, "tests", arr);
}

static void xml_escape(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        case '\n':
        case '\t':
            strbuf_addc(sb, (char)ch);
            break;
        default:
            if (ch < 0x20) /* not allowed in XML 1.0 */
                strbuf_addf(sb, "\\x%02x", ch);
            else
                strbuf_addc(sb, (char)ch);
        }
    }
}

/* "file:line:col" -> file and line (the file is everything before the last two colons). */
static void split_at(const char *at, char *file, size_t flen, long *line)
{
    *line = 0;
    const char *c2 = strrchr(at, ':');
    const char *c1 = NULL;
    for (const char *p = at; c2 && p < c2; p++)
        if (*p == ':')
            c1 = p;
    if (!c1) {
        snprintf(file, flen, "%s", at);
        return;
    }
    snprintf(file, flen, "%.*s", (int)(c1 - at), at);
    *line = strtol(c1 + 1, NULL, 10);
}

char *testrun_report_junit(const struct testrun_report *r, const char *suite)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"idpc test\"");
    strbuf_addf(&sb, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", r->n, r->failed,
                r->errors);
    strbuf_adds(&sb, "  <testsuite name=\"");
    xml_escape(&sb, suite);
    strbuf_addf(&sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n", r->n,
                r->failed, r->errors);
    for (size_t i = 0; i < r->n; i++) {
        const struct testrun_case *c = &r->cases[i];
        char file[1024];
        long line;
        split_at(c->at, file, sizeof(file), &line);
        strbuf_adds(&sb, "    <testcase name=\"");
        xml_escape(&sb, c->name);
        strbuf_adds(&sb, "\" classname=\"");
        xml_escape(&sb, file[0] ? file : suite);
        strbuf_adds(&sb, "\" file=\"");
        xml_escape(&sb, file);
        strbuf_addf(&sb, "\" line=\"%ld\"", line);
        if (c->status == TESTRUN_PASS) {
            strbuf_adds(&sb, "/>\n");
            continue;
        }
        const char *tag = c->status == TESTRUN_FAIL ? "failure" : "error";
        strbuf_addf(&sb, ">\n      <%s message=\"", tag);
        xml_escape(&sb, c->nproblems ? c->problems[0] : "failed");
        strbuf_addf(&sb, "\" type=\"%s\">",
                    c->status == TESTRUN_FAIL ? "expectation" : "evaluation");
        struct strbuf d = STRBUF_INIT;
        strbuf_addf(&d, "%s: test \"%s\"\n", c->at, c->name);
        details(&d, c);
        xml_escape(&sb, strbuf_str(&d));
        strbuf_fini(&d);
        strbuf_addf(&sb, "</%s>\n    </testcase>\n", tag);
    }
    strbuf_adds(&sb, "  </testsuite>\n</testsuites>\n");
    return strbuf_detach(&sb);
}
