#!/bin/sh
# tests/no_rule_ids.sh - `make no-rule-ids`: src/ names no rule.
#
# The rules are policy: their ids, kinds, scopes, severities, feeds and
# labels are rules/catalogue.rules', their logic and numbers the .policy
# files' (rules/README.md).  The engine reads them at run time, so no
# file of src/ (code, comment or message) may name a rule id of the data
# contract: E01-E15, P01, Q01-Q05, L01, L02, alone or with their name
# (E03_VEHICLE), nor an enumerator made of one (R_E03).  A comment that
# needs an example says "a rule id" or uses a made-up one (X01_ONE).
#
# Prints each occurrence as file:line: text and ends with
# "no_rule_ids: N passed, M failed" (one check per file of src/).
# Owns: the pattern below.  Never: builds or runs anything.
set -u
cd "$(dirname "$0")/.." || exit 2
ID='(R_)?(E0[1-9]|E1[0-5]|P01|Q0[1-5]|L0[12])(_[A-Z0-9_]*)?'
pass=0 fail=0
for f in $(find src -type f \( -name '*.c' -o -name '*.h' \) | sort); do
    hits=$(grep -nE "(^|[^A-Za-z0-9_])$ID([^A-Za-z0-9_]|\$)" "$f")
    if [ -n "$hits" ]; then
        fail=$((fail + 1))
        echo "$hits" | sed "s|^|no_rule_ids: $f:|"
    else
        pass=$((pass + 1))
    fi
done
echo "no_rule_ids: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
