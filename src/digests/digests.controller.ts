import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Public, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import type { Role } from '../access/roles';
import { parsePageRequest } from '../common/http/pagination';
import { DigestsService } from './digests.service';
import { RunDigestsDto } from './dto';

/** Leadership runs digests (contract, roles); admins may do everything. */
export const RUN_DIGESTS: Role[] = ['admin', 'leadership'];

/** A page showing an email: its inline styles are allowed, nothing else is. */
export const EMAIL_VIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

@ApiTags('digests')
@ApiBearerAuth()
@Controller('api/digests')
export class DigestsController {
  constructor(private readonly digests: DigestsService) {}

  /** Queues the period's digests (the outbox); delivery follows. Runs are idempotent per donor, contact and period. */
  @Post('run')
  @Roles(...RUN_DIGESTS)
  @HttpCode(202)
  async run(@CurrentActor() actor: Actor, @Body() dto: RunDigestsDto) {
    const { queued, period } = await this.digests.run(actor, dto);
    return { queued, period };
  }

  @Get('outbox')
  @Roles(...READ_ALL)
  outbox(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.digests.outbox(actor, parsePageRequest(limit, cursor));
  }

  @Get('outbox/:id/rerender')
  @Roles(...READ_ALL)
  @ApiOperation({ summary: 'Renders a stored message again from its kept inputs and says whether every byte matches what was queued or sent' })
  rerender(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.digests.rerender(actor, id);
  }

  @Get('preview/:donorId')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiProduces('text/html')
  @ApiQuery({ name: 'period', required: false, description: 'YYYY-MM, the current month when absent' })
  async preview(@CurrentActor() actor: Actor, @Param('donorId', ParseIdPipe) donorId: number, @Res() res: Response, @Query('period') period?: string) {
    const html = await this.digests.preview(actor, donorId, period);
    res.setHeader('Content-Security-Policy', EMAIL_VIEW_CSP);
    res.type('html').send(html);
  }

  /** RFC 8058 one-click unsubscribe: the List-Unsubscribe header points here; mail providers POST without a session. */
  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  @ApiQuery({ name: 'token', required: true })
  async unsubscribe(@Query('token') token?: string) {
    const { alreadyStopped } = await this.digests.unsubscribe(token);
    return { unsubscribed: true, alreadyStopped };
  }
}
