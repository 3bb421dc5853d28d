import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Page, PageRequest, toPage } from '../common/http/pagination';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { CreateResult, IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { Actor, actingFor, organisationOf, SYSTEM_ACTOR } from '../access/actor';
import { AuthRepository } from './auth.repository';
import { AuthService, hashToken, toUserView, UserView } from './auth.service';
import { PasswordHasher } from './password-hasher';
import { OrganisationsService } from '../organisations/organisations.service';
import type { Role } from '../access/roles';

/** How long an admin-issued reset link works. */
export const PASSWORD_RESET_HOURS = 24;

/** Taken while a change could leave no active admin, so two admins cannot demote each other at once. */
const ADMINS_LOCK = 'mat:users:admins';

export interface UserChange {
  role?: Role;
  donorId?: number | null;
  active?: boolean;
}

export interface ResetLink {
  url: string;
  expiresAt: string;
}

/**
 * The people who use the tracker: invitations, role and donor changes, deactivation, admin-issued
 * reset links and each user's own password. A deactivated user, or one whose password was reset,
 * has every token revoked in the same transaction, so an open session is refused on its next
 * request (API tokens on another instance within AuthService's 10 s actor cache).
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger('UsersService');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: AuthRepository,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly donors: DonorsService,
    private readonly organisations: OrganisationsService,
  ) {}

  async create(
    actor: Actor,
    input: { email: string; password: string; role: Role; donorId?: number | null },
    idem: IdempotencyContext | null = null,
    organisationId: number | null = actor.organisationId,
  ): Promise<CreateResult<UserView>> {
    const email = input.email.toLowerCase();
    // Every user of today's roles belongs to an organisation; an actor without one must name it.
    if (organisationId === null) throw new Error('A user needs an organisation: the acting user has none, and none was given');
    await this.checkDonorTie(organisationId, input.role, input.donorId ?? null);
    const passwordHash = await this.hasher.hash(input.password);
    return this.idempotency.create(idem, async (tx) => {
      if (await this.users.emailTaken(tx, email)) {
        throw new ConflictError('A user with this email exists', [{ field: 'email', message: 'already registered' }]);
      }
      const created = await this.users.insertUser(tx, { email, passwordHash, role: input.role, donorId: input.donorId ?? null, organisationId });
      const view = toUserView(created);
      await this.audit.record(tx, actor, { action: 'user.create', entityType: 'user', entityId: created.id, after: view });
      return view;
    });
  }

  async list(actor: Actor, page: PageRequest): Promise<Page<UserView>> {
    return toPage(await this.users.listUsers(organisationOf(actor), page.afterId, page.limit), page, toUserView);
  }

  /** A user of the actor's organisation (404 for another organisation's). */
  async get(actor: Actor, id: number): Promise<UserView> {
    const user = await this.users.findOrganisationUser(organisationOf(actor), id);
    if (!user) throw new NotFoundError('User', id);
    return toUserView(user);
  }

  /** A user by id whatever their organisation, for a credential that names them (a calendar feed's key); null when there is none. */
  async byCredential(id: number): Promise<UserView | null> {
    const user = await this.users.findUserById(id);
    return user ? toUserView(user) : null;
  }

  /**
   * Changes a user's role, donor or whether they may sign in. A role other than donor drops the
   * donor tie unless one is given (which is then an error); the last active admin keeps both the
   * role and the access. Deactivating or changing the role ends the user's sessions.
   */
  async update(actor: Actor, id: number, change: UserChange): Promise<UserView> {
    const view = await this.uow.transaction(async (tx) => {
      await this.uow.lockKey(tx, ADMINS_LOCK);
      const user = await this.users.findOrganisationUserInTx(tx, organisationOf(actor), id);
      if (!user) throw new NotFoundError('User', id);
      const before = toUserView(user);
      const role = change.role ?? user.role;
      const donorId = change.donorId !== undefined ? change.donorId : role === 'donor' ? user.donorId : null;
      const active = change.active ?? user.active;
      // A user's donor is of the user's organisation.
      await this.checkDonorTie(user.organisationId ?? organisationOf(actor), role, donorId, tx);
      const stillAdmin = role === 'admin' && active;
      if (user.role === 'admin' && user.active && !stillAdmin && (await this.users.countOtherActiveAdmins(tx, organisationOf(actor), id)) === 0) {
        const field = change.active === false ? 'active' : 'role';
        throw new ConflictError('This is the last active admin: make another user an admin first', [
          { field, message: 'the last active admin cannot be deactivated or given another role' },
        ]);
      }
      await this.users.updateUser(tx, id, { role, donorId, active });
      if (!active || role !== user.role || donorId !== user.donorId) await this.users.revokeUserTokens(tx, id, new Date());
      const after = toUserView({ ...user, role, donorId, active });
      await this.audit.record(tx, actor, { action: 'user.update', entityType: 'user', entityId: id, before, after });
      return after;
    });
    this.auth.forgetUser(id);
    return view;
  }

  /** A link the admin passes on; it sets a new password once, within PASSWORD_RESET_HOURS. Earlier links stop working. */
  async issuePasswordReset(actor: Actor, id: number): Promise<ResetLink> {
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_HOURS * 3_600_000);
    await this.uow.transaction(async (tx) => {
      const user = await this.users.findOrganisationUserInTx(tx, organisationOf(actor), id);
      if (!user) throw new NotFoundError('User', id);
      await this.users.voidPasswordResets(tx, id, now);
      await this.users.insertPasswordReset(tx, { userId: id, tokenHash: hashToken(secret), expiresAt, issuedBy: actor.id });
      await this.audit.record(tx, actor, {
        action: 'user.password_reset_issued',
        entityType: 'user',
        entityId: id,
        after: { email: user.email, expiresAt: expiresAt.toISOString() },
      });
    });
    return { url: `${this.config.appUrl}/password-reset/${secret}`, expiresAt: expiresAt.toISOString() };
  }

  /** The account a reset link opens, or null when the link is unknown, used or expired. */
  async resetLinkAccount(secret: string): Promise<{ email: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
    const reset = await this.users.findLivePasswordReset(null, hashToken(secret), new Date());
    const user = reset ? await this.users.findUserById(reset.userId) : null;
    return user?.active ? { email: user.email } : null;
  }

  /** Sets the password through a reset link; every session of the user ends. */
  async resetPassword(secret: string, password: string): Promise<{ email: string }> {
    checkNewPassword(password, 'password');
    const passwordHash = await this.hasher.hash(password);
    const expired = new InvalidInputError('This reset link has expired or was already used: ask an admin for a new one', [
      { field: 'password', message: 'the reset link has expired or was already used' },
    ]);
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) throw expired;
    const result = await this.uow.transaction(async (tx) => {
      const now = new Date();
      const reset = await this.users.findLivePasswordReset(tx, hashToken(secret), now);
      const user = reset ? await this.users.findUserInTx(tx, reset.userId) : null;
      if (!reset || !user?.active || !(await this.users.usePasswordReset(tx, reset.id, now))) throw expired;
      await this.users.setPasswordHash(tx, user.id, passwordHash);
      await this.users.revokeUserTokens(tx, user.id, now);
      await this.audit.record(
        tx,
        { id: user.id, email: user.email, role: user.role, donorId: user.donorId, organisationId: user.organisationId },
        {
          action: 'user.password_reset',
          entityType: 'user',
          entityId: user.id,
        },
      );
      return { id: user.id, email: user.email };
    });
    this.auth.forgetUser(result.id);
    return { email: result.email };
  }

  /** A signed-in user's own password: the current one is checked; other sessions end, this one stays. */
  async changeOwnPassword(actor: Actor, currentToken: string | null, currentPassword: string, newPassword: string): Promise<void> {
    checkNewPassword(newPassword, 'newPassword');
    const user = await this.users.findUserById(actor.id);
    if (!user?.active) throw new NotFoundError('User', actor.id);
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      throw InvalidInputError.field('currentPassword', 'the current password is not right');
    }
    if (currentPassword === newPassword) throw InvalidInputError.field('newPassword', 'the new password must differ from the current one');
    const passwordHash = await this.hasher.hash(newPassword);
    await this.uow.transaction(async (tx) => {
      await this.users.setPasswordHash(tx, actor.id, passwordHash);
      await this.users.revokeUserTokens(tx, actor.id, new Date(), currentToken ? hashToken(currentToken) : null);
      await this.audit.record(tx, actor, { action: 'user.password_change', entityType: 'user', entityId: actor.id });
    });
    this.auth.forgetUser(actor.id);
  }

  /** First start: with no users at all, create the configured admin, in the first organisation (created here when there is none). */
  async ensureBootstrapAdmin(): Promise<void> {
    if ((await this.users.countUsers()) > 0) return;
    const admin = this.config.bootstrapAdmin;
    if (!admin) {
      throw new Error('No users exist: set BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD to create the first admin');
    }
    const organisationId = await this.uow.transaction((tx) => this.organisations.ensureFirst(tx, this.config.bootstrapOrganisation));
    await this.create(actingFor(SYSTEM_ACTOR, organisationId), { email: admin.email, password: admin.password, role: 'admin' }, null, organisationId);
    this.logger.log(`Created bootstrap admin ${admin.email}`);
  }

  private async checkDonorTie(organisationId: number, role: Role, donorId: number | null, tx?: Transaction): Promise<void> {
    if (role === 'donor' && !donorId) throw InvalidInputError.field('donorId', 'a donor user needs donorId');
    if (role !== 'donor' && donorId) throw InvalidInputError.field('donorId', 'only donor users belong to a donor');
    if (donorId && !(await this.donors.exists(organisationId, donorId, tx))) throw new NotFoundError('Donor', donorId);
  }
}

/** The rule every new password follows, wherever it is set. */
export function checkNewPassword(password: string, field: string): void {
  if (password.length < 10) throw InvalidInputError.field(field, `${field} must be at least 10 characters`);
  if (password.length > 200) throw InvalidInputError.field(field, `${field} must be at most 200 characters`);
}
