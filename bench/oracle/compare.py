#!/usr/bin/env python3
"""Compare the oracle's outputs with the engine's.

    python3 bench/oracle/compare.py [--rules LIST] ORACLE_OUT ENGINE_OUT

* flags.csv: key columns (rule_id, kind, severity, household_id, hukou_no,
  id_no, region_code) compared as sets; evidence (engine-specific text) and
  any other column (fingerprint, change with --previous) are ignored.  This
  holds for every rule id, the new ones (E13-E15, Q04, Q05) included: a rule
  id, kind or severity the oracle does not know is simply a difference.
  --rules LIST (comma-separated; an entry is a rule id or its prefix, e.g.
  E13 or E13_FINANCIAL_ASSETS): compare only the flags of those rules; the
  review queue is then not compared (it sums every rule).
* review_queue.csv: compared exactly (header and every row, in order).
* rejects.csv: (file, line) compared as sets; reasons are ignored.
* spotcheck: the engine's spotcheck.csv rows counted per (township_code,
  program) against the oracle's spotcheck_counts.csv sample_size.

Differences are printed grouped by rule (or by file / group); the last line
is `== identical` or `== DIFFERENCES: N (what:only-oracle/only-engine ...)`;
exit status 1 when there is any difference, 0 otherwise.
"""

import csv
import io
import os
import sys

FLAG_KEYS = ['rule_id', 'kind', 'severity', 'household_id', 'hukou_no', 'id_no',
             'region_code']


def read_csv(path):
    """Return (header, rows as lists); strips a UTF-8 BOM if present."""
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    if text.startswith('\ufeff'):
        text = text[1:]
    rows = list(csv.reader(io.StringIO(text, newline='')))
    if not rows:
        return [], []
    return rows[0], [r for r in rows[1:] if r]


def as_dicts(path, needed):
    header, rows = read_csv(path)
    missing = [c for c in needed if c not in header]
    if missing:
        raise SystemExit('%s: missing column(s) %s' % (path, ', '.join(missing)))
    idx = {c: header.index(c) for c in needed}
    out = []
    for r in rows:
        out.append({c: (r[i] if i < len(r) else '') for c, i in idx.items()})
    return out


def rule_filter(spec):
    if not spec:
        return None
    items = [x.strip() for x in spec.split(',') if x.strip()]

    def ok(rule):
        return any(rule == x or rule.startswith(x + '_') for x in items)
    return ok


def main(argv):
    argv = list(argv)
    keep = None
    if len(argv) > 2 and argv[1] == '--rules':
        keep = rule_filter(argv[2])
        del argv[1:3]
    elif len(argv) > 1 and argv[1].startswith('--rules='):
        keep = rule_filter(argv[1][len('--rules='):])
        del argv[1]
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    odir, edir = argv[1], argv[2]
    ndiff = 0
    what = []

    def path(d, name):
        p = os.path.join(d, name)
        if not os.path.isfile(p):
            raise SystemExit('missing %s' % p)
        return p

    # ---- flags ----
    ofl = set(tuple(r[c] for c in FLAG_KEYS)
              for r in as_dicts(path(odir, 'flags.csv'), FLAG_KEYS)
              if keep is None or keep(r['rule_id']))
    efl_rows = [r for r in as_dicts(path(edir, 'flags.csv'), FLAG_KEYS)
                if keep is None or keep(r['rule_id'])]
    efl = set(tuple(r[c] for c in FLAG_KEYS) for r in efl_rows)
    if len(efl_rows) != len(efl):
        print('flags.csv: engine has %d duplicate key rows' % (len(efl_rows) - len(efl)))
        ndiff += len(efl_rows) - len(efl)
        what.append('flags.csv-duplicates:%d' % (len(efl_rows) - len(efl)))
    only_o = ofl - efl
    only_e = efl - ofl
    rules = sorted(set(k[0] for k in only_o | only_e))
    print('== flags.csv: oracle %d, engine %d, only-oracle %d, only-engine %d'
          % (len(ofl), len(efl), len(only_o), len(only_e)))
    for rule in rules:
        mo = sorted(k for k in only_o if k[0] == rule)
        me = sorted(k for k in only_e if k[0] == rule)
        print('-- %s: only in oracle %d, only in engine %d' % (rule, len(mo), len(me)))
        what.append('%s:%d/%d' % (rule, len(mo), len(me)))
        for k in mo[:20]:
            print('   oracle  ' + ','.join(k[1:]))
        if len(mo) > 20:
            print('   ... %d more' % (len(mo) - 20))
        for k in me[:20]:
            print('   engine  ' + ','.join(k[1:]))
        if len(me) > 20:
            print('   ... %d more' % (len(me) - 20))
    ndiff += len(only_o) + len(only_e)

    # ---- review_queue ----
    oh, orows = read_csv(path(odir, 'review_queue.csv'))
    eh, erows = read_csv(path(edir, 'review_queue.csv'))
    rq_diff = 0
    if keep is not None:
        print('== review_queue.csv: not compared (--rules)')
        orows = erows = []
        eh = oh
    else:
        print('== review_queue.csv: oracle %d rows, engine %d rows' % (len(orows), len(erows)))
    if oh != eh:
        print('   header differs: oracle %s engine %s' % (oh, eh))
        rq_diff += 1
    shown = 0
    for i in range(max(len(orows), len(erows))):
        o = orows[i] if i < len(orows) else None
        e = erows[i] if i < len(erows) else None
        if o != e:
            rq_diff += 1
            if shown < 30:
                print('   row %d: oracle %s | engine %s' % (
                    i + 2, ','.join(o) if o else '-', ','.join(e) if e else '-'))
                shown += 1
    if rq_diff > shown:
        print('   ... %d differing rows in all' % rq_diff)
    ndiff += rq_diff
    if rq_diff:
        what.append('review_queue:%d' % rq_diff)

    # ---- rejects ----
    orj = set((r['file'], r['line']) for r in as_dicts(path(odir, 'rejects.csv'), ['file', 'line']))
    erj = set((r['file'], r['line']) for r in as_dicts(path(edir, 'rejects.csv'), ['file', 'line']))
    only_o = orj - erj
    only_e = erj - orj
    print('== rejects.csv: oracle %d, engine %d, only-oracle %d, only-engine %d'
          % (len(orj), len(erj), len(only_o), len(only_e)))
    for f in sorted(set(k[0] for k in only_o | only_e)):
        mo = sorted((int(k[1]) if k[1].isdigit() else -1) for k in only_o if k[0] == f)
        me = sorted((int(k[1]) if k[1].isdigit() else -1) for k in only_e if k[0] == f)
        print('-- %s: only in oracle lines %s; only in engine lines %s'
              % (f, mo[:40] or '-', me[:40] or '-'))
        what.append('rejects:%s:%d/%d' % (f, len(mo), len(me)))
    ndiff += len(only_o) + len(only_e)

    # ---- spotcheck ----
    want = {}
    for r in as_dicts(path(odir, 'spotcheck_counts.csv'), ['township_code', 'program', 'sample_size']):
        want[(r['township_code'], r['program'])] = int(r['sample_size'])
    got = {}
    eh_ids = {}
    for r in as_dicts(path(edir, 'spotcheck.csv'), ['township_code', 'program', 'household_id']):
        k = (r['township_code'], r['program'])
        got[k] = got.get(k, 0) + 1
        eh_ids.setdefault(k, []).append(r['household_id'])
    sc_diff = 0
    print('== spotcheck: oracle groups %d, engine groups %d' % (len(want), len(got)))
    for k in sorted(set(want) | set(got)):
        if want.get(k, 0) != got.get(k, 0):
            sc_diff += 1
            print('-- %s %s: oracle sample_size %d, engine rows %d'
                  % (k[0], k[1], want.get(k, 0), got.get(k, 0)))
        dup = len(eh_ids.get(k, [])) - len(set(eh_ids.get(k, [])))
        if dup:
            sc_diff += 1
            print('-- %s %s: engine repeats %d household(s)' % (k[0], k[1], dup))
    ndiff += sc_diff
    if sc_diff:
        what.append('spotcheck:%d' % sc_diff)

    print('== %s' % ('DIFFERENCES: %d (%s)' % (ndiff, ' '.join(what)) if ndiff else 'identical'))
    return 1 if ndiff else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
