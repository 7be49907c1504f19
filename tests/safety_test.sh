#!/bin/sh
# safety_test.sh - what leaves the process, and where the outputs go, as a
# careful user and an adversary would try it (issue 17: items 3, 4, 7).
#
# Usage: tests/safety_test.sh PATH/TO/hedui
# 1. No full ID number in any message (stderr of every run below is
#    scanned), a feed without its header row and a symbolic link to a
#    system file echo nothing of the file, the reject-limit message is
#    masked and names the bureau-only rejects-stopped.csv, report.html and
#    export packs mask IDs written with spaces or hyphens, a CONNINFO
#    password is gone from /proc/PID/cmdline.
# 2. The output directory: refusals (foreign, `--out .`, sticky 1777,
#    home, --data inside) change nothing; a shared setgid directory (and
#    its ACL, where setfacl exists) keeps owner, group, mode and inode over
#    runs; a mount point works; a parent without write access is not
#    needed; kill -9 at every publish step leaves the old run or a publish
#    the next run completes; two runs on one --out or one --state: the
#    second names the holder and changes nothing.
# 3. Inputs that are not regular files, UTF-16, NUL-heavy and semicolon
#    files: a clear message and exit 3 within seconds, never a hang.
# Runs as root (as in CI); what cannot be set up here is counted as
# skipped, never as passed.
set -u
HEDUI=${1:?usage: safety_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-safety.XXXXXX")
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "safety: FAIL: $*" >&2; }
skip() { skip=$((skip + 1)); echo "safety: SKIP: $*" >&2; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }
FX="$ROOT/fixtures"
ASOF=2026-06-15
SEED=20260615
run() { "$HEDUI" run -q --as-of $ASOF --seed $SEED "$@"; }
# every stderr of this script goes to $T/err.N, scanned at the end
n_err=0
errf() { n_err=$((n_err + 1)); echo "$T/err.$n_err"; }
same_lists() { # DIR REF: the four lists and a manifest
    for f in flags.csv review_queue.csv spotcheck.csv rejects.csv; do
        cmp -s "$1/$f" "$2/$f" || return 1
    done
    [ -s "$1/manifest.json" ]
}
dirstate() { stat -c '%i %a %u %g' "$1"; }
listing() { ls -A "$1" | tr '\n' ' '; }

mkdir -p "$T/fx" && cp "$FX"/*.csv "$T/fx/"
run --data "$T/fx" --out "$T/ref" 2>"$(errf)"
check "reference run exits 0" '[ $? -eq 0 ]'

# ================================================================ 1. messages
# 1a. a feed without its header row: named as such, the row not echoed
mkdir -p "$T/nohdr" && cp "$FX"/*.csv "$T/nohdr/"
tail -n +2 "$FX/members.csv" >"$T/nohdr/members.csv"
E=$(errf); run --data "$T/nohdr" --out "$T/o1a" 2>"$E"
check "a feed without its header row exits 3" '[ $? -eq 3 ]'
check "the message says 'no header row?'" "grep -q 'no header row?' '$E'"
first=$(head -1 "$T/nohdr/members.csv" | cut -d, -f2)
check "the first data row's ID is not on stderr" "! grep -q '$first' '$E'"
check "nor its name" "! grep -q '$(head -1 "$T/nohdr/members.csv" | cut -d, -f3)' '$E'"

# 1b. a symbolic link to a system file: nothing of it echoed
mkdir -p "$T/sys" && cp "$FX"/*.csv "$T/sys/"
ln -sf /etc/passwd "$T/sys/vehicles.csv"
E=$(errf); run --data "$T/sys" --out "$T/o1b" 2>"$E"
check "a feed linked to /etc/passwd exits 3" '[ $? -eq 3 ]'
leak=0
while IFS= read -r line; do
    [ -n "$line" ] && grep -qF -- "$(echo "$line" | cut -c1-12)" "$E" && leak=1
done </etc/passwd
check "no line of /etc/passwd on stderr ($(head -c 200 "$E"))" "[ $leak -eq 0 ]"
# and a header that is ours but drifted is still shown (column names only)
mkdir -p "$T/drift" && cp "$FX"/*.csv "$T/drift/"
sed '1s/plate_no/plate/' "$FX/vehicles.csv" >"$T/drift/vehicles.csv"
E=$(errf); run --data "$T/drift" --out "$T/o1c" 2>"$E"
check "a renamed column is still named in the message" \
    "grep -q 'missing column(s): plate_no; the header has: plate, id_no' '$E'"

# 1c. the reject limit: the message masked, the rejects kept for the bureau
mkdir -p "$T/rl" && cp "$FX"/*.csv "$T/rl/"
awk -F, 'BEGIN{OFS=","} NR>1 && NR<=21 {$5="610102198001051011"} {print}' \
    "$FX/vehicles.csv" >"$T/rl/vehicles.csv"
cp -r "$T/ref" "$T/o1d"
E=$(errf); run --data "$T/rl" --out "$T/o1d" 2>"$E"
check "a feed over the reject limit exits 1" '[ $? -eq 1 ]'
check "the reject-limit message quotes the value masked" "grep -q '610102\*\*\*\*\*\*\*\*1011' '$E'"
check "the reject-limit message holds no full ID" "! grep -q '610102198001051011' '$E'"
check "the message names the rejects file" "grep -q \"$T/o1d/rejects-stopped.csv (for the bureau only\" '$E'"
check "rejects-stopped.csv holds the rejected rows" \
    "[ \$(grep -c '^vehicles.csv,' '$T/o1d/rejects-stopped.csv') -ge 20 ]"
check "rejects-stopped.csv is mode 600" "[ \"\$(stat -c %a '$T/o1d/rejects-stopped.csv')\" = 600 ]"
check "the previous run is untouched" "same_lists '$T/o1d' '$T/ref' && cmp -s '$T/o1d/manifest.json' '$T/ref/manifest.json'"
run --data "$T/fx" --out "$T/o1d" 2>"$(errf)"
check "the next good run removes rejects-stopped.csv" "[ ! -e '$T/o1d/rejects-stopped.csv' ]"

# 1d. lists for outsiders: IDs with spaces or hyphens masked in evidence
mkdir -p "$T/sp" && cp "$FX"/*.csv "$T/sp/"
printf 'HH001,610102 19650412 1018,张三,child,0,full,0\nHH001,610102-1965-0412-1019,张四,child,0,full,0\n' \
    >>"$T/sp/members.csv"
run --data "$T/sp" --out "$T/o1e" 2>"$(errf)"
check "the run with spaced IDs exits 0" '[ $? -eq 0 ]'
check "flags.csv (bureau) keeps the raw value" "grep -q '610102 19650412 1018' '$T/o1e/flags.csv'"
check "report.html masks IDs written with spaces and hyphens" \
    "! grep -q '19650412\|1965-0412' '$T/o1e/report.html' && grep -q '610102 \*\*\*\*\*\*\*\* 1018' '$T/o1e/report.html'"
"$HEDUI" export --format csv --out "$T/ex" --township all --from "$T/o1e" >/dev/null 2>"$(errf)"
check "export exits 0" '[ $? -eq 0 ]'
check "export packs mask IDs written with spaces and hyphens" \
    "! grep -q '19650412\|1965-0412' '$T'/ex/* && grep -q '610102 \*\*\*\*\*\*\*\* 1018' '$T'/ex/*"

# 1e. a password in CONNINFO is gone from argv (/proc/PID/cmdline, as ps
#     reads it), while the run still uses it: the run is held on a FIFO
#     as its policy file, so it is alive while we look
mkdir -p "$T/rules" && cp -r "$ROOT"/rules/* "$T/rules/" && rm -f "$T/rules/policy.rules"
mkfifo "$T/rules/policy.rules"
E=$(errf)
"$HEDUI" run -q --pg 'host=/nonexistent-hedui user=x password=s3cretPW dbname=x' \
    --rules "$T/rules" --as-of $ASOF 2>"$E" &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'run' "/proc/$pid/cmdline" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
if [ -r "/proc/$pid/cmdline" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" >"$T/cmdline"
    check "the password is not in /proc/PID/cmdline ($(cat "$T/cmdline"))" "! grep -q 's3cretPW' '$T/cmdline'"
    check "the rest of the argument is (password=********)" "grep -q 'password=\*\*\*\*\*\*\*\* dbname=x' '$T/cmdline'"
else
    bad "the --pg run was not alive to inspect"
fi
cp "$ROOT/rules/policy.rules" "$T/rules/policy.rules" 2>/dev/null &
wait $pid 2>/dev/null
wait
rm -f "$T/rules/policy.rules"
"$HEDUI" run -q --pg 'postgresql://u:s3cretURI@/x?host=/nonexistent-hedui' --as-of $ASOF >/dev/null 2>"$(errf)" &
pid=$!
wait $pid
check "a URI password is never printed either" "! grep -rq 's3cret' '$T'/err.*"

# ================================================================ 2. --out
# 2a. `--out .` in a directory of someone else's work: refused, untouched
mkdir -p "$T/mywork" && echo thesis >"$T/mywork/thesis.txt" && mkdir "$T/mywork/src"
before="$(dirstate "$T/mywork") $(listing "$T/mywork")"
E=$(errf); (cd "$T/mywork" && run --data "$T/fx" --out . 2>"$E")
check "--out . in a foreign directory exits 2" '[ $? -eq 2 ]'
check "the message explains" "grep -q 'is not empty (2 entries) and holds no earlier hedui output' '$E'"
check "the directory is untouched" "[ \"$before\" = \"\$(dirstate '$T/mywork') \$(listing '$T/mywork')\" ]"

# 2b. a sticky world-writable directory (like /tmp): refused, untouched
mkdir -p "$T/pub" && chmod 1777 "$T/pub"
before=$(dirstate "$T/pub")
E=$(errf); run --data "$T/fx" --out "$T/pub" 2>"$E"
check "a 1777 directory exits 2" '[ $? -eq 2 ]'
check "the message names it" "grep -q 'world-writable with the sticky bit' '$E'"
check "it stays 1777 root, same inode, empty" \
    "[ \"\$(dirstate '$T/pub')\" = '$before' ] && [ -z \"\$(ls -A '$T/pub')\" ]"
run --data "$T/fx" --out "$T/pub/mine" 2>"$(errf)"
check "a directory of its own inside it works" '[ $? -eq 0 ] && same_lists "$T/pub/mine" "$T/ref"'

# 2c. a home directory, and --data inside --out
mkdir -p "$T/home"
E=$(errf); HOME="$T/home" run --data "$T/fx" --out "$T/home" 2>"$E"
check "a home directory exits 2" '[ $? -eq 2 ] && grep -q "is a home directory" "$E"'
E=$(errf); run --data "$T/fx" --out "$T" 2>"$E"
check "an --out containing --data exits 2" '[ $? -eq 2 ] && grep -q "contains the data directory" "$E"'

# 2d. a shared setgid directory: owner, group, mode, ACL and inode kept
mkdir -p "$T/aud" && chgrp 4242 "$T/aud" 2>/dev/null; chmod 2770 "$T/aud"
acl=0
if command -v setfacl >/dev/null 2>&1 && setfacl -m u:4243:rwx,d:g:4242:rwx "$T/aud" 2>/dev/null; then
    acl=1; getfacl -p "$T/aud" >"$T/acl.before" 2>/dev/null
fi
before=$(dirstate "$T/aud")
run --data "$T/fx" --out "$T/aud" 2>"$(errf)" && run --data "$T/fx" --out "$T/aud" --seed 7 2>"$(errf)"
check "two runs into a shared directory exit 0" '[ $? -eq 0 ]'
check "inode, mode 2770, owner and group kept ($before -> $(dirstate "$T/aud"))" \
    "[ \"\$(dirstate '$T/aud')\" = '$before' ]"
check "files in it take its group" "[ \"\$(stat -c %g '$T/aud/flags.csv')\" = \"\$(stat -c %g '$T/aud')\" ]"
if [ $acl -eq 1 ]; then
    getfacl -p "$T/aud" >"$T/acl.after" 2>/dev/null
    check "the directory's ACL is kept" "cmp -s '$T/acl.before' '$T/acl.after'"
else
    skip "ACL kept (setfacl not installed or ACLs not supported here)"
fi

# 2e. a mount point: published into, still mounted, nothing left beside it
mkdir -p "$T/mnt"
if mount -t tmpfs -o size=16m,mode=0750 hedui-safety "$T/mnt" 2>/dev/null; then
    MNT="$T/mnt"
    before=$(dirstate "$T/mnt")
    run --data "$T/fx" --out "$T/mnt" 2>"$(errf)" && run --data "$T/fx" --out "$T/mnt" 2>"$(errf)"
    check "runs into a mount point exit 0" '[ $? -eq 0 ] && same_lists "$T/mnt" "$T/ref"'
    check "it is still the mount point, mode kept" \
        "mountpoint -q '$T/mnt' && [ \"\$(dirstate '$T/mnt')\" = '$before' ]"
    check "nothing was written beside it" "[ -z \"\$(ls -A '$T' | grep hedui)\" ]"
    umount "$T/mnt" && MNT=""
else
    skip "mount point (mount -t tmpfs not permitted here)"
fi

# 2f. no write access to the parent: an unprivileged user with an --out
#     of its own inside a root-owned 0755 directory
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    mkdir -p "$T/ro/out" && chown nobody "$T/ro/out" && chmod 0700 "$T/ro/out"
    chmod 0755 "$T/ro" "$T"
    chmod -R a+rX "$T/fx"
    E=$(errf)
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$HEDUI" run -q --as-of $ASOF \
        --seed $SEED --data "$T/fx" --out "$T/ro/out" --rules "$ROOT/rules" 2>"$E"
    rc=$?
    check "a run whose parent it cannot write exits 0 ($(head -c 200 "$E"))" "[ $rc -eq 0 ]"
    check "and publishes there" "same_lists '$T/ro/out' '$T/ref'"
    check "the parent holds nothing new" "[ \"\$(listing '$T/ro')\" = 'out ' ]"
    chmod 0700 "$T"
else
    skip "parent without write access (no setpriv or no user nobody)"
fi

# 2g. kill -9 at every step of the publish: the previous run, or (no
#     manifest) a publish that the next run completes before its own work
run --data "$T/fx" --out "$T/A" 2>"$(errf)"
run --data "$T/fx" --out "$T/B" --seed 7 2>"$(errf)"
check "runs A and B differ (so a mix would show)" "! cmp -s '$T/A/spotcheck.csv' '$T/B/spotcheck.csv'"
for step in 1 2 3 4 5 6; do
    rm -rf "$T/K" && cp -r "$T/A" "$T/K"
    HEDUI_TEST_KILL_AT_STEP=$step run --data "$T/fx" --out "$T/K" --seed 7 2>/dev/null
    rc=$?
    if [ -s "$T/K/manifest.json" ] && same_lists "$T/K" "$T/A"; then state=A
    elif [ -s "$T/K/manifest.json" ] && same_lists "$T/K" "$T/B"; then state=B
    elif [ ! -e "$T/K/manifest.json" ] && [ -d "$T/K/.hedui-publish" ]; then state=interrupted
    else state=mixed; fi
    # 1: before the rename (a stale temporary directory); 2: complete in
    # .hedui-publish, the previous run still whole; 3-5: no manifest;
    # 6: the new manifest in place
    case $step in
        1|2) want=A ;; 6) want=B ;; *) want=interrupted ;;
    esac
    check "kill at publish step $step (exit $rc): $state, want $want" "[ $state = $want ]"
    # the next run (itself killed before it publishes) completes the publish
    HEDUI_TEST_KILL_AT_STEP=1 run --data "$T/fx" --out "$T/K" 2>/dev/null
    [ $step = 1 ] && want2=A || want2=B
    check "after kill at step $step the next run finds run $want2 complete" \
        "same_lists '$T/K' '$T/$want2' && [ ! -e '$T/K/.hedui-publish' ]"
    run --data "$T/fx" --out "$T/K" 2>"$(errf)"
    check "after kill at step $step a full run publishes, no temporary left" \
        "same_lists '$T/K' '$T/A' && [ -z \"\$(ls -A '$T/K' | grep -v '^.hedui.lock\$' | grep '^[.]')\" ]"
done

# 2h. two runs on one --out: the second names the holder, changes nothing
rm -rf "$T/L" && cp -r "$T/A" "$T/L"
HEDUI_TEST_PAUSE_BEFORE_PUBLISH=3 "$HEDUI" run -q --as-of $ASOF --data "$T/fx" --out "$T/L" \
    --seed 7 2>"$(errf)" &
p1=$!
i=0
while [ $i -lt 50 ] && [ -z "$(ls -A "$T/L" | grep hedui-tmp)" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
before="$(listing "$T/L") $(stat -c %Y "$T/L/.hedui.lock")"
E=$(errf); run --data "$T/fx" --out "$T/L" 2>"$E"
rc=$?
check "a second run on the same --out exits 6" "[ $rc -eq 6 ]"
check "it names the holder's pid and start time ($(cat "$E"))" \
    "grep -q 'is in use by another hedui run (pid $p1, started 20[0-9-]* [0-9:]*' '$E'"
check "it changed nothing" "[ \"$before\" = \"\$(listing '$T/L') \$(stat -c %Y '$T/L/.hedui.lock')\" ]"
wait $p1
check "the first run completes" '[ $? -eq 0 ] && same_lists "$T/L" "$T/B"'

# 2i. two runs on one --state (different --out)
HEDUI_TEST_PAUSE_BEFORE_PUBLISH=3 "$HEDUI" run -q --as-of $ASOF --data "$T/fx" --out "$T/S1" \
    --state "$T/st" 2>"$(errf)" &
p1=$!
i=0
while [ $i -lt 60 ] && [ -z "$(ls -A "$T/S1" 2>/dev/null | grep hedui-tmp)" ]; do
    sleep 0.1; i=$((i + 1))
done
E=$(errf); run --data "$T/fx" --out "$T/S2" --state "$T/st" 2>"$E"
check "a second run on the same --state exits 6" '[ $? -eq 6 ]'
check "it names the holder" "grep -q -- '--state .* is in use by another hedui run (pid $p1' '$E'"
wait $p1
check "the first run completes" '[ $? -eq 0 ]'

# ================================================================ 3. inputs
in_case() { # LABEL MESSAGE-PATTERN: run on $T/in, exit 3 within 10 s
    E=$(errf)
    timeout 10 "$HEDUI" run -q --as-of $ASOF --data "$T/in" --out "$T/oin" 2>"$E"
    rc=$?
    check "$1: exit 3, no hang (exit $rc)" "[ $rc -eq 3 ]"
    check "$1: the message says '$2' ($(head -c 200 "$E"))" "grep -q -- \"$2\" '$E'"
    rm -rf "$T/in"; mkdir -p "$T/in"; cp "$FX"/*.csv "$T/in/"
}
mkdir -p "$T/in" && cp "$FX"/*.csv "$T/in/"
rm "$T/in/hukou.csv" && mkfifo "$T/in/hukou.csv"
in_case "a FIFO as a required feed" "hukou.csv is a FIFO (named pipe), not a regular file"
rm "$T/in/business.csv" && mkfifo "$T/in/business.csv"
in_case "a FIFO as an optional feed" "business.csv is a FIFO (named pipe)"
rm "$T/in/vehicles.csv" && mkdir "$T/in/vehicles.csv"
in_case "a directory as a feed" "vehicles.csv is a directory, not a regular file"
iconv -f UTF-8 -t UTF-16 "$FX/vehicles.csv" >"$T/in/vehicles.csv"
in_case "UTF-16 with a BOM" "is UTF-16 (it starts with the byte-order mark FF FE)"
{ printf '\376\377'; iconv -f UTF-8 -t UTF-16BE "$FX/vehicles.csv"; } >"$T/in/vehicles.csv"
in_case "UTF-16 big-endian with a BOM" "byte-order mark FE FF"
iconv -f UTF-8 -t UTF-16LE "$FX/vehicles.csv" >"$T/in/vehicles.csv"
in_case "UTF-16 without a BOM" "holds NUL bytes"
tr ',' ';' <"$FX/vehicles.csv" >"$T/in/vehicles.csv"
in_case "a semicolon-separated feed" "separated by ';' (semicolon), not by commas"

# ================================================================ 4. all of stderr
ids=0
for f in "$T"/err.*; do
    if grep -Eq '[0-9]{17}[0-9Xx]|[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx]|[0-9]{15}' "$f"; then
        ids=$((ids + 1)); echo "safety: unmasked ID in $f: $(grep -Eo '[0-9]{15}.{0,5}' "$f" | head -2)" >&2
    fi
done
check "no unmasked ID number on stderr of $n_err runs" "[ $ids -eq 0 ]"

echo "safety: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
