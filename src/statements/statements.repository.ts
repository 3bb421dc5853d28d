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

  /** The organisation's statement (null for another organisation's). */
  find(organisationId: number, id: number): Promise<StatementEntity | null> {
    return this.dataSource.getRepository(StatementEntity).findOne({ where: { organisationId, id } });
  }

  exists(organisationId: number, id: number, tx: Transaction): Promise<boolean> {
    return tx.getRepository(StatementEntity).exists({ where: { organisationId, id } });
  }

  /** The statement the organisation published last, or null. */
  latest(organisationId: number): Promise<StatementEntity | null> {
    return this.dataSource
      .getRepository(StatementEntity)
      .findOne({ select: { id: true, title: true, asOf: true, knownOn: true, sha256: true }, where: { organisationId }, order: { id: 'DESC' } });
  }

  /** The statement the organisation published just before `id`, or null. */
  previous(organisationId: number, id: number): Promise<StatementEntity | null> {
    return this.dataSource.getRepository(StatementEntity).findOne({ where: { organisationId, id: LessThan(id) }, order: { id: 'DESC' } });
  }

  /** A page of the organisation's statements by id, newest first (one more than `limit`, so the caller knows a next page exists), without the content. */
  page(organisationId: number, afterId: number, limit: number): Promise<StatementEntity[]> {
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
      where: afterId === 0 ? { organisationId } : { organisationId, id: LessThan(afterId) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
  }
}
