import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles } from '../auth/auth.decorators';
import { SetTargetDto } from './dto';
import { PrioritiesService } from './priorities.service';

@ApiTags('priorities')
@ApiBearerAuth()
@Controller('api/priorities')
export class PrioritiesController {
  constructor(private readonly priorities: PrioritiesService) {}

  @Get()
  @Roles(...READ_ALL_AND_DONOR)
  list() {
    return this.priorities.list();
  }

  @Patch(':code')
  @Roles('admin', 'leadership')
  setTarget(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() dto: SetTargetDto) {
    return this.priorities.setTarget(actor, code, dto.target);
  }
}
