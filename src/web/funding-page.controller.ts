import { randomUUID } from 'node:crypto';
import { Controller, Get, Param, ParseEnumPipe, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { FundingGapApiQueryDto } from '../funding/dto';
import { CSV_TABLES, type CsvTable } from './funding-page.presenter';
import { FundingPageService } from './funding-page.service';
import { gzipBody, identityBody } from './kept-content';
import { WebPageExceptionFilter } from './web-exception.filter';

/** Where the kept content goes in the rendered layout: a comment no template writes. */
const CONTENT_MARK = `<!--kept-content-${randomUUID()}-->`;

/** The leadership page at `/` and the CSV download of each of its tables. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class FundingPageController {
  constructor(private readonly page: FundingPageService) {}

  /**
   * The page: the layout (the reader's name, navigation and CSRF token) rendered for this request
   * around the content kept for everyone who reads the same figures. Gzipped when the client takes
   * it, compressing only the layout: the content's deflate blocks are kept with it (kept-content.ts).
   */
  @Get()
  @Roles(...READ_ALL)
  async show(@CurrentActor() actor: Actor, @Query() query: FundingGapApiQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { content, ...locals } = await this.page.page(actor, query);
    const html = await new Promise<string>((resolve, reject) =>
      res.render('cached-content', { ...locals, content: CONTENT_MARK }, (error: Error | null, out?: string) => (error ? reject(error) : resolve(out ?? ''))),
    );
    const at = html.indexOf(CONTENT_MARK);
    if (at < 0 || html.includes(CONTENT_MARK, at + 1)) throw new Error('The layout must show the kept content exactly once');
    const before = html.slice(0, at);
    const after = html.slice(at + CONTENT_MARK.length);
    const gzipped = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const body = gzipped ? await gzipBody(before, content, after) : identityBody(before, content, after);
    res.vary('Accept-Encoding').type('html');
    if (gzipped) res.set('Content-Encoding', 'gzip');
    // No ETag: the CSRF token makes every answer differ.
    res.set('Content-Length', String(body.length)).end(body);
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
