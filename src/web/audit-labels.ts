import { formatDateTime, formatMoneyExact } from '../common/presentation/format';

/**
 * The audit log and a record's history in the words of the people reading them: actions, record
 * types, fields and stored codes, with names in place of ids. One copy for the audit page and the
 * pledge page's history.
 */

/** "pledge.create" → "Pledge recorded". */
const ACTION_LABELS: Record<string, string> = {
  'pledge.create': 'Pledge recorded',
  'pledge.update': 'Pledge changed',
  'pledge.cancel': 'Pledge cancelled',
  'pledge.import': 'Pledges imported from a CSV file',
  'pledge.disbursement_recorded': 'Disbursement recorded',
  'pledge.delivery_recorded': 'Delivery recorded',
  'pledge.instalment_add': 'Instalment planned',
  'pledge.instalment_change': 'Instalment changed',
  'pledge.instalment_remove': 'Instalment removed',
  'pledge.source_correction': 'Corrected to what the source says',
  'disbursement.create': 'Disbursement recorded',
  'disbursement.source_correction': 'Receipt corrected to what the source says',
  'priority.set_target': 'Priority target set',
  'priority.source_correction': 'Priority corrected to what the source says',
  'donor.create': 'Donor added',
  'donor.update': 'Donor changed',
  'donor_contact.create': 'Contact added',
  'donor_contact.unsubscribe': 'Contact stopped the digests',
  'user.create': 'User invited',
  'user.role_change': 'Role changed',
  'fx_rate.create': 'Exchange rate added',
  'fx_rate.import': 'Exchange rates imported',
  'government_spend.create': 'Government figure recorded',
  'reported_figure.create': 'Reported figure recorded',
  'digest.run': 'Digests queued',
};

/** The actions the audit page filters on, in the order of the list above. */
export const AUDIT_ACTIONS: ReadonlyArray<{ code: string; label: string }> = Object.entries(ACTION_LABELS)
  .filter(([code]) => code !== 'user.role_change')
  .map(([code, label]) => ({ code, label: code === 'disbursement.create' ? 'Disbursement or delivery recorded (the receipt)' : label }));

/**
 * An entry's action in words. A receipt of goods is a delivery: `disbursement.create` with a
 * quantity reads "Delivery recorded", never "Disbursement recorded".
 */
export function actionLabel(action: string, after: Record<string, unknown> | null = null): string {
  if (action === 'disbursement.create' && after && after.quantity !== null && after.quantity !== undefined) return 'Delivery recorded';
  return ACTION_LABELS[action] ?? action;
}

/** Record types in words. */
export const RECORD_TYPES: ReadonlyArray<{ code: string; label: string }> = [
  { code: 'pledge', label: 'Pledge' },
  { code: 'disbursement', label: 'Receipt (money or goods)' },
  { code: 'donor', label: 'Donor' },
  { code: 'donor_contact', label: 'Donor contact' },
  { code: 'user', label: 'User' },
  { code: 'priority', label: 'Priority' },
  { code: 'fx_rate', label: 'Exchange rate' },
  { code: 'government_spend', label: 'Government figure' },
  { code: 'reported_figure', label: 'Reported figure' },
  { code: 'import', label: 'CSV import' },
  { code: 'digest_run', label: 'Digest run' },
];

export function recordTypeLabel(code: string): string {
  return RECORD_TYPES.find((t) => t.code === code)?.label ?? code;
}

/** Record fields in the words of the screens. */
const FIELD_LABELS: Record<string, string> = {
  donorId: 'Donor',
  pledgeId: 'Pledge',
  donorName: 'Donor',
  pledgedOn: 'Pledge date',
  sourceDate: 'Date of the source document',
  valueDate: 'Value date',
  valueDateBasis: 'Value date taken from',
  priorityCodes: 'Priorities',
  priorityShares: 'Priority shares',
  channelName: 'Channel name',
  receiptExpectation: 'Receipt',
  receiptDueOn: 'Promised by',
  receiptStatus: 'Receipt status',
  receiptNotDocumented: 'Receipt not documented',
  disbursed: 'Received',
  deliveredQuantity: 'Delivered',
  outstandingQuantity: 'Outstanding (owed), in units',
  notDocumentedQuantity: 'Not documented, in units',
  overDisbursementReason: 'Reason for more than the balance',
  receivedOn: 'Received on',
  receivedOnBasis: 'Receipt date is',
  externalRef: 'Reference in the import file',
  cancelReason: 'Reason for cancelling',
  cancelledAt: 'Cancelled at',
  inKind: 'In kind',
  digestEnabled: 'Takes the digest',
  displayCurrency: 'Figures in',
  countryCode: 'Country',
  rateDate: 'Rate of',
  rateSource: 'Rate from',
  unsubscribedAt: 'Stopped the digests at',
};

/** Stored codes in words: "pledged_on" is "the pledge date". */
const VALUE_WORDS: Record<string, string> = {
  pledged_on: 'the pledge date',
  source_date: "the source document's date",
  created_at: 'the day it was recorded',
  not_documented: 'not documented',
  owed: 'owed (outstanding)',
  on_or_before: 'on or before that day',
  exact: 'that day',
  un_agency: 'a UN agency',
  in_kind: 'in kind',
  partly_disbursed: 'partly received',
  fully_disbursed: 'fully received',
};

/** Names for the ids a record holds; an id without a name is shown as "no. 7". */
export interface RecordNames {
  donor(id: number): string | undefined;
  pledge(id: number): string | undefined;
}

export const NO_NAMES: RecordNames = { donor: () => undefined, pledge: () => undefined };

/** "overDisbursementReason" → "Over disbursement reason", for a field without a label. */
function fieldLabel(key: string): string {
  if (FIELD_LABELS[key]) return FIELD_LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function shown(value: unknown, key: string, names: RecordNames): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' && (key === 'donorId' || key === 'pledgeId')) {
    const name = key === 'donorId' ? names.donor(value) : names.pledge(value);
    return name ?? `no. ${value}`;
  }
  if (Array.isArray(value)) return value.length ? value.map((v) => shown(v, '', names)).join(', ') : 'none';
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown };
    if (typeof money.amount === 'string' && typeof money.currency === 'string' && DECIMAL.test(money.amount))
      return formatMoneyExact(money.amount, money.currency);
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${fieldLabel(k).toLowerCase()} ${shown(v, k, names)}`)
      .join(', ');
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return INSTANT.test(value) ? formatDateTime(value) : (VALUE_WORDS[value] ?? value);
  // Audit snapshots are JSON: what is left is a number.
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** A receipt's snapshot holds its amount and currency apart: read together they are one figure. */
function joinAmount(record: Record<string, unknown>): Record<string, unknown> {
  const { amount, currency } = record;
  if (typeof amount !== 'string' || typeof currency !== 'string' || !DECIMAL.test(amount)) return record;
  const { currency: _currency, ...rest } = record;
  return { ...rest, amount: { amount, currency } };
}

/** The fields an audit entry changed, as "field: before → after" lines (all fields when there is no before). */
export function describeChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null, names: RecordNames = NO_NAMES): string[] {
  if (!after) return [];
  const next = joinAmount(after);
  const previous = before ? joinAmount(before) : null;
  // A pledge's snapshot names its donor beside the donor's id: one line, the name.
  const keys = Object.keys(next).filter((k) => k !== 'converted' && k !== 'createdAt' && k !== 'id' && !(k === 'donorId' && 'donorName' in next));
  if (!previous)
    return keys
      .filter((k) => next[k] !== null && !(Array.isArray(next[k]) && (next[k] as unknown[]).length === 0))
      .map((k) => `${fieldLabel(k)}: ${shown(next[k], k, names)}`);
  return keys
    .filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(next[k]))
    .map((k) => `${fieldLabel(k)}: ${shown(previous[k], k, names)} → ${shown(next[k], k, names)}`);
}
