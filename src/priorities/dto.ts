import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { MONEY_RULES } from '../common/field-rules';
import { IsCurrency, IsDecimalString, IsIsoDate, IsPlainObject, IsText, Nullable, RequiredNullable, RuleFrom } from '../common/http/validators';

export class MoneyDto {
  @ApiProperty({ example: '1500000.00', description: 'decimal string, at most the currency’s minor digits' })
  @RuleFrom(MONEY_RULES)
  amount: string;

  @ApiProperty({ example: 'USD' })
  @RuleFrom(MONEY_RULES)
  currency: string;
}

export class SetTargetDto {
  @ApiProperty({ type: MoneyDto, nullable: true, description: 'null clears the target' })
  @RequiredNullable()
  @IsPlainObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  target: MoneyDto | null;
}

/** POST /api/priorities/:code/targets: one setting of a priority's need. */
export class AddTargetDto {
  @ApiProperty({ example: '2500000.00' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'USD' })
  @IsCurrency()
  currency: string;

  @ApiProperty({ required: false, nullable: true, example: '2026-01-01', description: 'first day the target covers; open-ended when left out' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  periodStart?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '2026-12-31' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  periodEnd?: string | null;

  @ApiProperty({ example: 'ANAMA, Priorities and Needs 2025 Q1', description: 'the document the figure comes from, or "ANAMA estimate"' })
  @IsText({ min: 3, max: 1000 })
  source: string;

  @ApiProperty({ required: false, nullable: true, example: 'p. 14' })
  @Nullable()
  @IsText({ max: 40 })
  sourcePage?: string | null;
}
