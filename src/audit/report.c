/* report.c - report.html, self-contained (see report.h).
 *
 * Owns: the page.  Reads either a run in memory (report_write_run) or a
 * published run's files (cmd_report); both fill a struct report_input and
 * report_html() renders it.  Never prints an unmasked ID number.
 */
#include "audit/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "base/date.h"
#include "audit/mask.h"
#include "base/csvread.h"
#include "base/fileio.h"
#include "base/textout.h"
#include "pipeline.h"
#include "out/write.h"

#define E_OUT E_WRITE   /* an output of ours could not be written (exit 6) */

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
    mask_ids_in_text(s, m, sizeof m);
    esc(f, m);
}

static void esc_masked_id(FILE *f, const char *id)
{
    char m[256];
    mask_id(id, m, sizeof m);
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

static void num_cell(FILE *f, long long v)
{
    if (v >= 0)
        fprintf(f, "<td class=\"num\">%lld</td>", v);
    else
        fputs("<td class=\"num muted\">&ndash;</td>", f);
}

int report_html(FILE *f, const struct report_input *ri)
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
    fputs("</h1><p>hedui " HEDUI_VERSION " &middot; rules ", f);
    esc(f, ri->rules_version ? ri->rules_version : "?");
    fputs(" &middot; seed ", f);
    esc(f, ri->seed);
    fputs(" &middot; ID numbers masked (first 6 and last 4 characters) &middot; page "
          "<span id=\"js-status\">static</span></p></header>\n"
          "<nav><a href=\"#summary\">Summary</a><a href=\"#rules\">Rules</a>"
          "<a href=\"#townships\">Townships</a><a href=\"#trend\">Trend</a>"
          "<a href=\"#findings\">Findings</a><a href=\"#spot\">Spot check</a>"
          "<a href=\"#manifest\">Manifest</a></nav>\n<main>\n", f);

    /* summary */
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

    /* per rule */
    fputs("<section id=\"rules\"><h2>Flags per rule</h2>", f);
    {
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
            fputs("<tr><td>", f);
            esc(f, rule_names[r]);
            fputs("</td><td>", f);
            esc(f, ri->rule_severity[r] ? ri->rule_severity[r] : "");
            fputs("</td>", f);
            num_cell(f, ri->rule_count[r]);
            num_cell(f, ri->compare ? ri->rule_new[r] : -1);
            fputs("</tr>", f);
        }
        fputs("</tbody></table></section>\n", f);
    }

    /* per township */
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
        fputs("<p class=\"muted\">No flags.</p>", f);
    }
    fputs("</section>\n", f);

    /* trend */
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

    /* findings */
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
        fputs("</td><td>", f);
        esc(f, x->rule_id);
        fputs("</td><td class=\"sev-", f);
        esc(f, x->severity);
        fputs("\">", f);
        esc(f, x->severity);
        fputs("</td><td>", f);
        esc(f, x->household_id);
        fputs("</td><td>", f);
        esc(f, x->hukou_no);
        fputs("</td><td>", f);
        esc_masked_id(f, x->id_no);
        fputs("</td><td>", f);
        esc(f, x->region);
        fputs("</td><td>", f);
        esc(f, x->disposition ? x->disposition : "");
        fputs("</td><td>", f);
        esc_masked_text(f, x->evidence);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div></section>\n", f);

    /* spot check */
    fprintf(f, "<section id=\"spot\"><h2>Spot-check sample (抽查)</h2><p class=\"muted\">%lld "
               "households drawn from this month's approvals.</p>", ri->n_spot);
    if (ri->n_spot_rows) {
        fputs("<div class=\"scroll\"><table><thead><tr><th>township</th><th>program</th>"
              "<th>household</th><th>reason</th></tr></thead><tbody>", f);
        for (size_t i = 0; i < ri->n_spot_rows; i++) {
            const struct rep_spot *s = &ri->spot[i];
            fputs("<tr><td>", f);
            esc(f, s->township);
            fputs("</td><td>", f);
            esc(f, s->program);
            fputs("</td><td>", f);
            esc(f, s->household_id);
            fputs("</td><td>", f);
            esc_masked_text(f, s->reason);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>", f);
        if ((long long)ri->n_spot_rows < ri->n_spot)
            fprintf(f, "<p class=\"muted\">First %zu shown; all are in spotcheck.csv.</p>",
                    ri->n_spot_rows);
    }
    fputs("</section>\n", f);

    /* manifest */
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
    fputs("</section>\n</main>\n<footer>Generated by hedui " HEDUI_VERSION ". A flag is a "
          "lead for a person to review, never a decision. Self-contained page: no network "
          "access.</footer>\n", f);
    fprintf(f, "<script>%s</script>\n</body></html>\n", page_js);
    return E_OK;
}

/* ---------- townships ---------- */

static uint64_t town_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

struct town_map {
    struct rep_town *v;
    size_t n, cap;     /* open addressing over v[], cap a power of two */
};

static struct rep_town *town_get(struct town_map *m, const char *region)
{
    if (m->n * 2 >= m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        struct rep_town *nv = calloc(nc, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].code[0])
                continue;
            size_t h = (size_t)town_hash(m->v[i].code) & (nc - 1);
            while (nv[h].code[0])
                h = (h + 1) & (nc - 1);
            nv[h] = m->v[i];
        }
        free(m->v);
        m->v = nv;
        m->cap = nc;
    }
    char code[10];
    snprintf(code, sizeof code, "%.9s", region);
    size_t h = (size_t)town_hash(code) & (m->cap - 1);
    while (m->v[h].code[0] && strcmp(m->v[h].code, code) != 0)
        h = (h + 1) & (m->cap - 1);
    if (!m->v[h].code[0]) {
        memcpy(m->v[h].code, code, sizeof code);
        m->n++;
    }
    return &m->v[h];
}

static int cmp_town(const void *a, const void *b)
{
    const struct rep_town *x = a, *y = b;
    if (x->flags != y->flags)
        return x->flags > y->flags ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Compact the map into a list sorted by flags (descending), then code. */
static void town_list(struct town_map *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].code[0])
            m->v[k++] = m->v[i];
    m->n = k;
    if (k > 1)
        qsort(m->v, k, sizeof *m->v, cmp_town);
}

/* ---------- a run in memory ---------- */

#define MAX_FINDINGS 300
#define MAX_RESOLVED 100
#define MAX_SPOT 500

int report_write_run(const struct pipeline *p, struct outdir *od, struct err *e)
{
    const struct review *rv = p->rv;
    const struct eval_result *er = &p->er;
    struct report_input ri;
    memset(&ri, 0, sizeof ri);
    date_format(p->cfg.as_of, ri.as_of);
    snprintf(ri.seed, sizeof ri.seed, "%llu", p->cfg.seed);
    ri.rules_version = p->pol.version;
    char path[1300];
    snprintf(path, sizeof path, "%s/manifest.json", od->tmp);
    char *manifest = NULL;
    size_t manifest_len;
    int st0 = fileio_read_all(path, &manifest, &manifest_len, e);   /* written a moment ago */
    if (st0 != E_OK)
        return st0;
    ri.manifest_json = manifest;
    ri.n_flags = (long long)er->n_flags;
    ri.n_queue = (long long)p->rk.n_queue;
    ri.n_spot = (long long)p->rk.n_spot;
    ri.compare = rv->compare;
    for (int r = 0; r < N_RULES; r++) {
        ri.rule_count[r] = (long long)er->rule_count[r];
        ri.rule_new[r] = rv->compare ? 0 : -1;
        int sv = p->pol.severity[r];
        ri.rule_severity[r] = sv == SEV_OFF ? "off" : severity_names[sv];
    }
    ri.n_new = rv->n_new;
    ri.n_persisting = rv->n_persisting;
    ri.n_resolved = (long long)rv->n_resolved;
    ri.have_held = rv->state_dir != NULL;
    memcpy(ri.held, rv->n_held, sizeof ri.held);

    int st = E_OK;
    struct town_map tm = {0};
    struct rep_finding *fs = calloc(MAX_FINDINGS + MAX_RESOLVED, sizeof *fs);
    struct rep_spot *sp = calloc(MAX_SPOT, sizeof *sp);
    struct history_row *hist = malloc((rv->n_hist + 1) * sizeof *hist);
    if (!fs || !sp || !hist)
        st = ERR(e, E_NOMEM, "out of memory while writing the report");
    size_t nf = 0;
    for (size_t i = 0; st == E_OK && i < er->n_flags; i++) {
        const struct flag *g = &er->flags[i];
        struct rep_town *t = town_get(&tm, g->region);
        if (!t) {
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
            break;
        }
        t->flags++;
        int serious = g->severity == SEV_HIGH || g->severity == SEV_MEDIUM;
        t->serious += serious;
        int is_new = rv->compare && rv->change[i] == CH_NEW;
        if (is_new)
            ri.rule_new[g->rule]++;
        int list = rv->compare ? is_new : serious;
        if (list) {
            ri.findings_total++;
            if (nf < MAX_FINDINGS) {
                struct rep_finding *x = &fs[nf++];
                x->change = rv->compare ? change_names[rv->change[i]] : "";
                x->rule_id = rule_names[g->rule];
                x->severity = severity_names[g->severity];
                x->household_id = g->household_id;
                x->hukou_no = g->hukou_no;
                x->id_no = g->id_no;
                x->region = g->region;
                x->evidence = g->evidence;
                x->disposition = outcome_names[rv->outcome[i]];
            }
        }
    }
    ri.findings_title = rv->compare ? "New findings since the previous run, and resolved ones"
                                    : "Findings of high or medium severity";
    for (size_t j = 0; st == E_OK && rv->compare && j < rv->n_resolved && j < MAX_RESOLVED; j++) {
        const struct prev_flag *pf = &rv->prev[rv->resolved[j]];
        struct rep_finding *x = &fs[nf++];
        x->change = "resolved";
        x->rule_id = pf->rule_id;
        x->severity = pf->severity;
        x->household_id = pf->household_id;
        x->hukou_no = pf->hukou_no;
        x->id_no = pf->id_no;
        x->region = pf->region;
        x->evidence = pf->evidence;
        x->disposition = "";
    }
    if (rv->compare)
        ri.findings_total += (long long)rv->n_resolved;
    /* queue per township (the queue is sorted by township) */
    for (size_t i = 0; st == E_OK && i < p->rk.n_queue; i++) {
        struct rep_town *t = town_get(&tm, p->rk.queue[i].township);
        if (!t)
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
        else
            t->queue++;
    }
    size_t ns = 0;
    for (size_t i = 0; st == E_OK && i < p->rk.n_spot && ns < MAX_SPOT; i++) {
        const struct spot_row *s = &p->rk.spot[i];
        sp[ns].township = s->township;
        sp[ns].program = program_names[s->program];
        sp[ns].household_id = s->household_id;
        sp[ns].reason = s->reason;
        ns++;
    }
    if (st == E_OK) {
        town_list(&tm);
        ri.towns = tm.v;
        ri.n_towns = tm.n;
        ri.findings = fs;
        ri.n_findings = nf;
        ri.spot = sp;
        ri.n_spot_rows = ns;
        size_t nh = 0;
        if (rv->state_dir) {
            if (rv->n_hist)
                memcpy(hist, rv->hist, rv->n_hist * sizeof *hist);
            nh = rv->n_hist;
        }
        review_current_row(rv, p, &hist[nh++]);
        ri.hist = hist;
        ri.n_hist = nh;
        FILE *f = out_open(od, "report.html", e);
        if (!f)
            st = e->code;
        else {
            report_html(f, &ri);
            st = out_close(f, od, "report.html", e);
        }
    }
    free(manifest);
    free(tm.v);
    free(fs);
    free(sp);
    free(hist);
    return st;
}

/* ---------- a published run's files: hedui report ---------- */

/* "key": "string" or "key": number in a JSON text (first occurrence). */
static int json_str(const char *js, const char *key, char *out, size_t n)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = js ? strstr(js, pat) : NULL;
    if (!p)
        return -1;
    p += strlen(pat);
    size_t k = 0;
    while (*p && *p != '"' && k + 1 < n)
        out[k++] = *p++;
    out[k] = '\0';
    return 0;
}

static long long json_num(const char *js, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = js ? strstr(js, pat) : NULL;
    if (!p)
        return -1;
    p += strlen(pat);
    if (*p < '0' || *p > '9')
        return -1;
    return atoll(p);
}

static int rule_index(const char *name)
{
    for (int r = 0; r < N_RULES; r++)
        if (strcmp(rule_names[r], name) == 0)
            return r;
    return -1;
}

static const char *keep(struct arena *a, const char *s, struct err *e)
{
    char *p = arena_strndup(a, s, strlen(s));
    if (!p)
        ERR(e, E_NOMEM, "out of memory while reading the run");
    return p;
}

/* A history row from a run directory: manifest counts and changes.csv. */
static int history_from_dir(const char *dir, struct history_row *h, struct err *e)
{
    memset(h, 0, sizeof *h);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *js = NULL;
    size_t js_len;
    int st0 = fileio_read_all(path, &js, &js_len, e);
    if (st0 == E_NOINPUT) {
        err_init(e);
        return ERR(e, E_NOINPUT, "--history %s: no manifest.json there (not a run directory)",
                   dir);
    }
    if (st0 != E_OK)
        return st0;
    json_str(js, "as_of", h->as_of, sizeof h->as_of);
    h->flags = json_num(js, "flags.csv");
    h->queue = json_num(js, "review_queue.csv");
    for (int r = 0; r < N_RULES; r++)
        h->rule_count[r] = json_num(js, rule_names[r]);
    free(js);
    h->new_ = h->persisting = h->resolved = h->held = -1;
    snprintf(path, sizeof path, "%s/changes.csv", dir);
    struct csvr r;
    int st = csvr_open(&r, path, e);
    if (st == E_NOINPUT) {
        err_init(e);
        return E_OK;
    }
    if (st != E_OK)
        return st;
    int kc = -1, dc = -1;
    if ((st = csvr_next(&r, e)) == 1) {
        kc = csvr_col(&r, "change");
        dc = csvr_col(&r, "disposition");
        h->new_ = h->persisting = h->resolved = h->held = 0;
        while ((st = csvr_next(&r, e)) == 1) {
            const char *c = kc >= 0 && kc < r.n_field ? r.field[kc] : "";
            int resolved = strcmp(c, "resolved") == 0;
            h->new_ += strcmp(c, "new") == 0;
            h->persisting += strcmp(c, "persisting") == 0;
            h->resolved += resolved;
            h->held += !resolved && dc >= 0 && dc < r.n_field && r.field[dc][0];
        }
    }
    csvr_close(&r);
    return st < 0 ? e->code : E_OK;
}

static int cmp_hist(const void *a, const void *b)
{
    const struct history_row *x = a, *y = b;
    int r = strcmp(x->as_of, y->as_of);
    if (r)
        return r;
    return x->run - y->run;
}

static int fill_report(FILE *f, void *ctx)
{
    return report_html(f, ctx);
}

static const char usage_report[] =
    "Usage: hedui report --from RUN_DIR [--history DIR]... [--state DIR] [--out FILE]\n"
    "\n"
    "Writes report.html for the run published in RUN_DIR (by default into\n"
    "RUN_DIR itself): flags per rule and per township as charts,\n"
    "new/persisting/resolved counts (when the run compared with a previous\n"
    "one), the trend over past runs, the spot-check sample and the manifest.\n"
    "ID numbers are masked.  The page is self-contained (no network).\n"
    "\n"
    "Options:\n"
    "  --from RUN_DIR   the run (its flags.csv, changes.csv, review_queue.csv,\n"
    "                   spotcheck.csv, manifest.json)\n"
    "  --history DIR    an earlier run directory for the trend; repeatable\n"
    "  --state DIR      the trend from a state directory's history.csv\n"
    "  --out FILE       where to write (default RUN_DIR/report.html)\n";

int cmd_report(int argc, char **argv, struct err *e)
{
    const char *from = NULL, *out = NULL, *state = NULL;
    const char **hdirs = calloc((size_t)argc + 1, sizeof *hdirs);
    size_t n_hdirs = 0;
    if (!hdirs)
        return ERR(e, E_NOMEM, "out of memory while writing the report");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_report, stdout);
            free(hdirs);
            return E_OK;
        }
        if (strcmp(a, "--from") == 0)
            dst = &from;
        else if (strcmp(a, "--out") == 0)
            dst = &out;
        else if (strcmp(a, "--state") == 0)
            dst = &state;
        else if (strcmp(a, "--history") == 0)
            dst = &hdirs[n_hdirs++];
        else {
            free(hdirs);
            return ERR(e, E_USAGE, "unknown option '%s' for 'report'", a);
        }
        if (i + 1 >= argc) {
            free(hdirs);
            return ERR(e, E_USAGE, "option %s needs a value", a);
        }
        *dst = argv[++i];
    }
    if (!from) {
        free(hdirs);
        return ERR(e, E_USAGE, "'report' needs --from RUN_DIR");
    }
    struct arena ar;
    arena_init(&ar, (size_t)1 << 20);
    struct report_input ri;
    memset(&ri, 0, sizeof ri);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", from);
    char *manifest = NULL;
    size_t manifest_len;
    int st = fileio_read_all(path, &manifest, &manifest_len, e);
    if (st == E_NOINPUT)
        err_init(e);
    struct town_map tm = {0};
    struct rep_finding *fs = calloc(MAX_FINDINGS + MAX_RESOLVED, sizeof *fs);
    struct rep_spot *sp = calloc(MAX_SPOT, sizeof *sp);
    struct history_row *hist = NULL;
    size_t nh = 0, nf = 0, ns = 0;
    struct review *srv = NULL;
    if (st == E_NOINPUT)
        st = ERR(e, E_NOINPUT, "--from %s: no manifest.json there; give the output directory "
                               "of a 'hedui run'", from);
    else if (st == E_OK && (!fs || !sp))
        st = ERR(e, E_NOMEM, "out of memory while writing the report");
    if (st == E_OK) {
        ri.manifest_json = manifest;
        json_str(manifest, "as_of", ri.as_of, sizeof ri.as_of);
        long long seed = json_num(manifest, "seed");
        snprintf(ri.seed, sizeof ri.seed, "%lld", seed);
        char ver[64] = "?";
        json_str(manifest, "version", ver, sizeof ver);
        ri.rules_version = keep(&ar, ver, e);
        for (int r = 0; r < N_RULES; r++) {
            ri.rule_new[r] = -1;
            ri.rule_severity[r] = "";
        }
    }
    /* flags.csv */
    struct csvr r;
    memset(&r, 0, sizeof r);
    if (st == E_OK) {
        snprintf(path, sizeof path, "%s/flags.csv", from);
        st = csvr_open(&r, path, e);
    }
    if (st == E_OK && csvr_next(&r, e) == 1) {
        int c_rule = csvr_col(&r, "rule_id"), c_sev = csvr_col(&r, "severity"),
            c_hh = csvr_col(&r, "household_id"), c_hk = csvr_col(&r, "hukou_no"),
            c_id = csvr_col(&r, "id_no"), c_reg = csvr_col(&r, "region_code"),
            c_ev = csvr_col(&r, "evidence"), c_ch = csvr_col(&r, "change");
        if (c_rule < 0 || c_sev < 0 || c_reg < 0 || c_ev < 0 || c_id < 0 || c_hh < 0 ||
            c_hk < 0) {
            err_where(e, path, 1, 0);
            st = ERR(e, E_PARSE, "not a flags.csv of hedui (columns missing)");
        }
        ri.compare = c_ch >= 0;
        if (ri.compare)
            for (int k = 0; k < N_RULES; k++)
                ri.rule_new[k] = 0;
        int k;
        while (st == E_OK && (k = csvr_next(&r, e)) == 1) {
            if (r.n_field <= c_ev || r.n_field <= c_ch)
                continue;
            int ri_ = rule_index(r.field[c_rule]);
            ri.n_flags++;
            const char *sev = r.field[c_sev];
            int serious = strcmp(sev, "high") == 0 || strcmp(sev, "medium") == 0;
            if (ri_ >= 0) {
                ri.rule_count[ri_]++;
                if (!ri.rule_severity[ri_][0])
                    ri.rule_severity[ri_] = keep(&ar, sev, e);
            }
            struct rep_town *t = town_get(&tm, r.field[c_reg]);
            if (!t) {
                st = ERR(e, E_NOMEM, "out of memory while writing the report");
                break;
            }
            t->flags++;
            t->serious += serious;
            int is_new = ri.compare && strcmp(r.field[c_ch], "new") == 0;
            if (ri.compare) {
                if (is_new) {
                    ri.n_new++;
                    if (ri_ >= 0)
                        ri.rule_new[ri_]++;
                } else {
                    ri.n_persisting++;
                }
            }
            if (ri.compare ? is_new : serious) {
                ri.findings_total++;
                if (nf < MAX_FINDINGS) {
                    struct rep_finding *x = &fs[nf++];
                    x->change = ri.compare ? "new" : "";
                    x->rule_id = keep(&ar, r.field[c_rule], e);
                    x->severity = keep(&ar, sev, e);
                    x->household_id = keep(&ar, r.field[c_hh], e);
                    x->hukou_no = keep(&ar, r.field[c_hk], e);
                    x->id_no = keep(&ar, r.field[c_id], e);
                    x->region = keep(&ar, r.field[c_reg], e);
                    x->evidence = keep(&ar, r.field[c_ev], e);
                    x->disposition = "";
                }
            }
            if (e->code)
                st = e->code;
        }
        if (st == E_OK && e->code)
            st = e->code;
    }
    csvr_close(&r);
    if (st == E_OK && e->code)
        st = e->code;
    /* changes.csv: resolved findings and verdicts */
    if (st == E_OK && ri.compare) {
        snprintf(path, sizeof path, "%s/changes.csv", from);
        int k = csvr_open(&r, path, e);
        if (k == E_NOINPUT) {
            err_init(e);
        } else if (k != E_OK) {
            st = k;
        } else if (csvr_next(&r, e) == 1) {
            int c_ch = csvr_col(&r, "change"), c_d = csvr_col(&r, "disposition"),
                c_rule = csvr_col(&r, "rule_id"), c_sev = csvr_col(&r, "severity"),
                c_hh = csvr_col(&r, "household_id"), c_hk = csvr_col(&r, "hukou_no"),
                c_id = csvr_col(&r, "id_no"), c_reg = csvr_col(&r, "region_code"),
                c_ev = csvr_col(&r, "evidence");
            ri.have_held = c_d >= 0;
            size_t nres = 0;
            while (st == E_OK && c_ch >= 0 && csvr_next(&r, e) == 1) {
                if (r.n_field <= c_ev || r.n_field <= c_d)
                    continue;
                int resolved = strcmp(r.field[c_ch], "resolved") == 0;
                if (!resolved) {
                    int oc = OC_NONE;
                    for (int o = 1; o < N_OUTCOMES; o++)
                        if (c_d >= 0 && strcmp(r.field[c_d], outcome_names[o]) == 0)
                            oc = o;
                    ri.held[oc]++;
                    continue;
                }
                ri.n_resolved++;
                ri.findings_total++;
                if (nres < MAX_RESOLVED) {
                    struct rep_finding *x = &fs[nf++];
                    nres++;
                    x->change = "resolved";
                    x->rule_id = keep(&ar, r.field[c_rule], e);
                    x->severity = keep(&ar, r.field[c_sev], e);
                    x->household_id = keep(&ar, r.field[c_hh], e);
                    x->hukou_no = keep(&ar, r.field[c_hk], e);
                    x->id_no = keep(&ar, r.field[c_id], e);
                    x->region = keep(&ar, r.field[c_reg], e);
                    x->evidence = keep(&ar, r.field[c_ev], e);
                    x->disposition = keep(&ar, c_d >= 0 ? r.field[c_d] : "", e);
                }
                if (e->code)
                    st = e->code;
            }
        }
        csvr_close(&r);
        if (st == E_OK && e->code)
            st = e->code;
    }
    ri.findings_title = ri.compare ? "New findings since the previous run, and resolved ones"
                                   : "Findings of high or medium severity";
    /* review_queue.csv */
    if (st == E_OK) {
        snprintf(path, sizeof path, "%s/review_queue.csv", from);
        st = csvr_open(&r, path, e);
        if (st == E_OK && csvr_next(&r, e) == 1) {
            int c_t = csvr_col(&r, "township_code");
            while (c_t >= 0 && csvr_next(&r, e) == 1) {
                if (r.n_field <= c_t)
                    continue;
                ri.n_queue++;
                struct rep_town *t = town_get(&tm, r.field[c_t]);
                if (t)
                    t->queue++;
            }
        }
        csvr_close(&r);
        if (st == E_OK && e->code)
            st = e->code;
    }
    /* spotcheck.csv */
    if (st == E_OK) {
        snprintf(path, sizeof path, "%s/spotcheck.csv", from);
        st = csvr_open(&r, path, e);
        if (st == E_OK && csvr_next(&r, e) == 1) {
            int c_t = csvr_col(&r, "township_code"), c_p = csvr_col(&r, "program"),
                c_h = csvr_col(&r, "household_id"), c_r = csvr_col(&r, "reason");
            while (c_t >= 0 && c_p >= 0 && c_h >= 0 && c_r >= 0 && csvr_next(&r, e) == 1) {
                if (r.n_field < 4)
                    continue;
                ri.n_spot++;
                if (ns < MAX_SPOT) {
                    sp[ns].township = keep(&ar, r.field[c_t], e);
                    sp[ns].program = keep(&ar, r.field[c_p], e);
                    sp[ns].household_id = keep(&ar, r.field[c_h], e);
                    sp[ns].reason = keep(&ar, r.field[c_r], e);
                    ns++;
                }
            }
        }
        csvr_close(&r);
        if (st == E_OK && e->code)
            st = e->code;
    }
    /* the trend */
    if (st == E_OK && state) {
        st = statedir_exists(state, e);
        if (st == E_OK)
            st = review_open(&srv, NULL, state, e);
        if (st == E_OK && srv->n_hist) {
            hist = malloc(srv->n_hist * sizeof *hist);
            if (!hist)
                st = ERR(e, E_NOMEM, "out of memory while writing the report");
            else
                memcpy(hist, srv->hist, srv->n_hist * sizeof *hist);
            nh = srv->n_hist;
        }
    }
    if (st == E_OK && n_hdirs) {
        struct history_row *nhv = realloc(hist, (nh + n_hdirs + 1) * sizeof *hist);
        if (!nhv)
            st = ERR(e, E_NOMEM, "out of memory while writing the report");
        else
            hist = nhv;
        int self = 0;
        for (size_t i = 0; st == E_OK && i < n_hdirs; i++) {
            st = history_from_dir(hdirs[i], &hist[nh], e);
            if (strcmp(hdirs[i], from) == 0)
                self = 1;
            nh++;
        }
        if (st == E_OK && !self) {
            st = history_from_dir(from, &hist[nh], e);
            nh++;
        }
        if (st == E_OK)
            if (nh > 1)
                qsort(hist, nh, sizeof *hist, cmp_hist);
    }
    if (st == E_OK) {
        town_list(&tm);
        ri.towns = tm.v;
        ri.n_towns = tm.n;
        ri.findings = fs;
        ri.n_findings = nf;
        ri.spot = sp;
        ri.n_spot_rows = ns;
        ri.hist = hist;
        ri.n_hist = nh;
        char target[4200];
        if (out)
            snprintf(target, sizeof target, "%s", out);
        else
            snprintf(target, sizeof target, "%s/report.html", from);
        st = fileio_replace(target, fill_report, &ri, e);
        if (st == E_OK)
            printf("hedui: wrote %s\n", target);
    }
    review_free(srv);
    free(manifest);
    free(tm.v);
    free(fs);
    free(sp);
    free(hist);
    free(hdirs);
    arena_free(&ar);
    return st;
}
