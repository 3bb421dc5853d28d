import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { TooManyRequestsError } from '../common/errors/domain-errors';
import { textProblem } from '../common/text';
import { UnitOfWork } from '../database/unit-of-work';
import type { Actor } from '../access/actor';
import { AuthRepository } from './auth.repository';
import { DUMMY_HASH, PasswordHasher } from './password-hasher';
import { normaliseEmail, throttledMessage, WRONG_CREDENTIALS } from './sign-in-policy';
import { SignInThrottle } from './sign-in-throttle';
import { SESSION_IDLE_MINUTES, slidExpiry } from './session-expiry';
import { Role } from '../access/roles';
import { UserEntity } from './user.entity';

/** An email as the login form and LoginDto take it. */
const LOGIN_EMAIL = { min: 1, max: 254 };

/** How long a token's actor is remembered in memory, and how many tokens at most. */
const ACTOR_CACHE_MS = 10_000;
const ACTOR_CACHE_MAX = 10_000;

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: UserView;
}

export interface UserView {
  id: number;
  email: string;
  role: Role;
  donorId: number | null;
  /** The organisation the user belongs to (issue 19). */
  organisationId: number | null;
  active: boolean;
}

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, role: user.role, donorId: user.donorId, organisationId: user.organisationId, active: user.active };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class AuthService {
  private readonly actorCache = new Map<string, { actor: Actor; until: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: AuthRepository,
    private readonly uow: UnitOfWork,
    private readonly throttle: SignInThrottle,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * `session` tokens (browser sign-in) start with the idle window and slide with use; `api`
   * tokens live for TOKEN_TTL_HOURS. Both end at TOKEN_TTL_HOURS after sign-in at the latest.
   *
   * Throttled by SignInThrottle (rules in sign-in-policy.ts): 429 while the attempt's bucket waits
   * out a delay, even with the right password. Every answer, 200, 401 or 429, for an existing email
   * or not, costs exactly one scrypt verification, and a refusal says the same whatever the reason.
   * `address` is the client's address (req.ip); the browser form and the API pass it alike.
   */
  async login(email: string, password: string, opts: { kind?: 'api' | 'session'; address?: string } = {}): Promise<LoginResult> {
    const normalised = normaliseEmail(email);
    const address = (opts.address || 'unknown').slice(0, 64);
    // An email that no account could hold (a NUL, a line break…) is a wrong email, never a query.
    const user = textProblem(normalised, LOGIN_EMAIL) === null ? await this.users.findUserByEmail(normalised) : null;
    const attempt = await this.throttle.begin(normalised, user?.id ?? null, address);
    if (!attempt.allowed) {
      await this.hasher.verify(password, DUMMY_HASH);
      throw new TooManyRequestsError(throttledMessage(attempt.retryAfterSeconds), attempt.retryAfterSeconds);
    }
    const account = user?.active ? user : null;
    const matches = await this.hasher.verify(password, account?.passwordHash ?? DUMMY_HASH);
    // A wrong password needs no write: begin() already counted this attempt as a failure.
    if (!account || !matches) throw new UnauthorizedException(WRONG_CREDENTIALS);
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const lifetimeMs = opts.kind === 'session' ? Math.min(SESSION_IDLE_MINUTES * 60_000, this.ttlMs) : this.ttlMs;
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    await this.throttle.succeeded(attempt, account.id, address, (tx) =>
      this.users.insertToken(tx, { tokenHash: hashToken(token), userId: account.id, expiresAt }),
    );
    return { token, expiresAt: expiresAt.toISOString(), user: toUserView(account) };
  }

  async logout(token: string): Promise<void> {
    this.actorCache.delete(hashToken(token));
    await this.uow.transaction((tx) => this.users.revokeToken(tx, hashToken(token), new Date()), { derivedOnly: true });
  }

  private get ttlMs(): number {
    return this.config.tokenTtlHours * 3_600_000;
  }

  /**
   * The actor behind a live token. Using a browser session keeps it alive for the idle window
   * (see slidExpiry), so sessions are looked up every time. API tokens (`remember`) have a fixed
   * expiry: their actor is remembered for ACTOR_CACHE_MS, never past the token's expiry, so a busy
   * integration does not cost two queries a request; a sign-out on this instance forgets at once,
   * one on another instance within ACTOR_CACHE_MS.
   */
  async actorForToken(token: string, opts: { remember: boolean } = { remember: false }): Promise<Actor | null> {
    const tokenHash = hashToken(token);
    const nowMs = Date.now();
    const cached = opts.remember ? this.actorCache.get(tokenHash) : undefined;
    if (cached && cached.until > nowMs) return cached.actor;
    const now = new Date(nowMs);
    const live = await this.users.findLiveToken(tokenHash, now);
    if (!live) {
      this.actorCache.delete(tokenHash);
      return null;
    }
    const { user } = live;
    const extended = slidExpiry(now, live.expiresAt, live.createdAt, SESSION_IDLE_MINUTES * 60_000, this.ttlMs);
    // A slide changes no figure: it must not drop the funding figures every minute of every session.
    if (extended) await this.uow.transaction((tx) => this.users.extendToken(tx, live.tokenId, extended), { derivedOnly: true });
    const actor: Actor = { id: user.id, email: user.email, role: user.role, donorId: user.donorId, organisationId: user.organisationId };
    if (opts.remember) {
      if (this.actorCache.size >= ACTOR_CACHE_MAX) this.actorCache.clear();
      this.actorCache.set(tokenHash, { actor, until: Math.min(nowMs + ACTOR_CACHE_MS, (extended ?? live.expiresAt).getTime()) });
    }
    return actor;
  }

  /** Forgets the remembered actors of a user whose role, access or password changed. */
  forgetUser(userId: number): void {
    for (const [tokenHash, entry] of this.actorCache) if (entry.actor.id === userId) this.actorCache.delete(tokenHash);
  }
}
