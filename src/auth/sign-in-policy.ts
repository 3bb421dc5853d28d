import { createHash } from 'node:crypto';

/**
 * The sign-in throttling rules (README "Audit and safety"), as pure values and functions.
 *
 * Failures are counted in buckets, never per account alone:
 * - one bucket per (account, address) for each address that has signed in to the account before
 *   (a "known address", remembered for KNOWN_ADDRESS_MS, the KNOWN_ADDRESSES_KEPT most recent);
 * - one bucket per account for every other address together (strangers).
 * A bucket allows FREE_FAILURES wrong passwords; each further one makes the next attempt in that
 * bucket wait, twice as long each time (FIRST_DELAY_MS, 4 s, 8 s… up to MAX_DELAY_MS). A success
 * empties the bucket; failures older than FORGET_FAILURES_AFTER_MS are forgotten.
 *
 * So strangers hammering an account slow down only strangers: the owner at a known address has
 * a bucket of their own. Buckets are keyed by a hash of the email, whether or not an account has
 * it, so an unknown email is counted and answered exactly like a known one.
 */
export const FREE_FAILURES = 5;
export const FIRST_DELAY_MS = 2_000;
export const MAX_DELAY_MS = 15 * 60_000;
export const FORGET_FAILURES_AFTER_MS = 24 * 3_600_000;
export const KNOWN_ADDRESS_MS = 90 * 24 * 3_600_000;
export const KNOWN_ADDRESSES_KEPT = 10;

/** How long the next attempt in a bucket must wait after its `failures`-th failure. */
export function delayAfterFailures(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(failures - FREE_FAILURES - 1, 30), MAX_DELAY_MS);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A bucket's key: the strangers' bucket of an email (`address` null) or its bucket at one known address. */
export function bucketKey(email: string, address: string | null): string {
  return createHash('sha256')
    .update(`sign-in\n${normaliseEmail(email)}\n${address ?? '*'}`)
    .digest('hex');
}

/** Whole seconds to wait, at least 1 (Retry-After). */
export function retryAfterSeconds(untilMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((untilMs - nowMs) / 1000));
}

/** "2 seconds", "1 minute", "15 minutes": how long to wait, for people. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The one answer to a throttled sign-in, whether or not the account exists and wherever the limit came from. */
export function throttledMessage(seconds: number): string {
  return `Too many sign-in attempts: wait ${waitText(seconds)}, then try again`;
}

/** The one answer to a refused sign-in: wrong password, unknown email or deactivated account alike. */
export const WRONG_CREDENTIALS = 'Email or password is wrong';
