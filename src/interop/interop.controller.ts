import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Actor, organisationOf } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { InvalidInputError } from '../common/errors/domain-errors';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { ExportService } from './export.service';
import { pledgeTemplateCsv } from './pledge-csv';
import { importResponse, MAX_IMPORT_BYTES, PledgeImportService } from './pledge-import.service';
import { readTextUpload } from '../common/http/upload-body';

/** A `true`/`false` query flag, false when absent. */
function parseFlag(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw InvalidInputError.field(name, `${name} must be true or false`);
}

/** A sink that starts the download with its first chunk, so an error thrown before it is still a JSON error. */
function download(res: Response, type: string, filename: string): (chunk: string) => void {
  return (chunk) => {
    if (!res.headersSent) {
      res.setHeader('Content-Type', type);
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    }
    res.write(chunk);
  };
}

@ApiTags('import and export')
@ApiBearerAuth()
@Controller('api')
export class InteropController {
  constructor(
    private readonly imports: PledgeImportService,
    private readonly exports: ExportService,
  ) {}

  @Post('import/pledges')
  @Roles(...WRITE_LEDGER)
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'Pledges in the CSV column set of /api/import/pledges/template.csv (UTF-8, at most 50 MB)' })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'], description: 'true: check and report, write nothing' })
  @ApiQuery({
    name: 'createDonors',
    required: false,
    enum: ['true', 'false'],
    description:
      'true: a donor the file names and the ledger lacks is created (from the donor, donorType and donorCountryCode cells); the dry run lists them in donorsToCreate',
  })
  async importPledges(
    @CurrentActor() actor: Actor,
    @Query('dryRun') dryRun: string | undefined,
    @Query('createDonors') createDonors: string | undefined,
    @Idempotency() idem: IdempotencyContext | null,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { status, body } = importResponse(
      await this.imports.import(actor, await readTextUpload(req, MAX_IMPORT_BYTES), {
        dryRun: parseFlag('dryRun', dryRun),
        createDonors: parseFlag('createDonors', createDonors),
        idem,
      }),
    );
    res.status(status);
    return body;
  }

  @Get('import/pledges/template.csv')
  @Roles(...READ_ALL)
  @ApiProduces('text/csv')
  template(@Res() res: Response) {
    download(res, 'text/csv; charset=utf-8', 'pledges-template.csv')(pledgeTemplateCsv());
    res.end();
  }

  @Get('export/pledges.csv')
  @Roles(...READ_ALL)
  @ApiProduces('text/csv')
  async pledgesCsv(@CurrentActor() actor: Actor, @Res() res: Response) {
    await this.exports.pledgesCsv(organisationOf(actor), download(res, 'text/csv; charset=utf-8', 'pledges.csv'));
    res.end();
  }

  @Get('export/disbursements.csv')
  @Roles(...READ_ALL)
  @ApiProduces('text/csv')
  async disbursementsCsv(@CurrentActor() actor: Actor, @Res() res: Response) {
    await this.exports.disbursementsCsv(organisationOf(actor), download(res, 'text/csv; charset=utf-8', 'disbursements.csv'));
    res.end();
  }

  @Get('export/iati-activities.xml')
  @Roles('admin', 'leadership')
  @ApiProduces('application/xml')
  async iati(@CurrentActor() actor: Actor, @Res() res: Response) {
    await this.exports.iatiActivities(organisationOf(actor), download(res, 'application/xml; charset=utf-8', 'iati-activities.xml'));
    res.end();
  }
}
