import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsCurrency, IsDecimalString, IsIsoDate, IsText, Nullable, OptionalNotNull } from '../common/http/validators';
import { REPORTED_FIGURE_KEYS, SPEND_BASES, type ReportedFigureKey, type SpendBasis } from './national.entity';

/** Where a national figure comes from: every figure body names its source the same way. */
export class FigureSourceDto {
  @ApiProperty()
  @IsText({ min: 3, max: 1000 }, { message: 'source must name the document the figure comes from, in 3 to 1000 characters on one line' })
  source: string;

  @ApiProperty({ required: false, nullable: true, example: 'Annex 2', description: 'where in the source: a page, annex or answer number' })
  @Nullable()
  @IsText({ min: 1, max: 200 })
  sourcePage?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;
}

/**
 * An observation of the government's cumulative funding of demining (contract v2): the amount
 * since `periodStart` as the source states it on `asAt`. A version 1 body (`periodStart` and
 * `periodEnd`, no `asAt`) is still accepted: NationalService reads it as spend as at `periodEnd`.
 */
export class CreateGovernmentSpendDto extends FigureSourceDto {
  @ApiProperty({ example: '789000000.00', description: 'the cumulative amount since periodStart, as stated on asAt' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'AZN' })
  @IsCurrency()
  currency: string;

  @ApiProperty({
    required: false,
    example: '2025-05-06',
    description: 'the date the source states the figure as at; required unless a version 1 body gives periodEnd',
  })
  @OptionalNotNull()
  @IsIsoDate(DATE_RANGES.ledger)
  asAt?: string;

  @ApiProperty({ required: false, enum: SPEND_BASES, description: 'required with asAt; a version 1 body is read as spent' })
  @OptionalNotNull()
  @IsIn(SPEND_BASES, { message: `basis must be one of ${SPEND_BASES.join(', ')}: what the source says the government ${SPEND_BASES.join(' or ')}` })
  basis?: SpendBasis;

  @ApiProperty({
    required: false,
    nullable: true,
    example: '2020-11-10',
    description: 'where the cumulative figure starts counting; null when the source does not say',
  })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  periodStart?: string | null;

  @ApiProperty({ required: false, deprecated: true, example: '2025-05-06', description: 'version 1: the end of the period; send asAt instead' })
  @OptionalNotNull()
  @IsIsoDate(DATE_RANGES.ledger)
  periodEnd?: string;
}

export class CreateReportedFigureDto extends FigureSourceDto {
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
}
