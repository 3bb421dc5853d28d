import { Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { AdminPagesService } from './admin-pages.service';
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
  async donor(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query() query: Record<string, unknown>, @Res() res: Response) {
    res.render('donors/show', await this.pages.donorPage(actor, id, donorFlash(query)));
  }
}

const DONOR_FLASHES: Record<string, string> = { added: 'Contact added.', saved: 'Contact saved.', removed: 'Contact removed: it gets no more digests.' };

function donorFlash(query: Record<string, unknown>): { kind: 'success'; message: string } | null {
  if (query.saved === '1') return { kind: 'success', message: 'Donor saved.' };
  const message = typeof query.contact === 'string' ? DONOR_FLASHES[query.contact] : undefined;
  return message ? { kind: 'success', message } : null;
}
