/* pack_xlsx.c - a township pack as an Excel workbook (libxlsxwriter).
 *
 *   核查清单  the review list: the header row frozen and filterable; every
 *            ID-like column (township, household_id, hukou_no, masked ID,
 *            region_code, the key) a text cell with the text format "@",
 *            so neither Excel nor WPS turns an 18-digit number into
 *            1.10105E+17 or drops a leading zero; rank and score numbers;
 *            核查结论 with a drop-down of 确认 / 排除 / 移交 beside 核查人,
 *            核查日期 (a date format) and 备注, on a pale fill
 *   抽查样本  the spot-check sample
 *   说明      each rule's Chinese name, what it checks and its article;
 *            the run's as-of date, policy version and pack; how to fill in
 * A string cell is never a formula, so the CSV's apostrophe guard is not
 * needed here: a value starting with = stays text.  Control characters
 * that XML cannot carry are replaced by a space.
 *
 * libxlsxwriter 1.1 writes only to a named file: the workbook goes into a
 * temporary file (mkstemp, mode 0600, in the output directory), is copied
 * into the caller's stream (export.c's atomic replace) and removed.
 *
 * Owns: the workbook's layout.  Never: decides what a row says (export.c),
 * unmasks anything.
 */
#include "audit/pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "contract/catalogue.h"

struct fmts {
    lxw_format *head, *text, *code, *wrap, *input, *date, *title;
};

/* s with C0 control characters other than TAB and LF made spaces, into
 * buf when anything changes (XML 1.0 cannot carry them). */
static const char *xml_safe(const char *s, char *buf, size_t n)
{
    const char *p = s;
    while (*p && ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n'))
        p++;
    if (!*p)
        return s;
    size_t i = 0;
    for (p = s; *p && i + 1 < n; p++, i++)
        buf[i] = (unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' ? ' ' : *p;
    buf[i] = '\0';
    return buf;
}

static lxw_error put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                         lxw_format *f)
{
    char buf[8192];
    if (!*s)
        return f ? worksheet_write_blank(ws, r, c, f) : LXW_NO_ERROR;
    return worksheet_write_string(ws, r, c, xml_safe(s, buf, sizeof buf), f);
}

static lxw_error put_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                         lxw_format *f)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end)
        return put_str(ws, r, c, s, f);   /* not a number: shown as written */
    return worksheet_write_number(ws, r, c, v, f);
}

static void make_formats(lxw_workbook *wb, struct fmts *x)
{
    x->head = workbook_add_format(wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xDDEBF7);
    format_set_border(x->head, LXW_BORDER_THIN);
    format_set_text_wrap(x->head);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
    x->text = workbook_add_format(wb);
    format_set_align(x->text, LXW_ALIGN_VERTICAL_TOP);
    x->code = workbook_add_format(wb);
    format_set_num_format(x->code, "@");
    format_set_align(x->code, LXW_ALIGN_VERTICAL_TOP);
    x->wrap = workbook_add_format(wb);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    x->input = workbook_add_format(wb);
    format_set_num_format(x->input, "@");
    format_set_bg_color(x->input, 0xFFF2CC);
    format_set_align(x->input, LXW_ALIGN_VERTICAL_TOP);
    x->date = workbook_add_format(wb);
    format_set_num_format(x->date, "yyyy-mm-dd");
    format_set_bg_color(x->date, 0xFFF2CC);
    format_set_align(x->date, LXW_ALIGN_VERTICAL_TOP);
    x->title = workbook_add_format(wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 13);
}

static lxw_format *col_format(const struct fmts *x, int c)
{
    if (c == PC_DATE)
        return x->date;
    switch (pack_cols[c].kind) {
    case PK_CODE: return x->code;
    case PK_WRAP: return x->wrap;
    case PK_INPUT: return x->input;
    default: return x->text;
    }
}

/* Lines a wrapped cell of width w (characters) needs for s: a CJK
 * character counts two, anything else one.  No spreadsheet fits a row's
 * height to wrapped text it did not lay out itself, so the pack sets it. */
static int wrapped_lines(const char *s, double w)
{
    double cols = 0;
    int lines = 1;
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if (*u == '\n') {
            lines++;
            cols = 0;
            continue;
        }
        if ((*u & 0xC0) == 0x80)
            continue;   /* a continuation byte */
        double cw = *u >= 0xE0 ? 2 : 1;
        if (cols + cw > w - 1) {
            lines++;
            cols = 0;
        }
        cols += cw;
    }
    return lines > 20 ? 20 : lines;
}

static lxw_error sheet_list(lxw_workbook *wb, const struct fmts *x, const struct pack *p)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, PACK_SHEET_LIST);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error r = LXW_NO_ERROR;
    int ncol = 0;
    int cols[N_PACK_COLS];
    for (int c = 0; c < N_PACK_COLS; c++)
        if (c != PC_KEY || p->have_keys)
            cols[ncol++] = c;
    for (int k = 0; k < ncol && !r; k++) {
        r = worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, pack_cols[cols[k]].width,
                                 col_format(x, cols[k]));
        if (!r)
            r = worksheet_write_string(ws, 0, (lxw_col_t)k, pack_cols[cols[k]].zh, x->head);
    }
    for (size_t i = 0; i < p->n_rows && !r; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        int lines = wrapped_lines(p->rows[i].v[PC_EVIDENCE], pack_cols[PC_EVIDENCE].width);
        if (lines > 1)
            r = worksheet_set_row(ws, row, 15.0 * lines, NULL);
        for (int k = 0; k < ncol && !r; k++) {
            int c = cols[k];
            lxw_format *f = col_format(x, c);
            r = pack_cols[c].kind == PK_NUMBER ? put_num(ws, row, (lxw_col_t)k, p->rows[i].v[c], f)
                                               : put_str(ws, row, (lxw_col_t)k, p->rows[i].v[c], f);
        }
    }
    lxw_row_t last = (lxw_row_t)(p->n_rows ? p->n_rows : 1);
    if (!r)
        r = worksheet_set_row(ws, 0, 30, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    /* printed: A4 landscape, the header row on every page */
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    if (!r)
        r = worksheet_repeat_rows(ws, 0, 0);
    if (!r)
        r = worksheet_autofilter(ws, 0, 0, (lxw_row_t)p->n_rows, (lxw_col_t)(ncol - 1));
    /* the verdict drop-down, on every row that can take a verdict */
    int vcol = -1;
    for (int k = 0; k < ncol; k++)
        if (cols[k] == PC_VERDICT)
            vcol = k;
    static char *words[] = {"确认", "排除", "移交", NULL};   /* the type libxlsxwriter 1.1 takes */
    lxw_data_validation dv;
    memset(&dv, 0, sizeof dv);
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.value_list = words;
    dv.input_title = PACK_H_VERDICT;
    dv.input_message = "确认：线索属实；排除：线索不属实；移交：移交有关部门处理";
    dv.error_title = PACK_H_VERDICT;
    dv.error_message = "请从列表中选择：确认、排除或移交";
    if (!r && vcol >= 0)
        r = worksheet_data_validation_range(ws, 1, (lxw_col_t)vcol, last, (lxw_col_t)vcol, &dv);
    return r;
}

static lxw_error sheet_spot(lxw_workbook *wb, const struct fmts *x, const struct pack *p)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, PACK_SHEET_SPOT);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    static const char *const head[4] = {"乡镇（街道）代码", "救助类别", "救助户编号",
                                        "抽取说明"};
    static const double width[4] = {12, 10, 14, 70};
    lxw_error r = LXW_NO_ERROR;
    for (int k = 0; k < 4 && !r; k++) {
        r = worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, width[k],
                                 k == 0 || k == 2 ? x->code : x->text);
        if (!r)
            r = worksheet_write_string(ws, 0, (lxw_col_t)k, head[k], x->head);
    }
    for (size_t i = 0; i < p->n_spot && !r; i++) {
        const struct pack_spot *s = &p->spot[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        r = put_str(ws, row, 0, s->township, x->code);
        if (!r)
            r = put_str(ws, row, 1, s->program, x->text);
        if (!r)
            r = put_str(ws, row, 2, s->household_id, x->code);
        if (!r)
            r = put_str(ws, row, 3, s->reason, x->text);
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (!r)
        r = worksheet_autofilter(ws, 0, 0, (lxw_row_t)p->n_spot, 3);
    return r;
}

static lxw_error sheet_legend(lxw_workbook *wb, const struct fmts *x, const struct pack *p)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, PACK_SHEET_LEGEND);
    if (!ws)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    lxw_error r = worksheet_set_column(ws, 0, 0, 26, x->text);
    if (!r)
        r = worksheet_set_column(ws, 1, 1, 26, x->wrap);
    if (!r)
        r = worksheet_set_column(ws, 2, 2, 60, x->wrap);
    if (!r)
        r = worksheet_set_column(ws, 3, 3, 50, x->wrap);
    char title[128];
    snprintf(title, sizeof title, "乡镇（街道）%s 核查清单说明", p->township);
    lxw_row_t row = 0;
    if (!r)
        r = worksheet_write_string(ws, row++, 0, title, x->title);
    const char *meta[][2] = {
        {"乡镇（街道）代码", p->township},
        {"核对日期", p->as_of},
        {"政策版本", *p->rules_version ? p->rules_version : "（未知）"},
        {"政策包", p->policy_pack},
    };
    for (size_t i = 0; i < sizeof meta / sizeof meta[0] && !r; i++) {
        r = worksheet_write_string(ws, row, 0, meta[i][0], x->head);
        if (!r)
            r = put_str(ws, row++, 1, meta[i][1], x->code);
    }
    row++;
    for (int i = 0; pack_legend_notes[i] && !r; i++)
        r = worksheet_write_string(ws, row++, 0, pack_legend_notes[i], NULL);
    row++;
    static const char *const head[4] = {"规则编号", "规则名称", "核查内容", "政策依据"};
    for (int k = 0; k < 4 && !r; k++)
        r = worksheet_write_string(ws, row, (lxw_col_t)k, head[k], x->head);
    row++;
    for (int rule = 0; rule < n_rules && !r; rule++, row++) {
        r = worksheet_write_string(ws, row, 0, rule_names[rule], x->text);
        if (!r)
            r = worksheet_write_string(ws, row, 1, rule_label_zh(rule), x->wrap);
        if (!r)
            r = worksheet_write_string(ws, row, 2, pack_rule_check_zh(rule), x->wrap);
        if (!r)
            r = worksheet_write_string(ws, row, 3, pack_rule_article_zh(rule), x->wrap);
    }
    return r;
}

/* Copy the file at path into f. */
static int copy_into(const char *path, FILE *f, struct err *e)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return ERR(e, E_WRITE, "cannot reopen the workbook %s: %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, f) != n)
            break;
    int bad = ferror(in) || ferror(f);
    fclose(in);
    if (bad)
        return ERR(e, E_WRITE, "cannot copy the workbook %s", path);
    return E_OK;
}

int pack_xlsx_write(FILE *f, const struct pack *p, const char *tmpdir, struct err *e)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/.pack-XXXXXX.xlsx", tmpdir);
    int fd = mkstemps(tmp, 5);
    if (fd < 0)
        return ERR(e, E_WRITE, "cannot create a temporary file in %s: %s", tmpdir,
                   strerror(errno));
    close(fd);   /* libxlsxwriter opens it by name; it keeps mode 0600 */
    lxw_workbook_options opt = {0, NULL, 0};
    lxw_workbook *wb = workbook_new_opt(tmp, &opt);
    if (!wb) {
        unlink(tmp);
        return ERR(e, E_NOMEM, "out of memory while making the workbook for %s", p->township);
    }
    char title[64];
    snprintf(title, sizeof title, "核查清单 %s %s", p->township, p->as_of);
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = title;
    props.author = "hedui";
    props.comments = "核对：每月核查清单（身份证号已脱敏）";
    workbook_set_properties(wb, &props);
    struct fmts x;
    make_formats(wb, &x);
    lxw_error r = sheet_list(wb, &x, p);
    if (!r)
        r = sheet_spot(wb, &x, p);
    if (!r)
        r = sheet_legend(wb, &x, p);
    lxw_error rc = workbook_close(wb);   /* writes the file; frees wb in any case */
    if (!r)
        r = rc;
    int st = E_OK;
    if (r)
        st = ERR(e, E_WRITE, "cannot write the workbook of township %s: %s", p->township,
                 lxw_strerror(r));
    else
        st = copy_into(tmp, f, e);
    unlink(tmp);
    return st;
}
