import { createHash } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json';
import type { MoneyJson } from '../common/money/money';
import type { FundingGapView } from '../funding/funding-gap.service';

/** The format of a statement's stored content; a change of its shape is a new format. */
export const STATEMENT_FORMAT = 'anama-funding-statement/1';

/** One pledge as the statement describes it: as it stood on asOf, as known on knownOn. */
export interface StatementPledge {
  id: number;
  donorId: number;
  donorName: string;
  title: string;
  kind: 'cash' | 'in_kind';
  /** Cash: the amount pledged, in its own currency. */
  amount: MoneyJson | null;
  inKind: { quantity: number | null; unit: string | null; upTo: boolean; unitValue: MoneyJson | null } | null;
  channel: string | null;
  channelName: string | null;
  instrument: string | null;
  source: string | null;
  valueDate: string;
  /** fulfilment.ts's status on asOf. */
  status: string;
  cancelled: boolean;
  /** Cash counted against it by asOf, in its own currency. */
  received: MoneyJson | null;
  /** Goods delivered by asOf, in their own units. */
  deliveredQuantity: number | null;
}

export interface StatementReceipt {
  id: number;
  pledgeId: number;
  receivedOn: string;
  amount: MoneyJson | null;
  quantity: number | null;
  reference: string | null;
}

/** What a statement freezes: the funding-gap body at (asOf, knownOn) and the records it describes. Hashed and stored as canonical JSON. */
export interface StatementContent {
  format: typeof STATEMENT_FORMAT;
  title: string;
  period: string | null;
  asOf: string;
  /** The day (YYYY-MM-DD) or the instant (ISO 8601 UTC, the publication time by default) the figures are as known on. */
  knownOn: string;
  currency: string;
  figures: FundingGapView;
  records: { pledges: StatementPledge[]; receipts: StatementReceipt[] };
}

/** The stored text of a statement's content: canonical JSON, the bytes of document.json. */
export function statementText(content: StatementContent): string {
  return canonicalJson(content);
}

/** SHA-256 (hex) of the content's canonical JSON: anyone can check document.json against it. */
export function statementHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const PERIOD = /^(\d{4})-Q([1-4])$/;
const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'];

/** "2025-Q1" → "2025-03-31", the last day of the quarter; null when the text is not a quarter. */
export function periodEnd(period: string): string | null {
  const match = PERIOD.exec(period);
  return match ? `${match[1]}-${QUARTER_ENDS[Number(match[2]) - 1]}` : null;
}

/** "2025-Q1" → "Q1 2025". */
export function periodWords(period: string): string {
  const match = PERIOD.exec(period);
  return match ? `Q${match[2]} ${match[1]}` : period;
}

export function defaultTitle(period: string | null, asOf: string): string {
  return period ? `Funding statement, ${periodWords(period)}` : `Funding statement as of ${asOf}`;
}

/** A change between two statements, linked to its record's page. */
export interface DiffLine {
  kind: 'new_pledge' | 'receipt' | 'cancellation' | 'target';
  /** Words for people, built from the records. */
  text: string;
  /** The page of the record. */
  href: string;
  recordId: number | string;
}

export interface ShareMove {
  basis: 'pledged' | 'received' | 'reported';
  before: string | null;
  after: string | null;
}

export interface StatementDiff {
  against: { id: number; title: string; asOf: string; knownOn: string } | null;
  newPledges: DiffLine[];
  receipts: DiffLine[];
  cancellations: DiffLine[];
  changedTargets: DiffLine[];
  shares: ShareMove[];
}

const money = (m: MoneyJson | null) => (m ? `${m.amount} ${m.currency}` : 'not recorded');

function pledgeWhat(p: StatementPledge): string {
  if (p.amount) return money(p.amount);
  if (p.inKind?.quantity !== null && p.inKind?.quantity !== undefined)
    return `${p.inKind.upTo ? 'up to ' : ''}${p.inKind.quantity} ${p.inKind.unit ?? ''}`.trim();
  return 'amount not stated';
}

/**
 * What changed from `previous` to `current`: pledges and receipts that are new, pledges cancelled
 * since, priority targets that moved, and each foreign share's movement. Built from the two
 * statements' frozen content only, so a diff never changes either.
 */
export function diffStatements(
  current: StatementContent,
  previous: { id: number; content: StatementContent } | null,
  pledgeHref: (id: number) => string,
  priorityHref: (code: string) => string,
): StatementDiff {
  const before = previous?.content;
  const oldPledges = new Map((before?.records.pledges ?? []).map((p) => [p.id, p]));
  const oldReceipts = new Set((before?.records.receipts ?? []).map((r) => r.id));
  const pledgeById = new Map(current.records.pledges.map((p) => [p.id, p]));
  const newPledges = current.records.pledges
    .filter((p) => !oldPledges.has(p.id))
    .map((p) => ({ kind: 'new_pledge' as const, text: `${p.donorName}: ${p.title}, ${pledgeWhat(p)}`, href: pledgeHref(p.id), recordId: p.id }));
  const receipts = current.records.receipts
    .filter((r) => !oldReceipts.has(r.id))
    .map((r) => {
      const p = pledgeById.get(r.pledgeId);
      const what = r.amount ? money(r.amount) : `${r.quantity ?? 0} ${p?.inKind?.unit ?? 'units'}`;
      return {
        kind: 'receipt' as const,
        text: `${p?.donorName ?? 'Pledge'} (${p?.title ?? r.pledgeId}): ${what} received on ${r.receivedOn}`,
        href: pledgeHref(r.pledgeId),
        recordId: r.id,
      };
    });
  const cancellations = current.records.pledges
    .filter((p) => p.cancelled && !oldPledges.get(p.id)?.cancelled)
    .map((p) => ({ kind: 'cancellation' as const, text: `${p.donorName}: ${p.title} (${pledgeWhat(p)}) cancelled`, href: pledgeHref(p.id), recordId: p.id }));
  const oldTargets = new Map((before?.figures.byPriority ?? []).map((p) => [p.code, p.target]));
  const changedTargets = before
    ? current.figures.byPriority
        .filter((p) => canonicalJson(p.target) !== canonicalJson(oldTargets.get(p.code) ?? null))
        .map((p) => ({
          kind: 'target' as const,
          text: `${p.rank}. ${p.title}: target ${money(oldTargets.get(p.code) ?? null)} → ${money(p.target)}`,
          href: priorityHref(p.code),
          recordId: p.code,
        }))
    : [];
  const shares: ShareMove[] = (['pledged', 'received', 'reported'] as const).map((basis) => ({
    basis,
    before: before ? before.figures.foreignShare[basis] : null,
    after: current.figures.foreignShare[basis],
  }));
  return {
    against: previous ? { id: previous.id, title: previous.content.title, asOf: previous.content.asOf, knownOn: previous.content.knownOn } : null,
    newPledges,
    receipts,
    cancellations,
    changedTargets,
    shares,
  };
}

/**
 * What a donor user may read of a statement: the national picture (government, foreign totals,
 * shares, reported headline) and its own donor's row and records; nothing of other donors or the
 * priorities (which would show other donors' earmarks).
 */
export function donorSection(content: StatementContent, donorId: number): StatementContent {
  const f = content.figures;
  return {
    ...content,
    figures: {
      ...f,
      byDonor: f.byDonor.filter((d) => d.donorId === donorId),
      byPriority: [],
      earmarkSplit: { ...f.earmarkSplit, pledgesWithStatedShares: 0, pledgesSplitEvenly: 0 },
    },
    records: {
      pledges: content.records.pledges.filter((p) => p.donorId === donorId),
      receipts: content.records.receipts.filter((r) => content.records.pledges.some((p) => p.id === r.pledgeId && p.donorId === donorId)),
    },
  };
}
