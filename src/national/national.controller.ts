import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { parsePageRequest } from '../common/http/pagination';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles, WRITE_LEDGER } from '../access/roles';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { CreateGovernmentSpendDto, CreateReportedFigureDto } from './dto';
import { NationalService } from './national.service';

@ApiTags('national')
@ApiBearerAuth()
@Controller('api')
export class NationalController {
  constructor(private readonly national: NationalService) {}

  @Post('government-spend')
  @Roles(...WRITE_LEDGER)
  async addSpend(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateGovernmentSpendDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.national.addSpend(actor, dto, idem));
  }

  @Get('government-spend')
  @Roles(...READ_ALL)
  listSpend(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.national.listSpend(actor, parsePageRequest(limit, cursor));
  }

  @Post('reported-figures')
  @Roles(...WRITE_LEDGER)
  async addReported(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateReportedFigureDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.national.addReportedFigure(actor, dto, idem));
  }

  @Get('reported-figures')
  @Roles(...READ_ALL)
  listReported(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.national.listReported(actor, parsePageRequest(limit, cursor));
  }
}
