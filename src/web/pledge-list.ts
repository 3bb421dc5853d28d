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

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown };
    if (typeof money.amount === 'string' && typeof money.currency === 'string') return `${money.amount} ${money.currency}`;
    return JSON.stringify(value);
  }
  // Audit snapshots are JSON: what is left is a string, a number or a boolean.
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The fields an audit entry changed, as "field: before → after" lines (all fields when there is no before). */
export function describeChanges(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] {
  if (!after) return [];
  const keys = Object.keys(after).filter((k) => k !== 'converted' && k !== 'createdAt');
  if (!before)
    return keys.filter((k) => after[k] !== null && !(Array.isArray(after[k]) && (after[k] as unknown[]).length === 0)).map((k) => `${k}: ${shown(after[k])}`);
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => `${k}: ${shown(before[k])} → ${shown(after[k])}`);
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
