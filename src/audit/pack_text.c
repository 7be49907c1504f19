/* pack_text.c - the words of a township pack: column headers, severities,
 * verdicts, programmes, what each rule checks and the article it rests on
 * (see pack.h).
 *
 * The articles are those of 《社会救助暂行办法》 (国务院令第649号, 2014),
 * the national frame every local policy (rules/ and its packs) fills in:
 * art. 9 (who gets 低保: per-capita income below the standard and the
 * property conditions met), art. 10 (the standard, and how income and
 * property are judged, set by the province or city), art. 11 (application,
 * 信息核查, approval), art. 13 (changes to be reported, 定期核查).  E12
 * rests on the 近亲属备案 rule of 国发〔2012〕45号.  Quality rules (Q01-Q03,
 * Q05) rest on no article: they say the data must be fixed first.  The
 * limits themselves (values, classes, months) are the policy's: the legend
 * names its version, and each flag's evidence gives the values compared.
 *
 * Owns: those texts.  Never: decides a rule, reads a file.
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

/* [rule] = {what it checks, the article} */
static const char *const rule_text[N_RULES][2] = {
    [R_E01] = {"户籍登记该成员已死亡，死亡日期不晚于核对日",
               "《社会救助暂行办法》第十三条（家庭人口状况变化应及时告知，定期核查）"},
    [R_E02] = {"成员户籍已迁出或注销，或登记在其他县（市、区）",
               "《社会救助暂行办法》第十一条、第十三条（向户籍所在地申请；人口状况变化）"},
    [R_E03] = {"成员名下有在用的机动车（车辆类别、用途和价值限额见所用政策）",
               "《社会救助暂行办法》第十条（家庭财产状况认定办法由省、设区的市规定）"},
    [R_E04] = {"计入成员共同持有两套及以上住宅",
               "《社会救助暂行办法》第十条（家庭财产状况认定）"},
    [R_E05] = {"成员持有商业、办公或工业用房（用途见所用政策）",
               "《社会救助暂行办法》第十条（家庭财产状况认定）"},
    [R_E06] = {"计入成员按份额计算的住宅面积，人均超过政策限额",
               "《社会救助暂行办法》第十条（家庭财产状况认定）"},
    [R_E07] = {"成员在存续企业中担任法定代表人、股东等（角色见所用政策）",
               "《社会救助暂行办法》第十条（家庭财产状况认定）"},
    [R_E08] = {"成员在财政供养人员名单中",
               "《社会救助暂行办法》第九条、第十条（家庭收入和财产条件）"},
    [R_E09] = {"计入成员人均月收入（申报收入与工资、社保缴费基数、养老金等取高者）"
               "高于当地低保标准乘以救助类别系数",
               "《社会救助暂行办法》第九条（人均收入低于当地最低生活保障标准）"},
    [R_E10] = {"同一人同时是两个及以上未注销救助户的成员",
               "《社会救助暂行办法》第九条（以共同生活的家庭为单位）"},
    [R_E11] = {"户主户籍户内有未列为成员的配偶或未成年子女",
               "《社会救助暂行办法》第九条（共同生活的家庭成员）"},
    [R_E12] = {"成员是该户经办人员备案的近亲属（须按备案制度复核，不等于不符合条件）",
               "《国务院关于进一步加强和改进最低生活保障工作的意见》"
               "（国发〔2012〕45号）近亲属备案制度"},
    [R_E13] = {"计入成员的存款、理财、证券、基金、保险等金融资产合计超过低保标准×月数×人数",
               "《社会救助暂行办法》第十条（家庭财产状况认定）"},
    [R_E14] = {"成员有火化或安葬记录，日期不晚于核对日（户籍可能尚未注销）",
               "《社会救助暂行办法》第十三条（家庭人口状况变化，定期核查）"},
    [R_E15] = {"计入成员在申请受理前三年内登记取得住宅（含已出售）",
               "《社会救助暂行办法》第十条（家庭财产状况认定办法由省、设区的市规定）"},
    [R_L01] = {"低收入监测、重度残疾等人员的户籍家庭无人在册，财产未超限，"
               "人均收入不高于当地低保标准（疑似漏保）",
               "《社会救助暂行办法》第九条、第十一条（符合条件的应予救助）"},
    [R_L02] = {"已注销的救助户按核对日数据不触发任何错保规则（可能不应注销）",
               "《社会救助暂行办法》第九条、第十三条"},
    [R_P01] = {"自受理申请到审批决定的工作日数超过政策时限",
               "《社会救助暂行办法》第十一条（审核审批程序）"},
    [R_Q01] = {"成员身份证号码无效（位数、出生日期或校验码不符 GB 11643）",
               "数据质量：须先更正名册"},
    [R_Q02] = {"有效身份证号码在户籍数据中查无此人", "数据质量：须先核实户籍"},
    [R_Q03] = {"救助名册中的姓名与户籍姓名不一致", "数据质量：须先核实姓名"},
    [R_Q04] = {"该区划和城乡类别在核对日没有适用的低保标准，收入和金融资产无法判断",
               "《社会救助暂行办法》第十条（标准由省、设区的市确定公布）"},
    [R_Q05] = {"成员登记行中的关系、申报收入、劳动能力或残疾等级无法使用",
               "数据质量：须先更正名册"},
};

const char *pack_rule_check_zh(int r)
{
    return r >= 0 && r < N_RULES && rule_text[r][0] ? rule_text[r][0] : "";
}

const char *pack_rule_article_zh(int r)
{
    return r >= 0 && r < N_RULES && rule_text[r][1] ? rule_text[r][1] : "";
}

const char *const pack_legend_notes[] = {
    "核查结论请从下拉列表选择：确认（线索属实）、排除（线索不属实）、移交（移交有关部门处理）；"
    "并填写核查人、核查日期（年-月-日）和备注。",
    "核查键用于将结论导回系统，请勿修改；未填写结论的行不会导入。",
    "每条线索只是待核查的疑点，不是认定结论：不得仅凭职业或身份认定是否符合救助条件。",
    "身份证号码已脱敏（保留前6位和后4位），证据中的号码同样脱敏。",
    "收入（E09、L01）和金融资产（E13）的证据写明计算过程：金额单位为元，保留两位小数，"
    "除不尽时截至分并加“...”；成员按金额从大到小列出（金额相同按身份证号），"
    "金融资产先按成员合计、再按账户余额排列，账号同样脱敏。",
    NULL,
};
