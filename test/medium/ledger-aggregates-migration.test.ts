import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { FundingGapService } from '../../src/funding/funding-gap.service';
import { LedgerAggregates } from '../../src/ledger/aggregates/ledger-aggregates.service';
import { LedgerFigures } from '../../src/ledger/ledger-figures.service';
import { PledgesService } from '../../src/pledges/pledges.service';
import { createTestContext } from '../support/test-context';
import { migrationSource } from '../support/migration-source';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import { ORGANISATION_1 } from '../support/factories';

const DAYS = ['2025-03-30', '2025-03-31', '2025-04-01', '2025-04-02', '2026-01-01'];

const FIGURES = (g: Awaited<ReturnType<FundingGapService['get']>>) => ({
  foreign: g.foreign,
  byDonor: g.byDonor,
  byPriority: g.byPriority,
  ratesUsed: g.ratesUsed,
  earmarkSplit: g.earmarkSplit,
});

describe(`migration 1733540000000: the ledger's maintained aggregates, built for an existing database (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('leaves them to build; the application builds them from the rows, and every figure is the one the rows give', async () => {
    db = await createTestDatabase(TEST_DB);
    // A seeded ledger with a receipt and a cancellation, as an earlier release left it.
    const first = await createTestContext({ seed: true, database: db });
    const maintained: unknown[] = [];
    try {
      const pledges = first.get(PledgesService);
      const list = (await pledges.list(ORGANISATION_1, {}, { limit: 8, afterId: 0 }, null)).items;
      const cash = list.filter((p) => p.kind === 'cash');
      await pledges.recordDisbursement(
        ORGANISATION_1,
        cash[0].id,
        { amount: '1000000.00', currency: 'USD', receivedOn: '2025-04-02', overDisbursementReason: 'Test: an over-receipt leaves nothing to receive' },
        null,
      );
      await pledges.cancel(ORGANISATION_1, cash[cash.length - 1].id, { reason: 'Withdrawn by the donor (test)' });
      for (const asOf of DAYS) maintained.push(FIGURES(await first.get(FundingGapService).get('USD', asOf)));
    } finally {
      await first.close();
    }

    // The migration undone (an earlier release's database), then applied as an upgrade does.
    const ds = await migrationSource(db).initialize();
    try {
      const from = MIGRATIONS.findIndex((m) => m.name === 'LedgerAggregates1733540000000');
      for (let i = MIGRATIONS.length - 1; i >= from; i--) await ds.undoLastMigration({ transaction: 'each' });
      await expect(ds.query('SELECT 1 FROM ledger_totals')).rejects.toThrow();
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.slice(from).map((m) => m.name));
      expect(await ds.query('SELECT status, built_through FROM ledger_aggregates_state')).toEqual([{ status: 'building', built_through: 0 }]);
      expect(await ds.query('SELECT group_key FROM ledger_totals')).toEqual([]);
    } finally {
      await ds.destroy();
    }

    // The upgraded application builds them (closing the context runs verify-aggregates too).
    const upgraded = await createTestContext({ database: db });
    try {
      await upgraded.get(LedgerAggregates).build();
      expect(await upgraded.get(LedgerAggregates).ready()).toBe(true);
      const check = await upgraded.get(LedgerAggregates).verify();
      expect(check.differences).toEqual([]);
      expect(check.groups).toBeGreaterThan(20);
      // Built from the rows, the figures are those the writes had kept...
      const built: unknown[] = [];
      for (const asOf of DAYS) built.push(FIGURES(await upgraded.get(FundingGapService).get('USD', asOf)));
      expect(built).toEqual(maintained);
      // ...and those the ledger's own SQL gives, on every day a change is dated.
      const compared = await upgraded.get(LedgerFigures).checkAggregates('2026-01-01', 1_000);
      expect(compared.figureDifferences).toEqual([]);
      expect(compared.daysCompared).toBeGreaterThan(5);
    } finally {
      await upgraded.close();
    }
  });
});
