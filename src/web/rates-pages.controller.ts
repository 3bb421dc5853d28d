import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { readFormUpload } from '../common/http/upload-body';
import { MAX_RATES_FILE_BYTES } from '../fx/fx.controller';
import { respond } from './pledge-pages.controller';
import { RatesPagesService } from './rates-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

function flashOf(query: Record<string, unknown>): string | null {
  if (typeof query.imported === 'string' && /^\d{1,9}$/.test(query.imported)) {
    const skipped = typeof query.skipped === 'string' && /^\d{1,9}$/.test(query.skipped) ? query.skipped : '0';
    return `Imported ${query.imported} new rate(s); ${skipped} already on record were kept as they were.`;
  }
  if (typeof query.added === 'string' && /^[A-Z]{3}\/[A-Z]{3}$/.test(query.added)) return `${query.added} rate recorded.`;
  return null;
}

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class RatesPagesController {
  constructor(private readonly pages: RatesPagesService) {}

  @Get('rates')
  @Roles(...READ_ALL)
  async page(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('rates', await this.pages.page(actor, { flash: flashOf(query) }));
  }

  /** A multipart form: its CSRF token is in the action URL, its file read here after the role check. */
  @Post('rates/upload')
  @Roles(...WRITE_LEDGER)
  async upload(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response) {
    respond(res, await this.pages.preview(actor, () => readFormUpload(req, MAX_RATES_FILE_BYTES)));
  }

  @Post('rates/upload/:id')
  @Roles(...WRITE_LEDGER)
  async apply(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response) {
    respond(res, await this.pages.apply(actor, id));
  }

  @Post('rates/add')
  @Roles(...WRITE_LEDGER)
  async addRate(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addRate(actor, form));
  }
}
