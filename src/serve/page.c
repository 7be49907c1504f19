/* page.c - the caseworker's page of `hedui serve` (page.h): its markup,
 * its one inline style and its one inline script, and the CSP that allows
 * exactly those two by hash.
 *
 * Owns: the page's text.  Its script renders an answer of POST /v1/check
 * (the JSON of snapshot/precheck_out.c) with textContent only, maps the
 * members' line numbers of a reject back to the member rows of the form,
 * and sets body[data-state] (ready, busy, done, error) and
 * #verdict[data-verdict] for tests/serve_test.sh's browser test.
 * Never: loads anything from another origin, stores anything in the
 * browser, or builds markup from an answer.
 */
#include "serve/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/auth.h"

static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"referrer\" content=\"no-referrer\">\n"
    "<title>申请家庭核对 · hedui</title>\n";

static const char page_style[] =
    "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\",\"Microsoft YaHei\",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}\n"
    "header{background:#1f3a5f;color:#fff;padding:12px 24px}\n"
    "header h1{margin:0;font-size:20px}\n"
    "header p{margin:4px 0 0;font-size:13px;opacity:.85}\n"
    "main{max-width:1100px;margin:0 auto;padding:16px 24px}\n"
    "fieldset{background:#fff;border:1px solid #d9dde3;border-radius:6px;margin:0 0 14px;padding:10px 14px}\n"
    "legend{font-weight:bold;padding:0 6px}\n"
    "label{display:inline-block;margin:4px 14px 4px 0;font-size:14px}\n"
    "input,select{font:inherit;font-size:14px;padding:3px 5px;border:1px solid #b8bec7;border-radius:3px}\n"
    "input.id{width:13em}input.num{width:6em}input.region{width:9em}\n"
    "table{border-collapse:collapse;width:100%;font-size:14px}\n"
    "th,td{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left;vertical-align:top}\n"
    "th{background:#f0f2f5}\n"
    "button{font:inherit;font-size:14px;padding:5px 14px;border-radius:4px;border:1px solid #1f3a5f;background:#fff;color:#1f3a5f;cursor:pointer}\n"
    "button.primary{background:#1f3a5f;color:#fff;font-size:16px;padding:7px 28px}\n"
    "textarea{width:100%;font:inherit;font-size:13px}\n"
    ".verdict{font-size:24px;font-weight:bold;padding:14px 18px;border-radius:6px;margin:10px 0}\n"
    ".v-no_finding{background:#e3f4e8;color:#1e6b34;border:1px solid #9bd3ab}\n"
    ".v-needs_review{background:#fff4de;color:#8a5a00;border:1px solid #f0c66f}\n"
    ".v-looks_ineligible{background:#fde7e7;color:#a3191f;border:1px solid #f0a3a3}\n"
    ".sev-high{color:#a3191f;font-weight:bold}.sev-medium{color:#8a5a00}.sev-low{color:#555}\n"
    "#error{background:#fde7e7;border:1px solid #f0a3a3;padding:8px 12px;border-radius:4px}\n"
    ".muted{color:#666;font-size:13px}\n"
    "#result{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:10px 16px;margin-top:14px}\n";

static const char page_body[] =
    "<header><h1>申请家庭核对 (hedui)</h1><p id=\"snap\">快照信息读取中…</p></header>\n"
    "<main>\n"
    "<form id=\"f\" autocomplete=\"off\">\n"
    "<fieldset><legend>本次核对</legend>\n"
    "<label>办理事项 / 申请编号 <input id=\"reason\" maxlength=\"200\" placeholder=\"如: 申请编号 2026-118\" required></label>\n"
    "<label>核对日期 <input id=\"as_of\" type=\"date\"></label>\n"
    "<label>访问令牌 (如需要) <input id=\"token\" type=\"password\" autocomplete=\"off\"></label>\n"
    "</fieldset>\n"
    "<fieldset><legend>申请家庭</legend>\n"
    "<label>户编号 <input id=\"household_id\" required></label>\n"
    "<label>区划代码 (12 位) <input id=\"region_code\" class=\"region\" maxlength=\"12\" required></label>\n"
    "<label>救助类别 <select id=\"program\"><option value=\"dibao\">低保</option><option value=\"tekun\">特困</option><option value=\"dishouru\">低收入</option></select></label>\n"
    "<label>城乡 <select id=\"area_type\"><option value=\"urban\">城市</option><option value=\"rural\">农村</option></select></label>\n"
    "<label>状态 <select id=\"status\"><option value=\"applying\">申请中</option><option value=\"active\">在保</option><option value=\"suspended\">暂停</option><option value=\"cancelled\">已注销</option></select></label>\n"
    "<label>受理日期 <input id=\"applied_on\" type=\"date\" required></label>\n"
    "<label>审批日期 <input id=\"approved_on\" type=\"date\"></label>\n"
    "<label>月救助金 (元) <input id=\"monthly_benefit\" class=\"num\" value=\"0\"></label>\n"
    "<label>经办人编号 <input id=\"caseworker_id\"></label>\n"
    "</fieldset>\n"
    "<fieldset><legend>家庭成员</legend>\n"
    "<table id=\"members\"><thead><tr><th>身份证号</th><th>姓名</th><th>与户主关系</th><th>申报月收入 (元)</th><th>劳动能力</th><th>残疾等级</th><th></th></tr></thead><tbody></tbody></table>\n"
    "<p><button type=\"button\" id=\"add\">添加成员</button></p>\n"
    "<details id=\"pastebox\"><summary id=\"pasteopen\">从表格粘贴成员</summary>\n"
    "<p class=\"muted\">每行一人, 各列依次为: 身份证号, 姓名, 与户主关系, 申报月收入, 劳动能力, 残疾等级 (后两列可省略)。可从 Excel / WPS 表格直接复制粘贴; 关系可写 户主、配偶、子女、父母、兄弟姐妹、孙子女、其他。</p>\n"
    "<textarea id=\"paste\" rows=\"5\"></textarea>\n"
    "<p><button type=\"button\" id=\"fill\">填入成员表</button> <span id=\"pasted\" class=\"muted\"></span></p>\n"
    "</details>\n"
    "</fieldset>\n"
    "<p><button type=\"submit\" id=\"go\" class=\"primary\">核对</button> <span id=\"busy\" class=\"muted\"></span></p>\n"
    "</form>\n"
    "<p id=\"error\" role=\"alert\" hidden></p>\n"
    "<section id=\"result\" hidden>\n"
    "<div id=\"verdict\" class=\"verdict\"></div>\n"
    "<p id=\"hhline\" class=\"muted\"></p>\n"
    "<ul id=\"reasons\"></ul>\n"
    "<table id=\"findings\"><thead><tr><th>程度</th><th>规则</th><th>类别</th><th>身份证号</th><th>证据</th></tr></thead><tbody></tbody></table>\n"
    "<p id=\"nofind\" class=\"muted\" hidden>没有规则触发。</p>\n"
    "<ul id=\"notes\" class=\"muted\"></ul>\n"
    "</section>\n"
    "</main>\n";

static const char page_script[] =
    "\"use strict\";\n"
    "(function () {\n"
    "  var REL = [[\"head\", \"户主\"], [\"spouse\", \"配偶\"], [\"child\", \"子女\"], [\"parent\", \"父母\"],\n"
    "             [\"sibling\", \"兄弟姐妹\"], [\"grandchild\", \"孙子女\"], [\"other\", \"其他\"]];\n"
    "  var WA = [[\"full\", \"完全\"], [\"partial\", \"部分\"], [\"none\", \"无\"]];\n"
    "  var REL_ALIAS = {\"本人\": \"head\", \"户主\": \"head\", \"配偶\": \"spouse\", \"妻子\": \"spouse\", \"丈夫\": \"spouse\",\n"
    "    \"妻\": \"spouse\", \"夫\": \"spouse\", \"子女\": \"child\", \"儿子\": \"child\", \"女儿\": \"child\", \"子\": \"child\",\n"
    "    \"女\": \"child\", \"父母\": \"parent\", \"父亲\": \"parent\", \"母亲\": \"parent\", \"兄弟姐妹\": \"sibling\",\n"
    "    \"兄弟\": \"sibling\", \"姐妹\": \"sibling\", \"孙子女\": \"grandchild\", \"孙子\": \"grandchild\",\n"
    "    \"孙女\": \"grandchild\", \"外孙\": \"grandchild\", \"外孙女\": \"grandchild\", \"其他\": \"other\"};\n"
    "  var WA_ALIAS = {\"完全\": \"full\", \"全部\": \"full\", \"有\": \"full\", \"部分\": \"partial\", \"无\": \"none\",\n"
    "    \"丧失\": \"none\", \"完全丧失\": \"none\"};\n"
    "  function $(id) { return document.getElementById(id); }\n"
    "  function el(tag, text, cls) {\n"
    "    var e = document.createElement(tag);\n"
    "    if (text !== undefined && text !== null) e.textContent = text;\n"
    "    if (cls) e.className = cls;\n"
    "    return e;\n"
    "  }\n"
    "  function select(opts, value) {\n"
    "    var s = document.createElement(\"select\");\n"
    "    opts.forEach(function (o) {\n"
    "      var op = el(\"option\", o[1]);\n"
    "      op.value = o[0];\n"
    "      s.appendChild(op);\n"
    "    });\n"
    "    if (value) s.value = value;\n"
    "    return s;\n"
    "  }\n"
    "  function today() {\n"
    "    var d = new Date(), p = function (n) { return (n < 10 ? \"0\" : \"\") + n; };\n"
    "    return d.getFullYear() + \"-\" + p(d.getMonth() + 1) + \"-\" + p(d.getDate());\n"
    "  }\n"
    "  function addMember(m) {\n"
    "    m = m || {};\n"
    "    var tr = document.createElement(\"tr\");\n"
    "    var id = el(\"input\"); id.className = \"id\"; id.value = m.id_no || \"\"; id.name = \"id_no\";\n"
    "    var name = el(\"input\"); name.value = m.name || \"\"; name.name = \"name\";\n"
    "    var rel = select(REL, m.relation || ($(\"members\").tBodies[0].rows.length ? \"spouse\" : \"head\"));\n"
    "    rel.name = \"relation\";\n"
    "    var inc = el(\"input\"); inc.className = \"num\"; inc.value = m.income || \"0\"; inc.name = \"income\";\n"
    "    var wa = select(WA, m.work_ability || \"full\"); wa.name = \"work_ability\";\n"
    "    var dg = select([[\"0\", \"无\"], [\"1\", \"一级\"], [\"2\", \"二级\"], [\"3\", \"三级\"], [\"4\", \"四级\"]],\n"
    "                    m.disability_grade || \"0\");\n"
    "    dg.name = \"disability_grade\";\n"
    "    var del = el(\"button\", \"删除\"); del.type = \"button\";\n"
    "    del.addEventListener(\"click\", function () { tr.parentNode.removeChild(tr); });\n"
    "    [id, name, rel, inc, wa, dg, del].forEach(function (x) {\n"
    "      var td = document.createElement(\"td\"); td.appendChild(x); tr.appendChild(td);\n"
    "    });\n"
    "    $(\"members\").tBodies[0].appendChild(tr);\n"
    "  }\n"
    "  function cleanIncome(s) {\n"
    "    s = s.replace(/[元\\s]/g, \"\");\n"
    "    if (/^\\d{1,3}(,\\d{3})+(\\.\\d+)?$/.test(s)) s = s.replace(/,/g, \"\");\n"
    "    return s;\n"
    "  }\n"
    "  function fillFromPaste() {\n"
    "    var lines = $(\"paste\").value.split(/\\r?\\n/), n = 0;\n"
    "    lines.forEach(function (line) {\n"
    "      if (!line.trim()) return;\n"
    "      var c = line.indexOf(\"\\t\") >= 0 ? line.split(\"\\t\") : line.trim().split(/[\\s，]+/);\n"
    "      c = c.map(function (x) { return x.trim(); });\n"
    "      if (/身份证/.test(c[0])) return;   /* a header row */\n"
    "      var rel = REL_ALIAS[c[2]] || (c[2] || \"\").toLowerCase();\n"
    "      var wa = WA_ALIAS[c[4]] || (c[4] || \"full\").toLowerCase();\n"
    "      var dg = (c[5] || \"0\").replace(/[级\\s]/g, \"\");\n"
    "      var rows = $(\"members\").tBodies[0].rows;\n"
    "      if (rows.length === 1 && !rows[0].querySelector(\"input\").value) rows[0].parentNode.removeChild(rows[0]);\n"
    "      addMember({id_no: (c[0] || \"\").replace(/\\s/g, \"\"), name: c[1] || \"\", relation: rel,\n"
    "                 income: cleanIncome(c[3] || \"0\"), work_ability: wa, disability_grade: dg});\n"
    "      n++;\n"
    "    });\n"
    "    $(\"pasted\").textContent = \"已填入 \" + n + \" 人\";\n"
    "  }\n"
    "  function memberRows() {\n"
    "    return Array.prototype.map.call($(\"members\").tBodies[0].rows, function (tr) {\n"
    "      var f = function (nm) { return tr.querySelector(\"[name=\" + nm + \"]\").value.trim(); };\n"
    "      return {id_no: f(\"id_no\"), name: f(\"name\"), relation: f(\"relation\"),\n"
    "              declared_monthly_income: f(\"income\"), work_ability: f(\"work_ability\"),\n"
    "              disability_grade: f(\"disability_grade\")};\n"
    "    });\n"
    "  }\n"
    "  function headers() {\n"
    "    var h = {\"Content-Type\": \"application/json\"}, t = $(\"token\").value.trim();\n"
    "    if (t) h.Authorization = \"Bearer \" + t;\n"
    "    return h;\n"
    "  }\n"
    "  function showError(text) {\n"
    "    var e = $(\"error\"); e.textContent = text; e.hidden = false;\n"
    "    document.body.setAttribute(\"data-state\", \"error\");\n"
    "  }\n"
    "  function render(ans, members) {\n"
    "    var res = $(\"result\"), h = ans.households && ans.households[0];\n"
    "    $(\"reasons\").textContent = \"\"; $(\"notes\").textContent = \"\";\n"
    "    var tb = $(\"findings\").tBodies[0]; tb.textContent = \"\";\n"
    "    (ans.warnings || []).forEach(function (w) { $(\"notes\").appendChild(el(\"li\", \"警告: \" + w)); });\n"
    "    (ans.rejects || []).forEach(function (r) {\n"
    "      var who = r.file === \"members\" && members[r.line - 2]\n"
    "        ? \"成员 \" + (r.line - 1) + \" (\" + (members[r.line - 2].name || members[r.line - 2].id_no) + \")\"\n"
    "        : \"家庭信息\";\n"
    "      $(\"notes\").appendChild(el(\"li\", \"未使用的输入: \" + who + \": \" + r.reason));\n"
    "    });\n"
    "    var v = $(\"verdict\");\n"
    "    if (!h) {\n"
    "      v.className = \"verdict v-needs_review\"; v.textContent = \"需复核\";\n"
    "      v.setAttribute(\"data-verdict\", \"needs_review\");\n"
    "      $(\"hhline\").textContent = \"家庭信息无法使用, 请按下方提示更正后重新核对。\";\n"
    "    } else {\n"
    "      v.className = \"verdict v-\" + h.verdict;\n"
    "      v.textContent = h.verdict_zh;\n"
    "      v.setAttribute(\"data-verdict\", h.verdict);\n"
    "      $(\"hhline\").textContent = \"户 \" + h.household_id + \" · 区划 \" + h.region_code +\n"
    "        (h.hukou_no ? \" · 户主户号 \" + h.hukou_no : \"\") + \" · 核对日期 \" + ans.as_of +\n"
    "        \" · 数据截至 \" + ans.snapshot.feeds_as_of;\n"
    "      (h.review_reasons || []).forEach(function (r) { $(\"reasons\").appendChild(el(\"li\", \"需复核原因: \" + r.text_zh)); });\n"
    "      (h.findings || []).forEach(function (f) {\n"
    "        var tr = document.createElement(\"tr\");\n"
    "        tr.appendChild(el(\"td\", f.severity_zh, \"sev-\" + f.severity));\n"
    "        var td = el(\"td\", f.rule_zh + \" \"); td.appendChild(el(\"span\", f.rule_id, \"muted\")); tr.appendChild(td);\n"
    "        tr.appendChild(el(\"td\", f.kind_zh));\n"
    "        tr.appendChild(el(\"td\", f.id_no));\n"
    "        tr.appendChild(el(\"td\", f.evidence));\n"
    "        tb.appendChild(tr);\n"
    "      });\n"
    "      $(\"nofind\").hidden = !!(h.findings && h.findings.length);\n"
    "    }\n"
    "    res.hidden = false;\n"
    "    document.body.setAttribute(\"data-state\", \"done\");\n"
    "  }\n"
    "  function submit(ev) {\n"
    "    ev.preventDefault();\n"
    "    $(\"error\").hidden = true; $(\"result\").hidden = true;\n"
    "    var members = memberRows();\n"
    "    var hh = {household_id: $(\"household_id\").value.trim(), region_code: $(\"region_code\").value.trim(),\n"
    "      program: $(\"program\").value, area_type: $(\"area_type\").value, status: $(\"status\").value,\n"
    "      applied_on: $(\"applied_on\").value, approved_on: $(\"approved_on\").value,\n"
    "      monthly_benefit: $(\"monthly_benefit\").value.trim(), caseworker_id: $(\"caseworker_id\").value.trim(),\n"
    "      members: members};\n"
    "    var body = {reason: $(\"reason\").value.trim(), households: [hh]};\n"
    "    if ($(\"as_of\").value) body.as_of = $(\"as_of\").value;\n"
    "    $(\"busy\").textContent = \"核对中…\";\n"
    "    document.body.setAttribute(\"data-state\", \"busy\");\n"
    "    fetch(\"/v1/check\", {method: \"POST\", headers: headers(), body: JSON.stringify(body)})\n"
    "      .then(function (r) {\n"
    "        return r.text().then(function (t) { return {status: r.status, text: t}; });\n"
    "      })\n"
    "      .then(function (r) {\n"
    "        $(\"busy\").textContent = \"\";\n"
    "        var j = null;\n"
    "        try { j = JSON.parse(r.text); } catch (e) { j = null; }\n"
    "        if (r.status === 200 && j) return render(j, members);\n"
    "        if (r.status === 401) return showError(\"需要有效的访问令牌 (401)。\");\n"
    "        if (r.status === 503) return showError(\"服务繁忙或暂不可用, 请稍后重试 (503)。\");\n"
    "        if (j && j.field) return showError(\"请求有误: \" + j.field + \": \" + j.reason + \" (\" + r.status + \")\");\n"
    "        showError(\"核对失败 (\" + r.status + \")\");\n"
    "      })\n"
    "      .catch(function (e) { $(\"busy\").textContent = \"\"; showError(\"无法连接核对服务: \" + e); });\n"
    "  }\n"
    "  function snapshotInfo() {\n"
    "    fetch(\"/v1/snapshot\", {headers: headers()}).then(function (r) {\n"
    "      if (r.status !== 200) { $(\"snap\").textContent = \"快照信息需要访问令牌\"; return null; }\n"
    "      return r.json();\n"
    "    }).then(function (s) {\n"
    "      if (!s) return;\n"
    "      $(\"snap\").textContent = \"数据截至 \" + s.feeds_as_of + \" · 政策 \" + s.policy.version +\n"
    "        \" · 社保数据完整到 \" + (s.social_insurance_through || \"无\") + \" · 快照生成于 \" + s.built;\n"
    "    }).catch(function () { $(\"snap\").textContent = \"快照信息读取失败\"; });\n"
    "  }\n"
    "  $(\"applied_on\").value = today();\n"
    "  $(\"household_id\").value = \"SQ\" + today().replace(/-/g, \"\") + \"-\" + Math.floor(Math.random() * 9000 + 1000);\n"
    "  addMember();\n"
    "  $(\"add\").addEventListener(\"click\", function () { addMember(); });\n"
    "  $(\"fill\").addEventListener(\"click\", fillFromPaste);\n"
    "  $(\"f\").addEventListener(\"submit\", submit);\n"
    "  $(\"token\").addEventListener(\"change\", snapshotInfo);\n"
    "  snapshotInfo();\n"
    "  document.body.setAttribute(\"data-state\", \"ready\");\n"
    "})();\n";

/* ---------- assembly ---------- */

static void base64(const unsigned char *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = '\0';
}

/* 'sha256-BASE64' of a text */
static int csp_hash(const char *text, char out[60])
{
    unsigned char h[32];
    char b[48];
    if (auth_sha256(text, strlen(text), h) != 0)
        return -1;
    base64(h, 32, b);
    snprintf(out, 60, "'sha256-%s'", b);
    return 0;
}

int page_build(struct serve_page *p, struct err *e)
{
    memset(p, 0, sizeof *p);
    char hs[60], hj[60];
    if (csp_hash(page_style, hs) != 0 || csp_hash(page_script, hj) != 0)
        return ERR(e, E_INTERNAL, "cannot hash the page's script and style");
    snprintf(p->csp, sizeof p->csp,
             "default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
             "img-src 'none'; font-src 'none'; form-action 'none'; base-uri 'none'; "
             "frame-ancestors 'none'", hj, hs);
    size_t n = strlen(page_head) + strlen(page_style) + strlen(page_body) +
               strlen(page_script) + 128;   /* the tags between them */
    p->html = malloc(n);
    if (!p->html)
        return ERR(e, E_NOMEM, "out of memory while building the page");
    int k = snprintf(p->html, n, "%s<style>%s</style>\n</head><body data-state=\"loading\">\n"
                                 "%s<script>%s</script>\n</body></html>\n",
                     page_head, page_style, page_body, page_script);
    p->len = (size_t)k;
    return E_OK;
}

void page_free(struct serve_page *p)
{
    free(p->html);
    p->html = NULL;
}
