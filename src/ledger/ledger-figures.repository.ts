import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { dateOnly } from '../common/dates';
import type { RateQuote } from '../common/money/conversion';
import { aggregateToBigInt, aggregateToNumber, toBigInt } from '../database/transformers';
import { pledgeValueDateSql, utcDaySql, VALUE_COLUMN, type ReportingCurrency } from '../fx/ledger-valuation.repository';
import { PLEDGE_SEARCH_SQL, PLEDGE_STATUS_SQL } from '../pledges/pledges.repository';
import type { PledgeStatus } from '../pledges/fulfilment';
import { ClearanceProgressEntity } from './clearance-progress.entity';

/** A sum of minor units in one currency on one value date, optionally for one donor or priority. */
export interface DatedSum {
  currency: string;
  valueDate: string;
  amountMinor: bigint;
}

/** A donor's money of one kind, summed in a reporting currency from each row's stored value. */
export interface DonorValue {
  donorId: number;
  kind: 'cash' | 'in_kind';
  valueMinor: bigint;
  /** Rows counted here whose value is missing (no rate yet, or marked for revaluation meanwhile). */
  unvalued: number;
}

/** Earmarked money of one priority per split rule (needed to split exactly), in a reporting currency. */
export interface PriorityValue {
  priorityCode: string;
  earmarkCount: number;
  shareBasisPoints: number | null;
  valueMinor: bigint;
  unvalued: number;
}

/** A currency and a value date some counted money was converted at. */
export interface ValueDate {
  currency: string;
  valueDate: string;
}

/** Goods of one unit in their own units: pledged, delivered by asOf, and what is still to come. */
export interface GoodsCount {
  unit: string;
  pledged: number;
  delivered: number;
  /** Some pledge counted here is a ceiling ("up to 30"). */
  upTo: boolean;
  /** Pledged and not delivered by asOf, pledge by pledge (an over-delivery never offsets another pledge). */
  toCome: number;
  /** Some pledge with goods still to come is a ceiling. */
  toComeUpTo: boolean;
}

export interface InKindQuantityRow extends GoodsCount {
  donorId: number;
}

/** Goods in their own units under one priority. A pledge earmarked to several shows its goods under each. */
export interface PriorityInKindRow extends GoodsCount {
  priorityCode: string;
}

/** `query` binds :asOf whether or not the SQL uses it; queries without a date pass this. */
const todayUtcPlaceholder = '1970-01-01';

/** One pledge's figures in a reporting currency, for the lines of a digest. */
export interface PledgeFigureRow {
  id: number;
  currency: string | null;
  valueDate: string;
  /** The pledge's stored value (null: no money value, or no rate). */
  pledgedValue: bigint | null;
  receivedValue: bigint;
  unvaluedReceipts: number;
  /** Pledged less received, in the pledge's own currency; null without a money value. May be negative (over-receipt). */
  balanceMinor: bigint | null;
  bucket: BalanceBucket | 'cancelled';
}

/** Which pledges a figure covers; every field optional (no filter: the whole ledger). */
export interface LedgerFilter {
  donorId?: number;
  priorityCode?: string;
  /** The pledge's own currency. */
  currency?: string;
  /** The pledge's status today, as the pledges list filters it. */
  status?: PledgeStatus;
  /** The pledges list's search (a LIKE pattern from searchPattern) over title and donor name. */
  search?: string;
}

/** What is not yet received of a pledge, as it stood on asOf. */
export type BalanceBucket = 'outstanding' | 'not_documented';

/** Balances not yet received, in the pledges' own currency, summed per donor, kind, bucket, currency and value date. */
export interface BalanceSum extends DatedSum {
  donorId: number;
  kind: 'cash' | 'in_kind';
  bucket: BalanceBucket;
}

export interface PriorityRow {
  code: string;
  rank: number;
  title: string;
  targetMinor: bigint | null;
  targetCurrency: string | null;
}

export interface ReportedFigureRow {
  key: string;
  value: string;
  currency: string | null;
  asOf: string;
  source: string;
}

export interface SplitRuleCounts {
  statedShares: number;
  evenSplit: number;
}

/**
 * The funding-gap aggregates, computed in SQL: money comes back summed per donor or priority from
 * each row's stored value in the reporting currency (src/fx/ledger-valuation.ts), never one row per
 * pledge. `asOf` is the state as it stood that
 * day: pledges whose value date is on or before it and not cancelled by then, money received by
 * then. The same SQL runs on SQLite and PostgreSQL except for the date-of-a-timestamp expression.
 */
@Injectable()
export class FundingGapRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** UTC calendar day of a timestamp column. */
  private dayOf(column: string): string {
    return utcDaySql(this.isPostgres, column);
  }

  /** The pledge's value date, as valuation uses it. */
  private get pledgeValueDate(): string {
    return pledgeValueDateSql(this.isPostgres, 'p');
  }

  /** Pledges that stood on `asOf`: valued on or before it, not cancelled by then, with a money value. */
  private get activePledge(): string {
    return `${this.pledgeValueDate} <= :asOf AND ${this.notCancelledByAsOf} AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL`;
  }

  /**
   * `column <= :asOf` that SQLite answers with a table scan: when most rows qualify (asOf is usually
   * today), walking the date index and fetching each row costs several times a scan.
   */
  private onOrBeforeAsOf(column: string): string {
    return this.isPostgres ? `${column} <= :asOf` : `+${column} <= :asOf`;
  }

  /** Receipts counted by `asOf` that carry money (or wait to be valued, which the sums then report). */
  private get countedReceipt(): string {
    return `${this.onOrBeforeAsOf('d.received_on')} AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL)`;
  }

  /**
   * Receipts counted by `asOf` summed per pledge, in `currency`: one pass over the covering index
   * ix_disbursements_pledge_values, in pledge order, without touching the table.
   */
  private receivedPerPledge(currency: ReportingCurrency): string {
    const value = `d.${VALUE_COLUMN[currency]}`;
    return `(SELECT d.pledge_id AS pledge_id, SUM(${value}) AS total, ${this.unvalued('d', value)} AS unvalued
               FROM disbursements d WHERE ${this.countedReceipt} GROUP BY d.pledge_id)`;
  }

  /** Rows of a sum whose value is missing: waiting for valuation, or no rate for it. */
  private unvalued(alias: string, value: string): string {
    return `SUM(CASE WHEN ${alias}.valued_at IS NULL OR ${value} IS NULL THEN 1 ELSE 0 END)`;
  }

  /** Money counted by a disbursement: cash as received; goods valued at the pledge's unit value. */
  private readonly receivedMoney = `CASE WHEN p.kind = 'cash' THEN d.amount_minor ELSE d.quantity * p.unit_value_minor END`;
  private readonly receivedCurrency = `CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END`;
  private readonly hasReceivedMoney = `(p.kind = 'cash' AND d.amount_minor IS NOT NULL) OR (p.kind = 'in_kind' AND d.quantity IS NOT NULL AND p.unit_value_minor IS NOT NULL)`;
  private readonly earmarkCounts = `(SELECT pledge_id, COUNT(*) AS earmark_count FROM pledge_priorities GROUP BY pledge_id)`;

  /**
   * Runs SQL written with named parameters (`:asOf`, and the filter's `:donorId`, `:priorityCode`,
   * `:currency`, `:status`), binding them the way each driver wants.
   */
  private query<T>(sql: string, asOf: string, filter: LedgerFilter = {}): Promise<T[]> {
    const values: Record<string, string | number | undefined> = { asOf, ...filter };
    const casts: Record<string, string> = { asOf: '::date', donorId: '::integer' };
    const params: Array<string | number> = [];
    const positions = new Map<string, number>();
    const text = sql.replace(/(?<!:):(asOf|donorId|priorityCode|currency|status|search)\b/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`No value bound for :${name}`);
      if (!this.isPostgres) {
        params.push(value);
        return '?';
      }
      let position = positions.get(name);
      if (position === undefined) {
        params.push(value);
        position = params.length;
        positions.set(name, position);
      }
      return `$${position}${casts[name] ?? ''}`;
    });
    return this.dataSource.query(text, params);
  }

  /** The filter as SQL conditions on pledges aliased `p` (always true without one). */
  private filterSql(filter: LedgerFilter): string {
    const conditions: string[] = [];
    if (filter.donorId !== undefined) conditions.push('p.donor_id = :donorId');
    if (filter.currency !== undefined) conditions.push('p.currency = :currency');
    if (filter.status !== undefined) conditions.push(`(${PLEDGE_STATUS_SQL}) = :status`);
    if (filter.search !== undefined) conditions.push(`(${PLEDGE_SEARCH_SQL})`);
    if (filter.priorityCode !== undefined)
      conditions.push('EXISTS (SELECT 1 FROM pledge_priorities fp WHERE fp.pledge_id = p.id AND fp.priority_code = :priorityCode)');
    return conditions.length ? conditions.map((c) => ` AND ${c}`).join('') : '';
  }

  /**
   * Where a standing pledge's unreceived balance falls on `asOf`: outstanding when an officer says it
   * is owed or the date promised for it has passed, otherwise receipt not documented. The SQL twin
   * of `receiptStatusOf` (src/pledges/fulfilment.ts), written once for the totals and the digest lines.
   */
  private readonly balanceBucket = `CASE WHEN p.receipt_expectation = 'owed' OR (p.receipt_due_on IS NOT NULL AND p.receipt_due_on < :asOf) THEN 'outstanding' ELSE 'not_documented' END`;

  /** Pledges cancelled by `asOf`: they count in the cancelled total and nowhere else. */
  private get notCancelledByAsOf(): string {
    return `(p.cancelled_at IS NULL OR ${this.dayOf('p.cancelled_at')} > :asOf)`;
  }

  /** Money pledged per donor and kind, standing on `asOf`, in `currency` (each pledge at its value date). */
  async pledgedByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<DonorValue[]> {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(${value}) AS TEXT) AS total, ${this.unvalued('p', value)} AS unvalued
         FROM pledges p
        WHERE ${this.activePledge}${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  /** Money of pledges cancelled by `asOf`, per donor and kind: counted in the cancelled total only. */
  async cancelledByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<DonorValue[]> {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(${value}) AS TEXT) AS total, ${this.unvalued('p', value)} AS unvalued
         FROM pledges p
        WHERE ${this.pledgeValueDate} <= :asOf AND p.cancelled_at IS NOT NULL AND ${this.dayOf('p.cancelled_at')} <= :asOf
          AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  /**
   * What each standing pledge had not received by `asOf`, in its own currency (cash: the amount less
   * the receipts counted against it; valued goods: the goods not delivered at their unit value),
   * summed per donor, kind, bucket and (currency, value date), so the caller converts it at the
   * pledge's own rate. A pledge's balance is outstanding when an officer says it is owed or the date
   * promised for it has passed; otherwise its receipt is not documented. Over-receipts count as nothing left.
   */
  async balancesByDonor(asOf: string, filter: LedgerFilter = {}): Promise<BalanceSum[]> {
    // Per pledge, what counted against it by asOf, from ix_disbursements_pledge_counted alone.
    const counted = (column: string) => `COALESCE((SELECT SUM(d.${column}) FROM disbursements d WHERE d.pledge_id = p.id AND d.received_on <= :asOf), 0)`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind,
              ${this.balanceBucket} AS bucket,
              p.currency AS currency, ${this.pledgeValueDate} AS value_date, CAST(SUM(b.balance) AS TEXT) AS total
         FROM (SELECT p.id AS id,
                      CASE WHEN p.kind = 'cash' THEN p.amount_minor - ${counted('counted_minor')}
                           ELSE p.amount_minor - ${counted('quantity')} * p.unit_value_minor END AS balance
                 FROM pledges p
                WHERE ${this.activePledge}${this.filterSql(filter)} AND (p.kind = 'cash' OR p.unit_value_minor IS NOT NULL)) b
         JOIN pledges p ON p.id = b.id
        WHERE b.balance > 0
        GROUP BY 1, 2, 3, 4, 5`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      ...toDatedSum(r),
      donorId: aggregateToNumber(r.donor_id as number),
      kind: r.kind as 'cash' | 'in_kind',
      bucket: r.bucket as BalanceBucket,
    }));
  }

  /** Money received per donor and kind by `asOf`, in `currency` (each receipt at its date). */
  async receivedByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<DonorValue[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued
         FROM ${this.receivedPerPledge(currency)} r
         JOIN pledges p ON p.id = r.pledge_id
        WHERE ${this.notCancelledByAsOf}${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  async pledgedByPriority(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<PriorityValue[]> {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(${value}) AS TEXT) AS total, ${this.unvalued('p', value)} AS unvalued
         FROM pledge_priorities pp
         JOIN pledges p ON p.id = pp.pledge_id
         JOIN ${this.earmarkCounts} ec ON ec.pledge_id = p.id
        WHERE ${this.activePledge}${this.filterSql(filter)}
        GROUP BY 1, 2, 3`,
      asOf,
      filter,
    );
    return rows.map(toPriorityValue);
  }

  /** Receipts summed per pledge first, then spread over each pledge's earmarks. */
  async receivedByPriority(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}): Promise<PriorityValue[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued
         FROM ${this.receivedPerPledge(currency)} r
         JOIN pledges p ON p.id = r.pledge_id
         JOIN pledge_priorities pp ON pp.pledge_id = r.pledge_id
         JOIN ${this.earmarkCounts} ec ON ec.pledge_id = r.pledge_id
        WHERE ${this.notCancelledByAsOf}${this.filterSql(filter)}
        GROUP BY 1, 2, 3`,
      asOf,
      filter,
    );
    return rows.map(toPriorityValue);
  }

  /**
   * A donor's pledges worth listing: the `largest` by stored value in `currency` and the `latest` by
   * value date, with how many pledges the donor has in all. Cancelled ones are listed too (marked).
   */
  async donorPledgeCandidates(donorId: number, currency: ReportingCurrency, largest: number, latest: number) {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const filter = { donorId };
    const pick = (order: string, limit: number, extra = '') =>
      this.query<Record<string, unknown>>(
        `SELECT p.id AS id, ${this.pledgeValueDate} AS value_date, CAST(${value} AS TEXT) AS value
           FROM pledges p WHERE p.donor_id = :donorId${extra} ORDER BY ${order} LIMIT ${Math.max(0, Math.trunc(limit))}`,
        todayUtcPlaceholder,
        filter,
      );
    const [big, recent, count] = await Promise.all([
      pick(`${value} DESC, p.id DESC`, largest, ` AND ${value} IS NOT NULL`),
      pick(`${this.pledgeValueDate} DESC, p.id DESC`, latest),
      this.query<Record<string, unknown>>('SELECT COUNT(*) AS n FROM pledges p WHERE p.donor_id = :donorId', todayUtcPlaceholder, filter),
    ]);
    const candidate = (r: Record<string, unknown>) => ({
      id: aggregateToNumber(r.id as number),
      valueDate: dateOnly(r.value_date as string) as string,
      valueMinor: toBigInt(r.value as string | null),
    });
    return { largest: big.map(candidate), latest: recent.map(candidate), count: aggregateToNumber(count[0]?.n as number) };
  }

  /**
   * Per pledge, for a listed few (a digest's lines): its stored value, what it had received by
   * `asOf` (each receipt at its own stored value), and its balance in its own currency with the
   * bucket that balance falls in, by the same rules as the totals.
   */
  async pledgeFigures(ids: readonly number[], asOf: string, currency: ReportingCurrency): Promise<PledgeFigureRow[]> {
    if (ids.length === 0) return [];
    const list = ids.map((id) => String(Math.trunc(Number(id)))).join(', ');
    const value = VALUE_COLUMN[currency];
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.id AS id, p.currency AS currency, ${this.pledgeValueDate} AS value_date, CAST(p.${value} AS TEXT) AS pledged_value,
              CAST(COALESCE(r.received_value, 0) AS TEXT) AS received_value, r.unvalued AS unvalued,
              CAST(CASE WHEN p.amount_minor IS NULL THEN NULL
                        WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                        WHEN p.unit_value_minor IS NULL THEN NULL
                        ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END AS TEXT) AS balance,
              CASE WHEN NOT ${this.notCancelledByAsOf} THEN 'cancelled' ELSE ${this.balanceBucket} END AS bucket
         FROM pledges p
         LEFT JOIN (SELECT d.pledge_id AS pledge_id, SUM(d.counted_minor) AS counted, SUM(d.quantity) AS quantity, SUM(d.${value}) AS received_value,
                           ${this.unvalued('d', `d.${value}`)} AS unvalued
                      FROM disbursements d WHERE d.received_on <= :asOf AND d.pledge_id IN (${list}) GROUP BY d.pledge_id) r ON r.pledge_id = p.id
        WHERE p.id IN (${list})`,
      asOf,
    );
    return rows.map((r) => ({
      id: aggregateToNumber(r.id as number),
      currency: (r.currency as string | null) ?? null,
      valueDate: dateOnly(r.value_date as string) as string,
      pledgedValue: toBigInt(r.pledged_value as string | null),
      receivedValue: aggregateToBigInt(r.received_value as string),
      unvaluedReceipts: aggregateToNumber((r.unvalued as number | null) ?? 0),
      balanceMinor: toBigInt(r.balance as string | null),
      bucket: r.bucket as BalanceBucket | 'cancelled',
    }));
  }

  /**
   * Every (currency, value date) the counted money was converted at: the rates behind the figures,
   * and the place a missing rate shows up. Thousands of rows on years of daily data, not one per pledge.
   */
  async valueDates(asOf: string, filter: LedgerFilter = {}): Promise<ValueDate[]> {
    // Without a filter the receipts' dates come from the covering index ix_disbursements_value_dates
    // alone, leaving out the few cancelled pledges by id: joining every receipt to its pledge took
    // 1.7 s instead of 0.25 s on 300k receipts.
    const receipts = Object.keys(filter).length
      ? `SELECT d.value_currency AS currency, d.received_on AS value_date FROM disbursements d JOIN pledges p ON p.id = d.pledge_id
          WHERE ${this.onOrBeforeAsOf('d.received_on')} AND d.value_currency IS NOT NULL AND ${this.notCancelledByAsOf}${this.filterSql(filter)}
          GROUP BY 1, 2`
      : `SELECT d.value_currency AS currency, d.received_on AS value_date FROM disbursements d
          WHERE ${this.onOrBeforeAsOf('d.received_on')} AND d.value_currency IS NOT NULL
            AND d.pledge_id NOT IN (SELECT c.id FROM pledges c WHERE c.cancelled_at IS NOT NULL AND ${this.dayOf('c.cancelled_at')} <= :asOf)
          GROUP BY 1, 2`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.currency AS currency, ${this.pledgeValueDate} AS value_date FROM pledges p WHERE ${this.activePledge}${this.filterSql(filter)} GROUP BY 1, 2
       UNION
       ${receipts}`,
      asOf,
      filter,
    );
    return rows.map((r) => ({ currency: String(r.currency), valueDate: dateOnly(r.value_date as string) as string }));
  }

  /** Goods in their own units per donor: pledged (standing on `asOf`) and delivered by then. */
  async inKindQuantities(asOf: string, filter: LedgerFilter = {}): Promise<InKindQuantityRow[]> {
    const rows = await this.goodsGroupedBy('p.donor_id', '', asOf, filter);
    return rows.map(({ key, ...goods }) => ({ donorId: aggregateToNumber(key as number), ...goods }));
  }

  /** Goods in their own units per priority they are earmarked to, counted in full under each. */
  async inKindQuantitiesByPriority(asOf: string, filter: LedgerFilter = {}): Promise<PriorityInKindRow[]> {
    const rows = await this.goodsGroupedBy('pp.priority_code', 'JOIN pledge_priorities pp ON pp.pledge_id = p.id', asOf, filter);
    return rows.map(({ key, ...goods }) => ({ priorityCode: String(key), ...goods }));
  }

  /**
   * In-kind pledges standing on `asOf`, grouped by `keyColumn` and unit, with what was delivered by
   * then: one index probe per goods pledge rather than a pass over every receipt.
   */
  private async goodsGroupedBy(keyColumn: string, join: string, asOf: string, filter: LedgerFilter) {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT g.group_key AS group_key, g.unit AS unit, SUM(g.quantity) AS pledged, SUM(g.delivered) AS delivered,
              SUM(CASE WHEN g.up_to THEN 1 ELSE 0 END) AS up_to,
              SUM(CASE WHEN g.quantity > g.delivered THEN g.quantity - g.delivered ELSE 0 END) AS to_come,
              SUM(CASE WHEN g.up_to AND g.quantity > g.delivered THEN 1 ELSE 0 END) AS to_come_up_to
         FROM (SELECT ${keyColumn} AS group_key, p.in_kind_unit AS unit, p.in_kind_quantity AS quantity, p.in_kind_quantity_is_maximum AS up_to,
                      COALESCE((SELECT SUM(dq.quantity) FROM disbursements dq
                                 WHERE dq.pledge_id = p.id AND dq.received_on <= :asOf AND dq.quantity IS NOT NULL), 0) AS delivered
                 FROM pledges p
                 ${join}
                WHERE p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL
                  AND ${this.pledgeValueDate} <= :asOf AND ${this.notCancelledByAsOf}${this.filterSql(filter)}) g
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      key: r.group_key,
      unit: String(r.unit),
      pledged: aggregateToNumber(r.pledged as number),
      delivered: aggregateToNumber(r.delivered as number),
      upTo: aggregateToNumber(r.up_to as number) > 0,
      toCome: aggregateToNumber(r.to_come as number),
      toComeUpTo: aggregateToNumber(r.to_come_up_to as number) > 0,
    }));
  }

  /** How pledges earmarked to several priorities standing on `asOf` are split. */
  async splitRuleCounts(asOf: string, filter: LedgerFilter = {}): Promise<SplitRuleCounts> {
    const [row] = await this.query<Record<string, unknown>>(
      `SELECT SUM(CASE WHEN s.stated > 0 THEN 1 ELSE 0 END) AS stated, SUM(CASE WHEN s.stated = 0 THEN 1 ELSE 0 END) AS even
         FROM (SELECT pp.pledge_id, COUNT(pp.share_bp) AS stated
                 FROM pledge_priorities pp JOIN pledges p ON p.id = pp.pledge_id
                WHERE ${this.activePledge}${this.filterSql(filter)}
                GROUP BY pp.pledge_id HAVING COUNT(*) > 1) s`,
      asOf,
      filter,
    );
    return { statedShares: aggregateToNumber(row?.stated as number), evenSplit: aggregateToNumber(row?.even as number) };
  }

  async donorNames(): Promise<Map<number, string>> {
    const rows: Array<{ id: number; name: string }> = await this.dataSource.query('SELECT id, name FROM donors');
    return new Map(rows.map((r) => [aggregateToNumber(r.id), r.name]));
  }

  async priorities(): Promise<PriorityRow[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      'SELECT code, rank, title, CAST(target_minor AS TEXT) AS target_minor, target_currency FROM priorities ORDER BY rank',
    );
    return rows.map((r) => ({
      code: String(r.code),
      rank: aggregateToNumber(r.rank as number),
      title: String(r.title),
      targetMinor: toBigInt(r.target_minor as string | null),
      targetCurrency: (r.target_currency as string | null) ?? null,
    }));
  }

  /** The latest figure of each key stated on or before `asOf`. */
  async latestReportedFigures(asOf: string): Promise<ReportedFigureRow[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT r.key AS key, r.value AS value, r.currency AS currency, r.as_of AS as_of, r.source AS source
         FROM reported_figures r
        WHERE r.as_of <= :asOf
          AND r.id = (SELECT MAX(r2.id) FROM reported_figures r2
                       WHERE r2.key = r.key AND r2.as_of = (SELECT MAX(r3.as_of) FROM reported_figures r3 WHERE r3.key = r.key AND r3.as_of <= :asOf))`,
      asOf,
    );
    return rows.map((r) => ({
      key: String(r.key),
      value: String(r.value),
      currency: (r.currency as string | null) ?? null,
      asOf: dateOnly(r.as_of as string) as string,
      source: String(r.source),
    }));
  }

  /** Every published rate between the given currencies dated on or before `asOf`, oldest first within each pair. */
  async ratesAmong(currencies: readonly string[], asOf: string): Promise<RateQuote[]> {
    const list = currencies.map((c) => `'${c.replace(/[^A-Z]/g, '')}'`).join(', ');
    const rows = await this.query<Record<string, unknown>>(
      `SELECT base, quote, rate_date, rate, source FROM fx_rates
        WHERE base IN (${list}) AND quote IN (${list}) AND rate_date <= :asOf
        ORDER BY base, quote, rate_date`,
      asOf,
    );
    return rows.map((r) => ({
      base: String(r.base),
      quote: String(r.quote),
      rate: String(r.rate),
      date: dateOnly(r.rate_date as string) as string,
      source: String(r.source),
    }));
  }

  /** The clearance figures stated on or before `asOf`, newest first. */
  clearanceFigures(asOf: string): Promise<ClearanceProgressEntity[]> {
    return this.dataSource
      .getRepository(ClearanceProgressEntity)
      .createQueryBuilder('c')
      .where('c.asOf <= :asOf', { asOf })
      .orderBy('c.asOf', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .getMany();
  }

  /** Adds a clearance figure unless one of its metric and as-of date is stored (its natural key); says whether it did. */
  async addClearanceFigureIfMissing(tx: Transaction, figure: Omit<ClearanceProgressEntity, 'id' | 'createdAt'>): Promise<boolean> {
    const repo = tx.getRepository(ClearanceProgressEntity);
    if (await repo.exists({ where: { metric: figure.metric, asOf: figure.asOf } })) return false;
    await repo.insert(figure);
    return true;
  }
}

function toDatedSum(r: Record<string, unknown>): DatedSum {
  return {
    currency: String(r.currency),
    valueDate: dateOnly(r.value_date as string) as string,
    amountMinor: aggregateToBigInt(r.total as string),
  };
}

function toDonorValue(r: Record<string, unknown>): DonorValue {
  return {
    donorId: aggregateToNumber(r.donor_id as number),
    kind: r.kind as 'cash' | 'in_kind',
    valueMinor: aggregateToBigInt(r.total as string),
    unvalued: aggregateToNumber(r.unvalued as number),
  };
}

function toPriorityValue(r: Record<string, unknown>): PriorityValue {
  return {
    priorityCode: String(r.priority_code),
    earmarkCount: aggregateToNumber(r.earmark_count as number),
    shareBasisPoints: r.share_bp === null || r.share_bp === undefined ? null : aggregateToNumber(r.share_bp as number),
    valueMinor: aggregateToBigInt(r.total as string),
    unvalued: aggregateToNumber(r.unvalued as number),
  };
}
