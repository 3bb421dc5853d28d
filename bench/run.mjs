#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark in one run, on one machine, then one table of figures and
 * ratios against the targets of the performance issue, written to bench/results/summary.json.
 * With DATABASE_URL set (a PostgreSQL server: `postgres://postgres@127.0.0.1:5432/postgres`), the
 * suite runs against PostgreSQL as well as SQLite; each benchmark creates a database of its own on
 * that server and drops it, so the server is left as it was found.
 * Each *.bench.mjs is a child process so one's memory and caches do not colour the next.
 * `--seconds 5` shortens the mixed load, `--scale N` grows the synthetic ledger of funding-gap and
 * mixed-load (passed on as BENCH_SECONDS and BENCH_SCALE: the CSV import reads its first argument
 * as a row count). A result file older than this run is not shown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/harness.mjs';
import { TARGETS } from './targets.mjs';

const BENCHES = ['core', 'funding-gap', 'mixed-load', 'csv-import', 'digests'];
/** Benchmarks of one database only: the CSV import's baseline is a raw SQLite insert. */
const ONLY_ON = { 'csv-import': 'sqlite' };
const passedOn = {};
for (const [flag, name] of [
  ['--scale', 'BENCH_SCALE'],
  ['--seconds', 'BENCH_SECONDS'],
]) {
  const at = process.argv.indexOf(flag);
  if (at > 0) passedOn[name] = process.argv[at + 1];
}
const scale = Number(passedOn.BENCH_SCALE ?? process.env.BENCH_SCALE) || 1;
const databases = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const started = Date.now();
let failures = 0;

for (const database of databases) {
  for (const name of BENCHES) {
    const file = join(ROOT, 'bench', `${name}.bench.mjs`);
    if (!existsSync(file)) {
      console.log(`(no bench/${name}.bench.mjs)`);
      continue;
    }
    if (ONLY_ON[name] && ONLY_ON[name] !== database) continue;
    const env = { ...process.env, ...passedOn, BENCH_DATABASE: database };
    if (database === 'sqlite') delete env.DATABASE_URL;
    console.log(`\n### ${name} on ${database}`);
    const result = spawnSync(process.execPath, [file], { stdio: 'inherit', env, cwd: ROOT, timeout: 8 * 60_000 * scale });
    if (result.status !== 0) {
      failures++;
      console.log(`!! ${name} on ${database} failed (exit ${result.status ?? result.signal})`);
    }
  }
}

const read = (name) => {
  const path = join(ROOT, 'bench', 'results', `${name}.json`);
  if (!existsSync(path)) return null;
  const data = JSON.parse(readFileSync(path, 'utf8'));
  return Date.parse(data.at) >= started ? data : null;
};

const rows = [];
for (const database of databases) {
  for (const target of TARGETS) {
    const data = read(target.result(database));
    const value = data ? target.value(data) : undefined;
    const met = value === undefined ? null : target.met(value);
    rows.push({ database, figure: target.figure, value: value === undefined ? 'not measured' : target.show(value), target: target.target, met });
  }
}

console.log(`\nSummary (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const w = Math.max(...rows.map((r) => r.figure.length));
for (const r of rows) {
  const verdict = r.met === null ? '  -' : r.met ? ' ok' : ' MISSED';
  console.log(`  ${r.database.padEnd(8)} ${r.figure.padEnd(w)}  ${String(r.value).padStart(16)}  ${r.target.padEnd(18)}${verdict}`);
}
writeFileSync(
  join(ROOT, 'bench', 'results', 'summary.json'),
  JSON.stringify({ at: new Date().toISOString(), seconds: (Date.now() - started) / 1000, rows }, null, 2),
);
process.exit(failures ? 1 : 0);
