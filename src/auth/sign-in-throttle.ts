import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { AuthRepository } from './auth.repository';
import { bucketKey, delayAfterFailures, FORGET_FAILURES_AFTER_MS, KNOWN_ADDRESS_MS, retryAfterSeconds } from './sign-in-policy';

/** Buckets untouched for a day are deleted this often, by whichever instance signs someone in next. */
const PRUNE_EVERY_MS = 10 * 60_000;

/** Sign-in bookkeeping and issuing a token change no figure: the funding figures' caches keep what they hold. */
const SIGN_IN_ONLY = { derivedOnly: true } as const;

/** The unit of work's transaction, as the repository's write methods take it. */
type WriteTx = Parameters<AuthRepository['releaseSignInBucket']>[0];

export type SignInAttempt = { allowed: true; bucket: string; counted: number } | { allowed: false; retryAfterSeconds: number };

/**
 * The rules of src/auth/sign-in-policy.ts on the database, so every app instance sees the same
 * buckets. An attempt is counted as a failure *before* its password is checked, and only an
 * attempt whose count the bucket still allows gets its password checked; a success gives the count
 * back. Parallel guesses therefore each take their own place in the count: the ones beyond the
 * bucket's allowance are refused however fast they arrive, the right password among them included.
 */
@Injectable()
export class SignInThrottle {
  /** The throttle's clock (epoch ms). Tests move it instead of waiting out delays. */
  now: () => number = () => Date.now();
  private prunedAt = 0;

  constructor(
    private readonly users: AuthRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /**
   * Counts an attempt at `email` from `address`. `userId` is the account with that email, or null:
   * the same queries run either way, so an unknown email is counted, delayed and timed like a known one.
   */
  async begin(email: string, userId: number | null, address: string): Promise<SignInAttempt> {
    const nowMs = this.now();
    const known = await this.users.isKnownSignInAddress(userId ?? 0, address, nowMs - KNOWN_ADDRESS_MS);
    const bucket = bucketKey(email, known ? address : null);
    const attempt = await this.uow.transaction(async (tx): Promise<SignInAttempt> => {
      const counted = await this.users.countSignInAttempt(tx, bucket, nowMs, nowMs - FORGET_FAILURES_AFTER_MS);
      if (counted === null) {
        const until = await this.users.signInDelayedUntil(tx, bucket);
        return { allowed: false, retryAfterSeconds: retryAfterSeconds(until ?? nowMs, nowMs) };
      }
      const delay = delayAfterFailures(counted);
      if (delay > 0) await this.users.delaySignIns(tx, bucket, nowMs + delay);
      return { allowed: true, bucket, counted };
    }, SIGN_IN_ONLY);
    if (nowMs - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = nowMs;
      await this.uow.transaction((tx) => this.users.pruneSignInBuckets(tx, nowMs - FORGET_FAILURES_AFTER_MS), SIGN_IN_ONLY);
    }
    return attempt;
  }

  /**
   * After the right password, in one transaction with `andThen` (issuing the token): the attempt's
   * bucket gives back its count and the address becomes known to the account.
   */
  succeeded<T>(attempt: SignInAttempt & { allowed: true }, userId: number, address: string, andThen: (tx: WriteTx) => Promise<T>): Promise<T> {
    const nowMs = this.now();
    return this.uow.transaction(async (tx) => {
      await this.users.releaseSignInBucket(tx, attempt.bucket, attempt.counted);
      await this.users.rememberSignInAddress(tx, userId, address, nowMs, nowMs - KNOWN_ADDRESS_MS);
      return andThen(tx);
    }, SIGN_IN_ONLY);
  }
}
