/* ir.h - the checked rules: types, the schema of what rules can read, and
 * the typed tree the compiler reads.
 *
 * Owns: the value types of the language and their units, the columns of
 * every row kind (names as in the data contract, with where each lives in
 * contract/model.h's structs), and struct cpolicy (the effective policy
 * after packs are merged, every name resolved, every `define` and `fires`
 * expanded).  Never: evaluates anything.
 */
#ifndef POLICY_IR_H
#define POLICY_IR_H

#include <stddef.h>
#include <stdint.h>

#include "policy/ast.h"

/* ---------- types ---------- */

enum tbase {
    TY_ERR,      /* an error already reported: accepted everywhere */
    TY_BOOL,
    TY_NUM,      /* a number written in the rule: takes the other side's unit */
    TY_COUNT,    /* whole numbers */
    TY_RATIO,    /* exact fraction without unit (share, factor) */
    TY_MONEY,    /* yuan, exact (fen and fractions of fen) */
    TY_AREA,     /* m2, exact */
    TY_DATE,
    TY_MONTH,
    TY_TEXT,
    TY_ENUM,     /* e = enum id */
    TY_ENUMSET,  /* e = enum id: a constant set of its values */
    TY_ROW,      /* e = row kind */
    TY_SET,      /* elements: eb = TY_ROW (e = row kind) or TY_MONTH */
    TY_LIST      /* materialised values (distinct): eb, e of the element */
};

struct ty {
    uint8_t b, e, eb;
};

enum enum_id {
    EN_PROGRAM, EN_AREA, EN_HHSTATUS, EN_RELATION, EN_WORK, EN_HKSTATUS, EN_VCLASS,
    EN_VUSE, EN_VSTATUS, EN_USAGE, EN_PSTATUS, EN_SIKIND, EN_BROLE, EN_BSTATUS, EN_ASSET,
    EN_FUNERAL, N_ENUMS
};

struct enum_def {
    const char *type_name;          /* as written in a policy: "vehicle_class" */
    const char *const *names;       /* model.h's value names */
    int n;
};
extern const struct enum_def enum_defs[N_ENUMS];

enum row_kind {
    RK_HOUSEHOLD, RK_MEMBER, RK_HUKOU, RK_CANDIDATE, RK_GROUP, RK_VEHICLE, RK_PROPERTY,
    RK_SI, RK_BUSINESS, RK_PUBSERV, RK_STAFFREL, RK_STANDARD, RK_FINASSET, RK_FUNERAL,
    N_ROWKINDS
};
extern const char *const row_kind_names[N_ROWKINDS];

/* How a column is read (the VM's switch; prog.h). */
enum col_how {
    CK_TEXT,     /* const char * at off */
    CK_INT,      /* int at off (counts, enums) */
    CK_DATE,     /* int day at off, DATE_NONE = missing */
    CK_MONTH,    /* int month at off */
    CK_LINE,     /* long long at off */
    CK_SCALED,   /* int64_t at off, value = it / den (money, area, share) */
    CK_BUILTIN,  /* computed: builtin id (enum builtin) */
    CK_FEED      /* a person's rows of a feed: feed id (enum feed_id) */
};

enum builtin {
    B_VALID,            /* person: key != 0 */
    B_ID_STATUS,        /* member: id_status_text() */
    B_COUNTED,          /* member: hukou missing or normal */
    B_HOUSEHOLD,        /* member: its household */
    B_HUKOU,            /* member, candidate: the hukou row */
    B_BIRTH,            /* hukou: birth date from the ID */
    B_HUKOU_HOUSEHOLD,  /* hukou: the group of normal persons of its hukou_no */
    B_STANDARD,         /* household, candidate: the standard in force */
    B_SIZE,             /* household: counted members; group: persons */
    B_HEAD,             /* household: the first head member */
    B_MEMBERS,          /* household: set of members */
    B_COUNTED_SET,      /* household: counted members; group: persons */
    B_PERSONS,          /* group: set of normal hukou persons */
    B_HOUSEHOLDS,       /* person: distinct registry households it is a member of */
    N_BUILTINS
};

enum feed_id { F_VEHICLES, F_PROPERTY, F_SI, F_BUSINESS, F_PUBSERV, F_STAFFREL, F_FINASSETS,
               F_FUNERAL, N_FEEDS };
extern const char *const feed_names[N_FEEDS];   /* "vehicles", ... (as in a policy) */

struct col {
    const char *name;
    struct ty t;
    uint8_t how;        /* enum col_how */
    uint8_t which;      /* builtin or feed id */
    uint16_t off;       /* offsetof in the row struct */
    int64_t den;        /* CK_SCALED */
    uint8_t optional;   /* may be missing (CK_DATE, hukou, head, standard) */
};

/* The columns of a row kind; NULL-name terminated. */
const struct col *schema_cols(int row_kind);
/* The column `name` of a row kind, or NULL. */
const struct col *schema_col(int row_kind, const char *name, size_t len);
/* Offset of the person key (uint64_t) in a person row kind, or -1. */
int schema_key_off(int row_kind);
/* Offset of the id_no text in a person row kind, or -1. */
int schema_id_off(int row_kind);

/* A number of any unit (count, ratio, money, area, or one written in a rule)? */
int ty_is_num(struct ty t);

/* Name of a type for messages ("money", "set of vehicles", ...); buf >= 48. */
const char *ty_name(struct ty t, char *buf, size_t n);

/* ---------- typed tree ---------- */

enum irop {
    I_CONST,     /* t; num/den (numbers, dates, enums, bools, enum-set bits), s/len (text) */
    I_VAR,       /* a = element slot */
    I_LET,       /* a = let index */
    I_COL,       /* x = row, col */
    I_NEG,       /* -x */
    I_ARITH,     /* x sub y, sub = '+' '-' '*' '/' */
    I_CMP,       /* x sub y, sub = T_EQ .. T_GE */
    I_IN,        /* x in const bits (num); sub = 1 for "not in" */
    I_AND, I_OR, I_NOT,
    I_IF,        /* if x then y else z (z may be NULL in a template hole: "") */
    I_EXISTS,    /* x is not missing */
    I_COALESCE,  /* x ?? y, in a template hole only */
    I_FN,        /* sub = enum fn; x, y args */
    I_PICK,      /* param table: x = enum value; v[] = constants per value */
    I_AGG,       /* sub = K_ANY K_COUNT K_SUM K_FIRST K_DISTINCT K_LATEST K_SORTED; x = set;
                    y = body; a = slot; latest, sorted: v[] = keys (then orders), b = number
                    of keys; sorted: num = bit i: key i descending */
    I_WHERE,     /* x = set; y = condition; a = element slot */
    I_FLAT,      /* x = set of persons; col = feed or households; a = slot of the person */
    I_WINDOW,    /* the months of the income window */
    I_HAVE,      /* a = input file (enum input_file): an optional feed present */
    I_FIRES,     /* x = the rule's condition, expanded; a = first let, b = number of lets */
    I_TEMPLATE,  /* v[] = parts (I_TEXT or values) */
    I_TEXT,      /* s/len */
    I_EACH,      /* evidence: x = set, y = piece, z = joined (I_TEMPLATE) or NULL; a = slot
                    key: x = set, v[] = fields, a = slot */
    I_KITEM      /* v[] = fields */
};

enum fn_id { FN_LEFT, FN_WORKING_DAYS, FN_AGE, FN_YEARS_BEFORE, FN_MAX, FN_MIN, FN_STANDARD_OF,
             FN_YUAN, FN_MASKED,   /* print-only: in evidence and key text (check_text.c) */
             N_FNS };

struct ir {
    uint8_t op;         /* enum irop */
    uint8_t sub;
    struct ty t;
    int32_t a, b;
    struct ir *x, *y, *z;
    struct ir **v;
    int nv;
    const struct col *col;
    int64_t num, den;   /* I_CONST numbers: num/den exact; dates, enums: num */
    const char *s;      /* I_CONST text, I_TEXT */
    uint32_t len;
    struct pos pos;
    struct pos call;    /* the root of a define's expansion: where it was called
                           (`evidenced_income(m)`, for explain's labels); else end 0 */
};

struct clet {
    struct ir *value;   /* NULL while being checked */
    struct ty t;
    const char *name;   /* as written (explain's trace names it) */
    uint32_t nlen;
    uint8_t nested;     /* brought by `fires` from another rule (not traced) */
};

/* A `let` whose value is a set: not computed, re-read where it is used;
 * kept here so that explain can list its rows. */
struct cset {
    struct ir *value;
    const char *name;
    uint32_t nlen;
};

/* An effective parameter (explain lists those a rule uses; the policy
 * hash covers every one). */
struct cparam {
    const char *name;
    uint32_t nlen;
    const struct param_ast *decl;   /* the declaration that set its type */
    const struct param_ast *val;    /* the one whose values are in force (an override) */
    int pick;                       /* index of the value in force in val->values */
    struct ir *value;               /* the value in force (I_CONST), or NULL for a table */
    struct ir **vals;               /* a table: one I_CONST per enum value, or NULL */
    int by_enum;                    /* a table's enumeration, else -1 */
    struct ty t;
};

/* One rule of the effective policy, checked. */
struct crule {
    int cat;            /* enum rule_id of contract/policy.h */
    int kind, severity, unit;
    struct pos pos;
    struct ir *filter;  /* unit where, or NULL */
    int each;           /* 1: one flag per element of each_set (slot 1) */
    struct ir *each_set;
    int each_kind;      /* row kind of the each element */
    struct ir **req;
    int nreq;
    struct ir *when;
    struct ir **ev;     /* I_TEMPLATE, I_IF, I_EACH */
    int nev;
    struct ir **key;    /* I_KITEM, I_EACH */
    int nkey;
    struct clet *lets;  /* its own and those of the rules it expands with fires */
    int nlets;
    int nslots;         /* element slots (0: the unit, 1: each element) */
    struct cset *sets;  /* its own set-valued lets (explain) */
    int nsets;
    const struct rule_ast *ast;  /* its effective syntax tree (overrides applied) */
    int *params;        /* indexes in cpolicy.params of the parameters it reads (its
                           own text, the defines it calls, the rules it asks with
                           fires), in first-use order */
    int nparams;
};

struct cpolicy {
    char name[64];      /* the entry file's name without .policy: "reference", "sixian" */
    struct crule *rules;
    int nrules;
    int nparams;        /* effective parameters */
    struct cparam *params;
    int files;          /* policy files read (the extends chain) */
};

/* Check the parsed files (files[0] the entry, files[i+1] what files[i]
 * extends) into the effective policy.  as_of resolves dated parameters;
 * window_months is policy.rules' income window.  Errors go to L. */
int check_policy(struct lang *L, struct policy_ast **files, int nfiles, int as_of,
                 int window_months, struct cpolicy *out);

#endif
