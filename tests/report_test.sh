#!/bin/sh
# report_test.sh - report.html renders in headless Chromium (issue 6).
#
# Usage: tests/report_test.sh PATH/TO/hedui
# Installs Debian's chromium (and a CJK font) when missing, via
# tests/install-deps.sh report, which says so on stderr.  Two runs on a
# copy of fixtures/ (the second with a dearer car) with --state, then:
# the page is self-contained (no URL to fetch; a Content-Security-Policy
# forbids any), IDs are masked, the DOM Chromium builds holds every section,
# the script ran, the console is silent (no JS error, no CSP violation), and
# a screenshot is taken.  The screenshot and the page are kept in an
# artifact directory (printed; HEDUI_ARTIFACT_DIR to choose it).
set -u
HEDUI=${1:?usage: report_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-report.XXXXXX")
trap 'rm -rf "$T"' EXIT
ART=${HEDUI_ARTIFACT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/hedui-report-artifacts.XXXXXX")}
mkdir -p "$ART"
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${REPORT_TEST_VERBOSE:-}" ] && echo "report: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "report: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
ASOF=2026-06-15

# ---------------------------------------------------------------- chromium
# installs only what is missing (chromium, fonts-wqy-zenhei) and says so
command -v chromium >/dev/null 2>&1 ||
    echo "report: chromium is missing: installing Debian's chromium package" >&2
sh "$ROOT/tests/install-deps.sh" report >&2
if ! command -v chromium >/dev/null 2>&1; then
    bad "chromium is not installed and could not be installed (tests/install-deps.sh report)"
    echo "report: $pass passed, $fail failed"
    exit 1
fi
# one isolated profile and home per call; no network, no first-run work
browse() {
    prof=$(mktemp -d "$T/prof.XXXXXX")
    HOME="$prof" XDG_CONFIG_HOME="$prof" XDG_CACHE_HOME="$prof" timeout 120 \
        chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof/data" --enable-logging=stderr --v=0 "$@"
}
# console lines (JS errors, CSP violations, console.*) from chromium's log
console_lines() { grep -E ':CONSOLE[:(]|Uncaught|Refused to|violates the following Content Security' "$1"; }

# the detector catches errors: a page with a JS error and a blocked URL
cat >"$T/broken.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">
</head><body><img src="http://192.0.2.1/x.png"><script>noSuchFunction();</script></body></html>
EOF
browse --dump-dom "file://$T/broken.html" >"$T/broken.dom" 2>"$T/broken.log"
check "the console check sees a JS error (control)" "grep -q 'Uncaught' '$T/broken.log'"
check "the console check sees a blocked URL (control)" "console_lines '$T/broken.log' | grep -q '192.0.2.1'"

# ---------------------------------------------------------------- two runs with a state
FX="$T/fx"
mkdir "$FX"
cp "$ROOT/fixtures"/*.csv "$FX/"
"$HEDUI" run -q --data "$FX" --out "$T/o1" --as-of $ASOF --state "$T/S" 2>"$T/err"
check "first run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
# a dearer car for the second run (the 86000 car of HH006's head)
sed 's/,86000\(\.00\)\{0,1\},/,96000,/' "$ROOT/fixtures/vehicles.csv" >"$FX/vehicles.csv"
check "the fixture copy changed" "! cmp -s '$FX/vehicles.csv' '$ROOT/fixtures/vehicles.csv'"
"$HEDUI" run -q --data "$FX" --out "$T/o2" --as-of $ASOF --state "$T/S" 2>"$T/err"
check "second run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
R="$T/o2/report.html"
check "run writes report.html" "[ -s '$R' ]"
check "report.html is mode 600" "[ \"\$(stat -c %a '$R')\" = 600 ]"
"$HEDUI" report --from "$T/o2" --history "$T/o1" --out "$T/rep-hist.html" >"$T/out" 2>"$T/err"
check "hedui report --from --history exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
cp "$T/o2/report.html" "$T/run-report.html"
"$HEDUI" report --from "$T/o2" --state "$T/S" >"$T/out" 2>"$T/err"
check "hedui report --from --state rewrites RUN_DIR/report.html ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && [ -s '$R' ]"
"$HEDUI" report --from "$T/nowhere" 2>"$T/err"
check "report from a non-run exits 3" '[ $? -eq 3 ]'
"$HEDUI" report 2>"$T/err"
check "report without --from exits 2" '[ $? -eq 2 ]'
"$HEDUI" report --from="$T/o2" --history="$T/o1" --out="$T/rep-eq.html" >"$T/out" 2>"$T/err"
check "report --opt=VALUE is --opt VALUE ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && cmp -s '$T/rep-eq.html' '$T/rep-hist.html'"
mkdir "$T/nojson"
cp "$T/o2"/*.csv "$T/nojson/"
printf '{"as_of": "%s", "seed": 1' $ASOF >"$T/nojson/manifest.json"
"$HEDUI" report --from "$T/nojson" --out "$T/nojson.html" 2>"$T/err"
check "report from a run whose manifest.json is not JSON exits 3" '[ $? -eq 3 ]'
check "... says so and writes nothing" "grep -q 'not JSON' '$T/err' && [ ! -e '$T/nojson.html' ]"

# ---------------------------------------------------------------- static checks
tail -n +2 "$T/o2/flags.csv" | cut -d, -f6 | grep -E '^.{18}$' | sort -u >"$T/ids"
for page in "$T/run-report.html" "$T/rep-hist.html" "$R"; do
    name=$(basename "$page")
    check "$name: a Content-Security-Policy forbids network access" \
        "grep -q \"default-src 'none'\" '$page'"
    check "$name: no URL to fetch (src/href to a scheme or //)" \
        "! grep -qiE '(src|href|url)[=(][\"'\\'']?(https?:|//|file:)' '$page'"
    check "$name: none of the run's ID numbers appears" \
        "[ -s '$T/ids' ] && ! grep -qF -f '$T/ids' '$page'"
    check "$name: no 18-character ID pattern" "! grep -qE '[0-9]{17}[0-9X]' '$page'"
done
check "the run's report counts new and resolved" \
    "grep -q 'new since the previous run' '$T/run-report.html'"

# ---------------------------------------------------------------- chromium: DOM, console, screenshot
for page in "$T/run-report.html" "$T/rep-hist.html"; do
    name=$(basename "$page" .html)
    browse --dump-dom "file://$page" >"$T/$name.dom" 2>"$T/$name.log"
    check "$name: chromium dumps the DOM" "[ -s '$T/$name.dom' ]"
    for s in 'Flags per rule' 'Flags per township' 'Trend over past runs' \
             'Spot-check sample' 'Run manifest' 'New findings since the previous run' \
             'E03_VEHICLE' '610102001' 'policy_xxh64'; do
        check "$name: the page shows '$s'" "grep -qF '$s' '$T/$name.dom'"
    done
    check "$name: the script ran (data-ready)" "grep -q 'data-ready=\"1\"' '$T/$name.dom'"
    check "$name: charts are inline SVG" "[ \$(grep -o '<svg' '$T/$name.dom' | wc -l) -ge 3 ]"
    check "$name: masked IDs (6 + asterisks + 4)" \
        "grep -qE '[0-9]{6}\\*{8}[0-9]{3}[0-9X]' '$T/$name.dom'"
    check "$name: the new and the resolved car finding are listed" \
        "grep -q '96000' '$T/$name.dom' && grep -q '86000' '$T/$name.dom'"
    check "$name: console silent (no JS error, no blocked request): $(console_lines "$T/$name.log" | head -3)" \
        "! console_lines '$T/$name.log' >/dev/null"
done
check "the trend of the state report has both runs" \
    "grep -A2 '<td>1</td>' '$T/run-report.dom' | grep -q '$ASOF' && grep -q '<td>2</td>' '$T/run-report.dom'"
check "the --history report has both runs in its trend" \
    "[ \$(grep -o '<circle' '$T/rep-hist.dom' | wc -l) -ge 6 ]"

browse --screenshot="$ART/report.png" --window-size=1280,2000 "file://$T/run-report.html" \
    >"$T/shot.out" 2>"$T/shot.log"
check "chromium takes a screenshot" "[ -s '$ART/report.png' ]"
check "the screenshot is a PNG of some substance" \
    "[ \"\$(head -c 4 '$ART/report.png' | od -An -tx1 | tr -d ' ')\" = 89504e47 ] && [ \$(wc -c <'$ART/report.png') -gt 20000 ]"
check "screenshot: console silent" "! console_lines '$T/shot.log' >/dev/null"
cp "$T/run-report.html" "$ART/report.html"
echo "report: screenshot $ART/report.png (page: $ART/report.html)" >&2

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
