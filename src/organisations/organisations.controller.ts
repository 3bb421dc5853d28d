import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('api/organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /** The caller's organisation: its name, country and reporting currency. */
  @Get('current')
  @Roles(...READ_ALL_AND_DONOR)
  current(@CurrentActor() actor: Actor) {
    return this.organisations.current(actor);
  }
}
