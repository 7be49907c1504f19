/* cli.c - the one option loop of every command and the value parsers
 * they share (cli.h).
 *
 * Owns: the spelling rules of options (--name VALUE and --name=VALUE, a
 * flag takes no value) and their messages.  Never prints and never exits.
 */
#include "cmd/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/date.h"
#include "contract/catalogue.h"

int cli_verbose;

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
              const char **pos, int max_pos, int *npos, struct err *e)
{
    int np = 0, only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (np >= max_pos)
                return ERR(e, E_USAGE, "'%s' takes %s: unexpected argument '%s'", cmd,
                           max_pos == 0 ? "no arguments" : "fewer arguments", a);
            pos[np++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        const struct cli_opt *o = NULL;
        const char *val = NULL;
        for (size_t k = 0; k < nopts && !o; k++) {
            size_t nl = strlen(opts[k].name);
            if (strcmp(a, opts[k].name) == 0 || (opts[k].alias && strcmp(a, opts[k].alias) == 0))
                o = &opts[k];
            else if (strncmp(a, opts[k].name, nl) == 0 && a[nl] == '=') {
                o = &opts[k];
                val = a + nl + 1;
            }
        }
        if (!o)
            return ERR(e, E_USAGE, "unknown option '%s' for '%s'", a, cmd);
        if (o->kind == CLI_FLAG) {
            if (val)
                return ERR(e, E_USAGE, "option %s takes no value", o->name);
            *(int *)o->dst = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc)
                return ERR(e, E_USAGE, "option %s needs a value", o->name);
            val = argv[++i];
        }
        if (o->kind == CLI_STR) {
            *(const char **)o->dst = val;
        } else {
            struct cli_list *l = o->dst;
            if (l->n >= CLI_LIST_MAX)
                return ERR(e, E_USAGE, "option %s given more than %d times", o->name,
                           CLI_LIST_MAX);
            l->v[l->n++] = val;
        }
    }
    if (npos)
        *npos = np;
    return E_OK;
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

int cli_parse_as_of(const char *v, int *out, struct err *e)
{
    if (date_parse(v, strlen(v), out) != 0)
        return ERR(e, E_USAGE, "--as-of '%s' is not a date (want YYYY-MM-DD)", v);
    return E_OK;
}

int cli_today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int cli_parse_threads(const char *v, int *out, struct err *e)
{
    unsigned long long t;
    if (cli_parse_uint(v, 1024, &t) != 0 || t == 0)
        return ERR(e, E_USAGE, "--threads '%s' is not a number from 1 to 1024", v);
    *out = (int)t;
    return E_OK;
}

int cli_parse_encoding(const char *v, enum enc *enc_all, enum enc enc_file[N_INPUT],
                       struct err *e)
{
    const char *eq = strchr(v, '=');
    enum enc en;
    if (enc_parse(eq ? eq + 1 : v, &en) != 0)
        return ERR(e, E_USAGE, "--encoding '%s': unknown encoding (utf-8, gb18030, auto)", v);
    if (!eq) {
        *enc_all = en;
        return E_OK;
    }
    for (int f = 0; f < N_INPUT; f++)
        if (strlen(input_file_names[f]) == (size_t)(eq - v) &&
            strncmp(input_file_names[f], v, (size_t)(eq - v)) == 0) {
            enc_file[f] = en;
            return E_OK;
        }
    return ERR(e, E_USAGE, "--encoding '%s': unknown input file", v);
}

/* The places of CLI_RULES_PLACES, in that order; the last is taken
 * unchecked, so that a missing policy is reported by the rules' reader
 * ("rules/policy.rules: ...") like any other. */
void cli_default_rules_dir(char *buf, size_t n)
{
    char exe[1024];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            /* 1. beside the executable, or up to three directories above */
            char dir[1024];
            *slash = '\0';
            memcpy(dir, exe, strlen(exe) + 1);
            for (int up = 0; up < 4; up++) {
                snprintf(buf, n, "%s/rules/policy.rules", dir);
                if (access(buf, R_OK) == 0) {
                    snprintf(buf, n, "%s/rules", dir);
                    return;
                }
                char *s = strrchr(dir, '/');
                if (!s)
                    break;
                *s = '\0';
            }
            /* 2. ../share/hedui/rules: where `make install` puts them
             * (/proc/self/exe has no symbolic link left, so the parent
             * directory is the executable's directory less its last name) */
            char *bin = strrchr(exe, '/');
            if (bin) {
                *bin = '\0';
                snprintf(buf, n, "%s/share/hedui/rules/policy.rules", exe);
                if (access(buf, R_OK) == 0) {
                    snprintf(buf, n, "%s/share/hedui/rules", exe);
                    return;
                }
            }
        }
    }
    /* 3. the current directory's */
    snprintf(buf, n, "rules");
}

int cli_default_catalogue(struct err *e)
{
    char dir[4096];
    cli_default_rules_dir(dir, sizeof dir);
    return catalogue_load_dir(dir, 1, e);
}
