import type { PledgeView } from '../pledges/pledges.service';
import { csvLine, unescapeFormula } from './csv';

/**
 * The pledges CSV column set (src/interop/README.md). Import and export share it, so a file the
 * app exports imports again unchanged. A column maps to a field of `POST /api/pledges`, and the
 * import validates it with the same rules.
 */
export const PLEDGE_IMPORT_COLUMNS = [
  'externalRef',
  'donor',
  'title',
  'kind',
  'amount',
  'currency',
  'inKindQuantity',
  'inKindUnit',
  'inKindUpTo',
  'unitValue',
  'pledgedOn',
  'sourceDate',
  'status',
  'channel',
  'channelName',
  'instrument',
  'priorityCodes',
  'priorityShares',
  'source',
  'notes',
] as const;
export type PledgeImportColumn = (typeof PLEDGE_IMPORT_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly PledgeImportColumn[] = ['externalRef', 'donor', 'title', 'kind', 'channel'];

/** Columns the export adds for people and other systems; the import reads past them. */
export const EXPORT_ONLY_COLUMNS = ['id', 'donorId', 'reportedStatus', 'disbursed', 'outstanding', 'deliveredQuantity', 'cancelledAt', 'createdAt'] as const;

/** Several codes or shares in one cell: "P01;P07". */
export const LIST_SEPARATOR = ';';

/** The export names a pledge entered without a reference this way; the import recognises it. */
export const GENERATED_REF = /^mat-pledge-([1-9][0-9]{0,9})$/;
export const generatedRef = (id: number) => `mat-pledge-${id}`;

/** Where an error on a `POST /api/pledges` field shows in the CSV. */
const FIELD_TO_COLUMN: Record<string, PledgeImportColumn> = {
  donorId: 'donor',
  'inKind.quantity': 'inKindQuantity',
  'inKind.unit': 'inKindUnit',
  'inKind.upTo': 'inKindUpTo',
  'inKind.unitValue': 'unitValue',
  'inKind.unitValue.amount': 'unitValue',
  'inKind.unitValue.currency': 'currency',
  inKind: 'kind',
  status: 'status',
};

export function columnOfField(field: string): string {
  if (field in FIELD_TO_COLUMN) return FIELD_TO_COLUMN[field];
  return (PLEDGE_IMPORT_COLUMNS as readonly string[]).includes(field) ? field : field.split('.')[0];
}

/** A CSV row as the JSON body `POST /api/pledges` would receive; empty cells are absent fields. */
export function rowToPledgeBody(cells: Record<PledgeImportColumn, string>, donorId: number | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text = (column: PledgeImportColumn) => {
    const value = unescapeFormula(cells[column] ?? '');
    return value === '' ? undefined : value;
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set('donorId', donorId);
  set('title', text('title'));
  set('kind', text('kind'));
  set('pledgedOn', text('pledgedOn'));
  set('sourceDate', text('sourceDate'));
  set('status', text('status'));
  set('channel', text('channel'));
  set('channelName', text('channelName'));
  set('instrument', text('instrument'));
  set('source', text('source'));
  set('notes', text('notes'));
  set('externalRef', text('externalRef'));
  body.priorityCodes = list(text('priorityCodes')) ?? [];
  set('priorityShares', list(text('priorityShares')));
  const inKind = text('kind') === 'in_kind';
  if (inKind) {
    const part: Record<string, unknown> = {};
    const quantity = text('inKindQuantity');
    if (quantity !== undefined) part.quantity = /^[0-9]{1,10}$/.test(quantity) ? Number(quantity) : quantity;
    if (text('inKindUnit') !== undefined) part.unit = text('inKindUnit');
    const upTo = text('inKindUpTo');
    if (upTo !== undefined) part.upTo = upTo === 'true' ? true : upTo === 'false' ? false : upTo;
    const unitValue = text('unitValue');
    if (unitValue !== undefined || text('currency') !== undefined) part.unitValue = { amount: unitValue, currency: text('currency') };
    body.inKind = part;
    set('amount', text('amount'));
  } else {
    set('amount', text('amount'));
    set('currency', text('currency'));
  }
  return body;
}

/** In-kind cells filled on a cash row: the API would refuse the inKind part, the CSV names the cell. */
export function inKindCellsOnCashRow(cells: Record<PledgeImportColumn, string>): PledgeImportColumn[] {
  if (cells.kind !== 'cash') return [];
  return (['inKindQuantity', 'inKindUnit', 'inKindUpTo', 'unitValue'] as const).filter((c) => (cells[c] ?? '') !== '');
}

function list(cell: string | undefined): string[] | undefined {
  if (cell === undefined) return undefined;
  return cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const PLEDGE_EXPORT_HEADER = [...PLEDGE_IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS];

/** One exported line: the import columns first, then the export-only ones. */
export function pledgeToCsvLine(p: PledgeView): string {
  const inKind = p.inKind;
  return csvLine([
    p.externalRef ?? generatedRef(p.id),
    p.donorName,
    p.title,
    p.kind,
    p.amount,
    p.kind === 'cash' ? p.currency : (inKind?.unitValue?.currency ?? null),
    inKind?.quantity ?? null,
    inKind?.unit ?? null,
    inKind ? String(inKind.upTo) : null,
    inKind?.unitValue?.amount ?? null,
    p.pledgedOn,
    p.sourceDate,
    p.commitment,
    p.channel,
    p.channelName,
    p.instrument,
    p.priorityCodes.join(LIST_SEPARATOR),
    p.priorityShares?.join(LIST_SEPARATOR) ?? null,
    p.source,
    p.notes,
    p.id,
    p.donorId,
    p.status,
    p.disbursed?.amount ?? null,
    p.outstanding?.amount ?? null,
    p.deliveredQuantity,
    p.cancelledAt,
    p.createdAt,
  ]);
}

/** The downloadable template: the header and two example rows, one cash and one in kind. */
export function pledgeTemplateCsv(): string {
  const example = (values: Partial<Record<PledgeImportColumn, string>>) => csvLine(PLEDGE_IMPORT_COLUMNS.map((c) => values[c] ?? ''));
  return (
    csvLine([...PLEDGE_IMPORT_COLUMNS]) +
    example({
      externalRef: 'MOFA-2025-001',
      donor: 'Saudi Arabia (KSrelief)',
      title: 'Direct assistance to ANAMA for demining operations',
      kind: 'cash',
      amount: '3000000.00',
      currency: 'USD',
      pledgedOn: '2024-01-16',
      status: 'committed',
      channel: 'direct',
      instrument: 'Memorandum of Financial Contribution',
      priorityCodes: 'P01',
      source: 'Letter of 16 January 2024',
    }) +
    example({
      externalRef: 'MOFA-2025-002',
      donor: 'Croatia',
      title: 'Eight mine detection dogs',
      kind: 'in_kind',
      inKindQuantity: '8',
      inKindUnit: 'mine detection dogs',
      inKindUpTo: 'false',
      sourceDate: '2025-03-31',
      status: 'committed',
      channel: 'direct',
      priorityCodes: 'P07',
      source: 'ANAMA report Q1 2025',
    })
  );
}
