#!/bin/sh
# fault.sh - the run under faults, as SQLite tests: out of memory at every
# allocation, a full disk, a failing fsync, kill -9 at many moments.
#
# Usage: tests/fault.sh FAULT_BUILD_HEDUI RELEASE_HEDUI
# Invariants checked: the exit status is the documented one and the message
# says what failed and where; the output directory always holds the previous
# complete run or the new complete run, never a mix or a partial list; no
# temporary directory is left; under the fault (ASan) build, no leak.
set -u
FHEDUI=${1:?usage: fault.sh FAULT_HEDUI RELEASE_HEDUI}
HEDUI=${2:?usage: fault.sh FAULT_HEDUI RELEASE_HEDUI}
case "$FHEDUI" in /*) ;; *) FHEDUI="$(pwd)/$FHEDUI" ;; esac
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-fault.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "fault: FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
FX="$ROOT/fixtures"
ASOF=2026-06-15
SEED=20260615
LISTS="flags.csv review_queue.csv spotcheck.csv rejects.csv"
same_run() { # same_run DIR REFDIR: the four lists are byte-identical
    for f in $LISTS; do cmp -s "$1/$f" "$2/$f" || return 1; done
    [ -s "$1/manifest.json" ]
}

# ---- 1. out of memory at allocation k (fault build: ASan + counters) ----
"$HEDUI" run -q --data "$FX" --out "$T/ref" --as-of $ASOF --seed $SEED
n=$(HEDUI_FAULT_REPORT=1 "$FHEDUI" run -q --data "$FX" --out "$T/count" --as-of $ASOF \
    --seed $SEED 2>&1 | sed -n 's/^faultinj: \([0-9]*\) allocations$/\1/p')
check "the fault build counts allocations" "[ -n '$n' ] && [ '$n' -gt 100 ]"
cp -r "$T/ref" "$T/oom"
k=1 runs=0 oom_bad=0
while [ "$k" -le "${n:-0}" ]; do
    HEDUI_FAIL_ALLOC=$k "$FHEDUI" run -q --data "$FX" --out "$T/oom" --as-of $ASOF \
        --seed $SEED >"$T/oom.out" 2>"$T/oom.err"
    rc=$?
    runs=$((runs + 1))
    if [ $rc -eq 7 ]; then
        grep -q '^hedui: out of memory while ' "$T/oom.err" ||
            { oom_bad=$((oom_bad + 1)); echo "fault: k=$k: exit 7 without 'out of memory while'" >&2; }
    elif [ $rc -ne 0 ]; then
        oom_bad=$((oom_bad + 1))
        echo "fault: k=$k: exit $rc: $(head -c 300 "$T/oom.err")" >&2
    fi
    same_run "$T/oom" "$T/ref" ||
        { oom_bad=$((oom_bad + 1)); echo "fault: k=$k: output directory changed" >&2; }
    # every allocation of the first 300, then every 3rd
    if [ $k -lt 300 ]; then k=$((k + 1)); else k=$((k + 3)); fi
done
check "out of memory at each of $runs allocation points ends cleanly (exit 7, message, no leak, outputs intact)" "[ $oom_bad -eq 0 ]"
HEDUI_FAIL_ALLOC=1 HEDUI_FAIL_PERSIST=1 "$FHEDUI" run -q --data "$FX" --out "$T/oom" \
    --as-of $ASOF --seed $SEED 2>"$T/oom.err"
check "persistent out of memory exits 7" '[ $? -eq 7 ]'
check "no temporary directory left after the OOM loop" \
    "[ -z \"\$(ls -A '$T' '$T/oom' | grep 'hedui-tmp\|hedui-publish')\" ]"

# ---- 2. full disk and failing fsync (LD_PRELOAD shim) ----
SHIM="$T/faultio.so"
cc -shared -fPIC -O1 -o "$SHIM" "$ROOT/tests/faultio.c" -ldl
check "the I/O fault shim builds" "[ -f '$SHIM' ]"
# io_fault LABEL RC MESSAGE VAR=VALUE: a run under the shim with VAR=VALUE
# exits RC, says MESSAGE (a grep pattern) on stderr and leaves the previous
# run intact
io_fault() {
    label=$1 rc_want=$2 msg=$3
    shift 3
    cp -r "$T/ref" "$T/iof"
    env LD_PRELOAD="$SHIM" "$@" "$HEDUI" run -q --data "$FX" --out "$T/iof" \
        --as-of $ASOF --seed 7 2>"$T/iof.err"
    rc=$?
    check "$label exits $rc_want" "[ $rc -eq $rc_want ]"
    check "$label: the message says $msg" "grep -q '$msg' '$T/iof.err'"
    check "$label leaves the previous run intact" "same_run '$T/iof' '$T/ref'"
    check "$label leaves no temporary directory in --out" \
        "[ -z \"\$(ls -A '$T/iof' | grep 'hedui-tmp\|hedui-publish')\" ]"
    rm -rf "$T/iof"
}
for f in flags.csv rejects.csv manifest.json; do
    io_fault "disk full while writing $f" 6 "$f: No space left on device" HEDUI_FAULT_FULL=$f
done
for k in 1 3 5; do
    io_fault "EIO on fsync #$k" 6 "Input/output error" HEDUI_FAULT_FSYNC_EIO=$k
done
# the fixtures' preads: #1-#3 the single reads of households, members and
# hukou.csv (not UTF-8: read again the classic way), #4-#5 its classic
# checksum and prescan (in either order), #6 the single read of vehicles.csv
for k in 1 2 3 4 5 6; do
    io_fault "EIO on reading an input (pread #$k: a single read, or a classic checksum or prescan)" 3 \
        "cannot read $FX/[a-z_]*[.]csv: Input/output error" HEDUI_FAULT_PREAD_EIO=$k
done
check "no temporary directory left after I/O faults" "[ -z \"\$(ls -A '$T' | grep hedui-tmp)\" ]"

# ---- 3. kill -9 at many moments: the previous run or the new one ----
make -s -C "$ROOT/bench" >/dev/null 2>&1
GEN="$ROOT/build/bench/gen"
if [ -x "$GEN" ]; then
    "$GEN" --out "$T/data" --sf 0.01 --seed 5 --dirty 0.005 >/dev/null 2>&1
    "$HEDUI" run -q --data "$T/data" --out "$T/A" --as-of 2026-06-15 --seed 1
    "$HEDUI" run -q --data "$T/data" --out "$T/B" --as-of 2026-06-16 --seed 2
    check "runs A and B differ (so a mix would show)" "! cmp -s '$T/A/spotcheck.csv' '$T/B/spotcheck.csv'"
    cp -r "$T/A" "$T/K"
    # A kill inside the publish (outdir.h steps 3-5) leaves no manifest and
    # .hedui-publish: no complete run for a reader, and the next run into
    # the directory completes that publish first (here: a run killed at
    # its own first publish step, so what it finds is what is checked)
    mixed=0 seen_a=0 seen_b=0 seen_i=0
    for ms in 0 5 10 20 30 40 50 60 70 80 90 100 120 140 160 180 200 250 300 400; do
        "$HEDUI" run -q --data "$T/data" --out "$T/K" --as-of 2026-06-16 --seed 2 &
        pid=$!
        sleep "$(printf '0.%03d' "$ms")"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        if [ ! -e "$T/K/manifest.json" ] && [ -d "$T/K/.hedui-publish" ]; then
            seen_i=$((seen_i + 1))
            HEDUI_TEST_KILL_AT_STEP=1 "$HEDUI" run -q --data "$T/data" --out "$T/K" \
                --as-of 2026-06-15 --seed 1 2>/dev/null
            same_run "$T/K" "$T/B" ||
                { mixed=$((mixed + 1)); echo "fault: kill after ${ms} ms: not completed to B" >&2; }
        elif same_run "$T/K" "$T/A"; then seen_a=$((seen_a + 1));
        elif same_run "$T/K" "$T/B"; then seen_b=$((seen_b + 1));
        else mixed=$((mixed + 1)); echo "fault: kill after ${ms} ms left a mix" >&2; fi
        # back to A for the next round when B was published
        same_run "$T/K" "$T/B" && { rm -rf "$T/K"; cp -r "$T/A" "$T/K"; }
    done
    check "kill -9 at 20 moments never leaves a mix ($seen_a old, $seen_b new, $seen_i completed by the next run)" \
        "[ $mixed -eq 0 ]"
else
    bad "bench generator did not build; kill -9 loop not run"
fi

# ---- 4. a memory cap (ulimit -v): every cap ends cleanly ----
if [ -d "$T/data" ]; then
    "$HEDUI" run -q --data "$T/data" --out "$T/capref" --as-of 2026-06-15 --seed 1
    cap_bad=0 cap_oom=0
    for cap in 20000 30000 40000 45000 50000 55000 60000 80000 120000; do
        rm -rf "$T/cap"; cp -r "$T/capref" "$T/cap"
        ( ulimit -v $cap; exec "$HEDUI" run -q --data "$T/data" --out "$T/cap" \
            --as-of 2026-06-15 --seed 1 ) 2>"$T/cap.err"
        rc=$?
        if [ $rc -eq 7 ]; then
            cap_oom=$((cap_oom + 1))
            grep -Eq '^hedui: (out of memory while |cannot map .*Cannot allocate memory)' "$T/cap.err" ||
                { cap_bad=$((cap_bad + 1)); echo "fault: cap $cap KB: $(head -c 200 "$T/cap.err")" >&2; }
        elif [ $rc -ne 0 ]; then
            cap_bad=$((cap_bad + 1)); echo "fault: cap $cap KB: exit $rc: $(head -c 200 "$T/cap.err")" >&2
        fi
        same_run "$T/cap" "$T/capref" ||
            { cap_bad=$((cap_bad + 1)); echo "fault: cap $cap KB: outputs changed" >&2; }
    done
    check "under 9 memory caps the run finishes or exits 7 with a message ($cap_oom ran out)" \
        "[ $cap_bad -eq 0 ] && [ $cap_oom -gt 0 ]"
fi

# ---- 5. 100 pre-approval checks at once, while a nightly run and an
#         index rebuild go on: every check gives the same answer ----
if [ -d "$T/data" ]; then
    "$HEDUI" index build -q --data "$FX" --out "$T/snap.idx" --as-of $ASOF
    head -4 "$FX/households.csv" >"$T/chk_hh.csv"
    ids=$(tail -n +2 "$T/chk_hh.csv" | cut -d, -f1 | tr '\n' '|')
    { head -1 "$FX/members.csv"; grep -E "^(${ids%|})," "$FX/members.csv"; } >"$T/chk_mem.csv"
    "$HEDUI" check --index "$T/snap.idx" --households "$T/chk_hh.csv" --members "$T/chk_mem.csv" \
        --as-of $ASOF --json >"$T/chk_ref.json"
    "$HEDUI" run -q --data "$T/data" --out "$T/busy" --as-of 2026-06-15 --seed 1 &
    bpid=$!
    "$HEDUI" index build -q --data "$FX" --out "$T/snap.idx" --as-of $ASOF &
    ipid=$!
    i=0
    while [ $i -lt 100 ]; do
        ( "$HEDUI" check --index "$T/snap.idx" --households "$T/chk_hh.csv" \
            --members "$T/chk_mem.csv" --as-of $ASOF --json >"$T/chk_$i.json" 2>"$T/chk_$i.err";
          echo $? >"$T/chk_$i.rc" ) &
        i=$((i + 1))
    done
    wait
    conc_bad=0
    i=0
    while [ $i -lt 100 ]; do
        # the snapshot's build time may differ (rebuilt meanwhile); the findings may not
        [ "$(cat "$T/chk_$i.rc")" = 0 ] &&
            [ "$(sed 's/"built_unix":[0-9]*//' "$T/chk_$i.json")" = "$(sed 's/"built_unix":[0-9]*//' "$T/chk_ref.json")" ] ||
            { conc_bad=$((conc_bad + 1)); echo "fault: check $i: rc $(cat "$T/chk_$i.rc") $(head -c 200 "$T/chk_$i.err")" >&2; }
        i=$((i + 1))
    done
    check "100 concurrent checks during a run and a rebuild all agree" "[ $conc_bad -eq 0 ]"
    check "the nightly run beside them completed" "[ -s '$T/busy/manifest.json' ]"
fi

echo "fault: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
