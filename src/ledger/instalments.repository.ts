import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import { aggregateToNumber, toBigInt } from '../database/transformers';
import type { Transaction } from '../database/unit-of-work';
import { InstalmentEntity } from './instalment.entity';
import type { PledgeKind } from './pledge.entity';

export type NewInstalment = Pick<InstalmentEntity, 'organisationId' | 'pledgeId' | 'dueOn' | 'amountMinor' | 'quantity' | 'createdBy'>;
export type InstalmentChanges = Partial<Pick<InstalmentEntity, 'dueOn' | 'amountMinor' | 'quantity'>>;

/** An instalment of a standing (not cancelled) pledge with what its state needs: the sum scheduled before it and the pledge's receipts. */
export interface ScheduledInstalmentRow {
  id: number;
  pledgeId: number;
  donorId: number;
  pledgeTitle: string;
  kind: PledgeKind;
  currency: string | null;
  unit: string | null;
  dueOn: string;
  /** Minor units of the pledge's currency (cash) or units (in kind). */
  size: bigint;
  scheduledBefore: bigint;
  /** The pledge's receipts counted against it (cash), or its deliveries (in kind). */
  received: bigint;
  /** The pledge's value-date facts, for converting what is still expected. */
  pledgedOn: string | null;
  sourceDate: string | null;
  pledgeCreatedAt: Date;
}

export interface ScheduleWindow {
  today: string;
  from: string;
  to: string;
  /** One organisation's (a donor's schedule is its donor's organisation's already). */
  organisationId?: number;
  donorId?: number;
}

/** The most rows one schedule read returns. */
export const SCHEDULE_LIMIT = 2_000;

interface RawScheduleRow {
  id: number;
  pledge_id: number;
  donor_id: number;
  pledge_title: string;
  kind: PledgeKind;
  currency: string | null;
  unit: string | null;
  due_on: string;
  size: string | number;
  scheduled_before: string | number;
  received: string | number;
  pledged_on: string | null;
  source_date: string | null;
  pledge_created_at: string | Date;
}

/**
 * Every standing pledge's live instalments with the sum of the sizes matched before each (receipts
 * are matched oldest first: instalment-rules.ts), so one instalment's state needs no other row.
 * Instalments lead the join (CROSS JOIN fixes SQLite's order; PostgreSQL plans it as any join): a
 * ledger has far fewer of them than pledges, and with a condition on the pledges' kind SQLite
 * otherwise walked the 95k cash pledges of the bench's ledger to find none (37 ms on every page,
 * whose navigation counts the overdue ones).
 */
const SCHEDULE_SQL = `SELECT i.id, i.pledge_id, p.donor_id, p.title AS pledge_title, p.kind, p.currency, p.in_kind_unit AS unit, i.due_on,
    COALESCE(i.amount_minor, i.quantity) AS size,
    COALESCE(SUM(COALESCE(i.amount_minor, i.quantity)) OVER (PARTITION BY i.pledge_id ORDER BY i.due_on, i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS scheduled_before,
    CASE WHEN p.kind = 'cash' THEN p.disbursed_minor ELSE p.delivered_quantity END AS received,
    p.pledged_on, p.source_date, p.created_at AS pledge_created_at
  FROM pledge_instalments i CROSS JOIN pledges p
  WHERE p.id = i.pledge_id AND i.removed_at IS NULL AND p.cancelled_at IS NULL`;

function toScheduled(r: RawScheduleRow): ScheduledInstalmentRow {
  return {
    id: Number(r.id),
    pledgeId: Number(r.pledge_id),
    donorId: Number(r.donor_id),
    pledgeTitle: r.pledge_title,
    kind: r.kind,
    currency: r.currency,
    unit: r.unit,
    dueOn: r.due_on,
    size: toBigInt(r.size) ?? 0n,
    scheduledBefore: toBigInt(r.scheduled_before) ?? 0n,
    received: toBigInt(r.received) ?? 0n,
    pledgedOn: r.pledged_on,
    sourceDate: r.source_date,
    pledgeCreatedAt: r.pledge_created_at instanceof Date ? r.pledge_created_at : new Date(`${r.pledge_created_at.replace(' ', 'T')}Z`),
  };
}

/** The pledge_instalments table: planned instalments of pledges. */
@Injectable()
export class InstalmentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  insert(tx: Transaction, row: NewInstalment): Promise<InstalmentEntity> {
    const repo = tx.getRepository(InstalmentEntity);
    return repo.save(repo.create({ ...row, removedAt: null, removedBy: null }));
  }

  /** A live (not removed) instalment of a pledge. */
  findLive(pledgeId: number, id: number, tx?: Transaction): Promise<InstalmentEntity | null> {
    return (tx ?? this.dataSource.manager).getRepository(InstalmentEntity).findOne({ where: { id, pledgeId, removedAt: IsNull() } });
  }

  /** A pledge's live instalments in matching order (due date, then id). */
  liveOfPledge(pledgeId: number, tx?: Transaction): Promise<InstalmentEntity[]> {
    return (tx ?? this.dataSource.manager)
      .getRepository(InstalmentEntity)
      .find({ where: { pledgeId, removedAt: IsNull() }, order: { dueOn: 'ASC', id: 'ASC' } });
  }

  /** The live instalments of several pledges, by pledge then matching order. */
  liveOfPledges(pledgeIds: readonly number[]): Promise<InstalmentEntity[]> {
    if (pledgeIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(InstalmentEntity)
      .find({ where: { pledgeId: In([...pledgeIds]), removedAt: IsNull() }, order: { pledgeId: 'ASC', dueOn: 'ASC', id: 'ASC' } });
  }

  async change(tx: Transaction, id: number, changes: InstalmentChanges): Promise<void> {
    await tx.getRepository(InstalmentEntity).update({ id }, changes);
  }

  async markRemoved(tx: Transaction, id: number, by: number | null, at: Date): Promise<void> {
    await tx.getRepository(InstalmentEntity).update({ id }, { removedAt: at, removedBy: by });
  }

  /**
   * Instalments of standing pledges due in [from, to], and those due before `today` that the
   * receipts do not cover (overdue), oldest first, optionally for one donor.
   */
  async inWindow(window: ScheduleWindow): Promise<ScheduledInstalmentRow[]> {
    const dialect = SqlDialect.of(this.dataSource);
    const donor =
      (window.organisationId === undefined ? '' : ' AND p.organisation_id = :organisationId') +
      (window.donorId === undefined ? '' : ' AND p.donor_id = :donorId');
    const { text, params } = dialect.named(
      `SELECT s.* FROM (${SCHEDULE_SQL}${donor}) s
  WHERE s.due_on <= :to AND (s.due_on >= :from OR (s.due_on < :today AND s.scheduled_before + s.size > s.received))
  ORDER BY s.due_on, s.id LIMIT ${SCHEDULE_LIMIT}`,
      {
        from: window.from,
        to: window.to,
        today: window.today,
        ...(window.organisationId === undefined ? {} : { organisationId: window.organisationId }),
        ...(window.donorId === undefined ? {} : { donorId: window.donorId }),
      },
      { from: '::date', to: '::date', today: '::date' },
    );
    const rows = await this.dataSource.query<RawScheduleRow[]>(text, params);
    return rows.map(toScheduled);
  }

  /** Instalments of standing pledges due before `today` that the receipts do not cover: the overdue ones. */
  async countOverdue(today: string): Promise<number> {
    const { text, params } = SqlDialect.of(this.dataSource).named(
      `SELECT COUNT(*) AS n FROM (${SCHEDULE_SQL}) s WHERE s.due_on < :today AND s.scheduled_before + s.size > s.received`,
      { today },
      { today: '::date' },
    );
    const [row] = await this.dataSource.query<Array<{ n: string | number }>>(text, params);
    return aggregateToNumber(row?.n);
  }

  /** Instalments of standing cash pledges that the receipts do not cover in full: the money still expected, oldest first. */
  async uncoveredCash(): Promise<ScheduledInstalmentRow[]> {
    const rows = await this.dataSource.query<RawScheduleRow[]>(
      `SELECT s.* FROM (${SCHEDULE_SQL} AND p.kind = 'cash') s WHERE s.scheduled_before + s.size > s.received ORDER BY s.due_on, s.id`,
    );
    return rows.map(toScheduled);
  }
}
