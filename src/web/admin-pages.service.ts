import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { AuthService } from '../auth/auth.service';
import { CreateUserDto } from '../auth/dto';
import { ROLES } from '../auth/user.entity';
import { AuditService } from '../audit/audit.service';
import { DomainError, FieldProblem, InvalidInputError } from '../common/errors/domain-errors';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { parseIdText } from '../common/ids';
import { DonorsService } from '../donors/donors.service';
import { displayCurrencyOf, FundingGapService } from '../funding/funding-gap.service';
import { todayUtc } from '../common/dates';
import { goodsText } from '../common/presentation/goods';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { parsePledgeListQuery } from '../pledges/pledge-query';
import { PledgesService } from '../pledges/pledges.service';
import { dtoProblems } from './dto-problems';
import { ROLE_LABELS } from './navigation';
import { actionLabel, describeChanges, errorsByField, withFieldIds } from './pledge-list';
import type { FormOutcome } from './pledge-pages.service';
import { signOfDecimal } from '../common/presentation/format';

function single(value: unknown, max = 100): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** View models for the donor, audit and user screens. */
@Injectable()
export class AdminPagesService {
  constructor(
    private readonly donors: DonorsService,
    private readonly pledges: PledgesService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly funding: FundingGapService,
  ) {}

  async donorsPage(actor: Actor, query: Record<string, unknown>) {
    const page = parsePageRequest(query.limit, query.cursor);
    const result = await this.donors.list(actor, page);
    return {
      title: 'Donors',
      donors: result.items.map((d) => ({
        id: d.id,
        name: d.name,
        type: d.type,
        countryCode: d.countryCode,
        contacts: d.contacts.length,
        digestContacts: d.contacts.filter((c) => c.digestEnabled && !c.unsubscribedAt).length,
      })),
      nextPageHref: result.nextCursor ? `/donors?cursor=${encodeURIComponent(result.nextCursor)}` : null,
    };
  }

  /** One donor with its contacts, digest settings and pledges; another donor's page is a 404 to a donor user. */
  async donorPage(actor: Actor, id: number) {
    const donor = await this.donors.get(actor, id);
    const { filter, page } = parsePledgeListQuery({ donorId: String(id), limit: '500' });
    const currency = displayCurrencyOf(donor.displayCurrency);
    const [pledges, figures, national] = await Promise.all([
      this.pledges.list(actor, filter, page, donor.displayCurrency),
      // The donor's totals and the national picture from the funding engine: the figures its digest shows.
      this.funding.get(currency, todayUtc(), { donorId: id }),
      this.funding.get(currency, todayUtc()),
    ]);
    const f = figures.foreign;
    return {
      national: {
        government: national.government.total,
        governmentNote: national.government.source
          ? `${national.government.basis ?? 'stated'} as at ${national.government.asAt}; ${national.government.source}`
          : null,
        foreignItemised: national.foreign.itemised,
        foreignReceived: national.foreign.received,
        sharePledged: national.foreignShare.pledged,
        reportedShare: national.reported.foreignShare,
      },
      totals: {
        pledged: f.itemised,
        received: f.received,
        outstanding: f.outstanding,
        receiptNotDocumented: f.receiptNotDocumented,
        cancelled: signOfDecimal(f.cancelled.amount) === 0 ? null : f.cancelled,
        goods: figures.byDonor.flatMap((row) => row.inKind.map(goodsText)),
        asOf: figures.asOf,
      },
      title: donor.name,
      donor: {
        ...donor,
        contacts: donor.contacts.map((c) => ({
          ...c,
          digest: c.unsubscribedAt ? `unsubscribed on ${c.unsubscribedAt.slice(0, 10)}` : c.digestEnabled ? 'receives the digest' : 'digest switched off',
        })),
      },
      pledges: pledges.items.map((p) => ({
        id: p.id,
        title: p.title,
        amount: p.amount,
        currency: p.currency,
        inKind: p.inKind ? { quantity: String(p.inKind.quantity), unit: p.inKind.unit } : null,
        status: p.status,
        converted: p.converted,
      })),
      digestPreviewHref: `/api/digests/preview/${donor.id}`,
      canRecordPledge: actor.role === 'admin' || actor.role === 'officer',
    };
  }

  async auditPage(query: Record<string, unknown>) {
    const entityType = single(query.entityType, 40);
    const entityId = single(query.entityId, 64);
    if (entityType && !/^[a-z_]{1,40}$/.test(entityType)) throw InvalidInputError.field('entityType', 'entityType is a word such as pledge or donor');
    if (entityId && !/^[0-9]{1,15}$/.test(entityId)) throw InvalidInputError.field('entityId', 'entityId is a number');
    const page = parsePageRequest(query.limit, query.cursor);
    const rows = await this.audit.list({ entityType: entityType || undefined, entityId: entityId || undefined, ...page });
    const result = toPage(rows, page, (e) => ({
      at: new Date(e.at).toISOString(),
      actorEmail: e.actorEmail,
      action: actionLabel(e.action),
      entityType: e.entityType,
      entityId: e.entityId,
      href: e.entityType === 'pledge' ? `/pledges/${e.entityId}` : e.entityType === 'donor' ? `/donors/${e.entityId}` : null,
      reason: e.reason,
      changes: describeChanges(e.before, e.after),
    }));
    const params = new URLSearchParams({ entityType, entityId });
    if (result.nextCursor) params.set('cursor', result.nextCursor);
    return {
      title: 'Audit log',
      filters: { entityType, entityId },
      entityTypes: ['pledge', 'disbursement', 'donor', 'donor_contact', 'user', 'priority'],
      entries: result.items,
      nextPageHref: result.nextCursor ? `/audit?${params.toString()}` : null,
    };
  }

  async usersPage(
    actor: Actor,
    query: Record<string, unknown>,
    form: Record<string, string> | null = null,
    problems: FieldProblem[] = [],
    flash: { kind: string; message: string } | null = null,
  ) {
    const page = parsePageRequest(query.limit, query.cursor);
    const users = await this.auth.listUsers(page);
    const donors = await this.donors.list(actor, parsePageRequest('500', undefined));
    const donorNames = new Map(donors.items.map((d) => [d.id, d.name]));
    return {
      title: 'Users',
      flash,
      users: users.items.map((u) => ({
        ...u,
        roleLabel: ROLE_LABELS[u.role],
        donorName: u.donorId ? (donorNames.get(u.donorId) ?? `donor ${u.donorId}`) : null,
      })),
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      donors: donors.items.map((d) => ({ id: String(d.id), name: d.name })),
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
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email)) problems.push({ field: 'email', message: 'Enter an email address such as name@anama.gov.az' });
    if (password.length < 10) problems.push({ field: 'password', message: 'The first password needs at least 10 characters' });
    if (!(ROLES as readonly string[]).includes(form.role)) problems.push({ field: 'role', message: 'Choose a role' });
    const donorId = form.donorId ? parseIdText(form.donorId) : null;
    if (form.role === 'donor' && donorId === null) problems.push({ field: 'donorId', message: 'A donor user needs its donor' });
    if (form.role !== 'donor' && form.donorId) problems.push({ field: 'donorId', message: 'Only donor users belong to a donor' });
    const input = { email: form.email, password, role: form.role as (typeof ROLES)[number], donorId };
    // The API's rules too (CreateUserDto), so the form cannot store what POST /api/users refuses.
    if (!problems.length) problems.push(...(await dtoProblems(CreateUserDto, input)).problems);
    let status = 400;
    if (!problems.length) {
      try {
        const idem = idempotencyContext(actor.id, form.idempotencyKey, 'POST /users', { email: input.email, role: input.role, donorId: input.donorId });
        const created = await this.auth.createUser(actor, input, (id) => this.donors.exists(id), idem);
        return { redirectTo: `/users?invited=${created.body.id}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'email', message: error.message }]));
      }
    }
    return { status, view: 'users', page: await this.usersPage(actor, {}, form, problems) };
  }
}
