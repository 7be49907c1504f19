/* catalogue.h - the rule catalogue: one row per rule of the data contract.
 *
 * Everything about a rule except its logic is in the one table below:
 * its id (a promise to the auditors: never rename), its kind, what a flag
 * of it is about (which decides its key columns), the optional feed it
 * needs, the contract's reference severity and the label caseworkers read.
 * rule_names[] and rule_kinds[] are columns of this table; the skip notes
 * of a run and of a check (rule_skip_notes), the rules language's checker
 * and the manifest read it.
 *
 * Adding a rule: one X(...) row here, its logic (and the severity it is
 * judged with) in a .policy file (rules/reference.policy or a pack).
 */
#ifndef ENGINE_CATALOGUE_H
#define ENGINE_CATALOGUE_H

#include "contract/model.h"

enum severity { SEV_HIGH, SEV_MEDIUM, SEV_LOW, N_SEV, SEV_OFF = N_SEV };
enum rule_kind { KIND_CUOBAO, KIND_LOUBAO, KIND_QUALITY, KIND_PROCESS };

/* What a flag of the rule is about; the contract's key table follows from it:
 *   SCOPE_PERSON     a registry member: the household, the member's own
 *                    hukou_no, the member's id_no;
 *   SCOPE_HOUSEHOLD  a non-cancelled registry household: the household,
 *                    the head's hukou_no, no id_no (E11: the undeclared
 *                    person's id_no);
 *   SCOPE_CANDIDATE  a candidate (L01): no household, the candidate's
 *                    hukou_no and id_no;
 *   SCOPE_CANCELLED  a cancelled registry household (L02), keyed like
 *                    SCOPE_HOUSEHOLD. */
enum rule_scope { SCOPE_PERSON, SCOPE_HOUSEHOLD, SCOPE_CANDIDATE, SCOPE_CANCELLED };

#define RULE_NO_FEED (-1)

/* X(id, name, kind, scope, optional feed or RULE_NO_FEED, reference severity, label)
 * in the order of enum rule_id (the order of the manifest's counts). */
#define RULE_CATALOGUE(X)                                                                   \
    X(E01, "E01_DECEASED", KIND_CUOBAO, SCOPE_PERSON, RULE_NO_FEED, SEV_HIGH,              \
      "成员已死亡")                                                                         \
    X(E02, "E02_MOVED_OUT", KIND_CUOBAO, SCOPE_PERSON, RULE_NO_FEED, SEV_MEDIUM,           \
      "户籍已迁出或登记在外县")                                                             \
    X(E03, "E03_VEHICLE", KIND_CUOBAO, SCOPE_PERSON, RULE_NO_FEED, SEV_HIGH,               \
      "名下有机动车")                                                                       \
    X(E04, "E04_MULTI_HOUSING", KIND_CUOBAO, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_HIGH,      \
      "拥有多套住房")                                                                       \
    X(E05, "E05_COMMERCIAL_PROPERTY", KIND_CUOBAO, SCOPE_PERSON, RULE_NO_FEED, SEV_HIGH,   \
      "拥有商业、办公或工业用房")                                                           \
    X(E06, "E06_HOUSING_AREA", KIND_CUOBAO, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_MEDIUM,     \
      "人均住房面积超标")                                                                   \
    X(E07, "E07_BUSINESS", KIND_CUOBAO, SCOPE_PERSON, IN_BUSINESS, SEV_HIGH,               \
      "担任企业法定代表人或股东")                                                           \
    X(E08, "E08_PUBLIC_SERVANT", KIND_CUOBAO, SCOPE_PERSON, IN_PUBSERV, SEV_HIGH,          \
      "财政供养人员")                                                                       \
    X(E09, "E09_INCOME", KIND_CUOBAO, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_HIGH,             \
      "人均收入高于标准")                                                                   \
    X(E10, "E10_DUPLICATE", KIND_CUOBAO, SCOPE_PERSON, RULE_NO_FEED, SEV_HIGH,             \
      "同一人在多个救助户中")                                                               \
    X(E11, "E11_UNDECLARED_SPOUSE", KIND_CUOBAO, SCOPE_HOUSEHOLD, RULE_NO_FEED,            \
      SEV_MEDIUM, "配偶或未成年子女未申报")                                                 \
    X(E12, "E12_STAFF_RELATIVE", KIND_CUOBAO, SCOPE_PERSON, IN_STAFFREL, SEV_LOW,          \
      "经办人员近亲属")                                                                     \
    X(E13, "E13_FINANCIAL_ASSETS", KIND_CUOBAO, SCOPE_HOUSEHOLD, IN_FINASSETS, SEV_HIGH,   \
      "家庭金融资产超过标准")                                                               \
    X(E14, "E14_FUNERAL_RECORD", KIND_CUOBAO, SCOPE_PERSON, IN_FUNERAL, SEV_HIGH,          \
      "成员有火化或安葬记录")                                                               \
    X(E15, "E15_RECENT_HOUSING", KIND_CUOBAO, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_HIGH,     \
      "申请前三年内购置住房")                                                               \
    X(L01, "L01_CANDIDATE_ELIGIBLE", KIND_LOUBAO, SCOPE_CANDIDATE, IN_CANDIDATES,          \
      SEV_HIGH, "疑似漏保")                                                                 \
    X(L02, "L02_CANCELLED_ELIGIBLE", KIND_LOUBAO, SCOPE_CANCELLED, RULE_NO_FEED,           \
      SEV_MEDIUM, "注销户可能仍符合条件")                                                   \
    X(P01, "P01_OVERDUE", KIND_PROCESS, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_LOW,            \
      "审批超过时限")                                                                       \
    X(Q01, "Q01_INVALID_ID", KIND_QUALITY, SCOPE_PERSON, RULE_NO_FEED, SEV_MEDIUM,         \
      "身份证号码无效")                                                                     \
    X(Q02, "Q02_NOT_IN_HUKOU", KIND_QUALITY, SCOPE_PERSON, RULE_NO_FEED, SEV_MEDIUM,       \
      "户籍中查无此人")                                                                     \
    X(Q03, "Q03_NAME_MISMATCH", KIND_QUALITY, SCOPE_PERSON, RULE_NO_FEED, SEV_LOW,         \
      "姓名与户籍不一致")                                                                   \
    X(Q04, "Q04_NO_STANDARD", KIND_QUALITY, SCOPE_HOUSEHOLD, RULE_NO_FEED, SEV_MEDIUM,     \
      "区划无适用的低保标准")                                                               \
    X(Q05, "Q05_MEMBER_ROW", KIND_QUALITY, SCOPE_PERSON, RULE_NO_FEED, SEV_MEDIUM,         \
      "成员登记信息无法使用")

enum rule_id {
#define RULE_ENUM(id, name, kind, scope, feed, sev, zh) R_##id,
    RULE_CATALOGUE(RULE_ENUM)
#undef RULE_ENUM
    N_RULES
};

struct rule_def {
    const char *name;          /* "E01_DECEASED" */
    enum rule_kind kind;
    enum rule_scope scope;
    int feed;                  /* enum input_file of the optional feed it needs, or RULE_NO_FEED */
    enum severity severity;    /* the contract's reference severity */
    const char *label_zh;      /* for caseworkers (hedui check) */
};

extern const struct rule_def rule_catalogue[N_RULES];
extern const char *const rule_names[N_RULES];       /* rule_catalogue[r].name */
extern const enum rule_kind rule_kinds[N_RULES];    /* rule_catalogue[r].kind */
extern const char *const kind_names[4];             /* "cuobao", ... */
extern const char *const severity_names[N_SEV];     /* "high", ... */
extern const char *const severity_names_zh[N_SEV];  /* "高", "中", "低" */

/* The Chinese label of rule r ("成员已死亡"). */
const char *rule_label_zh(int rule);

/* Notes on the rules that are not judged because the optional feed they
 * need is missing, for the manifest's rules_skipped and the check's
 * warnings: "E07_BUSINESS: business.csv absent". */
#define SKIP_NOTE_MAX 160
struct skip_notes {
    char text[N_RULES][SKIP_NOTE_MAX];
    const char *list[N_RULES + 1];   /* the notes, NULL-terminated (points into text) */
    int n;
};

/* One note per rule (catalogue order) whose feed f has a reason why[f]
 * ("absent"); why[f] NULL means the feed is used, or its rules are not
 * the caller's business.  Never fails. */
void rule_skip_notes(struct skip_notes *s, const char *const why[N_INPUT]);

#endif
