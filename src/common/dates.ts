const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (2024-02-30 is false). */
export function isIsoDate(raw: unknown): raw is string {
  if (typeof raw !== 'string') return false;
  const m = ISO_DATE.exec(raw);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The date `days` days after a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The same day `years` years after a YYYY-MM-DD date (29 February becomes 28 February). */
export function addYears(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  const md = date.slice(5);
  return md === '02-29' && !isIsoDate(`${y}-02-29`) ? `${y}-02-28` : `${y}-${md}`;
}

/**
 * The dates a field may hold: from a fixed first day to a day counted from today (UTC), so a
 * typo such as 2999 or 1024 is refused rather than stored. Every date field names its range.
 */
export interface DateRange {
  from: string;
  /** The last date allowed, given today's date. */
  to(today: string): string;
  /** How the last date is worked out, for messages and documentation. */
  toDescription: string;
}

/** The first day any record of the tracker can carry: the ledger starts with Azerbaijan's mine action. */
const FIRST_DAY = '1990-01-01';

export const DATE_RANGES = {
  /** Pledge and source dates, periods, reported figures, value dates asked for: plans run a few years ahead. */
  ledger: { from: FIRST_DAY, to: (today: string) => addYears(today, 10), toDescription: 'today + 10 years' },
  /** Money or goods received: it has happened, so not after today. */
  receipt: { from: FIRST_DAY, to: (today: string) => today, toDescription: 'today' },
  /** Exchange rates are published for a day at the latest one day ahead (time zones). */
  rate: { from: FIRST_DAY, to: (today: string) => addDays(today, 1), toDescription: 'today + 1 day' },
  /** What was known on a day (`knownOn`): nothing is known of days still to come. */
  known: { from: FIRST_DAY, to: (today: string) => today, toDescription: 'today' },
} as const satisfies Record<string, DateRange>;

/** Today's date (UTC), worked out again only when the day may have changed: a bulk import asks per cell. */
let todayCache = { day: '', until: 0 };
function currentDay(): string {
  const now = Date.now();
  if (now >= todayCache.until) todayCache = { day: todayUtc(new Date(now)), until: now - (now % 86_400_000) + 86_400_000 };
  return todayCache.day;
}

/** Each range's last date for a given today, kept for the last day asked. */
const lastDates = new WeakMap<DateRange, { today: string; last: string }>();
function lastDateOf(range: DateRange, today: string): string {
  const known = lastDates.get(range);
  if (known?.today === today) return known.last;
  const last = range.to(today);
  lastDates.set(range, { today, last });
  return last;
}

/** Why a value is not a date within the range (a sentence without the field name), or null when it is. */
export function dateProblem(value: unknown, range: DateRange, today: string = currentDay()): string | null {
  if (!isIsoDate(value)) return 'must be a real date written YYYY-MM-DD';
  const last = lastDateOf(range, today);
  if (value < range.from || value > last) return `must be a date from ${range.from} to ${last} (${range.toDescription})`;
  return null;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * What `knownOn` may be: a day (YYYY-MM-DD: everything recorded by its end, UTC) or an instant
 * (ISO 8601 UTC, such as a statement's publication time), never after now.
 */
export function knownOnProblem(value: unknown, now: Date = new Date()): string | null {
  if (typeof value === 'string' && INSTANT.test(value)) {
    const at = new Date(value);
    if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value.slice(0, 10))
      return 'must be a real date or a UTC time such as 2025-04-30T12:00:00Z';
    if (at.getTime() > now.getTime()) return 'cannot be in the future: nothing is known of it yet';
    if (value.slice(0, 10) < FIRST_DAY) return `must be from ${FIRST_DAY}`;
    return null;
  }
  return dateProblem(value, DATE_RANGES.known, todayUtc(now));
}

/**
 * The first instant not known on `knownOn`: records created before it count. A day ends at the
 * next UTC midnight; an instant is itself the cut-off (a statement's is a whole second: SQLite
 * keeps created_at to the second).
 */
export function knownCutoff(knownOn: string): Date {
  if (INSTANT.test(knownOn)) return new Date(knownOn);
  return new Date(`${addDays(knownOn, 1)}T00:00:00.000Z`);
}

/** Normalises what a driver returns for a date column (string, or a Date from pg raw queries). */
export function dateOnly(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const y = value.getFullYear();
    const m = String(value.getMonth() + 1).padStart(2, '0');
    const d = String(value.getDate()).padStart(2, '0');
    return `${y}-${m}-${d}`;
  }
  return value.slice(0, 10);
}
