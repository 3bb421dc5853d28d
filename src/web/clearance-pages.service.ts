import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import type { FieldProblem } from '../common/errors/domain-errors';
import { ClearanceProgressService } from '../funding/clearance-progress.service';
import { clearanceByPeriod } from '../funding/clearance-summary';
import { CreateAreaFigureDto, CreateClearanceResultDto } from '../funding/dto';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { longDate } from './calendar-pages.service';
import { errorsByField, withFieldIds } from './form-errors';
import { submitRecordForm } from './form-submit';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

const METRIC_LABELS: Record<string, string> = { contaminated_area: 'Contaminated area (estimate)', cleared_to_date: 'Area cleared to date' };

type FormName = 'result' | 'area';

export const CLEARANCE_SAVED: Record<string, string> = {
  result: 'Clearance result recorded.',
  area: 'Area figure recorded: the projection on the funding-gap page uses the latest one at its date.',
};

/** `/clearance`: area cleared and items found by period, by district and operator where the source gives them, and the area figures the projection reads. */
@Injectable()
export class ClearancePagesService {
  constructor(private readonly clearance: ClearanceProgressService) {}

  async page(actor: Actor, open: { form: FormName; values: Record<string, string>; problems: FieldProblem[] } | null = null, flash: string | null = null) {
    const [results, figures] = await Promise.all([this.clearance.results(actor), this.clearance.areaFigures(actor)]);
    const problems = open?.problems ?? [];
    return {
      title: 'Clearance progress',
      flash: flash ? { kind: 'success', message: flash } : null,
      periods: clearanceByPeriod(results).map((p) => ({ ...p, label: `${longDate(p.periodStart)} to ${longDate(p.periodEnd)}` })),
      figures: figures.map((f) => ({
        ...f,
        label: METRIC_LABELS[f.metric] ?? f.metric,
        asOfText: longDate(f.asOf),
        periodStartText: f.periodStart ? longDate(f.periodStart) : null,
      })),
      canRecord: actor.role === 'admin' || actor.role === 'officer',
      metrics: Object.entries(METRIC_LABELS).map(([value, label]) => ({ value, label })),
      openForm: open?.form ?? null,
      resultForm:
        open?.form === 'result'
          ? open.values
          : {
              periodStart: '',
              periodEnd: '',
              district: '',
              operator: '',
              hectares: '',
              itemsFound: '',
              source: '',
              sourcePage: '',
              notes: '',
              idempotencyKey: randomUUID(),
            },
      areaForm:
        open?.form === 'area'
          ? open.values
          : { metric: 'contaminated_area', hectares: '', asOf: '', periodStart: '', source: '', sourcePage: '', notes: '', idempotencyKey: randomUUID() },
      errors: { result: open?.form === 'result' ? errorsByField(problems) : {}, area: open?.form === 'area' ? errorsByField(problems) : {} },
      errorList: withFieldIds(problems).map((p) => ({ ...p, fieldId: `${open?.form}-${p.field}` })),
    };
  }

  async addResult(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = {
      periodStart: single(body.periodStart, 10),
      periodEnd: single(body.periodEnd, 10),
      district: single(body.district, 81).trim(),
      operator: single(body.operator, 121).trim(),
      hectares: single(body.hectares, 30).trim().replace(/,/g, ''),
      itemsFound: single(body.itemsFound, 20).trim().replace(/,/g, ''),
      source: single(body.source, 1001).trim(),
      sourcePage: single(body.sourcePage, 201).trim(),
      notes: single(body.notes, 4001).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const request = {
      periodStart: values.periodStart,
      periodEnd: values.periodEnd,
      district: values.district || null,
      operator: values.operator || null,
      hectares: values.hectares || null,
      itemsFound: values.itemsFound === '' ? null : /^[0-9]{1,10}$/.test(values.itemsFound) ? Number(values.itemsFound) : values.itemsFound,
      source: values.source,
      sourcePage: values.sourcePage || null,
      notes: values.notes || null,
    };
    return this.save(actor, 'result', values, CreateClearanceResultDto, request, (idem) =>
      this.clearance.addResult(actor, request as CreateClearanceResultDto, idem),
    );
  }

  async addAreaFigure(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = {
      metric: single(body.metric, 40),
      hectares: single(body.hectares, 30).trim().replace(/,/g, ''),
      asOf: single(body.asOf, 10),
      periodStart: single(body.periodStart, 10),
      source: single(body.source, 1001).trim(),
      sourcePage: single(body.sourcePage, 201).trim(),
      notes: single(body.notes, 4001).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const request = {
      metric: values.metric,
      hectares: values.hectares,
      asOf: values.asOf,
      periodStart: values.periodStart || null,
      source: values.source,
      sourcePage: values.sourcePage || null,
      notes: values.notes || null,
    };
    return this.save(actor, 'area', values, CreateAreaFigureDto, request, (idem) => this.clearance.addAreaFigure(actor, request as CreateAreaFigureDto, idem));
  }

  private async save<T extends object>(
    actor: Actor,
    form: FormName,
    values: Record<string, string>,
    dto: new () => T,
    request: Record<string, unknown>,
    work: (idem: IdempotencyContext | null) => Promise<unknown>,
  ): Promise<FormOutcome> {
    const result = await submitRecordForm({ actor, route: `POST /clearance/${form}`, idempotencyKey: values.idempotencyKey, dto, request, work });
    if (result.ok) return { redirectTo: `/clearance?saved=${form}` };
    return { status: result.status, view: 'clearance', page: await this.page(actor, { form, values, problems: result.problems }) };
  }
}
