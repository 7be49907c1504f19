/* pack_text.c - the words of a township pack: column headers, severities,
 * verdicts, programmes, and what each rule checks and the article it rests
 * on (see pack.h).
 *
 * The rules' texts are the catalogue's (rules/catalogue.rules: check and
 * basis), written by policy staff beside each rule; the articles are those
 * of 《社会救助暂行办法》 (国务院令第649号, 2014), the national frame every
 * local policy fills in.  The limits themselves (values, classes, months)
 * are the policy's: the legend names its version, and each flag's evidence
 * gives the values compared.
 *
 * Owns: the fixed texts of the pack.  Never: decides a rule, reads a file.
 */
#include "audit/pack.h"

#include <stdio.h>
#include <string.h>

#include "contract/catalogue.h"

const struct pack_col_def pack_cols[N_PACK_COLS] = {
    [PC_TOWNSHIP] = {"乡镇（街道）代码", PK_CODE, 12},
    [PC_RANK] = {"排名", PK_NUMBER, 6},
    [PC_HOUSEHOLD] = {"救助户编号", PK_CODE, 14},
    [PC_HUKOU] = {"户号", PK_CODE, 14},
    [PC_SCORE] = {"风险分", PK_NUMBER, 7},
    [PC_RULE_IDS] = {"本户触发规则", PK_TEXT, 24},
    [PC_RULE_ID] = {"规则编号", PK_TEXT, 20},
    [PC_RULE_ZH] = {"规则名称", PK_TEXT, 22},
    [PC_SEVERITY] = {"严重程度", PK_TEXT, 8},
    [PC_ID] = {"身份证号（脱敏）", PK_CODE, 21},
    [PC_REGION] = {"区划代码", PK_CODE, 14},
    [PC_EVIDENCE] = {"证据", PK_WRAP, 60},
    [PC_CHANGE] = {"与上次相比", PK_TEXT, 10},
    [PC_IN_FORCE] = {"已有结论", PK_TEXT, 9},
    [PC_KEY] = {PACK_H_KEY, PK_CODE, 28},
    [PC_VERDICT] = {PACK_H_VERDICT, PK_INPUT, 10},
    [PC_REVIEWER] = {PACK_H_REVIEWER, PK_INPUT, 10},
    [PC_DATE] = {PACK_H_DATE, PK_INPUT, 12},
    [PC_NOTE] = {PACK_H_NOTE, PK_INPUT, 30},
};

static const char *lookup(const char *s, const char *const pairs[][2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, pairs[i][0]) == 0)
            return pairs[i][1];
    return s;
}

const char *pack_severity_zh(const char *s)
{
    for (int i = 0; i < N_SEV; i++)
        if (strcmp(s, severity_names[i]) == 0)
            return severity_names_zh[i];
    return s;
}

const char *pack_change_zh(const char *s)
{
    static const char *const t[][2] = {{"new", "新发现"}, {"persisting", "持续"},
                                       {"resolved", "已消除"}};
    return lookup(s, t, sizeof t / sizeof t[0]);
}

const char *pack_outcome_zh(const char *s)
{
    static const char *const t[][2] = {{"confirmed", "确认"}, {"cleared", "排除"},
                                       {"referred", "移交"}};
    return lookup(s, t, sizeof t / sizeof t[0]);
}

const char *pack_program_zh(const char *s)
{
    static const char *const t[][2] = {{"dibao", "低保"}, {"tekun", "特困"},
                                       {"dishouru", "低收入"}};
    return lookup(s, t, sizeof t / sizeof t[0]);
}

void pack_spot_reason_zh(const char *s, char *out, size_t n)
{
    int k, of, from, y, m, used = 0;
    char prog[32];
    unsigned long long seed;
    if (sscanf(s, "random draw %d of %d from %d %31s approvals in %d-%d (seed %llu)%n", &k,
               &of, &from, prog, &y, &m, &seed, &used) == 7 && s[used] == '\0')
        snprintf(out, n, "随机抽取：%04d年%d月审批的%d户%s中抽取%d户，此为第%d户（随机种子%llu）",
                 y, m, from, pack_program_zh(prog), of, k, seed);
    else
        snprintf(out, n, "%s", s);
}

/* What a rule checks and the article it rests on: the catalogue's
 * (rules/catalogue.rules, check and basis). */
const char *pack_rule_check_zh(int r)
{
    return r >= 0 && r < n_rules && rule_catalogue[r].check_zh ? rule_catalogue[r].check_zh : "";
}

const char *pack_rule_article_zh(int r)
{
    return r >= 0 && r < n_rules && rule_catalogue[r].basis_zh ? rule_catalogue[r].basis_zh : "";
}

const char *const pack_legend_notes[] = {
    "核查结论请从下拉列表选择：确认（线索属实）、排除（线索不属实）、移交（移交有关部门处理）；"
    "并填写核查人、核查日期（年-月-日）和备注。",
    "核查键用于将结论导回系统，请勿修改；未填写结论的行不会导入。",
    "每条线索只是待核查的疑点，不是认定结论：不得仅凭职业或身份认定是否符合救助条件。",
    "身份证号码已脱敏（保留前6位和后4位），证据中的号码同样脱敏。",
    "涉及收入和金融资产的线索，其证据写明计算过程：金额单位为元，保留两位小数，"
    "除不尽时截至分并加“...”；成员按金额从大到小列出（金额相同按身份证号），"
    "金融资产先按成员合计、再按账户余额排列，账号同样脱敏。",
    NULL,
};
