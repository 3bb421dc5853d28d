import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from '../database/transformers';

/**
 * A planned instalment of a pledge: the date the donor means to pay (or deliver) and how much, in
 * minor units of the pledge's currency (cash) or in units (in kind). Removing one keeps the row
 * (`removedAt`), as every ledger record is kept; only rows with `removedAt` null are the schedule.
 */
@Entity('pledge_instalments')
export class InstalmentEntity {
  /** The organisation the record belongs to (docs/organisations.md). */
  @Column({ name: 'organisation_id', type: 'integer' })
  organisationId: number;

  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'pledge_id', type: 'integer' })
  pledgeId: number;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  /** Cash pledges: minor units of the pledge's currency. Null for in-kind instalments. */
  @Column({ name: 'amount_minor', type: 'bigint', nullable: true, transformer: bigintTransformer })
  amountMinor: bigint | null;

  /** In-kind pledges: units. Null for cash instalments. */
  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @Column({ name: 'removed_at', type: Date, nullable: true })
  removedAt: Date | null;

  @Column({ name: 'removed_by', type: 'integer', nullable: true })
  removedBy: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
