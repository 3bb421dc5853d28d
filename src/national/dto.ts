import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsCurrency, IsDecimalString, IsIsoDate } from '../common/http/validators';
import { REPORTED_FIGURE_KEYS, type ReportedFigureKey } from './national.entity';

export class CreateGovernmentSpendDto {
  @ApiProperty({ example: '789000000.00' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'AZN' })
  @IsCurrency()
  currency: string;

  @ApiProperty({ example: '2020-11-10' })
  @IsIsoDate()
  periodStart: string;

  @ApiProperty({ example: '2025-05-06' })
  @IsIsoDate()
  periodEnd: string;

  @ApiProperty()
  @IsString()
  @MinLength(3, { message: 'source must name the document the figure comes from' })
  @MaxLength(1000)
  source: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

export class CreateReportedFigureDto {
  @ApiProperty({ enum: REPORTED_FIGURE_KEYS })
  @IsIn(REPORTED_FIGURE_KEYS, { message: `key must be one of ${REPORTED_FIGURE_KEYS.join(', ')}` })
  key: ReportedFigureKey;

  @ApiProperty({ example: '23300000.00', description: 'an amount (with currency) or a fraction such as "0.048" (without)' })
  @IsDecimalString({ message: 'value must be a decimal string such as "23300000.00" or "0.048"' })
  value: string;

  @ApiProperty({ required: false, example: 'USD' })
  @IsOptional()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ example: '2025-03-31' })
  @IsIsoDate()
  asOf: string;

  @ApiProperty()
  @IsString()
  @MinLength(3, { message: 'source must name the document the figure comes from' })
  @MaxLength(1000)
  source: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}
