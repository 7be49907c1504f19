/* schema.c - what a rule can read: the row kinds, their columns and types.
 *
 * Owns: the column names of the rules language (the data contract's own
 * column names) and where each value lives in contract/model.h's row
 * structs.  A column the contract has but the engine does not keep (a
 * social-insurance row's employer) is not here, and the checker says so.
 * Never: reads data.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "contract/model.h"
#include "policy/ir.h"

const struct enum_def enum_defs[N_ENUMS] = {
    {"program", program_names, N_PROG},
    {"area_type", area_names, N_AREA},
    {"household_status", hh_status_names, N_HS},
    {"relation", relation_names, N_REL},
    {"work_ability", work_ability_names, N_WA},
    {"hukou_status", hk_status_names, N_HK},
    {"vehicle_class", vclass_names, N_VC},
    {"vehicle_use", vuse_names, N_VU},
    {"vehicle_status", vstatus_names, N_VS},
    {"usage", usage_names, N_US},
    {"property_status", pstatus_names, N_PS},
    {"si_kind", si_kind_names, N_SI},
    {"business_role", brole_names, N_BR},
    {"business_status", bstatus_names, N_BS},
    {"asset_type", asset_type_names, N_AT},
    {"funeral_kind", funeral_kind_names, N_FK},
};

const char *const row_kind_names[N_ROWKINDS] = {
    "household", "member", "hukou row", "candidate", "hukou household", "vehicles",
    "property", "social_insurance", "business", "public_servants", "staff_relatives",
    "standard", "financial_assets", "funeral"};

const char *const feed_names[N_FEEDS] = {"vehicles", "property", "social_insurance",
                                         "business", "public_servants", "staff_relatives",
                                         "financial_assets", "funeral"};

#define T(b_, e_, eb_) {(uint8_t)(b_), (uint8_t)(e_), (uint8_t)(eb_)}
#define TXT(n, s, f) {n, T(TY_TEXT, 0, 0), CK_TEXT, 0, offsetof(s, f), 1, 0}
#define ENM(n, s, f, en) {n, T(TY_ENUM, en, 0), CK_INT, 0, offsetof(s, f), 1, 0}
#define CNT(n, s, f) {n, T(TY_COUNT, 0, 0), CK_INT, 0, offsetof(s, f), 1, 0}
#define DAT(n, s, f, opt) {n, T(TY_DATE, 0, 0), CK_DATE, 0, offsetof(s, f), 1, opt}
#define LINE(s) {"line", T(TY_COUNT, 0, 0), CK_LINE, 0, offsetof(s, line), 1, 0}
#define SCL(n, ty, s, f, den) {n, T(ty, 0, 0), CK_SCALED, 0, offsetof(s, f), den, 0}
#define BLT(n, t, which, opt) {n, t, CK_BUILTIN, which, 0, 1, opt}
#define FEED(n, rk, f) {n, T(TY_SET, rk, TY_ROW), CK_FEED, f, 0, 1, 0}
#define PERSON_FEEDS                                                             \
    FEED("vehicles", RK_VEHICLE, F_VEHICLES), FEED("property", RK_PROPERTY, F_PROPERTY), \
    FEED("social_insurance", RK_SI, F_SI), FEED("business", RK_BUSINESS, F_BUSINESS),   \
    FEED("public_servants", RK_PUBSERV, F_PUBSERV),                                    \
    FEED("staff_relatives", RK_STAFFREL, F_STAFFREL),                                  \
    FEED("financial_assets", RK_FINASSET, F_FINASSETS), FEED("funeral", RK_FUNERAL, F_FUNERAL), \
    BLT("households", T(TY_SET, RK_HOUSEHOLD, TY_ROW), B_HOUSEHOLDS, 0),               \
    BLT("valid", T(TY_BOOL, 0, 0), B_VALID, 0)
#define END {NULL, T(0, 0, 0), 0, 0, 0, 0, 0}

static const struct col household_cols[] = {
    TXT("household_id", struct household, id),
    TXT("region_code", struct household, region),
    ENM("program", struct household, program, EN_PROGRAM),
    ENM("area_type", struct household, area, EN_AREA),
    ENM("status", struct household, status, EN_HHSTATUS),
    DAT("applied_on", struct household, applied_on, 0),
    DAT("approved_on", struct household, approved_on, 1),
    SCL("monthly_benefit", TY_MONEY, struct household, benefit_fen, 100),
    TXT("caseworker_id", struct household, caseworker),
    LINE(struct household),
    BLT("members", T(TY_SET, RK_MEMBER, TY_ROW), B_MEMBERS, 0),
    BLT("counted", T(TY_SET, RK_MEMBER, TY_ROW), B_COUNTED_SET, 0),
    BLT("size", T(TY_COUNT, 0, 0), B_SIZE, 0),
    BLT("head", T(TY_ROW, RK_MEMBER, 0), B_HEAD, 1),
    BLT("standard", T(TY_ROW, RK_STANDARD, 0), B_STANDARD, 1),
    END};

static const struct col member_cols[] = {
    TXT("id_no", struct member, id),
    TXT("name", struct member, name),
    ENM("relation", struct member, relation, EN_RELATION),
    SCL("declared_monthly_income", TY_MONEY, struct member, declared_fen, 100),
    ENM("work_ability", struct member, work_ability, EN_WORK),
    CNT("disability_grade", struct member, disability_grade),
    LINE(struct member),
    BLT("id_status", T(TY_TEXT, 0, 0), B_ID_STATUS, 0),
    {"unusable", T(TY_TEXT, 0, 0), CK_TEXT, 0, offsetof(struct member, bad_text), 1, 1},
    BLT("counted", T(TY_BOOL, 0, 0), B_COUNTED, 0),
    BLT("household", T(TY_ROW, RK_HOUSEHOLD, 0), B_HOUSEHOLD, 0),
    BLT("hukou", T(TY_ROW, RK_HUKOU, 0), B_HUKOU, 1),
    PERSON_FEEDS,
    END};

static const struct col hukou_cols[] = {
    TXT("id_no", struct hukou, id),
    TXT("name", struct hukou, name),
    TXT("hukou_no", struct hukou, hukou_no),
    ENM("relation_to_head", struct hukou, relation, EN_RELATION),
    TXT("region_code", struct hukou, region),
    ENM("status", struct hukou, status, EN_HKSTATUS),
    DAT("status_date", struct hukou, status_date, 1),
    LINE(struct hukou),
    BLT("birth_date", T(TY_DATE, 0, 0), B_BIRTH, 0),
    BLT("hukou_household", T(TY_ROW, RK_GROUP, 0), B_HUKOU_HOUSEHOLD, 0),
    PERSON_FEEDS,
    END};

static const struct col candidate_cols[] = {
    TXT("id_no", struct candidate, id),
    TXT("source", struct candidate, source),
    TXT("region_code", struct candidate, region),
    ENM("area_type", struct candidate, area, EN_AREA),
    LINE(struct candidate),
    BLT("hukou", T(TY_ROW, RK_HUKOU, 0), B_HUKOU, 1),
    BLT("standard", T(TY_ROW, RK_STANDARD, 0), B_STANDARD, 1),
    PERSON_FEEDS,
    END};

static const struct col group_cols[] = {
    BLT("persons", T(TY_SET, RK_HUKOU, TY_ROW), B_PERSONS, 0),
    BLT("counted", T(TY_SET, RK_HUKOU, TY_ROW), B_COUNTED_SET, 0),
    BLT("size", T(TY_COUNT, 0, 0), B_SIZE, 0),
    END};

static const struct col vehicle_cols[] = {
    TXT("plate_no", struct vehicle, plate),
    ENM("vehicle_class", struct vehicle, vclass, EN_VCLASS),
    ENM("use", struct vehicle, use, EN_VUSE),
    DAT("registered_on", struct vehicle, registered_on, 1),
    SCL("value_yuan", TY_MONEY, struct vehicle, value_fen, 100),
    ENM("status", struct vehicle, status, EN_VSTATUS),
    LINE(struct vehicle),
    END};

static const struct col property_cols[] = {
    TXT("property_id", struct property, property_id),
    ENM("usage", struct property, usage, EN_USAGE),
    SCL("area_m2", TY_AREA, struct property, area_h, 100),
    SCL("share", TY_RATIO, struct property, share_nano, 1000000000),
    DAT("registered_on", struct property, registered_on, 1),
    ENM("status", struct property, status, EN_PSTATUS),
    LINE(struct property),
    END};

static const struct col si_cols[] = {
    {"period", T(TY_MONTH, 0, 0), CK_MONTH, 0, offsetof(struct si_row, month), 1, 0},
    ENM("kind", struct si_row, kind, EN_SIKIND),
    SCL("amount", TY_MONEY, struct si_row, amount_fen, 100),
    LINE(struct si_row),
    END};

static const struct col business_cols[] = {
    TXT("entity_name", struct business, entity),
    ENM("role", struct business, role, EN_BROLE),
    SCL("registered_capital_yuan", TY_MONEY, struct business, capital_fen, 100),
    ENM("status", struct business, status, EN_BSTATUS),
    LINE(struct business),
    END};

static const struct col pubserv_cols[] = {
    TXT("employer", struct pubservant, employer),
    DAT("since", struct pubservant, since, 1),
    LINE(struct pubservant),
    END};

static const struct col staffrel_cols[] = {
    TXT("caseworker_id", struct staffrel, caseworker),
    TXT("relation", struct staffrel, relation),
    LINE(struct staffrel),
    END};

static const struct col standard_cols[] = {
    SCL("monthly_yuan", TY_MONEY, struct standard, monthly_fen, 100),
    TXT("region_prefix", struct standard, prefix),
    ENM("area_type", struct standard, area, EN_AREA),
    DAT("effective_from", struct standard, effective_from, 0),
    LINE(struct standard),
    END};

static const struct col finasset_cols[] = {
    TXT("institution", struct finasset, institution),
    TXT("account_no", struct finasset, account_no),
    ENM("asset_type", struct finasset, asset_type, EN_ASSET),
    SCL("balance_yuan", TY_MONEY, struct finasset, balance_fen, 100),
    DAT("balance_date", struct finasset, balance_date, 0),
    LINE(struct finasset),
    END};

static const struct col funeral_cols[] = {
    TXT("name", struct funeral, name),
    DAT("event_date", struct funeral, event_date, 0),
    ENM("kind", struct funeral, kind, EN_FUNERAL),
    LINE(struct funeral),
    END};

static const struct col *const all_cols[N_ROWKINDS] = {
    household_cols, member_cols, hukou_cols, candidate_cols, group_cols, vehicle_cols,
    property_cols, si_cols, business_cols, pubserv_cols, staffrel_cols, standard_cols,
    finasset_cols, funeral_cols};

const struct col *schema_cols(int row_kind)
{
    return row_kind >= 0 && row_kind < N_ROWKINDS ? all_cols[row_kind] : NULL;
}

const struct col *schema_col(int row_kind, const char *name, size_t len)
{
    const struct col *c = schema_cols(row_kind);
    for (; c && c->name; c++)
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

int schema_key_off(int row_kind)
{
    switch (row_kind) {
    case RK_MEMBER: return (int)offsetof(struct member, key);
    case RK_HUKOU: return (int)offsetof(struct hukou, key);
    case RK_CANDIDATE: return (int)offsetof(struct candidate, key);
    }
    return -1;
}

int schema_id_off(int row_kind)
{
    switch (row_kind) {
    case RK_MEMBER: return (int)offsetof(struct member, id);
    case RK_HUKOU: return (int)offsetof(struct hukou, id);
    case RK_CANDIDATE: return (int)offsetof(struct candidate, id);
    }
    return -1;
}

const char *ty_name(struct ty t, char *buf, size_t n)
{
    switch (t.b) {
    case TY_ERR: return "an erroneous value";
    case TY_BOOL: return "a condition (true/false)";
    case TY_NUM: return "a number";
    case TY_COUNT: return "count";
    case TY_RATIO: return "ratio";
    case TY_MONEY: return "money";
    case TY_AREA: return "area";
    case TY_DATE: return "date";
    case TY_MONTH: return "month";
    case TY_TEXT: return "text";
    case TY_ENUM: snprintf(buf, n, "%s", enum_defs[t.e].type_name); return buf;
    case TY_ENUMSET: snprintf(buf, n, "set of %s", enum_defs[t.e].type_name); return buf;
    case TY_ROW: snprintf(buf, n, "a %s", row_kind_names[t.e]); return buf;
    case TY_SET:
        if (t.eb == TY_MONTH)
            return "a set of months";
        snprintf(buf, n, "a set of %s", row_kind_names[t.e]);
        return buf;
    case TY_LIST: {
        char in[48];
        struct ty el = {t.eb, t.e, 0};
        snprintf(buf, n, "a list of %s", ty_name(el, in, sizeof in));
        return buf;
    }
    }
    return "?";
}
