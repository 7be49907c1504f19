#!/bin/sh
# report_test.sh - report.html renders in headless Chromium (issues 6, 19).
#
# Usage: tests/report_test.sh PATH/TO/hedui
# Installs Debian's chromium (and a CJK font) when missing, via
# tests/install-deps.sh report, which says so on stderr.  Two runs on a
# copy of fixtures/ (the second with a dearer car) with --state, then:
# the page is self-contained (no URL to fetch; a Content-Security-Policy
# forbids any, and runs only the page's own script, by its SHA-256: a page
# whose script differs by one byte is refused), IDs are masked, the page is
# in Chinese, the DOM Chromium builds holds every section and the whole
# review queue (new and persisting), each household's flags and evidence
# in its <details> row, the script ran, the console is silent (no JS error,
# no CSP violation).  Filters by township, rule and severity (set through
# the page's #fragment, as a bookmark would) show exactly the households
# that review_queue.csv and flags.csv say; on generated data (bench/gen.c)
# the pager shows the queue 100 households at a time in queue order, and
# `report --queue-max` lists ranks 1..k of every township and says so.  A
# member value written as markup ends up as text, not as markup.
# Screenshots (a household opened, and a filtered view) and the page are
# kept in an artifact directory (printed; HEDUI_ARTIFACT_DIR to choose it).
set -u
HEDUI=${1:?usage: report_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-report.XXXXXX")
[ -n "${REPORT_TEST_KEEP:-}" ] && echo "report: keeping $T" >&2 || trap 'rm -rf "$T"' EXIT
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
    "grep -q '新增（上次运行以来）' '$T/run-report.html' && grep -q '已解决（不再触发）' '$T/run-report.html'"
# the CSP runs one script, by its hash, and that hash is the script's
script_of() {   # the text of the page's one inline script (not the JSON data block)
    awk 'BEGIN{RS="</script>"} /<script>/{sub(/.*<script>/,""); printf "%s", $0; exit}' "$1"
}
hash_of() {     # base64 SHA-256, as a CSP hash source
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys,hashlib,base64; print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())'
    else
        openssl dgst -sha256 -binary | base64
    fi
}
for page in "$T/run-report.html" "$T/rep-hist.html"; do
    name=$(basename "$page")
    csp=$(grep -o 'script-src [^;]*' "$page")
    check "$name: script-src is one hash, no 'unsafe-inline' ($csp)" \
        "echo \"\$csp\" | grep -qE \"^script-src 'sha256-[A-Za-z0-9+/]{43}='\\\$\""
    check "$name: one inline script, whose SHA-256 is the CSP's" \
        "[ \$(grep -o '<script>' '$page' | wc -l) -eq 1 ] && [ \"script-src 'sha256-\$(script_of '$page' | hash_of)'\" = \"\$csp\" ]"
done

# ---------------------------------------------------------------- no standard in force
# fixtures' region 610104 has no standard: two households and one candidate
for page in "$T/run-report.html" "$T/rep-hist.html"; do
    name=$(basename "$page")
    check "$name: the section on households without a standard counts them" \
        "grep -q '<b>2</b> 户在册家庭、<b>1</b> 名申请人找不到适用的低保标准' '$page'"
    check "$name: ... groups them by region and area type" \
        "grep -q '<tr><td>610104001001</td><td>城市</td><td>2</td><td>1</td></tr>' '$page'"
    check "$name: ... and names the households and the candidate's line" \
        "grep -q '家庭（户编号）：HH040、HH041' '$page' && grep -q 'candidates.csv 的行号）：14' '$page'"
done
FX3="$T/fxstd"
mkdir -p "$FX3"
cp "$FX"/*.csv "$FX3/"
printf '610104,urban,2025-01-01,990.00\n' >>"$FX3/standards.csv"
"$HEDUI" run -q --data "$FX3" --out "$T/o3" --as-of $ASOF 2>"$T/err"
check "a run where every region has a standard exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... its report says every household has a standard" \
    "grep -q '每户、每名申请人都有适用的低保标准' '$T/o3/report.html' && ! grep -q '找不到适用的低保标准' '$T/o3/report.html'"
mkdir "$T/old"
cp "$T/o2"/*.csv "$T/old/"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["no_standard"]; json.dump(m, open(sys.argv[2], "w"))' \
    "$T/o2/manifest.json" "$T/old/manifest.json"
"$HEDUI" report --from "$T/old" --out "$T/old.html" 2>"$T/err"
check "report from a manifest without no_standard exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... and says the run did not record them (no false all-clear)" \
    "grep -q '没有记录无适用标准的家庭' '$T/old.html' && ! grep -q '都有适用的低保标准' '$T/old.html'"

# ---------------------------------------------------------------- chromium: DOM, console, screenshot
for page in "$T/run-report.html" "$T/rep-hist.html"; do
    name=$(basename "$page" .html)
    browse --dump-dom "file://$page" >"$T/$name.dom" 2>"$T/$name.log"
    check "$name: chromium dumps the DOM" "[ -s '$T/$name.dom' ]"
    for s in '复核队列（每月核查）' '各规则的标记' '各乡镇的标记' '历次运行趋势' '已解决的发现' \
             '抽查样本' '运行清单' '全部乡镇' '全部规则' '严重程度' '名下有机动车' '户籍已迁出' \
             '错保' '漏保' '新增' '持续' '已解决' '>高<' '>中<' '低保' \
             'E03_VEHICLE' '610102001' 'policy_xxh64' '无适用低保标准' '无适用标准的家庭（户）'; do
        check "$name: the page shows '$s'" "grep -qF '$s' '$T/$name.dom'"
    done
    for s in 'Flags per rule' 'Spot-check sample' 'Run manifest' 'households in the review queue'; do
        check "$name: no English heading '$s' left" "! grep -qF '$s' '$T/$name.dom'"
    done
    check "$name: the script ran (data-ready)" "grep -q 'data-ready=\"1\"' '$T/$name.dom'"
    check "$name: charts are inline SVG" "[ \$(grep -o '<svg' '$T/$name.dom' | wc -l) -ge 3 ]"
    check "$name: masked IDs (6 + asterisks + 4)" \
        "grep -qE '[0-9]{6}\\*{8}[0-9]{3}[0-9X]' '$T/$name.dom'"
    check "$name: no 18-character ID pattern in the DOM" "! grep -qE '[0-9]{17}[0-9X]' '$T/$name.dom'"
    check "$name: the new and the resolved car finding are listed" \
        "grep -q '96000' '$T/$name.dom' && grep -q '86000' '$T/$name.dom'"
    check "$name: console silent (no JS error, no blocked request): $(console_lines "$T/$name.log" | head -3)" \
        "! console_lines '$T/$name.log' >/dev/null"
done
check "the trend of the state report has both runs" \
    "grep -A2 '<td>1</td>' '$T/run-report.dom' | grep -q '$ASOF' && grep -q '<td>2</td>' '$T/run-report.dom'"
check "the --history report has both runs in its trend" \
    "[ \$(grep -o '<circle' '$T/rep-hist.dom' | wc -l) -ge 6 ]"

# a script that is not the page's own is refused (the CSP is by hash, not 'unsafe-inline')
sed "s/(function(){'use strict';/(function(){'use strict';document.title='x';/" \
    "$T/run-report.html" >"$T/tampered.html"
browse --dump-dom "file://$T/tampered.html" >"$T/tampered.dom" 2>"$T/tampered.log"
check "a page whose script was changed: the script is refused" \
    "! grep -q 'data-ready=' '$T/tampered.dom' && grep -q 'Executing inline script violates the following Content Security Policy' '$T/tampered.log'"

# ---------------------------------------------------------------- the review queue
# the households a view lists, in order (data-hh of the <details> rows)
shown() { grep -o '<details class="hh" data-hh="[^"]*"' "$1" | sed 's/.*data-hh="//; s/"$//'; }
# the queue's households (household_id, or hukou_no for L01) of a run directory
queue_keys() { tail -n +2 "$1/review_queue.csv" | awk -F, '{print ($3 != "" ? $3 : $4)}'; }
# queued households with a flag whose column $2 (1 rule_id, 3 severity) is $3
queue_with() {
    tail -n +2 "$1/flags.csv" | awk -F, -v c="$2" -v v="$3" '$c == v {print ($4 != "" ? $4 : $5)}' |
        sort -u >"$T/with"
    queue_keys "$1" | sort >"$T/qk"
    comm -12 "$T/with" "$T/qk"
}
view() {   # view NAME FRAGMENT: the DOM of run-report.html#FRAGMENT in $T/v-NAME.dom
    browse --dump-dom "file://$T/run-report.html#$2" >"$T/v-$1.dom" 2>"$T/v-$1.log"
}
queue_keys "$T/o2" >"$T/all.want"
shown "$T/run-report.dom" >"$T/all.got"
nq=$(wc -l <"$T/all.want")
check "the page lists the whole queue, in queue order ($nq households)" \
    "[ $nq -gt 20 ] && cmp -s '$T/all.want' '$T/all.got'"
check "... and says how many match (data-shown=$nq)" "grep -q 'data-shown=\"$nq\"' '$T/run-report.dom'"
check "persisting households are in the queue after the second run" \
    "[ \$(grep -o 'class=\"tag persisting\">持续' '$T/run-report.dom' | wc -l) -gt 10 ]"
# one household's <details> element of a DOM dump (perl-base is essential in Debian)
row_of() { perl -0ne 'print $1 if m{(<details class="hh" data-hh="\Q'"$2"'\E".*?</details>)}s' "$1"; }
row_of "$T/run-report.dom" HH006 >"$T/hh006"
check "the new finding's household is marked new" "grep -q 'class=\"tag new\">新增' '$T/hh006'"
row_of "$T/run-report.dom" HH002 >"$T/hh002"
check "a household whose findings all persist is marked persisting" \
    "grep -q 'class=\"tag persisting\">持续' '$T/hh002' && ! grep -q 'tag new' '$T/hh002'"
# each household's flags are in its <details> row, closed until clicked
nf_hh006=$(tail -n +2 "$T/o2/flags.csv" | awk -F, '$4 == "HH006"' | wc -l)
check "HH006's row holds its $nf_hh006 flags with evidence, closed" \
    "[ \$(grep -o '<td class=\"ev\">' '$T/hh006' | wc -l) -eq $nf_hh006 ] && grep -q '96000' '$T/hh006' && ! grep -q 'data-hh=\"HH006\" open' '$T/hh006'"

for f in "t=610102002:township 610102002" "r=E03_VEHICLE:rule E03_VEHICLE" "s=medium:severity medium" \
         "t=610102001&s=high:township 610102001 and severity high"; do
    frag=${f%%:*} what=${f#*:}
    vn=$(echo "$frag" | tr -c 'a-zA-Z0-9\n' _)
    case "$frag" in
        "t=610102002") tail -n +2 "$T/o2/review_queue.csv" | awk -F, '$1 == "610102002" {print ($3 != "" ? $3 : $4)}' >"$T/want" ;;
        "r=E03_VEHICLE") queue_with "$T/o2" 1 E03_VEHICLE >"$T/w"
                         grep -Fxf "$T/w" "$T/all.want" >"$T/want" ;;
        "s=medium") queue_with "$T/o2" 3 medium >"$T/w"
                    grep -Fxf "$T/w" "$T/all.want" >"$T/want" ;;
        *) queue_with "$T/o2" 3 high >"$T/w"
           tail -n +2 "$T/o2/review_queue.csv" | awk -F, '$1 == "610102001" {print ($3 != "" ? $3 : $4)}' |
               grep -Fxf "$T/w" >"$T/want" ;;
    esac
    view "$vn" "$frag"
    shown "$T/v-$vn.dom" >"$T/got"
    n=$(wc -l <"$T/want")
    check "filter by $what: exactly the $n households the CSVs say, in queue order" \
        "[ $n -gt 0 ] && [ $n -lt $nq ] && cmp -s '$T/want' '$T/got'"
    check "filter by $what: the count says $n" "grep -q 'data-shown=\"$n\"' '$T/v-$vn.dom'"
    check "filter by $what: console silent" "! console_lines '$T/v-$vn.log' >/dev/null"
done
view open 'open=HH006'
check "#open=HH006 opens that household's row" "grep -q '<details class=\"hh\" data-hh=\"HH006\" open' '$T/v-open.dom'"
view none 't=999999999'
check "a filter nothing matches: no row, says so" \
    "[ -z \"\$(shown '$T/v-none.dom')\" ] && grep -q '没有符合条件的家庭' '$T/v-none.dom'"

# markup in an input value stays text: a member's relation (kept, Q05 quotes
# its first 32 bytes)
mkdir "$T/fx3"
cp "$ROOT/fixtures"/*.csv "$T/fx3/"
sed 's#^HH048,610102197704044823,甘秀,wife,#HH048,610102197704044823,甘秀,</script><script>alert(1)</script><b>x</b>\&amp;,#' \
    "$ROOT/fixtures/members.csv" >"$T/fx3/members.csv"
"$HEDUI" run -q --data "$T/fx3" --out "$T/o3" --as-of $ASOF 2>"$T/err"
check "a run with markup in a member value exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... the value is in its flag's evidence" "grep -q 'alert(1)' '$T/o3/flags.csv'"
check "... but never as markup in the page" \
    "! grep -q '<script>alert' '$T/o3/report.html' && ! grep -q '<b>x' '$T/o3/report.html'"
browse --dump-dom "file://$T/o3/report.html#open=HH048" >"$T/o3.dom" 2>"$T/o3.log"
check "... Chromium shows it as text in HH048's evidence, and the page works" \
    "grep -qF '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x' '$T/o3.dom' && grep -q 'data-ready=\"1\"' '$T/o3.dom'"
check "... console silent" "! console_lines '$T/o3.log' >/dev/null"

# a verdict shows in its household's row: HH006's 3000-yuan car confirmed; the
# household stays queued for its new 96000-yuan car
fp=$(grep ',HH006,' "$T/o2/flags.csv" | grep 'value 3000' | awk -F, '{print $(NF-1)}')
printf 'fingerprint,outcome,reviewer,reviewed_on,note\n%s,confirmed,auditor1,2026-06-16,seen\n' "$fp" \
    >"$T/verdict.csv"
"$HEDUI" review import "$T/verdict.csv" --state "$T/S" >"$T/out" 2>"$T/err"
check "a verdict is imported ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" run -q --data "$FX" --out "$T/o4" --as-of $ASOF --state "$T/S" 2>"$T/err"
check "third run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" report --from "$T/o4" --out "$T/o4-rep.html" >/dev/null 2>"$T/err"
check "hedui report of the third run exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
for page in "$T/o4/report.html" "$T/o4-rep.html"; do
    name=$(basename "$page")
    browse --dump-dom "file://$page#open=HH006" >"$T/o4.dom" 2>"$T/o4.log"
    row_of "$T/o4.dom" HH006 >"$T/hh006v"
    check "$name: HH006 still queued, its confirmed car says 已确认, the other has no verdict" \
        "grep -q 'value 3000 (line 4)</td>' '$T/hh006v' && [ \$(grep -o '<td>已确认</td>' '$T/hh006v' | wc -l) -eq 1 ] && [ \$(grep -o '<td class=\"ev\">' '$T/hh006v' | wc -l) -eq 2 ]"
    check "$name: console silent" "! console_lines '$T/o4.log' >/dev/null"
done

# ---------------------------------------------------------------- a larger queue: pager and cap
GEN="$ROOT/build/bench/gen"
if [ ! -x "$GEN" ]; then
    GEN="$T/gen"
    ${CC:-cc} -std=gnu11 -O2 -o "$GEN" "$ROOT/bench/gen.c" 2>"$T/gen.err" ||
        bad "cannot build bench/gen.c: $(cat "$T/gen.err")"
fi
"$GEN" --out "$T/g" --sf 0.005 --seed 5 --as-of $ASOF >/dev/null 2>&1
"$HEDUI" run -q --data "$T/g" --out "$T/og" --as-of $ASOF 2>"$T/err"
check "a run on generated data exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
queue_keys "$T/og" >"$T/g.all"
ng=$(wc -l <"$T/g.all")
browse --dump-dom "file://$T/og/report.html#p=2" >"$T/g2.dom" 2>"$T/g2.log"
sed -n '101,200p' "$T/g.all" >"$T/want"
shown "$T/g2.dom" >"$T/got"
check "page 2 of the pager: queue households 101-200 in order (of $ng)" \
    "[ $ng -gt 200 ] && cmp -s '$T/want' '$T/got' && grep -q 'data-shown=\"$ng\"' '$T/g2.dom'"
check "... says which rows and pages" "grep -q '显示第 101–200 户' '$T/g2.dom' && grep -qE '第 2 / [0-9]+ 页' '$T/g2.dom'"
check "... and states the cap" "grep -q '本页收录全部 $ng 户（本页上限' '$T/og/report.html'"
"$HEDUI" report --from "$T/og" --queue-max 50 --out "$T/cap.html" >/dev/null 2>"$T/err"
check "report --queue-max 50 exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
# the largest k whose ranks 1..k of all townships fit in 50
k=$(tail -n +2 "$T/og/review_queue.csv" | cut -d, -f2 | sort -n | uniq -c |
    awk '{s += $1; if (s > 50) exit; k = $2} END {print k + 0}')
tail -n +2 "$T/og/review_queue.csv" | awk -F, -v k="$k" '$2 <= k {print ($3 != "" ? $3 : $4)}' >"$T/want"
browse --dump-dom "file://$T/cap.html" >"$T/cap.dom" 2>"$T/cap.log"
shown "$T/cap.dom" >"$T/got"
nc=$(wc -l <"$T/want")
check "--queue-max 50: ranks 1..$k of every township, $nc households" \
    "[ $k -ge 1 ] && [ $nc -le 50 ] && cmp -s '$T/want' '$T/got'"
check "--queue-max 50: the page states the cap" "grep -q '本页收录每个乡镇排名前 $k 的 $nc 户（本页上限 50 户）' '$T/cap.html'"
"$HEDUI" report --from "$T/og" --queue-max x 2>"$T/err"
check "--queue-max x exits 2" '[ $? -eq 2 ]'

browse --screenshot="$ART/report.png" --window-size=1280,2000 "file://$T/run-report.html#open=HH006" \
    >"$T/shot.out" 2>"$T/shot.log"
browse --screenshot="$ART/report-filtered.png" --window-size=1280,1400 \
    "file://$T/run-report.html#t=610102002&s=high" >"$T/shot2.out" 2>"$T/shot2.log"
check "a screenshot of a filtered view" "[ -s '$ART/report-filtered.png' ]"
check "chromium takes a screenshot" "[ -s '$ART/report.png' ]"
check "the screenshot is a PNG of some substance" \
    "[ \"\$(head -c 4 '$ART/report.png' | od -An -tx1 | tr -d ' ')\" = 89504e47 ] && [ \$(wc -c <'$ART/report.png') -gt 20000 ]"
check "screenshot: console silent" "! console_lines '$T/shot.log' >/dev/null"
cp "$T/run-report.html" "$ART/report.html"
echo "report: screenshots $ART/report.png (HH006 opened), $ART/report-filtered.png (610102002, high); page: $ART/report.html" >&2

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
