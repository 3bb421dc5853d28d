import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { StatementEntity } from './statement.entity';

export type NewStatement = Omit<StatementEntity, 'id'>;

/** The statements table: inserted once per publication, never updated or deleted. */
@Injectable()
export class StatementsRepository {
  constructor(private readonly dataSource: DataSource) {}

  insert(tx: Transaction, statement: NewStatement): Promise<StatementEntity> {
    const repo = tx.getRepository(StatementEntity);
    return repo.save(repo.create(statement));
  }

  find(id: number): Promise<StatementEntity | null> {
    return this.dataSource.getRepository(StatementEntity).findOne({ where: { id } });
  }

  exists(id: number, tx: Transaction): Promise<boolean> {
    return tx.getRepository(StatementEntity).exists({ where: { id } });
  }

  /** The statement published last, or null. */
  latest(): Promise<StatementEntity | null> {
    return this.dataSource
      .getRepository(StatementEntity)
      .findOne({ select: { id: true, title: true, asOf: true, knownOn: true, sha256: true }, where: {}, order: { id: 'DESC' } });
  }

  /** The statement published just before `id`, or null. */
  previous(id: number): Promise<StatementEntity | null> {
    return this.dataSource.getRepository(StatementEntity).findOne({ where: { id: LessThan(id) }, order: { id: 'DESC' } });
  }

  /** A page by id, newest first (one more than `limit`, so the caller knows a next page exists), without the content. */
  page(afterId: number, limit: number): Promise<StatementEntity[]> {
    return this.dataSource.getRepository(StatementEntity).find({
      select: {
        id: true,
        title: true,
        period: true,
        asOf: true,
        knownOn: true,
        currency: true,
        publishedAt: true,
        publishedBy: true,
        publishedByEmail: true,
        sha256: true,
        replacesId: true,
      },
      where: afterId === 0 ? {} : { id: LessThan(afterId) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
  }
}
