#!/bin/sh
# pack_test.sh - township packs as Excel workbooks, read by an independent
# implementation (issue 19): Debian's python3-openpyxl opens each pack and
# finds the Chinese headers, text cells in every ID-like column, the frozen
# and filterable header row, the verdict drop-down and the legend; no ID
# number appears unmasked in any part of the workbook.
#
# Usage: tests/pack_test.sh PATH/TO/hedui
# Installs python3-openpyxl and LibreOffice Calc (tests/install-deps.sh
# pack) when missing.  Uses /usr/bin/python3, Debian's interpreter: a
# `python3` earlier on PATH may be another one without Debian's packages.
set -u
HEDUI=${1:?usage: pack_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-pack.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${PACK_TEST_VERBOSE:-}" ] && echo "pack: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "pack: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
finish() { echo "pack: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
PY=/usr/bin/python3
ASOF=2026-06-15

sh "$ROOT/tests/install-deps.sh" pack >&2
if ! "$PY" -c 'import openpyxl' 2>/dev/null; then
    bad "python3-openpyxl is not installed and could not be installed (tests/install-deps.sh pack)"
    finish
fi
# run a Python check script (stdin) with arguments; each output line
# "ok: WHAT" or "FAIL: WHAT" counts as one check
pycheck() {
    "$PY" - "$@" >"$T/py.out" 2>"$T/py.err"
    rc=$?
    while IFS= read -r l; do
        case "$l" in
            "ok: "*) ok "${l#ok: }" ;;
            "FAIL: "*) bad "${l#FAIL: }" ;;
        esac
    done <"$T/py.out"
    [ $rc -eq 0 ] || bad "python check exited $rc: $(tail -3 "$T/py.err")"
}

# ---------------------------------------------------------------- a run on the fixtures
FX="$T/fx"
mkdir "$FX"
cp "$ROOT/fixtures"/*.csv "$FX/"
"$HEDUI" run -q --data "$FX" --out "$T/o1" --as-of $ASOF --state "$T/S" 2>"$T/err"
check "run --state on the fixtures exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
tail -n +2 "$T/o1/flags.csv" | cut -d, -f6 | grep -E '^.{15,18}$' | sort -u >"$T/ids"

# ---------------------------------------------------------------- export: xlsx by default
"$HEDUI" export --out "$T/ex" --township all --from "$T/o1" >"$T/out" 2>"$T/err"
check "export --township all exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
NT=$(tail -n +2 "$T/o1/review_queue.csv" | cut -d, -f1 | sort -u | wc -l)
check "one workbook per township in the queue ($NT)" \
    "[ \$(ls '$T/ex' | grep -c '^township_[0-9]\{9\}_${ASOF}\.xlsx\$') -eq $NT ] && [ \$(ls -A '$T/ex' | wc -l) -eq $NT ]"
P1="$T/ex/township_610102001_$ASOF.xlsx"
check "a workbook is a zip file" "[ \"\$(head -c 4 '$P1' | od -An -tx1 | tr -d ' ')\" = 504b0304 ]"
check "workbooks are mode 600" "[ \"\$(stat -c %a '$P1')\" = 600 ]"
N1=$(awk -F, 'NR > 1 && $1 == "610102001"' "$T/o1/review_queue.csv" | wc -l)

pycheck "$P1" "$T/o1" "$N1" "$ASOF" <<'EOF'
import csv, re, sys, openpyxl
path, run, nq, asof = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
wb = openpyxl.load_workbook(path)
check("sheets 核查清单, 抽查样本, 说明 (%s)" % wb.sheetnames, wb.sheetnames == ["核查清单", "抽查样本", "说明"])
ws = wb["核查清单"]
head = [c.value for c in ws[1]]
want = ["乡镇（街道）代码", "排名", "救助户编号", "户号", "风险分", "本户触发规则", "规则编号", "规则名称",
        "严重程度", "身份证号（脱敏）", "区划代码", "证据", "与上次相比", "已有结论", "核查键",
        "核查结论", "核查人", "核查日期", "备注"]
check("the header row is in Chinese: %s" % head, head == want or head == [h for h in want if h != "核查键"])
col = {h: i for i, h in enumerate(head)}
rows = [r for r in ws.iter_rows(min_row=2)]
# the run's own lists: every flag of the township's queued households
queue = [r for r in csv.DictReader(open(run + "/review_queue.csv")) if r["township_code"] == "610102001"]
flags = list(csv.DictReader(open(run + "/flags.csv")))
units = {(q["household_id"], q["hukou_no"] if not q["household_id"] else "") for q in queue}
expect = [f for f in flags if (f["household_id"], f["hukou_no"] if not f["household_id"] else "") in units]
check("one row per flag of the %d queued households (%d rows, %d flags)" % (nq, len(rows), len(expect)),
      len(queue) == nq and len(rows) == len(expect) and len(rows) > nq)
for name in ["乡镇（街道）代码", "救助户编号", "户号", "身份证号（脱敏）", "区划代码"] + (["核查键"] if "核查键" in col else []):
    cells = [r[col[name]] for r in rows]
    filled = [c for c in cells if c.value is not None]
    check("%s: every cell is text (%d filled)" % (name, len(filled)),
          filled and all(c.data_type == "s" and isinstance(c.value, str) for c in filled))
    check("%s: the column's format is text (@)" % name, all(c.number_format == "@" for c in cells))
check("the township codes read as 9-digit text", all(r[col["乡镇（街道）代码"]].value == "610102001" for r in rows))
check("rank and score are numbers", all(isinstance(r[col["排名"]].value, int) and isinstance(r[col["风险分"]].value, int) for r in rows))
ids = [r[col["身份证号（脱敏）"]].value or "" for r in rows]
check("masked IDs: first 6 + asterisks + last 4, or all asterisks",
      any(i for i in ids) and all(i == "" or (len(i) >= 15 and "*" * 8 in i) or set(i) == {"*"} for i in ids))
sev = {r[col["严重程度"]].value for r in rows}
check("severities in Chinese (%s)" % sorted(sev), bool(sev) and sev <= {"高", "中", "低"})
check("rule names in Chinese", all(r[col["规则名称"]].value and not r[col["规则名称"]].value.isascii() for r in rows))
check("the header row is frozen (%s)" % ws.freeze_panes, ws.freeze_panes == "A2")
check("the header row is filterable (%s)" % ws.auto_filter.ref, (ws.auto_filter.ref or "").startswith("A1:") and
      ws.auto_filter.ref.endswith(str(len(rows) + 1)))
vl = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
vcol = openpyxl.utils.get_column_letter(col["核查结论"] + 1)
check("核查结论 has a drop-down of 确认/排除/移交 (%s)" % [(d.formula1, str(d.sqref)) for d in vl],
      len(vl) == 1 and vl[0].formula1 == '"确认,排除,移交"' and str(vl[0].sqref) == "%s2:%s%d" % (vcol, vcol, len(rows) + 1))
for name in ["核查人", "核查日期", "备注"]:
    check("%s sits beside 核查结论" % name, col[name] - col["核查结论"] in (1, 2, 3))
w = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for h, i in col.items()}
check("columns have widths: evidence wide, rank narrow (%s, %s)" % (w["证据"], w["排名"]),
      w["证据"] >= 40 and w["排名"] <= 10 and w["身份证号（脱敏）"] >= 18)
check("the verdict columns are empty for the reviewer",
      all(r[col[h]].value is None for r in rows for h in ["核查结论", "核查人", "核查日期", "备注"]))
sp = wb["抽查样本"]
spot = [r for r in csv.DictReader(open(run + "/spotcheck.csv")) if r["township_code"] == "610102001"]
got = [tuple(c.value for c in r) for r in sp.iter_rows(min_row=2)]
check("抽查样本 lists the township's spot-check sample (%d)" % len(spot), len(spot) > 0 and len(got) == len(spot) and
      [g[2] for g in got] == [s["household_id"] for s in spot] and all(g[1] in ("低保", "特困", "低收入") for g in got))
check("抽查样本: reasons in Chinese", all("随机抽取" in g[3] for g in got))
check("抽查样本: frozen header", sp.freeze_panes == "A2")
lg = wb["说明"]
vals = [[c.value for c in r] for r in lg.iter_rows()]
flat = [v for r in vals for v in r if v is not None]
check("说明 names the as-of date", asof in flat)
check("说明 names the policy version", "2026.1" in flat)
check("说明 names the policy pack", "政策包" in flat)
rules = [r for r in vals if isinstance(r[0], str) and r[0][:1] in "EPLQ" and r[0][1:3].isdigit()]
check("说明 explains all 23 rules of the catalogue with name, check and article (%d)" % len(rules),
      len(rules) == 23 and all(r[1] and r[2] and r[3] for r in rules))
check("说明: E03's article is 《社会救助暂行办法》第十条", any(r[0] == "E03_VEHICLE" and "第十条" in r[3] for r in rules))
check("说明 says how income and asset evidence reads", any("除不尽时截至分" in v for v in flat if isinstance(v, str)))
# E09's evidence in the workbook shows the division and each member's part, masked
e09 = [r[col["证据"]].value for r in rows if r[col["规则编号"]].value == "E09_INCOME"]
check("E09 evidence spells out the figures (%s)" % e09[:1],
      e09 and all(re.search(r"total [0-9]+\.[0-9]{2} / [0-9]+ counted members / 6 months = [0-9]+\.[0-9]{2}", v)
                  and re.search(r"largest first: [0-9]{6}\*{8}[0-9]{3}[0-9X] max\(declared ", v) for v in e09))
EOF

# nothing unmasked in any part of any workbook (the XML inside the zip)
pycheck "$T/ex" "$T/ids" <<'EOF'
import os, re, sys, zipfile
d, idfile = sys.argv[1], sys.argv[2]
ids = [l.strip() for l in open(idfile) if l.strip()]
text = ""
for f in sorted(os.listdir(d)):
    with zipfile.ZipFile(os.path.join(d, f)) as z:
        for n in z.namelist():
            text += z.read(n).decode("utf-8", "replace")
print(("ok: " if ids and not any(i in text for i in ids) else "FAIL: ") + "none of the run's %d ID numbers appears in the workbooks" % len(ids))
print(("ok: " if not re.search(r"[0-9]{15}", text) else "FAIL: ") + "no run of 15 digits in the workbooks")
EOF

# ---------------------------------------------------------------- selecting townships
"$HEDUI" export --out "$T/ex6" --township 610102 --from "$T/o1" >"$T/out" 2>"$T/err"
check "--township COUNTY (6 digits) exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... writes a pack for each of the county's townships in the queue" \
    "[ \$(ls '$T/ex6' | wc -l) -eq \$(tail -n +2 '$T/o1/review_queue.csv' | cut -d, -f1 | grep '^610102' | sort -u | wc -l) ] && ! ls '$T/ex6' | grep -qv '^township_610102'"
"$HEDUI" export --out "$T/ex9" --township 610102002 --from "$T/o1" >"$T/out" 2>"$T/err"
check "--township CODE (9 digits) writes that one pack" \
    "[ \$(ls '$T/ex9' | wc -l) -eq 1 ] && [ -s '$T/ex9/township_610102002_$ASOF.xlsx' ]"
"$HEDUI" export --out "$T/ex0" --township 999999 --from "$T/o1" >"$T/out" 2>"$T/err"
check "a county with nothing queued writes nothing and says so" \
    "[ \$(ls -A '$T/ex0' 2>/dev/null | wc -l) -eq 0 ] && grep -q 'no packs written' '$T/out'"
"$HEDUI" export --out "$T/ex7" --township 6101020 --from "$T/o1" 2>"$T/err"
check "a 7-digit code is a usage error" '[ $? -eq 2 ]'
"$HEDUI" export --out "$T/ex7" --township all --format pdf --from "$T/o1" 2>"$T/err"
check "--format pdf is a usage error" '[ $? -eq 2 ]'
"$HEDUI" export --out "$T/exc" --township 610102001 --format csv --from "$T/o1" >"$T/out" 2>"$T/err"
check "--format csv writes the CSV pack" "[ -s '$T/exc/township_610102001_$ASOF.csv' ]"
check "... with a BOM and the Chinese header" \
    "[ \"\$(head -c 3 '$T/exc/township_610102001_$ASOF.csv' | od -An -tx1 | tr -d ' ')\" = efbbbf ] && head -1 '$T/exc/township_610102001_$ASOF.csv' | tail -c +4 | grep -q '^乡镇（街道）代码,排名,救助户编号,户号,风险分,'"
pycheck "$T/exc/township_610102001_$ASOF.csv" "$P1" <<'EOF'
import csv, sys, openpyxl
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
ws = openpyxl.load_workbook(sys.argv[2])["核查清单"]
xl = [["" if c.value is None else str(c.value) for c in r] for r in ws.iter_rows()]
print(("ok: " if rows == xl else "FAIL: ") + "the CSV pack holds the workbook's review list cell for cell (%d rows)" % len(rows))
EOF

# ---------------------------------------------------------------- keys: packs that come back
"$HEDUI" export --out "$T/ek" --township 610102001 --from "$T/o1" --state "$T/S" >"$T/out" 2>"$T/err"
check "export --state exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
PK="$T/ek/township_610102001_$ASOF.xlsx"
check "the state's pack secret is made, mode 600" \
    "[ \"\$(stat -c %a '$T/S/pack.key')\" = 600 ] && grep -qx '[0-9a-f]\{64\}' '$T/S/pack.key'"
cp "$T/S/pack.key" "$T/pack.key.1"
"$HEDUI" export --out "$T/ek2" --township 610102001 --from "$T/o1" --state "$T/S" >/dev/null 2>&1
check "a second export keeps the secret and gives the same keys" \
    "cmp -s '$T/S/pack.key' '$T/pack.key.1'"
"$HEDUI" export --out "$T/ek3" --township 610102001 --from "$T/o1" --state "$T/S-typo" >/dev/null 2>"$T/err"
check "export --state into a missing state directory exits 3 and creates nothing" \
    "[ \$? -eq 3 ] && [ ! -e '$T/S-typo' ] && grep -q -- '--create-state' '$T/err'"
cut -d, -f1 "$T/o1/fingerprints.csv" | tail -n +2 >"$T/fps"
pycheck "$PK" "$T/ek2/township_610102001_$ASOF.xlsx" "$T/fps" <<'EOF'
import re, sys, zipfile, openpyxl
def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
ws = openpyxl.load_workbook(sys.argv[1])["核查清单"]
head = [c.value for c in ws[1]]
check("the pack has a 核查键 column before 核查结论", "核查键" in head and head.index("核查键") + 1 == head.index("核查结论"))
k = head.index("核查键")
keys = [r[k].value for r in ws.iter_rows(min_row=2)]
check("every row has a key K + 24 hex digits, as text", keys and all(isinstance(x, str) and re.fullmatch(r"K[0-9a-f]{24}", x) for x in keys))
check("keys are distinct (one per finding)", len(set(keys)) == len(keys))
ws2 = openpyxl.load_workbook(sys.argv[2])["核查清单"]
check("the same finding gets the same key in the next export", [r[k].value for r in ws2.iter_rows(min_row=2)] == keys)
fps = [l.strip() for l in open(sys.argv[3]) if l.strip()]
text = "".join(zipfile.ZipFile(sys.argv[1]).read(n).decode("utf-8", "replace") for n in zipfile.ZipFile(sys.argv[1]).namelist())
check("no fingerprint appears in the pack", fps and not any(f in text for f in fps))
EOF

# fill the pack with openpyxl: every row of the first two queued households
"$PY" - "$PK" "$T/filled.xlsx" >"$T/hh" 2>"$T/err" <<'EOF'
import sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["核查清单"]
col = {c.value: i + 1 for i, c in enumerate(ws[1])}
hh = []
for r in range(2, ws.max_row + 1):
    h = ws.cell(r, col["救助户编号"]).value
    if h not in hh:
        hh.append(h)
    if h == hh[0]:      # Chinese words, a real date cell (a serial number in the file)
        ws.cell(r, col["核查结论"]).value = "排除"
        ws.cell(r, col["核查人"]).value = "王审计"
        ws.cell(r, col["核查日期"]).value = datetime.date(2026, 6, 12)
        ws.cell(r, col["备注"]).value = "车辆已过户，见凭证"
    elif h == hh[1]:    # English words, a date typed as text
        ws.cell(r, col["核查结论"]).value = "referred"
        ws.cell(r, col["核查人"]).value = "李审计"
        ws.cell(r, col["核查日期"]).value = "2026/6/13"
wb.save(sys.argv[2])
print(hh[0], hh[1])
EOF
check "openpyxl fills the pack ($(cat "$T/err"))" "[ -s '$T/filled.xlsx' ]"
H1=$(cut -d' ' -f1 "$T/hh") H2=$(cut -d' ' -f2 "$T/hh")
N_H1=$(awk -F, -v h="$H1" 'NR > 1 && $4 == h' "$T/o1/flags.csv" | wc -l)
N_H2=$(awk -F, -v h="$H2" 'NR > 1 && $4 == h' "$T/o1/flags.csv" | wc -l)
check "two queued households to review ($H1: $N_H1 flags, $H2: $N_H2)" \
    "[ -n '$H1' ] && [ -n '$H2' ] && grep -q ',$H1,' '$T/o1/review_queue.csv' && grep -q ',$H2,' '$T/o1/review_queue.csv'"
"$HEDUI" review import "$T/filled.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
check "review import of the filled workbook exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... imports one verdict per filled row" \
    "grep -q 'imported $((N_H1 + N_H2)) verdicts from .* ($N_H1 cleared, 0 confirmed, $N_H2 referred)' '$T/out'"
"$HEDUI" review list --state "$T/S" >"$T/list"
check "the verdicts are on the households' findings, with the spreadsheet's date" \
    "[ \$(grep -c ',cleared,王审计,2026-06-12,车辆已过户，见凭证,[A-Z0-9_]*,$H1,' '$T/list') -eq $N_H1 ] && [ \$(grep -c ',referred,李审计,2026-06-13,,[A-Z0-9_]*,$H2,' '$T/list') -eq $N_H2 ]"
"$HEDUI" run -q --data "$FX" --out "$T/o2" --as-of $ASOF --state "$T/S" 2>"$T/err"
check "the next run --state exits 0" '[ $? -eq 0 ]'
check "the reviewed households left the review queue" \
    "! grep -q ',$H1,' '$T/o2/review_queue.csv' && ! grep -q ',$H2,' '$T/o2/review_queue.csv'"
check "the queue lost exactly those two" \
    "[ \$(wc -l <'$T/o2/review_queue.csv') -eq \$((\$(wc -l <'$T/o1/review_queue.csv') - 2)) ]"
"$HEDUI" review import "$T/filled.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
check "importing the filled pack again changes nothing, and says so" \
    "[ \$? -eq 0 ] && grep -q 'imported 0 verdicts' '$T/out' && grep -q 'imported before' '$T/err'"

# bad packs: a changed key, an unknown verdict word; nothing is imported
"$PY" - "$PK" "$T/bad.xlsx" 2>"$T/err" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["核查清单"]
col = {c.value: i + 1 for i, c in enumerate(ws[1])}
k = ws.cell(2, col["核查键"]).value
ws.cell(2, col["核查键"]).value = k[:-1] + ("0" if k[-1] != "0" else "1")
for r, word in ((2, "确认"), (3, "同意")):
    ws.cell(r, col["核查结论"]).value = word
    ws.cell(r, col["核查人"]).value = "赵审计"
    ws.cell(r, col["核查日期"]).value = "2026-06-14"
wb.save(sys.argv[2])
EOF
cp "$T/S/dispositions.csv" "$T/disp.before"
"$HEDUI" review import "$T/bad.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
check "a pack with bad rows exits 1" '[ $? -eq 1 ]'
check "... names the changed key by its row" "grep -q 'bad.xlsx:2: 核查键 .* is not the key of any finding' '$T/err'"
check "... names the unknown verdict word by its row" "grep -q \"bad.xlsx:3: 核查结论 '同意' is not\" '$T/err'"
check "... and imports nothing" "cmp -s '$T/S/dispositions.csv' '$T/disp.before'"

# a pack exported without --state has no key: refused with the way out
"$PY" - "$P1" "$T/nokey.xlsx" 2>"$T/err" <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1]); ws = wb["核查清单"]
col = {c.value: i + 1 for i, c in enumerate(ws[1])}
ws.cell(2, col["核查结论"]).value = "确认"; ws.cell(2, col["核查人"]).value = "x"; ws.cell(2, col["核查日期"]).value = "2026-06-14"
wb.save(sys.argv[2])
EOF
"$HEDUI" review import "$T/nokey.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
check "a filled pack without 核查键 exits 3 saying to export with --state" \
    "[ \$? -eq 3 ] && grep -q 'no 核查键 column' '$T/err'"

# a workbook written by hand: inline strings, prefixed element names, the
# 1904 date system (a date serial means another day there)
K3=$("$PY" -c "
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1])['核查清单']
col = {c.value: i for i, c in enumerate(ws[1])}
hh = sys.argv[2].split()
for r in ws.iter_rows(min_row=2):
    if r[col['救助户编号']].value not in hh:
        print(r[col['核查键']].value); break
" "$PK" "$H1 $H2")
"$PY" - "$T/inline.xlsx" "$K3" <<'EOF'
import sys, zipfile
path, key = sys.argv[1], sys.argv[2]
ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
def c(ref, text):
    return '<x:c r="%s" t="inlineStr"><x:is><x:r><x:t>%s</x:t></x:r><x:rPh sb="0" eb="1"><x:t>PHONETIC</x:t></x:rPh></x:is></x:c>' % (ref, text)
sheet = ('<?xml version="1.0" encoding="UTF-8"?><x:worksheet %s><x:sheetData>' % ns +
         '<x:row r="1">' + c("B1", "核查键") + c("C1", "核查结论") + c("D1", "核查人") + c("E1", "核查日期") + '</x:row>' +
         '<x:row r="5">' + c("B5", key) + c("C5", "移交") + c("D5", "孙审计") + '<x:c r="E5"><x:v>44723</x:v></x:c></x:row>' +
         '</x:sheetData></x:worksheet>')
wb = ('<?xml version="1.0" encoding="UTF-8"?><x:workbook %s><x:workbookPr date1904="1"/><x:sheets>' % ns +
      '<x:sheet name="Sheet1" sheetId="1" r:id="rId7"/></x:sheets></x:workbook>')
rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s.xml"/></Relationships>')
ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')
with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", ct)
    z.writestr("xl/workbook.xml", wb)
    z.writestr("xl/_rels/workbook.xml.rels", rels)
    z.writestr("xl/worksheets/s.xml", sheet)
EOF
"$HEDUI" review import "$T/inline.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
check "a hand-made workbook (inline strings, prefixed names) imports ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && grep -q 'imported 1 verdict ' '$T/out'"
check "... its 1904-system date serial 44723 is 2026-06-12, and phonetic runs are not text" \
    "\"$HEDUI\" review list --state '$T/S' | grep -q ',referred,孙审计,2026-06-12,'"

# a CSV pack as Chinese Excel saves "CSV (逗号分隔)": GB18030, CRLF, no BOM, Y/M/D dates
"$HEDUI" export --format csv --out "$T/ekg" --township 610102002 --from "$T/o1" --state "$T/S" >/dev/null 2>&1
awk 'BEGIN { FS = OFS = "," } NR == 1 { sub(/^\357\273\277/, ""); for (i = 1; i <= NF; i++) c[$i] = i; print; next }
     NR == 2 { $c["核查结论"] = "确认"; $c["核查人"] = "吴审计"; $c["核查日期"] = "2026/6/11" } { print }' \
    "$T/ekg/township_610102002_$ASOF.csv" | sed 's/$/\r/' | iconv -f utf-8 -t gb18030 >"$T/gb.csv"
check "the GB18030 copy is not UTF-8 (the test is real)" "! iconv -f utf-8 -t utf-8 '$T/gb.csv' >/dev/null 2>&1"
"$HEDUI" review import "$T/gb.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "a CSV pack saved by Excel as GB18030 imports ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && grep -q 'imported 1 verdict ' '$T/out' && \"$HEDUI\" review list --state '$T/S' | grep -q ',confirmed,吴审计,2026-06-11,'"

# ---------------------------------------------------------------- LibreOffice
if command -v libreoffice >/dev/null 2>&1; then
    LOHOME="$T/lohome"
    lo() { HOME="$LOHOME" timeout 180 libreoffice --headless --norestore "$@" >"$T/lo.out" 2>&1; }
    # 1. the filled workbook re-saved by LibreOffice Calc: the same verdicts
    mkdir -p "$T/lo1"
    lo --convert-to xlsx --outdir "$T/lo1" "$T/filled.xlsx"
    check "LibreOffice re-saves the filled workbook ($(tail -1 "$T/lo.out"))" "[ -s '$T/lo1/filled.xlsx' ]"
    "$HEDUI" review import "$T/lo1/filled.xlsx" --state "$T/S" --dry-run >"$T/out" 2>"$T/err"
    check "... and hedui reads the same verdicts from it ($(cat "$T/err" | head -2))" \
        "[ \$? -eq 0 ] && grep -q '; $((N_H1 + N_H2)) already there' '$T/out'"
    # 2. a CSV pack filled as text, opened and saved as a workbook by
    #    LibreOffice: its dates become date serials, its text shared strings
    "$HEDUI" export --format csv --out "$T/ekc" --township 610102001 --from "$T/o1" --state "$T/S" >/dev/null 2>&1
    awk -v OFS=, 'BEGIN { FS = "," } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
         NR <= 4 { $c["核查结论"] = "移交"; $c["核查人"] = "周审计"; $c["核查日期"] = "2026-06-14" } { print }' \
        "$T/ekc/township_610102001_$ASOF.csv" >"$T/lofilled.csv"
    mkdir -p "$T/lo2"
    lo --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$T/lo2" "$T/lofilled.csv"
    check "LibreOffice converts a filled CSV pack to a workbook" "[ -s '$T/lo2/lofilled.xlsx' ]"
    "$PY" -c "
import openpyxl, sys
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
col = {c.value: i for i, c in enumerate(ws[1])}
print(type(ws[2][col['核查日期']].value).__name__)" "$T/lo2/lofilled.xlsx" >"$T/dtype" 2>&1
    check "... where the dates are date cells ($(cat "$T/dtype"))" "grep -q datetime '$T/dtype'"
    "$HEDUI" review import "$T/lo2/lofilled.xlsx" --state "$T/S" >"$T/out" 2>"$T/err"
    check "... which hedui imports ($(head -2 "$T/err"))" "[ \$? -eq 0 ] && grep -q 'imported 3 verdicts' '$T/out'"
    check "... with the dates as typed" \
        "[ \$(\"$HEDUI\" review list --state '$T/S' | grep -c ',referred,周审计,2026-06-14,') -eq 3 ]"
else
    bad "libreoffice is not installed (tests/install-deps.sh pack installs libreoffice-calc-nogui)"
fi

finish
