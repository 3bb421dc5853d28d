import { formatAmount, parseAmount } from '../common/money/money';
import type { InstalmentView } from '../pledges/instalment-view';
import type { DisbursementView, PledgeView } from '../pledges/pledges.service';

/**
 * IATI 2.03 activity XML, one activity per pledge (src/interop/README.md gives every mapping).
 * Pure: the caller loads pledges, disbursements and donor types.
 */

/**
 * ANAMA's organisation identifier in IATI form ({agency}-{number}). The sources give no IATI
 * registration for ANAMA, so this stands in until one is registered; change it here only, since
 * activity identifiers are built from it and must never change once published.
 */
export const ANAMA_ORG = { ref: 'AZ-ANAMA', name: 'Mine Action Agency of the Republic of Azerbaijan (ANAMA)', type: '10' } as const;

/** DAC 5 purpose code 15250: removal of land mines and explosive remnants of war. */
export const DAC_SECTOR_DEMINING = '15250';
export const RECIPIENT_COUNTRY = { code: 'AZ', name: 'Azerbaijan' } as const;

/** IATI OrganisationType for each donor type. */
const ORG_TYPE: Record<string, string> = { government: '10', multilateral: '40', ngo: '21', foundation: '60', private: '70' };
/** The implementing channel's OrganisationType, when it is not ANAMA itself. */
const CHANNEL_ORG_TYPE: Record<string, string | null> = { un_agency: '40', ngo: '21', other: null, direct: null };

/** IATI ActivityDateType codes. */
const ACTIVITY_DATE = { plannedStart: '1', actualStart: '2', plannedEnd: '3' } as const;

/** IATI TransactionType codes. */
export const TRANSACTION = { incomingFunds: '1', incomingCommitment: '11', incomingPledge: '13' } as const;

export interface IatiActivityInput {
  pledge: PledgeView;
  donorType: string;
  disbursements: DisbursementView[];
  /** The pledge's planned instalments, in matching order; cash ones become planned disbursements. */
  instalments?: InstalmentView[];
  /**
   * The day the file is generated (YYYY-MM-DD, UTC). IATI's rulesets refuse transactions dated
   * after it (rules 11.2.1, 11.2.2): a pledge dated ahead reports its commitment on the day it was
   * entered in the ledger instead, and says so. Without it, no date counts as ahead.
   */
  generatedOn?: string;
}

/** IATI BudgetType 1: the original plan (the ledger keeps the schedule as it stands, not its revisions). */
const PLANNED_DISBURSEMENT_TYPE = '1';

/**
 * A planned instalment as an IATI planned disbursement: a planned cash transfer from the donor to
 * ANAMA on one day (period start and end the due date), for the whole instalment as planned.
 */
function plannedDisbursement(dueOn: string, amount: string, currency: string, donorName: string, donorOrgType: string): string {
  return [
    `    <planned-disbursement type="${PLANNED_DISBURSEMENT_TYPE}">`,
    `      <period-start iso-date="${dueOn}"/>`,
    `      <period-end iso-date="${dueOn}"/>`,
    `      <value currency="${currency}" value-date="${dueOn}">${amount}</value>`,
    `      <provider-org type="${donorOrgType}">${narrative(donorName)}</provider-org>`,
    `      <receiver-org ref="${ANAMA_ORG.ref}" type="${ANAMA_ORG.type}">${narrative(ANAMA_ORG.name)}</receiver-org>`,
    '    </planned-disbursement>',
  ].join('\n');
}

/** Characters XML 1.0 allows nowhere, not even escaped: they are dropped from exported text. */
// eslint-disable-next-line no-control-regex -- matching these control characters is the point
const NOT_ALLOWED_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_ALLOWED_IN_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const narrative = (text: string) => `<narrative>${escapeXml(text)}</narrative>`;

export function iatiHeader(generatedAt: Date): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" generated-datetime="${generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}">\n`;
}

export const IATI_FOOTER = '</iati-activities>\n';

/** Cancelled 5, announced 1 (pipeline), anything committed 2 (implementation). */
function activityStatus(p: PledgeView): string {
  if (p.status === 'cancelled') return '5';
  return p.commitment === 'announced' && p.status === 'announced' ? '1' : '2';
}

function inKindText(p: PledgeView): string | null {
  if (!p.inKind) return null;
  const quantity = `${p.inKind.upTo ? 'up to ' : ''}${p.inKind.quantity} ${p.inKind.unit}`;
  const value = p.inKind.value
    ? `valued at ${p.inKind.value.amount} ${p.inKind.value.currency}`
    : 'not valued in the source, so no financial transaction is reported';
  return `In-kind contribution: ${quantity}; ${value}.`;
}

/**
 * IATI needs a date on every activity and transaction, and the sources often give none. Nothing
 * is invented: the date written is one the ledger holds, and the text beside it says which.
 */
function pledgeDateBasis(p: PledgeView): string {
  if (p.valueDateBasis === 'pledged_on') return `Pledged on ${p.valueDate}.`;
  if (p.valueDateBasis === 'source_date')
    return `The source gives no date for the pledge: ${p.valueDate} is the date of the source document that records it, so it was made on or before that day.`;
  return `No date is recorded for the pledge: ${p.valueDate} is the day it was entered in the ledger, so it was made on or before that day.`;
}

function receiptDateBasis(d: DisbursementView): string {
  return d.receivedOnBasis === 'on_or_before' ? `Received on or before ${d.receivedOn}; the source gives no exact day.` : `Received on ${d.receivedOn}.`;
}

const activityDate = (type: string, date: string, basis: string) => `    <activity-date iso-date="${date}" type="${type}">${narrative(basis)}</activity-date>`;

function transaction(type: string, date: string, amount: string, currency: string, description: string, donorName: string): string {
  return [
    '    <transaction>',
    `      <transaction-type code="${type}"/>`,
    `      <transaction-date iso-date="${date}"/>`,
    `      <value currency="${currency}" value-date="${date}">${amount}</value>`,
    `      <description>${narrative(description)}</description>`,
    `      <provider-org>${narrative(donorName)}</provider-org>`,
    `      <receiver-org ref="${ANAMA_ORG.ref}" type="${ANAMA_ORG.type}">${narrative(ANAMA_ORG.name)}</receiver-org>`,
    '    </transaction>',
  ].join('\n');
}

/** One `<iati-activity>` element for a pledge with its disbursements or deliveries. */
export function iatiActivityXml({ pledge: p, donorType, disbursements, instalments = [], generatedOn }: IatiActivityInput): string {
  const lines: string[] = [];
  const currency = p.kind === 'cash' ? p.currency : (p.inKind?.value?.currency ?? null);
  const attrs = [`last-updated-datetime="${p.createdAt.replace(/\.\d{3}Z$/, 'Z')}"`, 'xml:lang="en"'];
  if (currency) attrs.push(`default-currency="${currency}"`);
  lines.push(`  <iati-activity ${attrs.join(' ')}>`);
  lines.push(`    <iati-identifier>${escapeXml(`${ANAMA_ORG.ref}-pledge-${p.id}`)}</iati-identifier>`);
  lines.push(`    <reporting-org ref="${ANAMA_ORG.ref}" type="${ANAMA_ORG.type}">${narrative(ANAMA_ORG.name)}</reporting-org>`);
  lines.push(`    <title>${narrative(p.title)}</title>`);
  const promisedEarly =
    p.receiptDueOn !== null && p.receiptDueOn < p.valueDate
      ? `The donor promised the money or goods by ${p.receiptDueOn}, before the pledge's own date (${p.valueDate}); IATI allows no planned end before the planned start, so none is given.`
      : null;
  const description = [
    p.title,
    inKindText(p),
    p.instrument ? `Instrument: ${p.instrument}.` : null,
    p.notes,
    p.source ? `Source: ${p.source}` : null,
    promisedEarly,
  ]
    .filter(Boolean)
    .join(' ');
  lines.push(`    <description type="1">${narrative(description)}</description>`);
  lines.push(`    <participating-org role="1" type="${ORG_TYPE[donorType] ?? '90'}">${narrative(p.donorName)}</participating-org>`);
  const accountable = `    <participating-org ref="${ANAMA_ORG.ref}" role="2" type="${ANAMA_ORG.type}">${narrative(ANAMA_ORG.name)}</participating-org>`;
  if (p.channelName && p.channel !== 'direct') {
    const type = p.channel === null ? null : CHANNEL_ORG_TYPE[p.channel];
    lines.push(`    <participating-org role="4"${type ? ` type="${type}"` : ''}>${narrative(p.channelName)}</participating-org>`);
    lines.push(accountable);
  } else if (p.channel === null) {
    // The source names no channel: nobody is reported as implementing, ANAMA only as the accountable recipient.
    lines.push(accountable);
  } else {
    lines.push(`    <participating-org ref="${ANAMA_ORG.ref}" role="4" type="${ANAMA_ORG.type}">${narrative(ANAMA_ORG.name)}</participating-org>`);
  }
  if (p.externalRef) lines.push(`    <other-identifier ref="${escapeXml(p.externalRef)}" type="A1"/>`);
  lines.push(`    <activity-status code="${activityStatus(p)}"/>`);
  lines.push(activityDate(ACTIVITY_DATE.plannedStart, p.valueDate, pledgeDateBasis(p)));
  const firstReceipt = disbursements[0];
  if (firstReceipt) lines.push(activityDate(ACTIVITY_DATE.actualStart, firstReceipt.receivedOn, `First receipt. ${receiptDateBasis(firstReceipt)}`));
  // IATI rule 11.1.2: a planned end never before the planned start. A promised date earlier than the
  // pledge's own date is a contradiction in the sources: it stays in the description, not as an end.
  const promisedBeforeStart = p.receiptDueOn !== null && p.receiptDueOn < p.valueDate;
  if (p.receiptDueOn && !promisedBeforeStart)
    lines.push(activityDate(ACTIVITY_DATE.plannedEnd, p.receiptDueOn, `The date by which the donor promised the money or goods.`));
  lines.push(`    <recipient-country code="${RECIPIENT_COUNTRY.code}" percentage="100">${narrative(RECIPIENT_COUNTRY.name)}</recipient-country>`);
  lines.push(
    `    <sector vocabulary="1" code="${DAC_SECTOR_DEMINING}" percentage="100">${narrative('Removal of land mines and explosive remnants of war')}</sector>`,
  );

  // Planned disbursements come before transactions (the schema's order); a cancelled pledge plans nothing.
  if (p.status !== 'cancelled') {
    for (const i of instalments) {
      if (i.amount) lines.push(plannedDisbursement(i.dueOn, i.amount.amount, i.amount.currency, p.donorName, ORG_TYPE[donorType] ?? '90'));
    }
  }

  const value = p.kind === 'cash' ? (p.amount && p.currency ? { amount: p.amount, currency: p.currency } : null) : (p.inKind?.value ?? null);
  if (value && p.status !== 'cancelled') {
    const type = p.commitment === 'committed' ? TRANSACTION.incomingCommitment : TRANSACTION.incomingPledge;
    const what = p.kind === 'cash' ? p.title : (inKindText(p) as string);
    // A transaction is something that happened: IATI refuses one dated after the file (rules 11.2.1, 11.2.2).
    // A pledge dated ahead was known on the day it was entered in the ledger, a date the ledger holds.
    const ahead = generatedOn !== undefined && p.valueDate > generatedOn;
    const date = ahead ? p.createdAt.slice(0, 10) : p.valueDate;
    const aheadText = ahead ? ` It is reported on ${date}, the day it was entered in the ledger, because IATI allows no transaction dated after the file.` : '';
    const description = `${p.commitment === 'committed' ? 'Commitment' : 'Pledge'}: ${what} ${pledgeDateBasis(p)}${aheadText}`;
    lines.push(transaction(type, date, value.amount, value.currency, description, p.donorName));
  }
  for (const d of disbursements) {
    if (d.amount !== null && d.currency) {
      const received = d.reference ? `Funds received (reference ${d.reference}).` : 'Funds received.';
      lines.push(transaction(TRANSACTION.incomingFunds, d.receivedOn, d.amount, d.currency, `${received} ${receiptDateBasis(d)}`, p.donorName));
    } else if (d.quantity !== null && p.inKind?.unitValue) {
      const goods = `${d.quantity} ${p.inKind.unit} delivered in kind. ${receiptDateBasis(d)}`;
      const unit = parseAmount(p.inKind.unitValue.amount, p.inKind.unitValue.currency);
      const amount = formatAmount(unit.minor * BigInt(d.quantity), unit.currency);
      lines.push(transaction(TRANSACTION.incomingFunds, d.receivedOn, amount, unit.currency, goods, p.donorName));
    }
  }
  lines.push('  </iati-activity>');
  return `${lines.join('\n')}\n`;
}
