import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsIsoDate, OptionalNotNull } from '../common/http/validators';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from './funding-gap.service';

/** `?currency=&asOf=` of the API, the page and its CSV downloads. */
export class FundingGapQueryDto {
  @ApiPropertyOptional({ enum: DISPLAY_CURRENCIES, default: 'USD', description: 'display currency' })
  @OptionalNotNull()
  @IsIn(DISPLAY_CURRENCIES, { message: `currency must be one of ${DISPLAY_CURRENCIES.join(', ')}` })
  currency?: DisplayCurrency;

  @ApiPropertyOptional({ example: '2025-03-31', description: 'the state as it stood on this day (default: today, UTC)' })
  @OptionalNotNull()
  @IsIsoDate(DATE_RANGES.ledger)
  asOf?: string;
}
