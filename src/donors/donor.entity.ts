import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn, ManyToOne, JoinColumn } from 'typeorm';

export const DONOR_TYPES = ['government', 'multilateral', 'ngo', 'foundation', 'private'] as const;
export type DonorType = (typeof DONOR_TYPES)[number];

@Entity('donors')
export class DonorEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 200, unique: true })
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

  @OneToMany(() => DonorContactEntity, (c) => c.donor)
  contacts: DonorContactEntity[];

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}

@Entity('donor_contacts')
export class DonorContactEntity {
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

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
