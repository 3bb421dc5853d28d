/** A browser session ends after this long without a request. */
export const SESSION_IDLE_MINUTES = 30;

/** Sliding the expiry costs a write; skip it while the last slide is this recent. */
const SLIDE_GRANULARITY_MS = 60_000;

/**
 * The new expiry of a token that was just used, or null to leave it as it is. A token in use
 * stays alive for the idle window from now, but never beyond its hard limit (issued + TTL), and
 * is only rewritten when that moves the expiry by more than a minute.
 */
export function slidExpiry(now: Date, expiresAt: Date, issuedAt: Date, idleMs: number, ttlMs: number): Date | null {
  const hardLimit = issuedAt.getTime() + ttlMs;
  const wanted = Math.min(now.getTime() + idleMs, hardLimit);
  return wanted - expiresAt.getTime() > SLIDE_GRANULARITY_MS ? new Date(wanted) : null;
}
