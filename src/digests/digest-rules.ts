import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../common/errors/domain-errors';

/**
 * The digest's own rules, free of Nest and the database: periods, retry timing, stable message
 * ids, signed unsubscribe tokens, bar widths and the order of the priority list.
 */

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function parsePeriod(raw: unknown, field = 'period'): string {
  if (typeof raw !== 'string' || !PERIOD.test(raw)) throw InvalidInputError.field(field, `${field} must be a month written YYYY-MM, such as "2025-03"`);
  return raw;
}

/** The period a run at `now` belongs to: the calendar month, in UTC. */
export function periodOf(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function periodLabel(period: string): string {
  const [, year, month] = PERIOD.exec(period) ?? [];
  if (!year) throw new RangeError(`Not a period: ${period}`);
  return `${MONTHS[Number(month) - 1]} ${year}`;
}

/** Longest wait between two attempts, however many have failed. */
export const MAX_RETRY_DELAY_MS = 6 * 3600_000;

/** Exponential backoff: the first retry waits `baseMs`, each later one twice as long as the one before. */
export function retryDelayMs(attemptsSoFar: number, baseMs: number): number {
  const exponent = Math.max(attemptsSoFar - 1, 0);
  return Math.min(baseMs * 2 ** Math.min(exponent, 30), MAX_RETRY_DELAY_MS);
}

/**
 * One Message-ID per donor, contact and period, so a retried or re-sent digest carries the same
 * id and a receiving system can recognise it.
 */
export function messageIdFor(donorId: number, contactId: number, period: string, mailFrom: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(mailFrom)?.[1] ?? 'localhost';
  return `<digest.${period}.d${donorId}.c${contactId}@${domain}>`;
}

function signature(contactId: number, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${contactId}`).digest('base64url');
}

/** `<contactId>.<HMAC>`: names the contact to stop, and proves the link came from us. */
export function unsubscribeToken(contactId: number, secret: string): string {
  return `${contactId}.${signature(contactId, secret)}`;
}

/** The contact a token names, or null when it is malformed or not signed with `secret`. */
export function verifyUnsubscribeToken(token: unknown, secret: string): number | null {
  if (typeof token !== 'string') return null;
  const match = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const contactId = Number(match[1]);
  const expected = Buffer.from(signature(contactId, secret));
  const given = Buffer.from(match[2]);
  return expected.length === given.length && timingSafeEqual(expected, given) ? contactId : null;
}

/** part / whole as a whole percentage (half up), held between 0 and 100, for the width of a bar. */
export function barPercent(part: bigint, whole: bigint): number {
  if (whole <= 0n || part <= 0n) return 0;
  if (part >= whole) return 100;
  return Number((part * 200n + whole) / (whole * 2n));
}

/** "12 of up to 30 mine detection dogs", "8 of 8 dogs". */
export function inKindProgress(delivered: number, quantity: number, upTo: boolean, unit: string): string {
  return `${delivered} of ${upTo ? 'up to ' : ''}${quantity} ${unit}`.trim();
}

export type PriorityFunding = 'unfunded' | 'partly_funded' | 'funded' | 'pledged_no_target';

/**
 * Unfunded: nothing pledged to it. With a target, funded once pledges reach it. Without one,
 * "pledged, no target set": the report states no amount, so nothing is called fully funded.
 */
export function priorityFunding(pledgeCount: number, pledgedMinor: bigint, targetMinor: bigint | null): PriorityFunding {
  if (pledgeCount === 0) return 'unfunded';
  if (targetMinor === null) return 'pledged_no_target';
  return pledgedMinor >= targetMinor ? 'funded' : 'partly_funded';
}

export interface ClearanceFigure {
  metric: string;
  hectares: string;
  asOf: string;
  planYear: number | null;
  source: string;
}

export interface ClearanceSummary {
  cleared: string;
  contaminated: string;
  asOf: string;
  source: string;
  /** Cleared / contaminated as a fraction with four decimals ("0.1635"). */
  clearedShare: string;
  workPlan: { year: number; hectares: string } | null;
}

/**
 * The newest cleared and contaminated areas (figures come newest first) and the work plan of
 * `year`, or null when the ledger has no area figures yet.
 */
export function clearanceSummary(figures: readonly ClearanceFigure[], year: number): ClearanceSummary | null {
  const cleared = figures.find((f) => f.metric === 'cleared_to_date');
  const contaminated = figures.find((f) => f.metric === 'contaminated_area');
  if (!cleared || !contaminated) return null;
  const plan = figures.find((f) => f.metric === 'work_plan' && f.planYear === year);
  return {
    cleared: cleared.hectares,
    contaminated: contaminated.hectares,
    asOf: cleared.asOf,
    source: cleared.source,
    clearedShare: decimalRatio(cleared.hectares, contaminated.hectares, 4),
    workPlan: plan ? { year, hectares: plan.hectares } : null,
  };
}

/** a / b of two plain decimal strings, rounded half up to `places`, with BigInt arithmetic. */
function decimalRatio(a: string, b: string, places: number): string {
  const [aWhole, aFraction = ''] = a.split('.');
  const [bWhole, bFraction = ''] = b.split('.');
  const digits = Math.max(aFraction.length, bFraction.length);
  const numerator = BigInt(aWhole + aFraction.padEnd(digits, '0'));
  const denominator = BigInt(bWhole + bFraction.padEnd(digits, '0'));
  if (denominator === 0n) return '0';
  const scale = 10n ** BigInt(places);
  const scaled = (numerator * scale * 2n + denominator) / (denominator * 2n);
  return `${scaled / scale}.${(scaled % scale).toString().padStart(places, '0')}`;
}
