#!/bin/sh
# partition_test.sh - `make partition-test`: a run under --memory-limit
# (engine/partition.h, engine/partrun.h) gives the outputs of a run that
# keeps every row in memory, byte for byte, at any limit, number of parts
# and thread count; keeps its temporary files private and removes them on
# every way out; refuses a limit too small, naming one that works.
#
# Usage: tests/partition_test.sh PATH/TO/hedui
# Data: fixtures/, and bench/gen.c (built with cc when build/bench/gen is
# missing) at SF 0.1, clean and --dirty 0.02; judged by the reference
# policy and by two local packs.  Test hooks of the engine:
# HEDUI_PART_BUCKETS (parts), HEDUI_PART_BATCH_BUCKETS (parts judged at
# once), HEDUI_CHUNK_BYTES (load.c's chunks), HEDUI_TEST_PART_PAUSE
# (seconds to wait once the temporary files are written).
# Compared: flags, review_queue, spotcheck, rejects, fingerprints (and
# changes with --state) byte for byte; manifest.json and report.html but
# their timings line.  Needs POSIX sh, cmp, grep, sed, stat.
set -u
HEDUI=${1:?usage: partition_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-part.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${PART_TEST_VERBOSE:-}" ] && echo "partition: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "partition: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ASOF=2026-06-15

# The outputs of $2 equal those of the reference $1 (label $3).
same() {
    for f in flags review_queue spotcheck rejects fingerprints changes; do
        [ -f "$1/$f.csv" ] || [ -f "$2/$f.csv" ] || continue
        check "$3: $f.csv as in memory" "cmp -s '$1/$f.csv' '$2/$f.csv'"
    done
    grep -v '"timings"' "$1/manifest.json" >"$T/m.ref"
    grep -v '"timings"' "$2/manifest.json" >"$T/m.new"
    check "$3: manifest.json as in memory (but timings)" "cmp -s '$T/m.ref' '$T/m.new'"
    grep -v 'timings&quot;' "$1/report.html" >"$T/r.ref"
    grep -v 'timings&quot;' "$2/report.html" >"$T/r.new"
    check "$3: report.html as in memory (but timings)" "cmp -s '$T/r.ref' '$T/r.new'"
    check "$3: no temporary files left" "[ -z \"\$(ls -A '$2' | grep hedui-tmp)\" ]"
}

# run DATA OUT SEED [options...]
run() { d=$1 o=$2 s=$3; shift 3; "$HEDUI" run -q --data "$d" --out "$o" --as-of $ASOF --seed "$s" "$@"; }

# ---------------------------------------------------------------- data
GEN="$ROOT/build/bench/gen"
if [ ! -x "$GEN" ]; then
    GEN="$T/gen"
    ${CC:-cc} -std=gnu11 -O2 -o "$GEN" "$ROOT/bench/gen.c" 2>"$T/gen.err" || {
        echo "partition: cannot build bench/gen.c: $(cat "$T/gen.err")" >&2
        echo "partition: 0 passed, 1 failed"; exit 1; }
fi
"$GEN" --out "$T/g" --sf 0.1 --seed 5 --as-of $ASOF >/dev/null 2>&1
"$GEN" --out "$T/gd" --sf 0.1 --seed 5 --as-of $ASOF --dirty 0.02 >/dev/null 2>&1
check "generated data" "[ -s '$T/g/households.csv' ] && [ -s '$T/gd/households.csv' ]"

# ---------------------------------------------------------------- 1. the same outputs
# configurations: environment (hooks), threads, limit
cat >"$T/configs" <<'EOF'
HEDUI_PART_BUCKETS=1|1|1G
HEDUI_PART_BUCKETS=2|2|1G
HEDUI_PART_BUCKETS=17:HEDUI_PART_BATCH_BUCKETS=1|2|1G
HEDUI_PART_BUCKETS=255:HEDUI_PART_BATCH_BUCKETS=4:HEDUI_CHUNK_BYTES=65536|1|1G
HEDUI_PART_BUCKETS=40:HEDUI_PART_BATCH_BUCKETS=3:HEDUI_CHUNK_BYTES=4096|2|1G
-|2|2G
EOF
for ds in fixtures g gd; do
    if [ $ds = fixtures ]; then D="$ROOT/fixtures"; SEED=20260615; else D="$T/$ds"; SEED=1; fi
    run "$D" "$T/ref-$ds" $SEED --threads 2 2>/dev/null
    check "$ds: the run in memory exits 0" '[ $? -eq 0 ]'
    while IFS='|' read -r envs thr lim; do
        rm -rf "$T/x"
        ( [ "$envs" = - ] || { IFS=:; for v in $envs; do export "$v"; done; }
          run "$D" "$T/x" $SEED --threads $thr --memory-limit $lim 2>"$T/err" )
        rc=$?
        label="$ds [$envs, $thr threads, $lim]"
        check "$label: exits 0 ($(head -c 300 "$T/err"))" "[ $rc -eq 0 ]"
        same "$T/ref-$ds" "$T/x" "$label"
    done <"$T/configs"
done

# ---------------------------------------------------------------- 1b. local packs
# the rules language judges every run (section 1: the reference policy);
# two local packs (their own rules and parameters, huaiyuan its own rule)
# give the same outputs under the limit, and the manifest (compared above,
# and here) names the pack and its policy hash as in memory
for pk in sixian huaiyuan; do
    ro="--rules $ROOT/rules/packs/$pk"
    run "$T/gd" "$T/$pk-mem" 1 --threads 2 $ro 2>/dev/null
    check "$pk: the run in memory exits 0" '[ $? -eq 0 ]'
    rm -rf "$T/x"
    HEDUI_PART_BUCKETS=40 HEDUI_PART_BATCH_BUCKETS=3 \
        run "$T/gd" "$T/x" 1 --threads 2 --memory-limit 1G $ro 2>"$T/err"
    check "$pk under --memory-limit: exits 0 ($(head -c 300 "$T/err"))" '[ $? -eq 0 ]'
    same "$T/$pk-mem" "$T/x" "$pk under --memory-limit"
    check "$pk under --memory-limit: the manifest names the pack and its policy hash" \
        "grep -q '\"pack\": \"$pk\", \"policy_hash\": \"[0-9a-f]\{16\}\"' '$T/x/manifest.json'"
    check "the pack $pk's flags are its own (not the reference's)" \
        "! cmp -s '$T/ref-gd/flags.csv' '$T/$pk-mem/flags.csv'"
done

# ---------------------------------------------------------------- 2. the limit
# too small: refused before any work, naming a limit; that limit works,
# with the same outputs and a peak (the manifest's) under it
rm -rf "$T/x"
run "$T/gd" "$T/x" 1 --memory-limit 1M 2>"$T/err"
check "a limit too small exits 2" '[ $? -eq 2 ]'
check "the refusal names a limit that would do" \
    "grep -q 'memory-limit 1M is too small for these inputs.*give --memory-limit [0-9.]*[MG] or more' '$T/err'"
check "nothing is left in --out after a refusal" "[ -z \"\$(ls -A '$T/x' 2>/dev/null | grep -v hedui.lock)\" ]"
LEAST=$(sed -n 's/.*give --memory-limit \([0-9.]*[MG]\) or more.*/\1/p' "$T/err")
case "$HEDUI" in */build/asan/*|*/build/fault/*)
    # a sanitizer's shadow memory is outside the model: refused later
    echo "partition: $HEDUI is a sanitizer build: the least limit and the peak not checked" >&2
    LEAST=2G ;;
esac
rm -rf "$T/x"
run "$T/gd" "$T/x" 1 --memory-limit "$LEAST" 2>"$T/err"
check "the limit named ($LEAST) works ($(head -c 300 "$T/err"))" '[ $? -eq 0 ]'
same "$T/ref-gd" "$T/x" "at the least limit $LEAST"
case "$LEAST" in *G) LIM_KB=$(echo "$LEAST" | sed 's/G//' | awk '{ printf "%d", $1 * 1048576 }') ;;
                 *M) LIM_KB=$(( ${LEAST%M} * 1024 )) ;; esac
PEAK=$(sed -n 's/.*"peak_rss_kb": \([0-9]*\).*/\1/p' "$T/x/manifest.json")
case "$HEDUI" in */build/asan/*|*/build/fault/*) ;; *)
check "peak memory ${PEAK} kB under the limit ${LIM_KB} kB" "[ '${PEAK:-0}' -gt 0 ] && [ '$PEAK' -le '$LIM_KB' ]" ;;
esac
"$HEDUI" run -q --data "$T/g" --out "$T/x" --memory-limit 4Q 2>"$T/err"
check "a size that is no size exits 2" '[ $? -eq 2 ] && grep -q "is not a size" "$T/err"'
"$HEDUI" run -q --pg '' --memory-limit 1G 2>"$T/err"
check "--memory-limit with --pg exits 2" '[ $? -eq 2 ]'

# ---------------------------------------------------------------- 3. auditors' outputs
# two runs with --state: changes.csv and the change columns as in memory
for m in mem part; do
    lim=""; [ $m = part ] && lim="--memory-limit 1G"
    run "$T/g" "$T/st-$m-1" 1 --state "$T/state-$m" $lim 2>/dev/null
    HEDUI_PART_BUCKETS=9 run "$T/gd" "$T/st-$m-2" 1 --state "$T/state-$m" $lim 2>/dev/null
done
same "$T/st-mem-2" "$T/st-part-2" "--state, second run"
check "changes.csv written" "[ -s '$T/st-part-2/changes.csv' ]"
check "the state's findings are the same" "cmp -s '$T/state-mem/findings.csv' '$T/state-part/findings.csv'"

# ---------------------------------------------------------------- 4. runs that stop
# the reject limit: the same message and rejects-stopped.csv
mkdir -p "$T/rules"
cp -r "$ROOT/rules/." "$T/rules/"
sed -i 's/^reject_limit = .*/reject_limit = 0.1%/' "$T/rules/policy.rules"
for m in mem part; do
    lim=""; [ $m = part ] && lim="--memory-limit 1G"
    HEDUI_PART_BUCKETS=5 run "$T/gd" "$T/rj-$m" 1 --rules "$T/rules" $lim 2>"$T/rj-$m.err"
    echo $? >"$T/rj-$m.rc"
done
check "over the reject limit: exit 1 both ways" "[ \$(cat '$T/rj-mem.rc') = 1 ] && [ \$(cat '$T/rj-part.rc') = 1 ]"
sed "s|$T/rj-mem|OUT|" "$T/rj-mem.err" >"$T/rj-mem.msg"
sed "s|$T/rj-part|OUT|" "$T/rj-part.err" >"$T/rj-part.msg"
check "over the reject limit: the same message" "cmp -s '$T/rj-mem.msg' '$T/rj-part.msg'"
check "over the reject limit: the same rejects-stopped.csv" \
    "cmp -s '$T/rj-mem/rejects-stopped.csv' '$T/rj-part/rejects-stopped.csv'"
check "over the reject limit: no temporary files left" "[ -z \"\$(ls -A '$T/rj-part' | grep hedui-tmp)\" ]"
# a member repeated within a household (normalise.c's merge rule, found
# on the compact list before the plan) alone over the limit
mkdir -p "$T/rep"
cp "$ROOT/fixtures"/*.csv "$T/rep/"
awk 'NR > 1 && NR < 40' "$ROOT/fixtures/members.csv" >>"$T/rep/members.csv"
for m in mem part; do
    lim=""; [ $m = part ] && lim="--memory-limit 1G"
    run "$T/rep" "$T/rp-$m" 20260615 $lim 2>"$T/rp-$m.err"
    echo $? >"$T/rp-$m.rc"
done
check "member repeats over the limit: exit 1 both ways" "[ \$(cat '$T/rp-mem.rc') = 1 ] && [ \$(cat '$T/rp-part.rc') = 1 ]"
sed "s|$T/rp-mem|OUT|" "$T/rp-mem.err" >"$T/rp-mem.msg"
sed "s|$T/rp-part|OUT|" "$T/rp-part.err" >"$T/rp-part.msg"
check "member repeats over the limit: the same message" "cmp -s '$T/rp-mem.msg' '$T/rp-part.msg'"
check "member repeats over the limit: the message names members.csv" "grep -q 'members.csv:' '$T/rp-part.msg'"
check "member repeats over the limit: the same rejects-stopped.csv" \
    "cmp -s '$T/rp-mem/rejects-stopped.csv' '$T/rp-part/rejects-stopped.csv'"
# a feed short of a month of the income window (feedcheck.h): same stop
mkdir -p "$T/si"
cp "$ROOT/fixtures"/*.csv "$T/si/"
grep -v ',2026-03,' "$ROOT/fixtures/social_insurance.csv" >"$T/si/social_insurance.csv"
for m in mem part; do
    lim=""; [ $m = part ] && lim="--memory-limit 1G"
    run "$T/si" "$T/si-$m" 20260615 $lim 2>"$T/si-$m.err"
    echo $? >"$T/si-$m.rc"
done
check "a month missing from social_insurance.csv: exit 1 both ways" \
    "[ \$(cat '$T/si-mem.rc') = 1 ] && [ \$(cat '$T/si-part.rc') = 1 ]"
check "a month missing from social_insurance.csv: the same message" "cmp -s '$T/si-mem.err' '$T/si-part.err'"
check "a month missing: no temporary files left" "[ -z \"\$(ls -A '$T/si-part' | grep hedui-tmp)\" ]"
# a missing required feed
mkdir -p "$T/nh"
cp "$ROOT/fixtures"/*.csv "$T/nh/"
rm "$T/nh/property.csv"
run "$T/nh" "$T/nh-out" 20260615 --memory-limit 1G 2>"$T/err"
check "property.csv missing: exit 3" '[ $? -eq 3 ] && grep -q "required input property.csv is missing" "$T/err"'
check "property.csv missing: no temporary files left" "[ -z \"\$(ls -A '$T/nh-out' | grep hedui-tmp)\" ]"

# ---------------------------------------------------------------- 5. the temporary files
# while the run waits (test hook): a directory of its own inside --out,
# mode 0700, its files 0600; killed there, the next run removes them
rm -rf "$T/k"
HEDUI_TEST_PART_PAUSE=30 "$HEDUI" run -q --data "$T/g" --out "$T/k" --as-of $ASOF --memory-limit 1G \
    2>/dev/null &
pid=$!
i=0
while [ $i -lt 200 ] && [ -z "$(ls "$T/k"/.hedui-tmp-spill-*/b.0 2>/dev/null)" ]; do
    sleep 0.1; i=$((i + 1))
done
sleep 0.5
SP=$(ls -d "$T/k"/.hedui-tmp-spill-* 2>/dev/null | head -1)
check "the temporary directory is inside --out" "[ -n '$SP' ] && [ -d '$SP' ]"
check "the temporary directory is mode 0700" "[ \"\$(stat -c %a '$SP')\" = 700 ]"
check "the temporary files are mode 0600" \
    "[ -n \"\$(ls '$SP')\" ] && [ -z \"\$(find '$SP' -type f ! -perm 600)\" ]"
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check "killed, the run leaves its temporary directory" "[ -d '$SP' ]"
run "$T/g" "$T/k" 1 --memory-limit 1G 2>/dev/null
check "the next run succeeds" '[ $? -eq 0 ]'
check "the next run removed the killed run's temporary files" "[ ! -d '$SP' ]"
check "and leaves none of its own" "[ -z \"\$(ls -A '$T/k' | grep hedui-tmp)\" ]"

# ---------------------------------------------------------------- 6. out of memory
# with the fault build (make fault builds it; tests/fault.sh): an allocation
# failing at each of the first 150 points, then every 29th, ends cleanly
# (exit 0 or 7 with its message), leaves no temporary files and the
# previous run published
FH=${PART_FAULT_HEDUI:-$ROOT/build/fault/hedui}
if [ -x "$FH" ]; then
    run "$ROOT/fixtures" "$T/oref" 20260615 2>/dev/null
    cp -r "$T/oref" "$T/oom"
    n=$(HEDUI_FAULT_REPORT=1 HEDUI_PART_BUCKETS=3 HEDUI_PART_BATCH_BUCKETS=1 "$FH" run -q \
        --data "$ROOT/fixtures" --out "$T/ocount" --as-of $ASOF --seed 20260615 \
        --memory-limit 1G 2>&1 | sed -n 's/^faultinj: \([0-9]*\) allocations$/\1/p')
    check "the fault build counts allocations under --memory-limit" "[ -n '$n' ] && [ '$n' -gt 100 ]"
    k=1 runs=0 oom_bad=0
    while [ "$k" -le "${n:-0}" ]; do
        HEDUI_FAIL_ALLOC=$k HEDUI_PART_BUCKETS=3 HEDUI_PART_BATCH_BUCKETS=1 "$FH" run -q \
            --data "$ROOT/fixtures" --out "$T/oom" --as-of $ASOF --seed 20260615 \
            --memory-limit 1G >/dev/null 2>"$T/oom.err"
        rc=$?
        runs=$((runs + 1))
        if [ $rc -eq 7 ]; then
            grep -q '^hedui: out of memory while ' "$T/oom.err" || {
                oom_bad=$((oom_bad + 1)); echo "partition: k=$k: exit 7 without its message" >&2; }
        elif [ $rc -ne 0 ]; then
            oom_bad=$((oom_bad + 1)); echo "partition: k=$k: exit $rc: $(head -c 300 "$T/oom.err")" >&2
        fi
        if [ -n "$(ls -A "$T/oom" | grep hedui-tmp)" ]; then
            oom_bad=$((oom_bad + 1)); echo "partition: k=$k: temporary files left" >&2
        fi
        cmp -s "$T/oom/flags.csv" "$T/oref/flags.csv" || {
            oom_bad=$((oom_bad + 1)); echo "partition: k=$k: flags.csv changed" >&2; }
        if [ $k -lt 150 ]; then k=$((k + 1)); else k=$((k + 29)); fi
    done
    check "out of memory at $runs allocation points under --memory-limit ends cleanly" "[ $oom_bad -eq 0 ]"
else
    echo "partition: no fault build at $FH (make fault builds one): out-of-memory loop skipped" >&2
fi

echo "partition: $pass passed, $fail failed"
[ $fail -eq 0 ]
