import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { todayUtc } from '../common/dates';
import { DomainError, FieldProblem, InvalidInputError } from '../common/errors/domain-errors';
import type { FormUpload } from '../common/http/upload-body';
import { CreateFxRateDto } from '../fx/dto';
import { FxService } from '../fx/fx.service';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { StagingService } from '../staging/staging.service';
import { dtoProblems } from './dto-problems';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { ratesPageModel } from './rates-page';
import { single } from './form-fields';

type RatesForm = 'upload' | 'rate';

/** `/rates`: coverage per pair, an ECB file uploaded with a preview before it is applied, and a single rate typed in. */
@Injectable()
export class RatesPagesService {
  constructor(
    private readonly fx: FxService,
    private readonly staging: StagingService,
  ) {}

  async page(actor: Actor, opts: { flash?: string | null; open?: RatesForm; values?: Record<string, string>; problems?: FieldProblem[] } = {}) {
    const problems = opts.problems ?? [];
    return {
      ...ratesPageModel(await this.fx.coverage(), todayUtc()),
      flash: opts.flash ? { kind: 'success', message: opts.flash } : null,
      canRecord: actor.role === 'admin' || actor.role === 'officer',
      openForm: opts.open ?? null,
      rateForm: opts.open === 'rate' && opts.values ? opts.values : { base: 'USD', quote: 'AZN', rate: '', date: '', source: '', idempotencyKey: randomUUID() },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems).map((p) => ({ ...p, fieldId: p.field === 'file' ? 'file' : `rate-${p.field}` })),
    };
  }

  /** Stages the uploaded file and shows what it would add; nothing is imported yet. */
  async preview(actor: Actor, upload: () => Promise<FormUpload>): Promise<FormOutcome> {
    try {
      const form = await upload();
      if (!form.text.trim()) throw InvalidInputError.field('file', 'Choose an ECB rates file (eurofxref-hist.csv or the daily file)');
      const preview = await this.fx.previewEcb(form.text);
      const id = await this.staging.stage(actor, 'ecb_rates', form.text, form.fileName);
      return { status: 200, view: 'rates/preview', page: { title: 'Check the rates file', id, fileName: form.fileName, preview } };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const problems = [{ field: 'file', message: error.details[0]?.field.startsWith('line') ? `${error.details[0].field}: ${error.message}` : error.message }];
      return { status: error.status, view: 'rates', page: await this.page(actor, { open: 'upload', problems }) };
    }
  }

  async apply(actor: Actor, id: string): Promise<FormOutcome> {
    try {
      const upload = await this.staging.take(actor, 'ecb_rates', id);
      const result = await this.fx.importEcb(actor, upload.content);
      return { redirectTo: `/rates?imported=${result.imported}&skipped=${result.skipped}` };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { status: error.status, view: 'rates', page: await this.page(actor, { open: 'upload', problems: [{ field: 'file', message: error.message }] }) };
    }
  }

  async addRate(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = {
      base: single(body.base, 3).trim().toUpperCase(),
      quote: single(body.quote, 3).trim().toUpperCase(),
      rate: single(body.rate, 40).trim(),
      date: single(body.date, 10),
      source: single(body.source, 201).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const request = { base: values.base, quote: values.quote, rate: values.rate, date: values.date, source: values.source };
    const { problems } = await dtoProblems(CreateFxRateDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await this.fx.addRate(actor, request, idempotencyContext(actor, values.idempotencyKey, 'POST /rates/add', request));
        return { redirectTo: `/rates?added=${encodeURIComponent(`${values.base}/${values.quote}`)}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'rate', message: error.message }]));
      }
    }
    return { status, view: 'rates', page: await this.page(actor, { open: 'rate', values, problems }) };
  }
}
