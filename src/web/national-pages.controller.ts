import { Body, Controller, Get, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { NationalPagesService } from './national-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

const SAVED: Record<string, string> = {
  spend: 'Government funding observation recorded.',
  reported: 'Reported figure recorded.',
};

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class NationalPagesController {
  constructor(private readonly pages: NationalPagesService) {}

  @Get('national')
  @Roles(...READ_ALL)
  async page(@CurrentActor() actor: Actor, @Query('saved') saved: unknown, @Res() res: Response) {
    res.render('national', await this.pages.page(actor, null, typeof saved === 'string' ? (SAVED[saved] ?? null) : null));
  }

  @Post('national/spend')
  @Roles(...WRITE_LEDGER)
  async addSpend(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addSpend(actor, form));
  }

  @Post('national/reported')
  @Roles(...WRITE_LEDGER)
  async addReported(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addReported(actor, form));
  }
}
