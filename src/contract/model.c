/* model.c - value sets of the data contract, growable arrays, rejects.
 *
 * Owns: the spelling of every enumerated value, file and column (these are
 * a promise to the departments that feed us: never rename), the
 * declaration of every input file (feed_decls) and the dataset's lifetime.
 */
#include "contract/model.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sort.h"

const char *const program_names[N_PROG] = {"dibao", "tekun", "dishouru"};
const char *const area_names[N_AREA] = {"urban", "rural"};
const char *const hh_status_names[N_HS] = {"active", "suspended", "cancelled", "applying"};
const char *const relation_names[N_REL] = {"head", "spouse", "child", "parent",
                                           "sibling", "grandchild", "other"};
const char *const work_ability_names[N_WA] = {"full", "partial", "none"};
const char *const hk_status_names[N_HK] = {"normal", "deceased", "moved_out", "cancelled"};
const char *const vclass_names[N_VC] = {"car", "truck", "bus", "motorcycle", "tricycle",
                                        "disabled_mobility", "low_speed"};
const char *const vuse_names[N_VU] = {"private", "commercial"};
const char *const vstatus_names[N_VS] = {"valid", "scrapped", "transferred"};
const char *const usage_names[N_US] = {"residential", "commercial", "office",
                                       "industrial", "parking", "other"};
const char *const pstatus_names[N_PS] = {"held", "sold"};
const char *const si_kind_names[N_SI] = {"employment", "employee_pension_contrib",
                                         "resident_pension_contrib", "pension_benefit",
                                         "unemployment_benefit"};
const char *const brole_names[N_BR] = {"legal_rep", "shareholder", "sole_proprietor"};
const char *const bstatus_names[N_BS] = {"active", "revoked", "cancelled"};
const char *const hol_kind_names[N_HOL] = {"holiday", "workday"};

const char *const asset_type_names[N_AT] = {"deposit", "wealth", "securities",
                                            "fund", "insurance", "other"};
const char *const funeral_kind_names[N_FK] = {"cremation", "burial"};

/* ---------- input declarations ---------- */

/* Each file's name is spelt once, here. */
#define F_HOUSEHOLDS "households.csv"
#define F_MEMBERS "members.csv"
#define F_HUKOU "hukou.csv"
#define F_VEHICLES "vehicles.csv"
#define F_PROPERTY "property.csv"
#define F_SI "social_insurance.csv"
#define F_BUSINESS "business.csv"
#define F_PUBSERV "public_servants.csv"
#define F_STAFFREL "staff_relatives.csv"
#define F_CANDIDATES "candidates.csv"
#define F_STANDARDS "standards.csv"
#define F_HOLIDAYS "holidays.csv"
#define F_FINASSETS "financial_assets.csv"
#define F_FUNERAL "funeral.csv"

const char *const input_file_names[N_INPUT] = {
    F_HOUSEHOLDS, F_MEMBERS, F_HUKOU, F_VEHICLES, F_PROPERTY, F_SI, F_BUSINESS, F_PUBSERV,
    F_STAFFREL, F_CANDIDATES, F_STANDARDS, F_HOLIDAYS, F_FINASSETS, F_FUNERAL};

const char *const output_file_names[N_OUTPUT] = {
    [OF_FLAGS] = "flags.csv",
    [OF_QUEUE] = "review_queue.csv",
    [OF_SPOT] = "spotcheck.csv",
    [OF_REJECTS] = "rejects.csv",
    [OF_MANIFEST] = "manifest.json",
    [OF_CHANGES] = "changes.csv",
    [OF_REPORT] = "report.html",
    [OF_FINGERPRINTS] = "fingerprints.csv",
    [OF_REJECTS_STOPPED] = "rejects-stopped.csv",
};

int input_file_index(const char *name)
{
    for (int f = 0; f < N_INPUT; f++)
        if (strcmp(input_file_names[f], name) == 0)
            return f;
    return -1;
}

/* Column helpers: T(row type, field).  NOKEEP: checked, not kept. */
#define AT(type, field) (int)offsetof(type, field)
#define NOKEEP (-1)
#define ID(name, type, key) {name, COL_ID, 0, NULL, 0, AT(type, key), NOKEEP}
#define ID_TEXT(name, type, key, text) {name, COL_ID, 0, NULL, 0, AT(type, key), AT(type, text)}
#define TEXT(name, flags, type, field) {name, COL_TEXT, flags, NULL, 0, AT(type, field), NOKEEP}
#define SKIP(name) {name, COL_SKIP, COL_OPT, NULL, 0, NOKEEP, NOKEEP}
#define ENUM(name, set, n, type, field) {name, COL_ENUM, 0, set, n, AT(type, field), NOKEEP}
#define VAL(name, t, flags, type, field) {name, t, flags, NULL, 0, AT(type, field), NOKEEP}

/* Registry: read by normalise.c's own readers (households: unique ids;
 * members: kept whatever their values, and flagged), in this column order. */
static const struct col_decl c_households[] = {
    TEXT("household_id", 0, struct household, id),
    VAL("region_code", COL_REGION, 0, struct household, region),
    ENUM("program", program_names, N_PROG, struct household, program),
    ENUM("area_type", area_names, N_AREA, struct household, area),
    ENUM("status", hh_status_names, N_HS, struct household, status),
    VAL("applied_on", COL_DATE, 0, struct household, applied_on),
    VAL("approved_on", COL_DATE, COL_OPT, struct household, approved_on),
    VAL("monthly_benefit", COL_MONEY, 0, struct household, benefit_fen),
    TEXT("caseworker_id", COL_OPT, struct household, caseworker)};
static const struct col_decl c_members[] = {
    {"household_id", COL_TEXT, 0, NULL, 0, NOKEEP, NOKEEP},   /* kept as the household's index */
    ID_TEXT("id_no", struct member, key, id),
    TEXT("name", COL_OPT | COL_TRIM, struct member, name),
    ENUM("relation", relation_names, N_REL, struct member, relation),
    VAL("declared_monthly_income", COL_MONEY, 0, struct member, declared_fen),
    ENUM("work_ability", work_ability_names, N_WA, struct member, work_ability),
    VAL("disability_grade", COL_GRADE, 0, struct member, disability_grade)};

/* Feeds with a reader of their own (a status_date required unless the
 * status is normal; months outside the income window not kept; a prefix
 * length). */
static const struct col_decl c_hukou[] = {
    ID_TEXT("id_no", struct hukou, key, id),
    TEXT("name", COL_OPT | COL_TRIM, struct hukou, name),
    TEXT("hukou_no", 0, struct hukou, hukou_no),
    ENUM("relation_to_head", relation_names, N_REL, struct hukou, relation),
    VAL("region_code", COL_REGION, 0, struct hukou, region),
    ENUM("status", hk_status_names, N_HK, struct hukou, status),
    VAL("status_date", COL_DATE, COL_OPT, struct hukou, status_date)};
static const struct col_decl c_si[] = {
    ID("id_no", struct si_row, key),
    VAL("period", COL_MONTH, 0, struct si_row, month),
    ENUM("kind", si_kind_names, N_SI, struct si_row, kind),
    SKIP("employer"),   /* no rule or evidence uses it; the largest text of the largest feed */
    VAL("amount", COL_MONEY, 0, struct si_row, amount_fen)};
static const struct col_decl c_standards[] = {
    VAL("region_prefix", COL_PREFIX, 0, struct standard, prefix),
    ENUM("area_type", area_names, N_AREA, struct standard, area),
    VAL("effective_from", COL_DATE, 0, struct standard, effective_from),
    VAL("monthly_yuan", COL_MONEY, 0, struct standard, monthly_fen)};

/* Declared feeds: normalise.c reads them from these lines alone. */
static const struct col_decl c_vehicles[] = {
    ID("id_no", struct vehicle, key),
    TEXT("plate_no", COL_OPT, struct vehicle, plate),
    ENUM("vehicle_class", vclass_names, N_VC, struct vehicle, vclass),
    ENUM("use", vuse_names, N_VU, struct vehicle, use),
    VAL("registered_on", COL_DATE, COL_OPT, struct vehicle, registered_on),
    VAL("value_yuan", COL_MONEY, 0, struct vehicle, value_fen),
    ENUM("status", vstatus_names, N_VS, struct vehicle, status)};
static const struct col_decl c_property[] = {
    ID("id_no", struct property, key),
    TEXT("property_id", 0, struct property, property_id),
    ENUM("usage", usage_names, N_US, struct property, usage),
    VAL("area_m2", COL_MONEY, 0, struct property, area_h),
    VAL("share", COL_SHARE, 0, struct property, share_nano),
    VAL("registered_on", COL_DATE, COL_OPT, struct property, registered_on),
    ENUM("status", pstatus_names, N_PS, struct property, status)};
static const struct col_decl c_business[] = {
    ID("id_no", struct business, key),
    TEXT("entity_name", COL_OPT, struct business, entity),
    ENUM("role", brole_names, N_BR, struct business, role),
    VAL("registered_capital_yuan", COL_MONEY, 0, struct business, capital_fen),
    ENUM("status", bstatus_names, N_BS, struct business, status)};
static const struct col_decl c_pubserv[] = {
    ID("id_no", struct pubservant, key),
    TEXT("employer", COL_OPT, struct pubservant, employer),
    VAL("since", COL_DATE, COL_OPT, struct pubservant, since)};
static const struct col_decl c_staffrel[] = {
    TEXT("caseworker_id", 0, struct staffrel, caseworker),
    ID("relative_id_no", struct staffrel, key),
    TEXT("relation", COL_OPT, struct staffrel, relation)};
static const struct col_decl c_candidates[] = {
    ID_TEXT("id_no", struct candidate, key, id),
    TEXT("source", COL_OPT, struct candidate, source),
    VAL("region_code", COL_REGION, 0, struct candidate, region),
    ENUM("area_type", area_names, N_AREA, struct candidate, area)};
static const struct col_decl c_holidays[] = {
    VAL("date", COL_DATE, 0, struct holiday, date),
    ENUM("kind", hol_kind_names, N_HOL, struct holiday, kind)};
/* an account is (id_no, institution, account_no) compared after trimming,
 * so both are required and kept trimmed */
static const struct col_decl c_finassets[] = {
    ID("id_no", struct finasset, key),
    TEXT("institution", COL_TRIM | COL_FEW, struct finasset, institution),
    TEXT("account_no", COL_TRIM, struct finasset, account_no),
    ENUM("asset_type", asset_type_names, N_AT, struct finasset, asset_type),
    VAL("balance_yuan", COL_MONEY, 0, struct finasset, balance_fen),
    VAL("balance_date", COL_DATE, 0, struct finasset, balance_date)};
static const struct col_decl c_funeral[] = {
    ID("id_no", struct funeral, key),
    TEXT("name", COL_OPT | COL_TRIM, struct funeral, name),
    VAL("event_date", COL_DATE, 0, struct funeral, event_date),
    ENUM("kind", funeral_kind_names, N_FK, struct funeral, kind)};

#define NCOLS(c) c, (int)(sizeof c / sizeof c[0])
#define ROWS(type, vec) sizeof(type), offsetof(struct dataset, vec)
#define NOKEY 0, 0
#define KEY(type) 1, offsetof(type, key)

const struct feed_decl feed_decls[N_INPUT] = {
    [IN_HOUSEHOLDS] = {F_HOUSEHOLDS, IN_REQUIRED, NCOLS(c_households),
                       ROWS(struct household, households), AT(struct household, line), 0, NOKEY},
    [IN_MEMBERS] = {F_MEMBERS, IN_REQUIRED, NCOLS(c_members), ROWS(struct member, members),
                    AT(struct member, line), 0, NOKEY},
    [IN_HUKOU] = {F_HUKOU, IN_REQUIRED, NCOLS(c_hukou), ROWS(struct hukou, hukou),
                  AT(struct hukou, line), 0, NOKEY},
    [IN_VEHICLES] = {F_VEHICLES, IN_REQUIRED, NCOLS(c_vehicles), ROWS(struct vehicle, vehicles),
                     AT(struct vehicle, line), 1, KEY(struct vehicle)},
    [IN_PROPERTY] = {F_PROPERTY, IN_REQUIRED, NCOLS(c_property), ROWS(struct property, property),
                     AT(struct property, line), 1, KEY(struct property)},
    [IN_SI] = {F_SI, IN_REQUIRED, NCOLS(c_si), ROWS(struct si_row, si), AT(struct si_row, line),
               0, KEY(struct si_row)},
    [IN_BUSINESS] = {F_BUSINESS, IN_OPTIONAL_FEED, NCOLS(c_business),
                     ROWS(struct business, business), AT(struct business, line), 1,
                     KEY(struct business)},
    [IN_PUBSERV] = {F_PUBSERV, IN_OPTIONAL_FEED, NCOLS(c_pubserv),
                    ROWS(struct pubservant, pubservants), AT(struct pubservant, line), 1,
                    KEY(struct pubservant)},
    [IN_STAFFREL] = {F_STAFFREL, IN_OPTIONAL_FEED, NCOLS(c_staffrel),
                     ROWS(struct staffrel, staffrels), AT(struct staffrel, line), 1,
                     KEY(struct staffrel)},
    /* candidates are joined to hukou by merging, not indexed by person */
    [IN_CANDIDATES] = {F_CANDIDATES, IN_OPTIONAL_FEED, NCOLS(c_candidates),
                       ROWS(struct candidate, candidates), AT(struct candidate, line), 1,
                       NOKEY},
    [IN_STANDARDS] = {F_STANDARDS, IN_POLICY_TABLE, NCOLS(c_standards),
                      ROWS(struct standard, standards), AT(struct standard, line), 0, NOKEY},
    [IN_HOLIDAYS] = {F_HOLIDAYS, IN_POLICY_TABLE, NCOLS(c_holidays),
                     ROWS(struct holiday, holidays), -1, 1, NOKEY},
    [IN_FINASSETS] = {F_FINASSETS, IN_OPTIONAL_FEED, NCOLS(c_finassets),
                      ROWS(struct finasset, finassets), AT(struct finasset, line), 1,
                      KEY(struct finasset)},
    [IN_FUNERAL] = {F_FUNERAL, IN_OPTIONAL_FEED, NCOLS(c_funeral),
                    ROWS(struct funeral, funerals), AT(struct funeral, line), 1,
                    KEY(struct funeral)},
};

int enum_lookup(const char *const *names, int n, const char *s, size_t len)
{
    /* the first byte before the strlen: most names are told apart by it
     * (nm[0] is always readable: at worst the NUL) */
    if (len == 0) {
        for (int i = 0; i < n; i++)
            if (names[i][0] == '\0')
                return i;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const char *nm = names[i];
        if (nm[0] == s[0] && strlen(nm) == len && memcmp(nm, s, len) == 0)
            return i;
    }
    return -1;
}

void *vec_push(struct vec *v, size_t size)
{
    if (v->n == v->cap) {
        if (v->borrowed)
            return NULL;
        size_t cap = v->cap ? v->cap * 2 : 64;
        if (cap > SIZE_MAX / size)
            return NULL;
        void *p = realloc(v->v, cap * size);
        if (!p)
            return NULL;
        v->v = p;
        v->cap = cap;
    }
    void *el = (char *)v->v + v->n * size;
    memset(el, 0, size);
    v->n++;
    return el;
}

int vec_sort(struct vec *v, size_t size, size_t key_off, int wide, struct err *e)
{
    if (v->borrowed)
        return wide ? radix_sort_u64(v->v, v->n, size, key_off, e)
                    : radix_sort_u32(v->v, v->n, size, key_off, e);
    void *p = v->v;
    int st = wide ? radix_sort_u64_owned(&p, v->n, size, key_off, e)
                  : radix_sort_u32_owned(&p, v->n, size, key_off, e);
    if (p != v->v) {
        v->v = p;
        v->cap = v->n;
    }
    return st;
}

void vec_free(struct vec *v)
{
    if (!v->borrowed)
        free(v->v);
    v->borrowed = 0;
    v->v = NULL;
    v->n = v->cap = 0;
}

void dataset_init(struct dataset *d)
{
    memset(d, 0, sizeof *d);
    arena_init_growing(&d->arena, (size_t)256 << 10, (size_t)4 << 20);
    for (int i = 0; i < N_INPUT; i++)
        d->files[i].name = input_file_names[i];
}

void dataset_free(struct dataset *d)
{
    for (int i = 0; i < N_INPUT; i++) {
        size_t size;
        vec_free(&d->files[i].rejects);
        vec_free(dataset_rows(d, (enum input_file)i, &size));
    }
    for (size_t i = 0; i < d->arenas.n; i++)
        arena_free(&VEC_AT(d->arenas, struct arena, i));
    vec_free(&d->arenas);
    arena_free(&d->arena);
}

int reject_cmp(const void *a, const void *b)
{
    const struct reject *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->reason, y->reason);
}

uint64_t hukou_no_code(const char *s)
{
    /* digits d of length L -> d + (10^L - 1) / 9: length L fills
     * [R(L), R(L+1)) where R(L) = 11...1 (L ones), below 2^61 for L <= 18 */
    uint64_t v = 0, repunit = 0;
    size_t len = 0;
    for (; s[len]; len++) {
        if (len == 18 || s[len] < '0' || s[len] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[len] - '0');
        repunit = repunit * 10 + 1;
    }
    return len ? v + repunit : 0;
}

struct vec *dataset_rows(struct dataset *d, enum input_file f, size_t *row_size)
{
    if ((unsigned)f >= N_INPUT) {
        *row_size = 0;
        return NULL;
    }
    *row_size = feed_decls[f].row_size;
    return (struct vec *)((char *)d + feed_decls[f].rows_off);
}

int dataset_reject(struct dataset *d, enum input_file f, long long line,
                   struct err *e, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    struct reject *r = vec_push(&d->files[f].rejects, sizeof *r);
    char *reason = arena_strndup(&d->arena, buf, strlen(buf));
    if (!r || !reason)
        return ERR(e, E_NOMEM, "out of memory while recording a reject of %s",
                   input_file_names[f]);
    r->line = line;
    r->reason = reason;
    return E_OK;
}
