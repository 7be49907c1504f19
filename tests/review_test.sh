#!/bin/sh
# review_test.sh - end-to-end tests of the auditors' side (issue 6):
# fingerprints, new/persisting/resolved against the previous run, imported
# verdicts and the review queue, township export packs.
#
# Usage: tests/review_test.sh PATH/TO/hedui
# Data: bench/gen.c (built here with cc when build/bench/gen is missing),
# --sf 0.002 --seed 3, and a copy of fixtures/ with formula-looking values.
# Needs only POSIX sh, awk, sed, grep, od (no Python).
set -u
HEDUI=${1:?usage: review_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-review.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${REVIEW_TEST_VERBOSE:-}" ] && echo "review: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "review: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ASOF=2026-06-15

# ---------------------------------------------------------------- data
GEN="$ROOT/build/bench/gen"
if [ ! -x "$GEN" ]; then
    GEN="$T/gen"
    ${CC:-cc} -std=gnu11 -O2 -o "$GEN" "$ROOT/bench/gen.c" 2>"$T/gen.err" || {
        echo "review: cannot build bench/gen.c: $(cat "$T/gen.err")" >&2
        echo "review: 0 passed, 1 failed"; exit 1; }
fi
"$GEN" --out "$T/d1" --sf 0.002 --seed 3 --as-of $ASOF >/dev/null 2>&1
check "generated data" "[ -s '$T/d1/households.csv' ]"

# the same data with the department feeds' rows in reverse order
mkdir "$T/d1s"
cp "$T/d1"/*.csv "$T/d1s/"
for f in vehicles property social_insurance business public_servants staff_relatives; do
    { head -1 "$T/d1/$f.csv"; tail -n +2 "$T/d1/$f.csv" | awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }'; } >"$T/d1s/$f.csv"
done

run() { "$HEDUI" run -q --as-of $ASOF "$@"; }

# field helpers for flags.csv / changes.csv: the key columns never hold
# commas; fingerprint and change are the last two columns of flags.csv
fp_of_line() { awk -F, '{ print $(NF-1) }'; }

# ---------------------------------------------------------------- 1. a first run
run --data "$T/d1" --out "$T/o0" 2>"$T/err"
check "run without --previous/--state exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "flags.csv keeps the contract's 8 columns by default" \
    "[ \"\$(head -1 '$T/o0/flags.csv')\" = 'rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence' ]"
check "fingerprints.csv is written on every run" "[ -s '$T/o0/fingerprints.csv' ]"
check "no changes.csv without a previous run" "[ ! -e '$T/o0/changes.csv' ]"
check "fingerprints.csv has one row per flag" \
    "[ \$(wc -l <'$T/o0/fingerprints.csv') -eq \$(wc -l <'$T/o0/flags.csv') ]"
check "fingerprints are 16 hex digits and distinct" \
    "[ \$(tail -n +2 '$T/o0/fingerprints.csv' | cut -d, -f1 | grep -c '^[0-9a-f]\{16\}\$') -eq \$(tail -n +2 '$T/o0/fingerprints.csv' | cut -d, -f1 | sort -u | wc -l) ]"

run --data "$T/d1" --out "$T/o1" --state "$T/S" 2>"$T/err"
check "run --state (first run) exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "flags.csv gets fingerprint,change at the end with --state" \
    "head -1 '$T/o1/flags.csv' | grep -q ',evidence,fingerprint,change\$'"
N1=$(($(wc -l <"$T/o1/flags.csv") - 1))
check "first run with an empty state: every flag is new" \
    "[ \$(tail -n +2 '$T/o1/flags.csv' | grep -c ',new\$') -eq $N1 ]"
check "the state records findings and history" \
    "[ -s '$T/S/findings.csv' ] && [ \$(wc -l <'$T/S/history.csv') -eq 2 ]"
check "same fingerprints with or without --state" \
    "[ \"\$(tail -n +2 '$T/o0/fingerprints.csv' | cut -d, -f1)\" = \"\$(tail -n +2 '$T/o1/flags.csv' | fp_of_line)\" ]"

# ---------------------------------------------------------------- 2. rows moved: same fingerprints
run --data "$T/d1s" --out "$T/o1s" --previous "$T/o1" 2>"$T/err"
check "run --previous on reordered feeds exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "reordered feeds: every flag persisting" \
    "[ \$(tail -n +2 '$T/o1s/flags.csv' | grep -c ',persisting\$') -eq $N1 ]"
check "reordered feeds: nothing resolved" "! grep -q '^resolved,' '$T/o1s/changes.csv'"
check "reordered feeds: evidence line numbers did change (the test is real)" \
    "! cmp -s '$T/o1/flags.csv' '$T/o1s/flags.csv'"
check "--previous reads a run written without --state (fingerprints.csv)" \
    "run --data '$T/d1' --out '$T/o0b' --previous '$T/o0' && [ \$(grep -c '^persisting,' '$T/o0b/changes.csv') -eq $N1 ]"

# ---------------------------------------------------------------- 3. pick findings to change
# E03 flags with exactly one vehicle, in households with exactly one flag
awk -F, 'NR > 1 { n[$4]++; line[NR] = $0; hh[NR] = $4 }
         END { for (i = 2; i <= NR; i++) {
                   split(line[i], f, ",")
                   if (f[1] != "E03_VEHICLE" || n[hh[i]] != 1) continue
                   s = line[i]; k = gsub(/vehicles: /, "&", s)
                   if (k != 1 || line[i] !~ /\(line [0-9]+\)/) continue
                   print line[i] } }' "$T/o1/flags.csv" >"$T/e03one"
check "at least 4 single-vehicle E03 households to work with" "[ \$(wc -l <'$T/e03one') -ge 4 ]"
vline() { sed -n "${1}p" "$T/e03one" | sed 's/.*(line \([0-9]*\)).*/\1/'; }
vhh()   { sed -n "${1}p" "$T/e03one" | cut -d, -f4; }
vid()   { sed -n "${1}p" "$T/e03one" | cut -d, -f6; }
vfp()   { sed -n "${1}p" "$T/e03one" | fp_of_line; }
A=$(vhh 1) A_ID=$(vid 1) A_FP=$(vfp 1) A_LINE=$(vline 1)   # the car gets dearer
B=$(vhh 2) B_FP=$(vfp 2) B_LINE=$(vline 2)                 # the car row goes
C=$(vhh 3) C_ID=$(vid 3) C_FP=$(vfp 3) C_LINE=$(vline 3)   # cleared, then the car gets dearer
F=$(vhh 4) F_FP=$(vfp 4)                                   # confirmed
# a household with no flag at all, none of whose members is in a flag: gets wages
awk -F, 'FNR == 1 { file++ } file == 1 && FNR > 1 { flagged[$4] = 1; person[$6] = 1 }
         file == 2 && FNR > 1 && $5 == "active" && !flagged[$1] { act[$1] = 1 }
         file == 3 && FNR > 1 { mem[$1] = mem[$1] " " $2; if (person[$2]) tainted[$1] = 1 }
         END { for (h in act) if (!tainted[h] && mem[h] != "") print h }' \
    "$T/o1/flags.csv" "$T/d1/households.csv" "$T/d1/members.csv" | sort | head -1 >"$T/x"
X=$(cat "$T/x")
check "a clean active household to add wages to" "[ -n '$X' ]"
awk -F, -v h="$X" 'NR > 1 && $1 == h { print $2 }' "$T/d1/members.csv" >"$T/x_ids"

# ---------------------------------------------------------------- 4. verdicts: a bad import changes nothing
G_FP=$(sed -n 5p "$T/e03one" | fp_of_line)
{
    echo "fingerprint,outcome,reviewer,reviewed_on,note"
    echo "$G_FP,cleared,王审计,2026-06-10,ok row"
    echo "$A_FP,approved,王审计,2026-06-10,bad outcome"
    echo "$B_FP,cleared,王审计,2026-13-01,bad date"
    echo "$B_FP,cleared,王审计,2999-01-01,in the future"
    echo "0123456789abcdef,cleared,王审计,2026-06-10,unknown fingerprint"
    echo "xyz,cleared,王审计,2026-06-10,not a fingerprint"
    echo "1.23457E+15,cleared,王审计,2026-06-10,mangled by a spreadsheet"
    echo "$G_FP,confirmed,李审计,2026-06-11,twice in one file"
    echo "$F_FP,confirmed,,2026-06-11,no reviewer"
    echo "$F_FP,confirmed,李审计,2026-06-11"
} >"$T/bad.csv"
"$HEDUI" review import "$T/bad.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "an import with bad rows exits 1" '[ $? -eq 1 ]'
for l in 3 4 5 6 7 8 9 10 11; do
    check "bad row on line $l is listed with file:line" "grep -q 'bad.csv:$l: ' '$T/err'"
done
check "the good row is not listed as bad" "! grep -q 'bad.csv:2: ' '$T/err'"
check "the reasons name the problem" \
    "grep -q \"outcome 'approved'\" '$T/err' && grep -q 'after today' '$T/err' && grep -q 'not a finding of any run' '$T/err' && grep -q 'converted to a number' '$T/err' && grep -q 'also on line 2' '$T/err' && grep -q 'reviewer is empty' '$T/err' && grep -q 'has 4 fields' '$T/err'"
check "the message says nothing was imported" "grep -q 'nothing was imported' '$T/err'"
check "a bad import leaves no dispositions" "[ ! -e '$T/S/dispositions.csv' ]"

# a good import: BOM, CRLF, columns in another order, an extra column, a
# note with a comma and quotes, a row with no verdict yet
printf '\357\273\277note,reviewed_on,outcome,fingerprint,reviewer,extra\r\n' >"$T/good.csv"
printf '"car sold, see ""receipt""",2026-06-12,cleared,%s,王审计,x\r\n' "$C_FP" >>"$T/good.csv"
printf ',2026/6/12,confirmed,%s,李审计,\r\n' "$(echo "$F_FP" | tr a-f A-F)" >>"$T/good.csv"
printf ',,,%s,,\r\n' "$A_FP" >>"$T/good.csv"
"$HEDUI" review import "$T/good.csv" --state "$T/S" --dry-run >"$T/out" 2>"$T/err"
check "import --dry-run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "import --dry-run changes nothing" "[ ! -e '$T/S/dispositions.csv' ]"
"$HEDUI" review import "$T/good.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "a good import exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "the import reports what it did" "grep -q 'imported 2 verdicts' '$T/out' && grep -q '1 row without a verdict skipped' '$T/out'"
check "dispositions.csv holds the two verdicts" "[ \$(wc -l <'$T/S/dispositions.csv') -eq 3 ]"
check "dispositions.csv is mode 600" "[ \"\$(stat -c %a '$T/S/dispositions.csv')\" = 600 ]"
check "upper-case fingerprint and YYYY/M/D date normalised" \
    "grep -q '^$F_FP,confirmed,李审计,2026-06-12,' '$T/S/dispositions.csv'"
"$HEDUI" review list --state "$T/S" >"$T/list" 2>"$T/err"
check "review list shows the verdicts in force with their findings" \
    "grep -q '^$C_FP,cleared,王审计,2026-06-12,\"car sold, see \"\"receipt\"\"\",E03_VEHICLE,$C,' '$T/list'"
"$HEDUI" review import "$T/good.csv" 2>"$T/err"
check "review import without --state exits 2" '[ $? -eq 2 ]'
"$HEDUI" review import "$T/nonexistent.csv" --state "$T/S" 2>"$T/err"
check "review import of a missing file exits 3" '[ $? -eq 3 ]'

# ---------------------------------------------------------------- 5. next run: verdicts keep findings out of the queue
run --data "$T/d1s" --out "$T/o2" --state "$T/S" 2>"$T/err"
check "second run --state exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "second run: every flag persisting" \
    "[ \$(tail -n +2 '$T/o2/flags.csv' | grep -c ',persisting\$') -eq $N1 ]"
check "a cleared finding stays in flags.csv" "grep -q ',$C_FP,persisting\$' '$T/o2/flags.csv'"
check "the cleared household left the review queue" "! grep -q ',$C,' '$T/o2/review_queue.csv'"
check "the confirmed household is not re-queued" "! grep -q ',$F,' '$T/o2/review_queue.csv'"
check "the queue lost exactly those two" \
    "[ \$(wc -l <'$T/o2/review_queue.csv') -eq \$((\$(wc -l <'$T/o1/review_queue.csv') - 2)) ]"
check "an unreviewed household stays queued" "grep -q ',$A,' '$T/o2/review_queue.csv'"
check "changes.csv shows the verdicts" \
    "grep -q '^persisting,$C_FP,E03_VEHICLE,high,$C,.*,cleared,' '$T/o2/changes.csv' && grep -q '^persisting,$F_FP,.*,confirmed,' '$T/o2/changes.csv'"
check "history has two runs" "[ \$(wc -l <'$T/S/history.csv') -eq 3 ]"

# ---------------------------------------------------------------- 6. evidence changes
mkdir "$T/d2"
cp "$T/d1"/*.csv "$T/d2/"
awk -F, -v OFS=, -v a="$A_LINE" -v b="$B_LINE" -v c="$C_LINE" '
    NR == a || NR == c { $6 = sprintf("%.2f", $6 + 1000) }
    NR == b { next }
    { print }' "$T/d1/vehicles.csv" >"$T/d2/vehicles.csv"
for id in $(cat "$T/x_ids"); do
    for m in 2025-12 2026-01 2026-02 2026-03 2026-04 2026-05; do
        echo "$id,$m,employment,测试公司,20000.00" >>"$T/d2/social_insurance.csv"
    done
done
run --data "$T/d2" --out "$T/o3" --state "$T/S" 2>"$T/err"
check "third run --state exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
CH="$T/o3/changes.csv"
check "a dearer car: the old finding is resolved" "grep -q '^resolved,$A_FP,E03_VEHICLE,' '$CH'"
check "a dearer car: a new finding for the same person" \
    "grep '^new,' '$CH' | grep -q ',E03_VEHICLE,high,$A,[^,]*,$A_ID,'"
check "a removed car: the finding is resolved" "grep -q '^resolved,$B_FP,E03_VEHICLE,' '$CH'"
check "a removed car: no E03 left for that household" "! grep -q '^E03_VEHICLE,cuobao,high,$B,' '$T/o3/flags.csv'"
check "a new wage: a new E09 for the household" "grep -q '^new,[0-9a-f]*,E09_INCOME,high,$X,' '$CH'"
check "the cleared finding, changed, is resolved (verdict kept on the old one)" \
    "grep -q '^resolved,$C_FP,E03_VEHICLE,high,$C,.*,cleared,' '$CH'"
check "the changed finding has a new fingerprint and no verdict" \
    "grep '^new,' '$CH' | grep ',E03_VEHICLE,high,$C,[^,]*,$C_ID,' | grep -q ',,\"*vehicles'"
check "the changed finding is back in the review queue" "grep -q ',$C,' '$T/o3/review_queue.csv'"
check "the confirmed, unchanged finding is still out of the queue" "! grep -q ',$F,' '$T/o3/review_queue.csv'"
# nothing else moved: every new or resolved row is about a changed household
for id in $(cat "$T/x_ids"); do awk -F, -v p="$id" 'NR > 1 && $2 == p { print $1 }' "$T/d2/members.csv"; done | sort -u >"$T/touched"
printf '%s\n%s\n%s\n%s\n' "$A" "$B" "$C" "$X" >>"$T/touched"
check "every new or resolved row is about a changed household" \
    "[ -z \"\$(grep -v '^persisting,' '$CH' | tail -n +2 | cut -d, -f5 | sort -u | grep -vxF -f '$T/touched')\" ]"
N3=$(($(wc -l <"$T/o3/flags.csv") - 1))
NEW3=$(grep -c '^new,' "$CH")
check "persisting = flags - new" "[ \$(grep -c '^persisting,' '$CH') -eq $((N3 - NEW3)) ]"
check "changes.csv: one row per flag plus the resolved ones" \
    "[ \$((\$(wc -l <'$CH') - 1)) -eq \$(($N3 + \$(grep -c '^resolved,' '$CH'))) ]"
check "flags.csv and changes.csv agree on each flag's change" \
    "[ \"\$(tail -n +2 '$T/o3/flags.csv' | awk -F, '{ print \$NF \",\" \$(NF-1) }' | sort)\" = \"\$(grep -v '^resolved,' '$CH' | tail -n +2 | cut -d, -f1,2 | sort)\" ]"
# the same comparison from the previous directory instead of the state
run --data "$T/d2" --out "$T/o3p" --previous "$T/o2" 2>"$T/err"
check "--previous gives the same changes as --state" \
    "[ \"\$(cut -d, -f1,2 '$CH' | sort)\" = \"\$(cut -d, -f1,2 '$T/o3p/changes.csv' | sort)\" ]"
check "without --state no verdicts apply (the queue is complete)" \
    "grep -q ',$F,' '$T/o3p/review_queue.csv'"
check "history has three runs" "[ \$(wc -l <'$T/S/history.csv') -eq 4 ]"
check "findings.csv keeps resolved findings for later verdicts" "grep -q '^$B_FP,' '$T/S/findings.csv'"
check "a finding seen in runs 1-3 keeps first_run 1" "grep -q '^$F_FP,E03_VEHICLE,high,$F,[^,]*,[^,]*,[^,]*,1,3,' '$T/S/findings.csv'"
# a verdict on a finding that no longer fires is still accepted
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,referred,王审计,2026-06-13\n' "$B_FP" >"$T/late.csv"
"$HEDUI" review import "$T/late.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "a verdict on a resolved finding imports ($(cat "$T/err"))" '[ $? -eq 0 ]'
# a later verdict on the same finding replaces the earlier one
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,referred,赵审计,2026-06-14\n' "$F_FP" >"$T/re.csv"
"$HEDUI" review import "$T/re.csv" --state "$T/S" >/dev/null 2>&1
check "the latest verdict is in force" "\"$HEDUI\" review list --state '$T/S' | grep -q '^$F_FP,referred,赵审计,'"
# an older verdict imported later does not overturn it: reviewed_on decides
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,cleared,钱审计,2026-06-01\n' "$F_FP" >"$T/old.csv"
"$HEDUI" review import "$T/old.csv" --state "$T/S" >/dev/null 2>"$T/err"
check "an older verdict imports ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... but the verdict reviewed last stays in force" \
    "\"$HEDUI\" review list --state '$T/S' | grep -q '^$F_FP,referred,赵审计,2026-06-14,'"
# reviewed the same day: the one imported later is in force
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,confirmed,孙审计,2026-06-14\n' "$F_FP" >"$T/tie.csv"
"$HEDUI" review import "$T/tie.csv" --state "$T/S" >/dev/null 2>&1
check "same reviewed_on: the later import is in force" \
    "\"$HEDUI\" review list --state '$T/S' | grep -q '^$F_FP,confirmed,孙审计,2026-06-14,'"
# importing a file again changes nothing, and says so
ND=$(wc -l <"$T/S/dispositions.csv")
cp "$T/S/dispositions.csv" "$T/disp.before"
"$HEDUI" review import "$T/re.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "re-importing a file exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... stores nothing again" "cmp -s '$T/S/dispositions.csv' '$T/disp.before'"
check "... and says the file was imported before" \
    "grep -q 'already in $T/S (the file was imported before): nothing changed' '$T/err' && grep -q 'imported 0 verdicts.*; 1 already there' '$T/out'"
check "... so an earlier file cannot overturn a later verdict by being imported again" \
    "\"$HEDUI\" review list --state '$T/S' | grep -q '^$F_FP,confirmed,孙审计,2026-06-14,'"
{ cat "$T/re.csv"; printf '%s,cleared,钱审计,2026-06-13\n' "$B_FP"; } | sed 's/$/\r/' >"$T/re2.csv"
"$HEDUI" review import "$T/re2.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "a file with one stored and one new verdict stores only the new one" \
    "[ \$? -eq 0 ] && [ \$(wc -l <'$T/S/dispositions.csv') -eq $((ND + 1)) ] && grep -q 'imported 1 verdict.*; 1 already there' '$T/out'"
# a state directory that does not exist is refused, unless asked for
"$HEDUI" review import "$T/re.csv" --state "$T/S-typo" >"$T/out" 2>"$T/err"
check "review import into a missing state directory exits 3" '[ $? -eq 3 ]'
check "... says how to create it and creates nothing" \
    "grep -q -- '--create-state' '$T/err' && [ ! -e '$T/S-typo' ]"
"$HEDUI" review import "$T/re.csv" --state "$T/S-new" --create-state --dry-run >"$T/out" 2>"$T/err"
check "--create-state --dry-run checks and creates nothing" '[ $? -eq 0 ] && [ ! -e "$T/S-new" ]'
"$HEDUI" review import "$T/re.csv" --state "$T/S-new" --create-state >"$T/out" 2>"$T/err"
check "--create-state makes the state and imports ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && [ \"\$(stat -c %a '$T/S-new')\" = 700 ] && [ \$(wc -l <'$T/S-new/dispositions.csv') -eq 2 ]"

# ---------------------------------------------------------------- 7. usage and errors
"$HEDUI" run -q --data "$T/d1" --out "$T/o9" --as-of $ASOF --previous "$T/nowhere" 2>"$T/err"
check "--previous without a run there exits 3" '[ $? -eq 3 ]'
check "... and says what to give" "grep -q 'no flags.csv there' '$T/err'"
check "... and publishes nothing" "[ ! -e '$T/o9/flags.csv' ]"
"$HEDUI" run -q --pg '' --previous "$T/o1" 2>"$T/err"
check "--previous with --pg is a usage error" '[ $? -eq 2 ]'
"$HEDUI" review frob --state "$T/S" 2>"$T/err"
check "unknown review subcommand exits 2" '[ $? -eq 2 ]'
"$HEDUI" review --help >"$T/out" 2>&1
check "review --help documents the columns" "grep -q 'reviewed_on' '$T/out'"
"$HEDUI" review list --state="$T/S" >"$T/list_eq" 2>"$T/err"
check "review list --state=DIR is --state DIR ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && \"$HEDUI\" review list --state '$T/S' | cmp -s - '$T/list_eq'"
"$HEDUI" review import "$T/good.csv" --state "$T/S" extra 2>"$T/err"
check "a third argument to review is a usage error naming it" \
    "[ \$? -eq 2 ] && grep -q \"unexpected argument 'extra'\" '$T/err'"
# --previous reads a published run whole: a damaged one is refused with FILE:LINE
mkdir "$T/dmg"
cp "$T/o1"/* "$T/dmg/"
sed '3s/,[^,]*$//' "$T/o1/flags.csv" >"$T/dmg/flags.csv"
"$HEDUI" run -q --data "$T/d1" --out "$T/o9" --as-of $ASOF --previous "$T/dmg" 2>"$T/err"
check "--previous with a flags.csv row short of a field exits 3" '[ $? -eq 3 ]'
check "... naming the file and line" "grep -q 'dmg/flags.csv:3: has [0-9]* fields, the header has' '$T/err'"

# ---------------------------------------------------------------- 8. township export packs
FX="$T/fx"
mkdir "$FX"
cp "$ROOT/fixtures"/*.csv "$FX/"
# a member ID and a household id that a spreadsheet would run as formulas
awk 'NR == 3 { sub(/610102196708051022/, "\"=HYPERLINK(\"\"x\"\")\"") } { print }' \
    "$ROOT/fixtures/members.csv" | sed 's/^HH006,/+HH006,/' >"$FX/members.csv"
sed 's/^HH006,/+HH006,/' "$ROOT/fixtures/households.csv" >"$FX/households.csv"
"$HEDUI" run -q --data "$FX" --out "$T/fo" --as-of $ASOF 2>"$T/err"
check "run on the poisoned fixture copy exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "the formula-looking ID gives a Q01 flag" "grep -q '^Q01_INVALID_ID,.*,\"=HYPERLINK' '$T/fo/flags.csv'"
check "the formula-looking household is queued" "grep -q ',+HH006,' '$T/fo/review_queue.csv'"
"$HEDUI" export --format csv --out "$T/ex" --township all --from "$T/fo" >"$T/out" 2>"$T/err"
check "export --township all exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
NT=$(tail -n +2 "$T/fo/review_queue.csv" | cut -d, -f1 | sort -u | wc -l)
check "one file per township in the queue" "[ \$(ls '$T/ex' | wc -l) -eq $NT ]"
P1="$T/ex/township_610102001_$ASOF.csv"
check "pack named by township and as-of date" "[ -s '$P1' ]"
check "packs are mode 600" "[ \"\$(stat -c %a '$P1')\" = 600 ]"
check "pack starts with a UTF-8 BOM" "[ \"\$(head -c 3 '$P1' | od -An -tx1 | tr -d ' ')\" = efbbbf ]"
check "every line ends with CRLF" \
    "[ \$(grep -c \"\$(printf '\r')\$\" '$P1') -eq \$(wc -l <'$P1') ]"
check "no unmasked ID number (18 characters) anywhere" \
    "! cat '$T/ex'/*.csv | grep -qE '[0-9]{17}[0-9X]'"
check "no 15-digit run anywhere (old IDs, IDs in evidence)" \
    "! cat '$T/ex'/*.csv | grep -qE '[0-9]{15}'"
check "IDs masked as first 6 + 8 asterisks + last 4" \
    "grep -q ',610102\*\*\*\*\*\*\*\*1017,' '$P1' || grep -q ',610102\*\*\*\*\*\*\*\*[0-9]\{3\}[0-9X],' '$P1'"
# every cell of every pack: none begins with = + - @ TAB or CR
cells() {
    # split CSV (RFC 4180, CRLF) into one cell per line, unquoted
    awk 'BEGIN { RS = "\r\n" } {
        s = $0; n = length(s); i = 1
        while (i <= n + 1) {
            cell = ""
            if (substr(s, i, 1) == "\"") {
                i++
                while (i <= n) {
                    ch = substr(s, i, 1)
                    if (ch == "\"") { if (substr(s, i + 1, 1) == "\"") { cell = cell "\""; i += 2; continue } i++; break }
                    cell = cell ch; i++
                }
            }
            while (i <= n && substr(s, i, 1) != ",") { cell = cell substr(s, i, 1); i++ }
            print cell
            i++
            if (i > n + 1) break
        }
    }' "$@"
}
cells "$T/ex"/*.csv | sed '1s/^\xef\xbb\xbf//' >"$T/cells"
check "cells parsed" "[ \$(wc -l <'$T/cells') -gt 100 ]"
check "no cell begins with = + - @ TAB or CR" \
    "! grep -q \"^[-=+@$(printf '\t\r')]\" '$T/cells'"
check "the formula-looking ID is neutralised and masked" "grep -q \"^'=HYPER\*\*\*\*\*\\\"x\\\")\$\" '$T/cells'"
check "the formula-looking household id is neutralised" "grep -qx \"'+HH006\" '$T/cells'"
check "the rank and score columns stay numbers" \
    "sed -n 2p '$P1' | grep -q '^610102001,1,[^,]*,[^,]*,[0-9][0-9]*,'"
"$HEDUI" export --format csv --out "$T/ex1" --township 610102002 --from "$T/fo" >"$T/out" 2>"$T/err"
check "export of one township exits 0" '[ $? -eq 0 ]'
check "export of one township writes one file" "[ \$(ls '$T/ex1' | wc -l) -eq 1 ] && [ -s '$T/ex1/township_610102002_$ASOF.csv' ]"
check "the one-township pack has only that township" \
    "[ \$(tail -n +2 '$T/ex1/township_610102002_$ASOF.csv' | grep -vc '^610102002,') -eq 0 ]"
"$HEDUI" export --out "$T/ex2" --township 61010 --from "$T/fo" 2>"$T/err"
check "a bad township code exits 2" '[ $? -eq 2 ]'
"$HEDUI" export --format=csv --out="$T/exq" --township=all --from="$T/fo" >"$T/out" 2>"$T/err"
check "export --out=DIR --township=all --from=DIR works ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... and writes the same packs as the spaced form" "diff -r '$T/ex' '$T/exq' >/dev/null"
mkdir "$T/nojson"
cp "$T/fo"/*.csv "$T/nojson/"
sed 's/"seed": \([0-9]*\),/"seed": \1,,/' "$T/fo/manifest.json" >"$T/nojson/manifest.json"
"$HEDUI" export --out "$T/ex5" --township all --from "$T/nojson" 2>"$T/err"
check "export from a run whose manifest.json is not JSON exits 3" '[ $? -eq 3 ]'
check "... and says so with the line" "grep -q 'nojson/manifest.json:[0-9]*:[0-9]*: not JSON' '$T/err'"
check "... and writes nothing" "[ ! -e '$T/ex5' ]"
"$HEDUI" export --out "$T/ex2" --township all --from "$T/nowhere" 2>"$T/err"
check "export from a non-run exits 3" '[ $? -eq 3 ]'
"$HEDUI" export --format csv --out "$T/ex3" --township all --from "$T/o3" >"$T/out" 2>"$T/err"
check "export of a --state run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "export of a --state run carries each flag's change, in Chinese" \
    "cat '$T/ex3'/*.csv | grep -q ',新发现,' && cat '$T/ex3'/*.csv | grep -q ',持续,'"
tail -n +2 "$T/o3/flags.csv" | cut -d, -f6 | grep -E '^.{18}$' | sort -u >"$T/ids3"
check "export of generated data: none of the run's ID numbers appears" \
    "[ -s '$T/ids3' ] && ! cat '$T/ex3'/*.csv | grep -qF -f '$T/ids3'"
check "export of generated data: no 18-character ID pattern" \
    "! cat '$T/ex3'/*.csv | grep -qE '[0-9]{17}[0-9X]'"

echo "review: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
