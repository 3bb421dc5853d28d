import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import type { Transaction } from '../database/unit-of-work';
import { CalendarFeedEntity, ObligationEntity, type ObligationKind } from './obligation.entity';

export type NewObligation = Pick<ObligationEntity, 'organisationId' | 'pledgeId' | 'donorId' | 'kind' | 'title' | 'dueOn' | 'responsible' | 'createdBy'>;

export interface CalendarWindow {
  today: string;
  from: string;
  to: string;
  organisationId: number;
  donorId?: number;
  kind?: ObligationKind;
}

/** The most entries a calendar window returns; a 90-day window holds far fewer. */
export const CALENDAR_LIMIT = 2_000;

/** The obligations and calendar_feeds tables. */
@Injectable()
export class ObligationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  insert(tx: Transaction, row: NewObligation): Promise<ObligationEntity> {
    const repo = tx.getRepository(ObligationEntity);
    return repo.save(repo.create(row));
  }

  /** The organisation's obligation (null for another organisation's); inside `tx` when given. */
  findById(organisationId: number, id: number, tx?: Transaction): Promise<ObligationEntity | null> {
    return this.manager(tx).getRepository(ObligationEntity).findOne({ where: { organisationId, id } });
  }

  async markSubmitted(tx: Transaction, id: number, submittedOn: string): Promise<void> {
    await tx.getRepository(ObligationEntity).update({ id }, { submittedOn });
  }

  async markWaived(tx: Transaction, id: number, reason: string): Promise<void> {
    await tx.getRepository(ObligationEntity).update({ id }, { waivedReason: reason });
  }

  byPledge(pledgeId: number): Promise<ObligationEntity[]> {
    return this.dataSource.getRepository(ObligationEntity).find({ where: { pledgeId }, order: { dueOn: 'ASC', id: 'ASC' } });
  }

  /** Everything due in [from, to], and every open obligation due before today (overdue), oldest first. */
  inWindow(window: CalendarWindow): Promise<ObligationEntity[]> {
    const query = this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .where(
        new Brackets((q) =>
          q
            .where('o.due_on BETWEEN :from AND :to', { from: window.from, to: window.to })
            .orWhere('(o.due_on < :today AND o.submitted_on IS NULL AND o.waived_reason IS NULL)', { today: window.today }),
        ),
      )
      .andWhere('o.organisation_id = :organisationId', { organisationId: window.organisationId })
      .orderBy('o.due_on', 'ASC')
      .addOrderBy('o.id', 'ASC')
      .take(CALENDAR_LIMIT);
    if (window.donorId !== undefined) query.andWhere('o.donor_id = :donorId', { donorId: window.donorId });
    if (window.kind !== undefined) query.andWhere('o.kind = :kind', { kind: window.kind });
    return query.getMany();
  }

  /** Open obligations whose due date has passed. */
  countOverdue(today: string): Promise<number> {
    return this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .where('o.due_on < :today AND o.submitted_on IS NULL AND o.waived_reason IS NULL', { today })
      .getCount();
  }

  /** A donor's obligations due up to `to` (open, submitted or waived), for its digest. */
  forDonor(donorId: number, to: string): Promise<ObligationEntity[]> {
    return this.dataSource
      .getRepository(ObligationEntity)
      .createQueryBuilder('o')
      .where('o.donor_id = :donorId AND o.due_on <= :to', { donorId, to })
      .orderBy('o.due_on', 'ASC')
      .addOrderBy('o.id', 'ASC')
      .take(CALENDAR_LIMIT)
      .getMany();
  }

  async replaceFeedKey(tx: Transaction, userId: number, keyHash: string): Promise<void> {
    const repo = tx.getRepository(CalendarFeedEntity);
    await repo.delete({ userId });
    await repo.insert({ userId, keyHash });
  }

  async feedUser(keyHash: string): Promise<number | null> {
    const feed = await this.dataSource.getRepository(CalendarFeedEntity).findOne({ where: { keyHash } });
    return feed?.userId ?? null;
  }
}
