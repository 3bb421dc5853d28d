import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString } from 'class-validator';
import { IsId, OptionalNotNull } from '../common/http/validators';

export class RunDigestsDto {
  @ApiProperty({ required: false, example: '2025-03', description: 'YYYY-MM; the current month (UTC) when absent' })
  @OptionalNotNull()
  @IsString({ message: 'period must be a month written YYYY-MM, such as "2025-03"' })
  period?: string;

  @ApiProperty({ required: false, type: [Number], description: 'only these donors; every donor with a subscribed contact when absent' })
  @OptionalNotNull()
  @IsArray({ message: 'donorIds must be a list of donor ids' })
  @ArrayMaxSize(10_000)
  @IsId({ each: true, message: 'donorIds must hold donor ids: whole numbers from 1 to 2147483647' })
  donorIds?: number[];
}

/** The form on /digests posts strings. */
export class RunDigestsFormDto {
  @OptionalNotNull()
  @IsString()
  period?: string;

  @OptionalNotNull()
  @IsString()
  _csrf?: string;
}
