import type { ObligationEntity, ObligationKind } from './obligation.entity';

export type ObligationState = 'open' | 'submitted' | 'waived';

export const OBLIGATION_KIND_LABELS: Record<ObligationKind, string> = {
  narrative_report: 'Narrative report',
  financial_report: 'Financial report',
  audit: 'Audit',
  visibility: 'Visibility',
  other: 'Other',
};

export function stateOf(o: Pick<ObligationEntity, 'submittedOn' | 'waivedReason'>): ObligationState {
  if (o.submittedOn) return 'submitted';
  if (o.waivedReason) return 'waived';
  return 'open';
}

/** Open with its due date passed: due today is not yet overdue. */
export function isOverdue(o: Pick<ObligationEntity, 'submittedOn' | 'waivedReason' | 'dueOn'>, today: string): boolean {
  return stateOf(o) === 'open' && o.dueOn < today;
}

/** The Monday (UTC) of a date's ISO week. */
export function weekStart(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
