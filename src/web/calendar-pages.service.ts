import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { DomainError, FieldProblem } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import { parseIdText } from '../common/ids';
import { todayUtc } from '../common/dates';
import { DonorsService } from '../donors/donors.service';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { CreateObligationDto, SubmitObligationDto, WaiveObligationDto } from '../obligations/dto';
import { OBLIGATION_KINDS } from '../obligations/obligation.entity';
import { OBLIGATION_KIND_LABELS, weekStart } from '../obligations/obligation-rules';
import { CALENDAR_KIND_LABELS, CALENDAR_KINDS, ObligationsService, type CalendarEntry, type CalendarQuery } from '../obligations/obligations.service';
import { PledgesService } from '../pledges/pledges.service';
import { dtoProblems } from './dto-problems';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "7 December 2026" */
export function longDate(date: string): string {
  return LONG_DATE.format(new Date(`${date}T00:00:00Z`));
}

const STATE_LABELS = {
  open: 'Open',
  submitted: 'Submitted',
  waived: 'Waived',
  received: 'Received',
  partly_received: 'Partly received',
  due: 'Due',
  overdue: 'Overdue',
  cancelled: 'Not expected',
} as const;

/** The calendar of what is owed and due, and the obligation screens. */
@Injectable()
export class CalendarPagesService {
  constructor(
    private readonly obligations: ObligationsService,
    private readonly donors: DonorsService,
    private readonly pledges: PledgesService,
  ) {}

  async calendarPage(actor: Actor, query: CalendarQuery & Record<string, unknown>, feedUrl: string | null = null) {
    const calendar = await this.obligations.calendar(actor, query);
    const donors = await this.donors.list(actor, parsePageRequest('500', undefined));
    const entry = (e: CalendarEntry) => ({
      ...e,
      dueOnText: longDate(e.dueOn),
      stateLabel: STATE_LABELS[e.state],
      recordHref: e.type === 'obligation' ? `/obligations/${e.id}` : e.href,
      quiet: e.state === 'open' || e.state === 'due',
    });
    const weeks = new Map<string, ReturnType<typeof entry>[]>();
    for (const e of calendar.entries.filter((x) => !x.overdue)) {
      const week = weekStart(e.dueOn);
      weeks.set(week, [...(weeks.get(week) ?? []), entry(e)]);
    }
    return {
      title: 'Calendar',
      today: longDate(calendar.today),
      window: { from: longDate(calendar.from), to: longDate(calendar.to) },
      filters: { donorId: calendar.donorId ? String(calendar.donorId) : '', kind: calendar.kind ?? '' },
      donors: donors.items.map((d) => ({ id: String(d.id), name: d.name })),
      kinds: CALENDAR_KINDS.map((k) => ({ value: k, label: CALENDAR_KIND_LABELS[k] })),
      overdue: calendar.entries.filter((e) => e.overdue).map(entry),
      weeks: [...weeks].map(([start, entries]) => ({ label: `Week of ${longDate(start)}`, entries })),
      canRecord: actor.role === 'admin' || actor.role === 'officer',
      feedUrl,
    };
  }

  async rotateFeed(actor: Actor) {
    const { url } = await this.obligations.rotateFeedKey(actor);
    return this.calendarPage(actor, {}, url);
  }

  async newObligationPage(actor: Actor, pledgeIdText: unknown, form: Record<string, string> | null = null, problems: FieldProblem[] = []) {
    // The newest 200 pledges to choose from; the pledge page's link preselects any other.
    const pledges = await this.pledges.list(actor, { newestFirst: true }, parsePageRequest('200', undefined), null);
    return {
      title: 'Record an obligation',
      pledges: pledges.items.map((p) => ({ id: String(p.id), label: `${p.donorName}: ${p.title}` })),
      kinds: OBLIGATION_KINDS.map((k) => ({ value: k, label: OBLIGATION_KIND_LABELS[k] })),
      form: form ?? { pledgeId: single(pledgeIdText, 12), kind: 'narrative_report', title: '', dueOn: '', responsible: '', idempotencyKey: randomUUID() },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async createObligation(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = {
      pledgeId: single(body.pledgeId, 12),
      kind: single(body.kind, 24),
      title: single(body.title, 201).trim(),
      dueOn: single(body.dueOn, 10),
      responsible: single(body.responsible, 201).trim(),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const pledgeId = parseIdText(form.pledgeId);
    const request = { pledgeId: pledgeId ?? form.pledgeId, kind: form.kind, title: form.title, dueOn: form.dueOn, responsible: form.responsible || null };
    const { problems } = await dtoProblems(CreateObligationDto, request);
    let status = 400;
    if (!problems.length) {
      try {
        const idem = idempotencyContext(actor, form.idempotencyKey, 'POST /obligations/new', request);
        const created = await this.obligations.create(actor, request as CreateObligationDto, idem);
        return { redirectTo: `/obligations/${created.body.id}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'pledgeId', message: error.message }]));
      }
    }
    return { status, view: 'obligations/new', page: await this.newObligationPage(actor, form.pledgeId, form, problems) };
  }

  async obligationPage(actor: Actor, id: number, problems: FieldProblem[] = [], form: Record<string, string> | null = null) {
    const o = await this.obligations.get(actor, id);
    const pledge = await this.pledges.get(actor, o.pledgeId, 'USD');
    return {
      title: o.title,
      obligation: { ...o, kindLabel: OBLIGATION_KIND_LABELS[o.kind], stateLabel: STATE_LABELS[o.state], dueOnText: longDate(o.dueOn) },
      pledge: { id: pledge.id, title: pledge.title, donorName: pledge.donorName },
      canChange: o.state === 'open' && (actor.role === 'admin' || actor.role === 'officer'),
      form: form ?? { submittedOn: todayUtc(), reason: '' },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async submitObligation(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = { submittedOn: single(body.submittedOn, 10), reason: '' };
    return this.closeObligation(actor, id, form, SubmitObligationDto, { submittedOn: form.submittedOn }, () =>
      this.obligations.submit(actor, id, form.submittedOn),
    );
  }

  async waiveObligation(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = { submittedOn: todayUtc(), reason: single(body.reason, 1001).trim() };
    return this.closeObligation(actor, id, form, WaiveObligationDto, { reason: form.reason }, () => this.obligations.waive(actor, id, form.reason));
  }

  private async closeObligation<T extends object>(
    actor: Actor,
    id: number,
    form: Record<string, string>,
    dto: new () => T,
    request: Record<string, unknown>,
    work: () => Promise<unknown>,
  ): Promise<FormOutcome> {
    const { problems } = await dtoProblems(dto, request);
    let status = 400;
    if (!problems.length) {
      try {
        await work();
        return { redirectTo: `/obligations/${id}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'state', message: error.message }]));
      }
    }
    return { status, view: 'obligations/show', page: await this.obligationPage(actor, id, problems, form) };
  }
}
