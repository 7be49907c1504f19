/* report_queue.c - the review queue of report.html: its data block, its
 * controls and the page's one script (see report_queue.h, report.h).
 *
 * Owns: the data block's format, the filters and the pager, the script
 * text and its CSP hash.  Never reads a file; never writes an unmasked ID
 * number (ID fields through idmask_value, evidence through idmask_text).
 *
 * The data block, one JSON object (the script's only input):
 *   rules  [[rule_id, Chinese label, kind 0..3], ...] in catalogue order
 *   towns  ["610102001", ...]: the townships of the listed households
 *   q      one array per listed household, in queue order:
 *          [town index, rank, household_id, hukou_no, score, flags]
 *   flags  [[rule (index into rules, or the rule_id of a rule this hedui
 *          does not know), severity 0..2 (high, medium, low; -1 unknown),
 *          change (0 new, 1 persisting, -1 the run did not compare),
 *          verdict (0 none, 1 confirmed, 2 cleared, 3 referred),
 *          id_no masked, hukou_no, evidence masked], ...]
 * Strings are JSON with '<', '>' and '&' written as \u escapes, so no text
 * of an input can end the data block or start markup.
 *
 * Why a data block and a script, not one HTML row per household: at SF 1
 * the queue has about 95,000 households; a table of them with their
 * evidence is a DOM of millions of nodes that takes the browser seconds
 * to lay out and to filter, while a page of 100 rows rendered from arrays
 * is instant whatever the size (report_input.c caps what is listed).
 */
#include "audit/report_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/idmask.h"
#include "base/sha256.h"
#include "contract/catalogue.h"

/* The script: renders the queue from the data block a page at a time,
 * applies the filters, keeps them in location.hash, then marks the page
 * ready (body data-ready="1", data-shown = households that match, data-page)
 * for tests.  Its exact text is hashed into the page's CSP: any change here
 * changes the hash with it (report_script_hash). */
const char report_page_js[] =
    "(function(){'use strict';\n"
    "var SEV=['高','中','低'],SEVN=['high','medium','low'],CHG=['新增','持续'],"
    "CHGN=['new','persisting'],OUT=['','已确认','已排除','已移交'],"
    "KIND=['错保','漏保','数据质量','办理流程'],KINDN=['cuobao','loubao','quality','process'],"
    "PER=100;\n"
    "function $(i){return document.getElementById(i);}\n"
    "function el(t,c,x){var e=document.createElement(t);if(c)e.className=c;"
    "if(x!=null)e.textContent=x;return e;}\n"
    "var box=$('hedui-data'),D=box?JSON.parse(box.textContent):{rules:[],towns:[],q:[]};\n"
    "var R=D.rules,T=D.towns,Q=D.q;\n"
    "function rn(f){return typeof f[0]==='string'?f[0]:R[f[0]][0];}\n"
    "function rl(f){return typeof f[0]==='string'?'':R[f[0]][1];}\n"
    "function rk(f){return typeof f[0]==='string'?-1:R[f[0]][2];}\n"
    /* what each household has, once, as bit masks (rules 0..29 of the
     * catalogue; a rule beyond, or unknown, by name in o.u) */
    "function rb(f){return typeof f[0]==='number'&&f[0]<30?1<<f[0]:0;}\n"
    "var rows=new Array(Q.length),rc={},tc={},anyChg=false;\n"
    "for(var i=0;i<Q.length;i++){var q=Q[i],o={q:q,rm:0,u:null,sm:0,cm:0,km:0,sev:9,chg:-1,"
    "txt:null};\n"
    " for(var j=0;j<q[5].length;j++){var f=q[5][j],b=rb(f);if(b)o.rm|=b;else{o.u=o.u||{};"
    "o.u[rn(f)]=1;}if(f[1]>=0){o.sm|=1<<f[1];if(f[1]<o.sev)o.sev=f[1];}"
    "if(f[2]>=0){o.cm|=1<<f[2];anyChg=true;}if(rk(f)>=0)o.km|=1<<rk(f);}\n"
    " o.chg=o.cm&1?0:(o.cm&2?1:-1);for(var r=0;r<R.length&&r<30;r++)if(o.rm&1<<r)"
    "rc[R[r][0]]=(rc[R[r][0]]||0)+1;\n"
    " if(o.u)for(var n in o.u)rc[n]=(rc[n]||0)+1;tc[q[0]]=(tc[q[0]]||0)+1;rows[i]=o;}\n"
    "function text(o){if(o.txt===null){var q=o.q,a=[T[q[0]],q[2],q[3]];"
    "for(var j=0;j<q[5].length;j++){var f=q[5][j];a.push(rn(f),rl(f),f[4],f[5],f[6]);}"
    "o.txt=a.join(' ').toLowerCase();}return o.txt;}\n"
    /* the controls */
    "var ft=$('f-town'),fr=$('f-rule'),fs=$('f-sev'),fc=$('f-chg'),fk=$('f-kind'),fq=$('f-text');\n"
    "function opt(s,v,l){var e=el('option',null,l);e.value=v;s.appendChild(e);}\n"
    "for(var i=0;i<T.length;i++)if(tc[i])opt(ft,T[i],T[i]+'（'+tc[i]+' 户）');\n"
    "for(var i=0;i<R.length;i++)if(rc[R[i][0]])opt(fr,R[i][0],R[i][0]+' '+R[i][1]+'（'+"
    "rc[R[i][0]]+' 户）');\n"
    "Object.keys(rc).sort().forEach(function(n){for(var i=0;i<R.length;i++)if(R[i][0]===n)return;"
    "opt(fr,n,n+'（'+rc[n]+' 户）');});\n"
    "for(var i=0;i<3;i++)opt(fs,SEVN[i],SEV[i]);\n"
    "if(anyChg)for(var i=0;i<2;i++)opt(fc,CHGN[i],CHG[i]);else fc.disabled=true;\n"
    "for(var i=0;i<4;i++)opt(fk,KINDN[i],KIND[i]);\n"
    /* the state, also in location.hash */
    "var page=1,openId='';\n"
    "function fromHash(){var h=location.hash.replace(/^#/,''),st={};h.split('&').forEach("
    "function(p){var e=p.indexOf('=');if(e>0){try{st[p.slice(0,e)]=decodeURIComponent("
    "p.slice(e+1).replace(/\\+/g,' '));}catch(x){}}});\n"
    " sel(ft,st.t);sel(fr,st.r);sel(fs,st.s);sel(fc,st.c);sel(fk,st.k);"
    "fq.value=st.q||'';page=parseInt(st.p,10)||1;openId=st.open||'';}\n"
    /* a value from the address that is not among the choices (a township
     * without queued households this month) is added, and matches nothing */
    "function sel(s,v){v=v||'';if(v&&!Array.prototype.some.call(s.options,function(o){"
    "return o.value===v;}))opt(s,v,v+'（0 户）');s.value=v;}\n"
    "function toHash(){var a=[],m={t:ft.value,r:fr.value,s:fs.value,c:fc.value,k:fk.value,"
    "q:fq.value};for(var k in m)if(m[k])a.push(k+'='+encodeURIComponent(m[k]));"
    "if(page>1)a.push('p='+page);if(openId)a.push('open='+encodeURIComponent(openId));"
    "try{history.replaceState(null,'',a.length?'#'+a.join('&'):location.pathname+"
    "location.search);}catch(x){}}\n"
    /* one household: a <details> row, its flags one click away */
    "function rowEl(o){var q=o.q,key=q[2]||q[3],d=el('details','hh'),s=el('summary');"
    "d.setAttribute('data-hh',key);\n"
    " s.appendChild(el('span','c-town',T[q[0]]));s.appendChild(el('span','num',String(q[1])));"
    "s.appendChild(el('span',null,q[2]||'—'));s.appendChild(el('span',null,q[3]||'—'));"
    "s.appendChild(el('span','num',String(q[4])));\n"
    " var rs=el('span','c-rules'),seen={};for(var j=0;j<q[5].length;j++){var f=q[5][j],n=rn(f);"
    "if(seen[n])continue;seen[n]=1;var g=el('span','rule sev-'+(SEVN[f[1]]||''),"
    "(typeof f[0]==='string'?n:n.slice(0,3)+' '+rl(f)));g.title=n;rs.appendChild(g);}\n"
    " s.appendChild(rs);s.appendChild(el('span','sev-'+(SEVN[o.sev]||''),SEV[o.sev]||''));"
    "var cg=el('span',null);if(o.chg>=0){cg.appendChild(el('span','tag '+CHGN[o.chg],"
    "CHG[o.chg]));}s.appendChild(cg);d.appendChild(s);\n"
    " var tb=el('table','flags'),th=el('tr');['规则','名称','类别','严重程度','变化','身份证号',"
    "'户号','核查结论','证据'].forEach(function(h){th.appendChild(el('th',null,h));});"
    "tb.appendChild(el('thead')).appendChild(th);var bd=tb.appendChild(el('tbody'));\n"
    " for(var j=0;j<q[5].length;j++){var f=q[5][j],tr=el('tr');tr.appendChild(el('td',null,rn(f)));"
    "tr.appendChild(el('td',null,rl(f)||'—'));tr.appendChild(el('td',null,KIND[rk(f)]||'—'));"
    "tr.appendChild(el('td','sev-'+(SEVN[f[1]]||''),SEV[f[1]]||''));"
    "tr.appendChild(el('td',null,CHG[f[2]]||''));tr.appendChild(el('td',null,f[4]));"
    "tr.appendChild(el('td',null,f[5]));tr.appendChild(el('td',null,OUT[f[3]]||''));"
    "tr.appendChild(el('td','ev',f[6]));bd.appendChild(tr);}\n"
    " d.appendChild(tb);if(openId&&key===openId)d.open=true;return d;}\n"
    /* filter, page, render */
    "function ix(a,v){return v?a.indexOf(v):-2;}\n"
    "function apply(){var t=ft.value,r=fr.value,s=ix(SEVN,fs.value),c=ix(CHGN,fc.value),"
    "k=ix(KINDN,fk.value),x=fq.value.trim().toLowerCase(),list=[],rbit=0;\n"
    " for(var i=0;i<R.length&&i<30;i++)if(R[i][0]===r)rbit=1<<i;\n"
    " for(var i=0;i<rows.length;i++){var o=rows[i];if(t&&T[o.q[0]]!==t)continue;"
    "if(r&&!(rbit?o.rm&rbit:o.u&&o.u[r]))continue;if(s>-2&&!(s>=0&&o.sm&1<<s))continue;"
    "if(c>-2&&!(c>=0&&o.cm&1<<c))continue;if(k>-2&&!(k>=0&&o.km&1<<k))continue;if(x&&text(o).indexOf(x)<0)continue;list.push(o);}\n"
    " var pages=Math.max(1,Math.ceil(list.length/PER));if(openId)for(var i=0;i<list.length;i++)"
    "if((list[i].q[2]||list[i].q[3])===openId){page=Math.floor(i/PER)+1;break;}\n"
    " if(page>pages)page=pages;if(page<1)page=1;var a=(page-1)*PER,b=Math.min(list.length,a+PER);\n"
    " var ul=$('queue-list'),fg=document.createDocumentFragment();ul.textContent='';"
    "for(var i=a;i<b;i++)fg.appendChild(rowEl(list[i]));ul.appendChild(fg);\n"
    " $('queue-count').textContent=list.length?'显示第 '+(a+1)+'–'+b+' 户，符合条件 '+"
    "list.length+' 户（本页收录 '+rows.length+' 户）':'没有符合条件的家庭（本页收录 '+"
    "rows.length+' 户）';\n"
    " $('page-info').textContent='第 '+page+' / '+pages+' 页';$('p-prev').disabled=page<=1;"
    "$('p-next').disabled=page>=pages;\n"
    " document.body.setAttribute('data-shown',String(list.length));"
    "document.body.setAttribute('data-page',String(page));toHash();}\n"
    "function reset(){page=1;openId='';apply();}\n"
    "[ft,fr,fs,fc,fk].forEach(function(e){e.addEventListener('change',reset);});\n"
    "var tm=0;fq.addEventListener('input',function(){clearTimeout(tm);tm=setTimeout(reset,200);});\n"
    "$('f-clear').addEventListener('click',function(){ft.value=fr.value=fs.value=fc.value="
    "fk.value=fq.value='';reset();});\n"
    "$('p-prev').addEventListener('click',function(){page--;openId='';apply();});\n"
    "$('p-next').addEventListener('click',function(){page++;openId='';apply();});\n"
    "window.addEventListener('hashchange',function(){fromHash();apply();});\n"
    "fromHash();apply();\n"
    "var st=$('js-status');if(st)st.textContent='可交互';"
    "document.body.setAttribute('data-ready','1');\n"
    "})();";

void report_script_hash(char out[64])
{
    char b[SHA256_B64_LEN];
    sha256_base64(report_page_js, strlen(report_page_js), b);
    snprintf(out, 64, "'sha256-%s'", b);
}

/* ---------- the data block ---------- */

/* A JSON string; '<', '>' and '&' as \u escapes (see the header).  Runs
 * of plain bytes go out in one fwrite: the data block is tens of MB at
 * SF 1, and a locked fputc per byte cost more than the rest of the page. */
static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
            continue;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), f);
        run = p + 1;
        if (c == '"')
            fputs("\\\"", f);
        else if (c == '\\')
            fputs("\\\\", f);
        else
            fprintf(f, "\\u%04x", c);
    }
    if (p > run)
        fwrite(run, 1, (size_t)(p - run), f);
    fputc('"', f);
}

static void jstr_masked_id(FILE *f, const char *id)
{
    char m[256];
    idmask_value(id, m, sizeof m);
    jstr(f, m);
}

/* Evidence is at most ~2 KiB (vm_text.c); longer text is cut, never
 * shown unmasked. */
static void jstr_masked_text(FILE *f, const char *s)
{
    char m[8192];
    idmask_text(s, m, sizeof m);
    jstr(f, m);
}

/* Rows [a, b) of the q array; town is the town index of row a - 1 (-1
 * before the first row). */
static void queue_rows(FILE *f, const struct rep_queue *rq, size_t a, size_t b, long town)
{
    for (size_t i = a; i < b; i++) {
        const struct rep_queue_row *q = &rq->rows[i];
        if (i == 0 || strcmp(q->township, rq->rows[i - 1].township) != 0)
            town++;
        fprintf(f, "%s[%ld,%ld,", i ? ",\n" : "", town, q->rank);
        jstr(f, q->household_id);
        fputc(',', f);
        jstr(f, q->hukou_no);
        fprintf(f, ",%d,[", q->score);
        for (size_t k = 0; k < q->n_flag; k++) {
            const struct rep_flag *g = &rq->flags[q->flag0 + k];
            fputs(k ? ",[" : "[", f);
            if (g->rule >= 0)
                fprintf(f, "%d", g->rule);
            else
                jstr(f, g->rule_id);
            fprintf(f, ",%d,%d,%d,", g->severity, g->change, g->outcome);
            jstr_masked_id(f, g->id_no);
            fputc(',', f);
            jstr(f, g->hukou_no);
            fputc(',', f);
            jstr_masked_text(f, g->evidence);
            fputc(']', f);
        }
        fputs("]]", f);
    }
}

/* The q array in parts rendered at the same time, each into memory, then
 * written in order: the same bytes as one pass (a part starts from the
 * town index of the row before it), in about half the time on two cores
 * (masking the evidence is most of the page's cost: 95,000 households at
 * SF 1).  Returns 0 when memory ran out, and nothing was written. */
#define QUEUE_PARTS 16
#define QUEUE_PART_MIN 2048   /* rows: below, one pass */
static int queue_rows_parallel(FILE *f, const struct rep_queue *rq)
{
    size_t lo[QUEUE_PARTS + 1];
    long town0[QUEUE_PARTS];
    char *buf[QUEUE_PARTS] = {0};
    size_t len[QUEUE_PARTS] = {0};
    int ok[QUEUE_PARTS];
    long town = -1;
    size_t i = 0;
    for (int p = 0; p < QUEUE_PARTS; p++) {
        lo[p] = rq->n_rows * (size_t)p / QUEUE_PARTS;
        for (; i < lo[p]; i++)
            if (i == 0 || strcmp(rq->rows[i].township, rq->rows[i - 1].township) != 0)
                town++;
        town0[p] = town;
    }
    lo[QUEUE_PARTS] = rq->n_rows;
#pragma omp parallel for schedule(dynamic, 1)
    for (int p = 0; p < QUEUE_PARTS; p++) {
        FILE *m = open_memstream(&buf[p], &len[p]);
        ok[p] = m != NULL;
        if (m) {
            queue_rows(m, rq, lo[p], lo[p + 1], town0[p]);
            ok[p] = !ferror(m);
            if (fclose(m) != 0)
                ok[p] = 0;
        }
    }
    int all = 1;
    for (int p = 0; p < QUEUE_PARTS; p++)
        all &= ok[p];
    for (int p = 0; p < QUEUE_PARTS && all; p++)
        fwrite(buf[p], 1, len[p], f);
    for (int p = 0; p < QUEUE_PARTS; p++)
        free(buf[p]);
    return all;
}

/* The data block (see the header).  The listed rows are grouped by
 * township (queue order), so the towns array is the changes of township
 * from one row to the next, and a row's town index counts them. */
static void data_block(FILE *f, const struct rep_queue *rq)
{
    fputs("<script type=\"application/json\" id=\"hedui-data\">{\"rules\":[", f);
    for (int r = 0; r < n_rules; r++) {
        fputs(r ? ",[" : "[", f);
        jstr(f, rule_names[r]);
        fputc(',', f);
        jstr(f, rule_label_zh(r));
        fprintf(f, ",%d]", (int)rule_catalogue[r].kind);
    }
    fputs("],\"towns\":[", f);
    size_t nt = 0;
    for (size_t i = 0; i < rq->n_rows; i++) {
        if (i && strcmp(rq->rows[i].township, rq->rows[i - 1].township) == 0)
            continue;
        if (nt++)
            fputc(',', f);
        jstr(f, rq->rows[i].township);
    }
    fputs("],\"q\":[\n", f);
    /* short of memory for the parts, one pass straight into the page */
    if (rq->n_rows < QUEUE_PART_MIN || !queue_rows_parallel(f, rq))
        queue_rows(f, rq, 0, rq->n_rows, -1);
    fputs("\n]}</script>\n", f);
}

/* ---------- the section ---------- */

static void select_ctl(FILE *f, const char *id, const char *label, const char *all)
{
    fprintf(f, "<label>%s <select id=\"%s\"><option value=\"\">%s</option></select></label>",
            label, id, all);
}

void report_queue_section(FILE *f, const struct rep_queue *rq)
{
    fputs("<section id=\"queue\"><h2>复核队列（每月核查）</h2>", f);
    fprintf(f, "<p>队列共 <b>%lld</b> 户：每户至少有一条严重程度为高或中、尚无核查结论的发现，"
               "按乡镇内的分值排名。", rq->n_total);
    if (rq->rank_cap > 0)
        fprintf(f, "<b class=\"cap\">本页收录每个乡镇排名前 %ld 的 %zu 户（本页上限 %zu 户）；"
                   "其余家庭见 review_queue.csv 和乡镇导出包（hedui export）。</b>",
                rq->rank_cap, rq->n_rows, rq->max);
    else if (rq->max > 0)
        fprintf(f, "本页收录全部 %zu 户（本页上限 %zu 户，超出时只收录每个乡镇排名靠前的家庭）。",
                rq->n_rows, rq->max);
    else
        fprintf(f, "本页收录全部 %zu 户。", rq->n_rows);
    fputs("点击一行查看该户的全部发现和证据。</p>\n<div class=\"filters\">", f);
    select_ctl(f, "f-town", "乡镇", "全部乡镇");
    select_ctl(f, "f-rule", "规则", "全部规则");
    select_ctl(f, "f-sev", "严重程度", "全部");
    select_ctl(f, "f-chg", "变化", "全部");
    select_ctl(f, "f-kind", "类别", "全部");
    fputs("<label>搜索 <input type=\"search\" id=\"f-text\" placeholder=\"户编号、户号、证据…\">"
          "</label><button type=\"button\" id=\"f-clear\">清除筛选</button></div>\n"
          "<p class=\"muted\">筛选：列出至少有一条发现符合所选规则、严重程度、变化和类别的家庭。"
          "</p><div class=\"pager\"><button type=\"button\" id=\"p-prev\">上一页</button>"
          "<span id=\"page-info\"></span><button type=\"button\" id=\"p-next\">下一页</button>"
          "<span id=\"queue-count\" class=\"muted\"></span></div>\n"
          "<div class=\"qhead\"><span>乡镇</span><span class=\"num\">排名</span><span>户编号</span>"
          "<span>户号</span><span class=\"num\">分值</span><span>发现的规则</span>"
          "<span>最高严重程度</span><span>变化</span></div>\n"
          "<div id=\"queue-list\"></div>\n"
          "<noscript><p class=\"muted\">复核队列由本页内的脚本显示；脚本被禁用时请查看 "
          "review_queue.csv 和 flags.csv。</p></noscript>\n",
          f);
    data_block(f, rq);
    fputs("</section>\n", f);
}
