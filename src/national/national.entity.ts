import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';

export const SPEND_BASES = ['allocated', 'spent'] as const;
/** What the government figure counts: money allocated (budgeted) or money spent. Sources say which. */
export type SpendBasis = (typeof SPEND_BASES)[number];

/**
 * The government's own funding of demining, kept apart from the foreign-aid ledger: each row is an
 * observation of a cumulative figure, the amount since `periodStart` as a document states it on
 * `asAt`. The figure at a date is the latest observation on or before it; before the first one it
 * is not recorded.
 */
@Entity('government_spend')
export class GovernmentSpendEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'as_at', type: 'date' })
  asAt: string;

  @Column({ type: 'varchar', length: 12 })
  basis: SpendBasis;

  /** Where the cumulative figure starts counting; null when the source does not say. */
  @Column({ name: 'period_start', type: 'date', nullable: true })
  periodStart: string | null;

  /** Version 1's period end, kept on the rows that had one; the figure is dated by `asAt`. */
  @Column({ name: 'period_end', type: 'date', nullable: true })
  periodEnd: string | null;

  @Column({ type: 'text' })
  source: string;

  /** Where in the source: a page, annex or answer number. */
  @Column({ name: 'source_page', type: 'text', nullable: true })
  sourcePage: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}

export const REPORTED_FIGURE_KEYS = ['foreign_assistance_total', 'foreign_assistance_pledged', 'foreign_share', 'government_spend_total'] as const;
export type ReportedFigureKey = (typeof REPORTED_FIGURE_KEYS)[number];

/** A headline figure exactly as a document states it, shown beside what the ledger computes. */
@Entity('reported_figures')
export class ReportedFigureEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 60 })
  key: ReportedFigureKey;

  /** A decimal string: an amount when `currency` is set, a fraction (0.048) otherwise. */
  @Column({ type: 'varchar', length: 40 })
  value: string;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'source_page', type: 'text', nullable: true })
  sourcePage: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
