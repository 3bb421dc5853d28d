import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { todayUtc } from '../common/dates';
import { BusinessRuleError, InvalidInputError, OverDisbursementError, ConflictError } from '../common/errors/domain-errors';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { formatAmount, money, Money, MoneyJson, parseAmount, toJson } from '../common/money/money';
import type { RateQuote } from '../common/money/conversion';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { DonorEntity } from '../donors/donor.entity';
import { DonorsService } from '../donors/donors.service';
import { FxService } from '../fx/fx.service';
import { IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { fulfilmentOf, PledgeStatus, receiptOf, type ReceiptExpectation, type ReceiptStatus } from '../ledger/fulfilment';
import { Ledger, type ReceiptColumns } from '../ledger/ledger.service';
import { DisbursementEntity, PledgeEntity, type Earmark, type PledgeColumns } from '../ledger/pledge.entity';
import { pledgeValueDate, type ValueDateBasis } from '../ledger/value-date';
import { PrioritiesService } from '../priorities/priorities.service';
import { scheduleViews } from './instalment-view';
import type { CancelPledgeDto, CreateDisbursementDto, CreatePledgeDto, UpdatePledgeDto } from './dto';
import { earmarksFrom, pledgeChangesFrom, pledgeColumnsFrom, rateCheckOf } from './pledge-input';
import { visibleDonorFilter, visibleOr404 } from '../access/donor-visibility';

/** The currency every figure can be reported in; a pledge that cannot be converted to it is refused. */
export const REPORTING_CURRENCY = 'USD';

export interface ConvertedView {
  amount: string;
  currency: string;
  /** Only when the oldest rate used is more than STALE_RATE_DAYS before `valueDate`: its date, and how many days earlier it is. */
  rateDate?: string;
  staleDays?: number;
  rate: string;
  valueDate: string;
  ratesUsed: RateQuote[];
}

export interface PledgeView {
  id: number;
  donorId: number;
  donorName: string;
  title: string;
  kind: 'cash' | 'in_kind';
  amount: string | null;
  currency: string | null;
  inKind: { quantity: number; unit: string; upTo: boolean; unitValue: MoneyJson | null; value: MoneyJson | null } | null;
  pledgedOn: string | null;
  sourceDate: string | null;
  valueDate: string;
  valueDateBasis: ValueDateBasis;
  status: PledgeStatus;
  commitment: 'announced' | 'committed';
  /** Null when the source does not say. */
  channel: string | null;
  channelName: string | null;
  instrument: string | null;
  priorityCodes: string[];
  priorityShares: string[] | null;
  source: string | null;
  notes: string | null;
  externalRef: string | null;
  /** The version 1 name of `received`. */
  disbursed: MoneyJson | null;
  /** Money recorded as received (cash pledges). */
  received: MoneyJson | null;
  receiptExpectation: ReceiptExpectation;
  receiptDueOn: string | null;
  /** Today's: received, outstanding (known to be owed), not_documented, or cancelled (fulfilment.ts `receiptStatusOf`). */
  receiptStatus: ReceiptStatus;
  /** Known to be owed: the balance when receiptStatus is outstanding, otherwise 0.00 (cash pledges). */
  outstanding: MoneyJson | null;
  /** Pledged, receipt neither recorded nor known to be owed: the balance when receiptStatus is not_documented, otherwise 0.00. */
  receiptNotDocumented: MoneyJson | null;
  deliveredQuantity: number | null;
  /** In kind, in units: known to be owed, as `outstanding`. */
  outstandingQuantity: number | null;
  /** In kind, in units: receipt not documented, as `receiptNotDocumented`. */
  notDocumentedQuantity: number | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
  converted: ConvertedView | null;
}

export interface DisbursementView {
  id: number;
  pledgeId: number;
  amount: string | null;
  currency: string | null;
  quantity: number | null;
  receivedOn: string;
  receivedOnBasis: string;
  counted: MoneyJson | null;
  rate: string | null;
  rateDate: string | null;
  rateSource: string | null;
  reference: string | null;
  overDisbursementReason: string | null;
  source: string | null;
  notes: string | null;
  createdAt: string;
}

function moneyJson(minor: bigint | null, currency: string | null): MoneyJson | null {
  return minor !== null && currency ? { amount: formatAmount(minor, currency), currency } : null;
}

/** What a pledge must say for a receipt to be judged against it. */
export type ReceivingPledge = Pick<
  PledgeEntity,
  'kind' | 'currency' | 'amountMinor' | 'disbursedMinor' | 'inKindQuantity' | 'deliveredQuantity' | 'inKindUnit'
>;

export function toDisbursementView(d: DisbursementEntity, pledgeCurrency: string | null): DisbursementView {
  return {
    id: d.id,
    pledgeId: d.pledgeId,
    amount: d.amountMinor !== null && d.currency ? formatAmount(d.amountMinor, d.currency) : null,
    currency: d.currency,
    quantity: d.quantity,
    receivedOn: d.receivedOn,
    receivedOnBasis: d.receivedOnBasis,
    counted: moneyJson(d.countedMinor, pledgeCurrency),
    rate: d.rate,
    rateDate: d.rateDate,
    rateSource: d.rateSource,
    reference: d.reference,
    overDisbursementReason: d.overDisbursementReason,
    source: d.source,
    notes: d.notes,
    createdAt: new Date(d.createdAt).toISOString(),
  };
}

/** The money a pledge stands for: cash, or in kind valued at quantity × unit value. Null when not valued. */
export function pledgedMoney(p: Pick<PledgeEntity, 'amountMinor' | 'currency'>): Money | null {
  return p.amountMinor !== null && p.currency ? { minor: p.amountMinor, currency: p.currency } : null;
}

/** Enough distinct (currency, value date) pairs for years of pledges; past it the set starts over. */
const CONVERTIBLE_PAIRS_KEPT = 10_000;

/**
 * (currency, value date) pairs already shown convertible to the reporting currency, so a create
 * skips the conversion its rate check would redo. Sound because rates are only ever added, never
 * changed or deleted: a conversion that worked once keeps working. Only successes are kept, so a
 * rate added later still lets a refused pair through.
 */
class ConvertiblePairs {
  private readonly pairs = new Set<string>();

  has(currency: string, valueDate: string): boolean {
    return this.pairs.has(`${currency}@${valueDate}`);
  }

  add(currency: string, valueDate: string): void {
    if (this.pairs.size >= CONVERTIBLE_PAIRS_KEPT) this.pairs.clear();
    this.pairs.add(`${currency}@${valueDate}`);
  }
}

@Injectable()
export class PledgesService {
  private readonly convertible = new ConvertiblePairs();

  constructor(
    private readonly ledger: Ledger,
    private readonly donors: DonorsService,
    private readonly priorities: PrioritiesService,
    private readonly fx: FxService,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async toView(p: PledgeEntity, displayCurrency: string | null = REPORTING_CURRENCY): Promise<PledgeView> {
    const promised = {
      kind: p.kind,
      commitment: p.commitment,
      cancelled: p.cancelledAt !== null,
      amountMinor: p.kind === 'cash' ? p.amountMinor : null,
      disbursedMinor: p.disbursedMinor,
      quantity: p.inKindQuantity,
      deliveredQuantity: p.deliveredQuantity,
    };
    const f = fulfilmentOf(promised);
    const receipt = receiptOf({ ...promised, expectation: p.receiptExpectation, dueOn: p.receiptDueOn }, todayUtc());
    const cashMoney = (minor: bigint | null) => (p.kind === 'cash' ? moneyJson(minor, p.currency) : null);
    const when = pledgeValueDate(p);
    const earmarks = [...(p.earmarks ?? [])].sort((a, b) => a.priorityCode.localeCompare(b.priorityCode));
    const value = pledgedMoney(p);
    let converted: ConvertedView | null = null;
    if (value && displayCurrency) {
      const c = await this.fx.convert(value, displayCurrency, when.valueDate);
      converted = {
        amount: formatAmount(c.converted.minor, c.converted.currency),
        currency: displayCurrency,
        ...c.stale,
        rate: c.rate,
        valueDate: when.valueDate,
        ratesUsed: c.ratesUsed,
      };
    }
    return {
      id: p.id,
      donorId: p.donorId,
      donorName: p.donor?.name,
      title: p.title,
      kind: p.kind,
      amount: p.kind === 'cash' && value ? formatAmount(value.minor, value.currency) : null,
      currency: p.kind === 'cash' ? p.currency : null,
      inKind:
        p.kind === 'in_kind'
          ? {
              quantity: p.inKindQuantity ?? 0,
              unit: p.inKindUnit ?? '',
              upTo: p.inKindQuantityIsMaximum,
              unitValue: moneyJson(p.unitValueMinor, p.currency),
              value: value ? moneyJson(value.minor, value.currency) : null,
            }
          : null,
      pledgedOn: p.pledgedOn,
      sourceDate: p.sourceDate,
      ...when,
      status: f.status,
      commitment: p.commitment,
      channel: p.channel,
      channelName: p.channelName,
      instrument: p.instrument,
      priorityCodes: earmarks.map((e) => e.priorityCode),
      priorityShares:
        earmarks.length && earmarks.every((e) => e.shareBasisPoints !== null)
          ? earmarks.map((e) => formatAmount(BigInt(e.shareBasisPoints ?? 0), 'USD'))
          : null,
      source: p.source,
      notes: p.notes,
      externalRef: p.externalRef,
      disbursed: cashMoney(p.disbursedMinor),
      received: cashMoney(p.disbursedMinor),
      receiptExpectation: p.receiptExpectation,
      receiptDueOn: p.receiptDueOn,
      receiptStatus: receipt.status,
      outstanding: cashMoney(receipt.outstandingMinor),
      receiptNotDocumented: cashMoney(receipt.notDocumentedMinor),
      deliveredQuantity: p.kind === 'in_kind' ? p.deliveredQuantity : null,
      outstandingQuantity: receipt.outstandingQuantity,
      notDocumentedQuantity: receipt.notDocumentedQuantity,
      cancelledAt: p.cancelledAt ? new Date(p.cancelledAt).toISOString() : null,
      cancelReason: p.cancelReason,
      createdAt: new Date(p.createdAt).toISOString(),
      converted,
    };
  }

  private async visiblePledge(actor: Actor, id: number): Promise<PledgeEntity> {
    return visibleOr404(actor, await this.ledger.findPledge(organisationOf(actor), id), (p) => p.donorId, 'Pledge', id);
  }

  async get(actor: Actor, id: number, displayCurrency: string) {
    const pledge = await this.visiblePledge(actor, id);
    await this.fx.revalidate();
    const [view, disbursements, instalments, history] = await Promise.all([
      this.toView(pledge, displayCurrency),
      this.ledger.receiptsOf(id),
      this.ledger.instalmentsOf(id),
      this.audit.historyOf('pledge', id),
    ]);
    return {
      ...view,
      disbursements: disbursements.map((d) => toDisbursementView(d, pledge.currency)),
      instalments: scheduleViews(pledge, instalments, todayUtc()),
      history: history.map((h) => ({
        at: new Date(h.at).toISOString(),
        actorEmail: h.actorEmail,
        action: h.action,
        before: h.before,
        after: h.after,
        reason: h.reason,
      })),
    };
  }

  async list(
    actor: Actor,
    filter: { donorId?: number; status?: PledgeStatus; priorityCode?: string; currency?: string; newestFirst?: boolean },
    page: PageRequest,
    displayCurrency: string | null,
  ): Promise<Page<PledgeView>> {
    const donorId = visibleDonorFilter(actor, filter.donorId);
    const rows = await this.ledger.pledgePage({ ...filter, organisationId: organisationOf(actor), donorId, ...page });
    const shown = rows.slice(0, page.limit);
    if (displayCurrency) await this.fx.revalidate();
    const views = await Promise.all(shown.map((p) => this.toView(p, displayCurrency)));
    return toPage(rows, page, (p) => views[shown.indexOf(p)]);
  }

  /** Per currency pledged in, over every pledge the list's filter selects that this actor may see (cancelled ones apart). */
  async totalsByCurrency(actor: Actor, filter: { donorId?: number; status?: PledgeStatus; priorityCode?: string; currency?: string; search?: string }) {
    const donorId = visibleDonorFilter(actor, filter.donorId);
    const rows = await this.ledger.totalsByCurrency({ ...filter, organisationId: organisationOf(actor), donorId });
    return rows.map((r) => ({
      currency: r.currency,
      pledged: toJson(money(r.pledgedMinor, r.currency)),
      received: toJson(money(r.receivedMinor, r.currency)),
      cancelled: r.cancelledCount > 0 ? toJson(money(r.cancelledMinor, r.currency)) : null,
      standing: r.standing,
      cancelledCount: r.cancelledCount,
    }));
  }

  /** Validates a create request into the columns to store. Throws field errors; touches nothing. */
  private async buildPledge(actor: Actor, dto: CreatePledgeDto): Promise<{ columns: PledgeColumns; earmarks: Earmark[] }> {
    const columns = pledgeColumnsFrom(dto);
    const earmarks = earmarksFrom(dto.priorityCodes, dto.priorityShares, await this.priorities.existingCodes(organisationOf(actor), dto.priorityCodes));
    if (!(await this.donors.exists(organisationOf(actor), dto.donorId))) throw BusinessRuleError.field('donorId', `there is no donor ${dto.donorId}`);
    if (!(await this.donors.isActive(organisationOf(actor), dto.donorId)))
      throw BusinessRuleError.field('donorId', 'this donor is deactivated: reactivate it to record a new pledge');
    const check = rateCheckOf(dto, columns);
    if (check && !this.convertible.has(check.value.currency, check.valueDate)) {
      await this.fx.convert(check.value, REPORTING_CURRENCY, check.valueDate, check.field);
      this.convertible.add(check.value.currency, check.valueDate);
    }
    return { columns, earmarks };
  }

  async create(actor: Actor, dto: CreatePledgeDto, idem: IdempotencyContext | null) {
    const { columns, earmarks } = await this.buildPledge(actor, dto);
    return this.idempotency.create(idem, async (tx) => {
      if (columns.externalRef && (await this.ledger.externalRefUsed(organisationOf(actor), columns.externalRef, tx))) {
        throw new ConflictError(`A pledge with externalRef "${columns.externalRef}" exists`, [
          { field: 'externalRef', message: 'already used by another pledge' },
        ]);
      }
      const donorName = await this.donors.nameOf(columns.donorId, tx);
      if (donorName === null) throw BusinessRuleError.field('donorId', `there is no donor ${dto.donorId}`);
      // The view comes from the row as written, not from a second read of it.
      const saved = await this.ledger.recordPledge(tx, organisationOf(actor), { ...columns, createdBy: actor.id || null }, earmarks);
      saved.donor = Object.assign(new DonorEntity(), { id: columns.donorId, name: donorName });
      const view = await this.toView(saved, null);
      await this.audit.record(tx, actor, { action: 'pledge.create', entityType: 'pledge', entityId: saved.id, after: view });
      return view;
    });
  }

  async recordDisbursement(actor: Actor, pledgeId: number, dto: CreateDisbursementDto, idem: IdempotencyContext | null) {
    const result = await this.idempotency.create(idem, async (tx) => {
      await this.ledger.lockPledge(tx, pledgeId);
      const pledge = visibleOr404(actor, await this.ledger.findPledge(organisationOf(actor), pledgeId, tx), (p) => p.donorId, 'Pledge', pledgeId);
      if (pledge.cancelledAt) throw BusinessRuleError.field('pledge', `pledge ${pledgeId} was cancelled: nothing more can be recorded against it`);
      const columns = await this.buildDisbursement(tx, pledge, dto);
      const before = await this.toView(pledge, null);
      const saved = await this.ledger.recordReceipt(tx, pledge, { ...columns, pledgeId, createdBy: actor.id || null });
      const after = await this.ledger.findPledge(organisationOf(actor), pledgeId, tx);
      const view = toDisbursementView(saved, pledge.currency);
      await this.audit.record(tx, actor, { action: 'disbursement.create', entityType: 'disbursement', entityId: saved.id, after: view });
      await this.audit.record(tx, actor, {
        action: pledge.kind === 'cash' ? 'pledge.disbursement_recorded' : 'pledge.delivery_recorded',
        entityType: 'pledge',
        entityId: pledgeId,
        before: { status: before.status, disbursed: before.disbursed, deliveredQuantity: before.deliveredQuantity },
        after: after
          ? await this.toView(after, null).then((v) => ({ status: v.status, disbursed: v.disbursed, deliveredQuantity: v.deliveredQuantity }))
          : null,
        reason: dto.overDisbursementReason ?? null,
      });
      return view;
    });
    return result;
  }

  /**
   * Works out what a disbursement counts against its pledge, refusing what the pledge cannot take.
   * The pledges import asks it too, in its dry run with the running totals of the file's own pledges.
   */
  async buildDisbursement(
    tx: Transaction | undefined,
    pledge: ReceivingPledge,
    dto: CreateDisbursementDto,
  ): Promise<Omit<ReceiptColumns, 'pledgeId' | 'createdBy'>> {
    if (dto.receivedOn > todayUtc()) throw InvalidInputError.field('receivedOn', 'receivedOn cannot be in the future');
    const common = {
      receivedOn: dto.receivedOn,
      receivedOnBasis: dto.receivedOnBasis ?? 'exact',
      reference: dto.reference ?? null,
      overDisbursementReason: dto.overDisbursementReason ?? null,
      source: dto.source ?? null,
      notes: dto.notes ?? null,
    };
    if (pledge.kind === 'in_kind') {
      if (dto.amount !== undefined || dto.currency !== undefined) {
        throw InvalidInputError.field(dto.amount !== undefined ? 'amount' : 'currency', 'an in-kind pledge takes deliveries as a quantity, not an amount');
      }
      if (dto.quantity === undefined) throw InvalidInputError.field('quantity', 'a delivery against an in-kind pledge needs quantity');
      const balance = Math.max((pledge.inKindQuantity ?? 0) - pledge.deliveredQuantity, 0);
      if (dto.quantity > balance && !dto.overDisbursementReason) {
        throw BusinessRuleError.field(
          'quantity',
          `${dto.quantity} is more than the ${balance} ${pledge.inKindUnit ?? 'units'} still to receive; give overDisbursementReason to record it anyway`,
        );
      }
      return { ...common, amountMinor: null, currency: null, quantity: dto.quantity, countedMinor: null, rate: null, rateDate: null, rateSource: null };
    }
    if (dto.quantity !== undefined) throw InvalidInputError.field('quantity', 'a cash pledge takes disbursements as an amount, not a quantity');
    if (dto.amount === undefined) throw InvalidInputError.field('amount', 'a disbursement needs an amount');
    const pledgeCurrency = pledge.currency as string;
    const received = parseAmount(dto.amount, dto.currency ?? pledgeCurrency);
    let counted = received;
    let rate: { rate: string; date: string; source: string } | null = null;
    if (received.currency !== pledgeCurrency) {
      // What a receipt counts is stored: at the rates as committed, one another instance added a moment ago included.
      if (tx) await this.fx.syncWithStoredRates(tx);
      const c = await this.fx.convert(received, pledgeCurrency, dto.receivedOn, 'currency', tx);
      counted = c.converted;
      rate = {
        rate: c.rate,
        date: c.ratesUsed.map((r) => r.date).sort()[0],
        source: c.ratesUsed.map((r) => `${r.base}/${r.quote} ${r.rate} on ${r.date} (${r.source})`).join('; '),
      };
    }
    const balance = (pledge.amountMinor ?? 0n) - pledge.disbursedMinor;
    if (counted.minor > balance && !dto.overDisbursementReason) {
      throw new OverDisbursementError(
        `${formatAmount(balance > 0n ? balance : 0n, pledgeCurrency)} ${pledgeCurrency}`,
        `${formatAmount(counted.minor, pledgeCurrency)} ${pledgeCurrency}`,
      );
    }
    return {
      ...common,
      amountMinor: received.minor,
      currency: received.currency,
      quantity: null,
      countedMinor: counted.minor,
      rate: rate?.rate ?? null,
      rateDate: rate?.date ?? null,
      rateSource: rate?.source ?? null,
    };
  }

  /**
   * Changes what a pledge says about itself (title, commitment, channel, dates, what is known of its
   * receipt, earmarks), never its money. The before and after views go to the audit log; a request that changes nothing records nothing.
   */
  async update(actor: Actor, pledgeId: number, dto: UpdatePledgeDto): Promise<PledgeView> {
    const changes = pledgeChangesFrom(dto);
    const earmarks =
      dto.priorityCodes === undefined
        ? null
        : earmarksFrom(dto.priorityCodes, dto.priorityShares, await this.priorities.existingCodes(organisationOf(actor), dto.priorityCodes));
    return this.uow.transaction(async (tx) => {
      await this.ledger.lockPledge(tx, pledgeId);
      const pledge = visibleOr404(actor, await this.ledger.findPledge(organisationOf(actor), pledgeId, tx), (p) => p.donorId, 'Pledge', pledgeId);
      if (pledge.cancelledAt) throw BusinessRuleError.field('pledge', `pledge ${pledgeId} was cancelled: a cancelled pledge cannot be edited`);
      const value = pledgedMoney(pledge);
      const moved = pledgeValueDate({ ...pledge, ...changes });
      if (value && moved.valueDate !== pledgeValueDate(pledge).valueDate) {
        await this.fx.convert(value, REPORTING_CURRENCY, moved.valueDate, moved.valueDateBasis === 'source_date' ? 'sourceDate' : 'pledgedOn', tx);
      }
      const before = await this.toView(pledge, null);
      await this.ledger.describePledge(tx, pledge, changes, earmarks);
      const updated = await this.ledger.findPledge(organisationOf(actor), pledgeId, tx);
      if (!updated) throw new Error(`Pledge ${pledgeId} vanished inside its own transaction`);
      const after = await this.toView(updated, null);
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        await this.audit.record(tx, actor, { action: 'pledge.update', entityType: 'pledge', entityId: pledgeId, before, after });
      }
      return after;
    });
  }

  async cancel(actor: Actor, pledgeId: number, dto: CancelPledgeDto) {
    return this.uow.transaction(async (tx) => {
      await this.ledger.lockPledge(tx, pledgeId);
      const pledge = visibleOr404(actor, await this.ledger.findPledge(organisationOf(actor), pledgeId, tx), (p) => p.donorId, 'Pledge', pledgeId);
      if (pledge.cancelledAt) throw new ConflictError(`Pledge ${pledgeId} is already cancelled`, [{ field: 'pledge', message: 'already cancelled' }]);
      const before = await this.toView(pledge, null);
      await this.ledger.cancelPledge(tx, pledgeId, dto.reason, new Date());
      const updated = await this.ledger.findPledge(organisationOf(actor), pledgeId, tx);
      const after = await this.toView(updated as PledgeEntity, null);
      await this.audit.record(tx, actor, { action: 'pledge.cancel', entityType: 'pledge', entityId: pledgeId, before, after, reason: dto.reason });
      return after;
    });
  }
}
