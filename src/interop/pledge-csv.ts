import { plainToInstance } from 'class-transformer';
import { CreatePledgeDto } from '../pledges/dto';
import type { DisbursementView, PledgeView } from '../pledges/pledges.service';
import { csvLine, unescapeFormula } from '../common/csv';

/**
 * The pledges CSV column set (src/interop/README.md). Import and export share it, so a file the
 * app exports imports again unchanged. A column maps to a field of `POST /api/pledges`, and the
 * import validates it with the same rules.
 */
export const PLEDGE_IMPORT_COLUMNS = [
  'externalRef',
  'recordKind',
  'donor',
  'donorType',
  'donorCountryCode',
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
  'receiptExpectation',
  'receiptDueOn',
  'receivedOn',
  'receivedOnBasis',
  'receivedQuantity',
  'reference',
  'overDisbursementReason',
  'cancelledAt',
  'cancelReason',
  'dueOn',
] as const;
export type PledgeImportColumn = (typeof PLEDGE_IMPORT_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly PledgeImportColumn[] = ['externalRef', 'donor', 'title', 'kind', 'channel'];

/**
 * Columns the export adds for people and other systems; the import reads past them. `outstanding`
 * is the balance known to be owed and `receiptNotDocumented` the balance nobody has said is owed
 * (fulfilment.ts `receiptOf`), as the pledge's API view gives them.
 */
export const EXPORT_ONLY_COLUMNS = [
  'id',
  'donorId',
  'reportedStatus',
  'disbursed',
  'outstanding',
  'deliveredQuantity',
  'createdAt',
  'receiptStatus',
  'receiptNotDocumented',
] as const;

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

/** A data row's cells by column, trimmed; a column the header lacks reads as an empty cell. */
export type PledgeCells = Record<PledgeImportColumn, string>;

/** Distinct texts one reader shares between rows; past this, new texts are simply not shared. */
const MAX_SHARED_TEXTS = 10_000;

/**
 * Reads data rows into `PledgeCells`. One object literal naming every column, so every row's
 * object has one shape: setting the columns one by one by name cost ~2 µs a row on a 100k-row file.
 * Columns whose values repeat from row to row (kind, currency, status, dates, codes…) share one
 * string per distinct value: the rows an import keeps until its inserts then hold a few thousand
 * strings rather than a million copies, and the garbage collector has that much less to move.
 */
export function pledgeCellReader(positions: ReadonlyMap<PledgeImportColumn, number>): (raw: readonly string[]) => PledgeCells {
  const at = Object.fromEntries(PLEDGE_IMPORT_COLUMNS.map((c) => [c, positions.get(c) ?? -1])) as Record<PledgeImportColumn, number>;
  const cell = (raw: readonly string[], position: number) => (position < 0 ? '' : raw[position].trim());
  const shared = new Map<string, string>();
  const repeated = (raw: readonly string[], position: number) => {
    const value = cell(raw, position);
    if (value === '') return value;
    const known = shared.get(value);
    if (known !== undefined) return known;
    if (shared.size < MAX_SHARED_TEXTS) shared.set(value, value);
    return value;
  };
  return (raw) => ({
    externalRef: cell(raw, at.externalRef),
    recordKind: repeated(raw, at.recordKind),
    donor: cell(raw, at.donor),
    donorType: repeated(raw, at.donorType),
    donorCountryCode: repeated(raw, at.donorCountryCode),
    title: cell(raw, at.title),
    kind: repeated(raw, at.kind),
    amount: cell(raw, at.amount),
    currency: repeated(raw, at.currency),
    inKindQuantity: cell(raw, at.inKindQuantity),
    inKindUnit: repeated(raw, at.inKindUnit),
    inKindUpTo: repeated(raw, at.inKindUpTo),
    unitValue: cell(raw, at.unitValue),
    pledgedOn: repeated(raw, at.pledgedOn),
    sourceDate: repeated(raw, at.sourceDate),
    status: repeated(raw, at.status),
    channel: repeated(raw, at.channel),
    channelName: repeated(raw, at.channelName),
    instrument: repeated(raw, at.instrument),
    priorityCodes: repeated(raw, at.priorityCodes),
    priorityShares: repeated(raw, at.priorityShares),
    source: repeated(raw, at.source),
    notes: cell(raw, at.notes),
    receiptExpectation: repeated(raw, at.receiptExpectation),
    receiptDueOn: repeated(raw, at.receiptDueOn),
    receivedOn: repeated(raw, at.receivedOn),
    receivedOnBasis: repeated(raw, at.receivedOnBasis),
    receivedQuantity: cell(raw, at.receivedQuantity),
    reference: cell(raw, at.reference),
    overDisbursementReason: cell(raw, at.overDisbursementReason),
    cancelledAt: cell(raw, at.cancelledAt),
    cancelReason: cell(raw, at.cancelReason),
    dueOn: repeated(raw, at.dueOn),
  });
}

/**
 * A CSV row as the JSON body `POST /api/pledges` would receive; an empty cell is an absent
 * (undefined) field, except `channel`, which the header must name and whose empty cell says the
 * source names no channel (null). One object literal with every field, so every row's body has one shape.
 */
export function rowToPledgeBody(cells: PledgeCells, donorId: number | undefined): Record<string, unknown> {
  const kind = cellText(cells.kind);
  const inKind = kind === 'in_kind';
  return {
    donorId,
    title: cellText(cells.title),
    kind,
    pledgedOn: cellText(cells.pledgedOn),
    sourceDate: cellText(cells.sourceDate),
    status: cellText(cells.status),
    channel: cellText(cells.channel) ?? null,
    receiptExpectation: cellText(cells.receiptExpectation),
    receiptDueOn: cellText(cells.receiptDueOn),
    channelName: cellText(cells.channelName),
    instrument: cellText(cells.instrument),
    source: cellText(cells.source),
    notes: cellText(cells.notes),
    externalRef: cellText(cells.externalRef),
    priorityCodes: list(cellText(cells.priorityCodes)) ?? [],
    priorityShares: list(cellText(cells.priorityShares)),
    inKind: inKind ? inKindPart(cells) : undefined,
    amount: cellText(cells.amount),
    // An in-kind pledge's currency values its unit (inKind.unitValue.currency), not the pledge.
    currency: inKind ? undefined : cellText(cells.currency),
  };
}

/** The `inKind` part of an in-kind row; a cell left empty is a field left out. */
function inKindPart(cells: PledgeCells): Record<string, unknown> {
  const part: Record<string, unknown> = {};
  const quantity = cellText(cells.inKindQuantity);
  if (quantity !== undefined) part.quantity = /^[0-9]{1,10}$/.test(quantity) ? Number(quantity) : quantity;
  const unit = cellText(cells.inKindUnit);
  if (unit !== undefined) part.unit = unit;
  const upTo = cellText(cells.inKindUpTo);
  if (upTo !== undefined) part.upTo = upTo === 'true' ? true : upTo === 'false' ? false : upTo;
  const unitValue = cellText(cells.unitValue);
  const currency = cellText(cells.currency);
  if (unitValue !== undefined || currency !== undefined) part.unitValue = { amount: unitValue, currency };
  return part;
}

/**
 * A cell as an API field: the export's formula apostrophe removed, then trimmed as the API trims
 * text (an apostrophe can guard a leading tab); empty is absent.
 */
export function cellText(cell: string): string | undefined {
  if (cell === '') return undefined;
  const value = unescapeFormula(cell);
  if (value === cell) return cell; // cells arrive trimmed: only a removed apostrophe can uncover white space
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The DTO that `plainToInstance(CreatePledgeDto, body)` makes, without class-transformer's cost
 * (~15 µs a row) for a body with no nested object, i.e. every cash row: implicit conversion is
 * off, no field but `inKind` has a @Type and the only other transform trims text (@IsText), so
 * for trimmed text that instance is just the body's properties on a new CreatePledgeDto. A body
 * with a nested object (in kind) or untrimmed text still goes through class-transformer.
 * pledges/pledge-rules.spec.ts compares the two on rows that fill every column.
 */
export function pledgeDtoFrom(body: Record<string, unknown>): CreatePledgeDto {
  for (const key in body) if (needsTransforming(body[key])) return plainToInstance(CreatePledgeDto, body);
  return Object.assign(new CreatePledgeDto(), body);
}

function needsTransforming(value: unknown): boolean {
  return typeof value === 'string' ? value.length !== value.trim().length : isNestedValue(value);
}

/** A value class-transformer would transform rather than copy: an object, or a list holding one. */
function isNestedValue(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return !Array.isArray(value) || value.some((item) => typeof item === 'object' && item !== null);
}

/** In-kind cells filled on a cash row: the API would refuse the inKind part, the CSV names the cell. */
export function inKindCellsOnCashRow(cells: PledgeCells): readonly PledgeImportColumn[] {
  if (cells.kind !== 'cash') return NONE;
  if (cells.inKindQuantity === '' && cells.inKindUnit === '' && cells.inKindUpTo === '' && cells.unitValue === '') return NONE; // the usual cash row: no list to build
  return IN_KIND_CELLS.filter((c) => cells[c] !== '');
}

const IN_KIND_CELLS = ['inKindQuantity', 'inKindUnit', 'inKindUpTo', 'unitValue'] as const;
const NONE: readonly PledgeImportColumn[] = Object.freeze([]);

function list(cell: string | undefined): string[] | undefined {
  if (cell === undefined) return undefined;
  if (!cell.includes(LIST_SEPARATOR)) {
    const item = cell.trim();
    return item === '' ? [] : [item];
  }
  return cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const PLEDGE_EXPORT_HEADER = [...PLEDGE_IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS];

/**
 * What a row records (the `recordKind` column; empty means pledge, so files written before the
 * column existed import unchanged). Receipts, deliveries and planned instalments name their pledge
 * by its externalRef.
 */
export const RECORD_KINDS = ['pledge', 'receipt', 'delivery', 'instalment'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The row's kind, or null when the cell names none of them. */
export function recordKindOf(cells: PledgeCells): RecordKind | null {
  if (cells.recordKind === '' || cells.recordKind === 'pledge') return 'pledge';
  const kind = cellText(cells.recordKind) ?? 'pledge';
  return (RECORD_KINDS as readonly string[]).includes(kind) ? (kind as RecordKind) : null;
}

/** Columns a receipt or delivery row uses; any other filled cell on such a row is an error (it would be lost). */
export const RECEIPT_COLUMNS: readonly PledgeImportColumn[] = [
  'externalRef',
  'recordKind',
  'amount',
  'currency',
  'receivedQuantity',
  'receivedOn',
  'receivedOnBasis',
  'reference',
  'overDisbursementReason',
  'source',
  'notes',
];

/** Pledge cells filled on a receipt or delivery row (`donor` may repeat the pledge's donor, for people reading the file). */
export function pledgeCellsOnReceiptRow(cells: PledgeCells): PledgeImportColumn[] {
  return PLEDGE_IMPORT_COLUMNS.filter((c) => c !== 'donor' && !RECEIPT_COLUMNS.includes(c) && cells[c] !== '');
}

/** A receipt or delivery row as the body `POST /api/pledges/:id/disbursements` would receive. */
export function rowToReceiptBody(cells: PledgeCells): Record<string, unknown> {
  const quantity = cellText(cells.receivedQuantity);
  return {
    amount: cellText(cells.amount),
    currency: cellText(cells.currency),
    quantity: quantity !== undefined && /^[0-9]{1,10}$/.test(quantity) ? Number(quantity) : quantity,
    receivedOn: cellText(cells.receivedOn),
    receivedOnBasis: cellText(cells.receivedOnBasis),
    reference: cellText(cells.reference),
    overDisbursementReason: cellText(cells.overDisbursementReason),
    source: cellText(cells.source),
    notes: cellText(cells.notes),
  };
}

/** Where an error on a `POST /api/pledges/:id/disbursements` field shows in the CSV. */
export function columnOfReceiptField(field: string): string {
  return field === 'quantity' ? 'receivedQuantity' : field;
}

/**
 * Columns a planned instalment row uses (`POST /api/pledges/:id/instalments`): its `dueOn`, and
 * `amount` (cash, in the pledge's currency) or `inKindQuantity` (in kind, units). Any other filled
 * cell is an error, except `donor`, which may repeat the pledge's donor for a reader.
 */
export const INSTALMENT_COLUMNS: readonly PledgeImportColumn[] = ['externalRef', 'recordKind', 'dueOn', 'amount', 'inKindQuantity'];

/** Cells filled on an instalment row that it does not use. */
export function otherCellsOnInstalmentRow(cells: PledgeCells): PledgeImportColumn[] {
  return PLEDGE_IMPORT_COLUMNS.filter((c) => c !== 'donor' && !INSTALMENT_COLUMNS.includes(c) && cells[c] !== '');
}

/** An instalment row as the body `POST /api/pledges/:id/instalments` would receive. */
export function rowToInstalmentBody(cells: PledgeCells): Record<string, unknown> {
  const quantity = cellText(cells.inKindQuantity);
  return {
    dueOn: cellText(cells.dueOn),
    amount: cellText(cells.amount),
    quantity: quantity !== undefined && /^[0-9]{1,10}$/.test(quantity) ? Number(quantity) : quantity,
  };
}

/** Where an error on a `POST /api/pledges/:id/instalments` field shows in the CSV. */
export function columnOfInstalmentField(field: string): string {
  return field === 'quantity' ? 'inKindQuantity' : field === 'pledge' ? 'externalRef' : field;
}

/** One exported planned instalment line, after its pledge's receipts; `id` and `createdAt` are the instalment's own. */
export function instalmentToCsvLine(
  pledgeRef: string,
  donorName: string,
  i: { id: number; dueOn: string; amount: string | null; quantity: number | null; createdAt: string },
): string {
  const cells: Partial<Record<(typeof PLEDGE_EXPORT_HEADER)[number], string | number | null>> = {
    externalRef: pledgeRef,
    recordKind: 'instalment',
    donor: donorName,
    dueOn: i.dueOn,
    amount: i.amount,
    inKindQuantity: i.quantity,
    id: i.id,
    createdAt: i.createdAt,
  };
  return csvLine(PLEDGE_EXPORT_HEADER.map((c) => cells[c] ?? null));
}

/** The donor as a pledge row names it: a database without that donor can create it from these cells. */
export interface ExportedDonor {
  type: string;
  countryCode: string | null;
}

/** One exported pledge line: the import columns first, then the export-only ones. */
export function pledgeToCsvLine(p: PledgeView, donor: ExportedDonor): string {
  const inKind = p.inKind;
  return csvLine([
    p.externalRef ?? generatedRef(p.id),
    'pledge',
    p.donorName,
    donor.type,
    donor.countryCode,
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
    p.receiptExpectation,
    p.receiptDueOn,
    null,
    null,
    null,
    null,
    null,
    p.cancelledAt,
    p.cancelReason,
    null,
    p.id,
    p.donorId,
    p.status,
    p.disbursed?.amount ?? null,
    p.outstanding?.amount ?? null,
    p.deliveredQuantity,
    p.createdAt,
    p.receiptStatus,
    p.receiptNotDocumented?.amount ?? null,
  ]);
}

/** One exported receipt (cash) or delivery (in kind) line, right after its pledge's line; `id` and `createdAt` are the receipt's own. */
export function receiptToCsvLine(pledgeRef: string, pledgeKind: string, donorName: string, d: DisbursementView): string {
  const cells: Partial<Record<(typeof PLEDGE_EXPORT_HEADER)[number], string | number | null>> = {
    externalRef: pledgeRef,
    recordKind: pledgeKind === 'in_kind' ? 'delivery' : 'receipt',
    donor: donorName,
    amount: d.amount,
    currency: d.currency,
    receivedQuantity: d.quantity,
    receivedOn: d.receivedOn,
    receivedOnBasis: d.receivedOnBasis,
    reference: d.reference,
    overDisbursementReason: d.overDisbursementReason,
    source: d.source,
    notes: d.notes,
    id: d.id,
    createdAt: d.createdAt,
  };
  return csvLine(PLEDGE_EXPORT_HEADER.map((c) => cells[c] ?? null));
}

/**
 * The downloadable template: the header and example rows (a cash pledge with a receipt, an in-kind
 * pledge with a delivery). Their donor and references are made up, so the template creates nothing
 * already in the ledger: imported as it is, it is refused ("there is no donor named …") unless the
 * user asks for the example donor to be created.
 */
export function pledgeTemplateCsv(): string {
  const example = (values: Partial<Record<PledgeImportColumn, string>>) => csvLine(PLEDGE_IMPORT_COLUMNS.map((c) => values[c] ?? ''));
  const donor = { donor: 'Example donor (replace with the name on its donor page)', donorType: 'government', donorCountryCode: 'HR' };
  return (
    csvLine([...PLEDGE_IMPORT_COLUMNS]) +
    example({
      externalRef: 'EXAMPLE-001',
      recordKind: 'pledge',
      ...donor,
      title: 'Direct assistance to ANAMA for demining operations',
      kind: 'cash',
      amount: '250000.00',
      currency: 'USD',
      pledgedOn: '2025-01-15',
      status: 'committed',
      channel: 'direct',
      instrument: 'Memorandum of Financial Contribution',
      priorityCodes: 'P01',
      source: 'Letter of 15 January 2025, page 1',
    }) +
    example({
      externalRef: 'EXAMPLE-001',
      recordKind: 'receipt',
      amount: '100000.00',
      currency: 'USD',
      receivedOn: '2025-02-03',
      reference: 'Bank credit advice 17',
      source: 'ANAMA finance ledger, page 4',
    }) +
    example({
      externalRef: 'EXAMPLE-002',
      recordKind: 'pledge',
      ...donor,
      title: 'Eight mine detection dogs',
      kind: 'in_kind',
      inKindQuantity: '8',
      inKindUnit: 'mine detection dogs',
      inKindUpTo: 'false',
      sourceDate: '2025-03-31',
      status: 'committed',
      channel: 'direct',
      priorityCodes: 'P07',
      source: 'ANAMA report Q1 2025, page 12',
    }) +
    example({
      externalRef: 'EXAMPLE-002',
      recordKind: 'delivery',
      receivedQuantity: '8',
      receivedOn: '2025-03-20',
      receivedOnBasis: 'on_or_before',
      source: 'ANAMA report Q1 2025, page 12',
    })
  );
}
