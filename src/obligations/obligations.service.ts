import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { UsersService } from '../auth/users.service';
import { addDays, isIsoDate, todayUtc } from '../common/dates';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { CreateResult, IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import { PledgesService } from '../pledges/pledges.service';
import { PledgeInstalmentsService, type ScheduledInstalment } from '../pledges/instalments.service';
import type { InstalmentState } from '../ledger/instalment-rules';
import type { MoneyJson } from '../common/money/money';
import type { CreateObligationDto } from './dto';
import { icalendar } from './icalendar';
import { OBLIGATION_KINDS, type ObligationEntity, type ObligationKind } from './obligation.entity';
import { isOverdue, OBLIGATION_KIND_LABELS, stateOf, type ObligationState } from './obligation-rules';
import { ObligationsRepository } from './obligations.repository';

/** The calendar's default window: today and the next 90 days (and everything overdue before it). */
export const CALENDAR_DAYS = 90;
/** The feed looks further ahead: calendar programs show what is coming. */
const FEED_DAYS = 365;
/** The widest window one request may ask for. */
const MAX_WINDOW_DAYS = 3 * 366;

export interface ObligationView {
  id: number;
  pledgeId: number;
  donorId: number;
  kind: ObligationKind;
  title: string;
  dueOn: string;
  responsible: string | null;
  state: ObligationState;
  submittedOn: string | null;
  waivedReason: string | null;
  overdue: boolean;
}

interface CalendarEntryBase {
  id: number;
  dueOn: string;
  title: string;
  kindLabel: string;
  donorId: number;
  donorName: string;
  pledgeId: number;
  href: string;
  overdue: boolean;
}

/** A report or other deliverable owed to the donor. */
export interface ObligationCalendarEntry extends CalendarEntryBase {
  type: 'obligation';
  kind: ObligationKind;
  state: ObligationState;
}

/** A planned instalment the donor owes: its size and what is still expected of it (money in the pledge's currency, or units). */
export interface InstalmentCalendarEntry extends CalendarEntryBase {
  type: 'instalment';
  kind: 'instalment';
  state: InstalmentState;
  pledgeTitle: string;
  amount: MoneyJson | null;
  expected: MoneyJson | null;
  quantity: number | null;
  expectedQuantity: number | null;
  unit: string | null;
}

export type CalendarEntry = ObligationCalendarEntry | InstalmentCalendarEntry;

/** The calendar's kinds: the obligations' and the instalments. */
export const CALENDAR_KINDS = [...OBLIGATION_KINDS, 'instalment'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];
export const CALENDAR_KIND_LABELS: Record<CalendarKind, string> = { ...OBLIGATION_KIND_LABELS, instalment: 'Instalment' };

/** "250000.00 EUR" or "10 mine detection dogs": an instalment's size in the words of a calendar line. */
function instalmentSizeText(i: Pick<ScheduledInstalment, 'amount' | 'quantity' | 'unit'>): string {
  return i.amount ? `${i.amount.amount} ${i.amount.currency}` : `${i.quantity ?? 0} ${i.unit ?? 'units'}`;
}

/** An obligation as a donor's digest shows it: nothing internal (no responsible person, no waived reason). */
export interface DonorObligationLine {
  title: string;
  kindLabel: string;
  dueOn: string;
  /** Set when it was submitted: the digest says so. */
  submittedOn: string | null;
  overdue: boolean;
}

export interface CalendarQuery {
  from?: unknown;
  to?: unknown;
  donorId?: unknown;
  kind?: unknown;
}

function toView(o: ObligationEntity, today: string): ObligationView {
  return {
    id: o.id,
    pledgeId: o.pledgeId,
    donorId: o.donorId,
    kind: o.kind,
    title: o.title,
    dueOn: o.dueOn,
    responsible: o.responsible,
    state: stateOf(o),
    submittedOn: o.submittedOn,
    waivedReason: o.waivedReason,
    overdue: isOverdue(o, today),
  };
}

/** An entry's line in a calendar program: overdue first, a closed obligation or a received instalment says so. */
function feedSummary(e: CalendarEntry): string {
  if (e.type === 'instalment') {
    const state = e.overdue ? 'OVERDUE: ' : e.state === 'received' ? 'Received: ' : e.state === 'partly_received' ? 'Partly received: ' : '';
    return `${state}Instalment from ${e.donorName}: ${e.title}`;
  }
  const state = e.overdue ? 'OVERDUE: ' : e.state === 'open' ? '' : `${e.state === 'submitted' ? 'Submitted' : 'Waived'}: `;
  return `${state}${e.kindLabel} for ${e.donorName}: ${e.title}`;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * What ANAMA owes donors (reports, audits, visibility) and the calendar that shows it with what is
 * overdue. Obligations belong to a pledge; their donor is the pledge's. Submitting and waiving are
 * one-way and audited; a waived or submitted obligation is never reopened (record a new one).
 */
@Injectable()
export class ObligationsService {
  /** The navigation's overdue count, with the figures version and day it was counted at (overdueCount). */
  private overdue: { key: string; count: Promise<number> } | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly obligations: ObligationsRepository,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly pledges: PledgesService,
    private readonly donors: DonorsService,
    private readonly users: UsersService,
    private readonly instalments: PledgeInstalmentsService,
  ) {}

  async create(actor: Actor, dto: CreateObligationDto, idem: IdempotencyContext | null): Promise<CreateResult<ObligationView>> {
    const pledge = await this.pledges.get(actor, dto.pledgeId, 'USD');
    return this.idempotency.create(idem, async (tx) => {
      const row = await this.obligations.insert(tx, {
        organisationId: organisationOf(actor),
        pledgeId: pledge.id,
        donorId: pledge.donorId,
        kind: dto.kind,
        title: dto.title,
        dueOn: dto.dueOn,
        responsible: dto.responsible ?? null,
        createdBy: actor.id,
      });
      const view = toView(row, todayUtc());
      await this.audit.record(tx, actor, { action: 'obligation.create', entityType: 'obligation', entityId: row.id, after: view });
      return view;
    });
  }

  async get(actor: Actor, id: number): Promise<ObligationView> {
    const row = await this.obligations.findById(organisationOf(actor), id);
    if (!row) throw new NotFoundError('Obligation', id);
    return toView(row, todayUtc());
  }

  async ofPledge(pledgeId: number): Promise<ObligationView[]> {
    const today = todayUtc();
    return (await this.obligations.byPledge(pledgeId)).map((o) => toView(o, today));
  }

  submit(actor: Actor, id: number, submittedOn: string): Promise<ObligationView> {
    return this.close(actor, id, 'obligation.submit', null, (tx) => this.obligations.markSubmitted(tx, id, submittedOn));
  }

  waive(actor: Actor, id: number, reason: string): Promise<ObligationView> {
    return this.close(actor, id, 'obligation.waive', reason, (tx) => this.obligations.markWaived(tx, id, reason));
  }

  private close(
    actor: Actor,
    id: number,
    action: string,
    reason: string | null,
    write: (tx: Parameters<ObligationsRepository['insert']>[0]) => Promise<void>,
  ): Promise<ObligationView> {
    return this.uow.transaction(async (tx) => {
      const row = await this.obligations.findById(organisationOf(actor), id, tx);
      if (!row) throw new NotFoundError('Obligation', id);
      const today = todayUtc();
      const before = toView(row, today);
      if (before.state !== 'open') {
        throw new ConflictError(`Obligation ${id} is already ${before.state}`, [
          { field: 'state', message: `already ${before.state}: record a new obligation instead` },
        ]);
      }
      await write(tx);
      const after = toView((await this.obligations.findById(organisationOf(actor), id, tx)) as ObligationEntity, today);
      await this.audit.record(tx, actor, { action, entityType: 'obligation', entityId: id, before, after, reason });
      return after;
    });
  }

  /**
   * Overdue obligations (open, due before today) and instalments (past their date, not covered),
   * for the navigation's count on every staff page. Counted again once the figures version moves
   * (every committed write that is not derived-only, on any instance: an obligation, a receipt, an
   * instalment) or the UTC day turns; otherwise the count of the version and day it was read at.
   */
  async overdueCount(): Promise<number> {
    const today = todayUtc();
    const key = `${await this.uow.figuresVersion()}@${today}`;
    if (this.overdue?.key !== key) {
      const count = Promise.all([this.obligations.countOverdue(today), this.instalments.overdueCount()]).then(([o, i]) => o + i);
      const entry = { key, count };
      this.overdue = entry;
      // A failed count is not kept: the next page counts again.
      count.catch(() => {
        if (this.overdue === entry) this.overdue = null;
      });
    }
    return this.overdue.count;
  }

  /**
   * Everything due from `from` to `to` (default: today and the next CALENDAR_DAYS days) and
   * everything overdue before it, oldest first, optionally for one donor or one kind.
   */
  async calendar(actor: Actor, query: CalendarQuery, days = CALENDAR_DAYS) {
    const today = todayUtc();
    const from = this.dateParam(query.from, 'from') ?? today;
    const to = this.dateParam(query.to, 'to') ?? addDays(from, days);
    if (to < from) throw InvalidInputError.field('to', 'to must be on or after from');
    if (addDays(from, MAX_WINDOW_DAYS) < to) throw InvalidInputError.field('to', `the window may span at most ${MAX_WINDOW_DAYS} days`);
    const donorId = this.idParam(query.donorId, 'donorId');
    const kind = this.kindParam(query.kind);
    const obligationKind = kind === 'instalment' ? undefined : kind;
    const [rows, instalments, donors] = await Promise.all([
      kind === 'instalment'
        ? Promise.resolve([])
        : this.obligations.inWindow({ today, from, to, organisationId: organisationOf(actor), donorId, kind: obligationKind }),
      kind === undefined || kind === 'instalment'
        ? this.instalments.inWindow({ today, from, to, organisationId: organisationOf(actor), donorId })
        : Promise.resolve([]),
      this.donors.list(actor, parsePageRequest('500', undefined)),
    ]);
    const names = new Map(donors.items.map((d) => [d.id, d.name]));
    const obligationEntries: CalendarEntry[] = rows.map((o) => ({
      type: 'obligation',
      id: o.id,
      dueOn: o.dueOn,
      title: o.title,
      kind: o.kind,
      kindLabel: OBLIGATION_KIND_LABELS[o.kind],
      donorId: o.donorId,
      donorName: names.get(o.donorId) ?? `Donor ${o.donorId}`,
      pledgeId: o.pledgeId,
      href: `/pledges/${o.pledgeId}`,
      state: stateOf(o),
      overdue: isOverdue(o, today),
    }));
    const instalmentEntries: CalendarEntry[] = instalments.map((i) => ({
      ...i,
      type: 'instalment',
      kind: 'instalment',
      kindLabel: CALENDAR_KIND_LABELS.instalment,
      title: `${instalmentSizeText(i)} of ${i.pledgeTitle}`,
      donorName: names.get(i.donorId) ?? `Donor ${i.donorId}`,
      href: `/pledges/${i.pledgeId}`,
    }));
    const entries = [...obligationEntries, ...instalmentEntries].sort((a, b) =>
      a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.type !== b.type ? (a.type === 'obligation' ? -1 : 1) : a.id - b.id,
    );
    return { today, from, to, donorId: donorId ?? null, kind: kind ?? null, overdueCount: entries.filter((e) => e.overdue).length, entries };
  }

  /**
   * What ANAMA owes a donor, for its digest: open obligations due up to `to` (overdue ones
   * included) and those submitted on or after `submittedSince`, oldest first. Only what the donor
   * may read: never who is responsible, and waived obligations (with their internal reasons) not at all.
   */
  async forDonorDigest(donorId: number, today: string, to: string, submittedSince: string): Promise<DonorObligationLine[]> {
    const rows = await this.obligations.forDonor(donorId, to);
    return rows
      .filter((o) => stateOf(o) === 'open' || (stateOf(o) === 'submitted' && (o.submittedOn as string) >= submittedSince))
      .map((o) => ({
        title: o.title,
        kindLabel: OBLIGATION_KIND_LABELS[o.kind],
        dueOn: o.dueOn,
        submittedOn: o.submittedOn,
        overdue: isOverdue(o, today),
      }));
  }

  /** A new secret feed URL for the caller; the previous one answers 404 from now on. */
  async rotateFeedKey(actor: Actor): Promise<{ url: string }> {
    const key = randomBytes(24).toString('base64url');
    await this.uow.transaction(async (tx) => {
      await this.obligations.replaceFeedKey(tx, actor.id, hashKey(key));
      await this.audit.record(tx, actor, { action: 'calendar.feed_key_rotated', entityType: 'user', entityId: actor.id });
    });
    return { url: `${this.config.appUrl}/api/calendar.ics?key=${key}` };
  }

  /** The iCalendar text of a feed key's owner, or null for an unknown key or a user who may no longer read it. */
  async feed(key: unknown): Promise<string | null> {
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(key)) return null;
    const userId = await this.obligations.feedUser(hashKey(key));
    const user = userId === null ? null : await this.users.byCredential(userId);
    if (!user?.active || user.role === 'donor') return null;
    const actor: Actor = { id: user.id, email: user.email, role: user.role, donorId: user.donorId, organisationId: user.organisationId };
    const { entries } = await this.calendar(actor, {}, FEED_DAYS);
    const stamp = new Date();
    return icalendar(
      'Mine action funding: reports and instalments',
      entries.map((e) => ({
        uid: `${e.type}-${e.id}@${new URL(this.config.appUrl).host}`,
        date: e.dueOn,
        summary: feedSummary(e),
        description:
          e.type === 'obligation'
            ? `${e.kindLabel} owed to ${e.donorName}, due ${e.dueOn}. ${this.config.appUrl}${e.href}`
            : `Instalment from ${e.donorName}, due ${e.dueOn}: ${instalmentSizeText(e)}${e.expected || e.expectedQuantity !== null ? `, still expected ${instalmentSizeText({ amount: e.expected, quantity: e.expectedQuantity, unit: e.unit })}` : ''}. ${this.config.appUrl}${e.href}`,
        url: `${this.config.appUrl}${e.href}`,
        stamp,
      })),
    );
  }

  private dateParam(value: unknown, field: string): string | undefined {
    if (value === undefined || value === '') return undefined;
    if (!isIsoDate(value)) throw InvalidInputError.field(field, `${field} must be a real date written YYYY-MM-DD`);
    return value;
  }

  private idParam(value: unknown, field: string): number | undefined {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) throw InvalidInputError.field(field, `${field} must be a record id`);
    return Number(value);
  }

  private kindParam(value: unknown): CalendarKind | undefined {
    if (value === undefined || value === '') return undefined;
    if (!(CALENDAR_KINDS as readonly unknown[]).includes(value)) throw InvalidInputError.field('kind', `kind must be one of ${CALENDAR_KINDS.join(', ')}`);
    return value as CalendarKind;
  }
}
