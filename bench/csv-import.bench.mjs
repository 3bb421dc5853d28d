#!/usr/bin/env node
/**
 * CSV pledge import speed, one machine, one run:
 *   the app's import of N synthetic pledge rows (parse, validate with the API's rules, insert in
 *   one transaction) against the baseline: a raw multi-row better-sqlite3 INSERT of the same rows
 *   into the same schema, in the same run. Target: at least 50,000 rows/s for the import.
 * Usage: npm run build && node bench/csv-import.bench.mjs [rows]   (default 100000; SQLite)
 */
import 'reflect-metadata';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NestFactory } from '@nestjs/core';
import { fmt, printTable, ROOT, writeResult } from './lib/harness.mjs';

const dist = (path) => import(join(ROOT, 'dist', path));
const { AppModule } = await dist('app.module.js');
const { loadConfig } = await dist('config/app-config.js');
const { PledgeImportService } = await dist('interop/pledge-import.service.js');
const { SeedService } = await dist('seed/seed.service.js');

const ROWS = Number(process.argv[2] ?? 100_000);
const DONORS = ['Saudi Arabia (KSrelief)', 'United Arab Emirates', 'European Union', 'Italy', 'Croatia'];
const CURRENCIES = ['USD', 'EUR', 'AZN'];
const HEADER =
  'externalRef,donor,title,kind,amount,currency,inKindQuantity,inKindUnit,inKindUpTo,unitValue,pledgedOn,sourceDate,status,channel,channelName,instrument,priorityCodes,priorityShares,source,notes';

/** Deterministic rows: the same file every run, spread over donors, currencies, dates and priorities. */
function syntheticRows(n) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const date = `20${String(18 + (i % 7))}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    rows.push({
      ref: `BENCH-${i}`,
      donorIndex: i % DONORS.length,
      title: `Synthetic pledge ${i} for clearance`,
      whole: 1000 + (i % 900_000),
      cents: i % 100,
      currency: CURRENCIES[i % 3],
      date,
      status: i % 2 ? 'committed' : 'announced',
      priority: `P${String(1 + (i % 12)).padStart(2, '0')}`,
    });
  }
  return rows;
}

function toCsv(rows) {
  const lines = [HEADER];
  for (const r of rows) {
    lines.push(
      `${r.ref},${DONORS[r.donorIndex]},${r.title},cash,${r.whole}.${String(r.cents).padStart(2, '0')},${r.currency},,,,,${r.date},,${r.status},direct,,,${r.priority},,bench,`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The baseline: what SQLite itself does with the same rows, multi-row INSERTs of 500 in one transaction. */
function rawInsert(path, rows, donorIds) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const cols = 'organisation_id, donor_id, title, kind, amount_minor, currency, pledged_on, commitment, channel, source, external_ref';
  const batch = 500;
  const statement = (count) => db.prepare(`INSERT INTO pledges (${cols}) VALUES ${Array(count).fill('(1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
  const earmark = (count) =>
    db.prepare(`INSERT INTO pledge_priorities (organisation_id, pledge_id, priority_code) VALUES ${Array(count).fill('(1, ?, ?)').join(', ')}`);
  const started = process.hrtime.bigint();
  db.transaction(() => {
    const full = statement(batch);
    const fullEarmarks = earmark(batch);
    for (let s = 0; s < rows.length; s += batch) {
      const chunk = rows.slice(s, s + batch);
      const params = [];
      for (const r of chunk)
        params.push(donorIds[r.donorIndex], r.title, 'cash', r.whole * 100 + r.cents, r.currency, r.date, r.status, 'direct', 'bench', r.ref);
      const info = (chunk.length === batch ? full : statement(chunk.length)).run(params);
      const firstId = Number(info.lastInsertRowid) - chunk.length + 1;
      const links = chunk.flatMap((r, k) => [firstId + k, r.priority]);
      (chunk.length === batch ? fullEarmarks : earmark(chunk.length)).run(links);
    }
  })();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const count = db.prepare("SELECT COUNT(*) AS n FROM pledges WHERE source = 'bench'").get().n;
  db.close();
  return { seconds, count };
}

async function main() {
  const dir = join(ROOT, 'bench', '.data');
  mkdirSync(dir, { recursive: true });
  const template = join(dir, 'csv-import-template.sqlite');
  const appDb = join(dir, 'csv-import-app.sqlite');
  const rawDb = join(dir, 'csv-import-raw.sqlite');
  for (const p of [template, appDb, rawDb]) for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true });

  // One seeded database (priorities, donors, rates), copied for each contender.
  const seedConfig = loadConfig({ SQLITE_PATH: template, SEED: 'false' }, ROOT);
  const seedCtx = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...seedConfig, digests: { ...seedConfig.digests, cron: null, senderIntervalMs: null } }),
    { logger: ['error'] },
  );
  await seedCtx.get(SeedService, { strict: false }).run();
  await seedCtx.close();
  copyFileSync(template, appDb);
  copyFileSync(template, rawDb);

  const rows = syntheticRows(ROWS);
  const csv = toCsv(rows);

  const config = loadConfig({ SQLITE_PATH: appDb, SEED: 'false' }, ROOT);
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, digests: { ...config.digests, cron: null, senderIntervalMs: null } }), {
    logger: ['error'],
  });
  const importer = ctx.get(PledgeImportService, { strict: false });
  const actor = { id: 0, email: 'bench', role: 'admin', donorId: null, organisationId: 1 }; // the seeded organisation, ANAMA
  const phases = {};
  let phaseStart = process.hrtime.bigint();
  let lastPhase = 'validate';
  const started = process.hrtime.bigint();
  const report = await importer.import(actor, csv, {
    dryRun: false,
    onProgress: (phase) => {
      if (phase !== lastPhase) {
        const now = process.hrtime.bigint();
        phases[lastPhase] = Number(now - phaseStart) / 1e9;
        phaseStart = now;
        lastPhase = phase;
      }
    },
  });
  const importSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  phases[lastPhase] = Number(process.hrtime.bigint() - phaseStart) / 1e9;
  await ctx.close();
  if (report.errors.length || report.created !== ROWS) throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 5))}`);

  const donorDb = new Database(rawDb, { readonly: true });
  const donorIds = DONORS.map((name) => donorDb.prepare('SELECT id FROM donors WHERE name = ?').get(name).id);
  donorDb.close();
  const raw = rawInsert(rawDb, rows, donorIds);
  if (raw.count !== ROWS) throw new Error(`raw insert wrote ${raw.count} rows`);

  const result = {
    database: 'sqlite',
    rows: ROWS,
    fileMb: Buffer.byteLength(csv) / 1024 / 1024,
    importRowsPerSecond: ROWS / importSeconds,
    importSeconds,
    validateSeconds: phases.validate,
    insertSeconds: phases.insert,
    rawInsertRowsPerSecond: ROWS / raw.seconds,
    rawInsertSeconds: raw.seconds,
    ratioToRaw: raw.seconds / importSeconds,
  };
  printTable(`csv-import (${ROWS.toLocaleString('en')} rows, ${fmt(result.fileMb, 1)} MB, SQLite)`, [
    ['raw multi-row INSERT rows/s (baseline)', fmt(result.rawInsertRowsPerSecond), `${fmt(raw.seconds, 2)} s`],
    ['app import rows/s', fmt(result.importRowsPerSecond), `${fmt(importSeconds, 2)} s; ${fmt(100 * result.ratioToRaw)}% of raw (target ≥ 50,000 rows/s)`],
    ['  of which parse + validate', `${fmt(phases.validate, 2)} s`],
    ['  of which insert (one transaction)', `${fmt(phases.insert, 2)} s`],
  ]);
  writeResult('csv-import-sqlite', result);
  return result;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
