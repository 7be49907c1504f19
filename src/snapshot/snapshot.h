/* snapshot.h - the pre-approval snapshot: feeds and registry memberships in
 * one mmap-able file (issue 5: `hedui index build`, `hedui check`).
 *
 * A snapshot holds, per person (ID key, idcard.h), everything the rules
 * read from the feeds: the hukou row, vehicles, property, social insurance,
 * business roles, public-servant and staff-relative records, and the
 * registry households the person is a member of (with their status, for
 * E10); per hukou household (hukou_no) its persons (E11); and the policy
 * tables (standards, holidays), the policy file itself, its hash and
 * version, and the presence of the optional feeds.  `hedui check`
 * materialises from it a small struct dataset holding just the households
 * to check and the rows their members touch, and runs the nightly
 * pipeline's join_build + evaluate_run on it, so its findings are the
 * nightly run's findings by construction.
 *
 * File layout (little-endian, position-independent: offsets, no pointers):
 *
 *   [0, 4096)        struct snap_header: magic "HEDUISNP", format version,
 *                    engine version, section table, XXH3-64 of the header
 *   [body)           the sections (struct snap_section: offset, bytes,
 *                    count, element size), each 64-byte aligned
 *   [block table)    XXH3-64 of every SNAP_BLOCK bytes of the body; the
 *                    table's own XXH3-64 is in the header
 *
 * The header also holds an XXH3-128 of the whole body (`hedui index
 * verify` checks it).  Opening checks the header and the block table
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
 */
#ifndef ENGINE_SNAPSHOT_H
#define ENGINE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "contract/model.h"
#include "pipeline.h"

#define SNAP_MAGIC "HEDUISNP"
#define SNAP_FORMAT_VERSION 1u
#define SNAP_BLOCK 16384u
#define SNAP_HEADER_BYTES 4096u
#define SNAP_NONE UINT32_MAX
/* The inputs a snapshot records (sp_input rows): the first 12 of enum
 * input_file, as in format 1.  TODO(snapshot): financial_assets.csv and
 * funeral.csv (E13, E14) are neither recorded nor carried, so `hedui
 * check` skips E13 and E14 and says so; carrying them is a new format
 * version (sections for their rows, SNAP_INPUTS = N_INPUT). */
#define SNAP_INPUTS 12

enum snap_sec {
    SEC_PERSONS, SEC_PERSON_HASH, SEC_HUKOU, SEC_HUKOU_HASH, SEC_VEHICLES, SEC_PROPERTY,
    SEC_SI, SEC_BUSINESS, SEC_PUBSERV, SEC_STAFFREL, SEC_MEMBERSHIPS, SEC_HOUSEHOLDS,
    SEC_HH_HASH, SEC_STANDARDS, SEC_HOLIDAYS, SEC_POLICY, SEC_INPUTS, SEC_STRINGS, N_SEC
};
extern const char *const snap_sec_names[N_SEC];

/* Person-keyed row sets: person i's rows of set f are
 * [persons[i].first[f], persons[i+1].first[f]) (the table ends with a
 * sentinel person). */
enum snap_pf { PF_VEHICLES, PF_PROPERTY, PF_SI, PF_BUSINESS, PF_PUBSERV, PF_STAFFREL,
               PF_MEMBERSHIPS, N_PF };

struct snap_section {
    uint64_t offset;      /* from the start of the file */
    uint64_t bytes;
    uint64_t count;
    uint32_t elem_size;
    uint32_t reserved;
};

struct snap_header {
    char magic[8];
    uint32_t format_version;
    uint32_t endian;           /* 0x01020304 as written */
    uint32_t header_bytes;     /* SNAP_HEADER_BYTES */
    uint32_t block_size;       /* SNAP_BLOCK */
    char engine_version[16];
    uint64_t file_bytes;
    uint64_t body_offset, body_bytes;
    uint64_t blocks_offset, n_blocks;
    uint64_t blocks_hash;      /* XXH3-64 of the block table */
    uint64_t body_hash_lo, body_hash_hi;  /* XXH3-128 of the body */
    int32_t as_of;             /* day number the feeds were read as of */
    int32_t reserved0;
    int64_t built_unix;
    char policy_version[64];
    char policy_hash[24];      /* XXH64 of policy.rules, hex */
    uint64_t n_persons, n_households, n_members;
    struct snap_section sec[N_SEC];
    uint64_t header_hash;      /* XXH3-64 of every byte before this field */
};

/* ---------- rows as stored (all sizes are part of the format) ---------- */

struct sp_person {
    uint64_t key;
    uint32_t hukou;            /* row in SEC_HUKOU, or SNAP_NONE */
    uint32_t first[N_PF];
};

struct sp_hukou {              /* grouped by hukou_no, key order within a group */
    uint32_t person, name, hukou_no, region;   /* strings: offsets in SEC_STRINGS */
    int32_t status_date;
    uint32_t line;
    uint8_t relation, status, pad[2];
};

struct sp_vehicle {
    int64_t value_fen;
    uint32_t plate;
    int32_t registered_on;
    uint32_t line;
    uint8_t vclass, use, status, pad;
};

struct sp_property {
    int64_t area_h;
    uint32_t property_id, share_nano;
    int32_t registered_on;
    uint32_t line;
    uint8_t usage, status, pad[6];
};

struct sp_si {
    int64_t amount_fen;
    int32_t month;
    uint32_t line;
    uint8_t kind, pad[7];
};

struct sp_business {
    int64_t capital_fen;
    uint32_t entity, line;
    uint8_t role, status, pad[6];
};

struct sp_pubserv {
    uint32_t employer;
    int32_t since;
    uint32_t line;
};

struct sp_staffrel {
    uint32_t caseworker, relation, line;
};

struct sp_household {          /* the registry, in households.csv order */
    uint32_t id;
    uint8_t status, pad[3];
};

struct sp_standard {
    int64_t monthly_fen;
    uint32_t prefix;
    int32_t prefix_len, area, effective_from;
    uint32_t line, pad;
};

struct sp_holiday {
    int32_t date, kind;
};

struct sp_input {              /* one per enum input_file, for have[] and `index info` */
    char name[32];
    char checksum[40];
    char encoding[16];
    int64_t bytes, data_rows, accepted, rejected, merged;
    uint8_t present, from_rules, pad[6];
};

/* ---------- writing ---------- */

/* Write the snapshot of a loaded pipeline (pipeline_load_dir done and
 * join_build run on p->d into p->jn) to `path`, atomically.  Errors:
 * E_IO (cannot write), E_DATA (more rows or text than the format holds),
 * E_NOMEM. */
int snapshot_write(const struct pipeline *p, const char *path, struct err *e);

/* ---------- reading ---------- */

struct snap {
    char path[512];
    int fd;
    const unsigned char *base;
    size_t size;
    const struct snap_header *h;
    const uint64_t *block_hash;
    uint8_t *verified;         /* one byte per body block */
    uint64_t n_verified;
};

/* Open and check the header and block table.  E_NOINPUT, E_IO, E_PARSE. */
int snap_open(struct snap *s, const char *path, struct err *e);
void snap_close(struct snap *s);
/* Verify every block and the body's XXH3-128.  E_OK or E_PARSE. */
int snap_verify_all(struct snap *s, struct err *e);

/* The policy text embedded in the snapshot (verified). */
int snap_policy_text(struct snap *s, const char **text, size_t *len, struct err *e);
/* Row accounting of the inputs the snapshot was built from (verified). */
int snap_inputs(struct snap *s, const struct sp_input **in, struct err *e);

/* Registry index of a household_id, or SNAP_NONE in *out. */
int snap_find_household(struct snap *s, const char *id, uint32_t *out, struct err *e);

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
 * E10.  have[] gets the presence of each optional feed at build time.
 * Strings point into `given`, into out's arena and into the mapping, so
 * keep all three until done with `out`.  E_PARSE if the snapshot is
 * damaged, E_NOMEM. */
int snap_materialise(struct snap *s, const struct dataset *given, struct dataset *out,
                     int32_t **given_of, int have[N_INPUT], struct err *e);
/* (have[f] is 0 for the inputs from SNAP_INPUTS on: not in the snapshot.) */

/* ---------- commands (cmd_check.c) ---------- */

int cmd_index(int argc, char **argv, struct err *e);
int cmd_check(int argc, char **argv, struct err *e);

#endif
