import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { LedgerAggregates } from '../../src/ledger/aggregates/ledger-aggregates.service';
import { todayUtc } from '../../src/common/dates';
import { parseAmount } from '../../src/common/money/money';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { DonorsService } from '../../src/donors/donors.service';
import { fixedMinorRate, roundFixed } from '../../src/funding/funding-gap.calc';
import { FundingGapService } from '../../src/funding/funding-gap.service';
import { FxService } from '../../src/fx/fx.service';
import { RateTable } from '../../src/fx/rate-table';
import { LedgerFiguresRepository } from '../../src/ledger/ledger-figures.repository';
import { LedgerValuation } from '../../src/ledger/ledger-valuation';
import { PledgesService } from '../../src/pledges/pledges.service';
import { createTestContext, TestContext } from '../support/test-context';
import { ORGANISATION_1 } from '../support/factories';

const DB = process.env.TEST_DB ?? 'sqlite';

/** The funding gap's own rate resolution must give what FxService gives, pledge by pledge. */
describe(`funding-gap rates against FxService on the seeded database (${DB})`, () => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext({ seed: true });
    // A pair quoted both ways, so the "later of forward and inverse" rule is exercised too.
    await t.get(UnitOfWork).transaction((tx) =>
      t.get(FxService).insertRates(tx, [
        { base: 'USD', quote: 'GBP', rate: '0.7900', date: '2024-10-14', source: 'test' },
        { base: 'GBP', quote: 'USD', rate: '1.2700', date: '2024-10-20', source: 'test' },
      ]),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('converts like FxService for every pair of USD, EUR, AZN and GBP on dates across the ECB history', async () => {
    const fx = t.get(FxService);
    const table = new RateTable(await fx.ratesAmong(['USD', 'EUR', 'AZN', 'GBP'], { asOf: '2025-12-31' }));
    const dates = ['1999-01-04', '2008-09-15', '2017-01-03', '2024-01-16', '2024-10-11', '2024-10-15', '2024-10-21', '2025-03-31'];
    let compared = 0;
    for (const from of ['USD', 'EUR', 'AZN', 'GBP']) {
      for (const to of ['USD', 'EUR', 'AZN']) {
        for (const date of dates) {
          const amount = parseAmount('4250000.37', from);
          const ours = table.rate(from, to, date);
          let theirs;
          try {
            theirs = await fx.convert(amount, to, date);
          } catch {
            theirs = null;
          }
          if (theirs === null) {
            expect({ from, to, date, ours }).toEqual({ from, to, date, ours: null });
            continue;
          }
          expect({ from, to, date, ratesUsed: ours?.ratesUsed }).toEqual({ from, to, date, ratesUsed: theirs.ratesUsed });
          expect({ from, to, date, minor: roundFixed(amount.minor * fixedMinorRate(from, to, ours!.rate)) }).toEqual({
            from,
            to,
            date,
            minor: theirs.converted.minor,
          });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });
});

describe(`funding-gap aggregates on a ledger built through the services (${DB})`, () => {
  let t: TestContext;
  let donorA: number;
  let donorB: number;
  let firstEuro: number;

  beforeAll(async () => {
    t = await createTestContext();
    await t.get(UnitOfWork).transaction(async (tx) => {
      await t.get(FxService).insertRates(tx, [
        { base: 'EUR', quote: 'USD', rate: '1.1000', date: '2024-01-02', source: 'test' },
        { base: 'EUR', quote: 'USD', rate: '1.2000', date: '2024-06-03', source: 'test' },
        { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2017-01-03', source: 'test' },
      ]);
      for (let rank = 1; rank <= 12; rank++) {
        const code = `P${String(rank).padStart(2, '0')}`;
        await tx.query(`INSERT INTO priorities (organisation_id, code, rank, title, description) VALUES (1, '${code}', ${rank}, 'Priority ${rank}', 'test')`);
      }
    });
    const donors = t.get(DonorsService);
    donorA = (await donors.create(ORGANISATION_1, { name: 'Donor A', type: 'government' }, null)).body.id;
    donorB = (await donors.create(ORGANISATION_1, { name: 'Donor B', type: 'ngo' }, null)).body.id;
    const pledges = t.get(PledgesService);
    const create = (donorId: number, extra: object) =>
      pledges.create(ORGANISATION_1, { donorId, title: 'Medium pledge', channel: 'direct', status: 'committed', priorityCodes: [], ...extra } as never, null);
    // EUR on two dates with two rates, one earmarked to three priorities evenly, one undated (source date).
    firstEuro = (await create(donorA, { kind: 'cash', amount: '1000.00', currency: 'EUR', pledgedOn: '2024-01-10', priorityCodes: ['P02', 'P03', 'P04'] })).body
      .id;
    await create(donorA, {
      kind: 'cash',
      amount: '1000.00',
      currency: 'EUR',
      pledgedOn: '2024-07-01',
      priorityCodes: ['P05', 'P06'],
      priorityShares: ['10', '90'],
    });
    await create(donorB, { kind: 'cash', amount: '300.00', currency: 'USD', pledgedOn: null, sourceDate: '2024-08-01' });
    const goods = await create(donorB, {
      kind: 'in_kind',
      inKind: { quantity: 4, unit: 'vehicles', unitValue: { amount: '250.00', currency: 'USD' } },
      pledgedOn: '2024-02-01',
      priorityCodes: ['P09'],
    });
    await pledges.recordDisbursement(ORGANISATION_1, goods.body.id, { quantity: 2, receivedOn: '2024-03-01' }, null);
    const cancelled = await create(donorB, { kind: 'cash', amount: '999.00', currency: 'USD', pledgedOn: '2024-01-05' });
    await pledges.cancel(ORGANISATION_1, cancelled.body.id, { reason: 'withdrawn' });
    const paid = await create(donorA, { kind: 'cash', amount: '500.00', currency: 'USD', pledgedOn: '2024-01-05', priorityCodes: ['P01'] });
    await pledges.recordDisbursement(ORGANISATION_1, paid.body.id, { amount: '100.00', currency: 'EUR', receivedOn: '2024-06-10' }, null);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sums pledges per donor and kind from their stored values; a pledge cancelled today counted only before today', async () => {
    const repository = t.get(LedgerFiguresRepository);
    const shown = (rows: Awaited<ReturnType<LedgerFiguresRepository['pledgedByDonor']>>) =>
      rows.map((r) => ({ ...r, valueMinor: r.valueMinor.toString() })).sort((a, b) => a.donorId - b.donorId || a.kind.localeCompare(b.kind));
    expect(shown(await repository.pledgedByDonor('2024-12-31', 'USD')).find((r) => r.donorId === donorB && r.kind === 'cash')?.valueMinor).toBe('129900');
    // 500 USD + 1000 EUR × 1.1 (2024-01-10) + 1000 EUR × 1.2 (2024-07-01); 300 USD; 4 × 250 USD of goods.
    expect(shown(await repository.pledgedByDonor(todayUtc(), 'USD'))).toEqual([
      { donorId: donorA, kind: 'cash', valueMinor: '280000', unvalued: 0, waiting: 0 },
      { donorId: donorB, kind: 'cash', valueMinor: '30000', unvalued: 0, waiting: 0 },
      { donorId: donorB, kind: 'in_kind', valueMinor: '100000', unvalued: 0, waiting: 0 },
    ]);
    // In EUR: 1000 + 1000 + 500 USD ÷ 1.1 on 2024-01-05 = 454.545… → 454.55, each pledge rounded once.
    expect(shown(await repository.pledgedByDonor(todayUtc(), 'EUR')).find((r) => r.donorId === donorA)?.valueMinor).toBe('245455');
  });

  it('values receipts at their own date and currency, and delivered goods at the unit value', async () => {
    const rows = await t.get(LedgerFiguresRepository).receivedByDonor('2024-12-31', 'USD');
    expect(rows.map((r) => ({ ...r, valueMinor: r.valueMinor.toString() })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual([
      { donorId: donorA, kind: 'cash', valueMinor: '12000', unvalued: 0, waiting: 0 },
      { donorId: donorB, kind: 'in_kind', valueMinor: '50000', unvalued: 0, waiting: 0 },
    ]);
    expect(await t.get(LedgerFiguresRepository).receivedByDonor('2024-02-29', 'USD')).toEqual([]);
  });

  it('computes the gap: each breakdown adds up to its headline, earmarks split as stated or evenly', async () => {
    const gap = await t.get(FundingGapService).get('USD', todayUtc());
    // 1000 EUR × 1.1 + 1000 EUR × 1.2 + 300 + 500 USD cash; 4 × 250 USD of goods.
    expect(gap.foreign.pledged.amount).toBe('3100.00');
    expect(gap.foreign.inKindValue.amount).toBe('1000.00');
    expect(gap.foreign.itemised.amount).toBe('4100.00');
    // 100 EUR at 1.2 received in cash; 2 vehicles delivered, 500 USD of goods. `disbursed` is version 1's name for `received`.
    expect(gap.foreign.received.amount).toBe('620.00');
    expect(gap.foreign.inKindDeliveredValue.amount).toBe('500.00');
    expect(gap.foreign.disbursed.amount).toBe('620.00');
    const pledged = Object.fromEntries(gap.byPriority.map((p) => [p.code, p.pledged.amount]));
    expect(pledged).toEqual({
      P01: '500.00',
      P02: '366.67',
      P03: '366.67',
      P04: '366.66',
      P05: '120.00',
      P06: '1080.00',
      P07: '0.00',
      P08: '0.00',
      P09: '1000.00',
      P10: '0.00',
      P11: '0.00',
      P12: '0.00',
    });
    expect(gap.notEarmarked.pledged.amount).toBe('300.00');
    // Nobody recorded whether the rest is owed: it is "receipt not documented", at each pledge's own rate
    // (Donor A: 900 EUR of the 1.2 pledge is 1080, plus 1000 EUR at 1.1 and 500 USD; Donor B: 300 USD and 2 vehicles).
    expect(gap.byDonor.map((d) => [d.name, d.pledged.amount, d.received.amount, d.outstanding.amount, d.receiptNotDocumented.amount])).toEqual([
      ['Donor A', '2800.00', '120.00', '0.00', '2680.00'],
      ['Donor B', '1300.00', '500.00', '0.00', '800.00'],
    ]);
    expect(gap.byDonor.find((d) => d.name === 'Donor B')?.inKind).toEqual([
      { unit: 'vehicles', pledged: 4, delivered: 2, upTo: false, toCome: 2, toComeUpTo: false },
    ]);
    expect(gap.earmarkSplit).toEqual({ rule: 'stated shares or even split', pledgesWithStatedShares: 1, pledgesSplitEvenly: 1 });
  });

  it('values again only what a new rate can change, and the gap follows the rate', async () => {
    const unvalued = async (reader: EntityManager = t.dataSource.manager) => {
      const [p] = await reader.query('SELECT COUNT(*) AS n FROM pledges WHERE valued_at IS NULL');
      const [d] = await reader.query('SELECT COUNT(*) AS n FROM disbursements WHERE valued_at IS NULL');
      return Number(p.n) + Number(d.n);
    };
    // What the rates marked is counted inside their own transaction: once it commits, the worker values the rows.
    const addRates = <T>(rates: Array<{ base: string; quote: string; rate: string; date: string }>, inside: (tx: EntityManager) => Promise<T>) =>
      t.get(UnitOfWork).transaction(async (tx) => {
        await t.get(FxService).insertRates(
          tx,
          rates.map((r) => ({ ...r, source: 'test' })),
        );
        return inside(tx);
      });
    expect((await t.get(FundingGapService).get('USD', todayUtc())).foreign.pledged.amount).toBe('3100.00');
    expect(await unvalued()).toBe(0);

    // No conversion of this ledger can pass through CHF/SEK, nor through GBP (no GBP money here but GBP rows).
    const marked = await addRates(
      [
        { base: 'CHF', quote: 'SEK', rate: '11.5000', date: '2000-01-03' },
        { base: 'EUR', quote: 'GBP', rate: '0.8500', date: '2000-01-03' },
      ],
      unvalued,
    );
    expect(marked).toBe(0);

    // A EUR/USD rate from 2024-07-01 serves the second EUR pledge, the EUR receipt (2024-06-10 is earlier: not it) and every later row.
    const [early, later] = await addRates([{ base: 'EUR', quote: 'USD', rate: '1.3000', date: '2024-07-01' }], async (tx) => {
      const [{ n }] = await tx.query("SELECT COUNT(*) AS n FROM pledges WHERE valued_at IS NULL AND COALESCE(pledged_on, source_date) < '2024-07-01'");
      return [Number(n), await unvalued(tx)];
    });
    expect(early).toBe(0);
    expect(later).toBeGreaterThan(0);
    const gap = await t.get(FundingGapService).get('USD', todayUtc());
    // The worker, woken when the rate committed, values them; the read above did not wait on it to be right.
    expect(await t.get(LedgerValuation).settled(60_000)).toBe(true);
    expect(await unvalued()).toBe(0);
    expect(gap.foreign.pledged.amount).toBe('3200.00');
    expect(gap.foreign.received.amount).toBe('620.00');
    const rates = await t.get(FundingGapService).ratesUsed('USD', todayUtc());
    expect(rates.map((r) => `${r.base}/${r.quote}@${r.date}`)).toEqual(['EUR/USD@2024-01-02', 'EUR/USD@2024-06-03', 'EUR/USD@2024-07-01']);
    expect(gap.ratesUsed).toEqual([expect.objectContaining({ base: 'EUR', quote: 'USD', firstDate: '2024-01-02', lastDate: '2024-07-01', count: 3 })]);
  });

  it('values a pledge again when an edit moves its value date', async () => {
    // 1000 EUR dated 2024-01-10 (1.1) moves to 2024-07-02 (1.3): 3200.00 + 200.00.
    await t.get(PledgesService).update(ORGANISATION_1, firstEuro, { pledgedOn: '2024-07-02' });
    const gap = await t.get(FundingGapService).get('USD', todayUtc());
    expect(gap.foreign.pledged.amount).toBe('3400.00');
    expect((await t.get(FundingGapService).ratesUsed('USD', todayUtc())).map((r) => r.date)).not.toContain('2024-01-02');
    expect(gap.ratesUsed[0].firstDate).toBe('2024-06-03');
  });

  it('values thousands of waiting rows across id windows and gaps, each once', async () => {
    // 4,500 EUR pledges written straight into the table (as a bulk load or an upgrade leaves them), ids 3 apart.
    const ids = Array.from({ length: 4_500 }, (_, i) => 100_000 + 3 * i);
    for (let i = 0; i < ids.length; i += 500) {
      const rows = ids.slice(i, i + 500).map((id) => `(1, ${id}, ${donorB}, 'Bulk pledge', 'cash', 1000, 'EUR', '2024-06-05', 'committed', 'direct')`);
      await t
        .get(UnitOfWork)
        .transaction((tx) =>
          tx.query(
            `INSERT INTO pledges (organisation_id, id, donor_id, title, kind, amount_minor, currency, pledged_on, commitment, channel) VALUES ${rows.join(', ')}`,
          ),
        );
    }
    // Rows written around the application are not in its maintained aggregates: a bulk load ends
    // with `npm run cli -- rebuild-aggregates`, as here.
    await t.get(LedgerAggregates).rebuild();
    // 4,500 rows wait, more than the worker is counted on to value in 500 ms (5 rows/ms): a read
    // does not wait for it, it answers at once that rows wait (and values them in memory).
    expect(await t.get(LedgerValuation).settled(500)).toBe(false);
    expect(await t.get(LedgerValuation).settled(60_000)).toBe(true);
    const [row] = await t.dataSource.query(
      `SELECT COUNT(*) AS n, COUNT(value_usd_minor) AS usd, MIN(value_usd_minor) AS low, MAX(value_usd_minor) AS high FROM pledges WHERE title = 'Bulk pledge'`,
    );
    // 10.00 EUR at 1.2000 (2024-06-03) = 12.00 USD each.
    expect([Number(row.n), Number(row.usd), Number(row.low), Number(row.high)]).toEqual([4_500, 4_500, 1_200, 1_200]);
    const [{ n: left }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM pledges WHERE valued_at IS NULL');
    expect(Number(left)).toBe(0);
  });
});
