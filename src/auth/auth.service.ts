import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { AuditService } from '../audit/audit.service';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import { textProblem } from '../common/text';
import { UnitOfWork } from '../database/unit-of-work';
import { CreateResult, IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { Actor, SYSTEM_ACTOR } from './actor';
import { AuthRepository } from './auth.repository';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password-hasher';
import { SESSION_IDLE_MINUTES, slidExpiry } from './session-expiry';
import { Role, UserEntity } from './user.entity';

/** An email as the login form and LoginDto take it. */
const LOGIN_EMAIL = { min: 1, max: 254 };

/** After this many wrong passwords in a row the account waits LOCK_MINUTES before it can try again. */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
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
}

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, role: user.role, donorId: user.donorId };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');
  private readonly actorCache = new Map<string, { actor: Actor; until: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: AuthRepository,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * `session` tokens (browser sign-in) start with the idle window and slide with use; `api`
   * tokens live for TOKEN_TTL_HOURS. Both end at TOKEN_TTL_HOURS after sign-in at the latest.
   */
  async login(email: string, password: string, kind: 'api' | 'session' = 'api'): Promise<LoginResult> {
    // An email that no account could hold (a NUL, a line break…) is a wrong email, never a query.
    const user = textProblem(email, LOGIN_EMAIL) === null ? await this.users.findUserByEmail(email) : null;
    const now = new Date();
    if (!user || !user.active) {
      await verifyPassword(password, DUMMY_HASH);
      throw new UnauthorizedException('Email or password is wrong');
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      await verifyPassword(password, DUMMY_HASH);
      throw new UnauthorizedException('Too many failed sign-ins: this account is locked for a few minutes');
    }
    if (!(await verifyPassword(password, user.passwordHash))) {
      const failures = user.failedLogins + 1;
      const lockedUntil = failures >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null;
      await this.uow.transaction((tx) => this.users.updateLoginState(tx, user.id, lockedUntil ? 0 : failures, lockedUntil));
      throw new UnauthorizedException('Email or password is wrong');
    }
    const token = randomBytes(32).toString('base64url');
    const lifetimeMs = kind === 'session' ? Math.min(SESSION_IDLE_MINUTES * 60_000, this.ttlMs) : this.ttlMs;
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    await this.uow.transaction(async (tx) => {
      if (user.failedLogins || user.lockedUntil) await this.users.updateLoginState(tx, user.id, 0, null);
      await this.users.insertToken(tx, { tokenHash: hashToken(token), userId: user.id, expiresAt });
    });
    return { token, expiresAt: expiresAt.toISOString(), user: toUserView(user) };
  }

  async logout(token: string): Promise<void> {
    this.actorCache.delete(hashToken(token));
    await this.uow.transaction((tx) => this.users.revokeToken(tx, hashToken(token), new Date()));
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
    const { token: row, user } = live;
    const extended = slidExpiry(now, new Date(row.expiresAt), new Date(row.createdAt), SESSION_IDLE_MINUTES * 60_000, this.ttlMs);
    if (extended) await this.uow.transaction((tx) => this.users.extendToken(tx, row.id, extended));
    const actor: Actor = { id: user.id, email: user.email, role: user.role, donorId: user.donorId };
    if (opts.remember) {
      if (this.actorCache.size >= ACTOR_CACHE_MAX) this.actorCache.clear();
      this.actorCache.set(tokenHash, { actor, until: Math.min(nowMs + ACTOR_CACHE_MS, (extended ?? new Date(row.expiresAt)).getTime()) });
    }
    return actor;
  }

  async createUser(
    actor: Actor,
    input: { email: string; password: string; role: Role; donorId?: number | null },
    donorExists: (id: number) => Promise<boolean>,
    idem: IdempotencyContext | null = null,
  ): Promise<CreateResult<UserView>> {
    const email = input.email.toLowerCase();
    if (input.role === 'donor' && !input.donorId) throw InvalidInputError.field('donorId', 'a donor user needs donorId');
    if (input.role !== 'donor' && input.donorId) throw InvalidInputError.field('donorId', 'only donor users belong to a donor');
    if (input.donorId && !(await donorExists(input.donorId))) throw new NotFoundError('Donor', input.donorId);
    const passwordHash = await hashPassword(input.password);
    return this.idempotency.create(idem, async (tx) => {
      if (await tx.getRepository(UserEntity).exists({ where: { email } })) {
        throw new ConflictError('A user with this email exists', [{ field: 'email', message: 'already registered' }]);
      }
      const created = await this.users.insertUser(tx, { email, passwordHash, role: input.role, donorId: input.donorId ?? null });
      const view = toUserView(created);
      await this.audit.record(tx, actor, { action: 'user.create', entityType: 'user', entityId: created.id, after: view });
      return view;
    });
  }

  async listUsers(page: PageRequest): Promise<Page<UserView>> {
    return toPage(await this.users.listUsers(page.afterId, page.limit), page, toUserView);
  }

  /** First start: with no users at all, create the configured admin. */
  async ensureBootstrapAdmin(): Promise<void> {
    if ((await this.users.countUsers()) > 0) return;
    const admin = this.config.bootstrapAdmin;
    if (!admin) {
      throw new Error('No users exist: set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD to create the first admin');
    }
    await this.createUser(SYSTEM_ACTOR, { email: admin.email, password: admin.password, role: 'admin' }, async () => true, null);
    this.logger.log(`Created bootstrap admin ${admin.email}`);
  }
}
