/**
 * Pure rules for what a pledge's status is, given what it promised and what arrived. No Nest,
 * no database: unit-tested with exact values in fulfilment.spec.ts.
 */
export const PLEDGE_STATUSES = ['announced', 'committed', 'partly_disbursed', 'fully_disbursed', 'cancelled'] as const;
export type PledgeStatus = (typeof PLEDGE_STATUSES)[number];

export interface FulfilmentInput {
  kind: 'cash' | 'in_kind';
  commitment: 'announced' | 'committed';
  cancelled: boolean;
  /** Cash: the pledged amount in minor units. */
  amountMinor: bigint | null;
  disbursedMinor: bigint;
  /** In kind: the pledged quantity ("up to" quantities are a ceiling). */
  quantity: number | null;
  deliveredQuantity: number;
}

export interface Fulfilment {
  status: PledgeStatus;
  /** Never negative: an over-disbursement (recorded with a reason) leaves nothing outstanding. */
  outstandingMinor: bigint | null;
  outstandingQuantity: number | null;
}

export function fulfilmentOf(p: FulfilmentInput): Fulfilment {
  const outstandingMinor = p.kind === 'cash' && p.amountMinor !== null ? maxBig(p.amountMinor - p.disbursedMinor, 0n) : null;
  const outstandingQuantity = p.kind === 'in_kind' && p.quantity !== null ? Math.max(p.quantity - p.deliveredQuantity, 0) : null;
  const started = p.kind === 'cash' ? p.disbursedMinor > 0n : p.deliveredQuantity > 0;
  const complete = p.kind === 'cash' ? outstandingMinor === 0n : outstandingQuantity === 0;
  let status: PledgeStatus = p.commitment;
  if (p.cancelled) status = 'cancelled';
  else if (complete) status = 'fully_disbursed';
  else if (started) status = 'partly_disbursed';
  return { status, outstandingMinor, outstandingQuantity };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Splits an earmarked amount over priorities: by stated basis points, or evenly (remainder to the first). */
export function splitByShares(amountMinor: bigint, shares: Array<number | null>): bigint[] {
  if (shares.length === 0) return [];
  const stated = shares.every((s) => s !== null);
  const weights = stated ? shares.map(BigInt) : shares.map(() => 1n);
  const total = weights.reduce((a, b) => a + b, 0n);
  const parts = weights.map((w) => (amountMinor * w) / total);
  const remainder = amountMinor - parts.reduce((a, b) => a + b, 0n);
  parts[0] += remainder;
  return parts;
}
