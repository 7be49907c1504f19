/* pack.h - a township pack as its writers see it: the review list (one row
 * per flag of each queued household, in queue order), the spot-check
 * sample and the legend, with every value already in the words a person
 * reads (Chinese) and every ID number masked.  export.c fills it from a
 * published run; pack_xlsx.c writes it as an Excel workbook, export.c as a
 * CSV; review import reads a filled one back (review_import.c) by the
 * column headers named here.
 *
 * Owns: the pack's columns (order, Chinese header, kind, width) and the
 * Chinese texts of a pack (pack_text.c).  Never: reads a run, unmasks.
 */
#ifndef ENGINE_PACK_H
#define ENGINE_PACK_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

/* The review list's columns, in order. */
enum pack_col {
    PC_TOWNSHIP,    /* 乡镇（街道）代码 */
    PC_RANK,        /* 排名 (a number) */
    PC_HOUSEHOLD,   /* 救助户编号 */
    PC_HUKOU,       /* 户号 */
    PC_SCORE,       /* 风险分 (a number) */
    PC_RULE_IDS,    /* 本户触发规则 */
    PC_RULE_ID,     /* 规则编号 */
    PC_RULE_ZH,     /* 规则名称 */
    PC_SEVERITY,    /* 严重程度: 高/中/低 */
    PC_ID,          /* 身份证号（脱敏） */
    PC_REGION,      /* 区划代码 */
    PC_EVIDENCE,    /* 证据 (IDs masked) */
    PC_CHANGE,      /* 与上次相比: 新发现/持续 */
    PC_IN_FORCE,    /* 已有结论: the verdict in force when exported */
    PC_KEY,         /* 核查键: the opaque key of the finding (packkey.h) */
    PC_VERDICT,     /* 核查结论: 确认/排除/移交 (drop-down) */
    PC_REVIEWER,    /* 核查人 */
    PC_DATE,        /* 核查日期 */
    PC_NOTE,        /* 备注 */
    N_PACK_COLS
};

enum pack_kind {
    PK_TEXT,      /* text */
    PK_CODE,      /* an ID-like value: always a text cell, never a number */
    PK_NUMBER,    /* rank, score: numbers */
    PK_WRAP,      /* long text, wrapped */
    PK_INPUT,     /* filled in by the reviewer */
};

struct pack_col_def {
    const char *zh;     /* the header */
    enum pack_kind kind;
    double width;       /* in characters, as Excel counts them */
};
extern const struct pack_col_def pack_cols[N_PACK_COLS];

/* The headers review import looks for, and the verdict words it takes. */
#define PACK_H_KEY "核查键"
#define PACK_H_VERDICT "核查结论"
#define PACK_H_REVIEWER "核查人"
#define PACK_H_DATE "核查日期"
#define PACK_H_NOTE "备注"
#define PACK_SHEET_LIST "核查清单"
#define PACK_SHEET_SPOT "抽查样本"
#define PACK_SHEET_LEGEND "说明"

struct pack_row {
    const char *v[N_PACK_COLS];   /* "" when empty; never NULL */
};

struct pack_spot {
    const char *township, *program, *household_id, *reason;   /* Chinese where read */
};

struct pack {
    const char *township;      /* 9 digits */
    const char *as_of;         /* YYYY-MM-DD */
    const char *rules_version; /* "" unknown */
    const char *policy_pack;   /* the policy's name: the rules directory's */
    const struct pack_row *rows;
    size_t n_rows;
    size_t n_households;
    const struct pack_spot *spot;
    size_t n_spot;
    int have_keys;             /* the rows carry PC_KEY */
};

/* ---------- Chinese texts (pack_text.c) ---------- */

/* "high" -> "高", ...; s itself when unknown. */
const char *pack_severity_zh(const char *s);
/* "new" -> "新发现", "persisting" -> "持续"; s itself when unknown. */
const char *pack_change_zh(const char *s);
/* "confirmed" -> "确认", "cleared" -> "排除", "referred" -> "移交". */
const char *pack_outcome_zh(const char *s);
/* "dibao" -> "低保", "tekun" -> "特困", "dishouru" -> "低收入". */
const char *pack_program_zh(const char *s);
/* The spot-check reason ("random draw 1 of 2 from 11 dibao approvals in
 * 2026-06 (seed 20260615)") in Chinese into out[0..n); as it is when it
 * does not read so. */
void pack_spot_reason_zh(const char *s, char *out, size_t n);
/* What rule r checks, and the policy article it rests on (Chinese). */
const char *pack_rule_check_zh(int r);
const char *pack_rule_article_zh(int r);
/* Legend lines: the verdict words and the caveat, NULL-terminated. */
extern const char *const pack_legend_notes[];

/* ---------- writers ---------- */

/* The pack as an .xlsx workbook into f (pack_xlsx.c): sheets 核查清单,
 * 抽查样本, 说明; libxlsxwriter writes it into a temporary file in tmpdir
 * (mode 0600, removed afterwards), which is then copied into f.  E_WRITE
 * on a failure of libxlsxwriter or of the copy. */
int pack_xlsx_write(FILE *f, const struct pack *p, const char *tmpdir, struct err *e);

#endif
