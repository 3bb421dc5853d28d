import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { todayUtc } from '../../src/common/dates';
import { convertMinor, effectiveRate } from '../../src/common/money/conversion';
import { formatAmount, parseAmount } from '../../src/common/money/money';
import { UnitOfWork, type Transaction } from '../../src/database/unit-of-work';
import { addDays } from '../../src/common/dates';
import { pastPledgeState } from '../../src/ledger/known-on';
import { instalmentStanding, scheduleStanding } from '../../src/ledger/instalment-rules';
import { InstalmentsRepository } from '../../src/ledger/instalments.repository';
import { LedgerFiguresRepository } from '../../src/ledger/ledger-figures.repository';
import { LedgerRepository } from '../../src/ledger/ledger.repository';
import { Ledger } from '../../src/ledger/ledger.service';
import { LedgerValuation } from '../../src/ledger/ledger-valuation';
import { LedgerValuationRepository, type RowValues } from '../../src/ledger/ledger-valuation.repository';
import type { PledgeColumns } from '../../src/ledger/pledge.entity';
import type { DisbursementView, PledgeView } from '../../src/pledges/pledges.service';
import { PledgesService } from '../../src/pledges/pledges.service';
import { PledgeInstalmentsService } from '../../src/pledges/instalments.service';
import { serviceFactories, type TestRate, ORGANISATION_1 } from '../support/factories';
import { createTestContext, type TestContext } from '../support/test-context';
import { TEST_DB } from '../support/test-database';

/**
 * Every public method of the ledger's three repositories, on the database this tier runs on
 * (the suite runs once per TEST_DB, so the same expectations hold on SQLite and PostgreSQL), on a
 * ledger built with the service factories. It also records the SQL each method sends and compares
 * it with src/ledger/queries/<repository>.<database>.sql, so a change to a query shows in review.
 * Regenerate those files after a deliberate change with
 *   UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium
 * and the same with TEST_DB=postgres.
 */

const QUERIES = join(process.cwd(), 'src', 'ledger', 'queries');
const UPDATE = process.env.UPDATE_SQL_SNAPSHOTS === '1';

/** Methods of the repositories that are helpers of the public ones (recorded as part of their caller). */
const HELPERS = new Set([
  'list',
  'withRelations',
  'pushPledgeValues',
  'bulkSql',
  'query',
  'filterSql',
  'receiptStatus',
  'sums',
  'receivedPerPledge',
  'goodsGroupedBy',
  'filtered',
]);

/** The SQL each repository method sends while it runs (a call made inside another is its caller's). */
class SqlRecorder {
  private readonly running = new AsyncLocalStorage<string>();
  /** Per method, the first statement of each shape sent. */
  readonly sql = new Map<string, Map<string, string>>();
  readonly methods = new Map<string, string[]>();
  private readonly called = new Set<string>();

  constructor(t: TestContext) {
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, queryRunner) => {
      const method = this.running.getStore();
      if (method) {
        const seen = this.sql.get(method) ?? new Map<string, string>();
        if (!seen.has(shapeOf(query))) seen.set(shapeOf(query), query);
        this.sql.set(method, seen);
      }
      return logQuery(query, parameters, queryRunner);
    };
  }

  /** Wraps the instance's methods (they still run as written) so the SQL they send is recorded under `Class.method`. */
  watch(instance: object, className: string): void {
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    const names = Object.getOwnPropertyNames(prototype).filter(
      (name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === 'function',
    );
    this.methods.set(className, names);
    const target = instance as Record<string, (...args: unknown[]) => unknown>;
    for (const name of names) {
      const original = prototype[name] as (...args: unknown[]) => unknown;
      const label = `${className}.${name}`;
      target[name] = (...args: unknown[]) => {
        if (this.running.getStore()) return original.apply(instance, args);
        this.called.add(label);
        return this.running.run(label, () => original.apply(instance, args));
      };
    }
  }

  /** The repository's statements as a file: each public method's distinct SQL, sorted (parallel queries log in any order). */
  file(className: string): string {
    const blocks = (this.methods.get(className) ?? [])
      .filter((name) => !HELPERS.has(name))
      .sort()
      .map((name) => {
        const statements = [...(this.sql.get(`${className}.${name}`)?.values() ?? [])].sort();
        return `-- ${className}.${name}\n${statements.length ? statements.map((sql) => `${sql};`).join('\n\n') : '-- (no SQL on this database)'}\n`;
      });
    return `-- The SQL ${className} sends on ${TEST_DB === 'postgres' ? 'PostgreSQL' : 'SQLite'}, recorded by test/medium/ledger-repositories.test.ts.\n-- Regenerate: UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium (and with TEST_DB=postgres).\n\n${blocks.join('\n')}`;
  }

  /** Public methods not called yet. */
  uncalled(className: string): string[] {
    return (this.methods.get(className) ?? []).filter((name) => !HELPERS.has(name) && !this.called.has(`${className}.${name}`));
  }
}

/**
 * A statement's shape: the same SQL whatever the ids it inlines or binds and however many rows or
 * list items it carries. A method that sends one shape for every call shows once in the file.
 */
function shapeOf(sql: string): string {
  return sql.replace(/\d+/g, 'N').replace(/(\((?:[^()]|\([^()]*\))*\)|\?|\$N|N)(?:, \1)*/g, '$1…');
}

/** Minor units of an amount written as text. */
const minor = (amount: string, currency: string) => parseAmount(amount, currency).minor;

/** `amount` of `from` in `to` at the product of `rates` (a chain), rounded once: the conversion rule applied by hand. */
function converted(amount: string, from: string, to: string, ...rates: string[]): bigint {
  const legs = rates.map((rate) => ({ quote: { base: from, quote: to, rate, date: '', source: '' }, inverted: false }));
  return convertMinor({ minor: minor(amount, from), currency: from }, to, effectiveRate(legs)).minor;
}

describe.each([TEST_DB])('the ledger repositories on %s', () => {
  let t: TestContext;
  let sql: SqlRecorder;
  let ledger: LedgerRepository;
  let figures: LedgerFiguresRepository;
  let valuation: LedgerValuationRepository;
  let instalments: InstalmentsRepository;
  const today = todayUtc();
  const RATES: TestRate[] = [
    { base: 'EUR', quote: 'USD', rate: '1.1000', date: '2024-01-02' },
    { base: 'EUR', quote: 'USD', rate: '1.2500', date: '2024-06-03' },
    { base: 'USD', quote: 'AZN', rate: '1.7000', date: '2017-01-03' },
  ];
  const EARLY = RATES[0].rate;
  const LATE = RATES[1].rate;
  const AZN = RATES[2].rate;
  let donorA: number;
  let donorB: number;
  let p: Record<'euros' | 'owed' | 'vehicles' | 'withdrawn' | 'dogs' | 'shared', PledgeView>;
  let r: Record<'euros' | 'dollars' | 'vehicles' | 'dogs', DisbursementView>;

  beforeAll(async () => {
    t = await createTestContext();
    sql = new SqlRecorder(t);
    ledger = t.get(LedgerRepository);
    figures = t.get(LedgerFiguresRepository);
    valuation = t.get(LedgerValuationRepository);
    sql.watch(ledger, 'LedgerRepository');
    sql.watch(figures, 'LedgerFiguresRepository');
    sql.watch(valuation, 'LedgerValuationRepository');
    instalments = t.get(InstalmentsRepository);
    sql.watch(instalments, 'InstalmentsRepository');

    const make = serviceFactories(t);
    await make.priorities(3);
    await make.rates(RATES);
    donorA = await make.donor({ name: 'Parity Donor A' });
    donorB = await make.donor({ name: 'Parity Donor B', type: 'ngo' });
    const euros = await make.pledge(donorA, {
      amount: '1000.00',
      currency: 'EUR',
      pledgedOn: '2024-01-10',
      priorityCodes: ['P01', 'P02'],
      externalRef: 'parity-1',
    });
    const owed = await make.pledge(donorA, {
      amount: '300.00',
      pledgedOn: null,
      sourceDate: '2024-07-01',
      priorityCodes: ['P03'],
      receiptExpectation: 'owed',
      status: 'announced',
    });
    const vehicles = await make.pledge(donorB, {
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 4, unit: 'vehicles', unitValue: { amount: '250.00', currency: 'USD' } },
      pledgedOn: '2024-02-01',
    });
    const withdrawn = await make.pledge(donorB, { amount: '999.00', pledgedOn: '2024-01-05', priorityCodes: ['P02'] });
    const dogs = await make.pledge(donorB, {
      kind: 'in_kind',
      amount: undefined,
      currency: undefined,
      inKind: { quantity: 10, unit: 'dogs', upTo: true },
      pledgedOn: '2024-03-01',
      priorityCodes: ['P02'],
    });
    const shared = await make.pledge(donorA, {
      amount: '200.00',
      currency: 'EUR',
      pledgedOn: '2024-06-10',
      priorityCodes: ['P01', 'P03'],
      priorityShares: ['25', '75'],
    });
    p = { euros, owed, vehicles, withdrawn, dogs, shared };
    r = {
      euros: await make.receipt(euros.id, { amount: '100.00', currency: 'EUR', receivedOn: '2024-06-10' }),
      dollars: await make.receipt(euros.id, { amount: '550.00', currency: 'USD', receivedOn: '2024-07-01' }),
      vehicles: await make.receipt(vehicles.id, { quantity: 2, receivedOn: '2024-03-01' }),
      dogs: await make.receipt(dogs.id, { quantity: 3, receivedOn: '2024-04-01' }),
    };
    await make.cancel(withdrawn.id);
    await t.get(PledgesService).update(ORGANISATION_1, shared.id, { notes: 'Shares agreed in the exchange of letters' });
  });
  afterAll(() => t.close());

  describe('LedgerRepository', () => {
    it('reads a pledge with its donor, earmarks by code and the values stored when it was written', async () => {
      const found = await ledger.findById(1, p.euros.id);
      expect(found).toMatchObject({ id: p.euros.id, title: p.euros.title, donorId: donorA, externalRef: 'parity-1', amountMinor: minor('1000.00', 'EUR') });
      expect(found?.donor.name).toBe('Parity Donor A');
      expect(found?.earmarks.map((e) => e.priorityCode)).toEqual(['P01', 'P02']);
      expect(await ledger.findById(2, p.euros.id)).toBeNull(); // another organisation's id finds nothing
      expect([found?.valueUsdMinor, found?.valueEurMinor, found?.valueAznMinor]).toEqual([
        converted('1000.00', 'EUR', 'USD', EARLY),
        minor('1000.00', 'EUR'),
        converted('1000.00', 'EUR', 'AZN', EARLY, AZN),
      ]);
      expect(found?.valuedAt).not.toBeNull();
      expect(await ledger.findById(1, 999_999)).toBeNull();
      expect((await ledger.findByIds([p.owed.id, p.euros.id])).map((x) => x.id)).toEqual([p.euros.id, p.owed.id]);
      expect(await ledger.findByIds([])).toEqual([]);
    });

    it('reads receipts by pledge (oldest first) and a page at a time (by id, with pledge and donor)', async () => {
      expect((await ledger.receiptsOf(p.euros.id)).map((d) => d.id)).toEqual([r.euros.id, r.dollars.id]);
      expect((await ledger.receiptsOfPledges([p.euros.id, p.vehicles.id])).map((d) => d.id)).toEqual([r.vehicles.id, r.euros.id, r.dollars.id]);
      expect(await ledger.receiptsOfPledges([])).toEqual([]);
      const first = await ledger.receiptPage(1, 0, 2);
      expect(first.map((d) => [d.id, d.pledge.id, d.pledge.donor.name])).toEqual([
        [r.euros.id, p.euros.id, 'Parity Donor A'],
        [r.dollars.id, p.euros.id, 'Parity Donor A'],
      ]);
      expect((await ledger.receiptPage(1, r.dollars.id, 10)).map((d) => d.id)).toEqual([r.vehicles.id, r.dogs.id]);
      const [dollars] = await ledger.receiptsOf(p.euros.id).then((rows) => rows.filter((d) => d.id === r.dollars.id));
      // 550.00 USD counts 440.00 EUR against the pledge at 1.25; it is worth itself in USD.
      expect([dollars.countedMinor, dollars.valueUsdMinor, dollars.valueCurrency]).toEqual([minor('440.00', 'EUR'), minor('550.00', 'USD'), 'USD']);
    });

    it('pages pledges by every filter, in SQL', async () => {
      const ids = async (filter: Partial<Parameters<LedgerRepository['page']>[0]>) =>
        (await ledger.page({ organisationId: 1, afterId: 0, limit: 50, ...filter })).map((x) => x.id);
      const all = Object.values(p).map((x) => x.id);
      expect(await ids({})).toEqual(all);
      expect(await ids({ limit: 2 })).toEqual(all.slice(0, 3));
      expect(await ids({ afterId: p.withdrawn.id })).toEqual(all.filter((id) => id > p.withdrawn.id));
      expect(await ids({ newestFirst: true })).toEqual([...all].reverse());
      expect(await ids({ newestFirst: true, afterId: p.withdrawn.id })).toEqual(all.filter((id) => id < p.withdrawn.id).reverse());
      expect(await ids({ donorId: donorB })).toEqual([p.vehicles.id, p.withdrawn.id, p.dogs.id]);
      expect(await ids({ currency: 'EUR' })).toEqual([p.euros.id, p.shared.id]);
      expect(await ids({ priorityCode: 'P03' })).toEqual([p.owed.id, p.shared.id]);
      expect(await ids({ search: '%donor b%' })).toEqual([p.vehicles.id, p.withdrawn.id, p.dogs.id]);
      expect(await ids({ search: `%${p.owed.title.toLowerCase()}%` })).toEqual([p.owed.id]);
      expect(await ids({ status: 'partly_disbursed' })).toEqual([p.euros.id, p.vehicles.id, p.dogs.id]);
      expect(await ids({ status: 'cancelled' })).toEqual([p.withdrawn.id]);
      expect(await ids({ status: 'announced' })).toEqual([p.owed.id]);
      expect(await ids({ status: 'committed' })).toEqual([p.shared.id]);
      expect(await ids({ status: 'fully_disbursed' })).toEqual([]);
      expect(await ids({ organisationId: 2 })).toEqual([]); // another organisation's list holds none of these
      expect(await ledger.receiptPage(2, 0, 10)).toEqual([]);
      expect(
        (await ledger.page({ organisationId: 1, afterId: 0, limit: 50, currency: 'EUR' }))[1].earmarks.map((e) => [e.priorityCode, e.shareBasisPoints]),
      ).toEqual([
        ['P01', 2500],
        ['P03', 7500],
      ]);
    });

    it('sums cash pledges per currency pledged in under the list filter, cancelled ones apart', async () => {
      // The same sums worked out in TypeScript from the rows the list pages return.
      const expected = async (filter: Partial<Parameters<LedgerRepository['page']>[0]>) => {
        const byCurrency = new Map<string, { pledged: bigint; received: bigint; cancelled: bigint; standing: number; cancelledCount: number }>();
        for (const x of await ledger.page({ organisationId: 1, afterId: 0, limit: 50, ...filter })) {
          if (x.kind !== 'cash' || x.amountMinor === null || x.currency === null) continue;
          const t = byCurrency.get(x.currency) ?? { pledged: 0n, received: 0n, cancelled: 0n, standing: 0, cancelledCount: 0 };
          if (x.cancelledAt) {
            t.cancelled += x.amountMinor;
            t.cancelledCount++;
          } else {
            t.pledged += x.amountMinor;
            t.received += x.disbursedMinor;
            t.standing++;
          }
          byCurrency.set(x.currency, t);
        }
        return [...byCurrency].sort(([a], [b]) => a.localeCompare(b));
      };
      const actual = async (filter: Partial<Parameters<LedgerRepository['page']>[0]>) =>
        (await ledger.totalsByCurrency({ organisationId: 1, ...filter })).map((t) => [
          t.currency,
          { pledged: t.pledgedMinor, received: t.receivedMinor, cancelled: t.cancelledMinor, standing: t.standing, cancelledCount: t.cancelledCount },
        ]);
      for (const filter of [
        {},
        { donorId: donorA },
        { donorId: donorB },
        { currency: 'EUR' },
        { priorityCode: 'P02' },
        { status: 'cancelled' as const },
        { search: '%donor a%' },
      ]) {
        expect({ filter, totals: await actual(filter) }).toEqual({ filter, totals: await expected(filter) });
      }
      expect((await actual({})).length).toBeGreaterThan(1);
    });

    it('knows which external references are taken, stored or generated by an export', async () => {
      expect(await ledger.externalRefUsed(1, 'parity-1')).toBe(true);
      expect(await ledger.externalRefUsed(1, 'parity-none')).toBe(false);
      const generated = new Map([
        [p.owed.id, `mat-pledge-${p.owed.id}`],
        [p.euros.id, `mat-pledge-${p.euros.id}`],
      ]);
      const refs = ['parity-1', 'parity-none', ...generated.values()];
      const found = await ledger.existingRefs(1, refs, generated);
      expect([...found.keys()].sort()).toEqual(['mat-pledge-' + p.owed.id, 'parity-1'].sort());
      expect(found.get('mat-pledge-' + p.owed.id)).toBe(p.owed.id);
    });

    it('writes pledges, receipts, edits and cancellations (through the services above), and locks a pledge in a transaction', async () => {
      expect((await ledger.findById(1, p.shared.id))?.notes).toBe('Shares agreed in the exchange of letters');
      expect((await ledger.findById(1, p.withdrawn.id))?.cancelReason).toBe('test factory: withdrawn');
      expect((await ledger.findById(1, p.euros.id))?.disbursedMinor).toBe(minor('540.00', 'EUR'));
      expect((await ledger.findById(1, p.dogs.id))?.deliveredQuantity).toBe(3);
      await t.get(UnitOfWork).transaction(async (tx) => {
        await ledger.lockForUpdate(tx, p.euros.id);
        expect((await ledger.findById(1, p.euros.id, tx))?.id).toBe(p.euros.id);
      });
    });
  });

  describe('LedgerFiguresRepository', () => {
    const before = '2024-12-31';

    it('sums pledged and cancelled money per donor and kind from the stored values', async () => {
      const usd = (amount: string) => minor(amount, 'USD');
      const pledgedA = converted('1000.00', 'EUR', 'USD', EARLY) + usd('300.00') + converted('200.00', 'EUR', 'USD', LATE);
      const sorted = <T extends { donorId: number; kind: string }>(rows: T[]) => rows.sort((a, b) => a.donorId - b.donorId || a.kind.localeCompare(b.kind));
      expect(sorted(await figures.pledgedByDonor(today, 'USD', { priorityCode: 'P03' }))).toEqual([
        { donorId: donorA, kind: 'cash', valueMinor: usd('300.00') + converted('200.00', 'EUR', 'USD', LATE), unvalued: 0, waiting: 0 },
      ]);
      const standing = sorted(await figures.pledgedByDonor(today, 'USD', { donorId: donorA }));
      expect(standing).toEqual([{ donorId: donorA, kind: 'cash', valueMinor: pledgedA, unvalued: 0, waiting: 0 }]);
      expect(sorted(await figures.pledgedByDonor(before, 'USD', { donorId: donorB }))).toEqual([
        { donorId: donorB, kind: 'cash', valueMinor: usd('999.00'), unvalued: 0, waiting: 0 },
        { donorId: donorB, kind: 'in_kind', valueMinor: usd('1000.00'), unvalued: 0, waiting: 0 },
      ]);
      expect(await figures.cancelledByDonor(today, 'USD', { donorId: donorB })).toEqual([
        { donorId: donorB, kind: 'cash', valueMinor: usd('999.00'), unvalued: 0, waiting: 0 },
      ]);
      expect(await figures.cancelledByDonor(before, 'USD', { donorId: donorB })).toEqual([]);
    });

    it('sums receipts per donor and kind at their own dates; goods without a value count nowhere', async () => {
      const rows = await figures.receivedByDonor(today, 'USD', { status: 'partly_disbursed' });
      expect(rows.sort((a, b) => a.donorId - b.donorId)).toEqual([
        { donorId: donorA, kind: 'cash', valueMinor: converted('100.00', 'EUR', 'USD', LATE) + minor('550.00', 'USD'), unvalued: 0, waiting: 0 },
        { donorId: donorB, kind: 'in_kind', valueMinor: minor('500.00', 'USD'), unvalued: 0, waiting: 0 },
      ]);
      expect(await figures.receivedByDonor('2024-03-31', 'USD', { currency: 'USD' })).toEqual([
        { donorId: donorB, kind: 'in_kind', valueMinor: minor('500.00', 'USD'), unvalued: 0, waiting: 0 },
      ]);
    });

    it('sums per priority and split rule, pledged and received', async () => {
      const key = (rows: Awaited<ReturnType<LedgerFiguresRepository['pledgedByPriority']>>) =>
        rows.map((x) => [x.priorityCode, x.earmarkCount, x.shareBasisPoints, x.valueMinor, x.waiting]).sort((a, b) => String(a).localeCompare(String(b)));
      const euros = converted('1000.00', 'EUR', 'USD', EARLY);
      const shared = converted('200.00', 'EUR', 'USD', LATE);
      expect(key(await figures.pledgedByPriority(today, 'USD', { donorId: donorA }))).toEqual(
        [
          ['P01', 2, null, euros, 0],
          ['P01', 2, 2500, shared, 0],
          ['P02', 2, null, euros, 0],
          ['P03', 1, null, minor('300.00', 'USD'), 0],
          ['P03', 2, 7500, shared, 0],
        ].sort((a, b) => String(a).localeCompare(String(b))),
      );
      const received = converted('100.00', 'EUR', 'USD', LATE) + minor('550.00', 'USD');
      expect(key(await figures.receivedByPriority(today, 'USD', { search: '%parity donor%' }))).toEqual(
        [
          ['P01', 1, null, minor('500.00', 'USD'), 0],
          ['P01', 2, null, received, 0],
          ['P02', 2, null, received, 0],
        ].sort((a, b) => String(a).localeCompare(String(b))),
      );
    });

    it('gives each standing pledge’s unreceived balance in its own currency, by receipt status', async () => {
      const rows = await figures.balancesByDonor(today, { donorId: donorA });
      expect(rows.map((x) => [x.bucket, x.currency, x.valueDate, x.amountMinor]).sort((a, b) => String(a).localeCompare(String(b)))).toEqual(
        [
          ['not_documented', 'EUR', '2024-01-10', minor('460.00', 'EUR')],
          ['not_documented', 'EUR', '2024-06-10', minor('200.00', 'EUR')],
          ['outstanding', 'USD', '2024-07-01', minor('300.00', 'USD')],
        ].sort((a, b) => String(a).localeCompare(String(b))),
      );
    });

    it('lists the value dates money converts at, goods in their units, and how earmarks split', async () => {
      expect((await figures.valueDates(today)).map((v) => `${v.currency}@${v.valueDate}`).sort()).toEqual([
        'EUR@2024-01-10',
        'EUR@2024-06-10',
        'USD@2024-02-01',
        'USD@2024-03-01',
        'USD@2024-07-01',
      ]);
      expect((await figures.valueDates(today, { donorId: donorA })).map((v) => `${v.currency}@${v.valueDate}`).sort()).toEqual([
        'EUR@2024-01-10',
        'EUR@2024-06-10',
        'USD@2024-07-01',
      ]);
      expect(await figures.inKindQuantities(today, { donorId: donorB })).toEqual([
        { donorId: donorB, unit: 'dogs', pledged: 10, delivered: 3, upTo: true, toCome: 7, toComeUpTo: true },
        { donorId: donorB, unit: 'vehicles', pledged: 4, delivered: 2, upTo: false, toCome: 2, toComeUpTo: false },
      ]);
      expect(await figures.inKindQuantitiesByPriority('2024-03-15')).toEqual([
        { priorityCode: 'P01', unit: 'vehicles', pledged: 4, delivered: 2, upTo: false, toCome: 2, toComeUpTo: false },
        { priorityCode: 'P02', unit: 'dogs', pledged: 10, delivered: 0, upTo: true, toCome: 10, toComeUpTo: true },
      ]);
      expect(await figures.splitRuleCounts(today, { donorId: donorA })).toEqual({ statedShares: 1, evenSplit: 1 });
    });

    it('lists a donor’s largest and latest pledges, and gives the figures of a few', async () => {
      const candidates = await figures.donorPledgeCandidates(donorA, 'USD', 2, 2);
      expect({ ...candidates, largest: candidates.largest.map((c) => c.id), latest: candidates.latest.map((c) => c.id) }).toEqual({
        largest: [p.euros.id, p.owed.id],
        latest: [p.owed.id, p.shared.id],
        waiting: [],
        count: 3,
      });
      const rows = await figures.pledgeFigures([p.euros.id, p.owed.id, p.withdrawn.id], today, 'USD');
      expect(
        rows.sort((a, b) => a.id - b.id).map((x) => [x.id, x.currency, x.valueDate, x.pledgedValue, x.receivedValue, x.balanceMinor, x.bucket, x.waiting]),
      ).toEqual([
        [
          p.euros.id,
          'EUR',
          '2024-01-10',
          converted('1000.00', 'EUR', 'USD', EARLY),
          converted('100.00', 'EUR', 'USD', LATE) + minor('550.00', 'USD'),
          minor('460.00', 'EUR'),
          'not_documented',
          false,
        ],
        [p.owed.id, 'USD', '2024-07-01', minor('300.00', 'USD'), 0n, minor('300.00', 'USD'), 'outstanding', false],
        [p.withdrawn.id, 'USD', '2024-01-05', minor('999.00', 'USD'), 0n, minor('999.00', 'USD'), 'cancelled', false],
      ]);
      expect(await figures.pledgeFigures([], today, 'USD')).toEqual([]);
    });
  });

  describe('the ledger as known on a day', () => {
    it('copies it into temporary tables that the same SQL reads, each pledge as it then stood, every row waiting for valuation', async () => {
      const known = { donorId: donorB, knownOn: today };
      const sorted = <T extends { kind: string }>(rows: T[]) => rows.sort((a, b) => a.kind.localeCompare(b.kind));
      const read = await t.get(UnitOfWork).readSnapshot(
        async (reader) => {
          const before = pastPledgeState(p.withdrawn.id, {
            title: 'Before its cancellation',
            commitment: 'announced',
            cancelledAt: null,
            priorityCodes: ['P01'],
          });
          await figures.buildKnownOn(reader, today, [before]);
          try {
            return {
              pledged: sorted(await figures.pledgedByDonor(today, 'USD', known, reader)),
              cancelled: await figures.cancelledByDonor(today, 'USD', known, reader),
              earmarked: (await figures.pledgedByPriority(today, 'USD', known, reader)).map((e) => e.priorityCode),
            };
          } finally {
            await figures.dropKnownOn(reader);
          }
        },
        { temporaryTables: true },
      );
      expect(read).toEqual({
        pledged: [
          { donorId: donorB, kind: 'cash', valueMinor: 0n, unvalued: 0, waiting: 1 },
          { donorId: donorB, kind: 'in_kind', valueMinor: 0n, unvalued: 0, waiting: 1 },
        ],
        cancelled: [],
        earmarked: ['P01'],
      });
      // The records a statement describes, today: each pledge once (cancelled marked), each receipt as recorded.
      const records = await figures.pledgeRecords(today, { donorId: donorB });
      expect(records.map((r) => [r.id, r.kind, r.cancelled, r.receivedMinor, r.deliveredQuantity])).toEqual([
        [p.vehicles.id, 'in_kind', false, 0n, 2],
        [p.withdrawn.id, 'cash', true, 0n, 0],
        [p.dogs.id, 'in_kind', false, 0n, 3],
      ]);
      expect((await figures.receiptRecords(today, { donorId: donorB })).map((r) => [r.id, r.pledgeId, r.quantity])).toEqual([
        [r.vehicles.id, p.vehicles.id, 2],
        [r.dogs.id, p.dogs.id, 3],
      ]);
      // Today's figures are untouched: the withdrawn pledge is cancelled and earmarked to P02.
      expect(await figures.cancelledByDonor(today, 'USD', { donorId: donorB })).toEqual([
        { donorId: donorB, kind: 'cash', valueMinor: minor('999.00', 'USD'), unvalued: 0, waiting: 0 },
      ]);
    });
  });

  describe('LedgerValuationRepository (and the waiting rows as the figures see them)', () => {
    it('marks the rows a rate may change, lists and values them, and leaves valued rows alone', async () => {
      const uow = t.get(UnitOfWork);
      const values = async (id: number): Promise<RowValues> => {
        const x = await ledger.findById(1, id);
        return { id, values: { USD: x?.valueUsdMinor ?? null, EUR: x?.valueEurMinor ?? null, AZN: x?.valueAznMinor ?? null }, valueCurrency: null };
      };
      const stored = [await values(p.owed.id), await values(p.shared.id)];
      const receipts = await ledger.receiptsOf(p.euros.id);
      expect(await valuation.anyWaiting()).toBe(false);

      // A revaluation marked whole, a window of two rows at a time.
      const revalueFrom = async (tx: Transaction, from: string, currency: string | null) => {
        const revaluation = await valuation.recordRevaluation(tx, from, currency);
        while (!(await valuation.markWindow(tx, revaluation, 2)));
      };
      await uow.transaction(async (tx) => {
        await revalueFrom(tx, '2024-01-01', 'GBP');
        expect(await valuation.nextWaiting(tx, 'pledges', 0)).toBeNull();
        await revalueFrom(tx, '2024-06-01', null);
        expect(await valuation.pendingRevaluations(tx)).toEqual([]);
        expect(await valuation.nextWaiting(tx, 'pledges', 0)).toBe(p.owed.id);
        expect(await valuation.nextWaiting(tx, 'pledges', p.shared.id)).toBeNull();
        expect(await valuation.waitingPledges(tx, p.owed.id, p.owed.id + 2_000)).toEqual([
          { id: p.owed.id, currency: 'USD', amountMinor: minor('300.00', 'USD'), valueDate: '2024-07-01' },
          { id: p.shared.id, currency: 'EUR', amountMinor: minor('200.00', 'EUR'), valueDate: '2024-06-10' },
        ]);
        expect((await valuation.waitingReceipts(tx, 0, 2_000)).map((x) => [x.id, x.amountMinor, x.currency, x.receivedOn, x.pledgeKind])).toEqual([
          [r.euros.id, minor('100.00', 'EUR'), 'EUR', '2024-06-10', 'cash'],
          [r.dollars.id, minor('550.00', 'USD'), 'USD', '2024-07-01', 'cash'],
        ]);
        expect((await valuation.currenciesWaiting(tx)).sort()).toEqual(['EUR', 'USD']);
      });
      expect(await valuation.anyWaiting()).toBe(true);
      // Two pledges and two receipts wait: counted per table up to the bound.
      expect([await valuation.countWaiting(10), await valuation.countWaiting(1), await valuation.countWaiting(0)]).toEqual([4, 2, 0]);
      expect(await valuation.pledgeFactsOf(t.dataSource.manager, [p.shared.id])).toEqual([
        { id: p.shared.id, currency: 'EUR', amountMinor: minor('200.00', 'EUR'), valueDate: '2024-06-10' },
      ]);
      expect(
        (await valuation.receiptFactsOf(t.dataSource.manager, [r.vehicles.id])).map((x) => [x.id, x.quantity, x.pledgeCurrency, x.unitValueMinor]),
      ).toEqual([[r.vehicles.id, 2, 'USD', minor('250.00', 'USD')]]);

      // The figures count the waiting rows apart, and say which they are.
      expect(await figures.pledgedByDonor(today, 'USD', { donorId: donorA })).toEqual([
        { donorId: donorA, kind: 'cash', valueMinor: converted('1000.00', 'EUR', 'USD', EARLY), unvalued: 0, waiting: 2 },
      ]);
      const earmarks = (rows: Array<{ earmarks: Array<{ priorityCode: string; shareBasisPoints: number | null; earmarkCount: number }> }>) =>
        rows.map((x) => x.earmarks.map((e) => `${e.priorityCode} ${e.shareBasisPoints ?? 'even'} of ${e.earmarkCount}`));
      const pledgesWaiting = await figures.waitingPledges(today, { donorId: donorA }, 0, p.shared.id + 1);
      expect(pledgesWaiting.map((x) => [x.id, x.cancelled, x.currency, x.valueDate])).toEqual([
        [p.owed.id, false, 'USD', '2024-07-01'],
        [p.shared.id, false, 'EUR', '2024-06-10'],
      ]);
      expect(earmarks(pledgesWaiting)).toEqual([['P03 even of 1'], ['P01 2500 of 2', 'P03 7500 of 2']]);
      expect((await figures.waitingPledges(today, {}, p.shared.id, p.shared.id + 1)).map((x) => x.id)).toEqual([p.shared.id]);
      const receiptsWaiting = await figures.waitingReceipts(today, {}, 0, r.dogs.id + 1);
      expect(receiptsWaiting.map((x) => [x.id, x.pledgeId, x.donorId, x.currency])).toEqual([
        [r.euros.id, p.euros.id, donorA, 'EUR'],
        [r.dollars.id, p.euros.id, donorA, 'USD'],
      ]);
      expect(earmarks(receiptsWaiting)).toEqual([
        ['P01 even of 2', 'P02 even of 2'],
        ['P01 even of 2', 'P02 even of 2'],
      ]);
      expect((await figures.donorPledgeCandidates(donorA, 'USD', 5, 0)).waiting.map((c) => c.id)).toEqual([p.owed.id, p.shared.id]);
      expect((await figures.pledgeFigures([p.euros.id], today, 'USD'))[0].waitingReceipts).toEqual([r.euros.id, r.dollars.id]);

      await uow.transaction(async (tx) => {
        const bogus = { id: p.euros.id, values: { USD: 1n, EUR: 1n, AZN: 1n }, valueCurrency: null };
        await valuation.storeValues(tx, 'pledges', [bogus, ...stored], true);
        await valuation.storeValues(
          tx,
          'disbursements',
          receipts.map((d) => ({ id: d.id, values: { USD: d.valueUsdMinor, EUR: d.valueEurMinor, AZN: d.valueAznMinor }, valueCurrency: d.valueCurrency })),
          true,
        );
      });
      expect(await valuation.anyWaiting()).toBe(false);
      // While a revaluation is still marking rows no stored value is trusted: every row listed as waiting, nothing summed.
      const [distrusted] = await figures.pledgeFigures([p.euros.id], today, 'USD', undefined, { everyRowWaits: true });
      expect([distrusted.waiting, distrusted.waitingReceipts, distrusted.receivedValue, distrusted.unvaluedReceipts]).toEqual([
        true,
        receipts.map((d) => d.id),
        0n,
        0,
      ]);
      expect((await ledger.findById(1, p.euros.id))?.valueUsdMinor).toBe(converted('1000.00', 'EUR', 'USD', EARLY));
      expect((await ledger.receiptsOf(p.euros.id)).map((d) => [d.valueUsdMinor, d.valueCurrency])).toEqual(
        receipts.map((d) => [d.valueUsdMinor, d.valueCurrency]),
      );
    });
  });

  describe('LedgerValuationRepository: a revaluation marked in windows (pending_revaluations)', () => {
    it('marks a window of ids per call, pledges then receipts, keeps its position, and is deleted once both are done', async () => {
      const ids = async (tx: Transaction, sql: string) => (await tx.query<Array<{ id: number | string }>>(sql)).map((r) => Number(r.id));
      await expect(
        t.get(UnitOfWork).transaction(async (tx) => {
          const pledgeIds = await ids(tx, 'SELECT id FROM pledges ORDER BY id');
          const receiptIds = await ids(tx, 'SELECT id FROM disbursements ORDER BY id');
          const waitingIn = (table: 'pledges' | 'disbursements') => ids(tx, `SELECT id FROM ${table} WHERE valued_at IS NULL ORDER BY id`);
          expect(pledgeIds.length).toBeGreaterThan(4);
          expect(receiptIds.length).toBeGreaterThan(2);
          expect([await waitingIn('pledges'), await waitingIn('disbursements')]).toEqual([[], []]);

          const revaluation = await valuation.recordRevaluation(tx, '2000-01-01', null);
          expect(revaluation).toMatchObject({ from: '2000-01-01', currency: null, nextPledgeId: 0, nextReceiptId: 0 });
          expect(await valuation.markWindow(tx, revaluation, 2)).toBe(false);
          expect(await waitingIn('pledges')).toEqual(pledgeIds.slice(0, 2));
          expect(revaluation.nextPledgeId).toBe(pledgeIds[2]);
          expect(await valuation.pendingRevaluations(tx)).toEqual([revaluation]);

          let windows = 1;
          while (revaluation.nextPledgeId !== null) {
            expect(await valuation.markWindow(tx, revaluation, 2)).toBe(false);
            windows++;
          }
          expect(windows).toBe(Math.ceil(pledgeIds.length / 2));
          expect(await waitingIn('pledges')).toEqual(pledgeIds);
          expect(await waitingIn('disbursements')).toEqual([]);
          expect(await valuation.pendingRevaluations(tx)).toEqual([{ ...revaluation, nextPledgeId: null, nextReceiptId: 0 }]);

          windows = 0;
          let done = false;
          while (!done) {
            done = await valuation.markWindow(tx, revaluation, 2);
            windows++;
            if (!done) expect(await waitingIn('disbursements')).toEqual(receiptIds.slice(0, 2 * windows));
          }
          expect(windows).toBe(Math.ceil(receiptIds.length / 2));
          expect(await waitingIn('disbursements')).toEqual(receiptIds);
          expect(await valuation.pendingRevaluations(tx)).toEqual([]);
          throw new Error('rolled back on purpose');
        }),
      ).rejects.toThrow('rolled back on purpose');
      expect(await valuation.anyWaiting()).toBe(false);
      expect(await valuation.pendingRevaluations()).toEqual([]);
    });
  });

  describe('InstalmentsRepository', () => {
    it('writes, reads, moves and removes planned instalments (through the use-case), and lists them in a window with what their states need', async () => {
      const plans = t.get(PledgeInstalmentsService);
      const add = async (pledgeId: number, dueOn: string, size: { amount?: string; quantity?: number }) =>
        (await plans.add(ORGANISATION_1, pledgeId, { dueOn, ...size }, null)).body.id;
      const a = await add(p.euros.id, addDays(today, -30), { amount: '300.00' });
      const b = await add(p.euros.id, addDays(today, 10), { amount: '300.00' });
      const c = await add(p.euros.id, addDays(today, 400), { amount: '400.00' });
      const d = await add(p.dogs.id, addDays(today, -1), { quantity: 5 });
      const e = await add(p.dogs.id, addDays(today, 5), { quantity: 5 });
      expect((await instalments.liveOfPledge(p.euros.id)).map((i) => [i.id, i.amountMinor, i.quantity])).toEqual([
        [a, minor('300.00', 'EUR'), null],
        [b, minor('300.00', 'EUR'), null],
        [c, minor('400.00', 'EUR'), null],
      ]);
      expect((await instalments.liveOfPledges([p.dogs.id, p.euros.id])).map((i) => i.id)).toEqual([a, b, c, d, e]);
      expect((await instalments.findLive(p.euros.id, b))?.dueOn).toBe(addDays(today, 10));
      expect(await instalments.findLive(p.dogs.id, b)).toBeNull();

      await plans.change(ORGANISATION_1, p.euros.id, c, { dueOn: addDays(today, 20) });
      await plans.remove(ORGANISATION_1, p.dogs.id, e);
      expect(await instalments.findLive(p.dogs.id, e)).toBeNull();

      const euros = await ledger.findById(1, p.euros.id);
      const dogs = await ledger.findById(1, p.dogs.id);
      const window = await instalments.inWindow({ today, from: today, to: addDays(today, 30) });
      const mine = window.filter((r) => r.pledgeId === p.euros.id || r.pledgeId === p.dogs.id);
      // Each row's state from its own facts equals the state of the pledge's whole schedule.
      const eurosSchedule = scheduleStanding(
        [a, b, c].map((id, n) => ({
          id,
          dueOn: [addDays(today, -30), addDays(today, 10), addDays(today, 20)][n],
          size: minor(['300.00', '300.00', '400.00'][n], 'EUR'),
        })),
        { received: euros?.disbursedMinor ?? 0n, cancelled: false },
        today,
      );
      const expectedRows = [
        ...eurosSchedule.filter((s) => s.dueOn >= today || s.state === 'overdue').map((s) => [s.id, s.state]),
        ...(BigInt(dogs?.deliveredQuantity ?? 0) < 5n ? [[d, 'overdue']] : []),
      ].sort((x, y) => mine.findIndex((r) => r.id === x[0]) - mine.findIndex((r) => r.id === y[0]));
      expect(mine.map((r) => [r.id, instalmentStanding({ ...r, cancelled: false }, today).state])).toEqual(expectedRows);
      expect(mine.find((r) => r.id === b)).toMatchObject({
        scheduledBefore: minor('300.00', 'EUR'),
        received: euros?.disbursedMinor,
        currency: 'EUR',
        kind: 'cash',
      });
      expect(mine.find((r) => r.id === d)).toMatchObject({
        scheduledBefore: 0n,
        received: BigInt(dogs?.deliveredQuantity ?? 0),
        unit: 'dogs',
        kind: 'in_kind',
      });
      expect((await instalments.inWindow({ today, from: today, to: addDays(today, 30), donorId: donorB })).map((r) => r.pledgeId)).toEqual(
        mine.filter((r) => r.donorId === donorB).map((r) => r.pledgeId),
      );

      const overdue = mine.filter((r) => instalmentStanding({ ...r, cancelled: false }, today).state === 'overdue').length;
      expect(await instalments.countOverdue(today)).toBe(overdue);
      const uncovered = await instalments.uncoveredCash();
      expect(uncovered.map((r) => r.id)).toEqual(eurosSchedule.filter((s) => s.expected > 0n).map((s) => s.id));
    });
  });

  describe('bulk writes', () => {
    it('writes an import in bulk with the values a single write stores, whichever way they are worked out', async () => {
      const row = (i: number): PledgeColumns => ({
        donorId: donorB,
        title: `Imported ${i}`,
        kind: 'cash',
        commitment: 'committed',
        channel: 'ngo',
        amountMinor: minor(`${100 + i}.05`, 'EUR'),
        currency: 'EUR',
        pledgedOn: i % 2 ? '2024-03-01' : '2024-08-01',
        externalRef: `parity-import-${i}`,
      });
      // Below 50 rows each is valued in the import's transaction; from 50 the worker values them once it commits: the same figures.
      const few = Array.from({ length: 2 }, (_, i) => ({ columns: row(i), earmarks: [{ code: 'P01', shareBasisPoints: null }] }));
      const many = Array.from({ length: 60 }, (_, i) => ({ columns: row(i + 2), earmarks: [] }));
      const inserted = await t.get(UnitOfWork).transaction(async (tx) => {
        const written = [await t.get(Ledger).recordPledges(tx, 1, few), await t.get(Ledger).recordPledges(tx, 1, many)];
        const valuedAt = async (id: number | null) => (await ledger.findById(1, id as number, tx))?.valuedAt ?? null;
        expect([await valuedAt(written[0].lastId), await valuedAt(written[1].firstId)]).toEqual([expect.any(Date), null]);
        return written;
      });
      expect(inserted.map((x) => x.created)).toEqual([2, 60]);
      expect(await t.get(LedgerValuation).settled(60_000)).toBe(true);
      const stored = await ledger.findByIds([
        inserted[0].firstId as number,
        inserted[0].lastId as number,
        inserted[1].firstId as number,
        inserted[1].lastId as number,
      ]);
      for (const x of stored) {
        const rate = x.pledgedOn === '2024-03-01' ? EARLY : LATE;
        const amount = formatAmount(x.amountMinor as bigint, 'EUR');
        expect([x.title, x.valueUsdMinor, x.valueAznMinor]).toEqual([
          x.title,
          converted(amount, 'EUR', 'USD', rate),
          converted(amount, 'EUR', 'AZN', rate, AZN),
        ]);
      }
      expect(stored[0].earmarks.map((e) => e.priorityCode)).toEqual(['P01']);
      expect(await ledger.externalRefUsed(1, 'parity-import-61')).toBe(true);
    });
  });

  it('calls every public method, and each sends the SQL in src/ledger/queries/', () => {
    const classes = ['LedgerRepository', 'LedgerFiguresRepository', 'LedgerValuationRepository', 'InstalmentsRepository'];
    expect(Object.fromEntries(classes.map((c) => [c, sql.uncalled(c)]))).toEqual(Object.fromEntries(classes.map((c) => [c, []])));
    mkdirSync(QUERIES, { recursive: true });
    for (const className of classes) {
      const file = join(
        QUERIES,
        `${className
          .replace(/Repository$/, '')
          .replace(/([a-z])([A-Z])/g, '$1-$2')
          .toLowerCase()}.repository.${TEST_DB}.sql`,
      );
      const actual = sql.file(className);
      if (UPDATE) writeFileSync(file, actual);
      expect({ file, sql: actual }).toEqual({ file, sql: existsSync(file) ? readFileSync(file, 'utf8') : 'missing: run with UPDATE_SQL_SNAPSHOTS=1' });
    }
  });
});
