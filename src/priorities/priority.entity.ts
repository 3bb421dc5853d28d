import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';

/** The twelve entries of ANAMA's "Key Priorities for International Assistance", in the report's order. */
@Entity('priorities')
export class PriorityEntity {
  /** The organisation whose list it is: a priority is keyed by (organisation, code). */
  @PrimaryColumn({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  code: string;

  /** The place in the organisation's list, unique within it. */
  @Column({ type: 'integer' })
  rank: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text', nullable: true })
  source: string | null;
}

export const TARGET_BASES = ['document', 'anama_estimate', 'not_recorded'] as const;
export type TargetBasis = (typeof TARGET_BASES)[number];

/** One setting of a priority's need: the latest recorded one in force at a date is its target then. */
@Entity('priority_targets')
export class PriorityTargetEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'priority_code', type: 'varchar', length: 8 })
  priorityCode: string;

  /** Null clears the target from this row on. */
  @Column({ name: 'amount_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  amountMinor: bigint | null;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ name: 'period_start', type: 'date', nullable: true })
  periodStart: string | null;

  @Column({ name: 'period_end', type: 'date', nullable: true })
  periodEnd: string | null;

  /** A document (source and page), ANAMA's own estimate, or not recorded (targets set before sources were asked). */
  @Column({ type: 'varchar', length: 16 })
  basis: TargetBasis;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Column({ name: 'source_page', type: 'varchar', length: 40, nullable: true })
  sourcePage: string | null;

  @Column({ name: 'set_by', type: 'integer' })
  setBy: number;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
