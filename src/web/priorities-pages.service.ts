import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { UsersService } from '../auth/users.service';
import { DomainError, FieldProblem } from '../common/errors/domain-errors';
import { AddTargetDto } from '../priorities/dto';
import { ANAMA_ESTIMATE, PrioritiesService, type TargetView } from '../priorities/priorities.service';
import { dtoProblems } from './dto-problems';
import { longDate } from './calendar-pages.service';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

const BASIS_LABELS = { document: 'Document', anama_estimate: 'ANAMA estimate', not_recorded: 'Source not recorded' } as const;

function periodText(t: Pick<TargetView, 'periodStart' | 'periodEnd'>): string {
  if (t.periodStart && t.periodEnd) return `${longDate(t.periodStart)} to ${longDate(t.periodEnd)}`;
  if (t.periodStart) return `from ${longDate(t.periodStart)}`;
  if (t.periodEnd) return `until ${longDate(t.periodEnd)}`;
  return 'no end date';
}

/** The priorities and their targets: what the funding-gap page measures pledges against. */
@Injectable()
export class PrioritiesPagesService {
  constructor(
    private readonly priorities: PrioritiesService,
    private readonly users: UsersService,
  ) {}

  async listPage(actor: Actor) {
    const rows = await this.priorities.list(actor);
    return {
      title: 'Priorities and targets',
      priorities: rows.map((p) => ({
        ...p,
        href: `/priorities/${p.code}`,
        sourceText: p.targetSource ? this.sourceText(p.targetSource) : null,
        periodText: p.targetSource ? periodText(p.targetSource) : null,
      })),
      canSet: actor.role === 'admin' || actor.role === 'leadership',
    };
  }

  async priorityPage(actor: Actor, code: string, form: Record<string, string> | null = null, problems: FieldProblem[] = []) {
    const priority = await this.priorities.get(actor, code);
    const emails = new Map<number, string>();
    for (const id of new Set(priority.history.map((h) => h.setBy))) {
      emails.set(
        id,
        id === 0
          ? 'the system (upgrade)'
          : await this.users.get(actor, id).then(
              (u) => u.email,
              () => `user ${id}`,
            ),
      );
    }
    return {
      title: `${priority.rank}. ${priority.title}`,
      priority,
      history: priority.history.map((h) => ({
        ...h,
        periodText: periodText(h),
        sourceText: this.sourceText(h),
        setByText: emails.get(h.setBy),
        setAtText: longDate(h.setAt.slice(0, 10)),
      })),
      canSet: actor.role === 'admin' || actor.role === 'leadership',
      estimateWords: ANAMA_ESTIMATE,
      form: form ?? { amount: '', currency: 'USD', periodStart: '', periodEnd: '', source: '', sourcePage: '' },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async addTarget(actor: Actor, code: string, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = {
      amount: single(body.amount, 40).trim().replace(/,/g, ''),
      currency: single(body.currency, 3).trim().toUpperCase(),
      periodStart: single(body.periodStart, 10),
      periodEnd: single(body.periodEnd, 10),
      source: single(body.source, 1001).trim(),
      sourcePage: single(body.sourcePage, 41).trim(),
    };
    const request = {
      amount: form.amount,
      currency: form.currency,
      periodStart: form.periodStart || null,
      periodEnd: form.periodEnd || null,
      source: form.source,
      sourcePage: form.sourcePage || null,
    };
    const { problems } = await dtoProblems(AddTargetDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await this.priorities.addTarget(actor, code, request);
        return { redirectTo: `/priorities/${code}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'amount', message: error.message }]));
      }
    }
    return { status, view: 'priorities/show', page: await this.priorityPage(actor, code, form, problems) };
  }

  private sourceText(t: Pick<TargetView, 'basis' | 'source' | 'sourcePage'>): string {
    if (t.basis !== 'document') return BASIS_LABELS[t.basis];
    return [t.source, t.sourcePage].filter(Boolean).join(', ');
  }
}
