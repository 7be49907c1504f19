/* snap_format.h - the snapshot's on-disk format and the checked readers
 * shared by the files of snapshot/ (SQLite's btreeInt.h: the private
 * header of one subsystem).
 *
 * Owns: the format: magic, version, block size, the section table, the
 * row structs as stored (every size is part of the format and asserted
 * below: a change is a new SNAP_FORMAT_VERSION), the hash functions fixed
 * by the format, and the declarations of the bounds- and checksum-checked
 * readers snapshot.c defines for snap_materialise.c.
 * Never: included outside src/snapshot/ (the commands see snapshot.h's
 * struct snap_info; tests/check_snapshot.c includes it to damage files on
 * purpose).
 *
 * File layout (little-endian, position-independent: offsets, no pointers):
 *
 *   OFFSET          SIZE                DESCRIPTION
 *   0               SNAP_HEADER_BYTES   struct snap_header: magic "HEDUISNP",
 *                                       format version, engine version, the
 *                                       section table, XXH3-64 of the header
 *   body_offset     body_bytes          the sections (struct snap_section:
 *                                       offset, bytes, count, element size),
 *                                       each 64-byte aligned, STRINGS last
 *   blocks_offset   8 * n_blocks        XXH3-64 of every SNAP_BLOCK bytes of
 *                                       the body; the table's own XXH3-64 is
 *                                       in the header (blocks_hash)
 *
 * The header also holds an XXH3-128 of the whole body (`hedui index
 * verify` checks it).  Strings are offsets into SEC_STRINGS (offset 0 is
 * "").  Person-keyed row sets are grouped by person: person i's rows of
 * set f are [persons[i].first[f], persons[i+1].first[f]) (SEC_PERSONS ends
 * with a sentinel person).  The three *_HASH sections are open-addressing
 * tables (a power of two of uint32 slots, SNAP_NONE = empty, linear
 * probing): person key -> SEC_PERSONS row (snap_key_hash), hukou_no ->
 * first SEC_HUKOU row of its group, household_id -> SEC_HOUSEHOLDS row
 * (snap_str_hash).
 */
#ifndef ENGINE_SNAP_FORMAT_H
#define ENGINE_SNAP_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xxhash.h>

#include "base/err.h"
#include "contract/model.h"

struct snap;                   /* snapshot.h */

#define SNAP_MAGIC "HEDUISNP"
/* 2: the header says which months social insurance covers (si_*).
 * 3: the header names the rules language's policy it was built with
 *    (policy_pack, policy_compiled: lang.h policy_hash); financial_assets.csv
 *    and funeral.csv are carried (SEC_FINASSETS, SEC_FUNERAL) and recorded
 *    with every other input (SEC_INPUTS has N_INPUT rows).  (A format 3 of
 *    other builds had SEC_POLICY_SRC instead: the two were never one file.)
 * 4: format 3, and the rules judged (the .policy files and catalogue.rules)
 *    in SEC_POLICY_SRC: check and serve judge with them. */
#define SNAP_FORMAT_VERSION 4u
#define SNAP_BLOCK 16384u
#define SNAP_HEADER_BYTES 4096u
#define SNAP_ENDIAN_MARK 0x01020304u
#define SNAP_SI_MONTHS 256u   /* months of social-insurance coverage the header holds */

enum snap_sec {
    SEC_PERSONS, SEC_PERSON_HASH, SEC_HUKOU, SEC_HUKOU_HASH, SEC_VEHICLES, SEC_PROPERTY,
    SEC_SI, SEC_BUSINESS, SEC_PUBSERV, SEC_STAFFREL, SEC_FINASSETS, SEC_FUNERAL,
    SEC_MEMBERSHIPS, SEC_HOUSEHOLDS, SEC_HH_HASH, SEC_STANDARDS, SEC_HOLIDAYS, SEC_POLICY,
    SEC_INPUTS, SEC_POLICY_SRC, SEC_STRINGS, N_SEC
};
/* SEC_POLICY_SRC (bytes): the .policy files of the rules judged, the one
 * judged first, then those it extends, then the rule catalogue
 * (catalogue.rules), each as
 *     uint32 path bytes (with its NUL), the path, uint32 text bytes, the text
 * (little-endian, unaligned). */
extern const char *const snap_sec_names[N_SEC];
/* Element size of each section: a change here is a new format version. */
extern const uint32_t snap_sec_elem[N_SEC];

/* Person-keyed row sets (struct sp_person.first[]). */
enum snap_pf { PF_VEHICLES, PF_PROPERTY, PF_SI, PF_BUSINESS, PF_PUBSERV, PF_STAFFREL,
               PF_FINASSETS, PF_FUNERAL, PF_MEMBERSHIPS, N_PF };
/* The section of each person-keyed row set. */
extern const int snap_pf_sec[N_PF];

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
    /* Months (date.h numbers) of the first and last accepted social-
     * insurance row, SNAP_NO_MONTH when there is none; bit i of
     * si_months (byte i / 8, bit i % 8) is set when month si_last_month - i
     * has an accepted row (i < SNAP_SI_MONTHS).  A check reads from them
     * whether its income window is covered (snapshot.h snap_si_uncovered). */
    int32_t si_first_month, si_last_month;
    uint8_t si_months[SNAP_SI_MONTHS / 8];
    char policy_pack[64];      /* the rules language's policy: its name ("reference") */
    char policy_compiled[24];  /* its compiled hash (lang.h policy_hash), hex; "" if none */
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

struct sp_finasset {           /* financial_assets.csv: every accepted row, whatever its date */
    int64_t balance_fen;
    uint32_t institution, account_no;   /* strings, trimmed as the normaliser left them */
    int32_t balance_date;
    uint32_t line;
    uint8_t asset_type, pad[7];
};

struct sp_funeral {            /* funeral.csv: every accepted row, whatever its date */
    uint32_t name;
    int32_t event_date;
    uint32_t line;
    uint8_t kind, pad[3];
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

_Static_assert(sizeof(struct snap_header) <= SNAP_HEADER_BYTES, "header fits its page");
_Static_assert(sizeof(struct sp_person) == 48, "format: sp_person");
_Static_assert(sizeof(struct sp_hukou) == 28, "format: sp_hukou");
_Static_assert(sizeof(struct sp_vehicle) == 24, "format: sp_vehicle");
_Static_assert(sizeof(struct sp_property) == 32, "format: sp_property");
_Static_assert(sizeof(struct sp_si) == 24, "format: sp_si");
_Static_assert(sizeof(struct sp_business) == 24, "format: sp_business");
_Static_assert(sizeof(struct sp_pubserv) == 12, "format: sp_pubserv");
_Static_assert(sizeof(struct sp_staffrel) == 12, "format: sp_staffrel");
_Static_assert(sizeof(struct sp_finasset) == 32, "format: sp_finasset");
_Static_assert(sizeof(struct sp_funeral) == 16, "format: sp_funeral");
_Static_assert(sizeof(struct sp_household) == 8, "format: sp_household");
_Static_assert(sizeof(struct sp_standard) == 32, "format: sp_standard");
_Static_assert(sizeof(struct sp_holiday) == 8, "format: sp_holiday");
_Static_assert(sizeof(struct sp_input) == 136, "format: sp_input");

/* Person keys: the murmur3 finaliser (fixed by the format). */
static inline uint64_t snap_key_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb3f99fa3dc53ULL;
    k ^= k >> 33;
    return k;
}

/* hukou_no and household_id (fixed by the format). */
static inline uint64_t snap_str_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

/* ---------- the checked readers (snapshot.c), for the files of snapshot/ ---------- */

/* E_PARSE: "snapshot PATH is damaged (WHY); it was not used: build it again". */
int snap_damaged(const struct snap *s, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Rows [first, first+n) of a section, verified; NULL with e set on error. */
const void *snap_rows(struct snap *s, int sec, uint64_t first, uint64_t n, struct err *e);
/* A string of the pool, verified and NUL-terminated; NULL on error. */
const char *snap_str(struct snap *s, uint32_t off, struct err *e);
/* The sp_input rows (SNAP_INPUTS of them), verified. */
int snap_input_rows(struct snap *s, const struct sp_input **in, struct err *e);
/* Person row of an ID key, or SNAP_NONE in *out. */
int snap_find_person(struct snap *s, uint64_t key, uint32_t *out, struct err *e);
/* First SEC_HUKOU row of the group of hukou_no `no` (pool offset no_off),
 * or SNAP_NONE in *out. */
int snap_find_hukou_group(struct snap *s, const char *no, uint32_t no_off, uint32_t *out,
                          struct err *e);
/* The rows of person-keyed set f of person pi: [*first, *first + *n). */
int snap_person_range(struct snap *s, uint32_t pi, int f, uint32_t *first, uint32_t *n,
                      struct err *e);

#endif
