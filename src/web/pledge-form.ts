import { isIsoDate } from '../common/dates';
import { ruleProblem } from '../common/field-rules';
import { parseIdText } from '../common/ids';
import type { FieldProblem } from '../common/errors/domain-errors';
import { isCurrencyCode } from '../common/money/iso4217';
import { MoneyFormatError, parseAmount } from '../common/money/money';
import { RECEIPT_EXPECTATIONS } from '../ledger/fulfilment';
import { CHANNELS, COMMITMENT_LEVELS } from '../ledger/pledge.entity';
import { IN_KIND_RULES, PLEDGE_RULES, TITLE_RULE } from '../pledges/pledge-rules';
import { isPriorityCode } from '../priorities/priority-code';

/** The pledge form as typed, every field a string (priorities a list), echoed back after an error. */
export interface PledgeFormValues {
  donorId: string;
  title: string;
  kind: string;
  amount: string;
  currency: string;
  inKindQuantity: string;
  inKindUnit: string;
  inKindUpTo: boolean;
  unitValueAmount: string;
  unitValueCurrency: string;
  pledgedOn: string;
  status: string;
  /** Empty: the source does not say. */
  channel: string;
  channelName: string;
  instrument: string;
  receiptExpectation: string;
  receiptDueOn: string;
  priorityCodes: string[];
  source: string;
  notes: string;
  idempotencyKey: string;
}

export interface DisbursementFormValues {
  amount: string;
  currency: string;
  quantity: string;
  receivedOn: string;
  reference: string;
  overDisbursementReason: string;
  /** The document (and page) that records the receipt. */
  source: string;
  idempotencyKey: string;
}

/** A typed value as text; `max` bounds a field no rule measures, while a field the pledge rules check is read whole, so too long is refused, never cut. */
function text(value: unknown, max = Infinity): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

function list(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, 12);
}

export function readPledgeForm(body: Record<string, unknown>): PledgeFormValues {
  return {
    donorId: text(body.donorId, 12).trim(),
    title: text(body.title),
    kind: text(body.kind, 12) || 'cash',
    amount: text(body.amount, 40).trim(),
    currency: text(body.currency, 3).trim().toUpperCase(),
    inKindQuantity: text(body.inKindQuantity, 14).trim(),
    inKindUnit: text(body.inKindUnit),
    inKindUpTo: body.inKindUpTo === 'on' || body.inKindUpTo === 'true',
    unitValueAmount: text(body.unitValueAmount, 40).trim(),
    unitValueCurrency: text(body.unitValueCurrency, 3).trim().toUpperCase(),
    pledgedOn: text(body.pledgedOn, 10).trim(),
    status: text(body.status, 12) || 'announced',
    channel: text(body.channel, 12),
    channelName: text(body.channelName),
    instrument: text(body.instrument),
    receiptExpectation: text(body.receiptExpectation, 16) || 'not_documented',
    receiptDueOn: text(body.receiptDueOn, 10).trim(),
    priorityCodes: list(body.priorityCodes),
    source: text(body.source),
    notes: text(body.notes),
    idempotencyKey: text(body.idempotencyKey, 200),
  };
}

export function readDisbursementForm(body: Record<string, unknown>): DisbursementFormValues {
  return {
    amount: text(body.amount, 40).trim(),
    currency: text(body.currency, 3).trim().toUpperCase(),
    quantity: text(body.quantity, 14).trim(),
    receivedOn: text(body.receivedOn, 10).trim(),
    reference: text(body.reference, 150),
    overDisbursementReason: text(body.overDisbursementReason, 1100),
    source: text(body.source, 1100),
    idempotencyKey: text(body.idempotencyKey, 200),
  };
}

/**
 * Forgives what people type for money: spaces and comma thousands separators ("1,500,000.00",
 * "1 500 000"). A comma that is not a thousands separator ("1,5") is left for the check to refuse,
 * because it might be a decimal comma and guessing would change the amount.
 */
export function normaliseAmount(typed: string): string {
  const compact = typed.replace(/[\s\u00a0\u202f]/g, '');
  return /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(compact) ? compact.replace(/,/g, '') : compact;
}

/** The amount in a desk officer's words, or null when it is fine. */
export function amountProblem(typed: string, currency: string, label = 'Amount'): string | null {
  if (typed === '') return `Enter the ${label.toLowerCase()}`;
  if (!isCurrencyCode(currency)) return null;
  try {
    parseAmount(normaliseAmount(typed), currency);
    return null;
  } catch (error) {
    if (!(error instanceof MoneyFormatError)) throw error;
    if (/more than zero/.test(error.message)) return `${label} must be more than zero`;
    if (/decimals but/.test(error.message)) return `${label} in ${currency} can have at most ${/has (\d+)$/.exec(error.message)?.[1]} decimals`;
    if (/at most/.test(error.message)) return `${label} is too large`;
    return `${label} must be a number such as 1500000.00`;
  }
}

const WHOLE = /^[1-9][0-9]{0,8}$/;

/** Links typed into a free-text field must not run script when clicked: only http(s) and plain text. */
export function unsafeLinkProblem(typed: string, label: string): string | null {
  // eslint-disable-next-line no-control-regex -- browsers drop tabs and newlines inside a URL ("java\tscript:"), so control characters go before the scheme is read
  const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(typed.replace(/[\u0000-\u001f]/g, ''))?.[1]?.toLowerCase();
  return scheme && !['http', 'https', 'mailto'].includes(scheme) ? `${label} may only link to http or https addresses` : null;
}

/**
 * Checks the pledge form field by field and builds the API request from it. Errors name the
 * form field they sit beside; the service checks business rules (donor exists, rates) after.
 */
export function pledgeRequestFrom(form: PledgeFormValues): { request: Record<string, unknown> | null; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const problem = (field: string, message: string | null) => message && errors.push({ field, message });
  const donorId = parseIdText(form.donorId);
  problem('donorId', donorId === null ? 'Choose the donor' : null);
  problem('kind', form.kind === 'cash' || form.kind === 'in_kind' ? null : 'Choose cash or in kind');
  errors.push(...descriptionProblems(form));

  const request: Record<string, unknown> = {
    donorId,
    title: form.title.trim(),
    kind: form.kind,
    pledgedOn: form.pledgedOn || null,
    status: form.status,
    channel: form.channel || null,
    receiptExpectation: form.receiptExpectation,
    receiptDueOn: form.receiptDueOn || null,
    priorityCodes: form.priorityCodes,
  };
  if (form.kind === 'cash') {
    problem('currency', isCurrencyCode(form.currency) ? null : 'Choose the currency');
    problem('amount', amountProblem(form.amount, form.currency));
    request.amount = normaliseAmount(form.amount);
    request.currency = form.currency;
  } else if (form.kind === 'in_kind') {
    problem('inKindQuantity', WHOLE.test(form.inKindQuantity) ? null : 'Quantity must be a whole number of at least 1');
    problem(
      'inKindUnit',
      form.inKindUnit.trim() ? ruleProblem(IN_KIND_RULES.unit, 'unit', form.inKindUnit.trim()) : 'Say what is given, such as "mine detection dogs"',
    );
    const inKind: Record<string, unknown> = { quantity: Number(form.inKindQuantity), unit: form.inKindUnit.trim(), upTo: form.inKindUpTo };
    if (form.unitValueAmount !== '') {
      problem('unitValueCurrency', isCurrencyCode(form.unitValueCurrency) ? null : 'Choose the currency of the unit value');
      problem('unitValueAmount', amountProblem(form.unitValueAmount, form.unitValueCurrency, 'Unit value'));
      inKind.unitValue = { amount: normaliseAmount(form.unitValueAmount), currency: form.unitValueCurrency };
    }
    request.inKind = inKind;
  }
  for (const field of ['channelName', 'instrument', 'source', 'notes'] as const) if (form[field].trim()) request[field] = form[field].trim();
  return errors.length ? { request: null, errors } : { request, errors };
}

/** Checks of the fields a pledge's new and edit forms share, in a desk officer's words. */
function descriptionProblems(form: PledgeEditFormValues): FieldProblem[] {
  const errors: FieldProblem[] = [];
  const problem = (field: string, message: string | null) => message && errors.push({ field, message });
  const title = form.title.trim();
  problem('title', [...title].length < TITLE_RULE.min ? `Give the pledge a title of at least ${TITLE_RULE.min} characters` : pledgeRuleProblem('title', title));
  problem('status', (COMMITMENT_LEVELS as readonly string[]).includes(form.status) ? null : 'Choose announced or committed');
  problem('channel', form.channel === '' || (CHANNELS as readonly string[]).includes(form.channel) ? null : 'Choose how the money or goods arrive');
  problem('receiptExpectation', (RECEIPT_EXPECTATIONS as readonly string[]).includes(form.receiptExpectation) ? null : 'Choose not documented or owed');
  problem(
    'receiptDueOn',
    form.receiptDueOn === '' || isIsoDate(form.receiptDueOn) ? null : 'Enter the date as YYYY-MM-DD, or leave it empty when no date was promised',
  );
  problem(
    'pledgedOn',
    form.pledgedOn === '' || isIsoDate(form.pledgedOn) ? null : 'Enter the date as YYYY-MM-DD, or leave it empty when the source gives none',
  );
  problem('priorityCodes', form.priorityCodes.every(isPriorityCode) ? null : 'Choose priorities from the list');
  problem('source', unsafeLinkProblem(form.source, 'Source') ?? pledgeRuleProblem('source', form.source.trim() || null));
  for (const field of ['notes', 'channelName', 'instrument'] as const) problem(field, pledgeRuleProblem(field, form[field].trim() || null));
  return errors;
}

/** A field's problem under the API's rule, in the API's words (an empty text field is sent as null, "none"). */
function pledgeRuleProblem(field: keyof typeof PLEDGE_RULES, value: unknown): string | null {
  return ruleProblem(PLEDGE_RULES[field], field, value);
}

/** The edit form as typed: only the descriptive fields, since a pledge's money is never rewritten. */
export type PledgeEditFormValues = Pick<
  PledgeFormValues,
  'title' | 'status' | 'channel' | 'channelName' | 'instrument' | 'pledgedOn' | 'receiptExpectation' | 'receiptDueOn' | 'priorityCodes' | 'source' | 'notes'
>;

export function readPledgeEditForm(body: Record<string, unknown>): PledgeEditFormValues {
  const { title, status, channel, channelName, instrument, pledgedOn, receiptExpectation, receiptDueOn, priorityCodes, source, notes } = readPledgeForm(body);
  return { title, status, channel, channelName, instrument, pledgedOn, receiptExpectation, receiptDueOn, priorityCodes, source, notes };
}

/**
 * Checks the edit form and builds the PATCH request from it. The priorities are sent only when
 * the ticks changed, so percent shares recorded through the API survive an edit of the title.
 */
export function pledgeEditRequestFrom(
  form: PledgeEditFormValues,
  currentPriorityCodes: string[],
): { request: Record<string, unknown> | null; errors: FieldProblem[] } {
  const errors = descriptionProblems(form);
  if (errors.length) return { request: null, errors };

  const request: Record<string, unknown> = {
    title: form.title.trim(),
    status: form.status,
    channel: form.channel || null,
    pledgedOn: form.pledgedOn || null,
    receiptExpectation: form.receiptExpectation,
    receiptDueOn: form.receiptDueOn || null,
  };
  for (const field of ['channelName', 'instrument', 'source', 'notes'] as const) request[field] = form[field].trim() || null;
  const ticked = [...form.priorityCodes].sort();
  if (ticked.join() !== [...currentPriorityCodes].sort().join()) request.priorityCodes = ticked;
  return { request, errors };
}

export function disbursementRequestFrom(
  form: DisbursementFormValues,
  kind: 'cash' | 'in_kind',
): { request: Record<string, unknown> | null; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const problem = (field: string, message: string | null) => message && errors.push({ field, message });
  const request: Record<string, unknown> = { receivedOn: form.receivedOn };
  problem('receivedOn', isIsoDate(form.receivedOn) ? null : 'Enter the date received as YYYY-MM-DD');
  if (kind === 'cash') {
    problem('currency', isCurrencyCode(form.currency) ? null : 'Choose the currency received');
    problem('amount', amountProblem(form.amount, form.currency, 'Amount received'));
    request.amount = normaliseAmount(form.amount);
    request.currency = form.currency;
  } else {
    problem('quantity', WHOLE.test(form.quantity) ? null : 'Quantity delivered must be a whole number of at least 1');
    request.quantity = Number(form.quantity);
  }
  if (form.reference.trim()) request.reference = form.reference.trim();
  if (form.overDisbursementReason.trim()) request.overDisbursementReason = form.overDisbursementReason.trim();
  if (form.source.trim()) request.source = form.source.trim();
  problem('reference', form.reference.length > 120 ? 'Keep the reference under 120 characters' : null);
  return errors.length ? { request: null, errors } : { request, errors };
}

/** API field names (as in the contract's error details) to the form field they belong beside. */
const FORM_FIELD_OF: Record<string, string> = {
  inKind: 'inKindQuantity',
  'inKind.quantity': 'inKindQuantity',
  'inKind.unit': 'inKindUnit',
  'inKind.unitValue': 'unitValueAmount',
  'inKind.unitValue.amount': 'unitValueAmount',
  'inKind.unitValue.currency': 'unitValueCurrency',
  priorityShares: 'priorityCodes',
  'Idempotency-Key': 'form',
  pledge: 'form',
};

export function formFieldOf(apiField: string): string {
  return FORM_FIELD_OF[apiField] ?? apiField;
}
