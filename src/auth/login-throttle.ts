import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request } from 'express';

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
}

function emailOf(req: Request): string {
  const email = (req.body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
}

/** Sign-in attempts allowed per minute at one account from one address; the account lock in AuthService stops guessing after MAX_FAILED_LOGINS anyway. */
export const ATTEMPTS_PER_ACCOUNT = 10;
/** Sign-in attempts allowed per minute from one address, so spraying many accounts is slowed without locking out an office behind one NAT address. */
export const ATTEMPTS_PER_ADDRESS = 60;

/**
 * Sign-in throttling for `@UseGuards(LoginThrottleGuard)` routes (the login form and
 * POST /api/auth/login): 429 beyond either limit. Written here rather than with
 * @nestjs/throttler, whose CommonJS build cannot load the ES-module @nestjs/common under Jest on Node 20.
 */
@Injectable()
export class LoginThrottleGuard implements CanActivate {
  private readonly perAccount = new AttemptCounter(ATTEMPTS_PER_ACCOUNT, 60_000);
  private readonly perAddress = new AttemptCounter(ATTEMPTS_PER_ADDRESS, 60_000);

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const now = Date.now();
    const address = req.ip ?? 'unknown';
    const accountAllowed = this.perAccount.allow(`${address}|${emailOf(req)}`, now);
    const addressAllowed = this.perAddress.allow(address, now);
    if (!accountAllowed || !addressAllowed) {
      throw new HttpException('Too many sign-in attempts: wait a minute, then try again', HttpStatus.TOO_MANY_REQUESTS);
    }
    return true;
  }
}
