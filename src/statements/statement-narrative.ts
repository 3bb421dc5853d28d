import { formatDateTime, formatDateWords, formatMoneyExact, formatShare } from '../common/presentation/format';
import { goodsText } from '../common/presentation/goods';
import type { MoneyJson } from '../common/money/money';
import type { StatementContent, StatementPledge } from './statement-document';

/** A table in a statement: its head and rows of text, first column a label, the others figures. */
export interface NarrativeTable {
  /** What the table holds, in words (its accessible name). */
  label: string;
  head: string[];
  rows: string[][];
}

export interface NarrativeSection {
  heading: string;
  paragraphs: string[];
  table?: NarrativeTable;
}

/** What a statement says, in the quarterly report's structure, generated from its frozen content alone. */
export interface StatementNarrative {
  title: string;
  /** "As of 31 March 2025, as known on …; figures in USD." Printed on every page. */
  asOfLine: string;
  sections: NarrativeSection[];
}

const CHANNELS: Record<string, string> = {
  direct: 'given directly to ANAMA',
  un_agency: 'channelled through a UN agency',
  ngo: 'channelled through an NGO',
  other: 'through another channel',
};

const exact = (m: MoneyJson | null) => (m ? formatMoneyExact(m.amount, m.currency) : 'not recorded');

/** "as known on 30 April 2025" or, for an instant, "as known at 5 December 2026, 21:43 (Baku time)". */
export function knownOnWords(knownOn: string): string {
  return knownOn.includes('T') ? `as known at ${formatDateTime(knownOn)} (Baku time)` : `as known on ${formatDateWords(knownOn)}`;
}

function pledgeSentence(p: StatementPledge, asOf: string): string {
  const what = p.amount
    ? formatMoneyExact(p.amount.amount, p.amount.currency)
    : p.inKind?.quantity !== null && p.inKind?.quantity !== undefined
      ? `${p.inKind.upTo ? 'up to ' : ''}${p.inKind.quantity} ${p.inKind.unit ?? ''}`.trim() + ' in kind'
      : 'an amount the source does not state';
  const channel = [p.channel ? (CHANNELS[p.channel] ?? p.channel) : 'channel not stated', p.channelName].filter(Boolean).join(', ');
  const instrument = p.instrument ? `; instrument: ${p.instrument}` : '';
  let arrived: string;
  if (p.cancelled) arrived = 'cancelled';
  else if (p.kind === 'cash') {
    const received = p.received && BigInt(p.received.amount.replace('.', '')) > 0n ? p.received : null;
    arrived = received ? `${exact(received)} received by ${formatDateWords(asOf)}` : `no receipt recorded by ${formatDateWords(asOf)}`;
  } else {
    const delivered = p.deliveredQuantity ?? 0;
    arrived = delivered > 0 ? `${delivered} ${p.inKind?.unit ?? 'units'} delivered by ${formatDateWords(asOf)}` : 'none delivered yet';
  }
  return `${p.title}: ${what} (${channel}${instrument}); ${arrived}. Source: ${p.source ?? 'not recorded'}.`;
}

/** The statement's text: foreign assistance donor by donor, goods, the national picture, the twelve priorities, clearance and projection, rates. */
export function statementNarrative(content: StatementContent): StatementNarrative {
  const { figures: f, asOf } = content;
  const sections: NarrativeSection[] = [];

  // Foreign assistance: one paragraph per donor, in the order of the figures (largest first), then donors with nothing valued.
  const order = new Map(f.byDonor.map((d, i) => [d.donorId, i]));
  const donors = [...new Set(content.records.pledges.map((p) => p.donorId))].sort(
    (a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER) || a - b,
  );
  const paragraphs = donors.map((donorId) => {
    const pledges = content.records.pledges.filter((p) => p.donorId === donorId);
    const row = f.byDonor.find((d) => d.donorId === donorId);
    const total = row && BigInt(row.pledged.amount.replace('.', '')) > 0n ? ` In all ${exact(row.pledged)} standing, ${exact(row.received)} received.` : '';
    return `${pledges[0].donorName}. ${pledges.map((p) => pledgeSentence(p, asOf)).join(' ')}${total}`;
  });
  sections.push({ heading: 'Foreign assistance', paragraphs: paragraphs.length ? paragraphs : ['No foreign pledge is recorded for this date.'] });

  const goods = f.byDonor.flatMap((d) => d.inKind.map((g) => `${d.name}: ${goodsText(g)}.`));
  if (goods.length) sections.push({ heading: 'In-kind contributions', paragraphs: goods });

  const national: string[] = [];
  national.push(
    f.government.total
      ? `Government funding: ${exact(f.government.total)} (${f.government.stated ? exact(f.government.stated) : ''} ${f.government.basis ?? ''} as at ${f.government.asAt ?? ''}; ${f.government.source ?? ''}).`
      : 'Government funding: not recorded for this date.',
  );
  national.push(
    `Foreign assistance itemised in the ledger: ${exact(f.foreign.itemised)} (cash ${exact(f.foreign.pledged)}, goods valued at ${exact(f.foreign.inKindValue)}); received ${exact(f.foreign.received)}, outstanding ${exact(f.foreign.outstanding)}, receipt not documented ${exact(f.foreign.receiptNotDocumented)}, cancelled ${exact(f.foreign.cancelled)}.`,
  );
  if (f.foreign.reportedTotal)
    national.push(
      `Reported foreign assistance: ${exact(f.foreign.reportedTotal)}${f.reported.foreignTotal ? ` (${f.reported.foreignTotal.source}, as of ${f.reported.foreignTotal.asOf})` : ''}; not itemised in the ledger: ${exact(f.foreign.notItemised)}.`,
    );
  national.push(
    `Foreign share of all funds: ${formatShare(f.foreignShare.reported)} as reported; ${formatShare(f.foreignShare.reportedComputed)} computed from the reported total; ${formatShare(f.foreignShare.pledged)} on what the ledger itemises; ${formatShare(f.foreignShare.received)} on what was received.`,
  );
  sections.push({ heading: 'National picture', paragraphs: national });

  if (f.byPriority.length)
    sections.push({
      heading: 'The twelve priorities',
      paragraphs: [`What each of the report's priorities received, in ${f.currency}; earmarks to several priorities are split by ${f.earmarkSplit.rule}.`],
      table: {
        label: 'What each priority received, table',
        head: ['Priority', 'Pledged', 'Received', 'Target', 'Funded'],
        rows: f.byPriority.map((p) => [
          `${p.rank}. ${p.title}${p.unfunded ? ' (unfunded)' : ''}`,
          exact(p.pledged),
          exact(p.received),
          p.target ? exact(p.target) : 'no target',
          formatShare(p.percentFunded),
        ]),
      },
    });

  if (f.projection) {
    const pr = f.projection;
    sections.push({
      heading: 'Clearance and projection',
      paragraphs: [
        `Cleared ${pr.clearedHectares} ha of ${pr.contaminatedHectares} ha; ${pr.remainingHectares} ha remain. At ${exact(pr.costPerHectare)} per hectare so far, the rest would cost ${exact(pr.remainingCost)}${pr.yearsToFinish ? `, about ${pr.yearsToFinish} years at the work plan's pace` : ''}.`,
        ...pr.assumptions.map((a) => `Assumption: ${a}`),
      ],
    });
  } else
    sections.push({
      heading: 'Clearance and projection',
      paragraphs: ['No projection: the government figure or the clearance figures are not recorded for this date.'],
    });

  sections.push({
    heading: 'Rates and notes',
    paragraphs: [
      ...f.ratesUsed.map(
        (r) =>
          `${r.base}/${r.quote}: ${r.count} rates from ${r.firstDate} to ${r.lastDate} (${r.source})${r.staleDays ? `, up to ${r.staleDays} days older than the figure` : ''}.`,
      ),
      ...f.notes,
    ],
  });

  return {
    title: content.title,
    asOfLine: `As of ${formatDateWords(asOf)}, ${knownOnWords(content.knownOn)}; figures in ${f.currency}`,
    sections,
  };
}
