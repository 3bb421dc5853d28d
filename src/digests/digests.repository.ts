import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThanOrEqual } from 'typeorm';
import { dateOnly } from '../common/dates';
import { aggregateToBigInt, aggregateToNumber } from '../database/transformers';
import { DonorContactEntity, DonorEntity } from '../donors/donor.entity';
import { ClearanceProgressEntity } from '../funding/clearance-progress.entity';
import { ReportedFigureEntity } from '../national/national.entity';
import { DigestMessageEntity, DigestSettingEntity, MessageStatus } from './digest-message.entity';

export interface DigestRecipients {
  donorId: number;
  contacts: Array<{ id: number; email: string; name: string | null }>;
}

/** A sum of money in one currency, all valued on one date. */
export interface DatedSum {
  currency: string;
  valueDate: string;
  minor: bigint;
}

export interface PriorityPledgeGroup {
  priorityCode: string;
  currency: string | null;
  valueDate: string;
  /** Stated share of each pledge in basis points, or null: split evenly over `earmarkCount`. */
  shareBasisPoints: number | null;
  earmarkCount: number;
  pledgedMinor: bigint;
  disbursedMinor: bigint;
  pledgeCount: number;
}

export type NewDigestMessage = Pick<
  DigestMessageEntity,
  'donorId' | 'contactId' | 'period' | 'messageId' | 'toAddress' | 'subject' | 'htmlBody' | 'textBody' | 'unsubscribeUrl' | 'nextAttemptAt'
>;

export type OutboxRow = Omit<DigestMessageEntity, 'htmlBody' | 'textBody'>;

/**
 * The outbox and the few ledger aggregates a digest needs. The aggregates are summed in SQL per
 * currency and value date, so the caller converts a handful of groups, never every pledge.
 */
@Injectable()
export class DigestsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** The pledge's value date as PledgesService defines it: pledge date, else source date, else the day it was recorded. */
  private get pledgeValueDate(): string {
    return this.isPostgres ? 'COALESCE(p.pledged_on, p.source_date, CAST(p.created_at AS DATE))' : 'COALESCE(p.pledged_on, p.source_date, date(p.created_at))';
  }

  /** Donors with at least one contact still taking digests, with those contacts; all donors or the ones named. */
  async recipients(donorIds: number[] | null): Promise<DigestRecipients[]> {
    const where: Record<string, unknown> = { digestEnabled: true };
    if (donorIds) where.donorId = In(donorIds);
    const contacts = await this.dataSource.getRepository(DonorContactEntity).find({ where, order: { donorId: 'ASC', id: 'ASC' } });
    const byDonor = new Map<number, DigestRecipients>();
    for (const c of contacts) {
      if (c.unsubscribedAt) continue;
      const entry = byDonor.get(c.donorId) ?? { donorId: c.donorId, contacts: [] };
      entry.contacts.push({ id: c.id, email: c.email, name: c.name });
      byDonor.set(c.donorId, entry);
    }
    return [...byDonor.values()];
  }

  async existingDonorIds(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.dataSource.getRepository(DonorEntity).find({ select: { id: true }, where: { id: In(ids) } });
    return new Set(rows.map((r) => r.id));
  }

  findDonor(id: number): Promise<DonorEntity | null> {
    return this.dataSource.getRepository(DonorEntity).findOne({ where: { id } });
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
    if (this.isPostgres) candidates.setLock('pessimistic_write').setOnLocked('skip_locked');
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

  async contactTakesDigests(contactId: number): Promise<boolean> {
    const contact = await this.dataSource.getRepository(DonorContactEntity).findOne({ where: { id: contactId } });
    return !!contact && contact.digestEnabled && !contact.unsubscribedAt;
  }

  /** A page of the outbox by id, without the bodies. */
  outboxPage(afterId: number, limit: number): Promise<OutboxRow[]> {
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
      .where('m.id > :afterId', { afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  findMessage(id: number): Promise<DigestMessageEntity | null> {
    return this.dataSource.getRepository(DigestMessageEntity).findOne({ where: { id } });
  }

  async statusCounts(): Promise<Record<MessageStatus, number>> {
    const rows = await this.dataSource
      .getRepository(DigestMessageEntity)
      .createQueryBuilder('m')
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy('m.status')
      .getRawMany<{ status: MessageStatus; n: string | number }>();
    const counts: Record<MessageStatus, number> = { queued: 0, sent: 0, failed: 0 };
    for (const r of rows) counts[r.status] = aggregateToNumber(r.n);
    return counts;
  }

  // --- unsubscribe -------------------------------------------------------------------------

  findContact(tx: EntityManager | null, id: number): Promise<DonorContactEntity | null> {
    return (tx ?? this.dataSource.manager).getRepository(DonorContactEntity).findOne({ where: { id } });
  }

  async stopDigests(tx: EntityManager, contactId: number, at: Date): Promise<void> {
    await tx.getRepository(DonorContactEntity).update({ id: contactId }, { digestEnabled: false, unsubscribedAt: at });
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

  // --- ledger aggregates -------------------------------------------------------------------

  async governmentSpendByCurrency(): Promise<DatedSum[]> {
    const rows = await this.dataSource.query<Array<{ currency: string; value_date: string | Date; total: string | number }>>(
      'SELECT currency, MAX(period_end) AS value_date, SUM(amount_minor) AS total FROM government_spend GROUP BY currency ORDER BY currency',
    );
    return rows.map((r) => ({
      currency: r.currency,
      valueDate: dateOnly(r.value_date) as string,
      minor: aggregateToBigInt(r.total),
    }));
  }

  /** Valued foreign pledges that are not cancelled: pledged and disbursed, per currency and value date. */
  async foreignPledgesByCurrencyAndDate(): Promise<Array<DatedSum & { disbursedMinor: bigint }>> {
    const valueDate = this.pledgeValueDate;
    const rows = await this.dataSource.query<Array<{ currency: string; value_date: string | Date; pledged: string | number; disbursed: string | number }>>(
      `SELECT p.currency AS currency, ${valueDate} AS value_date, SUM(p.amount_minor) AS pledged, SUM(p.disbursed_minor) AS disbursed
         FROM pledges p
        WHERE p.cancelled_at IS NULL AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL
        GROUP BY p.currency, ${valueDate}
        ORDER BY p.currency, ${valueDate}`,
    );
    return rows.map((r) => ({
      currency: r.currency,
      valueDate: dateOnly(r.value_date) as string,
      minor: aggregateToBigInt(r.pledged),
      disbursedMinor: aggregateToBigInt(r.disbursed),
    }));
  }

  /** Earmarked pledges (not cancelled) per priority, grouped so that each group splits and converts the same way. */
  async pledgesByPriority(): Promise<PriorityPledgeGroup[]> {
    const valueDate = this.pledgeValueDate;
    const rows = await this.dataSource.query<
      Array<{
        priority_code: string;
        currency: string | null;
        value_date: string | Date;
        share_bp: number | string | null;
        earmarks: number | string;
        pledged: string | number | null;
        disbursed: string | number | null;
        pledge_count: number | string;
      }>
    >(
      `SELECT pp.priority_code AS priority_code, p.currency AS currency, ${valueDate} AS value_date, pp.share_bp AS share_bp, n.earmarks AS earmarks,
              SUM(p.amount_minor) AS pledged, SUM(p.disbursed_minor) AS disbursed, COUNT(*) AS pledge_count
         FROM pledge_priorities pp
         JOIN pledges p ON p.id = pp.pledge_id
         JOIN (SELECT pledge_id, COUNT(*) AS earmarks FROM pledge_priorities GROUP BY pledge_id) n ON n.pledge_id = pp.pledge_id
        WHERE p.cancelled_at IS NULL
        GROUP BY pp.priority_code, p.currency, ${valueDate}, pp.share_bp, n.earmarks`,
    );
    return rows.map((r) => ({
      priorityCode: r.priority_code,
      currency: r.currency,
      valueDate: dateOnly(r.value_date) as string,
      shareBasisPoints: r.share_bp === null ? null : aggregateToNumber(r.share_bp),
      earmarkCount: aggregateToNumber(r.earmarks),
      pledgedMinor: aggregateToBigInt(r.pledged),
      disbursedMinor: aggregateToBigInt(r.disbursed),
      pledgeCount: aggregateToNumber(r.pledge_count),
    }));
  }

  /** Clearance figures (clearance_progress, kept by the funding feature) stated on or before `asOf`, newest first. */
  clearanceFigures(asOf: string): Promise<ClearanceProgressEntity[]> {
    return this.dataSource.getRepository(ClearanceProgressEntity).find({ where: { asOf: LessThanOrEqual(asOf) }, order: { asOf: 'DESC', id: 'DESC' } });
  }

  /** The newest value a document states for a headline figure. */
  latestReported(key: string): Promise<ReportedFigureEntity | null> {
    return this.dataSource
      .getRepository(ReportedFigureEntity)
      .findOne({ where: { key: key as ReportedFigureEntity['key'] }, order: { asOf: 'DESC', id: 'DESC' } });
  }
}
