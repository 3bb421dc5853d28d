import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { InsertStatement, SqlQuery } from '../database/sql-statements';
import { DonorEntity } from '../donors/donor.entity';
import type { PledgeStatus } from './fulfilment';
import type { Earmark, PledgeColumns } from './pledge-input';
import { DisbursementEntity, PledgeEntity, PledgePriorityEntity } from './pledge.entity';

export interface PledgeFilter {
  donorId?: number;
  status?: PledgeStatus;
  priorityCode?: string;
  currency?: string;
  /** A LIKE pattern (searchPattern) matched against the title and the donor's name, case folded. */
  search?: string;
  /** Newest first (id descending); the cursor then means "ids below". */
  newestFirst?: boolean;
  afterId: number;
  limit: number;
}

/**
 * The derived status as SQL (pledges aliased `p`), so filters run in the database. Mirrors
 * `fulfilmentOf` in fulfilment.ts; the medium tests check the two agree. The pledges list and the
 * funding engine's filter both use this one copy.
 */
/** A pledge (alias `p`) whose title or donor's name holds the `:search` pattern; the one copy for the list and the funding engine. */
export const PLEDGE_SEARCH_SQL = `LOWER(p.title) LIKE :search ESCAPE '\\' OR EXISTS (SELECT 1 FROM donors sd WHERE sd.id = p.donor_id AND LOWER(sd.name) LIKE :search ESCAPE '\\')`;

export const PLEDGE_STATUS_SQL = `CASE
  WHEN p.cancelled_at IS NOT NULL THEN 'cancelled'
  WHEN p.kind = 'cash' AND p.amount_minor IS NOT NULL AND p.disbursed_minor >= p.amount_minor THEN 'fully_disbursed'
  WHEN p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL AND p.delivered_quantity >= p.in_kind_quantity THEN 'fully_disbursed'
  WHEN p.kind = 'cash' AND p.disbursed_minor > 0 THEN 'partly_disbursed'
  WHEN p.kind = 'in_kind' AND p.delivered_quantity > 0 THEN 'partly_disbursed'
  ELSE p.commitment END`;

/** Every column a new pledge row is written with; the id and timestamps come from the database. */
const NEW_PLEDGE_PROPERTIES = [
  'donorId',
  'title',
  'kind',
  'amountMinor',
  'currency',
  'inKindQuantity',
  'inKindUnit',
  'inKindQuantityIsMaximum',
  'unitValueMinor',
  'pledgedOn',
  'sourceDate',
  'commitment',
  'channel',
  'channelName',
  'instrument',
  'source',
  'notes',
  'externalRef',
  'receiptExpectation',
  'receiptDueOn',
  'disbursedMinor',
  'deliveredQuantity',
  'cancelledAt',
  'cancelReason',
  'createdBy',
] as const;
type NewPledgeRow = Pick<PledgeEntity, (typeof NEW_PLEDGE_PROPERTIES)[number]>;

/**
 * The create path's statements, prepared once: a create answers from the row it has just written
 * (plus the donor's name) instead of reading it back through the query builder.
 */
const INSERT_PLEDGE = new InsertStatement(PledgeEntity, NEW_PLEDGE_PROPERTIES, ['id', 'createdAt']);
const INSERT_EARMARKS = new InsertStatement(PledgePriorityEntity, ['pledgeId', 'priorityCode', 'shareBasisPoints']);
const DONOR_NAME = new SqlQuery<{ name: string }>('SELECT name FROM donors WHERE id = ?');
const EXTERNAL_REF_USED = new SqlQuery<{ found: number }>('SELECT 1 AS found FROM pledges WHERE external_ref = ? LIMIT 1');

/** A new pledge as the database stores it: what the create gave, and nothing disbursed, delivered or cancelled yet. */
function newPledgeRow(columns: PledgeColumns): NewPledgeRow {
  return {
    donorId: columns.donorId,
    title: columns.title,
    kind: columns.kind,
    amountMinor: columns.amountMinor ?? null,
    currency: columns.currency ?? null,
    inKindQuantity: columns.inKindQuantity ?? null,
    inKindUnit: columns.inKindUnit ?? null,
    inKindQuantityIsMaximum: columns.inKindQuantityIsMaximum ?? false,
    unitValueMinor: columns.unitValueMinor ?? null,
    pledgedOn: columns.pledgedOn ?? null,
    sourceDate: columns.sourceDate ?? null,
    commitment: columns.commitment,
    channel: columns.channel,
    channelName: columns.channelName ?? null,
    instrument: columns.instrument ?? null,
    source: columns.source ?? null,
    notes: columns.notes ?? null,
    externalRef: columns.externalRef ?? null,
    receiptExpectation: columns.receiptExpectation ?? 'not_documented',
    receiptDueOn: columns.receiptDueOn ?? null,
    disbursedMinor: 0n,
    deliveredQuantity: 0,
    cancelledAt: null,
    cancelReason: null,
    createdBy: columns.createdBy ?? null,
  };
}

@Injectable()
export class PledgesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private withRelations(qb: SelectQueryBuilder<PledgeEntity>): SelectQueryBuilder<PledgeEntity> {
    return qb.leftJoinAndSelect('p.donor', 'd').leftJoinAndSelect('p.earmarks', 'e');
  }

  findById(id: number, manager: EntityManager = this.dataSource.manager): Promise<PledgeEntity | null> {
    return this.withRelations(manager.getRepository(PledgeEntity).createQueryBuilder('p'))
      .where('p.id = :id', { id })
      .orderBy('e.priority_code', 'ASC')
      .getOne();
  }

  /** A few pledges by id (a digest's lines), with their donor and earmarks. */
  async findByIds(ids: readonly number[]): Promise<PledgeEntity[]> {
    if (ids.length === 0) return [];
    return this.withRelations(this.dataSource.getRepository(PledgeEntity).createQueryBuilder('p'))
      .where('p.id IN (:...ids)', { ids: [...ids] })
      .orderBy('p.id', 'ASC')
      .addOrderBy('e.priority_code', 'ASC')
      .getMany();
  }

  disbursementsOf(pledgeId: number): Promise<DisbursementEntity[]> {
    return this.dataSource.getRepository(DisbursementEntity).find({ where: { pledgeId }, order: { receivedOn: 'ASC', id: 'ASC' } });
  }

  /** One page, filtered in SQL. Earmarks are loaded for the page's ids only. */
  async page(filter: PledgeFilter): Promise<PledgeEntity[]> {
    const qb = this.dataSource
      .getRepository(PledgeEntity)
      .createQueryBuilder('p')
      .leftJoinAndSelect('p.donor', 'd')
      .where(filter.newestFirst && filter.afterId === 0 ? '1 = 1' : filter.newestFirst ? 'p.id < :afterId' : 'p.id > :afterId', { afterId: filter.afterId })
      .orderBy('p.id', filter.newestFirst ? 'DESC' : 'ASC')
      .limit(filter.limit + 1);
    if (filter.donorId !== undefined) qb.andWhere('p.donor_id = :donorId', { donorId: filter.donorId });
    if (filter.currency !== undefined) qb.andWhere('p.currency = :currency', { currency: filter.currency });
    if (filter.search !== undefined) qb.andWhere(`(${PLEDGE_SEARCH_SQL})`, { search: filter.search });
    if (filter.status !== undefined) qb.andWhere(`(${PLEDGE_STATUS_SQL}) = :status`, { status: filter.status });
    if (filter.priorityCode !== undefined) {
      qb.andWhere(
        new Brackets((w) =>
          w.where('EXISTS (SELECT 1 FROM pledge_priorities pp WHERE pp.pledge_id = p.id AND pp.priority_code = :priorityCode)', {
            priorityCode: filter.priorityCode,
          }),
        ),
      );
    }
    const pledges = await qb.getMany();
    if (pledges.length) {
      const earmarks = await this.dataSource
        .getRepository(PledgePriorityEntity)
        .createQueryBuilder('e')
        .where('e.pledge_id IN (:...ids)', { ids: pledges.map((p) => p.id) })
        .orderBy('e.priority_code', 'ASC')
        .getMany();
      for (const p of pledges) p.earmarks = earmarks.filter((e) => e.pledgeId === p.id);
    }
    return pledges;
  }

  /** Whether a pledge with this external reference is stored, read outside any transaction (the seed's natural key). */
  async hasExternalRef(externalRef: string): Promise<boolean> {
    return (await EXTERNAL_REF_USED.run(this.dataSource.manager, [externalRef])).length > 0;
  }

  async externalRefUsed(tx: EntityManager, externalRef: string): Promise<boolean> {
    return (await EXTERNAL_REF_USED.run(tx, [externalRef])).length > 0;
  }

  /**
   * Writes a pledge and its earmarks (one statement each) and returns the pledge as `findById`
   * would read it back: the written columns, the generated id and creation time, the donor's name
   * and the earmarks by code. Null when the donor does not exist; nothing is written then.
   */
  async insert(tx: EntityManager, pledge: PledgeColumns, earmarks: Earmark[]): Promise<PledgeEntity | null> {
    const [donor] = await DONOR_NAME.run(tx, [pledge.donorId]);
    if (!donor) return null;
    const row = newPledgeRow(pledge);
    const [generated] = await INSERT_PLEDGE.run(tx, [row]);
    const rows = earmarks.map((e) => ({ pledgeId: generated.id, priorityCode: e.code, shareBasisPoints: e.shareBasisPoints }));
    await INSERT_EARMARKS.run(tx, rows);
    return Object.assign(new PledgeEntity(), row, generated, {
      donor: Object.assign(new DonorEntity(), { id: pledge.donorId, name: donor.name }),
      earmarks: rows.map((e) => Object.assign(new PledgePriorityEntity(), e)).sort((a, b) => a.priorityCode.localeCompare(b.priorityCode)),
    });
  }

  /** Adds a disbursement and moves the pledge's running totals in the same transaction. */
  async insertDisbursement(tx: EntityManager, disbursement: Partial<DisbursementEntity>): Promise<DisbursementEntity> {
    const repo = tx.getRepository(DisbursementEntity);
    const saved = await repo.save(repo.create(disbursement));
    await tx
      .getRepository(PledgeEntity)
      .createQueryBuilder()
      .update()
      .set({
        disbursedMinor: () => `disbursed_minor + ${BigInt(saved.countedMinor ?? 0n).toString()}`,
        deliveredQuantity: () => `delivered_quantity + ${Number(saved.quantity ?? 0)}`,
        updatedAt: () => 'CURRENT_TIMESTAMP',
      })
      .where('id = :id', { id: saved.pledgeId })
      .execute();
    return saved;
  }

  /** Sets descriptive columns and, when `earmarks` is given, replaces the pledge's earmarks with them. */
  async updateDescription(
    tx: EntityManager,
    id: number,
    columns: Partial<PledgeEntity>,
    earmarks: Array<{ code: string; shareBasisPoints: number | null }> | null,
  ): Promise<void> {
    if (Object.keys(columns).length) await tx.getRepository(PledgeEntity).update({ id }, columns);
    if (earmarks === null) return;
    const repo = tx.getRepository(PledgePriorityEntity);
    await repo.delete({ pledgeId: id });
    if (earmarks.length) await repo.insert(earmarks.map((e) => ({ pledgeId: id, priorityCode: e.code, shareBasisPoints: e.shareBasisPoints })));
  }

  async markCancelled(tx: EntityManager, id: number, reason: string, at: Date): Promise<void> {
    await tx.getRepository(PledgeEntity).update({ id }, { cancelledAt: at, cancelReason: reason });
  }

  /** Locks the pledge row for the rest of the transaction (PostgreSQL); SQLite is already serialised. */
  async lockForUpdate(tx: EntityManager, id: number, isPostgres: boolean): Promise<void> {
    if (isPostgres) await tx.query('SELECT id FROM pledges WHERE id = $1 FOR UPDATE', [id]);
  }
}
