#!/bin/sh
# pg_test.sh - hedui load / run --pg against a throwaway PostgreSQL 15.
#
# Usage: tests/pg_test.sh PATH/TO/hedui
# Installs postgresql-15 when missing (tests/install-deps.sh pg), starts a
# private cluster (initdb + pg_ctl, Unix socket in a temp dir, TCP on
# 127.0.0.1 at a random port, password auth over TCP) and stops it at the
# end, also on failure or interrupt.  As root (CI), the server runs as the
# `postgres` system user created by the package.
# Covers: load + run round trip equal to the CSV run (fixtures, and a dirty
# copy with multi-line, quoted, CRLF and tab/backslash values), a rerun
# keeping history, a load with bad rows, a load over the reject limit, a
# connection killed mid-COPY and before COMMIT (pg_terminate_backend) in
# run and load, a wrong password, TLS policy, usage errors, every option of
# load and run --pg spelled --opt=VALUE; a feed that fell since the schema's
# last published run, or a header-only one, stops run --pg; run --pg's
# summary line (stderr a file) as the CSV run's, naming run, schema and
# database, none with -q or on failure, no password in it.
set -u
HEDUI=${1:?usage: pg_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FX="$ROOT/fixtures"
ASOF=2026-06-15
SEED=20260615

sh "$ROOT/tests/install-deps.sh" pg || { echo "pg_test: cannot install postgresql-15" >&2; exit 1; }
PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] || { echo "pg_test: $PGBIN/initdb missing" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-pg.XXXXXX")
chmod 711 "$T"                       # the server user may pass through, not list
PGD="$T/pg"
mkdir "$PGD"
AS=""
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PGD"
    AS="runuser -u postgres --"
fi
started=0
# server programs run from their own directory (the server user may not
# be able to resolve the caller's working directory)
srv() { (cd "$PGD" && $AS "$@"); }
cleanup() {
    if [ $started -eq 1 ]; then
        srv "$PGBIN/pg_ctl" -D "$PGD/data" -m immediate -w stop >/dev/null 2>&1 || {
            pid=$(head -1 "$PGD/data/postmaster.pid" 2>/dev/null)
            [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null   # immediate shutdown
        }
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

pass=0 fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "pg_test: FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

srv "$PGBIN/initdb" -D "$PGD/data" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$T/initdb.log" 2>&1 ||
    { cat "$T/initdb.log" >&2; echo "pg_test: initdb failed" >&2; exit 1; }
for try in 1 2 3 4 5; do
    PORT=$(( (($$ + try * 7919) % 30000) + 20000 ))
    if srv "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/log" -w -t 60 \
        -o "-k $PGD -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
        start >/dev/null 2>&1; then
        started=1
        break
    fi
done
[ $started -eq 1 ] || { cat "$PGD/log" >&2; echo "pg_test: server did not start" >&2; exit 1; }

CI="host=$PGD port=$PORT user=postgres dbname=postgres"
psql_() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$PGD" -p "$PORT" -U postgres -d postgres "$@"; }
q() { psql_ -c "$1" 2>>"$T/psql.err"; }
LISTS="flags review_queue spotcheck rejects"
# export one run's lists from the tables, as out/lists.c writes them
export_run() {   # schema run_id dir
    mkdir -p "$3"
    for t in $LISTS; do
        cols=$(head -1 "$FX/expected/$t.csv")
        psql_ -c "COPY (SELECT $cols FROM $1.$t WHERE run_id = $2 ORDER BY seq) TO STDOUT
                  WITH (FORMAT csv, HEADER true, NULL '\\N')" >"$3/$t.csv"
    done
}
same_lists() {   # dir1 dir2
    for t in $LISTS; do cmp -s "$1/$t.csv" "$2/$t.csv" || return 1; done
}
csvrun() {   # data out [seed]
    "$HEDUI" run -q --data "$1" --out "$2" --as-of $ASOF --seed "${3:-$SEED}"
}
pgrun() {   # schema [args...]
    s=$1; shift
    "$HEDUI" run -q --pg "$CI" --schema "$s" --as-of $ASOF "$@"
}

# ---------- 1. round trip on fixtures ----------
"$HEDUI" load -q --pg "$CI" --data "$FX" --schema t1 2>"$T/err"
rc=$?
check "load fixtures exits 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
# the lists are rendered in memory: no temporary directory is needed
# (TMPDIR names one that does not exist)
(TMPDIR="$T/no-such-tmpdir"; export TMPDIR; pgrun t1 --seed $SEED --out "$T/pg1") 2>"$T/err"
rc=$?
check "run --pg exits 0 with TMPDIR pointing nowhere ($(cat "$T/err"))" '[ $rc -eq 0 ]'
csvrun "$FX" "$T/csv1"
export_run t1 1 "$T/db1"
for t in $LISTS; do
    check "$t from the tables equals the CSV run" "cmp -s '$T/db1/$t.csv' '$T/csv1/$t.csv'"
    check "$t from the tables equals fixtures/expected" "cmp -s '$T/db1/$t.csv' '$FX/expected/$t.csv'"
    [ $t = flags ] || check "run --pg --out $t.csv equals the CSV run" "cmp -s '$T/pg1/$t.csv' '$T/csv1/$t.csv'"
done
# a --pg run compares with the previous run of its schema (none: all new),
# so its flags.csv has fingerprint,change like a CSV run with a fresh --state
"$HEDUI" run -q --data "$FX" --out "$T/csv1s" --as-of $ASOF --seed $SEED --state "$T/st0"
check "run --pg --out flags.csv equals a CSV run with a fresh --state" \
    "cmp -s '$T/pg1/flags.csv' '$T/csv1s/flags.csv' && cmp -s '$T/pg1/changes.csv' '$T/csv1s/changes.csv'"
nl() { echo $(($(wc -l <"$1") - 1)); }
want="published|$ASOF|$SEED|$(nl "$T/csv1/flags.csv")|$(nl "$T/csv1/review_queue.csv")|$(nl "$T/csv1/spotcheck.csv")|$(nl "$T/csv1/rejects.csv")"
got=$(q "SELECT status, as_of, seed, n_flags, n_review, n_spotcheck, n_rejects FROM t1.runs WHERE run_id = 1")
check "runs row: published, counts match the lists ($got)" "[ '$got' = '$want' ]"
check "runs row: per-rule counts, checksums, timings, manifest" \
    "[ \"\$(q \"SELECT (rule_counts->>'E03_VEHICLE')::int > 0 AND input_checksums ? 'hukou.csv' AND timings ? 'pg_write_ms' AND manifest->>'as_of' = '$ASOF' FROM t1.runs WHERE run_id = 1\")\" = t ]"
# the manifests agree on every file's row accounting
for f in households members hukou vehicles property social_insurance candidates; do
    a=$(grep "\"$f.csv\"" "$T/csv1/manifest.json" | grep -o '"data_rows": [0-9]*, "accepted": [0-9]*, "rejected": [0-9]*, "merged_duplicates": [0-9]*')
    b=$(grep "\"$f.csv\"" "$T/pg1/manifest.json" | grep -o '"data_rows": [0-9]*, "accepted": [0-9]*, "rejected": [0-9]*, "merged_duplicates": [0-9]*')
    check "$f.csv row accounting equal in both manifests ($a / $b)" "[ -n '$a' ] && [ '$a' = '$b' ]"
done

# ---------- 2. a rerun keeps history ----------
pgrun t1 --seed 7 2>"$T/err"
rc=$?
check "second run --pg exits 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
check "two published runs are queryable" "[ \"\$(q 'SELECT count(*) FROM t1.runs WHERE status = \$\$published\$\$')\" = 2 ]"
csvrun "$FX" "$T/csv7" 7
export_run t1 2 "$T/db2"
check "run 2 equals the CSV run with seed 7" "same_lists '$T/db2' '$T/csv7'"
export_run t1 1 "$T/db1b"
check "run 1 is intact after run 2" "same_lists '$T/db1b' '$T/csv1'"
check "what is new since the previous run (none)" \
    "[ \"\$(q 'SELECT count(*) FROM (SELECT rule_id, household_id, hukou_no, id_no FROM t1.flags WHERE run_id = 2 EXCEPT SELECT rule_id, household_id, hukou_no, id_no FROM t1.flags WHERE run_id = 1) n')\" = 0 ]"

# ---------- 2b. the summary line (stderr a file: what a nightly job's log keeps) ----------
# the same line as a CSV run's, its destination the run, schema and database
# (and the --out copy); -q: none; a failed run: its error, no summary
"$HEDUI" run -q --data "$FX" --out "$T/csvsum" --as-of $ASOF --seed $SEED --state "$T/stsum"
"$HEDUI" run --data "$FX" --out "$T/csvsum" --as-of $ASOF --seed $SEED --state "$T/stsum" \
    2>"$T/csvsum.err"
"$HEDUI" run --pg "$CI" --schema t1 --as-of $ASOF --seed $SEED --out "$T/pgsum" 2>"$T/sum.err"
rc=$?
check "run --pg without -q exits 0 ($(cat "$T/sum.err"))" '[ $rc -eq 0 ]'
rid=$(q 'SELECT max(run_id) FROM t1.runs')
check "run --pg: exactly one summary line ($(cat "$T/sum.err"))" \
    "[ \$(grep -c '^hedui: run as of ' '$T/sum.err') -eq 1 ]"
check "run --pg: nothing else on stderr but the no-standard warning" \
    "[ \$(grep -vc -e '^hedui: run as of ' -e '^hedui: no standard in force on ' '$T/sum.err') -eq 0 ]"
# up to the arrow the line is the CSV run's (both compared with an earlier run)
head_csv=$(grep '^hedui: run as of ' "$T/csvsum.err" | sed 's/ -> .*//')
head_pg=$(grep '^hedui: run as of ' "$T/sum.err" | sed 's/ -> .*//')
check "run --pg: the CSV run's counts, compared ($head_pg / $head_csv)" \
    "[ -n '$head_csv' ] && [ '$head_pg' = '$head_csv' ] && echo '$head_pg' | grep -q '(0 new, [0-9]* persisting, 0 resolved)'"
check "run --pg: the line names run $rid, the schema, the database and the --out copy" \
    "grep -q '^hedui: run as of .* -> run $rid in schema t1 at postgres@$PGD/postgres, $T/pgsum ([0-9]* ms, peak [0-9]* MB)\$' '$T/sum.err'"
"$HEDUI" run --pg "$CI" --schema t1 --as-of $ASOF --seed $SEED 2>"$T/sum2.err"
check "run --pg without --out: the run, schema and database only" \
    "grep -q ' -> run [0-9]* in schema t1 at postgres@$PGD/postgres ([0-9]* ms' '$T/sum2.err'"
"$HEDUI" run -q --pg "$CI" --schema t1 --as-of $ASOF --seed $SEED 2>"$T/sum3.err"
check "run --pg -q: no summary line" "! grep -q '^hedui: run' '$T/sum3.err'"
"$HEDUI" run --pg "$CI" --schema nosuch --as-of $ASOF 2>"$T/sum4.err"
check "run --pg that fails: its error, no summary line" \
    "[ -s '$T/sum4.err' ] && ! grep -q '^hedui: run as of' '$T/sum4.err'"

# ---------- 3. a load with bad rows; dirty values survive the round trip ----------
cp -r "$FX" "$T/dirty"
rm -rf "$T/dirty/expected"
{
    printf '\n'
    printf '"陕A\n9,""Z""",610102199510021016,car,private,valid,50000.00,2022-01-01,\n'
    printf '" 陕B 77 ",610102199510021016,truck,private,valid,1000.00,2022-01-01,\n'
    printf '陕C1,610102199510021016,car,private,valid,abc,2022-01-01,\n'
    printf '"陕D\\1\tx",610102199510021016,car,private,valid,200000.00,2020-01-01,"a\nb"\n'
} >>"$T/dirty/vehicles.csv"
sed 's/$/\r/' "$FX/property.csv" >"$T/dirty/property.csv"
"$HEDUI" load -q --pg "$CI" --data "$T/dirty" --schema t3 2>"$T/err"
rc=$?
check "load with bad rows exits 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
csvrun "$T/dirty" "$T/csv3"
check "the dirty CSV run has the new reject" "grep -q '^vehicles.csv,67,value_yuan' '$T/csv3/rejects.csv'"
check "load_rejects holds every reject of the CSV run" \
    "[ \"\$(q 'SELECT count(*) FROM t3.load_rejects')\" = $(($(wc -l <"$T/csv3/rejects.csv") - 1)) ]"
check "no rejected line is in an input table" \
    "[ \"\$(q \"SELECT count(*) FROM t3.load_rejects r WHERE EXISTS (SELECT 1 FROM t3.vehicles v WHERE r.file = 'vehicles.csv' AND v.line = r.line) OR EXISTS (SELECT 1 FROM t3.members m WHERE r.file = 'members.csv' AND m.line = r.line) OR EXISTS (SELECT 1 FROM t3.hukou h WHERE r.file = 'hukou.csv' AND h.line = r.line) OR EXISTS (SELECT 1 FROM t3.property p WHERE r.file = 'property.csv' AND p.line = r.line) OR EXISTS (SELECT 1 FROM t3.social_insurance s WHERE r.file = 'social_insurance.csv' AND s.line = r.line)\")\" = 0 ]"
check "stored + rejected = data rows, per file" \
    "[ \"\$(q 'SELECT count(*) FROM t3.input_files WHERE present AND stored_rows + rejected <> data_rows')\" = 0 ]"
check "vehicles table: rows stored = accepted" \
    "[ \"\$(q 'SELECT count(*) FROM t3.vehicles')\" = \"\$(q \"SELECT data_rows - rejected FROM t3.input_files WHERE file = 'vehicles.csv'\")\" ]"
cat >"$T/q3.sql" <<'EOF'
SELECT count(*) FROM t3.vehicles WHERE plate_no IN (' 陕B 77 ', E'陕A\n9,"Z"', E'陕D\\1\tx');
EOF
check "quoted spaces, quotes, tabs, a backslash and a line end are stored as delivered" \
    "[ \"\$(psql_ -f '$T/q3.sql')\" = 3 ]"
pgrun t3 --seed $SEED 2>"$T/err"
rc=$?
check "run --pg on the dirty load exits 0 ($(cat "$T/err"))" '[ $rc -eq 0 ]'
export_run t3 1 "$T/db3"
for t in $LISTS; do
    check "dirty: $t from the tables equals the CSV run (lines, evidence)" \
        "cmp -s '$T/db3/$t.csv' '$T/csv3/$t.csv'"
done

# a value edited in the table after the load is judged by the run, which
# names the file's line; past the reject limit the run fails, recorded as such
q "UPDATE t3.social_insurance SET amount = 'oops' WHERE line = 3" >/dev/null
pgrun t3 --seed $SEED --out "$T/pg3b" 2>"$T/err"
rc=$?
check "run after an edit exits 0 ($(cat "$T/err"))" "[ $rc -eq 0 ]"
check "the run rejects the edited row at its file line" \
    "grep -q \"^social_insurance.csv,3,amount: .*'oops'\" '$T/pg3b/rejects.csv' &&
     [ \"\$(q \"SELECT count(*) FROM t3.rejects WHERE run_id = 2 AND file = 'social_insurance.csv' AND line = 3\")\" = 1 ]"
q "UPDATE t3.vehicles SET value_yuan = 'oops'" >/dev/null
pgrun t3 --seed $SEED 2>"$T/err"
rc=$?
check "run over the reject limit exits 1 (got $rc)" "[ $rc -eq 1 ]"
check "the failed run is recorded, with its reason and no rows" \
    "[ \"\$(q \"SELECT status, error LIKE '%over the limit%', (SELECT count(*) FROM t3.flags f WHERE f.run_id = r.run_id) FROM t3.runs r WHERE run_id = 3\")\" = 'failed|t|0' ]"

# ---------- 4. a load over the reject limit changes nothing ----------
cp -r "$T/dirty" "$T/over"
for i in 1 2 3 4 5 6 7 8; do
    echo "陕E$i,610102199510021016,spaceship,private,valid,1.00,2022-01-01," >>"$T/over/vehicles.csv"
done
before=$(q "SELECT load_id, stored_rows FROM t3.input_files WHERE file = 'vehicles.csv'")
"$HEDUI" load -q --pg "$CI" --data "$T/over" --schema t3 2>"$T/err"
rc=$?
check "load over the reject limit exits 1 (got $rc)" "[ $rc -eq 1 ]"
check "the message names the file and the limit" "grep -q 'vehicles.csv.*over the limit' '$T/err'"
check "previous load still in place" \
    "[ \"\$(q \"SELECT load_id, stored_rows FROM t3.input_files WHERE file = 'vehicles.csv'\")\" = '$before' ]"

# ---------- 5. connections killed mid-COPY and before COMMIT ----------
# wait for a hedui backend matching an SQL condition and kill it
kill_backend() {   # condition on pg_stat_activity
    i=0
    while [ $i -lt 100 ]; do
        n=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE ($1) AND pid <> pg_backend_pid()")
        [ "${n:-0}" -gt 0 ] && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}
IN_COPY="application_name LIKE 'hedui%' AND state = 'active' AND query LIKE 'COPY %FROM STDIN%'"
PAUSED="application_name = 'hedui paused before commit' AND state = 'idle in transaction'"
runs_before=$(q "SELECT count(*) || '/' || (SELECT count(*) FROM t1.flags) FROM t1.runs")
HEDUI_TEST_PAUSE_IN_COPY=6 "$HEDUI" run -q --pg "$CI" --schema t1 --as-of $ASOF 2>"$T/err" &
bg=$!
kill_backend "$IN_COPY"
rc=$?
check "found the run's backend in COPY" '[ $rc -eq 0 ]'
wait $bg
rc=$?
check "run killed mid-COPY exits 4 (got $rc)" "[ $rc -eq 4 ]"
check "its message has a SQLSTATE and says nothing was committed ($(cat "$T/err"))" \
    "grep -q 'SQLSTATE' '$T/err' && grep -q 'nothing was committed' '$T/err'"
check "no run and no flag half-published" \
    "[ \"\$(q \"SELECT count(*) || '/' || (SELECT count(*) FROM t1.flags) FROM t1.runs\")\" = '$runs_before' ]"

HEDUI_TEST_PAUSE_BEFORE_COMMIT=6 "$HEDUI" run -q --pg "$CI" --schema t1 --as-of $ASOF 2>"$T/err" &
bg=$!
kill_backend "$PAUSED"
rc=$?
check "found the run's backend before COMMIT" '[ $rc -eq 0 ]'
wait $bg
rc=$?
check "run killed before COMMIT exits 4 (got $rc)" "[ $rc -eq 4 ]"
check "nothing of it is visible" \
    "[ \"\$(q \"SELECT count(*) || '/' || (SELECT count(*) FROM t1.flags) FROM t1.runs\")\" = '$runs_before' ]"

load_before=$(q "SELECT string_agg(file || ':' || load_id || ':' || stored_rows, ',' ORDER BY file) FROM t1.input_files")
rows_before=$(q "SELECT (SELECT count(*) FROM t1.households) + (SELECT count(*) FROM t1.vehicles)")
HEDUI_TEST_PAUSE_IN_COPY=6 "$HEDUI" load -q --pg "$CI" --data "$T/dirty" --schema t1 2>"$T/err" &
bg=$!
kill_backend "$IN_COPY"
rc=$?
check "found the load's backend in COPY" '[ $rc -eq 0 ]'
wait $bg
rc=$?
check "load killed mid-COPY exits 4 (got $rc)" "[ $rc -eq 4 ]"
HEDUI_TEST_PAUSE_BEFORE_COMMIT=6 "$HEDUI" load -q --pg "$CI" --data "$T/dirty" --schema t1 2>"$T/err" &
bg=$!
kill_backend "$PAUSED"
rc=$?
check "found the load's backend before COMMIT" '[ $rc -eq 0 ]'
wait $bg
rc=$?
check "load killed before COMMIT exits 4 (got $rc)" "[ $rc -eq 4 ]"
check "killed loads left the previous inputs in place" \
    "[ \"\$(q \"SELECT string_agg(file || ':' || load_id || ':' || stored_rows, ',' ORDER BY file) FROM t1.input_files\")\" = '$load_before' ] &&
     [ \"\$(q 'SELECT (SELECT count(*) FROM t1.households) + (SELECT count(*) FROM t1.vehicles)')\" = '$rows_before' ]"
pgrun t1 --seed $SEED 2>"$T/err"
rc=$?
check "a run after the killed ones still equals the CSV run" \
    "[ $rc -eq 0 ] && export_run t1 \$(q 'SELECT max(run_id) FROM t1.runs') '$T/db5' && same_lists '$T/db5' '$T/csv1'"

# ---------- 6. passwords ----------
q "CREATE ROLE hedui_pw LOGIN PASSWORD 'Right-Pass-9137'; GRANT CREATE ON DATABASE postgres TO hedui_pw" >/dev/null
TCP="host=127.0.0.1 port=$PORT user=hedui_pw dbname=postgres"
"$HEDUI" load -q --pg "$TCP password=Wrong-Pass-4242" --data "$FX" --schema t6 2>"$T/err"
rc=$?
check "wrong password exits 4 (got $rc)" "[ $rc -eq 4 ]"
check "wrong password: clear message with SQLSTATE 28P01 ($(cat "$T/err"))" \
    "grep -q 'password authentication failed' '$T/err' && grep -q '28P01' '$T/err'"
check "wrong password is not echoed" "! grep -q 'Wrong-Pass' '$T/err'"
PGPASSWORD=Wrong-Env-5151 "$HEDUI" run -q --pg "$TCP" --schema t6 2>"$T/err"
rc=$?
check "wrong PGPASSWORD exits 4, not echoed" "[ $rc -eq 4 ] && grep -q 28P01 '$T/err' && ! grep -q 'Wrong-Env' '$T/err'"
"$HEDUI" load -q --pg "host=127.0.0.1 password='Secret-Sq-77 port=1" --data "$FX" 2>"$T/err"
rc=$?
check "malformed conninfo exits 2 without echoing it" \
    "[ $rc -eq 2 ] && grep -q 'malformed' '$T/err' && ! grep -q 'Secret-Sq' '$T/err'"
"$HEDUI" load -q --pg "$TCP password=Right-Pass-9137" --data "$FX" --schema t6 2>"$T/err"
rc=$?
check "right password over TCP loads ($(cat "$T/err"))" '[ $rc -eq 0 ]'
"$HEDUI" run --pg "$TCP password=Right-Pass-9137" --schema t6 --as-of $ASOF 2>"$T/err"
rc=$?
check "run --pg over TCP: the summary line names user, host, port, database, never the password" \
    "[ $rc -eq 0 ] && grep -q ' -> run [0-9]* in schema t6 at hedui_pw@127.0.0.1:$PORT/postgres (' '$T/err' && ! grep -q 'Right-Pass' '$T/err'"
PGPASSWORD=Right-Pass-9137 PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=hedui_pw PGDATABASE=postgres \
    "$HEDUI" run -q --pg '' --schema t6 --as-of $ASOF --seed $SEED 2>"$T/err"
rc=$?
check "PG* environment with --pg '' runs ($(cat "$T/err"))" '[ $rc -eq 0 ]'
cat >"$T/pg_service.conf" <<EOF
[hedui_test]
host=$PGD
port=$PORT
user=postgres
dbname=postgres
EOF
PGSERVICEFILE="$T/pg_service.conf" "$HEDUI" run -q --pg 'service=hedui_test' --schema t1 \
    --as-of $ASOF --seed $SEED 2>"$T/err"
rc=$?
check "a service file works ($(cat "$T/err"))" '[ $rc -eq 0 ]'

# ---------- 7. TLS policy, usage, errors ----------
"$HEDUI" load -q --pg "$CI" --data "$FX" --schema 'Odd "S"; x' 2>"$T/err" &&
    pgrun 'Odd "S"; x' --seed $SEED 2>>"$T/err"
rc=$?
check "a schema name needing quotes works ($(cat "$T/err"))" \
    "[ $rc -eq 0 ] && [ \"\$(q 'SELECT count(*) FROM \"Odd \"\"S\"\"; x\".runs')\" = 1 ]"
"$HEDUI" run -q --pg "host=db.example.invalid sslmode=require dbname=x" 2>"$T/err"
rc=$?
check "remote host without verify-full refused before connecting" \
    "[ $rc -eq 4 ] && grep -q 'verify-full' '$T/err' && grep -q 'nothing was sent' '$T/err'"
"$HEDUI" run -q --pg "$CI" --schema nosuch --as-of $ASOF 2>"$T/err"
rc=$?
check "run on a schema never loaded exits 3 and says to load ($(cat "$T/err"))" \
    "[ $rc -eq 3 ] && grep -q 'hedui load' '$T/err'"
"$HEDUI" run --pg "$CI" --data "$FX" 2>"$T/err"
rc=$?
check "--pg with --data is a usage error" "[ $rc -eq 2 ]"
"$HEDUI" load --pg "$CI" 2>"$T/err"
rc=$?
check "load without --data is a usage error" "[ $rc -eq 2 ]"
"$HEDUI" load --help >"$T/help" 2>&1
check "load --help documents --schema" "grep -q -- '--schema' '$T/help'"
q "REVOKE CREATE ON DATABASE postgres FROM hedui_pw; CREATE SCHEMA locked AUTHORIZATION postgres" >/dev/null
"$HEDUI" load -q --pg "$TCP password=Right-Pass-9137" --data "$FX" --schema locked 2>"$T/err"
rc=$?
check "a server error is reported with its SQLSTATE (42501) ($(cat "$T/err"))" \
    "[ $rc -eq 4 ] && grep -q 'SQLSTATE 42501' '$T/err'"

# ---------- 9. new/persisting/resolved and verdicts in PostgreSQL ----------
"$HEDUI" load -q --pg "$CI" --data "$FX" --schema t9 2>"$T/err" && pgrun t9 --seed $SEED 2>>"$T/err"
check "schema t9: load and run 1 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "every flag of run 1 has a fingerprint and is new" \
    "[ \"\$(q \"SELECT count(*) FILTER (WHERE fingerprint ~ '^[0-9a-f]{16}\$' AND change = 'new') = count(*) AND count(*) > 0 FROM t9.flags WHERE run_id = 1\")\" = t ]"
check "changes of run 1: every flag, new" \
    "[ \"\$(q \"SELECT (SELECT count(*) FROM t9.changes WHERE run_id = 1 AND change = 'new') = (SELECT count(*) FROM t9.flags WHERE run_id = 1)\")\" = t ]"
FP=$(q "SELECT fingerprint FROM t9.flags WHERE run_id = 1 AND rule_id = 'L01_CANDIDATE_ELIGIBLE' AND hukou_no = 'HK0038'")
check "run 1 queues HK0038 (L01, fingerprint $FP)" \
    "[ -n '$FP' ] && [ \"\$(q \"SELECT count(*) FROM t9.review_queue WHERE run_id = 1 AND household_id = '' AND hukou_no = 'HK0038'\")\" = 1 ]"
printf 'fingerprint,outcome,reviewer,reviewed_on,note\n%s,cleared,Wang,2025-01-10,checked\n' "$FP" >"$T/v1.csv"
"$HEDUI" review import "$T/v1.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "review import --pg exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "the verdict is in t9.dispositions with its source line" \
    "[ \"\$(q 'SELECT fingerprint, outcome, reviewer, reviewed_on, note, source FROM t9.dispositions')\" = '$FP|cleared|Wang|2025-01-10|checked|v1.csv:2' ]"
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,confirmed,Li,2025-01-11\n%s,dismissed,Li,2025-01-11\nffffffffffffffff,cleared,Li,2025-01-11\n' "$FP" "$FP" >"$T/v2.csv"
"$HEDUI" review import "$T/v2.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
rc=$?
check "a bad import exits 1 naming line and reason (got $rc)" \
    "[ $rc -eq 1 ] && grep -q 'v2.csv:3: outcome' '$T/err' && grep -q 'v2.csv:4: fingerprint ffffffffffffffff is not a finding' '$T/err'"
check "a bad import leaves dispositions unchanged" "[ \"\$(q 'SELECT count(*) FROM t9.dispositions')\" = 1 ]"
# the same file again stores nothing; an older verdict imported later is
# stored but not in force (run 2 below still shows cleared)
"$HEDUI" review import "$T/v1.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "importing v1.csv again stores nothing and says so" \
    "[ \$? -eq 0 ] && [ \"\$(q 'SELECT count(*) FROM t9.dispositions')\" = 1 ] && grep -q 'imported before' '$T/err'"
printf 'fingerprint,outcome,reviewer,reviewed_on\n%s,confirmed,Zhao,2025-01-05\n' "$FP" >"$T/v3.csv"
"$HEDUI" review import "$T/v3.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "an older verdict imports into t9 ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && [ \"\$(q 'SELECT count(*) FROM t9.dispositions')\" = 2 ]"
"$HEDUI" review import "$T/v1.csv" --pg "$CI" --schema t9typo >"$T/out" 2>"$T/err"
check "review import --pg into a schema that does not exist exits 3, creating nothing" \
    "[ \$? -eq 3 ] && grep -q -- '--create-state' '$T/err' && [ \"\$(q \"SELECT count(*) FROM pg_namespace WHERE nspname = 't9typo'\")\" = 0 ]"
# evidence changes: a dearer car for HH004, HH035's car gone
cp -r "$FX" "$T/d9"
rm -rf "$T/d9/expected"
sed -i -e 's/^\(陕A7K2M9,.*\),45000.00,/\1,47000.00,/' -e '/^陕AQ6618,/d' "$T/d9/vehicles.csv"
"$HEDUI" load -q --pg "$CI" --data "$T/d9" --schema t9 2>"$T/err" && pgrun t9 --seed $SEED --out "$T/pg9" 2>>"$T/err"
check "schema t9: load and run 2 on changed evidence ($(cat "$T/err"))" '[ $? -eq 0 ]'
got=$(q "SELECT string_agg(change || ':' || rule_id || ':' || household_id, ' ' ORDER BY seq) FROM t9.changes WHERE run_id = 2 AND change <> 'persisting'")
check "run 2: resolved old HH004 car, new HH004 car, resolved HH035 car ($got)" \
    "[ '$got' = 'resolved:E03_VEHICLE:HH004 new:E03_VEHICLE:HH004 resolved:E03_VEHICLE:HH035' ]"
check "run 2: every other flag persists, with the fingerprint of run 1" \
    "[ \"\$(q \"SELECT (SELECT count(*) FROM t9.changes c JOIN t9.flags f ON f.run_id = 1 AND f.fingerprint = c.fingerprint WHERE c.run_id = 2 AND c.change = 'persisting') = (SELECT count(*) - 1 FROM t9.flags WHERE run_id = 2)\")\" = t ]"
check "run 2: flags carry change (1 new)" \
    "[ \"\$(q \"SELECT count(*) FROM t9.flags WHERE run_id = 2 AND change = 'new'\")\" = 1 ]"
check "run 2: the cleared L01 finding is out of the review queue" \
    "[ \"\$(q \"SELECT count(*) FROM t9.review_queue WHERE run_id = 2 AND household_id = '' AND hukou_no = 'HK0038'\")\" = 0 ]"
check "run 2: its change row shows the verdict" \
    "[ \"\$(q \"SELECT change || ':' || disposition FROM t9.changes WHERE run_id = 2 AND fingerprint = '$FP'\")\" = persisting:cleared ]"
# the same two runs over CSV with a state directory agree
"$HEDUI" run -q --data "$FX" --out "$T/c9a" --as-of $ASOF --seed $SEED --state "$T/st9" &&
    "$HEDUI" review import "$T/v1.csv" --state "$T/st9" >/dev/null &&
    "$HEDUI" run -q --data "$T/d9" --out "$T/c9b" --as-of $ASOF --seed $SEED --state "$T/st9"
check "CSV runs with --state on the same data run" '[ $? -eq 0 ]'
psql_ -c "COPY (SELECT change, fingerprint, rule_id, severity, household_id, hukou_no, id_no,
          region_code, disposition, evidence FROM t9.changes WHERE run_id = 2 ORDER BY seq)
          TO STDOUT WITH (FORMAT csv, HEADER true, NULL '\\N')" >"$T/pg9changes.csv"
check "changes of run 2 equal changes.csv of the CSV run" "cmp -s '$T/pg9changes.csv' '$T/c9b/changes.csv'"
for t in flags changes review_queue; do
    check "run 2 --out $t.csv equals the CSV --state run" "cmp -s '$T/pg9/$t.csv' '$T/c9b/$t.csv'"
done
"$HEDUI" run -q --pg "$CI" --schema t9 --state "$T/st9" 2>"$T/err"
check "--state with --pg is a usage error" '[ $? -eq 2 ]'
# township packs keyed with the schema's secret, filled and imported back
"$HEDUI" export --format csv --from "$T/pg9" --township all --out "$T/pk9" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "export --pg makes the schema's pack secret ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && [ \"\$(q \"SELECT count(*) FROM t9.pack_secret WHERE secret ~ '^[0-9a-f]{64}\$'\")\" = 1 ]"
"$HEDUI" export --format csv --from "$T/pg9" --township all --out "$T/pk9b" --pg "$CI" --schema t9 >/dev/null 2>&1
check "a second export --pg keeps the secret: the same packs" \
    "[ \"\$(q 'SELECT count(*) FROM t9.pack_secret')\" = 1 ] && diff -r '$T/pk9' '$T/pk9b' >/dev/null"
"$HEDUI" export --format csv --from "$T/pg9" --township all --out "$T/pk9c" --pg "$CI" --schema t9typo >/dev/null 2>"$T/err"
check "export --pg for a schema that does not exist exits 3" '[ $? -eq 3 ]'
PK9=$(ls "$T/pk9"/*.csv | head -1)
awk 'BEGIN { FS = OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
     NR == 2 { $c["核查结论"] = "确认"; $c["核查人"] = "Qian"; $c["核查日期"] = "2025-01-12"; print; next } { print }' \
    "$PK9" >"$T/pk9filled.csv"
HH9=$(sed -n 2p "$T/pk9filled.csv" | cut -d, -f3)
"$HEDUI" review import "$T/pk9filled.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "review import --pg of a filled pack exits 0 ($(cat "$T/err"))" \
    "[ \$? -eq 0 ] && grep -q 'imported 1 verdict ' '$T/out'"
check "... the verdict is on a finding of the pack row's household ($HH9)" \
    "[ \"\$(q \"SELECT DISTINCT f.household_id || ':' || d.outcome FROM t9.dispositions d JOIN t9.flags f ON f.fingerprint = d.fingerprint WHERE d.reviewer = 'Qian'\")\" = '$HH9:confirmed' ]"
"$HEDUI" review import "$T/pk9filled.csv" --pg "$CI" --schema t9 >"$T/out" 2>"$T/err"
check "... and importing it again stores nothing" \
    "[ \$? -eq 0 ] && [ \"\$(q \"SELECT count(*) FROM t9.dispositions WHERE reviewer = 'Qian'\")\" = 1 ]"
"$HEDUI" review import "$T/pk9filled.csv" --pg "$CI" --schema t9k --create-state >"$T/out" 2>"$T/err"
check "a pack imported into a schema without its secret is refused by row" \
    "[ \$? -eq 1 ] && grep -q 'keeps no pack secret' '$T/err'"

# ---------- 10. feeds that look incomplete (src/engine/feedcheck.c) ----------
# the previous run's feed sizes are those of the schema's last published run
mkdir -p "$T/d10" && cp "$FX"/*.csv "$T/d10/"
head -n 43 "$FX/property.csv" >"$T/d10/property.csv"   # 60 -> 42 data rows
"$HEDUI" load -q --pg "$CI" --data "$FX" --schema t10 2>"$T/err" && pgrun t10 --seed $SEED 2>>"$T/err"
check "schema t10: load and run 1 ($(cat "$T/err"))" '[ $? -eq 0 ]'
"$HEDUI" load -q --pg "$CI" --data "$T/d10" --schema t10 2>"$T/err" && pgrun t10 --seed $SEED 2>"$T/err"
rc=$?
check "run --pg on 30% fewer property rows exits 1 (got $rc)" "[ $rc -eq 1 ]"
check "...naming the feed, the figures and run 1 ($(cat "$T/err"))" \
    "grep -q 'property.csv: 42 data rows, 60 in the previous run (-30.0% > 20%).*Previous run: run 1 of schema t10' '$T/err'"
check "...recorded as a failed run" \
    "[ \"\$(q \"SELECT string_agg(status, ',' ORDER BY run_id) FROM t10.runs\")\" = published,failed ]"
pgrun t10 --seed $SEED --accept-drop property 2>"$T/err"
check "with --accept-drop property: exit 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "...its manifest records the accepted drop" \
    "[ \"\$(q \"SELECT (manifest->'accepted_drops'->0->>'file') || ':' || (manifest->'accepted_drops'->0->>'previous_data_rows') FROM t10.runs WHERE run_id = 3\")\" = property.csv:60 ]"
pgrun t10 --seed $SEED 2>"$T/err"
check "the next run compares with the accepted one: exit 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
head -1 "$FX/vehicles.csv" >"$T/d10/vehicles.csv"
"$HEDUI" load -q --pg "$CI" --data "$T/d10" --schema t10 2>"$T/err" && pgrun t10 --seed $SEED 2>"$T/err"
rc=$?
check "run --pg on a header-only vehicles table exits 1 (got $rc; $(cat "$T/err"))" \
    "[ $rc -eq 1 ] && grep -q 'vehicles.csv: 0 accepted data rows (required feed' '$T/err'"

# ---------- a constraint violated on the server while publishing ----------
# (checklist 22: the server refuses a row mid-stream: exit 4 with the
# SQLSTATE, the transaction rolls back, no row of that run is visible)
pub_before=$(q "SELECT count(*) FROM t1.runs WHERE status = 'published'")
q "ALTER TABLE t1.flags ADD CONSTRAINT no_e03 CHECK (rule_id <> 'E03_VEHICLE') NOT VALID"
pgrun t1 --seed 11 2>"$T/err"
rc=$?
check "a CHECK violated mid-COPY exits 4 (got $rc)" "[ $rc -eq 4 ]"
check "the message carries SQLSTATE 23514 ($(head -c 200 "$T/err"))" "grep -q '23514' '$T/err'"
check "no run was published by it" \
    "[ \"\$(q \"SELECT count(*) FROM t1.runs WHERE status = 'published'\")\" = '$pub_before' ]"
check "no flag row of it is visible" \
    "[ \"\$(q 'SELECT count(*) FROM t1.flags WHERE run_id NOT IN (SELECT run_id FROM t1.runs WHERE status = \$\$published\$\$)')\" = 0 ]"
q "ALTER TABLE t1.flags DROP CONSTRAINT no_e03"

# ---------- 11. --opt=VALUE spellings (cli_parse) on load, run --pg, review ----------
"$HEDUI" load --quiet --pg="$CI" --data="$FX" --schema=t11 --rules="$ROOT/rules" \
    --encoding=hukou.csv=gb18030 2>"$T/err"
check "load --pg= --data= --schema= --rules= --encoding= exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "... into schema t11" "[ \"\$(q 'SELECT count(*) FROM t11.loads')\" = 1 ]"
"$HEDUI" run --quiet --pg="$CI" --schema=t11 --as-of=$ASOF --seed=$SEED --out="$T/pg11" \
    --rules="$ROOT/rules" 2>"$T/err"
check "run --pg= --schema= --as-of= --seed= --out= exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
export_run t11 1 "$T/db11"
check "... and equals the CSV run" "same_lists '$T/db11' '$T/csv1'"
check "... with its --out= copy" "cmp -s '$T/pg11/review_queue.csv' '$T/csv1/review_queue.csv'"
"$HEDUI" load --pg="$CI" --data="$FX" --schema=t11 --quiet=1 2>"$T/err"
check "load --quiet=1: a flag takes no value (exit 2)" \
    "[ \$? -eq 2 ] && grep -q 'option --quiet takes no value' '$T/err'"
"$HEDUI" run --pg="$CI" --schema= 2>"$T/err"
check "run --schema= (empty) is refused by name (exit 2)" \
    "[ \$? -eq 2 ] && grep -q \"schema '': want 1 to 63 characters\" '$T/err'"
check "load --schema=t11 left no second load" "[ \"\$(q 'SELECT count(*) FROM t11.loads')\" = 1 ]"

# ---------- 12. the policy's pack and hash per run (issue 18 item 7) ----------
"$HEDUI" load -q --pg "$CI" --data "$FX" --schema t12 2>"$T/err"
pgrun t12 --seed $SEED 2>"$T/err"
check "run --pg (the rules language, the only evaluator) exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
HASH=$("$HEDUI" rules check --rules "$ROOT/rules" --as-of $ASOF 2>/dev/null |
       sed -n 's/^policy reference, policy hash \([0-9a-f]*\) .*/\1/p')
check "runs row: pack reference and the compiled policy's hash ($HASH)" \
    "[ \"\$(q 'SELECT pack || \$\$:\$\$ || policy_hash FROM t12.runs WHERE run_id = 1')\" = 'reference:$HASH' ]"
check "runs row: the manifest column says the same" \
    "[ \"\$(q \"SELECT manifest->'rules'->>'policy_hash' FROM t12.runs WHERE run_id = 1\")\" = '$HASH' ]"
pgrun t12 --seed $SEED --rules "$ROOT/rules/packs/sixian" 2>"$T/err"
check "a pack's run --pg exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "runs row: the pack's name and its own hash" \
    "[ \"\$(q \"SELECT pack = 'sixian' AND policy_hash ~ '^[0-9a-f]{16}\$' AND policy_hash <> '$HASH' FROM t12.runs WHERE run_id = 2\")\" = t ]"
# a schema made before the columns existed gets them on its next run
q "ALTER TABLE t12.runs DROP COLUMN pack, DROP COLUMN policy_hash"
pgrun t12 --seed $SEED 2>"$T/err"
check "run --pg on a runs table without pack/policy_hash exits 0 ($(cat "$T/err"))" '[ $? -eq 0 ]'
check "...the columns are back, filled for the new run, empty for the old ones" \
    "[ \"\$(q 'SELECT count(pack) || \$\$/\$\$ || count(*) || \$\$/\$\$ || max(policy_hash) FROM t12.runs')\" = '1/3/$HASH' ]"

if [ -s "$T/psql.err" ]; then
    echo "pg_test: psql said:" >&2
    cat "$T/psql.err" >&2
fi
echo "pg_test: $pass passed, $fail failed"
[ $fail -eq 0 ]
