import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles, WRITE_LEDGER } from '../access/roles';
import { parsePageRequest } from '../common/http/pagination';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { DonorsService } from './donors.service';
import { ContactDto, CreateDonorDto, UpdateContactDto, UpdateDonorDto } from './dto';

@ApiTags('donors')
@ApiBearerAuth()
@Controller('api/donors')
export class DonorsController {
  constructor(private readonly donors: DonorsService) {}

  @Post()
  @Roles(...WRITE_LEDGER)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateDonorDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.donors.create(actor, dto, idem));
  }

  @Get()
  @Roles(...READ_ALL_AND_DONOR)
  list(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.donors.list(actor, parsePageRequest(limit, cursor));
  }

  @Get(':id')
  @Roles(...READ_ALL_AND_DONOR)
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.donors.get(actor, id);
  }

  @Patch(':id')
  @Roles(...WRITE_LEDGER)
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateDonorDto) {
    return this.donors.update(actor, id, dto);
  }

  @Post(':id/contacts')
  @Roles(...WRITE_LEDGER)
  async addContact(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ContactDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.donors.addContact(actor, id, dto, idem));
  }

  @Patch(':id/contacts/:contactId')
  @Roles(...WRITE_LEDGER)
  updateContact(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIdPipe) id: number,
    @Param('contactId', ParseIdPipe) contactId: number,
    @Body() dto: UpdateContactDto,
  ) {
    return this.donors.updateContact(actor, id, contactId, dto);
  }

  /** Takes the contact off the lists and the digests; the record stays (nothing is deleted). */
  @Delete(':id/contacts/:contactId')
  @Roles(...WRITE_LEDGER)
  @HttpCode(204)
  async removeContact(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Param('contactId', ParseIdPipe) contactId: number) {
    await this.donors.removeContact(actor, id, contactId);
  }
}
