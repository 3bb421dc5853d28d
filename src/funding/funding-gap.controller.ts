import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { READ_ALL, Roles } from '../access/roles';
import { setEncoding, takesGzip } from '../common/http/content-encoding';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { FundingGapApiQueryDto, FundingGapForecastQueryDto, FundingGapRatesQueryDto, fundingFilterOf } from './dto';
import { FundingGapService } from './funding-gap.service';

@ApiTags('funding-gap')
@ApiBearerAuth()
@Controller('api/funding-gap')
export class FundingGapController {
  constructor(private readonly fundingGap: FundingGapService) {}

  @Get()
  @Roles(...READ_ALL)
  @ApiOperation({
    summary: 'Government against foreign money, by donor and priority, the reported headline beside the itemised ledger, and the projection',
  })
  async get(@Query() query: FundingGapApiQueryDto, @Req() req: Request, @Res() res: Response) {
    const gzipped = takesGzip(req);
    const { body, etag } = await this.fundingGap.getBody(query.currency ?? 'USD', query.asOf, gzipped, fundingFilterOf(query));
    setEncoding(res, gzipped).type('application/json').set('ETag', etag).send(body);
  }

  @Get('forecast')
  @Roles(...READ_ALL)
  @ApiOperation({
    summary: "Expected foreign money by quarter (planned instalments not yet received) beside this year's work-plan need, in the display currency",
  })
  forecast(@Query() query: FundingGapForecastQueryDto) {
    return this.fundingGap.forecast(query.currency ?? 'USD');
  }

  @Get('rates')
  @Roles(...READ_ALL)
  @ApiOperation({ summary: 'Every published rate behind the funding-gap figures of the same query, oldest first within each pair, paginated' })
  async rates(@Query() query: FundingGapRatesQueryDto) {
    const page = parsePageRequest(query.limit, query.cursor);
    const rates = await this.fundingGap.ratesUsed(query.currency ?? 'USD', query.asOf, fundingFilterOf(query));
    const rows = rates.slice(page.afterId, page.afterId + page.limit + 1).map((rate, i) => ({ id: page.afterId + i + 1, rate }));
    return toPage(rows, page, (row) => row.rate);
  }
}
