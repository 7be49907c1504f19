/* err.c - recording errors with their place in the input and in our code.
 *
 * Owns: the struct err helpers.  Never prints, never exits: main.c does that.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_init(struct err *e)
{
    memset(e, 0, sizeof *e);
}

int err_set(struct err *e, enum ecode code, const char *src_file, int src_line,
            const char *fmt, ...)
{
    if (e == NULL || e->code != E_OK)
        return code;
    e->code = code;
    e->src_file = src_file;
    e->src_line = src_line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void err_where(struct err *e, const char *path, long long line, int col)
{
    if (e == NULL || e->in_path[0] != '\0')
        return;
    if (path)
        snprintf(e->in_path, sizeof e->in_path, "%s", path);
    e->in_line = line;
    e->in_col = col;
}

const char *err_code_text(enum ecode code)
{
    switch (code) {
    case E_OK: return "ok";
    case E_NOMEM: return "out of memory";
    case E_IO: return "input/output error";
    case E_WRITE: return "cannot write outputs";
    case E_NOINPUT: return "missing input";
    case E_PARSE: return "malformed input";
    case E_DATA: return "bad data";
    case E_CONFIG: return "bad rules";
    case E_PG: return "database error";
    case E_USAGE: return "usage error";
    case E_INTERNAL: return "internal error";
    }
    return "unknown error";
}
