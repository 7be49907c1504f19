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
import csv, sys, openpyxl
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
check("说明 explains all 22 rules with name, check and article (%d)" % len(rules),
      len(rules) == 22 and all(r[1] and r[2] and r[3] for r in rules))
check("说明: E03's article is 《社会救助暂行办法》第十条", any(r[0] == "E03_VEHICLE" and "第十条" in r[3] for r in rules))
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

finish
