#!/usr/bin/env node
// bench/polars_run.mjs - the reference policy of bench/sql/duckdb.sql written
// with Polars (npm nodejs-polars 0.25.2, its native
// nodejs-polars-linux-x64-gnu 0.25.2 pinned beside it), for bench/run.
//
//   node bench/polars_run.mjs --data DIR --out FILE --as-of YYYY-MM-DD
//                             [--threads N] [--timings FILE] [--verbose 1]
//
// Owns: a translation of bench/sql/duckdb.sql, table for table, into lazy
// Polars queries, each collected on Polars' streaming engine
// (collectSync({engine: "streaming"})); the flags' key columns in flags.csv
// order.  Never: evidence, review queue, spot check, rejects (clean inputs
// only, as for the SQL engines).
//
// The same readings as the SQL, named where they are settled (the data
// contract's "Edge cases, settled"): every column is read as text, trimmed
// and cast (money, areas and shares to DECIMAL, then to exact integers: fen,
// hundredths of m2 x nano-shares, never floating point); IDs normalised
// everywhere (white space, full-width digits, x, 15 -> 18), validated
// (check character, province, birth date) where a flag depends on it
// (members for Q01, hukou persons for E11 and L01).  A table of the SQL is a
// collected DataFrame here, under the same name; the stages are the SQL's
// (load, prepare, rules, write), timed on stderr and in --timings (JSON).
//
// Thread count: POLARS_MAX_THREADS, set from --threads before the native
// library loads (default: all CPUs, as DuckDB).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const t0 = performance.now();
const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '').replace('-', '_');
  if (process.argv[i + 1] === undefined) throw new Error(`missing value for ${process.argv[i]}`);
  args[k] = process.argv[i + 1];
}
for (const k of ['data', 'out', 'as_of']) {
  if (!args[k]) {
    console.error('usage: polars_run.mjs --data DIR --out FILE --as-of YYYY-MM-DD [--threads N] [--timings FILE] [--verbose 1]');
    process.exit(2);
  }
}
const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(args.as_of);
if (!m) throw new Error(`bad --as-of ${args.as_of}`);
if (args.threads) process.env.POLARS_MAX_THREADS = String(args.threads);
const pl = (await import('nodejs-polars')).default;
const { col, lit, when } = pl;
const I = (n) => lit(n).cast(pl.Int64);   // an exact integer literal

const DATA = path.resolve(args.data);
const ASOF_Y = +m[1], ASOF_M = +m[2], ASOF_D = +m[3];
const ASOF = Math.round(Date.UTC(ASOF_Y, ASOF_M - 1, ASOF_D) / 86400000);   // days since 1970-01-01
const ASOF_MD = m[2] + m[3];
const timings = { startup_ms: +(performance.now() - t0).toFixed(1) };
const statements = [];

// ---- one SQL table = one lazy query collected on the streaming engine ----
const T = {};
function table(name, lf) {
  const t = performance.now();
  T[name] = lf.collectSync({ engine: 'streaming' });
  const ms = performance.now() - t;
  statements.push([+ms.toFixed(1), name]);
  if (args.verbose) console.error(`  ${ms.toFixed(0).padStart(6)} ms  ${name} (${T[name].height} rows) at ${(t - t0).toFixed(0)}`);
  return T[name];
}
const L = (name) => T[name].lazy();
function stage(name, fn) {
  const t = performance.now();
  fn();
  timings[`${name}_ms`] = +(performance.now() - t).toFixed(1);
}

// ---- reading: every column as text, with the row number (DuckDB's rowid) ----
const csv = (f) => pl.scanCSV(path.join(DATA, f), {
  hasHeader: true, sep: ',', quoteChar: '"', inferSchemaLength: 0, rowIndexName: 'rid',
});
const tr = (c) => col(c).str.strip();                  // trim()
const date = (e) => e.str.strptime(pl.Date, '%Y-%m-%d').cast(pl.Int32);   // days since 1970
const dateOrNull = (c) => date(when(col(c).eq(lit(''))).then(lit(null)).otherwise(col(c)));
// exact integers: DECIMAL(18, scale) as its scaled integer (fen for scale 2)
const dec = (c, scale) => col(c).cast(pl.Decimal(18, scale)).toPhysical().cast(pl.Int64);

// ---- IDs (the macros of duckdb.sql) ----
const CHK = '10X98765432';
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
// check character of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)
function idChk(s) {
  let sum = lit(0);
  for (let i = 0; i < 17; i++)
    sum = sum.add(s.str.slice(i, 1).cast(pl.Int32, false).mul(lit(W[i])));
  return sum.modulo(lit(11)).replaceStrict([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [...CHK], null, pl.Utf8);
}
const FULL = [['０', '0'], ['１', '1'], ['２', '2'], ['３', '3'], ['４', '4'], ['５', '5'],
  ['６', '6'], ['７', '7'], ['８', '8'], ['９', '9'], ['ｘ', 'X'], ['Ｘ', 'X']];
// white space anywhere (ASCII and Unicode) removed, full-width digits and x/X folded, upper case
function idFold(r) {
  let e = r.str.replaceAll(String.raw`[\s\p{Z}\x{85}\x{feff}]`, '');
  for (const [a, b] of FULL) e = e.str.replaceAll(a, b, true);
  return e.str.toUpperCase();
}
function id15(c) {
  const c18 = c.str.slice(0, 6).add(lit('19')).add(c.str.slice(6));
  return when(c.str.contains('^[0-9]{15}$')).then(c18.add(idChk(c18))).otherwise(c);
}
const PROV = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83'];
function idValid(s) {
  const birth = s.str.slice(6, 8).str.strptime(pl.Date, '%Y%m%d').cast(pl.Int32);
  return s.str.contains('^[0-9]{17}[0-9X]$')
    .and(idChk(s).eq(s.str.slice(17, 1)))
    .and(s.str.slice(0, 2).isIn(PROV))
    .and(birth.gtEq(lit(-25567)).and(birth.ltEq(lit(ASOF))))   // 1900-01-01 .. as-of
    .fillNull(false);
}
// The ID expressions are built once, on a column `_id`: building an
// expression in nodejs-polars costs about a millisecond a node (the check
// character alone has some 80), seconds over the dozen uses.
const ID = col('_id');
const CLEAN = '^[0-9]{17}[0-9X]$';
const ID_CLEAN = ID.str.contains(CLEAN).fillNull(false);
const ID_FOLDED = id15(idFold(ID));
const ID_VALID = idValid(ID);
// lf with the normalised form (valid or not) of its text column src as
// column out: an already clean 18-character ID as it is, the others folded.
// The rows are split rather than run through a when(): Polars evaluates both
// branches of a when() on every row, and the folding's dozen replaceAll()s
// over every ID took most of the load.
function withNid(lf, src, out) {
  const x = lf.withColumns(col(src).alias('_id'));
  return pl.concat([x.filter(ID_CLEAN).withColumns(ID.alias(out)),
    x.filter(ID_CLEAN.not()).withColumns(ID_FOLDED.alias(out))]).drop('_id');
}
// lf with the rows whose column src holds a valid ID (valid = true), or with
// a column `valid` saying whether it does
const validOnly = (lf, src) => lf.withColumns(col(src).alias('_id')).filter(ID_VALID).drop('_id');
const withValid = (lf, src) => lf.withColumns(col(src).alias('_id')).withColumns(ID_VALID.alias('valid')).drop('_id');
// a set of nids as a left-joinable marker column (the SQL's `nid IN (SELECT ...)`)
const mark = (lf, name) => lf.select('nid').unique().withColumns(lit(true).alias(name));
const withMark = (lf, set, name) =>
  lf.join(set, { on: 'nid', how: 'left' }).withColumns(col(name).fillNull(false));

// ---------------------------------------------------------------- load
// Each file in two steps, as DuckDB's read_csv(all_varchar) and its casts:
// the columns the policy reads, trimmed text, collected (rows the SQL's WHERE
// drops on text alone are dropped here); then the casts and the IDs, on the
// collected text.  `rid` is the row's position in its file (DuckDB's rowid).
function text(name, file, cols, where) {
  let lf = csv(file).select(...cols.map((c) => tr(c).alias(c)), col('rid'));
  if (where) lf = lf.filter(where);
  return table(name + '_txt', lf).lazy();
}
stage('load', () => {
  table('hh_in', text('hh', 'households.csv', ['household_id', 'region_code', 'program', 'area_type',
    'status', 'applied_on', 'approved_on', 'caseworker_id']).select(
    col('household_id').alias('hid'), col('region_code').alias('region'), 'program', 'area_type', 'status',
    date(col('applied_on')).alias('applied_on'), dateOrNull('approved_on').alias('approved_on'),
    col('caseworker_id').fillNull(lit('')).alias('caseworker'), 'rid'));
  table('mem_in', withNid(text('mem', 'members.csv', ['household_id', 'id_no', 'name', 'relation',
    'declared_monthly_income']).select(
    col('household_id').alias('hid'), col('id_no').fillNull(lit('')).alias('rawid'),
    col('name').fillNull(lit('')), 'relation', dec('declared_monthly_income', 2).alias('declared'), 'rid'),
  'rawid', 'nn'));
  table('hk_in', withNid(text('hk', 'hukou.csv', ['id_no', 'name', 'hukou_no', 'relation_to_head',
    'region_code', 'status', 'status_date']).select(
    'id_no', col('name').fillNull(lit('')), 'hukou_no', col('relation_to_head').alias('relation'),
    col('region_code').alias('region'), 'status', dateOrNull('status_date').alias('status_date'), 'rid'),
  'id_no', 'nid').drop('id_no'));
  table('veh', withNid(text('veh', 'vehicles.csv', ['id_no', 'vehicle_class', 'use', 'value_yuan', 'status'],
    col('status').eq(lit('valid')).and(col('vehicle_class').isIn(['car', 'truck', 'bus'])))
    .filter(col('use').eq(lit('commercial')).and(dec('value_yuan', 2).ltEq(I(3000000))).not()),
  'id_no', 'nid').select('nid').unique());
  table('prop', withNid(text('prop', 'property.csv', ['id_no', 'property_id', 'usage', 'area_m2', 'share',
    'status'], col('status').eq(lit('held'))
    .and(col('usage').isIn(['residential', 'commercial', 'office', 'industrial']))), 'id_no', 'nid')
    // area x share in units of 0.01 m2 x 1e-9
    .select('nid', col('property_id').alias('pid'), 'usage',
      dec('area_m2', 2).mul(dec('share', 9)).alias('area_share')));
  // the 6 calendar months before the as-of month
  const win = [];
  for (let k = 1; k <= 6; k++) {
    const d = new Date(Date.UTC(ASOF_Y, ASOF_M - 1 - k, 1));
    win.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  // evidenced income x 6 (fen): per person, the 6-month sum of max(employment,
  // employee pension base) + pension benefit + unemployment benefit, per month.
  // One group per person (a group per person and month took 4x longer): the
  // wage and the pension base of each month are columns of their own.
  const amtIf = (kindIs, k) => when(col('kind').eq(lit(kindIs)).and(col('m').eq(lit(k))))
    .then(col('amt')).otherwise(I(0));
  const M = [0, 1, 2, 3, 4, 5];
  table('inc', withNid(text('si', 'social_insurance.csv', ['id_no', 'period', 'kind', 'amount'],
    col('period').isIn(win)), 'id_no', 'nid')
    .withColumns(dec('amount', 2).alias('amt'), col('period').replaceStrict(win, M, null, pl.Int32).alias('m'))
    .select('nid', ...M.map((k) => amtIf('employment', k).alias(`emp${k}`)),
      ...M.map((k) => amtIf('employee_pension_contrib', k).alias(`epc${k}`)),
      when(col('kind').isIn(['pension_benefit', 'unemployment_benefit'])).then(col('amt')).otherwise(I(0))
        .alias('ben'))
    .groupBy('nid')
    .agg(...M.map((k) => col(`emp${k}`).sum()), ...M.map((k) => col(`epc${k}`).sum()), col('ben').sum())
    .select('nid', pl.sumHorizontal([...M.map((k) => pl.maxHorizontal([col(`emp${k}`), col(`epc${k}`)])),
      col('ben')]).alias('s6')));
  table('biz', withNid(text('biz', 'business.csv', ['id_no', 'role', 'status'],
    col('status').eq(lit('active')).and(col('role').isIn(['legal_rep', 'shareholder']))), 'id_no', 'nid')
    .select('nid').unique());
  table('ps', withNid(text('ps', 'public_servants.csv', ['id_no']), 'id_no', 'nid').select('nid').unique());
  table('srel', withNid(text('srel', 'staff_relatives.csv', ['caseworker_id', 'relative_id_no']),
    'relative_id_no', 'nid').select(col('caseworker_id').alias('caseworker'), 'nid').unique());
  table('cand_in', withNid(text('cand', 'candidates.csv', ['id_no', 'region_code', 'area_type']), 'id_no', 'nid')
    .select('nid', col('region_code').alias('region'), 'area_type', 'rid'));
  table('std_in', text('std', 'standards.csv', ['region_prefix', 'area_type', 'effective_from', 'monthly_yuan'])
    .select(col('region_prefix').alias('prefix'), 'area_type', date(col('effective_from')).alias('eff'),
      dec('monthly_yuan', 2).alias('yuan'), 'rid'));
  table('hol', text('hol', 'holidays.csv', ['date', 'kind']).select(date(col('date')).alias('d'), 'kind'));
});

// ---------------------------------------------------------------- prepare
stage('prepare', () => {
  // households: a repeated household_id keeps the first row
  table('hh', L('hh_in').sort('rid').unique({ subset: 'hid', keep: 'first', maintainOrder: true }));
  // hukou: one row per normalised ID: the first `normal` row, else the latest
  // status_date (first on a tie)
  table('hk', L('hk_in')
    .sort({ by: [col('status').neq(lit('normal')),
      when(col('status').neq(lit('normal'))).then(col('status_date')).otherwise(lit(null)), col('rid')],
    descending: [false, true, false], nullsLast: true })
    .unique({ subset: 'nid', keep: 'first', maintainOrder: true })
    .drop('rid'));
  // members of known households, a person repeated within a household kept once (first row)
  table('mem', withValid(L('mem_in').join(L('hh').select('hid'), { on: 'hid', how: 'semi' }), 'nn')
    .select('hid', 'rawid', 'name', 'relation', 'declared', col('rid').alias('ln'),
      when(col('valid')).then(col('nn')).otherwise(lit(null)).alias('nid'))
    .withColumns(col('nid').fillNull(lit('~').add(col('rawid'))).alias('dkey'))
    .sort('ln')
    .unique({ subset: ['hid', 'dkey'], keep: 'first', maintainOrder: true })
    .drop('dkey'));
  // standard in force: longest prefix with a row for the area type, then latest effective_from
  table('std', pl.concat([L('hh').select('region', 'area_type'), L('cand_in').select('region', 'area_type')])
    .unique()
    .join(L('std_in').filter(col('eff').ltEq(lit(ASOF))), { on: 'area_type', how: 'inner' })
    .filter(col('region').str.startsWith(col('prefix')))
    .sort({ by: [col('prefix').str.lengths(), col('eff'), col('rid')], descending: [true, true, false] })
    .unique({ subset: ['region', 'area_type'], keep: 'first', maintainOrder: true })
    .select('region', 'area_type', 'yuan'));
  // persons with a valid ID in a non-cancelled household: household count
  table('member_nc', L('mem').filter(col('nid').isNotNull())
    .join(L('hh').filter(col('status').neq(lit('cancelled'))).select('hid'), { on: 'hid', how: 'semi' })
    .groupBy('nid').agg(col('hid').nUnique().alias('nhh')));
  // members with their hukou row and per-member tests
  const hk = L('hk').select(col('nid'), col('hukou_no'), col('name').alias('hk_name'),
    col('status').alias('hk_status'), col('status_date'), col('region').alias('hk_region'),
    lit(true).alias('in_hk'));
  let mx = L('mem').join(hk, { on: 'nid', how: 'left' })
    .withColumns(col('in_hk').fillNull(false), col('hukou_no').fillNull(lit('')))
    .withColumns(col('in_hk').not().or(col('hk_status').eq(lit('normal'))).fillNull(false).alias('counted'));
  mx = withMark(mx, mark(L('veh'), 'e03'), 'e03');
  mx = withMark(mx, mark(L('prop').filter(col('usage').isIn(['commercial', 'office', 'industrial'])), 'e05'), 'e05');
  mx = withMark(mx, mark(L('biz'), 'e07'), 'e07');
  mx = withMark(mx, mark(L('ps'), 'e08'), 'e08');
  table('mx', mx);
  // household facts: head (first `head` row), its hukou_no, size, income x 6,
  // held residential titles and area x share of the counted members, standard
  const hd = L('mx').filter(col('relation').eq(lit('head'))).sort('ln')
    .groupBy('hid').agg(col('hukou_no').first().alias('head_hk'), col('in_hk').first().alias('head_in_hk'));
  const c = L('mx').filter(col('counted')).join(L('inc'), { on: 'nid', how: 'left' })
    .groupBy('hid').agg(pl.len().alias('size'),
      pl.maxHorizontal([col('declared').mul(I(6)), col('s6').fillNull(lit(0))]).sum().alias('inc6'));
  const r = L('mx').filter(col('counted'))
    .join(L('prop').filter(col('usage').eq(lit('residential'))), { on: 'nid', how: 'inner' })
    .groupBy('hid').agg(col('pid').nUnique().alias('npid'), col('area_share').sum().alias('area'));
  table('hf', L('hh')
    .join(hd, { on: 'hid', how: 'left' })
    .join(c, { on: 'hid', how: 'left' })
    .join(r, { on: 'hid', how: 'left' })
    .join(L('std').rename({ yuan: 'std' }), { on: ['region', 'area_type'], how: 'left' })
    .select('hid', 'region', 'program', 'area_type', 'status', 'caseworker', 'applied_on', 'approved_on',
      col('head_hk').fillNull(lit('')), col('head_in_hk').fillNull(false),
      col('size').cast(pl.Int64).fillNull(0), col('inc6').fillNull(0), col('area').fillNull(0),
      col('npid').cast(pl.Int64).fillNull(0), 'std',
      // factor x 2: dishouru 1.5, others 1.0
      when(col('program').eq(lit('dishouru'))).then(I(3)).otherwise(I(2)).alias('factor2')));
});

// ---------------------------------------------------------------- rules
stage('rules', () => {
  const key = (rule, hid, hk, id) => [lit(rule).alias('rule_id'), col(hid).alias('hid'),
    (typeof hk === 'string' ? col(hk) : hk).alias('hukou_no'), (typeof id === 'string' ? col(id) : id).alias('id_no')];
  const mx = L('mx'), hf = L('hf');
  const hhReg = L('hh').select('hid', col('region').alias('hh_region'), col('status').alias('hh_status'),
    'caseworker');
  // E01-E09 for every household (L02 needs them for cancelled ones)
  table('f09', pl.concat([
    mx.filter(col('hk_status').eq(lit('deceased')).and(col('status_date').ltEq(lit(ASOF))))
      .select(key('E01_DECEASED', 'hid', 'hukou_no', 'nid')),
    mx.join(hhReg, { on: 'hid', how: 'inner' })
      .filter(col('hk_status').isIn(['moved_out', 'cancelled'])
        .or(col('hk_region').str.slice(0, 6).neq(col('hh_region').str.slice(0, 6))))
      .select(key('E02_MOVED_OUT', 'hid', 'hukou_no', 'nid')),
    mx.filter(col('e03')).select(key('E03_VEHICLE', 'hid', 'hukou_no', 'nid')),
    mx.filter(col('e05')).select(key('E05_COMMERCIAL_PROPERTY', 'hid', 'hukou_no', 'nid')),
    mx.filter(col('e07')).select(key('E07_BUSINESS', 'hid', 'hukou_no', 'nid')),
    mx.filter(col('e08')).select(key('E08_PUBLIC_SERVANT', 'hid', 'hukou_no', 'nid')),
    hf.filter(col('npid').gtEq(lit(2))).select(key('E04_MULTI_HOUSING', 'hid', 'head_hk', lit(''))),
    // area x share (0.01 m2 x 1e-9) > 40 m2 x size
    hf.filter(col('size').gt(I(0)).and(col('area').gt(col('size').mul(I(40 * 100 * 1e9)))))
      .select(key('E06_HOUSING_AREA', 'hid', 'head_hk', lit(''))),
    // income x 6 x 2 > 6 x standard x factor x 2 x size (fen)
    hf.filter(col('size').gt(I(0)).and(col('std').isNotNull())
      .and(col('inc6').mul(I(2)).gt(col('std').mul(I(6)).mul(col('factor2')).mul(col('size')))))
      .select(key('E09_INCOME', 'hid', 'head_hk', lit(''))),
  ]));
  // working days: cumulative count from the first applied_on to the last approved_on
  const span = L('hh').filter(col('approved_on').isNotNull())
    .select(col('applied_on').min().alias('a'), col('approved_on').max().alias('b')).collectSync();
  const a = span.getColumn('a').get(0), b = span.getColumn('b').get(0);
  const hol = T.hol;
  const offs = new Set(), extra = new Set();
  for (const [d, kind] of hol.rows()) {
    if (kind === 'holiday') offs.add(d);
    else if (kind === 'workday') extra.add(d);
  }
  table('cal', pl.DataFrame({ d: pl.intRange(a, b + 1, 1, pl.Int32, true) }).lazy()
    .withColumns(
      // 1970-01-01 was a Thursday: (d + 3) mod 7 is 0 on Mondays
      col('d').add(lit(3)).modulo(lit(7)).lt(lit(5)).and(col('d').isIn([...offs]).not())
        .or(col('d').isIn([...extra])).cast(pl.Int32).cumSum().alias('cum')));
  // L01: candidates (first listing of each), normal in hukou, with a standard
  table('cand', validOnly(L('cand_in').sort('rid').unique({ subset: 'nid', keep: 'first', maintainOrder: true })
    .join(L('hk').filter(col('status').eq(lit('normal'))).select('nid', 'hukou_no'), { on: 'nid', how: 'inner' }),
  'nid')
    .join(L('std'), { on: ['region', 'area_type'], how: 'inner' })
    .select('nid', 'region', 'hukou_no', col('yuan').alias('std')));
  // the `normal` persons of the candidates' hukou households; IDs validated
  // after the join (the few, not every hukou row)
  table('cpers', validOnly(L('hk').filter(col('status').eq(lit('normal')))
    .join(L('cand').select('hukou_no').unique(), { on: 'hukou_no', how: 'semi' })
    .select('hukou_no', 'nid'), 'nid'));
  let hkh = L('cpers').join(L('inc'), { on: 'nid', how: 'left' });
  hkh = withMark(hkh, mark(L('member_nc'), 'b0'), 'b0');
  hkh = withMark(hkh, mark(L('veh'), 'b1'), 'b1');
  hkh = withMark(hkh, mark(L('prop').filter(col('usage').isIn(['commercial', 'office', 'industrial'])), 'b2'), 'b2');
  hkh = withMark(hkh, mark(L('biz'), 'b3'), 'b3');
  hkh = withMark(hkh, mark(L('ps'), 'b4'), 'b4');
  table('hkh', hkh.groupBy('hukou_no').agg(pl.len().cast(pl.Int64).alias('size'),
    col('b0').or(col('b1')).or(col('b2')).or(col('b3')).or(col('b4')).any().alias('blocked'),
    col('s6').sum().fillNull(0).alias('inc6')));
  table('hkp', L('cpers').join(L('prop').filter(col('usage').eq(lit('residential'))), { on: 'nid', how: 'inner' })
    .groupBy('hukou_no').agg(col('pid').nUnique().cast(pl.Int64).alias('npid'), col('area_share').sum().alias('area')));
  // E11 candidates: `normal` spouses and children in the head's hukou household, not members
  table('e11', validOnly(L('hf').filter(col('status').neq(lit('cancelled')).and(col('head_in_hk')))
    .select('hid', 'head_hk')
    .join(L('hk').filter(col('status').eq(lit('normal')).and(col('relation').isIn(['spouse', 'child'])))
      .select(col('hukou_no').alias('head_hk'), 'nid', 'relation'), { on: 'head_hk', how: 'inner' })
    .join(L('mem').filter(col('nid').isNotNull()).select('hid', 'nid'), { on: ['hid', 'nid'], how: 'anti' }),
  'nid'));
  const nc = L('hh').filter(col('status').neq(lit('cancelled'))).select('hid');
  const mxn = mx.join(nc, { on: 'hid', how: 'semi' });
  const trimU = (e) => e.str.replaceAll(String.raw`^[\s\p{Z}]+|[\s\p{Z}]+$`, '');
  const age = lit(ASOF_Y).sub(col('nid').str.slice(6, 4).cast(pl.Int32))
    .sub(when(lit(ASOF_MD).lt(col('nid').str.slice(10, 4))).then(lit(1)).otherwise(lit(0)));
  const calA = L('cal').select(col('d').alias('applied_on'), col('cum').alias('ca'));
  const calB = L('cal').select(col('d').alias('approved_on'), col('cum').alias('cb'));
  const K = (lf) => lf.withColumns(lit(null).cast(pl.Utf8).alias('cregion'));
  table('flagkeys', pl.concat([
    K(L('f09').join(nc, { on: 'hid', how: 'semi' })),
    K(hf.filter(col('status').eq(lit('cancelled')).and(col('std').isNotNull()))
      .join(L('f09').select('hid'), { on: 'hid', how: 'anti' })
      .select(key('L02_CANCELLED_ELIGIBLE', 'hid', 'head_hk', lit('')))),
    K(mxn.join(L('member_nc').filter(col('nhh').gtEq(lit(2))).select('nid'), { on: 'nid', how: 'semi' })
      .select(key('E10_DUPLICATE', 'hid', 'hukou_no', 'nid'))),
    K(mx.join(hhReg.filter(col('hh_status').neq(lit('cancelled')).and(col('caseworker').neq(lit('')))),
      { on: 'hid', how: 'inner' })
      .join(L('srel'), { on: ['caseworker', 'nid'], how: 'semi' })
      .select(key('E12_STAFF_RELATIVE', 'hid', 'hukou_no', 'nid'))),
    K(mxn.filter(col('nid').isNull()).select(key('Q01_INVALID_ID', 'hid', lit(''), 'rawid'))),
    K(mxn.filter(col('nid').isNotNull().and(col('in_hk').not()))
      .select(key('Q02_NOT_IN_HUKOU', 'hid', lit(''), 'nid'))),
    K(mxn.filter(col('in_hk').and(col('name').neq(col('hk_name')))
      .and(trimU(col('name')).neq(trimU(col('hk_name')))))
      .select(key('Q03_NAME_MISMATCH', 'hid', 'hukou_no', 'nid'))),
    K(L('e11').filter(col('relation').eq(lit('spouse')).or(age.lt(lit(18))))
      .select(key('E11_UNDECLARED_SPOUSE', 'hid', 'head_hk', 'nid'))),
    K(hf.filter(col('status').neq(lit('cancelled')))
      .join(calA, { on: 'applied_on', how: 'inner' }).join(calB, { on: 'approved_on', how: 'inner' })
      .filter(col('cb').sub(col('ca')).gt(lit(15)))
      .select(key('P01_OVERDUE', 'hid', 'head_hk', lit('')))),
    L('cand').join(L('hkh'), { on: 'hukou_no', how: 'inner' }).join(L('hkp'), { on: 'hukou_no', how: 'left' })
      .filter(col('blocked').not().and(col('npid').fillNull(0).lt(lit(2)))
        .and(col('area').fillNull(0).ltEq(col('size').mul(I(40 * 100 * 1e9))))
        .and(col('inc6').ltEq(col('std').mul(I(6)).mul(col('size')))))
      .select(lit('L01_CANDIDATE_ELIGIBLE').alias('rule_id'), lit('').alias('hid'), 'hukou_no',
        col('nid').alias('id_no'), col('region').alias('cregion')),
  ]));
});

// ---------------------------------------------------------------- write
const RULES = [['E01_DECEASED', 'cuobao', 'high'], ['E02_MOVED_OUT', 'cuobao', 'medium'],
  ['E03_VEHICLE', 'cuobao', 'high'], ['E04_MULTI_HOUSING', 'cuobao', 'high'],
  ['E05_COMMERCIAL_PROPERTY', 'cuobao', 'high'], ['E06_HOUSING_AREA', 'cuobao', 'medium'],
  ['E07_BUSINESS', 'cuobao', 'high'], ['E08_PUBLIC_SERVANT', 'cuobao', 'high'],
  ['E09_INCOME', 'cuobao', 'high'], ['E10_DUPLICATE', 'cuobao', 'high'],
  ['E11_UNDECLARED_SPOUSE', 'cuobao', 'medium'], ['E12_STAFF_RELATIVE', 'cuobao', 'low'],
  ['P01_OVERDUE', 'process', 'low'], ['Q01_INVALID_ID', 'quality', 'medium'],
  ['Q02_NOT_IN_HUKOU', 'quality', 'medium'], ['Q03_NAME_MISMATCH', 'quality', 'low'],
  ['L01_CANDIDATE_ELIGIBLE', 'loubao', 'high'], ['L02_CANCELLED_ELIGIBLE', 'loubao', 'medium']];
stage('write', () => {
  const cat = pl.DataFrame({ rule_id: RULES.map((r) => r[0]), kind: RULES.map((r) => r[1]),
    severity: RULES.map((r) => r[2]) }).lazy();
  const out = table('out', L('flagkeys')
    .join(cat, { on: 'rule_id', how: 'inner' })
    .join(L('hh').select('hid', col('region').alias('hh_region')), { on: 'hid', how: 'left' })
    .select('rule_id', 'kind', 'severity', col('hid').alias('household_id'), 'hukou_no', 'id_no',
      col('cregion').fillNull(col('hh_region')).alias('region_code'))
    .unique()
    .sort(['household_id', 'hukou_no', 'rule_id', 'id_no']));
  out.writeCSV(path.resolve(args.out));
});

timings.total_ms = +(performance.now() - t0).toFixed(1);
console.error(`polars_run: ${Object.entries(timings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
statements.sort((x, y) => y[0] - x[0]);
if (args.timings) writeFileSync(args.timings, JSON.stringify({ ...timings, statements: statements.slice(0, 12) }) + '\n');
