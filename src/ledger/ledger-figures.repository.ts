import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dateOnly, knownCutoff } from '../common/dates';
import { SqlDialect, type SqlValue } from '../database/sql-dialect';
import { aggregateToBigInt, aggregateToNumber, toBigInt } from '../database/transformers';
import { readAll, type Transaction } from '../database/unit-of-work';
import { RECEIPT_STATUS_RULE, type PledgeStatus, type ReceiptStatus } from './fulfilment';
import { PLEDGE_SEARCH_SQL, PLEDGE_STATUS_SQL } from './ledger.repository';
import {
  RECEIPT_FACT_COLUMNS,
  toPledgeFacts,
  toReceiptFacts,
  VALUE_COLUMN,
  type PledgeValuationFacts,
  type ReceiptValuationFacts,
} from './ledger-valuation.repository';
import { CURRENT_LEDGER, KNOWN_ON_LEDGER, type LedgerTables } from './ledger-tables';
import type { PastPledgeState } from './known-on';
import type { ReportingCurrency } from './reporting-currencies';
import { pledgeValueDateSql } from './value-date';

/** A sum of minor units in one currency on one value date, optionally for one donor or priority. */
export interface DatedSum {
  currency: string;
  valueDate: string;
  amountMinor: bigint;
}

/** How the rows behind a sum of stored values stood: valued without a value (no rate), or waiting for valuation (left out of the sum). */
export interface ValueGaps {
  /** Valued rows without a value although they carry money: no rate for them. */
  unvalued: number;
  /** Rows waiting for the valuation worker; their values are not in the sum. */
  waiting: number;
}

/** A donor's money of one kind, summed in a reporting currency from each valued row's stored value. */
export interface DonorValue extends ValueGaps {
  donorId: number;
  kind: 'cash' | 'in_kind';
  valueMinor: bigint;
}

/** Earmarked money of one priority per split rule (needed to split exactly), in a reporting currency. */
export interface PriorityValue extends ValueGaps {
  priorityCode: string;
  earmarkCount: number;
  shareBasisPoints: number | null;
  valueMinor: bigint;
}

/** A currency and a value date some counted money was converted at. */
export interface ValueDate {
  currency: string;
  valueDate: string;
}

/** Goods of one unit in their own units: pledged, delivered by asOf, and what is still to come. */
export interface GoodsCount {
  unit: string;
  pledged: number;
  delivered: number;
  /** Some pledge counted here is a ceiling ("up to 30"). */
  upTo: boolean;
  /** Pledged and not delivered by asOf, pledge by pledge (an over-delivery never offsets another pledge). */
  toCome: number;
  /** Some pledge with goods still to come is a ceiling. */
  toComeUpTo: boolean;
}

export interface InKindQuantityRow extends GoodsCount {
  donorId: number;
}

/** Goods in their own units under one priority. A pledge earmarked to several shows its goods under each. */
export interface PriorityInKindRow extends GoodsCount {
  priorityCode: string;
}

/** One pledge's figures in a reporting currency, for the lines of a digest. */
export interface PledgeFigureRow {
  id: number;
  currency: string | null;
  valueDate: string;
  /** The pledge's stored value (null: no money value, no rate, or waiting: see `waiting`). */
  pledgedValue: bigint | null;
  /** The pledge waits for valuation: `pledgedValue` is not its value. */
  waiting: boolean;
  /** Received by asOf, from the valued receipts' stored values. */
  receivedValue: bigint;
  unvaluedReceipts: number;
  /** Receipts counted by asOf that wait for valuation (left out of `receivedValue`). */
  waitingReceipts: number[];
  /** Pledged less received, in the pledge's own currency; null without a money value. May be negative (over-receipt). */
  balanceMinor: bigint | null;
  bucket: ReceiptStatus;
}

/** A pledge worth listing in a digest, with its stored value (null: none, or waiting). */
export interface PledgeCandidate {
  id: number;
  valueDate: string;
  valueMinor: bigint | null;
}

/** One pledge as a statement describes it (LedgerFiguresRepository.pledgeRecords). */
export interface PledgeRecordRow {
  id: number;
  donorId: number;
  title: string;
  kind: 'cash' | 'in_kind';
  commitment: 'announced' | 'committed';
  amountMinor: bigint | null;
  currency: string | null;
  quantity: number | null;
  unit: string | null;
  upTo: boolean;
  unitValueMinor: bigint | null;
  channel: string | null;
  channelName: string | null;
  instrument: string | null;
  source: string | null;
  valueDate: string;
  /** Cancelled by asOf. */
  cancelled: boolean;
  /** Counted against it by asOf, in its own currency (cash). */
  receivedMinor: bigint;
  deliveredQuantity: number;
}

/** One receipt as recorded. */
export interface ReceiptRecordRow {
  id: number;
  pledgeId: number;
  receivedOn: string;
  amountMinor: bigint | null;
  currency: string | null;
  quantity: number | null;
  reference: string | null;
}

/** Which pledges a figure covers; every field optional (no filter: the whole ledger). */
export interface LedgerFilter {
  donorId?: number;
  priorityCode?: string;
  /** The pledge's own currency. */
  currency?: string;
  /** The pledge's status today, as the pledges list filters it. */
  status?: PledgeStatus;
  /** The pledges list's search (a LIKE pattern from searchPattern) over title and donor name. */
  search?: string;
  /**
   * Only what was recorded by the end of this day (UTC) counts, each pledge as it then stood: the
   * figures read the ledger's tables as known on that day (KNOWN_ON_LEDGER), which LedgerFigures
   * builds for the reading transaction.
   */
  knownOn?: string;
}

/** The tables a filter's figures read. */
export function ledgerTablesOf(filter: LedgerFilter): LedgerTables {
  return filter.knownOn === undefined ? CURRENT_LEDGER : KNOWN_ON_LEDGER;
}

/** Balances not yet received, in the pledges' own currency, summed per donor, kind, receipt status, currency and value date. */
export interface BalanceSum extends DatedSum {
  donorId: number;
  kind: 'cash' | 'in_kind';
  bucket: ReceiptStatus;
}

/**
 * The rates a read of the whole ledger converts its balances at (funding-gap.service): the fixed-point
 * rate from a currency on a value date to the display currency (fixedMinorRate), for every currency
 * in `currencies`. `key` names them: the aggregates keep the balances converted under it between
 * reads and move them by each write's change, so it must change whenever a rate could.
 */
export interface BalanceRates {
  key: string;
  /** The day the figures are for: balances valued after it are not counted on it. */
  asOf: string;
  currencies: ReadonlySet<string>;
  readonly rateOf: (currency: string, valueDate: string) => bigint;
}

/** A (donor, kind, receipt status)'s balances, each group converted at BalanceRates and summed, in fixed point (FIXED_SCALE). */
export interface ConvertedBalance {
  donorId: number;
  kind: 'cash' | 'in_kind';
  bucket: ReceiptStatus;
  fixed: bigint;
}

export interface SplitRuleCounts {
  statedShares: number;
  evenSplit: number;
}

/** Everything the funding engine reads from the ledger for one (asOf, currency, filter). */
export interface LedgerFigureSet {
  pledgedByDonor: DonorValue[];
  receivedByDonor: DonorValue[];
  cancelledByDonor: DonorValue[];
  pledgedByPriority: PriorityValue[];
  receivedByPriority: PriorityValue[];
  /** Every (currency, value date) the counted money converts at. */
  valueDates: readonly ValueDate[];
  /** Empty when `convertedBalances` is given. */
  balances: BalanceSum[];
  /**
   * The balances already converted and summed: a read of the aggregates given BalanceRates that
   * cover `balanceCurrencies`. Absent: convert `balances`.
   */
  convertedBalances?: ConvertedBalance[];
  /** The currencies of the balances the aggregates hold (a read of the aggregates): what the next read's BalanceRates must cover. */
  balanceCurrencies?: string[];
  inKind: InKindQuantityRow[];
  inKindByPriority: PriorityInKindRow[];
  splitCounts: SplitRuleCounts;
  /** Rows still waiting for the valuation worker whose values these figures worked out in memory. */
  valuedInMemory: number;
  /**
   * More rows wait for revaluation than a read values in memory (a back-dated rate, an upgrade),
   * or a revaluation is still marking the rows a rate changes: the figures hold those rows'
   * previous values and are being brought up to date. Null: exact.
   */
  updating: FiguresUpdating | null;
}

/** Figures being brought up to date: rows marked and waiting for the worker, and revaluations still marking rows (pending_revaluations). */
export interface FiguresUpdating {
  rowsWaiting: number;
  revaluationsPending: number;
}

/** An earmark of a pledge, with the number of earmarks of that pledge (an even split needs it). */
export interface EarmarkShare {
  priorityCode: string;
  shareBasisPoints: number | null;
  earmarkCount: number;
}

/** A pledge that waits for valuation and counts on asOf (cancelled by then: in the cancelled total), with what it is valued from and its earmarks. */
export interface WaitingPledge extends PledgeValuationFacts {
  donorId: number;
  kind: 'cash' | 'in_kind';
  cancelled: boolean;
  earmarks: EarmarkShare[];
}

/** A receipt that waits for valuation and counts on asOf, with what it is valued from and its pledge's earmarks. */
export interface WaitingReceipt extends ReceiptValuationFacts {
  pledgeId: number;
  donorId: number;
  earmarks: EarmarkShare[];
}

type Raw = Record<string, unknown>;

/** `query` binds :asOf whether or not the SQL uses it; queries without a date pass this. */
const NO_DATE = '1970-01-01';

/**
 * The funding engine's questions about the ledger, answered in SQL: money comes back summed per
 * donor or priority from each row's stored value in a reporting currency (ledger-valuation.ts),
 * never one row per pledge. `asOf` is the state as it stood that day: pledges whose value date is
 * on or before it and not cancelled by then, money received by then. A row waiting for valuation
 * is counted apart (`waiting`) and left out of the sum; the `waiting…` queries say which rows
 * those are, so LedgerFigures can value them in memory. Every method reads through `reader` when
 * given (one snapshot for several questions).
 */
@Injectable()
export class LedgerFiguresRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = SqlDialect.of(dataSource);
  }

  /** The pledge's value date, as valuation uses it. */
  private get pledgeValueDate(): string {
    return pledgeValueDateSql(this.dialect, 'p');
  }

  /** Pledges cancelled by `asOf` count in the cancelled total and nowhere else. */
  private get notCancelledByAsOf(): string {
    return `(p.cancelled_at IS NULL OR ${this.dialect.utcDay('p.cancelled_at')} > :asOf)`;
  }

  /** Pledges with a money value, valued on or before `asOf`. */
  private get pledgedByAsOf(): string {
    return `${this.pledgeValueDate} <= :asOf AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL`;
  }

  /** Pledges that stood on `asOf`: valued on or before it, not cancelled by then, with a money value. */
  private get activePledge(): string {
    return `${this.pledgedByAsOf} AND ${this.notCancelledByAsOf}`;
  }

  /** Receipts counted by `asOf` that carry money (or wait to be valued, and are then counted apart). */
  private get countedReceipt(): string {
    return `${this.dialect.onOrBefore('d.received_on', ':asOf')} AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL)`;
  }

  /** A sum of the valued rows' `value` of table alias `alias`, and how many rows have no value or wait. */
  private sums(alias: string, value: string): string {
    return `CAST(SUM(CASE WHEN ${alias}.valued_at IS NOT NULL THEN ${value} END) AS TEXT) AS total,
            SUM(CASE WHEN ${alias}.valued_at IS NOT NULL AND ${value} IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN ${alias}.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting`;
  }

  /**
   * Receipts counted by `asOf` summed per pledge, in `currency`: one pass over the covering index
   * ix_disbursements_pledge_values, in pledge order, without touching the table.
   */
  private receivedPerPledge(currency: ReportingCurrency, t: LedgerTables): string {
    const value = `d.${VALUE_COLUMN[currency]}`;
    return `(SELECT d.pledge_id AS pledge_id, SUM(CASE WHEN d.valued_at IS NOT NULL THEN ${value} END) AS total,
                    SUM(CASE WHEN d.valued_at IS NOT NULL AND ${value} IS NULL THEN 1 ELSE 0 END) AS unvalued,
                    SUM(CASE WHEN d.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
               FROM ${t.disbursements} d WHERE ${this.countedReceipt} GROUP BY d.pledge_id)`;
  }

  /**
   * Runs SQL written with named parameters (`:asOf`, and the filter's `:donorId`, `:priorityCode`,
   * `:currency`, `:status`, `:search`), bound by the dialect.
   */
  private query<T>(reader: Transaction | undefined, sql: string, asOf: string, filter: LedgerFilter = {}, more: Record<string, number> = {}): Promise<T[]> {
    const values: Record<string, SqlValue | undefined> = { asOf, ...more };
    for (const [name, value] of Object.entries(filter) as Array<[keyof LedgerFilter, SqlValue | undefined]>) {
      if (value !== undefined && name !== 'knownOn') values[name] = value;
    }
    const { text, params } = this.dialect.named(sql, values, { asOf: '::date', donorId: '::integer', fromId: '::integer', toId: '::integer' });
    return (reader ?? this.dataSource.manager).query(text, params);
  }

  /** The filter as SQL conditions on pledges aliased `p` (always true without one). */
  private filterSql(filter: LedgerFilter): string {
    const t = ledgerTablesOf(filter);
    const conditions: string[] = [];
    if (filter.donorId !== undefined) conditions.push('p.donor_id = :donorId');
    if (filter.currency !== undefined) conditions.push('p.currency = :currency');
    if (filter.status !== undefined) conditions.push(`(${PLEDGE_STATUS_SQL}) = :status`);
    if (filter.search !== undefined) conditions.push(`(${PLEDGE_SEARCH_SQL})`);
    if (filter.priorityCode !== undefined)
      conditions.push(`EXISTS (SELECT 1 FROM ${t.pledgePriorities} fp WHERE fp.pledge_id = p.id AND fp.priority_code = :priorityCode)`);
    return conditions.length ? conditions.map((c) => ` AND ${c}`).join('') : '';
  }

  /**
   * The receipt rule (fulfilment.ts) for pledges aliased `p` on `asOf`, with `balance` the SQL of
   * what is left to receive; null when the query already knows every row stands with a balance
   * left, and those two facts are constants (the rule is then evaluated on each of 100k rows for less).
   */
  private receiptStatus(balance: string | null): string {
    const known = balance === null;
    return RECEIPT_STATUS_RULE.sql({
      facts: {
        cancelled: known ? 'FALSE' : `NOT ${this.notCancelledByAsOf}`,
        balanceLeft: known ? 'TRUE' : `${balance} > 0`,
        expectation: 'p.receipt_expectation',
        dueOn: 'p.receipt_due_on',
      },
      params: { asOf: ':asOf' },
    });
  }

  /**
   * Fills KNOWN_ON_LEDGER inside `reader` (a snapshot that may create temporary tables): the
   * pledges and receipts recorded by the end of the UTC day `knownOn` (their own created_at), each
   * pledge as it then stood (`past`: from the audit log), with the earmarks it then had, and every
   * row waiting for valuation, so LedgerFigures values it in memory at the rates known that day
   * (stored values are at today's rates). The figures' SQL then reads these tables unchanged.
   */
  async buildKnownOn(reader: Transaction, knownOn: string, past: readonly PastPledgeState[]): Promise<void> {
    const d = this.dialect;
    const k = KNOWN_ON_LEDGER;
    const run = (sql: string, values: Record<string, SqlValue> = {}) => {
      const { text, params } = d.named(sql, values, { id: '::integer', share: '::integer', code: '::varchar' });
      return reader.query(text, params);
    };
    await this.dropKnownOn(reader);
    const knownBefore = d.timestamp(knownCutoff(knownOn));
    await run(d.createTemporaryTableAs(k.pledges, `SELECT * FROM pledges WHERE ${d.recordedBefore('created_at', ':knownBefore')}`), { knownBefore });
    await run(
      d.createTemporaryTableAs(
        k.disbursements,
        `SELECT * FROM disbursements WHERE ${d.recordedBefore('created_at', ':knownBefore')} AND pledge_id IN (SELECT id FROM ${k.pledges})`,
      ),
      { knownBefore },
    );
    await run(d.createTemporaryTableAs(k.pledgePriorities, `SELECT * FROM pledge_priorities WHERE pledge_id IN (SELECT id FROM ${k.pledges})`));
    await run(`CREATE INDEX ix_${k.disbursements}_pledge ON ${k.disbursements} (pledge_id)`);
    await run(`CREATE INDEX ix_${k.pledgePriorities}_pledge ON ${k.pledgePriorities} (pledge_id)`);
    for (const p of past) {
      await run(
        `UPDATE ${k.pledges} SET title = :title, commitment = :commitment, channel = :channel, channel_name = :channelName, instrument = :instrument,
                pledged_on = :pledgedOn, source_date = :sourceDate, receipt_expectation = :receiptExpectation, receipt_due_on = :receiptDueOn,
                source = :source, notes = :notes, cancelled_at = :cancelledAt
          WHERE id = :id`,
        {
          id: p.id,
          title: p.title,
          commitment: p.commitment,
          channel: p.channel,
          channelName: p.channelName,
          instrument: p.instrument,
          pledgedOn: p.pledgedOn,
          sourceDate: p.sourceDate,
          receiptExpectation: p.receiptExpectation,
          receiptDueOn: p.receiptDueOn,
          source: p.source,
          notes: p.notes,
          cancelledAt: p.cancelledAt === null ? null : d.timestamp(p.cancelledAt),
        },
      );
      await run(`DELETE FROM ${k.pledgePriorities} WHERE pledge_id = :id`, { id: p.id });
      for (const e of p.earmarks)
        await run(
          `INSERT INTO ${k.pledgePriorities} (organisation_id, pledge_id, priority_code, share_bp) SELECT organisation_id, id, :code, :share FROM ${k.pledges} WHERE id = :id`,
          {
            id: p.id,
            code: e.priorityCode,
            share: e.shareBasisPoints,
          },
        );
    }
    // What had arrived by then, for the status rule; and every row valued again at the rates known then.
    await run(
      `UPDATE ${k.pledges} SET valued_at = NULL,
              disbursed_minor = COALESCE((SELECT SUM(d.counted_minor) FROM ${k.disbursements} d WHERE d.pledge_id = ${k.pledges}.id), 0),
              delivered_quantity = COALESCE((SELECT SUM(d.quantity) FROM ${k.disbursements} d WHERE d.pledge_id = ${k.pledges}.id), 0)`,
    );
    await run(`UPDATE ${k.disbursements} SET valued_at = NULL, value_currency = NULL`);
  }

  /** Drops KNOWN_ON_LEDGER (PostgreSQL drops it at commit anyway; SQLite keeps temporary tables on the connection). */
  async dropKnownOn(reader: Transaction): Promise<void> {
    const k = KNOWN_ON_LEDGER;
    for (const table of [k.pledges, k.disbursements, k.pledgePriorities]) await reader.query(this.dialect.dropTemporaryTable(table));
  }

  /**
   * Every pledge valued on or before `asOf` (standing, or cancelled by then), one row each, with
   * what had counted against it by then in its own currency and in goods: the records a
   * published statement describes pledge by pledge.
   */
  async pledgeRecords(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<PledgeRecordRow[]> {
    const t = ledgerTablesOf(filter);
    const counted = (column: string) => `COALESCE((SELECT SUM(d.${column}) FROM ${t.disbursements} d WHERE d.pledge_id = p.id AND d.received_on <= :asOf), 0)`;
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.id AS id, p.donor_id AS donor_id, p.title AS title, p.kind AS kind, p.commitment AS commitment,
              CAST(p.amount_minor AS TEXT) AS amount, p.currency AS currency, p.in_kind_quantity AS quantity, p.in_kind_unit AS unit,
              p.in_kind_quantity_is_maximum AS up_to, CAST(p.unit_value_minor AS TEXT) AS unit_value,
              p.channel AS channel, p.channel_name AS channel_name, p.instrument AS instrument, p.source AS source,
              ${this.pledgeValueDate} AS value_date, CASE WHEN ${this.notCancelledByAsOf} THEN 0 ELSE 1 END AS cancelled,
              CAST(${counted('counted_minor')} AS TEXT) AS received, ${counted('quantity')} AS delivered
         FROM ${t.pledges} p
        WHERE ${this.pledgeValueDate} <= :asOf${this.filterSql(filter)}
        ORDER BY p.id`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      id: aggregateToNumber(r.id as number),
      donorId: aggregateToNumber(r.donor_id as number),
      title: String(r.title),
      kind: r.kind as 'cash' | 'in_kind',
      commitment: r.commitment as 'announced' | 'committed',
      amountMinor: toBigInt(r.amount as string | null),
      currency: (r.currency as string | null) ?? null,
      quantity: r.quantity === null || r.quantity === undefined ? null : aggregateToNumber(r.quantity as number),
      unit: (r.unit as string | null) ?? null,
      upTo: r.up_to === true || aggregateToNumber(r.up_to as number) === 1,
      unitValueMinor: toBigInt(r.unit_value as string | null),
      channel: (r.channel as string | null) ?? null,
      channelName: (r.channel_name as string | null) ?? null,
      instrument: (r.instrument as string | null) ?? null,
      source: (r.source as string | null) ?? null,
      valueDate: dateOnly(r.value_date as string) as string,
      cancelled: aggregateToNumber(r.cancelled as number) === 1,
      receivedMinor: aggregateToBigInt(r.received as string),
      deliveredQuantity: aggregateToNumber(r.delivered as number),
    }));
  }

  /** Every receipt dated on or before `asOf` of a pledge valued by then, one row each, as recorded. */
  async receiptRecords(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<ReceiptRecordRow[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT d.id AS id, d.pledge_id AS pledge_id, d.received_on AS received_on, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency,
              d.quantity AS quantity, d.reference AS reference
         FROM ${t.disbursements} d JOIN ${t.pledges} p ON p.id = d.pledge_id
        WHERE d.received_on <= :asOf AND ${this.pledgeValueDate} <= :asOf${this.filterSql(filter)}
        ORDER BY d.id`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      id: aggregateToNumber(r.id as number),
      pledgeId: aggregateToNumber(r.pledge_id as number),
      receivedOn: dateOnly(r.received_on as string) as string,
      amountMinor: toBigInt(r.amount as string | null),
      currency: (r.currency as string | null) ?? null,
      quantity: r.quantity === null || r.quantity === undefined ? null : aggregateToNumber(r.quantity as number),
      reference: (r.reference as string | null) ?? null,
    }));
  }

  /** Money pledged per donor and kind, standing on `asOf`, in `currency` (each pledge at its value date). */
  async pledgedByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, reader?: Transaction): Promise<DonorValue[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.donor_id AS donor_id, p.kind AS kind, ${this.sums('p', `p.${VALUE_COLUMN[currency]}`)}
         FROM ${t.pledges} p
        WHERE ${this.activePledge}${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  /** Money of pledges cancelled by `asOf`, per donor and kind: counted in the cancelled total only. */
  async cancelledByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, reader?: Transaction): Promise<DonorValue[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.donor_id AS donor_id, p.kind AS kind, ${this.sums('p', `p.${VALUE_COLUMN[currency]}`)}
         FROM ${t.pledges} p
        WHERE ${this.pledgedByAsOf} AND NOT ${this.notCancelledByAsOf}${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  /**
   * What each standing pledge had not received by `asOf`, in its own currency (cash: the amount less
   * the receipts counted against it; valued goods: the goods not delivered at their unit value),
   * summed per donor, kind, receipt status and (currency, value date), so the caller converts it at
   * the pledge's own rate. Over-receipts count as nothing left.
   */
  async balancesByDonor(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<BalanceSum[]> {
    const t = ledgerTablesOf(filter);
    // Per pledge, what counted against it by asOf, from ix_disbursements_pledge_counted alone.
    const counted = (column: string) => `COALESCE((SELECT SUM(d.${column}) FROM ${t.disbursements} d WHERE d.pledge_id = p.id AND d.received_on <= :asOf), 0)`;
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.donor_id AS donor_id, p.kind AS kind, ${this.receiptStatus(null)} AS bucket,
              p.currency AS currency, ${this.pledgeValueDate} AS value_date, CAST(SUM(b.balance) AS TEXT) AS total
         FROM (SELECT p.id AS id,
                      CASE WHEN p.kind = 'cash' THEN p.amount_minor - ${counted('counted_minor')}
                           ELSE p.amount_minor - ${counted('quantity')} * p.unit_value_minor END AS balance
                 FROM ${t.pledges} p
                WHERE ${this.activePledge}${this.filterSql(filter)} AND (p.kind = 'cash' OR p.unit_value_minor IS NOT NULL)) b
         JOIN ${t.pledges} p ON p.id = b.id
        WHERE b.balance > 0
        GROUP BY 1, 2, 3, 4, 5`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      ...toDatedSum(r),
      donorId: aggregateToNumber(r.donor_id as number),
      kind: r.kind as 'cash' | 'in_kind',
      bucket: r.bucket as ReceiptStatus,
    }));
  }

  /** Money received per donor and kind by `asOf`, in `currency` (each receipt at its date). */
  async receivedByDonor(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, reader?: Transaction): Promise<DonorValue[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued, SUM(r.waiting) AS waiting
         FROM ${this.receivedPerPledge(currency, t)} r
         JOIN ${t.pledges} p ON p.id = r.pledge_id
        WHERE ${this.notCancelledByAsOf}${this.filterSql(filter)}
        GROUP BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map(toDonorValue);
  }

  async pledgedByPriority(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, reader?: Transaction): Promise<PriorityValue[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp, ${this.sums('p', `p.${VALUE_COLUMN[currency]}`)}
         FROM ${t.pledgePriorities} pp
         JOIN ${t.pledges} p ON p.id = pp.pledge_id
         JOIN ${earmarkCounts(t)} ec ON ec.pledge_id = p.id
        WHERE ${this.activePledge}${this.filterSql(filter)}
        GROUP BY 1, 2, 3`,
      asOf,
      filter,
    );
    return rows.map(toPriorityValue);
  }

  /** Receipts summed per pledge first, then spread over each pledge's earmarks. */
  async receivedByPriority(asOf: string, currency: ReportingCurrency, filter: LedgerFilter = {}, reader?: Transaction): Promise<PriorityValue[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued, SUM(r.waiting) AS waiting
         FROM ${this.receivedPerPledge(currency, t)} r
         JOIN ${t.pledges} p ON p.id = r.pledge_id
         JOIN ${t.pledgePriorities} pp ON pp.pledge_id = r.pledge_id
         JOIN ${earmarkCounts(t)} ec ON ec.pledge_id = r.pledge_id
        WHERE ${this.notCancelledByAsOf}${this.filterSql(filter)}
        GROUP BY 1, 2, 3`,
      asOf,
      filter,
    );
    return rows.map(toPriorityValue);
  }

  /**
   * The pledges with ids in [fromId, toId) waiting for valuation that the money sums on `asOf`
   * would count (standing, or cancelled by then), each with what it is valued from and its earmarks.
   */
  async waitingPledges(asOf: string, filter: LedgerFilter, fromId: number, toId: number, reader?: Transaction): Promise<WaitingPledge[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.id AS id, p.donor_id AS donor_id, p.kind AS kind, CASE WHEN ${this.notCancelledByAsOf} THEN 0 ELSE 1 END AS cancelled,
              p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, ${this.pledgeValueDate} AS value_date, ${EARMARK_COLUMNS('p.id', t)}
         FROM ${t.pledges} p LEFT JOIN ${t.pledgePriorities} pp ON pp.pledge_id = p.id
        WHERE p.valued_at IS NULL AND p.id >= :fromId AND p.id < :toId AND ${this.pledgedByAsOf}${this.filterSql(filter)}
        ORDER BY p.id`,
      asOf,
      filter,
      { fromId, toId },
    );
    return withEarmarks(rows, (r) => ({
      ...toPledgeFacts(r),
      donorId: aggregateToNumber(r.donor_id as number),
      kind: r.kind as 'cash' | 'in_kind',
      cancelled: aggregateToNumber(r.cancelled as number) === 1,
      earmarks: [],
    }));
  }

  /** The receipts with ids in [fromId, toId) waiting for valuation that the received sums on `asOf` would count, with their pledge's earmarks. */
  async waitingReceipts(asOf: string, filter: LedgerFilter, fromId: number, toId: number, reader?: Transaction): Promise<WaitingReceipt[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT ${RECEIPT_FACT_COLUMNS}, d.pledge_id AS pledge_id, p.donor_id AS donor_id, ${EARMARK_COLUMNS('d.pledge_id', t)}
         FROM ${t.disbursements} d JOIN ${t.pledges} p ON p.id = d.pledge_id LEFT JOIN ${t.pledgePriorities} pp ON pp.pledge_id = d.pledge_id
        WHERE d.valued_at IS NULL AND d.id >= :fromId AND d.id < :toId AND ${this.countedReceipt} AND ${this.notCancelledByAsOf}${this.filterSql(filter)}
        ORDER BY d.id`,
      asOf,
      filter,
      { fromId, toId },
    );
    return withEarmarks(rows, (r) => ({
      ...toReceiptFacts(r),
      pledgeId: aggregateToNumber(r.pledge_id as number),
      donorId: aggregateToNumber(r.donor_id as number),
      earmarks: [],
    }));
  }

  /**
   * A donor's pledges worth listing: the `largest` by stored value in `currency` among valued
   * pledges, the `latest` by value date, every pledge of theirs waiting for valuation, and how
   * many pledges the donor has in all. Cancelled ones are listed too (marked).
   */
  async donorPledgeCandidates(donorId: number, currency: ReportingCurrency, largest: number, latest: number, reader?: Transaction) {
    const t = CURRENT_LEDGER;
    const value = `p.${VALUE_COLUMN[currency]}`;
    const filter = { donorId };
    const pick = (order: string, limit: number | null, extra = '') =>
      this.query<Raw>(
        reader,
        `SELECT p.id AS id, ${this.pledgeValueDate} AS value_date, CAST(${value} AS TEXT) AS value
           FROM ${t.pledges} p WHERE p.donor_id = :donorId${extra} ORDER BY ${order}${limit === null ? '' : ` LIMIT ${Math.max(0, Math.trunc(limit))}`}`,
        NO_DATE,
        filter,
      );
    const [big, recent, waiting, count] = await readAll(reader, [
      () => pick(`${value} DESC, p.id DESC`, largest, ` AND ${value} IS NOT NULL AND p.valued_at IS NOT NULL`),
      () => pick(`${this.pledgeValueDate} DESC, p.id DESC`, latest),
      () => pick('p.id', null, ' AND p.valued_at IS NULL'),
      () => this.query<Raw>(reader, `SELECT COUNT(*) AS n FROM ${t.pledges} p WHERE p.donor_id = :donorId`, NO_DATE, filter),
    ] as const);
    const candidate = (r: Raw): PledgeCandidate => ({
      id: aggregateToNumber(r.id as number),
      valueDate: dateOnly(r.value_date as string) as string,
      valueMinor: toBigInt(r.value as string | null),
    });
    return {
      largest: big.map(candidate),
      latest: recent.map(candidate),
      waiting: waiting.map(candidate),
      count: aggregateToNumber(count[0]?.n as number),
    };
  }

  /**
   * Per pledge, for a listed few (a digest's lines): its stored value, what it had received by
   * `asOf` (each valued receipt at its own stored value; waiting ones listed), and its balance in
   * its own currency with the receipt status that balance has, by the same rules as the totals.
   */
  async pledgeFigures(
    ids: readonly number[],
    asOf: string,
    currency: ReportingCurrency,
    reader?: Transaction,
    options: { everyRowWaits?: boolean } = {},
  ): Promise<PledgeFigureRow[]> {
    const t = CURRENT_LEDGER;
    if (ids.length === 0) return [];
    // everyRowWaits: stored values are not trusted (a revaluation is still marking rows), so every row is listed as waiting, for the caller to value.
    const waits = (alias: string) => (options.everyRowWaits ? '1 = 1' : `${alias}.valued_at IS NULL`);
    const valued = (alias: string) => (options.everyRowWaits ? '1 = 0' : `${alias}.valued_at IS NOT NULL`);
    const list = ids.map((id) => String(Math.trunc(Number(id)))).join(', ');
    const value = VALUE_COLUMN[currency];
    const balance = `CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END`;
    const [rows, waiting] = await readAll(reader, [
      () =>
        this.query<Raw>(
          reader,
          `SELECT p.id AS id, p.currency AS currency, ${this.pledgeValueDate} AS value_date, CAST(p.${value} AS TEXT) AS pledged_value,
                CASE WHEN ${waits('p')} THEN 1 ELSE 0 END AS waiting,
                CAST(COALESCE(r.received_value, 0) AS TEXT) AS received_value, r.unvalued AS unvalued,
                CAST(${balance} AS TEXT) AS balance, ${this.receiptStatus(`(${balance})`)} AS bucket
           FROM ${t.pledges} p
           LEFT JOIN (SELECT d.pledge_id AS pledge_id, SUM(d.counted_minor) AS counted, SUM(d.quantity) AS quantity,
                             SUM(CASE WHEN ${valued('d')} THEN d.${value} END) AS received_value,
                             SUM(CASE WHEN ${valued('d')} AND d.${value} IS NULL THEN 1 ELSE 0 END) AS unvalued
                        FROM ${t.disbursements} d WHERE d.received_on <= :asOf AND d.pledge_id IN (${list}) GROUP BY d.pledge_id) r ON r.pledge_id = p.id
          WHERE p.id IN (${list})`,
          asOf,
        ),
      () =>
        this.query<Raw>(
          reader,
          `SELECT d.id AS id, d.pledge_id AS pledge_id FROM ${t.disbursements} d WHERE ${waits('d')} AND d.received_on <= :asOf AND d.pledge_id IN (${list}) ORDER BY d.id`,
          asOf,
        ),
    ] as const);
    return rows.map((r) => {
      const id = aggregateToNumber(r.id as number);
      return {
        id,
        currency: (r.currency as string | null) ?? null,
        valueDate: dateOnly(r.value_date as string) as string,
        pledgedValue: toBigInt(r.pledged_value as string | null),
        waiting: aggregateToNumber(r.waiting as number) === 1,
        receivedValue: aggregateToBigInt(r.received_value as string),
        unvaluedReceipts: aggregateToNumber((r.unvalued as number | null) ?? 0),
        waitingReceipts: waiting.filter((w) => aggregateToNumber(w.pledge_id as number) === id).map((w) => aggregateToNumber(w.id as number)),
        balanceMinor: toBigInt(r.balance as string | null),
        bucket: r.bucket as ReceiptStatus,
      };
    });
  }

  /**
   * Every (currency, value date) the counted money was converted at: the rates behind the figures,
   * and the place a missing rate shows up. Thousands of rows on years of daily data, not one per
   * pledge. (A receipt waiting for its first valuation has no value currency yet: LedgerFigures
   * adds those from their valuation facts.)
   */
  async valueDates(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<ValueDate[]> {
    const t = ledgerTablesOf(filter);
    // Without a filter the receipts' dates come from the covering index ix_disbursements_value_dates
    // alone, leaving out the few cancelled pledges by id: joining every receipt to its pledge took
    // 1.7 s instead of 0.25 s on 300k receipts.
    const receipts = Object.keys(filter).length
      ? `SELECT d.value_currency AS currency, d.received_on AS value_date FROM ${t.disbursements} d JOIN ${t.pledges} p ON p.id = d.pledge_id
          WHERE ${this.dialect.onOrBefore('d.received_on', ':asOf')} AND d.value_currency IS NOT NULL AND ${this.notCancelledByAsOf}${this.filterSql(filter)}
          GROUP BY 1, 2`
      : `SELECT d.value_currency AS currency, d.received_on AS value_date FROM ${t.disbursements} d
          WHERE ${this.dialect.onOrBefore('d.received_on', ':asOf')} AND d.value_currency IS NOT NULL
            AND d.pledge_id NOT IN (SELECT c.id FROM ${t.pledges} c WHERE c.cancelled_at IS NOT NULL AND ${this.dialect.utcDay('c.cancelled_at')} <= :asOf)
          GROUP BY 1, 2`;
    const rows = await this.query<Raw>(
      reader,
      `SELECT p.currency AS currency, ${this.pledgeValueDate} AS value_date FROM ${t.pledges} p WHERE ${this.activePledge}${this.filterSql(filter)} GROUP BY 1, 2
       UNION
       ${receipts}`,
      asOf,
      filter,
    );
    return rows.map((r) => ({ currency: String(r.currency), valueDate: dateOnly(r.value_date as string) as string }));
  }

  /** Goods in their own units per donor: pledged (standing on `asOf`) and delivered by then. */
  async inKindQuantities(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<InKindQuantityRow[]> {
    const rows = await this.goodsGroupedBy('p.donor_id', '', asOf, filter, reader);
    return rows.map(({ key, ...goods }) => ({ donorId: aggregateToNumber(key as number), ...goods }));
  }

  /** Goods in their own units per priority they are earmarked to, counted in full under each. */
  async inKindQuantitiesByPriority(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<PriorityInKindRow[]> {
    const t = ledgerTablesOf(filter);
    const rows = await this.goodsGroupedBy('pp.priority_code', `JOIN ${t.pledgePriorities} pp ON pp.pledge_id = p.id`, asOf, filter, reader);
    return rows.map(({ key, ...goods }) => ({ priorityCode: String(key), ...goods }));
  }

  /**
   * In-kind pledges standing on `asOf`, grouped by `keyColumn` and unit, with what was delivered by
   * then: one index probe per goods pledge rather than a pass over every receipt.
   */
  private async goodsGroupedBy(keyColumn: string, join: string, asOf: string, filter: LedgerFilter, reader: Transaction | undefined) {
    const t = ledgerTablesOf(filter);
    const rows = await this.query<Raw>(
      reader,
      `SELECT g.group_key AS group_key, g.unit AS unit, SUM(g.quantity) AS pledged, SUM(g.delivered) AS delivered,
              SUM(CASE WHEN g.up_to THEN 1 ELSE 0 END) AS up_to,
              SUM(CASE WHEN g.quantity > g.delivered THEN g.quantity - g.delivered ELSE 0 END) AS to_come,
              SUM(CASE WHEN g.up_to AND g.quantity > g.delivered THEN 1 ELSE 0 END) AS to_come_up_to
         FROM (SELECT ${keyColumn} AS group_key, p.in_kind_unit AS unit, p.in_kind_quantity AS quantity, p.in_kind_quantity_is_maximum AS up_to,
                      COALESCE((SELECT SUM(dq.quantity) FROM ${t.disbursements} dq
                                 WHERE dq.pledge_id = p.id AND dq.received_on <= :asOf AND dq.quantity IS NOT NULL), 0) AS delivered
                 FROM ${t.pledges} p
                 ${join}
                WHERE p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL
                  AND ${this.pledgeValueDate} <= :asOf AND ${this.notCancelledByAsOf}${this.filterSql(filter)}) g
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      asOf,
      filter,
    );
    return rows.map((r) => ({
      key: r.group_key,
      unit: String(r.unit),
      pledged: aggregateToNumber(r.pledged as number),
      delivered: aggregateToNumber(r.delivered as number),
      upTo: aggregateToNumber(r.up_to as number) > 0,
      toCome: aggregateToNumber(r.to_come as number),
      toComeUpTo: aggregateToNumber(r.to_come_up_to as number) > 0,
    }));
  }

  /** How pledges earmarked to several priorities standing on `asOf` are split. */
  async splitRuleCounts(asOf: string, filter: LedgerFilter = {}, reader?: Transaction): Promise<SplitRuleCounts> {
    const t = ledgerTablesOf(filter);
    const [row] = await this.query<Raw>(
      reader,
      `SELECT SUM(CASE WHEN s.stated > 0 THEN 1 ELSE 0 END) AS stated, SUM(CASE WHEN s.stated = 0 THEN 1 ELSE 0 END) AS even
         FROM (SELECT pp.pledge_id, COUNT(pp.share_bp) AS stated
                 FROM ${t.pledgePriorities} pp JOIN ${t.pledges} p ON p.id = pp.pledge_id
                WHERE ${this.activePledge}${this.filterSql(filter)}
                GROUP BY pp.pledge_id HAVING COUNT(*) > 1) s`,
      asOf,
      filter,
    );
    return { statedShares: aggregateToNumber(row?.stated as number), evenSplit: aggregateToNumber(row?.even as number) };
  }
}

/** Earmarks per pledge (an even split needs their number). */
const earmarkCounts = (t: LedgerTables) => `(SELECT pledge_id, COUNT(*) AS earmark_count FROM ${t.pledgePriorities} GROUP BY pledge_id)`;

/** The earmark columns of a row joined to pledge_priorities `pp`, for the pledge `pledgeId` (SQL). */
const EARMARK_COLUMNS = (pledgeId: string, t: LedgerTables) =>
  `pp.priority_code AS priority_code, pp.share_bp AS share_bp, (SELECT COUNT(*) FROM ${t.pledgePriorities} ec WHERE ec.pledge_id = ${pledgeId}) AS earmark_count`;

/** Rows one per (row, earmark), in id order, folded into one record per id with its earmarks. */
function withEarmarks<T extends { id: number; earmarks: EarmarkShare[] }>(rows: Raw[], record: (r: Raw) => T): T[] {
  const records: T[] = [];
  for (const r of rows) {
    const id = aggregateToNumber(r.id as number);
    let last = records[records.length - 1];
    if (last?.id !== id) records.push((last = record(r)));
    const code = r.priority_code as string | null;
    if (code !== null && code !== undefined)
      last.earmarks.push({
        priorityCode: code,
        shareBasisPoints: r.share_bp === null || r.share_bp === undefined ? null : aggregateToNumber(r.share_bp as number),
        earmarkCount: aggregateToNumber(r.earmark_count as number),
      });
  }
  return records;
}

function toDatedSum(r: Raw): DatedSum {
  return {
    currency: String(r.currency),
    valueDate: dateOnly(r.value_date as string) as string,
    amountMinor: aggregateToBigInt(r.total as string),
  };
}

function gapsOf(r: Raw): ValueGaps {
  return { unvalued: aggregateToNumber(r.unvalued as number), waiting: aggregateToNumber(r.waiting as number) };
}

function toDonorValue(r: Raw): DonorValue {
  return {
    donorId: aggregateToNumber(r.donor_id as number),
    kind: r.kind as 'cash' | 'in_kind',
    valueMinor: aggregateToBigInt(r.total as string),
    ...gapsOf(r),
  };
}

function toPriorityValue(r: Raw): PriorityValue {
  return {
    priorityCode: String(r.priority_code),
    earmarkCount: aggregateToNumber(r.earmark_count as number),
    shareBasisPoints: r.share_bp === null || r.share_bp === undefined ? null : aggregateToNumber(r.share_bp as number),
    valueMinor: aggregateToBigInt(r.total as string),
    ...gapsOf(r),
  };
}
