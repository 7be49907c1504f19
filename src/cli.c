/* cli.c - option helpers shared by main.c and the cmd_*.c commands.
 *
 * Owns: the spelling rules of options (--name VALUE and --name=VALUE).
 * Never prints and never exits.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val,
                  struct err *e)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    if (strncmp(a, name, nl) == 0 && a[nl] == '=') {
        *val = a + nl + 1;
        return 1;
    }
    if (strcmp(a, name) != 0)
        return 0;
    if (*i + 1 >= argc) {
        ERR(e, E_USAGE, "option %s needs a value", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

void cli_default_rules_dir(char *buf, size_t n)
{
    char exe[1024];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            snprintf(buf, n, "%s/rules/policy.rules", exe);
            if (access(buf, R_OK) == 0) {
                snprintf(buf, n, "%s/rules", exe);
                return;
            }
        }
    }
    snprintf(buf, n, "rules");
}
