import { Body, Controller, Get, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { respond } from './pledge-pages.controller';
import { PrioritiesPagesService } from './priorities-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class PrioritiesPagesController {
  constructor(private readonly pages: PrioritiesPagesService) {}

  @Get('priorities')
  @Roles(...READ_ALL)
  async list(@CurrentActor() actor: Actor, @Res() res: Response) {
    res.render('priorities/index', await this.pages.listPage(actor));
  }

  @Get('priorities/:code')
  @Roles(...READ_ALL)
  async priority(@CurrentActor() actor: Actor, @Param('code') code: string, @Res() res: Response) {
    res.render('priorities/show', await this.pages.priorityPage(actor, code));
  }

  @Post('priorities/:code/targets')
  @Roles('admin', 'leadership')
  async addTarget(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.addTarget(actor, code, form));
  }
}
