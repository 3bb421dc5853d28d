import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { knownCutoff } from '../common/dates';
import { SqlDialect, type SqlValue } from '../database/sql-dialect';
import { InsertStatement } from '../database/sql-statements';
import type { Transaction } from '../database/unit-of-work';
import { AuditEntryEntity } from './audit-entry.entity';

/** What one audit row holds, before the database gives it an id. */
export type AuditEntry = Omit<AuditEntryEntity, 'id'>;

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: number;
  action?: string;
  /** Entries at or after this instant, and before that one. */
  since?: Date;
  before?: Date;
  /** Newest first: the cursor then means "ids below". */
  newestFirst?: boolean;
  limit: number;
  afterId: number;
}

/** One prepared INSERT for every entry: the audit row is written on every create, so it stays off the query builder. */
const INSERT_ENTRY = new InsertStatement(AuditEntryEntity, [
  'organisationId',
  'at',
  'actorId',
  'actorEmail',
  'action',
  'entityType',
  'entityId',
  'before',
  'after',
  'reason',
]);

/** The audit_log table: appended to in the writer's transaction, never updated, never deleted. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(tx: Transaction, entry: AuditEntry): Promise<void> {
    await INSERT_ENTRY.run(tx, [entry]);
  }

  /** Every entry about one record, oldest first. */
  historyOf(entityType: string, entityId: string): Promise<AuditEntryEntity[]> {
    return this.dataSource.getRepository(AuditEntryEntity).find({
      where: { entityType, entityId },
      order: { id: 'ASC' },
    });
  }

  /**
   * Per record of `entityType`, the `before` of its first entry with one of `actions` recorded
   * after `day` (a day or an instant: common/dates.ts knownCutoff): the record as it then stood. Read inside `reader`.
   */
  async firstBeforeAfter(reader: Transaction, entityType: string, actions: readonly string[], day: string): Promise<Map<string, Record<string, unknown>>> {
    const dialect = SqlDialect.of(reader);
    const values: Record<string, SqlValue> = { entityType, knownBefore: dialect.timestamp(knownCutoff(day)) };
    actions.forEach((action, i) => (values[`action${i}`] = action));
    const { text, params } = dialect.named(
      `SELECT a.entity_id AS entity_id, a.before AS before FROM audit_log a
        WHERE a.entity_type = :entityType AND a.action IN (${actions.map((_, i) => `:action${i}`).join(', ')}) AND NOT ${dialect.recordedBefore('a.at', ':knownBefore')}
        ORDER BY a.id`,
      values,
    );
    const rows: Array<{ entity_id: string; before: string | null }> = await reader.query(text, params);
    const first = new Map<string, Record<string, unknown>>();
    for (const row of rows) {
      if (first.has(row.entity_id) || row.before === null) continue;
      first.set(row.entity_id, typeof row.before === 'string' ? (JSON.parse(row.before) as Record<string, unknown>) : row.before);
    }
    return first;
  }

  /**
   * A page of entries by id (one more than the limit, so the caller knows a next page exists),
   * oldest or newest first, of one organisation, filtered by record, user, action and time. The
   * deployment's own entries (no organisation: shared exchange rates imported from the command
   * line) are no organisation's.
   */
  page(organisationId: number, query: AuditQuery): Promise<AuditEntryEntity[]> {
    const qb = this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where('a.organisation_id = :organisationId', { organisationId })
      .andWhere(query.newestFirst ? (query.afterId === 0 ? '1 = 1' : 'a.id < :afterId') : 'a.id > :afterId', { afterId: query.afterId })
      .orderBy('a.id', query.newestFirst ? 'DESC' : 'ASC')
      .limit(query.limit + 1);
    if (query.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    if (query.actorId !== undefined) qb.andWhere('a.actor_id = :actorId', { actorId: query.actorId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.since) qb.andWhere('a.at >= :since', { since: query.since });
    if (query.before) qb.andWhere('a.at < :before', { before: query.before });
    return qb.getMany();
  }
}
