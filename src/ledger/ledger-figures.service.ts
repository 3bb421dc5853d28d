import { Injectable } from '@nestjs/common';
import { readAll, UnitOfWork, type Transaction } from '../database/unit-of-work';
import {
  LedgerFiguresRepository,
  ledgerTablesOf,
  type BalanceRates,
  type DonorValue,
  type EarmarkShare,
  type LedgerFigureSet,
  type LedgerFilter,
  type PledgeCandidate,
  type PledgeFigureRow,
  type PledgeRecordRow,
  type ReceiptRecordRow,
  type PriorityValue,
  type ValueDate,
  type ValueGaps,
} from './ledger-figures.repository';
import { LedgerValuation, type ReadValuer } from './ledger-valuation';
import { LedgerValuationRepository } from './ledger-valuation.repository';
import { AuditService } from '../audit/audit.service';
import { pastPledgeState, PLEDGE_CHANGE_ACTIONS } from './known-on';
import type { ReportingCurrency } from './reporting-currencies';
import { LedgerAggregates } from './aggregates/ledger-aggregates.service';
import type { PledgeFacts } from './aggregates/contributions';
import type { AggregateCheck } from './aggregates/ledger-aggregates.service';
import { addDays } from '../common/dates';

/**
 * How long a read waits for the valuation worker before valuing what still waits in memory: long
 * enough for the few rows a day's rates mark, short enough that a page after a back-dated rate
 * answers in seconds.
 */
const WORKER_WAIT_MS = 2_000;

/**
 * Ids per window of waiting rows a read values in memory: a bound on its memory. On the bench's
 * 400k-row ledger, the app's peak RSS over the first gap was 461 MB with 20,000-id windows and
 * 410-412 MB with 5,000 or 2,000 (same time within noise); the worker uses 5,000 too.
 */
const READ_WINDOW = 5_000;

export interface DonorPledgeCandidates {
  largest: PledgeCandidate[];
  latest: PledgeCandidate[];
  count: number;
}

const waits = (rows: readonly ValueGaps[]) => rows.some((r) => r.waiting > 0);

/**
 * The ledger's figures for the funding engine, always exact and never written by a read: from the
 * stored values when every row counted has one; otherwise, after waiting at most WORKER_WAIT_MS
 * for the valuation worker, from one snapshot of the database in which the rows still waiting are
 * valued in memory by the same rule and added where each belongs.
 */
@Injectable()
export class LedgerFigures {
  constructor(
    private readonly rows: LedgerFiguresRepository,
    private readonly waiting: LedgerValuationRepository,
    private readonly valuation: LedgerValuation,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly aggregates: LedgerAggregates,
  ) {}

  /** `pledges` with their rows that wait for valuation valued in memory at the rates recorded now (what the worker will store). */
  private async valuedNow(reader: Transaction, pledges: readonly PledgeFacts[]): Promise<PledgeFacts[]> {
    const valuer = await this.valuation.valuerForRead(
      reader,
      pledges.flatMap((p) => [p.currency, ...p.receipts.map((r) => r.currency)]),
    );
    const valuesOf = (value: (to: ReportingCurrency) => bigint | null) => ({ USD: value('USD'), EUR: value('EUR'), AZN: value('AZN') });
    return pledges.map((p) => ({
      ...p,
      waiting: false,
      values: p.waiting
        ? valuesOf((to) => valuer.pledge({ id: p.id, currency: p.currency, amountMinor: p.amountMinor, valueDate: p.valueDate }, to))
        : p.values,
      receipts: p.receipts.map((r) => {
        if (!r.waiting) return r;
        const facts = {
          id: r.id,
          amountMinor: r.amountMinor,
          currency: r.currency,
          quantity: r.quantity,
          receivedOn: r.receivedOn,
          pledgeKind: p.kind,
          pledgeCurrency: p.currency,
          unitValueMinor: p.unitValueMinor,
        };
        return { ...r, waiting: false, valueCurrency: valuer.receipt(facts, 'USD').currency, values: valuesOf((to) => valuer.receipt(facts, to).value) };
      }),
    }));
  }

  /**
   * The sums the funding engine reads. `balanceRates` (the whole ledger only): the balances may
   * come back converted at them (`convertedBalances`), kept converted between reads.
   */
  async figures(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, balanceRates?: BalanceRates): Promise<LedgerFigureSet> {
    if (filter.knownOn !== undefined) return this.figuresKnownOn(asOf, currency, filter, filter.knownOn);
    if (Object.values(filter).every((v) => v === undefined)) {
      // The whole ledger: from the maintained aggregates once they are built.
      const kept = await this.uow.readSnapshot((reader) =>
        this.aggregates.figuresAt(reader, asOf, currency, (stored) => this.valuedNow(reader, stored), { balanceRates }),
      );
      if (kept !== null) {
        if (kept.valuedInMemory > 0 || kept.updating !== null) this.valuation.wake();
        return kept;
      }
    }
    // Two probes of the partial indexes first: when rows wait, the plain read would be done twice.
    if (!(await this.waiting.anyWaiting()) && (await this.waiting.pendingRevaluations()).length === 0) {
      const read = await this.read(asOf, currency, filter);
      if (!this.anyWaiting(read)) return read;
    }
    await this.valuation.settled(WORKER_WAIT_MS);
    return this.uow.readSnapshot(async (reader) => {
      const set = await this.readWithWaitingValued(asOf, currency, filter, reader);
      // A revaluation still marking rows (a ledger too large to mark with the rate): the rows marked
      // so far were valued in memory, the others hold values the rate makes stale until it reaches them.
      const revaluationsPending = (await this.waiting.pendingRevaluations(reader)).length;
      if (revaluationsPending === 0) return set;
      return { ...set, updating: { rowsWaiting: await this.waiting.countWaiting(10_000_000, reader), revaluationsPending } };
    });
  }

  /**
   * The `verify-aggregates` check, in one snapshot: the stored aggregates against the sums worked
   * out again from the rows (LedgerAggregates.verify), and the figures the funding engine reads
   * from them against the ledger's own SQL, in USD and AZN, on every day a stored change is dated
   * (at most `maxDays`, spread evenly), the day before each and `today`. The rows' SQL is compared
   * only when no row waits for valuation (it leaves waiting rows out).
   */
  checkAggregates(today: string, maxDays = 60): Promise<AggregateCheck & { daysCompared: number; figureDifferences: string[] }> {
    return this.uow.readSnapshot(async (reader) => {
      const check = await this.aggregates.verify(reader);
      const figureDifferences: string[] = [];
      if (check.status !== 'ready' || (await this.waiting.anyWaiting(reader)) || (await this.waiting.pendingRevaluations(reader)).length > 0)
        return { ...check, daysCompared: 0, figureDifferences };
      const days = maxDays === 0 ? [] : await this.aggregates.changeDays(reader);
      const step = Math.max(1, Math.ceil(days.length / maxDays));
      const picked = new Set<string>(maxDays === 0 ? [] : [today]);
      for (let i = 0; i < days.length; i += step) picked.add(days[i]).add(addDays(days[i], -1));
      for (const day of [...picked].sort()) {
        for (const currency of ['USD', 'AZN'] as const) {
          // USD from the totals read whole, a few groups at a time; AZN from the totals this instance keeps, moved by the feed.
          const options = currency === 'USD' ? { whole: true, groupsPerRead: CHECK_GROUPS_PER_READ } : {};
          const kept = await this.aggregates.figuresAt(reader, day, currency, (stored) => Promise.resolve([...stored]), options);
          const rows = await this.read(day, currency, {}, reader);
          if (kept === null) continue;
          for (const name of FIGURE_NAMES) {
            const a = canonical(kept[name]);
            const b = canonical(rows[name]);
            if (a !== b) figureDifferences.push(`${name} on ${day} in ${currency}: aggregates ${a.slice(0, 400)} rows ${b.slice(0, 400)}`);
          }
        }
      }
      figureDifferences.push(...(await this.aggregates.keptConversionDifferences()));
      return { ...check, daysCompared: picked.size, figureDifferences };
    });
  }

  /**
   * The figures as known on the UTC day `knownOn`: in one snapshot, the ledger's rows recorded by
   * then, each pledge as it then stood (the audit log's `before` of its first later change), are
   * copied into temporary tables (KNOWN_ON_LEDGER) and read by the same SQL as today's figures;
   * every copied row waits for valuation, so `withWaitingValued` values it at the rates recorded by
   * then. One copy of every rule: the SQL, fulfilment.ts and the valuation are those of today's path.
   */
  private figuresKnownOn(asOf: string, currency: ReportingCurrency, filter: LedgerFilter, knownOn: string): Promise<LedgerFigureSet> {
    return this.knownOn(knownOn, async (reader) => {
      const known = await this.readWithWaitingValued(asOf, currency, filter, reader);
      // Valued in memory by design, not because the worker is behind: nothing to say about it.
      return { ...known, valuedInMemory: 0, updating: null };
    });
  }

  /** The pledges and receipts on `asOf` as known on `knownOn`, one record each (what a published statement describes). */
  records(asOf: string, knownOn: string): Promise<{ pledges: PledgeRecordRow[]; receipts: ReceiptRecordRow[] }> {
    const filter = { knownOn };
    return this.knownOn(knownOn, async (reader) => ({
      pledges: await this.rows.pledgeRecords(asOf, filter, reader),
      receipts: await this.rows.receiptRecords(asOf, filter, reader),
    }));
  }

  /** Runs `work` in a snapshot holding KNOWN_ON_LEDGER: the ledger's rows recorded by `knownOn`, each pledge as it then stood. */
  private knownOn<T>(knownOn: string, work: (reader: Transaction) => Promise<T>): Promise<T> {
    return this.uow.readSnapshot(
      async (reader) => {
        const changed = await this.audit.firstBeforeAfter(reader, 'pledge', PLEDGE_CHANGE_ACTIONS, knownOn);
        const past = [...changed].map(([id, before]) => pastPledgeState(Number(id), before));
        await this.rows.buildKnownOn(reader, knownOn, past);
        try {
          return await work(reader);
        } finally {
          await this.rows.dropKnownOn(reader);
        }
      },
      { temporaryTables: true },
    );
  }

  /**
   * Per pledge, for the few lines of a digest: stored value, received by asOf, balance and receipt
   * status (see LedgerFiguresRepository.pledgeFigures), with waiting rows valued as `figures` does.
   */
  async pledgeFigures(ids: readonly number[], asOf: string, currency: ReportingCurrency): Promise<PledgeFigureRow[]> {
    const rows = await this.rows.pledgeFigures(ids, asOf, currency);
    if (!rows.some((r) => r.waiting || r.waitingReceipts.length > 0) && (await this.waiting.pendingRevaluations()).length === 0) return rows;
    await this.valuation.settled(WORKER_WAIT_MS);
    return this.uow.readSnapshot(async (reader) => {
      // While a revaluation is still marking rows, any stored value may be stale: these few pledges are valued in memory whole.
      const everyRowWaits = (await this.waiting.pendingRevaluations(reader)).length > 0;
      const fresh = await this.rows.pledgeFigures(ids, asOf, currency, reader, { everyRowWaits });
      if (!fresh.some((r) => r.waiting || r.waitingReceipts.length > 0)) return fresh;
      const [pledgeFacts, receiptFacts] = await readAll(reader, [
        () =>
          this.waiting.pledgeFactsOf(
            reader,
            fresh.filter((r) => r.waiting).map((r) => r.id),
          ),
        () =>
          this.waiting.receiptFactsOf(
            reader,
            fresh.flatMap((r) => r.waitingReceipts),
          ),
      ] as const);
      const valuer = await this.valuation.valuerForRead(reader, [
        ...pledgeFacts.map((p) => p.currency),
        ...receiptFacts.flatMap((r) => [r.currency, r.pledgeCurrency]),
      ]);
      const pledged = new Map(pledgeFacts.map((p) => [p.id, valuer.pledge(p, currency)]));
      const received = new Map(receiptFacts.map((r) => [r.id, valuer.receipt(r, currency).value]));
      return fresh.map((row) => {
        let receivedValue = row.receivedValue;
        let unvalued = row.unvaluedReceipts;
        for (const id of row.waitingReceipts) {
          const value = received.get(id) ?? null;
          if (value === null) unvalued++;
          else receivedValue += value;
        }
        return {
          ...row,
          pledgedValue: row.waiting ? (pledged.get(row.id) ?? null) : row.pledgedValue,
          waiting: false,
          receivedValue,
          unvaluedReceipts: unvalued,
          waitingReceipts: [],
        };
      });
    });
  }

  /** A donor's pledges worth listing: the `largest` by value in `currency`, the `latest` by value date, and how many the donor has. */
  async donorPledgeCandidates(donorId: number, currency: ReportingCurrency, largest: number, latest: number): Promise<DonorPledgeCandidates> {
    const found = await this.rows.donorPledgeCandidates(donorId, currency, largest, latest);
    if (found.waiting.length === 0) return { largest: found.largest, latest: found.latest, count: found.count };
    await this.valuation.settled(WORKER_WAIT_MS);
    return this.uow.readSnapshot(async (reader) => {
      const fresh = await this.rows.donorPledgeCandidates(donorId, currency, largest, latest, reader);
      if (fresh.waiting.length === 0) return { largest: fresh.largest, latest: fresh.latest, count: fresh.count };
      const facts = await this.waiting.pledgeFactsOf(
        reader,
        fresh.waiting.map((c) => c.id),
      );
      const valuer = await this.valuation.valuerForRead(
        reader,
        facts.map((p) => p.currency),
      );
      const values = new Map(facts.map((p) => [p.id, valuer.pledge(p, currency)]));
      const valued = (c: PledgeCandidate): PledgeCandidate => (values.has(c.id) ? { ...c, valueMinor: values.get(c.id) ?? null } : c);
      const waitingValued = fresh.waiting.map(valued).filter((c) => c.valueMinor !== null);
      const ranked = [...fresh.largest, ...waitingValued]
        .sort((a, b) => (a.valueMinor === b.valueMinor ? b.id - a.id : (b.valueMinor as bigint) > (a.valueMinor as bigint) ? 1 : -1))
        .slice(0, Math.max(0, Math.trunc(largest)));
      return { largest: ranked, latest: fresh.latest.map(valued), count: fresh.count };
    });
  }

  private anyWaiting(set: LedgerFigureSet): boolean {
    return [set.pledgedByDonor, set.receivedByDonor, set.cancelledByDonor, set.pledgedByPriority, set.receivedByPriority].some(waits);
  }

  private async read(asOf: string, currency: ReportingCurrency, filter: LedgerFilter, reader?: Transaction): Promise<LedgerFigureSet> {
    const r = this.rows;
    const [
      pledgedByDonor,
      receivedByDonor,
      cancelledByDonor,
      pledgedByPriority,
      receivedByPriority,
      valueDates,
      balances,
      inKind,
      inKindByPriority,
      splitCounts,
    ] = await readAll(reader, [
      () => r.pledgedByDonor(asOf, currency, filter, reader),
      () => r.receivedByDonor(asOf, currency, filter, reader),
      () => r.cancelledByDonor(asOf, currency, filter, reader),
      () => r.pledgedByPriority(asOf, currency, filter, reader),
      () => r.receivedByPriority(asOf, currency, filter, reader),
      () => r.valueDates(asOf, filter, reader),
      () => r.balancesByDonor(asOf, filter, reader),
      () => r.inKindQuantities(asOf, filter, reader),
      () => r.inKindQuantitiesByPriority(asOf, filter, reader),
      () => r.splitRuleCounts(asOf, filter, reader),
    ] as const);
    return {
      pledgedByDonor,
      receivedByDonor,
      cancelledByDonor,
      pledgedByPriority,
      receivedByPriority,
      valueDates,
      balances,
      inKind,
      inKindByPriority,
      splitCounts,
      valuedInMemory: 0,
      updating: null,
    };
  }

  /**
   * The figures in `reader`'s snapshot, the rows counted as waiting valued in memory and added to
   * the sums they belong to. The waiting rows are valued first, a window of ids at a time, into
   * sums by group, and the ledger's sums read after: so the read's rows (100k balance groups on the
   * bench's ledger) are not held while 400k waiting rows are valued. In that order the live heap
   * over the first gap on the bench's unvalued ledger was about 60 MB instead of 115 MB.
   */
  private async readWithWaitingValued(asOf: string, currency: ReportingCurrency, filter: LedgerFilter, reader: Transaction): Promise<LedgerFigureSet> {
    const waiting = await this.valueWaiting(asOf, currency, filter, reader);
    const set = await this.read(asOf, currency, filter, reader);
    if (!this.anyWaiting(set)) return set;
    const valueDates = new Map(set.valueDates.map((v) => [`${v.currency}@${v.valueDate}`, v]));
    for (const [key, v] of waiting.valueDates) valueDates.set(key, v);
    return {
      ...set,
      pledgedByDonor: waiting.pledged.mergedInto(set.pledgedByDonor),
      cancelledByDonor: waiting.cancelled.mergedInto(set.cancelledByDonor),
      receivedByDonor: waiting.received.mergedInto(set.receivedByDonor),
      pledgedByPriority: waiting.pledgedPriorities.mergedInto(set.pledgedByPriority),
      receivedByPriority: waiting.receivedPriorities.mergedInto(set.receivedByPriority),
      valueDates: [...valueDates.values()],
      valuedInMemory: waiting.count,
    };
  }

  /**
   * The rows waiting for valuation that the figures on `asOf` count, valued in memory and summed
   * by the groups of the SQL's sums. They are read a window of ids at a time and summed as they
   * come, so memory stays bounded however many wait (400k after a back-dated rate on the bench's ledger).
   */
  private async valueWaiting(asOf: string, currency: ReportingCurrency, filter: LedgerFilter, reader: Transaction) {
    const tables = ledgerTablesOf(filter);
    // Loaded with the first window: the worker may have valued everything since the caller looked.
    let loaded: ReadValuer | null = null;
    const valuer = async () => (loaded ??= await this.valuation.valuerForRead(reader, await this.waiting.currenciesWaiting(reader, tables), filter.knownOn));
    const sums = {
      pledged: new Sums<DonorValue>(donorKey),
      cancelled: new Sums<DonorValue>(donorKey),
      received: new Sums<DonorValue>(donorKey),
      pledgedPriorities: new Sums<PriorityValue>(priorityKey),
      receivedPriorities: new Sums<PriorityValue>(priorityKey),
      valueDates: new Map<string, ValueDate>(),
      count: 0,
    };
    const toPriorities = (to: Sums<PriorityValue>, earmarks: readonly EarmarkShare[], value: bigint | null) => {
      for (const e of earmarks) to.add({ ...e, valueMinor: 0n, unvalued: 0, waiting: 0 }, value);
    };
    const toDonor = (to: Sums<DonorValue>, donorId: number, kind: 'cash' | 'in_kind', value: bigint | null) =>
      to.add({ donorId, kind, valueMinor: 0n, unvalued: 0, waiting: 0 }, value);
    for await (const pledges of this.windows(reader, tables.pledges, (from, to) => this.rows.waitingPledges(asOf, filter, from, to, reader))) {
      const valued = await valuer();
      for (const p of pledges) {
        const value = valued.pledge(p, currency);
        if (p.cancelled) toDonor(sums.cancelled, p.donorId, p.kind, value);
        else {
          toDonor(sums.pledged, p.donorId, p.kind, value);
          toPriorities(sums.pledgedPriorities, p.earmarks, value);
        }
      }
      sums.count += pledges.length;
    }
    for await (const receipts of this.windows(reader, tables.disbursements, (from, to) => this.rows.waitingReceipts(asOf, filter, from, to, reader))) {
      const valuedBy = await valuer();
      for (const d of receipts) {
        const valued = valuedBy.receipt(d, currency);
        // A receipt without money (goods without a unit value) is not counted, as once valued.
        if (valued.currency === null) continue;
        toDonor(sums.received, d.donorId, d.pledgeKind, valued.value);
        toPriorities(sums.receivedPriorities, d.earmarks, valued.value);
        sums.valueDates.set(`${valued.currency}@${d.receivedOn}`, { currency: valued.currency, valueDate: d.receivedOn });
      }
      sums.count += receipts.length;
    }
    return sums;
  }

  /** `read` over the windows of READ_WINDOW ids that hold a waiting row of `table`, in id order. */
  private async *windows<T>(reader: Transaction, table: string, read: (fromId: number, toId: number) => Promise<T[]>): AsyncGenerator<T[]> {
    for (
      let from = await this.waiting.nextWaiting(reader, table, 0);
      from !== null;
      from = await this.waiting.nextWaiting(reader, table, from + READ_WINDOW - 1)
    ) {
      yield await read(from, from + READ_WINDOW);
    }
  }
}

/** Groups per read when the check reads the aggregates: a few, so every scenario's check crosses the reads' boundaries. */
const CHECK_GROUPS_PER_READ = 7;

/** The figures the aggregates and the rows' SQL both give. */
const FIGURE_NAMES = [
  'pledgedByDonor',
  'receivedByDonor',
  'cancelledByDonor',
  'pledgedByPriority',
  'receivedByPriority',
  'valueDates',
  'balances',
  'inKind',
  'inKindByPriority',
  'splitCounts',
] as const;

/** A figure as sorted JSON (rows in any order; bigints as text; `waiting` left out: nothing waits when compared). */
function canonical(value: unknown): string {
  const rows = Array.isArray(value) ? value : [value];
  return JSON.stringify(
    rows
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row as Record<string, unknown>)
              .filter(([key]) => key !== 'waiting')
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([key, v]) => [key, typeof v === 'bigint' ? v.toString() : v]),
          ),
        ),
      )
      .sort(),
  );
}

const donorKey = (r: { donorId: number; kind: string }) => `${r.donorId}|${r.kind}`;
const priorityKey = (e: EarmarkShare) => `${e.priorityCode}|${e.earmarkCount}|${e.shareBasisPoints}`;

/** Values of rows waiting for valuation, summed in memory per group of the SQL's sums (`key`); a row without a value counts as unvalued. */
class Sums<R extends ValueGaps & { valueMinor: bigint }> {
  private readonly byKey = new Map<string, R>();

  constructor(private readonly key: (row: R) => string) {}

  /** Adds `value` to the group of `empty` (a zero row of that group, kept when the group is new). */
  add(empty: R, value: bigint | null): void {
    const key = this.key(empty);
    let row = this.byKey.get(key);
    if (row === undefined) this.byKey.set(key, (row = empty));
    if (value === null) row.unvalued++;
    else row.valueMinor += value;
  }

  /** The SQL's `rows` with these sums added: waiting rows are then counted in, and no group waits. */
  mergedInto(rows: readonly R[]): R[] {
    const merged = new Map<string, R>();
    for (const row of rows) merged.set(this.key(row), { ...row, waiting: 0 });
    for (const [key, sum] of this.byKey) {
      const row = merged.get(key);
      if (row === undefined) merged.set(key, { ...sum, waiting: 0 });
      else merged.set(key, { ...row, valueMinor: row.valueMinor + sum.valueMinor, unvalued: row.unvalued + sum.unvalued });
    }
    return [...merged.values()];
  }
}
