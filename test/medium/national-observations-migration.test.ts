import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { NationalObservations1733100000000 } from '../../src/database/migrations/1733100000000-national-observations';
import { SignInThrottle1732700000000 } from '../../src/database/migrations/1732700000000-sign-in-throttle';
import { NationalService } from '../../src/national/national.service';
import { SeedService } from '../../src/seed/seed.service';
import { createTestContext } from '../support/test-context';
import { migrationSource } from '../support/migration-source';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';

/** The seed's citations of documents 001 and 002 (seeds/report-2025-q1.json "sources"), as version 1 seeded them. */
const SOURCE_001 = '001: OSCE FSC.EMI/122/25, Permanent Representation of Azerbaijan, 6 May 2025 (answers on landmines and ERW)';
const SOURCE_002 =
  "002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs, January-March 2025 (sent to the Folketing's Foreign Affairs Committee, URU Alm.del Bilag 219, May 2025)";

interface V1Spend {
  amountMinor: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  source: string;
  notes?: string;
}

/** The row version 1's seed wrote for document 001. */
const SEEDED_789M: V1Spend = {
  amountMinor: '78900000000',
  currency: 'AZN',
  periodStart: '2020-11-10',
  periodEnd: '2025-05-06',
  source: SOURCE_001,
  notes: 'Government allocation for demining since the liberation (November 2020), as of the statement of 6 May 2025.',
};

interface Observation {
  id: number;
  amount_minor: string;
  currency: string;
  as_at: string;
  basis: string;
  period_start: string | null;
  period_end: string | null;
  source: string;
  source_page: string | null;
  notes: string | null;
}

/**
 * A database at version 1's last migration (1732700000000) holding `rows` in this order, then
 * migrated to the newest: its government_spend rows, oldest id first.
 */
async function migrateFromVersion1(db: TestDatabase, rows: V1Spend[]): Promise<Observation[]> {
  const version1 = MIGRATIONS.slice(0, MIGRATIONS.indexOf(SignInThrottle1732700000000) + 1);
  const before = await migrationSource(db, version1).initialize();
  try {
    await before.runMigrations({ transaction: 'each' });
    const param = (n: number) => before.driver.createParameter(`p${n}`, n);
    for (const r of rows) {
      await before.query(
        `INSERT INTO government_spend (amount_minor, currency, period_start, period_end, source, notes) VALUES (${[0, 1, 2, 3, 4, 5].map(param).join(', ')})`,
        [r.amountMinor, r.currency, r.periodStart, r.periodEnd, r.source, r.notes ?? null],
      );
    }
  } finally {
    await before.destroy();
  }
  const after = await migrationSource(db, MIGRATIONS).initialize();
  try {
    expect((await after.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain('NationalObservations1733100000000');
    const found = await after.query<Array<Omit<Observation, 'amount_minor'> & { amount_minor: string | number }>>(
      'SELECT id, amount_minor, currency, as_at, basis, period_start, period_end, source, source_page, notes FROM government_spend ORDER BY id',
    );
    return found.map((r) => ({ ...r, amount_minor: String(r.amount_minor) }));
  } finally {
    await after.destroy();
  }
}

describe(`migration 1733100000000: national figures become dated observations (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  const freshDatabase = async () => (db = await createTestDatabase(TEST_DB));
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it("keeps the seeded 789 million AZN as an allocation as at 6 May 2025 and adds 002's 464 million USD as at 31 March 2025, which a later seed finds", async () => {
    const rows = await migrateFromVersion1(await freshDatabase(), [SEEDED_789M]);
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        amount_minor: '78900000000',
        currency: 'AZN',
        as_at: '2025-05-06',
        basis: 'allocated',
        period_start: '2020-11-10',
        period_end: '2025-05-06',
        source: SOURCE_001,
        source_page: expect.stringMatching(/question 10.*question 3/),
        notes: SEEDED_789M.notes,
      },
      {
        id: expect.any(Number),
        amount_minor: '46400000000',
        currency: 'USD',
        as_at: '2025-03-31',
        basis: 'allocated',
        period_start: '2020-11-10',
        period_end: null,
        source: SOURCE_002,
        source_page: 'Annex 2',
        notes: expect.stringContaining('"$464 mln by government"'),
      },
    ]);

    const t = await createTestContext({ database: db });
    try {
      const national = t.get(NationalService);
      expect(await national.governmentAt('2025-03-30')).toBeNull();
      expect(await national.governmentAt('2025-03-31')).toMatchObject({
        amountMinor: 46400000000n,
        currency: 'USD',
        asAt: '2025-03-31',
        sourcePage: 'Annex 2',
      });
      expect(await national.governmentAt('2025-05-06')).toMatchObject({ amountMinor: 78900000000n, currency: 'AZN', asAt: '2025-05-06', basis: 'allocated' });
      // The seed's natural key (asAt, currency, source) finds both rows: seeding adds no third observation.
      const report = await t.get(SeedService).run();
      expect(report.governmentSpend).toBe(0);
      expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM government_spend'))[0].n)).toBe(2);
    } finally {
      await t.close();
    }
  });

  it("turns period sums in one currency into running totals that give version 1's figure at each period end", async () => {
    // Recorded out of order: the running total follows the period ends, not the ids.
    const rows = await migrateFromVersion1(await freshDatabase(), [
      { amountMinor: '25000', currency: 'AZN', periodStart: '2024-01-01', periodEnd: '2024-12-31', source: 'Budget law 2024', notes: 'Executed budget.' },
      { amountMinor: '10000', currency: 'AZN', periodStart: '2023-01-01', periodEnd: '2023-12-31', source: 'Budget law 2023' },
    ]);
    expect(rows).toEqual([
      expect.objectContaining({
        amount_minor: '35000',
        as_at: '2024-12-31',
        basis: 'spent',
        period_start: '2023-01-01',
        period_end: '2024-12-31',
        source_page: null,
        notes: expect.stringMatching(/^Executed budget\.\n\nVersion 1 recorded 250\.00 AZN as the spend of 2024-01-01 to 2024-12-31 alone; .*running total/),
      }),
      expect.objectContaining({
        amount_minor: '10000',
        as_at: '2023-12-31',
        basis: 'spent',
        period_start: '2023-01-01',
        period_end: '2023-12-31',
        notes: null,
      }),
    ]);

    const t = await createTestContext({ database: db });
    try {
      const national = t.get(NationalService);
      // Version 1 summed the rows whose period had ended: 100.00 at the end of 2023, 350.00 at the end of 2024.
      expect((await national.governmentAt('2023-12-30'))?.amountMinor ?? null).toBeNull();
      expect((await national.governmentAt('2023-12-31'))?.amountMinor).toBe(10000n);
      expect((await national.governmentAt('2024-12-30'))?.amountMinor).toBe(10000n);
      expect((await national.governmentAt('2024-12-31'))?.amountMinor).toBe(35000n);
    } finally {
      await t.close();
    }
  });

  it("keeps each row's own amount when the rows are in more than one currency, and says so in its notes", async () => {
    const rows = await migrateFromVersion1(await freshDatabase(), [
      { amountMinor: '10000', currency: 'AZN', periodStart: '2023-01-01', periodEnd: '2023-12-31', source: 'Budget law 2023' },
      { amountMinor: '7000', currency: 'USD', periodStart: '2024-01-01', periodEnd: '2024-12-31', source: 'Budget law 2024' },
    ]);
    const note = /Version 1 recorded .* alone\. The database held spend in AZN and USD, .*not cumulative\./;
    expect(rows).toEqual([
      expect.objectContaining({ amount_minor: '10000', currency: 'AZN', as_at: '2023-12-31', period_start: '2023-01-01', notes: expect.stringMatching(note) }),
      expect.objectContaining({ amount_minor: '7000', currency: 'USD', as_at: '2024-12-31', period_start: '2024-01-01', notes: expect.stringMatching(note) }),
    ]);
  });

  it('adds no 464 million USD when the database already has an observation as at 31 March 2025', async () => {
    const rows = await migrateFromVersion1(await freshDatabase(), [
      SEEDED_789M,
      { amountMinor: '46400000000', currency: 'USD', periodStart: '2020-11-10', periodEnd: '2025-03-31', source: SOURCE_002 },
    ]);
    expect(rows.map((r) => [r.currency, r.amount_minor, r.as_at, r.basis])).toEqual([
      ['AZN', '78900000000', '2025-05-06', 'allocated'],
      ['USD', '46400000000', '2025-03-31', 'spent'],
    ]);
  });

  it("rolls back to version 1's columns, dating an observation without a period end by its asAt", async () => {
    const database = await freshDatabase();
    await migrateFromVersion1(database, [SEEDED_789M]);
    const ds = await migrationSource(database, MIGRATIONS).initialize();
    try {
      // Later migrations go first, down to this one.
      const later = MIGRATIONS.length - 1 - MIGRATIONS.indexOf(NationalObservations1733100000000);
      for (let i = 0; i < later; i++) await ds.undoLastMigration({ transaction: 'each' });
      await ds.undoLastMigration({ transaction: 'each' });
      const rows = await ds.query<Array<Record<string, string>>>('SELECT currency, period_start, period_end FROM government_spend ORDER BY id');
      expect(rows).toEqual([
        { currency: 'AZN', period_start: '2020-11-10', period_end: '2025-05-06' },
        { currency: 'USD', period_start: '2020-11-10', period_end: '2025-03-31' },
      ]);
      const queryRunner = ds.createQueryRunner();
      try {
        expect(await queryRunner.hasColumn('government_spend', 'as_at')).toBe(false);
        expect(await queryRunner.hasColumn('reported_figures', 'source_page')).toBe(false);
      } finally {
        await queryRunner.release();
      }
    } finally {
      await ds.destroy();
    }
  });

  it('adds nothing to a database without government spend', async () => {
    expect(await migrateFromVersion1(await freshDatabase(), [])).toEqual([]);
  });
});
