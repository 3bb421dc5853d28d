import type { FieldProblem } from '../common/errors/domain-errors';

/** "pledge.create" → "Pledge recorded": audit actions in the words of the people reading them. */
const ACTION_LABELS: Record<string, string> = {
  'pledge.create': 'Pledge recorded',
  'pledge.update': 'Pledge changed',
  'pledge.cancel': 'Pledge cancelled',
  'pledge.disbursement_recorded': 'Disbursement recorded',
  'pledge.delivery_recorded': 'Delivery recorded',
  'pledge.source_correction': 'Corrected to what the source says',
  'disbursement.create': 'Disbursement recorded',
  'disbursement.source_correction': 'Receipt corrected to what the source says',
  'priority.source_correction': 'Priority corrected to what the source says',
  'donor.create': 'Donor added',
  'donor.update': 'Donor changed',
  'donor_contact.create': 'Contact added',
  'user.create': 'User invited',
  'user.role_change': 'Role changed',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

/** Record fields in the words of the screens, for the history and the audit log. */
const FIELD_LABELS: Record<string, string> = {
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

/** "overDisbursementReason" → "Over disbursement reason", for a field without a label. */
function fieldLabel(key: string): string {
  if (FIELD_LABELS[key]) return FIELD_LABELS[key];
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? value.map(shown).join(', ') : 'none';
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown };
    if (typeof money.amount === 'string' && typeof money.currency === 'string') return `${money.amount} ${money.currency}`;
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${fieldLabel(k).toLowerCase()} ${shown(v)}`)
      .join(', ');
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return VALUE_WORDS[value] ?? value;
  // Audit snapshots are JSON: what is left is a number.
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** The fields an audit entry changed, as "field: before → after" lines (all fields when there is no before). */
export function describeChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] {
  if (!after) return [];
  const keys = Object.keys(after).filter((k) => k !== 'converted' && k !== 'createdAt');
  if (!before)
    return keys
      .filter((k) => after[k] !== null && !(Array.isArray(after[k]) && (after[k] as unknown[]).length === 0))
      .map((k) => `${fieldLabel(k)}: ${shown(after[k])}`);
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => `${fieldLabel(k)}: ${shown(before[k])} → ${shown(after[k])}`);
}

/** Field problems with the id of the input they sit beside, for the error summary's links. */
export function withFieldIds(problems: FieldProblem[]): Array<FieldProblem & { fieldId: string }> {
  return problems.map((p) => ({ ...p, fieldId: p.field === 'form' ? 'main' : p.field }));
}

/** Problems keyed by field, for `{{#with errors.amount}}` beside each input; the first message per field wins. */
export function errorsByField(problems: FieldProblem[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const p of problems) byField[p.field] ??= p.message;
  return byField;
}
