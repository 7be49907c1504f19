#!/usr/bin/env python3
"""Independent reference implementation (oracle) of the hedui data contract.

Written from doc/data-contract.md alone, Python 3 standard
library only, exact rational arithmetic throughout (fractions.Fraction and
integers; never float).  Used to cross-check the C engine with compare.py.

    python3 bench/oracle/hedui_oracle.py --data DIR --out DIR --as-of YYYY-MM-DD
        [--rules DIR] [--pack reference|sixian|huaiyuan|guangdong_edge]
        [--previous DIR] [--accept-drop FEED ...]

Outputs in --out: flags.csv, review_queue.csv, rejects.csv,
spotcheck_counts.csv (group sizes only: the sample itself is seed dependent),
notes.txt (households/candidates without a standard, rules skipped),
manifest.json (inputs with data_rows/accepted/rejected, counts per rule: what
a later run's --previous reads).  Exit 1 with nothing written when the run
stops (reject limit, "Feeds that look incomplete").

Policy: the reference policy, or a local pack ("Local policy packs") chosen
with --pack NAME, or with --rules DIR whose last path component is a pack
name (rules/packs/sixian).  The oracle hard-codes every policy from the
contract text; it never reads policy.rules.  From --rules it takes only
standards.csv and holidays.csv (a copy in --data wins), falling back to the
shipped rules/ when the directory has neither (the packs are not shipped yet).
--previous DIR: a previous run's output (this oracle's or the engine's
manifest.json); --accept-drop FEED (hukou or hukou.csv) accepts that feed's
drop for this run.

Choices where the contract is silent or could be read two ways:

* Every field is trimmed with str.strip() (Unicode white space) before it is
  validated; IDs additionally lose white space anywhere.
* Blank lines (empty, or only spaces/tabs/CR, outside quotes) are skipped,
  neither data rows nor rejects.
* A quote inside an unquoted field is literal; text after a closing quote
  (other than spaces/tabs) or a quote still open at end of file makes the
  record malformed -> reject.
* Empty values: allowed only for approved_on (any status), status_date (only
  when status is `normal`), employer (social_insurance, public_servants),
  and the free-text columns name, plate_no, entity_name, caseworker_id
  (households), relation (staff_relatives) and source (candidates).  Every
  other column (keys, enums, dates, money, areas, shares, codes, IDs of feed
  rows) must be non-empty and valid, else the row is rejected.  A registry
  member's id_no may be anything (even empty): it is never a reject reason.
* Duplicate detection (households, members within a household) only
  considers rows that passed value validation; the later valid row is the
  rejected "repeat".  Members of a household that was rejected are rejected
  as "household not in households.csv".
* Hukou: several rows for one person -> the `normal` row (if several, the one
  with the latest status_date, empty = earliest, ties: first in the file),
  else the latest status_date (ties: first in the file).  Rows not chosen are
  superseded history, not rejects.
* standards.csv: same region_prefix/area_type/effective_from twice -> the
  first row in the file wins (no reject).
* candidates.csv: one L01 row per candidate id; the first accepted row of a
  candidate supplies region_code and area_type.
* Table "Rules that flag a household" (E01-E14, P01, Q01-Q05; E15 in
  huaiyuan) is evaluated only for active, suspended and applying households.
  L02 for a cancelled household re-evaluates E01-E09, E13, E14 (E15) as if
  it were not cancelled.
* Age for E11: completed years by calendar comparison (birthday reached on the
  as-of date = older); a 29 February birthday is reached on 1 March.
* Property area sums are per property row (no de-duplication of rows).
* Reject limit: a file stops the run when rejected*100 > 5*data_rows; it
  applies to standards.csv and holidays.csv too (also when read from rules/).
  A missing required file or a missing named column is fatal (exit 1).
* Values are not cross-checked against each other: monthly_benefit > 0 for a
  cancelled household, approved_on before applied_on (P01 then counts 0) or
  dates after the as-of date are accepted.
* L02 for a cancelled household of size 0 (no counted members) fires when
  E01-E05/E07/E08/E14 do not (E06/E09/E13 are "not evaluated"), provided a
  standard exists for it.
* Q03 / Q01 trimming uses str.strip(), i.e. Unicode white space (U+3000 too).

Choices for the contract of 2026-12 (E13-E15, Q04, Q05, kept member rows,
incomplete feeds, packs):

* members.csv: a row is rejected only when it cannot be read (malformed
  quoting, field count, encoding), its household_id (trimmed; empty included)
  names no accepted households.csv row, or it repeats a person of its
  household (same normalised ID, or same trimmed raw id_no when invalid).
  The first row in the file is kept, even when it has bad values and the
  repeat has none.  Usable values, after trimming: relation and work_ability
  exactly one of the enum words (case-sensitive: "Head" is unusable);
  declared_monthly_income a non-negative decimal with at most two decimals
  (as all money: "1,200", "1200元", full-width digits, "-5" are unusable);
  disability_grade exactly one ASCII digit 0-4 ("02", "1.0", "+1" are
  unusable).  Defaults: other / 0 / none / 0.
* Q05: one flag per kept row with any unusable value of those four columns,
  for households with status active/suspended/applying; key: the member's own
  hukou_no (empty when not in hukou or the ID is invalid) and the normalised
  ID, or the trimmed raw id_no when invalid (may be empty).  A member of a
  cancelled household is kept with the defaults and gets no Q05.
* financial_assets.csv: rejected when id_no is invalid, institution or
  account_no is empty (after trimming), asset_type is not in its set,
  balance_yuan is not money (non-negative, <= 2 decimals) or balance_date not
  a date.  Rows dated after as-of are accepted (not rejects) and ignored.
  The account is (normalised id_no, trimmed institution, trimmed
  account_no); trimming is str.strip() (Unicode white space), inner spaces
  and letter case are kept.  Every asset_type counts (insurance and other
  too).  A person's assets: the sum over their accounts; a household's: the
  sum over counted members with a valid ID (a counted member with an invalid
  ID has none: nothing can be linked).
* E13: assets > months x standard x size, strictly, exact; no program
  factor; not evaluated for size 0, without a standard, or when
  financial_assets.csv is absent.  sixian: 48 months when a counted member
  has a usable disability_grade 1 or 2 (an unusable grade counts as 0), else
  36.  Keyed like E04.
* E14: a member with a valid ID (counted or not) with any funeral row whose
  event_date <= as-of; kind and name play no part; one flag per member.
  Funeral rows dated after as-of are accepted and ignored.  E14 does not
  block L01 (the contract lists E03-E08 and E13), so a candidate with a
  funeral record can still get L01.
* Q04: every active/suspended/applying household without a standard in force
  (size 0 included), keyed like E04.  A cancelled household without one gets
  no flag (no L02; listed in notes.txt).  guangdong_edge: Q04 when the own or
  the urban standard is missing, and then neither E09 nor E13.
* L01's E13 block: the financial assets of all `normal` persons of the
  candidate's hukou_no > months x the candidate's standard x their number
  (months 24; sixian 36, huaiyuan 12; guangdong_edge 24 x the urban standard
  of the candidate's region, and a candidate lacking the urban standard gets
  no L01).  Absent financial_assets.csv: no block.
* L02: fires when none of E01-E09, E13, E14 (and E15 in huaiyuan; E06 not in
  huaiyuan) would fire and every standard the policy needs exists; an absent
  optional feed's rule cannot fire.
* E15 (huaiyuan): any residential property row (held or sold; share and area
  irrelevant) of a counted member with a valid ID with
  start < registered_on <= applied_on, start = the same month/day three years
  before applied_on (28 February for 29 February); keyed like E04; judged
  for active/suspended/applying households and inside L02; not an L01
  blocker (candidates have no applied_on).
* Packs, otherwise: sixian E03 = valid car/truck/bus, use private, value >
  the limit in force on the as-of date (80000 when as-of < 2026-07-01, else
  100000; commercial vehicles never); huaiyuan E03 = any valid vehicle but
  disabled_mobility; guangdong_edge E03 = valid car/truck/bus/low_speed.
  E05/E07 sets as listed.  huaiyuan's E06 off: no E06 flags, no area block
  in L01, not part of L02.  L01 in each pack uses the pack's E03, E05, E07
  (E04, E08 unchanged).
* Feeds that look incomplete (checked after the reject limit, all stops
  printed, exit 1): a required feed with data rows - rejected rows == 0
  (merged hukou repeats count as accepted); social_insurance.csv lacking an
  accepted row of any kind (resident_pension_contrib too) for a month of the
  income window (checked only when it has accepted rows at all).  Drop: for
  every data file (not standards.csv/holidays.csv) with data_rows > 0 in the
  previous manifest, a stop when (before - now) / before > 20%, data_rows
  being records read (header and blank lines excluded, rejects included); an
  optional feed absent now counts as 0 rows (stop); --accept-drop FEED skips
  that file.  The pre-approval check (hedui check) is not modelled.
"""

import argparse
import datetime
import json
import math
import os
import re
import sys
from fractions import Fraction

# ---------------------------------------------------------------------------
# Shipped reference values (rules/ defaults), hard-coded by design.
# ---------------------------------------------------------------------------
INCOME_WINDOW_MONTHS = 6
PROGRAM_FACTORS = {'dibao': Fraction(1), 'tekun': Fraction(1),
                   'dishouru': Fraction(3, 2)}
E03_VEHICLE_CLASSES = frozenset(['car', 'truck', 'bus'])
E03_EXEMPT_USE = 'commercial'
E03_EXEMPT_MAX_VALUE = Fraction(30000)
E06_AREA_LIMIT_M2 = Fraction(40)           # per counted person
E04_MIN_RESIDENTIAL = 2
P01_LIMIT_WORKING_DAYS = 15
E11_CHILD_AGE = 18                         # child counts when age < 18
REJECT_LIMIT = Fraction(5, 100)            # rejected / data rows, per file
WEIGHTS = {'high': 3, 'medium': 2, 'low': 1}
SPOTCHECK_RATIOS = {'dibao': Fraction(1, 10), 'dishouru': Fraction(1, 10),
                    'tekun': Fraction(3, 10)}

RULES = {
    # rule_id: (kind, severity)
    'E01_DECEASED': ('cuobao', 'high'),
    'E02_MOVED_OUT': ('cuobao', 'medium'),
    'E03_VEHICLE': ('cuobao', 'high'),
    'E04_MULTI_HOUSING': ('cuobao', 'high'),
    'E05_COMMERCIAL_PROPERTY': ('cuobao', 'high'),
    'E06_HOUSING_AREA': ('cuobao', 'medium'),
    'E07_BUSINESS': ('cuobao', 'high'),
    'E08_PUBLIC_SERVANT': ('cuobao', 'high'),
    'E09_INCOME': ('cuobao', 'high'),
    'E10_DUPLICATE': ('cuobao', 'high'),
    'E11_UNDECLARED_SPOUSE': ('cuobao', 'medium'),
    'E12_STAFF_RELATIVE': ('cuobao', 'low'),
    'E13_FINANCIAL_ASSETS': ('cuobao', 'high'),
    'E14_FUNERAL_RECORD': ('cuobao', 'high'),
    'E15_RECENT_HOUSING': ('cuobao', 'high'),      # huaiyuan pack only
    'P01_OVERDUE': ('process', 'low'),
    'Q01_INVALID_ID': ('quality', 'medium'),
    'Q02_NOT_IN_HUKOU': ('quality', 'medium'),
    'Q03_NAME_MISMATCH': ('quality', 'low'),
    'Q04_NO_STANDARD': ('quality', 'medium'),
    'Q05_MEMBER_ROW': ('quality', 'medium'),
    'L01_CANDIDATE_ELIGIBLE': ('loubao', 'high'),
    'L02_CANCELLED_ELIGIBLE': ('loubao', 'medium'),
}

E13_MONTHS = 24
DROP_LIMIT = Fraction(20, 100)             # data rows fallen since --previous


# ---------------------------------------------------------------------------
# Policies: the reference and the three local packs ("Local policy packs").
# Each is the reference with the contract's listed changes, hard-coded here
# from the contract text (the oracle does not read rules/policy.rules).
# ---------------------------------------------------------------------------
PACKS = ('reference', 'sixian', 'huaiyuan', 'guangdong_edge')
SIXIAN_E03_SWITCH = datetime.date(2026, 7, 1)


class Policy:
    def __init__(self, name, asof):
        if name not in PACKS:
            raise ValueError(name)
        self.name = name
        self.asof = asof
        self.e05_usages = frozenset(['commercial', 'office', 'industrial'])
        self.e07_roles = frozenset(['legal_rep', 'shareholder'])
        self.e06_on = True
        self.e15_on = False
        self.e13_urban = False        # guangdong_edge: the urban standard
        if name == 'sixian':
            self.e07_roles = frozenset(['legal_rep'])
            # dated parameter: the value in force on the as-of date
            self.e03_limit = Fraction(80000) if asof < SIXIAN_E03_SWITCH else Fraction(100000)
        elif name == 'huaiyuan':
            self.e07_roles = frozenset(['legal_rep', 'sole_proprietor'])
            self.e06_on = False
            self.e15_on = True
        elif name == 'guangdong_edge':
            self.e05_usages = frozenset(['commercial', 'office', 'industrial', 'parking'])
            self.e07_roles = frozenset(['legal_rep', 'shareholder', 'sole_proprietor'])
            self.e13_urban = True
        self.rules = dict(RULES)
        if not self.e15_on:
            del self.rules['E15_RECENT_HOUSING']
        if not self.e06_on:
            del self.rules['E06_HOUSING_AREA']

    def e03_hit(self, v):
        """Does a vehicle row make E03 fire (the pack's own shape)?"""
        if v['status'] != 'valid':
            return False
        if self.name == 'sixian':
            return (v['class'] in E03_VEHICLE_CLASSES and v['use'] == 'private'
                    and v['value'] > self.e03_limit)
        if self.name == 'huaiyuan':
            return v['class'] != 'disabled_mobility'
        if self.name == 'guangdong_edge':
            return v['class'] in ('car', 'truck', 'bus', 'low_speed')
        if v['class'] not in E03_VEHICLE_CLASSES:
            return False
        return not (v['use'] == E03_EXEMPT_USE and v['value'] <= E03_EXEMPT_MAX_VALUE)

    def e13_months(self, counted):
        """Months for a registry household's E13 (counted: member dicts)."""
        if self.name == 'sixian':
            return 48 if any(m['grade'] in (1, 2) for m in counted) else 36
        if self.name == 'huaiyuan':
            return 12
        return E13_MONTHS

    def e13_months_l01(self):
        if self.name == 'sixian':
            return 36
        if self.name == 'huaiyuan':
            return 12
        return E13_MONTHS


EVALUATED_STATUSES = frozenset(['active', 'suspended', 'applying'])
SPOTCHECK_STATUSES = frozenset(['active', 'suspended'])

RELATIONS = frozenset(['head', 'spouse', 'child', 'parent', 'sibling',
                       'grandchild', 'other'])
ENUMS = {
    'program': frozenset(['dibao', 'tekun', 'dishouru']),
    'area_type': frozenset(['urban', 'rural']),
    'hh_status': frozenset(['active', 'suspended', 'cancelled', 'applying']),
    'work_ability': frozenset(['full', 'partial', 'none']),
    'hukou_status': frozenset(['normal', 'deceased', 'moved_out', 'cancelled']),
    'vehicle_class': frozenset(['car', 'truck', 'bus', 'motorcycle', 'tricycle',
                                'disabled_mobility', 'low_speed']),
    'use': frozenset(['private', 'commercial']),
    'vehicle_status': frozenset(['valid', 'scrapped', 'transferred']),
    'usage': frozenset(['residential', 'commercial', 'office', 'industrial',
                        'parking', 'other']),
    'property_status': frozenset(['held', 'sold']),
    'si_kind': frozenset(['employment', 'employee_pension_contrib',
                          'resident_pension_contrib', 'pension_benefit',
                          'unemployment_benefit']),
    'role': frozenset(['legal_rep', 'shareholder', 'sole_proprietor']),
    'business_status': frozenset(['active', 'revoked', 'cancelled']),
    'holiday_kind': frozenset(['holiday', 'workday']),
    'asset_type': frozenset(['deposit', 'wealth', 'securities', 'fund', 'insurance',
                             'other']),
    'funeral_kind': frozenset(['cremation', 'burial']),
}

COLUMNS = {
    'households.csv': ['household_id', 'region_code', 'program', 'area_type',
                       'status', 'applied_on', 'approved_on',
                       'monthly_benefit', 'caseworker_id'],
    'members.csv': ['household_id', 'id_no', 'name', 'relation',
                    'declared_monthly_income', 'work_ability',
                    'disability_grade'],
    'hukou.csv': ['id_no', 'name', 'hukou_no', 'relation_to_head',
                  'region_code', 'status', 'status_date'],
    'vehicles.csv': ['id_no', 'plate_no', 'vehicle_class', 'use',
                     'registered_on', 'value_yuan', 'status'],
    'property.csv': ['id_no', 'property_id', 'usage', 'area_m2', 'share',
                     'registered_on', 'status'],
    'social_insurance.csv': ['id_no', 'period', 'kind', 'employer', 'amount'],
    'business.csv': ['id_no', 'entity_name', 'role', 'registered_capital_yuan',
                     'status'],
    'public_servants.csv': ['id_no', 'employer', 'since'],
    'staff_relatives.csv': ['caseworker_id', 'relative_id_no', 'relation'],
    'candidates.csv': ['id_no', 'source', 'region_code', 'area_type'],
    'financial_assets.csv': ['id_no', 'institution', 'account_no', 'asset_type',
                             'balance_yuan', 'balance_date'],
    'funeral.csv': ['id_no', 'name', 'event_date', 'kind'],
    'standards.csv': ['region_prefix', 'area_type', 'effective_from',
                      'monthly_yuan'],
    'holidays.csv': ['date', 'kind'],
}
REQUIRED_FILES = ['households.csv', 'members.csv', 'hukou.csv', 'vehicles.csv',
                  'property.csv', 'social_insurance.csv']
OPTIONAL_FEEDS = ['business.csv', 'public_servants.csv', 'staff_relatives.csv',
                  'candidates.csv', 'financial_assets.csv', 'funeral.csv']
RULE_FILES = ['standards.csv', 'holidays.csv']

PROVINCES = set()
for _a, _b in [(11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65),
               (71, 71), (81, 83)]:
    PROVINCES.update('%02d' % p for p in range(_a, _b + 1))

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = '10X98765432'

RE_DIGITS12 = re.compile(r'[0-9]{12}')
RE_PREFIX = re.compile(r'[0-9]{6}(?:[0-9]{3}(?:[0-9]{3})?)?')
RE_DATE = re.compile(r'([0-9]{4})-([0-9]{2})-([0-9]{2})')
RE_MONTH = re.compile(r'([0-9]{4})-([0-9]{2})')
RE_MONEY = re.compile(r'[0-9]+(?:\.[0-9]{1,2})?')
RE_SHARE = re.compile(r'[0-9]+(?:\.[0-9]+)?')
RE_GRADE = re.compile(r'[0-4]')


class Reject(Exception):
    pass


class Fatal(Exception):
    pass


# ---------------------------------------------------------------------------
# Value parsing
# ---------------------------------------------------------------------------
def is_ascii_digits(s):
    return s.isascii() and s.isdigit()


def id_check_char(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


_ID_FOLD = {0xFF10 + i: ord('0') + i for i in range(10)}
_ID_FOLD[0xFF38] = ord('X')  # full-width X
_ID_FOLD[0xFF58] = ord('X')  # full-width x
_ID_FOLD[ord('x')] = ord('X')


def normalize_id(raw, asof):
    """Normalised 18-character ID, or None when invalid."""
    if len(raw) == 18 and raw.isascii() and raw[:17].isdigit():
        s = raw.upper()                       # fast path, already clean
    else:
        s = ''.join(ch for ch in raw if not ch.isspace()).translate(_ID_FOLD)
    if len(s) == 15 and is_ascii_digits(s):
        s = s[:6] + '19' + s[6:]
        s += id_check_char(s)
    if len(s) != 18 or not is_ascii_digits(s[:17]):
        return None
    if s[17] != id_check_char(s[:17]):
        return None
    if s[:2] not in PROVINCES:
        return None
    try:
        birth = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None
    if birth < datetime.date(1900, 1, 1) or birth > asof:
        return None
    return s


def birth_of(nid):
    return datetime.date(int(nid[6:10]), int(nid[10:12]), int(nid[12:14]))


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def parse_date(s, col):
    m = RE_DATE.fullmatch(s)
    if not m:
        raise Reject('bad date in %s: %r' % (col, s))
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise Reject('bad date in %s: %r' % (col, s))


def parse_opt_date(s, col):
    return None if s == '' else parse_date(s, col)


def parse_month(s, col):
    m = RE_MONTH.fullmatch(s)
    if not m or not (1 <= int(m.group(2)) <= 12) or int(m.group(1)) < 1:
        raise Reject('bad month in %s: %r' % (col, s))
    return (int(m.group(1)), int(m.group(2)))


def parse_money(s, col):
    # non-negative, at most two decimals; also used for areas (hundredths)
    if not RE_MONEY.fullmatch(s):
        raise Reject('bad amount in %s: %r' % (col, s))
    return Fraction(s)


def parse_share(s, col):
    if not RE_SHARE.fullmatch(s):
        raise Reject('bad share in %s: %r' % (col, s))
    v = Fraction(s)
    if not (0 < v <= 1):
        raise Reject('share out of range in %s: %r' % (col, s))
    return v


def parse_enum(s, enum, col):
    if s not in ENUMS[enum]:
        raise Reject('bad value in %s: %r' % (col, s))
    return s


def parse_relation(s, col):
    if s not in RELATIONS:
        raise Reject('bad value in %s: %r' % (col, s))
    return s


def parse_region(s, col):
    if not RE_DIGITS12.fullmatch(s):
        raise Reject('bad region code in %s: %r' % (col, s))
    return s


def parse_required(s, col):
    if s == '':
        raise Reject('empty %s' % col)
    return s


def parse_feed_id(s, col, asof):
    nid = normalize_id(s, asof)
    if nid is None:
        raise Reject('invalid ID in %s: %r' % (col, s))
    return nid


def fmt_money(v):
    """Exact decimal text of a Fraction (rounded display only for evidence)."""
    if v.denominator == 1:
        return str(v.numerator)
    if 10000 % v.denominator == 0 or 100 % v.denominator == 0:
        cents = v * 100
        if cents.denominator == 1:
            n = cents.numerator
            return '%d.%02d' % (n // 100, n % 100)
    return '%s(=%.2f)' % (v, v.numerator / v.denominator)  # display only


# ---------------------------------------------------------------------------
# CSV reading: bytes -> records with physical start lines
# ---------------------------------------------------------------------------
def _parse_record(s):
    """Parse one record (bytes, no final terminator).
    Returns (fields, malformed) or None when a quoted field is still open."""
    fields = []
    n = len(s)
    i = 0
    malformed = False
    while True:
        j = i
        while j < n and s[j] in (32, 9):
            j += 1
        if j < n and s[j] == 34:        # quoted field
            j += 1
            buf = bytearray()
            while True:
                k = s.find(b'"', j)
                if k < 0:
                    return None
                buf += s[j:k]
                if k + 1 < n and s[k + 1] == 34:
                    buf += b'"'
                    j = k + 2
                    continue
                j = k + 1
                break
            while j < n and s[j] in (32, 9):
                j += 1
            if j < n and s[j] != 44:
                malformed = True
                k = s.find(b',', j)
                if k < 0:
                    k = n
                buf += s[j:k]
                j = k
            fields.append(bytes(buf))
        else:                            # unquoted: literal up to next comma
            k = s.find(b',', i)
            if k < 0:
                k = n
            fields.append(s[i:k])
            j = k
        if j >= n:
            return fields, malformed
        i = j + 1                         # skip comma
        if i >= n:
            fields.append(b'')
            return fields, malformed


def split_records(data):
    """Yield (start_line, fields_bytes_or_None, malformed)."""
    lines = data.split(b'\n')
    nlines = len(lines)
    idx = 0
    while idx < nlines:
        start = idx
        line = lines[idx]
        if line.endswith(b'\r'):
            line = line[:-1]
        idx += 1
        if line.strip(b' \t\r') == b'':
            continue                      # blank line
        if b'"' not in line:
            yield start + 1, line.split(b','), False
            continue
        rec = line
        raw = lines[start]
        while True:
            res = _parse_record(rec)
            if res is not None:
                yield start + 1, res[0], res[1]
                break
            if idx >= nlines:             # quote open at end of file
                yield start + 1, None, True
                break
            raw = raw + b'\n' + lines[idx]
            idx += 1
            rec = raw[:-1] if raw.endswith(b'\r') else raw


def detect_encoding(data):
    try:
        data.decode('utf-8')
        return 'utf-8'
    except UnicodeDecodeError:
        pass
    try:
        data.decode('gb18030')
        return 'gb18030'
    except UnicodeDecodeError:
        pass
    return 'utf-8-rowwise'


class Table:
    def __init__(self, name):
        self.name = name
        self.data_rows = 0
        self.rejects = []          # (line, reason)
        self.encoding = None

    def reject(self, line, reason):
        self.rejects.append((line, reason))


def read_table(path, name):
    """Return (Table, list of (line, dict col->trimmed str))."""
    t = Table(name)
    with open(path, 'rb') as f:
        data = f.read()
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    enc = detect_encoding(data)
    t.encoding = enc
    codec = 'gb18030' if enc == 'gb18030' else 'utf-8'
    rows = []
    header = None
    for line, fields, malformed in split_records(data):
        if header is None:
            if fields is None:
                raise Fatal('%s: unreadable header' % name)
            header = [f.decode(codec, 'replace').strip() for f in fields]
            missing = [c for c in COLUMNS[name] if c not in header]
            if missing:
                raise Fatal('%s: missing column(s) %s' % (name, ', '.join(missing)))
            colidx = {}
            for i, h in enumerate(header):
                colidx.setdefault(h, i)
            continue
        t.data_rows += 1
        if fields is None or malformed:
            t.reject(line, 'malformed quoting')
            continue
        if len(fields) != len(header):
            t.reject(line, 'field count %d != header %d' % (len(fields), len(header)))
            continue
        try:
            vals = [f.decode(codec) for f in fields]
        except UnicodeDecodeError:
            t.reject(line, 'bad encoding')
            continue
        rows.append((line, {c: vals[colidx[c]].strip() for c in COLUMNS[name]}))
    if header is None:
        raise Fatal('%s: empty file (no header)' % name)
    return t, rows


# ---------------------------------------------------------------------------
# Loading and validating every file
# ---------------------------------------------------------------------------
class Data:
    pass


def load(args, asof):
    d = Data()
    d.tables = {}
    d.notes = []
    d.absent = set()
    paths = {}
    for name in REQUIRED_FILES:
        p = os.path.join(args.data, name)
        if not os.path.isfile(p):
            raise Fatal('required input %s is missing' % p)
        paths[name] = p
    for name in OPTIONAL_FEEDS:
        p = os.path.join(args.data, name)
        if os.path.isfile(p):
            paths[name] = p
        else:
            d.absent.add(name)
    for name in RULE_FILES:
        p = os.path.join(args.data, name)
        if not os.path.isfile(p):
            p = os.path.join(args.rules, name)
        if os.path.isfile(p):
            paths[name] = p
        else:
            d.absent.add(name)
    d.paths = paths

    def rows_of(name):
        t, rows = read_table(paths[name], name)
        d.tables[name] = t
        return t, rows

    # ---- households ----
    t, rows = rows_of('households.csv')
    d.households = {}
    for line, r in rows:
        try:
            hh = {
                'line': line,
                'household_id': parse_required(r['household_id'], 'household_id'),
                'region': parse_region(r['region_code'], 'region_code'),
                'program': parse_enum(r['program'], 'program', 'program'),
                'area_type': parse_enum(r['area_type'], 'area_type', 'area_type'),
                'status': parse_enum(r['status'], 'hh_status', 'status'),
                'applied_on': parse_date(r['applied_on'], 'applied_on'),
                # approved_on: empty allowed for any status
                'approved_on': parse_opt_date(r['approved_on'], 'approved_on'),
                'monthly_benefit': parse_money(r['monthly_benefit'], 'monthly_benefit'),
                # caseworker_id: free text, empty allowed (then no E12 match)
                'caseworker': r['caseworker_id'],
            }
        except Reject as e:
            t.reject(line, str(e))
            continue
        if hh['household_id'] in d.households:
            t.reject(line, 'duplicate household_id %s (first at line %d)' % (
                hh['household_id'], d.households[hh['household_id']]['line']))
            continue
        d.households[hh['household_id']] = hh

    # ---- members ----
    # A row of a known household that is not a repeat is kept whatever its
    # other values: an unusable relation/declared_monthly_income/work_ability/
    # disability_grade takes its default and the row gets Q05 (bad lists the
    # (column, value) pairs).  Rejected: unknown household, a repeat, a row
    # that cannot be read (malformed, field count, encoding: read_table).
    t, rows = rows_of('members.csv')
    d.members = {hid: [] for hid in d.households}
    seen = {}
    for line, r in rows:
        hid = r['household_id']
        if hid not in d.households:
            t.reject(line, 'household_id %r not in households.csv' % hid)
            continue
        raw = r['id_no']          # never a reject reason; may be empty
        bad = []
        rel = r['relation']
        if rel not in RELATIONS:
            bad.append(('relation', rel))
            rel = 'other'
        dec = r['declared_monthly_income']
        if RE_MONEY.fullmatch(dec):
            declared = Fraction(dec)
        else:
            bad.append(('declared_monthly_income', dec))
            declared = Fraction(0)
        work = r['work_ability']
        if work not in ENUMS['work_ability']:
            bad.append(('work_ability', work))
            work = 'none'
        grade = r['disability_grade']
        if RE_GRADE.fullmatch(grade):
            grade = int(grade)
        else:
            bad.append(('disability_grade', grade))
            grade = 0
        m = {
            'line': line,
            'raw_id': raw.strip(),
            'nid': normalize_id(raw, asof),
            'name': r['name'],    # free text, empty allowed, never Q05
            'relation': rel,
            'declared': declared,
            'work_ability': work,
            'grade': grade,
            'bad': bad,
        }
        key = (hid, 'V', m['nid']) if m['nid'] else (hid, 'R', m['raw_id'])
        if key in seen:
            t.reject(line, 'person repeated in household %s (first at line %d)'
                     % (hid, seen[key]))
            continue
        seen[key] = line
        d.members[hid].append(m)

    # ---- hukou ----
    t, rows = rows_of('hukou.csv')
    hk_rows = {}
    for line, r in rows:
        try:
            status = parse_enum(r['status'], 'hukou_status', 'status')
            h = {
                'line': line,
                'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                'name': r['name'],
                'hukou_no': parse_required(r['hukou_no'], 'hukou_no'),
                'relation': parse_relation(r['relation_to_head'], 'relation_to_head'),
                'region': parse_region(r['region_code'], 'region_code'),
                'status': status,
                # status_date: empty allowed only for `normal`
                'status_date': (parse_opt_date(r['status_date'], 'status_date')
                                if status == 'normal'
                                else parse_date(r['status_date'], 'status_date')),
            }
        except Reject as e:
            t.reject(line, str(e))
            continue
        hk_rows.setdefault(h['nid'], []).append(h)
    d.hukou = {}
    for nid, lst in hk_rows.items():
        normal = [h for h in lst if h['status'] == 'normal']
        pool = normal if normal else lst
        best = None
        for h in pool:   # latest status_date, empty earliest, ties: first
            if best is None or (h['status_date'] or datetime.date.min) > \
                    (best['status_date'] or datetime.date.min):
                best = h
        d.hukou[nid] = best
    d.hukou_by_no = {}
    for nid, h in d.hukou.items():
        d.hukou_by_no.setdefault(h['hukou_no'], []).append(nid)

    # ---- vehicles ----
    t, rows = rows_of('vehicles.csv')
    d.vehicles = {}
    for line, r in rows:
        try:
            v = {
                'line': line,
                'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                'plate': r['plate_no'],        # free text, empty allowed
                'class': parse_enum(r['vehicle_class'], 'vehicle_class', 'vehicle_class'),
                'use': parse_enum(r['use'], 'use', 'use'),
                'registered_on': parse_date(r['registered_on'], 'registered_on'),
                'value': parse_money(r['value_yuan'], 'value_yuan'),
                'status': parse_enum(r['status'], 'vehicle_status', 'status'),
            }
        except Reject as e:
            t.reject(line, str(e))
            continue
        d.vehicles.setdefault(v['nid'], []).append(v)

    # ---- property ----
    t, rows = rows_of('property.csv')
    d.property = {}
    for line, r in rows:
        try:
            p = {
                'line': line,
                'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                'pid': parse_required(r['property_id'], 'property_id'),
                'usage': parse_enum(r['usage'], 'usage', 'usage'),
                'area': parse_money(r['area_m2'], 'area_m2'),
                'share': parse_share(r['share'], 'share'),
                'registered_on': parse_date(r['registered_on'], 'registered_on'),
                'status': parse_enum(r['status'], 'property_status', 'status'),
            }
        except Reject as e:
            t.reject(line, str(e))
            continue
        d.property.setdefault(p['nid'], []).append(p)

    # ---- social insurance ----
    t, rows = rows_of('social_insurance.csv')
    d.si = {}   # nid -> {(y,m): {kind: sum}}
    d.si_months = set()   # periods with at least one accepted row (any kind)
    for line, r in rows:
        try:
            nid = parse_feed_id(r['id_no'], 'id_no', asof)
            period = parse_month(r['period'], 'period')
            kind = parse_enum(r['kind'], 'si_kind', 'kind')
            # employer: empty allowed
            amount = parse_money(r['amount'], 'amount')
        except Reject as e:
            t.reject(line, str(e))
            continue
        d.si_months.add(period)
        per = d.si.setdefault(nid, {}).setdefault(period, {})
        per[kind] = per.get(kind, 0) + amount

    # ---- optional feeds ----
    d.business = None
    if 'business.csv' in paths:
        t, rows = rows_of('business.csv')
        d.business = {}
        for line, r in rows:
            try:
                b = {
                    'line': line,
                    'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                    'entity': r['entity_name'],     # empty allowed
                    'role': parse_enum(r['role'], 'role', 'role'),
                    'capital': parse_money(r['registered_capital_yuan'],
                                           'registered_capital_yuan'),
                    'status': parse_enum(r['status'], 'business_status', 'status'),
                }
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.business.setdefault(b['nid'], []).append(b)

    d.public_servants = None
    if 'public_servants.csv' in paths:
        t, rows = rows_of('public_servants.csv')
        d.public_servants = {}
        for line, r in rows:
            try:
                ps = {
                    'line': line,
                    'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                    'employer': r['employer'],    # empty allowed
                    'since': parse_date(r['since'], 'since'),
                }
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.public_servants.setdefault(ps['nid'], []).append(ps)

    d.staff_rel = None
    if 'staff_relatives.csv' in paths:
        t, rows = rows_of('staff_relatives.csv')
        d.staff_rel = {}
        for line, r in rows:
            try:
                cw = parse_required(r['caseworker_id'], 'caseworker_id')
                nid = parse_feed_id(r['relative_id_no'], 'relative_id_no', asof)
                # relation: free text, empty allowed
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.staff_rel.setdefault((cw, nid), r['relation'])

    d.candidates = None
    if 'candidates.csv' in paths:
        t, rows = rows_of('candidates.csv')
        d.candidates = []
        for line, r in rows:
            try:
                c = {
                    'line': line,
                    'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                    'source': r['source'],        # free text, empty allowed
                    'region': parse_region(r['region_code'], 'region_code'),
                    'area_type': parse_enum(r['area_type'], 'area_type', 'area_type'),
                }
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.candidates.append(c)

    # ---- financial assets: per account the latest usable row on or before
    # as-of (ties on that date: the larger balance); rows dated later are
    # accepted and ignored ----
    d.fin = None
    if 'financial_assets.csv' in paths:
        t, rows = rows_of('financial_assets.csv')
        acc = {}
        for line, r in rows:
            try:
                nid = parse_feed_id(r['id_no'], 'id_no', asof)
                inst = parse_required(r['institution'], 'institution')
                no = parse_required(r['account_no'], 'account_no')
                atype = parse_enum(r['asset_type'], 'asset_type', 'asset_type')
                bal = parse_money(r['balance_yuan'], 'balance_yuan')
                bdate = parse_date(r['balance_date'], 'balance_date')
            except Reject as e:
                t.reject(line, str(e))
                continue
            if bdate > asof:
                continue
            k = (nid, inst, no)      # fields are already trimmed
            cur = acc.get(k)
            if cur is None or bdate > cur['date'] or (bdate == cur['date'] and bal > cur['bal']):
                acc[k] = {'date': bdate, 'bal': bal, 'line': line, 'type': atype}
        d.fin = {}
        for (nid, inst, no), a in acc.items():
            f = d.fin.setdefault(nid, {'total': Fraction(0), 'accounts': []})
            f['total'] += a['bal']
            f['accounts'].append((inst, no, a['date'], a['bal'], a['line']))

    # ---- funeral records ----
    d.funeral = None
    if 'funeral.csv' in paths:
        t, rows = rows_of('funeral.csv')
        d.funeral = {}
        for line, r in rows:
            try:
                fr = {
                    'line': line,
                    'nid': parse_feed_id(r['id_no'], 'id_no', asof),
                    'name': r['name'],            # free text, empty allowed
                    'date': parse_date(r['event_date'], 'event_date'),
                    'kind': parse_enum(r['kind'], 'funeral_kind', 'kind'),
                }
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.funeral.setdefault(fr['nid'], []).append(fr)

    d.standards = []
    if 'standards.csv' in paths:
        t, rows = rows_of('standards.csv')
        for line, r in rows:
            try:
                prefix = r['region_prefix']
                if not RE_PREFIX.fullmatch(prefix):
                    raise Reject('bad region_prefix %r' % prefix)
                s = {
                    'line': line,
                    'prefix': prefix,
                    'area_type': parse_enum(r['area_type'], 'area_type', 'area_type'),
                    'from': parse_date(r['effective_from'], 'effective_from'),
                    'yuan': parse_money(r['monthly_yuan'], 'monthly_yuan'),
                }
            except Reject as e:
                t.reject(line, str(e))
                continue
            d.standards.append(s)

    d.holidays = set()
    d.workdays = set()
    if 'holidays.csv' in paths:
        t, rows = rows_of('holidays.csv')
        for line, r in rows:
            try:
                day = parse_date(r['date'], 'date')
                kind = parse_enum(r['kind'], 'holiday_kind', 'kind')
            except Reject as e:
                t.reject(line, str(e))
                continue
            (d.holidays if kind == 'holiday' else d.workdays).add(day)
    return d


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------
class Engine:
    def __init__(self, d, asof, pol):
        self.d = d
        self.asof = asof
        self.pol = pol
        # income window: the 6 calendar months before the as-of month
        y, m = asof.year, asof.month
        months = []
        for _ in range(INCOME_WINDOW_MONTHS):
            m -= 1
            if m == 0:
                y, m = y - 1, 12
            months.append((y, m))
        self.window = months
        # registry membership of valid IDs in non-cancelled households
        self.member_of = {}
        for hid, mems in d.members.items():
            if d.households[hid]['status'] == 'cancelled':
                continue
            for mm in mems:
                if mm['nid']:
                    self.member_of.setdefault(mm['nid'], []).append(hid)
        self.std_cache = {}

    # ---- lookups ----
    def standard(self, region, area_type):
        key = (region, area_type)
        if key in self.std_cache:
            return self.std_cache[key]
        best = None
        for s in self.d.standards:
            if s['area_type'] != area_type or s['from'] > self.asof:
                continue
            if not region.startswith(s['prefix']):
                continue
            if best is None or len(s['prefix']) > len(best['prefix']) or \
                    (len(s['prefix']) == len(best['prefix']) and s['from'] > best['from']):
                best = s
        self.std_cache[key] = best
        return best

    def standards_for(self, region, area_type):
        """(own, e13 standard, ok).  ok: every standard a rule of the policy
        needs is in force (guangdong_edge: the own and the urban one)."""
        own = self.standard(region, area_type)
        if self.pol.e13_urban:
            urban = self.standard(region, 'urban')
            return own, urban, own is not None and urban is not None
        return own, own, own is not None

    def evidenced(self, nid):
        if nid is None:
            return Fraction(0)
        per = self.d.si.get(nid)
        if not per:
            return Fraction(0)
        total = Fraction(0)
        for mon in self.window:
            k = per.get(mon)
            if not k:
                continue
            total += max(k.get('employment', 0), k.get('employee_pension_contrib', 0))
            total += k.get('pension_benefit', 0) + k.get('unemployment_benefit', 0)
        return total / INCOME_WINDOW_MONTHS

    def vehicle_hits(self, nid):
        out = []
        for v in self.d.vehicles.get(nid, ()):
            if not self.pol.e03_hit(v):
                continue
            out.append('vehicles line %d: %s %s %s value %s' % (
                v['line'], v['use'], v['class'], v['plate'], fmt_money(v['value'])))
        return out

    def commercial_hits(self, nid):
        return ['property line %d: %s %s held' % (p['line'], p['usage'], p['pid'])
                for p in self.d.property.get(nid, ())
                if p['status'] == 'held' and p['usage'] in self.pol.e05_usages]

    def residential(self, nid):
        return [p for p in self.d.property.get(nid, ())
                if p['status'] == 'held' and p['usage'] == 'residential']

    def business_hits(self, nid):
        if self.d.business is None:
            return []
        return ['business line %d: %s of active %s' % (b['line'], b['role'], b['entity'])
                for b in self.d.business.get(nid, ())
                if b['status'] == 'active' and b['role'] in self.pol.e07_roles]

    def ps_hits(self, nid):
        if self.d.public_servants is None:
            return []
        return ['public_servants line %d: %s' % (p['line'], p['employer'])
                for p in self.d.public_servants.get(nid, ())]

    def fin_of(self, nid):
        if self.d.fin is None or nid is None:
            return Fraction(0)
        f = self.d.fin.get(nid)
        return f['total'] if f else Fraction(0)

    def funeral_hits(self, nid):
        if self.d.funeral is None:
            return []
        return ['funeral line %d: %s %s <= as-of' % (f['line'], f['kind'], f['date'])
                for f in self.d.funeral.get(nid, ()) if f['date'] <= self.asof]

    def working_days(self, start, end):
        """Days d with start < d <= end that are working days (prefix sums)."""
        if end <= start:
            return 0
        lo, hi = start.toordinal(), end.toordinal()
        if not hasattr(self, '_wd_lo') or lo < self._wd_lo or hi > self._wd_hi:
            a = min(lo, getattr(self, '_wd_lo', lo)) - 1
            z = max(hi, getattr(self, '_wd_hi', hi))
            pref = {}
            n = 0
            for o in range(a, z + 1):
                day = datetime.date.fromordinal(o)
                if o > a and ((day.weekday() < 5 and day not in self.d.holidays)
                              or day in self.d.workdays):
                    n += 1
                pref[o] = n
            self._wd_lo, self._wd_hi, self._wd_pref = a + 1, z, pref
        return self._wd_pref[hi] - self._wd_pref[lo]

    # ---- household ----
    def household_facts(self, hid):
        hh = self.d.households[hid]
        mems = self.d.members[hid]
        head = next((m for m in mems if m['relation'] == 'head'), None)
        head_hk = ''
        if head is not None and head['nid'] and head['nid'] in self.d.hukou:
            head_hk = self.d.hukou[head['nid']]['hukou_no']
        counted = [m for m in mems if m['nid'] is None or m['nid'] not in self.d.hukou
                   or self.d.hukou[m['nid']]['status'] == 'normal']
        return hh, mems, head, head_hk, counted

    def eval_household(self, hid, for_l02=False):
        """Return (list of (rule_id, hukou_no, id_no, evidence), standards_ok).
        for_l02: only the rules L02 is judged on (E01-E09, E13, E14, E15 of
        the policy)."""
        d = self.d
        pol = self.pol
        hh, mems, head, head_hk, counted = self.household_facts(hid)
        out = []

        def own_hk(m):
            return d.hukou[m['nid']]['hukou_no'] if m['nid'] in d.hukou else ''

        for m in mems:
            nid = m['nid']
            if not nid:
                continue
            hk = d.hukou.get(nid)
            if hk is not None:
                if hk['status'] == 'deceased' and hk['status_date'] <= self.asof:
                    out.append(('E01_DECEASED', hk['hukou_no'], nid,
                                'hukou line %d: deceased %s <= as-of %s' % (
                                    hk['line'], hk['status_date'], self.asof)))
                if hk['status'] in ('moved_out', 'cancelled') or hk['region'][:6] != hh['region'][:6]:
                    out.append(('E02_MOVED_OUT', hk['hukou_no'], nid,
                                'hukou line %d: status %s region %s vs household %s' % (
                                    hk['line'], hk['status'], hk['region'], hh['region'])))
            for ev in self.vehicle_hits(nid)[:1]:
                out.append(('E03_VEHICLE', own_hk(m), nid, ev))
            for ev in self.commercial_hits(nid)[:1]:
                out.append(('E05_COMMERCIAL_PROPERTY', own_hk(m), nid, ev))
            for ev in self.business_hits(nid)[:1]:
                out.append(('E07_BUSINESS', own_hk(m), nid, ev))
            for ev in self.ps_hits(nid)[:1]:
                out.append(('E08_PUBLIC_SERVANT', own_hk(m), nid, ev))
            for ev in self.funeral_hits(nid)[:1]:
                out.append(('E14_FUNERAL_RECORD', own_hk(m), nid, ev))

        # E04 / E06 over counted members
        pids = set()
        area = Fraction(0)
        for m in counted:
            if not m['nid']:
                continue
            for p in self.residential(m['nid']):
                pids.add(p['pid'])
                area += p['area'] * p['share']
        size = len(counted)
        if len(pids) >= E04_MIN_RESIDENTIAL:
            out.append(('E04_MULTI_HOUSING', head_hk, '',
                        'property: %d held residential (%s) >= %d' % (
                            len(pids), ' '.join(sorted(pids)), E04_MIN_RESIDENTIAL)))
        if pol.e06_on and size > 0 and area > E06_AREA_LIMIT_M2 * size:
            out.append(('E06_HOUSING_AREA', head_hk, '',
                        'property: area %s / %d persons > %s' % (
                            fmt_money(area), size, E06_AREA_LIMIT_M2)))

        # E09 / E13: need the standards (all of them for guangdong_edge)
        own, e13std, std_ok = self.standards_for(hh['region'], hh['area_type'])
        if size > 0 and std_ok:
            total = sum((max(m['declared'], self.evidenced(m['nid'])) for m in counted),
                        Fraction(0))
            limit = own['yuan'] * PROGRAM_FACTORS[hh['program']]
            if total > limit * size:
                out.append(('E09_INCOME', head_hk, '',
                            'income %s / %d persons > standard %s x %s' % (
                                fmt_money(total), size, fmt_money(own['yuan']),
                                PROGRAM_FACTORS[hh['program']])))
            if d.fin is not None:
                months = pol.e13_months(counted)
                assets = sum((self.fin_of(m['nid']) for m in counted), Fraction(0))
                if assets > months * e13std['yuan'] * size:
                    out.append(('E13_FINANCIAL_ASSETS', head_hk, '',
                                'financial_assets: %s > %d months x %s x %d persons' % (
                                    fmt_money(assets), months, fmt_money(e13std['yuan']),
                                    size)))

        # E15 (huaiyuan): a counted member's residential property, held or
        # sold, registered in (applied_on - 3 years, applied_on]
        if pol.e15_on and hh['applied_on'] is not None:
            ap = hh['applied_on']
            if ap.month == 2 and ap.day == 29:
                start = datetime.date(ap.year - 3, 2, 28)
            else:
                start = datetime.date(ap.year - 3, ap.month, ap.day)
            hits = []
            for m in counted:
                if not m['nid']:
                    continue
                for p in self.d.property.get(m['nid'], ()):
                    if p['usage'] == 'residential' and start < p['registered_on'] <= ap:
                        hits.append(p)
            if hits:
                p = hits[0]
                out.append(('E15_RECENT_HOUSING', head_hk, '',
                            'property line %d: %s %s registered %s in (%s, %s]' % (
                                p['line'], p['pid'], p['status'], p['registered_on'],
                                start, ap)))
        if for_l02:
            return out, std_ok

        # Q05: one per member row with an unusable value
        for m in mems:
            if m['bad']:
                out.append(('Q05_MEMBER_ROW', own_hk(m) if m['nid'] else '',
                            m['nid'] or m['raw_id'],
                            'members line %d: %s' % (m['line'], '; '.join(
                                '%s %r' % cv for cv in m['bad']))))

        # E10, E12, Q01-Q03 per member
        for m in mems:
            nid = m['nid']
            if not nid:
                out.append(('Q01_INVALID_ID', '', m['raw_id'],
                            'members line %d: invalid id_no %r' % (m['line'], m['raw_id'])))
                continue
            others = [h for h in self.member_of.get(nid, ()) if h != hid]
            if others:
                out.append(('E10_DUPLICATE', own_hk(m), nid,
                            'also member of %s' % ' '.join(sorted(others))))
            if d.staff_rel is not None and hh['caseworker'] != '' and \
                    (hh['caseworker'], nid) in d.staff_rel:
                out.append(('E12_STAFF_RELATIVE', own_hk(m), nid,
                            'staff_relatives: %s of caseworker %s' % (
                                d.staff_rel[(hh['caseworker'], nid)], hh['caseworker'])))
            hk = d.hukou.get(nid)
            if hk is None:
                out.append(('Q02_NOT_IN_HUKOU', '', nid, 'members line %d: not in hukou' % m['line']))
            elif m['name'].strip() != hk['name'].strip():
                out.append(('Q03_NAME_MISMATCH', hk['hukou_no'], nid,
                            'members %r vs hukou %r' % (m['name'], hk['name'])))

        # Q04: a non-cancelled household whose standard(s) are missing
        if not std_ok:
            out.append(('Q04_NO_STANDARD', head_hk, '',
                        'no standard in force for %s %s%s' % (
                            hh['region'], hh['area_type'],
                            ' (and urban)' if pol.e13_urban else '')))

        # E11
        if head is not None and head_hk != '':
            member_ids = set(m['nid'] for m in mems if m['nid'])
            for pnid in d.hukou_by_no.get(head_hk, ()):
                h = d.hukou[pnid]
                if h['status'] != 'normal' or pnid in member_ids:
                    continue
                if h['relation'] == 'spouse' or (
                        h['relation'] == 'child' and
                        age_on(birth_of(pnid), self.asof) < E11_CHILD_AGE):
                    out.append(('E11_UNDECLARED_SPOUSE', head_hk, pnid,
                                'hukou line %d: %s %s not a member' % (
                                    h['line'], h['relation'], h['name'])))

        # P01
        if hh['approved_on'] is not None:
            wd = self.working_days(hh['applied_on'], hh['approved_on'])
            if wd > P01_LIMIT_WORKING_DAYS:
                out.append(('P01_OVERDUE', head_hk, '',
                            'applied %s approved %s: %d working days > %d' % (
                                hh['applied_on'], hh['approved_on'], wd,
                                P01_LIMIT_WORKING_DAYS)))
        return out, std_ok

    def run(self):
        d = self.d
        pol = self.pol
        flags = {}   # key -> evidence
        no_std = []

        def add(rule, hid, hk, nid, region, ev):
            if rule not in pol.rules:
                raise AssertionError('rule %s is off in %s' % (rule, pol.name))
            kind, sev = pol.rules[rule]
            key = (rule, kind, sev, hid, hk, nid, region)
            if key not in flags:
                flags[key] = ev

        for hid, hh in d.households.items():
            if hh['status'] in EVALUATED_STATUSES:
                res, std_ok = self.eval_household(hid)
                for rule, hk, nid, ev in res:
                    add(rule, hid, hk, nid, hh['region'], ev)
            else:   # cancelled: L02
                res, std_ok = self.eval_household(hid, for_l02=True)
                if std_ok and not res:
                    head_hk = self.household_facts(hid)[3]
                    add('L02_CANCELLED_ELIGIBLE', hid, head_hk, '', hh['region'],
                        'cancelled household fires none of %s' % (
                            'E01-E09, E13-E15' if pol.e15_on else 'E01-E09, E13, E14'))
            if not std_ok:
                no_std.append('household %s (status %s): no standard for region %s %s%s'
                              % (hid, hh['status'], hh['region'], hh['area_type'],
                                 ' (or urban)' if pol.e13_urban else ''))

        cand_entities = {}   # hukou_no -> township (first candidate)
        if d.candidates is not None:
            done = set()
            for c in d.candidates:
                nid = c['nid']
                if nid in done:
                    continue
                done.add(nid)
                own, e13std, std_ok = self.standards_for(c['region'], c['area_type'])
                if not std_ok:
                    no_std.append('candidate %s (line %d): no standard for region %s %s%s'
                                  % (nid, c['line'], c['region'], c['area_type'],
                                     ' (or urban)' if pol.e13_urban else ''))
                hk = d.hukou.get(nid)
                if hk is None or hk['status'] != 'normal' or not std_ok:
                    continue
                persons = [p for p in d.hukou_by_no[hk['hukou_no']]
                           if d.hukou[p]['status'] == 'normal']
                blocked = False
                pids = set()
                area = Fraction(0)
                income = Fraction(0)
                assets = Fraction(0)
                for p in persons:
                    if self.member_of.get(p) or self.vehicle_hits(p) or \
                            self.commercial_hits(p) or self.business_hits(p) or \
                            self.ps_hits(p):
                        blocked = True
                        break
                    for pr in self.residential(p):
                        pids.add(pr['pid'])
                        area += pr['area'] * pr['share']
                    income += self.evidenced(p)
                    assets += self.fin_of(p)
                size = len(persons)
                if blocked or len(pids) >= E04_MIN_RESIDENTIAL or \
                        (pol.e06_on and area > E06_AREA_LIMIT_M2 * size):
                    continue
                if d.fin is not None and \
                        assets > pol.e13_months_l01() * e13std['yuan'] * size:
                    continue
                if income <= own['yuan'] * size:
                    add('L01_CANDIDATE_ELIGIBLE', '', hk['hukou_no'], nid, c['region'],
                        'evidenced income %s / %d persons <= standard %s' % (
                            fmt_money(income), size, fmt_money(own['yuan'])))
                    cand_entities.setdefault(hk['hukou_no'], c['region'][:9])
        return flags, no_std, cand_entities


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
_NEEDS_QUOTE = re.compile(r'[,"\r\n]')


def csv_field(s):
    s = str(s)
    if _NEEDS_QUOTE.search(s):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, header, rows):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(','.join(header) + '\n')
        for r in rows:
            f.write(','.join(csv_field(x) for x in r) + '\n')


def b(s):
    return s.encode('utf-8')


def income_window(asof):
    y, m = asof.year, asof.month
    out = []
    for _ in range(INCOME_WINDOW_MONTHS):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append((y, m))
    return sorted(out)


def feed_name(s):
    s = os.path.basename(s.strip())
    return s if s.endswith('.csv') else s + '.csv'


def previous_rows(prev_dir):
    """{file: data_rows} of the inputs present in a previous run: its
    manifest.json (the engine's or this oracle's: "inputs": [{"file",
    "present", "data_rows"}])."""
    path = os.path.join(prev_dir, 'manifest.json')
    try:
        with open(path, encoding='utf-8') as f:
            man = json.load(f)
    except (OSError, ValueError) as e:
        raise Fatal('--previous %s: cannot read %s (%s)' % (prev_dir, path, e))
    out = {}
    for inp in man.get('inputs', []):
        name = inp.get('file')
        if not name or inp.get('present') is False or name in RULE_FILES:
            continue
        if isinstance(inp.get('data_rows'), int):
            out[os.path.basename(name)] = inp['data_rows']
    return out


def incomplete_feeds(d, asof, prev, accept):
    """Messages of the "Feeds that look incomplete" stops (empty: go on)."""
    msgs = []
    for name in REQUIRED_FILES:
        t = d.tables[name]
        if t.data_rows - len(t.rejects) <= 0:
            msgs.append('%s has no accepted data rows (%d data rows, %d rejected): '
                        'get a complete export of this feed' % (
                            name, t.data_rows, len(t.rejects)))
    t = d.tables['social_insurance.csv']
    if t.data_rows - len(t.rejects) > 0:
        missing = [m for m in income_window(asof) if m not in d.si_months]
        if missing:
            msgs.append('social_insurance.csv has no accepted row for %s of the income '
                        'window %04d-%02d..%04d-%02d: judge an earlier as-of date or get a '
                        'fresh feed' % (
                            ', '.join('%04d-%02d' % m for m in missing),
                            income_window(asof)[0][0], income_window(asof)[0][1],
                            income_window(asof)[-1][0], income_window(asof)[-1][1]))
    if prev is not None:
        for name in sorted(prev):
            before = prev[name]
            if before <= 0 or name in accept:
                continue
            now = d.tables[name].data_rows if name in d.tables else 0
            if Fraction(before - now, before) > DROP_LIMIT:
                pm = 1000 * (before - now) // before      # per mille, display only
                msgs.append('%s: %d data rows, %d in the previous run (-%d.%d%%, more than '
                            '%s%%): a cut export? rerun with --accept-drop %s to accept it' % (
                                name, now, before, pm // 10, pm % 10,
                                DROP_LIMIT * 100, name))
    return msgs


def write_manifest(path, d, asof, pol, flags):
    inputs = []
    for name in REQUIRED_FILES + OPTIONAL_FEEDS + RULE_FILES:
        t = d.tables.get(name)
        inputs.append({'file': name, 'present': t is not None,
                       'path': d.paths.get(name),
                       'data_rows': t.data_rows if t else 0,
                       'accepted': t.data_rows - len(t.rejects) if t else 0,
                       'rejected': len(t.rejects) if t else 0})
    counts = {}
    for k in flags:
        counts[k[0]] = counts.get(k[0], 0) + 1
    man = {'tool': 'hedui_oracle', 'as_of': asof.isoformat(), 'policy': pol.name,
           'inputs': inputs,
           'counts': {r: counts.get(r, 0) for r in sorted(pol.rules)}}
    with open(path, 'w', encoding='utf-8', newline='') as f:
        json.dump(man, f, ensure_ascii=False, indent=1)
        f.write('\n')


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    default_rules = os.path.normpath(os.path.join(here, '..', '..', 'rules'))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--as-of', required=True, dest='asof')
    ap.add_argument('--rules', default=None,
                    help='policy directory; rules/packs/NAME selects that pack '
                         '(its standards.csv/holidays.csv when present there, '
                         'else the shipped ones)')
    ap.add_argument('--pack', choices=PACKS, default=None,
                    help='the policy by name (default: from --rules, else reference)')
    ap.add_argument('--previous', default=None, metavar='DIR',
                    help='a previous run (its manifest.json) for the feed-drop check')
    ap.add_argument('--accept-drop', action='append', default=[], metavar='FEED',
                    help="accept FEED's drop of data rows for this run (repeatable)")
    args = ap.parse_args(argv)
    try:
        asof = datetime.date.fromisoformat(args.asof)
        if not RE_DATE.fullmatch(args.asof):
            raise ValueError
    except ValueError:
        print('hedui_oracle: bad --as-of %r' % args.asof, file=sys.stderr)
        return 2
    pack = args.pack
    if args.rules is None:
        args.rules = default_rules
    elif pack is None:
        base = os.path.basename(os.path.normpath(args.rules))
        if base in PACKS:
            pack = base
    pol = Policy(pack or 'reference', asof)
    if not os.path.isdir(args.rules) or not any(
            os.path.isfile(os.path.join(args.rules, n)) for n in RULE_FILES):
        args.rules = default_rules     # a pack directory not (yet) shipped

    try:
        d = load(args, asof)
    except Fatal as e:
        print('hedui_oracle: %s' % e, file=sys.stderr)
        return 1
    except OSError as e:
        print('hedui_oracle: %s' % e, file=sys.stderr)
        return 1

    # reject limit: stops the run, writes nothing
    over = []
    for name, t in d.tables.items():
        if t.data_rows and Fraction(len(t.rejects), t.data_rows) > REJECT_LIMIT:
            over.append('%s: %d of %d data rows rejected (> %s%%)' % (
                name, len(t.rejects), t.data_rows, REJECT_LIMIT * 100))
    if over:
        for msg in over:
            print('hedui_oracle: reject limit exceeded: %s' % msg, file=sys.stderr)
        for name, t in d.tables.items():
            for line, reason in t.rejects[:5]:
                print('  %s:%d: %s' % (name, line, reason), file=sys.stderr)
        return 1

    # feeds that look incomplete: stops the run, writes nothing
    try:
        prev = previous_rows(args.previous) if args.previous else None
    except Fatal as e:
        print('hedui_oracle: %s' % e, file=sys.stderr)
        return 1
    stops = incomplete_feeds(d, asof, prev, set(feed_name(f) for f in args.accept_drop))
    if stops:
        for msg in stops:
            print('hedui_oracle: stopped: %s' % msg, file=sys.stderr)
        return 1

    eng = Engine(d, asof, pol)
    flags, no_std, cand_entities = eng.run()

    os.makedirs(args.out, exist_ok=True)

    # flags.csv
    keys = sorted(flags, key=lambda k: (b(k[3]), b(k[4]), b(k[0]), b(k[5])))
    write_csv(os.path.join(args.out, 'flags.csv'),
              ['rule_id', 'kind', 'severity', 'household_id', 'hukou_no', 'id_no',
               'region_code', 'evidence'],
              [list(k) + [flags[k]] for k in keys])

    # review_queue.csv
    ent = {}   # (household_id, hukou_no) -> {'town':..., 'rules': {rule: sev}}
    for k in keys:
        rule, kind, sev, hid, hk, nid, region = k
        if hid:
            hh = d.households[hid]
            ekey = (hid, eng.household_facts(hid)[3])
            town = hh['region'][:9]
        else:
            ekey = ('', hk)
            town = cand_entities.get(hk, region[:9])
        e = ent.setdefault(ekey, {'town': town, 'rules': {}})
        e['rules'][rule] = sev
    by_town = {}
    for (hid, hk), e in ent.items():
        if not any(s in ('high', 'medium') for s in e['rules'].values()):
            continue
        score = sum(WEIGHTS[s] for s in e['rules'].values())
        by_town.setdefault(e['town'], []).append(
            (score, hid, hk, ';'.join(sorted(e['rules'], key=b))))
    rq = []
    for town in sorted(by_town, key=b):
        lst = sorted(by_town[town], key=lambda x: (-x[0], b(x[1]), b(x[2])))
        for rank, (score, hid, hk, rules) in enumerate(lst, 1):
            rq.append([town, rank, hid, hk, score, rules])
    write_csv(os.path.join(args.out, 'review_queue.csv'),
              ['township_code', 'rank', 'household_id', 'hukou_no', 'score', 'rule_ids'],
              rq)

    # rejects.csv
    rj = []
    for name, t in d.tables.items():
        for line, reason in t.rejects:
            rj.append((name, line, reason))
    rj.sort(key=lambda x: (b(x[0]), x[1]))
    write_csv(os.path.join(args.out, 'rejects.csv'), ['file', 'line', 'reason'], rj)

    # spotcheck_counts.csv
    groups = {}
    for hid, hh in d.households.items():
        ap_on = hh['approved_on']
        if hh['status'] in SPOTCHECK_STATUSES and ap_on is not None and \
                (ap_on.year, ap_on.month) == (asof.year, asof.month) and ap_on <= asof:
            k = (hh['region'][:9], hh['program'])
            groups[k] = groups.get(k, 0) + 1
    sc = []
    for (town, prog) in sorted(groups, key=lambda k: (b(k[0]), b(k[1]))):
        n = groups[(town, prog)]
        sc.append([town, prog, n, math.ceil(SPOTCHECK_RATIOS[prog] * n)])
    write_csv(os.path.join(args.out, 'spotcheck_counts.csv'),
              ['township_code', 'program', 'approved', 'sample_size'], sc)

    # notes.txt
    with open(os.path.join(args.out, 'notes.txt'), 'w', encoding='utf-8', newline='') as f:
        f.write('as-of %s\n' % asof)
        f.write('policy %s\n' % pol.name)
        f.write('no standard: %d households, %d candidates\n' % (
            sum(1 for x in no_std if x.startswith('household')),
            sum(1 for x in no_std if x.startswith('candidate'))))
        for name in sorted(d.paths):
            t = d.tables.get(name)
            f.write('input %s: %s, encoding %s, %d data rows, %d rejected\n' % (
                name, d.paths[name], t.encoding if t else '-',
                t.data_rows if t else 0, len(t.rejects) if t else 0))
        skipped = {
            'business.csv': 'E07_BUSINESS (and the E07 block of L01/L02)',
            'public_servants.csv': 'E08_PUBLIC_SERVANT (and the E08 block of L01/L02)',
            'staff_relatives.csv': 'E12_STAFF_RELATIVE',
            'candidates.csv': 'L01_CANDIDATE_ELIGIBLE',
            'financial_assets.csv': 'E13_FINANCIAL_ASSETS (and the E13 block of L01/L02)',
            'funeral.csv': 'E14_FUNERAL_RECORD (and its part of L02)',
            'standards.csv': 'E09_INCOME, L01, L02 (no standard anywhere)',
            'holidays.csv': 'none (P01 counts Mon-Fri only)',
        }
        for name in sorted(d.absent):
            f.write('absent %s: skipped %s\n' % (name, skipped[name]))
        for line in no_std:
            f.write('no standard: %s\n' % line)
        counts = {}
        for k in flags:
            counts[k[0]] = counts.get(k[0], 0) + 1
        for rule in sorted(pol.rules):
            f.write('count %s %d\n' % (rule, counts.get(rule, 0)))
    write_manifest(os.path.join(args.out, 'manifest.json'), d, asof, pol, flags)
    return 0


if __name__ == '__main__':
    sys.exit(main())
