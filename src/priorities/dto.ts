import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { MONEY_RULES } from '../common/field-rules';
import { IsPlainObject, RequiredNullable, RuleFrom } from '../common/http/validators';

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
