#!/bin/sh
# ops_test.sh - operations (issue 19): `make install` and `make uninstall`,
# rules found by the installed binary from any working directory (and the
# order of the places it looks in), the man page, where --help says rules
# are looked for, and the run's summary line on stderr.
#
# Usage: tests/ops_test.sh PATH/TO/hedui [BUILD]
# BUILD (release, asan, ...) is the variant `make install` installs, so that
# `make BUILD=asan ops-test` runs the installed binary under ASan too.
# Installs Debian's man-db and groff-base when missing (tests/install-deps.sh
# man, which says so on stderr).
set -u
HEDUI=${1:?usage: ops_test.sh PATH/TO/hedui [BUILD]}
BUILD=${2:-release}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-ops.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${OPS_TEST_VERBOSE:-}" ] && echo "ops: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "ops: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ASOF=2026-06-15
SEED=20260615
FX="$ROOT/fixtures"

# ---------------------------------------------------------------- the man page
if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1; then
    echo "ops: man or groff is missing: installing Debian's man-db and groff-base" >&2
    sh "$ROOT/tests/install-deps.sh" man >&2
fi
MAN="$ROOT/doc/hedui.1"
MANWIDTH=80 man -l "$MAN" >"$T/man.raw" 2>"$T/man.err"
check "man -l doc/hedui.1 renders ($(head -c 300 "$T/man.err"))" \
    "[ \$? -eq 0 ] && [ ! -s '$T/man.err' ] && [ \$(wc -l <'$T/man.raw') -gt 300 ]"
# plain text: drop the overstrike of bold and underline
sed 's/.\x08//g' "$T/man.raw" >"$T/man.txt"
preconv "$MAN" | groff -man -Tutf8 -ww -z 2>"$T/groff.err"
check "groff -ww: no warning ($(head -c 300 "$T/groff.err"))" "[ ! -s '$T/groff.err' ]"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS 'RULES DIRECTORY' 'EXIT STATUS' \
         ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
    check "man page: section $s" "grep -q '^$s\$' '$T/man.txt'"
done
for c in run load index check review export report; do
    check "man page: a part on 'hedui $c'" "grep -qE '^   hedui $c ' '$T/man.txt'"
done
# every option every --help names is in the man page
for c in run load index check review export report; do
    "$HEDUI" $c --help >"$T/help.$c" 2>&1
    for o in $(grep -oE -- '--[a-z][a-z0-9-]*' "$T/help.$c" | sort -u); do
        check "man page: 'hedui $c' option $o" "grep -qF -- '$o' '$T/man.txt'"
    done
done
# and every exit status of 'hedui --help'
"$HEDUI" --help >"$T/help.main"
for x in $(sed -n '/^Exit status:/,$p' "$T/help.main" | grep -oE '^  [0-9]+' | tr -d ' '); do
    check "man page: exit status $x" "sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' '$T/man.txt' | grep -qE '^       $x '"
done
check "man page: the three places of the rules, in order" \
    "sed -n '/^RULES DIRECTORY/,/^EXIT STATUS/p' '$T/man.txt' | grep -oE '^       [123]\\.' | tr -d ' \\n' | grep -qx '1.2.3.'"

# ---------------------------------------------------------------- --help: where rules are looked for
for c in run index load; do
    check "hedui $c --help lists the rules' places in order" \
        "grep -A6 '^Rules: --rules DIR, else' '$T/help.$c' | grep -oE '^  [123]\\. (DIR/rules|\\.\\./share/hedui/rules|rules/ in the current)' | cut -c3-4 | tr -d '\\n' | grep -qx '1.2.3.'"
done
check "hedui check --help says its rules are the snapshot's unless --rules" \
    "grep -q \"^Rules: policy.rules and the .policy file of --rules DIR, else the\" '$T/help.check' && grep -q \"^snapshot's own copies\" '$T/help.check'"

# ---------------------------------------------------------------- make install
# a prefix deep enough that the executable's first places (its directory and
# the three above) all lie inside $T
P="$T/a/b/c/prefix"
make --no-print-directory -C "$ROOT" install BUILD="$BUILD" PREFIX="$P" >"$T/install.out" 2>&1
check "make install PREFIX=... exits 0 ($(tail -3 "$T/install.out"))" '[ $? -eq 0 ]'
check "installed: bin/hedui, mode 755" "[ -x '$P/bin/hedui' ] && [ \"\$(stat -c %a '$P/bin/hedui')\" = 755 ]"
for f in policy.rules standards.csv holidays.csv README.md; do
    check "installed: share/hedui/rules/$f, same bytes" "cmp -s '$ROOT/rules/$f' '$P/share/hedui/rules/$f'"
done
check "installed: share/man/man1/hedui.1" "cmp -s '$MAN' '$P/share/man/man1/hedui.1'"
check "installed: share/doc/hedui/README.md" "cmp -s '$ROOT/README.md' '$P/share/doc/hedui/README.md'"
MANWIDTH=80 man -M "$P/share/man" hedui >"$T/man2.txt" 2>"$T/man2.err"
check "man -M PREFIX/share/man hedui finds the page by name" \
    "[ \$? -eq 0 ] && grep -q 'RULES DIRECTORY' '$T/man2.txt'"

# the reference: the build tree's binary from the repository root
(cd "$ROOT" && "$HEDUI" run -q --data fixtures --out "$T/ref" --as-of $ASOF --seed $SEED) \
    2>"$T/err"
check "reference run from the repository exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
rules_dir() { grep -o '"rules": {"dir": "[^"]*"' "$1/manifest.json" | sed 's/.*"dir": "//; s/"$//'; }
rules_version() { grep -o '"rules": {[^}]*' "$1/manifest.json" | grep -o '"version": "[^"]*"' | cut -d'"' -f4; }
same_lists() {   # dir dir
    for f in flags.csv review_queue.csv spotcheck.csv rejects.csv; do
        cmp -s "$1/$f" "$2/$f" || return 1
    done
}
mkdir "$T/elsewhere"
(cd "$T/elsewhere" && "$P/bin/hedui" run -q --data "$FX" --out "$T/inst" --as-of $ASOF --seed $SEED) \
    2>"$T/err"
check "the installed binary runs from another directory ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... with the installed rules (manifest rules.dir $(rules_dir "$T/inst"))" \
    "[ \"\$(rules_dir '$T/inst')\" = '$P/share/hedui/rules' ]"
check "... and writes the same flags, queue, sample and rejects as the build tree's" \
    "same_lists '$T/ref' '$T/inst'"
(cd "$T/elsewhere" && "$P/bin/hedui" index build -q --data "$FX" --out "$T/inst.idx" --as-of $ASOF) \
    2>"$T/err"
check "the installed binary's index build finds the rules too ($(cat "$T/err"))" '[ $? -eq 0 ]'

# the order of the places: a rules/ in the working directory (place 3) does
# not beat the installed ones (place 2); it is used when they are gone
cp -R "$ROOT/rules" "$T/elsewhere/rules"
sed 's/^version *=.*/version = 9999.7/' "$ROOT/rules/policy.rules" >"$T/elsewhere/rules/policy.rules"
grep -q "9999.7" "$T/elsewhere/rules/policy.rules" || bad "could not mark the copy's version"
(cd "$T/elsewhere" && "$P/bin/hedui" run -q --data "$FX" --out "$T/o-cwd1" --as-of $ASOF) 2>"$T/err"
check "place 2 before place 3: ./rules is not used while the installed rules are there" \
    "[ \"\$(rules_dir '$T/o-cwd1')\" = '$P/share/hedui/rules' ]"
mv "$P/share/hedui/rules" "$P/share/hedui/rules.away"
(cd "$T/elsewhere" && "$P/bin/hedui" run -q --data "$FX" --out "$T/o-cwd2" --as-of $ASOF) 2>"$T/err"
check "place 3: without installed rules, ./rules of the working directory ($(cat "$T/err"))" \
    "[ \"\$(rules_dir '$T/o-cwd2')\" = rules ] && [ \"\$(rules_version '$T/o-cwd2')\" = 9999.7 ]"
mv "$P/share/hedui/rules.away" "$P/share/hedui/rules"
# place 1 (beside the executable or above it) still comes first
cp -R "$T/elsewhere/rules" "$P/rules"
(cd "$T/elsewhere" && "$P/bin/hedui" run -q --data "$FX" --out "$T/o-up" --as-of $ASOF) 2>"$T/err"
check "place 1 before place 2: PREFIX/rules (one above bin/) wins" \
    "[ \"\$(rules_dir '$T/o-up')\" = '$P/rules' ]"
rm -rf "$P/rules"
# nowhere: the message names the place tried
mkdir "$T/empty"
mv "$P/share/hedui/rules" "$P/share/hedui/rules.away"
(cd "$T/empty" && "$P/bin/hedui" run -q --data "$FX" --out "$T/o-none" --as-of $ASOF) 2>"$T/err"
rc=$?
check "no rules anywhere: exit 3 or 5, naming rules/policy.rules (rc $rc: $(cat "$T/err"))" \
    "[ $rc -eq 3 -o $rc -eq 5 ] && grep -q 'rules/policy.rules' '$T/err'"
mv "$P/share/hedui/rules.away" "$P/share/hedui/rules"

# ---------------------------------------------------------------- make uninstall
make --no-print-directory -C "$ROOT" uninstall BUILD="$BUILD" PREFIX="$P" >"$T/uninstall.out" 2>&1
check "make uninstall exits 0 ($(tail -3 "$T/uninstall.out"))" '[ $? -eq 0 ]'
check "uninstalled: no file left under PREFIX ($(find "$P" -type f | head -3))" \
    "[ -z \"\$(find '$P' -type f)\" ] && [ ! -e '$P/share/hedui' ] && [ ! -e '$P/share/doc/hedui' ]"

# ---------------------------------------------------------------- the summary line
nrows() { echo $(($(wc -l <"$1") - 1)); }
"$HEDUI" run --data "$FX" --out "$T/s1" --as-of $ASOF --seed $SEED 2>"$T/s1.err"
check "a run with stderr in a file exits 0" '[ $? -eq 0 ]'
sum=$(grep '^hedui: run as of ' "$T/s1.err")
check "stderr a file: exactly one summary line ($(cat "$T/s1.err"))" \
    "[ \$(grep -c '^hedui: run as of ' '$T/s1.err') -eq 1 ]"
check "... and no progress line" "! grep -q 'rows/s' '$T/s1.err'"
check "... and nothing else but the no-standard warning" \
    "[ \$(grep -vc -e '^hedui: run as of ' -e '^hedui: no standard in force on ' '$T/s1.err') -eq 0 ]"
nostd=$(sed -n 's/^hedui: no standard in force on [0-9-]* for \([0-9]*\) households and \([0-9]*\) candidates.*/\1 households and \2 candidates/p' "$T/s1.err")
want="hedui: run as of $ASOF: $(nrows "$T/s1/flags.csv") flags, $(nrows "$T/s1/review_queue.csv") in the review queue, $(nrows "$T/s1/spotcheck.csv") sampled, $(nrows "$T/s1/rejects.csv") rejected rows, no standard for $nostd -> $T/s1 ("
check "... with the counts of the lists and the output directory ($sum)" \
    "[ -n '$nostd' ] && case \"\$sum\" in \"\$want\"*' ms, peak '*' MB)') true ;; *) false ;; esac"
"$HEDUI" run --data "$FX" --out "$T/s1" --as-of $ASOF --seed $SEED --previous "$T/s1" 2>"$T/s2.err"
check "a run that compares says new, persisting and resolved ($(grep '^hedui: run' "$T/s2.err"))" \
    "grep -q '^hedui: run as of $ASOF: $(nrows "$T/s1/flags.csv") flags (0 new, $(nrows "$T/s1/flags.csv") persisting, 0 resolved), ' '$T/s2.err'"
"$HEDUI" run --quiet --data "$FX" --out "$T/s1" --as-of $ASOF --seed $SEED 2>"$T/s3.err"
check "--quiet: no summary line ($(cat "$T/s3.err"))" "[ \$? -eq 0 ] && ! grep -q '^hedui: run' '$T/s3.err'"
"$HEDUI" run -q --data "$FX" --out "$T/s1" --as-of $ASOF --seed $SEED 2>"$T/s4.err"
check "-q: no summary line" "! grep -q '^hedui: run' '$T/s4.err'"
"$HEDUI" run --data "$T/nowhere" --out "$T/s5" --as-of $ASOF 2>"$T/s5.err"
check "a failed run: its error, no summary line" \
    "[ \$? -ne 0 ] && [ -s '$T/s5.err' ] && ! grep -q '^hedui: run as of' '$T/s5.err'"
if command -v script >/dev/null 2>&1; then
    # on a terminal (script(1) gives the run a pty): progress lines, then the summary
    script -qec "'$HEDUI' run --data '$FX' --out '$T/s6' --as-of $ASOF --seed $SEED >/dev/null" \
        /dev/null </dev/null >"$T/s6.tty" 2>&1
    check "on a terminal: progress lines stay" "grep -q 'rows/s' '$T/s6.tty'"
    check "on a terminal: the summary line ends the run, once" \
        "[ \$(grep -c '^hedui: run as of ' '$T/s6.tty') -eq 1 ] && tail -n 1 '$T/s6.tty' | grep -q '^hedui: run as of '"
    script -qec "'$HEDUI' run -q --data '$FX' --out '$T/s6' --as-of $ASOF --seed $SEED >/dev/null" \
        /dev/null </dev/null >"$T/s7.tty" 2>&1
    check "on a terminal with -q: neither" "! grep -q -e 'rows/s' -e '^hedui: run as of ' '$T/s7.tty'"
else
    bad "script(1) is missing (bsdutils): cannot test a run on a terminal"
fi

echo "ops: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
