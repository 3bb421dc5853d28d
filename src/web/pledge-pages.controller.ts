import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles, WRITE_LEDGER } from '../access/roles';
import type { PledgeListQuery } from '../pledges/pledge-query';
import { FormOutcome, PledgePagesService } from './pledge-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Sends a form's outcome: a 303 to the next page, or the form again with its errors. */
export function respond(res: Response, outcome: FormOutcome): void {
  if ('redirectTo' in outcome) res.redirect(303, outcome.redirectTo);
  else res.status(outcome.status).render(outcome.view, outcome.page);
}

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class PledgePagesController {
  constructor(private readonly pages: PledgePagesService) {}

  @Get('pledges')
  @Roles(...READ_ALL_AND_DONOR)
  async list(@CurrentActor() actor: Actor, @Query() query: PledgeListQuery & { sort?: string }, @Res() res: Response) {
    res.render('pledges/index', await this.pages.listPage(actor, query));
  }

  @Get('pledges.csv')
  @Roles(...READ_ALL_AND_DONOR)
  async csv(@CurrentActor() actor: Actor, @Query() query: PledgeListQuery & { sort?: string }, @Res() res: Response) {
    // Headers go with the first chunk, so a bad filter is still a JSON or page error, not half a file.
    await this.pages.listCsv(actor, query, (chunk) => {
      if (!res.headersSent) res.type('text/csv; charset=utf-8').attachment('pledges.csv');
      res.write(chunk);
    });
    res.end();
  }

  @Get('pledges/new')
  @Roles(...WRITE_LEDGER)
  async newForm(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('pledges/new', await this.pages.newPledgePage(actor, query));
  }

  /** The pledge form's "the donor is not listed": to the donor form, the pledge's fields kept for the way back. */
  @Post('pledges/new/add-donor')
  @Roles(...WRITE_LEDGER)
  addDonorFirst(@Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, this.pages.addDonorFirst(form));
  }

  @Post('pledges/new')
  @Roles(...WRITE_LEDGER)
  async create(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitPledge(actor, form));
  }

  @Get('pledges/:id')
  @Roles(...READ_ALL_AND_DONOR)
  async show(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query('recorded') recorded: unknown, @Res() res: Response) {
    res.render('pledges/show', await this.pages.detailPage(actor, id, recorded));
  }

  @Get('pledges/:id/edit')
  @Roles(...WRITE_LEDGER)
  async editForm(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('pledges/edit', await this.pages.editPledgePage(actor, id));
  }

  @Post('pledges/:id/edit')
  @Roles(...WRITE_LEDGER)
  async edit(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitEdit(actor, id, form));
  }

  @Post('pledges/:id/disbursements')
  @Roles(...WRITE_LEDGER)
  async disburse(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitDisbursement(actor, id, form));
  }

  @Post('pledges/:id/instalments')
  @Roles(...WRITE_LEDGER)
  async planInstalment(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitInstalment(actor, id, form));
  }

  @Post('pledges/:id/instalments/:instalmentId/remove')
  @Roles(...WRITE_LEDGER)
  async removeInstalment(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('instalmentId', ParseIdPipe) instalmentId: number,
    @Res() res: Response,
  ) {
    respond(res, await this.pages.submitInstalmentRemoval(actor, id, instalmentId));
  }

  @Get('pledges/:id/cancel')
  @Roles(...WRITE_LEDGER)
  async cancelConfirmation(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('pledges/cancel', await this.pages.cancelPage(actor, id));
  }

  @Post('pledges/:id/cancel')
  @Roles(...WRITE_LEDGER)
  async cancel(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.submitCancel(actor, id, form));
  }
}
