import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Roles, WRITE_LEDGER } from '../access/roles';
import { ParseIdPipe } from '../common/http/params';
import { DonorsPagesService } from './donors-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Adding and editing donors and their contacts (desk officers and admins). */
@ApiExcludeController()
@Controller('donors')
@UseFilters(WebPageExceptionFilter)
@Roles(...WRITE_LEDGER)
export class DonorsPagesController {
  constructor(private readonly pages: DonorsPagesService) {}

  @Get('new')
  newDonor(@Query('returnTo') returnTo: unknown, @Res() res: Response) {
    res.render('donors/new', this.pages.newDonorPage(returnTo));
  }

  @Post('new')
  async create(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.createDonor(actor, form));
  }

  @Get(':id/edit')
  async edit(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('donors/edit', await this.pages.editDonorPage(actor, id));
  }

  @Post(':id/edit')
  async update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.updateDonor(actor, id, form));
  }

  @Get(':id/contacts/new')
  async newContact(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('donors/contact', await this.pages.contactPage(actor, id, null));
  }

  @Post(':id/contacts')
  async addContact(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addContact(actor, id, form));
  }

  @Get(':id/contacts/:contactId/edit')
  async editContact(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('contactId', ParseIdPipe) contactId: number,
    @Res() res: Response,
  ) {
    res.render('donors/contact', await this.pages.contactPage(actor, id, contactId));
  }

  @Post(':id/contacts/:contactId/edit')
  async updateContact(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('contactId', ParseIdPipe) contactId: number,
    @Body() form: Record<string, unknown>,
    @Res() res: Response,
  ) {
    respond(res, await this.pages.updateContact(actor, id, contactId, form));
  }

  @Post(':id/contacts/:contactId/remove')
  async removeContact(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('contactId', ParseIdPipe) contactId: number,
    @Res() res: Response,
  ) {
    respond(res, await this.pages.removeContact(actor, id, contactId));
  }
}
