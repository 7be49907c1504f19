/* bench_check.c - wall time of a command run as fresh processes.
 *
 *   bench_check N CMD [ARGS...]       run CMD N times, stdout to /dev/null
 *
 * Each run is fork + exec + wait, timed with CLOCK_MONOTONIC around the
 * whole of it (what a caller of `hedui check` waits).  In ARGS, the text
 * {} is replaced by the run number modulo the count given in the
 * environment variable BENCH_CYCLE (default: no replacement), so the runs
 * can cycle over several prepared inputs (e.g. /tmp/one/{}/households.csv).
 * Prints min, median, p90, p99, max and mean of the wall time, and the same
 * of the CPU time (user + system, from wait4) in milliseconds: on a loaded
 * machine the wall time includes waiting for a CPU, the CPU time does not.
 * Exits 1 if a run failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *subst(const char *arg, int k)
{
    const char *p = strstr(arg, "{}");
    if (!p)
        return strdup(arg);
    char num[16];
    snprintf(num, sizeof num, "%d", k);
    size_t n = strlen(arg) - 2 + strlen(num) + 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    snprintf(out, n, "%.*s%s%s", (int)(p - arg), arg, num, p + 2);
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: bench_check N CMD [ARGS...]\n", stderr);
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1)
        n = 1;
    const char *cy = getenv("BENCH_CYCLE");
    int cycle = cy ? atoi(cy) : 0;
    double *t = malloc((size_t)n * sizeof *t);
    double *cpu = malloc((size_t)n * sizeof *cpu);
    char **args = calloc((size_t)argc, sizeof *args);
    if (!t || !cpu || !args)
        return 2;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int k = cycle > 0 ? i % cycle : 0;
        for (int a = 2; a < argc; a++)
            args[a - 2] = cycle > 0 ? subst(argv[a], k) : argv[a];
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0)
                dup2(fd, 1);
            execv(args[0], args);
            _exit(127);
        }
        int status = 0;
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        wait4(pid, &status, 0, &ru);
        t[i] = now_ms() - t0;
        cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
        if (cycle > 0)
            for (int a = 2; a < argc; a++)
                free(args[a - 2]);
    }
    for (int pass = 0; pass < 2; pass++) {
        double *v = pass ? cpu : t;
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += v[i];
        qsort(v, (size_t)n, sizeof *v, cmp_d);
        printf("%s runs %d  min %.2f  median %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f ms%s\n",
               pass ? "cpu " : "wall", n, v[0], v[n / 2], v[(n * 9) / 10], v[(n * 99) / 100],
               v[n - 1], sum / n, failed ? "  (FAILED runs)" : "");
    }
    free(t);
    free(cpu);
    free(args);
    return failed ? 1 : 0;
}
