import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { dateOnly } from '../common/dates';
import type { RateQuote } from '../common/money/conversion';
import { aggregateToBigInt, aggregateToNumber, toBigInt } from '../database/transformers';
import { pledgeValueDateSql, utcDaySql, VALUE_COLUMN, type ReportingCurrency } from '../fx/ledger-valuation.repository';
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

export interface InKindQuantityRow {
  donorId: number;
  unit: string;
  pledged: number;
  delivered: number;
  upTo: boolean;
}

/** Goods in their own units under one priority. A pledge earmarked to several shows its goods under each. */
export interface PriorityInKindRow {
  priorityCode: string;
  unit: string;
  pledged: number;
  delivered: number;
  upTo: boolean;
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
    return `${this.pledgeValueDate} <= :asOf AND (p.cancelled_at IS NULL OR ${this.dayOf('p.cancelled_at')} > :asOf) AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL`;
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

  /** Runs SQL written with `:asOf`, binding it the way each driver wants. */
  private query<T>(sql: string, asOf: string): Promise<T[]> {
    if (this.isPostgres) return this.dataSource.query(sql.replace(/:asOf/g, '$1::date'), [asOf]);
    const occurrences = sql.match(/:asOf/g)?.length ?? 0;
    return this.dataSource.query(
      sql.replace(/:asOf/g, '?'),
      Array.from({ length: occurrences }, () => asOf),
    );
  }

  /** Money pledged per donor and kind, standing on `asOf`, in `currency` (each pledge at its value date). */
  async pledgedByDonor(asOf: string, currency: ReportingCurrency): Promise<DonorValue[]> {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(${value}) AS TEXT) AS total, ${this.unvalued('p', value)} AS unvalued
         FROM pledges p
        WHERE ${this.activePledge}
        GROUP BY 1, 2`,
      asOf,
    );
    return rows.map(toDonorValue);
  }

  /** Money received per donor and kind by `asOf`, in `currency` (each receipt at its date). */
  async receivedByDonor(asOf: string, currency: ReportingCurrency): Promise<DonorValue[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued
         FROM ${this.receivedPerPledge(currency)} r
         JOIN pledges p ON p.id = r.pledge_id
        GROUP BY 1, 2`,
      asOf,
    );
    return rows.map(toDonorValue);
  }

  async pledgedByPriority(asOf: string, currency: ReportingCurrency): Promise<PriorityValue[]> {
    const value = `p.${VALUE_COLUMN[currency]}`;
    const rows = await this.query<Record<string, unknown>>(
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(${value}) AS TEXT) AS total, ${this.unvalued('p', value)} AS unvalued
         FROM pledge_priorities pp
         JOIN pledges p ON p.id = pp.pledge_id
         JOIN ${this.earmarkCounts} ec ON ec.pledge_id = p.id
        WHERE ${this.activePledge}
        GROUP BY 1, 2, 3`,
      asOf,
    );
    return rows.map(toPriorityValue);
  }

  /** Receipts summed per pledge first, then spread over each pledge's earmarks. */
  async receivedByPriority(asOf: string, currency: ReportingCurrency): Promise<PriorityValue[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued
         FROM ${this.receivedPerPledge(currency)} r
         JOIN pledge_priorities pp ON pp.pledge_id = r.pledge_id
         JOIN ${this.earmarkCounts} ec ON ec.pledge_id = r.pledge_id
        GROUP BY 1, 2, 3`,
      asOf,
    );
    return rows.map(toPriorityValue);
  }

  /**
   * Every (currency, value date) the counted money was converted at: the rates behind the figures,
   * and the place a missing rate shows up. Thousands of rows on years of daily data, not one per pledge.
   */
  async valueDates(asOf: string): Promise<ValueDate[]> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT p.currency AS currency, ${this.pledgeValueDate} AS value_date FROM pledges p WHERE ${this.activePledge} GROUP BY 1, 2
       UNION
       SELECT d.value_currency AS currency, d.received_on AS value_date FROM disbursements d
        WHERE ${this.onOrBeforeAsOf('d.received_on')} AND d.value_currency IS NOT NULL
        GROUP BY 1, 2`,
      asOf,
    );
    return rows.map((r) => ({ currency: String(r.currency), valueDate: dateOnly(r.value_date as string) as string }));
  }

  /** Goods in their own units per donor: pledged (standing on `asOf`) and delivered by then. */
  async inKindQuantities(asOf: string): Promise<InKindQuantityRow[]> {
    const rows = await this.goodsGroupedBy('p.donor_id', '', asOf);
    return rows.map(({ key, ...goods }) => ({ donorId: aggregateToNumber(key as number), ...goods }));
  }

  /** Goods in their own units per priority they are earmarked to, counted in full under each. */
  async inKindQuantitiesByPriority(asOf: string): Promise<PriorityInKindRow[]> {
    const rows = await this.goodsGroupedBy('pp.priority_code', 'JOIN pledge_priorities pp ON pp.pledge_id = p.id', asOf);
    return rows.map(({ key, ...goods }) => ({ priorityCode: String(key), ...goods }));
  }

  /**
   * In-kind pledges standing on `asOf`, grouped by `keyColumn` and unit, with what was delivered by
   * then: one index probe per goods pledge rather than a pass over every receipt.
   */
  private async goodsGroupedBy(keyColumn: string, join: string, asOf: string) {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT ${keyColumn} AS group_key, p.in_kind_unit AS unit, SUM(p.in_kind_quantity) AS pledged,
              SUM(COALESCE((SELECT SUM(dq.quantity) FROM disbursements dq
                             WHERE dq.pledge_id = p.id AND dq.received_on <= :asOf AND dq.quantity IS NOT NULL), 0)) AS delivered,
              SUM(CASE WHEN p.in_kind_quantity_is_maximum THEN 1 ELSE 0 END) AS up_to
         FROM pledges p
         ${join}
        WHERE p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL
          AND ${this.pledgeValueDate} <= :asOf AND (p.cancelled_at IS NULL OR ${this.dayOf('p.cancelled_at')} > :asOf)
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      asOf,
    );
    return rows.map((r) => ({
      key: r.group_key,
      unit: String(r.unit),
      pledged: aggregateToNumber(r.pledged as number),
      delivered: aggregateToNumber(r.delivered as number),
      upTo: aggregateToNumber(r.up_to as number) > 0,
    }));
  }

  /** How pledges earmarked to several priorities standing on `asOf` are split. */
  async splitRuleCounts(asOf: string): Promise<SplitRuleCounts> {
    const [row] = await this.query<Record<string, unknown>>(
      `SELECT SUM(CASE WHEN s.stated > 0 THEN 1 ELSE 0 END) AS stated, SUM(CASE WHEN s.stated = 0 THEN 1 ELSE 0 END) AS even
         FROM (SELECT pp.pledge_id, COUNT(pp.share_bp) AS stated
                 FROM pledge_priorities pp JOIN pledges p ON p.id = pp.pledge_id
                WHERE ${this.activePledge}
                GROUP BY pp.pledge_id HAVING COUNT(*) > 1) s`,
      asOf,
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

  /** Government spend known on `asOf` (its period ended by then), summed per currency and period end. */
  async governmentSpend(asOf: string): Promise<Array<DatedSum & { sources: string }>> {
    const rows = await this.query<Record<string, unknown>>(
      `SELECT currency, period_end AS value_date, CAST(SUM(amount_minor) AS TEXT) AS total, MIN(source) AS source, COUNT(*) AS records
         FROM government_spend WHERE period_end <= :asOf GROUP BY 1, 2 ORDER BY 2, 1`,
      asOf,
    );
    return rows.map((r) => ({ ...toDatedSum(r), sources: String(r.source) }));
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
