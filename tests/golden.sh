#!/bin/sh
# golden.sh - end-to-end tests of the hedui CLI on fixtures/.
#
# Usage: tests/golden.sh PATH/TO/hedui
# Checks: outputs equal fixtures/expected/ byte for byte; --threads 1 and 2
# and a rerun give identical outputs; exit statuses and messages for bad
# input, bad rules, a feed over its reject limit; a changed policy value
# changes the result without recompiling; skipped optional feeds; file modes.
set -u
HEDUI=${1:?usage: golden.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-golden.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "golden: FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

FX="$ROOT/fixtures"
ASOF=2026-06-15
SEED=20260615
run() { "$HEDUI" run --quiet --data "$1" --out "$2" --as-of $ASOF --seed $SEED "$@"; }

# 1. golden outputs, one thread
"$HEDUI" run -q --data "$FX" --out "$T/t1" --as-of $ASOF --seed $SEED --threads 1 2>"$T/err1"
check "run on fixtures exits 0 ($(cat "$T/err1"))" '[ $? -eq 0 ]'
# (fingerprints.csv: the key values of each finding's evidence, recorded
# from the hand-written evaluator the rules language replaced)
for f in flags review_queue spotcheck rejects fingerprints; do
    check "$f.csv equals fixtures/expected/$f.csv" "cmp -s '$T/t1/$f.csv' '$FX/expected/$f.csv'"
done
check "manifest.json written" "[ -s '$T/t1/manifest.json' ]"
check "the run says how many households and candidates lack a standard, even with -q" \
    "grep -q 'no standard in force on 2026-06-15 for 2 households and 1 candidates' '$T/err1'"
check "the manifest lists them" \
    "grep -q '\"no_standard\": {\"households\": \[\"HH040\", \"HH041\"\], \"candidates_lines\": \[14\], \"by_region\": \[{\"region_code\": \"610104001001\", \"area_type\": \"urban\", \"households\": 2, \"candidates\": 1}\]}' '$T/t1/manifest.json'"
check "no temporary directory left" "[ -z \"\$(ls -A '$T' | grep hedui-tmp)\" ]"

# 2. two threads and a rerun: byte-identical (manifest except timings)
"$HEDUI" run -q --data "$FX" --out "$T/t2" --as-of $ASOF --seed $SEED --threads 2
"$HEDUI" run -q --data "$FX" --out "$T/t3" --as-of $ASOF --seed $SEED --threads 2
for f in flags review_queue spotcheck rejects; do
    check "$f.csv identical at 1 and 2 threads" "cmp -s '$T/t1/$f.csv' '$T/t2/$f.csv'"
    check "$f.csv identical on a rerun" "cmp -s '$T/t2/$f.csv' '$T/t3/$f.csv'"
done
grep -v '"timings"' "$T/t1/manifest.json" >"$T/m1"
grep -v '"timings"' "$T/t2/manifest.json" >"$T/m2"
check "manifest identical except timings" "cmp -s '$T/m1' '$T/m2'"

# 3. a different seed draws a different sample, the same seed the same
"$HEDUI" run -q --data "$FX" --out "$T/s2" --as-of $ASOF --seed 7
check "spotcheck group sizes do not depend on the seed" \
    "[ \"\$(cut -d, -f1,2 '$T/t1/spotcheck.csv')\" = \"\$(cut -d, -f1,2 '$T/s2/spotcheck.csv')\" ]"

# 4. output files are for the bureau only
check "flags.csv is mode 600" "[ \"\$(stat -c %a '$T/t1/flags.csv')\" = 600 ]"
# a file of the user's in the output directory survives a new run
echo keep >"$T/t1/notes.txt"
"$HEDUI" run -q --data "$FX" --out "$T/t1" --as-of $ASOF --seed $SEED --threads 1
check "a rerun into the same directory gives the same flags" "cmp -s '$T/t1/flags.csv' '$FX/expected/flags.csv'"
check "other files in the output directory are kept" "[ \"\$(cat '$T/t1/notes.txt')\" = keep ]"
check "no temporary directory left after a rerun" "[ -z \"\$(ls -A '$T' | grep hedui-tmp)\" ]"

# 5. usage
"$HEDUI" --help >"$T/help" 2>&1
check "--help exits 0" '[ $? -eq 0 ]'
check "--help documents exit statuses" "grep -q 'Exit status' '$T/help'"
"$HEDUI" run --help >"$T/help" 2>&1
check "run --help names --as-of" "grep -q -- '--as-of' '$T/help'"
"$HEDUI" run --data "$FX" 2>"$T/err"
check "missing --out exits 2" '[ $? -eq 2 ]'
check "usage error says what to do next" "grep -q \"hedui: try 'hedui --help'\" '$T/err'"
"$HEDUI" run --data "$FX" --out "$T/x" --as-of 2026-02-30 2>"$T/err"
check "bad --as-of exits 2" '[ $? -eq 2 ]'
"$HEDUI" frobnicate 2>"$T/err"
check "unknown command exits 2" '[ $? -eq 2 ]'

# 6. a missing required file
mkdir -p "$T/d1" && cp "$FX"/*.csv "$T/d1/" && rm "$T/d1/hukou.csv"
"$HEDUI" run -q --data "$T/d1" --out "$T/o1" --as-of $ASOF 2>"$T/err"
check "missing hukou.csv exits 3" '[ $? -eq 3 ]'
check "message names hukou.csv" "grep -q 'hukou.csv' '$T/err'"
check "nothing published without hukou.csv" "[ ! -e '$T/o1/flags.csv' ]"

# 7. a missing column
mkdir -p "$T/d2" && cp "$FX"/*.csv "$T/d2/"
sed -i '1s/plate_no/plate/' "$T/d2/vehicles.csv"
"$HEDUI" run -q --data "$T/d2" --out "$T/o2" --as-of $ASOF 2>"$T/err"
check "renamed column exits 3" '[ $? -eq 3 ]'
check "message lists the missing column and file:line" \
    "grep -q 'vehicles.csv:1: missing column(s): plate_no' '$T/err'"

# 8. a feed over its reject limit: exit 1, previous outputs untouched
mkdir -p "$T/d3" && cp "$FX"/*.csv "$T/d3/"
cp -r "$T/t1" "$T/o3"
sed '2,20s/,valid,/,bogus,/' "$FX/vehicles.csv" >"$T/d3/vehicles.csv"
"$HEDUI" run -q --data "$T/d3" --out "$T/o3" --as-of $ASOF --seed $SEED 2>"$T/err"
check "reject limit exceeded exits 1" '[ $? -eq 1 ]'
check "message gives the share and the limit" "grep -q 'over the limit of 5.00%' '$T/err'"
check "previous flags.csv untouched" "cmp -s '$T/o3/flags.csv' '$FX/expected/flags.csv'"
check "previous manifest untouched" "cmp -s '$T/o3/manifest.json' '$T/t1/manifest.json'"

# 9. bad rules are refused with file:line
mkdir -p "$T/r1" && cp -r "$ROOT"/rules/* "$T/r1/"
sed -i 's/^window_months = 6$/window_months = six/' "$T/r1/policy.rules"
line=$(grep -n 'window_months' "$T/r1/policy.rules" | cut -d: -f1)
"$HEDUI" run -q --data "$FX" --out "$T/o4" --rules "$T/r1" --as-of $ASOF 2>"$T/err"
check "bad rules value exits 5" '[ $? -eq 5 ]'
check "bad rules names file:line" "grep -q 'policy.rules:$line:' '$T/err'"
sed -i 's/^param max_area: area = 40 /param max_area: area = forty /' "$T/r1/reference.policy"
cp "$ROOT"/rules/policy.rules "$T/r1/"
line=$(grep -n 'param max_area' "$T/r1/reference.policy" | cut -d: -f1)
"$HEDUI" run -q --data "$FX" --out "$T/o4" --rules "$T/r1" --as-of $ASOF 2>"$T/err"
check "bad rule value exits 5" '[ $? -eq 5 ]'
check "bad rule value names reference.policy:line:col" "grep -q 'reference.policy:$line:[0-9]*:' '$T/err'"
check "nothing published for bad rules" "[ ! -e '$T/o4/flags.csv' ]"
cp "$ROOT"/rules/reference.policy "$T/r1/"
cp "$ROOT"/rules/policy.rules "$T/r1/"
echo "colour = blue" >>"$T/r1/policy.rules"
"$HEDUI" run -q --data "$FX" --out "$T/o4" --rules "$T/r1" --as-of $ASOF 2>"$T/err"
check "unknown rules key exits 5" '[ $? -eq 5 ]'

# 10. policy is data: raising the exemption removes HH009's truck flag
cp "$ROOT"/rules/policy.rules "$T/r1/"
sed -i 's/^param exempt_max: money = 30000 /param exempt_max: money = 30000.01 /' "$T/r1/reference.policy"
"$HEDUI" run -q --data "$FX" --out "$T/o5" --rules "$T/r1" --as-of $ASOF --seed $SEED
check "HH009 has E03 with the shipped policy" "grep -q '^E03_VEHICLE,.*,HH009,' '$T/t1/flags.csv'"
check "HH009 loses E03 when the exemption is 30000.01" "! grep -q '^E03_VEHICLE,.*,HH009,' '$T/o5/flags.csv'"

# 11. an absent optional feed skips its rule and says so
mkdir -p "$T/d6" && cp "$FX"/*.csv "$T/d6/" && rm "$T/d6/business.csv"
"$HEDUI" run -q --data "$T/d6" --out "$T/o6" --as-of $ASOF --seed $SEED
check "no E07 without business.csv" "! grep -q '^E07_BUSINESS' '$T/o6/flags.csv'"
check "manifest says E07 was skipped" "grep -q 'E07_BUSINESS: business.csv absent' '$T/o6/manifest.json'"

# 11b. the feeds of E13 and E14: absent, the rules are skipped and cannot
#     block L02; with only a header, present and empty
mkdir -p "$T/d11" && cp "$FX"/*.csv "$T/d11/" && rm "$T/d11/financial_assets.csv" "$T/d11/funeral.csv"
"$HEDUI" run -q --data "$T/d11" --out "$T/o11" --as-of $ASOF --seed $SEED 2>/dev/null
check "no E13 or E14 without their feeds" "! grep -Eq '^E1[34]_' '$T/o11/flags.csv'"
check "manifest says E13 and E14 were skipped" \
    "grep -q 'E13_FINANCIAL_ASSETS: financial_assets.csv absent' '$T/o11/manifest.json' && grep -q 'E14_FUNERAL_RECORD: funeral.csv absent' '$T/o11/manifest.json'"
check "without them HH053 and HH054 get L02 (E14, E13 blocked it)" \
    "grep -q '^L02_CANCELLED_ELIGIBLE,.*,HH053,.*none of E01-E09 as of' '$T/o11/flags.csv' && grep -q '^L02_CANCELLED_ELIGIBLE,.*,HH054,' '$T/o11/flags.csv' && ! grep -q ',HH05[34],' '$T/t1/flags.csv'"
head -1 "$FX/financial_assets.csv" >"$T/d11/financial_assets.csv"
cp "$FX/funeral.csv" "$T/d11/"
"$HEDUI" run -q --data "$T/d11" --out "$T/o12" --as-of $ASOF --seed $SEED 2>/dev/null
check "a header-only financial_assets.csv is present and empty: E13 runs, finds nothing" \
    "! grep -q '^E13_' '$T/o12/flags.csv' && ! grep -q 'E13_FINANCIAL_ASSETS: ' '$T/o12/manifest.json' && grep -q '\"file\": \"financial_assets.csv\", \"present\": true' '$T/o12/manifest.json'"
check "... so HH054 gets L02, judged on E13 and E14" \
    "grep -q '^L02_CANCELLED_ELIGIBLE,.*,HH054,.*none of E01-E09, E13, E14 as of' '$T/o12/flags.csv' && ! grep -q ',HH053,' '$T/o12/flags.csv'"

# 12. an unterminated quote stops the run at the line where it opened
mkdir -p "$T/d7" && cp "$FX"/*.csv "$T/d7/"
printf '%s\n' 'id_no,entity_name,role,registered_capital_yuan,status' \
    '610102198001010015,"unclosed,legal_rep,100,active' '610102198001010015,x,legal_rep,100,active' \
    >"$T/d7/business.csv"
"$HEDUI" run -q --data "$T/d7" --out "$T/o7" --as-of $ASOF 2>"$T/err"
check "unterminated quote exits 3" '[ $? -eq 3 ]'
check "unterminated quote reported at line 2" "grep -q 'business.csv:2: quoted field opened on line 2' '$T/err'"

# 13. spreadsheet-mangled IDs get a reason that says what happened
mkdir -p "$T/d8" && cp "$FX"/*.csv "$T/d8/"
printf '%s\n' '陕A99999,1.10105E+17,car,private,valid,90000.00,2020-01-01,' >>"$T/d8/vehicles.csv"
"$HEDUI" run -q --data "$T/d8" --out "$T/o8" --as-of $ASOF --seed $SEED 2>>"$T/allerr"
check "scientific-notation ID rejected with its own reason" \
    "grep -q '^vehicles.csv,63,.*scientific notation' '$T/o8/rejects.csv'"

# 15. pathological sizes: a 2 MiB line and a 300-field row are rejected,
#     the rest of the file loads
mkdir -p "$T/d10" && cp "$FX"/*.csv "$T/d10/"
{ printf '610102198001010015,2026-05,employment,'; head -c 2200000 /dev/zero | tr '\0' 'x';
  printf ',100.00\n'; } >>"$T/d10/social_insurance.csv"
i=0; row='610102198001010015'
while [ $i -lt 300 ]; do row="$row,1"; i=$((i + 1)); done
echo "$row" >>"$T/d10/social_insurance.csv"
"$HEDUI" run -q --data "$T/d10" --out "$T/o10" --as-of $ASOF --seed $SEED 2>>"$T/allerr"
check "a 2 MiB line is rejected, the run goes on" \
    "grep -q '^social_insurance.csv,140,line 140 longer than 1048576 bytes' '$T/o10/rejects.csv'"
check "a 300-field row is rejected for its column count" \
    "grep -q '^social_insurance.csv,141,.*wrong column count' '$T/o10/rejects.csv'"
check "flags unchanged by the two bad rows" "cmp -s '$T/o10/flags.csv' '$FX/expected/flags.csv'"

# 16. the manifest accounts for every row and every ID repair
acct_bad=0
grep '"present": true' "$T/t1/manifest.json" >"$T/acct"
while IFS= read -r l; do
    dr=$(echo "$l" | sed -n 's/.*"data_rows": \([0-9]*\).*/\1/p')
    ac=$(echo "$l" | sed -n 's/.*"accepted": \([0-9]*\).*/\1/p')
    rj=$(echo "$l" | sed -n 's/.*"rejected": \([0-9]*\).*/\1/p')
    mg=$(echo "$l" | sed -n 's/.*"merged_duplicates": \([0-9]*\).*/\1/p')
    [ -n "$dr" ] && [ "$dr" -eq $((ac + rj + mg)) ] || acct_bad=$((acct_bad + 1))
done <"$T/acct"
check "every input: data rows = accepted + rejected + merged" "[ $acct_bad -eq 0 ] && [ -s '$T/acct' ]"
check "manifest counts the members' full-width and 15-digit IDs" \
    "grep '\"file\": \"members.csv\"' '$T/t1/manifest.json' | grep -q '\"full_width\": 1, \"lower_x\": 1, \"15_to_18\": 1'"
vsum() { grep -o '"file": "vehicles.csv"[^}]*' "$1" | sed 's/.*"xxh128": "\([0-9a-f]*\)".*/\1/'; }
check "a changed input changes its checksum in the manifest" \
    "[ -n \"\$(vsum '$T/t1/manifest.json')\" ] && [ \"\$(vsum '$T/t1/manifest.json')\" != \"\$(vsum '$T/o8/manifest.json')\" ]"
check "the same input gives the same checksum" \
    "[ \"\$(vsum '$T/t1/manifest.json')\" = \"\$(vsum '$T/t2/manifest.json')\" ]"

# 14. no full ID number on stderr, whatever fails
for d in d1 d2 d3 d7; do
    "$HEDUI" run -v --data "$T/$d" --out "$T/o9" --as-of $ASOF 2>>"$T/allerr" >/dev/null
done
"$HEDUI" run --data "$FX" --out "$T/o9" --as-of $ASOF --rules "$T/r1" 2>>"$T/allerr" >/dev/null
check "stderr of the failing runs was captured" "[ -s '$T/allerr' ]"
check "no 18-character ID number on stderr" "! grep -Eq '[0-9]{17}[0-9Xx]' '$T/allerr'"

echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
