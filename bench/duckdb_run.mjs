#!/usr/bin/env node
// Runs bench/sql/duckdb.sql on a data directory with the @duckdb/node-api
// package (an in-memory database, fresh each run) and writes the flags.
//
//   node bench/duckdb_run.mjs --data DIR --out FILE --as-of YYYY-MM-DD
//                             [--sql FILE] [--threads N] [--memory-limit SIZE]
//                             [--timings FILE] [--verbose 1]
//                             [--explain REGEX]  (EXPLAIN ANALYZE the statements matching REGEX)
//
// Statements end with ';' at the end of a line; a line '-- stage: NAME' starts
// a stage whose wall time is reported (stderr, and --timings as JSON).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const t0 = performance.now();
const here = path.dirname(fileURLToPath(import.meta.url));
const args = { sql: path.join(here, 'sql', 'duckdb.sql') };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, '').replace('-', '_');
  if (process.argv[i + 1] === undefined) throw new Error(`missing value for ${process.argv[i]}`);
  args[k] = process.argv[i + 1];
}
for (const k of ['data', 'out', 'as_of']) {
  if (!args[k]) {
    console.error('usage: duckdb_run.mjs --data DIR --out FILE --as-of YYYY-MM-DD [--sql FILE] [--threads N] [--memory-limit SIZE] [--timings FILE] [--verbose 1] [--explain REGEX]');
    process.exit(2);
  }
}
if (!/^\d{4}-\d{2}-\d{2}$/.test(args.as_of)) throw new Error(`bad --as-of ${args.as_of}`);
const quote = (s) => s.replace(/'/g, "''");
const text = readFileSync(args.sql, 'utf8')
  .replaceAll('{{DATA}}', quote(path.resolve(args.data)))
  .replaceAll('{{OUT}}', quote(path.resolve(args.out)))
  .replaceAll('{{ASOF}}', args.as_of);

// split into stages and statements
const stages = [];
let cur = { name: 'start', stmts: [] };
let buf = [];
for (const line of text.split('\n')) {
  const m = /^--\s*stage:\s*(\S+)/.exec(line);
  if (m) {
    if (buf.join('').trim()) throw new Error(`statement without ';' before stage ${m[1]}`);
    if (cur.stmts.length) stages.push(cur);
    cur = { name: m[1], stmts: [] };
    buf = [];
    continue;
  }
  if (/^\s*--/.test(line)) continue;
  buf.push(line);
  if (/;\s*$/.test(line)) {
    cur.stmts.push(buf.join('\n'));
    buf = [];
  }
}
if (buf.join('').trim()) throw new Error('trailing statement without ;');
if (cur.stmts.length) stages.push(cur);

const config = {};
if (args.threads) config.threads = String(args.threads);
// DuckDB's own memory_limit (default 80% of RAM); past it, it spills to its
// temporary directory (.tmp in the working directory)
if (args.memory_limit) config.memory_limit = String(args.memory_limit);
const instance = await DuckDBInstance.create(':memory:', config);
const conn = await instance.connect();
const timings = { startup_ms: +(performance.now() - t0).toFixed(1) };
const statements = [];
for (const st of stages) {
  const t = performance.now();
  for (const sql of st.stmts) {
    try {
      if (args.explain && new RegExp(args.explain).test(sql)) {
        const r = await conn.runAndReadAll('EXPLAIN ANALYZE ' + sql);
        for (const row of r.getRows()) console.error(String(row[row.length - 1]));
        if (/^\s*CREATE TABLE/.test(sql)) continue;
      }
      const ts = performance.now();
      await conn.run(sql);
      statements.push([+(performance.now() - ts).toFixed(1), sql.replace(/\s+/g, ' ').trim().slice(0, 70)]);
      if (args.verbose) console.error(`  ${(performance.now() - ts).toFixed(0).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
    } catch (e) {
      console.error(`duckdb_run: stage ${st.name}: ${e.message}\n--- statement:\n${sql}`);
      process.exit(1);
    }
  }
  timings[`${st.name}_ms`] = +(performance.now() - t).toFixed(1);
}
timings.total_ms = +(performance.now() - t0).toFixed(1);
const line = Object.entries(timings).map(([k, v]) => `${k}=${v}`).join(' ');
console.error(`duckdb_run: ${line}`);
statements.sort((a, b) => b[0] - a[0]);
if (args.timings) writeFileSync(args.timings, JSON.stringify({ ...timings, statements: statements.slice(0, 12) }) + '\n');
conn.closeSync?.();
instance.closeSync?.();
