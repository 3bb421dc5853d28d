import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Actor } from '../access/actor';
import { todayUtc } from '../common/dates';
import { DomainError } from '../common/errors/domain-errors';
import { MoneyFormatError } from '../common/money/money';
import { UnitOfWork } from '../database/unit-of-work';
import { DonorsService } from '../donors/donors.service';
import { FxService } from '../fx/fx.service';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { Ledger, type ImportedPledge } from '../ledger/ledger.service';
import { earmarksFrom, pledgeColumnsFrom, rateCheckOf } from '../pledges/pledge-input';
import { createPledgeProblems } from '../pledges/pledge-rules';
import { REPORTING_CURRENCY } from '../pledges/pledges.service';
import { PrioritiesService } from '../priorities/priorities.service';
import { assertDecodedUtf8, CsvFormatError, csvDataRecords, CsvRecord, CsvShape, scanCsv } from './csv';
import {
  columnOfField,
  EXPORT_ONLY_COLUMNS,
  GENERATED_REF,
  inKindCellsOnCashRow,
  PLEDGE_IMPORT_COLUMNS,
  pledgeCellReader,
  pledgeDtoFrom,
  PledgeImportColumn,
  REQUIRED_COLUMNS,
  rowToPledgeBody,
} from './pledge-csv';

/** Largest pledges file accepted, by the import route (read after sign-in, common/http/upload-body.ts) and the CLI. */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportProblem {
  row: number;
  field: string;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Data rows in the file. */
  rows: number;
  /** Pledges created (a dry run creates none). */
  created: number;
  /** Rows whose externalRef already names a pledge: left as they are. */
  skipped: number;
  /** Rows a real import would create. */
  toCreate: number;
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
    private readonly donors: DonorsService,
    private readonly priorities: PrioritiesService,
    private readonly fx: FxService,
    private readonly uow: UnitOfWork,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async import(actor: Actor, csv: string, opts: { dryRun: boolean; idem?: IdempotencyContext | null; onProgress?: ImportProgress }): Promise<ImportReport> {
    const sha256 = createHash('sha256').update(csv).digest('hex');
    const report: ImportReport = { dryRun: opts.dryRun, rows: 0, created: 0, skipped: 0, toCreate: 0, errors: [], sha256 };
    const candidates = await this.checkFile(csv, report, opts.onProgress);
    if (report.errors.length) return report;

    const generated = new Map<number, string>();
    for (const c of candidates) {
      const m = GENERATED_REF.exec(c.columns.externalRef as string);
      if (m) generated.set(Number(m[1]), c.columns.externalRef as string);
    }
    const refs = candidates.map((c) => c.columns.externalRef as string);
    if (opts.dryRun) {
      const existing = await this.ledger.existingRefs(refs, generated);
      report.skipped = existing.size;
      report.toCreate = candidates.length - existing.size;
      return report;
    }

    const { body } = await this.idempotency.create(opts.idem ?? null, async (tx) => {
      // One import at a time on PostgreSQL, so two uploads of one file cannot both pass the check below.
      await this.uow.lockKey(tx, 'pledge-import');
      const existing = await this.ledger.existingRefs(refs, generated, tx);
      const fresh = candidates.filter((c) => !existing.has(c.columns.externalRef as string));
      for (const c of fresh) c.columns.createdBy = actor.id || null;
      const inserted = await this.ledger.recordPledges(tx, fresh, (done) => opts.onProgress?.('insert', done, fresh.length));
      const result: ImportReport = { ...report, created: inserted.created, skipped: existing.size, toCreate: fresh.length };
      await this.audit.record(tx, actor, {
        action: 'pledge.import',
        entityType: 'import',
        entityId: sha256.slice(0, 16),
        after: { sha256, rows: result.rows, created: result.created, skipped: result.skipped, firstId: inserted.firstId, lastId: inserted.lastId },
      });
      return result;
    });
    return body;
  }

  /**
   * Checks the whole file, filling `report.rows` and `report.errors`; returns the rows to insert.
   * The CSV is scanned first (a format error anywhere refuses the file before any row is judged),
   * then read again one row at a time, so the parsed cells never all sit in memory at once.
   */
  private async checkFile(csv: string, report: ImportReport, onProgress?: ImportProgress): Promise<ImportedPledge[]> {
    let shape: CsvShape;
    try {
      assertDecodedUtf8(csv);
      shape = scanCsv(csv);
    } catch (error) {
      if (error instanceof CsvFormatError) {
        report.errors.push({ row: error.row, field: error.column, message: error.message });
        return [];
      }
      throw error;
    }
    report.rows = shape.rows;
    const positions = this.headerPositions(shape.header, report.errors);
    if (report.errors.length) return [];
    if (shape.rows === 0) {
      report.errors.push({ row: 2, field: 'file', message: 'the file has a header but no data rows' });
      return [];
    }
    return this.validateRows(csvDataRecords(csv), shape, positions, report.errors, onProgress);
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
    records: Iterable<CsvRecord>,
    shape: CsvShape,
    positions: Map<PledgeImportColumn, number>,
    errors: ImportProblem[],
    onProgress?: ImportProgress,
  ): Promise<ImportedPledge[]> {
    const [donors, priorityCodes] = await Promise.all([this.donors.idsByName(), this.priorities.codes()]);
    const donorsByFoldedName = new Map<string, number[]>();
    for (const [name, id] of donors) donorsByFoldedName.set(name.toLowerCase(), [...(donorsByFoldedName.get(name.toLowerCase()) ?? []), id]);
    const rateChecks = new RateCheckCache();
    const firstRowOfRef = new Map<string, number>();
    const today = todayUtc();
    const width = shape.header.length;
    const readCells = pledgeCellReader(positions);
    const candidates: ImportedPledge[] = [];

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
      const donorId = this.resolveDonor(cells.donor, donors, donorsByFoldedName, problem);
      if (donorId === undefined) rowOk = false;
      for (const column of inKindCellsOnCashRow(cells)) {
        problem(column, `a cash pledge leaves ${column} empty; use kind "in_kind" for goods`);
        rowOk = false;
      }

      const dto = pledgeDtoFrom(rowToPledgeBody(cells, donorId ?? 1));
      const invalid = createPledgeProblems(dto);
      if (invalid.length) {
        for (const p of invalid) if (!(p.field === 'donorId' && donorId === undefined)) problem(columnOfField(p.field), p.message);
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
        if (rowOk) candidates.push({ columns, earmarks });
      } catch (error) {
        if (error instanceof DomainError) for (const d of error.details) problem(columnOfField(d.field), d.message);
        else if (error instanceof MoneyFormatError)
          problem(columnOfField(error.field === 'currency' && dto.kind === 'in_kind' ? 'inKind.unitValue.currency' : error.field), error.message);
        else throw error;
      }
    }
    onProgress?.('validate', shape.rows, shape.rows);
    return candidates;
  }

  private resolveDonor(
    name: string,
    exact: Map<string, number>,
    folded: Map<string, number[]>,
    problem: (field: string, message: string) => void,
  ): number | undefined {
    if (!name) {
      problem('donor', 'donor is required: the donor’s name as on its donor page');
      return undefined;
    }
    const id = exact.get(name);
    if (id !== undefined) return id;
    const loose = folded.get(name.toLowerCase()) ?? [];
    if (loose.length === 1) return loose[0];
    problem(
      'donor',
      loose.length > 1
        ? `donor "${name}" matches several donors that differ only in capitals; write the name exactly`
        : `there is no donor named "${name}": add the donor first, or correct the name`,
    );
    return undefined;
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
