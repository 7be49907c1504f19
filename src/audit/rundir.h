/* rundir.h - a published run read back: the one reader of an output
 * directory (the inverse of out/lists.c), for `run --previous DIR`,
 * `hedui export` and `hedui report` (and the previous run's feed sizes,
 * audit/prevcounts.c).
 *
 * The parts are read in this order, each only when asked for:
 *   manifest.json     parsed as JSON (libjansson): it must be an object;
 *                     a field it lacks reads as unknown ("" or -1)
 *   flags.csv         every flag, with its fingerprint when the file has
 *                     the column (a run that compared or had a state) and
 *                     its change (new/persisting) when it has that one
 *   fingerprints.csv  only for RUN_FLAG_FPS when flags.csv has no
 *                     fingerprint column: same rows, same order
 *   changes.csv       optional: absent means the run did not compare
 *   review_queue.csv, spotcheck.csv
 * A CSV needs the columns hedui writes (others are ignored, any order) and
 * every record the header's number of fields: these are our own files, so
 * anything else means the file was damaged or is not hedui's, and is
 * E_PARSE with FILE:LINE.  A missing file is E_NOINPUT with rd->missing
 * naming its part, so the caller can say which option pointed where.
 *
 * Owns: the column names of the published lists as read, and the manifest
 * fields the auditors' side needs.  Never: writes, prints, judges a flag.
 */
#ifndef ENGINE_RUNDIR_H
#define ENGINE_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "contract/policy.h"
#include "out/nostd.h"

enum run_part {
    RUN_MANIFEST = 1 << 0,
    RUN_FLAGS = 1 << 1,
    RUN_FLAG_FPS = 1 << 2,   /* RUN_FLAGS, each with a fingerprint (else E_NOINPUT) */
    RUN_CHANGES = 1 << 3,    /* changes.csv if there is one */
    RUN_QUEUE = 1 << 4,
    RUN_SPOT = 1 << 5,
};

/* The fields of manifest.json the auditors' side uses. */
struct run_manifest {
    char *text;                    /* the file as read, NUL-terminated */
    size_t len;
    char as_of[11];                /* "" unknown */
    char seed[24];                 /* as written; "-1" unknown */
    char rules_version[64];        /* rules.version; "" unknown */
    char rules_pack[64];           /* rules.pack (a policy pack's name); "" unknown */
    char rules_dir[512];           /* rules.dir; "" unknown */
    long long n_flags, n_queue, n_spot;   /* outputs; -1 unknown */
    long long rule_count[RULES_MAX];        /* counts, by enum rule_id; -1 unknown */
    long long data_rows[N_INPUT];         /* inputs read from the data (not a policy
                                             table of the rules directory), by enum
                                             input_file; -1 absent or unknown */
    /* no_standard: counts (-1 unknown), the first NOSTD_SHOWN household
     * ids and candidate lines, the groups by region (malloc'd, with their
     * strings; rundir_free frees them) */
    long long n_no_std_hh, n_no_std_cand;
    char **no_std_hh;
    size_t n_no_std_hh_shown;
    long long *no_std_cand_lines;
    size_t n_no_std_cand_shown;
    struct nostd_region *no_std_regions;
    size_t n_no_std_regions;
    char *no_std_strings;                 /* the bytes the strings above point into */
};

struct run_flag {
    const char *rule_id, *severity, *household_id, *hukou_no, *id_no, *region, *evidence;
    const char *change;            /* "new"/"persisting", "" without the column */
    uint64_t fp;                   /* 0 without a fingerprint */
    long long line;                /* in flags.csv */
};

struct run_queue_row {
    const char *township, *rank, *household_id, *hukou_no, *score, *rule_ids;
};

struct run_spot_row {
    const char *township, *program, *household_id, *reason;
};

struct run_change {
    const char *change;            /* new, persisting or resolved */
    uint64_t fp;
    const char *rule_id, *severity, *household_id, *hukou_no, *id_no, *region;
    const char *disposition;       /* the verdict in force, "" none */
    const char *evidence;
};

struct rundir {
    const char *dir;
    unsigned parts;                /* what was read (enum run_part) */
    unsigned missing;              /* on E_NOINPUT: the part whose file is missing */
    struct run_manifest m;
    struct run_flag *flags;
    size_t n_flags;
    int flags_have_fp, flags_have_change;
    int have_changes;              /* changes.csv was there */
    struct run_change *changes;
    size_t n_changes;
    struct run_queue_row *queue;
    size_t n_queue;
    struct run_spot_row *spot;
    size_t n_spot;
};

/* Read the parts of the run in dir (see above); strings go into a, which
 * must outlive rd's use.  rundir_free() afterwards in every case. */
int rundir_read(struct rundir *rd, const char *dir, unsigned parts, struct arena *a,
                struct err *e);
void rundir_free(struct rundir *rd);

#endif
