import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { InvalidInputError } from '../common/errors/domain-errors';
import { isIsoDate } from '../common/dates';
import { AddTargetDto, SetTargetDto } from './dto';
import { PrioritiesService } from './priorities.service';

@ApiTags('priorities')
@ApiBearerAuth()
@Controller('api/priorities')
export class PrioritiesController {
  constructor(private readonly priorities: PrioritiesService) {}

  /** With `asOf`, each priority's target in force on that date (default today). */
  @Get()
  @Roles(...READ_ALL_AND_DONOR)
  list(@CurrentActor() actor: Actor, @Query('asOf') asOf?: string) {
    return this.priorities.list(actor, asOfParam(asOf));
  }

  /** One priority with the history of its targets, newest first. */
  @Get(':code')
  @Roles(...READ_ALL_AND_DONOR)
  get(@CurrentActor() actor: Actor, @Param('code') code: string, @Query('asOf') asOf?: string) {
    return this.priorities.get(actor, code, asOfParam(asOf));
  }

  @Post(':code/targets')
  @Roles('admin', 'leadership')
  addTarget(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() dto: AddTargetDto) {
    return this.priorities.addTarget(actor, code, dto);
  }

  @Patch(':code')
  @Roles('admin', 'leadership')
  setTarget(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() dto: SetTargetDto) {
    return this.priorities.setTarget(actor, code, dto.target);
  }
}

function asOfParam(asOf: string | undefined): string | undefined {
  if (asOf === undefined || asOf === '') return undefined;
  if (!isIsoDate(asOf)) throw InvalidInputError.field('asOf', 'asOf must be a real date written YYYY-MM-DD');
  return asOf;
}
