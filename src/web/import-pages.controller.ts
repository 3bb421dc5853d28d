import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Roles, WRITE_LEDGER } from '../access/roles';
import { readFormUpload } from '../common/http/upload-body';
import { MAX_IMPORT_BYTES } from '../interop/pledge-import.service';
import { ImportPagesService } from './import-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class ImportPagesController {
  constructor(private readonly pages: ImportPagesService) {}

  @Get('import')
  @Roles(...WRITE_LEDGER)
  page(@Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('import/index', this.pages.page({ query }));
  }

  /** A multipart form: its CSRF token is in the action URL, its file read here after the role check. */
  @Post('import/check')
  @Roles(...WRITE_LEDGER)
  async check(@CurrentActor() actor: Actor, @Req() req: Request, @Res() res: Response) {
    respond(res, await this.pages.check(actor, () => readFormUpload(req, MAX_IMPORT_BYTES)));
  }

  @Post('import/:id')
  @Roles(...WRITE_LEDGER)
  async confirm(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.confirm(actor, id, form));
  }
}
