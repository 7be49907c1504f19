#!/bin/sh
# explain_test.sh - end-to-end tests of `hedui explain` (issue 18 item 5).
#
# Usage: tests/explain_test.sh PATH/TO/hedui
# Checks, on fixtures/ as of 2026-06-15: a household with a known E09 (and
# one with E03) shows the fired rule with its figures, evidence and key; its
# near misses show the condition that was false and both sides of it; no
# standard, an absent feed and a rule off say "not evaluated" / "off"; a
# pack's dated parameter shows the value in force on each side of its date;
# a candidate (L01); an unknown household or candidate is a clear usage
# error; no full ID number anywhere in the text; and for every household of
# fixtures/ the flags explain reports (from its traced program) and the
# rules it says fired are exactly the run's flags.
set -u
HEDUI=${1:?usage: explain_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-explain.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${EXPLAIN_VERBOSE:-}" ] && echo "explain: ok: $1" >&2; }
bad()  { fail=$((fail + 1)); echo "explain: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
has()  { grep -qF -- "$2" "$1"; }

FX="$ROOT/fixtures"
ASOF=2026-06-15
RULES="$ROOT/rules"
ex() { "$HEDUI" explain --data "$FX" --rules "$RULES" --as-of $ASOF "$@"; }
# the block of one rule in an explanation: from its heading to the next blank line
block() { awk -v r="$2" 'index($0, r " ") == 1 { on = 1 } on && /^$/ { exit } on' "$1"; }

# 1. usage
"$HEDUI" explain --help >"$T/help" 2>&1
check "explain --help exits 0 and names --household" '[ $? -eq 0 ] && has "$T/help" "--household ID"'
"$HEDUI" explain --data "$FX" >"$T/out" 2>"$T/err"
check "explain without --household is a usage error" \
    '[ $? -eq 2 ] && has "$T/err" "needs one of --household ID and --candidate ID_NO"'

# 2. E09 fires: the figures, the evidence, the key
ex --household HH020 >"$T/hh020" 2>"$T/err"
check "explain HH020 exits 0 ($(head -c 200 "$T/err"))" '[ $? -eq 0 ]'
block "$T/hh020" E09_INCOME >"$T/e09"
check "E09 block has the Chinese label, kind and severity" \
    'has "$T/e09" "E09_INCOME 人均收入高于标准 - 错保 cuobao, 高 high - reference.policy:"'
check "E09 shows the parameter table in force" \
    'has "$T/e09" "parameters: factor = {dibao: 1, tekun: 1, dishouru: 1.5}"'
check "E09 shows the household income per member (declared x months vs evidenced)" \
    'has "$T/e09" "let income = 12600.12" && has "$T/e09" "m.declared_monthly_income * window_months = 5100.12" && has "$T/e09" "evidenced_income(m) = 7500"'
check "E09 shows the when and both sides of it, exactly" \
    'has "$T/e09" "when income / (window_months * h.size) > h.standard.monthly_yuan * factor[h.program]: true" && has "$T/e09" "income / (window_months * h.size) = 1050.01" && has "$T/e09" "h.standard.monthly_yuan * factor[h.program] = 1050"'
check "E09 fires with the run's evidence and its key" \
    'has "$T/e09" "=> 命中 fires: income: 6-month total 12600.12 / 2 counted members / 6 months = 1050.01 per person per month > standard 1050.00" && has "$T/e09" "key: 12600.12, 2, 1050, dibao"'
check "HH020 lists the run's flag" \
    'has "$T/hh020" "flags for this unit, as '"'"'hedui run'"'"' lists them: 1" && has "$T/hh020" "  E09_INCOME HK0020: income:"'

# 3. E09 one fen short: the false condition, at the limit to the fen
ex --household HH019 >"$T/hh019" 2>/dev/null
block "$T/hh019" E09_INCOME >"$T/e09n"
check "HH019: E09 does not fire and says which condition was false" \
    'has "$T/e09n" "=> 未命中 does not fire: income / (window_months * h.size) > h.standard.monthly_yuan * factor[h.program] is false"'
check "HH019: both sides are 1050 (equal is not above)" \
    'has "$T/e09n" "income / (window_months * h.size) = 1050" && has "$T/e09n" "h.standard.monthly_yuan * factor[h.program] = 1050"'

# 4. E03 fires per member, with the vehicle row; near misses say any(v) is false
ex --household HH006 >"$T/hh006" 2>/dev/null
block "$T/hh006" E03_VEHICLE >"$T/e03"
check "HH006: E03 lists the parameters it reads" \
    'has "$T/e03" "parameters: vehicle_classes = {car, truck, bus}" && has "$T/e03" "exempt_max = 30000"'
check "HH006: E03 shows the vehicle row it found and fires with it" \
    'has "$T/e03" "set v = 1 row" && has "$T/e03" "vehicles line 3: plate_no 陕A12345, vehicle_class car, use private" && has "$T/e03" "=> 命中 fires: vehicles: car 陕A12345 private value 86000 (line 3)" && has "$T/e03" "key: car, 陕A12345, private, 86000"'
ex --household HH007 >"$T/hh007" 2>/dev/null
block "$T/hh007" E03_VEHICLE >"$T/e03n"
check "HH007: E03 finds no counting vehicle and says so" \
    'has "$T/e03n" "set v = 0 rows" && has "$T/e03n" "=> 未命中 does not fire: any(v) is false" && ! has "$T/e03n" "命中 fires"'

# 5. not evaluated: no standard; an absent feed.  Off: a pack's rule.
ex --household HH041 >"$T/hh041" 2>/dev/null
check "HH041 (no standard): E09 not evaluated, Q04 fires" \
    'block "$T/hh041" E09_INCOME | grep -qF "=> 未评估 not evaluated: requires h.standard is missing" && block "$T/hh041" Q04_NO_STANDARD | grep -qF "=> 命中 fires: standards: no urban row"'
mkdir -p "$T/nobiz" && cp "$FX"/*.csv "$T/nobiz/" && rm "$T/nobiz/business.csv"
"$HEDUI" explain --data "$T/nobiz" --rules "$RULES" --as-of $ASOF --household HH006 >"$T/nobiz.txt" 2>/dev/null
check "without business.csv E07 is not evaluated, and says why" \
    'block "$T/nobiz.txt" E07_BUSINESS | grep -qF "=> 未评估 not evaluated: requires feed business is false (the feed is not in the data judged)"'
ex --household HH013 --rules "$RULES/packs/huaiyuan" >"$T/hy" 2>/dev/null
check "huaiyuan pack: E06 is off, said as such" \
    'has "$T/hy" "E06_HOUSING_AREA 人均住房面积超标 - 关闭 off in huaiyuan: not judged" && ! grep -q "^E06_HOUSING_AREA .* - reference.policy" "$T/hy"'
ex --household HH013 >"$T/hh013" 2>/dev/null
check "reference: HH013's E06 fires (area 80.01 over 2 members)" \
    'block "$T/hh013" E06_HOUSING_AREA | grep -qF "held_area / h.size = 40.005" && block "$T/hh013" E06_HOUSING_AREA | grep -qF "=> 命中 fires"'

# 6. a pack's dated parameter on both sides of its date
ex --household HH006 --rules "$RULES/packs/sixian" >"$T/sx1" 2>/dev/null
"$HEDUI" explain --data "$FX" --rules "$RULES/packs/sixian" --as-of 2026-07-01 --household HH006 \
    >"$T/sx2" 2>/dev/null
check "sixian before 2026-07-01: private_limit 80000 in force, E03 fires for 86000" \
    'block "$T/sx1" E03_VEHICLE | grep -qF "private_limit = 80000  (sixian.policy:11; in force on 2026-06-15: param private_limit: money = 80000 from 2026-07-01: 100000)" && block "$T/sx1" E03_VEHICLE | grep -qF "=> 命中 fires: vehicles: car 陕A12345 private value 86000 > 80000"'
check "sixian from 2026-07-01: private_limit 100000, E03 does not fire for 86000" \
    'block "$T/sx2" E03_VEHICLE | grep -qF "private_limit = 100000" && ! block "$T/sx2" E03_VEHICLE | grep -qF "命中 fires"'

# 7. a candidate (L01), an invalid ID (Q01), unknown units
ex --candidate 610102196010101016 >"$T/cand" 2>/dev/null
check "candidate: L01 fires with its evidence" \
    'block "$T/cand" L01_CANDIDATE_ELIGIBLE | grep -qF "=> 命中 fires: candidates: 低收入人口监测; hukou household HK0501"'
ex --household HH034 >"$T/hh034" 2>/dev/null
check "HH034: Q01 fires for members whose ID is not valid (where not m.valid: true)" \
    'block "$T/hh034" Q01_INVALID_ID | grep -qF "where not m.valid: true" && [ "$(block "$T/hh034" Q01_INVALID_ID | grep -c "=> 命中 fires")" -eq 3 ]'
ex --household HH999 >"$T/out" 2>"$T/err"
check "an unknown household: exit 2 and a clear message" \
    '[ $? -eq 2 ] && has "$T/err" "no household '"'"'HH999'"'"' in" && [ ! -s "$T/out" ]'
ex --candidate 110101199003071234 >"$T/out" 2>"$T/err"
check "an unknown candidate: exit 2, the ID masked in the message" \
    '[ $? -eq 2 ] && has "$T/err" "no candidate with id_no 110101********1234" && ! grep -q 11010119900307 "$T/err"'
check "no full ID number in any explanation" \
    '! grep -E "[0-9]{15}" "$T"/hh0* "$T"/cand "$T"/sx1 "$T"/hy >/dev/null'

# 8. check --explain: the check's answer, then the same explanation on the snapshot
"$HEDUI" index build -q --data "$FX" --rules "$RULES" --out "$T/fx.idx" --as-of $ASOF 2>/dev/null
for id in HH020 HH006; do
    awk -F, -v id="$id" 'NR == 1 || $1 == id' "$FX/households.csv" >>"$T/chk-h.csv.$id"
    awk -F, -v id="$id" 'NR == 1 || $1 == id' "$FX/members.csv" >>"$T/chk-m.csv.$id"
done
{ cat "$T/chk-h.csv.HH020"; tail -n +2 "$T/chk-h.csv.HH006"; } >"$T/chk-h.csv"
{ cat "$T/chk-m.csv.HH020"; tail -n +2 "$T/chk-m.csv.HH006"; } >"$T/chk-m.csv"
"$HEDUI" check --index "$T/fx.idx" --households "$T/chk-h.csv" --members "$T/chk-m.csv" \
    --as-of $ASOF --rules "$RULES" --explain >"$T/chk" 2>"$T/err"
check "check --explain exits 0 ($(head -c 200 "$T/err"))" '[ $? -eq 0 ]'
check "check --explain: the verdicts first, then both households explained in the given order" \
    'has "$T/chk" "结论: 疑似不符合条件" && [ "$(grep -n "^household HH020" "$T/chk" | cut -d: -f1)" -lt "$(grep -n "^household HH006" "$T/chk" | cut -d: -f1)" ]'
check "check --explain: E09 of HH020 with its figures, E03 of HH006 with its row" \
    'block "$T/chk" E09_INCOME | grep -qF "income / (window_months * h.size) = 1050.01" && grep -qF "=> 命中 fires: vehicles: car 陕A12345 private value 86000 (line 3)" "$T/chk"'
check "check --explain: the snapshot carries financial_assets (format 3 on), so E13 is evaluated" \
    'block "$T/chk" E13_FINANCIAL_ASSETS | grep -qF "requires feed financial_assets: true" && ! block "$T/chk" E13_FINANCIAL_ASSETS | grep -qF "未评估 not evaluated"'
check "check --explain: no full ID in the explanation (the check's own answer is as before)" \
    '! sed -n "/^=====/,\$p" "$T/chk" | grep -E "[0-9]{15}" >/dev/null'
"$HEDUI" check --index "$T/fx.idx" --households "$T/chk-h.csv" --members "$T/chk-m.csv" \
    --as-of $ASOF --explain --json >/dev/null 2>"$T/err"
check "check --explain --json is a usage error" '[ $? -eq 2 ] && has "$T/err" "--explain is text"'

# 9. the compiled policy's hash: rules check prints it, the manifest and explain record it
HASH=$("$HEDUI" rules check --rules "$RULES" --as-of $ASOF 2>/dev/null |
       sed -n 's/^policy reference, policy hash \([0-9a-f]*\) .*/\1/p')
check "rules check prints the compiled policy's hash ($HASH)" '[ ${#HASH} -eq 16 ]'
"$HEDUI" run -q --data "$FX" --rules "$RULES" --out "$T/hrun" --as-of $ASOF \
    2>/dev/null
check "the manifest records the pack and the policy hash" \
    'grep -q "\"pack\": \"reference\", \"policy_hash\": \"$HASH\"" "$T/hrun/manifest.json"'
check "explain names the same policy hash" 'has "$T/hh020" "policy reference ($RULES/reference.policy), policy hash $HASH"'
mkdir -p "$T/rules2"
cp "$RULES"/*.csv "$RULES"/policy.rules "$RULES"/catalogue.rules "$T/rules2/"
sed -e 's/^# ---------- parameters ----------/# 参数 (a comment changed)\n/' "$RULES/reference.policy" \
    >"$T/rules2/reference.policy"
"$HEDUI" run -q --data "$FX" --rules "$T/rules2" --out "$T/hrun2" \
    --as-of 2026-05-31 2>/dev/null
check "a comment and another as-of date keep the hash" \
    'grep -q "\"policy_hash\": \"$HASH\"" "$T/hrun2/manifest.json"'
sed -i 's/^param max_area: area = 40 /param max_area: area = 41 /' "$T/rules2/reference.policy"
"$HEDUI" run -q --data "$FX" --rules "$T/rules2" --out "$T/hrun3" --as-of $ASOF \
    2>/dev/null
check "a changed parameter changes it" \
    'grep -q "\"policy_hash\": \"[0-9a-f]\{16\}\"" "$T/hrun3/manifest.json" && ! grep -q "$HASH" "$T/hrun3/manifest.json"'
"$HEDUI" run -q --data "$FX" --rules "$RULES/packs/sixian" --out "$T/hrun4" --as-of $ASOF 2>/dev/null
check "a pack's run records its name and its own hash" \
    'grep -q "\"pack\": \"sixian\", \"policy_hash\": \"[0-9a-f]\{16\}\"" "$T/hrun4/manifest.json" && ! grep -q "$HASH" "$T/hrun4/manifest.json"'

# 10. every household: explain's flags and fired rules are the run's
"$HEDUI" run -q --data "$FX" --rules "$RULES" --out "$T/run" --as-of $ASOF \
    2>/dev/null
check "the run on fixtures exits 0" '[ -s "$T/run/flags.csv" ]'
maskid() { sed -E 's/[0-9]{6}[*0-9]{5,}[0-9Xx*]{4}/ID/g'; }
n=0 same=0 firedsame=0
for id in $(awk -F, 'NR > 1 { print $1 }' "$FX/households.csv" | tr -d '\357\273\277'); do
    n=$((n + 1))
    ex --household "$id" >"$T/one" 2>/dev/null
    awk '/^flags for this/ { on = 1; next } on && /^  / { sub(/^  /, ""); print }' "$T/one" |
        maskid | sort >"$T/got"
    python3 - "$T/run/flags.csv" "$id" <<'EOF' | maskid | sort >"$T/want"
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    if r["household_id"] == sys.argv[2]:
        i = r["id_no"]
        print(f"{r['rule_id']} {r['hukou_no']}{' ' + i if i else ''}: {r['evidence']}")
EOF
    cmp -s "$T/got" "$T/want" && same=$((same + 1))
    grep -B1000 '^flags for this' "$T/one" | awk '/^[A-Z][0-9][0-9]_/ { r = $1 } /=> 命中 fires/ { print r }' |
        sort -u >"$T/fired"
    cut -d' ' -f1 "$T/want" | sort -u >"$T/wantr"
    cmp -s "$T/fired" "$T/wantr" && firedsame=$((firedsame + 1))
done
check "for all $n fixture households explain lists exactly the run's flags ($same same)" \
    '[ "$n" -gt 50 ] && [ "$same" -eq "$n" ]'
check "for all $n fixture households the rules explain says fired are the run's ($firedsame same)" \
    '[ "$firedsame" -eq "$n" ]'

echo "explain: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
