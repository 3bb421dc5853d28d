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
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import {
  IsCurrency,
  IsDecimalString,
  IsId,
  IsIsoDate,
  IsPlainObject,
  IsText,
  Nullable,
  OptionalNotNull,
  PartialUpdate,
  RequiredNullable,
} from '../common/http/validators';
import { MoneyDto } from '../priorities/dto';
import { PRIORITY_CODE } from '../priorities/priority-code';
import { RECEIPT_EXPECTATIONS, type ReceiptExpectation } from '../ledger/fulfilment';
import { CHANNELS, COMMITMENT_LEVELS, PLEDGE_KINDS, type Channel, type CommitmentLevel, type PledgeKind } from '../ledger/pledge.entity';

const CHANNEL_RULE = `channel must be one of ${CHANNELS.join(', ')}, or null when the source does not say`;
const CHANNEL_DOC = 'how the money or goods come; null when the source does not say';
const RECEIPT_EXPECTATION_RULE = `receiptExpectation must be ${RECEIPT_EXPECTATIONS.join(' or ')}`;
const RECEIPT_EXPECTATION_DOC =
  'what is known about the balance still to receive: not_documented (nobody has said; the default) or owed (an officer states it is owed, so it counts as outstanding)';
const RECEIPT_DUE_ON_DOC =
  'the date by which the donor promised the money or goods; once it has passed with a balance left, the balance counts as outstanding. null when none was stated';

export class InKindDto {
  @ApiProperty({ example: 8 })
  @IsInt({ message: 'inKind.quantity must be a whole number' })
  @Min(1, { message: 'inKind.quantity must be at least 1' })
  @Max(1_000_000_000)
  quantity: number;

  @ApiProperty({ example: 'mine detection dogs' })
  @IsText({ min: 1, max: 80 })
  unit: string;

  @ApiProperty({ required: false, description: 'true when the donor promised "up to" this quantity' })
  @OptionalNotNull()
  @IsBoolean()
  upTo?: boolean;

  @ApiProperty({ required: false, type: MoneyDto, description: 'value of one unit, when known' })
  @OptionalNotNull()
  @IsPlainObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitValue?: MoneyDto;
}

export class CreatePledgeDto {
  @ApiProperty()
  @IsId()
  donorId: number;

  @ApiProperty({ example: 'Direct assistance to ANAMA for demining operations' })
  @IsText({ min: 3, max: 300 })
  title: string;

  @ApiProperty({ enum: PLEDGE_KINDS })
  @IsIn(PLEDGE_KINDS, { message: 'kind must be cash or in_kind' })
  kind: PledgeKind;

  @ApiProperty({ required: false, example: '3000000.00' })
  @OptionalNotNull()
  @IsDecimalString()
  amount?: string;

  @ApiProperty({ required: false, example: 'USD' })
  @OptionalNotNull()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ required: false, type: InKindDto })
  @OptionalNotNull()
  @IsPlainObject()
  @ValidateNested()
  @Type(() => InKindDto)
  inKind?: InKindDto;

  @ApiProperty({ required: false, nullable: true, example: '2024-01-16', description: 'null when the source gives no date' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  pledgedOn?: string | null;

  @ApiProperty({
    required: false,
    nullable: true,
    example: '2025-03-31',
    description: 'date of the source document; the value date when pledgedOn is unknown',
  })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  sourceDate?: string | null;

  @ApiProperty({ required: false, enum: COMMITMENT_LEVELS, default: 'announced' })
  @OptionalNotNull()
  @IsIn(COMMITMENT_LEVELS, { message: 'status must be announced or committed' })
  status?: CommitmentLevel;

  @ApiProperty({ enum: CHANNELS, nullable: true, description: `${CHANNEL_DOC}; required (give null rather than leave it out)` })
  @RequiredNullable({ message: 'channel must be given: null when the source does not say how the money or goods come' })
  @IsIn(CHANNELS, { message: CHANNEL_RULE })
  channel: Channel | null;

  @ApiProperty({ required: false, nullable: true, example: 'UNDP' })
  @Nullable()
  @IsText({ max: 200 })
  channelName?: string | null;

  @ApiProperty({ required: false, nullable: true, example: 'Memorandum of Financial Contribution' })
  @Nullable()
  @IsText({ max: 200 })
  instrument?: string | null;

  @ApiProperty({ required: false, enum: RECEIPT_EXPECTATIONS, default: 'not_documented', description: RECEIPT_EXPECTATION_DOC })
  @OptionalNotNull()
  @IsIn(RECEIPT_EXPECTATIONS, { message: RECEIPT_EXPECTATION_RULE })
  receiptExpectation?: ReceiptExpectation;

  @ApiProperty({ required: false, nullable: true, example: '2026-12-31', description: RECEIPT_DUE_ON_DOC })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  receiptDueOn?: string | null;

  @ApiProperty({ type: [String], example: ['P01'] })
  @IsArray({ message: 'priorityCodes must be an array of priority codes such as ["P01"]' })
  @ArrayMaxSize(12)
  @ArrayUnique({ message: 'priorityCodes must not repeat a code' })
  @Matches(PRIORITY_CODE, { each: true, message: 'priorityCodes must hold priority codes such as "P01"' })
  priorityCodes: string[];

  @ApiProperty({ required: false, type: [String], example: ['60', '40'], description: 'percent of the pledge per priority code, same order, summing to 100' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(12)
  @Matches(/^(100|[1-9]?[0-9])(\.[0-9]{1,2})?$/, { each: true, message: 'priorityShares must be percentages such as "60" or "33.34"' })
  priorityShares?: string[];

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 1000 })
  source?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;

  @ApiProperty({ required: false, nullable: true, description: 'a reference in another system; unique' })
  @Nullable()
  @IsText({ min: 1, max: 120 })
  externalRef?: string | null;
}

export class CreateDisbursementDto {
  @ApiProperty({ required: false, example: '1000000.00' })
  @OptionalNotNull()
  @IsDecimalString()
  amount?: string;

  @ApiProperty({ required: false, example: 'USD', description: 'defaults to the pledge currency' })
  @OptionalNotNull()
  @IsCurrency()
  currency?: string;

  @ApiProperty({ required: false, description: 'in-kind deliveries: how many units arrived' })
  @OptionalNotNull()
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(1_000_000_000)
  quantity?: number;

  @ApiProperty({ example: '2024-03-31' })
  @IsIsoDate(DATE_RANGES.receipt)
  receivedOn: string;

  @ApiProperty({ required: false, enum: ['exact', 'on_or_before'], default: 'exact' })
  @OptionalNotNull()
  @IsIn(['exact', 'on_or_before'], { message: 'receivedOnBasis must be exact or on_or_before' })
  receivedOnBasis?: 'exact' | 'on_or_before';

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 120 })
  reference?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ min: 5, max: 1000, multiLine: true })
  overDisbursementReason?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 1000 })
  source?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;
}

export class CancelPledgeDto {
  @ApiProperty({ example: 'Donor withdrew the pledge (letter of 3 May 2025)' })
  @IsText({ min: 5, max: 1000, multiLine: true })
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

/**
 * The descriptive fields of a pledge; every field optional, absent means unchanged, null clears
 * a field that may be empty. A body that names no field is refused.
 */
@PartialUpdate()
export class UpdatePledgeDto {
  @ApiProperty({ required: false })
  @OptionalNotNull()
  @IsText({ min: 3, max: 300 })
  title?: string;

  @ApiProperty({ required: false, enum: COMMITMENT_LEVELS })
  @OptionalNotNull()
  @IsIn(COMMITMENT_LEVELS, { message: 'status must be announced or committed' })
  status?: CommitmentLevel;

  @ApiProperty({ required: false, nullable: true, enum: CHANNELS, description: CHANNEL_DOC })
  @Nullable()
  @IsIn(CHANNELS, { message: CHANNEL_RULE })
  channel?: Channel | null;

  @ApiProperty({ required: false, enum: RECEIPT_EXPECTATIONS, description: RECEIPT_EXPECTATION_DOC })
  @OptionalNotNull()
  @IsIn(RECEIPT_EXPECTATIONS, { message: RECEIPT_EXPECTATION_RULE })
  receiptExpectation?: ReceiptExpectation;

  @ApiProperty({ required: false, nullable: true, example: '2026-12-31', description: RECEIPT_DUE_ON_DOC })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  receiptDueOn?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 200 })
  channelName?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 200 })
  instrument?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 1000 })
  source?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @Nullable()
  @IsText({ max: 4000, multiLine: true })
  notes?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '2024-01-16', description: 'null when the source gives no date' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  pledgedOn?: string | null;

  @ApiProperty({ required: false, nullable: true, example: '2025-03-31' })
  @Nullable()
  @IsIsoDate(DATE_RANGES.ledger)
  sourceDate?: string | null;

  @ApiProperty({ required: false, type: [String], example: ['P01'], description: 'replaces the earmarks' })
  @OptionalNotNull()
  @IsArray({ message: 'priorityCodes must be an array of priority codes such as ["P01"]' })
  @ArrayMaxSize(12)
  @ArrayUnique({ message: 'priorityCodes must not repeat a code' })
  @Matches(PRIORITY_CODE, { each: true, message: 'priorityCodes must hold priority codes such as "P01"' })
  priorityCodes?: string[];

  @ApiProperty({ required: false, type: [String], example: ['60', '40'], description: 'with priorityCodes: percent per code, same order, summing to 100' })
  @OptionalNotNull()
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
