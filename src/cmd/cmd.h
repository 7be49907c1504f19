/* cmd.h - the commands of the command line, one file each in cmd/
 * (cmd_<name>.c: its usage text, its options, the wiring of lower calls
 * and what it prints on stdout).  main.c's command table calls them.
 *
 * Each takes the arguments after the command name and returns E_OK or an
 * error in e (main.c prints it); `--help` prints the usage on stdout.
 * Options are parsed by cli_parse (cli.h) only.
 *
 * Owns: the entry points.  Never: exits or prints an error.
 */
#ifndef ENGINE_CMD_H
#define ENGINE_CMD_H

#include "base/err.h"

/* `hedui review import|list` (cmd_review.c) */
int cmd_review(int argc, char **argv, struct err *e);
/* `hedui report --from RUN_DIR ...` (cmd_report.c) */
int cmd_report(int argc, char **argv, struct err *e);
/* `hedui export --out DIR --township CODE|all ...` (cmd_export.c) */
int cmd_export(int argc, char **argv, struct err *e);

#endif
