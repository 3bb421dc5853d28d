import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { knownCutoff } from '../common/dates';
import { SqlDialect } from '../database/sql-dialect';
import type { Transaction } from '../database/unit-of-work';
import { PriorityEntity, PriorityTargetEntity } from './priority.entity';

/** The priorities and priority_targets tables: the report's twelve priorities and the history of their funding targets. */
@Injectable()
export class PrioritiesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every priority in the report's order: of one organisation, or (null) of every one, by organisation. */
  allByRank(organisationId: number | null): Promise<PriorityEntity[]> {
    return this.dataSource
      .getRepository(PriorityEntity)
      .find({ where: organisationId === null ? {} : { organisationId }, order: { organisationId: 'ASC', rank: 'ASC' } });
  }

  /** The codes of the organisation's list. */
  async codesOf(organisationId: number): Promise<string[]> {
    const rows = await this.dataSource.getRepository(PriorityEntity).find({ select: { code: true }, where: { organisationId }, order: { rank: 'ASC' } });
    return rows.map((r) => r.code);
  }

  /** Which of these codes are on the organisation's list. */
  async existingCodes(organisationId: number, codes: string[]): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(PriorityEntity)
      .createQueryBuilder('p')
      .select('p.code', 'code')
      .where('p.organisation_id = :organisationId AND p.code IN (:...codes)', { organisationId, codes })
      .getRawMany<{ code: string }>();
    return rows.map((r) => r.code);
  }

  /** True when no priority is stored yet: a brand-new database. */
  async isEmpty(): Promise<boolean> {
    return (await this.dataSource.getRepository(PriorityEntity).count()) === 0;
  }

  findForUpdate(tx: Transaction, organisationId: number, code: string): Promise<PriorityEntity | null> {
    return tx.getRepository(PriorityEntity).findOne({ where: { organisationId, code } });
  }

  async update(tx: Transaction, priority: PriorityEntity): Promise<void> {
    await tx.getRepository(PriorityEntity).save(priority);
  }

  /** Adds the priority unless its organisation's list has its code; says whether it did. */
  async insertIfMissing(tx: Transaction, priority: PriorityEntity): Promise<boolean> {
    const repo = tx.getRepository(PriorityEntity);
    if (await repo.exists({ where: { organisationId: priority.organisationId, code: priority.code } })) return false;
    await repo.insert(priority);
    return true;
  }
  insertTarget(tx: Transaction, target: Omit<PriorityTargetEntity, 'id' | 'createdAt'>): Promise<PriorityTargetEntity> {
    const repo = tx.getRepository(PriorityTargetEntity);
    return repo.save(repo.create(target));
  }

  /**
   * Per priority (of one organisation, or of every one), the latest recorded target row in force
   * on `asOf` (its period, when it has one, covers the date).
   */
  targetsInForce(organisationId: number | null, asOf: string, knownOn?: string): Promise<PriorityTargetEntity[]> {
    const latest = this.dataSource
      .getRepository(PriorityTargetEntity)
      .createQueryBuilder('f')
      .select('MAX(f.id)')
      .where('(f.period_start IS NULL OR f.period_start <= :asOf) AND (f.period_end IS NULL OR f.period_end >= :asOf)')
      .groupBy('f.organisation_id, f.priority_code');
    if (organisationId !== null) latest.andWhere('f.organisation_id = :organisationId');
    // As known on a day: only the targets recorded by its end.
    const dialect = SqlDialect.of(this.dataSource);
    if (knownOn !== undefined) latest.andWhere(dialect.recordedBefore('f.created_at', ':knownBefore'));
    return this.dataSource
      .getRepository(PriorityTargetEntity)
      .createQueryBuilder('t')
      .where(`t.id IN (${latest.getQuery()})`)
      .setParameters({ asOf, organisationId, ...(knownOn === undefined ? {} : { knownBefore: dialect.timestamp(knownCutoff(knownOn)) }) })
      .getMany();
  }

  /** Every target ever set for one of the organisation's priorities, newest first. */
  targetHistory(organisationId: number, code: string): Promise<PriorityTargetEntity[]> {
    return this.dataSource.getRepository(PriorityTargetEntity).find({ where: { organisationId, priorityCode: code }, order: { id: 'DESC' } });
  }
}
