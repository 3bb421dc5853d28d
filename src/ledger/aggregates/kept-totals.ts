import type { ReceiptStatus } from '../fulfilment';
import type { BalanceRates, BalanceSum, ConvertedBalance, ValueDate } from '../ledger-figures.repository';
import { parseKey, type Figure, type Measures } from './contributions';

/** Conversions kept at once: one per display currency, day and rates in use (a handful). */
const CONVERSIONS_KEPT = 4;

/** A group's key parsed (contributions.ts parseKey) with its measures. */
export interface ParsedGroup {
  figure: Figure;
  parts: string[];
  measures: Measures;
}

/** A balance group (`balance|donor|kind|status|currency|valueDate`), its key parsed once. */
interface BalanceGroup {
  donorId: number;
  kind: 'cash' | 'in_kind';
  bucket: ReceiptStatus;
  currency: string;
  valueDate: string;
  rows: bigint;
  amount: bigint;
}

/** Balances converted under one BalanceRates key, summed per (donor, kind, status): fixed point and the groups' row counts. */
interface Conversion {
  /** Groups valued after this day are left out: none of their changes is counted on it. */
  asOf: string;
  rateOf: BalanceRates['rateOf'];
  sums: Map<string, { line: ConvertedBalance; rows: bigint }>;
}

const lineKey = (g: { donorId: number; kind: string; bucket: string }) => `${g.donorId}|${g.kind}|${g.bucket}`;

/**
 * The ledger's maintained totals as one instance keeps them in memory between reads (issue 18):
 * loaded whole once, then moved by the groups written since (`ledger_totals.seq`), so the first
 * read after a write reads the few groups it changed, not every group. Balances, one group per
 * (donor, kind, status, currency, value date), about 94k on the bench's ledger and a million at
 * 10x, are also kept converted and summed per (donor, kind, status) for the last few BalanceRates
 * asked: a changed group moves those sums by its change times its rate (conversion is linear in
 * fixed point), so a read adds up a few thousand lines instead of converting every group.
 *
 * Not safe to share across awaits: LedgerAggregates changes it and reads it in one synchronous run.
 */
export class KeptTotals {
  /** Every group but balances and value dates, by key, the key parsed once. */
  readonly others = new Map<string, ParsedGroup>();
  /** The (currency, value date) groups, and their list as counted in the totals, made again only when one starts or stops counting. */
  private readonly valueDateGroups = new Map<string, { entry: ValueDate; rows: bigint }>();
  private valueDateList: ValueDate[] | null = null;
  private readonly balances = new Map<string, BalanceGroup>();
  /** Currencies of the balance groups, with how many groups each. */
  private readonly currencies = new Map<string, number>();
  private readonly conversions = new Map<string, Conversion>();

  constructor(
    readonly epoch: bigint,
    public seq: bigint,
  ) {}

  /** Sets a group's totals (a group read whole, or written since the last read), moving every kept conversion by its change. */
  set(key: string, measures: Measures): void {
    if (key.startsWith('value_date|')) {
      const kept = this.valueDateGroups.get(key);
      if (((kept?.rows ?? 0n) !== 0n) !== (measures[0] !== 0n)) this.valueDateList = null;
      if (kept === undefined) {
        const { parts } = parseKey(key);
        this.valueDateGroups.set(key, { entry: { currency: parts[0], valueDate: parts[1] }, rows: measures[0] });
      } else kept.rows = measures[0];
      return;
    }
    if (!key.startsWith('balance|')) {
      const kept = this.others.get(key);
      if (kept === undefined) this.others.set(key, { ...parseKey(key), measures });
      else kept.measures = measures;
      return;
    }
    let group = this.balances.get(key);
    if (group === undefined) {
      group = emptyBalanceGroup(key);
      this.balances.set(key, group);
      this.currencies.set(group.currency, (this.currencies.get(group.currency) ?? 0) + 1);
    }
    const rows = measures[0] - group.rows;
    const amount = measures[1] - group.amount;
    group.rows = measures[0];
    group.amount = measures[1];
    for (const [name, conversion] of this.conversions) {
      // A group at a date or in a currency the rates lack: converted afresh, where the read says why.
      if (!moveBy(conversion, group, rows, amount)) this.conversions.delete(name);
    }
  }

  /**
   * The (currency, value date) pairs counted, with `delta` added. Without a value-date group in
   * `delta` (the usual read of today) this is one list kept between reads: read it, do not change it.
   */
  valueDates(delta: ReadonlyMap<string, Measures>): readonly ValueDate[] {
    const moved = [...delta.keys()].filter((key) => key.startsWith('value_date|'));
    if (moved.length === 0) {
      this.valueDateList ??= [...this.valueDateGroups.values()].filter((g) => g.rows !== 0n).map((g) => g.entry);
      return this.valueDateList;
    }
    const out: ValueDate[] = [];
    for (const [key, g] of this.valueDateGroups) if (g.rows + (delta.get(key)?.[0] ?? 0n) !== 0n) out.push(g.entry);
    for (const key of moved) {
      if (this.valueDateGroups.has(key) || (delta.get(key)?.[0] ?? 0n) === 0n) continue;
      const { parts } = parseKey(key);
      out.push({ currency: parts[0], valueDate: parts[1] });
    }
    return out;
  }

  /** The currencies of the balances kept. */
  balanceCurrencies(): string[] {
    return [...this.currencies.keys()].sort();
  }

  /**
   * The balances counted, converted at `rates` and summed per (donor, kind, status), with `delta`'s
   * balance groups (what the day read does not count yet, as changes to the totals) added. Null
   * when the rates do not cover every currency kept. The conversion of the totals is kept under
   * `rates.key` for the next read.
   */
  converted(rates: BalanceRates, delta: ReadonlyMap<string, Measures>): ConvertedBalance[] | null {
    for (const currency of this.currencies.keys()) if (!rates.currencies.has(currency)) return null;
    let conversion = this.conversions.get(rates.key);
    if (conversion === undefined) {
      conversion = { asOf: rates.asOf, rateOf: rates.rateOf, sums: new Map() };
      for (const group of this.balances.values()) moveBy(conversion, group, group.rows, group.amount, true);
      this.conversions.set(rates.key, conversion);
      if (this.conversions.size > CONVERSIONS_KEPT) this.conversions.delete(this.conversions.keys().next().value as string);
    } else {
      // Most recently used last: the first is the one to let go.
      this.conversions.delete(rates.key);
      this.conversions.set(rates.key, conversion);
    }
    const sums = new Map<string, { line: ConvertedBalance; rows: bigint }>();
    for (const [k, s] of conversion.sums) sums.set(k, { line: { ...s.line }, rows: s.rows });
    const moved: Conversion = { asOf: rates.asOf, rateOf: rates.rateOf, sums };
    for (const [key, m] of delta) {
      if (!key.startsWith('balance|')) continue;
      moveBy(moved, this.groupOf(key), m[0], m[1], true);
    }
    return [...sums.values()].filter((s) => s.rows > 0n).map((s) => s.line);
  }

  /** The balance groups counted, with `delta` added, as the rows' SQL gives them (the check command). */
  balanceRows(delta: ReadonlyMap<string, Measures>): BalanceSum[] {
    const out: BalanceSum[] = [];
    const row = (g: BalanceGroup, rows: bigint, amount: bigint) => {
      if (rows !== 0n) out.push({ donorId: g.donorId, kind: g.kind, bucket: g.bucket, currency: g.currency, valueDate: g.valueDate, amountMinor: amount });
    };
    for (const [key, g] of this.balances) {
      const d = delta.get(key);
      row(g, g.rows + (d?.[0] ?? 0n), g.amount + (d?.[1] ?? 0n));
    }
    for (const [key, d] of delta) if (key.startsWith('balance|') && !this.balances.has(key)) row(this.groupOf(key), d[0], d[1]);
    return out;
  }

  /**
   * Each kept conversion against the balances converted afresh at its rates: where moving it by the
   * groups written since went wrong (the check command). Empty when none did.
   */
  conversionDifferences(): string[] {
    const out: string[] = [];
    for (const [name, kept] of this.conversions) {
      const fresh: Conversion = { asOf: kept.asOf, rateOf: kept.rateOf, sums: new Map() };
      for (const group of this.balances.values()) moveBy(fresh, group, group.rows, group.amount, true);
      for (const line of new Set([...kept.sums.keys(), ...fresh.sums.keys()])) {
        const a = kept.sums.get(line);
        const b = fresh.sums.get(line);
        if ((a?.line.fixed ?? 0n) !== (b?.line.fixed ?? 0n) || (a?.rows ?? 0n) !== (b?.rows ?? 0n))
          out.push(
            `balances converted under ${name}, ${line}: kept ${a?.line.fixed ?? 0n} (${a?.rows ?? 0n} groups), afresh ${b?.line.fixed ?? 0n} (${b?.rows ?? 0n})`,
          );
      }
    }
    return out;
  }

  /** The kept group of `key`, or an empty one not kept (a group only the day's delta has). */
  private groupOf(key: string): BalanceGroup {
    return this.balances.get(key) ?? emptyBalanceGroup(key);
  }
}

/** A balance group of `key` counting nothing yet, its key parsed. */
function emptyBalanceGroup(key: string): BalanceGroup {
  const { parts } = parseKey(key);
  return {
    donorId: Number(parts[0]),
    kind: parts[1] as 'cash' | 'in_kind',
    bucket: parts[2] as ReceiptStatus,
    currency: parts[3],
    valueDate: parts[4],
    rows: 0n,
    amount: 0n,
  };
}

/**
 * Adds `rows` and `amount` of `group` to a conversion's sums. False when the rate is missing (the
 * conversion is then no good); with `strict`, the missing rate's error is thrown instead.
 */
function moveBy(conversion: Conversion, group: BalanceGroup, rows: bigint, amount: bigint, strict = false): boolean {
  if ((rows === 0n && amount === 0n) || group.valueDate > conversion.asOf) return true;
  let fixed = 0n;
  if (amount !== 0n) {
    try {
      fixed = amount * conversion.rateOf(group.currency, group.valueDate);
    } catch (error) {
      if (strict) throw error;
      return false;
    }
  }
  const k = lineKey(group);
  let sum = conversion.sums.get(k);
  if (sum === undefined) {
    sum = { line: { donorId: group.donorId, kind: group.kind, bucket: group.bucket, fixed: 0n }, rows: 0n };
    conversion.sums.set(k, sum);
  }
  sum.line.fixed += fixed;
  sum.rows += rows;
  return true;
}
