import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import {
  ClearanceResults1733520000000,
  Q1_2025_BY_DISTRICT,
  Q1_2025_PAGE,
  Q1_2025_SOURCE,
} from '../../src/database/migrations/1733520000000-clearance-results';
import { migrationSource } from '../support/migration-source';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';

const BEFORE = MIGRATIONS.slice(0, MIGRATIONS.indexOf(ClearanceResults1733520000000));

/** Loads the database up to the migration before this one, holding the earlier seed's "cleared to date" figure or not. */
async function databaseBefore(db: TestDatabase, seeded: boolean): Promise<void> {
  const before = await migrationSource(db, BEFORE).initialize();
  try {
    await before.runMigrations({ transaction: 'each' });
    if (seeded) {
      const p = (n: number) => before.driver.createParameter(`p${n}`, n);
      await before.query(`INSERT INTO clearance_progress (metric, hectares, period_start, as_of, source) VALUES (${[0, 1, 2, 3, 4].map(p).join(', ')})`, [
        'cleared_to_date',
        '190794.2',
        '2020-11-10',
        '2025-03-31',
        '002: ANAMA, Report on Mine Action in Azerbaijan: Priorities and Needs, January-March 2025 (sent to the Folketing)',
      ]);
    }
  } finally {
    await before.destroy();
  }
}

describe(`migration 1733520000000: clearance results, with report 002's Q1 2025 districts in a seeded database (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('adds the 13 district rows, with source and page, to a database the earlier seed loaded; undoes and redoes cleanly', async () => {
    db = await createTestDatabase(TEST_DB);
    await databaseBefore(db, true);
    const after = await migrationSource(db, MIGRATIONS).initialize();
    try {
      expect((await after.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain('ClearanceResults1733520000000');
      const rows = await after.query<Array<Record<string, unknown>>>(
        'SELECT period_start, period_end, district, operator, hectares, items_found, source, source_page FROM clearance_results ORDER BY id',
      );
      expect(rows.map((r) => [r.district, r.hectares, Number(r.items_found)])).toEqual(Q1_2025_BY_DISTRICT.map((r) => [...r]));
      expect(rows.every((r) => r.period_start === '2025-01-01' && r.period_end === '2025-03-31' && r.operator === null)).toBe(true);
      expect(rows.every((r) => r.source === Q1_2025_SOURCE && r.source_page === Q1_2025_PAGE)).toBe(true);
      const progress = await after.query<Array<Record<string, unknown>>>('SELECT source_page FROM clearance_progress');
      expect(progress).toEqual([{ source_page: null }]);

      // Later migrations go first, down to this one.
      const from = MIGRATIONS.findIndex((m) => m.name === 'ClearanceResults1733520000000');
      for (let i = MIGRATIONS.length - 1; i >= from; i--) await after.undoLastMigration({ transaction: 'each' });
      expect(await after.query<Array<Record<string, unknown>>>('SELECT metric, hectares FROM clearance_progress')).toEqual([
        { metric: 'cleared_to_date', hectares: '190794.2' },
      ]);
      await expect(after.query('SELECT id FROM clearance_results')).rejects.toThrow();
      expect((await after.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.slice(from).map((m) => m.name));
      expect(await after.query('SELECT id FROM clearance_results')).toHaveLength(13);
    } finally {
      await after.destroy();
    }
  });

  it('adds nothing to a database the seed never loaded (the seed adds the rows itself)', async () => {
    db = await createTestDatabase(TEST_DB);
    await databaseBefore(db, false);
    const after = await migrationSource(db, MIGRATIONS).initialize();
    try {
      await after.runMigrations({ transaction: 'each' });
      expect(await after.query('SELECT id FROM clearance_results')).toEqual([]);
    } finally {
      await after.destroy();
    }
  });
});
