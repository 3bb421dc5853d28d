import { formatAmount, type MoneyJson } from '../common/money/money';
import type { InstalmentEntity } from '../ledger/instalment.entity';
import { scheduleStanding, type InstalmentState } from '../ledger/instalment-rules';
import type { PledgeEntity } from '../ledger/pledge.entity';

/** A planned instalment as the API and the pages show it: cash in the pledge's currency, goods in units. */
export interface InstalmentView {
  id: number;
  pledgeId: number;
  dueOn: string;
  /** Cash: the instalment, what the receipts cover of it and what is still expected. */
  amount: MoneyJson | null;
  received: MoneyJson | null;
  expected: MoneyJson | null;
  /** In kind: the same in units. */
  quantity: number | null;
  receivedQuantity: number | null;
  expectedQuantity: number | null;
  unit: string | null;
  state: InstalmentState;
  overdue: boolean;
}

/** The size an instalment counts with: minor units (cash) or units (in kind). */
export function instalmentSize(i: Pick<InstalmentEntity, 'amountMinor' | 'quantity'>): bigint {
  return i.amountMinor ?? BigInt(i.quantity ?? 0);
}

/** What the receipts of a pledge add up to, in the unit its instalments count in. */
export function receivedAgainst(p: Pick<PledgeEntity, 'kind' | 'disbursedMinor' | 'deliveredQuantity'>): bigint {
  return p.kind === 'cash' ? p.disbursedMinor : BigInt(p.deliveredQuantity);
}

/** A pledge's schedule with each instalment's state on `today`, in matching order. */
export function scheduleViews(
  pledge: Pick<PledgeEntity, 'kind' | 'currency' | 'inKindUnit' | 'disbursedMinor' | 'deliveredQuantity' | 'cancelledAt'>,
  instalments: readonly InstalmentEntity[],
  today: string,
): InstalmentView[] {
  const sized = instalments.map((i) => ({ id: i.id, dueOn: i.dueOn, size: instalmentSize(i), row: i }));
  const standing = scheduleStanding(sized, { received: receivedAgainst(pledge), cancelled: pledge.cancelledAt !== null }, today);
  const cash = pledge.kind === 'cash' && pledge.currency !== null;
  const money = (minor: bigint): MoneyJson | null =>
    cash ? { amount: formatAmount(minor, pledge.currency as string), currency: pledge.currency as string } : null;
  const units = (n: bigint): number | null => (cash ? null : Number(n));
  return standing.map((s) => ({
    id: s.id,
    pledgeId: s.row.pledgeId,
    dueOn: s.dueOn,
    amount: money(s.size),
    received: money(s.covered),
    expected: money(s.expected),
    quantity: units(s.size),
    receivedQuantity: units(s.covered),
    expectedQuantity: units(s.expected),
    unit: cash ? null : pledge.inKindUnit,
    state: s.state,
    overdue: s.state === 'overdue',
  }));
}
