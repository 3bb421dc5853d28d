import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { Obligations1733420000000 } from '../../src/database/migrations/1733420000000-obligations';
import { migrationSource } from '../support/migration-source';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';

describe(`migration 1733430000000: a priority's target becomes the first row of its history (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('copies each stored target, in its own currency and exact minor units, as an open-ended setting whose source is not recorded', async () => {
    db = await createTestDatabase(TEST_DB);
    const before = await migrationSource(db, MIGRATIONS.slice(0, MIGRATIONS.indexOf(Obligations1733420000000) + 1)).initialize();
    try {
      await before.runMigrations({ transaction: 'each' });
      const p = (n: number) => before.driver.createParameter(`p${n}`, n);
      const rows: Array<[string, number, string | null, string | null]> = [
        ['P01', 1, '150000000000', 'USD'],
        ['P07', 7, '425000000', 'EUR'],
        ['P09', 9, null, null],
      ];
      for (const [code, rank, minor, currency] of rows) {
        await before.query(
          `INSERT INTO priorities (code, rank, title, description, target_minor, target_currency) VALUES (${[0, 1, 2, 3, 4, 5].map(p).join(', ')})`,
          [code, rank, `Priority ${rank}`, 'd', minor, currency],
        );
      }
    } finally {
      await before.destroy();
    }
    const after = await migrationSource(db, MIGRATIONS).initialize();
    try {
      expect((await after.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain('PriorityTargets1733430000000');
      const found = await after.query<Array<Record<string, unknown>>>(
        'SELECT priority_code, amount_minor, currency, period_start, period_end, basis, source, set_by FROM priority_targets ORDER BY id',
      );
      expect(found.map((r) => ({ ...r, amount_minor: String(r.amount_minor), set_by: Number(r.set_by) }))).toEqual([
        {
          priority_code: 'P01',
          amount_minor: '150000000000',
          currency: 'USD',
          period_start: null,
          period_end: null,
          basis: 'not_recorded',
          source: null,
          set_by: 0,
        },
        {
          priority_code: 'P07',
          amount_minor: '425000000',
          currency: 'EUR',
          period_start: null,
          period_end: null,
          basis: 'not_recorded',
          source: null,
          set_by: 0,
        },
      ]);
    } finally {
      await after.destroy();
    }
  });
});
