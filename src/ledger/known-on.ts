/**
 * A pledge as it stood on a past day, from the audit log: the `before` of its first change
 * (pledge.update, pledge.cancel) recorded after that day is the pledge as it then stood. Amounts
 * are never rewritten (a correction is a new pledge), so only what a change can touch is read
 * back: its description, dates, receipt expectation, earmarks and cancellation.
 */
export interface PastPledgeState {
  id: number;
  title: string;
  commitment: string;
  channel: string | null;
  channelName: string | null;
  instrument: string | null;
  pledgedOn: string | null;
  sourceDate: string | null;
  receiptExpectation: string;
  receiptDueOn: string | null;
  source: string | null;
  notes: string | null;
  cancelledAt: Date | null;
  earmarks: Array<{ priorityCode: string; shareBasisPoints: number | null }>;
}

/** The audit actions whose `before` holds a pledge's earlier state. */
export const PLEDGE_CHANGE_ACTIONS = ['pledge.update', 'pledge.cancel'] as const;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** "33.33" (a share in percent, as a pledge's view writes it) → 3333 basis points. */
function basisPoints(share: string): number {
  const [whole, fraction = ''] = share.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

/** A pledge's state from the view the audit log kept of it (PledgesService.toView). */
export function pastPledgeState(id: number, view: Readonly<Record<string, unknown>>): PastPledgeState {
  const codes = Array.isArray(view.priorityCodes) ? view.priorityCodes.filter((c): c is string => typeof c === 'string') : [];
  const shares = Array.isArray(view.priorityShares) ? view.priorityShares.filter((s): s is string => typeof s === 'string') : null;
  const cancelledAt = text(view.cancelledAt);
  return {
    id,
    title: text(view.title) ?? '',
    commitment: text(view.commitment) ?? 'announced',
    channel: text(view.channel),
    channelName: text(view.channelName),
    instrument: text(view.instrument),
    pledgedOn: text(view.pledgedOn),
    sourceDate: text(view.sourceDate),
    receiptExpectation: text(view.receiptExpectation) ?? 'not_documented',
    receiptDueOn: text(view.receiptDueOn),
    source: text(view.source),
    notes: text(view.notes),
    cancelledAt: cancelledAt === null ? null : new Date(cancelledAt),
    earmarks: codes.map((priorityCode, i) => ({
      priorityCode,
      shareBasisPoints: shares && shares.length === codes.length ? basisPoints(shares[i]) : null,
    })),
  };
}
