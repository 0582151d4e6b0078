/* replay_render.c — the replay report: JSON (docs/replay.md "JSON"), and text or markdown for
 * people, both made from the JSON so that they cannot say different things. */
#include "runtime/analysis/replay_int.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

static int by_count(const void *a, const void *b)
{
    const struct replay_tally *x = *(const struct replay_tally *const *)a;
    const struct replay_tally *y = *(const struct replay_tally *const *)b;
    if (x->signins != y->signins)
        return x->signins < y->signins ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* The tallies, most sign-ins first, at most `top` of them (0: all). */
static json_t *tallies(struct replay_tally *v, size_t n, size_t top, const char *name, bool users)
{
    struct replay_tally **s = xcalloc(n + 1, sizeof(*s));
    for (size_t i = 0; i < n; i++)
        s[i] = &v[i];
    qsort(s, n, sizeof(*s), by_count);
    json_t *a = json_array();
    for (size_t i = 0; i < n && (!top || i < top); i++) {
        json_t *o = json_pack("{s:s,s:I}", name, s[i]->label, "signIns", (json_int_t)s[i]->signins);
        if (users)
            json_object_set_new(o, "users", json_integer((json_int_t)s[i]->nusers));
        json_array_append_new(a, o);
    }
    free(s);
    return a;
}

/* The users with the most changed sign-ins (ties by UPN), at most o.top. */
static json_t *most_affected(const struct replay *r)
{
    struct replay_tally *v = xcalloc(r->dir.nusers + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < r->dir.nusers; i++) {
        if (!r->user_changed[i])
            continue;
        v[n].label = r->dir.users[i].upn;
        v[n].signins = r->user_changed[i];
        n++;
    }
    json_t *a = tallies(v, n, r->o.top, "user", false);
    free(v);
    return a;
}

static int by_severity(const void *a, const void *b)
{
    const struct replay_change *x = *(const struct replay_change *const *)a;
    const struct replay_change *y = *(const struct replay_change *const *)b;
    if (x->severity != y->severity)
        return x->severity - y->severity;
    if (x->t.signins != y->t.signins)
        return x->t.signins < y->t.signins ? 1 : -1;
    return strcmp(x->t.label, y->t.label);
}

json_t *replay_to_json(const struct replay *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("idpc-replay/1"));
    json_object_set_new(j, "tenant", json_string(r->dir.tenant_display));
    json_object_set_new(j, "signIns", json_integer((json_int_t)r->signins));
    json_object_set_new(j, "evaluated", json_integer((json_int_t)r->evaluated));
    json_object_set_new(j, "users", json_integer((json_int_t)r->all_users.nusers));
    json_object_set_new(j, "changed",
                        json_pack("{s:I,s:I}", "signIns", (json_int_t)r->changed, "users",
                                  (json_int_t)r->changed_users.nusers));
    json_object_set(j, "incomplete", r->incomplete);
    struct replay_change **cs = xcalloc(r->nchanges + 1, sizeof(*cs));
    for (size_t i = 0; i < r->nchanges; i++)
        cs[i] = &r->changes[i];
    qsort(cs, r->nchanges, sizeof(*cs), by_severity);
    json_t *changes = json_array();
    for (size_t i = 0; i < r->nchanges; i++) {
        const struct replay_change *c = cs[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I}", "kind", c->kind, "from",
                              r->outcomes[c->from].label, "to", r->outcomes[c->to].label, "signIns",
                              (json_int_t)c->t.signins, "users", (json_int_t)c->t.nusers);
        json_object_set(o, "because", c->why);
        json_object_set_new(o, "apps", tallies(c->by_app, c->napps, 0, "app", true));
        json_object_set(o, "examples", c->examples);
        json_array_append_new(changes, o);
    }
    free(cs);
    json_object_set_new(j, "changes", changes);
    json_object_set_new(j, "apps", tallies(r->apps, r->napps, 0, "app", true));
    json_object_set_new(j, "mostAffectedUsers", most_affected(r));
    if (r->o.verify) {
        json_t *v = json_object();
        json_object_set_new(v, "signIns", json_integer((json_int_t)r->v_signins));
        json_object_set_new(v, "agreeingSignIns", json_integer((json_int_t)r->v_agree_signins));
        json_object_set_new(v, "policyResults", json_integer((json_int_t)r->v_compared));
        json_object_set_new(v, "agreeing", json_integer((json_int_t)r->v_agree));
        json_object_set_new(
            v, "rate", json_real(r->v_compared ? (double)r->v_agree / (double)r->v_compared : 1.0));
        json_object_set_new(v, "unknownPolicies", json_integer((json_int_t)r->v_unknown_policy));
        json_object_set_new(v, "disagreements", json_integer((json_int_t)r->ndisagree));
        json_object_set(v, "kinds", r->disagree_kinds);
        json_object_set(v, "list", r->disagreements);
        json_object_set_new(j, "verify", v);
    }
    return j;
}

static const char *s_(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static long long n_(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *plural(long long n)
{
    return n == 1 ? "" : "s";
}

static void print_example(FILE *f, const json_t *e, bool md)
{
    fprintf(f, "%s%s %s · %s · %s · %s · %s %s (%s)\n", md ? "  - " : "      ",
            s_(e, "createdDateTime"), s_(e, "user"), s_(e, "app"), s_(e, "platform"),
            s_(e, "client"), s_(e, "country"), s_(e, "ip"), s_(e, "at"));
}

void replay_print(const struct replay *r, FILE *f, bool md)
{
    json_t *j = replay_to_json(r);
    const json_t *ch = json_object_get(j, "changed");
    long long total = n_(j, "signIns"), changed = n_(ch, "signIns");
    if (md)
        fprintf(f, "### Replay of %lld sign-in%s against the proposed policies\n\n", total,
                plural(total));
    fprintf(f, "%lld sign-in%s by %lld user%s replayed (%lld evaluated); ", total, plural(total),
            n_(j, "users"), plural(n_(j, "users")), n_(j, "evaluated"));
    if (changed == 0)
        fprintf(f, "no sign-in would change outcome.\n");
    else
        fprintf(f, "%s%lld sign-in%s by %lld user%s would change outcome%s.\n", md ? "**" : "",
                changed, plural(changed), n_(ch, "users"), plural(n_(ch, "users")), md ? "**" : "");
    size_t i;
    const json_t *c;
    json_t *changes = json_object_get(j, "changes");
    if (json_array_size(changes)) {
        fprintf(f,
                md ? "\n#### Changes, most severe first\n\n" : "\nChanges, most severe first:\n");
        json_array_foreach(changes, i, c)
        {
            if (md)
                fprintf(f, "- **%s → %s** (%s): %lld sign-in%s, %lld user%s\n", s_(c, "from"),
                        s_(c, "to"), s_(c, "kind"), n_(c, "signIns"), plural(n_(c, "signIns")),
                        n_(c, "users"), plural(n_(c, "users")));
            else
                fprintf(f, "  %s → %s (%s): %lld sign-in%s, %lld user%s\n", s_(c, "from"),
                        s_(c, "to"), s_(c, "kind"), n_(c, "signIns"), plural(n_(c, "signIns")),
                        n_(c, "users"), plural(n_(c, "users")));
            size_t k;
            const json_t *w;
            json_array_foreach(json_object_get(c, "because"), k, w)
                fprintf(f, "%sbecause: %s\n", md ? "  - " : "      ", json_string_value(w));
            struct strbuf apps = STRBUF_INIT;
            json_array_foreach(json_object_get(c, "apps"), k, w)
            {
                if (k == 5) {
                    strbuf_addf(&apps, ", +%zu more",
                                json_array_size(json_object_get(c, "apps")) - 5);
                    break;
                }
                strbuf_addf(&apps, "%s%s (%lld)", k ? ", " : "", s_(w, "app"), n_(w, "signIns"));
            }
            fprintf(f, "%sapps: %s\n", md ? "  - " : "      ", strbuf_str(&apps));
            strbuf_fini(&apps);
            json_array_foreach(json_object_get(c, "examples"), k, w) print_example(f, w, md);
        }
        fprintf(f, md ? "\n#### Changed sign-ins by app\n\n" : "\nChanged sign-ins by app:\n");
        json_array_foreach(json_object_get(j, "apps"), i, c) fprintf(
            f, "%s%s: %lld sign-in%s, %lld user%s\n", md ? "- " : "  ", s_(c, "app"),
            n_(c, "signIns"), plural(n_(c, "signIns")), n_(c, "users"), plural(n_(c, "users")));
        fprintf(f, md ? "\n#### Most affected users\n\n" : "\nMost affected users:\n");
        json_array_foreach(json_object_get(j, "mostAffectedUsers"), i, c)
            fprintf(f, "%s%s: %lld changed sign-in%s\n", md ? "- " : "  ", s_(c, "user"),
                    n_(c, "signIns"), plural(n_(c, "signIns")));
    }
    json_t *inc = json_object_get(j, "incomplete");
    if (json_object_size(inc)) {
        fprintf(f, md ? "\n#### Sign-ins with incomplete inputs\n\n"
                      : "\nSign-ins with incomplete inputs:\n");
        const char *k;
        json_t *e;
        json_object_foreach(inc, k, e)
        {
            fprintf(f, "%s%s: %lld (%s)\n", md ? "- " : "  ", k, n_(e, "count"),
                    json_is_true(json_object_get(e, "evaluated"))
                        ? "evaluated with what the record has"
                        : "not evaluated");
            size_t x;
            const json_t *ex;
            json_array_foreach(json_object_get(e, "examples"), x, ex)
                fprintf(f, "%s%s %s (%s)\n", md ? "  - " : "      ", s_(ex, "id"), s_(ex, "user"),
                        s_(ex, "at"));
        }
    }
    const json_t *v = json_object_get(j, "verify");
    if (v) {
        fprintf(f, md ? "\n#### Verification against Entra's recorded results\n\n"
                      : "\nVerification against Entra's recorded results:\n");
        fprintf(f,
                "%s%.1f%% agreement: %lld of %lld policy results agree; %lld of %lld sign-in%s "
                "agree on every policy%s\n",
                md ? "" : "  ", 100.0 * json_real_value(json_object_get(v, "rate")),
                n_(v, "agreeing"), n_(v, "policyResults"), n_(v, "agreeingSignIns"),
                n_(v, "signIns"), plural(n_(v, "signIns")), md ? "." : "");
        if (n_(v, "unknownPolicies"))
            fprintf(f, "%s%lld recorded result%s name a policy the tenant no longer has\n",
                    md ? "\n" : "  ", n_(v, "unknownPolicies"), plural(n_(v, "unknownPolicies")));
        if (n_(v, "disagreements")) {
            fprintf(f, "%s%lld disagreement%s (evaluator: %lld, missing input: %lld):\n",
                    md ? "\n" : "  ", n_(v, "disagreements"), plural(n_(v, "disagreements")),
                    n_(json_object_get(v, "kinds"), "evaluator"),
                    n_(json_object_get(v, "kinds"), "missing-input"));
            json_array_foreach(json_object_get(v, "list"), i, c)
            {
                fprintf(f, "%s%s: Entra %s, idpc %s [%s%s%s]\n", md ? "- " : "  ", s_(c, "policy"),
                        s_(c, "entra"), s_(c, "idpc"), s_(c, "kind"),
                        json_object_get(c, "missing") ? ": " : "",
                        json_object_get(c, "missing") ? s_(c, "missing") : "");
                if (json_object_get(c, "detail"))
                    fprintf(f, "%sidpc: %s (%s)\n", md ? "  - " : "      ", s_(c, "detail"),
                            s_(c, "reason"));
                print_example(f, c, md);
            }
        }
    }
    json_decref(j);
}
