/* main.c - the command line's entry: the command table, the one place
 * errors are printed, and the exit status table (the only file that calls
 * exit(), by returning from main).
 *
 * Owns: dispatching argv[1] to a command (src/cmd/, one file each; cmd.h),
 * the top-level usage, print_err() and exit_for().  Never: parses a
 * command's options or does a command's work.
 * The stages of a run are in pipeline.h; the layers in README.md "Layout".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/idmask.h"
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "pipeline.h"   /* HEDUI_VERSION */
#ifdef HEDUI_MPI
#include "mpi/mpirun.h"   /* hedui-mpi (make mpi): `run` over MPI ranks */
#define RUN_COMMAND cmd_run_mpi
#define PRINTS() mpirun_is_root()
#else
#define RUN_COMMAND cmd_run
#define PRINTS() 1
#endif

/* Exit status table (also in --help and README.md). */
enum exit_status {
    EXIT_OK = 0,
    EXIT_DATA = 1,      /* a feed over its reject limit, a feed that looks incomplete
                         * (engine/feedcheck.h), or other data that stops the run */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_INPUT = 3,     /* missing, unreadable or malformed input file */
    EXIT_DB = 4,        /* database error */
    EXIT_RULES = 5,     /* bad rules file */
    EXIT_OUTPUT = 6,    /* cannot write the outputs */
    EXIT_NOMEM = 7,     /* out of memory */
    EXIT_INTERNAL = 70  /* a bug */
};

static const char *prog = "hedui";

static const char usage_main[] =
    "Usage: hedui COMMAND [OPTIONS]\n"
    "\n"
    "Cross-checks the economic status of households on the social-assistance\n"
    "rolls against department feeds and lists cases for review.\n"
    "\n"
    "Commands:\n"
    "  run        the nightly cross-check over CSV feeds (hedui run --help)\n"
    "  load       load CSV feeds into PostgreSQL for 'run --pg' (hedui load --help)\n"
    "  index      build/verify the snapshot for pre-approval checks (hedui index --help)\n"
    "  check      check households against a snapshot now (hedui check --help)\n"
    "  review     import auditors' verdicts into a state directory (hedui review --help)\n"
    "  export     township packs for people outside the bureau (hedui export --help)\n"
    "  report     report.html of a published run (hedui report --help)\n"
    "  rules      check a policy written in the rules language (hedui rules --help)\n"
    "  serve      pre-approval checks over HTTP from a snapshot (hedui serve --help)\n"
    "  explain    why each rule fired or not for one household (hedui explain --help)\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help\n"
    "  --version      show the version\n"
    "\n"
    "Exit status:\n"
    "  0  success (rejected rows, if any, are in rejects.csv)\n"
    "  1  a feed's rejected rows exceed the reject limit, or a feed looks\n"
    "     incomplete (empty, short of the income window, fell since the previous\n"
    "     run); nothing published\n"
    "  2  usage error\n"
    "  3  an input file is missing, unreadable or malformed\n"
    "  4  database error\n"
    "  5  the rules are malformed\n"
    "  6  the outputs cannot be written\n"
    "  7  out of memory\n"
    "  70 internal error (a bug: please report it)\n";

static int exit_for(enum ecode c)
{
    switch (c) {
    case E_OK: return EXIT_OK;
    case E_DATA: return EXIT_DATA;
    case E_USAGE: return EXIT_USAGE;
    case E_NOINPUT:
    case E_PARSE: return EXIT_INPUT;
    case E_IO: return EXIT_INPUT;
    case E_WRITE: return EXIT_OUTPUT;
    case E_PG: return EXIT_DB;
    case E_CONFIG: return EXIT_RULES;
    case E_NOMEM: return EXIT_NOMEM;
    case E_INTERNAL: return EXIT_INTERNAL;
    }
    return EXIT_INTERNAL;
}

/* The one place errors are printed; ID numbers in it masked 6+4 (idmask.h). */
static void print_err(const struct err *e)
{
    char line[sizeof e->in_path + sizeof e->msg + 64];
    int n = snprintf(line, sizeof line, "%s: ", prog);
    if (e->in_path[0]) {
        n += snprintf(line + n, sizeof line - (size_t)n, "%s", e->in_path);
        if (e->in_line)
            n += snprintf(line + n, sizeof line - (size_t)n, ":%lld", e->in_line);
        if (e->in_col)
            n += snprintf(line + n, sizeof line - (size_t)n, ":%d", e->in_col);
        n += snprintf(line + n, sizeof line - (size_t)n, ": ");
    }
    snprintf(line + n, sizeof line - (size_t)n, "%s", e->msg);
    idmask_text(line, line, sizeof line);
    fprintf(stderr, "%s\n", line);
    if (cli_verbose || e->code == E_INTERNAL)
        fprintf(stderr, "%s: (%s, at %s:%d)\n", prog, err_code_text(e->code),
                e->src_file ? e->src_file : "?", e->src_line);
    if (e->code == E_USAGE)
        fprintf(stderr, "%s: try '%s --help' for more information\n", prog, prog);
}

/* ---------- commands ---------- */

struct command {
    const char *name;
    int (*fn)(int argc, char **argv, struct err *e);
};

static const struct command commands[] = {
    {"run", RUN_COMMAND},
#ifndef HEDUI_MPI   /* hedui-mpi runs `run` only: the others are one process's work */
    {"load", cmd_load},
    {"index", cmd_index},
    {"check", cmd_check},
    {"review", cmd_review},
    {"export", cmd_export},
    {"report", cmd_report},
    {"rules", cmd_rules},
    {"serve", cmd_serve},
    {"explain", cmd_explain},
#endif
};

int main(int argc, char **argv)
{
#ifdef HEDUI_MPI
    if (mpirun_init(&argc, &argv) != 0) {
        fprintf(stderr, "%s: MPI could not start\n", prog);
        return EXIT_INTERNAL;
    }
#endif
    /* every message line masked; a CONNINFO password gone from argv (ps) */
    idmask_filter_stderr();
    for (int i = 2; i < argc; i++)
        if (strstr(argv[i], "password") || strstr(argv[i], "://")) {
            char *keep = strdup(argv[i]);
            if (keep && conninfo_scrub_password(argv[i]) > 0)
                argv[i] = keep;   /* the program reads the copy; ps shows stars */
            else
                free(keep);
        }
    struct err e;
    err_init(&e);
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int st;
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    } else if (strcmp(cmd, "--version") == 0) {
        printf("hedui %s\n", HEDUI_VERSION);
        return EXIT_OK;
    } else {
        st = -1;
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(cmd, commands[i].name) == 0)
                st = commands[i].fn(argc - 2, argv + 2, &e);
        if (st == -1)
            st = ERR(&e, E_USAGE, "unknown command '%s'", cmd);
    }
    if (st != E_OK && PRINTS())
        print_err(&e);
#ifdef HEDUI_MPI
    mpirun_finalize();
#endif
    return exit_for((enum ecode)st);
}
