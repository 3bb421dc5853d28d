import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AuditService } from '../audit/audit.service';
import { type Actor, organisationOf } from '../access/actor';
import { todayUtc } from '../common/dates';
import { BusinessRuleError, DomainError } from '../common/errors/domain-errors';
import { fieldProblems, VALIDATION_OPTIONS } from '../common/http/validation';
import { MoneyFormatError } from '../common/money/money';
import { UnitOfWork, type Transaction } from '../database/unit-of-work';
import { DONOR_TYPES } from '../donors/donor.entity';
import { CreateDonorDto } from '../donors/dto';
import { DonorsService } from '../donors/donors.service';
import { FxService } from '../fx/fx.service';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { Ledger, type ImportedPledge } from '../ledger/ledger.service';
import { earmarksFrom, pledgeColumnsFrom, rateCheckOf } from '../pledges/pledge-input';
import { createPledgeProblems } from '../pledges/pledge-rules';
import { CancelPledgeDto, CreateDisbursementDto, CreateInstalmentDto } from '../pledges/dto';
import { checkScheduleFits, instalmentSizeOf, type SchedulingPledge, type Sized } from '../pledges/instalments.service';
import { PledgesService, REPORTING_CURRENCY, type ReceivingPledge } from '../pledges/pledges.service';
import { PrioritiesService } from '../priorities/priorities.service';
import { assertDecodedUtf8, CsvFormatError, csvDataRecords, CsvRecord, CsvShape, scanCsv } from './csv';
import {
  cellText,
  columnOfField,
  columnOfInstalmentField,
  columnOfReceiptField,
  EXPORT_ONLY_COLUMNS,
  GENERATED_REF,
  inKindCellsOnCashRow,
  otherCellsOnInstalmentRow,
  PLEDGE_IMPORT_COLUMNS,
  pledgeCellReader,
  pledgeDtoFrom,
  PledgeCells,
  pledgeCellsOnReceiptRow,
  PledgeImportColumn,
  recordKindOf,
  RECORD_KINDS,
  REQUIRED_COLUMNS,
  rowToInstalmentBody,
  rowToPledgeBody,
  rowToReceiptBody,
} from './pledge-csv';

/** Largest pledges file accepted, by the import route (read after sign-in, common/http/upload-body.ts) and the CLI. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportProblem {
  row: number;
  field: string;
  message: string;
}

/** A donor the file names and the ledger lacks: created by the import only when asked (`createDonors=true`). */
export interface DonorToCreate {
  name: string;
  type: string;
  countryCode: string | null;
  /** The first row that names it. */
  row: number;
}

export interface ImportReport {
  dryRun: boolean;
  createDonors: boolean;
  /** Data rows in the file (pledge, receipt and delivery rows). */
  rows: number;
  /** Pledges created (a dry run creates none). */
  created: number;
  /** Pledge rows whose externalRef already names a pledge: left as they are, with their receipts and deliveries. */
  skipped: number;
  /** Pledges a real import would create. */
  toCreate: number;
  /** Receipts and deliveries a real import would record, and those it recorded. */
  receiptsToCreate: number;
  receiptsCreated: number;
  /** Receipt and delivery rows of pledges already in the ledger: left out. */
  receiptsSkipped: number;
  /** Planned instalments a real import would add, those it added, and those of pledges already in the ledger (left out). */
  instalmentsToCreate: number;
  instalmentsCreated: number;
  instalmentsSkipped: number;
  /** Donors the file names that are not in the ledger, for the pledges it would create. */
  donorsToCreate: DonorToCreate[];
  donorsCreated: number;
  /** Pledges the file records as cancelled (`cancelledAt`, `cancelReason`), among those created or to create. */
  cancelled: number;
  errors: ImportProblem[];
  sha256: string;
}

/**
 * The HTTP answer: a dry run is a report (200); a real import with errors is a 422 that carries
 * the contract's error body and the report's fields side by side.
 */
export function importResponse(report: ImportReport): { status: number; body: object } {
  if (report.errors.length === 0 || report.dryRun) return { status: 200, body: report };
  const first = report.errors[0];
  return {
    status: 422,
    body: {
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: `The file has ${report.errors.length} error(s) and nothing was imported; the first: row ${first.row}, ${first.field}: ${first.message}`,
      details: report.errors.map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.message })),
      ...report,
    },
  };
}

/** A receipt or delivery row that passed its checks, to record once its pledge is written. */
interface PlannedReceipt {
  row: number;
  ref: string;
  dto: CreateDisbursementDto;
}

/** An instalment row that passed the API's checks and the schedule limit, to plan once its pledge is written. */
interface PlannedInstalment {
  row: number;
  ref: string;
  dueOn: string;
  size: Sized;
}

/** What a checked file would write. */
interface ImportPlan {
  pledges: ImportedPledge[];
  /** Pledges whose donor is to be created, by that donor's name. */
  newDonorOf: Map<ImportedPledge, string>;
  /** Pledges naming a deactivated donor (refused when they would be created), by the name as written. */
  inactiveDonorOf: Map<ImportedPledge, { row: number; name: string }>;
  /** Donors to create, by name in lower case. */
  newDonors: Map<string, DonorToCreate>;
  receipts: PlannedReceipt[];
  instalments: PlannedInstalment[];
  /** Pledges the file records as cancelled: cancelled after their receipts are recorded. */
  cancellations: Map<ImportedPledge, { at: Date; reason: string }>;
}

function emptyPlan(): ImportPlan {
  return { pledges: [], newDonorOf: new Map(), inactiveDonorOf: new Map(), newDonors: new Map(), receipts: [], instalments: [], cancellations: new Map() };
}

/** The donors to create for these pledges, in the order the file first names them. */
function donorsFor(pledges: readonly ImportedPledge[], plan: ImportPlan): DonorToCreate[] {
  const names = new Set<string>();
  for (const p of pledges) {
    const name = plan.newDonorOf.get(p);
    if (name !== undefined) names.add(name.toLowerCase());
  }
  return [...plan.newDonors.values()].filter((d) => names.has(d.name.toLowerCase())).sort((x, y) => x.row - y.row);
}

/** A pledge of the file as a receipt row is judged against it: nothing received yet. */
function receivingPledgeOf(columns: ImportedPledge['columns']): ReceivingPledge {
  return {
    kind: columns.kind,
    currency: columns.currency ?? null,
    amountMinor: columns.amountMinor ?? null,
    disbursedMinor: 0n,
    inKindQuantity: columns.inKindQuantity ?? null,
    deliveredQuantity: 0,
    inKindUnit: columns.inKindUnit ?? null,
  };
}

/** A pledge of the file as its instalment rows are judged against it. */
function schedulingPledgeOf(columns: ImportedPledge['columns']): SchedulingPledge {
  return {
    kind: columns.kind,
    amountMinor: columns.amountMinor ?? null,
    currency: columns.currency ?? null,
    inKindQuantity: columns.inKindQuantity ?? null,
    inKindUnit: columns.inKindUnit ?? null,
  };
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * A pledge row's cancellation (`cancelledAt`, an ISO 8601 UTC time as the export writes it, and
 * `cancelReason`, with the rule of `POST /api/pledges/:id/cancel`): null when the row has neither,
 * undefined after naming the problem.
 */
async function cancellationOf(cells: PledgeCells, problem: (field: string, message: string) => void): Promise<{ at: Date; reason: string } | null | undefined> {
  const at = cellText(cells.cancelledAt);
  const reason = cellText(cells.cancelReason);
  let ok = true;
  if (!at || !TIMESTAMP.test(at) || Number.isNaN(Date.parse(at))) {
    problem('cancelledAt', 'cancelledAt must be the time the pledge was cancelled, written as the export writes it (2025-05-03T09:30:00.000Z)');
    ok = false;
  } else if (Date.parse(at) > Date.now()) {
    problem('cancelledAt', 'cancelledAt cannot be in the future');
    ok = false;
  }
  const invalid = fieldProblems(await validate(plainToInstance(CancelPledgeDto, { reason }), VALIDATION_OPTIONS));
  for (const p of invalid) problem('cancelReason', p.message.replace(/^reason/, 'cancelReason'));
  return ok && !invalid.length ? { at: new Date(at as string), reason: reason as string } : undefined;
}

/** A donor name the ledger lacks, to be created (`DonorResolver.find`). */
const MISSING = Symbol('missing donor');

/** Where an error on a `POST /api/donors` field shows in the CSV. */
const DONOR_FIELD_COLUMN: Record<string, string> = { name: 'donor', type: 'donorType', countryCode: 'donorCountryCode' };

/**
 * Finds the donor a pledge row names: an id when the ledger has it (an exact match, or the only
 * one ignoring capitals), the name when it is to be created (`createDonors`, checked with the
 * rules of `POST /api/donors`), or undefined after naming the problem.
 */
class DonorResolver {
  readonly planned = new Map<string, DonorToCreate>();
  private readonly folded = new Map<string, number[]>();

  constructor(
    private readonly exact: ReadonlyMap<string, number>,
    private readonly createDonors: boolean,
  ) {
    for (const [name, id] of exact) this.folded.set(name.toLowerCase(), [...(this.folded.get(name.toLowerCase()) ?? []), id]);
  }

  /**
   * The donor of a row, without a promise (a file has a hundred thousand rows): its id, undefined
   * after naming the problem, or `MISSING` for a name to check and plan with `plan`.
   */
  find(cells: PledgeCells, problem: (field: string, message: string) => void): number | string | undefined | typeof MISSING {
    const raw = cells.donor;
    const id = this.exact.get(raw);
    if (id !== undefined) return id;
    const name = cellText(raw);
    if (!name) {
      problem('donor', 'donor is required: the donor’s name as on its donor page');
      return undefined;
    }
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    const loose = this.folded.get(name.toLowerCase()) ?? [];
    if (loose.length === 1) return loose[0];
    if (loose.length > 1) {
      problem('donor', `donor "${name}" matches several donors that differ only in capitals; write the name exactly`);
      return undefined;
    }
    if (!this.createDonors) {
      problem('donor', `there is no donor named "${name}": add the donor first, correct the name, or ask for missing donors to be created (createDonors=true)`);
      return undefined;
    }
    return MISSING;
  }

  /** Checks a donor to create with the rules of `POST /api/donors` and plans it once; its name, or undefined after naming the problem. */
  async plan(row: number, name: string, cells: PledgeCells, problem: (field: string, message: string) => void): Promise<string | undefined> {
    const known = this.planned.get(name.toLowerCase());
    if (known) {
      if (known.name !== name) {
        problem('donor', `write the donor as on row ${known.row} ("${known.name}"): names that differ only in capitals are one donor`);
        return undefined;
      }
      if ((cells.donorType && cells.donorType !== known.type) || (cells.donorCountryCode && cells.donorCountryCode !== known.countryCode)) {
        problem(
          cells.donorType && cells.donorType !== known.type ? 'donorType' : 'donorCountryCode',
          `donor "${name}" is created as ${known.type}${known.countryCode ? `, ${known.countryCode}` : ''} on row ${known.row}: leave this cell empty or the same`,
        );
        return undefined;
      }
      return known.name;
    }
    if (!cells.donorType) {
      problem('donorType', `donorType is needed to create donor "${name}": one of ${DONOR_TYPES.join(', ')}`);
      return undefined;
    }
    const dto = plainToInstance(CreateDonorDto, { name, type: cells.donorType, countryCode: cellText(cells.donorCountryCode) ?? null });
    const invalid = fieldProblems(await validate(dto, VALIDATION_OPTIONS));
    if (invalid.length) {
      for (const p of invalid) problem(DONOR_FIELD_COLUMN[p.field] ?? 'donor', p.message);
      return undefined;
    }
    this.planned.set(name.toLowerCase(), { name, type: dto.type, countryCode: dto.countryCode ?? null, row });
    return name;
  }
}

export type ImportProgress = (phase: 'validate' | 'insert', done: number, total: number) => void;

const CLI_PROGRESS_EVERY = 5_000;

/**
 * Imports pledges from CSV with the rules of `POST /api/pledges`. Everything is checked in memory
 * first (donors, priorities and rate look-ups loaded once); a file with any error writes nothing;
 * otherwise all new rows go in as multi-row INSERTs in one transaction, with one audit entry for
 * the whole file (its hash and counts) rather than one per row.
 */
@Injectable()
export class PledgeImportService {
  constructor(
    private readonly ledger: Ledger,
    private readonly pledges: PledgesService,
    private readonly donors: DonorsService,
    private readonly priorities: PrioritiesService,
    private readonly fx: FxService,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async import(
    actor: Actor,
    csv: string,
    opts: { dryRun: boolean; createDonors?: boolean; idem?: IdempotencyContext | null; onProgress?: ImportProgress },
  ): Promise<ImportReport> {
    const sha256 = createHash('sha256').update(csv).digest('hex');
    const createDonors = opts.createDonors ?? false;
    const report: ImportReport = {
      dryRun: opts.dryRun,
      createDonors,
      rows: 0,
      created: 0,
      skipped: 0,
      toCreate: 0,
      receiptsToCreate: 0,
      receiptsCreated: 0,
      receiptsSkipped: 0,
      instalmentsToCreate: 0,
      instalmentsCreated: 0,
      instalmentsSkipped: 0,
      donorsToCreate: [],
      donorsCreated: 0,
      cancelled: 0,
      errors: [],
      sha256,
    };
    const organisationId = organisationOf(actor);
    const plan = await this.checkFile(organisationId, csv, report, createDonors, opts.onProgress);
    if (plan.pledges.length === 0) return report;

    const generated = new Map<number, string>();
    for (const c of plan.pledges) {
      const m = GENERATED_REF.exec(c.columns.externalRef as string);
      if (m) generated.set(Number(m[1]), c.columns.externalRef as string);
    }
    const refs = plan.pledges.map((c) => c.columns.externalRef as string);
    const existing = await this.ledger.existingRefs(organisationId, refs, generated);
    this.judgeFreshRows(plan, existing, report);
    if (report.errors.length || opts.dryRun) return report;

    const { body } = await this.idempotency.create(opts.idem ?? null, async (tx) => {
      // One import at a time on PostgreSQL, so two uploads of one file cannot both pass the check below.
      await this.uow.lockKey(tx, 'pledge-import');
      const stored = await this.ledger.existingRefs(organisationId, refs, generated, tx);
      const fresh = plan.pledges.filter((c) => !stored.has(c.columns.externalRef as string));
      const newDonors = new Map<string, number>();
      for (const donor of donorsFor(fresh, plan)) {
        const source = `Pledges CSV import, file SHA-256 ${sha256.slice(0, 16)}, row ${donor.row}`;
        newDonors.set(donor.name, await this.donors.createInImport(tx, actor, { ...donor, source }));
      }
      for (const c of fresh) {
        const donorName = plan.newDonorOf.get(c);
        if (donorName !== undefined) c.columns.donorId = newDonors.get(donorName) as number;
        c.columns.createdBy = actor.id || null;
      }
      const inserted = await this.ledger.recordPledges(tx, organisationOf(actor), fresh, (done) => opts.onProgress?.('insert', done, fresh.length));
      const freshRefs = new Set(fresh.map((c) => c.columns.externalRef as string));
      const receipts = plan.receipts.filter((r) => freshRefs.has(r.ref));
      const instalments = plan.instalments.filter((i) => freshRefs.has(i.ref));
      const cancelled = fresh.filter((c) => plan.cancellations.has(c));
      const looked = [...new Set([...receipts.map((r) => r.ref), ...instalments.map((i) => i.ref), ...cancelled.map((c) => c.columns.externalRef as string)])];
      const ids = looked.length ? await this.ledger.existingRefs(organisationId, looked, new Map(), tx) : new Map<string, number>();
      for (const r of receipts) await this.recordReceipt(tx, actor, ids.get(r.ref) as number, r);
      // Planned before a cancelled pledge is cancelled (a cancelled pledge's schedule cannot change), as the file records them.
      for (const i of instalments) {
        const pledgeId = ids.get(i.ref) as number;
        await this.ledger.lockPledge(tx, pledgeId);
        await this.ledger.planInstalment(tx, {
          organisationId: organisationOf(actor),
          pledgeId,
          dueOn: i.dueOn,
          amountMinor: i.size.amountMinor,
          quantity: i.size.quantity,
          createdBy: actor.id || null,
        });
      }
      for (const c of cancelled) {
        const { at, reason } = plan.cancellations.get(c) as { at: Date; reason: string };
        await this.ledger.cancelPledge(tx, ids.get(c.columns.externalRef as string) as number, reason, at);
      }
      const result: ImportReport = {
        ...report,
        created: inserted.created,
        skipped: stored.size,
        toCreate: fresh.length,
        receiptsToCreate: receipts.length,
        receiptsCreated: receipts.length,
        receiptsSkipped: plan.receipts.length - receipts.length,
        instalmentsToCreate: instalments.length,
        instalmentsCreated: instalments.length,
        instalmentsSkipped: plan.instalments.length - instalments.length,
        donorsToCreate: donorsFor(fresh, plan),
        donorsCreated: newDonors.size,
        cancelled: cancelled.length,
      };
      await this.audit.record(tx, actor, {
        action: 'pledge.import',
        entityType: 'import',
        entityId: sha256.slice(0, 16),
        after: {
          sha256,
          rows: result.rows,
          created: result.created,
          skipped: result.skipped,
          receiptsCreated: result.receiptsCreated,
          instalmentsCreated: result.instalmentsCreated,
          cancelled: result.cancelled,
          donorsCreated: [...newDonors].map(([name, id]) => ({ id, name })),
          firstId: inserted.firstId,
          lastId: inserted.lastId,
        },
      });
      return result;
    });
    return body;
  }

  /**
   * What the file would do to this ledger: pledge rows whose reference is already there are skipped
   * with their receipts; the others must not name a deactivated donor, and the donors they name
   * that are missing are the ones to create.
   */
  private judgeFreshRows(plan: ImportPlan, existing: ReadonlyMap<string, number>, report: ImportReport): void {
    const fresh = plan.pledges.filter((c) => !existing.has(c.columns.externalRef as string));
    for (const c of fresh) {
      const inactive = plan.inactiveDonorOf.get(c);
      if (inactive !== undefined)
        report.errors.push({
          row: inactive.row,
          field: 'donor',
          message: `donor "${inactive.name}" is deactivated and takes no new pledges: reactivate it on its page, or correct the name`,
        });
    }
    report.errors.sort((x, y) => x.row - y.row);
    report.skipped = existing.size;
    report.toCreate = fresh.length;
    const freshRefs = new Set(fresh.map((c) => c.columns.externalRef as string));
    report.receiptsToCreate = plan.receipts.filter((r) => freshRefs.has(r.ref)).length;
    report.receiptsSkipped = plan.receipts.length - report.receiptsToCreate;
    report.instalmentsToCreate = plan.instalments.filter((i) => freshRefs.has(i.ref)).length;
    report.instalmentsSkipped = plan.instalments.length - report.instalmentsToCreate;
    report.donorsToCreate = donorsFor(fresh, plan);
    report.cancelled = fresh.filter((c) => plan.cancellations.has(c)).length;
  }

  /** Records one receipt or delivery row against a pledge this import created, inside its unit of work; the row is named if it is refused. */
  private async recordReceipt(tx: Transaction, actor: Actor, pledgeId: number, r: PlannedReceipt): Promise<void> {
    const pledge = await this.ledger.findPledge(organisationOf(actor), pledgeId, tx);
    if (!pledge) throw new Error(`Pledge ${pledgeId} vanished inside its own import`);
    try {
      const columns = await this.pledges.buildDisbursement(tx, pledge, r.dto);
      await this.ledger.recordReceipt(tx, pledge, { ...columns, pledgeId, createdBy: actor.id || null });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const details = (error.details.length ? error.details : [{ field: 'row', message: error.message }]).map((d) => ({
        field: `row ${r.row}: ${columnOfReceiptField(d.field)}`,
        message: d.message,
      }));
      throw new BusinessRuleError(`row ${r.row}: ${error.message}; nothing was imported`, details);
    }
  }

  /**
   * Checks the whole file, filling `report.rows` and `report.errors`; returns what to write.
   * The CSV is scanned first (a format error anywhere refuses the file before any row is judged),
   * then read again one row at a time, so the parsed cells never all sit in memory at once.
   */
  private async checkFile(organisationId: number, csv: string, report: ImportReport, createDonors: boolean, onProgress?: ImportProgress): Promise<ImportPlan> {
    const plan = emptyPlan();
    let shape: CsvShape;
    try {
      assertDecodedUtf8(csv);
      shape = scanCsv(csv);
    } catch (error) {
      if (error instanceof CsvFormatError) {
        report.errors.push({ row: error.row, field: error.column, message: error.message });
        return plan;
      }
      throw error;
    }
    report.rows = shape.rows;
    const positions = this.headerPositions(shape.header, report.errors);
    if (report.errors.length) return plan;
    if (shape.rows === 0) {
      report.errors.push({ row: 2, field: 'file', message: 'the file has a header but no data rows' });
      return plan;
    }
    await this.validateRows(organisationId, csvDataRecords(csv), shape, positions, report.errors, plan, createDonors, onProgress);
    return plan;
  }

  /** Column positions by name; unknown, missing and repeated columns are errors on row 1. */
  private headerPositions(header: string[], errors: ImportProblem[]): Map<PledgeImportColumn, number> {
    const positions = new Map<PledgeImportColumn, number>();
    const known = new Set<string>([...PLEDGE_IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS]);
    if (!header.some((h) => known.has(h.trim()))) {
      errors.push({
        row: 1,
        field: 'header',
        message: `the first row must name the columns (${REQUIRED_COLUMNS.join(', ')}, …); download the template from /api/import/pledges/template.csv`,
      });
      return positions;
    }
    header.forEach((raw, index) => {
      const name = raw.trim();
      if (!known.has(name)) {
        errors.push({ row: 1, field: `column ${index + 1}`, message: `unknown column "${name}"; the columns are ${PLEDGE_IMPORT_COLUMNS.join(', ')}` });
        return;
      }
      if (!(PLEDGE_IMPORT_COLUMNS as readonly string[]).includes(name)) return;
      const column = name as PledgeImportColumn;
      if (positions.has(column)) errors.push({ row: 1, field: column, message: `column "${column}" appears twice` });
      positions.set(column, index);
    });
    for (const column of REQUIRED_COLUMNS) {
      if (!positions.has(column)) errors.push({ row: 1, field: column, message: `the header has no "${column}" column` });
    }
    return positions;
  }

  private async validateRows(
    organisationId: number,
    records: Iterable<CsvRecord>,
    shape: CsvShape,
    positions: Map<PledgeImportColumn, number>,
    errors: ImportProblem[],
    plan: ImportPlan,
    createDonors: boolean,
    onProgress?: ImportProgress,
  ): Promise<void> {
    const [donorIds, inactive, priorityCodes] = await Promise.all([
      this.donors.idsByName(organisationId),
      this.donors.inactiveIds(),
      this.priorities.codes(organisationId),
    ]);
    const donors = new DonorResolver(donorIds, createDonors);
    const rateChecks = new RateCheckCache();
    const firstRowOfRef = new Map<string, number>();
    const receiptRows: Array<{ row: number; cells: PledgeCells }> = [];
    const instalmentRows: Array<{ row: number; cells: PledgeCells }> = [];
    const today = todayUtc();
    const width = shape.header.length;
    const readCells = pledgeCellReader(positions);

    let index = 0;
    for (const { row, cells: raw } of records) {
      if (onProgress && index % CLI_PROGRESS_EVERY === 0) onProgress('validate', index, shape.rows);
      index++;
      const problem = (field: string, message: string) => errors.push({ row, field, message });
      if (raw.length !== width) {
        problem('row', `row ${row} has ${raw.length} cells but the header has ${width}: check for a stray comma or an unquoted line break`);
        continue;
      }
      const cells = readCells(raw);
      const recordKind = recordKindOf(cells);
      if (recordKind === null) {
        problem('recordKind', `recordKind must be one of ${RECORD_KINDS.join(', ')} (empty means pledge)`);
        continue;
      }
      if (recordKind === 'instalment') {
        instalmentRows.push({ row, cells });
        continue;
      }
      if (recordKind !== 'pledge') {
        receiptRows.push({ row, cells });
        continue;
      }

      let rowOk = true;
      const ref = cells.externalRef;
      if (!ref) {
        problem('externalRef', 'externalRef is required: it is how a second import of the same file recognises this row');
        rowOk = false;
      } else if (firstRowOfRef.has(ref)) {
        problem('externalRef', `externalRef "${ref}" is already used on row ${firstRowOfRef.get(ref)} of this file`);
        rowOk = false;
      } else {
        firstRowOfRef.set(ref, row);
      }
      const found = donors.find(cells, problem);
      const donor = found === MISSING ? await donors.plan(row, cellText(cells.donor) as string, cells, problem) : found;
      if (donor === undefined) rowOk = false;
      for (const column of inKindCellsOnCashRow(cells)) {
        problem(column, `a cash pledge leaves ${column} empty; use kind "in_kind" for goods`);
        rowOk = false;
      }

      const dto = pledgeDtoFrom(rowToPledgeBody(cells, typeof donor === 'number' ? donor : 1));
      const invalid = createPledgeProblems(dto);
      if (invalid.length) {
        for (const p of invalid) if (!(p.field === 'donorId' && donor === undefined)) problem(columnOfField(p.field), p.message);
        continue;
      }
      try {
        const columns = pledgeColumnsFrom(dto);
        const earmarks = earmarksFrom(dto.priorityCodes, dto.priorityShares, priorityCodes);
        const check = rateCheckOf(dto, columns, today);
        if (check) {
          let rateError = rateChecks.get(check.value.currency, check.valueDate, check.field);
          if (rateError === undefined)
            rateChecks.set(check.value.currency, check.valueDate, check.field, (rateError = await this.rateProblem(check.value, check.valueDate, check.field)));
          if (rateError) throw rateError;
        }
        const cancellation = cells.cancelledAt || cells.cancelReason ? await cancellationOf(cells, problem) : null;
        if (cancellation === undefined) rowOk = false;
        if (rowOk) {
          const candidate: ImportedPledge = { columns, earmarks };
          plan.pledges.push(candidate);
          if (cancellation) plan.cancellations.set(candidate, cancellation);
          if (typeof donor === 'string') plan.newDonorOf.set(candidate, donor);
          else if (inactive.size && inactive.has(donor as number)) plan.inactiveDonorOf.set(candidate, { row, name: cellText(cells.donor) ?? '' });
        }
      } catch (error) {
        if (error instanceof DomainError) for (const d of error.details) problem(columnOfField(d.field), d.message);
        else if (error instanceof MoneyFormatError)
          problem(columnOfField(error.field === 'currency' && dto.kind === 'in_kind' ? 'inKind.unitValue.currency' : error.field), error.message);
        else throw error;
      }
    }
    if (receiptRows.length) {
      const receivingByRef = new Map<string, ReceivingPledge>(plan.pledges.map((c) => [c.columns.externalRef as string, receivingPledgeOf(c.columns)]));
      for (const r of receiptRows) await this.validateReceipt(r.row, r.cells, firstRowOfRef, receivingByRef, errors, plan);
    }
    if (instalmentRows.length) {
      const pledgeByRef = new Map<string, SchedulingPledge>(plan.pledges.map((c) => [c.columns.externalRef as string, schedulingPledgeOf(c.columns)]));
      const scheduled = new Map<string, bigint[]>();
      for (const r of instalmentRows) await this.validateInstalment(r.row, r.cells, firstRowOfRef, pledgeByRef, scheduled, errors, plan);
    }
    plan.newDonors = donors.planned;
    if ((receiptRows.length || instalmentRows.length) && errors.length) errors.sort((x, y) => x.row - y.row);
    onProgress?.('validate', shape.rows, shape.rows);
  }

  /**
   * A receipt or delivery row, checked with the rules of `POST /api/pledges/:id/disbursements`
   * against its pledge as the file leaves it so far (its earlier receipts counted), so a dry run
   * refuses what the import would.
   */
  private async validateReceipt(
    row: number,
    cells: PledgeCells,
    pledgeRows: ReadonlyMap<string, number>,
    receivingByRef: ReadonlyMap<string, ReceivingPledge>,
    errors: ImportProblem[],
    plan: ImportPlan,
  ): Promise<void> {
    const problem = (field: string, message: string) => errors.push({ row, field, message });
    const kind = recordKindOf(cells) as 'receipt' | 'delivery';
    const ref = cells.externalRef;
    let rowOk = true;
    if (!ref) {
      problem('externalRef', `externalRef is required: the reference of the pledge this ${kind} counts against`);
      rowOk = false;
    } else if (!pledgeRows.has(ref)) {
      problem('externalRef', `no pledge row of this file has externalRef "${ref}": a ${kind} row is imported with its pledge's row`);
      rowOk = false;
    }
    for (const column of pledgeCellsOnReceiptRow(cells)) {
      problem(column, `a ${kind} row leaves ${column} empty: it belongs on the pledge's row`);
      rowOk = false;
    }
    const dto = plainToInstance(CreateDisbursementDto, rowToReceiptBody(cells));
    const invalid = fieldProblems(await validate(dto, VALIDATION_OPTIONS));
    for (const p of invalid) problem(columnOfReceiptField(p.field), p.message);
    const pledge = receivingByRef.get(ref);
    if (!rowOk || invalid.length || !pledge) return;
    if ((pledge.kind === 'in_kind') !== (kind === 'delivery')) {
      problem(
        'recordKind',
        pledge.kind === 'in_kind' ? 'an in-kind pledge takes delivery rows, not receipt rows' : 'a cash pledge takes receipt rows, not delivery rows',
      );
      return;
    }
    try {
      const columns = await this.pledges.buildDisbursement(undefined, pledge, dto);
      if (columns.countedMinor !== null) pledge.disbursedMinor += columns.countedMinor;
      if (columns.quantity !== null) pledge.deliveredQuantity += columns.quantity;
      plan.receipts.push({ row, ref, dto });
    } catch (error) {
      if (!(error instanceof DomainError || error instanceof MoneyFormatError)) throw error;
      const details = error instanceof DomainError ? error.details : [{ field: error.field, message: error.message }];
      for (const d of details.length ? details : [{ field: 'row', message: error.message }]) problem(columnOfReceiptField(d.field), d.message);
    }
  }

  /**
   * A planned instalment row, checked with the rules of `POST /api/pledges/:id/instalments` (its
   * DTO, then the same size and schedule-limit functions the API calls) against its pledge's row and
   * the instalment rows of that pledge before it, so a dry run names every row that does not fit.
   */
  private async validateInstalment(
    row: number,
    cells: PledgeCells,
    pledgeRows: ReadonlyMap<string, number>,
    pledgeByRef: ReadonlyMap<string, SchedulingPledge>,
    scheduled: Map<string, bigint[]>,
    errors: ImportProblem[],
    plan: ImportPlan,
  ): Promise<void> {
    const problem = (field: string, message: string) => errors.push({ row, field, message });
    const ref = cells.externalRef;
    let rowOk = true;
    if (!ref) {
      problem('externalRef', 'externalRef is required: the reference of the pledge this instalment is planned for');
      rowOk = false;
    } else if (!pledgeRows.has(ref)) {
      problem('externalRef', `no pledge row of this file has externalRef "${ref}": an instalment row is imported with its pledge's row`);
      rowOk = false;
    }
    for (const column of otherCellsOnInstalmentRow(cells)) {
      problem(column, `an instalment row leaves ${column} empty: it takes dueOn and amount (cash) or inKindQuantity (in kind)`);
      rowOk = false;
    }
    const dto = plainToInstance(CreateInstalmentDto, rowToInstalmentBody(cells));
    const invalid = fieldProblems(await validate(dto, VALIDATION_OPTIONS));
    for (const p of invalid) problem(columnOfInstalmentField(p.field), p.message);
    const pledge = pledgeByRef.get(ref);
    if (!rowOk || invalid.length || !pledge) return;
    try {
      const size = instalmentSizeOf(pledge, dto.amount, dto.quantity);
      const before = scheduled.get(ref) ?? [];
      checkScheduleFits(pledge, size, before);
      scheduled.set(ref, [...before, size.amountMinor ?? BigInt(size.quantity as number)]);
      plan.instalments.push({ row, ref, dueOn: dto.dueOn, size });
    } catch (error) {
      if (!(error instanceof DomainError || error instanceof MoneyFormatError)) throw error;
      const details = error instanceof DomainError ? error.details : [{ field: error.field, message: error.message }];
      for (const d of details.length ? details : [{ field: 'row', message: error.message }]) problem(columnOfInstalmentField(d.field), d.message);
    }
  }

  private async rateProblem(value: { minor: bigint; currency: string }, valueDate: string, field: string): Promise<DomainError | null> {
    try {
      await this.fx.convert(value, REPORTING_CURRENCY, valueDate, field);
      return null;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  }
}

/**
 * What converting a currency at a date says, per field to blame: asked once per combination (a
 * file has a few hundred), answered from memory for every other row. Nested maps rather than one
 * map keyed by a joined string: building that string per row cost more than the look-up.
 */
class RateCheckCache {
  private readonly byField = new Map<string, Map<string, Map<string, DomainError | null>>>();

  /** The answer, or undefined when not asked yet. */
  get(currency: string, valueDate: string, field: string): DomainError | null | undefined {
    return this.byField.get(field)?.get(currency)?.get(valueDate);
  }

  set(currency: string, valueDate: string, field: string, answer: DomainError | null): void {
    let byCurrency = this.byField.get(field);
    if (!byCurrency) this.byField.set(field, (byCurrency = new Map<string, Map<string, DomainError | null>>()));
    let byDate = byCurrency.get(currency);
    if (!byDate) byCurrency.set(currency, (byDate = new Map<string, DomainError | null>()));
    byDate.set(valueDate, answer);
  }
}
