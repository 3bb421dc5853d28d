import { Body, Controller, Get, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { CLEARANCE_SAVED, ClearancePagesService } from './clearance-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class ClearancePagesController {
  constructor(private readonly pages: ClearancePagesService) {}

  @Get('clearance')
  @Roles(...READ_ALL)
  async page(@CurrentActor() actor: Actor, @Query('saved') saved: unknown, @Res() res: Response) {
    res.render('clearance', await this.pages.page(actor, null, typeof saved === 'string' ? (CLEARANCE_SAVED[saved] ?? null) : null));
  }

  @Post('clearance/result')
  @Roles(...WRITE_LEDGER)
  async addResult(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addResult(actor, form));
  }

  @Post('clearance/area')
  @Roles(...WRITE_LEDGER)
  async addArea(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addAreaFigure(actor, form));
  }
}
