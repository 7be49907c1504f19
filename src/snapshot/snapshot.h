/* snapshot.h - the pre-approval snapshot: feeds and registry memberships in
 * one mmap-able file (issue 5: `hedui index build`, `hedui check`).
 *
 * A snapshot holds, per person (ID key, idcard.h), everything the rules
 * read from the feeds: the hukou row, vehicles, property, social insurance,
 * business roles, public-servant and staff-relative records, financial
 * assets and funeral records, and the registry households the person is a
 * member of (with their status: a person in two households); per hukou
 * household (hukou_no) its persons (the head's hukou household); and the
 * policy tables (standards, holidays), the policy file itself, its hash and
 * version, the rules (the .policy files, checked at build) with their
 * catalogue, and the presence of the optional feeds (an optional feed
 * absent at build is recorded absent: a check skips its rules as the run on
 * the same data does).  Dated rows (financial assets, funerals) are kept
 * whatever their date: the check's as-of date picks, as the run's does.
 * `hedui check`
 * materialises from it a small struct dataset holding just the households
 * to check and the rows their members touch, and judges it as the nightly
 * run does (pipeline_judge), so its findings are the nightly run's
 * findings by construction.
 *
 * The file is a header page, the body (one section per row set, the
 * strings last) and a table of XXH3-64 checksums of the body's blocks
 * (the layout is in snap_format.h, which only the files of snapshot/
 * include).  The header also holds an XXH3-128 of the whole body (`hedui
 * index verify` checks it).  Opening checks the header and the block table
 * (a few hundred KB at 1M members), not the whole body: each body block
 * is verified the first time a reader touches it, so a process that reads
 * a handful of persons starts in milliseconds and never reads a byte that
 * has not been checked.  Every offset and index read from the file is
 * bounds-checked before use.  A snapshot of another format or engine
 * version, a truncated one, a checksum mismatch or an out-of-range value
 * is refused with E_PARSE (exit 3) naming the file and the problem.
 *
 * Writers build the file under a temporary name in the same directory,
 * fsync it, verify it, and rename it over the old one (then fsync the
 * directory), so readers always see a whole snapshot, old or new; a reader
 * keeps the file it opened (O_RDONLY, PROT_READ) even when it is replaced.
 *
 * Owns: the public face of snapshot/ (write, open, verify, look up,
 * materialise).  Never: exposes the on-disk structs (snap_format.h), reads
 * options or prints (the commands are cmd/cmd_index.c and cmd/cmd_check.c).
 */
#ifndef ENGINE_SNAPSHOT_H
#define ENGINE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "contract/model.h"
#include "contract/policy.h"
#include "engine/join.h"

/* "none" for a row index (no such household, person, hukou row). */
#define SNAP_NONE UINT32_MAX
/* The inputs a snapshot records (sp_input rows): every enum input_file
 * (formats 1 and 2 recorded the first 12 and carried neither
 * financial_assets.csv nor funeral.csv; they and format 3 are refused). */
#define SNAP_INPUTS N_INPUT
/* "no month" for the social-insurance coverage of struct snap_info. */
#define SNAP_NO_MONTH INT32_MIN

/* ---------- writing (snap_write.c) ---------- */

/* Write the snapshot of a loaded dataset to `path`, atomically: d as
 * pipeline_load_dir() leaves it, jn = join_build(jn, d, JOIN_SORTED) (the
 * row sets of d sorted by person key), pol the policy it was loaded with
 * (its file is stored in the snapshot and must still hash to pol->hash),
 * as_of the day the feeds were read as of.  Errors: E_WRITE (cannot write),
 * E_DATA (more rows or text than the format holds), E_CONFIG (the policy
 * file changed), E_IO, E_NOMEM. */
int snapshot_write(const struct dataset *d, const struct join *jn, const struct policy *pol,
                   int as_of, const char *path, struct err *e);

/* ---------- reading (snapshot.c) ---------- */

struct snap_header;            /* snap_format.h */

struct snap {
    char path[512];
    int fd;
    const unsigned char *base;
    size_t size;
    const struct snap_header *h;
    const uint64_t *block_hash;
    uint8_t *verified;         /* one byte per body block */
    uint64_t n_verified;       /* body blocks checked so far */
    struct policy_text *ptexts;   /* the stored rules (snap_policy_load), into the mapping */
    int n_ptexts;
    struct policy_text cat;       /* the stored rule catalogue (len 0: none) */
};

/* Open and check the header and block table.  E_NOINPUT, E_IO, E_PARSE. */
int snap_open(struct snap *s, const char *path, struct err *e);
void snap_close(struct snap *s);
/* Verify every block and the body's XXH3-128.  E_OK or E_PARSE. */
int snap_verify_all(struct snap *s, struct err *e);

/* What the header of an open snapshot says (`hedui index info`, the
 * check's report).  Strings are NUL-terminated copies.  Can't fail. */
#define SNAP_INFO_MAX_SEC 32
struct snap_info {
    size_t file_bytes;
    unsigned format_version;
    char engine_version[17];
    int as_of;                 /* day number the feeds were read as of */
    long long built_unix;
    char policy_version[65];
    char policy_hash[25];      /* XXH64 of policy.rules, hex */
    char policy_pack[65];      /* the rules language's policy built with, or "" */
    char policy_compiled[25];  /* its compiled hash (lang.h policy_hash), or "" */
    unsigned long long n_persons, n_households, n_members;
    unsigned long long n_blocks, n_verified;
    unsigned block_size;
    unsigned long long body_hash_hi, body_hash_lo;
    /* social insurance: months (date.h) of the first and last accepted
     * row (SNAP_NO_MONTH: none), and which of the 256 months up to the
     * last have one (bit i: si_last_month - i) */
    int si_first_month, si_last_month;
    unsigned char si_months[32];
    int n_sec;
    struct snap_sec_info {
        const char *name;
        unsigned long long offset, bytes, rows;
    } sec[SNAP_INFO_MAX_SEC];
};
void snap_get_info(const struct snap *s, struct snap_info *out);

/* The months of [first, last] (date.h month numbers) that the snapshot's
 * social insurance does not cover: months without an accepted row, and
 * months that were not over when the feeds were read (the month of the
 * snapshot's as-of date and later: a feed read on 15 June cannot hold all
 * of June).  The data contract's run stops on the first kind; a check
 * whose income window reaches either kind must not pass as "no finding".
 * Writes up to max of them, in order, to out and returns how many there
 * are (all of them, even beyond max).  Can't fail. */
int snap_si_uncovered(const struct snap_info *si, int first, int last, int *out, int max);
/* The last month the snapshot's social insurance covers completely (the
 * latest month before the snapshot's as-of month with an accepted row),
 * or SNAP_NO_MONTH. */
int snap_si_through(const struct snap_info *si);

/* Row accounting of the inputs the snapshot was built from (verified),
 * one per enum input_file. */
struct snap_input {
    char checksum[41];
    char encoding[17];
    long long bytes, data_rows, accepted, rejected, merged;
    int present, from_rules;
};
int snap_inputs(struct snap *s, struct snap_input in[N_INPUT], struct err *e);

/* The policy text embedded in the snapshot (verified). */
int snap_policy_text(struct snap *s, const char **text, size_t *len, struct err *e);
/* That policy, parsed (policy_load through an in-memory file), with the
 * rules stored at build (pol->texts, valid until snap_close) and their
 * catalogue (installed, or checked to be the installed one:
 * catalogue_accept_text): a check judges with exactly the nightly policy.  E_PARSE if it does not match
 * the hash recorded at build or the stored rules are damaged; policy_load's
 * errors otherwise. */
int snap_policy_load(struct snap *s, struct policy *pol, struct err *e);

/* Registry index of a household_id, or SNAP_NONE in *out. */
int snap_find_household(struct snap *s, const char *id, uint32_t *out, struct err *e);

/* ---------- a dataset of households to check (snap_materialise.c) ---------- */

/* The households to check, as loaded by a normaliser into `given`
 * (normalise_finish done), joined with what the snapshot knows about their
 * members: fills the empty dataset `out` (dataset_init done) with
 *   - the given households, each replacing the registry household of the
 *     same household_id, and the registry households (id, status) their
 *     members also belong to, with a member row for each such person, in
 *     registry order (a given household not in the registry comes after
 *     the registry, as if appended to households.csv);
 *   - the hukou rows of the members and of every person of each head's
 *     hukou_no; the feed rows of the members; all standards and holidays.
 * given_of[i] (malloc'd, out->households.n entries) is the index in
 * `given` of out's household i, or -1 for a registry household added for
 * a person's other households.  have[] gets the presence of each optional
 * feed at build time.
 * Strings point into `given`, into out's arena and into the mapping, so
 * keep all three until done with `out`.  E_PARSE if the snapshot is
 * damaged, E_NOMEM. */
int snap_materialise(struct snap *s, const struct dataset *given, struct dataset *out,
                     int32_t **given_of, int have[N_INPUT], struct err *e);

#endif
