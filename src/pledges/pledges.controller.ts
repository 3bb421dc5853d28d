import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles, WRITE_LEDGER } from '../access/roles';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { CancelPledgeDto, CreateDisbursementDto, CreateInstalmentDto, CreatePledgeDto, UpdateInstalmentDto, UpdatePledgeDto } from './dto';
import { PledgeInstalmentsService } from './instalments.service';
import { PledgesService, REPORTING_CURRENCY } from './pledges.service';
import { parsePledgeListQuery, parseDisplayCurrency } from './pledge-query';
import type { PledgeListQuery } from './pledge-query';

@ApiTags('pledges')
@ApiBearerAuth()
@Controller('api/pledges')
export class PledgesController {
  constructor(
    private readonly pledges: PledgesService,
    private readonly instalments: PledgeInstalmentsService,
  ) {}

  @Post()
  @Roles(...WRITE_LEDGER)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreatePledgeDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.pledges.create(actor, dto, idem));
  }

  @Get()
  @Roles(...READ_ALL_AND_DONOR)
  @ApiQuery({
    name: 'q',
    required: false,
    description: "words to find in the pledge's title, its source document or its donor's name (case folded, at most 100 characters)",
  })
  @ApiQuery({ name: 'status', required: false, enum: ['announced', 'committed', 'partly_disbursed', 'fully_disbursed', 'cancelled'] })
  list(@CurrentActor() actor: Actor, @Query() query: PledgeListQuery) {
    const { filter, page, displayCurrency } = parsePledgeListQuery(query);
    return this.pledges.list(actor, filter, page, displayCurrency);
  }

  @Get(':id')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiQuery({ name: 'currency', required: false, description: `display currency for the converted value (default ${REPORTING_CURRENCY})` })
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query('currency') currency?: string) {
    return this.pledges.get(actor, id, parseDisplayCurrency(currency) ?? REPORTING_CURRENCY);
  }

  @Patch(':id')
  @Roles(...WRITE_LEDGER)
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdatePledgeDto) {
    return this.pledges.update(actor, id, dto);
  }

  @Post(':id/disbursements')
  @Roles(...WRITE_LEDGER)
  async disburse(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateDisbursementDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.pledges.recordDisbursement(actor, id, dto, idem));
  }

  @Post(':id/instalments')
  @Roles(...WRITE_LEDGER)
  async addInstalment(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateInstalmentDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.instalments.add(actor, id, dto, idem));
  }

  @Patch(':id/instalments/:instalmentId')
  @Roles(...WRITE_LEDGER)
  changeInstalment(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('instalmentId', ParseIdPipe) instalmentId: number,
    @Body() dto: UpdateInstalmentDto,
  ) {
    return this.instalments.change(actor, id, instalmentId, dto);
  }

  @Delete(':id/instalments/:instalmentId')
  @Roles(...WRITE_LEDGER)
  @HttpCode(204)
  async removeInstalment(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Param('instalmentId', ParseIdPipe) instalmentId: number) {
    await this.instalments.remove(actor, id, instalmentId);
  }

  @Post(':id/cancel')
  @Roles(...WRITE_LEDGER)
  @HttpCode(200)
  cancel(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: CancelPledgeDto) {
    return this.pledges.cancel(actor, id, dto);
  }
}
