#!/usr/bin/env python3
"""Compare flags.csv files of several engines by their key columns.

    python3 bench/flagdiff.py NAME=FILE NAME=FILE [...] [--show N]

Key: rule_id, household_id, hukou_no, id_no (the contract's key columns),
compared as sets; kind, severity and region_code are checked to be the same
for a key wherever two files hold it.  Prints per rule the count in each file
and, for every file against the first, the keys missing and extra (up to N
examples per rule, default 5).  Exit status 0 when all agree, 1 otherwise.
"""
import csv
import sys

KEY = ['rule_id', 'household_id', 'hukou_no', 'id_no']
ATTR = ['kind', 'severity', 'region_code']


def load(path):
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    if text.startswith('\ufeff'):
        text = text[1:]
    rows = list(csv.reader(text.splitlines(True)))
    hdr = rows[0]
    idx = {c: hdr.index(c) for c in KEY}
    aidx = {c: hdr.index(c) for c in ATTR if c in hdr}
    out = {}
    dups = 0
    for r in rows[1:]:
        if not r:
            continue
        k = tuple(r[idx[c]] for c in KEY)
        if k in out:
            dups += 1
        out[k] = tuple(r[aidx[c]] if c in aidx else None for c in ATTR)
    return out, dups


def main(argv):
    show = 5
    files = []
    i = 1
    while i < len(argv):
        if argv[i] == '--show':
            show = int(argv[i + 1])
            i += 2
            continue
        name, _, path = argv[i].partition('=')
        files.append((name, path))
        i += 1
    if len(files) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = []
    bad = False
    for name, path in files:
        d, dups = load(path)
        if dups:
            print('%s: %d repeated keys' % (name, dups))
            bad = True
        data.append((name, d))
    rules = sorted({k[0] for _, d in data for k in d})
    w = max(len(n) for n, _ in data)
    print('%-24s %s' % ('rule', ' '.join('%*s' % (max(w, 7), n) for n, _ in data)))
    for r in rules + ['total']:
        cnt = [sum(1 for k in d if r == 'total' or k[0] == r) for _, d in data]
        mark = '' if len(set(cnt)) == 1 else '  <- differs'
        print('%-24s %s%s' % (r, ' '.join('%*d' % (max(w, 7), c) for c in cnt), mark))
    ref_name, ref = data[0]
    for name, d in data[1:]:
        missing = sorted(set(ref) - set(d))
        extra = sorted(set(d) - set(ref))
        attr = sorted(k for k in set(ref) & set(d)
                      if any(a is not None and b is not None and a != b
                             for a, b in zip(ref[k], d[k])))
        if not missing and not extra and not attr:
            print('%s = %s: %d flags agree' % (name, ref_name, len(d)))
            continue
        bad = True
        for label, keys in (('only in %s' % ref_name, missing), ('only in %s' % name, extra),
                            ('kind/severity/region differ', attr)):
            if not keys:
                continue
            print('%s vs %s: %d %s' % (name, ref_name, len(keys), label))
            by = {}
            for k in keys:
                by.setdefault(k[0], []).append(k)
            for r in sorted(by):
                print('  %s: %d' % (r, len(by[r])))
                for k in by[r][:show]:
                    print('    ' + ','.join(k))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
