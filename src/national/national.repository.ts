import { Injectable } from '@nestjs/common';
import { DataSource, LessThanOrEqual, MoreThan, Raw, type FindOperator } from 'typeorm';
import { dateOnly, knownCutoff } from '../common/dates';
import { SqlDialect } from '../database/sql-dialect';
import type { Transaction } from '../database/unit-of-work';
import { GovernmentSpendEntity, ReportedFigureEntity } from './national.entity';

export type NewGovernmentSpend = Omit<GovernmentSpendEntity, 'id' | 'createdAt'>;
export type NewReportedFigure = Omit<ReportedFigureEntity, 'id' | 'createdAt'>;

/** A reported figure as the funding engine reads it. */
export interface ReportedFigureRow {
  key: string;
  value: string;
  currency: string | null;
  asOf: string;
  source: string;
}

/** The government_spend and reported_figures tables. */
@Injectable()
export class NationalRepository {
  constructor(private readonly dataSource: DataSource) {}

  insertSpend(tx: Transaction, spend: NewGovernmentSpend): Promise<GovernmentSpendEntity> {
    const repo = tx.getRepository(GovernmentSpendEntity);
    return repo.save(repo.create(spend));
  }

  insertReportedFigure(tx: Transaction, figure: NewReportedFigure): Promise<ReportedFigureEntity> {
    const repo = tx.getRepository(ReportedFigureEntity);
    return repo.save(repo.create(figure));
  }

  /** A page of spend rows by id, one more than `limit` so the caller knows whether another page follows. */
  spendPage(organisationId: number, afterId: number, limit: number): Promise<GovernmentSpendEntity[]> {
    return this.dataSource
      .getRepository(GovernmentSpendEntity)
      .find({ where: { organisationId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /** A page of the organisation's reported figures by id, one more than `limit` so the caller knows whether another page follows. */
  reportedFiguresPage(organisationId: number, afterId: number, limit: number): Promise<ReportedFigureEntity[]> {
    return this.dataSource
      .getRepository(ReportedFigureEntity)
      .find({ where: { organisationId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /**
   * The government figure at `asOf`: the latest observation stated as at that day or before; of
   * two on the same day, the one recorded last. Null before the first observation. Read inside
   * `tx` when given, so a caller in a unit of work sees its own writes and opens no other connection.
   */
  latestSpendOnOrBefore(asOf: string, tx?: Transaction, knownOn?: string): Promise<GovernmentSpendEntity | null> {
    return (tx ?? this.dataSource.manager)
      .getRepository(GovernmentSpendEntity)
      .findOne({ where: { asAt: LessThanOrEqual(asOf), ...this.recordedBy(knownOn) }, order: { asAt: 'DESC', id: 'DESC' } });
  }

  /** A find condition: recorded by `knownOn` (none without it; common/dates.ts knownCutoff). */
  private recordedBy(knownOn: string | undefined): { createdAt?: FindOperator<Date> } {
    if (knownOn === undefined) return {};
    const dialect = SqlDialect.of(this.dataSource);
    return { createdAt: Raw((column) => dialect.recordedBefore(column, ':knownBefore'), { knownBefore: dialect.timestamp(knownCutoff(knownOn)) }) };
  }

  /** The latest figure of each key stated on or before `asOf` (of two on one day, the one recorded last). */
  async latestReportedFigures(asOf: string, knownOn?: string): Promise<ReportedFigureRow[]> {
    const dialect = SqlDialect.of(this.dataSource);
    // As known on a day: the table as it stood then (rows recorded by its end), under the same rule.
    const figures =
      knownOn === undefined ? 'reported_figures' : `(SELECT * FROM reported_figures WHERE ${dialect.recordedBefore('created_at', ':knownBefore')})`;
    const { text, params } = dialect.named(
      `SELECT r.key AS key, r.value AS value, r.currency AS currency, r.as_of AS as_of, r.source AS source
         FROM ${figures} r
        WHERE r.as_of <= :asOf
          AND r.id = (SELECT MAX(r2.id) FROM ${figures} r2
                       WHERE r2.key = r.key AND r2.as_of = (SELECT MAX(r3.as_of) FROM ${figures} r3 WHERE r3.key = r.key AND r3.as_of <= :asOf))`,
      knownOn === undefined ? { asOf } : { asOf, knownBefore: dialect.timestamp(knownCutoff(knownOn)) },
      { asOf: '::date' },
    );
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(text, params);
    return rows.map((r) => ({
      key: String(r.key),
      value: String(r.value),
      currency: (r.currency as string | null) ?? null,
      asOf: dateOnly(r.as_of as string) as string,
      source: String(r.source),
    }));
  }

  /** The earliest observation (the date before which the government figure is not recorded). */
  firstSpend(knownOn?: string): Promise<GovernmentSpendEntity | null> {
    return this.dataSource.getRepository(GovernmentSpendEntity).findOne({ where: this.recordedBy(knownOn), order: { asAt: 'ASC', id: 'ASC' } });
  }

  /** Whether this source's observation in this currency as at this date is recorded (the seed's natural key). */
  hasSpend(asAt: string, currency: string, source: string): Promise<boolean> {
    return this.dataSource.getRepository(GovernmentSpendEntity).exists({ where: { asAt, currency, source } });
  }

  /** Whether this figure from this source as of this date is recorded (the seed's natural key). */
  hasReportedFigure(key: ReportedFigureEntity['key'], asOf: string, source: string): Promise<boolean> {
    return this.dataSource.getRepository(ReportedFigureEntity).exists({ where: { key, asOf, source } });
  }
}
