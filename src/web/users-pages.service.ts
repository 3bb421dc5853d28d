import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { CreateUserDto } from '../auth/dto';
import { ROLES, type Role } from '../access/roles';
import { PASSWORD_RESET_HOURS, UsersService, type ResetLink } from '../auth/users.service';
import { DomainError, FieldProblem } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import { parseIdText } from '../common/ids';
import { DonorsService } from '../donors/donors.service';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { dtoProblems } from './dto-problems';
import { ROLE_LABELS } from './navigation';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

type Flash = { kind: 'success' | 'error'; message: string } | null;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A DomainError's problems for a form, or the error again when it is not one. */
function formProblems(error: unknown, fallbackField: string): { status: number; problems: FieldProblem[] } {
  if (!(error instanceof DomainError)) throw error;
  return { status: error.status, problems: error.details.length ? error.details : [{ field: fallbackField, message: error.message }] };
}

/** The user screens: the list and invitations, one user's role and access, reset links, and each user's own password. */
@Injectable()
export class UsersPagesService {
  constructor(
    private readonly users: UsersService,
    private readonly donors: DonorsService,
  ) {}

  private async donorChoices(actor: Actor) {
    const donors = await this.donors.list(actor, parsePageRequest('500', undefined));
    return donors.items.map((d) => ({ id: String(d.id), name: d.name }));
  }

  async usersPage(
    actor: Actor,
    query: Record<string, unknown>,
    form: Record<string, string> | null = null,
    problems: FieldProblem[] = [],
    flash: Flash = null,
  ) {
    const page = parsePageRequest(query.limit, query.cursor);
    const [users, donors] = await Promise.all([this.users.list(actor, page), this.donorChoices(actor)]);
    const donorNames = new Map(donors.map((d) => [Number(d.id), d.name]));
    return {
      title: 'Users',
      flash,
      users: users.items.map((u) => ({
        ...u,
        href: `/users/${u.id}`,
        roleLabel: ROLE_LABELS[u.role],
        status: u.active ? 'Active' : 'Deactivated',
        donorName: u.donorId ? (donorNames.get(u.donorId) ?? `donor ${u.donorId}`) : null,
      })),
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      donors,
      form: form ?? { email: '', role: 'officer', donorId: '', idempotencyKey: randomUUID() },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
      nextPageHref: users.nextCursor ? `/users?cursor=${encodeURIComponent(users.nextCursor)}` : null,
    };
  }

  /** Invites a user: an account with a first password the admin passes on. Problems come back beside the fields. */
  async inviteUser(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = {
      email: single(body.email, 254).trim(),
      role: single(body.role, 16),
      donorId: single(body.donorId, 12),
      idempotencyKey: single(body.idempotencyKey, 200) || randomUUID(),
    };
    const password = single(body.password, 200);
    const problems: FieldProblem[] = [];
    if (!EMAIL.test(form.email)) problems.push({ field: 'email', message: 'Enter an email address such as name@anama.gov.az' });
    if (password.length < 10) problems.push({ field: 'password', message: 'The first password needs at least 10 characters' });
    if (!(ROLES as readonly string[]).includes(form.role)) problems.push({ field: 'role', message: 'Choose a role' });
    const donorId = form.donorId ? parseIdText(form.donorId) : null;
    if (form.role === 'donor' && donorId === null) problems.push({ field: 'donorId', message: 'A donor user needs its donor' });
    if (form.role !== 'donor' && form.donorId) problems.push({ field: 'donorId', message: 'Only donor users belong to a donor' });
    const input = { email: form.email, password, role: form.role as Role, donorId };
    // The API's rules too (CreateUserDto), so the form cannot store what POST /api/users refuses.
    if (!problems.length) problems.push(...(await dtoProblems(CreateUserDto, input)).problems);
    let status = 400;
    if (!problems.length) {
      try {
        const idem = idempotencyContext(actor, form.idempotencyKey, 'POST /users', { email: input.email, role: input.role, donorId: input.donorId });
        const created = await this.users.create(actor, input, idem);
        return { redirectTo: `/users?invited=${created.body.id}` };
      } catch (error) {
        const outcome = formProblems(error, 'email');
        status = outcome.status;
        problems.push(...outcome.problems);
      }
    }
    return { status, view: 'users/index', page: await this.usersPage(actor, {}, form, problems) };
  }

  async userPage(actor: Actor, id: number, opts: { form?: Record<string, string>; problems?: FieldProblem[]; flash?: Flash; resetLink?: ResetLink } = {}) {
    const [user, donors] = await Promise.all([this.users.get(actor, id), this.donorChoices(actor)]);
    const problems = opts.problems ?? [];
    return {
      title: user.email,
      flash: opts.flash ?? null,
      user: { ...user, roleLabel: ROLE_LABELS[user.role], status: user.active ? 'Active' : 'Deactivated', isSelf: user.id === actor.id },
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      donors,
      form: opts.form ?? { role: user.role, donorId: user.donorId ? String(user.donorId) : '', active: user.active ? 'yes' : '' },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
      resetLink: opts.resetLink ?? null,
      resetHours: PASSWORD_RESET_HOURS,
    };
  }

  /** Saves role, donor and access; the service keeps the last active admin and ends a deactivated user's sessions. */
  async updateUser(actor: Actor, id: number, body: Record<string, unknown>): Promise<FormOutcome> {
    const form = { role: single(body.role, 16), donorId: single(body.donorId, 12), active: single(body.active, 3) === 'yes' ? 'yes' : '' };
    const problems: FieldProblem[] = [];
    if (!(ROLES as readonly string[]).includes(form.role)) problems.push({ field: 'role', message: 'Choose a role' });
    const donorId = form.donorId ? parseIdText(form.donorId) : null;
    if (form.donorId && donorId === null) problems.push({ field: 'donorId', message: 'Choose a donor from the list' });
    if (form.role === 'donor' && donorId === null) problems.push({ field: 'donorId', message: 'A donor user needs its donor' });
    if (form.role !== 'donor' && form.donorId) problems.push({ field: 'donorId', message: 'Only donor users belong to a donor: choose None' });
    let status = 400;
    if (!problems.length) {
      try {
        await this.users.update(actor, id, { role: form.role as Role, donorId, active: form.active === 'yes' });
        return { redirectTo: `/users/${id}?saved=1` };
      } catch (error) {
        const outcome = formProblems(error, 'role');
        status = outcome.status;
        problems.push(...outcome.problems);
      }
    }
    return { status, view: 'users/show', page: await this.userPage(actor, id, { form, problems }) };
  }

  /** Shows the new link once, on this page only (it is never put in a URL or the log). */
  async issueReset(actor: Actor, id: number) {
    const resetLink = await this.users.issuePasswordReset(actor, id);
    return this.userPage(actor, id, {
      resetLink,
      flash: { kind: 'success', message: 'Reset link created. Pass it on to the user yourself; earlier links no longer work.' },
    });
  }

  async resetPage(secret: string, problems: FieldProblem[] = []) {
    const account = await this.users.resetLinkAccount(secret);
    return {
      title: 'Choose a new password',
      account,
      action: `/password-reset/${encodeURIComponent(secret)}`,
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  async resetPassword(secret: string, body: Record<string, unknown>): Promise<FormOutcome> {
    const password = single(body.password, 201);
    const problems = newPasswordProblems(password, single(body.confirmPassword, 201), 'password');
    let status = 400;
    if (!problems.length) {
      try {
        await this.users.resetPassword(secret, password);
        return { redirectTo: '/login?reset=1' };
      } catch (error) {
        const outcome = formProblems(error, 'password');
        status = outcome.status;
        problems.push(...outcome.problems);
      }
    }
    return { status, view: 'account/reset', page: await this.resetPage(secret, problems) };
  }

  accountPage(actor: Actor, problems: FieldProblem[] = [], flash: Flash = null) {
    return { title: 'Your password', email: actor.email, flash, errors: errorsByField(problems), errorList: withFieldIds(problems) };
  }

  async changePassword(actor: Actor, token: string | null, body: Record<string, unknown>): Promise<FormOutcome> {
    const current = single(body.currentPassword, 200);
    const next = single(body.newPassword, 201);
    const problems = newPasswordProblems(next, single(body.confirmPassword, 201), 'newPassword');
    if (!current) problems.unshift({ field: 'currentPassword', message: 'Enter your current password' });
    let status = 400;
    if (!problems.length) {
      try {
        await this.users.changeOwnPassword(actor, token, current, next);
        return { redirectTo: '/account/password?changed=1' };
      } catch (error) {
        const outcome = formProblems(error, 'newPassword');
        status = outcome.status;
        problems.push(...outcome.problems);
      }
    }
    return { status, view: 'account/password', page: this.accountPage(actor, problems) };
  }
}

function newPasswordProblems(password: string, confirm: string, field: string): FieldProblem[] {
  if (password.length < 10) return [{ field, message: 'The new password needs at least 10 characters' }];
  if (password.length > 200) return [{ field, message: 'The new password can have at most 200 characters' }];
  if (password !== confirm) return [{ field: 'confirmPassword', message: 'The two passwords are not the same' }];
  return [];
}
