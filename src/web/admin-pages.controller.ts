import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../auth/actor';
import { CurrentActor, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../auth/auth.decorators';
import { AdminPagesService } from './admin-pages.service';
import { respond } from './pledge-pages.controller';
import { WebPageExceptionFilter } from './web-exception.filter';

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class AdminPagesController {
  constructor(private readonly pages: AdminPagesService) {}

  @Get('donors')
  @Roles(...READ_ALL)
  async donors(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('donors/index', await this.pages.donorsPage(actor, query));
  }

  @Get('donors/:id')
  @Roles(...READ_ALL_AND_DONOR)
  async donor(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('donors/show', await this.pages.donorPage(actor, id));
  }

  @Get('users')
  @Roles('admin')
  async users(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const invited = typeof query.invited === 'string' ? { kind: 'success', message: 'User invited. Give them their first password in person.' } : null;
    res.render('users', await this.pages.usersPage(actor, query, null, [], invited));
  }

  @Post('users')
  @Roles('admin')
  async invite(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.inviteUser(actor, form));
  }
}
