-- hedui reference policy as plain SQL for DuckDB (bench/duckdb_run.mjs runs it).
--
-- The shipped policy of doc/data-contract.md ("Reference
-- policy" and "Edge cases, settled"), values hard-coded as in rules/policy.rules.
-- Placeholders replaced by the runner: {{DATA}} (input directory), {{OUT}}
-- (output file for the flags), {{ASOF}} (YYYY-MM-DD).  Statements end with ';'
-- at the end of a line; a line '-- stage: NAME' starts a timed stage.
--
-- Scope: the flags' key columns (rule_id, kind, severity, household_id,
-- hukou_no, id_no, region_code), sorted as the contract sorts flags.csv; no
-- evidence text, review queue, spot check or rejects list.  Inputs are assumed
-- clean (bench/gen --dirty 0): every column is read as VARCHAR, trimmed and
-- cast, so a malformed value stops the run instead of becoming a reject.  IDs
-- are normalised everywhere (white space, full-width digits, x, 15 -> 18);
-- validity (check character, province, birth date) decides Q01 for members and
-- drops invalid hukou rows.  A feed row whose ID is invalid can only join an
-- invalid ID, and those never join (members' invalid IDs are NULL), so feeds
-- are normalised but not validated.  Money, areas and shares are DECIMAL and
-- every comparison is cross-multiplied: no rounding anywhere.

-- stage: setup
SET preserve_insertion_order = true;
CREATE MACRO id_chk(s) AS substr('10X98765432', 1 + ((
      7 * ascii(substr(s, 1, 1)) + 9 * ascii(substr(s, 2, 1)) + 10 * ascii(substr(s, 3, 1))
    + 5 * ascii(substr(s, 4, 1)) + 8 * ascii(substr(s, 5, 1)) + 4 * ascii(substr(s, 6, 1))
    + 2 * ascii(substr(s, 7, 1)) + 1 * ascii(substr(s, 8, 1)) + 6 * ascii(substr(s, 9, 1))
    + 3 * ascii(substr(s, 10, 1)) + 7 * ascii(substr(s, 11, 1)) + 9 * ascii(substr(s, 12, 1))
    + 10 * ascii(substr(s, 13, 1)) + 5 * ascii(substr(s, 14, 1)) + 8 * ascii(substr(s, 15, 1))
    + 4 * ascii(substr(s, 16, 1)) + 2 * ascii(substr(s, 17, 1)) - 48 * 100) % 11), 1);
-- white space anywhere (ASCII and Unicode) removed, full-width digits and x/X folded, upper case
CREATE MACRO id_fold(r) AS upper(translate(regexp_replace(r, '[\s\p{Z}\x{85}\x{feff}]', '', 'g'),
    '０１２３４５６７８９ｘＸ', '0123456789XX'));
CREATE MACRO id_15(c) AS CASE WHEN regexp_full_match(c, '[0-9]{15}')
    THEN substr(c, 1, 6) || '19' || substr(c, 7) || id_chk(substr(c, 1, 6) || '19' || substr(c, 7))
    ELSE c END;
-- normalised form (valid or not); fast path for an already clean 18-character ID
CREATE MACRO id_norm(r) AS CASE WHEN regexp_full_match(r, '[0-9]{17}[0-9X]') THEN r
    ELSE id_15(id_fold(r)) END;
CREATE MACRO id_valid(s) AS regexp_full_match(s, '[0-9]{17}[0-9X]')
    AND id_chk(s) = substr(s, 18, 1)
    AND substr(s, 1, 2) IN ('11','12','13','14','15','21','22','23','31','32','33','34','35',
        '36','37','41','42','43','44','45','46','50','51','52','53','54','61','62','63','64',
        '65','71','81','82','83')
    AND try_strptime(substr(s, 7, 8), '%Y%m%d')::DATE BETWEEN DATE '1900-01-01' AND DATE '{{ASOF}}';
CREATE MACRO csv(f) AS TABLE
    SELECT * FROM read_csv(f, header = true, all_varchar = true, delim = ',', quote = '"',
                           escape = '"');

-- stage: load
CREATE TABLE hh_in AS
SELECT trim(household_id) AS hid, trim(region_code) AS region, trim(program) AS program,
       trim(area_type) AS area_type, trim(status) AS status,
       CAST(trim(applied_on) AS DATE) AS applied_on,
       CAST(nullif(trim(approved_on), '') AS DATE) AS approved_on,
       coalesce(trim(caseworker_id), '') AS caseworker
FROM csv('{{DATA}}/households.csv');
CREATE TABLE mem_in AS
SELECT trim(household_id) AS hid, coalesce(trim(id_no), '') AS rawid,
       id_norm(coalesce(trim(id_no), '')) AS nn,
       coalesce(trim(name), '') AS name, trim(relation) AS relation,
       CAST(trim(declared_monthly_income) AS DECIMAL(18, 2)) AS declared
FROM csv('{{DATA}}/members.csv');
CREATE TABLE hk_in AS
SELECT id_norm(trim(id_no)) AS nid, coalesce(trim(name), '') AS name, trim(hukou_no) AS hukou_no,
       trim(relation_to_head) AS relation, trim(region_code) AS region, trim(status) AS status,
       CAST(nullif(trim(status_date), '') AS DATE) AS status_date
FROM csv('{{DATA}}/hukou.csv');
CREATE TABLE veh AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid
FROM csv('{{DATA}}/vehicles.csv')
WHERE trim(status) = 'valid' AND trim(vehicle_class) IN ('car', 'truck', 'bus')
  AND NOT (trim(use) = 'commercial' AND CAST(trim(value_yuan) AS DECIMAL(18, 2)) <= 30000);
CREATE TABLE prop AS
SELECT id_norm(trim(id_no)) AS nid, trim(property_id) AS pid, trim(usage) AS usage,
       CAST(trim(area_m2) AS DECIMAL(18, 2)) * CAST(trim(share) AS DECIMAL(18, 9)) AS area_share
FROM csv('{{DATA}}/property.csv')
WHERE trim(status) = 'held' AND trim(usage) IN ('residential', 'commercial', 'office', 'industrial');
CREATE TABLE win AS
SELECT strftime(date_trunc('month', DATE '{{ASOF}}') - to_months(k), '%Y-%m') AS period
FROM range(1, 7) t(k);
-- evidenced income x 6: per person, the 6-month sum of max(employment, employee
-- pension base) + pension benefit + unemployment benefit, per month
CREATE TABLE inc AS
SELECT nid, sum(greatest(emp, epc) + pb + ub) AS s6
FROM (SELECT id_norm(trim(id_no)) AS nid, trim(period) AS period,
             coalesce(sum(amt) FILTER (WHERE kind = 'employment'), 0) AS emp,
             coalesce(sum(amt) FILTER (WHERE kind = 'employee_pension_contrib'), 0) AS epc,
             coalesce(sum(amt) FILTER (WHERE kind = 'pension_benefit'), 0) AS pb,
             coalesce(sum(amt) FILTER (WHERE kind = 'unemployment_benefit'), 0) AS ub
      FROM (SELECT id_no, period, trim(kind) AS kind, CAST(trim(amount) AS DECIMAL(18, 2)) AS amt
            FROM csv('{{DATA}}/social_insurance.csv')
            WHERE trim(period) IN (SELECT period FROM win))
      GROUP BY ALL)
GROUP BY nid;
CREATE TABLE biz AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid FROM csv('{{DATA}}/business.csv')
WHERE trim(status) = 'active' AND trim(role) IN ('legal_rep', 'shareholder');
CREATE TABLE ps AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid FROM csv('{{DATA}}/public_servants.csv');
CREATE TABLE srel AS
SELECT DISTINCT trim(caseworker_id) AS caseworker, id_norm(trim(relative_id_no)) AS nid
FROM csv('{{DATA}}/staff_relatives.csv');
CREATE TABLE cand_in AS
SELECT id_norm(trim(id_no)) AS nid, trim(region_code) AS region, trim(area_type) AS area_type
FROM csv('{{DATA}}/candidates.csv');
CREATE TABLE std_in AS
SELECT trim(region_prefix) AS prefix, trim(area_type) AS area_type,
       CAST(trim(effective_from) AS DATE) AS eff, CAST(trim(monthly_yuan) AS DECIMAL(18, 2)) AS yuan
FROM csv('{{DATA}}/standards.csv');
CREATE TABLE hol AS
SELECT CAST(trim(date) AS DATE) AS d, trim(kind) AS kind FROM csv('{{DATA}}/holidays.csv');

-- stage: prepare
-- households: a repeated household_id keeps the first row
CREATE TABLE hh AS
SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY hid ORDER BY rowid) AS rn FROM hh_in)
WHERE rn = 1;
-- hukou: one row per normalised ID: the first `normal` row, else the latest
-- status_date (first on a tie).  Invalid IDs are dropped where they could
-- matter (E11, L01): a valid member ID only ever joins a valid hukou ID.
CREATE TABLE hk AS
SELECT * EXCLUDE (rn) FROM (
    SELECT nid, name, hukou_no, relation, region, status, status_date,
           row_number() OVER (PARTITION BY nid ORDER BY (status <> 'normal'),
               CASE WHEN status <> 'normal' THEN status_date END DESC NULLS LAST, rowid) AS rn
    FROM hk_in)
WHERE rn = 1;
-- members of known households, a person repeated within a household kept once (first row)
CREATE TABLE mem AS
SELECT * EXCLUDE (rn) FROM (
    SELECT m.*, row_number() OVER (PARTITION BY m.hid, coalesce(m.nid, '~' || m.rawid) ORDER BY m.ln) AS rn
    FROM (SELECT hid, rawid, name, relation, declared, rowid AS ln,
                 CASE WHEN id_valid(nn) THEN nn END AS nid
          FROM mem_in) m
    SEMI JOIN hh ON hh.hid = m.hid)
WHERE rn = 1;
-- standard in force: longest prefix with a row for the area type, then latest effective_from
CREATE TABLE std AS
SELECT region, area_type, yuan FROM (
    SELECT r.region, r.area_type, s.yuan,
           row_number() OVER (PARTITION BY r.region, r.area_type
                              ORDER BY length(s.prefix) DESC, s.eff DESC, s.rowid) AS rn
    FROM (SELECT DISTINCT region, area_type FROM hh
          UNION SELECT DISTINCT region, area_type FROM cand_in) r
    JOIN std_in s ON s.area_type = r.area_type AND s.eff <= DATE '{{ASOF}}'
                 AND s.prefix = substr(r.region, 1, length(s.prefix)))
WHERE rn = 1;
-- persons with a valid ID in a non-cancelled household: household count
CREATE TABLE member_nc AS
SELECT m.nid, count(DISTINCT m.hid) AS nhh FROM mem m JOIN hh ON hh.hid = m.hid
WHERE hh.status <> 'cancelled' AND m.nid IS NOT NULL GROUP BY m.nid;
-- members with their hukou row and per-member tests
CREATE TABLE mx AS
SELECT m.hid, m.ln, m.nid, m.rawid, m.name, m.relation, m.declared,
       h.nid IS NOT NULL AS in_hk, coalesce(h.hukou_no, '') AS hukou_no, h.name AS hk_name,
       h.status AS hk_status, h.status_date, h.region AS hk_region,
       (h.nid IS NULL OR h.status = 'normal') AS counted,
       m.nid IN (SELECT nid FROM veh) AS e03,
       m.nid IN (SELECT nid FROM prop WHERE usage IN ('commercial', 'office', 'industrial')) AS e05,
       m.nid IN (SELECT nid FROM biz) AS e07,
       m.nid IN (SELECT nid FROM ps) AS e08
FROM mem m LEFT JOIN hk h ON h.nid = m.nid;
-- household facts: head (first `head` row), its hukou_no, size, income x 6,
-- held residential titles and area x share of the counted members, standard
CREATE TABLE hf AS
SELECT hh.hid, hh.region, hh.program, hh.area_type, hh.status, hh.caseworker,
       hh.applied_on, hh.approved_on,
       coalesce(hd.hukou_no, '') AS head_hk, coalesce(hd.in_hk, false) AS head_in_hk,
       coalesce(c.size, 0) AS size, coalesce(c.inc6, 0) AS inc6,
       coalesce(r.area, 0) AS area, coalesce(r.npid, 0) AS npid, s.yuan AS std,
       CASE hh.program WHEN 'dishouru' THEN 1.5 ELSE 1.0 END AS factor
FROM hh
LEFT JOIN (SELECT hid, arg_min(hukou_no, ln) AS hukou_no, arg_min(in_hk, ln) AS in_hk
           FROM mx WHERE relation = 'head' GROUP BY hid) hd ON hd.hid = hh.hid
LEFT JOIN (SELECT mx.hid, count(*) AS size, sum(greatest(6 * mx.declared, coalesce(i.s6, 0))) AS inc6
           FROM mx LEFT JOIN inc i ON i.nid = mx.nid
           WHERE mx.counted GROUP BY mx.hid) c ON c.hid = hh.hid
LEFT JOIN (SELECT mx.hid, count(DISTINCT p.pid) AS npid, sum(p.area_share) AS area
           FROM mx JOIN prop p ON p.nid = mx.nid AND p.usage = 'residential'
           WHERE mx.counted GROUP BY mx.hid) r ON r.hid = hh.hid
LEFT JOIN std s ON s.region = hh.region AND s.area_type = hh.area_type;

-- stage: rules
-- E01-E09 for every household (L02 needs them for cancelled ones)
CREATE TABLE f09 AS
SELECT 'E01_DECEASED' AS rule_id, hid, hukou_no, nid AS id_no FROM mx
WHERE hk_status = 'deceased' AND status_date <= DATE '{{ASOF}}'
UNION ALL
SELECT 'E02_MOVED_OUT', mx.hid, mx.hukou_no, mx.nid FROM mx JOIN hh ON hh.hid = mx.hid
WHERE mx.hk_status IN ('moved_out', 'cancelled') OR substr(mx.hk_region, 1, 6) <> substr(hh.region, 1, 6)
UNION ALL SELECT 'E03_VEHICLE', hid, hukou_no, nid FROM mx WHERE e03
UNION ALL SELECT 'E05_COMMERCIAL_PROPERTY', hid, hukou_no, nid FROM mx WHERE e05
UNION ALL SELECT 'E07_BUSINESS', hid, hukou_no, nid FROM mx WHERE e07
UNION ALL SELECT 'E08_PUBLIC_SERVANT', hid, hukou_no, nid FROM mx WHERE e08
UNION ALL SELECT 'E04_MULTI_HOUSING', hid, head_hk, '' FROM hf WHERE npid >= 2
UNION ALL SELECT 'E06_HOUSING_AREA', hid, head_hk, '' FROM hf WHERE size > 0 AND area > 40 * size
UNION ALL SELECT 'E09_INCOME', hid, head_hk, '' FROM hf
WHERE size > 0 AND std IS NOT NULL AND inc6 > 6 * std * factor * size;
CREATE TABLE cal AS
SELECT d, sum(CASE WHEN (isodow(d) <= 5 AND d NOT IN (SELECT d FROM hol WHERE kind = 'holiday'))
                     OR d IN (SELECT d FROM hol WHERE kind = 'workday') THEN 1 ELSE 0 END)
              OVER (ORDER BY d) AS cum
FROM (SELECT unnest(range(min(applied_on), max(approved_on) + INTERVAL 1 DAY, INTERVAL 1 DAY))::DATE AS d
      FROM hh WHERE approved_on IS NOT NULL);
-- L01: candidates (first listing of each), normal in hukou, with a standard
CREATE TABLE cand AS
SELECT c.nid, c.region, h.hukou_no, s.yuan AS std FROM (
    SELECT nid, region, area_type, row_number() OVER (PARTITION BY nid ORDER BY rowid) AS rn FROM cand_in) c
JOIN hk h ON h.nid = c.nid AND h.status = 'normal' AND id_valid(c.nid)
JOIN std s ON s.region = c.region AND s.area_type = c.area_type
WHERE c.rn = 1;
-- the `normal` persons of the candidates' hukou households; IDs validated
-- after the join (the few, not every hukou row)
CREATE TABLE cpers AS
SELECT hukou_no, nid FROM hk
WHERE status = 'normal' AND hukou_no IN (SELECT hukou_no FROM cand);
DELETE FROM cpers WHERE NOT id_valid(nid);

CREATE TABLE hkh AS
SELECT hukou_no, count(*) AS size, bool_or(blocked) AS blocked, coalesce(sum(s6), 0) AS inc6
FROM (SELECT h.hukou_no, i.s6,
             h.nid IN (SELECT nid FROM member_nc) OR h.nid IN (SELECT nid FROM veh)
             OR h.nid IN (SELECT nid FROM prop WHERE usage IN ('commercial', 'office', 'industrial'))
             OR h.nid IN (SELECT nid FROM biz) OR h.nid IN (SELECT nid FROM ps) AS blocked
      FROM cpers h LEFT JOIN inc i ON i.nid = h.nid) t
GROUP BY hukou_no;
CREATE TABLE hkp AS
SELECT h.hukou_no, count(DISTINCT p.pid) AS npid, sum(p.area_share) AS area
FROM cpers h JOIN prop p ON p.nid = h.nid AND p.usage = 'residential'
GROUP BY h.hukou_no;
-- E11 candidates: `normal` spouses and children in the head's hukou household, not members
CREATE TABLE e11 AS
SELECT hf.hid, hf.head_hk, p.nid, p.relation FROM hf
JOIN hk p ON p.hukou_no = hf.head_hk AND p.status = 'normal'
WHERE hf.status <> 'cancelled' AND hf.head_in_hk AND p.relation IN ('spouse', 'child')
  AND NOT EXISTS (SELECT 1 FROM mem m WHERE m.hid = hf.hid AND m.nid = p.nid);
DELETE FROM e11 WHERE NOT id_valid(nid);
CREATE TABLE flagkeys AS
SELECT f.rule_id, f.hid, f.hukou_no, f.id_no, CAST(NULL AS VARCHAR) AS cregion FROM f09 f JOIN hh ON hh.hid = f.hid
WHERE hh.status <> 'cancelled'
UNION ALL
SELECT 'L02_CANCELLED_ELIGIBLE', hid, head_hk, '', NULL FROM hf
WHERE status = 'cancelled' AND std IS NOT NULL AND hid NOT IN (SELECT hid FROM f09)
UNION ALL
SELECT 'E10_DUPLICATE', mx.hid, mx.hukou_no, mx.nid, NULL FROM mx JOIN member_nc d ON d.nid = mx.nid
JOIN hh ON hh.hid = mx.hid WHERE hh.status <> 'cancelled' AND d.nhh >= 2
UNION ALL
SELECT 'E12_STAFF_RELATIVE', mx.hid, mx.hukou_no, mx.nid, NULL FROM mx JOIN hh ON hh.hid = mx.hid
JOIN srel r ON r.caseworker = hh.caseworker AND r.nid = mx.nid
WHERE hh.status <> 'cancelled' AND hh.caseworker <> ''
UNION ALL
SELECT 'Q01_INVALID_ID', mx.hid, '', mx.rawid, NULL FROM mx JOIN hh ON hh.hid = mx.hid
WHERE hh.status <> 'cancelled' AND mx.nid IS NULL
UNION ALL
SELECT 'Q02_NOT_IN_HUKOU', mx.hid, '', mx.nid, NULL FROM mx JOIN hh ON hh.hid = mx.hid
WHERE hh.status <> 'cancelled' AND mx.nid IS NOT NULL AND NOT mx.in_hk
UNION ALL
SELECT 'Q03_NAME_MISMATCH', mx.hid, mx.hukou_no, mx.nid, NULL FROM mx JOIN hh ON hh.hid = mx.hid
WHERE hh.status <> 'cancelled' AND mx.in_hk AND mx.name <> mx.hk_name
  AND regexp_replace(mx.name, '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g')
   <> regexp_replace(mx.hk_name, '^[\s\p{Z}]+|[\s\p{Z}]+$', '', 'g')
UNION ALL
SELECT 'E11_UNDECLARED_SPOUSE', hid, head_hk, nid, NULL FROM e11
WHERE relation = 'spouse'
   OR year(DATE '{{ASOF}}') - CAST(substr(nid, 7, 4) AS INTEGER)
      - CASE WHEN strftime(DATE '{{ASOF}}', '%m%d') < substr(nid, 11, 4) THEN 1 ELSE 0 END < 18
UNION ALL
SELECT 'P01_OVERDUE', hf.hid, hf.head_hk, '', NULL FROM hf
JOIN cal a ON a.d = hf.applied_on JOIN cal b ON b.d = hf.approved_on
WHERE hf.status <> 'cancelled' AND b.cum - a.cum > 15
UNION ALL
SELECT 'L01_CANDIDATE_ELIGIBLE', '', c.hukou_no, c.nid, c.region FROM cand c
JOIN hkh g ON g.hukou_no = c.hukou_no LEFT JOIN hkp p ON p.hukou_no = c.hukou_no
WHERE NOT g.blocked AND coalesce(p.npid, 0) < 2 AND coalesce(p.area, 0) <= 40 * g.size
  AND g.inc6 <= 6 * c.std * g.size;

-- stage: write
COPY (
    SELECT DISTINCT k.rule_id, r.kind, r.severity, k.hid AS household_id, k.hukou_no, k.id_no,
           coalesce(k.cregion, hh.region) AS region_code
    FROM flagkeys k
    JOIN (VALUES ('E01_DECEASED', 'cuobao', 'high'), ('E02_MOVED_OUT', 'cuobao', 'medium'),
                 ('E03_VEHICLE', 'cuobao', 'high'), ('E04_MULTI_HOUSING', 'cuobao', 'high'),
                 ('E05_COMMERCIAL_PROPERTY', 'cuobao', 'high'), ('E06_HOUSING_AREA', 'cuobao', 'medium'),
                 ('E07_BUSINESS', 'cuobao', 'high'), ('E08_PUBLIC_SERVANT', 'cuobao', 'high'),
                 ('E09_INCOME', 'cuobao', 'high'), ('E10_DUPLICATE', 'cuobao', 'high'),
                 ('E11_UNDECLARED_SPOUSE', 'cuobao', 'medium'), ('E12_STAFF_RELATIVE', 'cuobao', 'low'),
                 ('P01_OVERDUE', 'process', 'low'), ('Q01_INVALID_ID', 'quality', 'medium'),
                 ('Q02_NOT_IN_HUKOU', 'quality', 'medium'), ('Q03_NAME_MISMATCH', 'quality', 'low'),
                 ('L01_CANDIDATE_ELIGIBLE', 'loubao', 'high'),
                 ('L02_CANCELLED_ELIGIBLE', 'loubao', 'medium')) r(rule_id, kind, severity)
      ON r.rule_id = k.rule_id
    LEFT JOIN hh ON hh.hid = k.hid
    ORDER BY household_id, hukou_no, rule_id, id_no
) TO '{{OUT}}' (FORMAT csv, HEADER true);
