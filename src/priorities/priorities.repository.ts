import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { PriorityEntity } from './priority.entity';

/** The priorities table: the report's twelve priorities and their funding targets. */
@Injectable()
export class PrioritiesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Every priority in the report's order. */
  allByRank(): Promise<PriorityEntity[]> {
    return this.dataSource.getRepository(PriorityEntity).find({ order: { rank: 'ASC' } });
  }

  /** Which of these codes are stored. */
  async existingCodes(codes: string[]): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(PriorityEntity)
      .createQueryBuilder('p')
      .select('p.code', 'code')
      .where('p.code IN (:...codes)', { codes })
      .getRawMany<{ code: string }>();
    return rows.map((r) => r.code);
  }

  /** True when no priority is stored yet: a brand-new database. */
  async isEmpty(): Promise<boolean> {
    return (await this.dataSource.getRepository(PriorityEntity).count()) === 0;
  }

  findForUpdate(tx: Transaction, code: string): Promise<PriorityEntity | null> {
    return tx.getRepository(PriorityEntity).findOne({ where: { code } });
  }

  async update(tx: Transaction, priority: PriorityEntity): Promise<void> {
    await tx.getRepository(PriorityEntity).save(priority);
  }

  /** Adds the priority unless one with its code is stored; says whether it did. */
  async insertIfMissing(tx: Transaction, priority: PriorityEntity): Promise<boolean> {
    const repo = tx.getRepository(PriorityEntity);
    if (await repo.exists({ where: { code: priority.code } })) return false;
    await repo.insert(priority);
    return true;
  }
}
