/* rusage.c — runs a command in a process of its own and writes its CPU seconds (user, system) and
 * peak RSS (KiB) to a file: `rusage OUT CMD ARGS...`, exiting with the command's status. bench.py
 * measures every command through it because a child that Python starts (with vfork) reports in
 * ru_maxrss the largest RSS Python itself ever had: Linux keeps the old memory's high-water mark
 * across exec. A child forked from this small process starts from this process's few pages.
 * Ownership: nothing is kept. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rusage OUT CMD [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("rusage: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("rusage: wait4");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f ||
        fprintf(f, "%ld.%06ld %ld.%06ld %ld\n", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
                (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss) < 0 ||
        fclose(f) != 0) {
        perror(argv[1]);
        return 2;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
