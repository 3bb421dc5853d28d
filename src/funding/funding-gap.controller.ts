import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { READ_ALL, Roles } from '../auth/auth.decorators';
import { FundingGapQueryDto } from './dto';
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
  async get(@Query() query: FundingGapQueryDto, @Req() req: Request, @Res() res: Response) {
    const gzipped = req.acceptsEncodings('gzip', 'identity') === 'gzip';
    const { body, etag } = await this.fundingGap.getBody(query.currency ?? 'USD', query.asOf, gzipped);
    res.type('application/json').vary('Accept-Encoding').set('ETag', etag);
    if (gzipped) res.set('Content-Encoding', 'gzip');
    res.send(body);
  }
}
