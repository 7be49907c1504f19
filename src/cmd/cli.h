/* cli.h - the commands' option loop and the value parsers they share.
 *
 * Owns: the spelling of options (cli_parse) and of the values several
 * commands take (dates, thread counts, encodings), with one message for
 * each kind of mistake.  Never prints (a usage error goes into struct err
 * like any other) and never exits.
 */
#ifndef ENGINE_CLI_H
#define ENGINE_CLI_H

#include <stddef.h>

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"

/* The one option loop of every command (jq's manner): each option is a row
 * of a table; "--x V" and "--x=V" are the same; a flag takes no value
 * ("--quiet=1" is refused); an unknown option, a missing value or a stray
 * argument is E_USAGE naming it.  Values are stored as given: the command
 * validates them (dates, numbers) after the loop, so every message about a
 * value is written once, by the command that knows what it means. */
enum cli_kind {
    CLI_FLAG,   /* dst is int *: set to 1 */
    CLI_STR,    /* dst is const char **: the last one given wins */
    CLI_LIST,   /* dst is struct cli_list *: every one given, in order */
};

#define CLI_LIST_MAX 32
struct cli_list {
    int n;
    const char *v[CLI_LIST_MAX];
};

struct cli_opt {
    const char *name;    /* "--data" */
    const char *alias;   /* "-q", or NULL */
    enum cli_kind kind;
    void *dst;
};

/* Parse argv[0..argc) against opts[0..nopts).  Positional arguments (those
 * not starting with '-', and all after "--") go to pos[0..max_pos) with
 * their count in *npos; more than max_pos is E_USAGE.  `cmd` names the
 * command in messages ("review import").  E_OK or E_USAGE. */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
              const char **pos, int max_pos, int *npos, struct err *e);

/* -v/--verbose of a command: main.c's print_err then adds where in our
 * code an error was raised.  Set through a CLI_FLAG option row. */
extern int cli_verbose;

/* A decimal integer 0..max, nothing else.  0 on success, -1 otherwise. */
int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* --as-of VALUE: a YYYY-MM-DD date, into a day number.  E_OK or E_USAGE. */
int cli_parse_as_of(const char *v, int *out, struct err *e);

/* Today's date (local time) as a day number: the default --as-of. */
int cli_today(void);

/* --threads VALUE: 1..1024.  E_OK or E_USAGE. */
int cli_parse_threads(const char *v, int *out, struct err *e);

/* --encoding [FILE=]ENC: sets *enc_all, or enc_file[f] for a contract
 * file name.  E_OK or E_USAGE naming the bad part. */
int cli_parse_encoding(const char *v, enum enc *enc_all, enum enc enc_file[N_INPUT],
                       struct err *e);

/* The rules directory of a command run without --rules: the first of the
 * places below whose policy.rules can be read, else "rules".  Said in the
 * --help of run, load and index (CLI_RULES_PLACES) and in hedui(1). */
void cli_default_rules_dir(char *buf, size_t n);
/* Install the rule catalogue of the default rules directory, for the
 * commands that name rules but read no policy (report, export, review). */
int cli_default_catalogue(struct err *e);

#define CLI_RULES_PLACES                                                              \
    "Rules: --rules DIR, else the first of these places that holds policy.rules:\n"   \
    "  1. DIR/rules, DIR the directory of the hedui executable or one of the\n"       \
    "     three above it (a build tree: build/release/hedui finds rules/)\n"          \
    "  2. ../share/hedui/rules beside the executable's directory (make install:\n"    \
    "     PREFIX/bin/hedui finds PREFIX/share/hedui/rules)\n"                         \
    "  3. rules/ in the current directory\n"

#endif
