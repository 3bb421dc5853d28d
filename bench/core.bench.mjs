#!/usr/bin/env node
/**
 * Core figures of the product on one machine, one run:
 *   /api/health requests/s (the baseline), pledge POST requests/s with unique Idempotency-Keys,
 *   peak RSS of the app, and time from start to first answer on an existing database.
 * Fails when the pledges saved and the POSTs answered 201 disagree (read back from the database).
 * Usage: npm run build && node bench/core.bench.mjs
 *   DATABASE_URL set: PostgreSQL, in a database of its own created on that server and dropped afterwards.
 */
import { checkDurability, fmt, freshDatabase, load, login, printTable, query, startApp, writeResult } from './lib/harness.mjs';

const ADMIN = { email: 'bench-admin@anama.local', password: 'bench-password-1' };

export async function runCore() {
  const database = await freshDatabase('core');
  try {
    return await measure(database);
  } finally {
    await database.drop();
  }
}

async function measure(database) {
  const env = {
    ...database.env,
    SEED: 'true',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  };

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
  // The funding gap at ANAMA's own scale (the report's pledges): the synthetic ten-year ledger is in funding-gap.bench.mjs.
  const gapUrl = `${app.url}/api/funding-gap?currency=USD`;
  const gapBytes = (await (await fetch(gapUrl, { headers: auth })).arrayBuffer()).byteLength;
  const gap = await load({ url: gapUrl, headers: auth });
  // One title and key prefix per run, so the pledges of this run can be told apart from the seed's.
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const title = `Bench pledge ${run}`;
  const keyPrefix = `bench-${run}-`;
  let n = 0;
  const answers = new Map(); // Idempotency-Key -> status answered
  const body = JSON.stringify({
    donorId,
    title,
    kind: 'cash',
    amount: '1250000.00',
    currency: 'EUR',
    pledgedOn: '2024-10-11',
    status: 'committed',
    channel: 'direct',
    priorityCodes: ['P01', 'P07'],
    source: 'bench',
  });
  const posts = await load({
    url: `${app.url}/api/pledges`,
    method: 'POST',
    headers: auth,
    body,
    requests: [
      {
        // One request in flight per connection: the context holds the key of the request being answered.
        setupRequest: (req, context) => {
          context.key = `${keyPrefix}${++n}`;
          return { ...req, headers: { ...req.headers, 'idempotency-key': context.key } };
        },
        onResponse: (status, _body, context) => answers.set(context.key, status),
      },
    ],
  });
  const peakRssMb = app.peakRssMb();
  await app.stop();
  const saved = await savedByThisRun(database.env, title, keyPrefix);
  const durability = checkDurability(answers, saved);

  const result = {
    database: database.kind,
    healthRps: health.rps,
    seedGapRps: gap.rps,
    seedGapToHealthRatio: gap.rps / health.rps,
    seedGapP50Ms: gap.p50,
    seedGapBytes: gapBytes,
    pledgePostRps: posts.rps,
    pledgePostRatio: posts.rps / health.rps,
    pledgePostNon2xx: posts.non2xx + posts.errors,
    pledgesAnswered201: durability.answered201,
    pledgesSaved: durability.saved,
    pledgesCutOffInFlight: durability.cutOff,
    coldStartMs,
    peakRssMb,
  };
  printTable(`core (${result.database})`, [
    ['/api/health requests/s (baseline)', fmt(health.rps), `p50 ${health.p50} ms`],
    [
      '/api/funding-gap requests/s, report data',
      fmt(gap.rps),
      `${fmt((100 * gap.rps) / health.rps)}% of health (target ≥ 50%), p50 ${gap.p50} ms, ${fmt(gapBytes / 1024)} KB body, ${gap.non2xx + gap.errors} non-2xx`,
    ],
    ['pledge POST requests/s', fmt(posts.rps), `${fmt(100 * result.pledgePostRatio)}% of health (target ≥ 25%), ${result.pledgePostNon2xx} non-2xx`],
    ['time to first answer, existing db', `${fmt(coldStartMs)} ms`, 'target ≤ 2000 ms'],
    ['peak RSS of the app', `${fmt(peakRssMb, 1)} MB`, 'target ≤ 256 MB'],
    ['pledges answered 201 / saved', `${durability.answered201} / ${durability.saved}`, durability.note],
  ]);
  if (durability.failures.length) throw new Error(`pledge POSTs answered and saved disagree:\n  ${durability.failures.join('\n  ')}`);
  writeResult(`core-${result.database}`, result);
  return result;
}

/**
 * What this run left in the database, read after the app has stopped: its pledges (by title) and
 * the Idempotency-Keys stored with them (a create and its key are written in one transaction).
 */
async function savedByThisRun(env, title, keyPrefix) {
  const [{ n }] = await query(env, 'SELECT COUNT(*) AS n FROM pledges WHERE title = $1', [title]);
  const keys = await query(env, "SELECT idem_key FROM idempotency_keys WHERE route = 'POST /api/pledges' AND idem_key LIKE $1", [`${keyPrefix}%`]);
  return { rows: Number(n), keys: new Set(keys.map((r) => r.idem_key)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCore().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
