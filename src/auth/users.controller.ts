import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ParseIdPipe } from '../common/http/params';
import { parsePageRequest } from '../common/http/pagination';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import type { Actor } from '../access/actor';
import { CurrentActor, Roles } from '../access/roles';
import { CreateUserDto, UpdateUserDto } from './dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateUserDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.users.create(actor, dto, idem));
  }

  @Get()
  list(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.users.list(actor, parsePageRequest(limit, cursor));
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.users.get(actor, id);
  }

  /** Role, donor tie and whether the user may sign in; deactivating ends their sessions at once. */
  @Patch(':id')
  update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.users.update(actor, id, dto);
  }

  /** A one-time link, valid PASSWORD_RESET_HOURS, that the admin passes on; earlier links stop working. */
  @Post(':id/password-reset')
  @HttpCode(201)
  issuePasswordReset(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.users.issuePasswordReset(actor, id);
  }
}
