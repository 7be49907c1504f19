/* cmd_rules.h - `hedui rules check` (cmd_rules.c). */
#ifndef CMD_RULES_H
#define CMD_RULES_H

#include "base/err.h"

int cmd_rules(int argc, char **argv, struct err *e);

#endif
