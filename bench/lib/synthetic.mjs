/**
 * Synthetic ledger for benchmarks: a fresh database migrated with the BUILT migrations
 * (dist/database), then filled straight through the database driver with multi-row INSERTs in
 * one transaction. Deterministic for a given `seed`, so two runs measure the same data.
 *
 *   import { createSyntheticLedger } from './lib/synthetic.mjs';
 *   const info = await createSyntheticLedger({ sqlitePath: 'bench/.data/x.sqlite' });
 *   // or { databaseUrl: 'postgres://…/an_empty_database' }
 *
 * Options (all optional except the database):
 *   sqlitePath        SQLite file to create (deleted first)            one of the two
 *   databaseUrl       empty PostgreSQL database to fill                 one of the two
 *   donors            number of donors                                  200
 *   pledges           number of pledges                                 100_000
 *   disbursements     number of disbursements (cash pledges only)       300_000
 *   currencies        pledge currencies; rates are generated for them   ['USD','EUR','AZN','GBP','JPY']
 *   years             span of pledge dates and of daily rates, ending   10
 *   endDate           last day of the span (YYYY-MM-DD)                 '2025-03-31'
 *   seed              PRNG seed                                         1
 *   inKindShare       fraction of pledges that are in kind              0.05
 *   cancelledShare    fraction of pledges cancelled                     0.02
 *   earmarkedShare    fraction of pledges earmarked to 1-3 priorities   0.7
 *   batchRows         rows per INSERT statement                         500
 *
 * Resolves to { database, counts: { donors, pledges, pledgePriorities, disbursements, rates },
 * startDate, endDate, ms } . Government spend (AZN, one cumulative observation per year end), the report's headline figures and
 * clearance figures are added too, so every part of the funding gap has data. No users are
 * created: start the app with BOOTSTRAP_ADMIN_* and SEED=false to get its first admin.
 */
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const require = createRequire(import.meta.url);

const DEFAULTS = {
  donors: 200,
  pledges: 100_000,
  disbursements: 300_000,
  currencies: ['USD', 'EUR', 'AZN', 'GBP', 'JPY'],
  years: 10,
  endDate: '2025-03-31',
  seed: 1,
  inKindShare: 0.05,
  cancelledShare: 0.02,
  earmarkedShare: 0.7,
  batchRows: 500,
};

/** Units of each currency per 1 EUR, roughly; daily rates wander around these. */
const EUR_RATE_CENTRES = { USD: 1.1, GBP: 0.86, JPY: 150, CHF: 0.97, SEK: 11.2, NOK: 11.5, DKK: 7.46 };
const MINOR_DIGITS = { JPY: 0 };

/** mulberry32: small, fast, deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** A database handle with the two things the generator needs, on either driver. */
async function openDriver(options) {
  if (options.databaseUrl) {
    const pg = require('pg');
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    return {
      kind: 'postgres',
      bool: (v) => v,
      timestamp: (ms) => new Date(ms).toISOString(),
      async exec(sql) {
        await client.query(sql);
      },
      async insert(table, columns, rows) {
        const params = [];
        const tuples = rows.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(',')})`);
        await client.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')}`, params);
      },
      close: () => client.end(),
    };
  }
  const Database = require('better-sqlite3');
  const db = new Database(options.sqlitePath);
  db.pragma('journal_mode = WAL');
  const statements = new Map();
  return {
    kind: 'sqlite',
    bool: (v) => (v ? 1 : 0),
    timestamp: (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', ''),
    async exec(sql) {
      db.exec(sql);
    },
    async insert(table, columns, rows) {
      const key = `${table}:${rows.length}`;
      if (!statements.has(key)) {
        const tuple = `(${columns.map(() => '?').join(',')})`;
        statements.set(key, db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array(rows.length).fill(tuple).join(',')}`));
      }
      statements.get(key).run(rows.flat());
    },
    close: async () => db.close(),
  };
}

/** Runs the built migrations on the target database through TypeORM, as the app would. */
async function migrate(options) {
  const { DataSource } = require('typeorm');
  const { dataSourceOptions } = require(join(ROOT, 'dist', 'database', 'data-source-options.js'));
  const { loadConfig } = require(join(ROOT, 'dist', 'config', 'app-config.js'));
  // The app's own configuration (its database limits included), pointed at the bench database.
  const env = options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { SQLITE_PATH: options.sqlitePath };
  const { database } = loadConfig({ ...env, BOOTSTRAP_ADMIN_EMAIL: 'bench@bench.local', BOOTSTRAP_ADMIN_PASSWORD: 'bench-password-1' }, ROOT);
  const dataSource = new DataSource(dataSourceOptions({ database }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  await dataSource.destroy();
}

/** The one organisation whose ledger the synthetic data is; the app's first start finds it and gives it the bench's admin. */
const ORGANISATION_ID = 1;

export async function createSyntheticLedger(userOptions) {
  const options = { ...DEFAULTS, ...userOptions };
  if (!options.sqlitePath === !options.databaseUrl) throw new Error('createSyntheticLedger needs exactly one of sqlitePath and databaseUrl');
  const started = Date.now();
  if (options.sqlitePath) for (const suffix of ['', '-wal', '-shm']) rmSync(options.sqlitePath + suffix, { force: true });
  await migrate(options);

  const random = prng(options.seed);
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const endMs = Date.parse(`${options.endDate}T00:00:00Z`);
  const startMs = endMs - Math.round(options.years * 365.25) * DAY_MS;
  const randomDayMs = (fromMs = startMs) => fromMs + Math.floor(random() * ((endMs - fromMs) / DAY_MS + 1)) * DAY_MS;
  const digits = (currency) => MINOR_DIGITS[currency] ?? 2;

  const driver = await openDriver(options);
  const counts = { donors: 0, pledges: 0, pledgePriorities: 0, disbursements: 0, rates: 0 };
  // Every record but the shared exchange rates belongs to the ledger's organisation (docs/organisations.md).
  const batched = async (table, tableColumns, produceRow, total) => {
    const shared = table === 'fx_rates';
    const columns = shared ? tableColumns : ['organisation_id', ...tableColumns];
    const produce = shared ? produceRow : (i) => [ORGANISATION_ID, ...produceRow(i)];
    let rows = [];
    for (let i = 0; i < total; i++) {
      rows.push(produce(i));
      if (rows.length === options.batchRows) {
        await driver.insert(table, columns, rows);
        rows = [];
      }
    }
    if (rows.length) await driver.insert(table, columns, rows);
  };

  await driver.exec('BEGIN');
  try {
    const now = driver.timestamp(endMs);
    const source = 'synthetic benchmark data';
    await driver.exec(
      `INSERT INTO organisations (id, name, short_name, country_code, currency) VALUES (${ORGANISATION_ID}, 'Mine Action Agency of the Republic of Azerbaijan', 'ANAMA', 'AZ', 'AZN')`,
    );
    if (options.databaseUrl) await driver.exec(`SELECT setval(pg_get_serial_sequence('organisations', 'id'), ${ORGANISATION_ID})`);

    await batched(
      'priorities',
      ['code', 'rank', 'title', 'description', 'source'],
      (i) => [`P${String(i + 1).padStart(2, '0')}`, i + 1, `Synthetic priority ${i + 1}`, 'benchmark', source],
      12,
    );

    const donorTypes = ['government', 'multilateral', 'ngo', 'foundation', 'private'];
    await batched(
      'donors',
      ['id', 'name', 'type', 'country_code', 'display_currency', 'source', 'created_at', 'updated_at'],
      (i) => [i + 1, `Synthetic donor ${String(i + 1).padStart(4, '0')}`, pick(donorTypes), null, 'USD', source, now, now],
      options.donors,
    );
    counts.donors = options.donors;

    // Daily EUR reference rates on working days for every non-euro currency except AZN, which is pegged to USD.
    const rateRows = [];
    for (const currency of options.currencies) {
      if (currency === 'EUR' || currency === 'AZN') continue;
      const centre = EUR_RATE_CENTRES[currency] ?? 1 + random();
      let level = centre;
      for (let day = startMs - 30 * DAY_MS; day <= endMs; day += DAY_MS) {
        const weekday = new Date(day).getUTCDay();
        if (weekday === 0 || weekday === 6) continue;
        level = Math.max(centre * 0.7, Math.min(centre * 1.3, level * (1 + (random() - 0.5) * 0.01)));
        rateRows.push(['EUR', currency, isoDay(day), level.toFixed(currency === 'JPY' ? 2 : 4), 'synthetic ECB-style rate', now]);
      }
    }
    if (options.currencies.includes('AZN')) rateRows.push(['USD', 'AZN', isoDay(startMs - 365 * DAY_MS), '1.7000', 'synthetic peg', now]);
    await batched('fx_rates', ['base', 'quote', 'rate_date', 'rate', 'source', 'created_at'], (i) => rateRows[i], rateRows.length);
    counts.rates = rateRows.length;

    // Pledges; cash pledges remember their size so disbursements never exceed them.
    const cashPledges = [];
    const disbursed = new Map();
    const pledges = [];
    for (let id = 1; id <= options.pledges; id++) {
      const inKind = random() < options.inKindShare;
      const currency = pick(options.currencies);
      const valueMs = randomDayMs();
      const undated = random() < 0.1;
      const quantity = inKind ? int(1, 50) : null;
      const unitValueMinor = inKind && random() < 0.5 ? BigInt(int(1_000, 50_000)) * 10n ** BigInt(digits(currency)) : null;
      const amountMinor = inKind
        ? unitValueMinor === null
          ? null
          : unitValueMinor * BigInt(quantity)
        : BigInt(int(10_000, 5_000_000)) * 10n ** BigInt(digits(currency));
      const cancelled = random() < options.cancelledShare ? driver.timestamp(randomDayMs(valueMs) + 12 * 3_600_000) : null;
      if (!inKind) cashPledges.push({ id, currency, amountMinor, valueMs });
      pledges.push({
        id,
        donorId: int(1, options.donors),
        inKind,
        currency: inKind && unitValueMinor === null ? null : currency,
        amountMinor,
        quantity,
        unitValueMinor,
        valueMs,
        undated,
        cancelled,
      });
    }
    await batched(
      'pledges',
      [
        'id',
        'donor_id',
        'title',
        'kind',
        'amount_minor',
        'currency',
        'in_kind_quantity',
        'in_kind_unit',
        'in_kind_quantity_is_maximum',
        'unit_value_minor',
        'pledged_on',
        'source_date',
        'commitment',
        'channel',
        'source',
        'disbursed_minor',
        'delivered_quantity',
        'cancelled_at',
        'created_at',
        'updated_at',
      ],
      (i) => {
        const p = pledges[i];
        return [
          p.id,
          p.donorId,
          `Synthetic pledge ${p.id}`,
          p.inKind ? 'in_kind' : 'cash',
          p.amountMinor === null ? null : p.amountMinor.toString(),
          p.currency,
          p.quantity,
          p.inKind ? 'synthetic units' : null,
          driver.bool(false),
          p.unitValueMinor === null ? null : p.unitValueMinor.toString(),
          p.undated ? null : isoDay(p.valueMs),
          p.undated ? isoDay(p.valueMs) : null,
          'committed',
          'direct',
          source,
          '0',
          0,
          p.cancelled,
          now,
          now,
        ];
      },
      pledges.length,
    );
    counts.pledges = pledges.length;

    const earmarks = [];
    for (const p of pledges) {
      if (random() >= options.earmarkedShare) continue;
      const n = int(1, 3);
      const codes = new Set();
      while (codes.size < n) codes.add(`P${String(int(1, 12)).padStart(2, '0')}`);
      const stated = n > 1 && random() < 0.3;
      const shares = n === 2 ? [4000, 6000] : n === 3 ? [2000, 3000, 5000] : [10000];
      [...codes].forEach((code, k) => earmarks.push([p.id, code, stated ? shares[k] : null]));
    }
    await batched('pledge_priorities', ['pledge_id', 'priority_code', 'share_bp'], (i) => earmarks[i], earmarks.length);
    counts.pledgePriorities = earmarks.length;

    // Disbursements in the pledge's currency, each at most a tenth of the pledge, received after its value date.
    await batched(
      'disbursements',
      ['pledge_id', 'amount_minor', 'currency', 'received_on', 'received_on_basis', 'counted_minor', 'source', 'created_at'],
      () => {
        const p = pick(cashPledges);
        const amount = p.amountMinor / BigInt(int(10, 40));
        disbursed.set(p.id, (disbursed.get(p.id) ?? 0n) + amount);
        return [p.id, amount.toString(), p.currency, isoDay(randomDayMs(p.valueMs)), 'exact', amount.toString(), source, now];
      },
      options.disbursements,
    );
    counts.disbursements = options.disbursements;
    // Keep the pledges' running totals as the app keeps them on write.
    const totals = [...disbursed.entries()];
    for (let i = 0; i < totals.length; i += 1000) {
      const chunk = totals.slice(i, i + 1000);
      await driver.exec(
        `UPDATE pledges SET disbursed_minor = CASE id ${chunk.map(([id, sum]) => `WHEN ${id} THEN ${sum}`).join(' ')} END WHERE id IN (${chunk.map(([id]) => id).join(',')})`,
      );
    }

    const firstYear = new Date(startMs).getUTCFullYear();
    const endYear = new Date(endMs).getUTCFullYear();
    const spendYears = [];
    for (let y = firstYear; y < endYear; y++) spendYears.push(y);
    // Dated observations of the cumulative figure: each year end states the total since the first year.
    let cumulativeSpend = 0n;
    await batched(
      'government_spend',
      ['amount_minor', 'currency', 'as_at', 'basis', 'period_start', 'source', 'created_at'],
      (i) => {
        cumulativeSpend += BigInt(int(100_000_000, 200_000_000)) * 100n;
        return [String(cumulativeSpend), 'AZN', `${spendYears[i]}-12-31`, 'spent', `${firstYear}-01-01`, source, now];
      },
      spendYears.length,
    );
    await batched(
      'reported_figures',
      ['key', 'value', 'currency', 'as_of', 'source', 'created_at'],
      (i) =>
        [
          ['foreign_assistance_total', '23300000.00', 'USD', options.endDate, source, now],
          ['foreign_share', '0.048', null, options.endDate, source, now],
        ][i],
      2,
    );
    await batched(
      'clearance_progress',
      ['metric', 'hectares', 'period_start', 'as_of', 'plan_year', 'source', 'created_at'],
      (i) =>
        [
          ['contaminated_area', '1166700.0', null, options.endDate, null, source, now],
          ['cleared_to_date', '190794.2', isoDay(startMs), options.endDate, null, source, now],
          ['work_plan', '65092.6', null, `${endYear}-01-01`, endYear, source, now],
        ][i],
      3,
    );
    if (driver.kind === 'postgres') {
      for (const table of ['donors', 'pledges']) await driver.exec(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    }
    await driver.exec('COMMIT');
    // A bulk load is followed by ANALYZE. A default PostgreSQL server's autovacuum would analyse
    // these tables within a minute; this machine's runs with autovacuum off (a CI setting), and
    // without statistics the planner reads `pledge_id IN (…900 ids…)` as most of disbursements and
    // scans the whole table for each window the valuation worker moves (measured 2026-12-06: about
    // 300 rows valued per second instead of thousands).
    if (driver.kind === 'postgres') await driver.exec('ANALYZE');
  } catch (error) {
    await driver.exec('ROLLBACK');
    throw error;
  } finally {
    await driver.close();
  }
  return { database: driver.kind, counts, startDate: isoDay(startMs), endDate: options.endDate, ms: Date.now() - started };
}
