import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsId, IsIsoDate, IsText, Nullable, OptionalNotNull } from '../common/http/validators';
import { FigureSourceDto } from '../national/dto';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from './funding-gap.service';
import { ENTERED_AREA_METRICS } from './clearance-progress.entity';

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

/** Hectares as documents give them: a decimal with at most two places, below a billion. */
const HECTARES = /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$/;
const HECTARES_MESSAGE = 'must be a number of hectares such as 1722.6 (digits, at most two decimals, no thousands separators)';

/** An area figure with its date: the contaminated area estimated on `asOf`, or the area cleared from `periodStart` to `asOf`. */
export class CreateAreaFigureDto extends FigureSourceDto {
  @ApiProperty({ enum: ENTERED_AREA_METRICS })
  @IsIn(ENTERED_AREA_METRICS, { message: 'metric must be contaminated_area or cleared_to_date' })
  metric: (typeof ENTERED_AREA_METRICS)[number];

  @ApiProperty({ example: '1166700.0' })
  @Matches(HECTARES, { message: `hectares ${HECTARES_MESSAGE}` })
  hectares: string;

  @ApiProperty({ example: '2025-03-31', description: 'the day the estimate describes' })
  @IsIsoDate(DATE_RANGES.receipt)
  asOf: string;

  @ApiProperty({ required: false, nullable: true, example: '2020-11-10', description: 'cleared to date: since when' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.receipt)
  periodStart?: string | null;
}

/** What clearance achieved in a period, for the programme or one district or operator. */
export class CreateClearanceResultDto extends FigureSourceDto {
  @ApiProperty({ example: '2025-01-01' })
  @IsIsoDate(DATE_RANGES.receipt)
  periodStart: string;

  @ApiProperty({ example: '2025-03-31' })
  @IsIsoDate(DATE_RANGES.receipt)
  periodEnd: string;

  @ApiProperty({ required: false, nullable: true, example: 'Aghdam', description: 'null: not broken down by district' })
  @Nullable()
  @IsText({ min: 2, max: 80 })
  district?: string | null;

  @ApiProperty({ required: false, nullable: true, example: 'ANAMA', description: 'null: not broken down by operator' })
  @Nullable()
  @IsText({ min: 2, max: 120 })
  operator?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '1722.6', description: 'null: the source gives no area' })
  @Nullable()
  @Matches(HECTARES, { message: `hectares ${HECTARES_MESSAGE}` })
  hectares?: string | null;

  @ApiProperty({ required: false, nullable: true, example: 1116, description: 'mines and ERW found; null: the source gives no count' })
  @Nullable()
  @IsInt({ message: 'itemsFound must be a whole number' })
  @Min(0, { message: 'itemsFound cannot be negative' })
  @Max(100_000_000, { message: 'itemsFound must be at most 100,000,000' })
  itemsFound?: number | null;
}
