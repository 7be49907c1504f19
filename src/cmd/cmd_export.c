/* cmd_export.c - `hedui export`: township packs for people outside the
 * bureau.
 *
 * Owns: the command's usage text, options and stdout lines.  Never:
 * formats a pack (audit/export.c) or parses a run's files
 * (audit/rundir.c).
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <string.h>

#include "audit/export.h"
#include "audit/rundir.h"
#include "cmd/cli.h"

static const char usage_export[] =
    "Usage: hedui export --out DIR --township CODE|all [--from RUN_DIR]\n"
    "\n"
    "Writes the review list of a township (9-digit code) or of every township\n"
    "with households in the review queue, one file each:\n"
    "DIR/township_CODE_ASOF.csv, for people outside the bureau.  Per queued\n"
    "household (in queue order) every flag with its evidence; ID numbers are\n"
    "masked (first 6 and last 4 characters kept); UTF-8 with a BOM and CRLF\n"
    "line ends so Excel and WPS open it; text cells that a spreadsheet would\n"
    "run as a formula (= + - @ TAB CR first) start with an apostrophe.\n"
    "\n"
    "Options:\n"
    "  --out DIR         where the packs go (created if missing, mode 0700)\n"
    "  --township CODE   a 9-digit township code, or 'all'\n"
    "  --from RUN_DIR    the run to export (default: the current directory)\n";

struct export_opts {
    const char *out, *town, *from;
    int help;
};

static int parse_export(int argc, char **argv, struct export_opts *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    o->from = ".";
    const struct cli_opt opts[] = {
        {"--out", NULL, CLI_STR, &o->out},
        {"--township", NULL, CLI_STR, &o->town},
        {"--from", NULL, CLI_STR, &o->from},
        {"--help", "-h", CLI_FLAG, &o->help},
    };
    int st = cli_parse("export", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK || o->help)
        return st;
    if (!o->out)
        return ERR(e, E_USAGE, "'export' needs --out DIR");
    if (!o->town)
        return ERR(e, E_USAGE, "'export' needs --township CODE (9 digits) or --township all");
    if (strcmp(o->town, "all") != 0 && !township_code_ok(o->town))
        return ERR(e, E_USAGE, "--township '%s' is not a 9-digit township code (or 'all')",
                   o->town);
    return E_OK;
}

static void say_pack(void *ctx, const char *path, size_t households)
{
    (void)ctx;
    printf("hedui: %s: %zu households%s\n", path, households,
           households ? "" : " (none in the review queue: header only)");
}

int cmd_export(int argc, char **argv, struct err *e)
{
    struct export_opts o;
    int st = parse_export(argc, argv, &o, e);
    if (st != E_OK)
        return st;
    if (o.help) {
        fputs(usage_export, stdout);
        return E_OK;
    }
    struct arena ar;
    arena_init(&ar, (size_t)1 << 20);
    struct rundir rd;
    st = rundir_read(&rd, o.from, RUN_MANIFEST | RUN_FLAGS | RUN_CHANGES | RUN_QUEUE, &ar, e);
    if (st == E_NOINPUT && rd.missing == RUN_MANIFEST) {
        err_init(e);
        st = ERR(e, E_NOINPUT, "--from %s: no manifest.json there; give the output directory "
                               "of a 'hedui run'", o.from);
    }
    size_t n_packs = 0;
    if (st == E_OK)
        st = export_packs(&rd, o.out, o.town, say_pack, NULL, &n_packs, e);
    if (st == E_OK && strcmp(o.town, "all") == 0 && n_packs == 0)
        printf("hedui: the review queue of %s is empty: no packs written\n", o.from);
    rundir_free(&rd);
    arena_free(&ar);
    return st;
}
