/* cmd_report.c - `hedui report`: report.html of a published run.
 *
 * Owns: the command's usage text, options, which files feed the trend
 * (--state's history.csv, --history directories) and its stdout line.
 * Never: renders HTML (audit/report.c) or parses a run's files
 * (audit/rundir.c).
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/report_input.h"
#include "audit/rundir.h"
#include "audit/statedir.h"
#include "base/fileio.h"
#include "cmd/cli.h"
#include "pipeline.h"

static const char usage_report[] =
    "Usage: hedui report --from RUN_DIR [--history DIR]... [--state DIR] [--out FILE]\n"
    "                    [--queue-max N]\n"
    "\n"
    "Writes report.html for the run published in RUN_DIR (by default into\n"
    "RUN_DIR itself), in Chinese: the review queue with each household's\n"
    "findings and evidence, filtered by township, rule, severity, change and\n"
    "kind; flags per rule and per township as charts; new/persisting/resolved\n"
    "counts and the resolved findings (when the run compared with a previous\n"
    "one); the trend over past runs; the spot-check sample and the manifest.\n"
    "ID numbers are masked.  The page is self-contained: no network, and a\n"
    "Content-Security-Policy that runs only its own script.\n"
    "\n"
    "Options:\n"
    "  --from RUN_DIR   the run (its flags.csv, changes.csv, review_queue.csv,\n"
    "                   spotcheck.csv, manifest.json)\n"
    "  --history DIR    an earlier run directory for the trend; repeatable\n"
    "                   (up to 32 times)\n"
    "  --state DIR      the trend from a state directory's history.csv\n"
    "  --out FILE       where to write (default RUN_DIR/report.html)\n"
    "  --queue-max N    list at most N households of the review queue (default\n"
    "                   " REPORT_QUEUE_MAX_TEXT "; 0: all); over it, the households ranked\n"
    "                   1..k in every township, and the page says so\n";


struct report_opts {
    const char *from, *out, *state, *queue_max_s;
    size_t queue_max;
    struct cli_list history;
    int help;
};

static int parse_report(int argc, char **argv, struct report_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    const struct cli_opt opts[] = {
        {"--from", NULL, CLI_STR, &o->from},
        {"--out", NULL, CLI_STR, &o->out},
        {"--state", NULL, CLI_STR, &o->state},
        {"--history", NULL, CLI_LIST, &o->history},
        {"--queue-max", NULL, CLI_STR, &o->queue_max_s},
        {"--help", "-h", CLI_FLAG, &o->help},
    };
    int st = cli_parse("report", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK || o->help)
        return st;
    if (!o->from)
        return ERR(e, E_USAGE, "'report' needs --from RUN_DIR");
    o->queue_max = REPORT_QUEUE_MAX;
    if (o->queue_max_s) {
        unsigned long long v;
        if (cli_parse_uint(o->queue_max_s, 100000000, &v) != 0)
            return ERR(e, E_USAGE, "--queue-max '%s' is not a number from 0 to 100000000",
                       o->queue_max_s);
        o->queue_max = (size_t)v;
    }
    return E_OK;
}

/* The trend: the state's history.csv, then the --history directories and
 * RUN_DIR itself (when not among them), sorted by as-of date.  *hist is
 * malloc'd. */
static int read_trend(const struct report_opts *o, const struct rundir *from,
                      struct history_row **hist, size_t *nh, struct err *e)
{
    *hist = NULL;
    *nh = 0;
    int st = E_OK;
    if (o->state) {
        int fd = -1;
        st = statedir_exists(o->state, e);
        if (st == E_OK)
            st = statedir_lock(o->state, &fd, e);
        if (st == E_OK)
            st = statedir_read_history(o->state, hist, nh, e);
        statedir_unlock(fd);
    }
    if (st != E_OK || o->history.n == 0)
        return st;
    struct history_row *nv = realloc(*hist, (*nh + (size_t)o->history.n + 1) * sizeof **hist);
    if (!nv)
        return ERR(e, E_NOMEM, "out of memory while writing the report");
    *hist = nv;
    int self = 0;
    for (int i = 0; st == E_OK && i < o->history.n; i++) {
        const char *dir = o->history.v[i];
        struct arena a;
        arena_init(&a, (size_t)1 << 16);
        struct rundir rd;
        st = rundir_read(&rd, dir, RUN_MANIFEST | RUN_CHANGES, &a, e);
        if (st == E_NOINPUT && rd.missing == RUN_MANIFEST) {
            err_init(e);
            st = ERR(e, E_NOINPUT, "--history %s: no manifest.json there (not a run "
                                   "directory)", dir);
        }
        if (st == E_OK)
            report_history_row(&rd, &(*hist)[(*nh)++]);
        rundir_free(&rd);
        arena_free(&a);
        if (strcmp(dir, o->from) == 0)
            self = 1;
    }
    if (st == E_OK && !self)
        report_history_row(from, &(*hist)[(*nh)++]);
    if (st == E_OK)
        report_sort_history(*hist, *nh);
    return st;
}

static int fill_report(FILE *f, void *ctx)
{
    return report_html(f, ctx);
}

int cmd_report(int argc, char **argv, struct err *e)
{
    struct report_opts o;
    int st = parse_report(argc, argv, &o, e);
    if (st != E_OK)
        return st;
    if (o.help) {
        fputs(usage_report, stdout);
        return E_OK;
    }
    if ((st = cli_default_catalogue(e)) != E_OK)   /* the rules' names and labels */
        return st;
    struct arena ar;
    arena_init(&ar, (size_t)1 << 20);
    struct rundir rd;
    st = rundir_read(&rd, o.from, RUN_MANIFEST | RUN_FLAGS | RUN_CHANGES | RUN_QUEUE | RUN_SPOT,
                     &ar, e);
    if (st == E_NOINPUT && rd.missing == RUN_MANIFEST) {
        err_init(e);
        st = ERR(e, E_NOINPUT, "--from %s: no manifest.json there; give the output directory "
                               "of a 'hedui run'", o.from);
    }
    struct report_build b;
    memset(&b, 0, sizeof b);
    if (st == E_OK)
        st = report_from_published(&b, &rd, o.queue_max, e);
    struct history_row *hist = NULL;
    size_t nh = 0;
    if (st == E_OK)
        st = read_trend(&o, &rd, &hist, &nh, e);
    if (st == E_OK) {
        b.ri.tool_version = HEDUI_VERSION;
        b.ri.hist = hist;
        b.ri.n_hist = nh;
        char target[4200];
        if (o.out)
            snprintf(target, sizeof target, "%s", o.out);
        else
            snprintf(target, sizeof target, "%s/report.html", o.from);
        st = fileio_replace(target, fill_report, &b.ri, e);
        if (st == E_OK)
            printf("hedui: wrote %s\n", target);
    }
    free(hist);
    report_build_free(&b);
    rundir_free(&rd);
    arena_free(&ar);
    return st;
}
