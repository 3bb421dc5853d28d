import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, type ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { aggregateToBigInt, aggregateToNumber } from '../database/transformers';
import { SqlDialect } from '../database/sql-dialect';
import { InsertStatement, SqlQuery } from '../database/sql-statements';
import type { Transaction } from '../database/unit-of-work';
import { PLEDGE_STATUS_RULE, type PledgeStatus } from './fulfilment';
import { DisbursementEntity, PledgeEntity, PledgePriorityEntity, type Earmark, type PledgeColumns } from './pledge.entity';

export interface PledgeFilter {
  /** Whose pledges: an organisation's list never holds another's. */
  organisationId: number;
  donorId?: number;
  status?: PledgeStatus;
  priorityCode?: string;
  currency?: string;
  /** A LIKE pattern (searchPattern) matched against the title, the source and the donor's name, case folded. */
  search?: string;
  /** Newest first (id descending); the cursor then means "ids below". */
  newestFirst?: boolean;
  afterId: number;
  limit: number;
}

/**
 * A pledge (alias `p`) whose title, source document or donor's name holds the `:search` pattern;
 * the one copy for the list and the funding engine.
 */
export const PLEDGE_SEARCH_SQL = `LOWER(p.title) LIKE :search ESCAPE '\\' OR LOWER(p.source) LIKE :search ESCAPE '\\' OR EXISTS (SELECT 1 FROM donors sd WHERE sd.id = p.donor_id AND LOWER(sd.name) LIKE :search ESCAPE '\\')`;

/** What the pledges list filters on, without its paging. */
export type PledgeListFilter = Omit<PledgeFilter, 'newestFirst' | 'afterId' | 'limit'>;

/** A currency's cash pledges under a filter, in minor units of that currency. */
export interface CurrencyTotals {
  currency: string;
  pledgedMinor: bigint;
  receivedMinor: bigint;
  cancelledMinor: bigint;
  /** Pledges counted in pledged and received; cancelled ones are counted apart. */
  standing: number;
  cancelledCount: number;
}

/** The derived status (PLEDGE_STATUS_RULE in fulfilment.ts) of pledges aliased `p`, for lists and figures that filter on it in SQL. */
export const PLEDGE_STATUS_SQL = PLEDGE_STATUS_RULE.sql({
  facts: {
    cancelled: 'p.cancelled_at IS NOT NULL',
    kind: 'p.kind',
    commitment: 'p.commitment',
    amountMinor: 'p.amount_minor',
    disbursedMinor: 'p.disbursed_minor',
    quantity: 'p.in_kind_quantity',
    deliveredQuantity: 'p.delivered_quantity',
  },
});

/** A pledge's stored values, written with the row (ledger-valuation.ts). */
export type StoredPledgeValues = Pick<PledgeEntity, 'valueUsdMinor' | 'valueEurMinor' | 'valueAznMinor' | 'valuedAt'>;
export type StoredReceiptValues = Pick<DisbursementEntity, 'valueUsdMinor' | 'valueEurMinor' | 'valueAznMinor' | 'valueCurrency' | 'valuedAt'>;

/** Every column a new pledge row is written with; the id comes from the database. */
const NEW_PLEDGE_PROPERTIES = [
  'organisationId',
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
  'valueUsdMinor',
  'valueEurMinor',
  'valueAznMinor',
  'valuedAt',
  'createdAt',
] as const;
/** A pledge row as it is first written. */
export type NewPledgeRow = Pick<PledgeEntity, (typeof NEW_PLEDGE_PROPERTIES)[number]>;

const NEW_RECEIPT_PROPERTIES = [
  'organisationId',
  'pledgeId',
  'amountMinor',
  'currency',
  'quantity',
  'receivedOn',
  'receivedOnBasis',
  'countedMinor',
  'rate',
  'rateDate',
  'rateSource',
  'reference',
  'overDisbursementReason',
  'source',
  'notes',
  'createdBy',
  'valueUsdMinor',
  'valueEurMinor',
  'valueAznMinor',
  'valueCurrency',
  'valuedAt',
] as const;
/** A receipt (money or goods) as it is written; corrections are new rows. */
export type NewReceiptRow = Pick<DisbursementEntity, (typeof NEW_RECEIPT_PROPERTIES)[number]>;

/**
 * The create path's statements, prepared once: a create answers from the row it has just written
 * instead of reading it back through the query builder.
 */
const INSERT_PLEDGE = new InsertStatement(PledgeEntity, NEW_PLEDGE_PROPERTIES, ['id']);
const INSERT_EARMARKS = new InsertStatement(PledgePriorityEntity, ['organisationId', 'pledgeId', 'priorityCode', 'shareBasisPoints']);
const INSERT_RECEIPT = new InsertStatement(DisbursementEntity, NEW_RECEIPT_PROPERTIES, ['id', 'createdAt']);
const EXTERNAL_REF_USED = new SqlQuery<{ found: number }>('SELECT 1 AS found FROM pledges WHERE organisation_id = ? AND external_ref = ? LIMIT 1');
const ID_OF_REF = new SqlQuery<{ id: number | string }>('SELECT id FROM pledges WHERE organisation_id = ? AND external_ref = ?');
const MOVE_TOTALS = new SqlQuery(
  'UPDATE pledges SET disbursed_minor = disbursed_minor + CAST(? AS BIGINT), delivered_quantity = delivered_quantity + ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?',
);

/** A new pledge as the database stores it: what the create gave, nothing disbursed, delivered or cancelled yet, and its values. */
export function newPledgeRow(organisationId: number, columns: PledgeColumns, values: StoredPledgeValues, createdAt: Date): NewPledgeRow {
  return {
    organisationId,
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
    ...values,
    createdAt,
  };
}

/** A pledge of a bulk insert: its row and earmarks. Its external reference is required (earmarks find their pledge by it). */
export interface BulkPledge {
  row: NewPledgeRow;
  earmarks: readonly Earmark[];
}

/** What a bulk insert wrote: how many pledges, and the first and last one's id (in the order given). */
export interface InsertedPledges {
  created: number;
  firstId: number | null;
  lastId: number | null;
}

/** Columns of the bulk pledge INSERT, in the order pushPledgeValues gives their values. */
const BULK_PLEDGE_COLUMNS = [
  'organisation_id',
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
  'value_usd_minor',
  'value_eur_minor',
  'value_azn_minor',
  'valued_at',
  'created_at',
] as const;

/**
 * Rows per bulk INSERT statement. 26 parameters a row: 500 rows stay under SQLite's 32,766 and
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
 * The ledger's rows: pledges, their earmarks (pledge_priorities) and what arrived against them
 * (disbursements: money received and goods delivered). Every write to these tables is here, and
 * every read of whole rows; the funding engine's sums are in LedgerFiguresRepository and the
 * stored values' upkeep in LedgerValuationRepository.
 */
@Injectable()
export class LedgerRepository {
  private readonly dialect: SqlDialect;
  private readonly keptSql = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  private withRelations(qb: SelectQueryBuilder<PledgeEntity>): SelectQueryBuilder<PledgeEntity> {
    return qb.leftJoinAndSelect('p.donor', 'd').leftJoinAndSelect('p.earmarks', 'e');
  }

  /** The organisation's pledge with its donor and earmarks (by code); inside `tx` when given, so a unit of work sees its own writes. */
  findById(organisationId: number, id: number, tx: EntityManager = this.dataSource.manager): Promise<PledgeEntity | null> {
    return this.withRelations(tx.getRepository(PledgeEntity).createQueryBuilder('p'))
      .where('p.organisation_id = :organisationId AND p.id = :id', { organisationId, id })
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

  /** One pledge's receipts, oldest first. */
  receiptsOf(pledgeId: number): Promise<DisbursementEntity[]> {
    return this.dataSource.getRepository(DisbursementEntity).find({ where: { pledgeId }, order: { receivedOn: 'ASC', id: 'ASC' } });
  }

  /** The receipts of these pledges, oldest first. */
  receiptsOfPledges(pledgeIds: readonly number[]): Promise<DisbursementEntity[]> {
    if (pledgeIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DisbursementEntity).find({ where: { pledgeId: In([...pledgeIds]) }, order: { receivedOn: 'ASC', id: 'ASC' } });
  }

  /** The organisation's receipts in id order, one page at a time, with the pledge and donor they belong to. */
  receiptPage(organisationId: number, afterId: number, limit: number): Promise<DisbursementEntity[]> {
    return this.dataSource
      .getRepository(DisbursementEntity)
      .createQueryBuilder('d')
      .innerJoinAndSelect('d.pledge', 'p')
      .innerJoinAndSelect('p.donor', 'donor')
      .where('d.organisation_id = :organisationId AND d.id > :afterId', { organisationId, afterId })
      .orderBy('d.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** One page of pledges, filtered in SQL, one more than `limit` so the caller knows whether another follows. Earmarks are loaded for the page's ids only. */
  async page(filter: PledgeFilter): Promise<PledgeEntity[]> {
    const qb = this.dataSource
      .getRepository(PledgeEntity)
      .createQueryBuilder('p')
      .leftJoinAndSelect('p.donor', 'd')
      .where(filter.newestFirst && filter.afterId === 0 ? '1 = 1' : filter.newestFirst ? 'p.id < :afterId' : 'p.id > :afterId', { afterId: filter.afterId })
      .orderBy('p.id', filter.newestFirst ? 'DESC' : 'ASC')
      .limit(filter.limit + 1);
    const pledges = await this.filtered(qb, filter).getMany();
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

  /**
   * Cash pledges the list's filter selects, every page of them, summed per currency they were
   * pledged in: what stands (pledged and received, in that currency) and, apart, what was cancelled.
   */
  async totalsByCurrency(filter: PledgeListFilter): Promise<CurrencyTotals[]> {
    const qb = this.dataSource
      .getRepository(PledgeEntity)
      .createQueryBuilder('p')
      .select('p.currency', 'currency')
      .addSelect('CAST(SUM(CASE WHEN p.cancelled_at IS NULL THEN p.amount_minor ELSE 0 END) AS TEXT)', 'pledged')
      .addSelect('CAST(SUM(CASE WHEN p.cancelled_at IS NULL THEN p.disbursed_minor ELSE 0 END) AS TEXT)', 'received')
      .addSelect('CAST(SUM(CASE WHEN p.cancelled_at IS NULL THEN 0 ELSE p.amount_minor END) AS TEXT)', 'cancelled')
      .addSelect('SUM(CASE WHEN p.cancelled_at IS NULL THEN 1 ELSE 0 END)', 'standing')
      .addSelect('SUM(CASE WHEN p.cancelled_at IS NULL THEN 0 ELSE 1 END)', 'cancelledCount')
      .where("p.kind = 'cash' AND p.amount_minor IS NOT NULL")
      .groupBy('p.currency')
      .orderBy('p.currency', 'ASC');
    const rows = await this.filtered(qb, filter).getRawMany<{
      currency: string;
      pledged: string;
      received: string;
      cancelled: string;
      standing: unknown;
      cancelledCount: unknown;
    }>();
    return rows.map((r) => ({
      currency: r.currency,
      pledgedMinor: aggregateToBigInt(r.pledged),
      receivedMinor: aggregateToBigInt(r.received),
      cancelledMinor: aggregateToBigInt(r.cancelled),
      standing: aggregateToNumber(r.standing as number),
      cancelledCount: aggregateToNumber(r.cancelledCount as number),
    }));
  }

  /** The list's filter on a query over pledges aliased `p`: the one copy for its pages and its totals. */
  private filtered<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, filter: PledgeListFilter): SelectQueryBuilder<T> {
    qb.andWhere('p.organisation_id = :organisationId', { organisationId: filter.organisationId });
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
    return qb;
  }

  /** Whether a pledge of the organisation carries this external reference; inside `tx` when given. */
  async externalRefUsed(organisationId: number, externalRef: string, tx: EntityManager = this.dataSource.manager): Promise<boolean> {
    return (await EXTERNAL_REF_USED.run(tx, [organisationId, externalRef])).length > 0;
  }

  /**
   * Which of these references already name a pledge: stored `external_ref`s, and the generated
   * `mat-pledge-<id>` an export gives a pledge that has none (`generated` maps those ids to them).
   * Plain SQL built once per batch size: through the ORM, 100,000 look-ups in 900-value `In(...)`
   * batches took 0.5 s, nearly all of it query building; this way 0.07 s.
   */
  async existingRefs(
    organisationId: number,
    refs: readonly string[],
    generated: ReadonlyMap<number, string>,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < refs.length; i += LOOKUP_BATCH) {
      const batch = refs.slice(i, i + LOOKUP_BATCH);
      const sql = this.bulkSql(
        'refs',
        batch.length === LOOKUP_BATCH,
        batch.length,
        BIND,
        (list) => `SELECT id, external_ref FROM pledges WHERE organisation_id = ? AND external_ref IN (${list})`,
      );
      const rows: Array<{ id: number | string; external_ref: string | null }> = await tx.query(sql, [organisationId, ...batch]);
      for (const r of rows) if (r.external_ref) found.set(r.external_ref, Number(r.id));
    }
    const ids = [...generated.keys()];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      const batch = ids.slice(i, i + LOOKUP_BATCH);
      const sql = this.bulkSql(
        'generated',
        batch.length === LOOKUP_BATCH,
        batch.length,
        BIND,
        (list) => `SELECT id FROM pledges WHERE organisation_id = ? AND external_ref IS NULL AND id IN (${list})`,
      );
      const rows: Array<{ id: number | string }> = await tx.query(sql, [organisationId, ...batch]);
      for (const r of rows) found.set(generated.get(Number(r.id)) as string, Number(r.id));
    }
    return found;
  }

  /** Writes a pledge and its earmarks (one statement each) and returns the new pledge's id. */
  async insertPledge(tx: Transaction, row: NewPledgeRow, earmarks: readonly Earmark[]): Promise<number> {
    const [generated] = await INSERT_PLEDGE.run(tx, [row]);
    await INSERT_EARMARKS.run(
      tx,
      earmarks.map((e) => ({ organisationId: row.organisationId, pledgeId: generated.id, priorityCode: e.code, shareBasisPoints: e.shareBasisPoints })),
    );
    return generated.id;
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
  async insertPledges(tx: Transaction, pledges: readonly BulkPledge[], onBatch?: (done: number) => void): Promise<InsertedPledges> {
    const width = BULK_PLEDGE_COLUMNS.length;
    const times = new Map<Date, unknown>();
    const time = (at: Date | null) => {
      if (at === null) return null;
      let bound = times.get(at);
      if (bound === undefined) times.set(at, (bound = this.dialect.timestamp(at)));
      return bound;
    };
    for (let start = 0; start < pledges.length; start += PLEDGE_BATCH) {
      const batch = pledges.slice(start, start + PLEDGE_BATCH);
      const values: unknown[] = [];
      for (const { row } of batch) this.pushPledgeValues(values, row, time); // a push loop: flatMap here cost a fifth of the insert
      const bound = BULK_PLEDGE_COLUMNS.map((_, column) => batch.some((_row, i) => values[i * width + column] !== null));
      const params = values.filter((_value, at) => bound[at % width]);
      const tuple = bound.map((isBound) => (isBound ? '?' : 'NULL'));
      const sql = this.bulkSql(
        `pledges:${tuple.join()}`,
        batch.length === PLEDGE_BATCH,
        batch.length,
        tuple,
        (tuples) => `INSERT INTO pledges (${BULK_PLEDGE_COLUMNS.join(', ')}) VALUES ${tuples}`,
      );
      await tx.query(sql, params);
      onBatch?.(start + batch.length);
    }
    // One organisation's import: each earmark finds its pledge by the reference, within it.
    const organisationId = pledges[0]?.row.organisationId;
    if (pledges.some((p) => p.row.organisationId !== organisationId)) throw new Error('insertPledges takes the pledges of one organisation at a time');
    let params: unknown[] = [];
    const flush = async () => {
      const sql = this.bulkSql(
        'earmarks',
        params.length === EARMARK_BATCH * 3,
        params.length / 3,
        ['?', '?', 'CAST(? AS INTEGER)'],
        (tuples) =>
          `INSERT INTO pledge_priorities (organisation_id, pledge_id, priority_code, share_bp) SELECT p.organisation_id, p.id, v.column2, v.column3 FROM (VALUES ${tuples}) AS v JOIN pledges p ON p.organisation_id = ? AND p.external_ref = v.column1`,
      );
      await tx.query(sql, [...params, organisationId]);
      params = [];
    };
    for (const { row, earmarks } of pledges) {
      for (const e of earmarks) {
        params.push(row.externalRef, e.code, e.shareBasisPoints);
        if (params.length === EARMARK_BATCH * 3) await flush();
      }
    }
    if (params.length) await flush();
    const idOf = async (pledge: BulkPledge | undefined) => {
      if (!pledge) return null;
      const [found] = await ID_OF_REF.run(tx, [pledge.row.organisationId, pledge.row.externalRef]);
      return found ? Number(found.id) : null;
    };
    return { created: pledges.length, firstId: await idOf(pledges[0]), lastId: await idOf(pledges[pledges.length - 1]) };
  }

  /**
   * Appends one pledge's values in BULK_PLEDGE_COLUMNS order, as the drivers take them (both take
   * a bigint as it is; pg writes its digits). Written out rather than looped over the columns: this
   * runs for every row of a 100,000-row import. `time` binds a timestamp (an import's rows share theirs).
   */
  private pushPledgeValues(values: unknown[], r: NewPledgeRow, time: (at: Date | null) => unknown): void {
    values.push(
      r.organisationId,
      r.donorId,
      r.title,
      r.kind,
      r.amountMinor,
      r.currency,
      r.inKindQuantity,
      r.inKindUnit,
      this.dialect.bool(r.inKindQuantityIsMaximum),
      r.unitValueMinor,
      r.pledgedOn,
      r.sourceDate,
      r.commitment,
      r.channel,
      r.channelName,
      r.instrument,
      r.source,
      r.notes,
      r.externalRef,
      r.receiptExpectation,
      r.receiptDueOn,
      r.createdBy,
      r.valueUsdMinor,
      r.valueEurMinor,
      r.valueAznMinor,
      time(r.valuedAt),
      time(r.createdAt),
    );
  }

  /**
   * SQL for `count` tuples shaped by `tuple` (a single bound column makes a bare list, for IN),
   * each `?` numbered for the driver. A full batch's text is built once and kept, so every full
   * batch reuses it and SQLite its prepared statement; a file's last, shorter batch is built anew.
   */
  private bulkSql(key: string, full: boolean, count: number, tuple: TupleSql, sql: (tuples: string) => string): string {
    const kept = full ? this.keptSql.get(key) : undefined;
    if (kept !== undefined) return kept;
    const tuples: string[] = [];
    for (let row = 0; row < count; row++) tuples.push(tuple.length === 1 ? tuple[0] : `(${tuple.join(', ')})`);
    const text = this.dialect.positional(sql(tuples.join(', ')));
    if (full && this.keptSql.size < MAX_KEPT_STATEMENTS) this.keptSql.set(key, text);
    return text;
  }

  /** Adds a receipt and moves its pledge's running totals in the same transaction. */
  async insertReceipt(tx: Transaction, receipt: NewReceiptRow): Promise<DisbursementEntity> {
    const [generated] = await INSERT_RECEIPT.run(tx, [receipt]);
    await MOVE_TOTALS.run(tx, [(receipt.countedMinor ?? 0n).toString(), receipt.quantity ?? 0, receipt.pledgeId]);
    return Object.assign(new DisbursementEntity(), receipt, generated);
  }

  /** Sets descriptive columns (and, when the value date moved, the new values) and, when `earmarks` is given, replaces the pledge's earmarks. */
  async updateDescription(tx: Transaction, id: number, columns: Partial<PledgeEntity>, earmarks: readonly Earmark[] | null): Promise<void> {
    if (Object.keys(columns).length) await tx.getRepository(PledgeEntity).update({ id }, columns);
    if (earmarks === null) return;
    const repo = tx.getRepository(PledgePriorityEntity);
    await repo.delete({ pledgeId: id });
    if (!earmarks.length) return;
    const [{ organisationId }] = await tx.getRepository(PledgeEntity).find({ select: { organisationId: true }, where: { id } });
    await repo.insert(earmarks.map((e) => ({ organisationId, pledgeId: id, priorityCode: e.code, shareBasisPoints: e.shareBasisPoints })));
  }

  async markCancelled(tx: Transaction, id: number, reason: string, at: Date): Promise<void> {
    await tx.getRepository(PledgeEntity).update({ id }, { cancelledAt: at, cancelReason: reason });
  }

  /** Locks the pledge row for the rest of the transaction (PostgreSQL); SQLite's writers are serialised already. */
  async lockForUpdate(tx: Transaction, id: number): Promise<void> {
    if (this.dialect.forUpdate) await tx.query(`SELECT id FROM pledges WHERE id = ${this.dialect.placeholder(1)}${this.dialect.forUpdate}`, [id]);
  }
}
