import { Injectable } from '@nestjs/common';
import { DataSource, LessThanOrEqual, MoreThan } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { GovernmentSpendEntity, ReportedFigureEntity } from './national.entity';

export type NewGovernmentSpend = Omit<GovernmentSpendEntity, 'id' | 'createdAt'>;
export type NewReportedFigure = Omit<ReportedFigureEntity, 'id' | 'createdAt'>;

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
  spendPage(afterId: number, limit: number): Promise<GovernmentSpendEntity[]> {
    return this.dataSource.getRepository(GovernmentSpendEntity).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /** A page of reported figures by id, one more than `limit` so the caller knows whether another page follows. */
  reportedFiguresPage(afterId: number, limit: number): Promise<ReportedFigureEntity[]> {
    return this.dataSource.getRepository(ReportedFigureEntity).find({ where: { id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit + 1 });
  }

  /**
   * The government figure at `asOf`: the latest observation stated as at that day or before; of
   * two on the same day, the one recorded last. Null before the first observation. Read inside
   * `tx` when given, so a caller in a unit of work sees its own writes and opens no other connection.
   */
  latestSpendOnOrBefore(asOf: string, tx?: Transaction): Promise<GovernmentSpendEntity | null> {
    return (tx ?? this.dataSource.manager)
      .getRepository(GovernmentSpendEntity)
      .findOne({ where: { asAt: LessThanOrEqual(asOf) }, order: { asAt: 'DESC', id: 'DESC' } });
  }

  /** Whether this source's observation in this currency as at this date is recorded (the seed's natural key). */
  /** The earliest observation (the date before which the government figure is not recorded). */
  firstSpend(): Promise<GovernmentSpendEntity | null> {
    return this.dataSource.getRepository(GovernmentSpendEntity).findOne({ where: {}, order: { asAt: 'ASC', id: 'ASC' } });
  }

  hasSpend(asAt: string, currency: string, source: string): Promise<boolean> {
    return this.dataSource.getRepository(GovernmentSpendEntity).exists({ where: { asAt, currency, source } });
  }

  /** Whether this figure from this source as of this date is recorded (the seed's natural key). */
  hasReportedFigure(key: ReportedFigureEntity['key'], asOf: string, source: string): Promise<boolean> {
    return this.dataSource.getRepository(ReportedFigureEntity).exists({ where: { key, asOf, source } });
  }
}
