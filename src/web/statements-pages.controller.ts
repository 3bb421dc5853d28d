import { Body, Controller, Get, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { ParseIdPipe } from '../common/http/params';
import { respond } from './pledge-pages.controller';
import { StatementsPagesService } from './statements-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Published statements as pages: the list and publish form, the confirmation, each statement (printable on A4) and what changed since the one before. */
@ApiExcludeController()
@Controller('statements')
@UseFilters(WebPageExceptionFilter)
export class StatementsPagesController {
  constructor(private readonly pages: StatementsPagesService) {}

  @Get()
  @Roles(...READ_ALL)
  async list(@CurrentActor() actor: Actor, @Res() res: Response) {
    res.render('statements/index', await this.pages.listPage(actor));
  }

  /** Asks before publishing: a published statement is never changed. The page's button POSTs. */
  @Get('publish')
  @Roles('admin', 'leadership')
  async confirm(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.confirm(actor, query));
  }

  @Post()
  @Roles('admin', 'leadership')
  async publish(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.publish(actor, form));
  }

  /** Donor users too (the digest links here): they see the national picture and their own donor's section only. */
  @Get(':id')
  @Roles(...READ_ALL_AND_DONOR)
  async show(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('statements/show', await this.pages.showPage(actor, id));
  }

  @Get(':id/diff')
  @Roles(...READ_ALL)
  async diff(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.render('statements/diff', await this.pages.diffPage(actor, id));
  }
}
