import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/unit-of-work';
import {
  LedgerRepository,
  newPledgeRow,
  type BulkPledge,
  type InsertedPledges,
  type NewReceiptRow,
  type CurrencyTotals,
  type PledgeFilter,
  type PledgeListFilter,
  type StoredPledgeValues,
  type StoredReceiptValues,
} from './ledger.repository';
import type { InstalmentEntity } from './instalment.entity';
import { InstalmentsRepository, type InstalmentChanges, type NewInstalment, type ScheduledInstalmentRow, type ScheduleWindow } from './instalments.repository';
import { LedgerValuation, NOT_VALUED } from './ledger-valuation';
import { PledgeEntity, PledgePriorityEntity, type DisbursementEntity, type Earmark, type PledgeColumns } from './pledge.entity';
import { pledgeValueDate } from './value-date';
import { LedgerAggregates } from './aggregates/ledger-aggregates.service';

export type { ScheduleWindow, ScheduledInstalmentRow } from './instalments.repository';

/** Pledges written at once from which their values are left to the valuation worker. */
const VALUED_INLINE = 50;

/** A receipt as its use-case works it out; the ledger adds the stored values. */
export type ReceiptColumns = Omit<NewReceiptRow, keyof StoredReceiptValues | 'organisationId'>;

/** A pledge of an import: its columns (an external reference is required) and earmarks. */
export interface ImportedPledge {
  columns: PledgeColumns;
  earmarks: readonly Earmark[];
}

/**
 * The ledger as other modules use it: pledges, their earmarks and what arrived against them, read
 * and written through intent-named methods. Every write stores the rows' values in the reporting
 * currencies in its own transaction (LedgerValuation), so no reader has to.
 */
@Injectable()
export class Ledger {
  constructor(
    private readonly rows: LedgerRepository,
    private readonly valuation: LedgerValuation,
    private readonly instalments: InstalmentsRepository,
    private readonly aggregates: LedgerAggregates,
  ) {}

  /** The organisation's pledge with its donor and earmarks (null for another organisation's); inside `tx` when given. */
  findPledge(organisationId: number, id: number, tx?: Transaction): Promise<PledgeEntity | null> {
    return this.rows.findById(organisationId, id, tx);
  }

  /** A few pledges with their donors and earmarks, by id. */
  findPledges(ids: readonly number[]): Promise<PledgeEntity[]> {
    return this.rows.findByIds(ids);
  }

  /** A page of pledges (one more than the limit), filtered in SQL. */
  /** Cash pledges under the list's filter, every page, summed per currency pledged in (cancelled apart). */
  totalsByCurrency(filter: PledgeListFilter): Promise<CurrencyTotals[]> {
    return this.rows.totalsByCurrency(filter);
  }

  pledgePage(filter: PledgeFilter): Promise<PledgeEntity[]> {
    return this.rows.page(filter);
  }

  /** A pledge's receipts, oldest first. */
  receiptsOf(pledgeId: number): Promise<DisbursementEntity[]> {
    return this.rows.receiptsOf(pledgeId);
  }

  /** The receipts of several pledges, oldest first. */
  receiptsOfPledges(pledgeIds: readonly number[]): Promise<DisbursementEntity[]> {
    return this.rows.receiptsOfPledges(pledgeIds);
  }

  /** Receipts by id with their pledge and donor, a page at a time (exports). */
  receiptPage(organisationId: number, afterId: number, limit: number): Promise<DisbursementEntity[]> {
    return this.rows.receiptPage(organisationId, afterId, limit);
  }

  /** Whether a pledge of the organisation carries this external reference; inside `tx` when given. */
  externalRefUsed(organisationId: number, externalRef: string, tx?: Transaction): Promise<boolean> {
    return this.rows.externalRefUsed(organisationId, externalRef, tx);
  }

  /** Which of these references (stored, or an export's generated `mat-pledge-<id>`) already name a pledge, with that pledge's id. */
  existingRefs(organisationId: number, refs: readonly string[], generated: ReadonlyMap<number, string>, tx?: Transaction): Promise<Map<string, number>> {
    return this.rows.existingRefs(organisationId, refs, generated, tx);
  }

  /** Locks a pledge's row until `tx` ends, before reading it to change it (after the valuation lock: see LedgerValuation.holdShared). */
  async lockPledge(tx: Transaction, id: number): Promise<void> {
    await this.valuation.holdShared(tx);
    await this.rows.lockForUpdate(tx, id);
  }

  /**
   * Records a new pledge with its earmarks and values, and returns it as `findPledge` would read
   * it back (without the donor, which the caller has).
   */
  async recordPledge(tx: Transaction, organisationId: number, columns: PledgeColumns, earmarks: readonly Earmark[]): Promise<PledgeEntity> {
    const createdAt = new Date();
    const values = await this.valuation.pledgeValues(tx, this.valuationFacts(columns, createdAt));
    const row = newPledgeRow(organisationId, columns, values, createdAt);
    const id = await this.rows.insertPledge(tx, row, earmarks);
    await this.aggregates.added(tx, [id]);
    return Object.assign(new PledgeEntity(), row, {
      id,
      updatedAt: createdAt,
      earmarks: earmarks
        .map((e) => Object.assign(new PledgePriorityEntity(), { pledgeId: id, priorityCode: e.code, shareBasisPoints: e.shareBasisPoints }))
        .sort((a, b) => a.priorityCode.localeCompare(b.priorityCode)),
    });
  }

  /**
   * Records many pledges at once (an import), multi-row INSERTs in `tx`. A few get their values
   * here; from VALUED_INLINE on they are left to the valuation worker, woken when `tx` commits:
   * working out 100,000 rows' values would slow the import by a fifth, and reads stay exact
   * while they wait.
   */
  async recordPledges(tx: Transaction, organisationId: number, pledges: readonly ImportedPledge[], onBatch?: (done: number) => void): Promise<InsertedPledges> {
    const createdAt = new Date();
    const rows: BulkPledge[] = [];
    for (const p of pledges) {
      const values = pledges.length < VALUED_INLINE ? await this.valuation.pledgeValues(tx, this.valuationFacts(p.columns, createdAt)) : NOT_VALUED;
      rows.push({ row: newPledgeRow(organisationId, p.columns, values, createdAt), earmarks: p.earmarks });
    }
    if (pledges.length >= VALUED_INLINE) this.valuation.valueAfterCommit(tx);
    const inserted = await this.rows.insertPledges(tx, rows, onBatch);
    await this.aggregates.addedByRefs(
      tx,
      organisationId,
      pledges.flatMap((p) => (p.columns.externalRef ? [p.columns.externalRef] : [])),
    );
    return inserted;
  }

  /** Records money received or goods delivered against `pledge` (read in `tx`), with its values, and moves the pledge's running totals. */
  async recordReceipt(tx: Transaction, pledge: PledgeEntity, receipt: ReceiptColumns): Promise<DisbursementEntity> {
    const values = await this.valuation.receiptValues(tx, {
      amountMinor: receipt.amountMinor,
      currency: receipt.currency,
      quantity: receipt.quantity,
      receivedOn: receipt.receivedOn,
      pledgeKind: pledge.kind,
      pledgeCurrency: pledge.currency,
      unitValueMinor: pledge.unitValueMinor,
    });
    return this.aggregates.maintain(tx, [pledge.id], () => this.rows.insertReceipt(tx, { ...receipt, organisationId: pledge.organisationId, ...values }));
  }

  /**
   * Changes a pledge's descriptive columns (read in `tx` as `pledge`) and, when given, replaces its
   * earmarks. When the change moves its value date, its values move with it in the same transaction.
   */
  async describePledge(tx: Transaction, pledge: PledgeEntity, changes: Partial<PledgeEntity>, earmarks: readonly Earmark[] | null): Promise<void> {
    const moved = pledgeValueDate({ ...pledge, ...changes }).valueDate;
    const values: Partial<StoredPledgeValues> =
      moved === pledgeValueDate(pledge).valueDate
        ? {}
        : await this.valuation.pledgeValues(tx, { currency: pledge.currency, amountMinor: pledge.amountMinor, valueDate: moved });
    await this.aggregates.maintain(tx, [pledge.id], () => this.rows.updateDescription(tx, pledge.id, { ...changes, ...values }, earmarks));
  }

  async cancelPledge(tx: Transaction, id: number, reason: string, at: Date): Promise<void> {
    await this.aggregates.maintain(tx, [id], () => this.rows.markCancelled(tx, id, reason, at));
  }

  /** A pledge's planned instalments (not removed), in the order receipts are matched to them; inside `tx` when given. */
  instalmentsOf(pledgeId: number, tx?: Transaction): Promise<InstalmentEntity[]> {
    return this.instalments.liveOfPledge(pledgeId, tx);
  }

  /** The planned instalments of several pledges, by pledge, each in matching order. */
  instalmentsOfPledges(pledgeIds: readonly number[]): Promise<InstalmentEntity[]> {
    return this.instalments.liveOfPledges(pledgeIds);
  }

  /** One planned instalment of a pledge, or null when there is none (or it was removed). */
  findInstalment(pledgeId: number, id: number, tx?: Transaction): Promise<InstalmentEntity | null> {
    return this.instalments.findLive(pledgeId, id, tx);
  }

  /** Adds a planned instalment; the caller has locked the pledge (`lockPledge`) and checked it fits the pledge. */
  planInstalment(tx: Transaction, row: NewInstalment): Promise<InstalmentEntity> {
    return this.instalments.insert(tx, row);
  }

  /** Moves or resizes a planned instalment; the caller has locked the pledge and checked the schedule still fits. */
  changeInstalment(tx: Transaction, id: number, changes: InstalmentChanges): Promise<void> {
    return this.instalments.change(tx, id, changes);
  }

  /** Takes an instalment out of the schedule; its row is kept with who removed it and when. */
  removeInstalment(tx: Transaction, id: number, by: number | null, at: Date): Promise<void> {
    return this.instalments.markRemoved(tx, id, by, at);
  }

  /** Instalments of standing pledges due in the window and those overdue before it, with what their states need. */
  instalmentsInWindow(window: ScheduleWindow): Promise<ScheduledInstalmentRow[]> {
    return this.instalments.inWindow(window);
  }

  /** How many instalments of standing pledges are overdue on `today`. */
  overdueInstalments(today: string): Promise<number> {
    return this.instalments.countOverdue(today);
  }

  /** Instalments of standing cash pledges not yet covered by receipts, with what their states need. */
  uncoveredCashInstalments(): Promise<ScheduledInstalmentRow[]> {
    return this.instalments.uncoveredCash();
  }

  private valuationFacts(columns: PledgeColumns, createdAt: Date) {
    const { valueDate } = pledgeValueDate({ pledgedOn: columns.pledgedOn ?? null, sourceDate: columns.sourceDate ?? null, createdAt });
    return { currency: columns.currency ?? null, amountMinor: columns.amountMinor ?? null, valueDate };
  }
}
