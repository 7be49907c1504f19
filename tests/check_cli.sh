#!/bin/sh
# check_cli.sh - end-to-end tests of `hedui index` and `hedui check` (issue 5).
#
# Usage: tests/check_cli.sh PATH/TO/hedui
# Checks: index build + check give the nightly run's flags (same keys and
# evidence) for every household of fixtures/, one at a time and all at once,
# and for every household of a generated data set (clean and dirty); a new
# applying household and E10 against the registry; verdicts, JSON; a
# damaged, truncated, foreign or other-version snapshot is refused (exit 3)
# and never read; concurrent checks while the snapshot is replaced; every
# option of index, check and load also spelled --opt=VALUE, and the usage
# errors of the one option loop (cmd/cli.c); E13 and E14 (financial
# assets, funeral records: snapshot format 4) as the run flags them, from
# check --csv, check --json and serve's POST /v1/check, an absent feed
# skipped as the run skips it, and the same with --rules another policy.
set -u
HEDUI=${1:?usage: check_cli.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-checkcli.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${CHECK_CLI_VERBOSE:-}" ] && echo "check_cli: ok: $1" >&2; }
bad()  { fail=$((fail + 1)); echo "check_cli: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

FX="$ROOT/fixtures"
ASOF=2026-06-15
IDX="$T/fx.idx"

# registry line numbers in evidence depend on the file the rows came from
mask() { sed -E -e 's/(households|members) line [0-9]+/\1 line N/g' \
                -e "s/\\(line [0-9]+\\) differs/(line N) differs/g" "$@"; }

# rows of households.csv/members.csv whose first field is $2, with the header
extract() { # SRC_DIR HOUSEHOLD_ID OUT_DIR
    mkdir -p "$3"
    awk -F, -v id="$2" 'NR == 1 || $1 == id' "$1/households.csv" >"$3/households.csv"
    awk -F, -v id="$2" 'NR == 1 || $1 == id' "$1/members.csv" >"$3/members.csv"
}

# 1. build, verify, info
"$HEDUI" index build -q --data "$FX" --out "$IDX" --as-of $ASOF 2>"$T/err"
check "index build on fixtures exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "snapshot is mode 600" "[ \"\$(stat -c %a '$IDX')\" = 600 ]"
check "no temporary file left beside the snapshot" "[ \"\$(ls -A '$T' | grep -c tmp)\" = 0 ]"
"$HEDUI" index verify "$IDX" >"$T/out" 2>&1
check "index verify accepts a whole snapshot" '[ $? -eq 0 ]'
"$HEDUI" index info "$IDX" >"$T/info" 2>&1
check "index info names the format and the policy" \
    "grep -q 'format version  4' '$T/info' && grep -q 'policy          2026.1' '$T/info'"
PHASH=$("$HEDUI" rules check --as-of $ASOF 2>/dev/null | sed -n 's/^policy reference, policy hash \([0-9a-f]*\) .*/\1/p')
check "index info names the rules language's policy and its compiled hash ($PHASH)" \
    "[ \${#PHASH} -eq 16 ] && grep -q 'rules policy    reference (policy hash $PHASH)' '$T/info'"
check "index info lists the stored rules" "grep -q '^policy_src ' '$T/info'"
in_bytes=$(cat "$FX"/*.csv "$ROOT"/rules/*.policy "$ROOT"/rules/catalogue.rules | wc -c)
check "snapshot no larger than the CSVs and the rules it came from (the .policy files, the catalogue)" "[ $(stat -c %s "$IDX") -le $in_bytes ]"

# 2. all households at once: flags.csv of the nightly run, minus L01 (the
#    snapshot carries every feed the other rules read, E13's and E14's too)
"$HEDUI" run -q --data "$FX" --out "$T/run" --as-of $ASOF 2>/dev/null
grep -v '^L01_' "$T/run/flags.csv" >"$T/run-flags"
"$HEDUI" check --index "$IDX" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF --csv >"$T/all.csv" 2>"$T/err"
check "check of every fixture household exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "check of every fixture household equals the run's flags byte for byte" \
    "cmp -s '$T/run-flags' '$T/all.csv'"
"$HEDUI" check --index "$IDX" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF >"$T/all.txt" 2>/dev/null
check "the check judged E13 and E14 (no rule left out) and flags them" \
    "! grep -q '注意: 未评估' '$T/all.txt' && grep -q '^E13_FINANCIAL_ASSETS,' '$T/all.csv' && grep -q '^E14_FUNERAL_RECORD,' '$T/all.csv'"
check "--csv warns on stderr about the input rows it did not use" \
    "grep -q 'members.csv:85: row not used: household_id: not in households.csv' '$T/err'"

# 3. one household at a time
n=0 same=0
for id in $(awk -F, 'NR > 1 { print $1 }' "$FX/households.csv"); do
    n=$((n + 1))
    extract "$FX" "$id" "$T/one/$id"
    "$HEDUI" check --index "$IDX" --households "$T/one/$id/households.csv" \
        --members "$T/one/$id/members.csv" --as-of $ASOF --csv >"$T/one/$id/got" 2>/dev/null
    awk -F, -v id="$id" 'NR == 1 || $4 == id' "$T/run-flags" | mask >"$T/one/$id/want"
    if mask "$T/one/$id/got" | cmp -s - "$T/one/$id/want"; then
        same=$((same + 1))
    else
        echo "check_cli: household $id differs:" >&2
        mask "$T/one/$id/got" | diff "$T/one/$id/want" - >&2
    fi
done
check "each of the $n fixture households checked alone equals the run ($same same)" \
    "[ $same -eq $n ] && [ $n -gt 40 ]"

# 4. a new applying household: E03, E10 against the registry, verdicts, JSON
{
    head -1 "$FX/households.csv"
    echo "NEW001,610102001001,dibao,urban,applying,2026-06-10,,0,CW01"
} >"$T/new-hh.csv"
{
    head -1 "$FX/members.csv"
    # HH006's head (a car of 86000) and HH023's son (already on the rolls)
    grep '^HH006,.*,head,' "$FX/members.csv" | sed 's/^HH006,/NEW001,/'
    grep '^HH023,' "$FX/members.csv" | grep -v ',head,' | head -1 | sed 's/^HH023,/NEW001,/; s/,[a-z]*,\([0-9.]*\),/,child,\1,/'
} >"$T/new-mem.csv"
"$HEDUI" check --index "$IDX" --households "$T/new-hh.csv" --members "$T/new-mem.csv" \
    --as-of $ASOF >"$T/new.txt" 2>"$T/err"
check "check of a new applying household exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "new household: E03 with its evidence" "grep -q 'E03_VEHICLE 名下有机动车' '$T/new.txt' && grep -q 'vehicles: car 陕A12345' '$T/new.txt'"
check "new household: E10 names the registry household" "grep -q 'also a member of household HH023' '$T/new.txt'"
check "new household: verdict looks ineligible" "grep -q '结论: 疑似不符合条件 (looks_ineligible)' '$T/new.txt'"
check "new household is not in the registry" "! grep -q '已在名册' '$T/new.txt'"
"$HEDUI" check --index "$IDX" --households "$T/new-hh.csv" --members "$T/new-mem.csv" \
    --as-of $ASOF --json >"$T/new.json" 2>"$T/err"
check "--json exits 0" '[ $? -eq 0 ]'
check "--json gives rule, severity, evidence and verdict" \
    "grep -q '\"rule_id\":\"E10_DUPLICATE\"' '$T/new.json' && grep -q '\"severity\":\"high\"' '$T/new.json' && grep -q '\"verdict\":\"looks_ineligible\"' '$T/new.json' && grep -q '\"verdict_zh\":\"疑似不符合条件\"' '$T/new.json' && grep -q '\"evidence\":\"vehicles: car' '$T/new.json'"
if command -v python3 >/dev/null 2>&1; then
    check "--json is valid JSON" "python3 -m json.tool '$T/new.json' >/dev/null"
fi
# a run with NEW001 appended to the registry flags the same
mkdir -p "$T/d4" && cp "$FX"/*.csv "$T/d4/"
tail -n +2 "$T/new-hh.csv" >>"$T/d4/households.csv"
tail -n +2 "$T/new-mem.csv" >>"$T/d4/members.csv"
"$HEDUI" run -q --data "$T/d4" --out "$T/run4" --as-of $ASOF
"$HEDUI" check --index "$IDX" --households "$T/new-hh.csv" --members "$T/new-mem.csv" \
    --as-of $ASOF --csv | mask >"$T/new.csv"
awk -F, 'NR == 1 || $4 == "NEW001"' "$T/run4/flags.csv" | mask >"$T/new-want.csv"
check "new household: same flags as a run with it appended to the rolls" \
    "cmp -s '$T/new.csv' '$T/new-want.csv' && [ \$(wc -l <'$T/new.csv') -ge 4 ]"
# verdicts: no finding (HH001), needs review (HH005: E02 medium only)
check "HH001 alone: 无发现" "\"$HEDUI\" check --index '$IDX' --households '$T/one/HH001/households.csv' --members '$T/one/HH001/members.csv' --as-of $ASOF | grep -q '结论: 无发现 (no_finding)'"
check "HH005 alone: 需复核" "\"$HEDUI\" check --index '$IDX' --households '$T/one/HH005/households.csv' --members '$T/one/HH005/members.csv' --as-of $ASOF | grep -q '结论: 需复核 (needs_review)'"

# 5. a generated data set, clean and dirty: every household at once, and a
#    sample one at a time
if command -v cc >/dev/null 2>&1 && cc -std=gnu11 -O1 -o "$T/gen" "$ROOT/bench/gen.c" 2>/dev/null; then
    for dirty in 0 0.02; do
        G="$T/gen-$dirty"
        "$T/gen" --out "$G" --sf 0.01 --seed 5 --as-of $ASOF --dirty $dirty >/dev/null 2>&1
        "$HEDUI" run -q --data "$G" --out "$G.run" --as-of $ASOF 2>"$T/err"
        check "run on generated data (dirty $dirty) ($(cat "$T/err"))" '[ $? -eq 0 ]'
        "$HEDUI" index build -q --data "$G" --out "$G.idx" --as-of $ASOF 2>"$T/err"
        check "index build on generated data (dirty $dirty)" '[ $? -eq 0 ]'
        check "generated snapshot (dirty $dirty) no larger than its CSVs" \
            "[ $(stat -c %s "$G.idx") -le $(cat "$G"/*.csv | wc -c) ]"
        "$HEDUI" check --index "$G.idx" --households "$G/households.csv" \
            --members "$G/members.csv" --as-of $ASOF --csv >"$G.all" 2>/dev/null
        grep -v '^L01_' "$G.run/flags.csv" >"$G.want"
        check "generated data (dirty $dirty): all households checked equal the run ($(wc -l <"$G.want") rows)" \
            "cmp -s '$G.want' '$G.all'"
    done
    G="$T/gen-0"
    n=0 same=0
    for id in $(awk -F, 'NR > 1 && NR % 37 == 2 { print $1 }' "$G/households.csv"); do
        n=$((n + 1))
        extract "$G" "$id" "$G.one/$id"
        "$HEDUI" check --index "$G.idx" --households "$G.one/$id/households.csv" \
            --members "$G.one/$id/members.csv" --as-of $ASOF --csv 2>/dev/null | mask >"$G.one/$id/got"
        awk -F, -v id="$id" 'NR == 1 || $4 == id' "$G.want" | mask >"$G.one/$id/want"
        if cmp -s "$G.one/$id/got" "$G.one/$id/want"; then same=$((same + 1)); else
            echo "check_cli: generated household $id differs" >&2
            diff "$G.one/$id/want" "$G.one/$id/got" >&2
        fi
    done
    check "generated data: $n sampled households checked alone equal the run ($same same)" \
        "[ $same -eq $n ] && [ $n -gt 50 ]"
else
    echo "check_cli: no C compiler for bench/gen.c; generated-data tests skipped" >&2
fi

# 6. damaged snapshots are refused with exit 3 and a clear message
H1="$T/one/HH006"
try() { # SNAPSHOT -> status in $?, message in $T/err
    "$HEDUI" check --index "$1" --households "$H1/households.csv" --members "$H1/members.csv" \
        --as-of $ASOF >"$T/out" 2>"$T/err"
}
flip() { # FILE OFFSET: invert one byte
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
cp "$IDX" "$T/body.idx" && flip "$T/body.idx" 4100
try "$T/body.idx"
check "a flipped body byte is refused with exit 3" '[ $? -eq 3 ]'
check "... saying checksum mismatch and what to do" \
    "grep -q 'is damaged (checksum mismatch in block 0' '$T/err' && grep -q \"hedui index build\" '$T/err'"
check "... and nothing is printed as a result" "[ ! -s '$T/out' ]"
"$HEDUI" index verify "$T/body.idx" >/dev/null 2>"$T/err"
check "index verify refuses it with exit 3" '[ $? -eq 3 ]'
size=$(stat -c %s "$IDX")
last=$(( size - 1 ))
cp "$IDX" "$T/tail.idx" && flip "$T/tail.idx" $last
try "$T/tail.idx"
check "a flipped block-table byte is refused" '[ $? -eq 3 ] && grep -q "block table checksum mismatch" "$T/err"'
head -c $((size / 2)) "$IDX" >"$T/trunc.idx"
try "$T/trunc.idx"
check "a truncated snapshot is refused" '[ $? -eq 3 ] && grep -q "truncated" "$T/err"'
head -c 100 "$IDX" >"$T/short.idx"
try "$T/short.idx"
check "a snapshot shorter than its header is refused" '[ $? -eq 3 ] && grep -q "truncated" "$T/err"'
cp "$IDX" "$T/ver.idx" && printf '\005' | dd of="$T/ver.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
try "$T/ver.idx"
check "another format version is refused, naming the versions" \
    '[ $? -eq 3 ] && grep -q "format version 5; this hedui (.*) reads version 4 only" "$T/err"'
cp "$IDX" "$T/eng.idx" && printf '9' | dd of="$T/eng.idx" bs=1 seek=24 conv=notrunc 2>/dev/null
try "$T/eng.idx"
check "a damaged header is refused" '[ $? -eq 3 ] && grep -q "header checksum mismatch" "$T/err"'
try "$FX/households.csv"
check "a file that is not a snapshot is refused" '[ $? -eq 3 ] && grep -q "not a hedui snapshot" "$T/err"'
try "$T/nonexistent.idx"
check "a missing snapshot exits 3 and says how to build one" \
    '[ $? -eq 3 ] && grep -q "hedui index build" "$T/err"'

# 7. usage, and a snapshot that cannot be written
"$HEDUI" index build -q --data "$FX" --out "$T/no/such/dir/x.idx" --as-of $ASOF 2>"$T/err"
check "index build into a missing directory exits 6" '[ $? -eq 6 ] && grep -q "cannot create a temporary file" "$T/err"'

"$HEDUI" check --index "$IDX" --households "$H1/households.csv" 2>"$T/err"
check "check without --members exits 2" '[ $? -eq 2 ]'
"$HEDUI" check --help >"$T/out" 2>&1
check "check --help explains the verdicts" "grep -q '疑似不符合条件' '$T/out'"
"$HEDUI" index 2>/dev/null
check "index without a subcommand exits 2" '[ $? -eq 2 ]'
"$HEDUI" check --index "$IDX" --households "$T/nope.csv" --members "$H1/members.csv" 2>"$T/err"
check "a missing --households file exits 3" '[ $? -eq 3 ] && grep -q "nope.csv" "$T/err"'

# 8. checks keep working while the snapshot is rebuilt (atomic replace)
"$HEDUI" check --index "$IDX" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF --csv >"$T/ref.csv" 2>/dev/null
i=0
while [ $i -lt 8 ]; do
    ( "$HEDUI" check --index "$IDX" --households "$FX/households.csv" \
        --members "$FX/members.csv" --as-of $ASOF --csv >"$T/par$i.csv" 2>"$T/par$i.err"; echo $? >"$T/par$i.rc" ) &
    i=$((i + 1))
done
"$HEDUI" index build -q --data "$FX" --out "$IDX" --as-of $ASOF
"$HEDUI" index build -q --data "$FX" --out "$IDX" --as-of $ASOF
wait
okc=0
i=0
while [ $i -lt 8 ]; do
    if [ "$(cat "$T/par$i.rc")" = 0 ] && cmp -s "$T/par$i.csv" "$T/ref.csv"; then okc=$((okc + 1)); fi
    i=$((i + 1))
done
check "8 concurrent checks during two rebuilds all succeed with the same result ($okc)" '[ $okc -eq 8 ]'

# 9. option spellings: --opt=VALUE is --opt VALUE (cli_parse), on every
#    option of index build, check and load; one message per kind of mistake
"$HEDUI" index build --quiet --data="$FX" --out="$T/eq.idx" --as-of=$ASOF --threads=2 \
    --rules="$ROOT/rules" --encoding=utf-8 --encoding=hukou.csv=gb18030 2>"$T/err"
check "index build with --opt=VALUE exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" index info "$T/eq.idx" >"$T/eq.info" 2>&1
check "... and reads the feeds as of --as-of=" "grep -q 'feeds read as of $ASOF' '$T/eq.info'"
"$HEDUI" check --index="$T/eq.idx" --households="$FX/households.csv" \
    --members="$FX/members.csv" --as-of=$ASOF --threads=2 --rules="$ROOT/rules" --csv \
    >"$T/eq.csv" 2>/dev/null
check "check with --opt=VALUE equals the run's flags byte for byte" \
    "cmp -s '$T/run-flags' '$T/eq.csv'"
"$HEDUI" check --index "$T/eq.idx" --households "$H1/households.csv" \
    --members "$H1/members.csv" --as-of=2026-06-15 --json >"$T/eq.json" 2>/dev/null
check "check --as-of= reaches the result" "grep -q '\"as_of\":\"2026-06-15\"' '$T/eq.json'"
usage() { # WANT_MESSAGE ARGS...: exit 2 and the message on stderr
    want=$1; shift
    "$HEDUI" "$@" >/dev/null 2>"$T/err"
    rc=$?
    [ $rc -eq 2 ] && grep -qF -- "$want" "$T/err" && grep -q "try 'hedui --help'" "$T/err"
}
check "index build --data= without --out" "usage \"'index build' needs --out FILE\" index build --data='$FX'"
"$HEDUI" index build -q --data="$FX" --out="$T/x.idx" --encoding=hukou.csv=utf-8 2>"$T/err"
check "index build --encoding=FILE=ENC is applied (GB18030 hukou.csv read as UTF-8: exit 1)" \
    "[ \$? -eq 1 ] && grep -q 'hukou.csv: [0-9]* of [0-9]* data rows rejected' '$T/err' && [ ! -e '$T/x.idx' ]"
check "index build --as-of=bad names the value" \
    "usage \"--as-of 'bad' is not a date\" index build --data='$FX' --out='$T/x.idx' --as-of=bad"
check "index build --threads=0 names the value" \
    "usage \"--threads '0' is not a number from 1 to 1024\" index build --data='$FX' --out='$T/x.idx' --threads=0"
check "index build --quiet=yes: a flag takes no value" \
    "usage 'option --quiet takes no value' index build --quiet=yes --data='$FX' --out='$T/x.idx'"
check "index build --data with no value" "usage 'option --data needs a value' index build --out='$T/x.idx' --data"
check "index build --bogus=1 is unknown" "usage \"unknown option '--bogus=1' for 'index build'\" index build --bogus=1"
check "index verify takes one FILE" "usage \"'index verify' takes fewer arguments: unexpected argument 'extra'\" index verify '$IDX' extra"
check "index info refuses an option" "usage \"unknown option '--x' for 'index info'\" index info --x"
check "check --csv=1: a flag takes no value" \
    "usage 'option --csv takes no value' check --index='$IDX' --households='$H1/households.csv' --members='$H1/members.csv' --csv=1"
check "check --members with no value" "usage 'option --members needs a value' check --index='$IDX' --members"
check "check --index= then --households=: needs --members" \
    "usage \"'check' needs --households F and --members F\" check --index='$IDX' --households='$H1/households.csv'"
check "check --as-of=2026-13-01 names the value" \
    "usage \"--as-of '2026-13-01' is not a date\" check --index='$IDX' --households='$H1/households.csv' --members='$H1/members.csv' --as-of=2026-13-01"
check "check refuses a stray argument" "usage \"'check' takes no arguments: unexpected argument 'stray'\" check stray"
check "check --json= --csv=: a flag takes no value, even empty" "usage 'option --json takes no value' check --json="
# load: every option before the database is reached (no server here)
check "load --pg= --data=: --schema= (empty) is refused by name" \
    "usage \"--schema '': want 1 to 63 characters\" load --pg=x --data='$FX' --schema="
check "load --data= without --pg" "usage \"'load' needs --pg CONNINFO\" load --data='$FX'"
check "load --pg= without --data" "usage \"'load' needs --data DIR\" load --pg=x"
check "load --encoding=FILE=ENC names a bad file" \
    "usage \"--encoding 'nosuch.csv=utf-8': unknown input file\" load --pg=x --data='$FX' --encoding=nosuch.csv=utf-8"
check "load --rules with no value" "usage 'option --rules needs a value' load --pg=x --data='$FX' --rules"
check "load -q=1 is unknown (aliases have no =VALUE)" "usage \"unknown option '-q=1' for 'load'\" load -q=1"
check "load --help=1: a flag takes no value" "usage 'option --help takes no value' load --help=1"

# 10. never "no finding" when the check cannot be sure (issue 17 item 5):
#     the snapshot's social insurance ends before the income window, a
#     member row with an unusable value or not read at all; the snapshot's
#     age against [check] snapshot_max_age_days; an old format refused
H22="$T/one/HH022"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --as-of $ASOF >"$T/h22a.txt" 2>"$T/err"
check "HH022 as of the snapshot's date: E09, looks ineligible" \
    "grep -q 'E09_INCOME' '$T/h22a.txt' && grep -q '(looks_ineligible)' '$T/h22a.txt' && [ ! -s '$T/err' ]"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --as-of 2026-07-21 >"$T/h22b.txt" 2>"$T/err"
check "HH022 five weeks later (June past the feed): needs review, not no finding" \
    "grep -q '结论: 需复核 (needs_review)' '$T/h22b.txt' && ! grep -q 'no_finding' '$T/h22b.txt'"
check "... saying why: social insurance complete through 2026-05, 2026-06 of the window missing" \
    "grep -q '需复核: 快照中的社保数据完整到 2026-05' '$T/h22b.txt' && grep -q '2026-01..2026-06 中 2026-06 没有数据' '$T/h22b.txt'"
check "... and warning that the snapshot is 36 days old (limit 35)" \
    "grep -q '36 days before the check.s as-of date 2026-07-21 (limit 35 days' '$T/err' && grep -q '^警告: 快照数据截至 2026-06-15' '$T/h22b.txt'"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --as-of 2026-07-21 --json >"$T/h22b.json" 2>/dev/null
check "--json: verdict needs_review with reason feeds_short, window not covered 2026-06" \
    "grep -q '\"verdict\":\"needs_review\"' '$T/h22b.json' && grep -q '\"reason\":\"feeds_short\"' '$T/h22b.json' && grep -q '\"not_covered\":\[\"2026-06\"\]' '$T/h22b.json' && grep -q '\"social_insurance_through\":\"2026-05\"' '$T/h22b.json' && grep -q '\"age_days\":36,\"max_age_days\":35' '$T/h22b.json'"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --as-of 2026-07-21 --csv >/dev/null 2>"$T/err"
check "--csv: stderr says every household needs review" "grep -q 'every household needs review' '$T/err'"
"$HEDUI" check --index "$IDX" --households "$T/one/HH001/households.csv" \
    --members "$T/one/HH001/members.csv" --as-of 2026-07-20 >"$T/h1b.txt" 2>"$T/err"
check "HH001 (no finding as of the snapshot) 35 days later: needs review, no age warning" \
    "grep -q '(needs_review)' '$T/h1b.txt' && ! grep -q warning '$T/err' && ! grep -q '警告' '$T/h1b.txt'"
"$HEDUI" check --index "$IDX" --households "$T/one/HH001/households.csv" \
    --members "$T/one/HH001/members.csv" --as-of 2026-05-31 --json >"$T/h1c.json" 2>"$T/err"
check "HH001 as of 2026-05-31 (window 2025-11..2026-04, all covered): no finding" \
    "grep -q '\"verdict\":\"no_finding\"' '$T/h1c.json' && grep -q '\"not_covered\":\[\]' '$T/h1c.json'"
"$HEDUI" check --index "$IDX" --households "$T/one/HH001/households.csv" \
    --members "$T/one/HH001/members.csv" --as-of 2026-03-15 --json >"$T/h1d.json" 2>"$T/err"
check "HH001 as of 2026-03-15 (window from 2025-09, before the feed's first month): needs review" \
    "grep -q '\"verdict\":\"needs_review\"' '$T/h1d.json' && grep -q '\"not_covered\":\[\"2025-09\"\]' '$T/h1d.json'"
mkdir -p "$T/r40" && cp -r "$ROOT/rules"/* "$T/r40/"
sed -i 's/^snapshot_max_age_days = 35$/snapshot_max_age_days = 40/' "$T/r40/policy.rules"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --as-of 2026-07-21 --rules "$T/r40" >/dev/null 2>"$T/err"
check "snapshot_max_age_days = 40 in --rules: no warning at 36 days" "! grep -q 'days before' '$T/err'"
sed -i '/^snapshot_max_age_days/d' "$T/r40/policy.rules"
"$HEDUI" check --index "$IDX" --households "$H22/households.csv" --members "$H22/members.csv" \
    --rules "$T/r40" 2>"$T/err"
check "rules without snapshot_max_age_days: exit 5 naming the key" \
    "[ \$? -eq 5 ] && grep -q \"missing key 'snapshot_max_age_days' in \[check\]\" '$T/err'"
# the rules a check judges are the snapshot's copy, stored by index build
mkdir -p "$T/rx" && cp -r "$ROOT/rules"/* "$T/rx/"
sed -i 's/^param exempt_max: money = 30000 /param exempt_max: money = 30000.01 /' "$T/rx/reference.policy"
"$HEDUI" index build -q --data "$FX" --out "$T/rx.idx" --as-of $ASOF --rules "$T/rx" 2>"$T/err"
check "index build with rules of its own exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
rm -rf "$T/rx"
extract "$FX" HH009 "$T/one/HH009"
"$HEDUI" check --index "$T/rx.idx" --households "$T/one/HH009/households.csv" \
    --members "$T/one/HH009/members.csv" --as-of $ASOF --csv >"$T/rx.csv" 2>"$T/err"
check "check judges with the snapshot's stored rules (30000.01: HH009 has no E03), their directory gone" \
    "[ \$? -eq 0 ] && ! grep -q '^E03_VEHICLE' '$T/rx.csv'"
"$HEDUI" check --index "$T/rx.idx" --households "$T/one/HH009/households.csv" \
    --members "$T/one/HH009/members.csv" --as-of $ASOF --csv --rules "$ROOT/rules" >"$T/rx2.csv" 2>"$T/err"
check "check --rules judges with that directory's rules (30000: HH009's truck is E03)" \
    "grep -q '^E03_VEHICLE,.*,HH009,' '$T/rx2.csv'"
mkdir -p "$T/rbad" && cp -r "$ROOT/rules"/* "$T/rbad/"
sed -i 's/{plate_no}/{plat_no}/' "$T/rbad/reference.policy"
"$HEDUI" index build -q --data "$FX" --out "$T/rbad.idx" --as-of $ASOF --rules "$T/rbad" 2>"$T/err"
check "index build refuses rules that do not check: exit 5 naming the place, no snapshot" \
    "[ \$? -eq 5 ] && grep -q 'reference.policy:[0-9]*:[0-9]*: .*plat_no' '$T/err' && [ ! -e '$T/rbad.idx' ]"
# a snapshot built with a local pack: check judges every household with the
# pack's stored rules (its own E15, E06 off ...) as the pack's run does, no
# HEDUI_EVAL and no --rules needed
"$HEDUI" index build -q --data "$FX" --out "$T/hy.idx" --as-of $ASOF --rules "$ROOT/rules/packs/huaiyuan" 2>"$T/err"
check "index build with a pack exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" run -q --data "$FX" --out "$T/hyrun" --as-of $ASOF --rules "$ROOT/rules/packs/huaiyuan" 2>/dev/null
grep -v '^L01_' "$T/hyrun/flags.csv" >"$T/hyrun-flags"
"$HEDUI" check --index "$T/hy.idx" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF --csv >"$T/hy.csv" 2>/dev/null
check "a pack's snapshot: check of every household equals the pack's run byte for byte (not the reference's)" \
    "cmp -s '$T/hyrun-flags' '$T/hy.csv' && ! cmp -s '$T/run-flags' '$T/hy.csv'"
"$HEDUI" check --index "$T/hy.idx" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF --json >"$T/hy.json" 2>/dev/null
check "... and names the pack as the policy that judged and the one it was built with" \
    "grep -q '\"pack\":\"huaiyuan\",\"policy_hash\":\"[0-9a-f]*\"' '$T/hy.json' && grep -q '\"snapshot_pack\":\"huaiyuan\"' '$T/hy.json'"
"$HEDUI" index info "$IDX" >"$T/info" 2>&1
check "index info names the social-insurance months" \
    "grep -q 'rows 2025-10..2026-06, complete months through 2026-05' '$T/info'"

# unusable member rows: HH025 is no finding; its second member's income
# written "1,200", relation "daughter", an empty disability grade: each
# needs review naming the line and the value (a dropped member is invisible)
H25="$T/one/HH025"
check "HH025 alone: no finding" "\"$HEDUI\" check --index '$IDX' --households '$H25/households.csv' --members '$H25/members.csv' --as-of $ASOF | grep -q '(no_finding)'"
for v in 'income:$5="\"1,200\""' 'relation:$4="daughter"' 'grade:$7=""' 'ability:$6="FULL"'; do
    name=${v%%:*}
    awk -F, "NR == 3 { ${v#*:} } 1" OFS=, "$H25/members.csv" >"$T/m25-$name.csv"
    "$HEDUI" check --index "$IDX" --households "$H25/households.csv" --members "$T/m25-$name.csv" \
        --as-of $ASOF >"$T/m25-$name.txt" 2>&1
    "$HEDUI" check --index "$IDX" --households "$H25/households.csv" --members "$T/m25-$name.csv" \
        --as-of $ASOF --json >"$T/m25-$name.json" 2>&1
    check "HH025 with an unusable $name on line 3: needs review, naming the row" \
        "grep -q '结论: 需复核 (needs_review)' '$T/m25-$name.txt' && grep -q '需复核: 成员行 .*m25-$name.csv:3 ' '$T/m25-$name.txt' && grep -q '\"reason\":\"member_row\",.*\"line\":3' '$T/m25-$name.json'"
done
check "... the income one names the value" "grep -q \"declared_monthly_income: .*'1,200'\" '$T/m25-income.txt'"
# a repeated member (a row not used) and a row that cannot be read at all
{ cat "$H25/members.csv"; tail -1 "$H25/members.csv"; } >"$T/m25-rep.csv"
"$HEDUI" check --index "$IDX" --households "$H25/households.csv" --members "$T/m25-rep.csv" \
    --as-of $ASOF >"$T/m25-rep.txt" 2>&1
check "HH025 with a member repeated: needs review (the repeat is not used)" \
    "grep -q '(needs_review)' '$T/m25-rep.txt' && grep -q 'm25-rep.csv:4 未使用: id_no: person repeated' '$T/m25-rep.txt'"
{ cat "$T/one/HH001/members.csv"; tail -n +2 "$H25/members.csv"; echo 'HH025,1,2'; } >"$T/m-unread.csv"
awk 'NR == 1 || FNR > 1' "$T/one/HH001/households.csv" "$H25/households.csv" >"$T/h-unread.csv"
"$HEDUI" check --index "$IDX" --households "$T/h-unread.csv" --members "$T/m-unread.csv" \
    --as-of $ASOF --json >"$T/unread.json" 2>&1
check "a members row that cannot be read: every household of the check needs review" \
    "[ \$(grep -c '\"verdict\":\"needs_review\"' '$T/unread.json') -eq 2 ] && [ \$(grep -o '\"reason\":\"member_row_unread\"' '$T/unread.json' | wc -l) -eq 2 ] && grep -q 'members line 6 could not be read' '$T/unread.json'"
# a members row of a household not in the check is nobody's reason
{ cat "$H25/members.csv"; echo 'HH999,610102196010011010,x,head,1,full,0'; } >"$T/m25-other.csv"
"$HEDUI" check --index "$IDX" --households "$H25/households.csv" --members "$T/m25-other.csv" \
    --as-of $ASOF >"$T/m25-other.txt" 2>&1
check "a members row of another household (rejected) leaves HH025 no finding" \
    "grep -q '(no_finding)' '$T/m25-other.txt' && grep -q 'm25-other.csv:4: household_id: not in households.csv' '$T/m25-other.txt'"

cp "$IDX" "$T/v1.idx" && printf '\001' | dd of="$T/v1.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
try "$T/v1.idx"
check "a snapshot of format 1 (before the social-insurance months) is refused: build it again" \
    '[ $? -eq 3 ] && grep -q "format version 1; this hedui (.*) reads version 4 only: build it again with .hedui index build." "$T/err"'
cp "$IDX" "$T/v2.idx" && printf '\002' | dd of="$T/v2.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
try "$T/v2.idx"
check "a snapshot of format 2 (without the feeds of E13 and E14) is refused, saying why and what to do" \
    '[ $? -eq 3 ] && grep -q "format version 2; this hedui (.*) reads version 4 only: build it again with .hedui index build. (format 4 carries financial_assets.csv, funeral.csv and the rules it was built with)" "$T/err" && [ ! -s "$T/out" ]'
cp "$IDX" "$T/v3.idx" && printf '\003' | dd of="$T/v3.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
try "$T/v3.idx"
check "a snapshot of format 3 (before the rules were stored) is refused: build it again" \
    '[ $? -eq 3 ] && grep -q "format version 3; this hedui (.*) reads version 4 only: build it again" "$T/err" && [ ! -s "$T/out" ]'
"$HEDUI" check --index "$IDX" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF --json >"$T/ph.json" 2>/dev/null
check "check --json names the policy the snapshot was built with" \
    "grep -q '\"snapshot_pack\":\"reference\",\"snapshot_policy_hash\":\"$PHASH\"' '$T/ph.json'"
"$HEDUI" check --index "$IDX" --households "$FX/households.csv" --members "$FX/members.csv" \
    --as-of $ASOF >"$T/ph.txt" 2>/dev/null
check "check's text names it too" "grep -q '^规则 policy .*reference  hash $PHASH' '$T/ph.txt'"

# 11. E13 and E14 (snapshot format 3 on carries financial_assets.csv and
#     funeral.csv): HH050 (financial assets over the limit), HH052 (a
#     funeral record) and HH051 (a funeral dated after the snapshot's feeds:
#     a later check sees it, as a later run does) get the run's flags from
#     check --csv, check --json and serve's POST /v1/check; a feed absent at
#     build is skipped as the run skips it; with --rules, a policy unlike
#     the snapshot's stored one (asset_months 12, E14's evidence reworded),
#     check and serve give that policy's run's flags.
PY="python3 $ROOT/tests/serve_client.py"
E="$T/e1314"
E_IDS="HH050 HH051 HH052"
mkdir -p "$E/d"
for f in households members; do
    awk -F, 'NR == 1 || $1 == "HH050" || $1 == "HH051" || $1 == "HH052"' "$FX/$f.csv" >"$E/d/$f.csv"
done
check "the run flags E13 for HH050 and E14 for HH052" \
    "grep -q '^E13_FINANCIAL_ASSETS,.*,HH050,' '$T/run/flags.csv' && grep -q '^E14_FUNERAL_RECORD,.*,HH052,' '$T/run/flags.csv'"
SPID=""
trap 'if [ -n "$SPID" ]; then kill $SPID 2>/dev/null; fi; rm -rf "$T"' EXIT
# same_flags LABEL RUN_FLAGS SNAPSHOT AS_OF [--rules DIR]: check --csv,
# check --json and serve's POST /v1/check of the three households give the
# rows of RUN_FLAGS for them
same_flags() {
    label=$1 want=$2 idx=$3 asof=$4
    shift 4
    awk -F, 'NR == 1 || $4 == "HH050" || $4 == "HH051" || $4 == "HH052"' "$want" | mask >"$E/want.csv"
    "$HEDUI" check --index "$idx" --households "$E/d/households.csv" \
        --members "$E/d/members.csv" --as-of "$asof" --csv "$@" 2>"$E/err" | mask >"$E/got.csv"
    check "$label: check --csv gives the run's $(($(wc -l <"$E/want.csv") - 1)) flags ($(cat "$E/err"))" \
        "cmp -s '$E/want.csv' '$E/got.csv' || diff '$E/want.csv' '$E/got.csv' >&2"
    "$HEDUI" check --index "$idx" --households "$E/d/households.csv" \
        --members "$E/d/members.csv" --as-of "$asof" --json "$@" >"$E/got.json" 2>/dev/null
    check "$label: check --json gives them" "$PY flags '$E/got.json' '$want' $E_IDS >/dev/null"
    rm -rf "$E/b" && mkdir -p "$E/b"
    $PY bodies "$E/d" "$E/b" --as-of "$asof" --reason check_cli >/dev/null
    # a fresh file: the previous server's "listening on" line must not be
    # read before the new one's shell has truncated it
    rm -f "$E/serve.err"
    "$HEDUI" serve --index "$idx" --listen 127.0.0.1:0 --log "$E/access.log" "$@" 2>"$E/serve.err" &
    SPID=$!
    URL=""
    for _ in $(seq 1 600); do
        # the whole line: the port is followed by " ("
        URL=$(sed -n 's|.*listening on \(http://[0-9.]*:[0-9]*\) (.*|\1|p' "$E/serve.err" 2>/dev/null | head -1)
        [ -n "$URL" ] && break
        kill -0 $SPID 2>/dev/null || break
        sleep 0.05
    done
    st=$([ -n "$URL" ] && $PY post "$URL" "$E/b/ALL.json" "$E/served.json" 2>"$E/post.err")
    kill $SPID 2>/dev/null
    wait $SPID 2>/dev/null
    SPID=""
    cat "$E/serve.err" >>"$E/servers.err"
    check "$label: serve's POST /v1/check gives them (status $st)" \
        "[ '$st' = 200 ] && $PY flags '$E/served.json' '$want' $E_IDS >/dev/null || { cat '$E/serve.err' '$E/post.err' >&2; false; }"
}
same_flags "E13, E14 as of $ASOF" "$T/run/flags.csv" "$IDX" $ASOF

# as of 2026-06-20 (the same snapshot): HH051's burial of 2026-06-16 counts
"$HEDUI" run -q --data "$FX" --out "$E/run0620" --as-of 2026-06-20 2>/dev/null
check "a run as of 2026-06-20 flags E14 for HH051 (a funeral after the feeds' date)" \
    "grep -q '^E14_FUNERAL_RECORD,.*,HH051,.*on 2026-06-16 <= as-of 2026-06-20' '$E/run0620/flags.csv'"
same_flags "E14 of a record dated after the snapshot's feeds" "$E/run0620/flags.csv" "$IDX" 2026-06-20

# funeral.csv absent: the snapshot records it absent, the check skips E14
# and says so, as the run on the same data skips it
mkdir -p "$E/nofun" && cp "$FX"/*.csv "$E/nofun/" && rm "$E/nofun/funeral.csv"
"$HEDUI" run -q --data "$E/nofun" --out "$E/run-nofun" --as-of $ASOF 2>/dev/null
"$HEDUI" index build -q --data "$E/nofun" --out "$E/nofun.idx" --as-of $ASOF 2>"$T/err"
check "index build without funeral.csv ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" index info "$E/nofun.idx" >"$E/nofun.info" 2>&1
check "... index info lists funeral.csv absent, financial_assets.csv present" \
    "grep -q '^funeral.csv  *(absent)' '$E/nofun.info' && grep -q '^financial_assets.csv  *1752 ' '$E/nofun.info'"
check "... the run skips E14 and says so in its manifest" \
    "grep -q 'E14_FUNERAL_RECORD: funeral.csv absent' '$E/run-nofun/manifest.json' && ! grep -q '^E14_' '$E/run-nofun/flags.csv'"
"$HEDUI" check --index "$E/nofun.idx" --households "$E/d/households.csv" \
    --members "$E/d/members.csv" --as-of $ASOF >"$E/nofun.txt" 2>/dev/null
check "... the check says it did not judge E14 (only E14)" \
    "grep -q '注意: 未评估 E14_FUNERAL_RECORD: funeral.csv absent when the snapshot was built' '$E/nofun.txt' && [ \$(grep -c '注意: 未评估' '$E/nofun.txt') -eq 1 ]"
same_flags "funeral.csv absent" "$E/run-nofun/flags.csv" "$E/nofun.idx" $ASOF

# --rules: check and serve judge with that directory's policy as the run
# on it does (a policy where it differs from the snapshot's stored one)
RL="$E/rules-lang"
cp -r "$ROOT/rules" "$RL"
sed -i -e 's/^param asset_months: count = 24 /param asset_months: count = 12 /' \
    -e 's/evidence each f: "funeral: /evidence each f: "funeral record: /' "$RL/reference.policy"
"$HEDUI" run -q --data "$FX" --out "$E/run-lang" --rules "$RL" --as-of $ASOF 2>/dev/null
check "the run on that policy flags E13 for HH051 and rewords E14" \
    "grep -q '^E13_FINANCIAL_ASSETS,.*,HH051,' '$E/run-lang/flags.csv' && grep -q '^E14_FUNERAL_RECORD,.*,HH052,.*funeral record: cremation' '$E/run-lang/flags.csv'"
same_flags "--rules, another policy" "$E/run-lang/flags.csv" "$IDX" $ASOF --rules "$RL"
# one server, the rules' programs kept per as-of date (snapshot/
# precheck.c): a parameter that changes on 2026-06-18; checks as of ten
# dates (more than the eight programs kept), then the first two again
RD="$E/rules-dated"
cp -r "$ROOT/rules" "$RD"
sed -i 's/^param asset_months: count = 24 /param asset_months: count = 24 from 2026-06-18: 12 /' \
    "$RD/reference.policy"
for d in 15 20; do
    "$HEDUI" run -q --data "$FX" --out "$E/run-dated-$d" --rules "$RD" --as-of 2026-06-$d 2>/dev/null
done
check "the run with the dated parameter: E13 for HH051 as of 2026-06-20, not as of 2026-06-15" \
    "grep -q '^E13_FINANCIAL_ASSETS,.*,HH051,' '$E/run-dated-20/flags.csv' && ! grep -q '^E13_FINANCIAL_ASSETS,.*,HH051,' '$E/run-dated-15/flags.csv'"
rm -f "$E/serve.err"
"$HEDUI" serve --index "$IDX" --listen 127.0.0.1:0 --log "$E/access.log" --rules "$RD" 2>"$E/serve.err" &
SPID=$!
URL=""
for _ in $(seq 1 600); do
    URL=$(sed -n 's|.*listening on \(http://[0-9.]*:[0-9]*\) (.*|\1|p' "$E/serve.err" 2>/dev/null | head -1)
    [ -n "$URL" ] && break
    kill -0 $SPID 2>/dev/null || break
    sleep 0.05
done
okd=0 nd=0
for d in 15 20 16 17 18 19 21 22 23 24 15 20; do
    sed "s/\"as_of\": \"$ASOF\"/\"as_of\": \"2026-06-$d\"/" "$E/b/ALL.json" >"$E/dated.json"
    st=$([ -n "$URL" ] && $PY post "$URL" "$E/dated.json" "$E/dated-$d.json" 2>>"$E/post.err")
    case $d in
    15 | 20)
        nd=$((nd + 1))
        if [ "$st" = 200 ] && $PY flags "$E/dated-$d.json" "$E/run-dated-$d/flags.csv" $E_IDS >/dev/null; then
            okd=$((okd + 1))
        fi ;;
    esac
done
kill $SPID 2>/dev/null
wait $SPID 2>/dev/null
SPID=""
cat "$E/serve.err" >>"$E/servers.err"
check "one server with --rules answers each date with that date's program ($okd of $nd as the runs)" \
    "[ $okd -eq 4 ] && [ $nd -eq 4 ] || { cat '$E/serve.err' '$E/post.err' >&2; false; }"
"$HEDUI" check --index "$IDX" --households "$E/d/households.csv" --members "$E/d/members.csv" \
    --as-of $ASOF --csv >"$E/stored.csv" 2>/dev/null
check "... and without --rules the same check judges with the snapshot's stored rules" \
    "! grep -q ',HH051,' '$E/stored.csv' && grep -q '^E14_.*,funeral: cremation' '$E/stored.csv'"
mkdir -p "$E/badlang" && cp -r "$ROOT/rules"/* "$E/badlang/"
echo 'rule Z99_BROKEN cuobao high' >>"$E/badlang/reference.policy"
"$HEDUI" check --index "$IDX" --households "$E/d/households.csv" \
    --members "$E/d/members.csv" --as-of $ASOF --rules "$E/badlang" >"$E/out" 2>"$E/err"
check "--rules with a policy that has an error: exit 5 naming it, nothing printed" \
    "[ \$? -eq 5 ] && grep -q 'reference.policy:' '$E/err' && [ ! -s '$E/out' ]"

check "no sanitizer report (ASan, UBSan, leaks) in the servers' stderr" \
    "[ -s '$E/servers.err' ] && ! grep -qE 'Sanitizer|runtime error' '$E/servers.err'"

echo "check_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
