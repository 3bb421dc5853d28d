import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { PledgeInstalments1733510000000 } from '../../src/database/migrations/1733510000000-pledge-instalments';
import { migrationSource } from '../support/migration-source';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';

describe(`migration 1733510000000: planned instalments (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('creates the table, refuses a row with both or neither of amount and quantity, and goes down and up again', async () => {
    db = await createTestDatabase(TEST_DB);
    // The schema as this migration left it: later ones (each record's organisation, say) are not this test's.
    const upTo = MIGRATIONS.findIndex((m) => m.name === PledgeInstalments1733510000000.name);
    const source = await migrationSource(db, MIGRATIONS.slice(0, upTo + 1)).initialize();
    try {
      expect((await source.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain(PledgeInstalments1733510000000.name);
      const p = (n: number) => source.driver.createParameter(`p${n}`, n);
      await source.query(`INSERT INTO donors (name, type) VALUES (${p(0)}, ${p(1)})`, ['Migration donor', 'government']);
      await source.query(`INSERT INTO pledges (donor_id, title, kind, commitment, amount_minor, currency) VALUES (1, 'P', 'cash', 'committed', 100, 'EUR')`);
      const insert = (amount: number | null, quantity: number | null) =>
        source.query(`INSERT INTO pledge_instalments (pledge_id, due_on, amount_minor, quantity) VALUES (1, '2026-01-31', ${p(0)}, ${p(1)})`, [
          amount,
          quantity,
        ]);
      await insert(50, null);
      await expect(insert(50, 2)).rejects.toThrow();
      await expect(insert(null, null)).rejects.toThrow();
      const [{ n }] = await source.query<Array<{ n: string | number }>>('SELECT COUNT(*) AS n FROM pledge_instalments');
      expect(Number(n)).toBe(1);

      // Later migrations may follow this one: its own down and up, run directly.
      const runner = source.createQueryRunner();
      try {
        await new PledgeInstalments1733510000000().down(runner);
        expect(await runner.hasTable('pledge_instalments')).toBe(false);
        await new PledgeInstalments1733510000000().up(runner);
        expect(await runner.hasTable('pledge_instalments')).toBe(true);
      } finally {
        await runner.release();
      }
    } finally {
      await source.destroy();
    }
  });
});
