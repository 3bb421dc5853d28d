import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  registerDecorator,
  ValidationOptions,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCurrency, IsDecimalString, IsIsoDate } from '../common/http/validators';
import { MoneyDto } from '../priorities/dto';
import { CHANNELS, COMMITMENT_LEVELS, PLEDGE_KINDS, type Channel, type CommitmentLevel, type PledgeKind } from './pledge.entity';

export class InKindDto {
  @ApiProperty({ example: 8 })
  @IsInt({ message: 'inKind.quantity must be a whole number' })
  @Min(1, { message: 'inKind.quantity must be at least 1' })
  @Max(1_000_000_000)
  quantity: number;

  @ApiProperty({ example: 'mine detection dogs' })
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  unit: string;

  @ApiProperty({ required: false, description: 'true when the donor promised "up to" this quantity' })
  @IsOptional()
  @IsBoolean()
  upTo?: boolean;

  @ApiProperty({ required: false, type: MoneyDto, description: 'value of one unit, when known' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitValue?: MoneyDto;
}

export class CreatePledgeDto {
  @ApiProperty()
  @IsInt({ message: 'donorId must be a whole number' })
  @Min(1)
  donorId: number;

  @ApiProperty({ example: 'Direct assistance to ANAMA for demining operations' })
  @IsString()
  @MinLength(3, { message: 'title must be at least 3 characters' })
  @MaxLength(300)
  title: string;

  @ApiProperty({ enum: PLEDGE_KINDS })
  @IsIn(PLEDGE_KINDS, { message: 'kind must be cash or in_kind' })
  kind: PledgeKind;

  @ApiProperty({ required: false, example: '3000000.00' })
  @IsOptional()
  @IsDecimalString()
  amount?: string;

  @ApiProperty({ required: false, example: 'USD' })
  @IsOptional()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ required: false, type: InKindDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => InKindDto)
  inKind?: InKindDto;

  @ApiProperty({ required: false, nullable: true, example: '2024-01-16', description: 'null when the source gives no date' })
  @IsOptional()
  @IsIsoDate()
  pledgedOn?: string | null;

  @ApiProperty({ required: false, example: '2025-03-31', description: 'date of the source document; the value date when pledgedOn is unknown' })
  @IsOptional()
  @IsIsoDate()
  sourceDate?: string;

  @ApiProperty({ required: false, enum: COMMITMENT_LEVELS, default: 'announced' })
  @IsOptional()
  @IsIn(COMMITMENT_LEVELS, { message: 'status must be announced or committed' })
  status?: CommitmentLevel;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` })
  channel: Channel;

  @ApiProperty({ required: false, example: 'UNDP' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  channelName?: string;

  @ApiProperty({ required: false, example: 'Memorandum of Financial Contribution' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  instrument?: string;

  @ApiProperty({ type: [String], example: ['P01'] })
  @IsArray({ message: 'priorityCodes must be an array of priority codes such as ["P01"]' })
  @ArrayMaxSize(12)
  @ArrayUnique({ message: 'priorityCodes must not repeat a code' })
  @IsString({ each: true })
  priorityCodes: string[];

  @ApiProperty({ required: false, type: [String], example: ['60', '40'], description: 'percent of the pledge per priority code, same order, summing to 100' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(12)
  @Matches(/^(100|[1-9]?[0-9])(\.[0-9]{1,2})?$/, { each: true, message: 'priorityShares must be percentages such as "60" or "33.34"' })
  priorityShares?: string[];

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  source?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;

  @ApiProperty({ required: false, description: 'a reference in another system; unique' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  externalRef?: string;
}

export class CreateDisbursementDto {
  @ApiProperty({ required: false, example: '1000000.00' })
  @IsOptional()
  @IsDecimalString()
  amount?: string;

  @ApiProperty({ required: false, example: 'USD', description: 'defaults to the pledge currency' })
  @IsOptional()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ required: false, description: 'in-kind deliveries: how many units arrived' })
  @IsOptional()
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(1_000_000_000)
  quantity?: number;

  @ApiProperty({ example: '2024-03-31' })
  @IsIsoDate()
  receivedOn: string;

  @ApiProperty({ required: false, enum: ['exact', 'on_or_before'], default: 'exact' })
  @IsOptional()
  @IsIn(['exact', 'on_or_before'], { message: 'receivedOnBasis must be exact or on_or_before' })
  receivedOnBasis?: 'exact' | 'on_or_before';

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  reference?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MinLength(5, { message: 'overDisbursementReason must say why, in at least 5 characters' })
  @MaxLength(1000)
  overDisbursementReason?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  source?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string;
}

export class CancelPledgeDto {
  @ApiProperty({ example: 'Donor withdrew the pledge (letter of 3 May 2025)' })
  @IsString()
  @MinLength(5, { message: 'reason must say why, in at least 5 characters' })
  @MaxLength(1000)
  reason: string;
}

/** Refuses a field that a PATCH may not carry, naming it: the pledge's money is never rewritten. */
function NotEditable(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notEditable',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} cannot be changed: records are never rewritten, so correct an amount by cancelling the pledge with a reason and recording a new pledge`,
        ...options,
      },
      validator: { validate: (value: unknown) => value === undefined },
    });
}

/** The descriptive fields of a pledge; every field optional, absent means unchanged. */
export class UpdatePledgeDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MinLength(3, { message: 'title must be at least 3 characters' })
  @MaxLength(300)
  title?: string;

  @ApiProperty({ required: false, enum: COMMITMENT_LEVELS })
  @IsOptional()
  @IsIn(COMMITMENT_LEVELS, { message: 'status must be announced or committed' })
  status?: CommitmentLevel;

  @ApiProperty({ required: false, enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` })
  channel?: Channel;

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  channelName?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  instrument?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  source?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '2024-01-16', description: 'null when the source gives no date' })
  @IsOptional()
  @IsIsoDate()
  pledgedOn?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '2025-03-31' })
  @IsOptional()
  @IsIsoDate()
  sourceDate?: string | null;

  @ApiProperty({ required: false, type: [String], example: ['P01'], description: 'replaces the earmarks' })
  @IsOptional()
  @IsArray({ message: 'priorityCodes must be an array of priority codes such as ["P01"]' })
  @ArrayMaxSize(12)
  @ArrayUnique({ message: 'priorityCodes must not repeat a code' })
  @IsString({ each: true })
  priorityCodes?: string[];

  @ApiProperty({ required: false, type: [String], example: ['60', '40'], description: 'with priorityCodes: percent per code, same order, summing to 100' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(12)
  @Matches(/^(100|[1-9]?[0-9])(\.[0-9]{1,2})?$/, { each: true, message: 'priorityShares must be percentages such as "60" or "33.34"' })
  priorityShares?: string[];

  @NotEditable()
  amount?: unknown;

  @NotEditable()
  currency?: unknown;

  @NotEditable()
  kind?: unknown;

  @NotEditable()
  inKind?: unknown;
}
