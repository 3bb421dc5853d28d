import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsId, IsIsoDate, IsKnownOn, IsText, OptionalNotNull } from '../common/http/validators';
import { DISPLAY_CURRENCIES, type DisplayCurrency } from '../funding/funding-gap.service';

/** POST /api/statements: a quarter (`period`) or a date (`asOf`), exactly one. */
export class PublishStatementDto {
  @ApiPropertyOptional({ example: '2025-Q1', description: 'a quarter: the statement is as of its last day (2025-Q1 → 2025-03-31)' })
  @OptionalNotNull()
  @IsText({ min: 7, max: 7 }, { message: 'period must be a quarter written like 2025-Q1' })
  period?: string;

  @ApiPropertyOptional({ example: '2025-03-31', description: 'the value date of the figures, instead of a period' })
  @OptionalNotNull()
  @IsIsoDate(DATE_RANGES.ledger)
  asOf?: string;

  @ApiPropertyOptional({
    example: '2025-04-30',
    description: 'a day that has ended, or a UTC instant: what the figures are as known on (default: the publication time)',
  })
  @OptionalNotNull()
  @IsKnownOn()
  knownOn?: string;

  @ApiPropertyOptional({ example: 'Funding statement, Q1 2025' })
  @OptionalNotNull()
  @IsText({ min: 3, max: 200 })
  title?: string;

  @ApiPropertyOptional({ enum: DISPLAY_CURRENCIES, default: 'USD' })
  @OptionalNotNull()
  @IsIn(DISPLAY_CURRENCIES, { message: `currency must be one of ${DISPLAY_CURRENCIES.join(', ')}` })
  currency?: DisplayCurrency;

  @ApiPropertyOptional({ example: 3, description: 'the statement this one corrects' })
  @OptionalNotNull()
  @IsId()
  replaces?: number;
}
