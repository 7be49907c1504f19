/* inifile.c - the rules' INI-like text files, line by line (inifile.h).
 *
 * Owns: the grammar shared by policy.rules and catalogue.rules.  Never:
 * knows a section or key, reads a file (the callers hand it the text).
 */
#include "contract/inifile.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int ini_parse(const char *path, const char *text, size_t len, const struct ini_cb *cb,
              void *ctx, char hash[17], int *lines, struct err *e)
{
    snprintf(hash, 17, "%016llx", (unsigned long long)XXH64(text, len, 0));
    char section[128] = "";
    char buf[INI_LINE_MAX + 2];
    int line = 0, st = E_OK;
    size_t at = 0;
    while (st == E_OK && at < len) {
        line++;
        const char *nl = memchr(text + at, '\n', len - at);
        size_t blen = nl ? (size_t)(nl - (text + at)) : len - at;
        const char *l = text + at;
        at += blen + (nl != NULL);
        if (blen > INI_LINE_MAX) {
            err_where(e, path, line, 0);
            st = ERR(e, E_CONFIG, "line longer than %d bytes", INI_LINE_MAX);
            break;
        }
        if (memchr(l, '\0', blen)) {
            err_where(e, path, line, 0);
            st = ERR(e, E_CONFIG, "NUL byte in the line; save the file as UTF-8 text");
            break;
        }
        memcpy(buf, l, blen);
        buf[blen] = '\0';
        char *s = buf;
        if (line == 1 && blen >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3;   /* a UTF-8 BOM from a Windows editor */
        char *hashmark = strchr(s, '#');
        if (hashmark)
            *hashmark = '\0';
        s = trim(s);
        if (*s == '\0')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || trim(close + 1)[0] != '\0') {
                err_where(e, path, line, 1);
                st = ERR(e, E_CONFIG, "malformed section header '%s' (write [name])", s);
                break;
            }
            *close = '\0';
            char *name = trim(s + 1);
            if ((st = cb->section(ctx, name, line, e)) != E_OK) {
                if (!e->in_path[0] && st != E_NOMEM)
                    err_where(e, path, line, 1);
                break;
            }
            snprintf(section, sizeof section, "%s", name);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "expected 'key = value', found '%s'", s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (section[0] == '\0') {
            err_where(e, path, line, 1);
            st = ERR(e, E_CONFIG, "'%s' appears before any [section]", key);
            break;
        }
        if ((st = cb->setting(ctx, section, key, val, line, e)) != E_OK && !e->in_path[0] &&
            st != E_NOMEM)
            err_where(e, path, line, 1);
    }
    *lines = line;
    return st;
}
