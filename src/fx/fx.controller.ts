import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, READ_ALL_AND_DONOR, Roles, WRITE_LEDGER } from '../access/roles';
import { InvalidInputError } from '../common/errors/domain-errors';
import { readTextUpload } from '../common/http/upload-body';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { ConvertQueryDto, CreateFxRateDto } from './dto';
import { FxService } from './fx.service';

/** The ECB's whole history since 1999 is about 1.8 MB; anything ten times that is not a rates file. */
/** The ECB's full history is about 1.8 MB; the limit leaves room for years more. */
export const MAX_RATES_FILE_BYTES = 20 * 1024 * 1024;

@ApiTags('fx')
@ApiBearerAuth()
@Controller('api/fx-rates')
export class FxController {
  constructor(private readonly fx: FxService) {}

  @Post()
  @Roles(...WRITE_LEDGER)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateFxRateDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.fx.addRate(actor, dto, idem));
  }

  @Post('import')
  @Roles(...WRITE_LEDGER)
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({ description: 'An ECB eurofxref CSV, history or daily layout' })
  async importRates(@CurrentActor() actor: Actor, @Query('format') format: string | undefined, @Req() req: Request) {
    if (format !== undefined && format !== 'ecb') throw InvalidInputError.field('format', 'format must be "ecb"');
    const csv = await readTextUpload(req, MAX_RATES_FILE_BYTES);
    if (!csv) throw InvalidInputError.field('body', 'send the CSV as the request body with Content-Type: text/csv');
    return this.fx.importEcb(actor, csv);
  }

  @Get('convert')
  @Roles(...READ_ALL_AND_DONOR)
  convert(@Query() query: ConvertQueryDto) {
    return this.fx.convertForDisplay(query.amount, query.from, query.to, query.date);
  }

  @Get('coverage')
  @Roles(...READ_ALL)
  coverage() {
    return this.fx.coverage();
  }
}
