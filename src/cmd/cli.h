/* cli.h - small helpers shared by the commands' option parsers.
 *
 * Owns nothing; never prints (a usage error goes into struct err like any
 * other) and never exits.
 */
#ifndef ENGINE_CLI_H
#define ENGINE_CLI_H

#include <stddef.h>

#include "base/encoding.h"
#include "base/err.h"
#include "contract/model.h"

/* Match argv[*i] against `name` ("--data" or "--data=VALUE").  Returns 1
 * and sets *val (advancing *i past a separate value), 0 if it is another
 * option, -1 with an E_USAGE error if the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val,
                  struct err *e);

/* A decimal integer 0..max, nothing else.  0 on success, -1 otherwise. */
int cli_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* --threads VALUE: 1..1024.  E_OK or E_USAGE. */
int cli_parse_threads(const char *v, int *out, struct err *e);

/* --encoding [FILE=]ENC: sets *enc_all, or enc_file[f] for a contract
 * file name.  E_OK or E_USAGE naming the bad part. */
int cli_parse_encoding(const char *v, enum enc *enc_all, enum enc enc_file[N_INPUT],
                       struct err *e);

/* The shipped rules/ directory: beside the executable or up to four levels
 * above it (build/release/hedui), else "rules". */
void cli_default_rules_dir(char *buf, size_t n);

#endif
