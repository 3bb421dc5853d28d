import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Min } from 'class-validator';

export class RunDigestsDto {
  @ApiProperty({ required: false, example: '2025-03', description: 'YYYY-MM; the current month (UTC) when absent' })
  @IsOptional()
  @IsString({ message: 'period must be a month written YYYY-MM, such as "2025-03"' })
  period?: string;

  @ApiProperty({ required: false, type: [Number], description: 'only these donors; every donor with a subscribed contact when absent' })
  @IsOptional()
  @IsArray({ message: 'donorIds must be a list of donor ids' })
  @ArrayMaxSize(10_000)
  @IsInt({ each: true, message: 'donorIds must hold whole numbers' })
  @Min(1, { each: true, message: 'donorIds must hold positive ids' })
  donorIds?: number[];
}

/** The form on /digests posts strings. */
export class RunDigestsFormDto {
  @IsOptional()
  @IsString()
  period?: string;

  @IsOptional()
  @IsString()
  _csrf?: string;
}
