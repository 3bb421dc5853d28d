import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { knownCutoff } from '../common/dates';
import { SqlDialect } from '../database/sql-dialect';
import type { Transaction } from '../database/unit-of-work';
import { ClearanceProgressEntity } from './clearance-progress.entity';
import { ClearanceResultEntity } from './clearance-result.entity';

/** The clearance_progress and clearance_results tables: area figures behind the funding-gap projection, and what each period achieved. */
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

  /** Adds an area figure someone entered, and returns it as stored. */
  async insertFigure(tx: Transaction, figure: Omit<ClearanceProgressEntity, 'id' | 'createdAt'>): Promise<ClearanceProgressEntity> {
    const repo = tx.getRepository(ClearanceProgressEntity);
    return repo.save(repo.create(figure));
  }

  /** Every area figure of these metrics, newest first (the clearance page). */
  figuresOf(organisationId: number, metrics: readonly string[]): Promise<ClearanceProgressEntity[]> {
    return this.dataSource
      .getRepository(ClearanceProgressEntity)
      .createQueryBuilder('c')
      .where('c.organisation_id = :organisationId AND c.metric IN (:...metrics)', { organisationId, metrics })
      .orderBy('c.asOf', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .getMany();
  }

  async insertResult(tx: Transaction, result: Omit<ClearanceResultEntity, 'id' | 'createdAt'>): Promise<ClearanceResultEntity> {
    const repo = tx.getRepository(ClearanceResultEntity);
    return repo.save(repo.create(result));
  }

  /** Adds a result unless one for its period, district, operator and source is stored (the seed's natural key); says whether it did. */
  async insertResultIfMissing(tx: Transaction, result: Omit<ClearanceResultEntity, 'id' | 'createdAt'>): Promise<boolean> {
    const repo = tx.getRepository(ClearanceResultEntity);
    const where = {
      periodStart: result.periodStart,
      periodEnd: result.periodEnd,
      district: result.district ?? IsNull(),
      operator: result.operator ?? IsNull(),
      source: result.source,
    };
    if (await repo.exists({ where })) return false;
    await repo.insert(result);
    return true;
  }

  /** The organisation's clearance results, newest period first, then by district and operator (a few hundred rows at most: one per district or operator and quarter). */
  results(organisationId: number): Promise<ClearanceResultEntity[]> {
    return this.dataSource
      .getRepository(ClearanceResultEntity)
      .createQueryBuilder('r')
      .where('r.organisation_id = :organisationId', { organisationId })
      .orderBy('r.periodEnd', 'DESC')
      .addOrderBy('r.periodStart', 'DESC')
      .addOrderBy('r.district', 'ASC')
      .addOrderBy('r.operator', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .getMany();
  }
}
