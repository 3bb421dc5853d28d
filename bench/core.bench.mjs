#!/usr/bin/env node
/**
 * Core figures of the product on one machine, one run:
 *   /api/health requests/s (the baseline), pledge POST requests/s with unique Idempotency-Keys,
 *   peak RSS of the app, and time from start to first answer on an existing database.
 * Usage: npm run build && node bench/core.bench.mjs   (DATABASE_URL set: PostgreSQL)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, load, login, printTable, ROOT, startApp, writeResult } from './lib/harness.mjs';

const ADMIN = { email: 'bench-admin@anama.local', password: 'bench-password-1' };

export async function runCore() {
  const dbPath = join(ROOT, 'bench', '.data', 'core.sqlite');
  const pg = process.env.DATABASE_URL;
  if (!pg) for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  const env = { SQLITE_PATH: dbPath, SEED: 'true', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };

  // First start creates, migrates and seeds; the measured start is the second, on the existing database.
  const first = await startApp(env);
  await first.stop();
  const app = await startApp(env);
  const coldStartMs = app.startMs;

  const token = await login(app.url, ADMIN.email, ADMIN.password);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const donors = await (await fetch(`${app.url}/api/donors?limit=1`, { headers: auth })).json();
  const donorId = donors.items[0].id;

  const health = await load({ url: `${app.url}/api/health` });
  let n = 0;
  const body = JSON.stringify({ donorId, title: 'Bench pledge', kind: 'cash', amount: '1250000.00', currency: 'EUR', pledgedOn: '2024-10-11', status: 'committed', channel: 'direct', priorityCodes: ['P01', 'P07'], source: 'bench' });
  const posts = await load({
    url: `${app.url}/api/pledges`,
    method: 'POST',
    headers: auth,
    body,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${++n}` } }) }],
  });
  const count = await (await fetch(`${app.url}/api/pledges?limit=500&status=committed`, { headers: auth })).json();
  const peakRssMb = app.peakRssMb();
  await app.stop();

  const result = {
    database: pg ? 'postgres' : 'sqlite',
    healthRps: health.rps,
    pledgePostRps: posts.rps,
    pledgePostRatio: posts.rps / health.rps,
    pledgePostNon2xx: posts.non2xx + posts.errors,
    pledgesAnswered201: posts.total - posts.non2xx,
    coldStartMs,
    peakRssMb,
  };
  printTable(`core (${result.database})`, [
    ['/api/health requests/s (baseline)', fmt(health.rps), `p50 ${health.p50} ms`],
    ['pledge POST requests/s', fmt(posts.rps), `${fmt(100 * result.pledgePostRatio)}% of health (target ≥ 25%), ${result.pledgePostNon2xx} non-2xx`],
    ['time to first answer, existing db', `${fmt(coldStartMs)} ms`, 'target ≤ 2000 ms'],
    ['peak RSS of the app', `${fmt(peakRssMb, 1)} MB`, 'target ≤ 256 MB'],
  ]);
  if (count.items.length === 0) throw new Error('no pledge was saved');
  writeResult(`core-${result.database}`, result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCore().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
