#!/bin/sh
# bench_check.sh - speed and size of the pre-approval check (issue 5).
#
#   bench/bench_check.sh [DATA_DIR [SNAPSHOT]]
#
# DATA_DIR defaults to /tmp/sf1 (generated with build/bench/gen --sf 1
# --seed 1 when absent), SNAPSHOT to DATA_DIR.idx.  Measures:
#   - hedui index build: wall time, peak memory, snapshot size vs the CSVs;
#   - one household checked by a fresh process (open the snapshot, check,
#     print), 300 runs cycling over 100 households: wall and CPU time;
#   - a batch of 10,000 households in one process: wall and CPU per household;
#   - hedui index verify (every checksum);
# and checks that the batch's findings are the nightly run's (flags.csv of
# `hedui run` on the same data, line numbers of the given files aside).
# Run from the repository root after `make`.  Prints a report on stdout.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HEDUI="$ROOT/build/release/hedui"
DATA=${1:-/tmp/sf1}
IDX=${2:-$DATA.idx}
ASOF=2026-06-15
W=$(mktemp -d "${TMPDIR:-/tmp}/hedui-benchcheck.XXXXXX")
trap 'rm -rf "$W"' EXIT
BC="$ROOT/build/bench/bench_check"
mkdir -p "$ROOT/build/bench"
cc -std=gnu11 -O2 -Wall -Wextra -o "$BC" "$ROOT/bench/bench_check.c"
[ -x "$HEDUI" ] || { echo "bench_check: build hedui first (make)" >&2; exit 2; }
if [ ! -f "$DATA/households.csv" ]; then
    make -C "$ROOT/bench" >/dev/null
    "$ROOT/build/bench/gen" --out "$DATA" --sf 1 --seed 1 --as-of $ASOF
fi

echo "# hedui check benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
in_bytes=$(cat "$DATA"/*.csv | wc -c)
echo "data: $DATA, $(($(wc -l <"$DATA/households.csv") - 1)) households, $(($(wc -l <"$DATA/members.csv") - 1)) members, CSVs $in_bytes bytes"

echo
echo "## index build"
/usr/bin/time -f "wall %e s, cpu %U s user + %S s sys, peak %M KB" \
    "$HEDUI" index build -q --data "$DATA" --out "$IDX" --as-of $ASOF 2>"$W/time"
tail -1 "$W/time"
size=$(stat -c %s "$IDX")
echo "snapshot $IDX: $size bytes = $(awk -v a=$size -v b=$in_bytes 'BEGIN { printf "%.1f%%", 100 * a / b }') of the CSVs"
"$HEDUI" index info "$IDX" | sed -n '/^section/,/^$/p'

echo
echo "## index verify (every block and the body checksum)"
"$HEDUI" index verify "$IDX"

# inputs: 10,000 households (every 30th), and 100 single households
awk -F, 'NR == 1 || NR % 30 == 2' "$DATA/households.csv" >"$W/b-hh.csv"
awk -F, 'NR == FNR { if (FNR > 1) want[$1] = 1; next } FNR == 1 || ($1 in want)' \
    "$W/b-hh.csv" "$DATA/members.csv" >"$W/b-mem.csv"
i=0
for id in $(awk -F, 'NR > 1 && NR % 2999 == 5 { print $1 }' "$DATA/households.csv" | head -100); do
    mkdir -p "$W/one/$i"
    awk -F, -v id="$id" 'NR == 1 || $1 == id' "$DATA/households.csv" >"$W/one/$i/hh.csv"
    awk -F, -v id="$id" 'NR == 1 || $1 == id' "$DATA/members.csv" >"$W/one/$i/mem.csv"
    i=$((i + 1))
done

echo
echo "## one household, fresh process each time ($i households, 300 runs)"
echo "(hedui --version alone, i.e. process start with its shared libraries:)"
"$BC" 100 "$HEDUI" --version
echo "(hedui check:)"
BENCH_CYCLE=$i "$BC" 300 "$HEDUI" check --index "$IDX" --households "$W/one/{}/hh.csv" \
    --members "$W/one/{}/mem.csv" --as-of $ASOF
"$HEDUI" check --index "$IDX" --households "$W/one/0/hh.csv" --members "$W/one/0/mem.csv" \
    --as-of $ASOF --timing 2>&1 >/dev/null | sed 's/^hedui: /inside the process: /'

echo
echo "## batch of $(($(wc -l <"$W/b-hh.csv") - 1)) households ($(($(wc -l <"$W/b-mem.csv") - 1)) members), one process, 5 runs"
"$BC" 5 "$HEDUI" check --index "$IDX" --households "$W/b-hh.csv" --members "$W/b-mem.csv" \
    --as-of $ASOF --csv | tee "$W/batch.txt"
"$HEDUI" check --index "$IDX" --households "$W/b-hh.csv" --members "$W/b-mem.csv" \
    --as-of $ASOF --csv --timing 2>&1 >/dev/null | sed 's/^hedui: /inside the process: /'
nb=$(($(wc -l <"$W/b-hh.csv") - 1))
awk -v n=$nb '/^wall/ { w = $7 } /^cpu/ { c = $7 } END { printf "per household: wall %.1f us, cpu %.1f us (medians)\n", w * 1000 / n, c * 1000 / n }' "$W/batch.txt"

echo
echo "## same findings as the nightly run"
RUN="$DATA.run"
if [ ! -f "$RUN/flags.csv" ] || [ "$RUN/flags.csv" -ot "$HEDUI" ]; then
    "$HEDUI" run -q --data "$DATA" --out "$RUN" --as-of $ASOF
fi
mask() { sed -E -e 's/(households|members) line [0-9]+/\1 line N/g' \
                -e 's/\(line [0-9]+\) differs/(line N) differs/g' "$@"; }
"$HEDUI" check --index "$IDX" --households "$W/b-hh.csv" --members "$W/b-mem.csv" \
    --as-of $ASOF --csv | mask >"$W/got"
awk -F, 'NR == FNR { if (FNR > 1) want[$1] = 1; next } FNR == 1 || ($4 in want)' \
    "$W/b-hh.csv" "$RUN/flags.csv" | mask >"$W/want"
if cmp -s "$W/got" "$W/want"; then
    echo "batch: $(($(wc -l <"$W/got") - 1)) flags, identical to the run's flags.csv rows of these households"
else
    echo "batch: DIFFERENT from the run's flags.csv:"
    diff "$W/want" "$W/got" | head -20
    exit 1
fi
