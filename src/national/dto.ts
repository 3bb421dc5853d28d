import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsCurrency, IsDecimalString, IsIsoDate, IsText, Nullable, OptionalNotNull } from '../common/http/validators';
import { REPORTED_FIGURE_KEYS, type ReportedFigureKey } from './national.entity';

export class CreateGovernmentSpendDto {
  @ApiProperty({ example: '789000000.00' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'AZN' })
  @IsCurrency()
  currency: string;

  @ApiProperty({ example: '2020-11-10' })
  @IsIsoDate(DATE_RANGES.ledger)
  periodStart: string;

  @ApiProperty({ example: '2025-05-06' })
  @IsIsoDate(DATE_RANGES.ledger)
  periodEnd: string;

  @ApiProperty()
  @IsText({ min: 3, max: 1000 }, { message: 'source must name the document the figure comes from, in 3 to 1000 characters on one line' })
  source: string;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;
}

export class CreateReportedFigureDto {
  @ApiProperty({ enum: REPORTED_FIGURE_KEYS })
  @IsIn(REPORTED_FIGURE_KEYS, { message: `key must be one of ${REPORTED_FIGURE_KEYS.join(', ')}` })
  key: ReportedFigureKey;

  @ApiProperty({ example: '23300000.00', description: 'an amount (with currency) or a fraction such as "0.048" (without)' })
  @IsDecimalString({ message: 'value must be a decimal string such as "23300000.00" or "0.048"' })
  value: string;

  @ApiProperty({ required: false, example: 'USD' })
  @OptionalNotNull()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ example: '2025-03-31' })
  @IsIsoDate(DATE_RANGES.ledger)
  asOf: string;

  @ApiProperty()
  @IsText({ min: 3, max: 1000 }, { message: 'source must name the document the figure comes from, in 3 to 1000 characters on one line' })
  source: string;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;
}
