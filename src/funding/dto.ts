import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsId, IsIsoDate, OptionalNotNull } from '../common/http/validators';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from './funding-gap.service';

/** `?currency=&asOf=` of the API, the page and its CSV downloads. */
export class FundingGapQueryDto {
  @ApiPropertyOptional({ enum: DISPLAY_CURRENCIES, default: 'USD', description: 'display currency' })
  @OptionalNotNull()
  @IsIn(DISPLAY_CURRENCIES, { message: `currency must be one of ${DISPLAY_CURRENCIES.join(', ')}` })
  currency?: DisplayCurrency;

  @ApiPropertyOptional({ example: '2025-03-31', description: 'the state as it stood on this day (default, or empty: today, UTC)' })
  // A date field the reader cleared arrives as `asOf=`: today.
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @OptionalNotNull()
  @IsIsoDate(DATE_RANGES.ledger)
  asOf?: string;
}

/** `?currency=` of GET /api/funding-gap/forecast: what is expected from today on, so no `asOf`. */
export class FundingGapForecastQueryDto {
  @ApiPropertyOptional({ enum: DISPLAY_CURRENCIES, default: 'USD', description: 'display currency' })
  @OptionalNotNull()
  @IsIn(DISPLAY_CURRENCIES, { message: `currency must be one of ${DISPLAY_CURRENCIES.join(', ')}` })
  currency?: DisplayCurrency;
}

/** `?currency=&asOf=&donorId=` of GET /api/funding-gap: the figures of one donor's pledges when `donorId` is given. */
export class FundingGapApiQueryDto extends FundingGapQueryDto {
  @ApiPropertyOptional({ example: '3', description: "only this donor's pledges (the totals become that donor's); empty: all donors" })
  // The page's donor picker sends `donorId=` for "All donors".
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @OptionalNotNull()
  @IsId({ inText: true })
  donorId?: string;
}

/** GET /api/funding-gap/rates: the same query, paginated. */
export class FundingGapRatesQueryDto extends FundingGapApiQueryDto {
  @ApiPropertyOptional({ example: '50', description: 'rates per page, 1 to 500 (default 50)' })
  @OptionalNotNull()
  limit?: string;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @OptionalNotNull()
  cursor?: string;
}
