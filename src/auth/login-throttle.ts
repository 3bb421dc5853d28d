import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { TooManyRequestsError } from '../common/errors/domain-errors';
import { retryAfterSeconds, throttledMessage } from './sign-in-policy';

/**
 * Counts attempts per key in fixed one-minute windows, in memory (per instance). Windows that
 * have ended are dropped as the map grows, so a flood of distinct keys cannot exhaust memory.
 */
export class AttemptCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one attempt; false once the key has used up its window. */
  allow(key: string, now: number): boolean {
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      this.windows.set(key, { count: 1, endsAt: now + this.windowMs });
      return true;
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  /** When the key's current window ends (now, if it has none). */
  windowEndsAt(key: string, now: number): number {
    return Math.max(this.windows.get(key)?.endsAt ?? now, now);
  }
}

/**
 * Sign-in attempts allowed per minute from one address, whatever accounts they try, so spraying
 * many accounts from one place is slowed without locking out an office behind one NAT address.
 * Attempts at one account are throttled by SignInThrottle (sign-in-policy.ts), in the database.
 */
export const ATTEMPTS_PER_ADDRESS = 60;

/**
 * The per-address limit for `@UseGuards(LoginThrottleGuard)` routes (the login form and
 * POST /api/auth/login): 429 with Retry-After beyond it. The count lives in this instance's
 * memory: behind N instances an address gets up to N times the limit, which is acceptable because
 * the per-account buckets that stop password guessing are shared in the database. The answer does
 * not depend on whether the email exists. Written here rather than with @nestjs/throttler, whose
 * CommonJS build cannot load the ES-module @nestjs/common under Jest on Node 20.
 */
@Injectable()
export class LoginThrottleGuard implements CanActivate {
  private readonly perAddress = new AttemptCounter(ATTEMPTS_PER_ADDRESS, 60_000);

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const now = Date.now();
    const address = req.ip ?? 'unknown';
    if (!this.perAddress.allow(address, now)) {
      const seconds = retryAfterSeconds(this.perAddress.windowEndsAt(address, now), now);
      throw new TooManyRequestsError(throttledMessage(seconds), seconds);
    }
    return true;
  }
}
