/**
 * A pledge's status in words, the same on every screen and in every email. Money is received;
 * goods are delivered: a pledge of eight dogs that all arrived is "Fully delivered", not "Fully
 * disbursed".
 */
const LABELS: Record<string, { cash: string; in_kind: string }> = {
  announced: { cash: 'Announced', in_kind: 'Announced' },
  committed: { cash: 'Committed', in_kind: 'Committed' },
  partly_disbursed: { cash: 'Partly received', in_kind: 'Partly delivered' },
  fully_disbursed: { cash: 'Fully received', in_kind: 'Fully delivered' },
  cancelled: { cash: 'Cancelled', in_kind: 'Cancelled' },
};

export function pledgeStatusLabel(status: string, kind: 'cash' | 'in_kind'): string {
  return LABELS[status]?.[kind] ?? status;
}

/** The filter's label of a status, for cash and goods together. */
export function pledgeStatusFilterLabel(status: string): string {
  const label = LABELS[status];
  if (!label) return status;
  return label.cash === label.in_kind ? label.cash : `${label.cash} / ${label.in_kind.split(' ')[1]}`;
}
