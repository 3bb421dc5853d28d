import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { InsertStatement } from '../database/sql-statements';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string | number;
  before?: object | null;
  after?: object | null;
  reason?: string | null;
}

/** JSON cannot hold bigint; audit snapshots keep minor units as exact strings. */
function snapshot(value: object | null | undefined): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  limit: number;
  afterId: number;
}

/** One prepared INSERT for every entry: the audit row is written on every create, so it stays off the query builder. */
const INSERT_ENTRY = new InsertStatement(AuditEntryEntity, ['at', 'actorId', 'actorEmail', 'action', 'entityType', 'entityId', 'before', 'after', 'reason']);

/** Who did what, when, with the record before and after. Written in the same transaction as the change. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(tx: EntityManager, actor: Actor, entry: AuditRecord): Promise<void> {
    await INSERT_ENTRY.run(tx, [
      {
        at: new Date(),
        actorId: actor.id || null,
        actorEmail: actor.email,
        action: entry.action,
        entityType: entry.entityType,
        entityId: String(entry.entityId),
        before: snapshot(entry.before),
        after: snapshot(entry.after),
        reason: entry.reason ?? null,
      },
    ]);
  }

  historyOf(entityType: string, entityId: string | number): Promise<AuditEntryEntity[]> {
    return this.dataSource.getRepository(AuditEntryEntity).find({
      where: { entityType, entityId: String(entityId) },
      order: { id: 'ASC' },
    });
  }

  list(query: AuditQuery): Promise<AuditEntryEntity[]> {
    const qb = this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where('a.id > :afterId', { afterId: query.afterId })
      .orderBy('a.id', 'ASC')
      .limit(query.limit + 1);
    if (query.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    return qb.getMany();
  }
}
