import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn, ManyToOne, JoinColumn } from 'typeorm';

export const DONOR_TYPES = ['government', 'multilateral', 'ngo', 'foundation', 'private'] as const;
export type DonorType = (typeof DONOR_TYPES)[number];

@Entity('donors')
export class DonorEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  /** Unique within the organisation. */
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: DonorType;

  @Column({ name: 'country_code', type: 'varchar', length: 2, nullable: true })
  countryCode: string | null;

  /** Currency the donor's digest shows beside the original amounts. */
  @Column({ name: 'display_currency', type: 'varchar', length: 3, default: 'USD' })
  displayCurrency: string;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'text', nullable: true })
  source: string | null;

  /** The IATI organisation identifier (such as XM-DAC-41114), when the donor has one. */
  @Column({ name: 'iati_org_id', type: 'varchar', length: 100, nullable: true })
  iatiOrgId: string | null;

  /** A deactivated donor keeps its records and figures, takes no new pledges and gets no digest. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @OneToMany(() => DonorContactEntity, (c) => c.donor)
  contacts: DonorContactEntity[];

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}

@Entity('donor_contacts')
export class DonorContactEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'donor_id', type: 'integer' })
  donorId: number;

  @ManyToOne(() => DonorEntity, (d) => d.contacts)
  @JoinColumn({ name: 'donor_id' })
  donor: DonorEntity;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'digest_enabled', type: 'boolean', default: true })
  digestEnabled: boolean;

  @Column({ name: 'unsubscribed_at', type: Date, nullable: true })
  unsubscribedAt: Date | null;

  /** The language the contact reads (BCP 47, such as en or az); digests are in English today. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  language: string | null;

  /** Set when an officer removed the contact: it leaves the lists and gets no digest, and stays on record. */
  @Column({ name: 'removed_at', type: Date, nullable: true })
  removedAt: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
