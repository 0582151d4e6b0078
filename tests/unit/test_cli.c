/* test_cli.c — the option parser of cli/cli.c: one table, both value spellings, aliases, refused
 * abbreviations, operands in order, the common options, colour from the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

enum {
    K_FLAG = CLI_KEY(0),
    K_TENANT
};

static const struct cli_opt opts[] = {
    {'o', "output", "FILE", "write to FILE"}, {'o', "out", "FILE", NULL},
    {K_FLAG, "flag", NULL, "a flag"},         {K_TENANT, "tenant", "SPEC", "the tenant"},
    {'w', "write", NULL, "rewrite"},          {0, NULL, NULL, NULL},
};

static const struct cli_spec spec = {
    .cmd = "demo",
    .usage = "[OPTIONS] [ARG...]\n",
    .about = "A test command.\n",
    .opts = opts,
    .examples = "idpc demo a\n",
};

/* Parses args (NULL-terminated, args[0] = the command) from writable copies that live until the
 * next call; records "key=value" per option in `seen` and returns the last cli_next() result
 * (CLI_DONE or CLI_STOP). */
static int parse(struct cli_parser *p, const char *const *args, char *seen, size_t n)
{
    static char bufs[16][64];
    static char *argv[17];
    int argc = 0;
    for (; args[argc] && argc < 16; argc++) {
        snprintf(bufs[argc], sizeof(bufs[argc]), "%s", args[argc]);
        argv[argc] = bufs[argc];
    }
    argv[argc] = NULL;
    seen[0] = '\0';
    cli_begin(p, &spec, argc, argv);
    const char *v;
    int k;
    while ((k = cli_next(p, &v)) >= 0) {
        size_t len = strlen(seen);
        snprintf(seen + len, n - len, "%s%d=%s", len ? " " : "", k, v ? v : "-");
    }
    return k;
}

static void test_values_both_spellings(void **state)
{
    (void)state;
    const char *const argv[] = {"demo",  "a", "--output=x", "--flag", "b",  "--tenant", "t", "-oy",
                                "--out", "z", "-w",         "--",     "-c", "--flag",   NULL};
    struct cli_parser p;
    char seen[256];
    assert_int_equal(parse(&p, argv, seen, sizeof(seen)), CLI_DONE);
    char want[256];
    snprintf(want, sizeof(want), "%d=x %d=- %d=t %d=y %d=z %d=-", 'o', K_FLAG, K_TENANT, 'o', 'o',
             'w');
    assert_string_equal(seen, want);
    size_t n;
    const char **ops = cli_operands(&p, ".", &n);
    assert_int_equal(n, 4);
    assert_string_equal(ops[0], "a");
    assert_string_equal(ops[1], "b");
    assert_string_equal(ops[2], "-c");
    assert_string_equal(ops[3], "--flag");
    cli_end(&p);
}

static void test_default_operand_and_dash(void **state)
{
    (void)state;
    const char *const argv1[] = {"demo", "--flag", NULL};
    struct cli_parser p;
    char seen[128];
    assert_int_equal(parse(&p, argv1, seen, sizeof(seen)), CLI_DONE);
    size_t n;
    const char **ops = cli_operands(&p, ".", &n);
    assert_int_equal(n, 1);
    assert_string_equal(ops[0], ".");
    cli_end(&p);
    const char *const argv2[] = {"demo", "-", NULL};
    assert_int_equal(parse(&p, argv2, seen, sizeof(seen)), CLI_DONE);
    ops = cli_operands(&p, ".", &n);
    assert_int_equal(n, 1);
    assert_string_equal(ops[0], "-");
    cli_end(&p);
}

static void expect_usage_error(const char *const *argv)
{
    struct cli_parser p;
    char seen[128];
    assert_int_equal(parse(&p, argv, seen, sizeof(seen)), CLI_STOP);
    assert_int_equal(p.rc, CLI_EXIT_USAGE);
    assert_int_equal(CLI_EXIT_USAGE, 1); /* a usage error is an error, never "changes" (2) */
    cli_end(&p);
}

static void test_usage_errors(void **state)
{
    (void)state;
    const char *const abbrev[] = {"demo", "--ten", "x", NULL};
    expect_usage_error(abbrev);
    const char *const abbrev_eq[] = {"demo", "--outp=x", NULL};
    expect_usage_error(abbrev_eq);
    const char *const unknown[] = {"demo", "--nope", NULL};
    expect_usage_error(unknown);
    const char *const unknown_short[] = {"demo", "-z", NULL};
    expect_usage_error(unknown_short);
    const char *const missing[] = {"demo", "--tenant", NULL};
    expect_usage_error(missing);
    const char *const missing_short[] = {"demo", "-o", NULL};
    expect_usage_error(missing_short);
    const char *const flag_value[] = {"demo", "--flag=yes", NULL};
    expect_usage_error(flag_value);
    const char *const bad_color[] = {"demo", "--color=sometimes", NULL};
    expect_usage_error(bad_color);
}

static void test_help_stops_with_zero(void **state)
{
    (void)state;
    const char *const argv[] = {"demo", "a", "--help", "--nope", NULL};
    struct cli_parser p;
    char seen[128];
    assert_int_equal(parse(&p, argv, seen, sizeof(seen)), CLI_STOP);
    assert_int_equal(p.rc, CLI_EXIT_OK);
    cli_end(&p);
}

static void test_color(void **state)
{
    (void)state;
    unsetenv("NO_COLOR");
    unsetenv("FORCE_COLOR");
    unsetenv("CLICOLOR_FORCE");
    setenv("TERM", "xterm", 1);
    FILE *f = tmpfile(); /* not a terminal */
    assert_non_null(f);
    cli_set_color(CLI_COLOR_AUTO);
    assert_false(cli_color_for(f));
    setenv("FORCE_COLOR", "1", 1);
    assert_true(cli_color_for(f));
    setenv("FORCE_COLOR", "0", 1);
    assert_false(cli_color_for(f));
    unsetenv("FORCE_COLOR");
    setenv("CLICOLOR_FORCE", "1", 1);
    assert_true(cli_color_for(f));
    setenv("NO_COLOR", "1", 1);
    assert_false(cli_color_for(f)); /* NO_COLOR wins over the force variables */
    const char *const argv[] = {"demo", "--color", "always", NULL};
    struct cli_parser p;
    char seen[128];
    assert_int_equal(parse(&p, argv, seen, sizeof(seen)), CLI_DONE);
    cli_end(&p);
    assert_true(cli_color_for(f)); /* --color wins over NO_COLOR */
    const char *const argv2[] = {"demo", "--color=always", "--no-color", NULL};
    assert_int_equal(parse(&p, argv2, seen, sizeof(seen)), CLI_DONE);
    cli_end(&p);
    assert_false(cli_color_for(f));
    cli_set_color(CLI_COLOR_AUTO);
    unsetenv("NO_COLOR");
    unsetenv("CLICOLOR_FORCE");
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_both_spellings),
        cmocka_unit_test(test_default_operand_and_dash),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help_stops_with_zero),
        cmocka_unit_test(test_color),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
