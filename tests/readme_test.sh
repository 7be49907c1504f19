#!/bin/sh
# readme_test.sh - rules/README.md's worked example, run as written (issue 18
# item 8), so the document cannot drift from what hedui does.
#
# Usage: tests/readme_test.sh PATH/TO/hedui
# In a scratch copy of rules/ and fixtures/, each block of the README marked
#   <!-- example: file PATH -->   is written to PATH (the policy text);
#   <!-- example: run -->         is run: each "$ CMD" line (hedui is the one
#                                 given), then every line shown after it must
#                                 appear in what CMD printed (stdout and
#                                 stderr), in order; "..." skips lines.
# Hashes (16 hex digits) and the program's size ("program: N ops, M
# registers") are compared as placeholders: they change with any rule of the
# reference, which is not what the example is about.  The example must also
# have both outcomes: an error the first time, "命中 fires" in the end.
set -u
HEDUI=${1:?usage: readme_test.sh PATH/TO/hedui}
case "$HEDUI" in /*) ;; *) HEDUI="$(pwd)/$HEDUI" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/hedui-readme.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/fixtures" && cp -r "$ROOT/rules" "$T/" && cp "$ROOT"/fixtures/*.csv "$T/fixtures/"
python3 - "$ROOT/rules/README.md" "$T" "$HEDUI" <<'EOF'
import os, re, subprocess, sys

readme, work, hedui = sys.argv[1:4]
text = open(readme, encoding="utf-8").read().split("\n")
passed = failed = 0
def ok(what):
    global passed
    passed += 1
def bad(what):
    global failed
    failed += 1
    print("readme: FAIL: " + what, file=sys.stderr)

def mask(line):
    line = re.sub(r"[0-9a-f]{16}", "HASH", line)
    return re.sub(r"program: [0-9]+ ops, [0-9]+ registers", "program: SIZE", line)

def block_after(i):
    """The fenced block starting after line i: (its lines, the index after it)."""
    while not text[i].startswith("```"):
        i += 1
    j = i + 1
    while not text[j].startswith("```"):
        j += 1
    return text[i + 1:j], j + 1

outputs = []
i, n_files, n_cmds = 0, 0, 0
while i < len(text):
    m = re.match(r"<!-- example: (file (\S+)|run) -->", text[i])
    if not m:
        i += 1
        continue
    lines, i = block_after(i)
    if m.group(2):
        path = os.path.join(work, m.group(2))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        n_files += 1
        continue
    k = 0
    while k < len(lines):
        cmd = lines[k][2:]
        assert lines[k].startswith("$ "), "a run block starts with '$ ': " + lines[k]
        want = []
        k += 1
        while k < len(lines) and not lines[k].startswith("$ "):
            want.append(lines[k])
            k += 1
        if cmd.startswith("hedui "):
            cmd = "'" + hedui + "'" + cmd[5:]
        p = subprocess.run(cmd, shell=True, cwd=work, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        got = [mask(l) for l in p.stdout.decode("utf-8", "replace").split("\n")]
        outputs.append(p.stdout.decode("utf-8", "replace"))
        n_cmds += 1
        at = 0
        missing = None
        for w in want:
            if w.strip() == "...":
                continue
            w = mask(w)
            while at < len(got) and got[at] != w:
                at += 1
            if at == len(got):
                missing = w
                break
            at += 1
        if missing is None:
            ok(cmd)
        else:
            bad("%s: the README shows a line it did not print (or not in this order):\n  %s"
                % (lines[0], missing))

if n_files >= 2 and n_cmds >= 4:
    ok("the example has its files and commands")
else:
    bad("the example lost its blocks (%d files, %d commands)" % (n_files, n_cmds))
if outputs and "error:" in outputs[0]:
    ok("the first check shows the checker's error")
else:
    bad("the first check of the example should fail with an error")
if any("命中 fires: vehicles: car" in o for o in outputs):
    ok("explain shows the new condition fire")
else:
    bad("explain never shows the example's rule fire")
print("readme: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
