import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { DonorEntity } from '../donors/donor.entity';
import { DisbursementEntity, PledgeEntity } from '../pledges/pledge.entity';
import type { Earmark } from '../pledges/pledge-input';
import { PriorityEntity } from '../priorities/priority.entity';

/** What an import inserted: how many pledges, and the first and last one's id (in file order). */
export interface InsertedPledges {
  created: number;
  firstId: number | null;
  lastId: number | null;
}

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
  'receipt_expectation',
  'receipt_due_on',
  'created_by',
] as const;

/**
 * Rows per INSERT statement. 21 parameters a row: 500 rows stay under SQLite's 32,766 and
 * PostgreSQL's 65,535 bound parameters, and measured faster than 100 or 2,000.
 */
const PLEDGE_BATCH = 500;
const EARMARK_BATCH = 2_000;
const LOOKUP_BATCH = 900;

/**
 * A bulk statement's tuple, column by column: SQL with one `?` where a value is bound (`?` itself,
 * or wrapped, as in `CAST(? AS INTEGER)`), or a literal bound to nothing (`NULL`).
 */
type TupleSql = readonly string[];
const BIND: TupleSql = ['?'];

/** Bulk statement texts kept for reuse: a few kinds, times the null patterns pledges come in. */
const MAX_KEPT_STATEMENTS = 32;

/**
 * Bulk reads and writes for imports and exports: set-based SQL rather than one ORM call per row.
 * The bulk statements are plain SQL whose text is built once per batch size: through the ORM, the
 * look-up of 100,000 references in 900-value `In(...)` batches took 0.5 s, nearly all of it in
 * query building; as plain SQL it takes 0.07 s.
 */
@Injectable()
export class InteropRepository {
  private readonly keptSql = new Map<string, string>();

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
    for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
      const batch = refs.slice(i, i + LOOKUP_BATCH);
      const sql = this.bulkSql(
        'refs',
        batch.length === LOOKUP_BATCH,
        batch.length,
        BIND,
        (list) => `SELECT external_ref FROM pledges WHERE external_ref IN (${list})`,
      );
      const rows: Array<{ external_ref: string | null }> = await manager.query(sql, batch);
      for (const r of rows) if (r.external_ref) found.add(r.external_ref);
    }
    const ids = [...generated.keys()];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const batch = ids.slice(i, i + LOOKUP_BATCH);
      const sql = this.bulkSql(
        'generated',
        batch.length === LOOKUP_BATCH,
        batch.length,
        BIND,
        (list) => `SELECT id FROM pledges WHERE external_ref IS NULL AND id IN (${list})`,
      );
      const rows: Array<{ id: number | string }> = await manager.query(sql, batch);
      for (const r of rows) found.add(generated.get(Number(r.id)) as string);
    }
    return found;
  }

  /**
   * Multi-row INSERTs inside the caller's transaction. The pledges go in without RETURNING, and
   * each earmark finds its pledge in SQL by the reference the row was inserted with (a join on the
   * unique external_ref), so no id has to come back per row: neither database promises RETURNING
   * rows in VALUES order, and returning 100,000 (id, reference) rows cost more than the join. The
   * first and last pledge's ids are looked up once, for the audit entry. A column that is NULL in
   * every row of a batch is written as the literal NULL rather than bound 500 times (a file
   * usually leaves most optional columns empty; binding them was ~7% of the insert's work).
   */
  async insertPledges(tx: EntityManager, rows: PledgeInsertRow[], onBatch?: (done: number) => void): Promise<InsertedPledges> {
    const width = PLEDGE_INSERT_COLUMNS.length;
    for (let start = 0; start < rows.length; start += PLEDGE_BATCH) {
      const batch = rows.slice(start, start + PLEDGE_BATCH);
      const values: unknown[] = [];
      for (const row of batch) this.pushPledgeValues(values, row); // a push loop: flatMap here cost a fifth of the insert
      const bound = PLEDGE_INSERT_COLUMNS.map((_, column) => batch.some((_row, i) => values[i * width + column] !== null));
      const params = values.filter((_value, at) => bound[at % width]);
      const tuple = bound.map((isBound) => (isBound ? '?' : 'NULL'));
      const sql = this.bulkSql(
        `pledges:${tuple.join()}`,
        batch.length === PLEDGE_BATCH,
        batch.length,
        tuple,
        (tuples) => `INSERT INTO pledges (${PLEDGE_INSERT_COLUMNS.join(', ')}) VALUES ${tuples}`,
      );
      await tx.query(sql, params);
      onBatch?.(start + batch.length);
    }
    let params: unknown[] = [];
    const flush = async () => {
      const sql = this.bulkSql(
        'earmarks',
        params.length === EARMARK_BATCH * 3,
        params.length / 3,
        ['?', '?', 'CAST(? AS INTEGER)'],
        (tuples) =>
          `INSERT INTO pledge_priorities (pledge_id, priority_code, share_bp) SELECT p.id, v.column2, v.column3 FROM (VALUES ${tuples}) AS v JOIN pledges p ON p.external_ref = v.column1`,
      );
      await tx.query(sql, params);
      params = [];
    };
    for (const row of rows) {
      for (const e of row.earmarks) {
        params.push(row.columns.externalRef, e.code, e.shareBasisPoints);
        if (params.length === EARMARK_BATCH * 3) await flush();
      }
    }
    if (params.length) await flush();
    return { created: rows.length, firstId: await this.idOfRef(tx, rows[0]), lastId: await this.idOfRef(tx, rows[rows.length - 1]) };
  }

  /** Appends one pledge's values, in PLEDGE_INSERT_COLUMNS order; an absent value is null. */
  private pushPledgeValues(values: unknown[], row: PledgeInsertRow): void {
    const c = row.columns;
    values.push(
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
      c.receiptExpectation ?? 'not_documented',
      c.receiptDueOn ?? null,
      c.createdBy ?? null,
    );
  }

  /** The id the row's pledge was given, found by its (unique) reference; null for no row. */
  private async idOfRef(tx: EntityManager, row: PledgeInsertRow | undefined): Promise<number | null> {
    if (!row) return null;
    const [found]: Array<{ id: number | string }> = await tx.query(`SELECT id FROM pledges WHERE external_ref = ${this.isPostgres ? '$1' : '?'}`, [
      row.columns.externalRef,
    ]);
    return found ? Number(found.id) : null;
  }

  /**
   * SQL for `count` tuples shaped by `tuple` (a single bound column makes a bare list, for IN),
   * each `?` numbered `$n` on PostgreSQL. A full batch's text is built once and kept, so every full
   * batch reuses it and SQLite its prepared statement; a file's last, shorter batch is built anew.
   */
  private bulkSql(key: string, full: boolean, count: number, tuple: TupleSql, sql: (tuples: string) => string): string {
    const kept = full ? this.keptSql.get(key) : undefined;
    if (kept !== undefined) return kept;
    let bound = 0;
    const mark = () => (this.isPostgres ? `$${++bound}` : '?');
    const tuples: string[] = [];
    for (let row = 0; row < count; row++) {
      const columns = tuple.map((column) => column.replace('?', mark));
      tuples.push(columns.length === 1 ? columns[0] : `(${columns.join(', ')})`);
    }
    const text = sql(tuples.join(', '));
    if (full && this.keptSql.size < MAX_KEPT_STATEMENTS) this.keptSql.set(key, text);
    return text;
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
