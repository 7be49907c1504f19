/* cmd.h - the commands of hedui, one file each in src/cmd/.
 *
 * Each takes the arguments after its name (argv[0] is the first option),
 * parses them with cli_parse (cli.h), prints its usage to stdout on -h,
 * does its work through the layers below and writes its own answer to
 * stdout.  It returns E_OK or an enum ecode with e filled; it never prints
 * an error and never exits: main.c prints e and maps the code to the exit
 * status.
 *
 * Owns: the list of commands.  Never: declares anything but entry points.
 */
#ifndef ENGINE_CMD_H
#define ENGINE_CMD_H

#include "base/err.h"

int cmd_run(int argc, char **argv, struct err *e);      /* cmd_run.c */
int cmd_load(int argc, char **argv, struct err *e);     /* cmd_load.c */
int cmd_index(int argc, char **argv, struct err *e);    /* cmd_index.c */
int cmd_check(int argc, char **argv, struct err *e);    /* cmd_check.c */
int cmd_review(int argc, char **argv, struct err *e);   /* cmd_review.c */
int cmd_export(int argc, char **argv, struct err *e);   /* cmd_export.c */
int cmd_report(int argc, char **argv, struct err *e);   /* cmd_report.c */
int cmd_rules(int argc, char **argv, struct err *e);    /* cmd_rules.c */
int cmd_serve(int argc, char **argv, struct err *e);    /* cmd_serve.c */
int cmd_explain(int argc, char **argv, struct err *e);  /* cmd_explain.c */

#endif
