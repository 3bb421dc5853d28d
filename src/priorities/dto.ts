import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { IsCurrency, IsDecimalString, IsPlainObject, RequiredNullable } from '../common/http/validators';

export class MoneyDto {
  @ApiProperty({ example: '1500000.00', description: 'decimal string, at most the currency’s minor digits' })
  @IsDecimalString()
  amount: string;

  @ApiProperty({ example: 'USD' })
  @IsCurrency()
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
