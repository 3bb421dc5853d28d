import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ParseIdPipe } from '../common/http/params';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, Public, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { parsePageRequest } from '../common/http/pagination';
import { EMAIL_VIEW_CSP, RUN_DIGESTS } from '../digests/digests.controller';
import { DigestsService } from '../digests/digests.service';
import { RunDigestsFormDto } from '../digests/dto';
import { WebPageExceptionFilter } from './web-exception.filter';
import { OrganisationsService } from '../organisations/organisations.service';

/** /digests: the outbox with status and attempts, "Run now", each message as the donor sees it, and the unsubscribe page. */
@ApiExcludeController()
@Controller('digests')
@UseFilters(WebPageExceptionFilter)
export class DigestsPagesController {
  constructor(
    private readonly digests: DigestsService,
    private readonly organisations: OrganisationsService,
  ) {}

  /** Who sends the digests the link came from: these pages are for no one signed in. */
  private async sender(): Promise<string> {
    return (await this.organisations.ofDeployment()).shortName;
  }

  @Get()
  @Roles(...READ_ALL)
  async outbox(
    @CurrentActor() actor: Actor,
    @Res() res: Response,
    @Query('cursor') cursor?: string,
    @Query('queued') queued?: string,
    @Query('period') period?: string,
  ) {
    const page = await this.digests.outboxPage(actor, parsePageRequest('100', cursor));
    const flash =
      queued !== undefined && /^\d+$/.test(queued) ? { kind: 'success', message: `${queued} digest(s) queued for ${period ?? 'the period'}.` } : null;
    res.render('digests/index', { title: 'Digests', ...page, flash, canRun: (['admin', 'leadership'] as string[]).includes(actor.role) });
  }

  /** Asks before a run: the emails it writes cannot be taken back once the sender delivers them. The page's button POSTs. */
  @Get('run')
  @Roles(...RUN_DIGESTS)
  async confirmRun(@Query('period') period: unknown, @Res() res: Response) {
    res.render('digests/run', { title: 'Run the digests?', run: await this.digests.describeRun(period) });
  }

  @Post('run')
  @Roles(...RUN_DIGESTS)
  async run(@CurrentActor() actor: Actor, @Body() form: RunDigestsFormDto, @Res() res: Response) {
    const result = await this.digests.run(actor, { period: form.period });
    res.redirect(303, `/digests?queued=${result.queued}&period=${result.period}`);
  }

  /** The message as a mail program shows it: From, Reply-To, To and Subject above the body, and its place in the outbox. */
  @Get('messages/:id')
  @Roles(...READ_ALL_AND_DONOR)
  async message(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const message = await this.digests.messageEnvelope(actor, id);
    res.render('digests/message', { title: message.subject, message, bodyHref: `/digests/messages/${id}/body` });
  }

  /**
   * The stored HTML exactly as the donor receives it, for the frame of the page above. Its own
   * policy: inline styles (emails carry them), nothing else, framed by this site only.
   */
  @Get('messages/:id/body')
  @Roles(...READ_ALL_AND_DONOR)
  async messageBody(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const html = await this.digests.messageHtml(actor, id);
    res.setHeader('Content-Security-Policy', EMAIL_VIEW_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"));
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
    res.type('html').send(html);
  }

  /**
   * The link in the email opens a confirmation page and changes nothing: mail scanners that
   * follow every link in a message must not unsubscribe people. The page's button POSTs.
   */
  @Get('unsubscribe')
  @Public()
  async confirmUnsubscribe(@Query('token') token: string | undefined, @Res() res: Response) {
    const result = await this.digests.describeUnsubscribe(token);
    res.render('digests/unsubscribe', { title: 'Stop digests', token, ...result, sender: await this.sender() });
  }

  @Post('unsubscribe')
  @Public()
  @HttpCode(200)
  async unsubscribe(@Body('token') token: string | undefined, @Res() res: Response) {
    const result = await this.digests.unsubscribe(token);
    res.render('digests/unsubscribed', { title: 'Digests stopped', ...result, sender: await this.sender() });
  }
}
