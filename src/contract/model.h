/* model.h - the run's data: enums of the contract, typed rows, the dataset,
 * and the declaration of every input file (feed_decls).
 *
 * Every enum below mirrors a value set of doc/data-contract.md;
 * the *_names tables (model.c) hold the exact spellings the feeds use.
 * Rows are plain structs in growable arrays owned by struct dataset;
 * strings point into the run arena and live until dataset_free().
 * An input file is a declaration (file name, columns with their types,
 * where each value goes in the typed row, the person key): normalise.c
 * reads a declared feed without code of its own, join.c indexes it by
 * person, and its column list is the one list of the contract's columns.
 */
#ifndef ENGINE_MODEL_H
#define ENGINE_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"

#define DATE_NONE (-2147483647 - 1)   /* an empty optional date (== DATE_INVALID) */

enum program { PROG_DIBAO, PROG_TEKUN, PROG_DISHOURU, N_PROG };
enum area_type { AREA_URBAN, AREA_RURAL, N_AREA };
enum hh_status { HS_ACTIVE, HS_SUSPENDED, HS_CANCELLED, HS_APPLYING, N_HS };
enum relation { REL_HEAD, REL_SPOUSE, REL_CHILD, REL_PARENT, REL_SIBLING,
                REL_GRANDCHILD, REL_OTHER, N_REL };
enum work_ability { WA_FULL, WA_PARTIAL, WA_NONE, N_WA };
enum hk_status { HK_NORMAL, HK_DECEASED, HK_MOVED_OUT, HK_CANCELLED, N_HK };
enum vclass { VC_CAR, VC_TRUCK, VC_BUS, VC_MOTORCYCLE, VC_TRICYCLE,
              VC_DISABLED_MOBILITY, VC_LOW_SPEED, N_VC };
enum vuse { VU_PRIVATE, VU_COMMERCIAL, N_VU };
enum vstatus { VS_VALID, VS_SCRAPPED, VS_TRANSFERRED, N_VS };
enum usage { US_RESIDENTIAL, US_COMMERCIAL, US_OFFICE, US_INDUSTRIAL,
             US_PARKING, US_OTHER, N_US };
enum pstatus { PS_HELD, PS_SOLD, N_PS };
enum si_kind { SI_EMPLOYMENT, SI_EMPLOYEE_PENSION_CONTRIB, SI_RESIDENT_PENSION_CONTRIB,
               SI_PENSION_BENEFIT, SI_UNEMPLOYMENT_BENEFIT, N_SI };
enum brole { BR_LEGAL_REP, BR_SHAREHOLDER, BR_SOLE_PROPRIETOR, N_BR };
enum bstatus { BS_ACTIVE, BS_REVOKED, BS_CANCELLED, N_BS };
enum hol_kind { HOL_HOLIDAY, HOL_WORKDAY, N_HOL };
enum asset_type { AT_DEPOSIT, AT_WEALTH, AT_SECURITIES, AT_FUND, AT_INSURANCE, AT_OTHER, N_AT };
enum funeral_kind { FK_CREMATION, FK_BURIAL, N_FK };

extern const char *const program_names[N_PROG];
extern const char *const area_names[N_AREA];
extern const char *const hh_status_names[N_HS];
extern const char *const relation_names[N_REL];
extern const char *const work_ability_names[N_WA];
extern const char *const hk_status_names[N_HK];
extern const char *const vclass_names[N_VC];
extern const char *const vuse_names[N_VU];
extern const char *const vstatus_names[N_VS];
extern const char *const usage_names[N_US];
extern const char *const pstatus_names[N_PS];
extern const char *const si_kind_names[N_SI];
extern const char *const brole_names[N_BR];
extern const char *const bstatus_names[N_BS];
extern const char *const hol_kind_names[N_HOL];
extern const char *const asset_type_names[N_AT];
extern const char *const funeral_kind_names[N_FK];

/* Index of s[0..len) in names[0..n), or -1. Exact, case-sensitive. */
int enum_lookup(const char *const *names, int n, const char *s, size_t len);

/* ---------- typed rows ---------- */

struct household {
    const char *id;
    const char *region;       /* 12 digits */
    int program, area, status;
    int applied_on, approved_on;  /* day numbers; approved_on may be DATE_NONE */
    int64_t benefit_fen;
    const char *caseworker;   /* may be "" */
    long long line;
    uint32_t first_member, n_members;  /* range in dataset.members (sorted by household) */
};

/* Member columns whose value could not be used (the row is flagged): the row
 * is kept with the contract's replacement value (0, `other`, `none`, 0). */
enum { MB_RELATION = 1, MB_INCOME = 2, MB_WORK_ABILITY = 4, MB_GRADE = 8 };

struct member {             /* fields ordered to leave no padding: 72 bytes, not 88 */
    uint32_t hh;              /* index into dataset.households */
    int id_status;            /* enum id_status */
    uint64_t key;             /* normalised ID key, 0 when invalid */
    const char *id;           /* normalised 18 chars when valid, else as given, trimmed */
    const char *name;
    int relation, work_ability, disability_grade;
    unsigned bad_cols;        /* MB_* bits, 0 for a clean row */
    int64_t declared_fen;
    long long line;
    const char *bad_text;     /* NULL, or the bad columns with their values and what
                                 was kept: "relation 'husband': not in its set, taken
                                 as other; ..." */
};

struct hukou {
    uint64_t key;
    const char *id;           /* normalised */
    const char *name, *hukou_no, *region;
    int relation, status, status_date;   /* status_date may be DATE_NONE */
    long long line;
    uint64_t no_code;         /* hukou_no_code(hukou_no) */
};

/* A hukou_no of 1 to 18 digits as one integer, distinct for distinct
 * strings ("012" and "12" too: each length has its own range), never 0;
 * 0 for any other string, which is then compared as text.  Set when the
 * row is made, so grouping and comparing households (join.c, hukou households)
 * reads no string. */
uint64_t hukou_no_code(const char *s);

/* Same hukou_no? */
static inline int hukou_same_no(const struct hukou *a, const struct hukou *b)
{
    if (a->no_code || b->no_code)
        return a->no_code == b->no_code;
    return strcmp(a->hukou_no, b->hukou_no) == 0;
}

struct vehicle {
    uint64_t key;
    const char *plate;
    int vclass, use, status, registered_on;
    int64_t value_fen;
    long long line;
};

struct property {
    uint64_t key;
    const char *property_id;
    int usage, status, registered_on;
    int64_t area_h;           /* hundredths of a square metre */
    int64_t share_nano;       /* billionths, 0 < share <= SHARE_ONE */
    long long line;
};

struct si_row {
    uint64_t key;
    int month, kind;
    int64_t amount_fen;
    long long line;
};

struct business {
    uint64_t key;
    const char *entity;
    int role, status;
    int64_t capital_fen;
    long long line;
};

struct pubservant {
    uint64_t key;
    const char *employer;
    int since;
    long long line;
};

struct staffrel {
    const char *caseworker;
    uint64_t key;
    const char *relation;
    long long line;
};

struct candidate {
    uint64_t key;
    const char *id;
    const char *source, *region;
    int area;
    long long line;
};

struct standard {
    const char *prefix;
    int prefix_len;           /* 6, 9 or 12 */
    int area, effective_from;
    int64_t monthly_fen;
    long long line;
};

struct holiday {
    int date, kind;
};

/* financial_assets.csv: one account's balance on one date.  An account is
 * (key, institution, account_no), both texts trimmed. */
struct finasset {
    uint64_t key;
    const char *institution, *account_no;
    int asset_type, balance_date;
    int64_t balance_fen;
    long long line;
};

/* funeral.csv: a cremation or burial record. */
struct funeral {
    uint64_t key;
    const char *name;
    int event_date, kind;
    long long line;
};

/* ---------- growable arrays ---------- */

struct vec {
    void *v;
    size_t n, cap;
    int borrowed;   /* v points into another array: never grown or freed */
};
/* Append one zeroed element of `size` bytes; NULL when out of memory (or
 * when a borrowed vec is full). */
void *vec_push(struct vec *v, size_t size);
void vec_free(struct vec *v);
/* Sort v's elements of `size` bytes stably by the key at key_off (64 bits
 * if wide, else 32; base/sort.h).  An array of v's own may be replaced by
 * the sort's copy (v->v and v->cap change, nothing is copied back); a
 * borrowed one is sorted where it lies. */
int vec_sort(struct vec *v, size_t size, size_t key_off, int wide, struct err *e);
#define VEC_AT(vec, type, i) (((type *)(vec).v)[i])

/* ---------- rejects ---------- */

struct reject {
    long long line;
    const char *reason;       /* in the run arena */
};

/* qsort order of a file's rejects: by line, then reason. */
int reject_cmp(const void *a, const void *b);

/* One per input file. */
struct filestat {
    const char *name;         /* base name, e.g. "members.csv" */
    char path[512];           /* as opened */
    int present;
    int from_rules;           /* shipped copy from the rules directory */
    long long bytes;
    char checksum[33];        /* XXH3-128 of the raw bytes, hex */
    const char *encoding;     /* "utf-8" or "gb18030" */
    int had_bom;
    long long data_rows;      /* records after the header */
    long long accepted;
    long long dropped_dupes;  /* identical/superseded rows merged by a documented rule */
    struct vec rejects;       /* struct reject */
    unsigned id_flags_seen[4];/* counts of ID normalisations: space, fullwidth, lower x, 15->18 */
};

/* ---------- the dataset ---------- */

enum input_file {
    IN_HOUSEHOLDS, IN_MEMBERS, IN_HUKOU, IN_VEHICLES, IN_PROPERTY, IN_SI,
    IN_BUSINESS, IN_PUBSERV, IN_STAFFREL, IN_CANDIDATES, IN_STANDARDS, IN_HOLIDAYS,
    IN_FINASSETS, IN_FUNERAL,
    N_INPUT
};
extern const char *const input_file_names[N_INPUT];
/* The enum input_file of "households.csv", or -1. */
int input_file_index(const char *name);

/* Every file hedui writes into an output directory, spelt once in model.c
 * (the contract's names: never rename).  out/outdir.c publishes, replaces
 * or removes only these there; rejects-stopped.csv is placed on its own
 * when the reject limit stops a run, never published with a run. */
enum output_file {
    OF_FLAGS, OF_QUEUE, OF_SPOT, OF_REJECTS, OF_MANIFEST, OF_CHANGES, OF_REPORT,
    OF_FINGERPRINTS, OF_REJECTS_STOPPED,
    N_OUTPUT
};
extern const char *const output_file_names[N_OUTPUT];

/* Whether a run needs an input: the six required files; an optional feed
 * (absent: the rules needing it are skipped, catalogue.h); a policy table
 * (standards, holidays) that falls back to the rules directory's copy. */
enum input_need { IN_REQUIRED, IN_OPTIONAL_FEED, IN_POLICY_TABLE };

/* ---------- input declarations ---------- */

/* How a column's text is checked and what it becomes (normalise.c).  A
 * value that fails rejects its row, naming the column, unless the column
 * is COL_OPT and the value empty. */
enum col_type {
    COL_ID,        /* a person's id_no, normalised (idcard.h): uint64_t key at off,
                      the 18-character text at off2 (if >= 0); invalid: reject */
    COL_TEXT,      /* const char *: required (not empty) unless COL_OPT */
    COL_SKIP,      /* must be in the header; its value is not kept */
    COL_ENUM,      /* int: index in set[0..n_set), exact match */
    COL_DATE,      /* int day number, YYYY-MM-DD (COL_OPT: empty is DATE_NONE) */
    COL_MONTH,     /* int month number, YYYY-MM */
    COL_MONEY,     /* int64_t hundredths (fen, 0.01 m2): >= 0, at most two decimals */
    COL_SHARE,     /* int64_t billionths: 0 < share <= 1 */
    COL_REGION,    /* const char *: 12 digits */
    COL_PREFIX,    /* const char *: 6, 9 or 12 digits */
    COL_GRADE      /* int: one digit 0-4 */
};
/* col_decl.flags: may be empty; trim Unicode white space; few distinct
 * values (a text kept once per loading chunk, not per row: memory only) */
enum { COL_OPT = 1, COL_TRIM = 2, COL_FEW = 4 };

struct col_decl {
    const char *name;              /* the contract's column name: never rename */
    enum col_type type;
    unsigned flags;                /* COL_OPT, COL_TRIM, COL_FEW */
    const char *const *set;        /* COL_ENUM: the value names */
    int n_set;
    int off, off2;                 /* where the value goes in the row; -1: not kept */
};

struct feed_decl {
    const char *file;              /* "vehicles.csv" */
    enum input_need need;
    const struct col_decl *cols;   /* in the contract's order */
    int n_cols;
    size_t row_size;               /* the typed row (struct vehicle, ...) */
    size_t rows_off;               /* its struct vec in struct dataset */
    int line_off;                  /* long long line in the row, or -1 */
    /* 1: normalise.c's declared-row reader types every column as above;
     * 0: the file has a reader of its own for rules across columns or rows
     * (households, members, hukou, social insurance, standards: see
     * normalise.c), and its cols say what it reads */
    int declared;
    /* a feed joined to people: join.c sorts it by person and indexes it;
     * the uint64_t key is at key_off */
    int by_person;
    size_t key_off;
};

/* Every input file, by enum input_file (input_file_names[f] is
 * feed_decls[f].file, spelt once in model.c). */
extern const struct feed_decl feed_decls[N_INPUT];

struct dataset {
    struct arena arena;               /* strings made after loading */
    struct vec arenas;                /* struct arena: strings of loaded rows, one per chunk */
    struct filestat files[N_INPUT];
    struct vec households, members, hukou, vehicles, property, si, business,
               pubservants, staffrels, candidates, standards, holidays, finassets, funerals;
};

void dataset_init(struct dataset *d);
/* The row array of an input file and its row size. */
struct vec *dataset_rows(struct dataset *d, enum input_file f, size_t *row_size);
void dataset_free(struct dataset *d);

/* Add a reject for file f.  Returns E_OK or E_NOMEM (with e set). */
int dataset_reject(struct dataset *d, enum input_file f, long long line,
                   struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
