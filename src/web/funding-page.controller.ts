import { Controller, Get, Param, ParseEnumPipe, Query, Render, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { FundingGapApiQueryDto } from '../funding/dto';
import { CSV_TABLES, type CsvTable } from './funding-page.presenter';
import { FundingPageService } from './funding-page.service';
import { WebPageExceptionFilter } from './web-exception.filter';

/** The leadership page at `/` and the CSV download of each of its tables. */
@ApiExcludeController()
@Controller()
@UseFilters(WebPageExceptionFilter)
export class FundingPageController {
  constructor(private readonly page: FundingPageService) {}

  @Get()
  @Roles(...READ_ALL)
  @Render('cached-content')
  show(@CurrentActor() actor: Actor, @Query() query: FundingGapApiQueryDto) {
    return this.page.page(actor, query);
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
