import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CLEARANCE_METRICS = ['contaminated_area', 'cleared_to_date', 'work_plan'] as const;
export type ClearanceMetric = (typeof CLEARANCE_METRICS)[number];

/** The area figures a person may enter (the clearance page); work plans come from the seed. */
export const ENTERED_AREA_METRICS = ['contaminated_area', 'cleared_to_date'] as const;

/**
 * An area figure as a source document states it: the contaminated area, the area cleared since
 * `periodStart`, or a year's work plan. The projection on the funding-gap page is derived from these.
 */
@Entity('clearance_progress')
export class ClearanceProgressEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 40 })
  metric: ClearanceMetric;

  /** Hectares as a decimal string ("190794.2"): documents give tenths, and areas are never floats here. */
  @Column({ type: 'varchar', length: 24 })
  hectares: string;

  /** Start of the period a cumulative figure covers (cleared since 10 November 2020); null otherwise. */
  @Column({ name: 'period_start', type: 'date', nullable: true })
  periodStart: string | null;

  /** The day the figure describes: "as of" for areas, the plan's first day for a work plan. */
  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  /** The calendar year of a work plan; null for the other metrics. */
  @Column({ name: 'plan_year', type: 'integer', nullable: true })
  planYear: number | null;

  @Column({ type: 'text' })
  source: string;

  /** Where in the source: a page, table or annex; null when not recorded. */
  @Column({ name: 'source_page', type: 'varchar', length: 200, nullable: true })
  sourcePage: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
