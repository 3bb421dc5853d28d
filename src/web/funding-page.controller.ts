import { randomUUID } from 'node:crypto';
import { Controller, Get, Param, ParseEnumPipe, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import Handlebars from 'handlebars';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { setEncoding, takesGzip } from '../common/http/content-encoding';
import { FundingGapApiQueryDto } from '../funding/dto';
import { CSV_TABLES, type CsvTable } from './funding-page.presenter';
import { FundingPageService, type FundingPageLocals } from './funding-page.service';
import { gzipBody, identityBody } from './kept-content';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Where the kept content goes in the rendered layout: a comment no template writes. */
const CONTENT_MARK = `<!--kept-content-${randomUUID()}-->`;
/** Where the reader's CSRF token goes in a kept layout: text no template writes, and that HTML escaping leaves as it is. */
const CSRF_MARK = `csrf-token-${randomUUID()}`;
/** Layouts kept at most (one per reader and navigation state seen lately); all are dropped when full. */
const LAYOUTS_KEPT = 256;

/** The leadership page at `/` and the CSV download of each of its tables. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class FundingPageController {
  /**
   * The layout around the kept content, split where the content goes, per everything it shows
   * (the page's locals, the reader, the navigation with its overdue count), with CSRF_MARK where
   * the reader's token goes. Rendering it was a fifth of a cached page's CPU.
   */
  private readonly layouts = new Map<string, { before: string; after: string }>();

  constructor(private readonly page: FundingPageService) {}

  /**
   * The page: the layout (the reader's name, navigation and CSRF token) around the content kept
   * for everyone who reads the same figures. Gzipped when the client takes it: the content's
   * deflate blocks are kept with it, and the layout goes in stored blocks (kept-content.ts).
   */
  @Get()
  @Roles(...READ_ALL)
  async show(@CurrentActor() actor: Actor, @Query() query: FundingGapApiQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { content, ...locals } = await this.page.page(actor, query);
    const layout = await this.layout(res, locals);
    // The token is the reader's own (set in its cookie as it is read); a token is URL-safe text, escaped all the same.
    const token = Handlebars.escapeExpression(String(res.locals.csrfToken));
    const before = layout.before.replaceAll(CSRF_MARK, token);
    const after = layout.after.replaceAll(CSRF_MARK, token);
    const gzipped = takesGzip(req);
    const body = gzipped ? await gzipBody(before, content, after) : identityBody(before, content, after);
    setEncoding(res, gzipped).type('html');
    // No ETag: the CSRF token makes every answer differ.
    res.set('Content-Length', String(body.length)).end(body);
  }

  private async layout(res: Response, locals: Omit<FundingPageLocals, 'content'>): Promise<{ before: string; after: string }> {
    const shown = res.locals as { currentUser?: unknown; nav?: unknown; homeHref?: unknown; organisation?: unknown };
    const key = JSON.stringify([locals, shown.currentUser, shown.nav, shown.homeHref, shown.organisation]);
    let layout = this.layouts.get(key);
    if (layout === undefined) {
      const html = await new Promise<string>((resolve, reject) =>
        res.render('cached-content', { ...locals, content: CONTENT_MARK, csrfToken: CSRF_MARK }, (error: Error | null, out?: string) =>
          error ? reject(error) : resolve(out ?? ''),
        ),
      );
      const at = html.indexOf(CONTENT_MARK);
      if (at < 0 || html.includes(CONTENT_MARK, at + 1)) throw new Error('The layout must show the kept content exactly once');
      layout = { before: html.slice(0, at), after: html.slice(at + CONTENT_MARK.length) };
      if (this.layouts.size >= LAYOUTS_KEPT) this.layouts.clear();
      this.layouts.set(key, layout);
    }
    return layout;
  }

  @Get('funding-gap/:table.csv')
  @Roles(...READ_ALL)
  async csv(
    @Param('table', new ParseEnumPipe(Object.fromEntries(CSV_TABLES.map((t) => [t, t])))) table: CsvTable,
    @Query() query: FundingGapApiQueryDto,
    @Res() res: Response,
  ) {
    const { filename, body } = await this.page.csv(table, query);
    res.type('text/csv; charset=utf-8').attachment(filename).send(body);
  }
}
