import { dateOnly, knownCutoff } from '../common/dates';
import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/unit-of-work';
import { DataSource, EntityManager, LessThanOrEqual } from 'typeorm';
import type { RateQuote } from '../common/money/conversion';
import { SqlDialect } from '../database/sql-dialect';
import { FxRateEntity } from './fx-rate.entity';

export interface CoverageRow {
  base: string;
  quote: string;
  first: string;
  last: string;
  days: number;
}

/** Two consecutive published dates of a pair that lie more than the allowed distance apart. */
export interface RateGap {
  base: string;
  quote: string;
  /** The last date with a rate before the gap. */
  from: string;
  /** The first date with a rate after it. */
  to: string;
  days: number;
}

/** The fx_rates table: published rates, only ever added. */
@Injectable()
export class FxRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  /**
   * Every published rate whose base and quote are both among `currencies` (dated on or before
   * `asOf` when given; recorded by `knownOn` when given: common/dates.ts knownCutoff), by pair and date:
   * what a RateTable converts with.
   */
  async ratesAmong(
    currencies: readonly string[],
    asOf: string | null,
    reader: Transaction = this.dataSource.manager,
    knownOn: string | null = null,
  ): Promise<RateQuote[]> {
    const codes = [...new Set(currencies)];
    const params: unknown[] = [...codes, ...codes];
    const list = (start: number) => codes.map((_, i) => this.dialect.placeholder(start + i + 1)).join(', ');
    let dated = asOf === null ? '' : ` AND rate_date <= ${this.dialect.placeholder(params.push(asOf), '::date')}`;
    if (knownOn !== null)
      dated += ` AND ${this.dialect.recordedBefore('created_at', this.dialect.placeholder(params.push(this.dialect.timestamp(knownCutoff(knownOn)))))}`;
    const rows = await reader.query<Array<{ base: string; quote: string; rate_date: string | Date; rate: string; source: string }>>(
      `SELECT base, quote, rate_date, rate, source FROM fx_rates WHERE base IN (${list(0)}) AND quote IN (${list(codes.length)})${dated} ORDER BY base, quote, rate_date`,
      params,
    );
    return rows.map((r) => ({
      base: String(r.base),
      quote: String(r.quote),
      rate: String(r.rate),
      date: dateOnly(r.rate_date) as string,
      source: String(r.source),
    }));
  }

  /** The latest published rate for the pair on or before `date` (an index seek on base, quote, date). */
  async latestOnOrBefore(base: string, quote: string, date: string, tx?: Transaction): Promise<RateQuote | null> {
    const row = await (tx ?? this.dataSource.manager).getRepository(FxRateEntity).findOne({
      where: { base, quote, rateDate: LessThanOrEqual(date) },
      order: { rateDate: 'DESC' },
    });
    return row ? { base: row.base, quote: row.quote, rate: row.rate, date: row.rateDate, source: row.source } : null;
  }

  async pairs(tx?: Transaction): Promise<Array<{ base: string; quote: string }>> {
    return (tx ?? this.dataSource.manager)
      .getRepository(FxRateEntity)
      .createQueryBuilder('r')
      .select(['r.base AS base', 'r.quote AS quote'])
      .distinct(true)
      .getRawMany();
  }

  async coverage(): Promise<CoverageRow[]> {
    const rows = await this.dataSource
      .getRepository(FxRateEntity)
      .createQueryBuilder('r')
      .select('r.base', 'base')
      .addSelect('r.quote', 'quote')
      .addSelect('MIN(r.rate_date)', 'first')
      .addSelect('MAX(r.rate_date)', 'last')
      .addSelect('COUNT(*)', 'days')
      .groupBy('r.base')
      .addGroupBy('r.quote')
      .orderBy('r.base')
      .addOrderBy('r.quote')
      .getRawMany<{ base: string; quote: string; first: string; last: string; days: string | number }>();
    return rows.map((r) => ({ ...r, first: String(r.first).slice(0, 10), last: String(r.last).slice(0, 10), days: Number(r.days) }));
  }

  /** Consecutive rate dates of one pair more than `maxDays` apart, found in SQL with a window function. */
  async gaps(maxDays: number): Promise<RateGap[]> {
    const distance = this.dialect.daysBetween('rate_date', 'prev');
    const rows: Array<{ base: string; quote: string; gap_start: string; gap_end: string; days: string | number }> = await this.dataSource.query(
      `SELECT base, quote, prev AS gap_start, rate_date AS gap_end, ${distance} AS days
         FROM (SELECT base, quote, rate_date, LAG(rate_date) OVER (PARTITION BY base, quote ORDER BY rate_date) AS prev FROM fx_rates) w
        WHERE prev IS NOT NULL AND ${distance} > ${this.dialect.placeholder(1)}
        ORDER BY base, quote, rate_date`,
      [maxDays],
    );
    return rows.map((r) => ({
      base: r.base,
      quote: r.quote,
      from: String(r.gap_start).slice(0, 10),
      to: String(r.gap_end).slice(0, 10),
      days: Number(r.days),
    }));
  }

  /** Inserts rates that are not there yet; returns how many were new. Existing (pair, date) rows are kept. */
  async insertMissing(tx: EntityManager, rates: Array<Omit<RateQuote, 'date'> & { date: string }>): Promise<number> {
    const repo = tx.getRepository(FxRateEntity);
    const before = await repo.count();
    for (let i = 0; i < rates.length; i += 400) {
      const chunk = rates.slice(i, i + 400).map((r) => ({ base: r.base, quote: r.quote, rateDate: r.date, rate: r.rate, source: r.source }));
      await repo.createQueryBuilder().insert().into(FxRateEntity).values(chunk).orIgnore().updateEntity(false).execute();
    }
    return (await repo.count()) - before;
  }

  /** The highest rate id so far: rates added after it are the ones `addedAfter` reports, and it moves with every rate added. */
  async lastId(tx: EntityManager = this.dataSource.manager): Promise<number> {
    const [row] = await tx.query<Array<{ id: number | string | null }>>('SELECT MAX(id) AS id FROM fx_rates');
    return Number(row?.id ?? 0);
  }

  /** The earliest date of each pair among rates added after `id`. */
  async addedAfter(tx: EntityManager, id: number): Promise<Array<{ base: string; quote: string; date: string }>> {
    const rows: Array<{ base: string; quote: string; first: string }> = await tx.query(
      `SELECT base, quote, MIN(rate_date) AS first FROM fx_rates WHERE id > ${this.dialect.placeholder(1)} GROUP BY base, quote`,
      [id],
    );
    return rows.map((r) => ({ base: r.base, quote: r.quote, date: String(r.first).slice(0, 10) }));
  }

  async insertOne(tx: EntityManager, rate: RateQuote): Promise<FxRateEntity> {
    const repo = tx.getRepository(FxRateEntity);
    return repo.save(repo.create({ base: rate.base, quote: rate.quote, rateDate: rate.date, rate: rate.rate, source: rate.source }));
  }

  exists(tx: EntityManager, base: string, quote: string, date: string): Promise<boolean> {
    return tx.getRepository(FxRateEntity).exists({ where: { base, quote, rateDate: date } });
  }
  /** The (quote, date) pairs stored for `base` between two dates, as "QUOTE@YYYY-MM-DD": a preview's "already stored". */
  async storedKeys(base: string, from: string, to: string): Promise<Set<string>> {
    const rows = await this.dataSource
      .getRepository(FxRateEntity)
      .createQueryBuilder('r')
      .select('r.quote', 'quote')
      .addSelect('r.rate_date', 'date')
      .where('r.base = :base AND r.rate_date BETWEEN :from AND :to', { base, from, to })
      .getRawMany<{ quote: string; date: string | Date }>();
    return new Set(rows.map((r) => `${r.quote}@${dateOnly(r.date)}`));
  }
}
