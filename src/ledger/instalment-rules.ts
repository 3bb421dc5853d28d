/**
 * The one rule for an instalment's state. Receipts are matched to a pledge's instalments oldest
 * first (by due date, then id): an instalment is covered by what was received beyond everything
 * scheduled before it. Sizes and receipts are in one unit: minor units of the pledge's currency
 * (cash, counted against the pledge) or units (in kind).
 *
 * - received: covered in full (receipts beyond the whole schedule change nothing);
 * - overdue: its date has passed (due today is not yet overdue) and it is not covered in full,
 *   even when partly received: the rest is late;
 * - partly_received: part covered, its date not yet passed;
 * - due: nothing covered yet, its date not yet passed;
 * - cancelled: the pledge was cancelled and this instalment is not covered in full: nothing more
 *   is expected, so it is never overdue (an addition to the contract's four states).
 */
export const INSTALMENT_STATES = ['received', 'partly_received', 'due', 'overdue', 'cancelled'] as const;
export type InstalmentState = (typeof INSTALMENT_STATES)[number];

export interface InstalmentFacts {
  /** The instalment's size: minor units (cash) or units (in kind); more than zero. */
  size: bigint;
  dueOn: string;
  /** The sum of the sizes of the pledge's instalments matched before this one. */
  scheduledBefore: bigint;
  /** Everything received against the pledge, in the same unit. */
  received: bigint;
  cancelled: boolean;
}

export interface InstalmentStanding {
  state: InstalmentState;
  /** How much of it the receipts cover: 0 to size. */
  covered: bigint;
  /** What is still expected: size − covered, or 0 once the pledge is cancelled. */
  expected: bigint;
}

export function instalmentStanding(i: InstalmentFacts, today: string): InstalmentStanding {
  const beyond = i.received - i.scheduledBefore;
  const covered = beyond <= 0n ? 0n : beyond >= i.size ? i.size : beyond;
  if (covered === i.size) return { state: 'received', covered, expected: 0n };
  if (i.cancelled) return { state: 'cancelled', covered, expected: 0n };
  const expected = i.size - covered;
  if (i.dueOn < today) return { state: 'overdue', covered, expected };
  return { state: covered > 0n ? 'partly_received' : 'due', covered, expected };
}

/** Instalments in the order receipts are matched to them: due date, then id. */
export function matchingOrder<T extends { dueOn: string; id: number }>(instalments: readonly T[]): T[] {
  return [...instalments].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.id - b.id));
}

/** A pledge's whole schedule with each instalment's standing, in matching order. */
export function scheduleStanding<T extends { dueOn: string; id: number; size: bigint }>(
  instalments: readonly T[],
  pledge: { received: bigint; cancelled: boolean },
  today: string,
): Array<T & InstalmentStanding> {
  let scheduledBefore = 0n;
  return matchingOrder(instalments).map((i) => {
    const standing = instalmentStanding({ size: i.size, dueOn: i.dueOn, scheduledBefore, received: pledge.received, cancelled: pledge.cancelled }, today);
    scheduledBefore += i.size;
    return { ...i, ...standing };
  });
}

/** How much a schedule may still take: the pledge's size less the other instalments (never below 0). */
export function scheduleRoom(pledgeSize: bigint, otherSizes: readonly bigint[]): bigint {
  const room = pledgeSize - otherSizes.reduce((a, b) => a + b, 0n);
  return room > 0n ? room : 0n;
}

/** "2026-Q1": the calendar quarter of a date. */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
}
