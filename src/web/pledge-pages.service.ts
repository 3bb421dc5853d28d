import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { WRITE_LEDGER } from '../access/roles';
import { isIsoDate, todayUtc } from '../common/dates';
import { DomainError, FieldProblem, NotFoundError } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import { CURRENCY_CODES } from '../common/money/iso4217';
import { MoneyFormatError } from '../common/money/money';
import { DonorsService } from '../donors/donors.service';
import { displayCurrencyOf, FundingGapService } from '../funding/funding-gap.service';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { PLEDGE_STATUSES } from '../ledger/fulfilment';
import { CancelPledgeDto, CreateDisbursementDto, CreateInstalmentDto, CreatePledgeDto, UpdatePledgeDto } from '../pledges/dto';
import { PledgeInstalmentsService } from '../pledges/instalments.service';
import type { InstalmentState } from '../ledger/instalment-rules';
import { CHANNELS } from '../ledger/pledge.entity';
import { parsePledgeListQuery, PledgeListQuery } from '../pledges/pledge-query';
import { PledgesService, PledgeView, REPORTING_CURRENCY } from '../pledges/pledges.service';
import { PrioritiesService } from '../priorities/priorities.service';
import {
  DisbursementFormValues,
  disbursementRequestFrom,
  amountProblem,
  formFieldOf,
  normaliseAmount,
  PledgeEditFormValues,
  pledgeEditRequestFrom,
  PledgeFormValues,
  pledgeRequestFrom,
  readDisbursementForm,
  readPledgeEditForm,
  readPledgeForm,
} from './pledge-form';
import { csvLine } from '../common/csv';
import { actionLabel, describeChanges } from './audit-labels';
import { errorsByField, withFieldIds } from './form-errors';
import { dtoProblems } from './dto-problems';
import { safeHref } from './safe-url';
import { NO_DONOR, visibleDonorFilter } from '../access/donor-visibility';
import { pledgeStatusFilterLabel, pledgeStatusLabel } from '../common/presentation/pledge-labels';
import { signOfDecimal } from '../common/presentation/format';

/** The currencies offered first in every currency list; any other ISO code follows. */
const COMMON_CURRENCIES = ['USD', 'EUR', 'AZN', 'GBP', 'SAR', 'AED', 'JPY', 'CHF', 'TRY', 'NOK', 'SEK', 'DKK', 'CAD', 'AUD', 'KRW', 'CNY'];
export const CURRENCY_CHOICES = [...COMMON_CURRENCIES, ...CURRENCY_CODES.filter((c) => !COMMON_CURRENCIES.includes(c))];

const CHANNEL_LABELS: Record<string, string> = { direct: 'Direct to ANAMA', un_agency: 'Through a UN agency', ngo: 'Through an NGO', other: 'Other' };
/** The channel choices of the pledge forms; the empty value records that the source does not say. */
const CHANNEL_CHOICES = [{ value: '', label: 'Not stated in the source' }, ...CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }))];

/** What is known of the balance, in words: the reason it is outstanding, or the promised date when there is one. */
function receiptLabel(p: Pick<PledgeView, 'receiptStatus' | 'receiptExpectation' | 'receiptDueOn'>): string {
  const promised = p.receiptDueOn ? ` (promised by ${p.receiptDueOn})` : '';
  switch (p.receiptStatus) {
    case 'received':
      return 'Received';
    case 'cancelled':
      return 'Cancelled';
    case 'outstanding':
      return p.receiptExpectation === 'owed' ? `Owed${promised}` : `Outstanding since ${p.receiptDueOn}`;
    case 'not_documented':
      return `Receipt not documented${promised}`;
  }
}

/** A page re-rendered with what went wrong, or the place to go next. */
export type FormOutcome = { redirectTo: string } | { status: number; view: string; page: Record<string, unknown> };

/** API field names that the services' messages mention, as the forms label them. */
const FORM_WORDS: ReadonlyArray<[RegExp, string]> = [[/\bgive overDisbursementReason\b/g, 'fill in "Reason, if more than the balance still to receive"']];

/** A message written for API clients, in the words of the form the person is looking at. */
function inFormWords(message: string): string {
  return FORM_WORDS.reduce((text, [api, form]) => text.replace(api, form), message);
}

/** A refused write as field problems beside the form's inputs, with the HTTP status the API would give. */
function refusal(error: unknown): { status: number; problems: FieldProblem[] } {
  if (error instanceof MoneyFormatError) return { status: 400, problems: [{ field: formFieldOf(error.field), message: inFormWords(error.message) }] };
  if (error instanceof DomainError && !(error instanceof NotFoundError)) {
    const details = error.details.length ? error.details : [{ field: 'form', message: error.message }];
    return { status: error.status, problems: details.map((d) => ({ field: formFieldOf(d.field), message: inFormWords(d.message) })) };
  }
  throw error;
}

/** The instalment form's inputs, named apart from the disbursement form's on the same page. */
const INSTALMENT_FIELDS: Readonly<Record<string, string>> = {
  pledge: 'form',
  dueOn: 'instalmentDueOn',
  amount: 'instalmentAmount',
  quantity: 'instalmentQuantity',
};

export interface InstalmentFormValues {
  dueOn: string;
  amount: string;
  quantity: string;
  idempotencyKey: string;
}

const INSTALMENT_STATE_LABELS: Record<InstalmentState, string> = {
  received: 'Received',
  partly_received: 'Partly received',
  due: 'Due',
  overdue: 'Overdue',
  cancelled: 'Not expected (pledge cancelled)',
};

function formErrors(problems: FieldProblem[]) {
  return { errors: errorsByField(problems), errorList: withFieldIds(problems) };
}

/** View models for the pledge screens; every figure comes from PledgesService, formatted by the templates' helpers. */
/** Rows per query when the list is downloaded as CSV. */
const CSV_PAGE = 500;

@Injectable()
export class PledgePagesService {
  constructor(
    private readonly pledges: PledgesService,
    private readonly donors: DonorsService,
    private readonly priorities: PrioritiesService,
    private readonly funding: FundingGapService,
    private readonly instalments: PledgeInstalmentsService,
  ) {}

  /**
   * The list's total, from the funding engine with the list's own filter, so it equals the
   * funding-gap page's itemised figure for the same pledges: every page of the list, cancelled
   * pledges apart, goods without a value not counted. In the display currency when the ledger is
   * valued in it, otherwise in USD.
   */
  private async listTotal(actor: Actor, filter: ReturnType<typeof parsePledgeListQuery>['filter'], displayCurrency: string) {
    const currency = displayCurrencyOf(displayCurrency);
    const donorId = visibleDonorFilter(actor, filter.donorId);
    if (donorId === NO_DONOR) return null;
    try {
      const view = await this.funding.get(currency, todayUtc(), { ...filter, donorId });
      const f = view.foreign;
      return { itemised: f.itemised, received: f.received, cancelled: signOfDecimal(f.cancelled.amount) === 0 ? null : f.cancelled, currency };
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  /** Donors to choose from; a deactivated one takes no new pledge, so it is listed only where it is already chosen (a filter). */
  private async donorChoices(actor: Actor, includeInactive = false) {
    return (await this.donors.list(actor, parsePageRequest('500', undefined))).items
      .filter((d) => includeInactive || d.active)
      .map((d) => ({ id: String(d.id), name: d.name }));
  }

  async listPage(actor: Actor, query: PledgeListQuery & { sort?: string }) {
    const { filter, page, displayCurrency } = parsePledgeListQuery(query);
    const currency = displayCurrency ?? REPORTING_CURRENCY;
    const newestFirst = query.sort !== 'oldest';
    const result = await this.pledges.list(actor, { ...filter, newestFirst }, page, currency);
    const priorityList = await this.priorities.list(actor);
    const titles = new Map(priorityList.map((p) => [p.code, `${p.rank}. ${p.title}`]));
    const rows = result.items.map((p) => this.row(p, titles));
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({
      q: query.q,
      donorId: query.donorId,
      status: query.status,
      priorityCode: query.priorityCode,
      currency: query.currency,
      displayCurrency: query.displayCurrency,
      sort: query.sort,
      limit: query.limit,
    })) {
      if (typeof v === 'string' && v !== '') params.set(k, v);
    }
    const filtersApplied = [...params.keys()].some((k) => k !== 'displayCurrency' && k !== 'limit');
    const nextParams = new URLSearchParams(params);
    if (result.nextCursor) nextParams.set('cursor', result.nextCursor);
    return {
      title: 'Pledges',
      // The list uses the width of a laptop screen: seven columns and their figures on one line.
      wide: true,
      canWrite: WRITE_LEDGER.includes(actor.role),
      filters: {
        q: typeof query.q === 'string' ? query.q : '',
        donorId: query.donorId ?? '',
        status: query.status ?? '',
        priorityCode: query.priorityCode ?? '',
        currency: query.currency ?? '',
        displayCurrency: currency,
        sort: newestFirst ? 'newest' : 'oldest',
      },
      donors: actor.role === 'donor' ? [] : await this.donorChoices(actor, true),
      statuses: PLEDGE_STATUSES.map((s) => ({ value: s, label: pledgeStatusFilterLabel(s) })),
      priorities: priorityList.map((p) => ({ code: p.code, label: `${p.rank}. ${p.title}` })),
      currencies: CURRENCY_CHOICES,
      rows,
      filtersApplied,
      total: await this.listTotal(actor, filter, currency),
      currencyTotals: await this.pledges.totalsByCurrency(actor, filter),
      nextPageHref: result.nextCursor ? `/pledges?${nextParams.toString()}` : null,
      firstPageHref: page.afterId ? `/pledges?${params.toString()}` : null,
      csvHref: `/pledges.csv?${params.toString()}`,
    };
  }

  private row(p: PledgeView, titles: ReadonlyMap<string, string>) {
    return {
      id: p.id,
      donorName: p.donorName,
      title: p.title,
      kind: p.kind,
      amount: p.amount,
      currency: p.currency,
      inKind: p.inKind ? { quantity: String(p.inKind.quantity), unit: p.inKind.unit, upTo: p.inKind.upTo } : null,
      status: p.status,
      statusLabel: pledgeStatusLabel(p.status, p.kind),
      priorityCodes: p.priorityCodes.join(', '),
      priorities: p.priorityCodes.map((code) => titles.get(code) ?? code),
      prioritiesText: p.priorityCodes.map((code) => titles.get(code) ?? code).join('; '),
      valueDate: p.valueDate,
      converted: p.converted,
    };
  }

  /**
   * Every pledge the list's filters select, as CSV, written page by page to `write` (500 rows a
   * query), so the file holds all rows however long the ledger is, and memory holds one page.
   */
  async listCsv(actor: Actor, query: PledgeListQuery & { sort?: string }, write: (chunk: string) => void): Promise<void> {
    const { filter, displayCurrency } = parsePledgeListQuery({ ...query, limit: undefined, cursor: undefined });
    const currency = displayCurrency ?? REPORTING_CURRENCY;
    write(
      csvLine([
        'id',
        'donor',
        'title',
        'kind',
        'amount',
        'currency',
        'in_kind_quantity',
        'in_kind_unit',
        'status',
        'priorities',
        'value_date',
        `converted_${currency}`,
        'rate',
        'source',
        'notes',
      ]),
    );
    for (let cursor: string | undefined; ;) {
      const { page } = parsePledgeListQuery({ limit: String(CSV_PAGE), cursor });
      const result = await this.pledges.list(actor, { ...filter, newestFirst: query.sort !== 'oldest' }, page, currency);
      write(
        result.items
          .map((p) =>
            csvLine([
              p.id,
              p.donorName,
              p.title,
              p.kind,
              p.amount,
              p.currency,
              p.inKind?.quantity ?? null,
              p.inKind?.unit ?? null,
              p.status,
              p.priorityCodes.join(' '),
              p.valueDate,
              p.converted?.amount ?? null,
              p.converted?.rate ?? null,
              p.source,
              p.notes,
            ]),
          )
          .join(''),
      );
      if (!result.nextCursor) return;
      cursor = result.nextCursor;
    }
  }

  private async formPage(actor: Actor, values: PledgeFormValues, problems: FieldProblem[]) {
    return {
      title: 'Record a pledge',
      form: values,
      ...formErrors(problems),
      donors: await this.donorChoices(actor),
      priorities: (await this.priorities.list(actor)).map((p) => ({ code: p.code, title: p.title })),
      currencies: CURRENCY_CHOICES,
      channels: CHANNEL_CHOICES,
    };
  }

  /**
   * The new-pledge form, empty or with what the address carries: `?donorId=` from a donor's page,
   * or every field typed so far when the officer comes back from adding a donor (addDonorFirst).
   */
  async newPledgePage(actor: Actor, query: Record<string, unknown>) {
    const values = readPledgeForm({ currency: 'USD', unitValueCurrency: 'USD', channel: 'direct', ...query });
    if (!values.idempotencyKey) values.idempotencyKey = randomUUID();
    return this.formPage(actor, values, []);
  }

  /**
   * "The donor is not listed": the pledge form is sent here instead of being recorded; its fields
   * travel in the return address of the donor form, which comes back with the new donor chosen.
   */
  addDonorFirst(body: Record<string, unknown>): FormOutcome {
    const values = readPledgeForm(body);
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(values) as Array<[string, string | string[] | boolean]>) {
      if (name === 'donorId') continue;
      if (Array.isArray(value)) for (const v of value) params.append(name, v);
      else if (value === true) params.set(name, 'on');
      else if (typeof value === 'string' && value !== '') params.set(name, value);
    }
    return { redirectTo: `/donors/new?returnTo=${encodeURIComponent(`/pledges/new?${params.toString()}`)}` };
  }

  /** Records the pledge, or gives the form back with each problem beside its field. A double submit of one form records one pledge. */
  async submitPledge(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const values = readPledgeForm(body);
    if (!values.idempotencyKey) values.idempotencyKey = randomUUID();
    const checked = pledgeRequestFrom(values);
    let problems = checked.errors;
    let status = 400;
    if (checked.request) {
      const { dto, problems: dtoIssues } = await dtoProblems(CreatePledgeDto, checked.request);
      problems = dtoIssues.map((p) => ({ ...p, field: formFieldOf(p.field) }));
      if (!problems.length) {
        try {
          const idem = idempotencyContext(actor, values.idempotencyKey, 'POST /pledges/new', checked.request);
          const created = await this.pledges.create(actor, dto, idem);
          return { redirectTo: `/pledges/${created.body.id}?recorded=pledge` };
        } catch (error) {
          ({ status, problems } = refusal(error));
        }
      }
    }
    return { status, view: 'pledges/new', page: await this.formPage(actor, values, problems) };
  }

  private async editFormPage(actor: Actor, pledge: PledgeView, values: PledgeEditFormValues, problems: FieldProblem[]) {
    const cancelled =
      pledge.status === 'cancelled' && !problems.some((p) => p.field === 'form')
        ? [{ field: 'form', message: 'This pledge was cancelled: a cancelled pledge cannot be edited' }]
        : [];
    return {
      title: `Edit: ${pledge.title}`,
      pledge: { id: pledge.id, title: pledge.title, donorName: pledge.donorName, hasShares: pledge.priorityShares !== null },
      form: values,
      ...formErrors([...cancelled, ...problems]),
      priorities: (await this.priorities.list(actor)).map((p) => ({ code: p.code, title: p.title })),
      channels: CHANNEL_CHOICES,
    };
  }

  async editPledgePage(actor: Actor, id: number) {
    const p = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const values: PledgeEditFormValues = {
      title: p.title,
      status: p.commitment,
      channel: p.channel ?? '',
      channelName: p.channelName ?? '',
      instrument: p.instrument ?? '',
      pledgedOn: p.pledgedOn ?? '',
      receiptExpectation: p.receiptExpectation,
      receiptDueOn: p.receiptDueOn ?? '',
      priorityCodes: p.priorityCodes,
      source: p.source ?? '',
      notes: p.notes ?? '',
    };
    return this.editFormPage(actor, p, values, []);
  }

  /** Saves the edited description, or gives the form back with each problem beside its field. */
  async submitEdit(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const pledge = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const values = readPledgeEditForm(body);
    const checked = pledgeEditRequestFrom(values, pledge.priorityCodes);
    let problems = checked.errors;
    let status = 400;
    if (checked.request) {
      const { dto, problems: dtoIssues } = await dtoProblems(UpdatePledgeDto, checked.request);
      problems = dtoIssues.map((p) => ({ ...p, field: formFieldOf(p.field) }));
      if (!problems.length) {
        try {
          await this.pledges.update(actor, id, dto);
          return { redirectTo: `/pledges/${id}?recorded=edit` };
        } catch (error) {
          ({ status, problems } = refusal(error));
        }
      }
    }
    return { status, view: 'pledges/edit', page: await this.editFormPage(actor, pledge, values, problems) };
  }

  async detailPage(
    actor: Actor,
    id: number,
    recorded: unknown,
    disbursementForm: DisbursementFormValues | null = null,
    problems: FieldProblem[] = [],
    instalmentForm: InstalmentFormValues | null = null,
  ) {
    const p = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const canWrite = WRITE_LEDGER.includes(actor.role) && p.status !== 'cancelled';
    const flash =
      recorded === 'pledge'
        ? { kind: 'success', message: 'Pledge recorded.' }
        : recorded === 'disbursement'
          ? { kind: 'success', message: p.kind === 'cash' ? 'Disbursement recorded.' : 'Delivery recorded.' }
          : recorded === 'cancel'
            ? { kind: 'success', message: 'Pledge cancelled.' }
            : recorded === 'edit'
              ? { kind: 'success', message: 'Pledge updated.' }
              : recorded === 'instalment'
                ? { kind: 'success', message: 'Instalment planned.' }
                : recorded === 'instalment-removed'
                  ? { kind: 'success', message: 'Instalment removed.' }
                  : null;
    return {
      title: p.title,
      flash,
      pledge: {
        ...p,
        statusLabel: pledgeStatusLabel(p.status, p.kind),
        channelLabel: p.channel === null ? 'not stated' : (CHANNEL_LABELS[p.channel] ?? p.channel),
        receiptLabel: receiptLabel(p),
        inKind: p.inKind ? { ...p.inKind, quantity: String(p.inKind.quantity) } : null,
        deliveredQuantity: p.deliveredQuantity === null ? null : String(p.deliveredQuantity),
        outstandingQuantity: p.outstandingQuantity === null ? null : String(p.outstandingQuantity),
        notDocumentedQuantity: p.notDocumentedQuantity === null ? null : String(p.notDocumentedQuantity),
        sourceHref: safeHref(p.source),
        priorityCodes: p.priorityCodes.join(', '),
      },
      disbursements: p.disbursements.map((d) => ({ ...d, quantity: d.quantity === null ? null : String(d.quantity) })),
      instalments: p.instalments.map((i) => ({
        ...i,
        stateLabel: INSTALMENT_STATE_LABELS[i.state],
        quantity: i.quantity === null ? null : String(i.quantity),
        receivedQuantity: i.receivedQuantity === null ? null : String(i.receivedQuantity),
        expectedQuantity: i.expectedQuantity === null ? null : String(i.expectedQuantity),
      })),
      instalment: instalmentForm ?? { dueOn: '', amount: '', quantity: '', idempotencyKey: randomUUID() },
      history: p.history.map((h) => ({
        at: h.at,
        actorEmail: h.actorEmail,
        action: actionLabel(h.action, h.after),
        reason: h.reason,
        changes: describeChanges(h.before, h.after),
      })),
      canWrite,
      currencies: CURRENCY_CHOICES,
      disbursement: disbursementForm ?? { ...readDisbursementForm({ currency: p.currency ?? 'USD', receivedOn: todayUtc() }), idempotencyKey: randomUUID() },
      ...formErrors(problems),
    };
  }

  async submitDisbursement(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const pledge = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const values = readDisbursementForm(body);
    if (!values.idempotencyKey) values.idempotencyKey = randomUUID();
    const checked = disbursementRequestFrom(values, pledge.kind);
    let problems = checked.errors;
    let status = 400;
    if (checked.request) {
      const { dto, problems: dtoIssues } = await dtoProblems(CreateDisbursementDto, checked.request);
      problems = dtoIssues;
      if (!problems.length) {
        try {
          const idem = idempotencyContext(actor, values.idempotencyKey, `POST /pledges/${id}/disbursements`, checked.request);
          await this.pledges.recordDisbursement(actor, id, dto, idem);
          return { redirectTo: `/pledges/${id}?recorded=disbursement` };
        } catch (error) {
          ({ status, problems } = refusal(error));
        }
      }
    }
    return { status, view: 'pledges/show', page: await this.detailPage(actor, id, null, values, problems) };
  }

  async submitInstalment(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const pledge = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const typed = (value: unknown, max: number) => (typeof value === 'string' ? value.slice(0, max).trim() : '');
    const values: InstalmentFormValues = {
      dueOn: typed(body.dueOn, 10),
      amount: typed(body.amount, 40),
      quantity: typed(body.quantity, 14),
      idempotencyKey: typed(body.idempotencyKey, 200) || randomUUID(),
    };
    const problems: FieldProblem[] = [];
    const request: Record<string, unknown> = { dueOn: values.dueOn };
    if (pledge.kind === 'cash') {
      const problem = amountProblem(values.amount, pledge.currency ?? '', 'Amount');
      if (problem) problems.push({ field: 'amount', message: problem });
      request.amount = normaliseAmount(values.amount);
    } else if (!/^[1-9][0-9]{0,9}$/.test(values.quantity)) {
      problems.push({ field: 'quantity', message: 'Enter the quantity as a whole number, at least 1' });
    } else {
      request.quantity = Number(values.quantity);
    }
    if (!isIsoDate(values.dueOn)) problems.push({ field: 'dueOn', message: 'Enter the date it is due as YYYY-MM-DD' });
    let status = 400;
    if (!problems.length) {
      const { dto, problems: dtoIssues } = await dtoProblems(CreateInstalmentDto, request);
      problems.push(...dtoIssues);
      if (!problems.length) {
        try {
          const idem = idempotencyContext(actor, values.idempotencyKey, `POST /pledges/${id}/instalments`, request);
          await this.instalments.add(actor, id, dto, idem);
          return { redirectTo: `/pledges/${id}?recorded=instalment` };
        } catch (error) {
          const refused = refusal(error);
          status = refused.status;
          problems.push(...refused.problems);
        }
      }
    }
    const renamed = problems.map((p) => ({ ...p, field: INSTALMENT_FIELDS[p.field] ?? p.field }));
    return { status, view: 'pledges/show', page: await this.detailPage(actor, id, null, null, renamed, values) };
  }

  async submitInstalmentRemoval(actor: Actor, id: number, instalmentId: number): Promise<FormOutcome> {
    await this.instalments.remove(actor, id, instalmentId);
    return { redirectTo: `/pledges/${id}?recorded=instalment-removed` };
  }

  /**
   * The page that asks before a pledge is cancelled: what it counts now, what will change, and the
   * reason. Cancelling cannot be undone from a screen, so the pledge page only links here.
   */
  async cancelPage(actor: Actor, id: number, reason = '', problems: FieldProblem[] = []) {
    const p = await this.pledges.get(actor, id, REPORTING_CURRENCY);
    const cash = p.kind === 'cash';
    return {
      title: `Cancel: ${p.title}`,
      pledge: {
        id: p.id,
        title: p.title,
        donorName: p.donorName,
        statusLabel: pledgeStatusLabel(p.status, p.kind),
        cash,
        amount: cash && p.amount !== null && p.currency !== null ? { amount: p.amount, currency: p.currency } : null,
        received: cash ? p.disbursed : null,
        anyReceived: cash ? p.disbursed !== null && signOfDecimal(p.disbursed.amount) !== 0 : (p.deliveredQuantity ?? 0) > 0,
        inKind: p.inKind ? { ...p.inKind, quantity: String(p.inKind.quantity) } : null,
        deliveredQuantity: p.deliveredQuantity === null ? null : String(p.deliveredQuantity),
        converted: p.converted,
      },
      alreadyCancelled: p.status === 'cancelled',
      cancelReason: reason,
      ...formErrors(problems),
    };
  }

  async submitCancel(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, 1100) : '';
    const { dto, problems: dtoIssues } = await dtoProblems(CancelPledgeDto, { reason: reason.trim() });
    let problems: FieldProblem[] = dtoIssues.map(() => ({ field: 'reason', message: 'Say why the pledge is cancelled, in at least 5 characters' }));
    // Cancelling cannot be undone from a screen: the form asks for it in so many words.
    if (body.confirm !== 'yes') problems.push({ field: 'confirm', message: 'Tick "Yes, cancel this pledge" to cancel it' });
    let status = 400;
    if (!problems.length) {
      try {
        await this.pledges.cancel(actor, id, dto);
        return { redirectTo: `/pledges/${id}?recorded=cancel` };
      } catch (error) {
        ({ status, problems } = refusal(error));
      }
    }
    return { status, view: 'pledges/cancel', page: await this.cancelPage(actor, id, reason, problems) };
  }
}
