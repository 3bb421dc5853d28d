import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Public, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { requestToken } from '../auth/auth.guard';
import { ParseIdPipe } from '../common/http/params';
import { respond } from './pledge-pages.controller';
import { UsersPagesService } from './users-pages.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Users (admin), password reset links (public, the link is the key) and each user's own password. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class UsersPagesController {
  constructor(private readonly pages: UsersPagesService) {}

  @Get('users')
  @Roles('admin')
  async users(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>, @Res() res: Response) {
    const invited = typeof query.invited === 'string' ? { kind: 'success' as const, message: 'User invited. Give them their first password in person.' } : null;
    res.render('users/index', await this.pages.usersPage(actor, query, null, [], invited));
  }

  @Post('users')
  @Roles('admin')
  async invite(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.inviteUser(actor, form));
  }

  @Get('users/:id')
  @Roles('admin')
  async user(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Query('saved') saved: unknown, @Res() res: Response) {
    const flash = saved ? { kind: 'success' as const, message: 'Saved.' } : null;
    res.render('users/show', await this.pages.userPage(actor, id, { flash }));
  }

  @Post('users/:id')
  @Roles('admin')
  async update(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.updateUser(actor, id, form));
  }

  @Post('users/:id/reset-link')
  @Roles('admin')
  @HttpCode(200)
  async resetLink(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    res.render('users/show', await this.pages.issueReset(actor, id));
  }

  @Get('password-reset/:secret')
  @Public()
  async resetForm(@Param('secret') secret: string, @Res() res: Response) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    const page = await this.pages.resetPage(secret);
    res.status(page.account ? 200 : 410).render('account/reset', page);
  }

  @Post('password-reset/:secret')
  @Public()
  async reset(@Param('secret') secret: string, @Body() form: Record<string, unknown>, @Res() res: Response) {
    respond(res, await this.pages.resetPassword(secret, form));
  }

  @Get('account/password')
  @Roles(...READ_ALL_AND_DONOR)
  account(@CurrentActor() actor: Actor, @Query('changed') changed: unknown, @Res() res: Response) {
    const flash = changed ? { kind: 'success' as const, message: 'Your password is changed. Your other sessions have ended.' } : null;
    res.render('account/password', this.pages.accountPage(actor, [], flash));
  }

  @Post('account/password')
  @Roles(...READ_ALL_AND_DONOR)
  async changePassword(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    respond(res, await this.pages.changePassword(actor, requestToken(req), form));
  }
}
