import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { LoginThrottleGuard } from './login-throttle';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor';
import { CurrentActor, Public, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import type { AuthenticatedRequest } from '../access/roles';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto } from './dto';
import { requestToken } from './auth.guard';
import { UsersService } from './users.service';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
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

  /** The caller's own password: the current one is checked; the caller's other sessions and tokens end. */
  @Post('auth/password')
  @ApiBearerAuth()
  @Roles(...READ_ALL_AND_DONOR)
  @HttpCode(204)
  async changePassword(@CurrentActor() actor: Actor, @Body() dto: ChangePasswordDto, @Req() req: AuthenticatedRequest) {
    await this.users.changeOwnPassword(actor, requestToken(req), dto.currentPassword, dto.newPassword);
  }
}
