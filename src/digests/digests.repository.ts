import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import { aggregateToNumber } from '../database/transformers';
import { DigestMessageEntity, DigestSettingEntity, MessageStatus } from './digest-message.entity';

export type NewDigestMessage = Pick<
  DigestMessageEntity,
  | 'organisationId'
  | 'donorId'
  | 'contactId'
  | 'period'
  | 'messageId'
  | 'toAddress'
  | 'subject'
  | 'htmlBody'
  | 'textBody'
  | 'unsubscribeUrl'
  | 'nextAttemptAt'
  | 'viewJson'
  | 'templatesSha256'
  | 'statementId'
>;

export type OutboxRow = Omit<DigestMessageEntity, 'htmlBody' | 'textBody'>;

/** The outbox and settings of the digests. Recipients and unsubscribes are the donors' (DonorsService); every money figure comes from FundingGapService. */
@Injectable()
export class DigestsRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  /** "donorId:contactId" of the messages already queued for a period, for the donors given. */
  async queuedKeys(tx: EntityManager, period: string, donorIds: number[]): Promise<Set<string>> {
    if (!donorIds.length) return new Set();
    const rows = await tx.getRepository(DigestMessageEntity).find({ select: { donorId: true, contactId: true }, where: { period, donorId: In(donorIds) } });
    return new Set(rows.map((r) => `${r.donorId}:${r.contactId}`));
  }

  async insertMessages(tx: EntityManager, messages: NewDigestMessage[]): Promise<void> {
    const repo = tx.getRepository(DigestMessageEntity);
    // Chunked to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < messages.length; i += 50) {
      await repo.insert(messages.slice(i, i + 50).map((m) => ({ ...m, status: 'queued', attempts: 0 })));
    }
  }

  /**
   * Reserves up to `limit` due messages for one sender until `leaseUntil` and counts the attempt.
   * Each row is taken by a conditional UPDATE (still queued, lease free), so of two senders (two
   * processes, two app instances on PostgreSQL) exactly one gets it; a crashed sender's rows come
   * back once the lease has passed.
   */
  async claimDue(tx: EntityManager, now: Date, leaseUntil: Date, limit: number): Promise<DigestMessageEntity[]> {
    const repo = tx.getRepository(DigestMessageEntity);
    const candidates = repo
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where("m.status = 'queued'")
      .andWhere('m.next_attempt_at <= :now', { now })
      .andWhere('(m.locked_until IS NULL OR m.locked_until < :now)', { now })
      .orderBy('m.id', 'ASC')
      .limit(limit);
    // PostgreSQL: concurrent claimers skip each other's rows instead of all queuing for the first ones.
    if (this.dialect.skipsLockedRows) candidates.setLock('pessimistic_write').setOnLocked('skip_locked');
    const due = await candidates.getRawMany<{ id: number }>();
    const claimed: number[] = [];
    for (const { id } of due) {
      const result = await repo
        .createQueryBuilder()
        .update()
        .set({ lockedUntil: leaseUntil, attempts: () => 'attempts + 1' })
        .where('id = :id', { id })
        .andWhere("status = 'queued'")
        .andWhere('(locked_until IS NULL OR locked_until < :now)', { now })
        .execute();
      if (result.affected === 1) claimed.push(Number(id));
    }
    if (!claimed.length) return [];
    return repo.find({ where: { id: In(claimed) }, order: { id: 'ASC' } });
  }

  async markSent(tx: EntityManager, id: number, at: Date): Promise<void> {
    await tx.getRepository(DigestMessageEntity).update({ id }, { status: 'sent', sentAt: at, lockedUntil: null, lastError: null });
  }

  async markRetry(tx: EntityManager, id: number, error: string, nextAttemptAt: Date): Promise<void> {
    await tx.getRepository(DigestMessageEntity).update({ id }, { lockedUntil: null, lastError: error, nextAttemptAt });
  }

  async markFailed(tx: EntityManager, id: number, error: string): Promise<void> {
    await tx.getRepository(DigestMessageEntity).update({ id }, { status: 'failed', lockedUntil: null, lastError: error });
  }

  /** A page of the organisation's outbox by id, without the bodies. */
  outboxPage(organisationId: number, afterId: number, limit: number): Promise<OutboxRow[]> {
    return this.dataSource
      .getRepository(DigestMessageEntity)
      .createQueryBuilder('m')
      .select([
        'm.id',
        'm.donorId',
        'm.contactId',
        'm.period',
        'm.messageId',
        'm.toAddress',
        'm.subject',
        'm.unsubscribeUrl',
        'm.status',
        'm.attempts',
        'm.nextAttemptAt',
        'm.lockedUntil',
        'm.lastError',
        'm.sentAt',
        'm.createdAt',
      ])
      .where('m.organisation_id = :organisationId AND m.id > :afterId', { organisationId, afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  /** The organisation's message (null for another organisation's). */
  findMessage(organisationId: number, id: number): Promise<DigestMessageEntity | null> {
    return this.dataSource.getRepository(DigestMessageEntity).findOne({ where: { organisationId, id } });
  }

  async statusCounts(organisationId: number): Promise<Record<MessageStatus, number>> {
    const rows = await this.dataSource
      .getRepository(DigestMessageEntity)
      .createQueryBuilder('m')
      .where('m.organisation_id = :organisationId', { organisationId })
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('m.status')
      .getRawMany<{ status: MessageStatus; n: string | number }>();
    const counts: Record<MessageStatus, number> = { queued: 0, sent: 0, failed: 0 };
    for (const r of rows) counts[r.status] = aggregateToNumber(r.n);
    return counts;
  }

  // --- settings ----------------------------------------------------------------------------

  findSetting(key: string): Promise<DigestSettingEntity | null> {
    return this.dataSource.getRepository(DigestSettingEntity).findOne({ where: { key } });
  }

  /** Keeps the first value written for a key: two instances starting together agree on one. */
  async insertSettingIfAbsent(tx: EntityManager, key: string, value: string): Promise<string> {
    const repo = tx.getRepository(DigestSettingEntity);
    await repo.createQueryBuilder().insert().values({ key, value }).orIgnore().execute();
    const stored = await repo.findOne({ where: { key } });
    if (!stored) throw new Error(`Digest setting ${key} was not stored`);
    return stored.value;
  }
}
