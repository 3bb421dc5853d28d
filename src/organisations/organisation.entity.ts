import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ORGANISATION_STATUSES = ['active', 'suspended'] as const;
export type OrganisationStatus = (typeof ORGANISATION_STATUSES)[number];

/** A national mine action authority the deployment serves (ANAMA is the first). Owned by organisations/. */
@Entity('organisations')
export class OrganisationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'short_name', type: 'varchar', length: 40 })
  shortName: string;

  /** ISO 3166-1 alpha-2, upper case. */
  @Column({ name: 'country_code', type: 'varchar', length: 2 })
  countryCode: string;

  /** The reporting currency of its national figures (ISO 4217): AZN for ANAMA. */
  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 12, default: 'active' })
  status: OrganisationStatus;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
