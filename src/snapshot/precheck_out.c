/* precheck_out.c - a check's answer rendered: text for a caseworker, JSON
 * for other systems (`hedui check --json`, serve's POST /v1/check), and
 * flags.csv rows (precheck.h).
 *
 * Owns: the Chinese labels of rules, kinds, severities, statuses,
 * programs and area types; the wording of the review reasons and of the
 * snapshot-age warning; the JSON shape of a check.  Never: judges a
 * household (precheck.c does) or fails: a write error shows in ferror().
 *
 * JSON shape (one object; keys in this order):
 *   tool, tool_version, as_of, snapshot {path, format_version, feeds_as_of,
 *   built_unix, age_days, max_age_days}, policy {version, xxh64, source,
 *   pack?, policy_hash? (the rules language's policy that judged),
 *   snapshot_pack?, snapshot_policy_hash? (the one the snapshot was built with)},
 *   income_window {first, last, social_insurance_through, not_covered[]},
 *   warnings[], rules_skipped[], rejects[{file, line, reason}],
 *   households[{household_id, status, program, area_type, region_code,
 *   hukou_no, in_registry, no_standard, no_members, verdict, verdict_zh,
 *   review_reasons[{reason, text, text_zh, line?}], findings[{rule_id,
 *   rule_zh, kind, kind_zh, severity, severity_zh, hukou_no, id_no,
 *   evidence}]}]
 */
#include "snapshot/precheck.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "out/lists.h"
#include "pipeline.h"   /* HEDUI_VERSION */

/* ---------- labels ---------- */

const char *const precheck_kind_zh[4] = {"错保", "漏保", "数据质量", "办理流程"};
const char *const precheck_sev_zh[N_SEV] = {"高", "中", "低"};
static const char *const status_zh[N_HS] = {"在保", "暂停", "已注销", "申请中"};
static const char *const program_zh[N_PROG] = {"低保", "特困", "低收入"};
static const char *const area_zh[N_AREA] = {"城市", "农村"};

const char *precheck_rule_zh(int rule)
{
    return rule >= 0 && rule < n_rules ? rule_label_zh(rule) : "";   /* the catalogue's */
}

/* ---------- the wording of reasons ---------- */

/* "2026-06, 2026-07" (at most 12 named, then "...") */
static void month_list(const struct precheck_result *r, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < r->n_uncovered && k + 12 < n; i++) {
        if (i == 12) {
            snprintf(buf + k, n - k, ", ...");
            return;
        }
        char m[8];
        month_format(r->uncovered[i], m);
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", m);
    }
}

/* The why of a reason other than member_row, in English (zh = 0) or
 * Chinese (zh = 1). */
static void reason_text(const struct precheck_base *b, const struct precheck_result *r,
                        const struct household *h, int reason, int zh, char *buf, size_t n)
{
    char a[11], w0[8], w1[8], thr[8] = "-", ml[160];
    date_format(b->info.as_of, a);
    month_format(r->window_first, w0);
    month_format(r->window_last, w1);
    if (r->si_through != SNAP_NO_MONTH)
        month_format(r->si_through, thr);
    month_list(r, ml, sizeof ml);
    switch (reason) {
    case PR_NO_STANDARD:
        snprintf(buf, n, zh ? "区划 %s (%s) 在核对日没有适用的低保标准, 需要标准的规则未评估"
                            : "no standard in force for region %s (%s): the rules that need "
                              "one are not judged",
                 h->region, zh ? area_zh[h->area] : area_names[h->area]);
        break;
    case PR_NO_MEMBERS:
        snprintf(buf, n, zh ? "没有该户可用的成员行, 无法核对"
                            : "no usable member row for the household: nothing to judge");
        break;
    case PR_MEMBER_ROW_UNREAD: {
        char lines[120];
        size_t k = 0;
        lines[0] = '\0';
        for (size_t i = 0; i < r->n_unread && i < 8 && k + 24 < sizeof lines; i++)
            k += (size_t)snprintf(lines + k, sizeof lines - k, "%s%lld", i ? ", " : "",
                                  r->unread_lines[i]);
        snprintf(buf, n, zh ? "成员输入第 %s%s 行无法读取, 可能属于本户"
                            : "members line %s%s could not be read and may belong to this household",
                 lines, r->n_unread > 8 ? ", ..." : "");
        break;
    }
    case PR_FEEDS_SHORT:
        snprintf(buf, n,
                 zh ? "快照中的社保数据完整到 %s (数据截至 %s), 核对日的收入计算期 %s..%s 中 %s "
                      "没有数据: 这些月份会被算作无收入, 请改用更早的核对日或重建快照"
                    : "the snapshot's social insurance covers complete months through %s "
                      "(feeds as of %s); the income window %s..%s lacks %s, which would count "
                      "as no income: judge an earlier as-of date or build a fresh snapshot",
                 thr, a, w0, w1, ml);
        break;
    default:
        buf[0] = '\0';
    }
}

static void age_text(const struct precheck_base *b, const struct precheck_result *r, int zh,
                     char *buf, size_t n)
{
    char a[11], c[11];
    date_format(b->info.as_of, a);
    date_format(r->as_of, c);
    if (zh)
        snprintf(buf, n, "快照数据截至 %s, 距核对日 %s 已 %d 天, 超过 %d 天的上限: 请用 "
                         "'hedui index build' 重建快照",
                 a, c, r->age_days, b->pol.snapshot_max_age_days);
    else
        snprintf(buf, n, "the snapshot's feeds are as of %s, %d days before the check's as-of "
                         "date %s (limit %d days, [check] snapshot_max_age_days): build a fresh "
                         "one with 'hedui index build'",
                 a, r->age_days, c, b->pol.snapshot_max_age_days);
}

void precheck_print_warnings(FILE *f, const struct precheck_base *b,
                             const struct precheck_result *r)
{
    char buf[400];
    if (r->age_warn) {
        age_text(b, r, 0, buf, sizeof buf);
        fprintf(f, "hedui: warning: %s\n", buf);
    }
}

/* ---------- text ---------- */

void precheck_print_text(FILE *f, const struct precheck_base *b, const struct precheck_result *r,
                         const char *index_label)
{
    char asof[11], built[11], buf[600];
    date_format(r->as_of, asof);
    date_format(b->info.as_of, built);
    fprintf(f, "核对 hedui check  快照 %s (数据截至 %s)  政策 %s (%s%s)  核对日期 %s\n",
            index_label, built, b->pol.version, b->pol.hash,
            strcmp(b->rules_src, "snapshot") ? ", --rules" : "", asof);
    if (r->er.by.policy_hash[0] || b->info.policy_compiled[0]) {   /* the rules language's */
        if (r->er.by.policy_hash[0])
            fprintf(f, "规则 policy %s  hash %s", r->er.by.policy_name, r->er.by.policy_hash);
        else
            fprintf(f, "规则 policy (快照 snapshot) %s  hash %s", b->info.policy_pack,
                    b->info.policy_compiled);
        if (r->er.by.policy_hash[0] && b->info.policy_compiled[0])
            fprintf(f, "  (快照 snapshot built with %s  hash %s)", b->info.policy_pack,
                    b->info.policy_compiled);
        fputs("\n", f);
    }
    if (r->age_warn) {
        age_text(b, r, 1, buf, sizeof buf);
        fprintf(f, "警告: %s\n", buf);
    }
    for (int i = 0; r->skipped[i]; i++)
        fprintf(f, "注意: 未评估 %s\n", r->skipped[i]);
    for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++) {
        const struct filestat *fs = &r->gd.files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, k);
            fprintf(f, "注意: 输入行未使用 %s:%lld: %s\n",
                    fi == IN_HOUSEHOLDS ? r->hh_label : r->mem_label, rj->line, rj->reason);
        }
    }
    if (r->n_hh == 0)
        fprintf(f, "\n(没有可核对的户 / no household to check)\n");
    for (size_t i = 0; i < r->n_hh; i++) {
        const struct precheck_hh *x = &r->hh[i];
        const struct household *h = &VEC_AT(r->fd.households, struct household, x->fd_index);
        fprintf(f, "\n户 %s  %s · %s · %s · 区划 %s · 户主户号 %s%s\n", h->id,
                status_zh[h->status], program_zh[h->program], area_zh[h->area], h->region,
                x->head_hukou_no[0] ? x->head_hukou_no : "(无)",
                x->in_registry ? " · 已在名册 (以本次提供的信息核对)" : "");
        fprintf(f, "  结论: %s (%s)", precheck_verdict_zh[x->verdict],
                precheck_verdict_id[x->verdict]);
        if (x->n_flags)
            fprintf(f, " — %zu 项发现: 高 %d, 中 %d, 低 %d", x->n_flags, x->n_sev[SEV_HIGH],
                    x->n_sev[SEV_MEDIUM], x->n_sev[SEV_LOW]);
        fputc('\n', f);
        for (int rs = 0; rs < N_PR; rs++) {
            if (!(x->reasons & (1u << rs)))
                continue;
            if (rs == PR_MEMBER_ROW) {
                for (size_t k = 0; k < x->n_notes; k++) {
                    const struct precheck_row_note *nt = &r->notes[x->first_note + k];
                    fprintf(f, "  需复核: 成员行 %s:%lld %s: %s\n", r->mem_label, nt->line,
                            nt->rejected ? "未使用" : "有无法使用的值", nt->text);
                }
                continue;
            }
            reason_text(b, r, h, rs, 1, buf, sizeof buf);
            fprintf(f, "  需复核: %s\n", buf);
        }
        for (size_t k = 0; k < x->n_flags; k++) {
            const struct flag *g = r->fl[x->first_flag + k];
            fprintf(f, "  %zu. [%s] %s %s (%s)", k + 1, precheck_sev_zh[g->severity],
                    rule_names[g->rule], precheck_rule_zh(g->rule),
                    precheck_kind_zh[rule_kinds[g->rule]]);
            if (g->id_no[0])
                fprintf(f, "  身份证号 %s", g->id_no);
            if (g->hukou_no[0])
                fprintf(f, "  户号 %s", g->hukou_no);
            fprintf(f, "\n     证据: %s\n", g->evidence);
        }
    }
}

/* ---------- JSON ---------- */

static void json_reason(FILE *f, int first, const char *reason, const char *text,
                        const char *text_zh, long long line)
{
    fputs(first ? "{\"reason\":" : ",{\"reason\":", f);
    json_put_str(f, reason);
    fputs(",\"text\":", f);
    json_put_str(f, text);
    fputs(",\"text_zh\":", f);
    json_put_str(f, text_zh);
    if (line > 0)
        fprintf(f, ",\"line\":%lld", line);
    fputc('}', f);
}

static void json_household(FILE *f, const struct precheck_base *b,
                           const struct precheck_result *r, const struct precheck_hh *x)
{
    const struct household *h = &VEC_AT(r->fd.households, struct household, x->fd_index);
    char buf[600], bzh[600];
    json_put_str(f, h->id);
    fputs(",\"status\":", f);
    json_put_str(f, hh_status_names[h->status]);
    fputs(",\"program\":", f);
    json_put_str(f, program_names[h->program]);
    fputs(",\"area_type\":", f);
    json_put_str(f, area_names[h->area]);
    fputs(",\"region_code\":", f);
    json_put_str(f, h->region);
    fputs(",\"hukou_no\":", f);
    json_put_str(f, x->head_hukou_no);
    fprintf(f, ",\"in_registry\":%s,\"no_standard\":%s,\"no_members\":%s,\"verdict\":",
            x->in_registry ? "true" : "false",
            x->reasons & (1u << PR_NO_STANDARD) ? "true" : "false",
            x->reasons & (1u << PR_NO_MEMBERS) ? "true" : "false");
    json_put_str(f, precheck_verdict_id[x->verdict]);
    fputs(",\"verdict_zh\":", f);
    json_put_str(f, precheck_verdict_zh[x->verdict]);
    fputs(",\"review_reasons\":[", f);
    int first = 1;
    for (int rs = 0; rs < N_PR; rs++) {
        if (!(x->reasons & (1u << rs)))
            continue;
        if (rs == PR_MEMBER_ROW) {
            for (size_t k = 0; k < x->n_notes; k++) {
                const struct precheck_row_note *nt = &r->notes[x->first_note + k];
                snprintf(buf, sizeof buf, "%s line %lld %s: %s", r->mem_label, nt->line,
                         nt->rejected ? "not used" : "has an unusable value", nt->text);
                snprintf(bzh, sizeof bzh, "成员行 %s:%lld %s: %s", r->mem_label, nt->line,
                         nt->rejected ? "未使用" : "有无法使用的值", nt->text);
                json_reason(f, first, precheck_reason_id[rs], buf, bzh, nt->line);
                first = 0;
            }
            continue;
        }
        reason_text(b, r, h, rs, 0, buf, sizeof buf);
        reason_text(b, r, h, rs, 1, bzh, sizeof bzh);
        json_reason(f, first, precheck_reason_id[rs], buf, bzh, 0);
        first = 0;
    }
    fputs("],\"findings\":[", f);
    for (size_t k = 0; k < x->n_flags; k++) {
        const struct flag *g = r->fl[x->first_flag + k];
        fputs(k ? ",{\"rule_id\":" : "{\"rule_id\":", f);
        json_put_str(f, rule_names[g->rule]);
        fputs(",\"rule_zh\":", f);
        json_put_str(f, precheck_rule_zh(g->rule));
        fputs(",\"kind\":", f);
        json_put_str(f, kind_names[rule_kinds[g->rule]]);
        fputs(",\"kind_zh\":", f);
        json_put_str(f, precheck_kind_zh[rule_kinds[g->rule]]);
        fputs(",\"severity\":", f);
        json_put_str(f, severity_names[g->severity]);
        fputs(",\"severity_zh\":", f);
        json_put_str(f, precheck_sev_zh[g->severity]);
        fputs(",\"hukou_no\":", f);
        json_put_str(f, g->hukou_no);
        fputs(",\"id_no\":", f);
        json_put_str(f, g->id_no);
        fputs(",\"evidence\":", f);
        json_put_str(f, g->evidence);
        fputc('}', f);
    }
    fputs("]}", f);
}

void precheck_print_json(FILE *f, const struct precheck_base *b, const struct precheck_result *r,
                         const char *index_label)
{
    char asof[11], built[11], m[8], buf[600];
    date_format(r->as_of, asof);
    date_format(b->info.as_of, built);
    fputs("{\"tool\":\"hedui\",\"tool_version\":", f);
    json_put_str(f, HEDUI_VERSION);
    fputs(",\"as_of\":", f);
    json_put_str(f, asof);
    fputs(",\"snapshot\":{\"path\":", f);
    json_put_str(f, index_label);
    fprintf(f, ",\"format_version\":%u,\"feeds_as_of\":", b->info.format_version);
    json_put_str(f, built);
    fprintf(f, ",\"built_unix\":%lld,\"age_days\":%d,\"max_age_days\":%d}", b->info.built_unix,
            r->age_days, b->pol.snapshot_max_age_days);
    fputs(",\"policy\":{\"version\":", f);
    json_put_str(f, b->pol.version);
    fputs(",\"xxh64\":", f);
    json_put_str(f, b->pol.hash);
    fputs(",\"source\":", f);
    json_put_str(f, b->rules_src);
    if (r->er.by.policy_hash[0]) {   /* the rules language's policy that judged */
        fputs(",\"pack\":", f);
        json_put_str(f, r->er.by.policy_name);
        fputs(",\"policy_hash\":", f);
        json_put_str(f, r->er.by.policy_hash);
    }
    if (b->info.policy_compiled[0]) {   /* the one the snapshot was built with */
        fputs(",\"snapshot_pack\":", f);
        json_put_str(f, b->info.policy_pack);
        fputs(",\"snapshot_policy_hash\":", f);
        json_put_str(f, b->info.policy_compiled);
    }
    month_format(r->window_first, m);
    fprintf(f, "},\"income_window\":{\"first\":\"%s\"", m);
    month_format(r->window_last, m);
    fprintf(f, ",\"last\":\"%s\",\"social_insurance_through\":", m);
    if (r->si_through == SNAP_NO_MONTH) {
        fputs("null", f);
    } else {
        month_format(r->si_through, m);
        fprintf(f, "\"%s\"", m);
    }
    fputs(",\"not_covered\":[", f);
    for (int i = 0; i < r->n_uncovered; i++) {
        month_format(r->uncovered[i], m);
        fprintf(f, "%s\"%s\"", i ? "," : "", m);
    }
    fputs("]},\"warnings\":[", f);
    if (r->age_warn) {
        age_text(b, r, 0, buf, sizeof buf);
        json_put_str(f, buf);
    }
    fputs("],\"rules_skipped\":[", f);
    for (int i = 0; r->skipped[i]; i++) {
        if (i)
            fputc(',', f);
        json_put_str(f, r->skipped[i]);
    }
    fputs("],\"rejects\":[", f);
    int first = 1;
    for (int fi = IN_HOUSEHOLDS; fi <= IN_MEMBERS; fi++) {
        const struct filestat *fs = &r->gd.files[fi];
        for (size_t k = 0; k < fs->rejects.n; k++) {
            const struct reject *rj = &VEC_AT(fs->rejects, struct reject, k);
            fputs(first ? "{\"file\":" : ",{\"file\":", f);
            first = 0;
            json_put_str(f, fi == IN_HOUSEHOLDS ? r->hh_label : r->mem_label);
            fprintf(f, ",\"line\":%lld,\"reason\":", rj->line);
            json_put_str(f, rj->reason);
            fputc('}', f);
        }
    }
    fputs("],\"households\":[", f);
    for (size_t i = 0; i < r->n_hh; i++) {
        fputs(i ? ",\n{\"household_id\":" : "\n{\"household_id\":", f);
        json_household(f, b, r, &r->hh[i]);
    }
    fputs("\n]}\n", f);
}

/* ---------- flags.csv rows ---------- */

void precheck_print_csv(FILE *f, const struct precheck_result *r)
{
    lists_flag_header(f, NULL);   /* flags.csv's own header and rows (out/lists.c) */
    for (size_t i = 0; i < r->n_hh; i++)
        for (size_t k = 0; k < r->hh[i].n_flags; k++)
            lists_flag_row(f, r->fl[r->hh[i].first_flag + k], 1);
}
