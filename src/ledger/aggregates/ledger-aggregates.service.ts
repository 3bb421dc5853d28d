import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { UnitOfWork, type Transaction } from '../../database/unit-of-work';
import type { BalanceRates, DonorValue, LedgerFigureSet, PriorityValue } from '../ledger-figures.repository';
import { LedgerValuationRepository } from '../ledger-valuation.repository';
import { REPORTING_CURRENCIES, type ReportingCurrency } from '../reporting-currencies';
import { contributionsOf, difference, parseKey, summed, type Change, type Measures, type PledgeFacts } from './contributions';
import { KeptTotals, type ParsedGroup } from './kept-totals';
import { LedgerAggregatesRepository, type AggregateRow, type FeedHead } from './ledger-aggregates.repository';

/** Pledges per batch of the background build. */
const BUILD_BATCH = 2_000;

/** What `verify` found. */
export interface AggregateCheck {
  status: 'ready' | 'building';
  pledges: number;
  groups: number;
  /** Groups whose stored sums differ from the sums worked out again from the rows, by (day, key). */
  differences: Array<{ day: string; key: string; stored: string[]; fromRows: string[] }>;
}

/**
 * The maintained aggregates of the ledger (issue 18): the sums the funding engine reads, kept in
 * the same transaction as every write that changes them (`maintain`), built in the background
 * after an upgrade (`onApplicationBootstrap`), read for a day (`figuresAt`) and checked against
 * the rows (`verify`, the `verify-aggregates` command).
 */
@Injectable()
export class LedgerAggregates implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LedgerAggregates');
  private building: Promise<void> | null = null;
  private stopped = false;
  /** The totals this instance keeps in memory between reads, and the turn that reads or moves them (withTotals). */
  private kept: KeptTotals | null = null;
  private totalsTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rows: LedgerAggregatesRepository,
    private readonly waitingRows: LedgerValuationRepository,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Pledges with rows waiting for valuation a read values in memory to stay exact. With more (a
   * back-dated rate or an upgrade revalues the whole ledger), a read answers at once from the
   * aggregates, which hold those rows' previous values until the worker has revalued them, and
   * says so (`updating`). FIGURES_EXACT_WAITING_PLEDGES.
   */
  private get valuedForRead(): number {
    return this.config.figuresExactWaitingPledges;
  }

  onApplicationBootstrap(): void {
    // Errors are logged inside; the next start or `rebuild-aggregates` tries again.
    void this.build();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.building;
  }

  /**
   * Runs `work` (a write that changes the pledges `ids`: their rows, earmarks or receipts) and
   * moves the aggregates by what it changed, in `tx`: the pledges' changes after the write less
   * their changes before. The pledges are locked first (PostgreSQL), so two writers on one pledge
   * take turns. While the aggregates are being built, only pledges the build has passed are moved.
   * `valuesOnly`: the write changes nothing but stored values (the valuation worker), so only the
   * sums of values are worked out again.
   */
  async maintain<T>(tx: Transaction, ids: readonly number[], work: () => Promise<T>, options: { valuesOnly?: boolean } = {}): Promise<T> {
    const tracked = await this.tracked(tx, ids);
    if (tracked.length === 0) return work();
    await this.rows.lockPledges(tx, tracked);
    const before = await this.rows.facts(tx, tracked);
    const result = await work();
    await this.apply(tx, difference(before, await this.rows.facts(tx, tracked), options.valuesOnly));
    return result;
  }

  /** Adds new pledges (written in `tx`) to the aggregates. */
  async added(tx: Transaction, ids: readonly number[]): Promise<void> {
    const tracked = await this.tracked(tx, ids);
    if (tracked.length === 0) return;
    await this.apply(tx, difference([], await this.rows.facts(tx, tracked)));
  }

  /** Totals written in each open unit of work, given their feed position just before it commits. */
  private readonly written = new WeakMap<Transaction, Set<string>>();

  /** Adds `changes` to the stored sums in `tx`; the totals it writes get the feed's next position as `tx` commits (KeptTotals reads them). */
  private async apply(tx: Transaction, changes: readonly Change[]): Promise<void> {
    const keys = await this.rows.apply(tx, changes);
    let written = this.written.get(tx);
    if (written === undefined) {
      const all = (written = new Set<string>());
      this.written.set(tx, all);
      this.uow.beforeCommit(tx, () => this.rows.stamp(tx, all));
    }
    for (const key of keys) written.add(key);
  }

  /** The pledges of these receipts (the valuation worker's windows). */
  pledgesOfReceipts(tx: Transaction, receiptIds: readonly number[]): Promise<number[]> {
    return this.rows.pledgesOfReceipts(tx, receiptIds);
  }

  /** Adds the pledges an import wrote in `tx` (found by their external references) to the aggregates. */
  async addedByRefs(tx: Transaction, organisationId: number, refs: readonly string[]): Promise<void> {
    if (refs.length === 0 || (await this.tracked(tx, [Number.MAX_SAFE_INTEGER])).length === 0) return;
    await this.added(tx, await this.rows.pledgeIdsByRefs(tx, organisationId, refs));
  }

  /** The pledges among `ids` whose changes the aggregates take now: all once built; while building, those the build has passed. */
  private async tracked(tx: Transaction, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    // Held shared until commit (PostgreSQL; SQLite's writers are serialised): a build batch or a
    // rebuild, which take it exclusively, sees this write done or not begun.
    const state = await this.rows.state(tx, 'share');
    if (state.status === 'ready') return [...ids];
    return ids.filter((id) => id <= state.builtThrough);
  }

  /**
   * The sums on `asOf` in `currency` for the whole ledger, in `reader`'s snapshot, or null while
   * the aggregates are being built (the caller reads the rows). Rows waiting for valuation are
   * valued in memory, as the rows' reader does, up to this.valuedForRead; beyond that, or while a
   * revaluation is still marking rows, the figures hold their previous values and `updating` says
   * how many rows are being brought up to date.
   * `valuedNow` gives pledges with their waiting rows valued at the rates recorded now.
   * `balanceRates`: the balances come back converted and summed (`convertedBalances`) when these
   * rates cover them, kept converted between reads (KeptTotals).
   * `whole`: the totals are read whole for this read (the check), `groupsPerRead` at a time, and
   * not kept; otherwise the totals kept in memory are brought up to date by the groups written
   * since they were read.
   */
  async figuresAt(
    reader: Transaction,
    asOf: string,
    currency: ReportingCurrency,
    valuedNow: (stored: readonly PledgeFacts[]) => Promise<PledgeFacts[]>,
    options: { balanceRates?: BalanceRates; whole?: boolean; groupsPerRead?: number } = {},
  ): Promise<LedgerFigureSet | null> {
    if ((await this.rows.state(reader)).status !== 'ready') return null;
    const head = await this.rows.feedHead(reader);
    // What the totals hold that `asOf` does not count (changes dated later), and what it counts that they do not (waiting rows valued now).
    const delta = new Map<string, Measures>();
    for (const [key, m] of await this.rows.changesAfter(reader, asOf))
      delta.set(
        key,
        m.map((v) => -v),
      );
    let valuedInMemory = 0;
    let updating: LedgerFigureSet['updating'] = null;
    const revaluationsPending = (await this.waitingRows.pendingRevaluations(reader)).length;
    // A revaluation still marking rows: rows it has not reached yet hold values a new rate makes stale.
    const waiting = revaluationsPending > 0 ? [] : await this.rows.pledgesWithWaitingRows(reader, this.valuedForRead);
    if (revaluationsPending > 0 || waiting.length > this.valuedForRead) {
      updating = { rowsWaiting: await this.waitingRows.countWaiting(10_000_000, reader), revaluationsPending };
    } else if (waiting.length > 0) {
      const stored = await this.rows.facts(reader, waiting);
      const valued = await valuedNow(stored);
      valuedInMemory = stored.reduce((n, p) => n + (p.waiting ? 1 : 0) + p.receipts.filter((r) => r.waiting).length, 0);
      for (const change of difference(stored, valued)) {
        if (change.day > asOf) continue;
        const m = delta.get(change.key) ?? zero();
        change.measures.forEach((v, i) => (m[i] += v));
        delta.set(change.key, m);
      }
    }
    return this.withTotals(reader, head, options, (kept) => {
      const figures = figuresOf(withDelta(kept.others, delta), currency);
      figures.valueDates = kept.valueDates(delta);
      const converted = options.balanceRates ? kept.converted(options.balanceRates, delta) : null;
      if (converted !== null) figures.convertedBalances = converted;
      else figures.balances = kept.balanceRows(delta);
      figures.balanceCurrencies = kept.balanceCurrencies();
      if (updating !== null) {
        // Rows never valued yet count as unvalued in the stored sums; while the worker values them they are being brought up to date, not missing a rate.
        for (const list of [figures.pledgedByDonor, figures.receivedByDonor, figures.cancelledByDonor, figures.pledgedByPriority, figures.receivedByPriority])
          for (const row of list) row.unvalued = 0;
      }
      return { ...figures, valuedInMemory, updating };
    });
  }

  /** The kept balance conversions checked against converting the kept balances afresh (KeptTotals.conversionDifferences; the check command). */
  keptConversionDifferences(): Promise<string[]> {
    return this.inTurn(() => this.kept?.conversionDifferences() ?? []);
  }

  /** Runs `work` once every earlier read or move of the kept totals has ended (failed or not). */
  private inTurn<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.totalsTurn.then(work, work);
    this.totalsTurn = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs `use` on the totals as `reader`'s snapshot holds them (`head`), synchronously, one read at
   * a time: the totals kept in memory, moved by the groups written since they were read, or the
   * totals read whole (the first read, a rebuild's new epoch, a snapshot older than the kept totals,
   * or `whole`). A whole read is kept for the next reads unless it is `whole` or older than what is kept.
   */
  private withTotals<T>(reader: Transaction, head: FeedHead, options: { whole?: boolean; groupsPerRead?: number }, use: (kept: KeptTotals) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const kept = this.kept;
      if (!options.whole && kept !== null && kept.epoch === head.epoch && kept.seq <= head.seq) {
        if (kept.seq < head.seq) {
          try {
            await this.rows.totalsSince(reader, kept.seq, (key, m) => kept.set(key, m));
          } catch (error) {
            // Part of the groups moved: the next read loads them whole.
            this.kept = null;
            throw error;
          }
          kept.seq = head.seq;
        }
        return use(kept);
      }
      const fresh = new KeptTotals(head.epoch, head.seq);
      await this.rows.totalsSince(reader, 0n, (key, m) => fresh.set(key, m), options.groupsPerRead);
      const newer = kept === null || head.epoch > kept.epoch || (head.epoch === kept.epoch && head.seq >= kept.seq);
      if (!options.whole && newer) this.kept = fresh;
      return use(fresh);
    };
    return this.inTurn(run);
  }

  /** Builds the aggregates in the background when a migration or `rebuild` left them to build; reads use the rows meanwhile. */
  build(): Promise<void> {
    this.building ??= this.buildBatches().finally(() => (this.building = null));
    return this.building;
  }

  private async buildBatches(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const done = await this.uow.transaction(
          async (tx) => {
            const state = await this.rows.state(tx, 'update');
            if (state.status === 'ready') return true;
            if (state.builtThrough === 0) await this.rows.clear(tx);
            const ids = await this.rows.pledgeIdsAfter(tx, state.builtThrough, BUILD_BATCH);
            if (ids.length === 0) {
              await this.rows.dropZeros(tx);
              await this.rows.setState(tx, 'ready', state.builtThrough);
              return true;
            }
            await this.apply(tx, difference([], await this.rows.facts(tx, ids)));
            await this.rows.setState(tx, 'building', ids[ids.length - 1]);
            return false;
          },
          { derivedOnly: true },
        );
        if (done) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      if (!this.stopped) this.logger.error(`Building the ledger aggregates stopped: ${(error as Error).message}`);
    }
  }

  /** Throws the aggregates away and builds them again from the rows (the `rebuild-aggregates` command). */
  async rebuild(): Promise<void> {
    await this.uow.transaction(
      async (tx) => {
        await this.rows.state(tx, 'update');
        await this.rows.clear(tx);
        await this.rows.setState(tx, 'building', 0);
      },
      { derivedOnly: true },
    );
    await this.build();
  }

  /** Every day a stored change is dated, in order (the check command). */
  changeDays(reader: Transaction): Promise<string[]> {
    return this.rows.changeDays(reader);
  }

  /** Whether the aggregates are built. */
  async ready(): Promise<boolean> {
    return (await this.rows.state(undefined)).status === 'ready';
  }

  /**
   * Works every pledge's changes out again from the rows, in one snapshot (`reader`'s, or one of
   * its own), and compares them with the stored sums, day by day and in total: the
   * `verify-aggregates` command, run by the tests after every scenario. While the aggregates are
   * being built there is nothing to compare yet.
   */
  verify(reader?: Transaction): Promise<AggregateCheck> {
    if (reader === undefined) return this.uow.readSnapshot((own) => this.compare(own));
    return this.compare(reader);
  }

  private async compare(reader: Transaction): Promise<AggregateCheck> {
    const state = await this.rows.state(reader);
    const ids = await this.rows.allPledgeIds(reader);
    const differences: AggregateCheck['differences'] = [];
    if (state.status !== 'ready') return { status: state.status, pledges: ids.length, groups: 0, differences };
    const expected = new Map<string, Change>();
    const BATCH = 2_000;
    for (let i = 0; i < ids.length; i += BATCH)
      summed(
        (await this.rows.facts(reader, ids.slice(i, i + BATCH))).flatMap((p) => contributionsOf(p)),
        1n,
        expected,
      );
    const stored = new Map<string, Change>();
    summed(await this.rows.allChanges(reader), 1n, stored);
    for (const id of new Set([...expected.keys(), ...stored.keys()])) {
      const a = stored.get(id);
      const b = expected.get(id);
      const as = (a?.measures ?? zero()).map(String);
      const bs = (b?.measures ?? zero()).map(String);
      if (as.join() !== bs.join()) differences.push({ day: (a ?? b)!.day, key: (a ?? b)!.key, stored: as, fromRows: bs });
    }
    // The totals must be the changes summed over every day.
    const totals = new Map<string, Measures>();
    for (const c of stored.values()) {
      const m = totals.get(c.key) ?? zero();
      c.measures.forEach((v, i) => (m[i] += v));
      totals.set(c.key, m);
    }
    const storedTotals = new Map((await this.rows.allTotals(reader)).map((t: AggregateRow) => [t.key, t.measures]));
    for (const key of new Set([...totals.keys(), ...storedTotals.keys()])) {
      const as = (storedTotals.get(key) ?? zero()).map(String);
      const bs = (totals.get(key) ?? zero()).map(String);
      if (as.join() !== bs.join()) differences.push({ day: 'total', key, stored: as, fromRows: bs });
    }
    return { status: state.status, pledges: ids.length, groups: totals.size, differences };
  }
}

const zero = (): Measures => [0n, 0n, 0n, 0n, 0n, 0n, 0n];

/** `groups` (every group but balances and value dates) with `delta` added: kept groups are not changed, and groups only in `delta` come last. */
function* withDelta(groups: ReadonlyMap<string, ParsedGroup>, delta: ReadonlyMap<string, Measures>): Generator<ParsedGroup> {
  if (delta.size === 0) {
    yield* groups.values();
    return;
  }
  for (const [key, g] of groups) {
    const d = delta.get(key);
    yield d === undefined ? g : { ...g, measures: g.measures.map((v, i) => v + d[i]) };
  }
  for (const [key, d] of delta) if (!groups.has(key) && !key.startsWith('balance|') && !key.startsWith('value_date|')) yield { ...parseKey(key), measures: d };
}

/** The aggregates' groups on one day, balances and value dates aside (KeptTotals gives those), as the funding engine's sums in `currency` (the shapes LedgerFiguresRepository returns). */
function figuresOf(groups: Iterable<ParsedGroup>, currency: ReportingCurrency): Omit<LedgerFigureSet, 'valuedInMemory' | 'updating'> {
  const c = REPORTING_CURRENCIES.indexOf(currency);
  const out: Omit<LedgerFigureSet, 'valuedInMemory' | 'updating'> = {
    pledgedByDonor: [],
    receivedByDonor: [],
    cancelledByDonor: [],
    pledgedByPriority: [],
    receivedByPriority: [],
    valueDates: [],
    balances: [],
    inKind: [],
    inKindByPriority: [],
    splitCounts: { statedShares: 0, evenSplit: 0 },
  };
  const donorValue = (parts: string[], m: Measures): DonorValue => ({
    donorId: Number(parts[0]),
    kind: parts[1] as 'cash' | 'in_kind',
    valueMinor: m[1 + c],
    unvalued: Number(m[4 + c]),
    waiting: 0,
  });
  const priorityValue = (parts: string[], m: Measures): PriorityValue => ({
    priorityCode: parts[0],
    earmarkCount: Number(parts[1]),
    shareBasisPoints: parts[2] === '' ? null : Number(parts[2]),
    valueMinor: m[1 + c],
    unvalued: Number(m[4 + c]),
    waiting: 0,
  });
  const goods = (m: Measures) => ({
    pledged: Number(m[1]),
    delivered: Number(m[2]),
    upTo: m[3] > 0n,
    toCome: Number(m[4]),
    toComeUpTo: m[5] > 0n,
  });
  for (const { figure, parts, measures: m } of groups) {
    if (m[0] === 0n) continue;
    switch (figure) {
      case 'pledged':
        out.pledgedByDonor.push(donorValue(parts, m));
        break;
      case 'received':
        out.receivedByDonor.push(donorValue(parts, m));
        break;
      case 'cancelled':
        out.cancelledByDonor.push(donorValue(parts, m));
        break;
      case 'pledged_priority':
        out.pledgedByPriority.push(priorityValue(parts, m));
        break;
      case 'received_priority':
        out.receivedByPriority.push(priorityValue(parts, m));
        break;
      case 'goods':
        out.inKind.push({ donorId: Number(parts[0]), unit: parts[1], ...goods(m) });
        break;
      case 'goods_priority':
        out.inKindByPriority.push({ priorityCode: parts[0], unit: parts[1], ...goods(m) });
        break;
      case 'split':
        if (parts[0] === 'stated') out.splitCounts.statedShares = Number(m[0]);
        else out.splitCounts.evenSplit = Number(m[0]);
        break;
    }
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  out.inKind.sort((a, b) => a.donorId - b.donorId || byText(a.unit, b.unit));
  out.inKindByPriority.sort((a, b) => byText(a.priorityCode, b.priorityCode) || byText(a.unit, b.unit));
  return out;
}
