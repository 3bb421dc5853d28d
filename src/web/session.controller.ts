import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../access/roles';
import { SESSION_COOKIE } from '../auth/auth.guard';
import { LoginThrottleGuard } from '../auth/login-throttle';
import { WebSessionService } from './session.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** HttpOnly so scripts cannot read it, Lax so other sites cannot post with it, Secure whenever the page came over HTTPS. */
function sessionCookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' };
}

@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class SessionController {
  constructor(private readonly sessions: WebSessionService) {}

  @Get('login')
  @Public()
  loginForm(@Query('next') next: unknown, @Query('reset') reset: unknown, @Res() res: Response) {
    res.render('login', this.sessions.loginPage(next, reset === '1'));
  }

  @Post('login')
  @Public()
  @UseGuards(LoginThrottleGuard)
  async login(@Body() form: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const outcome = await this.sessions.signIn(form, req.ip);
    if (!outcome.signedIn) {
      if (outcome.retryAfterSeconds) res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
      return res.status(outcome.status).render('login', outcome.page);
    }
    res.cookie(SESSION_COOKIE, outcome.token, sessionCookieOptions(req));
    res.redirect(303, outcome.redirectTo);
  }

  /** Public so that an already expired session can still press "Sign out" and land on the sign-in page. */
  @Post('logout')
  @Public()
  async logout(@Req() req: Request, @Res() res: Response) {
    const token = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE] ?? null;
    await this.sessions.signOut(token);
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
    res.redirect(303, '/login');
  }
}
