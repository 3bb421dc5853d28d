import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsCurrency, IsDecimalString, IsIsoDate, IsText } from '../common/http/validators';

export class CreateFxRateDto {
  @ApiProperty({ example: 'USD' })
  @IsCurrency()
  base: string;

  @ApiProperty({ example: 'AZN' })
  @IsCurrency()
  quote: string;

  @ApiProperty({ example: '1.7000', description: '1 base = rate quote; a decimal string, at most 12 decimals' })
  @IsString({ message: 'rate must be a decimal string such as "1.7000"' })
  @Matches(/^(0|[1-9][0-9]{0,11})(\.[0-9]{1,12})?$/, { message: 'rate must be a positive decimal string such as "1.7000"' })
  @Matches(/[1-9]/, { message: 'rate must be more than zero' })
  rate: string;

  @ApiProperty({ example: '2024-10-11', description: 'from 1990-01-01 to tomorrow (UTC)' })
  @IsIsoDate(DATE_RANGES.rate)
  date: string;

  @ApiProperty({ example: 'Central Bank of Azerbaijan' })
  @IsText({ min: 2, max: 200 })
  source: string;
}

export class ConvertQueryDto {
  @ApiProperty({ example: '789000000.00' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'AZN' })
  @IsCurrency()
  from: string;

  @ApiProperty({ example: 'USD' })
  @IsCurrency()
  to: string;

  @ApiProperty({ example: '2025-05-06', description: 'value date: the nearest earlier published rate is used' })
  @IsIsoDate(DATE_RANGES.ledger)
  date: string;
}
