/* report.c - report.html, self-contained (see report.h).
 *
 * Owns: the page: its sections, charts, styles and script.  Renders a
 * struct report_input, filled from the run in memory or from a published
 * run's files (report_input.c).  Never reads a file; never prints an
 * unmasked ID number.
 */
#include "audit/report.h"

#include <string.h>

#include "base/idmask.h"

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

/* Evidence is at most ~2 KiB (evaluate.c); longer text is cut, never
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
    ".muted{color:#829ab1}.tag{display:inline-block;border-radius:3px;padding:0 5px;"
    "font-size:11px;color:#fff}.tag.new{background:#c2410c}.tag.persisting{background:#1d4ed8}"
    ".tag.resolved{background:#15803d}.sev-high{color:#b91c1c;font-weight:600}"
    ".sev-medium{color:#b45309}.sev-low{color:#627d98}"
    ".scroll{max-height:520px;overflow:auto;border:1px solid #e4e7eb}"
    "pre{background:#f0f4f8;padding:10px;overflow:auto;max-height:420px;font-size:12px}"
    "input[type=search]{padding:4px 8px;width:320px;margin:4px 0 8px;border:1px solid #bcccdc;"
    "border-radius:4px}"
    "svg text{font-size:12px;fill:#334e68}.legend span{display:inline-block;width:12px;"
    "height:12px;margin:0 4px 0 12px;vertical-align:-1px}"
    "footer{color:#829ab1;font-size:12px;padding:0 32px 24px}";

static const char page_js[] =
    "(function(){'use strict';"
    "var q=document.getElementById('filter');"
    "var rows=document.querySelectorAll('#findings-table tbody tr');"
    "var shown=document.getElementById('filter-count');"
    "function apply(){var t=q.value.toLowerCase(),n=0;"
    "for(var i=0;i<rows.length;i++){var ok=rows[i].textContent.toLowerCase().indexOf(t)>=0;"
    "rows[i].style.display=ok?'':'none';if(ok)n++;}"
    "if(shown)shown.textContent=n+' / '+rows.length;}"
    "if(q){q.addEventListener('input',apply);apply();}"
    "var st=document.getElementById('js-status');if(st)st.textContent='interactive';"
    "document.body.setAttribute('data-ready','1');"
    "})();";

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
    const char *names[4] = {"flags", "review queue", "new", "resolved"};
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

/* A table cell of text, written by put (esc, esc_masked_text, ...). */
static void text_cell(FILE *f, void (*put)(FILE *f, const char *s), const char *s)
{
    fputs("<td>", f);
    put(f, s);
    fputs("</td>", f);
}

static void num_cell(FILE *f, long long v)
{
    if (v >= 0)
        fprintf(f, "<td class=\"num\">%lld</td>", v);
    else
        fputs("<td class=\"num muted\">&ndash;</td>", f);
}

/* The page's head: title, header line, navigation. */
static void page_head(FILE *f, const struct report_input *ri)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>hedui 核对 report, as of ", f);
    esc(f, ri->as_of);
    fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n", page_css);
    fputs("<header><h1>核对 cross-check report &mdash; as of ", f);
    esc(f, ri->as_of);
    fputs("</h1><p>hedui ", f);
    esc(f, ri->tool_version ? ri->tool_version : "?");
    fputs(" &middot; rules ", f);
    esc(f, ri->rules_version ? ri->rules_version : "?");
    fputs(" &middot; seed ", f);
    esc(f, ri->seed);
    fputs(" &middot; ID numbers masked (first 6 and last 4 characters) &middot; page "
          "<span id=\"js-status\">static</span></p></header>\n"
          "<nav><a href=\"#summary\">Summary</a><a href=\"#rules\">Rules</a>"
          "<a href=\"#townships\">Townships</a><a href=\"#trend\">Trend</a>"
          "<a href=\"#findings\">Findings</a><a href=\"#spot\">Spot check</a>"
          "<a href=\"#manifest\">Manifest</a></nav>\n<main>\n", f);
}

/* The cards: counts, changes, verdicts. */
static void section_summary(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">", f);
    card(f, "", ri->n_flags, "flags (rule firings)");
    card(f, "", ri->n_queue, "households in the review queue");
    card(f, "", ri->n_spot, "spot-check sample");
    card(f, "new", ri->compare ? ri->n_new : -1, "new since the previous run");
    card(f, "persisting", ri->compare ? ri->n_persisting : -1, "persisting");
    card(f, "resolved", ri->compare ? ri->n_resolved : -1, "resolved (no longer fire)");
    fputs("</div>", f);
    if (ri->have_held) {
        fputs("<div class=\"cards\" style=\"margin-top:12px\">", f);
        card(f, "", ri->held[OC_CLEARED], "cleared by auditors (left out of the queue)");
        card(f, "", ri->held[OC_CONFIRMED], "confirmed (tracked, not re-queued)");
        card(f, "", ri->held[OC_REFERRED], "referred (tracked, not re-queued)");
        card(f, "", ri->held[OC_NONE], "without a verdict");
        fputs("</div>", f);
    }
    if (!ri->compare)
        fputs("<p class=\"muted\">No previous run was given (run with --previous DIR or "
              "--state DIR to see what changed).</p>", f);
    fputs("</section>\n", f);
}

/* Flags per rule: bars (new and persisting when the run compared) and a table. */
static void section_rules(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"rules\"><h2>Flags per rule</h2>", f);
    const char *names[N_RULES];
    long long a[N_RULES], b[N_RULES];
    int n = 0, split = ri->compare;
    for (int r = 0; r < N_RULES; r++) {
        if (ri->rule_count[r] <= 0)
            continue;
        names[n] = rule_names[r];
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
        fprintf(f, "<div class=\"legend\"><span style=\"background:%s\"></span>new"
                   "<span style=\"background:%s\"></span>persisting</div>", C_NEW, C_PERS);
    if (n)
        svg_hbars(f, "flags per rule", n, names, a, split ? b : NULL, split ? C_NEW : C_PERS,
                  C_PERS);
    else
        fputs("<p class=\"muted\">No rule fired.</p>", f);
    fputs("<table><thead><tr><th>rule</th><th>severity</th><th class=\"num\">flags</th>"
          "<th class=\"num\">new</th></tr></thead><tbody>", f);
    for (int r = 0; r < N_RULES; r++) {
        fputs("<tr>", f);
        text_cell(f, esc, rule_names[r]);
        text_cell(f, esc, ri->rule_severity[r] ? ri->rule_severity[r] : "");
        num_cell(f, ri->rule_count[r]);
        num_cell(f, ri->compare ? ri->rule_new[r] : -1);
        fputs("</tr>", f);
    }
    fputs("</tbody></table></section>\n", f);
}

/* Flags per township: the 30 with the most drawn, every one in the table. */
static void section_townships(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"townships\"><h2>Flags per township</h2>", f);
    if (ri->n_towns) {
        size_t n = ri->n_towns < 30 ? ri->n_towns : 30;
        const char *names[30];
        long long a[30], b[30];
        for (size_t i = 0; i < n; i++) {
            names[i] = ri->towns[i].code;
            a[i] = ri->towns[i].serious;
            b[i] = ri->towns[i].flags - ri->towns[i].serious;
        }
        fprintf(f, "<div class=\"legend\"><span style=\"background:%s\"></span>high or "
                   "medium<span style=\"background:%s\"></span>low</div>", C_NEW, C_LOW);
        svg_hbars(f, "flags per township", (int)n, names, a, b, C_NEW, C_LOW);
        if (ri->n_towns > 30)
            fprintf(f, "<p class=\"muted\">The 30 townships with the most flags are drawn; "
                       "all %zu are in the table.</p>", ri->n_towns);
        fputs("<div class=\"scroll\"><table><thead><tr><th>township</th><th class=\"num\">"
              "flags</th><th class=\"num\">high or medium</th><th class=\"num\">in the review "
              "queue</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_towns; i++) {
            fputs("<tr>", f);
            text_cell(f, esc, ri->towns[i].code);
            num_cell(f, ri->towns[i].flags);
            num_cell(f, ri->towns[i].serious);
            num_cell(f, ri->towns[i].queue);
            fputs("</tr>", f);
        }
        fputs("</tbody></table></div>", f);
    } else {
        fputs("<p class=\"muted\">No flags.</p>", f);
    }
    fputs("</section>\n", f);
}

/* The trend over past runs. */
static void section_trend(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"trend\"><h2>Trend over past runs</h2>", f);
    if (ri->n_hist) {
        svg_trend(f, ri->hist, ri->n_hist);
        fputs("<div class=\"scroll\"><table><thead><tr><th>run</th><th>as of</th>"
              "<th class=\"num\">flags</th><th class=\"num\">new</th><th class=\"num\">"
              "persisting</th><th class=\"num\">resolved</th><th class=\"num\">review queue</th>"
              "<th class=\"num\">with a verdict</th></tr></thead><tbody>", f);
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
        fputs("<p class=\"muted\">No past runs given (run with --state DIR, or 'hedui report "
              "--history DIR...').</p>", f);
    }
    fputs("</section>\n", f);
}

/* The findings listed, masked. */
static void section_findings(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"findings\"><h2>", f);
    esc(f, ri->findings_title ? ri->findings_title : "Findings");
    fprintf(f, "</h2><p class=\"muted\">%zu listed of %lld. ID numbers are masked, also "
               "inside the evidence.</p>", ri->n_findings, ri->findings_total);
    fputs("<input type=\"search\" id=\"filter\" placeholder=\"filter: rule, household, "
          "township, text\"> <span id=\"filter-count\" class=\"muted\"></span>"
          "<div class=\"scroll\"><table id=\"findings-table\"><thead><tr><th>change</th>"
          "<th>rule</th><th>severity</th><th>household</th><th>hukou_no</th><th>id_no</th>"
          "<th>region</th><th>verdict</th><th>evidence</th></tr></thead><tbody>", f);
    for (size_t i = 0; i < ri->n_findings; i++) {
        const struct rep_finding *x = &ri->findings[i];
        fputs("<tr><td>", f);
        if (x->change && *x->change) {
            fputs("<span class=\"tag ", f);
            esc(f, x->change);
            fputs("\">", f);
            esc(f, x->change);
            fputs("</span>", f);
        }
        fputs("</td>", f);
        text_cell(f, esc, x->rule_id);
        fputs("<td class=\"sev-", f);
        esc(f, x->severity);
        fputs("\">", f);
        esc(f, x->severity);
        fputs("</td>", f);
        text_cell(f, esc, x->household_id);
        text_cell(f, esc, x->hukou_no);
        text_cell(f, esc_masked_id, x->id_no);
        text_cell(f, esc, x->region);
        text_cell(f, esc, x->disposition ? x->disposition : "");
        text_cell(f, esc_masked_text, x->evidence);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);
}

/* The spot-check sample. */
static void section_spot(FILE *f, const struct report_input *ri)
{
    fprintf(f, "<section id=\"spot\"><h2>Spot-check sample (抽查)</h2><p class=\"muted\">%lld "
               "households drawn from this month's approvals.</p>", ri->n_spot);
    if (ri->n_spot_rows) {
        fputs("<div class=\"scroll\"><table><thead><tr><th>township</th><th>program</th>"
              "<th>household</th><th>reason</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_spot_rows; i++) {
            const struct rep_spot *s = &ri->spot[i];
            fputs("<tr>", f);
            text_cell(f, esc, s->township);
            text_cell(f, esc, s->program);
            text_cell(f, esc, s->household_id);
            text_cell(f, esc_masked_text, s->reason);
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>", f);
        if ((long long)ri->n_spot_rows < ri->n_spot)
            fprintf(f, "<p class=\"muted\">First %zu shown; all are in spotcheck.csv.</p>",
                    ri->n_spot_rows);
    }
    fputs("</section>\n", f);
}

/* The manifest, and the page's end. */
static void section_manifest(FILE *f, const struct report_input *ri)
{
    fputs("<section id=\"manifest\"><h2>Run manifest</h2><p>Inputs with sizes and XXH3-128 "
          "checksums, rules version and hash, as-of date, seed, row accounting, counts and "
          "timings: everything needed to reproduce this run.</p>", f);
    if (ri->manifest_json) {
        fputs("<details open><summary>manifest.json</summary><pre>", f);
        esc(f, ri->manifest_json);
        fputs("</pre></details>", f);
    } else {
        fputs("<p class=\"muted\">manifest.json not found.</p>", f);
    }
    fputs("</section>\n</main>\n<footer>Generated by hedui ", f);
    esc(f, ri->tool_version ? ri->tool_version : "?");
    fputs(". A flag is a lead for a person to review, never a decision. Self-contained page: "
          "no network access.</footer>\n", f);
    fprintf(f, "<script>%s</script>\n</body></html>\n", page_js);
}

int report_html(FILE *f, const struct report_input *ri)
{
    page_head(f, ri);
    section_summary(f, ri);
    section_rules(f, ri);
    section_townships(f, ri);
    section_trend(f, ri);
    section_findings(f, ri);
    section_spot(f, ri);
    section_manifest(f, ri);
    return E_OK;
}
