#!/usr/bin/env node
/**
 * Two builds side by side on the seed data (the report's pledges), alternately, so each figure has
 * its baseline from the same minutes of this noisy machine: `/api/health`, `/api/funding-gap` and
 * the page `/` (requests/s, p50, p99, and the app's CPU time per request, which moves far less with
 * the machine's load), each build started as `npm start` starts it on a database of
 * its own, with the machine's load average beside every round.
 * Usage: npm run build && node bench/compare-builds.mjs <other checkout, built> [rounds]
 * (DATABASE_URL set: PostgreSQL, a database per start, created and dropped).
 */
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt, load, login, printTable, ROOT, startApp, writeResult } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const ADMIN = { email: 'bench-admin@anama.local', password: 'bench-password-1' };

async function freshDatabase(label) {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const path = join(ROOT, 'bench', '.data', `compare-${label}.sqlite`);
    const drop = async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    };
    await drop();
    return { env: { SQLITE_PATH: path }, drop };
  }
  const pg = require('pg');
  const name = `mat_bench_compare_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** CPU time the process has used (user + system), in ms: per request it moves far less with the machine's load than requests/s do. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** autocannon's figures, and the app's CPU time per answered request. */
async function loadWithCpu(pid, opts) {
  const before = cpuMs(pid);
  const result = await load(opts);
  return { ...result, cpuMsPerRequest: (cpuMs(pid) - before) / result.total };
}

async function measure(label, root) {
  const database = await freshDatabase(label);
  try {
    const app = await startApp(
      { ...database.env, NODE_ENV: 'production', SEED: 'true', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
      { root },
    );
    try {
      // A first start on PostgreSQL seeds the rate history for longer than startApp waits.
      for (
        let waited = 0;
        !(await fetch(`${app.url}/api/health`)
          .then((r) => r.ok)
          .catch(() => false));
        waited += 250
      ) {
        if (waited > 180_000) throw new Error(`${label}: no answer after 3 minutes:\n${app.output()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const token = await login(app.url, ADMIN.email, ADMIN.password);
      const gapUrl = `${app.url}/api/funding-gap?currency=USD`;
      const pageUrl = `${app.url}/?currency=USD`;
      const gapHeaders = { authorization: `Bearer ${token}` };
      const pageHeaders = { cookie: `mat_session=${token}`, accept: 'text/html' };
      for (const [url, headers] of [
        [gapUrl, gapHeaders],
        [pageUrl, pageHeaders],
      ]) {
        const res = await fetch(url, { headers });
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
      }
      const loadBefore = loadavg()[0];
      const health = await loadWithCpu(app.pid, { url: `${app.url}/api/health` });
      const gap = await loadWithCpu(app.pid, { url: gapUrl, headers: gapHeaders });
      const page = await loadWithCpu(app.pid, { url: pageUrl, headers: pageHeaders });
      return { label, loadAverage: [loadBefore, loadavg()[0]], health, gap, page };
    } finally {
      await app.stop();
    }
  } finally {
    await database.drop();
  }
}

const other = process.argv[2];
if (!other) throw new Error('usage: node bench/compare-builds.mjs <other checkout, built> [rounds]');
const rounds = Number(process.argv[3] ?? 2);
const builds = [
  ['other', resolve(other)],
  ['this', ROOT],
];
const results = [];
for (let round = 1; round <= rounds; round++) {
  for (const [label, root] of round % 2 ? builds : [...builds].reverse()) {
    const r = await measure(label, root);
    results.push({ round, ...r });
    const pct = (x) => `${fmt((100 * x.rps) / r.health.rps)}% of health, CPU ${fmt(x.cpuMsPerRequest, 3)} ms a request`;
    printTable(`round ${round}, ${label} build (${root}), load average ${fmt(r.loadAverage[0], 2)} → ${fmt(r.loadAverage[1], 2)}`, [
      ['/api/health requests/s', fmt(r.health.rps), `p50 ${r.health.p50} ms, p99 ${r.health.p99} ms, CPU ${fmt(r.health.cpuMsPerRequest, 3)} ms a request`],
      ['/api/funding-gap requests/s', fmt(r.gap.rps), `${pct(r.gap)}, p50 ${r.gap.p50} ms, p99 ${r.gap.p99} ms, ${r.gap.non2xx + r.gap.errors} non-2xx`],
      ['page / requests/s', fmt(r.page.rps), `${pct(r.page)}, p50 ${r.page.p50} ms, p99 ${r.page.p99} ms, ${r.page.non2xx + r.page.errors} non-2xx`],
    ]);
  }
}
writeResult(`compare-builds${process.env.DATABASE_URL ? '-postgres' : ''}`, { other: resolve(other), results });
