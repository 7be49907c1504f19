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
#include "audit/packkey.h"
#include "audit/rundir.h"
#include "audit/statedir.h"
#include "cmd/cli.h"
#include "pg/pg_packkey.h"
#include "pg/pg_schema.h"

static const char usage_export[] =
    "Usage: hedui export --out DIR --township CODE|COUNTY|all [--format xlsx|csv]\n"
    "                    [--from RUN_DIR] [--state DIR | --pg CONNINFO [--schema S]]\n"
    "                    [--create-state]\n"
    "\n"
    "Writes the review list of each township with households in the review\n"
    "queue of the run, for people outside the bureau: one Excel workbook per\n"
    "township, DIR/township_CODE_ASOF.xlsx, with the sheets 核查清单 (per\n"
    "queued household in queue order every flag: rule name and severity in\n"
    "Chinese, evidence, and the columns 核查结论 (a drop-down of 确认 / 排除 /\n"
    "移交), 核查人, 核查日期, 备注), 抽查样本 (the spot-check sample) and 说明\n"
    "(what each rule checks and its article, the as-of date, policy version\n"
    "and pack).  ID numbers are masked (first 6 and last 4 characters kept);\n"
    "every ID-like column is a text cell.  --format csv writes the review list\n"
    "as DIR/township_CODE_ASOF.csv instead: UTF-8 with a BOM and CRLF line\n"
    "ends, Chinese headers, text cells that a spreadsheet would run as a\n"
    "formula (= + - @ TAB CR first) starting with an apostrophe.\n"
    "\n"
    "Options:\n"
    "  --out DIR          where the packs go (created if missing, mode 0700)\n"
    "  --township CODE    a township (9 digits), every township of a county\n"
    "                     (6 digits), or 'all'\n"
    "  --format xlsx|csv  the packs' form (default xlsx)\n"
    "  --from RUN_DIR     the run to export (default: the current directory)\n"
    "  --state DIR        the state directory the verdicts will go to: each row\n"
    "                     then carries a 核查键, an opaque key of its finding made\n"
    "                     with the secret DIR/pack.key (created on first use,\n"
    "                     mode 0600), so that 'hedui review import PACK --state\n"
    "                     DIR' takes the filled pack back.  Without it the packs\n"
    "                     have no 核查键 and cannot be imported.\n"
    "  --pg CONNINFO      instead of --state: the verdicts go to PostgreSQL\n"
    "                     ('hedui review import PACK --pg'), and the secret is\n"
    "                     the table S.pack_secret (made on first use)\n"
    "  --schema S         with --pg: the schema (default hedui)\n"
    "  --create-state     make DIR (or the schema S) when it does not exist\n"
    "                     (else refused)\n";

struct export_cli {
    const char *out, *town, *from, *format, *state, *pg, *schema;
    int create_state, help;
};

static int parse_export(int argc, char **argv, struct export_cli *o, struct err *e)
{
    memset(o, 0, sizeof *o);
    o->from = ".";
    o->format = "xlsx";
    o->schema = PG_DEFAULT_SCHEMA;
    const struct cli_opt opts[] = {
        {"--out", NULL, CLI_STR, &o->out},
        {"--township", NULL, CLI_STR, &o->town},
        {"--from", NULL, CLI_STR, &o->from},
        {"--format", NULL, CLI_STR, &o->format},
        {"--state", NULL, CLI_STR, &o->state},
        {"--pg", NULL, CLI_STR, &o->pg},
        {"--schema", NULL, CLI_STR, &o->schema},
        {"--create-state", NULL, CLI_FLAG, &o->create_state},
        {"--help", "-h", CLI_FLAG, &o->help},
    };
    int st = cli_parse("export", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL,
                       e);
    if (st != E_OK || o->help)
        return st;
    if (!o->out)
        return ERR(e, E_USAGE, "'export' needs --out DIR");
    if (!o->town)
        return ERR(e, E_USAGE, "'export' needs --township CODE (9 digits), a county (6 "
                               "digits) or --township all");
    if (!export_area_ok(o->town))
        return ERR(e, E_USAGE, "--township '%s' is not a 9-digit township code, a 6-digit "
                               "county code or 'all'", o->town);
    if (o->state && o->pg)
        return ERR(e, E_USAGE, "'export': give --state DIR or --pg CONNINFO, not both");
    if (o->create_state && !o->state && !o->pg)
        return ERR(e, E_USAGE, "--create-state needs --state DIR or --pg CONNINFO");
    if (strcmp(o->format, "xlsx") != 0 && strcmp(o->format, "csv") != 0)
        return ERR(e, E_USAGE, "--format '%s': give xlsx or csv", o->format);
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
    struct export_cli o;
    int st = parse_export(argc, argv, &o, e);
    if (st != E_OK)
        return st;
    if (o.help) {
        fputs(usage_export, stdout);
        return E_OK;
    }
    if ((st = cli_default_catalogue(e)) != E_OK)   /* the legend's rules */
        return st;
    struct packkey key;
    if (o.state && statedir_exists(o.state, e) != E_OK) {
        err_init(e);
        if (!o.create_state)
            return ERR(e, E_NOINPUT, "state directory %s does not exist: check the path (the "
                                     "verdicts of these packs must go back to the state of "
                                     "the nightly runs), or give --create-state", o.state);
        int fd = -1;
        st = statedir_lock(o.state, &fd, e);   /* creates it, mode 0700 */
        statedir_unlock(fd);
        if (st != E_OK)
            return st;
    }
    if (o.state && (st = packkey_from_state(o.state, 1, &key, e)) != E_OK)
        return st;
    if (o.pg && (st = pg_export_secret(o.pg, o.schema, o.create_state, &key, e)) != E_OK)
        return st;
    int keyed = o.state || o.pg;
    struct arena ar;
    arena_init(&ar, (size_t)1 << 20);
    struct rundir rd;
    st = rundir_read(&rd, o.from,
                     RUN_MANIFEST | RUN_FLAGS | RUN_CHANGES | RUN_QUEUE | RUN_SPOT |
                         (keyed ? RUN_FLAG_FPS : 0u),
                     &ar, e);
    if (st == E_NOINPUT && rd.missing == RUN_MANIFEST) {
        err_init(e);
        st = ERR(e, E_NOINPUT, "--from %s: no manifest.json there; give the output directory "
                               "of a 'hedui run'", o.from);
    }
    size_t n_packs = 0;
    struct export_opts xo = {o.out, o.town, strcmp(o.format, "csv") == 0 ? PACK_CSV : PACK_XLSX,
                             keyed ? &key : NULL};
    if (st == E_OK && !keyed)
        fprintf(stderr, "hedui: note: without --state DIR (or --pg) the packs carry no 核查键, "
                        "so filled packs cannot be imported back\n");
    if (st == E_OK)
        st = export_packs(&rd, &xo, say_pack, NULL, &n_packs, e);
    if (st == E_OK && n_packs == 0)
        printf("hedui: the review queue of %s has no household in %s: no packs written\n",
               o.from, strcmp(o.town, "all") == 0 ? "any township" : o.town);
    rundir_free(&rd);
    arena_free(&ar);
    return st;
}
