import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MIGRATIONS } from '../../src/database/migrations';
import { FundingGapService } from '../../src/funding/funding-gap.service';
import { LedgerAggregates } from '../../src/ledger/aggregates/ledger-aggregates.service';
import { PledgesService } from '../../src/pledges/pledges.service';
import { migrationSource } from '../support/migration-source';
import { createTestContext, type TestContext } from '../support/test-context';
import { createTestDatabase, TEST_DB, TestDatabase } from '../support/test-database';
import { ORGANISATION_1 } from '../support/factories';

const AS_OF = '2026-01-01';

const figures = async (ctx: TestContext, asOf = AS_OF) => {
  const g = await ctx.get(FundingGapService).get('USD', asOf);
  return { foreign: g.foreign, byDonor: g.byDonor, byPriority: g.byPriority };
};

const feed = async (ctx: TestContext) => {
  const [row] = await ctx.dataSource.query<Array<{ seq: string | number; epoch: string | number }>>('SELECT seq, epoch FROM ledger_totals_feed');
  return { seq: Number(row.seq), epoch: Number(row.epoch) };
};

describe(`the ledger totals' feed: each instance keeps the totals and takes only what was written since (${TEST_DB})`, () => {
  let db: TestDatabase | undefined;
  const open: TestContext[] = [];
  afterEach(async () => {
    // Every instance closed (each runs verify-aggregates) and the database dropped, whatever failed.
    const failed: unknown[] = [];
    for (const ctx of open.splice(0).reverse()) await ctx.close().catch((error: unknown) => failed.push(error));
    await db?.drop();
    db = undefined;
    if (failed.length > 0) throw failed[0];
  });

  it("gives each committed write one position, and a second instance's next read has every write of the first", async () => {
    db = await createTestDatabase(TEST_DB);
    const a = await createTestContext({ seed: true, database: db });
    open.push(a);
    await a.get(LedgerAggregates).build();
    const b = await createTestContext({ database: db });
    open.push(b);
    // B reads first: it keeps the totals whole.
    const before = await figures(b);
    expect(before).toEqual(await figures(a));

    const pledges = a.get(PledgesService);
    const cash = (await pledges.list(ORGANISATION_1, {}, { limit: 20, afterId: 0 }, null)).items.filter((p) => p.kind === 'cash');
    const start = await feed(a);
    await pledges.recordDisbursement(
      ORGANISATION_1,
      cash[0].id,
      { amount: '1000.00', currency: cash[0].currency as string, receivedOn: '2025-06-02', overDisbursementReason: 'Test: received beyond the pledge' },
      null,
    );
    const afterReceipt = await feed(a);
    expect(afterReceipt).toEqual({ seq: start.seq + 1, epoch: start.epoch });
    // Only the groups that receipt changed carry its position.
    const stamped = await a.dataSource.query<Array<{ group_key: string }>>(`SELECT group_key FROM ledger_totals WHERE seq = ${afterReceipt.seq}`);
    expect(stamped.length).toBeGreaterThan(0);
    expect(stamped.every((r) => r.group_key.includes(`|`))).toBe(true);
    expect(stamped.length).toBeLessThan(20);

    await pledges.cancel(ORGANISATION_1, cash[1].id, { reason: 'Withdrawn by the donor (test)' });
    expect((await feed(a)).seq).toBe(start.seq + 2);

    // B's next read has both writes (its kept totals moved by the groups written since), as a new
    // instance's has (it reads the totals whole), and as A's has.
    const moved = await figures(b);
    expect(moved).not.toEqual(before);
    const c = await createTestContext({ database: db });
    open.push(c);
    expect(moved).toEqual(await figures(c));
    expect(moved).toEqual(await figures(a));
    expect(await figures(b, '2025-06-01')).toEqual(await figures(c, '2025-06-01'));

    // A rebuild removes totals rather than writing them: the epoch moves and B loads them whole again.
    await a.get(LedgerAggregates).rebuild();
    expect((await feed(a)).epoch).toBeGreaterThan(start.epoch);
    await pledges.recordDisbursement(
      ORGANISATION_1,
      cash[2].id,
      { amount: '1000.00', currency: cash[2].currency as string, receivedOn: '2025-07-01', overDisbursementReason: 'Test: received beyond the pledge' },
      null,
    );
    expect(await figures(b)).toEqual(await figures(a));
  });

  it('migration 1733560000000 gives every stored group position 0, and an upgraded instance reads them whole', async () => {
    db = await createTestDatabase(TEST_DB);
    const first = await createTestContext({ seed: true, database: db });
    let before: unknown;
    try {
      await first.get(LedgerAggregates).build();
      before = await figures(first);
    } finally {
      await first.close();
    }
    const ds = await migrationSource(db).initialize();
    try {
      const from = MIGRATIONS.findIndex((m) => m.name === 'LedgerTotalsFeed1733560000000');
      for (let i = MIGRATIONS.length - 1; i >= from; i--) await ds.undoLastMigration({ transaction: 'each' });
      await expect(ds.query('SELECT 1 FROM ledger_totals_feed')).rejects.toThrow();
      const groups = Number((await ds.query('SELECT COUNT(*) AS n FROM ledger_totals'))[0].n);
      expect(groups).toBeGreaterThan(10);
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toEqual(MIGRATIONS.slice(from).map((m) => m.name));
      expect(
        (await ds.query('SELECT seq, epoch FROM ledger_totals_feed')).map((r: { seq: unknown; epoch: unknown }) => [Number(r.seq), Number(r.epoch)]),
      ).toEqual([[0, 0]]);
      expect(Number((await ds.query('SELECT COUNT(*) AS n FROM ledger_totals WHERE seq = 0'))[0].n)).toBe(groups);
    } finally {
      await ds.destroy();
    }
    const upgraded = await createTestContext({ database: db });
    open.push(upgraded);
    expect(await figures(upgraded)).toEqual(before);
  });
});
