import { Injectable } from '@nestjs/common';
import { PageRequest, toPage } from '../common/http/pagination';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { InvalidInputError } from '../common/errors/domain-errors';
import { isValidRate } from '../common/money/conversion';
import { formatAmount, parseAmount } from '../common/money/money';
import { IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import type { Transaction } from '../database/unit-of-work';
import type { CreateGovernmentSpendDto, CreateReportedFigureDto } from './dto';
import type { GovernmentSpendEntity, ReportedFigureEntity, SpendBasis } from './national.entity';
import { NationalRepository, type ReportedFigureRow } from './national.repository';

export type { ReportedFigureRow };
import { spendObservation } from './spend-observation';

/** Keys whose value is a share (a fraction), not an amount of money. */
const SHARE_KEYS = new Set(['foreign_share']);

/** The government figure the funding engine uses at a date: one observation, with where it comes from. */
export interface GovernmentFigure {
  amountMinor: bigint;
  currency: string;
  asAt: string;
  basis: SpendBasis;
  periodStart: string | null;
  source: string;
  sourcePage: string | null;
}

/** An observation as the API shows it; `periodEnd` only on rows that carry one (version 1). */
export function toSpendView(s: GovernmentSpendEntity) {
  return {
    id: s.id,
    amount: formatAmount(s.amountMinor, s.currency),
    currency: s.currency,
    asAt: s.asAt,
    basis: s.basis,
    periodStart: s.periodStart,
    ...(s.periodEnd === null ? {} : { periodEnd: s.periodEnd }),
    source: s.source,
    sourcePage: s.sourcePage,
    notes: s.notes,
  };
}

export function toReportedView(f: ReportedFigureEntity) {
  return { id: f.id, key: f.key, value: f.value, currency: f.currency, asOf: f.asOf, source: f.source, sourcePage: f.sourcePage, notes: f.notes };
}

/** The government's own spend and the headline figures documents state, kept apart from the itemised ledger. */
@Injectable()
export class NationalService {
  constructor(
    private readonly national: NationalRepository,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Records an observation. A version 1 body is read as spend as at its period end; the answer
   * carries `deprecated` saying so (the record itself is an ordinary observation).
   */
  async addSpend(actor: Actor, dto: CreateGovernmentSpendDto, idem: IdempotencyContext | null) {
    const money = parseAmount(dto.amount, dto.currency);
    const observation = spendObservation(dto);
    return this.idempotency.create(idem, async (tx) => {
      const saved = await this.national.insertSpend(tx, {
        organisationId: organisationOf(actor),
        amountMinor: money.minor,
        currency: money.currency,
        asAt: observation.asAt,
        basis: observation.basis,
        periodStart: observation.periodStart,
        periodEnd: observation.periodEnd,
        source: dto.source,
        sourcePage: dto.sourcePage ?? null,
        notes: dto.notes ?? null,
        createdBy: actor.id || null,
      });
      const view = toSpendView(saved);
      await this.audit.record(tx, actor, { action: 'government_spend.create', entityType: 'government_spend', entityId: saved.id, after: view });
      return observation.deprecated === null ? view : { ...view, deprecated: observation.deprecated };
    });
  }

  /**
   * The government figure at `asOf`: the latest observation as at that day or before (of two on
   * one day, the one recorded last), whatever its currency. Null before the first observation:
   * the figure is not recorded for that date, and nothing that needs it can be computed.
   */
  async governmentAt(asOf: string, tx?: Transaction, knownOn?: string): Promise<GovernmentFigure | null> {
    const row = await this.national.latestSpendOnOrBefore(asOf, tx, knownOn);
    if (!row) return null;
    return {
      amountMinor: row.amountMinor,
      currency: row.currency,
      asAt: row.asAt,
      basis: row.basis,
      periodStart: row.periodStart,
      source: row.source,
      sourcePage: row.sourcePage,
    };
  }

  /** The earliest observation: before its date the government figure is not recorded. */
  async firstGovernmentObservation(knownOn?: string): Promise<{ asAt: string; source: string } | null> {
    const row = await this.national.firstSpend(knownOn);
    return row ? { asAt: row.asAt, source: row.source } : null;
  }

  /** The latest figure of each key stated on or before `asOf`: the headline beside the itemised ledger. */
  latestReportedFigures(asOf: string, knownOn?: string): Promise<ReportedFigureRow[]> {
    return this.national.latestReportedFigures(asOf, knownOn);
  }

  /** Whether this source's observation in this currency as at this date is recorded (the seed's natural key). */
  hasSpend(asAt: string, currency: string, source: string): Promise<boolean> {
    return this.national.hasSpend(asAt, currency, source);
  }

  /** Whether this figure from this source as of this date is recorded (the seed's natural key). */
  hasReportedFigure(key: ReportedFigureEntity['key'], asOf: string, source: string): Promise<boolean> {
    return this.national.hasReportedFigure(key, asOf, source);
  }

  async addReportedFigure(actor: Actor, dto: CreateReportedFigureDto, idem: IdempotencyContext | null) {
    if (SHARE_KEYS.has(dto.key)) {
      if (dto.currency !== undefined) throw InvalidInputError.field('currency', `${dto.key} is a share and has no currency`);
      if (!isValidRate(dto.value) || Number(dto.value.split('.')[0]) >= 1)
        throw InvalidInputError.field('value', `${dto.key} is a fraction between 0 and 1, such as "0.048"`);
    } else {
      if (dto.currency === undefined) throw InvalidInputError.field('currency', `${dto.key} is an amount and needs a currency`);
      parseAmount(dto.value, dto.currency, 'value');
    }
    return this.idempotency.create(idem, async (tx) => {
      const saved = await this.national.insertReportedFigure(tx, {
        organisationId: organisationOf(actor),
        key: dto.key,
        value: dto.value,
        currency: dto.currency ?? null,
        asOf: dto.asOf,
        source: dto.source,
        sourcePage: dto.sourcePage ?? null,
        notes: dto.notes ?? null,
        createdBy: actor.id || null,
      });
      const view = toReportedView(saved);
      await this.audit.record(tx, actor, { action: 'reported_figure.create', entityType: 'reported_figure', entityId: saved.id, after: view });
      return view;
    });
  }

  /** The actor's organisation's observations of its government's spend. */
  async listSpend(actor: Actor, page: PageRequest) {
    const rows = await this.national.spendPage(organisationOf(actor), page.afterId, page.limit);
    return toPage(rows, page, toSpendView);
  }

  /** The actor's organisation's reported figures. */
  async listReported(actor: Actor, page: PageRequest) {
    const rows = await this.national.reportedFiguresPage(organisationOf(actor), page.afterId, page.limit);
    return toPage(rows, page, toReportedView);
  }
}
