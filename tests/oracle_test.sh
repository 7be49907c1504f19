#!/bin/sh
# oracle_test.sh - the engine against the independent oracle on generated data.
#
# Usage: tests/oracle_test.sh [PATH/TO/hedui] [--sf X] [--seeds "1 7"] [--rules LIST]
#                             [--no-packs] [--no-stops] [--no-dirty] [--keep] [--work DIR]
#
# Generates small data sets with bench/gen (SF 0.005 by default; per seed a
# clean and a --dirty 0.02 one; the first seed judged as of 2026-06-30, a
# month end and the day before sixian's E03 limit changes, the second as of
# 2028-02-29), runs bench/oracle/hedui_oracle.py and
#     hedui run --data D --out O --as-of A --seed S [--rules DIR]
# on each, and compares them with bench/oracle/compare.py (flags by key
# columns, review queue, rejects by file and line, spot-check sizes).
# Comparisons:
#   ref/...        the reference policy on every data set
#   pack/...       --rules RULES_DIR/packs/NAME (engine) vs --pack NAME
#                  (oracle), NAME = sixian, huaiyuan, guangdong_edge; plus
#                  sixian as of 2026-07-01 (its E03 limit's new value) and a
#                  data set whose standards.csv gives one township a rural
#                  standard and no urban one (guangdong_edge's Q04 case)
#   stop/...       "Feeds that look incomplete": header-only required feed,
#                  a missing income-window month, feeds cut by 25% / 15%
#                  against --previous, --accept-drop, header-only and absent
#                  optional feeds; engine and oracle must agree on the exit
#                  status (1 = stopped) and, when both ran, on the outputs
#   truth/...      oracle only: bench/oracle/truthcheck.py, the generator's
#                  E13/E14/E15/L01/L02 designs against the oracle (clean data)
# Prints one line per comparison, the differing rules of each failed one, and
# `oracle: N passed, M failed`; writes WORK/summary.txt (kept on failure).
#
# Subsets (flags or environment): --rules LIST / ORACLE_RULES compares only
# the flags of those rules (ids or prefixes, comma-separated: "E01,E02,L01";
# the review queue is then skipped); --no-packs / ORACLE_PACKS=0;
# --no-stops / ORACLE_STOPS=0; --no-dirty / ORACLE_DIRTY=0; --sf / ORACLE_SF;
# --seeds / ORACLE_SEEDS; ORACLE_RULES_DIR (policy directories of the engine;
# default: rules/ beside the engine binary, else this tree's);
# ORACLE_ACCEPT_DROP (the engine's option accepting a feed's drop; default
# --accept-drop).  Exit status 1 when any comparison failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HEDUI=./hedui
case "${1:-}" in -*|'') ;; *) HEDUI=$1; shift ;; esac
SF=${ORACLE_SF:-0.005}
SEEDS=${ORACLE_SEEDS:-"1 7"}
RULES=${ORACLE_RULES:-}
PACKS=${ORACLE_PACKS:-1}
STOPS=${ORACLE_STOPS:-1}
DIRTY=${ORACLE_DIRTY:-1}
KEEP=${ORACLE_KEEP:-0}
W=
while [ $# -gt 0 ]; do
    case "$1" in
    --sf) SF=$2; shift ;;
    --seeds) SEEDS=$2; shift ;;
    --rules) RULES=$2; shift ;;
    --no-packs) PACKS=0 ;;
    --no-stops) STOPS=0 ;;
    --no-dirty) DIRTY=0 ;;
    --keep) KEEP=1 ;;
    --work) W=$2; shift ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "oracle_test: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
[ -x "$HEDUI" ] || { echo "oracle_test: no engine at $HEDUI (make -j2 hedui)" >&2; exit 2; }
RULES_DIR=${ORACLE_RULES_DIR:-$(dirname "$HEDUI")/rules}
[ -d "$RULES_DIR" ] || RULES_DIR=$ROOT/rules
ACCEPT=${ORACLE_ACCEPT_DROP:---accept-drop}
GEN=$ROOT/build/bench/gen
ORACLE="python3 $ROOT/bench/oracle/hedui_oracle.py"
COMPARE="python3 $ROOT/bench/oracle/compare.py"
make -s -C "$ROOT/bench" >/dev/null || { echo "oracle_test: cannot build bench/gen" >&2; exit 2; }
if [ -z "$W" ]; then
    W=$(mktemp -d "${TMPDIR:-/tmp}/hedui-oracle.XXXXXX")
else
    mkdir -p "$W"
fi
SUM=$W/summary.txt
: >"$SUM"
pass=0 fail=0
FAILED=

note() { echo "$*" >>"$SUM"; }
ok() { pass=$((pass + 1)); echo "oracle: PASS $1"; note "PASS $1"; }
bad() {
    fail=$((fail + 1))
    FAILED="$FAILED $1"
    echo "oracle: FAIL $1: $2"
    note "FAIL $1: $2"
}

# oracle_counts OUT: "RULE n ..." of the rules that fired (from notes.txt)
oracle_counts() {
    sed -n 's/^count \([A-Z0-9]*\)_[A-Z_]* \([0-9]*\)$/\1 \2/p' "$1/notes.txt" | awk '$2 > 0' | tr '\n' ' '
}

# compare_run NAME DATA ASOF SEED EXPECT "ENGINE ARGS" "ORACLE ARGS"
# EXPECT: 0 (a normal run) or 1 (a stop); "-" accepts what the oracle does.
compare_run() {
    name=$1 data=$2 asof=$3 seed=$4 expect=$5 eargs=$6 oargs=$7
    tag=$(echo "$name" | tr '/' '_')
    o=$W/o_$tag e=$W/e_$tag
    rm -rf "$o" "$e"
    # shellcheck disable=SC2086
    $ORACLE --data "$data" --out "$o" --as-of "$asof" $oargs >"$W/$tag.oracle.log" 2>&1
    ors=$?
    # shellcheck disable=SC2086
    "$HEDUI" run -q --data "$data" --out "$e" --as-of "$asof" --seed "$seed" $eargs >"$W/$tag.engine.log" 2>&1
    ers=$?
    if [ "$expect" != - ] && [ "$ors" != "$expect" ]; then
        bad "$name" "oracle exit $ors, expected $expect: $(head -c 300 "$W/$tag.oracle.log")"
        return
    fi
    if [ "$ors" = 0 ]; then
        note "  $name oracle fired: $(oracle_counts "$o")"
    else
        note "  $name oracle stopped: $(head -c 300 "$W/$tag.oracle.log" | tr '\n' ' ')"
    fi
    if [ "$ers" != "$ors" ]; then
        bad "$name" "engine exit $ers, oracle exit $ors (engine: $(head -c 300 "$W/$tag.engine.log" | tr '\n' ' '))"
        return
    fi
    if [ "$ors" != 0 ]; then
        if [ -e "$e/flags.csv" ]; then
            bad "$name" "engine stopped but published flags.csv"
        else
            ok "$name (both stopped)"
        fi
        return
    fi
    if [ -n "$RULES" ]; then
        $COMPARE --rules "$RULES" "$o" "$e" >"$W/$tag.compare.txt" 2>&1
    else
        $COMPARE "$o" "$e" >"$W/$tag.compare.txt" 2>&1
    fi
    if [ $? = 0 ]; then
        ok "$name"
    else
        bad "$name" "$(tail -1 "$W/$tag.compare.txt" | sed 's/^== //') [$W/$tag.compare.txt]"
    fi
}

# data sets
first_clean= first_asof= first_seed=
i=0
for s in $SEEDS; do
    i=$((i + 1))
    case $i in 1) asof=2026-06-30 ;; 2) asof=2028-02-29 ;; *) asof=2026-06-15 ;; esac
    kinds=clean
    [ "$DIRTY" = 1 ] && kinds="clean dirty"
    for k in $kinds; do
        d=$W/d_s${s}_$k
        rate=0
        [ $k = dirty ] && rate=0.02
        if ! "$GEN" --out "$d" --sf "$SF" --seed "$s" --dirty $rate --as-of "$asof" --truth 1 2>"$W/gen.log"; then
            bad "gen/s$s/$k" "$(cat "$W/gen.log")"
            continue
        fi
        note "data s$s $k as-of $asof: $(wc -l <"$d/financial_assets.csv") financial_assets lines, $(wc -l <"$d/funeral.csv") funeral lines"
        compare_run "ref/s$s/$k/$asof" "$d" "$asof" "$s" 0 "" ""
        truth="reference=$W/o_ref_s${s}_${k}_$asof"
        if [ "$PACKS" = 1 ]; then
            for p in sixian huaiyuan guangdong_edge; do
                compare_run "pack/$p/s$s/$k/$asof" "$d" "$asof" "$s" 0 \
                    "--rules $RULES_DIR/packs/$p" "--pack $p"
                truth="$truth $p=$W/o_pack_${p}_s${s}_${k}_$asof"
            done
        fi
        if [ $k = clean ]; then
            # shellcheck disable=SC2086
            if python3 "$ROOT/bench/oracle/truthcheck.py" "$d" $truth >"$W/truth_s$s.txt" 2>&1; then
                ok "truth/s$s (gen designs = oracle)"
            else
                bad "truth/s$s" "$(grep -c MISS "$W/truth_s$s.txt") design(s) missed [$W/truth_s$s.txt]"
            fi
            if [ -z "$first_clean" ]; then first_clean=$d first_asof=$asof first_seed=$s; fi
        fi
    done
done

# a month end, then the first day of sixian's new E03 limit; a township with
# a rural standard only (guangdong_edge needs the urban one for E13)
if [ "$PACKS" = 1 ] && [ -n "$first_clean" ]; then
    if [ "$first_asof" = 2026-06-30 ]; then
        compare_run "pack/sixian/s$first_seed/clean/2026-07-01" "$first_clean" 2026-07-01 "$first_seed" 0 \
            "--rules $RULES_DIR/packs/sixian" "--pack sixian"
    fi
    g=$W/d_stdgap
    mkdir -p "$g"
    for f in "$first_clean"/*.csv; do ln -sf "$f" "$g/"; done
    rm -f "$g/standards.csv"
    cp "$first_clean/standards.csv" "$g/standards.csv"
    echo "611024200,rural,2020-01-01,700" >>"$g/standards.csv"
    compare_run "ref/stdgap" "$g" "$first_asof" "$first_seed" 0 "" ""
    compare_run "pack/guangdong_edge/stdgap" "$g" "$first_asof" "$first_seed" 0 \
        "--rules $RULES_DIR/packs/guangdong_edge" "--pack guangdong_edge"
fi

# feeds that look incomplete
if [ "$STOPS" = 1 ] && [ -n "$first_clean" ]; then
    D=$first_clean A=$first_asof S=$first_seed
    PO=$W/o_ref_s${S}_clean_$A PE=$W/e_ref_s${S}_clean_$A   # the previous run
    # variant NAME FILE ACTION: a copy of D (symlinks) with FILE replaced
    variant() {
        v=$W/d_stop_$1
        rm -rf "$v"
        mkdir -p "$v"
        for f in "$D"/*.csv; do ln -s "$f" "$v/"; done
        [ -n "$2" ] && rm -f "$v/$2"
        case $3 in
        header) head -n 1 "$D/$2" >"$v/$2" ;;
        absent) ;;
        keep*) n=$(($(wc -l <"$D/$2") - 1)); head -n $((1 + n * ${3#keep} / 100)) "$D/$2" >"$v/$2" ;;
        nomonth*) python3 - "$D/$2" "$v/$2" "$A" "${3#nomonth}" <<'EOF'
import csv, sys, datetime
src, dst, asof, back = sys.argv[1], sys.argv[2], datetime.date.fromisoformat(sys.argv[3]), int(sys.argv[4])
y, m = asof.year, asof.month - back
while m <= 0:
    y, m = y - 1, m + 12
drop = '%04d-%02d' % (y, m)
with open(src, encoding='utf-8', newline='') as f, open(dst, 'w', encoding='utf-8', newline='') as g:
    r = csv.reader(f)
    w = csv.writer(g, lineterminator='\n')
    h = next(r)
    w.writerow(h)
    k = h.index('period')
    for row in r:
        if row[k] != drop:
            w.writerow(row)
EOF
            ;;
        esac
        echo "$v"
    }
    if [ -d "$PE" ] && [ -d "$PO" ]; then
        compare_run stop/vehicles-header-only "$(variant vh vehicles.csv header)" "$A" "$S" 1 "" ""
        compare_run stop/si-window-month-missing "$(variant sm social_insurance.csv nomonth3)" "$A" "$S" 1 "" ""
        compare_run stop/si-month-before-window-missing "$(variant sb social_insurance.csv nomonth7)" "$A" "$S" 0 "" ""
        v=$(variant h75 hukou.csv keep75)
        compare_run stop/hukou-cut-25pct-vs-previous "$v" "$A" "$S" 1 "--previous $PE" "--previous $PO"
        compare_run stop/hukou-cut-25pct-accepted "$v" "$A" "$S" 0 \
            "--previous $PE $ACCEPT hukou.csv" "--previous $PO --accept-drop hukou.csv"
        compare_run stop/hukou-cut-25pct-no-previous "$v" "$A" "$S" 0 "" ""
        compare_run stop/hukou-cut-15pct-vs-previous "$(variant h85 hukou.csv keep85)" "$A" "$S" 0 \
            "--previous $PE" "--previous $PO"
        compare_run stop/financial-assets-header-only "$(variant fh financial_assets.csv header)" "$A" "$S" 0 "" ""
        compare_run stop/funeral-header-only-vs-previous "$(variant uh funeral.csv header)" "$A" "$S" 1 \
            "--previous $PE" "--previous $PO"
        # the oracle's reading (docstring): an optional feed absent now but
        # present before fell to 0 rows, so it stops
        compare_run stop/funeral-absent-vs-previous "$(variant ua funeral.csv absent)" "$A" "$S" 1 \
            "--previous $PE" "--previous $PO"
    else
        bad stop "no previous run to compare with (ref/s$S/clean failed to run)"
    fi
fi

echo "oracle: work directory $W"
if [ $fail -gt 0 ]; then
    echo "oracle: differing comparisons:"
    for n in $FAILED; do
        t=$(echo "$n" | tr '/' '_')
        if [ -f "$W/$t.compare.txt" ]; then
            echo "  $n: $(tail -1 "$W/$t.compare.txt" | sed 's/^== DIFFERENCES: [0-9]* //')"
        else
            echo "  $n: $(grep "FAIL $n:" "$SUM" | head -1 | sed "s|^FAIL $n: ||" | head -c 200)"
        fi
    done
fi
echo "oracle: $pass passed, $fail failed"
note "oracle: $pass passed, $fail failed"
if [ $fail = 0 ] && [ "$KEEP" != 1 ]; then   # keep summary.txt only
    find "$W" -mindepth 1 -maxdepth 1 ! -name summary.txt -exec rm -rf {} +
fi
[ $fail = 0 ]
