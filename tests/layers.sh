#!/bin/sh
# tests/layers.sh - `make layers`: every #include in src/ points down or
# within its own layer, and the module graph has no circle.
#
# The layers, ground first (README "Layout"):
#   base <- contract <- policy <- engine <- out, audit <- pipeline <- snapshot, pg
#   <- serve (above snapshot; never pg) <- cmd <- mpi (hedui-mpi only) <- main
# (policy: the rules language's parser, checker and compiler; it knows the
# contract's data model but not the engine's indexes.)
# A file may include its own folder and any folder to its left; `out` and
# `audit` are siblings (audit may read out's types, out never audit), and so
# are `snapshot` and `pg` (neither includes the other). A module is a .c with
# its .h; an edge A -> B is "A.c or A.h includes B.h". A circle among modules
# fails the check even when every single include points down (it cannot,
# today, but the check costs nothing).
#
# Owns: the allowed-prefix table below. Never: builds or runs anything.
set -u
cd "$(dirname "$0")/.." || exit 2

allowed() {   # $1 = layer of the including file; prints the layers it may include
    case "$1" in
        base)     echo "base" ;;
        contract) echo "base contract" ;;
        policy)   echo "base contract policy" ;;
        engine)   echo "base contract policy engine" ;;
        out)      echo "base contract policy engine out" ;;
        audit)    echo "base contract policy engine out audit" ;;
        pipeline) echo "base contract policy engine out audit pipeline" ;;
        snapshot) echo "base contract policy engine out audit pipeline snapshot" ;;
        pg)       echo "base contract policy engine out audit pipeline pg" ;;
        serve)    echo "base contract policy engine out audit pipeline snapshot serve" ;;
        cmd)      echo "base contract policy engine out audit pipeline snapshot pg serve cmd" ;;
        mpi)      echo "base contract policy engine out audit pipeline snapshot pg serve cmd mpi" ;;
        main)     echo "base contract policy engine out audit pipeline snapshot pg serve cmd mpi" ;;
        *)        echo "" ;;
    esac
}

layer_of() {  # a path below src/ -> its layer
    case "$1" in
        src/pipeline.[ch]) echo pipeline ;;
        src/main.c)        echo main ;;
        src/*/*)           d=${1#src/}; echo "${d%%/*}" ;;
        *)                 echo "?" ;;
    esac
}

bad=0
edges=$(mktemp) || exit 2
trap 'rm -f "$edges"' EXIT
for f in $(find src -name '*.[ch]' | sort); do
    from=$(layer_of "$f")
    ok=$(allowed "$from")
    if [ -z "$ok" ]; then
        echo "layers: $f: not in a known layer (put it in one of src/{base,contract,policy,engine,out,audit,snapshot,pg,serve,cmd}/)"
        bad=$((bad + 1))
        continue
    fi
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
    sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' > "$edges.one"
    while read -r line inc; do
        case "$inc" in
            pipeline.h) to=pipeline ;;
            */*)        to=${inc%%/*} ;;
            *)          echo "layers: $f:$line: #include \"$inc\" names no folder (write \"layer/$inc\")"
                        bad=$((bad + 1)); continue ;;
        esac
        if [ ! -f "src/$inc" ]; then
            echo "layers: $f:$line: #include \"$inc\": no such file under src/"
            bad=$((bad + 1)); continue
        fi
        case " $ok " in
            *" $to "*) ;;
            *) echo "layers: $f:$line: $from may not include \"$inc\" (a $to header): it may include $ok"
               bad=$((bad + 1)) ;;
        esac
        m1=${f%.[ch]}; m2=src/${inc%.h}
        [ "$m1" != "$m2" ] && echo "$m1 $m2" >> "$edges"
    done < "$edges.one"
    rm -f "$edges.one"
done

# tsort prints "input contains a loop" (and the members) on a circle.
cyc=$(sort -u "$edges" | tsort 2>&1 >/dev/null)
if [ -n "$cyc" ]; then
    echo "layers: the include graph has a circle:"
    echo "$cyc" | sed 's/^/  /'
    bad=$((bad + 1))
fi

if [ "$bad" -ne 0 ]; then
    echo "layers: 0 passed, $bad failed"
    exit 1
fi
echo "layers: 1 passed, 0 failed"
