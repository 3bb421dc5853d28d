import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { DonorEntity } from '../donors/donor.entity';
import { DisbursementEntity, PledgeEntity } from '../pledges/pledge.entity';
import type { Earmark } from '../pledges/pledge-input';
import { PriorityEntity } from '../priorities/priority.entity';

/** A pledge ready to insert: the columns `pledgeColumnsFrom` produced plus who imported it. */
export interface PledgeInsertRow {
  columns: Partial<PledgeEntity>;
  earmarks: Earmark[];
}

const PLEDGE_INSERT_COLUMNS = [
  'donor_id',
  'title',
  'kind',
  'amount_minor',
  'currency',
  'in_kind_quantity',
  'in_kind_unit',
  'in_kind_quantity_is_maximum',
  'unit_value_minor',
  'pledged_on',
  'source_date',
  'commitment',
  'channel',
  'channel_name',
  'instrument',
  'source',
  'notes',
  'external_ref',
  'created_by',
] as const;

/**
 * Rows per INSERT statement. 19 parameters a row: 500 rows stay under SQLite's 32,766 and
 * PostgreSQL's 65,535 bound parameters, and measured faster than 100 or 2,000.
 */
const PLEDGE_BATCH = 500;
const EARMARK_BATCH = 2_000;
const LOOKUP_BATCH = 900;

/** Bulk reads and writes for imports and exports: set-based SQL rather than one ORM call per row. */
@Injectable()
export class InteropRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Donor ids by exact name. */
  async donorIdsByName(): Promise<Map<string, number>> {
    const rows = await this.dataSource.getRepository(DonorEntity).find({ select: { id: true, name: true } });
    return new Map(rows.map((d) => [d.name, d.id]));
  }

  async priorityCodes(): Promise<Set<string>> {
    const rows = await this.dataSource.getRepository(PriorityEntity).find({ select: { code: true } });
    return new Set(rows.map((p) => p.code));
  }

  /**
   * Which of these references already name a pledge: stored `external_ref`s, and the generated
   * `mat-pledge-<id>` the export gives a pledge that has none (`generatedIds` holds those ids).
   */
  async existingRefs(refs: string[], generated: Map<number, string>, manager: EntityManager = this.dataSource.manager): Promise<Set<string>> {
    const found = new Set<string>();
    const repo = manager.getRepository(PledgeEntity);
    for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
      const rows = await repo.find({ select: { externalRef: true }, where: { externalRef: In(refs.slice(i, i + LOOKUP_BATCH)) } });
      for (const r of rows) if (r.externalRef) found.add(r.externalRef);
    }
    const ids = [...generated.keys()];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const rows = await repo.find({ select: { id: true, externalRef: true }, where: { id: In(ids.slice(i, i + LOOKUP_BATCH)) } });
      for (const r of rows) if (r.externalRef === null) found.add(generated.get(r.id) as string);
    }
    return found;
  }

  /**
   * Multi-row INSERTs inside the caller's transaction; returns the new ids in row order. Each
   * batch returns (id, external_ref) pairs, matched back by reference, since neither database
   * promises RETURNING rows in VALUES order.
   */
  async insertPledges(tx: EntityManager, rows: PledgeInsertRow[], onBatch?: (done: number) => void): Promise<number[]> {
    const ids: number[] = [];
    for (let start = 0; start < rows.length; start += PLEDGE_BATCH) {
      const batch = rows.slice(start, start + PLEDGE_BATCH);
      const params: unknown[] = [];
      const tuples = batch.map((row) => {
        const c = row.columns;
        const values = [
          c.donorId,
          c.title,
          c.kind,
          c.amountMinor === null || c.amountMinor === undefined ? null : c.amountMinor.toString(),
          c.currency ?? null,
          c.inKindQuantity ?? null,
          c.inKindUnit ?? null,
          this.bool(c.inKindQuantityIsMaximum ?? false),
          c.unitValueMinor === null || c.unitValueMinor === undefined ? null : c.unitValueMinor.toString(),
          c.pledgedOn ?? null,
          c.sourceDate ?? null,
          c.commitment,
          c.channel,
          c.channelName ?? null,
          c.instrument ?? null,
          c.source ?? null,
          c.notes ?? null,
          c.externalRef,
          c.createdBy ?? null,
        ];
        return `(${values.map((v) => this.placeholder(params, v)).join(', ')})`;
      });
      const returned: Array<{ id: number; external_ref: string }> = await tx.query(
        `INSERT INTO pledges (${PLEDGE_INSERT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING id, external_ref`,
        params,
      );
      const idByRef = new Map(returned.map((r) => [r.external_ref, Number(r.id)]));
      for (const row of batch) ids.push(idByRef.get(row.columns.externalRef as string) as number);
      onBatch?.(start + batch.length);
    }
    const earmarks = rows.flatMap((row, i) => row.earmarks.map((e) => [ids[i], e.code, e.shareBasisPoints] as const));
    for (let start = 0; start < earmarks.length; start += EARMARK_BATCH) {
      const params: unknown[] = [];
      const tuples = earmarks.slice(start, start + EARMARK_BATCH).map((values) => `(${values.map((v) => this.placeholder(params, v)).join(', ')})`);
      await tx.query(`INSERT INTO pledge_priorities (pledge_id, priority_code, share_bp) VALUES ${tuples.join(', ')}`, params);
    }
    return ids;
  }

  private placeholder(params: unknown[], value: unknown): string {
    params.push(value);
    return this.isPostgres ? `$${params.length}` : '?';
  }

  private bool(value: boolean): boolean | number {
    return this.isPostgres ? value : value ? 1 : 0;
  }

  /** Disbursements in id order, one page at a time, with the pledge and donor they belong to. */
  disbursementPage(afterId: number, limit: number): Promise<DisbursementEntity[]> {
    return this.dataSource
      .getRepository(DisbursementEntity)
      .createQueryBuilder('d')
      .innerJoinAndSelect('d.pledge', 'p')
      .innerJoinAndSelect('p.donor', 'donor')
      .where('d.id > :afterId', { afterId })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The disbursements of these pledges, oldest first. */
  disbursementsOf(pledgeIds: number[]): Promise<DisbursementEntity[]> {
    if (pledgeIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DisbursementEntity).find({ where: { pledgeId: In(pledgeIds) }, order: { receivedOn: 'ASC', id: 'ASC' } });
  }
}
