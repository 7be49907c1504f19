/* catalogue.h - the rule catalogue: one entry per rule of the data
 * contract, read from rules/catalogue.rules.
 *
 * Everything about a rule except its logic is in that file, written once
 * by policy staff: its id (a promise to the auditors: never rename), its
 * kind, what a flag of it is about (its scope, which decides its key
 * columns), the optional feed it needs, the contract's severity, the
 * label caseworkers read and the two texts of the township packs' legend
 * (what it checks, the article it rests on).  The engine names no rule:
 * the rules language's checker accepts a rule only when the catalogue
 * lists it with that kind and scope, and the run's lists, manifest,
 * report, state and packs read names, kinds and labels from here.
 *
 * The catalogue is the process's, installed once before any work (the
 * command's rules directory, pipeline_init, or a snapshot's stored copy)
 * and read-only afterwards: rule_names[], rule_kinds[] and
 * rule_catalogue[] are its columns, indexed by a rule's place in the file
 * (the order of the manifest's counts); n_rules says how many there are.
 */
#ifndef ENGINE_CATALOGUE_H
#define ENGINE_CATALOGUE_H

#include <stddef.h>

#include "base/err.h"
#include "contract/model.h"

enum severity { SEV_HIGH, SEV_MEDIUM, SEV_LOW, N_SEV, SEV_OFF = N_SEV };
enum rule_kind { KIND_CUOBAO, KIND_LOUBAO, KIND_QUALITY, KIND_PROCESS, N_KINDS };

/* What a flag of the rule is about; the contract's key table follows from it:
 *   SCOPE_PERSON     a registry member: the household, the member's own
 *                    hukou_no, the member's id_no (`for member m`);
 *   SCOPE_HOUSEHOLD  a non-cancelled registry household: the household,
 *                    the head's hukou_no, no id_no, or the id_no of the
 *                    element a rule flags `each` (`for household h`);
 *   SCOPE_CANDIDATE  a candidate: no household, the candidate's hukou_no
 *                    and id_no (`for candidate c`);
 *   SCOPE_CANCELLED  a cancelled registry household, keyed like
 *                    SCOPE_HOUSEHOLD (`for cancelled household h`). */
enum rule_scope { SCOPE_PERSON, SCOPE_HOUSEHOLD, SCOPE_CANDIDATE, SCOPE_CANCELLED, N_SCOPES };

#define RULE_NO_FEED (-1)
#define RULES_MAX 32        /* rules a catalogue may hold (struct prog.severity) */

struct rule_def {
    const char *name;          /* the rule id, as flags.csv writes it */
    enum rule_kind kind;
    enum rule_scope scope;
    int feed;                  /* enum input_file of the optional feed it needs, or RULE_NO_FEED */
    enum severity severity;    /* the contract's severity */
    const char *label_zh;      /* for caseworkers (hedui check, report.html) */
    const char *check_zh;      /* the township packs' legend: what it checks */
    const char *basis_zh;      /* and the article it rests on */
};

extern struct rule_def rule_catalogue[RULES_MAX];
extern const char *rule_names[RULES_MAX];       /* rule_catalogue[r].name */
extern enum rule_kind rule_kinds[RULES_MAX];    /* rule_catalogue[r].kind */
extern int n_rules;                             /* 0 until a catalogue is installed */
extern const char *const kind_names[N_KINDS];   /* "cuobao", ... */
extern const char *const scope_names[N_SCOPES]; /* "person", ... */
extern const char *const severity_names[N_SEV]; /* "high", ... */
extern const char *const severity_names_zh[N_SEV];  /* "高", "中", "低" */

/* The index of the rule named s[0..len), or -1. */
int rule_find(const char *s, size_t len);

/* The Chinese label of rule r ("成员已死亡"); "" for no rule. */
const char *rule_label_zh(int rule);

/* Read the catalogue text[0..len) (path names it in messages) and install
 * it as the process's, replacing any other (call only before any work,
 * while one thread runs).  E_OK (also when it is the one installed), or
 * E_CONFIG naming path:line and the reason, E_NOMEM. */
int catalogue_load_text(const char *path, const char *text, size_t len, struct err *e);
/* Accept a catalogue without replacing one: installed when there is none
 * yet, E_OK when it is the one installed, else E_CONFIG (a process judges
 * with one catalogue; `hedui serve` opens snapshots while it serves). */
int catalogue_accept_text(const char *path, const char *text, size_t len, struct err *e);
/* The same for a file (replace: catalogue_load_text, else _accept_text):
 * E_NOINPUT when it does not exist, E_IO. */
int catalogue_load_file(const char *path, int replace, struct err *e);
/* The catalogue of a rules directory: catalogue.rules in dir or one of the
 * two directories above it (a pack's directory has none of its own);
 * E_CONFIG when there is none. */
int catalogue_load_dir(const char *dir, int replace, struct err *e);
/* The installed catalogue's text (for a snapshot) and where it was read;
 * NULL when none is installed. */
const char *catalogue_text(size_t *len);
const char *catalogue_path(void);

/* Notes on the rules that are not judged because the optional feed they
 * need is missing, for the manifest's rules_skipped and the check's
 * warnings: "<rule id>: business.csv absent". */
#define SKIP_NOTE_MAX 160
struct skip_notes {
    char text[RULES_MAX][SKIP_NOTE_MAX];
    const char *list[RULES_MAX + 1];   /* the notes, NULL-terminated (points into text) */
    int n;
};

/* One note per rule (catalogue order) whose feed f has a reason why[f]
 * ("absent"); why[f] NULL means the feed is used, or its rules are not
 * the caller's business.  Never fails. */
void rule_skip_notes(struct skip_notes *s, const char *const why[N_INPUT]);

#endif
