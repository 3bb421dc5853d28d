import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { ParseIdPipe } from '../common/http/params';
import { CalendarPagesService } from './calendar-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

/** The calendar of reports owed and due (desk officers and leadership) and the obligation screens. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class CalendarPagesController {
  constructor(private readonly pages: CalendarPagesService) {}

  @Get('calendar')
  @Roles(...READ_ALL)
  async calendar(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('calendar', await this.pages.calendarPage(actor, query));
  }

  /** Shows the new feed address once, on this page; the previous address stops working. */
  @Post('calendar/feed-key')
  @Roles(...READ_ALL)
  @HttpCode(200)
  async rotateFeed(@CurrentActor() actor: Actor, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    res.render('calendar', await this.pages.rotateFeed(actor));
  }

  @Get('obligations/new')
  @Roles(...WRITE_LEDGER)
  async newObligation(@CurrentActor() actor: Actor, @Query('pledgeId') pledgeId: unknown, @Res() res: Response) {
    res.render('obligations/new', await this.pages.newObligationPage(actor, pledgeId));
  }

  @Post('obligations/new')
  @Roles(...WRITE_LEDGER)
  async createObligation(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.createObligation(actor, form));
  }

  @Get('obligations/:id')
  @Roles(...READ_ALL)
  async obligation(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('obligations/show', await this.pages.obligationPage(actor, id));
  }

  @Post('obligations/:id/submit')
  @Roles(...WRITE_LEDGER)
  async submit(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitObligation(actor, id, form));
  }

  @Post('obligations/:id/waive')
  @Roles(...WRITE_LEDGER)
  async waive(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.waiveObligation(actor, id, form));
  }
}
