import { Injectable } from '@nestjs/common';
import { type Actor, organisationOf } from '../access/actor';
import { visibleOr404 } from '../access/donor-visibility';
import { AuditService } from '../audit/audit.service';
import { todayUtc } from '../common/dates';
import { BusinessRuleError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors';
import { formatAmount, parseAmount, type MoneyJson } from '../common/money/money';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { CreateResult, IdempotencyContext, IdempotencyService } from '../idempotency/idempotency.service';
import type { InstalmentEntity } from '../ledger/instalment.entity';
import { instalmentStanding, scheduleRoom, type InstalmentState } from '../ledger/instalment-rules';
import { Ledger, type ScheduleWindow } from '../ledger/ledger.service';
import type { PledgeEntity } from '../ledger/pledge.entity';
import type { CreateInstalmentDto, UpdateInstalmentDto } from './dto';
import { instalmentSize, scheduleViews, type InstalmentView } from './instalment-view';

/** An instalment as the calendar, its feed and the digests list it, with its state on the day asked. */
export interface ScheduledInstalment {
  id: number;
  pledgeId: number;
  donorId: number;
  pledgeTitle: string;
  dueOn: string;
  amount: MoneyJson | null;
  expected: MoneyJson | null;
  quantity: number | null;
  expectedQuantity: number | null;
  unit: string | null;
  state: InstalmentState;
  overdue: boolean;
}

/** The size of one instalment as a request gives it, checked against the kind of pledge. */
export interface Sized {
  field: 'amount' | 'quantity';
  amountMinor: bigint | null;
  quantity: number | null;
}

/** What the schedule rules read of a pledge: the API's stored pledge, or a pledge row of an import not written yet. */
export type SchedulingPledge = Pick<PledgeEntity, 'kind' | 'amountMinor' | 'currency' | 'inKindQuantity' | 'inKindUnit'>;

/**
 * Cash pledges take an amount in their own currency, in-kind pledges a quantity; never both. The
 * one rule for the API and the pledges CSV import (src/interop), which call it alike.
 */
export function instalmentSizeOf(pledge: SchedulingPledge, amount: string | undefined, quantity: number | undefined): Sized {
  if (pledge.kind === 'cash') {
    if (quantity !== undefined) throw InvalidInputError.field('quantity', 'a cash pledge plans instalments as an amount, not a quantity');
    if (amount === undefined) throw InvalidInputError.field('amount', "an instalment of a cash pledge needs an amount, in the pledge's currency");
    if (pledge.amountMinor === null || pledge.currency === null) {
      throw BusinessRuleError.field('amount', "the pledge's amount is not recorded, so no schedule can be checked against it");
    }
    return { field: 'amount', amountMinor: parseAmount(amount, pledge.currency).minor, quantity: null };
  }
  if (amount !== undefined) throw InvalidInputError.field('amount', 'an in-kind pledge plans instalments as a quantity, not an amount');
  if (quantity === undefined) throw InvalidInputError.field('quantity', 'an instalment of an in-kind pledge needs a quantity');
  if (pledge.inKindQuantity === null)
    throw BusinessRuleError.field('quantity', "the pledge's quantity is not recorded, so no schedule can be checked against it");
  return { field: 'quantity', amountMinor: null, quantity };
}

/**
 * Refuses an instalment the pledge has no room for beside the others (the ledger's `scheduleRoom`),
 * naming what is left. The one check for the API and the pledges CSV import.
 */
export function checkScheduleFits(pledge: SchedulingPledge, size: Sized, otherSizes: readonly bigint[]): void {
  const pledgeSize = pledge.kind === 'cash' ? (pledge.amountMinor as bigint) : BigInt(pledge.inKindQuantity as number);
  const room = scheduleRoom(pledgeSize, otherSizes);
  const wanted = size.amountMinor ?? BigInt(size.quantity as number);
  if (wanted <= room) return;
  const left = pledge.kind === 'cash' ? `${formatAmount(room, pledge.currency as string)} ${pledge.currency}` : `${room} ${pledge.inKindUnit ?? 'units'}`;
  throw BusinessRuleError.field(size.field, `the schedule may not add up to more than the pledge: ${left} is left unscheduled`);
}

/**
 * A pledge's planned instalments: added, moved or resized, and removed, each audited on the
 * pledge (its history shows the schedule's changes). The schedule never adds up to more than the
 * pledge: checked with the pledge locked, so two requests cannot both take the last room.
 */
@Injectable()
export class PledgeInstalmentsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** A pledge's schedule with each instalment's state today. */
  async scheduleOf(pledge: PledgeEntity, tx?: Transaction): Promise<InstalmentView[]> {
    return scheduleViews(pledge, await this.ledger.instalmentsOf(pledge.id, tx), todayUtc());
  }

  /**
   * Instalments of standing pledges due in the window and those overdue before it, each with its
   * state on `window.today` (the same rule as the pledge's own schedule), oldest first.
   */
  async inWindow(window: ScheduleWindow): Promise<ScheduledInstalment[]> {
    const rows = await this.ledger.instalmentsInWindow(window);
    return rows.map((r) => {
      const standing = instalmentStanding(
        { size: r.size, dueOn: r.dueOn, scheduledBefore: r.scheduledBefore, received: r.received, cancelled: false },
        window.today,
      );
      const cash = r.kind === 'cash' && r.currency !== null;
      const money = (minor: bigint): MoneyJson | null => (cash ? { amount: formatAmount(minor, r.currency as string), currency: r.currency as string } : null);
      return {
        id: r.id,
        pledgeId: r.pledgeId,
        donorId: r.donorId,
        pledgeTitle: r.pledgeTitle,
        dueOn: r.dueOn,
        amount: money(r.size),
        expected: money(standing.expected),
        quantity: cash ? null : Number(r.size),
        expectedQuantity: cash ? null : Number(standing.expected),
        unit: cash ? null : r.unit,
        state: standing.state,
        overdue: standing.state === 'overdue',
      };
    });
  }

  /** How many instalments are overdue today, for the navigation's count. */
  overdueCount(): Promise<number> {
    return this.ledger.overdueInstalments(todayUtc());
  }

  async add(actor: Actor, pledgeId: number, dto: CreateInstalmentDto, idem: IdempotencyContext | null): Promise<CreateResult<InstalmentView>> {
    return this.idempotency.create(idem, async (tx) => {
      const pledge = await this.lockedPledge(tx, actor, pledgeId);
      const size = instalmentSizeOf(pledge, dto.amount, dto.quantity);
      const others = await this.ledger.instalmentsOf(pledgeId, tx);
      checkScheduleFits(pledge, size, others.map(instalmentSize));
      const row = await this.ledger.planInstalment(tx, {
        organisationId: pledge.organisationId,
        pledgeId,
        dueOn: dto.dueOn,
        amountMinor: size.amountMinor,
        quantity: size.quantity,
        createdBy: actor.id || null,
      });
      const view = await this.viewOf(tx, pledge, row.id);
      await this.audit.record(tx, actor, { action: 'pledge.instalment_add', entityType: 'pledge', entityId: pledgeId, after: { instalment: view } });
      return view;
    });
  }

  async change(actor: Actor, pledgeId: number, instalmentId: number, dto: UpdateInstalmentDto): Promise<InstalmentView> {
    return this.uow.transaction(async (tx) => {
      const pledge = await this.lockedPledge(tx, actor, pledgeId);
      const current = await this.liveInstalment(tx, pledgeId, instalmentId);
      const before = await this.viewOf(tx, pledge, instalmentId);
      const size =
        dto.amount === undefined && dto.quantity === undefined
          ? { field: pledge.kind === 'cash' ? ('amount' as const) : ('quantity' as const), amountMinor: current.amountMinor, quantity: current.quantity }
          : instalmentSizeOf(pledge, dto.amount, dto.quantity);
      const others = (await this.ledger.instalmentsOf(pledgeId, tx)).filter((i) => i.id !== instalmentId);
      checkScheduleFits(pledge, size, others.map(instalmentSize));
      await this.ledger.changeInstalment(tx, instalmentId, { dueOn: dto.dueOn ?? current.dueOn, amountMinor: size.amountMinor, quantity: size.quantity });
      const after = await this.viewOf(tx, pledge, instalmentId);
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        await this.audit.record(tx, actor, {
          action: 'pledge.instalment_change',
          entityType: 'pledge',
          entityId: pledgeId,
          before: { instalment: before },
          after: { instalment: after },
        });
      }
      return after;
    });
  }

  async remove(actor: Actor, pledgeId: number, instalmentId: number): Promise<void> {
    await this.uow.transaction(async (tx) => {
      const pledge = await this.lockedPledge(tx, actor, pledgeId);
      await this.liveInstalment(tx, pledgeId, instalmentId);
      const before = await this.viewOf(tx, pledge, instalmentId);
      await this.ledger.removeInstalment(tx, instalmentId, actor.id || null, new Date());
      await this.audit.record(tx, actor, { action: 'pledge.instalment_remove', entityType: 'pledge', entityId: pledgeId, before: { instalment: before } });
    });
  }

  private async lockedPledge(tx: Transaction, actor: Actor, pledgeId: number): Promise<PledgeEntity> {
    await this.ledger.lockPledge(tx, pledgeId);
    const pledge = visibleOr404(actor, await this.ledger.findPledge(organisationOf(actor), pledgeId, tx), (p) => p.donorId, 'Pledge', pledgeId);
    if (pledge.cancelledAt) throw BusinessRuleError.field('pledge', `pledge ${pledgeId} was cancelled: its schedule cannot change`);
    return pledge;
  }

  private async liveInstalment(tx: Transaction, pledgeId: number, id: number): Promise<InstalmentEntity> {
    const row = await this.ledger.findInstalment(pledgeId, id, tx);
    if (!row) throw new NotFoundError('Instalment', id);
    return row;
  }

  private async viewOf(tx: Transaction, pledge: PledgeEntity, id: number): Promise<InstalmentView> {
    const view = (await this.scheduleOf(pledge, tx)).find((i) => i.id === id);
    if (!view) throw new Error(`Instalment ${id} vanished inside its own transaction`);
    return view;
  }
}
