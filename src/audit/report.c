/* report.c - report.html, self-contained (see report.h).
 *
 * Owns: the page: its head and CSP, its sections but the queue, charts,
 * styles, and the Chinese names of what the contract spells in English
 * (severities, kinds, changes, verdicts, programs).  Renders a struct
 * report_input, filled from the run in memory or from a published run's
 * files (report_input.c); the review queue and the script are
 * report_queue.c's.  Never reads a file; never prints an unmasked ID
 * number.
 */
#include "audit/report.h"

#include <string.h>

#include "base/idmask.h"

/* ---------- Chinese names ---------- */

static const char *sev_zh(const char *sev)
{
    static const char *const en[] = {"high", "medium", "low", "off"};
    static const char *const zh[] = {"高", "中", "低", "停用"};
    for (int i = 0; sev && i < 4; i++)
        if (strcmp(sev, en[i]) == 0)
            return zh[i];
    return sev ? sev : "";
}

static const char *change_zh(const char *c)
{
    if (!c || !*c)
        return "";
    return strcmp(c, "new") == 0          ? "新增"
           : strcmp(c, "persisting") == 0 ? "持续"
           : strcmp(c, "resolved") == 0   ? "已解决"
                                          : c;
}

static const char *outcome_zh(const char *o)
{
    if (!o || !*o)
        return "";
    return strcmp(o, "confirmed") == 0  ? "已确认"
           : strcmp(o, "cleared") == 0  ? "已排除"
           : strcmp(o, "referred") == 0 ? "已移交"
                                        : o;
}

static const char *program_zh(const char *p)
{
    return strcmp(p, "dibao") == 0      ? "低保"
           : strcmp(p, "tekun") == 0    ? "特困供养"
           : strcmp(p, "dishouru") == 0 ? "低收入家庭"
                                        : p;
}

static const char *const kind_zh[4] = {"错保", "漏保", "数据质量", "办理流程"};

static int rule_of(const char *name)
{
    for (int r = 0; r < n_rules; r++)
        if (strcmp(rule_names[r], name) == 0)
            return r;
    return -1;
}

/* ---------- HTML helpers ---------- */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Evidence is at most ~2 KiB (vm_text.c); longer text is cut, never
 * shown unmasked. */
static void esc_masked_text(FILE *f, const char *s)
{
    char m[8192];
    idmask_text(s, m, sizeof m);
    esc(f, m);
}

static void esc_masked_id(FILE *f, const char *id)
{
    char m[256];
    idmask_value(id, m, sizeof m);
    esc(f, m);
}

static const char page_css[] =
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Microsoft "
    "YaHei',sans-serif;margin:0;color:#1f2933;background:#f5f7fa}"
    "header{background:#243b53;color:#fff;padding:18px 32px}"
    "header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#bcccdc}"
    "nav{background:#334e68;padding:6px 32px}nav a{color:#d9e2ec;margin-right:18px;"
    "text-decoration:none}"
    "main{padding:8px 32px 32px;max-width:1240px}"
    "section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);"
    "padding:12px 20px 16px;margin:16px 0}"
    "h2{font-size:17px;margin:4px 0 10px;color:#102a43}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}"
    ".card{flex:1 1 130px;border:1px solid #d9e2ec;border-radius:6px;padding:8px 12px}"
    ".card .n{font-size:24px;font-weight:600}.card .l{color:#627d98;font-size:12px}"
    ".new .n{color:#c2410c}.persisting .n{color:#1d4ed8}.resolved .n{color:#15803d}"
    "table{border-collapse:collapse;width:100%;font-size:12.5px}"
    "th,td{border-bottom:1px solid #e4e7eb;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#f0f4f8;position:sticky;top:0}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".muted{color:#829ab1}.warn{background:#fff4e5;border-left:4px solid #e67e22;padding:8px 12px}.tag{display:inline-block;border-radius:3px;padding:0 5px;"
    "font-size:11px;color:#fff}.tag.new{background:#c2410c}.tag.persisting{background:#1d4ed8}"
    ".tag.resolved{background:#15803d}.sev-high{color:#b91c1c;font-weight:600}"
    ".sev-medium{color:#b45309}.sev-low{color:#627d98}"
    ".scroll{max-height:520px;overflow:auto;border:1px solid #e4e7eb}"
    "pre{background:#f0f4f8;padding:10px;overflow:auto;max-height:420px;font-size:12px}"
    "input[type=search]{padding:4px 8px;width:320px;margin:4px 0 8px;border:1px solid #bcccdc;"
    "border-radius:4px}"
    "svg text{font-size:12px;fill:#334e68}.legend span{display:inline-block;width:12px;"
    "height:12px;margin:0 4px 0 12px;vertical-align:-1px}"
    "footer{color:#829ab1;font-size:12px;padding:0 32px 24px}"
    /* the review queue (report_queue.c) */
    ".filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:6px 0}"
    ".filters select,.filters input{padding:3px 6px;border:1px solid #bcccdc;border-radius:4px;"
    "max-width:260px}.filters input{width:220px;margin:0}"
    "button{padding:3px 10px;border:1px solid #9fb3c8;border-radius:4px;background:#f0f4f8;"
    "cursor:pointer}button:disabled{color:#9fb3c8;cursor:default}"
    ".pager{display:flex;gap:10px;align-items:center;margin:6px 0}"
    ".qhead,details.hh>summary{display:grid;grid-template-columns:96px 44px 112px 150px 44px "
    "minmax(200px,1fr) 84px 56px;gap:8px;padding:4px 6px;align-items:baseline}"
    ".qhead{background:#f0f4f8;font-weight:600;font-size:12.5px;border-bottom:1px solid #d9e2ec}"
    "details.hh{border-bottom:1px solid #e4e7eb;font-size:12.5px}"
    "details.hh>summary{cursor:pointer;list-style:none}"
    "details.hh>summary::-webkit-details-marker{display:none}"
    "details.hh>summary:hover{background:#f7fafc}details.hh[open]>summary{background:#e6f0fb}"
    ".c-town::before{content:'\\25B8  ';color:#829ab1}"
    "details[open] .c-town::before{content:'\\25BE  '}"
    ".qhead .num,summary .num{text-align:right}"
    ".rule{display:inline-block;border:1px solid #d9e2ec;border-radius:3px;padding:0 4px;"
    "margin:0 4px 2px 0;font-size:12px;background:#fff}"
    ".rule.sev-high{border-color:#fca5a5}.rule.sev-medium{border-color:#fcd34d}"
    "table.flags{margin:4px 0 10px 24px;width:calc(100% - 24px);background:#fbfcfe}"
    "table.flags td.ev{min-width:360px}.cap{color:#b45309}"
    ".tag.new,.tag.persisting,.tag.resolved{font-weight:400}";

/* ---------- charts (inline SVG) ---------- */

static const char *const C_NEW = "#ea580c", *const C_PERS = "#2563eb", *const C_LOW = "#94a3b8",
                        *const C_QUEUE = "#0f766e", *const C_RES = "#16a34a";

/* Horizontal bars, optionally two stacked segments (a then b). */
static void svg_hbars(FILE *f, const char *label, int n, const char *const *names,
                      const long long *a, const long long *b, const char *ca, const char *cb)
{
    long long max = 1;
    for (int i = 0; i < n; i++) {
        long long t = a[i] + (b ? b[i] : 0);
        if (t > max)
            max = t;
    }
    const int row = 22, left = 210, width = 560, h = n * row + 10;
    fprintf(f, "<svg role=\"img\" aria-label=\"");
    esc(f, label);
    fprintf(f, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">", left + width + 90, h,
            left + width + 90, h);
    for (int i = 0; i < n; i++) {
        int y = 5 + i * row;
        long long t = a[i] + (b ? b[i] : 0);
        double wa = (double)width * (double)a[i] / (double)max;
        double wb = b ? (double)width * (double)b[i] / (double)max : 0;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
        esc(f, names[i]);
        fprintf(f, "</text>");
        if (a[i] > 0)
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                       "<title>%lld</title></rect>", left, y + 2, wa < 1 ? 1 : wa, ca, a[i]);
        if (b && b[i] > 0)
            fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\">"
                       "<title>%lld</title></rect>", left + wa, y + 2, wb < 1 ? 1 : wb, cb, b[i]);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\">%lld</text>", left + wa + wb + 6, y + 15, t);
    }
    fputs("</svg>", f);
}

/* Lines over runs: up to 4 series, -1 = unknown (gap). */
static void svg_trend(FILE *f, const struct history_row *h, size_t n)
{
    const int W = 900, H = 280, L = 60, R = 20, T = 20, B = 60;
    const char *names[4] = {"标记", "复核队列", "新增", "已解决"};
    const char *colors[4] = {C_PERS, C_QUEUE, C_NEW, C_RES};
    long long max = 1;
    for (size_t i = 0; i < n; i++) {
        const long long v[4] = {h[i].flags, h[i].queue, h[i].new_, h[i].resolved};
        for (int s = 0; s < 4; s++)
            if (v[s] > max)
                max = v[s];
    }
    fprintf(f, "<div class=\"legend\">");
    for (int s = 0; s < 4; s++)
        fprintf(f, "<span style=\"background:%s\"></span>%s", colors[s], names[s]);
    fprintf(f, "</div><svg role=\"img\" aria-label=\"trend over runs\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\">", W, H, W, H);
    /* axes and grid */
    for (int g = 0; g <= 4; g++) {
        double y = T + (double)(H - T - B) * (4 - g) / 4.0;
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e7eb\"/>"
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>",
                L, W - R, y, y, L - 6, y + 4, max * g / 4);
    }
    double step = n > 1 ? (double)(W - L - R) / (double)(n - 1) : 0;
    size_t every = n > 12 ? (n + 11) / 12 : 1;
    for (size_t i = 0; i < n; i++) {
        double x = n > 1 ? L + step * (double)i : L + (W - L - R) / 2.0;
        if (i % every == 0 || i == n - 1)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
                       "transform=\"rotate(-35 %.1f %d)\">%s</text>",
                    x, H - B + 16, x, H - B + 16, h[i].as_of);
    }
    for (int s = 0; s < 4; s++) {
        int open = 0;
        for (size_t i = 0; i < n; i++) {
            const long long v[4] = {h[i].flags, h[i].queue, h[i].new_, h[i].resolved};
            double x = n > 1 ? L + step * (double)i : L + (W - L - R) / 2.0;
            if (v[s] < 0) {
                if (open)
                    fputs("\"/>", f);
                open = 0;
                continue;
            }
            double y = T + (double)(H - T - B) * (1.0 - (double)v[s] / (double)max);
            if (!open)
                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                        colors[s]);
            fprintf(f, "%.1f,%.1f ", x, y);
            open = 1;
        }
        if (open)
            fputs("\"/>", f);
        for (size_t i = 0; i < n; i++) {
            const long long v[4] = {h[i].flags, h[i].queue, h[i].new_, h[i].resolved};
            if (v[s] < 0)
                continue;
            double x = n > 1 ? L + step * (double)i : L + (W - L - R) / 2.0;
            double y = T + (double)(H - T - B) * (1.0 - (double)v[s] / (double)max);
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %s: "
                       "%lld</title></circle>", x, y, colors[s], h[i].as_of, names[s], v[s]);
        }
    }
    fputs("</svg>", f);
}

static void card(FILE *f, const char *cls, long long n, const char *label)
{
    fprintf(f, "<div class=\"card %s\"><div class=\"n\">", cls);
    if (n >= 0)
        fprintf(f, "%lld", n);
    else
        fputs("&ndash;", f);
    fprintf(f, "</div><div class=\"l\">%s</div></div>", label);
}

static void num_cell(FILE *f, long long v)
{
    if (v >= 0)
        fprintf(f, "<td class=\"num\">%lld</td>", v);
    else
        fputs("<td class=\"num muted\">&ndash;</td>", f);
}

/* The page's head: title, CSP, header line, navigation.  The CSP lets no
 * request out (default-src 'none') and runs only the page's own script,
 * by its hash; inline styles stay allowed (they cannot fetch: images only
 * as data: URLs, fonts not at all). */
static void page_head(FILE *f, const struct report_input *ri)
{
    char hash[64];
    report_script_hash(hash);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'unsafe-inline'; script-src %s; img-src data:; base-uri 'none'; "
               "form-action 'none'\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>hedui 核对报告（截至 ", hash);
    esc(f, ri->as_of);
    fprintf(f, "）</title>\n<style>%s</style></head>\n<body>\n", page_css);
    fputs("<header><h1>社会救助家庭经济状况核对报告 &mdash; 截至 ", f);
    esc(f, ri->as_of);
    fputs("</h1><p>hedui ", f);
    esc(f, ri->tool_version ? ri->tool_version : "?");
    fputs(" &middot; 规则版本 ", f);
    esc(f, ri->rules_version ? ri->rules_version : "?");
    fputs(" &middot; 抽查种子 ", f);
    esc(f, ri->seed);
    fputs(" &middot; 身份证号已遮蔽（保留前 6 位和后 4 位） &middot; 页面 "
          "<span id=\"js-status\">静态</span></p></header>\n"
          "<nav><a href=\"#summary\">概要</a><a href=\"#queue\">复核队列</a>"
          "<a href=\"#rules\">各规则</a><a href=\"#townships\">各乡镇</a>"
          "<a href=\"#trend\">趋势</a><a href=\"#resolved\">已解决</a>"
          "<a href=\"#spot\">抽查</a><a href=\"#nostd\">无适用标准</a>"
          "<a href=\"#manifest\">运行清单</a></nav>\n<main>\n", f);
}

/* The cards: counts, changes, verdicts. */
static void section_summary(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"summary\"><h2>概要</h2><div class=\"cards\">", f);
    card(f, "", ri->n_flags, "标记（规则触发次数）");
    card(f, "", ri->n_queue, "复核队列（户）");
    card(f, "", ri->n_spot, "抽查样本（户）");
    card(f, "new", ri->compare ? ri->n_new : -1, "新增（上次运行以来）");
    card(f, "persisting", ri->compare ? ri->n_persisting : -1, "持续");
    card(f, "resolved", ri->compare ? ri->n_resolved : -1, "已解决（不再触发）");
    card(f, "", ri->n_no_std_hh, "无适用标准的家庭（户）");
    fputs("</div>", f);
    if (ri->have_held) {
        fputs("<div class=\"cards\" style=\"margin-top:12px\">", f);
        card(f, "", ri->held[OC_CLEARED], "已排除（核查无误，不再进入队列）");
        card(f, "", ri->held[OC_CONFIRMED], "已确认（跟踪，不再进入队列）");
        card(f, "", ri->held[OC_REFERRED], "已移交（跟踪，不再进入队列）");
        card(f, "", ri->held[OC_NONE], "尚无核查结论");
        fputs("</div>", f);
    }
    if (!ri->compare)
        fputs("<p class=\"muted\">未与上次运行比较（运行时加 --previous DIR 或 --state DIR "
              "可看到新增、持续和已解决）。</p>", f);
    fputs("</section>\n", f);
}

/* Flags per rule: bars (new and persisting when the run compared) and a table. */
static void section_rules(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"rules\"><h2>各规则的标记</h2>", f);
    const char *names[RULES_MAX];
    char label[RULES_MAX][96];
    long long a[RULES_MAX], b[RULES_MAX];
    int n = 0, split = ri->compare;
    for (int r = 0; r < n_rules; r++) {
        if (ri->rule_count[r] <= 0)
            continue;
        snprintf(label[n], sizeof label[n], "%.3s %s", rule_names[r], rule_label_zh(r));
        names[n] = label[n];
        if (split && ri->rule_new[r] >= 0) {
            a[n] = ri->rule_new[r];
            b[n] = ri->rule_count[r] - ri->rule_new[r];
        } else {
            a[n] = ri->rule_count[r];
            b[n] = 0;
        }
        n++;
    }
    if (split)
        fprintf(f, "<div class=\"legend\"><span style=\"background:%s\"></span>新增"
                   "<span style=\"background:%s\"></span>持续</div>", C_NEW, C_PERS);
    if (n)
        svg_hbars(f, "各规则的标记", n, names, a, split ? b : NULL, split ? C_NEW : C_PERS,
                  C_PERS);
    else
        fputs("<p class=\"muted\">没有规则触发。</p>", f);
    fputs("<table><thead><tr><th>规则</th><th>名称</th><th>类别</th><th>严重程度</th>"
          "<th class=\"num\">标记</th><th class=\"num\">新增</th></tr></thead><tbody>", f);
    for (int r = 0; r < n_rules; r++) {
        fputs("<tr><td>", f);
        esc(f, rule_names[r]);
        fputs("</td><td>", f);
        esc(f, rule_label_zh(r));
        fputs("</td><td>", f);
        esc(f, kind_zh[rule_catalogue[r].kind]);
        fputs("</td><td>", f);
        esc(f, sev_zh(ri->rule_severity[r]));
        fputs("</td>", f);
        num_cell(f, ri->rule_count[r]);
        num_cell(f, ri->compare ? ri->rule_new[r] : -1);
        fputs("</tr>", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* Flags per township: the 30 with the most drawn, every one in the table. */
static void section_townships(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"townships\"><h2>各乡镇的标记</h2>", f);
    if (ri->n_towns) {
        size_t n = ri->n_towns < 30 ? ri->n_towns : 30;
        const char *names[30];
        long long a[30], b[30];
        for (size_t i = 0; i < n; i++) {
            names[i] = ri->towns[i].code;
            a[i] = ri->towns[i].serious;
            b[i] = ri->towns[i].flags - ri->towns[i].serious;
        }
        fprintf(f, "<div class=\"legend\"><span style=\"background:%s\"></span>高或中"
                   "<span style=\"background:%s\"></span>低</div>", C_NEW, C_LOW);
        svg_hbars(f, "各乡镇的标记", (int)n, names, a, b, C_NEW, C_LOW);
        if (ri->n_towns > 30)
            fprintf(f, "<p class=\"muted\">图中为标记最多的 30 个乡镇；全部 %zu 个乡镇见下表。</p>",
                    ri->n_towns);
        fputs("<div class=\"scroll\"><table><thead><tr><th>乡镇</th><th class=\"num\">标记</th>"
              "<th class=\"num\">高或中</th><th class=\"num\">复核队列（户）</th></tr></thead>"
              "<tbody>", f);
        for (size_t i = 0; i < ri->n_towns; i++) {
            fputs("<tr><td>", f);
            esc(f, ri->towns[i].code);
            fputs("</td>", f);
            num_cell(f, ri->towns[i].flags);
            num_cell(f, ri->towns[i].serious);
            num_cell(f, ri->towns[i].queue);
            fputs("</tr>", f);
        }
        fputs("</tbody></table></div>", f);
    } else {
        fputs("<p class=\"muted\">没有标记。</p>", f);
    }
    fputs("</section>\n", f);
}

/* The trend over past runs. */
static void section_trend(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"trend\"><h2>历次运行趋势</h2>", f);
    if (ri->n_hist) {
        svg_trend(f, ri->hist, ri->n_hist);
        fputs("<div class=\"scroll\"><table><thead><tr><th>运行</th><th>截至日期</th>"
              "<th class=\"num\">标记</th><th class=\"num\">新增</th><th class=\"num\">持续</th>"
              "<th class=\"num\">已解决</th><th class=\"num\">复核队列</th>"
              "<th class=\"num\">有核查结论</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_hist; i++) {
            const struct history_row *h = &ri->hist[i];
            fputs("<tr><td>", f);
            if (h->run > 0)
                fprintf(f, "%d", h->run);
            fputs("</td><td>", f);
            esc(f, h->as_of);
            fputs("</td>", f);
            num_cell(f, h->flags);
            num_cell(f, h->new_);
            num_cell(f, h->persisting);
            num_cell(f, h->resolved);
            num_cell(f, h->queue);
            num_cell(f, h->held);
            fputs("</tr>", f);
        }
        fputs("</tbody></table></div>", f);
    } else {
        fputs("<p class=\"muted\">没有以往运行的记录（运行时加 --state DIR，或用 "
              "'hedui report --history DIR...'）。</p>", f);
    }
    fputs("</section>\n", f);
}

/* The resolved findings, masked. */
static void section_resolved(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"resolved\"><h2>已解决的发现</h2>", f);
    if (!ri->compare) {
        fputs("<p class=\"muted\">未与上次运行比较，无法列出已解决的发现。</p></section>\n", f);
        return;
    }
    fprintf(f, "<p class=\"muted\">上次运行有、本次不再触发的发现共 %lld 条", ri->findings_total);
    if ((long long)ri->n_findings < ri->findings_total)
        fprintf(f, "，本页列出前 %zu 条，全部见 changes.csv", ri->n_findings);
    fputs("。证据为上次运行时的证据，身份证号已遮蔽。</p>", f);
    if (!ri->n_findings) {
        fputs("</section>\n", f);
        return;
    }
    fputs("<div class=\"scroll\"><table id=\"resolved-table\"><thead><tr><th>变化</th>"
          "<th>规则</th><th>名称</th><th>严重程度</th><th>户编号</th><th>户号</th>"
          "<th>身份证号</th><th>区划</th><th>核查结论</th><th>证据</th></tr></thead><tbody>", f);
    for (size_t i = 0; i < ri->n_findings; i++) {
        const struct rep_finding *x = &ri->findings[i];
        fputs("<tr><td>", f);
        if (x->change && *x->change) {
            fputs("<span class=\"tag ", f);
            esc(f, x->change);
            fputs("\">", f);
            esc(f, change_zh(x->change));
            fputs("</span>", f);
        }
        fputs("</td><td>", f);
        esc(f, x->rule_id);
        fputs("</td><td>", f);
        esc(f, rule_label_zh(rule_of(x->rule_id)));
        fputs("</td><td class=\"sev-", f);
        esc(f, x->severity);
        fputs("\">", f);
        esc(f, sev_zh(x->severity));
        fputs("</td><td>", f);
        esc(f, x->household_id);
        fputs("</td><td>", f);
        esc(f, x->hukou_no);
        fputs("</td><td>", f);
        esc_masked_id(f, x->id_no);
        fputs("</td><td>", f);
        esc(f, x->region);
        fputs("</td><td>", f);
        esc(f, outcome_zh(x->disposition));
        fputs("</td><td>", f);
        esc_masked_text(f, x->evidence);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

/* The spot-check sample. */
static void section_spot(FILE *f, const struct report_input *ri)
{
    fprintf(f, "<section id=\"spot\"><h2>抽查样本</h2><p class=\"muted\">从本月审批的家庭中随机抽取 "
               "%lld 户（与标记无关）。</p>", ri->n_spot);
    if (ri->n_spot_rows) {
        fputs("<div class=\"scroll\"><table><thead><tr><th>乡镇</th><th>救助项目</th>"
              "<th>户编号</th><th>抽取说明</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_spot_rows; i++) {
            const struct rep_spot *s = &ri->spot[i];
            fputs("<tr><td>", f);
            esc(f, s->township);
            fputs("</td><td>", f);
            esc(f, program_zh(s->program));
            fputs("</td><td>", f);
            esc(f, s->household_id);
            fputs("</td><td>", f);
            esc_masked_text(f, s->reason);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>", f);
        if ((long long)ri->n_spot_rows < ri->n_spot)
            fprintf(f, "<p class=\"muted\">本页列出前 %zu 户；全部见 spotcheck.csv。</p>",
                    ri->n_spot_rows);
    }
    fputs("</section>\n", f);
}

/* The households and candidates without a standard in force: their
 * income and assets cannot be judged, so staff must see where they are
 * (by region and area type: the standards.csv rows to add) and which. */
static void section_nostd(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"nostd\"><h2>无适用低保标准</h2>", f);
    if (ri->n_no_std_hh < 0) {
        fputs("<p class=\"muted\">这次运行的 manifest.json 没有记录无适用标准的家庭"
              "（较早版本的 hedui）。</p></section>\n", f);
        return;
    }
    if (ri->n_no_std_hh == 0 && ri->n_no_std_cand == 0) {
        fprintf(f, "<p>核对日 %s 每户、每名申请人都有适用的低保标准。</p></section>\n",
                ri->as_of);
        return;
    }
    fprintf(f, "<p class=\"warn\">核对日 %s 有 <b>%lld</b> 户在册家庭、<b>%lld</b> 名申请人"
               "找不到适用的低保标准（standards.csv 中没有其地区和城乡类别在该日生效的标准）。"
               "这些家庭的收入和金融资产无法与标准比较，申请人的漏保规则也无法判断；"
               "未注销的家庭已列为数据问题，进入复核队列。请补齐下表地区的标准后重新运行。</p>",
            ri->as_of, ri->n_no_std_hh, ri->n_no_std_cand);
    if (ri->n_no_std_regions) {
        fputs("<div class=\"scroll\"><table><thead><tr><th>地区代码</th><th>城乡类别</th>"
              "<th>家庭（户）</th><th>申请人（人）</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_no_std_regions; i++) {
            const struct nostd_region *g = &ri->no_std_regions[i];
            fputs("<tr><td>", f);
            esc_masked_text(f, g->region);
            fputs("</td><td>", f);
            esc(f, strcmp(g->area, "urban") == 0   ? "城市"
                   : strcmp(g->area, "rural") == 0 ? "农村"
                                                   : g->area);
            fprintf(f, "</td><td>%lld</td><td>%lld</td></tr>\n", g->households, g->candidates);
        }
        fputs("</tbody></table></div>", f);
    }
    if (ri->n_no_std_hh_shown) {
        fputs("<p>家庭（户编号）：", f);
        for (size_t i = 0; i < ri->n_no_std_hh_shown; i++) {
            fputs(i ? "、" : "", f);
            esc_masked_text(f, ri->no_std_hh[i]);
        }
        if ((long long)ri->n_no_std_hh_shown < ri->n_no_std_hh)
            fprintf(f, " 等（本页列出前 %zu 户，全部见 manifest.json 的 no_standard）",
                    ri->n_no_std_hh_shown);
        fputs("</p>", f);
    }
    if (ri->n_no_std_cand_shown) {
        fputs("<p>申请人（candidates.csv 的行号）：", f);
        for (size_t i = 0; i < ri->n_no_std_cand_shown; i++)
            fprintf(f, "%s%lld", i ? "、" : "", ri->no_std_cand_lines[i]);
        if ((long long)ri->n_no_std_cand_shown < ri->n_no_std_cand)
            fprintf(f, " 等（本页列出前 %zu 行，全部见 manifest.json）", ri->n_no_std_cand_shown);
        fputs("</p>", f);
    }
    fputs("</section>\n", f);
}

/* The manifest, the script, and the page's end. */
static void section_manifest(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"manifest\"><h2>运行清单</h2><p>输入文件的大小和 XXH3-128 校验值、规则版本"
          "和哈希、截至日期、抽查种子、逐文件的行数核对、各规则计数和耗时：复现本次运行所需的全部信息"
          "（manifest.json）。</p>", f);
    if (ri->manifest_json) {
        fputs("<details><summary>manifest.json</summary><pre>", f);
        esc(f, ri->manifest_json);
        fputs("</pre></details>", f);
    } else {
        fputs("<p class=\"muted\">未找到 manifest.json。</p>", f);
    }
    fputs("</section>\n</main>\n<footer>由 hedui ", f);
    esc(f, ri->tool_version ? ri->tool_version : "?");
    fputs(" 生成。标记是需要人工核查的线索，不是结论。本页自成一体，不访问网络。</footer>\n", f);
    fprintf(f, "<script>%s</script>\n</body></html>\n", report_page_js);
}

int report_html(FILE *f, const struct report_input *ri)
{
    page_head(f, ri);
    section_summary(f, ri);
    report_queue_section(f, &ri->queue);
    section_rules(f, ri);
    section_townships(f, ri);
    section_trend(f, ri);
    section_resolved(f, ri);
    section_spot(f, ri);
    section_nostd(f, ri);
    section_manifest(f, ri);
    return E_OK;
}
