import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { knownCutoff } from '../common/dates';
import { SqlDialect } from '../database/sql-dialect';
import type { Transaction } from '../database/unit-of-work';
import { ClearanceProgressEntity } from './clearance-progress.entity';

/** The clearance_progress table: area figures behind the funding-gap projection. */
@Injectable()
export class ClearanceProgressRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The clearance figures stated on or before `asOf`, newest first. */
  statedBy(asOf: string, knownOn?: string): Promise<ClearanceProgressEntity[]> {
    const qb = this.dataSource.getRepository(ClearanceProgressEntity).createQueryBuilder('c').where('c.asOf <= :asOf', { asOf });
    // As known on a day: only the figures recorded by its end.
    if (knownOn !== undefined) {
      const dialect = SqlDialect.of(this.dataSource);
      qb.andWhere(dialect.recordedBefore('c.created_at', ':knownBefore'), { knownBefore: dialect.timestamp(knownCutoff(knownOn)) });
    }
    return qb.orderBy('c.asOf', 'DESC').addOrderBy('c.id', 'DESC').getMany();
  }

  /** Adds a clearance figure unless one of its metric and as-of date is stored (its natural key); says whether it did. */
  async insertIfMissing(tx: Transaction, figure: Omit<ClearanceProgressEntity, 'id' | 'createdAt'>): Promise<boolean> {
    const repo = tx.getRepository(ClearanceProgressEntity);
    if (await repo.exists({ where: { metric: figure.metric, asOf: figure.asOf } })) return false;
    await repo.insert(figure);
    return true;
  }
}
