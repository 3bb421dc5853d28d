import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { todayUtc } from '../common/dates';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import { formatAmount, MoneyJson, parseAmount } from '../common/money/money';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import type { AddTargetDto } from './dto';
import { PrioritiesRepository } from './priorities.repository';
import { isPriorityCode } from './priority-code';
import type { PriorityEntity, PriorityTargetEntity, TargetBasis } from './priority.entity';

export interface TargetView {
  id: number;
  /** Null: this setting cleared the target. */
  target: MoneyJson | null;
  periodStart: string | null;
  periodEnd: string | null;
  basis: TargetBasis;
  source: string | null;
  sourcePage: string | null;
  setBy: number;
  setAt: string;
}

export interface PriorityView {
  code: string;
  rank: number;
  title: string;
  description: string;
  /** The target in force today (or at the date asked), null without one. */
  target: MoneyJson | null;
  /** Where that target comes from; null without a target. */
  targetSource: Pick<TargetView, 'basis' | 'source' | 'sourcePage' | 'periodStart' | 'periodEnd'> | null;
  source: string | null;
}

/** A priority and the minor units of its target in force, for the funding engine. */
export interface PriorityTargetRow {
  code: string;
  rank: number;
  title: string;
  targetMinor: bigint | null;
  targetCurrency: string | null;
}

/** The words that mark a target as ANAMA's own estimate rather than a document's figure. */
export const ANAMA_ESTIMATE = 'ANAMA estimate';

function money(t: PriorityTargetEntity): MoneyJson | null {
  return t.amountMinor !== null && t.currency ? { amount: formatAmount(t.amountMinor, t.currency), currency: t.currency } : null;
}

export function toTargetView(t: PriorityTargetEntity): TargetView {
  return {
    id: t.id,
    target: money(t),
    periodStart: t.periodStart,
    periodEnd: t.periodEnd,
    basis: t.basis,
    source: t.source,
    sourcePage: t.sourcePage,
    setBy: t.setBy,
    setAt: new Date(t.createdAt).toISOString(),
  };
}

function toPriorityView(p: PriorityEntity, inForce: PriorityTargetEntity | undefined): PriorityView {
  const target = inForce ? money(inForce) : null;
  return {
    code: p.code,
    rank: p.rank,
    title: p.title,
    description: p.description,
    target,
    targetSource:
      target && inForce
        ? { basis: inForce.basis, source: inForce.source, sourcePage: inForce.sourcePage, periodStart: inForce.periodStart, periodEnd: inForce.periodEnd }
        : null,
    source: p.source,
  };
}

/**
 * The twelve priorities are fixed by the report; their funding targets are a history. Each setting
 * is a row (for a period or open-ended, any currency, with its source or "ANAMA estimate", and
 * who set it); the target at a date is the latest recorded setting in force then.
 */
@Injectable()
export class PrioritiesService {
  private readonly knownCodes = new Set<string>();

  constructor(
    private readonly priorities: PrioritiesRepository,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** The organisation's priority codes (an import checks its earmarks against them). */
  async codes(organisationId: number): Promise<Set<string>> {
    return new Set(await this.priorities.codesOf(organisationId));
  }

  /** True when no priority is stored yet: a brand-new database. */
  isEmpty(): Promise<boolean> {
    return this.priorities.isEmpty();
  }

  /** Adds the priority unless one with its code is stored; says whether it did (the seed's natural key). */
  insertIfMissing(tx: Transaction, priority: PriorityEntity): Promise<boolean> {
    return this.priorities.insertIfMissing(tx, priority);
  }

  /** The actor's organisation's list, with each priority's target in force on `asOf`. */
  async list(actor: Actor, asOf: string = todayUtc()): Promise<PriorityView[]> {
    const organisationId = organisationOf(actor);
    const [rows, targets] = await Promise.all([this.priorities.allByRank(organisationId), this.inForce(organisationId, asOf)]);
    return rows.map((p) => toPriorityView(p, targets.get(`${p.organisationId}:${p.code}`)));
  }

  async get(actor: Actor, code: string, asOf: string = todayUtc()): Promise<PriorityView & { history: TargetView[] }> {
    const priority = (await this.list(actor, asOf)).find((p) => p.code === code);
    if (!priority) throw new NotFoundError('Priority', code);
    return { ...priority, history: (await this.priorities.targetHistory(organisationOf(actor), code)).map(toTargetView) };
  }

  /** The priorities in the report's order with the target in force on `asOf`: what the funding engine measures against. */
  async withTargetsAt(asOf: string, knownOn?: string): Promise<PriorityTargetRow[]> {
    // Every organisation's, until the funding engine is scoped (docs/organisations.md); a target is its own priority's.
    const [rows, targets] = await Promise.all([this.priorities.allByRank(null), this.inForce(null, asOf, knownOn)]);
    return rows.map((p) => {
      const t = targets.get(`${p.organisationId}:${p.code}`);
      return { code: p.code, rank: p.rank, title: p.title, targetMinor: t?.amountMinor ?? null, targetCurrency: t?.amountMinor != null ? t.currency : null };
    });
  }

  /** The targets in force, by `organisation:code`. */
  private async inForce(organisationId: number | null, asOf: string, knownOn?: string): Promise<Map<string, PriorityTargetEntity>> {
    return new Map((await this.priorities.targetsInForce(organisationId, asOf, knownOn)).map((t) => [`${t.organisationId}:${t.priorityCode}`, t]));
  }

  /**
   * Which of these codes exist. Priorities are never deleted, so a code once seen is remembered;
   * only codes not seen yet cost a query (a pledge form checks its earmarks on every submit).
   */
  async existingCodes(organisationId: number, codes: string[]): Promise<Set<string>> {
    if (codes.every((c) => this.knownCodes.has(`${organisationId}:${c}`))) return new Set(codes);
    const found = await this.priorities.existingCodes(organisationId, codes);
    for (const code of found) this.knownCodes.add(`${organisationId}:${code}`);
    return new Set(found);
  }

  /** Version 1's PATCH: an open-ended target without a stated source, or null to clear it. */
  async setTarget(actor: Actor, code: string, target: MoneyJson | null): Promise<PriorityView> {
    const parsed = target ? parseAmount(target.amount, target.currency, 'target.amount') : null;
    await this.record(actor, code, {
      organisationId: organisationOf(actor),
      amountMinor: parsed ? parsed.minor : null,
      currency: parsed ? parsed.currency : null,
      periodStart: null,
      periodEnd: null,
      basis: 'not_recorded',
      source: null,
      sourcePage: null,
    });
    return this.get(actor, code).then(({ history: _history, ...view }) => view);
  }

  /** A need for one priority, for a period or open-ended, with its source; returns the new setting. */
  async addTarget(actor: Actor, code: string, dto: AddTargetDto): Promise<TargetView> {
    const parsed = parseAmount(dto.amount, dto.currency, 'amount');
    if (parsed.minor <= 0n) throw InvalidInputError.field('amount', 'amount must be more than 0');
    const periodStart = dto.periodStart ?? null;
    const periodEnd = dto.periodEnd ?? null;
    if (periodStart && periodEnd && periodEnd < periodStart) throw InvalidInputError.field('periodEnd', 'periodEnd must be on or after periodStart');
    const estimate = dto.source.trim().toLowerCase() === ANAMA_ESTIMATE.toLowerCase();
    return this.record(actor, code, {
      organisationId: organisationOf(actor),
      amountMinor: parsed.minor,
      currency: parsed.currency,
      periodStart,
      periodEnd,
      basis: estimate ? 'anama_estimate' : 'document',
      source: estimate ? ANAMA_ESTIMATE : dto.source.trim(),
      sourcePage: estimate ? null : (dto.sourcePage ?? null),
    });
  }

  private async record(actor: Actor, code: string, target: Omit<PriorityTargetEntity, 'id' | 'createdAt' | 'priorityCode' | 'setBy'>): Promise<TargetView> {
    if (!isPriorityCode(code) || !(await this.existingCodes(organisationOf(actor), [code])).has(code)) throw new NotFoundError('Priority', code);
    return this.uow.transaction(async (tx) => {
      const row = await this.priorities.insertTarget(tx, { ...target, priorityCode: code, setBy: actor.id });
      const view = toTargetView(row);
      await this.audit.record(tx, actor, { action: 'priority.set_target', entityType: 'priority', entityId: code, after: view });
      return view;
    });
  }
}
