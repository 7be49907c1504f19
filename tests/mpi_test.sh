#!/bin/sh
# mpi_test.sh - `make mpi-test`: hedui-mpi under `mpirun --oversubscribe
# -np 1..4` gives the outputs of `hedui run`, byte for byte; a rank that
# fails or dies fails the run with nothing published.
#
# Usage: tests/mpi_test.sh PATH/TO/hedui-mpi PATH/TO/hedui
# Data: fixtures/ (and copies with a stray quote before a quoted newline,
# an undecodable byte), bench/gen.c at SF 0.1 clean and --dirty 0.02, and
# SF 0.02 with GB18030 feeds.  Test hooks: HEDUI_MPI_PIECE_BYTES (pieces
# of a rank's range, mpiread.h: many pieces of a small file),
# HEDUI_TEST_MPI_FAIL / HEDUI_TEST_MPI_KILL ("RANK:STEP", mpirun.c).
# Compared: flags, review_queue, spotcheck, rejects, fingerprints (and
# changes with --state); manifest.json and report.html but timings.
set -u
MPI=${1:?usage: mpi_test.sh PATH/TO/hedui-mpi PATH/TO/hedui}
HEDUI=${2:?usage: mpi_test.sh PATH/TO/hedui-mpi PATH/TO/hedui}
case "$MPI" in /*) ;; *) MPI="$(pwd)/$MPI" ;; esac
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-mpi.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${MPI_TEST_VERBOSE:-}" ] && echo "mpi: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "mpi: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ASOF=2026-06-15
ROOTOPT=""
[ "$(id -u)" -eq 0 ] && ROOTOPT="--allow-run-as-root"
# an ASan build (make asan-check): what Open MPI allocates in MPI_Init and
# keeps is not hedui's leak (tests/lsan-openmpi.supp; whole stacks, and the
# components kept loaded so that their frames have names)
case "$MPI" in */build/asan/*|*/build/fault/*)
    export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan-openmpi.supp:fast_unwind_on_malloc=0:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export OMPI_MCA_mca_base_component_disable_dlclose=1 ;;
esac
# one node, no network: shared memory and self only (mpirun reads stdin: not ours)
mpi() { np=$1; shift; mpirun $ROOTOPT --oversubscribe --mca btl self,vader -np "$np" "$MPI" "$@" </dev/null; }

same() {
    for f in flags review_queue spotcheck rejects fingerprints changes; do
        [ -f "$1/$f.csv" ] || [ -f "$2/$f.csv" ] || continue
        check "$3: $f.csv as hedui run" "cmp -s '$1/$f.csv' '$2/$f.csv'"
    done
    grep -v '"timings"' "$1/manifest.json" >"$T/m.ref" 2>/dev/null
    grep -v '"timings"' "$2/manifest.json" >"$T/m.new" 2>/dev/null
    check "$3: manifest.json as hedui run (but timings)" "[ -s '$T/m.new' ] && cmp -s '$T/m.ref' '$T/m.new'"
    grep -v 'timings&quot;' "$1/report.html" >"$T/r.ref" 2>/dev/null
    grep -v 'timings&quot;' "$2/report.html" >"$T/r.new" 2>/dev/null
    check "$3: report.html as hedui run (but timings)" "[ -s '$T/r.new' ] && cmp -s '$T/r.ref' '$T/r.new'"
}

# ---------------------------------------------------------------- data
GEN="$ROOT/build/bench/gen"
if [ ! -x "$GEN" ]; then
    GEN="$T/gen"
    ${CC:-cc} -std=gnu11 -O2 -o "$GEN" "$ROOT/bench/gen.c" 2>"$T/gen.err" || {
        echo "mpi: cannot build bench/gen.c: $(cat "$T/gen.err")" >&2
        echo "mpi: 0 passed, 1 failed"; exit 1; }
fi
"$GEN" --out "$T/g" --sf 0.1 --seed 5 --as-of $ASOF >/dev/null 2>&1
"$GEN" --out "$T/gd" --sf 0.1 --seed 5 --as-of $ASOF --dirty 0.02 >/dev/null 2>&1
"$GEN" --out "$T/gb" --sf 0.02 --seed 3 --as-of $ASOF --dirty 0.02 \
    --gb18030 hukou.csv,business.csv >/dev/null 2>&1
check "generated data" "[ -s '$T/g/households.csv' ] && [ -s '$T/gd/households.csv' ] && [ -s '$T/gb/hukou.csv' ]"
# a lenient copy of the rules (the hand-made files below are small)
mkdir -p "$T/rules"
cp -r "$ROOT/rules/." "$T/rules/"
sed -i 's/^reject_limit = .*/reject_limit = 50%/' "$T/rules/policy.rules"
# a stray quote (a reject that upsets the quote parity) before a quoted newline
mkdir -p "$T/sq"
cp "$ROOT/fixtures"/*.csv "$T/sq/"
{ head -2 "$ROOT/fixtures/business.csv"
  echo '610102197202141017,碑林"区餐饮,legal_rep,100.00,active'
  sed -n '3,6p' "$ROOT/fixtures/business.csv"
  printf '610102197202141017,"多行\n名称, 有限公司",shareholder,100.00,active\n'
  tail -n +7 "$ROOT/fixtures/business.csv"; } >"$T/sq/business.csv"
# an undecodable byte late in a file (the reject quotes its line)
mkdir -p "$T/be"
cp "$ROOT/fixtures"/*.csv "$T/be/"
awk 'NR == 40 { sub(/,/, ",\377") } { print }' "$ROOT/fixtures/vehicles.csv" >"$T/be/vehicles.csv"

# ---------------------------------------------------------------- 1. the same outputs
# dataset|seed|extra options|np list|environment (of both runs); the last
# two are judged by local packs (their name and policy hash in the manifest,
# their severities in report.html, as hedui run's)
cat >"$T/cases" <<EOF
$ROOT/fixtures|20260615||1 2 3 4|-
$ROOT/fixtures|20260615|--threads 1|2 4|HEDUI_MPI_PIECE_BYTES=200
$T/g|1||1 2 4|-
$T/gd|1||1 3|-
$T/gd|1|--threads 1|2 4|HEDUI_MPI_PIECE_BYTES=300000
$T/gb|1||2 3|HEDUI_MPI_PIECE_BYTES=100000
$T/sq|20260615|--rules $T/rules|1 2 4|HEDUI_MPI_PIECE_BYTES=40
$T/be|20260615|--rules $T/rules|1 3|HEDUI_MPI_PIECE_BYTES=300
$T/gd|1|--rules $ROOT/rules/packs/sixian|2 4|-
$T/gd|1|--rules $ROOT/rules/packs/huaiyuan|1 3|-
EOF
n=0
while IFS='|' read -r D SEED EXTRA NPS ENVS; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    ( [ "$ENVS" = - ] || export "$ENVS"   # (the MPI hooks mean nothing to hedui run)
      "$HEDUI" run -q --data "$D" --out "$T/ref$n" --as-of $ASOF --seed "$SEED" $EXTRA 2>/dev/null )
    check "case $n ($(basename "$D")): hedui run exits 0" '[ $? -eq 0 ]'
    for np in $NPS; do
        rm -rf "$T/x"
        # shellcheck disable=SC2086
        ( [ "$ENVS" = - ] || export "$ENVS"
          mpi "$np" run -q --data "$D" --out "$T/x" --as-of $ASOF --seed "$SEED" $EXTRA \
              >"$T/err" 2>&1 )
        rc=$?
        label="$(basename "$D") $EXTRA -np $np [$ENVS]"
        check "$label: exits 0 ($(grep -v 'no standard' "$T/err" | head -c 300))" "[ $rc -eq 0 ]"
        same "$T/ref$n" "$T/x" "$label"
    done
done <"$T/cases"

# ---------------------------------------------------------------- 2. the auditors' state
"$HEDUI" run -q --data "$T/g" --out "$T/sa1" --as-of $ASOF --seed 1 --state "$T/state-a" 2>/dev/null
"$HEDUI" run -q --data "$T/gd" --out "$T/sa2" --as-of $ASOF --seed 1 --state "$T/state-a" 2>/dev/null
mpi 2 run -q --data "$T/g" --out "$T/sb1" --as-of $ASOF --seed 1 --state "$T/state-b" 2>/dev/null
mpi 3 run -q --data "$T/gd" --out "$T/sb2" --as-of $ASOF --seed 1 --state "$T/state-b" 2>/dev/null
same "$T/sa2" "$T/sb2" "--state, second run, -np 3"
check "--state: changes.csv written" "[ -s '$T/sb2/changes.csv' ]"
check "--state: the same findings" "cmp -s '$T/state-a/findings.csv' '$T/state-b/findings.csv'"

# ---------------------------------------------------------------- 3. runs that stop
# over the reject limit (the stray quote): the same exit, message and rejects
"$HEDUI" run -q --data "$T/sq" --out "$T/rj1" --as-of $ASOF 2>"$T/rj1.err"
echo $? >"$T/rj1.rc"
HEDUI_MPI_PIECE_BYTES=40 mpi 2 run -q --data "$T/sq" --out "$T/rj2" --as-of $ASOF 2>"$T/rj2.err"
echo $? >"$T/rj2.rc"
check "over the reject limit: exit 1 both ways" "[ \$(cat '$T/rj1.rc') = 1 ] && [ \$(cat '$T/rj2.rc') = 1 ]"
sed "s|$T/rj1|OUT|" "$T/rj1.err" >"$T/rj1.msg"
grep '^hedui:' "$T/rj2.err" | sed "s|$T/rj2|OUT|" >"$T/rj2.msg"
check "over the reject limit: the same message" "cmp -s '$T/rj1.msg' '$T/rj2.msg'"
check "over the reject limit: the same rejects-stopped.csv" \
    "cmp -s '$T/rj1/rejects-stopped.csv' '$T/rj2/rejects-stopped.csv'"
# a missing required feed
mkdir -p "$T/nh"
cp "$ROOT/fixtures"/*.csv "$T/nh/"
rm "$T/nh/property.csv"
mpi 3 run -q --data "$T/nh" --out "$T/nh-out" --as-of $ASOF 2>"$T/err"
check "property.csv missing: exit 3 with a run's message" \
    '[ $? -eq 3 ] && grep -q "required input property.csv is missing" "$T/err"'
check "the message is printed once" "[ \$(grep -c 'required input' '$T/err') -eq 1 ]"
# usage
mpi 2 run -q --data "$T/g" --out "$T/u" --memory-limit 1G 2>"$T/err"
check "--memory-limit refused: exit 2" '[ $? -eq 2 ] && grep -q "memory-limit is for hedui run" "$T/err"'
mpi 2 review list --state "$T/state-a" 2>"$T/err"
check "a command other than run refused: exit 2" '[ $? -eq 2 ]'

# ---------------------------------------------------------------- 4. a rank that fails
# the previous run stays published; nothing of the failed run is
"$HEDUI" run -q --data "$ROOT/fixtures" --out "$T/f" --as-of $ASOF 2>/dev/null
cp "$T/f/manifest.json" "$T/f.manifest"
cp "$T/f/flags.csv" "$T/f.flags"
for h in HEDUI_TEST_MPI_FAIL=1:judge HEDUI_TEST_MPI_FAIL=2:hukou.csv HEDUI_TEST_MPI_FAIL=1:plan \
         HEDUI_TEST_MPI_KILL=1:members.csv HEDUI_TEST_MPI_KILL=2:gather; do
    ( export "$h"; mpi 3 run -q --data "$T/g" --out "$T/f" --as-of $ASOF >"$T/err" 2>&1 )
    rc=$?
    check "$h: the run fails (exit $rc)" "[ $rc -ne 0 ]"
    check "$h: the previous run stays published" \
        "cmp -s '$T/f.manifest' '$T/f/manifest.json' && cmp -s '$T/f.flags' '$T/f/flags.csv'"
    case $h in *FAIL*)
        check "$h: rank 0 names the failing rank" "grep -q 'test hook: rank ${h#*=}' '$T/err' || grep -q 'test hook: rank' '$T/err'" ;;
    esac
done
rm -rf "$T/x"
mpi 2 run -q --data "$T/g" --out "$T/f" --as-of $ASOF 2>/dev/null
check "after the failures, a run publishes" '[ $? -eq 0 ] && ! cmp -s "$T/f.flags" "$T/f/flags.csv"'

echo "mpi: $pass passed, $fail failed"
[ $fail -eq 0 ]
