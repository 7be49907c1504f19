#!/bin/sh
# tests/sizes.sh - `make sizes`: no file in src/ over 800 lines, and a list
# of the functions over 150 lines.
#
# The rule (README "Layout"): a file holds one idea, so none is over 800
# lines, but engine/load.c and engine/normalise.c (cohesive: the CSV
# parser and the value checks; listed with their size, never failed); a
# function over about 150 lines says why in the comment above it, with the
# words "Long because" (the reason it is not split). A file over the limit
# fails the check; a long function is listed, with "explained" or "NO
# COMMENT saying why", for review, and does not fail it.
#
# Functions are found by this project's layout: a definition starts at the
# first column and its body's braces stand alone in the first column
# (`{` ... `}`), as in every .c of src/.  The length counts the lines from
# `{` to `}`.
#
# Owns: the two limits and the list of excepted files.  Never: builds or
# changes anything.
set -u
cd "$(dirname "$0")/.." || exit 2

MAX_FILE=800
MAX_FN=150
EXCEPT="src/engine/load.c src/engine/normalise.c"

failed=0
checked=0
for f in $(find src -name '*.[ch]' | sort); do
    checked=$((checked + 1))
    n=$(wc -l <"$f")
    [ "$n" -le $MAX_FILE ] && continue
    case " $EXCEPT " in
        *" $f "*) echo "sizes: $f: $n lines (excepted)" ;;
        *) echo "sizes: FAIL: $f: $n lines, over $MAX_FILE: split it along its seams"
           failed=$((failed + 1)) ;;
    esac
done

# Functions over MAX_FN lines, with whether the comment above says why.
awk -v max=$MAX_FN '
FNR == 1 { sig = ""; infn = 0; cm = ""; incm = 0 }
!infn && incm { cm = cm " " $0; if ($0 ~ /\*\//) incm = 0; next }
!infn && /^\/\*/ { cm = $0; incm = ($0 !~ /\*\//); sig = ""; next }
!infn && /^\{/ && sig != "" {
    infn = 1; start = FNR; why = (cm ~ /Long because/)
    s = sig; sub(/\(.*/, "", s); k = split(s, w, /[ \t*]+/); name = w[k]
    next
}
!infn && /^[A-Za-z_]/ && !/;[ \t]*$/ && !/^#/ { sig = $0; next }
!infn && /^[ \t]/ && sig != "" { sig = sig $0; next }
!infn { sig = ""; cm = "" }
infn && /^\}/ {
    infn = 0; len = FNR - start + 1
    if (len > max)
        printf "sizes: %s:%d: %s() is %d lines (over %d): %s\n", FILENAME, start, name, len,
               max, why ? "explained" : "NO COMMENT saying why (\"Long because ...\")"
    sig = ""; cm = ""
}
' $(find src -name '*.c' | sort)

echo "sizes: $((checked - failed)) passed, $failed failed"
[ $failed -eq 0 ]
