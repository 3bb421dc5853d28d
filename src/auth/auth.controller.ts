import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { LoginThrottleGuard } from './login-throttle';
import type { Request, Response } from 'express';
import { parsePageRequest } from '../common/http/pagination';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DonorsService } from '../donors/donors.service';
import type { Actor } from './actor';
import { CurrentActor, Public, READ_ALL_AND_DONOR, Roles } from './auth.decorators';
import type { AuthenticatedRequest } from './auth.decorators';
import { AuthService } from './auth.service';
import { CreateUserDto, LoginDto } from './dto';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly donors: DonorsService,
  ) {}

  @Post('auth/login')
  @Public()
  @UseGuards(LoginThrottleGuard)
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: Request) {
    return this.auth.login(dto.email, dto.password, { kind: 'api', address: req.ip });
  }

  @Post('auth/logout')
  @ApiBearerAuth()
  @Roles(...READ_ALL_AND_DONOR)
  @HttpCode(204)
  async logout(@Req() req: AuthenticatedRequest) {
    const token = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token) await this.auth.logout(token);
  }

  @Get('auth/me')
  @ApiBearerAuth()
  @Roles(...READ_ALL_AND_DONOR)
  me(@CurrentActor() actor: Actor) {
    return actor;
  }

  @Post('users')
  @ApiBearerAuth()
  @Roles('admin')
  async createUser(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateUserDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.auth.createUser(actor, dto, (id) => this.donors.exists(id), idem));
  }

  @Get('users')
  @ApiBearerAuth()
  @Roles('admin')
  listUsers(@Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.auth.listUsers(parsePageRequest(limit, cursor));
  }
}
