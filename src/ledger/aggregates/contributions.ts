import { addDays } from '../../common/dates';
import { receiptStatusOf, type ReceiptExpectation } from '../fulfilment';
import { REPORTING_CURRENCIES, type ReportingCurrency } from '../reporting-currencies';

/**
 * What one pledge adds to the funding engine's sums, as dated changes: the rule behind the
 * maintained aggregates (issue 18). Pure, no database: the same function builds the aggregates,
 * keeps them on every write (the pledge's changes after the write less its changes before), and
 * checks them (`verify-aggregates`). The figures on `asOf` are the sum of every change dated on or
 * before it; each figure reproduces one query of LedgerFiguresRepository exactly, and
 * `verify-aggregates` compares the two on every day a change is dated.
 */

/** A pledge as the sums read it: its own columns, its earmarks and its receipts. */
export interface PledgeFacts {
  id: number;
  donorId: number;
  kind: 'cash' | 'in_kind';
  amountMinor: bigint | null;
  currency: string | null;
  /** The value-date rule's day (value-date.ts). */
  valueDate: string;
  /** The UTC day it was cancelled, or null. */
  cancelledOn: string | null;
  expectation: ReceiptExpectation;
  dueOn: string | null;
  quantity: number | null;
  unit: string | null;
  upTo: boolean;
  unitValueMinor: bigint | null;
  /** Stored values (null: none). */
  values: StoredValues;
  /** Waiting for valuation: `values` may be stale (a back-dated rate) or never worked out. The sums do not read it. */
  waiting: boolean;
  earmarks: ReadonlyArray<{ priorityCode: string; shareBasisPoints: number | null }>;
  receipts: readonly ReceiptFacts[];
}

export type StoredValues = Record<ReportingCurrency, bigint | null>;

export interface ReceiptFacts {
  id: number;
  receivedOn: string;
  /** Counted against the pledge in its own currency (cash). */
  countedMinor: bigint;
  /** As received: what it is valued from. */
  amountMinor: bigint | null;
  currency: string | null;
  quantity: number | null;
  /** The currency it was valued from; null: no money, or never valued. */
  valueCurrency: string | null;
  values: StoredValues;
  waiting: boolean;
}

/**
 * The sums, by figure. Money figures measure [rows, usd, eur, azn, unvalued usd, unvalued eur,
 * unvalued azn]; `balance` [rows, amount in the pledge's currency]; goods [rows, pledged, delivered,
 * up to, to come, to come up to]; `value_date` and `split` [rows].
 */
export const FIGURES = [
  'pledged',
  'cancelled',
  'received',
  'pledged_priority',
  'received_priority',
  'value_date',
  'balance',
  'goods',
  'goods_priority',
  'split',
] as const;
export type Figure = (typeof FIGURES)[number];

/** How many measures a change carries (the widest figure's). */
export const MEASURES = 7;
export type Measures = bigint[];

/** One dated change to one group of one figure. `key` is `figure|part|part…` (parseKey reads it back). */
export interface Change {
  key: string;
  day: string;
  measures: Measures;
}

const zero = (): Measures => new Array<bigint>(MEASURES).fill(0n);
const SEP = '|';

export function keyOf(figure: Figure, ...parts: Array<string | number | null>): string {
  return [figure, ...parts.map((p) => (p === null ? '' : String(p)))].join(SEP);
}

export function parseKey(key: string): { figure: Figure; parts: string[] } {
  const [figure, ...parts] = key.split(SEP);
  return { figure: figure as Figure, parts };
}

/**
 * Money measures of one row: counted once, its stored value in each currency, or unvalued where it
 * has none. Whether the row waits for valuation does not enter: marking rows to revalue (a
 * back-dated rate) leaves the aggregates as they are, and a read values the waiting rows' change.
 */
function money(values: StoredValues): Measures {
  const m = zero();
  m[0] = 1n;
  REPORTING_CURRENCIES.forEach((c, i) => {
    const v = values[c];
    if (v !== null) m[1 + i] = v;
    else m[4 + i] = 1n;
  });
  return m;
}

const neg = (m: Measures): Measures => m.map((v) => -v);
const later = (a: string, b: string) => (a > b ? a : b);

/** The UTC day after `day` (a due date is late from then on). */
const dayAfter = (day: string) => addDays(day, 1);

/**
 * Every dated change `p` makes to the sums. `valuesOnly`: only the changes that stored values can
 * move (money and value dates), for a write that changes nothing else (the valuation worker's):
 * balances and goods are counted in the pledges' own currency and units.
 */
export function contributionsOf(p: PledgeFacts, valuesOnly = false): Change[] {
  const out: Change[] = [];
  const add = (key: string, day: string, measures: Measures) => out.push({ key, day, measures });
  const V = p.valueDate;
  const C = p.cancelledOn;
  const hasMoney = p.amountMinor !== null && p.currency !== null;
  const ecount = p.earmarks.length;

  if (hasMoney) {
    // Standing from its value date; from its cancellation (or value date, if later) in the cancelled total instead.
    const m = money(p.values);
    add(keyOf('pledged', p.donorId, p.kind), V, m);
    for (const e of p.earmarks) add(keyOf('pledged_priority', e.priorityCode, ecount, e.shareBasisPoints), V, m);
    add(keyOf('value_date', p.currency, V), V, [1n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const split = ecount > 1 ? (p.earmarks.some((e) => e.shareBasisPoints !== null) ? 'stated' : 'even') : null;
    if (split) add(keyOf('split', split), V, [1n, 0n, 0n, 0n, 0n, 0n, 0n]);
    if (C !== null) {
      const end = later(V, C);
      add(keyOf('pledged', p.donorId, p.kind), end, neg(m));
      for (const e of p.earmarks) add(keyOf('pledged_priority', e.priorityCode, ecount, e.shareBasisPoints), end, neg(m));
      add(keyOf('value_date', p.currency, V), end, [-1n, 0n, 0n, 0n, 0n, 0n, 0n]);
      if (split) add(keyOf('split', split), end, [-1n, 0n, 0n, 0n, 0n, 0n, 0n]);
      add(keyOf('cancelled', p.donorId, p.kind), end, m);
    }
  }

  for (const r of p.receipts) {
    // Counted from its date while the pledge stands, whatever the pledge's value date. A receipt
    // without a value currency (no money, or never valued yet) is not: a read values the latter.
    if (r.valueCurrency === null) continue;
    const m = money(r.values);
    const R = r.receivedOn;
    const end = C === null ? null : later(R, C);
    const both = (key: string, measures: Measures) => {
      add(key, R, measures);
      if (end !== null) add(key, end, neg(measures));
    };
    both(keyOf('received', p.donorId, p.kind), m);
    for (const e of p.earmarks) both(keyOf('received_priority', e.priorityCode, ecount, e.shareBasisPoints), m);
    both(keyOf('value_date', r.valueCurrency, R), [1n, 0n, 0n, 0n, 0n, 0n, 0n]);
  }

  if (!valuesOnly) timeline(p, add);
  return out;
}

/**
 * The figures whose value on a day depends on everything received by then: balances (by receipt
 * status) and goods. Walks the days on which the pledge's state can change and records each change
 * of state as the old state taken out and the new put in.
 */
function timeline(p: PledgeFacts, add: (key: string, day: string, m: Measures) => void): void {
  const V = p.valueDate;
  const C = p.cancelledOn;
  const hasBalance = p.amountMinor !== null && p.currency !== null && (p.kind === 'cash' || p.unitValueMinor !== null);
  const hasGoods = p.kind === 'in_kind' && p.quantity !== null;
  if (!hasBalance && !hasGoods) return;
  // Cancelled on or before its value date: never standing.
  if (C !== null && C <= V) return;
  const days = new Set<string>([V]);
  for (const r of p.receipts) if (r.receivedOn > V) days.add(r.receivedOn);
  if (p.dueOn !== null && dayAfter(p.dueOn) > V) days.add(dayAfter(p.dueOn));
  if (C !== null) days.add(C);
  const ordered = [...days].sort();
  let previous = new Map<string, Measures>();
  for (const day of ordered) {
    const state = new Map<string, Measures>();
    if (C === null || day < C) {
      let counted = 0n;
      let delivered = 0;
      for (const r of p.receipts) {
        if (r.receivedOn > day) continue;
        counted += r.countedMinor;
        delivered += r.quantity ?? 0;
      }
      if (hasBalance) {
        const amount = p.amountMinor as bigint;
        const balance = p.kind === 'cash' ? amount - counted : amount - BigInt(delivered) * (p.unitValueMinor as bigint);
        if (balance > 0n) {
          const bucket = receiptStatusOf({ cancelled: false, balanceLeft: true, expectation: p.expectation, dueOn: p.dueOn }, day);
          state.set(keyOf('balance', p.donorId, p.kind, bucket, p.currency, V), [1n, balance, 0n, 0n, 0n, 0n, 0n]);
        }
      }
      if (hasGoods) {
        const q = p.quantity as number;
        const toCome = q > delivered ? q - delivered : 0;
        const goods: Measures = [1n, BigInt(q), BigInt(delivered), p.upTo ? 1n : 0n, BigInt(toCome), p.upTo && q > delivered ? 1n : 0n, 0n];
        state.set(keyOf('goods', p.donorId, String(p.unit)), goods);
        for (const e of p.earmarks) state.set(keyOf('goods_priority', e.priorityCode, String(p.unit)), goods);
      }
    }
    for (const [key, m] of previous) {
      const now = state.get(key);
      if (now === undefined) add(key, day, neg(m));
      else if (!sameMeasures(now, m))
        add(
          key,
          day,
          now.map((v, i) => v - m[i]),
        );
    }
    for (const [key, m] of state) if (!previous.has(key)) add(key, day, m);
    previous = state;
  }
}

function sameMeasures(a: Measures, b: Measures): boolean {
  return a.every((v, i) => v === b[i]);
}

/** Changes summed per (key, day), zero sums left out: what a set of pledges adds to the aggregates. */
export function summed(changes: Iterable<Change>, sign: 1n | -1n = 1n, into = new Map<string, Change>()): Map<string, Change> {
  for (const c of changes) {
    const id = `${c.day}#${c.key}`;
    let row = into.get(id);
    if (row === undefined) into.set(id, (row = { key: c.key, day: c.day, measures: zero() }));
    for (let i = 0; i < MEASURES; i++) row.measures[i] += sign * c.measures[i];
  }
  for (const [id, row] of into) if (row.measures.every((v) => v === 0n)) into.delete(id);
  return into;
}

/** What changing the pledges from `before` to `after` does to the aggregates (`valuesOnly`: only their stored values changed). */
export function difference(before: readonly PledgeFacts[], after: readonly PledgeFacts[], valuesOnly = false): Change[] {
  const sums = new Map<string, Change>();
  summed(
    after.flatMap((p) => contributionsOf(p, valuesOnly)),
    1n,
    sums,
  );
  summed(
    before.flatMap((p) => contributionsOf(p, valuesOnly)),
    -1n,
    sums,
  );
  return [...sums.values()];
}
