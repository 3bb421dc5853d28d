import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { DomainError, FieldProblem, InvalidInputError } from '../common/errors/domain-errors';
import type { FormUpload } from '../common/http/upload-body';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { PledgeImportService, type ImportReport } from '../interop/pledge-import.service';
import { StagingService } from '../staging/staging.service';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';

/** Errors listed on the check page; the rest are counted ("and N more"), as a file can have thousands. */
const ERRORS_SHOWN = 200;

function count(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/** What the flash after an import says, from the redirect's query (numbers only, so nothing typed is echoed). */
function flashOf(query: Record<string, unknown>): string | null {
  const created = count(query.created);
  if (created === null) return null;
  const receipts = count(query.receipts) ?? 0;
  const donors = count(query.donors) ?? 0;
  const instalments = count(query.instalments) ?? 0;
  const skipped = count(query.skipped) ?? 0;
  return (
    `Imported ${created} pledge(s) and ${receipts} receipt(s) or deliveries` +
    (instalments ? `; planned ${instalments} instalment(s)` : '') +
    (donors ? `; created ${donors} donor(s)` : '') +
    (skipped ? `; ${skipped} pledge(s) already on record were left as they were` : '') +
    '.'
  );
}

/**
 * `/import`: a pledges CSV uploaded, checked by a dry run whose every error is shown by row and
 * column with what the file would create (pledges, receipts, donors), then imported on
 * confirmation, creating the missing donors only when the officer ticks the box. The file is
 * staged between the two steps, so the bytes imported are the bytes checked.
 */
@Injectable()
export class ImportPagesService {
  constructor(
    private readonly imports: PledgeImportService,
    private readonly staging: StagingService,
  ) {}

  page(opts: { query?: Record<string, unknown>; problems?: FieldProblem[] } = {}) {
    const problems = opts.problems ?? [];
    const flash = opts.query ? flashOf(opts.query) : null;
    return {
      title: 'Import pledges',
      flash: flash ? { kind: 'success', message: flash } : null,
      errors: errorsByField(problems),
      errorList: withFieldIds(problems).map((p) => ({ ...p, fieldId: 'file' })),
    };
  }

  /** Stages the uploaded file and shows its dry run; nothing is imported yet. */
  async check(actor: Actor, upload: () => Promise<FormUpload>): Promise<FormOutcome> {
    try {
      const form = await upload();
      if (!form.text.trim()) throw InvalidInputError.field('file', 'Choose a pledges CSV file (download the template below to start one)');
      const id = await this.staging.stage(actor, 'pledges_csv', form.text, form.fileName);
      const report = await this.imports.import(actor, form.text, { dryRun: true, createDonors: true });
      return { status: 200, view: 'import/check', page: this.checkPage(id, form.fileName, report, { createDonors: false }) };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { status: error.status, view: 'import/index', page: this.page({ problems: [{ field: 'file', message: error.message }] }) };
    }
  }

  /** Imports the staged file; with errors (a donor missing and not to be created, a change since the check) nothing is written and they are shown. */
  async confirm(actor: Actor, id: string, body: Record<string, unknown>): Promise<FormOutcome> {
    const createDonors = body.createDonors === 'true';
    const key = typeof body.idempotencyKey === 'string' && body.idempotencyKey ? body.idempotencyKey.slice(0, 200) : randomUUID();
    let upload;
    try {
      upload = await this.staging.get(actor, 'pledges_csv', id);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { status: error.status, view: 'import/index', page: this.page({ problems: [{ field: 'file', message: error.message }] }) };
    }
    const sha256 = createHash('sha256').update(upload.content).digest('hex');
    const idem = idempotencyContext(actor, key, 'POST /import', { sha256, createDonors });
    const report = await this.imports.import(actor, upload.content, { dryRun: false, createDonors, idem });
    if (report.errors.length) {
      // Refused without createDonors, its report lists no donors to create: the dry run that asks for them does, for the box.
      const donorsToCreate = createDonors
        ? report.donorsToCreate
        : (await this.imports.import(actor, upload.content, { dryRun: true, createDonors: true })).donorsToCreate;
      return { status: 422, view: 'import/check', page: this.checkPage(id, upload.fileName, { ...report, donorsToCreate }, { createDonors, refused: true }) };
    }
    try {
      await this.staging.take(actor, 'pledges_csv', id);
    } catch (error) {
      // A second click replays the first import's answer (same Idempotency-Key) after the file was taken.
      if (!(error instanceof DomainError)) throw error;
    }
    return {
      redirectTo: `/import?created=${report.created}&receipts=${report.receiptsCreated}&instalments=${report.instalmentsCreated}&donors=${report.donorsCreated}&skipped=${report.skipped}`,
    };
  }

  private checkPage(id: string, fileName: string | null, report: ImportReport, opts: { createDonors: boolean; refused?: boolean }) {
    const errors = report.errors.slice(0, ERRORS_SHOWN);
    return {
      title: 'Check the pledges file',
      id,
      fileName,
      report,
      refused: opts.refused ?? false,
      errorCount: report.errors.length,
      errors,
      moreErrors: report.errors.length - errors.length,
      donorsToCreate: report.donorsToCreate,
      createDonorsChecked: opts.createDonors,
      canImport: report.errors.length === 0 || !!opts.refused,
      idempotencyKey: randomUUID(),
    };
  }
}
