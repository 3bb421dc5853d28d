import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Public, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { ParseIdPipe } from '../common/http/params';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { CreateObligationDto, SubmitObligationDto, WaiveObligationDto } from './dto';
import { ObligationsService, type CalendarQuery } from './obligations.service';

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('api')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Post('obligations')
  @Roles(...WRITE_LEDGER)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateObligationDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.obligations.create(actor, dto, idem));
  }

  @Get('obligations/:id')
  @Roles(...READ_ALL)
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.obligations.get(actor, id);
  }

  @Post('obligations/:id/submit')
  @Roles(...WRITE_LEDGER)
  @HttpCode(200)
  submit(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: SubmitObligationDto) {
    return this.obligations.submit(actor, id, dto.submittedOn);
  }

  @Post('obligations/:id/waive')
  @Roles(...WRITE_LEDGER)
  @HttpCode(200)
  waive(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: WaiveObligationDto) {
    return this.obligations.waive(actor, id, dto.reason);
  }

  @Get('calendar')
  @Roles(...READ_ALL)
  calendar(@CurrentActor() actor: Actor, @Query() query: CalendarQuery) {
    return this.obligations.calendar(actor, query);
  }

  /** Rotates the caller's secret feed URL; the old one answers 404 at once. */
  @Post('calendar/feed-key')
  @Roles(...READ_ALL)
  rotateFeedKey(@CurrentActor() actor: Actor) {
    return this.obligations.rotateFeedKey(actor);
  }

  /** The caller's calendar as iCalendar (RFC 5545), for calendar programs: the key in the URL is the credential. */
  @Get('calendar.ics')
  @Public()
  async feed(@Query('key') key: unknown, @Res() res: Response) {
    const text = await this.obligations.feed(key);
    if (text === null) throw new NotFoundException('No calendar feed at this address: it may have been replaced');
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('text/calendar; charset=utf-8').send(text);
  }
}
