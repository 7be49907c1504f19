#!/bin/sh
# policy_compare.sh - the gate of the rules language: the reference policy
# run by the VM (HEDUI_EVAL=lang) must publish the same lists as the
# hand-written evaluate.c, byte for byte.
#
# Usage: tests/policy_compare.sh PATH/TO/hedui [SF...]
#   Compares flags.csv (evidence included), fingerprints.csv,
#   review_queue.csv, spotcheck.csv, rejects.csv and manifest.json (but its
#   timings) on fixtures/ (as of 2026-06-15, a month end, 29 Feb) and on
#   bench/gen data at each SF given (default 0.01; clean and 1% dirty), the
#   VM at 1, 2 and 3 threads.  Prints the rules stage times of both
#   evaluators (manifest "evaluate_ms") and ends with
#   "policy_compare: N passed, M failed".
set -u
HEDUI=${1:?usage: policy_compare.sh PATH/TO/hedui [SF...]}
shift
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-pcmp.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
SFS=${*:-0.01}

ms() { sed -n 's/.*"evaluate_ms": \([0-9.]*\).*/\1/p' "$1"; }

compare() {   # compare DATA ASOF LABEL
    d=$1 a=$2 label=$3
    rm -rf "$T/c" "$T/l"
    if ! "$HEDUI" run -q --data "$d" --out "$T/c" --as-of "$a" --seed 7 --threads 2 2>"$T/err"; then
        echo "policy_compare: $label: the C run failed: $(cat "$T/err")" >&2
        fail=$((fail + 1))
        return
    fi
    for th in 1 2 3; do
        rm -rf "$T/l"
        if ! HEDUI_EVAL=lang "$HEDUI" run -q --data "$d" --out "$T/l" --as-of "$a" --seed 7 \
                --threads $th 2>"$T/err"; then
            echo "policy_compare: FAIL: $label: the lang run failed: $(cat "$T/err")" >&2
            fail=$((fail + 1))
            continue
        fi
        ok=1
        for f in flags fingerprints review_queue spotcheck rejects; do
            if ! cmp -s "$T/c/$f.csv" "$T/l/$f.csv"; then
                echo "policy_compare: FAIL: $label threads=$th: $f.csv differs" >&2
                ok=0
            fi
        done
        grep -v '"timings"' "$T/c/manifest.json" >"$T/m1"
        grep -v '"timings"' "$T/l/manifest.json" >"$T/m2"
        if ! cmp -s "$T/m1" "$T/m2"; then
            echo "policy_compare: FAIL: $label threads=$th: manifest.json differs" >&2
            ok=0
        fi
        if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    done
    echo "policy_compare: $label: $(($(wc -l <"$T/c/flags.csv") - 1)) flags;" \
         "rules stage C $(ms "$T/c/manifest.json") ms, lang $(ms "$T/l/manifest.json") ms (3 threads)"
}

for a in 2026-06-15 2026-06-30 2024-02-29; do
    compare "$ROOT/fixtures" $a "fixtures as of $a"
done
make -s -C "$ROOT/bench" >/dev/null || exit 2
for sf in $SFS; do
    "$ROOT/build/bench/gen" --out "$T/g$sf" --sf "$sf" --seed 1 --as-of 2026-06-15 --dirty 0 \
        >/dev/null 2>&1 || exit 2
    compare "$T/g$sf" 2026-06-15 "gen SF $sf clean"
    "$ROOT/build/bench/gen" --out "$T/d$sf" --sf "$sf" --seed 2 --as-of 2026-06-15 \
        --dirty 0.01 >/dev/null 2>&1 || exit 2
    compare "$T/d$sf" 2026-06-15 "gen SF $sf dirty"
    rm -rf "$T/g$sf" "$T/d$sf"
done
echo "policy_compare: $pass passed, $fail failed"
[ "$fail" = 0 ]
