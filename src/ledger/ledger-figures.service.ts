import { Injectable } from '@nestjs/common';
import { readAll, UnitOfWork, type Transaction } from '../database/unit-of-work';
import {
  LedgerFiguresRepository,
  type BalanceSum,
  type DonorValue,
  type EarmarkShare,
  type InKindQuantityRow,
  type LedgerFilter,
  type PledgeCandidate,
  type PledgeFigureRow,
  type PriorityInKindRow,
  type PriorityValue,
  type SplitRuleCounts,
  type ValueDate,
  type ValueGaps,
} from './ledger-figures.repository';
import { LedgerValuation, type ValuesInMemory } from './ledger-valuation';
import type { ReportingCurrency } from './reporting-currencies';

/**
 * How long a read waits for the valuation worker before valuing what still waits in memory: long
 * enough for the few rows a day's rates mark, short enough that a page after a back-dated rate
 * answers in seconds.
 */
const WORKER_WAIT_MS = 2_000;

/** Everything the funding engine reads from the ledger for one (asOf, currency, filter). */
export interface LedgerFigureSet {
  pledgedByDonor: DonorValue[];
  receivedByDonor: DonorValue[];
  cancelledByDonor: DonorValue[];
  pledgedByPriority: PriorityValue[];
  receivedByPriority: PriorityValue[];
  /** Every (currency, value date) the counted money converts at. */
  valueDates: ValueDate[];
  balances: BalanceSum[];
  inKind: InKindQuantityRow[];
  inKindByPriority: PriorityInKindRow[];
  splitCounts: SplitRuleCounts;
  /** Rows still waiting for the valuation worker whose values these figures worked out in memory. */
  valuedInMemory: number;
}

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
    private readonly valuation: LedgerValuation,
    private readonly uow: UnitOfWork,
  ) {}

  async figures(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<LedgerFigureSet> {
    const read = await this.read(asOf, currency, filter);
    if (!this.anyWaiting(read)) return read;
    await this.valuation.settled(WORKER_WAIT_MS);
    return this.uow.readSnapshot(async (reader) => {
      const snapshot = await this.read(asOf, currency, filter, reader);
      return this.anyWaiting(snapshot) ? this.withWaitingValued(snapshot, asOf, currency, filter, reader) : snapshot;
    });
  }

  /**
   * Per pledge, for the few lines of a digest: stored value, received by asOf, balance and receipt
   * status (see LedgerFiguresRepository.pledgeFigures), with waiting rows valued as `figures` does.
   */
  async pledgeFigures(ids: readonly number[], asOf: string, currency: ReportingCurrency): Promise<PledgeFigureRow[]> {
    const rows = await this.rows.pledgeFigures(ids, asOf, currency);
    if (!rows.some((r) => r.waiting || r.waitingReceipts.length > 0)) return rows;
    await this.valuation.settled(WORKER_WAIT_MS);
    return this.uow.readSnapshot(async (reader) => {
      const fresh = await this.rows.pledgeFigures(ids, asOf, currency, reader);
      if (!fresh.some((r) => r.waiting || r.waitingReceipts.length > 0)) return fresh;
      const memory = await this.valuation.valuesInMemory(reader, currency);
      return fresh.map((row) => {
        let received = row.receivedValue;
        let unvalued = row.unvaluedReceipts;
        for (const id of row.waitingReceipts) {
          const value = memory.receipts.get(id)?.value ?? null;
          if (value === null) unvalued++;
          else received += value;
        }
        return {
          ...row,
          pledgedValue: row.waiting ? (memory.pledges.get(row.id) ?? null) : row.pledgedValue,
          waiting: false,
          receivedValue: received,
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
      const memory = await this.valuation.valuesInMemory(reader, currency);
      const valued = (c: PledgeCandidate): PledgeCandidate => (memory.pledges.has(c.id) ? { ...c, valueMinor: memory.pledges.get(c.id) ?? null } : c);
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
    };
  }

  /** Adds the values of the rows counted as waiting, worked out in memory, to the sums they belong to. */
  private async withWaitingValued(
    set: LedgerFigureSet,
    asOf: string,
    currency: ReportingCurrency,
    filter: LedgerFilter,
    reader: Transaction,
  ): Promise<LedgerFigureSet> {
    const [pledges, receipts, earmarkRows, memory] = await readAll(reader, [
      () => this.rows.waitingPledges(asOf, filter, reader),
      () => this.rows.waitingReceipts(asOf, filter, reader),
      () => this.rows.earmarksOfWaiting(reader),
      () => this.valuation.valuesInMemory(reader, currency),
    ] as const);
    const earmarks = new Map<number, EarmarkShare[]>();
    for (const e of earmarkRows) earmarks.set(e.pledgeId, [...(earmarks.get(e.pledgeId) ?? []), e]);
    const byDonor = (rows: DonorValue[]) => new Sums(rows, (r) => `${r.donorId}|${r.kind}`);
    const byPriority = (rows: PriorityValue[]) => new Sums(rows, (r) => `${r.priorityCode}|${r.earmarkCount}|${r.shareBasisPoints}`);
    const pledged = byDonor(set.pledgedByDonor);
    const cancelled = byDonor(set.cancelledByDonor);
    const received = byDonor(set.receivedByDonor);
    const pledgedPriorities = byPriority(set.pledgedByPriority);
    const receivedPriorities = byPriority(set.receivedByPriority);
    const toPriorities = (sums: Sums<PriorityValue>, pledgeId: number, value: bigint | null) => {
      for (const e of earmarks.get(pledgeId) ?? []) {
        const row = { priorityCode: e.priorityCode, earmarkCount: e.earmarkCount, shareBasisPoints: e.shareBasisPoints };
        sums.add({ ...row, valueMinor: 0n, unvalued: 0, waiting: 0 }, value);
      }
    };
    for (const p of pledges) {
      const value = memory.pledges.get(p.id) ?? null;
      const donor = { donorId: p.donorId, kind: p.kind, valueMinor: 0n, unvalued: 0, waiting: 0 };
      if (p.cancelled) cancelled.add(donor, value);
      else {
        pledged.add(donor, value);
        toPriorities(pledgedPriorities, p.id, value);
      }
    }
    const valueDates = new Map(set.valueDates.map((v) => [`${v.currency}@${v.valueDate}`, v]));
    for (const d of receipts) {
      const valued = memory.receipts.get(d.id);
      // A receipt without money (goods without a unit value) is not counted, as once valued.
      if (!valued?.currency) continue;
      received.add({ donorId: d.donorId, kind: d.kind, valueMinor: 0n, unvalued: 0, waiting: 0 }, valued.value);
      toPriorities(receivedPriorities, d.pledgeId, valued.value);
      valueDates.set(`${valued.currency}@${valued.valueDate}`, { currency: valued.currency, valueDate: valued.valueDate });
    }
    return {
      ...set,
      pledgedByDonor: pledged.rows(),
      cancelledByDonor: cancelled.rows(),
      receivedByDonor: received.rows(),
      pledgedByPriority: pledgedPriorities.rows(),
      receivedByPriority: receivedPriorities.rows(),
      valueDates: [...valueDates.values()],
      valuedInMemory: countOf(memory),
    };
  }
}

function countOf(memory: ValuesInMemory): number {
  return memory.pledges.size + memory.receipts.size;
}

/** Sums keyed like the SQL's groups: waiting rows are added in and no longer waiting; a row without a value counts as unvalued. */
class Sums<R extends ValueGaps & { valueMinor: bigint }> {
  private readonly byKey = new Map<string, R>();

  constructor(
    rows: readonly R[],
    private readonly key: (row: R) => string,
  ) {
    for (const row of rows) this.byKey.set(key(row), { ...row, waiting: 0 });
  }

  add(empty: R, value: bigint | null): void {
    const k = this.key(empty);
    const row = this.byKey.get(k) ?? empty;
    this.byKey.set(k, value === null ? { ...row, unvalued: row.unvalued + 1 } : { ...row, valueMinor: row.valueMinor + value });
  }

  rows(): R[] {
    return [...this.byKey.values()];
  }
}
