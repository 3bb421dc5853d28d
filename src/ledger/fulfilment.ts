import { all, any, CaseRule, eq, fact, gt, gte, holds, literal, lt, not, notNull, param } from '../database/case-rule';

/**
 * Pure rules for what a pledge's status is, given what it promised and what arrived. No Nest,
 * no database: unit-tested with exact values in fulfilment.spec.ts. The status and receipt rules
 * are each written once, as a CaseRule: the services evaluate it on a record and the ledger's
 * SQL renders it, so lists filter by exactly the status a pledge's page shows.
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
  /**
   * The balance still to receive: what was pledged less what arrived. Never negative: an
   * over-disbursement (recorded with a reason) leaves no balance. Whether that balance is owed is
   * a separate fact (`receiptOf`).
   */
  outstandingMinor: bigint | null;
  outstandingQuantity: number | null;
}

/** The facts a pledge's status is derived from (FulfilmentInput's fields; `cancelled` a condition). */
export type StatusFact = 'cancelled' | 'kind' | 'commitment' | 'amountMinor' | 'disbursedMinor' | 'quantity' | 'deliveredQuantity';

/**
 * The status rule: cancellation above everything; then fully disbursed once what arrived covers
 * what was promised (cash in money, goods in units); partly once anything arrived; otherwise the
 * commitment an officer stated.
 */
export const PLEDGE_STATUS_RULE = new CaseRule<StatusFact, PledgeStatus>({
  cases: [
    [holds('cancelled'), 'cancelled'],
    [all(eq(fact('kind'), literal('cash')), notNull('amountMinor'), gte(fact('disbursedMinor'), fact('amountMinor'))), 'fully_disbursed'],
    [all(eq(fact('kind'), literal('in_kind')), notNull('quantity'), gte(fact('deliveredQuantity'), fact('quantity'))), 'fully_disbursed'],
    [all(eq(fact('kind'), literal('cash')), gt(fact('disbursedMinor'), literal(0))), 'partly_disbursed'],
    [all(eq(fact('kind'), literal('in_kind')), gt(fact('deliveredQuantity'), literal(0))), 'partly_disbursed'],
  ],
  otherwise: { fact: 'commitment' },
});

export function fulfilmentOf(p: FulfilmentInput): Fulfilment {
  const outstandingMinor = p.kind === 'cash' && p.amountMinor !== null ? maxBig(p.amountMinor - p.disbursedMinor, 0n) : null;
  const outstandingQuantity = p.kind === 'in_kind' && p.quantity !== null ? Math.max(p.quantity - p.deliveredQuantity, 0) : null;
  const status = PLEDGE_STATUS_RULE.evaluate({
    facts: {
      cancelled: p.cancelled,
      kind: p.kind,
      commitment: p.commitment,
      amountMinor: p.kind === 'cash' ? p.amountMinor : null,
      disbursedMinor: p.disbursedMinor,
      quantity: p.quantity,
      deliveredQuantity: p.deliveredQuantity,
    },
  });
  return { status, outstandingMinor, outstandingQuantity };
}

/**
 * What is known about a pledge's balance: it arrived (`received`), it is known to be owed
 * (`outstanding`: an officer says so, or the date the donor promised has passed), or nobody has
 * said (`not_documented`, the default: the sources rarely say whether money arrived). A cancelled
 * pledge counts as cancelled only.
 */
export const RECEIPT_STATUSES = ['received', 'outstanding', 'not_documented', 'cancelled'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/** What a desk officer states about the balance: nothing (`not_documented`), or that it is owed. */
export const RECEIPT_EXPECTATIONS = ['not_documented', 'owed'] as const;
export type ReceiptExpectation = (typeof RECEIPT_EXPECTATIONS)[number];

export interface ReceiptTerms {
  expectation: ReceiptExpectation;
  /** The date by which the donor promised the money or goods; null when none was stated. */
  dueOn: string | null;
}

/** The facts a pledge's receipt status is derived from, at the `asOf` parameter (`cancelled` and `balanceLeft` are conditions). */
export type ReceiptFact = 'cancelled' | 'balanceLeft' | 'expectation' | 'dueOn';

/**
 * The receipt rule, in one place: cancelled above everything; no balance left is received; a
 * balance is outstanding when an officer says it is owed or its due date has passed (`dueOn`
 * before `asOf`; on the due date itself it is not late yet); otherwise its receipt is not documented.
 */
export const RECEIPT_STATUS_RULE = new CaseRule<ReceiptFact, ReceiptStatus>({
  cases: [
    [holds('cancelled'), 'cancelled'],
    [not(holds('balanceLeft')), 'received'],
    [any(eq(fact('expectation'), literal('owed')), all(notNull('dueOn'), lt(fact('dueOn'), param('asOf')))), 'outstanding'],
  ],
  otherwise: 'not_documented',
});

export function receiptStatusOf(p: ReceiptTerms & { cancelled: boolean; balanceLeft: boolean }, asOf: string): ReceiptStatus {
  return RECEIPT_STATUS_RULE.evaluate({
    facts: { cancelled: p.cancelled, balanceLeft: p.balanceLeft, expectation: p.expectation, dueOn: p.dueOn },
    params: { asOf },
  });
}

export interface Receipt {
  status: ReceiptStatus;
  /** Known to be owed: the balance when the status is outstanding, otherwise 0 (null: the pledge has no such measure). */
  outstandingMinor: bigint | null;
  outstandingQuantity: number | null;
  /** Pledged, with receipt neither recorded nor known to be owed: the balance when not documented, otherwise 0. */
  notDocumentedMinor: bigint | null;
  notDocumentedQuantity: number | null;
}

/** A pledge's balance split by what is known about it, at `asOf` (a cash pledge in money, an in-kind one in units). */
export function receiptOf(p: FulfilmentInput & ReceiptTerms, asOf: string): Receipt {
  const balance = fulfilmentOf(p);
  const balanceLeft = p.kind === 'cash' ? (balance.outstandingMinor ?? 0n) > 0n : (balance.outstandingQuantity ?? 0) > 0;
  const status = receiptStatusOf({ cancelled: p.cancelled, balanceLeft, expectation: p.expectation, dueOn: p.dueOn }, asOf);
  const part = <T extends bigint | number>(value: T | null, zero: T, when: ReceiptStatus): T | null => (value === null ? null : status === when ? value : zero);
  return {
    status,
    outstandingMinor: part(balance.outstandingMinor, 0n, 'outstanding'),
    outstandingQuantity: part(balance.outstandingQuantity, 0, 'outstanding'),
    notDocumentedMinor: part(balance.outstandingMinor, 0n, 'not_documented'),
    notDocumentedQuantity: part(balance.outstandingQuantity, 0, 'not_documented'),
  };
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
