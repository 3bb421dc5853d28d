import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DATE_RANGES } from '../common/dates';
import { IsId, IsIsoDate, IsText, Nullable } from '../common/http/validators';
import { OBLIGATION_KINDS, type ObligationKind } from './obligation.entity';

export class CreateObligationDto {
  @ApiProperty({ description: 'the pledge (and so the donor) the obligation belongs to' })
  @IsId()
  pledgeId: number;

  @ApiProperty({ enum: OBLIGATION_KINDS })
  @IsIn(OBLIGATION_KINDS, { message: `kind must be one of ${OBLIGATION_KINDS.join(', ')}` })
  kind: ObligationKind;

  @ApiProperty({ example: 'Six-month narrative report to the EU delegation' })
  @IsText({ min: 3, max: 200 })
  title: string;

  @ApiProperty({ example: '2026-06-30' })
  @IsIsoDate(DATE_RANGES.ledger)
  dueOn: string;

  @ApiProperty({ required: false, nullable: true, description: 'who at ANAMA prepares it; never shown to the donor' })
  @Nullable()
  @IsText({ max: 200 })
  responsible?: string | null;
}

export class SubmitObligationDto {
  @ApiProperty({ example: '2026-06-28', description: 'the day it was sent to the donor; not after today' })
  @IsIsoDate(DATE_RANGES.receipt)
  submittedOn: string;
}

export class WaiveObligationDto {
  @ApiProperty({ example: 'The donor agreed to fold it into the annual report (email of 2 May 2026)' })
  @IsText({ min: 5, max: 1000, multiLine: true })
  reason: string;
}
