#!/bin/sh
# feeds_test.sh - end-to-end tests of "Feeds that look incomplete" (data
# contract; src/engine/feedcheck.c) on copies of fixtures/.
#
# Usage: tests/feeds_test.sh PATH/TO/hedui
# Checks: a header-only required feed, social insurance missing months of
# the income window, and a feed that fell by more than the rules' share
# since the previous run (--previous, --state) each stop the run with exit
# 1, a message naming the feed and the figures, and the previous outputs
# untouched; --accept-drop FEED lets one run through and the manifest lists
# it; a 10% drop, an absent or header-only optional feed, and a previous
# run without counts (warning) do not stop it; fixtures pass every check.
# The same for run --pg is in tests/pg_test.sh.
set -u
HEDUI=${1:?usage: feeds_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-feeds.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "feeds_test: FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

FX="$ROOT/fixtures"
ASOF=2026-06-15
SEED=20260615
run() {   # data out [args...]
    d=$1 o=$2
    shift 2
    "$HEDUI" run -q --data "$d" --out "$o" --as-of $ASOF --seed $SEED "$@" 2>"$T/err"
    rc=$?
    cat "$T/err" >>"$T/allerr"
    return $rc
}
# a fresh copy of the fixtures' inputs
data() { rm -rf "$T/$1" && mkdir -p "$T/$1" && cp "$FX"/*.csv "$T/$1/"; }
# the reference run, kept to show the outputs stay as they were
untouched() {   # dir
    cmp -s "$1/flags.csv" "$T/base.keep/flags.csv" &&
        cmp -s "$1/manifest.json" "$T/base.keep/manifest.json"
}

# 0. the fixtures pass every check, also compared with themselves
run "$FX" "$T/base"
check "fixtures: exit 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "fixtures: flags.csv as expected" "cmp -s '$T/base/flags.csv' '$FX/expected/flags.csv'"
check "manifest has an empty accepted_drops" "grep -q '\"accepted_drops\": \[\],' '$T/base/manifest.json'"
cp -r "$T/base" "$T/base.keep"
run "$FX" "$T/self" --previous "$T/base"
check "fixtures against themselves: exit 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "...and no warning but the fixtures' households without a standard" \
    "[ -z \"\$(grep -v 'no standard in force on' '$T/err')\" ]"

# 1. header-only vehicles.csv and social_insurance.csv (today: exit 0, a
#    run full of false leads)
data d1
head -1 "$FX/vehicles.csv" >"$T/d1/vehicles.csv"
head -1 "$FX/social_insurance.csv" >"$T/d1/social_insurance.csv"
cp -r "$T/base.keep" "$T/o1"
run "$T/d1" "$T/o1"
check "header-only vehicles + SI: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message names vehicles.csv and the figure ($(cat "$T/err"))" \
    "grep -q '^hedui: vehicles.csv: 0 accepted data rows (required feed' '$T/err'"
check "message names social_insurance.csv too" \
    "grep -q 'social_insurance.csv: 0 accepted data rows (required feed' '$T/err'"
check "message says nothing was published" "grep -q 'Nothing was published' '$T/err'"
check "previous outputs untouched" "untouched '$T/o1'"
check "no temporary directory left" "[ -z \"\$(ls -A '$T' | grep hedui-tmp)\" ]"

data d1b
head -1 "$FX/vehicles.csv" >"$T/d1b/vehicles.csv"
run "$T/d1b" "$T/o1b"
check "header-only vehicles.csv alone: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message is about vehicles.csv ($(cat "$T/err"))" \
    "grep -q 'vehicles.csv: 0 accepted data rows (required feed; the file has no data rows' '$T/err'"
check "nothing published" "[ ! -e '$T/o1b/flags.csv' ]"

# 2. social insurance without 2026-03 and 2026-04 (moved out of the window:
#    same row count, every row valid)
data d2
sed -e 's/,2026-03,/,2025-09,/' -e 's/,2026-04,/,2025-08,/' "$FX/social_insurance.csv" \
    >"$T/d2/social_insurance.csv"
cp -r "$T/base.keep" "$T/o2"
run "$T/d2" "$T/o2"
check "SI missing two months: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message names the months and the window ($(cat "$T/err"))" \
    "grep -q 'social_insurance.csv has no accepted row for 2026-03, 2026-04 (income window 2025-12..2026-05): judge an earlier --as-of or get a fresh feed' '$T/err'"
check "previous outputs untouched" "untouched '$T/o2'"
# a feed that lags the as-of date: the fixtures end in 2026-06
"$HEDUI" run -q --data "$FX" --out "$T/o2b" --as-of 2026-08-15 2>"$T/err"
rc=$?
check "as of 2026-08-15 the fixtures lack 2026-07: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message names 2026-07 only ($(cat "$T/err"))" \
    "grep -q 'no accepted row for 2026-07 (income window 2026-02..2026-07)' '$T/err'"
"$HEDUI" run -q --data "$FX" --out "$T/o2c" --as-of 2026-07-15 2>"$T/err"
check "as of 2026-07-15 the window is covered: exit 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'

# 3. property.csv 30% shorter than the previous run (60 -> 42 data rows)
data d3
head -n 43 "$FX/property.csv" >"$T/d3/property.csv"
cp -r "$T/base.keep" "$T/o3"
run "$T/d3" "$T/o3" --previous "$T/o3"
check "30% fewer property rows than --previous: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message gives the figures and the way out ($(cat "$T/err"))" \
    "grep -q 'property.csv: 42 data rows, 60 in the previous run (-30.0% > 20%): check the export, or accept with --accept-drop property' '$T/err'"
check "message names the previous run" "grep -q 'Previous run: the run in $T/o3' '$T/err'"
check "previous outputs untouched" "untouched '$T/o3'"
run "$T/d3" "$T/o3" --previous "$T/o3" --accept-drop property
check "the same with --accept-drop property: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "manifest records the accepted drop" \
    "grep -q '\"accepted_drops\": \[{\"file\": \"property.csv\", \"data_rows\": 42, \"previous_data_rows\": 60}\],' '$T/o3/manifest.json'"
run "$T/d3" "$T/o3b" --previous "$T/base" --accept-drop property.csv --accept-drop vehicles
check "--accept-drop takes FEED.csv too and repeats: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "...and records only the drop that happened" \
    "grep -q '\"accepted_drops\": \[{\"file\": \"property.csv\", \"data_rows\": 42, \"previous_data_rows\": 60}\],' '$T/o3b/manifest.json'"
# the drop was accepted for that run only: its counts are the new base
run "$T/d3" "$T/o3" --previous "$T/o3"
check "next run compares with the accepted run: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "...and accepts nothing" "grep -q '\"accepted_drops\": \[\],' '$T/o3/manifest.json'"

# 4. a 10% drop (60 -> 54) passes
data d4
head -n 55 "$FX/property.csv" >"$T/d4/property.csv"
run "$T/d4" "$T/o4" --previous "$T/base"
check "10% fewer property rows: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'

# 5. the auditors' state keeps each run's feed sizes
run "$FX" "$T/o5" --state "$T/S"
check "state run 1: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "history.csv records rows_property" \
    "head -1 '$T/S/history.csv' | grep -q ',rows_property,' && tail -1 '$T/S/history.csv' | grep -q ',60,136,13,5,4,14,22,5\$'"
run "$T/d3" "$T/o5" --state "$T/S"
check "state run 2 with 30% fewer property rows: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "message names the state's run ($(cat "$T/err"))" \
    "grep -q 'property.csv: 42 data rows, 60 in the previous run.*Previous run: run 1 (as of $ASOF) of the state' '$T/err'"
check "the state records no failed run" "[ \$(wc -l <'$T/S/history.csv') -eq 2 ]"
run "$T/d3" "$T/o5" --state "$T/S" --accept-drop property
check "state run 2 with --accept-drop property: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
run "$T/d3" "$T/o5" --state "$T/S"
check "state run 3 compares with run 2: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
# a state of an older hedui (no rows_ columns): a warning, no stop
mkdir -p "$T/S2"
cp "$T/S/findings.csv" "$T/S2/"
cut -d, -f1-27 "$T/S/history.csv" >"$T/S2/history.csv"
run "$FX" "$T/o5b" --state "$T/S2"
check "a state without counts: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "...with a warning naming the state" "grep -q '^hedui: warning: --state $T/S2: run 3 recorded no data-row counts' '$T/err'"

# 6. a previous manifest without counts: a warning, no stop
cp -r "$T/base.keep" "$T/old"
sed -i 's/"data_rows": [0-9]*, //' "$T/old/manifest.json"
run "$T/d3" "$T/o6" --previous "$T/old"
check "--previous without counts: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "...with a warning" "grep -q '^hedui: warning: --previous $T/old: manifest.json has no data-row counts' '$T/err'"

# 7. optional feeds: absent or header-only is allowed; a fall is a drop
data d7
head -1 "$FX/business.csv" >"$T/d7/business.csv"
rm "$T/d7/candidates.csv"
run "$T/d7" "$T/o7"
check "header-only business.csv, no candidates.csv: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "...no E07 flag" "! grep -q '^E07_BUSINESS' '$T/o7/flags.csv'"
run "$T/d7" "$T/o7b" --previous "$T/base"
check "business.csv 13 -> 0 since --previous: exit 1 (got $rc)" '[ $rc -eq 1 ]'
check "...named as a drop ($(cat "$T/err"))" \
    "grep -q 'business.csv: 0 data rows, 13 in the previous run (-100.0% > 20%)' '$T/err' && grep -q 'candidates.csv: absent, so 0 data rows, 14 in the previous run' '$T/err'"
run "$T/d7" "$T/o7b" --previous "$T/base" --accept-drop business --accept-drop candidates
check "...accepted with --accept-drop business --accept-drop candidates: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'

# 8. the policy value is data: a higher limit lets 30% through
mkdir -p "$T/r" && cp -r "$ROOT"/rules/* "$T/r/"
sed -i 's/^feed_drop_limit = 20%$/feed_drop_limit = 35%/' "$T/r/policy.rules"
run "$T/d3" "$T/o8" --previous "$T/base" --rules "$T/r"
check "feed_drop_limit = 35% lets a 30% drop through: exit 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
sed -i '/^feed_drop_limit/d' "$T/r/policy.rules"
run "$FX" "$T/o8b" --rules "$T/r"
check "rules without feed_drop_limit: exit 5 (got $rc)" '[ $rc -eq 5 ]'
check "...naming the key" "grep -q \"missing key 'feed_drop_limit' in \[input\]\" '$T/err'"

# 9. usage
run "$FX" "$T/o9" --accept-drop properties
check "--accept-drop of no feed: exit 2 (got $rc)" '[ $rc -eq 2 ]'
check "...listing the feeds ($(cat "$T/err"))" "grep -q 'want one of households, members' '$T/err'"
run "$FX" "$T/o9" --accept-drop standards
check "--accept-drop standards (a policy table): exit 2 (got $rc)" '[ $rc -eq 2 ]'
run "$FX" "$T/o9" --accept-drop
check "--accept-drop without a value: exit 2 (got $rc)" '[ $rc -eq 2 ]'
"$HEDUI" run --help >"$T/help"
check "run --help documents --accept-drop" "grep -q -- '--accept-drop FEED' '$T/help'"

# 10. no ID number on stderr
check "stderr was captured" "[ -s '$T/allerr' ]"
check "no 18-character ID number on stderr" "! grep -Eq '[0-9]{17}[0-9Xx]' '$T/allerr'"

echo "feeds_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
