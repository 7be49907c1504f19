#!/bin/sh
# fuzz.sh - build the libFuzzer targets, replay their regressions and seed
# corpora, then fuzz each for a while.
#
# Usage: tests/fuzz.sh [target...]        (default: every tests/fuzz/*.c)
#   FUZZ_SECONDS  seconds of fuzzing per target (default 120; `make check`
#                 passes 20); 0 only builds and replays
#   FUZZ_CC       the compiler (default clang; needs libclang-rt-14-dev and
#                 libomp-14-dev: `sh tests/install-deps.sh fuzz`)
#
# Targets are built with -fsanitize=fuzzer,address,undefined into
# build/fuzz/.  Every file in tests/fuzz/regressions/<target>/ (crashes found
# earlier, kept as tests) and tests/fuzz/corpus/<target>/ (seeds) must run
# clean.  Fuzzing grows a working corpus in build/fuzz/corpus/<target>/ (not
# committed); a crash, leak, timeout or broken invariant is copied into
# tests/fuzz/regressions/<target>/ and the command to reproduce it printed.
# Ends with "fuzz: N passed, M failed" (one count per target) and exits 1 if
# anything failed.
set -u

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
CC=${FUZZ_CC:-clang}
SECS=${FUZZ_SECONDS:-120}
OUT=build/fuzz
OBJ=$OUT/obj

# The engine sources the targets need (never main.c; never faultinj.h).
LIB="base/arena base/date base/encoding base/err base/fileio contract/idcard base/index engine/load contract/model engine/normalise base/num contract/catalogue contract/inifile contract/policy base/sort base/utf8"
# the rules language (fuzz_policy): every file of src/policy/
LIB="$LIB $(cd src && ls policy/*.c | sed 's/\.c$//' | tr '\n' ' ')"

# fuzz_serve goes through the whole request path: every module but main.c
# and the commands (and src/mpi/, built by mpicc only), and the libraries
# of the server.
LIB_ALL=$(cd src && ls ./*.c ./*/*.c | sed 's|^\./||; s|\.c$||' | grep -v -e '^main$' -e '^cmd/' -e '^mpi/')
target_lib() { case "$1" in fuzz_serve) echo "$LIB_ALL" ;; *) echo "$LIB" ;; esac; }
target_libs() {
    case "$1" in
        fuzz_serve) echo "$LIBS -lpq -lmicrohttpd -ljansson -lgnutls" ;;
        *) echo "$LIBS" ;;
    esac
}

CFLAGS="-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fopenmp -Isrc
        $(pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
        -fsanitize=address,undefined -fno-sanitize-recover=all -DHEDUI_ARENA_DEBUG
        -Wall -Wextra -Wno-unused-parameter"
LIBS="-lcsv -lxxhash -lpq -ljansson -lxlsxwriter -lzip -lexpat -lcrypto -lmicrohttpd -lgnutls -lm"

say() { printf 'fuzz: %s\n' "$*" >&2; }

if ! command -v "$CC" >/dev/null 2>&1; then
    say "$CC not found; run: sh tests/install-deps.sh fuzz"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=""
    for f in tests/fuzz/*.c; do
        targets="$targets $(basename "$f" .c)"
    done
fi

mkdir -p "$OBJ" || exit 2

# ---- build ----
build_ok=1
need=""
for t in $targets; do need="$need $(target_lib "$t")"; done
need=$(echo $need | tr ' ' '\n' | sort -u)
for m in $need; do
    o=$OBJ/$(echo $m | tr / _).o
    if [ ! -f "$o" ] || [ src/$m.c -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" | head -1)" ] ||
       [ "$0" -nt "$o" ]; then
        # shellcheck disable=SC2086
        $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" src/$m.c || build_ok=0
    fi
done
if [ "$build_ok" = 1 ]; then
    for t in $targets; do
        objs=""
        for m in $(target_lib "$t"); do objs="$objs $OBJ/$(echo $m | tr / _).o"; done
        if [ ! -f tests/fuzz/$t.c ]; then
            say "no such target: tests/fuzz/$t.c"
            build_ok=0
            continue
        fi
        # shellcheck disable=SC2086
        $CC $CFLAGS -fsanitize=fuzzer -o "$OUT/$t" tests/fuzz/$t.c $objs $(target_libs "$t") ||
            build_ok=0
    done
fi
if [ "$build_ok" != 1 ]; then
    say "build failed"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

# ---- replay and fuzz each target ----
passed=0
failed=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

for t in $targets; do
    bin=$OUT/$t
    reg=tests/fuzz/regressions/$t
    seeds=tests/fuzz/corpus/$t
    work=$OUT/corpus/$t
    art=$OUT/artifacts/$t
    log=$OUT/$t.log
    mkdir -p "$work" "$art" "$reg"
    ok=1

    # Replay: each regression input and each seed once.
    files=$(find "$reg" "$seeds" -type f ! -name '.*' 2>/dev/null | sort)
    nfiles=$(printf '%s\n' "$files" | grep -c . || true)
    if [ "$nfiles" -gt 0 ]; then
        # shellcheck disable=SC2086
        if ! printf '%s\n' "$files" | xargs "$bin" -runs=1 >"$log.replay" 2>&1; then
            ok=0
            say "$t: replay FAILED (log: $log.replay):"
            grep -E 'Running:|ERROR|invariant|SUMMARY' "$log.replay" | tail -n 8 >&2
        fi
    fi

    # Fuzz.
    execs=""
    if [ "$ok" = 1 ] && [ "$SECS" -gt 0 ]; then
        rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* "$art"/slow-unit-*
        dirs="$work"
        [ -d "$seeds" ] && dirs="$dirs $seeds"
        [ -n "$(ls -A "$reg" 2>/dev/null)" ] && dirs="$dirs $reg"
        # shellcheck disable=SC2086
        "$bin" -max_len=65536 -timeout=25 -rss_limit_mb=2560 -max_total_time="$SECS" \
            -print_final_stats=1 -artifact_prefix="$art/" $dirs >"$log" 2>&1
        rc=$?
        execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
        rate=$(grep -E 'stat::average_exec_per_sec' "$log" | awk '{s += $2} END {print s + 0}')
        found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                                       -o -name 'oom-*' \) 2>/dev/null)
        if [ $rc -ne 0 ] || [ -n "$found" ]; then
            ok=0
            say "$t: fuzzing FAILED after ${execs:-?} runs (log: $log):"
            grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 8 >&2
            for f in $found; do
                cp "$f" "$reg/" && say "$t: kept $reg/$(basename "$f"); reproduce with:" &&
                    say "    sh tests/fuzz.sh $t   # or: $bin $reg/$(basename "$f")"
            done
        else
            say "$t: ${SECS}s, $execs runs ($rate/s), corpus $(ls "$work" | wc -l) files"
        fi
    fi

    if [ "$ok" = 1 ]; then
        passed=$((passed + 1))
        say "$t: ok ($nfiles regression and seed inputs replayed)"
    else
        failed=$((failed + 1))
    fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
