/* ast.h - the rules language: tokens, syntax tree, diagnostics, one compile.
 *
 * Design (the whole of it for users is rules/README.md):
 *
 *   text (*.policy) --lex.c--> tokens --parse.c--> syntax tree (this file)
 *        --check.c--> typed tree (ir.h): names resolved, types and units
 *                     checked, `define` and `fires` expanded in place, packs
 *                     merged (extends / override / off)
 *        --compile.c--> program (prog.h): one flat array of coarse ops over
 *                     numbered registers, three entry points (households on
 *                     the rolls, cancelled households, candidates)
 *        --engine/vm.c--> flags, per household, on OpenMP threads.
 *
 * Units a rule judges: a household on the rolls, a member of one (with h =
 * its household), a cancelled household, a candidate; `each p in SET` makes
 * one flag per element (an undeclared person).  Persons a rule looks at are sets reached by
 * fields: h.members, h.counted, h.head, m.hukou, hukou.hukou_household (a
 * group: persons, counted, size), person.households (each registry household once), and the person
 * feeds (vehicles, property, social_insurance, business, public_servants,
 * staff_relatives).  Aggregates over finite sets only: any, count, sum,
 * first, distinct; `S where C` filters.  Values are typed: money (fen),
 * area (1/100 m2), share/ratio (exact rationals), count, date, month, text,
 * bool, the enums of contract/model.h, rows, sets of rows; units are checked
 * (money + area does not compile).  Parameters may be dated (the value in
 * force on the as-of date is a constant of the compiled program).  Re-use:
 * `fires RULE(x)` is RULE's where/requires/lets/when applied to another
 * unit, expanded by the checker without emitting; an `off` rule is false.
 * Totality by construction: no recursion (the define/fires graph is checked
 * acyclic), loops only over finite sets, forward jumps only.
 *
 * Errors: every error of a file in one pass, each at file:line:col with the
 * source line and a caret placed by display width (a CJK character takes
 * two columns), and "did you mean" from the names and value sets in scope.
 *
 * Owns: the syntax tree and the compile context (struct lang).  Never: reads
 * feeds, touches the engine's indexes, prints.
 */
#ifndef POLICY_AST_H
#define POLICY_AST_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* ---------- source positions and files ---------- */

#define LANG_MAX_FILES 8

struct pos {
    uint16_t file;      /* index into struct lang.files */
    uint32_t off;       /* byte offset in the file (where a caret points) */
    uint32_t line;      /* 1-based */
    uint32_t from, end; /* the bytes of the whole expression [from, end), parentheses
                           included (the parser sets them; explain shows that text);
                           end 0: not known */
};

struct lsrc {
    char path[512];
    char *text;         /* whole file, NUL-terminated (arena) */
    size_t len;
};

/* ---------- tokens ---------- */

enum tok {
    T_EOF, T_IDENT, T_NUMBER, T_DATE, T_STRING,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK,
    T_COMMA, T_COLON, T_SEMI, T_DOT, T_PLUS, T_MINUS, T_STAR, T_SLASH,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_QQ,
    /* keywords */
    K_AND, K_OR, K_NOT, K_IN, K_WHERE, K_IF, K_THEN, K_ELSE, K_EXISTS,
    K_ANY, K_COUNT, K_SUM, K_FIRST, K_DISTINCT, K_LATEST, K_SORTED, K_FIRES, K_EACH, K_JOINED,
    K_RULE, K_PARAM, K_DEFINE, K_LET, K_WHEN, K_EVIDENCE, K_KEY, K_FOR,
    K_REQUIRES, K_OFF, K_OVERRIDE, K_EXTENDS, K_TRUE, K_FALSE,
    N_TOK
};

struct token {
    uint8_t kind;       /* enum tok */
    uint32_t off, len;  /* the token's bytes in the file (strings: quotes included) */
    uint32_t line;
};

/* ---------- syntax tree ---------- */

enum nkind {
    N_NUM,       /* num/den, exact; op = 1 if written with '%' */
    N_DATE,      /* num = day number */
    N_BOOL,      /* num = 0/1 */
    N_TEMPLATE,  /* v[] = N_TEXT and expression holes */
    N_TEXT,      /* s/slen: literal text, escapes resolved */
    N_NAME,      /* s/slen */
    N_FIELD,     /* a.s */
    N_INDEX,     /* a[b] */
    N_CALL,      /* s(v...) */
    N_NEG,       /* -a */
    N_BIN,       /* a op b, op = T_PLUS T_MINUS T_STAR T_SLASH */
    N_CMP,       /* a op b, op = T_EQ .. T_GE */
    N_IN,        /* a in b; op = 1 for "not in" */
    N_AND, N_OR, N_NOT,
    N_IF,        /* if a then b [else c] */
    N_EXISTS,    /* exists a */
    N_COALESCE,  /* a ?? b */
    N_AGG,       /* op = K_ANY K_COUNT K_SUM K_FIRST K_DISTINCT K_LATEST K_SORTED;
                    a = set, b = body; bind; latest: v[] = keys, c->v[] = order;
                    sorted: v[] = keys, num = bit i set: key i descending */
    N_WHERE,     /* a where b */
    N_SETLIT,    /* {v...} */
    N_MAPLIT,    /* {name: value, ...}: v[] = N_PAIR */
    N_PAIR,      /* s: a */
    N_FIRES,     /* fires s(v...) */
    N_EACH,      /* each [bind in] a [joined c]: b (piece) or v[] (key fields) */
    N_KITEM,     /* key item: v[] fields */
    N_FEED,      /* requires feed s */
    N_ERROR      /* a place where parsing failed (already reported) */
};

struct node {
    uint8_t kind;       /* enum nkind */
    uint8_t op;
    struct pos pos;
    struct node *a, *b, *c;
    struct node **v;
    int nv;
    const char *s;      /* names point into the source text; N_TEXT into the arena */
    uint32_t slen;
    const char *bind;   /* `NAME in` of an aggregate or each, or NULL */
    uint32_t blen;
    struct pos bpos;
    int64_t num, den;
};

/* ---------- top-level items ---------- */

enum unit_kind { U_HOUSEHOLD, U_MEMBER, U_CANCELLED, U_CANDIDATE, N_UNIT };

struct let_ast {
    const char *name;
    uint32_t nlen;
    struct pos pos;
    struct node *value;
};

struct rule_ast {
    const char *id;
    uint32_t idlen;
    struct pos pos;
    int kind, severity;             /* enum rule_kind / severity, SEV_OFF; -1 if bad */
    struct pos kind_pos, sev_pos;
    int unit;                       /* enum unit_kind, -1 if missing */
    const char *var;
    uint32_t varlen;
    struct pos unit_pos;
    struct node *where;             /* unit filter or NULL */
    const char *each_var;           /* NULL: one flag per unit */
    uint32_t each_len;
    struct pos each_pos;
    struct node *each_set;
    struct node **requires;
    int nreq;
    struct let_ast *lets;
    int nlets;
    struct node *when;
    struct node **evidence;         /* pieces */
    int nev;
    struct node **key;              /* N_KITEM or N_EACH */
    int nkey;
    int from_file;                  /* file index that defined it */
    struct pos ov[4];               /* the first overrides that changed it (explain) */
    int nov;
};

/* param NAME: TYPE [by ENUM] = VALUE [from DATE: VALUE]... */
struct param_ast {
    const char *name;
    uint32_t nlen;
    struct pos pos;
    struct node *type;              /* N_NAME (base), N_FIELD-free: see parse.c */
    int set_of;                     /* "set of ENUM" */
    const char *by;                 /* "by ENUM": a table indexed by an enum */
    uint32_t bylen;
    struct pos bypos;
    struct node **values;           /* values[i] in force from dates[i] (dates[0] = none) */
    int64_t *dates;
    struct pos *date_pos;
    int nvalues;
    int is_override;
    int used;                       /* set by the checker */
};

struct define_ast {
    const char *name;
    uint32_t nlen;
    struct pos pos;
    const char **args;
    uint32_t *arglen;
    int nargs;
    struct node *body;
    int used;
};

enum ov_what { OV_LET, OV_WHEN, OV_EVIDENCE, OV_KEY, OV_SEVERITY, OV_WHERE };

struct override_ast {
    const char *rule;
    uint32_t rlen;
    struct pos pos;
    int what;                       /* enum ov_what */
    const char *name;               /* OV_LET: the let */
    uint32_t nlen;
    struct node *value;             /* OV_LET, OV_WHEN, OV_WHERE */
    struct node **list;             /* OV_EVIDENCE pieces, OV_KEY items */
    int nlist;
    int severity;                   /* OV_SEVERITY */
};

struct off_ast {
    const char *rule;
    uint32_t rlen;
    struct pos pos;
};

/* One parsed file. */
struct policy_ast {
    int file;
    const char *extends;            /* NULL, or the base policy's name */
    uint32_t extlen;
    struct pos extpos;
    struct rule_ast **rules;
    int nrules;
    struct param_ast **params;
    int nparams;
    struct define_ast **defines;
    int ndefines;
    struct override_ast **overrides;
    int noverrides;
    struct off_ast *offs;
    int noffs;
};

/* ---------- diagnostics ---------- */

struct ldiag {
    struct pos pos;
    uint32_t span;      /* bytes under the caret (at least 1) */
    int warning;
    char msg[384];
    char hint[160];     /* "did you mean 'low_speed'?" or "" */
};

/* ---------- one compile ---------- */

struct lang {
    struct arena ar;                /* everything below lives here */
    int oom;                        /* an allocation failed: stop, E_NOMEM */
    struct lsrc files[LANG_MAX_FILES];
    int nfiles;
    struct ldiag *diags;            /* malloc'd */
    int ndiags, capdiags, nerrors;
    int mute;                       /* the last error was not recorded: no hint for it */
};

void lang_init(struct lang *L);
void lang_free(struct lang *L);
/* Arena allocation; on failure sets L->oom and returns NULL. */
void *lang_alloc(struct lang *L, size_t n);
/* Grow an arena array of `size`-byte elements to hold n+1 (capacity doubles). */
void *lang_grow(struct lang *L, void *v, int n, size_t size);
/* Add a source text (copied).  Its index, or -1 (too many files / no memory). */
int lang_add_source(struct lang *L, const char *path, const char *text, size_t len);

/* Record an error (or warning) at pos; span = bytes to underline. */
void lang_error(struct lang *L, struct pos pos, uint32_t span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void lang_warning(struct lang *L, struct pos pos, uint32_t span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attach a hint to the last diagnostic. */
void lang_hint(struct lang *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "did you mean 'x'?" on the last diagnostic when one of names[0..n) is
 * close to s (edit distance at most 2, or a third of its length). */
void lang_suggest(struct lang *L, const char *s, size_t len, const char *const *names, int n);

/* 1-based column of pos in code points, and the display width before it. */
int lang_column(const struct lang *L, struct pos pos, int *width_before);
/* Every diagnostic as text (file:line:col: error: msg, the line, a caret
 * line, the hint), sorted by file and place; malloc'd, NULL on no memory. */
char *lang_render(const struct lang *L);

/* ---------- lexer and parser ---------- */

/* Tokens of text [from, to) of file f (line: the line at `from`).  Errors go
 * to L.  Returns the arena array (ending with T_EOF) and its length. */
struct token *lex_range(struct lang *L, int f, uint32_t from, uint32_t to, uint32_t line,
                        int *ntok);
/* The keyword or T_IDENT for an identifier. */
int lex_keyword(const char *s, size_t len);
const char *tok_name(int kind);

/* Parse file f; never NULL unless out of memory. */
struct policy_ast *parse_file(struct lang *L, int f);

#endif
