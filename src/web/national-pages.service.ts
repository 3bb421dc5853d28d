import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import type { FieldProblem } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { CreateGovernmentSpendDto, CreateReportedFigureDto } from '../national/dto';
import { REPORTED_FIGURE_KEYS, SPEND_BASES } from '../national/national.entity';
import { NationalService } from '../national/national.service';
import { longDate } from './calendar-pages.service';
import { errorsByField, withFieldIds } from './form-errors';
import { submitRecordForm } from './form-submit';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

export const REPORTED_KEY_LABELS: Record<(typeof REPORTED_FIGURE_KEYS)[number], string> = {
  foreign_assistance_total: 'Foreign assistance received, total',
  foreign_assistance_pledged: 'Foreign assistance pledged, total',
  foreign_share: 'Foreign share of all funds',
  government_spend_total: 'Government funding, total',
};

type FormName = 'spend' | 'reported';

/** The national picture's inputs: the government's own money and the headline figures documents state, each with its source. */
@Injectable()
export class NationalPagesService {
  constructor(private readonly national: NationalService) {}

  async page(actor: Actor, open: { form: FormName; values: Record<string, string>; problems: FieldProblem[] } | null = null, flash: string | null = null) {
    const [spend, reported] = await Promise.all([
      this.national.listSpend(actor, parsePageRequest('500', undefined)),
      this.national.listReported(actor, parsePageRequest('500', undefined)),
    ]);
    const problems = open?.problems ?? [];
    return {
      title: 'National figures',
      flash: flash ? { kind: 'success', message: flash } : null,
      spend: spend.items.map((s) => ({ ...s, asAtText: longDate(s.asAt), periodStartText: s.periodStart ? longDate(s.periodStart) : null })),
      reported: reported.items.map((r) => ({ ...r, label: REPORTED_KEY_LABELS[r.key], asOfText: longDate(r.asOf), isShare: r.currency === null })),
      canRecord: actor.role === 'admin' || actor.role === 'officer',
      bases: SPEND_BASES,
      keys: REPORTED_FIGURE_KEYS.map((k) => ({ value: k, label: REPORTED_KEY_LABELS[k] })),
      openForm: open?.form ?? null,
      spendForm:
        open?.form === 'spend'
          ? open.values
          : { amount: '', currency: 'AZN', asAt: '', basis: 'allocated', periodStart: '', source: '', sourcePage: '', notes: '', idempotencyKey: randomUUID() },
      reportedForm:
        open?.form === 'reported'
          ? open.values
          : { key: 'foreign_assistance_total', value: '', currency: '', asOf: '', source: '', sourcePage: '', notes: '', idempotencyKey: randomUUID() },
      errors: { spend: open?.form === 'spend' ? errorsByField(problems) : {}, reported: open?.form === 'reported' ? errorsByField(problems) : {} },
      // Both forms name some fields alike (currency, source): the summary links to the open form's input.
      errorList: withFieldIds(problems).map((p) => ({ ...p, fieldId: `${open?.form}-${p.field}` })),
    };
  }

  async addSpend(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = {
      amount: single(body.amount, 40).trim().replace(/,/g, ''),
      currency: single(body.currency, 3).trim().toUpperCase(),
      asAt: single(body.asAt, 10),
      basis: single(body.basis, 16),
      periodStart: single(body.periodStart, 10),
      source: single(body.source, 1001).trim(),
      sourcePage: single(body.sourcePage, 201).trim(),
      notes: single(body.notes, 4001).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const request = {
      amount: values.amount,
      currency: values.currency,
      asAt: values.asAt,
      basis: values.basis,
      periodStart: values.periodStart || null,
      source: values.source,
      sourcePage: values.sourcePage || null,
      notes: values.notes || null,
    };
    return this.save(actor, 'spend', values, CreateGovernmentSpendDto, request, (idem) =>
      this.national.addSpend(actor, request as CreateGovernmentSpendDto, idem),
    );
  }

  async addReported(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = {
      key: single(body.key, 40),
      value: single(body.value, 40).trim().replace(/,/g, ''),
      currency: single(body.currency, 3).trim().toUpperCase(),
      asOf: single(body.asOf, 10),
      source: single(body.source, 1001).trim(),
      sourcePage: single(body.sourcePage, 201).trim(),
      notes: single(body.notes, 4001).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const request = {
      key: values.key,
      value: values.value,
      ...(values.currency ? { currency: values.currency } : {}),
      asOf: values.asOf,
      source: values.source,
      sourcePage: values.sourcePage || null,
      notes: values.notes || null,
    };
    return this.save(actor, 'reported', values, CreateReportedFigureDto, request, (idem) =>
      this.national.addReportedFigure(actor, request as CreateReportedFigureDto, idem),
    );
  }

  private async save<T extends object>(
    actor: Actor,
    form: FormName,
    values: Record<string, string>,
    dto: new () => T,
    request: Record<string, unknown>,
    work: (idem: IdempotencyContext | null) => Promise<unknown>,
  ): Promise<FormOutcome> {
    const result = await submitRecordForm({ actor, route: `POST /national/${form}`, idempotencyKey: values.idempotencyKey, dto, request, work });
    if (result.ok) return { redirectTo: `/national?saved=${form}` };
    return { status: result.status, view: 'national', page: await this.page(actor, { form, values, problems: result.problems }) };
  }
}
