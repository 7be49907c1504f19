#!/usr/bin/env python3
"""Check the oracle's flags against the generator's designs (gen-truth.csv).

    python3 bench/oracle/truthcheck.py DATA_DIR POLICY=ORACLE_OUT [POLICY=ORACLE_OUT ...]

DATA_DIR holds gen-truth.csv (bench/gen --truth 1, clean data: --dirty 0);
POLICY is reference, sixian, huaiyuan or guangdong_edge and ORACLE_OUT that
run's output directory.  Only the designs of financial_assets.csv and
funeral.csv (E13, E14 and their part of L01/L02) are checked here, and only
where a design decides the flag by itself:

  reference       F_OVER, F_OVER1@24, F_EXACT@36/@48 -> E13; F_UNDER, F_LATER,
                  F_NONCOUNTED, F_NONMEMBER, F_EXACT@24/@12, F_OVER1@12 -> no E13;
                  F_L02_OVER, D_L02 -> no L02; F_L02_EXACT -> L02;
                  D_NORMAL, D_ASOF, D_NOTCOUNTED -> E14; D_FUTURE, D_BADID (no
                  other funeral in the household) -> no E14;
                  an eligible candidate with CF_OVER or CF_OVER1@24 -> no L01,
                  with CF_EXACT@24, CF_GONE or CD_FUNERAL -> L01
  huaiyuan        F_EXACT@12 -> no E13; F_OVER1@12, F_OVER -> E13
  guangdong_edge  F_EXACT@24u -> no E13; F_OVER1@24u -> E13
  sixian          F_EXACT@48 (a counted member of grade 1-2) -> no E13
  huaiyuan        R_E15@y (a counted member's flat in the window) -> E15

Prints the checks per label and every miss; exit 1 on a miss.
"""
import csv
import os
import sys

# candidate categories whose L01 fires unless something else blocks it
ELIGIBLE = {'C_ELIG', 'C_ELIG_EXACT', 'C_VEH_COMM', 'C_SOLEPROP', 'C_AREA_EXACT',
            'C_TWOSRC', 'C_NONNORMAL_ASSET'}


def load_flags(out):
    by_hh, l01 = {}, set()
    with open(os.path.join(out, 'flags.csv'), encoding='utf-8', newline='') as f:
        for r in csv.DictReader(f):
            if r['rule_id'] == 'L01_CANDIDATE_ELIGIBLE':
                l01.add(r['id_no'])
            else:
                by_hh.setdefault(r['household_id'], set()).add(r['rule_id'])
    return by_hh, l01


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    truth = []
    with open(os.path.join(argv[1], 'gen-truth.csv'), encoding='utf-8', newline='') as f:
        for r in csv.DictReader(f):
            r['labels'] = set(x for x in r['labels'].split(';') if x)
            truth.append(r)
    misses = 0
    for arg in argv[2:]:
        pol, _, out = arg.partition('=')
        by_hh, l01 = load_flags(out)
        stats = {}

        def expect(label, key, got, want):
            nonlocal misses
            s = stats.setdefault(label, [0, 0])
            s[0] += 1
            if got != want:
                s[1] += 1
                misses += 1
                print('  MISS %s %s %s: %s' % (pol, label, key,
                                               'expected, absent' if want else 'unexpected'))

        for r in truth:
            lab = r['labels']
            if r['kind'] == 'household' and r['standard'] == 'std':
                rules = by_hh.get(r['key'], set())
                e13 = 'E13_FINANCIAL_ASSETS' in rules
                if r['status'] == 'cancelled':
                    if pol == 'reference':
                        for l, want in (('F_L02_OVER', False), ('D_L02', False),
                                        ('F_L02_EXACT', True)):
                            if l in lab and 'L02_CLEAN' in lab and \
                                    not (want and {'F_L02_OVER', 'D_L02'} & lab):
                                expect(l, r['key'], 'L02_CANCELLED_ELIGIBLE' in rules, want)
                    continue
                table = {
                    'reference': {'F_OVER': True, 'F_OVER1@24': True, 'F_EXACT@36': True,
                                  'F_EXACT@48': True, 'F_UNDER': False, 'F_LATER': False,
                                  'F_NONCOUNTED': False, 'F_NONMEMBER': False,
                                  'F_EXACT@24': False, 'F_EXACT@12': False,
                                  'F_OVER1@12': False},
                    'huaiyuan': {'F_EXACT@12': False, 'F_OVER1@12': True, 'F_OVER': True},
                    'guangdong_edge': {'F_EXACT@24u': False, 'F_OVER1@24u': True},
                    'sixian': {'F_EXACT@48': False},
                }.get(pol, {})
                if pol == 'huaiyuan':   # a flat designed to make E15 fire
                    table = dict(table, **{'R_E15@y': True, 'R_E15@y29': True})
                for l, want in table.items():
                    if l in lab:
                        expect(l, r['key'], 'E15_RECENT_HOUSING' in rules
                               if l.startswith('R_E15') else e13, want)
                if pol == 'reference':
                    e14 = 'E14_FUNERAL_RECORD' in rules
                    for l in ('D_NORMAL', 'D_ASOF', 'D_NOTCOUNTED'):
                        if l in lab:
                            expect(l, r['key'], e14, True)
                    for l in ('D_FUTURE', 'D_BADID'):
                        if l in lab and 'D_DECEASED' not in lab:
                            expect(l, r['key'], e14, False)
            elif r['kind'] == 'candidate' and pol == 'reference' and r['standard'] == 'std':
                cat = r['labels'] & ELIGIBLE
                if not cat:
                    continue
                for l, want in (('CF_OVER', False), ('CF_OVER1@24', False),
                                ('CF_EXACT@24', True), ('CF_GONE', True),
                                ('CD_FUNERAL', True)):
                    if l in lab and not (want and ({'CF_OVER', 'CF_OVER1@24'} & lab)):
                        expect(l, r['key'], r['key'] in l01, want)
        print('truthcheck %s: %s' % (pol, ', '.join(
            '%s %d/%d' % (l, s[0] - s[1], s[0]) for l, s in sorted(stats.items())) or 'nothing to check'))
    return 1 if misses else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
