import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { NotFoundError } from '../common/errors/domain-errors';
import { formatAmount, MoneyJson, parseAmount } from '../common/money/money';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { PrioritiesRepository } from './priorities.repository';
import { isPriorityCode } from './priority-code';
import type { PriorityEntity } from './priority.entity';

export interface PriorityView {
  code: string;
  rank: number;
  title: string;
  description: string;
  target: MoneyJson | null;
  source: string | null;
}

export function toPriorityView(p: PriorityEntity): PriorityView {
  return {
    code: p.code,
    rank: p.rank,
    title: p.title,
    description: p.description,
    target: p.targetMinor !== null && p.targetCurrency ? { amount: formatAmount(p.targetMinor, p.targetCurrency), currency: p.targetCurrency } : null,
    source: p.source,
  };
}

/** The twelve priorities are fixed by the report; only their funding targets change. */
@Injectable()
export class PrioritiesService {
  private readonly knownCodes = new Set<string>();

  constructor(
    private readonly priorities: PrioritiesRepository,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** Every priority in the report's order, with its target as stored (minor units), for the funding engine. */
  ranked(): Promise<PriorityEntity[]> {
    return this.priorities.allByRank();
  }

  /** Every stored priority code (an import checks its earmarks against them). */
  async codes(): Promise<Set<string>> {
    return new Set((await this.priorities.allByRank()).map((p) => p.code));
  }

  /** True when no priority is stored yet: a brand-new database. */
  isEmpty(): Promise<boolean> {
    return this.priorities.isEmpty();
  }

  /** Adds the priority unless one with its code is stored; says whether it did (the seed's natural key). */
  insertIfMissing(tx: Transaction, priority: PriorityEntity): Promise<boolean> {
    return this.priorities.insertIfMissing(tx, priority);
  }

  async list(): Promise<PriorityView[]> {
    const rows = await this.priorities.allByRank();
    return rows.map(toPriorityView);
  }

  /**
   * Which of these codes exist. Priorities are never deleted, so a code once seen is remembered;
   * only codes not seen yet cost a query (a pledge form checks its earmarks on every submit).
   */
  async existingCodes(codes: string[]): Promise<Set<string>> {
    if (codes.every((c) => this.knownCodes.has(c))) return new Set(codes);
    const found = await this.priorities.existingCodes(codes);
    for (const code of found) this.knownCodes.add(code);
    return new Set(found);
  }

  async setTarget(actor: Actor, code: string, target: MoneyJson | null): Promise<PriorityView> {
    if (!isPriorityCode(code)) throw new NotFoundError('Priority', code);
    const parsed = target ? parseAmount(target.amount, target.currency, 'target.amount') : null;
    return this.uow.transaction(async (tx) => {
      const priority = await this.priorities.findForUpdate(tx, code);
      if (!priority) throw new NotFoundError('Priority', code);
      const before = toPriorityView(priority);
      priority.targetMinor = parsed ? parsed.minor : null;
      priority.targetCurrency = parsed ? parsed.currency : null;
      await this.priorities.update(tx, priority);
      const after = toPriorityView(priority);
      await this.audit.record(tx, actor, { action: 'priority.set_target', entityType: 'priority', entityId: code, before, after });
      return after;
    });
  }
}
