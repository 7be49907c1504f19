-- hedui reference policy as plain SQL for PostgreSQL 15 (bench/run runs it).
--
-- The shipped policy of doc/data-contract.md ("Reference
-- policy" and "Edge cases, settled"), values hard-coded as in rules/policy.rules;
-- the same queries as duckdb.sql in PostgreSQL's dialect.
--
--   psql -X -v data=DIR -v asof=YYYY-MM-DD -v out=FILE -f postgres.sql
--
-- A superuser session on a fresh database: the server reads the CSV files
-- itself (COPY FROM a file, pg_read_binary_file for the header, so the columns
-- may come in any order); psql writes the flags (COPY TO STDOUT into \o FILE).
-- Each table is UNLOGGED.  psql's standard output gets the '\echo stage NAME'
-- lines and the \timing lines, from which bench/run times the stages.
--
-- Scope as in duckdb.sql: the flags' key columns (rule_id, kind, severity,
-- household_id, hukou_no, id_no, region_code) sorted as flags.csv; clean
-- inputs (bench/gen --dirty 0); IDs normalised everywhere, validated where it
-- matters (members for Q01, hukou rows); exact NUMERIC arithmetic,
-- cross-multiplied comparisons.
\set ON_ERROR_STOP on
\pset pager off
\timing on
\set ECHO queries
\o /dev/null

\echo stage setup
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
-- slow path of ID normalisation (rare): white space anywhere (ASCII and
-- Unicode) removed, full-width digits and x/X folded, upper case, 15 -> 18
CREATE FUNCTION id_chk(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT substr('10X98765432', 1 + ((
      7 * ascii(substr(s, 1, 1)) + 9 * ascii(substr(s, 2, 1)) + 10 * ascii(substr(s, 3, 1))
    + 5 * ascii(substr(s, 4, 1)) + 8 * ascii(substr(s, 5, 1)) + 4 * ascii(substr(s, 6, 1))
    + 2 * ascii(substr(s, 7, 1)) + 1 * ascii(substr(s, 8, 1)) + 6 * ascii(substr(s, 9, 1))
    + 3 * ascii(substr(s, 10, 1)) + 7 * ascii(substr(s, 11, 1)) + 9 * ascii(substr(s, 12, 1))
    + 10 * ascii(substr(s, 13, 1)) + 5 * ascii(substr(s, 14, 1)) + 8 * ascii(substr(s, 15, 1))
    + 4 * ascii(substr(s, 16, 1)) + 2 * ascii(substr(s, 17, 1)) - 48 * 100) % 11), 1) $$;
CREATE FUNCTION id_slow(r text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE c text;
BEGIN
    c := upper(translate(regexp_replace(coalesce(r, ''),
            '[[:space:]\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]', '', 'g'),
            '０１２３４５６７８９ｘＸ', '0123456789XX'));
    IF c ~ '^[0-9]{15}$' THEN
        c := substr(c, 1, 6) || '19' || substr(c, 7);
        c := c || id_chk(c);
    END IF;
    RETURN c;
END $$;
-- normalised form (valid or not): fast path for an already clean ID
CREATE FUNCTION id_norm(r text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN octet_length(r) = 18 AND ltrim(r, '0123456789') IN ('', 'X') THEN r ELSE id_slow(r) END $$;
-- valid: 17 digits and the right check character, a GB 2260 province, a real
-- birth date from 1900-01-01 to the as-of date (as YYYYMMDD text)
CREATE FUNCTION id_valid(s text, asof8 text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT octet_length(s) = 18 AND ltrim(s, '0123456789') IN ('', 'X')
   AND id_chk(s) = substr(s, 18, 1)
   AND substr(s, 1, 2) = ANY ('{11,12,13,14,15,21,22,23,31,32,33,34,35,36,37,41,42,43,44,45,46,50,51,52,53,54,61,62,63,64,65,71,81,82,83}'::text[])
   AND substr(s, 7, 8) BETWEEN '19000101' AND asof8
   AND substr(s, 11, 2) BETWEEN '01' AND '12'
   AND substr(s, 13, 2) BETWEEN '01' AND CASE
         WHEN substr(s, 11, 2) IN ('04', '06', '09', '11') THEN '30'
         WHEN substr(s, 11, 2) <> '02' THEN '31'
         WHEN substr(s, 7, 4)::int % 4 = 0 AND (substr(s, 7, 4)::int % 100 <> 0
                                              OR substr(s, 7, 4)::int % 400 = 0) THEN '29'
         ELSE '28' END $$;
SELECT to_char(:'asof'::date, 'YYYYMMDD') AS asof8 \gset

\echo stage load
-- one text table per file, columns named by its header, ln = order in the file
SELECT format('CREATE UNLOGGED TABLE %I (ln bigint GENERATED ALWAYS AS IDENTITY, %s)',
              'raw_' || f, (SELECT string_agg(format('%I text', c), ', ') FROM unnest(cols) c)),
       format('COPY %I (%s) FROM %L (FORMAT csv, HEADER true)',
              'raw_' || f, (SELECT string_agg(format('%I', c), ', ') FROM unnest(cols) c), path)
FROM (SELECT f, path,
             string_to_array(regexp_replace(convert_from(substring(b FROM 1 FOR position('\x0a'::bytea IN b) - 1),
                                                         'UTF8'), '^\ufeff|[[:space:]]', '', 'g'), ',') AS cols
      FROM (SELECT f, p AS path, pg_read_binary_file(p, 0, 65536) AS b
            FROM unnest('{households,members,hukou,vehicles,property,social_insurance,business,public_servants,staff_relatives,candidates,standards,holidays}'::text[]) f,
                 LATERAL (SELECT :'data' || '/' || f || '.csv' AS p) q) x) y
\gexec

\echo stage prepare
CREATE UNLOGGED TABLE hh AS
SELECT DISTINCT ON (hid) *
FROM (SELECT ln, trim(household_id) AS hid, trim(region_code) AS region, trim(program) AS program,
             trim(area_type) AS area_type, trim(status) AS status,
             trim(applied_on)::date AS applied_on, nullif(trim(approved_on), '')::date AS approved_on,
             coalesce(trim(caseworker_id), '') AS caseworker
      FROM raw_households) t
ORDER BY hid, ln;
CREATE UNIQUE INDEX ON hh (hid);
ANALYZE hh;
-- hukou: one row per normalised ID: the first `normal` row, else the latest
-- status_date (first on a tie).  Invalid IDs are dropped where they could
-- matter (E11, L01): a valid member ID only ever joins a valid hukou ID.
CREATE UNLOGGED TABLE hk AS
SELECT DISTINCT ON (nid) nid, name, hukou_no, relation, region, status, status_date
FROM (SELECT ln, id_norm(trim(id_no)) AS nid, coalesce(trim(name), '') AS name,
             trim(hukou_no) AS hukou_no, trim(relation_to_head) AS relation,
             trim(region_code) AS region, trim(status) AS status,
             nullif(trim(status_date), '')::date AS status_date
      FROM raw_hukou) t
ORDER BY nid, (status <> 'normal'), CASE WHEN status <> 'normal' THEN status_date END DESC NULLS LAST, ln;
CREATE INDEX ON hk (hukou_no);
ANALYZE hk;
CREATE UNLOGGED TABLE mem AS
SELECT DISTINCT ON (m.hid, coalesce(m.nid, '~' || m.rawid)) m.*
FROM (SELECT hid, rawid, name, relation, declared, ln, CASE WHEN id_valid(nn, :'asof8') THEN nn END AS nid
      FROM (SELECT ln, trim(household_id) AS hid, coalesce(trim(id_no), '') AS rawid,
                   id_norm(coalesce(trim(id_no), '')) AS nn, coalesce(trim(name), '') AS name,
                   trim(relation) AS relation, trim(declared_monthly_income)::numeric AS declared
            FROM raw_members OFFSET 0) t OFFSET 0) m
WHERE m.hid IN (SELECT hid FROM hh)
ORDER BY m.hid, coalesce(m.nid, '~' || m.rawid), m.ln;
ANALYZE mem;
CREATE UNLOGGED TABLE veh AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid
FROM raw_vehicles
WHERE trim(status) = 'valid' AND trim(vehicle_class) IN ('car', 'truck', 'bus')
  AND NOT (trim(use) = 'commercial' AND trim(value_yuan)::numeric <= 30000);
ANALYZE veh;
CREATE UNLOGGED TABLE prop AS
SELECT id_norm(trim(id_no)) AS nid, trim(property_id) AS pid, trim(usage) AS usage,
       trim(area_m2)::numeric * trim(share)::numeric AS area_share
FROM raw_property
WHERE trim(status) = 'held' AND trim(usage) IN ('residential', 'commercial', 'office', 'industrial');
ANALYZE prop;
CREATE UNLOGGED TABLE win AS
SELECT to_char(date_trunc('month', :'asof'::date) - make_interval(months => k), 'YYYY-MM') AS period
FROM generate_series(1, 6) k;
-- evidenced income x 6: per person, the 6-month sum of max(employment, employee
-- pension base) + pension benefit + unemployment benefit, per month; summed in
-- integer fen (amounts have at most two decimals), exact
CREATE UNLOGGED TABLE inc AS
SELECT nid, sum(greatest(emp, epc) + pb + ub)::numeric * 0.01 AS s6
FROM (SELECT id_norm(trim(id_no)) AS nid, trim(period) AS period,
             coalesce(sum(fen) FILTER (WHERE kind = 'employment'), 0) AS emp,
             coalesce(sum(fen) FILTER (WHERE kind = 'employee_pension_contrib'), 0) AS epc,
             coalesce(sum(fen) FILTER (WHERE kind = 'pension_benefit'), 0) AS pb,
             coalesce(sum(fen) FILTER (WHERE kind = 'unemployment_benefit'), 0) AS ub
      FROM (SELECT id_no, period, trim(kind) AS kind, (trim(amount)::numeric * 100)::bigint AS fen
            FROM raw_social_insurance
            WHERE trim(period) IN (SELECT period FROM win)) s
      GROUP BY 1, 2) t
GROUP BY nid;
ANALYZE inc;
CREATE UNLOGGED TABLE biz AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid FROM raw_business
WHERE trim(status) = 'active' AND trim(role) IN ('legal_rep', 'shareholder');
ANALYZE biz;
CREATE UNLOGGED TABLE ps AS
SELECT DISTINCT id_norm(trim(id_no)) AS nid FROM raw_public_servants;
ANALYZE ps;
CREATE UNLOGGED TABLE srel AS
SELECT DISTINCT trim(caseworker_id) AS caseworker, id_norm(trim(relative_id_no)) AS nid
FROM raw_staff_relatives;
ANALYZE srel;
CREATE UNLOGGED TABLE std_in AS
SELECT ln, trim(region_prefix) AS prefix, trim(area_type) AS area_type,
       trim(effective_from)::date AS eff, trim(monthly_yuan)::numeric AS yuan
FROM raw_standards;
ANALYZE std_in;
CREATE UNLOGGED TABLE hol AS
SELECT trim(date)::date AS d, trim(kind) AS kind FROM raw_holidays;
CREATE UNLOGGED TABLE cand_in AS
SELECT DISTINCT ON (nid) nid, region, area_type
FROM (SELECT ln, id_norm(trim(id_no)) AS nid, trim(region_code) AS region, trim(area_type) AS area_type
      FROM raw_candidates OFFSET 0) t
WHERE id_valid(nid, :'asof8')
ORDER BY nid, ln;
ANALYZE cand_in;
-- standard in force: longest prefix with a row for the area type, then latest effective_from
CREATE UNLOGGED TABLE std AS
SELECT DISTINCT ON (r.region, r.area_type) r.region, r.area_type, s.yuan
FROM (SELECT region, area_type FROM hh UNION SELECT region, area_type FROM cand_in) r
JOIN std_in s ON s.area_type = r.area_type AND s.eff <= :'asof'::date
             AND s.prefix = substr(r.region, 1, length(s.prefix))
ORDER BY r.region, r.area_type, length(s.prefix) DESC, s.eff DESC, s.ln;
ANALYZE std;
-- persons with a valid ID in a non-cancelled household: household count
CREATE UNLOGGED TABLE member_nc AS
SELECT m.nid, count(DISTINCT m.hid) AS nhh FROM mem m JOIN hh ON hh.hid = m.hid
WHERE hh.status <> 'cancelled' AND m.nid IS NOT NULL GROUP BY m.nid;
ANALYZE member_nc;
-- members with their hukou row and per-member tests
CREATE UNLOGGED TABLE mx AS
SELECT m.hid, m.ln, m.nid, m.rawid, m.name, m.relation, m.declared,
       h.nid IS NOT NULL AS in_hk, coalesce(h.hukou_no, '') AS hukou_no, h.name AS hk_name,
       h.status AS hk_status, h.status_date, h.region AS hk_region,
       (h.nid IS NULL OR h.status = 'normal') AS counted,
       m.nid IN (SELECT nid FROM veh) AS e03,
       m.nid IN (SELECT nid FROM prop WHERE usage IN ('commercial', 'office', 'industrial')) AS e05,
       m.nid IN (SELECT nid FROM biz) AS e07,
       m.nid IN (SELECT nid FROM ps) AS e08
FROM mem m LEFT JOIN hk h ON h.nid = m.nid;
ANALYZE mx;
-- household facts: head (first `head` row), its hukou_no, size, income x 6,
-- held residential titles and area x share of the counted members, standard
CREATE UNLOGGED TABLE hf AS
SELECT hh.hid, hh.region, hh.program, hh.area_type, hh.status, hh.caseworker,
       hh.applied_on, hh.approved_on,
       coalesce(hd.hukou_no, '') AS head_hk, coalesce(hd.in_hk, false) AS head_in_hk,
       coalesce(c.size, 0) AS size, coalesce(c.inc6, 0) AS inc6,
       coalesce(r.area, 0) AS area, coalesce(r.npid, 0) AS npid, s.yuan AS std,
       CASE hh.program WHEN 'dishouru' THEN 1.5 ELSE 1.0 END AS factor
FROM hh
LEFT JOIN (SELECT DISTINCT ON (hid) hid, hukou_no, in_hk FROM mx WHERE relation = 'head'
           ORDER BY hid, ln) hd ON hd.hid = hh.hid
LEFT JOIN (SELECT mx.hid, count(*) AS size, sum(greatest(6 * mx.declared, coalesce(i.s6, 0))) AS inc6
           FROM mx LEFT JOIN inc i ON i.nid = mx.nid
           WHERE mx.counted GROUP BY mx.hid) c ON c.hid = hh.hid
LEFT JOIN (SELECT mx.hid, count(DISTINCT p.pid) AS npid, sum(p.area_share) AS area
           FROM mx JOIN prop p ON p.nid = mx.nid AND p.usage = 'residential'
           WHERE mx.counted GROUP BY mx.hid) r ON r.hid = hh.hid
LEFT JOIN std s ON s.region = hh.region AND s.area_type = hh.area_type;
ANALYZE hf;

\echo stage rules
-- E01-E09 for every household (L02 needs them for cancelled ones)
CREATE UNLOGGED TABLE f09 AS
SELECT 'E01_DECEASED' AS rule_id, hid, hukou_no, nid AS id_no FROM mx
WHERE hk_status = 'deceased' AND status_date <= :'asof'::date
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
CREATE UNLOGGED TABLE cal AS
SELECT d::date AS d,
       sum(CASE WHEN (extract(isodow FROM d) <= 5 AND d::date NOT IN (SELECT d FROM hol WHERE kind = 'holiday'))
                     OR d::date IN (SELECT d FROM hol WHERE kind = 'workday') THEN 1 ELSE 0 END)
           OVER (ORDER BY d) AS cum
FROM (SELECT generate_series(min(applied_on), max(approved_on), interval '1 day') AS d
      FROM hh WHERE approved_on IS NOT NULL) t;
-- L01: candidates (first listing of each), normal in hukou, with a standard
CREATE UNLOGGED TABLE cand AS
SELECT c.nid, c.region, h.hukou_no, s.yuan AS std FROM cand_in c
JOIN hk h ON h.nid = c.nid AND h.status = 'normal'
JOIN std s ON s.region = c.region AND s.area_type = c.area_type;
ANALYZE cand;
-- the `normal` persons of the candidates' hukou households; IDs validated
-- after the join (the few, not every hukou row)
CREATE UNLOGGED TABLE cpers AS
SELECT hukou_no, nid FROM hk
WHERE status = 'normal' AND hukou_no IN (SELECT hukou_no FROM cand);
DELETE FROM cpers WHERE NOT id_valid(nid, :'asof8');
ANALYZE cpers;
CREATE UNLOGGED TABLE hkh AS
SELECT hukou_no, count(*) AS size, bool_or(blocked) AS blocked, coalesce(sum(s6), 0) AS inc6
FROM (SELECT h.hukou_no, i.s6,
             h.nid IN (SELECT nid FROM member_nc) OR h.nid IN (SELECT nid FROM veh)
             OR h.nid IN (SELECT nid FROM prop WHERE usage IN ('commercial', 'office', 'industrial'))
             OR h.nid IN (SELECT nid FROM biz) OR h.nid IN (SELECT nid FROM ps) AS blocked
      FROM cpers h LEFT JOIN inc i ON i.nid = h.nid) t
GROUP BY hukou_no;
CREATE UNLOGGED TABLE hkp AS
SELECT h.hukou_no, count(DISTINCT p.pid) AS npid, sum(p.area_share) AS area
FROM cpers h JOIN prop p ON p.nid = h.nid AND p.usage = 'residential'
GROUP BY h.hukou_no;
-- E11 candidates: `normal` spouses and children in the head's hukou household, not members
CREATE UNLOGGED TABLE e11 AS
SELECT hf.hid, hf.head_hk, p.nid, p.relation FROM hf
JOIN hk p ON p.hukou_no = hf.head_hk AND p.status = 'normal'
WHERE hf.status <> 'cancelled' AND hf.head_in_hk AND p.relation IN ('spouse', 'child')
  AND NOT EXISTS (SELECT 1 FROM mem m WHERE m.hid = hf.hid AND m.nid = p.nid);
DELETE FROM e11 WHERE NOT id_valid(nid, :'asof8');
CREATE UNLOGGED TABLE flagkeys AS
SELECT f.rule_id, f.hid, f.hukou_no, f.id_no, NULL::text AS cregion FROM f09 f JOIN hh ON hh.hid = f.hid
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
  AND regexp_replace(mx.name, '^[[:space:]\u00a0\u3000]+|[[:space:]\u00a0\u3000]+$', '', 'g')
   <> regexp_replace(mx.hk_name, '^[[:space:]\u00a0\u3000]+|[[:space:]\u00a0\u3000]+$', '', 'g')
UNION ALL
SELECT 'E11_UNDECLARED_SPOUSE', hid, head_hk, nid, NULL FROM e11
WHERE relation = 'spouse'
   OR extract(year FROM :'asof'::date)::int - substr(nid, 7, 4)::int
      - CASE WHEN to_char(:'asof'::date, 'MMDD') < substr(nid, 11, 4) THEN 1 ELSE 0 END < 18
UNION ALL
SELECT 'P01_OVERDUE', hf.hid, hf.head_hk, '', NULL FROM hf
JOIN cal a ON a.d = hf.applied_on JOIN cal b ON b.d = hf.approved_on
WHERE hf.status <> 'cancelled' AND b.cum - a.cum > 15
UNION ALL
SELECT 'L01_CANDIDATE_ELIGIBLE', '', c.hukou_no, c.nid, c.region FROM cand c
JOIN hkh g ON g.hukou_no = c.hukou_no LEFT JOIN hkp p ON p.hukou_no = c.hukou_no
WHERE NOT g.blocked AND coalesce(p.npid, 0) < 2 AND coalesce(p.area, 0) <= 40 * g.size
  AND g.inc6 <= 6 * c.std * g.size;

\echo stage write
\o :out
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
) TO STDOUT (FORMAT csv, HEADER true);
\o
\echo stage end
