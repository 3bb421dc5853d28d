import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { AuditPagesService } from './audit-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** `/audit`: the audit log, for desk officers and above. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class AuditPagesController {
  constructor(private readonly pages: AuditPagesService) {}

  @Get('audit')
  @Roles(...READ_ALL)
  async audit(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('audit', await this.pages.auditPage(actor, query));
  }
}
