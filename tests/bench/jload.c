/* jload.c — the "jansson-only load" yardstick of tests/bench/bench.py: json_load_file() of one
 * file, then exit (no output, nothing freed). Built by bench.py with the system's jansson.
 * Ownership: nothing is kept. */
#include <jansson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: jload FILE.json\n");
        return 2;
    }
    json_error_t err;
    json_t *v = json_load_file(argv[1], 0, &err);
    if (!v) {
        fprintf(stderr, "jload: %s:%d:%d: %s\n", argv[1], err.line, err.column, err.text);
        return 1;
    }
    return 0;
}
