import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, Max, Min, IsInt, registerDecorator, ValidationOptions } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsCurrency, IsDecimalString, IsIsoDate, IsText, Nullable, OptionalNotNull, RuleFrom, UpdateOf } from '../common/http/validators';
import { MoneyDto } from '../priorities/dto';
import { RECEIPT_EXPECTATIONS, type ReceiptExpectation } from '../ledger/fulfilment';
import { CHANNELS, COMMITMENT_LEVELS, PLEDGE_KINDS, type Channel, type CommitmentLevel, type PledgeKind } from '../ledger/pledge.entity';
import { IN_KIND_RULES, PLEDGE_RULES } from './pledge-rules';

/*
 * The pledge bodies of the API. The create's fields take their rules from pledges/pledge-rules.ts
 * (`@RuleFrom`), which the CSV import compiles; the decorators here add only the documentation
 * and, for nested objects, the class to make of them.
 */

const CHANNEL_DOC = 'how the money or goods come; null when the source does not say';
const RECEIPT_EXPECTATION_DOC =
  'what is known about the balance still to receive: not_documented (nobody has said; the default) or owed (an officer states it is owed, so it counts as outstanding)';
const RECEIPT_DUE_ON_DOC =
  'the date by which the donor promised the money or goods; once it has passed with a balance left, the balance counts as outstanding. null when none was stated';

export class InKindDto {
  @ApiProperty({ example: 8 })
  @RuleFrom(IN_KIND_RULES)
  quantity: number;

  @ApiProperty({ example: 'mine detection dogs' })
  @RuleFrom(IN_KIND_RULES)
  unit: string;

  @ApiProperty({ required: false, description: 'true when the donor promised "up to" this quantity' })
  @RuleFrom(IN_KIND_RULES)
  upTo?: boolean;

  @ApiProperty({ required: false, type: MoneyDto, description: 'value of one unit, when known' })
  @RuleFrom(IN_KIND_RULES)
  @Type(() => MoneyDto)
  unitValue?: MoneyDto;
}

export class CreatePledgeDto {
  @ApiProperty()
  @RuleFrom(PLEDGE_RULES)
  donorId: number;

  @ApiProperty({ example: 'Direct assistance to ANAMA for demining operations' })
  @RuleFrom(PLEDGE_RULES)
  title: string;

  @ApiProperty({ enum: PLEDGE_KINDS })
  @RuleFrom(PLEDGE_RULES)
  kind: PledgeKind;

  @ApiProperty({ required: false, example: '3000000.00' })
  @RuleFrom(PLEDGE_RULES)
  amount?: string;

  @ApiProperty({ required: false, example: 'USD' })
  @RuleFrom(PLEDGE_RULES)
  currency?: string;

  @ApiProperty({ required: false, type: InKindDto })
  @RuleFrom(PLEDGE_RULES)
  @Type(() => InKindDto)
  inKind?: InKindDto;

  @ApiProperty({ required: false, nullable: true, example: '2024-01-16', description: 'null when the source gives no date' })
  @RuleFrom(PLEDGE_RULES)
  pledgedOn?: string | null;

  @ApiProperty({
    required: false,
    nullable: true,
    example: '2025-03-31',
    description: 'date of the source document; the value date when pledgedOn is unknown',
  })
  @RuleFrom(PLEDGE_RULES)
  sourceDate?: string | null;

  @ApiProperty({ required: false, enum: COMMITMENT_LEVELS, default: 'announced' })
  @RuleFrom(PLEDGE_RULES)
  status?: CommitmentLevel;

  @ApiProperty({ enum: CHANNELS, nullable: true, description: `${CHANNEL_DOC}; required (give null rather than leave it out)` })
  @RuleFrom(PLEDGE_RULES)
  channel: Channel | null;

  @ApiProperty({ required: false, nullable: true, example: 'UNDP' })
  @RuleFrom(PLEDGE_RULES)
  channelName?: string | null;

  @ApiProperty({ required: false, nullable: true, example: 'Memorandum of Financial Contribution' })
  @RuleFrom(PLEDGE_RULES)
  instrument?: string | null;

  @ApiProperty({ required: false, enum: RECEIPT_EXPECTATIONS, default: 'not_documented', description: RECEIPT_EXPECTATION_DOC })
  @RuleFrom(PLEDGE_RULES)
  receiptExpectation?: ReceiptExpectation;

  @ApiProperty({ required: false, nullable: true, example: '2026-12-31', description: RECEIPT_DUE_ON_DOC })
  @RuleFrom(PLEDGE_RULES)
  receiptDueOn?: string | null;

  @ApiProperty({ type: [String], example: ['P01'] })
  @RuleFrom(PLEDGE_RULES)
  priorityCodes: string[];

  @ApiProperty({ required: false, type: [String], example: ['60', '40'], description: 'percent of the pledge per priority code, same order, summing to 100' })
  @RuleFrom(PLEDGE_RULES)
  priorityShares?: string[];

  @ApiProperty({ required: false, nullable: true })
  @RuleFrom(PLEDGE_RULES)
  source?: string | null;

  @ApiProperty({ required: false, nullable: true })
  @RuleFrom(PLEDGE_RULES)
  notes?: string | null;

  @ApiProperty({ required: false, nullable: true, description: 'a reference in another system; unique' })
  @RuleFrom(PLEDGE_RULES)
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

export class CreateInstalmentDto {
  @ApiProperty({ example: '2026-03-31', description: 'the date the donor plans to pay (or deliver) it' })
  @IsIsoDate(DATE_RANGES.ledger)
  dueOn: string;

  @ApiProperty({ required: false, example: '250000.00', description: "cash pledges: the amount, in the pledge's currency" })
  @OptionalNotNull()
  @IsDecimalString()
  amount?: string;

  @ApiProperty({ required: false, example: 10, description: 'in-kind pledges: how many units' })
  @OptionalNotNull()
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1, { message: 'quantity must be at least 1' })
  @Max(1_000_000_000)
  quantity?: number;
}

/** Moves or resizes a planned instalment: the fields given change, the schedule must still fit the pledge. */
export class UpdateInstalmentDto extends UpdateOf(CreateInstalmentDto, { omit: [], notNull: ['dueOn'] }) {}

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
 * The descriptive fields of a pledge, derived from the create: every field optional, absent means
 * unchanged, null clears a field that may be empty; title and priorityCodes, which a pledge always
 * has, may be left out but not cleared. The donor and the external reference are not fields of a
 * PATCH; the money (kind, amount, currency, inKind) is refused by name, with the reason. A body
 * that names no field is refused.
 */
export class UpdatePledgeDto extends UpdateOf(CreatePledgeDto, {
  omit: ['donorId', 'externalRef', 'kind', 'amount', 'currency', 'inKind'],
  notNull: ['title', 'priorityCodes'],
}) {
  @ApiProperty({ required: false, nullable: true, enum: CHANNELS, description: CHANNEL_DOC })
  declare channel?: Channel | null;

  @ApiProperty({ required: false, type: [String], example: ['P01'], description: 'replaces the earmarks' })
  declare priorityCodes?: string[];

  @NotEditable()
  amount?: unknown;

  @NotEditable()
  currency?: unknown;

  @NotEditable()
  kind?: unknown;

  @NotEditable()
  inKind?: unknown;
}
