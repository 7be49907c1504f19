#!/bin/sh
# serve_test.sh - end-to-end tests of `hedui serve` (issue 21).
#
# Usage: tests/serve_test.sh PATH/TO/hedui
# Installs what is missing (curl, wrk, openssl; chromium for the page) via
# tests/install-deps.sh.  On fixtures/ (`hedui index build` first):
#  1. the answers: POST /v1/check of every fixture household, alone and all
#     at once, equals `hedui check --json` on the same rows; a household
#     with an unusable value is answered as check answers it; GET
#     /v1/snapshot, /healthz, HEAD /; 400/413/405/404 name the field;
#  2. the access log: one JSON line per POST /v1/check (refusals too), no
#     ID number in clear, the keyed hash recomputed from the key file,
#     mode 0600; no ID number in the server's own lines;
#  3. snapshot swaps under load: wrk at 16 connections while the snapshot is
#     replaced ten times (SIGHUP and the file renamed over) and a damaged
#     one is refused: zero failed requests;
#  4. access control: a remote listener without TLS is refused; TLS with a
#     client certificate, bearer tokens (hashed in their file), 401s;
#  5. robustness: a slow client is cut off, 431 for too many headers, 503
#     beyond the connection limit, a Unix socket, SIGUSR1 reopens the log,
#     kill -9 loses no acknowledged log line and a restart appends;
#  6. the page in headless Chromium: typed, pasted, checked, the verdict
#     read back; no console error or CSP violation.
# Ends with "serve: N passed, M failed".
set -u
HEDUI=${1:?usage: serve_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-serve.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
ok()   { pass=$((pass + 1)); [ -n "${SERVE_TEST_VERBOSE:-}" ] && echo "serve: ok: $1" >&2; return 0; }
bad()  { fail=$((fail + 1)); echo "serve: FAIL: $*" >&2; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
PY="python3 $ROOT/tests/serve_client.py"
ASOF=2026-06-15
FX="$ROOT/fixtures"
IDX="$T/fx.idx"
ID_RE='[0-9]{17}[0-9Xx]'

sh "$ROOT/tests/install-deps.sh" serve >&2

# start NAME ARGS...: hedui serve in the background; $URL, $PORT, $SPID set
start() {
    name=$1; shift
    "$HEDUI" serve "$@" 2>"$T/$name.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
    URL=""
    for _ in $(seq 1 200); do
        URL=$(grep -o 'https\{0,1\}://[^ ]*:[0-9]*' "$T/$name.err" 2>/dev/null | head -1)
        [ -n "$URL" ] && break
        kill -0 $SPID 2>/dev/null || break
        sleep 0.05
    done
    PORT=${URL##*:}
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
post() { # BODY_FILE OUT [CURL_ARGS...] -> HTTP status on stdout
    b=$1 o=$2; shift 2
    curl -s -o "$o" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data-binary "@$b" "$@" "$URL/v1/check"
}

"$HEDUI" index build -q --data "$FX" --out "$IDX" --as-of $ASOF 2>"$T/err"
check "index build on fixtures ($(cat "$T/err"))" '[ -s "$IDX" ]'

# ---------------------------------------------------------------- 1. answers
start main --index "$IDX" --listen 127.0.0.1:0 --log "$T/access.log"
check "serve starts on 127.0.0.1 and says where ($(head -3 "$T/main.err"))" '[ -n "$URL" ]'
check "GET /healthz: ok" "[ \"\$(curl -s '$URL/healthz')\" = ok ]"
curl -s "$URL/v1/snapshot" >"$T/snap.json"
check "GET /v1/snapshot: feeds date, policy version and hash, built time" \
    "grep -q '\"feeds_as_of\":\"$ASOF\"' '$T/snap.json' && grep -q '\"policy\":{\"version\":\"2026.1\",\"xxh64\":\"[0-9a-f]\{16\}\"' '$T/snap.json' && grep -q '\"built\":\"20[0-9-]*T[0-9:]*Z\"' '$T/snap.json' && grep -q '\"social_insurance_through\":\"2026-05\"' '$T/snap.json'"
PHASH=$("$HEDUI" rules check --as-of $ASOF 2>/dev/null | sed -n 's/^policy reference, policy hash \([0-9a-f]*\) .*/\1/p')
check "GET /v1/snapshot: the rules language's policy the snapshot was built with ($PHASH)" \
    "[ \${#PHASH} -eq 16 ] && grep -q '\"pack\":\"reference\",\"policy_hash\":\"$PHASH\"' '$T/snap.json'"
curl -sI "$URL/" >"$T/head.txt"
check "HEAD /: the page, with a strict CSP and no caching" \
    "grep -q '^HTTP/1.1 200' '$T/head.txt' && grep -qi \"^Content-Security-Policy: default-src 'none'; script-src 'sha256-\" '$T/head.txt' && grep -qi '^Cache-Control: no-store' '$T/head.txt'"
curl -s "$URL/" >"$T/page.html"
check "the page is self-contained (no URL to fetch) and in Chinese" \
    "! grep -qiE '(src|href)=\"?(https?:|//)' '$T/page.html' && grep -q '申请家庭核对' '$T/page.html'"

B="$T/bodies"
n=$($PY bodies "$FX" "$B" --as-of $ASOF --reason "serve_test 1")
same=0 total=0
for j in "$B"/*.json; do
    id=$(basename "$j" .json)
    total=$((total + 1))
    st=$(post "$j" "$B/$id.served")
    "$HEDUI" check --index "$IDX" --households "$B/$id.households.csv" \
        --members "$B/$id.members.csv" --as-of $ASOF --json >"$B/$id.checked" 2>/dev/null
    if [ "$st" = 200 ] && $PY compare "$B/$id.served" "$B/$id.checked" \
        "$B/$id.households.csv" "$B/$id.members.csv" 2>"$B/$id.diff"; then
        same=$((same + 1))
    else
        echo "serve: $id (status $st) differs from check --json:" >&2
        head -5 "$B/$id.diff" >&2
    fi
done
check "POST /v1/check of each of the $n fixture households, and all at once, equals check --json ($same of $total)" \
    "[ $same -eq $total ] && [ $total -eq \$(($n + 1)) ] && [ $n -gt 40 ]"
check "... the all-at-once answer has every household and the rule labels" \
    "[ \$(grep -o '\"household_id\"' '$B/ALL.served' | wc -l) -eq $n ] && grep -q '\"rule_zh\":\"名下有机动车\"' '$B/ALL.served'"
# HH025 with an income written 1,200: needs review, as check answers it
sed 's/"declared_monthly_income": "0.00"/"declared_monthly_income": "1,200"/' "$B/HH025.json" >"$T/h25.json"
sed '3s/,0.00,/,"1,200",/' "$B/HH025.members.csv" >"$T/h25.members.csv"
st=$(post "$T/h25.json" "$T/h25.served")
"$HEDUI" check --index "$IDX" --households "$B/HH025.households.csv" --members "$T/h25.members.csv" \
    --as-of $ASOF --json >"$T/h25.checked" 2>/dev/null
check "a household with an unusable value (income '1,200'): 200, needs review, as check answers it" \
    "[ $st = 200 ] && grep -q '\"verdict\":\"needs_review\"' '$T/h25.served' && grep -q '\"reason\":\"member_row\"' '$T/h25.served' && $PY compare '$T/h25.served' '$T/h25.checked' '$B/HH025.households.csv' '$T/h25.members.csv'"
# a check as of five weeks after the feeds: needs review, not no finding
sed 's/"as_of": "2026-06-15"/"as_of": "2026-07-21"/' "$B/HH001.json" >"$T/late.json"
st=$(post "$T/late.json" "$T/late.served")
check "HH001 as of 2026-07-21 (past the feeds): needs review with feeds_short and an age warning" \
    "[ $st = 200 ] && grep -q '\"verdict\":\"needs_review\"' '$T/late.served' && grep -q '\"reason\":\"feeds_short\"' '$T/late.served' && grep -q '\"warnings\":\[\"the snapshot' '$T/late.served'"

# refusals: 400 with the field, 413, 405, 404
refused() { # NAME BODY WANT_STATUS WANT_FIELD
    printf '%s' "$2" >"$T/bad.json"
    st=$(post "$T/bad.json" "$T/bad.out")
    check "$1: $3 naming $4 ($(cat "$T/bad.out"))" \
        "[ '$st' = '$3' ] && grep -qF '\"field\":\"$4\"' '$T/bad.out'"
}
H='"household_id":"X1","region_code":"610102001001","program":"dibao","area_type":"urban","status":"applying","applied_on":"2026-06-01","monthly_benefit":"0"'
refused "a body that is not JSON" 'households=1' 400 body
refused "a missing column" "{\"reason\":\"t\",\"households\":[{\"household_id\":\"X1\",\"members\":[]}]}" 400 'households[0].region_code'
refused "a number instead of a string" "{\"reason\":\"t\",\"households\":[{$H,\"members\":[{\"id_no\":\"1\",\"relation\":\"head\",\"declared_monthly_income\":100,\"work_ability\":\"full\",\"disability_grade\":\"0\"}]}]}" 400 'households[0].members[0].declared_monthly_income'
refused "an unknown key (a typo)" "{\"reason\":\"t\",\"households\":[{$H,\"memebrs\":[]}]}" 400 'households[0].memebrs'
refused "a bad as_of" "{\"reason\":\"t\",\"as_of\":\"15/06/2026\",\"households\":[{$H,\"members\":[]}]}" 400 as_of
refused "no reason for the look-up" "{\"households\":[{$H,\"members\":[]}]}" 400 reason
refused "a household twice" "{\"reason\":\"t\",\"households\":[{$H,\"members\":[]},{$H,\"members\":[]}]}" 400 'households[1].household_id'
refused "a line break in a value" "{\"reason\":\"t\",\"households\":[{$H,\"members\":[{\"id_no\":\"1\\n2\",\"relation\":\"head\",\"declared_monthly_income\":\"1\",\"work_ability\":\"full\",\"disability_grade\":\"0\"}]}]}" 400 'households[0].members[0].id_no'
python3 -c "
import json; h=json.loads('{$H}'); h['members']=[]
hs=[dict(h, household_id='X%d' % i) for i in range(1001)]
print(json.dumps({'reason':'t','households':hs}))" >"$T/many.json"
st=$(post "$T/many.json" "$T/many.out")
check "1001 households in one request: 413 (limit 1000)" "[ $st = 413 ] && grep -q '\"field\":\"households\"' '$T/many.out'"
head -c 1200000 /dev/zero | tr '\0' ' ' >"$T/big.json"
st=$(post "$T/big.json" "$T/big.out")
check "a body over 1 MiB: 413" "[ $st = 413 ]"
printf '{"reason":"hdr","households":[{%s,"members":[]}]}' "$H" >"$T/hdr.json"
st=$(post "$T/hdr.json" "$T/hdr.out" -H 'X-Hedui-Reason: 申请编号 A-7')
check "the reason may come in X-Hedui-Reason (the JSON one wins)" "[ $st = 200 ]"
printf '{"households":[{%s,"members":[]}]}' "$H" >"$T/hdr2.json"
st=$(post "$T/hdr2.json" "$T/hdr2.out" -H 'X-Hedui-Reason: case-B-12')
check "... or only in the header" "[ $st = 200 ] && grep -q '\"no_members\":true' '$T/hdr2.out'"
check "GET /v1/check: 405 with Allow: POST" \
    "curl -s -i '$URL/v1/check' | grep -q '^Allow: POST'"
check "an unknown path: 404" "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/nope')\" = 404 ]"

# ---------------------------------------------------------------- 2. access log
lines=$($PY loglines "$T/access.log")
# every POST /v1/check so far: the fixture bodies, h25, late, 8 refused, many, big, hdr, hdr2
want=$((total + 2 + 8 + 1 + 1 + 2))
check "one access-log line per POST /v1/check, refusals included ($lines lines, $want posts)" \
    "[ '$lines' = '$want' ]"
check "the access log is mode 600 and so is its key (32 bytes)" \
    "[ \"\$(stat -c %a '$T/access.log')\" = 600 ] && [ \"\$(stat -c %a '$T/access.log.key')\" = 600 ] && [ \$(stat -c %s '$T/access.log.key') -eq 32 ]"
# the log's keyed hashes are hex, and 18 decimal digits in a row turn up in
# random hex now and then: an ID in clear is a digit run not inside a hex
# word, or any of the fixtures' own ID numbers
{ cut -d, -f2 "$FX/members.csv"; cut -d, -f1 "$FX/hukou.csv"; } | grep -E "^$ID_RE\$" | sort -u >"$T/fx-ids"
check "no ID number in clear in the access log" \
    "[ -s '$T/fx-ids' ] && ! grep -qF -f '$T/fx-ids' '$T/access.log' && ! grep -qE '(^|[^0-9A-Fa-f])$ID_RE(\$|[^0-9A-Fa-f])' '$T/access.log'"
h1=$($PY hmac "$T/access.log.key" 610102196504121017)
check "the ID numbers are keyed hashes: HMAC-SHA-256 of HH001's head, recomputed from the key, is there" \
    "grep '\"reason\":\"serve_test 1\"' '$T/access.log' | grep -q '\"id\":\"HH001\",\"verdict\":\"no_finding\",\"ids\":\[\"$h1\"'"
check "the line records time, caller, peer, reason, status, as_of, snapshot, verdicts" \
    "grep -q '\"caller\":\"local\",\"peer\":\"127.0.0.1:[0-9]*\",\"reason\":\"serve_test 1\",\"status\":200,\"as_of\":\"$ASOF\",\"snapshot\":\"$ASOF [0-9a-f]* #1\"' '$T/access.log'"
check "a refusal is recorded with its status and field" \
    "grep -q '\"status\":400,\"refused\":\"households\[0\].region_code\"' '$T/access.log'"
check "a body refused by its Content-Length is recorded too" \
    "grep -q '\"status\":413,\"refused\":\"body\"' '$T/access.log'"
check "the JSON reason wins over the header" \
    "grep -q '\"reason\":\"hdr\"' '$T/access.log' && ! grep -q 'A-7' '$T/access.log'"
check "the reason from the header is recorded" "grep -q '\"reason\":\"case-B-12\"' '$T/access.log'"
check "no ID number in the server's own lines" "! grep -qE '$ID_RE' '$T/main.err'"

# ---------------------------------------------------------------- 3. swaps under load
cat >"$T/post.lua" <<EOF
local f = io.open("$B/HH006.json"); local b1 = f:read("*a"); f:close()
f = io.open("$B/HH001.json"); local b2 = f:read("*a"); f:close()
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function() i = i + 1; return wrk.format(nil, "/v1/check", nil, i % 2 == 0 and b1 or b2) end
local bad = 0
response = function(status) if status ~= 200 then bad = bad + 1 end end
done = function(s) io.write(string.format("REQUESTS %d NON200 %d ERRORS %d\n", s.requests,
    bad, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status)) end
EOF
gen0=$(curl -s "$URL/v1/snapshot" | sed 's/.*"generation":\([0-9]*\).*/\1/')
wrk -t2 -c16 -d14s --timeout 5s -s "$T/post.lua" "$URL" >"$T/wrk.out" 2>&1 &
WRK=$!
sleep 1
i=0
while [ $i -lt 10 ]; do
    d=$(( (i % 2) + 15 ))
    "$HEDUI" index build -q --data "$FX" --out "$T/next.idx" --as-of 2026-06-$d 2>/dev/null
    if [ $((i % 2)) -eq 0 ]; then
        mv "$T/next.idx" "$IDX"          # the file replaced: seen within a second
    else
        cp "$T/next.idx" "$T/next2.idx" && mv "$T/next2.idx" "$IDX"
        kill -HUP $SPID                  # and SIGHUP
    fi
    sleep 1.1
    i=$((i + 1))
done
cp "$IDX" "$T/good.idx"
cp "$IDX" "$T/bad.idx" && printf 'X' | dd of="$T/bad.idx" bs=1 seek=5000 conv=notrunc 2>/dev/null
mv "$T/bad.idx" "$IDX"
sleep 1.5
wait $WRK
gen1=$(curl -s "$URL/v1/snapshot" | sed 's/.*"generation":\([0-9]*\).*/\1/')
check "wrk ran ($(grep REQUESTS "$T/wrk.out"))" "grep -q '^REQUESTS [0-9][0-9][0-9]' '$T/wrk.out'"
check "zero failed requests across the swaps" "grep -q 'NON200 0 ERRORS 0$' '$T/wrk.out'"
check "ten swaps happened (generation $gen0 -> $gen1)" "[ \$((gen1 - gen0)) -ge 10 ]"
check "the damaged snapshot was refused, the old one serving on" \
    "grep -q 'refused the new snapshot (snapshot .* is damaged' '$T/main.err' && [ \"\$(curl -s '$URL/healthz')\" = ok ]"
st=$(post "$B/HH006.json" "$T/after.out")
check "after the refusal, answers come from the last good snapshot" \
    "[ $st = 200 ] && grep -q '\"rule_id\":\"E03_VEHICLE\"' '$T/after.out'"
mv "$T/good.idx" "$IDX"
kill -HUP $SPID
sleep 0.5

# ---------------------------------------------------------------- 4. access control
timeout 20 "$HEDUI" serve --index "$IDX" --listen 0.0.0.0:0 --log "$T/r.log" 2>"$T/remote.err"
rc=$?
check "a remote listener without TLS is refused (exit 2, saying why)" \
    "[ $rc -eq 2 ] && grep -q 'not a loopback address: a remote listener needs TLS' '$T/remote.err'"
timeout 20 "$HEDUI" serve --index "$IDX" --listen "[::]:0" --log "$T/r.log" 2>"$T/remote6.err"
check "... also on IPv6 any" "[ \$? -eq 2 ]"
P="$T/pki"
mkdir -p "$P"
(
    cd "$P" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=hedui test CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >srv.ext
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj "/O=Xian civil affairs/CN=caseworker-0107" 2>/dev/null
    openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 2 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -keyout evil.key -out evil.pem -days 2 -subj "/CN=intruder" 2>/dev/null
    chmod 600 ./*.key
)
check "test certificates made" "[ -s '$P/srv.pem' ] && [ -s '$P/cli.pem' ]"
TOKEN="tok-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '# test tokens\ncaseworker-tok %s\n' "$(printf '%s' "$TOKEN" | "$HEDUI" serve --hash-token)" >"$T/tokens"
chmod 600 "$T/tokens"
check "--hash-token prints a sha256 line, and the file holds no token" \
    "grep -q 'caseworker-tok sha256:[0-9a-f]\{64\}' '$T/tokens' && ! grep -q '$TOKEN' '$T/tokens'"
start tls --index "$IDX" --listen 0.0.0.0:0 --log "$T/tls.log" --tls-cert "$P/srv.pem" \
    --tls-key "$P/srv.key" --client-ca "$P/ca.pem" --tokens "$T/tokens"
check "a remote listener with TLS, client CA and tokens starts ($(tail -1 "$T/tls.err"))" "[ -n '$PORT' ]"
U="https://127.0.0.1:$PORT"
st=$(curl -s -o "$T/tls1.out" -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/cli.pem" \
    --key "$P/cli.key" -X POST --data-binary "@$B/HH006.json" "$U/v1/check")
check "TLS + client certificate: 200 and the answer" \
    "[ $st = 200 ] && grep -q '\"rule_id\":\"E03_VEHICLE\"' '$T/tls1.out'"
check "... the caller in the log is the certificate's subject" \
    "grep -q '\"caller\":\"cert:O=Xian civil affairs,CN=caseworker-0107\"' '$T/tls.log'"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" -X POST \
    --data-binary "@$B/HH006.json" "$U/v1/check")
check "TLS without a certificate or token: 401" "[ $st = 401 ]"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/evil.pem" \
    --key "$P/evil.key" -X POST --data-binary "@$B/HH006.json" "$U/v1/check")
check "TLS with a certificate of another CA: not answered (401 or refused)" "[ '$st' != 200 ]"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" -H "Authorization: Bearer $TOKEN" \
    -X POST --data-binary "@$B/HH006.json" "$U/v1/check")
check "TLS + bearer token: 200, caller token:caseworker-tok" \
    "[ $st = 200 ] && grep -q '\"caller\":\"token:caseworker-tok\"' '$T/tls.log'"
st=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" -H "Authorization: Bearer ${TOKEN}x" \
    -X POST --data-binary "@$B/HH006.json" "$U/v1/check")
check "a wrong token: 401, recorded" "[ $st = 401 ] && grep -q '\"status\":401' '$T/tls.log'"
check "GET /v1/snapshot without credentials: 401; /healthz needs none" \
    "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert '$P/ca.pem' '$U/v1/snapshot')\" = 401 ] && [ \"\$(curl -s --cacert '$P/ca.pem' '$U/healthz')\" = ok ]"
check "no token in the server's lines or the log" "! grep -q '$TOKEN' '$T/tls.err' '$T/tls.log'"
stop $SPID
chmod 644 "$P/srv.key"
timeout 20 "$HEDUI" serve --index "$IDX" --listen 127.0.0.1:0 --log "$T/k.log" --tls-cert "$P/srv.pem" \
    --tls-key "$P/srv.key" 2>"$T/key.err"
check "a TLS key readable by others is refused (exit 5)" "[ \$? -eq 5 ] && grep -q 'chmod 600' '$T/key.err'"
chmod 600 "$P/srv.key"
start tok --index "$IDX" --listen 127.0.0.1:0 --log "$T/tok.log" --tokens "$T/tokens"
check "loopback with --tokens: no token 401, the token 200" \
    "[ \"\$(post '$B/HH001.json' /dev/null)\" = 401 ] && [ \"\$(post '$B/HH001.json' /dev/null -H 'Authorization: Bearer $TOKEN')\" = 200 ]"
stop $SPID

# ---------------------------------------------------------------- 5. robustness
start lim --index "$IDX" --listen 127.0.0.1:0 --log "$T/lim.log" --request-timeout 2 --max-connections 3
r=$($PY slowloris 127.0.0.1 "$PORT" 8)
check "a slow client (a byte every 0.5 s) is cut off at the 2 s deadline (after $r s)" \
    "[ '$r' != open ] && awk 'BEGIN { exit !($r >= 1.5 && $r <= 6) }'"
check "... and the server says so" "grep -q 'closed [0-9]* connection(s) that did not finish a request in 2 s' '$T/lim.err'"
check "200 header lines: 431" "[ \"\$($PY headers 127.0.0.1 $PORT 200)\" = 431 ]"
check "a header of 60 KB: 431" "[ \"\$($PY headers 127.0.0.1 $PORT 1 60000)\" = 431 ]"
check "over the connection limit: 503, then 200 once they close" \
    "[ \"\$($PY overload 127.0.0.1 $PORT 4)\" = '503 200' ]"
check "the server is still up" "[ \"\$(curl -s '$URL/healthz')\" = ok ]"
stop $SPID

start sock --index "$IDX" --socket "$T/hedui.sock" --log "$T/sock.log"
st=$(curl -s -o "$T/sock.out" -w '%{http_code}' --unix-socket "$T/hedui.sock" -X POST \
    --data-binary "@$B/HH006.json" http://localhost/v1/check)
check "a Unix socket (mode 600): 200, the peer's uid in the log" \
    "[ $st = 200 ] && [ \"\$(stat -c %a '$T/hedui.sock')\" = 600 ] && grep -q '\"peer\":\"unix:uid=[0-9]*,pid=[0-9]*\"' '$T/sock.log'"
mv "$T/sock.log" "$T/sock.log.1"
kill -USR1 $SPID
for _ in $(seq 1 100); do [ -e "$T/sock.log" ] && break; sleep 0.1; done
curl -s -o /dev/null --unix-socket "$T/hedui.sock" -X POST --data-binary "@$B/HH001.json" \
    http://localhost/v1/check
check "SIGUSR1 after a rename: a new log (mode 600) gets the next line, the old one is kept" \
    "[ \$(wc -l <'$T/sock.log') -eq 1 ] && [ \$(wc -l <'$T/sock.log.1') -eq 1 ] && [ \"\$(stat -c %a '$T/sock.log')\" = 600 ]"
stop $SPID
check "the socket is removed at exit" "[ ! -e '$T/hedui.sock' ]"

# kill -9 in the middle of a stream of look-ups: every acknowledged one is in the log
start k9 --index "$IDX" --listen 127.0.0.1:0 --log "$T/k9.log"
: >"$T/acked"
(
    i=0
    while [ $i -lt 400 ]; do
        sed "s/\"reason\": \"serve_test 1\"/\"reason\": \"k9-$i\"/" "$B/HH006.json" >"$T/k9.json"
        st=$(post "$T/k9.json" /dev/null) || true
        [ "$st" = 200 ] && echo "k9-$i" >>"$T/acked"
        i=$((i + 1))
    done
) &
LOOP=$!
for _ in $(seq 1 150); do [ "$(wc -l <"$T/acked")" -ge 20 ] && break; sleep 0.1; done
kill -9 $SPID
wait $LOOP 2>/dev/null
acked=$(wc -l <"$T/acked")
missing=0
while read -r r; do grep -q "\"reason\":\"$r\"" "$T/k9.log" || missing=$((missing + 1)); done <"$T/acked"
check "kill -9: all $acked acknowledged look-ups are in the log ($missing missing)" \
    "[ $acked -gt 5 ] && [ $missing -eq 0 ]"
size1=$(stat -c %s "$T/k9.log")
start k9b --index "$IDX" --listen 127.0.0.1:0 --log "$T/k9.log"
post "$B/HH001.json" /dev/null >/dev/null
stop $SPID
check "a restart appends to the log (never truncates) and every line is whole JSON" \
    "[ \$(stat -c %s '$T/k9.log') -gt $size1 ] && $PY loglines '$T/k9.log' >/dev/null"

# ---------------------------------------------------------------- 6. the page in Chromium
if sh "$ROOT/tests/install-deps.sh" report >&2 && command -v chromium >/dev/null 2>&1; then
    start page --index "$IDX" --listen 127.0.0.1:0 --log "$T/page.log"
    # HH006's head (a car of 86000) applying anew; and HH001 as it is
    cat >"$T/scen1.json" <<'EOF'
{"reason": "申请编号 2026-118", "as_of": "2026-06-15",
 "fields": {"household_id": "SQ-0001", "region_code": "610102001001", "program": "dibao",
            "area_type": "urban", "status": "applying", "applied_on": "2026-06-10"},
 "paste": "身份证号\t姓名\t关系\t月收入\t劳动能力\t残疾等级\n61010219800105101X\t郑海\t户主\t700.00\t完全\t0\n"}
EOF
    cat >"$T/scen2.json" <<'EOF'
{"reason": "申请编号 2026-119", "as_of": "2026-06-15",
 "fields": {"household_id": "HH001", "region_code": "610102001001", "program": "dibao",
            "area_type": "urban", "status": "active", "applied_on": "2026-05-01",
            "approved_on": "2026-05-10", "monthly_benefit": "500", "caseworker_id": "CW01"},
 "paste": "610102196504121017\t张建国\t户主\t400.00\t部分\t0\n610102196708051022\t李秀英\t配偶\t1,300\t部分\t3级\n"}
EOF
    python3 "$ROOT/tests/serve_page.py" "$URL/" "$T/scen1.json" "$T/prof1" >"$T/page1.json" 2>"$T/page1.err"
    check "the page in Chromium: typed, pasted, checked ($(tail -2 "$T/page1.err"))" \
        "grep -q '\"state\": \"done\"' '$T/page1.json'"
    check "... the verdict read back: 疑似不符合条件" \
        "grep -q '\"verdict\": \"疑似不符合条件\", \"data_verdict\": \"looks_ineligible\"' '$T/page1.json'"
    check "... the finding with its Chinese rule name and evidence" \
        "grep -q '名下有机动车 E03_VEHICLE' '$T/page1.json' && grep -q 'vehicles: car 陕A12345' '$T/page1.json'"
    check "... the pasted row filled the members table" \
        "grep -q '\"filled\": \[\[\"61010219800105101X\", \"郑海\", \"head\", \"700.00\", \"full\", \"0\"\]\]' '$T/page1.json'"
    check "... no console error, exception or CSP violation" \
        "grep -q '\"csp\": \[\], \"console\": \[\]' '$T/page1.json'"
    python3 "$ROOT/tests/serve_page.py" "$URL/" "$T/scen2.json" "$T/prof2" >"$T/page2.json" 2>"$T/page2.err"
    check "the page: HH001 typed in, income pasted as '1,300' (read as 1300): 无发现" \
        "grep -q '\"data_verdict\": \"no_finding\"' '$T/page2.json' && grep -q '\"1300\", \"partial\", \"3\"' '$T/page2.json' && grep -q '\"csp\": \[\], \"console\": \[\]' '$T/page2.json'"
    check "the page's look-ups are in the access log with their reasons" \
        "grep -q '\"reason\":\"申请编号 2026-118\"' '$T/page.log' && grep -q '\"reason\":\"申请编号 2026-119\"' '$T/page.log'"
    ART=${HEDUI_ARTIFACT_DIR:-}
    [ -n "$ART" ] && mkdir -p "$ART" && cp "$T/prof1/page.png" "$ART/serve-page.png" 2>/dev/null
    stop $SPID
else
    bad "chromium is not installed and could not be installed (tests/install-deps.sh report)"
fi

MAIN=$(echo $PIDS | awk '{print $1}')
kill "$MAIN" 2>/dev/null
wait "$MAIN"
rc=$?
check "the main server stops on SIGTERM with status 0 and says what it did" \
    "[ $rc -eq 0 ] && grep -q 'stopped: [0-9]* checks answered' '$T/main.err'"
check "no sanitizer report (ASan, UBSan, leaks) in any server's stderr" \
    "! cat '$T'/*.err | grep -qE 'Sanitizer|runtime error'"
check "no ID number in any server's lines" "! cat '$T'/*.err | grep -qE '$ID_RE'"

echo "serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
